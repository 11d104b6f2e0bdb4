/* SPDX-License-Identifier: MIT */
/*
 * Sans-IO planning of RBD image I/O: image extent -> object extents, and
 * what a discard does to each object (librbd io/ObjectRequest.cc rules).
 */
#ifndef CEPHC_RBD_IMAGE_PLAN_H
#define CEPHC_RBD_IMAGE_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "rbd/striper.h"

/* Most object extents one I/O may be cut into (a 4 GiB I/O at 4 KiB
 * stripe units), so a plan's allocation stays bounded. */
#define CEPHC_RBD_PLAN_MAX_EXTENTS (1u << 20)

struct rbd_plan {
	struct cephc_stripe_chunk *v; /* owned; free with rbd_plan_free */
	unsigned n, cap;
};

/*
 * The object extents of image bytes [off, off + len) in image order.  With
 * merge, they are sorted by (object, offset) and extents that touch inside
 * one object are joined (img_off then means the first piece's).  Returns 0,
 * CEPHC_ENOMEM or CEPHC_E2BIG (over CEPHC_RBD_PLAN_MAX_EXTENTS).
 */
int rbd_plan_build(struct rbd_plan *p, const struct cephc_layout *l,
		   uint64_t off, uint64_t len, bool merge);
void rbd_plan_free(struct rbd_plan *p);

/*
 * Compare-and-write's rule (librbd): the image bytes [off, off + len),
 * len > 0, must lie in one object, where they are then contiguous too
 * (with striping the next stripe unit is another object's, or, with one
 * object per set, the same object's next bytes).  0 and *out = that
 * extent, or CEPHC_EINVAL when they span objects or len is 0.
 */
int rbd_plan_one_object(const struct cephc_layout *l, uint64_t off,
			uint64_t len, struct cephc_stripe_chunk *out);

enum rbd_discard_action {
	RBD_DISCARD_DELETE,   /* the whole in-image part of the object */
	RBD_DISCARD_TRUNCATE, /* from obj_off to the object's in-image end */
	RBD_DISCARD_ZERO,     /* strictly inside */
};

/* What discarding merged extent c of an image of image_size bytes does. */
enum rbd_discard_action rbd_discard_action(const struct cephc_layout *l,
					   const struct cephc_stripe_chunk *c,
					   uint64_t image_size);

#endif /* CEPHC_RBD_IMAGE_PLAN_H */
