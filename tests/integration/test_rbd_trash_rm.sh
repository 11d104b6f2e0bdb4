#!/usr/bin/env bash
# rbd ls / trash / rm parity between cephc and rbd (librbd 16.2):
#  - `rbd ls` order and content: format 1 names (librbd 16 refuses to
#    create format 1 images, so the test writes the rbd_directory tmap a
#    format 1 creator leaves), format 2 names, then half-removed images
#    (trash entries with source REMOVING); -l and --format json too;
#  - `trash mv|ls|restore|rm` both ways;
#  - `cephc rbd rm` of images with exclusive-lock, object-map, fast-diff
#    leaves the pool exactly as `rbd rm` does; it refuses while another
#    client has the image open; it breaks (after blocklisting) the lock of
#    a client that died holding it, as librbd does.
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
bin=${CEPHC_BIN:?}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
work=$(mktemp -d)
tag=trt$$x$RANDOM
pool=${tag}p
bench_pid=
cleanup() {
	[ -n "$bench_pid" ] && kill "$bench_pid" 2>/dev/null && wait "$bench_pid" 2>/dev/null
	ceph osd pool rm "$pool" "$pool" --yes-i-really-really-mean-it >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
same_out() {
	local a b ra=0 rb=0
	a=$("$bin" rbd "$@" 2>/dev/null) || ra=$?
	b=$(rbd "$@" 2>/dev/null) || rb=$?
	[ "$a" = "$b" ] || fail "rbd $*: stdout differs:
cephc: $a
rbd:   $b"
	[ "$ra" = "$rb" ] || fail "rbd $*: exit $ra, rbd exits $rb"
}
objects() { rados -p "$pool" ls --all | sort; }
py() { /usr/bin/python3 - "$@"; }

# A pool of our own, so the object listings below see only this test.
ceph osd pool create "$pool" 8 >/dev/null 2>&1
rbd pool init "$pool" >/dev/null 2>&1 || true

# --- 1. rbd ls: v1 names, v2 names, REMOVING trash entries ---------------
rbd create --size 4M --image-feature layering "$pool/zeta"
rbd create --size 4M --image-feature layering "$pool/alpha"
rbd create --size 4M "$pool/half"
rbd snap create "$pool/alpha@s1" >/dev/null 2>&1
# format 1 directory: tmap { header "", {old-b: "", old-a: ""} }
py "$conf" "$pool" <<'PY'
import rados, struct, sys
c = rados.Rados(conffile=sys.argv[1]); c.connect()
io = c.open_ioctx(sys.argv[2])
s = lambda b: struct.pack("<I", len(b)) + b
io.write_full("rbd_directory", s(b"") + struct.pack("<I", 2) + s(b"old-a") + s(b"") + s(b"old-b") + s(b""))
# "half": an image whose removal stopped after the move to the trash
iid = io.execute("rbd_directory", "rbd", "dir_get_id", s(b"half"))[1]
iid = iid[4:]
spec = bytes([3]) + s(b"half") + struct.pack("<IIII", 1000, 0, 1000, 0) + bytes([0])
io.execute("rbd_trash", "rbd", "trash_add", s(iid) + bytes([2, 1]) + struct.pack("<I", len(spec)) + spec)
io.remove_object("rbd_id.half")
io.execute("rbd_directory", "rbd", "dir_remove_image", s(b"half") + s(iid))
PY
[ "$(rbd ls "$pool" | tr '\n' ' ')" = "old-a old-b alpha zeta half " ] ||
	fail "the oracle lists: $(rbd ls "$pool" | tr '\n' ' ')"
same_out ls "$pool"
same_out ls --format json "$pool"
same_out ls -l "$pool"
same_out ls -l --format json "$pool"
same_out trash ls "$pool"
same_out trash ls --all "$pool"
same_out trash ls -l --all --format json "$pool"
echo "ok: ls"

# cephc finishes the interrupted removal; rbd agrees it is gone
hid=$(rados -p "$pool" listomapkeys rbd_trash | sed -n "s/^id_//p")
"$bin" rbd trash rm "$pool/$hid"
rbd ls "$pool" | grep -qx half && fail "half still listed"
objects | grep -q "$hid" && fail "objects of half left: $(objects | grep "$hid")"
echo "ok: interrupted removal finished"

# --- 2. trash mv / restore / rm both ways --------------------------------
rbd create --size 4M --image-feature layering,exclusive-lock "$pool/tr1"
"$bin" rbd trash mv "$pool/tr1"
same_out trash ls "$pool"
same_out trash ls -l "$pool"
tid=$(rbd trash ls "$pool" | awk '$2 == "tr1" {print $1}')
[ -n "$tid" ] || fail "rbd does not see cephc's trash entry"
same_out trash restore "$pool/${tag}nope"
"$bin" rbd trash restore --image tr2 "$pool/$tid"
rbd info "$pool/tr2" >/dev/null || fail "restored image missing"
rbd trash mv "$pool/tr2"
same_out trash ls --format json "$pool"
same_out trash restore "$pool/$tid" --image zeta   # EEXIST
"$bin" rbd trash rm "$pool/$tid"
[ -z "$(rbd trash ls --all "$pool")" ] || fail "trash not empty"
objects | grep -q "$tid" && fail "objects of the trashed image left"
echo "ok: trash"

# --- 3. rm of a default-feature image, compared with rbd rm -------------
mk() { # name: exclusive-lock, object-map, fast-diff, some data
	rbd create --size 20M --image-feature layering,exclusive-lock,object-map,fast-diff "$pool/$1"
	rbd bench --io-type write --io-size 64K --io-total 3M --io-pattern rand "$pool/$1" >/dev/null
}
objects > "$work/before"
mk r-rbd
rbd rm --no-progress "$pool/r-rbd" >/dev/null 2>&1
objects > "$work/after-rbd"
mk r-cephc
image_id() { rbd info --format json "$1" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }
id=$(image_id "$pool/r-cephc")
[ -n "$id" ] || fail "no id for r-cephc"
"$bin" rbd rm "$pool/r-cephc"
objects > "$work/after-cephc"
diff "$work/after-rbd" "$work/after-cephc" || fail "cephc rm leaves the pool unlike rbd rm"
grep -q "$id" "$work/after-cephc" && fail "objects of r-cephc left"
[ "$(rados -p "$pool" listomapkeys rbd_trash | wc -l)" = 0 ] || fail "trash entries left"
echo "ok: rm of an exclusive-lock/object-map image"

# refused while another client has it open (and holds the lock)
mk busy
rbd bench --io-type write --io-size 4K --io-total 10G "$pool/busy" >/dev/null 2>&1 &
bench_pid=$!
for _ in $(seq 50); do
	[ -n "$(rbd lock ls "$pool/busy" 2>/dev/null)" ] && break
	sleep 0.2
done
rc=0; "$bin" rbd rm "$pool/busy" 2>"$work/err" || rc=$?
[ "$rc" = 16 ] || fail "rm of an image in use: exit $rc ($(cat "$work/err"))"
grep -q "still has watchers" "$work/err" || fail "refusal text: $(cat "$work/err")"
rbd info "$pool/busy" >/dev/null || fail "busy image damaged"
kill "$bench_pid"; wait "$bench_pid" 2>/dev/null || true; bench_pid=
# its lock and watch stay until the OSD times the watch out; the pool goes
# away with the test
echo "ok: rm refused while in use"

# a client that died holding the lock: librbd blocklists it and breaks it
mk dead
hdr=rbd_header.$(image_id "$pool/dead")
py "$conf" "$pool" "$hdr" <<'PY'
import rados, struct, sys
c = rados.Rados(conffile=sys.argv[1]); c.connect()
io = c.open_ioctx(sys.argv[2])
s = lambda b: struct.pack("<I", len(b)) + b
# cls lock.lock as librbd takes it: exclusive, cookie "auto <n>", tag "internal"
body = s(b"rbd_lock") + bytes([1]) + s(b"auto 42") + s(b"internal") + s(b"") + struct.pack("<II", 0, 0) + bytes([0])
io.execute(sys.argv[3], "lock", "lock", bytes([1, 1]) + struct.pack("<I", len(body)) + body)
c.shutdown()
PY
[ -n "$(rbd lock ls "$pool/dead")" ] || fail "no stale lock to break"
before=$(ceph osd blocklist ls 2>/dev/null | grep -c . || true)
"$bin" rbd rm "$pool/dead" || fail "rm with a dead lock holder"
rbd info "$pool/dead" >/dev/null 2>&1 && fail "image still there"
after=$(ceph osd blocklist ls 2>/dev/null | grep -c . || true)
[ "$after" -gt "$before" ] || fail "the dead holder was not blocklisted"
echo "ok: dead lock holder blocklisted and broken"

# trash mv --expires-at (dates as date(1) reads them) and trash purge:
# user entries whose deferment ended go, in id order; --expired-before
# moves the cut-off; other entries stay
ns=purge
rbd namespace create "$pool/$ns"
for i in 1 2 3 4; do
	rbd create --size 8M --image-feature layering "$pool/$ns/p$i"
done
rbd bench --io-type write --io-size 64K --io-total 1M "$pool/$ns/p3" >/dev/null
"$bin" rbd trash mv --expires-at "2030-06-01" "$pool/$ns/p1"
rbd trash mv --expires-at "2030-06-01" "$pool/$ns/p2"
"$bin" rbd trash mv "$pool/$ns/p3"
rbd trash mv "$pool/$ns/p4"
status() { rbd trash ls -l "$pool/$ns" | awk -v n="$1" '$2 == n {print $0}' |
	sed 's/.*\(protected until\|expired at\)/\1/'; }
# rbd itself ends the deferment at 23:59:59 or, when a second ticks
# between its reading of the clock and librbd's (connecting takes a
# while), at 00:00:00: the two must agree within that second
until_s() { date --date "$(status "$1" | sed 's/^protected until //')" +%s; }
s1=$(until_s p1) && s2=$(until_s p2) && want=$(date --date 2030-06-01 +%s) &&
	[ $((want - s1)) -ge 0 ] && [ $((want - s1)) -le 1 ] &&
	[ $((want - s2)) -ge 0 ] && [ $((want - s2)) -le 1 ] ||
	fail "--expires-at: cephc '$(status p1)', rbd '$(status p2)'"
# a past date: rbd 16.2.15 wraps it to 2106 (later releases refuse it);
# cephc refuses, as those do
rc=0; "$bin" rbd trash mv --expires-at "2000-01-01" "$pool/$ns/p4" 2>"$work/err" || rc=$?
[ "$rc" = 22 ] && grep -q "date in the past" "$work/err" ||
	fail "past expiry date: exit $rc ($(cat "$work/err"))"
"$bin" rbd trash purge "$pool/$ns" || fail "purge"
[ "$(rbd trash ls "$pool/$ns" | awk '{print $2}' | sort | tr '\n' ' ')" = "p1 p2 " ] ||
	fail "purge left: $(rbd trash ls "$pool/$ns")"
"$bin" rbd trash purge --expired-before "2030-06-02" "$pool/$ns" || fail "purge --expired-before"
[ -z "$(rbd trash ls "$pool/$ns")" ] || fail "purge --expired-before left: $(rbd trash ls "$pool/$ns")"
[ -z "$(rados -p "$pool" -N "$ns" ls | grep -v '^rbd_\(directory\|trash\)$')" ] ||
	fail "purge left objects: $(rados -p "$pool" -N "$ns" ls)"
echo "ok: trash mv --expires-at, trash purge"
