/* SPDX-License-Identifier: MIT */
/*
 * Object -> PG -> OSDs, step for step as Ceph's OSDMap::_pg_to_up_acting_osds
 * (the kernel's ceph_pg_to_up_acting_osds follows the same pipeline):
 *
 *   pps = crush input from the pg seed (HASHPSPOOL or legacy)
 *   raw = crush rule result, nonexistent OSDs dropped (replicated) or
 *         replaced by NONE (erasure: positions matter)
 *   pg_upmap replaces raw unless one of its targets is out; pg_upmap_items
 *   then swap single OSDs (target not present and not out); pg_upmap_primary
 *   (Reef+) swaps its OSD to the front (a refused pg_upmap skips both)
 *   up  = raw without down OSDs (replicated) / with NONE (erasure)
 *   primary affinity may pick another up member as primary
 *   acting = pg_temp (minus down OSDs) if any, else up; primary_temp
 *   overrides the acting primary.
 */
#include "osdmap/osdmap_internal.h"

#include "core/alloc.h"
#include "osdmap/ceph_hash.h"
#include "osdmap/crush/crush.h"

uint32_t cephc_pool_pps(const struct cephc_pg_pool *pool, uint32_t seed)
{
	uint32_t ps = cephc_stable_mod(seed, pool->pgp_num, pool->pgp_num_mask);

	/* HASHPSPOOL mixes the pool id in so pools do not overlap; legacy
	 * pools just add it (so 0.5 == 1.4 == 2.3 ...). */
	if (pool->flags & CEPHC_POOL_FLAG_HASHPSPOOL)
		return cephc_crush_hash32_2(ps, (uint32_t)pool->id);
	return ps + (uint32_t)pool->id;
}

int cephc_osdmap_object_to_pg(const struct cephc_osdmap *m, int64_t pool,
			      const char *name, size_t name_len,
			      const char *key, size_t key_len,
			      const char *nspace, size_t nspace_len,
			      struct cephc_pg *raw_pg)
{
	const struct cephc_pg_pool *p = osdmap_pool_find(m, pool);

	if (!p)
		return -ENOENT;
	/* A locator key, when given, is hashed instead of the name. */
	if (key && key_len) {
		name = key;
		name_len = key_len;
	}
	raw_pg->pool = pool;
	raw_pg->seed = cephc_str_hash_ns(
	    p->object_hash, nspace, nspace ? nspace_len : 0, name, name_len);
	return 0;
}

size_t cephc_osdmap_scratch_size(const struct cephc_osdmap *m)
{
	if (!m->crush)
		return 0;
	return cephc_crush_scratch_size(m->crush, CEPHC_CRUSH_MAX_RESULT);
}

static bool can_shift(const struct cephc_pg_pool *p)
{
	/* Replicated sets may close gaps; erasure sets are positional. */
	return p->type == CEPHC_POOL_TYPE_REPLICATED;
}

static int pick_primary(const int *osds, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (osds[i] != CEPHC_OSD_NONE)
			return osds[i];
	return -1;
}

/* CRUSH, then drop (or blank) OSDs that do not exist. */
static int pg_to_raw(const struct cephc_osdmap *m,
		     const struct cephc_pg_pool *p, uint32_t pps, int *raw,
		     void *scratch)
{
	int n = 0, i, removed = 0;
	int rule;

	if (!m->crush)
		return 0;
	rule = cephc_crush_find_rule(m->crush, p->crush_rule, p->type, p->size);
	if (rule >= 0) {
		n = cephc_crush_do_rule(
		    m->crush, rule, (int)pps, raw,
		    p->size, /* u8: always within the arrays */
		    m->osd_weight, (int)m->max_osd,
		    cephc_crush_choose_args_for_pool(m->crush, p->id), scratch);
		if (n < 0)
			n = 0;
	}
	for (i = 0; i < n; i++) {
		if (!cephc_osdmap_osd_exists(m, raw[i])) {
			if (can_shift(p)) {
				removed++;
				continue;
			}
			raw[i] = CEPHC_OSD_NONE;
		}
		raw[i - removed] = raw[i];
	}
	return n - removed;
}

static bool osd_marked_out(const struct cephc_osdmap *m, int osd)
{
	return osd != CEPHC_OSD_NONE && osd >= 0 &&
	       (uint32_t)osd < m->max_osd && m->osd_weight[osd] == 0;
}

/*
 * pg_upmap_primary (Reef+): when the wanted primary is a valid OSD that
 * is not out and sits in raw at a position other than 0, it swaps places
 * with raw[0].  Applied after pg_upmap and pg_upmap_items, before down
 * OSDs are dropped (OSDMap::_apply_upmap).
 */
static void apply_upmap_primary(const struct cephc_osdmap *m,
				struct cephc_pg pg, int *raw, int n)
{
	const struct cephc_pg_primary *e =
	    osdmap_ppt_find(&m->pg_upmap_primary, pg);
	int prim;

	if (!e)
		return;
	prim = e->osd;
	if (prim < 0 || (uint32_t)prim >= m->max_osd ||
	    prim == CEPHC_OSD_NONE || m->osd_weight[prim] == 0)
		return;
	for (int i = 1; i < n; i++) {
		if (raw[i] == prim) {
			raw[i] = raw[0];
			raw[0] = prim;
			return;
		}
	}
}

static int apply_upmap(const struct cephc_osdmap *m, struct cephc_pg pg,
		       int *raw, int n)
{
	const struct cephc_pg_osds *e = osdmap_pgt_find(&m->pg_upmap, pg);
	uint32_t i, j;

	if (e) {
		/* An explicit mapping onto an out OSD is ignored entirely,
		 * pg_upmap_items included. */
		for (i = 0; i < e->n; i++)
			if (osd_marked_out(m, e->osds[i]))
				return n;
		for (i = 0; i < e->n; i++)
			raw[i] = e->osds[i];
		n = (int)e->n;
	}
	e = osdmap_pgt_find(&m->pg_upmap_items, pg);
	for (i = 0; e && i + 1 < e->n; i += 2) {
		int from = e->osds[i], to = e->osds[i + 1];
		int pos = -1;
		bool present = false;

		/* Replace the first 'from' unless 'to' is already in the
		 * set (so a two-way swap cannot happen) or 'to' is out. */
		for (j = 0; j < (uint32_t)n; j++) {
			if (raw[j] == to) {
				present = true;
				break;
			}
			if (raw[j] == from && pos < 0 && !osd_marked_out(m, to))
				pos = (int)j;
		}
		if (!present && pos >= 0)
			raw[pos] = to;
	}
	apply_upmap_primary(m, pg, raw, n);
	return n;
}

static int raw_to_up(const struct cephc_osdmap *m,
		     const struct cephc_pg_pool *p, const int *raw, int n,
		     int *up)
{
	int i, k = 0;

	for (i = 0; i < n; i++) {
		if (cephc_osdmap_osd_up(m, raw[i]))
			up[k++] = raw[i];
		else if (!can_shift(p))
			up[k++] = CEPHC_OSD_NONE;
	}
	return k;
}

static void apply_primary_affinity(const struct cephc_osdmap *m,
				   const struct cephc_pg_pool *p, uint32_t pps,
				   int *osds, int n, int *primary)
{
	const uint32_t *aff = m->osd_primary_affinity;
	int i, pos = -1;
	bool any = false;

	if (!aff)
		return;
	for (i = 0; i < n; i++)
		if (osds[i] != CEPHC_OSD_NONE &&
		    aff[osds[i]] != CEPHC_OSD_DEFAULT_PRIMARY_AFFINITY) {
			any = true;
			break;
		}
	if (!any)
		return;
	/*
	 * Hash (pps, osd) so a proportional share of an OSD's PGs turn it
	 * down as primary; remember the first refusal as a fallback.
	 */
	for (i = 0; i < n; i++) {
		int o = osds[i];
		uint32_t a;

		if (o == CEPHC_OSD_NONE)
			continue;
		a = aff[o];
		if (a < CEPHC_OSD_MAX_PRIMARY_AFFINITY &&
		    (cephc_crush_hash32_2(pps, (uint32_t)o) >> 16) >= a) {
			if (pos < 0)
				pos = i;
		} else {
			pos = i;
			break;
		}
	}
	if (pos < 0)
		return;
	*primary = osds[pos];
	if (can_shift(p) && pos > 0) {
		for (i = pos; i > 0; i--)
			osds[i] = osds[i - 1];
		osds[0] = *primary;
	}
}

static int get_temp(const struct cephc_osdmap *m, const struct cephc_pg_pool *p,
		    struct cephc_pg pg, int *temp, int *temp_primary)
{
	const struct cephc_pg_osds *e = osdmap_pgt_find(&m->pg_temp, pg);
	const struct cephc_pg_primary *pt;
	int n = 0;
	uint32_t i;

	if (e) {
		for (i = 0; i < e->n; i++) {
			if (!cephc_osdmap_osd_up(m, e->osds[i])) {
				if (!can_shift(p))
					temp[n++] = CEPHC_OSD_NONE;
			} else {
				temp[n++] = e->osds[i];
			}
		}
	}
	pt = osdmap_ppt_find(&m->primary_temp, pg);
	if (pt)
		*temp_primary = pt->osd;
	else
		*temp_primary = pick_primary(temp, n);
	return n;
}

int cephc_osdmap_pg_to_osds(const struct cephc_osdmap *m, struct cephc_pg pg,
			    struct cephc_pg_mapping *out, void *scratch)
{
	const struct cephc_pg_pool *p = osdmap_pool_find(m, pg.pool);
	struct cephc_pg folded;
	uint32_t pps;

	out->n_raw = out->n_up = out->n_acting = 0;
	out->raw_primary = out->up_primary = out->acting_primary = -1;
	if (!p)
		return -ENOENT;
	/* temp and upmap tables are keyed by the folded pg; CRUSH gets the
	 * pps of the pg as given (pgp folding happens inside). */
	folded.pool = pg.pool;
	folded.seed = cephc_pool_fold(p, pg.seed);
	pps = cephc_pool_pps(p, pg.seed);

	out->n_acting =
	    get_temp(m, p, folded, out->acting, &out->acting_primary);
	out->n_raw = pg_to_raw(m, p, pps, out->raw, scratch);
	out->raw_primary = pick_primary(out->raw, out->n_raw);
	memcpy(out->up, out->raw, (size_t)out->n_raw * sizeof(int));
	out->n_up = apply_upmap(m, folded, out->up, out->n_raw);
	out->n_up = raw_to_up(m, p, out->up, out->n_up, out->up);
	out->up_primary = pick_primary(out->up, out->n_up);
	apply_primary_affinity(m, p, pps, out->up, out->n_up, &out->up_primary);
	if (out->n_acting == 0) {
		memcpy(out->acting, out->up, (size_t)out->n_up * sizeof(int));
		out->n_acting = out->n_up;
		if (out->acting_primary == -1)
			out->acting_primary = out->up_primary;
	}
	return 0;
}
