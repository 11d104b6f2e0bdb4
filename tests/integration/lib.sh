# Sourced by the shell integration tests (not a test itself).
# require_cluster CONF: without a cluster to test against, skip (exit 77),
# or fail when CEPHC_REQUIRE_CLUSTER=1 (make check sets it, so a missing
# cluster can never pass as a skip).  With one, point Ceph's own tools at
# it (CEPH_CONF, and CEPH_KEYRING from CEPHC_TEST_KEYRING).
require_cluster() {
	if [ -z "${1:-}" ]; then
		[ "${CEPHC_REQUIRE_CLUSTER:-0}" = 1 ] && { echo "no cluster"; exit 1; }
		echo "skipped: no cluster (CEPHC_TEST_CONF is not set)"
		exit 77
	fi
	export CEPH_CONF=$1
	if [ -n "${CEPHC_TEST_KEYRING:-}" ]; then
		export CEPH_KEYRING=$CEPHC_TEST_KEYRING
	fi
	return 0
}
