/* SPDX-License-Identifier: MIT */
/*
 * Caller-driven loop mode against the real cluster: no thread of cephc's
 * may exist, blocking calls (connect, sync RADOS I/O, RBD create/open/
 * close) drive the loop themselves, and async work completes from the
 * application's own poll() loop over cephc_cluster_event_fd(), with every
 * callback on the application's thread.  Then `rados get` and
 * `rbd export` read back what went in.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "cephc/rados.h"
#include "cephc/rbd.h"

#define NOBJ 64
#define BS 4096

static int failures;
static pthread_t app_thread;

#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                          \
			fprintf(stderr, "\n");                                 \
			failures++;                                            \
		}                                                              \
	} while (0)

/* Threads of this process, from /proc. */
static int thread_count(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	int n = -1;

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Threads: %d", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

struct aio_state {
	int done, errors, wrong_thread;
};

static void rados_cb(void *arg, int result)
{
	struct aio_state *s = arg;

	s->done++;
	s->errors += result < 0;
	s->wrong_thread += !pthread_equal(pthread_self(), app_thread);
}

static void rbd_cb(cephc_rbd_completion *comp, void *arg)
{
	struct aio_state *s = arg;

	s->done++;
	s->errors += cephc_rbd_aio_get_return_value(comp) < 0;
	s->wrong_thread += !pthread_equal(pthread_self(), app_thread);
}

/* The application's event loop: poll the fd, honour the timeout. */
static int drive_until(cephc_cluster *c, const int *done, int want)
{
	for (int spins = 0; *done < want; spins++) {
		struct pollfd p = {.fd = cephc_cluster_event_fd(c),
				   .events = POLLIN};
		int t = cephc_cluster_next_timeout_ms(c);

		if (spins > 200000)
			return -1;
		if (t < 0 || t > 100)
			t = 100;
		if (poll(&p, 1, t) < 0)
			return -1;
		if (cephc_cluster_process(c, 0))
			return -1;
	}
	return 0;
}

static int same_bytes(const char *cmd, const unsigned char *want, size_t len)
{
	unsigned char *got = malloc(len + 1);
	size_t n = 0, r;
	FILE *p = popen(cmd, "r");
	int ok;

	if (!p || !got) {
		free(got);
		return 0;
	}
	while (n < len + 1 && (r = fread(got + n, 1, len + 1 - n, p)) > 0)
		n += r;
	pclose(p);
	ok = n == len && memcmp(got, want, len) == 0;
	free(got);
	return ok;
}

int main(void)
{
	const char *conf = getenv("CEPHC_TEST_CONF");
	unsigned char buf[NOBJ][BS], rb[BS];
	char oid[64], name[64], cmd[512];
	cephc_cluster *c = NULL;
	cephc_ioctx *io = NULL;
	cephc_rbd_image *img = NULL;
	cephc_rbd_completion *comps[NOBJ];
	struct aio_state st = {0};
	struct cephc_rbd_create_opts o = {.size = NOBJ * BS * 4, .order = 16};
	int r, threads0;

	if (!conf || !*conf) {
		const char *req = getenv("CEPHC_REQUIRE_CLUSTER");
		return req && !strcmp(req, "1") ? 1 : 77;
	}
	setenv("CEPH_CONF", conf, 1);
	app_thread = pthread_self();
	threads0 = thread_count();
	for (int i = 0; i < NOBJ; i++)
		for (int k = 0; k < BS; k++)
			buf[i][k] = (unsigned char)(i * 31 + k * 7 + (k >> 8));

	r = cephc_cluster_create(&c, NULL);
	if (!r)
		r = cephc_cluster_set_loop_mode(c, CEPHC_LOOP_CALLER_DRIVEN);
	CHECK(cephc_cluster_set_loop_mode(c, 7) == CEPHC_EINVAL, "bad mode");
	CHECK(cephc_cluster_event_fd(c) == CEPHC_ENOTCONN, "fd before connect");
	if (!r)
		r = cephc_cluster_conf_read_file(c, conf);
	if (!r)
		r = cephc_cluster_connect(c); /* drives the loop itself */
	if (r) {
		fprintf(stderr, "connect: %s (%s)\n", cephc_strerror(r),
			cephc_cluster_last_error(c));
		return 1;
	}
	CHECK(cephc_cluster_set_loop_mode(c, CEPHC_LOOP_OWN_THREAD) ==
		  CEPHC_EISCONN,
	      "mode change after connect");
	CHECK(thread_count() == threads0, "cephc started a thread: %d -> %d",
	      threads0, thread_count());
	CHECK(cephc_cluster_event_fd(c) >= 0, "no event fd");
	CHECK(cephc_cluster_next_timeout_ms(c) >= 0,
	      "the mon client keeps a tick: a timeout is due");

	/* blocking RADOS calls from the application thread */
	r = cephc_ioctx_create(c, "test", &io);
	CHECK(r == 0, "ioctx: %s", cephc_strerror(r));
	if (r)
		goto out;
	snprintf(oid, sizeof(oid), "caller-driven-%d-sync", (int)getpid());
	r = cephc_rados_write_full(io, oid, buf[0], BS);
	CHECK(r == 0, "sync write: %s", cephc_strerror(r));
	CHECK(cephc_rados_read(io, oid, rb, BS, 0) == BS &&
		  !memcmp(rb, buf[0], BS),
	      "sync read back");
	snprintf(cmd, sizeof(cmd), "rados -p test get %s - 2>/dev/null", oid);
	CHECK(same_bytes(cmd, buf[0], BS), "rados get of the sync write");
	cephc_rados_remove(io, oid);

	/* many async writes, completed by the application's poll loop */
	for (int i = 0; i < NOBJ; i++) {
		snprintf(oid, sizeof(oid), "caller-driven-%d-%d", (int)getpid(),
			 i);
		r = cephc_rados_aio_write(io, oid, buf[i], BS, 0, rados_cb,
					  &st);
		CHECK(r == 0, "aio write: %s", cephc_strerror(r));
	}
	CHECK(drive_until(c, &st.done, NOBJ) == 0, "drive: %d of %d done",
	      st.done, NOBJ);
	CHECK(st.errors == 0 && st.wrong_thread == 0,
	      "aio: %d errors, %d callbacks on another thread", st.errors,
	      st.wrong_thread);
	for (int i = 0; i < NOBJ; i++) {
		snprintf(oid, sizeof(oid), "caller-driven-%d-%d", (int)getpid(),
			 i);
		if (i % 16 == 0) {
			snprintf(cmd, sizeof(cmd),
				 "rados -p test get %s - 2>/dev/null", oid);
			CHECK(same_bytes(cmd, buf[i], BS), "rados get %s", oid);
		}
		cephc_rados_remove(io, oid);
	}

	/* RBD: create/open (blocking), aio writes driven by us, export */
	snprintf(name, sizeof(name), "callerdriven%d", (int)getpid());
	r = cephc_rbd_create(c, "rbd", name, &o);
	CHECK(r == 0, "rbd create: %s", cephc_strerror(r));
	r = cephc_rbd_open(c, "rbd", name, NULL, 0, &img);
	CHECK(r == 0, "rbd open: %s", cephc_strerror(r));
	if (r)
		goto out;
	memset(&st, 0, sizeof(st));
	for (int i = 0; i < NOBJ; i++) {
		CHECK(cephc_rbd_aio_create_completion(&st, rbd_cb, &comps[i]) ==
			  0,
		      "completion");
		r = cephc_rbd_aio_write(img, (uint64_t)i * BS, BS, buf[i],
					comps[i]);
		CHECK(r == 0, "rbd aio write: %s", cephc_strerror(r));
	}
	CHECK(drive_until(c, &st.done, NOBJ) == 0, "rbd drive");
	CHECK(st.errors == 0 && st.wrong_thread == 0,
	      "rbd aio: %d errors, %d on another thread", st.errors,
	      st.wrong_thread);
	for (int i = 0; i < NOBJ; i++)
		cephc_rbd_aio_release(comps[i]);
	/* a completion waited for without our poll loop: aio_wait drives */
	{
		cephc_rbd_completion *w;

		cephc_rbd_aio_create_completion(NULL, NULL, &w);
		r = cephc_rbd_aio_read(img, BS, BS, rb, w);
		CHECK(r == 0, "rbd aio read: %s", cephc_strerror(r));
		if (!r)
			cephc_rbd_aio_wait(w);
		CHECK(cephc_rbd_aio_get_return_value(w) >= 0 &&
			  !memcmp(rb, buf[1], BS),
		      "aio_wait read back");
		cephc_rbd_aio_release(w);
	}
	cephc_rbd_close(img);
	{
		unsigned char *want = calloc(1, o.size);

		for (int i = 0; i < NOBJ; i++)
			memcpy(want + (size_t)i * BS, buf[i], BS);
		snprintf(cmd, sizeof(cmd),
			 "rbd export --no-progress rbd/%s - 2>/dev/null", name);
		CHECK(same_bytes(cmd, want, o.size), "rbd export");
		free(want);
	}
	r = cephc_rbd_remove(c, "rbd", name);
	CHECK(r == 0, "rbd rm: %s", cephc_strerror(r));
	CHECK(thread_count() == threads0, "threads at the end: %d -> %d",
	      threads0, thread_count());
out:
	cephc_ioctx_destroy(io);
	cephc_cluster_destroy(c);
	if (failures)
		fprintf(stderr, "%d failure(s)\n", failures);
	else
		printf("ok caller-driven: connect, sync and async RADOS, RBD, "
		       "no thread of ours\n");
	return failures ? 1 : 0;
}
