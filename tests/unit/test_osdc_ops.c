/* SPDX-License-Identifier: MIT */
/*
 * OSD op encoders (union layouts, input piece lists, data_len totals) and
 * the per-op output decoders, with the bad inputs they must refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/encode.h"
#include "osdc/osd_ops.h"

#define L16(x) (uint8_t)((x)&0xff), (uint8_t)(((x) >> 8) & 0xff)
#define L32(x) L16((x)&0xffff), L16(((x) >> 16) & 0xffff)
#define L64(x) L32((uint64_t)(x)&0xffffffffu), L32((uint64_t)(x) >> 32)

/* Flatten an op list's data section into one buffer for comparison. */
static size_t flatten(const struct cephc_osd_ops *o, uint8_t *out, size_t cap)
{
	struct iovec iov[64];
	int n = cephc_osd_ops_data_iov(o, iov, 64), i;
	size_t len = 0;

	assert_true(n >= 0);
	assert_int_equal((unsigned)n, cephc_osd_ops_data_iovcnt(o));
	for (i = 0; i < n; i++) {
		assert_true(len + iov[i].iov_len <= cap);
		memcpy(out + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	return len;
}

static void test_data_section_totals(void **state)
{
	char a[] = "aaaa", b[] = "bb", c[] = "cccccc";
	struct iovec w[3] = {{a, 4}, {b, 2}, {c, 6}};
	struct iovec in = {"IN", 2};
	struct iovec many[6] = {{a, 1}, {a, 1}, {a, 1}, {a, 1}, {a, 1}, {a, 1}};
	struct cephc_osd_ops o;
	struct cephc_osd_op *op;
	uint8_t flat[256];
	size_t n;

	(void)state;
	cephc_osd_ops_init(&o);
	op = cephc_osd_ops_add(&o);
	assert_int_equal(cephc_osd_op_write(op, 8192, w, 3), 0);
	/* extent {8192, 12}, payload 12 */
	assert_int_equal(get_le64(op->op_union), 8192);
	assert_int_equal(get_le64(op->op_union + 8), 12);
	assert_int_equal(op->op_indata_len, 12);
	op = cephc_osd_ops_add(&o);
	assert_int_equal(
	    cephc_osd_op_call(op, "rbd", "set_size", &in, 1, true, 0), 0);
	/* cls union: class_len 3, method_len 8, argc 0, indata_len 2 */
	assert_int_equal(op->op_union[0], 3);
	assert_int_equal(op->op_union[1], 8);
	assert_int_equal(op->op_union[2], 0);
	assert_int_equal(get_le32(op->op_union + 3), 2);
	assert_int_equal(op->op_indata_len, 13);
	op = cephc_osd_ops_add(&o);
	assert_int_equal(cephc_osd_op_setxattr(op, "user.k", "vv", 2), 0);
	assert_int_equal(get_le32(op->op_union), 6);
	assert_int_equal(get_le32(op->op_union + 4), 2);
	/* More iovecs than fit inline are referenced, in order. */
	op = cephc_osd_ops_add(&o);
	assert_int_equal(cephc_osd_op_append(op, many, 6), 0);
	assert_ptr_equal(op->op_in_ext, many);

	assert_int_equal(cephc_osd_ops_data_len(&o), 12 + 13 + 8 + 6);
	n = flatten(&o, flat, sizeof(flat));
	assert_int_equal(n, 39);
	assert_memory_equal(flat, "aaaabbccccccrbdset_sizeINuser.kvvaaaaaa",
			    39);
	assert_int_equal(cephc_osd_ops_rw_flags(&o), CEPHC_OSD_FLAG_WRITE);
	/* Too small an iovec array is reported, not overrun. */
	{
		struct iovec small[3];

		assert_int_equal(cephc_osd_ops_data_iov(&o, small, 3),
				 CEPHC_E2BIG);
	}
	cephc_osd_ops_release(&o);
}

static void test_op_limits(void **state)
{
	struct cephc_osd_ops o;
	struct cephc_osd_op op;
	char big[300];
	uint8_t rb[10];
	struct iovec dst = {rb, sizeof(rb)};
	int i;

	(void)state;
	cephc_osd_ops_init(&o);
	for (i = 0; i < CEPHC_OSD_MAX_OPS; i++)
		assert_non_null(cephc_osd_ops_add(&o));
	assert_null(cephc_osd_ops_add(&o));
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	/* class / method names are u8-sized on the wire */
	assert_int_equal(cephc_osd_op_call(&op, big, "m", NULL, 0, false, 0),
			 CEPHC_EINVAL);
	assert_int_equal(cephc_osd_op_call(&op, "c", "", NULL, 0, false, 0),
			 CEPHC_EINVAL);
	/* destination smaller than the read */
	assert_int_equal(cephc_osd_op_read(&op, 0, 11, &dst, 1), CEPHC_EINVAL);
	assert_int_equal(cephc_osd_op_read(&op, 0, 10, &dst, 1), 0);
	assert_int_equal(op.op_out_kind, CEPHC_OSD_OUT_DATA);
	assert_int_equal(op.op_out_max, 10);
	assert_int_equal(cephc_osd_op_setxattr(&op, "", "v", 1), CEPHC_EINVAL);
	assert_int_equal(cephc_osd_op_watch(&op, 2, 1, 1, 0), CEPHC_EINVAL);
	assert_int_equal(cephc_osd_op_omap_rm_keys(&op, NULL, 1), CEPHC_EINVAL);
	assert_int_equal(
	    cephc_osd_op_omap_rm_keys(&op, NULL, CEPHC_OSD_OMAP_KEYS_MAX + 1),
	    CEPHC_EINVAL);
}

static void test_watch_notify_ops(void **state)
{
	static const uint8_t want_notify_in[] = {L32(1), L32(30), L32(3),
						 'p',    'a',     'y'};
	static const uint8_t want_ack_in[] = {L64(0x1122), L64(0x77), L32(2),
					      'o', 'k'};
	struct cephc_osd_ops o;
	struct cephc_osd_op *op;
	uint8_t flat[64];

	(void)state;
	cephc_osd_ops_init(&o);
	op = cephc_osd_ops_add(&o);
	assert_int_equal(
	    cephc_osd_op_watch(op, CEPHC_OSD_WATCH_OP_WATCH, 0x77, 2, 30), 0);
	/* watch union: cookie, ver 0, op, gen, timeout */
	assert_int_equal(get_le64(op->op_union), 0x77);
	assert_int_equal(get_le64(op->op_union + 8), 0);
	assert_int_equal(op->op_union[16], 3);
	assert_int_equal(get_le32(op->op_union + 17), 2);
	assert_int_equal(get_le32(op->op_union + 21), 30);
	assert_true(op->op_write);
	assert_int_equal(cephc_osd_ops_rw_flags(&o), CEPHC_OSD_FLAG_WRITE);
	cephc_osd_op_watch(op, CEPHC_OSD_WATCH_OP_PING, 0x77, 2, 0);
	assert_int_equal(op->op_union[16], 7);
	assert_int_equal(cephc_osd_ops_rw_flags(&o), CEPHC_OSD_FLAG_WRITE);

	cephc_osd_ops_init(&o);
	op = cephc_osd_ops_add(&o);
	assert_int_equal(cephc_osd_op_notify(op, 0x99, 30, "pay", 3), 0);
	assert_int_equal(op->op_code, 0x1206);
	assert_int_equal(get_le64(op->op_union), 0x99);
	assert_int_equal(flatten(&o, flat, sizeof(flat)),
			 sizeof(want_notify_in));
	assert_memory_equal(flat, want_notify_in, sizeof(want_notify_in));
	cephc_osd_ops_release(&o);

	cephc_osd_ops_init(&o);
	op = cephc_osd_ops_add(&o);
	assert_int_equal(cephc_osd_op_notify_ack(op, 0x1122, 0x77, "ok", 2), 0);
	assert_int_equal(flatten(&o, flat, sizeof(flat)), sizeof(want_ack_in));
	assert_memory_equal(flat, want_ack_in, sizeof(want_ack_in));
	cephc_osd_ops_release(&o);
}

static void test_omap_inputs(void **state)
{
	static const uint8_t want_vals[] = {L32(1), 'a', L64(100),
					    L32(2), 'p', 'f'};
	static const uint8_t want_set[] = {L32(2), L32(1), 'k', L32(2), 'v',
					   '1',    L32(2), 'k', '2',    L32(0)};
	static const uint8_t want_keys[] = {L32(2), L32(1), 'x',
					    L32(2), 'y',    'z'};
	const char *keys[] = {"x", "yz"};
	struct cephc_osd_kv kv[] = {{"k", "v1", 2}, {"k2", NULL, 0}};
	struct cephc_osd_ops o;
	struct cephc_osd_op *op;
	uint8_t flat[128];

	(void)state;
	cephc_osd_ops_init(&o);
	op = cephc_osd_ops_add(&o);
	assert_int_equal(cephc_osd_op_omap_get_vals(op, "a", "pf", 100, 0), 0);
	/* extent (0, input length) as librados sends it */
	assert_int_equal(get_le64(op->op_union + 8), sizeof(want_vals));
	assert_int_equal(flatten(&o, flat, sizeof(flat)), sizeof(want_vals));
	assert_memory_equal(flat, want_vals, sizeof(want_vals));
	cephc_osd_ops_release(&o);

	cephc_osd_ops_init(&o);
	cephc_osd_op_omap_set_keys(cephc_osd_ops_add(&o), kv, 2);
	assert_int_equal(flatten(&o, flat, sizeof(flat)), sizeof(want_set));
	assert_memory_equal(flat, want_set, sizeof(want_set));
	assert_int_equal(cephc_osd_ops_rw_flags(&o), CEPHC_OSD_FLAG_WRITE);
	cephc_osd_ops_release(&o);

	cephc_osd_ops_init(&o);
	cephc_osd_op_omap_get_vals_by_keys(cephc_osd_ops_add(&o), keys, 2, 0);
	assert_int_equal(flatten(&o, flat, sizeof(flat)), sizeof(want_keys));
	assert_memory_equal(flat, want_keys, sizeof(want_keys));
	assert_int_equal(cephc_osd_ops_rw_flags(&o), CEPHC_OSD_FLAG_READ);
	cephc_osd_ops_release(&o);
}

static void test_pgnls_roundtrip(void **state)
{
	struct cephc_osd_ops o;
	struct cephc_osd_op *op;
	struct cephc_hobject cur, h2;
	struct cephc_osd_pgnls_iter it;
	struct cephc_osd_list_entry e;
	struct cephc_enc enc;
	uint8_t flat[128], reply[256];
	size_t n, env;
	struct cephc_dec d;

	(void)state;
	cephc_hobject_init_min(&cur);
	cephc_osd_ops_init(&o);
	op = cephc_osd_ops_add(&o);
	assert_int_equal(cephc_osd_op_pgnls(op, 1024, 50, &cur, 0), 0);
	assert_int_equal(get_le64(op->op_union), 1024);
	assert_int_equal(get_le32(op->op_union + 8), 50);
	n = flatten(&o, flat, sizeof(flat));
	assert_int_equal(n, cephc_hobject_encoded_len(&cur));
	dec_init(&d, flat, n);
	assert_int_equal(cephc_hobject_decode(&d, &h2), 0);
	assert_int_equal(h2.pool, INT64_MIN);
	cephc_osd_ops_release(&o);

	/* A pg_nls_response_t with two entries, built by hand. */
	enc_init(&enc, reply, sizeof(reply));
	env = enc_envelope_begin(&enc, 1, 1);
	cur.oid = (const uint8_t *)"next";
	cur.oid_len = 4;
	cur.pool = 2;
	cephc_hobject_encode(&enc, &cur);
	enc_le32(&enc, 2);
	enc_string(&enc, "");
	enc_string(&enc, "obj1");
	enc_string(&enc, "");
	enc_string(&enc, "ns1");
	enc_string(&enc, "obj2");
	enc_string(&enc, "loc");
	enc_envelope_end(&enc, env);
	assert_int_equal(enc.err, 0);
	n = enc_len(&enc);
	assert_int_equal(cephc_osd_pgnls_iter_init(&it, reply, n), 0);
	assert_int_equal(it.handle.oid_len, 4);
	assert_int_equal(cephc_osd_pgnls_iter_next(&it, &e), 1);
	assert_memory_equal(e.oid, "obj1", 4);
	assert_int_equal(cephc_osd_pgnls_iter_next(&it, &e), 1);
	assert_memory_equal(e.nspace, "ns1", 3);
	assert_memory_equal(e.locator, "loc", 3);
	assert_int_equal(cephc_osd_pgnls_iter_next(&it, &e), 0);
	/* huge entry count */
	put_le32(reply + 6 + cephc_hobject_encoded_len(&cur), 0xffffffff);
	assert_int_equal(cephc_osd_pgnls_iter_init(&it, reply, n),
			 CEPHC_ETOOBIG);
	/* one entry more than present: the walk ends in an error */
	put_le32(reply + 6 + cephc_hobject_encoded_len(&cur), 3);
	assert_int_equal(cephc_osd_pgnls_iter_init(&it, reply, n), 0);
	assert_int_equal(cephc_osd_pgnls_iter_next(&it, &e), 1);
	assert_int_equal(cephc_osd_pgnls_iter_next(&it, &e), 1);
	assert_int_equal(cephc_osd_pgnls_iter_next(&it, &e), CEPHC_EDECODE);
}

static void test_stat_sparse_cmpext(void **state)
{
	static const uint8_t sparse[] = {L32(2), L64(0), L64(2), L64(10),
					 L64(3), L32(5), 'a',    'b',
					 'c',    'd',    'e'};
	struct cephc_osd_extent ext[4];
	uint8_t bad[sizeof(sparse)];
	const uint8_t *data;
	uint32_t n, dl, sec, nsec;
	uint64_t size, off;
	size_t i;

	(void)state;
	assert_int_equal(
	    cephc_osd_decode_stat("12345678abcd", 12, &size, &sec, &nsec),
	    CEPHC_EDECODE);
	assert_int_equal(cephc_osd_decode_sparse_read(sparse, sizeof(sparse),
						      ext, 4, &n, &data, &dl),
			 0);
	assert_int_equal(n, 2);
	assert_int_equal(ext[1].off, 10);
	assert_int_equal(dl, 5);
	assert_memory_equal(data, "abcde", 5);
	for (i = 0; i < sizeof(sparse); i++)
		assert_int_not_equal(cephc_osd_decode_sparse_read(
					 sparse, i, ext, 4, &n, &data, &dl),
				     0);
	/* more extents than the caller has room for */
	assert_int_equal(cephc_osd_decode_sparse_read(sparse, sizeof(sparse),
						      ext, 1, &n, &data, &dl),
			 CEPHC_ETOOBIG);
	/* overlapping extents */
	memcpy(bad, sparse, sizeof(bad));
	put_le64(bad + 20, 1);
	assert_int_equal(cephc_osd_decode_sparse_read(bad, sizeof(bad), ext, 4,
						      &n, &data, &dl),
			 CEPHC_EDECODE);
	/* extent lengths not matching the data length */
	memcpy(bad, sparse, sizeof(bad));
	put_le64(bad + 28, 4);
	assert_int_equal(cephc_osd_decode_sparse_read(bad, sizeof(bad), ext, 4,
						      &n, &data, &dl),
			 CEPHC_EDECODE);
	/* wrapping extent */
	memcpy(bad, sparse, sizeof(bad));
	put_le64(bad + 28, UINT64_MAX);
	assert_int_equal(cephc_osd_decode_sparse_read(bad, sizeof(bad), ext, 4,
						      &n, &data, &dl),
			 CEPHC_EDECODE);
	/* huge count */
	memcpy(bad, sparse, sizeof(bad));
	put_le32(bad, 0xffffffff);
	assert_int_equal(cephc_osd_decode_sparse_read(bad, sizeof(bad), ext, 4,
						      &n, &data, &dl),
			 CEPHC_ETOOBIG);

	assert_false(cephc_osd_cmpext_mismatch(-22, &off));
	assert_false(cephc_osd_cmpext_mismatch(0, &off));
	assert_true(cephc_osd_cmpext_mismatch(-4095, &off));
	assert_int_equal(off, 0);
	assert_true(cephc_osd_cmpext_mismatch(-4095 - 513, &off));
	assert_int_equal(off, 513);
}

static void test_kv_iter(void **state)
{
	static const uint8_t keys[] = {L32(2), L32(1), 'a', L32(2),
				       'b',    'c',    1};
	static const uint8_t vals[] = {L32(1), L32(4), 'u', '.', 'x',
				       'y',    L32(3), 'v', 'a', 'l'};
	struct cephc_osd_kv_iter it;
	const uint8_t *k, *v;
	uint32_t kl, vl;
	bool more = false;
	uint8_t bad[sizeof(vals)];

	(void)state;
	assert_int_equal(cephc_osd_kv_iter_init(&it, keys, sizeof(keys), false),
			 0);
	assert_int_equal(cephc_osd_kv_iter_more(&it, &more), CEPHC_EINVAL);
	assert_int_equal(cephc_osd_kv_iter_next(&it, &k, &kl, &v, &vl), 1);
	assert_int_equal(kl, 1);
	assert_null(v);
	assert_int_equal(cephc_osd_kv_iter_next(&it, &k, &kl, &v, &vl), 1);
	assert_memory_equal(k, "bc", 2);
	assert_int_equal(cephc_osd_kv_iter_next(&it, &k, &kl, &v, &vl), 0);
	assert_int_equal(cephc_osd_kv_iter_more(&it, &more), 0);
	assert_true(more);

	assert_int_equal(cephc_osd_kv_iter_init(&it, vals, sizeof(vals), true),
			 0);
	assert_int_equal(cephc_osd_kv_iter_next(&it, &k, &kl, &v, &vl), 1);
	assert_memory_equal(v, "val", 3);
	assert_int_equal(cephc_osd_kv_iter_next(&it, &k, &kl, &v, &vl), 0);
	/* GETVALSBYKEYS has no "more": reading it reports truncation */
	assert_int_equal(cephc_osd_kv_iter_more(&it, &more), CEPHC_EDECODE);

	memcpy(bad, vals, sizeof(bad));
	put_le32(bad + 12, 0x7fffffff); /* value length past the end */
	assert_int_equal(cephc_osd_kv_iter_init(&it, bad, sizeof(bad), true),
			 0);
	assert_true(cephc_osd_kv_iter_next(&it, &k, &kl, &v, &vl) < 0);
	assert_true(cephc_osd_kv_iter_next(&it, &k, &kl, &v, &vl) < 0);
	put_le32(bad, 0xffffffff);
	assert_int_equal(cephc_osd_kv_iter_init(&it, bad, sizeof(bad), true),
			 CEPHC_ETOOBIG);
	put_le32(bad, 1000); /* more than the bytes can hold */
	assert_int_equal(cephc_osd_kv_iter_init(&it, bad, sizeof(bad), true),
			 CEPHC_EDECODE);
}

static void test_watchers_iter(void **state)
{
	struct cephc_osd_watchers_iter it;
	struct cephc_osd_watcher w;
	struct cephc_entity_addr a;
	struct cephc_entity_name nm = {CEPHC_ENTITY_CLIENT, 4100};
	struct cephc_enc e;
	uint8_t buf[256];
	size_t env, item, n, i;

	(void)state;
	assert_int_equal(cephc_addr_parse("v1:10.0.0.5:0/777", &a, 0), 0);
	enc_init(&e, buf, sizeof(buf));
	env = enc_envelope_begin(&e, 1, 1);
	enc_le32(&e, 1);
	item = enc_envelope_begin(&e, 2, 1);
	cephc_entity_name_encode(&e, &nm);
	enc_le64(&e, 0x55);
	enc_le32(&e, 30);
	cephc_addr_encode_new(&e, &a);
	enc_envelope_end(&e, item);
	enc_envelope_end(&e, env);
	assert_int_equal(e.err, 0);
	n = enc_len(&e);
	assert_int_equal(cephc_osd_watchers_iter_init(&it, buf, n), 0);
	assert_int_equal(cephc_osd_watchers_iter_next(&it, &w), 1);
	assert_int_equal(w.name.type, CEPHC_ENTITY_CLIENT);
	assert_int_equal(w.name.num, 4100);
	assert_int_equal(w.cookie, 0x55);
	assert_int_equal(w.timeout_s, 30);
	assert_int_equal(w.addr.nonce, 777);
	assert_int_equal(cephc_osd_watchers_iter_next(&it, &w), 0);
	for (i = 0; i < n; i++) {
		int r = cephc_osd_watchers_iter_init(&it, buf, i);

		if (!r)
			r = cephc_osd_watchers_iter_next(&it, &w);
		assert_true(r < 0);
	}
}

static void test_notify_iter(void **state)
{
	static const uint8_t reply[] = {
	    L32(2),    L64(4100), L64(1), L32(2), 'h',       'i',
	    L64(4200), L64(2),    L32(0), L32(1), L64(4300), L64(3),
	};
	struct cephc_osd_notify_iter it;
	uint64_t gid, cookie;
	const uint8_t *p;
	uint32_t l;
	size_t i;

	(void)state;
	assert_int_equal(cephc_osd_notify_iter_init(&it, reply, sizeof(reply)),
			 0);
	assert_int_equal(
	    cephc_osd_notify_iter_next_ack(&it, &gid, &cookie, &p, &l), 1);
	assert_int_equal(gid, 4100);
	assert_memory_equal(p, "hi", 2);
	/* Jumping to the timeouts skips the rest of the acks. */
	assert_int_equal(cephc_osd_notify_iter_next_timeout(&it, &gid, &cookie),
			 1);
	assert_int_equal(gid, 4300);
	assert_int_equal(cookie, 3);
	assert_int_equal(cephc_osd_notify_iter_next_timeout(&it, &gid, &cookie),
			 0);
	for (i = 0; i < sizeof(reply); i++) {
		int r = cephc_osd_notify_iter_init(&it, reply, i);

		while (r == 0 && (r = cephc_osd_notify_iter_next_timeout(
				      &it, &gid, &cookie)) > 0)
			r = 0;
		assert_true(r < 0);
	}
}

/* ROLLBACK: op 0x220e (WR|DATA|14), snap id in the union's first 8 bytes,
 * no input, makes the request a write. */
static void test_rollback_op(void **state)
{
	struct cephc_osd_ops ops;
	struct cephc_osd_op *op;
	uint8_t wire[CEPHC_OSD_OP_WIRE_LEN];
	struct cephc_enc e;

	(void)state;
	cephc_osd_ops_init(&ops);
	op = cephc_osd_ops_add(&ops);
	assert_int_equal(cephc_osd_op_rollback(op, 0x0102030405060708ULL), 0);
	assert_int_equal(op->op_code, 0x220e);
	assert_true(op->op_write);
	assert_string_equal(cephc_osd_op_name(0x220e), "rollback");
	assert_int_equal(cephc_osd_ops_rw_flags(&ops), CEPHC_OSD_FLAG_WRITE);
	assert_int_equal(cephc_osd_ops_data_len(&ops), 0);
	enc_init(&e, wire, sizeof(wire));
	cephc_osd_op_encode(&e, op);
	assert_int_equal(e.err, 0);
	assert_int_equal(enc_len(&e), CEPHC_OSD_OP_WIRE_LEN);
	static const uint8_t want[CEPHC_OSD_OP_WIRE_LEN] = {
	    0x0e,     0x22,                                     /* op */
	    0,        0,    0,    0,                            /* flags */
	    0x08,     0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* snapid */
	    [34] = 0, 0,    0,    0, /* payload_len */
	};
	assert_memory_equal(wire, want, sizeof(want));
	cephc_osd_ops_release(&ops);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_data_section_totals),
	    cmocka_unit_test(test_op_limits),
	    cmocka_unit_test(test_watch_notify_ops),
	    cmocka_unit_test(test_omap_inputs),
	    cmocka_unit_test(test_pgnls_roundtrip),
	    cmocka_unit_test(test_stat_sparse_cmpext),
	    cmocka_unit_test(test_kv_iter),
	    cmocka_unit_test(test_watchers_iter),
	    cmocka_unit_test(test_notify_iter),
	    cmocka_unit_test(test_rollback_op),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
