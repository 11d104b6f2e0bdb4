/* SPDX-License-Identifier: MIT */
/*
 * The clone API on a live cluster: cephc_rbd_clone() (v1 and v2, asked
 * features), cephc_rbd_list_children() (sorted, at a snapshot only),
 * cephc_rbd_flatten() (progress reports every object once, the handle
 * forgets its parent and keeps reading and writing the same bytes),
 * and the errors (v1 of an unprotected snapshot leaves no child; flatten
 * of a non-clone, of a read-only handle).  rbd checks the result.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "cephc/rbd.h"
#include "itest_rbd.h"
#include "itest_shell.h"

#define MIB (UINT64_C(1) << 20)
#define PSIZE (12 * MIB) /* three 4 MiB objects */

struct prog {
	uint64_t calls, last_done, last_total;
	bool monotonic;
};

static void on_progress(void *arg, uint64_t done, uint64_t total)
{
	struct prog *p = arg;

	if (done < p->last_done || done > total)
		p->monotonic = false;
	p->calls++;
	p->last_done = done;
	p->last_total = total;
}

int main(void)
{
	char p[64], c2[64], c1[64], bad[64];
	struct cephc_rbd_create_opts co = {0};
	struct cephc_rbd_clone_opts o2 = {2, NULL}, o1 = {1, &co};
	struct cephc_rbd_child *kids = NULL;
	struct cephc_rbd_parent_info pi;
	struct prog pr = {0, 0, 0, true};
	cephc_rbd_image *img = NULL, *snap = NULL;
	cephc_cluster *c = NULL;
	uint8_t *want, *got;
	uint32_t n = 0;
	int r;

	r = itest_connect(&c, NULL);
	if (r)
		return r;
	snprintf(p, sizeof(p), "capip%d", (int)getpid());
	snprintf(c2, sizeof(c2), "capib%d", (int)getpid());
	snprintf(c1, sizeof(c1), "capia%d", (int)getpid());
	snprintf(bad, sizeof(bad), "capix%d", (int)getpid());
	want = malloc(PSIZE);
	got = malloc(PSIZE);
	if (!want || !got)
		return 1;

	/* parent: objects 0 and 2 written, object 1 a hole */
	fill(want, PSIZE, 7);
	memset(want + 4 * MIB, 0, 4 * MIB);
	co.size = PSIZE;
	CHECK(!cephc_rbd_create(c, "rbd", p, &co), "create parent");
	co.size = 0;
	if (!cephc_rbd_open(c, "rbd", p, NULL, 0, &img)) {
		CHECK(!cephc_rbd_write(img, 0, 4 * MIB, want), "write obj 0");
		CHECK(!cephc_rbd_write(img, 8 * MIB, 4 * MIB, want + 8 * MIB),
		      "write obj 2");
		cephc_rbd_close(img);
	}
	run("rbd snap create rbd/%s@s >/dev/null 2>&1", p);
	run("rbd snap create rbd/%s@u >/dev/null 2>&1", p);
	run("rbd snap protect rbd/%s@s", p);

	/* clones */
	r = cephc_rbd_clone(c, "rbd", NULL, p, "s", "rbd", NULL, c2, &o2);
	CHECK(!r, "v2 clone: %s", cephc_strerror(r));
	co.features = CEPHC_RBD_FEAT_LAYERING;
	r = cephc_rbd_clone(c, "rbd", NULL, p, "s", "rbd", NULL, c1, &o1);
	CHECK(!r, "v1 clone, layering only: %s", cephc_strerror(r));
	r = cephc_rbd_clone(c, "rbd", NULL, p, "u", "rbd", NULL, bad, &o1);
	CHECK(r == CEPHC_EINVAL, "v1 clone of an unprotected snapshot: %d", r);
	CHECK(cephc_rbd_open(c, "rbd", bad, NULL, 0, &img) == CEPHC_ENOENT,
	      "no half-made child");
	CHECK(run("rbd info rbd/%s | grep -q 'op_features: clone-child'", c2) ==
		  0,
	      "v2: clone-child");
	CHECK(run("rbd info rbd/%s | grep -q 'features: layering$'", c1) == 0,
	      "v1: the features asked for");

	/* children */
	if (!cephc_rbd_open(c, "rbd", p, "s", 0, &snap)) {
		r = cephc_rbd_list_children(snap, &kids, &n);
		CHECK(!r && n == 2, "children: %d, %u", r, n);
		if (!r && n == 2) {
			CHECK(!strcmp(kids[0].image_name, c1) &&
				  !strcmp(kids[1].image_name, c2),
			      "sorted by name: %s %s", kids[0].image_name,
			      kids[1].image_name);
			CHECK(!strcmp(kids[0].pool_name, "rbd") &&
				  !kids[0].trash && !kids[1].trash &&
				  kids[0].image_id[0],
			      "child fields");
		}
		cephc_buffer_free(kids);
		cephc_rbd_close(snap);
	}
	if (!cephc_rbd_open(c, "rbd", p, NULL, CEPHC_RBD_OPEN_READ_ONLY,
			    &snap)) {
		CHECK(cephc_rbd_list_children(snap, &kids, &n) == CEPHC_EINVAL,
		      "children of HEAD");
		CHECK(cephc_rbd_flatten(snap, NULL, NULL) == CEPHC_EROFS,
		      "flatten read-only");
		cephc_rbd_close(snap);
	}

	/* flatten the v2 clone through a handle that wrote into it */
	r = cephc_rbd_open(c, "rbd", c2, NULL, 0, &img);
	CHECK(!r, "open clone: %s", cephc_strerror(r));
	if (!r) {
		fill(want + 5 * MIB, 4096, 9); /* in the hole */
		fill(want + 9 * MIB, 4096, 10);
		CHECK(!cephc_rbd_write(img, 5 * MIB, 4096, want + 5 * MIB) &&
			  !cephc_rbd_write(img, 9 * MIB, 4096, want + 9 * MIB),
		      "writes into the clone");
		r = cephc_rbd_flatten(img, on_progress, &pr);
		CHECK(!r, "flatten: %s", cephc_strerror(r));
		CHECK(pr.calls == 3 && pr.last_done == 3 &&
			  pr.last_total == 3 && pr.monotonic,
		      "progress: %llu calls, %llu/%llu",
		      (unsigned long long)pr.calls,
		      (unsigned long long)pr.last_done,
		      (unsigned long long)pr.last_total);
		CHECK(!cephc_rbd_get_parent(img, &pi) && !pi.has_parent,
		      "no parent after flatten");
		r = cephc_rbd_read(img, 0, PSIZE, got);
		CHECK(r >= 0, "read after flatten: %d", r);
		CHECK(!memcmp(got, want, PSIZE), "same bytes after flatten");
		fill(want + 10 * MIB, 8192, 11);
		CHECK(!cephc_rbd_write(img, 10 * MIB, 8192, want + 10 * MIB),
		      "write after flatten");
		CHECK(cephc_rbd_flatten(img, NULL, NULL) == CEPHC_EINVAL,
		      "flatten again: no parent");
		cephc_rbd_close(img);
	}
	CHECK(run("rbd info rbd/%s | grep -q parent:", c2) != 0,
	      "rbd: no parent");
	CHECK(run("rbd export --no-progress rbd/%s /tmp/%s.raw >/dev/null "
		  "2>&1",
		  c2, c2) == 0,
	      "rbd export");
	{
		FILE *f;
		char path[128];

		snprintf(path, sizeof(path), "/tmp/%s.raw", c2);
		f = fopen(path, "rb");
		CHECK(f && fread(got, 1, PSIZE, f) == PSIZE &&
			  !memcmp(got, want, PSIZE),
		      "librbd reads the flattened clone as written");
		if (f)
			fclose(f);
		unlink(path);
	}
	CHECK(run("rbd object-map check --no-progress rbd/%s 2>&1 | grep -q "
		  "'object map error'",
		  c2) != 0,
	      "object map clean");
	CHECK(run("rbd children rbd/%s@s | grep -qx rbd/%s", p, c1) == 0 &&
		  run("rbd children rbd/%s@s | grep -q %s", p, c2) != 0,
	      "only the v1 clone is still a child");

	run("rbd rm --no-progress rbd/%s >/dev/null 2>&1; rbd rm --no-progress "
	    "rbd/%s >/dev/null 2>&1; rbd snap unprotect rbd/%s@s; rbd snap "
	    "purge rbd/%s >/dev/null 2>&1; rbd rm --no-progress rbd/%s "
	    ">/dev/null 2>&1",
	    c1, c2, p, p, p);
	free(want);
	free(got);
	cephc_cluster_destroy(c);
	return itest_report();
}
