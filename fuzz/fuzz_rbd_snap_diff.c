/* SPDX-License-Identifier: MIT */
/*
 * LIST_SNAPS replies (obj_list_snap_response_t) from a hostile OSD: the
 * decoder, then the snap-set diff and the per-object delta between a few
 * snapshot pairs on whatever decoded.  The first 2 input bytes pick the
 * start and end snapshots; the rest is the reply.
 */
#include <stddef.h>
#include <stdint.h>

#include "rbd/cls_rbd.h"
#include "rbd/snap_diff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rbd_snapset ss;
	struct rbd_ivset d, z;
	uint64_t from, end;

	if (size < 2)
		return 0;
	from = data[0] % 16;
	end = data[1] >= 240 ? CEPHC_RBD_NOSNAP : from + data[1] % 16;
	if (rbd_snapset_decode(data + 2, size - 2, &ss))
		return 0;
	rbd_ivset_init(&d);
	rbd_ivset_init(&z);
	(void)rbd_object_delta(&ss, from, end, 4194304, data[0] & 0x80, &d, &z);
	/* the sets stay sorted and disjoint */
	for (uint32_t i = 1; i < d.n; i++)
		if (d.v[i].off <= d.v[i - 1].off + d.v[i - 1].len)
			__builtin_trap();
	rbd_ivset_free(&d);
	rbd_ivset_free(&z);
	rbd_snapset_free(&ss);
	return 0;
}
