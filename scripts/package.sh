#!/usr/bin/env bash
# Build the Debian packages as a packager would: from a clean clone of HEAD
# (what is committed, nothing else), `dpkg-buildpackage -us -uc -b`, then
# lintian (errors fail the build).  The .deb files land in OUT_DIR.
#   scripts/package.sh [OUT_DIR]          default: build-deb/
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$top/build-deb}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=$(mktemp -d /tmp/cephc-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT

if ! git -C "$top" diff --quiet HEAD --; then
	echo "package: uncommitted changes are not in the packages" >&2
fi
rev=$(git -C "$top" rev-parse HEAD)
git clone -q --no-checkout "$top" "$work/cephc"
git -C "$work/cephc" checkout -q "$rev"
echo "package: building $(git -C "$top" log -1 --format='%h %s' "$rev")" >&2
if ! (cd "$work/cephc" &&
	DEB_BUILD_OPTIONS="parallel=${JOBS:-2} ${DEB_BUILD_OPTIONS:-}" \
		dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
	tail -60 "$work/build.log" >&2
	echo "package: dpkg-buildpackage failed" >&2
	exit 1
fi
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mv "$work"/*.deb "$work"/*.changes "$work"/*.buildinfo "$out"/
# lintian: errors fail; warnings are shown
lintian --fail-on error --tag-display-limit 0 "$out"/*.changes >&2
ls "$out"/*.deb
