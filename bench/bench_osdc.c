/* SPDX-License-Identifier: MIT */
/*
 * RADOS object I/O throughput through the public API (cephc/rados.h):
 * 4 KiB and 4 MiB writes then reads, 1 and 16 in flight, against the
 * cluster in $CEPH_CONF (or -c CONF).  Prints one line per case:
 *   osdc write 4096 qd1 ops/s=... MB/s=... cpu_us/op=... lat_us=...
 * CPU per op is this process's user+system time (getrusage) over the ops.
 *
 *   bench_osdc [-c CONF] [-k KEYRING] [-p POOL] [-s SECONDS] [-b SIZE] [-q QD]
 *              [-S]  (-S: one thread of blocking calls instead)
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "cephc/rados.h"

#define QD_MAX 16
#define OBJS 16

struct bench {
	cephc_ioctx *io;
	size_t bs;
	int qd;
	bool write;
	uint64_t end_ns;
	uint64_t ops, errors;
	int inflight;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	uint64_t *wrote; /* per slot: objects the write phase created */
	uint8_t *buf[QD_MAX];
	struct slot {
		struct bench *b;
		int idx;
		uint64_t n;
	} slots[QD_MAX];
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static double cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static void issue(struct slot *s);

/* Completion (loop thread): count, then keep the slot busy. */
static void done_cb(void *arg, int result)
{
	struct slot *s = arg;
	struct bench *b = s->b;

	pthread_mutex_lock(&b->lock);
	if (result < 0)
		b->errors++;
	else
		b->ops++;
	bool again = now_ns() < b->end_ns && !b->errors;
	if (!again && --b->inflight == 0)
		pthread_cond_signal(&b->cond);
	pthread_mutex_unlock(&b->lock);
	if (again)
		issue(s);
}

static void issue(struct slot *s)
{
	struct bench *b = s->b;
	char oid[64];
	int r;

	/* each slot cycles over its own objects: per-object order is
	 * never the bottleneck */
	uint64_t nobj = OBJS;
	if (b->write) {
		if (b->wrote[s->idx] < OBJS && s->n >= b->wrote[s->idx])
			b->wrote[s->idx] = s->n + 1;
	} else {
		/* read back only what the write phase created (the qd16
		 * phases read what qd16 wrote: every slot) */
		nobj = b->wrote[s->idx % b->qd] ? b->wrote[s->idx % b->qd] : 1;
	}
	snprintf(oid, sizeof(oid), "bench-osdc-%zu-%d-%llu", b->bs, s->idx,
		 (unsigned long long)(s->n++ % nobj));
	if (b->write)
		r = cephc_rados_aio_write(b->io, oid, b->buf[s->idx], b->bs, 0,
					  done_cb, s);
	else
		r = cephc_rados_aio_read(b->io, oid, b->buf[s->idx], b->bs, 0,
					 done_cb, s);
	if (r)
		done_cb(s, r);
}

/* One thread, blocking calls: what a synchronous caller (an NBD worker,
 * a librados user) sees per op. */
static int run_sync(cephc_ioctx *io, bool write, size_t bs, double secs)
{
	char *buf = aligned_alloc(4096, bs);
	uint64_t ops = 0, errors = 0, t0, t1, end;
	double c0, c1, el;

	memset(buf, 's', bs);
	c0 = cpu_s();
	t0 = now_ns();
	end = t0 + (uint64_t)(secs * 1e9);
	do {
		char oid[64];
		int64_t r;

		snprintf(oid, sizeof(oid), "bench-osdc-sync-%llu",
			 (unsigned long long)(ops % OBJS));
		r = write ? cephc_rados_write(io, oid, buf, bs, 0)
			  : cephc_rados_read(io, oid, buf, bs, 0);
		errors += r < 0;
		ops++;
	} while (now_ns() < end);
	t1 = now_ns();
	c1 = cpu_s();
	el = (double)(t1 - t0) / 1e9;
	printf("osdc sync-%s %zu qd1 ops/s=%.0f cpu_us/op=%.1f lat_us=%.0f "
	       "errors=%llu\n",
	       write ? "write" : "read", bs, (double)ops / el,
	       (c1 - c0) * 1e6 / (double)ops, el * 1e6 / (double)ops,
	       (unsigned long long)errors);
	fflush(stdout);
	free(buf);
	return errors ? 1 : 0;
}

static int run(cephc_ioctx *io, bool write, size_t bs, int qd, double secs,
	       uint64_t *wrote)
{
	struct bench b;
	double c0, c1;
	uint64_t t0, t1;

	memset(&b, 0, sizeof(b));
	b.io = io;
	b.bs = bs;
	b.qd = qd;
	b.write = write;
	b.wrote = wrote;
	pthread_mutex_init(&b.lock, NULL);
	pthread_cond_init(&b.cond, NULL);
	for (int i = 0; i < qd; i++) {
		b.buf[i] = aligned_alloc(4096, bs);
		memset(b.buf[i], 'a' + i, bs);
		b.slots[i] = (struct slot){.b = &b, .idx = i};
	}
	c0 = cpu_s();
	t0 = now_ns();
	b.end_ns = t0 + (uint64_t)(secs * 1e9);
	b.inflight = qd;
	for (int i = 0; i < qd; i++)
		issue(&b.slots[i]);
	pthread_mutex_lock(&b.lock);
	while (b.inflight)
		pthread_cond_wait(&b.cond, &b.lock);
	pthread_mutex_unlock(&b.lock);
	t1 = now_ns();
	c1 = cpu_s();
	double el = (double)(t1 - t0) / 1e9;
	printf("osdc %s %zu qd%d ops/s=%.0f MB/s=%.1f cpu_us/op=%.1f "
	       "lat_us=%.0f errors=%llu\n",
	       write ? "write" : "read", bs, qd, (double)b.ops / el,
	       (double)b.ops * (double)bs / el / 1e6,
	       b.ops ? (c1 - c0) * 1e6 / (double)b.ops : 0.0,
	       b.ops ? el * 1e6 * qd / (double)b.ops : 0.0,
	       (unsigned long long)b.errors);
	fflush(stdout);
	for (int i = 0; i < qd; i++)
		free(b.buf[i]);
	return b.errors ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *conf = getenv("CEPH_CONF"), *keyring = NULL, *pool = "test";
	double secs = 5;
	size_t only_bs = 0; /* -b: one size only */
	int only_qd = 0;    /* -q: one queue depth only */
	bool sync_mode = false; /* -S: blocking calls from one thread */
	cephc_cluster *c;
	cephc_ioctx *io;
	int opt, r, rc = 0;

	while ((opt = getopt(argc, argv, "c:k:p:s:b:q:S")) != -1) {
		switch (opt) {
		case 'c':
			conf = optarg;
			break;
		case 'k':
			keyring = optarg;
			break;
		case 'p':
			pool = optarg;
			break;
		case 's':
			secs = atof(optarg);
			break;
		case 'b':
			only_bs = (size_t)strtoull(optarg, NULL, 0);
			break;
		case 'q':
			only_qd = atoi(optarg);
			break;
		case 'S':
			sync_mode = true;
			break;
		default:
			fprintf(stderr,
				"usage: %s [-c conf] [-k keyring] "
				"[-p pool] [-s secs] [-b size] [-q qd] [-S]\n",
				argv[0]);
			return 2;
		}
	}
	if ((r = cephc_cluster_create(&c, NULL)) ||
	    (r = cephc_cluster_conf_read_file(c, conf)) ||
	    (keyring && (r = cephc_cluster_conf_set(c, "keyring", keyring))) ||
	    (r = cephc_cluster_connect(c)) ||
	    (r = cephc_ioctx_create(c, pool, &io))) {
		fprintf(stderr, "connect: %s\n", cephc_strerror(r));
		return 1;
	}
	if (sync_mode) {
		rc |= run_sync(io, true, only_bs ? only_bs : 4096, secs);
		rc |= run_sync(io, false, only_bs ? only_bs : 4096, secs);
		for (int k = 0; k < OBJS; k++) {
			char oid[64];

			snprintf(oid, sizeof(oid), "bench-osdc-sync-%d", k);
			cephc_rados_remove(io, oid);
		}
		cephc_ioctx_destroy(io);
		cephc_cluster_destroy(c);
		return rc;
	}
	static const size_t sizes[] = {4096, 4u << 20};
	static const int qds[] = {1, 16};
	for (size_t s = 0; s < 2; s++)
		for (size_t q = 0; q < 2; q++) {
			uint64_t wrote[QD_MAX] = {0};

			if ((only_bs && sizes[s] != only_bs) ||
			    (only_qd && qds[q] != only_qd))
				continue;
			rc |= run(io, true, sizes[s], qds[q], secs, wrote);
			rc |= run(io, false, sizes[s], qds[q], secs, wrote);
		}
	/* clean up */
	for (size_t s = 0; s < 2; s++)
		for (int i = 0; i < QD_MAX; i++)
			for (int k = 0; k < OBJS; k++) {
				char oid[64];
				snprintf(oid, sizeof(oid),
					 "bench-osdc-%zu-%d-%d", sizes[s], i,
					 k);
				cephc_rados_remove(io, oid);
			}
	cephc_ioctx_destroy(io);
	cephc_cluster_destroy(c);
	return rc;
}
