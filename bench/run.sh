#!/usr/bin/env bash
# make bench: every benchmark beside the Ceph (or system) peer it is
# measured against, in the same run, reported as ratios.  Benchmarks are
# never tests: they print figures and exit 0 unless something broke.
#   bench/run.sh BUILD_DIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
export CEPHC_BUILD_DIR=$build CEPHC_BIN=$build/cephc
section() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

section "crc32c (ISA-L and portable), GB/s"
[ -x "$build/bench_crc32c" ] && "$build/bench_crc32c"

section "messenger throughput vs single-stream loopback TCP (iperf3)"
[ -x "$top/bench/msgr.sh" ] && bash "$top/bench/msgr.sh" "$build" 3 3

# CRUSH and placement on a generated 1000-OSD map (root > 10 racks >
# 10 hosts > 10 OSDs, straw2), beside crushtool on the same map.
tmp=$(mktemp -d)
crushtool -o "$tmp/crush" --build --num_osds 1000 host straw2 10 rack straw2 10 \
	root straw2 0 >/dev/null 2>&1
if [ -x "$build/bench_crush" ] && [ -s "$tmp/crush" ]; then
	section "CRUSH mappings, 1000 OSDs (cephc bench_crush)"
	"$build/bench_crush" "$tmp/crush" 0 3 200000
	section "the same 200000 mappings: crushtool vs cephc crushtool (CPU s)"
	/usr/bin/time -f "  crushtool       %U+%S s" crushtool -i "$tmp/crush" --test \
		--rule 0 --num-rep 3 --min-x 0 --max-x 199999 --show-mappings >/dev/null
	/usr/bin/time -f "  cephc crushtool %U+%S s" "$build/cephc" crushtool -i "$tmp/crush" \
		--test --rule 0 --num-rep 3 --min-x 0 --max-x 199999 --show-mappings >/dev/null
fi
if [ -x "$build/bench_placement" ]; then
	osdmaptool --createsimple 1000 --with-default-pool --pg-bits 6 \
		"$tmp/osdmap" >/dev/null 2>&1
	section "object -> OSD placement, 1000-OSD map (cephc bench_placement)"
	"$build/bench_placement" "$tmp/osdmap" 300000
fi
rm -rf "$tmp"

# Benchmarks against a live cluster: a fresh throwaway cluster each.  The
# memstore OSDs keep what they allocated after objects are removed (6 GB
# each after bench/osdc.sh), and a machine short of memory slowed the next
# benchmark's 4 MiB writes fourfold.
live=()
for s in osdc.sh rbd.sh rbd_lock.sh rbd_snap.sh rbd_flatten.sh rbd_diff.sh nbd.sh; do [ -f "$top/bench/$s" ] && live+=("$s"); done
dir=
trap '[ -z "$dir" ] || { bash "$top/scripts/cluster.sh" down --dir "$dir" >/dev/null 2>&1; rm -rf "$dir"; }' EXIT
for s in "${live[@]}"; do
	dir=$(mktemp -d /tmp/cephc-bench.XXXXXX)
	bash "$top/scripts/cluster.sh" up --dir "$dir" >/dev/null
	export CEPHC_TEST_CONF=$dir/ceph.conf CEPH_CONF=$dir/ceph.conf
	section "$s (beside Ceph's own client, same cluster)"
	case $s in
	osdc.sh) bash "$top/bench/osdc.sh" "$build" 5 test ;;
	rbd.sh) bash "$top/bench/rbd.sh" "$build/cephc"
		section "rbd.sh on default-feature images (exclusive lock, object map)"
		RBD_BENCH_FEATURES=default RBD_BENCH_CASES="w1 w32 w4m" \
			bash "$top/bench/rbd.sh" "$build/cephc" ;;
	rbd_lock.sh) bash "$top/bench/rbd_lock.sh" "$build" 20 ;;
	rbd_snap.sh) bash "$top/bench/rbd_snap.sh" "$build" 20 ;;
	rbd_flatten.sh) bash "$top/bench/rbd_flatten.sh" "$build" 5 256 ;;
	rbd_diff.sh) bash "$top/bench/rbd_diff.sh" "$build" ;;
	nbd.sh) bash "$top/bench/nbd.sh" "$build" ;;
	esac
	bash "$top/scripts/cluster.sh" down --dir "$dir" >/dev/null 2>&1
	rm -rf "$dir"
	dir=
	unset CEPHC_TEST_CONF CEPH_CONF
done
