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

#include "cephc/errors.h"
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

/* --- Squid MSR rules ---------------------------------------------------- */

/* FNV-1a over little-endian u32s: how tests/golden/crush/msr digests a
 * group of mappings (count, then items, per x). */
static uint64_t fnv_u32(uint64_t h, uint32_t v)
{
	for (int i = 0; i < 4; i++) {
		h ^= (v >> (8 * i)) & 0xff;
		h *= 0x100000001b3ull;
	}
	return h;
}

/*
 * msr-N.expect (see tests/golden/crush/msr/README.md): "weights K w0 w1
 * ..." lines, then "group RULE NUMREP K X0 X1 DIGEST" lines computed by
 * Squid's mapper; every group must hash the same here.  Returns the
 * number of mappings compared.
 */
static long check_msr_map(const char *name)
{
	size_t maplen, explen;
	char *map = slurp(name, ".map", &maplen);
	char *exp = slurp(name, ".expect", &explen);
	struct cephc_crush_map *m;
	const struct cephc_crush_choose_arg *ca;
	uint32_t w[3][64];
	int nd = 0, groups = 0;
	long mappings = 0;

	assert_int_equal(cephc_crush_decode((const uint8_t *)map, maplen, &m),
			 0);
	ca = cephc_crush_choose_args(m, CEPHC_CRUSH_CHOOSE_ARGS_DEFAULT);
	for (char *line = strtok(exp, "\n"); line; line = strtok(NULL, "\n")) {
		int rule, numrep, k, x0, x1, res[16];
		unsigned long long want;
		uint64_t h = 0xcbf29ce484222325ull;

		if (!strncmp(line, "weights ", 8)) {
			char *p = line + 8;

			k = (int)strtol(p, &p, 10);
			assert_in_range(k, 0, 2);
			for (nd = 0; *p && nd < 64; nd++)
				w[k][nd] = (uint32_t)strtoul(p, &p, 10);
			continue;
		}
		assert_int_equal(sscanf(line, "group %d %d %d %d %d %llx",
					&rule, &numrep, &k, &x0, &x1, &want),
				 6);
		for (int x = x0; x <= x1; x++) {
			int n = cephc_crush_do_rule(m, rule, x, res, numrep,
						    w[k], nd, ca, NULL);

			assert_in_range(n, 0, numrep);
			h = fnv_u32(h, (uint32_t)n);
			for (int i = 0; i < n; i++)
				h = fnv_u32(h, (uint32_t)res[i]);
			mappings++;
		}
		if (h != want)
			fail_msg("%s: rule %d numrep %d weights %d differs",
				 name, rule, numrep, k);
		groups++;
	}
	assert_true(groups > 100);
	cephc_crush_free(m);
	free(map);
	free(exp);
	return mappings;
}

static void test_msr_rules_match_squid(void **state)
{
	long n = 0;

	(void)state;
	n += check_msr_map("msr/msr-0"); /* 5 hosts x 4 */
	n += check_msr_map("msr/msr-1"); /* racks, default tunables */
	n += check_msr_map("msr/msr-2"); /* uniform/list/tree hosts */
	n += check_msr_map("msr/msr-3"); /* choose_args, 2 positions */
	n += check_msr_map("msr/msr-4"); /* fewer hosts than asked */
	assert_true(n > 100000);
}

/* Offset of a 12-byte rule step (op, arg1, arg2) in a map blob. */
static size_t find_step(const char *map, size_t len, uint32_t op, int32_t arg1,
			int32_t arg2)
{
	uint8_t pat[12];
	uint32_t v[3] = {op, (uint32_t)arg1, (uint32_t)arg2};

	for (int i = 0; i < 3; i++)
		for (int b = 0; b < 4; b++)
			pat[4 * i + b] = (uint8_t)(v[i] >> (8 * b));
	for (size_t i = 0; i + 12 <= len; i++)
		if (!memcmp(map + i, pat, 12))
			return i;
	fail_msg("step %u %d %d not found", op, arg1, arg2);
	return 0;
}

static void put_s32(char *p, int32_t v)
{
	for (int b = 0; b < 4; b++)
		p[b] = (char)((uint32_t)v >> (8 * b));
}

/* Squid's tunables and retry limits: the map trailer and SET_MSR steps. */
static void test_msr_tunables_and_limits(void **state)
{
	size_t len;
	char *map = slurp("msr/msr-2", ".map", &len);
	struct cephc_crush_map *m;
	struct cephc_crush_tunables t;
	size_t at;

	(void)state;
	assert_int_equal(cephc_crush_decode((uint8_t *)map, len, &m), 0);
	cephc_crush_get_tunables(m, &t);
	assert_int_equal(t.msr_descents, 5);
	assert_int_equal(t.msr_collision_tries, 3);
	cephc_crush_free(m);
	/* Without the trailer (a pre-Squid encoder): 100 and 100. */
	assert_int_equal(cephc_crush_decode((uint8_t *)map, len - 8, &m), 0);
	cephc_crush_get_tunables(m, &t);
	assert_int_equal(t.msr_descents, 100);
	assert_int_equal(t.msr_collision_tries, 100);
	cephc_crush_free(m);
	put_s32(map + len - 8, CEPHC_CRUSH_MAX_TRIES + 1);
	assert_int_equal(cephc_crush_decode((uint8_t *)map, len, &m),
			 CEPHC_ETOOBIG);
	put_s32(map + len - 8, 5);
	/* set_msr_descents -1 would be 2^32 - 1 descents in Squid. */
	at = find_step(map, len, 14, 3, 0);
	put_s32(map + at + 4, -1);
	assert_int_equal(cephc_crush_decode((uint8_t *)map, len, &m),
			 CEPHC_ETOOBIG);
	put_s32(map + at + 4, CEPHC_CRUSH_MAX_TRIES);
	assert_int_equal(cephc_crush_decode((uint8_t *)map, len, &m), 0);
	cephc_crush_free(m);
	/* choosemsr asking for more replicas than a mapping can hold. */
	at = find_step(map, len, 16, 4, 0);
	put_s32(map + at + 4, CEPHC_CRUSH_MAX_RESULT + 1);
	assert_int_equal(cephc_crush_decode((uint8_t *)map, len, &m),
			 CEPHC_ETOOBIG);
	free(map);
}

/* Rule `rule` yields `want` entries, all NONE, for x 0..49 (result_max 4). */
static void expect_nothing(const struct cephc_crush_map *m, int rule, int want,
			   const uint32_t *w)
{
	int res[4];

	for (int x = 0; x < 50; x++) {
		assert_int_equal(
		    cephc_crush_do_rule(m, rule, x, res, 4, w, 20, NULL, NULL),
		    want);
		for (int i = 0; i < want; i++)
			assert_int_equal(res[i], CEPHC_CRUSH_ITEM_NONE);
	}
}

/*
 * Rules Squid's mapper would crash or read out of bounds on map to
 * nothing here: a TAKE of a missing bucket, a TAKE of a device followed by
 * choose steps, a negative count, a bucket-type step that reaches a device.
 */
static void test_msr_malformed_rules_map_to_nothing(void **state)
{
	size_t len;
	char *map = slurp("msr/msr-0", ".map", &len);
	struct cephc_crush_map *m;
	uint32_t w[64];
	size_t take4 = find_step(map, len, 16, 4, 0) - 12; /* rule 4 */
	size_t msr2 = find_step(map, len, 16, 2, 1);       /* rule 3 */

	(void)state;
	for (int i = 0; i < 64; i++)
		w[i] = 0x10000;
	put_s32(map + take4 + 4, -60); /* no such bucket */
	put_s32(map + msr2 + 4, -2);   /* choosemsr -2 host */
	assert_int_equal(cephc_crush_decode((uint8_t *)map, len, &m), 0);
	expect_nothing(m, 4, 0, w);
	expect_nothing(m, 3, 0, w);
	cephc_crush_free(m);
	put_s32(map + take4 + 4, 3); /* take osd.3, then choosemsr */
	/* rule 0's "choosemsr 3 host" asks for type 7, which no bucket has:
	 * every descent ends on a device, which is not a bucket to descend */
	put_s32(map + find_step(map, len, 16, 3, 1) + 8, 7);
	assert_int_equal(cephc_crush_decode((uint8_t *)map, len, &m), 0);
	expect_nothing(m, 4, 0, w);
	expect_nothing(m, 0, 4, w); /* msr_indep: 4 empty slots */
	cephc_crush_free(m);
	free(map);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_algs_jewel_choose_args),
	    cmocka_unit_test(test_all_algs_legacy),
	    cmocka_unit_test(test_built_straw2),
	    cmocka_unit_test(test_msr_rules_match_squid),
	    cmocka_unit_test(test_msr_tunables_and_limits),
	    cmocka_unit_test(test_msr_malformed_rules_map_to_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
