/* SPDX-License-Identifier: MIT */
/*
 * cephc writes an image (aio, many in flight), `rbd snap create` takes a
 * snapshot, cephc overwrites/discards/zeroes parts of the head, then cephc
 * reads the snapshot and the head and `rbd export` reads both: all four
 * must match the expected bytes.  Also: a snapshot handle refuses writes,
 * an unknown snapshot is ENOENT, reads past the end give zeros.
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

#define SIZE (4u << 20)
#define CHUNK 65536

/* Threads sharing one handle, each on its own region. */
struct worker {
	cephc_rbd_image *img;
	unsigned id;
	int bad;
};

#define REGION (256u << 10)

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	unsigned char *wb = malloc(REGION), *rb = malloc(REGION);
	uint64_t base = (uint64_t)w->id * REGION;

	for (unsigned round = 0; round < 10 && wb && rb; round++) {
		size_t len = REGION - round * 1111;
		fill(wb, len, w->id * 100 + round);
		if (cephc_rbd_write(w->img, base + round * 7, len, wb) ||
		    cephc_rbd_read(w->img, base + round * 7, len, rb) ||
		    memcmp(wb, rb, len))
			w->bad++;
	}
	free(wb);
	free(rb);
	return NULL;
}

int main(void)
{
	char name[64], spec[128], cmd[512];
	unsigned char *a, *want, *got;
	cephc_cluster *c = NULL;
	cephc_rbd_image *img = NULL, *snap = NULL;
	cephc_rbd_completion *comps[SIZE / CHUNK];
	struct cephc_rbd_create_opts o = {
	    .size = SIZE, .order = 16, .stripe_unit = 16384, .stripe_count = 3};
	int r;

	r = itest_connect(&c, NULL);
	if (r)
		return r;
	snprintf(name, sizeof(name), "snapio%d", (int)getpid());
	snprintf(spec, sizeof(spec), "rbd/%s", name);
	a = malloc(SIZE);
	want = malloc(SIZE);
	got = malloc(SIZE + 8192);
	fill(a, SIZE, 7);

	r = cephc_rbd_create(c, "rbd", name, &o);
	CHECK(r == 0, "create: %s", cephc_strerror(r));
	r = cephc_rbd_open(c, "rbd", name, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (r)
		goto out;
	/* every chunk in flight at once, one completion each */
	for (unsigned i = 0; i < SIZE / CHUNK; i++) {
		cephc_rbd_aio_create_completion(NULL, NULL, &comps[i]);
		r = cephc_rbd_aio_write(img, (uint64_t)i * CHUNK, CHUNK,
					a + (size_t)i * CHUNK, comps[i]);
		CHECK(r == 0, "aio_write %u: %s", i, cephc_strerror(r));
	}
	for (unsigned i = 0; i < SIZE / CHUNK; i++) {
		cephc_rbd_aio_wait(comps[i]);
		CHECK(cephc_rbd_aio_get_return_value(comps[i]) == 0,
		      "aio_write %u result", i);
		cephc_rbd_aio_release(comps[i]);
	}
	CHECK(cephc_rbd_flush(img) == 0, "flush");
	{
		pthread_t th[4];
		struct worker w[4];

		for (unsigned i = 0; i < 4; i++) {
			w[i] = (struct worker){.img = img, .id = i};
			pthread_create(&th[i], NULL, worker_fn, &w[i]);
		}
		for (unsigned i = 0; i < 4; i++) {
			pthread_join(th[i], NULL);
			CHECK(w[i].bad == 0, "thread %u saw bad data", i);
		}
		/* put the pattern back where the threads wrote */
		CHECK(cephc_rbd_write(img, 0, 4 * REGION + 64, a) == 0,
		      "rewrite");
	}
	CHECK(cephc_rbd_write(img, SIZE - 10, 11, a) == CEPHC_EINVAL,
	      "write past the end accepted");

	/*
	 * Snapshot taken by librbd while we hold the image open: its
	 * notify makes us re-read the snap context before we ack, so the
	 * overwrites below must preserve the snapshot's data.
	 */
	snprintf(cmd, sizeof(cmd), "rbd snap create %s@s1 >/dev/null 2>&1",
		 spec);
	CHECK(system(cmd) == 0, "rbd snap create");
	memcpy(want, a, SIZE);
	fill(got, 300001, 9);
	CHECK(cephc_rbd_write(img, 1000001, 300001, got) == 0, "overwrite");
	memcpy(want + 1000001, got, 300001);
	CHECK(cephc_rbd_discard(img, 2 * 65536 + 5, 3 * 65536) == 0, "discard");
	memset(want + 2 * 65536 + 5, 0, 3 * 65536);
	CHECK(cephc_rbd_discard(img, 3u << 20, 1u << 20) == 0, "discard tail");
	memset(want + (3u << 20), 0, 1u << 20);
	CHECK(cephc_rbd_write_zeroes(img, 77, 1000) == 0, "write_zeroes");
	memset(want + 77, 0, 1000);

	/* head through cephc, in odd pieces, and past the end */
	memset(got, 0xee, SIZE + 8192);
	for (uint64_t off = 0; off < SIZE; off += 99991) {
		uint64_t l = off + 99991 > SIZE ? SIZE - off : 99991;
		CHECK(cephc_rbd_read(img, off, l, got + off) == 0, "read");
	}
	for (size_t k = 0; k < SIZE; k++)
		if (got[k] != want[k]) {
			CHECK(0, "head differs (cephc) at %zu: %02x want %02x",
			      k, got[k], want[k]);
			break;
		}
	CHECK(cephc_rbd_read(img, SIZE - 100, 8192, got) == 0, "read end");
	CHECK(memcmp(got, want + SIZE - 100, 100) == 0 && got[100] == 0 &&
		  got[8191] == 0,
	      "read past the end is not zeros");
	CHECK(itest_export_equals(spec, want, SIZE), "head differs (rbd)");

	/* the snapshot */
	r = cephc_rbd_open(c, "rbd", name, "s1", 0, &snap);
	CHECK(r == 0, "open snap: %s", cephc_strerror(r));
	if (!r) {
		CHECK(cephc_rbd_write(snap, 0, 1, a) == CEPHC_EROFS,
		      "snapshot handle accepted a write");
		CHECK(cephc_rbd_read(snap, 0, SIZE, got) == 0, "snap read");
		CHECK(memcmp(got, a, SIZE) == 0, "snapshot differs (cephc)");
		cephc_rbd_close(snap);
	}
	snprintf(cmd, sizeof(cmd), "%s@s1", spec);
	CHECK(itest_export_equals(cmd, a, SIZE), "snapshot differs (rbd)");
	CHECK(cephc_rbd_open(c, "rbd", name, "nope", 0, &snap) == CEPHC_ENOENT,
	      "unknown snapshot opened");
	{
		/* the snapshot list is read at open: use a fresh handle */
		struct cephc_rbd_snap_entry *s;
		cephc_rbd_image *ro;
		uint32_t n = 0;

		CHECK(cephc_rbd_open(c, "rbd", name, NULL,
				     CEPHC_RBD_OPEN_READ_ONLY, &ro) == 0,
		      "read-only open");
		CHECK(cephc_rbd_snap_list(ro, &s, &n) == 0 && n == 1 &&
			  !strcmp(s[0].name, "s1") && s[0].size == SIZE,
		      "snap list");
		if (n)
			cephc_buffer_free(s);
		cephc_rbd_close(ro);
	}
out:
	if (img)
		cephc_rbd_close(img);
	snprintf(cmd, sizeof(cmd),
		 "rbd snap rm --no-progress %s@s1 >/dev/null 2>&1", spec);
	if (system(cmd) != 0)
		fprintf(stderr, "snap rm failed\n");
	r = cephc_rbd_remove(c, "rbd", name);
	CHECK(r == 0, "remove: %s (%s)", cephc_strerror(r),
	      cephc_rbd_last_error());
	cephc_cluster_destroy(c);
	free(a);
	free(want);
	free(got);
	return itest_report();
}
