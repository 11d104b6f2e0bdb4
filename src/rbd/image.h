/* SPDX-License-Identifier: MIT */
/*
 * The RBD image handle behind include/cephc/rbd.h, shared by image.c
 * (open, metadata, management) and image_io.c (data path).
 */
#ifndef CEPHC_RBD_IMAGE_H
#define CEPHC_RBD_IMAGE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "cephc/rbd.h"
#include "rbd/image_meta.h"
#include "rbd/image_osd.h"
#include "rbd/striper.h"

/* Longest data object name: prefix + '.' + 16 hex digits. */
#define RBD_OID_MAX (CEPHC_RBD_OBJECT_PREFIX_MAX + 24)
/* Largest cls reply we accept for one metadata call. */
#define RBD_CALL_OUT_MAX (1u << 20)

struct rbd_flush;
struct snaps_grave;

struct cephc_rbd_image {
	struct cephc_cluster *c;
	struct rbd_osd *osd;
	int64_t pool;
	char *pool_name;
	char *name;
	char header_oid[RBD_OID_MAX];

	/* Set at open; size also by resize (under lock). */
	struct cephc_rbd_image_meta meta;
	struct cephc_layout layout;
	int64_t data_pool; /* pool of the data objects */
	uint64_t snap_id;  /* CEPHC_RBD_NOSNAP: head */
	bool read_only;
	bool snap_protected;
	pthread_mutex_t lock;
	uint64_t size; /* at snap_id */

	/*
	 * The snap context writes carry: driver context only once open (the
	 * header watch replaces it).  Owned; old arrays go to grave.
	 */
	uint64_t wsnap_seq;
	uint64_t *wsnaps;
	uint32_t wnum_snaps;
	struct snaps_grave *grave;
	uint64_t watch_cookie;
	bool watching;
	unsigned refreshing; /* header re-reads in flight */
	void *stop_wait;     /* close waiting for them */

	/* Driver context only: flush barrier bookkeeping. */
	uint64_t writes_in_flight;
	struct rbd_flush *flushes;

	/* Any thread, under lock: aio not yet completed (for close). */
	uint64_t aio_pending;
	pthread_cond_t idle;
};

/* Add a cls CALL op: out-data to scratch, at most RBD_CALL_OUT_MAX. */
int rbd_op_call(struct cephc_osd_ops *ops, const char *method, const void *in,
		size_t in_len, bool writes);
/* Header watch of read-write opens (image_watch.c). */
int rbd_image_watch_start(struct cephc_rbd_image *img);
void rbd_image_watch_stop(struct cephc_rbd_image *img);
/* Tell the header's watchers to re-read it (librbd HEADER_UPDATE); waits
 * for their acks or the notify timeout. */
int rbd_image_notify_header_update(struct cephc_rbd_image *img);
/* Trim [new_size, old_size) the way discard does (image_io.c). */
int rbd_image_trim(struct cephc_rbd_image *img, uint64_t new_size,
		   uint64_t old_size);

#endif /* CEPHC_RBD_IMAGE_H */
