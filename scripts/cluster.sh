#!/usr/bin/env bash
# cluster.sh - a throwaway local Ceph cluster (real ceph-mon/ceph-osd
# 16.2.x daemons, memstore OSDs, cephx, loopback only) for cephc's tests.
#
#   scripts/cluster.sh up --dir DIR [--mons N] [--osds N] [--ms-bind v1|v2|both]
#                         [--ms-mode crc|secure] [--inject-socket-failures N]
#                         [--conf-extra 'key = value']...
#   scripts/cluster.sh down --dir DIR
#   scripts/cluster.sh status --dir DIR
#
# Everything lives under DIR: ceph.conf, keyring, env.sh, mon.ID/ and osd.N/
# data, log/ (daemon and client logs), run/ (pid files, admin sockets),
# crash/.  Nothing under /etc/ceph or /var is read or written.
#
# --ms-bind (alias --msgr) picks the messenger protocols the daemons bind:
# v2 only sets `ms bind msgr1 = false` and lists only v2 addresses in
# mon_host.  --ms-mode makes every daemon (mons and OSDs, towards clients
# and each other) accept only that msgr2 mode; without it Ceph's defaults
# allow both (a client's preference decides).  It needs v2 or both.
#
# `up` picks free loopback ports (mon v2/v1 ports and a private port window
# for the OSDs), so several clusters can run side by side; it creates the
# pools `rbd` (application rbd) and `test` (application rados) and returns
# once every PG of both pools is mapped to a full acting set and takes a
# write (there is no ceph-mgr, so no PG state is reported anywhere: see the
# notes at the end of this file).
#
# Environment:
#   CEPHC_CLUSTER_TIMEOUT  seconds `up` may take before giving up (180)
#   KEEP_LOGS=1            `down` (and a failed `up`) keep DIR/log
set -euo pipefail
set -E

PORT_LOCK=${CEPHC_CLUSTER_LOCK:-/tmp/cephc-cluster-ports.lock}
PORT_REG=${CEPHC_CLUSTER_REGISTRY:-/tmp/cephc-cluster-ports.d}
INSTALL_LOCK=/tmp/cephc-cluster-install.lock
MARKER=.cephc-cluster
MON_IDS=(a b c d e f g h i j k l m n o p q r s t u v w x y z)
PY=/usr/bin/python3

log() { printf '[cluster.sh] %s\n' "$*" >&2; }
die() {
	printf '[cluster.sh] ERROR: %s\n' "$*" >&2
	exit 1
}

usage() {
	cat >&2 <<'EOF'
usage: cluster.sh up --dir DIR [--mons N] [--osds N] [--ms-bind v1|v2|both]
                     [--ms-mode crc|secure] [--inject-socket-failures N]
                     [--conf-extra 'key = value']...
       cluster.sh down --dir DIR
       cluster.sh status --dir DIR
defaults: 1 mon, 3 OSDs, --ms-bind both (--msgr is an alias), no --ms-mode
EOF
	exit 2
}

elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------------------
# processes

# pid_alive PID: the process exists and is not a zombie.
pid_alive() {
	local st
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[[ -n $st && $st != Z && $st != X ]]
}

# proc_daemon_name PID: if PID is a ceph-mon/ceph-osd started with
# `-c $DIR/ceph.conf`, print its name (mon.a, osd.0); else fail.
proc_daemon_name() {
	local -a args
	local i kind="" id="" conf=0
	mapfile -d '' -t args 2>/dev/null <"/proc/$1/cmdline" || return 1
	((${#args[@]})) || return 1
	case ${args[0]##*/} in
	ceph-mon) kind=mon ;;
	ceph-osd) kind=osd ;;
	*) return 1 ;;
	esac
	for ((i = 1; i < ${#args[@]}; i++)); do
		case ${args[i]} in
		-c | --conf) [[ ${args[i + 1]:-} == "$DIR/ceph.conf" ]] && conf=1 ;;
		-i | --id) id=${args[i + 1]:-} ;;
		esac
	done
	((conf)) || return 1
	printf '%s.%s\n' "$kind" "$id"
}

# dir_daemons: "PID NAME" for every daemon of this DIR, found through the pid
# files in DIR/run and by scanning /proc (a daemon that died before writing
# its pid file, or whose pid file is gone, is still found).
dir_daemons() {
	local f pid name p
	local -A seen=()
	for f in "$DIR"/run/mon.*.pid "$DIR"/run/osd.*.pid; do
		[[ -f $f ]] || continue
		pid=$(<"$f") || continue
		pid_alive "$pid" || continue
		name=$(proc_daemon_name "$pid") || continue
		seen[$pid]=1
		printf '%s %s\n' "$pid" "$name"
	done
	local arg0
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[[ -n ${seen[$pid]:-} ]] && continue
		# cheap filter (no fork) before the full look at the command line
		arg0=""
		IFS= read -r -d '' arg0 2>/dev/null <"$p/cmdline" || true
		[[ $arg0 == *ceph-mon || $arg0 == *ceph-osd ]] || continue
		name=$(proc_daemon_name "$pid") || continue
		pid_alive "$pid" || continue
		printf '%s %s\n' "$pid" "$name"
	done
}

# wait_gone DEADLINE PID...: wait until none of the PIDs is alive or the
# deadline (EPOCHSECONDS) passes.  Prints the survivors.
wait_gone() {
	local deadline=$1 p left
	shift
	while :; do
		left=()
		for p in "$@"; do pid_alive "$p" && left+=("$p"); done
		((${#left[@]} == 0)) && return 0
		((EPOCHSECONDS >= deadline)) && break
		sleep 0.1
	done
	printf '%s\n' "${left[@]}"
}

# kill_daemons: SIGTERM the OSDs, then the mons (an OSD asks the mons to mark
# it down on the way out and waits up to 5 s for them), SIGKILL whatever is
# still alive ~10 s later.
kill_daemons() {
	local pid name start=$EPOCHSECONDS
	local -a osds=() mons=() left=()
	while read -r pid name; do
		case $name in
		osd.*) osds+=("$pid") ;;
		*) mons+=("$pid") ;;
		esac
	done < <(dir_daemons)
	((${#osds[@]} + ${#mons[@]})) || return 0
	if ((${#osds[@]})); then
		kill -TERM "${osds[@]}" 2>/dev/null || true
		mapfile -t left < <(wait_gone $((start + 7)) "${osds[@]}")
	fi
	if ((${#mons[@]})); then
		kill -TERM "${mons[@]}" 2>/dev/null || true
	fi
	mapfile -t left < <(wait_gone $((start + 10)) "${left[@]}" "${mons[@]}")
	if ((${#left[@]})); then
		log "SIGKILL to pids still alive after SIGTERM: ${left[*]}"
		kill -KILL "${left[@]}" 2>/dev/null || true
		mapfile -t left < <(wait_gone $((EPOCHSECONDS + 5)) "${left[@]}")
	fi
	# they are dead; give init (not us: they daemonized) a moment to reap the
	# zombies, so that a `pgrep ceph-osd` right after `down` finds nothing
	local p t
	for ((t = 0; t < 40; t++)); do
		left=()
		for p in "${osds[@]}" "${mons[@]}"; do [[ -e /proc/$p ]] && left+=("$p"); done
		((${#left[@]})) || break
		sleep 0.1
	done
	return 0
}

# ---------------------------------------------------------------------------
# ports

# listening_ports: every TCP port something listens on (IPv4 and IPv6).
listening_ports() {
	local f laddr st rest
	for f in /proc/net/tcp /proc/net/tcp6; do
		[[ -r $f ]] || continue
		while read -r _ laddr _ st rest; do
			[[ $st == 0A ]] || continue
			echo $((16#${laddr##*:}))
		done <"$f"
	done | sort -un
}

# ports_listening SPEC...: print the ports of SPECs ("P" or "LO-HI") that
# something listens on.
ports_listening() {
	local spec lo hi p
	local -a specs=("$@")
	while read -r p; do
		for spec in "${specs[@]}"; do
			lo=${spec%-*}
			hi=${spec#*-}
			if ((p >= lo && p <= hi)); then
				echo "$p"
				break
			fi
		done
	done < <(listening_ports)
}

# registry_live FILE: does that registry entry belong to a cluster that is
# starting (its `up` is still running) or running (it has daemons)?
registry_live() {
	local file=$1 odir opid
	{ read -r odir && read -r opid; } <"$file" || return 1
	if pid_alive "$opid" && grep -q cluster.sh "/proc/$opid/cmdline" 2>/dev/null; then
		return 0
	fi
	[[ -d $odir ]] || return 1
	[[ -n $(DIR=$odir dir_daemons) ]]
}

registry_file() { printf '%s/%s' "$PORT_REG" "$(printf '%s' "$DIR" | md5sum | cut -c1-16)"; }

# ---------------------------------------------------------------------------
# python helper: port picking, cluster bootstrap and readiness (librados
# through python3-rados, which ceph-common depends on: one process instead
# of a dozen `ceph` CLI runs).

HELPER_PY=$(
	cat <<'PYEOF'
import json, os, random, socket, sys, threading, time

def log(msg):
    print('[cluster.sh] ' + msg, file=sys.stderr, flush=True)

def fail(msg, suspects=()):
    for s in suspects:
        print('SUSPECT ' + s, flush=True)
    log('ERROR: ' + msg)
    sys.exit(2)

# ---- ports ---------------------------------------------------------------
def pick_ports(nports, win, specs):
    excl = []
    for tok in specs:
        lo, _, hi = tok.partition('-')
        excl.append((int(lo), int(hi or lo)))
    try:
        elo, ehi = map(int, open('/proc/sys/net/ipv4/ip_local_port_range').read().split())
    except Exception:
        elo, ehi = 32768, 60999
    # stay out of the ephemeral range: outgoing connections cannot steal ports
    if elo - 10000 >= 2000:
        rlo, rhi = 10000, elo - 1
    elif 65535 - ehi >= 2000:
        rlo, rhi = ehi + 1, 65535
    else:
        rlo, rhi = 10000, 65535

    def free(p):
        if any(lo <= p <= hi for lo, hi in excl):
            return False
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            s.bind(('127.0.0.1', p))
            return True
        except OSError:
            return False
        finally:
            s.close()

    rng = random.SystemRandom()
    for _ in range(1000):
        base = rng.randrange(rlo, rhi - win)
        if all(free(p) for p in range(base, base + win)):
            break
    else:
        fail('no window of %d free ports in %d-%d' % (win, rlo, rhi))
    excl.append((base, base + win - 1))
    ports = []
    for _ in range(20000):
        if len(ports) == nports:
            break
        p = rng.randrange(rlo, rhi)
        if free(p):
            ports.append(p)
            excl.append((p, p))
    else:
        fail('not enough free ports')
    print(base, base + win - 1, *ports)

# ---- cluster ---------------------------------------------------------------
class Ctx:
    def __init__(self, conf, rundir, watch, deadline):
        self.conf, self.rundir, self.watch = conf, rundir, watch
        self.deadline = deadline
        self.r = None

    def check_daemons(self):
        for name in self.watch:
            try:
                pid = int(open('%s/%s.pid' % (self.rundir, name)).read().strip())
                with open('/proc/%d/stat' % pid) as f:
                    state = f.read().rsplit(')', 1)[1].split()[0]
                if state in ('Z', 'X'):
                    raise OSError
            except (OSError, ValueError, IndexError):
                fail('%s is not running (it exited or crashed)' % name, [name])

    def expired(self):
        return time.time() > self.deadline

    def connect(self, mons):
        import rados
        last = None
        while True:
            self.check_daemons()
            r = rados.Rados(conffile=self.conf, conf={
                'client_mount_timeout': '10', 'rados_mon_op_timeout': '15',
                'rados_osd_op_timeout': '5'})
            try:
                r.connect(timeout=10)
                self.r = r
                return
            except Exception as e:
                last = e
                try:
                    r.shutdown()
                except Exception:
                    pass
            if self.expired():
                fail('cannot connect to the monitors: %s' % last, mons)
            time.sleep(0.5)

    def mc(self, cmd, inbuf=b'', ok=(0,)):
        ret, out, err = self.r.mon_command(json.dumps(cmd), inbuf, timeout=15)
        if ret not in ok:
            raise RuntimeError('mon command %s failed: %d %s' % (cmd['prefix'], ret, err))
        return out

    def parallel(self, jobs):
        errs = []
        def run(cmd, inbuf):
            try:
                self.mc(cmd, inbuf)
            except Exception as e:
                errs.append(str(e))
        ts = [threading.Thread(target=run, args=j) for j in jobs]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if errs:
            fail('; '.join(errs))


def bootstrap(ctx, mons, osds, pools):
    t0 = time.time()
    ctx.connect(mons)
    while True:
        q = json.loads(ctx.mc({'prefix': 'quorum_status', 'format': 'json'}))
        if len(q.get('quorum_names', [])) >= len(mons):
            break
        ctx.check_daemons()
        if ctx.expired():
            fail('monitors did not form a quorum (in quorum: %s)' % q.get('quorum_names'),
                 [m for m in mons if m[4:] not in q.get('quorum_names', [])])
        time.sleep(0.2)
    log('mon quorum after %.1fs' % (time.time() - t0))
    jobs = []
    for spec in osds:  # id:uuid:secret
        i, u, key = spec.split(':', 2)
        jobs.append(({'prefix': 'osd new', 'uuid': u, 'id': int(i)},
                     json.dumps({'cephx_secret': key}).encode()))
    for name, pg_num, app in pools:
        jobs.append(({'prefix': 'osd pool create', 'pool': name, 'pg_num': pg_num,
                      'pgp_num': pg_num}, b''))
    ctx.parallel(jobs)

    ctx.parallel([({'prefix': 'osd pool application enable', 'pool': name, 'app': app}, b'')
                  for name, pg_num, app in pools])


def wait_ready(ctx, mons, nosds, pools):
    import rados
    ctx.connect(mons)
    # 1. every OSD up and in
    while True:
        dump = json.loads(ctx.mc({'prefix': 'osd dump', 'format': 'json'}))
        down = ['osd.%d' % o['osd'] for o in dump['osds'] if not (o['up'] and o['in'])]
        if len(dump['osds']) == nosds and not down:
            break
        ctx.check_daemons()
        if ctx.expired():
            fail('OSDs not up+in: %s' % ', '.join(down), down)
        time.sleep(0.3)
    # 2. every PG of every pool mapped to a full acting set and writable
    for pool, _, _ in pools:
        while True:
            ctx.check_daemons()
            dump = json.loads(ctx.mc({'prefix': 'osd dump', 'format': 'json'}))
            info = [p for p in dump['pools'] if p['pool_name'] == pool][0]
            pg_num, size = info['pg_num'], info['size']
            # one object name per PG (mon `osd map` does the hashing for us)
            pgs, k = {}, 0
            while len(pgs) < pg_num and k < 500 * pg_num:
                name = 'cephc-ready.%d' % k
                m = json.loads(ctx.mc({'prefix': 'osd map', 'pool': pool,
                                       'object': name, 'format': 'json'}))
                pgs.setdefault(m['pgid'], (name, m))
                k += 1
            bad = [(pgid, m) for pgid, (name, m) in pgs.items()
                   if len(m['acting']) != size or m['acting'] != m['up']
                   or any(o < 0 or o >= 2**31 - 1 for o in m['acting'])]
            err = None
            if len(pgs) < pg_num:
                err = 'only %d of %d PGs found' % (len(pgs), pg_num)
            elif bad:
                err = 'PGs not fully mapped: ' + ', '.join(
                    '%s up %s acting %s' % (p, m['up'], m['acting']) for p, m in bad[:4])
            else:
                io = ctx.r.open_ioctx(pool)
                try:
                    for pgid, (name, m) in sorted(pgs.items()):
                        try:
                            io.write_full(name, b'ready')
                            if io.read(name) != b'ready':
                                raise RuntimeError('read back mismatch')
                            io.remove_object(name)
                        except Exception as e:
                            err = 'PG %s (acting %s) not writable yet: %s' % (
                                pgid, m['acting'], e or type(e).__name__)
                            bad = [(pgid, m)]
                            break
                finally:
                    io.close()
            if err is None:
                break
            if ctx.expired():
                fail('pool %s not ready: %s' % (pool, err),
                     sorted({'osd.%d' % o for _, m in bad for o in m['acting']
                             if 0 <= o < 2**31 - 1}))
            time.sleep(0.3)


def main():
    cmd = sys.argv[1]
    if cmd == 'pick-ports':
        pick_ports(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:])
        return
    # bootstrap|wait-ready CONF RUNDIR DEADLINE MONS WATCH POOLS [OSDSPEC|NOSDS...]
    conf, rundir, deadline = sys.argv[2], sys.argv[3], float(sys.argv[4])
    mons = sys.argv[5].split(',')
    watch = [w for w in sys.argv[6].split(',') if w]
    pools = [(p.split(':')[0], int(p.split(':')[1]), p.split(':')[2])
             for p in sys.argv[7].split(',')]
    ctx = Ctx(conf, rundir, watch, deadline)
    try:
        if cmd == 'bootstrap':
            bootstrap(ctx, mons, sys.argv[8:], pools)
        elif cmd == 'wait-ready':
            wait_ready(ctx, mons, int(sys.argv[8]), pools)
        else:
            fail('unknown helper command ' + cmd)
    except SystemExit:
        raise
    except Exception as e:
        fail('%s: %s' % (type(e).__name__, e), mons)
    finally:
        if ctx.r is not None:
            try:
                ctx.r.shutdown()
            except Exception:
                pass

main()
PYEOF
)

helper() { "$PY" -c "$HELPER_PY" "$@"; }

# ---------------------------------------------------------------------------
# packages

ensure_packages() {
	local b missing=()
	for b in ceph-mon ceph-osd ceph monmaptool ceph-authtool rados; do
		command -v "$b" >/dev/null 2>&1 || missing+=("$b")
	done
	"$PY" -c 'import rados' >/dev/null 2>&1 || missing+=(python3-rados)
	((${#missing[@]})) || return 0
	local sudo=()
	((EUID == 0)) || sudo=(sudo)
	log "missing: ${missing[*]}; installing the ceph packages"
	(
		flock -w 900 8 || die "timed out waiting for $INSTALL_LOCK"
		"${sudo[@]}" apt-get update
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y \
			ceph-mon ceph-osd ceph-common ceph-base
	) 8>>"$INSTALL_LOCK"
	for b in ceph-mon ceph-osd ceph monmaptool ceph-authtool rados; do
		command -v "$b" >/dev/null 2>&1 || die "$b still missing after apt-get install"
	done
	"$PY" -c 'import rados' >/dev/null 2>&1 || die "$PY cannot import rados (python3-rados)"
}

# ---------------------------------------------------------------------------
# up

UP_STARTED=0
UP_DONE=0
FAIL_REPORTED=0
LOCK_HELD=0
ERR_WHERE=""

show_log() {
	local name=$1 f
	for f in "$DIR/log/$name.log" "$DIR/log/$name.out"; do
		[[ -s $f ]] || continue
		printf '[cluster.sh]   log: %s\n' "$f" >&2
		printf -- '----- last 20 lines of %s -----\n' "$f" >&2
		tail -n 20 "$f" >&2 || true
		printf -- '----- end of %s -----\n' "$f" >&2
	done
	[[ -s $DIR/log/$name.log || -s $DIR/log/$name.out ]] ||
		printf '[cluster.sh]   (no log for %s at %s)\n' "$name" "$DIR/log/$name.log" >&2
}

# fail MESSAGE [DAEMON...]: report a failed `up`, pointing at the daemons'
# logs (default: the daemons that are not running, else all mons); the EXIT
# trap tears down.
fail() {
	local msg=$1 n
	shift
	local -a who=("$@")
	printf '[cluster.sh] ERROR: up failed after %ss: %s\n' "$(elapsed "$START")" "$msg" >&2
	if ((${#who[@]} == 0)); then
		for n in "${ALL_DAEMONS[@]}"; do
			[[ -n $(dir_daemons | awk -v n="$n" '$2 == n') ]] || who+=("$n")
		done
	fi
	((${#who[@]})) || who=("${MON_NAMES[@]}")
	for n in "${who[@]}"; do show_log "$n"; done
	FAIL_REPORTED=1
	exit 1
}

on_exit() {
	local rc=$?
	trap - EXIT ERR
	if ((UP_STARTED && !UP_DONE)); then
		((rc)) || rc=1
		if ((!FAIL_REPORTED)); then
			printf '[cluster.sh] ERROR: up failed (exit %d)%s\n' "$rc" "${ERR_WHERE:+ at $ERR_WHERE}" >&2
			for n in "${ALL_DAEMONS[@]}"; do
				[[ -n $(dir_daemons | awk -v n="$n" '$2 == n') ]] || show_log "$n"
			done
		fi
		log "tearing down the partial cluster in $DIR (logs kept in $DIR/log)"
		kill_daemons || true
		rm -f "$(registry_file)"
		clean_dir 1 || true
	fi
	exit "$rc"
}

lock_ports() {
	touch "$PORT_LOCK" 2>/dev/null || true
	chmod a+rw "$PORT_LOCK" 2>/dev/null || true
	exec 9<>"$PORT_LOCK"
	flock -w 600 9 || die "timed out waiting for $PORT_LOCK"
	LOCK_HELD=1
}

unlock_ports() {
	((LOCK_HELD)) || return 0
	flock -u 9
	exec 9>&-
	LOCK_HELD=0
}

# clean_dir KEEP_LOGS: empty DIR (keeping DIR/log if KEEP_LOGS=1) and remove
# it if that leaves it empty.  Refuses to touch a directory that is neither
# empty nor a cluster.sh directory.
clean_dir() {
	local keep=$1 f
	[[ -d $DIR ]] || return 0
	if [[ ! -e $DIR/$MARKER ]] && [[ -n $(ls -A "$DIR") ]]; then
		log "not removing $DIR: no $MARKER in it, so not made by cluster.sh"
		return 0
	fi
	shopt -s dotglob nullglob
	for f in "$DIR"/*; do
		# with the logs, keep the marker: a later up/down may clean up
		[[ $keep == 1 && ($f == "$DIR/log" || $f == "$DIR/$MARKER") ]] && continue
		rm -rf -- "$f"
	done
	shopt -u dotglob nullglob
	rmdir -- "$DIR" 2>/dev/null || true
}

# start_daemons NAME...: start the daemons (they daemonize once initialised,
# so a non-zero exit means a failed start) in parallel; fail on any error.
start_daemons() {
	local name kind id i rc
	local -a pids=() names=()
	for name in "$@"; do
		kind=${name%%.*}
		id=${name#*.}
		# fd 9 (the port lock) must not leak into the daemons
		timeout -k 5 120 "$(command -v "ceph-$kind")" -c "$DIR/ceph.conf" -i "$id" \
			</dev/null >>"$DIR/log/$name.out" 2>&1 9>&- &
		pids+=($!)
		names+=("$name")
	done
	for i in "${!pids[@]}"; do
		rc=0
		wait "${pids[i]}" || rc=$?
		((rc == 0)) || fail "ceph-${names[i]%%.*} -i ${names[i]#*.} exited with status $rc" "${names[i]}"
	done
}

do_up() {
	START=$EPOCHREALTIME
	if ! [[ $MONS =~ ^[0-9]+$ ]] || ((MONS < 1 || MONS > ${#MON_IDS[@]})); then
		die "--mons must be 1..${#MON_IDS[@]}"
	fi
	if ! [[ $OSDS =~ ^[0-9]+$ ]] || ((OSDS < 1 || OSDS > 64)); then
		die "--osds must be 1..64"
	fi
	case $BIND in v1 | v2 | both) ;; *) die "--ms-bind must be v1, v2 or both" ;; esac
	case $MODE in '' | crc | secure) ;; *) die "--ms-mode must be crc or secure" ;; esac
	[[ -z $MODE || $BIND != v1 ]] || die "--ms-mode needs msgr2 (--ms-bind v2 or both)"
	[[ -z $INJECT || $INJECT =~ ^[0-9]+$ ]] || die "--inject-socket-failures needs a number"
	local line
	for line in "${CONF_EXTRA[@]}"; do
		[[ $line == *=* && $line != *$'\n'* ]] || die "--conf-extra needs 'key = value', got '$line'"
	done

	ensure_packages

	if [[ -d $DIR ]]; then
		if [[ -n $(dir_daemons) ]]; then
			die "a cluster is already running in $DIR (run: $0 down --dir $DIR)"
		fi
		if [[ -e $DIR/$MARKER ]]; then
			log "removing the stale cluster state in $DIR"
			rm -f "$(registry_file)"
			clean_dir 0
		elif [[ -n $(ls -A "$DIR") ]]; then
			die "$DIR exists, is not empty and was not made by cluster.sh"
		fi
	fi
	mkdir -p "$DIR"/{log,run,crash}
	: >"$DIR/$MARKER"
	UP_STARTED=1
	((${#DIR} <= 50)) || log "warning: DIR is long; admin socket paths may exceed 107 bytes"

	local i rc fsid size=$((OSDS < 3 ? OSDS : 3)) pg_num=8
	local -a osd_keys=() osd_uuids=()
	MON_NAMES=()
	OSD_NAMES=()
	for ((i = 0; i < MONS; i++)); do MON_NAMES+=("mon.${MON_IDS[i]}"); done
	for ((i = 0; i < OSDS; i++)); do OSD_NAMES+=("osd.$i"); done
	ALL_DAEMONS=("${MON_NAMES[@]}" "${OSD_NAMES[@]}")
	fsid=$(</proc/sys/kernel/random/uuid)

	# keys: mon. and client.admin in DIR/keyring (mkfs imports every key in it)
	ceph-authtool --create-keyring "$DIR/keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
	ceph-authtool "$DIR/keyring" --gen-key -n client.admin \
		--cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
	for ((i = 0; i < OSDS; i++)); do
		osd_keys+=("$(ceph-authtool --gen-print-key)")
		osd_uuids+=("$(</proc/sys/kernel/random/uuid)")
		mkdir -p "$DIR/osd.$i"
		printf '[osd.%d]\n\tkey = %s\n' "$i" "${osd_keys[i]}" >"$DIR/osd.$i/keyring"
	done

	# ports: pick and register under the lock; the mons bind theirs before
	# the lock is released, the OSD window stays reserved in the registry
	# for as long as this cluster's `up` runs or its daemons live.
	lock_ports
	mkdir -p "$PORT_REG"
	chmod a+rwxt "$PORT_REG" 2>/dev/null || true
	local f odir
	local -a excl=() spec=()
	for f in "$PORT_REG"/*; do
		[[ -f $f ]] || continue
		odir=$(head -n1 "$f" 2>/dev/null) || continue
		if [[ $odir == "$DIR" ]] || ! registry_live "$f"; then
			rm -f "$f" 2>/dev/null || true
			continue
		fi
		read -r -a spec < <(sed -n 3p "$f") || true
		excl+=("${spec[@]}")
	done
	local per_mon=1
	[[ $BIND != both ]] || per_mon=2
	local window=$((10 * OSDS + 20))
	local -a picked
	read -r -a picked < <(helper pick-ports $((MONS * per_mon)) "$window" "${excl[@]}") ||
		fail "could not pick free ports"
	((${#picked[@]} == 2 + MONS * per_mon)) || fail "could not pick free ports"
	local win_lo=${picked[0]} win_hi=${picked[1]}
	local -a mon_ports=("${picked[@]:2}") port_specs=("$win_lo-$win_hi")
	for i in "${mon_ports[@]}"; do port_specs+=("$i-$i"); done
	printf '%s\n%s\n%s\n' "$DIR" "$$" "${port_specs[*]}" >"$(registry_file)"
	printf '%s\n' "${port_specs[@]}" >"$DIR/ports"

	# mon addresses
	local -a mon_addrs=()
	local addr
	for ((i = 0; i < MONS; i++)); do
		case $BIND in
		both) addr="[v2:127.0.0.1:${mon_ports[2 * i]},v1:127.0.0.1:${mon_ports[2 * i + 1]}]" ;;
		v1) addr="[v1:127.0.0.1:${mon_ports[i]}]" ;;
		v2) addr="[v2:127.0.0.1:${mon_ports[i]}]" ;;
		esac
		mon_addrs+=("$addr")
	done
	local mon_host
	mon_host=$(
		IFS=,
		echo "${mon_addrs[*]}"
	)

	write_conf "$fsid" "$mon_host" "$size" "$pg_num" "$win_lo" "$win_hi"

	# monmap + mon mkfs
	local -a mm=(monmaptool --create --clobber --fsid "$fsid")
	for ((i = 0; i < MONS; i++)); do mm+=(--addv "${MON_IDS[i]}" "${mon_addrs[i]}"); done
	"${mm[@]}" "$DIR/monmap" >"$DIR/log/monmaptool.out" 2>&1 ||
		fail "monmaptool failed: $(cat "$DIR/log/monmaptool.out")"
	local -a pids=()
	for ((i = 0; i < MONS; i++)); do
		ceph-mon -c "$DIR/ceph.conf" -i "${MON_IDS[i]}" --mkfs --monmap "$DIR/monmap" \
			--keyring "$DIR/keyring" </dev/null >>"$DIR/log/mon.${MON_IDS[i]}.out" 2>&1 9>&- &
		pids+=($!)
	done
	for ((i = 0; i < MONS; i++)); do
		rc=0
		wait "${pids[i]}" || rc=$?
		((rc == 0)) || fail "ceph-mon --mkfs -i ${MON_IDS[i]} failed (exit $rc)" "mon.${MON_IDS[i]}"
	done
	rm -f "$DIR/monmap"
	log "starting ${MONS} mon(s) (mon_host $mon_host)"
	start_daemons "${MON_NAMES[@]}"
	unlock_ports

	# OSD mkfs (memstore: needs nothing but the conf) while the mons settle
	pids=()
	for ((i = 0; i < OSDS; i++)); do
		ceph-osd -c "$DIR/ceph.conf" -i "$i" --mkfs --no-mon-config --key "${osd_keys[i]}" \
			--osd-uuid "${osd_uuids[i]}" </dev/null >>"$DIR/log/osd.$i.out" 2>&1 &
		pids+=($!)
	done
	for ((i = 0; i < OSDS; i++)); do
		rc=0
		wait "${pids[i]}" || rc=$?
		((rc == 0)) || fail "ceph-osd --mkfs -i $i failed (exit $rc)" "osd.$i"
	done

	local deadline pools="test:$pg_num:rados,rbd:$pg_num:rbd" mons_csv osd_specs=()
	deadline=$(awk -v a="$START" -v t="${CEPHC_CLUSTER_TIMEOUT:-180}" 'BEGIN { printf "%.0f", a + t }')
	mons_csv=$(
		IFS=,
		echo "${MON_NAMES[*]}"
	)
	for ((i = 0; i < OSDS; i++)); do osd_specs+=("$i:${osd_uuids[i]}:${osd_keys[i]}"); done
	log "mons started after $(elapsed "$START")s; creating OSDs and pools"
	run_helper bootstrap "$DIR/ceph.conf" "$DIR/run" "$deadline" "$mons_csv" "$mons_csv" \
		"$pools" "${osd_specs[@]}"

	log "starting ${OSDS} OSD(s) (ports $win_lo-$win_hi)"
	start_daemons "${OSD_NAMES[@]}"
	local all_csv
	all_csv=$(
		IFS=,
		echo "${ALL_DAEMONS[*]}"
	)
	log "OSDs started after $(elapsed "$START")s; waiting for every PG to be active"
	run_helper wait-ready "$DIR/ceph.conf" "$DIR/run" "$deadline" "$mons_csv" "$all_csv" \
		"$pools" "$OSDS"

	cat >"$DIR/env.sh" <<EOF
# generated by scripts/cluster.sh: source it to use the cluster in $DIR
export CEPH_CONF=$DIR/ceph.conf
export CEPHC_TEST_CONF=$DIR/ceph.conf
export CEPHC_TEST_KEYRING=$DIR/keyring
export CEPHC_CLUSTER_DIR=$DIR
EOF
	UP_DONE=1
	printf 'cluster up in %ss: %d mon(s), %d OSD(s), ms-bind %s%s, pools rbd+test (pg_num %d, size %d)\n' \
		"$(elapsed "$START")" "$MONS" "$OSDS" "$BIND" "${MODE:+, ms-mode $MODE}" "$pg_num" "$size"
	printf '  conf:     %s\n  keyring:  %s\n  env:      source %s\n  mon_host: %s\n  logs:     %s\n' \
		"$DIR/ceph.conf" "$DIR/keyring" "$DIR/env.sh" "$mon_host" "$DIR/log"
}

# run_helper ARGS...: run the python helper; on failure, report with the
# logs of the daemons it names as suspects.
run_helper() {
	local out rc=0
	out=$(helper "$@") || rc=$?
	((rc == 0)) && return 0
	local -a suspects=()
	mapfile -t suspects < <(printf '%s\n' "$out" | sed -n 's/^SUSPECT //p')
	fail "$1 step failed (see the message above)" "${suspects[@]}"
}

write_conf() {
	local fsid=$1 mon_host=$2 size=$3 pg_num=$4 win_lo=$5 win_hi=$6 line
	{
		cat <<EOF
# generated by scripts/cluster.sh; everything lives under $DIR
[global]
fsid = $fsid
mon_host = $mon_host
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $DIR/keyring
log file = $DIR/log/\$name.log
run dir = $DIR/run
pid file = $DIR/run/\$name.pid
admin socket = $DIR/run/\$cluster-\$name.\$pid.\$cctid.asok
crash dir = $DIR/crash
mon data = $DIR/\$name
osd data = $DIR/\$name
mon cluster log file = default=$DIR/log/\$cluster.\$channel.log cluster=$DIR/log/\$cluster.log
ms bind ipv4 = true
ms bind ipv6 = false
EOF
		case $BIND in
		both) printf 'ms bind msgr1 = true\nms bind msgr2 = true\n' ;;
		v1) printf 'ms bind msgr1 = true\nms bind msgr2 = false\n' ;;
		v2) printf 'ms bind msgr1 = false\nms bind msgr2 = true\n' ;;
		esac
		if [[ -n $MODE ]]; then
			# the only mode every daemon accepts and asks for, on mon
			# and non-mon sessions, as server, client and peer
			local k
			for k in ms_cluster_mode ms_service_mode ms_client_mode \
				ms_mon_cluster_mode ms_mon_service_mode ms_mon_client_mode; do
				printf '%s = %s\n' "$k" "$MODE"
			done
		fi
		cat <<EOF
osd objectstore = memstore
osd crush chooseleaf type = 0
osd pool default size = $size
osd pool default min size = 1
osd pool default pg num = $pg_num
osd pool default pgp num = $pg_num
osd pool default pg autoscale mode = off
mon allow pool delete = true
EOF
		if ((OSDS == 1)); then
			printf 'mon allow pool size one = true\nmon warn on pool no redundancy = false\n'
		fi
		for line in "${CONF_EXTRA[@]}"; do printf '%s\n' "$line"; done
		cat <<EOF

[mon]
keyring = $DIR/\$name/keyring
admin socket = $DIR/run/\$cluster-\$name.asok
mon data avail warn = 5
mon data avail crit = 1
EOF
		[[ -z $INJECT ]] || printf 'ms inject socket failures = %s\n' "$INJECT"
		cat <<EOF

[osd]
keyring = $DIR/\$name/keyring
admin socket = $DIR/run/\$cluster-\$name.asok
public addr = 127.0.0.1
cluster addr = 127.0.0.1
ms bind port min = $win_lo
ms bind port max = $win_hi
memstore device bytes = 4294967296
# Fullness from the PGs' byte counts, not memstore's: its own used-bytes
# counter can wrap below zero (seen: "failsafe engaged, now
# -2147483648% full" a minute into the suite, every pool FULL after).
fake statfs for testing = 8589934592
EOF
		[[ -z $INJECT ]] || printf 'ms inject socket failures = %s\n' "$INJECT"
	} >"$DIR/ceph.conf"
}

# ---------------------------------------------------------------------------
# down / status

do_down() {
	if [[ ! -d $DIR ]]; then
		log "nothing to tear down: $DIR does not exist"
		return 0
	fi
	local start=$EPOCHREALTIME n
	n=$(dir_daemons | wc -l)
	kill_daemons
	local left
	left=$(dir_daemons)
	[[ -z $left ]] || die "daemons of $DIR still running after SIGKILL: $(echo "$left" | tr '\n' ' ')"
	if [[ -s $DIR/ports ]]; then
		local -a specs busy=()
		mapfile -t specs <"$DIR/ports"
		for _ in $(seq 20); do
			mapfile -t busy < <(ports_listening "${specs[@]}")
			((${#busy[@]})) || break
			sleep 0.1
		done
		((${#busy[@]} == 0)) ||
			die "ports of $DIR still listening after its daemons exited: ${busy[*]}"
	fi
	rm -f "$(registry_file)" 2>/dev/null || true
	clean_dir "${KEEP_LOGS:-0}"
	local kept=""
	[[ ${KEEP_LOGS:-0} != 1 ]] || kept=", logs kept in $DIR/log"
	log "down: stopped $n daemon(s) in $(elapsed "$start")s$kept"
}

do_status() {
	[[ -f $DIR/ceph.conf ]] || die "no cluster in $DIR"
	dir_daemons | awk '{ printf "%-8s pid %s\n", $2, $1 }'
	timeout 20 ceph -c "$DIR/ceph.conf" -s
}

# ---------------------------------------------------------------------------
# main

main() {
	(($#)) || usage
	local cmd=$1
	shift
	DIR="" MONS=1 OSDS=3 BIND=both MODE="" INJECT=""
	CONF_EXTRA=()
	while (($#)); do
		case $1 in
		--dir | --mons | --osds | --ms-bind | --msgr | --ms-mode | --inject-socket-failures | --conf-extra)
			(($# >= 2)) || die "$1 needs a value"
			set -- "$1=$2" "${@:3}"
			;;
		esac
		case $1 in
		--dir=*) DIR=${1#*=} ;;
		--mons=*) MONS=${1#*=} ;;
		--osds=*) OSDS=${1#*=} ;;
		--ms-bind=* | --msgr=*) BIND=${1#*=} ;;
		--ms-mode=*) MODE=${1#*=} ;;
		--inject-socket-failures=*) INJECT=${1#*=} ;;
		--conf-extra=*) CONF_EXTRA+=("${1#*=}") ;;
		-h | --help) usage ;;
		*) die "unknown argument: $1" ;;
		esac
		shift
	done
	[[ -n $DIR ]] || die "--dir DIR is required"
	DIR=$(realpath -m -- "$DIR")
	[[ $DIR =~ ^/[A-Za-z0-9._/@+-]*$ ]] ||
		die "DIR must be made of [A-Za-z0-9._/@+-] only (it goes into ceph.conf): $DIR"
	[[ $DIR != / ]] || die "DIR must not be /"
	MON_NAMES=()
	OSD_NAMES=()
	ALL_DAEMONS=()
	case $cmd in
	up)
		trap 'ERR_WHERE="line $LINENO: $BASH_COMMAND"' ERR
		trap on_exit EXIT
		trap 'exit 130' INT
		trap 'exit 143' TERM
		do_up
		;;
	down) do_down ;;
	status) do_status ;;
	-h | --help | help) usage ;;
	*) die "unknown command: $cmd" ;;
	esac
}

main "$@"

# Notes on running Ceph 16.2.15 without a ceph-mgr:
# - PG states exist only in the mgr: `ceph pg stat|ls|dump`, `ceph df` and
#   `ceph osd pool stats` hang (they are mgr commands); `ceph -s` shows
#   "0 pools, 0 pgs".  `ceph osd map`, `ceph pg map`, `ceph osd dump|stat|
#   tree` and `ceph health` are mon commands and work.  Readiness is
#   therefore checked here by writing one object into every PG.
# - pg_num/pgp_num changes after creation are carried out by the mgr, so a
#   pool keeps the pg_num it was created with.
# - after mon_mgr_mkfs_grace (120 s) health says "no active mgr"; it already
#   warns AUTH_INSECURE_GLOBAL_ID_RECLAIM_ALLOWED (a default left alone), so
#   the cluster is never HEALTH_OK.
