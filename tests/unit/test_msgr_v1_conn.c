/* SPDX-License-Identifier: MIT */
/*
 * msgr v1 connections: our client against our accepting side over loopback
 * (handshake paths, messages with every data item type, partial I/O, acks,
 * keepalive, reconnect, cross-thread send), and against a raw scripted peer
 * on a socketpair for every bad input of bad-inputs.md item 4.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/crc32c.h"
#include "core/encode.h"
#include "msgr/backoff.h"
#include "msgr/msgr.h"

/* ------------------------------------------------------------------ */
/* fixture */

struct side {
	struct cephc_msgr *msgr;
	struct cephc_conn *con; /* client's, or the last accepted */
	int faults;
	int last_err;
	int connected;
	int dispatched;
	struct cephc_msg *last; /* last dispatched message (owned) */
	/* receive into caller buffers when set */
	uint8_t *rx_buf;
	size_t rx_len;
	/* accepting side script: tags to answer before the default */
	uint8_t script[4];
	int nscript;
	uint32_t last_gseq, last_cseq;
	int challenges;
	uint8_t authorizer[16];
	uint8_t seen_auth[16];
	uint32_t seen_auth_len;
};

struct fixture {
	struct cephc_loop *loop;
	struct side cli, srv;
	int alloc_err;      /* server alloc_data hook result */
	int sign_bad;       /* client signs wrongly */
	int signs, checks;  /* hook calls */
	int auth_reply_bad; /* server answers a bad authorizer reply */
	int peer_resets;
	int echo; /* the server answers every message from its hook */
};

static struct fixture F;

static void side_take(struct side *s, struct cephc_msg *m)
{
	if (s->last)
		cephc_msg_put(s->last);
	s->last = m;
	__atomic_add_fetch(&s->dispatched, 1, __ATOMIC_RELEASE);
}

static void cli_dispatch(struct cephc_conn *con, struct cephc_msg *m)
{
	side_take(&F.cli, m);
}

static void srv_dispatch(struct cephc_conn *con, struct cephc_msg *m)
{
	if (F.echo) {
		struct cephc_msg *r = cephc_msg_new(m->hdr.type + 1, 8);

		r->hdr.tid = m->hdr.tid;
		cephc_conn_send(con, r); /* batched into the rx flush */
	}
	side_take(&F.srv, m);
}

static void cli_fault(struct cephc_conn *con, int err)
{
	F.cli.faults++;
	F.cli.last_err = err;
}

static void srv_fault(struct cephc_conn *con, int err)
{
	F.srv.faults++;
	F.srv.last_err = err;
	if (F.srv.con == con)
		F.srv.con = NULL;
	cephc_conn_destroy(con); /* deferred: we are inside a hook */
}

static void cli_connected(struct cephc_conn *con)
{
	F.cli.connected++;
}

static void cli_peer_reset(struct cephc_conn *con)
{
	F.peer_resets++;
}

static void srv_connected(struct cephc_conn *con)
{
	F.srv.connected++;
}

static void srv_accepted(struct cephc_conn *con)
{
	if (F.srv.con)
		cephc_conn_destroy(F.srv.con);
	F.srv.con = con;
}

static int alloc_into_buf(struct side *s, struct cephc_msg *m)
{
	if (!s->rx_buf)
		return 0;
	return cephc_msg_data_add_buf(&m->data, s->rx_buf, s->rx_len);
}

static int cli_alloc(struct cephc_conn *con, struct cephc_msg *m)
{
	return alloc_into_buf(&F.cli, m);
}

static int srv_alloc(struct cephc_conn *con, struct cephc_msg *m)
{
	if (F.alloc_err)
		return F.alloc_err;
	return alloc_into_buf(&F.srv, m);
}

/* A stand-in signature over the crcs (cephx fills in the real one). */
static uint64_t toy_sig(const struct cephc_msg *m)
{
	return (uint64_t)m->hdr.crc << 32 ^ m->footer.front_crc ^
	       m->footer.data_crc ^ m->hdr.seq;
}

static int cli_sign(struct cephc_conn *con, struct cephc_msg *m)
{
	F.signs++;
	m->footer.sig = F.sign_bad ? 0xbad : toy_sig(m);
	return 0;
}

static int srv_check(struct cephc_conn *con, const struct cephc_msg *m)
{
	F.checks++;
	assert_true(m->footer.flags & V1_FOOTER_SIGNED);
	return m->footer.sig == toy_sig(m) ? 0 : -1;
}

static int cli_verify_reply(struct cephc_conn *con, const uint8_t *b,
			    uint32_t len)
{
	return len == 8 && !memcmp(b, "OKREPLY!", 8) ? 0 : -1;
}

static int cli_get_auth(struct cephc_conn *con, uint32_t *proto,
			const uint8_t **buf, uint32_t *len)
{
	*proto = 2;
	*buf = F.cli.authorizer;
	*len = sizeof(F.cli.authorizer);
	return 0;
}

static int cli_challenge(struct cephc_conn *con, const uint8_t *b, uint32_t len)
{
	assert_int_equal(len, 8);
	F.cli.challenges++;
	/* "rebuild" the authorizer from the challenge */
	memcpy(F.cli.authorizer, b, 8);
	return 0;
}

static int srv_accept_connect(struct cephc_conn *con,
			      const struct v1_connect *c, const uint8_t *auth,
			      struct v1_connect_reply *reply,
			      uint8_t *reply_auth)
{
	struct side *s = &F.srv;

	s->last_gseq = c->global_seq;
	s->last_cseq = c->connect_seq;
	s->seen_auth_len = c->authorizer_len;
	if (c->authorizer_len <= sizeof(s->seen_auth))
		memcpy(s->seen_auth, auth, c->authorizer_len);
	if (c->authorizer_len &&
	    (reply->tag == V1_TAG_SEQ || reply->tag == V1_TAG_READY)) {
		memcpy(reply_auth, F.auth_reply_bad ? "BADREPLY" : "OKREPLY!",
		       8);
		reply->authorizer_len = 8;
	}
	if (s->nscript) {
		reply->tag = s->script[0];
		memmove(s->script, s->script + 1, sizeof(s->script) - 1);
		s->nscript--;
		if (reply->tag == V1_TAG_RETRY_GLOBAL)
			reply->global_seq = c->global_seq + 100;
		if (reply->tag == V1_TAG_RETRY_SESSION)
			reply->connect_seq = 5;
		if (reply->tag == V1_TAG_CHALLENGE_AUTHORIZER) {
			memcpy(reply_auth, "CHALLNGE", 8);
			reply->authorizer_len = 8;
		}
	}
	return 0;
}

static const struct cephc_conn_ops cli_ops = {
    .dispatch = cli_dispatch,
    .fault = cli_fault,
    .connected = cli_connected,
    .alloc_data = cli_alloc,
    .sign_message = cli_sign,
    .peer_reset = cli_peer_reset,
};

static const struct cephc_conn_ops cli_auth_ops = {
    .dispatch = cli_dispatch,
    .fault = cli_fault,
    .connected = cli_connected,
    .get_authorizer = cli_get_auth,
    .handle_authorizer_challenge = cli_challenge,
    .verify_authorizer_reply = cli_verify_reply,
};

static const struct cephc_conn_ops srv_ops = {
    .dispatch = srv_dispatch,
    .fault = srv_fault,
    .connected = srv_connected,
    .alloc_data = srv_alloc,
    .accepted = srv_accepted,
    .accept_connect = srv_accept_connect,
    .check_signature = srv_check,
};

static void setup_msgrs(const struct cephc_msgr_opts *co,
			const struct cephc_msgr_opts *so)
{
	struct cephc_entity_addr any;

	memset(&F, 0, sizeof(F));
	assert_int_equal(cephc_loop_create(&F.loop), 0);
	assert_int_equal(
	    cephc_msgr_create(F.loop, co, CEPHC_ENTITY_CLIENT, &F.cli.msgr), 0);
	assert_int_equal(
	    cephc_msgr_create(F.loop, so, CEPHC_ENTITY_OSD, &F.srv.msgr), 0);
	assert_int_equal(cephc_addr_parse("v1:127.0.0.1:0", &any, 0), 0);
	assert_int_equal(cephc_msgr_listen(F.srv.msgr, &any, &srv_ops, NULL),
			 0);
}

static void teardown_msgrs(void)
{
	cephc_conn_destroy(F.cli.con);
	cephc_conn_destroy(F.srv.con);
	if (F.cli.last)
		cephc_msg_put(F.cli.last);
	if (F.srv.last)
		cephc_msg_put(F.srv.last);
	cephc_msgr_destroy(F.cli.msgr);
	cephc_msgr_destroy(F.srv.msgr);
	cephc_loop_destroy(F.loop);
}

/* Drive the loop until *flag reaches want or ~5 s pass. */
static void run_until(const int *flag, int want)
{
	for (int i = 0; i < 5000 && *flag < want; i++)
		cephc_loop_process(F.loop, 1);
}

static void open_client(const struct cephc_conn_ops *ops)
{
	F.cli.con = cephc_conn_create(F.cli.msgr, ops, NULL);
	assert_non_null(F.cli.con);
	assert_int_equal(cephc_conn_open(F.cli.con, cephc_msgr_addr(F.srv.msgr),
					 CEPHC_ENTITY_OSD),
			 0);
}

static void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)((i * 2654435761u + seed) >> 13);
}

/* ------------------------------------------------------------------ */
/* loopback: handshake */

static void test_handshake_seq_learns_ip_and_features(void **state)
{
	setup_msgrs(NULL, NULL);
	assert_true(cephc_addr_is_blank_ip(cephc_msgr_addr(F.cli.msgr)));
	open_client(&cli_ops);
	run_until(&F.cli.connected, 1);
	run_until(&F.srv.connected, 1);
	assert_int_equal(F.cli.connected, 1);
	assert_int_equal(F.srv.connected, 1);
	assert_int_equal(cephc_conn_state(F.cli.con), CEPHC_CON_OPEN);
	assert_true(cephc_conn_features(F.cli.con) == CEPHC_FEATURES_DEFAULT);
	/* the server told us our IP: adopted, nonce kept */
	assert_false(cephc_addr_is_blank_ip(cephc_msgr_addr(F.cli.msgr)));
	assert_int_equal(F.srv.last_cseq, 0);
	assert_int_equal(F.cli.faults, 0);
	teardown_msgrs();
}

static void test_handshake_ready_without_reconnect_seq(void **state)
{
	struct cephc_msgr_opts co;

	cephc_msgr_opts_default(&co);
	co.features &= ~CEPHC_FEAT_RECONNECT_SEQ;
	setup_msgrs(&co, NULL);
	open_client(&cli_ops);
	run_until(&F.cli.connected, 1);
	assert_int_equal(F.cli.connected, 1);
	assert_false(cephc_conn_features(F.cli.con) & CEPHC_FEAT_RECONNECT_SEQ);
	teardown_msgrs();
}

static void test_handshake_retry_global_and_session(void **state)
{
	setup_msgrs(NULL, NULL);
	F.srv.script[0] = V1_TAG_RETRY_GLOBAL;
	F.srv.script[1] = V1_TAG_RETRY_SESSION;
	F.srv.script[2] = V1_TAG_RESETSESSION;
	F.srv.nscript = 3;
	open_client(&cli_ops);
	run_until(&F.cli.connected, 1);
	assert_int_equal(F.cli.connected, 1);
	assert_int_equal(F.srv.nscript, 0);
	/* after RESETSESSION the last connect starts a new session */
	assert_int_equal(F.srv.last_cseq, 0);
	assert_int_equal(F.peer_resets, 1);
	/* RETRY_GLOBAL raised global_seq above the server's */
	assert_true(F.srv.last_gseq > 100);
	teardown_msgrs();
}

static void test_handshake_challenge_authorizer(void **state)
{
	setup_msgrs(NULL, NULL);
	memset(F.cli.authorizer, 0xaa, sizeof(F.cli.authorizer));
	F.srv.script[0] = V1_TAG_CHALLENGE_AUTHORIZER;
	F.srv.nscript = 1;
	open_client(&cli_auth_ops);
	run_until(&F.cli.connected, 1);
	assert_int_equal(F.cli.connected, 1);
	assert_int_equal(F.cli.challenges, 1);
	/* the resent connect carried the rebuilt authorizer */
	assert_int_equal(F.srv.seen_auth_len, 16);
	assert_memory_equal(F.srv.seen_auth, "CHALLNGE", 8);
	teardown_msgrs();
}

static void test_handshake_features_missing_fails(void **state)
{
	struct cephc_msgr_opts so;

	cephc_msgr_opts_default(&so);
	so.required_features |= 1ull << 62; /* nobody has it */
	setup_msgrs(NULL, &so);
	open_client(&cli_ops);
	run_until(&F.cli.faults, 1);
	assert_int_equal(F.cli.faults, 1);
	assert_int_equal(F.cli.last_err, CEPHC_EFEATURES);
	assert_int_equal(cephc_conn_state(F.cli.con), CEPHC_CON_CLOSED);
	teardown_msgrs();
}

static void test_handshake_badauthorizer_retries_once(void **state)
{
	setup_msgrs(NULL, NULL);
	F.srv.script[0] = V1_TAG_BADAUTHORIZER;
	F.srv.script[1] = V1_TAG_BADAUTHORIZER;
	F.srv.nscript = 2;
	open_client(&cli_ops);
	run_until(&F.cli.faults, 1);
	assert_int_equal(F.cli.last_err, CEPHC_EBADAUTH);
	assert_int_equal(F.srv.nscript, 0);
	teardown_msgrs();
}

static void test_handshake_badprotover_and_wait_fail(void **state)
{
	setup_msgrs(NULL, NULL);
	F.srv.script[0] = V1_TAG_BADPROTOVER;
	F.srv.nscript = 1;
	open_client(&cli_ops);
	run_until(&F.cli.faults, 1);
	assert_int_equal(F.cli.last_err, CEPHC_EPROTOVER);
	/* WAIT is a race a pure client never expects */
	F.srv.script[0] = V1_TAG_WAIT;
	F.srv.nscript = 1;
	cephc_conn_reconnect(F.cli.con);
	run_until(&F.cli.faults, 2);
	assert_int_equal(F.cli.last_err, CEPHC_EPROTO);
	teardown_msgrs();
}

/* ------------------------------------------------------------------ */
/* loopback: messages */

static void test_messages_with_every_data_item_type(void **state)
{
	uint8_t flat[3000], chain1[5000], chain2[100], trail[77];
	uint8_t *pages[3];
	struct cephc_pagevec pv;
	struct cephc_bufchain bc;
	struct cephc_pagelist pl;
	struct cephc_msg *m;
	size_t total, off = 0;
	uint8_t *expect;

	setup_msgrs(NULL, NULL);
	open_client(&cli_ops);
	run_until(&F.srv.connected, 1);

	fill_pattern(flat, sizeof(flat), 1);
	fill_pattern(chain1, sizeof(chain1), 2);
	fill_pattern(chain2, sizeof(chain2), 3);
	fill_pattern(trail, sizeof(trail), 4);
	for (int i = 0; i < 3; i++) {
		pages[i] = malloc(CEPHC_PAGE_SIZE);
		fill_pattern(pages[i], CEPHC_PAGE_SIZE, 10 + i);
	}
	m = cephc_msg_new(42, 100);
	assert_non_null(m);
	fill_pattern(m->front, 100, 9);
	m->hdr.tid = 777;
	cephc_pagelist_init(&pl);
	cephc_pagelist_append(&pl, "pagelist-bytes", 14);
	assert_int_equal(cephc_msg_data_add_pagelist(&m->data, &pl), 0);
	assert_int_equal(cephc_pagevec_init(&pv, (void **)pages, 3, 100,
					    2 * CEPHC_PAGE_SIZE),
			 0);
	assert_int_equal(cephc_msg_data_add_pagevec(&m->data, &pv), 0);
	cephc_bufchain_init(&bc);
	cephc_bufchain_add(&bc, chain1, sizeof(chain1));
	cephc_bufchain_add(&bc, chain2, sizeof(chain2));
	assert_int_equal(cephc_msg_data_add_bufchain(&m->data, &bc), 0);
	assert_int_equal(cephc_msg_data_add_buf(&m->data, flat, sizeof(flat)),
			 0);
	{
		struct cephc_data_item it;

		cephc_data_item_buf(&it, trail, sizeof(trail));
		assert_int_equal(cephc_msg_data_set_trailing(&m->data, &it), 0);
	}
	total = cephc_msg_data_length(&m->data);
	expect = malloc(total);
	assert_int_equal(cephc_msg_data_copy_out(&m->data, 0, expect, total),
			 0);
	cephc_msg_get(m); /* keep it to check data after the send */
	cephc_conn_send(F.cli.con, m);
	run_until(&F.srv.dispatched, 1);
	assert_int_equal(F.srv.dispatched, 1);
	assert_int_equal(F.srv.last->hdr.tid, 777);
	assert_int_equal(F.srv.last->hdr.type, 42);
	assert_int_equal(F.srv.last->hdr.seq, 1);
	assert_int_equal(F.srv.last->hdr.src.type, CEPHC_ENTITY_CLIENT);
	assert_int_equal(F.srv.last->front_len, 100);
	assert_memory_equal(F.srv.last->front, m->front, 100);
	assert_int_equal(F.srv.last->hdr.data_len, total);
	{
		uint8_t *got = malloc(total);

		assert_int_equal(
		    cephc_msg_data_copy_out(&F.srv.last->data, 0, got, total),
		    0);
		assert_memory_equal(got, expect, total);
		free(got);
	}
	/* lossy session: nothing is kept for replay once written */
	assert_int_equal(cephc_conn_unacked(F.cli.con), 0);
	cephc_msg_put(m);
	cephc_bufchain_release(&bc);
	for (int i = 0; i < 3; i++)
		free(pages[i]);
	free(expect);
	(void)off;
	teardown_msgrs();
}

static void test_partial_io_large_message_into_caller_buffer(void **state)
{
	struct cephc_msgr_opts o;
	size_t len = 1u << 20;
	uint8_t *src = malloc(len), *dst = malloc(len);
	struct cephc_msg *m;

	cephc_msgr_opts_default(&o);
	o.sndbuf = 4096;             /* force many partial sends and receives */
	o.keepalive_interval_ms = 5; /* keepalives must not split messages */
	o.rcvbuf = 0; /* a tiny TCP window stalls in persist timeouts */
	setup_msgrs(&o, &o);
	fill_pattern(src, len, 77);
	memset(dst, 0, len);
	F.srv.rx_buf = dst;
	F.srv.rx_len = len;
	open_client(&cli_ops);
	run_until(&F.srv.connected, 1);
	for (int i = 0; i < 3; i++) {
		m = cephc_msg_new(7, 10);
		assert_int_equal(cephc_msg_data_add_buf(&m->data, src, len), 0);
		cephc_conn_send(F.cli.con, m);
	}
	run_until(&F.srv.dispatched, 3);
	assert_int_equal(F.srv.dispatched, 3);
	assert_int_equal(F.srv.last->hdr.seq, 3);
	/* the payload landed in the caller's buffer, not a copy */
	assert_memory_equal(dst, src, len);
	assert_int_equal(F.srv.faults, 0);
	assert_int_equal(F.cli.faults, 0);
	free(src);
	free(dst);
	teardown_msgrs();
}

static void test_unstable_data_is_bounced_at_send(void **state)
{
	uint8_t src[200000], copy[200000], got[200000];
	struct cephc_msg *m;

	setup_msgrs(NULL, NULL);
	open_client(&cli_ops); /* still connecting: the send is queued */
	fill_pattern(src, sizeof(src), 21);
	memcpy(copy, src, sizeof(src));
	m = cephc_msg_new(5, 0);
	cephc_msg_data_add_buf(&m->data, src, sizeof(src));
	m->unstable = true;
	cephc_conn_send(F.cli.con, m);
	memset(src, 0x5a, sizeof(src)); /* the caller reuses its memory */
	run_until(&F.srv.dispatched, 1);
	assert_int_equal(F.srv.dispatched, 1);
	assert_int_equal(
	    cephc_msg_data_copy_out(&F.srv.last->data, 0, got, sizeof(got)), 0);
	assert_memory_equal(got, copy, sizeof(copy));
	assert_int_equal(F.srv.faults, 0);
	teardown_msgrs();
}

static void test_many_small_messages_both_ways(void **state)
{
	uint8_t buf[4096];

	setup_msgrs(NULL, NULL);
	fill_pattern(buf, sizeof(buf), 5);
	open_client(&cli_ops);
	run_until(&F.srv.connected, 1);
	for (int i = 0; i < 500; i++) {
		struct cephc_msg *m = cephc_msg_new(1, 16);

		put_le32(m->front, (uint32_t)i);
		cephc_msg_data_add_buf(&m->data, buf, sizeof(buf));
		cephc_conn_send(F.cli.con, m);
	}
	run_until(&F.srv.dispatched, 500);
	assert_int_equal(F.srv.dispatched, 500);
	assert_int_equal(get_le32(F.srv.last->front), 499);
	/* and back: server to client */
	for (int i = 0; i < 10; i++)
		cephc_conn_send(F.srv.con, cephc_msg_new(2, 8));
	run_until(&F.cli.dispatched, 10);
	assert_int_equal(F.cli.dispatched, 10);
	assert_int_equal(F.cli.last->hdr.src.type, CEPHC_ENTITY_OSD);
	teardown_msgrs();
}

static void test_replies_sent_from_dispatch_hook(void **state)
{
	setup_msgrs(NULL, NULL);
	F.echo = 1;
	open_client(&cli_ops);
	run_until(&F.srv.connected, 1);
	for (int i = 1; i <= 100; i++) {
		struct cephc_msg *m = cephc_msg_new(40, 16);

		m->hdr.tid = (uint64_t)i;
		cephc_conn_send(F.cli.con, m);
	}
	run_until(&F.cli.dispatched, 100);
	assert_int_equal(F.cli.dispatched, 100);
	assert_int_equal(F.cli.last->hdr.type, 41);
	assert_int_equal(F.cli.last->hdr.tid, 100);
	assert_int_equal(F.cli.last->hdr.seq, 100);
	teardown_msgrs();
}

static void test_keepalive_acked_by_peer(void **state)
{
	struct cephc_msgr_opts o;

	cephc_msgr_opts_default(&o);
	o.keepalive_interval_ms = 10;
	setup_msgrs(&o, NULL);
	open_client(&cli_ops);
	run_until(&F.cli.connected, 1);
	for (int i = 0; i < 500 && !cephc_conn_last_keepalive_ack(F.cli.con);
	     i++)
		cephc_loop_process(F.loop, 2);
	assert_true(cephc_conn_last_keepalive_ack(F.cli.con) != 0);
	teardown_msgrs();
}

static void test_fault_then_reconnect_with_backoff(void **state)
{
	struct cephc_entity_addr dead;
	uint64_t t0;

	setup_msgrs(NULL, NULL);
	open_client(&cli_ops);
	run_until(&F.srv.connected, 1);
	/* the server drops a working session: the client sees one fault and
	 * reconnects at once (a lossy peer forgot us; waiting buys nothing) */
	cephc_conn_destroy(F.srv.con);
	F.srv.con = NULL;
	run_until(&F.cli.faults, 1);
	assert_int_equal(F.cli.faults, 1);
	assert_int_equal(cephc_conn_state(F.cli.con), CEPHC_CON_CLOSED);
	t0 = cephc_now_ns();
	cephc_conn_reconnect(F.cli.con);
	assert_int_equal(cephc_conn_state(F.cli.con), CEPHC_CON_BACKOFF);
	run_until(&F.cli.connected, 2);
	assert_int_equal(F.cli.connected, 2);
	assert_true(cephc_now_ns() - t0 < 200000000ull);
	assert_int_equal(F.cli.faults, 1);

	/* a peer that never answers: each retry waits, 0.25 s first */
	dead = *cephc_msgr_addr(F.srv.msgr);
	{
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);

		/* a port that was free a moment ago and has no listener */
		memcpy(&ss, &dead.ss, sizeof(ss));
		((struct sockaddr_in *)&ss)->sin_port = 0;
		assert_int_equal(bind(fd, (struct sockaddr *)&ss,
				      sizeof(struct sockaddr_in)),
				 0);
		assert_int_equal(
		    getsockname(fd, (struct sockaddr *)&dead.ss, &len), 0);
		close(fd);
	}
	cephc_conn_close(F.cli.con);
	assert_int_equal(cephc_conn_open(F.cli.con, &dead, CEPHC_ENTITY_OSD),
			 0);
	run_until(&F.cli.faults, 2);
	assert_int_equal(F.cli.faults, 2); /* refused */
	t0 = cephc_now_ns();
	cephc_conn_reconnect(F.cli.con);
	run_until(&F.cli.faults, 3);
	assert_int_equal(F.cli.faults, 3);
	assert_true(cephc_now_ns() - t0 >= 240000000ull);
	teardown_msgrs();
}

/*
 * A peer that completes the handshake, delivers one message and drops the
 * session, every time, is not redialled at once forever (msgr/backoff.h):
 * a few free redials (fault injection makes a few such flaps in a row),
 * then 250 ms and up.  A healthy session (here: enough messages
 * delivered) makes the next reconnect immediate again.
 */
static void test_sessions_that_keep_faulting_back_off(void **state)
{
	struct cephc_session_backoff_params bp;
	uint64_t t0, dt;
	int i, sent = 0;

	(void)state;
	cephc_session_backoff_params_default(&bp);
	setup_msgrs(NULL, NULL);
	open_client(&cli_ops);
	for (i = 1; i <= (int)bp.free + 1; i++) {
		run_until(&F.cli.connected, i);
		run_until(&F.srv.connected, i);
		assert_int_equal(F.cli.connected, i);
		/* one message delivered does not make it healthy */
		cephc_conn_send(F.srv.con, cephc_msg_new(5, 10));
		run_until(&F.cli.dispatched, ++sent);
		assert_int_equal(F.cli.dispatched, sent);
		cephc_conn_destroy(F.srv.con);
		F.srv.con = NULL;
		run_until(&F.cli.faults, i);
		t0 = cephc_now_ns();
		cephc_conn_reconnect(F.cli.con);
		run_until(&F.cli.connected, i + 1);
		dt = cephc_now_ns() - t0;
		if (i <= (int)bp.free) /* free redials */
			assert_true(dt < 150000000ull);
		else /* then 3/4 of 250 ms and up */
			assert_true(dt >= bp.base_ms * 3 / 4 * 1000000ull);
	}
	/* the session works: enough messages reach the client */
	run_until(&F.srv.connected, i);
	for (uint32_t k = 0; k < bp.healthy_msgs; k++)
		cephc_conn_send(F.srv.con, cephc_msg_new(5, 10));
	sent += (int)bp.healthy_msgs;
	run_until(&F.cli.dispatched, sent);
	assert_int_equal(F.cli.dispatched, sent);
	cephc_conn_destroy(F.srv.con);
	F.srv.con = NULL;
	run_until(&F.cli.faults, i);
	t0 = cephc_now_ns();
	cephc_conn_reconnect(F.cli.con);
	run_until(&F.cli.connected, i + 1);
	assert_int_equal(F.cli.connected, i + 1);
	assert_true(cephc_now_ns() - t0 < 150000000ull);
	/* why it faulted is kept for error messages */
	assert_non_null(cephc_conn_fault_reason(F.cli.con, NULL));
	teardown_msgrs();
}

/* ------------------------------------------------------------------ */
/* cross-thread submission with the loop on its own thread */

static void test_signatures_checked_when_msg_auth_negotiated(void **state)
{
	uint8_t big[100000];

	setup_msgrs(NULL, NULL);
	fill_pattern(big, sizeof(big), 3);
	open_client(&cli_ops);
	run_until(&F.srv.connected, 1);
	/* small (footer at once) and large (footer after the data) paths */
	cephc_conn_send(F.cli.con, cephc_msg_new(5, 10));
	{
		struct cephc_msg *m = cephc_msg_new(5, 10);

		cephc_msg_data_add_buf(&m->data, big, sizeof(big));
		cephc_conn_send(F.cli.con, m);
	}
	run_until(&F.srv.dispatched, 2);
	assert_int_equal(F.srv.dispatched, 2);
	assert_int_equal(F.signs, 2);
	assert_int_equal(F.checks, 2);
	/* a wrong signature closes the connection */
	F.sign_bad = 1;
	cephc_conn_send(F.cli.con, cephc_msg_new(5, 10));
	run_until(&F.srv.faults, 1);
	assert_int_equal(F.srv.last_err, CEPHC_ESIGNATURE);
	assert_int_equal(F.srv.dispatched, 2);
	teardown_msgrs();
}

static void test_no_signing_without_msg_auth(void **state)
{
	struct cephc_msgr_opts co;

	cephc_msgr_opts_default(&co);
	co.features &= ~CEPHC_FEAT_MSG_AUTH;
	setup_msgrs(&co, NULL);
	open_client(&cli_ops);
	run_until(&F.srv.connected, 1);
	cephc_conn_send(F.cli.con, cephc_msg_new(5, 10));
	run_until(&F.srv.dispatched, 1);
	assert_int_equal(F.srv.dispatched, 1);
	assert_int_equal(F.signs + F.checks, 0);
	teardown_msgrs();
}

static void test_alloc_data_refusal_and_short_buffer_fault(void **state)
{
	uint8_t buf[1000], small[10];
	struct cephc_msg *m;

	setup_msgrs(NULL, NULL);
	open_client(&cli_ops);
	run_until(&F.srv.connected, 1);
	F.alloc_err = CEPHC_ENOENT; /* e.g. no request with this tid */
	m = cephc_msg_new(5, 0);
	cephc_msg_data_add_buf(&m->data, buf, sizeof(buf));
	cephc_conn_send(F.cli.con, m);
	run_until(&F.srv.faults, 1);
	assert_int_equal(F.srv.last_err, CEPHC_ENOENT);
	/* a destination shorter than the announced data */
	F.alloc_err = 0;
	F.srv.rx_buf = small;
	F.srv.rx_len = sizeof(small);
	run_until(&F.cli.faults, 1); /* the client sees the server close */
	cephc_conn_reconnect(F.cli.con);
	run_until(&F.srv.connected, 2);
	assert_int_equal(F.srv.connected, 2);
	m = cephc_msg_new(5, 0);
	cephc_msg_data_add_buf(&m->data, buf, sizeof(buf));
	cephc_conn_send(F.cli.con, m);
	run_until(&F.srv.faults, 2);
	assert_int_equal(F.srv.last_err, CEPHC_EMSGSIZE);
	assert_int_equal(F.srv.dispatched, 0);
	teardown_msgrs();
}

static void test_authorizer_reply_verified(void **state)
{
	setup_msgrs(NULL, NULL);
	open_client(&cli_auth_ops);
	run_until(&F.cli.connected, 1);
	assert_int_equal(F.cli.connected, 1);
	F.auth_reply_bad = 1;
	cephc_conn_close(F.cli.con);
	cephc_conn_reconnect(F.cli.con);
	run_until(&F.cli.faults, 1);
	assert_int_equal(F.cli.last_err, CEPHC_EBADAUTH);
	assert_int_equal(F.cli.connected, 1);
	teardown_msgrs();
}

static void test_send_from_other_thread(void **state)
{
	setup_msgrs(NULL, NULL);
	open_client(&cli_ops);
	run_until(&F.srv.connected, 1);
	assert_int_equal(cephc_loop_start(F.loop), 0);
	for (int i = 0; i < 100; i++)
		cephc_conn_send_any(F.cli.con, cephc_msg_new(3, 32));
	for (int i = 0; i < 5000 && __atomic_load_n(&F.srv.dispatched,
						    __ATOMIC_ACQUIRE) < 100;
	     i++)
		usleep(1000);
	cephc_loop_stop(F.loop);
	assert_int_equal(F.srv.dispatched, 100);
	teardown_msgrs();
}

/* ------------------------------------------------------------------ */
/* raw scripted peer on a socketpair: bad inputs */

static int raw_fd;

static void raw_write(const void *p, size_t n)
{
	assert_int_equal(write(raw_fd, p, n), (ssize_t)n);
}

static void raw_drain(void)
{
	uint8_t b[4096];

	while (recv(raw_fd, b, sizeof(b), MSG_DONTWAIT) > 0)
		;
}

/* Open a client over a socketpair; write the server hello (optionally with
 * a bad banner or a different server address). */
static void raw_open(const char *banner, const char *server_addr,
		     const struct cephc_msgr_opts *o)
{
	struct cephc_entity_addr dial, srv, me;
	uint8_t hello[V1_SERVER_HELLO_LEN];
	int sv[2];

	memset(&F, 0, sizeof(F));
	assert_int_equal(cephc_loop_create(&F.loop), 0);
	assert_int_equal(
	    cephc_msgr_create(F.loop, o, CEPHC_ENTITY_CLIENT, &F.cli.msgr), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	raw_fd = sv[1];
	cephc_addr_parse("v1:127.0.0.1:6789/0", &dial, 0);
	cephc_addr_parse(server_addr, &srv, 0);
	cephc_addr_parse("v1:127.0.0.9:0", &me, 0);
	F.cli.con = cephc_conn_create(F.cli.msgr, &cli_ops, NULL);
	assert_int_equal(
	    cephc_conn_open_fd(F.cli.con, sv[0], &dial, CEPHC_ENTITY_MON), 0);
	v1_encode_server_hello(hello, &srv, &me);
	memcpy(hello, banner, V1_BANNER_LEN);
	raw_write(hello, sizeof(hello));
}

static uint8_t raw_reply_flags = V1_CONNECT_LOSSY;

static void raw_reply(uint8_t tag, uint32_t auth_len)
{
	struct v1_connect_reply r = {.tag = tag,
				     .features = CEPHC_FEATURES_DEFAULT,
				     .global_seq = 1,
				     .connect_seq = 1,
				     .authorizer_len = auth_len,
				     .flags = raw_reply_flags};
	uint8_t b[V1_CONNECT_REPLY_LEN];

	v1_encode_connect_reply(b, &r);
	raw_write(b, sizeof(b));
}

/* Handshake through SEQ: the client must then write le64 in_seq first. */
static void raw_open_session(void)
{
	uint8_t seq[8] = {0}, b[512];
	ssize_t n;

	raw_open(V1_BANNER, "v1:127.0.0.1:6789/0", NULL);
	raw_reply(V1_TAG_SEQ, 0);
	raw_write(seq, 8);
	run_until(&F.cli.connected, 1);
	assert_int_equal(F.cli.connected, 1);
	/* hello (145) + connect (33) + our le64 in_seq (8) = 186 bytes */
	n = recv(raw_fd, b, sizeof(b), MSG_DONTWAIT);
	assert_int_equal(n, V1_CLIENT_HELLO_LEN + V1_CONNECT_LEN + 8);
	assert_memory_equal(b, "ceph v027", 9);
	assert_true(get_le64(b + V1_CLIENT_HELLO_LEN) ==
		    CEPHC_FEATURES_DEFAULT);
	assert_int_equal(get_le32(b + V1_CLIENT_HELLO_LEN + 20),
			 CEPHC_MONC_PROTOCOL);
	assert_true(get_le64(b + V1_CLIENT_HELLO_LEN + V1_CONNECT_LEN) == 0);
}

static void raw_close(void)
{
	close(raw_fd);
	cephc_conn_destroy(F.cli.con);
	if (F.cli.last)
		cephc_msg_put(F.cli.last);
	cephc_msgr_destroy(F.cli.msgr);
	cephc_loop_destroy(F.loop);
}

static void expect_fault(int err)
{
	run_until(&F.cli.faults, 1);
	assert_int_equal(F.cli.faults, 1);
	assert_int_equal(F.cli.last_err, err);
	assert_int_equal(cephc_conn_state(F.cli.con), CEPHC_CON_CLOSED);
}

/* A valid message from the peer, with hooks to break it. */
static size_t raw_message(uint8_t *out, uint32_t front_len, uint32_t data_len,
			  int corrupt)
{
	struct v1_header h = {.seq = 1,
			      .tid = 5,
			      .type = 18,
			      .priority = 127,
			      .front_len = front_len,
			      .data_len = data_len,
			      .src = {.type = 1}};
	struct v1_footer f = {.flags = V1_FOOTER_COMPLETE};
	size_t p = 0;

	out[p++] = V1_TAG_MSG;
	v1_encode_header(out + p, &h);
	if (corrupt == 1)
		out[p + 3] ^= 1; /* header crc */
	p += V1_HEADER_LEN;
	memset(out + p, 'f', front_len < 64 ? front_len : 0);
	f.front_crc = cephc_crc32c(0, out + p, front_len < 64 ? front_len : 0);
	p += front_len < 64 ? front_len : 0;
	memset(out + p, 'd', data_len < 64 ? data_len : 0);
	f.data_crc = cephc_crc32c(0, out + p, data_len < 64 ? data_len : 0);
	p += data_len < 64 ? data_len : 0;
	if (corrupt == 2)
		f.front_crc ^= 1;
	if (corrupt == 3)
		f.data_crc ^= 1;
	v1_encode_footer(out + p, V1_FOOTER_LEN, &f);
	return p + V1_FOOTER_LEN;
}

static void test_raw_valid_message_is_dispatched_and_acked(void **state)
{
	uint8_t b[256];
	ssize_t n;

	raw_reply_flags = 0;
	raw_open_session();
	raw_reply_flags = V1_CONNECT_LOSSY;
	raw_write(b, raw_message(b, 10, 20, 0));
	run_until(&F.cli.dispatched, 1);
	assert_int_equal(F.cli.dispatched, 1);
	assert_int_equal(F.cli.last->hdr.data_len, 20);
	/* an ACK for seq 1 follows */
	for (int i = 0; i < 10; i++)
		cephc_loop_process(F.loop, 1);
	n = recv(raw_fd, b, sizeof(b), MSG_DONTWAIT);
	assert_int_equal(n, 9);
	assert_int_equal(b[0], V1_TAG_ACK);
	assert_true(get_le64(b + 1) == 1);
	raw_close();
}

/* A lossy peer keeps nothing to replay: it gets no ACK. */
static void test_raw_lossy_session_sends_no_ack(void **state)
{
	uint8_t b[256];
	ssize_t n;

	raw_open_session();
	raw_write(b, raw_message(b, 10, 20, 0));
	run_until(&F.cli.dispatched, 1);
	assert_int_equal(F.cli.dispatched, 1);
	for (int i = 0; i < 10; i++)
		cephc_loop_process(F.loop, 1);
	n = recv(raw_fd, b, sizeof(b), MSG_DONTWAIT);
	assert_true(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
	raw_close();
}

static void test_raw_non_lossy_session_keeps_messages_until_ack(void **state)
{
	uint8_t ack[9];

	raw_reply_flags = 0;
	raw_open_session();
	raw_reply_flags = V1_CONNECT_LOSSY;
	cephc_conn_send(F.cli.con, cephc_msg_new(9, 4));
	cephc_conn_send(F.cli.con, cephc_msg_new(9, 4));
	assert_int_equal(cephc_conn_unacked(F.cli.con), 2);
	ack[0] = V1_TAG_ACK;
	put_le64(ack + 1, 1);
	raw_write(ack, sizeof(ack));
	for (int i = 0; i < 100 && cephc_conn_unacked(F.cli.con) != 1; i++)
		cephc_loop_process(F.loop, 1);
	assert_int_equal(cephc_conn_unacked(F.cli.con), 1);
	put_le64(ack + 1, 2);
	raw_write(ack, sizeof(ack));
	for (int i = 0; i < 100 && cephc_conn_unacked(F.cli.con); i++)
		cephc_loop_process(F.loop, 1);
	assert_int_equal(cephc_conn_unacked(F.cli.con), 0);
	raw_close();
}

static void test_raw_bad_banner(void **state)
{
	raw_open("ceph v028", "v1:127.0.0.1:6789/0", NULL);
	expect_fault(CEPHC_EBANNER);
	raw_close();
}

static void test_raw_wrong_peer_nonce(void **state)
{
	raw_open(V1_BANNER, "v1:127.0.0.1:6789/1234", NULL);
	expect_fault(CEPHC_EWRONGPEER);
	raw_close();
}

static void test_raw_unknown_connect_reply_tag(void **state)
{
	raw_open(V1_BANNER, "v1:127.0.0.1:6789/0", NULL);
	raw_reply(V1_TAG_MSG, 0); /* valid tag, wrong state */
	expect_fault(CEPHC_EBADTAG);
	raw_close();
}

static void test_raw_features_reply(void **state)
{
	raw_open(V1_BANNER, "v1:127.0.0.1:6789/0", NULL);
	raw_reply(V1_TAG_FEATURES, 0);
	expect_fault(CEPHC_EFEATURES);
	raw_close();
}

static void test_raw_reply_authorizer_too_long(void **state)
{
	raw_open(V1_BANNER, "v1:127.0.0.1:6789/0", NULL);
	raw_reply(V1_TAG_SEQ, 0xffffffffu);
	expect_fault(CEPHC_ETOOBIG);
	raw_close();
}

static void test_raw_unknown_tag(void **state)
{
	uint8_t t = 99;

	raw_open_session();
	raw_write(&t, 1);
	expect_fault(CEPHC_EBADTAG);
	raw_close();
}

static void test_raw_tag_wrong_for_state(void **state)
{
	uint8_t t = V1_TAG_RETRY_GLOBAL;

	raw_open_session();
	raw_write(&t, 1);
	expect_fault(CEPHC_EBADTAG);
	raw_close();
}

static void test_raw_header_crc_bad(void **state)
{
	uint8_t b[256];

	raw_open_session();
	raw_write(b, raw_message(b, 10, 0, 1));
	expect_fault(CEPHC_ECRC);
	raw_close();
}

static void test_raw_front_crc_bad(void **state)
{
	uint8_t b[256];

	raw_open_session();
	raw_write(b, raw_message(b, 10, 5, 2));
	expect_fault(CEPHC_ECRC);
	raw_close();
}

static void test_raw_data_crc_bad(void **state)
{
	uint8_t b[256];

	raw_open_session();
	raw_write(b, raw_message(b, 10, 5, 3));
	expect_fault(CEPHC_ECRC);
	raw_close();
}

static void test_raw_lengths_beyond_maximum(void **state)
{
	static const uint32_t lens[][3] = {
	    {CEPHC_MSG_FRONT_MAX + 1, 0, 0},
	    {0xffffffffu, 0, 0},
	    {0, 0x80000000u, 0},
	    {0, 0, CEPHC_MSG_DATA_MAX + 1},
	    {0, 0, 0xffffffffu},
	};

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct v1_header h = {.seq = 1,
				      .front_len = lens[i][0],
				      .middle_len = lens[i][1],
				      .data_len = lens[i][2]};
		uint8_t b[1 + V1_HEADER_LEN];

		raw_open_session();
		b[0] = V1_TAG_MSG;
		v1_encode_header(b + 1, &h);
		raw_write(b, sizeof(b));
		expect_fault(CEPHC_ETOOBIG);
		raw_close();
	}
}

static void test_raw_peer_close_mid_message(void **state)
{
	uint8_t b[256];
	size_t n;

	raw_open_session();
	n = raw_message(b, 30, 30, 0);
	raw_write(b, n - 10);
	shutdown(raw_fd, SHUT_WR);
	expect_fault(CEPHC_ECONNRESET);
	raw_close();
}

static void test_raw_keepalive_timeout_detects_dead_peer(void **state)
{
	struct cephc_msgr_opts o;
	uint8_t seq[8] = {0};
	uint64_t t0;

	cephc_msgr_opts_default(&o);
	o.keepalive_interval_ms = 20;
	o.keepalive_timeout_ms = 100;
	raw_open(V1_BANNER, "v1:127.0.0.1:6789/0", &o);
	raw_reply(V1_TAG_SEQ, 0);
	raw_write(seq, 8);
	run_until(&F.cli.connected, 1);
	t0 = cephc_now_ns();
	/* the peer reads nothing and answers nothing */
	expect_fault(CEPHC_ETIMEDOUT);
	assert_true(cephc_now_ns() - t0 < 1000000000ull);
	raw_drain();
	raw_close();
}

static void test_raw_peer_close_tag(void **state)
{
	uint8_t t = V1_TAG_CLOSE;

	raw_open_session();
	raw_write(&t, 1);
	expect_fault(CEPHC_ECONNRESET);
	raw_close();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handshake_seq_learns_ip_and_features),
	    cmocka_unit_test(test_handshake_ready_without_reconnect_seq),
	    cmocka_unit_test(test_handshake_retry_global_and_session),
	    cmocka_unit_test(test_handshake_challenge_authorizer),
	    cmocka_unit_test(test_handshake_features_missing_fails),
	    cmocka_unit_test(test_handshake_badauthorizer_retries_once),
	    cmocka_unit_test(test_handshake_badprotover_and_wait_fail),
	    cmocka_unit_test(test_messages_with_every_data_item_type),
	    cmocka_unit_test(test_partial_io_large_message_into_caller_buffer),
	    cmocka_unit_test(test_unstable_data_is_bounced_at_send),
	    cmocka_unit_test(test_many_small_messages_both_ways),
	    cmocka_unit_test(test_replies_sent_from_dispatch_hook),
	    cmocka_unit_test(test_keepalive_acked_by_peer),
	    cmocka_unit_test(test_fault_then_reconnect_with_backoff),
	    cmocka_unit_test(test_sessions_that_keep_faulting_back_off),
	    cmocka_unit_test(test_signatures_checked_when_msg_auth_negotiated),
	    cmocka_unit_test(test_no_signing_without_msg_auth),
	    cmocka_unit_test(test_alloc_data_refusal_and_short_buffer_fault),
	    cmocka_unit_test(test_authorizer_reply_verified),
	    cmocka_unit_test(test_send_from_other_thread),
	    cmocka_unit_test(test_raw_valid_message_is_dispatched_and_acked),
	    cmocka_unit_test(
		test_raw_non_lossy_session_keeps_messages_until_ack),
	    cmocka_unit_test(test_raw_lossy_session_sends_no_ack),
	    cmocka_unit_test(test_raw_bad_banner),
	    cmocka_unit_test(test_raw_wrong_peer_nonce),
	    cmocka_unit_test(test_raw_unknown_connect_reply_tag),
	    cmocka_unit_test(test_raw_features_reply),
	    cmocka_unit_test(test_raw_reply_authorizer_too_long),
	    cmocka_unit_test(test_raw_unknown_tag),
	    cmocka_unit_test(test_raw_tag_wrong_for_state),
	    cmocka_unit_test(test_raw_header_crc_bad),
	    cmocka_unit_test(test_raw_front_crc_bad),
	    cmocka_unit_test(test_raw_data_crc_bad),
	    cmocka_unit_test(test_raw_lengths_beyond_maximum),
	    cmocka_unit_test(test_raw_peer_close_mid_message),
	    cmocka_unit_test(test_raw_keepalive_timeout_detects_dead_peer),
	    cmocka_unit_test(test_raw_peer_close_tag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
