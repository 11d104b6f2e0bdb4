/* SPDX-License-Identifier: MIT */
/*
 * The map's sorted tables (pools, pg_temp, primary_temp, pg_upmap[_items],
 * pg_upmap_primary)
 * and per-OSD arrays, shared by the full and incremental decoders.  Tables
 * are sorted arrays: lookups on the placement path are binary searches, and
 * incrementals insert or remove a handful of entries per epoch.
 */
#include "osdmap/osdmap_internal.h"

#include "core/alloc.h"
#include "osdmap/crush/crush.h"

int osdmap_pg_cmp(struct cephc_pg a, struct cephc_pg b)
{
	/* pg_t's order: pool, then (the constant preferred), then seed. */
	if (a.pool != b.pool)
		return a.pool < b.pool ? -1 : 1;
	if (a.seed != b.seed)
		return a.seed < b.seed ? -1 : 1;
	return 0;
}

int osdmap_decode_pg(struct cephc_dec *d, struct cephc_pg *pg)
{
	uint8_t v = dec_u8(d);

	pg->pool = dec_s64(d);
	pg->seed = dec_le32(d);
	(void)dec_s32(d); /* preferred: always -1 since Luminous */
	if (!d->err && v != 1)
		return dec_fail(d, CEPHC_EDECODE);
	return d->err;
}

int osdmap_decode_osd_vec(struct cephc_dec *d, bool pairs, uint32_t *n,
			  int32_t **osds)
{
	uint32_t per = pairs ? 2 : 1;
	uint32_t count = dec_count(d, CEPHC_OSDMAP_MAX_PG_OSDS / per, 4 * per);
	uint32_t i;

	*n = 0;
	*osds = NULL;
	if (d->err || !count)
		return d->err;
	*osds = cephc_malloc_array(count * per, sizeof(int32_t));
	if (!*osds)
		return dec_fail(d, CEPHC_ENOMEM);
	for (i = 0; i < count * per; i++)
		(*osds)[i] = dec_s32(d);
	*n = count * per;
	return d->err;
}

/* Index of pg in t, or -(insertion point) - 1. */
static long pgt_search(const struct cephc_pg_table *t, struct cephc_pg pg)
{
	long lo = 0, hi = (long)t->n - 1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;
		int c = osdmap_pg_cmp(t->e[mid].pg, pg);

		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -lo - 1;
}

struct cephc_pg_osds *osdmap_pgt_find(const struct cephc_pg_table *t,
				      struct cephc_pg pg)
{
	long i = pgt_search(t, pg);

	return i >= 0 ? &t->e[i] : NULL;
}

int osdmap_pgt_set(struct cephc_pg_table *t, struct cephc_pg pg, uint32_t n,
		   int32_t *osds)
{
	long i = pgt_search(t, pg);
	size_t pos;

	if (i >= 0) {
		cephc_free(t->e[i].osds);
		t->e[i].n = n;
		t->e[i].osds = osds;
		return 0;
	}
	if (t->n >= CEPHC_OSDMAP_MAX_PG_ENTRIES) {
		cephc_free(osds);
		return CEPHC_ETOOBIG;
	}
	if (t->n == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 16;
		void *e = cephc_malloc_array(cap, sizeof(*t->e));

		if (!e) {
			cephc_free(osds);
			return CEPHC_ENOMEM;
		}
		if (t->n)
			memcpy(e, t->e, t->n * sizeof(*t->e));
		cephc_free(t->e);
		t->e = e;
		t->cap = cap;
	}
	pos = (size_t)(-i - 1);
	memmove(&t->e[pos + 1], &t->e[pos], (t->n - pos) * sizeof(*t->e));
	t->e[pos].pg = pg;
	t->e[pos].n = n;
	t->e[pos].osds = osds;
	t->n++;
	return 0;
}

void osdmap_pgt_remove(struct cephc_pg_table *t, struct cephc_pg pg)
{
	long i = pgt_search(t, pg);

	if (i < 0)
		return;
	cephc_free(t->e[i].osds);
	memmove(&t->e[i], &t->e[i + 1], (t->n - (size_t)i - 1) * sizeof(*t->e));
	t->n--;
}

void osdmap_pgt_clear(struct cephc_pg_table *t)
{
	uint32_t i;

	for (i = 0; i < t->n; i++)
		cephc_free(t->e[i].osds);
	cephc_free(t->e);
	memset(t, 0, sizeof(*t));
}

int osdmap_decode_pgt(struct cephc_dec *d, struct cephc_pg_table *t, bool pairs)
{
	uint32_t n =
	    dec_count(d, CEPHC_OSDMAP_MAX_PG_ENTRIES, CEPHC_PG_WIRE_LEN + 4);

	while (n-- && !d->err) {
		struct cephc_pg pg;
		uint32_t k;
		int32_t *osds;
		int r;

		if (osdmap_decode_pg(d, &pg))
			break;
		if (osdmap_decode_osd_vec(d, pairs, &k, &osds))
			break;
		r = osdmap_pgt_set(t, pg, k, osds);
		if (r)
			return dec_fail(d, r);
	}
	return d->err;
}

static long ppt_search(const struct cephc_pg_primary_table *t,
		       struct cephc_pg pg)
{
	long lo = 0, hi = (long)t->n - 1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;
		int c = osdmap_pg_cmp(t->e[mid].pg, pg);

		if (!c)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -lo - 1;
}

struct cephc_pg_primary *osdmap_ppt_find(const struct cephc_pg_primary_table *t,
					 struct cephc_pg pg)
{
	long i = ppt_search(t, pg);

	return i >= 0 ? &t->e[i] : NULL;
}

int osdmap_ppt_set(struct cephc_pg_primary_table *t, struct cephc_pg pg,
		   int32_t osd)
{
	long i = ppt_search(t, pg);
	size_t pos;
	struct cephc_pg_primary *e;

	if (i >= 0) {
		t->e[i].osd = osd;
		return 0;
	}
	if (t->n >= CEPHC_OSDMAP_MAX_PG_ENTRIES)
		return CEPHC_ETOOBIG;
	e = cephc_realloc(t->e, (t->n + 1) * sizeof(*e));
	if (!e)
		return CEPHC_ENOMEM;
	t->e = e;
	pos = (size_t)(-i - 1);
	memmove(&e[pos + 1], &e[pos], (t->n - pos) * sizeof(*e));
	e[pos].pg = pg;
	e[pos].osd = osd;
	t->n++;
	return 0;
}

void osdmap_ppt_remove(struct cephc_pg_primary_table *t, struct cephc_pg pg)
{
	long i = ppt_search(t, pg);

	if (i < 0)
		return;
	memmove(&t->e[i], &t->e[i + 1], (t->n - (size_t)i - 1) * sizeof(*t->e));
	t->n--;
}

int osdmap_decode_ppt(struct cephc_dec *d, struct cephc_pg_primary_table *t)
{
	uint32_t n =
	    dec_count(d, CEPHC_OSDMAP_MAX_PG_ENTRIES, CEPHC_PG_WIRE_LEN + 4);

	while (n-- && !d->err) {
		struct cephc_pg pg;
		int32_t osd;
		int r;

		osdmap_decode_pg(d, &pg);
		osd = dec_s32(d);
		if (d->err)
			break;
		r = osdmap_ppt_set(t, pg, osd);
		if (r)
			return dec_fail(d, r);
	}
	return d->err;
}

static long pool_search(const struct cephc_osdmap *m, int64_t id)
{
	long lo = 0, hi = (long)m->n_pools - 1;

	while (lo <= hi) {
		long mid = lo + (hi - lo) / 2;

		if (m->pools[mid].id == id)
			return mid;
		if (m->pools[mid].id < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -lo - 1;
}

struct cephc_pg_pool *osdmap_pool_find(const struct cephc_osdmap *m, int64_t id)
{
	long i = pool_search(m, id);

	return i >= 0 ? &m->pools[i] : NULL;
}

int osdmap_pool_put(struct cephc_osdmap *m, struct cephc_pg_pool *pool)
{
	long i = pool_search(m, pool->id);
	struct cephc_pg_pool *p;
	size_t pos;

	if (i >= 0) {
		/* A replaced pool keeps its name (names come separately). */
		if (!pool->name) {
			pool->name = m->pools[i].name;
			m->pools[i].name = NULL;
		}
		/* so does its removed_snaps_queue (an OSD-only map field) */
		if (!pool->removed_snaps_queue) {
			pool->removed_snaps_queue =
			    m->pools[i].removed_snaps_queue;
			pool->n_removed_snaps_queue =
			    m->pools[i].n_removed_snaps_queue;
			m->pools[i].removed_snaps_queue = NULL;
			m->pools[i].n_removed_snaps_queue = 0;
		}
		osdmap_pool_clear(&m->pools[i]);
		m->pools[i] = *pool;
		return 0;
	}
	if (m->n_pools >= CEPHC_OSDMAP_MAX_POOLS)
		return CEPHC_ETOOBIG;
	p = cephc_realloc(m->pools, (m->n_pools + 1) * sizeof(*p));
	if (!p)
		return CEPHC_ENOMEM;
	m->pools = p;
	pos = (size_t)(-i - 1);
	memmove(&p[pos + 1], &p[pos], (m->n_pools - pos) * sizeof(*p));
	p[pos] = *pool;
	m->n_pools++;
	return 0;
}

void osdmap_pool_remove(struct cephc_osdmap *m, int64_t id)
{
	long i = pool_search(m, id);

	if (i < 0)
		return;
	osdmap_pool_clear(&m->pools[i]);
	memmove(&m->pools[i], &m->pools[i + 1],
		(m->n_pools - (size_t)i - 1) * sizeof(*m->pools));
	m->n_pools--;
}

/* Grow or shrink one per-OSD array, filling new slots with fill bytes. */
static int resize_array(void **arr, size_t elem, uint32_t old_n, uint32_t n,
			const void *fill)
{
	uint8_t *p;
	uint32_t i;

	if (!*arr && !fill)
		return 0;
	p = cephc_realloc(*arr, n ? (size_t)n * elem : 1);
	if (!p)
		return CEPHC_ENOMEM;
	for (i = old_n; i < n; i++) {
		if (fill)
			memcpy(p + (size_t)i * elem, fill, elem);
		else
			memset(p + (size_t)i * elem, 0, elem);
	}
	*arr = p;
	return 0;
}

int osdmap_set_max_osd(struct cephc_osdmap *m, uint32_t n)
{
	static const uint32_t zero32, out = CEPHC_OSD_OUT;
	static const uint32_t aff = CEPHC_OSD_DEFAULT_PRIMARY_AFFINITY;
	static const struct cephc_osd_addrs noaddr;
	static const struct cephc_osd_info noinfo;
	static const uint8_t nouuid[16];
	uint32_t old = m->max_osd;
	int r;

	if (n > CEPHC_OSDMAP_MAX_OSD)
		return CEPHC_ETOOBIG;
	r = resize_array((void **)&m->osd_state, 4, old, n, &zero32);
	if (!r)
		r = resize_array((void **)&m->osd_weight, 4, old, n, &out);
	if (!r && m->osd_primary_affinity)
		r = resize_array((void **)&m->osd_primary_affinity, 4, old, n,
				 &aff);
	if (!r)
		r = resize_array((void **)&m->osd_addrs, sizeof(noaddr), old, n,
				 &noaddr);
	if (!r)
		r = resize_array((void **)&m->cluster_addrs, sizeof(noaddr),
				 old, n, &noaddr);
	if (!r)
		r = resize_array((void **)&m->osd_info, sizeof(noinfo), old, n,
				 &noinfo);
	if (!r)
		r = resize_array((void **)&m->osd_uuid, 16, old, n, nouuid);
	if (r)
		return r;
	m->max_osd = n;
	return 0;
}

int osdmap_decode_addrs(struct cephc_dec *d, struct cephc_osd_addrs *a)
{
	struct cephc_entity_addr tmp[CEPHC_ADDRVEC_MAX];
	uint32_t n = 0, i;
	int r;

	memset(a, 0, sizeof(*a));
	r = cephc_addrvec_decode(d, tmp, CEPHC_ADDRVEC_MAX, &n);
	if (r)
		return dec_fail(d, r);
	for (i = 0; i < n && i < CEPHC_OSDMAP_ADDRS_KEPT; i++)
		a->a[i] = tmp[i];
	a->n = (uint8_t)i;
	return 0;
}

int osdmap_set_crush(struct cephc_osdmap *m, const uint8_t *blob, uint32_t len)
{
	struct cephc_crush_map *c = NULL;
	uint8_t *copy = cephc_malloc(len ? len : 1);

	if (!copy)
		return CEPHC_ENOMEM;
	memcpy(copy, blob, len);
	cephc_free(m->crush_blob);
	cephc_crush_free(m->crush);
	m->crush_blob = copy;
	m->crush_len = len;
	m->crush = NULL;
	/* A crush map we cannot read leaves the rest of the map usable. */
	/* The decoder also refuses maps that would make the mapper spin. */
	m->crush_err = cephc_crush_decode(copy, len, &c);
	if (!m->crush_err)
		m->crush = c;
	return m->crush_err == CEPHC_ENOMEM ? CEPHC_ENOMEM : 0;
}
