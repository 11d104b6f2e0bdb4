/* SPDX-License-Identifier: MIT */
#include "core/msg_data.h"

#include <string.h>

#include "core/alloc.h"
#include "core/crc32c.h"

/* --- items --------------------------------------------------------------- */

void cephc_data_item_pagelist(struct cephc_data_item *it,
			      struct cephc_pagelist *pl)
{
	memset(it, 0, sizeof(*it));
	it->type = CEPHC_DATA_PAGELIST;
	cephc_pagelist_move(&it->u.pagelist, pl);
}

void cephc_data_item_pagevec(struct cephc_data_item *it,
			     const struct cephc_pagevec *pv)
{
	memset(it, 0, sizeof(*it));
	it->type = CEPHC_DATA_PAGEVEC;
	it->u.pagevec = *pv;
	it->u.pagevec.owned = false;
}

void cephc_data_item_give_pagevec(struct cephc_data_item *it,
				  struct cephc_pagevec *pv)
{
	memset(it, 0, sizeof(*it));
	it->type = CEPHC_DATA_PAGEVEC;
	it->u.pagevec = *pv;
	memset(pv, 0, sizeof(*pv));
}

void cephc_data_item_bufchain(struct cephc_data_item *it,
			      const struct cephc_bufchain *bc)
{
	memset(it, 0, sizeof(*it));
	it->type = CEPHC_DATA_BUFCHAIN;
	it->u.bufchain = *bc;
	it->u.bufchain.cap = 0; /* a view: the item never frees the array */
}

void cephc_data_item_buf(struct cephc_data_item *it, void *base, size_t len)
{
	memset(it, 0, sizeof(*it));
	it->type = CEPHC_DATA_BUF;
	it->u.buf.base = base;
	it->u.buf.len = len;
}

size_t cephc_data_item_length(const struct cephc_data_item *it)
{
	switch (it->type) {
	case CEPHC_DATA_PAGELIST:
		return it->u.pagelist.length;
	case CEPHC_DATA_PAGEVEC:
		return it->u.pagevec.length;
	case CEPHC_DATA_BUFCHAIN:
		return it->u.bufchain.length;
	case CEPHC_DATA_BUF:
		return it->u.buf.len;
	case CEPHC_DATA_NONE:
		break;
	}
	return 0;
}

void cephc_data_item_release(struct cephc_data_item *it)
{
	if (it->type == CEPHC_DATA_PAGELIST)
		cephc_pagelist_release(&it->u.pagelist);
	else if (it->type == CEPHC_DATA_PAGEVEC)
		cephc_pagevec_free(&it->u.pagevec); /* frees only if owned */
	memset(it, 0, sizeof(*it));
}

/* Whether the item's memory belongs to someone else (a bounce candidate). */
static bool item_is_borrowed(const struct cephc_data_item *it)
{
	return it->type == CEPHC_DATA_BUFCHAIN || it->type == CEPHC_DATA_BUF ||
	       (it->type == CEPHC_DATA_PAGEVEC && !it->u.pagevec.owned);
}

/* --- message data -------------------------------------------------------- */

void cephc_msg_data_init(struct cephc_msg_data *md)
{
	memset(md, 0, sizeof(*md));
}

struct cephc_data_item *cephc_msg_data_item(struct cephc_msg_data *md, size_t i)
{
	if (i < CEPHC_MSG_DATA_INLINE)
		return &md->inl[i];
	return &md->more[i - CEPHC_MSG_DATA_INLINE];
}

/* Item i, where i == nitems names the trailing item (the cursor's order). */
static const struct cephc_data_item *md_at(const struct cephc_msg_data *md,
					   size_t i)
{
	if (i == md->nitems)
		return &md->trailing;
	if (i < CEPHC_MSG_DATA_INLINE)
		return &md->inl[i];
	return &md->more[i - CEPHC_MSG_DATA_INLINE];
}

void cephc_msg_data_release(struct cephc_msg_data *md)
{
	for (size_t i = 0; i < md->nitems; i++)
		cephc_data_item_release(cephc_msg_data_item(md, i));
	cephc_data_item_release(&md->trailing);
	cephc_free(md->more);
	cephc_msg_data_init(md);
}

/* Common checks of add/set_trailing; releases the item on failure. */
static int item_admit(struct cephc_msg_data *md, struct cephc_data_item *it,
		      size_t replaced)
{
	size_t len = cephc_data_item_length(it);

	if (it->type == CEPHC_DATA_PAGELIST && it->u.pagelist.err) {
		int err = it->u.pagelist.err;

		cephc_data_item_release(it);
		return err;
	}
	if (it->type == CEPHC_DATA_BUF && !it->u.buf.base && len) {
		cephc_data_item_release(it);
		return CEPHC_EINVAL;
	}
	if (len > SIZE_MAX - (md->length - replaced)) {
		cephc_data_item_release(it);
		return CEPHC_EOVERFLOW;
	}
	return 0;
}

int cephc_msg_data_add(struct cephc_msg_data *md, struct cephc_data_item *it)
{
	struct cephc_data_item *slot;
	int err;

	if (it->type == CEPHC_DATA_NONE) /* never built: a caller bug */
		return CEPHC_EINVAL;
	err = item_admit(md, it, 0);
	if (err)
		return err;
	if (md->nitems >= CEPHC_MSG_DATA_INLINE &&
	    md->nitems - CEPHC_MSG_DATA_INLINE == md->more_cap) {
		size_t cap = md->more_cap ? md->more_cap * 2 : 4;
		size_t bytes;
		struct cephc_data_item *more;

		if (!cephc_mul_ok(cap, sizeof(*more), &bytes)) {
			cephc_data_item_release(it);
			return CEPHC_ENOMEM;
		}
		more = cephc_realloc(md->more, bytes);
		if (!more) {
			cephc_data_item_release(it);
			return CEPHC_ENOMEM;
		}
		md->more = more;
		md->more_cap = cap;
	}
	slot = cephc_msg_data_item(md, md->nitems);
	*slot = *it; /* plain move: items hold no pointers into themselves */
	memset(it, 0, sizeof(*it));
	md->nitems++;
	md->length += cephc_data_item_length(slot);
	return 0;
}

int cephc_msg_data_set_trailing(struct cephc_msg_data *md,
				struct cephc_data_item *it)
{
	size_t old = cephc_data_item_length(&md->trailing);
	int err = item_admit(md, it, old);

	if (err)
		return err;
	cephc_data_item_release(&md->trailing);
	md->trailing = *it;
	memset(it, 0, sizeof(*it));
	md->length = md->length - old + cephc_data_item_length(&md->trailing);
	return 0;
}

int cephc_msg_data_add_pagelist(struct cephc_msg_data *md,
				struct cephc_pagelist *pl)
{
	struct cephc_data_item it;

	cephc_data_item_pagelist(&it, pl);
	return cephc_msg_data_add(md, &it);
}

int cephc_msg_data_add_pagevec(struct cephc_msg_data *md,
			       const struct cephc_pagevec *pv)
{
	struct cephc_data_item it;

	cephc_data_item_pagevec(&it, pv);
	return cephc_msg_data_add(md, &it);
}

int cephc_msg_data_give_pagevec(struct cephc_msg_data *md,
				struct cephc_pagevec *pv)
{
	struct cephc_data_item it;

	cephc_data_item_give_pagevec(&it, pv);
	return cephc_msg_data_add(md, &it);
}

int cephc_msg_data_add_bufchain(struct cephc_msg_data *md,
				const struct cephc_bufchain *bc)
{
	struct cephc_data_item it;

	cephc_data_item_bufchain(&it, bc);
	return cephc_msg_data_add(md, &it);
}

int cephc_msg_data_add_buf(struct cephc_msg_data *md, void *base, size_t len)
{
	struct cephc_data_item it;

	cephc_data_item_buf(&it, base, len);
	return cephc_msg_data_add(md, &it);
}

int cephc_msg_data_alloc_pages(struct cephc_msg_data *md, size_t len,
			       size_t max)
{
	struct cephc_pagevec pv;
	int err = cephc_pagevec_alloc(&pv, len, max);

	if (err)
		return err;
	return cephc_msg_data_give_pagevec(md, &pv);
}

/* --- cursor -------------------------------------------------------------- */

/*
 * The cursor is always "settled": either resid == 0, or it points at a
 * non-empty piece of a non-empty item.  Zero-length items, pagelist pages
 * and chain segments are skipped here, so piece() never returns 0 while
 * bytes remain.
 */
static void cur_settle(struct cephc_msg_cursor *c)
{
	const struct cephc_data_item *it;

	while (c->resid && !c->item_resid) {
		/* Enter the next non-empty item. */
		size_t len;

		it = md_at(c->md, c->item);
		len = cephc_data_item_length(it);
		if (!len) {
			c->item++;
			continue;
		}
		c->item_resid = len < c->resid ? len : c->resid;
		c->idx = 0;
		c->off = 0;
		c->page = NULL;
		if (it->type == CEPHC_DATA_PAGELIST)
			c->page = it->u.pagelist.head;
		else if (it->type == CEPHC_DATA_PAGEVEC)
			c->off = it->u.pagevec.offset;
	}
	if (!c->resid)
		return;
	it = md_at(c->md, c->item);
	/* Within the item: step over exhausted or empty pages/segments. */
	switch (it->type) {
	case CEPHC_DATA_PAGELIST:
		while (c->off == c->page->pl_len) {
			c->page = c->page->pl_next;
			c->off = 0;
		}
		break;
	case CEPHC_DATA_PAGEVEC:
		if (c->off == CEPHC_PAGE_SIZE) {
			c->idx++;
			c->off = 0;
		}
		break;
	case CEPHC_DATA_BUFCHAIN:
		while (c->off == it->u.bufchain.segs[c->idx].iov_len) {
			c->idx++;
			c->off = 0;
		}
		break;
	case CEPHC_DATA_BUF:
	case CEPHC_DATA_NONE:
		break;
	}
}

static size_t cur_piece(const struct cephc_msg_cursor *c, uint8_t **base)
{
	const struct cephc_data_item *it;
	size_t len = 0;

	*base = NULL;
	if (!c->resid)
		return 0;
	it = md_at(c->md, c->item);
	switch (it->type) {
	case CEPHC_DATA_PAGELIST:
		/* Pages never move; the data is the owner's to write. */
		*base = (uint8_t *)(uintptr_t)c->page->pl_data + c->off;
		len = c->page->pl_len - c->off;
		break;
	case CEPHC_DATA_PAGEVEC:
		*base = (uint8_t *)it->u.pagevec.pages[c->idx] + c->off;
		len = CEPHC_PAGE_SIZE - c->off;
		break;
	case CEPHC_DATA_BUFCHAIN:
		*base =
		    (uint8_t *)it->u.bufchain.segs[c->idx].iov_base + c->off;
		len = it->u.bufchain.segs[c->idx].iov_len - c->off;
		break;
	case CEPHC_DATA_BUF:
		*base = (uint8_t *)it->u.buf.base + c->off;
		len = it->u.buf.len - c->off;
		break;
	case CEPHC_DATA_NONE:
		break;
	}
	return len < c->item_resid ? len : c->item_resid;
}

/* Consume n bytes of the current piece (n <= cur_piece()). */
static void cur_step(struct cephc_msg_cursor *c, size_t n)
{
	c->off += n;
	c->item_resid -= n;
	c->resid -= n;
	if (!c->item_resid && c->resid)
		c->item++;
	cur_settle(c);
}

int cephc_msg_cursor_init(struct cephc_msg_cursor *c,
			  const struct cephc_msg_data *md, size_t length)
{
	memset(c, 0, sizeof(*c));
	c->md = md;
	if (length > md->length)
		return CEPHC_EINVAL;
	c->resid = length;
	cur_settle(c);
	return 0;
}

int cephc_msg_cursor_fill_iov(const struct cephc_msg_cursor *c,
			      struct iovec *iov, int max_iov, size_t max_bytes)
{
	struct cephc_msg_cursor w = *c; /* walk a copy: fill never advances */
	int n = 0;

	while (w.resid && max_bytes && n < max_iov) {
		uint8_t *base;
		size_t len = cur_piece(&w, &base);

		if (!len)
			break;
		if (len > max_bytes)
			len = max_bytes;
		/* Merge pieces that happen to be adjacent in memory. */
		if (n &&
		    (uint8_t *)iov[n - 1].iov_base + iov[n - 1].iov_len == base)
			iov[n - 1].iov_len += len;
		else {
			iov[n].iov_base = base;
			iov[n].iov_len = len;
			n++;
		}
		max_bytes -= len;
		cur_step(&w, len);
	}
	return n;
}

size_t cephc_msg_cursor_piece(const struct cephc_msg_cursor *c, void **base)
{
	uint8_t *b;
	size_t len = cur_piece(c, &b);

	*base = b;
	return len;
}

int cephc_msg_cursor_advance(struct cephc_msg_cursor *c, size_t n)
{
	if (n > c->resid)
		return CEPHC_EINVAL;
	while (n) {
		uint8_t *base;
		size_t len = cur_piece(c, &base);

		if (!len) /* only if md was changed under the cursor */
			return CEPHC_EINVAL;
		if (len > n)
			len = n;
		cur_step(c, len);
		n -= len;
	}
	return 0;
}

int cephc_msg_cursor_advance_crc(struct cephc_msg_cursor *c, size_t n,
				 uint32_t *crc)
{
	uint32_t v = *crc;

	if (n > c->resid)
		return CEPHC_EINVAL;
	while (n) {
		uint8_t *base;
		size_t len = cur_piece(c, &base);

		if (!len) /* only if md was changed under the cursor */
			return CEPHC_EINVAL;
		if (len > n)
			len = n;
		v = cephc_crc32c(v, base, len);
		cur_step(c, len);
		n -= len;
	}
	*crc = v;
	return 0;
}

/* --- copies and bounce --------------------------------------------------- */

static int md_copy(const struct cephc_msg_data *md, size_t off, uint8_t *flat,
		   size_t len, bool to_items)
{
	struct cephc_msg_cursor c;

	if (off > md->length || len > md->length - off)
		return CEPHC_EINVAL;
	cephc_msg_cursor_init(&c, md, off + len);
	cephc_msg_cursor_advance(&c, off);
	cephc_payload_copy_account(len);
	while (c.resid) {
		uint8_t *base;
		size_t n = cur_piece(&c, &base);

		if (!n)
			return CEPHC_EINVAL;
		if (to_items)
			memcpy(base, flat, n);
		else
			memcpy(flat, base, n);
		flat += n;
		cur_step(&c, n);
	}
	return 0;
}

int cephc_msg_data_copy_out(const struct cephc_msg_data *md, size_t off,
			    void *dst, size_t len)
{
	return md_copy(md, off, dst, len, false);
}

int cephc_msg_data_copy_in(struct cephc_msg_data *md, size_t off,
			   const void *src, size_t len)
{
	return md_copy(md, off, (uint8_t *)(uintptr_t)src, len, true);
}

/* Replace one borrowed item by an owned pagelist copy of its bytes. */
static int item_bounce(struct cephc_data_item *it)
{
	struct cephc_msg_data one; /* a one-item list to walk the item */
	struct cephc_msg_cursor c;
	struct cephc_pagelist pl;

	cephc_msg_data_init(&one);
	one.trailing = *it;
	one.length = cephc_data_item_length(it);
	cephc_pagelist_init(&pl);
	cephc_msg_cursor_init(&c, &one, one.length);
	while (c.resid && !pl.err) {
		uint8_t *base;
		size_t n = cur_piece(&c, &base);

		if (!n)
			break; /* cannot happen for a consistent item */
		cephc_pagelist_append(&pl, base, n);
		cur_step(&c, n);
	}
	cephc_payload_copy_account(pl.length);
	if (pl.err) {
		int err = pl.err;

		cephc_pagelist_release(&pl);
		return err;
	}
	cephc_data_item_release(it); /* borrowed: only forgets the reference */
	cephc_data_item_pagelist(it, &pl);
	return 0;
}

int cephc_msg_data_bounce(struct cephc_msg_data *md)
{
	int err;

	for (size_t i = 0; i < md->nitems; i++) {
		struct cephc_data_item *it = cephc_msg_data_item(md, i);

		if (item_is_borrowed(it) && cephc_data_item_length(it)) {
			err = item_bounce(it);
			if (err)
				return err;
		}
	}
	if (item_is_borrowed(&md->trailing) &&
	    cephc_data_item_length(&md->trailing))
		return item_bounce(&md->trailing);
	return 0;
}
