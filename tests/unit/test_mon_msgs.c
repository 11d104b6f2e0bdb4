/* SPDX-License-Identifier: MIT */
/* Monitor message codecs: a real monmap written by Ceph's monmaptool,
 * encoder sizes and layouts, MOSDMap parsing, and truncation at every
 * length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "mon/mon_msgs.h"

static uint8_t *read_golden(const char *rel, size_t *len)
{
	const char *src = getenv("CEPHC_SOURCE_DIR");
	char path[4096];
	FILE *f;
	uint8_t *buf;

	snprintf(path, sizeof(path), "%s/%s", src ? src : ".", rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(*len);
	assert_int_equal(fread(buf, 1, *len, f), *len);
	fclose(f);
	return buf;
}

/* Written by: monmaptool --create --fsid 11111111-2222-3333-4444-5555...
 *   --addv a [v2:127.0.0.1:3300,v1:127.0.0.1:6789]
 *   --addv b [v2:127.0.0.2:3300,v1:127.0.0.2:6789] --add c 127.0.0.3:6789 */
static void test_monmap_from_monmaptool(void **state)
{
	size_t len;
	uint8_t *buf = read_golden("tests/golden/mon/monmap_3mons.bin", &len);
	struct cephc_monmap *m = malloc(sizeof(*m));
	struct cephc_dec d;
	char s[80];

	(void)state;
	dec_init(&d, buf, len);
	assert_int_equal(cephc_monmap_decode(&d, m), 0);
	cephc_fsid_format(m->fsid, s);
	assert_string_equal(s, "11111111-2222-3333-4444-555555555555");
	assert_int_equal(m->epoch, 0);
	assert_int_equal(m->num_mons, 3);
	assert_string_equal(m->mons[0].name, "a");
	assert_int_equal(m->mons[0].num_addrs, 2);
	cephc_addr_format(&m->mons[0].addrs[0], s, sizeof(s));
	assert_string_equal(s, "v2:127.0.0.1:3300/0");
	cephc_addr_format(&m->mons[1].addrs[1], s, sizeof(s));
	assert_string_equal(s, "v1:127.0.0.2:6789/0");
	assert_string_equal(m->mons[2].name, "c");
	assert_int_equal(m->mons[2].num_addrs, 1);
	cephc_addr_format(&m->mons[2].addrs[0], s, sizeof(s));
	assert_string_equal(s, "v1:127.0.0.3:6789/0");

	/* the same map wrapped as an MMonMap front */
	uint8_t *front = malloc(len + 4);
	put_le32(front, (uint32_t)len);
	memcpy(front + 4, buf, len);
	dec_init(&d, front, len + 4);
	assert_int_equal(cephc_monmap_msg_decode(&d, m), 0);
	assert_int_equal(m->num_mons, 3);

	/* every truncation fails cleanly (ASan checks the bounds) */
	for (size_t cut = 0; cut < len; cut++) {
		dec_init(&d, buf, cut);
		assert_int_not_equal(cephc_monmap_decode(&d, m), 0);
	}
	/* every single-byte corruption is either decoded or refused, never
	 * a crash or an out-of-bounds read */
	for (size_t i = 0; i < len; i++) {
		uint8_t saved = buf[i];
		buf[i] ^= 0xff;
		dec_init(&d, buf, len);
		(void)cephc_monmap_decode(&d, m);
		assert_true(m->num_mons <= CEPHC_MON_MAX);
		buf[i] = saved;
	}
	free(front);
	free(m);
	free(buf);
}

/* A message with an empty front has no buffer: decoding it must fail
 * cleanly (UBSan once caught NULL + 0 in dec_init from a hostile
 * monitor's empty MAuthReply). */
static void test_mauth_reply_empty_front(void **state)
{
	struct cephc_mauth_reply r;
	struct cephc_dec d;

	(void)state;
	dec_init(&d, NULL, 0);
	assert_int_equal(dec_left(&d), 0);
	assert_int_not_equal(cephc_mauth_reply_decode(&d, &r), 0);
}

static void test_mauth_layout(void **state)
{
	uint8_t payload[3] = {1, 2, 3};
	uint8_t buf[64];
	struct cephc_enc e;

	(void)state;
	enc_init(&e, buf, sizeof(buf));
	cephc_mauth_encode(&e, 2, payload, 3);
	assert_int_equal(e.err, 0);
	assert_int_equal(enc_len(&e), cephc_mauth_size(3));
	assert_int_equal(enc_len(&e), 18 + 4 + 4 + 3);
	assert_int_equal(get_le16(buf + 8), 0xffff); /* session_mon */
	assert_int_equal(get_le32(buf + 18), 2);     /* protocol */
	assert_int_equal(get_le32(buf + 22), 3);     /* payload length */
	assert_memory_equal(buf + 26, payload, 3);
}

static void test_mauth_reply(void **state)
{
	uint8_t buf[64];
	struct cephc_enc e;
	struct cephc_dec d;
	struct cephc_mauth_reply r;

	(void)state;
	enc_init(&e, buf, sizeof(buf));
	enc_le32(&e, 2);
	enc_le32(&e, (uint32_t)-13);
	enc_le64(&e, 4242);
	enc_blob(&e, "\x01\x02", 2);
	enc_string(&e, "nope");
	dec_init(&d, buf, enc_len(&e));
	assert_int_equal(cephc_mauth_reply_decode(&d, &r), 0);
	assert_int_equal(r.protocol, 2);
	assert_int_equal(r.result, -13);
	assert_true(r.global_id == 4242);
	assert_int_equal(r.payload_len, 2);
	assert_int_equal(r.result_msg_len, 4);
	assert_memory_equal(r.result_msg, "nope", 4);
	/* a payload length beyond the limit is refused before any use */
	put_le32(buf + 16, CEPHC_AUTH_PAYLOAD_MAX + 1);
	dec_init(&d, buf, enc_len(&e));
	assert_int_equal(cephc_mauth_reply_decode(&d, &r), CEPHC_ETOOBIG);
}

static void test_subscribe_and_command(void **state)
{
	struct cephc_mon_sub subs[2] = {{"monmap", 0, 0},
					{"osdmap", 5, CEPHC_SUBSCRIBE_ONETIME}};
	uint8_t buf[128], fsid[16] = {0};
	struct cephc_enc e;

	(void)state;
	enc_init(&e, buf, sizeof(buf));
	cephc_mon_subscribe_encode(&e, subs, 2);
	assert_int_equal(e.err, 0);
	assert_int_equal(enc_len(&e), cephc_mon_subscribe_size(subs, 2));
	assert_int_equal(get_le32(buf), 2);
	assert_int_equal(get_le32(buf + 4), 6);
	assert_memory_equal(buf + 8, "monmap", 6);

	const char *json = "{\"prefix\":\"status\"}";
	enc_init(&e, buf, sizeof(buf));
	cephc_mon_command_encode(&e, fsid, json);
	assert_int_equal(e.err, 0);
	assert_int_equal(enc_len(&e), cephc_mon_command_size(json));

	enc_init(&e, buf, sizeof(buf));
	cephc_mon_get_version_encode(&e, 7, "osdmap");
	assert_int_equal(enc_len(&e), cephc_mon_get_version_size("osdmap"));
}

static void test_osdmap_msg(void **state)
{
	uint8_t buf[128];
	struct cephc_enc e;
	struct cephc_dec d;
	struct cephc_osdmap_msg m;

	(void)state;
	enc_init(&e, buf, sizeof(buf));
	enc_zeros(&e, 16);
	enc_le32(&e, 2); /* incrementals */
	enc_le32(&e, 5);
	enc_blob(&e, "ab", 2);
	enc_le32(&e, 6);
	enc_blob(&e, "c", 1);
	enc_le32(&e, 1); /* fulls */
	enc_le32(&e, 6);
	enc_blob(&e, "full", 4);
	enc_le32(&e, 1);
	enc_le32(&e, 6);
	enc_le32(&e, 0); /* trailing empty map sent by 16.2.15 */
	dec_init(&d, buf, enc_len(&e));
	assert_int_equal(cephc_osdmap_msg_decode(&d, &m), 0);
	assert_int_equal(m.num_incs, 2);
	assert_int_equal(m.incs[1].epoch, 6);
	assert_int_equal(m.num_fulls, 1);
	assert_int_equal(m.fulls[0].len, 4);
	assert_int_equal(m.newest, 6);
	cephc_osdmap_msg_release(&m);

	/* epochs out of order are refused */
	put_le32(buf + 16 + 4 + 4 + 4 + 2, 4);
	dec_init(&d, buf, enc_len(&e));
	assert_int_equal(cephc_osdmap_msg_decode(&d, &m), CEPHC_EDECODE);
	cephc_osdmap_msg_release(&m);

	/* huge count */
	put_le32(buf + 16, 0xffffffff);
	dec_init(&d, buf, enc_len(&e));
	assert_int_not_equal(cephc_osdmap_msg_decode(&d, &m), 0);
	cephc_osdmap_msg_release(&m);
}

/* MPoolOp v4 front, byte by byte (MPoolOp::encode_payload order). */
static void test_mpoolop_layout(void **state)
{
	uint8_t fsid[16], buf[128];
	struct cephc_enc e;
	size_t n = cephc_mpoolop_size(NULL);

	(void)state;
	for (int i = 0; i < 16; i++)
		fsid[i] = (uint8_t)(0xa0 + i);
	assert_int_equal(n, 18 + 16 + 4 + 4 + 8 + 8 + 4 + 0 + 1 + 2);
	enc_init(&e, buf, sizeof(buf));
	cephc_mpoolop_encode(&e, fsid, 42, 3,
			     CEPHC_POOL_OP_DELETE_UNMANAGED_SNAP, 0x1234, NULL);
	assert_int_equal(e.err, 0);
	assert_int_equal(enc_len(&e), n);
	assert_int_equal(get_le64(buf), 42);         /* paxos version */
	assert_int_equal(get_le16(buf + 8), 0xffff); /* session_mon */
	assert_int_equal(get_le64(buf + 10), 0);
	assert_memory_equal(buf + 18, fsid, 16);
	assert_int_equal(get_le32(buf + 34), 3);    /* pool */
	assert_int_equal(get_le32(buf + 38), 0x22); /* op */
	assert_int_equal(get_le64(buf + 42), 0);    /* auid */
	assert_int_equal(get_le64(buf + 50), 0x1234);
	assert_int_equal(get_le32(buf + 58), 0); /* name "" */
	assert_int_equal(buf[62], 0);            /* pad */
	assert_int_equal(get_le16(buf + 63), 0); /* crush_rule */

	assert_int_equal(cephc_mpoolop_size("ab"), n + 2);
	enc_init(&e, buf, sizeof(buf));
	cephc_mpoolop_encode(&e, fsid, 0, 1,
			     CEPHC_POOL_OP_CREATE_UNMANAGED_SNAP, 0, "ab");
	assert_int_equal(enc_len(&e), n + 2);
	assert_int_equal(get_le32(buf + 38), 0x21);
	assert_memory_equal(buf + 62, "ab", 2);
}

/* A create reply as OSDMonitor sends it: code 0, epoch, data = le64 id. */
static size_t build_poolop_reply(uint8_t *buf, size_t cap, int32_t code,
				 int has, uint32_t data_len)
{
	struct cephc_enc e;

	enc_init(&e, buf, cap);
	enc_le64(&e, 77); /* last committed */
	enc_le16(&e, 0xffff);
	enc_le64(&e, 0);
	for (int i = 0; i < 16; i++)
		enc_u8(&e, (uint8_t)i);
	enc_le32(&e, (uint32_t)code);
	enc_le32(&e, 19); /* epoch */
	enc_u8(&e, (uint8_t)has);
	if (has == 1) {
		enc_le32(&e, data_len);
		enc_le64(&e, 5); /* the new snap id */
	}
	assert_int_equal(e.err, 0);
	return enc_len(&e);
}

static void test_mpoolop_reply(void **state)
{
	uint8_t buf[128];
	struct cephc_mpoolop_reply r;
	struct cephc_dec d;
	uint64_t id = 0;
	size_t n;

	(void)state;
	n = build_poolop_reply(buf, sizeof(buf), 0, 1, 8);
	dec_init(&d, buf, n);
	assert_int_equal(cephc_mpoolop_reply_decode(&d, &r), 0);
	assert_int_equal(r.version, 77);
	assert_int_equal(r.code, 0);
	assert_int_equal(r.epoch, 19);
	assert_true(r.has_data);
	assert_int_equal(r.data_len, 8);
	assert_int_equal(r.fsid[15], 15);
	assert_int_equal(cephc_mpoolop_reply_snapid(&r, &id), 0);
	assert_int_equal(id, 5);

	/* every truncation fails cleanly */
	for (size_t k = 0; k < n; k++) {
		dec_init(&d, buf, k);
		assert_int_not_equal(cephc_mpoolop_reply_decode(&d, &r), 0);
	}

	/* a delete's reply: no data; an error code passes through */
	n = build_poolop_reply(buf, sizeof(buf), -2, 0, 0);
	dec_init(&d, buf, n);
	assert_int_equal(cephc_mpoolop_reply_decode(&d, &r), 0);
	assert_int_equal(r.code, -2);
	assert_false(r.has_data);
	assert_int_equal(cephc_mpoolop_reply_snapid(&r, &id), CEPHC_EDECODE);

	/* data too short for a snap id */
	n = build_poolop_reply(buf, sizeof(buf), 0, 1, 8);
	put_le32(buf + 18 + 16 + 4 + 4 + 1, 4);
	dec_init(&d, buf, n - 4);
	assert_int_equal(cephc_mpoolop_reply_decode(&d, &r), 0);
	assert_int_equal(cephc_mpoolop_reply_snapid(&r, &id), CEPHC_EDECODE);

	/* bad inputs: data lengths past the bytes or the named maximum */
	static const uint32_t lens[] = {9,          4097,       0x7fffffff,
					0x80000000, 0xfffffffe, 0xffffffff};
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		n = build_poolop_reply(buf, sizeof(buf), 0, 1, lens[k]);
		dec_init(&d, buf, n);
		assert_int_not_equal(cephc_mpoolop_reply_decode(&d, &r), 0);
	}
	/* a has_data byte that is no bool; a positive reply code */
	n = build_poolop_reply(buf, sizeof(buf), 0, 2, 0);
	dec_init(&d, buf, n);
	assert_int_equal(cephc_mpoolop_reply_decode(&d, &r), CEPHC_EDECODE);
	n = build_poolop_reply(buf, sizeof(buf), 1, 0, 0);
	dec_init(&d, buf, n);
	assert_int_equal(cephc_mpoolop_reply_decode(&d, &r), CEPHC_EDECODE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_monmap_from_monmaptool),
	    cmocka_unit_test(test_mauth_reply_empty_front),
	    cmocka_unit_test(test_mauth_layout),
	    cmocka_unit_test(test_mauth_reply),
	    cmocka_unit_test(test_subscribe_and_command),
	    cmocka_unit_test(test_osdmap_msg),
	    cmocka_unit_test(test_mpoolop_layout),
	    cmocka_unit_test(test_mpoolop_reply),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
