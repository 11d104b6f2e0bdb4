#!/usr/bin/env bash
# cephc rbd snap create|rm|purge|rollback|rename|protect|unprotect|limit|ls
# against rbd 16.2.15: each command runs on a pair of images (cephc on
# one, rbd on its twin); exit codes match, `snap ls` prints the same
# (plain, json, --all), the messages rbd prints itself match, and rbd
# reads what cephc did (snap ls, info, export).
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
bin=${CEPHC_BIN:?}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
export CEPH_CONF=$conf
work=$(mktemp -d)
a=snca$$
b=sncb$$
pass=0
failed=0
cleanup() {
	ceph osd pool rm "sncp$$" "sncp$$" --yes-i-really-really-mean-it >/dev/null 2>&1 || true
	for i in $a $b; do
		rbd snap unprotect "rbd/$i@p" >/dev/null 2>&1 || true
		rbd snap purge --no-progress "rbd/$i" >/dev/null 2>&1 || true
		rbd rm --no-progress "rbd/$i" >/dev/null 2>&1 || true
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
# both SUB ARGS...: "cephc rbd snap SUB ARGS" on rbd/$a and "rbd snap SUB
# ARGS" on rbd/$b ("IMG" in ARGS stands for the image); same exit code.
both() {
	local ra=0 rb=0 args_a=() args_b=()
	for x in "$@"; do
		args_a+=("${x//IMG/rbd/$a}")
		args_b+=("${x//IMG/rbd/$b}")
	done
	"$bin" rbd snap "${args_a[@]}" >"$work/oa" 2>"$work/ea" || ra=$?
	rbd snap "${args_b[@]}" >"$work/ob" 2>"$work/eb" || rb=$?
	if [ "$ra" = "$rb" ]; then
		ok "snap $* (exit $ra)"
	else
		bad "snap $*: exit $ra, rbd exits $rb ($(tail -1 "$work/ea") / $(tail -1 "$work/eb"))"
	fi
}
# same_ls ARGS...: snap ls output equal (names and ids differ per image:
# compare with the ids and timestamps blanked)
same_ls() {
	local x y
	x=$("$bin" rbd snap ls "$@" "rbd/$a" 2>&1 | sed -E 's/[0-9]{2,}|[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]+ [0-9:]+ [0-9]{4}|"id":[0-9]+/N/g')
	y=$(rbd snap ls "$@" "rbd/$a" 2>&1 | sed -E 's/[0-9]{2,}|[A-Z][a-z]{2} [A-Z][a-z]{2} [ 0-9]+ [0-9:]+ [0-9]{4}|"id":[0-9]+/N/g')
	if [ "$x" = "$y" ]; then ok "snap ls $* prints as rbd"; else
		bad "snap ls $*:
cephc: $x
rbd:   $y"
	fi
}
# FILE without librbd's own log lines ("2026-...T... 7f.. -1 librbd...");
# they come from another thread and may land inside rbd's message
no_log() {
	/usr/bin/python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1], errors="replace").read()
sys.stdout.write(re.sub(r"\d{4}-\d\d-\d\dT[\d:.+]+ [0-9a-f]+ +-?\d+ [^\n]*\n?", "", t))
PY
}
same_err_line() {
	if no_log "$work/ea" | grep -qF "$1" && no_log "$work/eb" | grep -qF "$1"; then
		ok "both say: $1"
	else
		bad "message '$1': cephc '$(cat "$work/ea")', rbd '$(cat "$work/eb")'"
	fi
}

rbd create --size 16M "rbd/$a"
rbd create --size 16M "rbd/$b"
rbd bench --io-type write --io-total 8M "rbd/$a" >/dev/null 2>&1
rbd bench --io-type write --io-total 8M "rbd/$b" >/dev/null 2>&1
both create --no-progress IMG@s1
both add --no-progress IMG@s2
both create --no-progress IMG@s1
same_ls
same_ls --format json
same_ls --all
both protect IMG@s1
both protect IMG@s1
both rm --no-progress IMG@s1
same_err_line "rbd: snapshot 's1' is protected from removal."
same_ls
both unprotect IMG@s1
both unprotect IMG@s1
same_err_line "rbd: snap is already unprotected"
both rename IMG@s2 IMG@s3
both rename IMG@s3 IMG@s1
both limit set --limit 2 IMG
both create --no-progress IMG@s4
both limit set --limit 1 IMG
both limit clear IMG
both rollback --no-progress IMG@nosuch
both rollback --no-progress IMG@s3
cmp <(rbd export --no-progress "rbd/$a" - 2>/dev/null) \
	<(rbd export --no-progress "rbd/$a@s3" - 2>/dev/null) &&
	ok "rollback: HEAD equals @s3" || bad "rollback: HEAD differs from @s3"
both protect IMG@s1
both rm --force --no-progress IMG@s1
both purge --no-progress IMG
same_ls
rbd object-map check "rbd/$a" >/dev/null 2>&1 && ! rbd info "rbd/$a" | grep -q "flags: object" &&
	ok "object-map check clean" || bad "object map of $a flagged"

# A v2 clone whose pool was deleted since cannot detach itself: removing
# the snapshot detaches it from the header (as librbd does) instead of
# leaving the snapshot in the trash for ever.
sp=sncp$$
ceph osd pool create "$sp" 8 >/dev/null 2>&1
rbd pool init "$sp" >/dev/null 2>&1
for i in $a $b; do
	rbd snap create "rbd/$i@st" >/dev/null 2>&1
	rbd clone --rbd-default-clone-format 2 "rbd/$i@st" "$sp/c$i" >/dev/null 2>&1
done
[ "$(rbd children "rbd/$a@st" 2>/dev/null)" = "$sp/c$a" ] &&
	ok "a clone in pool $sp" || bad "no clone in $sp: $(rbd children "rbd/$a@st" 2>&1)"
ceph osd pool rm "$sp" "$sp" --yes-i-really-really-mean-it >/dev/null 2>&1
both rm --no-progress IMG@st
same_ls --all
rbd snap ls --all "rbd/$a" | grep -q trash &&
	bad "snapshot st left in the trash" || ok "snapshot st gone, not in the trash"

echo "$pass passed, $failed failed"
[ "$failed" = 0 ]
