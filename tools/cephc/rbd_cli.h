/* SPDX-License-Identifier: MIT */
/*
 * What the `cephc rbd` sub-command files share: the parsed arguments and
 * rbd's output helpers (sizes, times, tables, error lines).  cmd_rbd.c
 * holds the option table, the parser, the dispatch and the image
 * commands; each family of sub-commands may live in an rbd_cli_*.c of its
 * own (not cmd_*.c: those name top-level commands), reached from
 * cmd_rbd.c's dispatch.
 */
#ifndef CEPHC_TOOLS_RBD_CLI_H
#define CEPHC_TOOLS_RBD_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephc/rbd.h"
#include "tool_common.h"

struct rbd_args {
	const char *pos[16];
	int npos;
	const char *pool, *ns, *image, *snap, *image_id;
	uint64_t size;
	bool have_size;
	int order;
	uint64_t object_size, stripe_unit, stripe_count;
	const char *data_pool;
	uint64_t features;
	bool image_shared;
	bool bad_feature; /* rbd exits 1 for an unknown feature name */
	bool allow_shrink, no_progress, long_list, all, force;
	const char *io_type, *io_pattern;
	uint64_t io_size, io_total, io_threads;
	int rw_mix_read;
	const char *expires_at, *expired_before, *threshold; /* trash */
	const char *shared; /* lock add --shared TAG */
	bool pretty;        /* --pretty-format */
	const char *from_snap;   /* diff, du: --from-snap */
	bool whole_object, exact; /* diff --whole-object, du --exact */
	uint64_t limit;     /* snap limit set --limit N */
	bool have_limit;
	bool skip_quiesce, ignore_quiesce_error; /* snap create */
	bool descendants;   /* children --descendants */
};

#define TBL_MAX_COLS 8
struct table {
	int ncols;
	const char *head[TBL_MAX_COLS];
	bool right[TBL_MAX_COLS]; /* cell alignment; headers are left */
	size_t width[TBL_MAX_COLS];
	char **cells; /* rows x ncols, owned */
	size_t nrows, cap;
};

enum out_fmt { OUT_PLAIN, OUT_JSON, OUT_XML };

/* "10G", "4M", "4096", "1.5G"; def_shift applies without a suffix. */
int rbdcli_parse_size(const char *s, int def_shift, uint64_t *out);
/* rbd's byte sizes ("10 GiB") and local times ("Mon Dec  7 08:30:56 2026"). */
void rbdcli_fmt_bytes(uint64_t v, char *buf, size_t cap);
void rbdcli_fmt_time(uint32_t sec, char *buf, size_t cap);
/* [POOL/[NAMESPACE/]]IMAGE[@SNAP] (and -p/--namespace/--image/--snap)
 * into a; non-zero (a message printed) when malformed. */
int rbdcli_parse_spec(struct rbd_args *a, const char *spec, bool snap_ok);
int rbdcli_parse_pool_spec(struct rbd_args *a, const char *spec);
int rbdcli_check_namespace(struct tool_ctx *t, const struct rbd_args *a);
/* Open a's image (at a->snap); prints rbd's message on failure. */
int rbdcli_open_spec(struct tool_ctx *t, struct rbd_args *a, bool ro,
		     cephc_rbd_image **img);
/* "rbd: WHAT: (N) text[: last error]"; returns the exit code. */
int rbdcli_fail(const char *what, int r);
/* The same with strerror's text (lock/status commands). */
int rbdcli_fail_errno(const char *what, int r);
const char *rbdcli_pool_name(struct tool_ctx *t, int64_t id, char *buf,
			     size_t cap);
/* "KEY":"VALUE" (escaped), after a comma unless first. */
void rbdcli_json_field(const char *key, const char *val, bool first);
/* rbd's TextTable: cells padded to the column width, 2-space gaps. */
void rbdcli_tbl_init(struct table *tb, const char *const *head,
		     const bool *right, int ncols);
int rbdcli_tbl_row(struct table *tb, const char *const *cells);
/* Print (nothing at all for an empty table, as rbd) and free. */
void rbdcli_tbl_print_fini(struct table *tb);
/* "\rWHAT: N% complete..." on stderr when show. */
void rbdcli_progress(const char *what, uint64_t done, uint64_t total,
		     bool show);
/* s on stdout with XML's five entities escaped. */
void rbdcli_xml_str(const char *s);
/* --format plain|json|xml and --pretty-format for lock ls / status. */
int rbdcli_out_format(const struct tool_ctx *t, const struct rbd_args *a,
		      enum out_fmt *f, int *rc);
/* diff and du (rbd_cli_diff.c): the exit code. */
int rbdcli_do_diff(struct tool_ctx *t, struct rbd_args *a);
int rbdcli_do_du(struct tool_ctx *t, struct rbd_args *a);

/* `rbd snap ...` (rbd_cli_snap.c): a->pos[0] is the snap sub-command. */
int rbdcli_snap(struct tool_ctx *t, struct rbd_args *a);

#endif /* CEPHC_TOOLS_RBD_CLI_H */
