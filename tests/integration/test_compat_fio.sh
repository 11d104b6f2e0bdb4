#!/usr/bin/env bash
# Debian's /usr/bin/fio, unchanged, on cephc's drop-in librados.so.2 and
# librbd.so.1 (compat/): first that the fio process really loaded both
# from cephc's directory (LD_DEBUG=libs), then the rbd engine (random
# writes of mixed sizes at depth 16 with crc32c verify, then a read-verify
# pass in a new process), the data checked again through Ceph's own `rbd
# export`, and the rados engine (write, then read verify).
set -euo pipefail
src=${CEPHC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${CEPHC_BUILD_DIR:?}
# shellcheck source=tests/integration/lib.sh
. "$src/tests/integration/lib.sh"
lib=$build/compat/lib
if [ ! -e "$lib/librados.so.2" ] || [ ! -e "$lib/librbd.so.1" ]; then
	echo "skipped: compat/ not built (no librados-dev/librbd-dev)"
	exit 77
fi
if ! command -v fio >/dev/null || ! command -v rbd >/dev/null; then
	[ "${CEPHC_REQUIRE_CLUSTER:-0}" = 1 ] && { echo "FAIL: fio or rbd missing"; exit 1; }
	echo "skipped: needs fio and ceph-common"
	exit 77
fi
require_cluster "${CEPHC_TEST_CONF:-}"
pool=${CEPHC_TEST_POOL:-rbd}
img=compat-fio-$$
obj=compat-fio-$$
tmp=$(mktemp -d)
cleanup() {
	rbd rm --no-progress "$pool/$img" >/dev/null 2>&1 || true
	rados -p "$pool" rm "$obj.0.0" >/dev/null 2>&1 || true
	rm -rf "$tmp"
}
trap cleanup EXIT
cd "$tmp" # fio leaves its verify state files in the working directory
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

size=$((64 << 20))
rbd create --size 64M --image-feature layering "$pool/$img"

# The same job replays the same offsets and sizes (randseed), so a second
# process can verify what the first wrote (verify_only).
cat >"$tmp/rbd.fio" <<JOB
[global]
ioengine=rbd
clientname=admin
pool=$pool
rbdname=$img
rw=randwrite
bssplit=4k/40:16k/30:64k/20:128k/10
iodepth=16
size=16M
offset=8M
verify=crc32c
randseed=1519
[compat]
JOB
# Under the sanitizers the drop-ins need the ASan runtime loaded first
# (fio is not instrumented); leaks are the C tests' business.
asan_env=()
if [ "${CEPHC_SANITIZED:-0}" = 1 ] && command -v clang >/dev/null; then
	asan_env=(LD_PRELOAD="$(clang -print-file-name=libclang_rt.asan-x86_64.so)"
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
fi
dropin() { env "${asan_env[@]}" LD_LIBRARY_PATH="$lib" timeout 60 fio "$@"; }

# 1. write + verify in one run, with the loader's record of what it loaded
if ! LD_DEBUG=libs LD_DEBUG_OUTPUT=$tmp/ld dropin "$tmp/rbd.fio" >"$tmp/w.out" 2>&1; then
	cat "$tmp/w.out"
	fail "fio rbd write+verify"
fi
grep -q "err= 0" "$tmp/w.out" || fail "fio rbd write: no err= 0 line"
ld=$(cat "$tmp"/ld.*)
for f in librados.so.2 librbd.so.1; do
	grep -q "calling init: $lib/$f\$" <<<"$ld" ||
		fail "$f not loaded from $lib: $(grep "calling init: .*$f" <<<"$ld" || echo none)"
	n=$(grep -c "calling init: .*/$f\$" <<<"$ld" || true)
	[ "$n" = 1 ] || fail "$f loaded $n times"
done

# 2. read-verify pass in a new process
if ! dropin --verify_only "$tmp/rbd.fio" >"$tmp/v.out" 2>&1; then
	cat "$tmp/v.out"
	fail "fio rbd read-verify pass"
fi

# 3. Ceph's own view: the size is untouched, and the exported bytes pass
# the same verify (fio's file engine on Debian's libc, no Ceph library)
got=$(rbd info --format json "$pool/$img" | python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])')
[ "$got" = "$size" ] || fail "rbd info: size $got, want $size"
rbd export --no-progress "$pool/$img" "$tmp/img.raw" >/dev/null
sed -e 's/^ioengine=rbd/ioengine=psync/' -e '/^clientname=/d' -e '/^pool=/d' \
	-e "s|^rbdname=.*|filename=$tmp/img.raw|" -e 's/^iodepth=.*/iodepth=1/' \
	"$tmp/rbd.fio" >"$tmp/file.fio"
fio --verify_only "$tmp/file.fio" >"$tmp/f.out" 2>&1 || {
	cat "$tmp/f.out"
	fail "rbd export does not hold what fio wrote"
}
# and the rest of the image was never written
cmp -s -n $((8 << 20)) "$tmp/img.raw" /dev/zero || fail "bytes before the job's region were written"

# 4. rados engine: write with verify, then a read-verify pass
cat >"$tmp/rados.fio" <<JOB
[global]
ioengine=rados
clientname=admin
pool=$pool
conf=$CEPH_CONF
rw=write
bs=64k
size=4M
iodepth=8
verify=crc32c
[$obj]
JOB
dropin "$tmp/rados.fio" >"$tmp/r.out" 2>&1 || { cat "$tmp/r.out"; fail "fio rados write+verify"; }
dropin --verify_only "$tmp/rados.fio" >"$tmp/rv.out" 2>&1 || { cat "$tmp/rv.out"; fail "fio rados read-verify"; }
got=$(rados -p "$pool" stat "$obj.0.0" 2>&1) || fail "rados stat $obj.0.0: $got"
grep -q "size 4194304" <<<"$got" || fail "rados object: $got"

[ "$fails" -eq 0 ] || exit 1
echo "ok: fio rbd and rados engines on cephc's drop-ins"
