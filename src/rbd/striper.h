/* SPDX-License-Identifier: MIT */
/*
 * RBD striping: which object bytes hold which image bytes.  Pure functions.
 *
 * Ceph's file layout: the image is cut into stripe units (su) dealt
 * round-robin across stripe_count objects; once each object of the set
 * holds object_size bytes, the next object set begins.  For a byte at image
 * offset off:
 *     blockno   = off / su            stripeno = blockno / count
 *     stripepos = blockno % count     objsetno = stripeno / (osize / su)
 *     objno     = objsetno * count + stripepos
 *     obj_off   = (stripeno % (osize / su)) * su + off % su
 * Default striping (su = object_size, count = 1) reduces to
 * objno = off / osize, obj_off = off % osize.
 */
#ifndef CEPHC_RBD_STRIPER_H
#define CEPHC_RBD_STRIPER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct cephc_layout {
	uint64_t object_size;  /* 2^order, 4 KiB .. 32 MiB for images */
	uint64_t stripe_unit;  /* divides object_size */
	uint64_t stripe_count; /* >= 1 */
};

/* 0 when the layout is usable, CEPHC_EINVAL otherwise. */
int cephc_layout_check(const struct cephc_layout *l);

/*
 * A run of image bytes that lands contiguously in one object:
 * [img_off, img_off + len) of the image is [obj_off, obj_off + len) of
 * object objno.
 */
struct cephc_stripe_chunk {
	uint64_t objno;
	uint64_t obj_off;
	uint64_t img_off;
	uint64_t len;
};

/*
 * Walk [off, off + len) in image order, calling fn once per chunk.  A chunk
 * never crosses a stripe unit boundary except with default striping, where
 * it runs to the end of the object.  fn returning non-zero stops the walk
 * and that value is returned.  No allocation.
 */
typedef int (*cephc_stripe_chunk_fn)(void *arg,
				     const struct cephc_stripe_chunk *c);
int cephc_striper_walk(const struct cephc_layout *l, uint64_t off, uint64_t len,
		       cephc_stripe_chunk_fn fn, void *arg);

/* The image byte range covered by object objno's bytes [0, obj_len) for an
 * image of image_size bytes: how many bytes of that object lie inside the
 * image (used to decide whole-object discard / truncate). */
uint64_t cephc_striper_object_extent_in_image(const struct cephc_layout *l,
					      uint64_t objno,
					      uint64_t image_size);

/* Number of objects an image of image_size bytes may touch. */
uint64_t cephc_striper_num_objects(const struct cephc_layout *l,
				   uint64_t image_size);

/* "<prefix>.%016llx": RBD data object name; returns snprintf's length. */
int cephc_striper_object_name(char *buf, size_t len, const char *prefix,
			      uint64_t objno);

#endif /* CEPHC_RBD_STRIPER_H */
