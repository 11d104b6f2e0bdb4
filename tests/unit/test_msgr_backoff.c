/* SPDX-License-Identifier: MIT */
/*
 * The reconnect policy for sessions that fault after OPEN (msgr/backoff.h):
 * free redials, then delays that double up to a cap, jitter within 3/4 to
 * 5/4 of the delay, a gentler scale for sessions that delivered nothing,
 * and fresh streaks only after a healthy session (up long enough, or
 * enough messages delivered).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "msgr/backoff.h"

#define MS 1000000ull

/* A session that opens at *t, delivers msgs, lives up_ms, then faults:
 * the delay the policy asks for.  *t moves past the fault and the delay. */
static uint32_t flap(struct cephc_session_backoff *b, uint64_t *t,
		     uint32_t up_ms, uint32_t msgs, uint32_t rnd)
{
	uint32_t d;

	cephc_session_backoff_opened(b, *t);
	for (uint32_t i = 0; i < msgs; i++)
		cephc_session_backoff_delivered(b);
	*t += up_ms * MS;
	d = cephc_session_backoff_fault(b, *t, rnd);
	*t += d * MS;
	return d;
}

static void test_free_redials_then_delays_grow_to_the_cap(void **state)
{
	struct cephc_session_backoff b;
	uint64_t t = 1000 * MS;
	uint32_t prev = 0, d;

	(void)state;
	cephc_session_backoff_init(&b, NULL);
	for (uint32_t i = 1; i <= b.p.free; i++)
		assert_int_equal(flap(&b, &t, 1, 1, 12345), 0);
	/* rnd 0: the low end of the jitter, 3/4 of the nominal delay,
	 * which doubles from base and stops at the cap */
	for (uint32_t i = 0; i < 40; i++) {
		uint64_t nominal = i < 20 ? (uint64_t)b.p.base_ms << i : ~0ull;

		if (nominal > b.p.max_ms)
			nominal = b.p.max_ms;
		d = flap(&b, &t, 1, 1, 0);
		assert_int_equal(d, nominal * 3 / 4);
		assert_true(d >= prev);
		prev = d;
	}
	assert_int_equal(prev, b.p.max_ms * 3 / 4);
	/* a streak of millions does not overflow into a short delay */
	b.streak = UINT32_MAX - 1;
	assert_int_equal(flap(&b, &t, 1, 1, 0), b.p.max_ms * 3 / 4);
	assert_int_equal(flap(&b, &t, 1, 1, 0), b.p.max_ms * 3 / 4);
}

static void test_jitter_stays_within_a_quarter(void **state)
{
	struct cephc_session_backoff b;
	uint64_t t = 1000 * MS;
	uint32_t lo = UINT32_MAX, hi = 0;

	(void)state;
	cephc_session_backoff_init(&b, NULL);
	for (uint32_t i = 0; i < 64; i++) {
		uint32_t rnd = i * 2654435761u, d;

		/* always the first delayed fault: base nominal */
		b.streak = b.p.free;
		d = flap(&b, &t, 1, 1, rnd);
		assert_true(d >= b.p.base_ms * 3 / 4);
		assert_true(d <= b.p.base_ms * 5 / 4);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	/* it does vary: clients faulted together spread out */
	assert_true(hi - lo >= b.p.base_ms / 4);
	/* at the cap too */
	for (uint32_t i = 0; i < 64; i++) {
		uint32_t d;

		b.streak = b.p.free + 40;
		d = flap(&b, &t, 1, 1, i * 2654435761u);
		assert_true(d >= b.p.max_ms * 3 / 4);
		assert_true(d <= b.p.max_ms * 5 / 4);
	}
}

static void test_sessions_that_deliver_nothing_count_apart(void **state)
{
	struct cephc_session_backoff b;
	uint64_t t = 1000 * MS;
	uint32_t d = 0;

	(void)state;
	cephc_session_backoff_init(&b, NULL);
	for (uint32_t i = 1; i <= b.p.quiet_free; i++)
		assert_int_equal(flap(&b, &t, 1, 0, 0), 0);
	assert_int_equal(flap(&b, &t, 1, 0, 0), b.p.quiet_base_ms * 3 / 4);
	for (int i = 0; i < 20; i++)
		d = flap(&b, &t, 1, 0, 0);
	assert_int_equal(d, b.p.quiet_max_ms * 3 / 4);
	/* they leave the other streak alone, and it theirs */
	assert_int_equal(b.streak, 0);
	assert_int_equal(flap(&b, &t, 1, 1, 0), 0);
	assert_int_equal(b.streak, 1);
	assert_int_equal(b.quiet_streak, b.p.quiet_free + 21);
}

static void test_streak_resets_only_after_a_healthy_session(void **state)
{
	struct cephc_session_backoff b;
	uint64_t t = 1000 * MS;

	(void)state;
	cephc_session_backoff_init(&b, NULL);
	for (uint32_t i = 0; i < b.p.free + 3; i++)
		flap(&b, &t, 10, 1, 0);
	for (uint32_t i = 0; i < b.p.quiet_free + 3; i++)
		flap(&b, &t, 10, 0, 0);
	assert_int_equal(b.streak, b.p.free + 3);
	assert_int_equal(b.quiet_streak, b.p.quiet_free + 3);
	/* just short of healthy, by time and by messages: still paced */
	assert_true(flap(&b, &t, b.p.healthy_ms - 1, b.p.healthy_msgs - 1, 0) >
		    0);
	assert_int_equal(b.streak, b.p.free + 4);
	/* up for healthy_ms: at once, and both streaks start over */
	assert_int_equal(flap(&b, &t, b.p.healthy_ms, 0, 0), 0);
	assert_int_equal(b.streak, 0);
	assert_int_equal(b.quiet_streak, 0);
	for (uint32_t i = 0; i < b.p.free + 2; i++)
		flap(&b, &t, 10, 1, 0);
	assert_true(flap(&b, &t, 10, 1, 0) > 0);
	/* or healthy_msgs delivered, however short the session */
	assert_int_equal(flap(&b, &t, 1, b.p.healthy_msgs, 0), 0);
	assert_int_equal(b.streak, 0);
	assert_int_equal(flap(&b, &t, 1, 1, 0), 0);
}

/* What the brief's hostile OSD does: open, deliver one message, close,
 * again and again.  Redials within 20 s stay few. */
static void test_hostile_peer_gets_few_redials_in_20s(void **state)
{
	struct cephc_session_backoff b;
	uint64_t t = 1000 * MS, end = t + 20000 * MS;
	int dials = 1;

	(void)state;
	cephc_session_backoff_init(&b, NULL);
	while (t < end) {
		/* worst case: the low end of the jitter every time */
		flap(&b, &t, 1, 1, 0);
		if (t < end)
			dials++;
	}
	assert_true(dials <= 15);
	assert_true(dials >= (int)b.p.free + 2);
}

/* A peer that drops every session right after the handshake: the gentle
 * scale, still bounded (about one dial per 2 s once it is reached). */
static void test_silent_dropper_is_bounded_too(void **state)
{
	struct cephc_session_backoff b;
	uint64_t t = 1000 * MS, end = t + 20000 * MS;
	int dials = 1;

	(void)state;
	cephc_session_backoff_init(&b, NULL);
	while (t < end) {
		flap(&b, &t, 1, 0, 0);
		if (t < end)
			dials++;
	}
	assert_true(dials <= 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_free_redials_then_delays_grow_to_the_cap),
	    cmocka_unit_test(test_jitter_stays_within_a_quarter),
	    cmocka_unit_test(test_sessions_that_deliver_nothing_count_apart),
	    cmocka_unit_test(test_streak_resets_only_after_a_healthy_session),
	    cmocka_unit_test(test_hostile_peer_gets_few_redials_in_20s),
	    cmocka_unit_test(test_silent_dropper_is_bounded_too),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
