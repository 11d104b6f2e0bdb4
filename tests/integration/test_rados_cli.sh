#!/usr/bin/env bash
# cephc rados against Ceph's rados tool, both directions: objects of
# 0 B, 1 B, 4 KiB, 4 MiB + 1 and 64 MiB (sha256 equal), in the default and a
# named namespace; xattrs and omap written by one and read by the other;
# stat output identical; bench write + seq runs and cleans up.
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
bin=${CEPHC_BIN:?}
if [ -z "$conf" ]; then
	[ "${CEPHC_REQUIRE_CLUSTER:-0}" = 1 ] && { echo "no cluster"; exit 1; }
	exit 77
fi
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
C() { "$bin" -c "$conf" rados "$@"; }
R() { rados -c "$conf" "$@"; }
fail() { echo "FAIL: $*"; exit 1; }
pool=test
tag=cli$$

for ns in "" "ns_$tag"; do
	nsarg=(); [ -n "$ns" ] && nsarg=(-N "$ns")
	for size in 0 1 4096 $((4 * 1024 * 1024 + 1)) $((64 * 1024 * 1024)); do
		head -c "$size" /dev/urandom > "$w/in"
		want=$(sha256sum < "$w/in")
		# cephc writes, rados reads
		C -p $pool "${nsarg[@]}" put "o_${tag}_$size" "$w/in"
		R -p $pool "${nsarg[@]}" get "o_${tag}_$size" "$w/out1"
		[ "$(sha256sum < "$w/out1")" = "$want" ] || fail "rados read of cephc's $size B object differs (ns '$ns')"
		# rados writes, cephc reads
		R -p $pool "${nsarg[@]}" put "r_${tag}_$size" "$w/in"
		C -p $pool "${nsarg[@]}" get "r_${tag}_$size" "$w/out2"
		[ "$(sha256sum < "$w/out2")" = "$want" ] || fail "cephc read of rados' $size B object differs (ns '$ns')"
		[ "$(C -p $pool "${nsarg[@]}" stat "r_${tag}_$size")" = \
		  "$(R -p $pool "${nsarg[@]}" stat "r_${tag}_$size")" ] || fail "stat output differs"
		C -p $pool "${nsarg[@]}" rm "o_${tag}_$size" "r_${tag}_$size"
		if R -p $pool "${nsarg[@]}" stat "o_${tag}_$size" 2>/dev/null; then fail "rm left the object"; fi
		echo "ok: $size B (ns '$ns')"
	done
done

echo "== append, truncate, create"
printf 'abc' > "$w/a"
C -p $pool put "ap_$tag" "$w/a"
C -p $pool append "ap_$tag" "$w/a"
[ "$(R -p $pool get "ap_$tag" -)" = "abcabc" ] || fail "append"
C -p $pool truncate "ap_$tag" 2
[ "$(R -p $pool get "ap_$tag" -)" = "ab" ] || fail "truncate"
C -p $pool create "cr_$tag"
if C -p $pool create "cr_$tag" 2>/dev/null; then fail "exclusive create of an existing object succeeded"; fi

echo "== xattrs and omap, both directions"
C -p $pool setxattr "ap_$tag" a1 "value-from-cephc"
[ "$(R -p $pool getxattr "ap_$tag" a1)" = "value-from-cephc" ] || fail "xattr cephc->rados"
R -p $pool setxattr "ap_$tag" a2 "value-from-rados"
[ "$(C -p $pool getxattr "ap_$tag" a2)" = "value-from-rados" ] || fail "xattr rados->cephc"
C -p $pool rmxattr "ap_$tag" a1
if R -p $pool getxattr "ap_$tag" a1 2>/dev/null; then fail "rmxattr"; fi
C -p $pool setomapval "ap_$tag" k1 "omap-from-cephc"
R -p $pool setomapval "ap_$tag" k2 "omap-from-rados"
diff <(R -p $pool getomapval "ap_$tag" k1) <(C -p $pool getomapval "ap_$tag" k1) || fail "getomapval k1"
diff <(R -p $pool getomapval "ap_$tag" k2) <(C -p $pool getomapval "ap_$tag" k2) || fail "getomapval k2"
[ "$(R -p $pool listomapkeys "ap_$tag" | sort | tr '\n' ' ')" = "k1 k2 " ] || fail "omap keys"
C -p $pool rmomapkey "ap_$tag" k1
[ "$(R -p $pool listomapkeys "ap_$tag")" = "k2" ] || fail "rmomapkey"
C -p $pool rm "ap_$tag" "cr_$tag"

echo "== lspools"
diff <(C lspools | sort) <(R lspools | sort) || fail "lspools"

echo "== bench write/seq"
C -p $pool bench 2 write -t 8 -b 4096 --no-cleanup > "$w/bw"
grep -q "^Total writes made" "$w/bw" || fail "bench write output"
C -p $pool bench 2 seq -t 8 > "$w/bs"
grep -q "^Total reads made" "$w/bs" || fail "bench seq output"
C -p $pool cleanup | grep -q "^Removed" || fail "cleanup"
if R -p $pool ls | grep -q "benchmark_data_.*_$(
	grep -o 'benchmark_data_[^ ]*' "$w/bw" | head -1 | sed 's/.*_//')_object"; then
	fail "cleanup left bench objects"
fi
echo PASS
