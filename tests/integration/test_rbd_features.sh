#!/usr/bin/env bash
# Image features between cephc and the real rbd tool (librbd 16.2.15):
#  - `cephc rbd create` with the default features gives the same `rbd info`
#    as `rbd create` (ids and timestamps aside), a clean object map, and
#    an image both tools then write;
#  - explicit --image-feature lists and --image-shared give what rbd
#    gives; the dependency errors exit as rbd does and name the rule;
#    journaling is refused with its name;
#  - `cephc rbd import` with default features: rbd export equal, object
#    map check clean;
#  - `cephc rbd feature enable|disable` on a twin of an image rbd changes
#    the same way: exit code, features, flags, object-map objects (HEAD
#    and snapshots) present or absent.
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
bin=${CEPHC_BIN:?}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
work=$(mktemp -d)
tag=feat$$x$RANDOM
pool=rbd
images=()
cleanup() {
	for i in "${images[@]}"; do
		rbd snap purge --no-progress "$i" >/dev/null 2>&1 || true
		rbd rm --no-progress "$i" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
sum() { sha256sum | cut -d' ' -f1; }
n=0

# rbd info without what differs between any two images
info() {
	rbd info "$1" | grep -vE "rbd image|id:|block_name_prefix|_timestamp"
}
image_id() { rbd info "$1" | awk '/^\tid:/{print $2}'; }
# object-map objects of an image, as suffixes ("" = HEAD, ".<snap>")
maps() {
	local id
	id=$(image_id "$1")
	rados -p "$pool" ls | grep "^rbd_object_map\.$id" |
		sed "s/^rbd_object_map\.$id//" | sort | tr '\n' ,
}
# state an rbd feature change leaves: features, flags, which maps exist
# (snapshot ids differ between twins: count them instead)
state() {
	local m
	m=$(maps "$1")
	echo "$(rbd info "$1" | grep -E 'features:|flags:' | tr -d '\t' |
		tr '\n' ' ') head_map=$(case ",$m" in *,,*) echo 1 ;; *) echo 0 ;; esac) snap_maps=$(echo "$m" | tr , '\n' | grep -c '^\.' || true)"
}
om_clean() { # object-map check finds nothing and leaves no flag
	rbd object-map check --no-progress "$1" >/dev/null 2>&1 ||
		fail "$1: rbd object-map check failed"
	rbd info "$1" | grep -q "flags: $" ||
		fail "$1: flags after check: $(rbd info "$1" | grep flags)"
}

# --- 1. create with the default features --------------------------------
c=$pool/${tag}c r=$pool/${tag}r
images+=("$c" "$r")
"$bin" rbd create --size 64M "$c"
rbd create --size 64M "$r"
diff <(info "$c") <(info "$r") >"$work/d" ||
	fail "rbd info of cephc/rbd default images differs: $(cat "$work/d")"
[ "$(maps "$c")" = "," ] || fail "no HEAD object map: $(maps "$c")"
om_clean "$c"
# writes through cephc, then librbd, then cephc again
head -c $((6 << 20)) /dev/urandom >"$work/a"
"$bin" rbd import --no-progress "$work/a" "$pool/${tag}tmp"
images+=("$pool/${tag}tmp")
rbd bench --io-type write --io-size 64K --io-total 8M --io-pattern rand \
	"$c" >/dev/null 2>&1 || fail "rbd bench on a cephc-made image"
"$bin" rbd bench --io-type write --io-size 64K --io-total 8M \
	--io-pattern rand "$c" >/dev/null || fail "cephc bench after librbd"
om_clean "$c"
[ "$("$bin" rbd export --no-progress "$c" - | sum)" = \
	"$(rbd export --no-progress "$c" - | sum)" ] || fail "exports differ"
n=$((n + 1))
echo "ok: default create equals rbd create, written by both, map clean"

# --- 2. explicit features, --image-shared, dependency errors ------------
# each: the --image-feature value (or "shared"); both tools must agree on
# the exit code and, on success, on rbd info
for f in layering exclusive-lock layering,exclusive-lock,object-map \
	layering,exclusive-lock,object-map,fast-diff,deep-flatten \
	fast-diff exclusive-lock,fast-diff deep-flatten layering,striping \
	operations object-map object-map,fast-diff journaling dirty-cache \
	shared; do
	c=$pool/${tag}e$n r=$pool/${tag}f$n
	images+=("$c" "$r")
	if [ "$f" = shared ]; then args=(--image-shared); else
		args=(--image-feature "$f"); fi
	set +e
	rbd create --size 16M "${args[@]}" "$r" >/dev/null 2>"$work/rerr"
	rr=$?
	"$bin" rbd create --size 16M "${args[@]}" "$c" 2>"$work/cerr"
	cr=$?
	set -e
	[ $rr = $cr ] || fail "create $f: rbd exit $rr, cephc exit $cr: $(cat "$work/cerr")"
	if [ $rr = 0 ]; then
		diff <(info "$c") <(info "$r") >"$work/d" ||
			fail "create $f: info differs: $(cat "$work/d")"
		case $f in *object-map*) om_clean "$c" ;; esac
	fi
	# librbd logs the rule; cephc puts it in its error line
	if grep -q "cannot use" "$work/rerr"; then
		rule=$(grep -o "cannot use [a-z ]*" "$work/rerr")
		grep -q "$rule" "$work/cerr" || fail "create $f: '$rule' not in: $(cat "$work/cerr")"
	fi
	n=$((n + 1))
done
# journaling with its dependency: rbd makes it, cephc refuses by name
c=$pool/${tag}j
images+=("$c")
if "$bin" rbd create --size 16M --image-feature exclusive-lock,journaling \
	"$c" 2>"$work/cerr"; then
	fail "cephc created a journaling image"
fi
grep -q journaling "$work/cerr" || fail "refusal does not name journaling"
n=$((n + 1))
echo "ok: explicit features, --image-shared and dependency errors as rbd"

# --- 3. import with the default features ---------------------------------
head -c $((5 << 20)) /dev/urandom >"$work/src"
head -c $((3 << 20)) /dev/zero >>"$work/src"
head -c 12345 /dev/urandom >>"$work/src"
c=$pool/${tag}imp
images+=("$c")
"$bin" rbd import --no-progress "$work/src" "$c"
rbd info "$c" | grep -q "features: layering, exclusive-lock, object-map, fast-diff, deep-flatten" ||
	fail "import features: $(rbd info "$c" | grep features)"
[ "$(rbd export --no-progress "$c" - | sum)" = "$(sum <"$work/src")" ] ||
	fail "rbd export of a cephc import differs from the file"
om_clean "$c"
n=$((n + 1))
echo "ok: import with default features, rbd export equal, map clean"

# --- 4. feature enable/disable against rbd on twin images ----------------
c=$pool/${tag}tc r=$pool/${tag}tr
images+=("$c" "$r")
rbd create --size 32M --image-feature layering "$r"
"$bin" rbd create --size 32M --image-feature layering "$c"
rbd snap create "$r@s1" >/dev/null 2>&1
rbd snap create "$c@s1" >/dev/null 2>&1
while read -r op feats; do
	[ -n "$op" ] || continue
	set +e
	# shellcheck disable=SC2086
	rbd feature "$op" "$r" $feats >/dev/null 2>"$work/rerr"
	rr=$?
	# shellcheck disable=SC2086
	"$bin" rbd feature "$op" "$c" $feats 2>"$work/cerr"
	cr=$?
	set -e
	[ $rr = $cr ] || fail "feature $op $feats: rbd exit $rr, cephc $cr: $(cat "$work/cerr")"
	a=$(state "$r") b=$(state "$c")
	[ "$a" = "$b" ] || fail "feature $op $feats: rbd [$a] cephc [$b]"
	n=$((n + 1))
done <<'EOF'
enable object-map
enable exclusive-lock
enable object-map
enable fast-diff
disable exclusive-lock
disable fast-diff
enable exclusive-lock
enable fast-diff
disable object-map
disable deep-flatten
enable deep-flatten
disable layering
enable striping
disable exclusive-lock
enable exclusive-lock,object-map
disable object-map exclusive-lock
enable exclusive-lock object-map
EOF
# the enabled map is invalid until a rebuild; then both tools write
rbd info "$c" | grep -q "flags: object map invalid, fast diff invalid" ||
	fail "enabled map not flagged invalid"
"$bin" rbd object-map rebuild --no-progress "$c"
om_clean "$c"
"$bin" rbd bench --io-type write --io-size 64K --io-total 4M "$c" >/dev/null
rbd bench --io-type write --io-size 64K --io-total 4M "$c" >/dev/null 2>&1
om_clean "$c"
# unknown names exit 1, as rbd
set +e
"$bin" rbd feature enable "$c" foo 2>/dev/null
cr=$?
rbd feature enable "$r" foo 2>/dev/null
rr=$?
set -e
[ $rr = $cr ] || fail "unknown feature: rbd $rr cephc $cr"
# journaling: rbd may, cephc refuses by name
"$bin" rbd feature enable "$c" journaling 2>"$work/cerr" &&
	fail "cephc enabled journaling"
grep -q journaling "$work/cerr" || fail "journaling refusal unnamed"
n=$((n + 2))
echo "ok: feature enable/disable matches rbd on twins"
echo "features: $n checks passed"
