#!/usr/bin/env bash
# msgr.sh - messenger throughput beside single-stream loopback TCP (iperf3),
# measured in the same run, alternating so machine noise hits both alike.
#
#   bench/msgr.sh [BUILD_DIR] [SECONDS] [ROUNDS]
#
# Per round: MB/s of iperf3 and of bench_msgr (4 MiB and 4 KiB messages),
# and the CPU both ends spent per GB moved (less sensitive to a busy
# machine than MB/s).  At the end, per message size, the median ratios
#   throughput: msgr MB/s / iperf3 MB/s          (target >= 0.80 at 4 MiB)
#   efficiency: iperf3 CPU per GB / msgr CPU per GB
set -euo pipefail

BUILD=${1:-build}
SECS=${2:-3}
ROUNDS=${3:-3}
BENCH=$BUILD/bench_msgr
[[ -x $BENCH ]] || { echo "no $BENCH: build first" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "iperf3 not installed" >&2; exit 1; }

# iperf3 on a random port: prints "MB/s cpu_ms_per_GB".
iperf() {
	local port=$((20000 + RANDOM % 20000)) pid out
	iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
	pid=$!
	sleep 0.3
	out=$(iperf3 -c 127.0.0.1 -p "$port" -t "$SECS" -J 2>/dev/null) || true
	wait "$pid" 2>/dev/null || true
	python3 -c 'import json,sys
e=json.loads(sys.stdin.read())["end"]
r=e["sum_received"]; c=e["cpu_utilization_percent"]
mbs=r["bits_per_second"]/8e6
cpu_s=(c["host_total"]+c["remote_total"])/100*r["seconds"]
print("%.1f %.1f" % (mbs, cpu_s*1e3/(r["bytes"]/1e9)))' <<<"$out"
}

# bench_msgr: prints "MB/s cpu_ms_per_GB".
msgr() {
	"$BENCH" -s "$1" -t "$SECS" |
		sed -n 's/.*MB\/s=\([0-9.]*\).*cpu_ms_per_GB=\([0-9.]*\).*/\1 \2/p'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A tput eff
for ((r = 1; r <= ROUNDS; r++)); do
	read -r ip ipcpu < <(iperf)
	printf 'round %d: iperf3 %8.1f MB/s %7.1f cpu-ms/GB\n' "$r" "$ip" "$ipcpu"
	for size in 4194304 4096; do
		read -r m mcpu < <(msgr "$size")
		t=$(awk -v a="$m" -v b="$ip" 'BEGIN { printf "%.3f", a / b }')
		f=$(awk -v a="$ipcpu" -v b="$mcpu" 'BEGIN { printf "%.3f", a / b }')
		tput[$size]+="$t "
		eff[$size]+="$f "
		printf '         msgr %7d B msgs %8.1f MB/s %7.1f cpu-ms/GB  throughput ratio %s  efficiency ratio %s\n' \
			"$size" "$m" "$mcpu" "$t" "$f"
	done
done
for size in 4194304 4096; do
	printf '%7d-byte messages: median throughput ratio %s, median efficiency ratio %s\n' "$size" \
		"$(tr ' ' '\n' <<<"${tput[$size]}" | grep . | median)" \
		"$(tr ' ' '\n' <<<"${eff[$size]}" | grep . | median)"
done
