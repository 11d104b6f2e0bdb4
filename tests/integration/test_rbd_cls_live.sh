#!/usr/bin/env bash
# cephc's cls rbd codecs (src/rbd/cls_rbd.c) against a real cluster: images
# made by Ceph's `rbd` tool (default features, layering only, fancy
# striping, a separate data pool, snapshots, a clone) are read through the
# cls methods with inputs from cephc's encoders; cephc's decoders must agree
# with `rbd info` / `rbd snap ls` / `rbd ls` / `rbd image-meta list`.  The
# write methods run on scratch objects with unique names.  Bytes travel
# through python3-rados (Ioctx.execute); tests/integration/
# test_rbd_cls_live.py does the work, tools/rbd-cls-probe the coding.
# Exit 77 (skip) without CEPHC_TEST_CONF unless CEPHC_REQUIRE_CLUSTER=1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
skip() {
	if [[ ${CEPHC_REQUIRE_CLUSTER:-0} == 1 ]]; then
		echo "FAIL: $* (CEPHC_REQUIRE_CLUSTER=1)"
		exit 1
	fi
	echo "SKIP: $*"
	exit 77
}

[[ -n ${CEPHC_TEST_CONF:-} ]] || skip "CEPHC_TEST_CONF not set"
command -v rbd >/dev/null 2>&1 || skip "rbd not installed"
# python3-rados lives in the system interpreter, not a pyenv one
py=/usr/bin/python3
"$py" -c 'import rados' 2>/dev/null || skip "python3-rados not installed"

probe=${CEPHC_BUILD_DIR:-$here/../../build}/rbd-cls-probe
[[ -x $probe ]] || {
	echo "FAIL: $probe not built"
	exit 1
}
PROBE=$probe exec "$py" "$here/test_rbd_cls_live.py"
