/* SPDX-License-Identifier: MIT */
/* The cephc_cluster public API: configuration, connect, maps, mon commands. */
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

/* ---- helpers ------------------------------------------------------------- */

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
	cephc_loop_submit(c->loop, &cw.w);
	pthread_mutex_lock(&c->lock);
	/* Driver work items are short and never block: no deadline. */
	cephc_client_wait(c, call_done, &cw, 0);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

/* ---- create / configure ------------------------------------------------- */

int cephc_cluster_create(cephc_cluster **out, const char *id)
{
	struct cephc_cluster *c;
	int r;

	*out = NULL;
	c = cephc_calloc(1, sizeof(*c));
	if (!c)
		return CEPHC_ENOMEM;
	r = cephc_conf_create(&c->conf);
	if (r == 0 && id)
		r = cephc_conf_set_id(c->conf, id);
	/* CEPH_ARGS and CEPH_KEYRING apply from creation, as librados does */
	if (r == 0)
		r = cephc_conf_apply_environment(c->conf);
	if (r) {
		cephc_conf_destroy(c->conf);
		cephc_free(c);
		return r;
	}
	for (int k = 0; k < 3; k++)
		atomic_init(&c->timeouts[k], CEPHC_CLUSTER_TIMEOUT_DEFAULT_MS);
	atomic_init(&c->timeouts_api, 0);
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->errlock, NULL);
	cephc_client_cond_init(&c->cond);
	*out = c;
	return 0;
}

int cephc_cluster_conf_read_file(cephc_cluster *c, const char *path)
{
	int r = cephc_conf_read_file(c->conf, path);

	if (r == CEPHC_ENOENT && !path) {
		/* Nothing found by the default search: not an error, mon_host
		 * may still come from options. */
		c->conf_read = true;
		return 0;
	}
	if (r) {
		set_errmsg(c, "%s", cephc_conf_last_error(c->conf));
		return r;
	}
	c->conf_read = true;
	return 0;
}

int cephc_cluster_conf_set(cephc_cluster *c, const char *option,
			   const char *value)
{
	if (c->connected)
		return CEPHC_EISCONN;
	return cephc_conf_set(c->conf, option, value);
}

int cephc_cluster_conf_parse_argv(cephc_cluster *c, int argc, char **argv,
				  int *remaining)
{
	return cephc_conf_parse_argv(c->conf, argc, argv, remaining);
}

char *cephc_cluster_conf_get(cephc_cluster *c, const char *option)
{
	char *v = NULL;

	if (cephc_conf_get_str(c->conf, option, &v))
		return NULL;
	return v;
}

/* The options behind CEPHC_TIMEOUT_*, as librados names them. */
static const char *const timeout_options[3] = {
    "client_mount_timeout",
    "rados_mon_op_timeout",
    "rados_osd_op_timeout",
};

static void apply_timeout(struct cephc_cluster *c, int kind, uint32_t ms)
{
	struct cephc_osdc *osdc;

	atomic_store(&c->timeouts[kind], ms);
	if (kind == CEPHC_TIMEOUT_OSD_OP && (osdc = atomic_load(&c->osdc)))
		cephc_osdc_set_op_timeout(osdc, ms);
}

int cephc_cluster_set_timeout_of(cephc_cluster *c, int kind,
				 uint32_t timeout_ms)
{
	if (kind < 0 || kind > 2)
		return CEPHC_EINVAL;
	atomic_fetch_or(&c->timeouts_api, 1u << kind);
	apply_timeout(c, kind, timeout_ms);
	return 0;
}

void cephc_cluster_set_timeout(cephc_cluster *c, uint32_t timeout_ms)
{
	for (int k = 0; k < 3; k++)
		cephc_cluster_set_timeout_of(c, k, timeout_ms);
}

uint32_t cephc_cluster_get_timeout(cephc_cluster *c, int kind)
{
	if (kind < 0 || kind > 2)
		return CEPHC_CLUSTER_TIMEOUT_DEFAULT_MS;
	return atomic_load(&c->timeouts[kind]);
}

/*
 * At connect: each timeout not set through the API takes the option's
 * value when the configuration sets it at any level (0 = none, as in
 * librados), else keeps cephc's bounded default.
 */
static int resolve_timeouts(struct cephc_cluster *c)
{
	uint32_t api = atomic_load(&c->timeouts_api);

	for (int k = 0; k < 3; k++) {
		const char *opt = timeout_options[k];
		uint64_t ms;

		if (api & (1u << k) ||
		    cephc_conf_level_of(c->conf, opt) <= CEPHC_CONF_DEFAULT)
			continue;
		if (cephc_conf_get_duration_ms(c->conf, opt, 0, &ms)) {
			set_errmsg(c, "bad value for %s: '%s' (seconds)", opt,
				   cephc_conf_get_raw(c->conf, opt));
			return CEPHC_EINVAL;
		}
		apply_timeout(c, k,
			      ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms);
	}
	return 0;
}

/* ---- who drives the event loop ------------------------------------------ */

int cephc_cluster_set_loop_mode(cephc_cluster *c, int mode)
{
	if (mode != CEPHC_LOOP_OWN_THREAD && mode != CEPHC_LOOP_CALLER_DRIVEN)
		return CEPHC_EINVAL;
	if (c->loop)
		return CEPHC_EISCONN;
	c->caller_driven = mode == CEPHC_LOOP_CALLER_DRIVEN;
	return 0;
}

int cephc_cluster_event_fd(cephc_cluster *c)
{
	return c->loop ? cephc_loop_fd(c->loop) : CEPHC_ENOTCONN;
}

int cephc_cluster_next_timeout_ms(cephc_cluster *c)
{
	if (!c->loop)
		return CEPHC_ENOTCONN;
	return cephc_loop_timeout_ms(c->loop);
}

int cephc_cluster_process(cephc_cluster *c, int timeout_ms)
{
	int r;

	if (!c->loop)
		return CEPHC_ENOTCONN;
	if (cephc_loop_in_driver(c->loop))
		return CEPHC_EDEADLK;
	r = cephc_loop_process(c->loop, timeout_ms);
	return r < 0 ? r : 0;
}

const char *cephc_cluster_last_error(cephc_cluster *c)
{
	return c->errmsg;
}

/* ---- driver-context callbacks -------------------------------------------- */

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
 * applied, take the newest full map that is newer than ours.
 */
static void on_osdmap(void *arg, struct cephc_msg *msg)
{
	struct cephc_cluster *c = arg;
	struct cephc_osdmap_msg m;
	struct cephc_dec d;
	uint32_t have;
	bool applied = false;

	dec_init(&d, msg->front, msg->front_len);
	if (cephc_osdmap_msg_decode(&d, &m)) {
		log_warn(SUBSYS, "malformed MOSDMap ignored: %s",
			 cephc_strerror(d.err));
		cephc_osdmap_msg_release(&m);
		return;
	}
	pthread_mutex_lock(&c->lock);
	if (c->have_fsid && memcmp(m.fsid, c->fsid, 16)) {
		pthread_mutex_unlock(&c->lock);
		log_error(SUBSYS, "MOSDMap for another cluster ignored");
		cephc_osdmap_msg_release(&m);
		return;
	}
	have = c->osdmap ? c->osdmap->epoch : 0;
	for (uint32_t i = 0; c->osdmap && i < m.num_incs; i++) {
		if (m.incs[i].epoch != c->osdmap->epoch + 1)
			continue;
		int r = cephc_osdmap_apply_incremental(
		    &c->osdmap, m.incs[i].data, m.incs[i].len);
		if (r) {
			log_warn(SUBSYS,
				 "incremental osdmap e%u not applied: %s",
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
				log_warn(SUBSYS,
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
		cephc_client_osdmap_changed(c);
}

void cephc_client_handle_osdmap_msg(struct cephc_cluster *c,
				    struct cephc_msg *msg)
{
	on_osdmap(c, msg);
}

/* ---- connect ------------------------------------------------------------- */

struct start_args {
	struct cephc_cluster *c;
	struct cephc_monc_params mp;
	int ret;
};

static void start_monc(void *arg)
{
	struct start_args *sa = arg;

	sa->ret = cephc_monc_create(&sa->mp, &sa->c->monc);
	if (sa->ret == 0)
		sa->ret = cephc_monc_start(sa->c->monc);
	if (sa->ret && sa->c->monc)
		set_errmsg(sa->c, "%s", cephc_monc_error(sa->c->monc));
}

static bool connect_done(struct cephc_cluster *c, void *arg)
{
	(void)arg;
	return c->session_err || (c->session_up && c->osdmap);
}

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
			set_errmsg(c, "no key for %s: %s",
				   cephc_conf_name(c->conf),
				   cephc_conf_last_error(c->conf));
			return n;
		}
		if (n >= 0) {
			int r =
			    cephc_crypto_key_from_bytes(&key, raw, (size_t)n);
			memset(raw, 0, sizeof(raw));
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

int cephc_cluster_connect(cephc_cluster *c)
{
	struct cephc_conf_monlist ml = {0};
	struct cephc_entity_addr *addrs = NULL;
	const char **names = NULL;
	struct cephc_msgr_opts mo;
	struct start_args sa = {0};
	uint64_t deadline;
	int r;

	if (c->connected || c->loop)
		return CEPHC_EISCONN;
	c->errmsg[0] = '\0';
	if (!c->conf_read && (r = cephc_cluster_conf_read_file(c, NULL)))
		return r;
	if ((r = resolve_timeouts(c)))
		return r;
	r = cephc_conf_get_mons(c->conf, &ml);
	if (r) {
		set_errmsg(c, "no monitors: %s",
			   cephc_conf_last_error(c->conf));
		return r;
	}
	/* msgr v1 for now: dial each monitor's v1 (or typeless) address */
	addrs = cephc_malloc_array(ml.count, sizeof(*addrs));
	names = cephc_calloc(ml.count ? ml.count : 1, sizeof(*names));
	uint32_t n = 0;
	for (uint32_t i = 0; addrs && names && i < ml.count; i++) {
		const struct cephc_entity_addr *a = cephc_addrvec_pick(
		    ml.mons[i].addrs, ml.mons[i].naddrs, CEPHC_ADDR_LEGACY);
		if (a) {
			names[n] = ml.mons[i].name;
			addrs[n++] = *a;
		}
	}
	if (!addrs || !names || n == 0) {
		r = addrs && names ? CEPHC_EINVAL : CEPHC_ENOMEM;
		cephc_conf_monlist_free(&ml);
		cephc_free(names);
		cephc_free(addrs);
		set_errmsg(c, "%s",
			   r == CEPHC_EINVAL
			       ? "mon_host lists no msgr v1 address"
			       : cephc_strerror(r));
		return r;
	}
	r = build_auth(c);
	if (r)
		goto fail;
	cephc_msgr_opts_default(&mo);
	if ((r = cephc_loop_create(&c->loop)) ||
	    (r = cephc_msgr_create(c->loop, &mo, CEPHC_ENTITY_CLIENT,
				   &c->msgr)) ||
	    (!c->caller_driven && (r = cephc_loop_start(c->loop)))) {
		set_errmsg(c, "cannot start the messenger: %s",
			   cephc_strerror(r));
		goto fail;
	}
	sa.c = c;
	sa.mp.msgr = c->msgr;
	sa.mp.auth = c->auth;
	sa.mp.mons = addrs;
	sa.mp.mon_names = names;
	sa.mp.num_mons = n;
	sa.mp.on_session = on_session;
	sa.mp.on_monmap = on_monmap;
	sa.mp.on_osdmap = on_osdmap;
	sa.mp.arg = c;
	deadline = cephc_client_deadline(c, CEPHC_TIMEOUT_CONNECT);
	cephc_client_call(c, start_monc, &sa);
	cephc_free(addrs);
	cephc_free(names);
	cephc_conf_monlist_free(&ml);
	addrs = NULL;
	names = NULL;
	if ((r = sa.ret))
		goto fail;

	pthread_mutex_lock(&c->lock);
	r = cephc_client_wait(c, connect_done, NULL, deadline);
	if (r == 0 && c->session_err)
		r = c->session_err;
	bool have_session = c->session_up;
	pthread_mutex_unlock(&c->lock);
	if (r == CEPHC_ETIMEDOUT)
		connect_timeout_message(c, have_session);
	if (r)
		goto fail;
	c->connected = true;
	return 0;

fail:
	cephc_free(addrs);
	cephc_free(names);
	cephc_conf_monlist_free(&ml);
	if (!c->errmsg[0])
		set_errmsg(c, "%s", cephc_strerror(r));
	return r;
}

/* ---- queries ------------------------------------------------------------- */

int cephc_cluster_fsid(cephc_cluster *c, char out[37])
{
	int r = CEPHC_ENOTCONN;

	pthread_mutex_lock(&c->lock);
	if (c->have_fsid) {
		cephc_fsid_format(c->fsid, out);
		r = 0;
	}
	pthread_mutex_unlock(&c->lock);
	return r;
}

uint64_t cephc_cluster_instance_id(cephc_cluster *c)
{
	uint64_t id;

	pthread_mutex_lock(&c->lock);
	id = c->global_id;
	pthread_mutex_unlock(&c->lock);
	return id;
}

uint32_t cephc_cluster_monmap_epoch(cephc_cluster *c)
{
	uint32_t e;

	pthread_mutex_lock(&c->lock);
	e = c->monmap_epoch;
	pthread_mutex_unlock(&c->lock);
	return e;
}

uint32_t cephc_cluster_osdmap_epoch(cephc_cluster *c)
{
	uint32_t e;

	pthread_mutex_lock(&c->lock);
	e = c->osdmap ? c->osdmap->epoch : 0;
	pthread_mutex_unlock(&c->lock);
	return e;
}

/* ---- generic monitor requests ------------------------------------------- */

struct mon_req {
	struct cephc_cluster *c;
	const char *json; /* command, or NULL for get_version */
	const char *what;
	const void *in;
	size_t inlen;
	uint32_t timeout_ms;
	/* results */
	bool done;
	int ret;
	char *outbuf, *outs;
	size_t outlen, outslen;
	uint64_t newest;
};

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

static void mon_req_done(void *arg, int err, struct cephc_msg *reply)
{
	struct mon_req *mr = arg;

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
	struct mon_req *mr = arg;
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
	return ((struct mon_req *)arg)->done;
}

/* The mon client enforces the timeout, so the wait itself needs none. */
static int mon_req_run(struct cephc_cluster *c, struct mon_req *mr)
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

int cephc_cluster_mon_command(cephc_cluster *c, const char *json,
			      const void *inbuf, size_t inlen, char **outbuf,
			      size_t *outlen, char **outs, size_t *outslen)
{
	struct mon_req mr = {.json = json, .in = inbuf, .inlen = inlen};
	int r = mon_req_run(c, &mr);

	if (r == CEPHC_ETIMEDOUT)
		set_errmsg(c, "mon command timed out after %u ms",
			   mr.timeout_ms);
	if (outbuf)
		*outbuf = mr.outbuf;
	else
		cephc_free(mr.outbuf);
	if (outlen)
		*outlen = mr.outlen;
	if (outs)
		*outs = mr.outs;
	else
		cephc_free(mr.outs);
	if (outslen)
		*outslen = mr.outslen;
	return r;
}

struct epoch_wait {
	uint32_t epoch;
};

static bool have_epoch(struct cephc_cluster *c, void *arg)
{
	return c->osdmap &&
	       c->osdmap->epoch >= ((struct epoch_wait *)arg)->epoch;
}

int cephc_cluster_wait_for_latest_osdmap(cephc_cluster *c)
{
	struct mon_req mr = {.what = "osdmap"};
	uint64_t deadline = cephc_client_deadline(c, CEPHC_TIMEOUT_MON_OP);
	int r = mon_req_run(c, &mr);

	if (r)
		return r;
	struct epoch_wait ew = {(uint32_t)mr.newest};
	pthread_mutex_lock(&c->lock);
	r = cephc_client_wait(c, have_epoch, &ew, deadline);
	pthread_mutex_unlock(&c->lock);
	return r;
}

/* ---- teardown ------------------------------------------------------------ */

static void stop_monc(void *arg)
{
	struct cephc_cluster *c = arg;

	cephc_client_osdc_stop(c);
	cephc_monc_destroy(c->monc);
	c->monc = NULL;
}

void cephc_cluster_destroy(cephc_cluster *c)
{
	if (!c)
		return;
	if (c->loop) {
		if (c->monc)
			cephc_client_call(c, stop_monc, c);
		cephc_loop_stop(c->loop);
	}
	if (c->msgr)
		cephc_msgr_destroy(c->msgr);
	if (c->loop)
		cephc_loop_destroy(c->loop);
	cephc_auth_destroy(c->auth);
	cephc_osdmap_free(c->osdmap);
	cephc_conf_destroy(c->conf);
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->errlock);
	cephc_free(c);
}

void cephc_buffer_free(void *p)
{
	cephc_free(p);
}

/* ---- cluster view ------------------------------------------------------- */

int cephc_cluster_pool_list(cephc_cluster *c, struct cephc_pool_info **pools,
			    size_t *count)
{
	struct cephc_pool_info *v = NULL;
	size_t n = 0;

	*pools = NULL;
	*count = 0;
	pthread_mutex_lock(&c->lock);
	if (!c->osdmap) {
		pthread_mutex_unlock(&c->lock);
		return CEPHC_ENOTCONN;
	}
	n = c->osdmap->n_pools;
	v = cephc_calloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; v && i < n; i++) {
		const struct cephc_pg_pool *p = &c->osdmap->pools[i];
		v[i].id = p->id;
		snprintf(v[i].name, sizeof(v[i].name), "%s",
			 p->name ? p->name : "");
		v[i].type = p->type;
		v[i].size = p->size;
		v[i].min_size = p->min_size;
		v[i].pg_num = p->pg_num;
		v[i].pgp_num = p->pgp_num;
		v[i].crush_rule = p->crush_rule;
	}
	pthread_mutex_unlock(&c->lock);
	if (!v)
		return CEPHC_ENOMEM;
	*pools = v;
	*count = n;
	return 0;
}

int64_t cephc_cluster_pool_lookup(cephc_cluster *c, const char *name)
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

int cephc_cluster_osd_summary(cephc_cluster *c, struct cephc_osd_summary *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&c->lock);
	if (!c->osdmap) {
		pthread_mutex_unlock(&c->lock);
		return CEPHC_ENOTCONN;
	}
	s->epoch = c->osdmap->epoch;
	s->flags = c->osdmap->flags;
	for (uint32_t i = 0; i < c->osdmap->max_osd; i++) {
		if (!cephc_osdmap_osd_exists(c->osdmap, (int)i))
			continue;
		s->num_osds++;
		if (cephc_osdmap_osd_up(c->osdmap, (int)i))
			s->num_up++;
		if (c->osdmap->osd_weight[i])
			s->num_in++;
	}
	pthread_mutex_unlock(&c->lock);
	return 0;
}

struct mon_list_args {
	struct cephc_cluster *c;
	struct cephc_mon_entry *v;
	size_t n;
	int current;
	int ret;
};

/* The monmap lives in the mon client: copy it out in driver context. */
static void mon_list_fn(void *arg)
{
	struct mon_list_args *a = arg;
	const struct cephc_monmap *mm =
	    a->c->monc ? cephc_monc_monmap(a->c->monc) : NULL;

	if (!mm) {
		a->ret = CEPHC_ENOTCONN;
		return;
	}
	a->v = cephc_calloc(mm->num_mons ? mm->num_mons : 1, sizeof(*a->v));
	if (!a->v) {
		a->ret = CEPHC_ENOMEM;
		return;
	}
	a->n = mm->num_mons;
	a->current = -1;
	const struct cephc_entity_addr *cur =
	    cephc_monc_current_addr(a->c->monc);
	for (uint32_t i = 0; i < mm->num_mons; i++) {
		const struct cephc_mon_info *mi = &mm->mons[i];
		size_t off = 0;
		snprintf(a->v[i].name, sizeof(a->v[i].name), "%s", mi->name);
		a->v[i].addrs[off++] = '[';
		for (uint32_t k = 0; k < mi->num_addrs; k++) {
			if (k)
				a->v[i].addrs[off++] = ',';
			int w = cephc_addr_format(
			    &mi->addrs[k], a->v[i].addrs + off,
			    sizeof(a->v[i].addrs) - off - 2);
			if (w > 0)
				off += (size_t)w;
			if (off > sizeof(a->v[i].addrs) - 3)
				off = sizeof(a->v[i].addrs) - 3;
			if (cur && cephc_addr_equal(&mi->addrs[k], cur))
				a->current = (int)i;
		}
		a->v[i].addrs[off++] = ']';
		a->v[i].addrs[off] = '\0';
	}
}

int cephc_cluster_mon_list(cephc_cluster *c, struct cephc_mon_entry **mons,
			   size_t *count, int *current)
{
	struct mon_list_args a = {.c = c};

	*mons = NULL;
	*count = 0;
	if (!c->connected)
		return CEPHC_ENOTCONN;
	cephc_client_call(c, mon_list_fn, &a);
	if (a.ret)
		return a.ret;
	*mons = a.v;
	*count = a.n;
	if (current)
		*current = a.current;
	return 0;
}

int cephc_cluster_osd_map_text(cephc_cluster *c, const char *pool,
			       const char *obj, const char *nspace, int json,
			       char *buf, size_t len)
{
	int r;

	pthread_mutex_lock(&c->lock);
	if (!c->osdmap) {
		pthread_mutex_unlock(&c->lock);
		return CEPHC_ENOTCONN;
	}
	const struct cephc_pg_pool *p =
	    cephc_osdmap_pool_by_name(c->osdmap, pool);
	r = p ? cephc_osdmap_format_object_map(c->osdmap, p->id, obj, nspace,
					       json != 0, buf, len)
	      : CEPHC_ENOENT;
	pthread_mutex_unlock(&c->lock);
	return r;
}
