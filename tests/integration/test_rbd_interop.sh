#!/usr/bin/env bash
# RBD images both ways between cephc and the real rbd tool (librbd 16.2):
#  - images made by `rbd create`/`rbd import` (orders 12..25, stripe v2,
#    a separate data pool) filled by rbd import / rbd bench, read by
#    `cephc rbd export` byte-identical to `rbd export`;
#  - images made and written by cephc checked with rbd info/export/snap ls
#    and removed by rbd rm and by cephc rbd rm;
#  - snapshot reads, resize, writes to default-feature images (the object
#    map stays right), and the refusal to write journaling
#    images while reading them works.
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
bin=${CEPHC_BIN:?}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
work=$(mktemp -d)
tag=itest$$x$RANDOM
images=()
cleanup() {
	for i in "${images[@]}"; do
		for s in $(rbd snap ls "$i" --format json 2>/dev/null |
			/usr/bin/python3 -c 'import json,sys; print(" ".join(s["name"] for s in json.load(sys.stdin)))' 2>/dev/null); do
			rbd snap rm "$i@$s" >/dev/null 2>&1 || true
		done
		rbd rm --no-progress "$i" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
sum() { sha256sum | cut -d' ' -f1; }

# A source file: random data, a zero hole, an unaligned tail.
head -c $((3 << 20)) /dev/urandom > "$work/src"
head -c $((1 << 20)) /dev/zero >> "$work/src"
head -c 777777 /dev/urandom >> "$work/src"

check_same() { # image: cephc export == rbd export
	local a b
	a=$("$bin" rbd export --no-progress "$1" - | sum)
	b=$(rbd export --no-progress "$1" - | sum)
	[ "$a" = "$b" ] || fail "$1: cephc export differs from rbd export"
}

n=0
# --- 1. rbd-made images read by cephc ------------------------------------
for order in 12 14 16 19 22 25; do
	img=rbd/${tag}o$order; images+=("$img")
	rbd import --no-progress --order $order --image-feature layering \
		"$work/src" "$img"
	check_same "$img"
	[ "$("$bin" rbd export --no-progress "$img" - | sum)" = \
	  "$(sum < "$work/src")" ] || fail "$img: bytes differ from the source"
	n=$((n + 1))
done
for su_sc in 4K:8:16 64K:3:22 16K:4:20 1M:2:23; do
	IFS=: read -r su sc order <<< "$su_sc"
	img=rbd/${tag}s$order; images+=("$img")
	rbd import --no-progress --order $order --stripe-unit $su \
		--stripe-count $sc --image-feature layering,striping \
		"$work/src" "$img"
	check_same "$img"
	img2=rbd/${tag}b$order; images+=("$img2")
	rbd create --size 24M --order $order --stripe-unit $su \
		--stripe-count $sc --image-feature layering,striping "$img2"
	rbd bench --io-type write --io-pattern rand --io-size 5000 \
		--io-total 2M --io-threads 4 "$img2" >/dev/null
	check_same "$img2"
	n=$((n + 2))
done
img=rbd/${tag}dp; images+=("$img")
rbd create --size 16M --data-pool test --image-feature layering "$img"
rbd bench --io-type write --io-pattern rand --io-size 4096 --io-total 1M \
	"$img" >/dev/null
check_same "$img"
n=$((n + 1))
echo "ok: $n rbd-made images read identically by cephc"

# --- 2. cephc-made images checked with rbd --------------------------------
for spec in "--order 22" "--order 12" "--object-size 1M --stripe-unit 64K --stripe-count 4" \
	"--order 20 --data-pool test" "--order 16 --stripe-unit 4K --stripe-count 5 --data-pool test"; do
	img=rbd/${tag}c$n; images+=("$img"); n=$((n + 1))
	# shellcheck disable=SC2086
	"$bin" rbd import --no-progress $spec "$work/src" "$img"
	[ "$(rbd export --no-progress "$img" - | sum)" = "$(sum < "$work/src")" ] ||
		fail "$img ($spec): rbd export differs from the source"
	/usr/bin/python3 - "$img" "$bin" <<'PY' || fail "$img: info differs"
import json, subprocess, sys
img, b = sys.argv[1:3]
theirs = json.loads(subprocess.check_output(["rbd", "info", "--format", "json", img]))
ours = json.loads(subprocess.check_output([b, "rbd", "info", "--format", "json", img]))
for k in ("name", "id", "size", "objects", "order", "object_size", "block_name_prefix",
          "format", "features", "snapshot_count", "stripe_unit", "stripe_count", "data_pool"):
    if theirs.get(k) != ours.get(k):
        sys.exit("%s: %s: rbd %r cephc %r" % (img, k, theirs.get(k), ours.get(k)))
PY
	[ "$(rbd snap ls "$img" | wc -l)" = 0 ] || fail "$img: snapshots?"
	diff <(rbd info "$img") <("$bin" rbd info "$img") ||
		fail "$img: rbd info text differs"
done
echo "ok: cephc-made images match rbd info/export"

# ls agrees
[ "$("$bin" rbd ls rbd | sort)" = "$(rbd ls rbd | sort)" ] || fail "ls differs"
[ "$("$bin" rbd ls --format json rbd | /usr/bin/python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)))')" = \
  "$(rbd ls --format json rbd | /usr/bin/python3 -c 'import json,sys; print(sorted(json.load(sys.stdin)))')" ] ||
	fail "ls json differs"

# --- 3. snapshots: rbd snap create, rbd overwrites, cephc reads both -----
# (cephc overwriting a snapshotted image: test_rbd_snap_io.c)
img=rbd/${tag}snap; images+=("$img")
"$bin" rbd import --no-progress --object-size 64K --stripe-unit 16K \
	--stripe-count 3 "$work/src" "$img"
rbd snap create "$img@s1" >/dev/null 2>&1
# rbd overwrites the head; cephc must still read the snapshot as it was
rbd bench --io-type write --io-pattern rand --io-size 3000 --io-total 1M \
	"$img" >/dev/null
[ "$("$bin" rbd export --no-progress "$img@s1" - | sum)" = "$(sum < "$work/src")" ] ||
	fail "cephc read of the snapshot differs"
[ "$(rbd export --no-progress "$img@s1" - | sum)" = "$(sum < "$work/src")" ] ||
	fail "rbd read of the snapshot differs"
check_same "$img"
"$bin" rbd snap ls "$img" | grep -q " s1 " || fail "snap ls lacks s1"
rbd snap protect "$img@s1"
diff <(rbd snap ls "$img") <("$bin" rbd snap ls "$img") || fail "snap ls text"
diff <(rbd info "$img@s1") <("$bin" rbd info "$img@s1") || fail "info @snap"
rbd snap unprotect "$img@s1"
[ "$("$bin" rbd snap ls --format json "$img" | /usr/bin/python3 -c 'import json,sys; print([(s["id"],s["name"],s["size"]) for s in json.load(sys.stdin)])')" = \
  "$(rbd snap ls --format json "$img" | /usr/bin/python3 -c 'import json,sys; print([(s["id"],s["name"],s["size"]) for s in json.load(sys.stdin)])')" ] ||
	fail "snap ls json differs"
if "$bin" rbd rm "$img" 2>/dev/null; then fail "rm with snapshots worked"; fi
echo "ok: snapshot reads"

# --- 4. resize -----------------------------------------------------------
img=rbd/${tag}rs; images+=("$img")
"$bin" rbd import --no-progress --object-size 64K --stripe-unit 16K \
	--stripe-count 2 "$work/src" "$img"
"$bin" rbd resize --no-progress --allow-shrink --size 1000000B "$img"
"$bin" rbd resize --no-progress --size 6M "$img"
head -c 1000000 "$work/src" > "$work/rs"
truncate -s 6M "$work/rs"
[ "$(rbd export --no-progress "$img" - | sum)" = "$(sum < "$work/rs")" ] ||
	fail "resize: contents differ"
[ "$(rbd info --format json "$img" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])')" = $((6 << 20)) ] ||
	fail "resize: size"
echo "ok: resize"

# --- 5. default-feature images are written; journaling is refused ------
img=rbd/${tag}def; images+=("$img")
rbd create --size 8M "$img"
rbd bench --io-type write --io-total 1M "$img" >/dev/null
"$bin" rbd bench --io-type write --io-total 64K "$img" > "$work/out" 2>&1 ||
	fail "write to a default-feature image: $(cat "$work/out")"
rbd object-map check "$img" >/dev/null 2>&1 ||
	fail "object map after a cephc write: $(rbd object-map check "$img" 2>&1)"
check_same "$img"
img=rbd/${tag}jrn; images+=("$img")
rbd create --size 8M --image-feature layering,exclusive-lock,journaling "$img"
if "$bin" rbd bench --io-type write --io-total 64K "$img" > "$work/out" 2>&1; then
	fail "write to a journaling image was allowed"
fi
grep -q "journaling" "$work/out" || fail "refusal does not name the feature: $(cat "$work/out")"
check_same "$img"
echo "ok: default-feature image written, journaling image refused for writes, read works"

# --- 6. removal both ways -----------------------------------------------
img=rbd/${tag}rm1
"$bin" rbd import --no-progress --order 16 "$work/src" "$img"
rbd rm --no-progress "$img" >/dev/null 2>&1 || fail "rbd rm of a cephc image"
img=rbd/${tag}rm2
rbd import --no-progress --order 16 --image-feature layering "$work/src" "$img"
"$bin" rbd rm "$img" || fail "cephc rbd rm"
if rbd info "$img" >/dev/null 2>&1; then fail "image still there"; fi
echo "ok: removal"
