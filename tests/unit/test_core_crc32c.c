/* SPDX-License-Identifier: MIT */
/* crc32c against the published vectors and Ceph's seed conventions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/crc32c.h"

static void test_check_values(void **state)
{
	(void)state;
	/* raw update, seed 0 (msgr v1 crcs, msgr2 preamble) */
	assert_int_equal(cephc_crc32c(0, "123456789", 9), 0x58e3fa20);
	/* seed ~0: msgr2 segments; equals ~(standard CRC-32C check value) */
	assert_int_equal(cephc_crc32c(0xffffffff, "123456789", 9), 0x1cf96d7c);
	assert_int_equal(~cephc_crc32c(0xffffffff, "123456789", 9), 0xe3069283);
	assert_int_equal(cephc_crc32c(0, "", 0), 0);
	assert_int_equal(cephc_crc32c(0x12345678, "", 0), 0x12345678);
}

/* RFC 3720 B.4 vectors (standard CRC-32C: init ~0, final xor ~0). */
static void test_rfc3720(void **state)
{
	uint8_t buf[32];

	(void)state;
	memset(buf, 0, 32);
	assert_int_equal(~cephc_crc32c(~0u, buf, 32), 0x8a9136aa);
	memset(buf, 0xff, 32);
	assert_int_equal(~cephc_crc32c(~0u, buf, 32), 0x62a8ab43);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)i;
	assert_int_equal(~cephc_crc32c(~0u, buf, 32), 0x46dd794e);
	for (int i = 0; i < 32; i++)
		buf[i] = (uint8_t)(31 - i);
	assert_int_equal(~cephc_crc32c(~0u, buf, 32), 0x113fdb5c);
}

/* Incremental == one-shot for every split, and the accelerated path agrees
 * with the portable one over odd lengths and alignments. */
static void test_incremental_and_impls(void **state)
{
	enum { N = 4099 };
	uint8_t *buf = malloc(N);

	(void)state;
	for (int i = 0; i < N; i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	uint32_t whole = cephc_crc32c(0, buf, N);
	assert_int_equal(whole, cephc_crc32c_portable(0, buf, N));
	for (size_t cut = 0; cut <= N; cut += 97) {
		uint32_t c = cephc_crc32c(0, buf, cut);
		c = cephc_crc32c(c, buf + cut, N - cut);
		assert_int_equal(c, whole);
	}
	for (size_t off = 0; off < 16; off++)
		for (size_t len = 0; len < 300; len += 13)
			assert_int_equal(
			    cephc_crc32c(0xffffffff, buf + off, len),
			    cephc_crc32c_portable(0xffffffff, buf + off, len));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_values),
	    cmocka_unit_test(test_rfc3720),
	    cmocka_unit_test(test_incremental_and_impls),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
