/* SPDX-License-Identifier: MIT */
/*
 * Incremental OSDMap: decoded completely into `struct inc` first, checked,
 * and only then applied, so a malformed incremental leaves the map as it
 * was.  Client section (Pacific: v8 compat 1):
 *   fsid, epoch, modified, new_pool_max (s64), new_flags (s32), fullmap bl,
 *   crush bl, new_max_osd (s32), new_pools, new_pool_names, old_pools,
 *   new_up_client (addrvec; legacy addr before v7), new_state (u32 xor; u8
 *   before v5), new_weight, new_pg_temp, new_primary_temp (v1+),
 *   new_primary_affinity (v2+), ec profiles (v3+), new/old pg_upmap and
 *   pg_upmap_items (v4+), new_removed/purged_snaps (v6+, skipped),
 *   last up/in change (v8+, skipped), new/old pg_upmap_primary (v9+,
 *   Reef encoders only).
 * The OSD-only section carries up_thru, clean intervals, lost, cluster
 * addresses, blocklist, uuids and ratios, which only --print shows.
 */
#include "osdmap/osdmap_internal.h"

#include "core/alloc.h"
#include "osdmap/blocklist_order.h"

struct osd_u32 {
	int32_t osd;
	uint32_t v;
};

struct osd_addr_entry {
	int32_t osd;
	struct cephc_osd_addrs a;
};

struct osd_interval {
	int32_t osd;
	uint32_t first, last;
};

struct osd_uuid_entry {
	int32_t osd;
	uint8_t uuid[16];
};

struct inc {
	uint8_t fsid[16];
	uint32_t epoch;
	struct cephc_utime modified;
	int64_t new_pool_max;
	int32_t new_flags;
	const uint8_t *fullmap, *crush;
	uint32_t fullmap_len, crush_len;
	int32_t new_max_osd;
	uint32_t n_new_pools, n_old_pools, n_names;
	struct cephc_pg_pool *new_pools;
	int64_t *old_pools;
	struct {
		int64_t id;
		char *name;
	} * names;
	uint32_t n_up, n_state, n_weight, n_aff;
	struct osd_addr_entry *up;
	struct osd_u32 *state, *weight, *aff;
	struct cephc_pg_table pg_temp, upmap, upmap_items;
	uint32_t n_ptemp, n_old_upmap, n_old_items;
	struct cephc_pg_primary *ptemp;
	struct cephc_pg *old_upmap, *old_items;
	struct cephc_pg_primary_table upmap_primary; /* v9+ */
	uint32_t n_old_upmap_primary;
	struct cephc_pg *old_upmap_primary;
	/* OSD-only section */
	bool have_osd;
	uint32_t n_up_thru, n_clean, n_lost, n_up_cluster, n_uuid;
	struct osd_u32 *up_thru, *lost;
	struct osd_interval *clean;
	struct osd_addr_entry *up_cluster;
	struct osd_uuid_entry *uuid;
	uint32_t n_new_bl, n_old_bl;
	struct cephc_blocklist_entry *new_bl;
	struct cephc_entity_addr *old_bl;
	char *cluster_snapshot;
	bool have_ratios, have_require;
	float nearfull, full, backfillfull;
	uint8_t require_min_compat_client, require_osd_release;
};

static void inc_free(struct inc *in)
{
	uint32_t i;

	for (i = 0; i < in->n_new_pools; i++)
		osdmap_pool_clear(&in->new_pools[i]);
	cephc_free(in->new_pools);
	cephc_free(in->old_pools);
	for (i = 0; i < in->n_names; i++)
		cephc_free(in->names[i].name);
	cephc_free(in->names);
	cephc_free(in->up);
	cephc_free(in->state);
	cephc_free(in->weight);
	cephc_free(in->aff);
	osdmap_pgt_clear(&in->pg_temp);
	osdmap_pgt_clear(&in->upmap);
	osdmap_pgt_clear(&in->upmap_items);
	cephc_free(in->ptemp);
	cephc_free(in->old_upmap);
	cephc_free(in->old_items);
	cephc_free(in->upmap_primary.e);
	cephc_free(in->old_upmap_primary);
	cephc_free(in->up_thru);
	cephc_free(in->lost);
	cephc_free(in->clean);
	cephc_free(in->up_cluster);
	cephc_free(in->uuid);
	cephc_free(in->new_bl);
	cephc_free(in->old_bl);
	cephc_free(in->cluster_snapshot);
}

/* Allocate an array for a peer count already checked by dec_count(). */
static void *inc_array(struct cephc_dec *d, uint32_t n, size_t elem)
{
	void *p;

	if (d->err || !n)
		return NULL;
	p = cephc_calloc(n, elem);
	if (!p)
		dec_fail(d, CEPHC_ENOMEM);
	return p;
}

/* map<int32, u32> (or map<int32, u8> when narrow). */
static int decode_osd_u32_map(struct cephc_dec *d, struct osd_u32 **out,
			      uint32_t *n_out, bool narrow)
{
	uint32_t n = dec_count(d, CEPHC_OSDMAP_MAX_OSD, narrow ? 5 : 8);
	uint32_t i;

	*out = inc_array(d, n, sizeof(**out));
	if (d->err || !n)
		return d->err;
	for (i = 0; i < n; i++) {
		(*out)[i].osd = dec_s32(d);
		(*out)[i].v = narrow ? dec_u8(d) : dec_le32(d);
	}
	*n_out = n;
	return d->err;
}

/* map<int32, addrvec> (legacy single address before client v7: the addr
 * decoder reads either form from its marker byte). */
static int decode_osd_addr_map(struct cephc_dec *d, struct osd_addr_entry **out,
			       uint32_t *n_out)
{
	uint32_t n = dec_count(d, CEPHC_OSDMAP_MAX_OSD, 5);
	uint32_t i;

	*out = inc_array(d, n, sizeof(**out));
	for (i = 0; i < n && !d->err; i++) {
		(*out)[i].osd = dec_s32(d);
		osdmap_decode_addrs(d, &(*out)[i].a);
	}
	*n_out = d->err ? 0 : n;
	return d->err;
}

static int decode_pg_set(struct cephc_dec *d, struct cephc_pg **out,
			 uint32_t *n_out)
{
	uint32_t n =
	    dec_count(d, CEPHC_OSDMAP_MAX_PG_ENTRIES, CEPHC_PG_WIRE_LEN);
	uint32_t i;

	*out = inc_array(d, n, sizeof(**out));
	for (i = 0; i < n && !d->err; i++)
		osdmap_decode_pg(d, &(*out)[i]);
	*n_out = d->err ? 0 : n;
	return d->err;
}

static int decode_inc_client(struct cephc_dec *b, uint8_t v, struct inc *in)
{
	uint32_t n, i;

	dec_copy(b, in->fsid, 16);
	in->epoch = dec_le32(b);
	in->modified.sec = dec_le32(b);
	in->modified.nsec = dec_le32(b);
	in->new_pool_max = dec_s64(b);
	in->new_flags = dec_s32(b);
	in->fullmap = dec_blob(b, &in->fullmap_len, UINT32_MAX);
	in->crush = dec_blob(b, &in->crush_len, CEPHC_OSDMAP_MAX_CRUSH_LEN);
	in->new_max_osd = dec_s32(b);

	n = dec_count(b, CEPHC_OSDMAP_MAX_POOLS, 8 + 6);
	in->new_pools = inc_array(b, n, sizeof(*in->new_pools));
	for (i = 0; i < n && !b->err; i++) {
		int64_t id = dec_s64(b);

		if (osdmap_decode_pool(b, &in->new_pools[i]))
			break;
		in->new_pools[i].id = id;
		in->n_new_pools = i + 1;
	}
	n = dec_count(b, CEPHC_OSDMAP_MAX_POOLS, 8 + 4);
	in->names = inc_array(b, n, sizeof(*in->names));
	for (i = 0; i < n && !b->err; i++) {
		in->names[i].id = dec_s64(b);
		in->names[i].name = dec_string_dup(b, CEPHC_OSDMAP_MAX_NAME);
		if (in->names[i].name)
			in->n_names = i + 1;
	}
	n = dec_count(b, CEPHC_OSDMAP_MAX_POOLS, 8);
	in->old_pools = inc_array(b, n, sizeof(int64_t));
	for (i = 0; i < n && !b->err; i++)
		in->old_pools[i] = dec_s64(b);
	in->n_old_pools = b->err ? 0 : n;

	decode_osd_addr_map(b, &in->up, &in->n_up);
	decode_osd_u32_map(b, &in->state, &in->n_state, v < 5);
	decode_osd_u32_map(b, &in->weight, &in->n_weight, false);
	osdmap_decode_pgt(b, &in->pg_temp, false);
	if (v >= 1) {
		n = dec_count(b, CEPHC_OSDMAP_MAX_PG_ENTRIES,
			      CEPHC_PG_WIRE_LEN + 4);
		in->ptemp = inc_array(b, n, sizeof(*in->ptemp));
		for (i = 0; i < n && !b->err; i++) {
			osdmap_decode_pg(b, &in->ptemp[i].pg);
			in->ptemp[i].osd = dec_s32(b);
		}
		in->n_ptemp = b->err ? 0 : n;
	}
	if (v >= 2)
		decode_osd_u32_map(b, &in->aff, &in->n_aff, false);
	if (v >= 3) {
		osdmap_skip_profiles(b); /* new_erasure_code_profiles */
		n = dec_count(b, CEPHC_OSDMAP_MAX_MAP_ENTRIES, 4);
		while (n-- && !b->err) /* old_erasure_code_profiles */
			osdmap_skip_string(b);
	}
	if (v >= 4) {
		osdmap_decode_pgt(b, &in->upmap, false);
		decode_pg_set(b, &in->old_upmap, &in->n_old_upmap);
		osdmap_decode_pgt(b, &in->upmap_items, true);
		decode_pg_set(b, &in->old_items, &in->n_old_items);
	}
	if (v >= 6) {
		osdmap_skip_snap_interval_map(b); /* new_removed_snaps */
		osdmap_skip_snap_interval_map(b); /* new_purged_snaps */
	}
	if (v >= 8)
		dec_skip(b, 8 + 8); /* new_last_up_change, new_last_in_change */
	if (v >= 9) {
		/* Reef+: new_pg_upmap_primary map<pg_t, s32>, then
		 * old_pg_upmap_primary set<pg_t>. */
		osdmap_decode_ppt(b, &in->upmap_primary);
		decode_pg_set(b, &in->old_upmap_primary,
			      &in->n_old_upmap_primary);
	}
	return b->err;
}

static int decode_inc_osd(struct cephc_dec *b, uint8_t v, struct inc *in)
{
	uint32_t n, i;
	struct osd_addr_entry *skip = NULL;
	uint32_t nskip = 0;

	in->have_osd = true;
	decode_osd_addr_map(b, &skip, &nskip); /* new_hb_back_up */
	cephc_free(skip);
	decode_osd_u32_map(b, &in->up_thru, &in->n_up_thru, false);
	n = dec_count(b, CEPHC_OSDMAP_MAX_OSD, 12);
	in->clean = inc_array(b, n, sizeof(*in->clean));
	for (i = 0; i < n && !b->err; i++) {
		in->clean[i].osd = dec_s32(b);
		in->clean[i].first = dec_le32(b);
		in->clean[i].last = dec_le32(b);
	}
	in->n_clean = b->err ? 0 : n;
	decode_osd_u32_map(b, &in->lost, &in->n_lost, false);
	n = dec_count(b, CEPHC_OSDMAP_MAX_MAP_ENTRIES, 9);
	in->new_bl = inc_array(b, n, sizeof(*in->new_bl));
	for (i = 0; i < n && !b->err; i++) {
		int r = cephc_addr_decode(b, &in->new_bl[i].addr);

		if (r)
			return dec_fail(b, r);
		in->new_bl[i].expires.sec = dec_le32(b);
		in->new_bl[i].expires.nsec = dec_le32(b);
		in->n_new_bl = i + 1;
	}
	n = dec_count(b, CEPHC_OSDMAP_MAX_MAP_ENTRIES, 1);
	in->old_bl = inc_array(b, n, sizeof(*in->old_bl));
	for (i = 0; i < n && !b->err; i++) {
		int r = cephc_addr_decode(b, &in->old_bl[i]);

		if (r)
			return dec_fail(b, r);
		in->n_old_bl = i + 1;
	}
	decode_osd_addr_map(b, &in->up_cluster, &in->n_up_cluster);
	in->cluster_snapshot = dec_string_dup(b, CEPHC_OSDMAP_MAX_STRING);
	n = dec_count(b, CEPHC_OSDMAP_MAX_OSD, 20);
	in->uuid = inc_array(b, n, sizeof(*in->uuid));
	for (i = 0; i < n && !b->err; i++) {
		in->uuid[i].osd = dec_s32(b);
		dec_copy(b, in->uuid[i].uuid, 16);
	}
	in->n_uuid = b->err ? 0 : n;
	n = dec_count(b, CEPHC_OSDMAP_MAX_OSD, 10); /* new_xinfo */
	while (n-- && !b->err) {
		(void)dec_s32(b);
		osdmap_skip_envelope(b);
	}
	decode_osd_addr_map(b, &skip, &nskip); /* new_hb_front_up */
	cephc_free(skip);
	(void)dec_le64(b); /* encode features */
	in->nearfull = in->full = in->backfillfull = -1.0f;
	if (v >= 3) {
		uint32_t nf = dec_le32(b), f = dec_le32(b);

		memcpy(&in->nearfull, &nf, 4);
		memcpy(&in->full, &f, 4);
		in->have_ratios = true;
	}
	if (v >= 4) {
		uint32_t bf = dec_le32(b);

		memcpy(&in->backfillfull, &bf, 4);
	}
	if (v == 5)
		osdmap_skip_string(b);
	if (v >= 6) {
		in->require_min_compat_client = dec_u8(b);
		in->require_osd_release = dec_u8(b);
		in->have_require = true;
	}
	return b->err;
}

static int decode_inc(const uint8_t *buf, size_t len, struct inc *in)
{
	struct cephc_dec d, w, c, o;
	uint8_t v, cv, ov;

	dec_init(&d, buf, len);
	if (dec_left(&d) && *d.p < 7)
		return CEPHC_ECOMPAT; /* classic incremental */
	if (dec_envelope(&d, 7, &v, &w))
		return d.err;
	if (dec_envelope(&w, 1, &cv, &c))
		return dec_envelope_end(&d, &w);
	decode_inc_client(&c, cv, in);
	if (dec_envelope_end(&w, &c))
		return dec_envelope_end(&d, &w);
	/* A full map inside means the rest does not matter. */
	if (in->fullmap_len)
		return 0;
	if (dec_envelope(&w, 1, &ov, &o))
		return dec_envelope_end(&d, &w);
	decode_inc_osd(&o, ov, in);
	dec_envelope_end(&w, &o);
	return dec_envelope_end(&d, &w);
}

/* Every OSD id the incremental names must be below the new max_osd. */
static int check_osd_ids(const struct inc *in, uint32_t max_osd)
{
	uint32_t i;

#define CHECK_IDS(arr, n)                                                      \
	for (i = 0; i < (n); i++)                                              \
		if ((arr)[i].osd < 0 || (uint32_t)(arr)[i].osd >= max_osd)     \
			return CEPHC_EDECODE;
	CHECK_IDS(in->up, in->n_up)
	CHECK_IDS(in->state, in->n_state)
	CHECK_IDS(in->weight, in->n_weight)
	CHECK_IDS(in->aff, in->n_aff)
	CHECK_IDS(in->up_thru, in->n_up_thru)
	CHECK_IDS(in->lost, in->n_lost)
	CHECK_IDS(in->clean, in->n_clean)
	CHECK_IDS(in->up_cluster, in->n_up_cluster)
	CHECK_IDS(in->uuid, in->n_uuid)
#undef CHECK_IDS
	return 0;
}

static void reset_osd(struct cephc_osdmap *m, uint32_t o)
{
	/* EXISTS cleared: the OSD was destroyed; forget everything. */
	m->osd_state[o] = 0;
	m->osd_weight[o] = CEPHC_OSD_OUT;
	if (m->osd_primary_affinity)
		m->osd_primary_affinity[o] = CEPHC_OSD_DEFAULT_PRIMARY_AFFINITY;
	memset(&m->osd_addrs[o], 0, sizeof(m->osd_addrs[o]));
	memset(&m->cluster_addrs[o], 0, sizeof(m->cluster_addrs[o]));
	memset(&m->osd_info[o], 0, sizeof(m->osd_info[o]));
	memset(m->osd_uuid[o], 0, 16);
}

static int apply_osd_changes(struct cephc_osdmap *m, struct inc *in)
{
	uint32_t i;

	/* Weights first: marking an OSD in clears AUTOOUT and NEW. */
	for (i = 0; i < in->n_weight; i++) {
		uint32_t o = (uint32_t)in->weight[i].osd;

		m->osd_weight[o] = in->weight[i].v;
		if (in->weight[i].v)
			m->osd_state[o] &= ~(CEPHC_OSD_AUTOOUT | CEPHC_OSD_NEW);
	}
	if (in->n_aff && !m->osd_primary_affinity) {
		m->osd_primary_affinity =
		    cephc_malloc_array(m->max_osd ? m->max_osd : 1, 4);
		if (!m->osd_primary_affinity)
			return CEPHC_ENOMEM;
		for (i = 0; i < m->max_osd; i++)
			m->osd_primary_affinity[i] =
			    CEPHC_OSD_DEFAULT_PRIMARY_AFFINITY;
	}
	for (i = 0; i < in->n_aff; i++)
		m->osd_primary_affinity[in->aff[i].osd] = in->aff[i].v;

	/* new_state is an xor mask; 0 is the legacy spelling of UP. */
	for (i = 0; i < in->n_state; i++) {
		uint32_t o = (uint32_t)in->state[i].osd;
		uint32_t s = in->state[i].v ? in->state[i].v : CEPHC_OSD_UP;

		if ((m->osd_state[o] & CEPHC_OSD_UP) && (s & CEPHC_OSD_UP))
			m->osd_info[o].down_at = in->epoch;
		if ((m->osd_state[o] & CEPHC_OSD_EXISTS) &&
		    (s & CEPHC_OSD_EXISTS))
			reset_osd(m, o);
		else
			m->osd_state[o] ^= s;
	}
	for (i = 0; i < in->n_up; i++) {
		uint32_t o = (uint32_t)in->up[i].osd;

		m->osd_state[o] |= CEPHC_OSD_EXISTS | CEPHC_OSD_UP;
		m->osd_addrs[o] = in->up[i].a;
		m->osd_info[o].up_from = in->epoch;
	}
	for (i = 0; i < in->n_up_cluster; i++)
		m->cluster_addrs[in->up_cluster[i].osd] = in->up_cluster[i].a;
	for (i = 0; i < in->n_up_thru; i++)
		m->osd_info[in->up_thru[i].osd].up_thru = in->up_thru[i].v;
	for (i = 0; i < in->n_clean; i++) {
		m->osd_info[in->clean[i].osd].last_clean_begin =
		    in->clean[i].first;
		m->osd_info[in->clean[i].osd].last_clean_end =
		    in->clean[i].last;
	}
	for (i = 0; i < in->n_lost; i++)
		m->osd_info[in->lost[i].osd].lost_at = in->lost[i].v;
	for (i = 0; i < in->n_uuid; i++)
		memcpy(m->osd_uuid[in->uuid[i].osd], in->uuid[i].uuid, 16);
	return 0;
}

/* Where addr is among the sorted entries e[0, n) (Ceph's operator==, a
 * memcmp), or n. */
static uint32_t bl_find(const struct cephc_blocklist_entry *e, uint32_t n,
			const struct cephc_entity_addr *addr)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		int c = cephc_bl_addr_cmp(&e[mid].addr, addr);

		if (c == 0)
			return mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return n;
}

/*
 * As OSDMap::apply_incremental: insert the new entries first (an address
 * already listed keeps its expiry, as unordered_map::insert does), then
 * erase the old ones, so an address in both lists ends up removed.  The
 * entries stay sorted the way a full map of this epoch encodes them (the
 * monitor encodes through a std::map): --print derives its order from
 * that, and the lookups here rely on it.
 */
static int apply_blocklist(struct cephc_osdmap *m, struct inc *in)
{
	uint32_t i, n0 = m->n_blocklist;

	if (in->n_new_bl) {
		struct cephc_blocklist_entry *b;
		uint32_t n = n0;

		if (n0 + (uint64_t)in->n_new_bl > CEPHC_OSDMAP_MAX_MAP_ENTRIES)
			return CEPHC_ETOOBIG;
		b = cephc_realloc(m->blocklist,
				  (n0 + in->n_new_bl) * sizeof(*b));
		if (!b)
			return CEPHC_ENOMEM;
		m->blocklist = b;
		for (i = 0; i < in->n_new_bl; i++) {
			const struct cephc_blocklist_entry *e = &in->new_bl[i];

			if (bl_find(b, n0, &e->addr) != n0)
				continue;
			/* the incremental's own list is sorted too */
			if (n > n0 &&
			    cephc_bl_addr_cmp(&b[n - 1].addr, &e->addr) == 0)
				continue;
			b[n++] = *e;
		}
		m->n_blocklist = n;
		cephc_bl_sort(b, n);
	}
	for (i = 0; i < in->n_old_bl; i++) {
		struct cephc_blocklist_entry *b = m->blocklist;
		uint32_t n = m->n_blocklist;
		uint32_t j = bl_find(b, n, &in->old_bl[i]);

		if (j == n)
			continue;
		memmove(&b[j], &b[j + 1], (n - j - 1) * sizeof(*b));
		m->n_blocklist = n - 1;
	}
	return 0;
}

static int apply_pg_changes(struct cephc_osdmap *m, struct inc *in)
{
	uint32_t i;
	int r;

	/* An empty pg_temp vector removes the entry. */
	for (i = 0; i < in->pg_temp.n; i++) {
		struct cephc_pg_osds *e = &in->pg_temp.e[i];

		if (!e->n) {
			osdmap_pgt_remove(&m->pg_temp, e->pg);
			continue;
		}
		r = osdmap_pgt_set(&m->pg_temp, e->pg, e->n, e->osds);
		e->osds = NULL;
		if (r)
			return r;
	}
	/* primary_temp -1 removes. */
	for (i = 0; i < in->n_ptemp; i++) {
		if (in->ptemp[i].osd == -1) {
			osdmap_ppt_remove(&m->primary_temp, in->ptemp[i].pg);
			continue;
		}
		r = osdmap_ppt_set(&m->primary_temp, in->ptemp[i].pg,
				   in->ptemp[i].osd);
		if (r)
			return r;
	}
	for (i = 0; i < in->upmap.n; i++) {
		struct cephc_pg_osds *e = &in->upmap.e[i];

		r = osdmap_pgt_set(&m->pg_upmap, e->pg, e->n, e->osds);
		e->osds = NULL;
		if (r)
			return r;
	}
	for (i = 0; i < in->n_old_upmap; i++)
		osdmap_pgt_remove(&m->pg_upmap, in->old_upmap[i]);
	for (i = 0; i < in->upmap_items.n; i++) {
		struct cephc_pg_osds *e = &in->upmap_items.e[i];

		r = osdmap_pgt_set(&m->pg_upmap_items, e->pg, e->n, e->osds);
		e->osds = NULL;
		if (r)
			return r;
	}
	for (i = 0; i < in->n_old_items; i++)
		osdmap_pgt_remove(&m->pg_upmap_items, in->old_items[i]);
	/* As Ceph: new pg_upmap_primary entries first, then removals. */
	for (i = 0; i < in->upmap_primary.n; i++) {
		r = osdmap_ppt_set(&m->pg_upmap_primary,
				   in->upmap_primary.e[i].pg,
				   in->upmap_primary.e[i].osd);
		if (r)
			return r;
	}
	for (i = 0; i < in->n_old_upmap_primary; i++)
		osdmap_ppt_remove(&m->pg_upmap_primary,
				  in->old_upmap_primary[i]);
	return 0;
}

static int apply_pools(struct cephc_osdmap *m, struct inc *in)
{
	uint32_t i;
	int r;

	for (i = 0; i < in->n_new_pools; i++) {
		/* Ceph stamps a changed pool with the incremental's epoch. */
		in->new_pools[i].last_change = in->epoch;
		r = osdmap_pool_put(m, &in->new_pools[i]);
		if (r)
			return r;
		/* ownership moved into the map */
		memset(&in->new_pools[i], 0, sizeof(in->new_pools[i]));
	}
	for (i = 0; i < in->n_names; i++) {
		struct cephc_pg_pool *p = osdmap_pool_find(m, in->names[i].id);

		if (p) {
			cephc_free(p->name);
			p->name = in->names[i].name;
			in->names[i].name = NULL;
		}
	}
	for (i = 0; i < in->n_old_pools; i++)
		osdmap_pool_remove(m, in->old_pools[i]);
	return 0;
}

int cephc_osdmap_apply_incremental(struct cephc_osdmap **mapp,
				   const uint8_t *buf, size_t len)
{
	struct cephc_osdmap *m = *mapp;
	struct inc in;
	uint32_t max_osd;
	int r;

	memset(&in, 0, sizeof(in));
	r = decode_inc(buf, len, &in);
	if (r)
		goto out;
	/* Only the next epoch applies; anything else is stale or a gap. */
	if (in.epoch != m->epoch + 1 || memcmp(in.fsid, m->fsid, 16)) {
		r = CEPHC_EINVAL;
		goto out;
	}
	if (in.fullmap_len) {
		struct cephc_osdmap *full;

		r = osdmap_decode_full_into(in.fullmap, in.fullmap_len, &full);
		if (r)
			goto out;
		if (full->epoch != in.epoch) {
			cephc_osdmap_free(full);
			r = CEPHC_EINVAL;
			goto out;
		}
		cephc_osdmap_free(m);
		*mapp = full;
		goto out;
	}
	max_osd = in.new_max_osd >= 0 ? (uint32_t)in.new_max_osd : m->max_osd;
	if (max_osd > CEPHC_OSDMAP_MAX_OSD) {
		r = CEPHC_ETOOBIG;
		goto out;
	}
	r = check_osd_ids(&in, max_osd);
	if (r)
		goto out;

	/*
	 * From here on failures are allocation failures only; the map stays
	 * consistent (each step is complete or not done) but may be partly
	 * advanced, so the epoch is bumped last and the caller should
	 * refetch a full map on error.
	 */
	if (in.new_max_osd >= 0) {
		r = osdmap_set_max_osd(m, max_osd);
		if (r)
			goto out;
	}
	m->modified = in.modified;
	if (in.new_pool_max >= 0)
		m->pool_max = (int32_t)in.new_pool_max;
	if (in.new_flags >= 0)
		m->flags = (uint32_t)in.new_flags;
	if (in.crush_len) {
		r = osdmap_set_crush(m, in.crush, in.crush_len);
		if (r)
			goto out;
		/* Ceph counts CRUSH changes once the map is Luminous-encoded.
		 */
		if (m->require_osd_release >= CEPHC_RELEASE_LUMINOUS)
			m->crush_version++;
	}
	r = apply_pools(m, &in);
	if (!r)
		r = apply_osd_changes(m, &in);
	if (!r)
		r = apply_pg_changes(m, &in);
	if (!r)
		r = apply_blocklist(m, &in);
	if (r)
		goto out;
	if (in.have_ratios) {
		if (in.nearfull >= 0)
			m->nearfull_ratio = in.nearfull;
		if (in.full >= 0)
			m->full_ratio = in.full;
		if (in.backfillfull >= 0)
			m->backfillfull_ratio = in.backfillfull;
	}
	/* "No change" is encoded as 0xff (seen from 16.2.15 mons). */
	if (in.have_require) {
		if (in.require_min_compat_client &&
		    in.require_min_compat_client != 0xff)
			m->require_min_compat_client =
			    in.require_min_compat_client;
		if (in.require_osd_release && in.require_osd_release != 0xff)
			m->require_osd_release = in.require_osd_release;
	}
	if (in.cluster_snapshot && *in.cluster_snapshot) {
		cephc_free(m->cluster_snapshot);
		m->cluster_snapshot = in.cluster_snapshot;
		in.cluster_snapshot = NULL;
	}
	m->epoch = in.epoch;
out:
	inc_free(&in);
	return r;
}
