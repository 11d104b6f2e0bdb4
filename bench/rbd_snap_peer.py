#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# The librbd side of bench/rbd_snap.sh (python3-rbd): the same rounds as
# bench_rbd_snap on an open image that owns the exclusive lock.
#   rbd_snap_peer.py CONF POOL IMAGE ROUNDS
# Prints "create SECONDS" / "remove SECONDS" per call.
import sys
import time

import rados
import rbd

conf, pool, name, rounds = sys.argv[1:5]
c = rados.Rados(conffile=conf)
c.connect()
io = c.open_ioctx(pool)
img = rbd.Image(io, name)
data = b"l" * 4096
img.write(data, 0)
for i in range(int(rounds)):
    snap = "b%d" % i
    t = time.monotonic()
    img.create_snap(snap)
    print("create %.6f" % (time.monotonic() - t), flush=True)
    img.write(data, 4096)
    t = time.monotonic()
    img.remove_snap(snap)
    print("remove %.6f" % (time.monotonic() - t), flush=True)
img.close()
io.close()
c.shutdown()
