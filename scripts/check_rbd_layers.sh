#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Check that the files of src/rbd call only files of their own layer or
# below (docs/architecture.md, "RBD layers"), and that the file call
# graph has no cycle.  The graph comes from the compiled objects: each
# symbol a file leaves undefined is an edge to the rbd file defining it.
# (Every rbd file includes image.h, so includes say nothing here.)
#
#   scripts/check_rbd_layers.sh BUILD_DIR [-v]
#
# -v prints the edges "caller -> callee {symbols}".  Exit 1 on a breach.
set -euo pipefail

build=${1:?usage: check_rbd_layers.sh BUILD_DIR [-v]}
verbose=${2:-}
objdir=$build/CMakeFiles/cephc_obj.dir/src/rbd

# Layer of each file, bottom (0) to top.  A file may call its own layer
# and the ones below; within a layer the graph must still be acyclic.
declare -A layer=(
	[striper.c]=0 [cls_rbd.c]=0 [image_meta.c]=0 [image_pack.c]=0
	[image_plan.c]=0 [rbd_features.c]=0 [rbd_notify.c]=0
	[image_osd.c]=1
	[image_watch.c]=2 [image_parent.c]=2
	[image_lock.c]=3 [image_exclusive_lock.c]=3 [image_object_map.c]=3
	[image_io.c]=4 [image_extents.c]=4
	[image.c]=5
	[image_create.c]=6 [image_resize.c]=6 [image_snap.c]=6
	[image_trash.c]=6 [image_pool.c]=6 [image_object_map_ops.c]=6
	[image_features.c]=6
	[image_clone.c]=6 [image_flatten.c]=6
	[image_snap_ops.c]=6
)

shopt -s nullglob
objs=("$objdir"/*.c.o)
if [ ${#objs[@]} -eq 0 ]; then
	echo "check_rbd_layers: no objects in $objdir (build first)" >&2
	exit 2
fi

declare -A def
for o in "${objs[@]}"; do
	f=$(basename "$o" .o)
	if [ -z "${layer[$f]+x}" ]; then
		echo "check_rbd_layers: $f has no layer: add it to the table" >&2
		exit 1
	fi
	while read -r sym; do
		def[$sym]=$f
	done < <(nm --defined-only -g "$o" | awk '{print $3}')
done

bad=0
edges=$(mktemp)
trap 'rm -f "$edges"' EXIT
for o in "${objs[@]}"; do
	f=$(basename "$o" .o)
	declare -A to=()
	while read -r sym; do
		t=${def[$sym]:-}
		[ -n "$t" ] && [ "$t" != "$f" ] && to[$t]+=" $sym"
	done < <(nm -u "$o" | awk '{print $2}')
	for t in "${!to[@]}"; do
		echo "$f $t" >>"$edges"
		[ "$verbose" = -v ] && echo "$f -> $t {${to[$t]# }}"
		if [ "${layer[$t]}" -gt "${layer[$f]}" ]; then
			echo "layer breach: $f (L${layer[$f]}) calls $t" \
				"(L${layer[$t]}):${to[$t]}" >&2
			bad=1
		fi
	done
	unset to
done

if ! tsort "$edges" >/dev/null 2>&1; then
	echo "call cycle between rbd files:" >&2
	tsort "$edges" 2>&1 >/dev/null | sed 's/^/  /' >&2
	bad=1
fi
[ $bad -eq 0 ] && echo "rbd layers: $(sort -u "$edges" | wc -l) edges, no breach, no cycle"
exit $bad
