/* SPDX-License-Identifier: MIT */
/*
 * Page vector: an array of page pointers, each page CEPHC_PAGE_SIZE bytes,
 * describing `length` bytes that start `offset` bytes into the first page
 * and continue page after page.  It is a descriptor: a message only
 * references the pages (it never frees them) unless ownership is handed to
 * it explicitly (cephc_msg_data_give_pagevec()).
 *
 * Ownership: a page vector made with cephc_pagevec_init() borrows both the
 * pages array and the pages; the caller keeps them valid (and, when sent,
 * unchanged) until every message that references them has completed.  A
 * page vector made with cephc_pagevec_alloc() owns its array and pages and
 * is freed with cephc_pagevec_free() by whoever owns it at the time.
 */
#ifndef CEPHC_CORE_PAGEVEC_H
#define CEPHC_CORE_PAGEVEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/pagelist.h" /* CEPHC_PAGE_SIZE, copy counter */

struct cephc_pagevec {
	void **pages;  /* each points to CEPHC_PAGE_SIZE bytes */
	size_t npages; /* entries in pages[] (>= pages the data spans) */
	size_t offset; /* start of data in pages[0], < CEPHC_PAGE_SIZE */
	size_t length; /* bytes of data */
	bool owned;    /* pages[] and the pages were allocated by alloc */
};

/* Pages needed for len bytes starting offset bytes into the first page. */
static inline size_t cephc_pages_spanned(size_t offset, size_t len)
{
	if (!len)
		return 0;
	return (offset % CEPHC_PAGE_SIZE + len + CEPHC_PAGE_SIZE - 1) /
	       CEPHC_PAGE_SIZE;
}

/*
 * Borrowing descriptor over caller pages.  Returns CEPHC_EINVAL when offset
 * >= CEPHC_PAGE_SIZE or npages is too small for offset + length.
 */
int cephc_pagevec_init(struct cephc_pagevec *pv, void **pages, size_t npages,
		       size_t offset, size_t length);

/*
 * Allocate an owned page vector for len bytes (offset 0), for example the
 * destination of an incoming data section no upper layer claimed.  len is
 * checked against the caller's named maximum before anything is allocated:
 * CEPHC_ETOOBIG when len > max, CEPHC_ENOMEM on allocation failure (nothing
 * left allocated).  len 0 gives an empty vector that allocates nothing.
 * Page contents are uninitialised.  Free with cephc_pagevec_free().
 */
int cephc_pagevec_alloc(struct cephc_pagevec *pv, size_t len, size_t max);

/*
 * Free an owned page vector (pages and array) and zero the descriptor; for a
 * borrowing descriptor only zeroes it.
 */
void cephc_pagevec_free(struct cephc_pagevec *pv);

/*
 * Copy between a flat buffer and bytes [off, off + len) of the vector's
 * data.  Counted by the payload copy counter.  CEPHC_EINVAL when the range is
 * outside the data.
 */
int cephc_pagevec_copy_out(const struct cephc_pagevec *pv, size_t off,
			   void *dst, size_t len);
int cephc_pagevec_copy_in(struct cephc_pagevec *pv, size_t off, const void *src,
			  size_t len);

#endif /* CEPHC_CORE_PAGEVEC_H */
