/* SPDX-License-Identifier: MIT */
/*
 * CRUSH rule execution, placing exactly as Ceph's crush_do_rule() (Pacific
 * mapper.c; the kernel's is the same algorithm).  Every branch below mirrors
 * a documented behaviour of that mapper; where Ceph's C relies on int
 * wrap-around or x86 shift masking we spell the same arithmetic out in
 * unsigned form so the results stay identical without undefined behaviour.
 *
 * Ceph keeps per-bucket permutation state in a workspace between calls of
 * one crush_do_rule(); the permutation for (x, r) does not depend on that
 * state, so we recompute it from scratch when needed and stay stateless.
 * MSR rules (Squid) run through crush_msr.c, sharing the bucket choice.
 */
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "crush_internal.h"
#include "crush_ln_table.h"

uint64_t crush_ln(uint32_t u)
{
	uint32_t x = u + 1; /* 1 .. 0x10000 */
	int iexpon = 15;
	uint64_t rh, lh, xl64;
	uint32_t index1, index2;

	/* Normalise so bit 15 or 16 is the top bit. */
	if (!(x & 0x18000)) {
		int bits = __builtin_clz(x & 0x1ffff) - 16;

		x <<= bits;
		iexpon = 15 - bits;
	}
	/* Coarse step from the top 8 bits: reciprocal and log of it. */
	index1 = (x >> 8) << 1;
	rh = (uint64_t)crush_rh_lh_tbl[index1 - 256];
	lh = (uint64_t)crush_rh_lh_tbl[index1 + 1 - 256];
	/* x / index1 ~ 1 + small; its fine log comes from the second table. */
	xl64 = ((uint64_t)x * rh) >> 48;
	index2 = (uint32_t)(xl64 & 0xff);
	lh += (uint64_t)crush_ll_tbl[index2];
	return ((uint64_t)iexpon << 44) + (lh >> 4);
}

/*
 * Item at position r % size of a hash-driven permutation of the bucket:
 * step p swaps slot p with slot p + hash(x, id, p) % (size - p).
 */
static int bucket_perm_choose(const struct crush_ctx *c,
			      const struct crush_bucket *b, uint32_t r)
{
	uint32_t pr = r % b->size;
	uint32_t *perm = c->perm;

	/* The first slot needs one hash and no array. */
	if (pr == 0)
		return b->items[crush_hash32_3(b->hash, (uint32_t)c->x,
					       (uint32_t)b->id, 0) %
				b->size];
	for (uint32_t i = 0; i < b->size; i++)
		perm[i] = i;
	for (uint32_t p = 0; p <= pr; p++) {
		uint32_t i, t;

		if (p >= b->size - 1)
			continue; /* the last slot has nothing to swap with */
		i = crush_hash32_3(b->hash, (uint32_t)c->x, (uint32_t)b->id,
				   p) %
		    (b->size - p);
		if (i) {
			t = perm[p + i];
			perm[p + i] = perm[p];
			perm[p] = t;
		}
	}
	return b->items[perm[pr]];
}

/* list: walk from the tail; item i wins with probability w_i / sum_i. */
static int bucket_list_choose(const struct crush_ctx *c,
			      const struct crush_bucket *b, uint32_t r)
{
	for (int i = (int)b->size - 1; i >= 0; i--) {
		uint64_t w =
		    crush_hash32_4(b->hash, (uint32_t)c->x,
				   (uint32_t)b->items[i], r, (uint32_t)b->id) &
		    0xffff;

		w = (w * b->sum_weights[i]) >> 16;
		if (w < b->item_weights[i])
			return b->items[i];
	}
	return b->items[0];
}

/* Tree nodes: leaves are odd; a node's height is its trailing zeros. */
static uint32_t tree_height(uint32_t n)
{
	return (uint32_t)__builtin_ctz(n);
}

static int bucket_tree_choose(const struct crush_ctx *c,
			      const struct crush_bucket *b, uint32_t r)
{
	uint32_t n = b->num_nodes >> 1;

	/* Descend from the root, going left with probability w_l / w_n. */
	while (!(n & 1)) {
		uint32_t half = 1u << (tree_height(n) - 1);
		uint64_t t = ((uint64_t)crush_hash32_4(b->hash, (uint32_t)c->x,
						       n, r, (uint32_t)b->id) *
			      b->node_weights[n]) >>
			     32;

		n = t < b->node_weights[n - half] ? n - half : n + half;
	}
	/* Weights that do not add up can lead to an empty leaf, where Ceph
	 * reads past its items; give the last item instead. */
	if ((n >> 1) >= b->size)
		return b->items[b->size - 1];
	return b->items[n >> 1];
}

/* straw (legacy): largest hash * precomputed straw length wins. */
static int bucket_straw_choose(const struct crush_ctx *c,
			       const struct crush_bucket *b, uint32_t r)
{
	uint32_t high = 0;
	uint64_t high_draw = 0;

	for (uint32_t i = 0; i < b->size; i++) {
		uint64_t draw = crush_hash32_3(b->hash, (uint32_t)c->x,
					       (uint32_t)b->items[i], r) &
				0xffff;

		draw *= b->straws[i];
		if (i == 0 || draw > high_draw) {
			high = i;
			high_draw = draw;
		}
	}
	return b->items[high];
}

/*
 * straw2: each item draws ln(u) / weight (u uniform from the hash; ln <= 0,
 * so heavier items draw closer to 0) and the largest draw wins, first item
 * on ties.  choose_args may replace the weights (one row per output
 * position, the last row reused beyond its count) and the hashed ids.
 */
static int bucket_straw2_choose(const struct crush_ctx *c,
				const struct crush_bucket *b, uint32_t r,
				int position)
{
	const uint32_t *weights = b->item_weights;
	const int32_t *ids = b->items;
	uint32_t high = 0;
	int64_t high_draw = 0;

	if (c->choose_args) {
		const struct crush_bucket_arg *a =
		    &c->choose_args->args[-1 - b->id];

		if (a->positions) {
			if ((uint32_t)position >= a->positions)
				position = (int)a->positions - 1;
			weights = a->weight_set[position];
		}
		if (a->ids)
			ids = a->ids;
	}
	for (uint32_t i = 0; i < b->size; i++) {
		int64_t draw;

		if (weights[i]) {
			uint32_t u = crush_hash32_3(b->hash, (uint32_t)c->x,
						    (uint32_t)ids[i], r) &
				     0xffff;
			int64_t ln = (int64_t)crush_ln(u) - 0x1000000000000ll;

			/* C division truncates toward zero, as div64_s64. */
			draw = ln / (int64_t)weights[i];
		} else {
			draw = INT64_MIN;
		}
		if (i == 0 || draw > high_draw) {
			high = i;
			high_draw = draw;
		}
	}
	return b->items[high];
}

int crush_bucket_choose(const struct crush_ctx *c, const struct crush_bucket *b,
			uint32_t r, int position)
{
	switch (b->alg) {
	case CRUSH_BUCKET_UNIFORM:
		return bucket_perm_choose(c, b, r);
	case CRUSH_BUCKET_LIST:
		return bucket_list_choose(c, b, r);
	case CRUSH_BUCKET_TREE:
		return bucket_tree_choose(c, b, r);
	case CRUSH_BUCKET_STRAW:
		return bucket_straw_choose(c, b, r);
	default:
		return bucket_straw2_choose(c, b, r, position);
	}
}

/* A device is out at weight 0, in at >= 1.0, else in for that fraction. */
int crush_is_out(const struct crush_ctx *c, int item)
{
	uint32_t w;

	if (item >= c->weight_max)
		return 1;
	w = c->weights[item];
	if (w >= 0x10000)
		return 0;
	if (w == 0)
		return 1;
	return (crush_hash32_2(CRUSH_HASH_RJENKINS1, (uint32_t)c->x,
			       (uint32_t)item) &
		0xffff) >= w;
}

static const struct crush_bucket *bucket_of(const struct crush_ctx *c, int item)
{
	return &c->map->buckets[-1 - item];
}

/* Ceph shifts an int by (vary_r - 1); x86 masks the count to 5 bits. */
static int vary_r_shift(int r, unsigned int vary_r)
{
	return r >> ((vary_r - 1) & 31);
}

/* Parameters of one firstn descent that stay fixed through recursion. */
struct firstn_args {
	unsigned int tries;
	unsigned int recurse_tries;
	unsigned int local_retries;
	unsigned int local_fallback_retries;
	unsigned int vary_r;
	unsigned int stable;
};

/*
 * Choose up to numrep distinct items of `type` under `bucket` into
 * out[outpos..], at most out_size of them; for chooseleaf also one device
 * under each into out2.  Slots that cannot be filled are dropped.
 * Returns the new outpos.
 */
static int choose_firstn(const struct crush_ctx *c,
			 const struct crush_bucket *bucket, int numrep,
			 int type, int *out, int outpos, int out_size,
			 const struct firstn_args *fa, unsigned int tries,
			 int recurse_to_leaf, int *out2, int parent_r)
{
	int count = out_size;

	for (int rep = fa->stable ? 0 : outpos; rep < numrep && count > 0;
	     rep++) {
		unsigned int ftotal = 0;
		int skip_rep = 0, retry_descent;
		int item = 0;

		do {
			const struct crush_bucket *in = bucket;
			unsigned int flocal = 0;
			int retry_bucket;

			retry_descent = 0;
			do {
				int collide = 0, reject, itemtype;
				int r = (int)((uint32_t)rep +
					      (uint32_t)parent_r + ftotal);

				retry_bucket = 0;
				if (in->size == 0) {
					reject = 1;
					goto rejected;
				}
				/* After many local misses, walk a permutation
				 * (legacy fallback tunable). */
				if (fa->local_fallback_retries > 0 &&
				    flocal >= (in->size >> 1) &&
				    flocal > fa->local_fallback_retries)
					item = bucket_perm_choose(c, in,
								  (uint32_t)r);
				else
					item = crush_bucket_choose(
					    c, in, (uint32_t)r, outpos);
				if (item >= c->map->max_devices) {
					skip_rep = 1;
					break;
				}
				itemtype =
				    item < 0 ? bucket_of(c, item)->type : 0;
				if (itemtype != type) {
					if (item >= 0) {
						skip_rep =
						    1; /* leaf too soon */
						break;
					}
					in = bucket_of(c, item);
					retry_bucket = 1; /* same r, deeper */
					continue;
				}
				for (int i = 0; i < outpos; i++)
					if (out[i] == item) {
						collide = 1;
						break;
					}
				reject = 0;
				if (!collide && recurse_to_leaf) {
					if (item < 0) {
						int sub_r =
						    fa->vary_r
							? vary_r_shift(
							      r, fa->vary_r)
							: 0;

						/* One leaf under the item, in
						 * the same output slot. */
						if (choose_firstn(
							c, bucket_of(c, item),
							fa->stable ? 1
								   : outpos + 1,
							0, out2, outpos, count,
							fa, fa->recurse_tries,
							0, NULL,
							sub_r) <= outpos)
							reject = 1;
					} else {
						out2[outpos] = item;
					}
				}
				if (!reject && !collide && itemtype == 0)
					reject = crush_is_out(c, item);
			rejected:
				if (reject || collide) {
					ftotal++;
					flocal++;
					if (collide &&
					    flocal <= fa->local_retries)
						retry_bucket = 1;
					else if (
					    fa->local_fallback_retries > 0 &&
					    flocal <=
						in->size +
						    fa->local_fallback_retries)
						retry_bucket = 1;
					else if (ftotal < tries)
						retry_descent = 1;
					else
						skip_rep = 1;
				}
			} while (retry_bucket);
		} while (retry_descent);

		if (skip_rep)
			continue;
		out[outpos++] = item;
		count--;
	}
	return outpos;
}

/*
 * indep (erasure coding): fill the `left` slots out[outpos..] keeping each
 * result in its position; retries vary r by numrep per round so a slot's
 * choice does not depend on its neighbours.  Unfillable slots become
 * CEPHC_CRUSH_ITEM_NONE.
 */
static void choose_indep(const struct crush_ctx *c,
			 const struct crush_bucket *bucket, int left,
			 int numrep, int type, int *out, int outpos,
			 unsigned int tries, unsigned int recurse_tries,
			 int recurse_to_leaf, int *out2, int parent_r)
{
	int endpos = outpos + left;

	for (int rep = outpos; rep < endpos; rep++) {
		out[rep] = CRUSH_ITEM_UNDEF;
		if (out2)
			out2[rep] = CRUSH_ITEM_UNDEF;
	}
	for (unsigned int ftotal = 0; left > 0 && ftotal < tries; ftotal++) {
		for (int rep = outpos; rep < endpos; rep++) {
			const struct crush_bucket *in = bucket;

			if (out[rep] != CRUSH_ITEM_UNDEF)
				continue;
			for (;;) {
				uint32_t r = (uint32_t)rep + (uint32_t)parent_r;
				int item, itemtype, collide = 0;

				/* Uniform buckets whose size numrep divides
				 * would cycle; step by numrep + 1 there. */
				if (in->alg == CRUSH_BUCKET_UNIFORM &&
				    in->size % (uint32_t)numrep == 0)
					r += ((uint32_t)numrep + 1) * ftotal;
				else
					r += (uint32_t)numrep * ftotal;
				if (in->size == 0)
					break;
				item = crush_bucket_choose(c, in, r, outpos);
				if (item >= c->map->max_devices) {
					out[rep] = CEPHC_CRUSH_ITEM_NONE;
					if (out2)
						out2[rep] =
						    CEPHC_CRUSH_ITEM_NONE;
					left--;
					break;
				}
				itemtype =
				    item < 0 ? bucket_of(c, item)->type : 0;
				if (itemtype != type) {
					if (item >= 0) {
						out[rep] =
						    CEPHC_CRUSH_ITEM_NONE;
						if (out2)
							out2[rep] =
							    CEPHC_CRUSH_ITEM_NONE;
						left--;
						break;
					}
					in = bucket_of(c, item);
					continue;
				}
				for (int i = outpos; i < endpos; i++)
					if (out[i] == item) {
						collide = 1;
						break;
					}
				if (collide)
					break;
				if (recurse_to_leaf) {
					if (item < 0) {
						choose_indep(
						    c, bucket_of(c, item), 1,
						    numrep, 0, out2, rep,
						    recurse_tries, 0, 0, NULL,
						    (int)r);
						if (out2[rep] ==
						    CEPHC_CRUSH_ITEM_NONE)
							break; /* no leaf */
					} else {
						out2[rep] = item;
					}
				}
				if (itemtype == 0 && crush_is_out(c, item))
					break;
				out[rep] = item;
				left--;
				break;
			}
		}
	}
	for (int rep = outpos; rep < endpos; rep++) {
		if (out[rep] == CRUSH_ITEM_UNDEF)
			out[rep] = CEPHC_CRUSH_ITEM_NONE;
		if (out2 && out2[rep] == CRUSH_ITEM_UNDEF)
			out2[rep] = CEPHC_CRUSH_ITEM_NONE;
	}
}

/* Ints before the permutation: three working vectors (w, o and the
 * leaves) for ordinary rules, two per choose step of the longest MSR
 * block (choices and undo list) for MSR rules. */
static size_t vector_ints(const struct cephc_crush_map *map, int result_max)
{
	size_t n = result_max > 0 ? (size_t)result_max : 1;
	size_t msr = 2 * (size_t)map->max_msr_steps;

	return (msr > 3 ? msr : 3) * n;
}

static size_t scratch_ints(const struct cephc_crush_map *map, int result_max)
{
	return vector_ints(map, result_max) + map->max_bucket_size;
}

size_t cephc_crush_scratch_size(const struct cephc_crush_map *map,
				int result_max)
{
	return scratch_ints(map, result_max) * sizeof(int);
}

/* Rule state that SET_* steps may override, seeded from the tunables. */
struct rule_state {
	unsigned int choose_tries;
	unsigned int choose_leaf_tries;
	unsigned int local_retries;
	unsigned int local_fallback_retries;
	unsigned int vary_r;
	unsigned int stable;
};

static int run_rule(const struct crush_ctx *c, const struct crush_rule *rule,
		    int *result, int result_max, int *scratch)
{
	const struct cephc_crush_map *map = c->map;
	size_t n = result_max > 0 ? (size_t)result_max : 1;
	int *w = scratch, *o = scratch + n, *leaves = scratch + 2 * n;
	int wsize = 0, result_len = 0;
	/* choose_total_tries counted retries, not tries: hence + 1. */
	struct rule_state st = {
	    .choose_tries = map->choose_total_tries + 1,
	    .choose_leaf_tries = 0,
	    .local_retries = map->choose_local_tries,
	    .local_fallback_retries = map->choose_local_fallback_tries,
	    .vary_r = map->chooseleaf_vary_r,
	    .stable = map->chooseleaf_stable,
	};

	for (uint32_t s = 0; s < rule->len; s++) {
		const struct crush_rule_step *step = &rule->steps[s];
		int firstn = 0, recurse_to_leaf, osize;
		int *tmp;

		switch (step->op) {
		case CRUSH_RULE_TAKE: {
			int a = step->arg1;

			/* Only an existing device or bucket is taken. */
			if ((a >= 0 && a < map->max_devices) ||
			    (a < 0 && -1 - a < map->max_buckets &&
			     map->buckets[-1 - a].alg)) {
				w[0] = a;
				wsize = 1;
			}
			break;
		}
		case CRUSH_RULE_SET_CHOOSE_TRIES:
			if (step->arg1 > 0)
				st.choose_tries = (unsigned int)step->arg1;
			break;
		case CRUSH_RULE_SET_CHOOSELEAF_TRIES:
			if (step->arg1 > 0)
				st.choose_leaf_tries = (unsigned int)step->arg1;
			break;
		case CRUSH_RULE_SET_CHOOSE_LOCAL_TRIES:
			if (step->arg1 >= 0)
				st.local_retries = (unsigned int)step->arg1;
			break;
		case CRUSH_RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES:
			if (step->arg1 >= 0)
				st.local_fallback_retries =
				    (unsigned int)step->arg1;
			break;
		case CRUSH_RULE_SET_CHOOSELEAF_VARY_R:
			if (step->arg1 >= 0)
				st.vary_r = (unsigned int)step->arg1;
			break;
		case CRUSH_RULE_SET_CHOOSELEAF_STABLE:
			if (step->arg1 >= 0)
				st.stable = (unsigned int)step->arg1;
			break;

		case CRUSH_RULE_CHOOSELEAF_FIRSTN:
		case CRUSH_RULE_CHOOSE_FIRSTN:
			firstn = 1;
			/* fall through */
		case CRUSH_RULE_CHOOSELEAF_INDEP:
		case CRUSH_RULE_CHOOSE_INDEP:
			if (wsize == 0)
				break;
			recurse_to_leaf =
			    step->op == CRUSH_RULE_CHOOSELEAF_FIRSTN ||
			    step->op == CRUSH_RULE_CHOOSELEAF_INDEP;
			osize = 0;
			for (int i = 0; i < wsize; i++) {
				/* arg1 <= 0 means result_max + arg1. */
				int numrep = step->arg1;
				int bno;

				if (numrep <= 0) {
					numrep += result_max;
					if (numrep <= 0)
						continue;
				}
				/* Devices (and NONE holes) have no bucket. */
				bno = -1 - w[i];
				if (bno < 0 || bno >= map->max_buckets)
					continue;
				if (firstn) {
					struct firstn_args fa = {
					    .tries = st.choose_tries,
					    .local_retries = st.local_retries,
					    .local_fallback_retries =
						st.local_fallback_retries,
					    .vary_r = st.vary_r,
					    .stable = st.stable,
					};

					if (st.choose_leaf_tries)
						fa.recurse_tries =
						    st.choose_leaf_tries;
					else if (map->chooseleaf_descend_once)
						fa.recurse_tries = 1;
					else
						fa.recurse_tries =
						    st.choose_tries;
					osize += choose_firstn(
					    c, &map->buckets[bno], numrep,
					    step->arg2, o + osize, 0,
					    result_max - osize, &fa, fa.tries,
					    recurse_to_leaf, leaves + osize, 0);
				} else {
					int out_size =
					    numrep < result_max - osize
						? numrep
						: result_max - osize;

					choose_indep(
					    c, &map->buckets[bno], out_size,
					    numrep, step->arg2, o + osize, 0,
					    st.choose_tries,
					    st.choose_leaf_tries
						? st.choose_leaf_tries
						: 1,
					    recurse_to_leaf, leaves + osize, 0);
					osize += out_size;
				}
			}
			if (recurse_to_leaf)
				memcpy(o, leaves, (size_t)osize * sizeof(*o));
			tmp = o;
			o = w;
			w = tmp;
			wsize = osize;
			break;

		case CRUSH_RULE_EMIT:
			for (int i = 0; i < wsize && result_len < result_max;
			     i++)
				result[result_len++] = w[i];
			wsize = 0;
			break;

		default:
			break; /* NOOP and unknown ops do nothing, as Ceph */
		}
	}
	return result_len;
}

int cephc_crush_do_rule(const struct cephc_crush_map *map, int ruleno, int x,
			int *result, int result_max, const uint32_t *weights,
			int weight_max,
			const struct cephc_crush_choose_arg *choose_args,
			void *scratch)
{
	struct crush_ctx c;
	int *ints = scratch;
	int n;

	if (result_max < 0 || result_max > CEPHC_CRUSH_MAX_RESULT)
		return CEPHC_EINVAL;
	if (ruleno < 0 || (uint32_t)ruleno >= map->max_rules ||
	    !map->rules[ruleno].exists)
		return 0;
	if (!ints) {
		ints = cephc_malloc_array(scratch_ints(map, result_max),
					  sizeof(int));
		if (!ints)
			return CEPHC_ENOMEM;
	}
	c.map = map;
	c.weights = weights;
	c.weight_max = weights ? weight_max : 0;
	c.x = x;
	c.choose_args = choose_args;
	c.perm = (uint32_t *)(ints + vector_ints(map, result_max));
	if (crush_rule_is_msr(&map->rules[ruleno]))
		n = crush_msr_do_rule(&c, &map->rules[ruleno], result,
				      result_max, ints);
	else
		n = run_rule(&c, &map->rules[ruleno], result, result_max, ints);
	if (ints != scratch)
		cephc_free(ints);
	return n;
}
