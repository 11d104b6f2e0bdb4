/* SPDX-License-Identifier: MIT */
#include "rbd/striper.h"

#include <stdio.h>

#include "cephc/errors.h"

int cephc_layout_check(const struct cephc_layout *l)
{
	if (l->object_size == 0 || l->stripe_unit == 0 || l->stripe_count == 0)
		return CEPHC_EINVAL;
	if (l->object_size % l->stripe_unit)
		return CEPHC_EINVAL;
	/* keep objset arithmetic far from overflow */
	if (l->stripe_count > (1u << 20) || l->object_size > (1ull << 40))
		return CEPHC_EINVAL;
	return 0;
}

static bool layout_is_default(const struct cephc_layout *l)
{
	return l->stripe_count == 1 && l->stripe_unit == l->object_size;
}

int cephc_striper_walk(const struct cephc_layout *l, uint64_t off, uint64_t len,
		       cephc_stripe_chunk_fn fn, void *arg)
{
	const uint64_t su = l->stripe_unit, cnt = l->stripe_count;
	const uint64_t su_per_obj = l->object_size / su;
	/* With default striping a whole object is one unit of contiguity. */
	const uint64_t span = layout_is_default(l) ? l->object_size : su;
	int r;

	while (len) {
		struct cephc_stripe_chunk c;
		uint64_t blockno = off / su;
		uint64_t stripeno = blockno / cnt;
		uint64_t stripepos = blockno % cnt;
		uint64_t objsetno = stripeno / su_per_obj;

		c.objno = objsetno * cnt + stripepos;
		c.obj_off = (stripeno % su_per_obj) * su + off % su;
		c.img_off = off;
		c.len = span - (layout_is_default(l) ? c.obj_off : off % su);
		if (c.len > len)
			c.len = len;
		r = fn(arg, &c);
		if (r)
			return r;
		off += c.len;
		len -= c.len;
	}
	return 0;
}

uint64_t cephc_striper_num_objects(const struct cephc_layout *l,
				   uint64_t image_size)
{
	const uint64_t set_bytes = l->object_size * l->stripe_count;
	uint64_t full_sets = image_size / set_bytes;
	uint64_t rem = image_size % set_bytes;
	uint64_t n = full_sets * l->stripe_count;

	if (rem) {
		/* a partial set touches min(count, units left) objects */
		uint64_t units = (rem + l->stripe_unit - 1) / l->stripe_unit;
		n += units < l->stripe_count ? units : l->stripe_count;
	}
	return n;
}

uint64_t cephc_striper_object_extent_in_image(const struct cephc_layout *l,
					      uint64_t objno,
					      uint64_t image_size)
{
	const uint64_t su = l->stripe_unit, cnt = l->stripe_count;
	const uint64_t su_per_obj = l->object_size / su;
	const uint64_t objsetno = objno / cnt, stripepos = objno % cnt;
	uint64_t bytes = 0;

	/* Sum, row by row, the part of each of this object's stripe units
	 * that lies below image_size; rows are in increasing image order. */
	for (uint64_t row = 0; row < su_per_obj; row++) {
		uint64_t stripeno = objsetno * su_per_obj + row;
		uint64_t img = (stripeno * cnt + stripepos) * su;

		if (img >= image_size)
			break;
		bytes += image_size - img < su ? image_size - img : su;
		if (image_size - img < su)
			break;
	}
	return bytes;
}

int cephc_striper_object_name(char *buf, size_t len, const char *prefix,
			      uint64_t objno)
{
	return snprintf(buf, len, "%s.%016llx", prefix,
			(unsigned long long)objno);
}
