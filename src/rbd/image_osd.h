/* SPDX-License-Identifier: MIT */
/*
 * Adapter between RBD images and the OSD client core (osdc/osd_client.h)
 * until the cluster handle owns an OSD client itself: one refcounted OSD
 * client per cephc_cluster, fed the cluster's OSDMap.
 *
 * The cluster applies maps in driver context without telling us, so a
 * timer notices epoch changes and calls cephc_osdc_handle_map_change();
 * an MOSDMap seen on an OSD session just asks the monitor for newer maps.
 *
 * Threading: get/put/exec are for API threads (never the loop thread);
 * requests built here complete in driver context.
 */
#ifndef CEPHC_RBD_IMAGE_OSD_H
#define CEPHC_RBD_IMAGE_OSD_H

#include "client/client.h"
#include "osdc/osd_client.h"

/* How often the map epoch is compared (driver context). */
#define CEPHC_RBD_MAP_POLL_MS 100

struct rbd_osd;

/* Attach (creating on first use) the OSD client of cluster c. */
int rbd_osd_get(struct cephc_cluster *c, struct rbd_osd **out);
/* Drop a reference; the last one destroys the OSD client. */
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
