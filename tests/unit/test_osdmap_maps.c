/* SPDX-License-Identifier: MIT */
/*
 * OSDMap decode, incremental apply and placement rules, on maps from a live
 * 16.2.15 cluster (tests/golden/osdmap) and on maps built here field by
 * field to hit the bad inputs of bad-inputs.md item 6.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "osdmap/osdmap.h"

/* --- files ------------------------------------------------------------- */

static uint8_t *load(const char *rel, size_t *len)
{
	const char *src = getenv("CEPHC_SOURCE_DIR");
	char path[1024];
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/golden/osdmap/%s",
		 src ? src : ".", rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct cephc_osdmap *load_map(const char *rel)
{
	size_t len;
	uint8_t *buf = load(rel, &len);
	struct cephc_osdmap *m = NULL;

	assert_int_equal(cephc_osdmap_decode(buf, len, &m), 0);
	free(buf);
	return m;
}

/* Everything a client derives from a map, as text: --print plus every
 * PG's raw/up/acting sets. */
static char *map_digest(const struct cephc_osdmap *m)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	struct cephc_pg_mapping mp;
	uint32_t i, ps;
	int k;

	assert_non_null(f);
	cephc_osdmap_print(m, f);
	for (i = 0; i < m->n_pools; i++) {
		for (ps = 0; ps < m->pools[i].pg_num; ps++) {
			struct cephc_pg pg = {m->pools[i].id, ps};

			cephc_osdmap_pg_to_osds(m, pg, &mp, NULL);
			fprintf(f, "%lld.%x", (long long)pg.pool, ps);
			for (k = 0; k < mp.n_up; k++)
				fprintf(f, " %d", mp.up[k]);
			fprintf(f, " p%d |", mp.up_primary);
			for (k = 0; k < mp.n_acting; k++)
				fprintf(f, " %d", mp.acting[k]);
			fprintf(f, " p%d\n", mp.acting_primary);
		}
	}
	fclose(f);
	return out;
}

/* --- live maps --------------------------------------------------------- */

static void test_live_maps_decode(void **state)
{
	struct cephc_osdmap *m = load_map("live-final.osdmap");
	const struct cephc_pg_pool *p;

	(void)state;
	assert_int_equal(m->epoch, 43);
	assert_int_equal(m->max_osd, 4);
	assert_int_equal(m->n_pools, 3);
	assert_non_null(m->crush);
	p = cephc_osdmap_pool_by_name(m, "ecpool");
	assert_non_null(p);
	assert_int_equal(p->type, CEPHC_POOL_TYPE_ERASURE);
	assert_int_equal(p->struct_v, 29);
	assert_int_equal(p->size, 3);
	assert_true(p->flags & CEPHC_POOL_FLAG_HASHPSPOOL);
	assert_non_null(cephc_osdmap_osd_addr(m, 0, CEPHC_ADDR_MSGR2));
	assert_non_null(cephc_osdmap_osd_addr(m, 0, CEPHC_ADDR_LEGACY));
	cephc_osdmap_free(m);
}

static void test_incremental_chain_reproduces_live_maps(void **state)
{
	static const struct {
		uint32_t epoch;
		const char *file;
	} checkpoints[] = {
	    {12, "live-base.osdmap"},    {16, "live-ec.osdmap"},
	    {20, "live-weights.osdmap"}, {26, "live-upmap.osdmap"},
	    {30, "live-temp.osdmap"},    {37, "live-out.osdmap"},
	    {38, "live-down.osdmap"},    {43, "live-final.osdmap"},
	};
	struct cephc_osdmap *m = load_map("chain/full.1");
	size_t c = 0;
	uint32_t e;

	(void)state;
	for (e = 2; e <= 43; e++) {
		char name[32];
		size_t len;
		uint8_t *inc;

		snprintf(name, sizeof(name), "chain/inc.%u", e);
		inc = load(name, &len);
		assert_int_equal(cephc_osdmap_apply_incremental(&m, inc, len),
				 0);
		free(inc);
		assert_int_equal(m->epoch, e);
		if (c < sizeof(checkpoints) / sizeof(checkpoints[0]) &&
		    checkpoints[c].epoch == e) {
			struct cephc_osdmap *want =
			    load_map(checkpoints[c].file);
			char *a = map_digest(want), *b = map_digest(m);

			if (strcmp(a, b))
				fprintf(stderr,
					"epoch %u differs:\n%s\n---\n%s\n", e,
					a, b);
			assert_string_equal(a, b);
			free(a);
			free(b);
			cephc_osdmap_free(want);
			c++;
		}
	}
	assert_int_equal(c, 8);
	cephc_osdmap_free(m);
}

static void test_incremental_wrong_epoch_leaves_map(void **state)
{
	struct cephc_osdmap *m = load_map("live-base.osdmap"); /* e12 */
	char *before = map_digest(m), *after;
	size_t len;
	uint8_t *inc;

	(void)state;
	/* e12 -> inc.12 (same epoch), inc.14 (a gap), inc.2 (old) */
	inc = load("chain/inc.12", &len);
	assert_int_equal(cephc_osdmap_apply_incremental(&m, inc, len),
			 CEPHC_EINVAL);
	free(inc);
	inc = load("chain/inc.14", &len);
	assert_int_equal(cephc_osdmap_apply_incremental(&m, inc, len),
			 CEPHC_EINVAL);
	free(inc);
	inc = load("chain/inc.2", &len);
	assert_int_equal(cephc_osdmap_apply_incremental(&m, inc, len),
			 CEPHC_EINVAL);
	free(inc);
	after = map_digest(m);
	assert_string_equal(before, after);
	assert_int_equal(m->epoch, 12);
	free(before);
	free(after);
	cephc_osdmap_free(m);
}

static void test_truncated_maps_fail_cleanly(void **state)
{
	size_t len, cut;
	uint8_t *buf = load("live-upmap.osdmap", &len);

	(void)state;
	/* Every strict prefix must be refused (and, under ASan, never read
	 * past its end): the wrapper's length covers the whole map. */
	for (cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		struct cephc_osdmap *m = NULL;

		memcpy(copy, buf, cut);
		assert_int_not_equal(cephc_osdmap_decode(copy, cut, &m), 0);
		assert_null(m);
		free(copy);
	}
	free(buf);
}

static void test_truncated_incrementals_leave_map(void **state)
{
	struct cephc_osdmap *m = load_map("live-upmap.osdmap"); /* e26 */
	char *before = map_digest(m), *after;
	size_t len, cut;
	uint8_t *inc = load("chain/inc.27", &len);

	(void)state;
	for (cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, inc, cut);
		assert_int_not_equal(
		    cephc_osdmap_apply_incremental(&m, copy, cut), 0);
		free(copy);
	}
	after = map_digest(m);
	assert_string_equal(before, after);
	free(after);
	assert_int_equal(cephc_osdmap_apply_incremental(&m, inc, len), 0);
	assert_int_equal(m->epoch, 27);
	free(before);
	free(inc);
	cephc_osdmap_free(m);
}

/* --- maps built field by field ----------------------------------------- */

struct wbuf {
	uint8_t b[1 << 16];
	size_t n;
};

static void w8(struct wbuf *w, uint8_t v)
{
	w->b[w->n++] = v;
}

static void w32(struct wbuf *w, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		w8(w, (uint8_t)(v >> (8 * i)));
}

static void w64(struct wbuf *w, uint64_t v)
{
	w32(w, (uint32_t)v);
	w32(w, (uint32_t)(v >> 32));
}

static void wbytes(struct wbuf *w, const void *p, size_t n)
{
	memcpy(w->b + w->n, p, n);
	w->n += n;
}

static void wstr(struct wbuf *w, const char *s)
{
	w32(w, (uint32_t)strlen(s));
	wbytes(w, s, strlen(s));
}

/* Envelope: returns the offset of the length to patch in wend(). */
static size_t wbegin(struct wbuf *w, uint8_t v, uint8_t compat)
{
	size_t at;

	w8(w, v);
	w8(w, compat);
	at = w->n;
	w32(w, 0);
	return at;
}

static void wend(struct wbuf *w, size_t at)
{
	uint32_t len = (uint32_t)(w->n - at - 4);
	int i;

	for (i = 0; i < 4; i++)
		w->b[at + i] = (uint8_t)(len >> (8 * i));
}

static void wpg(struct wbuf *w, int64_t pool, uint32_t seed)
{
	w8(w, 1);
	w64(w, (uint64_t)pool);
	w32(w, seed);
	w32(w, 0xffffffff);
}

/* Body bytes of the pool's pool_opts_t envelope (version opts_v), when a
 * test sets them; otherwise an empty option map. */
static struct {
	uint8_t v;
	size_t n;
	uint8_t b[256];
} pool_opts;

/* A replicated pool, encoded as Pacific does (v29). */
static void wpool(struct wbuf *w, uint8_t compat, uint8_t size, uint32_t pg_num)
{
	size_t at = wbegin(w, 29, compat), m;

	w8(w, CEPHC_POOL_TYPE_REPLICATED);
	w8(w, size);
	w8(w, 0); /* crush_rule */
	w8(w, 2); /* rjenkins */
	w32(w, pg_num);
	w32(w, pg_num);
	w32(w, 0);
	w32(w, 0);
	w32(w, 7); /* last_change */
	w64(w, 0);
	w32(w, 0);
	w32(w, 0); /* snaps */
	w32(w, 0); /* removed_snaps */
	w64(w, 0); /* auid */
	w64(w, CEPHC_POOL_FLAG_HASHPSPOOL);
	w32(w, 0);
	w8(w, 1);  /* min_size */
	w64(w, 0); /* quota */
	w64(w, 0);
	w32(w, 0);           /* tiers */
	w64(w, ~0ull);       /* tier_of */
	w8(w, 0);            /* cache_mode */
	w64(w, ~0ull);       /* read_tier */
	w64(w, ~0ull);       /* write_tier */
	w32(w, 0);           /* properties */
	m = wbegin(w, 1, 1); /* hit_set_params: none */
	w8(w, 0);
	wend(w, m);
	w32(w, 0);
	w32(w, 0);
	w32(w, 0); /* stripe_width */
	w64(w, 0);
	w64(w, 0);
	w32(w, 0);
	w32(w, 0);
	w32(w, 0);
	w32(w, 0);
	wstr(w, ""); /* erasure_code_profile */
	w32(w, 0);   /* lfor preluminous */
	w32(w, 0);   /* min_read_recency */
	w64(w, 0);   /* expected_num_objects */
	w32(w, 0);   /* v19 */
	w32(w, 0);   /* v20 */
	w8(w, 0);    /* v21 */
	w8(w, 0);    /* fast_read */
	w32(w, 0);   /* v23 */
	w32(w, 0);
	m = wbegin(w, pool_opts.n ? pool_opts.v : 2, 1); /* opts */
	if (pool_opts.n)
		wbytes(w, pool_opts.b, pool_opts.n);
	else
		w32(w, 0);
	wend(w, m);
	w32(w, 0); /* lfor prenautilus */
	w32(w, 0); /* application_metadata */
	w64(w, 0); /* create_time */
	w32(w, pg_num);
	w32(w, pg_num);
	w32(w, pg_num);
	w32(w, 0);
	w32(w, 0);
	w32(w, 5);           /* last_force_op_resend */
	w8(w, 0);            /* autoscale off */
	m = wbegin(w, 1, 1); /* last_pg_merge_meta (opaque here) */
	wend(w, m);
	wend(w, at);
}

struct build {
	uint32_t max_osd;  /* claimed */
	uint32_t n_arrays; /* entries actually in the three arrays */
	uint8_t pool_compat;
	bool truncate_pool;   /* pool envelope length beyond the map */
	uint32_t pg_temp_osd; /* pg_temp 1.0 [0, this] */
	int64_t pg_temp_pool;
	const uint8_t *crush;
	uint32_t crush_len;
	int32_t upmap[3]; /* pg_upmap 1.1 (if [0] >= 0) */
	int32_t items[4]; /* pg_upmap_items 1.2 pairs (if [0] >= 0) */
	uint8_t client_v; /* client section version: 9 (Pacific) or 10 */
	/* v10 pg_upmap_primaries: pool 1 seed -> osd (n_prim entries, and
	 * prim_claim entries claimed on the wire). */
	uint32_t n_prim, prim_claim;
	struct {
		uint32_t seed;
		int32_t osd;
	} prim[2];
};

static size_t build_map(struct wbuf *w, const struct build *b)
{
	size_t wrap, cl, os, at;
	uint8_t fsid[16] = {1, 2, 3};
	uint32_t i;

	w->n = 0;
	wrap = wbegin(w, 8, 7);
	cl = wbegin(w, b->client_v, 1);
	wbytes(w, fsid, 16);
	w32(w, 5); /* epoch */
	w64(w, 0); /* created */
	w64(w, 0); /* modified */
	w32(w, 1); /* pools */
	w64(w, 1);
	at = w->n;
	wpool(w, b->pool_compat ? b->pool_compat : 5, 3, 8);
	if (b->truncate_pool) {
		/* claim 1000 more body bytes than there are */
		uint32_t len = (uint32_t)(w->n - at - 6) + 1000;

		w->b[at + 2] = (uint8_t)len;
		w->b[at + 3] = (uint8_t)(len >> 8);
	}
	w32(w, 1);
	w64(w, 1);
	wstr(w, "test");
	w32(w, 1); /* pool_max */
	w32(w, 0); /* flags */
	w32(w, b->max_osd);
	w32(w, b->n_arrays);
	for (i = 0; i < b->n_arrays; i++)
		w32(w, CEPHC_OSD_EXISTS | CEPHC_OSD_UP);
	w32(w, b->n_arrays);
	for (i = 0; i < b->n_arrays; i++)
		w32(w, CEPHC_OSD_IN);
	w32(w, b->n_arrays);
	for (i = 0; i < b->n_arrays; i++) {
		w8(w, 2); /* empty addrvec */
		w32(w, 0);
	}
	w32(w, 1); /* pg_temp */
	wpg(w, b->pg_temp_pool, 0);
	w32(w, 2);
	w32(w, 0);
	w32(w, b->pg_temp_osd);
	w32(w, 0); /* primary_temp */
	w32(w, 0); /* primary_affinity */
	w32(w, b->crush_len);
	wbytes(w, b->crush, b->crush_len);
	w32(w, 0); /* erasure_code_profiles */
	if (b->upmap[0] >= 0) {
		w32(w, 1);
		wpg(w, 1, 1);
		w32(w, 3);
		for (i = 0; i < 3; i++)
			w32(w, (uint32_t)b->upmap[i]);
	} else {
		w32(w, 0);
	}
	if (b->items[0] >= 0) {
		w32(w, 1);
		wpg(w, 1, 2);
		w32(w, 2);
		for (i = 0; i < 4; i++)
			w32(w, (uint32_t)b->items[i]);
	} else {
		w32(w, 0);
	}
	w32(w, 3); /* crush_version */
	w32(w, 0); /* v7: new_removed_snaps */
	w32(w, 0); /* new_purged_snaps */
	w64(w, 0); /* v9: last_up_change */
	w64(w, 0); /* last_in_change */
	if (b->client_v >= 10) {
		w32(w, b->prim_claim);
		for (i = 0; i < b->n_prim; i++) {
			wpg(w, 1, b->prim[i].seed);
			w32(w, (uint32_t)b->prim[i].osd);
		}
	}
	wend(w, cl);
	os = wbegin(w, 9, 1);
	for (i = 0; i < 4; i++)
		w32(w, 0); /* hb_back, osd_info, blocklist, cluster addrs */
	w32(w, 0);         /* snapshot epoch */
	wstr(w, "");
	w32(w, 0);          /* uuid */
	w32(w, 0);          /* xinfo */
	w32(w, 0);          /* hb_front */
	w32(w, 0x3f59999a); /* nearfull 0.85f */
	w32(w, 0x3f733333); /* full 0.95f */
	w32(w, 0x3f666666); /* backfillfull 0.9f */
	w8(w, 12);
	w8(w, 16);
	w32(w, 0);
	w32(w, 0);
	w32(w, 0);
	wend(w, os);
	w32(w, 0); /* crc */
	wend(w, wrap);
	return w->n;
}

static struct cephc_osdmap *crush_source;

static void default_build(struct build *b)
{
	memset(b, 0, sizeof(*b));
	b->max_osd = b->n_arrays = 4;
	b->pg_temp_pool = 1;
	b->pg_temp_osd = 1;
	b->crush = crush_source->crush_blob;
	b->crush_len = crush_source->crush_len;
	b->upmap[0] = b->items[0] = -1;
	b->client_v = 9;
	pool_opts.n = 0;
}

static int decode_built(const struct build *b, struct cephc_osdmap **m)
{
	static struct wbuf w;
	size_t n = build_map(&w, b);

	*m = NULL;
	return cephc_osdmap_decode(w.b, n, m);
}

static int setup(void **state)
{
	(void)state;
	crush_source = load_map("live-base.osdmap"); /* 4 OSDs, one host */
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	cephc_osdmap_free(crush_source);
	return 0;
}

static void test_built_map_decodes(void **state)
{
	struct build b;
	struct cephc_osdmap *m;
	struct cephc_pg_mapping mp;
	struct cephc_pg pg = {1, 0};

	(void)state;
	default_build(&b);
	assert_int_equal(decode_built(&b, &m), 0);
	assert_int_equal(m->epoch, 5);
	assert_string_equal(m->pools[0].name, "test");
	assert_int_equal(m->pools[0].last_force_op_resend, 5);
	assert_int_equal(m->pools[0].pg_num_mask, 7);
	/* pg_temp 1.0 [0,1] makes the acting set */
	cephc_osdmap_pg_to_osds(m, pg, &mp, NULL);
	assert_int_equal(mp.n_up, 3);
	assert_int_equal(mp.n_acting, 2);
	assert_int_equal(mp.acting[0], 0);
	assert_int_equal(mp.acting[1], 1);
	assert_int_equal(mp.acting_primary, 0);
	cephc_osdmap_free(m);
}

static void test_max_osd_larger_than_arrays(void **state)
{
	struct build b;
	struct cephc_osdmap *m;

	(void)state;
	default_build(&b);
	b.max_osd = 1000; /* arrays still hold 4 */
	assert_int_equal(decode_built(&b, &m), CEPHC_EDECODE);
	assert_null(m);
	b.max_osd = 0xffffffff;
	assert_int_equal(decode_built(&b, &m), CEPHC_ETOOBIG);
	b.max_osd = CEPHC_OSDMAP_MAX_OSD; /* allowed, but no room for it */
	assert_int_equal(decode_built(&b, &m), CEPHC_EDECODE);
	b.max_osd = 3; /* arrays longer than max_osd */
	assert_int_equal(decode_built(&b, &m), CEPHC_EDECODE);
}

static void test_pool_envelope_bad(void **state)
{
	struct build b;
	struct cephc_osdmap *m;

	(void)state;
	default_build(&b);
	b.truncate_pool = true;
	assert_int_equal(decode_built(&b, &m), CEPHC_EDECODE);
	default_build(&b);
	b.pool_compat = 30; /* newer than we understand */
	assert_int_equal(decode_built(&b, &m), CEPHC_ECOMPAT);
}

/* Options and hit sets as a 16.2.15 monitor encoded them (`ceph osd pool
 * set`, cache tiers with bloom / explicit_hash / explicit_object). */
static void test_live_pool_opts_and_hit_sets(void **state)
{
	struct cephc_osdmap *m = load_map("live-hitset.osdmap");
	const struct cephc_pg_pool *p;

	(void)state;
	p = cephc_osdmap_pool_by_name(m, "test");
	assert_non_null(p);
	assert_int_equal(p->n_opts, 21);
	for (uint32_t i = 1; i < p->n_opts; i++)
		assert_true(p->opts[i - 1].key < p->opts[i].key);
	assert_int_equal(p->opts[6].key, 6); /* compression_mode */
	assert_int_equal(p->opts[6].type, CEPHC_POOL_OPT_STR);
	assert_string_equal(p->opts[6].v.s, "aggressive");
	assert_int_equal(p->opts[16].key, 17); /* target_size_ratio */
	assert_int_equal(p->opts[16].type, CEPHC_POOL_OPT_DOUBLE);
	assert_true(p->opts[16].v.d == 0.2);
	assert_int_equal(p->opts[20].v.i, 64); /* pg_num_max */
	assert_int_equal(p->hit_set.type, CEPHC_HIT_SET_NONE);
	p = cephc_osdmap_pool_by_name(m, "cache");
	assert_int_equal(p->hit_set.type, CEPHC_HIT_SET_BLOOM);
	assert_int_equal(p->hit_set.fpp_micro, 10000);
	assert_int_equal(p->hit_set.period, 600);
	assert_int_equal(p->hit_set.count, 4);
	assert_int_equal(p->hit_set.grade_decay_rate, 20);
	assert_int_equal(p->hit_set.search_last_n, 2);
	p = cephc_osdmap_pool_by_name(m, "cache2");
	assert_int_equal(p->hit_set.type, CEPHC_HIT_SET_EXPLICIT_HASH);
	assert_int_equal(p->hit_set.period, 60);
	p = cephc_osdmap_pool_by_name(m, "cache4");
	assert_int_equal(p->hit_set.type, CEPHC_HIT_SET_EXPLICIT_OBJECT);
	assert_int_equal(p->hit_set.count, 3);
	cephc_osdmap_free(m);
}

static void opts_put(const void *p, size_t n)
{
	memcpy(pool_opts.b + pool_opts.n, p, n);
	pool_opts.n += n;
}

static void opts_u32(uint32_t v)
{
	uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
			(uint8_t)(v >> 24)};

	opts_put(b, 4);
}

/* pool_opts_t v1 (32-bit ints), repeated keys, and what Ceph refuses. */
static void test_pool_opts_encodings(void **state)
{
	struct build b;
	struct cephc_osdmap *m;
	const struct cephc_pg_pool *p;

	(void)state;
	default_build(&b);
	pool_opts.v = 1;
	opts_u32(3);
	opts_u32(3), opts_u32(CEPHC_POOL_OPT_INT), opts_u32((uint32_t)-7);
	opts_u32(6), opts_u32(CEPHC_POOL_OPT_STR), opts_u32(4);
	opts_put("none", 4);
	opts_u32(3), opts_u32(CEPHC_POOL_OPT_INT), opts_u32(9); /* replaces */
	assert_int_equal(decode_built(&b, &m), 0);
	p = &m->pools[0];
	assert_int_equal(p->n_opts, 2);
	assert_int_equal(p->opts[0].key, 3);
	assert_int_equal(p->opts[0].v.i, 9);
	assert_string_equal(p->opts[1].v.s, "none");
	cephc_osdmap_free(m);

	/* A value type Ceph does not know (it asserts). */
	default_build(&b);
	pool_opts.v = 2;
	opts_u32(1);
	opts_u32(3), opts_u32(3), opts_u32(0), opts_u32(0);
	assert_int_equal(decode_built(&b, &m), CEPHC_EDECODE);
	assert_null(m);
	/* More entries than the limit: refused before any allocation. */
	default_build(&b);
	pool_opts.v = 2;
	opts_u32(CEPHC_OSDMAP_MAX_POOL_OPTS + 1);
	assert_int_equal(decode_built(&b, &m), CEPHC_ETOOBIG);
	/* A string value cut short by the envelope. */
	default_build(&b);
	pool_opts.v = 2;
	opts_u32(1);
	opts_u32(7), opts_u32(CEPHC_POOL_OPT_STR), opts_u32(100);
	opts_put("zstd", 4);
	assert_int_equal(decode_built(&b, &m), CEPHC_EDECODE);
}

static void test_pg_temp_for_missing_pool_and_osd(void **state)
{
	struct build b;
	struct cephc_osdmap *m;
	struct cephc_pg_mapping mp;
	struct cephc_pg pg = {1, 0};

	(void)state;
	default_build(&b);
	b.pg_temp_osd = 500; /* no such OSD: dropped from acting */
	assert_int_equal(decode_built(&b, &m), 0);
	cephc_osdmap_pg_to_osds(m, pg, &mp, NULL);
	assert_int_equal(mp.n_acting, 1);
	assert_int_equal(mp.acting[0], 0);
	cephc_osdmap_free(m);

	default_build(&b);
	b.pg_temp_pool = 99; /* no such pool: kept, never used */
	assert_int_equal(decode_built(&b, &m), 0);
	cephc_osdmap_pg_to_osds(m, pg, &mp, NULL);
	assert_int_equal(mp.n_acting, mp.n_up);
	pg.pool = 99;
	assert_int_equal(cephc_osdmap_pg_to_osds(m, pg, &mp, NULL), -ENOENT);
	assert_int_equal(mp.n_acting, 0);
	assert_int_equal(mp.acting_primary, -1);
	cephc_osdmap_free(m);
}

/*
 * Map pg on the default built map (4 OSDs, size 3) into *plain; returns
 * the one OSD of 0..3 that CRUSH did not pick for it.
 */
static int map_default_pg(struct cephc_pg pg, struct cephc_pg_mapping *plain)
{
	struct build b;
	struct cephc_osdmap *m;

	default_build(&b);
	assert_int_equal(decode_built(&b, &m), 0);
	cephc_osdmap_pg_to_osds(m, pg, plain, NULL);
	cephc_osdmap_free(m);
	assert_int_equal(plain->n_up, 3);
	for (int i = 0; i < 4; i++) {
		int j;

		for (j = 0; j < 3 && plain->up[j] != i; j++)
			;
		if (j == 3)
			return i;
	}
	fail();
	return -1;
}

static void test_upmap_rules(void **state)
{
	struct build b;
	struct cephc_osdmap *m;
	struct cephc_pg_mapping plain, mp;
	struct cephc_pg pg1 = {1, 1}, pg2 = {1, 2};
	int absent, i;

	(void)state;
	absent = map_default_pg(pg2, &plain);

	/* pg_upmap replaces the set; upmap_items swap the first match for a
	 * target not yet present; a target already present is refused. */
	default_build(&b);
	b.upmap[0] = 3;
	b.upmap[1] = 2;
	b.upmap[2] = 1;
	b.items[0] = plain.up[1];
	b.items[1] = absent; /* accepted */
	b.items[2] = plain.up[0];
	b.items[3] = plain.up[2]; /* present already: refused */
	assert_int_equal(decode_built(&b, &m), 0);
	cephc_osdmap_pg_to_osds(m, pg1, &mp, NULL);
	assert_int_equal(mp.n_up, 3);
	assert_int_equal(mp.up[0], 3);
	assert_int_equal(mp.up[1], 2);
	assert_int_equal(mp.up[2], 1);
	cephc_osdmap_pg_to_osds(m, pg2, &mp, NULL);
	assert_int_equal(mp.up[0], plain.up[0]);
	assert_int_equal(mp.up[1], absent);
	assert_int_equal(mp.up[2], plain.up[2]);

	/* An out target voids the whole pg_upmap entry. */
	m->osd_weight[3] = 0;
	cephc_osdmap_pg_to_osds(m, pg1, &mp, NULL);
	assert_false(mp.n_up == 3 && mp.up[0] == 3);
	/* ... and an out upmap_items target is skipped. */
	m->osd_weight[3] = CEPHC_OSD_IN;
	m->osd_weight[absent] = 0;
	cephc_osdmap_pg_to_osds(m, pg2, &mp, NULL);
	for (i = 0; i < mp.n_up; i++)
		assert_int_not_equal(mp.up[i], absent);
	cephc_osdmap_free(m);
}

/* new/old pg_upmap_primary of the next build_inc() (client v9 when
 * either is set, else v8 as Pacific). */
static struct {
	uint32_t n_new, n_old;
	struct {
		uint32_t seed;
		int32_t osd;
	} add[2];
	uint32_t del[2];
} inc_prim;

/* new/old blocklist of the next build_inc(): IPv4 10.0.0.x:0/x with
 * expiry sec (sorted by x, as the monitor encodes them). */
static struct {
	uint32_t n_new, n_old;
	struct {
		uint8_t x;
		uint32_t sec;
	} add[3];
	uint8_t del[3];
} inc_bl;

static void wblocklist_addr(struct wbuf *w, uint8_t x)
{
	size_t env;

	w8(w, 1); /* entity_addr_t marker: new form */
	env = wbegin(w, 1, 1);
	w32(w, 3); /* type: any */
	w32(w, x); /* nonce */
	w32(w, 16);
	w8(w, 2); /* AF_INET, little-endian */
	w8(w, 0);
	w8(w, 0); /* port 0 */
	w8(w, 0);
	w8(w, 10);
	w8(w, 0);
	w8(w, 0);
	w8(w, x);
	w64(w, 0); /* sin_zero */
	wend(w, env);
}

/* An incremental for the built map (epoch 5 -> 6): new_state and
 * new_weight entries only. */
static size_t build_inc(struct wbuf *w, uint32_t epoch, int32_t state_osd,
			uint32_t state_xor, int32_t weight_osd, uint32_t weight)
{
	size_t wrap, cl, os;
	uint8_t fsid[16] = {1, 2, 3};
	int i;

	w->n = 0;
	wrap = wbegin(w, 8, 7);
	cl = wbegin(w, inc_prim.n_new || inc_prim.n_old ? 9 : 8, 1);
	wbytes(w, fsid, 16);
	w32(w, epoch);
	w64(w, 0);     /* modified */
	w64(w, ~0ull); /* new_pool_max: none */
	w32(w, ~0u);   /* new_flags: none */
	w32(w, 0);     /* fullmap */
	w32(w, 0);     /* crush */
	w32(w, ~0u);   /* new_max_osd: none */
	w32(w, 0);     /* new_pools */
	w32(w, 0);     /* new_pool_names */
	w32(w, 0);     /* old_pools */
	w32(w, 0);     /* new_up_client */
	if (state_osd >= -1000) {
		w32(w, 1);
		w32(w, (uint32_t)state_osd);
		w32(w, state_xor);
	} else {
		w32(w, 0);
	}
	if (weight_osd >= -1000) {
		w32(w, 1);
		w32(w, (uint32_t)weight_osd);
		w32(w, weight);
	} else {
		w32(w, 0);
	}
	for (i = 0; i < 9; i++)
		w32(w, 0); /* pg_temp .. old_pg_upmap_items */
	w32(w, 0);         /* v6: new_removed_snaps */
	w32(w, 0);         /* new_purged_snaps */
	w64(w, 0);         /* v8: new_last_up_change */
	w64(w, 0);         /* new_last_in_change */
	if (inc_prim.n_new || inc_prim.n_old) {
		w32(w, inc_prim.n_new);
		for (i = 0; i < (int)inc_prim.n_new; i++) {
			wpg(w, 1, inc_prim.add[i].seed);
			w32(w, (uint32_t)inc_prim.add[i].osd);
		}
		w32(w, inc_prim.n_old);
		for (i = 0; i < (int)inc_prim.n_old; i++)
			wpg(w, 1, inc_prim.del[i]);
	}
	wend(w, cl);
	os = wbegin(w, 9, 1);
	for (i = 0; i < 4; i++)
		w32(w, 0); /* hb_back, up_thru, last_clean_interval, lost */
	w32(w, inc_bl.n_new);
	for (i = 0; i < (int)inc_bl.n_new; i++) {
		wblocklist_addr(w, inc_bl.add[i].x);
		w32(w, inc_bl.add[i].sec);
		w32(w, 0);
	}
	w32(w, inc_bl.n_old);
	for (i = 0; i < (int)inc_bl.n_old; i++)
		wblocklist_addr(w, inc_bl.del[i]);
	for (i = 0; i < 5; i++)
		w32(w, 0);  /* up_cluster .. hb_front */
	w64(w, 0);          /* features */
	w32(w, 0xbf800000); /* ratios: -1 = unchanged */
	w32(w, 0xbf800000);
	w32(w, 0xbf800000);
	w8(w, 0xff);
	w8(w, 0xff);
	w32(w, 0);
	w32(w, 0);
	wend(w, os);
	w32(w, 0); /* inc crc */
	w32(w, 0); /* full crc */
	wend(w, wrap);
	return w->n;
}

/*
 * pg_upmap_primary (Reef+ maps, client v10; incrementals v9), as
 * OSDMap::_apply_upmap applies it: the wanted primary swaps with raw[0]
 * when it is in the set, valid and not out; nothing of _apply_upmap runs
 * when a pg_upmap entry is refused.  Hand-encoded: no Reef daemon here.
 */
static void test_upmap_primary(void **state)
{
	static struct wbuf w;
	struct build b;
	struct cephc_osdmap *m;
	struct cephc_pg_mapping plain, mp, ref;
	struct cephc_pg pg1 = {1, 1}, pg3 = {1, 3};
	int absent, i;
	size_t n;

	(void)state;
	absent = map_default_pg(pg3, &plain);

	default_build(&b);
	b.client_v = 10;
	b.n_prim = b.prim_claim = 2;
	b.prim[0].seed = 3;
	b.prim[0].osd = plain.up[2];
	b.prim[1].seed = 1;
	b.prim[1].osd = 2;
	b.upmap[0] = 3; /* pg_upmap 1.1 [3,2,1] */
	b.upmap[1] = 2;
	b.upmap[2] = 1;
	assert_int_equal(decode_built(&b, &m), 0);
	assert_int_equal(m->pg_upmap_primary.n, 2);
	cephc_osdmap_pg_to_osds(m, pg3, &mp, NULL);
	assert_int_equal(mp.up[0], plain.up[2]);
	assert_int_equal(mp.up[1], plain.up[1]);
	assert_int_equal(mp.up[2], plain.up[0]);
	assert_int_equal(mp.up_primary, plain.up[2]);
	assert_int_equal(mp.acting_primary, plain.up[2]);
	assert_int_equal(mp.raw_primary, plain.raw_primary); /* CRUSH's */
	/* after pg_upmap: [3,2,1] with primary 2 -> [2,3,1] */
	cephc_osdmap_pg_to_osds(m, pg1, &mp, NULL);
	assert_int_equal(mp.up[0], 2);
	assert_int_equal(mp.up[1], 3);
	assert_int_equal(mp.up[2], 1);

	/* An out primary, or one not in the set, changes nothing. */
	m->pg_upmap_primary.e[1].osd = absent;
	cephc_osdmap_pg_to_osds(m, pg3, &mp, NULL);
	assert_memory_equal(mp.up, plain.up, 3 * sizeof(int));
	m->pg_upmap_primary.e[1].osd = plain.up[2];
	m->osd_weight[plain.up[2]] = 0x8000; /* reweighted, still in */
	cephc_osdmap_pg_to_osds(m, pg3, &mp, NULL);
	for (i = 1; i < mp.n_up; i++) /* if CRUSH kept it, it leads */
		assert_int_not_equal(mp.up[i], plain.up[2]);
	m->osd_weight[plain.up[2]] = 0; /* out: ignored */
	cephc_osdmap_pg_to_osds(m, pg3, &mp, NULL);
	for (i = 0; i < mp.n_up; i++)
		assert_int_not_equal(mp.up[i], plain.up[2]);
	m->osd_weight[plain.up[2]] = CEPHC_OSD_IN;
	m->pg_upmap_primary.e[1].osd = 99; /* beyond max_osd */
	cephc_osdmap_pg_to_osds(m, pg3, &mp, NULL);
	assert_memory_equal(mp.up, plain.up, 3 * sizeof(int));
	/* A refused pg_upmap (target 3 out) skips the primary too. */
	m->osd_weight[3] = 0;
	cephc_osdmap_pg_to_osds(m, pg1, &mp, NULL);
	m->pg_upmap_primary.n = 0;
	cephc_osdmap_pg_to_osds(m, pg1, &ref, NULL);
	assert_int_equal(mp.n_up, ref.n_up);
	assert_memory_equal(mp.up, ref.up, (size_t)ref.n_up * sizeof(int));
	cephc_osdmap_free(m);

	/* Claimed entries that are not there. */
	default_build(&b);
	b.client_v = 10;
	b.prim_claim = 3;
	assert_int_equal(decode_built(&b, &m), CEPHC_EDECODE);

	/* Incrementals (v9): add 1.3 and 1.1, then drop 1.3. */
	default_build(&b);
	assert_int_equal(decode_built(&b, &m), 0);
	memset(&inc_prim, 0, sizeof(inc_prim));
	inc_prim.n_new = 2;
	inc_prim.add[0].seed = 3;
	inc_prim.add[0].osd = plain.up[1];
	inc_prim.add[1].seed = 1;
	inc_prim.add[1].osd = 0;
	n = build_inc(&w, 6, -2000, 0, -2000, 0);
	assert_int_equal(cephc_osdmap_apply_incremental(&m, w.b, n), 0);
	assert_int_equal(m->pg_upmap_primary.n, 2);
	cephc_osdmap_pg_to_osds(m, pg3, &mp, NULL);
	assert_int_equal(mp.up[0], plain.up[1]);
	assert_int_equal(mp.up[1], plain.up[0]);
	memset(&inc_prim, 0, sizeof(inc_prim));
	inc_prim.n_old = 1;
	inc_prim.del[0] = 3;
	n = build_inc(&w, 7, -2000, 0, -2000, 0);
	assert_int_equal(cephc_osdmap_apply_incremental(&m, w.b, n), 0);
	assert_int_equal(m->pg_upmap_primary.n, 1);
	assert_int_equal(m->pg_upmap_primary.e[0].pg.seed, 1);
	cephc_osdmap_pg_to_osds(m, pg3, &mp, NULL);
	assert_memory_equal(mp.up, plain.up, 3 * sizeof(int));
	memset(&inc_prim, 0, sizeof(inc_prim));
	cephc_osdmap_free(m);
}

/*
 * Blocklist incrementals, as OSDMap::apply_incremental: new entries are
 * inserted first (a listed address keeps its expiry: unordered_map::
 * insert), old ones erased after (an address in both goes), and the
 * entries stay sorted as a full map encodes them.
 */
static void test_incremental_blocklist(void **state)
{
	static struct wbuf w;
	struct build b;
	struct cephc_osdmap *m;
	size_t n;

	(void)state;
	default_build(&b);
	assert_int_equal(decode_built(&b, &m), 0);
	memset(&inc_bl, 0, sizeof(inc_bl));
	inc_bl.n_new = 2;
	inc_bl.add[0].x = 1;
	inc_bl.add[0].sec = 100;
	inc_bl.add[1].x = 2;
	inc_bl.add[1].sec = 200;
	n = build_inc(&w, 6, -2000, 0, -2000, 0);
	assert_int_equal(cephc_osdmap_apply_incremental(&m, w.b, n), 0);
	assert_int_equal(m->n_blocklist, 2);
	assert_int_equal(m->blocklist[0].addr.nonce, 1);

	memset(&inc_bl, 0, sizeof(inc_bl));
	inc_bl.n_new = 3;
	inc_bl.add[0].x = 0; /* sorts first */
	inc_bl.add[0].sec = 300;
	inc_bl.add[1].x = 1; /* listed: keeps 100 */
	inc_bl.add[1].sec = 999;
	inc_bl.add[2].x = 3; /* added and removed */
	inc_bl.add[2].sec = 400;
	inc_bl.n_old = 2;
	inc_bl.del[0] = 2;
	inc_bl.del[1] = 3;
	n = build_inc(&w, 7, -2000, 0, -2000, 0);
	assert_int_equal(cephc_osdmap_apply_incremental(&m, w.b, n), 0);
	memset(&inc_bl, 0, sizeof(inc_bl));
	assert_int_equal(m->n_blocklist, 2);
	assert_int_equal(m->blocklist[0].addr.nonce, 0);
	assert_int_equal(m->blocklist[0].expires.sec, 300);
	assert_int_equal(m->blocklist[1].addr.nonce, 1);
	assert_int_equal(m->blocklist[1].expires.sec, 100);
	cephc_osdmap_free(m);
}

static void test_incremental_state_weight_rules(void **state)
{
	static struct wbuf w;
	struct build b;
	struct cephc_osdmap *m;
	size_t n;

	(void)state;
	default_build(&b);
	assert_int_equal(decode_built(&b, &m), 0);

	/* An OSD id beyond max_osd: refused, nothing changes. */
	n = build_inc(&w, 6, 99, CEPHC_OSD_UP, -2000, 0);
	assert_int_equal(cephc_osdmap_apply_incremental(&m, w.b, n),
			 CEPHC_EDECODE);
	assert_int_equal(m->epoch, 5);
	n = build_inc(&w, 6, -2000, 0, -1, 0);
	assert_int_equal(cephc_osdmap_apply_incremental(&m, w.b, n),
			 CEPHC_EDECODE);

	/* xor value 0 is the legacy spelling of UP: osd.1 goes down. */
	n = build_inc(&w, 6, 1, 0, -2000, 0);
	assert_int_equal(cephc_osdmap_apply_incremental(&m, w.b, n), 0);
	assert_int_equal(m->epoch, 6);
	assert_false(cephc_osdmap_osd_up(m, 1));
	assert_true(cephc_osdmap_osd_exists(m, 1));
	assert_int_equal(m->osd_info[1].down_at, 6);

	/* Weight before state: marking in clears AUTOOUT even when the
	 * same incremental toggles AUTOOUT on again afterwards. */
	m->osd_state[2] |= CEPHC_OSD_AUTOOUT;
	n = build_inc(&w, 7, 2, CEPHC_OSD_AUTOOUT, 2, 0x8000);
	assert_int_equal(cephc_osdmap_apply_incremental(&m, w.b, n), 0);
	assert_int_equal(m->osd_weight[2], 0x8000);
	assert_true(m->osd_state[2] & CEPHC_OSD_AUTOOUT);

	/* Clearing EXISTS destroys the OSD: state, weight, address reset. */
	n = build_inc(&w, 8, 3, CEPHC_OSD_EXISTS, -2000, 0);
	assert_int_equal(cephc_osdmap_apply_incremental(&m, w.b, n), 0);
	assert_int_equal(m->osd_state[3], 0);
	assert_int_equal(m->osd_weight[3], 0);

	/* A stale incremental (epoch 8 again) is refused. */
	assert_int_equal(cephc_osdmap_apply_incremental(&m, w.b, n),
			 CEPHC_EINVAL);
	cephc_osdmap_free(m);
}

static void test_down_osds_leave_up_set(void **state)
{
	struct cephc_osdmap *m = load_map("live-ec.osdmap");
	const struct cephc_pg_pool *ec = cephc_osdmap_pool_by_name(m, "ecpool");
	struct cephc_pg_mapping mp;
	struct cephc_pg pg = {ec->id, 0};
	int victim, i;

	(void)state;
	cephc_osdmap_pg_to_osds(m, pg, &mp, NULL);
	assert_int_equal(mp.n_up, 3);
	victim = mp.up[1];
	m->osd_state[victim] &= ~CEPHC_OSD_UP;
	cephc_osdmap_pg_to_osds(m, pg, &mp, NULL);
	/* EC: positional, a hole where the down OSD was */
	assert_int_equal(mp.n_up, 3);
	assert_int_equal(mp.up[1], CEPHC_OSD_NONE);
	/* replicated: compacted */
	pg.pool = cephc_osdmap_pool_by_name(m, "test")->id;
	for (pg.seed = 0; pg.seed < 8; pg.seed++) {
		cephc_osdmap_pg_to_osds(m, pg, &mp, NULL);
		for (i = 0; i < mp.n_up; i++)
			assert_int_not_equal(mp.up[i], victim);
	}
	cephc_osdmap_free(m);
}

static void test_format_object_map_matches_ceph(void **state)
{
	struct cephc_osdmap *m = load_map("live-final.osdmap");
	size_t len;
	char *txt = (char *)load("osd-map-e43.txt", &len), *line, *save;
	int cases = 0;

	(void)state;
	txt = realloc(txt, len + 1);
	txt[len] = '\0';
	/* blocks: "POOL OBJ [NS]", plain, "", json */
	for (line = strtok_r(txt, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char pool[64], obj[128], ns[64] = "";
		char *plain = strtok_r(NULL, "\n", &save);
		char *json = strtok_r(NULL, "\n", &save);
		char out[512];
		const struct cephc_pg_pool *p;

		assert_non_null(json);
		assert_true(sscanf(line, "%63s %127s %63s", pool, obj, ns) >=
			    2);
		p = cephc_osdmap_pool_by_name(m, pool);
		assert_non_null(p);
		cephc_osdmap_format_object_map(m, p->id, obj, ns, false, out,
					       sizeof(out));
		assert_string_equal(out, plain);
		cephc_osdmap_format_object_map(m, p->id, obj, ns, true, out,
					       sizeof(out));
		assert_string_equal(out, json);
		cases++;
	}
	assert_int_equal(cases, 7);
	/* snprintf contract: the needed length, and a cut output */
	{
		char small[10];
		int n = cephc_osdmap_format_object_map(m, 1, "foo", NULL, false,
						       small, sizeof(small));

		assert_true(n > 9);
		assert_int_equal(strlen(small), 9);
		assert_int_equal(
		    cephc_osdmap_format_object_map(m, 77, "foo", NULL, false,
						   small, sizeof(small)),
		    -ENOENT);
	}
	free(txt);
	cephc_osdmap_free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_live_maps_decode),
	    cmocka_unit_test(test_incremental_chain_reproduces_live_maps),
	    cmocka_unit_test(test_incremental_wrong_epoch_leaves_map),
	    cmocka_unit_test(test_truncated_maps_fail_cleanly),
	    cmocka_unit_test(test_truncated_incrementals_leave_map),
	    cmocka_unit_test(test_built_map_decodes),
	    cmocka_unit_test(test_max_osd_larger_than_arrays),
	    cmocka_unit_test(test_pool_envelope_bad),
	    cmocka_unit_test(test_live_pool_opts_and_hit_sets),
	    cmocka_unit_test(test_pool_opts_encodings),
	    cmocka_unit_test(test_pg_temp_for_missing_pool_and_osd),
	    cmocka_unit_test(test_upmap_rules),
	    cmocka_unit_test(test_incremental_state_weight_rules),
	    cmocka_unit_test(test_upmap_primary),
	    cmocka_unit_test(test_incremental_blocklist),
	    cmocka_unit_test(test_down_osds_leave_up_set),
	    cmocka_unit_test(test_format_object_map_matches_ceph),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
