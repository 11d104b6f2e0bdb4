/* SPDX-License-Identifier: MIT */
/* Helpers shared by the full and incremental OSDMap decoders. */
#ifndef CEPHC_OSDMAP_OSDMAP_INTERNAL_H
#define CEPHC_OSDMAP_OSDMAP_INTERNAL_H

#include "core/decode.h"
#include "osdmap/osdmap.h"

/* pg_t on the wire: u8 version (1), le64 pool, le32 seed, le32 preferred. */
#define CEPHC_PG_WIRE_LEN 17

int osdmap_decode_pg(struct cephc_dec *d, struct cephc_pg *pg);
int osdmap_pg_cmp(struct cephc_pg a, struct cephc_pg b);

/* pg_pool_t (envelope included) into *pool (zeroed first). */
int osdmap_decode_pool(struct cephc_dec *d, struct cephc_pg_pool *pool);
void osdmap_pool_clear(struct cephc_pg_pool *pool);
void osdmap_pool_calc_masks(struct cephc_pg_pool *pool);

/* A vector<int32> of at most CEPHC_OSDMAP_MAX_PG_OSDS entries (pairs
 * when pairs is set: n counts ints). */
int osdmap_decode_osd_vec(struct cephc_dec *d, bool pairs, uint32_t *n,
			  int32_t **osds);

/* Sorted pg tables. */
struct cephc_pg_osds *osdmap_pgt_find(const struct cephc_pg_table *t,
				      struct cephc_pg pg);
/* Insert or replace (takes ownership of osds). */
int osdmap_pgt_set(struct cephc_pg_table *t, struct cephc_pg pg, uint32_t n,
		   int32_t *osds);
void osdmap_pgt_remove(struct cephc_pg_table *t, struct cephc_pg pg);
void osdmap_pgt_clear(struct cephc_pg_table *t);
/* Decode map<pg_t, vector<int32>> (or vector<pair<int32,int32>>). */
int osdmap_decode_pgt(struct cephc_dec *d, struct cephc_pg_table *t,
		      bool pairs);

/* Sorted pg -> OSD tables (primary_temp, pg_upmap_primary). */
struct cephc_pg_primary *osdmap_ppt_find(const struct cephc_pg_primary_table *t,
					 struct cephc_pg pg);
int osdmap_ppt_set(struct cephc_pg_primary_table *t, struct cephc_pg pg,
		   int32_t osd);
void osdmap_ppt_remove(struct cephc_pg_primary_table *t, struct cephc_pg pg);
/* Decode map<pg_t, s32> into t (entries added or replaced). */
int osdmap_decode_ppt(struct cephc_dec *d, struct cephc_pg_primary_table *t);

/* Pools (sorted by id). */
struct cephc_pg_pool *osdmap_pool_find(const struct cephc_osdmap *m,
				       int64_t id);
/* Insert or replace by id (takes the pool's allocations; keeps the old
 * name when replacing). */
int osdmap_pool_put(struct cephc_osdmap *m, struct cephc_pg_pool *pool);
void osdmap_pool_remove(struct cephc_osdmap *m, int64_t id);

/* Resize every per-OSD array to n (new OSDs: state 0, weight out,
 * default affinity). */
int osdmap_set_max_osd(struct cephc_osdmap *m, uint32_t n);

/* Decode an addrvec keeping the first CEPHC_OSDMAP_ADDRS_KEPT entries. */
int osdmap_decode_addrs(struct cephc_dec *d, struct cephc_osd_addrs *a);

/* Replace the map's crush blob (copied) and decode it. */
int osdmap_set_crush(struct cephc_osdmap *m, const uint8_t *blob, uint32_t len);

/* map<int64,string> pool names onto existing pools. */
int osdmap_decode_pool_names(struct cephc_dec *d, struct cephc_osdmap *m);
/* A whole full map. */
int osdmap_decode_full_into(const uint8_t *buf, size_t len,
			    struct cephc_osdmap **out);

/* CrushWrapper::get_item_weight: 16.16 weight of item id in the first
 * bucket holding it, or -ENOENT. */
int osdmap_crush_item_weight(const struct cephc_crush_map *c, int id);

/* Skip helpers for fields a client does not keep. */
void osdmap_skip_string(struct cephc_dec *d);
void osdmap_skip_string_map(struct cephc_dec *d); /* map<string,string> */
void osdmap_skip_profiles(struct cephc_dec *d);   /* map<string,map<>> */
void osdmap_skip_envelope(struct cephc_dec *d);
/* map<int64 pool, interval_set<snapid>> (new_removed/purged_snaps). */
void osdmap_skip_snap_interval_map(struct cephc_dec *d);

#endif /* CEPHC_OSDMAP_OSDMAP_INTERNAL_H */
