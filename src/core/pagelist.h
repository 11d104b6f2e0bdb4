/* SPDX-License-Identifier: MIT */
/*
 * Pagelist: a growable, owned chain of fixed-size pages, used to encode data
 * whose size is not known in advance (op payloads, cls call input, xattr
 * values, mon command bodies).  Bytes are appended at the tail; pages never
 * move once allocated, so a pointer returned by cephc_pagelist_reserve() stays
 * valid until the pagelist is released and can be filled in later (lengths,
 * counts).
 *
 * Errors are sticky like struct cephc_enc: the first failed allocation sets
 * pl->err = CEPHC_ENOMEM and every later write is dropped, so an encoder may
 * write many fields and check pl->err (or cephc_pagelist_err()) once.
 *
 * Ownership: the struct is caller storage (embed it anywhere); the pages are
 * owned by the pagelist and freed by cephc_pagelist_release().  Ownership can
 * be handed off without copying: cephc_pagelist_move() and
 * cephc_msg_data_add_pagelist() (core/msg_data.h) take the pages and leave
 * the source empty.  Not thread-safe; one owner at a time.
 *
 * This header also holds the payload copy counter shared by every buffer
 * type (see cephc_payload_copy_account()).
 */
#ifndef CEPHC_CORE_PAGELIST_H
#define CEPHC_CORE_PAGELIST_H

#include <stddef.h>
#include <stdint.h>

#include "cephc/errors.h"

/* Size of one page of every buffer type (pagelist, page vector). */
#define CEPHC_PAGE_SIZE 4096

/* One page of a pagelist; pl_len bytes of pl_data are in use. */
struct cephc_pl_page {
	struct cephc_pl_page *pl_next;
	size_t pl_len;
	uint8_t pl_data[CEPHC_PAGE_SIZE];
};

struct cephc_pagelist {
	struct cephc_pl_page *head; /* first page, NULL when empty */
	struct cephc_pl_page *tail; /* page being appended to */
	size_t length;              /* total bytes in use over all pages */
	size_t npages;
	int err; /* sticky: first error (CEPHC_ENOMEM / CEPHC_EINVAL) */
};

/* Empty pagelist; allocates nothing. */
void cephc_pagelist_init(struct cephc_pagelist *pl);

/* Free every page and return to the empty state (err cleared). */
void cephc_pagelist_release(struct cephc_pagelist *pl);

/*
 * Hand the pages of src to dst without copying; src is left empty (err 0).
 * dst must not own pages (freshly initialised or released); its previous
 * content is overwritten.  dst->err takes src->err.
 */
void cephc_pagelist_move(struct cephc_pagelist *dst,
			 struct cephc_pagelist *src);

static inline size_t cephc_pagelist_length(const struct cephc_pagelist *pl)
{
	return pl->length;
}

static inline int cephc_pagelist_err(const struct cephc_pagelist *pl)
{
	return pl->err;
}

/* Append len bytes (crossing pages as needed).  Returns pl->err. */
int cephc_pagelist_append(struct cephc_pagelist *pl, const void *data,
			  size_t len);

/* Append len zero bytes.  Returns pl->err. */
int cephc_pagelist_append_zeros(struct cephc_pagelist *pl, size_t len);

/*
 * Reserve n contiguous bytes (n <= CEPHC_PAGE_SIZE) at the tail and return
 * a pointer to them, to be filled in later (for example a length known only
 * after the body is encoded; use put_le32() from core/encode.h).  When the
 * tail page has less than n bytes free a new page is started; the unused
 * end of the old page is simply not part of the data.  The bytes are zeroed.
 * The pointer is valid until cephc_pagelist_release() (also after a move:
 * pages never move).  NULL on error (pl->err set; EINVAL for n too large).
 */
uint8_t *cephc_pagelist_reserve(struct cephc_pagelist *pl, size_t n);

/* Little-endian integers and Ceph length-prefixed data (sticky errors). */
void cephc_pagelist_encode_u8(struct cephc_pagelist *pl, uint8_t v);
void cephc_pagelist_encode_le16(struct cephc_pagelist *pl, uint16_t v);
void cephc_pagelist_encode_le32(struct cephc_pagelist *pl, uint32_t v);
void cephc_pagelist_encode_le64(struct cephc_pagelist *pl, uint64_t v);
/* le32 length + bytes (Ceph string / bufferlist). */
void cephc_pagelist_encode_blob(struct cephc_pagelist *pl, const void *data,
				uint32_t len);
void cephc_pagelist_encode_string(struct cephc_pagelist *pl, const char *s);

/*
 * Ceph's versioned envelope: u8 struct_v, u8 struct_compat, le32 struct_len
 * (bytes of body that follow).  begin writes the header with a placeholder
 * length and returns a handle; end fills in the body length once the body
 * has been appended.  Envelopes nest.  Readable by dec_envelope().
 */
struct cephc_pl_envelope {
	uint8_t *lenp;     /* the reserved le32 struct_len, NULL on error */
	size_t body_start; /* pagelist length where the body begins */
};

struct cephc_pl_envelope
cephc_pagelist_envelope_begin(struct cephc_pagelist *pl, uint8_t struct_v,
			      uint8_t struct_compat);
void cephc_pagelist_envelope_end(struct cephc_pagelist *pl,
				 struct cephc_pl_envelope env);

/*
 * Copy len bytes starting at byte offset off out to dst (for tests and for
 * decoding small encoded results).  Returns 0, or CEPHC_EINVAL when the
 * range is outside the data.  Counted by the payload copy counter.
 */
int cephc_pagelist_copy_out(const struct cephc_pagelist *pl, size_t off,
			    void *dst, size_t len);

/*
 * Payload copy counter (debug/proof of zero copy).  Every helper of the
 * buffer family that copies payload bytes in user space (bounce of unstable
 * buffers, copy_out/copy_in helpers) adds the byte count here; other layers
 * that copy payload must do the same.  Encoding metadata with the pagelist
 * encode helpers is not counted.  Atomic, process-wide, never reset
 * implicitly: tests compare the value before and after an operation.
 */
void cephc_payload_copy_account(size_t bytes);
uint64_t cephc_payload_copy_bytes(void);

#endif /* CEPHC_CORE_PAGELIST_H */
