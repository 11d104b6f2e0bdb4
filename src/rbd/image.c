/* SPDX-License-Identifier: MIT */
/*
 * RBD image open and close, following librbd's image/OpenRequest over the
 * cls rbd codecs: resolve the name or id, read the header, check its
 * features, open the parent chain of a clone, start the header watch.
 * Close waits for the image's I/O, then drops lock, watch and parent.
 * The management operations live in their own files above this one
 * (image_create.c, image_resize.c, image_snap.c, image_trash.c,
 * image_pool.c).
 */
#include "rbd/image.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "rbd/cls_rbd.h"

#define SUBSYS "rbd"

/* get_protection_status of the snapshot opened */
static int protection_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_get_protection_status(p, len, arg);
}

static int get_id_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_get_id(p, len, arg);
}

/* ---- open ------------------------------------------------------------- */

/* Apply every op of a finished request to the meta, in order. */
static int apply_ops(struct cephc_rbd_image_meta *m, struct cephc_osd_ops *ops,
		     const enum cephc_rbd_reply *kinds, bool ro)
{
	for (unsigned i = 0; i < ops->num_ops; i++) {
		struct cephc_osd_op *op = &ops->ops[i];
		int ret;

		if (op->op_rval < 0)
			return op->op_rval;
		ret = cephc_rbd_meta_apply(m, kinds[i], op->op_outdata,
					   op->op_outdata_len, ro);
		if (ret)
			return ret;
	}
	return 0;
}

static int load_header(struct cephc_rbd_image *img, bool ro)
{
	struct cephc_rbd_image_meta *m = &img->meta;
	enum cephc_rbd_reply kinds[CEPHC_OSD_MAX_OPS];
	struct cephc_osd_ops ops;
	struct cephc_osdc_req req;
	uint8_t buf[64];
	struct cephc_enc e;
	unsigned n = 0;
	int ret = 0;

#define ADD(kind, method, encexpr)                                             \
	do {                                                                   \
		enc_init(&e, buf, sizeof(buf));                                \
		if (!ret)                                                      \
			ret = (encexpr);                                       \
		if (!ret)                                                      \
			ret = rbd_op_call(&ops, method, buf,                   \
					  (size_t)(e.p - e.start), false);     \
		kinds[n++] = CEPHC_RBD_REPLY_##kind;                           \
	} while (0)

	/* First round: what every image has (librbd's v2 refresh). */
	cephc_osd_ops_init(&ops);
	ADD(OBJECT_PREFIX, "get_object_prefix", 0);
	ADD(FEATURES, "get_features",
	    cephc_rbd_enc_get_features(&e, CEPHC_RBD_NOSNAP, ro));
	ADD(SIZE, "get_size", cephc_rbd_enc_get_size(&e, CEPHC_RBD_NOSNAP));
	ADD(SNAPCONTEXT, "get_snapcontext", 0);
	ADD(FLAGS, "get_flags", cephc_rbd_enc_get_flags(&e, CEPHC_RBD_NOSNAP));
	ADD(CREATE_TIMESTAMP, "get_create_timestamp", 0);
	ADD(ACCESS_TIMESTAMP, "get_access_timestamp", 0);
	ADD(MODIFY_TIMESTAMP, "get_modify_timestamp", 0);
	ADD(PARENT, "parent_get", 0);
	ADD(PARENT_OVERLAP, "parent_overlap_get",
	    cephc_rbd_enc_snap_id(&e, CEPHC_RBD_NOSNAP));
	if (!ret) {
		rbd_image_req_setup(&req, &ops, img);
		ret = rbd_osd_exec(img->osd, &req);
	}
	if (!ret)
		ret = apply_ops(m, &ops, kinds, ro);
	cephc_osd_ops_release(&ops);
	if (ret)
		return ret;

	/* Second round: layout extras and op features, by feature. */
	n = 0;
	cephc_osd_ops_init(&ops);
	if (m->features & CEPHC_RBD_FEATURE_STRIPINGV2)
		ADD(STRIPE, "get_stripe_unit_count", 0);
	if (m->features & CEPHC_RBD_FEATURE_DATA_POOL)
		ADD(DATA_POOL, "get_data_pool", 0);
	if (m->features & CEPHC_RBD_FEATURE_OPERATIONS)
		ADD(OP_FEATURES, "op_features_get", 0);
	if (!ret && n) {
		rbd_image_req_setup(&req, &ops, img);
		ret = rbd_osd_exec(img->osd, &req);
		if (!ret)
			ret = apply_ops(m, &ops, kinds, ro);
	}
	cephc_osd_ops_release(&ops);

	/* Snapshots, up to a request's worth of ops at a time. */
	for (uint32_t i = 0; !ret && i < m->num_snaps;) {
		n = 0;
		cephc_osd_ops_init(&ops);
		for (; !ret && i < m->num_snaps && n < CEPHC_OSD_MAX_OPS; i++)
			ADD(SNAPSHOT, "snapshot_get",
			    cephc_rbd_enc_snap_id(&e, m->snap_ids[i]));
		if (!ret) {
			rbd_image_req_setup(&req, &ops, img);
			ret = rbd_osd_exec(img->osd, &req);
		}
		if (!ret)
			ret = apply_ops(m, &ops, kinds, ro);
		cephc_osd_ops_release(&ops);
	}
#undef ADD
	return ret;
}

static void explain_features(uint64_t unsupported, bool ro)
{
	char names[256];

	cephc_rbd_features_format(unsupported, names, sizeof(names));
	rbd_set_err("image uses unsupported features: %s (cephc %s them)%s",
		    names, ro ? "cannot read" : "cannot write",
		    ro ? "" : "; open it read-only");
}

static bool image_idle(void *arg)
{
	return ((struct cephc_rbd_image *)arg)->aio_pending == 0;
}

static void image_free(struct cephc_rbd_image *img)
{
	if (!img)
		return;
	if (img->ex) {
		/* gives the lock up (its ReleasedLock notify is I/O too) */
		rbd_exlock_shutdown(img);
		pthread_mutex_lock(&img->lock);
		(void)cephc_client_wait_for(img->c, &img->lock, &img->idle,
					    image_idle, img, 0);
		pthread_mutex_unlock(&img->lock);
	}
	if (img->osd) {
		rbd_image_release_lock(img);
		rbd_image_watch_stop(img);
	}
	if (img->parent)
		cephc_rbd_close(img->parent);
	cephc_free(img->wsnaps);
	rbd_osd_put(img->osd);
	cephc_rbd_meta_clear(&img->meta);
	cephc_free(img->pool_name);
	cephc_free(img->nspace);
	cephc_free(img->name);
	pthread_mutex_destroy(&img->lock);
	pthread_cond_destroy(&img->idle);
	cephc_free(img);
}

static const struct cephc_rbd_snap *
snap_by_id(const struct cephc_rbd_image_meta *m, uint64_t id)
{
	for (uint32_t i = 0; i < m->num_snaps; i++)
		if (m->snaps[i].id == id && m->snaps[i].name)
			return &m->snaps[i];
	return NULL;
}

static int get_name_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_dir_get_name(p, len, arg);
}

/* Name -> id through rbd_id.<name>, or id -> name through the directory
 * ("" when the id is not listed: an image in the trash). */
static int resolve_image(struct cephc_rbd_image *img, const char *name,
			 const char *id)
{
	char oid[RBD_OID_MAX + CEPHC_RBD_NAME_MAX];
	uint8_t buf[CEPHC_RBD_ENC_MAX];
	struct cephc_enc e;
	char *s = NULL;
	int ret;

	if (!id) {
		cephc_rbd_id_object_name(name, oid, sizeof(oid));
		ret = rbd_image_call(img, oid, "get_id", NULL, 0, false,
				     get_id_reply, &img->meta.id);
		img->name = cephc_strdup(name);
	} else {
		img->meta.id = cephc_strdup(id);
		enc_init(&e, buf, sizeof(buf));
		ret = cephc_rbd_enc_dir_get_name(&e, id);
		if (!ret)
			ret = rbd_image_call(img, CEPHC_RBD_DIRECTORY,
					     "dir_get_name", buf, enc_len(&e),
					     false, get_name_reply, &s);
		if (ret == CEPHC_ENOENT)
			ret = 0;
		img->name = s ? s : cephc_strdup("");
		/* the header must exist for the id to name an image */
	}
	if (!ret && (!img->meta.id || !img->name))
		ret = CEPHC_ENOMEM;
	return ret;
}

/* How deep the parent opens on this thread go (a loop guard). */
static __thread unsigned parent_depth;

/*
 * Open img's parent read-only at the parent snapshot (recursively, for
 * clones of clones) and note the overlap at img's snapshot; nothing when
 * that snapshot has no parent (taken after a flatten).
 */
static int open_parent(struct cephc_rbd_image *img)
{
	struct cephc_rbd_parent_spec spec;
	char pname[256];
	uint64_t overlap;
	bool has;
	int ret;

	ret = rbd_parent_spec_at(img, img->snap_id, &spec, &has, &overlap);
	if (ret || !has || !overlap) {
		/* no parent at this snapshot: nothing falls through */
		cephc_rbd_parent_spec_clear(&spec);
		return ret;
	}
	rbd_pool_name(img->c, spec.pool_id, pname, sizeof(pname));
	if (!pname[0]) {
		rbd_set_err("parent pool %lld does not exist",
			    (long long)spec.pool_id);
		ret = CEPHC_ENOENT;
	} else if (parent_depth >= RBD_PARENT_DEPTH_MAX) {
		rbd_set_err("clone chain deeper than %d images",
			    RBD_PARENT_DEPTH_MAX);
		ret = -ELOOP;
	} else {
		parent_depth++;
		ret = rbd_image_open(img->c, pname, spec.pool_namespace, NULL,
				     spec.image_id, NULL, spec.snap_id,
				     CEPHC_RBD_OPEN_READ_ONLY, &img->parent);
		parent_depth--;
		if (ret && !rbd_have_err())
			rbd_set_err("opening the parent image: %s",
				    cephc_strerror(ret));
	}
	img->parent_overlap = ret ? 0 : overlap;
	cephc_rbd_parent_spec_clear(&spec);
	return ret;
}

int rbd_image_open(struct cephc_cluster *c, const char *pool, const char *ns,
		   const char *name, const char *id, const char *snap,
		   uint64_t snap_id, unsigned flags,
		   struct cephc_rbd_image **out)
{
	struct cephc_rbd_image *img;
	struct rbd_loc l;
	int ret;

	rbd_clear_err();
	if (!c || !pool || (!name && !id) || !out ||
	    (name && strlen(name) > CEPHC_RBD_NAME_MAX) ||
	    (id && (!*id || strlen(id) > CEPHC_RBD_ID_MAX)))
		return CEPHC_EINVAL;
	*out = NULL;
	img = cephc_calloc(1, sizeof(*img));
	if (!img)
		return CEPHC_ENOMEM;
	pthread_mutex_init(&img->lock, NULL);
	cephc_client_cond_init(&img->idle);
	cephc_rbd_meta_init(&img->meta);
	img->c = c;
	img->read_only = (flags & CEPHC_RBD_OPEN_READ_ONLY) || snap ||
			 snap_id != CEPHC_RBD_NOSNAP;
	img->pool_name = cephc_strdup(pool);
	img->nspace = cephc_strdup(ns ? ns : "");
	if (!img->pool_name || !img->nspace) {
		ret = CEPHC_ENOMEM;
		goto fail;
	}
	ret = rbd_loc_open(c, pool, ns, &l);
	img->pool = l.pool;
	img->osd = l.osd;
	if (ret)
		goto fail;
	ret = resolve_image(img, name, id);
	if (ret) {
		if (ret == CEPHC_ENOENT)
			rbd_set_err(
			    "image '%s' does not exist in pool '%s'%s%s",
			    name ? name : id, pool,
			    *img->nspace ? " namespace " : "", img->nspace);
		goto fail;
	}
	img->meta.have |= 1u << CEPHC_RBD_REPLY_GET_ID;
	cephc_rbd_header_object_name(img->meta.id, img->header_oid,
				     sizeof(img->header_oid));

	ret = load_header(img, img->read_only);
	if (ret) {
		if (!rbd_have_err())
			rbd_set_err("reading header %s: %s", img->header_oid,
				    cephc_strerror(ret));
		goto fail;
	}
	ret = cephc_rbd_meta_finish(&img->meta);
	if (ret == CEPHC_EFEATURES && (flags & RBD_OPEN_ANY_FEATURES))
		ret = 0;
	if (ret == CEPHC_EFEATURES) {
		uint64_t f = img->meta.incompatible_features |
			     (img->read_only ? (img->meta.features &
						CEPHC_RBD_FEATURES_INCOMPATIBLE)
					     : img->meta.features);
		explain_features(
		    img->read_only
			? cephc_rbd_features_unsupported_for_read(f)
			: cephc_rbd_features_unsupported_for_write_ops(
			      f, img->meta.op_features),
		    img->read_only);
		goto fail;
	}
	if (ret) {
		rbd_set_err("image header %s is inconsistent: %s",
			    img->header_oid, cephc_strerror(ret));
		goto fail;
	}
	img->layout.object_size = UINT64_C(1) << img->meta.order;
	img->layout.stripe_unit = img->meta.stripe_unit;
	img->layout.stripe_count = img->meta.stripe_count;
	if (cephc_layout_check(&img->layout)) {
		rbd_set_err("image layout is invalid");
		ret = CEPHC_EDECODE;
		goto fail;
	}
	img->data_pool =
	    img->meta.data_pool_id >= 0 ? img->meta.data_pool_id : img->pool;
	img->snap_id = CEPHC_RBD_NOSNAP;
	img->size = img->meta.size;
	if (snap || snap_id != CEPHC_RBD_NOSNAP) {
		const struct cephc_rbd_snap *s =
		    snap ? cephc_rbd_meta_snap_by_name(&img->meta, snap)
			 : snap_by_id(&img->meta, snap_id);
		if (!s) {
			if (snap)
				rbd_set_err("snapshot '%s' does not exist",
					    snap);
			else
				rbd_set_err("snapshot %llu does not exist",
					    (unsigned long long)snap_id);
			ret = CEPHC_ENOENT;
			goto fail;
		}
		img->snap_id = s->id;
		img->size = s->size;
		{
			uint8_t b[8];
			struct cephc_enc e;

			enc_init(&e, b, sizeof(b));
			if (!cephc_rbd_enc_snap_id(&e, s->id))
				rbd_image_call(img, img->header_oid,
					       "get_protection_status", b,
					       (size_t)(e.p - e.start), false,
					       protection_reply,
					       &img->snap_protected);
		}
	}
	/* A clone reads what it lacks from its parent, and copies it up
	 * before changing an object in part (image_io.c). */
	if (img->meta.parent.pool_id >= 0 && !(flags & RBD_OPEN_ANY_FEATURES)) {
		ret = open_parent(img);
		if (ret)
			goto fail;
	}
	/* The snap context writes carry, then keep it current. */
	if (img->meta.num_snaps) {
		img->wsnaps = cephc_malloc_array(img->meta.num_snaps,
						 sizeof(*img->wsnaps));
		if (!img->wsnaps) {
			ret = CEPHC_ENOMEM;
			goto fail;
		}
		memcpy(img->wsnaps, img->meta.snap_ids,
		       img->meta.num_snaps * sizeof(*img->wsnaps));
	}
	img->wnum_snaps = img->meta.num_snaps;
	img->wsnap_seq = img->meta.snap_seq;
	if (!img->read_only) {
		ret = rbd_image_watch_start(img);
		if (ret) {
			rbd_set_err("cannot watch header %s: %s",
				    img->header_oid, cephc_strerror(ret));
			goto fail;
		}
		/* writes take the exclusive lock, when the image has one */
		if (!(flags & RBD_OPEN_ANY_FEATURES))
			ret = rbd_exlock_init(img);
		if (ret)
			goto fail;
	}
	*out = img;
	return 0;
fail:
	log_debug(SUBSYS, "open %s/%s%s%s: %s", pool, ns ? ns : "",
		  ns && *ns ? "/" : "", name ? name : id, cephc_strerror(ret));
	image_free(img);
	return ret;
}

int cephc_rbd_open_ns(cephc_cluster *c, const char *pool, const char *nspace,
		      const char *name, const char *snap, unsigned flags,
		      cephc_rbd_image **out)
{
	if (!name)
		return CEPHC_EINVAL;
	return rbd_image_open(c, pool, nspace, name, NULL, snap,
			      CEPHC_RBD_NOSNAP,
			      flags & CEPHC_RBD_OPEN_READ_ONLY, out);
}

int cephc_rbd_open_by_id(cephc_cluster *c, const char *pool, const char *nspace,
			 const char *id, const char *snap, unsigned flags,
			 cephc_rbd_image **out)
{
	if (!id)
		return CEPHC_EINVAL;
	return rbd_image_open(c, pool, nspace, NULL, id, snap, CEPHC_RBD_NOSNAP,
			      flags & CEPHC_RBD_OPEN_READ_ONLY, out);
}

int cephc_rbd_open(cephc_cluster *c, const char *pool, const char *name,
		   const char *snap, unsigned flags, cephc_rbd_image **out)
{
	return cephc_rbd_open_ns(c, pool, NULL, name, snap, flags, out);
}

int cephc_rbd_close(cephc_rbd_image *img)
{
	if (!img)
		return CEPHC_EINVAL;
	pthread_mutex_lock(&img->lock);
	/* every I/O completes (bounded op timeouts) */
	(void)cephc_client_wait_for(img->c, &img->lock, &img->idle, image_idle,
				    img, 0);
	pthread_mutex_unlock(&img->lock);
	image_free(img);
	return 0;
}

int cephc_rbd_stat(cephc_rbd_image *img, struct cephc_rbd_info *info)
{
	const struct cephc_rbd_image_meta *m;

	if (!img || !info)
		return CEPHC_EINVAL;
	m = &img->meta;
	memset(info, 0, sizeof(*info));
	snprintf(info->name, sizeof(info->name), "%s", img->name);
	snprintf(info->id, sizeof(info->id), "%s", m->id);
	snprintf(info->block_name_prefix, sizeof(info->block_name_prefix), "%s",
		 m->object_prefix);
	pthread_mutex_lock(&img->lock);
	info->size = img->size;
	pthread_mutex_unlock(&img->lock);
	info->order = m->order;
	info->object_size = img->layout.object_size;
	info->num_objects = cephc_striper_num_objects(&img->layout, info->size);
	info->features = m->features;
	info->op_features = m->op_features;
	info->flags = m->flags;
	info->stripe_unit = m->stripe_unit;
	info->stripe_count = m->stripe_count;
	info->pool_id = img->pool;
	info->data_pool_id = m->data_pool_id;
	info->snapshot_count = m->num_snaps;
	info->snap_id = img->snap_id;
	info->read_only = img->read_only;
	info->snap_protected = img->snap_protected;
	info->create_sec = m->create_ts.sec;
	info->access_sec = m->access_ts.sec;
	info->modify_sec = m->modify_ts.sec;
	return 0;
}
