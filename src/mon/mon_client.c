/* SPDX-License-Identifier: MIT */
#include "mon/mon_client.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "core/alloc.h"
#include "core/log.h"

#define SUBSYS "mon"

enum monc_state {
	MONC_IDLE = 0,
	MONC_HUNTING,        /* dialling; no messenger session yet */
	MONC_AUTHENTICATING, /* session up, auth handshake running */
	MONC_OPEN,           /* authenticated and subscribed */
	MONC_FAILED,         /* auth refused; stays until destroyed */
};

struct cephc_monc_request {
	struct cephc_monc_request *next;
	uint64_t tid;
	struct cephc_msg *msg; /* our reference, kept for resends */
	uint64_t deadline_ns;  /* 0: none */
	cephc_monc_done_fn done;
	void *arg;
};

struct hunt_attempt {
	struct cephc_conn *con;
	int mon; /* index into the candidate list */
};

/* The last fault of one monitor address, for error messages. */
struct mon_cause {
	struct cephc_entity_addr addr;
	uint64_t when_ns; /* 0: unused slot */
	char text[CEPHC_MONC_CAUSE_MAX];
};

struct cephc_monc {
	struct cephc_monc_params p;
	enum monc_state state;

	/* Candidates: the monmap's mons once we have one, else mon_host. */
	struct cephc_entity_addr *cand;
	uint32_t num_cand;
	struct cephc_monmap *monmap; /* NULL until the first MMonMap */

	struct hunt_attempt hunt[CEPHC_MONC_HUNT_PARALLEL * 2];
	uint32_t num_hunt;
	uint32_t hunt_mult;
	bool had_session;
	/* Backoff after faults of established sessions (see the header). */
	uint32_t fault_streak;
	uint64_t open_since_ns; /* the session is OPEN since (0: it is not) */
	bool redial_pending;    /* hunt_timer dials when it fires */
	uint64_t dials;
	struct cephc_log_ratelimit warn_rl;
	struct cephc_timer hunt_timer;
	struct cephc_timer tick_timer;

	struct cephc_conn *cur; /* the session's connection */
	int cur_mon;
	bool auth_in_flight; /* a renewal MAuth awaits its reply */
	bool reclaiming; /* this handshake's hello named our old global_id */

	uint32_t osdmap_have;
	uint32_t monmap_have;

	uint64_t last_tid;
	struct cephc_monc_request *reqs; /* pending, in tid order */

	struct cephc_auth_buf abuf;
	char err[CEPHC_MONC_ERRMSG_MAX];

	/* names of the initial monitors (mon_host), parallel to p.mons */
	struct cephc_entity_addr *init_addrs;
	char (*init_names)[48];
	struct mon_cause causes[CEPHC_MONC_CAUSES];
};

static const struct cephc_conn_ops monc_conn_ops;

static uint64_t now_ms(void)
{
	return cephc_now_ns() / 1000000u;
}

static uint32_t rand_u32(void)
{
	uint32_t v;

	if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
		v = (uint32_t)cephc_now_ns();
	return v;
}

static struct cephc_loop *monc_loop(struct cephc_monc *monc)
{
	return cephc_msgr_loop(monc->p.msgr);
}

/* ---- fault causes ------------------------------------------------------ */

/* Remember why the monitor at addr failed (the newest cause wins; the
 * oldest address makes room). */
static void note_cause(struct cephc_monc *monc,
		       const struct cephc_entity_addr *addr, const char *fmt,
		       ...) __attribute__((format(printf, 3, 4)));
static void note_cause(struct cephc_monc *monc,
		       const struct cephc_entity_addr *addr, const char *fmt,
		       ...)
{
	struct mon_cause *slot = NULL;
	va_list ap;

	for (int i = 0; i < CEPHC_MONC_CAUSES; i++) {
		struct mon_cause *c = &monc->causes[i];
		if (c->when_ns && cephc_addr_equal(&c->addr, addr)) {
			slot = c;
			break;
		}
		if (!slot || c->when_ns < slot->when_ns)
			slot = c;
	}
	slot->addr = *addr;
	slot->when_ns = cephc_now_ns();
	va_start(ap, fmt);
	vsnprintf(slot->text, sizeof(slot->text), fmt, ap);
	va_end(ap);
}

/* The name a monitor goes by: from the monmap, else from mon_host unless
 * it is an invented "noname-*" one.  NULL when there is none. */
static const char *mon_name_of(const struct cephc_monc *monc,
			       const struct cephc_entity_addr *addr)
{
	if (monc->monmap) {
		for (uint32_t i = 0; i < monc->monmap->num_mons; i++) {
			const struct cephc_mon_info *mi =
			    &monc->monmap->mons[i];
			for (uint32_t k = 0; k < mi->num_addrs; k++)
				if (cephc_addr_equal(&mi->addrs[k], addr))
					return mi->name;
		}
	}
	for (uint32_t i = 0; monc->init_names && i < monc->p.num_mons; i++)
		if (cephc_addr_equal(&monc->init_addrs[i], addr) &&
		    monc->init_names[i][0] &&
		    strncmp(monc->init_names[i], "noname", 6) != 0)
			return monc->init_names[i];
	return NULL;
}

size_t cephc_monc_describe_faults(const struct cephc_monc *monc, char *buf,
				  size_t len)
{
	size_t off = 0;

	if (!len)
		return 0;
	buf[0] = '\0';
	for (int i = 0; i < CEPHC_MONC_CAUSES && off < len; i++) {
		const struct mon_cause *c = &monc->causes[i];
		const char *name;
		char a[96];
		int w;

		if (!c->when_ns)
			continue;
		cephc_addr_format_hostport(&c->addr, a, sizeof(a));
		name = mon_name_of(monc, &c->addr);
		w = snprintf(buf + off, len - off, "%smon%s%s %s: %s",
			     off ? "; " : "", name ? "." : "", name ? name : "",
			     a, c->text);
		if (w < 0)
			break;
		off += (size_t)w;
	}
	return off < len ? off : len - 1;
}

uint64_t cephc_monc_dials(const struct cephc_monc *monc)
{
	return monc->dials;
}

/* ---- sending --------------------------------------------------------- */

static int send_mauth(struct cephc_monc *monc, uint32_t protocol,
		      const struct cephc_auth_buf *b)
{
	size_t sz = cephc_mauth_size((uint32_t)b->len);
	struct cephc_msg *m = cephc_msg_new(CEPHC_MSG_AUTH, (uint32_t)sz);
	struct cephc_enc e;

	if (!m)
		return CEPHC_ENOMEM;
	enc_init(&e, m->front, sz);
	cephc_mauth_encode(&e, protocol, b->data, (uint32_t)b->len);
	m->front_len = (uint32_t)enc_len(&e);
	cephc_conn_send(monc->cur, m);
	return 0;
}

static void send_subscribe(struct cephc_monc *monc)
{
	struct cephc_mon_sub subs[2] = {
	    {"monmap", monc->monmap_have ? monc->monmap_have + 1 : 0, 0},
	    /* continuous: every new epoch is pushed to us */
	    {"osdmap", monc->osdmap_have ? monc->osdmap_have + 1 : 0, 0},
	};
	size_t sz = cephc_mon_subscribe_size(subs, 2);
	struct cephc_msg *m =
	    cephc_msg_new(CEPHC_MSG_MON_SUBSCRIBE, (uint32_t)sz);
	struct cephc_enc e;

	if (!m || !monc->cur) {
		if (m)
			cephc_msg_put(m);
		return;
	}
	m->hdr.version = 2; /* MMonSubscribe v2: (what, start, flags) items */
	enc_init(&e, m->front, sz);
	cephc_mon_subscribe_encode(&e, subs, 2);
	m->front_len = (uint32_t)enc_len(&e);
	cephc_conn_send(monc->cur, m);
}

static void resend_requests(struct cephc_monc *monc)
{
	for (struct cephc_monc_request *r = monc->reqs; r; r = r->next)
		cephc_conn_send(monc->cur, cephc_msg_get(r->msg));
}

/* ---- hunting ----------------------------------------------------------- */

static void drop_attempts(struct cephc_monc *monc, struct cephc_conn *keep)
{
	for (uint32_t i = 0; i < monc->num_hunt; i++)
		if (monc->hunt[i].con != keep)
			cephc_conn_destroy(monc->hunt[i].con);
	monc->num_hunt = 0;
}

static void close_session(struct cephc_monc *monc)
{
	if (monc->cur) {
		cephc_conn_destroy(monc->cur);
		monc->cur = NULL;
	}
	monc->auth_in_flight = false;
}

static uint32_t hunt_interval_ms(const struct cephc_monc *monc)
{
	return monc->p.hunt_interval_ms * monc->hunt_mult;
}

/* Dial up to hunt_parallel candidates, starting at a random one and
 * skipping the monitor whose session just failed (when others exist). */
static void open_hunt(struct cephc_monc *monc)
{
	uint32_t want = monc->p.hunt_parallel;
	uint32_t start = monc->num_cand ? rand_u32() % monc->num_cand : 0;

	drop_attempts(monc, NULL);
	close_session(monc);
	monc->state = MONC_HUNTING;
	if (want > monc->num_cand)
		want = monc->num_cand;
	for (uint32_t k = 0; k < monc->num_cand && monc->num_hunt < want; k++) {
		uint32_t i = (start + k) % monc->num_cand;
		if (monc->num_cand > 1 && (int)i == monc->cur_mon)
			continue;
		struct cephc_conn *con =
		    cephc_conn_create(monc->p.msgr, &monc_conn_ops, monc);
		if (!con)
			break;
		if (cephc_conn_open(con, &monc->cand[i], CEPHC_ENTITY_MON)) {
			cephc_conn_destroy(con);
			continue;
		}
		char a[96];
		cephc_addr_format(&monc->cand[i], a, sizeof(a));
		log_debug(SUBSYS, "hunting: dialling mon %u at %s", i, a);
		monc->dials++;
		monc->hunt[monc->num_hunt].con = con;
		monc->hunt[monc->num_hunt].mon = (int)i;
		monc->num_hunt++;
	}
	/* The failed monitor sits out one round only: if it is the only
	 * one alive, the next round dials it again. */
	monc->cur_mon = -1;
	cephc_timer_arm(monc_loop(monc), &monc->hunt_timer,
			cephc_now_ns() +
			    (uint64_t)hunt_interval_ms(monc) * 1000000u);
}

static void rehunt(struct cephc_monc *monc)
{
	if (monc->state == MONC_FAILED)
		return;
	monc->redial_pending = false;
	monc->open_since_ns = 0;
	if (monc->had_session || monc->state != MONC_OPEN) {
		monc->hunt_mult *= 2;
		if (monc->hunt_mult > monc->p.hunt_max_mult)
			monc->hunt_mult = monc->p.hunt_max_mult;
	}
	open_hunt(monc);
}

/*
 * The session (or the handshake on it) failed after the messenger's READY:
 * hunt again, at once if the session had been healthy, else after a
 * growing delay (see the header).  Without the delay a monitor that
 * answers READY and then sends garbage is redialled in a tight loop.
 */
static void session_failed(struct cephc_monc *monc)
{
	uint64_t now = cephc_now_ns();
	uint64_t base = monc->p.hunt_interval_ms, delay;
	uint64_t cap = base * monc->p.hunt_max_mult;

	if (monc->state == MONC_FAILED)
		return;
	/* healthy: up for as long as the longest backoff */
	if (monc->open_since_ns && now - monc->open_since_ns >= cap * 1000000u)
		monc->fault_streak = 0;
	monc->fault_streak++;
	if (monc->fault_streak <= 1) {
		rehunt(monc);
		return;
	}
	delay = monc->fault_streak - 2 >= 16 ? cap
					     : base << (monc->fault_streak - 2);
	if (delay > cap)
		delay = cap;
	/* jitter: 3/4 to 5/4 of the delay */
	delay = delay * 3 / 4 + rand_u32() % (delay / 2 + 1);
	drop_attempts(monc, NULL);
	close_session(monc);
	monc->open_since_ns = 0;
	monc->state = MONC_HUNTING;
	monc->redial_pending = true;
	log_debug(SUBSYS, "fault %u in a row; hunting again in %llu ms",
		  monc->fault_streak, (unsigned long long)delay);
	cephc_timer_arm(monc_loop(monc), &monc->hunt_timer,
			now + delay * 1000000u);
}

static void hunt_timer_cb(struct cephc_timer *t)
{
	struct cephc_monc *monc =
	    (struct cephc_monc *)((char *)t -
				  offsetof(struct cephc_monc, hunt_timer));

	if (monc->redial_pending) {
		rehunt(monc);
		return;
	}
	if (monc->state == MONC_HUNTING || monc->state == MONC_AUTHENTICATING) {
		for (uint32_t i = 0; i < monc->num_hunt; i++)
			note_cause(monc, &monc->cand[monc->hunt[i].mon],
				   "no answer within %u ms",
				   hunt_interval_ms(monc));
		if (monc->state == MONC_AUTHENTICATING && monc->cur)
			note_cause(monc, cephc_conn_peer_addr(monc->cur),
				   "no authentication reply within %u ms",
				   hunt_interval_ms(monc));
		log_info(SUBSYS,
			 "no monitor session after %u ms; hunting "
			 "again",
			 hunt_interval_ms(monc));
		rehunt(monc);
	}
}

/* ---- requests ----------------------------------------------------------- */

static void finish_request(struct cephc_monc *monc,
			   struct cephc_monc_request *r, int err,
			   struct cephc_msg *reply)
{
	struct cephc_monc_request **pp = &monc->reqs;

	while (*pp && *pp != r)
		pp = &(*pp)->next;
	if (*pp)
		*pp = r->next;
	r->done(r->arg, err, reply);
	cephc_msg_put(r->msg);
	cephc_free(r);
}

static struct cephc_monc_request *find_request(struct cephc_monc *monc,
					       uint64_t tid)
{
	for (struct cephc_monc_request *r = monc->reqs; r; r = r->next)
		if (r->tid == tid)
			return r;
	return NULL;
}

static int submit_request(struct cephc_monc *monc, struct cephc_msg *m,
			  uint32_t timeout_ms, cephc_monc_done_fn done,
			  void *arg)
{
	struct cephc_monc_request *r = cephc_calloc(1, sizeof(*r));
	struct cephc_monc_request **pp = &monc->reqs;

	if (!r) {
		cephc_msg_put(m);
		return CEPHC_ENOMEM;
	}
	r->tid = m->hdr.tid;
	r->msg = m;
	r->done = done;
	r->arg = arg;
	if (timeout_ms)
		r->deadline_ns =
		    cephc_now_ns() + (uint64_t)timeout_ms * 1000000u;
	while (*pp)
		pp = &(*pp)->next;
	*pp = r;
	/* its deadline may come before the next tick */
	if (r->deadline_ns && monc->tick_timer.armed &&
	    r->deadline_ns < monc->tick_timer.deadline_ns)
		cephc_timer_arm(monc_loop(monc), &monc->tick_timer,
				r->deadline_ns);
	/* Sent now when a session is open, else on the next session. */
	if (monc->state == MONC_OPEN)
		cephc_conn_send(monc->cur, cephc_msg_get(m));
	return 0;
}

int cephc_monc_command(struct cephc_monc *monc, const char *json,
		       const void *in, size_t inlen, uint32_t timeout_ms,
		       cephc_monc_done_fn done, void *arg)
{
	static const uint8_t zero_fsid[16];
	size_t sz = cephc_mon_command_size(json);
	struct cephc_msg *m;
	struct cephc_enc e;

	if (sz > CEPHC_MSG_FRONT_MAX || inlen > CEPHC_MSG_DATA_MAX)
		return CEPHC_E2BIG;
	m = cephc_msg_new(CEPHC_MSG_MON_COMMAND, (uint32_t)sz);
	if (!m)
		return CEPHC_ENOMEM;
	m->hdr.tid = ++monc->last_tid;
	enc_init(&e, m->front, sz);
	cephc_mon_command_encode(
	    &e, monc->monmap ? monc->monmap->fsid : zero_fsid, json);
	m->front_len = (uint32_t)enc_len(&e);
	if (inlen) {
		/* The caller's input may go away after this call: copy it
		 * into a pagelist the message owns. */
		struct cephc_pagelist pl;
		cephc_pagelist_init(&pl);
		cephc_pagelist_append(&pl, in, inlen);
		if (cephc_msg_data_add_pagelist(&m->data, &pl)) {
			cephc_msg_put(m);
			return CEPHC_ENOMEM;
		}
	}
	return submit_request(monc, m, timeout_ms, done, arg);
}

int cephc_monc_get_version(struct cephc_monc *monc, const char *what,
			   uint32_t timeout_ms, cephc_monc_done_fn done,
			   void *arg)
{
	size_t sz = cephc_mon_get_version_size(what);
	struct cephc_msg *m =
	    cephc_msg_new(CEPHC_MSG_MON_GET_VERSION, (uint32_t)sz);
	struct cephc_enc e;

	if (!m)
		return CEPHC_ENOMEM;
	m->hdr.tid = ++monc->last_tid;
	enc_init(&e, m->front, sz);
	/* the handle is the tid; the reply echoes it in its header too */
	cephc_mon_get_version_encode(&e, m->hdr.tid, what);
	m->front_len = (uint32_t)enc_len(&e);
	return submit_request(monc, m, timeout_ms, done, arg);
}

/* ---- periodic work: renewals and request deadlines --------------------- */

/* The next tick: in a second, or at the first request deadline before
 * that, so a mon op timeout ends on time, not up to a tick late. */
static uint64_t next_tick_ns(const struct cephc_monc *monc, uint64_t now)
{
	uint64_t next = now + (uint64_t)CEPHC_MONC_TICK_MS * 1000000u;

	for (const struct cephc_monc_request *r = monc->reqs; r; r = r->next)
		if (r->deadline_ns && r->deadline_ns < next)
			next = r->deadline_ns;
	return next;
}

static void tick_cb(struct cephc_timer *t)
{
	struct cephc_monc *monc =
	    (struct cephc_monc *)((char *)t -
				  offsetof(struct cephc_monc, tick_timer));
	uint64_t now = cephc_now_ns();

	/* Expire requests past their deadline. */
	for (struct cephc_monc_request *r = monc->reqs, *next; r; r = next) {
		next = r->next;
		if (r->deadline_ns && now >= r->deadline_ns)
			finish_request(monc, r, CEPHC_ETIMEDOUT, NULL);
	}
	/* Renew tickets on the established session before they expire. */
	if (monc->state == MONC_OPEN && !monc->auth_in_flight &&
	    cephc_auth_should_authenticate(monc->p.auth, now_ms())) {
		cephc_auth_buf_reset(&monc->abuf);
		if (cephc_auth_build_request(monc->p.auth, now_ms(),
					     &monc->abuf) == 0 &&
		    monc->abuf.len) {
			log_debug(SUBSYS, "renewing tickets");
			if (send_mauth(monc, cephc_auth_protocol(monc->p.auth),
				       &monc->abuf) == 0)
				monc->auth_in_flight = true;
		}
	}
	if (monc->state != MONC_IDLE && monc->state != MONC_FAILED)
		cephc_timer_arm(monc_loop(monc), &monc->tick_timer,
				next_tick_ns(monc, now));
}

/* ---- incoming ------------------------------------------------------------ */

static void session_open(struct cephc_monc *monc)
{
	monc->state = MONC_OPEN;
	cephc_timer_cancel(monc_loop(monc), &monc->hunt_timer);
	/* a good session halves the hunt multiplier */
	monc->hunt_mult = monc->hunt_mult > 1 ? monc->hunt_mult / 2 : 1;
	monc->had_session = true;
	monc->open_since_ns = cephc_now_ns();
	monc->err[0] = '\0';
	cephc_msgr_set_entity_num(monc->p.msgr,
				  cephc_auth_global_id(monc->p.auth));
	char a[96];
	cephc_addr_format(cephc_conn_peer_addr(monc->cur), a, sizeof(a));
	log_info(SUBSYS, "session established with mon %d (%s) as client.%llu",
		 monc->cur_mon, a,
		 (unsigned long long)cephc_auth_global_id(monc->p.auth));
	send_subscribe(monc);
	resend_requests(monc);
	if (monc->p.on_session)
		monc->p.on_session(monc->p.arg, 0);
}

/*
 * A message from the monitor that does not decode: the session faults, as
 * Ceph's messenger faults a connection whose message fails to decode, and
 * takes the fault backoff (session_failed).  The warning is rate-limited:
 * a hostile peer can send thousands a second.
 */
void cephc_monc_malformed(struct cephc_monc *monc, const char *what, int err)
{
	uint32_t held;

	if (!monc->cur)
		return;
	if (cephc_log_ratelimit_pass(&monc->warn_rl, cephc_now_ns(), &held)) {
		if (held)
			log_warn(SUBSYS,
				 "%u more malformed messages from monitors "
				 "in the last %llu s",
				 held,
				 cephc_log_ratelimit_span_s(&monc->warn_rl));
		log_warn(SUBSYS, "malformed %s from the monitor: %s", what,
			 cephc_strerror(err));
	}
	note_cause(monc, cephc_conn_peer_addr(monc->cur), "malformed %s (%s)",
		   what, cephc_strerror(err));
	session_failed(monc);
}

static void handle_auth_reply(struct cephc_monc *monc, struct cephc_msg *msg)
{
	struct cephc_mauth_reply r;
	struct cephc_dec d;
	int ret;

	dec_init(&d, msg->front, msg->front_len);
	if (cephc_mauth_reply_decode(&d, &r)) {
		cephc_monc_malformed(monc, "MAuthReply", d.err);
		return;
	}
	monc->auth_in_flight = false;
	ret = cephc_auth_handle_reply(monc->p.auth, r.protocol, r.result,
				      r.global_id, r.payload, r.payload_len,
				      now_ms());
	if (ret == CEPHC_AUTH_MORE) {
		cephc_auth_buf_reset(&monc->abuf);
		ret = cephc_auth_build_request(monc->p.auth, now_ms(),
					       &monc->abuf);
		if (ret == 0)
			ret =
			    send_mauth(monc, cephc_auth_protocol(monc->p.auth),
				       &monc->abuf);
		if (ret == 0) {
			monc->auth_in_flight = monc->state == MONC_OPEN;
			return;
		}
	}
	if (ret == CEPHC_AUTH_DONE) {
		if (monc->state == MONC_AUTHENTICATING)
			session_open(monc);
		return;
	}
	/* Refused.  The monitor's own words explain why (e.g. a wrong key
	 * gives EACCES); another monitor would say the same, so stop. */
	snprintf(monc->err, sizeof(monc->err), "authentication failed: %s",
		 cephc_strerror(ret));
	if (r.result_msg_len) {
		size_t n = strlen(monc->err);
		snprintf(monc->err + n, sizeof(monc->err) - n, " (%.*s)",
			 (int)(r.result_msg_len > 120 ? 120 : r.result_msg_len),
			 r.result_msg);
	}
	log_info(SUBSYS, "%s", monc->err);
	if (monc->state == MONC_AUTHENTICATING && monc->reclaiming) {
		/* The refusal may be of the old identity, not of our key (a
		 * ticket too old to prove it): ask for a fresh one, once. */
		log_info(
		    SUBSYS,
		    "giving up global_id %llu; asking for a new "
		    "one",
		    (unsigned long long)cephc_auth_global_id(monc->p.auth));
		cephc_auth_forget_identity(monc->p.auth);
		monc->reclaiming = false;
		rehunt(monc);
		return;
	}
	if (monc->state == MONC_OPEN) {
		/* a renewal failed: the session still works until expiry;
		 * try again on a fresh session */
		session_failed(monc);
		return;
	}
	monc->state = MONC_FAILED;
	cephc_timer_cancel(monc_loop(monc), &monc->hunt_timer);
	close_session(monc);
	if (monc->p.on_session)
		monc->p.on_session(monc->p.arg, ret);
}

/* Use the monmap's monitors as hunting candidates from now on. */
static void take_monmap_candidates(struct cephc_monc *monc)
{
	const struct cephc_monmap *mm = monc->monmap;
	struct cephc_entity_addr *c;
	uint32_t n = 0;

	c = cephc_malloc_array(mm->num_mons ? mm->num_mons : 1, sizeof(*c));
	if (!c)
		return;
	for (uint32_t i = 0; i < mm->num_mons; i++) {
		const struct cephc_entity_addr *a =
		    cephc_addrvec_pick(mm->mons[i].addrs, mm->mons[i].num_addrs,
				       CEPHC_ADDR_LEGACY);
		if (a)
			c[n++] = *a;
	}
	if (n == 0) {
		cephc_free(c);
		return;
	}
	/* Keep cur_mon meaningful: find the session's peer in the new list. */
	const struct cephc_entity_addr *peer =
	    monc->cur ? cephc_conn_peer_addr(monc->cur) : NULL;
	monc->cur_mon = -1;
	for (uint32_t i = 0; peer && i < n; i++)
		if (cephc_addr_equal(&c[i], peer))
			monc->cur_mon = (int)i;
	cephc_free(monc->cand);
	monc->cand = c;
	monc->num_cand = n;
}

static void handle_monmap(struct cephc_monc *monc, struct cephc_msg *msg)
{
	struct cephc_monmap *mm = cephc_malloc(sizeof(*mm));
	struct cephc_dec d;

	if (!mm)
		return;
	dec_init(&d, msg->front, msg->front_len);
	if (cephc_monmap_msg_decode(&d, mm)) {
		cephc_free(mm);
		cephc_monc_malformed(monc, "monmap", d.err);
		return;
	}
	if (monc->monmap && memcmp(monc->monmap->fsid, mm->fsid, 16)) {
		log_error(SUBSYS, "monmap from another cluster (fsid "
				  "mismatch); ignored");
		cephc_free(mm);
		return;
	}
	/* v1 delivers an unsolicited copy after auth; keep the newest */
	if (monc->monmap && mm->epoch <= monc->monmap->epoch) {
		cephc_free(mm);
		return;
	}
	cephc_free(monc->monmap);
	monc->monmap = mm;
	monc->monmap_have = mm->epoch;
	take_monmap_candidates(monc);
	log_debug(SUBSYS, "monmap e%u with %u mons", mm->epoch, mm->num_mons);
	if (monc->p.on_monmap)
		monc->p.on_monmap(monc->p.arg, mm);
}

static void monc_dispatch(struct cephc_conn *con, struct cephc_msg *msg)
{
	struct cephc_monc *monc = cephc_conn_priv(con);
	struct cephc_monc_request *r;

	if (con != monc->cur) {
		cephc_msg_put(msg);
		return;
	}
	switch (msg->hdr.type) {
	case CEPHC_MSG_AUTH_REPLY:
		handle_auth_reply(monc, msg);
		break;
	case CEPHC_MSG_MON_MAP:
		handle_monmap(monc, msg);
		break;
	case CEPHC_MSG_OSD_MAP:
		if (monc->p.on_osdmap)
			monc->p.on_osdmap(monc->p.arg, msg);
		break;
	case CEPHC_MSG_MON_COMMAND_ACK:
	case CEPHC_MSG_MON_GET_VERSION_REPLY:
	case CEPHC_MSG_POOLOP_REPLY:
		r = find_request(monc, msg->hdr.tid);
		if (r)
			finish_request(monc, r, 0, msg);
		else
			log_debug(SUBSYS, "reply for unknown tid %llu",
				  (unsigned long long)msg->hdr.tid);
		break;
	case CEPHC_MSG_MON_SUBSCRIBE_ACK:
		break; /* only legacy monitors need renewals */
	default:
		log_debug(SUBSYS, "ignoring message type %u", msg->hdr.type);
	}
	cephc_msg_put(msg);
}

static void monc_connected(struct cephc_conn *con)
{
	struct cephc_monc *monc = cephc_conn_priv(con);
	int ret;

	if (monc->state != MONC_HUNTING)
		return;
	/* The first handshake to complete wins the hunt. */
	for (uint32_t i = 0; i < monc->num_hunt; i++)
		if (monc->hunt[i].con == con)
			monc->cur_mon = monc->hunt[i].mon;
	drop_attempts(monc, con);
	monc->cur = con;
	monc->state = MONC_AUTHENTICATING;
	cephc_auth_reset(monc->p.auth);
	cephc_auth_buf_reset(&monc->abuf);
	monc->reclaiming = cephc_auth_global_id(monc->p.auth) != 0;
	ret = cephc_auth_build_hello(monc->p.auth, &monc->abuf);
	if (ret == 0)
		ret = send_mauth(monc, CEPHC_AUTH_UNKNOWN, &monc->abuf);
	if (ret)
		session_failed(monc);
}

static void monc_fault(struct cephc_conn *con, int err)
{
	struct cephc_monc *monc = cephc_conn_priv(con);
	const char *why = cephc_conn_fault_reason(con, NULL);

	note_cause(monc, cephc_conn_peer_addr(con), "%s (%s)",
		   why ? why : "fault", cephc_strerror(err));
	if (con == monc->cur) {
		char a[96];
		cephc_addr_format(cephc_conn_peer_addr(con), a, sizeof(a));
		log_info(SUBSYS, "mon %d (%s) session lost: %s; hunting",
			 monc->cur_mon, a, cephc_strerror(err));
		session_failed(monc);
		return;
	}
	for (uint32_t i = 0; i < monc->num_hunt; i++) {
		if (monc->hunt[i].con != con)
			continue;
		log_debug(SUBSYS, "hunting: mon %d failed: %s",
			  monc->hunt[i].mon, cephc_strerror(err));
		snprintf(monc->err, sizeof(monc->err),
			 "could not reach a monitor: %s", cephc_strerror(err));
		cephc_conn_destroy(con);
		monc->hunt[i] = monc->hunt[--monc->num_hunt];
		break;
	}
	/* Every attempt of this round failed: the hunt timer starts the next
	 * round, so a dead cluster is retried with backoff, not spun on. */
}

static const struct cephc_conn_ops monc_conn_ops = {
    .dispatch = monc_dispatch,
    .fault = monc_fault,
    .connected = monc_connected,
};

/* ---- life cycle ---------------------------------------------------------- */

int cephc_monc_create(const struct cephc_monc_params *p,
		      struct cephc_monc **out)
{
	struct cephc_monc *monc;

	*out = NULL;
	if (!p->msgr || !p->auth || !p->num_mons || p->num_mons > CEPHC_MON_MAX)
		return CEPHC_EINVAL;
	monc = cephc_calloc(1, sizeof(*monc));
	if (!monc)
		return CEPHC_ENOMEM;
	monc->p = *p;
	if (!monc->p.hunt_parallel)
		monc->p.hunt_parallel = CEPHC_MONC_HUNT_PARALLEL;
	if (monc->p.hunt_parallel > CEPHC_MONC_HUNT_PARALLEL * 2)
		monc->p.hunt_parallel = CEPHC_MONC_HUNT_PARALLEL * 2;
	if (!monc->p.hunt_interval_ms)
		monc->p.hunt_interval_ms = CEPHC_MONC_HUNT_INTERVAL_MS;
	if (!monc->p.hunt_max_mult)
		monc->p.hunt_max_mult = CEPHC_MONC_HUNT_MAX_MULT;
	if (monc->p.hunt_max_mult > CEPHC_MONC_HUNT_MAX_MULT_LIMIT)
		monc->p.hunt_max_mult = CEPHC_MONC_HUNT_MAX_MULT_LIMIT;
	monc->cand = cephc_malloc_array(p->num_mons, sizeof(*monc->cand));
	if (!monc->cand) {
		cephc_free(monc);
		return CEPHC_ENOMEM;
	}
	memcpy(monc->cand, p->mons, p->num_mons * sizeof(*monc->cand));
	monc->num_cand = p->num_mons;
	/* p.mons stays the caller's: keep our copy of the initial list */
	monc->p.mons = NULL;
	if (p->mon_names) {
		monc->init_addrs =
		    cephc_malloc_array(p->num_mons, sizeof(*monc->init_addrs));
		monc->init_names =
		    cephc_calloc(p->num_mons, sizeof(*monc->init_names));
		if (!monc->init_addrs || !monc->init_names) {
			/* names are a nicety: go on without them */
			cephc_free(monc->init_addrs);
			cephc_free(monc->init_names);
			monc->init_addrs = NULL;
			monc->init_names = NULL;
		} else {
			memcpy(monc->init_addrs, p->mons,
			       p->num_mons * sizeof(*monc->init_addrs));
		}
		for (uint32_t i = 0; monc->init_names && i < p->num_mons; i++)
			snprintf(monc->init_names[i],
				 sizeof(monc->init_names[i]), "%s",
				 p->mon_names[i] ? p->mon_names[i] : "");
	}
	monc->p.mon_names = NULL;
	monc->cur_mon = -1;
	monc->hunt_mult = 1;
	monc->hunt_timer.cb = hunt_timer_cb;
	monc->tick_timer.cb = tick_cb;
	cephc_auth_buf_init(&monc->abuf);
	*out = monc;
	return 0;
}

int cephc_monc_start(struct cephc_monc *monc)
{
	if (monc->state != MONC_IDLE)
		return CEPHC_EALREADY;
	open_hunt(monc);
	if (monc->num_hunt == 0) {
		snprintf(monc->err, sizeof(monc->err),
			 "no monitor address could be dialled");
		return CEPHC_ENOTCONN;
	}
	cephc_timer_arm(monc_loop(monc), &monc->tick_timer,
			cephc_now_ns() +
			    (uint64_t)CEPHC_MONC_TICK_MS * 1000000u);
	return 0;
}

void cephc_monc_destroy(struct cephc_monc *monc)
{
	if (!monc)
		return;
	cephc_timer_cancel(monc_loop(monc), &monc->hunt_timer);
	cephc_timer_cancel(monc_loop(monc), &monc->tick_timer);
	drop_attempts(monc, NULL);
	close_session(monc);
	monc->state = MONC_IDLE;
	while (monc->reqs)
		finish_request(monc, monc->reqs, CEPHC_ECANCELED, NULL);
	cephc_auth_buf_free(&monc->abuf);
	cephc_free(monc->monmap);
	cephc_free(monc->cand);
	cephc_free(monc->init_addrs);
	cephc_free(monc->init_names);
	cephc_free(monc);
}

bool cephc_monc_is_open(const struct cephc_monc *monc)
{
	return monc->state == MONC_OPEN;
}

const char *cephc_monc_error(const struct cephc_monc *monc)
{
	return monc->err;
}

const struct cephc_monmap *cephc_monc_monmap(const struct cephc_monc *monc)
{
	return monc->monmap;
}

int cephc_monc_current_mon(const struct cephc_monc *monc)
{
	return monc->state == MONC_OPEN ? monc->cur_mon : -1;
}

const struct cephc_entity_addr *
cephc_monc_current_addr(const struct cephc_monc *monc)
{
	return monc->state == MONC_OPEN && monc->cur
		   ? cephc_conn_peer_addr(monc->cur)
		   : NULL;
}

void cephc_monc_got_osdmap(struct cephc_monc *monc, uint32_t epoch)
{
	if (epoch > monc->osdmap_have)
		monc->osdmap_have = epoch;
}

void cephc_monc_want_osdmap(struct cephc_monc *monc, uint32_t epoch)
{
	monc->osdmap_have = epoch ? epoch - 1 : 0;
	if (monc->state == MONC_OPEN)
		send_subscribe(monc);
}

/* ---- pool ops ------------------------------------------------------------ */

int cephc_monc_pool_op(struct cephc_monc *monc, uint32_t pool, uint32_t op,
		       uint64_t snapid, uint32_t timeout_ms,
		       cephc_monc_done_fn done, void *arg)
{
	static const uint8_t zero_fsid[16];
	size_t sz = cephc_mpoolop_size(NULL);
	struct cephc_msg *m = cephc_msg_new(CEPHC_MSG_POOLOP, (uint32_t)sz);
	struct cephc_enc e;

	if (!m)
		return CEPHC_ENOMEM;
	/* the tid names the op to the monitor (it answers with it), as a
	 * command's does; resends after a new session keep it */
	m->hdr.tid = ++monc->last_tid;
	m->hdr.version = CEPHC_MPOOLOP_VERSION;
	m->hdr.compat_version = CEPHC_MPOOLOP_COMPAT;
	enc_init(&e, m->front, sz);
	cephc_mpoolop_encode(&e, monc->monmap ? monc->monmap->fsid : zero_fsid,
			     monc->osdmap_have, pool, op, snapid, NULL);
	m->front_len = (uint32_t)enc_len(&e);
	return submit_request(monc, m, timeout_ms, done, arg);
}
