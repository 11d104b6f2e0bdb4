#!/usr/bin/env bash
# Install what building, testing and the demo need on Debian 12, and only
# what is missing.  Works as root or through sudo; a no-op when all is there.
#   scripts/deps.sh            build + test + cluster packages
#   scripts/deps.sh --build    only what compiling needs
#   (the default set includes what `make package` and its test need:
#   debhelper, dpkg-dev, lintian, groff/man for the man pages, and
#   bash-completion)
set -euo pipefail

build_pkgs=(gcc clang make cmake pkg-config libssl-dev libisal-dev
	libcmocka-dev libclang-rt-14-dev git)
run_pkgs=(ceph-mon ceph-osd ceph-common ceph-base librados-dev librbd-dev
	python3 iperf3 fio procps iproute2 util-linux time
	debhelper dpkg-dev fakeroot lintian groff-base man-db bash-completion)

want=("${build_pkgs[@]}")
[ "${1:-}" = "--build" ] || want+=("${run_pkgs[@]}")
# The NBD export: the nbdkit plugin's header to build it; nbdkit and the
# NBD clients its tests drive (nbdinfo/nbdcopy, nbdsh, qemu-img/qemu-io
# with the nbd driver) to run it.
want+=(nbdkit-plugin-dev)
[ "${1:-}" = "--build" ] ||
	want+=(nbdkit libnbd-bin python3-libnbd qemu-utils qemu-block-extra)

missing=()
for p in "${want[@]}"; do
	# dpkg-query prints "install ok installed" for a present package
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing+=("$p")
	fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	command -v sudo >/dev/null || { echo "deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
	SUDO="sudo"
fi
echo "deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
