/* SPDX-License-Identifier: MIT */
/*
 * MOSDOp front golden layouts (written by hand from protocol-map 8.1),
 * MOSDOpReply decode + checks + receive plan, MOSDBackoff, MWatchNotify.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/encode.h"
#include "osdc/osd_msg.h"

#define L16(x) (uint8_t)((x)&0xff), (uint8_t)(((x) >> 8) & 0xff)
#define L32(x) L16((x)&0xffff), L16(((x) >> 16) & 0xffff)
#define L64(x) L32((uint64_t)(x)&0xffffffffu), L32((uint64_t)(x) >> 32)
#define Z4 0, 0, 0, 0
#define Z8 Z4, Z4
#define Z21 Z8, Z8, Z4, 0
#define Z24 Z8, Z8, Z8
#define Z28 Z24, Z4

#define FEATURES 0x2f018eb87aa4aafeULL

static void test_front_writefull_golden(void **state)
{
	static const uint8_t want[] = {
	    /* spg_t v1/1 len 18: pg_t{1, pool 3, seed 5, -1}, shard -1 */
	    1,
	    1,
	    L32(18),
	    1,
	    L64(3),
	    L32(5),
	    L32(0xffffffff),
	    0xff,
	    L32(0x7fc1f406), /* raw hash */
	    L32(10),         /* epoch */
	    L32(0x400024),   /* WRITE|ONDISK|KNOWN_REDIR */
	    2,
	    2,
	    L32(21),
	    Z21, /* reqid, all zeros */
	    Z24, /* trace */
	    Z4,  /* client_inc */
	    L32(1700000000),
	    L32(5), /* mtime */
	    /* object_locator_t v5/4 len 20: pool, -1, key "", nspace "" */
	    5,
	    4,
	    L32(20),
	    L64(3),
	    L32(0xffffffff),
	    L32(0),
	    L32(0),
	    L32(4),
	    'o',
	    'b',
	    'j',
	    '1',    /* oid */
	    L16(1), /* num_ops, le16 */
	    /* WRITEFULL: extent {0, 5, 0, 0}, payload_len 5 */
	    L16(0x2202),
	    L32(0),
	    L64(0),
	    L64(5),
	    L64(0),
	    L32(0),
	    L32(5),
	    L64(0xfffffffffffffffeULL), /* snapid = NOSNAP */
	    L64(0),
	    L32(0), /* snap_seq, snaps */
	    L32(0), /* retry_attempt */
	    L64(FEATURES),
	};
	struct cephc_osd_ops ops;
	struct cephc_osd_op_msg m = {0};
	struct cephc_osd_msg_info info;
	struct iovec iov = {.iov_base = "hello", .iov_len = 5};
	uint8_t buf[512];

	(void)state;
	cephc_osd_ops_init(&ops);
	assert_int_equal(
	    cephc_osd_op_writefull(cephc_osd_ops_add(&ops), &iov, 1), 0);
	m.pg_pool = 3;
	m.pg_seed = 5;
	m.pg_shard = -1;
	m.raw_hash = 0x7fc1f406;
	m.epoch = 10;
	m.flags = cephc_osd_ops_rw_flags(&ops) | CEPHC_OSD_FLAG_ONDISK |
		  CEPHC_OSD_FLAG_KNOWN_REDIR;
	m.mtime_sec = 1700000000;
	m.mtime_nsec = 5;
	m.oloc_pool = 3;
	m.oid = "obj1";
	m.snapid = CEPHC_NOSNAP;
	m.features = FEATURES;
	assert_int_equal(cephc_osd_op_msg_front_len(&m, &ops), sizeof(want));
	assert_int_equal(
	    cephc_osd_op_msg_encode(&m, &ops, buf, sizeof(buf), &info), 0);
	assert_int_equal(info.front_len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(info.type, 42);
	assert_int_equal(info.version, 8);
	assert_int_equal(info.compat, 3);
	assert_int_equal(info.data_len, 5);
	/* A front buffer one byte short is refused, not overrun. */
	assert_int_equal(
	    cephc_osd_op_msg_encode(&m, &ops, buf, sizeof(want) - 1, &info),
	    CEPHC_EOVERFLOW);
	cephc_osd_ops_release(&ops);
}

static void test_front_read_stat_ns_key_golden(void **state)
{
	static const uint8_t want[] = {
	    1,
	    1,
	    L32(18),
	    1,
	    L64(2),
	    L32(0x1e),
	    L32(0xffffffff),
	    0xff,
	    L32(0xb706399e),
	    L32(77),
	    L32(0x400014),
	    2,
	    2,
	    L32(21),
	    Z21,
	    Z24,
	    Z4,
	    L32(0),
	    L32(0), /* mtime 0 for reads */
	    /* locator v5/4 len 24: pool 2, -1, key "k", nspace "ns1" */
	    5,
	    4,
	    L32(24),
	    L64(2),
	    L32(0xffffffff),
	    L32(1),
	    'k',
	    L32(3),
	    'n',
	    's',
	    '1',
	    L32(5),
	    'h',
	    'e',
	    'l',
	    'l',
	    'o',
	    L16(2),
	    /* READ 0~4096 */
	    L16(0x1201),
	    L32(0),
	    L64(0),
	    L64(4096),
	    L64(0),
	    L32(0),
	    L32(0),
	    /* STAT: zero union */
	    L16(0x1202),
	    L32(0),
	    Z28,
	    L32(0),
	    L64(0xfffffffffffffffeULL),
	    L64(0),
	    L32(0),
	    L32(2), /* third send */
	    L64(FEATURES),
	};
	struct cephc_osd_ops ops;
	struct cephc_osd_op_msg m = {0};
	struct cephc_osd_msg_info info;
	uint8_t data[4096], buf[512];
	struct iovec dst = {.iov_base = data, .iov_len = sizeof(data)};

	(void)state;
	cephc_osd_ops_init(&ops);
	assert_int_equal(
	    cephc_osd_op_read(cephc_osd_ops_add(&ops), 0, 4096, &dst, 1), 0);
	assert_int_equal(cephc_osd_op_stat(cephc_osd_ops_add(&ops)), 0);
	m.pg_pool = 2;
	m.pg_seed = 0x1e;
	m.pg_shard = -1;
	m.raw_hash = 0xb706399e;
	m.epoch = 77;
	m.flags = cephc_osd_ops_rw_flags(&ops) | CEPHC_OSD_FLAG_ONDISK |
		  CEPHC_OSD_FLAG_KNOWN_REDIR;
	m.oloc_pool = 2;
	m.oloc_key = "k";
	m.oloc_nspace = "ns1";
	m.oid = "hello";
	m.snapid = CEPHC_NOSNAP;
	m.retry_attempt = 2;
	m.features = FEATURES;
	assert_int_equal(
	    cephc_osd_op_msg_encode(&m, &ops, buf, sizeof(buf), &info), 0);
	assert_int_equal(info.front_len, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(info.data_len, 0);
	cephc_osd_ops_release(&ops);
}

static void test_front_snapc_and_limits(void **state)
{
	struct cephc_osd_ops ops;
	struct cephc_osd_op_msg m = {0};
	struct cephc_osd_msg_info info;
	uint64_t snaps[2] = {9, 4};
	uint8_t buf[512];
	size_t n;

	(void)state;
	cephc_osd_ops_init(&ops);
	m.oid = "x";
	/* No ops: nothing to send. */
	assert_int_equal(cephc_osd_op_msg_front_len(&m, &ops), 0);
	assert_int_equal(
	    cephc_osd_op_msg_encode(&m, &ops, buf, sizeof(buf), &info),
	    CEPHC_EINVAL);
	cephc_osd_op_zero(cephc_osd_ops_add(&ops), 4096, 8192);
	m.snap_seq = 9;
	m.snaps = snaps;
	m.num_snaps = 2;
	n = cephc_osd_op_msg_front_len(&m, &ops);
	assert_int_equal(
	    cephc_osd_op_msg_encode(&m, &ops, buf, sizeof(buf), &info), 0);
	assert_int_equal(info.front_len, n);
	/* Tail: snapid, seq 9, n 2, 9, 4, retry, features. */
	assert_int_equal(get_le64(buf + n - 8 - 4 - 16 - 4 - 8), 9);
	assert_int_equal(get_le32(buf + n - 8 - 4 - 16 - 4), 2);
	assert_int_equal(get_le64(buf + n - 8 - 4 - 16), 9);
	assert_int_equal(get_le64(buf + n - 8 - 4 - 8), 4);
	m.num_snaps = CEPHC_OSD_MAX_SNAPS + 1;
	assert_int_equal(cephc_osd_op_msg_front_len(&m, &ops), 0);
}

/* ---- a test-side MOSDOpReply encoder ---- */

struct rop {
	uint16_t op;
	uint32_t outlen;
	int32_t rval;
};

static size_t build_reply(uint8_t *buf, size_t cap, uint16_t version,
			  const struct rop *ops, uint32_t n, int32_t result,
			  int32_t retry, bool redirect, bool trailer)
{
	struct cephc_enc e;
	uint32_t i;

	enc_init(&e, buf, cap);
	enc_string(&e, "hello");
	enc_u8(&e, 1);
	enc_le64(&e, 2);
	enc_le32(&e, 0x1e);
	enc_le32(&e, UINT32_MAX);
	enc_le64(&e, 0x400015);
	enc_le32(&e, (uint32_t)result);
	enc_le64(&e, 0);
	enc_le32(&e, 0);
	enc_le32(&e, 77);
	enc_le32(&e, n);
	for (i = 0; i < n; i++) {
		enc_le16(&e, ops[i].op);
		enc_le32(&e, 0);
		enc_zeros(&e, 28);
		enc_le32(&e, ops[i].outlen);
	}
	enc_le32(&e, (uint32_t)retry);
	for (i = 0; i < n; i++)
		enc_le32(&e, (uint32_t)ops[i].rval);
	enc_le64(&e, 123);
	enc_le32(&e, 77);
	enc_le64(&e, 456);
	if (version >= 7)
		enc_u8(&e, redirect);
	if (redirect) {
		size_t r = enc_envelope_begin(&e, 1, 1);
		size_t o = enc_envelope_begin(&e, 6, 3);

		enc_le64(&e, 5);
		enc_le32(&e, UINT32_MAX);
		enc_string(&e, "");
		enc_string(&e, "ns1");
		enc_le64(&e, (uint64_t)-1);
		enc_envelope_end(&e, o);
		enc_string(&e, "");
		enc_le32(&e, 0);
		enc_envelope_end(&e, r);
	}
	if (trailer)
		enc_zeros(&e, 24); /* v8 trace */
	assert_int_equal(e.err, 0);
	return enc_len(&e);
}

static void test_reply_read_stat_plan(void **state)
{
	static const struct rop rops[] = {
	    {CEPHC_OSD_OP_READ, 10, 0},
	    {CEPHC_OSD_OP_STAT, 16, 0},
	};
	uint8_t front[512], data[26], rbuf1[4], rbuf2[4096];
	struct iovec dst[2] = {{rbuf1, sizeof(rbuf1)}, {rbuf2, sizeof(rbuf2)}};
	struct cephc_osd_ops ops;
	struct cephc_osd_reply r;
	struct cephc_osd_rx_plan plan;
	uint64_t size;
	uint32_t sec, nsec;
	size_t n;

	(void)state;
	cephc_osd_ops_init(&ops);
	cephc_osd_op_read(cephc_osd_ops_add(&ops), 0, 4096, dst, 2);
	cephc_osd_op_stat(cephc_osd_ops_add(&ops));
	n = build_reply(front, sizeof(front), 8, rops, 2, 0, 0, false, true);
	assert_int_equal(cephc_osd_reply_decode(front, n, 8, &r), 0);
	assert_int_equal(r.oid_len, 5);
	assert_memory_equal(r.oid, "hello", 5);
	assert_int_equal(r.pg_pool, 2);
	assert_int_equal(r.pg_seed, 0x1e);
	assert_int_equal(r.flags, 0x400015);
	assert_int_equal(r.osdmap_epoch, 77);
	assert_int_equal(r.num_ops, 2);
	assert_int_equal(r.ops[1].outdata_len, 16);
	assert_int_equal(r.user_version, 456);
	assert_false(r.redirect);

	assert_int_equal(cephc_osd_reply_apply(&r, &ops, 26), 0);
	assert_int_equal(cephc_osd_rx_plan_build(&plan, &ops), 0);
	/* READ's 10 bytes go 4 + 6 into the caller's two buffers, STAT's
	 * 16 into scratch. */
	assert_int_equal(plan.nseg, 3);
	assert_ptr_equal(plan.seg[0].iov_base, rbuf1);
	assert_int_equal(plan.seg[1].iov_len, 6);
	assert_int_equal(plan.scratch_len, 16);
	assert_int_equal(plan.total, 26);
	memcpy(data, "0123456789", 10);
	put_le64(data + 10, 12345);
	put_le32(data + 18, 1700000000);
	put_le32(data + 22, 7);
	assert_int_equal(cephc_osd_rx_plan_copy_in(&plan, data, 26), 0);
	assert_memory_equal(rbuf1, "0123", 4);
	assert_memory_equal(rbuf2, "456789", 6);
	assert_int_equal(ops.ops[0].op_outdata_len, 10);
	assert_int_equal(cephc_osd_decode_stat(ops.ops[1].op_outdata,
					       ops.ops[1].op_outdata_len, &size,
					       &sec, &nsec),
			 0);
	assert_int_equal(size, 12345);
	assert_int_equal(sec, 1700000000);
	assert_int_equal(nsec, 7);
	cephc_osd_rx_plan_release(&plan);
	cephc_osd_ops_release(&ops);
}

static void test_reply_bad_inputs(void **state)
{
	struct rop rops[2] = {
	    {CEPHC_OSD_OP_READ, 10, 0},
	    {CEPHC_OSD_OP_STAT, 16, 0},
	};
	uint8_t front[512], rb[100];
	struct iovec dst = {rb, sizeof(rb)};
	struct cephc_osd_ops ops, wops;
	struct cephc_osd_reply r;
	size_t n, i;

	(void)state;
	cephc_osd_ops_init(&ops);
	cephc_osd_op_read(cephc_osd_ops_add(&ops), 0, 100, &dst, 1);
	cephc_osd_op_stat(cephc_osd_ops_add(&ops));

	/* Every truncation of a reply without optional tail fails cleanly. */
	n = build_reply(front, sizeof(front), 7, rops, 2, 0, 0, true, false);
	for (i = 0; i < n; i++)
		assert_int_not_equal(cephc_osd_reply_decode(front, i, 7, &r),
				     0);
	assert_int_equal(cephc_osd_reply_decode(front, n, 7, &r), 0);
	assert_true(r.redirect);
	assert_int_equal(r.redirect_pool, 5);
	assert_int_equal(r.redirect_nspace_len, 3);

	/* Too old a layout. */
	assert_int_equal(cephc_osd_reply_decode(front, n, 4, &r),
			 CEPHC_ECOMPAT);

	/* Op count different from what was sent. */
	n = build_reply(front, sizeof(front), 8, rops, 1, 0, 0, false, true);
	assert_int_equal(cephc_osd_reply_decode(front, n, 8, &r), 0);
	assert_int_equal(cephc_osd_reply_apply(&r, &ops, 10), CEPHC_EDECODE);

	/* Out lengths that do not sum to the header's data_len. */
	n = build_reply(front, sizeof(front), 8, rops, 2, 0, 0, false, true);
	assert_int_equal(cephc_osd_reply_decode(front, n, 8, &r), 0);
	assert_int_equal(cephc_osd_reply_apply(&r, &ops, 27), CEPHC_EDECODE);
	assert_int_equal(cephc_osd_reply_apply(&r, &ops, 26), 0);

	/* Read data longer than requested. */
	rops[0].outlen = 101;
	n = build_reply(front, sizeof(front), 8, rops, 2, 0, 0, false, true);
	assert_int_equal(cephc_osd_reply_decode(front, n, 8, &r), 0);
	assert_int_equal(cephc_osd_reply_apply(&r, &ops, 117), CEPHC_ETOOBIG);
	rops[0].outlen = 10;

	/* Different op code echoed back. */
	rops[1].op = CEPHC_OSD_OP_WRITE;
	n = build_reply(front, sizeof(front), 8, rops, 2, 0, 0, false, true);
	assert_int_equal(cephc_osd_reply_decode(front, n, 8, &r), 0);
	assert_int_equal(cephc_osd_reply_apply(&r, &ops, 26), CEPHC_EDECODE);
	rops[1].op = CEPHC_OSD_OP_STAT;

	/* Positive rval / result on a pure write. */
	cephc_osd_ops_init(&wops);
	cephc_osd_op_delete(cephc_osd_ops_add(&wops));
	{
		struct rop w = {CEPHC_OSD_OP_DELETE, 0, 3};

		n = build_reply(front, sizeof(front), 8, &w, 1, 0, 0, false,
				true);
		assert_int_equal(cephc_osd_reply_decode(front, n, 8, &r), 0);
		assert_int_equal(cephc_osd_reply_apply(&r, &wops, 0),
				 CEPHC_EDECODE);
		w.rval = 0;
		n = build_reply(front, sizeof(front), 8, &w, 1, 5, 0, false,
				true);
		assert_int_equal(cephc_osd_reply_decode(front, n, 8, &r), 0);
		assert_int_equal(cephc_osd_reply_apply(&r, &wops, 0),
				 CEPHC_EDECODE);
		w.rval = -2;
		n = build_reply(front, sizeof(front), 8, &w, 1, -2, 0, false,
				true);
		assert_int_equal(cephc_osd_reply_decode(front, n, 8, &r), 0);
		assert_int_equal(cephc_osd_reply_apply(&r, &wops, 0), 0);
		assert_int_equal(wops.ops[0].op_rval, -2);
	}

	/* A huge op count is refused before anything is read for it. */
	n = build_reply(front, sizeof(front), 8, rops, 2, 0, 0, false, true);
	put_le32(front + 4 + 5 + 17 + 8 + 4 + 12 + 4, 0xffffffff);
	assert_int_equal(cephc_osd_reply_decode(front, n, 8, &r),
			 CEPHC_ETOOBIG);
	put_le32(front + 4 + 5 + 17 + 8 + 4 + 12 + 4, 16);
	assert_int_equal(cephc_osd_reply_decode(front, n, 8, &r),
			 CEPHC_EDECODE);
	/* Bad pg_t version byte. */
	n = build_reply(front, sizeof(front), 8, rops, 2, 0, 0, false, true);
	front[9] = 2;
	assert_int_equal(cephc_osd_reply_decode(front, n, 8, &r),
			 CEPHC_EDECODE);
	cephc_osd_ops_release(&ops);
}

static void test_reply_scratch_read_and_call(void **state)
{
	static const struct rop rops[] = {
	    {CEPHC_OSD_OP_CALL, 8, 1}, /* cls methods may return > 0 */
	    {CEPHC_OSD_OP_READ, 3, 0},
	};
	uint8_t front[512];
	struct cephc_osd_ops ops;
	struct cephc_osd_reply r;
	struct cephc_osd_rx_plan plan;
	size_t n;

	(void)state;
	cephc_osd_ops_init(&ops);
	cephc_osd_op_call(cephc_osd_ops_add(&ops), "rbd", "get_size", NULL, 0,
			  false, 64);
	cephc_osd_op_read(cephc_osd_ops_add(&ops), 0, 3, NULL, 0);
	n = build_reply(front, sizeof(front), 8, rops, 2, 0, 0, false, true);
	assert_int_equal(cephc_osd_reply_decode(front, n, 8, &r), 0);
	assert_int_equal(cephc_osd_reply_apply(&r, &ops, 11), 0);
	assert_int_equal(cephc_osd_rx_plan_build(&plan, &ops), 0);
	/* Both scratch regions are adjacent: one segment. */
	assert_int_equal(plan.nseg, 1);
	assert_int_equal(cephc_osd_rx_plan_copy_in(&plan, "ABCDEFGHxyz", 11),
			 0);
	assert_memory_equal(ops.ops[0].op_outdata, "ABCDEFGH", 8);
	assert_memory_equal(ops.ops[1].op_outdata, "xyz", 3);
	assert_int_equal(ops.ops[0].op_rval, 1);
	assert_int_equal(cephc_osd_rx_plan_copy_in(&plan, "AB", 2),
			 CEPHC_EINVAL);
	cephc_osd_rx_plan_release(&plan);
	cephc_osd_ops_release(&ops);
}

/* ---- MOSDBackoff ---- */

static void make_backoff(struct cephc_osd_backoff *b)
{
	memset(b, 0, sizeof(*b));
	b->pg_pool = 2;
	b->pg_seed = 0x1e;
	b->pg_shard = -1;
	b->map_epoch = 40;
	b->op = CEPHC_OSD_BACKOFF_BLOCK;
	b->id = 9;
	b->begin.oid = (const uint8_t *)"a";
	b->begin.oid_len = 1;
	b->begin.hash = 0x1e;
	b->begin.pool = 2;
	b->begin.snap = 0;
	b->end = b->begin;
	b->end.hash = 0x3e; /* reversed hash is larger */
}

static void test_backoff_roundtrip_and_ack(void **state)
{
	struct cephc_osd_backoff b, d;
	struct cephc_hobject h;
	uint8_t buf[512];
	size_t n, i;

	(void)state;
	make_backoff(&b);
	n = cephc_osd_backoff_ack_len(&b);
	assert_int_equal(
	    cephc_osd_backoff_ack_encode(&b, 41, buf, sizeof(buf), &n), 0);
	assert_int_equal(n, cephc_osd_backoff_ack_len(&b));
	/* spg_t envelope then epoch 41, op ACK_BLOCK, id 9 */
	assert_int_equal(buf[0], 1);
	assert_int_equal(get_le32(buf + 2), 18);
	assert_int_equal(get_le32(buf + 24), 41);
	assert_int_equal(buf[28], CEPHC_OSD_BACKOFF_ACK_BLOCK);
	assert_int_equal(get_le64(buf + 29), 9);
	/* hobject_t v4 compat 3 */
	assert_int_equal(buf[37], 4);
	assert_int_equal(buf[38], 3);

	assert_int_equal(cephc_osd_backoff_decode(buf, n, &d), 0);
	assert_int_equal(d.op, CEPHC_OSD_BACKOFF_ACK_BLOCK);
	assert_int_equal(d.pg_pool, 2);
	assert_int_equal(d.pg_shard, -1);
	assert_int_equal(d.map_epoch, 41);
	assert_int_equal(d.begin.oid_len, 1);
	assert_int_equal(d.end.hash, 0x3e);
	for (i = 0; i < n; i++)
		assert_int_not_equal(cephc_osd_backoff_decode(buf, i, &d), 0);

	h = b.begin;
	assert_true(cephc_osd_backoff_covers(&b, &h));
	assert_false(cephc_osd_backoff_covers(&b, &b.end)); /* [begin,end) */
	h.pool = 3;
	assert_false(cephc_osd_backoff_covers(&b, &h));
}

static void test_backoff_bad(void **state)
{
	struct cephc_osd_backoff b, d;
	uint8_t buf[512];
	size_t n;

	(void)state;
	make_backoff(&b);
	/* begin > end */
	b.begin.hash = 0x3e;
	b.end.hash = 0x1e;
	assert_int_equal(
	    cephc_osd_backoff_ack_encode(&b, 1, buf, sizeof(buf), &n), 0);
	assert_int_equal(cephc_osd_backoff_decode(buf, n, &d), CEPHC_EDECODE);
	/* unknown op */
	make_backoff(&b);
	assert_int_equal(
	    cephc_osd_backoff_ack_encode(&b, 1, buf, sizeof(buf), &n), 0);
	buf[28] = 7;
	assert_int_equal(cephc_osd_backoff_decode(buf, n, &d), CEPHC_EDECODE);
	buf[28] = CEPHC_OSD_BACKOFF_UNBLOCK;
	assert_int_equal(cephc_osd_backoff_decode(buf, n, &d), 0);
	/* hobject compat newer than understood */
	buf[38] = 5;
	assert_int_equal(cephc_osd_backoff_decode(buf, n, &d), CEPHC_ECOMPAT);
	/* hobject envelope length past the end */
	buf[38] = 3;
	put_le32(buf + 39, 0xffffffff);
	assert_int_equal(cephc_osd_backoff_decode(buf, n, &d), CEPHC_EDECODE);
	/* too small an ack buffer */
	assert_int_equal(cephc_osd_backoff_ack_encode(&b, 1, buf, 20, &n),
			 CEPHC_EOVERFLOW);
}

/* ---- MWatchNotify ---- */

static void test_watch_notify(void **state)
{
	static const uint8_t msg[] = {
	    1,           CEPHC_WATCH_EVENT_NOTIFY,
	    L64(0x77),   L64(3),
	    L64(0x1234), L32(3),
	    'a',         'b',
	    'c',         L32(0xfffffff0),
	    L64(4100),
	};
	struct cephc_osd_watch_notify n;
	uint8_t bad[sizeof(msg)];
	size_t i;

	(void)state;
	assert_int_equal(cephc_osd_watch_notify_decode(msg, sizeof(msg), 3, &n),
			 0);
	assert_int_equal(n.opcode, CEPHC_WATCH_EVENT_NOTIFY);
	assert_int_equal(n.cookie, 0x77);
	assert_int_equal(n.notify_id, 0x1234);
	assert_int_equal(n.payload_len, 3);
	assert_memory_equal(n.payload, "abc", 3);
	assert_int_equal(n.return_code, -16);
	assert_int_equal(n.notifier_gid, 4100);
	/* Header v1: neither return code nor gid. */
	assert_int_equal(
	    cephc_osd_watch_notify_decode(msg, sizeof(msg) - 12, 1, &n), 0);
	assert_int_equal(n.notifier_gid, 0);
	for (i = 0; i < sizeof(msg); i++)
		assert_int_not_equal(
		    cephc_osd_watch_notify_decode(msg, i, 3, &n), 0);
	memcpy(bad, msg, sizeof(msg));
	bad[1] = 9;
	assert_int_equal(cephc_osd_watch_notify_decode(bad, sizeof(bad), 3, &n),
			 CEPHC_EDECODE);
	memcpy(bad, msg, sizeof(msg));
	put_le32(bad + 26, 0x80000000); /* payload length over the max */
	assert_int_equal(cephc_osd_watch_notify_decode(bad, sizeof(bad), 3, &n),
			 CEPHC_ETOOBIG);
	put_le32(bad + 26, 40); /* payload length past the end */
	assert_int_equal(cephc_osd_watch_notify_decode(bad, sizeof(bad), 3, &n),
			 CEPHC_EDECODE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_front_writefull_golden),
	    cmocka_unit_test(test_front_read_stat_ns_key_golden),
	    cmocka_unit_test(test_front_snapc_and_limits),
	    cmocka_unit_test(test_reply_read_stat_plan),
	    cmocka_unit_test(test_reply_bad_inputs),
	    cmocka_unit_test(test_reply_scratch_read_and_call),
	    cmocka_unit_test(test_backoff_roundtrip_and_ack),
	    cmocka_unit_test(test_backoff_bad),
	    cmocka_unit_test(test_watch_notify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
