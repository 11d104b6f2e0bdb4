#!/usr/bin/env bash
# `cephc osd map` (placement computed locally from our decoded OSDMap and
# CRUSH) against the monitor's own `osd map` answer for thousands of random
# object names, with and without a namespace, in every pool.
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
bin=${CEPHC_BIN:?}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
N=${CEPHC_OSD_MAP_NAMES:-2000}
python3 - "$N" > "$work/names" <<'PY'
import random, string, sys
r = random.Random(4242)
for i in range(int(sys.argv[1])):
    n = r.randint(1, 60)
    print("".join(r.choice(string.ascii_letters + string.digits + "._-") for _ in range(n)))
PY
pools=$(ceph -c "$conf" osd pool ls)
for pool in $pools; do
	for ns in "" "ns1"; do
		# ours: one process, one name per line
		"$bin" -c "$conf" osd map "$pool" - $ns --format json \
			< "$work/names" > "$work/ours.json"
		# theirs: the monitor's answer, over one librados connection
		/usr/bin/python3 - "$conf" "$pool" "$ns" "$work/names" > "$work/theirs.json" <<'PY'
import json, sys, rados
conf, pool, ns, names = sys.argv[1:5]
c = rados.Rados(conffile=conf); c.connect(timeout=30)
for name in open(names).read().split("\n")[:-1]:
    cmd = {"prefix": "osd map", "pool": pool, "object": name, "format": "json"}
    if ns:
        cmd["nspace"] = ns
    r, out, err = c.mon_command(json.dumps(cmd), b"")
    assert r == 0, err
    print(out.decode().strip())
c.shutdown()
PY
		python3 - "$work/ours.json" "$work/theirs.json" "$pool" "$ns" <<'PY'
import json, sys
ours = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
theirs = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
assert len(ours) == len(theirs), (len(ours), len(theirs))
bad = 0
for a, b in zip(ours, theirs):
    a.pop("epoch"); b.pop("epoch")   # the map may move on between runs
    if a != b:
        bad += 1
        if bad < 5:
            print("MISMATCH\n ours  ", a, "\n theirs", b)
print("pool %s ns '%s': %d objects, %d mismatches" % (sys.argv[3], sys.argv[4], len(ours), bad))
sys.exit(1 if bad else 0)
PY
	done
done
echo PASS
