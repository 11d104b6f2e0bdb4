/* SPDX-License-Identifier: MIT */
/*
 * msgr2.1 control-frame bodies (src/msgr/v2_body.c) and the client state
 * machine (src/msgr/v2_proto.c) on arbitrary bytes.
 *
 * Input byte 0, bit 0:
 *   0  the rest goes to every body decoder;
 *   1  the rest is a script of server frames, each u8 tag, le16 length,
 *      that many bytes of segment 0 (a MESSAGE gets a second segment of
 *      the same bytes), wrapped in valid crc-mode framing after a valid
 *      banner and fed to a client (auth none, crc mode) in chunks of
 *      1 << (bits 1-4 of byte 0) bytes; the client's output is drained.
 * It must end in READY, a fault with a reason, or waiting; never crash,
 * overrun or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "cephc/errors.h"
#include "core/encode.h"
#include "msgr/v2_body.h"
#include "msgr/v2_proto.h"

static void bodies(const uint8_t *p, size_t n)
{
	struct v2_hello h;
	struct v2_auth_request r;
	struct v2_auth_bad_method b;
	struct v2_auth_done d;
	struct v2_server_ident s;
	struct v2_header2 h2;
	const uint8_t *pl;
	uint32_t pll, a, c;
	uint64_t v;

	(void)v2_hello_decode(p, n, &h);
	(void)v2_auth_request_decode(p, n, &r);
	(void)v2_auth_bad_method_decode(p, n, &b);
	if (!v2_auth_more_decode(p, n, &pl, &pll) && pll)
		v = pl[pll - 1]; /* the view must be inside the input */
	if (!v2_auth_done_decode(p, n, &d) && d.payload_len)
		v = d.payload[d.payload_len - 1];
	(void)v2_server_ident_decode(p, n, &s);
	(void)v2_u64_decode(p, n, &v);
	(void)v2_stamp_decode(p, n, &a, &c);
	(void)v2_header2_decode(p, n, &h2);
}

static size_t add_frame(uint8_t *out, size_t cap, uint8_t tag, const uint8_t *p,
			size_t n)
{
	struct iovec iov = {(void *)p, n}, o[8];
	struct v2_frame_desc d = {.tag = tag, .nseg = 1};
	struct v2_tx_crc tx;
	size_t cnt, len = 0;

	d.seg[0] = (struct v2_seg_src){&iov, 1, V2_ALIGN_CONTROL};
	if (tag == V2_TAG_MESSAGE) {
		d.nseg = 2;
		d.seg[1] = d.seg[0];
	}
	if (v2_frame_wire_len(&d, V2_MODE_CRC) > cap ||
	    v2_encode_crc(&d, &tx, o, 8, &cnt))
		return 0;
	for (size_t i = 0; i < cnt; i++) {
		memcpy(out + len, o[i].iov_base, o[i].iov_len);
		len += o[i].iov_len;
	}
	return len;
}

static void script(const uint8_t *p, size_t n, size_t chunk)
{
	static uint8_t stream[1 << 18];
	static uint8_t front[4096];
	struct cephc_auth_params ap = {.name_type = CEPHC_ENTITY_CLIENT,
				       .name_id = "admin"};
	struct v2p_config cfg = {.peer_type = CEPHC_ENTITY_MON,
				 .modes = {V2_MODE_CRC},
				 .nmodes = 1,
				 .features = ~0ull,
				 .addr_nonce = 1,
				 .client_cookie = 1,
				 .global_seq = 1};
	struct cephc_auth *a = cephc_auth_create(&ap);
	struct v2p v;
	struct iovec fi; /* must outlive the message: the decoder keeps it */
	const uint8_t *d;
	size_t len = V2_BANNER_LEN, off = 0, used;
	int ev = V2P_EV_NEED_MORE;

	if (!a)
		return;
	v2_banner_encode(stream, 1, 0);
	while (n >= 3) {
		size_t l = get_le16(p + 1);

		if (l > n - 3)
			l = n - 3;
		len += add_frame(stream + len, sizeof(stream) - len, p[0],
				 p + 3, l);
		p += 3 + l;
		n -= 3 + l;
	}
	cephc_addr_parse("v2:127.0.0.1:3300", &cfg.peer_addr, 3300);
	cfg.auth = a;
	if (v2p_init(&v, &cfg, 1) || v2p_connected(&v, 1))
		abort();
	while (off < len || ev == V2P_EV_MSG_SIZES) {
		size_t k = len - off < chunk ? len - off : chunk;

		ev = v2p_feed(&v, stream + off, k, &used, 2);
		if (used > k)
			abort();
		off += used;
		if (ev == V2P_EV_MSG_SIZES) {
			const struct iovec *iov[3] = {&fi, NULL, NULL};
			size_t cnt[3] = {1, 0, 0};

			fi = (struct iovec){front, v.msg_len[0]};
			if (v.msg_len[0] <= sizeof(front) &&
			    v2p_set_msg_buffers(&v, iov, cnt))
				abort();
		}
		if (ev == V2P_EV_FAULT) {
			if (!v.fault_reason[0] || v.fault_err >= 0)
				abort();
			break;
		}
		v2p_tx_consumed(&v, v2p_tx_pending(&v, &d));
	}
	(void)v2p_timer(&v, 100000);
	v2p_free(&v);
	cephc_auth_destroy(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		script(data + 1, size - 1, (size_t)1 << ((data[0] >> 1) & 15));
	else
		bodies(data + 1, size - 1);
	return 0;
}
