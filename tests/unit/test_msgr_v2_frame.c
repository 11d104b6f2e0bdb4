/* SPDX-License-Identifier: MIT */
/*
 * msgr2.1 frames: banner, golden bytes from a real mon, crc and secure
 * round trips over scattered buffers, an independent AES-GCM vector, every
 * truncation, every single-bit flip, bad preambles and nonce handling.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "cephc/errors.h"
#include "core/crc32c.h"
#include "core/encode.h"
#include "msgr/v2_frame.h"

/*
 * Golden: the first 98 bytes a ceph-mon 16.2.15 (scripts/cluster.sh, v2
 * port) sent to a client that connected and sent only its banner
 * (supported = required = REVISION_1): its banner (supported 1, required
 * 0), then a crc-mode HELLO frame: entity type 1 (mon) and the client's
 * address as the mon saw it (msgr2 addr, nonce 0, 127.0.0.1:34938).
 * Captured with a 20-line Python socket script (connect, read 1 s, send
 * banner, read 1 s) on 2026-12-07.
 */
static const uint8_t mon_first_bytes[98] = {
    0x63, 0x65, 0x70, 0x68, 0x20, 0x76, 0x32, 0x0a, 0x10, 0x00, 0x01,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x24, 0x00, 0x00, 0x00, 0x08,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3f,
    0xbd, 0x6b, 0x06, 0x01, 0x01, 0x01, 0x01, 0x1c, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00,
    0x00, 0x02, 0x00, 0x88, 0x7a, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xaf, 0x4f, 0x2b, 0x5a,
};

/*
 * Independent secure-mode vector, made by tests/unit/vectors/
 * gen_v2_secure_vector.py with Python's `cryptography` AES-GCM from the
 * documented layout: the client's first frame after the connection secret
 * secret_bytes(), a MESSAGE of 60 / 20 / 0 / 5 bytes.
 */
static const uint8_t secure_vector[208] = {
    0x66, 0x39, 0x0d, 0x77, 0xbb, 0xa1, 0x5a, 0xd0, 0x17, 0xbe, 0xf5, 0xf7,
    0x76, 0xb1, 0x56, 0xb1, 0x6b, 0xca, 0xf1, 0xf9, 0x41, 0x0e, 0xa4, 0x26,
    0x1e, 0x6d, 0xab, 0xf4, 0x50, 0xbb, 0xad, 0x05, 0xd2, 0x9f, 0x99, 0x11,
    0xab, 0x9c, 0x44, 0x32, 0x8e, 0xe7, 0x36, 0x93, 0x54, 0x66, 0xfd, 0x7f,
    0x79, 0xfb, 0x00, 0x12, 0x20, 0x3c, 0x98, 0x5e, 0x2c, 0xa5, 0x0c, 0x7a,
    0x30, 0x07, 0x8c, 0x1a, 0xce, 0x8f, 0x93, 0xd3, 0xa9, 0x40, 0xdf, 0xe7,
    0x68, 0xdf, 0x13, 0x0f, 0x92, 0xc7, 0x63, 0xc8, 0x00, 0xbd, 0x14, 0xf7,
    0x98, 0xb9, 0x08, 0x29, 0x92, 0x3b, 0x3c, 0xcc, 0x7a, 0xff, 0x75, 0x92,
    0xc6, 0x38, 0xd0, 0x80, 0x43, 0x8a, 0xc1, 0xa5, 0x01, 0x6e, 0x14, 0x53,
    0xc9, 0x7e, 0x17, 0x78, 0x89, 0x13, 0xc0, 0x05, 0xeb, 0x15, 0x65, 0x9b,
    0x17, 0x6e, 0xd8, 0xe8, 0x25, 0xf6, 0xf9, 0xd6, 0xdb, 0x3f, 0xdd, 0x03,
    0x66, 0xb8, 0x6a, 0x10, 0x56, 0x6d, 0x31, 0x27, 0xc4, 0xde, 0x43, 0x70,
    0xa2, 0x66, 0xcf, 0xfb, 0x05, 0xe7, 0xa6, 0x71, 0x21, 0x25, 0xda, 0x88,
    0x9c, 0xca, 0x53, 0x81, 0xd8, 0x62, 0xe0, 0x07, 0x61, 0x40, 0x89, 0xbc,
    0xde, 0xc8, 0x46, 0x94, 0x9c, 0xff, 0xd6, 0x2f, 0x12, 0xcb, 0x50, 0x38,
    0x15, 0x59, 0xef, 0x83, 0xa9, 0x76, 0xb1, 0x26, 0x5c, 0x43, 0x00, 0x32,
    0x30, 0x0b, 0x06, 0xf0, 0x2c, 0x91, 0x70, 0xd6, 0x76, 0x4d, 0xdb, 0x09,
    0xa7, 0x5b, 0xd2, 0x89,
};

/*
 * Golden secure mode: the first two secure frames a ceph-mon 16.2.15 sent
 * on a v2 session whose client asked for secure mode only (AUTH_SIGNATURE,
 * then SERVER_IDENT after our AUTH_SIGNATURE and CLIENT_IDENT), with the
 * session's connection secret.  Captured by running
 * tests/integration/test_msgr_v2_frame_live with CEPHC_V2_DUMP=FILE
 * against a scripts/cluster.sh cluster (throwaway keys) on 2026-12-07.
 */
static const uint8_t mon_secure_secret[64] = {
    0x5f, 0x1a, 0x26, 0x77, 0x61, 0xb7, 0xe8, 0xc8, 0x93, 0xf7, 0x2e,
    0x86, 0xac, 0x63, 0x06, 0x71, 0x9e, 0xd4, 0xba, 0x07, 0xe4, 0x44,
    0x27, 0x96, 0x9d, 0xef, 0x9e, 0xaa, 0x86, 0x66, 0x1b, 0xcb, 0x88,
    0x99, 0x9c, 0x70, 0xf5, 0x72, 0x32, 0x1e, 0x57, 0x0c, 0xf9, 0xbb,
    0x6c, 0x11, 0xcb, 0xae, 0x3a, 0x45, 0x2b, 0xfe, 0x8a, 0xdd, 0x20,
    0x4b, 0x50, 0x4a, 0x9e, 0x74, 0x72, 0x55, 0x4d, 0x61,
};

static const uint8_t mon_secure_frames[288] = {
    0x38, 0x2d, 0xfe, 0xa5, 0xcb, 0xf5, 0xfa, 0xd1, 0xcd, 0x1a, 0x1b, 0x6f,
    0x6a, 0x81, 0xa3, 0x1d, 0x2d, 0x7b, 0xf0, 0xd1, 0x84, 0xee, 0xe5, 0xd1,
    0xa1, 0xf2, 0xfa, 0x1a, 0xca, 0xbe, 0x56, 0xe0, 0x55, 0x6b, 0x76, 0x59,
    0x51, 0xdd, 0xd7, 0x69, 0x15, 0xdf, 0x47, 0xe9, 0xe0, 0xa8, 0xdc, 0x17,
    0xde, 0xa7, 0x27, 0xbc, 0xb1, 0x8f, 0xc9, 0x25, 0x1c, 0x43, 0x74, 0x9b,
    0xf6, 0x43, 0x58, 0xef, 0x04, 0x11, 0x53, 0xb0, 0x01, 0x67, 0x8c, 0x4c,
    0x29, 0xff, 0x1b, 0x6e, 0xb4, 0x92, 0x29, 0x63, 0xac, 0x43, 0x91, 0xfb,
    0xe5, 0x36, 0xba, 0x5c, 0x88, 0xc2, 0x1f, 0x5d, 0xba, 0xc6, 0x7c, 0x5f,
    0x33, 0xc2, 0xa0, 0xb5, 0xbe, 0xd5, 0xf3, 0x12, 0x43, 0x2c, 0xa0, 0xaa,
    0x58, 0x95, 0x40, 0xab, 0x10, 0xf3, 0xf5, 0x8c, 0xca, 0x40, 0x8e, 0x05,
    0x90, 0x7a, 0x68, 0x55, 0xb0, 0x85, 0x70, 0x84, 0x73, 0x5b, 0xcd, 0xe2,
    0x4f, 0xe1, 0xdf, 0xaf, 0xc3, 0x29, 0xaa, 0xa1, 0x17, 0x96, 0xd6, 0x41,
    0x5c, 0x9b, 0x36, 0x04, 0xbe, 0x8c, 0x76, 0xc8, 0x0d, 0xc5, 0xe7, 0xa0,
    0x81, 0xf3, 0x77, 0x37, 0xf9, 0x4f, 0x1e, 0x5d, 0xad, 0x4c, 0x76, 0x67,
    0xa6, 0x54, 0x29, 0x1c, 0x10, 0xd2, 0x74, 0x15, 0x43, 0xae, 0xa8, 0x18,
    0x83, 0x2d, 0x18, 0x0a, 0xf6, 0xb9, 0xd4, 0x0a, 0x10, 0x92, 0x87, 0xe0,
    0xb8, 0x23, 0x48, 0x68, 0x3c, 0x91, 0x46, 0x19, 0x4f, 0x2b, 0xd8, 0xbf,
    0x1c, 0x9f, 0x2f, 0x9a, 0xa4, 0xfc, 0x51, 0x75, 0x0f, 0x22, 0x86, 0x39,
    0xcf, 0xb9, 0x7d, 0x6a, 0xa4, 0xfb, 0x03, 0x94, 0x6b, 0x70, 0x4d, 0x5f,
    0xf3, 0xb6, 0x4e, 0xf2, 0x62, 0x3b, 0x49, 0x67, 0xe1, 0x17, 0xce, 0x36,
    0x8d, 0x06, 0x8f, 0x28, 0x23, 0x0d, 0x94, 0xc6, 0x7a, 0x71, 0xbb, 0xc9,
    0xc9, 0xa5, 0x23, 0x96, 0x18, 0xf6, 0x17, 0x99, 0x26, 0xcf, 0x81, 0x1f,
    0x88, 0xca, 0x0c, 0x03, 0x40, 0x81, 0xa6, 0xcb, 0xb6, 0xe6, 0x7e, 0xdf,
    0x37, 0x95, 0x9a, 0xa2, 0x87, 0x24, 0x29, 0x56, 0x44, 0x3d, 0xf0, 0x1a,
};

/*
 * Golden crc-mode MESSAGE: the MMonGetVersionReply (type 20) frame a
 * ceph-mon 16.2.15 sent after our MMonGetVersion("osdmap", handle 7) on a
 * crc-mode v2 session: header2 (41) + front (24), seg0 crc, then the
 * epilogue (late_status 0x0e, the front's crc, 0, 0).  Captured with
 * tests/integration/test_msgr_v2_frame_live and CEPHC_V2_DUMP_CRC=FILE on
 * 2026-12-07.
 */
static const uint8_t mon_crc_message[114] = {
    0x11, 0x02, 0x29, 0x00, 0x00, 0x00, 0x08, 0x00, 0x18, 0x00, 0x00, 0x00,
    0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0xb2, 0x25, 0x5a, 0x5e, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x14, 0x00, 0xc4, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x02, 0x00, 0x00,
    0x00, 0xc7, 0x0c, 0xf3, 0x9d, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x56, 0x9a, 0x0a, 0x60, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void secret_bytes(uint8_t s[64])
{
	for (int i = 0; i < 64; i++)
		s[i] = (uint8_t)(7 * i + 3);
}

/* ---- helpers ------------------------------------------------------------ */

#define MAXW 70000

/* A frame to send: up to four segments, each split over two iovecs. */
struct tframe {
	uint8_t tag;
	size_t nseg;
	size_t len[4];
	uint8_t *buf[4];
	struct iovec iov[4][2];
	struct v2_frame_desc d;
};

static void tframe_make(struct tframe *t, uint8_t tag, size_t nseg,
			const size_t *lens)
{
	memset(t, 0, sizeof(*t));
	t->tag = tag;
	t->nseg = nseg;
	t->d.tag = tag;
	t->d.nseg = nseg;
	for (size_t i = 0; i < nseg; i++) {
		size_t half = lens[i] / 3;

		t->len[i] = lens[i];
		t->buf[i] = malloc(lens[i] + 1);
		for (size_t j = 0; j < lens[i]; j++)
			t->buf[i][j] = (uint8_t)(j * 31 + i * 7 + 1);
		t->iov[i][0] = (struct iovec){t->buf[i], half};
		t->iov[i][1] = (struct iovec){t->buf[i] + half, lens[i] - half};
		t->d.seg[i] = (struct v2_seg_src){
		    t->iov[i], 2, i == 3 ? V2_ALIGN_DATA : V2_ALIGN_CONTROL};
	}
}

static void tframe_free(struct tframe *t)
{
	for (size_t i = 0; i < t->nseg; i++)
		free(t->buf[i]);
}

/* Encode t into w (flattened); returns the wire length. */
static size_t encode(struct tframe *t, enum v2_mode mode, struct v2_crypto *c,
		     uint8_t *w)
{
	uint64_t wl = v2_frame_wire_len(&t->d, mode);

	assert_true(wl > 0 && wl <= MAXW);
	if (mode == V2_MODE_CRC) {
		struct v2_tx_crc tx;
		struct iovec out[16];
		size_t n, off = 0;

		assert_int_equal(v2_encode_crc(&t->d, &tx, out, 16, &n), 0);
		for (size_t i = 0; i < n; i++) {
			memcpy(w + off, out[i].iov_base, out[i].iov_len);
			off += out[i].iov_len;
		}
		assert_int_equal(off, wl);
	} else {
		assert_int_equal(v2_encode_secure(&t->d, c, w, (size_t)wl), 0);
	}
	return (size_t)wl;
}

/* Where decoded segments land: two iovecs per segment. */
struct tdest {
	uint8_t buf[4][MAXW];
	struct iovec iov[4][2];
	int frames;
	int preambles;
};

/*
 * Feed w[0..len) in chunks of `chunk` bytes, placing segments in dst.
 * Returns the first error, or the number of frames completed.
 */
static int decode(struct v2_rx *rx, const uint8_t *w, size_t len, size_t chunk,
		  struct tdest *dst)
{
	size_t off = 0, used;
	int ev = V2_RX_NEED_MORE;

	dst->frames = dst->preambles = 0;
	/* after a preamble, feed again even with nothing new: a frame with
	 * no bytes past its preamble completes on that call */
	while (off < len || ev == V2_RX_PREAMBLE) {
		size_t n = len - off < chunk ? len - off : chunk;

		ev = v2_rx_feed(rx, w + off, n, &used);
		if (ev < 0)
			return ev;
		assert_true(used <= n);
		off += used;
		if (ev == V2_RX_PREAMBLE) {
			dst->preambles++;
			for (unsigned i = 0; i < rx->pre.nseg; i++) {
				size_t l = rx->pre.len[i], h = l / 2;

				assert_true(l <= MAXW);
				dst->iov[i][0] = (struct iovec){dst->buf[i], h};
				dst->iov[i][1] =
				    (struct iovec){dst->buf[i] + h, l - h};
				assert_int_equal(
				    v2_rx_set_segment(rx, i, dst->iov[i], 2),
				    0);
			}
		} else if (ev == V2_RX_FRAME) {
			dst->frames++;
		} else {
			assert_int_equal(used, n);
		}
	}
	return dst->frames;
}

static void check_same(const struct tframe *t, const struct v2_rx *rx,
		       const struct tdest *dst)
{
	size_t n = t->nseg;

	while (n > 1 && t->len[n - 1] == 0)
		n--;
	assert_int_equal(rx->pre.tag, t->tag);
	assert_int_equal(rx->pre.nseg, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(rx->pre.len[i], t->len[i]);
		if (t->len[i])
			assert_memory_equal(dst->buf[i], t->buf[i], t->len[i]);
	}
}

static struct tdest *dest_new(void)
{
	return calloc(1, sizeof(struct tdest));
}

/* Shapes: control frames around the 48-byte inline edge, messages. */
static const struct {
	uint8_t tag;
	size_t nseg;
	size_t len[4];
} shapes[] = {
    {V2_TAG_WAIT, 1, {0}},
    {V2_TAG_KEEPALIVE2, 1, {8}},
    {V2_TAG_AUTH_SIGNATURE, 1, {32}},
    {V2_TAG_HELLO, 1, {47}},
    {V2_TAG_HELLO, 1, {48}},
    {V2_TAG_HELLO, 1, {49}},
    {V2_TAG_AUTH_REQUEST, 1, {300}},
    {V2_TAG_MESSAGE, 2, {41, 100}},
    {V2_TAG_MESSAGE, 4, {41, 100, 0, 5000}},
    {V2_TAG_MESSAGE, 4, {41, 1, 17, 65536}},
    {V2_TAG_MESSAGE, 4, {41, 0, 0, 0}}, /* trailing empties dropped */
};

/* ---- banner ------------------------------------------------------------ */

static void test_banner_roundtrip_and_mon_golden(void **state)
{
	uint8_t b[V2_BANNER_LEN];
	uint64_t sup = 0, req = 0;

	(void)state;
	v2_banner_encode(b, V2_FEAT_REVISION_1, V2_FEAT_REVISION_1);
	assert_int_equal(v2_banner_decode(b, sizeof(b), &sup, &req),
			 V2_BANNER_LEN);
	assert_true(sup == 1 && req == 1);
	/* the mon's own banner, as captured */
	assert_int_equal(v2_banner_decode(mon_first_bytes, 98, &sup, &req),
			 V2_BANNER_LEN);
	assert_true(sup == 1 && req == 0);
	assert_int_equal(v2_banner_check(sup, req, V2_FEAT_REVISION_1), 0);
	/* every prefix of it asks for more */
	for (size_t n = 0; n < V2_BANNER_LEN; n++)
		assert_int_equal(
		    v2_banner_decode(mon_first_bytes, n, &sup, &req), 0);
}

static void test_banner_rejects(void **state)
{
	uint8_t b[V2_BANNER_LEN + 8];
	uint64_t sup, req;

	(void)state;
	/* a v1 peer is caught at its 7th byte, without waiting for more */
	assert_int_equal(
	    v2_banner_decode((const uint8_t *)"ceph v027", 7, &sup, &req),
	    CEPHC_EBANNER);
	assert_int_equal(
	    v2_banner_decode((const uint8_t *)"GET /", 5, &sup, &req),
	    CEPHC_EBANNER);
	v2_banner_encode(b, 1, 0);
	put_le16(b + 8, 15);
	assert_int_equal(v2_banner_decode(b, V2_BANNER_LEN, &sup, &req),
			 CEPHC_EDECODE);
	put_le16(b + 8, 0);
	assert_int_equal(v2_banner_decode(b, V2_BANNER_LEN, &sup, &req),
			 CEPHC_EDECODE);
	put_le16(b + 8, 0xffff);
	assert_int_equal(v2_banner_decode(b, V2_BANNER_LEN, &sup, &req),
			 CEPHC_ETOOBIG);
	/* a longer payload is fine: later fields skipped */
	memset(b + V2_BANNER_LEN, 0xee, 8);
	put_le16(b + 8, 24);
	assert_int_equal(v2_banner_decode(b, V2_BANNER_LEN, &sup, &req), 0);
	assert_int_equal(v2_banner_decode(b, sizeof(b), &sup, &req),
			 (int)sizeof(b));
	/* the peer requires compression, or lacks msgr2.1 */
	assert_int_equal(v2_banner_check(3, 2, V2_FEAT_REVISION_1),
			 CEPHC_EFEATURES);
	assert_int_equal(v2_banner_check(0, 0, V2_FEAT_REVISION_1),
			 CEPHC_EPROTOVER);
}

/* ---- golden HELLO ------------------------------------------------------- */

static void test_mon_hello_golden_crc(void **state)
{
	const uint8_t *f = mon_first_bytes + V2_BANNER_LEN;
	size_t flen = sizeof(mon_first_bytes) - V2_BANNER_LEN;
	struct tdest *dst = dest_new();
	struct v2_rx rx;
	uint8_t again[128];
	struct tframe t;

	(void)state;
	assert_int_equal(flen, 72); /* 32 preamble + 36 HELLO + 4 crc */
	v2_rx_init(&rx, V2_MODE_CRC, NULL, NULL);
	assert_int_equal(decode(&rx, f, flen, 1000, dst), 1);
	assert_int_equal(rx.pre.tag, V2_TAG_HELLO);
	assert_int_equal(rx.pre.nseg, 1);
	assert_int_equal(rx.pre.len[0], 36);
	assert_int_equal(rx.pre.align[0], 8);
	assert_false(rx.aborted);
	assert_int_equal(dst->buf[0][0], 1); /* CEPH_ENTITY_TYPE_MON */
	assert_int_equal(v2_rx_eof(&rx), 0);

	/* re-encoding the payload gives the mon's bytes exactly */
	tframe_make(&t, V2_TAG_HELLO, 1, (size_t[]){36});
	memcpy(t.buf[0], dst->buf[0], 36);
	assert_int_equal(encode(&t, V2_MODE_CRC, NULL, again), flen);
	assert_memory_equal(again, f, flen);
	tframe_free(&t);
	free(dst);
}

/* The mon's secure frames decode; re-encoding them as the server gives
 * the mon's bytes exactly (same key, nonces, padding and layout). */
static void test_mon_secure_golden(void **state)
{
	struct tdest *dst = dest_new();
	struct v2_crypto cli, srv;
	struct v2_rx rx;
	struct tframe t;
	uint8_t w[512], sig[32];
	size_t used, off = 0, wl;
	const uint8_t *id;

	(void)state;
	assert_int_equal(v2_crypto_init(&cli, mon_secure_secret, 64, true), 0);
	v2_rx_init(&rx, V2_MODE_SECURE, &cli, NULL);
	/* frame 1: AUTH_SIGNATURE, all inline (one GCM operation, 96 bytes) */
	assert_int_equal(v2_rx_feed(&rx, mon_secure_frames, 96, &used),
			 V2_RX_PREAMBLE);
	assert_int_equal(used, 96);
	assert_int_equal(rx.pre.tag, V2_TAG_AUTH_SIGNATURE);
	assert_int_equal(rx.pre.len[0], 32);
	dst->iov[0][0] = (struct iovec){dst->buf[0], 32};
	assert_int_equal(v2_rx_set_segment(&rx, 0, dst->iov[0], 1), 0);
	assert_int_equal(v2_rx_feed(&rx, NULL, 0, &used), V2_RX_FRAME);
	memcpy(sig, dst->buf[0], 32);
	off = 96;
	/* frame 2: SERVER_IDENT, 123 bytes: 48 inline + 80 (75 + padding) */
	assert_int_equal(
	    decode(&rx, mon_secure_frames + off, 288 - off, 7, dst), 1);
	assert_int_equal(rx.pre.tag, V2_TAG_SERVER_IDENT);
	assert_int_equal(rx.pre.len[0], 123);
	assert_true(cli.rx.ops == 3);
	/* the tail as observed from Pacific mons: features, required,
	 * flags LOSSY, cookie 0 */
	id = dst->buf[0];
	assert_int_equal(id[0], 2); /* addrvec marker */
	assert_true(get_le64(id + 123 - 32) == 0x3f01cfbdfffdffffull);
	assert_true(get_le64(id + 123 - 24) == 0x0c01020042040000ull);
	assert_true(get_le64(id + 123 - 16) == 1);
	assert_true(get_le64(id + 123 - 8) == 0);

	/* our encoder, as the server, gives the same bytes */
	assert_int_equal(v2_crypto_init(&srv, mon_secure_secret, 64, false), 0);
	tframe_make(&t, V2_TAG_AUTH_SIGNATURE, 1, (size_t[]){32});
	memcpy(t.buf[0], sig, 32);
	wl = encode(&t, V2_MODE_SECURE, &srv, w);
	assert_int_equal(wl, 96);
	tframe_free(&t);
	tframe_make(&t, V2_TAG_SERVER_IDENT, 1, (size_t[]){123});
	memcpy(t.buf[0], id, 123);
	wl += encode(&t, V2_MODE_SECURE, &srv, w + wl);
	assert_int_equal(wl, 288);
	assert_memory_equal(w, mon_secure_frames, 288);
	tframe_free(&t);
	v2_crypto_free(&cli);
	v2_crypto_free(&srv);
	free(dst);
}

static void test_mon_message_golden_crc(void **state)
{
	struct tdest *dst = dest_new();
	struct v2_rx rx;
	struct tframe t;
	uint8_t w[256];
	const uint8_t *epi = mon_crc_message + 114 - V2_EPILOGUE_CRC_LEN;

	(void)state;
	v2_rx_init(&rx, V2_MODE_CRC, NULL, NULL);
	assert_int_equal(decode(&rx, mon_crc_message, 114, 5, dst), 1);
	assert_int_equal(rx.pre.tag, V2_TAG_MESSAGE);
	assert_int_equal(rx.pre.nseg, 2);
	assert_int_equal(rx.pre.len[0], 41);
	assert_int_equal(rx.pre.len[1], 24);
	assert_int_equal(get_le16(dst->buf[0] + 16), 20); /* type */
	assert_int_equal(get_le64(dst->buf[1]), 7);       /* handle */
	/* unused epilogue slots are zero, the front's is its crc */
	assert_int_equal(epi[0], V2_LATE_COMPLETE);
	assert_int_equal(get_le32(epi + 1),
			 cephc_crc32c(0xffffffffu, dst->buf[1], 24));
	assert_int_equal(get_le32(epi + 5), 0);
	assert_int_equal(get_le32(epi + 9), 0);
	/* and our encoder writes the same 114 bytes */
	tframe_make(&t, V2_TAG_MESSAGE, 2, (size_t[]){41, 24});
	memcpy(t.buf[0], dst->buf[0], 41);
	memcpy(t.buf[1], dst->buf[1], 24);
	assert_int_equal(encode(&t, V2_MODE_CRC, NULL, w), 114);
	assert_memory_equal(w, mon_crc_message, 114);
	tframe_free(&t);
	free(dst);
}

/* ---- round trips -------------------------------------------------------- */

static void roundtrip(enum v2_mode mode)
{
	static uint8_t w[MAXW + 256];
	struct tdest *dst = dest_new();
	static const size_t chunks[] = {1, 7, 16, 4096, MAXW + 256};
	uint8_t secret[64];

	secret_bytes(secret);
	for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
		for (size_t c = 0; c < 5; c++) {
			struct v2_crypto cli, srv;
			struct v2_rx rx;
			struct tframe t;
			size_t wl;

			assert_int_equal(v2_crypto_init(&cli, secret, 64, true),
					 0);
			assert_int_equal(
			    v2_crypto_init(&srv, secret, 64, false), 0);
			tframe_make(&t, shapes[s].tag, shapes[s].nseg,
				    shapes[s].len);
			wl = encode(&t, mode, &cli, w);
			v2_rx_init(&rx, mode, &srv, NULL);
			assert_int_equal(decode(&rx, w, wl, chunks[c], dst), 1);
			check_same(&t, &rx, dst);
			assert_false(rx.aborted);
			assert_int_equal(v2_rx_eof(&rx), 0);
			/* server -> client direction too */
			wl = encode(&t, mode, &srv, w);
			v2_rx_init(&rx, mode, &cli, NULL);
			assert_int_equal(decode(&rx, w, wl, chunks[c], dst), 1);
			check_same(&t, &rx, dst);
			tframe_free(&t);
			v2_crypto_free(&cli);
			v2_crypto_free(&srv);
		}
	}
	free(dst);
}

static void test_crc_roundtrip(void **state)
{
	(void)state;
	roundtrip(V2_MODE_CRC);
}

static void test_secure_roundtrip(void **state)
{
	(void)state;
	roundtrip(V2_MODE_SECURE);
}

/* Several frames in one buffer, decoded in one stream. */
static void test_stream_of_frames(void **state)
{
	static uint8_t w[4 * MAXW];
	struct tdest *dst = dest_new();
	uint8_t secret[64];

	(void)state;
	secret_bytes(secret);
	for (int m = V2_MODE_CRC; m <= V2_MODE_SECURE; m++) {
		struct v2_crypto cli, srv;
		struct v2_rx rx;
		size_t wl = 0, n = 0;

		v2_crypto_init(&cli, secret, 64, true);
		v2_crypto_init(&srv, secret, 64, false);
		for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]);
		     s++) {
			struct tframe t;

			if (shapes[s].len[3] > 10000)
				continue;
			tframe_make(&t, shapes[s].tag, shapes[s].nseg,
				    shapes[s].len);
			wl += encode(&t, (enum v2_mode)m, &cli, w + wl);
			tframe_free(&t);
			n++;
		}
		v2_rx_init(&rx, (enum v2_mode)m, &srv, NULL);
		assert_int_equal(decode(&rx, w, wl, 13, dst), (int)n);
		assert_int_equal(dst->preambles, (int)n);
		assert_int_equal(v2_rx_eof(&rx), 0);
		v2_crypto_free(&cli);
		v2_crypto_free(&srv);
	}
	free(dst);
}

/* Zero copy: read straight into the segment buffers, feed in place. */
static void test_direct_receive(void **state)
{
	static uint8_t w[MAXW + 256];
	struct tdest *dst = dest_new();
	uint8_t secret[64];

	(void)state;
	secret_bytes(secret);
	for (int m = V2_MODE_CRC; m <= V2_MODE_SECURE; m++) {
		struct v2_crypto cli, srv;
		struct v2_rx rx;
		struct tframe t;
		size_t wl, off = 0, used, direct = 0;
		int ev = 0, frames = 0;

		v2_crypto_init(&cli, secret, 64, true);
		v2_crypto_init(&srv, secret, 64, false);
		tframe_make(&t, V2_TAG_MESSAGE, 4,
			    (size_t[]){41, 100, 3, 5000});
		wl = encode(&t, (enum v2_mode)m, &cli, w);
		v2_rx_init(&rx, (enum v2_mode)m, &srv, NULL);
		while (off < wl) {
			void *where;
			size_t n = v2_rx_direct(&rx, &where);

			if (n) {
				/* the "socket read" lands in the caller's
				 * buffer; the codec checks it in place */
				if (n > wl - off)
					n = wl - off;
				memcpy(where, w + off, n);
				ev = v2_rx_feed(&rx, where, n, &used);
				direct += used;
			} else {
				ev = v2_rx_feed(&rx, w + off, 1, &used);
			}
			assert_true(ev >= 0);
			off += used;
			if (ev == V2_RX_PREAMBLE)
				for (unsigned i = 0; i < rx.pre.nseg; i++) {
					dst->iov[i][0] = (struct iovec){
					    dst->buf[i], rx.pre.len[i]};
					v2_rx_set_segment(&rx, i, dst->iov[i],
							  1);
				}
			if (ev == V2_RX_FRAME)
				frames++;
		}
		assert_int_equal(frames, 1);
		check_same(&t, &rx, dst);
		/* all payload but seg0's inline part came in directly */
		assert_true(direct >= 100 + 3 + 5000);
		tframe_free(&t);
		v2_crypto_free(&cli);
		v2_crypto_free(&srv);
	}
	free(dst);
}

/* Segments nobody names are checked and dropped. */
static void test_unnamed_segments_dropped(void **state)
{
	static uint8_t w[MAXW];
	uint8_t secret[64];

	(void)state;
	secret_bytes(secret);
	for (int m = V2_MODE_CRC; m <= V2_MODE_SECURE; m++) {
		struct v2_crypto cli, srv;
		struct v2_rx rx;
		struct tframe t;
		size_t wl, used;

		v2_crypto_init(&cli, secret, 64, true);
		v2_crypto_init(&srv, secret, 64, false);
		tframe_make(&t, V2_TAG_MESSAGE, 4, (size_t[]){41, 90, 0, 700});
		wl = encode(&t, (enum v2_mode)m, &cli, w);
		v2_rx_init(&rx, (enum v2_mode)m, &srv, NULL);
		assert_int_equal(v2_rx_feed(&rx, w, wl, &used), V2_RX_PREAMBLE);
		assert_int_equal(v2_rx_feed(&rx, w + used, wl - used, &used),
				 V2_RX_FRAME);
		/* the stream stays in step: a second frame decodes */
		wl = encode(&t, (enum v2_mode)m, &cli, w);
		assert_int_equal(v2_rx_feed(&rx, w, wl, &used), V2_RX_PREAMBLE);
		assert_int_equal(v2_rx_feed(&rx, w + used, wl - used, &used),
				 V2_RX_FRAME);
		tframe_free(&t);
		v2_crypto_free(&cli);
		v2_crypto_free(&srv);
	}
}

/* ---- secure mode against independent AES-GCM ---------------------------- */

static void test_secure_matches_independent_vector(void **state)
{
	uint8_t secret[64], w[256];
	struct tdest *dst = dest_new();
	struct v2_crypto cli, srv;
	struct v2_rx rx;
	struct tframe t;

	(void)state;
	secret_bytes(secret);
	assert_int_equal(v2_crypto_init(&cli, secret, 64, true), 0);
	assert_int_equal(v2_crypto_init(&srv, secret, 64, false), 0);
	tframe_make(&t, V2_TAG_MESSAGE, 4, (size_t[]){60, 20, 0, 5});
	for (size_t j = 0; j < 60; j++)
		t.buf[0][j] = (uint8_t)(j * 5 + 1);
	memcpy(t.buf[1], "front-segment-bytes!", 20);
	memcpy(t.buf[3], "data5", 5);
	assert_int_equal(encode(&t, V2_MODE_SECURE, &cli, w), 208);
	assert_memory_equal(w, secure_vector, 208);
	v2_rx_init(&rx, V2_MODE_SECURE, &srv, NULL);
	assert_int_equal(decode(&rx, secure_vector, 208, 5, dst), 1);
	check_same(&t, &rx, dst);
	tframe_free(&t);
	v2_crypto_free(&cli);
	v2_crypto_free(&srv);
	free(dst);
}

/* Block 1 decrypts, with plain OpenSSL, to preamble + inline bytes. */
static void test_secure_block1_layout(void **state)
{
	uint8_t secret[64], w[256], plain[80], nonce[12];
	struct v2_crypto cli;
	struct tframe t;
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n1, n2;

	(void)state;
	secret_bytes(secret);
	v2_crypto_init(&cli, secret, 64, true);
	tframe_make(&t, V2_TAG_KEEPALIVE2, 1, (size_t[]){8});
	assert_int_equal(encode(&t, V2_MODE_SECURE, &cli, w), 96);
	assert_true(EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, secret,
				       secret + 28) == 1);
	assert_true(EVP_DecryptUpdate(ctx, plain, &n1, w, 80) == 1);
	assert_true(
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, 16, w + 80) == 1);
	assert_true(EVP_DecryptFinal_ex(ctx, plain + n1, &n2) == 1);
	EVP_CIPHER_CTX_free(ctx);
	assert_int_equal(plain[0], V2_TAG_KEEPALIVE2);
	assert_int_equal(plain[1], 1);
	assert_int_equal(get_le32(plain + 2), 8);
	/* preamble crc is present in secure mode too */
	assert_int_equal(get_le32(plain + 28), cephc_crc32c(0, plain, 28));
	assert_memory_equal(plain + 32, t.buf[0], 8);
	for (int i = 40; i < 80; i++)
		assert_int_equal(plain[i], 0);
	/* the nonce used was secret[28..39]; the next has counter + 1 */
	v2_gcm_next_nonce(&cli.tx, nonce);
	assert_memory_equal(nonce, secret + 28, 4);
	assert_true(get_le64(nonce + 4) == get_le64(secret + 32) + 1);
	tframe_free(&t);
	v2_crypto_free(&cli);
}

static void test_nonce_counter_advances(void **state)
{
	uint8_t secret[64], w[MAXW + 256];
	struct v2_crypto cli, srv;
	struct tframe t;
	static const struct {
		size_t nseg, len[4];
		uint64_t ops;
	} cases[] = {
	    {1, {0}, 1},     {1, {48}, 1},          {1, {49}, 2},
	    {2, {41, 1}, 2}, {4, {60, 0, 0, 9}, 3},
	};
	uint64_t before;

	(void)state;
	secret_bytes(secret);
	v2_crypto_init(&cli, secret, 64, true);
	v2_crypto_init(&srv, secret, 64, false);
	/* client tx starts where the server's rx starts, and vice versa */
	assert_true(cli.tx.counter == srv.rx.counter);
	assert_true(cli.rx.counter == srv.tx.counter);
	assert_true(cli.tx.fixed == get_le32(secret + 28));
	assert_true(cli.rx.fixed == get_le32(secret + 16));
	for (size_t i = 0; i < 5; i++) {
		tframe_make(&t, cases[i].nseg > 1 ? V2_TAG_MESSAGE : V2_TAG_ACK,
			    cases[i].nseg, cases[i].len);
		before = cli.tx.counter;
		encode(&t, V2_MODE_SECURE, &cli, w);
		assert_true(cli.tx.counter - before == cases[i].ops);
		tframe_free(&t);
	}
	/* a spent direction refuses instead of reusing a nonce */
	cli.tx.ops = UINT64_MAX;
	tframe_make(&t, V2_TAG_ACK, 1, (size_t[]){8});
	assert_int_equal(v2_encode_secure(&t.d, &cli, w, sizeof(w)),
			 CEPHC_ECRYPTO);
	tframe_free(&t);
	/* a short secret is refused */
	v2_crypto_free(&srv);
	assert_int_equal(v2_crypto_init(&srv, secret, 39, false), CEPHC_EINVAL);
	v2_crypto_free(&srv);
	v2_crypto_free(&cli);
}

/* A replayed secure frame fails: its nonce is already behind us. */
static void test_secure_replay_rejected(void **state)
{
	uint8_t secret[64], w[256];
	struct tdest *dst = dest_new();
	struct v2_crypto cli, srv;
	struct v2_rx rx;
	struct tframe t;
	size_t wl;

	(void)state;
	secret_bytes(secret);
	v2_crypto_init(&cli, secret, 64, true);
	v2_crypto_init(&srv, secret, 64, false);
	tframe_make(&t, V2_TAG_ACK, 1, (size_t[]){8});
	wl = encode(&t, V2_MODE_SECURE, &cli, w);
	v2_rx_init(&rx, V2_MODE_SECURE, &srv, NULL);
	assert_int_equal(decode(&rx, w, wl, wl, dst), 1);
	assert_int_equal(decode(&rx, w, wl, wl, dst), CEPHC_ECRYPTO);
	/* the error is sticky */
	assert_int_equal(decode(&rx, w, wl, wl, dst), CEPHC_ECRYPTO);
	tframe_free(&t);
	v2_crypto_free(&cli);
	v2_crypto_free(&srv);
	free(dst);
}

/* ---- truncation and bit flips ------------------------------------------- */

static void corrupt_all(enum v2_mode mode, size_t nseg, const size_t *lens)
{
	static uint8_t w[4096], bad[4096];
	struct tdest *dst = dest_new();
	uint8_t secret[64];
	struct v2_crypto cli, srv;
	struct v2_rx rx;
	struct tframe t;
	size_t wl;

	secret_bytes(secret);
	v2_crypto_init(&cli, secret, 64, true);
	tframe_make(&t, nseg > 1 ? V2_TAG_MESSAGE : V2_TAG_AUTH_REQUEST, nseg,
		    lens);
	wl = encode(&t, mode, &cli, w);
	assert_true(wl <= sizeof(w));

	/* every truncation: no frame, and end of stream mid-frame is an
	 * error (0 bytes is a clean end) */
	for (size_t k = 1; k < wl; k++) {
		v2_crypto_init(&srv, secret, 64, false);
		v2_rx_init(&rx, mode, &srv, NULL);
		assert_int_equal(decode(&rx, w, k, 3, dst), 0);
		assert_int_equal(v2_rx_eof(&rx), CEPHC_EDECODE);
		v2_crypto_free(&srv);
	}

	/* every single-bit flip is detected, except the reserved upper half
	 * of the crc epilogue's late_status, which Ceph masks off too */
	for (size_t bit = 0; bit < wl * 8; bit++) {
		int r;

		memcpy(bad, w, wl);
		bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		v2_crypto_init(&srv, secret, 64, false);
		v2_rx_init(&rx, mode, &srv, NULL);
		r = decode(&rx, bad, wl, wl, dst);
		if (mode == V2_MODE_CRC && nseg > 1 &&
		    bit / 8 == wl - V2_EPILOGUE_CRC_LEN && bit % 8 >= 4)
			assert_int_equal(r, 1);
		else if (r >= 0)
			fail_msg("bit %zu of %zu not detected", bit, wl * 8);
		v2_crypto_free(&srv);
	}
	tframe_free(&t);
	v2_crypto_free(&cli);
	free(dst);
}

static void test_crc_truncations_and_bitflips(void **state)
{
	(void)state;
	corrupt_all(V2_MODE_CRC, 1, (size_t[]){30});
	corrupt_all(V2_MODE_CRC, 4, (size_t[]){41, 20, 3, 50});
}

static void test_secure_truncations_and_bitflips(void **state)
{
	(void)state;
	corrupt_all(V2_MODE_SECURE, 1, (size_t[]){30});
	corrupt_all(V2_MODE_SECURE, 1, (size_t[]){70});
	corrupt_all(V2_MODE_SECURE, 4, (size_t[]){41, 20, 3, 50});
}

/* ---- malformed preambles ------------------------------------------------ */

/* Decode a crc-mode frame built from a raw preamble (crc recomputed). */
static int feed_preamble(struct v2_preamble *p, const struct v2_limits *lim)
{
	uint8_t pre[V2_PREAMBLE_LEN];
	struct v2_rx rx;
	size_t used;

	v2_preamble_encode(pre, p);
	v2_rx_init(&rx, V2_MODE_CRC, NULL, lim);
	return v2_rx_feed(&rx, pre, sizeof(pre), &used);
}

static void test_bad_preambles(void **state)
{
	struct v2_preamble p;
	struct v2_limits lim;
	uint8_t pre[V2_PREAMBLE_LEN];
	struct v2_rx rx;
	size_t used;
	static const uint32_t huge[] = {0x80000000u, 0xffffffffu, 0x7fffffffu,
					(16u << 20) + 1};

	(void)state;
	memset(&p, 0, sizeof(p));
	p.tag = V2_TAG_HELLO;
	p.nseg = 1;
	p.len[0] = 10;
	assert_int_equal(feed_preamble(&p, NULL), V2_RX_PREAMBLE);
	/* bad crc */
	v2_preamble_encode(pre, &p);
	pre[28] ^= 1;
	v2_rx_init(&rx, V2_MODE_CRC, NULL, NULL);
	assert_int_equal(v2_rx_feed(&rx, pre, sizeof(pre), &used), CEPHC_ECRC);
	/* unknown tags, including Quincy's compression tags */
	for (unsigned tag = 0; tag < 256; tag++) {
		p.tag = (uint8_t)tag;
		assert_int_equal(feed_preamble(&p, NULL), tag >= 1 && tag <= 20
							      ? V2_RX_PREAMBLE
							      : CEPHC_EBADTAG);
	}
	/* segment counts */
	p.tag = V2_TAG_MESSAGE;
	p.len[1] = p.len[2] = p.len[3] = 5;
	for (unsigned n = 0; n < 256; n++) {
		p.nseg = (uint8_t)n;
		assert_int_equal(feed_preamble(&p, NULL), n >= 1 && n <= 4
							      ? V2_RX_PREAMBLE
							      : CEPHC_EDECODE);
	}
	/* only MESSAGE has several segments */
	p.tag = V2_TAG_AUTH_DONE;
	p.nseg = 2;
	assert_int_equal(feed_preamble(&p, NULL), CEPHC_EDECODE);
	/* an empty last segment */
	p.tag = V2_TAG_MESSAGE;
	p.nseg = 3;
	p.len[2] = 0;
	assert_int_equal(feed_preamble(&p, NULL), CEPHC_EDECODE);
	/* lengths past the limits, in every segment */
	for (unsigned s = 0; s < 4; s++) {
		for (size_t h = 0; h < 4; h++) {
			memset(&p, 0, sizeof(p));
			p.tag = V2_TAG_MESSAGE;
			p.nseg = 4;
			p.len[0] = p.len[1] = p.len[2] = p.len[3] = 1;
			p.len[s] = huge[h];
			if (s == 3 && h == 3)
				continue; /* 16 MiB + 1 is fine for data */
			assert_int_equal(feed_preamble(&p, NULL),
					 CEPHC_ETOOBIG);
		}
	}
	/* a tighter configured limit */
	v2_limits_default(&lim);
	lim.seg_max[0] = 64;
	memset(&p, 0, sizeof(p));
	p.tag = V2_TAG_AUTH_REQUEST;
	p.nseg = 1;
	p.len[0] = 65;
	assert_int_equal(feed_preamble(&p, &lim), CEPHC_ETOOBIG);
	p.len[0] = 64;
	assert_int_equal(feed_preamble(&p, &lim), V2_RX_PREAMBLE);
}

/* Well-formed crcs around a bad late_status, and the aborted frame. */
static void test_late_status(void **state)
{
	uint8_t w[512];
	struct tdest *dst = dest_new();
	struct tframe t;
	struct v2_rx rx;
	size_t wl;

	(void)state;
	tframe_make(&t, V2_TAG_MESSAGE, 2, (size_t[]){41, 10});
	wl = encode(&t, V2_MODE_CRC, NULL, w);
	for (unsigned ls = 0; ls < 256; ls++) {
		w[wl - V2_EPILOGUE_CRC_LEN] = (uint8_t)ls;
		v2_rx_init(&rx, V2_MODE_CRC, NULL, NULL);
		if ((ls & 0x0f) == 0x0e || (ls & 0x0f) == 0x01) {
			assert_int_equal(decode(&rx, w, wl, wl, dst), 1);
			assert_int_equal(rx.aborted, (ls & 0x0f) == 0x01);
		} else {
			assert_int_equal(decode(&rx, w, wl, wl, dst),
					 CEPHC_EDECODE);
		}
	}
	tframe_free(&t);
	free(dst);
}

/* A frame sealed with another key fails its tag. */
static void test_secure_wrong_key(void **state)
{
	uint8_t secret[64], other[64], w[256];
	struct tdest *dst = dest_new();
	struct v2_crypto cli, srv;
	struct v2_rx rx;
	struct tframe t;
	size_t wl;

	(void)state;
	secret_bytes(secret);
	memcpy(other, secret, 64);
	other[0] ^= 0x80;
	v2_crypto_init(&cli, secret, 64, true);
	v2_crypto_init(&srv, other, 64, false);
	tframe_make(&t, V2_TAG_ACK, 1, (size_t[]){8});
	wl = encode(&t, V2_MODE_SECURE, &cli, w);
	v2_rx_init(&rx, V2_MODE_SECURE, &srv, NULL);
	assert_int_equal(decode(&rx, w, wl, wl, dst), CEPHC_ECRYPTO);
	/* decoding a secure frame as crc fails too (preamble crc) */
	v2_rx_init(&rx, V2_MODE_CRC, NULL, NULL);
	assert_true(decode(&rx, w, wl, wl, dst) < 0);
	tframe_free(&t);
	v2_crypto_free(&cli);
	v2_crypto_free(&srv);
	free(dst);
}

static void test_encoder_argument_checks(void **state)
{
	struct v2_frame_desc d = {.tag = V2_TAG_ACK, .nseg = 0};
	struct v2_tx_crc tx;
	struct iovec out[2];
	size_t n;
	struct tframe t;

	(void)state;
	assert_int_equal(v2_frame_wire_len(&d, V2_MODE_CRC), 0);
	assert_int_equal(v2_encode_crc(&d, &tx, out, 2, &n), CEPHC_EINVAL);
	d.nseg = 5;
	assert_int_equal(v2_encode_crc(&d, &tx, out, 2, &n), CEPHC_EINVAL);
	/* out[] too small for 3 + 2 iovecs */
	tframe_make(&t, V2_TAG_ACK, 1, (size_t[]){8});
	assert_int_equal(v2_encode_crc(&t.d, &tx, out, 2, &n), CEPHC_ENOBUFS);
	tframe_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_banner_roundtrip_and_mon_golden),
	    cmocka_unit_test(test_banner_rejects),
	    cmocka_unit_test(test_mon_hello_golden_crc),
	    cmocka_unit_test(test_mon_secure_golden),
	    cmocka_unit_test(test_mon_message_golden_crc),
	    cmocka_unit_test(test_crc_roundtrip),
	    cmocka_unit_test(test_secure_roundtrip),
	    cmocka_unit_test(test_stream_of_frames),
	    cmocka_unit_test(test_direct_receive),
	    cmocka_unit_test(test_unnamed_segments_dropped),
	    cmocka_unit_test(test_secure_matches_independent_vector),
	    cmocka_unit_test(test_secure_block1_layout),
	    cmocka_unit_test(test_nonce_counter_advances),
	    cmocka_unit_test(test_secure_replay_rejected),
	    cmocka_unit_test(test_crc_truncations_and_bitflips),
	    cmocka_unit_test(test_secure_truncations_and_bitflips),
	    cmocka_unit_test(test_bad_preambles),
	    cmocka_unit_test(test_late_status),
	    cmocka_unit_test(test_secure_wrong_key),
	    cmocka_unit_test(test_encoder_argument_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
