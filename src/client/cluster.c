/* SPDX-License-Identifier: MIT */
/*
 * The cephc_cluster public API (include/cephc/cluster.h): configuration,
 * loop mode, connect, queries on the maps, monitor commands.
 *
 * Everything here sits on the client instance (client.h, instance.c): this
 * file reads and checks what the application passes, resolves the
 * configuration into what the instance needs (timeouts, monitor
 * addresses), and copies state out for the caller.  It never touches the
 * OSD client and nothing else in src/client calls into it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/client.h"
#include "core/alloc.h"
#include "core/log.h"

#define SUBSYS "client"

#define set_errmsg cephc_client_set_errmsg

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
	cephc_client_init(c);
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

int cephc_cluster_set_timeout_of(cephc_cluster *c, int kind,
				 uint32_t timeout_ms)
{
	if (kind < 0 || kind > 2)
		return CEPHC_EINVAL;
	/* recorded first: resolve_timeouts() must not override it */
	atomic_fetch_or(&c->timeouts_api, 1u << kind);
	cephc_client_set_timeout(c, kind, timeout_ms);
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
		cephc_client_set_timeout(
		    c, k, ms > UINT32_MAX ? UINT32_MAX : (uint32_t)ms);
	}
	return 0;
}

/* ---- who drives the event loop ------------------------------------------ */

/*
 * The loop is the instance's, created at connect; these calls only let the
 * application choose (before connect) and then do the driving.  Own-thread
 * mode needs none of them: the instance runs a thread.
 */

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
	/* called from one of our callbacks: the loop is being driven on this
	 * very thread already */
	if (cephc_loop_in_driver(c->loop))
		return CEPHC_EDEADLK;
	r = cephc_loop_process(c->loop, timeout_ms);
	return r < 0 ? r : 0;
}

/* The handle's own buffer: stable storage, its text replaced by the next
 * error (see cephc_client_set_errmsg()). */
const char *cephc_cluster_last_error(cephc_cluster *c)
{
	return c->errmsg;
}

/* ---- connect ------------------------------------------------------------- */

/*
 * The public half of connecting: the configuration (read on first use,
 * timeouts, monitor addresses); the instance does the rest.  Whatever
 * fails, the handle's error message says something.
 */
int cephc_cluster_connect(cephc_cluster *c)
{
	struct cephc_conf_monlist ml = {0};
	struct cephc_entity_addr *addrs = NULL;
	const char **names = NULL;
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
	r = cephc_client_connect(c, addrs, names, n);
	/* the mon client keeps copies of the addresses and names */
	cephc_free(addrs);
	cephc_free(names);
	cephc_conf_monlist_free(&ml);
	if (r && !c->errmsg[0])
		set_errmsg(c, "%s", cephc_strerror(r));
	return r;
}

/* ---- queries ------------------------------------------------------------- */

/*
 * The instance's driver context replaces the map and sets fsid, epochs and
 * global id under c->lock at any time: every query copies what it needs
 * out under the lock and returns no pointer into instance state.
 */

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

/* The request runs through the instance's mon client (which enforces the
 * mon op timeout); here only the caller's buffers are filled or freed. */

int cephc_cluster_mon_command(cephc_cluster *c, const char *json,
			      const void *inbuf, size_t inlen, char **outbuf,
			      size_t *outlen, char **outs, size_t *outslen)
{
	struct cephc_client_mon_req mr = {
	    .json = json, .in = inbuf, .inlen = inlen};
	int r = cephc_client_mon_request(c, &mr);

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

int cephc_cluster_wait_for_latest_osdmap(cephc_cluster *c)
{
	return cephc_client_wait_for_latest_osdmap(c);
}

/* ---- teardown ------------------------------------------------------------ */

/* The instance first (it stops the loop and all that runs in it), then
 * what this layer owns: the configuration and the handle itself. */

void cephc_cluster_destroy(cephc_cluster *c)
{
	if (!c)
		return;
	cephc_client_fini(c);
	cephc_conf_destroy(c->conf);
	cephc_free(c);
}

void cephc_buffer_free(void *p)
{
	cephc_free(p);
}

/* ---- cluster view ------------------------------------------------------- */

/* Same rule as the queries above: copies made under c->lock. */

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
	return cephc_client_pool_lookup(c, name);
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
