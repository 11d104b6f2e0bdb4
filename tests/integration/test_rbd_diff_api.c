/* SPDX-License-Identifier: MIT */
/*
 * cephc_rbd_diff_iterate() / cephc_rbd_du() through the API, beside
 * python3-rbd's Image.diff_iterate on the same image and ranges:
 *  - cephc writes on its own handle (exclusive lock, object map) and
 *    diffs at once on it: its writes are flushed and seen; a snapshot
 *    taken by rbd meanwhile (the lock handed over and back) is found by
 *    name, and writes after it are what the diff from it reports;
 *  - sub-ranges starting and ending inside objects, whole-object or not,
 *    from creation and from the snapshot, and a handle at the snapshot;
 *  - du equals librbd's whole-object sum; fn's non-zero return stops the
 *    walk and comes back; errors: unknown snapshot (ENOENT), offset past
 *    the end and no callback (EINVAL), a from-snapshot newer than the
 *    opened one (EINVAL).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "cephc/rbd.h"
#include "itest_rbd.h"
#include "itest_shell.h"

#define MB (1ull << 20)
#define SIZE (64 * MB)

struct text {
	char buf[1 << 15];
	size_t n;
	unsigned calls, stop_after;
};

static int collect(void *arg, uint64_t off, uint64_t len, bool exists)
{
	struct text *t = arg;

	t->calls++;
	if (t->n < sizeof(t->buf) - 64)
		t->n += (size_t)snprintf(
		    t->buf + t->n, sizeof(t->buf) - t->n, "%llu %llu %d\n",
		    (unsigned long long)off, (unsigned long long)len, exists);
	return t->stop_after && t->calls == t->stop_after ? 7 : 0;
}

/* librbd's answer for the same question */
static const char *librbd_diff(const char *pool, const char *spec,
			       const char *from, uint64_t off, uint64_t len,
			       bool whole, bool parent)
{
	return sh_out(
	    "/usr/bin/python3 -c '\n"
	    "import os, sys, rados, rbd\n"
	    "c = rados.Rados(conffile=os.environ[\"CEPH_CONF\"]); c.connect()\n"
	    "io = c.open_ioctx(\"%s\")\n"
	    "n, _, s = \"%s\".partition(\"@\")\n"
	    "im = rbd.Image(io, n, snapshot=s or None, read_only=True)\n"
	    "out = []\n"
	    "im.diff_iterate(%llu, %llu, %s, lambda o, l, e: "
	    "out.append(\"%%d %%d %%d\" %% (o, l, e)), "
	    "include_parent=%s, whole_object=%s)\n"
	    "im.close(); io.close(); c.shutdown()\n"
	    "print(\"\".join(x + chr(10) for x in out), end=\"\")\n"
	    "'",
	    pool, spec, (unsigned long long)off, (unsigned long long)len,
	    from ? from : "None", parent ? "True" : "False",
	    whole ? "True" : "False");
}

static void compare(cephc_rbd_image *img, const char *spec, const char *from,
		    uint64_t off, uint64_t len, bool whole, bool parent)
{
	struct text t = {.n = 0};
	char pyfrom[64];
	const char *want;
	int r;

	snprintf(pyfrom, sizeof(pyfrom), "\"%s\"", from ? from : "");
	r = cephc_rbd_diff_iterate(img, from, off, len, parent, whole, collect,
				   &t);
	want = librbd_diff("rbd", spec, from ? pyfrom : NULL, off, len, whole,
			   parent);
	CHECK(r == 0 && !strcmp(t.buf, want),
	      "%s from %s [%llu, +%llu) whole %d: r %d\ncephc:\n%slibrbd:\n%s",
	      spec, from ? from : "creation", (unsigned long long)off,
	      (unsigned long long)len, whole, r, t.buf, want);
}

int main(void)
{
	char name[64], snapspec[80];
	cephc_cluster *c = NULL;
	cephc_rbd_image *img = NULL, *snap = NULL;
	struct cephc_rbd_create_opts o = {.size = SIZE};
	static unsigned char buf[256 << 10];
	static const uint64_t ranges[][2] = {
	    {0, SIZE},       {4 * MB + 4096, 9 * MB}, {123, 1},
	    {8 * MB - 1, 2}, {60 * MB, 8 * MB}, /* cut at the end */
	};
	struct text t;
	uint64_t prov = 0, used = 0;
	int r;

	r = itest_connect(&c, NULL);
	if (r)
		return r;
	snprintf(name, sizeof(name), "diffapi%d", (int)getpid());
	snprintf(snapspec, sizeof(snapspec), "%s@s1", name);
	r = cephc_rbd_create(c, "rbd", name, &o);
	CHECK(r == 0, "create: %s", cephc_strerror(r));
	r = cephc_rbd_open(c, "rbd", name, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (r)
		goto out;

	fill(buf, sizeof(buf), 1);
	CHECK(cephc_rbd_write(img, 0, 8192, buf) == 0, "write");
	CHECK(cephc_rbd_write(img, 5 * MB + 100, 200000, buf) == 0, "write");
	CHECK(cephc_rbd_write(img, 8 * MB - 4096, 8192, buf) == 0, "write");
	/* our own writes, at once, on the writing handle */
	memset(&t, 0, sizeof(t));
	r = cephc_rbd_diff_iterate(img, NULL, 0, SIZE, true, false, collect,
				   &t);
	/* from creation an object reports [0, its size) */
	CHECK(r == 0 && !strcmp(t.buf, "0 8192 1\n4194304 4194304 1\n"
				       "8388608 4096 1\n"),
	      "own writes: r %d\n%s", r, t.buf);
	CHECK(run("rbd snap create --no-progress rbd/%s@s1 >/dev/null 2>&1",
		  name) == 0,
	      "rbd snap create");
	CHECK(cephc_rbd_write(img, 5 * MB, 4096, buf) == 0, "write after");
	CHECK(cephc_rbd_discard(img, 0, 4 * MB) == 0, "discard after");
	CHECK(cephc_rbd_write(img, 40 * MB, 65536, buf) == 0, "write after");
	for (size_t i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++)
		for (int whole = 0; whole < 2; whole++) {
			compare(img, name, NULL, ranges[i][0], ranges[i][1],
				whole, true);
			compare(img, name, "s1", ranges[i][0], ranges[i][1],
				whole, true);
		}
	r = cephc_rbd_open(c, "rbd", name, "s1", CEPHC_RBD_OPEN_READ_ONLY,
			   &snap);
	CHECK(r == 0, "open at s1: %s", cephc_strerror(r));
	if (snap) {
		compare(snap, snapspec, NULL, 0, SIZE, false, true);
		compare(snap, snapspec, NULL, 0, SIZE, true, true);
		compare(snap, snapspec, "s1", 0, SIZE, false, true);
	}

	/* du: whole objects, no parent, as librbd sums them */
	r = cephc_rbd_du(img, "s1", &prov, &used);
	CHECK(r == 0 && prov == SIZE && used == 2 * 4 * MB,
	      "du from s1: r %d prov %llu used %llu", r,
	      (unsigned long long)prov, (unsigned long long)used);
	r = cephc_rbd_du(img, NULL, &prov, &used);
	CHECK(r == 0 && used == 3 * 4 * MB, "du: r %d used %llu", r,
	      (unsigned long long)used);

	/* stop: the callback's value comes back, no more calls */
	memset(&t, 0, sizeof(t));
	t.stop_after = 2;
	r = cephc_rbd_diff_iterate(img, "s1", 0, SIZE, true, false, collect,
				   &t);
	CHECK(r == 7 && t.calls == 2, "stop: r %d, %u calls", r, t.calls);
	/* errors */
	memset(&t, 0, sizeof(t));
	CHECK(cephc_rbd_diff_iterate(img, "nosuch", 0, SIZE, true, false,
				     collect, &t) == CEPHC_ENOENT,
	      "unknown snapshot");
	CHECK(cephc_rbd_diff_iterate(img, NULL, SIZE + 1, 1, true, false,
				     collect, &t) == CEPHC_EINVAL,
	      "offset past the end");
	CHECK(cephc_rbd_diff_iterate(img, NULL, 0, 1, true, false, NULL,
				     NULL) == CEPHC_EINVAL,
	      "no callback");
	CHECK(t.calls == 0, "callback ran on a refused call");
	if (snap) {
		CHECK(run("rbd snap create --no-progress rbd/%s@s2 "
			  ">/dev/null 2>&1",
			  name) == 0,
		      "rbd snap create s2");
		CHECK(cephc_rbd_diff_iterate(snap, "s2", 0, SIZE, true, false,
					     collect, &t) == CEPHC_EINVAL,
		      "from a newer snapshot");
	}
out:
	if (snap)
		cephc_rbd_close(snap);
	if (img)
		cephc_rbd_close(img);
	if (run("rbd snap purge --no-progress rbd/%s >/dev/null 2>&1", name))
		fprintf(stderr, "snap purge failed\n");
	r = cephc_rbd_remove(c, "rbd", name);
	CHECK(r == 0, "remove: %s", cephc_strerror(r));
	cephc_cluster_destroy(c);
	return itest_report();
}
