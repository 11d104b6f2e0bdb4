/* SPDX-License-Identifier: MIT */
/*
 * Crush map decode: a small hand-encoded map and the bad inputs of
 * bad-inputs.md item 6 (unknown types, out-of-range or self-referencing
 * bucket ids, all-zero weights, choose_args that do not match their
 * bucket), truncation at every byte, limits, legacy tunable defaults.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cephc/errors.h"
#include "osdmap/crush/crush_internal.h"

struct wbuf {
	uint8_t b[4096];
	size_t n;
};

static void w8(struct wbuf *w, uint8_t v)
{
	w->b[w->n++] = v;
}

static void w16(struct wbuf *w, uint16_t v)
{
	w8(w, (uint8_t)v);
	w8(w, (uint8_t)(v >> 8));
}

static void w32(struct wbuf *w, uint32_t v)
{
	w16(w, (uint16_t)v);
	w16(w, (uint16_t)(v >> 16));
}

static void w64(struct wbuf *w, uint64_t v)
{
	w32(w, (uint32_t)v);
	w32(w, (uint32_t)(v >> 32));
}

/* Knobs that turn the valid baseline map into the bad inputs. */
struct knobs {
	uint32_t magic;
	int32_t max_buckets;
	int32_t host_id;      /* -1 in slot 0 */
	uint32_t host_alg;    /* straw2 */
	uint16_t host_type;   /* 1 */
	int32_t host_item2;   /* third item of the host: 2 */
	uint32_t host_weight; /* weight of every host item */
	int32_t root_item;    /* -1 */
	uint32_t host_size;   /* 3 */
	int no_tunables;      /* stop after the name maps */
	int name_64bit_key;   /* encode the type name with a 64-bit key */
	/* choose_args: 0 none, else one map with these shapes. */
	int ca;
	uint32_t ca_bucket_index; /* 0 = host */
	uint32_t ca_row_len;      /* entries in the one weight_set row */
	uint32_t ca_ids_len;      /* 0 = no ids */
	/* Loop limits: tunables and one extra SET_* step before TAKE. */
	uint32_t total_tries;    /* 50 */
	uint32_t local_tries;    /* 0 */
	uint32_t fallback_tries; /* 0 */
	int32_t leaf_numrep;     /* chooseleaf firstn arg1: 0 */
	uint32_t set_op;         /* 0: no extra step */
	int32_t set_arg;
};

static struct knobs baseline(void)
{
	struct knobs k = {
	    .magic = CRUSH_MAGIC,
	    .max_buckets = 2,
	    .host_id = -1,
	    .host_alg = CRUSH_BUCKET_STRAW2,
	    .host_type = 1,
	    .host_item2 = 2,
	    .host_weight = 0x10000,
	    .root_item = -1,
	    .host_size = 3,
	    .total_tries = 50,
	};

	return k;
}

/*
 * Slot 0: host -1 (straw2, type 1) with devices 0, 1, 2.
 * Slot 1: root -2 (straw2, type 2) holding the host.
 * Rule 0: take -2, chooseleaf firstn 0 type 1... (type 0 leaves), emit.
 */
static size_t encode_map(struct wbuf *w, const struct knobs *k)
{
	w->n = 0;
	w32(w, k->magic);
	w32(w, (uint32_t)k->max_buckets);
	w32(w, 1); /* max_rules */
	w32(w, 3); /* max_devices */

	w32(w, k->host_alg);
	w32(w, (uint32_t)k->host_id);
	w16(w, k->host_type);
	w8(w, (uint8_t)k->host_alg);
	w8(w, 0);
	w32(w, 3 * k->host_weight);
	w32(w, k->host_size);
	w32(w, 0);
	w32(w, 1);
	w32(w, (uint32_t)k->host_item2);
	for (int i = 0; i < 3; i++) {
		if (k->host_alg == CRUSH_BUCKET_UNIFORM) {
			w32(w, k->host_weight); /* one weight for all */
			break;
		}
		w32(w, k->host_weight);
		/* list: running sum; straw: a straw length */
		if (k->host_alg == CRUSH_BUCKET_LIST)
			w32(w, k->host_weight * (uint32_t)(i + 1));
		else if (k->host_alg == CRUSH_BUCKET_STRAW)
			w32(w, 0x10000);
	}

	w32(w, CRUSH_BUCKET_STRAW2);
	w32(w, (uint32_t)-2);
	w16(w, 2);
	w8(w, CRUSH_BUCKET_STRAW2);
	w8(w, 0);
	w32(w, 3 * 0x10000);
	w32(w, 1);
	w32(w, (uint32_t)k->root_item);
	w32(w, 3 * 0x10000);

	w32(w, 1);                 /* rule exists */
	w32(w, k->set_op ? 4 : 3); /* steps */
	w8(w, 0);                  /* ruleset */
	w8(w, 1);                  /* type replicated */
	w8(w, 1);                  /* min_size */
	w8(w, 10);                 /* max_size */
	if (k->set_op) {
		w32(w, k->set_op);
		w32(w, (uint32_t)k->set_arg);
		w32(w, 0);
	}
	w32(w, CRUSH_RULE_TAKE);
	w32(w, (uint32_t)-2);
	w32(w, 0);
	w32(w, CRUSH_RULE_CHOOSELEAF_FIRSTN);
	w32(w, (uint32_t)k->leaf_numrep);
	w32(w, 1);
	w32(w, CRUSH_RULE_EMIT);
	w32(w, 0);
	w32(w, 0);

	/* type names: {1: "host"} */
	w32(w, 1);
	w32(w, 1);
	if (k->name_64bit_key)
		w32(w, 0); /* high half of an old 64-bit key */
	w32(w, 4);
	memcpy(w->b + w->n, "host", 4);
	w->n += 4;
	w32(w, 0); /* item names */
	w32(w, 0); /* rule names */
	if (k->no_tunables)
		return w->n;

	w32(w, k->local_tries);
	w32(w, k->fallback_tries);
	w32(w, k->total_tries);
	w32(w, 1);  /* chooseleaf_descend_once */
	w8(w, 1);   /* vary_r */
	w8(w, 1);   /* straw_calc_version */
	w32(w, 54); /* allowed_bucket_algs */
	w8(w, 1);   /* stable */
	w32(w, 0);  /* class_map */
	w32(w, 0);  /* class_name */
	w32(w, 0);  /* class_bucket */
	if (!k->ca) {
		w32(w, 0);
		return w->n;
	}
	w32(w, 1);
	w64(w, (uint64_t)-1);
	w32(w, 1);
	w32(w, k->ca_bucket_index);
	w32(w, 1); /* one weight_set row */
	w32(w, k->ca_row_len);
	/* Oversized counts are refused before their entries are read. */
	for (uint32_t i = 0; i < k->ca_row_len && i < 64; i++)
		w32(w, i == 0 ? 0x30000 : 0x10000);
	w32(w, k->ca_ids_len);
	for (uint32_t i = 0; i < k->ca_ids_len; i++)
		w32(w, 100 + i);
	return w->n;
}

static int decode_knobs(const struct knobs *k, struct cephc_crush_map **m)
{
	struct wbuf w;
	size_t n = encode_map(&w, k);

	*m = NULL;
	return cephc_crush_decode(w.b, n, m);
}

static void expect_decode_error(const struct knobs *k, int err)
{
	struct cephc_crush_map *m;

	assert_int_equal(decode_knobs(k, &m), err);
	assert_null(m);
}

static void test_baseline_decodes_and_maps(void **state)
{
	struct knobs k = baseline();
	struct cephc_crush_map *m;
	uint32_t weights[3] = {0x10000, 0x10000, 0x10000};
	struct cephc_crush_tunables t;
	int out[3];

	(void)state;
	assert_int_equal(decode_knobs(&k, &m), 0);
	assert_int_equal(cephc_crush_max_devices(m), 3);
	assert_int_equal(cephc_crush_max_buckets(m), 2);
	assert_string_equal(cephc_crush_type_name(m, 1), "host");
	assert_int_equal(cephc_crush_find_rule(m, 0, 1, 3), 0);
	assert_int_equal(cephc_crush_find_rule(m, 0, 1, 11), -1);
	cephc_crush_get_tunables(m, &t);
	assert_int_equal(t.choose_total_tries, 50);
	assert_int_equal(t.chooseleaf_stable, 1);
	assert_null(cephc_crush_choose_args_for_pool(m, 3));
	/* One host: chooseleaf over hosts yields one device only. */
	for (int x = 0; x < 100; x++) {
		int n = cephc_crush_do_rule(m, 0, x, out, 3, weights, 3, NULL,
					    NULL);

		assert_int_equal(n, 1);
		assert_in_range(out[0], 0, 2);
	}
	assert_int_equal(
	    cephc_crush_do_rule(m, 0, 1, out, 3, weights, 3, NULL, NULL), 1);
	assert_int_equal(
	    cephc_crush_do_rule(m, 1, 1, out, 3, weights, 3, NULL, NULL),
	    0); /* no such rule */
	assert_int_equal(cephc_crush_do_rule(m, 0, 1, out,
					     CEPHC_CRUSH_MAX_RESULT + 1,
					     weights, 3, NULL, NULL),
			 CEPHC_EINVAL);
	cephc_crush_free(m);
}

/* Every strict prefix fails cleanly, except prefixes that end exactly
 * where Ceph's decoder stops reading optional sections. */
static void test_truncation_at_every_byte(void **state)
{
	struct knobs k = baseline();
	struct wbuf w;
	size_t full, names_end;

	(void)state;
	k.no_tunables = 1;
	names_end = encode_map(&w, &k);
	k.no_tunables = 0;
	k.ca = 1;
	k.ca_row_len = 3;
	full = encode_map(&w, &k);
	for (size_t len = 0; len < full; len++) {
		struct cephc_crush_map *m = NULL;
		uint8_t *copy = malloc(len ? len : 1);
		int rc;

		/* A heap copy of exactly len bytes lets ASan catch over-reads.
		 */
		memcpy(copy, w.b, len);
		rc = cephc_crush_decode(copy, len, &m);
		if (len < names_end)
			assert_int_equal(rc, CEPHC_EDECODE);
		if (rc == 0)
			cephc_crush_free(m);
		else
			assert_null(m);
		free(copy);
	}
}

static void test_legacy_tunables_when_absent(void **state)
{
	struct knobs k = baseline();
	struct cephc_crush_map *m;
	struct cephc_crush_tunables t;

	(void)state;
	k.no_tunables = 1;
	assert_int_equal(decode_knobs(&k, &m), 0);
	cephc_crush_get_tunables(m, &t);
	assert_int_equal(t.choose_local_tries, 2);
	assert_int_equal(t.choose_local_fallback_tries, 5);
	assert_int_equal(t.choose_total_tries, 19);
	assert_int_equal(t.chooseleaf_descend_once, 0);
	assert_int_equal(t.chooseleaf_vary_r, 0);
	assert_int_equal(t.chooseleaf_stable, 0);
	assert_int_equal(t.allowed_bucket_algs, 22);
	cephc_crush_free(m);
}

/* Old encoders wrote 64-bit name keys; a zero length announces them. */
static void test_name_map_64bit_keys(void **state)
{
	struct knobs k = baseline();
	struct cephc_crush_map *m;

	(void)state;
	k.name_64bit_key = 1;
	assert_int_equal(decode_knobs(&k, &m), 0);
	assert_string_equal(cephc_crush_type_name(m, 1), "host");
	cephc_crush_free(m);
}

static void test_bad_header(void **state)
{
	struct knobs k = baseline();

	(void)state;
	k.magic = 0x00020000;
	expect_decode_error(&k, CEPHC_EDECODE);
	k = baseline();
	k.max_buckets = -1;
	expect_decode_error(&k, CEPHC_EDECODE);
	k.max_buckets = CEPHC_CRUSH_MAX_BUCKETS + 1;
	expect_decode_error(&k, CEPHC_ETOOBIG);
	/* More slots than bytes to hold them. */
	k.max_buckets = 60000;
	expect_decode_error(&k, CEPHC_EDECODE);
}

static void test_bad_buckets(void **state)
{
	struct knobs k = baseline();

	(void)state;
	k.host_alg = 9; /* unknown algorithm */
	expect_decode_error(&k, CEPHC_EDECODE);
	k = baseline();
	k.host_id = -7; /* id does not match slot 0 */
	expect_decode_error(&k, CEPHC_EDECODE);
	k = baseline();
	k.host_item2 = -9; /* out-of-range bucket id */
	expect_decode_error(&k, CEPHC_EDECODE);
	k = baseline();
	k.root_item = -2; /* root contains itself */
	expect_decode_error(&k, CEPHC_EDECODE);
	k = baseline();
	k.host_item2 = -2; /* host -> root -> host cycle */
	expect_decode_error(&k, CEPHC_EDECODE);
	k = baseline();
	k.host_type = 0; /* a bucket of the device type */
	expect_decode_error(&k, CEPHC_EDECODE);
	k = baseline();
	k.host_item2 = CEPHC_CRUSH_MAX_DEVICES; /* device id over the limit */
	expect_decode_error(&k, CEPHC_ETOOBIG);
	k = baseline();
	k.host_size = CEPHC_CRUSH_MAX_BUCKET_SIZE + 1;
	expect_decode_error(&k, CEPHC_ETOOBIG);
	k.host_size = 1000; /* more items than bytes */
	expect_decode_error(&k, CEPHC_EDECODE);
}

/* All-zero weights are legal: straw2 then always picks the first item. */
static void test_all_zero_weights(void **state)
{
	struct knobs k = baseline();
	struct cephc_crush_map *m;
	uint32_t weights[3] = {0x10000, 0x10000, 0x10000};
	int out[3];

	(void)state;
	k.host_weight = 0;
	assert_int_equal(decode_knobs(&k, &m), 0);
	for (int x = 0; x < 50; x++) {
		assert_int_equal(cephc_crush_do_rule(m, 0, x, out, 3, weights,
						     3, NULL, NULL),
				 1);
		assert_int_equal(out[0], 0);
	}
	/* All devices out: nothing can be placed. */
	memset(weights, 0, sizeof(weights));
	assert_int_equal(
	    cephc_crush_do_rule(m, 0, 5, out, 3, weights, 3, NULL, NULL), 0);
	cephc_crush_free(m);
}

/*
 * Retry counts that would make the mapper spin are refused by the decoder
 * itself, so crushtool and the OSDMap layer both see CEPHC_ETOOBIG; the
 * largest allowed values still decode.
 */
static void test_loop_limits(void **state)
{
	static const struct {
		uint32_t op;
		int32_t max;
	} steps[] = {
	    {CRUSH_RULE_SET_CHOOSE_TRIES, CEPHC_CRUSH_MAX_TRIES},
	    {CRUSH_RULE_SET_CHOOSELEAF_TRIES, CEPHC_CRUSH_MAX_TRIES},
	    {CRUSH_RULE_SET_CHOOSE_LOCAL_TRIES, CEPHC_CRUSH_MAX_LOCAL_TRIES},
	    {CRUSH_RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES,
	     CEPHC_CRUSH_MAX_LOCAL_TRIES},
	};
	struct knobs k;
	struct cephc_crush_map *m;

	(void)state;
	k = baseline();
	k.total_tries = CEPHC_CRUSH_MAX_TRIES;
	k.local_tries = CEPHC_CRUSH_MAX_LOCAL_TRIES;
	k.fallback_tries = CEPHC_CRUSH_MAX_LOCAL_TRIES;
	k.leaf_numrep = CEPHC_CRUSH_MAX_RESULT;
	assert_int_equal(decode_knobs(&k, &m), 0);
	cephc_crush_free(m);

	k = baseline();
	k.total_tries = 0x80000000u;
	expect_decode_error(&k, CEPHC_ETOOBIG);
	k = baseline();
	k.local_tries = CEPHC_CRUSH_MAX_LOCAL_TRIES + 1;
	expect_decode_error(&k, CEPHC_ETOOBIG);
	k = baseline();
	k.fallback_tries = CEPHC_CRUSH_MAX_LOCAL_TRIES + 1;
	expect_decode_error(&k, CEPHC_ETOOBIG);
	k = baseline();
	k.leaf_numrep = CEPHC_CRUSH_MAX_RESULT + 1;
	expect_decode_error(&k, CEPHC_ETOOBIG);
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		k = baseline();
		k.set_op = steps[i].op;
		k.set_arg = steps[i].max;
		assert_int_equal(decode_knobs(&k, &m), 0);
		cephc_crush_free(m);
		k.set_arg = steps[i].max + 1;
		expect_decode_error(&k, CEPHC_ETOOBIG);
	}
	/* Legacy maps (no tunables section: 19/2/5) are fine. */
	k = baseline();
	k.no_tunables = 1;
	assert_int_equal(decode_knobs(&k, &m), 0);
	cephc_crush_free(m);
}

/*
 * cephc_crush_adjust_item_weight (osdmaptool --mark-up-in): per-algorithm
 * weights, the parent's copy of the bucket total, straw (v1) lengths,
 * and weight sets that are updated, created and re-summed.
 */
static void test_adjust_item_weight(void **state)
{
	struct knobs k = baseline();
	struct cephc_crush_map *m;
	const struct crush_bucket *host, *root;
	const struct crush_bucket_arg *a;

	(void)state;
	assert_int_equal(decode_knobs(&k, &m), 0);
	host = &m->buckets[0];
	root = &m->buckets[1];
	assert_int_equal(cephc_crush_adjust_item_weight(m, 1, 0x28000), 1);
	assert_int_equal(host->item_weights[1], 0x28000);
	assert_int_equal(host->weight, 0x48000);
	assert_int_equal(root->item_weights[0], 0x48000);
	assert_int_equal(root->weight, 0x48000);
	assert_int_equal(cephc_crush_adjust_item_weight(m, 7, 0x10000),
			 CEPHC_ENOENT);
	cephc_crush_free(m);

	/* list: running sums from the item on */
	k.host_alg = CRUSH_BUCKET_LIST;
	assert_int_equal(decode_knobs(&k, &m), 0);
	host = &m->buckets[0];
	assert_int_equal(cephc_crush_adjust_item_weight(m, 0, 0), 1);
	assert_int_equal(host->sum_weights[0], 0);
	assert_int_equal(host->sum_weights[2], 0x20000);
	assert_int_equal(m->buckets[1].item_weights[0], 0x20000);
	cephc_crush_free(m);

	/* uniform: one weight for every item */
	k.host_alg = CRUSH_BUCKET_UNIFORM;
	assert_int_equal(decode_knobs(&k, &m), 0);
	assert_int_equal(cephc_crush_adjust_item_weight(m, 2, 0x20000), 1);
	assert_int_equal(m->buckets[0].uniform_weight, 0x20000);
	assert_int_equal(m->buckets[0].weight, 0x60000);
	cephc_crush_free(m);

	/* straw (v1, straw_calc_version 1): every length recomputed.  Weights
	 * 1, 1, 2: the light pair keeps 1.0; the step to 2 has 3/4 of the
	 * weight below it and one item above, so 4/3 (16.16, truncated). */
	k.host_alg = CRUSH_BUCKET_STRAW;
	assert_int_equal(decode_knobs(&k, &m), 0);
	assert_int_equal(cephc_crush_adjust_item_weight(m, 2, 0x20000), 1);
	assert_int_equal(m->buckets[0].item_weights[2], 0x20000);
	assert_int_equal(m->buckets[0].weight, 0x40000);
	assert_int_equal(m->buckets[0].straws[0], 0x10000);
	assert_int_equal(m->buckets[0].straws[1], 0x10000);
	assert_int_equal(m->buckets[0].straws[2], 87381);
	/* weight 0: a zero-length straw */
	assert_int_equal(cephc_crush_adjust_item_weight(m, 0, 0), 1);
	assert_int_equal(m->buckets[0].straws[0], 0);
	cephc_crush_free(m);

	/* The host's weight set takes the new weight; the root, which had
	 * none, gets one holding the host's new sum. */
	k = baseline();
	k.ca = 1;
	k.ca_row_len = 3;
	assert_int_equal(decode_knobs(&k, &m), 0);
	assert_int_equal(m->choose_args[0].args[1].positions, 0);
	assert_int_equal(cephc_crush_adjust_item_weight(m, 1, 0x20000), 1);
	a = &m->choose_args[0].args[0];
	assert_int_equal(a->weight_set[0][0], 0x30000);
	assert_int_equal(a->weight_set[0][1], 0x20000);
	a = &m->choose_args[0].args[1];
	assert_int_equal(a->positions, 1);
	assert_int_equal(a->weight_set[0][0], 0x60000);
	cephc_crush_free(m);
}

static void test_bad_choose_args(void **state)
{
	struct knobs k = baseline();

	(void)state;
	k.ca = 1;
	k.ca_row_len = 3;
	k.ca_bucket_index = 2; /* past max_buckets */
	expect_decode_error(&k, CEPHC_EDECODE);
	k.ca_bucket_index = 0;
	k.ca_ids_len = 2; /* ids must match the bucket size */
	expect_decode_error(&k, CEPHC_EDECODE);
	k.ca_ids_len = 3;
	k.ca_row_len = CEPHC_CRUSH_MAX_BUCKET_SIZE + 1;
	expect_decode_error(&k, CEPHC_ETOOBIG);
}

/*
 * A weight_set row shorter than its bucket is padded with zeros (Ceph's
 * update_choose_args); a longer one is cut.  Either way the mapping equals
 * that of the exact-size row with the same leading weights.
 */
static void test_choose_args_rows_normalised(void **state)
{
	struct knobs k = baseline();
	struct cephc_crush_map *exact, *shorter, *longer;
	uint32_t weights[3] = {0x10000, 0x10000, 0x10000};
	int a[3], b[3];
	int on_zero = 0;

	(void)state;
	k.ca = 1;
	k.ca_row_len = 3;
	assert_int_equal(decode_knobs(&k, &exact), 0);
	k.ca_row_len = 2;
	assert_int_equal(decode_knobs(&k, &shorter), 0);
	k.ca_row_len = 5;
	assert_int_equal(decode_knobs(&k, &longer), 0);
	for (int x = 0; x < 500; x++) {
		const struct cephc_crush_choose_arg *ce =
		    cephc_crush_choose_args_for_pool(exact, 1);
		const struct cephc_crush_choose_arg *cs =
		    cephc_crush_choose_args_for_pool(shorter, 1);
		const struct cephc_crush_choose_arg *cl =
		    cephc_crush_choose_args_for_pool(longer, 1);
		int na, nb;

		assert_non_null(ce);
		na = cephc_crush_do_rule(exact, 0, x, a, 1, weights, 3, ce,
					 NULL);
		nb = cephc_crush_do_rule(longer, 0, x, b, 1, weights, 3, cl,
					 NULL);
		assert_int_equal(na, nb);
		assert_int_equal(a[0], b[0]);
		/* The padded device 2 has weight 0 and is never chosen. */
		nb = cephc_crush_do_rule(shorter, 0, x, b, 1, weights, 3, cs,
					 NULL);
		assert_int_equal(nb, 1);
		assert_int_not_equal(b[0], 2);
		on_zero += a[0] == 2;
	}
	assert_true(on_zero > 0); /* with the exact row device 2 is used */
	cephc_crush_free(exact);
	cephc_crush_free(shorter);
	cephc_crush_free(longer);
}

/* choose_args of a non-straw2 bucket are accepted and dropped (Ceph). */
static void test_choose_args_on_other_buckets_dropped(void **state)
{
	struct knobs k = baseline();
	struct cephc_crush_map *with, *without;
	uint32_t weights[3] = {0x10000, 0x10000, 0x10000};
	int a[3], b[3];

	(void)state;
	k.host_alg = CRUSH_BUCKET_LIST;
	assert_int_equal(decode_knobs(&k, &without), 0);
	k.ca = 1;
	k.ca_row_len = 3;
	k.ca_ids_len = 3;
	assert_int_equal(decode_knobs(&k, &with), 0);
	for (int x = 0; x < 200; x++) {
		int na = cephc_crush_do_rule(with, 0, x, a, 1, weights, 3,
					     cephc_crush_choose_args(with, -1),
					     NULL);
		int nb = cephc_crush_do_rule(without, 0, x, b, 1, weights, 3,
					     NULL, NULL);

		assert_int_equal(na, nb);
		assert_int_equal(a[0], b[0]);
	}
	cephc_crush_free(with);
	cephc_crush_free(without);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_baseline_decodes_and_maps),
	    cmocka_unit_test(test_truncation_at_every_byte),
	    cmocka_unit_test(test_legacy_tunables_when_absent),
	    cmocka_unit_test(test_name_map_64bit_keys),
	    cmocka_unit_test(test_bad_header),
	    cmocka_unit_test(test_bad_buckets),
	    cmocka_unit_test(test_all_zero_weights),
	    cmocka_unit_test(test_loop_limits),
	    cmocka_unit_test(test_adjust_item_weight),
	    cmocka_unit_test(test_bad_choose_args),
	    cmocka_unit_test(test_choose_args_rows_normalised),
	    cmocka_unit_test(test_choose_args_on_other_buckets_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
