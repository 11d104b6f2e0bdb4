/* SPDX-License-Identifier: MIT */
/*
 * CRUSH: decode of Ceph's binary crush map and rule execution that places
 * exactly as Ceph's own mapper does (Ceph 16.2 "Pacific"; plus the MSR
 * rules and tunables of Ceph 19 "Squid").
 *
 * Library-internal API (src/osdmap uses it, and so do the cephc crushtool
 * sub-command, tests, fuzzers and benchmarks through the static library).
 * Everything here is pure: no I/O, no clocks, no threads, no globals.
 *
 * Thread safety: a decoded map is immutable except through
 * cephc_crush_adjust_item_weight(); any number of threads may run
 * cephc_crush_do_rule() on one map at once, each with its own scratch.
 */
#ifndef CEPHC_OSDMAP_CRUSH_CRUSH_H
#define CEPHC_OSDMAP_CRUSH_CRUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An empty slot in an indep (erasure-coded) result. */
#define CEPHC_CRUSH_ITEM_NONE 0x7fffffff

/*
 * Limits on what a decoded map may hold.  A map that exceeds one is refused
 * with CEPHC_ETOOBIG before anything is allocated for it.  They are far above
 * any real cluster (Ceph's own largest deployments have ~10^4 OSDs).
 */
#define CEPHC_CRUSH_MAX_BUCKETS (1 << 16)     /* bucket slots */
#define CEPHC_CRUSH_MAX_DEVICES (1 << 20)     /* device ids 0..max-1 */
#define CEPHC_CRUSH_MAX_RULES 4096            /* rule slots */
#define CEPHC_CRUSH_MAX_RULE_STEPS 1024       /* steps in one rule */
#define CEPHC_CRUSH_MAX_BUCKET_SIZE (1 << 16) /* items in one bucket */
#define CEPHC_CRUSH_MAX_NAME_LEN 4096         /* bytes in one name */
#define CEPHC_CRUSH_MAX_NAMES (1 << 21)       /* entries in a name map */
#define CEPHC_CRUSH_MAX_CHOOSE_ARGS 65536     /* choose_args maps (pools) */
#define CEPHC_CRUSH_MAX_WEIGHT_SET_POS 256    /* weight_set rows */
#define CEPHC_CRUSH_MAX_RESULT 256            /* result_max of a do_rule */
/*
 * Retry counts a map may ask the mapper for, in its tunables or in SET_*
 * rule steps.  Ceph accepts any u32 and then spins for hours on a map that
 * asks for 2^31 retries; Pacific's defaults are 50 total, 0 local and 0
 * fallback, and rules use 100.  A map over a limit is refused with
 * CEPHC_ETOOBIG, as is a choose step asking for more than
 * CEPHC_CRUSH_MAX_RESULT replicas (the mapper walks every one).
 */
#define CEPHC_CRUSH_MAX_TRIES 1000
#define CEPHC_CRUSH_MAX_LOCAL_TRIES 100

/* Rule types as stored in a rule's mask (pg_pool_t's type uses the same). */
#define CEPHC_CRUSH_RULE_REPLICATED 1
#define CEPHC_CRUSH_RULE_ERASURE 3
#define CEPHC_CRUSH_RULE_MSR_FIRSTN 4 /* Squid: multi-step retry, packed */
#define CEPHC_CRUSH_RULE_MSR_INDEP 5  /* Squid: multi-step retry, by slot */

/* The choose_args index that applies to every pool without its own. */
#define CEPHC_CRUSH_CHOOSE_ARGS_DEFAULT (-1)

/* A decoded crush map (opaque; immutable once decoded). */
struct cephc_crush_map;

/*
 * One choose_args map (the per-bucket weight sets and ids kept for one pool
 * id, or the default -1); opaque, owned by its crush map.
 */
struct cephc_crush_choose_arg;

/*
 * Decode a crush map blob: the bytes embedded in an OSDMap (after its le32
 * length), as written by `ceph osd getcrushmap` and `crushtool -o`.
 * Trailing sections a Pacific encoder may omit (tunables, device classes,
 * choose_args) take Ceph's legacy defaults.  Every bucket, item, rule step
 * and choose_args entry is validated, so cephc_crush_do_rule() never reads
 * outside the map whatever the input was.
 * Returns 0 and sets *out (free with cephc_crush_free()), or CEPHC_EDECODE
 * (malformed or truncated), CEPHC_ETOOBIG (a count or retry limit above
 * exceeded), -ENOMEM; *out is untouched on failure.
 */
int cephc_crush_decode(const uint8_t *buf, size_t len,
		       struct cephc_crush_map **out);

/* Free a map from cephc_crush_decode(); NULL is allowed. */
void cephc_crush_free(struct cephc_crush_map *map);

/*
 * Bytes of scratch memory that cephc_crush_do_rule() needs for this map and
 * result_max.  Callers that map many inputs allocate it once and reuse it;
 * it must be aligned for a pointer (malloc'ed memory is).
 */
size_t cephc_crush_scratch_size(const struct cephc_crush_map *map,
				int result_max);

/*
 * Run rule `ruleno` (an index into the rule array, i.e. a rule id) for input
 * x, exactly as Ceph's crush_do_rule() does.
 *  result      out: up to result_max item ids (devices, or buckets if the
 *              rule emits buckets); indep rules leave CEPHC_CRUSH_ITEM_NONE
 *              in positions they could not fill.
 *  weights     16.16 fixed-point weight per device id (0x10000 = in, 0 =
 *              out, between = probabilistically out; Ceph's osd_weight);
 *              ids >= weight_max count as out.
 *  choose_args the weight sets to use (cephc_crush_choose_args_for_pool()),
 *              or NULL for the buckets' own weights.
 *  scratch     cephc_crush_scratch_size(map, result_max) bytes owned by the
 *              caller, or NULL to let the call allocate (and free) its own.
 * MSR rules (Squid) return result_max entries for msr_indep (NONE holes)
 * and the number found for msr_firstn.
 * Returns the number of entries written to result (0 when the rule does not
 * exist, as Ceph), -EINVAL when result_max is outside
 * 0..CEPHC_CRUSH_MAX_RESULT, -ENOMEM when scratch was NULL and allocation
 * failed.
 */
int cephc_crush_do_rule(const struct cephc_crush_map *map, int ruleno, int x,
			int *result, int result_max, const uint32_t *weights,
			int weight_max,
			const struct cephc_crush_choose_arg *choose_args,
			void *scratch);

/*
 * Set item `id`'s weight (16.16) in every bucket holding it, as Ceph's
 * CrushWrapper::adjust_item_weight(id, weight, update_weight_sets=true):
 * bucket totals change up the tree and choose_args weight sets are kept
 * summing (see crush_adjust.c).  This is the one call that changes a
 * decoded map: it must not run while another thread maps with it.
 * Returns how many buckets held the item, CEPHC_ENOENT if none did,
 * -EOPNOTSUPP if a straw (v1) bucket is at or above the item (the map is
 * then unchanged), CEPHC_ETOOBIG if the recursion over the bucket graph
 * gets too deep, -ENOMEM (after either the map may be partly changed and
 * should be dropped).
 */
int cephc_crush_adjust_item_weight(struct cephc_crush_map *map, int id,
				   uint32_t weight);

/* --- accessors ---------------------------------------------------------- */

/*
 * Device id bound: devices are 0..max_devices-1.  As Ceph computes it on
 * decode: 1 + the largest device id that a bucket holds or that has a name
 * (the header's max_devices field is ignored, as by Ceph).
 */
int cephc_crush_max_devices(const struct cephc_crush_map *map);
/* Number of rule slots; valid rule ids are 0..max_rules-1 that exist. */
int cephc_crush_max_rules(const struct cephc_crush_map *map);
/* Number of bucket slots; bucket id b lives in slot -1-b. */
int cephc_crush_max_buckets(const struct cephc_crush_map *map);
bool cephc_crush_rule_exists(const struct cephc_crush_map *map, int ruleno);

/*
 * A rule's mask as encoded (ruleset, type, min_size, max_size); each
 * pointer may be NULL.  Returns 0, or -ENOENT when the rule does not exist.
 */
int cephc_crush_rule_mask(const struct cephc_crush_map *map, int ruleno,
			  int *ruleset, int *type, int *min_size,
			  int *max_size);

/* The rule's type (CEPHC_CRUSH_RULE_*), or -ENOENT. */
int cephc_crush_rule_type(const struct cephc_crush_map *map, int ruleno);

/*
 * The rule id a pool uses, as Pacific's CrushWrapper::find_rule(ruleset,
 * type, size): the first rule whose mask has this ruleset and type and
 * min_size <= size <= max_size.  An MSR rule (only Squid maps have them;
 * Squid pools name their rule by id) is used when its id is `ruleset`,
 * whatever the pool type and size.  Returns the rule id or -1 (no rule:
 * the pool maps to nothing).
 */
int cephc_crush_find_rule(const struct cephc_crush_map *map, int ruleset,
			  int type, int size);

/* Name of a rule / item (bucket or device) / type, or NULL if unnamed. */
const char *cephc_crush_rule_name(const struct cephc_crush_map *map,
				  int ruleno);
const char *cephc_crush_item_name(const struct cephc_crush_map *map, int id);
const char *cephc_crush_type_name(const struct cephc_crush_map *map, int type);

/*
 * True when device `id` is an item of some bucket (Ceph's
 * CrushWrapper::check_item_present), i.e. reachable by some rule.
 */
bool cephc_crush_device_present(const struct cephc_crush_map *map, int id);

/* The choose_args stored under exactly this index (pool id or -1), or NULL. */
const struct cephc_crush_choose_arg *
cephc_crush_choose_args(const struct cephc_crush_map *map, int64_t index);

/*
 * The choose_args a pool's placement uses: the pool's own if the map has
 * them, else the default (-1) ones, else NULL (Ceph's
 * choose_args_get_with_fallback()).
 */
const struct cephc_crush_choose_arg *
cephc_crush_choose_args_for_pool(const struct cephc_crush_map *map,
				 int64_t pool_id);

/*
 * Tunables as decoded (legacy defaults when the map predates them); for
 * tools and diagnostics.
 */
struct cephc_crush_tunables {
	uint32_t choose_local_tries;
	uint32_t choose_local_fallback_tries;
	uint32_t choose_total_tries;
	uint32_t chooseleaf_descend_once;
	uint8_t chooseleaf_vary_r;
	uint8_t chooseleaf_stable;
	uint8_t straw_calc_version;
	uint32_t allowed_bucket_algs;
	uint32_t msr_descents;        /* Squid; 100 when absent */
	uint32_t msr_collision_tries; /* Squid; 100 when absent */
};
void cephc_crush_get_tunables(const struct cephc_crush_map *map,
			      struct cephc_crush_tunables *out);

/* --- hashes (exposed for pg placement: pps and primary affinity) ------- */

/* Ceph's crush_hash32_2 / _3 with CRUSH_HASH_RJENKINS1 (Jenkins mix). */
uint32_t cephc_crush_hash32_2(uint32_t a, uint32_t b);
uint32_t cephc_crush_hash32_3(uint32_t a, uint32_t b, uint32_t c);

#endif /* CEPHC_OSDMAP_CRUSH_CRUSH_H */
