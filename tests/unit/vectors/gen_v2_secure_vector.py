#!/usr/bin/python3
# Independent check of cephc's msgr2.1 secure-mode encoder: builds one
# MESSAGE frame from the wire description in
# ../shared/reference/protocol-map.md section 4.2 (not from cephc's code),
# with the `cryptography` package's AES-GCM, and prints it as a C array for
# tests/unit/test_msgr_v2_frame.c.  Run: /usr/bin/python3 gen_v2_secure_vector.py
import struct
from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def crc32c(crc, data):
    # raw Castagnoli register update (no pre/post inversion), as Ceph uses it
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc


def pad16(b):
    return b + bytes(-len(b) % 16)


secret = bytes((7 * i + 3) & 0xFF for i in range(64))
key = secret[0:16]
tx_nonce = secret[28:40]  # the client's sending nonce
fixed, counter = struct.unpack("<IQ", tx_nonce)

segs = [bytes((i * 5 + 1) & 0xFF for i in range(60)),  # header2-sized seg0 > 48
        b"front-segment-bytes!",                      # 20
        b"",                                          # empty middle
        b"data5"]                                      # 5
aligns = [8, 8, 8, 4096]
pre = struct.pack("<BB", 17, 4)
for s, a in zip(segs, aligns):
    pre += struct.pack("<IH", len(s), a)
pre += b"\0\0"
pre += struct.pack("<I", crc32c(0, pre))
assert len(pre) == 32

gcm = AESGCM(key)


def op(plain):
    global counter
    nonce = struct.pack("<IQ", fixed, counter)
    counter += 1
    return gcm.encrypt(nonce, plain, None)


wire = op(pre + segs[0][:48] + bytes(48 - min(48, len(segs[0]))))
wire += op(pad16(segs[0][48:]))
wire += op(b"".join(pad16(s) for s in segs[1:]) + bytes([0x0E]) + bytes(15))
print("/* %d bytes */" % len(wire))
for i in range(0, len(wire), 12):
    print("\t" + " ".join("0x%02x," % b for b in wire[i:i + 12]))
