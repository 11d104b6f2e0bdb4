#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# A librbd client (Debian's python3-rbd) that keeps an image open for the
# exclusive-lock tests (not a test itself):
#   rbd_lock_holder.py CONF POOL IMAGE MODE SECONDS
# MODE auto:    write 4 KiB at offset 0 (automatic policy takes the lock),
#               then hold the image open and log ownership changes;
# MODE managed: lock_acquire(EXCLUSIVE) (librbd then refuses requests
#               with -EROFS), then hold it.
# MODE snaps:   keep the image open and every second create a snapshot
#               (l1, l2, ...) and remove the one 3 older: each asks the
#               owner, which refuses, then takes the lock from it (and
#               gives it back when asked), without changing a byte of
#               the image.  Prints "snaps N" at the end.  Open before the
#               other client resizes: librbd 16.2 reads the header before
#               it watches it, so a resize in between goes unseen and its
#               next lock finds the object map "smaller than the object
#               count" (it then flags the map invalid).
# Prints "ready owner=True" once it holds the lock, "owner=False" when it
# loses it, "exit" at the end.  SIGTERM ends it early (closing cleanly).
import os
import signal
import sys
import time

import rados
import rbd

conf, pool, name, mode, secs = sys.argv[1:6]
stop = False


def on_term(signum, frame):
    global stop
    stop = True


signal.signal(signal.SIGTERM, on_term)
cluster = rados.Rados(conffile=conf)
cluster.connect()
ioctx = cluster.open_ioctx(pool)
image = rbd.Image(ioctx, name)
if mode == "managed":
    image.lock_acquire(rbd.RBD_LOCK_MODE_EXCLUSIVE)
elif mode == "snaps":
    pass
else:
    image.write(b"h" * 4096, 0)
last = image.is_exclusive_lock_owner()
print("ready owner=%s pid=%d" % (last, os.getpid()), flush=True)
end = time.time() + float(secs)
snaps = 0
while mode == "snaps" and not stop and time.time() < end:
    time.sleep(1)
    snaps += 1
    image.create_snap("l%d" % snaps)
    if snaps > 3:
        image.remove_snap("l%d" % (snaps - 3))
if mode == "snaps":
    print("snaps %d" % snaps, flush=True)
while not stop and time.time() < end:
    owner = image.is_exclusive_lock_owner()
    if owner != last:
        print("owner=%s" % owner, flush=True)
        last = owner
    time.sleep(0.1)
image.close()
ioctx.close()
cluster.shutdown()
print("exit", flush=True)
