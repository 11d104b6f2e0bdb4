#!/usr/bin/env bash
# The main job, end to end, against a throwaway local Ceph cluster:
#   1. start 1 monitor + 3 OSDs (Ceph 16 from Debian) on loopback;
#   2. cephc joins with cephx and shows what it sees, beside `ceph -s`;
#   3. cephc computes placement from the live OSDMap, compared byte for byte
#      with Ceph's osdmaptool and crushtool;
#   4. cephc creates an RBD image and imports a file into another (Ceph's
#      default features: exclusive lock, object map); Ceph's own
#      `rbd export` reads it back and the checksums are compared;
#   5. a short `cephc rbd bench` beside `rbd bench` (librbd, cache off) on
#      one image, the lock going from one to the other; `rbd object-map
#      check` finds the map cephc kept clean;
#   6. `cephc nbd` exports the imported image over NBD (nbdkit + the cephc
#      plugin) and nbdcopy reads it back, compared with the file;
#   7. the cluster is torn down, whatever happened.
#   scripts/demo.sh BUILD_DIR
#   scripts/demo.sh --installed     the cephc of the installed package
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --installed ]; then
	cephc=$(command -v cephc) || { echo "demo: cephc is not installed" >&2; exit 1; }
else
	build=$(cd "${1:-build}" && pwd)
	cephc=$build/cephc
fi
dir=$(mktemp -d /tmp/cephc-demo.XXXXXX)
nbd_pid=
cleanup() {
	[ -n "$nbd_pid" ] && kill "$nbd_pid" 2>/dev/null && wait "$nbd_pid" 2>/dev/null
	bash "$top/scripts/cluster.sh" down --dir "$dir" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
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

step "RBD: cephc creates an image and imports a file; Ceph's rbd reads them"
"$cephc" -c "$conf" rbd create --size 64M rbd/demo-created
rbd -c "$conf" info rbd/demo-created | sed 's/^/  /'
head -c $((24 * 1024 * 1024 + 12345)) /dev/urandom > "$dir/payload.bin"
"$cephc" -c "$conf" rbd import "$dir/payload.bin" rbd/demo-imported
ours=$(sha256sum < "$dir/payload.bin" | cut -d' ' -f1)
theirs=$(rbd -c "$conf" export rbd/demo-imported - 2>/dev/null | sha256sum | cut -d' ' -f1)
echo "  file imported by cephc:      $ours"
echo "  image exported by rbd:       $theirs"
[ "$ours" = "$theirs" ] && echo "  checksums match" || { echo "  CHECKSUMS DIFFER"; exit 1; }

step "4 KiB random writes, 16 in flight: cephc rbd bench, then rbd bench (librbd) on the same default-feature image"
bargs=(--io-type write --io-size 4K --io-threads 16 --io-total 16M --io-pattern rand)
"$cephc" -c "$conf" rbd bench "${bargs[@]}" rbd/demo-created 2>&1 | tail -2 | sed 's/^/  cephc: /'
rbd -c "$conf" bench "${bargs[@]}" --rbd-cache=false rbd/demo-created 2>&1 | tail -1 | sed 's/^/  rbd:   /'
# Ceph's default features: cephc kept the object map and handed the
# exclusive lock to rbd bench; a check by Ceph's tool must find no error
if rbd -c "$conf" object-map check rbd/demo-created >/dev/null 2>&1 &&
	! rbd -c "$conf" info rbd/demo-created | grep -q "flags: object"; then
	echo "  rbd object-map check: clean ($(rbd -c "$conf" info rbd/demo-created | sed -n 's/^\tfeatures: //p'))"
else
	echo "  rbd object-map check: ERRORS"; exit 1
fi

step "NBD: cephc nbd exports rbd/demo-imported; nbdcopy reads it back"
if [ -f "$build/nbdkit-cephc-plugin.so" ] && command -v nbdkit >/dev/null && command -v nbdcopy >/dev/null; then
	"$cephc" -c "$conf" nbd --readonly --socket "$dir/nbd.sock" rbd/demo-imported > "$dir/nbd.uri" &
	nbd_pid=$!
	for _ in $(seq 100); do [ -s "$dir/nbd.uri" ] && break; sleep 0.1; done
	uri=$(head -1 "$dir/nbd.uri")
	echo "  serving $uri"
	nbdinfo "$uri" | grep -E 'export-size|can_multi_conn|is_read_only' | sed 's/^\s*/  /'
	nbd=$(nbdcopy "$uri" - | sha256sum | cut -d' ' -f1)
	echo "  read over NBD by nbdcopy:    $nbd"
	[ "$nbd" = "$ours" ] && echo "  checksums match" || { echo "  CHECKSUMS DIFFER"; exit 1; }
	kill "$nbd_pid"; wait "$nbd_pid" || true; nbd_pid=
else
	echo "  skipped: the nbdkit plugin or nbdcopy is missing (scripts/deps.sh installs them)"
fi

step "done; tearing the cluster down"
