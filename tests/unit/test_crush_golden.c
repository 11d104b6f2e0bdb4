/* SPDX-License-Identifier: MIT */
/*
 * Placement against stored outputs of Ceph 16.2.15's crushtool: maps in
 * tests/golden/crush/NAME.map and the matching `crushtool -i MAP --test
 * --show-mappings --min-x 0 --max-x 15` output in NAME.mappings.  Runs without
 * crushtool installed (the full differential test is
 * tests/integration/test_crushtool_golden.sh).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "osdmap/crush/crush.h"

static char *slurp(const char *name, const char *ext, size_t *len)
{
	const char *src = getenv("CEPHC_SOURCE_DIR");
	char path[4096];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/golden/crush/%s%s",
		 src ? src : ".", name, ext);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Recreate crushtool's --show-mappings text for x 0..15 and compare. */
static void check_map(const char *name)
{
	size_t maplen, wantlen, got = 0, cap = 1 << 20;
	char *map = slurp(name, ".map", &maplen);
	char *want = slurp(name, ".mappings", &wantlen);
	char *out = malloc(cap);
	struct cephc_crush_map *m;
	uint32_t *w;
	int nd, res[CEPHC_CRUSH_MAX_RESULT];
	const struct cephc_crush_choose_arg *ca;

	assert_int_equal(cephc_crush_decode((const uint8_t *)map, maplen, &m),
			 0);
	nd = cephc_crush_max_devices(m);
	w = calloc((size_t)nd + 1, sizeof(*w));
	for (int d = 0; d < nd; d++)
		w[d] = cephc_crush_device_present(m, d) ? 0x10000 : 0;
	ca = cephc_crush_choose_args_for_pool(m, 0);
	for (int r = 0; r < cephc_crush_max_rules(m); r++) {
		int minr, maxr;

		if (cephc_crush_rule_mask(m, r, NULL, NULL, &minr, &maxr))
			continue;
		for (int nr = minr; nr <= maxr; nr++)
			for (int x = 0; x <= 15; x++) {
				int n = cephc_crush_do_rule(m, r, x, res, nr, w,
							    nd, ca, NULL);

				assert_true(got + 64 + 12 * (size_t)n < cap);
				got += (size_t)sprintf(
				    out + got, "CRUSH rule %d x %d [", r, x);
				for (int i = 0; i < n; i++)
					got += (size_t)sprintf(out + got,
							       i ? ",%d" : "%d",
							       res[i]);
				got += (size_t)sprintf(out + got, "]\n");
			}
	}
	assert_int_equal(got, wantlen);
	assert_memory_equal(out, want, wantlen);
	cephc_crush_free(m);
	free(w);
	free(out);
	free(map);
	free(want);
}

static void test_all_algs_jewel_choose_args(void **state)
{
	(void)state;
	check_map("all_algs-jewel-choose_args");
}

static void test_all_algs_legacy(void **state)
{
	(void)state;
	check_map("all_algs-legacy");
}

static void test_built_straw2(void **state)
{
	(void)state;
	check_map("built-straw2-13");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_algs_jewel_choose_args),
	    cmocka_unit_test(test_all_algs_legacy),
	    cmocka_unit_test(test_built_straw2),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
