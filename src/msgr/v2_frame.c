/* SPDX-License-Identifier: MIT */
/* msgr2.1 banner and frames, crc and secure (AES-128-GCM) modes, sans-IO. */
#include "msgr/v2_frame.h"

#include <string.h>

#include <openssl/evp.h>

#include "cephc/errors.h"
#include "core/crc32c.h"
#include "core/encode.h"

_Static_assert(sizeof(V2_BANNER_PREFIX) - 1 == V2_BANNER_PREFIX_LEN,
	       "banner prefix is 8 bytes");
_Static_assert(V2_PREAMBLE_LEN == 1 + 1 + 4 * (4 + 2) + 1 + 1 + 4,
	       "preamble is 32 bytes");
_Static_assert(V2_EPILOGUE_CRC_LEN == 1 + 3 * 4, "crc epilogue is 13 bytes");
_Static_assert(V2_SECURE_HEAD_LEN == 96, "secure head block is 96 bytes");
_Static_assert(V2_INLINE_LEN % V2_GCM_BLOCK == 0,
	       "the inline area keeps the rest of seg0 block-aligned");

static const uint8_t zeros[V2_GCM_BLOCK];

static uint64_t pad16(uint64_t n)
{
	return (n + V2_GCM_BLOCK - 1) & ~(uint64_t)(V2_GCM_BLOCK - 1);
}

/* ---- banner ---------------------------------------------------------- */

void v2_banner_encode(uint8_t out[V2_BANNER_LEN], uint64_t supported,
		      uint64_t required)
{
	memcpy(out, V2_BANNER_PREFIX, V2_BANNER_PREFIX_LEN);
	put_le16(out + 8, V2_BANNER_PAYLOAD_LEN);
	put_le64(out + 10, supported);
	put_le64(out + 18, required);
}

int v2_banner_decode(const uint8_t *buf, size_t len, uint64_t *supported,
		     uint64_t *required)
{
	size_t n = len < V2_BANNER_PREFIX_LEN ? len : V2_BANNER_PREFIX_LEN;
	uint16_t plen;

	/* Reject a wrong prefix from its first differing byte: a v1 peer
	 * ("ceph v027") is caught before we wait for bytes it never sends. */
	if (memcmp(buf, V2_BANNER_PREFIX, n) != 0)
		return CEPHC_EBANNER;
	if (len < V2_BANNER_PREFIX_LEN + 2)
		return 0;
	plen = get_le16(buf + V2_BANNER_PREFIX_LEN);
	if (plen < V2_BANNER_PAYLOAD_LEN)
		return CEPHC_EDECODE;
	if (plen > V2_BANNER_PAYLOAD_MAX)
		return CEPHC_ETOOBIG;
	if (len < (size_t)V2_BANNER_PREFIX_LEN + 2 + plen)
		return 0;
	/* Later fields of a longer payload are skipped. */
	*supported = get_le64(buf + 10);
	*required = get_le64(buf + 18);
	return V2_BANNER_PREFIX_LEN + 2 + plen;
}

int v2_banner_check(uint64_t peer_supported, uint64_t peer_required,
		    uint64_t our_supported)
{
	if (peer_required & ~our_supported)
		return CEPHC_EFEATURES;
	if (!(peer_supported & V2_FEAT_REVISION_1))
		return CEPHC_EPROTOVER;
	return 0;
}

/* ---- AES-128-GCM ------------------------------------------------------- */

static int gcm_init(struct v2_gcm *g, const uint8_t *key, const uint8_t *nonce,
		    int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	g->evp = ctx;
	g->fixed = get_le32(nonce);
	g->counter = get_le64(nonce + 4);
	g->ops = 0;
	if (!ctx)
		return CEPHC_ENOMEM;
	/* 12-byte IVs are GCM's default; the IV itself is set per operation */
	if (EVP_CipherInit_ex(ctx, EVP_aes_128_gcm(), NULL, key, NULL, enc) !=
	    1)
		return CEPHC_ECRYPTO;
	return 0;
}

void v2_gcm_next_nonce(const struct v2_gcm *g, uint8_t out[V2_GCM_NONCE_LEN])
{
	put_le32(out, g->fixed);
	put_le64(out + 4, g->counter);
}

/* Start one GCM operation with the next nonce; the counter moves on. */
static int gcm_begin(struct v2_gcm *g)
{
	uint8_t iv[V2_GCM_NONCE_LEN];

	if (!g->evp || g->ops == UINT64_MAX)
		return CEPHC_ECRYPTO; /* never wrap onto a used nonce */
	v2_gcm_next_nonce(g, iv);
	g->counter++;
	g->ops++;
	if (EVP_CipherInit_ex(g->evp, NULL, NULL, NULL, iv, -1) != 1)
		return CEPHC_ECRYPTO;
	return 0;
}

static int gcm_update(struct v2_gcm *g, uint8_t *out, const uint8_t *in,
		      size_t n)
{
	int outl;

	/* GCM is a stream mode in OpenSSL: all n bytes come out at once */
	while (n) {
		int step = n > (1u << 30) ? (1 << 30) : (int)n;

		if (EVP_CipherUpdate(g->evp, out, &outl, in, step) != 1 ||
		    outl != step)
			return CEPHC_ECRYPTO;
		out += step;
		in += step;
		n -= (size_t)step;
	}
	return 0;
}

static int gcm_finish_enc(struct v2_gcm *g, uint8_t tag[V2_GCM_TAG_LEN])
{
	uint8_t dummy[V2_GCM_BLOCK];
	int outl = 0;

	if (EVP_EncryptFinal_ex(g->evp, dummy, &outl) != 1 || outl != 0 ||
	    EVP_CIPHER_CTX_ctrl(g->evp, EVP_CTRL_GCM_GET_TAG, V2_GCM_TAG_LEN,
				tag) != 1)
		return CEPHC_ECRYPTO;
	return 0;
}

static int gcm_finish_dec(struct v2_gcm *g, uint8_t tag[V2_GCM_TAG_LEN])
{
	uint8_t dummy[V2_GCM_BLOCK];
	int outl = 0;

	if (EVP_CIPHER_CTX_ctrl(g->evp, EVP_CTRL_GCM_SET_TAG, V2_GCM_TAG_LEN,
				tag) != 1)
		return CEPHC_ECRYPTO;
	if (EVP_DecryptFinal_ex(g->evp, dummy, &outl) != 1 || outl != 0)
		return CEPHC_ECRYPTO; /* tag mismatch */
	return 0;
}

int v2_crypto_init(struct v2_crypto *c, const uint8_t *secret,
		   size_t secret_len, bool is_client)
{
	const uint8_t *n_a = secret + V2_GCM_KEY_LEN;
	const uint8_t *n_b = n_a + V2_GCM_NONCE_LEN;
	int err;

	memset(c, 0, sizeof(*c));
	if (!secret || secret_len < V2_SECRET_MIN_LEN)
		return CEPHC_EINVAL;
	/* the client receives with the first nonce and sends with the second */
	err = gcm_init(&c->rx, secret, is_client ? n_a : n_b, 0);
	if (!err)
		err = gcm_init(&c->tx, secret, is_client ? n_b : n_a, 1);
	return err;
}

void v2_crypto_free(struct v2_crypto *c)
{
	EVP_CIPHER_CTX_free(c->rx.evp);
	EVP_CIPHER_CTX_free(c->tx.evp);
	memset(c, 0, sizeof(*c));
}

/* ---- preamble ---------------------------------------------------------- */

void v2_preamble_encode(uint8_t out[V2_PREAMBLE_LEN],
			const struct v2_preamble *p)
{
	unsigned i;

	memset(out, 0, V2_PREAMBLE_LEN);
	out[0] = p->tag;
	out[1] = p->nseg;
	for (i = 0; i < V2_MAX_SEGMENTS; i++) {
		put_le32(out + 2 + 6 * i, p->len[i]);
		put_le16(out + 6 + 6 * i, p->align[i]);
	}
	out[26] = p->flags; /* out[27] reserved */
	put_le32(out + V2_PREAMBLE_CRC_SPAN,
		 cephc_crc32c(0, out, V2_PREAMBLE_CRC_SPAN));
}

int v2_preamble_decode(const uint8_t in[V2_PREAMBLE_LEN],
		       const struct v2_limits *lim, struct v2_preamble *p)
{
	unsigned i;

	/* the crc first: nothing else in a corrupt preamble is trusted */
	if (cephc_crc32c(0, in, V2_PREAMBLE_CRC_SPAN) !=
	    get_le32(in + V2_PREAMBLE_CRC_SPAN))
		return CEPHC_ECRC;
	memset(p, 0, sizeof(*p));
	p->tag = in[0];
	p->nseg = in[1];
	p->flags = in[26];
	for (i = 0; i < V2_MAX_SEGMENTS; i++) {
		p->len[i] = get_le32(in + 2 + 6 * i);
		p->align[i] = get_le16(in + 6 + 6 * i);
	}
	if (p->tag == 0 || p->tag > V2_TAG_MAX_)
		return CEPHC_EBADTAG;
	if (p->nseg < 1 || p->nseg > V2_MAX_SEGMENTS)
		return CEPHC_EDECODE;
	/* control frames are one segment; only MESSAGE carries more */
	if (p->nseg > 1 && p->tag != V2_TAG_MESSAGE)
		return CEPHC_EDECODE;
	/* senders drop trailing empty segments */
	if (p->nseg > 1 && p->len[p->nseg - 1] == 0)
		return CEPHC_EDECODE;
	for (i = 0; i < p->nseg; i++)
		if (p->len[i] > lim->seg_max[i])
			return CEPHC_ETOOBIG;
	/* lengths past nseg are not used; ignored, as Ceph does */
	for (i = p->nseg; i < V2_MAX_SEGMENTS; i++)
		p->len[i] = 0;
	return 0;
}

void v2_limits_default(struct v2_limits *l)
{
	l->seg_max[0] = 16u << 20;
	l->seg_max[1] = 16u << 20;
	l->seg_max[2] = 16u << 20;
	l->seg_max[3] = 64u << 20;
}

/* ---- encoding ---------------------------------------------------------- */

/* A read cursor over one segment's iovecs. */
struct src_cur {
	const struct iovec *iov;
	size_t cnt, idx, pos;
};

/* The next contiguous piece of at most max bytes; 0 at the end. */
static size_t cur_piece(struct src_cur *c, size_t max, const uint8_t **p)
{
	size_t n;

	while (c->idx < c->cnt && c->pos == c->iov[c->idx].iov_len) {
		c->idx++;
		c->pos = 0;
	}
	if (c->idx == c->cnt)
		return 0;
	n = c->iov[c->idx].iov_len - c->pos;
	if (n > max)
		n = max;
	*p = (const uint8_t *)c->iov[c->idx].iov_base + c->pos;
	c->pos += n;
	return n;
}

/* Fill the preamble from a descriptor; 0 or CEPHC_EINVAL. */
static int desc_preamble(const struct v2_frame_desc *f, struct v2_preamble *p)
{
	uint64_t len[V2_MAX_SEGMENTS] = {0};
	size_t i, j, n = 0;

	if (f->nseg < 1 || f->nseg > V2_MAX_SEGMENTS)
		return CEPHC_EINVAL;
	memset(p, 0, sizeof(*p));
	for (i = 0; i < f->nseg; i++) {
		for (j = 0; j < f->seg[i].iovcnt; j++)
			len[i] += f->seg[i].iov[j].iov_len;
		if (len[i] > UINT32_MAX)
			return CEPHC_EINVAL;
		if (len[i])
			n = i + 1;
	}
	p->tag = f->tag;
	p->nseg = (uint8_t)(n ? n : 1);
	for (i = 0; i < p->nseg; i++) {
		p->len[i] = (uint32_t)len[i];
		p->align[i] = f->seg[i].align;
	}
	return 0;
}

static uint64_t wire_len(const struct v2_preamble *p, enum v2_mode mode)
{
	uint64_t n;
	unsigned i;

	if (mode == V2_MODE_SECURE) {
		n = V2_SECURE_HEAD_LEN;
		if (p->len[0] > V2_INLINE_LEN)
			n += pad16(p->len[0]) - V2_INLINE_LEN + V2_GCM_TAG_LEN;
		if (p->nseg > 1) {
			for (i = 1; i < p->nseg; i++)
				n += pad16(p->len[i]);
			n += V2_EPILOGUE_SECURE_LEN;
		}
		return n;
	}
	n = V2_PREAMBLE_LEN;
	if (p->len[0])
		n += p->len[0] + V2_CRC_LEN;
	if (p->nseg > 1) {
		for (i = 1; i < p->nseg; i++)
			n += p->len[i];
		n += V2_EPILOGUE_CRC_LEN;
	}
	return n;
}

uint64_t v2_frame_wire_len(const struct v2_frame_desc *f, enum v2_mode mode)
{
	struct v2_preamble p;

	if (desc_preamble(f, &p))
		return 0;
	return wire_len(&p, mode);
}

/* Append the segment's iovecs to out and return its crc (seed ~0). */
static uint32_t add_seg(const struct v2_seg_src *s, struct iovec *out,
			size_t *k)
{
	uint32_t crc = 0xffffffffu;
	size_t j;

	for (j = 0; j < s->iovcnt; j++) {
		if (!s->iov[j].iov_len)
			continue;
		crc = cephc_crc32c(crc, s->iov[j].iov_base, s->iov[j].iov_len);
		out[(*k)++] = s->iov[j];
	}
	return crc;
}

int v2_encode_crc(const struct v2_frame_desc *f, struct v2_tx_crc *tx,
		  struct iovec *out, size_t out_cap, size_t *out_cnt)
{
	struct v2_preamble p;
	size_t i, need = 3, k = 0;
	int err = desc_preamble(f, &p);

	if (err)
		return err;
	for (i = 0; i < p.nseg; i++)
		need += f->seg[i].iovcnt;
	if (out_cap < need)
		return CEPHC_ENOBUFS;
	v2_preamble_encode(tx->preamble, &p);
	out[k++] = (struct iovec){tx->preamble, V2_PREAMBLE_LEN};
	if (p.len[0]) {
		put_le32(tx->seg0_crc, add_seg(&f->seg[0], out, &k));
		out[k++] = (struct iovec){tx->seg0_crc, V2_CRC_LEN};
	}
	if (p.nseg > 1) {
		memset(tx->epilogue, 0, sizeof(tx->epilogue));
		tx->epilogue[0] = V2_LATE_COMPLETE;
		for (i = 1; i < p.nseg; i++)
			put_le32(tx->epilogue + 1 + 4 * (i - 1),
				 add_seg(&f->seg[i], out, &k));
		out[k++] = (struct iovec){tx->epilogue, V2_EPILOGUE_CRC_LEN};
	}
	*out_cnt = k;
	return 0;
}

/* Encrypt the next n bytes of a cursor into *out, then zero-pad to 16. */
static int enc_seg(struct v2_gcm *g, struct src_cur *c, uint64_t n,
		   uint8_t **out)
{
	uint64_t pad = pad16(n) - n;
	const uint8_t *p;
	size_t got;
	int err;

	while (n) {
		got = cur_piece(c, n > SIZE_MAX ? SIZE_MAX : (size_t)n, &p);
		if (!got)
			return CEPHC_EINVAL; /* iovecs shorter than counted */
		if ((err = gcm_update(g, *out, p, got)))
			return err;
		*out += got;
		n -= got;
	}
	if (pad) {
		if ((err = gcm_update(g, *out, zeros, (size_t)pad)))
			return err;
		*out += pad;
	}
	return 0;
}

int v2_encode_secure(const struct v2_frame_desc *f, struct v2_crypto *c,
		     uint8_t *out, size_t out_cap)
{
	struct v2_gcm *g = &c->tx;
	uint8_t head[V2_PREAMBLE_LEN + V2_INLINE_LEN] = {0};
	uint8_t epi[V2_GCM_BLOCK] = {V2_LATE_COMPLETE};
	struct src_cur cur[V2_MAX_SEGMENTS];
	struct v2_preamble p;
	size_t inl, got, i;
	const uint8_t *piece;
	int err = desc_preamble(f, &p);

	if (err)
		return err;
	if (out_cap < wire_len(&p, V2_MODE_SECURE))
		return CEPHC_ENOBUFS;
	for (i = 0; i < V2_MAX_SEGMENTS; i++)
		cur[i] =
		    (struct src_cur){i < f->nseg ? f->seg[i].iov : NULL,
				     i < f->nseg ? f->seg[i].iovcnt : 0, 0, 0};

	/* block 1: preamble + up to 48 bytes of seg0, zero-padded */
	v2_preamble_encode(head, &p);
	inl = p.len[0] < V2_INLINE_LEN ? p.len[0] : V2_INLINE_LEN;
	for (i = 0; i < inl; i += got) {
		got = cur_piece(&cur[0], inl - i, &piece);
		if (!got)
			return CEPHC_EINVAL;
		memcpy(head + V2_PREAMBLE_LEN + i, piece, got);
	}
	if ((err = gcm_begin(g)) ||
	    (err = gcm_update(g, out, head, sizeof(head))))
		return err;
	out += sizeof(head);
	if ((err = gcm_finish_enc(g, out)))
		return err;
	out += V2_GCM_TAG_LEN;

	/* block 2: the rest of seg0 */
	if (p.len[0] > V2_INLINE_LEN) {
		if ((err = gcm_begin(g)) ||
		    (err =
			 enc_seg(g, &cur[0], p.len[0] - V2_INLINE_LEN, &out)) ||
		    (err = gcm_finish_enc(g, out)))
			return err;
		out += V2_GCM_TAG_LEN;
	}

	/* block 3: segments 1..3 and the epilogue, one operation */
	if (p.nseg > 1) {
		if ((err = gcm_begin(g)))
			return err;
		for (i = 1; i < p.nseg; i++)
			if ((err = enc_seg(g, &cur[i], p.len[i], &out)))
				return err;
		if ((err = gcm_update(g, out, epi, sizeof(epi))))
			return err;
		out += sizeof(epi);
		if ((err = gcm_finish_enc(g, out)))
			return err;
	}
	return 0;
}

/* ---- decoding ---------------------------------------------------------- */

enum rx_state {
	RX_HEAD = 0, /* preamble (crc) or first GCM block (secure) */
	RX_SEG,      /* segment payload + padding */
	RX_SEG0_CRC, /* crc: le32 crc of seg0 */
	RX_SEG0_TAG, /* secure: tag of the rest of seg0 */
	RX_EPI,      /* epilogue (crc: 13 bytes; secure: 16 encrypted) */
	RX_TAIL_TAG, /* secure: tag of segments 1..3 + epilogue */
	RX_DONE,     /* frame delivered; next feed starts anew */
	RX_DELIVER,  /* a frame with no bytes after its preamble: report
		      * V2_RX_FRAME on the next feed */
};

void v2_rx_init(struct v2_rx *rx, enum v2_mode mode, struct v2_crypto *crypto,
		const struct v2_limits *lim)
{
	memset(rx, 0, sizeof(*rx));
	rx->mode = mode;
	rx->crypto = crypto;
	if (lim)
		rx->lim = *lim;
	else
		v2_limits_default(&rx->lim);
	rx->state = RX_HEAD;
	if (mode == V2_MODE_SECURE && !crypto)
		rx->err = CEPHC_EINVAL;
}

static size_t head_len(const struct v2_rx *rx)
{
	return rx->mode == V2_MODE_SECURE ? V2_SECURE_HEAD_LEN
					  : V2_PREAMBLE_LEN;
}

/* Begin receiving segment i from logical offset off. */
static void start_seg(struct v2_rx *rx, unsigned i, uint64_t off)
{
	uint64_t wire =
	    rx->mode == V2_MODE_SECURE ? pad16(rx->pre.len[i]) : rx->pre.len[i];

	rx->seg = i;
	rx->off = off;
	rx->wire_left = wire - off;
	rx->crc[i] = 0xffffffffu;
	rx->state = RX_SEG;
	rx->have = 0;
}

/* Move on to the first non-empty segment from i, else to the epilogue. */
static int next_tail_seg(struct v2_rx *rx, unsigned i)
{
	for (; i < rx->pre.nseg; i++) {
		if (rx->pre.len[i]) {
			start_seg(rx, i, 0);
			return 0;
		}
		rx->crc[i] = 0xffffffffu;
	}
	rx->state = RX_EPI;
	rx->have = 0;
	return 0;
}

/* After segment 0 (and its crc or tag): done, or on to segments 1..3. */
static int after_seg0(struct v2_rx *rx)
{
	int err;

	if (rx->pre.nseg == 1) {
		rx->state = RX_DONE;
		return V2_RX_FRAME;
	}
	if (rx->mode == V2_MODE_SECURE && (err = gcm_begin(&rx->crypto->rx)))
		return err;
	return next_tail_seg(rx, 1);
}

static int parse_head(struct v2_rx *rx)
{
	struct v2_gcm *g;
	uint8_t plain[V2_PREAMBLE_LEN + V2_INLINE_LEN];
	int err;

	rx->aborted = false;
	memset(rx->dst, 0, sizeof(rx->dst));
	if (rx->mode == V2_MODE_CRC) {
		if ((err = v2_preamble_decode(rx->head, &rx->lim, &rx->pre)))
			return err;
		if (rx->pre.len[0]) {
			start_seg(rx, 0, 0);
			return V2_RX_PREAMBLE;
		}
		err = after_seg0(rx);
		/* an empty control frame: report the preamble, then the frame
		 * on the next feed */
		if (err == V2_RX_FRAME)
			rx->state = RX_DELIVER;
		return err < 0 ? err : V2_RX_PREAMBLE;
	}
	g = &rx->crypto->rx;
	if ((err = gcm_begin(g)) ||
	    (err = gcm_update(g, plain, rx->head, sizeof(plain))) ||
	    (err = gcm_finish_dec(g, rx->head + sizeof(plain))))
		return err;
	if ((err = v2_preamble_decode(plain, &rx->lim, &rx->pre)))
		return err;
	memcpy(rx->inl, plain + V2_PREAMBLE_LEN, V2_INLINE_LEN);
	if (rx->pre.len[0] > V2_INLINE_LEN) {
		if ((err = gcm_begin(g)))
			return err;
		start_seg(rx, 0, V2_INLINE_LEN);
		return V2_RX_PREAMBLE;
	}
	err = after_seg0(rx);
	if (err == V2_RX_FRAME)
		rx->state = RX_DELIVER;
	return err < 0 ? err : V2_RX_PREAMBLE;
}

/* Write n payload bytes of the current segment from src to its home. */
static int land(struct v2_rx *rx, const uint8_t *src, size_t n)
{
	struct v2_rx_dst *d = &rx->dst[rx->seg];
	struct v2_gcm *g = rx->mode == V2_MODE_SECURE ? &rx->crypto->rx : NULL;
	uint8_t scratch[256];
	size_t step;
	int err;

	if (!g)
		rx->crc[rx->seg] = cephc_crc32c(rx->crc[rx->seg], src, n);
	while (n) {
		uint8_t *to;

		if (d->iov) {
			while (d->pos == d->iov[d->idx].iov_len) {
				d->idx++;
				d->pos = 0;
			}
			to = (uint8_t *)d->iov[d->idx].iov_base + d->pos;
			step = d->iov[d->idx].iov_len - d->pos;
		} else {
			to = scratch;
			step = sizeof(scratch);
			if (!g)
				return 0; /* crc done; nothing to keep */
		}
		if (step > n)
			step = n;
		if (g) {
			if ((err = gcm_update(g, to, src, step)))
				return err;
		} else if (to != src) {
			memcpy(to, src, step);
		}
		if (d->iov)
			d->pos += step;
		src += step;
		n -= step;
	}
	return 0;
}

/* Padding after a secure segment: decrypted and dropped. */
static int skip_pad(struct v2_rx *rx, const uint8_t *src, size_t n)
{
	uint8_t scratch[V2_GCM_BLOCK];

	return gcm_update(&rx->crypto->rx, scratch, src, n);
}

/* Collect up to want bytes into dst[have..]; true once complete. */
static bool collect(struct v2_rx *rx, uint8_t *dst, size_t want,
		    const uint8_t **p, size_t *left)
{
	size_t n = want - rx->have;

	if (n > *left)
		n = *left;
	memcpy(dst + rx->have, *p, n);
	rx->have += n;
	*p += n;
	*left -= n;
	return rx->have == want;
}

static int check_late(struct v2_rx *rx, uint8_t late)
{
	if ((late & V2_LATE_MASK) == V2_LATE_ABORTED)
		rx->aborted = true;
	else if ((late & V2_LATE_MASK) != V2_LATE_COMPLETE)
		return CEPHC_EDECODE;
	rx->state = RX_DONE;
	return V2_RX_FRAME;
}

static int finish_epilogue(struct v2_rx *rx)
{
	unsigned i;

	if (rx->mode == V2_MODE_SECURE) {
		rx->state = RX_TAIL_TAG;
		rx->have = 0;
		return 0;
	}
	/* only the slots of segments that exist carry crcs */
	for (i = 1; i < rx->pre.nseg; i++)
		if (get_le32(rx->epi + 1 + 4 * (i - 1)) != rx->crc[i])
			return CEPHC_ECRC;
	return check_late(rx, rx->epi[0]);
}

static int step(struct v2_rx *rx, const uint8_t **p, size_t *left)
{
	uint64_t payload_left;
	size_t n;
	int err;

	switch (rx->state) {
	case RX_DELIVER:
		rx->state = RX_DONE;
		return V2_RX_FRAME;
	case RX_DONE:
		rx->state = RX_HEAD;
		rx->have = 0;
		/* fall through */
	case RX_HEAD:
		if (!collect(rx, rx->head, head_len(rx), p, left))
			return V2_RX_NEED_MORE;
		return parse_head(rx);
	case RX_SEG:
		n = *left;
		if (n > rx->wire_left)
			n = (size_t)rx->wire_left;
		payload_left = rx->pre.len[rx->seg] > rx->off
				   ? rx->pre.len[rx->seg] - rx->off
				   : 0;
		if (n <= payload_left) {
			err = land(rx, *p, n);
			rx->off += n;
		} else {
			err = land(rx, *p, (size_t)payload_left);
			if (!err)
				err = skip_pad(rx, *p + payload_left,
					       n - (size_t)payload_left);
			rx->off += n;
		}
		if (err)
			return err;
		*p += n;
		*left -= n;
		rx->wire_left -= n;
		if (rx->wire_left)
			return V2_RX_NEED_MORE;
		rx->have = 0;
		if (rx->seg == 0) {
			rx->state = rx->mode == V2_MODE_SECURE ? RX_SEG0_TAG
							       : RX_SEG0_CRC;
			return 0;
		}
		return next_tail_seg(rx, rx->seg + 1);
	case RX_SEG0_CRC:
		if (!collect(rx, rx->tag_or_crc, V2_CRC_LEN, p, left))
			return V2_RX_NEED_MORE;
		if (get_le32(rx->tag_or_crc) != rx->crc[0])
			return CEPHC_ECRC;
		return after_seg0(rx);
	case RX_SEG0_TAG:
		if (!collect(rx, rx->tag_or_crc, V2_GCM_TAG_LEN, p, left))
			return V2_RX_NEED_MORE;
		if ((err = gcm_finish_dec(&rx->crypto->rx, rx->tag_or_crc)))
			return err;
		return after_seg0(rx);
	case RX_EPI:
		if (!collect(rx, rx->epi,
			     rx->mode == V2_MODE_SECURE ? V2_GCM_BLOCK
							: V2_EPILOGUE_CRC_LEN,
			     p, left))
			return V2_RX_NEED_MORE;
		if (rx->mode == V2_MODE_SECURE &&
		    (err = gcm_update(&rx->crypto->rx, rx->epi, rx->epi,
				      V2_GCM_BLOCK)))
			return err;
		return finish_epilogue(rx);
	case RX_TAIL_TAG:
		if (!collect(rx, rx->tag_or_crc, V2_GCM_TAG_LEN, p, left))
			return V2_RX_NEED_MORE;
		if ((err = gcm_finish_dec(&rx->crypto->rx, rx->tag_or_crc)))
			return err;
		return check_late(rx, rx->epi[0]);
	}
	return CEPHC_EINVAL;
}

int v2_rx_feed(struct v2_rx *rx, const void *buf, size_t len, size_t *used)
{
	const uint8_t *p = buf;
	size_t left = len;
	int ev = 0;

	*used = 0;
	if (rx->err)
		return rx->err;
	/* Run until an event, an error, or the input is used up.  A step that
	 * moves between states without consuming returns 0 and loops. */
	do {
		ev = step(rx, &p, &left);
	} while (ev == 0 && left);
	*used = len - left;
	if (ev < 0)
		rx->err = ev;
	return ev;
}

int v2_rx_set_segment(struct v2_rx *rx, unsigned i, const struct iovec *iov,
		      size_t iovcnt)
{
	uint64_t total = 0;
	size_t j;

	if (i >= rx->pre.nseg || rx->err)
		return CEPHC_EINVAL;
	for (j = 0; j < iovcnt; j++)
		total += iov[j].iov_len;
	if (total != rx->pre.len[i])
		return CEPHC_EINVAL;
	/* only before any byte of the segment has landed */
	if (rx->state == RX_SEG && rx->seg == i &&
	    rx->off !=
		(rx->mode == V2_MODE_SECURE && i == 0 ? V2_INLINE_LEN : 0))
		return CEPHC_EINVAL;
	rx->dst[i].iov = iovcnt ? iov : NULL;
	rx->dst[i].iovcnt = iovcnt;
	rx->dst[i].idx = 0;
	rx->dst[i].pos = 0;
	if (i == 0 && rx->mode == V2_MODE_SECURE && iovcnt) {
		/* the inline bytes arrived with the preamble: place them now */
		uint64_t n = rx->pre.len[0] < V2_INLINE_LEN ? rx->pre.len[0]
							    : V2_INLINE_LEN;
		const uint8_t *src = rx->inl;
		struct v2_rx_dst *d = &rx->dst[0];

		while (n) {
			size_t step;

			while (d->pos == d->iov[d->idx].iov_len) {
				d->idx++;
				d->pos = 0;
			}
			step = d->iov[d->idx].iov_len - d->pos;
			if (step > n)
				step = (size_t)n;
			memcpy((uint8_t *)d->iov[d->idx].iov_base + d->pos, src,
			       step);
			d->pos += step;
			src += step;
			n -= step;
		}
	}
	return 0;
}

size_t v2_rx_direct(const struct v2_rx *rx, void **where)
{
	const struct v2_rx_dst *d = &rx->dst[rx->seg];
	uint64_t payload_left;
	size_t idx, pos, n;

	if (rx->err || rx->state != RX_SEG || !d->iov ||
	    rx->off >= rx->pre.len[rx->seg])
		return 0; /* not payload with a home (or only padding left) */
	payload_left = rx->pre.len[rx->seg] - rx->off;
	for (idx = d->idx, pos = d->pos; pos == d->iov[idx].iov_len; pos = 0)
		idx++;
	n = d->iov[idx].iov_len - pos;
	if (n > payload_left)
		n = (size_t)payload_left;
	*where = (uint8_t *)d->iov[idx].iov_base + pos;
	return n;
}

int v2_rx_eof(const struct v2_rx *rx)
{
	if (rx->err)
		return rx->err;
	if ((rx->state == RX_HEAD && rx->have == 0) || rx->state == RX_DONE)
		return 0;
	return CEPHC_EDECODE;
}
