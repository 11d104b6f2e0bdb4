#!/usr/bin/env bash
# fio's nbd engine through the nbdkit plugin, every job verified
# (verify=crc32c: each block written is read back and checked):
#  - 4 KiB random writes and 1 MiB sequential writes at QD1 and QD32;
#  - four connections at once on disjoint regions of the same image (the
#    shared image handle under concurrent connections);
# then librbd's rbd export must equal what a final NBD read returns.
# Sizes stay small: this runs in CI.
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
# shellcheck source=tests/integration/nbd_lib.sh
. "$(dirname "$0")/nbd_lib.sh"
require_nbd fio nbdcopy rbd

work=$(mktemp -d)
img=rbd/nbdfio$$x$RANDOM
cleanup() {
	nbd_stop_all
	rbd rm --no-progress "$img" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -20 "$work"/*.log 2>/dev/null; exit 1; }
sum() { sha256sum | cut -d' ' -f1; }

scale=1
[ "${CEPHC_SANITIZED:-0}" = 1 ] && scale=2 # shorter under ASan
rbd create --size 64M --image-feature layering "$img"
sock=$work/f.sock
NBD_THREADS=32 nbd_start "$sock" image="$img"
uri=$(nbd_uri "$sock")

run_fio() { # NAME ARGS...: one verified fio run
	local name=$1
	shift
	fio --name="$name" --ioengine=nbd --uri="$uri" --verify=crc32c \
		--do_verify=1 --verify_fatal=1 --verify_state_save=0 --group_reporting \
		--output="$work/$name.out" "$@" > "$work/$name.log" 2>&1 ||
		fail "fio $name: $(cat "$work/$name.out" "$work/$name.log")"
	grep -q 'err= 0' "$work/$name.out" || fail "fio $name: $(cat "$work/$name.out")"
	echo "ok: $name"
}

run_fio rand4k-qd1 --rw=randwrite --bs=4k --iodepth=1 --size=$((4 / scale))M
run_fio rand4k-qd32 --rw=randwrite --bs=4k --iodepth=32 --size=$((16 / scale))M --offset=16M
run_fio seq1m-qd1 --rw=write --bs=1M --iodepth=1 --size=$((16 / scale))M --offset=32M
run_fio seq1m-qd32 --rw=write --bs=1M --iodepth=32 --size=$((32 / scale))M --offset=32M
# four connections (one per job), each on its own 8 MiB region, mixed sizes
run_fio multi-conn --numjobs=4 --offset_increment=8M --size=$((8 / scale))M \
	--rw=randwrite --bsrange=4k-256k --iodepth=8

# what the NBD clients wrote is what librbd reads
[ "$(nbdcopy "$uri" - | sum)" = "$(rbd export --no-progress "$img" - 2>/dev/null | sum)" ] ||
	fail "rbd export differs from the NBD view"
echo "ok: rbd export equals the NBD view"
echo "PASS"
