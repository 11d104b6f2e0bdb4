#!/usr/bin/env bash
# Run the whole test suite: unit and fuzz tests, then integration tests
# against a throwaway local cluster, in the normal and the sanitizer build.
# The cluster is always torn down, whatever fails.
#   scripts/check.sh BUILD_DIR [ASAN_BUILD_DIR]
# Last, the packaging test (scripts/test-packages.sh: build the .debs from
# a clean clone, install, smoke-run, purge; a few minutes); skip it with
# CEPHC_SKIP_PACKAGES=1.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-build}" && pwd)
asan=${2:-}
[ -n "$asan" ] && asan=$(cd "$asan" && pwd)

cluster_dir=$(mktemp -d /tmp/cephc-check.XXXXXX)
cleanup() {
	bash "$top/scripts/cluster.sh" down --dir "$cluster_dir" || true
	rm -rf "$cluster_dir"
}
trap cleanup EXIT

bash "$top/scripts/cluster.sh" up --dir "$cluster_dir" --mons 1 --osds 3
# shellcheck disable=SC1091
source "$cluster_dir/env.sh"
export CEPHC_REQUIRE_CLUSTER=1 CEPHC_CLUSTER_DIR="$cluster_dir"

rc=0
echo "== tests: $build"
ctest --test-dir "$build" --output-on-failure -j2 -LE fuzz || rc=1
if [ -n "$asan" ]; then
	echo "== tests under ASan+UBSan: $asan"
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --test-dir "$asan" --output-on-failure -j2 || rc=1
fi
if [ "${CEPHC_SKIP_PACKAGES:-0}" != 1 ]; then
	echo "== packaging: build, install, smoke-run, purge"
	bash "$top/scripts/test-packages.sh" || rc=1
fi
exit $rc
