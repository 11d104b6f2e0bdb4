#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# Differential test: `cephc crushtool --test` must print exactly what Ceph's
# own crushtool prints, byte for byte, for the same map and arguments.
#
# Maps: tests/golden/crush/all_algs.txt (every bucket algorithm, rule step,
# device classes) compiled under each tunables profile, with and without a
# choose_args section (default index -1, pool 0, pool 5), plus maps built
# with `crushtool --build` for every algorithm, 1000+ OSDs and deep trees,
# and --set-* tunables, and 25 random maps (gen_random_map.py).  Needs crushtool (Ceph's), not a cluster: skips
# (77) when crushtool or the cephc binary is missing.
set -u

CEPHC_BIN=${CEPHC_BIN:-${CEPHC_BUILD_DIR:-build}/cephc}
SRC=${CEPHC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
G=$SRC/tests/golden/crush

if ! command -v crushtool >/dev/null 2>&1; then
	echo "SKIP: crushtool not installed"
	exit 77
fi
if [ ! -x "$CEPHC_BIN" ]; then
	echo "SKIP: cephc binary not found at $CEPHC_BIN"
	exit 77
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/cephc-crush-golden.XXXXXX")
trap 'rm -rf "$T"' EXIT

fails=0
cases=0
mappings=0

# compare MAP ARGS...: run both tools, diff stdout and exit status.
# Under the sanitizers (CEPHC_SANITIZED) only every third case runs: the
# normal build runs them all, and the time goes to ASan's slowdown.
seen=0
compare() {
	local map=$1
	shift
	seen=$((seen + 1))
	[ -n "${CEPHC_SANITIZED:-}" ] && [ $((seen % 3)) -ne 1 ] && return 0
	crushtool -i "$map" --test "$@" >"$T/want" 2>/dev/null
	local want_rc=$?
	"$CEPHC_BIN" crushtool -i "$map" --test "$@" >"$T/got" 2>"$T/got.err"
	local got_rc=$?
	cases=$((cases + 1))
	mappings=$((mappings + $(grep -c '^CRUSH rule' "$T/want")))
	if [ $want_rc -ne $got_rc ] || ! cmp -s "$T/want" "$T/got"; then
		fails=$((fails + 1))
		echo "FAIL: $(basename "$map") $* (rc want $want_rc got $got_rc)"
		diff "$T/want" "$T/got" | head -5
		head -3 "$T/got.err"
	fi
}

tunables() {
	case $1 in
	legacy | argonaut)
		printf 'tunable choose_local_tries 2\ntunable choose_local_fallback_tries 5\ntunable choose_total_tries 19\ntunable chooseleaf_descend_once 0\ntunable chooseleaf_vary_r 0\ntunable chooseleaf_stable 0\ntunable straw_calc_version 0\n' ;;
	bobtail)
		printf 'tunable choose_local_tries 0\ntunable choose_local_fallback_tries 0\ntunable choose_total_tries 50\ntunable chooseleaf_descend_once 1\ntunable chooseleaf_vary_r 0\ntunable chooseleaf_stable 0\ntunable straw_calc_version 1\n' ;;
	firefly)
		printf 'tunable choose_local_tries 0\ntunable choose_local_fallback_tries 0\ntunable choose_total_tries 50\ntunable chooseleaf_descend_once 1\ntunable chooseleaf_vary_r 1\ntunable chooseleaf_stable 0\ntunable straw_calc_version 1\n' ;;
	hammer)
		printf 'tunable choose_local_tries 0\ntunable choose_local_fallback_tries 0\ntunable choose_total_tries 50\ntunable chooseleaf_descend_once 1\ntunable chooseleaf_vary_r 1\ntunable chooseleaf_stable 0\ntunable straw_calc_version 1\ntunable allowed_bucket_algs 54\n' ;;
	jewel | optimal)
		printf 'tunable choose_local_tries 0\ntunable choose_local_fallback_tries 0\ntunable choose_total_tries 50\ntunable chooseleaf_descend_once 1\ntunable chooseleaf_vary_r 1\ntunable chooseleaf_stable 1\ntunable straw_calc_version 1\ntunable allowed_bucket_algs 54\n' ;;
	odd)
		# Unusual but legal values: vary_r 3, few tries, fallback on.
		printf 'tunable choose_local_tries 1\ntunable choose_local_fallback_tries 3\ntunable choose_total_tries 7\ntunable chooseleaf_descend_once 0\ntunable chooseleaf_vary_r 3\ntunable chooseleaf_stable 1\ntunable straw_calc_version 1\n' ;;
	esac
}

# 1. Hand-written map with every algorithm and step, per tunables profile.
for prof in legacy bobtail firefly hammer jewel odd; do
	for idx in none 18446744073709551615 0 5; do
		m=$T/all_algs-$prof-$idx.map
		{
			tunables $prof
			cat "$G/all_algs.txt"
			[ $idx = none ] || sed "s/INDEX/$idx/" "$G/choose_args.txt"
		} >"$T/src.txt"
		if ! crushtool -c "$T/src.txt" -o "$m" --enable-unsafe-tunables \
			>/dev/null 2>&1; then
			echo "FAIL: crushtool could not compile all_algs ($prof $idx)"
			fails=$((fails + 1))
			continue
		fi
		compare "$m" --show-mappings --show-bad-mappings
		compare "$m" --show-mappings --num-rep 3 --min-x 0 --max-x 1999 \
			--weight 5 0.5 --weight 17 0 --weight 3 0.25 --weight 22 0.9
	done
done
m=$T/all_algs-jewel-18446744073709551615.map
if [ -f "$m" ]; then
	compare "$m" --show-bad-mappings --num_rep=6 --pool-id 3
	compare "$m" --show-mappings --rule 2 --num-rep 8 --x 77
	compare "$m" --show-mappings --ruleset 4 --min-x 10 --max-x 500
	compare "$m" --show-mappings --min-rule 3 --max-rule 6 --num-rep 0
	compare "$m" --show-mappings --rule 99
	compare "$m" --show-mappings --max-x 5 # min-x unset: 0..1023
	compare "$m" --show-bad-mappings --weight 17 0 --weight 18 0 \
		--weight 19 0 --weight 20 0 --num-rep 10
fi

# 2. Built maps: every algorithm as each layer, large and deep trees.
build() {
	local name=$1 n=$2
	shift 2
	crushtool -o "$T/$name.map" --build --num_osds "$n" "$@" >/dev/null 2>&1
}
build b-straw2-13 13 host straw2 4 rack straw2 2 root straw2 0
build b-uniform 40 host uniform 4 rack list 3 root straw 0
build b-tree 60 host tree 5 rack straw 4 root list 0
build b-list 48 host list 6 rack tree 4 root uniform 0
build b-straw 36 host straw 3 rack straw2 3 root tree 0
build b-1200 1200 host straw2 12 rack straw2 10 root straw2 0
build b-deep 512 ssdgrp straw2 2 host straw2 2 chassis straw2 2 \
	rack straw2 2 row straw2 2 pdu straw2 2 room straw2 2 root straw2 0
build b-wide-uniform 1024 host uniform 32 root straw2 0
for name in b-straw2-13 b-uniform b-tree b-list b-straw b-1200 b-deep \
	b-wide-uniform; do
	m=$T/$name.map
	if [ ! -f "$m" ]; then
		echo "FAIL: crushtool --build $name"
		fails=$((fails + 1))
		continue
	fi
	compare "$m" --show-mappings --show-bad-mappings
	compare "$m" --show-mappings --num-rep 3 --min-x 0 --max-x 1999 \
		--weight 1 0.5 --weight 2 0 --weight 7 0.1
	# Legacy tunables on the same tree (local retries, fallback perm).
	crushtool -i "$m" --set-choose-local-tries 2 \
		--set-choose-local-fallback-tries 5 --set-choose-total-tries 19 \
		--set-chooseleaf-descend-once 0 --set-chooseleaf-vary-r 0 \
		--set-chooseleaf-stable 0 -o "$m.legacy" >/dev/null 2>&1
	[ -f "$m.legacy" ] && compare "$m.legacy" --show-mappings \
		--show-bad-mappings --num-rep 4 --weight 3 0.3
done

# 3. Random maps (fixed seeds): random trees, algorithms, weights, tunables
# and rules.  A map crushtool itself cannot test (it crashes on some) is
# skipped, not counted.
if command -v python3 >/dev/null 2>&1; then
	for seed in $(seq 1 25); do
		m=$T/random-$seed.map
		python3 "$G/gen_random_map.py" "$seed" >"$T/random.txt" &&
			crushtool -c "$T/random.txt" -o "$m" \
				--enable-unsafe-tunables >/dev/null 2>&1 || continue
		timeout 120 crushtool -i "$m" --test --show-bad-mappings \
			--num-rep 2 --min-x 0 --max-x 9 >/dev/null 2>&1 || continue
		compare "$m" --show-mappings --show-bad-mappings \
			--weight 1 0.5 --weight 2 0
	done
fi

# 4. Maps whose retry counts make Ceph's mapper spin: cephc refuses them
# at decode (crushtool would loop for hours, so it is not run on them).
refuse() {
	local name=$1
	shift
	crushtool -i "$T/b-straw2-13.map" "$@" -o "$T/$name.map" >/dev/null 2>&1
	cases=$((cases + 1))
	if [ ! -f "$T/$name.map" ]; then
		echo "FAIL: crushtool $* -o $name.map"
		fails=$((fails + 1))
	elif timeout 60 "$CEPHC_BIN" crushtool -i "$T/$name.map" --test \
		--show-mappings >/dev/null 2>"$T/got.err"; then
		echo "FAIL: cephc crushtool accepted $name ($*)"
		fails=$((fails + 1))
	elif ! grep -q 'exceeds a configured maximum' "$T/got.err"; then
		echo "FAIL: $name: unexpected error: $(head -1 "$T/got.err")"
		fails=$((fails + 1))
	fi
}
refuse spin-total --set-choose-total-tries 2000000000
refuse spin-local --set-choose-local-tries 1000000
refuse spin-fallback --set-choose-local-fallback-tries 1000000

echo "crushtool golden: $cases cases, $mappings mappings compared, $fails failed"
[ $fails -eq 0 ]
