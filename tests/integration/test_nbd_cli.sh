#!/usr/bin/env bash
# `cephc nbd`: starts nbdkit with the plugin, prints a URI that works
# (Unix socket and TCP), passes -c/--keyring on, --readonly and snapshots
# are read-only, a stop signal ends it with nothing left behind, --detach
# leaves a server whose pid file stops it, and a missing image or a bad
# spec fails cleanly.
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
bin=${CEPHC_BIN:?}
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
# shellcheck source=tests/integration/nbd_lib.sh
. "$(dirname "$0")/nbd_lib.sh"
require_nbd nbdinfo nbdcopy rbd
export CEPHC_NBDKIT_PLUGIN=$plugin

work=$(mktemp -d)
img=rbd/nbdcli$$x$RANDOM
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	[ -s "$work/d.pid" ] && kill "$(cat "$work/d.pid")" 2>/dev/null
	sleep 0.3
	nbd_stop_all
	rbd snap purge "$img" >/dev/null 2>&1 || true
	rbd rm --no-progress "$img" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; tail -20 "$work"/*.err 2>/dev/null; exit 1; }
sum() { sha256sum | cut -d' ' -f1; }
k=()
[ -n "${CEPHC_TEST_KEYRING:-}" ] && k=(--keyring "$CEPHC_TEST_KEYRING")

rbd create --size 8M --image-feature layering "$img"
head -c $((8 << 20)) /dev/urandom > "$work/src"

# start_cli NAME ARGS...: cephc nbd in the background; URI in $uri
start_cli() {
	local name=$1
	shift
	"$bin" -c "$conf" "${k[@]}" nbd "$@" > "$work/$name.out" 2> "$work/$name.err" &
	pids+=("$!")
	cli_pid=$!
	for _ in $(seq 200); do
		[ -s "$work/$name.out" ] && break
		kill -0 "$cli_pid" 2>/dev/null || fail "cephc nbd $*: exited"
		sleep 0.1
	done
	uri=$(head -1 "$work/$name.out")
	[ -n "$uri" ] || fail "cephc nbd $*: no URI"
}
stop_cli() {
	kill "$cli_pid"
	wait "$cli_pid" || fail "cephc nbd did not end cleanly on SIGTERM"
}

# Unix socket: write through it, librbd reads the same
start_cli u --socket "$work/u.sock" "$img"
[ "$uri" = "nbd+unix:///?socket=$work/u.sock" ] || fail "unix URI: $uri"
nbdcopy "$work/src" "$uri" || fail "nbdcopy into $uri"
[ "$(rbd export --no-progress "$img" - 2>/dev/null | sum)" = "$(sum < "$work/src")" ] ||
	fail "image differs after nbdcopy through cephc nbd"
stop_cli
pgrep -f "nbdkit.*u.sock" >/dev/null && fail "nbdkit left running"
echo "ok: --socket"

# TCP on a free port, read-only
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
start_cli t --port "$port" --bind 127.0.0.1 --readonly "$img"
[ "$uri" = "nbd://127.0.0.1:$port" ] || fail "tcp URI: $uri"
nbdinfo --can read-only "$uri" || fail "--readonly export is writable"
[ "$(nbdcopy "$uri" - | sum)" = "$(sum < "$work/src")" ] || fail "read over TCP differs"
stop_cli
echo "ok: --port, --readonly"

# a snapshot without --readonly is read-only all the same
rbd snap create "$img@s1" >/dev/null 2>&1
start_cli s --socket "$work/s.sock" "$img@s1"
nbdinfo --can read-only "$uri" || fail "snapshot export is writable"
stop_cli
echo "ok: snapshot read-only"

# --detach: the server outlives the command; its pid file stops it
"$bin" -c "$conf" "${k[@]}" nbd --detach --pidfile "$work/d.pid" \
	--socket "$work/d.sock" "$img" > "$work/d.out" 2> "$work/d.err" ||
	fail "cephc nbd --detach"
nbdinfo --size "$(head -1 "$work/d.out")" > /dev/null || fail "detached server not serving"
kill "$(cat "$work/d.pid")"
echo "ok: --detach"

# failures: no such image (the plugin refuses opens), bad usage
out=$("$bin" nbd --help) && grep -q 'POOL/\[NS/\]IMAGE\[@SNAP\]' <<<"$out" || fail "cephc nbd --help"
if "$bin" -c "$conf" "${k[@]}" nbd 2> /dev/null; then fail "no image accepted"; fi
if "$bin" -c "$conf" "${k[@]}" nbd --socket a --port 1 "$img" 2> /dev/null; then
	fail "--socket and --port accepted"
fi
# a global option the plugin cannot honour is refused by name, not ignored
rc=0
"$bin" -c "$conf" "${k[@]}" nbd --keyfile "$work/nokey" "$img" > /dev/null 2> "$work/kf.err" || rc=$?
[ "$rc" = 22 ] && grep -q -- '--keyfile' "$work/kf.err" || fail "nbd --keyfile: exit $rc: $(head -1 "$work/kf.err")"
if "$bin" -c "$conf" "${k[@]}" nbd "noslash" > /dev/null 2> "$work/bad.err"; then
	fail "a bad image spec was served"
fi
echo "PASS"
