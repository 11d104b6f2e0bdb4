#!/usr/bin/env bash
# cephc rbd diff / du against rbd (librbd 16.2) on images librbd wrote
# (python3-rbd, rbd snap create, rbd clone): the plain and JSON outputs
# (XML and the pretty forms too, on some) must be identical, for
#  - from creation and --from-snap, with and without --whole-object;
#  - the E8 scenario of rbd-features.md §4 (its outputs checked literally);
#  - fast-diff valid, the HEAD map flagged FAST_DIFF_INVALID (set_flags),
#    and a snapshot's map object removed; a stray data object put behind
#    librbd's back tells which path ran (the maps do not know it);
#  - snapshots in between (an object born and removed between them),
#    a shrink after a snapshot, partial and whole-object discards;
#  - a striped image (stripe count 4), a v2 clone (parent included),
#    IMAGE@SNAP opens, an empty image;
#  - rbd du (pool, image, IMAGE@SNAP, --from-snap, --exact, JSON), with
#    fast-diff, without it, and with the map invalid (warnings compared).
set -Eeuo pipefail
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND (exit $?)"' ERR
conf=${CEPHC_TEST_CONF:-}
bin=${CEPHC_BIN:?}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
work=$(mktemp -d)
tag=tdf$$x$RANDOM
pool=${tag}p
cleanup() {
	ceph osd pool rm "$pool" "$pool" --yes-i-really-really-mean-it >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
pass=0
failn=0
# passes are counted (listed with CEPHC_TEST_VERBOSE=1), so that a failure
# stays in sight in CI's excerpt of the output
ok() { pass=$((pass + 1)); [ -z "${CEPHC_TEST_VERBOSE:-}" ] || echo "ok: $*"; }
bad() { failn=$((failn + 1)); echo "FAIL: $*"; }

ceph osd pool create "$pool" 8 >/dev/null 2>&1
rbd pool init "$pool" >/dev/null 2>&1 || true
export POOL=$pool

# python3-rbd writes: py IMAGE 'w OFF LEN BYTE; d OFF LEN; s SNAP; r SIZE'
py() {
	/usr/bin/python3 - "$@" <<'EOF'
import os, sys, rados, rbd
c = rados.Rados(conffile=os.environ["CEPH_CONF"]); c.connect()
io = c.open_ioctx(os.environ["POOL"])
with rbd.Image(io, sys.argv[1]) as im:
    for step in sys.argv[2].split(";"):
        a = step.split()
        if not a:
            continue
        if a[0] == "w":
            im.write(a[3].encode() * int(a[2]), int(a[1]))
        elif a[0] == "d":
            im.discard(int(a[1]), int(a[2]))
        elif a[0] == "s":
            im.create_snap(a[1])
        elif a[0] == "r":
            im.resize(int(a[1]))
io.close(); c.shutdown()
EOF
}
# set_flags(flags, mask, snap_id) on the header (rbd-features.md §3.7)
set_flags() {
	/usr/bin/python3 - "$@" <<'EOF'
import os, struct, sys, rados
c = rados.Rados(conffile=os.environ["CEPH_CONF"]); c.connect()
io = c.open_ioctx(os.environ["POOL"])
snap = int(sys.argv[4]) if len(sys.argv) > 4 else 0xfffffffffffffffe
io.execute("rbd_header." + sys.argv[1], "rbd", "set_flags",
           struct.pack("<QQQ", int(sys.argv[2]), int(sys.argv[3]), snap))
io.close(); c.shutdown()
EOF
}
id_of() { rbd info "$pool/$1" | awk '/^\tid:/ {print $2}'; }
snap_id_of() { rbd snap ls "$pool/$1" | awk -v s="$2" '$2 == s {print $1}'; }

# stderr alike, librbd's own log lines ("2026-...") aside
# (they come from another thread and may even land inside rbd's line)
no_log() {
	/usr/bin/python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1], errors="replace").read()
t = re.sub(r"\d{4}-\d\d-\d\dT[\d:.+]+ [0-9a-f]+ +-?\d+ [^\n]*\n?", "", t)
sys.stdout.write("".join(l + "\n" for l in t.split("\n") if l))
PY
}
same_err() {
	cmp -s <(no_log "$work/re") <(no_log "$work/ce")
}
# rbd itself, run again (twice at most) when it dies of a signal: librbd
# 16.2.15 now and then aborts in its io_context_pool thread under load
# (std::system_error), which says nothing about cephc
rbd() {
	local rc i o e
	o=$(mktemp) e=$(mktemp)
	for i in 1 2 3; do
		rc=0
		# in a subshell: bash's own "Aborted" line stays out of $e
		(command rbd "$@" >"$o" 2>"$e") 2>/dev/null || rc=$?
		[ "$rc" -lt 128 ] && break
	done
	cat "$o"
	cat "$e" >&2
	rm -f "$o" "$e"
	return "$rc"
}
# same SPEC [ARGS]: rbd diff and cephc rbd diff agree, plain and JSON
# (FMTS), with and without --whole-object
FMTS="plain json"
same() {
	local spec=$1; shift
	local wo fmt what
	for wo in "" --whole-object; do
		for fmt in $FMTS; do
			what="diff $* $wo --format $fmt $spec"
			rbd diff "$@" $wo --format $fmt "$pool/$spec" >"$work/r" 2>"$work/re" || echo "exit $?" >>"$work/r"
			"$bin" rbd diff "$@" $wo --format $fmt "$pool/$spec" >"$work/c" 2>"$work/ce" || echo "exit $?" >>"$work/c"
			if cmp -s "$work/r" "$work/c" && same_err; then
				ok "$what"
			else
				bad "$what"
				diff "$work/r" "$work/c" | head -20 || true
			fi
		done
	done
}
# same_du ARGS: rbd du and cephc rbd du agree (stdout and stderr)
same_du() {
	local fmt
	for fmt in $FMTS; do
		rbd du --format $fmt "$@" >"$work/r" 2>"$work/re" || echo "exit $?" >>"$work/r"
		"$bin" rbd du --format $fmt "$@" >"$work/c" 2>"$work/ce" || echo "exit $?" >>"$work/c"
		if cmp -s "$work/r" "$work/c" && same_err; then
			ok "du $* --format $fmt"
		else
			bad "du $* --format $fmt"
			diff "$work/r" "$work/c" | head -20 || true
			diff "$work/re" "$work/ce" | head -5 || true
		fi
	done
}
# same_cmd ARGS...: rbd ARGS and cephc rbd ARGS agree (exit code too)
same_cmd() {
	rbd "$@" >"$work/r" 2>"$work/re" || echo "exit $?" >>"$work/r"
	"$bin" rbd "$@" >"$work/c" 2>"$work/ce" || echo "exit $?" >>"$work/c"
	if cmp -s "$work/r" "$work/c" && same_err; then
		ok "$*"
	else
		bad "$*"
		diff "$work/r" "$work/c" | head -20 || true
		diff "$work/re" "$work/ce" | head -5 || true
	fi
}
# expect WHAT EXPECTED ARGS...: cephc's plain diff lines (header dropped)
expect() {
	local what=$1 want=$2; shift 2
	local got
	got=$("$bin" rbd diff "$@" | tail -n +2 | awk '{print $1, $2, $3}' | paste -sd ';' -)
	if [ "$got" = "$want" ]; then ok "$what"; else bad "$what: got '$got', want '$want'"; fi
}

M=$((1 << 20))
# --- 1. E8 (rbd-features.md §4): 32 MiB, object 0 discarded after s1,
#        object 2 rewritten, object 5 new ---------------------------------
rbd create --size 32M "$pool/e8"
py e8 "w 0 4096 a; w $((8 * M)) 12288 b; s s1; w $((8 * M)) 4096 c; d 0 $((4 * M)); w $((20 * M)) 8192 d"
expect "E8 from creation" "8388608 12288 data;20971520 8192 data" "$pool/e8"
expect "E8 from s1" "0 4096 zero;8388608 4096 data;20971520 8192 data" --from-snap s1 "$pool/e8"
expect "E8 from s1 whole" "0 4194304 zero;8388608 4194304 data;20971520 4194304 data" --from-snap s1 --whole-object "$pool/e8"
expect "E8 whole" "8388608 4194304 data;20971520 4194304 data" --whole-object "$pool/e8"
FMTS="plain json xml"
same e8
same e8 --from-snap s1
FMTS="plain json"
same_cmd diff --format json --pretty-format --from-snap s1 "$pool/e8"
same_cmd diff --format xml --pretty-format --from-snap s1 "$pool/e8"
same_cmd diff --format json-pretty "$pool/e8"
same_cmd diff --pretty-format "$pool/e8"
same e8@s1

# --- 2. snapshots in between, partial discards, shrink -------------------
rbd create --size 40M "$pool/mid"
py mid "w 0 $M a; w $((5 * M)) 4096 b; w $((12 * M)) 8192 c; s s1; w $((16 * M)) 4096 d; s s2; d $((16 * M)) $((4 * M)); w $((4 * M)) 65536 e; s s3; d $((12 * M + 65536)) 65536; d $((5 * M)) $((3 * M)); w $((28 * M)) 4096 f"
same mid
same mid --from-snap s1
same mid --from-snap s2
same mid@s3 --from-snap s1
same mid@s2
py mid "s s4; r $((30 * M))"
same mid --from-snap s4
same mid --from-snap s1

# --- 3. fast-diff valid / invalid: a stray object the maps do not know ---
rbd create --size 32M "$pool/fd"
py fd "w 0 4096 a; w $((4 * M)) 4096 b; s s1; w $((8 * M)) 4096 c"
fid=$(id_of fd)
rados -p "$pool" put "rbd_data.$fid.$(printf %016x 6)" /etc/hostname
same fd
same fd --from-snap s1
stray=$("$bin" rbd diff --whole-object "$pool/fd" | grep -c '^25165824' || true)
[ "$stray" = 0 ] && ok "fast-diff path: the stray object is not in the maps" || bad "fast-diff path not taken"
set_flags "$fid" 2 2
same fd
same fd --from-snap s1
stray=$("$bin" rbd diff --whole-object "$pool/fd" | grep -c '^25165824' || true)
[ "$stray" = 1 ] && ok "FAST_DIFF_INVALID: list-snaps path sees the stray object" || bad "scan not used with the map invalid"
set_flags "$fid" 0 2
stray=$("$bin" rbd diff --whole-object "$pool/fd" | grep -c '^25165824' || true)
[ "$stray" = 0 ] && ok "flag cleared: fast-diff again" || bad "fast-diff not used once valid"
rados -p "$pool" rm "rbd_object_map.$fid.$(printf %016x "$(snap_id_of fd s1)")"
same fd --from-snap s1
rados -p "$pool" rm "rbd_object_map.$fid"
same fd
stray=$("$bin" rbd diff --whole-object "$pool/fd" | grep -c '^25165824' || true)
[ "$stray" = 1 ] && ok "HEAD map missing: list-snaps path" || bad "scan not used without the HEAD map"
# (rbd cannot open it for du now)
rbd snap purge --no-progress "$pool/fd" >/dev/null 2>&1
rbd rm --no-progress "$pool/fd" >/dev/null 2>&1

# --- 4. striped image ----------------------------------------------------
rbd create --size 24M --object-size 1M --stripe-unit 64K --stripe-count 4 "$pool/st"
py st "w 0 300000 a; w $((5 * M + 4096)) 70000 b; s s1; w $((9 * M)) 200000 c; d 65536 65536; d $((5 * M)) $((2 * M)); w $((20 * M)) 4096 d"
same st
same st --from-snap s1
same st@s1

# --- 5. clone (v2): parent data through include_parent -------------------
rbd create --size 16M "$pool/par"
py par "w 0 $M p; w $((6 * M)) 8192 q; w $((13 * M)) 4096 r; s ps"
rbd clone --rbd-default-clone-format 2 "$pool/par@ps" "$pool/chi" >/dev/null
same chi
py chi "w $((6 * M + 4096)) 4096 x; w $((9 * M)) 4096 y; s c1; d 0 $((4 * M)); w $((14 * M)) 4096 z"
same chi
same chi --from-snap c1
same chi@c1
rbd clone --rbd-default-clone-format 2 --image-feature layering "$pool/par@ps" "$pool/chi2" >/dev/null
py chi2 "w $((2 * M)) 4096 x"
same chi2

# --- 6. empty image, image without fast-diff -----------------------------
rbd create --size 8M "$pool/empty"
same empty
rbd snap create --no-progress "$pool/empty@e1" >/dev/null 2>&1
same empty --from-snap e1
rbd create --size 16M --image-feature layering,exclusive-lock "$pool/nofd"
py nofd "w 0 4096 a; s n1; w $((5 * M)) 4096 b; d 0 4096"
same nofd
same nofd --from-snap n1

# --- 7. du ---------------------------------------------------------------
FMTS="plain json xml"
same_du -p "$pool"
FMTS="plain json"
same_cmd du --format json --pretty-format -p "$pool"
same_cmd du --format xml --pretty-format "$pool/mid"
same_du "$pool/e8"
same_du "$pool/nosuch"
same_du "$pool/mid"
same_du "$pool/mid@s2"
same_du --from-snap s2 "$pool/mid"
same_du --exact "$pool/mid"
same_du "$pool/nofd"
set_flags "$(id_of e8)" 3 3
same_du "$pool/e8"
same_du "$pool/e8@s1"
set_flags "$(id_of e8)" 3 3 "$(snap_id_of e8 s1)"
same_du "$pool/e8"
same e8 --from-snap s1
same_du --exact -p "$pool"
same_du -p "$pool"

# --- snapshots taken by cephc (rbd-features.md §10 case 10) ----------------
# cephc writes, snapshots, rewrites part of it and snapshots again on a
# default-feature image; rbd's diffs of it equal cephc's
rbd create --size 32M "$pool/cs" >/dev/null
"$bin" rbd bench --io-type write --io-size 4M --io-total 12M "$pool/cs" >/dev/null
"$bin" rbd snap create "$pool/cs@c1" >/dev/null
"$bin" rbd bench --io-type write --io-size 4K --io-total 64K --io-pattern rand "$pool/cs" >/dev/null
"$bin" rbd snap create "$pool/cs@c2" >/dev/null
same cs
same cs --from-snap c1
same cs@c2 --from-snap c1
same_du "$pool/cs"

echo "$pass passed, $failn failed"
[ "$failn" -eq 0 ]
