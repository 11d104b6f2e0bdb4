/* SPDX-License-Identifier: MIT */
/*
 * CRUSH mapping throughput: mappings per second of cephc_crush_do_rule() on
 * a crush map file (e.g. one built with `crushtool -o map --build
 * --num_osds 1000 host straw2 10 rack straw2 10 root straw2 0`).
 *
 * usage: bench_crush MAP [RULE] [NUM_REP] [COUNT]
 * Prints one line: map, rule, num_rep, count, seconds, mappings/s.  Compare
 * with `time crushtool -i MAP --test --show-mappings --rule R --num-rep N
 * --min-x 0 --max-x COUNT-1 > /dev/null` for Ceph's own speed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "osdmap/crush/crush.h"

/* CPU time of this process: the build machine is shared, wall time is
 * noisy. */
static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : NULL;
	int rule = argc > 2 ? atoi(argv[2]) : 0;
	int numrep = argc > 3 ? atoi(argv[3]) : 3;
	long count = argc > 4 ? atol(argv[4]) : 1000000;
	struct cephc_crush_map *m;
	uint8_t *buf;
	uint32_t *w;
	void *scratch;
	long len;
	int out[CEPHC_CRUSH_MAX_RESULT], nd;
	unsigned long sink = 0;
	double t0, dt;
	FILE *f;

	if (!path || numrep < 1 || numrep > CEPHC_CRUSH_MAX_RESULT ||
	    count < 1) {
		fprintf(stderr, "usage: %s MAP [RULE] [NUM_REP] [COUNT]\n",
			argv[0]);
		return 2;
	}
	f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)len + 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(stderr, "%s: read failed\n", path);
		return 1;
	}
	fclose(f);
	if (cephc_crush_decode(buf, (size_t)len, &m)) {
		fprintf(stderr, "%s: not a crush map\n", path);
		return 1;
	}
	nd = cephc_crush_max_devices(m);
	w = malloc(((size_t)nd + 1) * sizeof(*w));
	scratch = malloc(cephc_crush_scratch_size(m, numrep));
	if (!w || !scratch)
		return 1;
	for (int d = 0; d < nd; d++)
		w[d] = 0x10000;

	t0 = now();
	for (long x = 0; x < count; x++) {
		int n = cephc_crush_do_rule(
		    m, rule, (int)x, out, numrep, w, nd,
		    cephc_crush_choose_args_for_pool(m, 0), scratch);

		sink += n > 0 ? (unsigned long)out[0] : 0;
	}
	dt = now() - t0;
	printf("map %s rule %d num_rep %d: %ld mappings in %.3f s = %.0f "
	       "mappings/s of CPU (%.2f us each; checksum %lu)\n",
	       path, rule, numrep, count, dt, (double)count / dt,
	       dt * 1e6 / (double)count, sink);
	cephc_crush_free(m);
	free(w);
	free(scratch);
	free(buf);
	return 0;
}
