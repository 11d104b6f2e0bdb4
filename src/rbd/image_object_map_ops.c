/* SPDX-License-Identifier: MIT */
/*
 * Object-map management (layer 6): `rbd object-map check` and
 * `rbd object-map rebuild` as librbd 16.2.15 runs them
 * (ObjectMapIterateRequest, RebuildObjectMapRequest), over the maintainer
 * of image_object_map.c.
 *
 * The state each entry should hold comes from a LIST_SNAPS of its data
 * object (cephc_rbd_object_state_from_snaps has the rule), a batch of
 * objects at a time.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "rbd/image.h"
#include "rbd/image_object_map.h"

#define SUBSYS "rbd"
/* LIST_SNAPS in flight at once (librbd: rbd_concurrent_management_ops,
 * 10 by default). */
#define OM_SCAN_BATCH 16
/* One object's clone list: a few clones of a few snapshots each. */
#define OM_LIST_SNAPS_OUT_MAX (256u * 1024)

struct om_scan {
	struct cephc_rbd_image *img;
	uint64_t *snaps; /* image snapshot ids, ascending */
	uint32_t num_snaps;
	bool fast_diff;
	cephc_rbd_progress_fn progress;
	void *arg;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int scan_init(struct om_scan *s, struct cephc_rbd_image *img,
		     cephc_rbd_progress_fn progress, void *arg)
{
	memset(s, 0, sizeof(*s));
	s->img = img;
	s->fast_diff = img->meta.features & CEPHC_RBD_FEATURE_FAST_DIFF;
	s->progress = progress;
	s->arg = arg;
	s->num_snaps = img->meta.num_snaps;
	if (s->num_snaps) {
		s->snaps = cephc_malloc_array(s->num_snaps, sizeof(uint64_t));
		if (!s->snaps)
			return CEPHC_ENOMEM;
		memcpy(s->snaps, img->meta.snap_ids,
		       s->num_snaps * sizeof(uint64_t));
		qsort(s->snaps, s->num_snaps, sizeof(uint64_t), cmp_u64);
	}
	return 0;
}

static void scan_fini(struct om_scan *s)
{
	cephc_free(s->snaps);
}

/*
 * The state objects [first, first + n) should have at img->snap_id, into
 * out[0..n).  One LIST_SNAPS each (at the snapdir), n <= OM_SCAN_BATCH.
 */
static int scan_batch(struct om_scan *s, uint64_t first, unsigned n,
		      uint8_t *out)
{
	struct cephc_rbd_image *img = s->img;
	struct rbd_loc l = {img->osd, img->data_pool, img->nspace};
	struct cephc_osdc_req req[OM_SCAN_BATCH], *reqs[OM_SCAN_BATCH];
	struct cephc_osd_ops ops[OM_SCAN_BATCH];
	char oid[OM_SCAN_BATCH][RBD_OID_MAX];
	int ret = 0;

	for (unsigned i = 0; i < n; i++) {
		cephc_osd_ops_init(&ops[i]);
		cephc_rbd_data_object_name(img->meta.object_prefix, first + i,
					   oid[i], sizeof(oid[i]));
		if (!ret)
			ret = cephc_osd_op_list_snaps(
			    cephc_osd_ops_add(&ops[i]), OM_LIST_SNAPS_OUT_MAX);
		rbd_req_setup(&req[i], &ops[i], &l, oid[i]);
		req[i].snapid = CEPHC_SNAPDIR;
		reqs[i] = &req[i];
	}
	if (!ret)
		ret = rbd_osd_exec_many(img->osd, reqs, n);
	for (unsigned i = 0; !ret && i < n; i++) {
		int r = req[i].result;

		if (r == CEPHC_ENOENT) {
			out[i] = CEPHC_RBD_OBJECT_NONEXISTENT;
			continue;
		}
		if (r) {
			rbd_set_err("listing the snapshots of %s: %s", oid[i],
				    cephc_strerror(r));
			ret = r;
			break;
		}
		ret = cephc_rbd_object_state_from_snaps(
		    ops[i].ops[0].op_outdata, ops[i].ops[0].op_outdata_len,
		    img->snap_id, s->snaps, s->num_snaps, s->fast_diff,
		    &out[i]);
		if (ret)
			rbd_set_err("%s: bad snapshot list: %s", oid[i],
				    cephc_strerror(ret));
	}
	for (unsigned i = 0; i < n; i++)
		cephc_osd_ops_release(&ops[i]);
	return ret;
}

/* Walk every object of the image at its snapshot: fn(s, objno, state). */
static int scan_all(struct om_scan *s, uint64_t count,
		    int (*fn)(void *ctx, uint64_t objno, uint8_t state),
		    void *ctx)
{
	uint8_t st[OM_SCAN_BATCH];
	int ret = 0;

	for (uint64_t o = 0; !ret && o < count; o += OM_SCAN_BATCH) {
		unsigned n = count - o < OM_SCAN_BATCH ? (unsigned)(count - o)
						       : OM_SCAN_BATCH;

		ret = scan_batch(s, o, n, st);
		for (unsigned i = 0; !ret && i < n; i++)
			ret = fn(ctx, o + i, st[i]);
		if (s->progress)
			s->progress(s->arg, o + n, count);
	}
	return ret;
}

static uint64_t invalid_bits(const struct cephc_rbd_image *img)
{
	return CEPHC_RBD_FLAG_OBJECT_MAP_INVALID |
	       ((img->meta.features & CEPHC_RBD_FEATURE_FAST_DIFF)
		    ? CEPHC_RBD_FLAG_FAST_DIFF_INVALID
		    : 0);
}

/* HEAD: own the lock and open the map (unless the lock's owner already
 * has it open); *opened says whether to close it after. */
static int head_begin(struct cephc_rbd_image *img, bool *opened)
{
	int ret;

	*opened = false;
	/* only the lock's owner may touch the HEAD map, and a read-only
	 * handle never takes the lock */
	if (img->read_only) {
		rbd_set_err("the HEAD object map needs the image opened for "
			    "writing (the exclusive lock's owner keeps it)");
		return CEPHC_EROFS;
	}
	ret = rbd_image_op_begin(img);
	if (ret)
		return ret;
	if (!img->om) {
		ret = rbd_om_open(img);
		*opened = !ret && img->om;
		if (!ret && !img->om)
			ret = CEPHC_EINVAL;
	}
	if (ret)
		rbd_image_op_end(img);
	return ret;
}

static void head_end(struct cephc_rbd_image *img, bool opened)
{
	if (opened)
		rbd_om_close(img);
	rbd_image_op_end(img);
}

static int need_object_map(cephc_rbd_image *img)
{
	if (!img)
		return CEPHC_EINVAL;
	rbd_clear_err();
	if (!(img->meta.features & CEPHC_RBD_FEATURE_OBJECT_MAP)) {
		rbd_set_err("image does not have the object map feature");
		return CEPHC_EINVAL;
	}
	return 0;
}

int cephc_rbd_get_flags(cephc_rbd_image *img, uint64_t *flags)
{
	if (!img || !flags)
		return CEPHC_EINVAL;
	rbd_clear_err();
	return rbd_om_get_flags(img, img->snap_id, flags);
}

/* ---- check ---------------------------------------------------------- */

struct check_ctx {
	struct cephc_rbd_image *img;
	const struct cephc_rbd_object_map *stored;
	cephc_rbd_object_map_mismatch_fn fn;
	void *arg;
	unsigned errors;
};

static int check_one(void *p, uint64_t objno, uint8_t expected)
{
	struct check_ctx *c = p;
	uint8_t stored = cephc_rbd_object_map_get(c->stored, objno);
	bool error;
	char oid[RBD_OID_MAX];

	if (stored == expected)
		return 0;
	error = cephc_rbd_object_map_mismatch_invalidates(stored, expected);
	c->errors += error;
	cephc_rbd_data_object_name(c->img->meta.object_prefix, objno, oid,
				   sizeof(oid));
	log_debug(SUBSYS, "object map %s: %s marked as %u, but should be %u",
		  error ? "error" : "inconsistent", oid, stored, expected);
	if (c->fn)
		c->fn(c->arg, objno, oid, stored, expected, error);
	return 0;
}

int cephc_rbd_object_map_check(cephc_rbd_image *img,
			       cephc_rbd_object_map_mismatch_fn fn,
			       cephc_rbd_progress_fn progress, void *arg,
			       unsigned *errors)
{
	struct cephc_rbd_object_map stored;
	struct check_ctx c = {
	    .img = img, .stored = &stored, .fn = fn, .arg = arg};
	struct om_scan s;
	bool head, opened = false;
	int ret = need_object_map(img);

	if (errors)
		*errors = 0;
	if (ret)
		return ret;
	head = img->snap_id == CEPHC_RBD_NOSNAP;
	if (head) {
		ret = head_begin(img, &opened);
		if (!ret)
			ret = rbd_om_snapshot(img, &stored);
	} else {
		ret = rbd_om_load(img, img->snap_id, &stored);
		if (ret == CEPHC_EINVAL || ret == CEPHC_ENOENT) {
			/* an unreadable snapshot map is invalid, full stop */
			log_warn(SUBSYS, "snapshot %" PRIu64 " map: %s",
				 img->snap_id, cephc_strerror(ret));
			c.errors = 1;
			ret = rbd_om_set_flags(img, img->snap_id,
					       invalid_bits(img),
					       invalid_bits(img));
			if (errors)
				*errors = c.errors;
			return ret;
		}
	}
	if (ret) {
		if (head)
			head_end(img, opened);
		return ret;
	}
	ret = scan_init(&s, img, progress, arg);
	if (!ret)
		ret = scan_all(
		    &s, cephc_striper_num_objects(&img->layout, img->size),
		    check_one, &c);
	scan_fini(&s);
	if (!ret && c.errors)
		ret = head ? rbd_om_invalidate(img)
			   : rbd_om_set_flags(img, img->snap_id,
					      invalid_bits(img),
					      invalid_bits(img));
	cephc_rbd_object_map_clear(&stored);
	if (head)
		head_end(img, opened);
	if (errors)
		*errors = c.errors;
	return ret;
}

/* ---- rebuild -------------------------------------------------------- */

static int rebuild_one_snap(void *p, uint64_t objno, uint8_t state)
{
	struct cephc_rbd_object_map *m = p;

	if (objno < m->count)
		cephc_rbd_object_map_set(m, objno, state);
	return 0;
}

static int rebuild_one(void *p, uint64_t objno, uint8_t state)
{
	struct cephc_rbd_object_map *m = p;
	uint8_t cur = cephc_rbd_object_map_get(m, objno);

	/* an EXISTS entry over an absent object may be a write landing */
	if (cur == CEPHC_RBD_OBJECT_EXISTS &&
	    state == CEPHC_RBD_OBJECT_NONEXISTENT)
		return 0;
	if (objno < m->count)
		cephc_rbd_object_map_set(m, objno, state);
	return 0;
}

/*
 * A snapshot's map: every entry computed afresh at the snapshot (no write
 * lands there, so nothing is kept), saved whole, its flags cleared.  As
 * librbd, this is the exclusive lock owner's work even though HEAD's map
 * is untouched: a writable HEAD handle holds the lock meanwhile (asking a
 * live owner to hand it over), while img, at the snapshot, scans.
 */
static int rebuild_snap(struct cephc_rbd_image *img,
			cephc_rbd_progress_fn progress, void *arg)
{
	struct cephc_rbd_object_map m = {0};
	cephc_rbd_image *head = NULL;
	struct om_scan s;
	uint64_t count = cephc_striper_num_objects(&img->layout, img->size);
	int ret;

	ret = cephc_rbd_open_by_id(img->c, img->pool_name, img->nspace,
				   img->meta.id, NULL, 0, &head);
	if (ret) {
		rbd_set_err("opening the image at HEAD for its lock: %s",
			    cephc_strerror(ret));
		return ret;
	}
	ret = rbd_image_op_begin(head);
	if (ret) {
		cephc_rbd_close(head);
		return ret;
	}
	ret = cephc_rbd_object_map_alloc(&m, count);
	if (!ret)
		ret = scan_init(&s, img, progress, arg);
	if (!ret) {
		ret = scan_all(&s, count, rebuild_one_snap, &m);
		scan_fini(&s);
	}
	if (!ret)
		ret = rbd_om_save(img, img->snap_id, &m);
	if (!ret)
		ret = rbd_om_set_flags(img, img->snap_id, 0,
				       CEPHC_RBD_FLAG_OBJECT_MAP_INVALID |
					   CEPHC_RBD_FLAG_FAST_DIFF_INVALID);
	if (ret && !rbd_have_err())
		rbd_set_err("rebuild snapshot object map: %s",
			    cephc_strerror(ret));
	cephc_rbd_object_map_clear(&m);
	rbd_image_op_end(head);
	cephc_rbd_close(head);
	return ret;
}

int cephc_rbd_object_map_rebuild(cephc_rbd_image *img,
				 cephc_rbd_progress_fn progress, void *arg)
{
	struct cephc_rbd_object_map m = {0};
	struct om_scan s;
	uint64_t count;
	bool opened = false;
	int ret = need_object_map(img);

	if (ret)
		return ret;
	if (img->snap_id != CEPHC_RBD_NOSNAP)
		return rebuild_snap(img, progress, arg);
	ret = head_begin(img, &opened);
	if (ret)
		return ret;
	count = cephc_striper_num_objects(&img->layout, img->size);
	ret = rbd_om_snapshot(img, &m);
	if (!ret && m.count != count) {
		/* a map left longer by an interrupted shrink: cut it (ESTALE
		 * when a cut entry still says the object exists) */
		cephc_rbd_object_map_clear(&m);
		ret = rbd_om_resize(img, img->size);
		if (ret == CEPHC_ESTALE)
			rbd_set_err("the object map still lists objects past "
				    "the end of the image");
		if (!ret)
			ret = rbd_om_snapshot(img, &m);
	}
	if (!ret)
		ret = scan_init(&s, img, progress, arg);
	if (!ret) {
		ret = scan_all(&s, count, rebuild_one, &m);
		scan_fini(&s);
	}
	if (!ret)
		ret = rbd_om_save(img, CEPHC_RBD_NOSNAP, &m);
	/* both bits, whatever the features (librbd clears them so) */
	if (!ret)
		ret = rbd_om_set_flags(img, CEPHC_RBD_NOSNAP, 0,
				       CEPHC_RBD_FLAG_OBJECT_MAP_INVALID |
					   CEPHC_RBD_FLAG_FAST_DIFF_INVALID);
	if (!ret)
		rbd_om_set_valid(img);
	else if (!rbd_have_err())
		rbd_set_err("rebuild object map: %s", cephc_strerror(ret));
	cephc_rbd_object_map_clear(&m);
	head_end(img, opened);
	return ret;
}
