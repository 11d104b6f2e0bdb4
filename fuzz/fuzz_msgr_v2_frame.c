/* SPDX-License-Identifier: MIT */
/*
 * msgr2.1 frame codec (src/msgr/v2_frame.c) on arbitrary bytes, in crc and
 * secure mode.
 *
 * Input byte 0:
 *   bits 0-1: scenario
 *     0  the rest is a crc-mode stream from the peer
 *     1  secure mode: the next 80 bytes are the plaintext of the first GCM
 *        block (preamble + inline seg0), sealed here with the peer's key
 *        and first nonce so the decoder gets past the tag; the rest
 *        follows as raw ciphertext
 *     2  crc round trip: a frame built from the input (byte 1 tag, byte 2
 *        segment count, 4 x le16 lengths, then content) is encoded and
 *        decoded, and must come back identical
 *     3  the same round trip in secure mode
 *   bit 2: (0, 1) recompute the preamble crc so the fuzzer gets past it
 *   bit 3: name the segments' buffers (else they are checked and dropped)
 *   bits 4-7: feed in chunks of 1 << (bits) bytes
 * Whatever arrives, the decoder must end in a clean error, NEED_MORE or
 * complete frames; never crash, overrun or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cephc/errors.h"
#include "core/crc32c.h"
#include "core/encode.h"
#include "msgr/v2_frame.h"

#define SEG_CAP 8192

static uint8_t seg_buf[V2_MAX_SEGMENTS][SEG_CAP];

static void secret_bytes(uint8_t s[64])
{
	for (int i = 0; i < 64; i++)
		s[i] = (uint8_t)(7 * i + 3);
}

/* Feed a whole stream; returns frames completed or a negative error. */
static int run_decoder(struct v2_rx *rx, const uint8_t *p, size_t len,
		       size_t chunk, int name, struct iovec iov[4][2])
{
	size_t off = 0, used;
	int ev = V2_RX_NEED_MORE, frames = 0;

	while (off < len || ev == V2_RX_PREAMBLE) {
		size_t n = len - off < chunk ? len - off : chunk;

		ev = v2_rx_feed(rx, p + off, n, &used);
		if (ev < 0)
			return ev;
		if (used > n)
			abort();
		off += used;
		if (ev == V2_RX_PREAMBLE && name) {
			for (unsigned i = 0; i < rx->pre.nseg; i++) {
				size_t l = rx->pre.len[i];

				if (l > SEG_CAP)
					continue; /* left to be dropped */
				iov[i][0] = (struct iovec){seg_buf[i], l / 2};
				iov[i][1] = (struct iovec){seg_buf[i] + l / 2,
							   l - l / 2};
				if (v2_rx_set_segment(rx, i, iov[i], 2))
					abort();
			}
		}
		if (ev == V2_RX_FRAME)
			frames++;
	}
	(void)v2_rx_eof(rx);
	return frames;
}

static void seal_head(const uint8_t secret[64], const uint8_t *plain,
		      uint8_t out[V2_SECURE_HEAD_LEN])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int n = 0, m = 0;

	if (!ctx)
		abort();
	/* the server side receives with secret[28..39] as its first nonce */
	if (EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), NULL, secret,
			       secret + 28) != 1 ||
	    EVP_EncryptUpdate(ctx, out, &n, plain, 80) != 1 ||
	    EVP_EncryptFinal_ex(ctx, out + n, &m) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, 16, out + 80) != 1)
		abort();
	EVP_CIPHER_CTX_free(ctx);
}

static void raw_stream(const uint8_t *data, size_t size, int secure,
		       int fix_crc, int name, size_t chunk)
{
	static uint8_t buf[1 << 17];
	struct iovec iov[4][2];
	struct v2_crypto srv;
	struct v2_rx rx;
	uint8_t secret[64];
	size_t len = size < sizeof(buf) ? size : sizeof(buf);

	memcpy(buf, data, len);
	secret_bytes(secret);
	if (v2_crypto_init(&srv, secret, 64, false))
		abort();
	if (secure) {
		uint8_t plain[80] = {0};

		memcpy(plain, buf, len < 80 ? len : 80);
		if (fix_crc)
			put_le32(plain + 28, cephc_crc32c(0, plain, 28));
		if (len < 80) {
			v2_crypto_free(&srv);
			return;
		}
		/* 80 plaintext bytes become 96 on the wire */
		if (len + 16 > sizeof(buf))
			len = sizeof(buf) - 16;
		memmove(buf + 96, buf + 80, len - 80);
		seal_head(secret, plain, buf);
		len += 16;
	} else if (fix_crc && len >= 32) {
		put_le32(buf + 28, cephc_crc32c(0, buf, 28));
	}
	v2_rx_init(&rx, secure ? V2_MODE_SECURE : V2_MODE_CRC, &srv, NULL);
	(void)run_decoder(&rx, buf, len, chunk, name, iov);
	v2_crypto_free(&srv);
}

static void round_trip(const uint8_t *data, size_t size, int secure,
		       size_t chunk)
{
	static uint8_t src[V2_MAX_SEGMENTS][SEG_CAP];
	static uint8_t wire[4 * SEG_CAP + 256];
	struct iovec siov[4], iov[4][2];
	struct v2_frame_desc d;
	struct v2_crypto cli, srv;
	struct v2_tx_crc tx;
	struct iovec out[8];
	struct v2_rx rx;
	uint8_t secret[64];
	size_t i, j, n, wl = 0, last = 0;
	int frames;

	if (size < 10)
		return;
	memset(&d, 0, sizeof(d));
	d.tag = data[0];
	d.nseg = 1 + data[1] % V2_MAX_SEGMENTS;
	for (i = 0; i < d.nseg; i++) {
		size_t l = get_le16(data + 2 + 2 * i) % SEG_CAP;

		for (j = 0; j < l; j++)
			src[i][j] = size > 10 ? data[10 + (j + i) % (size - 10)]
					      : (uint8_t)j;
		siov[i] = (struct iovec){src[i], l};
		d.seg[i] = (struct v2_seg_src){&siov[i], 1, 8};
		if (l)
			last = i + 1;
	}
	secret_bytes(secret);
	if (v2_crypto_init(&cli, secret, 64, true) ||
	    v2_crypto_init(&srv, secret, 64, false))
		abort();
	if (secure) {
		wl = (size_t)v2_frame_wire_len(&d, V2_MODE_SECURE);
		if (v2_encode_secure(&d, &cli, wire, sizeof(wire)))
			abort();
	} else {
		if (v2_encode_crc(&d, &tx, out, 8, &n))
			abort();
		for (i = 0; i < n; i++) {
			memcpy(wire + wl, out[i].iov_base, out[i].iov_len);
			wl += out[i].iov_len;
		}
		if (wl != v2_frame_wire_len(&d, V2_MODE_CRC))
			abort();
	}
	v2_rx_init(&rx, secure ? V2_MODE_SECURE : V2_MODE_CRC, &srv, NULL);
	frames = run_decoder(&rx, wire, wl, chunk, 1, iov);
	/* only frames the decoder must refuse may fail: unknown tags, or
	 * several segments on a control tag */
	if (d.tag == 0 || d.tag > V2_TAG_MAX_ ||
	    (last > 1 && d.tag != V2_TAG_MESSAGE)) {
		if (frames >= 0)
			abort();
	} else {
		if (frames != 1 || rx.pre.tag != d.tag)
			abort();
		for (i = 0; i < rx.pre.nseg; i++)
			if (rx.pre.len[i] != siov[i].iov_len ||
			    memcmp(seg_buf[i], src[i], siov[i].iov_len))
				abort();
	}
	v2_crypto_free(&cli);
	v2_crypto_free(&srv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned sel;
	size_t chunk;

	if (size < 1)
		return 0;
	sel = data[0];
	chunk = (size_t)1 << (sel >> 4);
	switch (sel & 3) {
	case 0:
	case 1:
		raw_stream(data + 1, size - 1, sel & 1, sel & 4, sel & 8,
			   chunk);
		break;
	default:
		round_trip(data + 1, size - 1, sel & 1, chunk);
		break;
	}
	return 0;
}
