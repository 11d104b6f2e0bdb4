#!/usr/bin/env bash
# Self-test of scripts/cluster.sh: a quick private cluster (1 mon, 1 OSD)
# in its own directory, a rados put/get through Ceph's own tools, then
# `down`, which must leave no daemon, no listening port and no directory.
# Independent of the suite's shared cluster (it runs beside it).
# Exit 0 on pass, 1 on failure, 77 (skipped) without the ceph packages
# unless CEPHC_REQUIRE_CLUSTER=1.
# shellcheck disable=SC2015  # `test && ok || bad`: ok never fails
set -euo pipefail
# Only scripts/cluster.sh and Ceph's own tools run here, no cephc code:
# the sanitizer build has nothing to add to the normal build's run.
if [ -n "${CEPHC_SANITIZED:-}" ]; then
	echo "SKIP: no cephc code to sanitize (the normal build runs this)"
	exit 77
fi

top=$(cd "$(dirname "$0")/../.." && pwd)
cluster=$top/scripts/cluster.sh

for b in ceph-mon ceph-osd ceph rados; do
	if ! command -v "$b" >/dev/null 2>&1; then
		if [[ ${CEPHC_REQUIRE_CLUSTER:-0} != 1 ]]; then
			echo "SKIP: $b not installed (scripts/cluster.sh up installs it)"
			exit 77
		fi
	fi
done

passed=0
failed=0
ok() {
	echo "ok: $*"
	passed=$((passed + 1))
}
bad() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

dir=$(mktemp -d /tmp/cephc-selftest.XXXXXX)
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	bash "$cluster" down --dir "$dir" >/dev/null 2>&1 || true
	rm -rf "$dir"
}
trap cleanup EXIT

finish() {
	echo "cluster_script: $passed passed, $failed failed"
	((failed == 0)) && exit 0
	exit 1
}

if bash "$cluster" up --dir "$dir" --mons 1 --osds 1; then
	ok "up"
else
	bad "up failed"
	finish
fi

for f in ceph.conf keyring env.sh; do
	[[ -s $dir/$f ]] && ok "$f written" || bad "$f missing"
done
# shellcheck disable=SC1091
source "$dir/env.sh"
[[ ${CEPHC_TEST_CONF:-} == "$dir/ceph.conf" && ${CEPHC_TEST_KEYRING:-} == "$dir/keyring" &&
	${CEPH_CONF:-} == "$dir/ceph.conf" ]] && ok "env.sh exports" || bad "env.sh exports"

mon_host=$(sed -n 's/^mon_host = //p' "$dir/ceph.conf")
if [[ $mon_host =~ ^\[v2:127\.0\.0\.1:([0-9]+),v1:127\.0\.0\.1:([0-9]+)\]$ ]]; then
	ok "mon_host $mon_host"
	mon_ports=("${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}")
else
	bad "mon_host has an unexpected form: '$mon_host'"
	mon_ports=()
fi

# Ceph's own tools with nothing but -c
osd_stat=$(timeout 30 ceph -c "$dir/ceph.conf" osd stat 2>&1) || true
[[ $osd_stat == *"1 osds: 1 up"*"1 in"* ]] && ok "ceph osd stat: $osd_stat" || bad "ceph osd stat: $osd_stat"

payload="cephc cluster self-test $$ $RANDOM"
if printf '%s' "$payload" | timeout 30 rados -c "$dir/ceph.conf" -p test put selftest - &&
	got=$(timeout 30 rados -c "$dir/ceph.conf" -p test get selftest -) && [[ $got == "$payload" ]]; then
	ok "rados put/get on pool test"
else
	bad "rados put/get on pool test"
fi
timeout 30 rados -c "$dir/ceph.conf" -p rbd ls >/dev/null && ok "pool rbd readable" || bad "pool rbd"

# nothing written outside DIR by the client tools
[[ -e $dir/log/client.admin.log ]] && ok "client log under DIR/log" || bad "no client log under DIR/log"

if bash "$cluster" down --dir "$dir"; then ok "down"; else bad "down failed"; fi
left=$(pgrep -af -- "$dir" || true)
[[ -z $left ]] && ok "no process left" || bad "processes left: $left"
listening=()
for f in /proc/net/tcp /proc/net/tcp6; do
	[[ -r $f ]] || continue
	while read -r _ laddr _ st _; do
		[[ $st == 0A ]] && listening+=($((16#${laddr##*:})))
	done <"$f"
done
for p in "${mon_ports[@]}"; do
	if [[ " ${listening[*]} " == *" $p "* ]]; then bad "port $p still listening"; else ok "port $p closed"; fi
done
[[ ! -e $dir ]] && ok "DIR removed" || bad "DIR still there: $(ls -A "$dir" 2>&1)"
bash "$cluster" down --dir "$dir" >/dev/null 2>&1 && ok "second down is a no-op" || bad "second down failed"

finish
