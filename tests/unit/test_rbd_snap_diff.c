/* SPDX-License-Identifier: MIT */
/*
 * snap_diff.c: interval sets against a byte model, LIST_SNAPS reply
 * decoding (every truncation fails cleanly, counts are bounded), the
 * snap-set diff on the cases rbd 16.2.15 was seen to answer, and the
 * fast-diff fold.
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
#include "rbd/cls_rbd.h"
#include "rbd/snap_diff.h"

#define SPAN 200

static void model_check(const struct rbd_ivset *s, const uint8_t *model)
{
	uint8_t got[SPAN] = {0};
	uint64_t prev_end = 0;

	for (uint32_t i = 0; i < s->n; i++) {
		assert_true(s->v[i].len > 0);
		/* sorted, disjoint and not touching */
		assert_true(i == 0 || s->v[i].off > prev_end);
		prev_end = s->v[i].off + s->v[i].len;
		assert_true(prev_end <= SPAN);
		memset(got + s->v[i].off, 1, s->v[i].len);
	}
	assert_memory_equal(got, model, SPAN);
}

static void test_ivset_random(void **state)
{
	struct rbd_ivset s, o;
	uint8_t model[SPAN];

	(void)state;
	srand(7);
	for (int round = 0; round < 200; round++) {
		rbd_ivset_init(&s);
		memset(model, 0, sizeof(model));
		for (int k = 0; k < 40; k++) {
			uint64_t off = (uint64_t)(rand() % SPAN);
			uint64_t len = (uint64_t)(rand() % (SPAN - off + 1));
			int op = rand() % 3;

			if (op < 2) {
				assert_int_equal(rbd_ivset_insert(&s, off, len),
						 0);
				memset(model + off, 1, len);
			} else {
				assert_int_equal(rbd_ivset_erase(&s, off, len),
						 0);
				memset(model + off, 0, len);
			}
			model_check(&s, model);
		}
		rbd_ivset_init(&o);
		assert_int_equal(rbd_ivset_insert(&o, 10, 5), 0);
		assert_int_equal(rbd_ivset_union(&s, &o), 0);
		memset(model + 10, 1, 5);
		model_check(&s, model);
		rbd_ivset_free(&o);
		rbd_ivset_free(&s);
	}
}

/* ---- LIST_SNAPS replies ---------------------------------------------- */

struct clone_spec {
	uint64_t id;
	int nsnaps;
	uint64_t snaps[4];
	int nov;
	uint64_t ov[4][2];
	uint64_t size;
};

static uint8_t *p_u8(uint8_t *p, uint8_t v)
{
	*p = v;
	return p + 1;
}
static uint8_t *p_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 4;
}
static uint8_t *p_le64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
	return p + 8;
}

/* obj_list_snap_response_t v2 */
static size_t enc_snapset(uint8_t *buf, const struct clone_spec *c, int n,
			  uint64_t seq)
{
	uint8_t *p = buf, *len_at;

	p = p_u8(p, 2);
	p = p_u8(p, 1);
	len_at = p;
	p += 4;
	p = p_le32(p, (uint32_t)n);
	for (int i = 0; i < n; i++) {
		uint8_t *cl;

		p = p_u8(p, 1);
		p = p_u8(p, 1);
		cl = p;
		p += 4;
		p = p_le64(p, c[i].id);
		p = p_le32(p, (uint32_t)c[i].nsnaps);
		for (int k = 0; k < c[i].nsnaps; k++)
			p = p_le64(p, c[i].snaps[k]);
		p = p_le32(p, (uint32_t)c[i].nov);
		for (int k = 0; k < c[i].nov; k++) {
			p = p_le64(p, c[i].ov[k][0]);
			p = p_le64(p, c[i].ov[k][1]);
		}
		p = p_le64(p, c[i].size);
		p_le32(cl, (uint32_t)(p - cl - 4));
	}
	p = p_le64(p, seq);
	p_le32(len_at, (uint32_t)(p - len_at - 4));
	return (size_t)(p - buf);
}

#define HEAD CEPHC_RBD_NOSNAP

static void test_snapset_decode_and_truncations(void **state)
{
	static const struct clone_spec c[] = {
	    {5, 2, {4, 5}, 1, {{0, 4096}}, 8192},
	    {HEAD, 0, {0}, 0, {{0}}, 12288},
	};
	uint8_t buf[512];
	struct rbd_snapset ss;
	size_t len = enc_snapset(buf, c, 2, 5);

	(void)state;
	assert_int_equal(rbd_snapset_decode(buf, len, &ss), 0);
	assert_int_equal(ss.n, 2);
	assert_int_equal(ss.seq, 5);
	assert_int_equal(ss.clones[0].first, 4);
	assert_int_equal(ss.clones[0].last, 5);
	assert_int_equal(ss.clones[0].noverlap, 1);
	assert_int_equal(ss.clones[0].overlap[0].len, 4096);
	assert_true(ss.clones[1].cloneid == HEAD);
	assert_int_equal(ss.clones[1].size, 12288);
	rbd_snapset_free(&ss);
	/* every truncation is an error, never a crash or a leak */
	for (size_t l = 0; l < len; l++) {
		assert_true(rbd_snapset_decode(buf, l, &ss) != 0);
		assert_null(ss.clones);
	}
	/* a clone count past the limit is refused before allocating */
	p_le32(buf + 6, 0x7fffffff);
	assert_true(rbd_snapset_decode(buf, len, &ss) != 0);
}

/* diff of one snap set as "off~len,..." */
static void delta_str(const struct clone_spec *c, int n, uint64_t seq,
		      uint64_t from, uint64_t end, bool whole, char *data,
		      char *zero)
{
	uint8_t buf[1024];
	struct rbd_snapset ss;
	struct rbd_ivset d, z;
	size_t len = enc_snapset(buf, c, n, seq);

	rbd_ivset_init(&d);
	rbd_ivset_init(&z);
	assert_int_equal(rbd_snapset_decode(buf, len, &ss), 0);
	assert_int_equal(
	    rbd_object_delta(&ss, from, end, 4194304, whole, &d, &z), 0);
	data[0] = zero[0] = '\0';
	for (uint32_t i = 0; i < d.n; i++)
		snprintf(data + strlen(data), 256 - strlen(data), "%s%llu~%llu",
			 i ? "," : "", (unsigned long long)d.v[i].off,
			 (unsigned long long)d.v[i].len);
	for (uint32_t i = 0; i < z.n; i++)
		snprintf(zero + strlen(zero), 256 - strlen(zero), "%s%llu~%llu",
			 i ? "," : "", (unsigned long long)z.v[i].off,
			 (unsigned long long)z.v[i].len);
	rbd_snapset_free(&ss);
	rbd_ivset_free(&d);
	rbd_ivset_free(&z);
}

static void test_object_delta_seen_live(void **state)
{
	char d[256], z[256];

	(void)state;
	/* E8 object 0: 4 KiB written, snapshot 4, object discarded */
	{
		static const struct clone_spec c[] = {
		    {4, 1, {4}, 0, {{0}}, 4096}};
		delta_str(c, 1, 4, 4, HEAD, false, d, z);
		assert_string_equal(d, "");
		assert_string_equal(z, "0~4096");
		delta_str(c, 1, 4, 0, HEAD, false, d, z);
		assert_string_equal(d, "");
		assert_string_equal(z, "");
		delta_str(c, 1, 4, 4, HEAD, true, d, z);
		assert_string_equal(z, "0~4194304");
	}
	/* E8 object 2: 12 KiB, snapshot 4, 4 KiB rewritten */
	{
		static const struct clone_spec c[] = {
		    {4, 1, {4}, 1, {{4096, 8192}}, 12288},
		    {HEAD, 0, {0}, 0, {{0}}, 12288}};
		delta_str(c, 2, 4, 0, HEAD, false, d, z);
		assert_string_equal(d, "0~12288");
		delta_str(c, 2, 4, 4, HEAD, false, d, z);
		assert_string_equal(d, "0~4096");
		assert_string_equal(z, "");
		delta_str(c, 2, 4, 0, 4, false, d, z); /* IMAGE@SNAP */
		assert_string_equal(d, "0~12288");
	}
	/* born after snapshot 5's predecessor, removed before 7: nothing
	 * from 7 (16.2.15 sets the end size only where the end exists) */
	{
		static const struct clone_spec c[] = {
		    {5, 1, {5}, 0, {{0}}, 4096}};
		delta_str(c, 1, 7, 7, HEAD, false, d, z);
		assert_string_equal(d, "");
		assert_string_equal(z, "");
	}
	/* a shrink's tail stays in the diff from creation (16.2.15) */
	{
		static const struct clone_spec c[] = {
		    {8, 1, {8}, 1, {{0, 1048576}}, 1052672},
		    {HEAD, 0, {0}, 0, {{0}}, 1048576}};
		delta_str(c, 2, 8, 0, HEAD, false, d, z);
		assert_string_equal(d, "0~1052672");
		delta_str(c, 2, 8, 8, HEAD, false, d, z);
		assert_string_equal(d, "");
		assert_string_equal(z, "1048576~4096");
	}
	/* a clone listing no snapshot: the whole object */
	{
		static const struct clone_spec c[] = {
		    {3, 0, {0}, 0, {{0}}, 10}, {HEAD, 0, {0}, 0, {{0}}, 10}};
		delta_str(c, 2, 3, 0, HEAD, false, d, z);
		assert_string_equal(d, "0~4194304");
	}
}

static void test_fast_diff_fold(void **state)
{
	enum { N = 0, E = 1, P = 2, C = 3 };
	/* from s1: E8's maps (s1: 0 E, 2 E; HEAD: 0 N, 2 E, 5 E) */
	const uint8_t s1[] = {E, N, E, N, N, N, N, N};
	const uint8_t head[] = {N, N, E, N, N, E, N, N};
	/* born in s2, gone at HEAD: stays a hole */
	const uint8_t a[] = {N, N}, b[] = {C, E}, c2[] = {N, E};
	uint8_t diff[8];
	uint64_t n = 0;

	(void)state;
	rbd_diff_fold(diff, &n, s1, 8, true, false);
	rbd_diff_fold(diff, &n, head, 8, false, true);
	assert_int_equal(n, 8);
	assert_int_equal(diff[0], RBD_DIFF_HOLE_UPDATED);
	assert_int_equal(diff[1], RBD_DIFF_HOLE);
	assert_int_equal(diff[2], RBD_DIFF_DATA_UPDATED);
	assert_int_equal(diff[5], RBD_DIFF_DATA_UPDATED);
	n = 0;
	rbd_diff_fold(diff, &n, a, 2, true, false);
	rbd_diff_fold(diff, &n, b, 2, false, false);
	rbd_diff_fold(diff, &n, c2, 2, false, true);
	assert_int_equal(diff[0], RBD_DIFF_HOLE);
	assert_int_equal(diff[1], RBD_DIFF_DATA_UPDATED);
	/* from creation: only the end map, clean or dirty is data */
	n = 0;
	rbd_diff_fold(diff, &n, b, 2, false, true);
	assert_int_equal(diff[0], RBD_DIFF_DATA_UPDATED);
	assert_int_equal(diff[1], RBD_DIFF_DATA_UPDATED);
	/* a clean object in both ends is unchanged; a shrink drops entries */
	{
		const uint8_t x[] = {C, C, E}, y[] = {C, P};

		n = 0;
		rbd_diff_fold(diff, &n, x, 3, true, false);
		rbd_diff_fold(diff, &n, y, 2, false, true);
		assert_int_equal(n, 2);
		assert_int_equal(diff[0], RBD_DIFF_DATA);
		assert_int_equal(diff[1], RBD_DIFF_DATA_UPDATED);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ivset_random),
	    cmocka_unit_test(test_snapset_decode_and_truncations),
	    cmocka_unit_test(test_object_delta_seen_live),
	    cmocka_unit_test(test_fast_diff_fold),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
