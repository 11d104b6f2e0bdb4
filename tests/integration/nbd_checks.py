# Checks run inside nbdsh (`nbdsh --base-allocation -u URI -c
# "exec(open(F).read())"`, which provides `h`, a connected nbd.NBD) by
# test_nbd_plugin.sh.  Which check: $NBD_CHECK; parameters in the
# environment too.  Any failure raises, so nbdsh exits non-zero.
import os

import nbd

MiB = 1 << 20


def extents(h):
    """The whole export's allocation map as merged (offset, length, hole)
    runs; asks again from where each partial answer stopped."""
    size = h.get_size()
    runs = []
    off = 0
    while off < size:
        got = []

        def cb(ctx, start, entries, err):
            if ctx == nbd.CONTEXT_BASE_ALLOCATION:
                got.append((start, list(entries)))
            return 0

        h.block_status(min(size - off, 2**31), off, cb)
        assert got, "no base:allocation reply"
        start, ents = got[0]
        assert start == off, (start, off)
        assert ents, "empty block status reply"
        for i in range(0, len(ents), 2):
            length, flags = ents[i], ents[i + 1]
            hole = bool(flags & nbd.STATE_HOLE)
            # a hole must read as zeros
            assert not hole or flags & nbd.STATE_ZERO, flags
            length = min(length, size - off)
            if runs and runs[-1][2] == hole and runs[-1][0] + runs[-1][1] == off:
                runs[-1] = (runs[-1][0], runs[-1][1] + length, hole)
            else:
                runs.append((off, length, hole))
            off += length
    return runs


def show(runs):
    return " ".join("%d+%d:%s" % (o // MiB, l // MiB, "hole" if h else "data")
                    for o, l, h in runs)


def expect_map(h, want):
    got = show(extents(h))
    assert got == want, "block status: got %s, want %s" % (got, want)


def expect_error(fn, *args, **kw):
    try:
        fn(*args, **kw)
    except nbd.Error as e:
        return e
    raise AssertionError("%s%r succeeded" % (fn.__name__, args))


def check_rw(h):
    """Reads, writes with and without FUA, trim, zero, flush, block status
    on a fresh sparse 16 MiB image with 1 MiB objects."""
    size = int(os.environ["SIZE"])
    assert h.get_size() == size
    assert not h.is_read_only()
    for can in (h.can_flush, h.can_fua, h.can_trim, h.can_zero,
                h.can_fast_zero, h.can_multi_conn, h.can_cache):
        assert can(), can.__name__
    assert h.can_meta_context(nbd.CONTEXT_BASE_ALLOCATION)
    # a fresh image is one hole and reads as zeros
    expect_map(h, "0+16:hole")
    assert h.pread(MiB, 0) == bytes(MiB)

    a = os.urandom(64 * 1024)
    h.pwrite(a, 5 * MiB)                       # plain write
    b = os.urandom(4096)
    h.pwrite(b, 7 * MiB - 100, nbd.CMD_FLAG_FUA)  # FUA, across objects
    c = os.urandom(MiB)
    h.pwrite(c, 10 * MiB, nbd.CMD_FLAG_FUA)     # a whole object
    h.flush()
    assert h.pread(len(a), 5 * MiB) == a
    assert h.pread(len(b), 7 * MiB - 100) == b
    assert h.pread(len(c), 10 * MiB) == c
    expect_map(h, "0+5:hole 5+3:data 8+2:hole 10+1:data 11+5:hole")

    # trim a whole object: it is gone (a hole again) and reads zeros
    h.trim(MiB, 10 * MiB)
    assert h.pread(MiB, 10 * MiB) == bytes(MiB)
    # trim part of an object: zeros there, the rest kept
    h.trim(4096, 5 * MiB, nbd.CMD_FLAG_FUA)
    assert h.pread(4096, 5 * MiB) == bytes(4096)
    assert h.pread(len(a) - 4096, 5 * MiB + 4096) == a[4096:]
    expect_map(h, "0+5:hole 5+3:data 8+8:hole")

    # write zeroes: plain, fast, and without holes allowed
    h.zero(1000, 5 * MiB + 8192)
    h.zero(4096, 7 * MiB - 100, nbd.CMD_FLAG_FAST_ZERO)
    h.zero(8192, 12 * MiB, nbd.CMD_FLAG_NO_HOLE | nbd.CMD_FLAG_FUA)
    assert h.pread(1000, 5 * MiB + 8192) == bytes(1000)
    assert h.pread(4096, 7 * MiB - 100) == bytes(4096)
    assert h.pread(8192, 12 * MiB) == bytes(8192)
    # zeroing never adds data; whether the OSD keeps an empty object
    # for a NO_HOLE zero of a missing one is its business
    got = show(extents(h))
    assert got in ("0+5:hole 5+3:data 8+8:hole",
                   "0+5:hole 5+3:data 8+4:hole 12+1:data 13+3:hole"), got
    h.cache(MiB, 0)  # advisory; must succeed
    h.flush()

    # the last byte, and requests past the end: clean EINVAL, no change
    h.pwrite(b"z", size - 1)
    assert h.pread(1, size - 1) == b"z"
    h.set_strict_mode(0)  # let the server judge the bounds
    for fn, args in ((h.pread, (4096, size - 2048)),
                     (h.pwrite, (b"q" * 4096, size - 2048)),
                     (h.pwrite, (b"q", size)),
                     (h.trim, (4096, size)),
                     (h.zero, (4096, size - 1))):
        e = expect_error(fn, *args)
        assert e.errno in ("EINVAL", "ENOSPC"), (fn.__name__, e.errno)
    assert h.pread(2048, size - 2048) == bytes(2047) + b"z"


def check_clone(h):
    """A clone of a parent with data in [1, 2) MiB: unwritten areas
    report the parent's state; written ones are data."""
    assert not h.is_read_only()
    expect_map(h, "0+1:hole 1+1:data 2+6:hole")
    h.pwrite(b"w" * 4096, 4 * MiB)
    expect_map(h, "0+1:hole 1+1:data 2+2:hole 4+1:data 5+3:hole")
    # a partial write into a parent-backed object copies the rest up
    h.pwrite(b"v" * 10, MiB + 5)
    assert h.pread(10, MiB + 5) == b"v" * 10
    assert h.pread(5, MiB) == bytes.fromhex(os.environ["PARENT_HEAD"])
    expect_map(h, "0+1:hole 1+1:data 2+2:hole 4+1:data 5+3:hole")


def check_readonly(h):
    """A read-only export: flags say so and writes fail with EPERM (NBD
    has no EROFS) without changing anything."""
    assert h.is_read_only()
    before = h.pread(4096, 0)
    h.set_strict_mode(0)  # make the server refuse it, not libnbd
    for fn, args in ((h.pwrite, (b"x" * 4096, 0)),
                     (h.trim, (4096, 0)),
                     (h.zero, (4096, 0))):
        e = expect_error(fn, *args)
        assert e.errno in ("EPERM", "EROFS"), (fn.__name__, e.errno)
    assert h.pread(4096, 0) == before


def check_striped(h):
    """Fancy striping (stripe unit SU, STRIPES objects per set, OBJ-byte
    objects): after writes at WRITES (image offsets), block status must
    show data exactly on the stripe units of the objects that exist."""
    su, sc, osz = (int(os.environ[k]) for k in ("SU", "STRIPES", "OBJ"))
    size = h.get_size()
    objects = set()

    def objno(x):
        block = x // su
        return (x // (osz * sc)) * sc + block % sc

    for off in map(int, os.environ["WRITES"].split()):
        h.pwrite(b"s" * 512, off)
        objects.add(objno(off))
    want = []
    for x in range(0, size, su):
        hole = objno(x) not in objects
        if want and want[-1][2] == hole:
            want[-1] = (want[-1][0], want[-1][1] + su, hole)
        else:
            want.append((x, su, hole))
    got = extents(h)
    assert got == want, "striped map: got %s, want %s" % (got[:8], want[:8])


{"rw": check_rw, "clone": check_clone, "readonly": check_readonly,
 "striped": check_striped}[
    os.environ["NBD_CHECK"]](h)
print("ok:", os.environ["NBD_CHECK"])
