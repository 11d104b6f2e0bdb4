/* SPDX-License-Identifier: MIT */
/*
 * Object map maintainer (layer 3): see image_object_map.h for the
 * contract.  The map of states lives here, in memory, and is only touched
 * in driver context once open (blocking calls hop there through
 * cephc_client_call()), so driver-context readers need no lock.
 *
 * Updates in flight form one list in arrival order.  An update whose
 * object (and map) already has an earlier update in the list waits; when
 * an update completes, the first waiter of its object starts, after
 * update_required() is asked again against the state the earlier update
 * left (librbd's BlockGuard does the same per object).
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "osdc/cls_lock.h"
#include "rbd/image.h"
#include "rbd/image_object_map.h"

#define SUBSYS "rbd"
/* Both the header lock and the map lock are called "rbd_lock". */
#define OM_LOCK_NAME "rbd_lock"
#define OM_HEADER_TAG "internal"
#define OM_LOCK_ARGS_MAX 512
#define OM_ENC_SMALL 64

struct om_update {
	struct cephc_osdc_req req;
	struct cephc_osd_ops ops;
	struct rbd_om *om;
	struct om_update *next;
	uint64_t snap_id; /* CEPHC_RBD_NOSNAP: HEAD */
	uint64_t objno;
	uint8_t state;
	int filter;
	bool started;
	bool invalidate; /* an asynchronous set_flags, not an update */
	rbd_om_done_fn done;
	void *arg;
	char oid[RBD_OID_MAX];
	uint8_t in[OM_LOCK_ARGS_MAX];
	uint8_t in2[OM_ENC_SMALL];
};

struct om_wait {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
};

struct rbd_om {
	struct cephc_rbd_image *img;
	struct cephc_rbd_object_map map; /* HEAD, driver context */
	atomic_bool invalid;             /* header flags say so (or will) */
	bool fast_diff;
	char oid[RBD_OID_MAX];
	/* driver context: updates and invalidations not yet completed */
	struct om_update *head, *tail;
	struct om_wait *idle_wait; /* close waiting for the list to drain */
};

/* ---- small helpers -------------------------------------------------- */

static uint64_t invalid_flags(const struct cephc_rbd_image *img)
{
	return CEPHC_RBD_FLAG_OBJECT_MAP_INVALID |
	       ((img->meta.features & CEPHC_RBD_FEATURE_FAST_DIFF)
		    ? CEPHC_RBD_FLAG_FAST_DIFF_INVALID
		    : 0);
}

/* The header lock's cookie: lock_cookie once the exclusive lock sets it,
 * else the "auto <watch cookie>" image_lock.c takes the lock with. */
static void header_cookie(struct cephc_rbd_image *img, char *buf, size_t cap)
{
	pthread_mutex_lock(&img->lock);
	if (img->lock_cookie[0])
		snprintf(buf, cap, "%s", img->lock_cookie);
	else
		snprintf(buf, cap, "auto %" PRIu64, img->watch_cookie);
	pthread_mutex_unlock(&img->lock);
}

/* Add lock.assert_locked(rbd_lock, exclusive, cookie, tag) to ops; in
 * holds the encoding until the ops are released. */
static int add_assert(struct cephc_osd_ops *ops, const char *cookie,
		      const char *tag, uint8_t *in, size_t cap)
{
	struct cephc_cls_lock_args a = {
	    .name = OM_LOCK_NAME,
	    .type = CEPHC_CLS_LOCK_EXCLUSIVE,
	    .cookie = cookie,
	    .tag = tag,
	};
	struct iovec iov;
	size_t len;
	int ret = cephc_cls_lock_encode_assert(&a, in, cap, &len);

	if (ret)
		return ret;
	iov.iov_base = in;
	iov.iov_len = len;
	return cephc_osd_op_call(cephc_osd_ops_add(ops), CEPHC_CLS_LOCK_CLASS,
				 "assert_locked", &iov, 1, false, 0);
}

/* set_flags(flags, mask) for snap_id on the header: the header lock is
 * asserted for HEAD (snapshots: no assert, as librbd forces those). */
static int build_set_flags(struct cephc_rbd_image *img,
			   struct cephc_osd_ops *ops, uint64_t snap_id,
			   uint64_t flags, uint64_t mask, uint8_t *in,
			   size_t cap, uint8_t *in2, size_t cap2)
{
	char cookie[64];
	struct cephc_enc e;
	int ret = 0;

	if (snap_id == CEPHC_RBD_NOSNAP) {
		header_cookie(img, cookie, sizeof(cookie));
		ret = add_assert(ops, cookie, OM_HEADER_TAG, in, cap);
	}
	enc_init(&e, in2, cap2);
	if (!ret)
		ret = cephc_rbd_enc_set_flags(&e, snap_id, flags, mask);
	if (!ret)
		ret = rbd_op_call(ops, "set_flags", in2, enc_len(&e), true);
	return ret;
}

int rbd_om_set_flags(struct cephc_rbd_image *img, uint64_t snap_id,
		     uint64_t flags, uint64_t mask)
{
	struct rbd_loc l = rbd_image_loc(img);
	struct cephc_osd_ops ops;
	uint8_t in[OM_LOCK_ARGS_MAX], in2[OM_ENC_SMALL];
	int ret;

	cephc_osd_ops_init(&ops);
	ret = build_set_flags(img, &ops, snap_id, flags, mask, in, sizeof(in),
			      in2, sizeof(in2));
	if (ret) {
		cephc_osd_ops_release(&ops);
		return ret;
	}
	ret = rbd_exec_ops(&l, img->header_oid, &ops);
	log_debug(SUBSYS,
		  "%s: set_flags(%#" PRIx64 ", mask %#" PRIx64
		  ", snap %#" PRIx64 "): %s",
		  img->header_oid, flags, mask, snap_id, cephc_strerror(ret));
	return ret;
}

/* Run fn(arg) in driver context and wait for it (API threads). */
struct om_call {
	struct rbd_om *om;
	void *arg;
	int ret;
};

static int om_run(struct cephc_rbd_image *img, void (*fn)(void *),
		  struct om_call *c)
{
	return cephc_client_call(img->c, fn, c);
}

/* ---- the map object's lock ------------------------------------------ */

static int map_lock_call(struct cephc_rbd_image *img, const char *oid,
			 const char *method, const void *in, size_t len,
			 bool writes, rbd_reply_fn fn, void *arg)
{
	struct rbd_loc l = rbd_image_loc(img);

	return rbd_cls_call(&l, oid, CEPHC_CLS_LOCK_CLASS, method, in, len,
			    writes, fn, arg);
}

static int map_lock_once(struct cephc_rbd_image *img, const char *oid)
{
	struct cephc_cls_lock_args a = {
	    .name = OM_LOCK_NAME,
	    .type = CEPHC_CLS_LOCK_EXCLUSIVE,
	    .cookie = "",
	    .tag = "",
	};
	uint8_t b[OM_LOCK_ARGS_MAX];
	size_t len;
	int ret = cephc_cls_lock_encode_lock(&a, b, sizeof(b), &len);

	return ret ? ret
		   : map_lock_call(img, oid, "lock", b, len, true, NULL, NULL);
}

struct breaker {
	struct cephc_rbd_image *img;
	const char *oid;
};

/* Break every locker get_info lists (no blocklist: the map lock only
 * follows the header lock, which we already own). */
static int break_all_reply(void *arg, const uint8_t *p, size_t len)
{
	struct breaker *bk = arg;
	struct cephc_cls_lock_info *info = cephc_calloc(1, sizeof(*info));
	char cookie[CEPHC_CLS_LOCK_STR_MAX + 1];
	uint8_t b[OM_LOCK_ARGS_MAX + CEPHC_CLS_LOCK_STR_MAX];
	size_t blen;
	int ret;

	if (!info)
		return CEPHC_ENOMEM;
	ret = cephc_cls_lock_decode_info(p, len, info);
	for (uint32_t i = 0; !ret && i < info->num_lockers; i++) {
		const struct cephc_cls_locker *lk = &info->lockers[i];

		if (lk->cookie_len >= sizeof(cookie))
			continue;
		memcpy(cookie, lk->cookie, lk->cookie_len);
		cookie[lk->cookie_len] = '\0';
		if (!cephc_cls_lock_encode_break(OM_LOCK_NAME, &lk->name,
						 cookie, b, sizeof(b), &blen)) {
			int r = map_lock_call(bk->img, bk->oid, "break_lock", b,
					      blen, true, NULL, NULL);

			log_info(SUBSYS, "%s: broke a stale map lock: %s",
				 bk->oid, cephc_strerror(r));
		}
	}
	cephc_free(info);
	return ret;
}

static void map_lock(struct cephc_rbd_image *img, const char *oid)
{
	uint8_t b[OM_LOCK_ARGS_MAX];
	struct breaker bk = {img, oid};
	size_t len;
	int ret = map_lock_once(img, oid);

	if (ret == CEPHC_EBUSY &&
	    !cephc_cls_lock_encode_get_info(OM_LOCK_NAME, b, sizeof(b), &len) &&
	    !map_lock_call(img, oid, "get_info", b, len, false, break_all_reply,
			   &bk))
		ret = map_lock_once(img, oid);
	/* EEXIST: we hold it already.  Anything else only gets logged, as
	 * librbd does: the asserts of later updates will tell. */
	if (ret && ret != CEPHC_EEXIST)
		log_warn(SUBSYS, "%s: cannot lock the object map: %s", oid,
			 cephc_strerror(ret));
}

static void map_unlock(struct cephc_rbd_image *img, const char *oid)
{
	uint8_t b[OM_LOCK_ARGS_MAX];
	size_t len;
	int ret =
	    cephc_cls_lock_encode_unlock(OM_LOCK_NAME, "", b, sizeof(b), &len);

	if (!ret)
		ret =
		    map_lock_call(img, oid, "unlock", b, len, true, NULL, NULL);
	if (ret && ret != CEPHC_ENOENT)
		log_warn(SUBSYS, "%s: unlock: %s", oid, cephc_strerror(ret));
}

/* ---- blocking side -------------------------------------------------- */

/* Sync: [assert map lock +] object_map_resize(count, NONEXISTENT),
 * after a truncate(0) when asked (a corrupt map). */
static int map_resize_ops(struct cephc_rbd_image *img, const char *oid,
			  bool head, uint64_t count, bool truncate)
{
	struct rbd_loc l = rbd_image_loc(img);
	struct cephc_osd_ops ops;
	uint8_t in[OM_LOCK_ARGS_MAX], in2[OM_ENC_SMALL];
	struct cephc_enc e;
	int ret = 0;

	cephc_osd_ops_init(&ops);
	if (head)
		ret = add_assert(&ops, "", "", in, sizeof(in));
	if (!ret && truncate)
		ret = cephc_osd_op_truncate(cephc_osd_ops_add(&ops), 0);
	enc_init(&e, in2, sizeof(in2));
	if (!ret)
		ret = cephc_rbd_enc_object_map_resize(
		    &e, count, CEPHC_RBD_OBJECT_NONEXISTENT);
	if (!ret)
		ret = rbd_op_call(&ops, "object_map_resize", in2, enc_len(&e),
				  true);
	if (ret) {
		cephc_osd_ops_release(&ops);
		return ret;
	}
	return rbd_exec_ops(&l, oid, &ops);
}

static int load_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_object_map_load(p, len, arg);
}

int rbd_om_load(struct cephc_rbd_image *img, uint64_t snap_id,
		struct cephc_rbd_object_map *out)
{
	char oid[RBD_OID_MAX];
	int ret;

	memset(out, 0, sizeof(*out));
	cephc_rbd_object_map_name(img->meta.id, snap_id, oid, sizeof(oid));
	ret = rbd_image_call(img, oid, "object_map_load", NULL, 0, false,
			     load_reply, out);
	/* a crc mismatch found here is corruption, as the OSD's EINVAL */
	if (ret == CEPHC_ECRC)
		ret = CEPHC_EINVAL;
	return ret;
}

int rbd_om_open(struct cephc_rbd_image *img)
{
	struct rbd_om *om;
	uint64_t count, flags = 0;
	int ret;

	if (img->om || !(img->meta.features & CEPHC_RBD_FEATURE_OBJECT_MAP))
		return 0;
	om = cephc_calloc(1, sizeof(*om));
	if (!om)
		return CEPHC_ENOMEM;
	om->img = img;
	om->fast_diff = img->meta.features & CEPHC_RBD_FEATURE_FAST_DIFF;
	cephc_rbd_object_map_name(img->meta.id, CEPHC_RBD_NOSNAP, om->oid,
				  sizeof(om->oid));
	count = cephc_striper_num_objects(&img->layout, img->size);
	if (count > CEPHC_RBD_OBJECT_MAP_MAX_OBJECTS) {
		/* librbd runs without a map then, flagged invalid */
		rbd_om_set_flags(img, CEPHC_RBD_NOSNAP, invalid_flags(img),
				 invalid_flags(img));
		cephc_free(om);
		return CEPHC_EFBIG;
	}
	map_lock(img, om->oid);

	/* the header's flags: an invalid map stays untrusted */
	ret = rbd_om_get_flags(img, CEPHC_RBD_NOSNAP, &flags);
	if (!ret && (flags & CEPHC_RBD_FLAG_OBJECT_MAP_INVALID))
		atomic_store(&om->invalid, true);

	ret = rbd_om_load(img, CEPHC_RBD_NOSNAP, &om->map);
	if (ret || om->map.count < count) {
		bool corrupt = ret == CEPHC_EINVAL;

		log_warn(SUBSYS, "%s: %s (%llu of %llu entries): invalidating",
			 om->oid, ret ? cephc_strerror(ret) : "map too small",
			 (unsigned long long)om->map.count,
			 (unsigned long long)count);
		atomic_store(&om->invalid, true);
		rbd_om_set_flags(img, CEPHC_RBD_NOSNAP, invalid_flags(img),
				 invalid_flags(img));
		if (ret)
			cephc_rbd_object_map_clear(&om->map);
		ret = map_resize_ops(img, om->oid, true, count, corrupt);
		if (!ret)
			ret = om->map.data
				  ? cephc_rbd_object_map_resize(
					&om->map, count,
					CEPHC_RBD_OBJECT_NONEXISTENT)
				  : cephc_rbd_object_map_alloc(&om->map, count);
		if (ret) {
			log_warn(SUBSYS, "%s: resize: %s", om->oid,
				 cephc_strerror(ret));
			map_unlock(img, om->oid);
			cephc_rbd_object_map_clear(&om->map);
			cephc_free(om);
			return ret;
		}
	}
	/* larger than the image: an interrupted shrink; keep it */
	img->om = om;
	log_debug(SUBSYS, "%s: open, %llu entries%s", om->oid,
		  (unsigned long long)om->map.count,
		  atomic_load(&om->invalid) ? " (invalid)" : "");
	return 0;
}

static int flags_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_get_flags(p, len, arg);
}

int rbd_om_get_flags(struct cephc_rbd_image *img, uint64_t snap_id,
		     uint64_t *flags)
{
	uint8_t b[16];
	struct cephc_enc e;
	int ret;

	*flags = 0;
	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_get_flags(&e, snap_id);
	if (!ret)
		ret = rbd_image_call(img, img->header_oid, "get_flags", b,
				     enc_len(&e), false, flags_reply, flags);
	return ret;
}

static void idle_signal(struct om_wait *w)
{
	pthread_mutex_lock(&w->lock);
	w->done = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static bool idle_done(void *arg)
{
	return ((struct om_wait *)arg)->done;
}

/* Driver context: finish now when nothing is in flight, else when the
 * last update completes. */
static void idle_fn(void *arg)
{
	struct om_call *c = arg;
	struct om_wait *w = c->arg;

	if (c->om->head)
		c->om->idle_wait = w;
	else
		idle_signal(w);
}

/* Wait until no update or invalidation is in flight. */
static void om_drain(struct cephc_rbd_image *img, struct rbd_om *om)
{
	struct om_wait w = {.done = false};
	struct om_call c = {.om = om, .arg = &w};
	int ret;

	pthread_mutex_init(&w.lock, NULL);
	cephc_client_cond_init(&w.cond);
	ret = om_run(img, idle_fn, &c);
	pthread_mutex_lock(&w.lock);
	if (!ret)
		cephc_client_wait_for(img->c, &w.lock, &w.cond, idle_done, &w,
				      0);
	pthread_mutex_unlock(&w.lock);
	pthread_mutex_destroy(&w.lock);
	pthread_cond_destroy(&w.cond);
}

void rbd_om_close(struct cephc_rbd_image *img)
{
	struct rbd_om *om = img->om;

	if (!om)
		return;
	om_drain(img, om);
	map_unlock(img, om->oid);
	img->om = NULL;
	cephc_rbd_object_map_clear(&om->map);
	cephc_free(om);
}

/* Driver context: the in-memory part of a resize. */
static void resize_fn(void *arg)
{
	struct om_call *c = arg;

	c->ret = cephc_rbd_object_map_resize(&c->om->map, *(uint64_t *)c->arg,
					     CEPHC_RBD_OBJECT_NONEXISTENT);
}

int rbd_om_resize(struct cephc_rbd_image *img, uint64_t new_size)
{
	struct rbd_om *om = img->om;
	uint64_t count = cephc_striper_num_objects(&img->layout, new_size);
	struct om_call c = {.om = om, .arg = &count};
	int ret;

	if (!om)
		return 0;
	ret = map_resize_ops(img, om->oid, true, count, false);
	if (!ret)
		ret = om_run(img, resize_fn, &c);
	if (!ret)
		ret = c.ret;
	if (ret) {
		log_warn(SUBSYS, "%s: resize to %llu entries: %s", om->oid,
			 (unsigned long long)count, cephc_strerror(ret));
		rbd_om_invalidate(img);
	}
	return ret;
}

int rbd_om_invalidate(struct cephc_rbd_image *img)
{
	if (img->om)
		atomic_store(&img->om->invalid, true);
	return rbd_om_set_flags(img, CEPHC_RBD_NOSNAP, invalid_flags(img),
				invalid_flags(img));
}

/* ---- driver context ------------------------------------------------- */

bool rbd_om_trusted(const struct cephc_rbd_image *img)
{
	return img->om && !atomic_load(&img->om->invalid);
}

uint8_t rbd_om_state(const struct cephc_rbd_image *img, uint64_t objno)
{
	if (!img->om)
		return CEPHC_RBD_OBJECT_NONEXISTENT;
	return cephc_rbd_object_map_get(&img->om->map, objno);
}

static void update_start(struct om_update *u);

/* Drop u from the list; start the next waiter of the same object. */
static void update_unlink(struct rbd_om *om, struct om_update *u)
{
	struct om_update **pp, *prev = NULL, *n;

	for (pp = &om->head; *pp && *pp != u; pp = &(*pp)->next)
		prev = *pp;
	if (*pp)
		*pp = u->next;
	if (om->tail == u)
		om->tail = prev;
	for (n = om->head; n; n = n->next) {
		if (!n->invalidate && !n->started && n->objno == u->objno &&
		    n->snap_id == u->snap_id) {
			update_start(n);
			break;
		}
	}
	if (!om->head && om->idle_wait) {
		struct om_wait *w = om->idle_wait;

		om->idle_wait = NULL;
		idle_signal(w);
	}
}

static void update_free(struct om_update *u)
{
	cephc_osd_ops_release(&u->ops);
	cephc_free(u);
}

static void invalidate_done(struct cephc_osdc_req *req, int err)
{
	struct om_update *u = (struct om_update *)req;
	struct rbd_om *om = u->om;

	if (err)
		log_warn(SUBSYS, "%s: invalidating the object map: %s",
			 om->img->header_oid, cephc_strerror(err));
	update_unlink(om, u);
	update_free(u);
}

/* A failed update: mark the map invalid, now in memory and (async) on
 * the header; tracked in the list so close waits for it. */
static void invalidate_async(struct rbd_om *om)
{
	struct cephc_rbd_image *img = om->img;
	struct cephc_osdc *osdc = rbd_osd_osdc(img->osd);
	struct om_update *u;
	int ret = CEPHC_ENOMEM;

	atomic_store(&om->invalid, true);
	u = cephc_calloc(1, sizeof(*u));
	if (u && osdc) {
		u->om = om;
		u->invalidate = true;
		u->started = true;
		cephc_osd_ops_init(&u->ops);
		ret = build_set_flags(img, &u->ops, CEPHC_RBD_NOSNAP,
				      invalid_flags(img), invalid_flags(img),
				      u->in, sizeof(u->in), u->in2,
				      sizeof(u->in2));
		cephc_osdc_req_init(&u->req);
		u->req.ops = &u->ops;
		u->req.pool = img->pool;
		u->req.nspace = img->nspace;
		u->req.oid = img->header_oid;
		u->req.done = invalidate_done;
		if (!ret) {
			if (om->tail)
				om->tail->next = u;
			else
				om->head = u;
			om->tail = u;
			ret = cephc_osdc_submit(osdc, &u->req);
			if (ret) {
				update_unlink(om, u);
				u->next = NULL;
			}
		}
	}
	if (ret) {
		log_warn(SUBSYS, "%s: cannot invalidate the object map: %s",
			 img->header_oid, cephc_strerror(ret));
		if (u)
			update_free(u);
	}
}

static void update_done(struct cephc_osdc_req *req, int err)
{
	struct om_update *u = (struct om_update *)req;
	struct rbd_om *om = u->om;
	rbd_om_done_fn done = u->done;
	void *arg = u->arg;

	if (u->snap_id == CEPHC_RBD_NOSNAP) {
		/* the in-memory map follows the request, even on error (a
		 * failure invalidates the map anyway) */
		if (u->objno < om->map.count)
			cephc_rbd_object_map_apply(&om->map, u->objno,
						   u->objno + 1, u->state,
						   u->filter);
	} else if (err == CEPHC_ENOENT) {
		err = 0; /* that snapshot's map is gone */
	}
	if (err) {
		log_warn(SUBSYS, "%s: update of object %llu: %s", u->oid,
			 (unsigned long long)u->objno, cephc_strerror(err));
		invalidate_async(om);
	}
	/* done first: a waiter started by the unlink may complete at once,
	 * and completions of one object must keep their order */
	done(arg, err);
	update_unlink(om, u);
	update_free(u);
}

/* Build and send u; a local failure completes it at once. */
static void update_start(struct om_update *u)
{
	struct rbd_om *om = u->om;
	struct cephc_rbd_image *img = om->img;
	struct cephc_osdc *osdc = rbd_osd_osdc(img->osd);
	struct cephc_enc e;
	bool filt = u->filter != RBD_OM_NO_FILTER;
	int ret = 0;

	u->started = true;
	if (u->snap_id == CEPHC_RBD_NOSNAP &&
	    !cephc_rbd_object_map_update_required(
		cephc_rbd_object_map_get(&om->map, u->objno), u->state)) {
		/* an earlier update already did it: nothing to send */
		rbd_om_done_fn done = u->done;
		void *arg = u->arg;

		update_unlink(om, u);
		update_free(u);
		done(arg, 0);
		return;
	}
	/* (a snapshot's map is not in memory: -1 for its old state) */
	log_trace(SUBSYS, "%s: object %llu -> %u (was %d, filter %d)", u->oid,
		  (unsigned long long)u->objno, (unsigned)u->state,
		  u->snap_id == CEPHC_RBD_NOSNAP
		      ? (int)cephc_rbd_object_map_get(&om->map, u->objno)
		      : -1,
		  u->filter);
	if (u->snap_id == CEPHC_RBD_NOSNAP)
		ret = add_assert(&u->ops, "", "", u->in, sizeof(u->in));
	enc_init(&e, u->in2, sizeof(u->in2));
	if (!ret)
		ret = cephc_rbd_enc_object_map_update(
		    &e, u->objno, u->objno + 1, u->state, filt,
		    filt ? (uint8_t)u->filter : 0);
	if (!ret)
		ret = rbd_op_call(&u->ops, "object_map_update", u->in2,
				  enc_len(&e), true);
	cephc_osdc_req_init(&u->req);
	u->req.ops = &u->ops;
	u->req.pool = img->pool;
	u->req.nspace = img->nspace;
	u->req.oid = u->oid;
	u->req.done = update_done;
	if (!ret)
		ret = osdc ? cephc_osdc_submit(osdc, &u->req) : CEPHC_ESHUTDOWN;
	if (ret)
		update_done(&u->req, ret);
}

static int update_queue(struct cephc_rbd_image *img, uint64_t snap_id,
			uint64_t objno, uint8_t state, int filter,
			rbd_om_done_fn done, void *arg)
{
	struct rbd_om *om = img->om;
	struct om_update *u, *n;
	bool busy = false;

	if (!om || !done || state > CEPHC_RBD_OBJECT_EXISTS_CLEAN ||
	    filter > CEPHC_RBD_OBJECT_EXISTS_CLEAN || filter < -1)
		return om ? CEPHC_EINVAL : 1;
	for (n = om->head; n; n = n->next)
		busy |= !n->invalidate && n->objno == objno &&
			n->snap_id == snap_id;
	/* nothing to do unless an earlier update may still change it */
	if (snap_id == CEPHC_RBD_NOSNAP && !busy &&
	    !cephc_rbd_object_map_update_required(
		cephc_rbd_object_map_get(&om->map, objno), state))
		return 1;
	if (snap_id == CEPHC_RBD_NOSNAP && objno >= om->map.count)
		return CEPHC_ERANGE;
	u = cephc_calloc(1, sizeof(*u));
	if (!u)
		return CEPHC_ENOMEM;
	u->om = om;
	u->snap_id = snap_id;
	u->objno = objno;
	u->state = state;
	u->filter = filter;
	u->done = done;
	u->arg = arg;
	cephc_osd_ops_init(&u->ops);
	cephc_rbd_object_map_name(img->meta.id, snap_id, u->oid,
				  sizeof(u->oid));
	if (om->tail)
		om->tail->next = u;
	else
		om->head = u;
	om->tail = u;
	if (!busy)
		update_start(u);
	return 0;
}

int rbd_om_update(struct cephc_rbd_image *img, uint64_t objno,
		  uint8_t new_state, int filter, rbd_om_done_fn done, void *arg)
{
	return update_queue(img, CEPHC_RBD_NOSNAP, objno, new_state, filter,
			    done, arg);
}

int rbd_om_update_snap(struct cephc_rbd_image *img, uint64_t snap_id,
		       uint64_t objno, uint8_t state, rbd_om_done_fn done,
		       void *arg)
{
	if (snap_id == CEPHC_RBD_NOSNAP)
		return CEPHC_EINVAL;
	return update_queue(img, snap_id, objno, state, RBD_OM_NO_FILTER, done,
			    arg);
}

/* ---- for the management ops (layer 6) ------------------------------- */

/* Driver context: copy the in-memory HEAD map out. */
static void copy_fn(void *arg)
{
	struct om_call *c = arg;
	struct cephc_rbd_object_map *out = c->arg;

	c->ret = cephc_rbd_object_map_alloc(out, c->om->map.count);
	if (!c->ret && out->data_len)
		memcpy(out->data, c->om->map.data, out->data_len);
}

int rbd_om_snapshot(struct cephc_rbd_image *img,
		    struct cephc_rbd_object_map *out)
{
	struct om_call c = {.om = img->om, .arg = out};
	int ret;

	memset(out, 0, sizeof(*out));
	if (!img->om)
		return CEPHC_EINVAL;
	ret = om_run(img, copy_fn, &c);
	return ret ? ret : c.ret;
}

/* Driver context: take the saved map as the in-memory one. */
static void adopt_fn(void *arg)
{
	struct om_call *c = arg;
	struct cephc_rbd_object_map *m = c->arg;

	cephc_rbd_object_map_clear(&c->om->map);
	c->om->map = *m;
	memset(m, 0, sizeof(*m));
}

int rbd_om_save(struct cephc_rbd_image *img, uint64_t snap_id,
		struct cephc_rbd_object_map *m)
{
	struct rbd_loc l = rbd_image_loc(img);
	struct cephc_osd_ops ops;
	uint8_t in[OM_LOCK_ARGS_MAX];
	char oid[RBD_OID_MAX];
	size_t cap = cephc_rbd_object_map_encoded_len(m->count);
	uint8_t *buf = cephc_malloc(cap);
	struct cephc_enc e;
	int ret = buf ? 0 : CEPHC_ENOMEM;

	cephc_rbd_object_map_name(img->meta.id, snap_id, oid, sizeof(oid));
	cephc_osd_ops_init(&ops);
	/* HEAD: only while we hold the map lock (librbd's aio_save) */
	if (!ret && snap_id == CEPHC_RBD_NOSNAP)
		ret = add_assert(&ops, "", "", in, sizeof(in));
	enc_init(&e, buf, cap);
	if (!ret)
		ret = cephc_rbd_enc_object_map(&e, m);
	if (!ret)
		ret = rbd_op_call(&ops, "object_map_save", buf, enc_len(&e),
				  true);
	if (!ret)
		ret = rbd_exec_ops(&l, oid, &ops);
	else
		cephc_osd_ops_release(&ops);
	cephc_free(buf);
	if (!ret && snap_id == CEPHC_RBD_NOSNAP && img->om) {
		struct om_call c = {.om = img->om, .arg = m};

		ret = om_run(img, adopt_fn, &c);
	}
	return ret;
}

void rbd_om_set_valid(struct cephc_rbd_image *img)
{
	if (img->om)
		atomic_store(&img->om->invalid, false);
}

/* ---- snapshots (image_snap_ops.c) ----------------------------------- */

/* The map object of snap_id as its bytes (librbd copies maps verbatim:
 * a `read 0~0` of the whole object).  *out is cephc_malloc()ed. */
static int map_read_raw(struct cephc_rbd_image *img, uint64_t snap_id,
			uint64_t count_hint, uint8_t **out, size_t *len)
{
	struct rbd_loc l = rbd_image_loc(img);
	struct cephc_osd_ops ops;
	struct cephc_osdc_req req;
	char oid[RBD_OID_MAX];
	/* the object is the encoding of its entries; a hint too small only
	 * makes the read fail (then the map is invalidated) */
	uint64_t cap = cephc_rbd_object_map_encoded_len(count_hint) + 4096;
	int ret;

	*out = NULL;
	*len = 0;
	if (cap > CEPHC_OSD_OUT_MAX)
		cap = CEPHC_OSD_OUT_MAX;
	cephc_rbd_object_map_name(img->meta.id, snap_id, oid, sizeof(oid));
	cephc_osd_ops_init(&ops);
	ret = cephc_osd_op_read(cephc_osd_ops_add(&ops), 0, cap, NULL, 0);
	if (!ret) {
		rbd_req_setup(&req, &ops, &l, oid);
		ret = rbd_osd_exec(img->osd, &req);
	}
	if (!ret && ops.ops[0].op_outdata_len == 0)
		ret = CEPHC_ENOENT; /* empty: no map to copy */
	if (!ret) {
		*out = cephc_malloc(ops.ops[0].op_outdata_len);
		if (!*out)
			ret = CEPHC_ENOMEM;
	}
	if (!ret) {
		memcpy(*out, ops.ops[0].op_outdata, ops.ops[0].op_outdata_len);
		*len = ops.ops[0].op_outdata_len;
	}
	cephc_osd_ops_release(&ops);
	return ret;
}

/* write_full of raw map bytes to the map of snap_id (HEAD: asserting the
 * map lock, as librbd's rollback does). */
static int map_write_raw(struct cephc_rbd_image *img, uint64_t snap_id,
			 const uint8_t *buf, size_t len)
{
	struct rbd_loc l = rbd_image_loc(img);
	struct cephc_osd_ops ops;
	uint8_t in[OM_LOCK_ARGS_MAX];
	char oid[RBD_OID_MAX];
	struct iovec iov = {(void *)buf, len};
	int ret = 0;

	cephc_rbd_object_map_name(img->meta.id, snap_id, oid, sizeof(oid));
	cephc_osd_ops_init(&ops);
	if (snap_id == CEPHC_RBD_NOSNAP)
		ret = add_assert(&ops, "", "", in, sizeof(in));
	if (!ret)
		ret = cephc_osd_op_writefull(cephc_osd_ops_add(&ops), &iov, 1);
	if (ret) {
		cephc_osd_ops_release(&ops);
		return ret;
	}
	return rbd_exec_ops(&l, oid, &ops);
}

/* Driver context: a snapshot makes HEAD's EXISTS entries EXISTS_CLEAN. */
static void snap_add_fn(void *arg)
{
	struct om_call *c = arg;

	cephc_rbd_object_map_apply(&c->om->map, 0, c->om->map.count,
				   CEPHC_RBD_OBJECT_EXISTS_CLEAN,
				   CEPHC_RBD_OBJECT_EXISTS);
}

int rbd_om_snap_create(struct cephc_rbd_image *img, uint64_t snap_id)
{
	struct rbd_om *om = img->om;
	struct rbd_loc l = rbd_image_loc(img);
	struct cephc_osd_ops ops;
	struct om_call c = {.om = om};
	uint8_t in[OM_LOCK_ARGS_MAX], *raw = NULL;
	size_t len = 0;
	int ret;

	if (!om)
		return 0;
	/* no update may be half done while HEAD is copied */
	om_drain(img, om);
	ret = map_read_raw(img, CEPHC_RBD_NOSNAP, om->map.count, &raw, &len);
	if (!ret)
		ret = map_write_raw(img, snap_id, raw, len);
	cephc_free(raw);
	if (ret) {
		log_warn(SUBSYS, "%s: snapshot %llu map: %s", om->oid,
			 (unsigned long long)snap_id, cephc_strerror(ret));
		/* the snapshot's map cannot be trusted */
		rbd_om_set_flags(img, snap_id, invalid_flags(img),
				 invalid_flags(img));
		return ret;
	}
	if (!om->fast_diff)
		return 0;
	cephc_osd_ops_init(&ops);
	ret = add_assert(&ops, "", "", in, sizeof(in));
	if (!ret)
		ret = rbd_op_call(&ops, "object_map_snap_add", NULL, 0, true);
	if (!ret)
		ret = rbd_exec_ops(&l, om->oid, &ops);
	else
		cephc_osd_ops_release(&ops);
	if (!ret)
		ret = om_run(img, snap_add_fn, &c);
	if (ret) {
		log_warn(SUBSYS, "%s: object_map_snap_add: %s", om->oid,
			 cephc_strerror(ret));
		rbd_om_invalidate(img);
	}
	return ret;
}

struct snap_rm_apply {
	const struct cephc_rbd_object_map *removed;
};

/* Driver context: object_map_snap_remove on the in-memory HEAD: where the
 * removed snapshot had EXISTS (or had no entry), EXISTS_CLEAN -> EXISTS. */
static void snap_rm_fn(void *arg)
{
	struct om_call *c = arg;
	const struct cephc_rbd_object_map *rm = c->arg;
	struct cephc_rbd_object_map *m = &c->om->map;

	for (uint64_t i = 0; i < m->count; i++) {
		if (cephc_rbd_object_map_get(m, i) !=
		    CEPHC_RBD_OBJECT_EXISTS_CLEAN)
			continue;
		if (i >= rm->count ||
		    cephc_rbd_object_map_get(rm, i) == CEPHC_RBD_OBJECT_EXISTS)
			cephc_rbd_object_map_set(m, i, CEPHC_RBD_OBJECT_EXISTS);
	}
}

int rbd_om_snap_remove(struct cephc_rbd_image *img, uint64_t snap_id,
		       uint64_t next_id)
{
	struct rbd_loc l = rbd_image_loc(img);
	struct cephc_rbd_object_map m = {0};
	char oid[RBD_OID_MAX], next_oid[RBD_OID_MAX];
	uint64_t flags = 0;
	bool fast_diff = img->meta.features & CEPHC_RBD_FEATURE_FAST_DIFF;
	int ret = 0;

	if (!(img->meta.features & CEPHC_RBD_FEATURE_OBJECT_MAP))
		return 0;
	cephc_rbd_object_map_name(img->meta.id, snap_id, oid, sizeof(oid));
	cephc_rbd_object_map_name(img->meta.id, next_id, next_oid,
				  sizeof(next_oid));
	if (fast_diff) {
		/* an invalid snapshot map cannot be merged: the next map
		 * becomes invalid instead (librbd's SnapshotRemoveRequest) */
		ret = rbd_om_get_flags(img, snap_id, &flags);
		if (!ret && !(flags & CEPHC_RBD_FLAG_OBJECT_MAP_INVALID))
			ret = rbd_om_load(img, snap_id, &m);
		if (!ret && !(flags & CEPHC_RBD_FLAG_OBJECT_MAP_INVALID)) {
			struct cephc_osd_ops ops;
			uint8_t in[OM_LOCK_ARGS_MAX];
			size_t cap = cephc_rbd_object_map_encoded_len(m.count);
			uint8_t *buf = cephc_malloc(cap);
			struct cephc_enc e;

			ret = buf ? 0 : CEPHC_ENOMEM;
			cephc_osd_ops_init(&ops);
			if (!ret && next_id == CEPHC_RBD_NOSNAP)
				ret = add_assert(&ops, "", "", in, sizeof(in));
			enc_init(&e, buf, cap);
			if (!ret)
				ret = cephc_rbd_enc_object_map(&e, &m);
			if (!ret)
				ret =
				    rbd_op_call(&ops, "object_map_snap_remove",
						buf, enc_len(&e), true);
			if (!ret)
				ret = rbd_exec_ops(&l, next_oid, &ops);
			else
				cephc_osd_ops_release(&ops);
			cephc_free(buf);
			if (!ret && next_id == CEPHC_RBD_NOSNAP && img->om) {
				struct om_call c = {.om = img->om, .arg = &m};

				om_drain(img, img->om);
				ret = om_run(img, snap_rm_fn, &c);
			}
		}
		if (ret == CEPHC_ENOENT)
			ret = 0; /* no map for it (or no next map): nothing */
		if (ret || (flags & CEPHC_RBD_FLAG_OBJECT_MAP_INVALID)) {
			log_warn(SUBSYS, "%s: merge into %s: %s", oid, next_oid,
				 ret ? cephc_strerror(ret) : "map invalid");
			if (next_id == CEPHC_RBD_NOSNAP)
				rbd_om_invalidate(img);
			else
				rbd_om_set_flags(img, next_id,
						 invalid_flags(img),
						 invalid_flags(img));
			ret = 0;
		}
		cephc_rbd_object_map_clear(&m);
	}
	ret = rbd_delete_object(&l, oid);
	if (ret)
		log_warn(SUBSYS, "%s: remove: %s", oid, cephc_strerror(ret));
	return ret;
}

int rbd_om_rollback(struct cephc_rbd_image *img, uint64_t snap_id)
{
	struct rbd_om *om = img->om;
	struct cephc_rbd_object_map m;
	uint8_t *raw = NULL;
	size_t len = 0;
	int ret;

	if (!om)
		return 0;
	om_drain(img, om);
	ret = map_read_raw(img, snap_id,
			   cephc_striper_num_objects(&img->layout, img->size),
			   &raw, &len);
	if (!ret)
		ret = map_write_raw(img, CEPHC_RBD_NOSNAP, raw, len);
	cephc_free(raw);
	/* the copy becomes the in-memory map */
	if (!ret)
		ret = rbd_om_load(img, CEPHC_RBD_NOSNAP, &m);
	if (!ret) {
		struct om_call c = {.om = om, .arg = &m};

		ret = om_run(img, adopt_fn, &c);
		cephc_rbd_object_map_clear(&m);
	}
	if (ret) {
		log_warn(SUBSYS, "%s: rollback to snapshot %llu: %s", om->oid,
			 (unsigned long long)snap_id, cephc_strerror(ret));
		rbd_om_invalidate(img);
	}
	return ret;
}
