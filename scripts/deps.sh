#!/usr/bin/env bash
# Install what building, testing and the demo need on Debian 12, and only
# what is missing.  Works as root or through sudo; a no-op when all is there.
#   scripts/deps.sh            build + test + cluster packages
#   scripts/deps.sh --build    only what compiling needs
set -euo pipefail

build_pkgs=(gcc clang make cmake pkg-config libssl-dev libisal-dev
	libcmocka-dev libclang-rt-14-dev git nbdkit-plugin-dev)
run_pkgs=(ceph-mon ceph-osd ceph-common ceph-base librados-dev librbd-dev
	python3 iperf3 fio procps iproute2 util-linux time
	nbdkit libnbd-bin python3-libnbd qemu-utils qemu-block-extra)

want=("${build_pkgs[@]}")
[ "${1:-}" = "--build" ] || want+=("${run_pkgs[@]}")

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
