#!/usr/bin/env bash
# Monitor faults against a scripted hostile monitor (fake_mon.py, loopback,
# no cluster needed):
#  - peers that answer READY and then misbehave (bad header crc, bad front
#    crc, 4 GiB lengths, random MAuthReply fronts, a dropped session) are
#    redialled with backoff: few connections, little CPU, few log lines;
#  - `cephc status` fails with the cause in its message, said once;
#  - peers that fail before READY (refused, closed, garbage, no features,
#    BADPROTOVER) give a message that names the cause.
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

run_client() { # MODE PORT SECONDS: cephc status in the background
	local mode=$1 port=$2 secs=$3
	printf '[global]\nmon host = v1:127.0.0.1:%s\nkey = %s\n' "$port" "$KEY" \
		>"$DIR/$mode.conf"
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
	[fuzz_authreply]=""
	[drop]="peer closed the connection"
)
declare -A before=(
	[close]="peer closed the connection"
	[garbage]=""
	[no_features]="lacks required features"
	[badproto]="BADPROTOVER"
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
wait_all() {
	for _ in $(seq $((WINDOW * 10 + 300))); do
		local left=0
		for m in "${!after[@]}" "${!before[@]}" refused; do
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
	read -r u s <"$DIR/$m.cpu" 2>/dev/null || { u=9; s=9; }
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

echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
