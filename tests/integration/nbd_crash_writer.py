# Write stream for test_nbd_crash.sh: T connections (threads), each
# writing its own 4 KiB blocks in passes over the export, every block
# stamped with (block, pass).  Runs until the server dies under it, then
# prints, per block, the last pass the server acknowledged and the pass
# that was in flight (-1: none): "block acked inflight".
#   python3 nbd_crash_writer.py URI THREADS READY_FILE
import struct
import sys
import threading

import nbd

BS = 4096
uri, nthreads, ready = sys.argv[1], int(sys.argv[2]), sys.argv[3]
acked = {}
inflight = {}
lock = threading.Lock()
started = threading.Barrier(nthreads + 1)


def stamp(block, gen):
    return struct.pack("<QQ", block, gen) * (BS // 16)


def writer(t):
    h = nbd.NBD()
    h.connect_uri(uri)
    blocks = h.get_size() // BS
    started.wait()
    gen = 0
    try:
        while True:
            gen += 1
            for b in range(t, blocks, nthreads):
                with lock:
                    inflight[b] = gen
                # FUA on every other pass: both must be durable once acked
                h.pwrite(stamp(b, gen), b * BS,
                         nbd.CMD_FLAG_FUA if gen % 2 else 0)
                with lock:
                    acked[b] = gen
                    inflight[b] = -1
    except nbd.Error:
        return


threads = [threading.Thread(target=writer, args=(t,)) for t in range(nthreads)]
for th in threads:
    th.start()
started.wait()
open(ready, "w").close()
for th in threads:
    th.join()
for b in sorted(set(acked) | set(inflight)):
    print(b, acked.get(b, 0), inflight.get(b, -1))
