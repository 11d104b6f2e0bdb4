#!/usr/bin/env bash
# Bash completion: the script (tools/cephc/cephc.bash-completion) and the
# `cephc __complete` entry point it calls offer commands, sub-commands and
# options from the command tables; file names where a path goes; and, with
# a cluster (CEPHC_TEST_CONF), pool and image names.  Without a cluster the
# table part still runs.
set -euo pipefail
bin=${CEPHC_BIN:?}
src=${CEPHC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# shellcheck source=tools/cephc/cephc.bash-completion
. "$src/tools/cephc/cephc.bash-completion"
complete -p cephc >/dev/null || { echo "FAIL: no completion registered"; exit 1; }

# complete WORDS...: the last word is the one being completed; the
# candidates land in $got, one a line
complete_words() {
	COMP_WORDS=("$bin" "$@")
	COMP_CWORD=$(($# ))
	COMPREPLY=()
	_cephc || true
	got=$(printf '%s\n' "${COMPREPLY[@]}")
}
expect() { # expect WORD [WORDS...] -- WORDS to complete
	local want=$1
	shift
	complete_words "$@"
	grep -qxF -- "$want" <<<"$got" || fail "'cephc $*<TAB>' does not offer '$want' (got: $(tr '\n' ' ' <<<"$got"))"
}
expect_not() {
	local unwanted=$1
	shift
	complete_words "$@"
	! grep -qxF -- "$unwanted" <<<"$got" || fail "'cephc $*<TAB>' offers '$unwanted'"
}

expect rbd ""
expect rados r
expect help ""
expect create rbd ""
expect snap rbd ""
expect ls rbd snap ""
expect restore rbd trash ""
expect --size rbd create --s
expect --image-feature rbd create --image-f
expect_not --io-type rbd create --i
expect --timeout rbd create --t
expect --socket nbd --s
expect --detach nbd --d
expect --pool rados put --p
expect pool osd ""
expect rm osd pool ""
expect --test crushtool --t
expect --test-map-pgs-dump osdmaptool /tmp/m --test-map-pgs-d
expect --interval watch --i
expect create rbd help ""
# every command of the tables is offered
while IFS='|' read -r cmd sub opt _; do
	[ -z "$sub$opt" ] && expect "$cmd" ""
done < <("$bin" __options)

# file names where a file goes: the script asks bash for them
out=$("$bin" __complete 3 cephc rbd import "")
[ "$out" = __FILE__ ] || fail "rbd import PATH: no file completion ($out)"
out=$("$bin" __complete 2 cephc -c "")
[ "$out" = __FILE__ ] || fail "-c CONF: no file completion ($out)"

# pool and image names from a live cluster
conf=${CEPHC_TEST_CONF:-}
if [ -n "$conf" ]; then
	[ -n "${CEPHC_TEST_KEYRING:-}" ] && export CEPH_KEYRING=$CEPHC_TEST_KEYRING
	pool=$("$bin" -c "$conf" rados lspools | head -1)
	img=compl$$
	"$bin" -c "$conf" rbd create --size 1M "$pool/$img"
	trap '"$bin" -c "$conf" rbd rm --no-progress "$pool/$img" >/dev/null 2>&1 || true' EXIT
	expect "$pool" -c "$conf" rados -p ""
	expect "$pool" -c "$conf" osd pool rm ""
	expect "$img" -c "$conf" rbd info -p "$pool" ""
	expect "$pool/$img" -c "$conf" rbd info "$pool/"
	# cephc nbd names images with their pool; its -p is a port
	expect "$pool/$img" -c "$conf" nbd "$pool/"
	expect_not "$img" -c "$conf" nbd -p 10809 ""
	# an unreachable cluster completes nothing, quickly
	t0=$(date +%s)
	complete_words -m 127.0.0.1:9 rados -p ""
	[ -z "$got" ] || fail "unreachable cluster offered: $got"
	[ $(($(date +%s) - t0)) -le 10 ] || fail "completion against no cluster took too long"
fi

echo "completion: $fails failed"
[ $fails = 0 ]
