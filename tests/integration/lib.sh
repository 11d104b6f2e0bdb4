# Sourced by the shell integration tests (not a test itself).
# require_cluster CONF: without a cluster to test against, skip (exit 77),
# or fail when CEPHC_REQUIRE_CLUSTER=1 (make check sets it, so a missing
# cluster can never pass as a skip).
require_cluster() {
	if [ -z "${1:-}" ]; then
		[ "${CEPHC_REQUIRE_CLUSTER:-0}" = 1 ] && { echo "no cluster"; exit 1; }
		exit 77
	fi
	return 0
}
