/* SPDX-License-Identifier: MIT */
/*
 * cephc writes images with Ceph's default features (exclusive-lock,
 * object-map, fast-diff, deep-flatten) side by side with librbd, against
 * a real cluster (reference: rbd-features.md section 10):
 *
 *  1 default image: cephc writes and discards over several objects; `rbd
 *    object-map check` is clean, no flags, `rbd export` equals the bytes;
 *  3 lock identity: while cephc owns the lock, `rbd lock ls` names "auto
 *    <cookie>" and `rbd status` a watcher with that cookie; the map object
 *    is locked too;
 *  5 from librbd: a python3-rbd client owns the lock (automatic policy);
 *    a cephc write gets it within seconds and the holder sees it go;
 *  6 managed peer: python3-rbd took the lock with lock_acquire: a cephc
 *    write fails with EROFS quickly, without spinning;
 *  8 maintenance by librbd while cephc owns the lock: `rbd snap create`,
 *    `rbd resize` and `rbd snap rm` succeed; writes after the snapshot are
 *    not in it, and cephc sees the new size;
 *    explicit policy: cephc_rbd_lock_acquire() makes librbd's writes fail
 *    with EROFS, cephc_rbd_lock_release() lets them through and makes
 *    ours fail with EROFS;
 * 15 no watcher is left 1 s after close.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "cephc/rbd.h"
#include "itest_rbd.h"
#include "itest_shell.h"

#define MiB (1u << 20)
#define SIZE (64u * MiB)

static const char *conf;
static char holder_py[4096];

#define now_s itest_now

/* A python3-rbd holder (rbd_lock_holder.py) in the background, its
 * output in log; waits until it holds the lock. */
struct holder {
	pid_t pid;
	char log[256];
};

static bool holder_start(struct holder *h, const char *image, const char *mode)
{
	double end = now_s() + 30;

	snprintf(h->log, sizeof(h->log), "/tmp/cephc-holder.%d.%s", getpid(),
		 mode);
	unlink(h->log);
	h->pid = fork();
	if (h->pid == 0) {
		int fd = open(h->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		dup2(fd, 1);
		dup2(fd, 2);
		execl("/usr/bin/python3", "python3", holder_py, conf, "rbd",
		      image, mode, "120", (char *)NULL);
		_exit(127);
	}
	while (now_s() < end) {
		if (strstr(sh_out("cat %s", h->log), "ready owner=True"))
			return true;
		if (waitpid(h->pid, NULL, WNOHANG) == h->pid) {
			h->pid = 0;
			break;
		}
		usleep(100000);
	}
	fprintf(stderr, "holder: %s\n", sh_out("cat %s", h->log));
	return false;
}

static void holder_stop(struct holder *h)
{
	if (h->pid > 0) {
		kill(h->pid, SIGTERM);
		waitpid(h->pid, NULL, 0);
	}
	h->pid = 0;
}

static bool no_watchers(const char *id)
{
	double end = now_s() + 1.0;

	do {
		if (!*sh_out("rados -p rbd listwatchers rbd_header.%s "
			     "2>/dev/null",
			     id))
			return true;
		usleep(100000);
	} while (now_s() < end);
	return false;
}

static void image_id(cephc_rbd_image *img, char *id, size_t cap)
{
	struct cephc_rbd_info info;

	id[0] = '\0';
	if (!cephc_rbd_stat(img, &info))
		snprintf(id, cap, "%.*s", (int)(cap - 1), info.id);
}

/* 1, 3, 15 */
static void test_default_image(cephc_cluster *c, const char *name)
{
	unsigned char *want = calloc(1, SIZE);
	char spec[128], id[64], cookie[64];
	cephc_rbd_image *img = NULL;
	const char *out, *p;
	bool owner = false;
	int r;

	snprintf(spec, sizeof(spec), "rbd/%s", name);
	CHECK(run("rbd create --size 64M %s", spec) == 0, "rbd create");
	r = cephc_rbd_open(c, "rbd", name, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (r)
		goto out;
	image_id(img, id, sizeof(id));
	/* whole objects, parts of objects, across object boundaries */
	fill(want, 4 * MiB, 1);
	fill(want + 9 * MiB + 123, 3 * MiB, 2);
	fill(want + 40 * MiB - 4096, 8192, 3);
	r = cephc_rbd_write(img, 0, 4 * MiB, want);
	CHECK(r == 0, "write 0: %s", cephc_strerror(r));
	r = cephc_rbd_write(img, 9 * MiB + 123, 3 * MiB, want + 9 * MiB + 123);
	CHECK(r == 0, "write 9M: %s", cephc_strerror(r));
	r = cephc_rbd_write(img, 40 * MiB - 4096, 8192, want + 40 * MiB - 4096);
	CHECK(r == 0, "write 40M: %s", cephc_strerror(r));
	cephc_rbd_is_exclusive_lock_owner(img, &owner);
	CHECK(owner, "cephc does not own the lock after writing");
	/* whole-object discard (object 2 written above: 9M+123 .. 12M) */
	r = cephc_rbd_discard(img, 8 * MiB, 4 * MiB);
	memset(want + 8 * MiB, 0, 4 * MiB);
	CHECK(r == 0, "discard: %s", cephc_strerror(r));
	/* a discard of an object never written */
	r = cephc_rbd_discard(img, 20 * MiB, 4 * MiB);
	CHECK(r == 0, "discard of nothing: %s", cephc_strerror(r));
	r = cephc_rbd_flush(img);
	CHECK(r == 0, "flush: %s", cephc_strerror(r));

	/* 3: who holds what */
	out = sh_out("rbd lock ls %s", spec);
	p = strstr(out, "auto ");
	CHECK(p && sscanf(p, "auto %63s", cookie) == 1, "rbd lock ls: %s", out);
	if (p) {
		char want_w[128];

		snprintf(want_w, sizeof(want_w), "cookie=%s", cookie);
		out = sh_out("rbd status %s", spec);
		CHECK(strstr(out, want_w) != NULL,
		      "rbd status has no watcher %s: %s", want_w, out);
	}
	out = sh_out("rados -p rbd lock info rbd_object_map.%s rbd_lock", id);
	CHECK(strstr(out, "client.") != NULL, "map object not locked: %s", out);

	r = cephc_rbd_close(img);
	CHECK(r == 0, "close: %s", cephc_strerror(r));
	CHECK(no_watchers(id), "a watcher is left after close: %s",
	      sh_out("rados -p rbd listwatchers rbd_header.%s", id));
	CHECK(!*sh_out("rbd lock ls %s", spec), "a lock is left: %s",
	      sh_out("rbd lock ls %s", spec));
	CHECK(itest_om_clean(spec), "object map: %s %s",
	      sh_out("rbd object-map check %s 2>&1", spec),
	      sh_out("rbd info %s", spec));
	CHECK(itest_export_equals(spec, want, SIZE), "rbd export differs");
	/* objects 0, 3 (the 3 MiB write's tail), 9 and 10; 2 was discarded */
	out = sh_out("rados -p rbd ls | grep -c '^rbd_data.%s' || true", id);
	CHECK(atoi(out) == 4, "data objects: %s", out);
out:
	free(want);
}

/* 5: from a librbd owner (automatic policy), and 6: from a managed one */
static void test_from_librbd(cephc_cluster *c, const char *name)
{
	unsigned char buf[8192];
	cephc_rbd_image *img = NULL;
	struct holder h = {0};
	double t;
	int r;

	fill(buf, sizeof(buf), 5);
	CHECK(holder_start(&h, name, "auto"), "librbd holder (auto)");
	r = cephc_rbd_open(c, "rbd", name, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (!r) {
		t = now_s();
		r = cephc_rbd_write(img, 4096, sizeof(buf), buf);
		t = now_s() - t;
		CHECK(r == 0, "write with a librbd owner: %s",
		      cephc_strerror(r));
		CHECK(t < 3.0, "hand-off from librbd took %.2f s", t);
		printf("hand-off librbd -> cephc: %.3f s\n", t);
		usleep(500000);
		CHECK(strstr(sh_out("cat %s", h.log), "owner=False") != NULL,
		      "the holder did not see the lock go: %s",
		      sh_out("cat %s", h.log));
		cephc_rbd_close(img);
		img = NULL;
	}
	holder_stop(&h);

	CHECK(holder_start(&h, name, "managed"), "librbd holder (managed)");
	r = cephc_rbd_open(c, "rbd", name, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (!r) {
		t = now_s();
		r = cephc_rbd_write(img, 0, 4096, buf);
		t = now_s() - t;
		CHECK(r == CEPHC_EROFS, "write with a managed owner: %s",
		      cephc_strerror(r));
		CHECK(t < 6.0, "refusal took %.2f s", t);
		printf("managed owner refuses in %.3f s\n", t);
		cephc_rbd_close(img);
	}
	holder_stop(&h);
}

/* 8: librbd's maintenance ops while cephc owns the lock; explicit lock */
static void test_maintenance(cephc_cluster *c, const char *name)
{
	unsigned char *a = malloc(MiB), *b = malloc(MiB);
	char spec[160], snap[200];
	cephc_rbd_image *img = NULL;
	struct cephc_rbd_info info;
	bool owner = false;
	int r;

	snprintf(spec, sizeof(spec), "rbd/%s", name);
	snprintf(snap, sizeof(snap), "rbd/%s@x", name);
	fill(a, MiB, 11);
	fill(b, MiB, 12);
	CHECK(run("rbd create --size 64M %s", spec) == 0, "rbd create");
	r = cephc_rbd_open(c, "rbd", name, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (r)
		goto out;
	r = cephc_rbd_write(img, 0, MiB, a);
	CHECK(r == 0, "write a: %s", cephc_strerror(r));
	CHECK(run("rbd snap create %s >/dev/null 2>&1", snap) == 0,
	      "rbd snap create while cephc owns the lock");
	r = cephc_rbd_write(img, 0, MiB, b);
	CHECK(r == 0, "write b: %s", cephc_strerror(r));
	r = cephc_rbd_flush(img);
	CHECK(r == 0, "flush: %s", cephc_strerror(r));
	CHECK(run("rbd resize --size 128M %s >/dev/null 2>&1", spec) == 0,
	      "rbd resize while cephc owns the lock");
	r = cephc_rbd_write(img, 100 * MiB, MiB, b);
	CHECK(r == 0, "write past the old size: %s", cephc_strerror(r));
	cephc_rbd_stat(img, &info);
	CHECK(info.size == 128 * MiB, "size %llu after resize",
	      (unsigned long long)info.size);
	/* a second snapshot, removed again while cephc owns the lock: the
	 * map librbd merges back must agree with our later writes */
	CHECK(run("rbd snap create --no-progress %s@y >/dev/null 2>&1 && "
		  "rbd snap rm --no-progress %s@y >/dev/null 2>&1",
		  spec, spec) == 0,
	      "rbd snap rm while cephc owns the lock");
	r = cephc_rbd_write(img, 101 * MiB, MiB, a);
	CHECK(r == 0, "write after snap rm: %s", cephc_strerror(r));
	/* librbd turns the object map off and on while cephc has the image
	 * open: cephc follows (no map object made anew while it is off) */
	CHECK(run("rbd feature disable %s fast-diff object-map", spec) == 0,
	      "rbd feature disable while cephc owns the lock");
	r = cephc_rbd_write(img, 102 * MiB, 4096, a);
	CHECK(r == 0, "write without the map: %s", cephc_strerror(r));
	{
		char id[64];

		image_id(img, id, sizeof(id));
		CHECK(!output_has(id, "rados -p rbd ls | grep "
				      "'^rbd_object_map\\.'"),
		      "cephc made an object map for an image without one");
	}
	CHECK(run("rbd feature enable %s object-map fast-diff && rbd "
		  "object-map rebuild --no-progress %s && rbd object-map "
		  "rebuild --no-progress %s",
		  spec, spec, snap) == 0,
	      "rbd feature enable + rebuild while cephc has it open");
	r = cephc_rbd_write(img, 103 * MiB, 4096, a);
	CHECK(r == 0, "write with the map back: %s", cephc_strerror(r));
	r = cephc_rbd_flush(img);
	CHECK(itest_om_clean(spec), "object map after enable: %s",
	      sh_out("rbd object-map check %s 2>&1", spec));

	/* explicit: librbd is refused, then let through */
	r = cephc_rbd_lock_acquire(img, CEPHC_RBD_LOCK_MODE_EXCLUSIVE);
	CHECK(r == 0, "lock_acquire: %s", cephc_strerror(r));
	cephc_rbd_is_exclusive_lock_owner(img, &owner);
	CHECK(owner, "not owner after lock_acquire");
	CHECK(run("timeout 20 rbd bench --io-type write --io-total 64K "
		  "--rbd-cache=false %s >/dev/null 2>&1",
		  spec) != 0,
	      "librbd wrote while cephc held the lock explicitly");
	r = cephc_rbd_lock_release(img);
	CHECK(r == 0, "lock_release: %s", cephc_strerror(r));
	CHECK(run("timeout 20 rbd bench --io-type write --io-total 64K "
		  "--rbd-cache=false %s >/dev/null 2>&1",
		  spec) == 0,
	      "librbd could not write after lock_release");
	r = cephc_rbd_write(img, 0, 4096, a);
	CHECK(r == CEPHC_EROFS, "write after lock_release: %s",
	      cephc_strerror(r));
	cephc_rbd_close(img);

	{
		/* the snapshot holds a, not b (its first MiB) */
		unsigned char *s = malloc(64 * MiB);

		memset(s, 0, 64 * MiB);
		memcpy(s, a, MiB);
		CHECK(itest_export_equals(snap, s, 64 * MiB),
		      "the snapshot has writes made after it");
		free(s);
	}
	CHECK(itest_om_clean(spec), "object map (head): %s",
	      sh_out("rbd object-map check %s 2>&1", spec));
	CHECK(itest_om_clean(snap), "object map (snapshot): %s",
	      sh_out("rbd object-map check %s 2>&1", snap));
out:
	run("rbd snap purge %s >/dev/null 2>&1; rbd rm --no-progress %s "
	    ">/dev/null 2>&1",
	    spec, spec);
	free(a);
	free(b);
}

int main(int argc, char **argv)
{
	char name[64], spec[128];
	cephc_cluster *c = NULL;
	const char *dir;
	int r;

	(void)argc;
	r = itest_connect(&c, &conf);
	if (r)
		return r;
	dir = getenv("CEPHC_SOURCE_DIR");
	snprintf(holder_py, sizeof(holder_py),
		 "%s/tests/integration/rbd_lock_holder.py", dir ? dir : ".");
	(void)argv;
	snprintf(name, sizeof(name), "exlock%d", (int)getpid());
	snprintf(spec, sizeof(spec), "rbd/%s", name);
	test_default_image(c, name);
	test_from_librbd(c, name);
	snprintf(spec, sizeof(spec), "exlock%dm", (int)getpid());
	test_maintenance(c, spec);
	snprintf(spec, sizeof(spec), "rbd/%s", name);
	run("rbd snap purge %s >/dev/null 2>&1; rbd rm --no-progress %s "
	    ">/dev/null 2>&1",
	    spec, spec);
	cephc_cluster_destroy(c);
	return itest_report();
}
