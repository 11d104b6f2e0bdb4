/* SPDX-License-Identifier: MIT */
/*
 * OSD client core against a fake OSD (the messenger's accepting side on
 * loopback): reply matching, stale and duplicate replies, op count and data
 * length mismatches, resend after a session fault with the same tid and the
 * RETRY flag, backoff block/unblock, timeouts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "auth/auth.h"
#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/encode.h"
#include "core/pagelist.h"
#include "msgr/msgr.h"
#include "osdc/osd_client.h"
#include "osdmap/ceph_hash.h"
#include "osdmap/osdmap.h"

#define POOL 1
#define MAX_SEEN 32

struct seen_op {
	uint64_t tid;
	uint32_t flags;
	uint32_t hash;
};

static struct {
	struct cephc_loop *loop;
	struct cephc_msgr *cli, *srv;
	struct cephc_auth *auth;
	struct cephc_osdc *osdc;
	struct cephc_osdmap *map;
	struct cephc_conn *srv_con;
	/* what the fake OSD saw */
	struct seen_op seen[MAX_SEEN];
	int nseen;
	int acks; /* MOSDBackoff ACK_BLOCK received */
	/* completions */
	int done_count;
	int done_err;
} F;

/* ---- a one-OSD map built by hand: pool 1 (pg_num 1) -> pg_temp [0] ---- */

static struct cephc_osdmap *make_map(const struct cephc_entity_addr *a)
{
	struct cephc_osdmap *m = cephc_calloc(1, sizeof(*m));
	struct cephc_pg_pool *p;

	m->epoch = 5;
	m->max_osd = 1;
	m->osd_state = cephc_calloc(1, sizeof(uint32_t));
	m->osd_weight = cephc_calloc(1, sizeof(uint32_t));
	m->osd_addrs = cephc_calloc(1, sizeof(*m->osd_addrs));
	m->osd_state[0] = CEPHC_OSD_EXISTS | CEPHC_OSD_UP;
	m->osd_weight[0] = CEPHC_OSD_IN;
	m->osd_addrs[0].n = 1;
	m->osd_addrs[0].a[0] = *a;
	m->osd_addrs[0].a[0].type = CEPHC_ADDR_LEGACY;
	m->n_pools = 1;
	m->pool_max = POOL;
	m->pools = p = cephc_calloc(1, sizeof(*p));
	p->id = POOL;
	p->name = cephc_strdup("fake");
	p->type = CEPHC_POOL_TYPE_REPLICATED;
	p->size = p->min_size = 1;
	p->pg_num = p->pgp_num = 1;
	p->object_hash = CEPHC_STR_HASH_RJENKINS;
	p->flags = CEPHC_POOL_FLAG_HASHPSPOOL;
	p->tier_of = p->read_tier = p->write_tier = -1;
	m->pg_temp.n = m->pg_temp.cap = 1;
	m->pg_temp.e = cephc_calloc(1, sizeof(*m->pg_temp.e));
	m->pg_temp.e[0].pg.pool = POOL;
	m->pg_temp.e[0].n = 1;
	m->pg_temp.e[0].osds = cephc_calloc(1, sizeof(int32_t));
	return m;
}

static const struct cephc_osdmap *get_map(void *arg)
{
	(void)arg;
	return F.map;
}

/* ---- fake OSD ------------------------------------------------------------ */

/* MOSDOp front: spgid (24 bytes), le32 hash, le32 epoch, le32 flags. */
static void srv_dispatch(struct cephc_conn *con, struct cephc_msg *msg)
{
	F.srv_con = con;
	if (msg->hdr.type == CEPHC_MSG_OSD_OP && F.nseen < MAX_SEEN) {
		F.seen[F.nseen].tid = msg->hdr.tid;
		F.seen[F.nseen].flags = get_le32(msg->front + 32);
		F.seen[F.nseen].hash = get_le32(msg->front + 24);
		F.nseen++;
	} else if (msg->hdr.type == CEPHC_MSG_OSD_BACKOFF &&
		   msg->front[28] == CEPHC_OSD_BACKOFF_ACK_BLOCK) {
		F.acks++;
	}
	cephc_msg_put(msg);
}

static void srv_accepted(struct cephc_conn *con)
{
	F.srv_con = con;
}

static void srv_fault(struct cephc_conn *con, int err)
{
	(void)err;
	if (F.srv_con == con)
		F.srv_con = NULL;
	cephc_conn_destroy(con);
}

static const struct cephc_conn_ops srv_ops = {
    .dispatch = srv_dispatch,
    .accepted = srv_accepted,
    .fault = srv_fault,
};

struct fake_op {
	uint16_t code;
	uint32_t outlen;
	int32_t rval;
};

/* Send an MOSDOpReply v8 for tid with the given ops and data. */
static void reply(uint64_t tid, int32_t result, int32_t retry,
		  const struct fake_op *ops, uint32_t nops, const void *data,
		  uint32_t data_len)
{
	static uint8_t front[1024];
	struct cephc_msg *m;
	struct cephc_enc e;

	enc_init(&e, front, sizeof(front));
	enc_string(&e, "obj");
	enc_u8(&e, 1); /* pg_t */
	enc_le64(&e, POOL);
	enc_le32(&e, 0);
	enc_le32(&e, UINT32_MAX);
	enc_le64(&e, CEPHC_OSD_FLAG_ACK | CEPHC_OSD_FLAG_ONDISK);
	enc_le32(&e, (uint32_t)result);
	enc_le64(&e, 0); /* bad replay version */
	enc_le32(&e, 0);
	enc_le32(&e, 5); /* epoch */
	enc_le32(&e, nops);
	for (uint32_t i = 0; i < nops; i++) {
		uint8_t un[CEPHC_OSD_OP_UNION_LEN] = {0};
		enc_le16(&e, ops[i].code);
		enc_le32(&e, 0);
		enc_bytes(&e, un, sizeof(un));
		enc_le32(&e, ops[i].outlen);
	}
	enc_le32(&e, (uint32_t)retry);
	for (uint32_t i = 0; i < nops; i++)
		enc_le32(&e, (uint32_t)ops[i].rval);
	enc_le64(&e, 1); /* replay version */
	enc_le32(&e, 5);
	enc_le64(&e, 77); /* user version */
	enc_u8(&e, 0);    /* no redirect */
	uint8_t trace[24] = {0};
	enc_bytes(&e, trace, sizeof(trace));
	m = cephc_msg_new(CEPHC_MSG_OSD_OPREPLY, (uint32_t)enc_len(&e));
	assert_non_null(m);
	memcpy(m->front, front, enc_len(&e));
	m->hdr.tid = tid;
	m->hdr.version = 8;
	m->hdr.compat_version = 2;
	if (data_len) {
		struct cephc_pagelist pl;
		cephc_pagelist_init(&pl);
		cephc_pagelist_append(&pl, data, data_len);
		cephc_msg_data_add_pagelist(&m->data, &pl);
	}
	assert_non_null(F.srv_con);
	cephc_conn_send(F.srv_con, m);
}

static void send_backoff(uint8_t op, uint64_t id)
{
	struct cephc_osd_backoff b;
	uint8_t buf[512];
	size_t len;

	memset(&b, 0, sizeof(b));
	b.pg_pool = POOL;
	b.pg_seed = 0;
	b.pg_shard = -1;
	b.map_epoch = 5;
	b.id = id;
	cephc_hobject_init_min(&b.begin);
	cephc_hobject_init_min(&b.end);
	b.end.is_max = true;
	assert_int_equal(
	    cephc_osd_backoff_ack_encode(&b, 5, buf, sizeof(buf), &len), 0);
	buf[28] = op; /* the encoder writes ACK_BLOCK; the fake OSD sends op */
	struct cephc_msg *m =
	    cephc_msg_new(CEPHC_MSG_OSD_BACKOFF, (uint32_t)len);
	memcpy(m->front, buf, len);
	m->hdr.version = 1;
	m->hdr.compat_version = 1;
	cephc_conn_send(F.srv_con, m);
}

/* ---- client side -------------------------------------------------------- */

static void run_until(const int *v, int want, int max_ms)
{
	for (int i = 0; i < max_ms && *v < want; i++)
		cephc_loop_process(F.loop, 1);
}

static void run_for(int ms)
{
	uint64_t end = cephc_now_ns() + (uint64_t)ms * 1000000u;

	while (cephc_now_ns() < end)
		cephc_loop_process(F.loop, 1);
}

static void on_done(struct cephc_osdc_req *req, int err)
{
	(void)req;
	F.done_count++;
	F.done_err = err;
}

static int setup(void **state)
{
	struct cephc_entity_addr any;
	struct cephc_msgr_opts o;
	struct cephc_auth_buf b;
	struct cephc_auth_params ap = {
	    .name_type = CEPHC_ENTITY_CLIENT,
	    .name_id = "admin",
	    .allowed = 1u << CEPHC_AUTH_NONE,
	};

	(void)state;
	memset(&F, 0, sizeof(F));
	cephc_msgr_opts_default(&o);
	assert_int_equal(cephc_loop_create(&F.loop), 0);
	assert_int_equal(
	    cephc_msgr_create(F.loop, &o, CEPHC_ENTITY_CLIENT, &F.cli), 0);
	assert_int_equal(
	    cephc_msgr_create(F.loop, &o, CEPHC_ENTITY_OSD, &F.srv), 0);
	assert_int_equal(cephc_addr_parse("v1:127.0.0.1:0", &any, 0), 0);
	assert_int_equal(cephc_msgr_listen(F.srv, &any, &srv_ops, NULL), 0);
	F.map = make_map(cephc_msgr_addr(F.srv));
	/* auth none, negotiated by hand (no monitor here) */
	F.auth = cephc_auth_create(&ap);
	assert_non_null(F.auth);
	cephc_auth_buf_init(&b);
	assert_int_equal(cephc_auth_build_hello(F.auth, &b), 0);
	cephc_auth_buf_free(&b);
	assert_int_equal(cephc_auth_handle_reply(F.auth, CEPHC_AUTH_NONE, 0,
						 4242, NULL, 0, 0),
			 CEPHC_AUTH_DONE);
	struct cephc_osdc_params p = {
	    .msgr = F.cli,
	    .auth = F.auth,
	    .get_map = get_map,
	};
	assert_int_equal(cephc_osdc_create(&p, &F.osdc), 0);
	cephc_osdc_handle_map_change(F.osdc);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cephc_osdc_destroy(F.osdc);
	if (F.srv_con)
		cephc_conn_destroy(F.srv_con);
	run_for(5);
	cephc_msgr_destroy(F.cli);
	cephc_msgr_destroy(F.srv);
	cephc_loop_destroy(F.loop);
	cephc_auth_destroy(F.auth);
	cephc_osdmap_free(F.map);
	return 0;
}

struct read_req {
	struct cephc_osdc_req req;
	struct cephc_osd_ops ops;
	struct iovec iov;
	uint8_t buf[16];
};

static void submit_read(struct read_req *r, uint32_t len, uint32_t timeout)
{
	memset(r, 0, sizeof(*r));
	r->iov.iov_base = r->buf;
	r->iov.iov_len = sizeof(r->buf);
	cephc_osd_ops_init(&r->ops);
	assert_int_equal(
	    cephc_osd_op_read(cephc_osd_ops_add(&r->ops), 0, len, &r->iov, 1),
	    0);
	cephc_osdc_req_init(&r->req);
	r->req.ops = &r->ops;
	r->req.pool = POOL;
	r->req.oid = "obj";
	r->req.timeout_ms = timeout;
	r->req.done = on_done;
	assert_int_equal(cephc_osdc_submit(F.osdc, &r->req), 0);
}

static const struct fake_op read4 = {CEPHC_OSD_OP_READ, 4, 0};

static void test_reply_lands_in_caller_buffer(void **state)
{
	struct read_req r;
	uint64_t copies = cephc_payload_copy_bytes();

	(void)state;
	submit_read(&r, 4, 0);
	run_until(&F.nseen, 1, 2000);
	assert_int_equal(F.nseen, 1);
	assert_true(F.seen[0].flags & CEPHC_OSD_FLAG_READ);
	assert_false(F.seen[0].flags & CEPHC_OSD_FLAG_RETRY);
	reply(F.seen[0].tid, 0, 0, &read4, 1, "abcd", 4);
	run_until(&F.done_count, 1, 2000);
	assert_int_equal(F.done_count, 1);
	assert_int_equal(F.done_err, 0);
	assert_memory_equal(r.buf, "abcd", 4);
	assert_int_equal(r.ops.ops[0].op_outdata_len, 4);
	assert_int_equal(r.req.user_version, 77);
	/* received straight into the caller's buffer */
	assert_int_equal(cephc_payload_copy_bytes() - copies, 0);
	cephc_osd_ops_release(&r.ops);
}

static void test_stale_and_duplicate_replies_dropped(void **state)
{
	struct read_req r;
	struct cephc_osdc_stats st;

	(void)state;
	submit_read(&r, 4, 0);
	run_until(&F.nseen, 1, 2000);
	/* a reply to an earlier attempt, and one for an unknown tid */
	reply(F.seen[0].tid, 0, 3, &read4, 1, "zzzz", 4);
	reply(F.seen[0].tid + 100, 0, 0, &read4, 1, "yyyy", 4);
	run_for(50);
	assert_int_equal(F.done_count, 0);
	reply(F.seen[0].tid, 0, 0, &read4, 1, "abcd", 4);
	reply(F.seen[0].tid, 0, 0, &read4, 1, "dupl", 4);
	run_for(50);
	assert_int_equal(F.done_count, 1);
	assert_memory_equal(r.buf, "abcd", 4);
	cephc_osdc_get_stats(F.osdc, &st);
	assert_int_equal(st.stale_replies, 3);
	assert_int_equal(st.in_flight, 0);
	cephc_osd_ops_release(&r.ops);
}

static void test_op_count_mismatch_fails(void **state)
{
	struct read_req r;
	struct fake_op two[2] = {read4, read4};

	(void)state;
	submit_read(&r, 4, 0);
	run_until(&F.nseen, 1, 2000);
	reply(F.seen[0].tid, 0, 0, two, 2, "abcdefgh", 8);
	run_until(&F.done_count, 1, 2000);
	assert_int_equal(F.done_count, 1);
	assert_int_equal(F.done_err, CEPHC_EDECODE);
	cephc_osd_ops_release(&r.ops);
}

static void test_data_longer_than_requested_fails(void **state)
{
	struct read_req r;
	struct fake_op big = {CEPHC_OSD_OP_READ, 8, 0};

	(void)state;
	submit_read(&r, 4, 0);
	run_until(&F.nseen, 1, 2000);
	reply(F.seen[0].tid, 0, 0, &big, 1, "abcdefgh", 8);
	run_until(&F.done_count, 1, 2000);
	assert_int_equal(F.done_count, 1);
	assert_int_equal(F.done_err, CEPHC_EDECODE);
	/* the caller's buffer was not overrun past what it asked for */
	assert_int_equal(r.buf[4], 0);
	cephc_osd_ops_release(&r.ops);
}

static void test_osd_error_result(void **state)
{
	struct read_req r;
	struct fake_op e = {CEPHC_OSD_OP_READ, 0, 0};

	(void)state;
	submit_read(&r, 4, 0);
	run_until(&F.nseen, 1, 2000);
	reply(F.seen[0].tid, CEPHC_ENOENT, 0, &e, 1, NULL, 0);
	run_until(&F.done_count, 1, 2000);
	assert_int_equal(F.done_err, CEPHC_ENOENT);
	cephc_osd_ops_release(&r.ops);
}

/* PG ops (PGNLS): the caller's raw hash is sent instead of the object
 * name's, and a positive overall result (1: PG exhausted) is kept. */
static void test_raw_hash_target_and_positive_result(void **state)
{
	struct cephc_osdc_req req;
	struct cephc_osd_ops ops;
	struct cephc_hobject cur;
	struct fake_op pg = {CEPHC_OSD_OP_PGNLS, 0, 0};

	(void)state;
	cephc_osd_ops_init(&ops);
	cephc_hobject_init_min(&cur);
	assert_int_equal(
	    cephc_osd_op_pgnls(cephc_osd_ops_add(&ops), 16, 0, &cur, 0), 0);
	cephc_osdc_req_init(&req);
	req.ops = &ops;
	req.pool = POOL;
	req.oid = "";
	req.use_raw_hash = true;
	req.raw_hash = 0x1234abcd;
	req.flags = CEPHC_OSD_FLAG_IGNORE_OVERLAY;
	req.done = on_done;
	assert_int_equal(cephc_osdc_submit(F.osdc, &req), 0);
	run_until(&F.nseen, 1, 2000);
	assert_int_equal(F.nseen, 1);
	assert_int_equal(F.seen[0].hash, 0x1234abcd);
	assert_true(F.seen[0].flags & CEPHC_OSD_FLAG_READ);
	assert_true(F.seen[0].flags & CEPHC_OSD_FLAG_IGNORE_OVERLAY);
	assert_false(F.seen[0].flags & CEPHC_OSD_FLAG_PGOP);
	reply(F.seen[0].tid, 1, 0, &pg, 1, NULL, 0);
	run_until(&F.done_count, 1, 2000);
	assert_int_equal(F.done_count, 1);
	assert_int_equal(F.done_err, 0);
	assert_int_equal(req.reply_result, 1);
	cephc_osd_ops_release(&ops);
}

static void test_resend_after_fault_same_tid_retry(void **state)
{
	struct read_req r;

	(void)state;
	submit_read(&r, 4, 0);
	run_until(&F.nseen, 1, 2000);
	/* the OSD drops the session: the client resends after reconnect */
	cephc_conn_destroy(F.srv_con);
	F.srv_con = NULL;
	run_until(&F.nseen, 2, 3000);
	assert_int_equal(F.nseen, 2);
	assert_int_equal(F.seen[1].tid, F.seen[0].tid);
	assert_true(F.seen[1].flags & CEPHC_OSD_FLAG_RETRY);
	/* the answer to the first send is stale now */
	reply(F.seen[0].tid, 0, 0, &read4, 1, "old!", 4);
	run_for(50);
	assert_int_equal(F.done_count, 0);
	reply(F.seen[0].tid, 0, 1, &read4, 1, "new!", 4);
	run_until(&F.done_count, 1, 2000);
	assert_int_equal(F.done_err, 0);
	assert_memory_equal(r.buf, "new!", 4);
	cephc_osd_ops_release(&r.ops);
}

static void test_backoff_holds_until_unblock(void **state)
{
	struct read_req r0, r;

	(void)state;
	/* open the session with a first request */
	submit_read(&r0, 4, 0);
	run_until(&F.nseen, 1, 2000);
	reply(F.seen[0].tid, 0, 0, &read4, 1, "abcd", 4);
	run_until(&F.done_count, 1, 2000);
	send_backoff(CEPHC_OSD_BACKOFF_BLOCK, 9);
	run_until(&F.acks, 1, 2000);
	assert_int_equal(F.acks, 1);
	submit_read(&r, 4, 0);
	run_for(100);
	assert_int_equal(F.nseen, 1); /* held */
	send_backoff(CEPHC_OSD_BACKOFF_UNBLOCK, 9);
	run_until(&F.nseen, 2, 2000);
	assert_int_equal(F.nseen, 2);
	reply(F.seen[1].tid, 0, 0, &read4, 1, "efgh", 4);
	run_until(&F.done_count, 2, 2000);
	assert_int_equal(F.done_err, 0);
	assert_memory_equal(r.buf, "efgh", 4);
	cephc_osd_ops_release(&r0.ops);
	cephc_osd_ops_release(&r.ops);
}

static void test_timeout(void **state)
{
	struct read_req r;
	uint64_t t0 = cephc_now_ns();

	(void)state;
	submit_read(&r, 4, 100);
	run_until(&F.done_count, 1, 3000);
	assert_int_equal(F.done_count, 1);
	assert_int_equal(F.done_err, CEPHC_ETIMEDOUT);
	/* checked on the 1 s tick */
	assert_true(cephc_now_ns() - t0 < 2500000000ull);
	cephc_osd_ops_release(&r.ops);
}

static void test_pool_deleted_fails_enoent(void **state)
{
	struct read_req r;

	(void)state;
	submit_read(&r, 4, 0);
	run_until(&F.nseen, 1, 2000);
	F.map->n_pools = 0; /* the pool is gone from the next map */
	F.map->epoch++;
	cephc_osdc_handle_map_change(F.osdc);
	assert_int_equal(F.done_count, 1);
	assert_int_equal(F.done_err, CEPHC_ENOENT);
	F.map->n_pools = 1; /* so that teardown frees it */
	/* a late reply for it is dropped */
	reply(F.seen[0].tid, 0, 0, &read4, 1, "late", 4);
	run_for(50);
	assert_int_equal(F.done_count, 1);
	cephc_osd_ops_release(&r.ops);
}

static void test_pauserd_holds_reads_until_cleared(void **state)
{
	struct read_req r;

	(void)state;
	F.map->flags |= CEPHC_OSDMAP_FLAG_PAUSERD;
	cephc_osdc_handle_map_change(F.osdc);
	submit_read(&r, 4, 0);
	run_for(100);
	assert_int_equal(F.nseen, 0);
	F.map->flags &= ~CEPHC_OSDMAP_FLAG_PAUSERD;
	F.map->epoch++;
	cephc_osdc_handle_map_change(F.osdc);
	run_until(&F.nseen, 1, 2000);
	assert_int_equal(F.nseen, 1);
	reply(F.seen[0].tid, 0, 0, &read4, 1, "abcd", 4);
	run_until(&F.done_count, 1, 2000);
	assert_int_equal(F.done_err, 0);
	cephc_osd_ops_release(&r.ops);
}

static void test_force_resend_epoch_resends(void **state)
{
	struct read_req r;

	(void)state;
	submit_read(&r, 4, 0);
	run_until(&F.nseen, 1, 2000);
	/* an unrelated map change does not resend */
	F.map->epoch++;
	cephc_osdc_handle_map_change(F.osdc);
	run_for(50);
	assert_int_equal(F.nseen, 1);
	/* the pool's (v28) last_force_op_resend passes our send epoch */
	F.map->epoch++;
	F.map->pools[0].last_force_op_resend = F.map->epoch;
	cephc_osdc_handle_map_change(F.osdc);
	run_until(&F.nseen, 2, 2000);
	assert_int_equal(F.nseen, 2);
	assert_int_equal(F.seen[1].tid, F.seen[0].tid);
	assert_true(F.seen[1].flags & CEPHC_OSD_FLAG_RETRY);
	reply(F.seen[0].tid, 0, 1, &read4, 1, "abcd", 4);
	run_until(&F.done_count, 1, 2000);
	assert_int_equal(F.done_err, 0);
	cephc_osd_ops_release(&r.ops);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_reply_lands_in_caller_buffer,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_stale_and_duplicate_replies_dropped, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_op_count_mismatch_fails, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_data_longer_than_requested_fails, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_raw_hash_target_and_positive_result, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_osd_error_result, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_resend_after_fault_same_tid_retry, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backoff_holds_until_unblock,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pool_deleted_fails_enoent,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_pauserd_holds_reads_until_cleared, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_force_resend_epoch_resends,
					    setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
