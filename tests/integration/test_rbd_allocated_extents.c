/* SPDX-License-Identifier: MIT */
/*
 * cephc_rbd_allocated_extents() on a live image (64 KiB objects):
 *  - a fresh image is one hole; after writes, data exactly on the objects
 *    written, runs ascending, contiguous and covering the asked range
 *    (also a range starting and ending inside objects);
 *  - a discarded whole object is a hole again;
 *  - at a snapshot: the objects as they were when it was taken, even after
 *    the head changed (the STAT goes to the snapshot);
 *  - more objects than one window (64) in one call;
 *  - fn's non-zero return stops the walk and is returned; past the end is
 *    CEPHC_EINVAL.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "cephc/rbd.h"
#include "itest_rbd.h"
#include "itest_shell.h"

#define OBJ (64u << 10)
#define NOBJ 200u /* more than one window of 64 */
#define SIZE ((uint64_t)OBJ * NOBJ)

/* The runs fn saw, checked as they come, plus a per-object map. */
struct seen {
	uint64_t next; /* where the next run must start */
	unsigned runs;
	unsigned stop_after; /* 0: never stop */
	bool alloc[NOBJ];
	bool bad;
};

static int collect(void *arg, uint64_t off, uint64_t len, bool allocated)
{
	struct seen *s = arg;

	if (off != s->next || !len)
		s->bad = true;
	s->next = off + len;
	for (uint64_t o = off / OBJ; o < NOBJ && o * OBJ < off + len; o++)
		s->alloc[o] = allocated;
	s->runs++;
	if (s->stop_after && s->runs == s->stop_after)
		return 42;
	return 0;
}

/* Query [off, off + len) and compare with want[] (objects it covers). */
static void expect(cephc_rbd_image *img, uint64_t off, uint64_t len,
		   const bool *want, const char *what)
{
	struct seen s = {.next = off};
	int r = cephc_rbd_allocated_extents(img, off, len, collect, &s);

	CHECK(r == 0, "%s: %s", what, cephc_strerror(r));
	CHECK(!s.bad && s.next == off + len, "%s: runs not contiguous", what);
	for (uint64_t o = off / OBJ; o * OBJ < off + len; o++)
		CHECK(s.alloc[o] == want[o], "%s: object %llu %s", what,
		      (unsigned long long)o,
		      want[o] ? "should be data" : "should be a hole");
}

int main(void)
{
	char name[64], cmd[256];
	cephc_cluster *c = NULL;
	cephc_rbd_image *img = NULL, *snap = NULL;
	struct cephc_rbd_create_opts o = {.size = SIZE, .order = 16};
	static const unsigned written[] = {0, 1, 5, 63, 64, 65, 130, 199};
	bool want[NOBJ] = {false}, at_snap[NOBJ];
	char buf[4096];
	struct seen s;
	int r;

	r = itest_connect(&c, NULL);
	if (r)
		return r;
	snprintf(name, sizeof(name), "extents%d", (int)getpid());
	r = cephc_rbd_create(c, "rbd", name, &o);
	CHECK(r == 0, "create: %s", cephc_strerror(r));
	r = cephc_rbd_open(c, "rbd", name, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (r)
		goto out;

	expect(img, 0, SIZE, want, "fresh image");
	memset(buf, 'x', sizeof(buf));
	for (size_t i = 0; i < sizeof(written) / sizeof(written[0]); i++) {
		/* a few bytes inside the object, not at its start */
		r = cephc_rbd_write(img, (uint64_t)written[i] * OBJ + 1000, 100,
				    buf);
		CHECK(r == 0, "write: %s", cephc_strerror(r));
		want[written[i]] = true;
	}
	expect(img, 0, SIZE, want, "after writes");
	expect(img, 5 * OBJ - 7, 60 * OBJ + 11, want, "unaligned range");
	expect(img, SIZE - 1, 1, want, "last byte");

	/* snapshot, then change the head: the snapshot keeps its map */
	snprintf(cmd, sizeof(cmd), "rbd snap create rbd/%s@s >/dev/null 2>&1",
		 name);
	CHECK(system(cmd) == 0, "rbd snap create");
	memcpy(at_snap, want, sizeof(want));
	r = cephc_rbd_open(c, "rbd", name, "s", 0, &snap);
	CHECK(r == 0, "open snapshot: %s", cephc_strerror(r));
	/* the head handle carries the new snap context after the notify */
	cephc_rbd_close(img);
	img = NULL;
	r = cephc_rbd_open(c, "rbd", name, NULL, 0, &img);
	CHECK(r == 0, "reopen: %s", cephc_strerror(r));
	if (r)
		goto out;
	r = cephc_rbd_discard(img, 64 * (uint64_t)OBJ, OBJ); /* whole object */
	CHECK(r == 0, "discard: %s", cephc_strerror(r));
	want[64] = false;
	r = cephc_rbd_write(img, 100 * (uint64_t)OBJ, 10, buf);
	CHECK(r == 0, "write: %s", cephc_strerror(r));
	want[100] = true;
	expect(img, 0, SIZE, want, "head after snapshot");
	if (snap)
		expect(snap, 0, SIZE, at_snap, "snapshot");

	/* stop early: the callback's value comes back */
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	r = cephc_rbd_allocated_extents(img, 0, SIZE, collect, &s);
	CHECK(r == 42 && s.runs == 2, "stop: r %d, %u runs", r, s.runs);
	/* bounds */
	memset(&s, 0, sizeof(s));
	CHECK(cephc_rbd_allocated_extents(img, SIZE, 1, collect, &s) ==
		  CEPHC_EINVAL,
	      "past the end");
	CHECK(cephc_rbd_allocated_extents(img, 0, SIZE + 1, collect, &s) ==
		  CEPHC_EINVAL,
	      "crossing the end");
	CHECK(cephc_rbd_allocated_extents(img, 0, 1, NULL, NULL) ==
		  CEPHC_EINVAL,
	      "no callback");
	CHECK(s.runs == 0, "callback ran on a refused call");
out:
	if (snap)
		cephc_rbd_close(snap);
	if (img)
		cephc_rbd_close(img);
	snprintf(cmd, sizeof(cmd),
		 "rbd snap purge --no-progress rbd/%s >/dev/null 2>&1", name);
	if (system(cmd) != 0)
		fprintf(stderr, "snap purge failed\n");
	r = cephc_rbd_remove(c, "rbd", name);
	CHECK(r == 0, "remove: %s", cephc_strerror(r));
	cephc_cluster_destroy(c);
	return itest_report();
}
