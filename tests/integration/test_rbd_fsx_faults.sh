#!/usr/bin/env bash
# fsx with the daemons' own socket-failure injection on (`ms inject socket
# failures`): every OSD and monitor connection breaks at random, so cephc
# must reconnect, resend with the same reqid and never apply a write twice
# or lose one.  20,000 ops on a stripe-v2 image and on a plain one, on a
# cluster of its own (2,000 each in the sanitizer build, which runs the
# same code paths 5-10x slower).
set -euo pipefail
src=${CEPHC_SOURCE_DIR:?}
fsx=${CEPHC_BUILD_DIR:?}/fsx
if [ -z "${CEPHC_TEST_CONF:-}" ] || ! command -v ceph-osd >/dev/null; then
	[ "${CEPHC_REQUIRE_CLUSTER:-0}" = 1 ] && { echo "no cluster to test"; exit 1; }
	exit 77
fi
dir=$(mktemp -d /tmp/cephc-fsxf.XXXXXX)
cleanup() { bash "$src/scripts/cluster.sh" down --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
bash "$src/scripts/cluster.sh" up --dir "$dir" --mons 1 --osds 3 \
	--inject-socket-failures 500 >/dev/null
conf=$dir/ceph.conf
N=${CEPHC_FSX_OPS:-20000}
[ -n "${CEPHC_SANITIZED:-}" ] && N=${CEPHC_FSX_OPS:-2000}
"$fsx" -c "$conf" -N "$N" -l 4M -o 192K -O 18 -u 8K -C 3 "rbd/fsxfs$$"
"$fsx" -c "$conf" -N "$N" -l 4M -o 192K -O 19 "rbd/fsxfp$$"
# the injection really happened: the daemons logged injected failures
grep -q "injecting socket failure" "$dir"/log/*.log || {
	echo "no socket failure was injected"; exit 1; }
echo PASS
