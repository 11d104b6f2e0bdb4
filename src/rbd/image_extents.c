/* SPDX-License-Identifier: MIT */
/*
 * Allocation map of an image without an object map: which image bytes are
 * backed by a data object, found with one STAT per object (at the opened
 * snapshot).  NBD block status and sparse copies use it to skip holes.
 *
 * Granularity is the object: an object that exists counts as data for
 * every image byte it holds, even where it is sparse inside.  For a clone,
 * a missing child object inside the parent overlap reports what the parent
 * (recursively) has there, since reads would come from it.
 */
#include "rbd/image.h"

#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"

/* Objects stat'ed by one batch; bounds memory and the request burst. */
#define EXT_BATCH 64u
/* Object sets per window: a window's objects are stat'ed before any of
 * its runs is reported, so this also bounds the work done ahead of fn. */
#define EXT_WINDOW_OBJECTS 64u

enum ext_state { EXT_HOLE, EXT_DATA, EXT_PARENT };

struct ext_walk {
	struct cephc_rbd_image *img;
	uint64_t objno_base;
	const bool *exists; /* indexed by objno - objno_base */
	uint64_t overlap;
	/* the run being built */
	uint64_t run_off, run_len;
	enum ext_state run_state;
	cephc_rbd_extent_fn fn;
	void *arg;
	int ret;
};

static int ext_emit(struct ext_walk *w, uint64_t off, uint64_t len,
		    enum ext_state st)
{
	if (!len)
		return 0;
	if (st != EXT_PARENT)
		return w->fn(w->arg, off, len, st == EXT_DATA);
	/* the parent answers in image offsets too (the overlap is in the
	 * child's offsets, which are the parent's) */
	return cephc_rbd_allocated_extents(w->img->parent, off, len, w->fn,
					   w->arg);
}

/* Striper callback: extend the current run or flush it. */
static int ext_chunk(void *arg, const struct cephc_stripe_chunk *c)
{
	struct ext_walk *w = arg;
	uint64_t off = c->img_off, len = c->len;
	enum ext_state st =
	    w->exists[c->objno - w->objno_base] ? EXT_DATA : EXT_HOLE;

	while (len) {
		uint64_t n = len;
		enum ext_state s = st;
		int ret;

		if (s == EXT_HOLE && w->img->parent && off < w->overlap) {
			s = EXT_PARENT;
			if (n > w->overlap - off)
				n = w->overlap - off;
		}
		if (w->run_len && w->run_state == s &&
		    w->run_off + w->run_len == off) {
			w->run_len += n;
		} else {
			ret = ext_emit(w, w->run_off, w->run_len, w->run_state);
			if (ret)
				return ret;
			w->run_off = off;
			w->run_len = n;
			w->run_state = s;
		}
		off += n;
		len -= n;
	}
	return 0;
}

/* STAT objects [base, base + n) at the image's snapshot into exists[]. */
static int ext_stat_objects(struct cephc_rbd_image *img, uint64_t base,
			    uint64_t n, bool *exists)
{
	struct {
		struct cephc_osdc_req req;
		struct cephc_osd_ops ops;
		char oid[RBD_OID_MAX];
	} * slots;
	struct cephc_osdc_req *reqs[EXT_BATCH];
	struct rbd_loc dl = {img->osd, img->data_pool, img->nspace};
	int ret = 0;

	slots = cephc_calloc(EXT_BATCH, sizeof(*slots));
	if (!slots)
		return CEPHC_ENOMEM;
	for (uint64_t done = 0; done < n && !ret; done += EXT_BATCH) {
		struct cephc_osd_op *op;
		unsigned k = 0;

		for (; k < EXT_BATCH && done + k < n; k++) {
			cephc_rbd_data_object_name(
			    img->meta.object_prefix, base + done + k,
			    slots[k].oid, sizeof(slots[k].oid));
			cephc_osd_ops_init(&slots[k].ops);
			op = cephc_osd_ops_add(&slots[k].ops);
			if (!ret)
				ret = op ? cephc_osd_op_stat(op) : CEPHC_E2BIG;
			rbd_req_setup(&slots[k].req, &slots[k].ops, &dl,
				      slots[k].oid);
			slots[k].req.snapid = img->snap_id;
			reqs[k] = &slots[k].req;
		}
		if (!ret)
			ret = rbd_osd_exec_many(img->osd, reqs, k);
		for (unsigned i = 0; i < k; i++) {
			int r = reqs[i]->result;

			if (!ret && r && r != CEPHC_ENOENT)
				ret = r;
			exists[done + i] = r == 0;
			cephc_osd_ops_release(&slots[i].ops);
		}
	}
	cephc_free(slots);
	return ret;
}

int cephc_rbd_allocated_extents(cephc_rbd_image *img, uint64_t off,
				uint64_t len, cephc_rbd_extent_fn fn, void *arg)
{
	const struct cephc_layout *l;
	uint64_t size, set_bytes, win_bytes, end;
	bool *exists;
	int ret = 0;

	if (!img || !fn)
		return CEPHC_EINVAL;
	l = &img->layout;
	pthread_mutex_lock(&img->lock);
	size = img->size;
	pthread_mutex_unlock(&img->lock);
	if (off > size || len > size - off)
		return CEPHC_EINVAL;
	end = off + len;
	/* Windows are whole object sets, so an object's existence is known
	 * before any of its stripe units is reported. */
	set_bytes = l->object_size * l->stripe_count;
	win_bytes = set_bytes * (l->stripe_count >= EXT_WINDOW_OBJECTS
				     ? 1
				     : EXT_WINDOW_OBJECTS / l->stripe_count);
	exists = cephc_calloc((win_bytes / set_bytes) * l->stripe_count,
			      sizeof(*exists));
	if (!exists)
		return CEPHC_ENOMEM;
	while (off < end && !ret) {
		uint64_t wend = (off / win_bytes + 1) * win_bytes;
		uint64_t set0, set1, base, n;
		struct ext_walk w = {.img = img, .fn = fn, .arg = arg};

		if (wend > end)
			wend = end;
		set0 = off / set_bytes;
		set1 = (wend - 1) / set_bytes;
		base = set0 * l->stripe_count;
		n = (set1 - set0 + 1) * l->stripe_count;
		ret = ext_stat_objects(img, base, n, exists);
		if (ret)
			break;
		w.objno_base = base;
		w.exists = exists;
		w.overlap = img->parent ? img->parent_overlap : 0;
		ret = cephc_striper_walk(l, off, wend - off, ext_chunk, &w);
		if (!ret)
			ret = ext_emit(&w, w.run_off, w.run_len, w.run_state);
		off = wend;
	}
	cephc_free(exists);
	return ret;
}
