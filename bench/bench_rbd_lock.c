/* SPDX-License-Identifier: MIT */
/*
 * Exclusive-lock hand-off between cephc and librbd (bench/rbd_lock.sh).
 * cephc and a python3-rbd peer (bench/rbd_lock_peer.py serve) write 4 KiB
 * to one default-feature image in turn; each write takes the lock from
 * the other, so its latency is one hand-off:
 *   librbd -> cephc: cephc's write, timed here;
 *   cephc -> librbd: the peer's write, timed by the peer.
 * Prints one line per hand-off ("librbd->cephc SECONDS" / "cephc->librbd
 * SECONDS"); rbd_lock.sh sums them up beside librbd's own figures.
 *   bench_rbd_lock CONF POOL IMAGE PEER_SCRIPT ROUNDS
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

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
	int to_peer[2], from_peer[2], r, rounds;
	unsigned char buf[4096];
	cephc_cluster *c = NULL;
	cephc_rbd_image *img = NULL;
	char line[128];
	FILE *in, *out;
	pid_t pid;

	if (argc != 6) {
		fprintf(stderr, "usage: bench_rbd_lock CONF POOL IMAGE "
				"PEER_SCRIPT ROUNDS\n");
		return 2;
	}
	rounds = atoi(argv[5]);
	memset(buf, 'c', sizeof(buf));
	if (pipe(to_peer) || pipe(from_peer))
		return 1;
	pid = fork();
	if (pid == 0) {
		dup2(to_peer[0], 0);
		dup2(from_peer[1], 1);
		close(to_peer[1]);
		close(from_peer[0]);
		execl("/usr/bin/python3", "python3", argv[4], argv[1], argv[2],
		      argv[3], "serve", (char *)NULL);
		_exit(127);
	}
	close(to_peer[0]);
	close(from_peer[1]);
	out = fdopen(to_peer[1], "w");
	in = fdopen(from_peer[0], "r");
	if (!in || !out || !fgets(line, sizeof(line), in) ||
	    strncmp(line, "ready", 5)) {
		fprintf(stderr, "the librbd peer did not start\n");
		return 1;
	}
	r = cephc_cluster_create(&c, NULL);
	if (!r)
		r = cephc_cluster_conf_read_file(c, argv[1]);
	if (!r)
		r = cephc_cluster_connect(c);
	if (!r)
		r = cephc_rbd_open(c, argv[2], argv[3], NULL, 0, &img);
	if (!r)
		r = cephc_rbd_write(img, 0, sizeof(buf), buf); /* first take */
	for (int i = 0; !r && i < rounds; i++) {
		double t;

		fprintf(out, "w\n");
		fflush(out);
		if (!fgets(line, sizeof(line), in)) {
			r = CEPHC_EIO;
			break;
		}
		printf("cephc->librbd %s", line);
		t = now();
		r = cephc_rbd_write(img, 0, sizeof(buf), buf);
		printf("librbd->cephc %.6f\n", now() - t);
	}
	if (r)
		fprintf(stderr, "bench_rbd_lock: %s\n", cephc_strerror(r));
	fprintf(out, "q\n");
	fclose(out);
	waitpid(pid, NULL, 0);
	fclose(in);
	if (img)
		cephc_rbd_close(img);
	cephc_cluster_destroy(c);
	return r ? 1 : 0;
}
