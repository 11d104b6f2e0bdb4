/* SPDX-License-Identifier: MIT */
/*
 * A small growable byte buffer for auth payloads (requests, authorizers).
 * The caller owns it: init once, reuse across requests (reset keeps the
 * memory), free at the end.  Appends have a sticky error like the core
 * cursors: after the first failure (ENOMEM, or the buffer would pass
 * CEPHC_AUTH_BUF_MAX) later appends are dropped and b->err stays set.
 * Auth payloads are small (hundreds of bytes to a few KiB with caps), so
 * this is deliberately simple and independent of the pagelist type.
 */
#ifndef CEPHC_AUTH_AUTH_BUF_H
#define CEPHC_AUTH_AUTH_BUF_H

#include <stddef.h>
#include <stdint.h>

/* No auth payload we build comes near this; it bounds a runaway caller. */
#define CEPHC_AUTH_BUF_MAX (1u << 20)

struct cephc_auth_buf {
	uint8_t *data; /* owned; NULL until the first append */
	size_t len;    /* bytes written */
	size_t cap;    /* bytes allocated */
	int err;       /* first error (0 or CEPHC_ENOMEM / CEPHC_ETOOBIG) */
};

void cephc_auth_buf_init(struct cephc_auth_buf *b);
/* Wipe and forget the contents and the error, keep the allocation. */
void cephc_auth_buf_reset(struct cephc_auth_buf *b);
/* Release the memory (the contents are wiped: they may hold key material). */
void cephc_auth_buf_free(struct cephc_auth_buf *b);

/* Append n uninitialised bytes; returns where to write them or NULL. */
uint8_t *cephc_auth_buf_reserve(struct cephc_auth_buf *b, size_t n);
void cephc_auth_buf_bytes(struct cephc_auth_buf *b, const void *p, size_t n);
void cephc_auth_buf_u8(struct cephc_auth_buf *b, uint8_t v);
void cephc_auth_buf_le16(struct cephc_auth_buf *b, uint16_t v);
void cephc_auth_buf_le32(struct cephc_auth_buf *b, uint32_t v);
void cephc_auth_buf_le64(struct cephc_auth_buf *b, uint64_t v);
/* le32 length + bytes (Ceph bufferlist / string). */
void cephc_auth_buf_blob(struct cephc_auth_buf *b, const void *p, size_t n);

#endif /* CEPHC_AUTH_AUTH_BUF_H */
