#!/usr/bin/env bash
# scripts/cluster.sh --msgr v2 --ms-mode crc|secure: a v2-only cluster
# (1 mon, 1 OSD) comes up in each mode (both side by side, to keep the
# test short), Ceph's own tools work through it, the mons bind no v1 port,
# and a client offering only the other mode is turned away (so the mode is
# really required, not just allowed).
# Exit 0 on pass, 1 on failure, 77 (skipped) without the ceph packages
# unless CEPHC_REQUIRE_CLUSTER=1.
# shellcheck disable=SC2015  # `test && ok || bad`: ok never fails
set -euo pipefail
# Only scripts/cluster.sh and Ceph's own tools run here, and one short run
# of cephc's test_msgr_v2_proto_live per mode (that test also runs on its
# own in the sanitizer build): nothing to add there.
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

modes=(crc secure)
declare -A dir=()
# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
	local m
	for m in "${!dir[@]}"; do
		bash "$cluster" down --dir "${dir[$m]}" >/dev/null 2>&1 || true
		rm -rf "${dir[$m]}"
	done
}
trap cleanup EXIT

# bad arguments are refused before anything starts
bash "$cluster" up --dir /tmp/cephc-msmode-never --ms-mode plain >/dev/null 2>&1 &&
	bad "--ms-mode plain accepted" || ok "--ms-mode plain refused"
bash "$cluster" up --dir /tmp/cephc-msmode-never --msgr v1 --ms-mode secure >/dev/null 2>&1 &&
	bad "--ms-mode with v1 accepted" || ok "--ms-mode with --msgr v1 refused"
[[ ! -e /tmp/cephc-msmode-never ]] && ok "nothing created for bad arguments" ||
	bad "/tmp/cephc-msmode-never created"

declare -A pid=()
for mode in "${modes[@]}"; do
	dir[$mode]=$(mktemp -d /tmp/cephc-msmode.XXXXXX)
	bash "$cluster" up --dir "${dir[$mode]}" --mons 1 --osds 1 --msgr v2 --ms-mode "$mode" \
		>"${dir[$mode]}.up.log" 2>&1 &
	pid[$mode]=$!
done

for mode in "${modes[@]}"; do
	other=secure
	[[ $mode == crc ]] || other=crc
	d=${dir[$mode]}
	if ! wait "${pid[$mode]}"; then
		bad "$mode: up failed: $(tail -5 "$d.up.log")"
		rm -f "$d.up.log"
		continue
	fi
	rm -f "$d.up.log"
	ok "$mode: up"
	conf=$d/ceph.conf
	mon_host=$(sed -n 's/^mon_host = //p' "$conf")
	[[ $mon_host =~ ^\[v2:127\.0\.0\.1:[0-9]+\]$ ]] && ok "$mode: mon_host $mon_host" ||
		bad "$mode: mon_host not v2-only: '$mon_host'"
	grep -qx 'ms bind msgr1 = false' "$conf" && ok "$mode: msgr1 not bound" || bad "$mode: msgr1 bound"
	n=$(grep -cE "^ms_(mon_)?(cluster|service|client)_mode = $mode\$" "$conf" || true)
	((n == 6)) && ok "$mode: 6 mode options" || bad "$mode: $n mode options"

	payload="msgr2 $mode $$ $RANDOM"
	if printf '%s' "$payload" | timeout 30 rados -c "$conf" -p test put m2 - &&
		got=$(timeout 30 rados -c "$conf" -p test get m2 -) && [[ $got == "$payload" ]]; then
		ok "$mode: rados put/get"
	else
		bad "$mode: rados put/get"
	fi
	# a client that offers only this mode gets in; one that offers only
	# the other mode gets no session
	if timeout 30 rados -c "$conf" --ms_mon_client_mode="$mode" \
		--client_mount_timeout=3 lspools >/dev/null 2>&1; then
		ok "$mode: a $mode-only client gets in"
	else
		bad "$mode: a $mode-only client is refused"
	fi
	if timeout 30 rados -c "$conf" --ms_mon_client_mode="$other" \
		--client_mount_timeout=3 lspools >/dev/null 2>&1; then
		bad "$mode: a $other-only client was let in"
	else
		ok "$mode: a $other-only client is refused"
	fi
	# cephc's msgr2 state machine: READY in this mode, AUTH_BAD_METHOD
	# and a clear fault when it offers only the other one
	v2p=${CEPHC_BUILD_DIR:-}/test_msgr_v2_proto_live
	if [[ -n ${CEPHC_BUILD_DIR:-} && -x $v2p ]]; then
		# (the shared cluster's keyring must not leak in: this one has its own)
		if env -u CEPHC_TEST_KEYRING -u CEPH_KEYRING CEPHC_TEST_CONF="$conf" \
			CEPHC_REQUIRE_CLUSTER=1 timeout 60 "$v2p" >"$d.v2p.log" 2>&1; then
			ok "$mode: cephc v2 state machine (mode taken, other refused)"
		else
			bad "$mode: cephc v2 state machine: $(tail -3 "$d.v2p.log")"
		fi
		rm -f "$d.v2p.log"
	fi
done

for mode in "${modes[@]}"; do
	bash "$cluster" down --dir "${dir[$mode]}" >/dev/null 2>&1 &
	pid[$mode]=$!
done
for mode in "${modes[@]}"; do
	if wait "${pid[$mode]}"; then ok "$mode: down"; else bad "$mode: down failed"; fi
	rm -rf "${dir[$mode]}"
done
dir=()

echo "cluster_ms_modes: $passed passed, $failed failed"
((failed == 0))
