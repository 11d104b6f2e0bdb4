#!/usr/bin/env bash
# The drop-in librados.so.2 / librbd.so.1 (compat/) export every name that
# fio, QEMU's block-rbd and the Python bindings import (compat/abi/*.txt),
# as functions, with Debian's symbol versions: NAME@VER imports in the
# LIBRADOS_14.2.0 node, everything else unversioned (Base); librbd has no
# version nodes at all.  A consumer refuses to load if one name is missing.
set -euo pipefail
src=${CEPHC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${CEPHC_BUILD_DIR:?}
lib=$build/compat/lib
if [ ! -e "$lib/librados.so.2" ] || [ ! -e "$lib/librbd.so.1" ]; then
	echo "skipped: compat/ not built (no librados-dev/librbd-dev)"
	exit 77
fi
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# objdump -T: "... DF .text SIZE VERSION NAME" for defined symbols
exports() { objdump -T "$1" | awk '$4 == ".text" && $2 == "g" { print $(NF-1), $NF }'; }
rados=$(exports "$lib/librados.so.2")
rbd=$(exports "$lib/librbd.so.1")
n=0
while read -r name; do
	n=$((n + 1))
	base=${name%@*}
	want=Base
	[ "$base" != "$name" ] && want=${name#*@}
	case $base in
	rados_*) have=$rados ;;
	rbd_*) have=$rbd ;;
	*) fail "unexpected name $name"; continue ;;
	esac
	grep -qxF "$want $base" <<<"$have" || fail "$base not exported as $want (got: $(grep -w "$base" <<<"$have" | tr '\n' ' '))"
done < <(sort -u "$src"/compat/abi/{fio,qemu-block-rbd,python3-rbd,python3-rados}.txt)
[ "$n" -ge 368 ] || fail "only $n names in compat/abi"
objdump -p "$lib/librbd.so.1" | grep -q "Version definitions" && fail "librbd.so.1 has version definitions (Debian's has none)"
objdump -p "$lib/librados.so.2" | grep -q "LIBRADOS_14.2.0" || fail "librados.so.2 lacks the LIBRADOS_14.2.0 node"
for f in librados.so.2 librbd.so.1; do
	objdump -p "$lib/$f" | grep -q "SONAME *$f" || fail "$f: wrong SONAME"
done
# A name cephc does not implement yet fails cleanly: -ENOSYS, and its name
# is logged once however often it is called (python3's ctypes calls it).
if command -v python3 >/dev/null; then
	asan_env=()
	if [ "${CEPHC_SANITIZED:-0}" = 1 ] && command -v clang >/dev/null; then
		asan_env=(LD_PRELOAD="$(clang -print-file-name=libclang_rt.asan-x86_64.so)"
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0")
	fi
	out=$(env "${asan_env[@]}" python3 - "$lib/librbd.so.1" 2>"$build/compat-stub.err" <<'PY'
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
print(lib.rbd_aio_is_complete(None), lib.rbd_aio_is_complete(None))
PY
	) || fail "calling a stub failed"
	[ "$out" = "-38 -38" ] || fail "stub returned '$out', want -ENOSYS (-38) twice"
	logged=$(grep -c "rbd_aio_is_complete is not implemented" "$build/compat-stub.err" || true)
	[ "$logged" = 1 ] || fail "stub logged $logged times, want once"
	rm -f "$build/compat-stub.err"
fi

[ "$fails" -eq 0 ] || exit 1
echo "ok: $n names exported with their versions"
