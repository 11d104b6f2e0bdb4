/* SPDX-License-Identifier: MIT */
/*
 * The public RADOS object API (include/cephc/rados.h) on top of the OSD
 * client: I/O contexts, compound operations, async submission through the
 * cluster's loop and synchronous wrappers.
 *
 * The OSD client and the map belong to the client instance (client.h):
 * an I/O context asks it for the OSD client (started on first demand) and
 * for pool lookups, and submits through its loop.  Nothing here calls the
 * cluster API (cluster.c) nor is called by it.
 *
 * Threading: builders touch only the operation (one thread at a time per
 * operation, as librados); submission hands the operation to driver
 * context, where its completion also runs.  An operation is busy from
 * submission until its callback has been called.
 */
#include "cephc/rados.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "cephc/errors.h"
#include "client/client.h"
#include "core/alloc.h"
#include "core/log.h"
#include "osdc/osd_client.h"

#define SUBSYS "rados"

struct cephc_ioctx {
	struct cephc_cluster *c;
	int64_t pool;
	char *nspace;
	char *key;
	uint32_t timeout_ms;
	uint32_t osd_flags; /* CEPHC_OSD_FLAG_* on every request */
};

/* What to do with one op's output when the request completes. */
enum post_kind {
	POST_NONE = 0,
	POST_READ,    /* *bytes_read = outdata_len */
	POST_STAT,    /* decode size / mtime */
	POST_COPY,    /* copy scratch out-data into buf (xattr, cls out) */
	POST_OMAPGET, /* find key in the returned map, copy its value */
	POST_KV,      /* decode a key list / map into a caller iterator */
	POST_BLOB,    /* copy the out-data into a heap buffer (pgnls) */
};

struct op_post {
	enum post_kind kind;
	int *prval;
	size_t *len; /* bytes read / value length */
	void *buf;
	size_t cap;
	uint64_t *size;
	time_t *mtime;
	const char *key;
	/* POST_KV / POST_BLOB */
	struct cephc_kv_iter **iter;
	int *pmore;
	bool vals, has_more;
	uint8_t **blob;
};

/* Both operation kinds share one layout. */
struct rados_op {
	struct cephc_osd_ops ops;
	struct op_post post[CEPHC_OSD_MAX_OPS];
	struct iovec iov[CEPHC_OSD_MAX_OPS];
	int err;   /* first builder error */
	int flags; /* CEPHC_OP_FLAG_* */
	bool busy;

	/* the submission in flight */
	struct cephc_osdc_req req;
	struct cephc_loop_work work;
	struct cephc_ioctx *io;
	char *oid, *nspace, *key;
	cephc_rados_cb cb;
	void *arg;
	int result_bytes_op; /* op whose out length is the result (-1) */
	/* PG ops: target the PG of raw hash `hash` (oid "") */
	bool by_hash;
	uint32_t hash;
	uint32_t extra_flags; /* CEPHC_OSD_FLAG_* added to the request */
};

struct cephc_write_op {
	struct rados_op o;
};
struct cephc_read_op {
	struct rados_op o;
};

/* ---- I/O contexts ---------------------------------------------------------
 */

/* The pool is checked against the instance's map (read under c->lock, as
 * client.h allows API threads); the ioctx itself holds no instance state. */
int cephc_ioctx_create_by_id(cephc_cluster *c, int64_t pool_id,
			     cephc_ioctx **out)
{
	struct cephc_osdc *osdc;
	struct cephc_ioctx *io;
	int r;

	*out = NULL;
	pthread_mutex_lock(&c->lock);
	bool have = c->osdmap && cephc_osdmap_pool(c->osdmap, pool_id);
	bool conn = c->osdmap != NULL;
	pthread_mutex_unlock(&c->lock);
	if (!conn)
		return CEPHC_ENOTCONN;
	if (!have) {
		/* Created after our map, maybe: ask for the newest first, as
		 * librados does, before calling it missing. */
		r = cephc_client_wait_for_latest_osdmap(c);
		if (r)
			return r;
		pthread_mutex_lock(&c->lock);
		have = c->osdmap && cephc_osdmap_pool(c->osdmap, pool_id);
		pthread_mutex_unlock(&c->lock);
		if (!have)
			return CEPHC_ENOENT;
	}
	/* the instance's one OSD client; requests find it at submission */
	if ((r = cephc_client_osdc_get(c, &osdc)))
		return r;
	io = cephc_calloc(1, sizeof(*io));
	if (!io)
		return CEPHC_ENOMEM;
	io->c = c;
	io->pool = pool_id;
	/* the cluster's op timeout at each submission, until set here */
	io->timeout_ms = CEPHC_OSDC_TIMEOUT_INHERIT;
	*out = io;
	return 0;
}

int cephc_ioctx_create(cephc_cluster *c, const char *pool_name,
		       cephc_ioctx **out)
{
	int64_t id = cephc_client_pool_lookup(c, pool_name);

	*out = NULL;
	if (id == CEPHC_ENOENT) {
		/* same as by id: the pool may be newer than our map */
		int r = cephc_client_wait_for_latest_osdmap(c);

		if (r)
			return r;
		id = cephc_client_pool_lookup(c, pool_name);
	}
	if (id < 0)
		return (int)id;
	return cephc_ioctx_create_by_id(c, id, out);
}

void cephc_ioctx_destroy(cephc_ioctx *io)
{
	if (!io)
		return;
	cephc_free(io->nspace);
	cephc_free(io->key);
	cephc_free(io);
}

int64_t cephc_ioctx_pool_id(const cephc_ioctx *io)
{
	return io->pool;
}

static int set_str(char **dst, const char *s)
{
	char *n = NULL;

	if (s && *s) {
		if (strlen(s) > CEPHC_OSD_NAME_MAX)
			return CEPHC_EINVAL;
		n = cephc_strdup(s);
		if (!n)
			return CEPHC_ENOMEM;
	}
	cephc_free(*dst);
	*dst = n;
	return 0;
}

int cephc_ioctx_set_namespace(cephc_ioctx *io, const char *ns)
{
	return set_str(&io->nspace, ns);
}

int cephc_ioctx_set_locator(cephc_ioctx *io, const char *key)
{
	return set_str(&io->key, key);
}

void cephc_ioctx_set_timeout(cephc_ioctx *io, uint32_t ms)
{
	io->timeout_ms = ms;
}

void cephc_ioctx_set_full_try(cephc_ioctx *io, int full_try)
{
	if (full_try)
		io->osd_flags |= CEPHC_OSD_FLAG_FULL_TRY;
	else
		io->osd_flags &= ~(uint32_t)CEPHC_OSD_FLAG_FULL_TRY;
}

/* ---- building ----------------------------------------------------------- */

static struct rados_op *op_new(void)
{
	struct rados_op *o = cephc_calloc(1, sizeof(*o));

	if (o) {
		cephc_osd_ops_init(&o->ops);
		o->result_bytes_op = -1;
	}
	return o;
}

static void op_free(struct rados_op *o)
{
	if (!o)
		return;
	cephc_osd_ops_release(&o->ops);
	cephc_free(o);
}

/* Next op slot and its post-processing slot; NULL (and err) when full. */
static struct cephc_osd_op *op_slot(struct rados_op *o, struct op_post **pp)
{
	struct cephc_osd_op *op;

	if (o->busy) {
		o->err = o->err ? o->err : CEPHC_EBUSY;
		return NULL;
	}
	op = cephc_osd_ops_add(&o->ops);
	if (!op) {
		o->err = o->err ? o->err : CEPHC_E2BIG;
		return NULL;
	}
	*pp = &o->post[o->ops.num_ops - 1];
	memset(*pp, 0, sizeof(**pp));
	return op;
}

static int op_added(struct rados_op *o, int ret)
{
	if (ret) {
		/* keep the slot count consistent: drop the failed op */
		o->ops.num_ops--;
		if (!o->err)
			o->err = ret;
	}
	return ret;
}

static struct iovec *op_iov(struct rados_op *o, const void *buf, size_t len)
{
	struct iovec *v = &o->iov[o->ops.num_ops - 1];

	v->iov_base = (void *)buf;
	v->iov_len = len;
	return v;
}

#define SLOT(o, op, pp)                                                        \
	struct op_post *pp;                                                    \
	struct cephc_osd_op *op = op_slot(o, &pp);                             \
	if (!op)                                                               \
		return (o)->err;

cephc_write_op *cephc_write_op_create(void)
{
	return (cephc_write_op *)op_new();
}

void cephc_write_op_release(cephc_write_op *op)
{
	op_free(op ? &op->o : NULL);
}

void cephc_write_op_set_flags(cephc_write_op *op, int flags)
{
	op->o.flags = flags;
}

int cephc_write_op_create_object(cephc_write_op *w, int exclusive)
{
	SLOT(&w->o, op, pp);
	(void)pp;
	return op_added(&w->o, cephc_osd_op_create(op, exclusive != 0));
}

int cephc_write_op_write(cephc_write_op *w, const void *buf, size_t len,
			 uint64_t off)
{
	SLOT(&w->o, op, pp);
	(void)pp;
	return op_added(
	    &w->o,
	    cephc_osd_op_write(op, off, op_iov(&w->o, buf, len), len ? 1 : 0));
}

int cephc_write_op_write_full(cephc_write_op *w, const void *buf, size_t len)
{
	SLOT(&w->o, op, pp);
	(void)pp;
	return op_added(&w->o, cephc_osd_op_writefull(
				   op, op_iov(&w->o, buf, len), len ? 1 : 0));
}

int cephc_write_op_append(cephc_write_op *w, const void *buf, size_t len)
{
	SLOT(&w->o, op, pp);
	(void)pp;
	return op_added(&w->o, cephc_osd_op_append(op, op_iov(&w->o, buf, len),
						   len ? 1 : 0));
}

int cephc_write_op_truncate(cephc_write_op *w, uint64_t size)
{
	SLOT(&w->o, op, pp);
	(void)pp;
	return op_added(&w->o, cephc_osd_op_truncate(op, size));
}

int cephc_write_op_zero(cephc_write_op *w, uint64_t off, uint64_t len)
{
	SLOT(&w->o, op, pp);
	(void)pp;
	return op_added(&w->o, cephc_osd_op_zero(op, off, len));
}

int cephc_write_op_remove(cephc_write_op *w)
{
	SLOT(&w->o, op, pp);
	(void)pp;
	return op_added(&w->o, cephc_osd_op_delete(op));
}

int cephc_write_op_setxattr(cephc_write_op *w, const char *name,
			    const void *val, size_t len)
{
	if (len > UINT32_MAX)
		return CEPHC_EINVAL;
	SLOT(&w->o, op, pp);
	(void)pp;
	return op_added(&w->o,
			cephc_osd_op_setxattr(op, name, val, (uint32_t)len));
}

int cephc_write_op_rmxattr(cephc_write_op *w, const char *name)
{
	SLOT(&w->o, op, pp);
	(void)pp;
	return op_added(&w->o, cephc_osd_op_rmxattr(op, name));
}

static int kv_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cephc_osd_kv *)a)->key,
		      ((const struct cephc_osd_kv *)b)->key);
}

int cephc_write_op_omap_set(cephc_write_op *w, const char *const *keys,
			    const void *const *vals, const size_t *lens,
			    size_t n)
{
	struct cephc_osd_kv *kv;
	int ret;

	if (n > CEPHC_OSD_OMAP_KEYS_MAX)
		return CEPHC_EINVAL;
	SLOT(&w->o, op, pp);
	(void)pp;
	kv = cephc_malloc_array(n ? n : 1, sizeof(*kv));
	if (!kv)
		return op_added(&w->o, CEPHC_ENOMEM);
	for (size_t i = 0; i < n; i++) {
		kv[i].key = keys[i];
		kv[i].val = vals[i];
		kv[i].val_len = (uint32_t)lens[i];
	}
	/* Ceph maps travel in key order. */
	qsort(kv, n, sizeof(*kv), kv_cmp);
	ret = cephc_osd_op_omap_set_keys(op, kv, (uint32_t)n);
	cephc_free(kv);
	return op_added(&w->o, ret);
}

int cephc_write_op_omap_rm_keys(cephc_write_op *w, const char *const *keys,
				size_t n)
{
	if (n > CEPHC_OSD_OMAP_KEYS_MAX)
		return CEPHC_EINVAL;
	SLOT(&w->o, op, pp);
	(void)pp;
	return op_added(&w->o,
			cephc_osd_op_omap_rm_keys(op, keys, (uint32_t)n));
}

int cephc_write_op_exec(cephc_write_op *w, const char *cls, const char *method,
			const void *in, size_t inlen, int *prval)
{
	SLOT(&w->o, op, pp);
	pp->prval = prval;
	return op_added(&w->o, cephc_osd_op_call(op, cls, method,
						 op_iov(&w->o, in, inlen),
						 inlen ? 1 : 0, true, 0));
}

cephc_read_op *cephc_read_op_create(void)
{
	return (cephc_read_op *)op_new();
}

void cephc_read_op_release(cephc_read_op *op)
{
	op_free(op ? &op->o : NULL);
}

void cephc_read_op_set_flags(cephc_read_op *op, int flags)
{
	op->o.flags = flags;
}

int cephc_read_op_read(cephc_read_op *r, uint64_t off, size_t len, void *buf,
		       size_t *bytes_read, int *prval)
{
	SLOT(&r->o, op, pp);
	pp->kind = POST_READ;
	pp->prval = prval;
	pp->len = bytes_read;
	return op_added(
	    &r->o, cephc_osd_op_read(op, off, len, op_iov(&r->o, buf, len), 1));
}

int cephc_read_op_stat(cephc_read_op *r, uint64_t *size, time_t *mtime,
		       int *prval)
{
	SLOT(&r->o, op, pp);
	pp->kind = POST_STAT;
	pp->prval = prval;
	pp->size = size;
	pp->mtime = mtime;
	return op_added(&r->o, cephc_osd_op_stat(op));
}

int cephc_read_op_assert_exists(cephc_read_op *r)
{
	SLOT(&r->o, op, pp);
	(void)pp;
	return op_added(&r->o, cephc_osd_op_assert_exists(op));
}

int cephc_read_op_getxattr(cephc_read_op *r, const char *name, void *buf,
			   size_t cap, size_t *len, int *prval)
{
	SLOT(&r->o, op, pp);
	pp->kind = POST_COPY;
	pp->prval = prval;
	pp->buf = buf;
	pp->cap = cap;
	pp->len = len;
	return op_added(&r->o, cephc_osd_op_getxattr(op, name, 0));
}

int cephc_read_op_exec(cephc_read_op *r, const char *cls, const char *method,
		       const void *in, size_t inlen, void *out, size_t cap,
		       size_t *outlen, int *prval)
{
	SLOT(&r->o, op, pp);
	pp->kind = POST_COPY;
	pp->prval = prval;
	pp->buf = out;
	pp->cap = cap;
	pp->len = outlen;
	return op_added(&r->o, cephc_osd_op_call(op, cls, method,
						 op_iov(&r->o, in, inlen),
						 inlen ? 1 : 0, false, 0));
}

int cephc_read_op_omap_get(cephc_read_op *r, const char *key, void *buf,
			   size_t cap, size_t *len, int *prval)
{
	SLOT(&r->o, op, pp);
	pp->kind = POST_OMAPGET;
	pp->prval = prval;
	pp->buf = buf;
	pp->cap = cap;
	pp->len = len;
	pp->key = key;
	return op_added(&r->o,
			cephc_osd_op_omap_get_vals_by_keys(op, &key, 1, 0));
}

static int kv_slot(struct cephc_read_op *r, struct op_post **pp,
		   struct cephc_osd_op **op, struct cephc_kv_iter **iter,
		   int *pmore, int *prval, bool vals, bool has_more)
{
	if (!iter)
		return CEPHC_EINVAL;
	*iter = NULL;
	*op = op_slot(&r->o, pp);
	if (!*op)
		return r->o.err;
	(*pp)->kind = POST_KV;
	(*pp)->prval = prval;
	(*pp)->iter = iter;
	(*pp)->pmore = pmore;
	(*pp)->vals = vals;
	(*pp)->has_more = has_more;
	return 0;
}

int cephc_read_op_getxattrs(cephc_read_op *r, cephc_kv_iter **iter, int *prval)
{
	struct op_post *pp;
	struct cephc_osd_op *op;
	int ret = kv_slot(r, &pp, &op, iter, NULL, prval, true, false);

	if (ret)
		return ret;
	return op_added(&r->o,
			cephc_osd_op_getxattrs(op, CEPHC_OSD_OUT_DEFAULT));
}

/* librados' "no limit" for omap reads */
static uint64_t omap_max(uint64_t max_return)
{
	return max_return ? max_return : UINT64_MAX;
}

int cephc_read_op_omap_get_keys(cephc_read_op *r, const char *start_after,
				uint64_t max_return, cephc_kv_iter **iter,
				int *pmore, int *prval)
{
	struct op_post *pp;
	struct cephc_osd_op *op;
	int ret = kv_slot(r, &pp, &op, iter, pmore, prval, false, true);

	if (ret)
		return ret;
	return op_added(&r->o,
			cephc_osd_op_omap_get_keys(
			    op, start_after ? start_after : "",
			    omap_max(max_return), CEPHC_OSD_OUT_DEFAULT));
}

int cephc_read_op_omap_get_vals(cephc_read_op *r, const char *start_after,
				const char *filter_prefix, uint64_t max_return,
				cephc_kv_iter **iter, int *pmore, int *prval)
{
	struct op_post *pp;
	struct cephc_osd_op *op;
	int ret = kv_slot(r, &pp, &op, iter, pmore, prval, true, true);

	if (ret)
		return ret;
	return op_added(&r->o,
			cephc_osd_op_omap_get_vals(
			    op, start_after ? start_after : "",
			    filter_prefix ? filter_prefix : "",
			    omap_max(max_return), CEPHC_OSD_OUT_DEFAULT));
}

/* ---- key/value iterators ------------------------------------------------ */

struct kv_ent {
	const char *key;
	size_t key_len;
	const void *val;
	size_t val_len;
};

struct cephc_kv_iter {
	size_t n, pos;
	struct kv_ent *e;
	char *data; /* keys (NUL-terminated) and values, back to back */
};

/*
 * Decode GETXATTRS / OMAPGETKEYS / OMAPGETVALS out-data into an owned
 * iterator: one pass to size it, one to copy.  The decoder bounds the
 * entry count (CEPHC_OSD_LIST_MAX) and the input bounds every length.
 */
static int kv_build(const uint8_t *p, size_t len, bool vals, bool has_more,
		    struct cephc_kv_iter **out, int *pmore)
{
	struct cephc_osd_kv_iter it;
	const uint8_t *k, *v;
	uint32_t kl, vl;
	size_t n = 0, bytes = 0;
	struct cephc_kv_iter *kv;
	bool more = false;
	int ret;

	ret = cephc_osd_kv_iter_init(&it, p, len, vals);
	while (!ret &&
	       (ret = cephc_osd_kv_iter_next(&it, &k, &kl, &v, &vl)) == 1) {
		n++;
		bytes += (size_t)kl + 1 + vl;
		ret = 0;
	}
	if (!ret && has_more)
		ret = cephc_osd_kv_iter_more(&it, &more);
	if (ret)
		return ret;
	kv = cephc_calloc(1, sizeof(*kv));
	if (!kv)
		return CEPHC_ENOMEM;
	kv->e = cephc_malloc_array(n ? n : 1, sizeof(*kv->e));
	kv->data = cephc_malloc(bytes ? bytes : 1);
	if (!kv->e || !kv->data) {
		cephc_kv_iter_free(kv);
		return CEPHC_ENOMEM;
	}
	char *d = kv->data;
	cephc_osd_kv_iter_init(&it, p, len, vals);
	for (size_t i = 0; i < n; i++) {
		cephc_osd_kv_iter_next(&it, &k, &kl, &v, &vl);
		memcpy(d, k, kl);
		d[kl] = '\0';
		kv->e[i].key = d;
		kv->e[i].key_len = kl;
		d += kl + 1;
		if (vals) {
			if (vl)
				memcpy(d, v, vl);
			kv->e[i].val = d;
			kv->e[i].val_len = vl;
			d += vl;
		} else {
			/* key listings carry no values: say so, never leave
			 * the fields uninitialised */
			kv->e[i].val = NULL;
			kv->e[i].val_len = 0;
		}
	}
	kv->n = n;
	if (pmore)
		*pmore = more;
	*out = kv;
	return 0;
}

int cephc_kv_iter_next(cephc_kv_iter *it, const char **key, size_t *key_len,
		       const void **val, size_t *val_len)
{
	if (!it || it->pos >= it->n)
		return 0;
	const struct kv_ent *e = &it->e[it->pos++];
	if (key)
		*key = e->key;
	if (key_len)
		*key_len = e->key_len;
	if (val)
		*val = e->val;
	if (val_len)
		*val_len = e->val_len;
	return 1;
}

size_t cephc_kv_iter_count(const cephc_kv_iter *it)
{
	return it ? it->n : 0;
}

void cephc_kv_iter_free(cephc_kv_iter *it)
{
	if (!it)
		return;
	cephc_free(it->e);
	cephc_free(it->data);
	cephc_free(it);
}

/* ---- completion ------------------------------------------------------------
 */

/* Copy a value into a caller buffer; ERANGE when it does not fit. */
static int copy_value(struct op_post *pp, const uint8_t *p, size_t n)
{
	if (pp->len)
		*pp->len = n;
	if (n > pp->cap)
		return CEPHC_ERANGE;
	if (n)
		memcpy(pp->buf, p, n);
	return 0;
}

static int post_process(struct rados_op *o, int err)
{
	int first = 0;

	for (unsigned i = 0; i < o->ops.num_ops; i++) {
		struct cephc_osd_op *op = &o->ops.ops[i];
		struct op_post *pp = &o->post[i];
		int rval = op->op_rval;

		if (!err && rval >= 0) {
			switch (pp->kind) {
			case POST_READ:
				if (pp->len)
					*pp->len = op->op_outdata_len;
				break;
			case POST_STAT: {
				uint64_t size;
				uint32_t s, ns;
				rval = cephc_osd_decode_stat(op->op_outdata,
							     op->op_outdata_len,
							     &size, &s, &ns);
				if (!rval && pp->size)
					*pp->size = size;
				if (!rval && pp->mtime)
					*pp->mtime = (time_t)s;
				break;
			}
			case POST_COPY:
				rval = copy_value(pp, op->op_outdata,
						  op->op_outdata_len);
				break;
			case POST_OMAPGET: {
				struct cephc_osd_kv_iter it;
				const uint8_t *k, *v;
				uint32_t kl, vl;
				rval = cephc_osd_kv_iter_init(
				    &it, op->op_outdata, op->op_outdata_len,
				    true);
				int found = CEPHC_ENOENT;
				while (!rval && cephc_osd_kv_iter_next(
						    &it, &k, &kl, &v, &vl) == 1)
					if (kl == strlen(pp->key) &&
					    !memcmp(k, pp->key, kl))
						found = copy_value(pp, v, vl);
				if (!rval)
					rval = found;
				break;
			}
			case POST_KV:
				rval =
				    kv_build(op->op_outdata, op->op_outdata_len,
					     pp->vals, pp->has_more, pp->iter,
					     pp->pmore);
				break;
			case POST_BLOB:
				*pp->blob = cephc_malloc(
				    op->op_outdata_len ? op->op_outdata_len
						       : 1);
				if (!*pp->blob) {
					rval = CEPHC_ENOMEM;
					break;
				}
				memcpy(*pp->blob, op->op_outdata,
				       op->op_outdata_len);
				*pp->len = op->op_outdata_len;
				break;
			default:
				break;
			}
		}
		if (pp->prval)
			*pp->prval = err && rval >= 0 ? err : rval;
		if (rval < 0 && !first)
			first = rval;
	}
	return err ? err : first;
}

/* The OSD client's completion, driver context, exactly once per accepted
 * request.  The op is released (not busy) before the callback runs, so the
 * callback may reuse or free it. */
static void op_done(struct cephc_osdc_req *req, int err)
{
	struct rados_op *o =
	    (struct rados_op *)((char *)req - offsetof(struct rados_op, req));
	int result = post_process(o, err);
	cephc_rados_cb cb = o->cb;
	void *arg = o->arg;

	if (!result && o->result_bytes_op >= 0)
		result = (int)o->ops.ops[o->result_bytes_op].op_outdata_len;
	cephc_free(o->oid);
	cephc_free(o->nspace);
	cephc_free(o->key);
	o->oid = o->nspace = o->key = NULL;
	o->busy = false;
	cb(arg, result);
}

/* Driver context: the OSD client is only touched there.  A request it does
 * not accept completes here, so the caller hears exactly once. */
static void submit_fn(struct cephc_loop_work *w)
{
	struct rados_op *o =
	    (struct rados_op *)((char *)w - offsetof(struct rados_op, work));
	/* NULL once the cluster handle is being torn down */
	struct cephc_osdc *osdc = cephc_client_osdc(o->io->c);
	int ret = osdc ? cephc_osdc_submit(osdc, &o->req) : CEPHC_ECANCELED;

	if (ret)
		op_done(&o->req, ret);
}

static int op_submit(struct rados_op *o, struct cephc_ioctx *io,
		     const char *oid, cephc_rados_cb cb, void *arg)
{
	if (o->err)
		return (o)->err;
	if (o->busy)
		return CEPHC_EBUSY;
	if (!o->ops.num_ops || !oid || strlen(oid) > CEPHC_OSD_NAME_MAX)
		return CEPHC_EINVAL;
	o->oid = cephc_strdup(oid);
	o->nspace = io->nspace ? cephc_strdup(io->nspace) : NULL;
	o->key = io->key ? cephc_strdup(io->key) : NULL;
	if (!o->oid || (io->nspace && !o->nspace) || (io->key && !o->key)) {
		cephc_free(o->oid);
		cephc_free(o->nspace);
		cephc_free(o->key);
		return CEPHC_ENOMEM;
	}
	o->busy = true;
	o->io = io;
	o->cb = cb;
	o->arg = arg;
	cephc_osdc_req_init(&o->req);
	o->req.ops = &o->ops;
	o->req.pool = io->pool;
	o->req.oid = o->oid;
	o->req.key = o->key;
	o->req.nspace = o->nspace;
	o->req.timeout_ms = io->timeout_ms;
	o->req.req_flags =
	    (o->flags & CEPHC_OP_FLAG_UNSTABLE) ? CEPHC_OSDC_REQ_UNSTABLE : 0;
	o->req.done = op_done;
	o->req.use_raw_hash = o->by_hash;
	o->req.raw_hash = o->hash;
	o->req.flags |= o->extra_flags | io->osd_flags;
	o->work.fn = submit_fn;
	/* inline when nobody drives the loop, else handed to the driver */
	cephc_loop_submit(cephc_client_loop(io->c), &o->work);
	return 0;
}

/* ---- synchronous waiting ----------------------------------------------------
 */

/* One synchronous call, on the caller's stack (it outlives the op: the
 * caller waits for done).  A lock of its own, so the completion does not
 * take the handle's c->lock. */
struct sync_wait {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int result;
};

static void sync_cb(void *arg, int result)
{
	struct sync_wait *sw = arg;

	pthread_mutex_lock(&sw->lock);
	sw->result = result;
	sw->done = true;
	pthread_cond_signal(&sw->cond);
	pthread_mutex_unlock(&sw->lock);
}

static bool sync_done(void *arg)
{
	return ((struct sync_wait *)arg)->done;
}

static int op_sync(struct rados_op *o, struct cephc_ioctx *io, const char *oid)
{
	struct sync_wait sw = {.done = false};
	int ret;

	if (cephc_loop_in_driver(cephc_client_loop(io->c)))
		return CEPHC_EDEADLK; /* would wait for ourselves */
	pthread_mutex_init(&sw.lock, NULL);
	cephc_client_cond_init(&sw.cond);
	ret = op_submit(o, io, oid, sync_cb, &sw);
	if (!ret) {
		/* the op has its own timeout: it completes, one way or another
		 */
		pthread_mutex_lock(&sw.lock);
		ret = cephc_client_wait_for(io->c, &sw.lock, &sw.cond,
					    sync_done, &sw, 0);
		pthread_mutex_unlock(&sw.lock);
		if (!ret)
			ret = sw.result;
	}
	pthread_mutex_destroy(&sw.lock);
	pthread_cond_destroy(&sw.cond);
	return ret;
}

int cephc_write_op_operate(cephc_write_op *op, cephc_ioctx *io, const char *oid)
{
	return op_sync(&op->o, io, oid);
}

int cephc_write_op_aio(cephc_write_op *op, cephc_ioctx *io, const char *oid,
		       cephc_rados_cb cb, void *arg)
{
	return op_submit(&op->o, io, oid, cb, arg);
}

int cephc_read_op_operate(cephc_read_op *op, cephc_ioctx *io, const char *oid)
{
	return op_sync(&op->o, io, oid);
}

int cephc_read_op_aio(cephc_read_op *op, cephc_ioctx *io, const char *oid,
		      cephc_rados_cb cb, void *arg)
{
	return op_submit(&op->o, io, oid, cb, arg);
}

/* ---- one-op wrappers -------------------------------------------------------
 */

/* A stack operation for the synchronous wrappers (no allocation). */
static void op_stack_init(struct rados_op *o)
{
	memset(o, 0, sizeof(*o));
	cephc_osd_ops_init(&o->ops);
	o->result_bytes_op = -1;
}

static int run_write(cephc_ioctx *io, const char *oid, struct rados_op *o)
{
	int ret = op_sync(o, io, oid);

	cephc_osd_ops_release(&o->ops);
	return ret;
}

int cephc_rados_write(cephc_ioctx *io, const char *oid, const void *buf,
		      size_t len, uint64_t off)
{
	struct cephc_write_op w;

	op_stack_init(&w.o);
	cephc_write_op_write(&w, buf, len, off);
	return run_write(io, oid, &w.o);
}

int cephc_rados_write_full(cephc_ioctx *io, const char *oid, const void *buf,
			   size_t len)
{
	struct cephc_write_op w;

	op_stack_init(&w.o);
	cephc_write_op_write_full(&w, buf, len);
	return run_write(io, oid, &w.o);
}

int cephc_rados_append(cephc_ioctx *io, const char *oid, const void *buf,
		       size_t len)
{
	struct cephc_write_op w;

	op_stack_init(&w.o);
	cephc_write_op_append(&w, buf, len);
	return run_write(io, oid, &w.o);
}

int cephc_rados_remove(cephc_ioctx *io, const char *oid)
{
	struct cephc_write_op w;

	op_stack_init(&w.o);
	cephc_write_op_remove(&w);
	return run_write(io, oid, &w.o);
}

int cephc_rados_truncate(cephc_ioctx *io, const char *oid, uint64_t size)
{
	struct cephc_write_op w;

	op_stack_init(&w.o);
	cephc_write_op_truncate(&w, size);
	return run_write(io, oid, &w.o);
}

int cephc_rados_setxattr(cephc_ioctx *io, const char *oid, const char *name,
			 const void *val, size_t len)
{
	struct cephc_write_op w;

	op_stack_init(&w.o);
	cephc_write_op_setxattr(&w, name, val, len);
	return run_write(io, oid, &w.o);
}

int cephc_rados_rmxattr(cephc_ioctx *io, const char *oid, const char *name)
{
	struct cephc_write_op w;

	op_stack_init(&w.o);
	cephc_write_op_rmxattr(&w, name);
	return run_write(io, oid, &w.o);
}

int64_t cephc_rados_read(cephc_ioctx *io, const char *oid, void *buf,
			 size_t len, uint64_t off)
{
	struct cephc_read_op r;
	size_t got = 0;
	int ret;

	op_stack_init(&r.o);
	cephc_read_op_read(&r, off, len, buf, &got, NULL);
	ret = run_write(io, oid, &r.o);
	return ret < 0 ? ret : (int64_t)got;
}

int cephc_rados_stat(cephc_ioctx *io, const char *oid, uint64_t *size,
		     time_t *mtime)
{
	struct cephc_read_op r;

	op_stack_init(&r.o);
	cephc_read_op_stat(&r, size, mtime, NULL);
	return run_write(io, oid, &r.o);
}

int64_t cephc_rados_getxattr(cephc_ioctx *io, const char *oid, const char *name,
			     void *buf, size_t cap)
{
	struct cephc_read_op r;
	size_t len = 0;
	int ret;

	op_stack_init(&r.o);
	cephc_read_op_getxattr(&r, name, buf, cap, &len, NULL);
	ret = run_write(io, oid, &r.o);
	return ret < 0 ? ret : (int64_t)len;
}

int64_t cephc_rados_exec(cephc_ioctx *io, const char *oid, const char *cls,
			 const char *method, const void *in, size_t inlen,
			 void *out, size_t cap)
{
	struct cephc_read_op r;
	size_t len = 0;
	int ret;

	/* A cls call may write: send it as a write-capable read op (the
	 * method decides; WRITE makes it safe for both kinds). */
	op_stack_init(&r.o);
	struct op_post *pp;
	struct cephc_osd_op *op = op_slot(&r.o, &pp);
	pp->kind = POST_COPY;
	pp->buf = out;
	pp->cap = cap;
	pp->len = &len;
	op_added(&r.o,
		 cephc_osd_op_call(op, cls, method, op_iov(&r.o, in, inlen),
				   inlen ? 1 : 0, true, 0));
	ret = run_write(io, oid, &r.o);
	return ret < 0 ? ret : (int64_t)len;
}

/* ---- async one-op wrappers ---------------------------------------------- */

/* Heap operation that frees itself after the caller's callback. */
struct aio_one {
	struct rados_op o;
	cephc_rados_cb cb;
	void *arg;
};

static void aio_one_cb(void *arg, int result)
{
	struct aio_one *a = arg;

	a->cb(a->arg, result);
	cephc_osd_ops_release(&a->o.ops);
	cephc_free(a);
}

static struct aio_one *aio_one_new(cephc_rados_cb cb, void *arg)
{
	struct aio_one *a = cephc_malloc(sizeof(*a));

	if (a) {
		op_stack_init(&a->o);
		a->cb = cb;
		a->arg = arg;
	}
	return a;
}

static int aio_one_submit(struct aio_one *a, cephc_ioctx *io, const char *oid)
{
	int ret = op_submit(&a->o, io, oid, aio_one_cb, a);

	if (ret) {
		cephc_osd_ops_release(&a->o.ops);
		cephc_free(a);
	}
	return ret;
}

int cephc_rados_aio_write(cephc_ioctx *io, const char *oid, const void *buf,
			  size_t len, uint64_t off, cephc_rados_cb cb,
			  void *arg)
{
	struct aio_one *a = aio_one_new(cb, arg);

	if (!a)
		return CEPHC_ENOMEM;
	cephc_write_op_write((cephc_write_op *)&a->o, buf, len, off);
	return aio_one_submit(a, io, oid);
}

int cephc_rados_aio_read(cephc_ioctx *io, const char *oid, void *buf,
			 size_t len, uint64_t off, cephc_rados_cb cb, void *arg)
{
	struct aio_one *a = aio_one_new(cb, arg);

	if (!a)
		return CEPHC_ENOMEM;
	cephc_read_op_read((cephc_read_op *)&a->o, off, len, buf, NULL, NULL);
	a->o.result_bytes_op = 0;
	return aio_one_submit(a, io, oid);
}

/* ---- synchronous listings ---------------------------------------------- */

int cephc_rados_getxattrs(cephc_ioctx *io, const char *oid,
			  cephc_kv_iter **iter)
{
	struct cephc_read_op r;
	int ret;

	op_stack_init(&r.o);
	cephc_read_op_getxattrs(&r, iter, NULL);
	ret = run_write(io, oid, &r.o);
	if (ret < 0 && iter) {
		cephc_kv_iter_free(*iter);
		*iter = NULL;
	}
	return ret < 0 ? ret : 0;
}

int cephc_rados_omap_get_keys(cephc_ioctx *io, const char *oid,
			      const char *start_after, uint64_t max_return,
			      cephc_kv_iter **iter, int *pmore)
{
	struct cephc_read_op r;
	int ret;

	op_stack_init(&r.o);
	cephc_read_op_omap_get_keys(&r, start_after, max_return, iter, pmore,
				    NULL);
	ret = run_write(io, oid, &r.o);
	if (ret < 0 && iter) {
		cephc_kv_iter_free(*iter);
		*iter = NULL;
	}
	return ret < 0 ? ret : 0;
}

int cephc_rados_omap_get_vals(cephc_ioctx *io, const char *oid,
			      const char *start_after,
			      const char *filter_prefix, uint64_t max_return,
			      cephc_kv_iter **iter, int *pmore)
{
	struct cephc_read_op r;
	int ret;

	op_stack_init(&r.o);
	cephc_read_op_omap_get_vals(&r, start_after, filter_prefix, max_return,
				    iter, pmore, NULL);
	ret = run_write(io, oid, &r.o);
	if (ret < 0 && iter) {
		cephc_kv_iter_free(*iter);
		*iter = NULL;
	}
	return ret < 0 ? ret : 0;
}

/* ---- object listing ------------------------------------------------------ */

/* Entries asked for per PGNLS (librados' default list batch). */
#define LIST_BATCH 1024

/*
 * The cursor alone drives the walk, as in librados: each PGNLS goes to the
 * PG its cursor hashes to, and the OSD's reply handle is the next cursor.
 * When a PG is exhausted the handle is the first position of the next PG
 * in hobject order (bit-reversed hash, so PGs come 0, 4, 2, 6, 1, ... for
 * pg_num 8, which is the order `rados ls` prints); after the last PG it is
 * the MAX object.
 */
struct cephc_list_ctx {
	struct cephc_ioctx *io;
	bool started; /* a reply was seen: the cursor is its handle */
	bool at_end;  /* the last handle was MAX */
	bool have_reply;
	uint8_t *reply; /* the current PGNLS out-data (iterator views) */
	size_t reply_len;
	struct cephc_osd_pgnls_iter it;
	char *oid, *loc, *ns; /* the entry last returned */
};

int cephc_list_open(cephc_ioctx *io, cephc_list_ctx **out)
{
	struct cephc_list_ctx *l;

	*out = NULL;
	l = cephc_calloc(1, sizeof(*l));
	if (!l)
		return CEPHC_ENOMEM;
	l->io = io;
	*out = l;
	return 0;
}

/* One PGNLS round trip on the current PG, from the current cursor. */
static int list_fetch(struct cephc_list_ctx *l)
{
	struct cephc_read_op r;
	struct cephc_hobject cur;
	struct op_post *pp;
	struct cephc_osd_op *op;
	uint8_t *blob = NULL;
	size_t blob_len = 0;
	int ret;

	if (l->started)
		cur = l->it.handle; /* views into l->reply, copied below */
	else
		cephc_hobject_init_min(&cur); /* hash 0: PG 0 first */
	op_stack_init(&r.o);
	op = op_slot(&r.o, &pp);
	pp->kind = POST_BLOB;
	pp->blob = &blob;
	pp->len = &blob_len;
	/* the encoding copies the cursor: the old reply may go now */
	ret = cephc_osd_op_pgnls(op, LIST_BATCH, 0, &cur, 0);
	op_added(&r.o, ret);
	cephc_free(l->reply);
	l->reply = NULL;
	l->have_reply = false;
	if (ret) {
		cephc_osd_ops_release(&r.o.ops);
		return ret;
	}
	/* librados: READ | IGNORE_OVERLAY, no PGOP; oid "" and the
	 * cursor's hash, which the client folds to the cursor's PG */
	r.o.by_hash = true;
	r.o.hash = cur.hash;
	r.o.extra_flags = CEPHC_OSD_FLAG_IGNORE_OVERLAY;
	ret = run_write(l->io, "", &r.o);
	if (ret < 0) {
		cephc_free(blob);
		return ret;
	}
	l->reply = blob;
	l->reply_len = blob_len;
	ret = cephc_osd_pgnls_iter_init(&l->it, l->reply, l->reply_len);
	if (ret)
		return ret;
	l->have_reply = true;
	l->started = true;
	l->at_end = l->it.handle.is_max;
	return 0;
}

static int set_view(char **dst, const uint8_t *p, uint32_t n)
{
	char *s = cephc_malloc((size_t)n + 1);

	if (!s)
		return CEPHC_ENOMEM;
	memcpy(s, p, n);
	s[n] = '\0';
	cephc_free(*dst);
	*dst = s;
	return 0;
}

int cephc_list_next(cephc_list_ctx *l, const char **oid, const char **locator,
		    const char **nspace)
{
	struct cephc_osd_list_entry e;
	int ret;

	for (;;) {
		if (l->have_reply) {
			ret = cephc_osd_pgnls_iter_next(&l->it, &e);
			if (ret < 0)
				return ret;
			if (ret == 1)
				break;
			if (l->at_end)
				return 0;
		}
		if ((ret = list_fetch(l)))
			return ret;
	}
	if ((ret = set_view(&l->oid, e.oid, e.oid_len)) ||
	    (ret = set_view(&l->loc, e.locator, e.locator_len)) ||
	    (ret = set_view(&l->ns, e.nspace, e.nspace_len)))
		return ret;
	if (oid)
		*oid = l->oid;
	if (locator)
		*locator = l->loc;
	if (nspace)
		*nspace = l->ns;
	return 1;
}

void cephc_list_close(cephc_list_ctx *l)
{
	if (!l)
		return;
	cephc_free(l->reply);
	cephc_free(l->oid);
	cephc_free(l->loc);
	cephc_free(l->ns);
	cephc_free(l);
}

/* ---- self-managed snapshots ---------------------------------------------- */

int cephc_rados_selfmanaged_snap_create(cephc_ioctx *io, uint64_t *snapid)
{
	if (!io || !snapid)
		return CEPHC_EINVAL;
	return cephc_client_pool_op(
	    io->c, io->pool, CEPHC_POOL_OP_CREATE_UNMANAGED_SNAP, 0, snapid);
}

int cephc_rados_selfmanaged_snap_remove(cephc_ioctx *io, uint64_t snapid)
{
	if (!io)
		return CEPHC_EINVAL;
	return cephc_client_pool_op(
	    io->c, io->pool, CEPHC_POOL_OP_DELETE_UNMANAGED_SNAP, snapid, NULL);
}

int cephc_rados_selfmanaged_snap_rollback(cephc_ioctx *io, const char *oid,
					  uint64_t snapid)
{
	struct cephc_write_op w;
	int r;

	if (!io || !oid)
		return CEPHC_EINVAL;
	op_stack_init(&w.o);
	SLOT(&w.o, op, pp);
	(void)pp;
	r = op_added(&w.o, cephc_osd_op_rollback(op, snapid));
	if (r)
		return r;
	return run_write(io, oid, &w.o);
}
