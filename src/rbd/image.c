/* SPDX-License-Identifier: MIT */
/*
 * RBD image open and management (create, remove, list, resize, snapshot
 * list), following librbd's request sequences (image/OpenRequest,
 * image/CreateRequest, image/RemoveRequest, operation/ResizeRequest) over
 * the cls rbd codecs.
 */
#include "rbd/image.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "rbd/cls_rbd.h"

#define SUBSYS "rbd"
/* dir_list page size (librbd's "rbd ls" asks for 1024 at a time). */
#define RBD_DIR_PAGE 1024
/* Concurrent deletes while removing an image. */
#define RBD_REMOVE_WINDOW 64

static __thread char last_err[256];

static void set_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void set_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_err, sizeof(last_err), fmt, ap);
	va_end(ap);
}

const char *cephc_rbd_last_error(void)
{
	return last_err;
}

int rbd_op_call(struct cephc_osd_ops *ops, const char *method, const void *in,
		size_t in_len, bool writes)
{
	struct cephc_osd_op *op = cephc_osd_ops_add(ops);
	struct iovec iov;
	uint8_t *copy = NULL;
	int ret;

	if (!op)
		return CEPHC_E2BIG;
	if (in_len) {
		/* The op references its input until completion: own a copy. */
		copy = cephc_malloc(in_len);
		if (!copy)
			return CEPHC_ENOMEM;
		memcpy(copy, in, in_len);
	}
	iov.iov_base = copy;
	iov.iov_len = in_len;
	ret = cephc_osd_op_call(op, CEPHC_RBD_CLS_NAME, method, &iov,
				in_len ? 1 : 0, writes, RBD_CALL_OUT_MAX);
	op->op_owned = copy;
	if (ret && !copy)
		return ret;
	return ret;
}

/* A request on one object of pool (default namespace). */
static void req_setup(struct cephc_osdc_req *req, struct cephc_osd_ops *ops,
		      int64_t pool, const char *oid)
{
	cephc_osdc_req_init(req);
	req->ops = ops;
	req->pool = pool;
	req->oid = oid;
}

static int pool_id(struct cephc_cluster *c, const char *pool)
{
	int64_t id = cephc_cluster_pool_lookup(c, pool);

	if (id < 0)
		set_err("pool '%s' does not exist", pool);
	return id < 0 ? CEPHC_ENOENT : 0;
}

/* Run one CALL on oid and hand its out-data to fn. */
typedef int (*reply_fn)(void *arg, const uint8_t *p, size_t len);
static int call_one(struct rbd_osd *o, int64_t pool, const char *oid,
		    const char *method, const void *in, size_t in_len,
		    bool writes, reply_fn fn, void *arg)
{
	struct cephc_osd_ops ops;
	struct cephc_osdc_req req;
	int ret;

	cephc_osd_ops_init(&ops);
	ret = rbd_op_call(&ops, method, in, in_len, writes);
	if (!ret) {
		req_setup(&req, &ops, pool, oid);
		ret = rbd_osd_exec(o, &req);
		log_debug(SUBSYS, "%s %s: %s (rval %d, %u bytes out)", oid,
			  method, cephc_strerror(ret), ops.ops[0].op_rval,
			  ops.ops[0].op_outdata_len);
		if (!ret && fn)
			ret = fn(arg, ops.ops[0].op_outdata,
				 ops.ops[0].op_outdata_len);
	}
	cephc_osd_ops_release(&ops);
	return ret;
}

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
		req_setup(&req, &ops, img->pool, img->header_oid);
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
		req_setup(&req, &ops, img->pool, img->header_oid);
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
			req_setup(&req, &ops, img->pool, img->header_oid);
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
	set_err("image uses unsupported features: %s (cephc %s them)%s", names,
		ro ? "cannot read" : "cannot write",
		ro ? "" : "; open it read-only");
}

static void image_free(struct cephc_rbd_image *img)
{
	if (!img)
		return;
	if (img->osd)
		rbd_image_watch_stop(img);
	cephc_free(img->wsnaps);
	rbd_osd_put(img->osd);
	cephc_rbd_meta_clear(&img->meta);
	cephc_free(img->pool_name);
	cephc_free(img->name);
	pthread_mutex_destroy(&img->lock);
	pthread_cond_destroy(&img->idle);
	cephc_free(img);
}

int cephc_rbd_open(cephc_cluster *c, const char *pool, const char *name,
		   const char *snap, unsigned flags, cephc_rbd_image **out)
{
	struct cephc_rbd_image *img;
	char oid[RBD_OID_MAX + CEPHC_RBD_NAME_MAX];
	char *id = NULL;
	int ret;

	last_err[0] = '\0';
	if (!c || !pool || !name || !out || strlen(name) > CEPHC_RBD_NAME_MAX)
		return CEPHC_EINVAL;
	*out = NULL;
	img = cephc_calloc(1, sizeof(*img));
	if (!img)
		return CEPHC_ENOMEM;
	pthread_mutex_init(&img->lock, NULL);
	cephc_client_cond_init(&img->idle);
	cephc_rbd_meta_init(&img->meta);
	img->c = c;
	img->read_only = (flags & CEPHC_RBD_OPEN_READ_ONLY) || snap;
	img->pool_name = cephc_strdup(pool);
	img->name = cephc_strdup(name);
	if (!img->pool_name || !img->name) {
		ret = CEPHC_ENOMEM;
		goto fail;
	}
	img->pool = cephc_cluster_pool_lookup(c, pool);
	if (img->pool < 0) {
		set_err("pool '%s' does not exist", pool);
		ret = CEPHC_ENOENT;
		goto fail;
	}
	ret = rbd_osd_get(c, &img->osd);
	if (ret)
		goto fail;

	/* rbd_id.<name> -> id */
	cephc_rbd_id_object_name(name, oid, sizeof(oid));
	ret = call_one(img->osd, img->pool, oid, "get_id", NULL, 0, false,
		       get_id_reply, &id);
	if (ret) {
		if (ret == CEPHC_ENOENT)
			set_err("image '%s' does not exist in pool '%s'", name,
				pool);
		goto fail;
	}
	img->meta.id = id;
	img->meta.have |= 1u << CEPHC_RBD_REPLY_GET_ID;
	cephc_rbd_header_object_name(id, img->header_oid,
				     sizeof(img->header_oid));

	ret = load_header(img, img->read_only);
	if (ret) {
		if (!last_err[0])
			set_err("reading header %s: %s", img->header_oid,
				cephc_strerror(ret));
		goto fail;
	}
	ret = cephc_rbd_meta_finish(&img->meta);
	if (ret == CEPHC_EFEATURES) {
		uint64_t f = img->meta.incompatible_features |
			     (img->read_only ? (img->meta.features &
						CEPHC_RBD_FEATURES_INCOMPATIBLE)
					     : img->meta.features);
		explain_features(
		    img->read_only
			? cephc_rbd_features_unsupported_for_read(f)
			: cephc_rbd_features_unsupported_for_write(f),
		    img->read_only);
		goto fail;
	}
	if (ret) {
		set_err("image header %s is inconsistent: %s", img->header_oid,
			cephc_strerror(ret));
		goto fail;
	}
	if (img->meta.parent.pool_id >= 0) {
		set_err("image is a clone (has a parent): not supported");
		ret = CEPHC_EOPNOTSUPP;
		goto fail;
	}
	img->layout.object_size = UINT64_C(1) << img->meta.order;
	img->layout.stripe_unit = img->meta.stripe_unit;
	img->layout.stripe_count = img->meta.stripe_count;
	if (cephc_layout_check(&img->layout)) {
		set_err("image layout is invalid");
		ret = CEPHC_EDECODE;
		goto fail;
	}
	img->data_pool =
	    img->meta.data_pool_id >= 0 ? img->meta.data_pool_id : img->pool;
	img->snap_id = CEPHC_RBD_NOSNAP;
	img->size = img->meta.size;
	if (snap) {
		const struct cephc_rbd_snap *s =
		    cephc_rbd_meta_snap_by_name(&img->meta, snap);
		if (!s) {
			set_err("snapshot '%s' does not exist", snap);
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
				call_one(img->osd, img->pool, img->header_oid,
					 "get_protection_status", b,
					 (size_t)(e.p - e.start), false,
					 protection_reply,
					 &img->snap_protected);
		}
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
			set_err("cannot watch header %s: %s", img->header_oid,
				cephc_strerror(ret));
			goto fail;
		}
	}
	*out = img;
	return 0;
fail:
	log_debug(SUBSYS, "open %s/%s: %s", pool, name, cephc_strerror(ret));
	image_free(img);
	return ret;
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

	ret = call_one(img->osd, img->pool, img->header_oid, "get_snapcontext",
		       NULL, 0, false, snap_context_reply, args);
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
			req_setup(&req, &ops, img->pool, img->header_oid);
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
		ret = call_one(img->osd, img->pool, img->header_oid, "set_size",
			       buf, (size_t)(e.p - e.start), true, NULL, NULL);
	if (ret)
		return ret;
	pthread_mutex_lock(&img->lock);
	img->size = size;
	img->meta.size = size;
	pthread_mutex_unlock(&img->lock);
	/* Other clients with the image open learn the new size (librbd
	 * does the same after a resize); our own watch re-reads too. */
	ret = rbd_image_notify_header_update(img);
	if (ret)
		log_debug(SUBSYS, "%s: header update notify: %s",
			  img->header_oid, cephc_strerror(ret));
	return 0;
}

/* ---- create ----------------------------------------------------------- */

/* Run one request with ops built by the caller on oid. */
static int exec_ops(struct rbd_osd *o, int64_t pool, const char *oid,
		    struct cephc_osd_ops *ops)
{
	struct cephc_osdc_req req;
	int ret;

	req_setup(&req, ops, pool, oid);
	ret = rbd_osd_exec(o, &req);
	cephc_osd_ops_release(ops);
	return ret;
}

int cephc_rbd_create(cephc_cluster *c, const char *pool, const char *name,
		     const struct cephc_rbd_create_opts *o)
{
	uint64_t features, osize, su, sc;
	int64_t pid, dpid = CEPHC_RBD_POOL_NONE;
	char id[CEPHC_RBD_GEN_ID_LEN_MAX + 1];
	char oid[RBD_OID_MAX + CEPHC_RBD_NAME_MAX];
	char prefix[CEPHC_RBD_OBJECT_PREFIX_MAX];
	uint8_t buf[CEPHC_RBD_ENC_MAX + CEPHC_RBD_OBJECT_PREFIX_MAX];
	struct cephc_osd_ops ops;
	struct rbd_osd *osd;
	struct cephc_enc e;
	uint32_t rnd = 0;
	int order, ret;

	last_err[0] = '\0';
	if (!c || !pool || !name || !o || !*name ||
	    strlen(name) > CEPHC_RBD_NAME_MAX)
		return CEPHC_EINVAL;
	order = o->order ? o->order : 22;
	if (order < CEPHC_RBD_MIN_ORDER || order > CEPHC_RBD_MAX_ORDER) {
		set_err("order must be in the range [%d, %d]",
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
		set_err("cephc creates images with layering, striping and "
			"data-pool only");
		return CEPHC_EOPNOTSUPP;
	}
	if (su > osize || osize % su || (su & (su - 1)) || sc < 1) {
		set_err("stripe unit must be a power of two dividing the object"
			" size");
		return CEPHC_EINVAL;
	}
	/* librbd: default striping needs (and keeps) no STRIPINGV2 bit. */
	if (su == osize && sc == 1)
		features &= ~CEPHC_RBD_FEATURE_STRIPINGV2;
	else
		features |= CEPHC_RBD_FEATURE_STRIPINGV2;
	ret = pool_id(c, pool);
	if (ret)
		return ret;
	pid = cephc_cluster_pool_lookup(c, pool);
	if (o->data_pool && *o->data_pool && strcmp(o->data_pool, pool)) {
		dpid = cephc_cluster_pool_lookup(c, o->data_pool);
		if (dpid < 0) {
			set_err("data pool '%s' does not exist", o->data_pool);
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
			 (long long)pid, id);
	else
		snprintf(prefix, sizeof(prefix), "rbd_data.%s", id);

	ret = rbd_osd_get(c, &osd);
	if (ret)
		return ret;

	/* 1. directory entry (EEXIST when the name is taken) */
	enc_init(&e, buf, sizeof(buf));
	ret = cephc_rbd_enc_dir_add_image(&e, name, id);
	if (!ret)
		ret = call_one(osd, pid, CEPHC_RBD_DIRECTORY, "dir_add_image",
			       buf, (size_t)(e.p - e.start), true, NULL, NULL);
	if (ret) {
		if (ret == CEPHC_EEXIST)
			set_err("rbd image %s already exists", name);
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
		ret = exec_ops(osd, pid, oid, &ops);
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
		ret = exec_ops(osd, pid, oid, &ops);
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
			ret = call_one(osd, pid, oid, "set_stripe_unit_count",
				       buf, (size_t)(e.p - e.start), true, NULL,
				       NULL);
		if (ret)
			goto undo_header;
	}
	goto out;

undo_header:
	cephc_osd_ops_init(&ops);
	if (!cephc_osd_op_delete(cephc_osd_ops_add(&ops)))
		exec_ops(osd, pid, oid, &ops);
	else
		cephc_osd_ops_release(&ops);

undo_id:
	cephc_osd_ops_init(&ops);
	cephc_rbd_id_object_name(name, oid, sizeof(oid));
	if (!cephc_osd_op_delete(cephc_osd_ops_add(&ops)))
		exec_ops(osd, pid, oid, &ops);
	else
		cephc_osd_ops_release(&ops);
undo_dir:
	enc_init(&e, buf, sizeof(buf));
	if (!cephc_rbd_enc_dir_remove_image(&e, name, id))
		call_one(osd, pid, CEPHC_RBD_DIRECTORY, "dir_remove_image", buf,
			 (size_t)(e.p - e.start), true, NULL, NULL);
out:
	if (ret && !last_err[0])
		set_err("creating image %s: %s", name, cephc_strerror(ret));
	rbd_osd_put(osd);
	return ret;
}

/* ---- list ------------------------------------------------------------- */

struct list_acc {
	struct cephc_rbd_kv_list page;
};

static int list_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_dir_list(p, len, &((struct list_acc *)arg)->page);
}

int cephc_rbd_list(cephc_cluster *c, const char *pool, char ***names,
		   size_t *count)
{
	char **all = NULL;
	size_t n = 0, cap = 0, bytes = 0;
	char *after = NULL;
	struct rbd_osd *osd;
	int64_t pid;
	int ret;

	if (!c || !pool || !names || !count)
		return CEPHC_EINVAL;
	ret = pool_id(c, pool);
	if (ret)
		return ret;
	pid = cephc_cluster_pool_lookup(c, pool);
	ret = rbd_osd_get(c, &osd);
	if (ret)
		return ret;
	for (;;) {
		uint8_t buf[CEPHC_RBD_ENC_MAX];
		struct cephc_enc e;
		struct list_acc acc;

		memset(&acc, 0, sizeof(acc));
		enc_init(&e, buf, sizeof(buf));
		ret = cephc_rbd_enc_dir_list(&e, after ? after : "",
					     RBD_DIR_PAGE);
		if (!ret)
			ret = call_one(osd, pid, CEPHC_RBD_DIRECTORY,
				       "dir_list", buf, (size_t)(e.p - e.start),
				       false, list_reply, &acc);
		if (ret == CEPHC_ENOENT) /* no directory: no images */
			ret = 0;
		if (ret || !acc.page.count) {
			cephc_rbd_kv_list_clear(&acc.page);
			break;
		}
		for (uint32_t i = 0; i < acc.page.count && !ret; i++) {
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 64;
				char **na =
				    cephc_realloc(all, nc * sizeof(*na));
				if (!na) {
					ret = CEPHC_ENOMEM;
					break;
				}
				all = na;
				cap = nc;
			}
			all[n] = acc.page.items[i].key;
			acc.page.items[i].key = NULL;
			bytes += strlen(all[n]) + 1;
			n++;
		}
		after = n ? all[n - 1] : NULL;
		{
			uint32_t got = acc.page.count;
			cephc_rbd_kv_list_clear(&acc.page);
			if (ret || got < RBD_DIR_PAGE)
				break;
		}
	}
	rbd_osd_put(osd);
	if (!ret) {
		/* One allocation: the array, then the strings. */
		char **v = cephc_malloc((n + 1) * sizeof(*v) + bytes + 1);
		char *p;

		if (!v) {
			ret = CEPHC_ENOMEM;
		} else {
			p = (char *)(v + n + 1);
			for (size_t i = 0; i < n; i++) {
				size_t l = strlen(all[i]) + 1;
				memcpy(p, all[i], l);
				v[i] = p;
				p += l;
			}
			v[n] = NULL;
			*names = v;
			*count = n;
		}
	}
	for (size_t i = 0; i < n; i++)
		cephc_free(all[i]);
	cephc_free(all);
	return ret;
}

/* ---- remove ----------------------------------------------------------- */

static int watchers_reply(void *arg, const uint8_t *p, size_t len)
{
	struct cephc_osd_watchers_iter it;
	struct cephc_osd_watcher w;
	unsigned *n = arg;
	int ret = cephc_osd_watchers_iter_init(&it, p, len);

	while (!ret && (ret = cephc_osd_watchers_iter_next(&it, &w)) > 0)
		(*n)++;
	return ret < 0 ? ret : 0;
}

static int count_watchers(struct cephc_rbd_image *img, unsigned *n)
{
	struct cephc_osd_ops ops;
	struct cephc_osdc_req req;
	int ret;

	*n = 0;
	cephc_osd_ops_init(&ops);
	ret = cephc_osd_op_list_watchers(cephc_osd_ops_add(&ops), 0);
	if (!ret) {
		req_setup(&req, &ops, img->pool, img->header_oid);
		ret = rbd_osd_exec(img->osd, &req);
	}
	if (!ret)
		ret = watchers_reply(n, ops.ops[0].op_outdata,
				     ops.ops[0].op_outdata_len);
	cephc_osd_ops_release(&ops);
	return ret;
}

/* Delete data objects [0, count) of the image, a window at a time. */
static int delete_data_objects(struct cephc_rbd_image *img, uint64_t count)
{
	struct {
		struct cephc_osdc_req req;
		struct cephc_osd_ops ops;
		char oid[RBD_OID_MAX];
	} * slots;
	struct cephc_osdc_req *reqs[RBD_REMOVE_WINDOW];
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
			req_setup(&slots[n].req, &slots[n].ops, img->data_pool,
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

int cephc_rbd_remove(cephc_cluster *c, const char *pool, const char *name)
{
	struct cephc_rbd_image *img;
	char oid[RBD_OID_MAX + CEPHC_RBD_NAME_MAX];
	uint8_t buf[CEPHC_RBD_ENC_MAX];
	struct cephc_osd_ops ops;
	struct cephc_enc e;
	unsigned watchers;
	int ret;

	/* Read-only open: removal must work whatever the features. */
	ret =
	    cephc_rbd_open(c, pool, name, NULL, CEPHC_RBD_OPEN_READ_ONLY, &img);
	if (ret)
		return ret;
	if (img->meta.features & ~CEPHC_RBD_FEATURES_WRITE_SUPPORTED) {
		explain_features(img->meta.features &
				     ~CEPHC_RBD_FEATURES_WRITE_SUPPORTED,
				 false);
		ret = CEPHC_EFEATURES;
		goto out;
	}
	if (img->meta.num_snaps) {
		set_err("image has snapshots - these must be deleted first");
		ret = CEPHC_ENOTEMPTY;
		goto out;
	}
	ret = count_watchers(img, &watchers);
	if (!ret && watchers) {
		set_err("image still has watchers");
		ret = CEPHC_EBUSY;
	}
	if (ret)
		goto out;
	ret = delete_data_objects(
	    img, cephc_striper_num_objects(&img->layout, img->meta.size));
	if (ret)
		goto out;
	/* header, id object, then the directory entry (librbd's order) */
	cephc_osd_ops_init(&ops);
	cephc_osd_op_delete(cephc_osd_ops_add(&ops));
	ret = exec_ops(img->osd, img->pool, img->header_oid, &ops);
	if (ret && ret != CEPHC_ENOENT)
		goto out;
	cephc_rbd_id_object_name(name, oid, sizeof(oid));
	cephc_osd_ops_init(&ops);
	cephc_osd_op_delete(cephc_osd_ops_add(&ops));
	ret = exec_ops(img->osd, img->pool, oid, &ops);
	if (ret && ret != CEPHC_ENOENT)
		goto out;
	enc_init(&e, buf, sizeof(buf));
	ret = cephc_rbd_enc_dir_remove_image(&e, name, img->meta.id);
	if (!ret)
		ret = call_one(img->osd, img->pool, CEPHC_RBD_DIRECTORY,
			       "dir_remove_image", buf, (size_t)(e.p - e.start),
			       true, NULL, NULL);
	if (ret == CEPHC_ENOENT)
		ret = 0;
out:
	cephc_rbd_close(img);
	return ret;
}
