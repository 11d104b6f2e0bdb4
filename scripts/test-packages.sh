#!/usr/bin/env bash
# Packaging test (a few minutes; scripts/check.sh runs it): build the .deb
# files from a clean clone of HEAD (scripts/package.sh), install them with
# apt-get, use the installed files against a cluster (cephc status, an RBD
# import checked with Ceph's `rbd export`, a C program built with
# `pkg-config --libs cephc` that reads an object, man pages, completion,
# the nbdkit plugin loaded by its short name and cephc nbd, both read back
# and compared with `rbd export`), then purge them and check that nothing
# they installed is left and no nbdkit of ours still runs.
# The cluster: $CEPHC_TEST_CONF when set (as check.sh sets it), else a
# throwaway one.  Refuses to run when cephc packages are already installed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
pkgs=(cephc libcephc-dev libcephc0 nbdkit-cephc-plugin)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

installed() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == *"ok installed"* ]]; }
for p in "${pkgs[@]}"; do
	if installed "$p"; then
		echo "test-packages: $p is installed already; not touching it" >&2
		exit 1
	fi
done

work=$(mktemp -d /tmp/cephc-pkgtest.XXXXXX)
own_cluster=""
cleanup() {
	local p
	# a cephc nbd --detach server this test started
	if [ -s "$work/nbd.pid" ]; then kill "$(cat "$work/nbd.pid")" 2>/dev/null || true; fi
	for p in "${pkgs[@]}"; do
		if installed "$p"; then
			DEBIAN_FRONTEND=noninteractive $SUDO apt-get purge -y -qq "${pkgs[@]}" >/dev/null 2>&1 || true
			break
		fi
	done
	[ -n "$own_cluster" ] && bash "$top/scripts/cluster.sh" down --dir "$own_cluster" >/dev/null 2>&1 || true
	[ -n "$own_cluster" ] && rm -rf "$own_cluster"
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

conf=${CEPHC_TEST_CONF:-}
if [ -z "$conf" ]; then
	own_cluster=$(mktemp -d /tmp/cephc-pkgcluster.XXXXXX)
	bash "$top/scripts/cluster.sh" up --dir "$own_cluster" --mons 1 --osds 3 >/dev/null
	conf=$own_cluster/ceph.conf
fi

echo "== build the packages"
bash "$top/scripts/package.sh" "$work/debs" >/dev/null
debs=()
for p in "${pkgs[@]}"; do
	f=$(ls "$work/debs/${p}_"*.deb)
	debs+=("$f")
done

echo "== install them"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${debs[@]}" >/dev/null
for p in "${pkgs[@]}"; do installed "$p" || fail "$p not installed"; done
dpkg -L "${pkgs[@]}" | while read -r f; do [ -d "$f" ] || echo "$f"; done >"$work/files"
[ -s "$work/files" ] || fail "the packages installed no files"

echo "== smoke run of the installed files"
cd "$work"
ver=$(sed -n 's/^project(cephc VERSION \([0-9.]*\).*/\1/p' "$top/CMakeLists.txt")
[ "$(/usr/bin/cephc --version)" = "cephc $ver" ] || fail "cephc --version: $(/usr/bin/cephc --version)"
# (output captured first: with pipefail, `cmd | grep -q` fails when grep
# exits at the first match and cmd is still writing)
out=$(/usr/bin/cephc rbd create --help) && grep -q '^usage: cephc rbd create' <<<"$out" || fail "cephc rbd create --help"
out=$(/usr/bin/fsx-cephc --help) && grep -q '^usage:' <<<"$out" || fail "fsx-cephc --help"
for page in cephc fsx-cephc libcephc; do
	man -w "$page" >/dev/null 2>&1 || fail "man page $page is not installed"
done
[ -f /usr/share/bash-completion/completions/cephc ] || fail "no bash completion"
/usr/bin/cephc -c "$conf" status >status.out || fail "cephc status"
grep -q 'cluster:' status.out || fail "cephc status: $(head -3 status.out)"

img=pkgtest$$
head -c $((5 * 1024 * 1024 + 4096)) /dev/urandom >img.in
/usr/bin/cephc -c "$conf" rbd import --no-progress img.in "rbd/$img" || fail "cephc rbd import"
rbd -c "$conf" export --no-progress "rbd/$img" img.out >/dev/null 2>&1 || fail "rbd export of cephc's image"
cmp -s img.in img.out || fail "rbd export differs from what cephc rbd import wrote"

# the nbdkit plugin: installed where nbdkit looks, loaded by short name
# (not the build tree's: CEPHC_NBDKIT_PLUGIN would override cephc nbd)
unset CEPHC_NBDKIT_PLUGIN
plugindir=$(nbdkit --dump-config | sed -n 's/^plugindir=//p')
[ -f "$plugindir/nbdkit-cephc-plugin.so" ] || fail "no plugin in nbdkit's plugindir $plugindir"
nbdkit cephc --dump-plugin >plugin.dump 2>&1 || fail "nbdkit cephc --dump-plugin: $(head -3 plugin.dump)"
grep -qx "path=$plugindir/nbdkit-cephc-plugin.so" plugin.dump || fail "nbdkit cephc loads $(grep '^path=' plugin.dump)"
man -w nbdkit-cephc-plugin >/dev/null 2>&1 || fail "man page nbdkit-cephc-plugin is not installed"
# shellcheck disable=SC2016 # $uri is nbdkit's, for --run
timeout 120 nbdkit -U - cephc image="rbd/$img" conf="$conf" \
	--run 'nbdcopy "$uri" nbd.out' >nbdkit.log 2>&1 || fail "nbdkit cephc --run nbdcopy: $(tail -3 nbdkit.log)"
cmp -s img.out nbd.out || fail "nbdkit cephc serves other data than rbd export"
# cephc nbd (package cephc) finds the plugin in nbdkit's plugindir
timeout 60 /usr/bin/cephc -c "$conf" nbd --readonly --detach --pidfile "$work/nbd.pid" \
	--socket "$work/nbd.sock" "rbd/$img" >nbd.uri 2>nbd.err || fail "cephc nbd: $(tail -3 nbd.err)"
timeout 120 nbdcopy "$(head -1 nbd.uri)" nbd2.out || fail "nbdcopy from cephc nbd"
kill "$(cat "$work/nbd.pid")"
rm -f "$work/nbd.pid"
cmp -s img.out nbd2.out || fail "cephc nbd serves other data than rbd export"
/usr/bin/cephc -c "$conf" rbd rm --no-progress "rbd/$img" || fail "cephc rbd rm"

printf 'hello from libcephc\n' >obj.in
/usr/bin/cephc -c "$conf" rados -p test put "pkgobj$$" obj.in || fail "cephc rados put"
cat >readobj.c <<'CPROG'
#include <stdio.h>
#include <cephc/rados.h>

int main(int argc, char **argv)
{
	cephc_cluster *c = NULL;
	cephc_ioctx *io = NULL;
	char buf[256];
	int64_t n = -1;

	if (argc != 4)
		return 2;
	if (cephc_cluster_create(&c, NULL) == 0 &&
	    cephc_cluster_conf_read_file(c, argv[1]) == 0 &&
	    cephc_cluster_connect(c) == 0 &&
	    cephc_ioctx_create(c, argv[2], &io) == 0) {
		n = cephc_rados_read(io, argv[3], buf, sizeof(buf), 0);
		cephc_ioctx_destroy(io);
	}
	if (n >= 0)
		fwrite(buf, 1, (size_t)n, stdout);
	else
		fprintf(stderr, "readobj: %s\n", cephc_strerror((int)n));
	cephc_cluster_destroy(c);
	return n >= 0 ? 0 : 1;
}
CPROG
# shellcheck disable=SC2046
cc -Wall -Werror -o readobj readobj.c $(pkg-config --cflags --libs cephc) || fail "building against pkg-config cephc"
out=$(ldd ./readobj) && grep -q 'libcephc\.so\.0' <<<"$out" || fail "readobj is not linked to libcephc.so.0"
./readobj "$conf" test "pkgobj$$" >obj.out || fail "readobj"
/usr/bin/cephc -c "$conf" rados -p test rm "pkgobj$$"
cmp -s obj.in obj.out || fail "readobj read '$(cat obj.out)'"

echo "== purge them"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get purge -y -qq "${pkgs[@]}" >/dev/null
for p in "${pkgs[@]}"; do
	! installed "$p" || fail "$p still installed"
	! dpkg-query -W "$p" >/dev/null 2>&1 || [ -z "$(dpkg-query -W -f='${Status}' "$p" | grep -v 'not-installed')" ] ||
		fail "$p left in dpkg's database: $(dpkg-query -W -f='${Status}' "$p")"
done
left=$(while read -r f; do [ -e "$f" ] && echo "$f"; done <"$work/files" || true)
[ -z "$left" ] || fail "left behind after purge: $left"
! nbdkit cephc --dump-plugin >/dev/null 2>&1 || fail "nbdkit still loads a cephc plugin after purge"
echo "packages: built, installed, used and removed cleanly"
