/* SPDX-License-Identifier: MIT */
/* Object-name hashes, stable_mod and pg masks against Ceph's values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "osdmap/ceph_hash.h"
#include "osdmap/osdmap.h"

static uint32_t rj(const char *s)
{
	return cephc_str_hash_rjenkins(s, strlen(s));
}

static uint32_t rj_ns(const char *ns, const char *s)
{
	return cephc_str_hash_ns(CEPHC_STR_HASH_RJENKINS, ns, strlen(ns), s,
				 strlen(s));
}

/* Values from protocol-map section 11 (ceph osd map / osdmaptool output). */
static void test_rjenkins_vectors(void **state)
{
	(void)state;
	assert_int_equal(rj("foo"), 0x7fc1f406);
	assert_int_equal(rj("bar"), 0xefe6384b);
	assert_int_equal(rj("hello"), 0xb706399e);
	assert_int_equal(rj("rbd_directory"), 0x30a98c1c);
	assert_int_equal(rj("rbd_id.img"), 0x45db1915);
	assert_int_equal(rj("rbd_header.1234567890ab"), 0x8d24fa67);
	assert_int_equal(rj("rbd_data.1234567890ab.0000000000000000"),
			 0x12570f4f);
}

static void test_rjenkins_namespace_vectors(void **state)
{
	(void)state;
	assert_int_equal(rj_ns("ns1", "foo"), 0xf4569544);
	assert_int_equal(rj_ns("ns1", "bar"), 0x73a75142);
	assert_int_equal(rj_ns("users.uid", "testuser"), 0xa13aa4c1);
	/* An empty namespace hashes the name alone. */
	assert_int_equal(rj_ns("", "foo"), 0x7fc1f406);
}

static void test_rjenkins_every_tail_length(void **state)
{
	/* 0..40 bytes exercise every tail case and several 12-byte blocks;
	 * the hash must equal the one of the joined namespace form. */
	char buf[64];
	int i;

	(void)state;
	for (i = 0; i < 40; i++)
		buf[i] = (char)('a' + i % 26);
	for (i = 1; i < 40; i++) {
		char joined[80];

		memcpy(joined, "n", 1);
		joined[1] = 0x1f;
		memcpy(joined + 2, buf, (size_t)i);
		assert_int_equal(
		    cephc_str_hash_ns(CEPHC_STR_HASH_RJENKINS, "n", 1, buf,
				      (size_t)i),
		    cephc_str_hash_rjenkins(joined, (size_t)i + 2));
	}
	/* Empty string: only the length (0) and the golden ratio mix. */
	assert_int_equal(cephc_str_hash_rjenkins("", 0),
			 cephc_str_hash(CEPHC_STR_HASH_RJENKINS, "", 0));
}

static void test_linux_hash(void **state)
{
	uint32_t h = 0;
	const char *s = "foo";

	(void)state;
	/* The dcache hash by its definition, step by step. */
	for (; *s; s++) {
		uint32_t c = (uint8_t)*s;

		h = (h + (c << 4) + (c >> 4)) * 11;
	}
	assert_int_equal(cephc_str_hash_linux("foo", 3), h);
	assert_int_equal(cephc_str_hash_linux("", 0), 0);
	assert_int_equal(cephc_str_hash(CEPHC_STR_HASH_LINUX, "foo", 3), h);
	/* Unknown hash types hash to -1 as in Ceph. */
	assert_int_equal(cephc_str_hash(7, "foo", 3), 0xffffffffu);
	assert_string_equal(cephc_str_hash_name(2), "rjenkins");
	assert_string_equal(cephc_str_hash_name(1), "linux");
}

static void test_pg_mask_and_stable_mod(void **state)
{
	(void)state;
	assert_int_equal(cephc_pg_mask(0), 0);
	assert_int_equal(cephc_pg_mask(1), 0);
	assert_int_equal(cephc_pg_mask(2), 1);
	assert_int_equal(cephc_pg_mask(8), 7);
	assert_int_equal(cephc_pg_mask(9), 15);
	assert_int_equal(cephc_pg_mask(384), 511);
	assert_int_equal(cephc_pg_mask(0x80000000u), 0x7fffffff);
	assert_int_equal(cephc_pg_mask(0xffffffffu), 0xffffffffu);

	/* foo (0x7fc1f406) with pg_num 8 lands in pg .6 */
	assert_int_equal(cephc_stable_mod(0x7fc1f406, 8, 7), 6);
	/* hello with pg_num 32 -> 0x1e (live 16.2.15 cluster) */
	assert_int_equal(cephc_stable_mod(0xb706399e, 32, 31), 0x1e);
	/* 12 pgs (mask 15): 13 folds to 13 & 7 = 5, 11 stays */
	assert_int_equal(cephc_stable_mod(13, 12, 15), 5);
	assert_int_equal(cephc_stable_mod(11, 12, 15), 11);
	assert_int_equal(cephc_stable_mod(0xffffffff, 12, 15), 7);
}

static void test_pg_parse_format(void **state)
{
	struct cephc_pg pg;
	char buf[48];

	(void)state;
	assert_int_equal(cephc_pg_parse("1.7f", &pg), 0);
	assert_int_equal(pg.pool, 1);
	assert_int_equal(pg.seed, 0x7f);
	cephc_pg_format(pg, buf, sizeof(buf));
	assert_string_equal(buf, "1.7f");
	assert_int_equal(cephc_pg_parse("12.ABC", &pg), 0);
	assert_int_equal(pg.seed, 0xabc);
	assert_int_not_equal(cephc_pg_parse("x.1", &pg), 0);
	assert_int_not_equal(cephc_pg_parse("5", &pg), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rjenkins_vectors),
	    cmocka_unit_test(test_rjenkins_namespace_vectors),
	    cmocka_unit_test(test_rjenkins_every_tail_length),
	    cmocka_unit_test(test_linux_hash),
	    cmocka_unit_test(test_pg_mask_and_stable_mod),
	    cmocka_unit_test(test_pg_parse_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
