/* SPDX-License-Identifier: MIT */
/*
 * msgr2.1 frame codec cost, no sockets: a MESSAGE frame (41-byte header2,
 * 64-byte front, data of 4 KiB or 4 MiB) encoded and then decoded into a
 * caller buffer, in crc and in secure (AES-128-GCM) mode.  The crc encoder
 * only computes crcs (its output is iovecs over the caller's bytes); the
 * decoder is fed the wire image and copies (crc) or decrypts (secure) the
 * data straight into the destination buffer, as a connection would after
 * reading the socket.  Prints ns per frame and GB/s (10^9 bytes/s) of
 * data, encode and decode separately, and the secure/crc ratio.
 *
 * usage: bench_msgr_v2_frame [seconds per case, default 0.3]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "msgr/v2_frame.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct frame {
	uint8_t h2[41], front[64];
	uint8_t *data, *dest[3];
	size_t data_len;
	struct iovec src[3], dst[3];
	struct v2_frame_desc d;
	uint8_t *wire;
	size_t wire_len;
};

/* Encode once per call; returns 0 or an error. */
static int encode(struct frame *f, enum v2_mode mode, struct v2_crypto *c)
{
	struct v2_tx_crc tx;
	struct iovec out[8];
	size_t n;

	if (mode == V2_MODE_SECURE)
		return v2_encode_secure(&f->d, c, f->wire, f->wire_len);
	return v2_encode_crc(&f->d, &tx, out, 8, &n);
}

static int decode(struct frame *f, struct v2_rx *rx)
{
	size_t off = 0, used;
	int ev;

	for (;;) {
		ev = v2_rx_feed(rx, f->wire + off, f->wire_len - off, &used);
		off += used;
		if (ev < 0)
			return ev;
		if (ev == V2_RX_FRAME)
			return 0;
		/* header2, front, (no middle), data */
		if (ev == V2_RX_PREAMBLE &&
		    (v2_rx_set_segment(rx, 0, &f->dst[0], 1) ||
		     v2_rx_set_segment(rx, 1, &f->dst[1], 1) ||
		     v2_rx_set_segment(rx, 3, &f->dst[2], 1)))
			return -1;
	}
}

static void run(size_t data_len, double secs)
{
	static const uint8_t secret[64] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	double enc_ns[2], dec_ns[2];

	for (int m = 0; m < 2; m++) {
		enum v2_mode mode = m ? V2_MODE_SECURE : V2_MODE_CRC;
		struct v2_crypto cli, srv;
		struct v2_rx rx;
		struct frame f;
		uint64_t n;
		double t0, t;

		memset(&f, 0, sizeof(f));
		f.data_len = data_len;
		f.data = malloc(data_len);
		memset(f.data, 0x5a, data_len);
		f.src[0] = (struct iovec){f.h2, sizeof(f.h2)};
		f.src[1] = (struct iovec){f.front, sizeof(f.front)};
		f.src[2] = (struct iovec){f.data, data_len};
		f.d.tag = V2_TAG_MESSAGE;
		f.d.nseg = 4;
		f.d.seg[0] = (struct v2_seg_src){&f.src[0], 1, 8};
		f.d.seg[1] = (struct v2_seg_src){&f.src[1], 1, 8};
		f.d.seg[2] = (struct v2_seg_src){NULL, 0, 8};
		f.d.seg[3] = (struct v2_seg_src){&f.src[2], 1, 4096};
		for (int i = 0; i < 3; i++) {
			f.dest[i] = malloc(f.src[i].iov_len);
			f.dst[i] = (struct iovec){f.dest[i], f.src[i].iov_len};
		}
		/* the crc wire image for the decoder, built once */
		f.wire_len = (size_t)v2_frame_wire_len(&f.d, mode);
		f.wire = malloc(f.wire_len);
		if (v2_crypto_init(&cli, secret, 64, true) ||
		    v2_crypto_init(&srv, secret, 64, false))
			exit(1);
		if (mode == V2_MODE_CRC) {
			struct v2_tx_crc tx;
			struct iovec out[8];
			size_t k, off = 0;

			v2_encode_crc(&f.d, &tx, out, 8, &k);
			for (size_t i = 0; i < k; i++) {
				memcpy(f.wire + off, out[i].iov_base,
				       out[i].iov_len);
				off += out[i].iov_len;
			}
		}

		/* encode */
		n = 0;
		t0 = now();
		do {
			for (int i = 0; i < 16; i++, n++)
				if (encode(&f, mode, &cli))
					exit(1);
			t = now() - t0;
		} while (t < secs);
		enc_ns[m] = t * 1e9 / (double)n;

		/* decode: secure frames must be decrypted with the matching
		 * nonce, so re-encode one per decode outside the clock */
		n = 0;
		t = 0;
		v2_crypto_free(&cli); /* both ends' nonces from the start */
		if (v2_crypto_init(&cli, secret, 64, true))
			exit(1);
		v2_rx_init(&rx, mode, &srv, NULL);
		do {
			for (int i = 0; i < 16; i++, n++) {
				if (mode == V2_MODE_SECURE &&
				    encode(&f, mode, &cli))
					exit(1);
				t0 = now();
				if (decode(&f, &rx))
					exit(1);
				t += now() - t0;
			}
		} while (t < secs);
		dec_ns[m] = t * 1e9 / (double)n;
		if (memcmp(f.dest[2], f.data, data_len))
			exit(1);
		printf("%-6s data %8zu: encode %10.0f ns (%6.2f GB/s)  decode "
		       "%10.0f ns (%6.2f GB/s)\n",
		       m ? "secure" : "crc", data_len, enc_ns[m],
		       (double)data_len / enc_ns[m], dec_ns[m],
		       (double)data_len / dec_ns[m]);
		v2_crypto_free(&cli);
		v2_crypto_free(&srv);
		for (int i = 0; i < 3; i++)
			free(f.dest[i]);
		free(f.data);
		free(f.wire);
	}
	printf("secure/crc at %zu: encode %.2fx, decode %.2fx\n", data_len,
	       enc_ns[1] / enc_ns[0], dec_ns[1] / dec_ns[0]);
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 0.3;

	run(4096, secs);
	run(4u << 20, secs);
	return 0;
}
