/* SPDX-License-Identifier: MIT */
/* Decode cursor, versioned envelope and encoder: round trips and the
 * length/envelope/count cases of shared/reference/bad-inputs.md 1-3. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "core/decode.h"
#include "core/encode.h"

static void test_roundtrip_scalars(void **state)
{
	uint8_t buf[64];
	struct cephc_enc e;
	struct cephc_dec d;

	(void)state;
	enc_init(&e, buf, sizeof(buf));
	enc_u8(&e, 0xab);
	enc_le16(&e, 0x1234);
	enc_le32(&e, 0xdeadbeef);
	enc_le64(&e, 0x0102030405060708ull);
	enc_string(&e, "admin");
	assert_int_equal(e.err, 0);
	assert_int_equal(enc_len(&e), 1 + 2 + 4 + 8 + 4 + 5);
	/* little-endian on the wire */
	assert_int_equal(buf[1], 0x34);
	assert_int_equal(buf[3], 0xef);

	dec_init(&d, buf, enc_len(&e));
	assert_int_equal(dec_u8(&d), 0xab);
	assert_int_equal(dec_le16(&d), 0x1234);
	assert_int_equal(dec_le32(&d), 0xdeadbeef);
	assert_true(dec_le64(&d) == 0x0102030405060708ull);
	uint32_t len;
	const uint8_t *s = dec_blob(&d, &len, 16);
	assert_non_null(s);
	assert_int_equal(len, 5);
	assert_memory_equal(s, "admin", 5);
	assert_int_equal(dec_left(&d), 0);
	assert_int_equal(d.err, 0);
}

static void test_truncation_is_sticky(void **state)
{
	uint8_t buf[3] = {1, 2, 3};
	struct cephc_dec d;

	(void)state;
	dec_init(&d, buf, sizeof(buf));
	assert_int_equal(dec_le32(&d), 0);
	assert_int_equal(d.err, CEPHC_EDECODE);
	/* later reads stay failed and return zero, even ones that would fit */
	assert_int_equal(dec_u8(&d), 0);
	assert_int_equal(dec_left(&d), 0);
	assert_int_equal(d.err, CEPHC_EDECODE);
}

static void test_encoder_overflow(void **state)
{
	uint8_t buf[5];
	struct cephc_enc e;

	(void)state;
	enc_init(&e, buf, sizeof(buf));
	enc_le32(&e, 1);
	enc_le32(&e, 2);
	assert_int_equal(e.err, CEPHC_EOVERFLOW);
	enc_u8(&e, 3); /* dropped */
	assert_int_equal(enc_len(&e), 4);
}

/* bad-inputs 1: every length field value at the edges. */
static void test_blob_lengths(void **state)
{
	static const uint32_t lens[] = {
	    0, 1, 0x7ffffffe, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff};
	uint8_t buf[4 + 8];

	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct cephc_dec d;
		uint32_t len = 1234;

		memset(buf, 'x', sizeof(buf));
		put_le32(buf, lens[i]);
		dec_init(&d, buf, sizeof(buf));
		const uint8_t *p = dec_blob(&d, &len, 1u << 20);
		if (lens[i] <= 8) {
			assert_non_null(p);
			assert_int_equal(len, lens[i]);
			assert_int_equal(d.err, 0);
		} else {
			assert_null(p);
			assert_int_equal(len, 0);
			assert_int_equal(d.err, CEPHC_ETOOBIG);
		}
		/* with a max larger than the length, running past the end is
		 * EDECODE, never a read out of bounds */
		dec_init(&d, buf, sizeof(buf));
		p = dec_blob(&d, &len, UINT32_MAX);
		if (lens[i] > 8) {
			assert_null(p);
			assert_int_equal(d.err, CEPHC_EDECODE);
		}
	}
}

static void test_u64_lengths(void **state)
{
	static const uint64_t vals[] = {1ull << 63, UINT64_MAX};
	uint8_t buf[8];

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct cephc_dec d;

		put_le64(buf, vals[i]);
		dec_init(&d, buf, 8);
		uint64_t v = dec_le64(&d);
		assert_true(v == vals[i]);
		/* a 64-bit length can never be satisfied by a short buffer */
		dec_init(&d, buf, 8);
		dec_skip(&d, 8);
		assert_false(dec_need(&d, (size_t)(v & SIZE_MAX)));
		assert_int_equal(d.err, CEPHC_EDECODE);
	}
}

/* bad-inputs 3: counts whose count x size overflows, counts > bytes left. */
static void test_counts(void **state)
{
	uint8_t buf[4 + 16];
	struct cephc_dec d;

	(void)state;
	memset(buf, 0, sizeof(buf));
	put_le32(buf, 4);
	dec_init(&d, buf, sizeof(buf));
	assert_int_equal(dec_count(&d, 100, 4), 4);
	assert_int_equal(d.err, 0);

	put_le32(buf, 5); /* 5 x 4 bytes > 16 left */
	dec_init(&d, buf, sizeof(buf));
	assert_int_equal(dec_count(&d, 100, 4), 0);
	assert_int_equal(d.err, CEPHC_EDECODE);

	put_le32(buf, 0xffffffff); /* x 2^33 would overflow 32 and 64 bits */
	dec_init(&d, buf, sizeof(buf));
	assert_int_equal(dec_count(&d, UINT32_MAX, (size_t)1 << 33), 0);
	assert_int_equal(d.err, CEPHC_EDECODE);

	put_le32(buf, 101);
	dec_init(&d, buf, sizeof(buf));
	assert_int_equal(dec_count(&d, 100, 0), 0);
	assert_int_equal(d.err, CEPHC_ETOOBIG);
}

static size_t make_env(uint8_t *buf, uint8_t v, uint8_t compat, uint32_t len,
		       const void *body, size_t body_len)
{
	buf[0] = v;
	buf[1] = compat;
	put_le32(buf + 2, len);
	memcpy(buf + 6, body, body_len);
	return 6 + body_len;
}

/* bad-inputs 2: envelopes. */
static void test_envelope(void **state)
{
	uint8_t buf[64];
	uint8_t body[8] = {1, 0, 0, 0, 2, 0, 0, 0};
	struct cephc_dec d, b;
	uint8_t v;
	size_t n;

	(void)state;
	/* newer version, unknown tail skipped by length */
	n = make_env(buf, 9, 1, 8, body, 8);
	buf[n++] = 0x77; /* the field after the struct */
	dec_init(&d, buf, n);
	assert_int_equal(dec_envelope(&d, 3, &v, &b), 0);
	assert_int_equal(v, 9);
	assert_int_equal(dec_le32(&b), 1); /* read only what we know */
	assert_int_equal(dec_envelope_end(&d, &b), 0);
	assert_int_equal(dec_u8(&d), 0x77);

	/* compat newer than understood */
	n = make_env(buf, 9, 4, 8, body, 8);
	dec_init(&d, buf, n);
	assert_int_equal(dec_envelope(&d, 3, &v, &b), CEPHC_ECOMPAT);
	assert_int_equal(b.err, CEPHC_ECOMPAT);

	/* length 0: body empty, reads in it fail, parent fine until folded */
	n = make_env(buf, 1, 1, 0, body, 0);
	dec_init(&d, buf, n);
	assert_int_equal(dec_envelope(&d, 1, &v, &b), 0);
	assert_int_equal(dec_le32(&b), 0);
	assert_int_equal(b.err, CEPHC_EDECODE);
	assert_int_equal(dec_envelope_end(&d, &b), CEPHC_EDECODE);

	/* length shorter than the fields needed */
	n = make_env(buf, 1, 1, 3, body, 8);
	dec_init(&d, buf, n);
	assert_int_equal(dec_envelope(&d, 1, &v, &b), 0);
	(void)dec_le32(&b);
	assert_int_equal(b.err, CEPHC_EDECODE);

	/* length beyond the bytes left, and 0xffffffff */
	static const uint32_t bad[] = {9, 0x7fffffff, 0x80000000, 0xffffffff};
	for (size_t i = 0; i < 4; i++) {
		n = make_env(buf, 1, 1, bad[i], body, 8);
		dec_init(&d, buf, n);
		assert_int_equal(dec_envelope(&d, 1, &v, &b), CEPHC_EDECODE);
		assert_int_equal(dec_left(&b), 0);
	}

	/* header itself truncated */
	dec_init(&d, buf, 5);
	assert_int_equal(dec_envelope(&d, 1, &v, &b), CEPHC_EDECODE);
}

static void test_envelope_encode(void **state)
{
	uint8_t buf[32];
	struct cephc_enc e;
	struct cephc_dec d, b;
	uint8_t v;

	(void)state;
	enc_init(&e, buf, sizeof(buf));
	size_t mark = enc_envelope_begin(&e, 3, 1);
	enc_le32(&e, 42);
	enc_string(&e, "x");
	enc_envelope_end(&e, mark);
	assert_int_equal(e.err, 0);
	assert_int_equal(get_le32(buf + 2), 4 + 4 + 1);
	dec_init(&d, buf, enc_len(&e));
	assert_int_equal(dec_envelope(&d, 3, &v, &b), 0);
	assert_int_equal(dec_le32(&b), 42);
	char *s = dec_string_dup(&b, 10);
	assert_string_equal(s, "x");
	cephc_free(s);
	assert_int_equal(dec_left(&d), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip_scalars),
	    cmocka_unit_test(test_truncation_is_sticky),
	    cmocka_unit_test(test_encoder_overflow),
	    cmocka_unit_test(test_blob_lengths),
	    cmocka_unit_test(test_u64_lengths),
	    cmocka_unit_test(test_counts),
	    cmocka_unit_test(test_envelope),
	    cmocka_unit_test(test_envelope_encode),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
