#!/usr/bin/env bash
# osdc.sh - `cephc rados bench` beside `rados bench` (librados): same
# cluster, same pool, same workload (each write creates a new object named
# as rados names it, seq reads them back), 4 KiB and 4 MiB, 1 and 16 in
# flight, measured in one run.
#
#   bench/osdc.sh [BUILD_DIR] [SECONDS] [POOL]
#
# Uses the cluster of $CEPH_CONF (e.g. source DIR/env.sh from
# scripts/cluster.sh).  ops/s from each tool's "Average IOPS"; client CPU
# per op = user+sys of the whole process (bash `time`, start-up and connect
# included for both) / ops.  Ratios: cephc ops/s / rados ops/s, and rados
# CPU per op / cephc CPU per op (above 1: cephc is cheaper).  The pool is
# cleaned between cases so the memstore OSDs never fill up.  Each case runs
# OSDC_BENCH_ROUNDS times (default 2), the order of the tools alternating
# (the cluster drifts: a single pair favours one side), and the figures are
# means over the rounds.
set -euo pipefail

BUILD=${1:-build}
SECS=${2:-5}
POOL=${3:-test}
ROUNDS=${OSDC_BENCH_ROUNDS:-2}
CEPHC=$BUILD/cephc
[[ -x $CEPHC ]] || { echo "no $CEPHC: build first" >&2; exit 1; }
[[ -n ${CEPH_CONF:-} ]] || { echo "set CEPH_CONF (source DIR/env.sh)" >&2; exit 1; }

tmp=$(mktemp)
cleanup() { rados -p "$POOL" cleanup >/dev/null 2>&1 || true; }
trap 'rm -f "$tmp"; cleanup' EXIT

# bench TOOL MODE BS QD -> "ops/s cpu_us_per_op"
bench() {
	local tool=$1 mode=$2 bs=$3 qd=$4 t
	local TIMEFORMAT='%U %S'
	local cmd=(rados)
	local extra=()
	[[ $tool == cephc ]] && cmd=("$CEPHC" rados)
	[[ $mode == write ]] && extra=(-b "$bs" --no-cleanup)
	{ t=$( { time timeout $((SECS * 4 + 30)) "${cmd[@]}" -p "$POOL" bench \
		"$SECS" "$mode" -t "$qd" "${extra[@]}" >"$tmp" 2>/dev/null; } 2>&1 ); } || true
	python3 - "$tmp" "$t" <<'PY'
import re, sys
txt = open(sys.argv[1]).read()
u, s = (float(x) for x in sys.argv[2].split())
ops = re.search(r"Total (?:writes|reads) made:\s+(\d+)", txt)
iops = re.search(r"Average IOPS:\s+([\d.]+)", txt)
n = int(ops.group(1)) if ops else 0
print("%s %.1f" % (iops.group(1) if iops else "0", (u + s) * 1e6 / n if n else 0))
PY
}

# mean OPS1 CPU1 OPS2 CPU2 ... -> "mean_ops mean_cpu"
mean() {
	awk '{for (i = 1; i <= NF; i += 2) {o += $i; c += $(i + 1); n++}
	      printf "%.1f %.1f\n", o / n, c / n}' <<< "$*"
}

# warm up: a fresh cluster's first seconds of writes are slower (PG and
# memstore allocation), and whichever tool ran first paid for them
rados -p "$POOL" bench 3 write -t 16 -b 4096 >/dev/null 2>&1 || true
cleanup
printf '%-6s %-8s %-4s %10s %10s %8s %12s %12s %8s\n' op size qd \
	cephc_ops rados_ops ratio cephc_cpu/op rados_cpu/op cpu_x
for bs in 4096 4194304; do
	for qd in 1 16; do
		# each tool writes its own objects, then reads them back
		cw=(); cr=(); rw=(); rr=()
		for ((k = 0; k < ROUNDS; k++)); do
			if ((k % 2 == 0)); then order="cephc rados"; else order="rados cephc"; fi
			for tool in $order; do
				cleanup
				w=$(bench "$tool" write "$bs" "$qd")
				r=$(bench "$tool" seq "$bs" "$qd")
				if [[ $tool == cephc ]]; then cw+=($w); cr+=($r)
				else rw+=($w); rr+=($r); fi
			done
		done
		cw=$(mean "${cw[@]}"); cr=$(mean "${cr[@]}")
		rw=$(mean "${rw[@]}"); rr=$(mean "${rr[@]}")
		for m in write read; do
			if [[ $m == write ]]; then set -- $cw $rw; else set -- $cr $rr; fi
			python3 -c "
o,oc,ro,rc=$1,$2,$3,$4
print('%-6s %-8s %-4s %10.0f %10.0f %8.2f %12.1f %12.1f %8.2f' % ('$m', $bs, $qd, o, ro, o/ro if ro else 0, oc, rc, rc/oc if oc else 0))"
		done
	done
done
cleanup
