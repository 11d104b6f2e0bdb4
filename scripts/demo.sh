#!/usr/bin/env bash
# The main job, end to end, against a throwaway local Ceph cluster:
#   1. start 1 monitor + 3 OSDs (Ceph 16 from Debian) on loopback;
#   2. cephc joins with cephx and shows what it sees, beside `ceph -s`;
#   3. cephc computes placement from the live OSDMap, compared byte for byte
#      with Ceph's osdmaptool and crushtool;
#   4. the cluster is torn down, whatever happened.
#   scripts/demo.sh BUILD_DIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
cephc=$build/cephc
dir=$(mktemp -d /tmp/cephc-demo.XXXXXX)
cleanup() { bash "$top/scripts/cluster.sh" down --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "starting a throwaway cluster (1 mon, 3 OSDs, cephx) in $dir"
bash "$top/scripts/cluster.sh" up --dir "$dir" --mons 1 --osds 3
conf=$dir/ceph.conf

step "cephc status (our client: msgr v1, cephx, monmap + osdmap decoded)"
"$cephc" -c "$conf" status

step "the same cluster as Ceph's own tool sees it"
ceph -c "$conf" -s --format json | python3 -c '
import json,sys; s=json.load(sys.stdin)
print("  fsid", s["fsid"], "| quorum", ",".join(s["quorum_names"]),
      "| osdmap e%d: %d osds, %d up, %d in" % (s["osdmap"]["epoch"],
      s["osdmap"]["num_osds"], s["osdmap"]["num_up_osds"], s["osdmap"]["num_in_osds"]))'

step "a monitor command through cephc: create pool 'demo'"
"$cephc" -c "$conf" mon command '{"prefix":"osd pool create","pool":"demo","pg_num":16}'
"$cephc" -c "$conf" mon command '{"prefix":"osd pool ls","format":"json"}'

step "placement: cephc osdmaptool vs Ceph's osdmaptool on the live map"
ceph -c "$conf" osd getmap -o "$dir/osdmap" 2>/dev/null
osdmaptool "$dir/osdmap" --test-map-pgs-dump-all > "$dir/theirs.txt" 2>/dev/null
"$cephc" osdmaptool "$dir/osdmap" --test-map-pgs-dump-all > "$dir/ours.txt" 2>/dev/null
head -4 "$dir/ours.txt"
echo "  ..."
if cmp -s "$dir/ours.txt" "$dir/theirs.txt"; then
	echo "  identical to osdmaptool: $(wc -l < "$dir/ours.txt") lines"
else
	echo "  DIFFERENT from osdmaptool:"; diff "$dir/ours.txt" "$dir/theirs.txt" | head; exit 1
fi

step "CRUSH: cephc crushtool vs Ceph's crushtool, 3 replicas, x = 0..9999"
ceph -c "$conf" osd getcrushmap -o "$dir/crushmap" 2>/dev/null
crushtool -i "$dir/crushmap" --test --show-mappings --rule 0 --num-rep 3 \
	--min-x 0 --max-x 9999 > "$dir/c-theirs.txt" 2>/dev/null
"$cephc" crushtool -i "$dir/crushmap" --test --show-mappings --rule 0 \
	--num-rep 3 --min-x 0 --max-x 9999 > "$dir/c-ours.txt" 2>/dev/null
if cmp -s "$dir/c-ours.txt" "$dir/c-theirs.txt"; then
	echo "  identical: $(wc -l < "$dir/c-ours.txt") mappings"
else
	echo "  DIFFERENT from crushtool"; diff "$dir/c-ours.txt" "$dir/c-theirs.txt" | head; exit 1
fi

step "done; tearing the cluster down"
