#!/usr/bin/env bash
# rbd lock ls|add|rm and rbd status: cephc against rbd 16.2.15.
#  - each tool sees the other's locks; `lock ls` and `status` print what
#    rbd prints (plain, json, json --pretty-format, xml) and exit alike;
#  - exclusive and shared (tagged) locks, and the refusals of a held lock
#    (exit 16, rbd's messages);
#  - with a librbd client (python3-rbd) holding the image open: its watch
#    and its exclusive lock `auto <cookie>` in status / lock ls;
#  - `lock rm` of the lock of a client that is alive but stopped: its
#    address is blocklisted first (the monitor sees "expire": 120.0, a
#    number, with --rbd_blocklist_expire_seconds 120, and no expire by
#    default), then the lock is gone;
#  - errors: rm of a locker that holds nothing, a malformed locker.
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
bin=${CEPHC_BIN:?}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
work=$(mktemp -d)
tag=tlk$$x$RANDOM
pool=rbd
holders=()
pass=0
failed=0
cleanup() {
	for p in "${holders[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	# librbd's rm retries for ever against a lock it cannot break: drop
	# every lock first, and bound it anyway
	for i in a b h1 h2; do
		lockers "$pool/$tag$i" 2>/dev/null | while read -r who id; do
			rbd lock rm "$pool/$tag$i" "$id" "$who" >/dev/null 2>&1
		done || true
		timeout 60 rbd rm --no-progress "$pool/$tag$i" >/dev/null 2>&1 ||
			true
	done
	rm -rf "$work"
}
trap cleanup EXIT
ok() {
	pass=$((pass + 1))
	echo "ok: $*"
}
bad() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}
# same_out ARGS...: cephc rbd ARGS and rbd ARGS print the same stdout and
# exit alike.
same_out() {
	local a b ra=0 rb=0
	a=$("$bin" rbd "$@" 2>/dev/null) || ra=$?
	b=$(rbd "$@" 2>/dev/null) || rb=$?
	if [ "$a" != "$b" ]; then
		bad "rbd $*: stdout differs:
cephc: $a
rbd:   $b"
	elif [ "$ra" != "$rb" ]; then
		bad "rbd $*: exit $ra, rbd exits $rb"
	else
		ok "rbd $* (exit $ra)"
	fi
}
# all_formats SUB... IMAGE: same_out in every output format (options
# after the sub-command: cephc wants the sub-command first).
all_formats() {
	same_out "$@"
	same_out "$@" --format json
	same_out "$@" --format json --pretty-format
	same_out "$@" --format xml
	same_out "$@" --format xml --pretty-format
}
# last_rbd_line FILE: the last "rbd: " line of stderr, with librbd's own
# log lines ("2026-...T... 7f.. -1 librbd: ...") taken out first: they
# come from another thread and may land in the middle of rbd's line.
last_rbd_line() {
	/usr/bin/python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1], errors="replace").read()
t = re.sub(r"\d{4}-\d\d-\d\dT[\d:.+]+ [0-9a-f]+ +-?\d+ [^\n]*\n?", "", t)
lines = [l for l in t.split("\n") if l.startswith("rbd: ")]
print(lines[-1] if lines else "")
PY
}
# same_err ARGS...: both fail alike, with the same last "rbd: " line on
# stderr.
same_err() {
	local ra=0 rb=0 ea eb
	"$bin" rbd "$@" >/dev/null 2>"$work/ea" || ra=$?
	rbd "$@" >/dev/null 2>"$work/eb" || rb=$?
	ea=$(last_rbd_line "$work/ea")
	eb=$(last_rbd_line "$work/eb")
	# librbd's log line can even split rbd's: then every part of
	# cephc's line must be in rbd's stderr
	if [ "$ea" != "$eb" ] && [ -n "$ea" ] && /usr/bin/python3 -c '
import sys
raw = open(sys.argv[2], errors="replace").read()
sys.exit(0 if all(p in raw for p in sys.argv[1].split(": ")) else 1)' "$ea" "$work/eb"; then
		eb=$ea
	fi
	if [ "$ra" != "$rb" ] || [ "$ea" != "$eb" ]; then
		bad "rbd $*: cephc exit $ra '$ea', rbd exit $rb '$eb'"
	else
		ok "rbd $*: exit $ra '$ea'"
	fi
}
# lockers IMAGE: "locker id" per line, from rbd's own JSON.
lockers() {
	rbd lock ls --format json "$1" | /usr/bin/python3 -c '
import json, sys
for l in json.load(sys.stdin):
    print(l["locker"], l["id"])'
}
# start_holder IMAGE: a librbd client that writes (so it takes the
# exclusive lock) and keeps the image open; prints its pid.
start_holder() {
	CONF=$conf /usr/bin/python3 - "$1" >"$work/holder.${1##*/}.log" 2>&1 <<'PY' &
import os, sys, time, rados, rbd
c = rados.Rados(conffile=os.environ["CONF"]); c.connect()
io = c.open_ioctx("rbd")
img = rbd.Image(io, sys.argv[1].split("/")[-1])
img.write(b"x" * 4096, 0)
print("owner", img.is_exclusive_lock_owner(), flush=True)
time.sleep(600)
PY
	echo $!
}
wait_owner() {
	for _ in $(seq 100); do
		grep -q "owner True" "$work/holder.${1##*/}.log" 2>/dev/null &&
			return 0
		sleep 0.2
	done
	cat "$work/holder.${1##*/}.log"
	return 1
}
blocklisted() { ceph osd blocklist ls 2>/dev/null | grep -q "^$1 "; }
monlog=${CEPHC_CLUSTER_DIR:-$(dirname "$conf")}/log/mon.a.log

a=$pool/${tag}a
b=$pool/${tag}b
rbd create --size 16M "$a"
rbd create --size 16M --image-feature layering "$b"

# --- 1. no locks, no watchers ---------------------------------------------
all_formats lock ls "$a"
all_formats status "$a"
same_out lock list "$b"
same_err lock ls "$a" --format json-pretty
same_err lock ls "$a" --pretty-format

# --- 2. cephc adds, rbd sees; rbd removes ---------------------------------
"$bin" rbd lock add "$a" mylock || bad "cephc lock add"
l=$(lockers "$a")
case $l in
"client."*" mylock") ok "rbd lock ls shows cephc's lock: $l" ;;
*) bad "rbd lock ls after cephc lock add: '$l'" ;;
esac
all_formats lock ls "$a"
same_err lock add "$a" mylock
same_err lock add "$a" other
same_err lock add --shared t1 "$a" other
rbd lock rm "$a" mylock "${l%% *}" || bad "rbd lock rm of cephc's lock"
[ -z "$(lockers "$a")" ] && ok "rbd removed cephc's lock" ||
	bad "lock left after rbd lock rm"

# --pool/--image instead of the spec
"$bin" rbd lock add --pool "$pool" --image "${tag}a" viaopt ||
	bad "cephc lock add --image"
same_out lock ls --pool "$pool" --image "${tag}a"
l=$(lockers "$a")
"$bin" rbd lock rm --pool "$pool" --image "${tag}a" viaopt "${l%% *}" ||
	bad "cephc lock rm --image"
[ -z "$(lockers "$a")" ] && ok "--image lock added and removed" ||
	bad "lock left after lock rm --image"

# --- 3. rbd adds, cephc sees and removes -----------------------------------
rbd lock add "$b" theirs
all_formats lock ls "$b"
l=$(lockers "$b")
same_err lock rm "$b" theirs client.1
same_err lock rm "$b" theirs clientx
"$bin" rbd lock remove "$b" theirs "${l%% *}" || bad "cephc lock rm"
[ -z "$(lockers "$b")" ] && ok "cephc removed rbd's lock" ||
	bad "lock left after cephc lock rm"

# rbd_blocklist_on_break_lock off: the lock goes, nobody is blocklisted
rbd lock add "$b" again
l=$(lockers "$b")
addr=$(rbd lock ls --format json "$b" |
	/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
"$bin" rbd lock rm --rbd_blocklist_on_break_lock=false "$b" again \
	"${l%% *}" || bad "cephc lock rm without blocklisting"
[ -z "$(lockers "$b")" ] && ok "lock broken without blocklisting" ||
	bad "lock left (no blocklisting)"
blocklisted "$addr" && bad "$addr blocklisted though told not to" ||
	ok "$addr not blocklisted"

# --- 4. shared locks with tags ----------------------------------------------
"$bin" rbd lock add --shared tg "$b" s1 || bad "cephc shared lock"
rbd lock add --shared tg "$b" s2 || bad "rbd shared lock next to cephc's"
all_formats lock ls "$b"
same_err lock add --shared other "$b" s3
same_err lock add "$b" s4
n=$(lockers "$b" | grep -c .)
[ "$n" = 2 ] && ok "two shared lockers" || bad "$n shared lockers"
for l in $(lockers "$b" | tr ' ' ':'); do
	"$bin" rbd lock rm "$b" "${l#*:}" "${l%%:*}" || bad "rm shared $l"
done
[ -z "$(lockers "$b")" ] && ok "shared locks removed" ||
	bad "shared locks left"

# --- 5. a librbd client holds the image open --------------------------------
h1=$pool/${tag}h1
rbd create --size 16M "$h1"
pid=$(start_holder "$h1")
holders+=("$pid")
wait_owner "$h1" || { bad "holder did not take the lock"; exit 1; }
all_formats status "$h1"
all_formats lock ls "$h1"
same_err lock add "$h1" mine
l=$(lockers "$h1")
case $l in
"client."*" auto "*) ok "holder's lock: $l" ;;
*) bad "holder's lock: '$l'" ;;
esac
addr=$(rbd lock ls --format json "$h1" |
	/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')

# alive but stopped: blocklisted for 120 s, then its lock broken
kill -STOP "$pid"
"$bin" rbd lock rm --rbd_blocklist_expire_seconds 120 "$h1" "${l#* }" \
	"${l%% *}" || bad "cephc lock rm of a stopped holder's lock"
[ -z "$(lockers "$h1")" ] && ok "stopped holder's lock broken" ||
	bad "stopped holder's lock still there"
blocklisted "$addr" && ok "holder $addr blocklisted" ||
	bad "holder $addr not blocklisted"
if [ -r "$monlog" ]; then
	grep -F "\"addr\": \"$addr\", \"expire\": 120.0}" "$monlog" |
		grep -q handle_command && ok "mon saw a numeric expire" ||
		bad "no '\"expire\": 120.0' for $addr in $monlog"
fi
kill -KILL "$pid"

# default: no expire in the command (the monitors' default applies)
h2=$pool/${tag}h2
rbd create --size 16M "$h2"
pid=$(start_holder "$h2")
holders+=("$pid")
wait_owner "$h2" || { bad "second holder did not take the lock"; exit 1; }
l=$(lockers "$h2")
addr=$(rbd lock ls --format json "$h2" |
	/usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["address"])')
kill -STOP "$pid"
"$bin" rbd lock rm "$h2" "${l#* }" "${l%% *}" ||
	bad "cephc lock rm (default expire)"
[ -z "$(lockers "$h2")" ] && ok "lock broken (default expire)" ||
	bad "lock left (default expire)"
blocklisted "$addr" && ok "holder $addr blocklisted" ||
	bad "holder $addr not blocklisted"
if [ -r "$monlog" ]; then
	grep -F "\"addr\": \"$addr\"}" "$monlog" | grep -q handle_command &&
		ok "mon saw no expire" || bad "blocklist of $addr: expire sent?"
fi
kill -KILL "$pid"
# the blocklisted watch is gone too
same_out status "$h2"

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
