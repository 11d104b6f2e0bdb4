/* SPDX-License-Identifier: MIT */
/* msgr2.1 control-frame bodies and header2 (see v2_body.h). */
#include "msgr/v2_body.h"

#include <string.h>

#include "cephc/errors.h"
#include "core/decode.h"

static int dec_done(const struct cephc_dec *d)
{
	return d->err;
}

void v2_hello_encode(struct cephc_enc *e, const struct v2_hello *h)
{
	enc_u8(e, h->entity_type);
	cephc_addr_encode_new(e, &h->addr);
}

int v2_hello_decode(const uint8_t *p, size_t len, struct v2_hello *h)
{
	struct cephc_dec d;

	memset(h, 0, sizeof(*h));
	dec_init(&d, p, len);
	h->entity_type = dec_u8(&d);
	if (d.err)
		return d.err;
	return cephc_addr_decode(&d, &h->addr);
}

static void enc_list(struct cephc_enc *e, const uint32_t *v, uint32_t n)
{
	if (n > V2_AUTH_LIST_MAX) {
		if (!e->err)
			e->err = CEPHC_EINVAL;
		return;
	}
	enc_le32(e, n);
	for (uint32_t i = 0; i < n; i++)
		enc_le32(e, v[i]);
}

static uint32_t dec_list(struct cephc_dec *d, uint32_t *v)
{
	uint32_t n = dec_count(d, V2_AUTH_LIST_MAX, 4);

	for (uint32_t i = 0; i < n; i++)
		v[i] = dec_le32(d);
	return n;
}

void v2_auth_request_encode(struct cephc_enc *e,
			    const struct v2_auth_request *r)
{
	enc_le32(e, r->method);
	enc_list(e, r->modes, r->nmodes);
	enc_blob(e, r->payload, r->payload_len);
}

int v2_auth_request_decode(const uint8_t *p, size_t len,
			   struct v2_auth_request *r)
{
	struct cephc_dec d;

	memset(r, 0, sizeof(*r));
	dec_init(&d, p, len);
	r->method = dec_le32(&d);
	r->nmodes = dec_list(&d, r->modes);
	r->payload = dec_blob(&d, &r->payload_len, V2_AUTH_PAYLOAD_MAX);
	return dec_done(&d);
}

void v2_auth_bad_method_encode(struct cephc_enc *e,
			       const struct v2_auth_bad_method *b)
{
	enc_le32(e, b->method);
	enc_le32(e, (uint32_t)b->result);
	enc_list(e, b->methods, b->nmethods);
	enc_list(e, b->modes, b->nmodes);
}

int v2_auth_bad_method_decode(const uint8_t *p, size_t len,
			      struct v2_auth_bad_method *b)
{
	struct cephc_dec d;

	memset(b, 0, sizeof(*b));
	dec_init(&d, p, len);
	b->method = dec_le32(&d);
	b->result = dec_s32(&d);
	b->nmethods = dec_list(&d, b->methods);
	b->nmodes = dec_list(&d, b->modes);
	return dec_done(&d);
}

void v2_auth_more_encode(struct cephc_enc *e, const void *payload, uint32_t len)
{
	enc_blob(e, payload, len);
}

int v2_auth_more_decode(const uint8_t *p, size_t len, const uint8_t **payload,
			uint32_t *payload_len)
{
	struct cephc_dec d;

	dec_init(&d, p, len);
	*payload = dec_blob(&d, payload_len, V2_AUTH_PAYLOAD_MAX);
	return dec_done(&d);
}

void v2_auth_done_encode(struct cephc_enc *e, const struct v2_auth_done *a)
{
	enc_le64(e, a->global_id);
	enc_le32(e, a->con_mode);
	enc_blob(e, a->payload, a->payload_len);
}

int v2_auth_done_decode(const uint8_t *p, size_t len, struct v2_auth_done *a)
{
	struct cephc_dec d;

	memset(a, 0, sizeof(*a));
	dec_init(&d, p, len);
	a->global_id = dec_le64(&d);
	a->con_mode = dec_le32(&d);
	a->payload = dec_blob(&d, &a->payload_len, V2_AUTH_PAYLOAD_MAX);
	return dec_done(&d);
}

void v2_client_ident_encode(struct cephc_enc *e,
			    const struct v2_client_ident *c)
{
	enc_u8(e, 2); /* addrvec marker */
	enc_le32(e, 1);
	cephc_addr_encode_new(e, &c->me);
	cephc_addr_encode_new(e, &c->target);
	enc_le64(e, c->global_id);
	enc_le64(e, c->global_seq);
	enc_le64(e, c->features);
	enc_le64(e, c->required);
	enc_le64(e, c->flags);
	enc_le64(e, c->cookie);
}

void v2_server_ident_encode(struct cephc_enc *e,
			    const struct v2_server_ident *s)
{
	enc_u8(e, 2);
	enc_le32(e, s->naddrs);
	for (uint32_t i = 0; i < s->naddrs; i++)
		cephc_addr_encode_new(e, &s->addrs[i]);
	enc_le64(e, (uint64_t)s->global_id);
	enc_le64(e, s->global_seq);
	enc_le64(e, s->features);
	enc_le64(e, s->required);
	enc_le64(e, s->flags);
	enc_le64(e, s->cookie);
}

int v2_server_ident_decode(const uint8_t *p, size_t len,
			   struct v2_server_ident *s)
{
	struct cephc_dec d;
	int err;

	memset(s, 0, sizeof(*s));
	dec_init(&d, p, len);
	err = cephc_addrvec_decode(&d, s->addrs, CEPHC_ADDRVEC_MAX, &s->naddrs);
	if (err)
		return err;
	s->global_id = dec_s64(&d);
	s->global_seq = dec_le64(&d);
	s->features = dec_le64(&d);
	s->required = dec_le64(&d);
	s->flags = dec_le64(&d);
	s->cookie = dec_le64(&d);
	return dec_done(&d);
}

int v2_u64_decode(const uint8_t *p, size_t len, uint64_t *v)
{
	struct cephc_dec d;

	dec_init(&d, p, len);
	*v = dec_le64(&d);
	return dec_done(&d);
}

int v2_stamp_decode(const uint8_t *p, size_t len, uint32_t *sec, uint32_t *nsec)
{
	struct cephc_dec d;

	dec_init(&d, p, len);
	*sec = dec_le32(&d);
	*nsec = dec_le32(&d);
	return dec_done(&d);
}

void v2_header2_encode(uint8_t out[V2_HEADER2_LEN], const struct v2_header2 *h)
{
	put_le64(out, h->seq);
	put_le64(out + 8, h->tid);
	put_le16(out + 16, h->type);
	put_le16(out + 18, h->priority);
	put_le16(out + 20, h->version);
	put_le32(out + 22, h->data_pre_padding_len);
	put_le16(out + 26, h->data_off);
	put_le64(out + 28, h->ack_seq);
	out[36] = h->flags;
	put_le16(out + 37, h->compat_version);
	put_le16(out + 39, 0);
}

int v2_header2_decode(const uint8_t *p, size_t len, struct v2_header2 *h)
{
	if (len < V2_HEADER2_LEN)
		return CEPHC_EDECODE;
	h->seq = get_le64(p);
	h->tid = get_le64(p + 8);
	h->type = get_le16(p + 16);
	h->priority = get_le16(p + 18);
	h->version = get_le16(p + 20);
	h->data_pre_padding_len = get_le32(p + 22);
	h->data_off = get_le16(p + 26);
	h->ack_seq = get_le64(p + 28);
	h->flags = p[36];
	h->compat_version = get_le16(p + 37);
	return 0;
}
