/* SPDX-License-Identifier: MIT */
/*
 * Bounds-checked decode cursor with a sticky error.
 *
 * A cursor always knows where its buffer ends.  Every read checks the bytes
 * left; the first failure sets d->err, moves the cursor to the end, and all
 * later reads return zeroes, so a decoder may read many fields and test
 * d->err once.  Nothing here allocates except dec_string_dup().
 *
 * Ceph wire integers are little-endian; these helpers convert to host order.
 */
#ifndef CEPHC_CORE_DECODE_H
#define CEPHC_CORE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cephc/errors.h"

struct cephc_dec {
	const uint8_t *p;
	const uint8_t *end;
	int err; /* first error seen; 0 while every read has fit */
};

/* buf may be NULL with len 0 (a message with an empty front has no
 * buffer): NULL + 0 is undefined in C, so it is not computed. */
static inline void dec_init(struct cephc_dec *d, const void *buf, size_t len)
{
	d->p = (const uint8_t *)buf;
	d->end = buf ? d->p + len : d->p;
	d->err = 0;
}

static inline size_t dec_left(const struct cephc_dec *d)
{
	return (size_t)(d->end - d->p);
}

/* Record err (if none yet) and exhaust the cursor.  Returns d->err. */
static inline int dec_fail(struct cephc_dec *d, int err)
{
	if (!d->err)
		d->err = err;
	d->p = d->end;
	return d->err;
}

/* True when n more bytes are available; otherwise fails with EDECODE. */
static inline bool dec_need(struct cephc_dec *d, size_t n)
{
	if (d->err)
		return false;
	if (n > dec_left(d)) {
		dec_fail(d, CEPHC_EDECODE);
		return false;
	}
	return true;
}

static inline uint8_t dec_u8(struct cephc_dec *d)
{
	if (!dec_need(d, 1))
		return 0;
	return *d->p++;
}

static inline bool dec_bool(struct cephc_dec *d)
{
	return dec_u8(d) != 0;
}

static inline uint16_t dec_le16(struct cephc_dec *d)
{
	uint16_t v;

	if (!dec_need(d, 2))
		return 0;
	v = (uint16_t)(d->p[0] | (uint16_t)d->p[1] << 8);
	d->p += 2;
	return v;
}

static inline uint32_t dec_le32(struct cephc_dec *d)
{
	uint32_t v;

	if (!dec_need(d, 4))
		return 0;
	v = (uint32_t)d->p[0] | (uint32_t)d->p[1] << 8 |
	    (uint32_t)d->p[2] << 16 | (uint32_t)d->p[3] << 24;
	d->p += 4;
	return v;
}

static inline uint64_t dec_le64(struct cephc_dec *d)
{
	uint64_t lo = dec_le32(d);
	uint64_t hi = dec_le32(d);

	return lo | hi << 32;
}

static inline int32_t dec_s32(struct cephc_dec *d)
{
	return (int32_t)dec_le32(d);
}

static inline int64_t dec_s64(struct cephc_dec *d)
{
	return (int64_t)dec_le64(d);
}

/* A view of the next n bytes (no copy), or NULL on failure. */
static inline const uint8_t *dec_ptr(struct cephc_dec *d, size_t n)
{
	const uint8_t *p;

	if (!dec_need(d, n))
		return NULL;
	p = d->p;
	d->p += n;
	return p;
}

static inline void dec_copy(struct cephc_dec *d, void *dst, size_t n)
{
	const uint8_t *p = dec_ptr(d, n);

	if (p)
		memcpy(dst, p, n);
	else
		memset(dst, 0, n);
}

static inline void dec_skip(struct cephc_dec *d, size_t n)
{
	(void)dec_ptr(d, n);
}

/*
 * le32 length + bytes (Ceph string / bufferlist).  Fails with ETOOBIG when
 * the length exceeds max, EDECODE when it exceeds the bytes left.  Returns a
 * view (not NUL-terminated) and sets *len; NULL with *len = 0 on failure.
 */
static inline const uint8_t *dec_blob(struct cephc_dec *d, uint32_t *len,
				      uint32_t max)
{
	uint32_t n = dec_le32(d);
	const uint8_t *p;

	*len = 0;
	if (d->err)
		return NULL;
	if (n > max) {
		dec_fail(d, CEPHC_ETOOBIG);
		return NULL;
	}
	p = dec_ptr(d, n);
	if (p)
		*len = n;
	return p;
}

/*
 * An element count that a decoder will loop over or allocate for.  Checks
 * count <= max and that count elements of at least min_elem_size bytes fit
 * in what is left, so an allocation sized by the count is bounded by the
 * input.  Returns 0 on failure (with d->err set).
 */
static inline uint32_t dec_count(struct cephc_dec *d, uint32_t max,
				 size_t min_elem_size)
{
	uint32_t n = dec_le32(d);

	if (d->err)
		return 0;
	if (n > max) {
		dec_fail(d, CEPHC_ETOOBIG);
		return 0;
	}
	if (min_elem_size && (uint64_t)n * min_elem_size > dec_left(d)) {
		dec_fail(d, CEPHC_EDECODE);
		return 0;
	}
	return n;
}

/*
 * Ceph's versioned envelope: u8 struct_v, u8 struct_compat, le32 struct_len,
 * then struct_len bytes of body.  On success *body is a cursor bounded to the
 * body, *struct_v is set, and the parent cursor has already moved past the
 * whole body, so fields a newer encoder appended are skipped whatever the
 * caller reads.  Refuses (ECOMPAT) a compat version newer than
 * max_understood.  Errors inside *body are the caller's to check
 * (body->err); use dec_envelope_end() to fold them into the parent.
 */
int dec_envelope(struct cephc_dec *d, uint8_t max_understood, uint8_t *struct_v,
		 struct cephc_dec *body);

/* Propagate a body cursor's error into its parent; returns parent->err. */
static inline int dec_envelope_end(struct cephc_dec *parent,
				   const struct cephc_dec *body)
{
	if (body->err)
		dec_fail(parent, body->err);
	return parent->err;
}

/*
 * dec_blob() copied into a freshly allocated NUL-terminated string; NULL on
 * failure (d->err set, or ENOMEM recorded in d->err).
 */
char *dec_string_dup(struct cephc_dec *d, uint32_t max);

#endif /* CEPHC_CORE_DECODE_H */
