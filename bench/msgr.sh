#!/usr/bin/env bash
# msgr.sh - messenger throughput beside single-stream loopback TCP (iperf3),
# measured in the same run, alternating so machine noise hits both alike.
#
#   bench/msgr.sh [BUILD_DIR] [SECONDS] [ROUNDS]
#
# Prints per-round numbers and, per message size, the median ratio
# msgr / iperf3.  Target (docs/performance.md): >= 80 % at 4 MiB.
set -euo pipefail

BUILD=${1:-build}
SECS=${2:-3}
ROUNDS=${3:-3}
BENCH=$BUILD/bench_msgr
[[ -x $BENCH ]] || { echo "no $BENCH: build first" >&2; exit 1; }
command -v iperf3 >/dev/null || { echo "iperf3 not installed" >&2; exit 1; }

# iperf3 on a free port: one server per round (-1 exits after one test).
iperf_mbs() {
	local port=$((20000 + RANDOM % 20000)) pid out
	iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
	pid=$!
	sleep 0.3
	out=$(iperf3 -c 127.0.0.1 -p "$port" -t "$SECS" -J 2>/dev/null) || true
	wait "$pid" 2>/dev/null || true
	python3 -c 'import json,sys
d=json.loads(sys.stdin.read())
print("%.1f" % (d["end"]["sum_received"]["bits_per_second"] / 8e6))' <<<"$out"
}

msgr_mbs() {
	"$BENCH" -s "$1" -t "$SECS" | sed -n 's/.*MB\/s=\([0-9.]*\).*/\1/p'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

declare -A ratios
for ((r = 1; r <= ROUNDS; r++)); do
	ip=$(iperf_mbs)
	for size in 4194304 4096; do
		m=$(msgr_mbs "$size")
		ratio=$(awk -v a="$m" -v b="$ip" 'BEGIN { printf "%.3f", a / b }')
		ratios[$size]+="$ratio "
		printf 'round %d: iperf3 %8.1f MB/s  msgr(%7d B msgs) %8.1f MB/s  ratio %s\n' \
			"$r" "$ip" "$size" "$m" "$ratio"
	done
done
for size in 4194304 4096; do
	med=$(tr ' ' '\n' <<<"${ratios[$size]}" | grep . | median)
	printf 'median ratio msgr/iperf3 at %d-byte messages: %s\n' "$size" "$med"
done
