/* SPDX-License-Identifier: MIT */
/*
 * Decode of Ceph's binary crush map (CrushWrapper::encode as Pacific writes
 * it), plus the accessors of crush.h.
 *
 * Layout (all little-endian):
 *   le32 magic 0x00010000, s32 max_buckets, le32 max_rules, s32 max_devices
 *   max_buckets x bucket: le32 alg (0 = empty slot), s32 id, le16 type,
 *       u8 alg, u8 hash, le32 weight, le32 size, size x s32 item, then
 *       uniform: le32 item_weight; list: size x (le32 weight, le32 sum);
 *       tree: u8 num_nodes, num_nodes x le32; straw: size x (le32 weight,
 *       le32 straw); straw2: size x le32 weight
 *   max_rules x rule: le32 exists, le32 len, u8 ruleset, u8 type,
 *       u8 min_size, u8 max_size, len x (le32 op, s32 arg1, s32 arg2)
 *   type, item and rule name maps (see decode_name_map)
 *   then, each only if bytes remain: le32 choose_local_tries,
 *   le32 choose_local_fallback_tries, le32 choose_total_tries;
 *   le32 chooseleaf_descend_once; u8 chooseleaf_vary_r;
 *   u8 straw_calc_version; le32 allowed_bucket_algs; u8 chooseleaf_stable;
 *   device classes (class_map, class_name, class_bucket); choose_args;
 *   (Squid) le32 msr_descents, le32 msr_collision_tries.
 *
 * Like Ceph's decoder we recompute max_devices (1 + the largest device id
 * that is a bucket item or has a name; the header's value is ignored) and
 * normalise choose_args (CrushWrapper::update_choose_args): they survive
 * only on straw2 buckets, and weight_set rows take the bucket's size.
 * Unlike Ceph we refuse maps Ceph itself would crash or loop on (items that
 * name missing buckets, cycles, buckets of the device type 0, ids not
 * matching their slot, malformed tree buckets), so the mapper can run on
 * any map we accept without further checks, nor maps whose retry counts
 * would make any mapper spin (check_loop_limits).
 */
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/decode.h"
#include "crush_internal.h"

/* Legacy tunables: what a map that predates each tunable behaves as. */
static void set_tunables_legacy(struct cephc_crush_map *m)
{
	m->choose_local_tries = 2;
	m->choose_local_fallback_tries = 5;
	m->choose_total_tries = 19;
	m->chooseleaf_descend_once = 0;
	m->chooseleaf_vary_r = 0;
	m->chooseleaf_stable = 0;
	m->straw_calc_version = 0;
	m->allowed_bucket_algs = CRUSH_LEGACY_ALLOWED_BUCKET_ALGS;
	m->msr_descents = CRUSH_MSR_DEFAULT_DESCENTS;
	m->msr_collision_tries = CRUSH_MSR_DEFAULT_COLLISION_TRIES;
}

/* --- freeing ------------------------------------------------------------ */

static void free_bucket(struct crush_bucket *b)
{
	cephc_free(b->items);
	cephc_free(b->item_weights);
	cephc_free(b->sum_weights);
	cephc_free(b->straws);
	cephc_free(b->node_weights);
	memset(b, 0, sizeof(*b));
}

static void free_bucket_arg(struct crush_bucket_arg *a)
{
	if (a->weight_set) {
		for (uint32_t p = 0; p < a->positions; p++)
			cephc_free(a->weight_set[p]);
		cephc_free(a->weight_set);
	}
	cephc_free(a->ids);
	memset(a, 0, sizeof(*a));
}

static void free_choose_arg(const struct cephc_crush_map *m,
			    struct cephc_crush_choose_arg *ca)
{
	if (!ca->args)
		return;
	for (int32_t i = 0; i < m->max_buckets; i++)
		free_bucket_arg(&ca->args[i]);
	cephc_free(ca->args);
	ca->args = NULL;
}

static void free_names(struct crush_name_map *nm)
{
	for (uint32_t i = 0; i < nm->n; i++)
		cephc_free(nm->v[i].name);
	cephc_free(nm->v);
	nm->v = NULL;
	nm->n = 0;
}

void cephc_crush_free(struct cephc_crush_map *m)
{
	if (!m)
		return;
	if (m->buckets) {
		for (int32_t i = 0; i < m->max_buckets; i++)
			free_bucket(&m->buckets[i]);
		cephc_free(m->buckets);
	}
	if (m->rules) {
		for (uint32_t i = 0; i < m->max_rules; i++)
			cephc_free(m->rules[i].steps);
		cephc_free(m->rules);
	}
	free_names(&m->type_names);
	free_names(&m->item_names);
	free_names(&m->rule_names);
	for (uint32_t i = 0; i < m->n_choose_args; i++)
		free_choose_arg(m, &m->choose_args[i]);
	cephc_free(m->choose_args);
	cephc_free(m);
}

/* --- pieces ------------------------------------------------------------- */

/* n little-endian u32 into a fresh array (n already bounded by caller). */
static uint32_t *dec_u32_array(struct cephc_dec *d, uint32_t n)
{
	uint32_t *v;

	if (!dec_need(d, (size_t)n * 4))
		return NULL;
	v = cephc_malloc_array(n, sizeof(*v));
	if (!v) {
		dec_fail(d, CEPHC_ENOMEM);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++)
		v[i] = dec_le32(d);
	return v;
}

/* Two interleaved u32 arrays (list: weight/sum, straw: weight/straw). */
static int dec_u32_pairs(struct cephc_dec *d, uint32_t n, uint32_t **a,
			 uint32_t **b)
{
	if (!dec_need(d, (size_t)n * 8))
		return d->err;
	*a = cephc_malloc_array(n, sizeof(**a));
	*b = cephc_malloc_array(n, sizeof(**b));
	if (!*a || !*b)
		return dec_fail(d, CEPHC_ENOMEM);
	for (uint32_t i = 0; i < n; i++) {
		(*a)[i] = dec_le32(d);
		(*b)[i] = dec_le32(d);
	}
	return 0;
}

static int decode_bucket(struct cephc_dec *d, int32_t slot,
			 struct crush_bucket *b)
{
	uint32_t alg = dec_le32(d);

	if (d->err || alg == 0)
		return d->err; /* empty slot */
	if (alg < CRUSH_BUCKET_UNIFORM || alg > CRUSH_BUCKET_STRAW2)
		return dec_fail(d, CEPHC_EDECODE); /* unsupported algorithm */

	b->id = dec_s32(d);
	b->type = dec_le16(d);
	b->alg = dec_u8(d);
	b->hash = dec_u8(d);
	b->weight = dec_le32(d);
	b->size = dec_count(d, CEPHC_CRUSH_MAX_BUCKET_SIZE, 4);
	if (d->err)
		return d->err;
	/* The mapper finds a bucket at slot -1-id, and works per algorithm
	 * on the u8 copy; both must agree with what framed the record. */
	if (b->alg != alg || b->id != -1 - slot)
		return dec_fail(d, CEPHC_EDECODE);
	b->items = (int32_t *)dec_u32_array(d, b->size);
	if (!b->items)
		return d->err;

	switch (b->alg) {
	case CRUSH_BUCKET_UNIFORM:
		b->uniform_weight = dec_le32(d);
		break;
	case CRUSH_BUCKET_LIST:
		dec_u32_pairs(d, b->size, &b->item_weights, &b->sum_weights);
		break;
	case CRUSH_BUCKET_TREE:
		b->num_nodes = dec_u8(d);
		b->node_weights = dec_u32_array(d, b->num_nodes);
		if (d->err)
			break;
		/* Ceph builds num_nodes = 2^(1 + bits(size - 1)), so the
		 * descent from num_nodes/2 stays inside the node array and
		 * every leaf slot fits a u8 count (size <= 64).  Anything
		 * else makes Ceph's tree walk read out of bounds or spin. */
		if (b->size &&
		    (b->num_nodes < 2 || (b->num_nodes & (b->num_nodes - 1)) ||
		     b->size > b->num_nodes / 2))
			dec_fail(d, CEPHC_EDECODE);
		break;
	case CRUSH_BUCKET_STRAW:
		dec_u32_pairs(d, b->size, &b->item_weights, &b->straws);
		break;
	case CRUSH_BUCKET_STRAW2:
		b->item_weights = dec_u32_array(d, b->size);
		break;
	}
	return d->err;
}

static int decode_rule(struct cephc_dec *d, struct crush_rule *r)
{
	uint32_t yes = dec_le32(d);

	if (d->err || !yes)
		return d->err;
	/* At least the 4-byte mask plus 12 bytes per step follow. */
	r->len = dec_count(d, CEPHC_CRUSH_MAX_RULE_STEPS, 12);
	r->ruleset = dec_u8(d);
	r->type = dec_u8(d);
	r->min_size = dec_u8(d);
	r->max_size = dec_u8(d);
	if (d->err)
		return d->err;
	if (!dec_need(d, (size_t)r->len * 12))
		return d->err;
	r->steps = cephc_malloc_array(r->len, sizeof(*r->steps));
	if (!r->steps)
		return dec_fail(d, CEPHC_ENOMEM);
	for (uint32_t i = 0; i < r->len; i++) {
		r->steps[i].op = dec_le32(d);
		r->steps[i].arg1 = dec_s32(d);
		r->steps[i].arg2 = dec_s32(d);
	}
	r->exists = 1;
	return d->err;
}

/*
 * map<s32, string> as Ceph's decode_32_or_64_string_map reads it: old
 * encoders wrote 64-bit keys, so a zero string length means "that was the
 * key's high half; the real length follows".  (An empty name therefore
 * cannot be represented, in Ceph as here.)
 */
static int decode_name_map(struct cephc_dec *d, struct crush_name_map *nm)
{
	uint32_t n = dec_count(d, CEPHC_CRUSH_MAX_NAMES, 8);

	if (d->err)
		return d->err;
	nm->v = cephc_calloc(n, sizeof(*nm->v));
	if (!nm->v)
		return dec_fail(d, CEPHC_ENOMEM);
	for (uint32_t i = 0; i < n; i++) {
		int32_t key = dec_s32(d);
		uint32_t len = dec_le32(d);
		const uint8_t *p;
		char *s;

		if (len == 0)
			len = dec_le32(d);
		if (d->err)
			return d->err;
		if (len > CEPHC_CRUSH_MAX_NAME_LEN)
			return dec_fail(d, CEPHC_ETOOBIG);
		p = dec_ptr(d, len);
		if (!p)
			return d->err;
		s = cephc_malloc(len + 1);
		if (!s)
			return dec_fail(d, CEPHC_ENOMEM);
		memcpy(s, p, len);
		s[len] = '\0';
		nm->v[nm->n].id = key;
		nm->v[nm->n].name = s;
		nm->n++;
	}
	return 0;
}

/*
 * Device classes: class_map map<s32,s32>, class_name map<s32,string>,
 * class_bucket map<s32, map<s32,s32>>.  Placement needs none of them (class
 * rules TAKE the shadow buckets, which are ordinary buckets), so they are
 * checked for shape and skipped.
 */
static int skip_device_classes(struct cephc_dec *d)
{
	uint32_t n = dec_count(d, CEPHC_CRUSH_MAX_NAMES, 8);

	dec_skip(d, (size_t)n * 8);
	n = dec_count(d, CEPHC_CRUSH_MAX_NAMES, 8);
	for (uint32_t i = 0; i < n && !d->err; i++) {
		uint32_t len;

		dec_skip(d, 4);
		(void)dec_blob(d, &len, CEPHC_CRUSH_MAX_NAME_LEN);
	}
	n = dec_count(d, CEPHC_CRUSH_MAX_NAMES, 8);
	for (uint32_t i = 0; i < n && !d->err; i++) {
		uint32_t m;

		dec_skip(d, 4);
		m = dec_count(d, CEPHC_CRUSH_MAX_NAMES, 8);
		dec_skip(d, (size_t)m * 8);
	}
	return d->err;
}

/*
 * One bucket's choose_args.  Rows are normalised to the bucket's size
 * (zero-filled or truncated), as Ceph's update_choose_args does; args for a
 * missing or non-straw2 bucket are read and dropped, also as Ceph.  An ids
 * list must match the bucket's size (Ceph asserts it).
 */
static int decode_bucket_arg(struct cephc_dec *d,
			     const struct cephc_crush_map *m,
			     struct crush_bucket_arg *a)
{
	uint32_t bucket_index = dec_le32(d);
	uint32_t positions, ids_size;
	const struct crush_bucket *b;
	bool keep;

	if (d->err)
		return d->err;
	if (bucket_index >= (uint32_t)m->max_buckets)
		return dec_fail(d, CEPHC_EDECODE);
	b = &m->buckets[bucket_index];
	keep = b->alg == CRUSH_BUCKET_STRAW2;
	a += bucket_index;
	free_bucket_arg(a); /* a repeated index replaces the earlier one */

	positions = dec_count(d, CEPHC_CRUSH_MAX_WEIGHT_SET_POS, 4);
	if (d->err)
		return d->err;
	if (keep && positions) {
		a->weight_set = cephc_calloc(positions, sizeof(*a->weight_set));
		if (!a->weight_set)
			return dec_fail(d, CEPHC_ENOMEM);
		a->positions = positions;
	}
	for (uint32_t p = 0; p < positions; p++) {
		uint32_t n = dec_count(d, CEPHC_CRUSH_MAX_BUCKET_SIZE, 4);
		uint32_t *row;

		if (d->err)
			return d->err;
		if (!keep) {
			dec_skip(d, (size_t)n * 4);
			continue;
		}
		row = cephc_calloc(b->size, sizeof(*row));
		if (!row)
			return dec_fail(d, CEPHC_ENOMEM);
		a->weight_set[p] = row;
		for (uint32_t k = 0; k < n; k++) {
			uint32_t w = dec_le32(d);

			if (k < b->size)
				row[k] = w;
		}
	}
	ids_size = dec_count(d, CEPHC_CRUSH_MAX_BUCKET_SIZE, 4);
	if (d->err)
		return d->err;
	if (ids_size) {
		if (!b->alg || ids_size != b->size)
			return dec_fail(d, CEPHC_EDECODE);
		if (keep) {
			a->ids = (int32_t *)dec_u32_array(d, ids_size);
			return d->err;
		}
		dec_skip(d, (size_t)ids_size * 4);
	}
	return d->err;
}

static int decode_choose_args(struct cephc_dec *d, struct cephc_crush_map *m)
{
	/* Each map has at least a le64 index and a le32 count. */
	uint32_t n = dec_count(d, CEPHC_CRUSH_MAX_CHOOSE_ARGS, 12);

	if (d->err)
		return d->err;
	m->choose_args = cephc_calloc(n, sizeof(*m->choose_args));
	if (!m->choose_args)
		return dec_fail(d, CEPHC_ENOMEM);
	for (uint32_t i = 0; i < n; i++) {
		int64_t index = dec_s64(d);
		/* 12 bytes minimum per entry: index, positions, ids size. */
		uint32_t count = dec_count(d, CEPHC_CRUSH_MAX_BUCKETS * 4u, 12);
		struct cephc_crush_choose_arg *ca = NULL;
		uint32_t pos;

		if (d->err)
			return d->err;
		/* Keep the array sorted by index; a repeated index replaces
		 * the earlier map, as assigning into Ceph's std::map does. */
		for (pos = 0; pos < m->n_choose_args; pos++)
			if (m->choose_args[pos].index >= index)
				break;
		if (pos < m->n_choose_args &&
		    m->choose_args[pos].index == index) {
			ca = &m->choose_args[pos];
			free_choose_arg(m, ca);
		} else {
			memmove(&m->choose_args[pos + 1], &m->choose_args[pos],
				(m->n_choose_args - pos) * sizeof(*ca));
			ca = &m->choose_args[pos];
			m->n_choose_args++;
		}
		ca->index = index;
		ca->args =
		    cephc_calloc((size_t)m->max_buckets ? m->max_buckets : 1,
				 sizeof(*ca->args));
		if (!ca->args)
			return dec_fail(d, CEPHC_ENOMEM);
		for (uint32_t j = 0; j < count; j++)
			if (decode_bucket_arg(d, m, ca->args))
				return d->err;
	}
	return 0;
}

/*
 * Every item must be a device or a present bucket, no bucket may have the
 * device type, and the bucket graph must be acyclic (Kahn's algorithm: peel
 * buckets nobody points to; whatever is left sits on a cycle).  Also
 * computes max_devices as Ceph's crush_finalize() does.
 */
static int validate_graph(struct cephc_crush_map *m)
{
	uint32_t *indeg, *stack;
	uint32_t sp = 0, peeled = 0, present = 0;
	int err = 0;

	m->max_devices = 0;
	m->max_bucket_size = 0;
	for (int32_t i = 0; i < m->max_buckets; i++) {
		const struct crush_bucket *b = &m->buckets[i];

		if (!b->alg)
			continue;
		present++;
		if (b->type == 0)
			return CEPHC_EDECODE;
		if (b->size > m->max_bucket_size)
			m->max_bucket_size = b->size;
		for (uint32_t j = 0; j < b->size; j++) {
			int32_t it = b->items[j];

			if (it >= 0) {
				if (it >= CEPHC_CRUSH_MAX_DEVICES)
					return CEPHC_ETOOBIG;
				if (it >= m->max_devices)
					m->max_devices = it + 1;
			} else if (-1 - it >= m->max_buckets ||
				   !m->buckets[-1 - it].alg) {
				return CEPHC_EDECODE;
			}
		}
	}
	if (!present)
		return 0;
	indeg = cephc_calloc(m->max_buckets, sizeof(*indeg));
	stack = cephc_calloc(m->max_buckets, sizeof(*stack));
	if (!indeg || !stack) {
		err = CEPHC_ENOMEM;
		goto out;
	}
	for (int32_t i = 0; i < m->max_buckets; i++)
		for (uint32_t j = 0; j < m->buckets[i].size; j++)
			if (m->buckets[i].items[j] < 0)
				indeg[-1 - m->buckets[i].items[j]]++;
	for (int32_t i = 0; i < m->max_buckets; i++)
		if (m->buckets[i].alg && !indeg[i])
			stack[sp++] = (uint32_t)i;
	while (sp) {
		const struct crush_bucket *b = &m->buckets[stack[--sp]];

		peeled++;
		for (uint32_t j = 0; j < b->size; j++) {
			int32_t it = b->items[j];

			if (it < 0 && --indeg[-1 - it] == 0)
				stack[sp++] = (uint32_t)(-1 - it);
		}
	}
	if (peeled != present)
		err = CEPHC_EDECODE; /* a bucket (indirectly) contains itself */
out:
	cephc_free(indeg);
	cephc_free(stack);
	return err;
}

/*
 * Refuse maps whose retry counts would keep the mapper busy practically
 * forever (Ceph's own mapper spins on them too): the tunables, and the
 * SET_*_TRIES and choose steps of every rule.  Every user of a decoded map
 * (the OSDMap layer, crushtool) gets this check through the decoder.
 */
static int check_loop_limits(const struct cephc_crush_map *m)
{
	if (m->choose_total_tries > CEPHC_CRUSH_MAX_TRIES ||
	    m->choose_local_tries > CEPHC_CRUSH_MAX_LOCAL_TRIES ||
	    m->choose_local_fallback_tries > CEPHC_CRUSH_MAX_LOCAL_TRIES ||
	    m->msr_descents > CEPHC_CRUSH_MAX_TRIES ||
	    m->msr_collision_tries > CEPHC_CRUSH_MAX_TRIES)
		return CEPHC_ETOOBIG;
	for (uint32_t r = 0; r < m->max_rules; r++) {
		const struct crush_rule *rule = &m->rules[r];

		for (uint32_t s = 0; rule->exists && s < rule->len; s++) {
			const struct crush_rule_step *st = &rule->steps[s];
			int32_t max;

			switch (st->op) {
			case CRUSH_RULE_SET_CHOOSE_TRIES:
			case CRUSH_RULE_SET_CHOOSELEAF_TRIES:
				max = CEPHC_CRUSH_MAX_TRIES;
				break;
			case CRUSH_RULE_SET_CHOOSE_LOCAL_TRIES:
			case CRUSH_RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES:
				max = CEPHC_CRUSH_MAX_LOCAL_TRIES;
				break;
			case CRUSH_RULE_SET_MSR_DESCENTS:
			case CRUSH_RULE_SET_MSR_COLLISION_TRIES:
				/* Squid reads these as unsigned: a negative
				 * count is ~4e9 tries. */
				if (st->arg1 < 0)
					return CEPHC_ETOOBIG;
				max = CEPHC_CRUSH_MAX_TRIES;
				break;
			case CRUSH_RULE_CHOOSE_MSR:
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

static int decode_map(struct cephc_dec *d, struct cephc_crush_map *m)
{
	uint32_t magic = dec_le32(d);
	int err;

	m->max_buckets = dec_s32(d);
	m->max_rules = dec_le32(d);
	m->encoded_max_devices = dec_s32(d);
	if (d->err)
		return d->err;
	if (magic != CRUSH_MAGIC || m->max_buckets < 0)
		return dec_fail(d, CEPHC_EDECODE);
	if (m->max_buckets > CEPHC_CRUSH_MAX_BUCKETS ||
	    m->max_rules > CEPHC_CRUSH_MAX_RULES)
		return dec_fail(d, CEPHC_ETOOBIG);
	/* Each slot takes at least its 4-byte alg / exists word. */
	if (!dec_need(d, ((size_t)m->max_buckets + m->max_rules) * 4))
		return d->err;
	set_tunables_legacy(m);

	m->buckets = cephc_calloc(m->max_buckets ? m->max_buckets : 1,
				  sizeof(*m->buckets));
	m->rules =
	    cephc_calloc(m->max_rules ? m->max_rules : 1, sizeof(*m->rules));
	if (!m->buckets || !m->rules)
		return dec_fail(d, CEPHC_ENOMEM);
	for (int32_t i = 0; i < m->max_buckets; i++)
		if (decode_bucket(d, i, &m->buckets[i]))
			return d->err;
	for (uint32_t i = 0; i < m->max_rules; i++)
		if (decode_rule(d, &m->rules[i]))
			return d->err;
	if (decode_name_map(d, &m->type_names) ||
	    decode_name_map(d, &m->item_names) ||
	    decode_name_map(d, &m->rule_names))
		return d->err;

	/* Tunables were appended one release at a time; each group is
	 * present only if the encoder knew it. */
	if (dec_left(d)) {
		m->choose_local_tries = dec_le32(d);
		m->choose_local_fallback_tries = dec_le32(d);
		m->choose_total_tries = dec_le32(d);
	}
	if (dec_left(d))
		m->chooseleaf_descend_once = dec_le32(d);
	if (dec_left(d))
		m->chooseleaf_vary_r = dec_u8(d);
	if (dec_left(d))
		m->straw_calc_version = dec_u8(d);
	if (dec_left(d))
		m->allowed_bucket_algs = dec_le32(d);
	if (dec_left(d))
		m->chooseleaf_stable = dec_u8(d);
	if (dec_left(d))
		skip_device_classes(d);
	if (d->err)
		return d->err;
	/* Validate the tree before choose_args, which look buckets up. */
	err = validate_graph(m);
	if (err)
		return dec_fail(d, err);
	/* CrushWrapper::finalize() also covers the highest-numbered named
	 * device, even one no bucket holds (a rule may TAKE it). */
	for (uint32_t i = 0; i < m->item_names.n; i++) {
		int32_t id = m->item_names.v[i].id;

		if (id >= CEPHC_CRUSH_MAX_DEVICES)
			return dec_fail(d, CEPHC_ETOOBIG);
		if (id >= m->max_devices)
			m->max_devices = id + 1;
	}
	if (dec_left(d))
		decode_choose_args(d, m);
	/* Squid appends the MSR tunables (defaults when absent). */
	if (dec_left(d)) {
		m->msr_descents = dec_le32(d);
		m->msr_collision_tries = dec_le32(d);
	}
	/* Later releases may append more; we ignore it. */
	if (d->err)
		return d->err;
	for (uint32_t r = 0; r < m->max_rules; r++) {
		uint32_t k;

		if (!m->rules[r].exists || !crush_rule_is_msr(&m->rules[r]))
			continue;
		k = crush_msr_max_steps(&m->rules[r]);
		if (k > m->max_msr_steps)
			m->max_msr_steps = k;
	}
	err = check_loop_limits(m);
	return err ? dec_fail(d, err) : 0;
}

int cephc_crush_decode(const uint8_t *buf, size_t len,
		       struct cephc_crush_map **out)
{
	struct cephc_crush_map *m;
	struct cephc_dec d;

	if (!buf && len)
		return CEPHC_EINVAL;
	m = cephc_calloc(1, sizeof(*m));
	if (!m)
		return CEPHC_ENOMEM;
	dec_init(&d, buf, len);
	if (decode_map(&d, m)) {
		int err = d.err;

		/* Only the slots decoded so far hold allocations; the rest
		 * are zero, which the free routine skips. */
		cephc_crush_free(m);
		return err;
	}
	*out = m;
	return 0;
}

/* --- accessors ---------------------------------------------------------- */

int cephc_crush_max_devices(const struct cephc_crush_map *m)
{
	return m->max_devices;
}

int cephc_crush_max_rules(const struct cephc_crush_map *m)
{
	return (int)m->max_rules;
}

int cephc_crush_max_buckets(const struct cephc_crush_map *m)
{
	return m->max_buckets;
}

bool cephc_crush_rule_exists(const struct cephc_crush_map *m, int ruleno)
{
	return ruleno >= 0 && (uint32_t)ruleno < m->max_rules &&
	       m->rules[ruleno].exists;
}

int cephc_crush_rule_mask(const struct cephc_crush_map *m, int ruleno,
			  int *ruleset, int *type, int *min_size, int *max_size)
{
	const struct crush_rule *r;

	if (!cephc_crush_rule_exists(m, ruleno))
		return CEPHC_ENOENT;
	r = &m->rules[ruleno];
	if (ruleset)
		*ruleset = r->ruleset;
	if (type)
		*type = r->type;
	if (min_size)
		*min_size = r->min_size;
	if (max_size)
		*max_size = r->max_size;
	return 0;
}

int cephc_crush_rule_type(const struct cephc_crush_map *m, int ruleno)
{
	if (!cephc_crush_rule_exists(m, ruleno))
		return CEPHC_ENOENT;
	return m->rules[ruleno].type;
}

/*
 * Pacific's CrushWrapper::find_rule tries rule id == ruleset first when all
 * rules have ruleset == id, which always finds the same rule as this scan.
 */
int cephc_crush_find_rule(const struct cephc_crush_map *m, int ruleset,
			  int type, int size)
{
	if (cephc_crush_rule_exists(m, ruleset) &&
	    crush_rule_is_msr(&m->rules[ruleset]))
		return ruleset;
	for (uint32_t i = 0; i < m->max_rules; i++) {
		const struct crush_rule *r = &m->rules[i];

		if (r->exists && r->ruleset == ruleset && r->type == type &&
		    r->min_size <= size && r->max_size >= size)
			return (int)i;
	}
	return -1;
}

/* Last entry wins, as repeated keys overwrite in Ceph's std::map. */
static const char *name_lookup(const struct crush_name_map *nm, int id)
{
	const char *found = NULL;

	for (uint32_t i = 0; i < nm->n; i++)
		if (nm->v[i].id == id)
			found = nm->v[i].name;
	return found;
}

const char *cephc_crush_rule_name(const struct cephc_crush_map *m, int ruleno)
{
	return name_lookup(&m->rule_names, ruleno);
}

const char *cephc_crush_item_name(const struct cephc_crush_map *m, int id)
{
	return name_lookup(&m->item_names, id);
}

const char *cephc_crush_type_name(const struct cephc_crush_map *m, int type)
{
	return name_lookup(&m->type_names, type);
}

bool cephc_crush_device_present(const struct cephc_crush_map *m, int id)
{
	for (int32_t i = 0; i < m->max_buckets; i++)
		for (uint32_t j = 0; j < m->buckets[i].size; j++)
			if (m->buckets[i].items[j] == id)
				return true;
	return false;
}

const struct cephc_crush_choose_arg *
cephc_crush_choose_args(const struct cephc_crush_map *m, int64_t index)
{
	for (uint32_t i = 0; i < m->n_choose_args; i++)
		if (m->choose_args[i].index == index)
			return &m->choose_args[i];
	return NULL;
}

const struct cephc_crush_choose_arg *
cephc_crush_choose_args_for_pool(const struct cephc_crush_map *m,
				 int64_t pool_id)
{
	const struct cephc_crush_choose_arg *ca =
	    cephc_crush_choose_args(m, pool_id);

	return ca ? ca
		  : cephc_crush_choose_args(m, CEPHC_CRUSH_CHOOSE_ARGS_DEFAULT);
}

void cephc_crush_get_tunables(const struct cephc_crush_map *m,
			      struct cephc_crush_tunables *t)
{
	t->choose_local_tries = m->choose_local_tries;
	t->choose_local_fallback_tries = m->choose_local_fallback_tries;
	t->choose_total_tries = m->choose_total_tries;
	t->chooseleaf_descend_once = m->chooseleaf_descend_once;
	t->chooseleaf_vary_r = m->chooseleaf_vary_r;
	t->chooseleaf_stable = m->chooseleaf_stable;
	t->straw_calc_version = m->straw_calc_version;
	t->allowed_bucket_algs = m->allowed_bucket_algs;
	t->msr_descents = m->msr_descents;
	t->msr_collision_tries = m->msr_collision_tries;
}
