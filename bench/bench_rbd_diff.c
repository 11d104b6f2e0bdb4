/* SPDX-License-Identifier: MIT */
/*
 * cephc_rbd_diff_iterate timed in-process (bench/rbd_diff.sh runs it
 * beside python3-rbd's Image.diff_iterate on the same image).  Opens
 * POOL/IMAGE read-only once, then runs the diff ROUNDS times and prints
 * one line per round: "SECONDS EXTENTS BYTES".
 *   bench_rbd_diff CONF POOL IMAGE FROM_SNAP|- WHOLE(0|1) ROUNDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "cephc/rbd.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct tally {
	unsigned long long extents, bytes;
};

static int count_cb(void *arg, uint64_t off, uint64_t len, bool exists)
{
	struct tally *t = arg;

	(void)off;
	t->extents++;
	if (exists)
		t->bytes += len;
	return 0;
}

int main(int argc, char **argv)
{
	cephc_cluster *c = NULL;
	cephc_rbd_image *img = NULL;
	const char *from;
	int r, rounds, whole;

	if (argc != 7) {
		fprintf(stderr, "usage: bench_rbd_diff CONF POOL IMAGE "
				"FROM_SNAP|- WHOLE ROUNDS\n");
		return 2;
	}
	from = strcmp(argv[4], "-") ? argv[4] : NULL;
	whole = atoi(argv[5]);
	rounds = atoi(argv[6]);
	r = cephc_cluster_create(&c, NULL);
	if (!r)
		r = cephc_cluster_conf_read_file(c, argv[1]);
	if (!r)
		r = cephc_cluster_connect(c);
	if (!r)
		r = cephc_rbd_open(c, argv[2], argv[3], NULL,
				   CEPHC_RBD_OPEN_READ_ONLY, &img);
	for (int i = 0; !r && i < rounds; i++) {
		struct tally t = {0, 0};
		double t0 = now();

		r = cephc_rbd_diff_iterate(img, from, 0, UINT64_MAX, true,
					   whole, count_cb, &t);
		if (!r)
			printf("%.6f %llu %llu\n", now() - t0, t.extents,
			       t.bytes);
	}
	if (r)
		fprintf(stderr, "bench_rbd_diff: %s\n", cephc_strerror(r));
	if (img)
		cephc_rbd_close(img);
	if (c)
		cephc_cluster_destroy(c);
	return r ? 1 : 0;
}
