/* SPDX-License-Identifier: MIT */
/*
 * Linger requests: watches (register, ping, reconnect) and notifies (wait
 * for NOTIFY_COMPLETE), on top of the request core.  Each WATCH / PING /
 * NOTIFY_ACK / NOTIFY is an ordinary request (own tid, resent by the core
 * on faults); what lingers is the registration, which this file re-issues
 * with RECONNECT when the session to the object's OSD faults or a map
 * change moves the object.
 */
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "mon/mon_msgs.h"
#include "osdc/osd_session.h"

#define SUBSYS "osdc"
/* Slack over the notify timeout before we stop waiting for the OSD. */
#define NOTIFY_SLACK_MS 10000

/* One request issued on behalf of a linger. */
struct linger_req {
	struct cephc_osdc_req req;
	struct cephc_osd_ops ops;
	struct osdc_linger *lg; /* NULL once the linger is gone */
	int kind;
	cephc_osdc_linger_done_fn done; /* unwatch / notify-ack callers */
	void *arg;
	char *names;      /* owned copies of oid / key / nspace */
	uint8_t *payload; /* owned copy of an input payload */
};

enum { LR_REGISTER, LR_PING, LR_UNWATCH, LR_ACK, LR_NOTIFY };

struct osdc_linger {
	struct osdc_linger *next;
	struct cephc_osdc *osdc;
	uint64_t id; /* the cookie */
	bool is_notify;
	int64_t pool;
	char *oid, *key, *nspace;
	struct cephc_osdc_watch_params wp;
	/* watch state */
	bool registered;  /* the OSD accepted our WATCH */
	bool registering; /* a WATCH / RECONNECT is in flight */
	bool lost;        /* error reported; waiting for unwatch */
	int osd;          /* where it was registered */
	uint32_t gen;
	uint64_t next_ping_ns;
	struct linger_req *ping; /* in flight */
	cephc_osdc_linger_done_fn reg_done;
	void *reg_arg;
	/* notify state */
	cephc_osdc_notify_done_fn notify_done;
	void *notify_arg;
	uint64_t notify_id;          /* from the NOTIFY op's reply */
	uint64_t complete_notify_id; /* of the NOTIFY_COMPLETE we hold */
	bool op_done, complete;
	int complete_err;
	uint8_t *complete_data;
	size_t complete_len;
	uint64_t deadline_ns;
	struct linger_req *notify_req;
};

static struct osdc_linger *find_linger(struct cephc_osdc *osdc, uint64_t id)
{
	for (struct osdc_linger *lg = osdc->lingers; lg; lg = lg->next)
		if (lg->id == id)
			return lg;
	return NULL;
}

static void unlink_linger(struct osdc_linger *lg)
{
	for (struct osdc_linger **p = &lg->osdc->lingers; *p; p = &(*p)->next)
		if (*p == lg) {
			*p = lg->next;
			return;
		}
}

static void free_linger(struct osdc_linger *lg)
{
	/* requests still in flight outlive it: detach them */
	if (lg->ping)
		lg->ping->lg = NULL;
	if (lg->notify_req)
		lg->notify_req->lg = NULL;
	cephc_free(lg->oid);
	cephc_free(lg->key);
	cephc_free(lg->nspace);
	cephc_free(lg->complete_data);
	cephc_free(lg);
}

static void lr_done(struct cephc_osdc_req *req, int err);

static struct linger_req *lr_new(struct osdc_linger *lg, int kind)
{
	struct linger_req *lr = cephc_calloc(1, sizeof(*lr));

	if (!lr)
		return NULL;
	lr->lg = lg;
	lr->kind = kind;
	cephc_osd_ops_init(&lr->ops);
	cephc_osdc_req_init(&lr->req);
	lr->req.ops = &lr->ops;
	lr->req.pool = lg->pool;
	lr->req.oid = lg->oid;
	lr->req.key = lg->key;
	lr->req.nspace = lg->nspace;
	lr->req.done = lr_done;
	return lr;
}

static void lr_free(struct linger_req *lr)
{
	cephc_osd_ops_release(&lr->ops);
	cephc_free(lr->names);
	cephc_free(lr->payload);
	cephc_free(lr);
}

/*
 * Requests keep their own copies of the object name (the linger may be
 * freed first): the request points at the linger's strings only while the
 * linger lives, so copy them for the ones that may outlive it.
 */
static int lr_own_names(struct linger_req *lr)
{
	struct osdc_linger *lg = lr->lg;
	size_t a = strlen(lg->oid) + 1, b = lg->key ? strlen(lg->key) + 1 : 0,
	       c = lg->nspace ? strlen(lg->nspace) + 1 : 0;
	char *p = cephc_malloc(a + b + c);

	if (!p)
		return CEPHC_ENOMEM;
	memcpy(p, lg->oid, a);
	lr->req.oid = p;
	if (b) {
		memcpy(p + a, lg->key, b);
		lr->req.key = p + a;
	}
	if (c) {
		memcpy(p + a + b, lg->nspace, c);
		lr->req.nspace = p + a + b;
	}
	cephc_free(lr->names);
	lr->names = p; /* freed with the request */
	return 0;
}

/* An owned copy of an op's input payload, freed with the request. */
static int lr_own_payload(struct linger_req *lr, const void *p, size_t len)
{
	if (!len)
		return 0;
	lr->payload = cephc_malloc(len);
	if (!lr->payload)
		return CEPHC_ENOMEM;
	memcpy(lr->payload, p, len);
	return 0;
}

static void report_error(struct osdc_linger *lg, int err)
{
	if (lg->lost || lg->is_notify)
		return;
	lg->lost = true;
	lg->registered = false;
	log_warn(SUBSYS, "watch %llu lost: %s", (unsigned long long)lg->id,
		 cephc_strerror(err));
	if (lg->wp.error_cb)
		lg->wp.error_cb(lg->wp.arg, lg->id, err);
}

static void finish_notify(struct osdc_linger *lg)
{
	struct cephc_osdc *osdc = lg->osdc;
	int err = lg->complete_err;

	unlink_linger(lg);
	(void)osdc;
	lg->notify_done(lg->notify_arg, err, lg->complete_data,
			lg->complete_len);
	free_linger(lg);
}

static int send_register(struct osdc_linger *lg, bool reconnect);

static void lr_done(struct cephc_osdc_req *req, int err)
{
	struct linger_req *lr = (struct linger_req *)req;
	struct osdc_linger *lg = lr->lg;

	switch (lr->kind) {
	case LR_REGISTER:
		if (!lg)
			break;
		log_debug(SUBSYS, "watch %llu registered: %s",
			  (unsigned long long)lg->id, cephc_strerror(err));
		lg->registering = false;
		if (lg->reg_done) {
			/* the first registration reports to the caller */
			cephc_osdc_linger_done_fn d = lg->reg_done;
			void *a = lg->reg_arg;
			lg->reg_done = NULL;
			if (err) {
				unlink_linger(lg);
				free_linger(lg);
				lr_free(lr);
				d(a, err);
				return;
			}
			lg->registered = true;
			d(a, 0);
			break;
		}
		if (err)
			report_error(lg, err);
		else
			lg->registered = true;
		break;
	case LR_PING:
		if (lg) {
			if (err)
				log_debug(SUBSYS, "watch %llu ping: %s",
					  (unsigned long long)lg->id,
					  cephc_strerror(err));
			lg->ping = NULL;
			if (err && err != CEPHC_ETIMEDOUT)
				report_error(lg, err);
			else if (err && lg->registered && !lg->lost &&
				 !lg->registering)
				/* an unanswered ping: the OSD may hold the
				 * watch detached from our session (its
				 * notifies then wait out their timeout);
				 * re-attach it */
				send_register(lg, true);
		}
		break;
	case LR_UNWATCH:
	case LR_ACK:
		log_debug(SUBSYS, "%s: %s",
			  lr->kind == LR_ACK ? "notify ack" : "unwatch",
			  cephc_strerror(err));
		if (lr->done)
			lr->done(lr->arg, err);
		break;
	case LR_NOTIFY:
		if (!lg)
			break;
		lg->notify_req = NULL;
		lg->op_done = true;
		if (err) {
			lg->complete_err = err;
			finish_notify(lg);
			break;
		}
		cephc_osd_decode_notify_id(lr->ops.ops[0].op_outdata,
					   lr->ops.ops[0].op_outdata_len,
					   &lg->notify_id);
		/* NOTIFY_COMPLETE may have beaten the op's reply; one of an
		 * earlier attempt (the op was resent after a fault) is not
		 * ours to report */
		if (lg->complete && lg->notify_id &&
		    lg->complete_notify_id != lg->notify_id) {
			lg->complete = false;
			lg->complete_err = 0;
			cephc_free(lg->complete_data);
			lg->complete_data = NULL;
			lg->complete_len = 0;
		}
		if (lg->complete)
			finish_notify(lg);
		break;
	}
	lr_free(lr);
}

/* (Re)register a watch: WATCH the first time, RECONNECT afterwards. */
static int send_register(struct osdc_linger *lg, bool reconnect)
{
	struct cephc_osdc *osdc = lg->osdc;
	struct linger_req *lr = lr_new(lg, LR_REGISTER);
	int ret;

	if (!lr)
		return CEPHC_ENOMEM;
	ret = cephc_osd_op_watch(cephc_osd_ops_add(&lr->ops),
				 reconnect ? CEPHC_OSD_WATCH_OP_RECONNECT
					   : CEPHC_OSD_WATCH_OP_WATCH,
				 lg->id, lg->gen, lg->wp.timeout_s);
	if (!ret)
		ret = lr_own_names(lr);
	if (!ret) {
		lr->req.flags = CEPHC_OSD_FLAG_WRITE;
		ret = cephc_osdc_submit(osdc, &lr->req);
	}
	if (ret) {
		lr_free(lr);
		return ret;
	}
	lg->registering = true;
	lg->osd = osdc_object_osd(osdc, lg->pool, lg->oid, lg->key, lg->nspace);
	lg->next_ping_ns =
	    cephc_now_ns() + (uint64_t)CEPHC_OSDC_PING_MS * 1000000u;
	return 0;
}

static void send_ping(struct osdc_linger *lg)
{
	struct linger_req *lr = lr_new(lg, LR_PING);

	if (!lr)
		return;
	lr->req.timeout_ms = CEPHC_OSDC_PING_MS * 2;
	if (cephc_osd_op_watch(cephc_osd_ops_add(&lr->ops),
			       CEPHC_OSD_WATCH_OP_PING, lg->id, lg->gen, 0) ||
	    lr_own_names(lr) || cephc_osdc_submit(lg->osdc, &lr->req)) {
		lr_free(lr);
		return;
	}
	lg->ping = lr;
}

static struct osdc_linger *new_linger(struct cephc_osdc *osdc, int64_t pool,
				      const char *oid, const char *key,
				      const char *nspace)
{
	struct osdc_linger *lg;

	if (!oid || strlen(oid) > CEPHC_OSD_NAME_MAX)
		return NULL;
	lg = cephc_calloc(1, sizeof(*lg));
	if (!lg)
		return NULL;
	lg->osdc = osdc;
	lg->id = ++osdc->last_linger_id;
	lg->pool = pool;
	lg->osd = -1;
	lg->gen = 1;
	lg->oid = cephc_strdup(oid);
	lg->key = key && *key ? cephc_strdup(key) : NULL;
	lg->nspace = nspace && *nspace ? cephc_strdup(nspace) : NULL;
	if (!lg->oid || (key && *key && !lg->key) ||
	    (nspace && *nspace && !lg->nspace)) {
		free_linger(lg);
		return NULL;
	}
	lg->next = osdc->lingers;
	osdc->lingers = lg;
	return lg;
}

int cephc_osdc_watch(struct cephc_osdc *osdc,
		     const struct cephc_osdc_watch_params *p,
		     cephc_osdc_linger_done_fn done, void *arg,
		     uint64_t *cookie)
{
	struct osdc_linger *lg;
	int ret;

	if (!done)
		return CEPHC_EINVAL;
	lg = new_linger(osdc, p->pool, p->oid, p->key, p->nspace);
	if (!lg)
		return CEPHC_ENOMEM;
	lg->wp = *p;
	lg->wp.oid = lg->oid;
	lg->wp.key = lg->key;
	lg->wp.nspace = lg->nspace;
	lg->reg_done = done;
	lg->reg_arg = arg;
	ret = send_register(lg, false);
	if (ret) {
		unlink_linger(lg);
		free_linger(lg);
		return ret;
	}
	*cookie = lg->id;
	return 0;
}

int cephc_osdc_unwatch(struct cephc_osdc *osdc, uint64_t cookie,
		       cephc_osdc_linger_done_fn done, void *arg)
{
	struct osdc_linger *lg = find_linger(osdc, cookie);
	struct linger_req *lr;
	int ret;

	if (!lg || lg->is_notify)
		return CEPHC_ENOENT;
	lr = lr_new(lg, LR_UNWATCH);
	if (!lr)
		return CEPHC_ENOMEM;
	lr->done = done;
	lr->arg = arg;
	ret =
	    cephc_osd_op_watch(cephc_osd_ops_add(&lr->ops),
			       CEPHC_OSD_WATCH_OP_UNWATCH, lg->id, lg->gen, 0);
	if (!ret)
		ret = lr_own_names(lr);
	lr->lg = NULL; /* the linger goes away now */
	if (!ret)
		ret = cephc_osdc_submit(osdc, &lr->req);
	if (ret) {
		lr_free(lr);
		return ret;
	}
	/* a registration still in flight must not report to a freed one */
	if (lg->reg_done) {
		cephc_osdc_linger_done_fn d = lg->reg_done;
		lg->reg_done = NULL;
		d(lg->reg_arg, CEPHC_ECANCELED);
	}
	for (uint32_t b = 0; b < OSDC_TID_HASH_SIZE; b++)
		for (struct cephc_osdc_req *r = osdc->tid_hash[b]; r;
		     r = r->r_hnext)
			if (r->done == lr_done &&
			    ((struct linger_req *)r)->lg == lg)
				((struct linger_req *)r)->lg = NULL;
	unlink_linger(lg);
	free_linger(lg);
	return 0;
}

int cephc_osdc_notify_ack(struct cephc_osdc *osdc, uint64_t cookie,
			  uint64_t notify_id, const void *reply, size_t len,
			  cephc_osdc_linger_done_fn done, void *arg)
{
	struct osdc_linger *lg = find_linger(osdc, cookie);
	struct linger_req *lr;
	int ret;

	if (!lg || lg->is_notify)
		return CEPHC_ENOENT;
	if (len > CEPHC_OSD_OUT_MAX)
		return CEPHC_EINVAL;
	lr = lr_new(lg, LR_ACK);
	if (!lr)
		return CEPHC_ENOMEM;
	lr->done = done;
	lr->arg = arg;
	ret = lr_own_names(lr);
	if (!ret)
		ret = lr_own_payload(lr, reply, len);
	if (!ret)
		ret = cephc_osd_op_notify_ack(cephc_osd_ops_add(&lr->ops),
					      notify_id, cookie, lr->payload,
					      (uint32_t)len);
	lr->lg = NULL; /* needs nothing from the watch afterwards */
	if (!ret) {
		lr->req.flags = CEPHC_OSD_FLAG_READ;
		ret = cephc_osdc_submit(osdc, &lr->req);
	}
	if (ret) {
		lr_free(lr);
		return ret;
	}
	return 0;
}

int cephc_osdc_notify(struct cephc_osdc *osdc, int64_t pool, const char *oid,
		      const char *key, const char *nspace, const void *payload,
		      size_t len, uint32_t timeout_s,
		      cephc_osdc_notify_done_fn done, void *arg)
{
	struct osdc_linger *lg;
	struct linger_req *lr;
	int ret;

	if (!done || len > CEPHC_OSD_OUT_MAX)
		return CEPHC_EINVAL;
	lg = new_linger(osdc, pool, oid, key, nspace);
	if (!lg)
		return CEPHC_ENOMEM;
	lg->is_notify = true;
	lg->notify_done = done;
	lg->notify_arg = arg;
	if (!timeout_s)
		timeout_s = 30;
	lg->deadline_ns =
	    cephc_now_ns() +
	    ((uint64_t)timeout_s * 1000 + NOTIFY_SLACK_MS) * 1000000u;
	lr = lr_new(lg, LR_NOTIFY);
	ret = lr ? 0 : CEPHC_ENOMEM;
	if (!ret)
		ret = lr_own_names(lr);
	if (!ret)
		ret = lr_own_payload(lr, payload, len);
	if (!ret)
		ret =
		    cephc_osd_op_notify(cephc_osd_ops_add(&lr->ops), lg->id,
					timeout_s, lr->payload, (uint32_t)len);
	if (!ret) {
		lr->req.flags = CEPHC_OSD_FLAG_READ;
		lr->req.timeout_ms = 0; /* the linger deadline bounds it */
		ret = cephc_osdc_submit(osdc, &lr->req);
	}
	if (ret) {
		if (lr)
			lr_free(lr);
		unlink_linger(lg);
		free_linger(lg);
		return ret;
	}
	lg->notify_req = lr;
	return 0;
}

/* ---- hooks from the request core ---------------------------------------- */

void osdc_linger_handle_notify(struct cephc_osdc *osdc, struct osdc_session *s,
			       struct cephc_msg *msg)
{
	struct cephc_osd_watch_notify n;
	struct osdc_linger *lg;
	int ret;

	ret = cephc_osd_watch_notify_decode(msg->front, msg->front_len,
					    msg->hdr.version, &n);
	if (ret) {
		log_warn(SUBSYS, "osd.%d: bad MWatchNotify: %s", s->osd,
			 cephc_strerror(ret));
		return;
	}
	lg = find_linger(osdc, n.cookie);
	if (!lg) {
		log_debug(SUBSYS, "osd.%d: notify for unknown cookie %llu",
			  s->osd, (unsigned long long)n.cookie);
		return;
	}
	log_debug(SUBSYS, "osd.%d: watch event %u cookie %llu notify %llu",
		  s->osd, n.opcode, (unsigned long long)n.cookie,
		  (unsigned long long)n.notify_id);
	switch (n.opcode) {
	case CEPHC_WATCH_EVENT_NOTIFY:
		if (!lg->is_notify && lg->wp.notify_cb)
			lg->wp.notify_cb(lg->wp.arg, lg->id, n.notify_id,
					 n.notifier_gid, n.payload,
					 n.payload_len);
		break;
	case CEPHC_WATCH_EVENT_DISCONNECT:
		if (!lg->is_notify)
			report_error(lg, CEPHC_ENOTCONN);
		break;
	case CEPHC_WATCH_EVENT_NOTIFY_COMPLETE:
		if (!lg->is_notify || lg->complete)
			break;
		/* once the op's reply named our notify, ignore the others */
		if (lg->op_done && lg->notify_id && n.notify_id != lg->notify_id)
			break;
		lg->complete = true;
		lg->complete_notify_id = n.notify_id;
		lg->complete_err = n.return_code;
		/* The reply map travels in the data section (the front's bl
		 * is empty); older OSDs put it in the front. */
		const uint8_t *p = n.payload_len ? n.payload : NULL;
		size_t len = n.payload_len;
		if (!len)
			len = cephc_msg_data_length(&msg->data);
		if (len) {
			lg->complete_data = cephc_malloc(len);
			if (lg->complete_data) {
				lg->complete_len = len;
				if (p)
					memcpy(lg->complete_data, p, len);
				else
					cephc_msg_data_copy_out(
					    &msg->data, 0, lg->complete_data,
					    len);
			}
		}
		if (lg->op_done)
			finish_notify(lg);
		break;
	}
}

void osdc_linger_session_fault(struct cephc_osdc *osdc, struct osdc_session *s)
{
	/* The OSD may have dropped our watch with the session: re-attach. */
	for (struct osdc_linger *lg = osdc->lingers; lg; lg = lg->next)
		if (!lg->is_notify && !lg->lost && lg->registered &&
		    !lg->registering && lg->osd == s->osd)
			send_register(lg, true);
}

void osdc_linger_map_change(struct cephc_osdc *osdc)
{
	for (struct osdc_linger *lg = osdc->lingers; lg; lg = lg->next) {
		if (lg->is_notify || lg->lost || !lg->registered ||
		    lg->registering)
			continue;
		int osd = osdc_object_osd(osdc, lg->pool, lg->oid, lg->key,
					  lg->nspace);
		if (osd != lg->osd)
			send_register(lg, true);
	}
}

void osdc_linger_tick(struct cephc_osdc *osdc, uint64_t now_ns)
{
	struct osdc_linger *lg = osdc->lingers, *next;

	for (; lg; lg = next) {
		next = lg->next;
		if (lg->is_notify) {
			if (now_ns >= lg->deadline_ns) {
				if (lg->notify_req) {
					cephc_osdc_cancel(osdc,
							  &lg->notify_req->req,
							  CEPHC_ETIMEDOUT);
					/* cancel finished it */
					continue;
				}
				lg->complete_err = CEPHC_ETIMEDOUT;
				finish_notify(lg);
			}
			continue;
		}
		if (lg->registered && !lg->lost && !lg->ping &&
		    now_ns >= lg->next_ping_ns) {
			lg->next_ping_ns =
			    now_ns + (uint64_t)CEPHC_OSDC_PING_MS * 1000000u;
			send_ping(lg);
		}
	}
}

void osdc_linger_destroy_all(struct cephc_osdc *osdc)
{
	while (osdc->lingers) {
		struct osdc_linger *lg = osdc->lingers;
		osdc->lingers = lg->next;
		if (lg->is_notify && !lg->notify_req)
			lg->notify_done(lg->notify_arg, CEPHC_ECANCELED, NULL,
					0);
		else if (lg->reg_done)
			lg->reg_done(lg->reg_arg, CEPHC_ECANCELED);
		/* in-flight requests are cancelled by the core next */
		for (uint32_t b = 0; b < OSDC_TID_HASH_SIZE; b++)
			for (struct cephc_osdc_req *r = osdc->tid_hash[b]; r;
			     r = r->r_hnext)
				if (r->done == lr_done &&
				    ((struct linger_req *)r)->lg == lg)
					((struct linger_req *)r)->lg = NULL;
		if (lg->is_notify && lg->notify_req)
			lg->notify_done(lg->notify_arg, CEPHC_ECANCELED, NULL,
					0);
		lg->ping = lg->notify_req = NULL;
		free_linger(lg);
	}
}
