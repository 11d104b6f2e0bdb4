#!/usr/bin/env bash
# `cephc rbd bench` beside `rbd bench` (librbd, --rbd-cache=false) on the
# same cluster: 4 KiB random write/read at 1 and 32 threads, 4 MiB
# sequential write/read.  Prints IOPS, mean latency (cephc measures it;
# for rbd it is threads / IOPS), CPU per op (user+sys of the client
# process / ops) and peak RSS, with cephc/rbd ratios.
#
# Fairness: each tool has its own layering-only image, pre-filled the same
# way, and both run the same cases, so both images live through the same
# history (memstore objects get slower to overwrite as 4 KiB writes split
# them up: one shared image favours whichever tool runs first).  Each case
# runs ROUNDS times, the order alternating, and the figures are totals
# over the rounds.
#   CEPHC_TEST_CONF=... bench/rbd.sh [path/to/cephc]
# Env: RBD_BENCH_4K_TOTAL (default 16M), RBD_BENCH_4M_TOTAL (default 256M),
#      RBD_BENCH_ROUNDS (default 2), RBD_BENCH_FEATURES (default layering;
#      "default" = Ceph's defaults: exclusive-lock, object-map, fast-diff,
#      deep-flatten too, so each tool keeps the lock and the object map),
#      RBD_BENCH_CASES (default all: a space-separated subset of w1 w32 r1
#      r32 w4m r4m).
set -euo pipefail
conf=${CEPHC_TEST_CONF:?set CEPHC_TEST_CONF to a ceph.conf}
bin=${1:-${CEPHC_BIN:-build/cephc}}
export CEPH_CONF=$conf
t4k=${RBD_BENCH_4K_TOTAL:-16M}
t4m=${RBD_BENCH_4M_TOTAL:-256M}
rounds=${RBD_BENCH_ROUNDS:-2}
features=${RBD_BENCH_FEATURES:-layering}
[ "$features" = default ] &&
	features=layering,exclusive-lock,object-map,fast-diff,deep-flatten
cases=${RBD_BENCH_CASES:-w1 w32 r1 r32 w4m r4m}
img_rbd=rbd/bench$$-rbd
img_cephc=rbd/bench$$-cephc
work=$(mktemp -d)
trap 'for i in "$img_rbd" "$img_cephc"; do
	rbd rm --no-progress "$i" >/dev/null 2>&1 || true; done
	rm -rf "$work"' EXIT
for i in "$img_rbd" "$img_cephc"; do
	rbd create --size 512M --image-feature "$features" "$i"
	# pre-fill so reads hit data, not holes
	rbd bench --io-type write --io-size 4M --io-threads 8 --io-total 512M \
		--rbd-cache=false "$i" >/dev/null
done

# run WHO ARGS...: prints "ops ops_per_sec lat_us cpu_s rss_kb"
run() {
	local who=$1; shift
	local out="$work/out" tm="$work/time"
	if [ "$who" = cephc ]; then
		/usr/bin/time -f "%U %S %M" -o "$tm" "$bin" rbd bench "$@" \
			"$img_cephc" > "$out" 2> "$work/err"
	else
		/usr/bin/time -f "%U %S %M" -o "$tm" rbd bench --rbd-cache=false \
			"$@" "$img_rbd" > "$out" 2> "$work/err"
	fi
	local ops iops threads lat
	ops=$(awk '/^elapsed/ {print $4}' "$out")
	iops=$(awk '/^elapsed/ {print $6}' "$out")
	threads=$(awk '/^bench/ {print $7}' "$out")
	if [ "$who" = cephc ]; then
		lat=$(awk '/cephc-bench/ {print $3}' "$work/err")
	else
		lat=$(awk -v t="$threads" -v i="$iops" 'BEGIN {printf "%.1f", t / i * 1e6}')
	fi
	read -r u s rss < <(tail -1 "$tm")
	echo "$ops $iops $lat $(echo "$u + $s" | bc -l) $rss"
}

# sum_rounds FILE: the rounds of one tool -> "iops lat_us cpu_us_per_op rss_kb"
# (IOPS = all ops / all time; latency weighted by ops; RSS the peak)
sum_rounds() {
	awk '{ops += $1; t += $1 / $2; lat += $1 * $3; cpu += $4
	      if ($5 > rss) rss = $5}
	     END {printf "%.0f %.1f %.2f %d\n", ops / t, lat / ops,
		  cpu * 1e6 / ops, rss}' "$1"
}

printf "%-22s %10s %10s %9s %9s %9s %9s %8s %8s %6s %6s %6s %6s\n" \
	case rbd_iops cephc_iops rbd_lat cephc_lat rbd_cpu cephc_cpu \
	rbd_rss cephc_rss iops_x lat_x cpu_x rss_x
echo "features: $features"
declare -A case_args=([w1]="write rand 4K 1 $t4k" [w32]="write rand 4K 32 $t4k"
	[r1]="read rand 4K 1 $t4k" [r32]="read rand 4K 32 $t4k"
	[w4m]="write seq 4M 8 $t4m" [r4m]="read seq 4M 8 $t4m")
for cs in $cases; do
	c=${case_args[$cs]:?unknown case $cs}
	read -r type pat size thr total <<< "$c"
	args=(--io-type "$type" --io-pattern "$pat" --io-size "$size"
		--io-threads "$thr" --io-total "$total")
	: > "$work/rbd.r"; : > "$work/cephc.r"
	for ((k = 0; k < rounds; k++)); do
		if ((k % 2 == 0)); then order="rbd cephc"; else order="cephc rbd"; fi
		for who in $order; do
			run "$who" "${args[@]}" >> "$work/$who.r"
		done
	done
	read -r ri rl rc rr < <(sum_rounds "$work/rbd.r")
	read -r ci cl cc cr < <(sum_rounds "$work/cephc.r")
	printf "%-22s %10s %10s %9s %9s %9s %9s %8s %8s %6.2f %6.2f %6.2f %6.2f\n" \
		"$type-$pat-$size-t$thr" "$ri" "$ci" "$rl" "$cl" "$rc" "$cc" \
		"$rr" "$cr" "$(echo "$ci / $ri" | bc -l)" \
		"$(echo "$cl / $rl" | bc -l)" "$(echo "$cc / $rc" | bc -l)" \
		"$(echo "$cr / $rr" | bc -l)"
done
echo "(lat in us: cephc measured per op, rbd = threads/IOPS; cpu in us/op;"
echo " rss in KiB; *_x = cephc / rbd: >1 better for iops, <1 better otherwise)"
