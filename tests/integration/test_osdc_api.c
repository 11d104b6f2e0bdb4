/* SPDX-License-Identifier: MIT */
/*
 * The public RADOS API (cephc/rados.h) on a cluster handle against a real
 * cluster: sync wrappers, compound operations, namespaces and locators
 * checked with `rados`, async submission from several threads.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "cephc/rados.h"
#include "core/pagelist.h"

static int failures;

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);            \
		if (_a != _b) {                                                \
			fprintf(stderr, "%s:%d: %s = %lld, want %lld\n",       \
				__FILE__, __LINE__, #a, _a, _b);               \
			failures++;                                            \
		}                                                              \
	} while (0)
#define CHECK(c) CHECK_EQ(!!(c), 1)

static int sh_out(char *out, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int sh_out(char *out, size_t cap, const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;
	FILE *p;
	size_t n = 0;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (out)
		n = fread(out, 1, cap - 1, p);
	else
		while (fgetc(p) != EOF)
			;
	if (out)
		out[n] = '\0';
	int r = pclose(p);
	return WIFEXITED(r) ? WEXITSTATUS(r) : -1;
}

static void test_sync(cephc_ioctx *io)
{
	char buf[64];
	uint64_t size = 0;
	time_t mtime = 0;

	CHECK_EQ(cephc_rados_write_full(io, "api-obj", "hello world", 11), 0);
	CHECK_EQ(cephc_rados_write(io, "api-obj", "W", 1, 0), 0);
	CHECK_EQ(cephc_rados_append(io, "api-obj", "!", 1), 0);
	CHECK_EQ(cephc_rados_read(io, "api-obj", buf, sizeof(buf), 0), 12);
	CHECK(!memcmp(buf, "Wello world!", 12));
	CHECK_EQ(cephc_rados_stat(io, "api-obj", &size, &mtime), 0);
	CHECK_EQ(size, 12);
	CHECK(mtime > 1000000000);
	CHECK_EQ(cephc_rados_truncate(io, "api-obj", 5), 0);
	CHECK_EQ(cephc_rados_read(io, "api-obj", buf, sizeof(buf), 0), 5);
	CHECK_EQ(cephc_rados_setxattr(io, "api-obj", "k", "v1", 2), 0);
	CHECK_EQ(cephc_rados_getxattr(io, "api-obj", "k", buf, sizeof(buf)), 2);
	CHECK_EQ(cephc_rados_getxattr(io, "api-obj", "k", buf, 1),
		 CEPHC_ERANGE);
	CHECK_EQ(cephc_rados_rmxattr(io, "api-obj", "k"), 0);
	CHECK_EQ(cephc_rados_getxattr(io, "api-obj", "k", buf, sizeof(buf)),
		 CEPHC_ENODATA);
	CHECK_EQ(cephc_rados_remove(io, "api-obj"), 0);
	CHECK_EQ(cephc_rados_stat(io, "api-obj", &size, NULL), CEPHC_ENOENT);
	CHECK_EQ(cephc_rados_read(io, "api-obj", buf, 4, 0), CEPHC_ENOENT);
	/* cls: an unknown method of a loaded class */
	CHECK_EQ(cephc_rados_exec(io, "api-obj", "lock", "no_such_method", NULL,
				  0, buf, sizeof(buf)),
		 CEPHC_EOPNOTSUPP);
	printf("ok sync wrappers\n");
}

static void test_compound(cephc_ioctx *io)
{
	cephc_write_op *w = cephc_write_op_create();
	const char *keys[] = {"b", "a"};
	const void *vals[] = {"B", "AA"};
	size_t lens[] = {1, 2};
	char data[100], xv[16], ov[16], out[256];
	size_t got = 0, xl = 0, ol = 0, outl = 0;
	uint64_t size = 0;
	int r1 = 1, r2 = 1, r3 = 1, r4 = 1;

	memset(data, 'x', sizeof(data));
	cephc_write_op_create_object(w, 1);
	cephc_write_op_write_full(w, data, sizeof(data));
	cephc_write_op_setxattr(w, "user.a", "xattr", 5);
	cephc_write_op_omap_set(w, keys, vals, lens, 2);
	CHECK_EQ(cephc_write_op_operate(w, io, "api-compound"), 0);
	/* exclusive create again: EEXIST, nothing applied */
	CHECK_EQ(cephc_write_op_operate(w, io, "api-compound"), CEPHC_EEXIST);
	cephc_write_op_release(w);

	cephc_read_op *r = cephc_read_op_create();
	memset(data, 0, sizeof(data));
	cephc_read_op_read(r, 0, sizeof(data), data, &got, &r1);
	cephc_read_op_stat(r, &size, NULL, &r2);
	cephc_read_op_getxattr(r, "user.a", xv, sizeof(xv), &xl, &r3);
	cephc_read_op_omap_get(r, "a", ov, sizeof(ov), &ol, &r4);
	CHECK_EQ(cephc_read_op_operate(r, io, "api-compound"), 0);
	CHECK_EQ(got, 100);
	CHECK(data[0] == 'x' && data[99] == 'x');
	CHECK_EQ(size, 100);
	CHECK(xl == 5 && !memcmp(xv, "xattr", 5));
	CHECK(ol == 2 && !memcmp(ov, "AA", 2));
	CHECK(r1 == 0 && r2 == 0 && r3 == 0 && r4 == 0);
	cephc_read_op_release(r);

	/* lock.get_info on an unlocked object: versioned(1,1){ empty map,
	 * u8 0, string "" } */
	static const uint8_t gi_in[] = {1, 1, 4, 0, 0, 0, 0, 0, 0, 0};
	int rv = 1;
	r = cephc_read_op_create();
	cephc_read_op_exec(r, "lock", "get_info", gi_in, sizeof(gi_in), out,
			   sizeof(out), &outl, &rv);
	CHECK_EQ(cephc_read_op_operate(r, io, "api-compound"), 0);
	CHECK_EQ(rv, 0);
	CHECK(outl >= 6 && out[0] == 1);
	cephc_read_op_release(r);
	CHECK_EQ(cephc_rados_remove(io, "api-compound"), 0);
	printf("ok compound write/read operations, cls exec\n");
}

/* Listing API: compound getxattrs + omap keys/vals with paging, and an
 * object listing of a namespace with exactly the objects written. */
static void test_listing(cephc_ioctx *io)
{
	const char *keys[] = {"k1", "k2", "p1"};
	const void *vals[] = {"v1", "", "vp"};
	size_t lens[] = {2, 0, 2};
	cephc_kv_iter *xa = NULL, *ks = NULL, *vs = NULL;
	int r1 = 1, r2 = 1, r3 = 1, more = -1, more2 = -1;
	const char *k, *oid, *loc, *ns;
	const void *v;
	size_t kl, vl;
	char name[64];

	cephc_write_op *w = cephc_write_op_create();
	cephc_write_op_write_full(w, "d", 1);
	cephc_write_op_setxattr(w, "user.x", "xv", 2);
	cephc_write_op_omap_set(w, keys, vals, lens, 3);
	CHECK_EQ(cephc_write_op_operate(w, io, "api-list"), 0);
	cephc_write_op_release(w);

	cephc_read_op *r = cephc_read_op_create();
	cephc_read_op_getxattrs(r, &xa, &r1);
	cephc_read_op_omap_get_keys(r, NULL, 2, &ks, &more, &r2);
	cephc_read_op_omap_get_vals(r, "k1", "k", 0, &vs, &more2, &r3);
	CHECK_EQ(cephc_read_op_operate(r, io, "api-list"), 0);
	cephc_read_op_release(r);
	CHECK(r1 == 0 && r2 == 0 && r3 == 0);
	/* xattrs: user.x is there with its value */
	int found = 0;
	while (cephc_kv_iter_next(xa, &k, &kl, &v, &vl) == 1)
		if (!strcmp(k, "user.x") && vl == 2 && !memcmp(v, "xv", 2))
			found = 1;
	CHECK(found);
	/* two keys of three: more is set */
	CHECK_EQ(cephc_kv_iter_count(ks), 2);
	CHECK_EQ(more, 1);
	CHECK_EQ(cephc_kv_iter_next(ks, &k, NULL, &v, NULL), 1);
	CHECK(!strcmp(k, "k1") && v == NULL);
	/* after k1 with prefix "k": only k2 (empty value), no more */
	CHECK_EQ(cephc_kv_iter_count(vs), 1);
	CHECK_EQ(cephc_kv_iter_next(vs, &k, NULL, &v, &vl), 1);
	CHECK(!strcmp(k, "k2") && vl == 0);
	CHECK_EQ(cephc_kv_iter_next(vs, &k, NULL, &v, &vl), 0);
	CHECK_EQ(more2, 0);
	cephc_kv_iter_free(xa);
	cephc_kv_iter_free(ks);
	cephc_kv_iter_free(vs);
	/* sync wrapper on a missing object: error, no iterator */
	CHECK_EQ(cephc_rados_getxattrs(io, "api-list-none", &xa), CEPHC_ENOENT);
	CHECK(xa == NULL);
	CHECK_EQ(cephc_rados_remove(io, "api-list"), 0);

	/* object listing of a fresh namespace */
	snprintf(name, sizeof(name), "api-list-ns-%d", (int)getpid());
	CHECK_EQ(cephc_ioctx_set_namespace(io, name), 0);
	for (int i = 0; i < 40; i++) {
		char o[32];
		snprintf(o, sizeof(o), "lo%d", i);
		CHECK_EQ(cephc_rados_write_full(io, o, "z", 1), 0);
	}
	cephc_list_ctx *l;
	int n = 0, ret;
	CHECK_EQ(cephc_list_open(io, &l), 0);
	while ((ret = cephc_list_next(l, &oid, &loc, &ns)) == 1) {
		CHECK(!strncmp(oid, "lo", 2) && !*loc && !strcmp(ns, name));
		n++;
	}
	CHECK_EQ(ret, 0);
	CHECK_EQ(n, 40);
	cephc_list_close(l);
	for (int i = 0; i < 40; i++) {
		char o[32];
		snprintf(o, sizeof(o), "lo%d", i);
		CHECK_EQ(cephc_rados_remove(io, o), 0);
	}
	CHECK_EQ(cephc_ioctx_set_namespace(io, NULL), 0);
	printf("ok listing: getxattrs, omap keys/vals paging, objects\n");
}

static void test_namespace_locator(cephc_ioctx *io)
{
	char out[64];

	CHECK_EQ(cephc_ioctx_set_namespace(io, "nsA"), 0);
	CHECK_EQ(cephc_rados_write_full(io, "api-ns", "in-ns", 5), 0);
	CHECK_EQ(sh_out(out, sizeof(out), "rados -p test -N nsA get api-ns -"),
		 0);
	CHECK(!strcmp(out, "in-ns"));
	CHECK_EQ(cephc_ioctx_set_namespace(io, NULL), 0);
	CHECK_EQ(cephc_rados_stat(io, "api-ns", NULL, NULL), CEPHC_ENOENT);
	CHECK_EQ(cephc_ioctx_set_namespace(io, "nsA"), 0);
	CHECK_EQ(cephc_rados_remove(io, "api-ns"), 0);
	CHECK_EQ(cephc_ioctx_set_namespace(io, ""), 0);

	/* a locator key places the object with its key's PG */
	CHECK_EQ(cephc_ioctx_set_locator(io, "keyX"), 0);
	CHECK_EQ(cephc_rados_write_full(io, "api-loc", "loc", 3), 0);
	CHECK_EQ(sh_out(out, sizeof(out),
			"rados -p test --object-locator keyX get api-loc -"),
		 0);
	CHECK(!strcmp(out, "loc"));
	CHECK_EQ(cephc_rados_remove(io, "api-loc"), 0);
	CHECK_EQ(cephc_ioctx_set_locator(io, NULL), 0);
	printf("ok namespaces and locators agree with rados\n");
}

struct aio_state {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int left, errors;
};

static void aio_cb(void *arg, int result)
{
	struct aio_state *s = arg;

	pthread_mutex_lock(&s->lock);
	if (result < 0)
		s->errors++;
	if (--s->left == 0)
		pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

struct thr {
	cephc_ioctx *io;
	int id;
	int errors;
};

static void *aio_thread(void *arg)
{
	enum { N = 500 };
	struct thr *t = arg;
	struct aio_state s = {.left = N};
	static char buf[4096];
	char oid[32];

	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	for (int i = 0; i < N; i++) {
		snprintf(oid, sizeof(oid), "api-aio-%d-%d", t->id, i % 16);
		if (cephc_rados_aio_write(t->io, oid, buf, sizeof(buf),
					  (uint64_t)(i / 16) * 4096, aio_cb,
					  &s))
			aio_cb(&s, -1);
	}
	pthread_mutex_lock(&s.lock);
	while (s.left)
		pthread_cond_wait(&s.cond, &s.lock);
	pthread_mutex_unlock(&s.lock);
	t->errors = s.errors;
	return NULL;
}

static void test_aio_threads(cephc_ioctx *io)
{
	enum { T = 4 };
	pthread_t th[T];
	struct thr t[T];
	uint64_t copies = cephc_payload_copy_bytes();

	for (int i = 0; i < T; i++) {
		t[i] = (struct thr){.io = io, .id = i};
		pthread_create(&th[i], NULL, aio_thread, &t[i]);
	}
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ(t[i].errors, 0);
	}
	CHECK_EQ(cephc_payload_copy_bytes() - copies, 0);
	uint64_t size = 0;
	CHECK_EQ(cephc_rados_stat(io, "api-aio-0-0", &size, NULL), 0);
	CHECK_EQ(size, 32 * 4096);
	for (int i = 0; i < T; i++)
		for (int k = 0; k < 16; k++) {
			char oid[32];
			snprintf(oid, sizeof(oid), "api-aio-%d-%d", i, k);
			cephc_rados_remove(io, oid);
		}
	printf("ok %d async writes from %d threads, zero payload copies\n",
	       T * 500, T);
}

/*
 * Blocking calls from several threads at once, beside async writes from
 * another: the leader/follower hand-over and the parked loop thread must
 * neither lose a completion nor stall one (a lost wake-up would show as an
 * op taking its full timeout).
 */
struct sync_thr {
	cephc_ioctx *io;
	int id;
	int errors;
	uint64_t worst_ns;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void *sync_thread(void *arg)
{
	struct sync_thr *t = arg;
	char oid[32], want[64], got[64];

	snprintf(oid, sizeof(oid), "api-sync-%d", t->id);
	for (int i = 0; i < 150; i++) {
		uint64_t t0 = now_ns(), dt;
		int n = snprintf(want, sizeof(want), "thread %d round %d",
				 t->id, i);

		if (cephc_rados_write_full(t->io, oid, want, (size_t)n) ||
		    cephc_rados_read(t->io, oid, got, sizeof(got), 0) != n ||
		    memcmp(got, want, (size_t)n))
			t->errors++;
		dt = now_ns() - t0;
		if (dt > t->worst_ns)
			t->worst_ns = dt;
	}
	cephc_rados_remove(t->io, oid);
	return NULL;
}

static void test_sync_threads(cephc_ioctx *io)
{
	enum { T = 6 };
	pthread_t th[T], ath;
	struct sync_thr t[T];
	struct thr at = {.io = io, .id = 9};
	uint64_t worst = 0;
	struct aio_state s = {.left = 1};
	struct timespec dl;
	uint64_t t0;
	int r = 0;
	uint64_t start = now_ns(), took;

	pthread_create(&ath, NULL, aio_thread, &at);
	for (int i = 0; i < T; i++) {
		t[i] = (struct sync_thr){.io = io, .id = i};
		pthread_create(&th[i], NULL, sync_thread, &t[i]);
	}
	for (int i = 0; i < T; i++) {
		pthread_join(th[i], NULL);
		CHECK_EQ(t[i].errors, 0);
		if (t[i].worst_ns > worst)
			worst = t[i].worst_ns;
	}
	took = now_ns() - start;
	pthread_join(ath, NULL);
	CHECK_EQ(at.errors, 0);
	CHECK(worst < 5000000000ull);
	/* A thread that just led submits async and waits its own way: the
	 * parked loop thread must still deliver the completion. */
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.cond, NULL);
	CHECK_EQ(cephc_rados_write_full(io, "api-sync-x", "a", 1), 0);
	t0 = now_ns();
	CHECK_EQ(cephc_rados_aio_write(io, "api-sync-x", "b", 1, 1, aio_cb, &s),
		 0);
	clock_gettime(CLOCK_REALTIME, &dl);
	dl.tv_sec += 10;
	pthread_mutex_lock(&s.lock);
	while (s.left && r == 0)
		r = pthread_cond_timedwait(&s.cond, &s.lock, &dl);
	pthread_mutex_unlock(&s.lock);
	CHECK_EQ(s.left, 0);
	CHECK(now_ns() - t0 < 5000000000ull);
	cephc_rados_remove(io, "api-sync-x");
	printf("ok %d threads of blocking calls beside async writes "
	       "(%d calls in %.0f ms, slowest %.1f ms)\n",
	       T, T * 300, (double)took / 1e6, (double)worst / 1e6);
}

int main(void)
{
	const char *conf = getenv("CEPHC_TEST_CONF");
	const char *keyring = getenv("CEPHC_TEST_KEYRING");
	const char *req = getenv("CEPHC_REQUIRE_CLUSTER");
	cephc_cluster *c;
	cephc_ioctx *io;
	int ret;

	if (!conf || !*conf) {
		fprintf(stderr, "CEPHC_TEST_CONF unset: skipping\n");
		return req && !strcmp(req, "1") ? 1 : 77;
	}
	setenv("CEPH_CONF", conf, 1);
	if ((ret = cephc_cluster_create(&c, NULL)) ||
	    (ret = cephc_cluster_conf_read_file(c, conf)) ||
	    (keyring &&
	     (ret = cephc_cluster_conf_set(c, "keyring", keyring))) ||
	    (ret = cephc_cluster_connect(c))) {
		fprintf(stderr, "connect: %s\n", cephc_strerror(ret));
		return 1;
	}
	CHECK_EQ(cephc_ioctx_create(c, "no-such-pool", &io), CEPHC_ENOENT);
	ret = cephc_ioctx_create(c, "test", &io);
	CHECK_EQ(ret, 0);
	if (!ret) {
		test_sync(io);
		test_compound(io);
		test_listing(io);
		test_namespace_locator(io);
		test_aio_threads(io);
		test_sync_threads(io);
		cephc_ioctx_destroy(io);
	}
	cephc_cluster_destroy(c);
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	return failures ? 1 : 0;
}
