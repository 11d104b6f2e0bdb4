#!/usr/bin/env bash
# cephc osdmaptool against Ceph's osdmaptool, byte for byte on stdout, on
# the maps stored in tests/golden/osdmap (taken from a live 16.2.15
# cluster with pg_temp, primary_temp, pg_upmap(_items), primary affinity,
# reweights, an EC pool, pool snaps, quotas, a blocklist, pool options,
# cache tiers with hit sets) and on maps
# osdmaptool --createsimple builds now (1 to 1000 OSDs, --pg-bits,
# --pgp-bits).  Needs no cluster; skipped (77) without osdmaptool.
set -euo pipefail

SRC=${CEPHC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CEPHC=${CEPHC_BIN:-${CEPHC_BUILD_DIR:-$SRC/build}/cephc}
command -v osdmaptool >/dev/null || { echo "osdmaptool not installed: skip"; exit 77; }
[[ -x $CEPHC ]] || { echo "no cephc binary at $CEPHC"; exit 1; }

TMP=$(mktemp -d /tmp/cephc-osdmap-golden.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
fails=0 checks=0

# Under the sanitizers (CEPHC_SANITIZED) only every third comparison runs:
# the normal build runs them all, and the time goes to ASan's slowdown.
seen=0
compare() { # compare MAP ARGS...
	local map=$1
	shift
	seen=$((seen + 1))
	[ -n "${CEPHC_SANITIZED:-}" ] && [ $((seen % 3)) -ne 1 ] && return 0
	checks=$((checks + 1))
	osdmaptool "$map" "$@" >"$TMP/want" 2>/dev/null || true
	"$CEPHC" osdmaptool "$map" "$@" >"$TMP/got" 2>/dev/null || true
	if ! cmp -s "$TMP/want" "$TMP/got"; then
		fails=$((fails + 1))
		echo "MISMATCH: $(basename "$map") $*"
		diff "$TMP/want" "$TMP/got" | head -20 || true
	fi
}

# Maps built now by osdmaptool itself.
osdmaptool --createsimple 1 --with-default-pool "$TMP/s1" >/dev/null 2>&1
osdmaptool --createsimple 6 --with-default-pool "$TMP/s6" >/dev/null 2>&1
osdmaptool --createsimple 13 --with-default-pool --pg-bits 4 --pgp-bits 2 \
	"$TMP/s13" >/dev/null 2>&1
osdmaptool --createsimple 40 --with-default-pool --pg-bits 3 --pgp-bits 3 \
	"$TMP/s40" >/dev/null 2>&1
osdmaptool --createsimple 1000 --with-default-pool --pg-bits 2 \
	"$TMP/s1000" >/dev/null 2>&1

# 1000 OSDs in one straw2 host are slow to map (for osdmaptool too):
# a few checks only.
compare "$TMP/s1000" --print
compare "$TMP/s1000" --mark-up-in --mark-out 7 --test-map-pgs-dump-all
compare "$TMP/s1000" --mark-up-in --test-map-pgs --pool 1

for m in "$TMP"/s1 "$TMP"/s6 "$TMP"/s13 "$TMP"/s40; do
	compare "$m" --print
	compare "$m" --test-map-pgs-dump
	compare "$m" --mark-up-in --print
	compare "$m" --mark-up-in --test-map-pgs-dump-all
	compare "$m" --mark-up-in --test-map-pgs-dump --pool 1
	compare "$m" --mark-up-in --mark-out 0 --test-map-pgs
	compare "$m" --mark-up-in --test-map-object rbd_header.abc --pool 1
	compare "$m" --mark-up-in --test-map-pg 1.1f
	compare "$m" --mark-up 0 --mark-in 1 --test-map-pgs-dump-all
done

# --mark-up-in gives CRUSH weight 1.0 to devices of CRUSH weight 0 (in
# every bucket, weight sets included).  Maps: zero-weights.crush.txt with
# each host algorithm (straw v1 with straw_calc_version 1 and 0), with
# device classes, with choose_args, imported into a 12-OSD createsimple
# map.
zero_map() { # zero_map NAME HOST_ALG [class] [choose_args]
	local name=$1 alg=$2 sed_class=()
	[[ ${3:-} == class ]] && sed_class=(-e 's/^\(device [0-9]* osd\.[0-9]*\)$/\1 class hdd/'
		-e 's/step take default$/step take default class hdd/')
	{
		sed -e "/^host h2/,/^}/s/@ALG@/${alg/straw2-uniform/uniform}/" \
			-e "s/^tunable straw_calc_version 1$/tunable straw_calc_version ${SCV:-1}/" \
			-e "s/@ALG@/${alg%-uniform}/; s/@RALG@/straw2/" \
			"${sed_class[@]}" "$G/zero-weights.crush.txt"
		[[ ${4:-} == ca ]] && cat "$G/zero-weights-choose_args.txt"
	} >"$TMP/$name.txt"
	if ! crushtool -c "$TMP/$name.txt" -o "$TMP/$name.crush" \
		>/dev/null 2>&1 ||
		! osdmaptool --createsimple 12 --with-default-pool \
			"$TMP/$name" >/dev/null 2>&1 ||
		! osdmaptool "$TMP/$name" --import-crush "$TMP/$name.crush" \
			>/dev/null 2>&1; then
		echo "FAIL: cannot build $name"
		fails=$((fails + 1))
	fi
}
G=$SRC/tests/golden/osdmap
zero_map z-straw2 straw2
zero_map z-list list
zero_map z-tree tree
zero_map z-uniform straw2-uniform
zero_map z-class straw2 class
zero_map z-ca straw2 - ca
zero_map z-class-ca straw2 class ca
zero_map z-straw straw   # legacy straw: every straw length recomputed
SCV=0 zero_map z-straw-v0 straw
for m in z-straw2 z-list z-tree z-uniform z-class z-ca z-class-ca z-straw \
	z-straw-v0; do
	compare "$TMP/$m" --mark-up-in --test-map-pgs-dump-all
	compare "$TMP/$m" --mark-up-in --test-map-pgs
	compare "$TMP/$m" --mark-up-in --mark-out 2 --test-map-pgs-dump --pool 1
	compare "$TMP/$m" --test-map-pgs
done

# Maps taken from a live cluster (stored), plus osdmaptool --upmap's
# proposals applied to a createsimple map are covered by live-upmap.
for m in "$SRC"/tests/golden/osdmap/*.osdmap; do
	compare "$m" --print
	compare "$m" --test-map-pgs-dump-all
	compare "$m" --test-map-pgs-dump --pool 3
	compare "$m" --test-map-pgs
	compare "$m" --test-map-object foo --pool 2
	compare "$m" --test-map-object bar
	compare "$m" --test-map-pg 1.0
	compare "$m" --test-map-pg 3.12
	compare "$m" --mark-up-in --test-map-pgs-dump-all
	compare "$m" --mark-out 2 --test-map-pgs-dump-all
	compare "$m" --mark-up-in --mark-out 1 --print
done

# Maps with 2 to 136 blocklist entries: osdmaptool lists them in its
# unordered_map's iteration order.
for m in "$SRC"/tests/golden/osdmap/blocklist/*.osdmap; do
	compare "$m" --print
done

echo "$checks comparisons, $fails mismatches"
((fails == 0))
