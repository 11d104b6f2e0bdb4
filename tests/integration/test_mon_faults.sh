#!/usr/bin/env bash
# Monitor faults against a scripted hostile monitor (fake_mon.py, loopback,
# no cluster needed), in every mode of the hostile-monitor probe:
#  - peers that answer READY and then misbehave (bad header crc, bad front
#    crc, 4 GiB lengths, a stalled 16 MiB front, random MAuthReply, MMonMap,
#    MOSDMap and mixed fronts, a keepalive flood, a dropped session) are
#    redialled with backoff: in 30 s at most 20 connections, under 1 s of
#    CPU and a handful of log lines; `cephc status` fails with the cause in
#    its message, said once;
#  - peers that fail before READY (refused, closed, reset, silent, random
#    bytes, bad banners, no features, BADPROTOVER, a 4 GiB authorizer,
#    RETRY_GLOBAL or WAIT forever) give a message that names the cause;
#  - sessions that work and then drop back off from the configured hunt
#    interval, capped at its max multiple, and start over after a healthy
#    session;
#  - client_mount_timeout bounds connect from ceph.conf, CEPH_ARGS and the
#    command line, fsx --timeout too; an unreadable keyring is EACCES; a
#    [mon.X] name is in the message.
set -u
SRC=${CEPHC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CEPHC=${CEPHC_BIN:-${CEPHC_BUILD_DIR:-$SRC/build}/cephc}
PY=/usr/bin/python3
TIME=/usr/bin/time
[[ -x $PY && -x $TIME ]] || { echo "needs $PY and $TIME"; exit 1; }
DIR=$(mktemp -d /tmp/cephc-monfaults.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$DIR"
}
trap cleanup EXIT
pass=0 fail=0
ok() { echo "ok: $*"; pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
unset CEPH_ARGS CEPH_CONF CEPH_KEYRING

# A random cephx key: the handshake never gets far enough to use it.
KEY=AQBgcVRlAAAAABAAGq7BEqvMX5wXkqKz7LYkUw==

start_peer() { # MODE: listening once it returns; port in $DIR/MODE.port
	local mode=$1
	"$PY" "$SRC/tests/integration/fake_mon.py" "$mode" "$DIR/$mode.port" \
		"$DIR/$mode.conns" </dev/null >/dev/null 2>"$DIR/$mode.peer" &
	pids+=($!)
	for _ in $(seq 200); do
		[[ -s $DIR/$mode.port ]] && return 0
		sleep 0.05
	done
	bad "$mode: the fake monitor did not start"
}

run_client() { # MODE PORT SECONDS [CONF_LINES]: cephc status in the background
	local mode=$1 port=$2 secs=$3 extra=${4:-}
	printf '[global]\nmon host = v1:127.0.0.1:%s\nkey = %s\n%s' "$port" "$KEY" \
		"$extra" >"$DIR/$mode.conf"
	(
		"$TIME" -f "%U %S" -o "$DIR/$mode.cpu" \
			"$CEPHC" -c "$DIR/$mode.conf" --timeout "$secs" status \
			>"$DIR/$mode.out" 2>"$DIR/$mode.err" </dev/null
		echo $? >"$DIR/$mode.rc"
	) </dev/null >/dev/null 2>&1 &
	pids+=($!)
}

# Modes that fault after READY, with the cause their message must name
# ("" = any cause: random fronts may also decode and be refused).
declare -A after=(
	[bad_header_crc]="bad message header crc"
	[bad_front_crc]="front crc mismatch"
	[huge_msg]="too large"
	[big_msg_stall]="no authentication reply"
	[fuzz_authreply]=""
	[fuzz_monmap]="malformed monmap"
	[fuzz_osdmap]="malformed MOSDMap"
	[fuzz_mix]=""
	[keepalive_flood]="keepalive flood"
	[drop]="peer closed the connection"
)
declare -A before=(
	[close]="peer closed the connection"
	[rst]="peer closed the connection"
	[silent]=""
	[random]="bad banner"
	[banner_garbage]=""
	[garbage]=""
	[trickle_banner]=""
	[bad_addr]="bad addresses in server banner"
	[no_features]="lacks required features"
	[badproto]="BADPROTOVER"
	[huge_authorizer]="authorizer too large"
	[retry_global]="too many connect rounds"
	[wait_forever]="WAIT"
)
WINDOW=30

for m in "${!after[@]}" "${!before[@]}"; do
	start_peer "$m"
done
for m in "${!after[@]}"; do
	run_client "$m" "$(cat "$DIR/$m.port")" "$WINDOW"
done
for m in "${!before[@]}"; do
	run_client "$m" "$(cat "$DIR/$m.port")" 5
done
# nothing listens on a port that was free a moment ago
free_port=$("$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
run_client refused "$free_port" 5
# Sessions that work (auth none) and drop: the backoff grows from the
# configured hunt interval, is capped at its max multiple, and starts over
# after a session that stayed up that long (fake_mon.py flap_then_healthy)
start_peer flap_then_healthy
run_client flap_then_healthy "$(cat "$DIR/flap_then_healthy.port")" 15 \
	"auth client required = none
mon client hunt interval = 0.3
mon client hunt interval max multiple = 4
"
wait_all() {
	for _ in $(seq $((WINDOW * 10 + 300))); do
		local left=0
		for m in "${!after[@]}" "${!before[@]}" refused \
			flap_then_healthy; do
			[[ -s $DIR/$m.rc ]] || left=1
		done
		((left)) || return 0
		sleep 0.1
	done
	return 1
}
wait_all || bad "a client did not return within $((WINDOW + 30)) s"

check_common() { # MODE CAUSE
	local m=$1 cause=$2 rc msg n
	rc=$(cat "$DIR/$m.rc" 2>/dev/null)
	msg=$(grep "error connecting" "$DIR/$m.err")
	[[ $rc != 0 && -n $rc ]] && ok "$m: status fails (rc $rc)" ||
		bad "$m: status rc '$rc'"
	if [[ $rc == 110 ]]; then
		n=$(grep -o "no monitor session within" "$DIR/$m.err" | wc -l)
		[[ $n == 1 ]] && ok "$m: timeout message said once" ||
			bad "$m: timeout message $n times: $msg"
	fi
	if [[ -n $cause ]]; then
		grep -qF -- "$cause" <<<"$msg" && ok "$m: names '$cause'" ||
			bad "$m: cause '$cause' missing: $msg"
	else
		[[ -n $msg ]] && ok "$m: says why: ${msg#*cluster: }" ||
			bad "$m: no message"
	fi
}

for m in "${!after[@]}"; do
	check_common "$m" "${after[$m]}"
	conns=$(wc -l <"$DIR/$m.conns" 2>/dev/null || echo 0)
	# time(1) puts "Command exited with non-zero status N" first: the
	# figures are on the last line
	read -r u s < <(tail -n 1 "$DIR/$m.cpu" 2>/dev/null) || { u=9; s=9; }
	[[ $u =~ ^[0-9.]+$ && $s =~ ^[0-9.]+$ ]] || { u=9; s=9; }
	cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
	lines=$(grep -vc "error connecting" "$DIR/$m.err")
	# at most 20 connections and 1 s of CPU in 30 s
	((conns <= 20)) && ok "$m: $conns connections in ${WINDOW}s" ||
		bad "$m: $conns connections in ${WINDOW}s"
	awk -v c="$cpu" 'BEGIN { exit !(c < 1.0) }' &&
		ok "$m: ${cpu}s CPU" || bad "$m: ${cpu}s CPU"
	((lines <= 8)) && ok "$m: $lines log lines" ||
		{ bad "$m: $lines log lines"; head -5 "$DIR/$m.err"; }
done
for m in "${!before[@]}" refused; do
	cause=${before[$m]:-}
	[[ $m == refused ]] && cause="connection refused"
	check_common "$m" "$cause"
done

echo "== backoff after sessions that worked: growth, cap, reset"
# gap K: seconds from session K's close to the next accept
gap() {
	awk -v k="$1" '$1 == "close" && $2 == k { c = $3 }
		$1 == "accept" && $2 == k + 1 { a = $3 }
		END { if (c && a) printf "%.3f", a - c; else print "none" }' \
		"$DIR/flap_then_healthy.conns.events"
}
in_range() { # NAME VALUE LO HI
	if [[ $2 != none ]] && awk -v v="$2" -v l="$3" -v h="$4" \
		'BEGIN { exit !(v >= l && v <= h) }'; then
		ok "$1: ${2}s"
	else
		bad "$1: ${2}s (want $3-$4 s)"
	fi
}
# hunt interval 0.3 s, cap 4 x 0.3 = 1.2 s, a quarter of jitter either way
in_range "1st fault: hunts at once" "$(gap 1)" 0 0.25
in_range "2nd fault: 0.3 s" "$(gap 2)" 0.2 0.6
in_range "3rd fault: 0.6 s" "$(gap 3)" 0.42 0.95
in_range "4th fault: 1.2 s" "$(gap 4)" 0.85 1.7
in_range "5th fault: capped at 1.2 s (2.4 uncapped)" "$(gap 5)" 0.85 1.75
in_range "after 2 s up (healthy): at once again" "$(gap 6)" 0 0.25
in_range "then the backoff grows again" "$(gap 7)" 0.2 0.6

now() { date +%s.%N; }
# timed NAME WANT_RC LO HI CMD...: rc and wall time of CMD (stderr in
# $DIR/timed.err)
timed() {
	local name=$1 want=$2 lo=$3 hi=$4 t0 rc dt
	shift 4
	t0=$(now)
	"$@" >/dev/null 2>"$DIR/timed.err" </dev/null
	rc=$?
	dt=$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }')
	if [[ $rc == "$want" ]] && awk -v d="$dt" -v l="$lo" -v h="$hi" \
		'BEGIN { exit !(d >= l && d <= h) }'; then
		ok "$name: rc $rc after ${dt}s"
	else
		bad "$name: rc $rc (want $want) after ${dt}s (want $lo-$hi s):" \
			"$(tail -1 "$DIR/timed.err")"
	fi
}
said() { # NAME TEXT: the last timed command's error message has TEXT, once
	local n
	n=$(tail -1 "$DIR/timed.err" | grep -oF -- "$2" | wc -l)
	[[ $n == 1 ]] && ok "$1: says '$2'" ||
		bad "$1: '$2' $n times: $(tail -1 "$DIR/timed.err")"
}

echo "== client_mount_timeout from each source, fsx --timeout"
printf '[global]\nmon host = v1:127.0.0.1:%s\nkey = %s\n' "$free_port" \
	"$KEY" >"$DIR/mount.conf"
cp "$DIR/mount.conf" "$DIR/mount3.conf"
printf 'client mount timeout = 3\n' >>"$DIR/mount3.conf"
timed "ceph.conf client_mount_timeout = 3" 110 2.5 5 \
	"$CEPHC" -c "$DIR/mount3.conf" status
said "ceph.conf client_mount_timeout" "no monitor session within 3000 ms"
said "ceph.conf client_mount_timeout" "connection refused"
timed "CEPH_ARGS --client_mount_timeout 3" 110 2.5 5 \
	env CEPH_ARGS="--client_mount_timeout 3" \
	"$CEPHC" -c "$DIR/mount.conf" status
said "CEPH_ARGS --client_mount_timeout" "no monitor session within 3000 ms"
timed "--client-mount-timeout 3" 110 2.5 5 \
	"$CEPHC" -c "$DIR/mount.conf" --client-mount-timeout 3 status
said "--client-mount-timeout" "no monitor session within 3000 ms"
# the API (--timeout) wins over ceph.conf's 3
timed "--timeout 6 over ceph.conf's 3" 110 5.5 8 \
	"$CEPHC" -c "$DIR/mount3.conf" --timeout 6 status
said "--timeout 6" "no monitor session within 6000 ms"
FSX=${CEPHC_BUILD_DIR:-$SRC/build}/fsx
if [[ -x $FSX ]]; then
	timed "fsx --timeout 3" 1 2.5 5 \
		"$FSX" -c "$DIR/mount.conf" --timeout 3 -N 1 rbd/fsx-timeout
	said "fsx --timeout" "no monitor session within 3000 ms"
else
	bad "fsx not built at $FSX"
fi

echo "== a keyring that exists but cannot be read: EACCES"
# root reads any file: run the client as nobody then, as Ceph's users are
KR=$(mktemp -d /tmp/cephc-keyring.XXXXXX)
chmod 755 "$KR"
printf '[global]\nmon host = v1:127.0.0.1:%s\nkeyring = %s/keyring\n' \
	"$free_port" "$KR" >"$KR/conf"
printf '[client.admin]\n\tkey = %s\n' "$KEY" >"$KR/keyring"
chmod 644 "$KR/conf"
chmod 000 "$KR/keyring"
as_user=()
if [[ $(id -u) == 0 ]]; then
	as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
timed "unreadable keyring" 13 0 2 "${as_user[@]}" "$CEPHC" -c "$KR/conf" \
	--timeout 3 status
said "unreadable keyring" "cannot read keyring $KR/keyring: (13) Permission denied"
rm -rf "$KR"

echo "== a monitor named in ceph.conf is named in the message"
printf '[global]\nkey = %s\n[mon.a]\nmon addr = v1:127.0.0.1:%s\n' \
	"$KEY" "$free_port" >"$DIR/named.conf"
timed "[mon.a], refused" 110 1.5 4 \
	"$CEPHC" -c "$DIR/named.conf" --timeout 2 status
said "[mon.a], refused" "mon.a 127.0.0.1:$free_port: connect failed (connection refused)"

echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
