/* SPDX-License-Identifier: MIT */
#include "core/pagelist.h"

#include <string.h>

#include "core/alloc.h"
#include "core/encode.h"

static uint64_t payload_copied;

/* Returned by a zero-byte reserve on an empty pagelist: never written. */
static uint8_t pl_empty_reserve[1];

void cephc_payload_copy_account(size_t bytes)
{
	__atomic_add_fetch(&payload_copied, (uint64_t)bytes, __ATOMIC_RELAXED);
}

uint64_t cephc_payload_copy_bytes(void)
{
	return __atomic_load_n(&payload_copied, __ATOMIC_RELAXED);
}

void cephc_pagelist_init(struct cephc_pagelist *pl)
{
	pl->head = pl->tail = NULL;
	pl->length = 0;
	pl->npages = 0;
	pl->err = 0;
}

void cephc_pagelist_release(struct cephc_pagelist *pl)
{
	struct cephc_pl_page *pg = pl->head;

	while (pg) {
		struct cephc_pl_page *next = pg->pl_next;

		cephc_free(pg);
		pg = next;
	}
	cephc_pagelist_init(pl);
}

void cephc_pagelist_move(struct cephc_pagelist *dst, struct cephc_pagelist *src)
{
	*dst = *src;
	cephc_pagelist_init(src);
}

/* Start a fresh tail page; sets the sticky error on failure. */
static struct cephc_pl_page *pl_add_page(struct cephc_pagelist *pl)
{
	struct cephc_pl_page *pg;

	if (pl->err)
		return NULL;
	pg = cephc_malloc(sizeof(*pg));
	if (!pg) {
		pl->err = CEPHC_ENOMEM;
		return NULL;
	}
	pg->pl_next = NULL;
	pg->pl_len = 0;
	if (pl->tail)
		pl->tail->pl_next = pg;
	else
		pl->head = pg;
	pl->tail = pg;
	pl->npages++;
	return pg;
}

static size_t pl_tail_room(const struct cephc_pagelist *pl)
{
	return pl->tail ? CEPHC_PAGE_SIZE - pl->tail->pl_len : 0;
}

/* Append len bytes from data, or zeroes when data is NULL. */
static int pl_put(struct cephc_pagelist *pl, const void *data, size_t len)
{
	const uint8_t *src = data;

	while (len && !pl->err) {
		size_t room = pl_tail_room(pl);
		size_t n;

		if (!room) {
			if (!pl_add_page(pl))
				break;
			room = CEPHC_PAGE_SIZE;
		}
		n = len < room ? len : room;
		if (src) {
			memcpy(pl->tail->pl_data + pl->tail->pl_len, src, n);
			src += n;
		} else {
			memset(pl->tail->pl_data + pl->tail->pl_len, 0, n);
		}
		pl->tail->pl_len += n;
		pl->length += n;
		len -= n;
	}
	return pl->err;
}

int cephc_pagelist_append(struct cephc_pagelist *pl, const void *data,
			  size_t len)
{
	if (!data && len && !pl->err)
		pl->err = CEPHC_EINVAL;
	return pl_put(pl, data, len);
}

int cephc_pagelist_append_zeros(struct cephc_pagelist *pl, size_t len)
{
	return pl_put(pl, NULL, len);
}

uint8_t *cephc_pagelist_reserve(struct cephc_pagelist *pl, size_t n)
{
	uint8_t *p;

	if (pl->err)
		return NULL;
	if (n > CEPHC_PAGE_SIZE) {
		pl->err = CEPHC_EINVAL;
		return NULL;
	}
	/*
	 * The reserved bytes must be contiguous so that the caller can write
	 * them through one pointer: start a new page rather than split.
	 */
	if (pl_tail_room(pl) < n && !pl_add_page(pl))
		return NULL;
	if (!pl->tail) /* n == 0 on an empty list: nothing to write */
		return pl_empty_reserve;
	p = pl->tail->pl_data + pl->tail->pl_len;
	memset(p, 0, n);
	pl->tail->pl_len += n;
	pl->length += n;
	return p;
}

void cephc_pagelist_encode_u8(struct cephc_pagelist *pl, uint8_t v)
{
	pl_put(pl, &v, 1);
}

void cephc_pagelist_encode_le16(struct cephc_pagelist *pl, uint16_t v)
{
	uint8_t b[2];

	put_le16(b, v);
	pl_put(pl, b, sizeof(b));
}

void cephc_pagelist_encode_le32(struct cephc_pagelist *pl, uint32_t v)
{
	uint8_t b[4];

	put_le32(b, v);
	pl_put(pl, b, sizeof(b));
}

void cephc_pagelist_encode_le64(struct cephc_pagelist *pl, uint64_t v)
{
	uint8_t b[8];

	put_le64(b, v);
	pl_put(pl, b, sizeof(b));
}

void cephc_pagelist_encode_blob(struct cephc_pagelist *pl, const void *data,
				uint32_t len)
{
	cephc_pagelist_encode_le32(pl, len);
	cephc_pagelist_append(pl, data, len);
}

void cephc_pagelist_encode_string(struct cephc_pagelist *pl, const char *s)
{
	size_t n = strlen(s);

	/* A Ceph string carries a le32 length; longer cannot be encoded. */
	if (n > UINT32_MAX) {
		if (!pl->err)
			pl->err = CEPHC_EINVAL;
		return;
	}
	cephc_pagelist_encode_blob(pl, s, (uint32_t)n);
}

struct cephc_pl_envelope
cephc_pagelist_envelope_begin(struct cephc_pagelist *pl, uint8_t struct_v,
			      uint8_t struct_compat)
{
	struct cephc_pl_envelope env;

	cephc_pagelist_encode_u8(pl, struct_v);
	cephc_pagelist_encode_u8(pl, struct_compat);
	/* struct_len is known only at the end: keep a pointer to it. */
	env.lenp = cephc_pagelist_reserve(pl, 4);
	env.body_start = pl->length;
	return env;
}

void cephc_pagelist_envelope_end(struct cephc_pagelist *pl,
				 struct cephc_pl_envelope env)
{
	size_t body;

	if (pl->err || !env.lenp)
		return;
	body = pl->length - env.body_start;
	if (body > UINT32_MAX) {
		pl->err = CEPHC_EOVERFLOW;
		return;
	}
	put_le32(env.lenp, (uint32_t)body);
}

int cephc_pagelist_copy_out(const struct cephc_pagelist *pl, size_t off,
			    void *dst, size_t len)
{
	const struct cephc_pl_page *pg = pl->head;
	uint8_t *out = dst;

	if (off > pl->length || len > pl->length - off)
		return CEPHC_EINVAL;
	cephc_payload_copy_account(len);
	/* Pages may be partly used (reserve), so walk by each page's pl_len. */
	while (pg && off >= pg->pl_len) {
		off -= pg->pl_len;
		pg = pg->pl_next;
	}
	while (len) {
		size_t n = pg->pl_len - off;

		if (n > len)
			n = len;
		memcpy(out, pg->pl_data + off, n);
		out += n;
		len -= n;
		off = 0;
		pg = pg->pl_next;
	}
	return 0;
}
