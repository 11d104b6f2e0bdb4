/* SPDX-License-Identifier: MIT */
/* msgr2.1 client protocol state machine (see v2_proto.h). */
#include "msgr/v2_proto.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/crypto.h"
#include "cephc/errors.h"
#include "core/encode.h"

#define TX_MAX ((size_t)1 << 30)
#define AUTH_RETRIES_MAX 1

static const char *const state_names[] = {
    "idle",           "banner", "hello", "auth",
    "auth_signature", "ident",  "ready", "fault",
};

const char *v2p_state_name(enum v2p_state s)
{
	if ((unsigned)s >= sizeof(state_names) / sizeof(state_names[0]))
		return "?";
	return state_names[s];
}

static enum v2p_event fault(struct v2p *p, int err, const char *fmt, ...)
{
	va_list ap;

	if (p->state == V2P_S_FAULT)
		return V2P_EV_FAULT;
	p->fault_err = err ? err : CEPHC_EPROTO;
	va_start(ap, fmt);
	vsnprintf(p->fault_reason, sizeof(p->fault_reason), fmt, ap);
	va_end(ap);
	p->state = V2P_S_FAULT;
	return V2P_EV_FAULT;
}

static uint8_t *tx_reserve(struct v2p *p, size_t n)
{
	if (p->tx_off == p->tx_len)
		p->tx_off = p->tx_len = 0;
	if (n > TX_MAX - p->tx_len)
		return NULL;
	if (p->tx_len + n > p->tx_cap) {
		size_t cap = p->tx_cap ? p->tx_cap : 4096;
		uint8_t *t;

		while (cap < p->tx_len + n)
			cap *= 2;
		t = realloc(p->tx, cap);
		if (!t)
			return NULL;
		p->tx = t;
		p->tx_cap = cap;
	}
	p->tx_len += n;
	return p->tx + p->tx_len - n;
}

/* Encode one frame onto the tx queue in the current mode. */
static int send_desc(struct v2p *p, const struct v2_frame_desc *d)
{
	uint64_t wl =
	    v2_frame_wire_len(d, p->crypto_on ? V2_MODE_SECURE : V2_MODE_CRC);
	size_t start = p->tx_len;
	uint8_t *w;
	int err;

	if (!wl || wl > TX_MAX)
		return CEPHC_EINVAL;
	w = tx_reserve(p, (size_t)wl);
	if (!w)
		return CEPHC_ENOMEM;
	start = (size_t)(w - p->tx);
	if (p->crypto_on) {
		err = v2_encode_secure(d, &p->crypto, w, (size_t)wl);
	} else {
		struct v2_tx_crc tc;
		struct iovec out[3 + 3 * 8 + 1];
		size_t n = 0, cnt = 3;

		for (size_t i = 0; i < d->nseg; i++)
			cnt += d->seg[i].iovcnt;
		if (cnt > sizeof(out) / sizeof(out[0]))
			err = CEPHC_ENOBUFS;
		else
			err = v2_encode_crc(d, &tc, out, cnt, &n);
		for (size_t i = 0, off = 0; !err && i < n; i++) {
			memcpy(w + off, out[i].iov_base, out[i].iov_len);
			off += out[i].iov_len;
		}
	}
	if (err) {
		p->tx_len = start;
		return err;
	}
	if (p->logging)
		cephc_auth_buf_bytes(&p->sent_log, w, (size_t)wl);
	return p->sent_log.err;
}

static int send_ctl(struct v2p *p, uint8_t tag, const void *seg0, size_t len)
{
	struct iovec iov = {(void *)seg0, len};
	struct v2_frame_desc d = {.tag = tag, .nseg = 1};

	d.seg[0] = (struct v2_seg_src){&iov, 1, V2_ALIGN_CONTROL};
	return send_desc(p, &d);
}

static int send_u64(struct v2p *p, uint8_t tag, uint64_t v)
{
	uint8_t b[8];

	put_le64(b, v);
	return send_ctl(p, tag, b, 8);
}

int v2p_init(struct v2p *p, const struct v2p_config *cfg, uint64_t now_ms)
{
	memset(p, 0, sizeof(*p));
	if (!cfg || !cfg->auth || !cfg->nmodes || cfg->nmodes > V2P_MAX_MODES)
		return CEPHC_EINVAL;
	for (uint32_t i = 0; i < cfg->nmodes; i++)
		if (cfg->modes[i] != V2_MODE_CRC &&
		    cfg->modes[i] != V2_MODE_SECURE)
			return CEPHC_EINVAL;
	p->cfg = *cfg;
	p->now_ms = now_ms;
	memcpy(p->modes_now, cfg->modes, sizeof(p->modes_now));
	p->nmodes_now = cfg->nmodes;
	cephc_auth_buf_init(&p->ctl);
	cephc_auth_buf_init(&p->sent_log);
	cephc_auth_buf_init(&p->rcvd_log);
	return 0;
}

void v2p_free(struct v2p *p)
{
	v2_crypto_free(&p->crypto);
	cephc_auth_buf_free(&p->ctl);
	cephc_auth_buf_free(&p->sent_log);
	cephc_auth_buf_free(&p->rcvd_log);
	free(p->tx);
	memset(p, 0, sizeof(*p));
}

int v2p_connected(struct v2p *p, uint64_t now_ms)
{
	uint8_t *w;

	if (p->state != V2P_S_IDLE)
		return CEPHC_EINVAL;
	w = tx_reserve(p, V2_BANNER_LEN);
	if (!w)
		return CEPHC_ENOMEM;
	v2_banner_encode(w, V2_FEAT_REVISION_1, V2_FEAT_REVISION_1);
	p->logging = true;
	cephc_auth_buf_bytes(&p->sent_log, w, V2_BANNER_LEN);
	p->now_ms = now_ms;
	if (p->cfg.handshake_timeout_ms)
		p->deadline_ms = now_ms + p->cfg.handshake_timeout_ms;
	p->state = V2P_S_BANNER;
	return p->sent_log.err;
}

size_t v2p_tx_pending(struct v2p *p, const uint8_t **data)
{
	/* as the Linux client: a lone ACK only when the queue has drained
	 * (a MESSAGE we send carries ack_seq instead) */
	if (p->tx_off == p->tx_len && p->ack_pending &&
	    p->state == V2P_S_READY) {
		if (send_u64(p, V2_TAG_ACK, p->in_seq) == 0)
			p->ack_pending = false;
	}
	*data = p->tx + p->tx_off;
	return p->tx_len - p->tx_off;
}

void v2p_tx_consumed(struct v2p *p, size_t n)
{
	if (n > p->tx_len - p->tx_off)
		n = p->tx_len - p->tx_off;
	p->tx_off += n;
}

/* ---- handshake steps ---------------------------------------------------- */

static int send_auth_request(struct v2p *p, uint32_t peer_methods)
{
	struct cephc_auth_buf ab;
	struct v2_auth_request r = {0};
	struct cephc_enc e;
	uint8_t *buf;
	size_t cap;
	int err;

	cephc_auth_buf_init(&ab);
	err = cephc_auth_msgr2_start_among(p->cfg.auth, peer_methods, &ab);
	if (err) {
		cephc_auth_buf_free(&ab);
		return err;
	}
	r.method = cephc_auth_protocol(p->cfg.auth);
	r.nmodes = p->nmodes_now;
	memcpy(r.modes, p->modes_now, p->nmodes_now * sizeof(uint32_t));
	r.payload = ab.data;
	r.payload_len = (uint32_t)ab.len;
	cap = 16 + 4 * V2P_MAX_MODES + ab.len;
	buf = malloc(cap);
	if (!buf) {
		cephc_auth_buf_free(&ab);
		return CEPHC_ENOMEM;
	}
	enc_init(&e, buf, cap);
	v2_auth_request_encode(&e, &r);
	err =
	    e.err ? e.err : send_ctl(p, V2_TAG_AUTH_REQUEST, buf, enc_len(&e));
	free(buf);
	cephc_auth_buf_free(&ab);
	return err;
}

static int send_client_ident(struct v2p *p)
{
	struct v2_client_ident c = {0};
	struct cephc_enc e;
	uint8_t buf[2 * CEPHC_ADDR_LEGACY_LEN + 128];

	c.me = p->my_addr;
	c.me.type = CEPHC_ADDR_ANY;
	c.me.nonce = p->cfg.addr_nonce;
	cephc_addr_set_port(&c.me, 0);
	c.target = p->cfg.peer_addr;
	c.global_id = p->global_id;
	c.global_seq = p->cfg.global_seq;
	c.features = p->cfg.features;
	c.required = p->cfg.features_required;
	c.flags = 0;
	c.cookie = p->cfg.client_cookie;
	enc_init(&e, buf, sizeof(buf));
	v2_client_ident_encode(&e, &c);
	if (e.err)
		return e.err;
	return send_ctl(p, V2_TAG_CLIENT_IDENT, buf, enc_len(&e));
}

static bool mode_wanted(const struct v2p *p, uint32_t mode)
{
	for (uint32_t i = 0; i < p->nmodes_now; i++)
		if (p->modes_now[i] == mode)
			return true;
	return false;
}

static enum v2p_event on_banner(struct v2p *p, const uint8_t *b, size_t len,
				size_t *used)
{
	uint64_t sup, req;
	size_t need;
	int r;

	*used = 0;
	for (;;) {
		if (p->banner_have < V2_BANNER_PREFIX_LEN + 2)
			need = V2_BANNER_PREFIX_LEN + 2 - p->banner_have;
		else
			need = V2_BANNER_PREFIX_LEN + 2 +
			       get_le16(p->banner + V2_BANNER_PREFIX_LEN) -
			       p->banner_have;
		if (need > len - *used)
			need = len - *used;
		memcpy(p->banner + p->banner_have, b + *used, need);
		p->banner_have += need;
		*used += need;
		r = v2_banner_decode(p->banner, p->banner_have, &sup, &req);
		if (r < 0)
			return fault(p, r, "bad banner from the peer");
		if (r > 0)
			break;
		if (*used == len)
			return V2P_EV_NEED_MORE;
	}
	cephc_auth_buf_bytes(&p->rcvd_log, p->banner, (size_t)r);
	r = v2_banner_check(sup, req, V2_FEAT_REVISION_1);
	if (r)
		return fault(p, r,
			     "peer banner: supported %#llx, required %#llx",
			     (unsigned long long)sup, (unsigned long long)req);
	{
		struct v2_hello h = {.entity_type = CEPHC_ENTITY_CLIENT,
				     .addr = p->cfg.peer_addr};
		uint8_t buf[CEPHC_ADDR_LEGACY_LEN + 16];
		struct cephc_enc e;

		enc_init(&e, buf, sizeof(buf));
		v2_hello_encode(&e, &h);
		r = e.err ? e.err : send_ctl(p, V2_TAG_HELLO, buf, enc_len(&e));
		if (r)
			return fault(p, r, "cannot queue HELLO");
	}
	v2_rx_init(&p->rx, V2_MODE_CRC, NULL, NULL);
	p->rx.lim.seg_max[0] = V2P_CONTROL_MAX;
	p->state = V2P_S_HELLO;
	return V2P_EV_NEED_MORE;
}

static enum v2p_event on_hello(struct v2p *p, const uint8_t *s, size_t n)
{
	struct v2_hello h;
	int err = v2_hello_decode(s, n, &h);

	if (err)
		return fault(p, err, "HELLO does not decode");
	if (h.entity_type != p->cfg.peer_type)
		return fault(p, CEPHC_EWRONGPEER,
			     "peer is entity type %u, expected %u",
			     h.entity_type, p->cfg.peer_type);
	p->my_addr = h.addr;
	err = send_auth_request(p, ~0u);
	if (err)
		return fault(p, err, "cannot start authentication");
	p->state = V2P_S_AUTH;
	return V2P_EV_NEED_MORE;
}

static enum v2p_event on_bad_method(struct v2p *p, const uint8_t *s, size_t n)
{
	struct v2_auth_bad_method b;
	uint32_t methods = 0, nm = 0, keep[V2P_MAX_MODES];
	int err = v2_auth_bad_method_decode(s, n, &b);

	if (err)
		return fault(p, err, "AUTH_BAD_METHOD does not decode");
	for (uint32_t i = 0; i < b.nmethods; i++)
		if (b.methods[i] < 32)
			methods |= 1u << b.methods[i];
	for (uint32_t i = 0; i < p->cfg.nmodes; i++)
		for (uint32_t j = 0; j < b.nmodes; j++)
			if (b.modes[j] == p->cfg.modes[i]) {
				keep[nm++] = p->cfg.modes[i];
				break;
			}
	if (p->auth_retries >= AUTH_RETRIES_MAX)
		return fault(p, CEPHC_EBADAUTH,
			     "auth method %u refused again (result %d)",
			     b.method, b.result);
	if (!nm)
		return fault(p, CEPHC_EBADAUTH,
			     "auth method %u refused (result %d): no "
			     "connection mode we allow is allowed by the peer",
			     b.method, b.result);
	if ((methods & (1u << cephc_auth_protocol(p->cfg.auth))) &&
	    nm == p->nmodes_now &&
	    !memcmp(keep, p->modes_now, nm * sizeof(keep[0])))
		return fault(
		    p, CEPHC_EBADAUTH,
		    "auth method %u refused (result %d) although the "
		    "peer lists it and our modes: nothing else to offer",
		    b.method, b.result);
	p->auth_retries++;
	memcpy(p->modes_now, keep, sizeof(keep));
	p->nmodes_now = nm;
	err = send_auth_request(p, methods);
	if (err)
		return fault(p, err,
			     "auth method %u refused (result %d); the peer "
			     "allows method mask %#x, none of which we can use",
			     b.method, b.result, methods);
	return V2P_EV_NEED_MORE;
}

static enum v2p_event on_reply_more(struct v2p *p, const uint8_t *s, size_t n)
{
	struct cephc_auth_buf ab;
	const uint8_t *pl;
	uint32_t plen;
	uint8_t *buf;
	struct cephc_enc e;
	int err = v2_auth_more_decode(s, n, &pl, &plen);

	if (err)
		return fault(p, err, "AUTH_REPLY_MORE does not decode");
	cephc_auth_buf_init(&ab);
	err =
	    cephc_auth_msgr2_handle_more(p->cfg.auth, pl, plen, p->now_ms, &ab);
	if (err) {
		cephc_auth_buf_free(&ab);
		return fault(p, err, "auth challenge refused: %s",
			     cephc_strerror(err));
	}
	buf = malloc(ab.len + 4);
	if (!buf) {
		cephc_auth_buf_free(&ab);
		return fault(p, CEPHC_ENOMEM, "out of memory");
	}
	enc_init(&e, buf, ab.len + 4);
	v2_auth_more_encode(&e, ab.data, (uint32_t)ab.len);
	err = e.err ? e.err
		    : send_ctl(p, V2_TAG_AUTH_REQUEST_MORE, buf, enc_len(&e));
	free(buf);
	cephc_auth_buf_free(&ab);
	if (err)
		return fault(p, err, "cannot queue AUTH_REQUEST_MORE");
	return V2P_EV_NEED_MORE;
}

static int hmac(const struct cephc_crypto_key *k,
		const struct cephc_auth_buf *b, uint8_t out[V2_SIG_LEN])
{
	if (!k) { /* auth none: an all-zero signature, as Ceph sends */
		memset(out, 0, V2_SIG_LEN);
		return 0;
	}
	return cephc_hmac_sha256(k->secret, k->len, b->data, b->len, out);
}

static enum v2p_event on_auth_done(struct v2p *p, const uint8_t *s, size_t n)
{
	struct v2_auth_done d;
	const struct cephc_crypto_key *key = NULL;
	const uint8_t *cs = NULL;
	uint8_t ours[V2_SIG_LEN];
	size_t cslen = 0;
	int err = v2_auth_done_decode(s, n, &d);

	if (err)
		return fault(p, err, "AUTH_DONE does not decode");
	if (!mode_wanted(p, d.con_mode))
		return fault(
		    p, CEPHC_EPROTO,
		    "peer chose connection mode %u, not one we offered",
		    d.con_mode);
	err = cephc_auth_msgr2_handle_done(p->cfg.auth, d.global_id, d.payload,
					   d.payload_len, p->now_ms);
	if (err)
		return fault(p, err, "AUTH_DONE refused: %s",
			     cephc_strerror(err));
	err = cephc_auth_session_key(p->cfg.auth, &key);
	if (err == CEPHC_EOPNOTSUPP)
		key = NULL;
	else if (err)
		return fault(p, err, "no session key after AUTH_DONE");
	if (d.con_mode == V2_MODE_SECURE) {
		err = cephc_auth_connection_secret(p->cfg.auth, &cs, &cslen);
		if (err || cslen < V2_SECRET_MIN_LEN)
			return fault(p, CEPHC_ECRYPTO,
				     "secure mode without a usable connection "
				     "secret (%zu bytes)",
				     cslen);
	}
	p->global_id = d.global_id;
	p->logging = false;
	if (p->rcvd_log.err || p->sent_log.err ||
	    hmac(key, &p->rcvd_log, ours) ||
	    hmac(key, &p->sent_log, p->peer_sig))
		return fault(p, CEPHC_ECRYPTO, "cannot compute signatures");
	p->mode = (enum v2_mode)d.con_mode;
	if (p->mode == V2_MODE_SECURE) {
		err = v2_crypto_init(&p->crypto, cs, cslen, true);
		if (err)
			return fault(p, err, "secure mode setup failed");
		p->crypto_on = true;
	}
	v2_rx_init(&p->rx, p->mode, p->crypto_on ? &p->crypto : NULL, NULL);
	p->rx.lim.seg_max[0] = V2P_CONTROL_MAX;
	err = send_ctl(p, V2_TAG_AUTH_SIGNATURE, ours, V2_SIG_LEN);
	if (err)
		return fault(p, err, "cannot queue AUTH_SIGNATURE");
	cephc_auth_buf_free(&p->sent_log);
	cephc_auth_buf_free(&p->rcvd_log);
	p->state = V2P_S_AUTH_SIGNATURE;
	return V2P_EV_NEED_MORE;
}

static enum v2p_event on_signature(struct v2p *p, const uint8_t *s, size_t n)
{
	int err;

	if (n != V2_SIG_LEN || memcmp(s, p->peer_sig, V2_SIG_LEN))
		return fault(p, CEPHC_ESIGNATURE,
			     "peer AUTH_SIGNATURE does not match what we sent");
	err = send_client_ident(p);
	if (err)
		return fault(p, err, "cannot queue CLIENT_IDENT");
	p->state = V2P_S_IDENT;
	return V2P_EV_NEED_MORE;
}

static enum v2p_event on_server_ident(struct v2p *p, const uint8_t *s, size_t n)
{
	struct v2_server_ident si;
	bool found = false;
	int err = v2_server_ident_decode(s, n, &si);

	if (err)
		return fault(p, err, "SERVER_IDENT does not decode");
	for (uint32_t i = 0; i < si.naddrs; i++)
		if (cephc_addr_equal(&si.addrs[i], &p->cfg.peer_addr))
			found = true;
	if (!found)
		return fault(
		    p, CEPHC_EWRONGPEER,
		    "SERVER_IDENT does not list the address we dialled");
	if (p->cfg.features_required & ~si.features)
		return fault(p, CEPHC_EFEATURES,
			     "peer lacks features %#llx we require",
			     (unsigned long long)(p->cfg.features_required &
						  ~si.features));
	if (si.required & ~p->cfg.features)
		return fault(
		    p, CEPHC_EFEATURES, "peer requires features %#llx we lack",
		    (unsigned long long)(si.required & ~p->cfg.features));
	p->peer_features = si.features;
	p->server_cookie = si.cookie;
	p->state = V2P_S_READY;
	p->last_keepalive_ms = p->now_ms;
	return V2P_EV_READY;
}

static enum v2p_event on_ident_other(struct v2p *p, uint8_t tag,
				     const uint8_t *s, size_t n)
{
	uint64_t v;

	if (tag == V2_TAG_WAIT) {
		p->fault_retry = true;
		return fault(p, CEPHC_EAGAIN, "peer asked us to WAIT");
	}
	if (v2_u64_decode(s, n, &v))
		return fault(p, CEPHC_EDECODE, "frame %u does not decode", tag);
	return fault(p, CEPHC_EFEATURES, "peer says we lack features %#llx",
		     (unsigned long long)v);
}

/* ---- after READY --------------------------------------------------------- */

static int send_stamp(struct v2p *p, uint8_t tag, uint32_t sec, uint32_t nsec)
{
	uint8_t b[8];

	put_le32(b, sec);
	put_le32(b + 4, nsec);
	return send_ctl(p, tag, b, 8);
}

static enum v2p_event on_ready_ctl(struct v2p *p, uint8_t tag, const uint8_t *s,
				   size_t n)
{
	uint32_t sec, nsec;
	uint64_t v;

	switch (tag) {
	case V2_TAG_ACK:
		if (v2_u64_decode(s, n, &v))
			return fault(p, CEPHC_EDECODE, "ACK does not decode");
		if (v > p->out_acked && v <= p->out_seq)
			p->out_acked = v;
		return V2P_EV_NEED_MORE;
	case V2_TAG_KEEPALIVE2:
		if (v2_stamp_decode(s, n, &sec, &nsec))
			return fault(p, CEPHC_EDECODE, "KEEPALIVE2 bad");
		if (send_stamp(p, V2_TAG_KEEPALIVE2_ACK, sec, nsec))
			return fault(p, CEPHC_ENOMEM, "cannot queue an ack");
		return V2P_EV_NEED_MORE;
	case V2_TAG_KEEPALIVE2_ACK:
		if (v2_stamp_decode(s, n, &sec, &nsec))
			return fault(p, CEPHC_EDECODE, "KEEPALIVE2_ACK bad");
		p->last_keepalive_ack_ms = p->now_ms;
		return V2P_EV_NEED_MORE;
	default:
		return fault(p, CEPHC_EBADTAG, "frame %u unexpected when ready",
			     tag);
	}
}

static enum v2p_event on_message(struct v2p *p)
{
	if (p->rx.aborted)
		return V2P_EV_NEED_MORE; /* the sender gave up on it */
	if (p->msg_hdr.seq <= p->in_seq)
		return V2P_EV_NEED_MORE; /* an old one: skip, as the kernel */
	if (p->msg_hdr.seq != p->in_seq + 1)
		return fault(p, CEPHC_EPROTO, "message seq %llu, expected %llu",
			     (unsigned long long)p->msg_hdr.seq,
			     (unsigned long long)(p->in_seq + 1));
	p->in_seq = p->msg_hdr.seq;
	if (p->msg_hdr.ack_seq > p->out_acked &&
	    p->msg_hdr.ack_seq <= p->out_seq)
		p->out_acked = p->msg_hdr.ack_seq;
	p->ack_pending = true; /* sent once nothing else is queued */
	return V2P_EV_MESSAGE;
}

/* Which tags each state takes (anything else is a protocol error). */
static bool tag_ok(enum v2p_state s, uint8_t tag)
{
	switch (s) {
	case V2P_S_HELLO:
		return tag == V2_TAG_HELLO;
	case V2P_S_AUTH:
		return tag == V2_TAG_AUTH_REPLY_MORE ||
		       tag == V2_TAG_AUTH_DONE || tag == V2_TAG_AUTH_BAD_METHOD;
	case V2P_S_AUTH_SIGNATURE:
		return tag == V2_TAG_AUTH_SIGNATURE;
	case V2P_S_IDENT:
		return tag == V2_TAG_SERVER_IDENT ||
		       tag == V2_TAG_IDENT_MISSING_FEATURES ||
		       tag == V2_TAG_WAIT || tag == V2_TAG_SESSION_RETRY_GLOBAL;
	case V2P_S_READY:
		return tag == V2_TAG_MESSAGE || tag == V2_TAG_ACK ||
		       tag == V2_TAG_KEEPALIVE2 || tag == V2_TAG_KEEPALIVE2_ACK;
	default:
		return false;
	}
}

static enum v2p_event on_frame(struct v2p *p)
{
	uint8_t tag = p->rx.pre.tag;
	const uint8_t *s = p->ctl.data;
	size_t n = p->rx.pre.len[0];

	switch (tag) {
	case V2_TAG_HELLO:
		return on_hello(p, s, n);
	case V2_TAG_AUTH_BAD_METHOD:
		return on_bad_method(p, s, n);
	case V2_TAG_AUTH_REPLY_MORE:
		return on_reply_more(p, s, n);
	case V2_TAG_AUTH_DONE:
		return on_auth_done(p, s, n);
	case V2_TAG_AUTH_SIGNATURE:
		return on_signature(p, s, n);
	case V2_TAG_SERVER_IDENT:
		return on_server_ident(p, s, n);
	case V2_TAG_IDENT_MISSING_FEATURES:
	case V2_TAG_WAIT:
		return on_ident_other(p, tag, s, n);
	case V2_TAG_MESSAGE:
		return on_message(p);
	default:
		return on_ready_ctl(p, tag, s, n);
	}
}

static enum v2p_event on_preamble(struct v2p *p)
{
	const struct v2_preamble *pre = &p->rx.pre;
	int err;

	if (!tag_ok(p->state, pre->tag))
		return fault(p, CEPHC_EBADTAG,
			     "frame %u unexpected in state %s", pre->tag,
			     v2p_state_name(p->state));
	if (pre->tag == V2_TAG_MESSAGE) {
		if (pre->len[0] != V2_HEADER2_LEN)
			return fault(p, CEPHC_EDECODE,
				     "MESSAGE header2 of %u bytes",
				     pre->len[0]);
	}
	cephc_auth_buf_reset(&p->ctl);
	if (!cephc_auth_buf_reserve(&p->ctl, pre->len[0] ? pre->len[0] : 1))
		return fault(p, CEPHC_ENOMEM, "no room for a control frame");
	p->ctl_iov = (struct iovec){p->ctl.data, pre->len[0]};
	err = v2_rx_set_segment(&p->rx, 0, &p->ctl_iov, 1);
	if (err)
		return fault(p, err, "segment 0");
	if (pre->tag == V2_TAG_MESSAGE) {
		for (unsigned i = 0; i < 3; i++)
			p->msg_len[i] = i + 1 < pre->nseg ? pre->len[i + 1] : 0;
		return V2P_EV_MSG_SIZES;
	}
	return V2P_EV_NEED_MORE;
}

int v2p_set_msg_buffers(struct v2p *p, const struct iovec *const iov[3],
			const size_t iovcnt[3])
{
	for (unsigned i = 0; i < 3; i++) {
		int err;

		if (!iov[i] || i + 1 >= p->rx.pre.nseg)
			continue;
		err = v2_rx_set_segment(&p->rx, i + 1, iov[i], iovcnt[i]);
		if (err)
			return err;
	}
	return 0;
}

enum v2p_event v2p_feed(struct v2p *p, const void *buf, size_t len,
			size_t *used, uint64_t now_ms)
{
	const uint8_t *b = buf;
	enum v2p_event ev;

	*used = 0;
	p->now_ms = now_ms;
	if (p->state == V2P_S_FAULT)
		return V2P_EV_FAULT;
	if (p->state == V2P_S_IDLE)
		return fault(p, CEPHC_EINVAL, "bytes before connected");
	if (p->state == V2P_S_BANNER) {
		ev = on_banner(p, b, len, used);
		if (ev != V2P_EV_NEED_MORE || p->state == V2P_S_BANNER)
			return ev;
	}
	for (;;) {
		size_t u = 0;
		int r = v2_rx_feed(&p->rx, b + *used, len - *used, &u);

		if (p->logging && u)
			cephc_auth_buf_bytes(&p->rcvd_log, b + *used, u);
		*used += u;
		if (r < 0)
			return fault(p, r, "frame decode: %s",
				     cephc_strerror(r));
		if (r == V2_RX_PREAMBLE) {
			ev = on_preamble(p);
			if (ev != V2P_EV_NEED_MORE)
				return ev;
			continue;
		}
		if (r == V2_RX_FRAME) {
			if (p->rx.pre.tag == V2_TAG_MESSAGE &&
			    v2_header2_decode(p->ctl.data, p->rx.pre.len[0],
					      &p->msg_hdr))
				return fault(p, CEPHC_EDECODE, "header2");
			ev = on_frame(p);
			if (ev != V2P_EV_NEED_MORE)
				return ev;
			continue;
		}
		if (*used == len)
			return V2P_EV_NEED_MORE;
	}
}

int v2p_send_message(struct v2p *p, struct v2p_msg_out *m)
{
	uint8_t h2[V2_HEADER2_LEN];
	struct iovec hv = {h2, sizeof(h2)};
	struct v2_frame_desc d = {.tag = V2_TAG_MESSAGE, .nseg = 4};
	int err;

	if (p->state != V2P_S_READY)
		return CEPHC_ENOTCONN;
	m->hdr.seq = p->out_seq + 1;
	m->hdr.ack_seq = p->in_seq;
	v2_header2_encode(h2, &m->hdr);
	d.seg[0] = (struct v2_seg_src){&hv, 1, V2_ALIGN_CONTROL};
	for (unsigned i = 0; i < 3; i++)
		d.seg[i + 1] = (struct v2_seg_src){
		    m->iov[i], m->iov[i] ? m->iovcnt[i] : 0,
		    i == 2 ? V2_ALIGN_DATA : V2_ALIGN_CONTROL};
	err = send_desc(p, &d);
	if (err == CEPHC_ECRYPTO) /* nonces may be spent: drop the link */
		fault(p, err, "secure encode of a MESSAGE failed");
	if (err)
		return err;
	p->ack_pending = false;
	p->out_seq++;
	return 0;
}

enum v2p_event v2p_timer(struct v2p *p, uint64_t now_ms)
{
	p->now_ms = now_ms;
	if (p->state == V2P_S_FAULT)
		return V2P_EV_FAULT;
	if (p->state != V2P_S_READY && p->state != V2P_S_IDLE &&
	    p->deadline_ms && now_ms >= p->deadline_ms)
		return fault(p, CEPHC_ETIMEDOUT, "handshake timed out in %s",
			     v2p_state_name(p->state));
	if (p->state == V2P_S_READY && p->cfg.keepalive_ms &&
	    now_ms - p->last_keepalive_ms >= p->cfg.keepalive_ms) {
		p->last_keepalive_ms = now_ms;
		if (send_stamp(p, V2_TAG_KEEPALIVE2, (uint32_t)(now_ms / 1000),
			       (uint32_t)(now_ms % 1000) * 1000000u))
			return fault(p, CEPHC_ENOMEM,
				     "cannot queue KEEPALIVE2");
	}
	return V2P_EV_NEED_MORE;
}
