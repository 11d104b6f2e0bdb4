/* SPDX-License-Identifier: MIT */
/*
 * pg_pool_t decode, versions 5..29 (Pacific encodes v29 compat 5).  Fields
 * arrive in version order; each later group is present when struct_v says
 * so, and anything past what we know is skipped by the envelope length.
 */
#include <stdlib.h>
#include <string.h>

#include "osdmap/osdmap_internal.h"

#include "core/alloc.h"
#include "osdmap/ceph_hash.h"

/* Oldest pool encoding we read (the kernel's floor too), newest compat. */
#define POOL_MIN_V 5
#define POOL_MAX_COMPAT 29

uint32_t cephc_pg_mask(uint32_t n)
{
	uint32_t bits = 0;
	uint32_t v = n ? n - 1 : 0;

	while (v) {
		bits++;
		v >>= 1;
	}
	return bits >= 32 ? 0xffffffffu : (1u << bits) - 1;
}

void osdmap_pool_calc_masks(struct cephc_pg_pool *pool)
{
	pool->pg_num_mask = cephc_pg_mask(pool->pg_num);
	pool->pgp_num_mask = cephc_pg_mask(pool->pgp_num);
}

static void pool_opts_free(struct cephc_pg_pool *p)
{
	for (uint32_t i = 0; i < p->n_opts; i++)
		if (p->opts[i].type == CEPHC_POOL_OPT_STR)
			cephc_free(p->opts[i].v.s);
	cephc_free(p->opts);
	p->opts = NULL;
	p->n_opts = 0;
}

void osdmap_pool_clear(struct cephc_pg_pool *pool)
{
	uint32_t i;

	cephc_free(pool->name);
	cephc_free(pool->tiers);
	cephc_free(pool->erasure_code_profile);
	for (i = 0; i < pool->n_apps; i++)
		cephc_free(pool->apps[i]);
	cephc_free(pool->apps);
	for (i = 0; i < pool->n_snaps; i++)
		cephc_free(pool->snaps[i].name);
	cephc_free(pool->snaps);
	cephc_free(pool->removed_snaps);
	cephc_free(pool->removed_snaps_queue);
	pool_opts_free(pool);
	memset(pool, 0, sizeof(*pool));
}

void osdmap_skip_snap_interval_map(struct cephc_dec *d)
{
	/* Each pool: le64 id, le32 count, count x (le64 start, le64 len). */
	uint32_t n = dec_count(d, CEPHC_OSDMAP_MAX_POOLS, 12);

	while (n-- && !d->err) {
		uint32_t k;

		dec_skip(d, 8);
		k = dec_count(d, CEPHC_OSDMAP_MAX_SNAPS, 16);
		dec_skip(d, (size_t)k * 16);
	}
}

void osdmap_skip_string(struct cephc_dec *d)
{
	uint32_t len;

	(void)dec_blob(d, &len, CEPHC_OSDMAP_MAX_STRING);
}

void osdmap_skip_string_map(struct cephc_dec *d)
{
	uint32_t n = dec_count(d, CEPHC_OSDMAP_MAX_MAP_ENTRIES, 8);

	while (n-- && !d->err) {
		osdmap_skip_string(d);
		osdmap_skip_string(d);
	}
}

void osdmap_skip_profiles(struct cephc_dec *d)
{
	uint32_t n = dec_count(d, CEPHC_OSDMAP_MAX_MAP_ENTRIES, 8);

	while (n-- && !d->err) {
		osdmap_skip_string(d);
		osdmap_skip_string_map(d);
	}
}

void osdmap_skip_envelope(struct cephc_dec *d)
{
	struct cephc_dec body;

	/* We do not look inside, so any compat is fine. */
	dec_envelope(d, 255, NULL, &body);
}

/* map<snapid_t, pool_snap_info_t>; pool_snap_info_t is versioned. */
static int decode_pool_snaps(struct cephc_dec *d, struct cephc_pg_pool *pool)
{
	uint32_t n = dec_count(d, CEPHC_OSDMAP_MAX_SNAPS, 8 + 6);
	uint32_t i;

	if (d->err || !n)
		return d->err;
	pool->snaps = cephc_calloc(n, sizeof(*pool->snaps));
	if (!pool->snaps)
		return dec_fail(d, CEPHC_ENOMEM);
	for (i = 0; i < n && !d->err; i++) {
		struct cephc_pool_snap *s = &pool->snaps[i];
		struct cephc_dec b;

		(void)dec_le64(d); /* key: the same snapid */
		if (dec_envelope(d, 2, NULL, &b))
			break;
		s->snapid = dec_le64(&b);
		s->stamp.sec = dec_le32(&b);
		s->stamp.nsec = dec_le32(&b);
		s->name = dec_string_dup(&b, CEPHC_OSDMAP_MAX_NAME);
		pool->n_snaps = i + 1;
		if (dec_envelope_end(d, &b))
			break;
	}
	return d->err;
}

/* interval_set<snapid_t>: le32 n, n x (le64 start, le64 len). */
static int decode_intervals(struct cephc_dec *d, struct cephc_pg_pool *pool)
{
	uint32_t n = dec_count(d, CEPHC_OSDMAP_MAX_SNAPS, 16);
	uint32_t i;

	if (d->err || !n)
		return d->err;
	pool->removed_snaps = cephc_calloc(n, sizeof(*pool->removed_snaps));
	if (!pool->removed_snaps)
		return dec_fail(d, CEPHC_ENOMEM);
	for (i = 0; i < n; i++) {
		pool->removed_snaps[i].start = dec_le64(d);
		pool->removed_snaps[i].len = dec_le64(d);
	}
	pool->n_removed_snaps = n;
	return d->err;
}

/* map<string, map<string,string>>: keep only the application names. */
static int decode_apps(struct cephc_dec *d, struct cephc_pg_pool *pool)
{
	uint32_t n = dec_count(d, CEPHC_OSDMAP_MAX_APPS, 8);
	uint32_t i;

	if (d->err || !n)
		return d->err;
	pool->apps = cephc_calloc(n, sizeof(char *));
	if (!pool->apps)
		return dec_fail(d, CEPHC_ENOMEM);
	for (i = 0; i < n && !d->err; i++) {
		pool->apps[i] = dec_string_dup(d, CEPHC_OSDMAP_MAX_NAME);
		if (!pool->apps[i])
			break;
		pool->n_apps = i + 1;
		osdmap_skip_string_map(d);
	}
	return d->err;
}

/*
 * HitSet::Params: envelope { u8 type, then for bloom its own envelope
 * { le32 fpp_micro, le64 target_size, le64 seed } }; the explicit_hash
 * and explicit_object types have no parameters and encode nothing (seen
 * on 16.2.15).  Ceph refuses other types.
 */
static int decode_hit_set_params(struct cephc_dec *d,
				 struct cephc_hit_set_params *h)
{
	struct cephc_dec b, impl;

	if (dec_envelope(d, 1, NULL, &b))
		return d->err;
	h->type = dec_u8(&b);
	if (b.err)
		return dec_fail(d, b.err);
	if (h->type > CEPHC_HIT_SET_BLOOM)
		return dec_fail(d, CEPHC_EDECODE);
	if (h->type == CEPHC_HIT_SET_BLOOM) {
		if (dec_envelope(&b, 1, NULL, &impl))
			return dec_fail(d, b.err);
		h->fpp_micro = dec_le32(&impl);
		h->target_size = dec_le64(&impl);
		h->seed = dec_le64(&impl);
		if (dec_envelope_end(&b, &impl))
			return dec_fail(d, b.err);
	}
	return dec_envelope_end(d, &b);
}

static int opt_cmp(const void *a, const void *b)
{
	int32_t ka = ((const struct cephc_pool_opt *)a)->key;
	int32_t kb = ((const struct cephc_pool_opt *)b)->key;

	return (ka > kb) - (ka < kb);
}

/* One option value of type t into o (o->key already set). */
static int decode_opt_value(struct cephc_dec *b, uint8_t v, int32_t t,
			    struct cephc_pool_opt *o)
{
	switch (t) {
	case CEPHC_POOL_OPT_STR:
		o->v.s = dec_string_dup(b, CEPHC_OSDMAP_MAX_NAME);
		break;
	case CEPHC_POOL_OPT_INT:
		/* v1 (pre-Nautilus encoders) wrote ints as 32 bits. */
		o->v.i = v >= 2 ? dec_s64(b) : dec_s32(b);
		break;
	case CEPHC_POOL_OPT_DOUBLE: {
		uint64_t bits = dec_le64(b);

		memcpy(&o->v.d, &bits, sizeof(o->v.d));
		break;
	}
	default:
		return dec_fail(b, CEPHC_EDECODE); /* Ceph asserts */
	}
	if (!b->err)
		o->type = (uint8_t)t;
	return b->err;
}

/*
 * pool_opts_t: envelope { le32 n, n x (s32 key, s32 type, value) }; value
 * is a string, an s64 (s32 in struct v1) or an IEEE double.  Kept sorted
 * by key; a repeated key replaces the earlier value (Ceph's std::map).
 */
static int decode_pool_opts(struct cephc_dec *d, struct cephc_pg_pool *p)
{
	struct cephc_dec b;
	uint32_t n;
	uint8_t v;

	if (dec_envelope(d, 2, &v, &b))
		return d->err;
	/* Each entry takes at least key, type and a 4-byte value. */
	n = dec_count(&b, CEPHC_OSDMAP_MAX_POOL_OPTS, 12);
	if (n) {
		p->opts = cephc_calloc(n, sizeof(*p->opts));
		if (!p->opts)
			return dec_fail(d, CEPHC_ENOMEM);
	}
	for (uint32_t i = 0; i < n && !b.err; i++) {
		struct cephc_pool_opt o = {.key = dec_s32(&b)};
		int32_t t = dec_s32(&b);
		uint32_t j;

		if (b.err || decode_opt_value(&b, v, t, &o))
			break;
		for (j = 0; j < p->n_opts; j++)
			if (p->opts[j].key == o.key)
				break;
		if (j < p->n_opts) {
			if (p->opts[j].type == CEPHC_POOL_OPT_STR)
				cephc_free(p->opts[j].v.s);
		} else {
			p->n_opts++;
		}
		p->opts[j] = o;
	}
	if (b.err)
		return dec_fail(d, b.err);
	if (p->n_opts)
		qsort(p->opts, p->n_opts, sizeof(*p->opts), opt_cmp);
	return dec_envelope_end(d, &b);
}

static int decode_pool_body(struct cephc_dec *b, uint8_t v,
			    struct cephc_pg_pool *p)
{
	uint32_t i;

	p->type = dec_u8(b);
	p->size = dec_u8(b);
	p->crush_rule = dec_u8(b);
	p->object_hash = dec_u8(b);
	p->pg_num = dec_le32(b);
	p->pgp_num = dec_le32(b);
	dec_skip(b, 4 + 4); /* lpg_num, lpgp_num: long gone */
	p->last_change = dec_le32(b);
	p->snap_seq = dec_le64(b);
	p->snap_epoch = dec_le32(b);
	if (decode_pool_snaps(b, p) || decode_intervals(b, p))
		return b->err;
	p->auid = dec_le64(b);
	p->flags = dec_le64(b);
	dec_skip(b, 4); /* crash_replay_interval */
	p->min_size = v >= 7 ? dec_u8(b) : (uint8_t)(p->size - p->size / 2);
	if (v >= 8) {
		p->quota_max_bytes = dec_le64(b);
		p->quota_max_objects = dec_le64(b);
	}
	p->tier_of = p->read_tier = p->write_tier = -1;
	if (v >= 9) {
		uint32_t n = dec_count(b, CEPHC_OSDMAP_MAX_POOLS, 8);

		if (n) {
			p->tiers = cephc_calloc(n, sizeof(uint64_t));
			if (!p->tiers)
				return dec_fail(b, CEPHC_ENOMEM);
			for (i = 0; i < n; i++)
				p->tiers[i] = dec_le64(b);
			p->n_tiers = n;
		}
		p->tier_of = dec_s64(b);
		p->cache_mode = dec_u8(b);
		p->read_tier = dec_s64(b);
		p->write_tier = dec_s64(b);
	}
	if (v >= 10)
		osdmap_skip_string_map(b); /* properties */
	if (v >= 11) {
		if (decode_hit_set_params(b, &p->hit_set))
			return b->err;
		p->hit_set.period = dec_le32(b);
		p->hit_set.count = dec_le32(b);
	}
	if (v >= 12)
		p->stripe_width = dec_le32(b);
	if (v >= 13) {
		p->target_max_bytes = dec_le64(b);
		p->target_max_objects = dec_le64(b);
		dec_skip(b, 4 * 4); /* cache ratios and ages */
	}
	if (v >= 14) {
		p->erasure_code_profile =
		    dec_string_dup(b, CEPHC_OSDMAP_MAX_NAME);
		if (!p->erasure_code_profile)
			return b->err;
	}
	if (v >= 15)
		p->last_force_op_resend_preluminous = dec_le32(b);
	if (v >= 16)
		p->min_read_recency_for_promote = dec_le32(b);
	if (v >= 17)
		p->expected_num_objects = dec_le64(b);
	if (v >= 19)
		dec_skip(b, 4); /* cache_target_dirty_high_ratio_micro */
	if (v >= 20)
		p->min_write_recency_for_promote = dec_le32(b);
	if (v >= 21)
		dec_skip(b, 1); /* use_gmt_hitset */
	if (v >= 22)
		p->fast_read = dec_bool(b);
	if (v >= 23) {
		p->hit_set.grade_decay_rate = dec_le32(b);
		p->hit_set.search_last_n = dec_le32(b);
	}
	if (v >= 24 && decode_pool_opts(b, p))
		return b->err;
	if (v >= 25)
		p->last_force_op_resend_prenautilus = dec_le32(b);
	else
		p->last_force_op_resend_prenautilus =
		    p->last_force_op_resend_preluminous;
	if (v >= 26 && decode_apps(b, p))
		return b->err;
	if (v >= 27)
		dec_skip(b, 8); /* create_time */
	p->pg_autoscale_mode = -1;
	if (v >= 28) {
		p->pg_num_target = dec_le32(b);
		p->pgp_num_target = dec_le32(b);
		p->pg_num_pending = dec_le32(b);
		dec_skip(b, 4 + 4); /* two retired merge epochs */
		p->last_force_op_resend = dec_le32(b);
		p->pg_autoscale_mode = (int8_t)dec_u8(b);
	} else {
		p->pg_num_target = p->pg_num;
		p->pgp_num_target = p->pgp_num;
		p->pg_num_pending = p->pg_num;
		p->last_force_op_resend = p->last_force_op_resend_prenautilus;
	}
	/* v29 last_pg_merge_meta and later: skipped by the envelope. */
	return b->err;
}

int osdmap_decode_pool(struct cephc_dec *d, struct cephc_pg_pool *pool)
{
	struct cephc_dec b;
	uint8_t v;

	memset(pool, 0, sizeof(*pool));
	if (dec_envelope(d, POOL_MAX_COMPAT, &v, &b))
		return d->err;
	if (v < POOL_MIN_V)
		return dec_fail(d, CEPHC_ECOMPAT);
	pool->struct_v = v;
	decode_pool_body(&b, v, pool);
	if (dec_envelope_end(d, &b)) {
		osdmap_pool_clear(pool);
		return d->err;
	}
	osdmap_pool_calc_masks(pool);
	return 0;
}

uint32_t cephc_pool_fold(const struct cephc_pg_pool *pool, uint32_t seed)
{
	return cephc_stable_mod(seed, pool->pg_num, pool->pg_num_mask);
}
