#!/usr/bin/env bash
# OSD client under faults, on throwaway clusters of its own:
#  1. 3 OSDs (pool size 3, min_size 1): 8 threads append records while one
#     ceph-osd is killed with SIGKILL; every append must complete (on the
#     new primary) and every record must be in its object exactly once.
#  2. --inject-socket-failures 500: the functional test runs through random
#     socket failures on the daemons' side (resends on session faults).
# Needs the ceph daemons (CEPHC_TEST_CONF only gates it like the others).
set -u
if [[ -z ${CEPHC_TEST_CONF:-} ]]; then
	echo "CEPHC_TEST_CONF unset: skipping"
	[[ ${CEPHC_REQUIRE_CLUSTER:-} == 1 ]] && exit 1
	exit 77
fi
SRC=${CEPHC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${CEPHC_BUILD_DIR:-$SRC/build}/test_osdc_rados
DIR=$(mktemp -d /tmp/osdc-faults.XXXXXX)
rc=0
cleanup() { "$SRC/scripts/cluster.sh" down --dir "$DIR" >/dev/null 2>&1; rm -rf "$DIR" "$DIR.log"; }
trap cleanup EXIT

up() {
	"$SRC/scripts/cluster.sh" up --dir "$DIR" --osds 3 \
		--conf-extra 'osd heartbeat grace = 6' \
		--conf-extra 'osd heartbeat interval = 1' "$@" >"$DIR.log" 2>&1 ||
		{ cat "$DIR.log"; exit 1; }
	export CEPHC_TEST_CONF=$DIR/ceph.conf CEPHC_TEST_KEYRING=$DIR/keyring
	export CEPH_CONF=$DIR/ceph.conf
}

echo "== kill -9 one OSD during appends"
up
"$BIN" appends 25 &
pid=$!
sleep 6
victim=$(cat "$DIR/run/osd.1.pid")
echo "killing osd.1 (pid $victim)"
kill -9 "$victim"
wait "$pid" || rc=1
timeout 10 ceph osd stat 2>/dev/null
"$SRC/scripts/cluster.sh" down --dir "$DIR" >/dev/null 2>&1
rm -rf "$DIR"; mkdir -p "$DIR"

echo "== --inject-socket-failures 500"
up --inject-socket-failures 500
OSDC_SOCKET_FAILURES=1 OSDC_CONC_PER=128 "$BIN" || rc=1
exit $rc
