/* SPDX-License-Identifier: MIT */
/*
 * The exclusive lock as librbd keeps it (feature maintainer, layer 3), so
 * that cephc and librbd clients can write one image by turns.
 *
 * Identity: the cls "lock" lock "rbd_lock" on rbd_header.<id>, exclusive,
 * tag "internal", cookie "auto <header watch cookie>"; in notifies we are
 * ClientId { our global id, the watch cookie }.
 *
 * Like krbd (which runs lock work on a per-device workqueue with plain
 * synchronous cls calls), acquire and release run on a worker thread of
 * the image, started at open for a writable image with the feature: the
 * steps block on OSD and monitor replies, and the loop must go on
 * answering notifies meanwhile.  Everything else is driver context:
 *
 * - the I/O engine asks rbd_exlock_gate() before each write: admitted at
 *   once (the write pins the lock) when we own it, else queued in order
 *   and resumed when the worker got the lock (or failed to);
 * - the header watch hands lock messages to ex_notify(): an owner answers
 *   RequestLock with ResponseMessage(0) and releases once the writes in
 *   flight are done (automatic policy), or with -EROFS when the lock was
 *   taken explicitly (cephc_rbd_lock_acquire); other requests for the
 *   owner get -EOPNOTSUPP, so librbd asks for the lock and does the
 *   operation itself; a non-owner acks empty.
 *
 * Acquire (librbd's order): get_info -> lock; when a live owner holds it
 * (its address and cookie among the header's watchers), RequestLock and
 * wait for its ReleasedLock; when a dead one does, blocklist its address,
 * wait for the newest OSDMap and break the lock.  Then re-read the header
 * (snapshots taken meanwhile must be in our snap context), open the
 * object map, and tell the watchers (AcquiredLock).  Release: stop
 * admitting writes, wait for those in flight (their object-map updates
 * included), close the object map, unlock, ReleasedLock.
 *
 * img->lock guards every field of struct rbd_exlock.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "osdc/cls_lock.h"
#include "rbd/image.h"
#include "rbd/image_object_map.h"
#include "rbd/rbd_features.h"
#include "rbd/rbd_notify.h"

#define SUBSYS "rbd"
#define LOCK_NAME "rbd_lock"
#define LOCK_TAG "internal"
#define LOCK_ARGS_MAX 512
/* librbd: a RequestLock answered 0 is sent again after this long
 * (client_notify_timeout) unless the owner says it released. */
#define REQUEST_AGAIN_MS 10000
/* librbd: after another error, one second (RETRY_DELAY_SECONDS). */
#define RETRY_DELAY_MS 1000
/*
 * A write waits for the lock at most the OSD op timeout plus this: a dead
 * owner's watch lasts up to osd_client_watch_timeout (30 s) before we may
 * break its lock.  No bound when the op timeout is none.
 */
#define LOCK_WAIT_EXTRA_MS 45000
/*
 * After giving the lock to a peer that asked for it, writes queued
 * meanwhile wait this long at most for the peer's AcquiredLock before we
 * compete for it again.  Without the pause we take it back (our
 * ReleasedLock is not even delivered yet) and the asker only sends more
 * RequestLocks: a librbd writer got 1 turn in 10 (krbd also lets others
 * grab the lock first after a release).
 */
#define YIELD_MS 1000

enum ex_state {
	EX_UNLOCKED,
	EX_ACQUIRING, /* worker taking it; writes queue */
	EX_LOCKED,    /* ours; writes pass (unless a peer asked for it) */
	EX_RELEASING, /* worker giving it up; writes queue */
};

struct rbd_exlock {
	struct cephc_rbd_image *img;
	pthread_t thread;
	pthread_cond_t cond;    /* the worker's */
	pthread_cond_t changed; /* state changes (explicit release) */
	enum ex_state state;
	bool managed;      /* taken explicitly: refuse requests (-EROFS) */
	bool want_acquire; /* explicit acquire without a waiter */
	bool want_release; /* a peer asked for it, or explicit release */
	bool recookie;     /* the watch changed: move the lock's cookie */
	bool peer_asked;   /* want_release came from a peer's RequestLock */
	bool stop;
	unsigned pins;        /* admitted writes and ops not yet done */
	uint64_t peer_seq;    /* AcquiredLock/ReleasedLock seen from others */
	uint64_t yield_seq;   /* peer_seq when we released to a peer ... */
	uint64_t yield_until; /* ... and how long it may take to lock */
	struct rbd_lock_waiter *head, **tail;
	char held[64]; /* the cookie the header lock is held with */
	/* a snapshot op holds new writes back (they queue on head) */
	bool writes_blocked;
};

/* ---- small helpers ------------------------------------------------------ */

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Sleep on the worker's condition (img->lock held) up to ms. */
static void ex_sleep(struct rbd_exlock *ex, uint64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&ex->cond, &ex->img->lock, &ts);
}

static struct rbd_client_id our_id(const struct cephc_rbd_image *img)
{
	struct rbd_client_id id = {cephc_cluster_instance_id(img->c),
				   img->watch_cookie};

	return id;
}

/* CALL lock.<method> on the object oid of the image. */
static int cls_lock_call(struct cephc_rbd_image *img, const char *oid,
			 const char *method, const void *in, size_t len,
			 bool writes, rbd_reply_fn fn, void *arg)
{
	struct rbd_loc l = rbd_image_loc(img);

	return rbd_cls_call(&l, oid, CEPHC_CLS_LOCK_CLASS, method, in, len,
			    writes, fn, arg);
}

/* ---- who holds it ------------------------------------------------------- */

struct locker {
	bool known;    /* one exclusive "internal" locker, cookie "auto N" */
	bool external; /* someone else's kind of lock: leave it alone */
	struct cephc_entity_name name;
	struct cephc_entity_addr addr;
	uint64_t handle; /* N: the owner's watch cookie */
	char cookie[CEPHC_CLS_LOCK_STR_MAX + 1];
};

static int locker_reply(void *arg, const uint8_t *p, size_t len)
{
	struct locker *lk = arg;
	struct cephc_cls_lock_info *info = cephc_calloc(1, sizeof(*info));
	const struct cephc_cls_locker *l;
	unsigned long long h;
	char *end;
	int ret;

	if (!info)
		return CEPHC_ENOMEM;
	ret = cephc_cls_lock_decode_info(p, len, info);
	if (ret || !info->num_lockers)
		goto out;
	l = &info->lockers[0];
	lk->external = true;
	if (info->num_lockers != 1 || info->type != CEPHC_CLS_LOCK_EXCLUSIVE ||
	    info->tag_len != strlen(LOCK_TAG) ||
	    memcmp(info->tag, LOCK_TAG, info->tag_len) ||
	    l->cookie_len >= sizeof(lk->cookie))
		goto out;
	memcpy(lk->cookie, l->cookie, l->cookie_len);
	lk->cookie[l->cookie_len] = '\0';
	if (strncmp(lk->cookie, "auto ", 5) || !lk->cookie[5])
		goto out;
	h = strtoull(lk->cookie + 5, &end, 10);
	if (*end || !h)
		goto out;
	lk->external = false;
	lk->known = true;
	lk->name = l->name;
	lk->addr = l->addr;
	lk->handle = h;
out:
	cephc_free(info);
	return ret;
}

static int get_locker(struct cephc_rbd_image *img, struct locker *lk)
{
	uint8_t b[LOCK_ARGS_MAX];
	size_t len;
	int ret;

	memset(lk, 0, sizeof(*lk));
	ret = cephc_cls_lock_encode_get_info(LOCK_NAME, b, sizeof(b), &len);
	if (!ret)
		ret = cls_lock_call(img, img->header_oid, "get_info", b, len,
				    false, locker_reply, lk);
	return ret == CEPHC_ENOENT ? 0 : ret;
}

struct alive_scan {
	const struct locker *lk;
	bool alive;
};

static int alive_one(void *arg, const struct cephc_osd_watcher *w)
{
	struct alive_scan *a = arg;

	if (w->cookie == a->lk->handle &&
	    cephc_addr_equal(&w->addr, &a->lk->addr))
		a->alive = true;
	return 0;
}

/* librbd's test: the owner still watches the header with the cookie its
 * lock names, from the address the lock names. */
static int owner_alive(struct cephc_rbd_image *img, const struct locker *lk,
		       bool *alive)
{
	struct rbd_loc l = rbd_image_loc(img);
	struct alive_scan a = {lk, false};
	int ret = rbd_watchers_each(&l, img->header_oid, alive_one, &a);

	*alive = a.alive;
	return ret;
}

/* ---- taking, breaking, asking ------------------------------------------- */

static int take_lock(struct cephc_rbd_image *img, const char *cookie)
{
	uint8_t b[LOCK_ARGS_MAX];
	struct cephc_cls_lock_args a = {
	    .name = LOCK_NAME,
	    .type = CEPHC_CLS_LOCK_EXCLUSIVE,
	    .cookie = cookie,
	    .tag = LOCK_TAG,
	};
	size_t len;
	int ret = cephc_cls_lock_encode_lock(&a, b, sizeof(b), &len);

	return ret ? ret
		   : cls_lock_call(img, img->header_oid, "lock", b, len, true,
				   NULL, NULL);
}

static int drop_lock(struct cephc_rbd_image *img, const char *cookie)
{
	uint8_t b[LOCK_ARGS_MAX];
	size_t len;
	int ret =
	    cephc_cls_lock_encode_unlock(LOCK_NAME, cookie, b, sizeof(b), &len);

	if (!ret)
		ret = cls_lock_call(img, img->header_oid, "unlock", b, len,
				    true, NULL, NULL);
	/* gone already (broken by a peer, or we were blocklisted) */
	return ret == CEPHC_ENOENT || ret == CEPHC_EBLOCKLISTED ? 0 : ret;
}

/*
 * The owner is dead: blocklist its address (rbd_blocklist_on_break_lock)
 * and make sure the OSDs know, then break its lock.  0 when the lock may
 * be taken again (also when it went away).
 */
static int break_dead(struct cephc_rbd_image *img, const struct locker *lk)
{
	struct locker now;
	uint8_t b[LOCK_ARGS_MAX];
	char addr[160];
	size_t len;
	int ret;

	/* librbd reads the locker again: a new one is not ours to break */
	ret = get_locker(img, &now);
	if (ret || !now.known || now.handle != lk->handle ||
	    !cephc_addr_equal(&now.addr, &lk->addr))
		return ret;
	if (rbd_conf_bool(img->c, "rbd_blocklist_on_break_lock", true)) {
		cephc_addr_format_plain(&lk->addr, addr, sizeof(addr));
		log_info(SUBSYS, "%s: lock owner %s is dead", img->header_oid,
			 addr);
		ret = rbd_lock_blocklist(img, addr);
		if (ret)
			return ret;
	}
	ret = cephc_cls_lock_encode_break(LOCK_NAME, &lk->name, lk->cookie, b,
					  sizeof(b), &len);
	if (!ret)
		ret = cls_lock_call(img, img->header_oid, "break_lock", b, len,
				    true, NULL, NULL);
	return ret == CEPHC_ENOENT ? 0 : ret;
}

struct request_result {
	struct rbd_client_id us;
	unsigned answers;
	int32_t result;
};

static int request_acks(void *arg, const uint8_t *p, size_t len)
{
	struct request_result *rr = arg;
	struct cephc_osd_notify_iter it;
	const uint8_t *payload;
	uint64_t gid, cookie;
	uint32_t plen;
	int32_t r;
	int ret = cephc_osd_notify_iter_init(&it, p, len);

	while (!ret && (ret = cephc_osd_notify_iter_next_ack(
			    &it, &gid, &cookie, &payload, &plen)) > 0) {
		ret = 0;
		if (gid == rr->us.gid && cookie == rr->us.handle)
			continue;
		/* only the owner answers with a ResponseMessage */
		if (plen && !rbd_notify_decode_response(payload, plen, &r)) {
			rr->answers++;
			rr->result = r;
		}
	}
	return ret;
}

/*
 * Ask the live owner to release (librbd's RequestLock).  0: it agreed (or
 * said nothing we understood: try again later); CEPHC_EROFS: it holds the
 * lock explicitly; CEPHC_ETIMEDOUT: no owner answered (librbd then takes
 * it for dead and runs the break test again).
 */
static int request_lock(struct cephc_rbd_image *img)
{
	struct request_result rr = {our_id(img), 0, 0};
	uint8_t b[RBD_NOTIFY_MSG_MAX];
	size_t len;
	int ret = rbd_notify_encode(RBD_NOTIFY_REQUEST_LOCK, &rr.us, false, b,
				    sizeof(b), &len);

	if (ret)
		return ret;
	ret = rbd_image_notify_wait(img, b, len, request_acks, &rr);
	if (ret && ret != CEPHC_ETIMEDOUT)
		return ret;
	if (rr.answers == 0)
		return CEPHC_ETIMEDOUT;
	if (rr.answers > 1) /* two owners?  librbd: -EINVAL, retry later */
		return CEPHC_EINVAL;
	log_debug(SUBSYS, "%s: lock owner answered %s", img->header_oid,
		  cephc_strerror(rr.result));
	return rr.result;
}

/* Tell the watchers that we took or gave up the lock. */
static void announce(struct cephc_rbd_image *img, uint32_t op)
{
	struct rbd_client_id id = our_id(img);
	uint8_t b[RBD_NOTIFY_MSG_MAX];
	size_t len;

	if (!rbd_notify_encode(op, &id, false, b, sizeof(b), &len))
		rbd_image_notify(img, b, len);
}

/* ---- the worker --------------------------------------------------------- */

/*
 * Take the lock, blocking (img->lock not held).  0 with the lock held
 * under ex->held, or the error that ends the attempt.
 */
static int acquire_steps(struct rbd_exlock *ex)
{
	struct cephc_rbd_image *img = ex->img;
	uint64_t op_ms =
	    cephc_cluster_get_timeout(img->c, CEPHC_TIMEOUT_OSD_OP);
	uint64_t deadline = op_ms ? now_ms() + op_ms + LOCK_WAIT_EXTRA_MS : 0;
	struct locker *lk = cephc_calloc(1, sizeof(*lk));
	char cookie[64];
	uint64_t seq;
	bool alive;
	int ret;

	if (!lk)
		return CEPHC_ENOMEM;
	for (;;) {
		pthread_mutex_lock(&img->lock);
		seq = ex->peer_seq;
		ret = ex->stop ? CEPHC_ECANCELED : 0;
		if (!ret && deadline && now_ms() > deadline)
			ret = CEPHC_ETIMEDOUT;
		/* a re-watch in progress: wait for its cookie */
		if (!ret && !img->watch_cookie)
			ex_sleep(ex, 100);
		snprintf(cookie, sizeof(cookie), "auto %" PRIu64,
			 img->watch_cookie);
		pthread_mutex_unlock(&img->lock);
		if (ret)
			break;
		if (!img->watch_cookie)
			continue;
		ret = get_locker(img, lk);
		if (ret)
			break;
		if (lk->external) {
			rbd_set_err("image is locked by another tool (rbd lock "
				    "add?): not breaking it");
			ret = CEPHC_EBUSY;
			break;
		}
		ret = take_lock(img, cookie);
		if (ret == CEPHC_EEXIST) /* ours already, same cookie */
			ret = 0;
		if (!ret || ret != CEPHC_EBUSY)
			break;
		if (!lk->known) /* taken meanwhile: look again */
			continue;
		ret = owner_alive(img, lk, &alive);
		if (ret)
			break;
		if (!alive) {
			ret = break_dead(img, lk);
			if (ret)
				break;
			continue;
		}
		ret = request_lock(img);
		if (ret == CEPHC_EROFS) {
			rbd_set_err("the lock owner refuses to release the "
				    "exclusive lock");
			break;
		}
		pthread_mutex_lock(&img->lock);
		if (!ret) {
			/* it agreed: wait for its ReleasedLock (or ask
			 * again after a while, as librbd does) */
			uint64_t until = now_ms() + REQUEST_AGAIN_MS;

			while (!ex->stop && ex->peer_seq == seq &&
			       now_ms() < until)
				ex_sleep(ex, until - now_ms());
		} else if (ret != CEPHC_ETIMEDOUT) {
			ex_sleep(ex, RETRY_DELAY_MS);
		}
		pthread_mutex_unlock(&img->lock);
	}
	if (!ret) {
		pthread_mutex_lock(&img->lock);
		snprintf(ex->held, sizeof(ex->held), "%s", cookie);
		snprintf(img->lock_cookie, sizeof(img->lock_cookie), "%s",
			 cookie);
		pthread_mutex_unlock(&img->lock);
	}
	cephc_free(lk);
	return ret;
}

/* After taking it: what others changed meanwhile, then the map. */
static void post_acquire(struct rbd_exlock *ex)
{
	struct cephc_rbd_image *img = ex->img;
	int ret = rbd_image_refresh(img);

	if (ret)
		log_warn(SUBSYS, "%s: header refresh after lock: %s",
			 img->header_oid, cephc_strerror(ret));
	if (img->meta.features & CEPHC_RBD_FEATURE_OBJECT_MAP) {
		ret = rbd_om_open(img);
		if (ret)
			log_warn(SUBSYS, "%s: object map not open: %s",
				 img->header_oid, cephc_strerror(ret));
	}
	announce(img, RBD_NOTIFY_ACQUIRED_LOCK);
}

struct resume_batch {
	struct rbd_lock_waiter *list;
	int err;
};

static void resume_fn(void *arg)
{
	struct resume_batch *b = arg;
	struct rbd_lock_waiter *w;

	while ((w = b->list)) {
		b->list = w->next;
		w->next = NULL;
		w->fn(w, b->err);
	}
}

/* Worker, img->lock held (dropped while blocking). */
static void do_acquire(struct rbd_exlock *ex)
{
	struct cephc_rbd_image *img = ex->img;
	struct resume_batch b = {NULL, 0};
	unsigned n = 0;
	int ret;

	ex->state = EX_ACQUIRING;
	/* let the peer we released to take it first (YIELD_MS) */
	while (!ex->stop && ex->peer_seq == ex->yield_seq &&
	       now_ms() < ex->yield_until)
		ex_sleep(ex, ex->yield_until - now_ms());
	ex->yield_until = 0;
	pthread_mutex_unlock(&img->lock);
	ret = acquire_steps(ex);
	if (!ret)
		post_acquire(ex);
	else
		log_info(SUBSYS, "%s: cannot take the exclusive lock: %s",
			 img->header_oid, cephc_strerror(ret));
	pthread_mutex_lock(&img->lock);
	ex->state = ret ? EX_UNLOCKED : EX_LOCKED;
	ex->want_acquire = false;
	b.list = ex->head;
	b.err = ret;
	ex->head = NULL;
	ex->tail = &ex->head;
	for (struct rbd_lock_waiter *w = b.list; w; w = w->next)
		n++;
	if (!ret)
		ex->pins += n; /* each admitted write pins the lock */
	pthread_cond_broadcast(&ex->changed);
	pthread_mutex_unlock(&img->lock);
	if (b.list && cephc_client_call(img->c, resume_fn, &b))
		resume_fn(&b); /* no loop any more: fail them here */
	pthread_mutex_lock(&img->lock);
}

static void do_release(struct rbd_exlock *ex)
{
	struct cephc_rbd_image *img = ex->img;
	char cookie[64];
	int ret;

	ex->state = EX_RELEASING;
	while (ex->pins)
		pthread_cond_wait(&ex->cond, &img->lock);
	/* our notifies first (a resize's header update): the next owner
	 * must have seen them (librbd flushes them before releasing) */
	rbd_image_notify_flush(img);
	snprintf(cookie, sizeof(cookie), "%s", ex->held);
	pthread_mutex_unlock(&img->lock);
	rbd_om_close(img);
	ret = drop_lock(img, cookie);
	if (ret)
		log_warn(SUBSYS, "%s: unlock: %s", img->header_oid,
			 cephc_strerror(ret));
	pthread_mutex_lock(&img->lock);
	img->lock_cookie[0] = '\0';
	ex->held[0] = '\0';
	pthread_mutex_unlock(&img->lock);
	announce(img, RBD_NOTIFY_RELEASED_LOCK);
	pthread_mutex_lock(&img->lock);
	ex->state = EX_UNLOCKED;
	ex->want_release = false;
	if (ex->peer_asked) {
		ex->yield_seq = ex->peer_seq;
		ex->yield_until = now_ms() + YIELD_MS;
	}
	ex->peer_asked = false;
	pthread_cond_broadcast(&ex->changed);
}

/* The watch came back with a new cookie: the lock's follows it. */
static void do_recookie(struct rbd_exlock *ex)
{
	struct cephc_rbd_image *img = ex->img;
	uint8_t b[LOCK_ARGS_MAX];
	char old[64], cookie[64];
	struct cephc_cls_lock_args a = {
	    .name = LOCK_NAME,
	    .type = CEPHC_CLS_LOCK_EXCLUSIVE,
	    .cookie = old,
	    .tag = LOCK_TAG,
	};
	size_t len;
	int ret;

	ex->recookie = false;
	if (!img->watch_cookie)
		return; /* the re-watch failed: it is tried again */
	snprintf(old, sizeof(old), "%s", ex->held);
	snprintf(cookie, sizeof(cookie), "auto %" PRIu64, img->watch_cookie);
	if (!strcmp(old, cookie))
		return;
	pthread_mutex_unlock(&img->lock);
	ret = cephc_cls_lock_encode_set_cookie(&a, cookie, b, sizeof(b), &len);
	if (!ret)
		ret = cls_lock_call(img, img->header_oid, "set_cookie", b, len,
				    true, NULL, NULL);
	pthread_mutex_lock(&img->lock);
	if (!ret) {
		snprintf(ex->held, sizeof(ex->held), "%s", cookie);
		snprintf(img->lock_cookie, sizeof(img->lock_cookie), "%s",
			 cookie);
		pthread_mutex_unlock(&img->lock);
		announce(img, RBD_NOTIFY_ACQUIRED_LOCK);
		pthread_mutex_lock(&img->lock);
		return;
	}
	/* lost it (broken while we were away): let it go, take it again on
	 * the next write */
	log_warn(SUBSYS, "%s: lock cookie not moved (%s): releasing",
		 img->header_oid, cephc_strerror(ret));
	ex->want_release = true;
}

static void *ex_thread(void *arg)
{
	struct rbd_exlock *ex = arg;
	struct cephc_rbd_image *img = ex->img;

	pthread_mutex_lock(&img->lock);
	for (;;) {
		if (ex->state == EX_LOCKED && ex->recookie) {
			do_recookie(ex);
		} else if (ex->state == EX_LOCKED &&
			   (ex->want_release || ex->stop)) {
			do_release(ex);
		} else if (ex->stop) {
			break;
		} else if (ex->state == EX_UNLOCKED &&
			   (ex->head || ex->want_acquire)) {
			do_acquire(ex);
		} else {
			pthread_cond_wait(&ex->cond, &img->lock);
		}
	}
	pthread_mutex_unlock(&img->lock);
	return NULL;
}

/* ---- driver context: the engine's gate and the watch's hooks ------------ */

int rbd_exlock_gate(struct cephc_rbd_image *img, struct rbd_lock_waiter *w)
{
	struct rbd_exlock *ex = img->ex;
	int ret = 0;

	if (!ex)
		return 2;
	pthread_mutex_lock(&img->lock);
	if (ex->state == EX_LOCKED && !ex->want_release &&
	    !ex->writes_blocked) {
		ex->pins++;
		ret = 1;
	} else if (ex->managed && ex->state == EX_UNLOCKED &&
		   !ex->want_acquire) {
		/* explicit policy: no lock, no writes (as librbd) */
		ret = CEPHC_EROFS;
	} else {
		w->next = NULL;
		*ex->tail = w;
		ex->tail = &w->next;
		pthread_cond_signal(&ex->cond);
	}
	pthread_mutex_unlock(&img->lock);
	return ret;
}

void rbd_exlock_unpin(struct cephc_rbd_image *img)
{
	struct rbd_exlock *ex = img->ex;

	if (!ex)
		return;
	pthread_mutex_lock(&img->lock);
	if (--ex->pins == 0)
		pthread_cond_signal(&ex->cond);
	/* a snapshot op waits for the writes it blocked to drain */
	if (ex->writes_blocked && ex->pins <= 1)
		pthread_cond_broadcast(&ex->changed);
	pthread_mutex_unlock(&img->lock);
}

static void ex_notify(struct cephc_rbd_image *img,
		      const struct rbd_notify_msg *m, uint8_t *reply,
		      size_t *reply_len)
{
	struct rbd_exlock *ex;
	bool ours = m->has_client &&
		    m->client.gid == cephc_cluster_instance_id(img->c) &&
		    m->client.handle == img->watch_cookie;
	bool owner;
	int32_t answer = 1; /* 1: an empty ack */

	/* under the lock: close may be freeing the lock state meanwhile
	 * (rbd_exlock_shutdown clears img->ex under it first) */
	pthread_mutex_lock(&img->lock);
	ex = img->ex;
	if (!ex) {
		pthread_mutex_unlock(&img->lock);
		return;
	}
	owner = ex->held[0] != '\0';
	switch (m->op) {
	case RBD_NOTIFY_ACQUIRED_LOCK:
	case RBD_NOTIFY_RELEASED_LOCK:
		if (!ours) {
			ex->peer_seq++;
			pthread_cond_signal(&ex->cond);
		}
		break;
	case RBD_NOTIFY_REQUEST_LOCK:
		if (ours || !owner)
			break;
		if (ex->managed) {
			answer = CEPHC_EROFS;
			break;
		}
		/* agree, then let go once the writes in flight are done
		 * (never an empty ack while owning: librbd would spin) */
		answer = 0;
		if (!ex->want_release)
			log_debug(SUBSYS, "%s: lock requested by %" PRIu64,
				  img->header_oid, m->client.gid);
		ex->want_release = true;
		ex->peer_asked = true;
		pthread_cond_signal(&ex->cond);
		break;
	case RBD_NOTIFY_ASYNC_PROGRESS:
	case RBD_NOTIFY_ASYNC_COMPLETE:
	case RBD_NOTIFY_QUIESCE:
	case RBD_NOTIFY_UNQUIESCE:
		break;
	default:
		/* operations we do not run for others: librbd then asks
		 * for the lock and runs them itself */
		if (owner)
			answer = CEPHC_EOPNOTSUPP;
		break;
	}
	pthread_mutex_unlock(&img->lock);
	if (answer <= 0) {
		rbd_notify_encode_response(answer, reply);
		*reply_len = RBD_NOTIFY_RESPONSE_LEN;
	}
}

static void ex_rewatched(struct cephc_rbd_image *img, int err)
{
	struct rbd_exlock *ex;

	if (err)
		return;
	pthread_mutex_lock(&img->lock);
	ex = img->ex; /* as in ex_notify: read under the lock */
	if (ex) {
		ex->recookie = true;
		pthread_cond_signal(&ex->cond);
	}
	pthread_mutex_unlock(&img->lock);
}

static const struct rbd_watch_hooks ex_hooks = {
    .notify = ex_notify,
    .rewatched = ex_rewatched,
};

/* ---- life cycle --------------------------------------------------------- */

int rbd_exlock_init(struct cephc_rbd_image *img)
{
	struct rbd_exlock *ex;

	if (img->read_only ||
	    !(img->meta.features & CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK))
		return 0;
	ex = cephc_calloc(1, sizeof(*ex));
	if (!ex)
		return CEPHC_ENOMEM;
	ex->img = img;
	ex->tail = &ex->head;
	cephc_client_cond_init(&ex->cond);
	cephc_client_cond_init(&ex->changed);
	if (pthread_create(&ex->thread, NULL, ex_thread, ex)) {
		pthread_cond_destroy(&ex->cond);
		pthread_cond_destroy(&ex->changed);
		cephc_free(ex);
		return CEPHC_ENOMEM;
	}
	pthread_mutex_lock(&img->lock);
	img->ex = ex;
	img->watch_hooks = &ex_hooks;
	pthread_mutex_unlock(&img->lock);
	return 0;
}

void rbd_exlock_shutdown(struct cephc_rbd_image *img)
{
	struct rbd_exlock *ex = img->ex;

	if (!ex)
		return;
	pthread_mutex_lock(&img->lock);
	ex->stop = true;
	pthread_cond_signal(&ex->cond);
	pthread_mutex_unlock(&img->lock);
	pthread_join(ex->thread, NULL);
	pthread_mutex_lock(&img->lock);
	img->watch_hooks = NULL;
	img->ex = NULL;
	pthread_mutex_unlock(&img->lock);
	pthread_cond_destroy(&ex->cond);
	pthread_cond_destroy(&ex->changed);
	cephc_free(ex);
}

/* ---- blocking callers: management ops and the explicit API -------------- */

struct sync_waiter {
	struct rbd_lock_waiter w; /* first */
	struct cephc_rbd_image *img;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int err;
};

static void sync_resume(struct rbd_lock_waiter *w, int err)
{
	struct sync_waiter *s = (struct sync_waiter *)w;

	pthread_mutex_lock(&s->lock);
	s->done = true;
	s->err = err;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static bool sync_done(void *arg)
{
	return ((struct sync_waiter *)arg)->done;
}

/* Own the lock and pin it (as a write does); 2 when the image has no
 * exclusive lock (nothing pinned). */
static int pin_lock(struct cephc_rbd_image *img)
{
	struct sync_waiter s = {.w.fn = sync_resume, .img = img};
	int ret;

	pthread_mutex_init(&s.lock, NULL);
	cephc_client_cond_init(&s.cond);
	ret = rbd_exlock_gate(img, &s.w);
	if (ret == 0) {
		pthread_mutex_lock(&s.lock);
		ret = cephc_client_wait_for(img->c, &s.lock, &s.cond, sync_done,
					    &s, 0);
		if (!ret)
			ret = s.err ? s.err : 1;
		pthread_mutex_unlock(&s.lock);
	}
	pthread_mutex_destroy(&s.lock);
	pthread_cond_destroy(&s.cond);
	return ret;
}

int rbd_image_op_begin(struct cephc_rbd_image *img)
{
	int ret;

	if (!img->ex) /* no exclusive lock to own */
		return 0;
	ret = pin_lock(img);
	return ret < 0 ? ret : 0;
}

void rbd_image_op_end(struct cephc_rbd_image *img)
{
	rbd_exlock_unpin(img);
}

int cephc_rbd_lock_acquire(cephc_rbd_image *img, int mode)
{
	int ret;

	if (!img)
		return CEPHC_EINVAL;
	if (mode == CEPHC_RBD_LOCK_MODE_SHARED)
		return CEPHC_EOPNOTSUPP;
	if (mode != CEPHC_RBD_LOCK_MODE_EXCLUSIVE || !img->ex)
		return CEPHC_EINVAL;
	pthread_mutex_lock(&img->lock);
	img->ex->managed = true;
	img->ex->want_acquire = true; /* the gate queues rather than refuses */
	pthread_mutex_unlock(&img->lock);
	ret = pin_lock(img);
	if (ret == 1)
		rbd_exlock_unpin(img);
	pthread_mutex_lock(&img->lock);
	img->ex->want_acquire = false;
	pthread_mutex_unlock(&img->lock);
	return ret < 0 ? ret : 0;
}

static bool unlocked(void *arg)
{
	struct rbd_exlock *ex = arg;

	return ex->state == EX_UNLOCKED;
}

int cephc_rbd_lock_release(cephc_rbd_image *img)
{
	struct rbd_exlock *ex;
	int ret = 0;

	if (!img || !(ex = img->ex))
		return CEPHC_EINVAL;
	pthread_mutex_lock(&img->lock);
	if (ex->state != EX_LOCKED && ex->state != EX_RELEASING) {
		pthread_mutex_unlock(&img->lock);
		return CEPHC_EINVAL; /* librbd: not the owner */
	}
	ex->want_release = true;
	pthread_cond_signal(&ex->cond);
	ret = cephc_client_wait_for(img->c, &img->lock, &ex->changed, unlocked,
				    ex, 0);
	pthread_mutex_unlock(&img->lock);
	return ret;
}

int cephc_rbd_is_exclusive_lock_owner(cephc_rbd_image *img, bool *owner)
{
	if (!img || !owner)
		return CEPHC_EINVAL;
	pthread_mutex_lock(&img->lock);
	*owner = img->ex && img->ex->state == EX_LOCKED;
	pthread_mutex_unlock(&img->lock);
	return 0;
}

/* ---- holding writes back (snapshot create and rollback) ------------------ */

static bool writes_drained(void *arg)
{
	struct rbd_exlock *ex = arg;

	return ex->pins <= 1;
}

int rbd_exlock_block_writes(struct cephc_rbd_image *img)
{
	struct rbd_exlock *ex = img->ex;
	int ret;

	if (!ex)
		return 0;
	pthread_mutex_lock(&img->lock);
	ex->writes_blocked = true;
	/* the caller's own pin (rbd_image_op_begin) is the one left */
	ret = cephc_client_wait_for(img->c, &img->lock, &ex->changed,
				    writes_drained, ex, 0);
	pthread_mutex_unlock(&img->lock);
	if (ret)
		rbd_exlock_unblock_writes(img);
	return ret;
}

void rbd_exlock_unblock_writes(struct cephc_rbd_image *img)
{
	struct rbd_exlock *ex = img->ex;
	struct resume_batch b = {NULL, 0};
	unsigned n = 0;

	if (!ex)
		return;
	pthread_mutex_lock(&img->lock);
	ex->writes_blocked = false;
	/* writes queued meanwhile pass now, in order, unless the lock is
	 * on its way to a peer (then the worker takes it back for them) */
	if (ex->state == EX_LOCKED && !ex->want_release) {
		b.list = ex->head;
		ex->head = NULL;
		ex->tail = &ex->head;
		for (struct rbd_lock_waiter *w = b.list; w; w = w->next)
			n++;
		ex->pins += n;
	}
	pthread_mutex_unlock(&img->lock);
	if (b.list && cephc_client_call(img->c, resume_fn, &b))
		resume_fn(&b);
}
