#!/usr/bin/env bash
# cephc rados against Ceph's rados tool, both directions: objects of
# 0 B, 1 B, 4 KiB, 4 MiB + 1 and 64 MiB (sha256 equal), in the default and a
# named namespace; xattrs and omap written by one and read by the other;
# stat output identical; ls (namespaces, --all), listxattr, listomapkeys and
# listomapvals byte-identical to rados; bench write + seq runs and cleans up.
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
bin=${CEPHC_BIN:?}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
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

echo "== listings: ls (namespaces, --all, locator), listxattr, listomap*"
# Bulk setup through librados' python binding: 200 objects over every PG,
# a namespace, a locator key, and an object with 1100 omap keys (more than
# one 512-key page) and binary xattr / omap values.
/usr/bin/python3 - "$conf" "$pool" "$tag" <<'PY'
import sys, rados
conf, pool, tag = sys.argv[1:4]
c = rados.Rados(conffile=conf)
c.connect()
io = c.open_ioctx(pool)
for i in range(200):
    io.write_full("ls_%s_%d" % (tag, i), b"x")
io.set_namespace("lsns_" + tag)
for i in range(20):
    io.write_full("nsobj_%s_%d" % (tag, i), b"y")
io.set_locator_key("loc_" + tag)
io.write_full("withloc_" + tag, b"z")
io.set_locator_key("")
io.set_namespace("")
o = "om_" + tag
io.write_full(o, b"")
keys = tuple("key%05d" % i for i in range(1100))
vals = tuple(bytes([i % 256]) * (i % 37) for i in range(1100))
with rados.WriteOpCtx() as op:
    io.set_omap(op, keys, vals)
    io.operate_write_op(op, o)
io.set_xattr(o, "user.bin", bytes(range(40)))
io.set_xattr(o, "plain", b"v")
io.close()
c.shutdown()
PY
diff <(R -p $pool ls) <(C -p $pool ls) || fail "ls differs from rados ls"
[ "$(C -p $pool ls | grep -c "^ls_${tag}_")" = 200 ] || fail "ls missed objects"
diff <(R -p $pool -N "lsns_$tag" ls) <(C -p $pool -N "lsns_$tag" ls) || fail "ls -N differs"
diff <(R -p $pool --all ls) <(C -p $pool --all ls) || fail "ls --all differs"
grep -q "^lsns_$tag	withloc_$tag	loc_$tag\$" <<< "$(C -p $pool --all ls)" || fail "ls --all: no NS/OBJ/LOCATOR line"
diff <(R -p rbd ls) <(C -p rbd ls) || fail "ls of another pool differs"
for c in listxattr listomapkeys listomapvals; do
	diff <(R -p $pool $c "om_$tag") <(C -p $pool $c "om_$tag") || fail "$c differs"
	diff <(R -p $pool $c "ls_${tag}_0") <(C -p $pool $c "ls_${tag}_0") || fail "$c (empty) differs"
	if C -p $pool $c "nosuch_$tag" 2>/dev/null; then fail "$c of a missing object succeeded"; fi
done
[ "$(C -p $pool listomapkeys "om_$tag" | wc -l)" = 1100 ] || fail "listomapkeys paging"
/usr/bin/python3 - "$conf" "$pool" "$tag" <<'PY'
import sys, rados
conf, pool, tag = sys.argv[1:4]
c = rados.Rados(conffile=conf)
c.connect()
io = c.open_ioctx(pool)
for i in range(200):
    io.remove_object("ls_%s_%d" % (tag, i))
io.remove_object("om_" + tag)
io.set_namespace("lsns_" + tag)
for i in range(20):
    io.remove_object("nsobj_%s_%d" % (tag, i))
io.set_locator_key("loc_" + tag)
io.remove_object("withloc_" + tag)
c.shutdown()
PY

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
