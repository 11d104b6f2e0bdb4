/* SPDX-License-Identifier: MIT */
/*
 * OSD client: turns op lists (osd_ops.h) into I/O against OSDs.
 *
 * One lossy msgr v1 session per OSD (cephx authorizer, message signing when
 * MSG_AUTH is negotiated).  Requests are tracked by tid; each is mapped
 * object -> pg -> acting primary on the current OSDMap and sent as MOSDOp
 * v8 whose data section references the ops' input buffers (no copy).  The
 * reply's data section is received straight into the ops' output buffers
 * (the messenger's alloc_data hook runs after the front is in, and the
 * codec's receive plan says where each byte goes).
 *
 * Resends keep the tid and bump the attempt (RETRY flag): on every map
 * change that moves a request (primary, up/acting set, pool size, pg_num,
 * last_force_op_resend), on a session fault (everything that was on it),
 * after an MOSDBackoff UNBLOCK, after a pause flag is lifted, and to follow
 * a redirect (at most CEPHC_OSDC_MAX_REDIRECTS).  Replies are matched on
 * tid AND retry_attempt; stale ones are dropped.  Requests to one OSD are
 * (re)sent in tid order, so per-object order holds across resends.
 *
 * Full cluster / full pool: like librados' default, writes WAIT (they are
 * paused and resent when the flag clears) unless the request carries
 * CEPHC_OSD_FLAG_FULL_TRY or FULL_FORCE; the per-request timeout bounds the
 * wait.  PAUSERD / PAUSEWR pause reads / writes the same way.
 *
 * The OSDMap belongs to the owner: the client reads it through get_map()
 * and the owner calls cephc_osdc_handle_map_change() after every change.
 * MOSDMap messages arriving on OSD sessions go to on_osdmap_msg() so that
 * one place applies maps.
 *
 * Threading: every function runs in the loop's driver context (msgr/loop.h)
 * and every callback (done, watch) runs there too and must not block.
 */
#ifndef CEPHC_OSDC_OSD_CLIENT_H
#define CEPHC_OSDC_OSD_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "mon/mon_client.h"
#include "msgr/msgr.h"
#include "osdc/osd_msg.h"
#include "osdc/osd_ops.h"
#include "osdmap/osdmap.h"

/* Default op timeout of a client (librados and the kernel wait forever;
 * rados_osd_op_timeout changes it, see cephc_osdc_set_op_timeout()). */
#define CEPHC_OSDC_TIMEOUT_DEFAULT_MS 30000
/* req->timeout_ms: take the client's op timeout at submission. */
#define CEPHC_OSDC_TIMEOUT_INHERIT UINT32_MAX
#define CEPHC_OSDC_MAX_REDIRECTS 8
/* Watch keepalive period (kernel osd_keepalive_timeout). */
#define CEPHC_OSDC_PING_MS 5000
/* How often deadlines and watches are checked. */
#define CEPHC_OSDC_TICK_MS 1000
/* Most backoffs one OSD session may hold at once. */
#define CEPHC_OSDC_BACKOFFS_MAX 1024
/* Most OSD ids a session table grows to. */
#define CEPHC_OSDC_MAX_OSD CEPHC_OSDMAP_MAX_OSD

/* osdmap flags (CEPH_OSDMAP_*) and pool flags the client honours. */
#define CEPHC_OSDMAP_FLAG_FULL (1u << 1)
#define CEPHC_OSDMAP_FLAG_PAUSERD (1u << 2)
#define CEPHC_OSDMAP_FLAG_PAUSEWR (1u << 3)
#define CEPHC_POOL_FLAG_FULL (1ull << 1)
#define CEPHC_POOL_FLAG_FULL_QUOTA (1ull << 10)

/* Request flags (req_flags) that are not MOSDOp flags. */
enum cephc_osdc_req_flag {
	/* The caller's input buffers may change before completion: bounce
	 * them through an owned copy before sending. */
	CEPHC_OSDC_REQ_UNSTABLE = 0x1,
};

struct cephc_osdc;
struct cephc_osdc_req;

/*
 * Completion: called exactly once per submitted request.  err is 0 or the
 * OSD's negative result (req->result holds it too) or a client error
 * (CEPHC_ETIMEDOUT, CEPHC_ENOENT pool gone, CEPHC_ECANCELED on destroy,
 * CEPHC_EDECODE malformed reply).  Per-op rvals and outputs are in
 * req->ops.  The request may be freed or resubmitted from inside done.
 */
typedef void (*cephc_osdc_done_fn)(struct cephc_osdc_req *req, int err);

/*
 * A request.  The caller owns the memory: fill the public part (after
 * cephc_osdc_req_init()), submit, and keep it, its ops, its strings and
 * every buffer the ops reference valid and unchanged until done runs.
 */
struct cephc_osdc_req {
	/* --- filled by the caller --- */
	struct cephc_osd_ops *ops; /* borrowed */
	int64_t pool;
	const char *oid;    /* object name */
	const char *key;    /* locator key; NULL / "" for none */
	const char *nspace; /* namespace; NULL / "" for the default */
	uint64_t snapid;    /* reads: CEPHC_NOSNAP (head) or a snap id */
	uint64_t snap_seq;  /* writes: snap context */
	const uint64_t *snaps;
	uint32_t num_snaps;
	uint32_t flags;     /* extra CEPHC_OSD_FLAG_* (READ/WRITE implied) */
	uint32_t req_flags; /* CEPHC_OSDC_REQ_* */
	/* 0: none; CEPHC_OSDC_TIMEOUT_INHERIT (what init sets): the
	 * client's op timeout at submission */
	uint32_t timeout_ms;
	/* Target the PG of this raw hash instead of hashing oid (PG ops
	 * such as PGNLS: oid "" and the PG seed as the hash). */
	bool use_raw_hash;
	uint32_t raw_hash;
	cephc_osdc_done_fn done;
	void *arg;

	/* --- results --- */
	int result;
	uint64_t user_version; /* object version after the op */
	/* The reply's overall result even when positive (PGNLS: 1 = the PG
	 * has no more entries); 0 when there was no reply. */
	int32_t reply_result;

	/* --- private to the client --- */
	struct cephc_osdc_req *r_hnext;         /* tid hash chain */
	struct cephc_osdc_req *r_prev, *r_next; /* session list, tid order */
	struct osdc_session *r_sess;            /* NULL: homeless */
	uint64_t r_tid;
	uint32_t r_attempts;
	uint64_t r_deadline_ns;
	uint32_t r_sent_epoch;
	bool r_paused;
	bool r_paused_full; /* paused by a full pool / cluster */
	bool r_backoff_held;
	bool r_in_flight; /* a send awaits its reply */
	bool r_need_send;
	bool r_rx_active; /* its reply is being received into its buffers */
	uint32_t r_redirects;
	/* last target, for change detection */
	int64_t r_tpool;
	uint32_t r_raw_hash;
	struct cephc_pg r_pgid; /* folded */
	int r_osd;
	int r_up_primary;
	uint32_t r_pg_num, r_size, r_min_size;
	uint32_t r_acting_hash, r_up_hash;
	/* redirect target (owned copies) */
	char *r_redir_oid, *r_redir_key, *r_redir_nspace;
	int64_t r_redir_pool;
	/* receive plan of the current reply */
	struct cephc_osd_rx_plan r_plan;
	bool r_have_plan;
	uint32_t r_plan_attempt;
	struct cephc_osd_reply r_reply;
	struct cephc_msg *r_reply_msg; /* front the plan was built from */
};

/* Zero the request and set its defaults (head snap, the client's timeout). */
void cephc_osdc_req_init(struct cephc_osdc_req *req);

struct cephc_osdc_params {
	struct cephc_msgr *msgr;
	struct cephc_auth *auth; /* borrowed; driver context only */
	struct cephc_monc *monc; /* borrowed; may be NULL (tests) */
	/* The current OSDMap (owner keeps it; NULL: none yet). */
	const struct cephc_osdmap *(*get_map)(void *arg);
	/* An MOSDMap from an OSD session; the callback borrows msg. */
	void (*on_osdmap_msg)(void *arg, struct cephc_msg *msg);
	/* Optional: a write timed out while it waited for a full pool (or
	 * cluster) to have room; called before its done. */
	void (*on_full_timeout)(void *arg, int64_t pool);
	void *arg;
};

int cephc_osdc_create(const struct cephc_osdc_params *p,
		      struct cephc_osdc **out);
/* The op timeout of requests submitted from now on that inherit it (ms,
 * 0: none; CEPHC_OSDC_TIMEOUT_DEFAULT_MS until set).  Any thread. */
void cephc_osdc_set_op_timeout(struct cephc_osdc *osdc, uint32_t ms);
/* Completes every pending request with CEPHC_ECANCELED, closes sessions. */
void cephc_osdc_destroy(struct cephc_osdc *osdc);

/*
 * Submit.  Returns 0 (done will run exactly once, never from inside this
 * call) or a negative error for a request that was not accepted (done will
 * not run): CEPHC_EINVAL (no ops / oid / done), CEPHC_ENOENT (the pool is
 * not in the current map), CEPHC_ECANCELED (client being destroyed).
 */
int cephc_osdc_submit(struct cephc_osdc *osdc, struct cephc_osdc_req *req);
/* Complete a pending request with err now (e.g. the caller gave up). */
void cephc_osdc_cancel(struct cephc_osdc *osdc, struct cephc_osdc_req *req,
		       int err);

/* The owner applied a new map: retarget, resend, unpause, fail. */
void cephc_osdc_handle_map_change(struct cephc_osdc *osdc);

/*
 * Watch / notify (linger requests).
 *
 * A watch registers on an object (WATCH op, cookie = the linger id), is
 * kept alive with a PING every CEPHC_OSDC_PING_MS, and is re-registered
 * with RECONNECT after a session fault or a map change that moves the
 * object.  Notifies for it reach notify_cb; the watcher must answer each
 * with cephc_osdc_notify_ack() (else the notifier waits for its timeout).
 * A lost watch (a PING or RECONNECT failing, e.g. -ENOTCONN, or a
 * DISCONNECT from the OSD) is reported once through error_cb; the caller
 * then unwatches and watches again (notifications may have been missed).
 * Strings are copied.  Callbacks run in driver context.
 */
struct cephc_osdc_watch_params {
	int64_t pool;
	const char *oid, *key, *nspace;
	uint32_t timeout_s; /* watch timeout on the OSD; 0: its default */
	/* A notify: payload is a view valid during the call. */
	void (*notify_cb)(void *arg, uint64_t cookie, uint64_t notify_id,
			  uint64_t notifier_gid, const void *payload,
			  size_t len);
	void (*error_cb)(void *arg, uint64_t cookie, int err);
	void *arg;
};

/* Generic completion of a linger call. */
typedef void (*cephc_osdc_linger_done_fn)(void *arg, int err);

/*
 * Register a watch; *cookie identifies it.  done(arg, err) reports the
 * registration (on error the watch is gone and the cookie invalid).
 */
int cephc_osdc_watch(struct cephc_osdc *osdc,
		     const struct cephc_osdc_watch_params *p,
		     cephc_osdc_linger_done_fn done, void *arg,
		     uint64_t *cookie);
/* Unregister; the cookie is invalid at once (no more callbacks). */
int cephc_osdc_unwatch(struct cephc_osdc *osdc, uint64_t cookie,
		       cephc_osdc_linger_done_fn done, void *arg);
/* Answer a notify received on watch cookie (reply copied; done may be
 * NULL). */
int cephc_osdc_notify_ack(struct cephc_osdc *osdc, uint64_t cookie,
			  uint64_t notify_id, const void *reply, size_t len,
			  cephc_osdc_linger_done_fn done, void *arg);

/*
 * Notify the watchers of an object and collect their acks.  done gets the
 * NOTIFY_COMPLETE payload (map of (gid, cookie) -> reply, then the
 * watchers that timed out: walk it with cephc_osd_notify_iter_*; a view
 * valid during the call) or an error (CEPHC_ETIMEDOUT when the OSD's
 * answer does not come within timeout_s + 10 s).  payload is copied.
 */
typedef void (*cephc_osdc_notify_done_fn)(void *arg, int err, const void *acks,
					  size_t len);
int cephc_osdc_notify(struct cephc_osdc *osdc, int64_t pool, const char *oid,
		      const char *key, const char *nspace, const void *payload,
		      size_t len, uint32_t timeout_s,
		      cephc_osdc_notify_done_fn done, void *arg);
/* Watchers of an object: use cephc_osd_op_list_watchers() with
 * cephc_osdc_submit() and cephc_osd_watchers_iter_*() on the output. */

/* Counters for tests and benchmarks. */
struct cephc_osdc_stats {
	uint64_t sent, resent, replies, stale_replies, timeouts;
	uint64_t backoffs_blocked, backoffs_unblocked, faults;
	uint32_t in_flight, sessions;
};
void cephc_osdc_get_stats(const struct cephc_osdc *osdc,
			  struct cephc_osdc_stats *st);

/* Requests in flight; any thread (a snapshot). */
uint32_t cephc_osdc_in_flight(const struct cephc_osdc *osdc);

#endif /* CEPHC_OSDC_OSD_CLIENT_H */
