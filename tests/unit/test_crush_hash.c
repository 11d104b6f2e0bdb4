/* SPDX-License-Identifier: MIT */
/* CRUSH hashes and crush_ln: published vectors and closed-form points. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "osdmap/crush/crush_internal.h"
#include "osdmap/crush/crush_ln_table.h"

/* Vectors from protocol-map section 11 (confirmed through crushtool). */
static void test_hash_vectors(void **state)
{
	(void)state;
	assert_int_equal(cephc_crush_hash32_2(6, 2), 0x37f72ca0);
	assert_int_equal(cephc_crush_hash32_2(0, 0), 0x19ad4ce9);
	assert_int_equal(cephc_crush_hash32_3(1, 2, 3), 0x735ad42b);
	assert_int_equal(cephc_crush_hash32_3(0, 0, 0), 0x7a3bf3b2);
	assert_int_equal(crush_hash32_2(CRUSH_HASH_RJENKINS1, 6, 2),
			 0x37f72ca0);
}

/* Ceph hashes every unknown hash type to 0; buckets rely on that. */
static void test_unknown_hash_type_is_zero(void **state)
{
	(void)state;
	assert_int_equal(crush_hash32_2(1, 6, 2), 0);
	assert_int_equal(crush_hash32_3(7, 1, 2, 3), 0);
	assert_int_equal(crush_hash32_4(255, 1, 2, 3, 4), 0);
}

/* log2(2^k) = k exactly: crush_ln(2^k - 1) = k << 44 for k = 0..15. */
static void test_ln_powers_of_two(void **state)
{
	(void)state;
	for (unsigned int k = 0; k < 16; k++)
		assert_true(crush_ln((1u << k) - 1) == (uint64_t)k << 44);
	/* 0xffff + 1 = 2^16 is not normalised: table pair 128 is used. */
	assert_true(crush_ln(0xffff) == 0xfffff0000000ull);
}

/*
 * Ceph's crush_ln is monotonic except for one step, an artefact of the
 * shipped table values; a regenerated or edited table would move or remove
 * it (and change straw2 placement).
 */
static void test_ln_single_known_dip(void **state)
{
	uint64_t prev = crush_ln(0);
	int dips = 0;
	uint32_t where = 0;

	(void)state;
	for (uint32_t u = 1; u <= 0xffff; u++) {
		uint64_t v = crush_ln(u);

		if (v < prev) {
			dips++;
			where = u;
		}
		prev = v;
	}
	assert_int_equal(dips, 1);
	assert_int_equal(where, 0xffff); /* ln(0xfffe) > ln(0xffff) */
}

/* Spot values of the shipped tables (protocol-map 7.8 quotes LL[2]). */
static void test_ln_table_values(void **state)
{
	(void)state;
	assert_true(crush_ll_tbl[2] == 0x70cb64ec5ll);
	assert_true(crush_ll_tbl[255] == 0x2dced24f814ll);
	assert_true(crush_rh_lh_tbl[0] == 0x1000000000000ll);
	assert_true(crush_rh_lh_tbl[3] == 0x2dfca16dde1ll);
	assert_true(crush_rh_lh_tbl[256] == 0x800000000000ll);
	assert_true(crush_rh_lh_tbl[257] == 0xffff00000000ll);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hash_vectors),
	    cmocka_unit_test(test_unknown_hash_type_is_zero),
	    cmocka_unit_test(test_ln_powers_of_two),
	    cmocka_unit_test(test_ln_single_known_dip),
	    cmocka_unit_test(test_ln_table_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
