/* SPDX-License-Identifier: MIT */
/*
 * Buffer chain: the userspace counterpart of the kernel's bio chain.  An
 * ordered list of {base, len} segments (struct iovec) that point into memory
 * the chain does NOT own, typically the application's read/write buffers
 * (striped per object by the RBD layer).  A message sends from them and
 * receives into them directly.
 *
 * Ownership:
 *  - The memory the segments point to always belongs to the caller.  It must
 *    stay valid until every message referencing it has completed, and for a
 *    send it must not change in that time (otherwise the crc computed while
 *    sending no longer matches what a resend would send; callers that cannot
 *    promise this bounce it first: cephc_bufchain_bounce()).
 *  - The segment array is either borrowed (cephc_bufchain_init_iov(): the
 *    caller's iovec array, which must outlive the chain and every message
 *    referencing it) or owned (grown by cephc_bufchain_add(), freed by
 *    cephc_bufchain_release()).  Adding to a borrowing chain first copies the
 *    descriptor array (not the data) into an owned one.
 *  - A message copies this descriptor by value (segs pointer, count,
 *    length): do not add to or release the chain while a message uses it.
 */
#ifndef CEPHC_CORE_BUFCHAIN_H
#define CEPHC_CORE_BUFCHAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "core/pagelist.h"

struct cephc_bufchain {
	struct iovec *segs; /* segment array (owned or borrowed) */
	size_t nsegs;       /* segments in use */
	size_t cap;         /* allocated entries when owned; 0 when borrowed */
	size_t length;      /* sum of segs[i].iov_len */
};

/* Empty chain; allocates nothing until the first add. */
void cephc_bufchain_init(struct cephc_bufchain *bc);

/*
 * Chain over the caller's iovec array, without copying the array or the
 * data.  Zero-length segments are allowed (they are skipped by cursors).
 */
void cephc_bufchain_init_iov(struct cephc_bufchain *bc, const struct iovec *iov,
			     size_t iovcnt);

/*
 * Append one segment.  Allocates (ENOMEM) when the owned array is full or
 * the array was borrowed; the chain is unchanged on failure.  len 0 is
 * accepted and ignored.  CEPHC_EINVAL for a NULL base with len > 0.
 */
int cephc_bufchain_add(struct cephc_bufchain *bc, void *base, size_t len);

/* Free an owned segment array (never the data) and return to empty. */
void cephc_bufchain_release(struct cephc_bufchain *bc);

/*
 * Copy the chain's bytes into an owned pagelist (appended to out), for
 * callers whose memory may change before the request completes ("unstable"
 * buffers).  Counted by the payload copy counter.  Returns 0 or out->err
 * (ENOMEM).
 */
int cephc_bufchain_bounce(const struct cephc_bufchain *bc,
			  struct cephc_pagelist *out);

#endif /* CEPHC_CORE_BUFCHAIN_H */
