/* SPDX-License-Identifier: MIT */
/*
 * `cephc rbd diff` and `cephc rbd du`, printed as rbd 16.2 prints them
 * (tools/rbd/action/Diff.cc, DiskUsage.cc): the same table and JSON
 * shapes, the same warnings on stderr.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephc/errors.h"
#include "rbd_cli.h"

/* rbd's text for an error: strerror for errno values, cephc's own else */
static const char *errtext(int r)
{
	return r > -4096 ? strerror(-r) : cephc_strerror(r);
}

/*
 * JSON and XML as Ceph's formatters write them: JSON compact, or pretty
 * with a four-space indent and "key": value; XML compact, or one element
 * a line with a one-space indent.  Sections carry a JSON key (NULL for
 * array items) and an XML element name.
 */
#define FMT_DEPTH_MAX 8
struct jout {
	bool pretty, xml;
	int depth;
	bool first;
	const char *names[FMT_DEPTH_MAX];
};

static void x_indent(const struct jout *j)
{
	for (int i = 0; j->pretty && i < j->depth; i++)
		putchar(' ');
}

static void j_indent(struct jout *j)
{
	if (!j->pretty)
		return;
	putchar('\n');
	for (int i = 0; i < j->depth; i++)
		fputs("    ", stdout);
}

static void j_sep(struct jout *j)
{
	if (!j->first)
		putchar(',');
	j->first = false;
	j_indent(j);
}

static void j_key(struct jout *j, const char *k)
{
	j_sep(j);
	json_str(stdout, k);
	fputs(j->pretty ? ": " : ":", stdout);
}

static void j_open(struct jout *j, const char *key, const char *name, char c)
{
	if (j->xml) {
		x_indent(j);
		printf(j->pretty ? "<%s>\n" : "<%s>", name);
		if (j->depth < FMT_DEPTH_MAX)
			j->names[j->depth] = name;
		j->depth++;
		return;
	}
	if (key)
		j_key(j, key);
	else if (j->depth)
		j_sep(j);
	putchar(c);
	j->depth++;
	j->first = true;
}

static void j_close(struct jout *j, char c)
{
	bool empty = j->first;

	j->depth--;
	if (j->xml) {
		x_indent(j);
		printf(j->pretty ? "</%s>\n" : "</%s>",
		       j->depth < FMT_DEPTH_MAX ? j->names[j->depth] : "");
		return;
	}
	if (!empty)
		j_indent(j);
	putchar(c);
	j->first = false;
}

static void j_u64(struct jout *j, const char *k, uint64_t v)
{
	if (j->xml) {
		x_indent(j);
		printf(j->pretty ? "<%s>%" PRIu64 "</%s>\n"
				 : "<%s>%" PRIu64 "</%s>",
		       k, v, k);
		return;
	}
	j_key(j, k);
	printf("%" PRIu64, v);
}

static void j_str(struct jout *j, const char *k, const char *v)
{
	if (j->xml) {
		x_indent(j);
		printf("<%s>", k);
		rbdcli_xml_str(v);
		printf(j->pretty ? "</%s>\n" : "</%s>", k);
		return;
	}
	j_key(j, k);
	json_str(stdout, v);
}

/* --format plain|json|xml (rbd refuses json-pretty here, exit 1) and
 * --pretty-format: 0, or the exit code after printing why.  *json:
 * structured output. */
static int out_json(const struct tool_ctx *t, const struct rbd_args *a,
		    struct jout *j, bool *json)
{
	const char *v = t->format ? t->format : "plain";

	*json = false;
	memset(j, 0, sizeof(*j));
	if (!strcmp(v, "json") || !strcmp(v, "xml")) {
		*json = true;
		j->xml = v[0] == 'x';
		j->pretty = a->pretty;
	} else if (strcmp(v, "plain")) {
		fprintf(stderr,
			"rbd: the argument for option '--format' is invalid\n");
		return 1;
	} else if (a->pretty) {
		fprintf(stderr, "rbd: --pretty-format only works when --format "
				"is json or xml\n");
		return 22;
	}
	return 0;
}

/* ---- diff --------------------------------------------------------------- */

struct diff_print {
	struct jout j;
	bool json;
	struct table tb;
};

static int diff_print_cb(void *arg, uint64_t off, uint64_t len, bool exists)
{
	struct diff_print *p = arg;
	char o[24], l[24];

	if (p->json) {
		j_open(&p->j, NULL, "extent", '{');
		j_u64(&p->j, "offset", off);
		j_u64(&p->j, "length", len);
		j_str(&p->j, "exists", exists ? "true" : "false");
		j_close(&p->j, '}');
		return 0;
	}
	snprintf(o, sizeof(o), "%" PRIu64, off);
	snprintf(l, sizeof(l), "%" PRIu64, len);
	return rbdcli_tbl_row(
	    &p->tb, (const char *const[]){o, l, exists ? "data" : "zero"});
}

int rbdcli_do_diff(struct tool_ctx *t, struct rbd_args *a)
{
	static const char *const head[] = {"Offset", "Length", "Type"};
	static const bool right[] = {false, false, false};
	struct diff_print p = {0};
	cephc_rbd_image *img;
	int r;

	if ((r = out_json(t, a, &p.j, &p.json)))
		return r;
	if (rbdcli_parse_spec(a, a->pos[0], true))
		return 22;
	if ((r = rbdcli_open_spec(t, a, true, &img)))
		return tool_exit_code(r);
	if (p.json)
		j_open(&p.j, NULL, "extents", '[');
	else
		rbdcli_tbl_init(&p.tb, head, right, 3);
	/* rbd diff: the whole image, parent included */
	r = cephc_rbd_diff_iterate(img, a->from_snap, 0, UINT64_MAX, true,
				   a->whole_object, diff_print_cb, &p);
	cephc_rbd_close(img);
	if (p.json) {
		j_close(&p.j, ']');
		putchar('\n');
	} else {
		rbdcli_tbl_print_fini(&p.tb);
	}
	if (r)
		return rbdcli_fail_errno("diff error", r);
	return 0;
}

/* ---- du ----------------------------------------------------------------- */

struct du_ctx {
	struct tool_ctx *t;
	struct rbd_args *a;
	bool json, exact;
	struct jout j;
	struct table tb;
	unsigned count;
	uint64_t total_prov, total_used;
};

static int exact_cb(void *arg, uint64_t off, uint64_t len, bool exists)
{
	(void)off;
	if (exists)
		*(uint64_t *)arg += len;
	return 0;
}

/* One row: the image (at its opened version) since from (NULL: creation). */
static int du_one(struct du_ctx *d, cephc_rbd_image *img, const char *name,
		  const char *id, const struct cephc_rbd_snap_entry *snap,
		  const char *from, uint64_t *used)
{
	uint64_t prov = 0, flags = 0;
	char full[2048], ps[32], us[32];
	int r;

	r = cephc_rbd_get_flags(img, &flags);
	if (r) {
		rbdcli_fail_errno("failed to retrieve image flags", r);
		return r;
	}
	if (flags & CEPHC_RBD_IMAGE_FLAG_FAST_DIFF_INVALID)
		fprintf(stderr,
			"warning: fast-diff map is invalid for %s%s%s. "
			"operation may be slow.\n",
			name, snap ? "@" : "", snap ? snap->name : "");
	*used = 0;
	if (d->exact) {
		struct cephc_rbd_info info;

		r = cephc_rbd_stat(img, &info);
		prov = info.size;
		if (!r)
			r = cephc_rbd_diff_iterate(img, from, 0, UINT64_MAX,
						   false, false, exact_cb,
						   used);
	} else {
		r = cephc_rbd_du(img, from, &prov, used);
	}
	if (r) {
		rbdcli_fail_errno("failed to iterate diffs", r);
		return r;
	}
	if (d->json) {
		j_open(&d->j, NULL, "image", '{');
		j_str(&d->j, "name", name);
		j_str(&d->j, "id", id);
		if (snap) {
			j_str(&d->j, "snapshot", snap->name);
			j_u64(&d->j, "snapshot_id", snap->id);
		}
		j_u64(&d->j, "provisioned_size", prov);
		j_u64(&d->j, "used_size", *used);
		j_close(&d->j, '}');
	} else {
		snprintf(full, sizeof(full), "%s%s%s", name, snap ? "@" : "",
			 snap ? snap->name : "");
		rbdcli_fmt_bytes(prov, ps, sizeof(ps));
		rbdcli_fmt_bytes(*used, us, sizeof(us));
		r = rbdcli_tbl_row(&d->tb, (const char *const[]){full, ps, us});
		if (r)
			return r;
	}
	d->count++;
	d->total_used += *used;
	return 0;
}

static int cmp_snap(const void *x, const void *y)
{
	uint64_t a = ((const struct cephc_rbd_snap_entry *)x)->id;
	uint64_t b = ((const struct cephc_rbd_snap_entry *)y)->id;

	return a < b ? -1 : a > b;
}

/* Rows for one image: each user snapshot since the one before (from
 * from_snap on when given), then HEAD; or only up to a->snap. */
static int du_image(struct du_ctx *d, const char *name, const char *id)
{
	struct rbd_args *a = d->a;
	struct cephc_rbd_snap_entry *snaps = NULL;
	struct cephc_rbd_info info;
	cephc_rbd_image *img;
	const char *last = NULL;
	bool found_from = !a->from_snap;
	uint64_t used, snap_id = UINT64_MAX, from_id = UINT64_MAX;
	uint32_t n = 0, k = 0;
	int r;

	r = cephc_rbd_open_ns(d->t->cluster, a->pool, a->ns, name, NULL,
			      CEPHC_RBD_OPEN_READ_ONLY, &img);
	if (r == CEPHC_ENOENT)
		return 1; /* removed meanwhile: skipped, as rbd does */
	if (r) {
		fprintf(stderr, "rbd: error opening %s: (%d) %s\n", name, -r,
			errtext(r));
		return 0;
	}
	r = cephc_rbd_stat(img, &info);
	if (!r && !(info.features & CEPHC_RBD_FEAT_FAST_DIFF))
		fprintf(stderr,
			"warning: fast-diff map is not enabled for %s. "
			"operation may be slow.\n",
			name);
	if (!r)
		r = cephc_rbd_snap_list(img, &snaps, &n);
	if (r) {
		fprintf(stderr, "rbd: error opening %s snapshots: (%d) %s\n",
			name, -r, errtext(r));
		cephc_rbd_close(img);
		return 0;
	}
	/* user snapshots only, by id */
	for (uint32_t i = 0; i < n; i++)
		if (snaps[i].ns_type == 0)
			snaps[k++] = snaps[i];
	n = k;
	qsort(snaps, n, sizeof(*snaps), cmp_snap);
	for (uint32_t i = 0; i < n; i++) {
		if (a->snap && !strcmp(snaps[i].name, a->snap))
			snap_id = snaps[i].id;
		if (a->from_snap && !strcmp(snaps[i].name, a->from_snap))
			from_id = snaps[i].id;
	}
	if ((a->snap && snap_id == UINT64_MAX) ||
	    (a->from_snap && from_id == UINT64_MAX)) {
		fprintf(stderr, "specified snapshot is not found.\n");
		r = CEPHC_ENOENT;
		goto out;
	}
	if (a->snap && a->from_snap && from_id >= snap_id) {
		r = from_id == snap_id ? 0 : CEPHC_EINVAL;
		if (!r)
			r = 2; /* nothing to report */
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		cephc_rbd_image *si;

		if (!a->image || found_from) {
			r = cephc_rbd_open_ns(d->t->cluster, a->pool, a->ns,
					      name, snaps[i].name,
					      CEPHC_RBD_OPEN_READ_ONLY, &si);
			if (r) {
				fprintf(stderr,
					"rbd: error opening snapshot %s@%s: "
					"(%d) %s\n",
					name, snaps[i].name, -r, errtext(r));
				goto out;
			}
			r = du_one(d, si, name, id, &snaps[i], last, &used);
			cephc_rbd_close(si);
			if (r)
				goto out;
			if (a->snap)
				d->total_prov += snaps[i].size;
		}
		if (!found_from && !strcmp(snaps[i].name, a->from_snap))
			found_from = true;
		if (a->snap && !strcmp(snaps[i].name, a->snap))
			break;
		last = snaps[i].name;
	}
	if (!a->snap) {
		r = du_one(d, img, name, id, NULL, last, &used);
		if (!r)
			r = cephc_rbd_stat(img, &info);
		if (!r)
			d->total_prov += info.size;
	}
out:
	cephc_buffer_free(snaps);
	cephc_rbd_close(img);
	return r;
}

int rbdcli_do_du(struct tool_ctx *t, struct rbd_args *a)
{
	static const char *const head[] = {"NAME", "PROVISIONED", "USED"};
	static const bool right[] = {false, true, true};
	struct cephc_rbd_image_spec *specs = NULL;
	struct du_ctx d = {.t = t, .a = a, .exact = a->exact};
	bool found = false;
	size_t n = 0;
	int r, rc = 0;

	if ((r = out_json(t, a, &d.j, &d.json)))
		return r;
	if (a->pos[0]) {
		if (rbdcli_parse_spec(a, a->pos[0], true))
			return 22;
	} else if (!a->pool) {
		a->pool = "rbd";
	}
	if ((r = rbdcli_check_namespace(t, a)))
		return rbdcli_fail("du failed", r);
	r = cephc_rbd_list_ns(t->cluster, a->pool, a->ns, &specs, &n);
	if (r == CEPHC_ENOENT)
		r = 0;
	if (r)
		return rbdcli_fail("du failed", r);
	for (size_t i = 0; a->image && i < n && !found; i++)
		found = !strcmp(specs[i].name, a->image);
	if (a->image && !found) {
		/* rbd prints neither the table nor the JSON then */
		fprintf(stderr, "specified image %s is not found.\n", a->image);
		cephc_buffer_free(specs);
		return rbdcli_fail_errno("du failed", CEPHC_ENOENT);
	}
	if (d.json) {
		j_open(&d.j, NULL, "stats", '{');
		j_open(&d.j, "images", "images", '[');
	} else {
		rbdcli_tbl_init(&d.tb, head, right, 3);
	}
	for (size_t i = 0; i < n && !r; i++) {
		if (a->image && strcmp(specs[i].name, a->image))
			continue;
		r = du_image(&d, specs[i].name, specs[i].id);
		if (r == 1) {
			r = 0;
			continue;
		}
		if (r == 2) {
			/* from == snap: rbd prints nothing at all */
			cephc_buffer_free(specs);
			return 0;
		}
	}
	if (d.json) {
		j_close(&d.j, ']');
		if (!a->image) {
			j_u64(&d.j, "total_provisioned_size", d.total_prov);
			j_u64(&d.j, "total_used_size", d.total_used);
		}
		j_close(&d.j, '}');
		putchar('\n');
	} else if (n) {
		char ps[32], us[32];

		if (d.count > 1) {
			rbdcli_fmt_bytes(d.total_prov, ps, sizeof(ps));
			rbdcli_fmt_bytes(d.total_used, us, sizeof(us));
			rbdcli_tbl_row(
			    &d.tb, (const char *const[]){"<TOTAL>", ps, us});
		}
		rbdcli_tbl_print_fini(&d.tb);
	} else {
		rbdcli_tbl_print_fini(&d.tb);
	}
	cephc_buffer_free(specs);
	if (r)
		rc = rbdcli_fail_errno("du failed", r);
	return rc;
}
