/* SPDX-License-Identifier: MIT */
#include "osdc/osd_client.h"

#include <stddef.h>
#include <string.h>
#include <time.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "mon/mon_msgs.h"
#include "osdc/osd_session.h"

#define SUBSYS "osdc"

#define TID_HASH_SIZE OSDC_TID_HASH_SIZE

static const struct cephc_conn_ops osdc_conn_ops;
static void osdc_fault(struct cephc_conn *con, int err);

static struct cephc_loop *osdc_loop(struct cephc_osdc *osdc)
{
	return cephc_msgr_loop(osdc->p.msgr);
}

static const struct cephc_osdmap *cur_map(struct cephc_osdc *osdc)
{
	return osdc->p.get_map ? osdc->p.get_map(osdc->p.arg) : NULL;
}

static uint32_t cur_epoch(struct cephc_osdc *osdc)
{
	const struct cephc_osdmap *m = cur_map(osdc);

	return m ? m->epoch : 0;
}

/* Ask the monitors for maps newer than the one we hold. */
static void want_newer_map(struct cephc_osdc *osdc)
{
	if (osdc->p.monc)
		cephc_monc_want_osdmap(osdc->p.monc, cur_epoch(osdc) + 1);
}

void cephc_osdc_req_init(struct cephc_osdc_req *req)
{
	memset(req, 0, sizeof(*req));
	req->snapid = CEPHC_NOSNAP;
	req->timeout_ms = CEPHC_OSDC_TIMEOUT_INHERIT;
	req->r_osd = -1;
}

/* ---- request bookkeeping --------------------------------------------- */

static struct cephc_osdc_req **tid_slot(struct cephc_osdc *osdc, uint64_t tid)
{
	return &osdc->tid_hash[tid & (TID_HASH_SIZE - 1)];
}

static void hash_insert(struct cephc_osdc *osdc, struct cephc_osdc_req *req)
{
	struct cephc_osdc_req **s = tid_slot(osdc, req->r_tid);

	req->r_hnext = *s;
	*s = req;
}

static void hash_remove(struct cephc_osdc *osdc, struct cephc_osdc_req *req)
{
	for (struct cephc_osdc_req **p = tid_slot(osdc, req->r_tid); *p;
	     p = &(*p)->r_hnext)
		if (*p == req) {
			*p = req->r_hnext;
			req->r_hnext = NULL;
			return;
		}
}

static struct cephc_osdc_req *lookup_tid(struct cephc_osdc *osdc, uint64_t tid)
{
	for (struct cephc_osdc_req *r = *tid_slot(osdc, tid); r; r = r->r_hnext)
		if (r->r_tid == tid)
			return r;
	return NULL;
}

static struct osdc_reqlist *req_list(struct cephc_osdc *osdc,
				     struct osdc_session *s)
{
	return s ? &s->reqs : &osdc->homeless;
}

static void list_unlink(struct cephc_osdc *osdc, struct cephc_osdc_req *req)
{
	struct osdc_reqlist *l = req_list(osdc, req->r_sess);

	if (req->r_prev)
		req->r_prev->r_next = req->r_next;
	else
		l->head = req->r_next;
	if (req->r_next)
		req->r_next->r_prev = req->r_prev;
	else
		l->tail = req->r_prev;
	req->r_prev = req->r_next = NULL;
	l->n--;
	req->r_sess = NULL;
}

/* Insert keeping tid order (searching from the tail: new tids are big). */
static void list_link(struct cephc_osdc *osdc, struct osdc_session *s,
		      struct cephc_osdc_req *req)
{
	struct osdc_reqlist *l = req_list(osdc, s);
	struct cephc_osdc_req *after = l->tail;

	while (after && after->r_tid > req->r_tid)
		after = after->r_prev;
	req->r_prev = after;
	req->r_next = after ? after->r_next : l->head;
	if (req->r_next)
		req->r_next->r_prev = req;
	else
		l->tail = req;
	if (after)
		after->r_next = req;
	else
		l->head = req;
	l->n++;
	req->r_sess = s;
}

static void drop_plan(struct cephc_osdc_req *req)
{
	if (req->r_have_plan) {
		cephc_osd_rx_plan_release(&req->r_plan);
		req->r_have_plan = false;
	}
}

static void free_redirect(struct cephc_osdc_req *req)
{
	cephc_free(req->r_redir_oid);
	cephc_free(req->r_redir_key);
	cephc_free(req->r_redir_nspace);
	req->r_redir_oid = req->r_redir_key = req->r_redir_nspace = NULL;
}

/*
 * Finish a request: unlink it, then call done with the op outputs still
 * valid (the plan's scratch is freed after done returns; done may free
 * the request, so the plan is moved to the stack first).
 */
static void complete_req(struct cephc_osdc *osdc, struct cephc_osdc_req *req,
			 int err)
{
	struct cephc_osd_rx_plan plan;
	bool have_plan = req->r_have_plan;
	struct osdc_session *s = req->r_sess;

	hash_remove(osdc, req);
	list_unlink(osdc, req);
	/* Its reply is being received into the caller's buffers right now
	 * (a timeout or cancel hit mid-message): cut the session so nothing
	 * writes there after done; the others on it are resent. */
	if (req->r_rx_active && s) {
		req->r_rx_active = false;
		log_debug(SUBSYS, "osd.%d: resetting session under tid %llu",
			  s->osd, (unsigned long long)req->r_tid);
		cephc_conn_close(s->con);
		osdc_fault(s->con, CEPHC_ECANCELED);
	}
	osdc->in_flight--;
	if (have_plan)
		plan = req->r_plan;
	req->r_have_plan = false;
	free_redirect(req);
	req->result = err;
	req->done(req, err);
	if (have_plan)
		cephc_osd_rx_plan_release(&plan);
}

/* ---- targeting --------------------------------------------------------- */

struct osdc_target {
	int64_t pool;
	uint32_t raw_hash;
	struct cephc_pg pgid; /* folded */
	int osd, up_primary;
	uint32_t pg_num, size, min_size;
	uint32_t acting_hash, up_hash;
	bool paused;
	bool paused_full; /* paused because the pool or cluster is full */
	uint32_t force_resend;
};

static uint32_t set_hash(const int *v, int n)
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < n; i++)
		h = (h ^ (uint32_t)v[i]) * 16777619u;
	return h ^ (uint32_t)n;
}

static const char *req_oid(const struct cephc_osdc_req *r)
{
	return r->r_redir_oid ? r->r_redir_oid : r->oid;
}

static const char *req_key(const struct cephc_osdc_req *r)
{
	return r->r_redir_oid ? r->r_redir_key : r->key;
}

static const char *req_nspace(const struct cephc_osdc_req *r)
{
	return r->r_redir_oid ? r->r_redir_nspace : r->nspace;
}

static bool req_writes(const struct cephc_osdc_req *r)
{
	return (cephc_osd_ops_rw_flags(r->ops) | r->flags) &
	       CEPHC_OSD_FLAG_WRITE;
}

static bool req_reads(const struct cephc_osdc_req *r)
{
	return (cephc_osd_ops_rw_flags(r->ops) | r->flags) &
	       CEPHC_OSD_FLAG_READ;
}

static struct osdc_pgcache_ent *pgcache_slot(struct cephc_osdc *osdc,
					     const struct cephc_osdmap *m,
					     struct cephc_pg pgid)
{
	uint64_t h;

	if (!osdc->pgcache)
		return NULL;
	if (osdc->pgcache_map != m || osdc->pgcache_epoch != m->epoch) {
		for (uint32_t i = 0; i < OSDC_PGCACHE_SIZE; i++)
			osdc->pgcache[i].pool = -1;
		osdc->pgcache_map = m;
		osdc->pgcache_epoch = m->epoch;
	}
	h = ((uint64_t)pgid.pool * 0x9e3779b97f4a7c15ull) ^ pgid.seed;
	return &osdc->pgcache[(h ^ (h >> 29)) % OSDC_PGCACHE_SIZE];
}

/* The PG's up/acting result into t (osd -1 when it cannot be mapped). */
static void pg_to_osds(struct cephc_osdc *osdc, const struct cephc_osdmap *m,
		       struct osdc_target *t)
{
	struct osdc_pgcache_ent *e = pgcache_slot(osdc, m, t->pgid);

	if (e && e->pool == t->pgid.pool && e->seed == t->pgid.seed) {
		t->osd = e->osd;
		t->up_primary = e->up_primary;
		t->acting_hash = e->acting_hash;
		t->up_hash = e->up_hash;
		return;
	}
	if (cephc_osdmap_pg_to_osds(m, t->pgid, &osdc->mapping, osdc->scratch))
		return;
	t->osd = osdc->mapping.acting_primary;
	t->up_primary = osdc->mapping.up_primary;
	t->acting_hash = set_hash(osdc->mapping.acting, osdc->mapping.n_acting);
	t->up_hash = set_hash(osdc->mapping.up, osdc->mapping.n_up);
	if (e)
		*e = (struct osdc_pgcache_ent){.pool = t->pgid.pool,
					       .seed = t->pgid.seed,
					       .osd = t->osd,
					       .up_primary = t->up_primary,
					       .acting_hash = t->acting_hash,
					       .up_hash = t->up_hash};
}

/*
 * object -> pg -> acting primary on map m.  Returns 0, or CEPHC_ENOENT
 * when the pool does not exist.  t->osd is -1 when the PG has no primary.
 */
static int calc_target(struct cephc_osdc *osdc, const struct cephc_osdmap *m,
		       const struct cephc_osdc_req *r, struct osdc_target *t)
{
	int64_t pool = r->r_redir_oid ? r->r_redir_pool : r->pool;
	const struct cephc_pg_pool *pi = cephc_osdmap_pool(m, pool);
	const char *oid = req_oid(r), *key = req_key(r), *ns = req_nspace(r);
	struct cephc_pg raw;
	int ret;

	memset(t, 0, sizeof(*t));
	t->osd = t->up_primary = -1;
	if (!pi)
		return CEPHC_ENOENT;
	/* Cache tiering overlay, unless the request bypasses it. */
	if (!(r->flags & CEPHC_OSD_FLAG_IGNORE_OVERLAY) && !r->r_redir_oid) {
		int64_t tier = req_writes(r) ? pi->write_tier : pi->read_tier;
		if (tier >= 0 && cephc_osdmap_pool(m, tier)) {
			pool = tier;
			pi = cephc_osdmap_pool(m, tier);
		}
	}
	if (r->use_raw_hash && !r->r_redir_oid) {
		/* PG op: the caller names the PG by its seed */
		raw.pool = pool;
		raw.seed = r->raw_hash;
	} else {
		ret = cephc_osdmap_object_to_pg(m, pool, oid, strlen(oid), key,
						key ? strlen(key) : 0, ns,
						ns ? strlen(ns) : 0, &raw);
		if (ret)
			return CEPHC_ENOENT;
	}
	t->pool = pool;
	t->raw_hash = raw.seed;
	t->pgid.pool = pool;
	t->pgid.seed = cephc_pool_fold(pi, raw.seed);
	t->pg_num = pi->pg_num;
	t->size = pi->size;
	t->min_size = pi->min_size;
	t->force_resend = pi->last_force_op_resend;
	pg_to_osds(osdc, m, t);
	/* Pauses: librados' default is to wait for FULL to clear. */
	bool full_ok =
	    r->flags & (CEPHC_OSD_FLAG_FULL_TRY | CEPHC_OSD_FLAG_FULL_FORCE);
	t->paused_full = false;
	if (req_writes(r) && !full_ok &&
	    ((m->flags & CEPHC_OSDMAP_FLAG_FULL) ||
	     (pi->flags & (CEPHC_POOL_FLAG_FULL | CEPHC_POOL_FLAG_FULL_QUOTA))))
		t->paused = t->paused_full = true;
	if (req_writes(r) && (m->flags & CEPHC_OSDMAP_FLAG_PAUSEWR))
		t->paused = true;
	if (req_reads(r) && (m->flags & CEPHC_OSDMAP_FLAG_PAUSERD))
		t->paused = true;
	return 0;
}

int osdc_object_osd(struct cephc_osdc *osdc, int64_t pool, const char *oid,
		    const char *key, const char *nspace)
{
	const struct cephc_osdmap *m = cur_map(osdc);
	struct cephc_osdc_req r;
	struct cephc_osd_ops ops = {0};
	struct osdc_target t;

	if (!m)
		return -1;
	cephc_osdc_req_init(&r);
	r.ops = &ops;
	r.pool = pool;
	r.oid = oid;
	r.key = key;
	r.nspace = nspace;
	r.flags = CEPHC_OSD_FLAG_WRITE;
	if (calc_target(osdc, m, &r, &t))
		return -1;
	return t.osd;
}

static bool target_changed(const struct cephc_osdc_req *r,
			   const struct osdc_target *t)
{
	return r->r_osd != t->osd || r->r_tpool != t->pool ||
	       r->r_pgid.seed != t->pgid.seed ||
	       r->r_up_primary != t->up_primary ||
	       r->r_acting_hash != t->acting_hash ||
	       r->r_up_hash != t->up_hash || r->r_pg_num != t->pg_num ||
	       r->r_size != t->size || r->r_min_size != t->min_size ||
	       /* the OSD drops ops sent before the pool's forced resend */
	       (t->force_resend && r->r_sent_epoch &&
		t->force_resend > r->r_sent_epoch);
}

static void store_target(struct cephc_osdc *osdc, struct cephc_osdc_req *r,
			 const struct osdc_target *t)
{
	r->r_osd = t->osd;
	r->r_tpool = t->pool;
	r->r_raw_hash = t->raw_hash;
	r->r_pgid = t->pgid;
	r->r_up_primary = t->up_primary;
	r->r_acting_hash = t->acting_hash;
	r->r_up_hash = t->up_hash;
	r->r_pg_num = t->pg_num;
	r->r_size = t->size;
	r->r_min_size = t->min_size;
	if (t->paused_full && !r->r_paused_full) {
		uint32_t held;

		/* as librados logs "FULL, paused modify": the user should
		 * know why writes stall */
		const struct cephc_osdmap *m = cur_map(osdc);
		const struct cephc_pg_pool *pi =
		    m ? cephc_osdmap_pool(m, t->pool) : NULL;

		if (cephc_log_ratelimit_pass(&osdc->full_rl, cephc_now_ns(),
					     &held))
			log_warn(SUBSYS,
				 "pool '%s' is full: writes wait until it is "
				 "not (or fail with ENOSPC when flagged "
				 "full-try)",
				 pi && pi->name ? pi->name : "?");
	}
	r->r_paused = t->paused;
	r->r_paused_full = t->paused_full;
}

/* ---- sessions ------------------------------------------------------------ */

static struct osdc_session *get_session(struct cephc_osdc *osdc, int osd)
{
	const struct cephc_osdmap *m = cur_map(osdc);
	const struct cephc_entity_addr *a;
	struct osdc_session *s;

	if (osd < 0 || (uint32_t)osd >= CEPHC_OSDC_MAX_OSD || !m)
		return NULL;
	if ((uint32_t)osd >= osdc->nsess) {
		uint32_t n = (uint32_t)osd + 1;
		struct osdc_session **ns =
		    cephc_realloc(osdc->sess, n * sizeof(*ns));
		if (!ns)
			return NULL;
		memset(ns + osdc->nsess, 0, (n - osdc->nsess) * sizeof(*ns));
		osdc->sess = ns;
		osdc->nsess = n;
	}
	if (osdc->sess[osd])
		return osdc->sess[osd];
	a = cephc_osdmap_osd_addr(m, osd, CEPHC_ADDR_LEGACY);
	if (!a)
		return NULL;
	s = cephc_calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->osdc = osdc;
	s->osd = osd;
	s->addr = *a;
	s->addr.type = CEPHC_ADDR_LEGACY;
	s->con = cephc_conn_create(osdc->p.msgr, &osdc_conn_ops, s);
	if (!s->con || cephc_conn_open(s->con, &s->addr, CEPHC_ENTITY_OSD)) {
		if (s->con)
			cephc_conn_destroy(s->con);
		cephc_free(s);
		return NULL;
	}
	osdc->sess[osd] = s;
	osdc->nsessions++;
	char buf[96];
	cephc_addr_format(&s->addr, buf, sizeof(buf));
	log_debug(SUBSYS, "osd.%d: opening session to %s", osd, buf);
	return s;
}

static void clear_backoffs(struct osdc_session *s)
{
	for (uint32_t i = 0; i < s->nbackoffs; i++)
		cephc_msg_put(s->backoffs[i].msg);
	s->nbackoffs = 0;
}

/* Close a session whose requests have all been moved away. */
static void close_session(struct cephc_osdc *osdc, struct osdc_session *s)
{
	osdc->sess[s->osd] = NULL;
	osdc->nsessions--;
	cephc_conn_destroy(s->con);
	clear_backoffs(s);
	cephc_free(s->backoffs);
	if (s->au)
		cephc_authorizer_destroy(s->au);
	cephc_free(s);
}

/* ---- sending --------------------------------------------------------- */

static void req_hobject(const struct cephc_osdc_req *r, struct cephc_hobject *h)
{
	const char *oid = req_oid(r), *key = req_key(r), *ns = req_nspace(r);

	memset(h, 0, sizeof(*h));
	h->oid = (const uint8_t *)oid;
	h->oid_len = (uint32_t)strlen(oid);
	h->key = (const uint8_t *)(key ? key : "");
	h->key_len = key ? (uint32_t)strlen(key) : 0;
	h->nspace = (const uint8_t *)(ns ? ns : "");
	h->nspace_len = ns ? (uint32_t)strlen(ns) : 0;
	h->snap = r->snapid;
	h->hash = r->r_raw_hash;
	h->pool = r->r_tpool;
}

static bool backoff_blocks(const struct osdc_session *s,
			   const struct cephc_osdc_req *r)
{
	struct cephc_hobject h;

	if (!s->nbackoffs)
		return false;
	req_hobject(r, &h);
	for (uint32_t i = 0; i < s->nbackoffs; i++) {
		const struct cephc_osd_backoff *b = &s->backoffs[i].b;
		if (b->pg_pool == r->r_pgid.pool &&
		    b->pg_seed == r->r_pgid.seed &&
		    cephc_osd_backoff_covers(b, &h))
			return true;
	}
	return false;
}

static int build_msg(struct cephc_osdc *osdc, struct cephc_osdc_req *r,
		     struct cephc_msg **out)
{
	struct cephc_osd_op_msg om;
	struct cephc_osd_msg_info info;
	struct timespec ts;
	struct iovec iov[64];
	struct cephc_msg *m;
	size_t flen;
	int n, ret;

	memset(&om, 0, sizeof(om));
	om.pg_pool = r->r_pgid.pool;
	om.pg_seed = r->r_pgid.seed;
	om.pg_shard = -1;
	om.raw_hash = r->r_raw_hash;
	om.epoch = cur_epoch(osdc);
	om.flags = r->flags | cephc_osd_ops_rw_flags(r->ops) |
		   CEPHC_OSD_FLAG_ONDISK | CEPHC_OSD_FLAG_KNOWN_REDIR;
	if (r->r_attempts)
		om.flags |= CEPHC_OSD_FLAG_RETRY;
	if (r->r_redir_oid)
		om.flags |= CEPHC_OSD_FLAG_REDIRECTED;
	if (om.flags & CEPHC_OSD_FLAG_WRITE) {
		clock_gettime(CLOCK_REALTIME, &ts);
		om.mtime_sec = (uint32_t)ts.tv_sec;
		om.mtime_nsec = (uint32_t)ts.tv_nsec;
		om.snap_seq = r->snap_seq;
		om.snaps = r->snaps;
		om.num_snaps = r->num_snaps;
	}
	om.oloc_pool = r->r_tpool;
	om.oloc_key = req_key(r);
	om.oloc_nspace = req_nspace(r);
	om.oid = req_oid(r);
	om.snapid = r->snapid;
	om.retry_attempt = r->r_attempts;
	om.features = CEPHC_FEATURES_DEFAULT;
	flen = cephc_osd_op_msg_front_len(&om, r->ops);
	if (!flen || flen > CEPHC_MSG_FRONT_MAX)
		return CEPHC_EINVAL;
	m = cephc_msg_new(CEPHC_MSG_OSD_OP, (uint32_t)flen);
	if (!m)
		return CEPHC_ENOMEM;
	ret = cephc_osd_op_msg_encode(&om, r->ops, m->front, flen, &info);
	if (ret)
		goto fail;
	m->front_len = info.front_len;
	m->hdr.tid = r->r_tid;
	m->hdr.version = info.version;
	m->hdr.compat_version = info.compat;
	m->hdr.priority = CEPHC_MSG_PRIO_DEFAULT;
	m->hdr.data_off = info.data_off;
	/* The data section references the ops' input memory (zero copy). */
	if (info.data_len) {
		struct iovec *v = iov;
		unsigned cnt = cephc_osd_ops_data_iovcnt(r->ops);
		if (cnt > 64) {
			v = cephc_malloc_array(cnt, sizeof(*v));
			if (!v) {
				ret = CEPHC_ENOMEM;
				goto fail;
			}
		}
		n = cephc_osd_ops_data_iov(r->ops, v, cnt);
		for (int i = 0; i < n && ret == 0; i++)
			ret = cephc_msg_data_add_buf(&m->data, v[i].iov_base,
						     v[i].iov_len);
		if (v != iov)
			cephc_free(v);
		if (n < 0)
			ret = n;
		if (!ret && (r->req_flags & CEPHC_OSDC_REQ_UNSTABLE))
			ret = cephc_msg_data_bounce(&m->data);
		if (ret)
			goto fail;
	}
	*out = m;
	return 0;
fail:
	cephc_msg_put(m);
	return ret;
}

/* Send (or resend) r on its session, unless it must wait. */
static int try_send(struct cephc_osdc *osdc, struct cephc_osdc_req *r)
{
	struct osdc_session *s = r->r_sess;
	struct cephc_msg *m;
	int ret;

	r->r_in_flight = false;
	r->r_backoff_held = false;
	if (!s || r->r_paused)
		return 0;
	if (backoff_blocks(s, r)) {
		r->r_backoff_held = true;
		return 0;
	}
	ret = build_msg(osdc, r, &m);
	if (ret)
		return ret;
	drop_plan(r);
	if (r->r_attempts)
		osdc->st.resent++;
	osdc->st.sent++;
	r->r_sent_epoch = cur_epoch(osdc);
	r->r_attempts++;
	r->r_in_flight = true;
	cephc_conn_send(s->con, m);
	return 0;
}

static void send_req(struct cephc_osdc *osdc, struct cephc_osdc_req *r)
{
	int ret = try_send(osdc, r);

	if (ret)
		complete_req(osdc, r, ret);
}

/*
 * Compute r's target and move it to the right session.  Returns 1 when the
 * request must be (re)sent, 0 when it stays as it is, or a negative error
 * for which it was completed (pool gone).
 */
static int retarget(struct cephc_osdc *osdc, struct cephc_osdc_req *r,
		    bool force)
{
	const struct cephc_osdmap *m = cur_map(osdc);
	struct osdc_target t;
	struct osdc_session *s = NULL;
	bool was_paused = r->r_paused;
	int ret;

	if (!m) {
		/* no map yet: wait homeless */
		if (r->r_sess) {
			list_unlink(osdc, r);
			list_link(osdc, NULL, r);
		}
		return 0;
	}
	ret = calc_target(osdc, m, r, &t);
	if (ret) {
		complete_req(osdc, r, CEPHC_ENOENT);
		return CEPHC_ENOENT;
	}
	bool changed = target_changed(r, &t);
	if (!force && !changed && !(was_paused && !t.paused) &&
	    (r->r_sess || t.osd < 0))
		return 0;
	store_target(osdc, r, &t);
	if (t.osd >= 0)
		s = get_session(osdc, t.osd);
	if (s != r->r_sess) {
		list_unlink(osdc, r);
		list_link(osdc, s, r);
	}
	if (!s) {
		r->r_in_flight = false;
		/* no primary (or no address): wait for a newer map */
		want_newer_map(osdc);
		return 0;
	}
	return 1;
}

/* ---- submission -------------------------------------------------------- */

int cephc_osdc_submit(struct cephc_osdc *osdc, struct cephc_osdc_req *req)
{
	if (!req->ops || !req->ops->num_ops || !req->oid || !req->done)
		return CEPHC_EINVAL;
	if (osdc->destroying)
		return CEPHC_ECANCELED;
	req->r_tid = ++osdc->last_tid;
	req->r_attempts = 0;
	req->r_redirects = 0;
	req->r_osd = -1;
	req->r_tpool = -1;
	req->r_sent_epoch = 0;
	req->r_have_plan = false;
	req->r_redir_oid = req->r_redir_key = req->r_redir_nspace = NULL;
	req->result = 0;
	req->user_version = 0;
	req->reply_result = 0;
	uint32_t tmo = req->timeout_ms == CEPHC_OSDC_TIMEOUT_INHERIT
			   ? atomic_load(&osdc->op_timeout_ms)
			   : req->timeout_ms;
	req->r_deadline_ns =
	    tmo ? cephc_now_ns() + (uint64_t)tmo * 1000000u : 0;
	hash_insert(osdc, req);
	list_link(osdc, NULL, req);
	osdc->in_flight++;
	const struct cephc_osdmap *m = cur_map(osdc);
	if (m && !cephc_osdmap_pool(m, req->pool)) {
		/* The pool is not in our map: it does not exist (yet). */
		hash_remove(osdc, req);
		list_unlink(osdc, req);
		osdc->in_flight--;
		return CEPHC_ENOENT;
	}
	int ret = retarget(osdc, req, true) == 1 ? try_send(osdc, req) : 0;
	if (ret) {
		hash_remove(osdc, req);
		list_unlink(osdc, req);
		osdc->in_flight--;
	}
	return ret;
}

void cephc_osdc_cancel(struct cephc_osdc *osdc, struct cephc_osdc_req *req,
		       int err)
{
	if (lookup_tid(osdc, req->r_tid) == req)
		complete_req(osdc, req, err);
}

/* ---- map changes ------------------------------------------------------- */

/* Move every request to its current target; resend the moved ones. */
static void scan_requests(struct cephc_osdc *osdc)
{
	struct cephc_osdc_req **v;
	size_t n = 0, cap = osdc->in_flight;

	if (!cap)
		return;
	v = cephc_malloc_array(cap, sizeof(*v));
	if (!v)
		return;
	/* Snapshot in tid order per list (sessions, then homeless). */
	for (uint32_t i = 0; i < osdc->nsess; i++)
		if (osdc->sess[i])
			for (struct cephc_osdc_req *r =
				 osdc->sess[i]->reqs.head;
			     r && n < cap; r = r->r_next)
				v[n++] = r;
	for (struct cephc_osdc_req *r = osdc->homeless.head; r && n < cap;
	     r = r->r_next)
		v[n++] = r;
	/* Retarget first, then send per session in tid order. */
	for (size_t i = 0; i < n; i++) {
		struct cephc_osdc_req *r = v[i];
		r->r_need_send = false;
		if (retarget(osdc, r, false) == 1)
			r->r_need_send = true;
	}
	for (uint32_t i = 0; i < osdc->nsess; i++) {
		struct osdc_session *s = osdc->sess[i];
		if (!s)
			continue;
		for (struct cephc_osdc_req *r = s->reqs.head, *nx; r; r = nx) {
			nx = r->r_next;
			if (r->r_need_send) {
				r->r_need_send = false;
				send_req(osdc, r);
			}
		}
	}
	cephc_free(v);
}

void cephc_osdc_handle_map_change(struct cephc_osdc *osdc)
{
	const struct cephc_osdmap *m = cur_map(osdc);

	if (!m)
		return;
	if (osdc->scratch_len < cephc_osdmap_scratch_size(m)) {
		void *p =
		    cephc_realloc(osdc->scratch, cephc_osdmap_scratch_size(m));
		if (p) {
			osdc->scratch = p;
			osdc->scratch_len = cephc_osdmap_scratch_size(m);
		}
	}
	/* Sessions to OSDs that went down or moved (new nonce) are closed;
	 * their requests are retargeted (and resent) below. */
	for (uint32_t i = 0; i < osdc->nsess; i++) {
		struct osdc_session *s = osdc->sess[i];
		const struct cephc_entity_addr *a;
		if (!s)
			continue;
		a = cephc_osdmap_osd_up(m, (int)i)
			? cephc_osdmap_osd_addr(m, (int)i, CEPHC_ADDR_LEGACY)
			: NULL;
		if (a && cephc_addr_equal(a, &s->addr))
			continue;
		log_debug(SUBSYS, "osd.%u down or moved: closing session", i);
		while (s->reqs.head) {
			struct cephc_osdc_req *r = s->reqs.head;
			list_unlink(osdc, r);
			list_link(osdc, NULL, r);
			r->r_osd = -1; /* force a resend wherever it goes */
			r->r_in_flight = false;
		}
		close_session(osdc, s);
	}
	scan_requests(osdc);
	osdc_linger_map_change(osdc);
}

/* ---- timeouts ---------------------------------------------------------- */

static void tick_cb(struct cephc_timer *t)
{
	struct cephc_osdc *osdc =
	    (struct cephc_osdc *)((char *)t -
				  offsetof(struct cephc_osdc, tick));
	uint64_t now = cephc_now_ns();

	/* Completing may reset a session and touch other requests: rescan
	 * the bucket from its head after each one. */
	for (uint32_t b = 0; b < TID_HASH_SIZE; b++) {
		struct cephc_osdc_req *r = osdc->tid_hash[b];
		while (r) {
			if (r->r_deadline_ns && now >= r->r_deadline_ns) {
				log_debug(SUBSYS, "tid %llu timed out",
					  (unsigned long long)r->r_tid);
				osdc->st.timeouts++;
				if (r->r_paused_full && osdc->p.on_full_timeout)
					osdc->p.on_full_timeout(osdc->p.arg,
								r->r_tpool);
				complete_req(osdc, r, CEPHC_ETIMEDOUT);
				r = osdc->tid_hash[b];
				continue;
			}
			r = r->r_hnext;
		}
	}
	osdc_linger_tick(osdc, now);
	cephc_timer_arm(osdc_loop(osdc), &osdc->tick,
			now + (uint64_t)CEPHC_OSDC_TICK_MS * 1000000u);
}

/* ---- receiving --------------------------------------------------------- */

static struct cephc_osdc_req *match_reply(struct osdc_session *s,
					  const struct cephc_msg *msg,
					  struct cephc_osd_reply *rep, int *err)
{
	struct cephc_osdc *osdc = s->osdc;
	struct cephc_osdc_req *r = lookup_tid(osdc, msg->hdr.tid);

	*err = 0;
	if (!r || r->r_sess != s || !r->r_in_flight)
		return NULL;
	*err = cephc_osd_reply_decode(msg->front, msg->front_len,
				      msg->hdr.version, rep);
	if (*err)
		return r;
	/* A reply to an earlier send of this tid is stale. */
	if (rep->retry_attempt < 0 ||
	    (uint32_t)rep->retry_attempt + 1 != r->r_attempts)
		return NULL;
	return r;
}

/*
 * The reply's front is in: decode it, check it against the ops and point
 * the data section at the caller's buffers.  Anything that does not fit is
 * left to the messenger's own pages and handled at dispatch.
 */
static int osdc_alloc_data(struct cephc_conn *con, struct cephc_msg *msg)
{
	struct osdc_session *s = cephc_conn_priv(con);
	struct cephc_osdc_req *r;
	struct cephc_osd_reply *rep = &s->osdc->rep;
	int err, ret = 0;

	if (msg->hdr.type != CEPHC_MSG_OSD_OPREPLY)
		return 0;
	r = match_reply(s, msg, rep, &err);
	if (!r || err || rep->result < 0)
		return 0;
	if (cephc_osd_reply_apply(rep, r->ops, msg->hdr.data_len))
		return 0;
	drop_plan(r);
	if (cephc_osd_rx_plan_build(&r->r_plan, r->ops))
		return 0;
	r->r_have_plan = true;
	r->r_plan_attempt = r->r_attempts;
	r->r_rx_active = true;
	for (unsigned i = 0; i < r->r_plan.nseg && !ret; i++)
		ret = cephc_msg_data_add_buf(&msg->data,
					     r->r_plan.seg[i].iov_base,
					     r->r_plan.seg[i].iov_len);
	if (ret) {
		cephc_msg_data_release(&msg->data);
		r->r_rx_active = false;
		drop_plan(r);
	}
	return 0;
}

static char *dup_view(const uint8_t *p, uint32_t len)
{
	char *s = cephc_malloc((size_t)len + 1);

	if (s) {
		memcpy(s, p, len);
		s[len] = '\0';
	}
	return s;
}

static void handle_redirect(struct cephc_osdc *osdc, struct cephc_osdc_req *r,
			    const struct cephc_osd_reply *rep)
{
	if (++r->r_redirects > CEPHC_OSDC_MAX_REDIRECTS) {
		complete_req(osdc, r, CEPHC_EIO);
		return;
	}
	char *oid =
	    rep->redirect_object_len
		? dup_view(rep->redirect_object, rep->redirect_object_len)
		: dup_view((const uint8_t *)req_oid(r),
			   (uint32_t)strlen(req_oid(r)));
	char *key = dup_view(rep->redirect_key, rep->redirect_key_len);
	char *ns = dup_view(rep->redirect_nspace, rep->redirect_nspace_len);
	if (!oid || !key || !ns) {
		cephc_free(oid);
		cephc_free(key);
		cephc_free(ns);
		complete_req(osdc, r, CEPHC_ENOMEM);
		return;
	}
	free_redirect(r);
	r->r_redir_oid = oid;
	r->r_redir_key = key;
	r->r_redir_nspace = ns;
	r->r_redir_pool = rep->redirect_pool;
	log_debug(SUBSYS, "tid %llu redirected to pool %lld",
		  (unsigned long long)r->r_tid, (long long)rep->redirect_pool);
	r->r_in_flight = false;
	if (retarget(osdc, r, true) == 1)
		send_req(osdc, r);
}

static void handle_reply(struct osdc_session *s, struct cephc_msg *msg)
{
	struct cephc_osdc *osdc = s->osdc;
	struct cephc_osd_reply *rep = &osdc->rep;
	struct cephc_osdc_req *r;
	int err, ret;

	r = lookup_tid(osdc, msg->hdr.tid);
	if (r && r->r_sess == s)
		r->r_rx_active = false; /* the message is complete */
	r = match_reply(s, msg, rep, &err);
	if (!r) {
		osdc->st.stale_replies++;
		log_debug(SUBSYS, "osd.%d: dropping stale reply tid %llu",
			  s->osd, (unsigned long long)msg->hdr.tid);
		return;
	}
	osdc->st.replies++;
	if (err) {
		log_warn(SUBSYS, "osd.%d: malformed reply tid %llu: %s", s->osd,
			 (unsigned long long)msg->hdr.tid, cephc_strerror(err));
		complete_req(osdc, r, CEPHC_EDECODE);
		return;
	}
	r->r_in_flight = false;
	if (rep->redirect) {
		drop_plan(r);
		handle_redirect(osdc, r, rep);
		return;
	}
	r->user_version = rep->user_version;
	r->reply_result = rep->result;
	if (rep->result < 0) {
		/* Per-op rvals still say which op failed. */
		for (unsigned i = 0; i < r->ops->num_ops && i < rep->num_ops;
		     i++)
			r->ops->ops[i].op_rval = rep->ops[i].rval;
		drop_plan(r);
		complete_req(osdc, r, rep->result);
		return;
	}
	if (!r->r_have_plan || r->r_plan_attempt != r->r_attempts) {
		/* Data (if any) is in the messenger's pages: apply now and
		 * copy through the plan (counted by the copy counter). */
		drop_plan(r);
		ret = cephc_osd_reply_apply(rep, r->ops, msg->hdr.data_len);
		if (!ret)
			ret = cephc_osd_rx_plan_build(&r->r_plan, r->ops);
		if (!ret) {
			r->r_have_plan = true;
			if (msg->hdr.data_len) {
				uint8_t *flat = cephc_malloc(msg->hdr.data_len);
				ret = flat ? cephc_msg_data_copy_out(
						 &msg->data, 0, flat,
						 msg->hdr.data_len)
					   : CEPHC_ENOMEM;
				if (!ret)
					ret = cephc_osd_rx_plan_copy_in(
					    &r->r_plan, flat,
					    msg->hdr.data_len);
				cephc_free(flat);
			}
		}
		if (ret) {
			log_warn(SUBSYS,
				 "osd.%d: reply tid %llu does not match "
				 "its request: %s",
				 s->osd, (unsigned long long)msg->hdr.tid,
				 cephc_strerror(ret));
			complete_req(osdc, r,
				     ret == CEPHC_ENOMEM ? ret : CEPHC_EDECODE);
			return;
		}
	}
	complete_req(osdc, r, 0);
}

static void send_backoff_ack(struct osdc_session *s,
			     const struct cephc_osd_backoff *b)
{
	size_t cap = cephc_osd_backoff_ack_len(b), len;
	struct cephc_msg *m =
	    cephc_msg_new(CEPHC_MSG_OSD_BACKOFF, (uint32_t)cap);

	if (!m)
		return;
	if (cephc_osd_backoff_ack_encode(b, cur_epoch(s->osdc), m->front, cap,
					 &len)) {
		cephc_msg_put(m);
		return;
	}
	m->front_len = (uint32_t)len;
	m->hdr.version = CEPHC_OSD_BACKOFF_MSG_VERSION;
	m->hdr.compat_version = CEPHC_OSD_BACKOFF_MSG_COMPAT;
	m->hdr.priority = CEPHC_MSG_PRIO_HIGH;
	cephc_conn_send(s->con, m);
}

static void handle_backoff(struct osdc_session *s, struct cephc_msg *msg)
{
	struct cephc_osdc *osdc = s->osdc;
	struct cephc_osd_backoff b;
	int ret;

	ret = cephc_osd_backoff_decode(msg->front, msg->front_len, &b);
	if (ret) {
		log_warn(SUBSYS, "osd.%d: bad MOSDBackoff: %s", s->osd,
			 cephc_strerror(ret));
		cephc_msg_put(msg);
		return;
	}
	if (b.op == CEPHC_OSD_BACKOFF_BLOCK) {
		if (s->nbackoffs >= CEPHC_OSDC_BACKOFFS_MAX) {
			log_warn(SUBSYS, "osd.%d: too many backoffs", s->osd);
			cephc_msg_put(msg);
			return;
		}
		if (s->nbackoffs == s->cbackoffs) {
			uint32_t n = s->cbackoffs ? s->cbackoffs * 2 : 8;
			struct osdc_backoff *nb =
			    cephc_realloc(s->backoffs, n * sizeof(*nb));
			if (!nb) {
				cephc_msg_put(msg);
				return;
			}
			s->backoffs = nb;
			s->cbackoffs = n;
		}
		/* The decoded views point into the front: keep the message. */
		s->backoffs[s->nbackoffs].b = b;
		s->backoffs[s->nbackoffs].msg = msg;
		s->nbackoffs++;
		osdc->st.backoffs_blocked++;
		log_debug(SUBSYS, "osd.%d: backoff %llu BLOCK on %lld.%x",
			  s->osd, (unsigned long long)b.id,
			  (long long)b.pg_pool, b.pg_seed);
		send_backoff_ack(s, &b);
		return;
	}
	if (b.op == CEPHC_OSD_BACKOFF_UNBLOCK) {
		for (uint32_t i = 0; i < s->nbackoffs; i++) {
			struct osdc_backoff *ob = &s->backoffs[i];
			if (ob->b.id != b.id || ob->b.pg_pool != b.pg_pool ||
			    ob->b.pg_seed != b.pg_seed)
				continue;
			struct cephc_msg *old = ob->msg;
			struct cephc_osd_backoff saved = ob->b;
			s->backoffs[i] = s->backoffs[--s->nbackoffs];
			osdc->st.backoffs_unblocked++;
			/* The OSD dropped the ops it blocked: resend every
			 * request in the range, in tid order. */
			struct cephc_hobject h;
			for (struct cephc_osdc_req *r = s->reqs.head, *nx; r;
			     r = nx) {
				nx = r->r_next;
				if (r->r_pgid.pool != saved.pg_pool ||
				    r->r_pgid.seed != saved.pg_seed)
					continue;
				req_hobject(r, &h);
				if (r->r_backoff_held ||
				    cephc_osd_backoff_covers(&saved, &h))
					send_req(osdc, r);
			}
			cephc_msg_put(old);
			break;
		}
	}
	cephc_msg_put(msg);
}

static void osdc_dispatch(struct cephc_conn *con, struct cephc_msg *msg)
{
	struct osdc_session *s = cephc_conn_priv(con);
	struct cephc_osdc *osdc = s->osdc;

	switch (msg->hdr.type) {
	case CEPHC_MSG_OSD_OPREPLY:
		handle_reply(s, msg);
		break;
	case CEPHC_MSG_OSD_BACKOFF:
		handle_backoff(s, msg);
		return; /* consumed */
	case CEPHC_MSG_OSD_MAP:
		if (osdc->p.on_osdmap_msg)
			osdc->p.on_osdmap_msg(osdc->p.arg, msg);
		break;
	case CEPHC_MSG_WATCH_NOTIFY:
		osdc_linger_handle_notify(osdc, s, msg);
		break;
	default:
		log_debug(SUBSYS, "osd.%d: ignoring message type %u", s->osd,
			  msg->hdr.type);
	}
	cephc_msg_put(msg);
}

/* ---- session hooks ------------------------------------------------------ */

static int osdc_get_authorizer(struct cephc_conn *con, uint32_t *proto,
			       const uint8_t **buf, uint32_t *len)
{
	struct osdc_session *s = cephc_conn_priv(con);
	int ret;

	/* The connect after a CEPHX_V2 challenge resends the authorizer the
	 * challenge hook rebuilt: keep it. */
	if (s->au && s->challenged) {
		s->challenged = false;
		goto out;
	}
	s->challenged = false;
	if (s->au) {
		cephc_authorizer_destroy(s->au);
		s->au = NULL;
	}
	ret = cephc_auth_get_authorizer(s->osdc->p.auth, CEPHC_ENTITY_OSD,
					&s->au);
	if (ret) {
		log_warn(SUBSYS, "osd.%d: no authorizer: %s", s->osd,
			 cephc_strerror(ret));
		return ret;
	}
out:
	*proto = s->au->protocol;
	*buf = s->au->buf.data;
	*len = (uint32_t)s->au->buf.len;
	return 0;
}

static int osdc_auth_challenge(struct cephc_conn *con, const uint8_t *buf,
			       uint32_t len)
{
	struct osdc_session *s = cephc_conn_priv(con);

	if (!s->au)
		return CEPHC_EBADAUTH;
	s->challenged = true;
	return cephc_authorizer_handle_challenge(s->au, buf, len);
}

static int osdc_verify_reply(struct cephc_conn *con, const uint8_t *buf,
			     uint32_t len)
{
	struct osdc_session *s = cephc_conn_priv(con);

	if (!s->au)
		return CEPHC_EBADAUTH;
	return cephc_authorizer_verify_reply(s->au, buf, len);
}

static void sig_input(const struct cephc_msg *msg,
		      struct cephc_msg_sig_input *in)
{
	in->header_crc = msg->hdr.crc;
	in->front_crc = msg->footer.front_crc;
	in->front_len = msg->hdr.front_len;
	in->middle_crc = msg->footer.middle_crc;
	in->middle_len = msg->hdr.middle_len;
	in->data_crc = msg->footer.data_crc;
	in->data_len = msg->hdr.data_len;
	in->seq = msg->hdr.seq;
}

static int osdc_sign(struct cephc_conn *con, struct cephc_msg *msg)
{
	struct osdc_session *s = cephc_conn_priv(con);
	struct cephc_msg_sig_input in;

	if (!s->au)
		return 0;
	sig_input(msg, &in);
	return cephc_authorizer_sign(s->au, cephc_conn_peer_features(con), &in,
				     &msg->footer.sig);
}

static int osdc_check_sig(struct cephc_conn *con, const struct cephc_msg *msg)
{
	struct osdc_session *s = cephc_conn_priv(con);
	struct cephc_msg_sig_input in;

	if (!s->au)
		return 0;
	sig_input(msg, &in);
	return cephc_authorizer_check(s->au, cephc_conn_peer_features(con), &in,
				      msg->footer.sig);
}

static void osdc_connected(struct cephc_conn *con)
{
	struct osdc_session *s = cephc_conn_priv(con);

	log_debug(SUBSYS, "osd.%d: session open", s->osd);
	(void)s;
}

/*
 * Lossy session fault: the OSD forgot everything.  Reconnect and resend
 * every request that was on the session (same tid, attempt + 1, RETRY).
 */
static void osdc_fault(struct cephc_conn *con, int err)
{
	struct osdc_session *s = cephc_conn_priv(con);
	struct cephc_osdc *osdc = s->osdc;

	osdc->st.faults++;
	log_debug(SUBSYS, "osd.%d: session fault: %s", s->osd,
		  cephc_strerror(err));
	clear_backoffs(s);
	s->challenged = false;
	if (err == CEPHC_EBADAUTH) {
		/* BADAUTHORIZER: our OSD ticket is stale; the mon client
		 * renews it (it sees the ticket missing on its next tick). */
		cephc_auth_invalidate(osdc->p.auth, CEPHC_ENTITY_OSD);
	} else if (err == CEPHC_EWRONGPEER) {
		want_newer_map(osdc);
	}
	cephc_conn_reconnect(con);
	for (struct cephc_osdc_req *r = s->reqs.head, *nx; r; r = nx) {
		nx = r->r_next;
		r->r_rx_active = false;
		drop_plan(r);
		if (r->r_in_flight || r->r_backoff_held)
			send_req(osdc, r);
	}
	osdc_linger_session_fault(osdc, s);
}

static const struct cephc_conn_ops osdc_conn_ops = {
    .get_authorizer = osdc_get_authorizer,
    .handle_authorizer_challenge = osdc_auth_challenge,
    .verify_authorizer_reply = osdc_verify_reply,
    .alloc_data = osdc_alloc_data,
    .dispatch = osdc_dispatch,
    .fault = osdc_fault,
    .connected = osdc_connected,
    .sign_message = osdc_sign,
    .check_signature = osdc_check_sig,
};

/* ---- lifecycle ------------------------------------------------------------
 */

void cephc_osdc_set_op_timeout(struct cephc_osdc *osdc, uint32_t ms)
{
	atomic_store(&osdc->op_timeout_ms, ms);
}

int cephc_osdc_create(const struct cephc_osdc_params *p,
		      struct cephc_osdc **out)
{
	struct cephc_osdc *osdc;

	if (!p->msgr || !p->auth || !p->get_map)
		return CEPHC_EINVAL;
	osdc = cephc_calloc(1, sizeof(*osdc));
	if (!osdc)
		return CEPHC_ENOMEM;
	osdc->tid_hash = cephc_calloc(TID_HASH_SIZE, sizeof(*osdc->tid_hash));
	if (!osdc->tid_hash) {
		cephc_free(osdc);
		return CEPHC_ENOMEM;
	}
	osdc->p = *p;
	atomic_init(&osdc->op_timeout_ms, CEPHC_OSDC_TIMEOUT_DEFAULT_MS);
	/* optional: without it every request runs CRUSH */
	osdc->pgcache =
	    cephc_malloc_array(OSDC_PGCACHE_SIZE, sizeof(*osdc->pgcache));
	osdc->tick.cb = tick_cb;
	cephc_timer_arm(osdc_loop(osdc), &osdc->tick,
			cephc_now_ns() +
			    (uint64_t)CEPHC_OSDC_TICK_MS * 1000000u);
	*out = osdc;
	return 0;
}

void cephc_osdc_destroy(struct cephc_osdc *osdc)
{
	if (!osdc)
		return;
	osdc->destroying = true;
	osdc_linger_destroy_all(osdc);
	for (uint32_t b = 0; b < TID_HASH_SIZE; b++)
		while (osdc->tid_hash[b])
			complete_req(osdc, osdc->tid_hash[b], CEPHC_ECANCELED);
	cephc_timer_cancel(osdc_loop(osdc), &osdc->tick);
	for (uint32_t i = 0; i < osdc->nsess; i++)
		if (osdc->sess[i])
			close_session(osdc, osdc->sess[i]);
	cephc_free(osdc->sess);
	cephc_free(osdc->scratch);
	cephc_free(osdc->pgcache);
	cephc_free(osdc->tid_hash);
	cephc_free(osdc);
}

void cephc_osdc_get_stats(const struct cephc_osdc *osdc,
			  struct cephc_osdc_stats *st)
{
	*st = osdc->st;
	st->in_flight = osdc->in_flight;
	st->sessions = osdc->nsessions;
}

uint32_t cephc_osdc_in_flight(const struct cephc_osdc *osdc)
{
	return atomic_load(&osdc->in_flight);
}
