/* SPDX-License-Identifier: MIT */
/* The log rate limit: the first line of an interval passes, the rest are
 * counted and reported with the next one that passes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"

static void test_ratelimit_counts_what_it_holds(void **state)
{
	struct cephc_log_ratelimit rl = {0};
	const uint64_t t0 = 1000000000ull;
	uint32_t held = 99;

	(void)state;
	assert_true(cephc_log_ratelimit_pass(&rl, t0, &held));
	assert_int_equal(held, 0);
	for (int i = 1; i <= 5; i++)
		assert_false(cephc_log_ratelimit_pass(
		    &rl, t0 + (uint64_t)i * 1000000000ull, &held));
	/* one interval later: passes and reports the five held back */
	assert_true(
	    cephc_log_ratelimit_pass(&rl, t0 + CEPHC_LOG_RATELIMIT_NS, &held));
	assert_int_equal(held, 5);
	assert_false(cephc_log_ratelimit_pass(
	    &rl, t0 + CEPHC_LOG_RATELIMIT_NS + 1, &held));
	assert_true(cephc_log_ratelimit_pass(
	    &rl, t0 + 3 * CEPHC_LOG_RATELIMIT_NS, &held));
	assert_int_equal(held, 1);
}

/* The summary line names the real span the count covers: the interval
 * when lines keep coming, longer after a quiet spell. */
static void test_ratelimit_span_is_the_real_one(void **state)
{
	struct cephc_log_ratelimit rl = {0};
	const uint64_t t0 = 5000000000ull;
	uint32_t held;

	(void)state;
	assert_true(cephc_log_ratelimit_pass(&rl, t0, &held));
	assert_int_equal(cephc_log_ratelimit_span_s(&rl), 0);
	assert_false(cephc_log_ratelimit_pass(&rl, t0 + 1, &held));
	assert_true(
	    cephc_log_ratelimit_pass(&rl, t0 + CEPHC_LOG_RATELIMIT_NS, &held));
	assert_int_equal(cephc_log_ratelimit_span_s(&rl),
			 CEPHC_LOG_RATELIMIT_NS / 1000000000ull);
	assert_false(cephc_log_ratelimit_pass(
	    &rl, t0 + CEPHC_LOG_RATELIMIT_NS + 1, &held));
	/* 37 s later, not "10 s" */
	assert_true(cephc_log_ratelimit_pass(
	    &rl, t0 + CEPHC_LOG_RATELIMIT_NS + 37000000000ull, &held));
	assert_int_equal(held, 1);
	assert_int_equal(cephc_log_ratelimit_span_s(&rl), 37);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ratelimit_counts_what_it_holds),
	    cmocka_unit_test(test_ratelimit_span_is_the_real_one),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
