/* SPDX-License-Identifier: MIT */
/*
 * What the OSDMap layer asks of a decoded CRUSH map beyond the crush API:
 * item weights as CrushWrapper::get_item_weight() reports them.
 */
#include "osdmap/osdmap_internal.h"

#include "osdmap/crush/crush_internal.h"

int osdmap_crush_item_weight(const struct cephc_crush_map *c, int id)
{
	int32_t b;
	uint32_t i;

	if (!c)
		return -ENOENT;
	for (b = 0; b < c->max_buckets; b++) {
		const struct crush_bucket *bk = &c->buckets[b];

		if (!bk->alg)
			continue;
		for (i = 0; i < bk->size; i++) {
			if (bk->items[i] != id)
				continue;
			switch (bk->alg) {
			case CRUSH_BUCKET_UNIFORM:
				return (int)bk->uniform_weight;
			case CRUSH_BUCKET_TREE: {
				/* tree nodes: leaf i sits at 2(i+1) - 1 */
				uint32_t node = ((i + 1) << 1) - 1;

				return node < bk->num_nodes
					   ? (int)bk->node_weights[node]
					   : 0;
			}
			default:
				return (int)bk->item_weights[i];
			}
		}
	}
	return -ENOENT;
}
