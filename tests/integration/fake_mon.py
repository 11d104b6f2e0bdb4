#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A misbehaving msgr v1 monitor on loopback, for cephc's fault tests.

usage: fake_mon.py MODE PORTFILE [COUNTFILE]

Listens on 127.0.0.1 (a free port, written to PORTFILE once listening) and
serves every connection the same way.  Each accepted connection appends a
line to COUNTFILE, so the test can count how often the client dialled.

Modes that fail before the session is READY:
  close           accept, then close at once
  rst             accept, then reset (RST) at once
  silent          accept and never answer
  random          random bytes instead of a banner, without end
  banner_garbage  the banner string, then random bytes without end
  garbage         a valid banner and addresses, then random bytes
  trickle_banner  a valid banner and addresses, one byte a second
  bad_addr        a banner whose addresses have absurd families
  no_features     connect reply READY with no features at all
  badproto        connect reply BADPROTOVER
  huge_authorizer connect reply READY announcing a 4 GiB authorizer
  retry_global    connect reply RETRY_GLOBAL to every connect
  wait_forever    connect reply WAIT to every connect
Modes that complete the handshake (READY) and then misbehave:
  bad_header_crc  a message whose header crc is wrong
  bad_front_crc   a message whose front crc is wrong
  huge_msg        a header announcing 4 GiB sections
  big_msg_stall   a 16 MiB front announced, 1 KiB sent, then nothing
  fuzz_authreply  well-framed MAuthReply messages with random fronts
  fuzz_monmap     well-framed MMonMap messages with random fronts
  fuzz_osdmap     well-framed MOSDMap messages with random fronts
  fuzz_mix        random fronts for ten message types, in turn
  keepalive_flood KEEPALIVE tags, 64 KiB every 10 ms
  drop            close the session right after READY
A mode for an OSD session (the client dials it from an OSDMap):
  osd_one_msg     READY, waits for the client's first bytes (its op), sends
                  one well-framed message of a type no client handles, then
                  closes: a session that "works" once and faults, each time
A mode with a working session (auth none, then no maps):
  flap_then_healthy  sessions 1-5 and 7 close 0.2 s after the MAuthReply,
                  session 6 after 2 s, later ones stay; each accept and
                  close is logged with its time to COUNTFILE.events
(The modes of ../shared/reference/probes/hostile_mon.py, as a test peer.)
The process ends by itself after --lifetime seconds (default 120).
"""
import os
import socket
import struct
import sys
import threading
import time

BANNER = b"ceph v027"
TAG_READY, TAG_WAIT, TAG_RETRY_GLOBAL = 1, 3, 5
TAG_MSG, TAG_KEEPALIVE, TAG_BADPROTOVER = 7, 9, 10
MSG_MON_MAP, MSG_AUTH_REPLY, MSG_OSD_MAP = 4, 18, 41
MSG_UNHANDLED = 0x7E7E  # a type no client dispatches
FUZZ_TYPES = {
    "fuzz_authreply": [MSG_AUTH_REPLY],
    "fuzz_monmap": [MSG_MON_MAP],
    "fuzz_osdmap": [MSG_OSD_MAP],
    # monmap, get-map, subscribe, subscribe-ack, auth reply, osdmap,
    # op reply, watch-notify, command, command ack
    "fuzz_mix": [4, 5, 15, 16, 18, 41, 43, 44, 50, 51],
}
FUZZ_SECONDS = 40


def _crc_table():
    tab = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        tab.append(c)
    return tab


CRC_TAB = _crc_table()


def crc32c(data):
    """Ceph's crc32c with seed 0 and no final inversion."""
    c = 0
    for b in data:
        c = CRC_TAB[(c ^ b) & 0xFF] ^ (c >> 8)
    return c


def v1_addr(port, nonce=0, family=socket.AF_INET):
    """entity_addr_t in the legacy form: type, nonce, sockaddr_storage
    (family and port in network order)."""
    sa = struct.pack(">HH4s", family, port, socket.inet_aton("127.0.0.1"))
    return struct.pack("<II", 0, nonce) + sa.ljust(128, b"\0")


def read_exact(s, n):
    out = bytearray()
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            raise EOFError
        out += chunk
    return bytes(out)


def connect_reply(tag, features, gseq=1, alen=0, proto=15):
    # tag, features, global_seq, connect_seq, protocol (15: client->mon,
    # 24: client->osd), authorizer_len, flags (1 = lossy)
    return struct.pack("<BQIIIIB", tag, features, gseq, 0, proto, alen, 1)


def read_connect(conn):
    """The client's connect: returns (features, global_seq)."""
    connect = read_exact(conn, 33)
    features, _, gseq = struct.unpack_from("<QII", connect, 0)
    alen = struct.unpack_from("<I", connect, 28)[0]
    if alen:
        read_exact(conn, alen)
    return features, gseq


def flood(conn, chunk_fn, seconds=FUZZ_SECONDS):
    end = time.time() + seconds
    while time.time() < end:
        conn.sendall(chunk_fn())
        time.sleep(0.01)


def message(mtype, front, seq=1, lens=None, header_ok=True, front_ok=True):
    flen, mlen, dlen = lens if lens else (len(front), 0, 0)
    hdr = struct.pack("<QQHHHIIIH", seq, 0, mtype, 127, 1, flen, mlen, dlen, 0)
    hdr += struct.pack("<BQHH", 1, 0, 1, 0)   # src mon.0, compat, reserved
    hcrc = crc32c(hdr) ^ (0 if header_ok else 0x5A5A5A5A)
    fcrc = crc32c(front) ^ (0 if front_ok else 0xA5A5A5A5)
    footer = struct.pack("<IIIQB", fcrc, 0, 0, 0, 1)
    return bytes([TAG_MSG]) + hdr + struct.pack("<I", hcrc), front, footer


def auth_none_reply(global_id=4242):
    """MAuthReply: protocol none, result 0, a global_id, an empty payload
    and an empty result message."""
    return struct.pack("<IiQII", 1, 0, global_id, 0, 0)


def log_event(path, text):
    with open(path, "a") as f:
        f.write(f"{text} {time.time():.3f}\n")


def serve_flaps(conn, port, k, events):
    hold_s = 2.0 if k == 6 else 0.2 if k <= 7 else None
    conn.sendall(BANNER + v1_addr(port) + v1_addr(40000))
    read_exact(conn, len(BANNER) + 136)
    features, _ = read_connect(conn)
    conn.sendall(connect_reply(TAG_READY, features))
    conn.sendall(b"".join(message(MSG_AUTH_REPLY, auth_none_reply())))
    if hold_s is None:
        hold(conn, 60)
        return
    end = time.time() + hold_s
    conn.settimeout(0.05)
    while time.time() < end:
        try:
            if not conn.recv(65536):
                return
        except socket.timeout:
            pass
    log_event(events, f"close {k}")


def serve(conn, mode, port, k=0, events=os.devnull):
    try:
        if mode == "flap_then_healthy":
            serve_flaps(conn, port, k, events)
            return
        if mode == "close":
            return
        if mode == "rst":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                            struct.pack("ii", 1, 0))
            return
        if mode == "silent":
            hold(conn, 60)
            return
        if mode == "random":
            flood(conn, lambda: os.urandom(65536))
            return
        if mode == "banner_garbage":
            conn.sendall(BANNER)
            flood(conn, lambda: os.urandom(65536))
            return
        if mode == "bad_addr":
            conn.sendall(BANNER + v1_addr(port, family=0xFFFF) +
                         v1_addr(40000, family=0x7777))
            hold(conn, 60)
            return
        hello = BANNER + v1_addr(port) + v1_addr(40000)
        if mode == "trickle_banner":
            for b in hello:
                conn.sendall(bytes([b]))
                time.sleep(1)
            hold(conn, 60)
            return
        conn.sendall(hello)
        if mode == "garbage":
            conn.sendall(os.urandom(4096))
            time.sleep(5)
            return
        read_exact(conn, len(BANNER) + 136)          # client banner + addr
        features, gseq = read_connect(conn)
        if mode == "no_features":
            conn.sendall(connect_reply(TAG_READY, 0))
        elif mode == "badproto":
            conn.sendall(connect_reply(TAG_BADPROTOVER, features))
        elif mode == "huge_authorizer":
            conn.sendall(connect_reply(TAG_READY, features,
                                       alen=0xFFFFFFFF))
        elif mode == "retry_global":
            while True:
                conn.sendall(connect_reply(TAG_RETRY_GLOBAL, features,
                                           gseq=gseq + 1))
                features, gseq = read_connect(conn)
        elif mode == "wait_forever":
            conn.sendall(connect_reply(TAG_WAIT, features))
        elif mode == "osd_one_msg":
            conn.sendall(connect_reply(TAG_READY, features, proto=24))
            conn.settimeout(2)
            try:
                conn.recv(65536)
            except socket.timeout:
                pass
            conn.sendall(b"".join(message(MSG_UNHANDLED, b"x" * 16)))
            # FIN after the message (a close with unread bytes would be
            # an RST, which may discard it), then wait for the client
            conn.shutdown(socket.SHUT_WR)
            hold(conn, 2)
            return
        else:
            conn.sendall(connect_reply(TAG_READY, features))
            if mode == "drop":
                return
            if mode == "bad_header_crc":
                conn.sendall(b"".join(message(MSG_AUTH_REPLY, b"z" * 40,
                                              header_ok=False)))
            elif mode == "bad_front_crc":
                conn.sendall(b"".join(message(MSG_AUTH_REPLY, b"z" * 40,
                                              front_ok=False)))
            elif mode == "huge_msg":
                head, _, _ = message(MSG_AUTH_REPLY, b"",
                                     lens=(0xFFFFFFFF,) * 3)
                conn.sendall(head)
            elif mode == "big_msg_stall":
                head, _, _ = message(MSG_AUTH_REPLY, b"",
                                     lens=((16 << 20) - 1, 0, 0))
                conn.sendall(head + os.urandom(1024))
            elif mode in FUZZ_TYPES:
                seq = [0]

                def batch():
                    out = []
                    for t in FUZZ_TYPES[mode]:
                        n = int.from_bytes(os.urandom(2), "little") % 2048
                        seq[0] += 1
                        out.append(b"".join(message(t, os.urandom(n),
                                                    seq=seq[0])))
                    return b"".join(out)
                flood(conn, batch)
            elif mode == "keepalive_flood":
                flood(conn, lambda: bytes([TAG_KEEPALIVE]) * 65536)
        hold(conn, 10)
    except (EOFError, OSError):
        pass
    finally:
        conn.close()


def hold(conn, seconds):
    """Keep the connection until the client lets go (or seconds of
    silence pass)."""
    conn.settimeout(seconds)
    while conn.recv(65536):
        pass


def main():
    mode, portfile = sys.argv[1], sys.argv[2]
    countfile = sys.argv[3] if len(sys.argv) > 3 else os.devnull
    lifetime = 120
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(128)
    port = ls.getsockname()[1]
    with open(portfile + ".tmp", "w") as f:
        f.write(f"{port}\n")
    os.rename(portfile + ".tmp", portfile)
    ls.settimeout(1)
    events = countfile + ".events" if countfile != os.devnull else countfile
    end = time.time() + lifetime
    k = 0
    while time.time() < end:
        try:
            conn, _ = ls.accept()
        except socket.timeout:
            continue
        k += 1
        with open(countfile, "a") as f:
            f.write("conn\n")
        log_event(events, f"accept {k}")
        threading.Thread(target=serve, args=(conn, mode, port, k, events),
                         daemon=True).start()


if __name__ == "__main__":
    main()
