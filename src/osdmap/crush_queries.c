/* SPDX-License-Identifier: MIT */
/*
 * What the OSDMap layer asks of a decoded CRUSH map beyond the crush API:
 * item weights as CrushWrapper::get_item_weight() reports them, and a
 * bound on the retry and replica counts a peer-supplied map may ask the
 * mapper for.
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

int osdmap_crush_check_tries(const struct cephc_crush_map *c)
{
	uint32_t r, s;

	/*
	 * The mapper retries up to choose_total_tries times per replica and
	 * up to local (+ fallback) tries per bucket; a map asking for 2^31
	 * turns every mapping into a practically endless loop (Ceph's own
	 * mapper would spin too).  Real maps use 50/100 and 0-5.
	 */
	if (c->choose_total_tries > CEPHC_OSDMAP_MAX_CRUSH_TRIES ||
	    c->choose_local_tries > CEPHC_OSDMAP_MAX_CRUSH_LOCAL_TRIES ||
	    c->choose_local_fallback_tries > CEPHC_OSDMAP_MAX_CRUSH_LOCAL_TRIES)
		return CEPHC_ETOOBIG;
	for (r = 0; r < c->max_rules; r++) {
		const struct crush_rule *rule = &c->rules[r];

		if (!rule->exists)
			continue;
		for (s = 0; s < rule->len; s++) {
			const struct crush_rule_step *st = &rule->steps[s];
			int32_t max;

			switch (st->op) {
			case CRUSH_RULE_SET_CHOOSE_TRIES:
			case CRUSH_RULE_SET_CHOOSELEAF_TRIES:
				max = CEPHC_OSDMAP_MAX_CRUSH_TRIES;
				break;
			case CRUSH_RULE_SET_CHOOSE_LOCAL_TRIES:
			case CRUSH_RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES:
				max = CEPHC_OSDMAP_MAX_CRUSH_LOCAL_TRIES;
				break;
			case CRUSH_RULE_CHOOSE_FIRSTN:
			case CRUSH_RULE_CHOOSE_INDEP:
			case CRUSH_RULE_CHOOSELEAF_FIRSTN:
			case CRUSH_RULE_CHOOSELEAF_INDEP:
				/* numrep: the mapper walks every replica slot
				 * even when the result is already capped. */
				max = CEPHC_CRUSH_MAX_RESULT;
				break;
			default:
				continue;
			}
			if (st->arg1 > max)
				return CEPHC_ETOOBIG;
		}
	}
	return 0;
}
