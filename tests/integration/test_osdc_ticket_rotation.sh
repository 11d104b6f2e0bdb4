#!/usr/bin/env bash
# cephx service tickets that expire under a running client, on a cluster of
# its own: `auth service ticket ttl = 30` makes the monitors rotate the
# service secrets every 30 s (production: an hour), and the daemons'
# socket-failure injection makes cephc reconnect to the OSDs all along, each
# time with an authorizer built from its current ticket.  A client that
# kept its first tickets would be refused (BADAUTHORIZER) within about two
# rotations.  `cephc rados bench` writes for 75 s: it must finish cleanly,
# its log must show tickets renewed at least twice and OSD tickets under a
# newer secret id, and every object it reports written must be there.
set -euo pipefail
if [ -z "${CEPHC_TEST_CONF:-}" ] || ! command -v ceph-osd >/dev/null; then
	[ "${CEPHC_REQUIRE_CLUSTER:-0}" = 1 ] && { echo "no cluster to test"; exit 1; }
	exit 77
fi
src=${CEPHC_SOURCE_DIR:?}
bin=${CEPHC_BIN:-${CEPHC_BUILD_DIR:?}/cephc}
dir=$(mktemp -d /tmp/cephc-ttl.XXXXXX)
cleanup() { bash "$src/scripts/cluster.sh" down --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
bash "$src/scripts/cluster.sh" up --dir "$dir" --osds 3 \
	--conf-extra 'auth service ticket ttl = 30' \
	--inject-socket-failures 500 >/dev/null 2>&1
export CEPH_CONF=$dir/ceph.conf
CEPHC_LOG=debug "$bin" -c "$CEPH_CONF" rados -p test bench 75 write -t 2 -b 4K \
	--no-cleanup >"$dir/out" 2>"$dir/err" || {
	tail -20 "$dir/out"; grep -v " debug " "$dir/err" | tail -20; fail "bench failed"; }
made=$(awk '/^Total writes made/ {print $4}' "$dir/out")
[ "${made:-0}" -gt 0 ] || fail "no writes made"
# tickets renewed (every 3/4 of 30 s) and the OSD service (0x4) tickets
# moved on to a newer secret id at least once
renewals=$(grep -c "renewing tickets" "$dir/err" || true)
[ "$renewals" -ge 2 ] || fail "tickets renewed $renewals time(s)"
ids=$(grep -o "ticket for 0x4 secret_id [0-9]*" "$dir/err" | sort -u | wc -l)
[ "$ids" -ge 2 ] || fail "OSD tickets under $ids secret id(s): no rotation seen"
reconnects=$(grep -c "CHALLENGE_AUTHORIZER" "$dir/err" || true)
[ "$reconnects" -gt 20 ] || fail "only $reconnects OSD reconnects: injection off?"
have=$(rados -p test ls | grep -c '^benchmark_data_' || true)
[ "$have" = "$made" ] || fail "$made writes reported, $have objects in the pool"
grep -qi "badauthorizer\|bad authorizer" "$dir/err" &&
	echo "note: some authorizers were refused and retried"
echo "ok: $made writes, $renewals renewals, $ids OSD secret ids, $reconnects reconnects"
