/* SPDX-License-Identifier: MIT */
/*
 * Snapshot maintenance (image_snap_ops.c, layer 6: it opens images) as
 * other management code needs it: a clone's flatten or removal detaches
 * the clone from its parent's snapshot, and when that snapshot sits in
 * the trash namespace (a v2 parent snapshot removed while clones still
 * used it) and has no child left, librbd removes it there and then; so
 * does cephc.
 */
#ifndef CEPHC_RBD_IMAGE_SNAP_OPS_H
#define CEPHC_RBD_IMAGE_SNAP_OPS_H

#include <stdint.h>

#include "cephc/cluster.h"

/*
 * Open the image pool/nspace/image_id for writing and, when its snapshot
 * snap_id is in the trash namespace and has no children, remove it as
 * cephc_rbd_snap_remove() does (as the exclusive lock's owner; object
 * map merged; self-managed snapshot released; header-update notify).
 * 0 when removed or when there is nothing to do (snapshot gone, not in
 * the trash, children left); a negative error otherwise.  Blocking (API
 * threads).
 */
int rbd_snap_trash_gc(struct cephc_cluster *c, int64_t pool, const char *nspace,
		      const char *image_id, uint64_t snap_id);

#include "rbd/cls_rbd.h"

struct cephc_rbd_image;

/* One snapshot as the header holds it (image_snap.c): snapshot_get and
 * get_protection_status (CEPHC_RBD_PROTECTION_*). */
struct rbd_snap_rec {
	struct cephc_rbd_snap_info info;
	uint8_t prot;
};
/* Every snapshot of the header now (not as of open), newest first (the
 * snap context's order), two ops each, a request's worth at a time;
 * free *out with rbd_snap_recs_free(). */
int rbd_snaps_fetch(struct cephc_rbd_image *img, struct rbd_snap_rec **out,
		    uint32_t *count);
void rbd_snap_recs_free(struct rbd_snap_rec *v, uint32_t n);

/*
 * librbd's DetachChildRequest: the parent snapshot ps forgets the clone
 * img (v2: child_detach on the parent's header, then the snapshot's
 * collection by rbd_snap_trash_gc(), whose failure is only logged; v1:
 * remove_child in rbd_children of the clone's pool).  Already gone counts
 * as done.  Used by removal, flatten and snapshot removal (a clone
 * flattened without deep-flatten keeps the parent for its snapshots; the
 * last of them lets it go).  Blocking (API threads).
 */
int rbd_detach_child(struct cephc_rbd_image *img,
		     const struct cephc_rbd_parent_spec *ps);

/* Which clones rbd_snap_children_walk() looks for (either or both). */
#define RBD_CHILDREN_V1 0x1u /* clone v1: rbd_children of every pool */
#define RBD_CHILDREN_V2 0x2u /* clone v2: children_list on the header */

/* One child: its pool, namespace and image id (valid during the call);
 * a non-zero return stops the walk and is returned by it. */
typedef int (*rbd_child_fn)(void *arg, int64_t pool, const char *nspace,
			    const char *image_id);

/*
 * Every clone of img's snapshot snap_id, as librbd finds them (image_snap.c):
 * with RBD_CHILDREN_V2, children_list of the snapshot on img's header
 * (ENOENT or EOPNOTSUPP: none); with RBD_CHILDREN_V1, get_children on
 * rbd_children in img's namespace of every pool (ENOENT, EOPNOTSUPP or
 * EPERM in a pool: none there).  fn runs once per child, v2 ones first,
 * on the caller's thread.  0, fn's first non-zero return, or the first
 * error.  Blocking (API threads).
 */
int rbd_snap_children_walk(struct cephc_rbd_image *img, uint64_t snap_id,
			   unsigned flags, rbd_child_fn fn, void *arg);

#endif /* CEPHC_RBD_IMAGE_SNAP_OPS_H */
