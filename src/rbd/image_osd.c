/* SPDX-License-Identifier: MIT */
#include "rbd/image_osd.h"

#include <pthread.h>
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "msgr/loop.h"

#define SUBSYS "rbd"

struct rbd_osd {
	struct rbd_osd *next;
	struct cephc_cluster *c;
	struct cephc_osdc *osdc;
	unsigned refs;
	struct cephc_timer poll;
	uint32_t seen_epoch;
	bool stopping;
};

/* Every attachment, looked up by cluster; guarded by reg_lock. */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct rbd_osd *reg_head;

static const struct cephc_osdmap *get_map(void *arg)
{
	/* The cluster swaps its map only in driver context, where we are. */
	return ((struct rbd_osd *)arg)->c->osdmap;
}

static void on_osdmap_msg(void *arg, struct cephc_msg *msg)
{
	struct rbd_osd *o = arg;
	const struct cephc_osdmap *m = o->c->osdmap;

	(void)msg;
	/* An OSD knows a newer map: let the monitor session fetch it. */
	if (o->c->monc)
		cephc_monc_want_osdmap(o->c->monc, m ? m->epoch + 1 : 0);
}

static void poll_map(struct cephc_timer *t)
{
	struct rbd_osd *o =
	    (struct rbd_osd *)((char *)t - offsetof(struct rbd_osd, poll));
	const struct cephc_osdmap *m = o->c->osdmap;

	if (o->stopping)
		return;
	if (m && m->epoch != o->seen_epoch) {
		o->seen_epoch = m->epoch;
		cephc_osdc_handle_map_change(o->osdc);
	}
	cephc_timer_arm(o->c->loop, &o->poll,
			cephc_now_ns() + CEPHC_RBD_MAP_POLL_MS * 1000000ull);
}

struct attach_args {
	struct rbd_osd *o;
	int ret;
};

static void attach_fn(void *arg)
{
	struct attach_args *a = arg;
	struct rbd_osd *o = a->o;
	struct cephc_osdc_params p = {
	    .msgr = o->c->msgr,
	    .auth = o->c->auth,
	    .monc = o->c->monc,
	    .get_map = get_map,
	    .on_osdmap_msg = on_osdmap_msg,
	    .arg = o,
	};

	a->ret = cephc_osdc_create(&p, &o->osdc);
	if (a->ret)
		return;
	o->seen_epoch = o->c->osdmap ? o->c->osdmap->epoch : 0;
	o->poll.cb = poll_map;
	cephc_timer_arm(o->c->loop, &o->poll,
			cephc_now_ns() + CEPHC_RBD_MAP_POLL_MS * 1000000ull);
}

static void detach_fn(void *arg)
{
	struct rbd_osd *o = arg;

	o->stopping = true;
	cephc_timer_cancel(o->c->loop, &o->poll);
	cephc_osdc_destroy(o->osdc);
	o->osdc = NULL;
}

int rbd_osd_get(struct cephc_cluster *c, struct rbd_osd **out)
{
	struct rbd_osd *o;
	struct attach_args a;
	int ret;

	pthread_mutex_lock(&reg_lock);
	for (o = reg_head; o; o = o->next)
		if (o->c == c)
			break;
	if (o) {
		o->refs++;
		pthread_mutex_unlock(&reg_lock);
		*out = o;
		return 0;
	}
	o = cephc_calloc(1, sizeof(*o));
	if (!o) {
		pthread_mutex_unlock(&reg_lock);
		return CEPHC_ENOMEM;
	}
	o->c = c;
	o->refs = 1;
	a.o = o;
	a.ret = 0;
	/* Held across the call so two openers do not both attach. */
	ret = cephc_client_call(c, attach_fn, &a);
	if (!ret)
		ret = a.ret;
	if (ret) {
		pthread_mutex_unlock(&reg_lock);
		cephc_free(o);
		return ret;
	}
	o->next = reg_head;
	reg_head = o;
	pthread_mutex_unlock(&reg_lock);
	*out = o;
	return 0;
}

void rbd_osd_put(struct rbd_osd *o)
{
	struct rbd_osd **pp;

	if (!o)
		return;
	pthread_mutex_lock(&reg_lock);
	if (--o->refs) {
		pthread_mutex_unlock(&reg_lock);
		return;
	}
	for (pp = &reg_head; *pp; pp = &(*pp)->next)
		if (*pp == o) {
			*pp = o->next;
			break;
		}
	pthread_mutex_unlock(&reg_lock);
	cephc_client_call(o->c, detach_fn, o);
	cephc_free(o);
}

struct cephc_osdc *rbd_osd_osdc(struct rbd_osd *o)
{
	return o->osdc;
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
		int ret;

		r->done = batch_done;
		r->arg = b;
		ret = cephc_osdc_submit(b->o->osdc, r);
		if (ret) {
			/* Not accepted: done will not run for it. */
			r->result = ret;
			pthread_mutex_lock(&b->lock);
			b->pending--;
			pthread_mutex_unlock(&b->lock);
		}
	}
}

int rbd_osd_exec_many(struct rbd_osd *o, struct cephc_osdc_req **reqs,
		      unsigned n)
{
	struct batch b = {.o = o, .reqs = reqs, .n = n, .pending = n};
	int ret;

	if (!n)
		return 0;
	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.cond, NULL);
	ret = cephc_client_call(o->c, batch_submit_fn, &b);
	pthread_mutex_lock(&b.lock);
	while (!ret && b.pending)
		pthread_cond_wait(&b.cond, &b.lock);
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
	cephc_loop_submit(o->c->loop, &w->w);
}
