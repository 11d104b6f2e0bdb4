/* SPDX-License-Identifier: MIT */
#include "core/pagevec.h"

#include <string.h>

#include "core/alloc.h"

int cephc_pagevec_init(struct cephc_pagevec *pv, void **pages, size_t npages,
		       size_t offset, size_t length)
{
	memset(pv, 0, sizeof(*pv));
	if (offset >= CEPHC_PAGE_SIZE || length > SIZE_MAX - CEPHC_PAGE_SIZE ||
	    cephc_pages_spanned(offset, length) > npages || (npages && !pages))
		return CEPHC_EINVAL;
	pv->pages = pages;
	pv->npages = npages;
	pv->offset = offset;
	pv->length = length;
	pv->owned = false;
	return 0;
}

int cephc_pagevec_alloc(struct cephc_pagevec *pv, size_t len, size_t max)
{
	size_t n, i;

	memset(pv, 0, sizeof(*pv));
	/* Bound the size before allocating: len may come from a peer. */
	if (len > max || len > SIZE_MAX - CEPHC_PAGE_SIZE)
		return CEPHC_ETOOBIG;
	n = cephc_pages_spanned(0, len);
	if (!n)
		return 0;
	pv->pages = cephc_malloc_array(n, sizeof(void *));
	if (!pv->pages)
		return CEPHC_ENOMEM;
	for (i = 0; i < n; i++) {
		pv->pages[i] = cephc_malloc(CEPHC_PAGE_SIZE);
		if (!pv->pages[i]) {
			while (i--)
				cephc_free(pv->pages[i]);
			cephc_free(pv->pages);
			pv->pages = NULL;
			return CEPHC_ENOMEM;
		}
	}
	pv->npages = n;
	pv->length = len;
	pv->owned = true;
	return 0;
}

void cephc_pagevec_free(struct cephc_pagevec *pv)
{
	if (pv->owned) {
		for (size_t i = 0; i < pv->npages; i++)
			cephc_free(pv->pages[i]);
		cephc_free(pv->pages);
	}
	memset(pv, 0, sizeof(*pv));
}

/* Walk [off, off + len) of the data, copying out (to_pages false) or in. */
static int pv_copy(const struct cephc_pagevec *pv, size_t off, uint8_t *flat,
		   size_t len, bool to_pages)
{
	size_t pos, idx;

	if (off > pv->length || len > pv->length - off)
		return CEPHC_EINVAL;
	cephc_payload_copy_account(len);
	pos = pv->offset + off; /* byte position counted from pages[0] */
	idx = pos / CEPHC_PAGE_SIZE;
	pos %= CEPHC_PAGE_SIZE;
	while (len) {
		uint8_t *page = pv->pages[idx];
		size_t n = CEPHC_PAGE_SIZE - pos;

		if (n > len)
			n = len;
		if (to_pages)
			memcpy(page + pos, flat, n);
		else
			memcpy(flat, page + pos, n);
		flat += n;
		len -= n;
		pos = 0;
		idx++;
	}
	return 0;
}

int cephc_pagevec_copy_out(const struct cephc_pagevec *pv, size_t off,
			   void *dst, size_t len)
{
	return pv_copy(pv, off, dst, len, false);
}

int cephc_pagevec_copy_in(struct cephc_pagevec *pv, size_t off, const void *src,
			  size_t len)
{
	return pv_copy(pv, off, (uint8_t *)(uintptr_t)src, len, true);
}
