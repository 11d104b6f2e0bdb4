/* SPDX-License-Identifier: MIT */
/*
 * Object map, pure part: the BitVector<2> encoder against the live
 * hexdumps of rbd-features.md 3.3 (a new 64 MiB image: 16 entries, all
 * NONEXISTENT, header crc bytes e6b3c16e; after rbd bench: data 55555555,
 * data crc bytes 47bed391), round trips through the decoder, and the rules
 * librbd and cls_rbd apply to updates (update_required, filters, ERANGE)
 * and object-map check applies to mismatches.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "rbd/cls_rbd.h"

enum {
	N = CEPHC_RBD_OBJECT_NONEXISTENT,
	E = CEPHC_RBD_OBJECT_EXISTS,
	P = CEPHC_RBD_OBJECT_PENDING,
	C = CEPHC_RBD_OBJECT_EXISTS_CLEAN,
};

static const uint8_t empty16[] = {
    0x0e, 0x00, 0x00, 0x00, 0x01, 0x01, 0x08, 0x00, 0x00,
    0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* header */
    0x00, 0x00, 0x00, 0x00,                               /* data */
    0x0c, 0x00, 0x00, 0x00, 0xe6, 0xb3, 0xc1, 0x6e,       /* footer, hdr crc */
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_encode_empty_map_live_bytes(void **state)
{
	struct cephc_rbd_object_map m;
	uint8_t buf[64];
	struct cephc_enc e;

	(void)state;
	assert_int_equal(cephc_rbd_object_map_alloc(&m, 16), 0);
	assert_int_equal(cephc_rbd_object_map_encoded_len(16), 38);
	enc_init(&e, buf, sizeof(buf));
	assert_int_equal(cephc_rbd_enc_object_map(&e, &m), 0);
	assert_int_equal(enc_len(&e), sizeof(empty16));
	assert_memory_equal(buf, empty16, sizeof(empty16));
	/* the dump shows the stored bytes in order */
	cephc_rbd_object_map_clear(&m);
}

static void test_encode_all_exists_live_bytes(void **state)
{
	struct cephc_rbd_object_map m, d;
	uint8_t buf[64];
	struct cephc_enc e;
	static const uint8_t data[] = {0x55, 0x55, 0x55, 0x55};
	static const uint8_t crc[] = {0x47, 0xbe, 0xd3, 0x91};

	(void)state;
	assert_int_equal(cephc_rbd_object_map_alloc(&m, 16), 0);
	assert_int_equal(cephc_rbd_object_map_apply(&m, 0, 16, E, -1), 16);
	enc_init(&e, buf, sizeof(buf));
	assert_int_equal(cephc_rbd_enc_object_map(&e, &m), 0);
	assert_int_equal(enc_len(&e), 38);
	assert_memory_equal(buf + 18, data, 4);
	assert_memory_equal(buf + 26, empty16 + 26, 4); /* header crc */
	assert_memory_equal(buf + 34, crc, 4);
	/* the decoder checks both crcs and gives the states back */
	assert_int_equal(cephc_rbd_dec_object_map_load(buf, 38, &d), 0);
	assert_true(d.had_crcs);
	assert_int_equal(d.count, 16);
	for (uint64_t i = 0; i < 16; i++)
		assert_int_equal(cephc_rbd_object_map_get(&d, i), E);
	cephc_rbd_object_map_clear(&d);
	/* one flipped data bit: CRC mismatch */
	buf[20] ^= 1;
	assert_int_equal(cephc_rbd_dec_object_map_load(buf, 38, &d),
			 CEPHC_ECRC);
	cephc_rbd_object_map_clear(&m);
}

static void test_encode_eight_objects_two_exist(void **state)
{
	struct cephc_rbd_object_map m;
	uint8_t buf[64];
	struct cephc_enc e;

	(void)state;
	/* 8 objects, objects 0 and 2 EXISTS: data 4400, 36 bytes */
	assert_int_equal(cephc_rbd_object_map_alloc(&m, 8), 0);
	cephc_rbd_object_map_set(&m, 0, E);
	cephc_rbd_object_map_set(&m, 2, E);
	enc_init(&e, buf, sizeof(buf));
	assert_int_equal(cephc_rbd_enc_object_map(&e, &m), 0);
	assert_int_equal(enc_len(&e), 36);
	assert_int_equal(buf[18], 0x44);
	assert_int_equal(buf[19], 0x00);
	cephc_rbd_object_map_clear(&m);
}

static void test_encode_multi_block_round_trip(void **state)
{
	struct cephc_rbd_object_map m, d;
	uint64_t count = 3 * 4096 * 4 + 5; /* 4 data crc blocks */
	size_t len = cephc_rbd_object_map_encoded_len(count);
	uint8_t *buf = cephc_malloc(len);
	struct cephc_enc e;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(cephc_rbd_object_map_alloc(&m, count), 0);
	for (uint64_t i = 0; i < count; i += 7)
		cephc_rbd_object_map_set(&m, i, (uint8_t)(i % 4));
	enc_init(&e, buf, len);
	assert_int_equal(cephc_rbd_enc_object_map(&e, &m), 0);
	assert_int_equal(enc_len(&e), len);
	assert_int_equal(cephc_rbd_dec_object_map_load(buf, len, &d), 0);
	assert_int_equal(d.count, count);
	assert_memory_equal(d.data, m.data, m.data_len);
	cephc_rbd_object_map_clear(&d);
	/* too small a buffer */
	enc_init(&e, buf, len - 1);
	assert_int_equal(cephc_rbd_enc_object_map(&e, &m), CEPHC_EOVERFLOW);
	cephc_rbd_object_map_clear(&m);
	cephc_free(buf);
}

static void test_update_required(void **state)
{
	(void)state;
	/* same state: nothing */
	for (uint8_t s = 0; s < 4; s++)
		assert_false(cephc_rbd_object_map_update_required(s, s));
	/* PENDING over NONEXISTENT: nothing to remove */
	assert_false(cephc_rbd_object_map_update_required(N, P));
	assert_true(cephc_rbd_object_map_update_required(E, P));
	assert_true(cephc_rbd_object_map_update_required(C, P));
	/* NONEXISTENT only after PENDING */
	assert_true(cephc_rbd_object_map_update_required(P, N));
	assert_false(cephc_rbd_object_map_update_required(E, N));
	assert_false(cephc_rbd_object_map_update_required(C, N));
	/* writes: EXISTS_CLEAN -> EXISTS is a real change */
	assert_true(cephc_rbd_object_map_update_required(C, E));
	assert_true(cephc_rbd_object_map_update_required(N, E));
	assert_true(cephc_rbd_object_map_update_required(P, E));
}

static void test_filter_and_apply(void **state)
{
	struct cephc_rbd_object_map m;

	(void)state;
	assert_true(cephc_rbd_object_map_filter_match(C, -1));
	assert_true(cephc_rbd_object_map_filter_match(E, E));
	/* the EXISTS filter also takes EXISTS_CLEAN, not the reverse */
	assert_true(cephc_rbd_object_map_filter_match(C, E));
	assert_false(cephc_rbd_object_map_filter_match(E, C));
	assert_false(cephc_rbd_object_map_filter_match(N, P));

	assert_int_equal(cephc_rbd_object_map_alloc(&m, 8), 0);
	cephc_rbd_object_map_set(&m, 1, E);
	cephc_rbd_object_map_set(&m, 2, C);
	cephc_rbd_object_map_set(&m, 3, P);
	/* trim's pre-update: PENDING where EXISTS (and EXISTS_CLEAN) */
	assert_int_equal(cephc_rbd_object_map_apply(&m, 0, 8, P, E), 2);
	assert_int_equal(cephc_rbd_object_map_get(&m, 0), N);
	assert_int_equal(cephc_rbd_object_map_get(&m, 1), P);
	assert_int_equal(cephc_rbd_object_map_get(&m, 2), P);
	/* post-update: NONEXISTENT where PENDING */
	assert_int_equal(cephc_rbd_object_map_apply(&m, 0, 8, N, P), 3);
	for (uint64_t i = 0; i < 8; i++)
		assert_int_equal(cephc_rbd_object_map_get(&m, i), N);
	/* cls answers ERANGE for an empty range or past the end */
	assert_int_equal(cephc_rbd_object_map_apply(&m, 3, 3, E, -1),
			 CEPHC_ERANGE);
	assert_int_equal(cephc_rbd_object_map_apply(&m, 7, 9, E, -1),
			 CEPHC_ERANGE);
	/* past the end reads NONEXISTENT */
	assert_int_equal(cephc_rbd_object_map_get(&m, 100), N);
	/* resize keeps entries, new ones take the default */
	cephc_rbd_object_map_set(&m, 5, E);
	assert_int_equal(cephc_rbd_object_map_resize(&m, 11, N), 0);
	assert_int_equal(m.count, 11);
	assert_int_equal(m.data_len, 3);
	assert_int_equal(cephc_rbd_object_map_get(&m, 5), E);
	assert_int_equal(cephc_rbd_object_map_get(&m, 10), N);
	assert_int_equal(cephc_rbd_object_map_resize(&m, 5, N), 0);
	assert_int_equal(m.count, 5);
	assert_int_equal(cephc_rbd_object_map_get(&m, 5), N);
	cephc_rbd_object_map_clear(&m);
}

static void test_check_mismatch_verdicts(void **state)
{
	(void)state;
	/* map says it may exist, object absent: only inconsistent */
	assert_false(cephc_rbd_object_map_mismatch_invalidates(E, N));
	assert_false(cephc_rbd_object_map_mismatch_invalidates(C, N));
	assert_false(cephc_rbd_object_map_mismatch_invalidates(E, P));
	/* an object the map does not know of: error */
	assert_true(cephc_rbd_object_map_mismatch_invalidates(N, E));
	assert_true(cephc_rbd_object_map_mismatch_invalidates(P, E));
	/* fast-diff's clean/dirty distinction counts */
	assert_true(cephc_rbd_object_map_mismatch_invalidates(E, C));
	assert_true(cephc_rbd_object_map_mismatch_invalidates(C, E));
	assert_false(cephc_rbd_object_map_mismatch_invalidates(E, E));
}

/* obj_list_snap_response_t builder: envelope(2,1) { clones, seq }. */
struct snapset {
	uint8_t b[512];
	struct cephc_enc e;
	size_t env;
};

static void ss_begin(struct snapset *s, uint32_t nclones)
{
	enc_init(&s->e, s->b, sizeof(s->b));
	s->env = enc_envelope_begin(&s->e, 2, 1);
	enc_le32(&s->e, nclones);
}

static void ss_clone(struct snapset *s, uint64_t cloneid, const uint64_t *snaps,
		     uint32_t n)
{
	size_t env = enc_envelope_begin(&s->e, 1, 1);

	enc_le64(&s->e, cloneid);
	enc_le32(&s->e, n);
	for (uint32_t i = 0; i < n; i++)
		enc_le64(&s->e, snaps[i]);
	enc_le32(&s->e, 0); /* overlap */
	enc_le64(&s->e, 4096);
	enc_envelope_end(&s->e, env);
}

static size_t ss_end(struct snapset *s, uint64_t seq)
{
	enc_le64(&s->e, seq);
	enc_envelope_end(&s->e, s->env);
	assert_int_equal(s->e.err, 0);
	return enc_len(&s->e);
}

static uint8_t state_of(const struct snapset *s, size_t len, uint64_t snap,
			const uint64_t *img_snaps, uint32_t n, bool fd)
{
	uint8_t st = 0xff;

	assert_int_equal(cephc_rbd_object_state_from_snaps(
			     s->b, len, snap, img_snaps, n, fd, &st),
			 0);
	return st;
}

static void test_state_from_snaps(void **state)
{
	const uint64_t H = CEPHC_RBD_NOSNAP;
	static const uint64_t img1[] = {4}, img2[] = {4, 7};
	static const uint64_t s4[] = {4};
	struct snapset s;
	size_t len;

	(void)state;
	/* head only, written with no snapshot (seq 0), no image snaps */
	ss_begin(&s, 1);
	ss_clone(&s, H, NULL, 0);
	len = ss_end(&s, 0);
	assert_int_equal(state_of(&s, len, H, NULL, 0, true), E);
	/* the image has snapshot 4 since: head unchanged -> clean with
	 * fast-diff, plain EXISTS without; at snapshot 4 itself: EXISTS */
	assert_int_equal(state_of(&s, len, H, img1, 1, true), C);
	assert_int_equal(state_of(&s, len, H, img1, 1, false), E);
	assert_int_equal(state_of(&s, len, 4, img1, 1, true), E);
	/* rewritten after snapshot 4 (seq 4): clone 4 holds the old data,
	 * head is dirty; snapshot 7 taken after: head clean again */
	ss_begin(&s, 2);
	ss_clone(&s, 4, s4, 1);
	ss_clone(&s, H, NULL, 0);
	len = ss_end(&s, 4);
	assert_int_equal(state_of(&s, len, H, img1, 1, true), E);
	assert_int_equal(state_of(&s, len, 4, img1, 1, true), E);
	assert_int_equal(state_of(&s, len, H, img2, 2, true), C);
	assert_int_equal(state_of(&s, len, 7, img2, 2, true), E);
	/* head deleted, only the clone is left */
	ss_begin(&s, 1);
	ss_clone(&s, 4, s4, 1);
	len = ss_end(&s, 4);
	assert_int_equal(state_of(&s, len, H, img1, 1, true), N);
	assert_int_equal(state_of(&s, len, 4, img1, 1, true), E);
	/* an object created after snapshot 4: absent at 4 */
	ss_begin(&s, 1);
	ss_clone(&s, H, NULL, 0);
	len = ss_end(&s, 4);
	assert_int_equal(state_of(&s, len, 4, img1, 1, true), N);
	assert_int_equal(state_of(&s, len, H, img1, 1, true), E);
	/* malformed: truncated, and a compat version from the future */
	uint8_t st;
	assert_int_not_equal(cephc_rbd_object_state_from_snaps(
				 s.b, len - 3, H, img1, 1, true, &st),
			     0);
	s.b[1] = 9;
	assert_int_not_equal(
	    cephc_rbd_object_state_from_snaps(s.b, len, H, img1, 1, true, &st),
	    0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode_empty_map_live_bytes),
	    cmocka_unit_test(test_encode_all_exists_live_bytes),
	    cmocka_unit_test(test_encode_eight_objects_two_exist),
	    cmocka_unit_test(test_encode_multi_block_round_trip),
	    cmocka_unit_test(test_update_required),
	    cmocka_unit_test(test_filter_and_apply),
	    cmocka_unit_test(test_check_mismatch_verdicts),
	    cmocka_unit_test(test_state_from_snaps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
