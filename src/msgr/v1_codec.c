/* SPDX-License-Identifier: MIT */
#include "msgr/v1_codec.h"

#include <string.h>

#include "core/crc32c.h"
#include "core/decode.h"
#include "core/encode.h"

/* Wire sizes are fixed by the protocol; catch any drift at compile time. */
_Static_assert(V1_CONNECT_LEN == 8 + 6 * 4 + 1, "connect is 33 bytes");
_Static_assert(V1_CONNECT_REPLY_LEN == 1 + 8 + 4 * 4 + 1,
	       "connect_reply is 26 bytes");
_Static_assert(V1_HEADER_LEN == 8 + 8 + 2 * 3 + 4 * 3 + 2 + 9 + 2 + 2 + 4,
	       "header is 53 bytes");
_Static_assert(V1_FOOTER_OLD_LEN == 3 * 4 + 1, "old footer is 13 bytes");
_Static_assert(V1_FOOTER_LEN == 3 * 4 + 8 + 1, "footer is 21 bytes");
_Static_assert(sizeof(V1_BANNER) - 1 == V1_BANNER_LEN, "banner is 9 bytes");

void v1_encode_client_hello(uint8_t out[V1_CLIENT_HELLO_LEN],
			    const struct cephc_entity_addr *me)
{
	struct cephc_enc e;

	enc_init(&e, out, V1_CLIENT_HELLO_LEN);
	enc_bytes(&e, V1_BANNER, V1_BANNER_LEN);
	cephc_addr_encode_legacy(&e, me);
}

void v1_encode_server_hello(uint8_t out[V1_SERVER_HELLO_LEN],
			    const struct cephc_entity_addr *me,
			    const struct cephc_entity_addr *peer_seen)
{
	struct cephc_enc e;

	enc_init(&e, out, V1_SERVER_HELLO_LEN);
	enc_bytes(&e, V1_BANNER, V1_BANNER_LEN);
	cephc_addr_encode_legacy(&e, me);
	cephc_addr_encode_legacy(&e, peer_seen);
}

int v1_check_banner(const uint8_t *p)
{
	return memcmp(p, V1_BANNER, V1_BANNER_LEN) ? CEPHC_EBANNER : 0;
}

int v1_decode_server_hello(const uint8_t in[V1_SERVER_HELLO_LEN],
			   struct cephc_entity_addr *server,
			   struct cephc_entity_addr *me_seen)
{
	struct cephc_dec d;

	if (v1_check_banner(in))
		return CEPHC_EBANNER;
	dec_init(&d, in + V1_BANNER_LEN, V1_SERVER_HELLO_LEN - V1_BANNER_LEN);
	cephc_addr_decode_legacy(&d, server);
	cephc_addr_decode_legacy(&d, me_seen);
	return d.err;
}

int v1_decode_client_hello(const uint8_t in[V1_CLIENT_HELLO_LEN],
			   struct cephc_entity_addr *client)
{
	struct cephc_dec d;

	if (v1_check_banner(in))
		return CEPHC_EBANNER;
	dec_init(&d, in + V1_BANNER_LEN, CEPHC_ADDR_LEGACY_LEN);
	return cephc_addr_decode_legacy(&d, client);
}

void v1_encode_connect(uint8_t out[V1_CONNECT_LEN], const struct v1_connect *c)
{
	put_le64(out, c->features);
	put_le32(out + 8, c->host_type);
	put_le32(out + 12, c->global_seq);
	put_le32(out + 16, c->connect_seq);
	put_le32(out + 20, c->protocol_version);
	put_le32(out + 24, c->authorizer_protocol);
	put_le32(out + 28, c->authorizer_len);
	out[32] = c->flags;
}

void v1_decode_connect(const uint8_t in[V1_CONNECT_LEN], struct v1_connect *c)
{
	c->features = get_le64(in);
	c->host_type = get_le32(in + 8);
	c->global_seq = get_le32(in + 12);
	c->connect_seq = get_le32(in + 16);
	c->protocol_version = get_le32(in + 20);
	c->authorizer_protocol = get_le32(in + 24);
	c->authorizer_len = get_le32(in + 28);
	c->flags = in[32];
}

void v1_encode_connect_reply(uint8_t out[V1_CONNECT_REPLY_LEN],
			     const struct v1_connect_reply *r)
{
	out[0] = r->tag;
	put_le64(out + 1, r->features);
	put_le32(out + 9, r->global_seq);
	put_le32(out + 13, r->connect_seq);
	put_le32(out + 17, r->protocol_version);
	put_le32(out + 21, r->authorizer_len);
	out[25] = r->flags;
}

void v1_decode_connect_reply(const uint8_t in[V1_CONNECT_REPLY_LEN],
			     struct v1_connect_reply *r)
{
	r->tag = in[0];
	r->features = get_le64(in + 1);
	r->global_seq = get_le32(in + 9);
	r->connect_seq = get_le32(in + 13);
	r->protocol_version = get_le32(in + 17);
	r->authorizer_len = get_le32(in + 21);
	r->flags = in[25];
}

void v1_encode_header(uint8_t out[V1_HEADER_LEN], struct v1_header *h)
{
	put_le64(out, h->seq);
	put_le64(out + 8, h->tid);
	put_le16(out + 16, h->type);
	put_le16(out + 18, h->priority);
	put_le16(out + 20, h->version);
	put_le32(out + 22, h->front_len);
	put_le32(out + 26, h->middle_len);
	put_le32(out + 30, h->data_len);
	put_le16(out + 34, h->data_off);
	out[36] = h->src.type;
	put_le64(out + 37, h->src.num);
	put_le16(out + 45, h->compat_version);
	put_le16(out + 47, h->reserved);
	/* The crc covers everything before it, seq included. */
	h->crc = cephc_crc32c(0, out, V1_HEADER_CRC_SPAN);
	put_le32(out + 49, h->crc);
}

int v1_decode_header(const uint8_t in[V1_HEADER_LEN], struct v1_header *h)
{
	h->seq = get_le64(in);
	h->tid = get_le64(in + 8);
	h->type = get_le16(in + 16);
	h->priority = get_le16(in + 18);
	h->version = get_le16(in + 20);
	h->front_len = get_le32(in + 22);
	h->middle_len = get_le32(in + 26);
	h->data_len = get_le32(in + 30);
	h->data_off = get_le16(in + 34);
	h->src.type = in[36];
	h->src.num = get_le64(in + 37);
	h->compat_version = get_le16(in + 45);
	h->reserved = get_le16(in + 47);
	h->crc = get_le32(in + 49);
	if (cephc_crc32c(0, in, V1_HEADER_CRC_SPAN) != h->crc)
		return CEPHC_ECRC;
	return 0;
}

void v1_encode_footer(uint8_t *out, size_t len, const struct v1_footer *f)
{
	put_le32(out, f->front_crc);
	put_le32(out + 4, f->middle_crc);
	put_le32(out + 8, f->data_crc);
	if (len == V1_FOOTER_LEN) {
		put_le64(out + 12, f->sig);
		out[20] = f->flags;
	} else {
		out[12] = f->flags;
	}
}

void v1_decode_footer(const uint8_t *in, size_t len, struct v1_footer *f)
{
	f->front_crc = get_le32(in);
	f->middle_crc = get_le32(in + 4);
	f->data_crc = get_le32(in + 8);
	if (len == V1_FOOTER_LEN) {
		f->sig = get_le64(in + 12);
		f->flags = in[20];
	} else {
		/* The 13-byte form has no sig, even when SIGNED is set. */
		f->sig = 0;
		f->flags = in[12];
	}
}

const char *v1_tag_name(uint8_t tag)
{
	static const char *const names[] = {
	    [V1_TAG_READY] = "READY",
	    [V1_TAG_RESETSESSION] = "RESETSESSION",
	    [V1_TAG_WAIT] = "WAIT",
	    [V1_TAG_RETRY_SESSION] = "RETRY_SESSION",
	    [V1_TAG_RETRY_GLOBAL] = "RETRY_GLOBAL",
	    [V1_TAG_CLOSE] = "CLOSE",
	    [V1_TAG_MSG] = "MSG",
	    [V1_TAG_ACK] = "ACK",
	    [V1_TAG_KEEPALIVE] = "KEEPALIVE",
	    [V1_TAG_BADPROTOVER] = "BADPROTOVER",
	    [V1_TAG_BADAUTHORIZER] = "BADAUTHORIZER",
	    [V1_TAG_FEATURES] = "FEATURES",
	    [V1_TAG_SEQ] = "SEQ",
	    [V1_TAG_KEEPALIVE2] = "KEEPALIVE2",
	    [V1_TAG_KEEPALIVE2_ACK] = "KEEPALIVE2_ACK",
	    [V1_TAG_CHALLENGE_AUTHORIZER] = "CHALLENGE_AUTHORIZER",
	};

	if (tag < sizeof(names) / sizeof(names[0]) && names[tag])
		return names[tag];
	return "?";
}
