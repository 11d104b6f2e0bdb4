/* SPDX-License-Identifier: MIT */
/* RBD I/O planning: object extents cover the image range exactly once,
 * merging joins stripe pieces of one object, and discard picks DELETE /
 * TRUNCATE / ZERO the way librbd does (against the object's in-image
 * prefix). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cephc/errors.h"
#include "rbd/image_plan.h"

static const struct cephc_layout plain = {1 << 16, 1 << 16, 1};
static const struct cephc_layout striped = {1 << 16, 1 << 12, 3};

/* Every image byte of the range is mapped once, to the formula's place. */
static void check_cover(const struct cephc_layout *l, uint64_t off,
			uint64_t len, bool merge)
{
	struct rbd_plan p;
	uint64_t total = 0;

	assert_int_equal(rbd_plan_build(&p, l, off, len, merge), 0);
	for (unsigned i = 0; i < p.n; i++) {
		assert_true(p.v[i].len > 0);
		assert_true(p.v[i].obj_off + p.v[i].len <= l->object_size);
		total += p.v[i].len;
		if (merge && i)
			assert_true(p.v[i - 1].objno < p.v[i].objno ||
				    p.v[i - 1].obj_off + p.v[i - 1].len <
					p.v[i].obj_off);
	}
	assert_int_equal(total, len);
	rbd_plan_free(&p);
}

static void test_plan_covers_range_once(void **state)
{
	(void)state;
	uint64_t cases[][2] = {{0, 1},
			       {1, 511},
			       {4095, 2},
			       {65535, 2},
			       {12345, 300001},
			       {0, 3 << 16},
			       {(3 << 16) - 1, (1 << 20) + 3}};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		check_cover(&plain, cases[i][0], cases[i][1], false);
		check_cover(&plain, cases[i][0], cases[i][1], true);
		check_cover(&striped, cases[i][0], cases[i][1], false);
		check_cover(&striped, cases[i][0], cases[i][1], true);
	}
}

static void test_plan_empty_range_has_no_extents(void **state)
{
	struct rbd_plan p;

	(void)state;
	assert_int_equal(rbd_plan_build(&p, &striped, 100, 0, true), 0);
	assert_int_equal(p.n, 0);
	rbd_plan_free(&p);
}

static void test_merge_joins_stripe_pieces_of_one_object(void **state)
{
	struct rbd_plan p;

	(void)state;
	/* one full object set of the striped layout: 3 objects x 64 KiB */
	assert_int_equal(rbd_plan_build(&p, &striped, 0, 3 << 16, false), 0);
	assert_int_equal(p.n, 48); /* 16 stripe units per object */
	rbd_plan_free(&p);
	assert_int_equal(rbd_plan_build(&p, &striped, 0, 3 << 16, true), 0);
	assert_int_equal(p.n, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(p.v[i].objno, i);
		assert_int_equal(p.v[i].obj_off, 0);
		assert_int_equal(p.v[i].len, 1 << 16);
	}
	rbd_plan_free(&p);
}

static void test_plain_plan_is_one_extent_per_object(void **state)
{
	struct rbd_plan p;

	(void)state;
	assert_int_equal(rbd_plan_build(&p, &plain, 100, 1 << 17, false), 0);
	assert_int_equal(p.n, 3);
	assert_int_equal(p.v[0].objno, 0);
	assert_int_equal(p.v[0].obj_off, 100);
	assert_int_equal(p.v[0].len, (1 << 16) - 100);
	assert_int_equal(p.v[0].img_off, 100);
	assert_int_equal(p.v[2].objno, 2);
	assert_int_equal(p.v[2].len, 100);
	assert_int_equal(p.v[2].img_off, 1 << 17);
	rbd_plan_free(&p);
}

static void test_discard_actions_follow_librbd(void **state)
{
	struct cephc_stripe_chunk c = {0};
	uint64_t size = 10 << 16; /* 10 full objects */

	(void)state;
	c.objno = 3;
	c.obj_off = 0;
	c.len = 1 << 16;
	assert_int_equal(rbd_discard_action(&plain, &c, size),
			 RBD_DISCARD_DELETE);
	c.obj_off = 4096;
	c.len = (1 << 16) - 4096;
	assert_int_equal(rbd_discard_action(&plain, &c, size),
			 RBD_DISCARD_TRUNCATE);
	c.obj_off = 4096;
	c.len = 4096;
	assert_int_equal(rbd_discard_action(&plain, &c, size),
			 RBD_DISCARD_ZERO);
	c.obj_off = 0;
	c.len = 4096;
	assert_int_equal(rbd_discard_action(&plain, &c, size),
			 RBD_DISCARD_ZERO);
}

static void
test_discard_of_last_partial_object_uses_its_image_part(void **state)
{
	struct cephc_stripe_chunk c = {0};
	uint64_t size = (2 << 16) + 5000; /* object 2 holds 5000 bytes */

	(void)state;
	c.objno = 2;
	c.obj_off = 0;
	c.len = 5000;
	assert_int_equal(rbd_discard_action(&plain, &c, size),
			 RBD_DISCARD_DELETE);
	c.obj_off = 100;
	c.len = 4900;
	assert_int_equal(rbd_discard_action(&plain, &c, size),
			 RBD_DISCARD_TRUNCATE);
	c.len = 4899;
	assert_int_equal(rbd_discard_action(&plain, &c, size),
			 RBD_DISCARD_ZERO);
}

static void test_discard_in_striped_partial_object_set(void **state)
{
	struct rbd_plan p;
	uint64_t size = (3 << 16) + 3 * 4096; /* one su in each of 3..5 */

	(void)state;
	/* discarding the whole tail set deletes objects 3, 4, 5 */
	assert_int_equal(rbd_plan_build(&p, &striped, 3 << 16, 3 * 4096, true),
			 0);
	assert_int_equal(p.n, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(rbd_discard_action(&striped, &p.v[i], size),
				 RBD_DISCARD_DELETE);
	rbd_plan_free(&p);
}

/* Compare-and-write must stay inside one object (librbd: EINVAL). */
static void test_one_object_rule(void **state)
{
	static const struct cephc_layout one_set = {1 << 16, 1 << 12, 1};
	struct cephc_stripe_chunk c;

	(void)state;
	assert_int_equal(rbd_plan_one_object(&plain, 1000, 5000, &c), 0);
	assert_int_equal(c.objno, 0);
	assert_int_equal(c.obj_off, 1000);
	assert_int_equal(c.len, 5000);
	/* the object's last byte and the next object's first */
	assert_int_equal(rbd_plan_one_object(&plain, (1 << 16) - 1, 2, &c),
			 CEPHC_EINVAL);
	assert_int_equal(rbd_plan_one_object(&plain, 1 << 16, 1 << 16, &c), 0);
	assert_int_equal(c.objno, 1);
	assert_int_equal(c.len, 1 << 16);
	assert_int_equal(rbd_plan_one_object(&plain, 0, 0, &c), CEPHC_EINVAL);
	/* striped: one stripe unit is one object's, the next is not */
	assert_int_equal(rbd_plan_one_object(&striped, 4096 + 10, 4086, &c), 0);
	assert_int_equal(c.objno, 1);
	assert_int_equal(c.obj_off, 10);
	assert_int_equal(rbd_plan_one_object(&striped, 4096 + 10, 4087, &c),
			 CEPHC_EINVAL);
	/* the second stripe of object 0 lands at object offset 4096 */
	assert_int_equal(rbd_plan_one_object(&striped, 3 * 4096 + 5, 100, &c),
			 0);
	assert_int_equal(c.objno, 0);
	assert_int_equal(c.obj_off, 4096 + 5);
	/* one object per set: stripe units of one object follow each other */
	assert_int_equal(rbd_plan_one_object(&one_set, 4000, 8192, &c), 0);
	assert_int_equal(c.objno, 0);
	assert_int_equal(c.len, 8192);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plan_covers_range_once),
	    cmocka_unit_test(test_plan_empty_range_has_no_extents),
	    cmocka_unit_test(test_merge_joins_stripe_pieces_of_one_object),
	    cmocka_unit_test(test_plain_plan_is_one_extent_per_object),
	    cmocka_unit_test(test_discard_actions_follow_librbd),
	    cmocka_unit_test(
		test_discard_of_last_partial_object_uses_its_image_part),
	    cmocka_unit_test(test_discard_in_striped_partial_object_set),
	    cmocka_unit_test(test_one_object_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
