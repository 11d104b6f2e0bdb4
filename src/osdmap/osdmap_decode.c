/* SPDX-License-Identifier: MIT */
/*
 * Full OSDMap decode: wrapper v7/v8 with a client section (v1..v10 read as
 * the kernel's get_osdmap_client_data_v does) and the OSD-only section.
 * Pre-wrapper ("classic", struct_v < 7) maps are refused with ECOMPAT:
 * nothing since Firefly sends them to a client that has OSDMAP_ENC.
 */
#include "osdmap/osdmap_internal.h"

#include "core/alloc.h"
#include "osdmap/crush/crush.h"

#define WRAPPER_MAX_COMPAT 7
#define CLIENT_MAX_COMPAT 1
#define OSD_SECTION_MAX_COMPAT 1

void cephc_osdmap_free(struct cephc_osdmap *m)
{
	uint32_t i;

	if (!m)
		return;
	for (i = 0; i < m->n_pools; i++)
		osdmap_pool_clear(&m->pools[i]);
	cephc_free(m->pools);
	cephc_free(m->osd_state);
	cephc_free(m->osd_weight);
	cephc_free(m->osd_primary_affinity);
	cephc_free(m->osd_addrs);
	osdmap_pgt_clear(&m->pg_temp);
	cephc_free(m->primary_temp.e);
	cephc_free(m->pg_upmap_primary.e);
	osdmap_pgt_clear(&m->pg_upmap);
	osdmap_pgt_clear(&m->pg_upmap_items);
	cephc_free(m->crush_blob);
	cephc_crush_free(m->crush);
	cephc_free(m->osd_info);
	cephc_free(m->cluster_addrs);
	cephc_free(m->osd_uuid);
	cephc_free(m->blocklist);
	cephc_free(m->cluster_snapshot);
	cephc_free(m);
}

/* map<int64, pg_pool_t> */
static int decode_pools(struct cephc_dec *d, struct cephc_osdmap *m)
{
	/* Each entry is at least an id and a pool envelope header. */
	uint32_t n = dec_count(d, CEPHC_OSDMAP_MAX_POOLS, 8 + 6);

	while (n-- && !d->err) {
		struct cephc_pg_pool pool;
		int64_t id = dec_s64(d);
		int r;

		if (osdmap_decode_pool(d, &pool))
			break;
		pool.id = id;
		r = osdmap_pool_put(m, &pool);
		if (r) {
			osdmap_pool_clear(&pool);
			return dec_fail(d, r);
		}
	}
	return d->err;
}

/* map<int64, string>: names of pools that exist (others are ignored). */
int osdmap_decode_pool_names(struct cephc_dec *d, struct cephc_osdmap *m)
{
	uint32_t n = dec_count(d, CEPHC_OSDMAP_MAX_POOLS, 8 + 4);

	while (n-- && !d->err) {
		int64_t id = dec_s64(d);
		char *name = dec_string_dup(d, CEPHC_OSDMAP_MAX_NAME);
		struct cephc_pg_pool *p;

		if (!name)
			break;
		p = osdmap_pool_find(m, id);
		if (p) {
			cephc_free(p->name);
			p->name = name;
		} else {
			cephc_free(name);
		}
	}
	return d->err;
}

/* A vector<u32> that must have exactly max_osd entries (or, for primary
 * affinity, may be empty). */
static int decode_u32_array(struct cephc_dec *d, uint32_t *arr, uint32_t n,
			    bool may_be_empty, bool *present)
{
	uint32_t count = dec_count(d, CEPHC_OSDMAP_MAX_OSD, 4);
	uint32_t i;

	if (d->err)
		return d->err;
	if (present)
		*present = count != 0;
	if (count == 0 && may_be_empty)
		return 0;
	if (count != n)
		return dec_fail(d, CEPHC_EDECODE);
	for (i = 0; i < n; i++)
		arr[i] = dec_le32(d);
	return d->err;
}

static int decode_client_section(struct cephc_dec *b, uint8_t v,
				 struct cephc_osdmap *m)
{
	uint32_t n, i;
	const uint8_t *crush;
	bool have_aff = false;

	dec_copy(b, m->fsid, 16);
	m->epoch = dec_le32(b);
	m->created.sec = dec_le32(b);
	m->created.nsec = dec_le32(b);
	m->modified.sec = dec_le32(b);
	m->modified.nsec = dec_le32(b);
	if (decode_pools(b, m) || osdmap_decode_pool_names(b, m))
		return b->err;
	m->pool_max = dec_s32(b);
	m->flags = dec_le32(b);

	/*
	 * max_osd, then three arrays that must each hold max_osd entries:
	 * check the count before allocating anything for it (a map claiming
	 * 2^20 OSDs must also carry 2^20 states).
	 */
	n = dec_le32(b);
	if (b->err)
		return b->err;
	if (n > CEPHC_OSDMAP_MAX_OSD)
		return dec_fail(b, CEPHC_ETOOBIG);
	if ((uint64_t)n * (v >= 5 ? 4 : 1) * 2 > dec_left(b))
		return dec_fail(b, CEPHC_EDECODE);
	if (osdmap_set_max_osd(m, n))
		return dec_fail(b, CEPHC_ENOMEM);
	if (v >= 5) {
		if (decode_u32_array(b, m->osd_state, n, false, NULL))
			return b->err;
	} else {
		/* Before v5 the states were one byte each. */
		if (dec_count(b, CEPHC_OSDMAP_MAX_OSD, 1) != n || b->err)
			return dec_fail(b, CEPHC_EDECODE);
		for (i = 0; i < n; i++)
			m->osd_state[i] = dec_u8(b);
	}
	if (decode_u32_array(b, m->osd_weight, n, false, NULL))
		return b->err;
	if (dec_count(b, CEPHC_OSDMAP_MAX_OSD, 1) != n || b->err)
		return dec_fail(b, CEPHC_EDECODE);
	for (i = 0; i < n && !b->err; i++)
		osdmap_decode_addrs(b, &m->osd_addrs[i]);

	if (osdmap_decode_pgt(b, &m->pg_temp, false))
		return b->err;
	if (v >= 1 && osdmap_decode_ppt(b, &m->primary_temp))
		return b->err;
	if (v >= 2) {
		m->osd_primary_affinity =
		    cephc_malloc_array(n ? n : 1, sizeof(uint32_t));
		if (!m->osd_primary_affinity)
			return dec_fail(b, CEPHC_ENOMEM);
		if (decode_u32_array(b, m->osd_primary_affinity, n, true,
				     &have_aff))
			return b->err;
		if (!have_aff) {
			cephc_free(m->osd_primary_affinity);
			m->osd_primary_affinity = NULL;
		}
	}

	crush = dec_blob(b, &n, CEPHC_OSDMAP_MAX_CRUSH_LEN);
	if (!crush)
		return b->err;
	if (osdmap_set_crush(m, crush, n))
		return dec_fail(b, CEPHC_ENOMEM);

	if (v >= 3)
		osdmap_skip_profiles(b); /* erasure_code_profiles */
	if (v >= 4) {
		if (osdmap_decode_pgt(b, &m->pg_upmap, false) ||
		    osdmap_decode_pgt(b, &m->pg_upmap_items, true))
			return b->err;
	}
	if (v >= 6)
		m->crush_version = dec_le32(b);
	if (v >= 7) {
		osdmap_skip_snap_interval_map(b); /* new_removed_snaps */
		osdmap_skip_snap_interval_map(b); /* new_purged_snaps */
	}
	if (v >= 9)
		dec_skip(b, 8 + 8); /* last_up_change, last_in_change */
	/* v10 (Reef encoders; Pacific stops at v9): pg_upmap_primaries,
	 * map<pg_t, s32>. */
	if (v >= 10)
		osdmap_decode_ppt(b, &m->pg_upmap_primary);
	return b->err;
}

/* vector<entity_addrvec_t> of n entries (or empty). */
static int decode_addrs_vec(struct cephc_dec *d, struct cephc_osd_addrs *out,
			    uint32_t max_osd)
{
	uint32_t n = dec_count(d, CEPHC_OSDMAP_MAX_OSD, 1);
	uint32_t i;

	for (i = 0; i < n && !d->err; i++) {
		struct cephc_osd_addrs tmp;

		if (osdmap_decode_addrs(d, &tmp))
			break;
		if (out && i < max_osd)
			out[i] = tmp;
	}
	return d->err;
}

static int decode_osd_section(struct cephc_dec *b, uint8_t v,
			      struct cephc_osdmap *m)
{
	uint32_t n, i;

	decode_addrs_vec(b, NULL, 0); /* hb_back_addrs */
	/* osd_info: vector of { u8 v, 6 x le32 } */
	n = dec_count(b, CEPHC_OSDMAP_MAX_OSD, 25);
	for (i = 0; i < n && !b->err; i++) {
		struct cephc_osd_info info;

		(void)dec_u8(b);
		info.last_clean_begin = dec_le32(b);
		info.last_clean_end = dec_le32(b);
		info.up_from = dec_le32(b);
		info.up_thru = dec_le32(b);
		info.down_at = dec_le32(b);
		info.lost_at = dec_le32(b);
		if (i < m->max_osd)
			m->osd_info[i] = info;
	}
	/* blocklist: map<entity_addr_t, utime_t> */
	n = dec_count(b, CEPHC_OSDMAP_MAX_MAP_ENTRIES, 9);
	if (n && !b->err) {
		m->blocklist = cephc_calloc(n, sizeof(*m->blocklist));
		if (!m->blocklist)
			return dec_fail(b, CEPHC_ENOMEM);
	}
	for (i = 0; i < n && !b->err; i++) {
		struct cephc_blocklist_entry *e = &m->blocklist[i];
		int r = cephc_addr_decode(b, &e->addr);

		if (r)
			return dec_fail(b, r);
		e->expires.sec = dec_le32(b);
		e->expires.nsec = dec_le32(b);
		m->n_blocklist = i + 1;
	}
	decode_addrs_vec(b, m->cluster_addrs, m->max_osd);
	(void)dec_le32(b); /* cluster_snapshot_epoch */
	m->cluster_snapshot = dec_string_dup(b, CEPHC_OSDMAP_MAX_STRING);
	if (!m->cluster_snapshot)
		return b->err;
	n = dec_count(b, CEPHC_OSDMAP_MAX_OSD, 16);
	for (i = 0; i < n && !b->err; i++) {
		uint8_t u[16];

		dec_copy(b, u, 16);
		if (i < m->max_osd)
			memcpy(m->osd_uuid[i], u, 16);
	}
	/* osd_xinfo: vector of versioned structs; not needed. */
	n = dec_count(b, CEPHC_OSDMAP_MAX_OSD, 6);
	for (i = 0; i < n && !b->err; i++)
		osdmap_skip_envelope(b);
	decode_addrs_vec(b, NULL, 0); /* hb_front_addrs */
	if (v >= 2) {
		uint32_t nf = dec_le32(b), f = dec_le32(b);

		memcpy(&m->nearfull_ratio, &nf, 4);
		memcpy(&m->full_ratio, &f, 4);
	}
	if (v >= 3) {
		uint32_t bf = dec_le32(b);

		memcpy(&m->backfillfull_ratio, &bf, 4);
	}
	if (v == 4)
		osdmap_skip_string(b); /* require_min_compat_client as text */
	if (v >= 5) {
		m->require_min_compat_client = dec_u8(b);
		m->require_osd_release = dec_u8(b);
		/* As OSDMap::decode: flags implied by the release. */
		if (m->require_osd_release >= CEPHC_RELEASE_NAUTILUS)
			m->flags |= CEPHC_OSDMAP_PGLOG_HARDLIMIT;
		if (m->require_osd_release >= CEPHC_RELEASE_LUMINOUS) {
			m->flags &= ~CEPHC_OSDMAP_LEGACY_REQUIRE_FLAGS;
			m->flags |= CEPHC_OSDMAP_RECOVERY_DELETES;
		}
	}
	if (v >= 6) {
		/* removed_snaps_queue: map<int64 pool, interval_set<snapid>>
		 * (le32 count of le64 start, le64 len); kept for --print */
		n = dec_count(b, CEPHC_OSDMAP_MAX_POOLS, 12);
		for (i = 0; i < n && !b->err; i++) {
			int64_t pool_id = dec_s64(b);
			uint32_t k = dec_count(b, CEPHC_OSDMAP_MAX_SNAPS, 16);
			struct cephc_pg_pool *p = osdmap_pool_find(m, pool_id);

			if (b->err || !p || !k || p->removed_snaps_queue) {
				dec_skip(b, (size_t)k * 16);
				continue;
			}
			p->removed_snaps_queue = cephc_malloc_array(
			    k, sizeof(*p->removed_snaps_queue));
			if (!p->removed_snaps_queue)
				return dec_fail(b, CEPHC_ENOMEM);
			for (uint32_t j = 0; j < k; j++) {
				p->removed_snaps_queue[j].start = dec_le64(b);
				p->removed_snaps_queue[j].len = dec_le64(b);
			}
			p->n_removed_snaps_queue = k;
		}
	}
	if (v >= 8) {
		/* crush_node_flags: map<int32, u32> */
		n = dec_count(b, CEPHC_OSDMAP_MAX_MAP_ENTRIES, 8);
		dec_skip(b, (size_t)n * 8);
	}
	if (v >= 9) {
		/* device_class_flags: map<int32, u32> */
		n = dec_count(b, CEPHC_OSDMAP_MAX_MAP_ENTRIES, 8);
		dec_skip(b, (size_t)n * 8);
	}
	if (v >= 10) {
		m->stretch_mode_enabled = dec_bool(b);
		m->stretch_bucket_count = dec_le32(b);
		m->degraded_stretch_mode = dec_le32(b);
		m->recovering_stretch_mode = dec_le32(b);
		m->stretch_mode_bucket = dec_s32(b);
	}
	return b->err;
}

/* Decode into a zeroed map; on error the caller frees it. */
static int decode_full(struct cephc_dec *d, struct cephc_osdmap *m)
{
	struct cephc_dec w, c, o;
	uint8_t v, cv, ov;

	if (dec_left(d) && *d->p < 7) {
		/* A classic (pre-Firefly) encoding: le16 version, no
		 * envelope.  Not produced for OSDMAP_ENC clients. */
		return dec_fail(d, CEPHC_ECOMPAT);
	}
	if (dec_envelope(d, WRAPPER_MAX_COMPAT, &v, &w))
		return d->err;
	if (dec_envelope(&w, CLIENT_MAX_COMPAT, &cv, &c))
		return dec_envelope_end(d, &w);
	decode_client_section(&c, cv, m);
	if (dec_envelope_end(&w, &c))
		return dec_envelope_end(d, &w);
	if (dec_envelope(&w, OSD_SECTION_MAX_COMPAT, &ov, &o))
		return dec_envelope_end(d, &w);
	decode_osd_section(&o, ov, m);
	dec_envelope_end(&w, &o);
	/* v8: le32 crc over the encoding follows; Ceph checks it against
	 * its own re-encoding, we take the map as sent. */
	return dec_envelope_end(d, &w);
}

int osdmap_decode_full_into(const uint8_t *buf, size_t len,
			    struct cephc_osdmap **out)
{
	struct cephc_osdmap *m = cephc_calloc(1, sizeof(*m));
	struct cephc_dec d;
	int r;

	if (!m)
		return CEPHC_ENOMEM;
	dec_init(&d, buf, len);
	r = decode_full(&d, m);
	if (r) {
		cephc_osdmap_free(m);
		return r;
	}
	*out = m;
	return 0;
}

int cephc_osdmap_decode(const uint8_t *buf, size_t len,
			struct cephc_osdmap **out)
{
	return osdmap_decode_full_into(buf, len, out);
}

const struct cephc_pg_pool *cephc_osdmap_pool(const struct cephc_osdmap *m,
					      int64_t id)
{
	return osdmap_pool_find(m, id);
}

const struct cephc_pg_pool *
cephc_osdmap_pool_by_name(const struct cephc_osdmap *m, const char *name)
{
	uint32_t i;

	for (i = 0; i < m->n_pools; i++)
		if (m->pools[i].name && !strcmp(m->pools[i].name, name))
			return &m->pools[i];
	return NULL;
}

bool cephc_osdmap_osd_exists(const struct cephc_osdmap *m, int osd)
{
	return osd >= 0 && (uint32_t)osd < m->max_osd &&
	       (m->osd_state[osd] & CEPHC_OSD_EXISTS);
}

bool cephc_osdmap_osd_up(const struct cephc_osdmap *m, int osd)
{
	return cephc_osdmap_osd_exists(m, osd) &&
	       (m->osd_state[osd] & CEPHC_OSD_UP);
}

const struct cephc_entity_addr *
cephc_osdmap_osd_addr(const struct cephc_osdmap *m, int osd, uint32_t want)
{
	if (!cephc_osdmap_osd_up(m, osd))
		return NULL;
	return cephc_addrvec_pick(m->osd_addrs[osd].a, m->osd_addrs[osd].n,
				  want);
}
