/* SPDX-License-Identifier: MIT */
/*
 * Object-map states that cephc's writes leave, beside librbd's on twin
 * images (reference rbd-features.md section 10, cases 2, 11, 12, 14):
 *
 * 11 the same writes and discards (whole object, tail, middle; 64 KiB
 *    aligned, as librbd skips smaller partial discards) through cephc on
 *    one image and through librbd (python3-rbd) on its twin: the stored
 *    maps are byte for byte the same (states and CRCs), `rbd diff` agrees,
 *    both pass `rbd object-map check`;
 *  2 with a snapshot in between (fast-diff: EXISTS_CLEAN back to EXISTS);
 * 12 a v2 clone with a snapshot of its own: cephc's partial writes copy up
 *    the parent's bytes, the snapshot's map is updated too, `rbd
 *    object-map check` is clean for the clone and its snapshot, and the
 *    snapshot still reads as the parent did; `rbd flatten` then works and
 *    the parent's snapshot, removed meanwhile, leaves the trash;
 * 14 an invalid map (a data object put behind its back): cephc still
 *    writes and discards right (it does not trust the map), and a rebuild
 *    clears the flags.
 */
#include <stdarg.h>
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

#define MiB (1u << 20)
#define KiB 1024u

static const char *conf;

/* One step of the twin scenario: cephc on img, librbd on twin. */
enum op_kind { W, D };
struct step {
	enum op_kind kind;
	uint64_t off, len;
};

/* 8 objects of 4 MiB */
static const struct step steps1[] = {
    {W, 0, 4 * MiB},                    /* whole object 0 */
    {W, 4 * MiB + 100, 8 * KiB},        /* part of object 1 */
    {W, 8 * MiB, 4 * MiB},              /* object 2 */
    {W, 20 * MiB + 64 * KiB, 64 * KiB}, /* object 5 */
    {W, 24 * MiB, 3 * MiB},             /* object 6 */
};
static const struct step steps2[] = {
    {D, 8 * MiB, 4 * MiB},               /* whole object 2 */
    {D, 24 * MiB + 2 * MiB, 2 * MiB},    /* tail of object 6 */
    {D, 20 * MiB, 256 * KiB},            /* middle of object 5 */
    {D, 12 * MiB, 4 * MiB},              /* object 3: never written */
    {W, 28 * MiB + 512 * KiB, 64 * KiB}, /* object 7 */
};

static void cephc_steps(cephc_rbd_image *img, const struct step *s, size_t n,
			unsigned seed)
{
	unsigned char *buf = malloc(4 * MiB);
	int r;

	for (size_t i = 0; i < n; i++) {
		if (s[i].kind == W) {
			fill(buf, (size_t)s[i].len, seed + (unsigned)i);
			r = cephc_rbd_write(img, s[i].off, (size_t)s[i].len,
					    buf);
		} else {
			r = cephc_rbd_discard(img, s[i].off, s[i].len);
		}
		CHECK(r == 0, "cephc step %zu: %s", i, cephc_strerror(r));
	}
	free(buf);
}

/* The same through python3-rbd (librbd), with the same bytes. */
static void librbd_steps(const char *name, const struct step *s, size_t n,
			 unsigned seed)
{
	char script[8192];
	size_t k = 0;

	k += (size_t)snprintf(script + k, sizeof(script) - k,
			      "import rados, rbd\n" ITEST_PY_FILL
			      "c = rados.Rados(conffile='%s'); c.connect()\n"
			      "io = c.open_ioctx('rbd')\n"
			      "im = rbd.Image(io, '%s')\n",
			      conf, name);
	for (size_t i = 0; i < n; i++) {
		if (s[i].kind == W)
			k += (size_t)snprintf(
			    script + k, sizeof(script) - k,
			    "im.write(fill(%llu, %u), %llu)\n",
			    (unsigned long long)s[i].len, seed + (unsigned)i,
			    (unsigned long long)s[i].off);
		else
			k += (size_t)snprintf(script + k, sizeof(script) - k,
					      "im.discard(%llu, %llu)\n",
					      (unsigned long long)s[i].off,
					      (unsigned long long)s[i].len);
	}
	k += (size_t)snprintf(script + k, sizeof(script) - k,
			      "im.close(); io.close(); c.shutdown()\n");
	{
		char path[128];
		FILE *f;

		snprintf(path, sizeof(path), "/tmp/omio.%d.py", (int)getpid());
		f = fopen(path, "w");
		fputs(script, f);
		fclose(f);
		CHECK(run("/usr/bin/python3 %s", path) == 0, "librbd steps");
		unlink(path);
	}
}

static void test_twins(cephc_cluster *c, const char *a, const char *b)
{
	char sa[128], sb[128];
	cephc_rbd_image *img = NULL;
	char *ha, *hb, *da, *db;
	int r;

	snprintf(sa, sizeof(sa), "rbd/%s", a);
	snprintf(sb, sizeof(sb), "rbd/%s", b);
	run("rbd create --size 32M %s && rbd create --size 32M %s", sa, sb);
	r = cephc_rbd_open(c, "rbd", a, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (r)
		return;
	cephc_steps(img, steps1, sizeof(steps1) / sizeof(steps1[0]), 100);
	cephc_rbd_close(img);
	librbd_steps(b, steps1, sizeof(steps1) / sizeof(steps1[0]), 100);
	ha = itest_map_hex(sa, NULL);
	hb = itest_map_hex(sb, NULL);
	CHECK(*ha && !strcmp(ha, hb),
	      "maps after writes:\ncephc  %s\nlibrbd %s", ha, hb);
	free(ha);
	free(hb);
	/* a snapshot: fast-diff marks everything EXISTS_CLEAN */
	run("rbd snap create --no-progress %s@s && rbd snap create "
	    "--no-progress %s@s",
	    sa, sb);
	r = cephc_rbd_open(c, "rbd", a, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (r)
		return;
	cephc_steps(img, steps2, sizeof(steps2) / sizeof(steps2[0]), 200);
	cephc_rbd_close(img);
	librbd_steps(b, steps2, sizeof(steps2) / sizeof(steps2[0]), 200);
	ha = itest_map_hex(sa, NULL);
	hb = itest_map_hex(sb, NULL);
	CHECK(*ha && !strcmp(ha, hb),
	      "maps after discards:\ncephc  %s\nlibrbd %s", ha, hb);
	free(ha);
	free(hb);
	da = capture("rbd diff --format json %s", sa);
	db = capture("rbd diff --format json %s", sb);
	CHECK(!strcmp(da, db), "rbd diff:\ncephc  %s\nlibrbd %s", da, db);
	free(da);
	free(db);
	da = capture("rbd diff --whole-object --from-snap s %s", sa);
	db = capture("rbd diff --whole-object --from-snap s %s", sb);
	CHECK(!strcmp(da, db), "fast diff from s:\ncephc  %s\nlibrbd %s", da,
	      db);
	free(da);
	free(db);
	da = capture("rbd export --no-progress %s - | md5sum", sa);
	db = capture("rbd export --no-progress %s - | md5sum", sb);
	CHECK(!strcmp(da, db), "contents differ");
	free(da);
	free(db);
	CHECK(itest_om_clean(sa), "object-map check %s", sa);
	CHECK(itest_om_clean(sb), "object-map check %s (librbd)", sb);
	snprintf(sa, sizeof(sa), "rbd/%s@s", a);
	CHECK(itest_om_clean(sa), "object-map check %s", sa);
}

/* 12: copy-up into a v2 clone with a snapshot */
static void test_clone(cephc_cluster *c, const char *p, const char *ch)
{
	char sp[128], sc[128], cmd[1024];
	cephc_rbd_image *img = NULL;
	unsigned char buf[8192];
	char *x = NULL, *y;
	int r;

	snprintf(sp, sizeof(sp), "rbd/%s", p);
	snprintf(sc, sizeof(sc), "rbd/%s", ch);
	snprintf(cmd, sizeof(cmd),
		 "rbd create --size 16M %s && rbd bench --io-type write "
		 "--io-size 1M --io-total 16M %s >/dev/null && rbd snap "
		 "create --no-progress %s@s && rbd clone "
		 "--rbd-default-clone-format 2 "
		 "%s@s %s && rbd snap create --no-progress %s@c1",
		 sp, sp, sp, sp, sc, sc);
	CHECK(run("%s", cmd) == 0, "clone setup");
	r = cephc_rbd_open(c, "rbd", ch, NULL, 0, &img);
	CHECK(r == 0, "open clone: %s", cephc_strerror(r));
	if (r)
		return;
	fill(buf, sizeof(buf), 9);
	/* partial writes into objects 0 and 2: copy-ups */
	r = cephc_rbd_write(img, 512, sizeof(buf), buf);
	CHECK(r == 0, "clone write: %s", cephc_strerror(r));
	r = cephc_rbd_write(img, 8 * MiB + 4096, sizeof(buf), buf);
	CHECK(r == 0, "clone write: %s", cephc_strerror(r));
	/* a whole-object discard inside the overlap: an empty object */
	r = cephc_rbd_discard(img, 12 * MiB, 4 * MiB);
	CHECK(r == 0, "clone discard: %s", cephc_strerror(r));
	cephc_rbd_close(img);
	CHECK(itest_om_clean(sc), "object-map check %s", sc);
	snprintf(cmd, sizeof(cmd), "%s@c1", sc);
	CHECK(itest_om_clean(cmd), "object-map check %s", cmd);
	x = capture("rbd export --no-progress %s@c1 - | md5sum", sc);
	y = capture("rbd export --no-progress %s@s - | md5sum", sp);
	CHECK(!strcmp(x, y), "the clone's snapshot changed");
	free(x);
	free(y);
	/* librbd flattens what cephc copied up: the parent's snapshot,
	 * removed meanwhile (into the trash, a child still needing it),
	 * goes with the flatten */
	x = capture("rbd export --no-progress %s - | md5sum", sc);
	CHECK(run("rbd snap rm --no-progress %s@s >/dev/null 2>&1 && "
		  "rbd flatten --no-progress %s >/dev/null 2>&1",
		  sp, sc) == 0,
	      "rbd flatten after cephc's copy-ups");
	y = capture("rbd export --no-progress %s - | md5sum", sc);
	CHECK(!strcmp(x, y), "the clone changed when flattened");
	free(x);
	free(y);
	CHECK(itest_om_clean(sc), "object-map check %s after flatten", sc);
	x = capture("rbd snap ls --all %s", sp);
	CHECK(!*x, "the parent's trashed snapshot stayed: %s", x);
	free(x);
	run("rbd snap purge %s >/dev/null 2>&1; rbd rm --no-progress %s "
	    ">/dev/null 2>&1; rbd snap purge %s >/dev/null 2>&1; rbd rm "
	    "--no-progress %s >/dev/null 2>&1",
	    sc, sc, sp, sp);
}

/* 14: an invalid map is not trusted */
static void test_invalid(cephc_cluster *c, const char *name)
{
	char spec[128], id[64];
	cephc_rbd_image *img = NULL;
	unsigned char buf[4096];
	char *x;
	int r;

	snprintf(spec, sizeof(spec), "rbd/%s", name);
	run("rbd create --size 16M %s", spec);
	itest_image_id(spec, id, sizeof(id));
	/* object 1 behind the map's back: rbd's check flags the map */
	run("head -c 4096 /dev/urandom | rados -p rbd put "
	    "rbd_data.%s.0000000000000001 -",
	    id);
	run("rbd object-map check %s >/dev/null 2>&1", spec);
	x = capture("rbd info %s", spec);
	CHECK(strstr(x, "flags: object map invalid") != NULL,
	      "rbd did not flag the map: %s", x);
	free(x);
	r = cephc_rbd_open(c, "rbd", name, NULL, 0, &img);
	CHECK(r == 0, "open: %s", cephc_strerror(r));
	if (r)
		return;
	/* the map says object 1 does not exist: a discard must still go */
	r = cephc_rbd_discard(img, 4 * MiB, 4 * MiB);
	CHECK(r == 0, "discard: %s", cephc_strerror(r));
	fill(buf, sizeof(buf), 3);
	r = cephc_rbd_write(img, 8 * MiB, sizeof(buf), buf);
	CHECK(r == 0, "write: %s", cephc_strerror(r));
	cephc_rbd_close(img);
	x = capture("rados -p rbd stat rbd_data.%s.0000000000000001 2>&1", id);
	CHECK(strstr(x, "No such file") != NULL,
	      "the stray object survived the discard: %s", x);
	free(x);
	CHECK(run("%s rbd object-map rebuild %s >/dev/null 2>&1",
		  itest_cephc_bin(), spec) == 0,
	      "cephc rbd object-map rebuild");
	CHECK(itest_om_clean(spec), "after rebuild");
	run("rbd rm --no-progress %s >/dev/null 2>&1", spec);
}

int main(void)
{
	char a[64], b[64];
	cephc_cluster *c = NULL;
	int r;

	r = itest_connect(&c, &conf);
	if (r)
		return r;
	snprintf(a, sizeof(a), "omioa%d", (int)getpid());
	snprintf(b, sizeof(b), "omiob%d", (int)getpid());
	test_twins(c, a, b);
	run("for i in %s %s; do rbd snap purge rbd/$i >/dev/null 2>&1; rbd rm "
	    "--no-progress rbd/$i >/dev/null 2>&1; done",
	    a, b);
	snprintf(a, sizeof(a), "omiop%d", (int)getpid());
	snprintf(b, sizeof(b), "omioc%d", (int)getpid());
	test_clone(c, a, b);
	snprintf(a, sizeof(a), "omioi%d", (int)getpid());
	test_invalid(c, a);
	cephc_cluster_destroy(c);
	return itest_report();
}
