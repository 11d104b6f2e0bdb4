/* SPDX-License-Identifier: MIT */
/*
 * The client instance (client.h): what a cephc_cluster handle runs once it
 * connects, and the machinery every public call waits through.
 *
 * It is the one layer that owns loop, messenger, auth, monitor client, the
 * OSDMap and the OSD client, so that the public APIs (cluster.c, rados.c,
 * src/rbd) can each sit on top of it without calling one another: before
 * it existed the OSD client was started by the object API (rados.c), and
 * rbd had to create and destroy an unused I/O context to get one.
 *
 * Contexts: functions named cephc_client_*() are for API threads unless
 * their comment in client.h says otherwise; the static callbacks on_*() and
 * the *_fn() work items run in driver context (see client.h for the lock
 * rules they follow).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/client.h"
#include "core/alloc.h"
#include "core/log.h"
#include "osdc/osd_client.h"

#define SUBSYS "client"

/* ---- error message, deadlines, timeouts -------------------------------- */

/*
 * Format into a scratch buffer first: callers may pass the current message
 * as an argument ("...: %s", c->errmsg), and vsnprintf() into the buffer
 * it reads from is undefined (it once printed the message twice).
 */
void cephc_client_set_errmsg(struct cephc_cluster *c, const char *fmt, ...)
{
	char tmp[CEPHC_CLUSTER_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&c->errlock);
	memcpy(c->errmsg, tmp, sizeof(tmp));
	pthread_mutex_unlock(&c->errlock);
}
#define set_errmsg cephc_client_set_errmsg

uint64_t cephc_client_deadline(struct cephc_cluster *c, int kind)
{
	uint32_t ms = atomic_load(&c->timeouts[kind]);

	return ms ? cephc_now_ns() + (uint64_t)ms * 1000000u : 0;
}

/*
 * The OSD op timeout is also the OSD client's own default (requests carry
 * CEPHC_OSDC_TIMEOUT_INHERIT unless their ioctx sets one), so a change must
 * reach a running client too.  cephc_osdc_set_op_timeout() is documented
 * safe from any thread; the pointer is atomic for that reason.
 */
void cephc_client_set_timeout(struct cephc_cluster *c, int kind, uint32_t ms)
{
	struct cephc_osdc *osdc;

	atomic_store(&c->timeouts[kind], ms);
	if (kind == CEPHC_TIMEOUT_OSD_OP && (osdc = atomic_load(&c->osdc)))
		cephc_osdc_set_op_timeout(osdc, ms);
}

/* ---- waiting ------------------------------------------------------------ */

void cephc_client_cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(cond, &ca);
	pthread_condattr_destroy(&ca);
}

/* Sleep on cond until ns (0: forever).  Spurious returns are fine. */
static void cond_wait_until(pthread_cond_t *cond, pthread_mutex_t *lock,
			    uint64_t ns)
{
	struct timespec ts;

	if (!ns) {
		pthread_cond_wait(cond, lock);
		return;
	}
	ts.tv_sec = (time_t)(ns / 1000000000u);
	ts.tv_nsec = (long)(ns % 1000000000u);
	pthread_cond_timedwait(cond, lock, &ts);
}

/* A follower looks again this often: the leader stops driving when its
 * own wait is over. */
#define FOLLOWER_SLICE_NS 10000000ull

/* A leader is done: if others still need the loop driven, our parked loop
 * thread must poll again now rather than after its linger. */
static void after_lead(struct cephc_cluster *c)
{
	struct cephc_osdc *osdc = c->osdc;

	if (c->caller_driven)
		return;
	if (atomic_load(&c->waiting) > 1 ||
	    (osdc && cephc_osdc_in_flight(osdc)))
		cephc_loop_unpark(c->loop);
}

int cephc_client_wait_for(struct cephc_cluster *c, pthread_mutex_t *lock,
			  pthread_cond_t *cond, bool (*done)(void *arg),
			  void *arg, uint64_t deadline_ns)
{
	int r;

	atomic_fetch_add(&c->waiting, 1);
	for (;;) {
		uint64_t until = deadline_ns;

		if (done(arg)) {
			r = 0;
			break;
		}
		if (c->loop && cephc_loop_in_driver(c->loop)) {
			r = CEPHC_EDEADLK; /* would wait for ourselves */
			break;
		}
		if (deadline_ns && cephc_now_ns() >= deadline_ns) {
			r = CEPHC_ETIMEDOUT;
			break;
		}
		/*
		 * Leader/follower: the first waiter drives the loop itself, so
		 * its reply is handled on its own thread with no wake-up in
		 * between; our loop thread, if any, parks meanwhile (two
		 * threads sleeping in epoll_wait() on one epoll fd would lose
		 * kicks).  The others sleep on cond and look again each slice.
		 */
		if (c->loop) {
			uint64_t s = cephc_now_ns() + FOLLOWER_SLICE_NS;

			r = cephc_loop_lead(c->loop, lock, done, arg,
					    deadline_ns);
			if (r != CEPHC_EBUSY) {
				after_lead(c);
				break;
			}
			if (!until || s < until)
				until = s;
		}
		cond_wait_until(cond, lock, until);
	}
	atomic_fetch_sub(&c->waiting, 1);
	return r;
}

/* cephc_client_wait() adapts a (c, arg) predicate to wait_for's (arg). */
struct pred_arg {
	struct cephc_cluster *c;
	bool (*pred)(struct cephc_cluster *c, void *arg);
	void *arg;
};

static bool pred_done(void *arg)
{
	struct pred_arg *pa = arg;

	return pa->pred(pa->c, pa->arg);
}

int cephc_client_wait(struct cephc_cluster *c,
		      bool (*pred)(struct cephc_cluster *c, void *arg),
		      void *arg, uint64_t deadline_ns)
{
	struct pred_arg pa = {c, pred, arg};

	return cephc_client_wait_for(c, &c->lock, &c->cond, pred_done, &pa,
				     deadline_ns);
}

/* A cephc_client_call() in flight: lives on the caller's stack, which is
 * safe because the caller waits for done (set under c->lock, the last
 * thing the driver does with it). */
struct call_work {
	struct cephc_loop_work w;
	struct cephc_cluster *c;
	void (*fn)(void *arg);
	void *arg;
	bool done;
};

static void call_work_fn(struct cephc_loop_work *w)
{
	struct call_work *cw = (struct call_work *)w;

	cw->fn(cw->arg);
	pthread_mutex_lock(&cw->c->lock);
	cw->done = true;
	pthread_cond_broadcast(&cw->c->cond);
	pthread_mutex_unlock(&cw->c->lock);
}

static bool call_done(struct cephc_cluster *c, void *arg)
{
	(void)c;
	return ((struct call_work *)arg)->done;
}

int cephc_client_call(struct cephc_cluster *c, void (*fn)(void *arg), void *arg)
{
	struct call_work cw = {.c = c, .fn = fn, .arg = arg};

	cw.w.fn = call_work_fn;
	/* inline when nobody drives the loop, else queued for the driver */
	cephc_loop_submit(c->loop, &cw.w);
	pthread_mutex_lock(&c->lock);
	/* Driver work items are short and never block: no deadline. */
	cephc_client_wait(c, call_done, &cw, 0);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

/* ---- init ---------------------------------------------------------------- */

void cephc_client_init(struct cephc_cluster *c)
{
	for (int k = 0; k < 3; k++)
		atomic_init(&c->timeouts[k], CEPHC_CLUSTER_TIMEOUT_DEFAULT_MS);
	atomic_init(&c->timeouts_api, 0);
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->errlock, NULL);
	/* c->cond is also waited on through cephc_client_wait_for() */
	cephc_client_cond_init(&c->cond);
}

/* ---- the OSD client's hooks and lifecycle -------------------------------- */

/* A new map is in place (driver context, c->lock not held): the OSD client
 * re-targets its requests. */
static void osdmap_changed(struct cephc_cluster *c)
{
	if (c->osdc)
		cephc_osdc_handle_map_change(c->osdc);
}

static const struct cephc_osdmap *client_map(void *arg)
{
	/* driver context: the map only changes there, so no lock needed to
	 * read it; the OSD client does not keep the pointer past the turn */
	return ((struct cephc_cluster *)arg)->osdmap;
}

static int apply_osdmap(struct cephc_cluster *c, struct cephc_msg *msg);

/* Warnings about maps a peer sent: rate-limited, a peer can send
 * thousands.  Driver context. */
static void osdmap_warn(struct cephc_cluster *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void osdmap_warn(struct cephc_cluster *c, const char *fmt, ...)
{
	char buf[256];
	uint32_t held;
	va_list ap;

	if (!cephc_log_ratelimit_pass(&c->osdmap_rl, cephc_now_ns(), &held))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (held)
		log_warn(SUBSYS, "%u more osdmap problems in the last %llu s",
			 held, cephc_log_ratelimit_span_s(&c->osdmap_rl));
	log_warn(SUBSYS, "%s", buf);
}

/* OSDs send MOSDMap too (when they see an older epoch in our requests):
 * applied exactly as the monitor's; one that does not decode is
 * ignored. */
static void client_osdmap_msg(void *arg, struct cephc_msg *msg)
{
	struct cephc_cluster *c = arg;
	int r = apply_osdmap(c, msg);

	if (r)
		osdmap_warn(c, "malformed MOSDMap from an OSD ignored: %s",
			    cephc_strerror(r));
}

/* A write timed out waiting for room: say so, a bare ETIMEDOUT does not
 * tell the user what to fix.  Driver context. */
static void client_full_timeout(void *arg, int64_t pool)
{
	struct cephc_cluster *c = arg;
	char name[128] = "";

	pthread_mutex_lock(&c->lock);
	const struct cephc_pg_pool *p =
	    c->osdmap ? cephc_osdmap_pool(c->osdmap, pool) : NULL;
	if (p && p->name)
		snprintf(name, sizeof(name), "%s", p->name);
	pthread_mutex_unlock(&c->lock);
	cephc_client_set_errmsg(c,
				"timed out waiting for room: pool '%s' (id "
				"%lld) is full",
				name, (long long)pool);
}

struct start_osdc {
	struct cephc_cluster *c;
	int ret;
};

/* Driver context, so two API threads asking at once cannot start two. */
static void start_osdc_fn(void *arg)
{
	struct start_osdc *so = arg;
	struct cephc_cluster *c = so->c;

	so->ret = 0;
	if (c->osdc)
		return;
	if (!c->monc) {
		so->ret = CEPHC_ENOTCONN;
		return;
	}
	struct cephc_osdc_params p = {
	    .msgr = c->msgr,
	    .auth = c->auth,
	    .monc = c->monc,
	    .get_map = client_map,
	    .on_osdmap_msg = client_osdmap_msg,
	    .on_full_timeout = client_full_timeout,
	    .arg = c,
	};
	struct cephc_osdc *osdc = NULL;

	so->ret = cephc_osdc_create(&p, &osdc);
	c->osdc = osdc;
	if (osdc)
		cephc_osdc_set_op_timeout(
		    osdc, atomic_load(&c->timeouts[CEPHC_TIMEOUT_OSD_OP]));
}

int cephc_client_osdc_get(struct cephc_cluster *c, struct cephc_osdc **out)
{
	struct start_osdc so = {.c = c};

	*out = NULL;
	pthread_mutex_lock(&c->lock);
	bool conn = c->osdmap != NULL;
	pthread_mutex_unlock(&c->lock);
	if (!conn)
		return CEPHC_ENOTCONN;
	cephc_client_call(c, start_osdc_fn, &so);
	if (so.ret)
		return so.ret;
	*out = cephc_client_osdc(c);
	return 0;
}

/* Teardown, driver context: requests still in flight complete with
 * CEPHC_ECANCELED (cephc_osdc_destroy()); later submissions find NULL. */
static void osdc_stop(struct cephc_cluster *c)
{
	cephc_osdc_destroy(c->osdc);
	c->osdc = NULL;
}

/* ---- driver-context callbacks of the monitor client ---------------------- */

static void on_session(void *arg, int err)
{
	struct cephc_cluster *c = arg;

	pthread_mutex_lock(&c->lock);
	if (err == 0) {
		c->session_up = true;
		c->global_id = cephc_auth_global_id(c->auth);
	} else {
		c->session_err = err;
		set_errmsg(c, "%s", cephc_monc_error(c->monc));
	}
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* The first monmap fixes the fsid: later MOSDMaps must name the same
 * cluster. */
static void on_monmap(void *arg, const struct cephc_monmap *m)
{
	struct cephc_cluster *c = arg;

	pthread_mutex_lock(&c->lock);
	c->monmap_epoch = m->epoch;
	if (!c->have_fsid) {
		memcpy(c->fsid, m->fsid, 16);
		c->have_fsid = true;
	}
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/*
 * MOSDMap: apply incrementals that follow what we hold, in order; if none
 * applied, take the newest full map that is newer than ours.  The map is
 * replaced under c->lock (API threads read it); the mon client and the OSD
 * client hear of the change after the lock is dropped.
 */
static int apply_osdmap(struct cephc_cluster *c, struct cephc_msg *msg)
{
	struct cephc_osdmap_msg m;
	struct cephc_dec d;
	uint32_t have;
	bool applied = false;

	dec_init(&d, msg->front, msg->front_len);
	if (cephc_osdmap_msg_decode(&d, &m)) {
		cephc_osdmap_msg_release(&m);
		return d.err ? d.err : CEPHC_EDECODE;
	}
	pthread_mutex_lock(&c->lock);
	if (c->have_fsid && memcmp(m.fsid, c->fsid, 16)) {
		pthread_mutex_unlock(&c->lock);
		osdmap_warn(c, "MOSDMap for another cluster ignored");
		cephc_osdmap_msg_release(&m);
		return 0;
	}
	have = c->osdmap ? c->osdmap->epoch : 0;
	for (uint32_t i = 0; c->osdmap && i < m.num_incs; i++) {
		if (m.incs[i].epoch != c->osdmap->epoch + 1)
			continue;
		int r = cephc_osdmap_apply_incremental(
		    &c->osdmap, m.incs[i].data, m.incs[i].len);
		if (r) {
			osdmap_warn(c, "incremental osdmap e%u not applied: %s",
				    m.incs[i].epoch, cephc_strerror(r));
			break;
		}
		applied = true;
	}
	if (!applied && m.num_fulls) {
		const struct cephc_osdmap_blob *f = &m.fulls[m.num_fulls - 1];
		if (f->epoch > have) {
			struct cephc_osdmap *nm;
			int r = cephc_osdmap_decode(f->data, f->len, &nm);
			if (r == 0) {
				cephc_osdmap_free(c->osdmap);
				c->osdmap = nm;
			} else {
				osdmap_warn(c,
					    "full osdmap e%u not decoded: %s",
					    f->epoch, cephc_strerror(r));
			}
		}
	}
	uint32_t now_have = c->osdmap ? c->osdmap->epoch : 0;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	if (now_have)
		cephc_monc_got_osdmap(c->monc, now_have);
	/* A gap (incrementals trimmed or skipped): ask for what follows. */
	if (m.newest > now_have && now_have == have)
		cephc_monc_want_osdmap(c->monc, now_have ? now_have + 1 : 0);
	if (now_have != have)
		log_debug(SUBSYS, "osdmap e%u", now_have);
	cephc_osdmap_msg_release(&m);
	if (now_have != have)
		osdmap_changed(c);
	return 0;
}

/* From the monitor: a message that does not decode faults the session
 * (the mon client backs off before the next). */
static void on_osdmap(void *arg, struct cephc_msg *msg)
{
	struct cephc_cluster *c = arg;
	int r = apply_osdmap(c, msg);

	if (r)
		cephc_monc_malformed(c->monc, "MOSDMap", r);
}

/* ---- connect ------------------------------------------------------------- */

/* Which auth methods the conf allows: auth_client_required (Ceph's default
 * "cephx, none"); a client offers them and the monitor picks. */
static uint32_t allowed_auth(struct cephc_cluster *c)
{
	char *v = NULL;
	uint32_t allowed = 0;

	if (cephc_conf_get_str(c->conf, "auth_client_required", &v) != 0 || !v)
		return (1u << CEPHC_AUTH_CEPHX) | (1u << CEPHC_AUTH_NONE);
	if (strstr(v, "cephx"))
		allowed |= 1u << CEPHC_AUTH_CEPHX;
	if (strstr(v, "none"))
		allowed |= 1u << CEPHC_AUTH_NONE;
	cephc_free(v);
	return allowed ? allowed
		       : (1u << CEPHC_AUTH_CEPHX) | (1u << CEPHC_AUTH_NONE);
}

/* c->auth for the conf's entity and key.  The raw key is wiped from our
 * stack as soon as the auth client holds its copy. */
static int build_auth(struct cephc_cluster *c)
{
	struct cephc_auth_params ap = {0};
	struct cephc_crypto_key key;
	uint8_t raw[256];
	uint32_t allowed = allowed_auth(c);
	int n;

	ap.name_type = CEPHC_ENTITY_CLIENT;
	ap.name_id = cephc_conf_id(c->conf);
	ap.allowed = allowed;
	if (allowed & (1u << CEPHC_AUTH_CEPHX)) {
		n = cephc_conf_load_secret(c->conf, raw, sizeof(raw));
		/* Only a key that is nowhere lets "none" be tried alone; a
		 * keyring that is there but unreadable or malformed is the
		 * user's to fix, as Ceph's tools say. */
		if (n < 0 && (n != CEPHC_ENOENT ||
			      !(allowed & (1u << CEPHC_AUTH_NONE)))) {
			cephc_secure_zero(raw, sizeof(raw));
			set_errmsg(c, "no key for %s: %s",
				   cephc_conf_name(c->conf),
				   cephc_conf_last_error(c->conf));
			return n;
		}
		if (n >= 0) {
			int r =
			    cephc_crypto_key_from_bytes(&key, raw, (size_t)n);
			cephc_secure_zero(raw, sizeof(raw));
			if (r) {
				set_errmsg(c, "the key of %s is malformed",
					   cephc_conf_name(c->conf));
				return r;
			}
			ap.secret = &key;
		} else {
			/* no key found: offer only none */
			ap.allowed = 1u << CEPHC_AUTH_NONE;
		}
	}
	c->auth = cephc_auth_create(&ap);
	if (ap.secret)
		cephc_crypto_key_wipe(&key);
	if (!c->auth) {
		set_errmsg(c, "cannot set up authentication for %s",
			   cephc_conf_name(c->conf));
		return CEPHC_ENOMEM;
	}
	return 0;
}

struct start_args {
	struct cephc_cluster *c;
	struct cephc_monc_params mp;
	int ret;
};

/* Driver context: the mon client belongs there from its first breath. */
static void start_monc(void *arg)
{
	struct start_args *sa = arg;

	sa->ret = cephc_monc_create(&sa->mp, &sa->c->monc);
	if (sa->ret == 0)
		sa->ret = cephc_monc_start(sa->c->monc);
	if (sa->ret && sa->c->monc)
		set_errmsg(sa->c, "%s", cephc_monc_error(sa->c->monc));
}

/* Connected means a session and a map: every later call needs the map. */
static bool connect_done(struct cephc_cluster *c, void *arg)
{
	(void)arg;
	return c->session_err || (c->session_up && c->osdmap);
}

struct fault_text {
	struct cephc_cluster *c;
	char buf[CEPHC_CLUSTER_ERRMSG_MAX];
};

/* The mon client's fault causes belong to the driver context. */
static void fault_text_fn(void *arg)
{
	struct fault_text *ft = arg;

	if (ft->c->monc)
		cephc_monc_describe_faults(ft->c->monc, ft->buf,
					   sizeof(ft->buf));
}

/* Connect timed out: say what each monitor did, not only that time ran
 * out. */
static void connect_timeout_message(struct cephc_cluster *c, bool session)
{
	struct fault_text ft = {.c = c};
	uint32_t ms = atomic_load(&c->timeouts[CEPHC_TIMEOUT_CONNECT]);

	cephc_client_call(c, fault_text_fn, &ft);
	if (session)
		set_errmsg(c, "no osdmap within %u ms of the monitor session",
			   ms);
	else if (ft.buf[0])
		set_errmsg(c, "no monitor session within %u ms: %s", ms,
			   ft.buf);
	else
		set_errmsg(c,
			   "no monitor session within %u ms: no monitor "
			   "answered",
			   ms);
}

/*
 * Hunting as configured: mon_client_hunt_interval (seconds),
 * mon_client_hunt_interval_max_multiple (the cap on the interval's
 * multiplier, and so on the fault backoff) and mon_client_hunt_parallel.
 * A value that does not parse, or is out of range, keeps the default.
 */
static void monc_tuning(struct cephc_cluster *c, struct cephc_monc_params *p)
{
	uint64_t ms;
	int64_t n;
	char *v = NULL;

	if (cephc_conf_get_duration_ms(c->conf, "mon_client_hunt_interval", 0,
				       &ms) == 0 &&
	    ms >= 1 && ms <= 3600000)
		p->hunt_interval_ms = (uint32_t)ms;
	if (cephc_conf_get_str(c->conf, "mon_client_hunt_interval_max_multiple",
			       &v) == 0 &&
	    v) {
		char *end;
		double m = strtod(v, &end);

		if (end != v && !*end && m >= 1 &&
		    m <= CEPHC_MONC_HUNT_MAX_MULT_LIMIT)
			p->hunt_max_mult = (uint32_t)m;
	}
	cephc_free(v);
	if (cephc_conf_get_int(c->conf, "mon_client_hunt_parallel", 0, &n) ==
		0 &&
	    n >= 1 && n <= 2 * CEPHC_MONC_HUNT_PARALLEL)
		p->hunt_parallel = (uint32_t)n;
}

int cephc_client_connect(struct cephc_cluster *c,
			 const struct cephc_entity_addr *mons,
			 const char **names, uint32_t n)
{
	struct cephc_msgr_opts mo;
	struct start_args sa = {0};
	uint64_t deadline;
	int r;

	r = build_auth(c);
	if (r)
		return r;
	cephc_msgr_opts_default(&mo);
	if ((r = cephc_loop_create(&c->loop)) ||
	    (r = cephc_msgr_create(c->loop, &mo, CEPHC_ENTITY_CLIENT,
				   &c->msgr)) ||
	    (!c->caller_driven && (r = cephc_loop_start(c->loop)))) {
		set_errmsg(c, "cannot start the messenger: %s",
			   cephc_strerror(r));
		return r;
	}
	sa.c = c;
	sa.mp.msgr = c->msgr;
	sa.mp.auth = c->auth;
	sa.mp.mons = mons;
	sa.mp.mon_names = names;
	sa.mp.num_mons = n;
	sa.mp.on_session = on_session;
	sa.mp.on_monmap = on_monmap;
	sa.mp.on_osdmap = on_osdmap;
	sa.mp.arg = c;
	monc_tuning(c, &sa.mp);
	/* the connect timeout runs from the first monitor dial */
	deadline = cephc_client_deadline(c, CEPHC_TIMEOUT_CONNECT);
	cephc_client_call(c, start_monc, &sa);
	if ((r = sa.ret))
		return r;

	pthread_mutex_lock(&c->lock);
	r = cephc_client_wait(c, connect_done, NULL, deadline);
	if (r == 0 && c->session_err)
		r = c->session_err;
	bool have_session = c->session_up;
	pthread_mutex_unlock(&c->lock);
	if (r == CEPHC_ETIMEDOUT)
		connect_timeout_message(c, have_session);
	if (r)
		return r;
	c->connected = true;
	return 0;
}

/* ---- the OSDMap and monitor requests ------------------------------------- */

int64_t cephc_client_pool_lookup(struct cephc_cluster *c, const char *name)
{
	int64_t id = CEPHC_ENOENT;

	pthread_mutex_lock(&c->lock);
	if (!c->osdmap) {
		id = CEPHC_ENOTCONN;
	} else {
		const struct cephc_pg_pool *p =
		    cephc_osdmap_pool_by_name(c->osdmap, name);
		if (p)
			id = p->id;
	}
	pthread_mutex_unlock(&c->lock);
	return id;
}

static char *dup_bytes(const void *p, size_t n)
{
	char *s = cephc_malloc(n + 1);

	if (s) {
		if (n)
			memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

/* The mon client's completion (driver context, exactly once per queued
 * request): decode into mr, then release the waiter under c->lock. */
static void mon_req_done(void *arg, int err, struct cephc_msg *reply)
{
	struct cephc_client_mon_req *mr = arg;

	if (err == 0 && mr->json) {
		struct cephc_mon_command_ack a;
		struct cephc_dec d;
		dec_init(&d, reply->front, reply->front_len);
		if (cephc_mon_command_ack_decode(&d, &a)) {
			err = d.err;
		} else {
			err = a.r;
			mr->outs = dup_bytes(a.rs, a.rs_len);
			mr->outslen = a.rs_len;
			size_t dl = cephc_msg_data_length(&reply->data);
			mr->outbuf = cephc_malloc(dl + 1);
			if (mr->outbuf) {
				if (dl)
					cephc_msg_data_copy_out(&reply->data, 0,
								mr->outbuf, dl);
				mr->outbuf[dl] = '\0';
				mr->outlen = dl;
			}
		}
	} else if (err == 0) {
		struct cephc_mon_version_reply v;
		struct cephc_dec d;
		dec_init(&d, reply->front, reply->front_len);
		err = cephc_mon_get_version_reply_decode(&d, &v);
		mr->newest = v.newest;
	}
	pthread_mutex_lock(&mr->c->lock);
	mr->ret = err;
	mr->done = true;
	pthread_cond_broadcast(&mr->c->cond);
	pthread_mutex_unlock(&mr->c->lock);
}

static void mon_req_submit(void *arg)
{
	struct cephc_client_mon_req *mr = arg;
	int r;

	if (mr->json)
		r = cephc_monc_command(mr->c->monc, mr->json, mr->in, mr->inlen,
				       mr->timeout_ms, mon_req_done, mr);
	else
		r = cephc_monc_get_version(mr->c->monc, mr->what,
					   mr->timeout_ms, mon_req_done, mr);
	if (r) {
		/* not queued: report here, exactly once */
		pthread_mutex_lock(&mr->c->lock);
		mr->ret = r;
		mr->done = true;
		pthread_cond_broadcast(&mr->c->cond);
		pthread_mutex_unlock(&mr->c->lock);
	}
}

static bool mon_req_finished(struct cephc_cluster *c, void *arg)
{
	(void)c;
	return ((struct cephc_client_mon_req *)arg)->done;
}

/* The mon client enforces the timeout, so the wait itself needs none. */
int cephc_client_mon_request(struct cephc_cluster *c,
			     struct cephc_client_mon_req *mr)
{
	if (!c->connected)
		return CEPHC_ENOTCONN;
	mr->c = c;
	mr->timeout_ms = atomic_load(&c->timeouts[CEPHC_TIMEOUT_MON_OP]);
	cephc_client_call(c, mon_req_submit, mr);
	pthread_mutex_lock(&c->lock);
	cephc_client_wait(c, mon_req_finished, mr, 0);
	pthread_mutex_unlock(&c->lock);
	return mr->ret;
}

struct epoch_wait {
	uint32_t epoch;
};

static bool have_epoch(struct cephc_cluster *c, void *arg)
{
	return c->osdmap &&
	       c->osdmap->epoch >= ((struct epoch_wait *)arg)->epoch;
}

/* The deadline covers both the version query and the map's arrival. */
int cephc_client_wait_for_latest_osdmap(struct cephc_cluster *c)
{
	struct cephc_client_mon_req mr = {.what = "osdmap"};
	uint64_t deadline = cephc_client_deadline(c, CEPHC_TIMEOUT_MON_OP);
	int r = cephc_client_mon_request(c, &mr);

	if (r)
		return r;
	struct epoch_wait ew = {(uint32_t)mr.newest};
	pthread_mutex_lock(&c->lock);
	r = cephc_client_wait(c, have_epoch, &ew, deadline);
	pthread_mutex_unlock(&c->lock);
	return r;
}

/* ---- teardown ------------------------------------------------------------ */

/* Driver context: the OSD client first, it holds sessions through the
 * messenger and subscriptions through the mon client. */
static void stop_monc(void *arg)
{
	struct cephc_cluster *c = arg;

	osdc_stop(c);
	cephc_monc_destroy(c->monc);
	c->monc = NULL;
}

void cephc_client_fini(struct cephc_cluster *c)
{
	if (c->loop) {
		if (c->monc)
			cephc_client_call(c, stop_monc, c);
		/* our loop thread, if any, stops: nothing else runs in
		 * driver context once the mon client is gone */
		cephc_loop_stop(c->loop);
	}
	if (c->msgr)
		cephc_msgr_destroy(c->msgr);
	if (c->loop)
		cephc_loop_destroy(c->loop);
	cephc_auth_destroy(c->auth);
	cephc_osdmap_free(c->osdmap);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->errlock);
}

/* ---- pool ops (self-managed snapshots) ----------------------------------- */

struct pool_op_wait {
	struct cephc_cluster *c;
	uint32_t pool, op;
	uint64_t snapid;
	uint32_t timeout_ms;
	/* results */
	bool done;
	int ret;
	uint32_t epoch;
	uint64_t new_snapid;
};

/* Driver context, exactly once per queued op. */
static void pool_op_done(void *arg, int err, struct cephc_msg *reply)
{
	struct pool_op_wait *w = arg;
	struct cephc_mpoolop_reply r;
	struct cephc_dec d;

	if (!err) {
		dec_init(&d, reply->front, reply->front_len);
		err = cephc_mpoolop_reply_decode(&d, &r);
		if (!err)
			err = r.code;
		if (!err && w->op == CEPHC_POOL_OP_CREATE_UNMANAGED_SNAP)
			err = cephc_mpoolop_reply_snapid(&r, &w->new_snapid);
		if (!err)
			w->epoch = r.epoch;
	}
	pthread_mutex_lock(&w->c->lock);
	w->ret = err;
	w->done = true;
	pthread_cond_broadcast(&w->c->cond);
	pthread_mutex_unlock(&w->c->lock);
}

static void pool_op_submit(void *arg)
{
	struct pool_op_wait *w = arg;
	int r = cephc_monc_pool_op(w->c->monc, w->pool, w->op, w->snapid,
				   w->timeout_ms, pool_op_done, w);

	if (r) {
		pthread_mutex_lock(&w->c->lock);
		w->ret = r;
		w->done = true;
		pthread_cond_broadcast(&w->c->cond);
		pthread_mutex_unlock(&w->c->lock);
	}
}

static bool pool_op_finished(struct cephc_cluster *c, void *arg)
{
	(void)c;
	return ((struct pool_op_wait *)arg)->done;
}

int cephc_client_pool_op(struct cephc_cluster *c, int64_t pool, uint32_t op,
			 uint64_t snapid, uint64_t *new_snapid)
{
	struct pool_op_wait w = {.c = c, .op = op, .snapid = snapid};
	uint64_t deadline = cephc_client_deadline(c, CEPHC_TIMEOUT_MON_OP);
	int r;

	if (!c->connected)
		return CEPHC_ENOTCONN;
	if (pool < 0 || pool > UINT32_MAX)
		return CEPHC_EINVAL;
	w.pool = (uint32_t)pool;
	w.timeout_ms = atomic_load(&c->timeouts[CEPHC_TIMEOUT_MON_OP]);
	cephc_client_call(c, pool_op_submit, &w);
	pthread_mutex_lock(&c->lock);
	cephc_client_wait(c, pool_op_finished, &w, 0);
	r = w.ret;
	if (!r) {
		/*
		 * As the Objecter does: the change lives in the epoch the
		 * reply names, and the OSDs must know the new snapshot
		 * before a write carries it, so hold that map first (our
		 * subscription is continuous: it arrives by itself).
		 */
		struct epoch_wait ew = {w.epoch};
		r = cephc_client_wait(c, have_epoch, &ew, deadline);
	}
	pthread_mutex_unlock(&c->lock);
	if (!r && new_snapid)
		*new_snapid = w.new_snapid;
	return r;
}
