/* SPDX-License-Identifier: MIT */
/*
 * RBD image open and management (create, remove, list, resize, snapshot
 * list), following librbd's request sequences (image/OpenRequest,
 * image/CreateRequest, image/RemoveRequest, operation/ResizeRequest) over
 * the cls rbd codecs.
 */
#include "rbd/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "rbd/cls_rbd.h"

#define SUBSYS "rbd"
/* Concurrent deletes while removing an image. */
#define RBD_REMOVE_WINDOW 64

/* get_protection_status: u8 (0 unprotected, 1 unprotecting, 2 protected) */
static int protection_reply(void *arg, const uint8_t *p, size_t len)
{
	if (len < 1)
		return CEPHC_EDECODE;
	*(bool *)arg = p[0] == 2;
	return 0;
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

static void image_free(struct cephc_rbd_image *img)
{
	if (!img)
		return;
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
		ret = rbd_image_open_parent(img);
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

static bool image_idle(void *arg)
{
	return ((struct cephc_rbd_image *)arg)->aio_pending == 0;
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

/* Fetched snapshot: snapshot_get + get_protection_status. */
struct snap_fetch {
	struct cephc_rbd_snap_info info;
	bool prot;
};

static int snap_context_reply(void *arg, const uint8_t *p, size_t len)
{
	uint64_t **ids = ((void **)arg)[0];
	uint32_t *n = ((void **)arg)[1];
	uint64_t seq;

	return cephc_rbd_dec_get_snapcontext(p, len, &seq, ids, n);
}

/* Read the header's snapshots now (not as of open), newest first. */
static int fetch_snaps(struct cephc_rbd_image *img, struct snap_fetch **out,
		       uint32_t *count)
{
	uint64_t *ids = NULL;
	uint32_t n = 0;
	void *args[2] = {&ids, &n};
	struct snap_fetch *f = NULL;
	int ret;

	ret = rbd_image_call(img, img->header_oid, "get_snapcontext", NULL, 0,
			     false, snap_context_reply, args);
	if (!ret && n) {
		f = cephc_calloc(n, sizeof(*f));
		if (!f)
			ret = CEPHC_ENOMEM;
	}
	/* Two ops per snapshot, up to a request's worth at a time. */
	for (uint32_t i = 0; !ret && i < n; i += CEPHC_OSD_MAX_OPS / 2) {
		uint32_t k = n - i < CEPHC_OSD_MAX_OPS / 2
				 ? n - i
				 : CEPHC_OSD_MAX_OPS / 2;
		struct cephc_osd_ops ops;
		struct cephc_osdc_req req;

		cephc_osd_ops_init(&ops);
		for (uint32_t j = 0; !ret && j < k; j++) {
			uint8_t b[8];
			struct cephc_enc e;

			enc_init(&e, b, sizeof(b));
			ret = cephc_rbd_enc_snap_id(&e, ids[i + j]);
			if (!ret)
				ret = rbd_op_call(&ops, "snapshot_get", b,
						  sizeof(b), false);
			if (!ret)
				ret = rbd_op_call(&ops, "get_protection_status",
						  b, sizeof(b), false);
		}
		if (!ret) {
			rbd_image_req_setup(&req, &ops, img);
			ret = rbd_osd_exec(img->osd, &req);
		}
		for (uint32_t j = 0; !ret && j < k; j++) {
			struct cephc_osd_op *g = &ops.ops[2 * j];
			struct cephc_osd_op *pr = &ops.ops[2 * j + 1];

			ret = cephc_rbd_dec_snapshot_get(
			    g->op_outdata, g->op_outdata_len, &f[i + j].info);
			if (!ret)
				ret = protection_reply(&f[i + j].prot,
						       pr->op_outdata,
						       pr->op_outdata_len);
		}
		cephc_osd_ops_release(&ops);
	}
	cephc_free(ids);
	if (ret) {
		for (uint32_t i = 0; f && i < n; i++)
			cephc_rbd_snap_info_clear(&f[i].info);
		cephc_free(f);
		return ret;
	}
	*out = f;
	*count = n;
	return 0;
}

int cephc_rbd_snap_list(cephc_rbd_image *img,
			struct cephc_rbd_snap_entry **snaps, uint32_t *count)
{
	struct cephc_rbd_snap_entry *v;
	struct snap_fetch *f = NULL;
	size_t total, names = 0;
	uint32_t n = 0;
	char *p;
	int ret;

	if (!img || !snaps || !count)
		return CEPHC_EINVAL;
	ret = fetch_snaps(img, &f, &n);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < n; i++)
		names += strlen(f[i].info.name ? f[i].info.name : "") + 1;
	total = (size_t)n * sizeof(*v) + names + 1;
	v = cephc_malloc(total);
	if (v) {
		p = (char *)(v + n);
		/* The snap context is newest first; rbd lists oldest first. */
		for (uint32_t i = 0; i < n; i++) {
			const struct cephc_rbd_snap_info *s =
			    &f[n - 1 - i].info;
			size_t l = strlen(s->name ? s->name : "");

			v[i].id = s->id;
			v[i].size = s->image_size;
			v[i].ns_type = s->ns_type;
			v[i].timestamp_sec = s->timestamp.sec;
			v[i].timestamp_nsec = s->timestamp.nsec;
			v[i].is_protected = f[n - 1 - i].prot;
			memcpy(p, s->name ? s->name : "", l + 1);
			v[i].name = p;
			p += l + 1;
		}
		*snaps = v;
		*count = n;
	}
	for (uint32_t i = 0; i < n; i++)
		cephc_rbd_snap_info_clear(&f[i].info);
	cephc_free(f);
	return v ? 0 : CEPHC_ENOMEM;
}

/* ---- resize ----------------------------------------------------------- */

int cephc_rbd_resize(cephc_rbd_image *img, uint64_t size)
{
	uint8_t buf[16];
	struct cephc_enc e;
	uint64_t old;
	int ret;

	if (!img)
		return CEPHC_EINVAL;
	if (img->read_only)
		return CEPHC_EROFS;
	pthread_mutex_lock(&img->lock);
	old = img->size;
	pthread_mutex_unlock(&img->lock);
	if (size < old) {
		/* librbd: shrink the visible size last, after the trim, so
		 * a failed trim leaves the image whole. */
		ret = rbd_image_trim(img, size, old);
		if (ret)
			return ret;
	}
	enc_init(&e, buf, sizeof(buf));
	ret = cephc_rbd_enc_set_size(&e, size);
	if (!ret)
		ret = rbd_image_call(img, img->header_oid, "set_size", buf,
				     (size_t)(e.p - e.start), true, NULL, NULL);
	if (ret)
		return ret;
	pthread_mutex_lock(&img->lock);
	img->size = size;
	img->meta.size = size;
	pthread_mutex_unlock(&img->lock);
	/* set_size shrank a clone's overlap with the image */
	if (img->parent && img->parent_overlap > size)
		img->parent_overlap = size;
	/* Other clients with the image open learn the new size (librbd
	 * does the same after a resize); our own watch re-reads too. */
	ret = rbd_image_notify_header_update(img);
	if (ret)
		log_debug(SUBSYS, "%s: header update notify: %s",
			  img->header_oid, cephc_strerror(ret));
	return 0;
}

/* ---- create ----------------------------------------------------------- */

int cephc_rbd_create_ns(cephc_cluster *c, const char *pool, const char *nspace,
			const char *name, const struct cephc_rbd_create_opts *o)
{
	uint64_t features, osize, su, sc;
	int64_t dpid = CEPHC_RBD_POOL_NONE;
	char id[CEPHC_RBD_GEN_ID_LEN_MAX + 1];
	char oid[RBD_OID_MAX + CEPHC_RBD_NAME_MAX];
	char prefix[CEPHC_RBD_OBJECT_PREFIX_MAX];
	uint8_t buf[CEPHC_RBD_ENC_MAX + CEPHC_RBD_OBJECT_PREFIX_MAX];
	struct cephc_osd_ops ops;
	struct rbd_loc l;
	struct cephc_enc e;
	uint32_t rnd = 0;
	int order, ret;

	rbd_clear_err();
	if (!c || !pool || !name || !o || !*name ||
	    strlen(name) > CEPHC_RBD_NAME_MAX)
		return CEPHC_EINVAL;
	order = o->order ? o->order : 22;
	if (order < CEPHC_RBD_MIN_ORDER || order > CEPHC_RBD_MAX_ORDER) {
		rbd_set_err("order must be in the range [%d, %d]",
			    CEPHC_RBD_MIN_ORDER, CEPHC_RBD_MAX_ORDER);
		return CEPHC_EDOM;
	}
	osize = UINT64_C(1) << order;
	su = o->stripe_unit ? o->stripe_unit : osize;
	sc = o->stripe_count ? o->stripe_count : 1;
	features = o->features ? o->features : CEPHC_RBD_FEATURE_LAYERING;
	if (features & ~(uint64_t)(CEPHC_RBD_FEATURE_LAYERING |
				   CEPHC_RBD_FEATURE_STRIPINGV2 |
				   CEPHC_RBD_FEATURE_DATA_POOL)) {
		rbd_set_err("cephc creates images with layering, striping and "
			    "data-pool only");
		return CEPHC_EOPNOTSUPP;
	}
	if (su > osize || osize % su || (su & (su - 1)) || sc < 1) {
		rbd_set_err(
		    "stripe unit must be a power of two dividing the object"
		    " size");
		return CEPHC_EINVAL;
	}
	/* librbd: default striping needs (and keeps) no STRIPINGV2 bit. */
	if (su == osize && sc == 1)
		features &= ~CEPHC_RBD_FEATURE_STRIPINGV2;
	else
		features |= CEPHC_RBD_FEATURE_STRIPINGV2;
	if (cephc_cluster_pool_lookup(c, pool) < 0) {
		rbd_set_err("pool '%s' does not exist", pool);
		return CEPHC_ENOENT;
	}
	if (o->data_pool && *o->data_pool && strcmp(o->data_pool, pool)) {
		dpid = cephc_cluster_pool_lookup(c, o->data_pool);
		if (dpid < 0) {
			rbd_set_err("data pool '%s' does not exist",
				    o->data_pool);
			return CEPHC_ENOENT;
		}
		features |= CEPHC_RBD_FEATURE_DATA_POOL;
	} else {
		features &= ~CEPHC_RBD_FEATURE_DATA_POOL;
	}
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (uint32_t)rand();
	ret = cephc_rbd_generate_image_id(cephc_cluster_instance_id(c), rnd, id,
					  sizeof(id));
	if (ret)
		return ret;
	if (dpid >= 0)
		snprintf(prefix, sizeof(prefix), "rbd_data.%lld.%s",
			 (long long)cephc_cluster_pool_lookup(c, pool), id);
	else
		snprintf(prefix, sizeof(prefix), "rbd_data.%s", id);

	ret = rbd_loc_open(c, pool, nspace, &l);
	if (ret)
		return ret;

	/*
	 * 1. directory entry (EEXIST when the name is taken).  In a
	 * namespace librbd first asserts, in the same request, that the
	 * namespace's directory is READY (ENOENT: no such namespace).
	 */
	cephc_osd_ops_init(&ops);
	ret = 0;
	if (*l.ns) {
		enc_init(&e, buf, sizeof(buf));
		ret = cephc_rbd_enc_dir_state(&e, CEPHC_RBD_DIR_STATE_READY);
		if (!ret)
			ret = rbd_op_call(&ops, "dir_state_assert", buf,
					  enc_len(&e), true);
	}
	enc_init(&e, buf, sizeof(buf));
	if (!ret)
		ret = cephc_rbd_enc_dir_add_image(&e, name, id);
	if (!ret)
		ret =
		    rbd_op_call(&ops, "dir_add_image", buf, enc_len(&e), true);
	if (!ret)
		ret = rbd_exec_ops(&l, CEPHC_RBD_DIRECTORY, &ops);
	else
		cephc_osd_ops_release(&ops);
	if (ret) {
		if (ret == CEPHC_EEXIST)
			rbd_set_err("rbd image %s already exists", name);
		else if (ret == CEPHC_ENOENT && *l.ns)
			rbd_set_err("namespace '%s' does not exist", l.ns);
		goto out;
	}

	/* 2. rbd_id.<name>: exclusive create + set_id in one request */
	cephc_rbd_id_object_name(name, oid, sizeof(oid));
	cephc_osd_ops_init(&ops);
	enc_init(&e, buf, sizeof(buf));
	ret = cephc_osd_op_create(cephc_osd_ops_add(&ops), true);
	if (!ret)
		ret = cephc_rbd_enc_set_id(&e, id);
	if (!ret)
		ret = rbd_op_call(&ops, "set_id", buf, (size_t)(e.p - e.start),
				  true);
	if (!ret)
		ret = rbd_exec_ops(&l, oid, &ops);
	else
		cephc_osd_ops_release(&ops);
	if (ret)
		goto undo_dir;

	/* 3. rbd_header.<id>: exclusive create + create + striping */
	cephc_rbd_header_object_name(id, oid, sizeof(oid));
	cephc_osd_ops_init(&ops);
	ret = cephc_osd_op_create(cephc_osd_ops_add(&ops), true);
	enc_init(&e, buf, sizeof(buf));
	if (!ret)
		ret = cephc_rbd_enc_create(&e, o->size, (uint8_t)order,
					   features, prefix, dpid);
	if (!ret)
		ret = rbd_op_call(&ops, "create", buf, (size_t)(e.p - e.start),
				  true);
	if (!ret)
		ret = rbd_exec_ops(&l, oid, &ops);
	else
		cephc_osd_ops_release(&ops);
	if (ret)
		goto undo_id;
	/*
	 * 4. striping: its own request, because cls reads the features
	 * from omap, where a write in the same transaction is not yet
	 * visible (16.2.15 answers ENOEXEC).
	 */
	if (features & CEPHC_RBD_FEATURE_STRIPINGV2) {
		enc_init(&e, buf, sizeof(buf));
		ret = cephc_rbd_enc_set_stripe_unit_count(&e, su, sc);
		if (!ret)
			ret =
			    rbd_call(&l, oid, "set_stripe_unit_count", buf,
				     (size_t)(e.p - e.start), true, NULL, NULL);
		if (ret)
			goto undo_header;
	}
	goto out;

undo_header:
	rbd_delete_object(&l, oid);
undo_id:
	cephc_rbd_id_object_name(name, oid, sizeof(oid));
	rbd_delete_object(&l, oid);
undo_dir:
	enc_init(&e, buf, sizeof(buf));
	if (!cephc_rbd_enc_dir_remove_image(&e, name, id))
		rbd_call(&l, CEPHC_RBD_DIRECTORY, "dir_remove_image", buf,
			 (size_t)(e.p - e.start), true, NULL, NULL);
out:
	if (ret && !rbd_have_err())
		rbd_set_err("creating image %s: %s", name, cephc_strerror(ret));
	rbd_loc_close(&l);
	return ret;
}

int cephc_rbd_create(cephc_cluster *c, const char *pool, const char *name,
		     const struct cephc_rbd_create_opts *o)
{
	return cephc_rbd_create_ns(c, pool, NULL, name, o);
}

/* ---- data removal ----------------------------------------------------- */

/* Delete data objects [0, count) of the image, a window at a time. */
int rbd_image_delete_data(struct cephc_rbd_image *img, uint64_t count)
{
	struct {
		struct cephc_osdc_req req;
		struct cephc_osd_ops ops;
		char oid[RBD_OID_MAX];
	} * slots;
	struct cephc_osdc_req *reqs[RBD_REMOVE_WINDOW];
	struct rbd_loc dl = {img->osd, img->data_pool, img->nspace};
	int ret = 0;

	slots = cephc_calloc(RBD_REMOVE_WINDOW, sizeof(*slots));
	if (!slots)
		return CEPHC_ENOMEM;
	for (uint64_t base = 0; base < count && !ret;
	     base += RBD_REMOVE_WINDOW) {
		unsigned n = 0;

		for (; n < RBD_REMOVE_WINDOW && base + n < count; n++) {
			cephc_rbd_data_object_name(img->meta.object_prefix,
						   base + n, slots[n].oid,
						   sizeof(slots[n].oid));
			cephc_osd_ops_init(&slots[n].ops);
			cephc_osd_op_delete(cephc_osd_ops_add(&slots[n].ops));
			rbd_req_setup(&slots[n].req, &slots[n].ops, &dl,
				      slots[n].oid);
			/* Deletes carry the snap context like librbd's. */
			slots[n].req.snap_seq = img->meta.snap_seq;
			reqs[n] = &slots[n].req;
		}
		ret = rbd_osd_exec_many(img->osd, reqs, n);
		for (unsigned i = 0; i < n && !ret; i++)
			if (reqs[i]->result && reqs[i]->result != CEPHC_ENOENT)
				ret = reqs[i]->result;
		for (unsigned i = 0; i < n; i++)
			cephc_osd_ops_release(&slots[i].ops);
	}
	cephc_free(slots);
	return ret;
}
