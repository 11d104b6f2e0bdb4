#!/usr/bin/env bash
# diff_iterate of a 1 GiB sparse image, cephc beside librbd, both
# in-process (bench_rbd_diff, and python3-rbd's Image.diff_iterate), on
# the same image: every 8th 4 MiB object written (64 KiB each), snapshot
# s1, a second round of writes on other objects, snapshot s2, a third.
# Cases: whole-object (fast-diff from the object maps) and the exact
# scan (one LIST_SNAPS per object), from creation and from s1.  Each
# case runs ROUNDS times per tool; medians in milliseconds, the
# librbd/cephc ratio (> 1: cephc faster), and per tool the scan /
# fast-diff ratio (the issue's target: >= 5).
#   CEPHC_TEST_CONF=... bench/rbd_diff.sh [path/to/build]
# Env: RBD_DIFF_ROUNDS (default 7).
set -euo pipefail
conf=${CEPHC_TEST_CONF:?set CEPHC_TEST_CONF to a ceph.conf}
build=${1:-build}
export CEPH_CONF=$conf
rounds=${RBD_DIFF_ROUNDS:-7}
pool=rbd
img=bdiff$$
export POOL=$pool IMG=$img
work=$(mktemp -d)
trap 'rbd snap purge --no-progress "$pool/$img" >/dev/null 2>&1 || true
	rbd rm --no-progress "$pool/$img" >/dev/null 2>&1 || true
	rm -rf "$work"' EXIT

rbd create --size 1G "$pool/$img"
/usr/bin/python3 - <<'PY'
import os, rados, rbd
c = rados.Rados(conffile=os.environ["CEPH_CONF"]); c.connect()
io = c.open_ioctx(os.environ["POOL"])
M = 1 << 20
with rbd.Image(io, os.environ["IMG"]) as im:
    buf = b"x" * (64 << 10)
    for o in range(0, 256, 8):
        im.write(buf, o * 4 * M + (o % 4) * M)
    im.create_snap("s1")
    for o in range(3, 256, 16):
        im.write(buf, o * 4 * M)
    im.create_snap("s2")
    for o in range(0, 256, 32):
        im.write(buf, o * 4 * M + 2 * M)
io.close(); c.shutdown()
PY

# median of the first column of a file
median() { sort -n "$1" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)] * 1000}'; }

librbd_run() { # FROM WHOLE -> one seconds value per line
	/usr/bin/python3 - "$1" "$2" "$rounds" <<'PY'
import os, sys, time, rados, rbd
c = rados.Rados(conffile=os.environ["CEPH_CONF"]); c.connect()
io = c.open_ioctx(os.environ["POOL"])
frm = None if sys.argv[1] == "-" else sys.argv[1]
whole = sys.argv[2] == "1"
with rbd.Image(io, os.environ["IMG"], read_only=True) as im:
    size = im.size()
    for _ in range(int(sys.argv[3])):
        n = [0, 0]
        def cb(off, length, exists):
            n[0] += 1
            n[1] += length if exists else 0
        t0 = time.monotonic()
        im.diff_iterate(0, size, frm, cb, include_parent=True,
                        whole_object=whole)
        print("%.6f %d %d" % (time.monotonic() - t0, n[0], n[1]))
io.close(); c.shutdown()
PY
}

printf '%-22s %10s %10s %8s %8s\n' case cephc_ms librbd_ms ratio same
declare -A med
for from in - s1; do
	for whole in 1 0; do
		name="$( [ $whole = 1 ] && echo fast-diff || echo scan) from $( [ $from = - ] && echo creation || echo $from)"
		"$build/bench_rbd_diff" "$conf" "$pool" "$img" "$from" "$whole" "$rounds" >"$work/c"
		librbd_run "$from" "$whole" >"$work/l"
		mc=$(median "$work/c")
		ml=$(median "$work/l")
		# both must have found the same extents and bytes
		same=$( [ "$(cut -d' ' -f2- "$work/c" | sort -u)" = "$(cut -d' ' -f2- "$work/l" | sort -u)" ] && echo yes || echo NO)
		med[$from$whole.c]=$mc
		med[$from$whole.l]=$ml
		printf '%-22s %10.2f %10.2f %8.2f %8s\n' "$name" "$mc" "$ml" \
			"$(awk -v a="$ml" -v b="$mc" 'BEGIN {print a / b}')" "$same"
	done
done
for from in - s1; do
	printf 'scan/fast-diff from %-9s cephc %6.1fx  librbd %6.1fx\n' \
		"$( [ $from = - ] && echo creation || echo $from)" \
		"$(awk -v a="${med[${from}0.c]}" -v b="${med[${from}1.c]}" 'BEGIN {print a / b}')" \
		"$(awk -v a="${med[${from}0.l]}" -v b="${med[${from}1.l]}" 'BEGIN {print a / b}')"
done
