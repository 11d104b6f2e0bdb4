/* SPDX-License-Identifier: MIT */
/*
 * The msgr2.1 frame codec (src/msgr/v2_frame.c) against the real monitor,
 * once in crc and once in secure mode: a hand-driven handshake over a
 * blocking socket (banner, HELLO, AUTH_REQUEST asking for that one mode,
 * AUTH_REPLY_MORE, AUTH_REQUEST_MORE, AUTH_DONE) in crc frames; then the
 * mon's first frame in the new mode (AUTH_SIGNATURE; in secure mode it
 * must decrypt with the nonces derived from the connection secret) must
 * carry HMAC-SHA256(session key, what we sent); our own AUTH_SIGNATURE
 * and CLIENT_IDENT must be accepted: the mon answers SERVER_IDENT.  Last, a
 * MESSAGE frame each way (MMonGetVersion and its reply): the multi-segment
 * layout.
 *
 * Needs CEPHC_TEST_CONF (a ceph.conf with a v2 mon address) and its
 * keyring (CEPHC_TEST_KEYRING or the conf's `keyring`); exits 77 (skip)
 * without them unless CEPHC_REQUIRE_CLUSTER=1.  The mon must allow secure
 * mode for clients (Ceph's default).  CEPHC_V2_DUMP=FILE writes the
 * connection secret and the mon's two secure frames (AUTH_SIGNATURE,
 * SERVER_IDENT) in hex, and CEPHC_V2_DUMP_CRC=FILE the mon's crc-mode
 * MMonGetVersionReply frame: the golden vectors of tests/unit/
 * test_msgr_v2_frame.c were made so.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "auth/crypto.h"
#include "core/addr.h"
#include "core/decode.h"
#include "core/encode.h"
#include "msgr/v1_codec.h"
#include "mon/mon_msgs.h"
#include "msgr/v2_frame.h"
#include "osdc_harness.h"

#define LOG_MAX (1 << 16)

struct link {
	int fd;
	uint8_t in[1 << 16];
	size_t have, off;
	uint64_t consumed; /* stream bytes the decoder has used */
	uint8_t sent[LOG_MAX];
	size_t sent_len;
	uint8_t rcvd[LOG_MAX];
	size_t rcvd_len;
};

static int fail(const char *what)
{
	fprintf(stderr, "FAIL: %s\n", what);
	return 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int send_all(struct link *l, const void *p, size_t n)
{
	const uint8_t *b = p;

	if (l->sent_len + n <= LOG_MAX) {
		memcpy(l->sent + l->sent_len, p, n);
		l->sent_len += n;
	}
	while (n) {
		ssize_t w = send(l->fd, b, n, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

static int recv_more(struct link *l)
{
	ssize_t r;

	if (l->off == l->have)
		l->off = l->have = 0;
	if (l->have == sizeof(l->in))
		return -1;
	r = recv(l->fd, l->in + l->have, sizeof(l->in) - l->have, 0);
	if (r <= 0)
		return -1; /* closed, or the 10 s receive timeout */
	if (l->rcvd_len + (size_t)r <= LOG_MAX) {
		memcpy(l->rcvd + l->rcvd_len, l->in + l->have, (size_t)r);
		l->rcvd_len += (size_t)r;
	}
	l->have += (size_t)r;
	return 0;
}

/* One frame, encoded in the link's current mode. */
static int send_desc(struct link *l, enum v2_mode mode, struct v2_crypto *c,
		     const struct v2_frame_desc *d)
{
	static uint8_t w[LOG_MAX];
	struct iovec out[16];
	struct v2_tx_crc tx;
	size_t n, wl = 0;

	if (mode == V2_MODE_SECURE) {
		wl = (size_t)v2_frame_wire_len(d, mode);
		if (v2_encode_secure(d, c, w, sizeof(w)))
			return -1;
	} else {
		if (v2_encode_crc(d, &tx, out, 16, &n))
			return -1;
		for (size_t i = 0; i < n; i++) {
			memcpy(w + wl, out[i].iov_base, out[i].iov_len);
			wl += out[i].iov_len;
		}
	}
	return send_all(l, w, wl);
}

static int send_frame(struct link *l, enum v2_mode mode, struct v2_crypto *c,
		      uint8_t tag, const void *seg0, size_t len)
{
	struct iovec iov = {(void *)seg0, len};
	struct v2_frame_desc d = {.tag = tag, .nseg = 1};

	d.seg[0] = (struct v2_seg_src){&iov, 1, V2_ALIGN_CONTROL};
	return send_desc(l, mode, c, &d);
}

#define TAIL_MAX 4096
static uint8_t tail[V2_MAX_SEGMENTS][TAIL_MAX];
static size_t tail_len[V2_MAX_SEGMENTS];

/*
 * The next frame: its tag (> 0), or a negative error.  Segment 0 goes to
 * seg (its length to *len), segments 1..3 to tail[].
 */
static int read_frame(struct link *l, struct v2_rx *rx, uint8_t *seg,
		      size_t cap, size_t *len, uint64_t *frame_start)
{
	bool pending = false;
	struct iovec iov[V2_MAX_SEGMENTS];
	size_t used;
	int ev;

	*frame_start = l->consumed;
	for (;;) {
		if (l->off == l->have && !pending) {
			if (recv_more(l))
				return CEPHC_ECONNRESET;
			continue;
		}
		ev = v2_rx_feed(rx, l->in + l->off, l->have - l->off, &used);
		l->off += used;
		l->consumed += used;
		pending = ev == V2_RX_PREAMBLE;
		if (ev < 0)
			return ev;
		if (ev == V2_RX_PREAMBLE) {
			if (rx->pre.len[0] > cap)
				return CEPHC_ETOOBIG;
			*len = rx->pre.len[0];
			iov[0] = (struct iovec){seg, *len};
			if (v2_rx_set_segment(rx, 0, &iov[0], 1))
				return CEPHC_EINVAL;
			/* a MESSAGE's front / middle / data */
			for (unsigned i = 1; i < rx->pre.nseg; i++) {
				tail_len[i] = rx->pre.len[i];
				if (tail_len[i] > TAIL_MAX)
					return CEPHC_ETOOBIG;
				iov[i] = (struct iovec){tail[i], tail_len[i]};
				if (v2_rx_set_segment(rx, i, &iov[i], 1))
					return CEPHC_EINVAL;
			}
		} else if (ev == V2_RX_FRAME) {
			return rx->pre.tag;
		}
	}
}

/* "v2:IP:PORT" from the conf's mon_host. */
static int find_mon_v2(const char *conf, struct cephc_entity_addr *a)
{
	char mon_host[512], *p, *e;

	if (hx_conf_get(conf, NULL, "mon host", mon_host, sizeof(mon_host)))
		return -1;
	p = strstr(mon_host, "v2:");
	if (!p)
		return -1;
	e = p + strcspn(p, ",] \t\r\n");
	*e = 0;
	if (cephc_addr_parse(p, a, 3300))
		return -1;
	a->type = CEPHC_ADDR_MSGR2;
	a->nonce = 0;
	return 0;
}

static void dump_vector(const char *path, const uint8_t *secret, size_t slen,
			const uint8_t *frame, size_t flen)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return;
	fprintf(f, "secret ");
	for (size_t i = 0; i < slen; i++)
		fprintf(f, "%02x", secret[i]);
	fprintf(f, "\nframe ");
	for (size_t i = 0; i < flen; i++)
		fprintf(f, "%02x", frame[i]);
	fprintf(f, "\n");
	fclose(f);
}

/* One session in the given mode, up to a MESSAGE frame each way. */
static int session(const struct cephc_crypto_key *secret,
		   struct cephc_entity_addr mon, enum v2_mode mode)
{
	const char *mname = mode == V2_MODE_SECURE ? "secure" : "crc";
	static struct link l;
	struct cephc_entity_addr me;
	const struct cephc_crypto_key *skey;
	struct cephc_auth *a;
	struct cephc_auth_buf ab;
	struct v2_crypto crypto;
	struct v2_rx rx;
	struct cephc_enc e;
	struct cephc_dec d;
	struct sockaddr_in sin;
	struct timeval tv = {10, 0};
	static uint8_t seg[LOG_MAX], out[LOG_MAX];
	uint8_t banner[V2_BANNER_LEN], mac[32];
	const uint8_t *cs;
	uint64_t sup, req_f, gid, fstart, done_end, sig_start, ident_end;
	size_t len, cslen;
	uint32_t con_mode, plen;
	const uint8_t *pl;
	int tag, r;

	memset(&l, 0, sizeof(l));
	memset(&crypto, 0, sizeof(crypto));
	printf("--- %s mode\n", mname);
	/* banner exchange */
	memcpy(&sin, &mon.ss, sizeof(sin));
	l.fd = socket(AF_INET, SOCK_STREAM, 0);
	setsockopt(l.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (l.fd < 0 || connect(l.fd, (struct sockaddr *)&sin, sizeof(sin)))
		return fail("connect to the mon's v2 address");
	v2_banner_encode(banner, V2_FEAT_REVISION_1, V2_FEAT_REVISION_1);
	if (send_all(&l, banner, sizeof(banner)))
		return fail("send banner");
	while ((r = v2_banner_decode(l.in + l.off, l.have - l.off, &sup,
				     &req_f)) == 0)
		if (recv_more(&l))
			return fail("no banner from the mon");
	if (r < 0 || v2_banner_check(sup, req_f, V2_FEAT_REVISION_1))
		return fail("mon banner");
	l.off += (size_t)r;
	l.consumed += (size_t)r;
	printf("mon banner: supported %#llx required %#llx\n",
	       (unsigned long long)sup, (unsigned long long)req_f);

	/* HELLO both ways, crc mode */
	v2_rx_init(&rx, V2_MODE_CRC, NULL, NULL);
	enc_init(&e, out, sizeof(out));
	enc_u8(&e, CEPHC_ENTITY_CLIENT);
	cephc_addr_encode_new(&e, &mon);
	if (e.err ||
	    send_frame(&l, V2_MODE_CRC, NULL, V2_TAG_HELLO, out, enc_len(&e)))
		return fail("send HELLO");
	tag = read_frame(&l, &rx, seg, sizeof(seg), &len, &fstart);
	if (tag != V2_TAG_HELLO)
		return fail("no HELLO from the mon");
	dec_init(&d, seg, len);
	if (dec_u8(&d) != CEPHC_ENTITY_MON || cephc_addr_decode(&d, &me))
		return fail("mon HELLO does not decode");

	/* AUTH_REQUEST: cephx, this one mode only */
	struct cephc_auth_params ap = {
	    .name_type = CEPHC_ENTITY_CLIENT,
	    .name_id = "admin",
	    .secret = secret,
	};
	a = cephc_auth_create(&ap);
	cephc_auth_buf_init(&ab);
	if (!a || cephc_auth_msgr2_start(a, &ab))
		return fail("auth start");
	enc_init(&e, out, sizeof(out));
	enc_le32(&e, CEPHC_AUTH_CEPHX);
	enc_le32(&e, 1);
	enc_le32(&e, mode);
	enc_blob(&e, ab.data, (uint32_t)ab.len);
	if (e.err || send_frame(&l, V2_MODE_CRC, NULL, V2_TAG_AUTH_REQUEST, out,
				enc_len(&e)))
		return fail("send AUTH_REQUEST");
	tag = read_frame(&l, &rx, seg, sizeof(seg), &len, &fstart);
	if (tag != V2_TAG_AUTH_REPLY_MORE) {
		fprintf(stderr, "tag %d\n", tag);
		return fail("no AUTH_REPLY_MORE (is the mode allowed?)");
	}
	dec_init(&d, seg, len);
	pl = dec_blob(&d, &plen, LOG_MAX);
	cephc_auth_buf_reset(&ab);
	if (d.err || cephc_auth_msgr2_handle_more(a, pl, plen, now_ms(), &ab))
		return fail("AUTH_REPLY_MORE");
	enc_init(&e, out, sizeof(out));
	enc_blob(&e, ab.data, (uint32_t)ab.len);
	if (e.err || send_frame(&l, V2_MODE_CRC, NULL, V2_TAG_AUTH_REQUEST_MORE,
				out, enc_len(&e)))
		return fail("send AUTH_REQUEST_MORE");
	tag = read_frame(&l, &rx, seg, sizeof(seg), &len, &fstart);
	if (tag != V2_TAG_AUTH_DONE)
		return fail("no AUTH_DONE");
	done_end = l.consumed;
	dec_init(&d, seg, len);
	gid = dec_le64(&d);
	con_mode = dec_le32(&d);
	pl = dec_blob(&d, &plen, LOG_MAX);
	if (d.err || cephc_auth_msgr2_handle_done(a, gid, pl, plen, now_ms()))
		return fail("AUTH_DONE");
	if (con_mode != mode)
		return fail("the mon did not pick the mode we asked for");
	if (cephc_auth_session_key(a, &skey))
		return fail("no session key");
	cs = NULL;
	cslen = 0;
	if (cephc_auth_connection_secret(a, &cs, &cslen) &&
	    mode == V2_MODE_SECURE)
		return fail("no connection secret");
	printf("AUTH_DONE: global_id %llu, %s, secret %zu bytes\n",
	       (unsigned long long)gid, mname, cslen);
	/* crc mode: a zero-length secret; secure: 64 bytes */
	if (mode == V2_MODE_SECURE && v2_crypto_init(&crypto, cs, cslen, true))
		return fail("secure mode setup");

	/* the mon's AUTH_SIGNATURE, its first frame in the new mode */
	v2_rx_init(&rx, mode, &crypto, NULL);
	tag = read_frame(&l, &rx, seg, sizeof(seg), &len, &fstart);
	if (tag < 0) {
		fprintf(stderr, "decode: %s\n", cephc_strerror(tag));
		return fail("the mon's AUTH_SIGNATURE frame does not decode");
	}
	if (tag != V2_TAG_AUTH_SIGNATURE || len != 32)
		return fail("first frame is not a 32-byte AUTH_SIGNATURE");
	sig_start = fstart;
	if (cephc_hmac_sha256(skey->secret, skey->len, l.sent, l.sent_len,
			      mac) ||
	    memcmp(mac, seg, 32))
		return fail(
		    "mon AUTH_SIGNATURE is not the HMAC of what we sent");
	printf("mon AUTH_SIGNATURE decoded and verified\n");

	/* ours, over what we received through AUTH_DONE, then CLIENT_IDENT */
	if (done_end > l.rcvd_len ||
	    cephc_hmac_sha256(skey->secret, skey->len, l.rcvd, done_end, mac) ||
	    send_frame(&l, mode, &crypto, V2_TAG_AUTH_SIGNATURE, mac, 32))
		return fail("send AUTH_SIGNATURE");
	me.type = CEPHC_ADDR_ANY;
	me.nonce = 0x1234567;
	cephc_addr_set_port(&me, 0);
	enc_init(&e, out, sizeof(out));
	enc_u8(&e, 2); /* addrvec: marker, count, one address */
	enc_le32(&e, 1);
	cephc_addr_encode_new(&e, &me);
	cephc_addr_encode_new(&e, &mon);
	enc_le64(&e, gid);
	enc_le64(&e, 1); /* global_seq */
	enc_le64(&e, CEPHC_FEATURES_DEFAULT);
	enc_le64(&e, 0);             /* required */
	enc_le64(&e, 0);             /* flags */
	enc_le64(&e, 0x5eed5eedull); /* client_cookie */
	if (e.err || send_frame(&l, mode, &crypto, V2_TAG_CLIENT_IDENT, out,
				enc_len(&e)))
		return fail("send CLIENT_IDENT");
	tag = read_frame(&l, &rx, seg, sizeof(seg), &len, &fstart);
	if (tag != V2_TAG_SERVER_IDENT) {
		fprintf(stderr, "tag %d (%s)\n", tag,
			tag < 0 ? cephc_strerror(tag) : "frame");
		return fail("no SERVER_IDENT: our frames were refused");
	}
	ident_end = l.consumed;
	printf("SERVER_IDENT (%zu bytes) in %s mode: our AUTH_SIGNATURE "
	       "and CLIENT_IDENT were accepted; rx nonces used %llu, tx %llu\n",
	       len, mname, (unsigned long long)crypto.rx.ops,
	       (unsigned long long)crypto.tx.ops);
	/*
	 * A MESSAGE frame each way (segments 1..3 and the epilogue: crcs,
	 * or one GCM operation): MMonGetVersion("osdmap") with
	 * handle 7; the reply is header2 + front.
	 */
	{
		uint8_t h2[41] = {0}, front[64];
		struct iovec iv[2];
		struct v2_frame_desc md = {.tag = V2_TAG_MESSAGE, .nseg = 2};
		struct cephc_mon_version_reply vr;
		size_t fl;
		int tries;

		put_le64(h2, 1);     /* seq */
		put_le64(h2 + 8, 7); /* tid */
		put_le16(h2 + 16, CEPHC_MSG_MON_GET_VERSION);
		put_le16(h2 + 18, 127); /* default priority */
		put_le16(h2 + 20, 1);   /* version */
		put_le16(h2 + 37, 1);   /* compat_version */
		enc_init(&e, front, sizeof(front));
		cephc_mon_get_version_encode(&e, 7, "osdmap");
		fl = enc_len(&e);
		iv[0] = (struct iovec){h2, sizeof(h2)};
		iv[1] = (struct iovec){front, fl};
		md.seg[0] = (struct v2_seg_src){&iv[0], 1, V2_ALIGN_CONTROL};
		md.seg[1] = (struct v2_seg_src){&iv[1], 1, V2_ALIGN_CONTROL};
		if (e.err || send_desc(&l, mode, &crypto, &md))
			return fail("send MMonGetVersion");
		/* skip whatever else the mon sends first */
		for (tries = 0; tries < 8; tries++) {
			tag = read_frame(&l, &rx, seg, sizeof(seg), &len,
					 &fstart);
			if (tag < 0 || tag == V2_TAG_MESSAGE)
				break;
			printf("skipping a frame of tag %d\n", tag);
		}
		if (tag != V2_TAG_MESSAGE || len != 41 || rx.pre.nseg < 2) {
			fprintf(stderr, "tag %d (%s)\n", tag,
				tag < 0 ? cephc_strerror(tag) : "frame");
			return fail("no MESSAGE reply");
		}
		dec_init(&d, tail[1], tail_len[1]);
		if (get_le16(seg + 16) != CEPHC_MSG_MON_GET_VERSION_REPLY ||
		    cephc_mon_get_version_reply_decode(&d, &vr) ||
		    vr.handle != 7 || vr.newest < 1)
			return fail("MMonGetVersionReply does not decode");
		if (mode == V2_MODE_CRC && getenv("CEPHC_V2_DUMP_CRC") &&
		    l.consumed <= l.rcvd_len)
			dump_vector(getenv("CEPHC_V2_DUMP_CRC"), NULL, 0,
				    l.rcvd + fstart, l.consumed - fstart);
		printf("MESSAGE frames both ways: osdmap versions %llu..%llu "
		       "(%u segments in the reply)\n",
		       (unsigned long long)vr.oldest,
		       (unsigned long long)vr.newest, rx.pre.nseg);
	}

	/* the mon's two secure frames, back to back in the stream */
	if (mode == V2_MODE_SECURE && getenv("CEPHC_V2_DUMP") &&
	    ident_end <= l.rcvd_len)
		dump_vector(getenv("CEPHC_V2_DUMP"), cs, cslen,
			    l.rcvd + sig_start, ident_end - sig_start);
	v2_crypto_free(&crypto);
	cephc_auth_buf_free(&ab);
	cephc_auth_destroy(a);
	close(l.fd);
	return 0;
}

int main(void)
{
	const char *conf = getenv("CEPHC_TEST_CONF");
	const char *req = getenv("CEPHC_REQUIRE_CLUSTER");
	const char *keyring = getenv("CEPHC_TEST_KEYRING");
	struct cephc_entity_addr mon;
	struct cephc_crypto_key secret;
	char kr[512], key[256];

	if (!conf || !*conf) {
		if (req && !strcmp(req, "1"))
			return fail("CEPHC_TEST_CONF unset");
		printf("CEPHC_TEST_CONF unset: skipping\n");
		return 77;
	}
	if (!keyring) {
		if (hx_conf_get(conf, "global", "keyring", kr, sizeof(kr)))
			return fail("no keyring");
		keyring = kr;
	}
	if (hx_conf_get(keyring, "client.admin", "key", key, sizeof(key)) ||
	    cephc_crypto_key_from_base64(&secret, key))
		return fail("no client.admin key");
	if (find_mon_v2(conf, &mon)) {
		/* a v1-only cluster (cluster.sh --msgr v1): nothing to test */
		printf("no v2 mon address: skipping\n");
		return 77;
	}

	/* a session in each mode; the mon allows both by default */
	return session(&secret, mon, V2_MODE_CRC) ||
	       session(&secret, mon, V2_MODE_SECURE);
}
