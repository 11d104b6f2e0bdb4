/* SPDX-License-Identifier: MIT */
/*
 * `cephc rbd snap ...`: ls, create, rm, rollback, rename, protect,
 * unprotect, limit set|clear, purge, with rbd's (pacific) syntax, messages
 * and output.  Progress lines go to stderr on a terminal only.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rbd_cli.h"

static bool show_progress(const struct rbd_args *a)
{
	return !a->no_progress && isatty(2);
}

/* "WHAT: 100% complete...done." (or "...failed.") as rbd ends them. */
static void progress_end(const char *what, bool ok, bool show)
{
	if (show)
		fprintf(stderr, "\r%s: %s\n", what,
			ok ? "100% complete...done." : "0% complete...failed.");
}

struct snap_progress {
	const char *what;
	bool show;
};

static void on_progress(void *arg, uint64_t done, uint64_t total)
{
	struct snap_progress *p = arg;

	rbdcli_progress(p->what, done, total, p->show);
}

/* ---- ls ----------------------------------------------------------------- */

static const char *ns_name(uint32_t t)
{
	switch (t) {
	case 0:
		return "user";
	case 1:
		return "group";
	case 2:
		return "trash";
	case 3:
		return "mirror";
	}
	return "unknown";
}

static int snap_ls(struct tool_ctx *t, struct rbd_args *a)
{
	static const char *const head[] = {
	    "SNAPID", "NAME", "SIZE", "PROTECTED", "TIMESTAMP", "NAMESPACE"};
	static const bool right[] = {true, false, true, false, false, false};
	struct cephc_rbd_snap_entry *s;
	cephc_rbd_image *img;
	struct table tb;
	bool first = true;
	uint32_t n;
	int r;

	if (rbdcli_parse_spec(a, a->pos[1], false))
		return 22;
	if ((r = rbdcli_open_spec(t, a, true, &img)))
		return tool_exit_code(r);
	r = cephc_rbd_snap_list(img, &s, &n);
	cephc_rbd_close(img);
	if (r)
		return rbdcli_fail("failed to list snapshots", r);
	rbdcli_tbl_init(&tb, head, right, a->all ? 6 : 5);
	if (t->json)
		printf("[");
	for (uint32_t i = 0; i < n; i++) {
		char id[32], sz[32], ts[64], ns[CEPHC_NAME_MAX + 16];

		/* rbd lists user snapshots only, unless --all */
		if (!a->all && s[i].ns_type != 0)
			continue;
		rbdcli_fmt_time(s[i].timestamp_sec, ts, sizeof(ts));
		if (s[i].ns_type == 2)
			snprintf(ns, sizeof(ns), "trash (%s)",
				 s[i].trash_original_name
				     ? s[i].trash_original_name
				     : "");
		else
			snprintf(ns, sizeof(ns), "%s", ns_name(s[i].ns_type));
		if (t->json) {
			printf("%s{\"id\":%" PRIu64 ",\"name\":",
			       first ? "" : ",", s[i].id);
			json_str(stdout, s[i].name);
			printf(",\"size\":%" PRIu64
			       ",\"protected\":\"%s\",\"timestamp\":\"%s\"",
			       s[i].size, s[i].is_protected ? "true" : "false",
			       ts);
			if (a->all) {
				printf(",\"namespace\":{\"type\":\"%s\"",
				       ns_name(s[i].ns_type));
				if (s[i].ns_type == 2) {
					printf(",\"original_name\":");
					json_str(stdout,
						 s[i].trash_original_name
						     ? s[i].trash_original_name
						     : "");
				}
				printf("}");
			}
			printf("}");
			first = false;
			continue;
		}
		snprintf(id, sizeof(id), "%" PRIu64, s[i].id);
		rbdcli_fmt_bytes(s[i].size, sz, sizeof(sz));
		const char *cells[] = {
		    id, s[i].name, sz, s[i].is_protected ? "yes" : "", ts, ns};
		rbdcli_tbl_row(&tb, cells);
	}
	if (t->json)
		printf("]\n");
	rbdcli_tbl_print_fini(&tb);
	cephc_buffer_free(s);
	return 0;
}

/* ---- the image-changing ones -------------------------------------------- */

/* Parse IMAGE@SNAP (snap required) and open the image's HEAD for writing;
 * *snap gets the snapshot name. */
static int open_for_snap(struct tool_ctx *t, struct rbd_args *a,
			 const char *spec, bool need_snap, const char **snap,
			 cephc_rbd_image **img)
{
	int r;

	if (rbdcli_parse_spec(a, spec, need_snap))
		return 22;
	if (need_snap && (!a->snap || !a->snap[0])) {
		fprintf(stderr, "rbd: snapshot name was not specified\n");
		return 22;
	}
	*snap = a->snap;
	a->snap = NULL; /* the operations work on HEAD */
	if ((r = rbdcli_open_spec(t, a, false, img)))
		return tool_exit_code(r);
	return 0;
}

static int snap_create(struct tool_ctx *t, struct rbd_args *a)
{
	const char *what = "Creating snap";
	unsigned flags = 0;
	cephc_rbd_image *img;
	const char *snap;
	bool show = show_progress(a);
	int r = open_for_snap(t, a, a->pos[1], true, &snap, &img);

	if (r)
		return r;
	if (a->skip_quiesce)
		flags |= CEPHC_RBD_SNAP_CREATE_SKIP_QUIESCE;
	if (a->ignore_quiesce_error)
		flags |= CEPHC_RBD_SNAP_CREATE_IGNORE_QUIESCE_ERROR;
	rbdcli_progress(what, 0, 1, show);
	r = cephc_rbd_snap_create(img, snap, flags);
	progress_end(what, !r, show);
	cephc_rbd_close(img);
	return r ? rbdcli_fail("failed to create snapshot", r) : 0;
}

static int remove_one(cephc_rbd_image *img, const char *snap, bool force)
{
	int r;

	/* --force: a protected snapshot is unprotected first (librbd's
	 * RBD_SNAP_REMOVE_FORCE; clones still make it fail) */
	if (force) {
		r = cephc_rbd_snap_unprotect(img, snap);
		if (r && r != CEPHC_EINVAL)
			return r;
	}
	return cephc_rbd_snap_remove(img, snap);
}

static int snap_rm(struct tool_ctx *t, struct rbd_args *a)
{
	const char *what = "Removing snap";
	cephc_rbd_image *img;
	const char *snap;
	bool show = show_progress(a);
	int r = open_for_snap(t, a, a->pos[1], true, &snap, &img);

	if (r)
		return r;
	rbdcli_progress(what, 0, 1, show);
	r = remove_one(img, snap, a->force);
	progress_end(what, !r, show);
	cephc_rbd_close(img);
	if (r == CEPHC_EBUSY) {
		fprintf(stderr,
			"rbd: snapshot '%s' is protected from removal.\n",
			snap);
		return tool_exit_code(r);
	}
	return r ? rbdcli_fail("failed to remove snapshot", r) : 0;
}

static int snap_purge(struct tool_ctx *t, struct rbd_args *a)
{
	const char *what = "Removing all snapshots";
	struct cephc_rbd_snap_entry *s = NULL;
	cephc_rbd_image *img;
	const char *snap;
	bool show = show_progress(a);
	uint32_t n = 0, user = 0, done = 0;
	int r = open_for_snap(t, a, a->pos[1], false, &snap, &img);

	if (r)
		return r;
	if (snap) {
		cephc_rbd_close(img);
		fprintf(stderr, "rbd: snapshot name specified for a command "
				"that doesn't use it\n");
		return 22;
	}
	r = cephc_rbd_snap_list(img, &s, &n);
	for (uint32_t i = 0; !r && i < n; i++) {
		if (s[i].ns_type != 0)
			continue;
		user++;
		if (s[i].is_protected) {
			fprintf(stderr,
				"rbd: error removing snapshot(s) '%s', which "
				"are protected - these must be unprotected "
				"with `rbd snap unprotect`.\n",
				s[i].name);
			r = CEPHC_EBUSY;
		}
	}
	for (uint32_t i = 0; !r && i < n; i++) {
		if (s[i].ns_type != 0)
			continue;
		r = cephc_rbd_snap_remove_by_id(img, s[i].id);
		rbdcli_progress(what, ++done, user, show);
	}
	if (user || r)
		progress_end(what, !r, show && r != CEPHC_EBUSY);
	cephc_buffer_free(s);
	cephc_rbd_close(img);
	if (r == CEPHC_EBUSY)
		return tool_exit_code(r);
	return r ? rbdcli_fail("removing snaps failed", r) : 0;
}

static int snap_rollback(struct tool_ctx *t, struct rbd_args *a)
{
	struct snap_progress p = {"Rolling back to snapshot", show_progress(a)};
	cephc_rbd_image *img;
	const char *snap;
	int r = open_for_snap(t, a, a->pos[1], true, &snap, &img);

	if (r)
		return r;
	r = cephc_rbd_snap_rollback(img, snap, on_progress, &p);
	progress_end(p.what, !r, p.show);
	cephc_rbd_close(img);
	return r ? rbdcli_fail("rollback failed", r) : 0;
}

static int snap_rename(struct tool_ctx *t, struct rbd_args *a)
{
	const char *dst = a->pos[2], *at;
	cephc_rbd_image *img;
	const char *snap;
	int r;

	if (!dst) {
		fprintf(stderr, "rbd: destination snapshot name was not "
				"specified\n");
		return 22;
	}
	/* [POOL/[NAMESPACE/]]IMAGE@SNAP or just SNAP */
	at = strchr(dst, '@');
	dst = at ? at + 1 : dst;
	r = open_for_snap(t, a, a->pos[1], true, &snap, &img);
	if (r)
		return r;
	r = cephc_rbd_snap_rename(img, snap, dst);
	cephc_rbd_close(img);
	return r ? rbdcli_fail("renaming snap failed", r) : 0;
}

static int snap_protect(struct tool_ctx *t, struct rbd_args *a, bool on)
{
	cephc_rbd_image *img;
	const char *snap;
	int r = open_for_snap(t, a, a->pos[1], true, &snap, &img);

	if (r)
		return r;
	r = on ? cephc_rbd_snap_protect(img, snap)
	       : cephc_rbd_snap_unprotect(img, snap);
	cephc_rbd_close(img);
	if (r == CEPHC_EBUSY && on) {
		fprintf(stderr, "rbd: snap is already protected\n");
		return tool_exit_code(r);
	}
	if (r == CEPHC_EINVAL && !on) {
		fprintf(stderr, "rbd: snap is already unprotected\n");
		return tool_exit_code(r);
	}
	if (r)
		return rbdcli_fail(on ? "protecting snap failed"
				      : "unprotecting snap failed",
				   r);
	return 0;
}

static int snap_limit(struct tool_ctx *t, struct rbd_args *a)
{
	const char *op = a->pos[1] ? a->pos[1] : "";
	bool set = !strcmp(op, "set");
	cephc_rbd_image *img;
	const char *snap;
	int r;

	if (!set && strcmp(op, "clear")) {
		fprintf(stderr, "rbd: 'snap limit' needs set or clear\n");
		return 22;
	}
	if (set && !a->have_limit) {
		fprintf(stderr, "rbd: must specify --limit <num>\n");
		return 22;
	}
	r = open_for_snap(t, a, a->pos[2], false, &snap, &img);
	if (r)
		return r;
	r = cephc_rbd_snap_set_limit(img, set ? a->limit : UINT64_MAX);
	cephc_rbd_close(img);
	if (r)
		return rbdcli_fail(set ? "setting snapshot limit failed"
				       : "clearing snapshot limit failed",
				   r);
	return 0;
}

int rbdcli_snap(struct tool_ctx *t, struct rbd_args *a)
{
	const char *op = a->pos[0] ? a->pos[0] : "";

	if (!strcmp(op, "ls") || !strcmp(op, "list"))
		return snap_ls(t, a);
	if (!strcmp(op, "create") || !strcmp(op, "add"))
		return snap_create(t, a);
	if (!strcmp(op, "rm") || !strcmp(op, "remove"))
		return snap_rm(t, a);
	if (!strcmp(op, "purge"))
		return snap_purge(t, a);
	if (!strcmp(op, "rollback") || !strcmp(op, "revert"))
		return snap_rollback(t, a);
	if (!strcmp(op, "rename"))
		return snap_rename(t, a);
	if (!strcmp(op, "protect"))
		return snap_protect(t, a, true);
	if (!strcmp(op, "unprotect"))
		return snap_protect(t, a, false);
	if (!strcmp(op, "limit"))
		return snap_limit(t, a);
	fprintf(stderr, "rbd: unknown snap command '%s'\n", op);
	return 22;
}
