/* SPDX-License-Identifier: MIT */
/*
 * Snapshots made by cephc beside librbd (rbd 16.2.15, python3-rbd):
 *  - twins: the same writes on an image through cephc and on its twin
 *    through librbd, snapshots taken by each: `rbd snap ls` lists cephc's,
 *    the object maps (HEAD and per snapshot) are byte-equal to librbd's,
 *    `rbd object-map check` is clean for HEAD and each snapshot, `rbd
 *    export @snap` keeps the data at snapshot time after later writes by
 *    cephc and by librbd; then remove (maps merged as librbd merges them),
 *    rollback (export equals the snapshot's), rename, limit (EDQUOT);
 *  - a snapshot by librbd while cephc holds the lock and writes (cephc
 *    hands the lock over; its later writes land in HEAD only);
 *  - a snapshot by cephc while a librbd client owns the lock;
 *  - protect/unprotect with a v1 clone (EBUSY), remove of a protected
 *    snapshot (EBUSY);
 *  - remove with a v2 clone: the snapshot stays in the trash namespace
 *    (`snap ls --all` as rbd prints it) until `cephc rbd rm` removes the
 *    clone.
 */
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

#define MiB (1u << 20)
#define KiB 1024u

static const char *conf;

static void check_maps_equal(const char *a, const char *b, const char *snap)
{
	char *ma = itest_map_hex(a, snap), *mb = itest_map_hex(b, snap);

	CHECK(ma[0] && !strcmp(ma, mb), "map of %s@%s %s != librbd's %s", a,
	      snap ? snap : "HEAD", ma, mb);
	free(ma);
	free(mb);
}

static char *export_sum(const char *spec)
{
	char *s = capture("rbd export --no-progress %s - 2>/dev/null | "
			  "sha256sum | cut -c1-64",
			  spec);

	s[strcspn(s, "\n")] = '\0';
	return s;
}

static void check_same_export(const char *a, const char *b)
{
	char *x = export_sum(a), *y = export_sum(b);

	CHECK(strlen(x) == 64 && !strcmp(x, y), "export %s (%s) != %s (%s)", a,
	      x, b, y);
	free(x);
	free(y);
}

/* librbd writes (python3-rbd): len bytes of fill(seed) at off. */
static int librbd_write(const char *name, uint64_t off, uint64_t len,
			unsigned seed)
{
	return run("/usr/bin/python3 -c '\n"
		   "import rados, rbd\n" ITEST_PY_FILL
		   "c = rados.Rados(conffile=\"%s\"); c.connect()\n"
		   "io = c.open_ioctx(\"rbd\")\n"
		   "im = rbd.Image(io, \"%s\")\n"
		   "im.write(fill(%llu, %u), %llu)\n"
		   "im.close(); io.close(); c.shutdown()\n'",
		   conf, name, (unsigned long long)len, seed,
		   (unsigned long long)off);
}

static int cephc_write(cephc_rbd_image *img, uint64_t off, size_t len,
		       unsigned seed)
{
	unsigned char *buf = malloc(len);
	int r;

	fill(buf, len, seed);
	r = cephc_rbd_write(img, off, len, buf);
	free(buf);
	return r < 0 ? r : 0;
}

struct wr {
	uint64_t off, len;
};
static const struct wr w1[] = {{0, 4 * MiB},
			       {4 * MiB + 100, 8 * KiB},
			       {8 * MiB, 4 * MiB},
			       {20 * MiB + 64 * KiB, 64 * KiB}};
static const struct wr w2[] = {
    {8 * MiB, 4 * KiB}, {16 * MiB, 64 * KiB}, {28 * MiB, 4 * KiB}};

static void both_write(cephc_rbd_image *img, const char *twin,
		       const struct wr *w, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		int r = cephc_write(img, w[i].off, (size_t)w[i].len,
				    seed + (unsigned)i);
		CHECK(r == 0, "cephc write %zu: %s", i, cephc_strerror(r));
		CHECK(librbd_write(twin, w[i].off, w[i].len,
				   seed + (unsigned)i) == 0,
		      "librbd write %zu", i);
	}
}

static void test_twins(cephc_cluster *c, const char *a, const char *b)
{
	char sa[128], sb[128], s1[160], s2[160];
	cephc_rbd_image *img = NULL;
	uint64_t lim = 0;
	int r;

	snprintf(sa, sizeof(sa), "rbd/%s", a);
	snprintf(sb, sizeof(sb), "rbd/%s", b);
	CHECK(run("rbd create --size 32M %s && rbd create --size 32M %s", sa,
		  sb) == 0,
	      "create twins");
	r = cephc_rbd_open(c, "rbd", a, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (r)
		return;
	both_write(img, b, w1, sizeof(w1) / sizeof(w1[0]), 10);
	double t0 = itest_now();
	r = cephc_rbd_snap_create(img, "s1", 0);
	CHECK(r == 0, "snap create: %s", cephc_strerror(r));
	printf("cephc snap create: %.3f s\n", itest_now() - t0);
	CHECK(run("rbd snap create --no-progress %s@s1", sb) == 0,
	      "rbd snap create");
	CHECK(output_has(" s1 ", "rbd snap ls %s", sa), "rbd snap ls lists s1");
	CHECK(cephc_rbd_snap_create(img, "s1", 0) == CEPHC_EEXIST,
	      "a second s1: EEXIST");
	check_maps_equal(sa, sb, NULL);
	check_maps_equal(sa, sb, "s1");
	/* later writes: cephc's (same handle), then librbd's on the image */
	both_write(img, b, w2, sizeof(w2) / sizeof(w2[0]), 20);
	CHECK(librbd_write(a, 12 * MiB, 8 * KiB, 30) == 0, "librbd on a");
	CHECK(librbd_write(b, 12 * MiB, 8 * KiB, 30) == 0, "librbd on b");
	/* and cephc again, taking the lock back */
	CHECK(cephc_write(img, 24 * MiB, 4 * KiB, 31) == 0, "cephc again");
	CHECK(librbd_write(b, 24 * MiB, 4 * KiB, 31) == 0, "librbd twin");
	snprintf(s1, sizeof(s1), "%s@s1", sa);
	snprintf(s2, sizeof(s2), "%s@s1", sb);
	check_same_export(s1, s2);
	check_same_export(sa, sb);
	CHECK(itest_om_clean(sa) && itest_om_clean(s1),
	      "object-map check %s, %s", sa, s1);

	/* a second snapshot, then remove the first: maps merged */
	r = cephc_rbd_snap_create(img, "s2", 0);
	CHECK(r == 0, "snap create s2: %s", cephc_strerror(r));
	CHECK(run("rbd snap create --no-progress %s@s2", sb) == 0, "rbd s2");
	CHECK(cephc_write(img, 0, 4 * KiB, 40) == 0, "cephc after s2");
	CHECK(librbd_write(b, 0, 4 * KiB, 40) == 0, "librbd after s2");
	check_maps_equal(sa, sb, NULL);
	check_maps_equal(sa, sb, "s2");
	char id[64];
	itest_image_id(sa, id, sizeof(id));
	uint64_t s1id = itest_snap_id(sa, "s1");
	t0 = itest_now();
	r = cephc_rbd_snap_remove(img, "s1");
	CHECK(r == 0, "snap rm s1: %s", cephc_strerror(r));
	printf("cephc snap remove: %.3f s\n", itest_now() - t0);
	CHECK(run("rbd snap rm --no-progress %s@s1", sb) == 0, "rbd snap rm");
	CHECK(!output_has(" s1 ", "rbd snap ls %s", sa), "s1 gone");
	CHECK(run("rados -p rbd stat rbd_object_map.%s.%016llx >/dev/null "
		  "2>&1",
		  id, (unsigned long long)s1id) != 0,
	      "the s1 map object is deleted");
	check_maps_equal(sa, sb, NULL);
	check_maps_equal(sa, sb, "s2");
	snprintf(s1, sizeof(s1), "%s@s2", sa);
	CHECK(itest_om_clean(sa) && itest_om_clean(s1),
	      "object-map check after rm");

	/* rollback to s2 (cephc) and on the twin (librbd) */
	r = cephc_rbd_snap_rollback(img, "s2", NULL, NULL);
	CHECK(r == 0, "rollback: %s", cephc_strerror(r));
	CHECK(run("rbd snap rollback --no-progress %s@s2", sb) == 0,
	      "rbd rollback");
	check_same_export(sa, s1);
	check_same_export(sa, sb);
	check_maps_equal(sa, sb, NULL);
	CHECK(itest_om_clean(sa), "object-map check after rollback");
	/* writes after the rollback land in HEAD only */
	CHECK(cephc_write(img, 0, 4 * KiB, 50) == 0, "write after rollback");
	snprintf(s2, sizeof(s2), "%s@s2", sb);
	check_same_export(s1, s2);

	/* rename, limit */
	r = cephc_rbd_snap_rename(img, "s2", "s3");
	CHECK(r == 0, "rename: %s", cephc_strerror(r));
	CHECK(output_has(" s3 ", "rbd snap ls %s", sa), "rbd sees s3");
	CHECK(cephc_rbd_snap_rename(img, "nosuch", "x") == CEPHC_ENOENT,
	      "rename of a missing snapshot");
	CHECK(cephc_rbd_snap_set_limit(img, 1) == 0, "limit 1");
	CHECK(cephc_rbd_snap_get_limit(img, &lim) == 0 && lim == 1,
	      "limit reads 1 (%llu)", (unsigned long long)lim);
	CHECK(output_has("1",
			 "rados -p rbd getomapval rbd_header.%s "
			 "snap_limit 2>/dev/null | head -2",
			 id),
	      "snap_limit key");
	r = cephc_rbd_snap_create(img, "s4", 0);
	CHECK(r == CEPHC_EDQUOT, "over the limit: %s", cephc_strerror(r));
	CHECK(cephc_rbd_snap_set_limit(img, UINT64_MAX) == 0, "limit clear");
	CHECK(cephc_rbd_snap_get_limit(img, &lim) == 0 && lim == UINT64_MAX,
	      "no limit");
	CHECK(cephc_rbd_snap_remove(img, "s3") == 0, "rm s3");
	cephc_rbd_close(img);
}

/* librbd snapshots while cephc holds the lock; cephc writes after. */
static void test_librbd_snap(cephc_cluster *c, const char *name)
{
	char spec[128], ss[160], x[64], y[64];
	cephc_rbd_image *img = NULL;
	int r;

	snprintf(spec, sizeof(spec), "rbd/%s", name);
	CHECK(run("rbd create --size 16M %s", spec) == 0, "create");
	r = cephc_rbd_open(c, "rbd", name, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (r)
		return;
	CHECK(cephc_write(img, 0, 64 * KiB, 1) == 0, "cephc write X");
	CHECK(run("rbd snap create --no-progress %s@l1", spec) == 0,
	      "librbd snap create while cephc owns the lock");
	CHECK(cephc_write(img, 0, 64 * KiB, 2) == 0, "cephc write Y");
	cephc_rbd_close(img);
	snprintf(ss, sizeof(ss), "%s@l1", spec);
	/* the snapshot has X, HEAD has Y */
	char *sx = capture("rbd export --no-progress %s - 2>/dev/null | head "
			   "-c 65536 | sha256sum | cut -c1-16",
			   ss);
	char *sy = capture("rbd export --no-progress %s - 2>/dev/null | head "
			   "-c 65536 | sha256sum | cut -c1-16",
			   spec);
	unsigned char *buf = malloc(64 * KiB);
	fill(buf, 64 * KiB, 1);
	FILE *f = fopen("/tmp/snapops.x", "w");
	fwrite(buf, 1, 64 * KiB, f);
	fclose(f);
	fill(buf, 64 * KiB, 2);
	f = fopen("/tmp/snapops.y", "w");
	fwrite(buf, 1, 64 * KiB, f);
	fclose(f);
	free(buf);
	snprintf(x, sizeof(x), "%s",
		 sh_out("sha256sum /tmp/snapops.x | cut -c1-16"));
	snprintf(y, sizeof(y), "%s",
		 sh_out("sha256sum /tmp/snapops.y | cut -c1-16"));
	CHECK(!strcmp(sx, x), "snapshot by librbd holds cephc's data");
	CHECK(!strcmp(sy, y), "cephc's later write is in HEAD");
	free(sx);
	free(sy);
	CHECK(itest_om_clean(spec) && itest_om_clean(ss), "object-map check");
	unlink("/tmp/snapops.x");
	unlink("/tmp/snapops.y");
}

/* cephc snapshots while a librbd client owns the lock. */
static void test_cephc_snap_vs_owner(cephc_cluster *c, const char *name)
{
	char spec[128], ss[160];
	cephc_rbd_image *img = NULL;
	FILE *h;
	char line[256] = "";
	int r;

	snprintf(spec, sizeof(spec), "rbd/%s", name);
	CHECK(run("rbd create --size 16M %s", spec) == 0, "create");
	h = popen(sh_out("printf '/usr/bin/python3 %s/tests/integration/"
			 "rbd_lock_holder.py %s rbd %s auto 30'",
			 getenv("CEPHC_SOURCE_DIR") ? getenv("CEPHC_SOURCE_DIR")
						    : ".",
			 conf, name),
		  "r");
	CHECK(h && fgets(line, sizeof(line), h) && strstr(line, "owner=True"),
	      "librbd holds the lock: %s", line);
	r = cephc_rbd_open(c, "rbd", name, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (!r) {
		double t0 = itest_now();
		r = cephc_rbd_snap_create(img, "c1", 0);
		CHECK(r == 0, "snap create with a librbd owner: %s",
		      cephc_strerror(r));
		printf("cephc snap create (lock from librbd): %.3f s\n",
		       itest_now() - t0);
		cephc_rbd_close(img);
	}
	snprintf(ss, sizeof(ss), "%s@c1", spec);
	CHECK(output_has(" c1 ", "rbd snap ls %s", spec), "rbd lists c1");
	CHECK(output_has("hhhh",
			 "rbd export --no-progress %s - 2>/dev/null "
			 "| head -c 16",
			 ss),
	      "c1 holds librbd's write");
	CHECK(itest_om_clean(spec) && itest_om_clean(ss), "object-map check");
	if (h) {
		run("pkill -TERM -f 'rbd_lock_holder.py %s rbd %s ' "
		    ">/dev/null 2>&1",
		    conf, name);
		while (fgets(line, sizeof(line), h))
			; /* its last words ("exit") */
		pclose(h);
	}
}

static void test_protect_v1(cephc_cluster *c, const char *name)
{
	char spec[128];
	cephc_rbd_image *img = NULL;
	int r;

	snprintf(spec, sizeof(spec), "rbd/%s", name);
	CHECK(run("rbd create --size 8M %s", spec) == 0, "create");
	r = cephc_rbd_open(c, "rbd", name, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (r)
		return;
	CHECK(cephc_rbd_snap_create(img, "p", 0) == 0, "snap p");
	CHECK(cephc_rbd_snap_unprotect(img, "p") == CEPHC_EINVAL,
	      "unprotect of an unprotected snapshot");
	CHECK(cephc_rbd_snap_protect(img, "p") == 0, "protect");
	CHECK(cephc_rbd_snap_protect(img, "p") == CEPHC_EBUSY, "protect again");
	CHECK(output_has("yes", "rbd snap ls %s", spec), "rbd: protected");
	CHECK(cephc_rbd_snap_remove(img, "p") == CEPHC_EBUSY,
	      "remove of a protected snapshot");
	CHECK(run("rbd clone --rbd-default-clone-format 1 %s@p %s-v1", spec,
		  spec) == 0,
	      "v1 clone");
	r = cephc_rbd_snap_unprotect(img, "p");
	CHECK(r == CEPHC_EBUSY, "unprotect with a v1 child: %s",
	      cephc_strerror(r));
	CHECK(output_has("yes", "rbd snap ls %s", spec), "still protected");
	CHECK(run("rbd rm --no-progress %s-v1", spec) == 0, "rm clone");
	CHECK(cephc_rbd_snap_unprotect(img, "p") == 0, "unprotect");
	CHECK(cephc_rbd_snap_remove(img, "p") == 0, "remove");
	cephc_rbd_close(img);
}

static void test_trash_v2(cephc_cluster *c, const char *name)
{
	char spec[128];
	cephc_rbd_image *img = NULL;
	int r;

	snprintf(spec, sizeof(spec), "rbd/%s", name);
	CHECK(run("rbd create --size 8M %s", spec) == 0, "create");
	r = cephc_rbd_open(c, "rbd", name, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (r)
		return;
	CHECK(cephc_write(img, 0, 8 * KiB, 5) == 0, "write");
	CHECK(cephc_rbd_snap_create(img, "t", 0) == 0, "snap t");
	CHECK(run("rbd clone --rbd-default-clone-format 2 %s@t %s-v2", spec,
		  spec) == 0,
	      "v2 clone");
	r = cephc_rbd_snap_remove(img, "t");
	CHECK(r == 0, "remove with a v2 child: %s", cephc_strerror(r));
	cephc_rbd_close(img);
	CHECK(output_has("trash (t)", "rbd snap ls --all %s", spec),
	      "rbd snap ls --all shows it in the trash");
	CHECK(!output_has(" t ", "rbd snap ls %s", spec), "not a user snap");
	char *x =
	    capture("%s rbd snap ls --all %s 2>&1", itest_cephc_bin(), spec);
	char *y = capture("rbd snap ls --all %s 2>&1", spec);
	CHECK(!strcmp(x, y), "cephc snap ls --all:\n%s\nrbd:\n%s", x, y);
	free(x);
	free(y);
	x = capture("%s rbd snap ls --all --format json %s 2>&1",
		    itest_cephc_bin(), spec);
	y = capture("rbd snap ls --all --format json %s 2>&1", spec);
	CHECK(!strcmp(x, y), "cephc snap ls --all json:\n%s\nrbd:\n%s", x, y);
	free(x);
	free(y);
	CHECK(run("%s rbd rm --no-progress %s-v2", itest_cephc_bin(), spec) ==
		  0,
	      "cephc rbd rm of the last clone");
	CHECK(!output_has("trash", "rbd snap ls --all %s", spec),
	      "the trashed snapshot went with its last clone");
	CHECK(!output_has("snap-trash", "rbd info %s", spec),
	      "op features cleared");
}

int main(void)
{
	char a[64], b[64];
	cephc_cluster *c = NULL;
	int r;

	r = itest_connect(&c, &conf);
	if (r)
		return r;
	snprintf(a, sizeof(a), "snopa%d", (int)getpid());
	snprintf(b, sizeof(b), "snopb%d", (int)getpid());
	test_twins(c, a, b);
	run("for i in %s %s; do rbd snap purge --no-progress rbd/$i >/dev/null "
	    "2>&1; rbd rm --no-progress rbd/$i >/dev/null 2>&1; done",
	    a, b);
	snprintf(a, sizeof(a), "snopl%d", (int)getpid());
	test_librbd_snap(c, a);
	run("rbd snap purge --no-progress rbd/%s >/dev/null 2>&1; rbd rm "
	    "--no-progress rbd/%s >/dev/null 2>&1",
	    a, a);
	snprintf(a, sizeof(a), "snopo%d", (int)getpid());
	test_cephc_snap_vs_owner(c, a);
	run("rbd snap purge --no-progress rbd/%s >/dev/null 2>&1; rbd rm "
	    "--no-progress rbd/%s >/dev/null 2>&1",
	    a, a);
	snprintf(a, sizeof(a), "snopp%d", (int)getpid());
	test_protect_v1(c, a);
	run("rbd rm --no-progress rbd/%s >/dev/null 2>&1", a);
	snprintf(a, sizeof(a), "snopt%d", (int)getpid());
	test_trash_v2(c, a);
	run("rbd rm --no-progress rbd/%s >/dev/null 2>&1", a);
	cephc_cluster_destroy(c);
	return itest_report();
}
