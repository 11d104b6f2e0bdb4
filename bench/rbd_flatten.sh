#!/usr/bin/env bash
# rbd_flatten.sh - flatten of a 256 MiB clone (parent fully written):
# `cephc rbd flatten` beside `rbd flatten` (librbd), wall time of each
# command, connect included, on fresh v2 clones of the same parent
# snapshot, alternating so machine noise hits both alike.
#
#   bench/rbd_flatten.sh [BUILD_DIR] [ROUNDS] [SIZE_MIB]
#
# Needs a cluster (CEPH_CONF, e.g. from scripts/cluster.sh's env.sh).
# Prints per round both times, then the medians and the ratio
# librbd / cephc (> 1: cephc faster).  Both use the default
# rbd_concurrent_management_ops (10).
set -euo pipefail

BUILD=${1:-build}
ROUNDS=${2:-5}
MIB=${3:-256}
BIN=$BUILD/cephc
[[ -x $BIN ]] || { echo "no $BIN: build first" >&2; exit 1; }
[[ -n ${CEPH_CONF:-} ]] || { echo "CEPH_CONF is not set" >&2; exit 1; }
pool=bflat$$
cleanup() {
	ceph osd pool rm "$pool" "$pool" --yes-i-really-really-mean-it >/dev/null 2>&1 || true
}
trap cleanup EXIT
ceph osd pool create "$pool" 16 >/dev/null 2>&1
rbd pool init "$pool" >/dev/null 2>&1 || true
rbd create --size "${MIB}M" "$pool/parent"
rbd bench --io-type write --io-pattern seq --io-size 4M --io-threads 8 \
	--io-total "${MIB}M" "$pool/parent" >/dev/null 2>&1
rbd snap create "$pool/parent@s" >/dev/null 2>&1

secs() { # command...: wall seconds
	local t=$EPOCHREALTIME
	"$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
	awk -v a="$t" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3f", b - a }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

c_times= r_times=
for ((r = 1; r <= ROUNDS; r++)); do
	for who in cephc rbd; do
		rbd clone --rbd-default-clone-format 2 "$pool/parent@s" "$pool/$who$r"
	done
	if ((r % 2)); then order="cephc rbd"; else order="rbd cephc"; fi
	for who in $order; do
		if [[ $who == cephc ]]; then
			tc=$(secs "$BIN" rbd flatten --no-progress "$pool/cephc$r")
		else
			tr=$(secs rbd flatten --no-progress "$pool/rbd$r")
		fi
	done
	printf 'round %d: cephc %6.3f s  librbd %6.3f s\n' "$r" "$tc" "$tr"
	c_times+="$tc "
	r_times+="$tr "
	rbd rm --no-progress "$pool/cephc$r" >/dev/null 2>&1
	rbd rm --no-progress "$pool/rbd$r" >/dev/null 2>&1
done
mc=$(tr ' ' '\n' <<<"$c_times" | sed '/^$/d' | median)
mr=$(tr ' ' '\n' <<<"$r_times" | sed '/^$/d' | median)
printf 'flatten of a %d MiB clone, %d rounds: median cephc %.3f s, librbd %.3f s, librbd/cephc %.2f\n' \
	"$MIB" "$ROUNDS" "$mc" "$mr" "$(awk -v a="$mr" -v b="$mc" 'BEGIN { print a / b }')"
