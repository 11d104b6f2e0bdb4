/* SPDX-License-Identifier: MIT */
/*
 * Fixed-buffer encoder with a sticky error, the mirror of decode.h.  Used for
 * small wire images (headers, footers, handshake structs) whose maximum size
 * is known.  Data of unknown size goes into a pagelist (core/pagelist.h).
 * Running out of room sets e->err = CEPHC_EOVERFLOW and drops later writes.
 */
#ifndef CEPHC_CORE_ENCODE_H
#define CEPHC_CORE_ENCODE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cephc/errors.h"

struct cephc_enc {
	uint8_t *start;
	uint8_t *p;
	uint8_t *end;
	int err;
};

static inline void enc_init(struct cephc_enc *e, void *buf, size_t cap)
{
	e->start = e->p = (uint8_t *)buf;
	e->end = e->p + cap;
	e->err = 0;
}

static inline size_t enc_len(const struct cephc_enc *e)
{
	return (size_t)(e->p - e->start);
}

/* Reserve n bytes; NULL (and e->err set) when they do not fit. */
static inline uint8_t *enc_reserve(struct cephc_enc *e, size_t n)
{
	uint8_t *p;

	if (e->err)
		return NULL;
	if (n > (size_t)(e->end - e->p)) {
		e->err = CEPHC_EOVERFLOW;
		return NULL;
	}
	p = e->p;
	e->p += n;
	return p;
}

static inline void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

static inline uint16_t get_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (uint16_t)p[1] << 8);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static inline void enc_u8(struct cephc_enc *e, uint8_t v)
{
	uint8_t *p = enc_reserve(e, 1);

	if (p)
		*p = v;
}

static inline void enc_le16(struct cephc_enc *e, uint16_t v)
{
	uint8_t *p = enc_reserve(e, 2);

	if (p)
		put_le16(p, v);
}

static inline void enc_le32(struct cephc_enc *e, uint32_t v)
{
	uint8_t *p = enc_reserve(e, 4);

	if (p)
		put_le32(p, v);
}

static inline void enc_le64(struct cephc_enc *e, uint64_t v)
{
	uint8_t *p = enc_reserve(e, 8);

	if (p)
		put_le64(p, v);
}

static inline void enc_bytes(struct cephc_enc *e, const void *src, size_t n)
{
	uint8_t *p = enc_reserve(e, n);

	if (p && n)
		memcpy(p, src, n);
}

static inline void enc_zeros(struct cephc_enc *e, size_t n)
{
	uint8_t *p = enc_reserve(e, n);

	if (p && n)
		memset(p, 0, n);
}

/* le32 length + bytes (Ceph string / bufferlist). */
static inline void enc_blob(struct cephc_enc *e, const void *src, uint32_t n)
{
	enc_le32(e, n);
	enc_bytes(e, src, n);
}

static inline void enc_string(struct cephc_enc *e, const char *s)
{
	enc_blob(e, s, (uint32_t)strlen(s));
}

/*
 * Versioned envelope: writes struct_v, compat and a length placeholder;
 * returns the placeholder's offset for enc_envelope_end(), which fills in
 * the body length once the body has been written.
 */
static inline size_t enc_envelope_begin(struct cephc_enc *e, uint8_t v,
					uint8_t compat)
{
	enc_u8(e, v);
	enc_u8(e, compat);
	enc_le32(e, 0);
	return enc_len(e) - 4;
}

static inline void enc_envelope_end(struct cephc_enc *e, size_t len_off)
{
	if (e->err)
		return;
	put_le32(e->start + len_off, (uint32_t)(enc_len(e) - len_off - 4));
}

#endif /* CEPHC_CORE_ENCODE_H */
