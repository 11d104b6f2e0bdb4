#!/usr/bin/env bash
# Exclusive-lock hand-off times on a default-feature image: cephc <->
# librbd (bench_rbd_lock with the python3-rbd peer) beside librbd <->
# librbd (two python3-rbd clients), each a 4 KiB write that must first
# take the lock from the other client.  Prints median and mean per
# direction and the cephc/librbd ratios.
#   CEPHC_TEST_CONF=... bench/rbd_lock.sh BUILD_DIR [ROUNDS]
set -euo pipefail
conf=${CEPHC_TEST_CONF:?set CEPHC_TEST_CONF to a ceph.conf}
build=${1:-build}
rounds=${2:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
export CEPH_CONF=$conf
img=lockbench$$
work=$(mktemp -d)
trap 'rbd rm --no-progress "rbd/$img" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
rbd create --size 64M "rbd/$img"
"$build/bench_rbd_lock" "$conf" rbd "$img" "$top/bench/rbd_lock_peer.py" \
	"$rounds" > "$work/cephc"
/usr/bin/python3 "$top/bench/rbd_lock_peer.py" "$conf" rbd "$img" pingpong \
	"$rounds" > "$work/librbd"
# stats WHAT FILE: "median mean" in ms
stats() {
	awk -v w="$1" '$1 == w {print $2 * 1000}' "$2" | sort -n |
		awk '{v[NR] = $1; s += $1}
		     END {m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			  printf "%.1f %.1f\n", m, s / NR}'
}
read -r c1m c1a < <(stats "librbd->cephc" "$work/cephc")
read -r c2m c2a < <(stats "cephc->librbd" "$work/cephc")
read -r l1m l1a < <(stats "a->b" "$work/librbd")
read -r l2m l2a < <(stats "b->a" "$work/librbd")
printf "%-34s %10s %10s\n" "hand-off ($rounds each way), ms" median mean
printf "%-34s %10s %10s\n" "librbd -> cephc (cephc takes it)" "$c1m" "$c1a"
printf "%-34s %10s %10s\n" "cephc -> librbd (librbd takes it)" "$c2m" "$c2a"
printf "%-34s %10s %10s\n" "librbd -> librbd (a -> b)" "$l1m" "$l1a"
printf "%-34s %10s %10s\n" "librbd -> librbd (b -> a)" "$l2m" "$l2a"
printf "ratios of medians: cephc taking / librbd taking %.2f;" \
	"$(echo "$c1m / $l1m" | bc -l)"
printf " librbd taking from cephc / from librbd %.2f\n" \
	"$(echo "$c2m / $l2m" | bc -l)"
