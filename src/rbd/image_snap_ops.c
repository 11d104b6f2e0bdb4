/* SPDX-License-Identifier: MIT */
/*
 * Snapshot management as librbd's operation/Snapshot*Request do it: create,
 * remove (through the snapshot trash when v2 clones use the snapshot),
 * rollback, rename, protect/unprotect, limit; always as the exclusive
 * lock's owner (rbd_image_op_begin asks a live owner for it), then a
 * header-update notify so other clients re-read the header.
 *
 * Create, in librbd's order: Quiesce notify (retried on a timeout), block
 * new writes and wait for those in flight, a self-managed snapshot id of
 * the data pool from the monitors, rbd.snapshot_add (ESTALE: another
 * client's id came later, allocate again; another error gives the id
 * back), the object map's copy (image_object_map.c), the handle's write
 * snap context re-read (so no write that follows lands in the snapshot)
 * before writes resume, Unquiesce, HeaderUpdate.
 *
 * Layer 6 (management ops): it opens images (the trash collection of a
 * parent snapshot) and resizes them (rollback).
 */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "cephc/errors.h"
#include "client/client.h"
#include "core/alloc.h"
#include "core/log.h"
#include "mon/mon_msgs.h"
#include "osdc/cls_lock.h"
#include "rbd/cls_rbd.h"
#include "rbd/image.h"
#include "rbd/image_object_map.h"
#include "rbd/image_snap_ops.h"
#include "rbd/rbd_features.h"
#include "rbd/rbd_notify.h"

#define SUBSYS "rbd"
/* rbd_quiesce_notification_attempts (default 10) */
#define QUIESCE_ATTEMPTS 10
/* ESTALE from snapshot_add: another client's id won; allocate again */
#define SNAP_ID_ATTEMPTS 8
/* rollback: ROLLBACK ops in flight at once */
#define ROLLBACK_BATCH 16
#define LOCK_ARGS_MAX 512

/* AsyncRequestId.request_id of our quiesce notifies (librbd numbers them
 * per client; any increasing number does). */
static atomic_uint_fast64_t quiesce_seq;

/* ---- the header's snapshots ------------------------------------------- */

struct snap_set {
	struct rbd_snap_rec *v; /* newest first (the snap context's order) */
	uint32_t n;
};

static void snap_set_clear(struct snap_set *s)
{
	rbd_snap_recs_free(s->v, s->n);
	s->v = NULL;
	s->n = 0;
}

/* Every snapshot of the header now, newest first. */
static int snaps_fetch(struct cephc_rbd_image *img, struct snap_set *out)
{
	memset(out, 0, sizeof(*out));
	return rbd_snaps_fetch(img, &out->v, &out->n);
}

/* The user snapshot called name (or, with name NULL, the snapshot id). */
static struct rbd_snap_rec *snaps_find(struct snap_set *s, const char *name,
				       uint64_t id)
{
	for (uint32_t i = 0; i < s->n; i++) {
		const struct cephc_rbd_snap_info *si = &s->v[i].info;

		if (name ? si->ns_type == CEPHC_RBD_SNAP_NS_USER &&
			       !strcmp(si->name, name)
			 : si->id == id)
			return &s->v[i];
	}
	return NULL;
}

/* ---- small helpers ------------------------------------------------------ */

/* Add lock.assert_locked on the header lock (when we hold it) to ops:
 * librbd asserts it on its header updates as the owner. */
static int add_header_assert(struct cephc_rbd_image *img,
			     struct cephc_osd_ops *ops, uint8_t *in, size_t cap)
{
	char cookie[64];
	struct cephc_cls_lock_args a = {
	    .name = "rbd_lock",
	    .type = CEPHC_CLS_LOCK_EXCLUSIVE,
	    .cookie = cookie,
	    .tag = "internal",
	};
	struct iovec iov;
	size_t len;
	int ret;

	pthread_mutex_lock(&img->lock);
	snprintf(cookie, sizeof(cookie), "%s", img->lock_cookie);
	pthread_mutex_unlock(&img->lock);
	if (!img->ex || !cookie[0])
		return 0;
	ret = cephc_cls_lock_encode_assert(&a, in, cap, &len);
	if (ret)
		return ret;
	iov.iov_base = in;
	iov.iov_len = len;
	return cephc_osd_op_call(cephc_osd_ops_add(ops), CEPHC_CLS_LOCK_CLASS,
				 "assert_locked", &iov, 1, false, 0);
}

/* One rbd method on the header, after the header-lock assert. */
static int header_update(struct cephc_rbd_image *img, const char *method,
			 const void *in, size_t len)
{
	struct rbd_loc l = rbd_image_loc(img);
	struct cephc_osd_ops ops;
	uint8_t a[LOCK_ARGS_MAX];
	int ret;

	cephc_osd_ops_init(&ops);
	ret = add_header_assert(img, &ops, a, sizeof(a));
	if (!ret)
		ret = rbd_op_call(&ops, method, in, len, true);
	if (ret) {
		cephc_osd_ops_release(&ops);
		return ret;
	}
	return rbd_exec_ops(&l, img->header_oid, &ops);
}

/* The end of every snapshot op: tell the other watchers. */
static void notify_update(struct cephc_rbd_image *img)
{
	int ret = rbd_image_notify_header_update(img);

	if (ret)
		log_debug(SUBSYS, "%s: header update notify: %s",
			  img->header_oid, cephc_strerror(ret));
}

static int check_writable(struct cephc_rbd_image *img)
{
	if (img->read_only || img->snap_id != CEPHC_RBD_NOSNAP)
		return CEPHC_EROFS;
	return 0;
}

/* ---- quiesce ------------------------------------------------------------ */

struct quiesce_result {
	int32_t r; /* the first failure a watcher answered */
};

static int quiesce_acks(void *arg, const uint8_t *p, size_t len)
{
	struct quiesce_result *qr = arg;
	struct cephc_osd_notify_iter it;
	const uint8_t *payload;
	uint64_t gid, cookie;
	uint32_t plen;
	int32_t r;
	int ret = cephc_osd_notify_iter_init(&it, p, len);

	while (!ret && (ret = cephc_osd_notify_iter_next_ack(
			    &it, &gid, &cookie, &payload, &plen)) > 0) {
		ret = 0;
		/* an empty ack is a watcher without quiesce hooks */
		if (plen && !rbd_notify_decode_response(payload, plen, &r) &&
		    r < 0 && r != CEPHC_EOPNOTSUPP && !qr->r)
			qr->r = r;
	}
	return ret;
}

/* librbd's notify_quiesce / notify_unquiesce: op 18 / 19 with an
 * AsyncRequestId; the quiesce is sent again while it times out. */
static int quiesce_notify(struct cephc_rbd_image *img, uint32_t op,
			  uint64_t request_id)
{
	struct rbd_client_id us = {cephc_cluster_instance_id(img->c),
				   img->watch_cookie};
	uint8_t b[RBD_NOTIFY_MSG_MAX];
	size_t len;
	int ret =
	    rbd_notify_encode_async(op, &us, request_id, b, sizeof(b), &len);

	for (int attempt = 0; !ret && attempt < QUIESCE_ATTEMPTS; attempt++) {
		struct quiesce_result qr = {0};

		ret = rbd_image_notify_wait(img, b, len, quiesce_acks, &qr);
		if (op == RBD_NOTIFY_UNQUIESCE)
			return ret; /* best effort: watchers unquiesce anyway */
		if (ret == CEPHC_ETIMEDOUT) {
			ret = 0; /* a watcher did not answer: again */
			continue;
		}
		return ret ? ret : qr.r;
	}
	return ret ? ret : CEPHC_ETIMEDOUT;
}

/* ---- create ------------------------------------------------------------- */

/* snapshot_add (asserting the header lock); ESTALE when id is not newer
 * than the header's snap seq. */
static int snapshot_add(struct cephc_rbd_image *img, uint64_t id,
			const char *name)
{
	uint8_t b[CEPHC_RBD_SNAP_NAME_MAX + 64];
	struct cephc_enc e;
	int ret;

	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_snapshot_add(&e, id, name);
	return ret ? ret : header_update(img, "snapshot_add", b, enc_len(&e));
}

static int snap_create_blocked(struct cephc_rbd_image *img, const char *name,
			       uint64_t *out_id)
{
	uint64_t id = 0;
	int ret = CEPHC_ESTALE, r;

	for (int i = 0; ret == CEPHC_ESTALE && i < SNAP_ID_ATTEMPTS; i++) {
		/* ids are pool-wide: from the data objects' pool */
		ret = cephc_client_pool_op(img->c, img->data_pool,
					   CEPHC_POOL_OP_CREATE_UNMANAGED_SNAP,
					   0, &id);
		if (ret) {
			rbd_set_err("allocating a snapshot id: %s",
				    cephc_strerror(ret));
			return ret;
		}
		ret = snapshot_add(img, id, name);
		if (ret && ret != CEPHC_ESTALE) {
			/* give the id back (librbd's release_snap_id) */
			r = cephc_client_pool_op(
			    img->c, img->data_pool,
			    CEPHC_POOL_OP_DELETE_UNMANAGED_SNAP, id, NULL);
			if (r)
				log_warn(SUBSYS,
					 "releasing snap id %" PRIu64 ": %s",
					 id, cephc_strerror(r));
		}
	}
	if (ret) {
		if (ret == CEPHC_EDQUOT)
			rbd_set_err("snapshot limit reached");
		else if (ret == CEPHC_EEXIST)
			rbd_set_err("snapshot '%s' already exists", name);
		return ret;
	}
	/* the maps: the snapshot's copy and HEAD's clean entries; a failure
	 * has invalidated the map in question and the snapshot stands */
	ret = rbd_om_snap_create(img, id);
	if (ret)
		log_warn(SUBSYS, "%s: snapshot %s: object map: %s",
			 img->header_oid, name, cephc_strerror(ret));
	*out_id = id;
	/* writes resuming after this carry the new snap context, even if
	 * the re-read below fails */
	ret = rbd_image_snapc_add(img, id);
	r = rbd_image_refresh(img);
	if (r)
		log_warn(SUBSYS, "%s: refresh after snapshot: %s",
			 img->header_oid, cephc_strerror(r));
	if (ret && r) {
		rbd_set_err("snapshot '%s' made, but writes do not keep it "
			    "yet: %s",
			    name, cephc_strerror(ret));
		return ret;
	}
	return 0;
}

int cephc_rbd_snap_create(cephc_rbd_image *img, const char *name,
			  unsigned flags)
{
	uint64_t id = 0, qid = 0;
	bool quiesced = false;
	int ret;

	if (!img || !name || !name[0] ||
	    strlen(name) >= CEPHC_RBD_SNAP_NAME_MAX ||
	    (flags & ~(CEPHC_RBD_SNAP_CREATE_SKIP_QUIESCE |
		       CEPHC_RBD_SNAP_CREATE_IGNORE_QUIESCE_ERROR)))
		return CEPHC_EINVAL;
	rbd_clear_err();
	ret = check_writable(img);
	if (ret)
		return ret;
	ret = rbd_image_op_begin(img);
	if (ret)
		return ret;
	if (!(flags & CEPHC_RBD_SNAP_CREATE_SKIP_QUIESCE) && img->watching) {
		qid = atomic_fetch_add(&quiesce_seq, 1) + 1;
		ret = quiesce_notify(img, RBD_NOTIFY_QUIESCE, qid);
		quiesced = true;
		if (ret && (flags & CEPHC_RBD_SNAP_CREATE_IGNORE_QUIESCE_ERROR))
			ret = 0;
		else if (ret)
			rbd_set_err("quiesce failed: %s", cephc_strerror(ret));
	}
	if (!ret) {
		/* writes in flight land before the snapshot, new ones after */
		ret = img->ex ? rbd_exlock_block_writes(img)
			      : cephc_rbd_flush(img);
		if (!ret) {
			ret = snap_create_blocked(img, name, &id);
			rbd_exlock_unblock_writes(img);
		}
	}
	if (quiesced)
		quiesce_notify(img, RBD_NOTIFY_UNQUIESCE, qid);
	if (!ret)
		notify_update(img);
	rbd_image_op_end(img);
	return ret;
}

/* ---- remove ------------------------------------------------------------- */

/* rbd_snap_children_walk()'s callback when only the number counts. */
static int child_count(void *arg, int64_t pool, const char *nspace,
		       const char *image_id)
{
	(void)pool;
	(void)nspace;
	(void)image_id;
	++*(uint32_t *)arg;
	return 0;
}

/* Whether pool id is in the cluster's map now. */
static int pool_exists(struct cephc_rbd_image *img, int64_t id, bool *exists)
{
	struct cephc_pool_info *pools;
	size_t n;
	int ret = cephc_cluster_pool_list(img->c, &pools, &n);

	*exists = false;
	if (ret)
		return ret;
	for (size_t i = 0; i < n && !*exists; i++)
		*exists = pools[i].id == id;
	cephc_buffer_free(pools);
	return 0;
}

struct live_children {
	struct cephc_rbd_image *img;
	uint64_t snap_id;
	uint32_t n;
};

/* rbd_snap_children_walk()'s callback for removal: a clone whose pool is
 * gone can never detach itself, so its record leaves our header here (as
 * librbd's snapshot removal does); any other clone counts. */
static int child_live(void *arg, int64_t pool, const char *nspace,
		      const char *image_id)
{
	struct live_children *lc = arg;
	struct cephc_rbd_image *img = lc->img;
	uint8_t b[CEPHC_RBD_ENC_MAX];
	struct cephc_enc e;
	bool exists;
	int ret = pool_exists(img, pool, &exists);

	if (ret || exists) {
		lc->n += !ret;
		return ret;
	}
	enc_init(&e, b, sizeof(b));
	ret =
	    cephc_rbd_enc_child_detach(&e, lc->snap_id, pool, nspace, image_id);
	if (!ret)
		ret = rbd_image_call(img, img->header_oid, "child_detach", b,
				     enc_len(&e), true, NULL, NULL);
	if (ret == CEPHC_ENOENT)
		ret = 0; /* detached meanwhile */
	if (!ret)
		log_info(SUBSYS,
			 "%s: snapshot %" PRIu64 ": clone %s of deleted "
			 "pool %" PRId64 " detached",
			 img->header_oid, lc->snap_id, image_id, pool);
	return ret;
}

/* snapshot_get of one snapshot now (its child count after trashing). */
static int snap_get(struct cephc_rbd_image *img, uint64_t id,
		    struct cephc_rbd_snap_info *si)
{
	struct snap_set s;
	struct rbd_snap_rec *r;
	int ret = snaps_fetch(img, &s);

	memset(si, 0, sizeof(*si));
	if (ret)
		return ret;
	r = snaps_find(&s, NULL, id);
	if (r) {
		*si = r->info;
		memset(&r->info, 0, sizeof(r->info));
	}
	snap_set_clear(&s);
	return r ? 0 : CEPHC_ENOENT;
}

/* librbd's SnapshotRemoveRequest once the caller owns the lock. */
static bool clone_v2(const struct cephc_rbd_image *img)
{
	return (img->meta.features & CEPHC_RBD_FEATURE_OPERATIONS) &&
	       (img->meta.op_features & CEPHC_RBD_OP_FEATURE_CLONE_CHILD);
}

int rbd_detach_child(struct cephc_rbd_image *img,
		     const struct cephc_rbd_parent_spec *ps)
{
	struct rbd_loc l = rbd_image_loc(img);
	uint8_t b[CEPHC_RBD_ENC_MAX + CEPHC_RBD_NAMESPACE_MAX];
	struct cephc_enc e;
	int ret;

	if (ps->pool_id < 0)
		return 0;
	enc_init(&e, b, sizeof(b));
	if (clone_v2(img)) {
		struct rbd_loc pl = {img->osd, ps->pool_id, ps->pool_namespace};
		char hdr[RBD_OID_MAX];

		cephc_rbd_header_object_name(ps->image_id, hdr, sizeof(hdr));
		ret = cephc_rbd_enc_child_detach(&e, ps->snap_id, img->pool,
						 img->nspace, img->meta.id);
		if (!ret)
			ret = rbd_call(&pl, hdr, "child_detach", b, enc_len(&e),
				       true, NULL, NULL);
		/* a parent snapshot removed while clones used it sits in
		 * the trash; it goes with its last clone, as in librbd */
		if (!ret) {
			int r = rbd_snap_trash_gc(img->c, ps->pool_id,
						  ps->pool_namespace,
						  ps->image_id, ps->snap_id);
			if (r)
				log_warn(SUBSYS,
					 "%s: removing the parent's trashed "
					 "snapshot %" PRIu64 ": %s",
					 img->header_oid, ps->snap_id,
					 cephc_strerror(r));
		}
	} else {
		/* v1: the record in the clone's own pool (no namespace) */
		ret = cephc_rbd_enc_remove_child(&e, ps, img->meta.id);
		if (!ret)
			ret = rbd_call(&l, CEPHC_RBD_CHILDREN, "remove_child",
				       b, enc_len(&e), true, NULL, NULL);
	}
	if (ret == CEPHC_ENOENT)
		ret = 0;
	if (ret && !rbd_have_err())
		rbd_set_err("detaching from the parent: %s",
			    cephc_strerror(ret));
	return ret;
}

/*
 * Snapshot removal's DetachChildRequest: a clone flattened without
 * deep-flatten keeps its parent for its snapshots (HEAD has none); when
 * snapshot id is the last one that still uses it, the parent's snapshot
 * forgets the clone.
 */
static int detach_unused_parent(struct cephc_rbd_image *img, uint64_t id)
{
	struct cephc_rbd_parent_spec ps, o;
	struct snap_set s = {0};
	bool has, other = false;
	uint64_t ov;
	int ret = rbd_parent_spec_at(img, id, &ps, &has, &ov);

	if (ret || !has)
		goto out;
	ret = rbd_parent_spec_at(img, CEPHC_RBD_NOSNAP, &o, &other, &ov);
	cephc_rbd_parent_spec_clear(&o);
	if (!ret && !other)
		ret = snaps_fetch(img, &s);
	for (uint32_t i = 0; !ret && !other && i < s.n; i++) {
		if (s.v[i].info.id == id)
			continue;
		ret = rbd_parent_spec_at(img, s.v[i].info.id, &o, &other, &ov);
		cephc_rbd_parent_spec_clear(&o);
	}
	snap_set_clear(&s);
	if (!ret && !other)
		ret = rbd_detach_child(img, &ps);
out:
	cephc_rbd_parent_spec_clear(&ps);
	return ret;
}

static int snap_remove_owned(struct cephc_rbd_image *img, uint64_t id)
{
	struct cephc_rbd_snap_info si;
	struct snap_set s;
	struct rbd_snap_rec *rec;
	uint64_t next_id = CEPHC_RBD_NOSNAP;
	uint8_t b[16];
	struct cephc_enc e;
	bool was_trash;
	uint32_t children = 0;
	int ret = snaps_fetch(img, &s);

	if (ret)
		return ret;
	rec = snaps_find(&s, NULL, id);
	if (!rec) {
		snap_set_clear(&s);
		return CEPHC_ENOENT;
	}
	if (rec->prot != CEPHC_RBD_PROTECTION_UNPROTECTED) {
		snap_set_clear(&s);
		rbd_set_err("snapshot is protected");
		return CEPHC_EBUSY;
	}
	was_trash = rec->info.ns_type == CEPHC_RBD_SNAP_NS_TRASH;
	/* the next newer snapshot (the context is newest first) */
	for (uint32_t i = 0; i < s.n; i++)
		if (&s.v[i] == rec && i > 0)
			next_id = s.v[i - 1].info.id;
	snap_set_clear(&s);

	enc_init(&e, b, sizeof(b));
	cephc_rbd_enc_snap_id(&e, id);
	/* 1. into the trash namespace first, whatever follows */
	if (!was_trash) {
		ret = rbd_image_call(img, img->header_oid, "snapshot_trash_add",
				     b, enc_len(&e), true, NULL, NULL);
		if (ret == CEPHC_EOPNOTSUPP || ret == CEPHC_EEXIST)
			ret = 0;
		if (ret)
			return ret;
	}
	/* 2. clones still using it keep it there */
	ret = snap_get(img, id, &si);
	if (!ret && si.child_count > 0) {
		struct live_children lc = {img, id, 0};

		ret = rbd_snap_children_walk(img, id, RBD_CHILDREN_V2,
					     child_live, &lc);
		children = lc.n;
	}
	cephc_rbd_snap_info_clear(&si);
	if (ret)
		return ret;
	if (children) {
		if (was_trash) {
			rbd_set_err("snapshot has clones");
			return CEPHC_EBUSY;
		}
		log_info(SUBSYS,
			 "%s: snapshot %" PRIu64 " has %u clone(s): "
			 "left in the trash",
			 img->header_oid, id, children);
		notify_update(img);
		return 0;
	}
	/* 3. the last snapshot using the parent lets it go */
	ret = detach_unused_parent(img, id);
	if (ret)
		return ret;
	/* 4. the object maps: merge into the next one, drop its own */
	rbd_om_snap_remove(img, id, next_id);
	/* 5. the id back to the pool (its clones get trimmed) */
	ret =
	    cephc_client_pool_op(img->c, img->data_pool,
				 CEPHC_POOL_OP_DELETE_UNMANAGED_SNAP, id, NULL);
	if (ret && ret != CEPHC_ENOENT) {
		rbd_set_err("releasing the snapshot id: %s",
			    cephc_strerror(ret));
		return ret;
	}
	/* 6. the record */
	ret = header_update(img, "snapshot_remove", b, enc_len(&e));
	if (ret == CEPHC_ENOENT)
		ret = 0;
	if (!ret) {
		int r = rbd_image_refresh(img);
		if (r)
			log_warn(SUBSYS, "%s: refresh: %s", img->header_oid,
				 cephc_strerror(r));
		notify_update(img);
	}
	return ret;
}

static int snap_remove(struct cephc_rbd_image *img, const char *name,
		       uint64_t id)
{
	struct snap_set s;
	struct rbd_snap_rec *rec;
	int ret;

	rbd_clear_err();
	ret = check_writable(img);
	if (ret)
		return ret;
	ret = rbd_image_op_begin(img);
	if (ret)
		return ret;
	/* by name: user snapshots only (trash ones go by id) */
	ret = snaps_fetch(img, &s);
	if (!ret) {
		rec = snaps_find(&s, name, id);
		if (rec)
			id = rec->info.id;
		else
			ret = CEPHC_ENOENT;
		snap_set_clear(&s);
	}
	if (!ret)
		ret = snap_remove_owned(img, id);
	rbd_image_op_end(img);
	return ret;
}

int cephc_rbd_snap_remove(cephc_rbd_image *img, const char *name)
{
	if (!img || !name || !name[0])
		return CEPHC_EINVAL;
	return snap_remove(img, name, 0);
}

int cephc_rbd_snap_remove_by_id(cephc_rbd_image *img, uint64_t snap_id)
{
	if (!img || snap_id == CEPHC_RBD_NOSNAP)
		return CEPHC_EINVAL;
	return snap_remove(img, NULL, snap_id);
}

int rbd_snap_trash_gc(struct cephc_cluster *c, int64_t pool, const char *nspace,
		      const char *image_id, uint64_t snap_id)
{
	struct cephc_rbd_image *img = NULL;
	struct cephc_rbd_snap_info si;
	char pool_name[CEPHC_NAME_MAX];
	int ret;

	rbd_pool_name(c, pool, pool_name, sizeof(pool_name));
	if (!pool_name[0])
		return 0; /* the pool is gone, and the snapshot with it */
	ret = rbd_image_open(c, pool_name, nspace ? nspace : "", NULL, image_id,
			     NULL, CEPHC_RBD_NOSNAP, 0, &img);
	if (ret == CEPHC_ENOENT)
		return 0;
	if (ret)
		return ret;
	ret = snap_get(img, snap_id, &si);
	if (ret == CEPHC_ENOENT) {
		cephc_rbd_close(img);
		return 0;
	}
	if (!ret && si.ns_type == CEPHC_RBD_SNAP_NS_TRASH &&
	    si.child_count == 0) {
		ret = rbd_image_op_begin(img);
		if (!ret) {
			ret = snap_remove_owned(img, snap_id);
			rbd_image_op_end(img);
		}
	}
	cephc_rbd_snap_info_clear(&si);
	cephc_rbd_close(img);
	return ret;
}

/* ---- rollback ----------------------------------------------------------- */

/* ROLLBACK every object either map says may exist, ROLLBACK_BATCH at a
 * time, with the image's write snap context. */
static int rollback_objects(struct cephc_rbd_image *img, uint64_t id,
			    uint64_t count,
			    const struct cephc_rbd_object_map *head,
			    const struct cephc_rbd_object_map *snap,
			    cephc_rbd_progress_fn progress, void *arg)
{
	struct {
		struct cephc_osdc_req req;
		struct cephc_osd_ops ops;
		char oid[RBD_OID_MAX];
	} *b = cephc_calloc(ROLLBACK_BATCH, sizeof(*b));
	struct cephc_osdc_req *reqs[ROLLBACK_BATCH];
	uint64_t objno = 0;
	int ret = b ? 0 : CEPHC_ENOMEM;

	while (!ret && objno < count) {
		unsigned n = 0;

		for (; objno < count && n < ROLLBACK_BATCH; objno++) {
			bool may = !head || !snap ||
				   cephc_rbd_object_map_get(head, objno) ||
				   cephc_rbd_object_map_get(snap, objno);

			if (!may)
				continue;
			cephc_osd_ops_init(&b[n].ops);
			cephc_rbd_data_object_name(img->meta.object_prefix,
						   objno, b[n].oid,
						   sizeof(b[n].oid));
			cephc_osd_op_rollback(cephc_osd_ops_add(&b[n].ops), id);
			cephc_osdc_req_init(&b[n].req);
			b[n].req.ops = &b[n].ops;
			b[n].req.pool = img->data_pool;
			b[n].req.nspace = img->nspace;
			b[n].req.oid = b[n].oid;
			b[n].req.snap_seq = img->wsnap_seq;
			b[n].req.snaps = img->wsnaps;
			b[n].req.num_snaps = img->wnum_snaps;
			reqs[n] = &b[n].req;
			n++;
		}
		if (n)
			ret = rbd_osd_exec_many(img->osd, reqs, n);
		for (unsigned i = 0; i < n; i++) {
			int r = b[i].req.result;
			if (!ret && r && r != CEPHC_ENOENT)
				ret = r;
			cephc_osd_ops_release(&b[i].ops);
		}
		if (progress)
			progress(arg, objno, count);
	}
	cephc_free(b);
	return ret;
}

int cephc_rbd_snap_rollback(cephc_rbd_image *img, const char *name,
			    cephc_rbd_progress_fn progress, void *arg)
{
	struct cephc_rbd_object_map head = {0}, snap = {0};
	struct snap_set s;
	struct rbd_snap_rec *rec;
	uint64_t id = 0, size = 0, count;
	bool maps = false;
	int ret;

	if (!img || !name || !name[0])
		return CEPHC_EINVAL;
	rbd_clear_err();
	ret = check_writable(img);
	if (ret)
		return ret;
	ret = snaps_fetch(img, &s);
	if (ret)
		return ret;
	rec = snaps_find(&s, name, 0);
	if (rec) {
		id = rec->info.id;
		size = rec->info.image_size;
	}
	snap_set_clear(&s);
	if (!rec)
		return CEPHC_ENOENT;
	/* the image takes the snapshot's size first (a resize of its own,
	 * as the lock's owner, trimming what a shrink cuts off) */
	ret = cephc_rbd_resize(img, size);
	if (ret)
		return ret;
	ret = rbd_image_op_begin(img);
	if (ret)
		return ret;
	ret = img->ex ? rbd_exlock_block_writes(img) : cephc_rbd_flush(img);
	if (ret) {
		rbd_image_op_end(img);
		return ret;
	}
	count = cephc_striper_num_objects(&img->layout, size);
	/* objects neither map says may exist are skipped, when both maps
	 * can be trusted */
	if (rbd_om_trusted(img)) {
		uint64_t flags = 0;

		maps = !rbd_om_snapshot(img, &head) &&
		       !rbd_om_get_flags(img, id, &flags) &&
		       !(flags & CEPHC_RBD_FLAG_OBJECT_MAP_INVALID) &&
		       !rbd_om_load(img, id, &snap);
	}
	/* HEAD's map becomes the snapshot's (librbd: before the data) */
	rbd_om_rollback(img, id);
	ret = rollback_objects(img, id, count, maps ? &head : NULL,
			       maps ? &snap : NULL, progress, arg);
	cephc_rbd_object_map_clear(&head);
	cephc_rbd_object_map_clear(&snap);
	rbd_exlock_unblock_writes(img);
	notify_update(img);
	rbd_image_op_end(img);
	return ret;
}

/* ---- rename, protect, unprotect, limit ---------------------------------- */

/* Run method(in) on the header as the lock's owner, then notify. */
static int owned_update(struct cephc_rbd_image *img, const char *method,
			const void *in, size_t len)
{
	int ret = rbd_image_op_begin(img);

	if (ret)
		return ret;
	ret = header_update(img, method, in, len);
	if (!ret)
		notify_update(img);
	rbd_image_op_end(img);
	return ret;
}

/* The user snapshot name: id and protection state. */
static int find_user_snap(struct cephc_rbd_image *img, const char *name,
			  uint64_t *id, uint8_t *prot)
{
	struct snap_set s;
	struct rbd_snap_rec *rec;
	int ret = snaps_fetch(img, &s);

	if (ret)
		return ret;
	rec = snaps_find(&s, name, 0);
	if (rec) {
		*id = rec->info.id;
		*prot = rec->prot;
	}
	snap_set_clear(&s);
	return rec ? 0 : CEPHC_ENOENT;
}

int cephc_rbd_snap_rename(cephc_rbd_image *img, const char *src,
			  const char *dst)
{
	uint8_t b[CEPHC_RBD_SNAP_NAME_MAX + 16];
	struct cephc_enc e;
	uint64_t id = 0;
	uint8_t prot;
	int ret;

	if (!img || !src || !src[0] || !dst || !dst[0] ||
	    strlen(dst) >= CEPHC_RBD_SNAP_NAME_MAX)
		return CEPHC_EINVAL;
	rbd_clear_err();
	ret = check_writable(img);
	if (!ret)
		ret = find_user_snap(img, src, &id, &prot);
	enc_init(&e, b, sizeof(b));
	if (!ret)
		ret = cephc_rbd_enc_snapshot_rename(&e, id, dst);
	if (!ret)
		ret = owned_update(img, "snapshot_rename", b, enc_len(&e));
	if (ret == CEPHC_EEXIST)
		rbd_set_err("snapshot '%s' already exists", dst);
	return ret;
}

static int set_protection(struct cephc_rbd_image *img, uint64_t id,
			  uint8_t status)
{
	uint8_t b[16];
	struct cephc_enc e;
	int ret;

	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_set_protection_status(&e, id, status);
	return ret ? ret
		   : header_update(img, "set_protection_status", b,
				   enc_len(&e));
}

int cephc_rbd_snap_protect(cephc_rbd_image *img, const char *name)
{
	uint64_t id = 0;
	uint8_t prot = 0;
	int ret;

	if (!img || !name || !name[0])
		return CEPHC_EINVAL;
	rbd_clear_err();
	ret = check_writable(img);
	if (!ret && !(img->meta.features & CEPHC_RBD_FEATURE_LAYERING))
		ret = CEPHC_ENOSYS; /* librbd: protection needs layering */
	if (!ret)
		ret = find_user_snap(img, name, &id, &prot);
	if (!ret && prot == CEPHC_RBD_PROTECTION_PROTECTED) {
		rbd_set_err("snap is already protected");
		ret = CEPHC_EBUSY;
	}
	if (!ret)
		ret = rbd_image_op_begin(img);
	if (ret)
		return ret;
	ret = set_protection(img, id, CEPHC_RBD_PROTECTION_PROTECTED);
	if (!ret)
		notify_update(img);
	rbd_image_op_end(img);
	return ret;
}

int cephc_rbd_snap_unprotect(cephc_rbd_image *img, const char *name)
{
	uint64_t id = 0;
	uint8_t prot = 0;
	uint32_t children = 0;
	int ret;

	if (!img || !name || !name[0])
		return CEPHC_EINVAL;
	rbd_clear_err();
	ret = check_writable(img);
	if (!ret)
		ret = find_user_snap(img, name, &id, &prot);
	if (!ret && prot == CEPHC_RBD_PROTECTION_UNPROTECTED) {
		rbd_set_err("snap is already unprotected");
		ret = CEPHC_EINVAL;
	}
	if (!ret)
		ret = rbd_image_op_begin(img);
	if (ret)
		return ret;
	/* UNPROTECTING stops new clones while we look for existing ones */
	ret = set_protection(img, id, CEPHC_RBD_PROTECTION_UNPROTECTING);
	if (!ret)
		ret = rbd_snap_children_walk(img, id,
					     RBD_CHILDREN_V1 | RBD_CHILDREN_V2,
					     child_count, &children);
	if (!ret && children) {
		rbd_set_err("cannot unprotect: at least %u child(ren) in "
			    "pool(s)",
			    children);
		ret = CEPHC_EBUSY;
	}
	/* back to protected when clones exist or the scan failed */
	if (ret)
		set_protection(img, id, CEPHC_RBD_PROTECTION_PROTECTED);
	else
		ret = set_protection(img, id, CEPHC_RBD_PROTECTION_UNPROTECTED);
	notify_update(img);
	rbd_image_op_end(img);
	return ret;
}

int cephc_rbd_snap_set_limit(cephc_rbd_image *img, uint64_t limit)
{
	uint8_t b[8];
	struct cephc_enc e;
	int ret;

	if (!img)
		return CEPHC_EINVAL;
	rbd_clear_err();
	ret = check_writable(img);
	if (ret)
		return ret;
	enc_init(&e, b, sizeof(b));
	cephc_rbd_enc_snap_set_limit(&e, limit);
	ret = owned_update(img, "snapshot_set_limit", b, enc_len(&e));
	if (ret == CEPHC_ERANGE)
		rbd_set_err("the image has more snapshots than %" PRIu64,
			    limit);
	return ret;
}

static int limit_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_snap_get_limit(p, len, arg);
}

int cephc_rbd_snap_get_limit(cephc_rbd_image *img, uint64_t *limit)
{
	int ret;

	if (!img || !limit)
		return CEPHC_EINVAL;
	*limit = CEPHC_RBD_SNAP_NO_LIMIT;
	ret = rbd_image_call(img, img->header_oid, "snapshot_get_limit", NULL,
			     0, false, limit_reply, limit);
	if (ret == CEPHC_ENOENT) { /* no limit set */
		*limit = CEPHC_RBD_SNAP_NO_LIMIT;
		ret = 0;
	}
	return ret;
}
