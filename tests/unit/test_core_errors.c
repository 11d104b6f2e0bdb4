/* SPDX-License-Identifier: MIT */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cephc/cephc.h"

static void test_names_and_messages(void **state)
{
	(void)state;
	assert_string_equal(cephc_errname(CEPHC_ENOENT), "ENOENT");
	assert_string_equal(cephc_errname(ENOENT), "ENOENT"); /* either sign */
	assert_string_equal(cephc_errname(CEPHC_EDECODE), "EDECODE");
	assert_string_equal(cephc_strerror(0), "success");
	/* outside the table: the number is still there */
	assert_string_equal(cephc_strerror(-99999), "unknown error -99999");
	assert_string_equal(cephc_strerror(99999), "unknown error -99999");
	/* codes the OSD sends, once missing from the table */
	assert_string_equal(cephc_errname(-ENOEXEC), "ENOEXEC");
	assert_string_equal(cephc_errname(-ESTALE), "ESTALE");
	assert_int_equal(CEPHC_ETIMEDOUT, -ETIMEDOUT);
	assert_true(cephc_err_is_protocol(CEPHC_ECRC));
	assert_false(cephc_err_is_protocol(CEPHC_EIO));
	assert_int_equal(CEPHC_EBLOCKLISTED, -108);
	/* compare-and-write's mismatch, as librbd returns it (-84) */
	assert_int_equal(CEPHC_EILSEQ, -EILSEQ);
	assert_string_equal(cephc_errname(CEPHC_EILSEQ), "EILSEQ");
}

/* Protocol codes never collide with an errno value. */
static void test_protocol_codes_distinct(void **state)
{
	static const int codes[] = {
#define CODE_(name, value, msg) value,
	    CEPHC_PROTO_TABLE(CODE_)
#undef CODE_
	};
	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		assert_true(codes[i] < -4000);
		assert_true(cephc_err_is_protocol(codes[i]));
		assert_null(strstr(cephc_strerror(codes[i]), "unknown"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names_and_messages),
	    cmocka_unit_test(test_protocol_codes_distinct),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
