#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# The librbd side of bench/rbd_lock.sh (python3-rbd, automatic lock
# policy).  Two modes:
#   rbd_lock_peer.py CONF POOL IMAGE serve
#       reads commands on stdin: "w" writes 4 KiB at offset 0 and prints
#       the seconds the write took (it takes the exclusive lock from
#       whoever holds it); "q" ends.
#   rbd_lock_peer.py CONF POOL IMAGE pingpong N
#       librbd against librbd: two clients in one process write in turn,
#       N times each; prints one line "a->b SECONDS" or "b->a SECONDS"
#       per hand-off.
import sys
import time

import rados
import rbd

conf, pool, name, mode = sys.argv[1:5]
data = b"p" * 4096


def client():
    c = rados.Rados(conffile=conf)
    c.connect()
    io = c.open_ioctx(pool)
    return c, io, rbd.Image(io, name)


def timed_write(img):
    t = time.monotonic()
    img.write(data, 0)
    return time.monotonic() - t


if mode == "serve":
    c, io, img = client()
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() == "w":
            print("%.6f" % timed_write(img), flush=True)
        elif line.strip() == "q":
            break
    img.close(); io.close(); c.shutdown()
else:
    n = int(sys.argv[5])
    a = client()
    b = client()
    timed_write(a[2])
    for _ in range(n):
        print("a->b %.6f" % timed_write(b[2]), flush=True)
        print("b->a %.6f" % timed_write(a[2]), flush=True)
    for c, io, img in (a, b):
        img.close(); io.close(); c.shutdown()
