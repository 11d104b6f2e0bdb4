#!/usr/bin/env bash
# Clones made and flattened by cephc, checked against rbd (librbd 16.2):
#  1. cephc clone v1 and v2 of a default-feature and a layering-only
#     parent: rbd info (features, op_features, parent, overlap) as rbd's
#     own clones, rbd children / cephc rbd children (plain, json, -a);
#     error cases (v1 of an unprotected snapshot, v1 across namespaces,
#     no snapshot, existing name) as rbd;
#  2. the clones written by librbd and by cephc, read by both;
#     object-map check clean;
#  3. cephc flatten with and without deep-flatten, with a child
#     snapshot: rbd info shows no parent (the snapshot keeps it without
#     deep-flatten), exports equal the data before the flatten,
#     object-map check clean for HEAD and the snapshot;
#  4. rbd flatten of a cephc clone;
#  5. flatten while a python3-rbd client owns the lock (asked, hands over);
#  6. a v2 clone whose parent snapshot `rbd snap rm` moved to the trash,
#     flattened by cephc: the trashed snapshot is gone (needs
#     rbd_snap_trash_gc from the snap branch: marked SNAP-TRASH-GC);
#  7. a clone flattened without deep-flatten: removing its last snapshot
#     (cephc, and rbd on a twin) detaches it from the parent snapshot.
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
bin=${CEPHC_BIN:?}
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/integration/lib.sh
. "$here/lib.sh"
require_cluster "$conf"
work=$(mktemp -d)
tag=clo$$x$RANDOM
pool=${tag}p
pool2=${tag}q
holder=
cleanup() {
	[ -n "$holder" ] && kill "$holder" 2>/dev/null
	wait 2>/dev/null || true
	for p in "$pool" "$pool2"; do
		ceph osd pool rm "$p" "$p" --yes-i-really-really-mean-it >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok: $*"; }
bad() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { # description command...
	local d=$1
	shift
	if "$@"; then ok "$d"; else bad "$d"; fi
}
sum() { sha256sum | cut -d' ' -f1; }
rsum() { rbd export --no-progress "$1" - 2>/dev/null | sum; }
csum() { "$bin" rbd export --no-progress "$1" - 2>/dev/null | sum; }
jfield() { # spec field: rbd info --format json's field (lists joined)
	rbd info --format json "$1" | /usr/bin/python3 -c '
import json, sys
v = json.load(sys.stdin).get(sys.argv[1])
print(",".join(v) if isinstance(v, list) else ("" if v is None else v))' "$2"
}
om_clean() { # spec: rbd object-map check reports nothing, flags stay empty
	local out
	out=$(rbd object-map check --no-progress "$1" 2>&1) || return 1
	! grep -q "object map error" <<<"$out" && [ -z "$(jfield "$1" flags)" ]
}
no_parent() { ! rbd info "$1" | grep -q "parent:"; }
not() { ! "$@"; }
has_parent() { rbd info "$1" | grep -q "parent: $2"; }

ceph osd pool create "$pool" 8 >/dev/null 2>&1
ceph osd pool create "$pool2" 8 >/dev/null 2>&1
rbd pool init "$pool" >/dev/null 2>&1 || true
rbd pool init "$pool2" >/dev/null 2>&1 || true
rbd namespace create "$pool/nsa"
head -c $((14 << 20)) /dev/urandom >"$work/src"
# a hole in the parent: object 2 (8..12 MiB) all zeros
dd if=/dev/zero of="$work/src" bs=1M seek=8 count=4 conv=notrunc 2>/dev/null
rbd import --no-progress "$work/src" "$pool/pd" 2>/dev/null
rbd import --no-progress --image-feature layering "$work/src" "$pool/pl" 2>/dev/null
for p in pd pl; do
	rbd snap create "$pool/$p@s" >/dev/null 2>&1
	rbd snap protect "$pool/$p@s"
	rbd snap create "$pool/$p@u" >/dev/null 2>&1 # unprotected
done
psum=$(sha256sum <"$work/src" | cut -d' ' -f1)
rbd image-meta set "$pool/pd" conf_rbd_cache false
rbd image-meta set "$pool/pd" note "a parent key"

# --- 1. clone create, info, children -------------------------------------
for p in pd pl; do
	for f in 1 2; do
		"$bin" rbd clone --rbd-default-clone-format $f "$pool/$p@s" "$pool/c$f$p"
		rbd clone --rbd-default-clone-format $f "$pool/$p@s" "$pool/r$f$p"
		for k in features op_features size order object_size; do
			check "clone v$f of $p: $k as rbd's clone" \
				[ "$(jfield "$pool/c$f$p" $k)" = "$(jfield "$pool/r$f$p" $k)" ]
		done
		check "clone v$f of $p: parent and overlap" \
			has_parent "$pool/c$f$p" "$pool/$p@s"
		check "clone v$f of $p: rbd info of cephc and rbd agree" \
			diff <(rbd info "$pool/c$f$p") <("$bin" rbd info "$pool/c$f$p")
		check "clone v$f of $p: image-meta copied as rbd copies it" \
			diff <(rbd image-meta list "$pool/c$f$p") \
			<(rbd image-meta list "$pool/r$f$p")
		check "clone v$f of $p reads the parent snapshot" \
			[ "$(rsum "$pool/c$f$p")" = "$psum" ]
	done
done
# default format: auto = v1 on a luminous-compat cluster, as rbd
"$bin" rbd clone "$pool/pd@s" "$pool/cauto"
rbd clone "$pool/pd@s" "$pool/rauto"
check "auto clone format as rbd's" \
	[ "$(jfield "$pool/cauto" op_features)" = "$(jfield "$pool/rauto" op_features)" ]
# v2 into another pool and a namespace; features asked for
"$bin" rbd clone --rbd-default-clone-format 2 --image-feature layering,exclusive-lock \
	"$pool/pd@s" "$pool2/x2"
rbd clone --rbd-default-clone-format 2 --image-feature layering,exclusive-lock \
	"$pool/pd@s" "$pool2/y2"
check "v2 clone into another pool, --image-feature: features as rbd's" \
	[ "$(jfield "$pool2/x2" features)" = "$(jfield "$pool2/y2" features)" ]
check "v2 clone into another pool: parent" has_parent "$pool2/x2" "$pool/pd@s"
"$bin" rbd clone --rbd-default-clone-format 2 "$pool/pd@s" "$pool/nsa/n2"
check "v2 clone into a namespace" has_parent "$pool/nsa/n2" "$pool/pd@s"
for fmt in "" "--format json" "-a --format json" "-a" \
	"-a --format json --pretty-format" "--format xml" "-a --format xml --pretty-format"; do
	# shellcheck disable=SC2086
	check "children $fmt as rbd" diff <(rbd children $fmt "$pool/pd@s") \
		<("$bin" rbd children $fmt "$pool/pd@s")
done
rbd trash mv "$pool/r2pd"
check "children -a with a trashed child as rbd" \
	diff <(rbd children -a "$pool/pd@s") <("$bin" rbd children -a "$pool/pd@s")
check "children --descendants as rbd" \
	diff <(rbd children --descendants "$pool/pd@s") \
	<("$bin" rbd children --descendants "$pool/pd@s")
rc=0
"$bin" rbd clone --rbd-default-clone-format 1 "$pool/pd@u" "$pool/e1" 2>/dev/null || rc=$?
check "v1 clone of an unprotected snapshot: exit 22" [ $rc = 22 ]
check "  and no half-made child left" not rbd info "$pool/e1" 2>/dev/null
rc=0
"$bin" rbd clone --rbd-default-clone-format 1 "$pool/pd@s" "$pool/nsa/e2" 2>/dev/null || rc=$?
check "v1 clone across namespaces: exit 18" [ $rc = 18 ]
rc=0
"$bin" rbd clone "$pool/pd@nosuch" "$pool/e3" 2>/dev/null || rc=$?
check "clone of a missing snapshot: exit 2" [ $rc = 2 ]
rc=0
"$bin" rbd clone "$pool/pd@s" "$pool/c1pd" 2>/dev/null || rc=$?
check "clone onto an existing name: exit 17" [ $rc = 17 ]
rc=0
"$bin" rbd flatten "$pool/pd" 2>/dev/null || rc=$?
check "flatten of an image without parent: exit 22" [ $rc = 22 ]

# --- 2. writes by librbd and by cephc --------------------------------------
wr_rbd() { rbd bench --io-type write --io-pattern rand --io-size "$2" --io-total "$3" "$1" >/dev/null 2>&1; }
wr_cephc() { "$bin" rbd bench --io-type write --io-pattern rand --io-size "$2" --io-total "$3" "$1" >/dev/null 2>&1; }
for c in c1pd c2pd c1pl c2pl; do
	wr_rbd "$pool/$c" 4096 256K
	wr_cephc "$pool/$c" 16384 512K
	check "$c written by both: cephc and rbd read the same" \
		[ "$(rsum "$pool/$c")" = "$(csum "$pool/$c")" ]
done
for c in c1pd c2pd; do check "$c: object map clean" om_clean "$pool/$c"; done

# --- 3. cephc flatten -----------------------------------------------------
# a child snapshot, then more writes, then flatten
rbd feature disable "$pool/r1pd" deep-flatten # a clone without deep-flatten
for c in c2pd c1pl r1pd; do
	rbd snap create "$pool/$c@cs" >/dev/null 2>&1
	wr_cephc "$pool/$c" 4096 128K
done
for c in c1pd c2pd c1pl c2pl r1pd cauto; do
	before=$(rsum "$pool/$c")
	snapbefore=
	rbd info "$pool/$c@cs" >/dev/null 2>&1 && snapbefore=$(rsum "$pool/$c@cs")
	"$bin" rbd flatten --no-progress "$pool/$c" ||
		bad "cephc flatten $c failed"
	check "cephc flatten $c: no parent" no_parent "$pool/$c"
	check "cephc flatten $c: data unchanged" [ "$(rsum "$pool/$c")" = "$before" ]
	check "cephc flatten $c: cephc reads the same" \
		[ "$(csum "$pool/$c")" = "$before" ]
	if [ -n "$snapbefore" ]; then
		check "cephc flatten $c: snapshot data unchanged" \
			[ "$(rsum "$pool/$c@cs")" = "$snapbefore" ]
	fi
	if [ "$(jfield "$pool/$c" features)" != layering ]; then
		check "cephc flatten $c: object map clean" om_clean "$pool/$c"
		[ -n "$snapbefore" ] &&
			check "cephc flatten $c: snapshot object map clean" om_clean "$pool/$c@cs"
	fi
done
check "deep-flatten: the child snapshot has no parent" no_parent "$pool/c2pd@cs"
check "deep-flatten: op_features empty" [ -z "$(jfield "$pool/c2pd" op_features)" ]
check "no deep-flatten: the child snapshot keeps its parent" \
	has_parent "$pool/r1pd@cs" "$pool/pd@s"
check "no deep-flatten: still a child of the parent snapshot" \
	grep -qx "$pool/r1pd" <(rbd children "$pool/pd@s")
check "flattened clones are no children any more" \
	[ -z "$(rbd children "$pool/pd@s" | grep -E "/(c1pd|c2pd|cauto)$" || true)" ]
check "children after flatten as rbd" \
	diff <(rbd children -a "$pool/pd@s") <("$bin" rbd children -a "$pool/pd@s")

# a striped parent, the clone shrunk below the overlap and grown again
head -c $((3 << 20)) /dev/urandom >"$work/st"
rbd import --no-progress --order 16 --stripe-unit 8K --stripe-count 3 \
	"$work/st" "$pool/st" 2>/dev/null
rbd snap create "$pool/st@s" >/dev/null 2>&1
"$bin" rbd clone --rbd-default-clone-format 2 "$pool/st@s" "$pool/stc"
rbd resize --no-progress --allow-shrink --size 1M "$pool/stc"
rbd resize --no-progress --size 4M "$pool/stc"
before=$(rsum "$pool/stc")
"$bin" rbd flatten --no-progress "$pool/stc" || bad "flatten of a striped clone failed"
check "cephc flatten of a striped, shrunk clone: no parent, data unchanged" \
	eval 'no_parent "$pool/stc" && [ "$(rsum "$pool/stc")" = "$before" ]'
check "cephc flatten of a striped clone: object map clean" om_clean "$pool/stc"

# --- 4. rbd flatten of cephc clones ----------------------------------------
"$bin" rbd clone --rbd-default-clone-format 2 "$pool/pd@s" "$pool/lf2"
"$bin" rbd clone --rbd-default-clone-format 1 "$pool/pd@s" "$pool/lf1"
for c in lf1 lf2; do
	wr_cephc "$pool/$c" 4096 128K
	before=$(rsum "$pool/$c")
	rbd flatten --no-progress "$pool/$c" 2>/dev/null || bad "rbd flatten $c failed"
	check "rbd flatten of cephc clone $c: no parent, data unchanged" \
		eval 'no_parent "$pool/$c" && [ "$(rsum "$pool/$c")" = "$before" ]'
	check "rbd flatten of cephc clone $c: object map clean" om_clean "$pool/$c"
done

# --- 5. flatten while librbd owns the lock ---------------------------------
"$bin" rbd clone --rbd-default-clone-format 2 "$pool/pd@s" "$pool/hl"
/usr/bin/python3 "$here/rbd_lock_holder.py" "$conf" "$pool" hl auto 120 \
	>"$work/hl.out" 2>&1 &
holder=$!
for _ in $(seq 1 100); do
	grep -q "owner=True" "$work/hl.out" 2>/dev/null && break
	sleep 0.2
done
check "python3-rbd holder owns the lock" grep -q "owner=True" "$work/hl.out"
t0=$EPOCHREALTIME
"$bin" rbd flatten --no-progress "$pool/hl" || bad "flatten under a librbd owner failed"
took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
echo "flatten with a librbd owner took $took s"
check "flatten under a librbd owner: no parent" no_parent "$pool/hl"
check "the librbd owner was asked and handed the lock over" grep -q "owner=False" "$work/hl.out"
kill "$holder" 2>/dev/null || true
wait "$holder" 2>/dev/null || true
holder=
check "flatten under a librbd owner: cephc and rbd read the same" \
	[ "$(rsum "$pool/hl")" = "$(csum "$pool/hl")" ]
# the holder wrote 4 KiB of zeros... compare everything but object 0
check "flatten under a librbd owner: parent data past the holder's write" \
	[ "$(rbd export --no-progress "$pool/hl" - 2>/dev/null | tail -c +$((4 << 20 + 1)) | sum)" = \
	  "$(tail -c +$((4 << 20 + 1)) "$work/src" | sum)" ]
check "flatten under a librbd owner: object map clean" om_clean "$pool/hl"

# --- 6. the parent's trashed snapshot goes with the last child ---------------
"$bin" rbd clone --rbd-default-clone-format 2 "$pool/pd@u" "$pool/tc"
rbd snap rm "$pool/pd@u" >/dev/null 2>&1
check "rbd snap rm with a v2 child moves it to the trash" \
	grep -q trash <(rbd snap ls --all "$pool/pd")
"$bin" rbd flatten --no-progress "$pool/tc" || bad "flatten tc failed"
check "flatten tc: no parent" no_parent "$pool/tc"
check "SNAP-TRASH-GC: the parent's trashed snapshot is gone after flatten" \
	eval '! grep -q trash <(rbd snap ls --all "$pool/pd")'

# --- 7. the last snapshot of a clone flattened without deep-flatten --------
# HEAD lets the parent go at the flatten, the snapshot keeps it; removing
# that snapshot detaches the clone from the parent snapshot (librbd's
# DetachChildRequest), by cephc as by rbd on a twin.
for who in cephc rbd; do
	rbd create --size 8M --image-feature layering,exclusive-lock,object-map,fast-diff \
		"$pool/nd$who" >/dev/null
	rbd bench --io-type write --io-size 4M --io-total 8M "$pool/nd$who" >/dev/null
	rbd snap create "$pool/nd$who@s" >/dev/null 2>&1
	rbd clone --rbd-default-clone-format 2 "$pool/nd$who@s" "$pool/ndc$who"
	rbd snap create "$pool/ndc$who@c1" >/dev/null 2>&1
	"$bin" rbd flatten --no-progress "$pool/ndc$who" || bad "flatten ndc$who failed"
	check "$who: the flattened clone's snapshot keeps the parent" \
		grep -q "ndc$who" <(rbd children "$pool/nd$who@s")
	if [ "$who" = cephc ]; then
		"$bin" rbd snap rm --no-progress "$pool/ndc$who@c1" || bad "cephc snap rm failed"
	else
		rbd snap rm --no-progress "$pool/ndc$who@c1" >/dev/null 2>&1
	fi
	check "$who snap rm of the last user: the parent snapshot has no child" \
		eval '[ -z "$(rbd children "$pool/nd$who@s")" ]'
	check "$who snap rm of the last user: op features as rbd leaves them" \
		[ "$(jfield "$pool/nd$who" op_features)" = "" ]
	rbd snap rm "$pool/nd$who@s" >/dev/null 2>&1
	check "$who: the parent snapshot is then removed, not trashed" \
		eval '[ -z "$(rbd snap ls --all "$pool/nd$who")" ]'
done
check "snap rm detach: the clone's info as rbd's twin" \
	[ "$(rbd info --format json "$pool/ndccephc" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("parent"), d.get("op_features"))')" = \
	  "$(rbd info --format json "$pool/ndcrbd" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); print(d.get("parent"), d.get("op_features"))')" ]

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
