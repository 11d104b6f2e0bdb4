/* SPDX-License-Identifier: MIT */
/*
 * Header watch of a read-write image (krbd and librbd do the same): another
 * client that takes a snapshot or resizes notifies rbd_header.<id>; we
 * re-read the snap context and size, and only then acknowledge, so the
 * notifier (e.g. `rbd snap create`) returns once our later writes carry
 * the new snap context and the OSDs preserve the snapshot's data.
 *
 * Everything below runs in driver context except watch start/stop.
 */
#include <pthread.h>
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "rbd/image.h"
#include "rbd/rbd_notify.h"

#define SUBSYS "rbd"

struct wait_call;
static void wait_done(void *arg, int err);

struct refresh {
	struct cephc_osdc_req req;
	struct cephc_osd_ops ops;
	struct cephc_rbd_image *img;
	bool ack;
	uint64_t cookie, notify_id;
	struct wait_call *w; /* rbd_image_refresh() waiting for it */
};

/* Old snap id arrays stay until close: resends may still point at them. */
struct snaps_grave {
	struct snaps_grave *next;
	uint64_t *snaps;
};

static void refresh_done(struct cephc_osdc_req *req, int err)
{
	struct refresh *r = (struct refresh *)req;
	struct cephc_rbd_image *img = r->img;
	struct cephc_osdc *osdc = rbd_osd_osdc(img->osd);
	uint64_t seq = 0, size = 0, *snaps = NULL;
	uint32_t n = 0;
	uint8_t order;

	if (!err)
		err = cephc_rbd_dec_get_snapcontext(
		    r->ops.ops[0].op_outdata, r->ops.ops[0].op_outdata_len,
		    &seq, &snaps, &n);
	if (!err)
		err = cephc_rbd_dec_get_size(r->ops.ops[1].op_outdata,
					     r->ops.ops[1].op_outdata_len,
					     &order, &size);
	if (!err && img->parent) {
		bool has = false;
		uint64_t ov = 0;

		err = cephc_rbd_dec_parent_overlap_get(
		    r->ops.ops[2].op_outdata, r->ops.ops[2].op_outdata_len,
		    &has, &ov);
		if (!err)
			img->parent_overlap = has ? ov : 0;
	}
	if (!err) {
		/* a peer may have turned object-map etc. on or off (rbd
		 * feature enable/disable): the lock's next acquire opens the
		 * map only if the image still has it */
		const struct cephc_osd_op *op = &r->ops.ops[r->ops.num_ops - 1];
		uint64_t f = 0, incompat = 0;

		err = cephc_rbd_dec_get_features(
		    op->op_outdata, op->op_outdata_len, &f, &incompat);
		pthread_mutex_lock(&img->lock);
		if (!err && f != img->meta.features) {
			log_info(SUBSYS, "%s: features now %#llx (were %#llx)",
				 img->header_oid, (unsigned long long)f,
				 (unsigned long long)img->meta.features);
			img->meta.features = f;
			img->meta.incompatible_features = incompat;
		}
		pthread_mutex_unlock(&img->lock);
	}
	if (!err && seq >= img->wsnap_seq) {
		struct snaps_grave *g = cephc_calloc(1, sizeof(*g));

		if (g) {
			g->snaps = img->wsnaps;
			g->next = img->grave;
			img->grave = g;
			img->wsnaps = snaps;
			img->wnum_snaps = n;
			img->wsnap_seq = seq;
			snaps = NULL;
		}
		pthread_mutex_lock(&img->lock);
		img->size = size;
		pthread_mutex_unlock(&img->lock);
		log_debug(SUBSYS,
			  "%s: refreshed: snap seq %llu, %u snaps, "
			  "size %llu",
			  img->header_oid, (unsigned long long)seq, n,
			  (unsigned long long)size);
	} else if (err) {
		log_warn(SUBSYS, "%s: header refresh failed: %s",
			 img->header_oid, cephc_strerror(err));
	}
	cephc_free(snaps);
	if (r->ack && osdc)
		cephc_osdc_notify_ack(osdc, r->cookie, r->notify_id, NULL, 0,
				      NULL, NULL);
	if (r->w)
		wait_done(r->w, err);
	cephc_osd_ops_release(&r->ops);
	cephc_free(r);
	/* close waits for refreshes in flight: they point at the image */
	if (--img->refreshing == 0 && img->stop_wait) {
		void *w = img->stop_wait;
		img->stop_wait = NULL;
		wait_done(w, 0);
	}
}

/* Start a refresh; ack the notify (if any) when it is done, and tell w. */
static void refresh_start_w(struct cephc_rbd_image *img, bool ack,
			    uint64_t cookie, uint64_t notify_id,
			    struct wait_call *w)
{
	struct cephc_osdc *osdc = rbd_osd_osdc(img->osd);
	struct refresh *r = cephc_calloc(1, sizeof(*r));
	uint8_t b[16];
	struct cephc_enc e;
	int ret = CEPHC_ENOMEM;

	if (r && osdc) {
		r->img = img;
		r->ack = ack;
		r->cookie = cookie;
		r->notify_id = notify_id;
		r->w = w;
		cephc_osd_ops_init(&r->ops);
		enc_init(&e, b, sizeof(b));
		ret = rbd_op_call(&r->ops, "get_snapcontext", NULL, 0, false);
		if (!ret)
			ret = cephc_rbd_enc_get_size(&e, CEPHC_RBD_NOSNAP);
		if (!ret)
			ret = rbd_op_call(&r->ops, "get_size", b,
					  (size_t)(e.p - e.start), false);
		/* a clone: a resize or flatten elsewhere moves the overlap
		 * (no parent any more reads as an absent overlap) */
		if (!ret && img->parent)
			ret = rbd_op_call(&r->ops, "parent_overlap_get", b,
					  (size_t)(e.p - e.start), false);
		/* last: the features, as a writer reads them */
		enc_init(&e, b, sizeof(b));
		if (!ret)
			ret = cephc_rbd_enc_get_features(&e, CEPHC_RBD_NOSNAP,
							 false);
		if (!ret)
			ret = rbd_op_call(&r->ops, "get_features", b,
					  (size_t)(e.p - e.start), false);
		cephc_osdc_req_init(&r->req);
		r->req.ops = &r->ops;
		r->req.pool = img->pool;
		r->req.nspace = img->nspace;
		r->req.oid = img->header_oid;
		r->req.done = refresh_done;
		if (!ret)
			ret = cephc_osdc_submit(osdc, &r->req);
	}
	if (!ret) {
		img->refreshing++;
		return;
	}
	if (r) {
		cephc_osd_ops_release(&r->ops);
		cephc_free(r);
	}
	if (ack && osdc)
		cephc_osdc_notify_ack(osdc, cookie, notify_id, NULL, 0, NULL,
				      NULL);
	if (w)
		wait_done(w, ret);
}

static void refresh_start(struct cephc_rbd_image *img, bool ack,
			  uint64_t cookie, uint64_t notify_id)
{
	refresh_start_w(img, ack, cookie, notify_id, NULL);
}

/*
 * A header update (or a message we cannot read: it may be one): refresh,
 * then ack.  Lock messages go to the exclusive lock's hook, which answers
 * at once (librbd's owner answers RequestLock before it releases).
 */
static void on_notify(void *arg, uint64_t cookie, uint64_t notify_id,
		      uint64_t notifier_gid, const void *payload, size_t len)
{
	struct cephc_rbd_image *img = arg;
	struct cephc_osdc *osdc = rbd_osd_osdc(img->osd);
	struct rbd_notify_msg m;
	uint8_t reply[RBD_WATCH_REPLY_MAX];
	size_t reply_len = 0;

	(void)notifier_gid;
	if (rbd_notify_decode(payload, len, &m) ||
	    m.op == RBD_NOTIFY_HEADER_UPDATE) {
		refresh_start(img, true, cookie, notify_id);
		return;
	}
	if (img->watch_hooks && img->watch_hooks->notify)
		img->watch_hooks->notify(img, &m, reply, &reply_len);
	if (osdc)
		cephc_osdc_notify_ack(osdc, cookie, notify_id,
				      reply_len ? reply : NULL, reply_len, NULL,
				      NULL);
}

static void rewatch_done(void *arg, int err)
{
	struct cephc_rbd_image *img = arg;

	if (err)
		log_warn(SUBSYS, "%s: re-watch failed: %s", img->header_oid,
			 cephc_strerror(err));
	/* the lock's cookie follows the watch's (set_cookie) */
	if (img->watch_hooks && img->watch_hooks->rewatched)
		img->watch_hooks->rewatched(img, err);
}

static void start_watch(struct cephc_rbd_image *img,
			cephc_osdc_linger_done_fn done, void *arg);

static void on_watch_error(void *arg, uint64_t cookie, int err)
{
	struct cephc_rbd_image *img = arg;
	struct cephc_osdc *osdc = rbd_osd_osdc(img->osd);

	log_warn(SUBSYS, "%s: watch lost (%s): re-registering", img->header_oid,
		 cephc_strerror(err));
	if (!osdc)
		return;
	cephc_osdc_unwatch(osdc, cookie, NULL, NULL);
	img->watch_cookie = 0;
	/* Notifies may have been missed. */
	refresh_start(img, false, 0, 0);
	start_watch(img, rewatch_done, img);
}

static void start_watch(struct cephc_rbd_image *img,
			cephc_osdc_linger_done_fn done, void *arg)
{
	struct cephc_osdc_watch_params p = {
	    .pool = img->pool,
	    .oid = img->header_oid,
	    .nspace = img->nspace,
	    .notify_cb = on_notify,
	    .error_cb = on_watch_error,
	    .arg = img,
	};
	struct cephc_osdc *osdc = rbd_osd_osdc(img->osd);
	int ret =
	    osdc ? cephc_osdc_watch(osdc, &p, done, arg, &img->watch_cookie)
		 : CEPHC_ECANCELED;

	if (ret)
		done(arg, ret);
}

/* ---- API-thread side ---------------------------------------------------- */

struct wait_call {
	struct cephc_rbd_image *img;
	void *arg;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int err;
};

static bool wait_call_done(void *arg)
{
	return ((struct wait_call *)arg)->done;
}

/* Wait for w->done; 0 or the call's own result. */
static int wait_call_wait(struct wait_call *w, int ret)
{
	pthread_mutex_lock(&w->lock);
	if (!ret)
		ret = cephc_client_wait_for(w->img->c, &w->lock, &w->cond,
					    wait_call_done, w, 0);
	pthread_mutex_unlock(&w->lock);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	return ret ? ret : w->err;
}

static void wait_done(void *arg, int err)
{
	struct wait_call *w = arg;

	pthread_mutex_lock(&w->lock);
	w->done = true;
	w->err = err;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void watch_fn(void *arg)
{
	struct wait_call *w = arg;

	start_watch(w->img, wait_done, w);
}

/* Unwatched: finish now, or when the last refresh in flight is done. */
static void unwatch_done(void *arg, int err)
{
	struct wait_call *w = arg;

	(void)err;
	if (w->img->refreshing)
		w->img->stop_wait = w;
	else
		wait_done(w, 0);
}

static void unwatch_fn(void *arg)
{
	struct wait_call *w = arg;
	struct cephc_osdc *osdc = rbd_osd_osdc(w->img->osd);
	uint64_t cookie = w->img->watch_cookie;

	w->img->watch_cookie = 0;
	if (!osdc || !cookie ||
	    cephc_osdc_unwatch(osdc, cookie, unwatch_done, w))
		unwatch_done(w, 0);
}

static int run_wait(struct cephc_rbd_image *img, void (*fn)(void *))
{
	struct wait_call w = {.img = img};
	int ret;

	pthread_mutex_init(&w.lock, NULL);
	cephc_client_cond_init(&w.cond);
	ret = cephc_client_call(img->c, fn, &w);
	return wait_call_wait(&w, ret);
}

int rbd_image_watch_start(struct cephc_rbd_image *img)
{
	int ret = run_wait(img, watch_fn);

	if (ret)
		img->watch_cookie = 0;
	else
		img->watching = true;
	return ret;
}

void rbd_image_watch_stop(struct cephc_rbd_image *img)
{
	struct snaps_grave *g;

	if (img->watching)
		run_wait(img, unwatch_fn);
	img->watching = false;
	while ((g = img->grave)) {
		img->grave = g->next;
		cephc_free(g->snaps);
		cephc_free(g);
	}
}

/* ---- telling other clients ---------------------------------------------- */

#define RBD_NOTIFY_TIMEOUT_S 5

struct notify_call {
	struct cephc_rbd_image *img;
	size_t len;
	uint32_t timeout_s;
	/* waited for (rbd_image_notify_wait): the acks, copied */
	struct wait_call *w;
	uint8_t *acks;
	size_t acks_len;
	uint8_t payload[RBD_NOTIFY_MSG_MAX];
};

/* The image stays open until this runs: close waits for aio_pending. */
static void notify_done(void *arg, int err, const void *acks, size_t len)
{
	struct notify_call *n = arg;
	struct cephc_rbd_image *img = n->img;

	if (n->w) {
		/* the waiter frees n */
		if (len && (n->acks = cephc_malloc(len))) {
			memcpy(n->acks, acks, len);
			n->acks_len = len;
		}
		wait_done(n->w, err);
		return;
	}
	if (err)
		log_debug(SUBSYS, "%s: notify: %s", img->header_oid,
			  cephc_strerror(err));
	cephc_free(n);
	pthread_mutex_lock(&img->lock);
	img->notifies_pending--;
	if (--img->aio_pending == 0 || !img->notifies_pending)
		pthread_cond_broadcast(&img->idle);
	pthread_mutex_unlock(&img->lock);
}

static void notify_fn(void *arg)
{
	struct notify_call *n = arg;
	struct cephc_osdc *osdc = rbd_osd_osdc(n->img->osd);
	int ret =
	    osdc ? cephc_osdc_notify(osdc, n->img->pool, n->img->header_oid,
				     NULL, n->img->nspace, n->payload, n->len,
				     n->timeout_s, notify_done, n)
		 : CEPHC_ECANCELED;

	if (ret)
		notify_done(n, ret, NULL, 0);
}

static void notify_wait_fn(void *arg)
{
	notify_fn(((struct wait_call *)arg)->arg);
}

/*
 * Sent, not waited for: watchers get it whether or not we wait for their
 * acks, and a watcher whose session the OSD is re-establishing holds the
 * notify up to its full timeout (5 s a resize under socket failures).
 * cephc_rbd_close() waits for it, so a short-lived tool still sends it.
 */
int rbd_image_notify(struct cephc_rbd_image *img, const void *payload,
		     size_t len)
{
	struct notify_call *n;
	int ret;

	if (len > sizeof(n->payload))
		return CEPHC_EINVAL;
	n = cephc_calloc(1, sizeof(*n));
	if (!n)
		return CEPHC_ENOMEM;
	n->img = img;
	n->len = len;
	n->timeout_s = RBD_NOTIFY_TIMEOUT_S;
	memcpy(n->payload, payload, len);
	pthread_mutex_lock(&img->lock);
	img->aio_pending++;
	img->notifies_pending++;
	pthread_mutex_unlock(&img->lock);
	ret = cephc_client_call(img->c, notify_fn, n);
	if (ret) /* never ran */
		notify_done(n, ret, NULL, 0);
	return ret;
}

int rbd_image_notify_wait(struct cephc_rbd_image *img, const void *payload,
			  size_t len, rbd_reply_fn on_acks, void *arg)
{
	struct notify_call *n;
	struct wait_call w = {.img = img};
	int ret;

	if (len > sizeof(n->payload))
		return CEPHC_EINVAL;
	n = cephc_calloc(1, sizeof(*n));
	if (!n)
		return CEPHC_ENOMEM;
	n->img = img;
	n->len = len;
	n->timeout_s = RBD_NOTIFY_TIMEOUT_S;
	n->w = &w;
	memcpy(n->payload, payload, len);
	w.arg = n;
	pthread_mutex_init(&w.lock, NULL);
	cephc_client_cond_init(&w.cond);
	ret = wait_call_wait(&w, cephc_client_call(img->c, notify_wait_fn, &w));
	/* acks come with ETIMEDOUT too: those who answered did */
	if (on_acks && n->acks_len) {
		int r = on_acks(arg, n->acks, n->acks_len);

		if (r)
			ret = r;
	}
	cephc_free(n->acks);
	cephc_free(n);
	return ret;
}

/* librbd's header-update notify: any watcher (librbd, krbd, us) then
 * re-reads the header. */
int rbd_image_notify_header_update(struct cephc_rbd_image *img)
{
	uint8_t b[RBD_NOTIFY_MSG_MAX];
	size_t len;
	int ret = rbd_notify_encode(RBD_NOTIFY_HEADER_UPDATE, NULL, false, b,
				    sizeof(b), &len);

	return ret ? ret : rbd_image_notify(img, b, len);
}

static bool notifies_done(void *arg)
{
	return ((struct cephc_rbd_image *)arg)->notifies_pending == 0;
}

int rbd_image_notify_flush(struct cephc_rbd_image *img)
{
	/* each notify ends within its timeout (the OSD client bounds it) */
	return cephc_client_wait_for(img->c, &img->lock, &img->idle,
				     notifies_done, img, 0);
}

static void refresh_fn(void *arg)
{
	struct wait_call *w = arg;

	refresh_start_w(w->img, false, 0, 0, w);
}

int rbd_image_refresh(struct cephc_rbd_image *img)
{
	return run_wait(img, refresh_fn);
}

/* Driver context: put snapshot id (newer than any) at the head of the
 * snap context writes carry; nothing if a refresh already did. */
static void snapc_add_fn(void *arg)
{
	struct wait_call *w = arg;
	struct cephc_rbd_image *img = w->img;
	uint64_t id = *(const uint64_t *)w->arg, *snaps;
	struct snaps_grave *g;

	if (id <= img->wsnap_seq) {
		wait_done(w, 0);
		return;
	}
	snaps = cephc_malloc_array((size_t)img->wnum_snaps + 1, sizeof(*snaps));
	g = cephc_calloc(1, sizeof(*g));
	if (!snaps || !g) {
		cephc_free(snaps);
		cephc_free(g);
		wait_done(w, CEPHC_ENOMEM);
		return;
	}
	snaps[0] = id; /* newest first, as the header keeps them */
	if (img->wnum_snaps)
		memcpy(snaps + 1, img->wsnaps,
		       img->wnum_snaps * sizeof(*snaps));
	g->snaps = img->wsnaps;
	g->next = img->grave;
	img->grave = g;
	img->wsnaps = snaps;
	img->wnum_snaps++;
	img->wsnap_seq = id;
	wait_done(w, 0);
}

int rbd_image_snapc_add(struct cephc_rbd_image *img, uint64_t id)
{
	struct wait_call w = {.img = img, .arg = &id};
	int ret;

	pthread_mutex_init(&w.lock, NULL);
	cephc_client_cond_init(&w.cond);
	ret = cephc_client_call(img->c, snapc_add_fn, &w);
	return wait_call_wait(&w, ret);
}
