# Sourced by the NBD export tests (not a test itself): start and stop
# nbdkit with the cephc plugin on a Unix socket, and the tools they need.
# Needs lib.sh sourced and require_cluster called first.

# nbdsh and the python3 nbd module come from Debian's python3-libnbd;
# nbdsh runs the first python3 on PATH, which must be Debian's.
export PATH=/usr/bin:/bin:$PATH

plugin=${CEPHC_NBDKIT_PLUGIN:-${CEPHC_BUILD_DIR:-}/nbdkit-cephc-plugin.so}

# The sanitizer build's plugin needs the ASan runtime in nbdkit, which is
# not instrumented: every nbdkit these tests start (cephc nbd's too) goes
# through a wrapper that preloads clang's shared runtime.  Leak checking
# stays off in nbdkit: stopped while a client's connection is still being
# torn down, nbdkit exits without freeing it, and LeakSanitizer then blames
# nbdkit's connection and the plugin handle it holds (seen once in CI under
# load).  Memory errors are still caught; the library's own leaks are
# checked by the C tests.
nbd_wrap=
if [ "${CEPHC_SANITIZED:-0}" = 1 ] && command -v clang >/dev/null; then
	nbd_wrap=$(mktemp -d /tmp/cephc-nbd-wrap.XXXXXX)
	cat > "$nbd_wrap/nbdkit" <<EOF
#!/bin/sh
ASAN_OPTIONS="\${ASAN_OPTIONS:+\$ASAN_OPTIONS:}detect_leaks=0" \\
LD_PRELOAD=$(clang -print-file-name=libclang_rt.asan-x86_64.so) exec /usr/bin/nbdkit "\$@"
EOF
	chmod +x "$nbd_wrap/nbdkit"
	PATH=$nbd_wrap:$PATH
fi

# require_nbd TOOL...: the plugin and the tools must be there.  Without a
# cluster the test was already skipped; with one (CI) a missing piece is a
# failure: scripts/deps.sh installs them.
require_nbd() {
	local missing=()
	[ -f "$plugin" ] || missing+=("$plugin (configure with nbdkit-plugin-dev)")
	for t in nbdkit "$@"; do
		command -v "$t" >/dev/null || missing+=("$t")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "missing: ${missing[*]} (run scripts/deps.sh)"
	[ "${CEPHC_REQUIRE_CLUSTER:-0}" = 1 ] && exit 1
	exit 77
}

nbd_pids=()

# nbd_start SOCK ARGS...: nbdkit serving the plugin on SOCK (in the
# background, pid in SOCK.pid, NBD_THREADS workers per connection, 16
# by default); returns once it accepts connections.
nbd_start() {
	local sock=$1
	shift
	rm -f "$sock" "$sock.pid"
	# in the foreground (-f) but in the background of this shell: a
	# daemonized nbdkit sends its errors nowhere the test can read
	nbdkit -f -U "$sock" -P "$sock.pid" -t "${NBD_THREADS:-16}" "$plugin" \
		conf="$CEPH_CONF" ${CEPHC_TEST_KEYRING:+keyring=$CEPHC_TEST_KEYRING} \
		"$@" 2>>"$sock.log" &
	nbd_pids+=("$!")
	# the pid file is written once the socket listens
	for _ in $(seq 300); do
		[ -s "$sock.pid" ] && break
		kill -0 "$!" 2>/dev/null || break
		sleep 0.1
	done
	[ -s "$sock.pid" ] || { cat "$sock.log"; return 1; }
}

# nbd_stop SOCK: stop that nbdkit and wait until it has exited.
nbd_stop() {
	local pid
	pid=$(cat "$1.pid" 2>/dev/null) || return 0
	kill "$pid" 2>/dev/null || true
	for _ in $(seq 300); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	rm -f "$1.pid"
	# the sanitizers report into nbdkit's stderr, which only we read
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$1.log" 2>/dev/null; then
		echo "FAIL: sanitizer report from nbdkit:"
		cat "$1.log"
		exit 1
	fi
}

# Stop every nbdkit this test started (for the EXIT trap).
nbd_stop_all() {
	for pid in "${nbd_pids[@]}"; do
		kill "$pid" 2>/dev/null || true
	done
	sleep 0.3
	for pid in "${nbd_pids[@]}"; do
		kill -9 "$pid" 2>/dev/null || true
	done
	[ -n "$nbd_wrap" ] && rm -rf "$nbd_wrap"
	return 0
}

# nbd_uri SOCK [EXPORT]
nbd_uri() { echo "nbd+unix:///${2:-}?socket=$1"; }
