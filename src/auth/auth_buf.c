/* SPDX-License-Identifier: MIT */
#include "auth/auth_buf.h"

#include <string.h>

#include <openssl/crypto.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/encode.h"

void cephc_auth_buf_init(struct cephc_auth_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void cephc_auth_buf_reset(struct cephc_auth_buf *b)
{
	/* The old contents may be a connection secret: wipe them. */
	if (b->data && b->len)
		OPENSSL_cleanse(b->data, b->len);
	b->len = 0;
	b->err = 0;
}

void cephc_auth_buf_free(struct cephc_auth_buf *b)
{
	if (b->data) {
		OPENSSL_cleanse(b->data, b->cap);
		cephc_free(b->data);
	}
	memset(b, 0, sizeof(*b));
}

uint8_t *cephc_auth_buf_reserve(struct cephc_auth_buf *b, size_t n)
{
	uint8_t *p;

	if (b->err)
		return NULL;
	if (n > CEPHC_AUTH_BUF_MAX - b->len) {
		b->err = CEPHC_ETOOBIG;
		return NULL;
	}
	if (!b->data || b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		uint8_t *nd;

		while (cap < b->len + n)
			cap *= 2;
		/* Not realloc: the old block may hold keys and is wiped. */
		nd = cephc_malloc(cap);
		if (!nd) {
			b->err = CEPHC_ENOMEM;
			return NULL;
		}
		if (b->data) {
			memcpy(nd, b->data, b->len);
			OPENSSL_cleanse(b->data, b->cap);
			cephc_free(b->data);
		}
		b->data = nd;
		b->cap = cap;
	}
	p = b->data + b->len;
	b->len += n;
	return p;
}

void cephc_auth_buf_bytes(struct cephc_auth_buf *b, const void *p, size_t n)
{
	uint8_t *d = cephc_auth_buf_reserve(b, n);

	if (d && n)
		memcpy(d, p, n);
}

void cephc_auth_buf_u8(struct cephc_auth_buf *b, uint8_t v)
{
	cephc_auth_buf_bytes(b, &v, 1);
}

void cephc_auth_buf_le16(struct cephc_auth_buf *b, uint16_t v)
{
	uint8_t *d = cephc_auth_buf_reserve(b, 2);

	if (d)
		put_le16(d, v);
}

void cephc_auth_buf_le32(struct cephc_auth_buf *b, uint32_t v)
{
	uint8_t *d = cephc_auth_buf_reserve(b, 4);

	if (d)
		put_le32(d, v);
}

void cephc_auth_buf_le64(struct cephc_auth_buf *b, uint64_t v)
{
	uint8_t *d = cephc_auth_buf_reserve(b, 8);

	if (d)
		put_le64(d, v);
}

void cephc_auth_buf_blob(struct cephc_auth_buf *b, const void *p, size_t n)
{
	if (n > UINT32_MAX) {
		if (!b->err)
			b->err = CEPHC_ETOOBIG;
		return;
	}
	cephc_auth_buf_le32(b, (uint32_t)n);
	cephc_auth_buf_bytes(b, p, n);
}
