#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every cephc_ symbol libcephc.so exports is listed in
# debian/libcephc0.symbols and every listed one is exported, so a new
# CEPHC_EXPORT cannot slip past the package's symbols file (dpkg-gensymbols
# only warns about new symbols).
#   scripts/check_symbols.sh BUILD_DIR
set -eu
build=${1:?usage: check_symbols.sh BUILD_DIR}
src=$(cd "$(dirname "$0")/.." && pwd)
lib=$(ls "$build"/libcephc.so.[0-9]* 2>/dev/null | head -1)
if [ -z "$lib" ]; then
	echo "check_symbols: no shared libcephc in $build: skipped"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
nm -D --defined-only "$lib" | awk '$3 ~ /^cephc_/ {print $3}' | sort -u >"$tmp/exported"
sed -n 's/^ \(cephc_[A-Za-z0-9_]*\)@Base.*/\1/p' "$src/debian/libcephc0.symbols" |
	sort -u >"$tmp/listed"
dups=$(sed -n 's/^ \(cephc_[A-Za-z0-9_]*\)@Base.*/\1/p' "$src/debian/libcephc0.symbols" |
	sort | uniq -d)
[ -n "$dups" ] && echo "listed twice in debian/libcephc0.symbols:" $dups
missing=$(comm -23 "$tmp/exported" "$tmp/listed")
gone=$(comm -13 "$tmp/exported" "$tmp/listed")
[ -n "$missing" ] && echo "exported but not in debian/libcephc0.symbols:" $missing
[ -n "$gone" ] && echo "in debian/libcephc0.symbols but not exported:" $gone
[ -z "$missing$gone$dups" ] || exit 1
echo "symbols: $(wc -l <"$tmp/exported") exported, all listed"
