/* SPDX-License-Identifier: MIT */
/*
 * diff_iterate and du (layer 6, read side), as librbd 16.2.15's
 * api::DiffIterate runs them:
 *
 * - whole_object with fast-diff usable (the feature on, every object map
 *   from the start snapshot to the end version present, big enough and
 *   without FAST_DIFF_INVALID): the maps are folded into one state per
 *   object (snap_diff.c) and each changed object is reported as the
 *   image bytes it holds;
 * - otherwise one LIST_SNAPS per data object (at the snapdir), a window
 *   of objects in flight at once, and the snap-set diff of each
 *   (snap_diff.c): exact extents, or whole objects with whole_object.
 *
 * Either way results are reported one stripe period (object set) at a
 * time, in image order, adjacent extents of the same kind merged, as
 * librbd reports them.  From creation, with include_parent, a clone's
 * objects that hold nothing report what the parent holds there.
 */
#include <stdlib.h>
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "rbd/cls_rbd.h"
#include "rbd/image.h"
#include "rbd/image_object_map.h"
#include "rbd/snap_diff.h"

#define SUBSYS "rbd"
/* Objects whose LIST_SNAPS are in flight at once (librbd:
 * rbd_concurrent_management_ops, 10, one after another). */
#define DIFF_WINDOW_OBJECTS 64u
/* One object's clone list: a few clones of a few snapshots each. */
#define DIFF_LIST_SNAPS_OUT_MAX (256u * 1024)

enum { ST_NONE = -1, ST_ZERO = 0, ST_DATA = 1 };

/* The run being built inside one period, and where it goes. */
struct diff_out {
	cephc_rbd_diff_fn fn;
	void *arg;
	uint64_t off, len;
	int state;
};

struct diff_job {
	struct cephc_rbd_image *img;
	uint64_t from, end; /* snapshot ids; end NOSNAP: HEAD */
	bool include_parent, whole;
	/* fast-diff: states per object, or NULL for the list-snaps scan */
	uint8_t *fast;
	uint64_t nfast;
	struct rbd_ivset parent_diff; /* fast-diff, from creation */
	/* scan: the window's objects [base, base + n) */
	uint64_t base;
	unsigned n;
	struct rbd_snapset ss[DIFF_WINDOW_OBJECTS];
	bool exists[DIFF_WINDOW_OBJECTS];
	struct rbd_ivset data[DIFF_WINDOW_OBJECTS], zero[DIFF_WINDOW_OBJECTS];
	bool need_parent[DIFF_WINDOW_OBJECTS];
	struct diff_out out;
	int ret;
};

static int diff_range(struct cephc_rbd_image *img, uint64_t from, uint64_t end,
		      const struct cephc_rbd_snap_entry *snaps, uint32_t nsnaps,
		      uint64_t off, uint64_t len, bool include_parent,
		      bool whole, bool allow_fast, cephc_rbd_diff_fn fn,
		      void *arg);

/* ---- output: merge adjacent extents of a kind within a period ---------- */

static int out_flush(struct diff_out *o)
{
	int ret = 0;

	if (o->state != ST_NONE && o->len)
		ret = o->fn(o->arg, o->off, o->len, o->state == ST_DATA);
	o->state = ST_NONE;
	o->len = 0;
	return ret;
}

static int out_add(struct diff_out *o, uint64_t off, uint64_t len, int state)
{
	if (!len)
		return 0;
	if (o->state == state && o->off + o->len == off) {
		o->len += len;
		return 0;
	}
	if (o->state != ST_NONE) {
		int ret = out_flush(o);

		if (ret)
			return ret;
	}
	o->off = off;
	o->len = len;
	o->state = state;
	return 0;
}

/* The parts of set s inside object bytes [ooff, ooff + len), as image
 * bytes from ioff, into o. */
static int out_clip(struct diff_out *o, const struct rbd_ivset *s,
		    uint64_t ooff, uint64_t ioff, uint64_t len, int state,
		    uint32_t *cursor)
{
	uint64_t oend = ooff + len;

	for (uint32_t i = *cursor; i < s->n; i++) {
		uint64_t a = s->v[i].off, b = a + s->v[i].len;
		int ret;

		if (b <= ooff) {
			*cursor = i + 1;
			continue;
		}
		if (a >= oend)
			break;
		if (a < ooff)
			a = ooff;
		if (b > oend)
			b = oend;
		ret = out_add(o, ioff + (a - ooff), b - a, state);
		if (ret)
			return ret;
	}
	return 0;
}

/* Parent bytes behind [off, off + len) of the child (from creation). */
struct parent_fwd {
	struct diff_out *o;
};

static int parent_fwd_cb(void *arg, uint64_t off, uint64_t len, bool exists)
{
	struct parent_fwd *p = arg;

	/* the parent is listed ignoring zeroed extents: only data */
	return exists ? out_add(p->o, off, len, ST_DATA) : 0;
}

static int chunk_from_parent(struct diff_job *j, uint64_t off, uint64_t len)
{
	struct cephc_rbd_image *img = j->img;
	uint64_t overlap = img->parent_overlap;
	struct parent_fwd p = {&j->out};

	if (off >= overlap)
		return 0;
	if (len > overlap - off)
		len = overlap - off;
	/* librbd lists the parent's objects here, never its maps */
	return diff_range(img->parent, 0, img->parent->snap_id, NULL, 0, off,
			  len, true, j->whole, false, parent_fwd_cb, &p);
}

/* Striper callback: one run of image bytes inside one object. */
static int chunk_emit(void *arg, const struct cephc_stripe_chunk *c)
{
	struct diff_job *j = arg;
	int ret = 0;

	if (j->fast) {
		uint8_t st =
		    c->objno < j->nfast ? j->fast[c->objno] : RBD_DIFF_HOLE;
		uint32_t cur = 0;

		if (st == RBD_DIFF_DATA_UPDATED)
			return out_add(&j->out, c->img_off, c->len, ST_DATA);
		if (st == RBD_DIFF_HOLE_UPDATED)
			return out_add(&j->out, c->img_off, c->len, ST_ZERO);
		if (st == RBD_DIFF_HOLE && j->parent_diff.n)
			/* image offsets on both sides: clip the parent's */
			return out_clip(&j->out, &j->parent_diff, c->img_off,
					c->img_off, c->len, ST_DATA, &cur);
		return 0;
	} else {
		unsigned k = (unsigned)(c->objno - j->base);
		uint32_t cd = 0, cz = 0;
		uint64_t pos = c->obj_off, end = c->obj_off + c->len;

		if (j->need_parent[k])
			return chunk_from_parent(j, c->img_off, c->len);
		/* data and zero are disjoint: walk both in object order */
		while (pos < end && !ret) {
			uint64_t nd = end, nz = end;

			for (; cd < j->data[k].n; cd++) {
				uint64_t b =
				    j->data[k].v[cd].off + j->data[k].v[cd].len;
				if (b > pos) {
					nd = j->data[k].v[cd].off > pos
						 ? j->data[k].v[cd].off
						 : pos;
					break;
				}
			}
			for (; cz < j->zero[k].n; cz++) {
				uint64_t b =
				    j->zero[k].v[cz].off + j->zero[k].v[cz].len;
				if (b > pos) {
					nz = j->zero[k].v[cz].off > pos
						 ? j->zero[k].v[cz].off
						 : pos;
					break;
				}
			}
			if (nd >= end && nz >= end)
				break;
			if (nd <= nz) {
				uint64_t b =
				    j->data[k].v[cd].off + j->data[k].v[cd].len;

				if (b > end)
					b = end;
				ret = out_add(&j->out,
					      c->img_off + (nd - c->obj_off),
					      b - nd, ST_DATA);
				pos = b;
			} else {
				uint64_t b =
				    j->zero[k].v[cz].off + j->zero[k].v[cz].len;

				if (b > end)
					b = end;
				ret = out_add(&j->out,
					      c->img_off + (nz - c->obj_off),
					      b - nz, ST_ZERO);
				pos = b;
			}
		}
	}
	return ret;
}

/* Does object k have anything inside the requested chunks? */
struct any_ctx {
	struct diff_job *j;
	bool *any; /* per window object */
};

static bool set_hits(const struct rbd_ivset *s, uint64_t off, uint64_t len)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (s->v[i].off < off + len && s->v[i].off + s->v[i].len > off)
			return true;
	return false;
}

static int chunk_any(void *arg, const struct cephc_stripe_chunk *c)
{
	struct any_ctx *a = arg;
	unsigned k = (unsigned)(c->objno - a->j->base);

	if (set_hits(&a->j->data[k], c->obj_off, c->len) ||
	    set_hits(&a->j->zero[k], c->obj_off, c->len))
		a->any[k] = true;
	return 0;
}

/* Report [off, off + len) one period at a time. */
static int emit_range(struct diff_job *j, uint64_t off, uint64_t len)
{
	const struct cephc_layout *l = &j->img->layout;
	uint64_t period = l->object_size * l->stripe_count;
	int ret = 0;

	while (len && !ret) {
		uint64_t n = (off / period + 1) * period - off;

		if (n > len)
			n = len;
		ret = cephc_striper_walk(l, off, n, chunk_emit, j);
		if (!ret)
			ret = out_flush(&j->out);
		off += n;
		len -= n;
	}
	return ret;
}

/* ---- the list-snaps scan ------------------------------------------------ */

/* LIST_SNAPS of the window's objects, and each one's delta. */
static int scan_window(struct diff_job *j, uint64_t off, uint64_t len)
{
	struct cephc_rbd_image *img = j->img;
	struct rbd_loc l = {img->osd, img->data_pool, img->nspace};
	struct {
		struct cephc_osdc_req req;
		struct cephc_osd_ops ops;
		char oid[RBD_OID_MAX];
	} * slots;
	struct cephc_osdc_req *reqs[DIFF_WINDOW_OBJECTS];
	bool any[DIFF_WINDOW_OBJECTS] = {false};
	struct any_ctx ac = {j, any};
	int ret = 0;

	slots = cephc_calloc(j->n, sizeof(*slots));
	if (!slots)
		return CEPHC_ENOMEM;
	for (unsigned i = 0; i < j->n; i++) {
		struct cephc_osd_op *op;

		cephc_rbd_data_object_name(img->meta.object_prefix, j->base + i,
					   slots[i].oid, sizeof(slots[i].oid));
		cephc_osd_ops_init(&slots[i].ops);
		op = cephc_osd_ops_add(&slots[i].ops);
		if (!ret)
			ret = op ? cephc_osd_op_list_snaps(
				       op, DIFF_LIST_SNAPS_OUT_MAX)
				 : CEPHC_E2BIG;
		rbd_req_setup(&slots[i].req, &slots[i].ops, &l, slots[i].oid);
		slots[i].req.snapid = CEPHC_SNAPDIR;
		reqs[i] = &slots[i].req;
	}
	if (!ret)
		ret = rbd_osd_exec_many(img->osd, reqs, j->n);
	for (unsigned i = 0; i < j->n; i++) {
		struct cephc_osd_op *op = &slots[i].ops.ops[0];
		int r = ret ? ret : slots[i].req.result;

		j->exists[i] = false;
		rbd_ivset_reset(&j->data[i]);
		rbd_ivset_reset(&j->zero[i]);
		if (!ret && r == 0) {
			r = rbd_snapset_decode(op->op_outdata,
					       op->op_outdata_len, &j->ss[i]);
			if (r)
				rbd_set_err("%s: bad snapshot list: %s",
					    slots[i].oid, cephc_strerror(r));
			else
				j->exists[i] = true;
		} else if (!ret && r != CEPHC_ENOENT) {
			rbd_set_err("listing the snapshots of %s: %s",
				    slots[i].oid, cephc_strerror(r));
		} else {
			r = 0;
		}
		if (!ret && r)
			ret = r;
		if (!ret && j->exists[i])
			ret = rbd_object_delta(
			    &j->ss[i], j->from, j->end, img->layout.object_size,
			    j->whole, &j->data[i], &j->zero[i]);
		if (j->exists[i])
			rbd_snapset_free(&j->ss[i]);
		cephc_osd_ops_release(&slots[i].ops);
	}
	cephc_free(slots);
	if (ret)
		return ret;
	/* an object with nothing to report inside the request lists the
	 * parent instead (from creation, include_parent) */
	if (!j->from && j->include_parent && j->img->parent &&
	    j->img->parent_overlap) {
		ret =
		    cephc_striper_walk(&img->layout, off, len, chunk_any, &ac);
		for (unsigned i = 0; !ret && i < j->n; i++)
			j->need_parent[i] = !any[i];
	} else {
		memset(j->need_parent, 0, sizeof(j->need_parent));
	}
	return ret;
}

static int scan_range(struct diff_job *j, uint64_t off, uint64_t len)
{
	const struct cephc_layout *l = &j->img->layout;
	uint64_t period = l->object_size * l->stripe_count;
	uint64_t sets = l->stripe_count >= DIFF_WINDOW_OBJECTS
			    ? 1
			    : DIFF_WINDOW_OBJECTS / l->stripe_count;
	uint64_t win = sets * period, end = off + len;
	int ret = 0;

	if (l->stripe_count > DIFF_WINDOW_OBJECTS) {
		rbd_set_err("stripe count %llu above %u",
			    (unsigned long long)l->stripe_count,
			    DIFF_WINDOW_OBJECTS);
		return CEPHC_EINVAL;
	}
	for (unsigned i = 0; i < DIFF_WINDOW_OBJECTS; i++) {
		rbd_ivset_init(&j->data[i]);
		rbd_ivset_init(&j->zero[i]);
	}
	while (off < end && !ret) {
		uint64_t wend = (off / win + 1) * win;
		uint64_t set0 = off / period, set1;

		if (wend > end)
			wend = end;
		set1 = (wend - 1) / period;
		j->base = set0 * l->stripe_count;
		j->n = (unsigned)((set1 - set0 + 1) * l->stripe_count);
		ret = scan_window(j, off, wend - off);
		if (!ret)
			ret = emit_range(j, off, wend - off);
		off = wend;
	}
	for (unsigned i = 0; i < DIFF_WINDOW_OBJECTS; i++) {
		rbd_ivset_free(&j->data[i]);
		rbd_ivset_free(&j->zero[i]);
	}
	return ret;
}

/* ---- fast-diff ---------------------------------------------------------- */

static int collect_cb(void *arg, uint64_t off, uint64_t len, bool exists)
{
	return exists ? rbd_ivset_insert(arg, off, len) : 0;
}

/* One version's flags and object map, fetched together. */
struct fd_fetch {
	struct cephc_osdc_req freq, mreq;
	struct cephc_osd_ops fops, mops;
	char moid[RBD_OID_MAX];
};

/*
 * get_flags (header) and object_map_load (map object) of versions
 * ids[0..n), all in flight at once; *flags[i] / maps[i] filled, or
 * err[i] set per version.
 */
static int fast_diff_fetch(struct cephc_rbd_image *img, const uint64_t *ids,
			   uint32_t n, uint64_t *flags,
			   struct cephc_rbd_object_map *maps, int *err)
{
	struct rbd_loc hl = rbd_image_loc(img);
	struct fd_fetch *f;
	struct cephc_osdc_req **reqs;
	int ret = 0;

	f = cephc_calloc(n, sizeof(*f));
	reqs = cephc_calloc((size_t)n * 2, sizeof(*reqs));
	if (!f || !reqs) {
		cephc_free(f);
		cephc_free(reqs);
		return CEPHC_ENOMEM;
	}
	for (uint32_t i = 0; i < n; i++) {
		uint8_t b[16];
		struct cephc_enc e;

		cephc_osd_ops_init(&f[i].fops);
		cephc_osd_ops_init(&f[i].mops);
		enc_init(&e, b, sizeof(b));
		if (!ret)
			ret = cephc_rbd_enc_get_flags(&e, ids[i]);
		if (!ret)
			ret = rbd_op_call(&f[i].fops, "get_flags", b,
					  enc_len(&e), false);
		if (!ret)
			ret = rbd_op_call(&f[i].mops, "object_map_load", NULL,
					  0, false);
		cephc_rbd_object_map_name(img->meta.id, ids[i], f[i].moid,
					  sizeof(f[i].moid));
		rbd_req_setup(&f[i].freq, &f[i].fops, &hl, img->header_oid);
		rbd_req_setup(&f[i].mreq, &f[i].mops, &hl, f[i].moid);
		reqs[2 * i] = &f[i].freq;
		reqs[2 * i + 1] = &f[i].mreq;
	}
	if (!ret)
		ret = rbd_osd_exec_many(img->osd, reqs, n * 2);
	for (uint32_t i = 0; i < n; i++) {
		const struct cephc_osd_op *fo = &f[i].fops.ops[0];
		const struct cephc_osd_op *mo = &f[i].mops.ops[0];
		int r = ret ? ret : f[i].freq.result;

		if (!r)
			r = cephc_rbd_dec_get_flags(
			    fo->op_outdata, fo->op_outdata_len, &flags[i]);
		if (!r)
			r = f[i].mreq.result;
		if (!r)
			r = cephc_rbd_dec_object_map_load(
			    mo->op_outdata, mo->op_outdata_len, &maps[i]);
		err[i] = r;
		cephc_osd_ops_release(&f[i].fops);
		cephc_osd_ops_release(&f[i].mops);
	}
	cephc_free(f);
	cephc_free(reqs);
	return ret;
}

/*
 * Fold the object maps of from, the snapshots in between and end into
 * j->fast.  1: fast-diff is not usable here (the caller scans instead);
 * 0: done; < 0: error.
 */
static int fast_diff_load(struct diff_job *j,
			  const struct cephc_rbd_snap_entry *snaps,
			  uint32_t nsnaps, uint64_t end_size)
{
	struct cephc_rbd_image *img = j->img;
	struct cephc_rbd_object_map *maps = NULL;
	uint64_t features, ndiff = 0, cap = 0;
	uint64_t *ids, *sizes, *flags;
	uint8_t *states = NULL;
	uint32_t nids = 0;
	int *err;
	int ret = 0;

	pthread_mutex_lock(&img->lock);
	features = img->meta.features;
	pthread_mutex_unlock(&img->lock);
	if (!(features & CEPHC_RBD_FEATURE_FAST_DIFF))
		return 1;
	ids = cephc_malloc_array((size_t)nsnaps + 1, sizeof(*ids));
	sizes = cephc_malloc_array((size_t)nsnaps + 1, sizeof(*sizes));
	flags = cephc_calloc((size_t)nsnaps + 1, sizeof(*flags));
	err = cephc_calloc((size_t)nsnaps + 1, sizeof(*err));
	maps = cephc_calloc((size_t)nsnaps + 1, sizeof(*maps));
	if (!ids || !sizes || !flags || !err || !maps) {
		ret = CEPHC_ENOMEM;
		goto out;
	}
	/* from creation only the end version matters */
	for (uint32_t i = 0; j->from && i < nsnaps; i++) {
		if (snaps[i].id < j->from || snaps[i].id >= j->end)
			continue;
		ids[nids] = snaps[i].id;
		sizes[nids++] = snaps[i].size;
	}
	ids[nids] = j->end;
	sizes[nids++] = end_size;
	ret = fast_diff_fetch(img, ids, nids, flags, maps, err);
	for (uint32_t v = 0; v < nids && !ret; v++) {
		bool first = j->from && ids[v] == j->from;
		bool last = v == nids - 1;
		uint64_t count;

		count = cephc_striper_num_objects(&img->layout, sizes[v]);
		/* a snapshot removed meanwhile merged into the next one */
		if (err[v] == CEPHC_ENOENT && !first && !last)
			continue;
		if (!err[v] && (flags[v] & CEPHC_RBD_FLAG_FAST_DIFF_INVALID))
			err[v] = CEPHC_EINVAL;
		if (!err[v] && maps[v].count < count)
			err[v] = CEPHC_ERANGE;
		if (err[v]) {
			log_debug(SUBSYS, "no fast-diff: map of %llx: %s",
				  (unsigned long long)ids[v],
				  cephc_strerror(err[v]));
			ret = 1;
			break;
		}
		if (count > cap) {
			uint8_t *f = cephc_realloc(j->fast, count);
			uint8_t *st = cephc_realloc(states, count);

			if (f)
				j->fast = f;
			if (st)
				states = st;
			if (!f || !st) {
				ret = CEPHC_ENOMEM;
				break;
			}
			cap = count;
		}
		for (uint64_t i = 0; i < count; i++)
			states[i] = cephc_rbd_object_map_get(&maps[v], i);
		rbd_diff_fold(j->fast, &ndiff, states, count, first, last);
	}
	j->nfast = ndiff;
out:
	for (uint32_t v = 0; maps && v < nids; v++)
		cephc_rbd_object_map_clear(&maps[v]);
	cephc_free(maps);
	cephc_free(states);
	cephc_free(ids);
	cephc_free(sizes);
	cephc_free(flags);
	cephc_free(err);
	if (ret) {
		cephc_free(j->fast);
		j->fast = NULL;
		j->nfast = 0;
	}
	return ret;
}

/* ---- one diff, on one image handle -------------------------------------- */

static int diff_range(struct cephc_rbd_image *img, uint64_t from, uint64_t end,
		      const struct cephc_rbd_snap_entry *snaps, uint32_t nsnaps,
		      uint64_t off, uint64_t len, bool include_parent,
		      bool whole, bool allow_fast, cephc_rbd_diff_fn fn,
		      void *arg)
{
	struct diff_job *j;
	uint64_t size;
	int ret = 1;

	pthread_mutex_lock(&img->lock);
	size = img->size;
	pthread_mutex_unlock(&img->lock);
	if (off > size)
		return CEPHC_EINVAL;
	if (len > size - off)
		len = size - off;
	if (!len || from == end)
		return 0;
	j = cephc_calloc(1, sizeof(*j));
	if (!j)
		return CEPHC_ENOMEM;
	j->img = img;
	j->from = from;
	j->end = end;
	j->include_parent = include_parent;
	j->whole = whole;
	j->out.fn = fn;
	j->out.arg = arg;
	j->out.state = ST_NONE;
	rbd_ivset_init(&j->parent_diff);
	if (whole && allow_fast)
		ret = fast_diff_load(j, snaps, nsnaps, size);
	if (ret == 0 && include_parent && !from && img->parent &&
	    img->parent_overlap)
		ret = diff_range(img->parent, 0, img->parent->snap_id, NULL, 0,
				 0, img->parent_overlap, true, true, true,
				 collect_cb, &j->parent_diff);
	if (ret == 0)
		ret = emit_range(j, off, len);
	else if (ret == 1)
		ret = scan_range(j, off, len);
	cephc_free(j->fast);
	rbd_ivset_free(&j->parent_diff);
	cephc_free(j);
	return ret;
}

static int cmp_snap_id(const void *a, const void *b)
{
	uint64_t x = ((const struct cephc_rbd_snap_entry *)a)->id;
	uint64_t y = ((const struct cephc_rbd_snap_entry *)b)->id;

	return x < y ? -1 : x > y;
}

int cephc_rbd_diff_iterate(cephc_rbd_image *img, const char *from_snap,
			   uint64_t off, uint64_t len, bool include_parent,
			   bool whole_object, cephc_rbd_diff_fn fn, void *arg)
{
	struct cephc_rbd_snap_entry *snaps = NULL;
	uint32_t n = 0;
	uint64_t from = 0;
	int ret = 0;

	if (!img || !fn)
		return CEPHC_EINVAL;
	rbd_clear_err();
	/* our writes must be visible to LIST_SNAPS, and the header news */
	if (!img->read_only) {
		ret = cephc_rbd_flush(img);
		if (!ret && img->snap_id == CEPHC_RBD_NOSNAP)
			ret = rbd_image_refresh(img);
		if (ret)
			return ret;
	}
	/* from creation no snapshot matters (only the end's map) */
	if (from_snap) {
		ret = cephc_rbd_snap_list(img, &snaps, &n);
		if (ret)
			return ret;
		qsort(snaps, n, sizeof(*snaps), cmp_snap_id);
		from = CEPHC_RBD_NOSNAP;
		for (uint32_t i = 0; i < n; i++)
			if (snaps[i].ns_type == 0 &&
			    !strcmp(snaps[i].name, from_snap))
				from = snaps[i].id;
		if (from == CEPHC_RBD_NOSNAP) {
			rbd_set_err("no snapshot %s", from_snap);
			ret = CEPHC_ENOENT;
		} else if (from > img->snap_id) {
			rbd_set_err("snapshot %s is newer than the opened "
				    "version",
				    from_snap);
			ret = CEPHC_EINVAL;
		}
	}
	if (!ret)
		ret = diff_range(img, from, img->snap_id, snaps, n, off, len,
				 include_parent, whole_object, true, fn, arg);
	cephc_buffer_free(snaps);
	return ret;
}

static int du_cb(void *arg, uint64_t off, uint64_t len, bool exists)
{
	(void)off;
	if (exists)
		*(uint64_t *)arg += len;
	return 0;
}

int cephc_rbd_du(cephc_rbd_image *img, const char *from_snap,
		 uint64_t *provisioned, uint64_t *used)
{
	uint64_t u = 0;
	int ret;

	if (!img || !provisioned || !used)
		return CEPHC_EINVAL;
	/* rbd du: whole objects (fast-diff when valid), no parent; the
	 * length is cut to the size as refreshed */
	ret = cephc_rbd_diff_iterate(img, from_snap, 0, UINT64_MAX, false, true,
				     du_cb, &u);
	if (ret)
		return ret;
	pthread_mutex_lock(&img->lock);
	*provisioned = img->size;
	pthread_mutex_unlock(&img->lock);
	*used = u;
	return 0;
}
