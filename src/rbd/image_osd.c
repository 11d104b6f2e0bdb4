/* SPDX-License-Identifier: MIT */
#include "rbd/image_osd.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "rbd/cls_rbd.h"
#include "msgr/loop.h"

#define SUBSYS "rbd"

struct rbd_osd {
	struct cephc_cluster *c;
};

int rbd_osd_get(struct cephc_cluster *c, struct rbd_osd **out)
{
	struct cephc_osdc *osdc;
	struct rbd_osd *o;
	int ret;

	/* The cluster handle's one OSD client (one tid space: see
	 * cephc_client_osdc_get()), started if no I/O context did yet. */
	ret = cephc_client_osdc_get(c, &osdc);
	if (ret)
		return ret;
	o = cephc_calloc(1, sizeof(*o));
	if (!o)
		return CEPHC_ENOMEM;
	o->c = c;
	*out = o;
	return 0;
}

void rbd_osd_put(struct rbd_osd *o)
{
	cephc_free(o);
}

struct cephc_osdc *rbd_osd_osdc(struct rbd_osd *o)
{
	return cephc_client_osdc(o->c);
}

struct cephc_cluster *rbd_osd_cluster(struct rbd_osd *o)
{
	return o->c;
}

struct batch {
	struct rbd_osd *o;
	struct cephc_osdc_req **reqs;
	unsigned n;
	unsigned pending;
	pthread_mutex_t lock;
	pthread_cond_t cond;
};

static void batch_done(struct cephc_osdc_req *req, int err)
{
	struct batch *b = req->arg;

	req->result = err;
	/*
	 * Scratch out-data dies when done returns: keep a copy for the
	 * waiting thread, in op_owned (the input it held is spent).
	 */
	for (unsigned i = 0; req->ops && i < req->ops->num_ops; i++) {
		struct cephc_osd_op *op = &req->ops->ops[i];
		uint8_t *copy;

		if (op->op_out_kind == CEPHC_OSD_OUT_DATA || !op->op_outdata ||
		    !op->op_outdata_len)
			continue;
		copy = cephc_malloc(op->op_outdata_len);
		if (!copy) {
			op->op_outdata = NULL;
			op->op_outdata_len = 0;
			req->result = CEPHC_ENOMEM;
			continue;
		}
		memcpy(copy, op->op_outdata, op->op_outdata_len);
		cephc_free(op->op_owned);
		op->op_owned = copy;
		op->op_outdata = copy;
	}
	pthread_mutex_lock(&b->lock);
	if (--b->pending == 0)
		pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

static void batch_submit_fn(void *arg)
{
	struct batch *b = arg;

	for (unsigned i = 0; i < b->n; i++) {
		struct cephc_osdc_req *r = b->reqs[i];
		struct cephc_osdc *osdc = cephc_client_osdc(b->o->c);
		int ret;

		r->done = batch_done;
		r->arg = b;
		ret = osdc ? cephc_osdc_submit(osdc, r) : CEPHC_ECANCELED;
		if (ret) {
			/* Not accepted: done will not run for it. */
			r->result = ret;
			pthread_mutex_lock(&b->lock);
			b->pending--;
			pthread_mutex_unlock(&b->lock);
		}
	}
}

static bool batch_idle(void *arg)
{
	return ((struct batch *)arg)->pending == 0;
}

int rbd_osd_exec_many(struct rbd_osd *o, struct cephc_osdc_req **reqs,
		      unsigned n)
{
	struct batch b = {.o = o, .reqs = reqs, .n = n, .pending = n};
	int ret;

	if (!n)
		return 0;
	pthread_mutex_init(&b.lock, NULL);
	cephc_client_cond_init(&b.cond);
	ret = cephc_client_call(o->c, batch_submit_fn, &b);
	pthread_mutex_lock(&b.lock);
	if (!ret) /* each request has its own timeout */
		ret = cephc_client_wait_for(o->c, &b.lock, &b.cond, batch_idle,
					    &b, 0);
	pthread_mutex_unlock(&b.lock);
	pthread_mutex_destroy(&b.lock);
	pthread_cond_destroy(&b.cond);
	return ret;
}

int rbd_osd_exec(struct rbd_osd *o, struct cephc_osdc_req *req)
{
	int ret = rbd_osd_exec_many(o, &req, 1);

	return ret ? ret : req->result;
}

static void work_trampoline(struct cephc_loop_work *w)
{
	struct rbd_osd_work *rw = (struct rbd_osd_work *)w;

	rw->fn(rw);
}

void rbd_osd_submit_work(struct rbd_osd *o, struct rbd_osd_work *w)
{
	w->w.fn = work_trampoline;
	cephc_loop_submit(cephc_client_loop(o->c), &w->w);
}

/* ---- calls on rbd objects ---------------------------------------------- */

/* The text cephc_rbd_last_error() returns: per thread, like errno. */
static __thread char last_err[256];

/* Through a scratch buffer: an argument may be the current message. */
void rbd_set_err(const char *fmt, ...)
{
	char tmp[sizeof(last_err)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	memcpy(last_err, tmp, sizeof(tmp));
}

const char *cephc_rbd_last_error(void)
{
	return last_err;
}

bool rbd_have_err(void)
{
	return last_err[0] != '\0';
}

void rbd_clear_err(void)
{
	last_err[0] = '\0';
}

int rbd_op_call(struct cephc_osd_ops *ops, const char *method, const void *in,
		size_t in_len, bool writes)
{
	return rbd_op_cls_call(ops, CEPHC_RBD_CLS_NAME, method, in, in_len,
			       writes);
}

int rbd_op_cls_call(struct cephc_osd_ops *ops, const char *cls,
		    const char *method, const void *in, size_t in_len,
		    bool writes)
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
	ret = cephc_osd_op_call(op, cls, method, &iov, in_len ? 1 : 0, writes,
				RBD_CALL_OUT_MAX);
	op->op_owned = copy;
	if (ret && !copy)
		return ret;
	return ret;
}

void rbd_req_setup(struct cephc_osdc_req *req, struct cephc_osd_ops *ops,
		   const struct rbd_loc *l, const char *oid)
{
	cephc_osdc_req_init(req);
	req->ops = ops;
	req->pool = l->pool;
	req->nspace = l->ns;
	req->oid = oid;
}

/* Pool id -> name from the OSDMap we hold ("" when unknown). */
void rbd_pool_name(struct cephc_cluster *c, int64_t id, char *buf, size_t cap)
{
	struct cephc_pool_info *pools;
	size_t n;

	buf[0] = '\0';
	if (cephc_cluster_pool_list(c, &pools, &n))
		return;
	for (size_t i = 0; i < n; i++)
		if (pools[i].id == id)
			snprintf(buf, cap, "%s", pools[i].name);
	cephc_buffer_free(pools);
}

int rbd_loc_open(struct cephc_cluster *c, const char *pool, const char *ns,
		 struct rbd_loc *l)
{
	memset(l, 0, sizeof(*l));
	if (ns && strlen(ns) > CEPHC_RBD_NAMESPACE_MAX)
		return CEPHC_EINVAL;
	l->ns = ns ? ns : "";
	l->pool = cephc_cluster_pool_lookup(c, pool);
	if (l->pool < 0) {
		rbd_set_err("pool '%s' does not exist", pool);
		return CEPHC_ENOENT;
	}
	return rbd_osd_get(c, &l->osd);
}

void rbd_loc_close(struct rbd_loc *l)
{
	rbd_osd_put(l->osd);
	l->osd = NULL;
}

int rbd_call(const struct rbd_loc *l, const char *oid, const char *method,
	     const void *in, size_t in_len, bool writes, rbd_reply_fn fn,
	     void *arg)
{
	return rbd_cls_call(l, oid, CEPHC_RBD_CLS_NAME, method, in, in_len,
			    writes, fn, arg);
}

int rbd_cls_call(const struct rbd_loc *l, const char *oid, const char *cls,
		 const char *method, const void *in, size_t in_len,
		 bool writes, rbd_reply_fn fn, void *arg)
{
	struct cephc_osd_ops ops;
	struct cephc_osdc_req req;
	int ret;

	cephc_osd_ops_init(&ops);
	ret = rbd_op_cls_call(&ops, cls, method, in, in_len, writes);
	if (!ret) {
		rbd_req_setup(&req, &ops, l, oid);
		ret = rbd_osd_exec(l->osd, &req);
		log_debug(SUBSYS, "%s%s%s %s.%s: %s (rval %d, %u bytes out)",
			  l->ns, *l->ns ? "/" : "", oid, cls, method,
			  cephc_strerror(ret), ops.ops[0].op_rval,
			  ops.ops[0].op_outdata_len);
		if (!ret && fn)
			ret = fn(arg, ops.ops[0].op_outdata,
				 ops.ops[0].op_outdata_len);
	}
	cephc_osd_ops_release(&ops);
	return ret;
}

int rbd_exec_ops(const struct rbd_loc *l, const char *oid,
		 struct cephc_osd_ops *ops)
{
	struct cephc_osdc_req req;
	int ret;

	rbd_req_setup(&req, ops, l, oid);
	ret = rbd_osd_exec(l->osd, &req);
	cephc_osd_ops_release(ops);
	return ret;
}

int rbd_delete_object(const struct rbd_loc *l, const char *oid)
{
	struct cephc_osd_ops ops;
	int ret;

	cephc_osd_ops_init(&ops);
	ret = cephc_osd_op_delete(cephc_osd_ops_add(&ops));
	if (ret) {
		cephc_osd_ops_release(&ops);
		return ret;
	}
	ret = rbd_exec_ops(l, oid, &ops);
	return ret == CEPHC_ENOENT ? 0 : ret;
}

bool rbd_conf_bool(struct cephc_cluster *c, const char *opt, bool def)
{
	char *v = cephc_cluster_conf_get(c, opt);
	bool r = def;

	if (v) {
		if (!strcmp(v, "true") || !strcmp(v, "1") ||
		    !strcmp(v, "yes") || !strcmp(v, "on"))
			r = true;
		else if (!strcmp(v, "false") || !strcmp(v, "0") ||
			 !strcmp(v, "no") || !strcmp(v, "off"))
			r = false;
		cephc_buffer_free(v);
	}
	return r;
}

uint64_t rbd_conf_u64(struct cephc_cluster *c, const char *opt, uint64_t def)
{
	char *v = cephc_cluster_conf_get(c, opt), *end;
	uint64_t r = def;

	if (v) {
		errno = 0;
		r = strtoull(v, &end, 10);
		if (errno || end == v || *end || v[0] == '-')
			r = def;
		cephc_buffer_free(v);
	}
	return r;
}

int rbd_watchers_each(const struct rbd_loc *l, const char *oid,
		      rbd_watcher_fn fn, void *arg)
{
	struct cephc_osd_watchers_iter it;
	struct cephc_osd_watcher w;
	struct cephc_osd_ops ops;
	struct cephc_osdc_req req;
	int ret;

	cephc_osd_ops_init(&ops);
	ret = cephc_osd_op_list_watchers(cephc_osd_ops_add(&ops), 0);
	if (!ret) {
		rbd_req_setup(&req, &ops, l, oid);
		ret = rbd_osd_exec(l->osd, &req);
	}
	if (!ret)
		ret = cephc_osd_watchers_iter_init(&it, ops.ops[0].op_outdata,
						   ops.ops[0].op_outdata_len);
	/* next: 1 with one more watcher, 0 at the end */
	while (!ret && (ret = cephc_osd_watchers_iter_next(&it, &w)) > 0)
		ret = fn(arg, &w);
	cephc_osd_ops_release(&ops);
	return ret;
}
