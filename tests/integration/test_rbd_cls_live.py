#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""cephc's cls rbd codecs against a real cluster.

Inputs come from cephc's encoders and outputs go through cephc's decoders
(both via the rbd-cls-probe tool); python3-rados only carries the bytes
(Ioctx.execute).  Decoded values are compared with what Ceph's own `rbd`
tool reports about images it created.  Every image, object and pool made
here has a unique name and is removed at the end.

Environment: CEPHC_TEST_CONF (ceph.conf), CEPHC_TEST_KEYRING (optional),
PROBE (path of rbd-cls-probe), CEPHC_RBD_GOLDEN_DIR (optional: save the raw
outputs there, used to refresh tests/golden/rbd/).
"""
import json
import os
import random
import subprocess
import sys
import time

import rados

CONF = os.environ["CEPHC_TEST_CONF"]
KEYRING = os.environ.get("CEPHC_TEST_KEYRING")
PROBE = os.environ["PROBE"]
GOLDEN = os.environ.get("CEPHC_RBD_GOLDEN_DIR")
POOL = os.environ.get("CEPHC_RBD_POOL", "rbd")
TAG = "cephc-rbdcls-%d-%04x" % (os.getpid(), random.getrandbits(16))
NOSNAP = 0xFFFFFFFFFFFFFFFE

failures = []
checks = 0


def check(cond, what):
    global checks
    checks += 1
    if not cond:
        failures.append(what)
        print("FAIL: " + what, file=sys.stderr)


def ceph_args():
    a = ["-c", CONF]
    if KEYRING:
        a += ["--keyring", KEYRING]
    return a


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, timeout=120,
                          **kw).stdout


def rbd(*args):
    return run(["rbd"] + ceph_args() + list(args))


def rbd_json(*args):
    return json.loads(rbd(*args, "--format", "json"))


def ceph(*args):
    return run(["timeout", "60", "ceph"] + ceph_args() + list(args))


def enc(method, *args):
    return run([PROBE, "enc", method] + [str(a) for a in args])


def dec(method, out):
    p = subprocess.run([PROBE, "dec", method], input=out, capture_output=True,
                       timeout=60)
    try:
        return json.loads(p.stdout)
    except ValueError:
        raise RuntimeError("probe dec %s: %r %r" % (method, p.stdout, p.stderr))


def save(name, out):
    if GOLDEN:
        with open(os.path.join(GOLDEN, name + ".bin"), "wb") as f:
            f.write(out)


def call(ioctx, oid, method, *args, golden=None, length=16 << 20):
    """Encode with cephc, execute, decode with cephc.  Returns (ret, dict)."""
    inp = enc(method, *args)
    try:
        ret, out = ioctx.execute(oid, "rbd", method, inp, length)
    except rados.Error as e:
        return -e.errno if hasattr(e, "errno") and e.errno else -1, None
    if ret < 0:
        return ret, None
    ret = 0  # execute() answers the output length on success
    if golden:
        save(golden, out)
    if not out:
        return ret, {}
    return ret, dec(method, out)


def ctime(sec):
    return time.ctime(sec)


def check_image(ioctx, name, want_info, golden_prefix=None):
    """Open-path metadata of one rbd-created image vs `rbd info`."""
    g = (lambda s: golden_prefix + "-" + s) if golden_prefix else (lambda s: None)
    r, d = call(ioctx, "rbd_id." + name, "get_id", golden=g("get_id"))
    check(r == 0 and d["value"] == want_info["id"], "%s get_id %r" % (name, d))
    img_id = d["value"]
    hdr = "rbd_header." + img_id
    info = want_info

    r, d = call(ioctx, hdr, "get_object_prefix", golden=g("get_object_prefix"))
    check(d["value"] == info["block_name_prefix"], "%s prefix %r" % (name, d))
    r, d = call(ioctx, hdr, "get_size", "nosnap", golden=g("get_size"))
    check(d["size"] == info["size"] and d["order"] == info["order"],
          "%s size %r" % (name, d))
    r, d = call(ioctx, hdr, "get_features", "nosnap", 1,
                golden=g("get_features_ro"))
    check(d["names"] == ", ".join(info["features"]),
          "%s features %r vs %r" % (name, d["names"], info["features"]))
    feats = d["features"]
    # read-only: only the read-incompatible subset is reported
    check(d["incompatible"] == feats & (1 | 2 | 128 | 2048),
          "%s ro incompatible %r" % (name, d))
    r, d = call(ioctx, hdr, "get_features", "nosnap", 0,
                golden=g("get_features_rw"))
    check(d["incompatible"] == feats & 0x7FF, "%s rw incompatible %r" % (name, d))
    r, d = call(ioctx, hdr, "get_flags", "nosnap", golden=g("get_flags"))
    check(d["value"] == 0 and info["flags"] == [], "%s flags %r" % (name, d))
    r, d = call(ioctx, hdr, "op_features_get", golden=g("op_features_get"))
    check(r == 0 and d["value"] == 0 and info["op_features"] == [],
          "%s op_features %r" % (name, d))
    for kind in ("create", "access", "modify"):
        r, d = call(ioctx, hdr, "get_%s_timestamp" % kind,
                    golden=g("get_%s_timestamp" % kind))
        check(ctime(d["value"]["sec"]) == info["%s_timestamp" % kind],
              "%s %s timestamp %r vs %r" % (name, kind, d,
                                            info["%s_timestamp" % kind]))
    if feats & 2:
        r, d = call(ioctx, hdr, "get_stripe_unit_count",
                    golden=g("get_stripe_unit_count"))
        check(d["stripe_unit"] == info["stripe_unit"] and
              d["stripe_count"] == info["stripe_count"],
              "%s stripe %r" % (name, d))
    if feats & 128:
        r, d = call(ioctx, hdr, "get_data_pool", golden=g("get_data_pool"))
        pool_id = rados_handle.pool_lookup(info["data_pool"])
        check(d["value"] == pool_id, "%s data pool %r vs %r" %
              (name, d, pool_id))
        check(info["block_name_prefix"] ==
              "rbd_data.%d.%s" % (ioctx.get_pool_id(), img_id),
              "%s data-pool prefix %r" % (name, info["block_name_prefix"]))
    else:
        r, d = call(ioctx, hdr, "get_data_pool")
        check(d["value"] == -1, "%s no data pool %r" % (name, d))

    # snapshots: snap context + per-snapshot info vs `rbd snap ls`
    snaps = rbd_json("snap", "ls", "%s/%s" % (POOL, name))
    r, sc = call(ioctx, hdr, "get_snapcontext", golden=g("get_snapcontext"))
    check(sorted(sc["snaps"], reverse=True) == sc["snaps"],
          "%s snapc order %r" % (name, sc))
    check(sorted(sc["snaps"]) == sorted(s["id"] for s in snaps),
          "%s snapc ids %r vs %r" % (name, sc, snaps))
    for s in snaps:
        check(sc["seq"] >= s["id"], "%s snapc seq" % name)
        r, d = call(ioctx, hdr, "snapshot_get", s["id"],
                    golden=g("snapshot_get-" + s["name"]))
        check(d["id"] == s["id"] and d["name"] == s["name"] and
              d["image_size"] == s["size"] and d["ns_type"] == 0 and
              ctime(d["timestamp"]["sec"]) == s["timestamp"],
              "%s snapshot_get %r vs %r" % (name, d, s))
        r, d = call(ioctx, hdr, "get_snapshot_name", s["id"])
        check(d["value"] == s["name"], "%s snap name %r" % (name, d))
        r, d = call(ioctx, hdr, "get_snapshot_timestamp", s["id"])
        check(ctime(d["value"]["sec"]) == s["timestamp"],
              "%s snap ts %r" % (name, d))
        r, d = call(ioctx, hdr, "get_size", s["id"])
        check(d["size"] == s["size"], "%s snap size %r" % (name, d))
    r, d = call(ioctx, hdr, "snapshot_get", 0x7777)
    check(r == -2, "%s snapshot_get of a missing snap gives ENOENT (%r)" %
          (name, r))

    # parent
    r, d = call(ioctx, hdr, "parent_get", golden=g("parent_get"))
    parent = info.get("parent")
    if parent:
        check(d["pool_id"] == rados_handle.pool_lookup(parent["pool"]) and
              d["image_id"] == parent["id"] and
              d["pool_namespace"] == parent["pool_namespace"],
              "%s parent %r vs %r" % (name, d, parent))
        r, o = call(ioctx, hdr, "parent_overlap_get", "nosnap",
                    golden=g("parent_overlap_get"))
        check(o["overlap"] == parent["overlap"], "%s overlap %r" % (name, o))
        r, lp = call(ioctx, hdr, "get_parent", "nosnap",
                     golden=g("get_parent"))
        check(lp["pool_id"] == d["pool_id"] and
              lp["image_id"] == d["image_id"] and
              lp["snap_id"] == d["snap_id"] and
              lp["overlap"] == parent["overlap"],
              "%s legacy parent %r" % (name, lp))
        psnaps = rbd_json("snap", "ls", "%s/%s" % (parent["pool"],
                                                   parent["image"]))
        want_sid = [s["id"] for s in psnaps if s["name"] == parent["snapshot"]]
        check(want_sid == [d["snap_id"]], "%s parent snap %r" % (name, d))
    else:
        check(d["pool_id"] == -1, "%s no parent %r" % (name, d))
        r, o = call(ioctx, hdr, "parent_overlap_get", "nosnap",
                    golden=g("parent_overlap_get_none"))
        check(o["overlap"] is None, "%s no overlap %r" % (name, o))

    # object map (head)
    if feats & 8:
        r, d = call(ioctx, "rbd_object_map." + img_id, "object_map_load",
                    golden=g("object_map_load"))
        # object_map_load re-encodes the map without crcs ...
        check(d["count"] == info["objects"] and not d["crcs"],
              "%s object map %r" % (name, d.get("count")))
        # ... while the stored object carries them: decode it raw too
        raw = ioctx.read("rbd_object_map." + img_id, 1 << 20)
        if golden_prefix:
            save(golden_prefix + "-object_map_raw", raw)
        d2 = dec("object_map_load", raw)
        check(d2.get("crcs") and d2["states"] == d["states"],
              "%s raw object map %r" % (name, d2.get("error")))
    return img_id


def main():
    global rados_handle
    conf = {"keyring": KEYRING} if KEYRING else {}
    rados_handle = rados.Rados(conffile=CONF, conf=conf)
    rados_handle.connect(timeout=30)
    ioctx = rados_handle.open_ioctx(POOL)
    dpool = TAG + "-dp"
    names = {k: "%s-%s" % (TAG, k) for k in ("def", "lay", "str", "dp",
                                             "clone")}
    scratch = []
    try:
        # --- images made by Ceph's own tool ---------------------------------
        p = lambda n: "%s/%s" % (POOL, names[n])
        rbd("create", "--size", "100M", p("def"))
        # object 0 written before the snapshots: EXISTS, then EXISTS_CLEAN
        rbd("bench", "--io-type", "write", "--io-size", "4096",
            "--io-total", "4096", "--io-pattern", "seq", p("def"))
        rbd("snap", "create", p("def") + "@s1")
        rbd("snap", "create", p("def") + "@s2")
        rbd("image-meta", "set", p("def"), "cephc.key", "value-1")
        rbd("image-meta", "set", p("def"), "conf_rbd_cache", "false")
        rbd("create", "--size", "64M", "--image-feature", "layering", p("lay"))
        rbd("create", "--size", "64M", "--stripe-unit", "64K",
            "--stripe-count", "4", p("str"))
        ceph("osd", "pool", "create", dpool, "8", "8")
        ceph("osd", "pool", "application", "enable", dpool, "rbd")
        rbd("create", "--size", "32M", "--data-pool", dpool, p("dp"))
        rbd("snap", "protect", p("def") + "@s1")
        rbd("clone", p("def") + "@s1", p("clone"))

        ids = {}
        for k in ("def", "lay", "str", "dp", "clone"):
            info = rbd_json("info", p(k))
            ids[k] = check_image(ioctx, names[k], info,
                                 golden_prefix=k)
        # object map contents of the written image (head and snapshot)
        r, d = call(ioctx, "rbd_object_map." + ids["def"], "object_map_load")
        check(d["states"][0] == 3 and set(d["states"][1:]) == {0},
              "def head object map %r" % d["states"][:4])
        snaps = rbd_json("snap", "ls", p("def"))
        s1 = [s["id"] for s in snaps if s["name"] == "s1"][0]
        r, d = call(ioctx, "rbd_object_map.%s.%016x" % (ids["def"], s1),
                    "object_map_load", golden="def-object_map_load-s1")
        check(d["states"][0] == 1 and set(d["states"][1:]) == {0},
              "def snap object map %r" % d["states"][:4])

        # metadata_list vs `rbd image-meta list`
        r, d = call(ioctx, "rbd_header." + ids["def"], "metadata_list", "",
                    64, golden="def-metadata_list")
        want = rbd_json("image-meta", "list", p("def"))
        check(d == want, "metadata_list %r vs %r" % (d, want))
        r, d = call(ioctx, "rbd_header." + ids["def"], "metadata_list",
                    "cephc.key", 64)
        check(d == {"conf_rbd_cache": "false"}, "metadata_list page %r" % d)

        # --- rbd_directory ---------------------------------------------------
        r, d = call(ioctx, "rbd_directory", "get_all_features",
                    golden="get_all_features")
        check(r == 0 and d["value"] == 0xFFF, "get_all_features %r" % d)
        ls = set(rbd_json("ls", POOL))
        r, d = call(ioctx, "rbd_directory", "dir_list", "", 1024,
                    golden="dir_list")
        check(set(d) == ls, "dir_list %r vs rbd ls %r" % (sorted(d), ls))
        for k, n in names.items():
            check(d.get(n) == ids[k], "dir_list id of %s" % n)
            r, g = call(ioctx, "rbd_directory", "dir_get_id", n,
                        golden="dir_get_id" if k == "def" else None)
            check(g["value"] == ids[k], "dir_get_id %s %r" % (n, g))
            r, g = call(ioctx, "rbd_directory", "dir_get_name", ids[k],
                        golden="dir_get_name" if k == "def" else None)
            check(g["value"] == n, "dir_get_name %s %r" % (n, g))
        # paging: start_after is exclusive, max_return bounds the count
        first = sorted(d)[0]
        r, pg = call(ioctx, "rbd_directory", "dir_list", first, 2)
        check(list(pg) == sorted(d)[1:3], "dir_list paging %r" % pg)
        r, g = call(ioctx, "rbd_directory", "dir_get_id", TAG + "-missing")
        check(r == -2, "dir_get_id missing -> ENOENT (%r)" % r)

        # --- write methods on scratch objects (never touching rbd's) ---------
        sdir = TAG + "-dir"
        scratch.append(sdir)
        r, _ = call(ioctx, sdir, "dir_add_image", "img-a", "abc123")
        check(r == 0, "dir_add_image %r" % r)
        r, _ = call(ioctx, sdir, "dir_add_image", "img-a", "abc124")
        check(r == -17, "dir_add_image duplicate name -> EEXIST (%r)" % r)
        r, _ = call(ioctx, sdir, "dir_add_image", "img-c", "abc123")
        check(r == -9, "dir_add_image duplicate id -> EBADF (%r)" % r)
        r, _ = call(ioctx, sdir, "dir_rename_image", "img-a", "img-b",
                    "abc123")
        check(r == 0, "dir_rename_image %r" % r)
        r, d = call(ioctx, sdir, "dir_list", "", 10, golden="dir_list_scratch")
        check(d == {"img-b": "abc123"}, "scratch dir_list %r" % d)
        r, _ = call(ioctx, sdir, "dir_remove_image", "img-b", "wrongid")
        check(r < 0, "dir_remove_image with the wrong id fails (%r)" % r)
        r, _ = call(ioctx, sdir, "dir_remove_image", "img-b", "abc123")
        check(r == 0, "dir_remove_image %r" % r)
        r, d = call(ioctx, sdir, "dir_list", "", 10, golden="dir_list_empty")
        check(r == 0 and d == {}, "empty dir_list %r" % d)

        gid = rados_handle.get_instance_id()
        rnd = random.getrandbits(32)
        new_id = run([PROBE, "genid", str(gid), str(rnd)]).decode().strip()
        check(new_id == ("%x%x" % (gid, rnd))[-14:], "genid shape %r" % new_id)
        sid = "rbd_id.%s-img" % TAG
        scratch.append(sid)
        # set_id wants an existing object (librbd: CREATE + set_id in one op)
        r, _ = call(ioctx, sid, "set_id", new_id)
        check(r == -2, "set_id on a missing object -> ENOENT (%r)" % r)
        ioctx.write_full(sid, b"")
        r, _ = call(ioctx, sid, "set_id", new_id)
        check(r == 0, "set_id %r" % r)
        r, _ = call(ioctx, sid, "set_id", new_id)
        check(r == -17, "set_id twice -> EEXIST (%r)" % r)
        r, d = call(ioctx, sid, "get_id")
        check(d["value"] == new_id, "get_id after set_id %r" % d)

        hdr = "rbd_header." + new_id
        scratch.append(hdr)
        # server-side checks of create (before the header exists)
        r, _ = call(ioctx, hdr, "create", 8 << 20, 22, 1 << 20,
                    "rbd_data." + new_id, -1)
        check(r == -38, "create with an unknown feature -> ENOSYS (%r)" % r)
        r, _ = call(ioctx, hdr, "create", 8 << 20, 22, 1,
                    "rbd_data." + new_id, 1)
        check(r == -22, "create with a data pool but no DATA_POOL -> EINVAL"
              " (%r)" % r)
        r, _ = call(ioctx, hdr, "create", 8 << 20, 22, 1 | 2,
                    "rbd_data." + new_id, -1)
        check(r == 0, "create %r" % r)
        r, _ = call(ioctx, hdr, "create", 8 << 20, 22, 1,
                    "rbd_data." + new_id, -1)
        check(r == -17, "create twice -> EEXIST (%r)" % r)
        r, d = call(ioctx, hdr, "get_size", "nosnap")
        check(d == {"order": 22, "size": 8 << 20}, "created size %r" % d)
        r, _ = call(ioctx, hdr, "set_size", 16 << 20)
        r, d = call(ioctx, hdr, "get_size", "nosnap")
        check(d["size"] == 16 << 20, "set_size %r" % d)
        r, d = call(ioctx, hdr, "get_features", "nosnap", 0)
        check(d["features"] == 3 and d["unsupported_for_write"] == 0,
              "created features %r" % d)
        r, _ = call(ioctx, hdr, "set_stripe_unit_count", 65536, 2)
        check(r == 0, "set_stripe_unit_count %r" % r)
        r, d = call(ioctx, hdr, "get_stripe_unit_count")
        check(d == {"stripe_unit": 65536, "stripe_count": 2},
              "stripe after set %r" % d)
        r, _ = call(ioctx, hdr, "set_features", 4, 4)
        r, d = call(ioctx, hdr, "get_features", "nosnap", 0)
        check(d["features"] == 7 and d["unsupported_for_write"] == 0,
              "set_features exclusive-lock %r" % d)
        r, _ = call(ioctx, hdr, "set_flags", "nosnap", 1, 1)
        r, d = call(ioctx, hdr, "get_flags", "nosnap")
        check(r == 0 and d["value"] == 1, "set_flags %r" % d)
        r, _ = call(ioctx, hdr, "snapshot_add", 10, "snap-x")
        check(r == 0, "snapshot_add %r" % r)
        r, d = call(ioctx, hdr, "get_snapcontext")
        check(d == {"seq": 10, "snaps": [10]}, "snapc after add %r" % d)
        r, d = call(ioctx, hdr, "snapshot_get", 10,
                    golden="scratch-snapshot_get")
        check(d["name"] == "snap-x" and d["image_size"] == 16 << 20 and
              d["ns_type"] == 0, "snapshot_get scratch %r" % d)
        r, _ = call(ioctx, hdr, "snapshot_add", 11, "snap-x")
        check(r == -17, "snapshot_add duplicate name -> EEXIST (%r)" % r)
        r, _ = call(ioctx, hdr, "snapshot_add", 9, "snap-y")
        check(r == -116, "snapshot_add below the seq -> ESTALE (%r)" % r)
        r, _ = call(ioctx, hdr, "get_size", 12)
        check(r == -2, "get_size of a missing snap -> ENOENT (%r)" % r)
        r, _ = call(ioctx, hdr, "snapshot_remove", 10)
        check(r == 0, "snapshot_remove %r" % r)
        r, d = call(ioctx, hdr, "get_snapcontext",
                    golden="scratch-get_snapcontext_empty")
        check(d == {"seq": 10, "snaps": []}, "snapc after remove %r" % d)

        hdr2 = "rbd_header.%s-dp" % TAG
        scratch.append(hdr2)
        dpid = rados_handle.pool_lookup(dpool)
        r, _ = call(ioctx, hdr2, "create", 1 << 20, 12, 1 | 128,
                    "rbd_data.x", dpid)
        check(r == 0, "create with data pool %r" % r)
        r, d = call(ioctx, hdr2, "get_data_pool")
        check(d["value"] == dpid, "data pool of created %r" % d)
        r, _ = call(ioctx, hdr2, "get_stripe_unit_count")
        check(r == -8, "get_stripe_unit_count without STRIPINGV2 -> ENOEXEC"
              " (%r)" % r)
        r, d = call(ioctx, hdr2, "get_parent", "nosnap",
                    golden="scratch-get_parent_none")
        check(d == {"pool_id": -1, "pool_namespace": "", "image_id": "",
                    "snap_id": NOSNAP, "overlap": 0}, "no legacy parent %r" % d)
        r, d = call(ioctx, hdr2, "get_size", "nosnap")
        check(d == {"order": 12, "size": 1 << 20}, "order 12 %r" % d)

        # object map write methods
        om = "rbd_object_map.%s-scratch" % TAG
        scratch.append(om)
        r, _ = call(ioctx, om, "object_map_resize", 10, 0)
        check(r == 0, "object_map_resize %r" % r)
        r, _ = call(ioctx, om, "object_map_update", 2, 5, 1)
        check(r == 0, "object_map_update %r" % r)
        # only entries whose current state matches are changed
        r, _ = call(ioctx, om, "object_map_update", 3, 5, 0, 2)
        r, _ = call(ioctx, om, "object_map_update", 3, 4, 2, 1)
        r, d = call(ioctx, om, "object_map_load", golden="object_map_small")
        check(d["states"] == [0, 0, 1, 2, 1, 0, 0, 0, 0, 0],
              "object map after updates %r" % d)
        r, _ = call(ioctx, om, "object_map_resize", 20000, 3)
        r, d = call(ioctx, om, "object_map_load", golden="object_map_20000")
        check(d["count"] == 20000 and d["states"][3] == 2 and
              d["states"][10:] == [3] * 19990,
              "two-block object map %r" % (d.get("count"),))
        # stored form: 5000 data bytes = two crc blocks
        raw = ioctx.read(om, 1 << 20)
        save("object_map_20000_raw", raw)
        d2 = dec("object_map_load", raw)
        check(d2.get("crcs") and d2["states"] == d["states"],
              "two-block raw object map %r" % (d2.get("error"),))
    finally:
        for o in scratch:
            try:
                ioctx.remove_object(o)
            except rados.ObjectNotFound:
                pass
        for cmd in (["rm", p("clone")],
                    ["snap", "unprotect", p("def") + "@s1"],
                    ["snap", "purge", p("def")],
                    ["rm", p("def")], ["rm", p("lay")], ["rm", p("str")],
                    ["rm", p("dp")]):
            try:
                rbd(*cmd)
            except subprocess.CalledProcessError as e:
                print("cleanup rbd %s: %s" % (cmd, e.stderr), file=sys.stderr)
        try:
            ceph("osd", "pool", "rm", dpool, dpool,
                 "--yes-i-really-really-mean-it")
        except subprocess.CalledProcessError as e:
            print("cleanup pool: %s" % e.stderr, file=sys.stderr)
        ioctx.close()
        rados_handle.shutdown()
    print("%d checks, %d failures" % (checks, len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
