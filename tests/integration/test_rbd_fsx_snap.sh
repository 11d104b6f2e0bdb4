#!/usr/bin/env bash
# fsx with snapshots, rollbacks, a clone + flatten and compare-and-writes
# (fsx -W -P -K), on a default-feature image (exclusive lock, object map,
# fast-diff, deep-flatten), on a cluster of its own whose daemons break
# their connections at random (`ms inject socket failures`), while a
# librbd client (rbd_lock_holder.py snaps) keeps taking the lock away and
# giving it back.  20,000 ops (2,000 in the sanitizer build).
# Afterwards:
#  - fsx itself reopened every snapshot left (of the image and of its
#    clone) and compared it with the model's copy;
#  - `rbd export` of each of them, and of the final clone, equals the
#    model's copy fsx wrote out (-X);
#  - the clone was flattened (`rbd info` shows no parent);
#  - `rbd object-map check` is clean for HEAD and every snapshot of both.
set -euo pipefail
src=${CEPHC_SOURCE_DIR:?}
fsx=${CEPHC_BUILD_DIR:?}/fsx
here=$(dirname "$0")
if [ -z "${CEPHC_TEST_CONF:-}" ] || ! command -v ceph-osd >/dev/null; then
	[ "${CEPHC_REQUIRE_CLUSTER:-0}" = 1 ] && { echo "no cluster to test"; exit 1; }
	exit 77
fi
dir=$(mktemp -d /tmp/cephc-fsxsn.XXXXXX)
holder=
p=rbd
i=fsxsn$$
cleanup() {
	[ -n "$holder" ] && kill -9 "$holder" 2>/dev/null && wait "$holder" 2>/dev/null
	env -u CEPH_CONF -u CEPH_KEYRING bash "$src/scripts/cluster.sh" down \
		--dir "$dir/cluster" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT
N=${CEPHC_FSX_OPS:-20000}
[ -n "${CEPHC_SANITIZED:-}" ] && N=${CEPHC_FSX_OPS:-2000}
fail() { echo "FAIL: $*"; exit 1; }
t0=$(date +%s)
# (the shared cluster's keyring must not leak into the new one's tools)
env -u CEPH_CONF -u CEPH_KEYRING bash "$src/scripts/cluster.sh" up \
	--dir "$dir/cluster" --mons 1 --osds 3 --inject-socket-failures 500 >/dev/null
conf=$dir/cluster/ceph.conf
export CEPH_CONF=$conf
unset CEPH_KEYRING
snaps_of() { # image: "@snap" for each snapshot
	rbd snap ls --format json "$p/$1" | /usr/bin/python3 -c \
		'import json,sys; print(" ".join("@" + s["name"] for s in json.load(sys.stdin)))'
}
map_clean() { # image: HEAD and every snapshot check clean, no flags
	local s
	for s in "" $(snaps_of "$1"); do
		rbd object-map check --no-progress "$p/$1$s" >/dev/null 2>&1 ||
			fail "object-map check $1$s"
		[ -z "$(rbd info "$p/$1$s" | sed -n 's/^\s*flags: *//p')" ] ||
			fail "$1$s flags: $(rbd info "$p/$1$s" | grep flags)"
	done
}

rbd create --size 4M --object-size 64K "$p/$i"
features=$(rbd info --format json "$p/$i" |
	/usr/bin/python3 -c 'import json,sys; print(",".join(json.load(sys.stdin)["features"]))')
case $features in *exclusive-lock*object-map*fast-diff*) ;; *) fail "default features: $features" ;; esac
rbd bench --io-type write --io-size 64K --io-total 2M --io-pattern rand "$p/$i" >/dev/null
rbd export --no-progress "$p/$i" "$dir/start"
# librbd keeps taking the lock (for its own snapshots l1, l2, ...)
/usr/bin/python3 "$here/rbd_lock_holder.py" "$conf" "$p" "$i" snaps 3600 >"$dir/holder.out" 2>&1 &
holder=$!
for _ in $(seq 100); do grep -qs '^ready' "$dir/holder.out" && break; sleep 0.1; done
mkdir "$dir/model"
rc=0
"$fsx" -c "$conf" -N "$N" -l 4M -o 192K -W -P -K -X "$dir/model" \
	-E "$dir/start" "$p/$i" >"$dir/fsx.out" 2>&1 || rc=$?
hrc=0
kill "$holder" && wait "$holder" || hrc=$?
holder=
cat "$dir/fsx.out"
[ "$rc" = 0 ] || fail "fsx"
[ "$hrc" = 0 ] || fail "the librbd client failed: $(cat "$dir/holder.out")"
n=$(sed -n 's/^snaps //p' "$dir/holder.out")
echo "librbd took the lock ${n:-0} times for snapshots"
[ "${n:-0}" -ge 3 ] || fail "too few hand-offs to librbd"

c=$i-clone
grep -q "^fsx: cloned $i@fsx[0-9]* to $c\$" "$dir/fsx.out" || fail "no clone was made"
nsnaps=$(grep -c '^fsx: snapshot .*: ok$' "$dir/fsx.out" || true)
echo "fsx checked $nsnaps snapshots itself"
[ "$nsnaps" -ge 2 ] || fail "too few snapshots to check"
# every model copy fsx wrote equals rbd's export of it
checked=0
for f in "$dir"/model/*; do
	name=$(basename "$f")
	rbd export --no-progress "$p/$name" - 2>/dev/null | cmp -s - "$f" ||
		fail "rbd export $name differs from fsx's model"
	checked=$((checked + 1))
done
echo "rbd export matched the model for $checked images and snapshots"
[ "$checked" -gt "$nsnaps" ] || fail "fsx wrote too few models ($checked)"
rbd info "$p/$c" | grep -q parent: && fail "the clone still has a parent"
map_clean "$i"
map_clean "$c"
# the injection really happened: the daemons logged injected failures
grep -q "injecting socket failure" "$dir"/cluster/log/*.log || fail "no socket failure was injected"
echo "fsx ops: $N, $(($(date +%s) - t0)) s in all"
echo PASS
