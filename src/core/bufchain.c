/* SPDX-License-Identifier: MIT */
#include "core/bufchain.h"

#include <stdint.h>
#include <string.h>

#include "core/alloc.h"

/* First owned segment array; doubled as needed. */
#define BUFCHAIN_MIN_SEGS 8

void cephc_bufchain_init(struct cephc_bufchain *bc)
{
	bc->segs = NULL;
	bc->nsegs = 0;
	bc->cap = 0;
	bc->length = 0;
}

void cephc_bufchain_init_iov(struct cephc_bufchain *bc, const struct iovec *iov,
			     size_t iovcnt)
{
	/*
	 * Borrowed (cap 0): the array is never written through this chain,
	 * so dropping const here is safe.
	 */
	bc->segs = (struct iovec *)(uintptr_t)iov;
	bc->nsegs = iovcnt;
	bc->cap = 0;
	bc->length = 0;
	for (size_t i = 0; i < iovcnt; i++)
		bc->length += iov[i].iov_len;
}

int cephc_bufchain_add(struct cephc_bufchain *bc, void *base, size_t len)
{
	if (!len)
		return 0;
	if (!base || len > SIZE_MAX - bc->length)
		return CEPHC_EINVAL;
	if (!bc->cap || bc->nsegs == bc->cap) {
		/* Full, or borrowed (cap 0): move to a bigger owned array. */
		size_t cap = bc->nsegs < BUFCHAIN_MIN_SEGS / 2
				 ? BUFCHAIN_MIN_SEGS
				 : bc->nsegs * 2;
		struct iovec *segs = cephc_malloc_array(cap, sizeof(*segs));

		if (!segs)
			return CEPHC_ENOMEM;
		if (bc->nsegs)
			memcpy(segs, bc->segs, bc->nsegs * sizeof(*segs));
		if (bc->cap)
			cephc_free(bc->segs);
		bc->segs = segs;
		bc->cap = cap;
	}
	bc->segs[bc->nsegs].iov_base = base;
	bc->segs[bc->nsegs].iov_len = len;
	bc->nsegs++;
	bc->length += len;
	return 0;
}

void cephc_bufchain_release(struct cephc_bufchain *bc)
{
	if (bc->cap)
		cephc_free(bc->segs);
	cephc_bufchain_init(bc);
}

int cephc_bufchain_bounce(const struct cephc_bufchain *bc,
			  struct cephc_pagelist *out)
{
	size_t before = out->length;

	for (size_t i = 0; i < bc->nsegs && !out->err; i++)
		cephc_pagelist_append(out, bc->segs[i].iov_base,
				      bc->segs[i].iov_len);
	/* Count what was copied, also when a page allocation failed. */
	cephc_payload_copy_account(out->length - before);
	return out->err;
}
