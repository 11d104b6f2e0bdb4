/* SPDX-License-Identifier: MIT */
/*
 * `cephc rbd clone|children|flatten`, with rbd's syntax and output
 * (pacific tools/rbd/action/Clone.cc, Children.cc, Flatten.cc).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cephc/errors.h"
#include "cephc/rbd.h"
#include "rbd_cli_clone.h"
#include "tool_common.h"

struct spec_copy {
	char pool[256], ns[1025], image[1025], snap[4097];
	bool has_ns, has_snap;
};

/* Parse spec (with -p/--namespace/--image/--snap as rbd_args has them for
 * the first one) into c; parse_spec keeps its parts in static storage. */
static int spec_take(const struct rbd_args *base, const char *spec, bool first,
		     struct spec_copy *c)
{
	struct rbd_args a = {0};

	if (first) {
		a.pool = base->pool;
		a.ns = base->ns;
		a.image = base->image;
		a.snap = base->snap;
	}
	if (rbdcli_parse_spec(&a, spec, true))
		return -1;
	snprintf(c->pool, sizeof(c->pool), "%s", a.pool);
	snprintf(c->ns, sizeof(c->ns), "%s", a.ns ? a.ns : "");
	snprintf(c->image, sizeof(c->image), "%s", a.image);
	snprintf(c->snap, sizeof(c->snap), "%s", a.snap ? a.snap : "");
	c->has_ns = a.ns != NULL;
	c->has_snap = a.snap != NULL;
	return 0;
}

int rbdcli_clone(struct tool_ctx *t, struct rbd_args *a)
{
	struct cephc_rbd_create_opts co = {0};
	struct cephc_rbd_clone_opts o = {0, &co};
	struct spec_copy p, c;
	struct rbd_args ca = {0};
	int r;

	if (spec_take(a, a->pos[0], true, &p))
		return 22;
	if (!p.has_snap) {
		fprintf(stderr, "rbd: snapshot name was not specified\n");
		return 22;
	}
	if (!a->pos[1]) {
		fprintf(stderr, "rbd: destination image name was not "
				"specified\n");
		return 22;
	}
	if (spec_take(a, a->pos[1], false, &c))
		return 22;
	if (c.has_snap) {
		fprintf(stderr, "rbd: destination snapshot name specified for "
				"a command that doesn't use it\n");
		return 22;
	}
	ca.pool = c.pool;
	ca.ns = c.has_ns ? c.ns : NULL;
	if ((r = rbdcli_check_namespace(t, &ca)))
		return tool_exit_code(r);
	co.order = a->order;
	co.stripe_unit = a->stripe_unit;
	co.stripe_count = a->stripe_count;
	co.data_pool = a->data_pool;
	co.features = a->features;
	r = cephc_rbd_clone(t->cluster, p.pool, p.ns, p.image, p.snap, c.pool,
			    c.ns, c.image, &o);
	return r ? rbdcli_fail("clone error", r) : 0;
}

/* ---- children ---------------------------------------------------------- */

enum kid_fmt { KID_PLAIN, KID_JSON, KID_XML };

struct kid_out {
	enum kid_fmt fmt;
	bool pretty, all, first;
};

/* One field of a child: JSON "key": value or XML <key>value</key>, as
 * rbd's formatters print them (pretty: one per line, indented). */
static void kid_field(const struct kid_out *k, const char *key, const char *val,
		      bool quoted, bool first)
{
	if (k->fmt == KID_XML) {
		printf("%s<%s>", k->pretty ? "  " : "", key);
		rbdcli_xml_str(val);
		printf("</%s>%s", key, k->pretty ? "\n" : "");
		return;
	}
	printf("%s%s\"%s\":%s", first ? "" : ",", k->pretty ? "\n        " : "",
	       key, k->pretty ? " " : "");
	if (quoted)
		json_str(stdout, val);
	else
		fputs(val, stdout);
}

static void kid_print(struct kid_out *k, const struct cephc_rbd_child *ch)
{
	if (ch->trash && !k->all)
		return;
	if (k->fmt == KID_PLAIN) {
		printf("%s/%s%s%s", ch->pool_name, ch->pool_namespace,
		       *ch->pool_namespace ? "/" : "", ch->image_name);
		if (ch->trash)
			printf(" (trash %s)", ch->image_id);
		printf("\n");
		return;
	}
	if (k->fmt == KID_XML)
		printf(k->pretty ? " <child>\n" : "<child>");
	else
		printf("%s%s{", k->first ? "" : ",", k->pretty ? "\n    " : "");
	k->first = false;
	kid_field(k, "pool", ch->pool_name, true, true);
	kid_field(k, "pool_namespace", ch->pool_namespace, true, false);
	kid_field(k, "image", ch->image_name, true, false);
	if (k->all) {
		kid_field(k, "id", ch->image_id, true, false);
		kid_field(k, "trash", ch->trash ? "true" : "false", false,
			  false);
	}
	if (k->fmt == KID_XML)
		printf(k->pretty ? " </child>\n" : "</child>");
	else
		printf("%s}", k->pretty ? "\n    " : "");
}

/* The children of img's snapshot, and with descendants theirs, depth
 * first as rbd lists them. */
static int kids_walk(struct tool_ctx *t, cephc_rbd_image *img,
		     struct kid_out *k, bool descendants, unsigned depth)
{
	struct cephc_rbd_child *v = NULL;
	uint32_t n = 0;
	int r;

	r = cephc_rbd_list_children(img, &v, &n);
	for (uint32_t i = 0; !r && i < n; i++) {
		struct cephc_rbd_snap_entry *snaps = NULL;
		uint32_t ns = 0;
		cephc_rbd_image *ci;

		kid_print(k, &v[i]);
		if (!descendants || depth >= 32)
			continue;
		if (cephc_rbd_open_by_id(t->cluster, v[i].pool_name,
					 v[i].pool_namespace, v[i].image_id,
					 NULL, CEPHC_RBD_OPEN_READ_ONLY, &ci))
			continue;
		if (!cephc_rbd_snap_list(ci, &snaps, &ns)) {
			for (uint32_t j = 0; !r && j < ns; j++) {
				cephc_rbd_image *si;

				if (cephc_rbd_open_by_id(
					t->cluster, v[i].pool_name,
					v[i].pool_namespace, v[i].image_id,
					snaps[j].name, CEPHC_RBD_OPEN_READ_ONLY,
					&si))
					continue;
				r = kids_walk(t, si, k, true, depth + 1);
				cephc_rbd_close(si);
			}
			cephc_buffer_free(snaps);
		}
		cephc_rbd_close(ci);
	}
	cephc_buffer_free(v);
	return r;
}

int rbdcli_children(struct tool_ctx *t, struct rbd_args *a)
{
	struct kid_out k = {KID_PLAIN, a->pretty, a->all, true};
	cephc_rbd_image *img;
	int r;

	if (rbdcli_parse_spec(a, a->pos[0], true))
		return 22;
	if (!a->snap) {
		fprintf(stderr, "rbd: snapshot name was not specified\n");
		return 22;
	}
	if (t->format && !strcmp(t->format, "xml"))
		k.fmt = KID_XML;
	else if (t->json)
		k.fmt = KID_JSON;
	if (t->format && !strcmp(t->format, "json-pretty"))
		k.pretty = true;
	if ((r = rbdcli_open_spec(t, a, true, &img)))
		return tool_exit_code(r);
	if (k.fmt == KID_JSON)
		printf("[");
	else if (k.fmt == KID_XML)
		printf(k.pretty ? "<children>\n" : "<children>");
	r = kids_walk(t, img, &k, a->descendants, 0);
	cephc_rbd_close(img);
	if (k.fmt == KID_JSON)
		printf("%s]\n", k.pretty && !k.first ? "\n" : "");
	else if (k.fmt == KID_XML)
		printf(k.pretty ? "</children>\n\n" : "</children>\n");
	if (r)
		return rbdcli_fail("listing children failed", r);
	return 0;
}

/* ---- flatten ----------------------------------------------------------- */

static void flatten_progress(void *arg, uint64_t done, uint64_t total)
{
	rbdcli_progress("Image flatten", done, total, *(bool *)arg);
}

int rbdcli_flatten(struct tool_ctx *t, struct rbd_args *a)
{
	bool show = !a->no_progress && isatty(2);
	cephc_rbd_image *img;
	int r;

	if (rbdcli_parse_spec(a, a->pos[0], false))
		return 22;
	if ((r = rbdcli_open_spec(t, a, false, &img)))
		return tool_exit_code(r);
	if (show)
		rbdcli_progress("Image flatten", 0, 1, true);
	r = cephc_rbd_flatten(img, flatten_progress, &show);
	cephc_rbd_close(img);
	if (show)
		fprintf(stderr, r ? "failed.\n" : "done.\n");
	return r ? rbdcli_fail("flatten error", r) : 0;
}
