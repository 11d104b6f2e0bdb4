#!/usr/bin/env bash
# fsx with the daemons' own socket-failure injection on (`ms inject socket
# failures`): every OSD and monitor connection breaks at random, so cephc
# must reconnect, resend with the same reqid and never apply a write twice
# or lose one.  20,000 ops on a stripe-v2 image and on a plain one, and
# 5,000 on a clone with a snapshot, on a cluster of its own (a tenth in
# the sanitizer build, which runs the same code paths 5-10x slower).
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
# a clone with a snapshot: copy-ups (guarded write, parent read, lone
# copyup, then the change) resent through the same failures; the
# snapshot must still read as the clone did when it was taken
export CEPH_CONF=$conf
head -c $((3 << 20)) /dev/urandom > "$dir/src"
rbd import --no-progress --image-feature layering --object-size 256K \
	"$dir/src" "rbd/fsxcp$$"
rbd snap create "rbd/fsxcp$$@s" >/dev/null 2>&1
rbd snap protect "rbd/fsxcp$$@s"
rbd clone --image-feature layering "rbd/fsxcp$$@s" "rbd/fsxcc$$"
rbd snap create "rbd/fsxcc$$@k" >/dev/null 2>&1
rbd export --no-progress "rbd/fsxcc$$" - > "$dir/start"
"$fsx" -c "$conf" -N $((N / 4)) -l 4M -o 192K -E "$dir/start" "rbd/fsxcc$$"
[ "$(rbd export --no-progress "rbd/fsxcc$$@k" - | sha256sum)" = \
  "$(sha256sum < "$dir/start")" ] || {
	echo "the clone's snapshot changed under fsx"; exit 1; }
# the injection really happened: the daemons logged injected failures
grep -q "injecting socket failure" "$dir"/log/*.log || {
	echo "no socket failure was injected"; exit 1; }
echo PASS
