/* SPDX-License-Identifier: MIT */
/*
 * In-memory form of a decoded crush map, shared by the decoder, the mapper
 * and white-box tests/fuzzers.  Nothing outside src/osdmap/crush should
 * need it: the rest of the library uses crush.h.
 *
 * The decoder guarantees these invariants, which the mapper relies on
 * instead of re-checking on every step:
 *  - buckets[i].alg != 0 means slot i holds bucket id -1-i;
 *  - every item of a bucket is a device id in 0..max_devices-1 or the id of
 *    a present bucket, and the bucket graph has no cycle;
 *  - no bucket has type 0 (the device type);
 *  - per-algorithm arrays have `size` entries (tree: num_nodes entries,
 *    num_nodes a power of two with size <= num_nodes / 2);
 *  - choose_args rows have exactly `size` entries of their bucket and only
 *    straw2 buckets carry choose_args.
 */
#ifndef CEPHC_OSDMAP_CRUSH_INTERNAL_H
#define CEPHC_OSDMAP_CRUSH_INTERNAL_H

#include <stdint.h>

#include "crush.h"

/* Wire constants (Ceph's crush.h). */
#define CRUSH_MAGIC 0x00010000u

#define CRUSH_BUCKET_UNIFORM 1
#define CRUSH_BUCKET_LIST 2
#define CRUSH_BUCKET_TREE 3
#define CRUSH_BUCKET_STRAW 4
#define CRUSH_BUCKET_STRAW2 5

#define CRUSH_HASH_RJENKINS1 0

#define CRUSH_RULE_NOOP 0
#define CRUSH_RULE_TAKE 1
#define CRUSH_RULE_CHOOSE_FIRSTN 2
#define CRUSH_RULE_CHOOSE_INDEP 3
#define CRUSH_RULE_EMIT 4
#define CRUSH_RULE_CHOOSELEAF_FIRSTN 6
#define CRUSH_RULE_CHOOSELEAF_INDEP 7
#define CRUSH_RULE_SET_CHOOSE_TRIES 8
#define CRUSH_RULE_SET_CHOOSELEAF_TRIES 9
#define CRUSH_RULE_SET_CHOOSE_LOCAL_TRIES 10
#define CRUSH_RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES 11
#define CRUSH_RULE_SET_CHOOSELEAF_VARY_R 12
#define CRUSH_RULE_SET_CHOOSELEAF_STABLE 13

/* Placeholder inside indep while a slot is still undecided. */
#define CRUSH_ITEM_UNDEF 0x7ffffffe

/* Legacy bucket algorithms allowed: uniform | list | straw. */
#define CRUSH_LEGACY_ALLOWED_BUCKET_ALGS                                       \
	((1u << CRUSH_BUCKET_UNIFORM) | (1u << CRUSH_BUCKET_LIST) |            \
	 (1u << CRUSH_BUCKET_STRAW))

struct crush_bucket {
	int32_t id;
	uint16_t type;
	uint8_t alg; /* 0: empty slot */
	uint8_t hash;
	uint32_t weight;
	uint32_t size;
	int32_t *items;
	uint32_t *item_weights;  /* list, straw, straw2 */
	uint32_t *sum_weights;   /* list */
	uint32_t *straws;        /* straw */
	uint32_t *node_weights;  /* tree */
	uint32_t num_nodes;      /* tree */
	uint32_t uniform_weight; /* uniform: the one item weight */
};

struct crush_rule_step {
	uint32_t op;
	int32_t arg1;
	int32_t arg2;
};

struct crush_rule {
	uint8_t exists;
	uint8_t ruleset;
	uint8_t type;
	uint8_t min_size;
	uint8_t max_size;
	uint32_t len;
	struct crush_rule_step *steps;
};

/* choose_args of one bucket (Ceph's crush_choose_arg). */
struct crush_bucket_arg {
	uint32_t positions;    /* weight_set rows; 0 = use bucket weights */
	uint32_t **weight_set; /* positions rows of bucket-size weights */
	int32_t *ids;          /* bucket-size ids for hashing, or NULL */
};

/* One choose_args map: an arg per bucket slot (Ceph's crush_choose_arg_map). */
struct cephc_crush_choose_arg {
	int64_t index;                 /* pool id, or -1 for the default */
	struct crush_bucket_arg *args; /* max_buckets entries */
};

struct crush_name {
	int32_t id;
	char *name;
};

struct crush_name_map {
	uint32_t n;
	struct crush_name *v;
};

struct cephc_crush_map {
	int32_t max_buckets;
	uint32_t max_rules;
	/* As Ceph's decode recomputes it (crush_finalize): 1 + the largest
	 * device id that is an item of some bucket, 0 if none. */
	int32_t max_devices;
	int32_t encoded_max_devices; /* the header's value, informational */
	uint32_t max_bucket_size;    /* largest bucket, sizes scratch */

	struct crush_bucket *buckets;
	struct crush_rule *rules;

	struct crush_name_map type_names;
	struct crush_name_map item_names;
	struct crush_name_map rule_names;

	uint32_t choose_local_tries;
	uint32_t choose_local_fallback_tries;
	uint32_t choose_total_tries;
	uint32_t chooseleaf_descend_once;
	uint8_t chooseleaf_vary_r;
	uint8_t chooseleaf_stable;
	uint8_t straw_calc_version;
	uint32_t allowed_bucket_algs;

	/* choose_args sorted by index (Ceph keeps them in a std::map). */
	uint32_t n_choose_args;
	struct cephc_crush_choose_arg *choose_args;
};

/* Hashes by type: CRUSH_HASH_RJENKINS1, anything else hashes to 0 (Ceph). */
uint32_t crush_hash32_2(int type, uint32_t a, uint32_t b);
uint32_t crush_hash32_3(int type, uint32_t a, uint32_t b, uint32_t c);
uint32_t crush_hash32_4(int type, uint32_t a, uint32_t b, uint32_t c,
			uint32_t d);

/* 2^44 * log2(u + 1) in fixed point, u in 0..0xffff (bit-exact to Ceph). */
uint64_t crush_ln(uint32_t u);

#endif /* CEPHC_OSDMAP_CRUSH_INTERNAL_H */
