/* SPDX-License-Identifier: MIT */
/* Entity address encodings: legacy, new, addrvec; parse and format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/addr.h"

static void test_parse_format(void **state)
{
	struct cephc_entity_addr a;
	char buf[80];

	(void)state;
	assert_int_equal(cephc_addr_parse("v2:127.0.0.1:3300/7", &a, 0), 0);
	assert_int_equal(a.type, CEPHC_ADDR_MSGR2);
	assert_int_equal(a.nonce, 7);
	assert_int_equal(cephc_addr_port(&a), 3300);
	cephc_addr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "v2:127.0.0.1:3300/7");

	assert_int_equal(cephc_addr_parse("10.0.0.1", &a, 6789), 0);
	assert_int_equal(a.type, CEPHC_ADDR_ANY);
	assert_int_equal(cephc_addr_port(&a), 6789);

	assert_int_equal(cephc_addr_parse("v1:[::1]:6789", &a, 0), 0);
	cephc_addr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "v1:[::1]:6789/0");
	cephc_addr_format_plain(&a, buf, sizeof(buf));
	assert_string_equal(buf, "[::1]:6789/0");
	cephc_addr_format_hostport(&a, buf, sizeof(buf));
	assert_string_equal(buf, "[::1]:6789");
	assert_int_equal(cephc_addr_parse("127.0.0.1:0/3410335345", &a, 0), 0);
	cephc_addr_format_plain(&a, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1:0/3410335345");
	assert_int_equal(cephc_addr_parse("v2:127.0.0.1:3300", &a, 0), 0);
	cephc_addr_format_hostport(&a, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1:3300");

	assert_int_equal(cephc_addr_parse("1.2.3.4:99999", &a, 0),
			 CEPHC_EINVAL);
	assert_int_equal(cephc_addr_parse("", &a, 0), CEPHC_EINVAL);
	assert_int_equal(cephc_addr_parse("[::1", &a, 0), CEPHC_EINVAL);
	assert_int_equal(cephc_addr_parse("host.example:1", &a, 0),
			 CEPHC_EINVAL);
}

static void test_legacy_roundtrip(void **state)
{
	struct cephc_entity_addr a, b;
	uint8_t buf[CEPHC_ADDR_LEGACY_LEN];
	struct cephc_enc e;
	struct cephc_dec d;

	(void)state;
	cephc_addr_parse("v1:192.168.1.2:6789/4242", &a, 0);
	enc_init(&e, buf, sizeof(buf));
	cephc_addr_encode_legacy(&e, &a);
	assert_int_equal(e.err, 0);
	assert_int_equal(enc_len(&e), 136);
	/* family big-endian at offset 8, port network order after it */
	assert_int_equal(buf[8], 0x00);
	assert_int_equal(buf[9], 0x02);
	assert_int_equal(buf[10], 6789 >> 8);
	assert_int_equal(buf[11], 6789 & 0xff);
	assert_int_equal(buf[12], 192);
	dec_init(&d, buf, sizeof(buf));
	assert_int_equal(cephc_addr_decode(&d, &b), 0);
	assert_true(cephc_addr_equal(&a, &b));
	assert_int_equal(b.type, CEPHC_ADDR_LEGACY);
}

static void test_addrvec(void **state)
{
	struct cephc_entity_addr a2, a1, out[4];
	uint8_t buf[256];
	struct cephc_enc e;
	struct cephc_dec d;
	uint32_t n;

	(void)state;
	cephc_addr_parse("v2:127.0.0.1:6800/99", &a2, 0);
	cephc_addr_parse("v1:127.0.0.1:6801/99", &a1, 0);
	enc_init(&e, buf, sizeof(buf));
	enc_u8(&e, 2);
	enc_le32(&e, 2);
	cephc_addr_encode_new(&e, &a2);
	cephc_addr_encode_new(&e, &a1);
	assert_int_equal(e.err, 0);
	/* new form: marker, v1, compat1, len, type, nonce, slen=16 */
	assert_int_equal(buf[5], 1);
	assert_int_equal(get_le32(buf + 5 + 3 + 4 + 8), 16);
	dec_init(&d, buf, enc_len(&e));
	assert_int_equal(cephc_addrvec_decode(&d, out, 4, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(dec_left(&d), 0);
	const struct cephc_entity_addr *v1 =
	    cephc_addrvec_pick(out, n, CEPHC_ADDR_LEGACY);
	assert_non_null(v1);
	assert_int_equal(cephc_addr_port(v1), 6801);

	/* count larger than the limit / than the bytes left */
	put_le32(buf + 1, 1000);
	dec_init(&d, buf, enc_len(&e));
	assert_int_not_equal(cephc_addrvec_decode(&d, out, 4, &n), 0);
	put_le32(buf + 1, 3);
	dec_init(&d, buf, enc_len(&e));
	assert_int_not_equal(cephc_addrvec_decode(&d, out, 4, &n), 0);
	/* bad marker, bad family */
	buf[0] = 7;
	dec_init(&d, buf, enc_len(&e));
	assert_int_equal(cephc_addrvec_decode(&d, out, 4, &n), CEPHC_EDECODE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_format),
	    cmocka_unit_test(test_legacy_roundtrip),
	    cmocka_unit_test(test_addrvec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
