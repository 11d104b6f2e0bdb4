#!/usr/bin/env bash
# fsx on cephc RBD images: 20,000 random reads/writes/discards/write-zeroes/
# resizes each on a stripe-v2 image and a plain one, checked against an
# in-memory model (small images and objects keep it to about a minute).
set -euo pipefail
conf=${CEPHC_TEST_CONF:-}
fsx=${CEPHC_BUILD_DIR:?}/fsx
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"
require_cluster "$conf"
N=${CEPHC_FSX_OPS:-20000}
[ -n "${CEPHC_SANITIZED:-}" ] && N=${CEPHC_FSX_OPS:-2000} # a tenth under ASan
"$fsx" -c "$conf" -N "$N" -l 4M -o 192K -O 16 -u 8K -C 3 "rbd/fsxs$$"
"$fsx" -c "$conf" -N "$N" -l 4M -o 192K -O 17 "rbd/fsxp$$"
