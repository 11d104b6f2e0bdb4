#!/usr/bin/env bash
# Clone reads against rbd (librbd 16.2): images made by `rbd clone`
# (layering only) and partly overwritten by rbd are read by cephc
# byte-identical to `rbd export`: objects missing in the child come from
# the parent at the parent snapshot, only up to the overlap (a shrunk and
# regrown child reads zeros past it), through every level of a clone of a
# clone, across striping layouts and namespaces, at child snapshots.
# rbd info / ls -l show the parent like rbd.  cephc writes clones too:
# objects copied up from the parent as librbd does (fsx against a model,
# then librbd's export, snapshots and flatten) and removes them, detached
# from the parent as librbd does.
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
bin=${CEPHC_BIN:?}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
work=$(mktemp -d)
tag=clr$$x$RANDOM
pool=${tag}p
cleanup() {
	ceph osd pool rm "$pool" "$pool" --yes-i-really-really-mean-it >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
sum() { sha256sum | cut -d' ' -f1; }
check_same() { # spec: cephc export == rbd export
	[ "$("$bin" rbd export --no-progress "$1" - | sum)" = \
	  "$(rbd export --no-progress "$1" - | sum)" ] ||
		fail "$1: cephc reads the clone differently from rbd"
}
wr() { # spec io-total: random 4K..64K writes by rbd
	rbd bench --io-type write --io-pattern rand --io-size "$3" \
		--io-total "$2" "$1" >/dev/null
}

ceph osd pool create "$pool" 8 >/dev/null 2>&1
rbd pool init "$pool" >/dev/null 2>&1 || true
rbd namespace create "$pool/nsa"
head -c $((7 << 20)) /dev/urandom > "$work/src"
head -c 300001 /dev/urandom >> "$work/src"

# --- 1. one level, plain and striped parents ----------------------------
for layout in "--order 20" "--order 16 --stripe-unit 8K --stripe-count 3 --image-feature striping"; do
	n=${layout//[^0-9]/}
	# shellcheck disable=SC2086
	rbd import --no-progress --image-feature layering $layout "$work/src" "$pool/p$n" 2>/dev/null
	rbd snap create "$pool/p$n@s" >/dev/null 2>&1
	rbd snap protect "$pool/p$n@s"
	rbd clone --image-feature layering "$pool/p$n@s" "$pool/c$n"
	check_same "$pool/c$n" # nothing written yet: all from the parent
	wr "$pool/c$n" 600K 4096
	wr "$pool/c$n" 1M 65536
	# the parent moves on after the snapshot; the clone must not see it
	wr "$pool/p$n" 1M 65536
	check_same "$pool/c$n"
	diff <(rbd info "$pool/c$n") <("$bin" rbd info "$pool/c$n") ||
		fail "info of a clone differs"
done
echo "ok: clones of plain and striped parents"

# --- 2. overlap: shrink then grow the child -----------------------------
c=$pool/c20
rbd resize --no-progress --allow-shrink --size 3M "$c"
rbd resize --no-progress --size 10M "$c"
check_same "$c"
[ "$("$bin" rbd export --no-progress "$c" - | tail -c $((7 << 20)) | tr -d '\0' | wc -c)" = 0 ] ||
	fail "bytes past the overlap are not zero"
diff <(rbd info --format json "$c") <("$bin" rbd info --format json "$c") ||
	fail "info json of a shrunk clone differs"
echo "ok: overlap limits parent reads"

# --- 3. a clone of a clone (v2 across namespaces), and at a snapshot -----
rbd snap create "$pool/c20@s2" >/dev/null 2>&1
rbd snap protect "$pool/c20@s2"
rbd clone --rbd-default-clone-format 2 --image-feature layering "$pool/c20@s2" "$pool/nsa/g1"
wr "$pool/nsa/g1" 300K 4096
rbd snap create "$pool/nsa/g1@s3" >/dev/null 2>&1
rbd snap protect "$pool/nsa/g1@s3"
rbd clone --rbd-default-clone-format 2 --image-feature layering "$pool/nsa/g1@s3" "$pool/g2"
wr "$pool/g2" 200K 8192
wr "$pool/nsa/g1" 500K 4096 # after the snapshot g2 comes from
check_same "$pool/g2"
check_same "$pool/nsa/g1"
check_same "$pool/nsa/g1@s3"
check_same "$pool/c20@s2"
diff <(rbd info "$pool/g2") <("$bin" rbd info "$pool/g2") ||
	fail "info of a second-level clone differs"
diff <(rbd ls -l "$pool") <("$bin" rbd ls -l "$pool") || fail "ls -l differs"
diff <(rbd ls -l --format json "$pool/nsa") <("$bin" rbd ls -l --format json "$pool/nsa") ||
	fail "ls -l json differs"
echo "ok: clone of a clone, namespaces, snapshots"

# --- 4. cephc writes clones (copy-up) ------------------------------------
# fsx on clones, its model starting from `rbd export`: the head reads as
# fsx expects through cephc and identically through librbd; the snapshots
# taken before still show the parent (copy-up with an empty snap context
# first; shrinks copy up what the snapshots still need); librbd's flatten
# afterwards keeps every byte.
fsx=${CEPHC_BUILD_DIR:?}/fsx
N=3000
[ -n "${CEPHC_SANITIZED:-}" ] && N=600
fsx_clone() { # spec snap-or-empty
	local spec=$1 snap=$2 before=$work/before head=$work/head
	rbd export --no-progress "$spec" - > "$work/start"
	[ -z "$snap" ] || rbd export --no-progress "$spec@$snap" - > "$before"
	"$fsx" -c "$conf" -N "$N" -l 8M -o 192K -E "$work/start" "$spec" >"$work/fsx" 2>&1 ||
		{ cat "$work/fsx"; fail "fsx on clone $spec"; }
	check_same "$spec"
	if [ -n "$snap" ]; then
		[ "$(rbd export --no-progress "$spec@$snap" - | sum)" = "$(sum < "$before")" ] ||
			fail "$spec@$snap changed under writes to the head"
		check_same "$spec@$snap"
	fi
	rbd export --no-progress "$spec" - > "$head"
	rbd flatten --no-progress "$spec" >/dev/null 2>&1 || fail "flatten $spec"
	[ "$(rbd export --no-progress "$spec" - | sum)" = "$(sum < "$head")" ] ||
		fail "$spec reads differently after flatten"
	if [ -n "$snap" ]; then
		[ "$(rbd export --no-progress "$spec@$snap" - | sum)" = "$(sum < "$before")" ] ||
			fail "$spec@$snap changed by flatten"
	fi
}
rbd clone --image-feature layering "$pool/p20@s" "$pool/w20"
fsx_clone "$pool/w20" ""
rbd clone --image-feature layering,striping "$pool/p1683@s" "$pool/w1683"
rbd snap create "$pool/w1683@k" >/dev/null 2>&1
wr "$pool/w1683" 200K 4096 # objects librbd copied up before we write
fsx_clone "$pool/w1683" k
rbd clone --rbd-default-clone-format 2 --image-feature layering "$pool/nsa/g1@s3" "$pool/nsa/w3"
rbd snap create "$pool/nsa/w3@k" >/dev/null 2>&1
fsx_clone "$pool/nsa/w3" k # parent itself a clone
echo "ok: writes to clones (copy-up), $N fsx ops each"

# --- 5. cephc removes clones ---------------------------------------------
# v1 (rbd_children) and v2 (child_detach on the parent, across namespaces):
# afterwards the parent snapshot no longer lists them.  (w1683 and w3 stay
# listed: their own snapshots still use the parent after the flatten.)
rbd children "$pool/p1683@s" | grep -q c1683 || fail "c1683 not a child"
"$bin" rbd rm --no-progress "$pool/c1683" || fail "rm of a v1 clone"
! rbd children "$pool/p1683@s" | grep -q c1683 || fail "v1 child still listed"
rbd children "$pool/nsa/g1@s3" | grep -q g2 || fail "g2 not a child"
"$bin" rbd rm --no-progress "$pool/g2" || fail "rm of a v2 clone"
! rbd children "$pool/nsa/g1@s3" | grep -q g2 || fail "v2 child still listed"
rbd ls "$pool" | grep -qx g2 && fail "g2 still listed"
# a v2 clone of a snapshot that was removed since (snapshot trash): the
# snapshot goes with its last clone, as librbd removes it
rbd snap create "$pool/p20@t" >/dev/null 2>&1
rbd clone --rbd-default-clone-format 2 --image-feature layering "$pool/p20@t" "$pool/x2"
rbd snap rm --no-progress "$pool/p20@t" >/dev/null 2>&1
rbd snap ls --all "$pool/p20" | grep -q "trash (t)" || fail "t not in the trash"
"$bin" rbd rm --no-progress "$pool/x2" 2>"$work/err" ||
	fail "rm of the last clone of a trashed snapshot: $(cat "$work/err")"
rbd snap ls --all "$pool/p20" | grep -q "trash" &&
	fail "the trashed parent snapshot stayed"
echo "ok: clone removal (v1, v2 across namespaces, trashed parent snapshot removed with it)"
