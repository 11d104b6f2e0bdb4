/* SPDX-License-Identifier: MIT */
/* The striper against a byte-by-byte evaluation of Ceph's layout formula,
 * over default and fancy layouts and ranges crossing every boundary. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cephc/errors.h"
#include "rbd/striper.h"

/* The formula, one byte at a time: the reference the walk must match. */
static void byte_map(const struct cephc_layout *l, uint64_t off,
		     uint64_t *objno, uint64_t *obj_off)
{
	uint64_t su = l->stripe_unit, cnt = l->stripe_count;
	uint64_t su_per_obj = l->object_size / su;
	uint64_t blockno = off / su, stripeno = blockno / cnt;
	uint64_t stripepos = blockno % cnt, objsetno = stripeno / su_per_obj;

	*objno = objsetno * cnt + stripepos;
	*obj_off = (stripeno % su_per_obj) * su + off % su;
}

struct walk_check {
	const struct cephc_layout *l;
	uint64_t next_img;
	uint64_t chunks;
};

static int check_chunk(void *arg, const struct cephc_stripe_chunk *c)
{
	struct walk_check *w = arg;

	assert_true(c->len > 0);
	assert_true(c->img_off == w->next_img); /* image order, no gaps */
	/* first, last and a spread of bytes in between (the mapping inside a
	 * chunk must be linear; sampling keeps the test fast) */
	for (uint64_t i = 0; i < c->len;
	     i = i + 61 < c->len || i == c->len - 1 ? i + 61 : c->len - 1) {
		uint64_t o, oo;
		byte_map(w->l, c->img_off + i, &o, &oo);
		assert_true(o == c->objno);
		assert_true(oo == c->obj_off + i);
	}
	w->next_img += c->len;
	w->chunks++;
	return 0;
}

static void test_walk_matches_formula(void **state)
{
	static const struct cephc_layout layouts[] = {
	    {4096, 4096, 1},   /* default, tiny objects */
	    {8192, 1024, 1},   /* su < object size, count 1 */
	    {8192, 1024, 3},   /* fancy */
	    {16384, 4096, 4},  /* fancy */
	    {4096, 512, 7},    /* odd count */
	    {65536, 65536, 2}, /* su = object size, count 2 */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct cephc_layout *l = &layouts[i];
		uint64_t set = l->object_size * l->stripe_count;
		assert_int_equal(cephc_layout_check(l), 0);
		for (uint64_t off = 0; off < 2 * set; off += 1111) {
			for (uint64_t len = 1; len < set + 2000; len += 2897) {
				struct walk_check w = {l, off, 0};
				assert_int_equal(cephc_striper_walk(l, off, len,
								    check_chunk,
								    &w),
						 0);
				assert_true(w.next_img == off + len);
			}
		}
	}
}

static void test_default_layout_one_chunk_per_object(void **state)
{
	struct cephc_layout l = {4 << 20, 4 << 20, 1};
	struct walk_check w = {&l, 1000, 0};

	(void)state;
	/* 1000 .. 12 MiB + 5: objects 0, 1, 2 and 3 -> 4 chunks */
	assert_int_equal(cephc_striper_walk(&l, 1000, (12 << 20) + 5 - 1000,
					    check_chunk, &w),
			 0);
	assert_int_equal(w.chunks, 4);
}

static int stop_at_second(void *arg, const struct cephc_stripe_chunk *c)
{
	int *n = arg;

	(void)c;
	return ++*n == 2 ? -7 : 0;
}

static void test_walk_stops_on_error(void **state)
{
	struct cephc_layout l = {4096, 4096, 1};
	int n = 0;

	(void)state;
	assert_int_equal(
	    cephc_striper_walk(&l, 0, 3 * 4096, stop_at_second, &n), -7);
	assert_int_equal(n, 2);
}

static void test_num_objects_and_extent(void **state)
{
	struct cephc_layout d = {4096, 4096, 1};
	struct cephc_layout f = {8192, 1024, 3};

	(void)state;
	assert_int_equal(cephc_striper_num_objects(&d, 0), 0);
	assert_int_equal(cephc_striper_num_objects(&d, 1), 1);
	assert_int_equal(cephc_striper_num_objects(&d, 4096 * 10 + 1), 11);
	/* fancy: 1.5 units into the first set -> objects 0 and 1 */
	assert_int_equal(cephc_striper_num_objects(&f, 1536), 2);
	assert_int_equal(cephc_striper_num_objects(&f, 3 * 8192), 3);
	assert_int_equal(cephc_striper_num_objects(&f, 3 * 8192 + 1), 4);

	/* brute force: bytes of each object inside the image */
	for (uint64_t size = 0; size < 4 * 3 * 8192; size += 1700) {
		uint64_t counts[16] = {0};
		for (uint64_t b = 0; b < size; b++) {
			uint64_t o, oo;
			byte_map(&f, b, &o, &oo);
			counts[o]++;
		}
		for (uint64_t o = 0; o < 16; o++)
			assert_true(cephc_striper_object_extent_in_image(
					&f, o, size) == counts[o]);
	}
}

static void test_layout_check_and_names(void **state)
{
	struct cephc_layout bad1 = {4096, 3000, 1}, bad2 = {4096, 0, 1},
			    bad3 = {4096, 4096, 0};
	char name[64];

	(void)state;
	assert_int_equal(cephc_layout_check(&bad1), CEPHC_EINVAL);
	assert_int_equal(cephc_layout_check(&bad2), CEPHC_EINVAL);
	assert_int_equal(cephc_layout_check(&bad3), CEPHC_EINVAL);
	cephc_striper_object_name(name, sizeof(name), "rbd_data.1234abcd",
				  0x2a);
	assert_string_equal(name, "rbd_data.1234abcd.000000000000002a");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_walk_matches_formula),
	    cmocka_unit_test(test_default_layout_one_chunk_per_object),
	    cmocka_unit_test(test_walk_stops_on_error),
	    cmocka_unit_test(test_num_objects_and_extent),
	    cmocka_unit_test(test_layout_check_and_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
