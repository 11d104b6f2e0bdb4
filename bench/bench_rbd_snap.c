/* SPDX-License-Identifier: MIT */
/*
 * cephc's side of bench/rbd_snap.sh: snapshot create and remove latency
 * on an open, written, default-feature image (this client owns the
 * exclusive lock, as a VM's librbd would).  Prints one line per timed
 * call: "create SECONDS" / "remove SECONDS".
 *   bench_rbd_snap CONF POOL IMAGE ROUNDS
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

int main(int argc, char **argv)
{
	cephc_cluster *c = NULL;
	cephc_rbd_image *img = NULL;
	static char buf[4096];
	int rounds, r;

	if (argc != 5) {
		fprintf(stderr, "usage: %s CONF POOL IMAGE ROUNDS\n", argv[0]);
		return 2;
	}
	rounds = atoi(argv[4]);
	r = cephc_cluster_create(&c, NULL);
	if (!r)
		r = cephc_cluster_conf_read_file(c, argv[1]);
	if (!r)
		r = cephc_cluster_connect(c);
	if (!r)
		r = cephc_rbd_open(c, argv[2], argv[3], NULL, 0, &img);
	/* own the lock first, as a client in use does */
	memset(buf, 'c', sizeof(buf));
	if (!r)
		r = cephc_rbd_write(img, 0, sizeof(buf), buf) < 0 ? -1 : 0;
	for (int i = 0; !r && i < rounds; i++) {
		char name[32];
		double t;

		snprintf(name, sizeof(name), "b%d", i);
		t = now();
		r = cephc_rbd_snap_create(img, name, 0);
		printf("create %.6f\n", now() - t);
		/* a write between, so the next snapshot has something */
		if (!r)
			r = cephc_rbd_write(img, 4096, sizeof(buf), buf) < 0;
		t = now();
		if (!r)
			r = cephc_rbd_snap_remove(img, name);
		printf("remove %.6f\n", now() - t);
	}
	if (r)
		fprintf(stderr, "bench_rbd_snap: %s %s\n", cephc_strerror(r),
			cephc_rbd_last_error());
	if (img)
		cephc_rbd_close(img);
	cephc_cluster_destroy(c);
	return r ? 1 : 0;
}
