/* SPDX-License-Identifier: MIT */
/*
 * Message data: the payload of a message (msgr v1 "data" section, msgr2
 * data segment) as an ordered list of buffers that are sent and received
 * without copying, plus an optional trailing item that always follows them
 * (variable-sized op input such as cls call arguments or xattr values after
 * the bulk payload).  A cursor walks the list, yields iovecs for
 * sendmsg/recvmsg and advances by ANY byte count, so a partial send or
 * receive resumes exactly where it stopped; crc32c is folded over exactly the
 * bytes advanced.
 *
 * Item kinds and ownership (the message data "md" is the owner below):
 *  - pagelist: OWNED.  Moved in without copying; freed by
 *    cephc_msg_data_release().
 *  - page vector: REFERENCED (cephc_msg_data_add_pagevec()), or OWNED when
 *    handed over with cephc_msg_data_give_pagevec() /
 *    cephc_msg_data_alloc_pages().
 *  - buffer chain: REFERENCED; the descriptor is copied, the segment array
 *    and the memory stay the caller's (see core/bufchain.h).
 *  - flat buffer: REFERENCED.
 * Referenced memory must stay valid until the message is done with it (sent
 * and no resend possible, or received), and for a send must not change in
 * that time.  Unstable memory is bounced first (cephc_msg_data_bounce()).
 *
 * The same list serves as a receive destination: the cursor's iovecs point
 * into the items, recvmsg/readv fills them in place.
 *
 * Threading: none inside; one user at a time.  Adding items may allocate
 * (only beyond CEPHC_MSG_DATA_INLINE items); cursor operations never
 * allocate.
 */
#ifndef CEPHC_CORE_MSG_DATA_H
#define CEPHC_CORE_MSG_DATA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "core/bufchain.h"
#include "core/pagelist.h"
#include "core/pagevec.h"

enum cephc_data_type {
	CEPHC_DATA_NONE = 0, /* empty slot (no trailing item) */
	CEPHC_DATA_PAGELIST,
	CEPHC_DATA_PAGEVEC,
	CEPHC_DATA_BUFCHAIN,
	CEPHC_DATA_BUF,
};

struct cephc_data_buf {
	void *base;
	size_t len;
};

/* One payload item.  Built with the cephc_data_item_*() helpers. */
struct cephc_data_item {
	enum cephc_data_type type;
	union {
		struct cephc_pagelist pagelist; /* owned */
		struct cephc_pagevec pagevec;   /* owned iff pagevec.owned */
		struct cephc_bufchain bufchain; /* borrowed view (cap 0) */
		struct cephc_data_buf buf;      /* borrowed */
	} u;
};

/* Items kept inside struct cephc_msg_data before the list allocates. */
#define CEPHC_MSG_DATA_INLINE 4

struct cephc_msg_data {
	struct cephc_data_item inl[CEPHC_MSG_DATA_INLINE];
	struct cephc_data_item *more; /* items past the inline ones */
	size_t more_cap;
	size_t nitems; /* items in order: inl[0..], then more[0..] */
	struct cephc_data_item trailing; /* walked after all items */
	size_t length; /* bytes over all items including trailing */
};

/* --- items (building one never allocates) --------------------------- */

/* Move pl's pages into the item (pl is left empty).  Keeps pl's err. */
void cephc_data_item_pagelist(struct cephc_data_item *it,
			      struct cephc_pagelist *pl);
/* Reference a page vector (descriptor copied, owned flag cleared). */
void cephc_data_item_pagevec(struct cephc_data_item *it,
			     const struct cephc_pagevec *pv);
/* Take an owned page vector (pv is zeroed); borrowing ones stay borrowed. */
void cephc_data_item_give_pagevec(struct cephc_data_item *it,
				  struct cephc_pagevec *pv);
/* Reference a buffer chain (descriptor copied; array and data borrowed). */
void cephc_data_item_bufchain(struct cephc_data_item *it,
			      const struct cephc_bufchain *bc);
/* Reference a flat buffer. */
void cephc_data_item_buf(struct cephc_data_item *it, void *base, size_t len);

size_t cephc_data_item_length(const struct cephc_data_item *it);

/* Free what the item owns (pagelist pages, owned page vector); type NONE. */
void cephc_data_item_release(struct cephc_data_item *it);

/* --- message data ---------------------------------------------------- */

/* Empty list, no trailing item; allocates nothing. */
void cephc_msg_data_init(struct cephc_msg_data *md);

/*
 * Free everything md owns (pagelists, owned page vectors, the item array)
 * and return to the empty state.  Referenced memory is untouched and may be
 * reused by its owner once this returns.
 */
void cephc_msg_data_release(struct cephc_msg_data *md);

static inline size_t cephc_msg_data_length(const struct cephc_msg_data *md)
{
	return md->length;
}

/* Number of items, not counting the trailing item. */
static inline size_t cephc_msg_data_nitems(const struct cephc_msg_data *md)
{
	return md->nitems;
}

/* Item i (0 <= i < nitems); the trailing item is md->trailing. */
struct cephc_data_item *cephc_msg_data_item(struct cephc_msg_data *md,
					    size_t i);

/*
 * Append an item (before the trailing item).  ALWAYS consumes it: on
 * success md owns what the item owned; on failure (ENOMEM growing the list,
 * or the pagelist's sticky err) the item is released.  Either way *it is
 * left as type NONE.  An item of type NONE is refused (CEPHC_EINVAL).
 */
int cephc_msg_data_add(struct cephc_msg_data *md, struct cephc_data_item *it);

/*
 * Set the trailing item, walked after every item whatever the order of
 * calls.  Consumes it like cephc_msg_data_add(); a previous trailing item is
 * released.  An item of type NONE just removes the trailing item.  Never
 * allocates; fails only with a pagelist's sticky err.
 */
int cephc_msg_data_set_trailing(struct cephc_msg_data *md,
				struct cephc_data_item *it);

/* Convenience wrappers: build the item and cephc_msg_data_add() it. */
int cephc_msg_data_add_pagelist(struct cephc_msg_data *md,
				struct cephc_pagelist *pl); /* moved, owned */
int cephc_msg_data_add_pagevec(struct cephc_msg_data *md,
			       const struct cephc_pagevec *pv); /* ref */
int cephc_msg_data_give_pagevec(struct cephc_msg_data *md,
				struct cephc_pagevec *pv); /* owned */
int cephc_msg_data_add_bufchain(struct cephc_msg_data *md,
				const struct cephc_bufchain *bc); /* ref */
int cephc_msg_data_add_buf(struct cephc_msg_data *md, void *base,
			   size_t len); /* ref */

/*
 * Receive destination nobody claimed: allocate an owned page vector of len
 * bytes (len checked against max first: CEPHC_ETOOBIG) and append it.
 */
int cephc_msg_data_alloc_pages(struct cephc_msg_data *md, size_t len,
			       size_t max);

/*
 * Bounce for unstable memory: replace every referenced item (page vector
 * not owned, buffer chain, flat buffer, including the trailing item) by an
 * owned pagelist holding a copy of its bytes.  Counted by the payload copy
 * counter.  On ENOMEM md is unchanged in content (items already converted
 * hold equal bytes).  After success the caller's memory may be reused.
 */
int cephc_msg_data_bounce(struct cephc_msg_data *md);

/*
 * Copy bytes [off, off + len) of the data out to / in from a flat buffer.
 * Counted by the payload copy counter.  CEPHC_EINVAL when out of range.
 */
int cephc_msg_data_copy_out(const struct cephc_msg_data *md, size_t off,
			    void *dst, size_t len);
int cephc_msg_data_copy_in(struct cephc_msg_data *md, size_t off,
			   const void *src, size_t len);

/* --- cursor ---------------------------------------------------------- */

/*
 * Position inside a struct cephc_msg_data.  Plain value: copying it saves
 * the position.  The md must not be changed while a cursor walks it.
 */
struct cephc_msg_cursor {
	const struct cephc_msg_data *md;
	size_t resid;      /* bytes left in the cursor's range */
	size_t item;       /* current item; == md->nitems: the trailing item */
	size_t item_resid; /* bytes left in the current item (<= resid) */
	const struct cephc_pl_page *page; /* pagelist: current page */
	size_t idx; /* page vector page / buffer chain segment index */
	size_t off; /* offset in the current page / segment / buffer */
};

/*
 * Walk the first `length` bytes of md (length <= cephc_msg_data_length(md),
 * else CEPHC_EINVAL).  A receive uses the length announced by the peer,
 * which may be shorter than the destination (short reads).
 */
int cephc_msg_cursor_init(struct cephc_msg_cursor *c,
			  const struct cephc_msg_data *md, size_t length);

static inline size_t
cephc_msg_cursor_remaining(const struct cephc_msg_cursor *c)
{
	return c->resid;
}

/*
 * Describe the next bytes as iovecs WITHOUT advancing: at most max_iov
 * entries and max_bytes bytes in total (the last entry is trimmed).  Entries
 * are never zero-length.  Returns the number of entries (0 when nothing
 * remains or a limit is 0).  The iovecs point into the items: for a send
 * pass them to sendmsg/writev, for a receive to recvmsg/readv; then advance
 * by what the call returned.
 */
int cephc_msg_cursor_fill_iov(const struct cephc_msg_cursor *c,
			      struct iovec *iov, int max_iov, size_t max_bytes);

/*
 * Next contiguous piece at the cursor, without advancing: sets *base and
 * returns its length (0 when nothing remains).
 */
size_t cephc_msg_cursor_piece(const struct cephc_msg_cursor *c, void **base);

/*
 * Move forward n bytes, crossing item/page/segment boundaries as needed.
 * CEPHC_EINVAL (cursor unchanged) when n > remaining.
 */
int cephc_msg_cursor_advance(struct cephc_msg_cursor *c, size_t n);

/*
 * cephc_msg_cursor_advance() that also folds crc32c (Ceph's raw update,
 * cephc_crc32c()) over exactly the n bytes advanced: *crc is the running
 * value in and out (seed it once, e.g. 0 for msgr v1 data, 0xFFFFFFFF for
 * msgr2 segments).  A sender calls it for the bytes the kernel accepted, a
 * receiver for the bytes received.  *crc unchanged on error.
 */
int cephc_msg_cursor_advance_crc(struct cephc_msg_cursor *c, size_t n,
				 uint32_t *crc);

#endif /* CEPHC_CORE_MSG_DATA_H */
