/* SPDX-License-Identifier: MIT */
#include "rbd/image_plan.h"

#include <stdlib.h>

#include "cephc/errors.h"
#include "core/alloc.h"

static int collect(void *arg, const struct cephc_stripe_chunk *c)
{
	struct rbd_plan *p = arg;

	if (p->n == p->cap) {
		unsigned nc = p->cap ? p->cap * 2 : 8;
		void *nv;

		if (p->cap >= CEPHC_RBD_PLAN_MAX_EXTENTS)
			return CEPHC_E2BIG;
		nv = cephc_realloc(p->v, (size_t)nc * sizeof(*p->v));
		if (!nv)
			return CEPHC_ENOMEM;
		p->v = nv;
		p->cap = nc;
	}
	p->v[p->n++] = *c;
	return 0;
}

/* rbd_plan_one_object()'s walk: every piece must extend the first. */
static int one_object(void *arg, const struct cephc_stripe_chunk *c)
{
	struct cephc_stripe_chunk *o = arg;

	if (!o->len) {
		*o = *c;
		return 0;
	}
	if (c->objno != o->objno || c->obj_off != o->obj_off + o->len)
		return CEPHC_EINVAL;
	o->len += c->len;
	return 0;
}

int rbd_plan_one_object(const struct cephc_layout *l, uint64_t off,
			uint64_t len, struct cephc_stripe_chunk *out)
{
	struct cephc_stripe_chunk o = {0};
	int ret;

	if (!len)
		return CEPHC_EINVAL;
	ret = cephc_striper_walk(l, off, len, one_object, &o);
	if (ret)
		return ret;
	*out = o;
	return 0;
}

static int chunk_cmp(const void *pa, const void *pb)
{
	const struct cephc_stripe_chunk *a = pa, *b = pb;

	if (a->objno != b->objno)
		return a->objno < b->objno ? -1 : 1;
	if (a->obj_off != b->obj_off)
		return a->obj_off < b->obj_off ? -1 : 1;
	return 0;
}

int rbd_plan_build(struct rbd_plan *p, const struct cephc_layout *l,
		   uint64_t off, uint64_t len, bool merge)
{
	unsigned w = 0;
	int ret;

	p->v = NULL;
	p->n = p->cap = 0;
	if (!len)
		return 0;
	ret = cephc_striper_walk(l, off, len, collect, p);
	if (ret) {
		rbd_plan_free(p);
		return ret;
	}
	if (!merge || p->n < 2)
		return 0;
	/* With striping one object's pieces are a stripe apart in the
	 * image but adjacent inside the object: join them. */
	qsort(p->v, p->n, sizeof(*p->v), chunk_cmp);
	for (unsigned i = 1; i < p->n; i++) {
		struct cephc_stripe_chunk *last = &p->v[w];

		if (p->v[i].objno == last->objno &&
		    p->v[i].obj_off == last->obj_off + last->len)
			last->len += p->v[i].len;
		else
			p->v[++w] = p->v[i];
	}
	p->n = w + 1;
	return 0;
}

void rbd_plan_free(struct rbd_plan *p)
{
	cephc_free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

enum rbd_discard_action rbd_discard_action(const struct cephc_layout *l,
					   const struct cephc_stripe_chunk *c,
					   uint64_t image_size)
{
	/*
	 * An object's bytes inside the image are a prefix of it; bytes past
	 * that prefix are never read (and must be gone before a grow makes
	 * them visible), so reaching the prefix's end counts as the end.
	 */
	uint64_t in_img =
	    cephc_striper_object_extent_in_image(l, c->objno, image_size);
	uint64_t end = c->obj_off + c->len;

	if (end < in_img)
		return RBD_DISCARD_ZERO;
	return c->obj_off == 0 ? RBD_DISCARD_DELETE : RBD_DISCARD_TRUNCATE;
}
