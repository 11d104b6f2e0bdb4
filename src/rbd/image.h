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

struct rbd_flush;
struct snaps_grave;
struct rbd_exlock;
struct rbd_om;
struct rbd_notify_msg;

/*
 * The header watch (layer 2) hands lock messages up through hooks the
 * exclusive lock (layer 3) installs, rather than calling up.  Driver
 * context.  notify: a decoded message other than a header update; fill
 * reply (at most RBD_WATCH_REPLY_MAX bytes) and *reply_len (0: an empty
 * ack).  rewatched: the watch was registered again (new cookie) or that
 * failed (err).
 */
#define RBD_WATCH_REPLY_MAX 16
struct rbd_watch_hooks {
	void (*notify)(struct cephc_rbd_image *img,
		       const struct rbd_notify_msg *m, uint8_t *reply,
		       size_t *reply_len);
	void (*rewatched)(struct cephc_rbd_image *img, int err);
};

struct cephc_rbd_image {
	struct cephc_cluster *c;
	struct rbd_osd *osd;
	int64_t pool;
	char *pool_name;
	char *nspace; /* "" for the default namespace */
	char *name;   /* "" when opened by id and not in the directory */
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
	bool lock_owner; /* we hold "rbd_lock" on the header (removal) */
	/*
	 * Feature maintainers (layer 3): the exclusive lock
	 * (image_exclusive_lock.c) and the object map (image_object_map.c);
	 * NULL when the image lacks the feature, is read-only, or (om) the
	 * lock is not held.  lock_cookie is "auto <watch cookie>" while we
	 * hold the header lock, "" otherwise (set under lock; both
	 * maintainers assert it).
	 */
	struct rbd_exlock *ex;
	struct rbd_om *om;
	char lock_cookie[64];
	/* what the header watch hands up to the exclusive lock */
	const struct rbd_watch_hooks *watch_hooks;

	/* Clones: the parent at its snapshot, and the bytes of this image
	 * (at snap_id) that fall through to it when a child object is
	 * missing.  The overlap shrinks with the image (resize here, or a
	 * header refresh after another client's resize or flatten). */
	struct cephc_rbd_image *parent;
	_Atomic uint64_t parent_overlap;
	unsigned refreshing; /* header re-reads in flight */
	void *stop_wait;     /* close waiting for them */

	/* Driver context only: flush barrier bookkeeping. */
	uint64_t writes_in_flight;
	struct rbd_flush *flushes;

	/* Any thread, under lock: aio not yet completed (for close), and
	 * the notifies among them (flushed before the lock goes). */
	uint64_t aio_pending;
	uint64_t notifies_pending;
	pthread_cond_t idle;
};

static inline struct rbd_loc rbd_image_loc(const struct cephc_rbd_image *img)
{
	struct rbd_loc l = {img->osd, img->pool, img->nspace};

	return l;
}

/* A request on the image's header (the caller adds ops). */
static inline void rbd_image_req_setup(struct cephc_osdc_req *req,
				       struct cephc_osd_ops *ops,
				       const struct cephc_rbd_image *img)
{
	struct rbd_loc l = rbd_image_loc(img);

	rbd_req_setup(req, ops, &l, img->header_oid);
}

/* rbd_call() in the image's pool and namespace. */
static inline int rbd_image_call(const struct cephc_rbd_image *img,
				 const char *oid, const char *method,
				 const void *in, size_t in_len, bool writes,
				 rbd_reply_fn fn, void *arg)
{
	struct rbd_loc l = rbd_image_loc(img);

	return rbd_call(&l, oid, method, in, in_len, writes, fn, arg);
}

/*
 * Open by name, or by id when id is not NULL (name then comes from the
 * directory, "" when it is not there: trash entries), at snapshot snap (a
 * name) or snap_id (when snap is NULL; CEPHC_RBD_NOSNAP: head).  flags as
 * for cephc_rbd_open(); RBD_OPEN_ANY_FEATURES skips the feature checks
 * and the parent (removal works whatever the image uses).
 */
#define RBD_OPEN_ANY_FEATURES 0x100u
/* Clone chains longer than this are refused (a loop in the metadata). */
#define RBD_PARENT_DEPTH_MAX 32
int rbd_image_open(struct cephc_cluster *c, const char *pool, const char *ns,
		   const char *name, const char *id, const char *snap,
		   uint64_t snap_id, unsigned flags,
		   struct cephc_rbd_image **out);
/*
 * A read of image bytes [off, off + len) that found no child object: the
 * part below the parent overlap is read from the parent into buf (the
 * rest must already be zeros).  0: done(comp, arg) will run once, on the
 * loop thread; 1: nothing to read there; < 0: error.  image_io.c.
 */
int rbd_image_read_parent(struct cephc_rbd_image *img, uint64_t off,
			  uint64_t len, void *buf, cephc_rbd_callback_t done,
			  void *arg);

/* The header's exclusive lock (image_lock.c).  Drop it if we hold it
 * (close does too). */
void rbd_image_release_lock(struct cephc_rbd_image *img);
/*
 * Watch the header and take its exclusive lock, as a lock owner would
 * (breaking a dead owner's lock); EBUSY when someone else holds it.
 */
int rbd_image_acquire_lock(struct cephc_rbd_image *img);
/*
 * The exclusive lock (image_exclusive_lock.c).  init at open (read-write,
 * exclusive-lock feature: starts the lock's worker thread), shutdown at
 * close once no I/O is left (releases the lock if held).
 */
int rbd_exlock_init(struct cephc_rbd_image *img);
void rbd_exlock_shutdown(struct cephc_rbd_image *img);
/* A write waiting for the lock; fn runs in driver context with 0 (the
 * write is admitted and pins the lock) or the error that ended waiting. */
struct rbd_lock_waiter {
	struct rbd_lock_waiter *next;
	void (*fn)(struct rbd_lock_waiter *w, int err);
};
/*
 * Driver context, before each write: 2 when the image has no exclusive
 * lock (go on, nothing pinned); 1 when we own it (go on; the write pins it
 * until rbd_exlock_unpin()); 0 when w is queued until the worker took it;
 * < 0 when writes are refused now (explicit policy without the lock:
 * CEPHC_EROFS).
 */
int rbd_exlock_gate(struct cephc_rbd_image *img, struct rbd_lock_waiter *w);
void rbd_exlock_unpin(struct cephc_rbd_image *img);
/*
 * A management op that needs the exclusive lock (resize, object-map
 * rebuild, ...): blocking; own the lock (asking a live owner for it) and
 * pin it, so that a peer's request to release waits until
 * rbd_image_op_end().  CEPHC_EROFS when the owner refuses.
 */
int rbd_image_op_begin(struct cephc_rbd_image *img);
void rbd_image_op_end(struct cephc_rbd_image *img);
/*
 * Inside rbd_image_op_begin/end (image_exclusive_lock.c): hold new writes
 * back (they queue, in order) and wait until the writes in flight are
 * done, object-map updates included; unblock lets the queued ones pass.
 * librbd's snapshot create and rollback block writes so.  No-ops without
 * an exclusive lock.  API threads.
 */
int rbd_exlock_block_writes(struct cephc_rbd_image *img);
void rbd_exlock_unblock_writes(struct cephc_rbd_image *img);
/*
 * Blocklist addr ("ip:port/nonce") before breaking its lock, as librbd
 * does (image_lock.c): the expire is rbd_blocklist_expire_seconds sent as
 * a JSON number, or none for the monitors' default (a quoted number is
 * refused); then wait for the newest OSDMap so the OSDs know.
 */
int rbd_lock_blocklist(struct cephc_rbd_image *img, const char *addr);
/* How many watch the header besides our own watch. */
int rbd_image_other_watchers(struct cephc_rbd_image *img, unsigned *others);
/* The parent's snapshot named by spec (snapshot_get on its header, in the
 * parent's pool and namespace); clear *out with cephc_rbd_snap_info_clear. */
int rbd_parent_snap_get(struct rbd_osd *osd,
			const struct cephc_rbd_parent_spec *spec,
			struct cephc_rbd_snap_info *out);
/* The header's parent spec and the overlap at snap_id (NOSNAP: head);
 * *has false when there is no parent there.  Clear spec after. */
int rbd_parent_spec_at(struct cephc_rbd_image *img, uint64_t snap_id,
		       struct cephc_rbd_parent_spec *spec, bool *has,
		       uint64_t *overlap);

/* Every trash entry of l (all pages); trash_list reply decoder
 * (image_trash.c). */
int rbd_trash_list_all(const struct rbd_loc *l,
		       struct cephc_rbd_trash_list *out);
int rbd_reply_trash_list(void *arg, const uint8_t *p, size_t len);

/* Header watch of read-write opens (image_watch.c). */
int rbd_image_watch_start(struct cephc_rbd_image *img);
void rbd_image_watch_stop(struct cephc_rbd_image *img);
/* Tell the header's watchers to re-read it (librbd HEADER_UPDATE); sent,
 * not waited for (close waits). */
int rbd_image_notify_header_update(struct cephc_rbd_image *img);
/* Wait until the notifies sent without waiting have been answered (or
 * timed out): librbd's flush before it releases the lock.  img->lock
 * held; API threads. */
int rbd_image_notify_flush(struct cephc_rbd_image *img);
/* Notify the header's watchers with payload (at most RBD_NOTIFY_MSG_MAX
 * bytes): sent, not waited for (close waits). */
int rbd_image_notify(struct cephc_rbd_image *img, const void *payload,
		     size_t len);
/* The same, waiting for the acks (or the 5 s notify timeout: then
 * CEPHC_ETIMEDOUT, the acks that came still passed): on_acks(arg, reply,
 * len) gets the notify reply in the calling thread.  API threads. */
int rbd_image_notify_wait(struct cephc_rbd_image *img, const void *payload,
			  size_t len, rbd_reply_fn on_acks, void *arg);
/* Re-read snap context, size (and a clone's overlap) now; API threads. */
int rbd_image_refresh(struct cephc_rbd_image *img);
/* Writes from now on carry the snapshot just added (id newer than the
 * snap context's seq), without waiting for a header re-read, as librbd
 * does; API threads. */
int rbd_image_snapc_add(struct cephc_rbd_image *img, uint64_t id);
/*
 * Flatten's copy-up of object objno (image_io.c): when the object is
 * absent and starts inside the parent overlap, copy the parent's bytes
 * of it in with the rbd class's copyup, as a write to it would (HEAD map
 * EXISTS and the snapshots' maps first; an empty snap context when the
 * image has snapshots); nothing when it exists or the parent holds only
 * zeros there.  comp fires once, on the loop thread.  Runs under the
 * caller's rbd_image_op_begin() pin (does not wait for the lock).
 */
int rbd_image_copyup_object(struct cephc_rbd_image *img, uint64_t objno,
			    cephc_rbd_completion *comp);
/* Trim [new_size, old_size) the way discard does (image_io.c). */
int rbd_image_trim(struct cephc_rbd_image *img, uint64_t new_size,
		   uint64_t old_size);

#endif /* CEPHC_RBD_IMAGE_H */
