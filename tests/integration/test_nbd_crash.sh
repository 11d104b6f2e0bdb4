#!/usr/bin/env bash
# Crash consistency of the NBD export: kill -9 nbdkit in the middle of a
# stream of acknowledged writes (4 connections, FUA and not), start it
# again, and check every block: it must hold the last write the client
# saw acknowledged, or the one that was in flight when nbdkit died,
# never anything older.  cephc acknowledges a write only once the OSDs
# committed it, so nothing acknowledged may be lost.  The third round runs
# on an image with Ceph's default features: the new exporter's first write
# must take the exclusive lock over from the killed one (its watch lasts
# until the OSDs time it out) within the watch timeout + 10 s, and the
# object map must stay clean.
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
# shellcheck source=tests/integration/nbd_lib.sh
. "$(dirname "$0")/nbd_lib.sh"
require_nbd rbd
here=$(cd "$(dirname "$0")" && pwd)

work=$(mktemp -d)
img=rbd/nbdcrash$$x$RANDOM
imgd=${img}d
img0=$img
writer_pid=
cleanup() {
	[ -n "$writer_pid" ] && kill "$writer_pid" 2>/dev/null
	nbd_stop_all
	rm_image "$img0"
	rm_image "$imgd"
	rm -rf "$work"
}
rm_image() {
	local img=$1
	# a killed nbdkit's header watch lingers until the OSDs time it out
	# (30 s); blocklist the dead watchers, as an operator would, so the
	# image can go now
	rbd info "$img" >/dev/null 2>&1 || return 0
	if ! rbd rm --no-progress "$img" >/dev/null 2>&1; then
		local bl
		bl=$(rbd status "$img" --format json 2>/dev/null |
			/usr/bin/python3 -c 'import json,sys; print(" ".join(w["address"] for w in json.load(sys.stdin)["watchers"]))')
		for a in $bl; do
			ceph osd blocklist add "$a" >/dev/null 2>&1 || true
		done
		rbd rm --no-progress "$img" >/dev/null 2>&1 || echo "cleanup: $img left behind"
		# the cluster is shared: leave its blocklist as it was
		for a in $bl; do
			ceph osd blocklist rm "$a" >/dev/null 2>&1 || true
		done
	fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -20 "$work"/*.log 2>/dev/null; exit 1; }

rbd create --size 4M --object-size 1M --image-feature layering "$img"
rbd create --size 4M --object-size 1M "$imgd"
sock=$work/k.sock
for round in 1 2 3; do
	[ "$round" = 3 ] && img=$imgd
	nbd_start "$sock" image="$img"
	rm -f "$work/ready"
	python3 "$here/nbd_crash_writer.py" "$(nbd_uri "$sock")" 4 "$work/ready" \
		> "$work/acked.$round" 2> "$work/writer.log" &
	writer_pid=$!
	for _ in $(seq 100); do [ -e "$work/ready" ] && break; sleep 0.1; done
	[ -e "$work/ready" ] || fail "writer did not start"
	# let a few thousand writes through (a different moment each round)
	sleep "$round.$((RANDOM % 10))"
	kill -9 "$(cat "$sock.pid")"
	wait "$writer_pid" || fail "writer failed"
	writer_pid=
	rm -f "$sock.pid"
	n=$(awk '$2 > 0' "$work/acked.$round" | wc -l)
	[ "$n" -gt 100 ] || fail "only $n blocks acknowledged before the kill"

	# restart and read every block back through NBD
	nbd_start "$sock" image="$img"
	python3 - "$(nbd_uri "$sock")" "$work/acked.$round" <<'PY' || fail "round $round: acknowledged writes lost"
import struct, sys, nbd
h = nbd.NBD()
h.connect_uri(sys.argv[1])
bad = 0
for line in open(sys.argv[2]):
    b, acked, inflight = map(int, line.split())
    blk = h.pread(4096, b * 4096)
    got_b, gen = struct.unpack_from("<QQ", blk)
    whole = blk == struct.pack("<QQ", got_b, gen) * 256
    ok = (acked == 0 and gen == 0 and not any(blk)) or (
        whole and got_b == b and gen in (acked, inflight))
    if not ok:
        bad += 1
        if bad < 10:
            print("block %d: acked pass %d, in flight %d, found block %d pass %d%s"
                  % (b, acked, inflight, got_b, gen, "" if whole else " (torn)"))
sys.exit(1 if bad else 0)
PY
	if [ "$round" = 3 ]; then
		# the killed exporter still owns the lock (and watches): the
		# first write takes it over (after the check above: it
		# overwrites a block)
		wt=$(ceph config get osd osd_client_watch_timeout 2>/dev/null || echo 30)
		t0=$(date +%s)
		nbdsh -u "$(nbd_uri "$sock")" -c 'h.pwrite(b"\0" * 4096, (4 << 20) - 4096)' ||
			fail "write after the takeover"
		took=$(($(date +%s) - t0))
		[ "$took" -le $((wt + 10)) ] || fail "takeover took ${took} s (watch timeout $wt s)"
		echo "ok: the new exporter took the lock from the dead one in ${took} s"
	fi
	nbd_stop "$sock"
	if [ "$round" = 3 ]; then
		rbd object-map check "$img" >/dev/null 2>&1 &&
			! rbd info "$img" | grep -q "flags: object" ||
			fail "object map after the crash: $(rbd object-map check "$img" 2>&1)"
	fi
	echo "ok: round $round: $n acknowledged blocks intact after kill -9"
done
echo "PASS"
