#!/usr/bin/env bash
# RBD namespaces both ways between cephc and rbd (librbd 16.2):
#  - `cephc rbd namespace create|ls|rm` against `rbd namespace ...`
#    (same stdout, text and JSON, same exit codes);
#  - images made in a namespace by one tool are listed, read, written and
#    removed by the other, with both spec forms (pool/ns/image and
#    --namespace), and the pool keeps nothing of them afterwards;
#  - a namespace that does not exist is refused like rbd refuses it.
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
bin=${CEPHC_BIN:?}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
work=$(mktemp -d)
tag=nst$$x$RANDOM
ns1=${tag}a ns2=${tag}b
cleanup() {
	for ns in "$ns1" "$ns2"; do
		for i in $(rbd ls "rbd/$ns" 2>/dev/null); do
			rbd rm --no-progress "rbd/$ns/$i" >/dev/null 2>&1 || true
		done
		rbd namespace rm "rbd/$ns" >/dev/null 2>&1 || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
sum() { sha256sum | cut -d' ' -f1; }
# same stdout and exit code from both tools: same_out ARGS...
same_out() {
	local a b ra=0 rb=0
	a=$("$bin" rbd "$@" 2>/dev/null) || ra=$?
	b=$(rbd "$@" 2>/dev/null) || rb=$?
	[ "$a" = "$b" ] || fail "rbd $*: stdout differs:
cephc: $a
rbd:   $b"
	[ "$ra" = "$rb" ] || fail "rbd $*: exit $ra, rbd exits $rb"
}

# --- 1. the registry -----------------------------------------------------
"$bin" rbd namespace create "rbd/$ns1"
rbd namespace ls rbd | grep -qx "$ns1 *" || fail "rbd does not list $ns1"
rbd namespace create --pool rbd --namespace "$ns2"
same_out namespace ls rbd
same_out namespace ls --format json rbd
same_out namespace list test
same_out namespace create "rbd/$ns1"          # EEXIST
same_out namespace rm "rbd/${tag}nope"        # ENOENT
same_out namespace create rbd                 # no name
echo "ok: namespace registry"

# --- 2. images in a namespace, both ways --------------------------------
head -c $((5 << 20)) /dev/urandom > "$work/src"
"$bin" rbd import --no-progress --order 20 "$work/src" "rbd/$ns1/ci"
rbd create --size 12M --image-feature layering --namespace "$ns1" rbd/ri
rbd bench --io-type write --io-pattern rand --io-size 4096 --io-total 1M \
	"rbd/$ns1/ri" >/dev/null
[ "$(rbd export --no-progress "rbd/$ns1/ci" - | sum)" = "$(sum < "$work/src")" ] ||
	fail "rbd reads the cephc image in the namespace differently"
[ "$("$bin" rbd export --no-progress --namespace "$ns1" rbd/ri - | sum)" = \
  "$(rbd export --no-progress "rbd/$ns1/ri" - | sum)" ] ||
	fail "cephc reads the rbd image in the namespace differently"
same_out ls "rbd/$ns1"
same_out ls --namespace "$ns1" --format json rbd
same_out ls "rbd/$ns2"
diff <(rbd info "rbd/$ns1/ci") <("$bin" rbd info "rbd/$ns1/ci") ||
	fail "info of a namespaced image differs"
# the default namespace does not see them
rbd ls rbd | grep -qx ci && fail "image leaked into the default namespace"
"$bin" rbd ls rbd | grep -qx ri && fail "cephc lists ns images in default"
# every object of the image is inside the namespace
rados -p rbd ls --all | awk -F'\t' -v ns="$ns1" \
	'$2 ~ /^rbd_(id|header|data)\./ && $1 != ns && $2 ~ /(ci|ri)$/ {bad=1} END {exit bad}' ||
	fail "image objects outside the namespace"
# writes through cephc land where rbd reads them
"$bin" rbd resize --no-progress --size 8M "rbd/$ns1/ci"
[ "$(rbd info --format json "rbd/$ns1/ci" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])')" = $((8 << 20)) ] ||
	fail "resize in a namespace"
echo "ok: images in a namespace"

# --- 3. a namespace that does not exist ----------------------------------
same_out ls "rbd/${tag}nope"
same_out info "rbd/${tag}nope/x"
if "$bin" rbd create --size 1M "rbd/${tag}nope/x" 2>"$work/err"; then
	fail "create in a missing namespace worked"
fi
grep -q "namespace '${tag}nope' does not exist" "$work/err" ||
	fail "wrong refusal: $(cat "$work/err")"
rados -p rbd ls --all | grep -q "^${tag}nope" && fail "objects made in a missing namespace"
echo "ok: missing namespace refused"

# --- 4. removal both ways, then the namespace ---------------------------
same_out namespace rm "rbd/$ns1"   # EBUSY: it holds images
"$bin" rbd rm --namespace "$ns1" rbd/ri
rbd rm --no-progress "rbd/$ns1/ci" >/dev/null 2>&1
[ -z "$(rbd ls "rbd/$ns1")" ] || fail "images left in $ns1"
"$bin" rbd namespace rm "rbd/$ns1"
rbd namespace rm "rbd/$ns2"
rbd namespace ls rbd | grep -q "^$tag" && fail "namespaces left"
left=$(rados -p rbd ls --all | awk -F'\t' -v t="$tag" 'index($1, t) == 1' | wc -l)
[ "$left" = 0 ] || fail "$left objects left in removed namespaces"
echo "ok: removal"
