/* SPDX-License-Identifier: MIT */
/*
 * Set-up shared by the RBD integration tests that check cephc's images
 * beside librbd's (twin images, clones, snapshots): the cluster from
 * CEPHC_TEST_CONF, and what Ceph's own tools say of an image (its id,
 * its stored object map, `rbd object-map check`, `rbd export`).
 * Header-only, after itest_shell.h; each test includes it once.
 */
#ifndef CEPHC_TESTS_ITEST_RBD_H
#define CEPHC_TESTS_ITEST_RBD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "itest_shell.h"

/*
 * Connect *c to the cluster of $CEPHC_TEST_CONF (also exported as
 * CEPH_CONF for rbd, rados and python3-rbd); *conf gets that path.
 * 0 when connected; otherwise main's exit status: 77 (skipped) without
 * a cluster, 1 when one is required (CEPHC_REQUIRE_CLUSTER=1) or the
 * connect fails.
 */
static inline int itest_connect(cephc_cluster **c, const char **conf)
{
	const char *path = getenv("CEPHC_TEST_CONF");
	int r;

	*c = NULL;
	if (conf)
		*conf = path;
	if (!path || !*path) {
		const char *req = getenv("CEPHC_REQUIRE_CLUSTER");

		printf("%s: no cluster (CEPHC_TEST_CONF is not set)\n",
		       req && !strcmp(req, "1") ? "FAIL" : "skipped");
		return req && !strcmp(req, "1") ? 1 : 77;
	}
	setenv("CEPH_CONF", path, 1);
	r = cephc_cluster_create(c, NULL);
	if (!r)
		r = cephc_cluster_conf_read_file(*c, path);
	if (!r)
		r = cephc_cluster_connect(*c);
	if (r) {
		fprintf(stderr, "connect: %s\n", cephc_strerror(r));
		cephc_cluster_destroy(*c);
		*c = NULL;
		return 1;
	}
	return 0;
}

/* The cephc CLI: $CEPHC_BIN, else the one in $CEPHC_BUILD_DIR (ctest sets
 * that for C tests), else ./cephc. */
static inline const char *itest_cephc_bin(void)
{
	static char path[4096];
	const char *b = getenv("CEPHC_BIN"), *d = getenv("CEPHC_BUILD_DIR");

	if (b && *b)
		return b;
	snprintf(path, sizeof(path), "%s/cephc", d && *d ? d : ".");
	return path;
}

/* The image id of spec as `rbd info` gives it ("" when rbd fails). */
static inline void itest_image_id(const char *spec, char *id, size_t cap)
{
	char *out = capture("rbd info --format json %s | /usr/bin/python3 -c "
			    "'import json,sys; print(json.load(sys.stdin)"
			    "[\"id\"])'",
			    spec);

	out[strcspn(out, "\n")] = '\0';
	snprintf(id, cap, "%s", out);
	free(out);
}

/* The id of snapshot snap of spec as `rbd snap ls` gives it (0: none). */
static inline uint64_t itest_snap_id(const char *spec, const char *snap)
{
	char *out = capture(
	    "rbd snap ls --format json %s | /usr/bin/python3 -c 'import "
	    "json,sys; print([s[\"id\"] for s in json.load(sys.stdin) if "
	    "s[\"name\"] == \"%s\"][0])' 2>/dev/null",
	    spec, snap);
	uint64_t id = strtoull(out, NULL, 10);

	free(out);
	return id;
}

/* The stored object map of spec in pool rbd (at snapshot snap, or HEAD
 * for NULL), in hex ("" when there is none); the caller frees it. */
static inline char *itest_map_hex(const char *spec, const char *snap)
{
	char id[64], suffix[32] = "";

	itest_image_id(spec, id, sizeof(id));
	if (snap)
		snprintf(suffix, sizeof(suffix), ".%016llx",
			 (unsigned long long)itest_snap_id(spec, snap));
	return capture("rados -p rbd get rbd_object_map.%s%s - 2>/dev/null | "
		       "od -An -tx1 -v | tr -d ' \\n'",
		       id, suffix);
}

/* `rbd object-map check` passes and `rbd info` shows no invalid flag. */
static inline bool itest_om_clean(const char *spec)
{
	char *info;
	bool ok = run("rbd object-map check %s >/dev/null 2>&1", spec) == 0;

	info = capture("rbd info %s", spec);
	ok = ok && !strstr(info, "flags: object");
	free(info);
	return ok;
}

/* `rbd export` of spec is exactly want[0, len). */
static inline bool itest_export_equals(const char *spec,
				       const unsigned char *want, size_t len)
{
	char cmd[512];
	unsigned char *got = malloc(len + 1);
	size_t n = 0, r;
	bool ok;
	FILE *p;

	snprintf(cmd, sizeof(cmd), "rbd export --no-progress %s - 2>/dev/null",
		 spec);
	p = got ? popen(cmd, "r") : NULL;
	if (!p) {
		free(got);
		return false;
	}
	/* one byte more than expected: a longer export must not match */
	while (n < len + 1 && (r = fread(got + n, 1, len + 1 - n, p)) > 0)
		n += r;
	pclose(p);
	ok = n == len && memcmp(got, want, len) == 0;
	free(got);
	return ok;
}

/* The tests' fill() in Python, for scripts that write through librbd
 * (python3-rbd) the bytes cephc writes: def fill(n, seed) -> bytes. */
#define ITEST_PY_FILL                                                          \
	"def fill(n, seed):\n"                                                 \
	"    out = bytearray(n)\n"                                             \
	"    for i in range(n):\n"                                             \
	"        seed = (seed * 1103515245 + 12345) & 0xffffffff\n"            \
	"        out[i] = (seed >> 16) & 0xff\n"                               \
	"    return bytes(out)\n"

#endif /* CEPHC_TESTS_ITEST_RBD_H */
