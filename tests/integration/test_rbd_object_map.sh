#!/usr/bin/env bash
# cephc rbd object-map check|rebuild against rbd (librbd 16.2) on images
# librbd made and wrote (rbd create with default features, rbd bench,
# rbd import):
#  - check is clean where rbd's is, and both exit 0;
#  - a stray data object (rados put behind librbd's back) makes both
#    report the same "object map error" lines and set header flags 3;
#  - cephc rebuild clears the flags (key kept, value 0), rbd's check is
#    clean afterwards, and the map is byte for byte the one rbd's own
#    rebuild writes on a twin image;
#  - snapshot maps (IMAGE@SNAP): the same errors as rbd, with fast-diff's
#    EXISTS_CLEAN states, and the snapshot's own flags set.
set -Eeuo pipefail
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND (exit $?)"' ERR
conf=${CEPHC_TEST_CONF:-}
bin=${CEPHC_BIN:?}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
work=$(mktemp -d)
tag=tom$$x$RANDOM
pool=${tag}p
cleanup() {
	ceph osd pool rm "$pool" "$pool" --yes-i-really-really-mean-it >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
pass=0
failn=0
# passes are counted (listed with CEPHC_TEST_VERBOSE=1), so that a failure
# stays in sight in CI's excerpt of the output
ok() { pass=$((pass + 1)); [ -z "${CEPHC_TEST_VERBOSE:-}" ] || echo "ok: $*"; }
bad() { failn=$((failn + 1)); echo "FAIL: $*"; }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

ceph osd pool create "$pool" 8 >/dev/null 2>&1
rbd pool init "$pool" >/dev/null 2>&1 || true

id_of() { rbd info "$pool/$1" | awk '/^\tid:/ {print $2}'; }
# header flags of HEAD as a number ("" when the key is absent)
head_flags() {
	rados -p "$pool" getomapval "rbd_header.$(id_of "$1")" flags "$work/f" >/dev/null 2>&1 || { echo ""; return; }
	od -An -tu8 "$work/f" | tr -d ' '
}
info_flags() { rbd info "$pool/$1" | sed -n 's/^\tflags: *//p'; }
# the "object map error" lines a check printed (tool: cephc or rbd)
errors_of() {
	local tool=$1 spec=$2 rc=0
	if [ "$tool" = cephc ]; then
		"$bin" rbd object-map check --no-progress "$pool/$spec" 2>"$work/err" >/dev/null || rc=$?
	else
		rbd object-map check --no-progress "$pool/$spec" 2>"$work/err" >/dev/null || rc=$?
	fi
	echo "exit $rc"
	grep -o 'object map error: .*' "$work/err" | sed 's/rbd_data\.[0-9a-f]*\./rbd_data.ID./' | sort || true
}
put_stray() { rados -p "$pool" put "rbd_data.$(id_of "$1").$(printf %016x "$2")" /etc/hostname; }

# --- 1. clean images: bench-written and imported ---------------------------
for img in a b; do
	rbd create --size 64M "$pool/$img"
	rbd bench --io-type write --io-size 4M --io-total 8M --io-pattern seq "$pool/$img" >/dev/null
done
head -c 3M /dev/urandom >"$work/data"
truncate -s 20M "$work/data"
head -c 1M /dev/urandom >>"$work/data"
rbd import --no-progress "$work/data" "$pool/imp" >/dev/null 2>&1
for img in a imp; do
	c=$(errors_of cephc "$img")
	r=$(errors_of rbd "$img")
	check "check $img: clean, exit 0, as rbd" '[ "$c" = "exit 0" ] && [ "$c" = "$r" ]'
	check "check $img: no flags set" '[ -z "$(info_flags "$img")" ]'
done

# --- 2. a stray object: both report it, flags 3 ----------------------------
put_stray a 9
put_stray b 9
c=$(errors_of cephc a)
r=$(errors_of rbd b)
check "stray: cephc reports what rbd reports" '[ "$c" = "$r" ]'
check "stray: the error names object 9 as 0 -> 1" \
	'grep -q "rbd_data.ID.0000000000000009 marked as 0, but should be 1" <<<"$c"'
check "stray: cephc set flags 3 (rbd: $(head_flags b))" '[ "$(head_flags a)" = 3 ] && [ "$(head_flags b)" = 3 ]'
check "stray: rbd info shows the map invalid" \
	'[ "$(info_flags a)" = "object map invalid, fast diff invalid" ]'
r=$(errors_of rbd a)
check "stray: rbd's check of cephc's image agrees" '[ "$c" = "$r" ]'

# --- 3. rebuild ---------------------------------------------------------------
rc=0
"$bin" rbd object-map rebuild --no-progress "$pool/a" || rc=$?
check "rebuild: exit 0" '[ $rc = 0 ]'
check "rebuild: flags key kept, value 0" '[ "$(head_flags a)" = 0 ]'
r=$(errors_of rbd a)
check "rebuild: rbd's check is clean" '[ "$r" = "exit 0" ]'
rbd object-map rebuild --no-progress "$pool/b" >/dev/null 2>&1
rados -p "$pool" get "rbd_object_map.$(id_of a)" "$work/map.a"
rados -p "$pool" get "rbd_object_map.$(id_of b)" "$work/map.b"
check "rebuild: map bytes equal rbd's rebuild of the twin" 'cmp -s "$work/map.a" "$work/map.b"'
check "rebuild: map is 38 bytes with objects 0, 1, 9 set" \
	'[ "$(od -An -tx1 -j18 -N4 "$work/map.a" | tr -d " ")" = "50001000" ]'
c=$(errors_of cephc a)
check "rebuild: cephc's own check is clean" '[ "$c" = "exit 0" ]'

# --- 4. snapshots: EXISTS_CLEAN and snapshot maps ----------------------------
for img in s t; do
	rbd create --size 64M "$pool/$img"
	rbd bench --io-type write --io-size 4M --io-total 8M "$pool/$img" >/dev/null
	rbd snap create "$pool/$img@s1" >/dev/null 2>&1
	rbd bench --io-type write --io-size 4M --io-total 4M "$pool/$img" >/dev/null
	rbd snap create "$pool/$img@s2" >/dev/null 2>&1
done
for spec in s s@s1 s@s2; do
	c=$(errors_of cephc "$spec")
	r=$(errors_of rbd "$spec")
	check "snapshots: check $spec clean, as rbd" '[ "$c" = "exit 0" ] && [ "$c" = "$r" ]'
done
put_stray s 5
put_stray t 5
for spec in @s2 ""; do
	c=$(errors_of cephc "s$spec")
	r=$(errors_of rbd "t$spec")
	check "snapshots: stray, check s$spec reports what rbd does" '[ "$c" = "$r" ]'
	check "snapshots: s$spec wants EXISTS_CLEAN (3) for the stray" \
		'grep -q "0000000000000005 marked as 0, but should be 3" <<<"$c"'
done
check "snapshots: s@s2 flagged invalid, as t@s2" \
	'[ "$(rbd info "$pool/s@s2" | sed -n "s/^\tflags: *//p")" = "$(rbd info "$pool/t@s2" | sed -n "s/^\tflags: *//p")" ]'
"$bin" rbd object-map rebuild --no-progress "$pool/s"
rbd object-map rebuild --no-progress "$pool/t" >/dev/null 2>&1
rados -p "$pool" get "rbd_object_map.$(id_of s)" "$work/map.s"
rados -p "$pool" get "rbd_object_map.$(id_of t)" "$work/map.t"
check "snapshots: rebuilt HEAD map equals rbd's" 'cmp -s "$work/map.s" "$work/map.t"'
r=$(errors_of rbd s)
check "snapshots: rbd's check of the rebuilt HEAD is clean" '[ "$r" = "exit 0" ]'
# a snapshot's map: cephc rebuilds s@s2 as rbd rebuilds t@s2
"$bin" rbd object-map rebuild --no-progress "$pool/s@s2"
rbd object-map rebuild --no-progress "$pool/t@s2" >/dev/null 2>&1
sid=$(rbd snap ls --format json "$pool/s" | /usr/bin/python3 -c \
	'import json,sys; print([s["id"] for s in json.load(sys.stdin) if s["name"]=="s2"][0])')
tid=$(rbd snap ls --format json "$pool/t" | /usr/bin/python3 -c \
	'import json,sys; print([s["id"] for s in json.load(sys.stdin) if s["name"]=="s2"][0])')
rados -p "$pool" get "rbd_object_map.$(id_of s).$(printf %016x "$sid")" "$work/smap.s"
rados -p "$pool" get "rbd_object_map.$(id_of t).$(printf %016x "$tid")" "$work/smap.t"
check "snapshots: rebuilt s@s2 map equals rbd's t@s2" 'cmp -s "$work/smap.s" "$work/smap.t"'
check "snapshots: s@s2 flags cleared by the rebuild" \
	'[ -z "$(rbd info "$pool/s@s2" | sed -n "s/^\tflags: *//p")" ]'
r=$(errors_of rbd s@s2)
check "snapshots: rbd's check of the rebuilt s@s2 is clean" '[ "$r" = "exit 0" ]'

# --- 5. errors ---------------------------------------------------------------
rbd create --size 8M --image-feature layering "$pool/plain"
rc=0
"$bin" rbd object-map check "$pool/plain" 2>/dev/null || rc=$?
check "no object-map feature: check fails (exit $rc)" '[ $rc != 0 ]'
rc=0
"$bin" rbd object-map rebuild "$pool/plain" 2>/dev/null || rc=$?
check "no object-map feature: rebuild fails (exit $rc)" '[ $rc != 0 ]'

echo "$pass passed, $failn failed"
[ "$failn" = 0 ]
