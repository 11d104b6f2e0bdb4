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
 *    straw2 buckets carry choose_args (cephc_crush_adjust_item_weight()
 *    may later add weight sets to other buckets, as Ceph does; the mapper
 *    reads them for straw2 buckets only).
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
/* Squid (multi-step retry, "MSR") rules. */
#define CRUSH_RULE_SET_MSR_DESCENTS 14
#define CRUSH_RULE_SET_MSR_COLLISION_TRIES 15
#define CRUSH_RULE_CHOOSE_MSR 16

/* Rule types (a rule's type byte); MSR rules map through crush_msr.c. */
#define CRUSH_RULE_TYPE_MSR_FIRSTN 4
#define CRUSH_RULE_TYPE_MSR_INDEP 5

/* MSR tunables of a map that predates them (Squid's defaults). */
#define CRUSH_MSR_DEFAULT_DESCENTS 100
#define CRUSH_MSR_DEFAULT_COLLISION_TRIES 100

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
	/* As Ceph's decode recomputes it (crush_finalize, then
	 * CrushWrapper::finalize): 1 + the largest device id that is an item
	 * of some bucket or has a name, 0 if none. */
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
	uint32_t msr_descents; /* Squid: appended after choose_args */
	uint32_t msr_collision_tries;
	/* Longest run of CHOOSE_MSR steps in one block of any MSR rule
	 * (sizes the mapper's scratch). */
	uint32_t max_msr_steps;

	/* choose_args sorted by index (Ceph keeps them in a std::map). */
	uint32_t n_choose_args;
	struct cephc_crush_choose_arg *choose_args;
};

/*
 * CRUSH's integer hashes: Robert Jenkins' 96-bit mix applied to the inputs
 * and two fixed salts, seeded with 1315423911 xor the inputs; all
 * arithmetic modulo 2^32.  Inline because the mapper spends most of its time
 * here and the compiler overlaps independent items' hashes when it can see
 * them.
 */
#define CRUSH_HASH_SEED 1315423911u
#define CRUSH_HASH_X 231232u
#define CRUSH_HASH_Y 1232u

/* Jenkins' mix of three 32-bit words (c is the running hash). */
#define crush_mix(a, b, c)                                                     \
	do {                                                                   \
		a -= b;                                                        \
		a -= c;                                                        \
		a ^= c >> 13;                                                  \
		b -= c;                                                        \
		b -= a;                                                        \
		b ^= a << 8;                                                   \
		c -= a;                                                        \
		c -= b;                                                        \
		c ^= b >> 13;                                                  \
		a -= b;                                                        \
		a -= c;                                                        \
		a ^= c >> 12;                                                  \
		b -= c;                                                        \
		b -= a;                                                        \
		b ^= a << 16;                                                  \
		c -= a;                                                        \
		c -= b;                                                        \
		c ^= b >> 5;                                                   \
		a -= b;                                                        \
		a -= c;                                                        \
		a ^= c >> 3;                                                   \
		b -= c;                                                        \
		b -= a;                                                        \
		b ^= a << 10;                                                  \
		c -= a;                                                        \
		c -= b;                                                        \
		c ^= b >> 15;                                                  \
	} while (0)

static inline uint32_t crush_rjenkins_2(uint32_t a, uint32_t b)
{
	uint32_t h = CRUSH_HASH_SEED ^ a ^ b;
	uint32_t x = CRUSH_HASH_X, y = CRUSH_HASH_Y;

	crush_mix(a, b, h);
	crush_mix(x, a, h);
	crush_mix(b, y, h);
	return h;
}

static inline uint32_t crush_rjenkins_3(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t h = CRUSH_HASH_SEED ^ a ^ b ^ c;
	uint32_t x = CRUSH_HASH_X, y = CRUSH_HASH_Y;

	crush_mix(a, b, h);
	crush_mix(c, x, h);
	crush_mix(y, a, h);
	crush_mix(b, x, h);
	crush_mix(y, c, h);
	return h;
}

static inline uint32_t crush_rjenkins_4(uint32_t a, uint32_t b, uint32_t c,
					uint32_t d)
{
	uint32_t h = CRUSH_HASH_SEED ^ a ^ b ^ c ^ d;
	uint32_t x = CRUSH_HASH_X, y = CRUSH_HASH_Y;

	crush_mix(a, b, h);
	crush_mix(c, d, h);
	crush_mix(a, x, h);
	crush_mix(y, b, h);
	crush_mix(c, x, h);
	crush_mix(y, d, h);
	return h;
}

/* Hashes by type: CRUSH_HASH_RJENKINS1, anything else hashes to 0 (Ceph). */
static inline uint32_t crush_hash32_2(int type, uint32_t a, uint32_t b)
{
	return type == CRUSH_HASH_RJENKINS1 ? crush_rjenkins_2(a, b) : 0;
}

static inline uint32_t crush_hash32_3(int type, uint32_t a, uint32_t b,
				      uint32_t c)
{
	return type == CRUSH_HASH_RJENKINS1 ? crush_rjenkins_3(a, b, c) : 0;
}

static inline uint32_t crush_hash32_4(int type, uint32_t a, uint32_t b,
				      uint32_t c, uint32_t d)
{
	return type == CRUSH_HASH_RJENKINS1 ? crush_rjenkins_4(a, b, c, d) : 0;
}

/* 2^44 * log2(u + 1) in fixed point, u in 0..0xffff (bit-exact to Ceph). */
uint64_t crush_ln(uint32_t u);

/* What one crush_do_rule() call shares with its helpers. */
struct crush_ctx {
	const struct cephc_crush_map *map;
	const uint32_t *weights;
	int weight_max;
	int x;
	const struct cephc_crush_choose_arg *choose_args;
	uint32_t *perm; /* max_bucket_size entries */
};

/* One item of bucket b (size > 0) for replica r, as Ceph's
 * crush_bucket_choose(); position picks the choose_args weight row. */
int crush_bucket_choose(const struct crush_ctx *c, const struct crush_bucket *b,
			uint32_t r, int position);
/* Whether device `item` is (probabilistically) out for input c->x. */
int crush_is_out(const struct crush_ctx *c, int item);

static inline int crush_rule_is_msr(const struct crush_rule *r)
{
	return r->type == CRUSH_RULE_TYPE_MSR_FIRSTN ||
	       r->type == CRUSH_RULE_TYPE_MSR_INDEP;
}

/*
 * Run an MSR rule (crush_msr.c).  scratch holds 2 * max_msr_steps *
 * result_max ints (at least one).  Returns the number of results:
 * filled entries for msr_firstn, result_max for msr_indep (NONE holes).
 */
int crush_msr_do_rule(const struct crush_ctx *c, const struct crush_rule *rule,
		      int *result, int result_max, int *scratch);

/* Longest run of CHOOSE_MSR steps in the rule's well-formed blocks (as
 * far as crush_msr_do_rule() would go). */
uint32_t crush_msr_max_steps(const struct crush_rule *rule);

#endif /* CEPHC_OSDMAP_CRUSH_INTERNAL_H */
