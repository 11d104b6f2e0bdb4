#!/usr/bin/env bash
# Timeouts as configured, and a full pool named, on a throwaway cluster of
# its own (it stops an OSD and the monitor and fills the pool: nothing else
# may share it).
#  1. nodown + SIGSTOP of an object's primary: `get` fails with ETIMEDOUT
#     after the osd op timeout set in ceph.conf, CEPH_ARGS, on the command
#     line (--rados-osd-op-timeout) and through the API: all three
#     (cephc_cluster_set_timeout, the tools' --timeout) and the one
#     (cephc_cluster_set_timeout_of, test_timeouts_api); fsx --timeout
#     too; with 0 it waits until the OSD is continued and then succeeds.
#  2. A stopped monitor: a monitor command fails with ETIMEDOUT after
#     rados_mon_op_timeout, from ceph.conf, CEPH_ARGS and the API (set
#     after connect).
#  3. A pool flagged full: a write times out with the pool named in the
#     message; with --full-try it fails at once with ENOSPC.
set -u
if [[ -z ${CEPHC_TEST_CONF:-} ]]; then
	echo "CEPHC_TEST_CONF unset: skipping"
	[[ ${CEPHC_REQUIRE_CLUSTER:-} == 1 ]] && exit 1
	exit 77
fi
SRC=${CEPHC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${CEPHC_BUILD_DIR:-$SRC/build}
CEPHC=${CEPHC_BIN:-$BUILD/cephc}
APIT=$BUILD/test_timeouts_api
FSX=$BUILD/fsx
DIR=$(mktemp -d /tmp/cephc-timeouts.XXXXXX)
pass=0 fail=0 stopped="" monpid=""
cleanup() {
	[[ -n $stopped ]] && kill -CONT "$stopped" 2>/dev/null
	[[ -n $monpid ]] && kill -CONT "$monpid" 2>/dev/null
	"$SRC/scripts/cluster.sh" down --dir "$DIR" >/dev/null 2>&1
	rm -rf "$DIR" "$DIR.log"
}
trap cleanup EXIT
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

"$SRC/scripts/cluster.sh" up --dir "$DIR" --osds 3 >"$DIR.log" 2>&1 ||
	{ cat "$DIR.log"; exit 1; }
export CEPH_CONF=$DIR/ceph.conf CEPH_KEYRING=$DIR/keyring
unset CEPH_ARGS

now() { date +%s.%N; }
# check_timed NAME WANT_RC LO HI START: the last command's rc and time
check_timed() {
	local name=$1 want=$2 lo=$3 hi=$4 rc=$5 t0=$6 dt
	dt=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	if [[ $rc == "$want" ]] && awk -v d="$dt" -v l="$lo" -v h="$hi" \
		'BEGIN { exit !(d >= l && d <= h) }'; then
		ok "$name: rc $rc after ${dt}s"
	else
		bad "$name: rc $rc (want $want) after ${dt}s (want $lo-$hi s)"
	fi
}

echo "== osd op timeout against a stopped primary"
printf 'payload %s\n' "$RANDOM" >"$DIR/in"
"$CEPHC" rados -p test put tobj "$DIR/in" || bad "put"
prim=$(ceph osd map test tobj -f json |
	/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["acting_primary"])')
ceph osd set nodown >/dev/null 2>&1
stopped=$(cat "$DIR/run/osd.$prim.pid")
kill -STOP "$stopped"

# ceph.conf
cp "$DIR/ceph.conf" "$DIR/short.conf"
printf '[client]\nrados osd op timeout = 5\n' >>"$DIR/short.conf"
t0=$(now)
"$CEPHC" -c "$DIR/short.conf" rados -p test get tobj "$DIR/out" 2>"$DIR/err"
check_timed "ceph.conf rados_osd_op_timeout = 5" 110 4.5 7.5 $? "$t0"
# CEPH_ARGS
t0=$(now)
CEPH_ARGS="--rados_osd_op_timeout 5" \
	"$CEPHC" rados -p test get tobj "$DIR/out" 2>"$DIR/err"
check_timed "CEPH_ARGS --rados_osd_op_timeout 5" 110 4.5 7.5 $? "$t0"
# command line
t0=$(now)
"$CEPHC" --rados-osd-op-timeout 5 rados -p test get tobj "$DIR/out" 2>"$DIR/err"
check_timed "--rados-osd-op-timeout 5" 110 4.5 7.5 $? "$t0"
# API (cephc_cluster_set_timeout through --timeout), over a longer conf
cp "$DIR/ceph.conf" "$DIR/long.conf"
printf '[client]\nrados osd op timeout = 12\n' >>"$DIR/long.conf"
t0=$(now)
"$CEPHC" -c "$DIR/long.conf" --timeout 5 rados -p test get tobj "$DIR/out" 2>"$DIR/err"
check_timed "--timeout 5 (API) over ceph.conf's 12" 110 4.5 7.5 $? "$t0"
grep -q "timed out" "$DIR/err" && ok "message says timed out" ||
	bad "message: $(cat "$DIR/err")"
# API, one option: cephc_cluster_set_timeout_of(CEPHC_TIMEOUT_OSD_OP)
t0=$(now)
CEPH_CONF=$DIR/long.conf "$APIT" get test tobj 5000 2>"$DIR/err"
check_timed "cephc_cluster_set_timeout_of(OSD_OP, 5000) over ceph.conf's 12" \
	110 4.5 7.5 $? "$t0"
# fsx --timeout: an image of 64 KiB objects has some on the stopped OSD
t0=$(now)
"$FSX" --timeout 5 -N 200 -O 16 -l 4M test/fsx-timeout >"$DIR/fsx.out" 2>&1
check_timed "fsx --timeout 5" 1 4.5 9 $? "$t0"
grep -q "timed out" "$DIR/fsx.out" && ok "fsx says timed out" ||
	bad "fsx: $(tail -3 "$DIR/fsx.out")"
# the default is bounded: 30 s would pass; raising works too
t0=$(now)
"$CEPHC" --rados_osd_op_timeout 40 --timeout 0 rados -p test get tobj "$DIR/out" \
	2>"$DIR/err" &
waiter=$!
sleep 8
if kill -0 "$waiter" 2>/dev/null; then
	ok "--timeout 0 still waiting after 8 s"
else
	bad "--timeout 0 returned before the OSD was continued"
fi
kill -CONT "$stopped"
stopped=""
wait "$waiter"
check_timed "--timeout 0 completes once the OSD runs" 0 8 60 $? "$t0"
cmp -s "$DIR/in" "$DIR/out" && ok "data read after continue" ||
	bad "data differs after continue"
ceph osd unset nodown >/dev/null 2>&1

echo "== mon op timeout against a stopped monitor"
# mon_timed NAME MS [ENV...]: a mon command against the stopped monitor
# ends with ETIMEDOUT after 3 s (MS: the API's value, "-" for none)
mon_timed() {
	local name=$1 ms=$2 out rc el
	shift 2
	monpid=$(cat "$DIR/run/mon.a.pid")
	out=$(env "$@" "$APIT" moncmd "$monpid" "$ms" 2>"$DIR/err")
	rc=$?
	monpid=""
	el=${out#elapsed }
	if [[ $rc == 110 ]] &&
		awk -v d="$el" 'BEGIN { exit !(d >= 2.8 && d <= 3.6) }'; then
		ok "$name: rc 110 after ${el}s"
	else
		bad "$name: rc $rc after '${el}'s (want 110 after 2.8-3.6 s):" \
			"$(cat "$DIR/err")"
	fi
	grep -q "mon command timed out after 3000 ms" "$DIR/err" &&
		ok "$name: the message names the timeout" ||
		bad "$name: message: $(cat "$DIR/err")"
	# the monitor is back before the next
	for _ in $(seq 30); do
		ceph osd dump >/dev/null 2>&1 && break
		sleep 1
	done
}
cp "$DIR/ceph.conf" "$DIR/mon3.conf"
printf '[client]\nrados mon op timeout = 3\n' >>"$DIR/mon3.conf"
mon_timed "rados_mon_op_timeout = 3 in ceph.conf" - CEPH_CONF="$DIR/mon3.conf"
mon_timed "CEPH_ARGS --rados_mon_op_timeout 3" - \
	CEPH_ARGS="--rados_mon_op_timeout 3"
mon_timed "cephc_cluster_set_timeout_of(MON_OP, 3000) after connect" 3000
# the monitor is back: commands work again
for _ in $(seq 30); do
	ceph osd dump >/dev/null 2>&1 && break
	sleep 1
done

echo "== a full pool is named"
for o in 0 1 2; do
	ceph --admin-daemon "$DIR/run/ceph-osd.$o.asok" injectfull full -1 \
		>/dev/null 2>&1
done
full=0
for _ in $(seq 60); do
	if ceph osd dump -f json 2>/dev/null | /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
sys.exit(0 if any(p["pool_name"] == "test" and "full" in p["flags_names"]
                  for p in d["pools"]) else 1)'; then
		full=1
		break
	fi
	sleep 1
done
if [[ $full != 1 ]]; then
	bad "the pool never became full"
else
	t0=$(now)
	"$CEPHC" --timeout 3 rados -p test put fobj "$DIR/in" 2>"$DIR/err"
	check_timed "write to a full pool times out" 110 2.5 6 $? "$t0"
	grep -q "pool 'test' (id [0-9]*) is full" "$DIR/err" &&
		ok "the timeout names the full pool" ||
		bad "message does not name the pool: $(cat "$DIR/err")"
	t0=$(now)
	"$CEPHC" --timeout 10 rados -p test --full-try put fobj "$DIR/in" 2>"$DIR/err"
	check_timed "--full-try write to a full pool fails at once" 28 0 4 $? "$t0"
fi

echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
