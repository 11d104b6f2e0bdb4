/* SPDX-License-Identifier: MIT */
/* msgr v1 wire images: sizes, round trips, crc coverage, bad banners. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/crc32c.h"
#include "core/encode.h"
#include "msgr/v1_codec.h"

static void test_connect_roundtrip_33_bytes(void **state)
{
	struct v1_connect c = {.features = CEPHC_FEATURES_DEFAULT,
			       .host_type = 8,
			       .global_seq = 7,
			       .connect_seq = 3,
			       .protocol_version = CEPHC_OSDC_PROTOCOL,
			       .authorizer_protocol = 2,
			       .authorizer_len = 174,
			       .flags = 1},
			  d;
	uint8_t buf[V1_CONNECT_LEN];

	(void)state;
	v1_encode_connect(buf, &c);
	/* features first, little-endian */
	assert_int_equal(buf[0], 0xfe);
	assert_int_equal(buf[7], 0x2f);
	assert_int_equal(get_le32(buf + 20), 24);
	assert_int_equal(buf[32], 1);
	v1_decode_connect(buf, &d);
	assert_true(d.features == c.features);
	assert_int_equal(d.host_type, 8);
	assert_int_equal(d.global_seq, 7);
	assert_int_equal(d.connect_seq, 3);
	assert_int_equal(d.protocol_version, 24);
	assert_int_equal(d.authorizer_protocol, 2);
	assert_int_equal(d.authorizer_len, 174);
	assert_int_equal(d.flags, 1);
}

static void test_connect_reply_roundtrip_26_bytes(void **state)
{
	struct v1_connect_reply r = {.tag = V1_TAG_SEQ,
				     .features = 0x3f01cfbdfffdffffull,
				     .global_seq = 9,
				     .connect_seq = 1,
				     .protocol_version = 15,
				     .authorizer_len = 36,
				     .flags = 1},
				d;
	uint8_t buf[V1_CONNECT_REPLY_LEN];

	(void)state;
	v1_encode_connect_reply(buf, &r);
	assert_int_equal(buf[0], 13);
	assert_int_equal(buf[25], 1);
	v1_decode_connect_reply(buf, &d);
	assert_int_equal(d.tag, r.tag);
	assert_true(d.features == r.features);
	assert_int_equal(d.authorizer_len, 36);
	assert_int_equal(d.connect_seq, 1);
}

static void test_header_crc_covers_first_49_bytes(void **state)
{
	struct v1_header h = {.seq = 1,
			      .tid = 0x1122334455667788ull,
			      .type = 17,
			      .priority = 127,
			      .version = 1,
			      .front_len = 60,
			      .data_len = 4096,
			      .src = {.type = 8, .num = 4242},
			      .compat_version = 1},
			 d;
	uint8_t buf[V1_HEADER_LEN];

	(void)state;
	v1_encode_header(buf, &h);
	assert_int_equal(get_le32(buf + 49), cephc_crc32c(0, buf, 49));
	assert_int_equal(buf[36], 8);
	assert_int_equal(get_le64(buf + 37), 4242);
	assert_int_equal(v1_decode_header(buf, &d), 0);
	assert_true(d.tid == h.tid);
	assert_int_equal(d.front_len, 60);
	assert_int_equal(d.data_len, 4096);
	assert_int_equal(d.compat_version, 1);
	/* any bit flipped in the covered span breaks the crc */
	for (int i = 0; i < 49; i += 7) {
		buf[i] ^= 0x40;
		assert_int_equal(v1_decode_header(buf, &d), CEPHC_ECRC);
		buf[i] ^= 0x40;
	}
	buf[50] ^= 1; /* the crc itself */
	assert_int_equal(v1_decode_header(buf, &d), CEPHC_ECRC);
}

static void test_footer_size_follows_features_not_flags(void **state)
{
	struct v1_footer f = {.front_crc = 1,
			      .middle_crc = 2,
			      .data_crc = 3,
			      .sig = 0xabcdef,
			      .flags = V1_FOOTER_COMPLETE | V1_FOOTER_SIGNED},
			 d;
	uint8_t buf[V1_FOOTER_LEN];

	(void)state;
	assert_int_equal(v1_footer_len(CEPHC_FEATURES_DEFAULT), 21);
	assert_int_equal(
	    v1_footer_len(CEPHC_FEATURES_DEFAULT & ~CEPHC_FEAT_MSG_AUTH), 13);
	v1_encode_footer(buf, 21, &f);
	v1_decode_footer(buf, 21, &d);
	assert_true(d.sig == 0xabcdef);
	assert_int_equal(d.flags, 5);
	/* 13-byte form: flags at byte 12, no sig even though SIGNED is set */
	v1_encode_footer(buf, 13, &f);
	assert_int_equal(buf[12], 5);
	v1_decode_footer(buf, 13, &d);
	assert_true(d.sig == 0);
	assert_int_equal(d.data_crc, 3);
}

static void test_hello_roundtrip_and_bad_banner(void **state)
{
	struct cephc_entity_addr me, srv, a, b;
	uint8_t ch[V1_CLIENT_HELLO_LEN], sh[V1_SERVER_HELLO_LEN];

	(void)state;
	assert_int_equal(cephc_addr_parse("v1:10.1.2.3:6789/0", &srv, 0), 0);
	assert_int_equal(cephc_addr_parse("v1:10.9.9.9:41000/77", &me, 0), 0);
	v1_encode_client_hello(ch, &me);
	assert_memory_equal(ch, "ceph v027", 9);
	assert_int_equal(v1_decode_client_hello(ch, &a), 0);
	assert_true(cephc_addr_equal(&a, &me));
	v1_encode_server_hello(sh, &srv, &me);
	assert_int_equal(v1_decode_server_hello(sh, &a, &b), 0);
	assert_true(cephc_addr_equal(&a, &srv));
	assert_true(cephc_addr_equal(&b, &me));
	sh[8] = '8'; /* "ceph v028" */
	assert_int_equal(v1_decode_server_hello(sh, &a, &b), CEPHC_EBANNER);
	ch[0] = 'C';
	assert_int_equal(v1_decode_client_hello(ch, &a), CEPHC_EBANNER);
	/* a bad address family inside a good banner */
	v1_encode_server_hello(sh, &srv, &me);
	sh[V1_BANNER_LEN + 8] = 0x7f;
	assert_int_equal(v1_decode_server_hello(sh, &a, &b), CEPHC_EDECODE);
}

static void test_feature_masks_use_incarnations(void **state)
{
	(void)state;
	/* bit 21 alone is not SERVER_LUMINOUS: bit 57 is part of it */
	assert_false(cephc_has_feature(1ull << 21, CEPHC_FEAT_SERVER_LUMINOUS));
	assert_true(cephc_has_feature(CEPHC_FEATURES_DEFAULT,
				      CEPHC_FEAT_SERVER_LUMINOUS));
	assert_true(
	    cephc_has_feature(CEPHC_FEATURES_DEFAULT, CEPHC_FEAT_RECONNECT_SEQ |
							  CEPHC_FEAT_MSG_AUTH |
							  CEPHC_FEAT_CEPHX_V2));
	/* what a Pacific cluster requires of clients (protocol-map 2) */
	assert_true((0x0401020042040000ull & ~CEPHC_FEATURES_DEFAULT) == 0);
	assert_string_equal(v1_tag_name(V1_TAG_SEQ), "SEQ");
	assert_string_equal(v1_tag_name(200), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_connect_roundtrip_33_bytes),
	    cmocka_unit_test(test_connect_reply_roundtrip_26_bytes),
	    cmocka_unit_test(test_header_crc_covers_first_49_bytes),
	    cmocka_unit_test(test_footer_size_follows_features_not_flags),
	    cmocka_unit_test(test_hello_roundtrip_and_bad_banner),
	    cmocka_unit_test(test_feature_masks_use_incarnations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
