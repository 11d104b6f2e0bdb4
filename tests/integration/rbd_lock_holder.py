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
else:
    image.write(b"h" * 4096, 0)
last = image.is_exclusive_lock_owner()
print("ready owner=%s pid=%d" % (last, os.getpid()), flush=True)
end = time.time() + float(secs)
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
