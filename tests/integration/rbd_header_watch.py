#!/usr/bin/python3
# SPDX-License-Identifier: MIT
#
# A client of an image header for the lock tests (not a test itself),
# with Debian's python3-rados:
#   rbd_header_watch.py CONF POOL HEADER_OID watch
#   rbd_header_watch.py CONF POOL HEADER_OID own SECONDS
# Both watch the header until SIGTERM and print a line per notify:
# "<unix time> <op> <notifier gid>", op being the NotifyMessage op
# (0 AcquiredLock, 1 ReleasedLock, 2 RequestLock, ...; 3 for an empty,
# legacy HeaderUpdate).  Prints "watching gid=<our gid>" once the watch is
# up.
#
# watch: a bystander that acks every notify empty, as a librbd client
#        that does not own the lock does, so it never delays one.
# own:   a slow lock owner: takes the image lock as librbd does (cookie
#        "auto <watch cookie>", tag "internal"), announces AcquiredLock,
#        answers RequestLock with ResponseMessage(0) ("releasing") but
#        lets go only after SECONDS (unlock, ReleasedLock), then prints
#        "released".  A waiting client must not flood it meanwhile.
import ctypes
import signal
import struct
import sys
import threading
import time

import rados

conf, pool, oid, mode = sys.argv[1:5]
hold = float(sys.argv[5]) if mode == "own" else 0
done = threading.Event()
signal.signal(signal.SIGTERM, lambda signum, frame: done.set())
out_lock = threading.Lock()
owner = threading.Event()


def out(line):
    with out_lock:
        print(line, flush=True)


def s(text):
    b = text.encode()
    return struct.pack("<I", len(b)) + b


def env(body):
    # a Ceph struct envelope: version 1, compat 1, le32 length
    return struct.pack("<BBI", 1, 1, len(body)) + body


def notify_msg(op, gid, handle):
    body = struct.pack("<IQQ", op, gid, handle)
    return struct.pack("<BBI", 7, 1, len(body)) + body


def notifier():
    """rados_notify2 through ctypes: python-rados sends only text."""
    lib = ctypes.CDLL("librados.so.2")
    cl, io = ctypes.c_void_p(), ctypes.c_void_p()
    assert lib.rados_create2(ctypes.byref(cl), b"ceph", b"client.admin",
                             ctypes.c_uint64(0)) == 0
    assert lib.rados_conf_read_file(cl, conf.encode()) == 0
    assert lib.rados_connect(cl) == 0
    assert lib.rados_ioctx_create(cl, pool.encode(), ctypes.byref(io)) == 0

    def send(payload):
        reply, reply_len = ctypes.POINTER(ctypes.c_char)(), ctypes.c_size_t()
        lib.rados_notify2(io, oid.encode(), payload, len(payload), 5000,
                          ctypes.byref(reply), ctypes.byref(reply_len))
        if reply_len.value:
            lib.rados_buffer_free(reply)
    return send


def on_notify(notify_id, notifier_id, watch_id, data):
    # NotifyMessage: u8 version, u8 compat, le32 length, le32 op, payload
    op = struct.unpack_from("<I", data, 6)[0] if len(data) >= 10 else 3
    out("%.3f %d %d" % (time.time(), op, notifier_id))
    if op == 2 and owner.is_set() and notifier_id != gid:
        return struct.pack("<BBIi", 1, 1, 4, 0)  # ResponseMessage(0)
    return b""


cluster = rados.Rados(conffile=conf)
cluster.connect()
gid = cluster.get_instance_id()
ioctx = cluster.open_ioctx(pool)
watch = ioctx.watch(oid, on_notify)
out("watching gid=%d" % gid)
if mode == "own":
    handle = watch.get_id()
    cookie = "auto %d" % handle
    # lock.lock: name, type EXCLUSIVE, cookie, tag, description,
    # duration (0 s, 0 ns), flags
    ioctx.execute(oid, "lock", "lock",
                  env(s("rbd_lock") + b"\x01" + s(cookie) + s("internal") +
                      s("") + struct.pack("<II", 0, 0) + b"\x00"))
    send = notifier()
    owner.set()
    send(notify_msg(0, gid, handle))
    out("owner")
    done.wait(hold)
    owner.clear()
    ioctx.execute(oid, "lock", "unlock", env(s("rbd_lock") + s(cookie)))
    send(notify_msg(1, gid, handle))
    out("released")
while not done.wait(0.2):
    pass
watch.close()
ioctx.close()
cluster.shutdown()
