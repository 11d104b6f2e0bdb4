#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A misbehaving msgr v1 monitor on loopback, for cephc's fault tests.

usage: fake_mon.py MODE PORTFILE [COUNTFILE]

Listens on 127.0.0.1 (a free port, written to PORTFILE once listening) and
serves every connection the same way.  Each accepted connection appends a
line to COUNTFILE, so the test can count how often the client dialled.

Modes that fail before the session is READY:
  close         accept, then close at once
  garbage       a valid banner, then random bytes
  no_features   connect reply READY with no features at all
  badproto      connect reply BADPROTOVER
Modes that complete the handshake (READY) and then misbehave:
  bad_header_crc  a message whose header crc is wrong
  bad_front_crc   a message whose front crc is wrong
  huge_msg        a header announcing 4 GiB sections
  fuzz_authreply  well-framed MAuthReply messages with random fronts
  drop            close the session right after READY
The process ends by itself after --lifetime seconds (default 120).
"""
import os
import socket
import struct
import sys
import threading
import time

BANNER = b"ceph v027"
TAG_READY, TAG_BADPROTOVER, TAG_MSG = 1, 10, 7
MSG_AUTH_REPLY = 18


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


def v1_addr(port, nonce=0):
    """entity_addr_t in the legacy form: type, nonce, sockaddr_storage
    (family and port in network order)."""
    sa = struct.pack(">HH4s", socket.AF_INET, port,
                     socket.inet_aton("127.0.0.1"))
    return struct.pack("<II", 0, nonce) + sa.ljust(128, b"\0")


def read_exact(s, n):
    out = bytearray()
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            raise EOFError
        out += chunk
    return bytes(out)


def connect_reply(tag, features):
    # tag, features, global_seq, connect_seq, protocol 15 (client->mon),
    # authorizer_len, flags (1 = lossy)
    return struct.pack("<BQIIIIB", tag, features, 1, 0, 15, 0, 1)


def message(mtype, front, seq=1, lens=None, header_ok=True, front_ok=True):
    flen, mlen, dlen = lens if lens else (len(front), 0, 0)
    hdr = struct.pack("<QQHHHIIIH", seq, 0, mtype, 127, 1, flen, mlen, dlen, 0)
    hdr += struct.pack("<BQHH", 1, 0, 1, 0)   # src mon.0, compat, reserved
    hcrc = crc32c(hdr) ^ (0 if header_ok else 0x5A5A5A5A)
    fcrc = crc32c(front) ^ (0 if front_ok else 0xA5A5A5A5)
    footer = struct.pack("<IIIQB", fcrc, 0, 0, 0, 1)
    return bytes([TAG_MSG]) + hdr + struct.pack("<I", hcrc), front, footer


def serve(conn, mode, port):
    try:
        if mode == "close":
            return
        conn.sendall(BANNER + v1_addr(port) + v1_addr(40000))
        if mode == "garbage":
            conn.sendall(os.urandom(4096))
            time.sleep(5)
            return
        read_exact(conn, len(BANNER) + 136)          # client banner + addr
        connect = read_exact(conn, 33)
        features = struct.unpack_from("<Q", connect, 0)[0]
        alen = struct.unpack_from("<I", connect, 28)[0]
        if alen:
            read_exact(conn, alen)
        if mode == "no_features":
            conn.sendall(connect_reply(TAG_READY, 0))
        elif mode == "badproto":
            conn.sendall(connect_reply(TAG_BADPROTOVER, features))
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
            elif mode == "fuzz_authreply":
                for seq in range(1, 200):
                    n = int.from_bytes(os.urandom(2), "little") % 512
                    conn.sendall(b"".join(message(MSG_AUTH_REPLY,
                                                  os.urandom(n), seq=seq)))
                    time.sleep(0.005)
        # hold the connection until the client lets go
        conn.settimeout(10)
        while conn.recv(65536):
            pass
    except (EOFError, OSError):
        pass
    finally:
        conn.close()


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
    end = time.time() + lifetime
    while time.time() < end:
        try:
            conn, _ = ls.accept()
        except socket.timeout:
            continue
        with open(countfile, "a") as f:
            f.write("conn\n")
        threading.Thread(target=serve, args=(conn, mode, port),
                         daemon=True).start()


if __name__ == "__main__":
    main()
