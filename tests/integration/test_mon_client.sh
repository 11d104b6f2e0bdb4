#!/usr/bin/env bash
# Monitor client against a real 3-monitor cephx cluster of its own:
#  - `cephc status --format json` agrees with `ceph -s` / `ceph osd pool ls`
#  - a wrong key fails fast with EACCES, a missing keyring with a clear message
#  - a restricted client connects, and is refused a write command
#  - killing the monitor of our session: cephc carries on through another
#  - tickets renew (short ticket lifetimes) and commands keep working
#  - no "insecure global_id reclaim" health warning for cephc
set -euo pipefail
src=${CEPHC_SOURCE_DIR:?}
bin=${CEPHC_BIN:?}
if ! command -v ceph-mon >/dev/null; then
	[ "${CEPHC_REQUIRE_CLUSTER:-0}" = 1 ] && { echo "ceph-mon missing"; exit 1; }
	exit 77
fi
dir=$(mktemp -d /tmp/cephc-monc.XXXXXX)
silent_pids=
cleanup() { [ -z "$silent_pids" ] || kill $silent_pids 2>/dev/null || true; bash "$src/scripts/cluster.sh" down --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Short lifetimes so a renewal happens within the test.
bash "$src/scripts/cluster.sh" up --dir "$dir" --mons 3 --osds 1 \
	--conf-extra 'auth service ticket ttl = 20' \
	--conf-extra 'auth mon ticket ttl = 30' >/dev/null
conf=$dir/ceph.conf
C() { "$bin" -c "$conf" "$@"; }

echo "== status agrees with ceph"
C status --format json > "$dir/st.json"
ceph -c "$conf" -s --format json > "$dir/ceph-s.json"
ceph -c "$conf" osd pool ls detail --format json > "$dir/pools.json"
python3 - "$dir/st.json" "$dir/ceph-s.json" "$dir/pools.json" <<'PY'
import json, sys
st = json.load(open(sys.argv[1])); s = json.load(open(sys.argv[2]))
pools = json.load(open(sys.argv[3]))
assert st["fsid"] == s["fsid"], (st["fsid"], s["fsid"])
assert st["monmap"]["epoch"] == s["monmap"]["epoch"]
assert st["monmap"]["num_mons"] == s["monmap"]["num_mons"] == 3
for k in ("num_osds", "num_up_osds", "num_in_osds"):
    assert st["osdmap"][k] == s["osdmap"][k], k
assert abs(st["osdmap"]["epoch"] - s["osdmap"]["epoch"]) <= 1
assert sorted(st["quorum_names"]) == sorted(s["quorum_names"])
ours = {p["name"]: p for p in st["pools"]}
for p in pools:
    o = ours[p["pool_name"]]
    assert o["id"] == p["pool_id"] and o["size"] == p["size"], p["pool_name"]
    assert o["pg_num"] == p["pg_num"] and o["min_size"] == p["min_size"]
assert len(ours) == len(pools)
print("status ok:", st["fsid"], "osdmap e%d" % st["osdmap"]["epoch"])
PY

echo "== wrong key fails fast with EACCES"
sed 's#^\(\s*key = \).*#\1AQBdQzBlAAAAABAAvJ6rH9xN0rRZ9i2vY1w6Cw==#' "$dir/keyring" > "$dir/bad.keyring"
grep -q AQBdQzBl "$dir/bad.keyring" || fail "could not forge a wrong key"
t0=$(date +%s)
set +e
C --keyring "$dir/bad.keyring" status > "$dir/out" 2>&1; rc=$?
set -e
t1=$(date +%s)
cat "$dir/out"
[ $rc -eq 13 ] || fail "wrong key: exit $rc, want 13 (EACCES)"
grep -qi "permission denied\|EACCES" "$dir/out" || fail "wrong key: no clear message"
[ $((t1 - t0)) -le 10 ] || fail "wrong key took $((t1 - t0)) s"

echo "== missing keyring fails with a clear message"
set +e
C --keyring "$dir/nope.keyring" status > "$dir/out" 2>&1; rc=$?
set -e
cat "$dir/out"
[ $rc -ne 0 ] || fail "missing keyring accepted"
grep -q "nope.keyring" "$dir/out" || fail "missing keyring: message does not name the path"

echo "== restricted client"
ceph -c "$conf" auth get-or-create client.ro mon 'allow r' > "$dir/ro.keyring"
C --id ro --keyring "$dir/ro.keyring" status > /dev/null || fail "client.ro cannot connect"
set +e
C --id ro --keyring "$dir/ro.keyring" mon command \
	'{"prefix":"osd pool create","pool":"cephc_ro_denied","pg_num":8}' > "$dir/out" 2>&1; rc=$?
set -e
cat "$dir/out"
[ $rc -eq 13 ] || fail "restricted client: write command exit $rc, want 13"

echo "== hunting dials mon_client_hunt_parallel monitors at once"
# Three silent peers (accept, never answer) and one real monitor: with
# all four dialled at once every connect is quick; one at a time, a
# random start would land on a silent peer 3 times in 4 and wait out the
# 3 s hunt interval (5 quick runs in a row: 1 chance in 1,024).
real=$(sed -n 's/^mon_host = .*\(v1:127\.0\.0\.1:[0-9]*\).*/\1/p' "$conf" | head -1)
[ -n "$real" ] || fail "no v1 monitor address in $conf"
hosts=
for k in 1 2 3; do
	/usr/bin/python3 "$src/tests/integration/fake_mon.py" silent "$dir/silent$k.port" \
		</dev/null >/dev/null 2>&1 &
	silent_pids+=" $!"
	for _ in $(seq 100); do [ -s "$dir/silent$k.port" ] && break; sleep 0.05; done
	hosts+="v1:127.0.0.1:$(cat "$dir/silent$k.port"),"
done
for k in 1 2 3 4 5; do
	t0=$(date +%s%N)
	C --mon_host "$hosts$real" --mon_client_hunt_parallel 4 status >/dev/null ||
		fail "status through silent peers (run $k)"
	ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$ms" -lt 2500 ] || fail "run $k took $ms ms with every monitor dialled at once"
done
kill $silent_pids 2>/dev/null || true
silent_pids=
echo "5 connects through 3 silent peers, each under 2.5 s"

echo "== monitor failover and ticket renewal"
CEPHC_LOG=debug C watch --interval 1 --count 75 > "$dir/watch.out" 2> "$dir/watch.err" &
wpid=$!
for _ in $(seq 1 30); do grep -q 'roundtrip=ok' "$dir/watch.out" 2>/dev/null && break; sleep 1; done
first=$(grep -m1 -o 'mon=[a-z]*' "$dir/watch.out" | cut -d= -f2)
[ -n "$first" ] && [ "$first" != "-" ] || fail "watch never reached a monitor"
echo "session with mon.$first; killing it"
kill -9 "$(cat "$dir/run/mon.$first.pid")"
wait "$wpid" || fail "cephc watch failed"
tail -3 "$dir/watch.out"
after=$(tail -20 "$dir/watch.out")
echo "$after" | grep -q "mon=$first " && fail "still on the killed mon.$first"
[ "$(echo "$after" | grep -c 'roundtrip=ok')" -ge 15 ] || fail "round trips failed after the failover"
grep -q "renewing tickets" "$dir/watch.err" || fail "no ticket renewal within 75 s (ttl 30 s)"

echo "== no insecure global_id reclaim warning"
ceph -c "$conf" health detail > "$dir/health" || true
if grep -q "AUTH_INSECURE_GLOBAL_ID_RECLAIM\b\|AUTH_INSECURE_GLOBAL_ID_RECLAIM:" "$dir/health"; then
	cat "$dir/health"; fail "insecure global_id reclaim reported"
fi
echo "PASS"
