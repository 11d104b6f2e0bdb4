#!/usr/bin/env bash
# The nbdkit plugin (plugins/nbdkit) against the real cluster, with the
# usual NBD clients:
#  - --dump-plugin / --help; nbdinfo: size, can_* flags, block status;
#  - nbdsh: reads, writes with and without FUA, trim, zero (+ fast zero),
#    flush, cache, block status on a sparse image and on a clone,
#    out-of-range requests;
#  - nbdcopy in and out (multi-conn), qemu-img convert, qemu-io patterns,
#    checked against `rbd export` (librbd);
#  - read-only exports: snapshots (even when asked writable), readonly=,
#    images with features cephc only reads (exclusive-lock, object-map);
#  - pool mode: the export list shows the images, the export name picks
#    one, a name naming no image is refused; nothing changes in the cluster.
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
# shellcheck source=tests/integration/nbd_lib.sh
. "$(dirname "$0")/nbd_lib.sh"
require_nbd nbdinfo nbdsh nbdcopy qemu-img qemu-io rbd
checks=$(cd "$(dirname "$0")" && pwd)/nbd_checks.py

work=$(mktemp -d)
tag=nbd$$x$RANDOM
images=()
cleanup() {
	nbd_stop_all
	# clones before their parents: reverse order
	for ((k = ${#images[@]} - 1; k >= 0; k--)); do
		i=${images[k]}
		for s in $(rbd snap ls "$i" --format json 2>/dev/null |
			/usr/bin/python3 -c 'import json,sys; print(" ".join(s["name"] for s in json.load(sys.stdin)))' 2>/dev/null); do
			rbd snap unprotect "$i@$s" >/dev/null 2>&1 || true
			rbd snap rm "$i@$s" >/dev/null 2>&1 || true
		done
		rbd rm --no-progress "$i" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
fail() {
	echo "FAIL: $*"
	for l in "$work"/*.log; do
		[ -s "$l" ] && { echo "--- $l"; tail -20 "$l"; }
	done
	exit 1
}
sum() { sha256sum | cut -d' ' -f1; }
rbd_sum() { rbd export --no-progress "$1" - 2>/dev/null | sum; }
nbdsh_check() { # URI CHECK [VAR=VALUE...]
	local uri=$1 check=$2
	shift 2
	env NBD_CHECK="$check" "$@" nbdsh --base-allocation -u "$uri" \
		-c "exec(open('$checks').read())" || fail "nbdsh check $check"
}

# --- 0. the plugin describes itself ------------------------------------
nbdkit "$plugin" --dump-plugin > "$work/dump"
grep -qx 'thread_model=parallel' "$work/dump" || fail "thread model"
grep -qx 'api_version=2' "$work/dump" || fail "api version"
out=$(nbdkit "$plugin" --help) && grep -q 'image=POOL/\[NS/\]IMAGE\[@SNAP\]' <<<"$out" ||
	fail "--help lists image="
echo "ok: --dump-plugin, --help"

# --- 1. a sparse image: flags, I/O, block status -----------------------
img=rbd/${tag}a; images+=("$img")
rbd create --size 16M --object-size 1M --image-feature layering "$img"
sock=$work/a.sock
nbd_start "$sock" image="$img"
uri=$(nbd_uri "$sock")
nbdinfo --json "$uri" > "$work/info.json"
/usr/bin/python3 - "$work/info.json" <<'EOF' || fail "nbdinfo flags"
import json, sys
e = json.load(open(sys.argv[1]))["exports"][0]
assert e["export-size"] == 16 << 20, e
for k in ("can_flush", "can_fua", "can_trim", "can_zero", "can_fast_zero",
          "can_multi_conn", "can_cache", "can_df"):
    assert e[k] is True, k
assert e["is_read_only"] is False
assert "base:allocation" in e["contexts"]
assert e["block_size_minimum"] == 1 and e["block_size_preferred"] == 4096
EOF
nbdinfo --can multi-conn "$uri" || fail "nbdinfo --can multi-conn"
[ "$(nbdinfo --map "$uri" | awk '{print $1, $2, $4}')" = "0 16777216 hole,zero" ] ||
	fail "map of a fresh image: $(nbdinfo --map "$uri")"
nbdsh_check "$uri" rw SIZE=$((16 << 20))
# what NBD wrote is what librbd reads, on a fresh connection too
a=$(nbdcopy "$uri" - | sum)
[ "$a" = "$(rbd_sum "$img")" ] || fail "NBD read differs from rbd export"
echo "ok: nbdinfo, nbdsh reads/writes/FUA/trim/zero/flush/block status"

# --- 2. nbdcopy in and out, several connections; qemu-img; qemu-io ------
head -c $((5 << 20)) /dev/urandom > "$work/src"
head -c $((2 << 20)) /dev/zero >> "$work/src"
head -c $((9 << 20)) /dev/urandom >> "$work/src"
nbdcopy -C 4 -R 16 "$work/src" "$uri" || fail "nbdcopy in"
[ "$(rbd_sum "$img")" = "$(sum < "$work/src")" ] || fail "nbdcopy in: rbd export differs"
nbdcopy -C 4 "$uri" "$work/out" || fail "nbdcopy out"
cmp -s "$work/src" "$work/out" || fail "nbdcopy out differs"
qemu-img convert -f raw -O raw "$uri" "$work/qout" || fail "qemu-img convert"
cmp -s "$work/src" "$work/qout" || fail "qemu-img convert differs"
qemu-io -f raw -c 'write -P 0xa5 1M 3M' -c 'write -P 0x5a 12345 4096' \
	-c 'aio_write -P 0x3c 8M 64k' -c 'aio_flush' \
	-c 'read -P 0xa5 1M 12288' -c 'read -P 0x5a 12345 4096' \
	-c 'read -P 0xa5 1M 3M' -c 'read -P 0x3c 8M 64k' \
	"$uri" > "$work/qemu-io.out" 2>&1 || fail "qemu-io: $(cat "$work/qemu-io.out")"
! grep -qi 'fail\|error' "$work/qemu-io.out" || fail "qemu-io: $(cat "$work/qemu-io.out")"
# image -> file through qemu-img equals librbd's export
qemu-img convert -f raw -O raw "$uri" "$work/qout2"
[ "$(sum < "$work/qout2")" = "$(rbd_sum "$img")" ] || fail "qemu-img after qemu-io differs"
echo "ok: nbdcopy (multi-conn), qemu-img convert, qemu-io patterns"
nbd_stop "$sock"

# --- 2b. block status with fancy striping (stripe units of objects) ------
str=rbd/${tag}s; images+=("$str")
rbd create --size 12M --object-size 1M --stripe-unit 64K --stripe-count 4 \
	--image-feature layering,striping "$str"
sock=$work/st.sock
nbd_start "$sock" image="$str"
nbdsh_check "$(nbd_uri "$sock")" striped SU=65536 STRIPES=4 OBJ=$((1 << 20)) \
	WRITES="0 $((3 * 65536 + 10)) $((5 << 20)) $((11 << 20))"
nbd_stop "$sock"
echo "ok: block status on a striped image"

# --- 3. a clone: the parent's state shows through -----------------------
par=rbd/${tag}p; images+=("$par")
head -c $((1 << 20)) /dev/urandom > "$work/p1"
# rbd import skips zeros: only object 1 of the parent exists
{ head -c $((1 << 20)) /dev/zero; cat "$work/p1"; head -c $((6 << 20)) /dev/zero; } > "$work/pimg"
rbd import --no-progress --object-size 1M --image-feature layering "$work/pimg" "$par" >/dev/null
rbd snap create "$par@s" >/dev/null
rbd snap protect "$par@s"
cln=rbd/${tag}c; images+=("$cln")
rbd clone --image-feature layering "$par@s" "$cln"
sock=$work/c.sock
nbd_start "$sock" image="$cln"
nbdsh_check "$(nbd_uri "$sock")" clone PARENT_HEAD="$(head -c 5 "$work/p1" | od -An -tx1 | tr -d ' \n')"
nbd_stop "$sock"
echo "ok: block status and copy-up on a clone"

# --- 4. read-only exports ----------------------------------------------
rbd snap create "$img@snap1" >/dev/null
before=$(rbd_sum "$img@snap1"); head_before=$(rbd_sum "$img")
sock=$work/s.sock
nbd_start "$sock" image="$img@snap1"   # a snapshot, not asked read-only
nbdinfo --can read-only "$(nbd_uri "$sock")" || fail "snapshot export not read-only"
nbdsh_check "$(nbd_uri "$sock")" readonly
[ "$(nbdcopy "$(nbd_uri "$sock")" - | sum)" = "$before" ] || fail "snapshot read differs"
nbd_stop "$sock"
nbd_start "$sock" image="$img" readonly=true
nbdsh_check "$(nbd_uri "$sock")" readonly
nbd_stop "$sock"
# an image with a feature cephc does not keep (journaling): read, never
# written
jrn=rbd/${tag}j; images+=("$jrn")
rbd create --size 8M --image-feature layering,exclusive-lock,journaling "$jrn"
rbd bench --io-type write --io-size 1M --io-total 2M "$jrn" >/dev/null 2>&1
jrn_sum=$(rbd_sum "$jrn")
nbd_start "$sock" image="$jrn"
nbdinfo --can read-only "$(nbd_uri "$sock")" || fail "journaling image served writable"
nbdsh_check "$(nbd_uri "$sock")" readonly
[ "$(nbdcopy "$(nbd_uri "$sock")" - | sum)" = "$jrn_sum" ] || fail "read of a journaling image differs"
nbd_stop "$sock"
[ "$(rbd_sum "$img@snap1")" = "$before" ] && [ "$(rbd_sum "$img")" = "$head_before" ] &&
	[ "$(rbd_sum "$jrn")" = "$jrn_sum" ] || fail "a read-only export changed an image"
echo "ok: snapshots, readonly=, journaling images are read-only"

# an image with Pacific's default features is served writable, and the
# exclusive lock goes to a librbd writer and comes back while it is
def=rbd/${tag}d; images+=("$def")
rbd create --size 8M "$def"
head -c 8M /dev/urandom > "$work/def.a"
head -c 8M /dev/urandom > "$work/def.b"
nbd_start "$sock" image="$def"
if nbdinfo --can read-only "$(nbd_uri "$sock")"; then
	fail "default-feature image served read-only"
fi
nbdcopy "$work/def.a" "$(nbd_uri "$sock")" || fail "nbdcopy into a default-feature image"
/usr/bin/python3 -c '
import sys, rados, rbd
c = rados.Rados(conffile=sys.argv[1]); c.connect()
io = c.open_ioctx("rbd")
with rbd.Image(io, sys.argv[2]) as im:
    im.write(b"L" * 4096, 4 << 20)
    assert im.is_exclusive_lock_owner()
io.close(); c.shutdown()
' "$conf" "${def#rbd/}" || fail "librbd write while the export owns the lock"
cp "$work/def.a" "$work/def.want"
head -c 4096 /dev/zero | tr '\0' L |
	dd of="$work/def.want" bs=4096 seek=1024 conv=notrunc status=none
[ "$(nbdcopy "$(nbd_uri "$sock")" - | sum)" = "$(sum < "$work/def.want")" ] ||
	fail "the export does not see librbd's write"
nbdcopy "$work/def.b" "$(nbd_uri "$sock")" || fail "nbdcopy after the lock went to librbd"
nbd_stop "$sock"
[ "$(rbd_sum "$def")" = "$(sum < "$work/def.b")" ] || fail "default-feature image contents"
rbd object-map check "$def" >/dev/null 2>&1 || fail "object map: $(rbd object-map check "$def" 2>&1)"
echo "ok: default-feature image written; the lock went to librbd and back"

# --- 5. pool mode: export list and names --------------------------------
sock=$work/p.sock
nbd_start "$sock" pool=rbd
nbdinfo --list --json "$(nbd_uri "$sock")" > "$work/list.json"
/usr/bin/python3 - "$work/list.json" "${img#rbd/}" "${cln#rbd/}" <<'EOF' || fail "export list"
import json, sys
names = {e["export-name"] for e in json.load(open(sys.argv[1]))["exports"]}
assert set(sys.argv[2:]) <= names, names
EOF
[ "$(nbdinfo --size "$(nbd_uri "$sock" "${img#rbd/}")")" = $((16 << 20)) ] || fail "export by name"
nbdinfo --can read-only "$(nbd_uri "$sock" "${img#rbd/}@snap1")" || fail "snapshot by export name"
if nbdinfo "$(nbd_uri "$sock" "${tag}nosuch")" > "$work/nosuch.out" 2>&1; then
	fail "an export naming no image was served"
fi
grep -q 'No such file' "$work/nosuch.out" || fail "missing image: $(cat "$work/nosuch.out")"
grep -q 'nosuch' "$sock.log" || fail "no error logged for a missing image"
if nbdinfo "$(nbd_uri "$sock")" > /dev/null 2>&1; then
	fail "pool mode served the empty export name"
fi
nbd_stop "$sock"
# image= naming no image: nbdkit starts, every open fails cleanly
nbd_start "$sock" image="rbd/${tag}nosuch"
if nbdinfo "$(nbd_uri "$sock")" > /dev/null 2>&1; then fail "a missing image was served"; fi
nbd_stop "$sock"
grep -qi 'no such' "$sock.log" || fail "no ENOENT reason logged: $(cat "$sock.log")"
[ "$(rbd_sum "$img")" = "$head_before" ] || fail "pool mode changed an image"
rbd ls | grep -q "${tag}nosuch" && fail "a missing image was created"
echo "ok: pool mode exports, missing images refused"

# --- 6. bad parameters: refused before serving --------------------------
for bad in "image=noslash" "image=rbd/a/b/c/d" "image=rbd/x@" "pool=rbd image=rbd/x" \
	"image=rbd/x timeout=abc" "image=rbd/x bogus=1"; do
	# shellcheck disable=SC2086
	if nbdkit -U "$work/bad.sock" "$plugin" $bad --run true > "$work/bad.log" 2>&1; then
		fail "nbdkit accepted $bad"
	fi
done
echo "ok: bad parameters refused"

# --- 7. timeout=: no monitor answers, nbdkit gives up in time ----------
t0=$SECONDS
# (in the foreground: with --run, nbdkit's parent keeps the listening
# socket open after the server gave up, and the client would wait)
if timeout 60 nbdkit -f -U "$work/to.sock" "$plugin" image=rbd/x \
	mon_host=127.0.0.1:1 conf="$CEPH_CONF" timeout=3 > "$work/to.log" 2>&1; then
	fail "connect to no monitor succeeded"
fi
((SECONDS - t0 <= 15)) || fail "timeout=3 took $((SECONDS - t0)) s"
grep -q 'timed out' "$work/to.log" || fail "no timeout reason: $(cat "$work/to.log")"
echo "ok: timeout= bounds the connect ($((SECONDS - t0)) s)"
echo "PASS"
