#!/usr/bin/env bash
# The cluster's current OSDMap (ceph osd getmap): cephc osdmaptool output
# equals osdmaptool's, and `ceph osd map` equals cephc's formatting for
# objects in every pool, with and without a namespace, plain and JSON.
# The map carries 6 blocklist entries this test adds (osdmaptool prints
# them in its unordered_map's order, which cephc must reproduce) and takes
# back out on exit; nothing else on the cluster changes.  Skipped (77)
# without CEPHC_TEST_CONF unless CEPHC_REQUIRE_CLUSTER=1.
set -euo pipefail

SRC=${CEPHC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
CEPHC=${CEPHC_BIN:-${CEPHC_BUILD_DIR:-$SRC/build}/cephc}
if [[ -z ${CEPHC_TEST_CONF:-} ]]; then
	[[ ${CEPHC_REQUIRE_CLUSTER:-0} == 1 ]] && { echo "no cluster"; exit 1; }
	exit 77
fi
command -v osdmaptool >/dev/null || exit 77
CEPH=(ceph -c "$CEPHC_TEST_CONF")
[[ -n ${CEPHC_TEST_KEYRING:-} ]] && CEPH+=(--keyring "$CEPHC_TEST_KEYRING")

TMP=$(mktemp -d /tmp/cephc-osdmap-live.XXXXXX)
# Addresses no client uses (documentation ranges), nonces unique to this
# run so that concurrent runs never remove each other's entries.
BL=()
for i in 1 2 3 4 5 6; do
	case $i in
	1 | 4) BL+=("198.51.100.$((i * 17)):$((6800 + i))/$(($$ * 8 + i))") ;;
	2 | 5) BL+=("[2001:db8::$i]:0/$(($$ * 8 + i))") ;;
	*) BL+=("203.0.113.$i:0/$(($$ * 8 + i))") ;;
	esac
done
unblock() {
	local a
	for a in "${BL[@]}"; do
		"${CEPH[@]}" osd blocklist rm "$a" >/dev/null 2>&1 || true
	done
	rm -rf "$TMP"
}
trap unblock EXIT
for a in "${BL[@]}"; do
	# they expire within the hour should the trap never run
	"${CEPH[@]}" osd blocklist add "$a" 3600 >/dev/null 2>&1 ||
		{ echo "cannot blocklist $a"; exit 1; }
done
fails=0 checks=0
check() { # check NAME WANTFILE GOTFILE
	checks=$((checks + 1))
	if ! cmp -s "$2" "$3"; then
		fails=$((fails + 1))
		echo "MISMATCH: $1"
		diff "$2" "$3" | head -20 || true
	fi
}

# Take the map, and retake it until `ceph osd map` answers from the same
# epoch (the cluster may move on while we compare).
for attempt in 1 2 3 4 5; do
	# Other tests create and delete pools meanwhile: a command about a
	# pool that just went fails, which is a moved map, not a test failure
	# (set -e would end the test without a word).
	"${CEPH[@]}" osd getmap -o "$TMP/map" 2>/dev/null || { sleep 1; continue; }
	for a in "--print" "--test-map-pgs-dump-all" "--test-map-pgs"; do
		osdmaptool "$TMP/map" $a >"$TMP/want" 2>/dev/null
		"$CEPHC" osdmaptool "$TMP/map" $a >"$TMP/got" 2>/dev/null || true
		check "osdmaptool $a" "$TMP/want" "$TMP/got"
	done
	pools=$("${CEPH[@]}" osd pool ls 2>/dev/null || true)
	moved=0
	for pool in $pools; do
		for obj in foo bar rbd_directory "rbd_data.1234.0000000000000001"; do
			for ns in "" ns1; do
				nsarg=() nsopt=()
				[[ -n $ns ]] && nsarg=("$ns") nsopt=(--namespace "$ns")
				for fmt in plain json; do
					"${CEPH[@]}" osd map "$pool" "$obj" "${nsarg[@]}" \
						--format "$fmt" >"$TMP/want" 2>/dev/null || true
					"$CEPHC" osdmaptool "$TMP/map" --osd-map "$pool" \
						--object "$obj" "${nsopt[@]}" --format "$fmt" \
						>"$TMP/got" 2>/dev/null || true
					if ! cmp -s "$TMP/want" "$TMP/got" &&
						! grep -q "osdmap e$(osdmaptool "$TMP/map" --print 2>/dev/null | awk '/^epoch/{print $2}') \|\"epoch\":$(osdmaptool "$TMP/map" --print 2>/dev/null | awk '/^epoch/{print $2}')," "$TMP/want"; then
						moved=1
					else
						check "osd map $pool $obj $ns $fmt" "$TMP/want" "$TMP/got"
					fi
				done
			done
		done
	done
	((moved)) || break
	# a busy shared cluster may move on every time: the osdmaptool
	# comparisons of the last map still stand (same file both sides)
	if ((attempt == 5)); then
		echo "the map kept moving: live 'osd map' checks that moved skipped"
		break
	fi
	fails=0 checks=0
done
n_bl=$(osdmaptool "$TMP/map" --print 2>/dev/null | grep -c '^blocklist ' || true)
((n_bl >= ${#BL[@]})) || { echo "map has $n_bl blocklist entries"; fails=$((fails + 1)); }
echo "$checks comparisons, $fails mismatches"
((fails == 0 && checks > 0))
