#!/usr/bin/env bash
# osdc.sh - cephc's RADOS object I/O beside `rados bench` (librados), same
# cluster, same pool, same sizes and queue depths, measured in one run.
#
#   bench/osdc.sh [BUILD_DIR] [SECONDS] [POOL]
#
# Uses the cluster of $CEPH_CONF (e.g. source DIR/env.sh from
# scripts/cluster.sh).  For 4 KiB and 4 MiB, 1 and 16 in flight, writes then
# reads: ops/s and client CPU per op (user+sys of the client process, from
# getrusage for cephc and from bash `time` for rados, which includes its
# start-up and connect, ~0.1 s).  Ratios: cephc ops/s / rados ops/s and
# rados CPU per op / cephc CPU per op (above 1: cephc is cheaper).
set -euo pipefail

BUILD=${1:-build}
SECS=${2:-5}
POOL=${3:-test}
BENCH=$BUILD/bench_osdc
[[ -x $BENCH ]] || { echo "no $BENCH: build first" >&2; exit 1; }
[[ -n ${CEPH_CONF:-} ]] || { echo "set CEPH_CONF (source DIR/env.sh)" >&2; exit 1; }

ours=$("$BENCH" -p "$POOL" -s "$SECS")
echo "$ours"

# rados bench MODE BS QD -> "ops/s cpu_us_per_op"
rb() {
	local mode=$1 bs=$2 qd=$3 out t
	local TIMEFORMAT='%U %S'
	local extra=()
	[[ $mode == write ]] && extra=(-b "$bs" --no-cleanup)
	{ t=$( { time rados bench -p "$POOL" "$SECS" "$mode" -t "$qd" \
		"${extra[@]}" >"$tmp" 2>/dev/null; } 2>&1 ); } || true
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

tmp=$(mktemp)
trap 'rm -f "$tmp"; rados -p "$POOL" cleanup >/dev/null 2>&1 || true' EXIT
printf '\n%-6s %-8s %-4s %10s %10s %8s %12s %12s %8s\n' op size qd \
	cephc_ops rados_ops ratio cephc_cpu/op rados_cpu/op cpu_x
for bs in 4096 4194304; do
	for qd in 1 16; do
		w=$(rb write "$bs" "$qd")
		r=$(rb seq "$bs" "$qd")
		rados -p "$POOL" cleanup >/dev/null 2>&1 || true
		for m in write read; do
			line=$(grep "osdc $m $bs qd$qd " <<<"$ours")
			o=$(sed -E 's/.*ops\/s=([0-9.]+).*/\1/' <<<"$line")
			oc=$(sed -E 's/.*cpu_us\/op=([0-9.]+).*/\1/' <<<"$line")
			[[ $m == write ]] && set -- $w || set -- $r
			python3 -c "
o,oc,ro,rc=$o,$oc,$1,$2
print('%-6s %-8s %-4s %10.0f %10.0f %8.2f %12.1f %12.1f %8.2f' % ('$m', $bs, $qd, o, ro, o/ro if ro else 0, oc, rc, rc/oc if oc else 0))"
		done
	done
done
