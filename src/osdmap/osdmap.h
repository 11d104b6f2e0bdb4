/* SPDX-License-Identifier: MIT */
/*
 * OSDMap: decode (full and incremental) and object -> PG -> OSD placement,
 * exactly as Ceph 16.2 (Pacific) computes it.  Library-internal API used by
 * the OSD client, the `cephc osdmaptool` sub-command, tests and fuzzers.
 *
 * Sans-IO: bytes in, structs out; no sockets, clocks or threads.  A decoded
 * map is only read by the placement functions, so any number of threads may
 * map objects on one map at once; applying an incremental mutates the map
 * and needs the caller's exclusion.
 *
 * Wire layout (full map, wrapper v8 compat 7 from Pacific):
 *   envelope { client section v9 { fsid, epoch, created, modified, pools,
 *     pool names, pool_max, flags, max_osd, osd_state[], osd_weight[],
 *     client addrvecs[], pg_temp, primary_temp, primary_affinity[], crush
 *     blob, erasure code profiles, pg_upmap, pg_upmap_items, crush_version,
 *     ... } osd-only section v9 { hb_back addrs, osd_info[], blocklist,
 *     cluster addrs, snapshot, uuids, xinfo, hb_front addrs, ratios,
 *     require_min_compat_client, require_osd_release, ... } le32 crc }
 * Unknown trailing fields of every envelope are skipped by its length.
 */
#ifndef CEPHC_OSDMAP_OSDMAP_H
#define CEPHC_OSDMAP_OSDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/addr.h"

struct cephc_crush_map;

/* --- limits on peer-supplied counts (refused with CEPHC_ETOOBIG) -------- */
#define CEPHC_OSDMAP_MAX_OSD (1 << 20)         /* max_osd */
#define CEPHC_OSDMAP_MAX_POOLS 65536           /* pools in one map */
#define CEPHC_OSDMAP_MAX_NAME 4096             /* pool name, profile name */
#define CEPHC_OSDMAP_MAX_PG_OSDS 256           /* one pg_temp/upmap vector */
#define CEPHC_OSDMAP_MAX_PG_ENTRIES (1 << 22)  /* pg_temp/upmap entries */
#define CEPHC_OSDMAP_MAX_CRUSH_LEN (64u << 20) /* crush blob bytes */
#define CEPHC_OSDMAP_MAX_SNAPS (1 << 20)       /* pool snaps / intervals */
#define CEPHC_OSDMAP_MAX_MAP_ENTRIES (1 << 20) /* other maps we only skip */
#define CEPHC_OSDMAP_MAX_STRING (1u << 20)     /* strings and blobs skipped */
#define CEPHC_OSDMAP_MAX_APPS 1024             /* pool application names */
#define CEPHC_OSDMAP_MAX_POOL_OPTS 1024        /* pool_opts_t entries */
/* Addresses kept per OSD and kind (Pacific advertises v2 + v1). */
#define CEPHC_OSDMAP_ADDRS_KEPT 2

/* osd_state bits (CEPH_OSD_*). */
#define CEPHC_OSD_EXISTS (1u << 0)
#define CEPHC_OSD_UP (1u << 1)
#define CEPHC_OSD_AUTOOUT (1u << 2)
#define CEPHC_OSD_NEW (1u << 3)
#define CEPHC_OSD_DESTROYED (1u << 7)

/* OSDMap flags (CEPH_OSDMAP_*) this code acts on. */
#define CEPHC_OSDMAP_NEARFULL (1u << 0)
#define CEPHC_OSDMAP_FULL (1u << 1)
#define CEPHC_OSDMAP_PAUSERD (1u << 2)
#define CEPHC_OSDMAP_PAUSEWR (1u << 3)
#define CEPHC_OSDMAP_RECOVERY_DELETES (1u << 19)
#define CEPHC_OSDMAP_PGLOG_HARDLIMIT (1u << 22)
/* REQUIRE_JEWEL | REQUIRE_KRAKEN | REQUIRE_LUMINOUS */
#define CEPHC_OSDMAP_LEGACY_REQUIRE_FLAGS (7u << 16)

/* Ceph release numbers (ceph_release_t). */
#define CEPHC_RELEASE_LUMINOUS 12
#define CEPHC_RELEASE_NAUTILUS 14

/* osd_weight: 16.16 fixed point; 0x10000 in, 0 out. */
#define CEPHC_OSD_IN 0x10000u
#define CEPHC_OSD_OUT 0u
#define CEPHC_OSD_DEFAULT_PRIMARY_AFFINITY 0x10000u
#define CEPHC_OSD_MAX_PRIMARY_AFFINITY 0x10000u

/* An empty position in an erasure-coded set (CRUSH_ITEM_NONE). */
#define CEPHC_OSD_NONE 0x7fffffff

/* pg_pool_t types and flags. */
#define CEPHC_POOL_TYPE_REPLICATED 1
#define CEPHC_POOL_TYPE_ERASURE 3
#define CEPHC_POOL_FLAG_HASHPSPOOL (1ull << 0)

/* Placement group id: pool + seed ("ps").  The legacy 'preferred' field
 * on the wire is always -1 and is not kept. */
struct cephc_pg {
	int64_t pool;
	uint32_t seed;
};

/* utime_t: seconds + nanoseconds. */
struct cephc_utime {
	uint32_t sec;
	uint32_t nsec;
};

struct cephc_pool_snap {
	uint64_t snapid;
	struct cephc_utime stamp;
	char *name;
};

/* interval_set<snapid_t> entry. */
struct cephc_snap_interval {
	uint64_t start;
	uint64_t len;
};

/* HitSet::Params types (cache tiering). */
#define CEPHC_HIT_SET_NONE 0
#define CEPHC_HIT_SET_EXPLICIT_HASH 1
#define CEPHC_HIT_SET_EXPLICIT_OBJECT 2
#define CEPHC_HIT_SET_BLOOM 3

/* A cache pool's hit set settings (pg_pool_t v11+, decay/search v23+). */
struct cephc_hit_set_params {
	uint8_t type;         /* CEPHC_HIT_SET_*; others print as unknown */
	uint32_t fpp_micro;   /* bloom: false positive probability * 1e6 */
	uint64_t target_size; /* bloom */
	uint64_t seed;        /* bloom */
	uint32_t period;      /* seconds per hit set */
	uint32_t count;       /* hit sets kept */
	uint32_t grade_decay_rate;
	uint32_t search_last_n;
};

/* pool_opts_t value types as encoded. */
#define CEPHC_POOL_OPT_STR 0
#define CEPHC_POOL_OPT_INT 1
#define CEPHC_POOL_OPT_DOUBLE 2

/* One pool option (`ceph osd pool set POOL compression_mode ...`): the key
 * is pool_opts_t::key_t, a number; names live in osdmap_print.c. */
struct cephc_pool_opt {
	int32_t key;
	uint8_t type; /* CEPHC_POOL_OPT_* */
	union {
		char *s;
		int64_t i;
		double d;
	} v;
};

/* pg_pool_t, the fields a client or osdmaptool --print needs. */
struct cephc_pg_pool {
	int64_t id;
	char *name; /* from the map's pool_name; NULL if absent */
	uint8_t struct_v;
	uint8_t type; /* CEPHC_POOL_TYPE_* */
	uint8_t size;
	uint8_t min_size;
	uint8_t crush_rule;
	uint8_t object_hash; /* CEPHC_STR_HASH_* */
	uint32_t pg_num, pgp_num;
	uint32_t pg_num_mask, pgp_num_mask; /* 2^bits(n-1) - 1 */
	uint32_t pg_num_target, pgp_num_target, pg_num_pending;
	uint32_t last_change;
	uint64_t snap_seq;
	uint32_t snap_epoch;
	uint64_t auid;
	uint64_t flags; /* CEPHC_POOL_FLAG_* */
	uint64_t quota_max_bytes, quota_max_objects;
	uint32_t n_tiers;
	uint64_t *tiers;
	int64_t tier_of, read_tier, write_tier;
	uint8_t cache_mode;
	uint32_t stripe_width;
	uint64_t target_max_bytes, target_max_objects;
	char *erasure_code_profile;
	uint32_t min_read_recency_for_promote;
	uint32_t min_write_recency_for_promote;
	uint64_t expected_num_objects;
	bool fast_read;
	struct cephc_hit_set_params hit_set;
	uint32_t n_opts;
	struct cephc_pool_opt *opts; /* sorted by key, keys unique */
	/* Three resend epochs: pre-Luminous (v15), pre-Nautilus (v25) and the
	 * one a Nautilus+ client must honour (v28). */
	uint32_t last_force_op_resend_preluminous;
	uint32_t last_force_op_resend_prenautilus;
	uint32_t last_force_op_resend;
	int8_t pg_autoscale_mode; /* -1 unknown, 0 off, 1 warn, 2 on */
	uint32_t n_apps;
	char **apps; /* application names, in key order */
	uint32_t n_snaps;
	struct cephc_pool_snap *snaps;
	uint32_t n_removed_snaps;
	struct cephc_snap_interval *removed_snaps;
	/* The map's removed_snaps_queue entry for this pool (OSD-only section,
	 * v6+): snaps deleted but not yet purged.  Only printed (as osdmaptool
	 * --print does); kept from full maps, carried over when an incremental
	 * replaces the pool, not updated by new_removed/purged_snaps. */
	uint32_t n_removed_snaps_queue;
	struct cephc_snap_interval *removed_snaps_queue;
};

/* A pg_temp / pg_upmap vector, or pg_upmap_items pairs (n = 2 * pairs,
 * from,to,from,to...). */
struct cephc_pg_osds {
	struct cephc_pg pg;
	uint32_t n;
	int32_t *osds;
};

struct cephc_pg_primary {
	struct cephc_pg pg;
	int32_t osd;
};

/* A sorted (by pg) table of pg -> one OSD (primary_temp,
 * pg_upmap_primary). */
struct cephc_pg_primary_table {
	uint32_t n;
	struct cephc_pg_primary *e;
};

/* A sorted (by pg) table of pg -> vector. */
struct cephc_pg_table {
	uint32_t n, cap;
	struct cephc_pg_osds *e;
};

struct cephc_osd_addrs {
	uint8_t n;
	struct cephc_entity_addr a[CEPHC_OSDMAP_ADDRS_KEPT];
};

/* osd_info_t. */
struct cephc_osd_info {
	uint32_t last_clean_begin, last_clean_end;
	uint32_t up_from, up_thru, down_at, lost_at;
};

struct cephc_blocklist_entry {
	struct cephc_entity_addr addr;
	struct cephc_utime expires;
};

struct cephc_osdmap {
	uint8_t fsid[16];
	uint32_t epoch;
	struct cephc_utime created, modified;
	uint32_t flags;
	int32_t pool_max;
	uint32_t n_pools;
	struct cephc_pg_pool *pools; /* sorted by id */

	uint32_t max_osd;
	uint32_t *osd_state;               /* max_osd entries */
	uint32_t *osd_weight;              /* max_osd entries */
	uint32_t *osd_primary_affinity;    /* max_osd entries, or NULL */
	struct cephc_osd_addrs *osd_addrs; /* client (public) addresses */

	struct cephc_pg_table pg_temp;
	struct cephc_pg_primary_table primary_temp;
	struct cephc_pg_table pg_upmap;
	struct cephc_pg_table pg_upmap_items;
	/* Reef+ (client section v10): the primary a pg should have, swapped
	 * to the front of its raw set after pg_upmap_items; Pacific never
	 * sends it.  Unverified against daemons (none newer here). */
	struct cephc_pg_primary_table pg_upmap_primary;

	uint8_t *crush_blob;
	uint32_t crush_len;
	struct cephc_crush_map *crush; /* NULL if the blob did not decode */
	int crush_err;
	uint32_t crush_version;

	/* OSD-only section (kept for osdmaptool --print). */
	struct cephc_osd_info *osd_info;       /* max_osd entries */
	struct cephc_osd_addrs *cluster_addrs; /* max_osd entries */
	uint8_t (*osd_uuid)[16];               /* max_osd entries */
	uint32_t n_blocklist;
	struct cephc_blocklist_entry *blocklist;
	char *cluster_snapshot;
	float nearfull_ratio, full_ratio, backfillfull_ratio;
	uint8_t require_min_compat_client, require_osd_release;
	bool stretch_mode_enabled;
	uint32_t stretch_bucket_count, degraded_stretch_mode;
	uint32_t recovering_stretch_mode;
	int32_t stretch_mode_bucket;
};

/*
 * Decode a full OSDMap (as `ceph osd getmap` writes it, or an MOSDMap's
 * map blob).  Returns 0 and a new map in *out (free with
 * cephc_osdmap_free()), or CEPHC_EDECODE / ETOOBIG / ECOMPAT / -ENOMEM.
 * A CRUSH blob that fails to decode does not fail the map: crush stays
 * NULL, crush_err says why, and every PG maps to nothing.
 */
int cephc_osdmap_decode(const uint8_t *buf, size_t len,
			struct cephc_osdmap **out);
void cephc_osdmap_free(struct cephc_osdmap *map);

/*
 * Apply an incremental map to *map (in place).  Only epoch == map->epoch
 * + 1 is accepted (else CEPHC_EINVAL, map untouched).  When the
 * incremental carries a full map, that map replaces *map.  On a decode
 * error the map is left untouched: the incremental is decoded and checked
 * completely before anything is applied.
 */
int cephc_osdmap_apply_incremental(struct cephc_osdmap **map,
				   const uint8_t *buf, size_t len);

/* --- lookups ------------------------------------------------------------ */
const struct cephc_pg_pool *cephc_osdmap_pool(const struct cephc_osdmap *m,
					      int64_t id);
const struct cephc_pg_pool *
cephc_osdmap_pool_by_name(const struct cephc_osdmap *m, const char *name);
bool cephc_osdmap_osd_exists(const struct cephc_osdmap *m, int osd);
bool cephc_osdmap_osd_up(const struct cephc_osdmap *m, int osd);
/* Client address of an OSD for msgr type want (LEGACY / MSGR2), or NULL. */
const struct cephc_entity_addr *
cephc_osdmap_osd_addr(const struct cephc_osdmap *m, int osd, uint32_t want);

/* --- placement ---------------------------------------------------------- */

/* ceph_stable_mod: x folded into b buckets with mask m = 2^bits(b-1) - 1. */
static inline uint32_t cephc_stable_mod(uint32_t x, uint32_t b, uint32_t m)
{
	return (x & m) < b ? (x & m) : (x & (m >> 1));
}

/* The mask for n placement groups: 2^bits(n-1) - 1 (0 for n <= 1). */
uint32_t cephc_pg_mask(uint32_t n);

/*
 * Object -> raw pg: the hash of (locator key or name) in nspace, with the
 * pool's object_hash.  The raw seed is what MOSDOp's hash field carries;
 * cephc_pool_fold() gives the pg it lives in.  key/nspace may be NULL.
 * Returns 0 or -ENOENT (no such pool).
 */
int cephc_osdmap_object_to_pg(const struct cephc_osdmap *m, int64_t pool,
			      const char *name, size_t name_len,
			      const char *key, size_t key_len,
			      const char *nspace, size_t nspace_len,
			      struct cephc_pg *raw_pg);

/* raw seed -> pg seed (stable_mod with pg_num). */
uint32_t cephc_pool_fold(const struct cephc_pg_pool *pool, uint32_t seed);

/* The CRUSH input ("pps") for a raw pg. */
uint32_t cephc_pool_pps(const struct cephc_pg_pool *pool, uint32_t seed);

/* The up and acting sets of one PG (Ceph's pg_to_up_acting_osds). */
struct cephc_pg_mapping {
	int n_raw, n_up, n_acting;
	int raw_primary, up_primary, acting_primary; /* -1 = none */
	int raw[CEPHC_OSDMAP_MAX_PG_OSDS];
	int up[CEPHC_OSDMAP_MAX_PG_OSDS];
	int acting[CEPHC_OSDMAP_MAX_PG_OSDS];
};

/*
 * Map pg (raw or folded; lookups use the folded id) to raw, up and acting
 * sets.  A missing pool gives empty sets and primaries -1 (returns
 * -ENOENT).  scratch is cephc_osdmap_scratch_size(m) bytes or NULL.
 */
int cephc_osdmap_pg_to_osds(const struct cephc_osdmap *m, struct cephc_pg pg,
			    struct cephc_pg_mapping *out, void *scratch);
size_t cephc_osdmap_scratch_size(const struct cephc_osdmap *m);

/* --- text output (osdmaptool / ceph osd map formats) -------------------- */

/* "1.7f": pool, '.', seed in lowercase hex. */
int cephc_pg_format(struct cephc_pg pg, char *buf, size_t len);
/* Parse "POOL.SEEDHEX" as pg_t::parse does.  Returns 0 or CEPHC_EINVAL. */
int cephc_pg_parse(const char *s, struct cephc_pg *pg);

/*
 * `ceph osd map POOL OBJ [NS]` output for one object, in the monitor's
 * plain form:
 *   osdmap e12 pool 'test' (2) object 'foo' -> pg 2.7fc1f406 (2.6)
 *   -> up ([1,0,2], p1) acting ([1,0,2], p1)
 * (one line, no newline; empty EC slots print as NONE) or, with json, its
 * JSON object (compact, NONE as 2147483647).  The `ceph` CLI prints the
 * plain form followed by "\n", and the JSON form preceded by "\n" and
 * with no newline after it.  Writes at most
 * len bytes (NUL included) and returns the length the full text needs
 * (like snprintf), or -ENOENT when the pool does not exist.
 */
int cephc_osdmap_format_object_map(const struct cephc_osdmap *m, int64_t pool,
				   const char *obj, const char *nspace,
				   bool json, char *buf, size_t len);

/* `osdmaptool --print` text (OSDMap::print) written to f. */
int cephc_osdmap_print(const struct cephc_osdmap *m, FILE *f);

/* Ceph release name for a release number ("luminous"), or "unknown". */
const char *cephc_release_name(int rel);

#endif /* CEPHC_OSDMAP_OSDMAP_H */
