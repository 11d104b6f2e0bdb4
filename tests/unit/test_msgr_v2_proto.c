/* SPDX-License-Identifier: MIT */
/*
 * The msgr2.1 client state machine fed with scripted server bytes (crc
 * mode, auth none): the whole handshake to READY, a MESSAGE each way with
 * the segments in caller buffers, ACK / KEEPALIVE2, and every error or
 * out-of-state frame; plus the frame-body codecs and their bad inputs.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "auth/crypto.h"
#include "cephc/errors.h"
#include "core/encode.h"
#include "msgr/v2_body.h"
#include "msgr/v2_proto.h"

#define BUF (1 << 16)

struct fix {
	struct cephc_auth *a;
	struct v2p p;
	struct v2_rx crx; /* decodes what the client sends */
	uint8_t seg[BUF];
	uint8_t out[BUF]; /* server bytes to feed */
	size_t out_len;
	struct cephc_entity_addr mon, me;
	/* secure-mode server side */
	bool sec;
	struct v2_crypto sc;
	/* every byte each side sent, for the AUTH_SIGNATURE checks */
	uint8_t slog[BUF], clog[BUF];
	size_t slog_len, clog_len;
};

static uint64_t t_ms = 1000;

static void srv_frame(struct fix *f, uint8_t tag, const void *p, size_t n)
{
	struct iovec iov = {(void *)p, n}, out[8];
	struct v2_frame_desc d = {.tag = tag, .nseg = 1};
	struct v2_tx_crc tx;
	size_t cnt;

	d.seg[0] = (struct v2_seg_src){&iov, 1, V2_ALIGN_CONTROL};
	if (f->sec) {
		size_t wl = (size_t)v2_frame_wire_len(&d, V2_MODE_SECURE);

		assert_int_equal(v2_encode_secure(&d, &f->sc,
						  f->out + f->out_len,
						  BUF - f->out_len),
				 0);
		memcpy(f->slog + f->slog_len, f->out + f->out_len, wl);
		f->slog_len += wl;
		f->out_len += wl;
		return;
	}
	assert_int_equal(v2_encode_crc(&d, &tx, out, 8, &cnt), 0);
	for (size_t i = 0; i < cnt; i++) {
		memcpy(f->out + f->out_len, out[i].iov_base, out[i].iov_len);
		memcpy(f->slog + f->slog_len, out[i].iov_base, out[i].iov_len);
		f->out_len += out[i].iov_len;
		f->slog_len += out[i].iov_len;
	}
}

static void srv_u64(struct fix *f, uint8_t tag, uint64_t v)
{
	uint8_t b[8];

	put_le64(b, v);
	srv_frame(f, tag, b, 8);
}

/* Feed all pending server bytes; returns the last event. */
static int feed(struct fix *f)
{
	size_t off = 0, used;
	int ev = V2P_EV_NEED_MORE;

	while (off < f->out_len || ev == V2P_EV_MSG_SIZES) {
		ev = v2p_feed(&f->p, f->out + off, f->out_len - off, &used,
			      t_ms);
		off += used;
		if (ev == V2P_EV_MSG_SIZES)
			continue; /* the test names no buffers: dropped */
		if (ev != V2P_EV_NEED_MORE)
			break;
	}
	assert_true(ev != V2P_EV_NEED_MORE || off == f->out_len);
	memmove(f->out, f->out + off, f->out_len - off);
	f->out_len -= off;
	return ev;
}

/* The next frame the client queued (its tag; seg0 in f->seg), or 0. */
static int client_frame(struct fix *f, size_t *len)
{
	const uint8_t *d;
	size_t n = v2p_tx_pending(&f->p, &d), used;
	struct iovec iov;

	for (;;) {
		int r = v2_rx_feed(&f->crx, d, n, &used);

		memcpy(f->clog + f->clog_len, d, used);
		f->clog_len += used;
		v2p_tx_consumed(&f->p, used);
		d += used;
		n -= used;
		assert_true(r >= 0);
		if (r == V2_RX_PREAMBLE) {
			iov = (struct iovec){f->seg, f->crx.pre.len[0]};
			assert_int_equal(v2_rx_set_segment(&f->crx, 0, &iov, 1),
					 0);
			continue;
		}
		if (r == V2_RX_FRAME) {
			*len = f->crx.pre.len[0];
			return f->crx.pre.tag;
		}
		if (!n)
			return 0;
	}
}

static void setup(struct fix *f, const uint32_t *modes, uint32_t n)
{
	struct cephc_auth_params ap = {.name_type = CEPHC_ENTITY_CLIENT,
				       .name_id = "admin"};
	struct v2p_config cfg = {.peer_type = CEPHC_ENTITY_MON,
				 .features = 0xff,
				 .features_required = 0x1,
				 .addr_nonce = 77,
				 .client_cookie = 99,
				 .global_seq = 1,
				 .handshake_timeout_ms = 5000,
				 .keepalive_ms = 1000};
	const uint8_t *d;
	uint8_t banner[V2_BANNER_LEN];
	uint64_t sup, req;

	memset(f, 0, sizeof(*f));
	assert_int_equal(cephc_addr_parse("v2:10.0.0.1:3300", &f->mon, 3300),
			 0);
	f->mon.type = CEPHC_ADDR_MSGR2;
	assert_int_equal(cephc_addr_parse("10.0.0.9:0", &f->me, 0), 0);
	cfg.peer_addr = f->mon;
	memcpy(cfg.modes, modes, n * sizeof(*modes));
	cfg.nmodes = n;
	f->a = cephc_auth_create(&ap);
	assert_non_null(f->a);
	cfg.auth = f->a;
	assert_int_equal(v2p_init(&f->p, &cfg, t_ms), 0);
	assert_int_equal(v2p_connected(&f->p, t_ms), 0);
	assert_int_equal(v2p_tx_pending(&f->p, &d), V2_BANNER_LEN);
	assert_true(v2_banner_decode(d, V2_BANNER_LEN, &sup, &req) > 0);
	assert_int_equal(sup, V2_FEAT_REVISION_1);
	memcpy(f->clog, d, V2_BANNER_LEN);
	f->clog_len = V2_BANNER_LEN;
	v2p_tx_consumed(&f->p, V2_BANNER_LEN);
	v2_rx_init(&f->crx, V2_MODE_CRC, NULL, NULL);
	v2_banner_encode(banner, 1, 0);
	memcpy(f->out, banner, sizeof(banner));
	f->out_len = sizeof(banner);
	memcpy(f->slog, banner, sizeof(banner));
	f->slog_len = sizeof(banner);
}

static void teardown(struct fix *f)
{
	v2_crypto_free(&f->sc);
	v2p_free(&f->p);
	cephc_auth_destroy(f->a);
}

static void srv_hello(struct fix *f)
{
	struct v2_hello h = {.entity_type = CEPHC_ENTITY_MON, .addr = f->me};
	uint8_t b[256];
	struct cephc_enc e;

	enc_init(&e, b, sizeof(b));
	v2_hello_encode(&e, &h);
	srv_frame(f, V2_TAG_HELLO, b, enc_len(&e));
}

/* Up to the client's AUTH_REQUEST (checked). */
static void to_auth(struct fix *f, uint32_t want_modes)
{
	struct v2_hello h;
	struct v2_auth_request r;
	size_t n;

	srv_hello(f);
	assert_int_equal(feed(f), V2P_EV_NEED_MORE);
	assert_int_equal(client_frame(f, &n), V2_TAG_HELLO);
	assert_int_equal(v2_hello_decode(f->seg, n, &h), 0);
	assert_int_equal(h.entity_type, CEPHC_ENTITY_CLIENT);
	assert_true(cephc_addr_equal(&h.addr, &f->mon));
	assert_int_equal(client_frame(f, &n), V2_TAG_AUTH_REQUEST);
	assert_int_equal(v2_auth_request_decode(f->seg, n, &r), 0);
	assert_int_equal(r.method, CEPHC_AUTH_NONE);
	assert_int_equal(r.nmodes, want_modes);
	assert_int_equal(f->p.state, V2P_S_AUTH);
}

static void srv_auth_done(struct fix *f, uint32_t mode)
{
	struct v2_auth_done d = {.global_id = 4242, .con_mode = mode};
	uint8_t b[64];
	struct cephc_enc e;

	enc_init(&e, b, sizeof(b));
	v2_auth_done_encode(&e, &d);
	srv_frame(f, V2_TAG_AUTH_DONE, b, enc_len(&e));
}

static void srv_server_ident_feat(struct fix *f, uint64_t features,
				  uint64_t required)
{
	struct v2_server_ident s = {.naddrs = 1,
				    .features = features,
				    .required = required,
				    .flags = V2_IDENT_FLAG_LOSSY};
	uint8_t b[512];
	struct cephc_enc e;

	s.addrs[0] = f->mon;
	enc_init(&e, b, sizeof(b));
	v2_server_ident_encode(&e, &s);
	srv_frame(f, V2_TAG_SERVER_IDENT, b, enc_len(&e));
}

static void srv_server_ident(struct fix *f, uint64_t required)
{
	srv_server_ident_feat(f, 0xff, required);
}

/* Up to the client's CLIENT_IDENT. */
static void to_ident(struct fix *f)
{
	static const uint8_t zero[32];
	size_t n;

	to_auth(f, 1);
	srv_auth_done(f, V2_MODE_CRC);
	assert_int_equal(feed(f), V2P_EV_NEED_MORE);
	assert_int_equal(client_frame(f, &n), V2_TAG_AUTH_SIGNATURE);
	assert_int_equal(n, 32);
	assert_memory_equal(f->seg, zero, 32); /* auth none: zeros */
	srv_frame(f, V2_TAG_AUTH_SIGNATURE, zero, 32);
	assert_int_equal(feed(f), V2P_EV_NEED_MORE);
	assert_int_equal(client_frame(f, &n), V2_TAG_CLIENT_IDENT);
	assert_int_equal(f->p.state, V2P_S_IDENT);
}

static void to_ready(struct fix *f)
{
	to_ident(f);
	srv_server_ident(f, 0);
	assert_int_equal(feed(f), V2P_EV_READY);
	assert_int_equal(f->p.global_id, 4242);
}

static const uint32_t crc_only[1] = {V2_MODE_CRC};

static void test_handshake_and_messages(void **state)
{
	struct fix *f = malloc(sizeof(*f));
	struct v2_header2 h = {.seq = 1, .type = 42, .ack_seq = 0};
	uint8_t h2[V2_HEADER2_LEN], fr[5] = "hello", got[5];
	struct iovec iv[2], giov = {got, sizeof(got)};
	struct v2_frame_desc d = {.tag = V2_TAG_MESSAGE, .nseg = 2};
	struct v2_tx_crc tx;
	struct iovec out[8];
	size_t cnt, n, off = 0, used;
	int ev;

	(void)state;
	setup(f, crc_only, 1);
	to_ident(f);
	srv_server_ident(f, 0);
	assert_int_equal(feed(f), V2P_EV_READY);
	/* a MESSAGE with a 5-byte front into our own buffer */
	v2_header2_encode(h2, &h);
	iv[0] = (struct iovec){h2, sizeof(h2)};
	iv[1] = (struct iovec){fr, sizeof(fr)};
	d.seg[0] = (struct v2_seg_src){&iv[0], 1, 8};
	d.seg[1] = (struct v2_seg_src){&iv[1], 1, 8};
	assert_int_equal(v2_encode_crc(&d, &tx, out, 8, &cnt), 0);
	for (size_t i = 0; i < cnt; i++) {
		memcpy(f->out + f->out_len, out[i].iov_base, out[i].iov_len);
		f->out_len += out[i].iov_len;
	}
	ev = v2p_feed(&f->p, f->out, f->out_len, &used, t_ms);
	off += used;
	assert_int_equal(ev, V2P_EV_MSG_SIZES);
	assert_int_equal(f->p.msg_len[0], 5);
	{
		const struct iovec *iovs[3] = {&giov, NULL, NULL};
		size_t cnts[3] = {1, 0, 0};

		assert_int_equal(v2p_set_msg_buffers(&f->p, iovs, cnts), 0);
	}
	ev = v2p_feed(&f->p, f->out + off, f->out_len - off, &used, t_ms);
	off += used;
	assert_int_equal(ev, V2P_EV_MESSAGE);
	assert_int_equal(off, f->out_len);
	f->out_len = 0;
	assert_memory_equal(got, "hello", 5);
	assert_int_equal(f->p.msg_hdr.type, 42);
	assert_int_equal(f->p.in_seq, 1);
	assert_int_equal(client_frame(f, &n), V2_TAG_ACK);
	assert_int_equal(get_le64(f->seg), 1);
	/* the same seq again is skipped, a gap is a fault later */
	/* KEEPALIVE2 -> KEEPALIVE2_ACK echoing the stamp */
	srv_u64(f, V2_TAG_KEEPALIVE2, 0x0000000500000007ull);
	assert_int_equal(feed(f), V2P_EV_NEED_MORE);
	assert_int_equal(client_frame(f, &n), V2_TAG_KEEPALIVE2_ACK);
	assert_int_equal(get_le64(f->seg), 0x0000000500000007ull);
	/* our message: seq 1, ack_seq 1 */
	{
		struct v2p_msg_out m = {.hdr = {.type = 19}};
		struct iovec fi = {fr, 3};
		struct v2_header2 g;

		m.iov[0] = &fi;
		m.iovcnt[0] = 1;
		assert_int_equal(v2p_send_message(&f->p, &m), 0);
		assert_int_equal(client_frame(f, &n), V2_TAG_MESSAGE);
		assert_int_equal(v2_header2_decode(f->seg, n, &g), 0);
		assert_int_equal(g.seq, 1);
		assert_int_equal(g.ack_seq, 1);
		assert_int_equal(g.type, 19);
		assert_int_equal(f->crx.pre.nseg, 2);
		assert_int_equal(f->crx.pre.len[1], 3);
	}
	srv_u64(f, V2_TAG_ACK, 1);
	assert_int_equal(feed(f), V2P_EV_NEED_MORE);
	assert_int_equal(f->p.out_acked, 1);
	/* keepalive timer */
	assert_int_equal(v2p_timer(&f->p, t_ms + 999), V2P_EV_NEED_MORE);
	assert_int_equal(client_frame(f, &n), 0);
	assert_int_equal(v2p_timer(&f->p, t_ms + 1000), V2P_EV_NEED_MORE);
	assert_int_equal(client_frame(f, &n), V2_TAG_KEEPALIVE2);
	srv_u64(f, V2_TAG_KEEPALIVE2_ACK, 1);
	assert_int_equal(feed(f), V2P_EV_NEED_MORE);
	/* a gap in seq faults */
	h.seq = 3;
	v2_header2_encode(h2, &h);
	d.nseg = 1;
	assert_int_equal(v2_encode_crc(&d, &tx, out, 8, &cnt), 0);
	for (size_t i = 0; i < cnt; i++) {
		memcpy(f->out + f->out_len, out[i].iov_base, out[i].iov_len);
		f->out_len += out[i].iov_len;
	}
	assert_int_equal(feed(f), V2P_EV_FAULT);
	assert_int_equal(f->p.fault_err, CEPHC_EPROTO);
	teardown(f);
	free(f);
}

/* Every byte split: the banner and frames may arrive one byte at a time. */
static void test_one_byte_at_a_time(void **state)
{
	struct fix *f = malloc(sizeof(*f));
	static const uint8_t zero[32];
	size_t n, used;
	int ev = V2P_EV_NEED_MORE;

	(void)state;
	setup(f, crc_only, 1);
	srv_hello(f);
	srv_auth_done(f, V2_MODE_CRC);
	srv_frame(f, V2_TAG_AUTH_SIGNATURE, zero, 32);
	srv_server_ident(f, 0);
	for (size_t i = 0; i < f->out_len; i++) {
		ev = v2p_feed(&f->p, f->out + i, 1, &used, t_ms);
		assert_int_equal(used, 1);
		if (i + 1 < f->out_len)
			assert_int_equal(ev, V2P_EV_NEED_MORE);
	}
	assert_int_equal(ev, V2P_EV_READY);
	assert_int_equal(client_frame(f, &n), V2_TAG_HELLO);
	teardown(f);
	free(f);
}

/* One scripted failure: frames after the client's state `at`. */
enum at { AT_HELLO, AT_AUTH, AT_SIG, AT_IDENT, AT_READY };

static void expect_fault(enum at at, uint8_t tag, const void *p, size_t len,
			 int err)
{
	struct fix *f = malloc(sizeof(*f));
	size_t n;

	setup(f, crc_only, 1);
	if (at == AT_AUTH)
		to_auth(f, 1);
	else if (at == AT_SIG) {
		to_auth(f, 1);
		srv_auth_done(f, V2_MODE_CRC);
		assert_int_equal(feed(f), V2P_EV_NEED_MORE);
	} else if (at == AT_IDENT)
		to_ident(f);
	else if (at == AT_READY)
		to_ready(f);
	else {
		assert_int_equal(feed(f), V2P_EV_NEED_MORE);
	}
	srv_frame(f, tag, p, len);
	assert_int_equal(feed(f), V2P_EV_FAULT);
	assert_int_equal(f->p.state, V2P_S_FAULT);
	assert_int_equal(f->p.fault_err, err);
	assert_true(f->p.fault_reason[0] != 0);
	/* sticky */
	assert_int_equal(v2p_feed(&f->p, f->out, 0, &n, t_ms), V2P_EV_FAULT);
	teardown(f);
	free(f);
}

static void test_error_frames(void **state)
{
	uint8_t b[256], sig[32];
	struct cephc_enc e;
	struct v2_hello h = {.entity_type = CEPHC_ENTITY_OSD};
	struct v2_auth_bad_method bm = {.method = 1,
					.result = -13,
					.nmethods = 1,
					.methods = {2},
					.nmodes = 1,
					.modes = {V2_MODE_CRC}};
	uint64_t v = 0x40;

	(void)state;
	/* HELLO from the wrong kind of daemon */
	enc_init(&e, b, sizeof(b));
	v2_hello_encode(&e, &h);
	expect_fault(AT_HELLO, V2_TAG_HELLO, b, enc_len(&e), CEPHC_EWRONGPEER);
	/* a truncated HELLO */
	expect_fault(AT_HELLO, V2_TAG_HELLO, b, 3, CEPHC_EDECODE);
	/* anything else before HELLO */
	expect_fault(AT_HELLO, V2_TAG_AUTH_DONE, b, 8, CEPHC_EBADTAG);
	/* AUTH_BAD_METHOD offering only cephx to a client with no key */
	enc_init(&e, b, sizeof(b));
	v2_auth_bad_method_encode(&e, &bm);
	expect_fault(AT_AUTH, V2_TAG_AUTH_BAD_METHOD, b, enc_len(&e),
		     CEPHC_EBADAUTH);
	/* ... or no mode in common */
	bm.methods[0] = CEPHC_AUTH_NONE;
	bm.modes[0] = V2_MODE_SECURE;
	enc_init(&e, b, sizeof(b));
	v2_auth_bad_method_encode(&e, &bm);
	expect_fault(AT_AUTH, V2_TAG_AUTH_BAD_METHOD, b, enc_len(&e),
		     CEPHC_EBADAUTH);
	/* count over the limit */
	put_le32(b + 8, 0xffffffffu);
	expect_fault(AT_AUTH, V2_TAG_AUTH_BAD_METHOD, b, 24, CEPHC_ETOOBIG);
	/* auth none has no second round */
	put_le32(b, 0);
	expect_fault(AT_AUTH, V2_TAG_AUTH_REPLY_MORE, b, 4, CEPHC_EPROTO);
	/* AUTH_REPLY_MORE longer than its segment */
	put_le32(b, 100);
	expect_fault(AT_AUTH, V2_TAG_AUTH_REPLY_MORE, b, 8, CEPHC_EDECODE);
	/* AUTH_DONE with a mode we did not offer, global_id 0, truncated */
	{
		struct v2_auth_done d = {.global_id = 5, .con_mode = 2};

		enc_init(&e, b, sizeof(b));
		v2_auth_done_encode(&e, &d);
		expect_fault(AT_AUTH, V2_TAG_AUTH_DONE, b, enc_len(&e),
			     CEPHC_EPROTO);
		d.con_mode = 1;
		d.global_id = 0;
		enc_init(&e, b, sizeof(b));
		v2_auth_done_encode(&e, &d);
		expect_fault(AT_AUTH, V2_TAG_AUTH_DONE, b, enc_len(&e),
			     CEPHC_EPROTO);
		expect_fault(AT_AUTH, V2_TAG_AUTH_DONE, b, 11, CEPHC_EDECODE);
	}
	/* SERVER_IDENT before the signatures */
	expect_fault(AT_AUTH, V2_TAG_SERVER_IDENT, b, 8, CEPHC_EBADTAG);
	/* a wrong or short AUTH_SIGNATURE */
	memset(sig, 1, sizeof(sig));
	expect_fault(AT_SIG, V2_TAG_AUTH_SIGNATURE, sig, 32, CEPHC_ESIGNATURE);
	memset(sig, 0, sizeof(sig));
	expect_fault(AT_SIG, V2_TAG_AUTH_SIGNATURE, sig, 31, CEPHC_ESIGNATURE);
	/* ident stage */
	put_le64(b, v);
	expect_fault(AT_IDENT, V2_TAG_IDENT_MISSING_FEATURES, b, 8,
		     CEPHC_EFEATURES);
	expect_fault(AT_IDENT, V2_TAG_IDENT_MISSING_FEATURES, b, 7,
		     CEPHC_EDECODE);
	expect_fault(AT_IDENT, V2_TAG_WAIT, b, 0, CEPHC_EAGAIN);
	/* a lossy client never reconnects: these are protocol errors */
	expect_fault(AT_IDENT, V2_TAG_SESSION_RESET, b, 1, CEPHC_EBADTAG);
	expect_fault(AT_IDENT, V2_TAG_SESSION_RETRY, b, 8, CEPHC_EBADTAG);
	expect_fault(AT_IDENT, V2_TAG_SESSION_RECONNECT_OK, b, 8,
		     CEPHC_EBADTAG);
	expect_fault(AT_IDENT, V2_TAG_SESSION_RECONNECT, b, 8, CEPHC_EBADTAG);
	expect_fault(AT_READY, V2_TAG_SESSION_RESET, b, 1, CEPHC_EBADTAG);
	expect_fault(AT_READY, V2_TAG_HELLO, b, 8, CEPHC_EBADTAG);
	expect_fault(AT_READY, V2_TAG_AUTH_REQUEST, b, 8, CEPHC_EBADTAG);
	expect_fault(AT_READY, V2_TAG_CLIENT_IDENT, b, 8, CEPHC_EBADTAG);
	expect_fault(AT_READY, V2_TAG_ACK, b, 4, CEPHC_EDECODE);
	expect_fault(AT_READY, V2_TAG_KEEPALIVE2, b, 4, CEPHC_EDECODE);
	expect_fault(AT_READY, V2_TAG_KEEPALIVE2_ACK, b, 4, CEPHC_EDECODE);
	/* MESSAGE whose header2 is not 41 bytes */
	expect_fault(AT_READY, V2_TAG_MESSAGE, b, 40, CEPHC_EDECODE);
}

static void test_ident_checks(void **state)
{
	struct fix *f = malloc(sizeof(*f));
	struct v2_client_ident ci;
	size_t n;

	(void)state;
	/* the peer requires a feature we lack */
	setup(f, crc_only, 1);
	to_ident(f);
	srv_server_ident(f, 0x100);
	assert_int_equal(feed(f), V2P_EV_FAULT);
	assert_int_equal(f->p.fault_err, CEPHC_EFEATURES);
	teardown(f);
	/* SERVER_IDENT without the address we dialled */
	setup(f, crc_only, 1);
	to_ident(f);
	f->mon.nonce = 5;
	srv_server_ident(f, 0);
	assert_int_equal(feed(f), V2P_EV_FAULT);
	assert_int_equal(f->p.fault_err, CEPHC_EWRONGPEER);
	teardown(f);
	/* what CLIENT_IDENT carried */
	setup(f, crc_only, 1);
	to_ident(f);
	n = f->crx.pre.len[0];
	{
		struct cephc_dec d;
		struct cephc_entity_addr a[2];
		uint32_t cnt;

		dec_init(&d, f->seg, n);
		assert_int_equal(cephc_addrvec_decode(&d, a, 2, &cnt), 0);
		assert_int_equal(cnt, 1);
		assert_int_equal(a[0].type, CEPHC_ADDR_ANY);
		assert_int_equal(a[0].nonce, 77);
		a[1] = f->me; /* the IP the HELLO told us, port 0 */
		a[1].nonce = 77;
		assert_true(cephc_addr_equal(&a[0], &a[1]));
		assert_int_equal(cephc_addr_decode(&d, &a[1]), 0);
		assert_true(cephc_addr_equal(&a[1], &f->mon));
		ci.global_id = dec_le64(&d);
		ci.global_seq = dec_le64(&d);
		assert_int_equal(ci.global_id, 4242);
		assert_int_equal(ci.global_seq, 1);
		assert_int_equal(dec_le64(&d), 0xff);
		assert_int_equal(dec_le64(&d), 0x1);
		assert_int_equal(dec_le64(&d), 0);
		assert_int_equal(dec_le64(&d), 99);
		assert_int_equal(d.err, 0);
	}
	/* the peer lacks a feature we require (ours: 0x1, theirs: 0xfe) */
	srv_server_ident_feat(f, 0xfe, 0);
	assert_int_equal(feed(f), V2P_EV_FAULT);
	assert_int_equal(f->p.fault_err, CEPHC_EFEATURES);
	teardown(f);
	/* SESSION_RETRY_GLOBAL only answers a reconnect: an error here */
	setup(f, crc_only, 1);
	to_ident(f);
	srv_u64(f, V2_TAG_SESSION_RETRY_GLOBAL, 50);
	assert_int_equal(feed(f), V2P_EV_FAULT);
	assert_int_equal(f->p.fault_err, CEPHC_EBADTAG);
	teardown(f);
	free(f);
}

/* AUTH_BAD_METHOD with a usable mode: one retry with fewer modes. */
static void test_bad_method_retry(void **state)
{
	static const uint32_t both[2] = {V2_MODE_SECURE, V2_MODE_CRC};
	struct fix *f = malloc(sizeof(*f));
	struct v2_auth_bad_method bm = {.method = 1,
					.result = -13,
					.nmethods = 1,
					.methods = {CEPHC_AUTH_NONE},
					.nmodes = 1,
					.modes = {V2_MODE_CRC}};
	struct v2_auth_request r;
	uint8_t b[128];
	struct cephc_enc e;
	size_t n;

	(void)state;
	setup(f, both, 2);
	to_auth(f, 2);
	enc_init(&e, b, sizeof(b));
	v2_auth_bad_method_encode(&e, &bm);
	srv_frame(f, V2_TAG_AUTH_BAD_METHOD, b, enc_len(&e));
	assert_int_equal(feed(f), V2P_EV_NEED_MORE);
	assert_int_equal(client_frame(f, &n), V2_TAG_AUTH_REQUEST);
	assert_int_equal(v2_auth_request_decode(f->seg, n, &r), 0);
	assert_int_equal(r.method, CEPHC_AUTH_NONE);
	assert_int_equal(r.nmodes, 1);
	assert_int_equal(r.modes[0], V2_MODE_CRC);
	/* a second refusal ends it */
	srv_frame(f, V2_TAG_AUTH_BAD_METHOD, b, enc_len(&e));
	assert_int_equal(feed(f), V2P_EV_FAULT);
	assert_int_equal(f->p.fault_err, CEPHC_EBADAUTH);
	teardown(f);
	free(f);
}

static void test_banner_and_timeout(void **state)
{
	struct fix *f = malloc(sizeof(*f));
	uint8_t banner[V2_BANNER_LEN];

	(void)state;
	/* a peer that requires a feature we lack */
	setup(f, crc_only, 1);
	v2_banner_encode(banner, 3, 2);
	memcpy(f->out, banner, sizeof(banner));
	assert_int_equal(feed(f), V2P_EV_FAULT);
	assert_int_equal(f->p.fault_err, CEPHC_EFEATURES);
	teardown(f);
	/* not a v2 peer */
	setup(f, crc_only, 1);
	memcpy(f->out, "ceph v027", 9);
	assert_int_equal(feed(f), V2P_EV_FAULT);
	assert_int_equal(f->p.fault_err, CEPHC_EBANNER);
	teardown(f);
	/* the handshake deadline */
	setup(f, crc_only, 1);
	assert_int_equal(v2p_timer(&f->p, t_ms + 4999), V2P_EV_NEED_MORE);
	assert_int_equal(v2p_timer(&f->p, t_ms + 5000), V2P_EV_FAULT);
	assert_int_equal(f->p.fault_err, CEPHC_ETIMEDOUT);
	teardown(f);
	free(f);
}

static void test_body_codecs(void **state)
{
	uint8_t b[512];
	struct cephc_enc e;
	struct v2_auth_request r = {.method = 2, .nmodes = 2, .modes = {2, 1}};
	struct v2_auth_request r2;
	struct v2_server_ident s = {.naddrs = 2, .global_id = -1, .cookie = 9};
	struct v2_server_ident s2;
	struct v2_header2 h = {.seq = 1,
			       .tid = 2,
			       .type = 3,
			       .priority = 4,
			       .version = 5,
			       .data_off = 6,
			       .ack_seq = 7,
			       .flags = 8,
			       .compat_version = 9};
	struct v2_header2 h2;
	uint8_t hb[V2_HEADER2_LEN];

	(void)state;
	r.payload = (const uint8_t *)"abc";
	r.payload_len = 3;
	enc_init(&e, b, sizeof(b));
	v2_auth_request_encode(&e, &r);
	assert_int_equal(e.err, 0);
	assert_int_equal(v2_auth_request_decode(b, enc_len(&e), &r2), 0);
	assert_int_equal(r2.nmodes, 2);
	assert_int_equal(r2.modes[0], 2);
	assert_memory_equal(r2.payload, "abc", 3);
	/* every truncation fails */
	for (size_t i = 0; i < enc_len(&e); i++)
		assert_true(v2_auth_request_decode(b, i, &r2) < 0);
	r.nmodes = V2_AUTH_LIST_MAX + 1;
	enc_init(&e, b, sizeof(b));
	v2_auth_request_encode(&e, &r);
	assert_int_equal(e.err, CEPHC_EINVAL);

	assert_int_equal(cephc_addr_parse("v2:1.2.3.4:5", &s.addrs[0], 0), 0);
	assert_int_equal(cephc_addr_parse("v1:1.2.3.4:6", &s.addrs[1], 0), 0);
	enc_init(&e, b, sizeof(b));
	v2_server_ident_encode(&e, &s);
	assert_int_equal(v2_server_ident_decode(b, enc_len(&e), &s2), 0);
	assert_int_equal(s2.naddrs, 2);
	assert_int_equal(s2.global_id, -1);
	assert_int_equal(s2.cookie, 9);
	for (size_t i = 0; i < enc_len(&e); i++)
		assert_true(v2_server_ident_decode(b, i, &s2) < 0);
	/* addrvec count far past the bytes */
	put_le32(b + 1, 0x7fffffff);
	assert_true(v2_server_ident_decode(b, enc_len(&e), &s2) < 0);

	v2_header2_encode(hb, &h);
	assert_int_equal(v2_header2_decode(hb, sizeof(hb), &h2), 0);
	assert_int_equal(h2.seq, 1);
	assert_int_equal(h2.ack_seq, 7);
	assert_int_equal(h2.compat_version, 9);
	assert_int_equal(h2.data_off, 6);
	assert_int_equal(v2_header2_decode(hb, 40, &h2), CEPHC_EDECODE);
}

static void test_auth_start_among(void **state)
{
	struct cephc_auth_params ap = {.name_type = CEPHC_ENTITY_CLIENT,
				       .name_id = "admin"};
	struct cephc_auth *a = cephc_auth_create(&ap);
	struct cephc_auth_buf b;

	(void)state;
	cephc_auth_buf_init(&b);
	/* no key: cephx alone is not possible */
	assert_int_equal(
	    cephc_auth_msgr2_start_among(a, 1u << CEPHC_AUTH_CEPHX, &b),
	    CEPHC_EBADAUTH);
	assert_int_equal(b.len, 0);
	assert_int_equal(cephc_auth_msgr2_start_among(a, 0, &b),
			 CEPHC_EBADAUTH);
	assert_int_equal(
	    cephc_auth_msgr2_start_among(
		a, 1u << CEPHC_AUTH_NONE | 1u << CEPHC_AUTH_CEPHX, &b),
	    0);
	assert_int_equal(cephc_auth_protocol(a), CEPHC_AUTH_NONE);
	assert_true(b.len > 0);
	cephc_auth_buf_free(&b);
	cephc_auth_destroy(a);
}

/*
 * A test double of the auth ops: auth none's behaviour plus a session key
 * and a connection secret, so secure mode and real HMACs run here.
 */
static struct cephc_crypto_key dbl_key = {.type = 1, .len = 16};
static uint8_t dbl_secret[64];
static size_t dbl_secret_len = 64;

static int dbl_session_key(struct cephc_auth *a,
			   const struct cephc_crypto_key **key)
{
	(void)a;
	*key = &dbl_key;
	return 0;
}

static int dbl_connection_secret(struct cephc_auth *a, const uint8_t **p,
				 size_t *len)
{
	(void)a;
	*p = dbl_secret;
	*len = dbl_secret_len;
	return 0;
}

static struct cephc_auth_ops dbl_ops;

static const uint32_t secure_only[1] = {V2_MODE_SECURE};

static void dbl_setup(struct fix *f, size_t secret_len)
{
	for (size_t i = 0; i < sizeof(dbl_secret); i++)
		dbl_secret[i] = (uint8_t)(i * 5 + 1);
	dbl_secret_len = secret_len;
	memset(dbl_key.secret, 0x42, 16);
	dbl_ops = cephc_auth_none_ops;
	dbl_ops.session_key = dbl_session_key;
	dbl_ops.connection_secret = dbl_connection_secret;
	setup(f, secure_only, 1);
	to_auth(f, 1);
	f->a->ops = &dbl_ops; /* chosen by AUTH_REQUEST: swap in the double */
}

/*
 * Secure mode up to the client's AUTH_SIGNATURE, checked; returns how
 * many bytes the client had sent before it (what ours must cover).
 */
static size_t to_secure_sig(struct fix *f)
{
	uint8_t mac[32];
	size_t n, done_end, sent;

	dbl_setup(f, 64);
	srv_auth_done(f, V2_MODE_SECURE);
	done_end = f->slog_len;
	sent = f->clog_len;
	assert_int_equal(feed(f), V2P_EV_NEED_MORE);
	assert_int_equal(f->p.mode, V2_MODE_SECURE);
	/* the client now speaks GCM: decode it as the server would */
	assert_int_equal(
	    v2_crypto_init(&f->sc, dbl_secret, dbl_secret_len, false), 0);
	f->sec = true;
	v2_rx_init(&f->crx, V2_MODE_SECURE, &f->sc, NULL);
	assert_int_equal(client_frame(f, &n), V2_TAG_AUTH_SIGNATURE);
	assert_int_equal(n, 32);
	assert_int_equal(
	    cephc_hmac_sha256(dbl_key.secret, 16, f->slog, done_end, mac), 0);
	assert_memory_equal(f->seg, mac, 32);
	return sent;
}

static void test_secure_mode(void **state)
{
	struct fix *f = malloc(sizeof(*f));
	uint8_t mac[32], h2[V2_HEADER2_LEN], fr[100], got[100];
	struct v2_header2 h = {.seq = 1, .type = 42};
	struct iovec giov = {got, sizeof(got)}, iv[2];
	struct v2_frame_desc d = {.tag = V2_TAG_MESSAGE, .nseg = 2};
	size_t n, sent, wl, off = 0, used;
	int ev;

	(void)state;
	sent = to_secure_sig(f);
	assert_int_equal(
	    cephc_hmac_sha256(dbl_key.secret, 16, f->clog, sent, mac), 0);
	srv_frame(f, V2_TAG_AUTH_SIGNATURE, mac, 32);
	assert_int_equal(feed(f), V2P_EV_NEED_MORE);
	assert_int_equal(client_frame(f, &n), V2_TAG_CLIENT_IDENT);
	srv_server_ident(f, 0);
	assert_int_equal(feed(f), V2P_EV_READY);
	/* a 100-byte front from the server, sealed */
	for (size_t i = 0; i < sizeof(fr); i++)
		fr[i] = (uint8_t)i;
	v2_header2_encode(h2, &h);
	iv[0] = (struct iovec){h2, sizeof(h2)};
	iv[1] = (struct iovec){fr, sizeof(fr)};
	d.seg[0] = (struct v2_seg_src){&iv[0], 1, 8};
	d.seg[1] = (struct v2_seg_src){&iv[1], 1, 8};
	wl = (size_t)v2_frame_wire_len(&d, V2_MODE_SECURE);
	assert_int_equal(v2_encode_secure(&d, &f->sc, f->out, BUF), 0);
	f->out_len = wl;
	ev = v2p_feed(&f->p, f->out, f->out_len, &used, t_ms);
	off += used;
	assert_int_equal(ev, V2P_EV_MSG_SIZES);
	assert_int_equal(f->p.msg_len[0], 100);
	{
		const struct iovec *iovs[3] = {&giov, NULL, NULL};
		size_t cnts[3] = {1, 0, 0};

		assert_int_equal(v2p_set_msg_buffers(&f->p, iovs, cnts), 0);
	}
	ev = v2p_feed(&f->p, f->out + off, f->out_len - off, &used, t_ms);
	assert_int_equal(ev, V2P_EV_MESSAGE);
	assert_int_equal(off + used, wl);
	f->out_len = 0;
	assert_memory_equal(got, fr, sizeof(fr));
	assert_int_equal(client_frame(f, &n), V2_TAG_ACK);
	/* and one from the client */
	{
		struct v2p_msg_out m = {.hdr = {.type = 7}};
		struct iovec fi = {fr, 60};

		m.iov[0] = &fi;
		m.iovcnt[0] = 1;
		assert_int_equal(v2p_send_message(&f->p, &m), 0);
		assert_int_equal(client_frame(f, &n), V2_TAG_MESSAGE);
		assert_int_equal(f->crx.pre.nseg, 2);
		assert_int_equal(f->crx.pre.len[1], 60);
	}
	teardown(f);
	free(f);
}

static void test_secure_faults(void **state)
{
	struct fix *f = malloc(sizeof(*f));
	uint8_t mac[32];
	size_t sent;

	(void)state;
	/* their signature over the wrong bytes */
	sent = to_secure_sig(f);
	assert_int_equal(
	    cephc_hmac_sha256(dbl_key.secret, 16, f->clog, sent - 1, mac), 0);
	srv_frame(f, V2_TAG_AUTH_SIGNATURE, mac, 32);
	assert_int_equal(feed(f), V2P_EV_FAULT);
	assert_int_equal(f->p.fault_err, CEPHC_ESIGNATURE);
	teardown(f);
	/* a crc-mode frame where GCM is due */
	to_secure_sig(f);
	f->sec = false;
	srv_frame(f, V2_TAG_AUTH_SIGNATURE, mac, 32); /* 68 of 96 bytes */
	srv_frame(f, V2_TAG_AUTH_SIGNATURE, mac, 32);
	assert_int_equal(feed(f), V2P_EV_FAULT);
	assert_int_equal(f->p.fault_err, CEPHC_ECRYPTO);
	teardown(f);
	/* a connection secret too short for the key and two nonces */
	dbl_setup(f, V2_SECRET_MIN_LEN - 1);
	srv_auth_done(f, V2_MODE_SECURE);
	assert_int_equal(feed(f), V2P_EV_FAULT);
	assert_int_equal(f->p.fault_err, CEPHC_ECRYPTO);
	teardown(f);
	free(f);
}

static void srv_message(struct fix *f, uint64_t seq)
{
	struct v2_header2 h = {.seq = seq, .type = 42};
	uint8_t h2[V2_HEADER2_LEN], fr[3] = {1, 2, 3};
	struct iovec iv[2] = {{h2, sizeof(h2)}, {fr, sizeof(fr)}}, out[8];
	struct v2_frame_desc d = {.tag = V2_TAG_MESSAGE, .nseg = 2};
	struct v2_tx_crc tx;
	size_t cnt;

	v2_header2_encode(h2, &h);
	d.seg[0] = (struct v2_seg_src){&iv[0], 1, 8};
	d.seg[1] = (struct v2_seg_src){&iv[1], 1, 8};
	assert_int_equal(v2_encode_crc(&d, &tx, out, 8, &cnt), 0);
	for (size_t i = 0; i < cnt; i++) {
		memcpy(f->out + f->out_len, out[i].iov_base, out[i].iov_len);
		f->out_len += out[i].iov_len;
	}
}

/* Acks: one ACK for a burst, none when a MESSAGE carries ack_seq. */
static void test_ack_coalescing(void **state)
{
	struct fix *f = malloc(sizeof(*f));
	struct v2_header2 g;
	size_t n, off = 0, used;
	int ev, msgs = 0;

	(void)state;
	setup(f, crc_only, 1);
	to_ready(f);
	srv_message(f, 1);
	srv_message(f, 2);
	srv_message(f, 2); /* a repeat: skipped */
	while (off < f->out_len) {
		ev = v2p_feed(&f->p, f->out + off, f->out_len - off, &used,
			      t_ms);
		off += used;
		assert_true(ev != V2P_EV_FAULT);
		msgs += ev == V2P_EV_MESSAGE;
	}
	f->out_len = 0;
	assert_int_equal(msgs, 2);
	assert_int_equal(f->p.in_seq, 2);
	assert_int_equal(client_frame(f, &n), V2_TAG_ACK);
	assert_int_equal(get_le64(f->seg), 2);
	assert_int_equal(client_frame(f, &n), 0);
	/* the next one is acknowledged by our own message's ack_seq */
	srv_message(f, 3);
	assert_int_equal(feed(f), V2P_EV_MESSAGE);
	{
		struct v2p_msg_out m = {.hdr = {.type = 7}};

		assert_int_equal(v2p_send_message(&f->p, &m), 0);
	}
	assert_int_equal(client_frame(f, &n), V2_TAG_MESSAGE);
	assert_int_equal(v2_header2_decode(f->seg, n, &g), 0);
	assert_int_equal(g.ack_seq, 3);
	assert_int_equal(client_frame(f, &n), 0);
	teardown(f);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handshake_and_messages),
	    cmocka_unit_test(test_one_byte_at_a_time),
	    cmocka_unit_test(test_error_frames),
	    cmocka_unit_test(test_ident_checks),
	    cmocka_unit_test(test_bad_method_retry),
	    cmocka_unit_test(test_banner_and_timeout),
	    cmocka_unit_test(test_body_codecs),
	    cmocka_unit_test(test_auth_start_among),
	    cmocka_unit_test(test_secure_mode),
	    cmocka_unit_test(test_secure_faults),
	    cmocka_unit_test(test_ack_coalescing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
