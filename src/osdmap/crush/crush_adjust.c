/* SPDX-License-Identifier: MIT */
/*
 * Changing one item's CRUSH weight the way Ceph's
 * CrushWrapper::adjust_item_weight() does (what `osdmaptool --mark-up-in`
 * applies to weight-0 devices).  For every bucket holding the item, and
 * once per occurrence:
 *  - the item's entry in the bucket's choose_args weight sets becomes the
 *    new weight (first level only);
 *  - the bucket's own per-algorithm weights change (builder.c's
 *    crush_bucket_adjust_item_weight), and the bucket's new total is then
 *    set as its weight in every bucket holding it, recursively, without
 *    touching weight sets.
 * And after each bucket visited, whether or not it held the item, each
 * weight set of that bucket is summed per position and the sums become
 * the bucket's entries in its parents' weight sets, recursively, so
 * weight sets keep adding up along the tree.  That pass (Ceph's
 * choose_args_adjust_item_weight) gives every bucket it meets without a
 * weight set one, filled with the bucket's own weights: after an adjust,
 * a choose_args map that had any weight set has one on every bucket.
 *
 * Straw (v1) buckets get all their straw lengths recomputed from the new
 * item weights (builder.c's crush_calc_straw), per the map's
 * straw_calc_version.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "crush_internal.h"

/*
 * Deepest recursion accepted.  Ceph's maps are at most CRUSH_MAX_DEPTH (10)
 * levels deep, but creating missing weight sets recurses once per bucket
 * created (each new set is pushed up before the next bucket is looked
 * at), so the bound covers maps with a few thousand buckets; frames are
 * small (sums live on the heap).
 */
#define CRUSH_ADJUST_MAX_DEPTH 4096

static uint32_t item_pos(const struct crush_bucket *b, int id)
{
	uint32_t i;

	for (i = 0; i < b->size; i++)
		if (b->items[i] == id)
			break;
	return i;
}

/*
 * 0 when every bucket at or above `id` can be adjusted, CEPHC_ENOMEM when
 * a straw bucket's scratch cannot be had, CEPHC_ETOOBIG when the graph
 * above is too deep.
 */
static int check_adjustable(const struct cephc_crush_map *m, int id,
			    unsigned depth)
{
	if (depth > CRUSH_ADJUST_MAX_DEPTH)
		return CEPHC_ETOOBIG;
	for (int32_t bidx = 0; bidx < m->max_buckets; bidx++) {
		const struct crush_bucket *b = &m->buckets[bidx];
		int r;

		if (!b->alg || item_pos(b, id) == b->size)
			continue;
		r = check_adjustable(m, b->id, depth + 1);
		if (r)
			return r;
	}
	return 0;
}

/* Tree nodes: the parent of node n sits 2^height(n) away, on the side
 * given by the next bit up. */
static uint32_t tree_parent(uint32_t n)
{
	uint32_t h = (uint32_t)__builtin_ctz(n);

	return n & (1u << (h + 1)) ? n - (1u << h) : n + (1u << h);
}

/* Number of tree levels builder.c uses for `size` leaves. */
static uint32_t tree_depth(uint32_t size)
{
	uint32_t depth = 1;

	if (!size)
		return 0;
	for (uint32_t t = size - 1; t; t >>= 1)
		depth++;
	return depth;
}

/*
 * Straw lengths of a straw (v1) bucket from its item weights.  Items are
 * visited lightest first (ties in bucket order); weight-0 items get length
 * 0; the first real item gets 1.0 and each heavier step scales the length
 * by (1 / p)^(1 / n), p being the share of weight below the step and n the
 * items still above it.  straw_calc_version 0 keeps Ceph's original
 * miscounting (zero-weight items and ties stay in n; no step between equal
 * weights); 1 and later count each item once.  Lengths are 16.16 fixed
 * point, truncated.  CEPHC_ENOMEM when the order cannot be allocated.
 */
static int straw_lengths(struct crush_bucket *b, uint8_t calc_version)
{
	const uint32_t *w = b->item_weights;
	uint32_t n = b->size, *order, left = n;
	double len = 1.0, below = 0, prev_w = 0;

	if (!n)
		return 0;
	order = cephc_malloc_array(n, sizeof(*order));
	if (!order)
		return CEPHC_ENOMEM;
	/* stable ascending order by weight */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t at = i;

		while (at > 0 && w[order[at - 1]] > w[i]) {
			order[at] = order[at - 1];
			at--;
		}
		order[at] = i;
	}
	for (uint32_t k = 0; k < n; k++) {
		uint32_t cur = order[k];
		double step;

		if (w[cur] == 0) {
			b->straws[cur] = 0;
			if (calc_version >= 1)
				left--;
			continue;
		}
		b->straws[cur] = (uint32_t)(len * 0x10000);
		if (k + 1 == n)
			break;
		uint32_t next = order[k + 1];
		if (calc_version == 0) {
			if (w[next] == w[cur])
				continue;
			below += ((double)w[cur] - prev_w) * left;
			for (uint32_t j = k + 1; j < n && w[order[j]] == w[next];
			     j++)
				left--;
		} else {
			below += ((double)w[cur] - prev_w) * left;
			left--;
		}
		/* a u32 product, wrapping as Ceph's does, then widened */
		step = (double)(uint32_t)(left * (w[next] - w[cur]));
		len *= pow(1.0 / (below / (below + step)), 1.0 / left);
		prev_w = w[cur];
	}
	cephc_free(order);
	return 0;
}

/*
 * Per-algorithm weight change of the first occurrence of `id` in b (all
 * arithmetic mod 2^32, as Ceph's u32 fields wrap).
 */
static int bucket_set_weight(const struct cephc_crush_map *m,
			     struct crush_bucket *b, int id, uint32_t w)
{
	uint32_t pos = item_pos(b, id), diff, node;

	switch (b->alg) {
	case CRUSH_BUCKET_UNIFORM:
		/* One weight for all items. */
		b->uniform_weight = w;
		b->weight = w * b->size;
		return 0;
	case CRUSH_BUCKET_LIST:
		diff = w - b->item_weights[pos];
		b->item_weights[pos] = w;
		b->weight += diff;
		/* Running sums from this item to the tail. */
		for (uint32_t j = pos; j < b->size; j++)
			b->sum_weights[j] += diff;
		return 0;
	case CRUSH_BUCKET_TREE:
		node = ((pos + 1) << 1) - 1;
		diff = w - b->node_weights[node];
		b->node_weights[node] = w;
		b->weight += diff;
		for (uint32_t j = 1; j < tree_depth(b->size); j++) {
			node = tree_parent(node);
			b->node_weights[node] += diff;
		}
		return 0;
	case CRUSH_BUCKET_STRAW:
		diff = w - b->item_weights[pos];
		b->item_weights[pos] = w;
		b->weight += diff;
		return straw_lengths(b, m->straw_calc_version);
	default: /* straw2 */
		diff = w - b->item_weights[pos];
		b->item_weights[pos] = w;
		b->weight += diff;
		return 0;
	}
}

/* crush_get_bucket_item_weight(): item i's weight as its bucket has it. */
static uint32_t bucket_item_weight(const struct crush_bucket *b, uint32_t i)
{
	switch (b->alg) {
	case CRUSH_BUCKET_UNIFORM:
		return b->uniform_weight;
	case CRUSH_BUCKET_TREE:
		return b->node_weights[((i + 1) << 1) - 1];
	default:
		return b->item_weights[i];
	}
}

/* Positions of a choose_args map: those of its first weight set, else 1. */
static uint32_t choose_args_positions(const struct cephc_crush_map *m,
				      const struct cephc_crush_choose_arg *ca)
{
	for (int32_t bidx = 0; bidx < m->max_buckets; bidx++)
		if (ca->args[bidx].positions)
			return ca->args[bidx].positions;
	return 1;
}

/* A weight set for bucket bidx holding the bucket's own item weights. */
static int weight_set_create(const struct cephc_crush_map *m,
			     struct cephc_crush_choose_arg *ca, int32_t bidx)
{
	const struct crush_bucket *b = &m->buckets[bidx];
	struct crush_bucket_arg *a = &ca->args[bidx];
	uint32_t npos = choose_args_positions(m, ca);

	a->weight_set = cephc_calloc(npos, sizeof(*a->weight_set));
	if (!a->weight_set)
		return CEPHC_ENOMEM;
	a->positions = npos;
	for (uint32_t p = 0; p < npos; p++) {
		a->weight_set[p] =
		    cephc_malloc_array(b->size ? b->size : 1, sizeof(uint32_t));
		if (!a->weight_set[p])
			return CEPHC_ENOMEM; /* freed with the map */
		for (uint32_t i = 0; i < b->size; i++)
			a->weight_set[p][i] = bucket_item_weight(b, i);
	}
	return 0;
}

/*
 * One walk over every bucket, in slot order, doing something to those that
 * hold `id`.  Ceph has two: adjust_item_weight() (the bucket's own weights,
 * ca == NULL) and choose_args_adjust_item_weight() (one choose_args map's
 * weight-set entries, w with npos positions).
 */
struct adjust_walk {
	int id;
	uint32_t weight;
	bool update_weight_sets;
	struct cephc_crush_choose_arg *ca;
	const uint32_t *w;
	uint32_t npos;
};

static int walk_buckets(struct cephc_crush_map *m, const struct adjust_walk *wk,
			unsigned depth);

/*
 * Pass bucket bidx's per-position weight-set sums up to every bucket that
 * holds it (Ceph does this whenever a weight set changed).
 */
static int weight_set_push_up(struct cephc_crush_map *m,
			      struct cephc_crush_choose_arg *ca, int32_t bidx,
			      unsigned depth)
{
	const struct crush_bucket *b = &m->buckets[bidx];
	const struct crush_bucket_arg *a = &ca->args[bidx];
	uint32_t *sums = cephc_calloc(a->positions, sizeof(*sums));
	struct adjust_walk up = {
	    .id = b->id, .ca = ca, .w = sums, .npos = a->positions};
	int r;

	if (!sums)
		return CEPHC_ENOMEM;
	for (uint32_t i = 0; i < b->size; i++)
		for (uint32_t j = 0; j < a->positions; j++)
			sums[j] += a->weight_set[j][i];
	r = walk_buckets(m, &up, depth + 1);
	cephc_free(sums);
	return r;
}

/*
 * Ceph's _choose_args_adjust_item_weight_in_bucket(): a bucket without a
 * weight set in this choose_args map first gets one (its own weights, and
 * that counts as a change); then id's entries become w when the shapes
 * agree.  After any change the bucket's sums go up the tree.  Returns the
 * number of changes or a negative error.
 */
static int choose_args_adjust_in_bucket(struct cephc_crush_map *m,
					const struct adjust_walk *wk,
					int32_t bidx, unsigned depth)
{
	const struct crush_bucket *b = &m->buckets[bidx];
	struct crush_bucket_arg *a = &wk->ca->args[bidx];
	int changed = 0, r;

	if (!a->positions) {
		r = weight_set_create(m, wk->ca, bidx);
		if (r)
			return r;
		changed++;
	}
	if (a->positions != wk->npos)
		return 0; /* Ceph skips, even a set it just created */
	for (uint32_t i = 0; i < b->size; i++) {
		if (b->items[i] != wk->id)
			continue;
		for (uint32_t j = 0; j < wk->npos; j++)
			a->weight_set[j][i] = wk->w[j];
		changed++;
	}
	if (!changed)
		return 0;
	r = weight_set_push_up(m, wk->ca, bidx, depth);
	return r < 0 ? r : changed;
}

/* After visiting bucket bidx: re-sum each of its existing weight sets
 * into its parents. */
static int choose_args_resum(struct cephc_crush_map *m, int32_t bidx,
			     unsigned depth)
{
	for (uint32_t c = 0; c < m->n_choose_args; c++) {
		struct cephc_crush_choose_arg *ca = &m->choose_args[c];
		int r;

		if (!ca->args[bidx].positions)
			continue;
		r = weight_set_push_up(m, ca, bidx, depth);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Ceph's adjust_item_weight_in_bucket(); returns the occurrences changed. */
static int adjust_in_bucket(struct cephc_crush_map *m,
			    const struct adjust_walk *wk, int32_t bidx,
			    unsigned depth)
{
	struct crush_bucket *b = &m->buckets[bidx];
	int changed = 0, r;

	for (uint32_t i = 0; i < b->size; i++) {
		struct adjust_walk up = {.id = b->id};

		if (b->items[i] != wk->id)
			continue;
		if (wk->update_weight_sets) {
			uint32_t pos = item_pos(b, wk->id);

			for (uint32_t c = 0; c < m->n_choose_args; c++) {
				struct crush_bucket_arg *a =
				    &m->choose_args[c].args[bidx];

				for (uint32_t j = 0; j < a->positions; j++)
					a->weight_set[j][pos] = wk->weight;
			}
		}
		r = bucket_set_weight(m, b, wk->id, wk->weight);
		if (r < 0)
			return r;
		/* The bucket's new total, wherever the bucket is an item. */
		up.weight = b->weight;
		r = walk_buckets(m, &up, depth + 1);
		if (r < 0)
			return r;
		changed++;
	}
	r = choose_args_resum(m, bidx, depth);
	return r < 0 ? r : changed;
}

/* Returns how many buckets changed, or a negative error. */
static int walk_buckets(struct cephc_crush_map *m, const struct adjust_walk *wk,
			unsigned depth)
{
	int changed = 0;

	if (depth > CRUSH_ADJUST_MAX_DEPTH)
		return CEPHC_ETOOBIG;
	for (int32_t bidx = 0; bidx < m->max_buckets; bidx++) {
		int r;

		if (!m->buckets[bidx].alg)
			continue;
		r = wk->ca ? choose_args_adjust_in_bucket(m, wk, bidx, depth)
			   : adjust_in_bucket(m, wk, bidx, depth);
		if (r < 0)
			return r;
		changed += r > 0;
	}
	return changed;
}

int cephc_crush_adjust_item_weight(struct cephc_crush_map *m, int id,
				   uint32_t weight)
{
	int r = check_adjustable(m, id, 0);

	if (r)
		return r;
	r = walk_buckets(m,
			 &(struct adjust_walk){.id = id,
					       .weight = weight,
					       .update_weight_sets = true},
			 0);
	if (r == 0)
		return CEPHC_ENOENT;
	return r;
}
