#!/usr/bin/env bash
# Snapshot create and remove latency on a default-feature image that the
# client has open and owns the lock of: cephc (bench_rbd_snap, in
# process) beside librbd (python3-rbd, in process), same cluster, same
# run, one image each.  Prints median and mean per call and the
# cephc/librbd ratios of the medians (< 1: cephc faster).
#   CEPHC_TEST_CONF=... bench/rbd_snap.sh BUILD_DIR [ROUNDS]
set -euo pipefail
conf=${CEPHC_TEST_CONF:?set CEPHC_TEST_CONF to a ceph.conf}
build=${1:-build}
rounds=${2:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
export CEPH_CONF=$conf
img=snapbench$$
work=$(mktemp -d)
trap 'for i in c l; do rbd snap purge --no-progress "rbd/$img$i" >/dev/null 2>&1; rbd rm --no-progress "rbd/$img$i" >/dev/null 2>&1; done; rm -rf "$work"' EXIT
rbd create --size 64M "rbd/${img}c"
rbd create --size 64M "rbd/${img}l"
"$build/bench_rbd_snap" "$conf" rbd "${img}c" "$rounds" > "$work/cephc"
/usr/bin/python3 "$top/bench/rbd_snap_peer.py" "$conf" rbd "${img}l" \
	"$rounds" > "$work/librbd"
# stats WHAT FILE: "median mean" in ms
stats() {
	awk -v w="$1" '$1 == w {print $2 * 1000}' "$2" | sort -n |
		awk '{v[NR] = $1; s += $1}
		     END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			  printf "%.1f %.1f\n", m, s / NR}'
}
read -r ccm cca < <(stats create "$work/cephc")
read -r crm cra < <(stats remove "$work/cephc")
read -r lcm lca < <(stats create "$work/librbd")
read -r lrm lra < <(stats remove "$work/librbd")
printf "%-28s %10s %10s %16s\n" "snapshot ($rounds rounds), ms" median mean "cephc/librbd"
printf "%-28s %10s %10s %16.2f\n" "create: cephc" "$ccm" "$cca" "$(echo "$ccm / $lcm" | bc -l)"
printf "%-28s %10s %10s\n" "create: librbd" "$lcm" "$lca"
printf "%-28s %10s %10s %16.2f\n" "remove: cephc" "$crm" "$cra" "$(echo "$crm / $lrm" | bc -l)"
printf "%-28s %10s %10s\n" "remove: librbd" "$lrm" "$lra"
