#!/usr/bin/env bash
# Help, option checking and the option tables agree (no cluster needed):
#  - cephc help / --help / -h, and `cephc CMD [SUB] --help|-h`,
#    `cephc CMD help SUB` exit 0 with a "usage: cephc CMD [SUB]" line;
#  - every option a table lists gets through the command's own parser
#    (cephc __parse stops where work would begin), with a sample value;
#  - an unknown option, or a listed one without its value, exits 22 with
#    one line naming it and the synopsis (except osdmaptool/crushtool,
#    which keep the messages of Ceph's tools: CLI_OWN_ERRORS, and commands
#    still without a table, which are named in a NOTE).
set -euo pipefail
bin=${CEPHC_BIN:?}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
fails=0
checks=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run ARGS...: status in $rc, output in $w/out and $w/err
run() {
	checks=$((checks + 1))
	rc=0
	"$bin" "$@" >"$w/out" 2>"$w/err" || rc=$?
}

# A value the parser takes for a placeholder.
sample() {
	case "$1" in
	SIZE) echo 4M ;;
	FEATURES) echo layering ;;
	DATE) echo 2030-01-01 ;;
	TYPE) echo write ;;
	PATTERN) echo rand ;;
	FORMAT) echo json ;;
	*) echo 1 ;;
	esac
}

for a in help --help -h; do
	run $a
	[ $rc = 0 ] || fail "cephc $a exits $rc"
	grep -q '^usage: cephc' "$w/out" || fail "cephc $a: no usage line"
	grep -q -- '--timeout SECONDS' "$w/out" || fail "cephc $a: no --timeout"
done
run
[ $rc = 22 ] || fail "cephc without a command exits $rc, not 22"
# a global option without its value is named too
for g in -c --id --keyring -m --format --cluster; do
	run rbd ls "$g"
	[ $rc = 22 ] || fail "cephc rbd ls $g (no value) exits $rc, not 22"
	grep -q -- "option $g needs a value" "$w/err" || fail "cephc rbd ls $g: option not named: $(head -1 "$w/err")"
done

"$bin" __options >"$w/opts" || fail "cephc __options: a sub-command names an option its table lacks"
[ -s "$w/opts" ] || { echo "FAIL: no option tables"; exit 1; }

declare -A own
while IFS='|' read -r cmd sub opt arg nargs; do
	# shellcheck disable=SC2206
	subw=($sub)
	if [ -z "$sub" ] && [ -z "$opt" ]; then
		# the command itself; nargs holds its flags (1: own errors,
		# 4: no table yet, so its options cannot be checked here)
		own[$cmd]=$((nargs & 1))
		if [ $((nargs & 4)) != 0 ]; then
			echo "NOTE: cephc $cmd has no option table (cli_spec); only its help is checked"
			own[$cmd]=1
		fi
		grep -q "^  $cmd " < <("$bin" help) || fail "cephc help does not list $cmd"
		for h in --help -h; do
			run "$cmd" $h
			[ $rc = 0 ] || fail "cephc $cmd $h exits $rc"
			grep -q "^usage: cephc $cmd" "$w/out" || fail "cephc $cmd $h: no usage line"
		done
		run help "$cmd"
		[ $rc = 0 ] && grep -q "^usage: cephc $cmd" "$w/out" || fail "cephc help $cmd"
		if [ "${own[$cmd]}" = 0 ]; then
			run "$cmd" --no-such-option-x
			[ $rc = 22 ] || fail "cephc $cmd --no-such-option-x exits $rc, not 22"
			grep -q -- "--no-such-option-x" "$w/err" || fail "cephc $cmd: bad option not named"
		fi
		continue
	fi
	if [ -z "$opt" ]; then
		# a sub-command
		for h in --help -h; do
			run "$cmd" "${subw[@]}" $h
			[ $rc = 0 ] || fail "cephc $cmd $sub $h exits $rc"
			grep -q "^usage: cephc $cmd $sub" "$w/out" || fail "cephc $cmd $sub $h: no usage line"
		done
		run "$cmd" help "${subw[@]}"
		[ $rc = 0 ] && grep -q "^usage: cephc $cmd $sub" "$w/out" || fail "cephc $cmd help $sub"
		if [ "${own[$cmd]}" = 0 ]; then
			run "$cmd" "${subw[@]}" --no-such-option-x
			[ $rc = 22 ] || fail "cephc $cmd $sub --no-such-option-x exits $rc, not 22"
			grep -q -- "--no-such-option-x" "$w/err" || fail "cephc $cmd $sub: bad option not named"
			grep -q "^usage: cephc $cmd $sub" "$w/err" || fail "cephc $cmd $sub: no synopsis with the error"
		fi
		continue
	fi
	# an option the table lists: the parser must take it
	vals=()
	if [ -n "$arg" ]; then
		for _ in $(seq "$nargs"); do vals+=("$(sample "${arg%% *}")"); done
	fi
	run __parse "$cmd" "${subw[@]}" "$opt" "${vals[@]}"
	if [ $rc != 0 ] || grep -qiE 'unknown|unrecogni|ignoring|needs a value|requires an argument' "$w/err"; then
		fail "cephc $cmd $sub $opt ${vals[*]}: exit $rc: $(head -1 "$w/err")"
	fi
	# and without its value, the option is named (exit 22)
	if [ -n "$arg" ] && [ "${own[$cmd]}" = 0 ]; then
		run "$cmd" "${subw[@]}" "$opt"
		[ $rc = 22 ] || fail "cephc $cmd $sub $opt (no value) exits $rc, not 22"
		grep -q -- "$opt" "$w/err" || fail "cephc $cmd $sub $opt (no value): option not named"
	fi
done <"$w/opts"

echo "cli help: $checks runs, $fails failed"
[ $fails = 0 ]
