/* SPDX-License-Identifier: MIT */
/* cls "lock" inputs (golden bytes from protocol-map 8.8) and get_info. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/encode.h"
#include "osdc/cls_lock.h"

#define L16(x) (uint8_t)((x)&0xff), (uint8_t)(((x) >> 8) & 0xff)
#define L32(x) L16((x)&0xffff), L16(((x) >> 16) & 0xffff)
#define L64(x) L32((uint64_t)(x)&0xffffffffu), L32((uint64_t)(x) >> 32)

static void test_lock_golden(void **state)
{
	static const uint8_t want[] =
	    {
		1,      1,      L32(50), L32(8), 'r',    'b', 'd',
		'_',    'l',    'o',     'c',    'k',    1, /* exclusive */
		L32(8), 'a',    'u',     't',    'o',    ' ', '1',
		'2',    '3',    L32(8),  'i',    'n',    't', 'e',
		'r',    'n',    'a',     'l',    L32(0), /* description */
		L32(0), L32(0),                          /* duration: forever */
		0,                                       /* flags */
	    };
	struct cephc_cls_lock_args a = {
	    .name = "rbd_lock",
	    .type = CEPHC_CLS_LOCK_EXCLUSIVE,
	    .cookie = "auto 123",
	    .tag = "internal",
	};
	uint8_t buf[128];
	size_t len;

	(void)state;
	assert_int_equal(cephc_cls_lock_lock_len(&a), sizeof(want));
	assert_int_equal(cephc_cls_lock_encode_lock(&a, buf, sizeof(buf), &len),
			 0);
	assert_int_equal(len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(cephc_cls_lock_encode_lock(&a, buf, len - 1, &len),
			 CEPHC_EOVERFLOW);
	a.type = 7;
	assert_int_equal(cephc_cls_lock_encode_lock(&a, buf, sizeof(buf), &len),
			 CEPHC_EINVAL);
	a.type = CEPHC_CLS_LOCK_SHARED;
	a.name = "";
	assert_int_equal(cephc_cls_lock_encode_lock(&a, buf, sizeof(buf), &len),
			 CEPHC_EINVAL);
}

static void test_unlock_break_get_info_golden(void **state)
{
	static const uint8_t unlock[] = {1,   1,      L32(10), L32(1),
					 'n', L32(1), 'c'};
	static const uint8_t brk[] = {1, 1,         L32(19), L32(1), 'n',
				      8, L64(4100), L32(1),  'c'};
	static const uint8_t info[] = {1, 1, L32(5), L32(1), 'n'};
	static const uint8_t assert_locked[] = {
	    1, 1, L32(16), L32(1), 'n', 1, L32(1), 'c', L32(1), 't'};
	struct cephc_entity_name who = {CEPHC_ENTITY_CLIENT, 4100};
	struct cephc_cls_lock_args a = {.name = "n",
					.type = CEPHC_CLS_LOCK_EXCLUSIVE,
					.cookie = "c",
					.tag = "t"};
	uint8_t buf[64];
	size_t len;

	(void)state;
	assert_int_equal(
	    cephc_cls_lock_encode_unlock("n", "c", buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(unlock));
	assert_memory_equal(buf, unlock, len);
	assert_int_equal(
	    cephc_cls_lock_encode_break("n", &who, "c", buf, sizeof(buf), &len),
	    0);
	assert_int_equal(len, sizeof(brk));
	assert_int_equal(len, cephc_cls_lock_break_len("n", "c"));
	assert_memory_equal(buf, brk, len);
	assert_int_equal(
	    cephc_cls_lock_encode_get_info("n", buf, sizeof(buf), &len), 0);
	assert_memory_equal(buf, info, sizeof(info));
	assert_int_equal(
	    cephc_cls_lock_encode_assert(&a, buf, sizeof(buf), &len), 0);
	assert_int_equal(len, sizeof(assert_locked));
	assert_memory_equal(buf, assert_locked, len);
	assert_int_equal(
	    cephc_cls_lock_encode_get_info(NULL, buf, sizeof(buf), &len),
	    CEPHC_EINVAL);
	/* set_cookie: the assert fields, then the new cookie */
	{
		static const uint8_t set_cookie[] = {
		    1,	 1,	 L32(21), L32(1), 'n', 1,   L32(1),
		    'c', L32(1), 't',	  L32(1), 'd'};

		assert_int_equal(cephc_cls_lock_encode_set_cookie(
				     &a, "d", buf, sizeof(buf), &len),
				 0);
		assert_int_equal(len, sizeof(set_cookie));
		assert_memory_equal(buf, set_cookie, len);
		assert_int_equal(cephc_cls_lock_encode_set_cookie(
				     &a, "", buf, sizeof(buf), &len),
				 0);
		assert_int_equal(cephc_cls_lock_encode_set_cookie(
				     &a, NULL, buf, sizeof(buf), &len),
				 CEPHC_EINVAL);
	}
}

static void test_get_info_unlocked(void **state)
{
	/* What a live 16.2.15 OSD returns for an unlocked object. */
	static const uint8_t reply[] = {1, 1, L32(9), L32(0), 0, L32(0)};
	struct cephc_cls_lock_info info;

	(void)state;
	assert_int_equal(
	    cephc_cls_lock_decode_info(reply, sizeof(reply), &info), 0);
	assert_int_equal(info.num_lockers, 0);
	assert_int_equal(info.type, CEPHC_CLS_LOCK_NONE);
	assert_int_equal(info.tag_len, 0);
}

static size_t build_locked(uint8_t *buf, size_t cap, uint32_t count)
{
	struct cephc_entity_name who = {CEPHC_ENTITY_CLIENT, 4100};
	struct cephc_entity_addr a;
	struct cephc_enc e;
	size_t env, k, v;

	assert_int_equal(cephc_addr_parse("v1:10.1.2.3:0/4242", &a, 0), 0);
	enc_init(&e, buf, cap);
	env = enc_envelope_begin(&e, 1, 1);
	enc_le32(&e, count);
	k = enc_envelope_begin(&e, 1, 1);
	cephc_entity_name_encode(&e, &who);
	enc_string(&e, "auto 1");
	enc_envelope_end(&e, k);
	v = enc_envelope_begin(&e, 1, 1);
	enc_le32(&e, 0);
	enc_le32(&e, 0);
	cephc_addr_encode_new(&e, &a);
	enc_string(&e, "");
	enc_envelope_end(&e, v);
	enc_u8(&e, CEPHC_CLS_LOCK_EXCLUSIVE);
	enc_string(&e, "internal");
	enc_envelope_end(&e, env);
	assert_int_equal(e.err, 0);
	return enc_len(&e);
}

static void test_get_info_locked_and_bad(void **state)
{
	struct cephc_cls_lock_info info;
	uint8_t buf[256];
	size_t n, i;

	(void)state;
	n = build_locked(buf, sizeof(buf), 1);
	assert_int_equal(cephc_cls_lock_decode_info(buf, n, &info), 0);
	assert_int_equal(info.num_lockers, 1);
	assert_int_equal(info.lockers[0].name.num, 4100);
	assert_int_equal(info.lockers[0].cookie_len, 6);
	assert_memory_equal(info.lockers[0].cookie, "auto 1", 6);
	assert_int_equal(info.lockers[0].addr.nonce, 4242);
	assert_int_equal(info.type, CEPHC_CLS_LOCK_EXCLUSIVE);
	assert_memory_equal(info.tag, "internal", 8);
	for (i = 0; i < n; i++)
		assert_int_not_equal(cephc_cls_lock_decode_info(buf, i, &info),
				     0);
	/* huge count */
	n = build_locked(buf, sizeof(buf), 0xffffffff);
	assert_int_equal(cephc_cls_lock_decode_info(buf, n, &info),
			 CEPHC_ETOOBIG);
	/* count over what is present: the type/tag bytes are then read as
	 * a locker envelope; any clean error will do */
	n = build_locked(buf, sizeof(buf), 2);
	assert_true(cephc_cls_lock_decode_info(buf, n, &info) < 0);
	assert_int_equal(info.num_lockers, 0);
	/* envelope length 0xffffffff, and compat newer than understood */
	n = build_locked(buf, sizeof(buf), 1);
	put_le32(buf + 2, 0xffffffff);
	assert_int_equal(cephc_cls_lock_decode_info(buf, n, &info),
			 CEPHC_EDECODE);
	n = build_locked(buf, sizeof(buf), 1);
	buf[1] = 2;
	assert_int_equal(cephc_cls_lock_decode_info(buf, n, &info),
			 CEPHC_ECOMPAT);
	/* zero-length struct */
	n = build_locked(buf, sizeof(buf), 1);
	put_le32(buf + 2, 0);
	assert_int_equal(cephc_cls_lock_decode_info(buf, n, &info),
			 CEPHC_EDECODE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lock_golden),
	    cmocka_unit_test(test_unlock_break_get_info_golden),
	    cmocka_unit_test(test_get_info_unlocked),
	    cmocka_unit_test(test_get_info_locked_and_bad),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
