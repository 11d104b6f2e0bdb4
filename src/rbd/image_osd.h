/* SPDX-License-Identifier: MIT */
/*
 * How RBD images reach the OSD client: the cluster handle's own OSD client
 * (cephc_client_osdc_get() in client.h: started by the first user, kept
 * until the handle is destroyed), plus a synchronous batch helper for
 * metadata requests.
 *
 * Threading: get/put/exec are for API threads (never the loop thread);
 * requests built here complete in driver context.
 */
#ifndef CEPHC_RBD_IMAGE_OSD_H
#define CEPHC_RBD_IMAGE_OSD_H

#include "client/client.h"
#include "osdc/osd_client.h"

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

#endif /* CEPHC_RBD_IMAGE_OSD_H */
