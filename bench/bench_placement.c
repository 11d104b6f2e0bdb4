/* SPDX-License-Identifier: MIT */
/*
 * Placement throughput on a 1000-OSD map: object name -> raw pg -> PG ->
 * up/acting OSDs (hash, fold, CRUSH, upmap, affinity, temp) per second,
 * and all PGs of the pool beside `osdmaptool --test-map-pgs` on the same
 * map.
 *
 *   bench_placement [MAPFILE] [OBJECTS]
 *
 * Without MAPFILE a map is built with Ceph's tools: crushtool --build of
 * 1000 OSDs in 50 straw2 hosts, osdmaptool --createsimple 1000
 * --with-default-pool (64000 PGs) with that CRUSH map imported.  All OSDs
 * are marked up and in, as osdmaptool --mark-up-in does.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "osdmap/osdmap.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int run(const char *cmd)
{
	int r = system(cmd);

	if (r != 0)
		fprintf(stderr, "bench_placement: '%s' failed (%d)\n", cmd, r);
	return r;
}

static uint8_t *slurp(const char *fn, size_t *len)
{
	FILE *f = fopen(fn, "rb");
	uint8_t *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/cephc-bench-placement.XXXXXX";
	char path[256], cmd[1024];
	const char *fn = argc > 1 && argv[1][0] ? argv[1] : NULL;
	long objects = argc > 2 ? atol(argv[2]) : 1000000;
	struct cephc_osdmap *m;
	const struct cephc_pg_pool *pool;
	struct cephc_pg_mapping mp;
	void *scratch;
	uint8_t *buf;
	size_t len;
	double t0, t_obj, t_pg, t_tool = 0;
	uint64_t sink = 0;
	long i;
	uint32_t ps, o;

	if (!fn) {
		if (!mkdtemp(dir))
			return 1;
		snprintf(cmd, sizeof(cmd),
			 "crushtool -o %s/crush --build --num_osds 1000 host "
			 "straw2 20 root straw2 0 >/dev/null 2>&1 && "
			 "osdmaptool --createsimple 1000 --with-default-pool "
			 "%s/map >/dev/null 2>&1 && osdmaptool %s/map "
			 "--import-crush %s/crush >/dev/null 2>&1",
			 dir, dir, dir, dir);
		if (run(cmd))
			return 77;
		snprintf(path, sizeof(path), "%s/map", dir);
		fn = path;
	}
	buf = slurp(fn, &len);
	if (!buf || cephc_osdmap_decode(buf, len, &m)) {
		fprintf(stderr, "bench_placement: cannot decode %s\n", fn);
		return 1;
	}
	free(buf);
	for (o = 0; o < m->max_osd; o++) {
		m->osd_state[o] |= CEPHC_OSD_EXISTS | CEPHC_OSD_UP;
		m->osd_weight[o] = CEPHC_OSD_IN;
	}
	pool = &m->pools[0];
	scratch = malloc(cephc_osdmap_scratch_size(m) + 1);

	/* 1. objects: RBD data object names, mapped end to end */
	t0 = now();
	for (i = 0; i < objects; i++) {
		char name[64];
		struct cephc_pg raw, pg;
		int n = snprintf(name, sizeof(name),
				 "rbd_data.10226b8b4567.%016lx", i);

		cephc_osdmap_object_to_pg(m, pool->id, name, (size_t)n, NULL, 0,
					  NULL, 0, &raw);
		pg.pool = pool->id;
		pg.seed = cephc_pool_fold(pool, raw.seed);
		cephc_osdmap_pg_to_osds(m, pg, &mp, scratch);
		sink += (uint64_t)mp.acting_primary;
	}
	t_obj = now() - t0;

	/* 2. every PG of the pool, as osdmaptool --test-map-pgs does */
	t0 = now();
	for (ps = 0; ps < pool->pg_num; ps++) {
		struct cephc_pg pg = {pool->id, ps};

		cephc_osdmap_pg_to_osds(m, pg, &mp, scratch);
		sink += (uint64_t)mp.n_acting;
	}
	t_pg = now() - t0;

	snprintf(cmd, sizeof(cmd),
		 "osdmaptool %s --mark-up-in --test-map-pgs --pool %lld "
		 ">/dev/null 2>&1",
		 fn, (long long)pool->id);
	t0 = now();
	if (system(cmd) == 0)
		t_tool = now() - t0;

	printf("map: %u OSDs, pool %lld pg_num %u size %u\n", m->max_osd,
	       (long long)pool->id, pool->pg_num, pool->size);
	printf("objects: %ld mapped in %.3f s = %.0f mappings/s "
	       "(%.2f us each)\n",
	       objects, t_obj, (double)objects / t_obj,
	       t_obj * 1e6 / (double)objects);
	printf("pgs: %u mapped in %.3f s = %.0f pgs/s\n", pool->pg_num, t_pg,
	       (double)pool->pg_num / t_pg);
	if (t_tool > 0)
		printf("osdmaptool --test-map-pgs (whole process): %.3f s; "
		       "ratio osdmaptool/cephc = %.1fx\n",
		       t_tool, t_tool / t_pg);
	fprintf(stderr, "(checksum %llu)\n", (unsigned long long)sink);
	free(scratch);
	cephc_osdmap_free(m);
	if (fn == path) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		run(cmd);
	}
	return 0;
}
