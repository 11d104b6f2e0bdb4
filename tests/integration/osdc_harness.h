/* SPDX-License-Identifier: MIT */
/*
 * Test / bench harness: wires the messenger, cephx, the monitor client,
 * the OSDMap and the OSD client by hand against a real cluster (what the
 * cluster handle does in src/client), with a loop thread and a
 * synchronous request helper.
 */
#ifndef CEPHC_TESTS_OSDC_HARNESS_H
#define CEPHC_TESTS_OSDC_HARNESS_H

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/crypto.h"
#include "cephc/errors.h"
#include "core/decode.h"
#include "mon/mon_client.h"
#include "mon/mon_msgs.h"
#include "msgr/loop.h"
#include "msgr/msgr.h"
#include "osdc/osd_client.h"
#include "osdmap/osdmap.h"

struct hx {
	struct cephc_loop *loop;
	struct cephc_msgr *msgr;
	struct cephc_auth *auth;
	struct cephc_monc *monc;
	struct cephc_osdc *osdc;
	struct cephc_osdmap *map;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int session_err;
	bool session;
	uint32_t epoch;
};

static inline const struct cephc_osdmap *hx_get_map(void *arg)
{
	return ((struct hx *)arg)->map;
}

/* Apply an MOSDMap (from a mon or an OSD): incrementals in order, or the
 * newest full map when we have none or fell behind. */
static inline void hx_on_osdmap(void *arg, struct cephc_msg *msg)
{
	struct hx *h = arg;
	struct cephc_osdmap_msg m;
	struct cephc_dec d;
	bool changed = false;

	memset(&m, 0, sizeof(m));
	dec_init(&d, msg->front, msg->front_len);
	if (cephc_osdmap_msg_decode(&d, &m)) {
		cephc_osdmap_msg_release(&m);
		return;
	}
	for (uint32_t i = 0; i < m.num_incs; i++) {
		if (!h->map || m.incs[i].epoch != h->map->epoch + 1)
			continue;
		if (cephc_osdmap_apply_incremental(&h->map, m.incs[i].data,
						   m.incs[i].len) == 0)
			changed = true;
	}
	if (m.num_fulls) {
		struct cephc_osdmap_blob *b = &m.fulls[m.num_fulls - 1];
		struct cephc_osdmap *nm;
		if ((!h->map || b->epoch > h->map->epoch) &&
		    cephc_osdmap_decode(b->data, b->len, &nm) == 0) {
			cephc_osdmap_free(h->map);
			h->map = nm;
			changed = true;
		}
	}
	cephc_osdmap_msg_release(&m);
	if (!changed)
		return;
	cephc_monc_got_osdmap(h->monc, h->map->epoch);
	if (h->osdc)
		cephc_osdc_handle_map_change(h->osdc);
	pthread_mutex_lock(&h->lock);
	h->epoch = h->map->epoch;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

static inline void hx_on_session(void *arg, int err)
{
	struct hx *h = arg;

	pthread_mutex_lock(&h->lock);
	h->session = true;
	h->session_err = err;
	pthread_cond_broadcast(&h->cond);
	pthread_mutex_unlock(&h->lock);
}

/* First value of "key = value" (spaces or underscores) in a file, after
 * an optional section header. */
static inline int hx_conf_get(const char *path, const char *section,
			      const char *key, char *out, size_t len)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	bool in = section == NULL;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *eq;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '[') {
			in = !section ||
			     (!strncmp(p + 1, section, strlen(section)) &&
			      p[1 + strlen(section)] == ']');
			continue;
		}
		if (!in || !(eq = strchr(p, '=')))
			continue;
		char k[256];
		size_t kl = (size_t)(eq - p), j = 0;
		for (size_t i = 0; i < kl && j + 1 < sizeof(k); i++)
			if (p[i] != ' ' && p[i] != '\t' && p[i] != '_')
				k[j++] = p[i];
		k[j] = '\0';
		char want[256];
		j = 0;
		for (size_t i = 0; key[i] && j + 1 < sizeof(want); i++)
			if (key[i] != ' ' && key[i] != '_')
				want[j++] = key[i];
		want[j] = '\0';
		if (strcmp(k, want))
			continue;
		eq++;
		while (*eq == ' ' || *eq == '\t')
			eq++;
		snprintf(out, len, "%s", eq);
		out[strcspn(out, "\r\n")] = '\0';
		fclose(f);
		return 0;
	}
	fclose(f);
	return -1;
}

struct hx_call {
	struct cephc_loop_work w;
	void (*fn)(struct hx *h, void *arg);
	struct hx *h;
	void *arg;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
};

static inline void hx_call_fn(struct cephc_loop_work *w)
{
	struct hx_call *c = (struct hx_call *)w;

	c->fn(c->h, c->arg);
	pthread_mutex_lock(&c->lock);
	c->done = true;
	pthread_cond_signal(&c->cond);
	pthread_mutex_unlock(&c->lock);
}

/* Run fn in driver context and wait for it. */
static inline void hx_call(struct hx *h, void (*fn)(struct hx *h, void *arg),
			   void *arg)
{
	struct hx_call c = {.fn = fn, .h = h, .arg = arg};

	c.w.fn = hx_call_fn;
	pthread_mutex_init(&c.lock, NULL);
	pthread_cond_init(&c.cond, NULL);
	cephc_loop_submit(h->loop, &c.w);
	pthread_mutex_lock(&c.lock);
	while (!c.done)
		pthread_cond_wait(&c.cond, &c.lock);
	pthread_mutex_unlock(&c.lock);
	pthread_mutex_destroy(&c.lock);
	pthread_cond_destroy(&c.cond);
}

static inline void hx_start_fn(struct hx *h, void *arg)
{
	int *ret = arg;
	struct cephc_osdc_params op = {
	    .msgr = h->msgr,
	    .auth = h->auth,
	    .monc = h->monc,
	    .get_map = hx_get_map,
	    .on_osdmap_msg = hx_on_osdmap,
	    .arg = h,
	};

	*ret = cephc_osdc_create(&op, &h->osdc);
	if (!*ret)
		*ret = cephc_monc_start(h->monc);
}

/* Connect with conf/keyring as client.admin; wait for a session + map. */
static inline int hx_open(struct hx *h, const char *conf, const char *keyring)
{
	char mon_host[512], key[256];
	struct cephc_entity_addr mons[8];
	uint32_t nmons = 0;
	struct cephc_crypto_key secret;
	int ret;

	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	pthread_cond_init(&h->cond, NULL);
	if (hx_conf_get(conf, NULL, "mon host", mon_host, sizeof(mon_host)))
		return CEPHC_EINVAL;
	if (hx_conf_get(keyring, "client.admin", "key", key, sizeof(key)) ||
	    cephc_crypto_key_from_base64(&secret, key))
		return CEPHC_EINVAL;
	/* "[v2:a:p,v1:a:p]" or "a:p,b:p": keep the v1 / untyped ones. */
	for (char *save = NULL, *tok = strtok_r(mon_host, "[], ", &save);
	     tok && nmons < 8; tok = strtok_r(NULL, "[], ", &save)) {
		if (!strncmp(tok, "v2:", 3))
			continue;
		if (cephc_addr_parse(tok, &mons[nmons], 6789) == 0) {
			mons[nmons].type = CEPHC_ADDR_LEGACY;
			nmons++;
		}
	}
	if (!nmons)
		return CEPHC_EINVAL;
	struct cephc_auth_params ap = {
	    .name_type = CEPHC_ENTITY_CLIENT,
	    .name_id = "admin",
	    .secret = &secret,
	};
	h->auth = cephc_auth_create(&ap);
	if (!h->auth)
		return CEPHC_ENOMEM;
	struct cephc_msgr_opts mo;
	cephc_msgr_opts_default(&mo);
	if ((ret = cephc_loop_create(&h->loop)) ||
	    (ret = cephc_msgr_create(h->loop, &mo, CEPHC_ENTITY_CLIENT,
				     &h->msgr)))
		return ret;
	struct cephc_monc_params mp = {
	    .msgr = h->msgr,
	    .auth = h->auth,
	    .mons = mons,
	    .num_mons = nmons,
	    .on_session = hx_on_session,
	    .on_osdmap = hx_on_osdmap,
	    .arg = h,
	};
	if ((ret = cephc_monc_create(&mp, &h->monc)))
		return ret;
	if ((ret = cephc_loop_start(h->loop)))
		return ret;
	hx_call(h, hx_start_fn, &ret);
	if (ret)
		return ret;
	pthread_mutex_lock(&h->lock);
	while (!(h->session && (h->session_err || h->epoch)))
		pthread_cond_wait(&h->cond, &h->lock);
	ret = h->session_err;
	pthread_mutex_unlock(&h->lock);
	return ret;
}

static inline void hx_close_fn(struct hx *h, void *arg)
{
	(void)arg;
	cephc_osdc_destroy(h->osdc);
	h->osdc = NULL;
	cephc_monc_destroy(h->monc);
	h->monc = NULL;
}

static inline void hx_close(struct hx *h)
{
	if (h->monc)
		hx_call(h, hx_close_fn, NULL);
	if (h->loop)
		cephc_loop_stop(h->loop);
	if (h->msgr)
		cephc_msgr_destroy(h->msgr);
	if (h->loop)
		cephc_loop_destroy(h->loop);
	cephc_auth_destroy(h->auth);
	cephc_osdmap_free(h->map);
}

/* A synchronous request: submit in driver context, wait for done. */
struct hx_sync {
	struct cephc_osdc_req req;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int err;
	/* copied outputs (scratch views die after done) */
	uint8_t out[4096];
	uint32_t out_len;
	int out_op;
};

static inline void hx_sync_done(struct cephc_osdc_req *req, int err)
{
	struct hx_sync *s = (struct hx_sync *)req;

	if (!err && s->out_op >= 0 && (unsigned)s->out_op < req->ops->num_ops) {
		const struct cephc_osd_op *op = &req->ops->ops[s->out_op];
		s->out_len = op->op_outdata_len < sizeof(s->out)
				 ? op->op_outdata_len
				 : sizeof(s->out);
		if (op->op_outdata)
			memcpy(s->out, op->op_outdata, s->out_len);
	}
	pthread_mutex_lock(&s->lock);
	s->err = err;
	s->done = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

static inline void hx_submit_fn(struct hx *h, void *arg)
{
	struct hx_sync *s = arg;
	int ret = cephc_osdc_submit(h->osdc, &s->req);

	if (ret)
		hx_sync_done(&s->req, ret);
}

/* Run ops on pool/oid; out_op: op whose scratch output to copy (-1). */
static inline int hx_do(struct hx *h, int64_t pool, const char *oid,
			struct cephc_osd_ops *ops, int out_op, uint8_t *out,
			uint32_t *out_len)
{
	struct hx_sync *s = calloc(1, sizeof(*s));
	int err;

	cephc_osdc_req_init(&s->req);
	s->req.ops = ops;
	s->req.pool = pool;
	s->req.oid = oid;
	s->req.done = hx_sync_done;
	s->out_op = out_op;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	hx_call(h, hx_submit_fn, s);
	pthread_mutex_lock(&s->lock);
	while (!s->done)
		pthread_cond_wait(&s->cond, &s->lock);
	pthread_mutex_unlock(&s->lock);
	err = s->err;
	if (out && out_len) {
		memcpy(out, s->out, s->out_len);
		*out_len = s->out_len;
	}
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s);
	return err;
}

static inline void hx_pool_fn(struct hx *h, void *arg)
{
	struct {
		const char *name;
		int64_t id;
	} *q = arg;
	const struct cephc_pg_pool *p =
	    h->map ? cephc_osdmap_pool_by_name(h->map, q->name) : NULL;

	q->id = p ? p->id : -1;
}

static inline int64_t hx_pool(struct hx *h, const char *name)
{
	struct {
		const char *name;
		int64_t id;
	} q = {name, -1};

	hx_call(h, hx_pool_fn, &q);
	return q.id;
}

#endif /* CEPHC_TESTS_OSDC_HARNESS_H */
