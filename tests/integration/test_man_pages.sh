#!/usr/bin/env bash
# The man pages the build makes (cephc.1 and fsx-cephc.1 from the tools'
# tables, libcephc.3 and, with the nbdkit plugin, nbdkit-cephc-plugin.1
# from man/) render without a single groff warning, cephc.1 has a section
# for every command the tables list, and nbdkit-cephc-plugin.1 describes
# every key the plugin's config callback takes.  No cluster needed; skipped
# (77) without groff.
set -euo pipefail
build=${CEPHC_BUILD_DIR:?}
bin=${CEPHC_BIN:?}
command -v groff >/dev/null || { echo "groff not installed: skip"; exit 77; }
fail=0
pages=(cephc.1 fsx-cephc.1 libcephc.3)
plugin=$build/nbdkit-cephc-plugin.so
[ -f "$plugin" ] && pages+=(nbdkit-cephc-plugin.1)
for page in "${pages[@]}"; do
	f=$build/man/$page
	[ -s "$f" ] || { echo "FAIL: $f was not built"; fail=1; continue; }
	warn=$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$f" 2>&1)
	[ -z "$warn" ] || { echo "FAIL: groff warns on $page:"; echo "$warn"; fail=1; }
	if command -v man >/dev/null; then
		warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$f" 2>&1 >/dev/null)
		[ -z "$warn" ] || { echo "FAIL: man warns on $page:"; echo "$warn"; fail=1; }
	fi
done
# every command and sub-command of the tables is in cephc.1
while IFS='|' read -r cmd sub opt _; do
	[ -z "$opt" ] || continue
	if [ -z "$sub" ]; then
		grep -qx "\\.SS $cmd" "$build/man/cephc.1" || { echo "FAIL: cephc.1 has no section for $cmd"; fail=1; }
	else
		# the page escapes hyphens (object-map -> object\-map)
		grep -qxF ".B $cmd ${sub//-/\\-}" "$build/man/cephc.1" || { echo "FAIL: cephc.1 lacks $cmd $sub"; fail=1; }
	fi
done < <("$bin" __options)
# the keys the plugin's config callback takes are all on its page (read
# from the source: the sanitizer build's plugin does not load in a plain
# nbdkit)
src=${CEPHC_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
if [ -f "$plugin" ]; then
	text=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$build/man/nbdkit-cephc-plugin.1" 2>/dev/null |
		col -b | sed -n '/^PARAMETERS/,/^EXAMPLES/p')
	keys=$(sed -n '/^static int cephc_config(/,/^}/p' "$src/plugins/nbdkit/nbdkit-cephc-plugin.c" |
		grep -oE 'strcmp\(key, "[a-z_-]+"\)' | sed -E 's/.*"(.*)".*/\1=/' | sort -u || true)
	[ -n "$keys" ] || { echo "FAIL: no keys found in the plugin's config callback"; fail=1; }
	for k in $keys; do
		# an entry of PARAMETERS starts with it
		grep -qE "^ +\[?$k" <<<"$text" ||
			{ echo "FAIL: nbdkit-cephc-plugin.1 has no PARAMETERS entry for $k"; fail=1; }
	done
fi
[ $fail = 0 ] && echo "man pages: render cleanly"
exit $fail
