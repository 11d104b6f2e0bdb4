/* SPDX-License-Identifier: MIT */
/*
 * The object-map maintainer's internal path on a live image made by
 * `rbd create` (default features): rbd_om_open under the exclusive lock
 * (map lock taken as librbd takes it), driver-context rbd_om_update with
 * per-object serialisation (a later update of an object waits for the
 * earlier one and is re-judged by update_required when it starts), the
 * stored map after the replies, resize, a failed update invalidating the
 * map (flags 3) while still completing, close draining, and a reopen
 * recreating a missing map.  rbd's own check runs only at the end, after
 * rbd's rebuild: while we hold the lock it would ask us for it.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "cephc/rbd.h"
#include "itest_rbd.h"
#include "itest_shell.h"
#include "rbd/image.h"
#include "rbd/image_object_map.h"
#include "rbd/rbd_features.h"

enum { N = 0, E = 1, P = 2, C = 3 };

/* Completions, recorded in the order they ran (driver context). */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int order[32], errs[32], ndone;

static void on_done(void *arg, int err)
{
	pthread_mutex_lock(&mu);
	order[ndone] = (int)(intptr_t)arg;
	errs[ndone] = err;
	ndone++;
	pthread_mutex_unlock(&mu);
}

static int wait_done(int n)
{
	for (int i = 0; i < 1000; i++) {
		int d;

		pthread_mutex_lock(&mu);
		d = ndone;
		pthread_mutex_unlock(&mu);
		if (d >= n)
			return d;
		usleep(10000);
	}
	return ndone;
}

/* A batch of updates issued in driver context, as the engine would. */
struct upd {
	uint64_t objno;
	uint8_t state;
	int filter;
	int tag;
	int ret; /* what rbd_om_update answered */
};
struct batch {
	struct cephc_rbd_image *img;
	struct upd *u;
	int n;
};

static void issue_fn(void *arg)
{
	struct batch *b = arg;

	for (int i = 0; i < b->n; i++)
		b->u[i].ret = rbd_om_update(
		    b->img, b->u[i].objno, b->u[i].state, b->u[i].filter,
		    on_done, (void *)(intptr_t)b->u[i].tag);
}

static void issue(struct cephc_rbd_image *img, struct upd *u, int n)
{
	struct batch b = {img, u, n};

	cephc_client_call(img->c, issue_fn, &b);
}

static int sh(const char *fmt, const char *a, const char *b)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), fmt, a, b);
	return system(cmd);
}

int main(void)
{
	struct cephc_rbd_image *img = NULL;
	struct cephc_rbd_object_map m;
	cephc_cluster *c = NULL;
	char name[64], oid[160];
	uint64_t flags = 0;
	int r, base;

	r = itest_connect(&c, NULL);
	if (r)
		return r;
	snprintf(name, sizeof(name), "omupd%d", (int)getpid());
	if (sh("rbd create --size 32M rbd/%s%s", name, "")) {
		fprintf(stderr, "rbd create failed\n");
		cephc_cluster_destroy(c);
		return 1;
	}
	r = rbd_image_open(c, "rbd", NULL, name, NULL, NULL, CEPHC_RBD_NOSNAP,
			   CEPHC_RBD_OPEN_READ_ONLY | RBD_OPEN_ANY_FEATURES,
			   &img);
	if (!r)
		r = rbd_image_acquire_lock(img);
	if (!r)
		r = rbd_om_open(img);
	CHECK(r == 0, "open + lock + om open: %s", cephc_strerror(r));
	if (r || !img->om)
		goto out;
	CHECK(rbd_om_trusted(img), "a fresh map is trusted");
	snprintf(oid, sizeof(oid), "rbd_object_map.%s", img->meta.id);
	CHECK(
	    sh("rados -p rbd lock info %s rbd_lock | grep -q '\"cookie\":\"\"'",
	       oid, "") == 0,
	    "the map object is locked with cookie \"\"");

	/* 1: a chain on object 2 (write, then a whole-object discard's pre
	 * and post updates), one on object 5, two no-ops on object 6 */
	struct upd u1[] = {
	    {2, E, RBD_OM_NO_FILTER, 1, 0},
	    {2, P, RBD_OM_NO_FILTER, 2, 0},
	    {2, N, P, 3, 0},
	    {5, E, RBD_OM_NO_FILTER, 4, 0},
	    {6, N, RBD_OM_NO_FILTER, 5, 0},
	    {6, P, RBD_OM_NO_FILTER, 6, 0},
	};
	issue(img, u1, 6);
	for (int i = 0; i < 4; i++)
		CHECK(u1[i].ret == 0, "update %d queued (%d)", i + 1,
		      u1[i].ret);
	CHECK(u1[4].ret == 1 && u1[5].ret == 1,
	      "NONEXISTENT/PENDING over NONEXISTENT need no update (%d %d)",
	      u1[4].ret, u1[5].ret);
	CHECK(wait_done(4) == 4, "4 completions (%d)", ndone);
	{
		int pos[8] = {0};

		for (int i = 0; i < ndone; i++) {
			pos[order[i]] = i + 1;
			CHECK(errs[i] == 0, "update %d: %s", order[i],
			      cephc_strerror(errs[i]));
		}
		CHECK(pos[1] && pos[1] < pos[2] && pos[2] < pos[3],
		      "object 2's updates complete in order (%d %d %d)", pos[1],
		      pos[2], pos[3]);
	}
	CHECK(rbd_om_state(img, 2) == N && rbd_om_state(img, 5) == E,
	      "in memory: obj2 %u obj5 %u", rbd_om_state(img, 2),
	      rbd_om_state(img, 5));
	r = rbd_om_load(img, CEPHC_RBD_NOSNAP, &m);
	CHECK(r == 0 && m.count == 8, "load: %s, %llu entries",
	      cephc_strerror(r), (unsigned long long)m.count);
	for (uint64_t i = 0; !r && i < 8; i++)
		CHECK(cephc_rbd_object_map_get(&m, i) == (i == 5 ? E : N),
		      "stored obj %llu = %u", (unsigned long long)i,
		      cephc_rbd_object_map_get(&m, i));
	cephc_rbd_object_map_clear(&m);

	/* 2: the same update twice: the second waits, then finds nothing
	 * left to do and completes without a request */
	base = ndone;
	struct upd u2[] = {{7, E, RBD_OM_NO_FILTER, 7, 0},
			   {7, E, RBD_OM_NO_FILTER, 8, 0}};
	issue(img, u2, 2);
	CHECK(u2[0].ret == 0 && u2[1].ret == 0, "both queued (%d %d)",
	      u2[0].ret, u2[1].ret);
	CHECK(wait_done(base + 2) == base + 2, "both completed");
	CHECK(order[base] == 7 && order[base + 1] == 8, "in order");
	/* write the object too, so rbd's check agrees with the map */
	sh("rados -p rbd put rbd_data.%s.0000000000000007 /etc/hostname%s",
	   img->meta.id, "");
	sh("rados -p rbd put rbd_data.%s.0000000000000005 /etc/hostname%s",
	   img->meta.id, "");

	/* 3: resize the map with the image size (grow) */
	r = rbd_om_resize(img, 48u << 20);
	CHECK(r == 0, "resize: %s", cephc_strerror(r));
	r = rbd_om_load(img, CEPHC_RBD_NOSNAP, &m);
	CHECK(r == 0 && m.count == 12 && cephc_rbd_object_map_get(&m, 7) == E,
	      "resized map: %llu entries", (unsigned long long)m.count);
	cephc_rbd_object_map_clear(&m);
	r = rbd_om_resize(img, 32u << 20);
	CHECK(r == 0, "resize back: %s", cephc_strerror(r));
	CHECK(rbd_om_get_flags(img, CEPHC_RBD_NOSNAP, &flags) == 0 &&
		  flags == 0,
	      "no flags yet (%llu)", (unsigned long long)flags);

	/* 4: a failed update (the map object vanished: assert_locked
	 * fails) still completes, with the error, and invalidates */
	sh("rados -p rbd rm %s%s", oid, "");
	base = ndone;
	struct upd u3[] = {{3, E, RBD_OM_NO_FILTER, 9, 0}};
	issue(img, u3, 1);
	CHECK(u3[0].ret == 0, "queued (%d)", u3[0].ret);
	CHECK(wait_done(base + 1) == base + 1, "completed");
	CHECK(errs[base] != 0, "the failure is reported (%d)", errs[base]);
	CHECK(!rbd_om_trusted(img), "the map is no longer trusted");
	/* close waits for the asynchronous invalidation too */
	rbd_om_close(img);
	CHECK(img->om == NULL, "closed");
	CHECK(rbd_om_get_flags(img, CEPHC_RBD_NOSNAP, &flags) == 0 &&
		  flags == (CEPHC_RBD_FLAG_OBJECT_MAP_INVALID |
			    CEPHC_RBD_FLAG_FAST_DIFF_INVALID),
	      "flags 3 after the failure (%llu)", (unsigned long long)flags);
	/* 5: open again: the map is missing, so it is recreated (sized,
	 * invalid) as librbd's refresh does */
	r = rbd_om_open(img);
	CHECK(r == 0 && img->om && !rbd_om_trusted(img),
	      "reopen of a missing map: %s", cephc_strerror(r));
	rbd_om_close(img);
out:
	if (img)
		cephc_rbd_close(img);
	sh("rbd object-map rebuild rbd/%s%s >/dev/null 2>&1", name, "");
	CHECK(sh("rbd object-map check --no-progress rbd/%s%s 2>&1 | grep -q "
		 "'object map error'",
		 name, "") != 0,
	      "rbd's check after rbd's rebuild is clean");
	sh("rbd rm --no-progress rbd/%s%s >/dev/null 2>&1", name, "");
	if (c)
		cephc_cluster_destroy(c);
	return itest_report();
}
