/* SPDX-License-Identifier: MIT */
#include "core/decode.h"

#include "core/alloc.h"

int dec_envelope(struct cephc_dec *d, uint8_t max_understood, uint8_t *struct_v,
		 struct cephc_dec *body)
{
	uint8_t v = dec_u8(d);
	uint8_t compat = dec_u8(d);
	uint32_t len = dec_le32(d);
	const uint8_t *p;

	body->p = body->end = d->end;
	body->err = 0;
	if (struct_v)
		*struct_v = v;
	if (d->err) {
		body->err = d->err;
		return d->err;
	}
	if (compat > max_understood) {
		dec_fail(d, CEPHC_ECOMPAT);
		body->err = d->err;
		return d->err;
	}
	p = dec_ptr(d, len);
	if (!p) {
		body->err = d->err;
		return d->err;
	}
	dec_init(body, p, len);
	return 0;
}

char *dec_string_dup(struct cephc_dec *d, uint32_t max)
{
	uint32_t len;
	const uint8_t *p = dec_blob(d, &len, max);
	char *s;

	if (!p)
		return NULL;
	s = cephc_strndup((const char *)p, len);
	if (!s)
		dec_fail(d, CEPHC_ENOMEM);
	return s;
}
