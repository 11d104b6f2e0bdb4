/* SPDX-License-Identifier: MIT */
/*
 * How RBD images reach the OSD client: the cluster handle's own OSD client
 * (cephc_client_osdc_get() in client.h: started by the first user, kept
 * until the handle is destroyed), a synchronous batch helper for
 * metadata requests, and the calls every rbd file builds on (cls CALLs,
 * deletes, the per-thread error text).  The bottom of src/rbd after the
 * codecs: it knows no image handle (docs/architecture.md, RBD layers).
 *
 * Threading: get/put/exec are for API threads (never the loop thread);
 * requests built here complete in driver context.
 */
#ifndef CEPHC_RBD_IMAGE_OSD_H
#define CEPHC_RBD_IMAGE_OSD_H

#include <stdbool.h>
#include <stddef.h>

#include "client/client.h"
#include "osdc/osd_client.h"

/* Largest cls reply we accept for one metadata call. */
#define RBD_CALL_OUT_MAX (1u << 20)
/* Page sizes of the listing calls (librbd asks for 1024 at a time). */
#define RBD_LIST_PAGE 1024

struct rbd_osd;

/* Make sure cluster c runs its OSD client; a handle to reach it. */
int rbd_osd_get(struct cephc_cluster *c, struct rbd_osd **out);
/* Free the handle (the OSD client stays with the cluster). */
void rbd_osd_put(struct rbd_osd *o);

/* Driver context only. */
struct cephc_osdc *rbd_osd_osdc(struct rbd_osd *o);
struct cephc_cluster *rbd_osd_cluster(struct rbd_osd *o);

/*
 * Submit reqs[0..n) (filled except done/arg) in driver context and wait
 * for all of them.  Returns 0 when all were submitted; each request's
 * result is in req->result.  Scratch out-data (op_outdata) is copied
 * into the op's op_owned before the OSD client frees it, so it stays
 * readable until cephc_osd_ops_release().
 */
int rbd_osd_exec_many(struct rbd_osd *o, struct cephc_osdc_req **reqs,
		      unsigned n);
/* One request; returns its result. */
int rbd_osd_exec(struct rbd_osd *o, struct cephc_osdc_req *req);

/* Run fn(arg) in driver context (asynchronously, from any thread). */
struct rbd_osd_work {
	struct cephc_loop_work w;
	void (*fn)(struct rbd_osd_work *w);
};
void rbd_osd_submit_work(struct rbd_osd *o, struct rbd_osd_work *w);

/* ---- calls on rbd objects (metadata: sync, API threads) -------------- */

/*
 * Where metadata requests go: a pool and a namespace in it ("" the
 * default).  Every rbd object of an image in a namespace (directory, id,
 * header, object map, data) lives in that namespace, as with librbd's
 * ioctx namespace; only the namespace registry (rbd_namespace) is in the
 * default one.
 */
struct rbd_loc {
	struct rbd_osd *osd;
	int64_t pool;
	const char *ns;
};

/* A request on one object of l (the caller adds ops). */
void rbd_req_setup(struct cephc_osdc_req *req, struct cephc_osd_ops *ops,
		   const struct rbd_loc *l, const char *oid);
/* Run one CALL on oid and hand its out-data to fn (if not NULL). */
typedef int (*rbd_reply_fn)(void *arg, const uint8_t *p, size_t len);
int rbd_call(const struct rbd_loc *l, const char *oid, const char *method,
	     const void *in, size_t in_len, bool writes, rbd_reply_fn fn,
	     void *arg);
/* The same for a method of another object class (cls "lock", ...). */
int rbd_cls_call(const struct rbd_loc *l, const char *oid, const char *cls,
		 const char *method, const void *in, size_t in_len,
		 bool writes, rbd_reply_fn fn, void *arg);
/* LIST_WATCHERS on oid: fn(arg, watcher) for each (a non-zero return
 * stops the walk and is returned). */
typedef int (*rbd_watcher_fn)(void *arg, const struct cephc_osd_watcher *w);
int rbd_watchers_each(const struct rbd_loc *l, const char *oid,
		      rbd_watcher_fn fn, void *arg);
/* Run ops (then released) on oid; returns the request's result. */
int rbd_exec_ops(const struct rbd_loc *l, const char *oid,
		 struct cephc_osd_ops *ops);
/* Delete oid; ENOENT counts as done. */
int rbd_delete_object(const struct rbd_loc *l, const char *oid);
/* Pool id -> name from the OSDMap we hold ("" when unknown). */
void rbd_pool_name(struct cephc_cluster *c, int64_t id, char *buf, size_t cap);
/* Resolve pool name (and keep a handle to the OSD client) for l. */
int rbd_loc_open(struct cephc_cluster *c, const char *pool, const char *ns,
		 struct rbd_loc *l);
void rbd_loc_close(struct rbd_loc *l);

/* The text cephc_rbd_last_error() returns on this thread. */
void rbd_set_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
bool rbd_have_err(void);
/* Forget it: each public entry point that sets one clears it first. */
void rbd_clear_err(void);

/* Add a cls CALL op: out-data to scratch, at most RBD_CALL_OUT_MAX. */
int rbd_op_call(struct cephc_osd_ops *ops, const char *method, const void *in,
		size_t in_len, bool writes);
int rbd_op_cls_call(struct cephc_osd_ops *ops, const char *cls,
		    const char *method, const void *in, size_t in_len,
		    bool writes);

/* A configuration option of c as librbd reads it: def when unset or not
 * a boolean / an unsigned number. */
bool rbd_conf_bool(struct cephc_cluster *c, const char *opt, bool def);
uint64_t rbd_conf_u64(struct cephc_cluster *c, const char *opt, uint64_t def);

#endif /* CEPHC_RBD_IMAGE_OSD_H */
