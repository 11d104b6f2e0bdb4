/* SPDX-License-Identifier: MIT */
/*
 * cephc rbd: the `rbd` tool's common commands over include/cephc/rbd.h,
 * with rbd's argument syntax and output shapes (Pacific).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cephc/errors.h"
#include "cephc/rbd.h"
#include "commands.h"
#include "rbd/rbd_features.h"
#include "tool_common.h"
#include "rbd_cli.h"
#include "rbd_cli_clone.h"

const char cmd_rbd_help[] =
    "rbd images: create|rm|ls|info|resize|import|export|bench|snap|"
    "namespace|trash|object-map|feature|lock|status|diff|du|clone|children|"
    "flatten";

/* Every option parse_args() takes; the sub-commands name those they use
 * (parse_args accepts them all anywhere, as it always has). */
static const struct cli_opt rbd_opts[] = {
    {"-p", "--pool", "POOL", "rbd", "pool of the image", 0},
    {NULL, "--namespace", "NAMESPACE", "the default namespace",
     "namespace of the image", 0},
    {NULL, "--image", "IMAGE", NULL,
     "image name (instead of the spec; for trash restore: the new name)", 0},
    {NULL, "--image-id", "ID", NULL, "image id (trash rm, trash restore)", 0},
    {NULL, "--snap", "SNAP", NULL, "snapshot name (instead of @SNAP)", 0},
    {"-s", "--size", "SIZE", NULL,
     "image size; M unless suffixed with B, K, M, G, T or P", 0},
    {NULL, "--order", "ORDER", "22", "object size as a power of two", 0},
    {NULL, "--object-size", "SIZE", "4M",
     "object size in bytes (a power of two; K/M suffixes)", 0},
    {NULL, "--stripe-unit", "SIZE", "the object size",
     "stripe unit in bytes (K/M suffixes)", 0},
    {NULL, "--stripe-count", "N", "1", "objects one stripe spans", 0},
    {NULL, "--data-pool", "POOL", NULL, "separate pool for the data objects",
     0},
    {NULL, "--image-feature", "FEATURES",
     "rbd_default_features (layering,exclusive-lock,object-map,fast-diff,"
     "deep-flatten)",
     "features, comma separated or repeated (layering, exclusive-lock, "
     "object-map, fast-diff, deep-flatten; striping and data-pool follow "
     "the layout)",
     0},
    {NULL, "--image-shared", NULL, NULL,
     "image shared by several clients: without exclusive-lock, object-map, "
     "fast-diff, journaling",
     0},
    {NULL, "--allow-shrink", NULL, NULL, "let resize make the image smaller",
     0},
    {"-l", "--long", NULL, NULL, "long listing (a table)", 0},
    {"-a", "--all", NULL, NULL,
     "all trash entries (snap ls: all snapshots), not only user ones", 0},
    {NULL, "--force", NULL, NULL,
     "remove a trash entry before its deferment time", 0},
    {NULL, "--no-progress", NULL, NULL, "print no progress", 0},
    {NULL, "--expires-at", "DATE", "now",
     "deferment end of trash mv (YYYY-MM-DD[ HH:MM:SS])", 0},
    {NULL, "--expired-before", "DATE", "now",
     "purge only entries expired before DATE", 0},
    {NULL, "--threshold", "PERCENT", NULL,
     "accepted as rbd does, but not supported by cephc (exit 95)", 0},
    {NULL, "--io-type", "TYPE", NULL, "bench: read, write, readwrite or rw", 0},
    {NULL, "--io-pattern", "PATTERN", "seq (rand for readwrite)",
     "bench: seq or rand", 0},
    {NULL, "--io-size", "SIZE", "4096", "bench: bytes per I/O", 0},
    {NULL, "--io-total", "SIZE", "1G", "bench: bytes in all", 0},
    {NULL, "--io-threads", "N", "16", "bench: I/Os in flight", 0},
    {NULL, "--rw-mix-read", "PERCENT", "50", "bench readwrite: share of reads",
     0},
    {NULL, "--shared", "TAG", NULL, "lock add: a shared lock with this tag", 0},
    {NULL, "--pretty-format", NULL, NULL,
     "indented output (with --format json or xml)", 0},
    {NULL, "--from-snap", "SNAP", "image creation",
     "diff, du: changes since this snapshot", 0},
    {NULL, "--whole-object", NULL, NULL,
     "diff: report whole objects (fast-diff when valid)", 0},
    {NULL, "--exact", NULL, NULL, "du: exact extents (slow, no fast-diff)", 0},
    {NULL, "--limit", "N", NULL, "snap limit set: the most snapshots", 0},
    {NULL, "--skip-quiesce", NULL, NULL,
     "snap create: no quiesce notify to the image's users", 0},
    {NULL, "--ignore-quiesce-error", NULL, NULL,
     "snap create: go on when a user fails to quiesce", 0},
    {NULL, "--descendants", NULL, NULL,
     "children: also the children of the children's snapshots", 0},
    {NULL, NULL, NULL, NULL, NULL, 0},
};

#define SPEC_OPTS "--pool --namespace --image"
#define LAYOUT_OPTS                                                            \
	"--order --object-size --stripe-unit --stripe-count --data-pool "      \
	"--image-feature --image-shared"

static const struct cli_sub rbd_subs[] = {
    {"create", NULL, "--size SIZE [options] [POOL/[NAMESPACE/]]IMAGE",
     "Create a format 2 image.", SPEC_OPTS " --size " LAYOUT_OPTS,
     "cephc rbd create --size 1G rbd/disk1", CLI_COMPLETE_NONE},
    {"rm", "remove", "[--no-progress] [POOL/[NAMESPACE/]]IMAGE",
     "Remove an image (as rbd rm does, also images cephc cannot open).",
     SPEC_OPTS " --no-progress", "cephc rbd rm rbd/disk1", CLI_COMPLETE_IMAGE},
    {"ls", "list", "[-l] [POOL[/NAMESPACE]]",
     "List the images of a pool (a table with -l; JSON with --format "
     "json).",
     "--pool --namespace --long", "cephc rbd ls -l rbd", CLI_COMPLETE_POOL},
    {"info", NULL, "[POOL/[NAMESPACE/]]IMAGE[@SNAP]",
     "Show an image's size, layout, features and parent.", SPEC_OPTS " --snap",
     "cephc rbd info rbd/disk1", CLI_COMPLETE_IMAGE},
    {"resize", NULL, "--size SIZE [--allow-shrink] [POOL/[NAMESPACE/]]IMAGE",
     "Grow (or, with --allow-shrink, shrink) an image.",
     SPEC_OPTS " --size --allow-shrink --no-progress",
     "cephc rbd resize --size 2G rbd/disk1", CLI_COMPLETE_IMAGE},
    {"import", NULL, "[options] PATH|- [[POOL/[NAMESPACE/]]IMAGE]",
     "Create an image from a file (or stdin), skipping zeroes.",
     SPEC_OPTS " " LAYOUT_OPTS " --no-progress",
     "cephc rbd import disk.raw rbd/disk1", CLI_COMPLETE_FILE},
    {"export", NULL, "[POOL/[NAMESPACE/]]IMAGE[@SNAP] [PATH|-]",
     "Write an image (or a snapshot of it) to a file or stdout.",
     SPEC_OPTS " --snap --no-progress", "cephc rbd export rbd/disk1 disk.raw",
     CLI_COMPLETE_IMAGE},
    {"bench", NULL, "--io-type TYPE [options] [POOL/[NAMESPACE/]]IMAGE",
     "Benchmark I/O on an image, printed as rbd bench prints.",
     SPEC_OPTS " --io-type --io-pattern --io-size --io-total --io-threads "
	       "--rw-mix-read",
     "cephc rbd bench --io-type write --io-total 256M rbd/disk1",
     CLI_COMPLETE_IMAGE},
    {"snap ls", "snap list", "[-a] [POOL/[NAMESPACE/]]IMAGE",
     "List an image's snapshots (with -a also trashed ones).",
     SPEC_OPTS " --all", "cephc rbd snap ls rbd/disk1", CLI_COMPLETE_IMAGE},
    {"snap create", "snap add",
     "[--skip-quiesce] [--ignore-quiesce-error] "
     "[POOL/[NAMESPACE/]]IMAGE@SNAP",
     "Take a snapshot of an image.",
     SPEC_OPTS " --snap --skip-quiesce --ignore-quiesce-error --no-progress",
     "cephc rbd snap create rbd/disk1@s1", CLI_COMPLETE_IMAGE},
    {"snap rm", "snap remove", "[--force] [POOL/[NAMESPACE/]]IMAGE@SNAP",
     "Remove a snapshot (--force: unprotect it first).",
     SPEC_OPTS " --snap --force --no-progress",
     "cephc rbd snap rm rbd/disk1@s1", CLI_COMPLETE_IMAGE},
    {"snap purge", NULL, "[POOL/[NAMESPACE/]]IMAGE",
     "Remove every (unprotected) snapshot of an image.",
     SPEC_OPTS " --no-progress", "cephc rbd snap purge rbd/disk1",
     CLI_COMPLETE_IMAGE},
    {"snap rollback", "snap revert", "[POOL/[NAMESPACE/]]IMAGE@SNAP",
     "Roll an image back to a snapshot.", SPEC_OPTS " --snap --no-progress",
     "cephc rbd snap rollback rbd/disk1@s1", CLI_COMPLETE_IMAGE},
    {"snap rename", NULL, "[POOL/[NAMESPACE/]]IMAGE@SNAP DEST_SNAP",
     "Rename a snapshot.", SPEC_OPTS " --snap",
     "cephc rbd snap rename rbd/disk1@s1 rbd/disk1@s2", CLI_COMPLETE_IMAGE},
    {"snap protect", NULL, "[POOL/[NAMESPACE/]]IMAGE@SNAP",
     "Protect a snapshot from removal (clone v1 needs it).",
     SPEC_OPTS " --snap", "cephc rbd snap protect rbd/disk1@s1",
     CLI_COMPLETE_IMAGE},
    {"snap unprotect", NULL, "[POOL/[NAMESPACE/]]IMAGE@SNAP",
     "Allow a snapshot's removal again (fails while clones exist).",
     SPEC_OPTS " --snap", "cephc rbd snap unprotect rbd/disk1@s1",
     CLI_COMPLETE_IMAGE},
    {"snap limit", NULL,
     "set --limit N [POOL/[NAMESPACE/]]IMAGE | clear [POOL/[NAMESPACE/]]IMAGE",
     "Limit the number of snapshots of an image (set), or remove the limit "
     "(clear).",
     SPEC_OPTS " --limit", "cephc rbd snap limit set --limit 10 rbd/disk1",
     CLI_COMPLETE_IMAGE},
    {"namespace create", NULL, "POOL/NAMESPACE | --namespace NS [POOL]",
     "Create a namespace in a pool.", "--pool --namespace",
     "cephc rbd namespace create rbd/tenant1", CLI_COMPLETE_POOL},
    {"namespace ls", "namespace list", "[POOL]", "List a pool's namespaces.",
     "--pool", "cephc rbd namespace ls rbd", CLI_COMPLETE_POOL},
    {"namespace rm", "namespace remove",
     "POOL/NAMESPACE | --namespace NS [POOL]", "Remove an empty namespace.",
     "--pool --namespace", "cephc rbd namespace rm rbd/tenant1",
     CLI_COMPLETE_POOL},
    {"trash ls", "trash list", "[-a] [-l] [POOL[/NAMESPACE]]",
     "List the trash of a pool (user entries; all with -a).",
     "--pool --namespace --all --long", "cephc rbd trash ls -l rbd",
     CLI_COMPLETE_POOL},
    {"trash mv", "trash move", "[--expires-at DATE] [POOL/[NAMESPACE/]]IMAGE",
     "Move an image to the trash (deferred deletion).",
     SPEC_OPTS " --expires-at", "cephc rbd trash mv rbd/disk1",
     CLI_COMPLETE_IMAGE},
    {"trash rm", "trash remove", "[--force] [POOL/[NAMESPACE/]]IMAGE_ID",
     "Delete a trash entry for good.",
     "--pool --namespace --image-id --force --no-progress",
     "cephc rbd trash rm rbd/10a26b8b4567", CLI_COMPLETE_NONE},
    {"trash restore", NULL, "[--image NAME] [POOL/[NAMESPACE/]]IMAGE_ID",
     "Bring a trash entry back as an image (under NAME if given).",
     "--pool --namespace --image-id --image",
     "cephc rbd trash restore rbd/10a26b8b4567", CLI_COMPLETE_NONE},
    {"trash purge", NULL, "[--expired-before DATE] [POOL[/NAMESPACE]]",
     "Delete every expired trash entry of a pool.",
     "--pool --namespace --expired-before --threshold --no-progress",
     "cephc rbd trash purge rbd", CLI_COMPLETE_POOL},
    {"object-map check", NULL, "[POOL/[NAMESPACE/]]IMAGE[@SNAP]",
     "Compare an image's object map with its data objects; flag the map "
     "invalid on a mismatch (exit 0 either way, as rbd).",
     SPEC_OPTS " --snap --no-progress", "cephc rbd object-map check rbd/disk1",
     CLI_COMPLETE_IMAGE},
    {"feature enable", NULL, "[POOL/[NAMESPACE/]]IMAGE FEATURE...",
     "Enable features (exclusive-lock, object-map, fast-diff) of an image.",
     SPEC_OPTS, "cephc rbd feature enable rbd/disk1 exclusive-lock",
     CLI_COMPLETE_IMAGE},
    {"feature disable", NULL, "[POOL/[NAMESPACE/]]IMAGE FEATURE...",
     "Disable features (exclusive-lock, object-map, fast-diff, "
     "deep-flatten) of an image.",
     SPEC_OPTS, "cephc rbd feature disable rbd/disk1 object-map",
     CLI_COMPLETE_IMAGE},
    {"object-map rebuild", NULL, "[POOL/[NAMESPACE/]]IMAGE[@SNAP]",
     "Recompute an image's object map from its data objects and clear "
     "the invalid flags.",
     SPEC_OPTS " --snap --no-progress",
     "cephc rbd object-map rebuild rbd/disk1", CLI_COMPLETE_IMAGE},
    {"lock ls", "lock list", "[--pretty-format] [POOL/[NAMESPACE/]]IMAGE",
     "Show the locks held on an image (--format plain, json or xml).",
     SPEC_OPTS " --pretty-format", "cephc rbd lock ls rbd/disk1",
     CLI_COMPLETE_IMAGE},
    {"lock add", NULL, "[--shared TAG] [POOL/[NAMESPACE/]]IMAGE LOCK_ID",
     "Take a lock on an image (exclusive, or shared with TAG).",
     SPEC_OPTS " --shared", "cephc rbd lock add rbd/disk1 mylock",
     CLI_COMPLETE_IMAGE},
    {"lock rm", "lock remove", "[POOL/[NAMESPACE/]]IMAGE LOCK_ID LOCKER",
     "Break the lock LOCKER (client.N) holds with LOCK_ID, blocklisting "
     "it first (rbd_blocklist_on_break_lock).",
     SPEC_OPTS, "cephc rbd lock rm rbd/disk1 mylock client.4234",
     CLI_COMPLETE_IMAGE},
    {"status", NULL, "[--pretty-format] [POOL/[NAMESPACE/]]IMAGE",
     "Show an image's watchers (--format plain, json or xml).",
     SPEC_OPTS " --pretty-format", "cephc rbd status rbd/disk1",
     CLI_COMPLETE_IMAGE},
    {"diff", NULL,
     "[--from-snap SNAP] [--whole-object] [POOL/[NAMESPACE/]]IMAGE[@SNAP]",
     "Print the extents that changed since a snapshot, or since image "
     "creation (--format plain, json or xml).",
     SPEC_OPTS " --snap --from-snap --whole-object --pretty-format",
     "cephc rbd diff --from-snap s1 rbd/disk1", CLI_COMPLETE_IMAGE},
    {"du", "disk-usage",
     "[--from-snap SNAP] [--exact] [[POOL/[NAMESPACE/]]IMAGE[@SNAP]]",
     "Show provisioned and used sizes of an image and its snapshots, or "
     "of every image of a pool (--format plain, json or xml).",
     SPEC_OPTS " --snap --from-snap --exact --pretty-format",
     "cephc rbd du rbd/disk1", CLI_COMPLETE_IMAGE},
    {"clone", NULL,
     "[--image-feature F] [options] [POOL/[NAMESPACE/]]PARENT@SNAP "
     "[POOL/[NAMESPACE/]]CHILD",
     "Clone a snapshot (clone v1 or v2 by rbd_default_clone_format; "
     "--rbd-default-clone-format 1|2 overrides).",
     "--pool --namespace --image --snap " LAYOUT_OPTS,
     "cephc rbd clone rbd/disk1@gold rbd/vm1", CLI_COMPLETE_IMAGE},
    {"children", NULL,
     "[-a] [--descendants] [POOL/[NAMESPACE/]]IMAGE@SNAP",
     "List the clones of a snapshot (in the trash too with -a).",
     SPEC_OPTS " --snap --all --descendants --pretty-format",
     "cephc rbd children rbd/disk1@gold", CLI_COMPLETE_IMAGE},
    {"flatten", NULL, "[--no-progress] [POOL/[NAMESPACE/]]IMAGE",
     "Copy a clone's parent data into it and detach it from the parent.",
     SPEC_OPTS " --no-progress", "cephc rbd flatten rbd/vm1",
     CLI_COMPLETE_IMAGE},
    {NULL, NULL, NULL, NULL, NULL, NULL, CLI_COMPLETE_NONE},
};

const struct cli_spec cmd_rbd_spec = {
    .synopsis = "SUB-COMMAND [options] [ARGS]",
    .description =
	"RBD images, with the syntax and output of Ceph's rbd tool "
	"(pacific).  An image is named\n[POOL/[NAMESPACE/]]IMAGE; the pool "
	"defaults to rbd.",
    .opts = rbd_opts,
    .subs = rbd_subs,
    .example = "cephc rbd create --size 1G rbd/disk1",
};

/* import/export transfer unit (rbd uses the object size; 4 MiB). */
#define XFER_CHUNK (4u << 20)
#define XFER_INFLIGHT 8

/* "10G", "4M", "4096", "1.5G"; def_shift applies without a suffix. */
int rbdcli_parse_size(const char *s, int def_shift, uint64_t *out)
{
	char *end;
	double v = strtod(s, &end);
	int shift = def_shift;

	if (end == s || v < 0)
		return -1;
	switch (*end) {
	case 'B':
	case 'b':
		shift = 0;
		end++;
		break;
	case 'K':
	case 'k':
		shift = 10;
		end++;
		break;
	case 'M':
	case 'm':
		shift = 20;
		end++;
		break;
	case 'G':
	case 'g':
		shift = 30;
		end++;
		break;
	case 'T':
	case 't':
		shift = 40;
		end++;
		break;
	case 'P':
	case 'p':
		shift = 50;
		end++;
		break;
	case '\0':
		break;
	default:
		return -1;
	}
	if (*end == 'i')
		end++;
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return -1;
	*out = (uint64_t)(v * (double)(UINT64_C(1) << shift) + 0.5);
	return 0;
}

/* rbd's byte_u_t: "1 GiB", "512 MiB", "1.5 GiB", "100 B". */
void rbdcli_fmt_bytes(uint64_t v, char *buf, size_t cap)
{
	static const char *const u[] = {"B",   "KiB", "MiB", "GiB",
					"TiB", "PiB", "EiB"};
	int i = 0;
	double d = (double)v;

	while (d >= 1024 && i < 6) {
		d /= 1024;
		i++;
	}
	if (i == 0 || v % (UINT64_C(1) << (10 * i)) == 0) {
		snprintf(buf, cap, "%.0f %s", d, u[i]);
		return;
	}
	/* Ceph's format_u: the most decimals (2, 1, 0) fitting 7 chars */
	for (int prec = 2; prec >= 0; prec--) {
		snprintf(buf, cap, "%.*f %s", prec, d, u[i]);
		if (strlen(buf) < 8)
			break;
	}
}

void rbdcli_fmt_time(uint32_t sec, char *buf, size_t cap)
{
	time_t t = sec;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, cap, "%a %b %e %H:%M:%S %Y", &tm);
}

/*
 * Split rbd's spec forms: "[POOL/[NAMESPACE/]]NAME[@SNAP]" (snap_ok decides
 * whether @SNAP may be there) into the parts, each at most cap - 1 bytes.
 * Parts not in the spec are left NULL.  Returns -1 when malformed.
 */
#define SPEC_PART_MAX 1100
struct spec_parts {
	char pool[SPEC_PART_MAX], ns[SPEC_PART_MAX], name[SPEC_PART_MAX],
	    snap[SPEC_PART_MAX];
	bool has_pool, has_ns, has_snap;
};

static int split_spec(const char *spec, struct spec_parts *sp)
{
	const char *parts[3];
	int n = 0;
	const char *p = spec, *at;

	memset(sp, 0, sizeof(*sp));
	at = strchr(spec, '@');
	for (;;) {
		const char *slash = strchr(p, '/');

		if (n == 3 || (at && slash > at))
			slash = NULL;
		parts[n++] = p;
		if (!slash)
			break;
		p = slash + 1;
		if (n == 3)
			return -1; /* a fourth part */
	}
	for (int i = 0; i < n; i++) {
		const char *end = i + 1 < n ? strchr(parts[i], '/')
				  : at      ? at
					    : parts[i] + strlen(parts[i]);
		char *dst = i + 1 == n ? sp->name : i == 0 ? sp->pool : sp->ns;

		if (end == parts[i] || end - parts[i] >= SPEC_PART_MAX)
			return -1;
		snprintf(dst, SPEC_PART_MAX, "%.*s", (int)(end - parts[i]),
			 parts[i]);
	}
	sp->has_pool = n >= 2;
	sp->has_ns = n == 3;
	if (at) {
		if (!at[1] || strchr(at + 1, '/') || strchr(at + 1, '@') ||
		    strlen(at + 1) >= SPEC_PART_MAX)
			return -1;
		snprintf(sp->snap, SPEC_PART_MAX, "%s", at + 1);
		sp->has_snap = true;
	}
	return 0;
}

/* POOL/[NS/]IMAGE[@SNAP] with -p / --namespace / --image / --snap as
 * fallbacks (the spec wins, as in rbd). */
int rbdcli_parse_spec(struct rbd_args *a, const char *spec, bool snap_ok)
{
	static struct spec_parts sp;

	if (spec) {
		if (split_spec(spec, &sp)) {
			fprintf(stderr, "rbd: invalid spec '%s'\n", spec);
			return -1;
		}
		if (sp.has_pool)
			a->pool = sp.pool;
		if (sp.has_ns)
			a->ns = sp.ns;
		if (sp.has_snap)
			a->snap = sp.snap;
		a->image = sp.name;
	}
	if (!a->pool)
		a->pool = "rbd";
	if (!a->image || !*a->image) {
		fprintf(stderr, "rbd: image name was not specified\n");
		return -1;
	}
	if (a->snap && !snap_ok) {
		fprintf(stderr, "rbd: snapshot name specified for a command "
				"that doesn't use it\n");
		return -1;
	}
	return 0;
}

/* "POOL[/NAMESPACE]" of ls-like commands. */
int rbdcli_parse_pool_spec(struct rbd_args *a, const char *spec)
{
	static char pool[SPEC_PART_MAX], ns[SPEC_PART_MAX];
	const char *slash;

	if (spec) {
		slash = strchr(spec, '/');
		if (strchr(spec, '@') || (slash && strchr(slash + 1, '/')) ||
		    slash == spec || (slash && !slash[1]) ||
		    strlen(spec) >= SPEC_PART_MAX) {
			fprintf(stderr, "rbd: invalid pool '%s'\n", spec);
			return -1;
		}
		snprintf(pool, sizeof(pool), "%.*s",
			 slash ? (int)(slash - spec) : (int)strlen(spec), spec);
		a->pool = pool;
		if (slash) {
			snprintf(ns, sizeof(ns), "%s", slash + 1);
			a->ns = ns;
		}
	}
	if (!a->pool)
		a->pool = "rbd";
	return 0;
}

/*
 * rbd refuses to work in a namespace that does not exist before it does
 * anything else ("rbd: namespace 'X' does not exist.", ENOENT).
 */
int rbdcli_check_namespace(struct tool_ctx *t, const struct rbd_args *a)
{
	bool exists = false;
	int r;

	if (!a->ns || !*a->ns)
		return 0;
	r = cephc_rbd_namespace_exists(t->cluster, a->pool, a->ns, &exists);
	if (!r && !exists) {
		fprintf(stderr, "rbd: namespace '%s' does not exist.\n", a->ns);
		r = CEPHC_ENOENT;
	}
	return r;
}

/*
 * Feature names as rbd's options take them: a comma list (empty items
 * skipped), exact names; dirty-cache is not one of them.  Adds to *out;
 * -1 on an unknown name.
 */
static int parse_feature_list(const char *v, uint64_t *out)
{
	char tmp[256], *save = NULL;

	if (strlen(v) >= sizeof(tmp))
		return -1;
	snprintf(tmp, sizeof(tmp), "%s", v);
	for (char *f = strtok_r(tmp, ",", &save); f;
	     f = strtok_r(NULL, ",", &save)) {
		uint64_t bit = cephc_rbd_feature_from_name(f);

		if (!bit || bit == CEPHC_RBD_FEATURE_DIRTY_CACHE)
			return -1;
		*out |= bit;
	}
	return 0;
}

static int parse_args(struct tool_ctx *t, int first, struct rbd_args *a)
{
	memset(a, 0, sizeof(*a));
	a->io_size = 4096;
	a->io_total = UINT64_C(1) << 30;
	a->io_threads = 16;
	a->rw_mix_read = 50;
	a->io_pattern = NULL;
	for (int i = first; i < t->nrest; i++) {
		const char *o = t->rest[i];
		const char *v = i + 1 < t->nrest ? t->rest[i + 1] : NULL;
		bool takes = true;
		int bad = 0;

		if (o[0] != '-' || !strcmp(o, "-")) {
			if (a->npos < 16)
				a->pos[a->npos++] = o;
			continue;
		}
		if (!strcmp(o, "--allow-shrink")) {
			a->allow_shrink = true;
			takes = false;
		} else if (!strcmp(o, "-l") || !strcmp(o, "--long")) {
			a->long_list = true;
			takes = false;
		} else if (!strcmp(o, "-a") || !strcmp(o, "--all")) {
			a->all = true;
			takes = false;
		} else if (!strcmp(o, "--force")) {
			a->force = true;
			takes = false;
		} else if (!strcmp(o, "--no-progress")) {
			a->no_progress = true;
			takes = false;
		} else if (!strcmp(o, "--pretty-format")) {
			a->pretty = true;
			takes = false;
		} else if (!strcmp(o, "--whole-object")) {
			a->whole_object = true;
			takes = false;
		} else if (!strcmp(o, "--exact")) {
			a->exact = true;
			takes = false;
		} else if (!strcmp(o, "--descendants")) {
			a->descendants = true;
			takes = false;
		} else if (!strcmp(o, "--image-shared")) {
			a->image_shared = true;
			takes = false;
		} else if (!strcmp(o, "--skip-quiesce")) {
			a->skip_quiesce = true;
			takes = false;
		} else if (!strcmp(o, "--ignore-quiesce-error")) {
			a->ignore_quiesce_error = true;
			takes = false;
		} else if (!v) {
			fprintf(stderr, "rbd: option %s needs a value\n", o);
			return -1;
		} else if (!strcmp(o, "-p") || !strcmp(o, "--pool")) {
			a->pool = v;
		} else if (!strcmp(o, "--namespace")) {
			a->ns = v;
		} else if (!strcmp(o, "--image")) {
			a->image = v;
		} else if (!strcmp(o, "--image-id")) {
			a->image_id = v;
		} else if (!strcmp(o, "--expires-at")) {
			a->expires_at = v;
		} else if (!strcmp(o, "--expired-before")) {
			a->expired_before = v;
		} else if (!strcmp(o, "--threshold")) {
			a->threshold = v;
		} else if (!strcmp(o, "--shared")) {
			a->shared = v;
		} else if (!strcmp(o, "--snap")) {
			a->snap = v;
		} else if (!strcmp(o, "--from-snap")) {
			a->from_snap = v;
		} else if (!strcmp(o, "-s") || !strcmp(o, "--size")) {
			bad = rbdcli_parse_size(v, 20, &a->size);
			a->have_size = true;
		} else if (!strcmp(o, "--order")) {
			a->order = atoi(v);
		} else if (!strcmp(o, "--object-size")) {
			bad = rbdcli_parse_size(v, 0, &a->object_size);
		} else if (!strcmp(o, "--stripe-unit")) {
			bad = rbdcli_parse_size(v, 0, &a->stripe_unit);
		} else if (!strcmp(o, "--stripe-count")) {
			a->stripe_count = strtoull(v, NULL, 10);
		} else if (!strcmp(o, "--data-pool")) {
			a->data_pool = v;
		} else if (!strcmp(o, "--image-feature")) {
			/* repeated or comma separated */
			if (parse_feature_list(v, &a->features)) {
				fprintf(stderr,
					"rbd: the argument for option "
					"'--image-feature' is invalid\n");
				a->bad_feature = true;
				return -1;
			}
		} else if (!strcmp(o, "--io-type")) {
			a->io_type = v;
		} else if (!strcmp(o, "--io-pattern")) {
			a->io_pattern = v;
		} else if (!strcmp(o, "--io-size")) {
			bad = rbdcli_parse_size(v, 0, &a->io_size);
		} else if (!strcmp(o, "--io-total")) {
			bad = rbdcli_parse_size(v, 0, &a->io_total);
		} else if (!strcmp(o, "--io-threads")) {
			a->io_threads = strtoull(v, NULL, 10);
		} else if (!strcmp(o, "--rw-mix-read")) {
			a->rw_mix_read = atoi(v);
		} else if (!strcmp(o, "--limit")) {
			char *end;
			a->limit = strtoull(v, &end, 10);
			a->have_limit = true;
			bad = *end || v[0] == '-';
		} else {
			fprintf(stderr, "rbd: unrecognised option '%s'\n", o);
			return -1;
		}
		if (bad) {
			fprintf(stderr, "rbd: bad value for %s: %s\n", o, v);
			return -1;
		}
		if (takes)
			i++;
	}
	if (a->object_size) {
		int ord = 0;
		while ((UINT64_C(1) << ord) < a->object_size)
			ord++;
		if ((UINT64_C(1) << ord) != a->object_size) {
			fprintf(stderr, "rbd: object size must be a power of "
					"two\n");
			return -1;
		}
		a->order = ord;
	}
	return 0;
}

int rbdcli_fail(const char *what, int r)
{
	const char *why = cephc_rbd_last_error();

	fprintf(stderr, "rbd: %s: (%d) %s%s%s\n", what, r > -4096 ? -r : r,
		cephc_strerror(r), *why ? ": " : "", why);
	return tool_exit_code(r) ? tool_exit_code(r) : 1;
}

/*
 * The features create/import ask for: --image-feature, else 0 (the
 * library then takes rbd_default_features).  --image-shared drops what
 * only one client can keep, from either.
 */
static uint64_t create_features(struct tool_ctx *t, const struct rbd_args *a)
{
	uint64_t f = a->features;

	if (!a->image_shared)
		return f;
	if (!f) {
		char *v =
		    cephc_cluster_conf_get(t->cluster, "rbd_default_features");

		if (cephc_rbd_features_parse_conf(v, &f))
			f = CEPHC_RBD_FEATURES_DEFAULT;
		cephc_buffer_free(v);
	}
	f &= ~CEPHC_RBD_FEATURES_SINGLE_CLIENT;
	/* 0 would mean "the default" to the library: layering is what rbd
	 * would give for a default without any feature left */
	return f ? f : CEPHC_RBD_FEATURE_LAYERING;
}

static int do_create(struct tool_ctx *t, struct rbd_args *a)
{
	struct cephc_rbd_create_opts o = {0};
	int r;

	if (rbdcli_parse_spec(a, a->pos[0], false))
		return 22;
	if (!a->have_size) {
		fprintf(stderr, "rbd: must specify --size <M/G/T>\n");
		return 22;
	}
	if ((r = rbdcli_check_namespace(t, a)))
		return tool_exit_code(r);
	o.size = a->size;
	o.order = a->order;
	o.stripe_unit = a->stripe_unit;
	o.stripe_count = a->stripe_count;
	o.data_pool = a->data_pool;
	o.features = create_features(t, a);
	r = cephc_rbd_create_ns(t->cluster, a->pool, a->ns, a->image, &o);
	return r ? rbdcli_fail("create error", r) : 0;
}

/* rbd's own words for the removal errors it explains (action/Remove.cc,
 * action/Trash.cc); 0 when it has none. */
static int explain_remove_error(int r, const char *what)
{
	switch (r) {
	case CEPHC_ENOTEMPTY:
		fprintf(stderr, "rbd: image has snapshots - these must be "
				"deleted with 'rbd snap purge' before the "
				"image can be removed.\n");
		break;
	case CEPHC_EBUSY:
		fprintf(stderr,
			"rbd: error: image still has watchers\nThis means the "
			"image is still open or the client using it crashed. "
			"Try again after closing/unmapping it or waiting 30s "
			"for the crashed client to timeout.\n");
		break;
	case -EMLINK:
		fprintf(stderr,
			"\nRemove the image from the group and try again.\n");
		break;
	default:
		return rbdcli_fail(what, r);
	}
	return tool_exit_code(r) ? tool_exit_code(r) : 1;
}

static int do_rm(struct tool_ctx *t, struct rbd_args *a)
{
	int r;

	if (rbdcli_parse_spec(a, a->pos[0], false))
		return 22;
	if ((r = rbdcli_check_namespace(t, a)))
		return tool_exit_code(r);
	r = cephc_rbd_remove_ns(t->cluster, a->pool, a->ns, a->image);
	if (r)
		return explain_remove_error(r, "delete error");
	if (!a->no_progress && isatty(2))
		fprintf(stderr, "Removing image: 100%% complete...done.\n");
	return 0;
}

/* ---- rbd's TextTable: cells padded to the column width, 2-space gaps --- */

void rbdcli_tbl_init(struct table *tb, const char *const *head,
		     const bool *right, int ncols)
{
	memset(tb, 0, sizeof(*tb));
	tb->ncols = ncols;
	for (int i = 0; i < ncols; i++) {
		tb->head[i] = head[i];
		tb->right[i] = right[i];
		tb->width[i] = strlen(head[i]);
	}
}

/* Add a row of ncols cells (NULL: empty). */
int rbdcli_tbl_row(struct table *tb, const char *const *cells)
{
	if (tb->nrows == tb->cap) {
		size_t nc = tb->cap ? tb->cap * 2 : 16;
		char **nv =
		    realloc(tb->cells, nc * (size_t)tb->ncols * sizeof(*nv));
		if (!nv)
			return CEPHC_ENOMEM;
		tb->cells = nv;
		tb->cap = nc;
	}
	for (int i = 0; i < tb->ncols; i++) {
		char *c = strdup(cells[i] ? cells[i] : "");

		if (!c)
			return CEPHC_ENOMEM; /* earlier cells freed by fini */
		tb->cells[tb->nrows * (size_t)tb->ncols + (size_t)i] = c;
		if (strlen(c) > tb->width[i])
			tb->width[i] = strlen(c);
	}
	tb->nrows++;
	return 0;
}

static void tbl_line(const struct table *tb, const char *const *cells,
		     bool head)
{
	for (int i = 0; i < tb->ncols; i++) {
		int w = (int)tb->width[i];

		printf(i ? "  " : "");
		if (!head && tb->right[i])
			printf("%*s", w, cells[i]);
		else
			printf("%-*s", w, cells[i]);
	}
	printf("\n");
}

/* Print (nothing at all for an empty table, as rbd) and free. */
void rbdcli_tbl_print_fini(struct table *tb)
{
	if (tb->nrows) {
		tbl_line(tb, tb->head, true);
		for (size_t r = 0; r < tb->nrows; r++)
			tbl_line(tb,
				 (const char *const *)tb->cells +
				     r * (size_t)tb->ncols,
				 false);
	}
	for (size_t i = 0; i < tb->nrows * (size_t)tb->ncols; i++)
		free(tb->cells[i]);
	free(tb->cells);
}

/* "pool/[ns/]image@snap" of a clone's parent, "" without one. */
static void fmt_parent(const struct cephc_rbd_parent_info *p, char *buf,
		       size_t cap)
{
	if (!p->has_parent)
		snprintf(buf, cap, "%s", "");
	else
		snprintf(buf, cap, "%s/%s%s%s@%s", p->pool_name,
			 p->pool_namespace, *p->pool_namespace ? "/" : "",
			 p->image_name, p->snap_name);
}

/* "KEY":"VALUE" (escaped), after a comma unless first. */
void rbdcli_json_field(const char *key, const char *val, bool first)
{
	printf("%s\"%s\":", first ? "" : ",", key);
	json_str(stdout, val);
}

static void json_parent(const struct cephc_rbd_parent_info *p)
{
	printf(",\"parent\":{");
	rbdcli_json_field("pool", p->pool_name, true);
	rbdcli_json_field("pool_namespace", p->pool_namespace, false);
	rbdcli_json_field("image", p->image_name, false);
	rbdcli_json_field("snapshot", p->snap_name, false);
	printf("}");
}

/*
 * One image of `rbd ls -l`: its row (or JSON object), then one per user
 * snapshot.  first: no JSON object printed yet.
 */
static int ls_long_image(struct tool_ctx *t, struct rbd_args *a,
			 const struct cephc_rbd_image_spec *spec,
			 struct table *tb, bool *first)
{
	struct cephc_rbd_parent_info par;
	struct cephc_rbd_snap_entry *snaps = NULL;
	struct cephc_rbd_info in;
	cephc_rbd_image *img;
	char sz[32], ps[8192], fmt[4];
	uint32_t nsnaps = 0;
	int lockers = 0;
	bool excl = false;
	int r;

	r = cephc_rbd_open_ns(t->cluster, a->pool, a->ns, spec->name, NULL,
			      CEPHC_RBD_OPEN_READ_ONLY, &img);
	if (r) {
		/* rbd skips images it cannot open, saying why */
		fprintf(stderr, "rbd: error opening %s: %s\n", spec->name,
			cephc_strerror(r));
		return r;
	}
	cephc_rbd_stat(img, &in);
	r = cephc_rbd_get_parent(img, &par);
	if (!r)
		r = cephc_rbd_list_lockers(img, &lockers, &excl);
	if (!r)
		r = cephc_rbd_snap_list(img, &snaps, &nsnaps);
	if (r) {
		/* reported, then the next image (rbd goes on too) */
		fprintf(stderr, "rbd: error processing image %s: %s\n",
			spec->name, cephc_strerror(r));
		cephc_rbd_close(img);
		return 0;
	}
	rbdcli_fmt_bytes(in.size, sz, sizeof(sz));
	fmt_parent(&par, ps, sizeof(ps));
	snprintf(fmt, sizeof(fmt), "%d", *spec->id ? 2 : 1);
	if (t->json) {
		printf("%s{", *first ? "" : ",");
		rbdcli_json_field("image", spec->name, true);
		rbdcli_json_field("id", spec->id, false);
		printf(",\"size\":%" PRIu64, in.size);
		if (par.has_parent)
			json_parent(&par);
		printf(",\"format\":%s", fmt);
		if (lockers)
			printf(",\"lock_type\":\"%s\"",
			       excl ? "exclusive" : "shared");
		printf("}");
		*first = false;
	} else {
		const char *row[] = {
		    spec->name, sz, ps,
		    fmt,        "", lockers ? (excl ? "excl" : "shr") : ""};
		r = rbdcli_tbl_row(tb, row);
	}
	for (uint32_t i = 0; !r && i < nsnaps; i++) {
		struct cephc_rbd_snap_entry *s = &snaps[i];
		char name[2200];

		if (s->ns_type != 0) /* user snapshots only */
			continue;
		r = cephc_rbd_get_parent_at(img, s->id, &par);
		if (r)
			break;
		rbdcli_fmt_bytes(s->size, sz, sizeof(sz));
		fmt_parent(&par, ps, sizeof(ps));
		if (t->json) {
			printf(",{");
			rbdcli_json_field("image", spec->name, true);
			rbdcli_json_field("id", spec->id, false);
			rbdcli_json_field("snapshot", s->name, false);
			printf(",\"snapshot_id\":%" PRIu64 ",\"size\":%" PRIu64,
			       s->id, s->size);
			if (par.has_parent)
				json_parent(&par);
			printf(",\"format\":%s,\"protected\":\"%s\"}", fmt,
			       s->is_protected ? "true" : "false");
		} else {
			snprintf(name, sizeof(name), "%s@%s", spec->name,
				 s->name);
			const char *row[] = {
			    name, sz, ps, fmt, s->is_protected ? "yes" : "",
			    ""};
			r = rbdcli_tbl_row(tb, row);
		}
	}
	cephc_buffer_free(snaps);
	cephc_rbd_close(img);
	return r;
}

static int do_ls(struct tool_ctx *t, struct rbd_args *a)
{
	static const char *const head[] = {"NAME", "SIZE", "PARENT",
					   "FMT",  "PROT", "LOCK"};
	static const bool right[] = {false, true, false, true, false, false};
	struct cephc_rbd_image_spec *specs;
	struct table tb;
	bool first = true;
	size_t n;
	int r, err = 0;

	if (rbdcli_parse_pool_spec(a, a->pos[0]))
		return 22;
	if ((r = rbdcli_check_namespace(t, a)))
		return rbdcli_fail("listing images failed", r);
	r = cephc_rbd_list_ns(t->cluster, a->pool, a->ns, &specs, &n);
	if (r)
		return rbdcli_fail("listing images failed", r);
	if (!a->long_list) {
		if (t->json)
			printf("[");
		for (size_t i = 0; i < n; i++) {
			if (t->json) {
				printf(i ? "," : "");
				json_str(stdout, specs[i].name);
			} else {
				printf("%s\n", specs[i].name);
			}
		}
		if (t->json)
			printf("]\n");
		cephc_buffer_free(specs);
		return 0;
	}
	rbdcli_tbl_init(&tb, head, right, 6);
	if (t->json)
		printf("[");
	/*
	 * rbd 16.2 exits with the error of the last image when that one
	 * could not be opened (even ENOENT, e.g. a half-removed image), and
	 * 0 when the last image was listed: keep the last result.
	 */
	for (size_t i = 0; i < n; i++)
		err = ls_long_image(t, a, &specs[i], &tb, &first);
	if (t->json)
		printf("]\n");
	rbdcli_tbl_print_fini(&tb);
	cephc_buffer_free(specs);
	return err ? rbdcli_fail("listing images failed", err) : 0;
}

int rbdcli_open_spec(struct tool_ctx *t, struct rbd_args *a, bool ro,
		     cephc_rbd_image **img)
{
	int r = rbdcli_check_namespace(t, a);

	if (r)
		return r;
	r = cephc_rbd_open_ns(t->cluster, a->pool, a->ns, a->image, a->snap,
			      ro ? CEPHC_RBD_OPEN_READ_ONLY : 0, img);
	if (r) {
		rbdcli_fail("error opening image", r);
		return r;
	}
	return 0;
}

static void json_names(uint64_t bits, bool op)
{
	char buf[512];
	char *save = NULL;
	bool first = true;

	if (op)
		cephc_rbd_op_features_format(bits, buf, sizeof(buf));
	else
		cephc_rbd_features_format(bits, buf, sizeof(buf));
	printf("[");
	for (char *p = strtok_r(buf, ", ", &save); p;
	     p = strtok_r(NULL, ", ", &save)) {
		printf(first ? "" : ",");
		json_str(stdout, p);
		first = false;
	}
	printf("]");
}

const char *rbdcli_pool_name(struct tool_ctx *t, int64_t id, char *buf,
			     size_t cap)
{
	struct cephc_pool_info *pools;
	size_t n;

	snprintf(buf, cap, "%lld", (long long)id);
	if (cephc_cluster_pool_list(t->cluster, &pools, &n) == 0) {
		for (size_t i = 0; i < n; i++)
			if (pools[i].id == id)
				snprintf(buf, cap, "%s", pools[i].name);
		cephc_buffer_free(pools);
	}
	return buf;
}

static int do_info(struct tool_ctx *t, struct rbd_args *a)
{
	struct cephc_rbd_parent_info par;
	struct cephc_rbd_info in;
	cephc_rbd_image *img;
	char sz[32], feat[512], opf[256], ts[3][64], dp[256];
	int r;

	if (rbdcli_parse_spec(a, a->pos[0], true))
		return 22;
	if ((r = rbdcli_open_spec(t, a, true, &img)))
		return tool_exit_code(r);
	cephc_rbd_stat(img, &in);
	r = cephc_rbd_get_parent(img, &par);
	cephc_rbd_close(img);
	if (r)
		return rbdcli_fail("error getting parent", r);
	rbdcli_fmt_bytes(in.size, sz, sizeof(sz));
	cephc_rbd_features_format(in.features, feat, sizeof(feat));
	cephc_rbd_op_features_format(in.op_features, opf, sizeof(opf));
	rbdcli_fmt_time(in.create_sec, ts[0], sizeof(ts[0]));
	rbdcli_fmt_time(in.access_sec, ts[1], sizeof(ts[1]));
	rbdcli_fmt_time(in.modify_sec, ts[2], sizeof(ts[2]));
	if (in.data_pool_id >= 0)
		rbdcli_pool_name(t, in.data_pool_id, dp, sizeof(dp));
	if (t->json) {
		printf("{\"name\":");
		json_str(stdout, in.name);
		printf(",\"id\":\"%s\",\"size\":%" PRIu64
		       ",\"objects\":%" PRIu64
		       ",\"order\":%u,\"object_size\":%" PRIu64
		       ",\"snapshot_count\":%u",
		       in.id, in.size, in.num_objects, in.order, in.object_size,
		       in.snapshot_count);
		if (in.data_pool_id >= 0) {
			printf(",\"data_pool\":");
			json_str(stdout, dp);
		}
		printf(",\"block_name_prefix\":\"%s\",\"format\":2,"
		       "\"features\":",
		       in.block_name_prefix);
		json_names(in.features, false);
		printf(",\"op_features\":");
		json_names(in.op_features, true);
		printf(",\"flags\":[]");
		printf(
		    ",\"create_timestamp\":\"%s\",\"access_timestamp\":\"%s\","
		    "\"modify_timestamp\":\"%s\"",
		    ts[0], ts[1], ts[2]);
		if (in.snap_id != CEPHC_RBD_SNAP_HEAD)
			printf(",\"protected\":\"%s\"",
			       in.snap_protected ? "true" : "false");
		if (par.has_parent) {
			printf(",\"parent\":{");
			rbdcli_json_field("pool", par.pool_name, true);
			rbdcli_json_field("pool_namespace", par.pool_namespace,
					  false);
			rbdcli_json_field("image", par.image_name, false);
			rbdcli_json_field("id", par.image_id, false);
			rbdcli_json_field("snapshot", par.snap_name, false);
			printf(",\"trash\":%s,\"overlap\":%" PRIu64 "}",
			       par.image_in_trash ? "true" : "false",
			       par.overlap);
		}
		if (in.features & CEPHC_RBD_FEAT_STRIPINGV2)
			printf(",\"stripe_unit\":%" PRIu64
			       ",\"stripe_count\":%" PRIu64,
			       in.stripe_unit, in.stripe_count);
		printf("}\n");
		return 0;
	}
	printf("rbd image '%s':\n", in.name);
	printf("\tsize %s in %" PRIu64 " objects\n", sz, in.num_objects);
	rbdcli_fmt_bytes(in.object_size, sz, sizeof(sz));
	printf("\torder %u (%s objects)\n", in.order, sz);
	printf("\tsnapshot_count: %u\n", in.snapshot_count);
	printf("\tid: %s\n", in.id);
	if (in.data_pool_id >= 0)
		printf("\tdata_pool: %s\n", dp);
	printf("\tblock_name_prefix: %s\n", in.block_name_prefix);
	printf("\tformat: 2\n");
	printf("\tfeatures: %s\n", feat);
	printf("\top_features: %s\n", opf);
	printf("\tflags: \n");
	printf("\tcreate_timestamp: %s\n", ts[0]);
	printf("\taccess_timestamp: %s\n", ts[1]);
	printf("\tmodify_timestamp: %s\n", ts[2]);
	if (in.snap_id != CEPHC_RBD_SNAP_HEAD)
		printf("\tprotected: %s\n",
		       in.snap_protected ? "True" : "False");
	if (par.has_parent) {
		char ps[8192];

		fmt_parent(&par, ps, sizeof(ps));
		printf("\tparent: %s", ps);
		if (par.image_in_trash)
			printf(" (trash %s)", par.image_id);
		rbdcli_fmt_bytes(par.overlap, sz, sizeof(sz));
		printf("\n\toverlap: %s\n", sz);
	}
	if (in.features & CEPHC_RBD_FEAT_STRIPINGV2) {
		rbdcli_fmt_bytes(in.stripe_unit, sz, sizeof(sz));
		printf("\tstripe unit: %s\n", sz);
		printf("\tstripe count: %" PRIu64 "\n", in.stripe_count);
	}
	return 0;
}

static int do_resize(struct tool_ctx *t, struct rbd_args *a)
{
	struct cephc_rbd_info in;
	cephc_rbd_image *img;
	int r;

	if (rbdcli_parse_spec(a, a->pos[0], false))
		return 22;
	if (!a->have_size) {
		fprintf(stderr, "rbd: must specify --size <M/G/T>\n");
		return 22;
	}
	if ((r = rbdcli_open_spec(t, a, false, &img)))
		return tool_exit_code(r);
	cephc_rbd_stat(img, &in);
	if (a->size < in.size && !a->allow_shrink) {
		fprintf(stderr, "rbd: shrinking an image is only allowed with "
				"the --allow-shrink flag\n");
		cephc_rbd_close(img);
		return 22;
	}
	r = cephc_rbd_resize(img, a->size);
	cephc_rbd_close(img);
	if (r)
		return rbdcli_fail("resize error", r);
	if (!a->no_progress && isatty(2))
		fprintf(stderr, "Resizing image: 100%% complete...done.\n");
	return 0;
}

/* ---- namespace / trash ------------------------------------------------- */

static int do_namespace(struct tool_ctx *t, struct rbd_args *a)
{
	const char *op = a->pos[0] ? a->pos[0] : "";
	char **names;
	size_t n;
	int r;

	if (!strcmp(op, "ls") || !strcmp(op, "list")) {
		if (a->pos[1] && strchr(a->pos[1], '/')) {
			fprintf(stderr, "rbd: invalid pool '%s'\n", a->pos[1]);
			return 22;
		}
		if (a->pos[1])
			a->pool = a->pos[1];
		r = cephc_rbd_namespace_list(
		    t->cluster, a->pool ? a->pool : "rbd", &names, &n);
		if (r)
			return rbdcli_fail("listing namespaces failed", r);
		if (t->json) {
			printf("[");
			for (size_t i = 0; i < n; i++) {
				printf("%s{\"name\":", i ? "," : "");
				json_str(stdout, names[i]);
				printf("}");
			}
			printf("]\n");
		} else {
			static const char *const head[] = {"NAME"};
			static const bool right[] = {false};
			struct table tb;

			rbdcli_tbl_init(&tb, head, right, 1);
			for (size_t i = 0; !r && i < n; i++)
				r = rbdcli_tbl_row(
				    &tb, (const char *const *)&names[i]);
			rbdcli_tbl_print_fini(&tb);
		}
		cephc_buffer_free(names);
		return r ? rbdcli_fail("listing namespaces failed", r) : 0;
	}
	if (strcmp(op, "create") && strcmp(op, "rm") && strcmp(op, "remove")) {
		fprintf(stderr, "rbd: unknown namespace command '%s'\n", op);
		return 22;
	}
	if (rbdcli_parse_pool_spec(a, a->pos[1]))
		return 22;
	if (!a->ns || !*a->ns) {
		fprintf(stderr, "rbd: namespace name was not specified\n");
		return 22;
	}
	if (!strcmp(op, "create")) {
		r = cephc_rbd_namespace_create(t->cluster, a->pool, a->ns);
		return r ? rbdcli_fail("failed to created namespace", r) : 0;
	}
	r = cephc_rbd_namespace_remove(t->cluster, a->pool, a->ns);
	if (r == CEPHC_ENOENT) {
		fprintf(stderr, "rbd: namespace does not exist.\n");
		return tool_exit_code(r);
	}
	if (r == CEPHC_EBUSY) {
		fprintf(stderr, "rbd: namespace contains images which must be "
				"deleted first.\n");
		return tool_exit_code(r);
	}
	return r ? rbdcli_fail("failed to remove namespace", r) : 0;
}

static const char *trash_source_name(uint32_t src)
{
	static const char *const names[] = {"USER", "MIRRORING", "MIGRATION",
					    "REMOVING"};

	/* rbd leaves sources it does not name (user-parent) empty */
	return src < 4 ? names[src] : "";
}

/* `rbd trash ls -l`: entries rbd can open, with their parents. */
static int trash_ls_long(struct tool_ctx *t, struct rbd_args *a,
			 const struct cephc_rbd_trash_info *e, size_t n)
{
	static const char *const head[] = {"ID",         "NAME",   "SOURCE",
					   "DELETED_AT", "STATUS", "PARENT"};
	static const bool right[] = {false, false, false, false, false, false};
	struct table tb;
	uint32_t now = (uint32_t)time(NULL);
	bool first = true;
	int r = 0;

	rbdcli_tbl_init(&tb, head, right, 6);
	if (t->json)
		printf("[");
	for (size_t i = 0; !r && i < n; i++) {
		struct cephc_rbd_parent_info par;
		cephc_rbd_image *img;
		char del[64], end[64], status[96], ps[8192];

		r = cephc_rbd_open_by_id(t->cluster, a->pool, a->ns, e[i].id,
					 NULL, CEPHC_RBD_OPEN_READ_ONLY, &img);
		if (r) {
			if (r != CEPHC_ENOENT)
				fprintf(stderr, "rbd: error opening %s: %s\n",
					e[i].id, cephc_strerror(r));
			r = 0;
			continue;
		}
		r = cephc_rbd_get_parent(img, &par);
		cephc_rbd_close(img);
		if (r)
			break;
		rbdcli_fmt_time(e[i].deletion_sec, del, sizeof(del));
		rbdcli_fmt_time(e[i].deferment_end_sec, end, sizeof(end));
		snprintf(status, sizeof(status), "%s %s",
			 now < e[i].deferment_end_sec ? "protected until"
						      : "expired at",
			 end);
		fmt_parent(&par, ps, sizeof(ps));
		if (t->json) {
			printf("%s{", first ? "" : ",");
			rbdcli_json_field("id", e[i].id, true);
			rbdcli_json_field("name", e[i].name, false);
			rbdcli_json_field(
			    "source", trash_source_name(e[i].source), false);
			rbdcli_json_field("deleted_at", del, false);
			rbdcli_json_field("status", status, false);
			if (par.has_parent)
				json_parent(&par);
			printf("}");
			first = false;
		} else {
			const char *row[] = {
			    e[i].id, e[i].name, trash_source_name(e[i].source),
			    del,     status,    ps};
			r = rbdcli_tbl_row(&tb, row);
		}
	}
	if (t->json)
		printf("]\n");
	rbdcli_tbl_print_fini(&tb);
	return r;
}

static int trash_ls(struct tool_ctx *t, struct rbd_args *a)
{
	struct cephc_rbd_trash_info *e;
	size_t n, k = 0;
	int r;

	if (rbdcli_parse_pool_spec(a, a->pos[1]))
		return 22;
	if ((r = rbdcli_check_namespace(t, a)))
		return tool_exit_code(r);
	r = cephc_rbd_trash_list(t->cluster, a->pool, a->ns, &e, &n);
	if (r)
		return rbdcli_fail("trash list", r);
	/*
	 * librbd's trash list never returns half-removed images (source
	 * REMOVING: `rbd ls` shows those); without --all, rbd keeps only
	 * what users put there.
	 */
	for (size_t i = 0; i < n; i++)
		if (e[i].source != CEPHC_RBD_TRASH_SOURCE_REMOVING &&
		    (a->all || e[i].source == CEPHC_RBD_TRASH_SOURCE_USER))
			e[k++] = e[i];
	if (a->long_list) {
		r = trash_ls_long(t, a, e, k);
	} else {
		if (t->json)
			printf("[");
		for (size_t i = 0; i < k; i++) {
			if (t->json) {
				printf("%s{", i ? "," : "");
				rbdcli_json_field("id", e[i].id, true);
				rbdcli_json_field("name", e[i].name, false);
				printf("}");
			} else {
				printf("%s %s\n", e[i].id, e[i].name);
			}
		}
		if (t->json)
			printf("]\n");
	}
	cephc_buffer_free(e);
	return r ? rbdcli_fail("trash list", r) : 0;
}

/*
 * A date as rbd takes it: whatever date(1) --date understands ("2030-01-01",
 * "tomorrow", "now + 2 hours"); rbd runs /bin/date for it too.  Seconds
 * since the epoch, or -1 with a message.
 */
static int64_t parse_date(const char *s)
{
	int fd[2];
	char out[64];
	ssize_t n = 0, r;
	int status = 0;
	pid_t pid;

	if (pipe(fd))
		return -1;
	pid = fork();
	if (pid == 0) {
		dup2(fd[1], 1);
		close(fd[0]);
		close(fd[1]);
		execlp("date", "date", "--date", s, "+%s", (char *)NULL);
		_exit(127);
	}
	close(fd[1]);
	while (pid > 0 && n < (ssize_t)sizeof(out) - 1 &&
	       (r = read(fd[0], out + n, sizeof(out) - 1 - (size_t)n)) > 0)
		n += r;
	close(fd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) || n == 0) {
		fprintf(stderr, "rbd: error calling /bin/date: %s\n",
			"Invalid argument");
		return -1;
	}
	out[n] = '\0';
	return strtoll(out, NULL, 10);
}

/* "[POOL/[NS/]]ID" or --image-id of trash rm / restore. */
static int trash_id_spec(struct rbd_args *a)
{
	if (a->pos[1]) {
		if (rbdcli_parse_spec(a, a->pos[1], false))
			return -1;
		a->image_id = a->image;
		a->image = NULL;
	}
	if (!a->pool)
		a->pool = "rbd";
	if (!a->image_id || !*a->image_id) {
		fprintf(stderr, "rbd: image id was not specified\n");
		return -1;
	}
	return 0;
}

static int do_trash(struct tool_ctx *t, struct rbd_args *a)
{
	const char *op = a->pos[0] ? a->pos[0] : "";
	const char *new_name = NULL;
	int r;

	if (!strcmp(op, "ls") || !strcmp(op, "list"))
		return trash_ls(t, a);
	if (!strcmp(op, "mv") || !strcmp(op, "move")) {
		struct timespec ts;
		int64_t now, exp;

		clock_gettime(CLOCK_REALTIME, &ts);
		now = (int64_t)ts.tv_sec;
		exp = now;
		if (rbdcli_parse_spec(a, a->pos[1], false))
			return 22;
		if (a->expires_at && (exp = parse_date(a->expires_at)) < 0)
			return 22;
		/* whole seconds from now, rounded down as rbd does (so
		 * "2030-01-01" ends at 2029-12-31 23:59:59, as with rbd) */
		if (a->expires_at && exp > now && ts.tv_nsec)
			exp--;
		if (exp < now) {
			fprintf(stderr, "rbd: cannot use a date in the past as "
					"an expiration date\n");
			return 22;
		}
		if ((r = rbdcli_check_namespace(t, a)))
			return tool_exit_code(r);
		/* The library adds the delay to its own clock a moment from
		 * now: count it from as late as we can, or a second that
		 * ticks meanwhile (connecting under load) ends the deferment
		 * a second later than rbd would. */
		if (a->expires_at) {
			int64_t exp_s = exp;

			clock_gettime(CLOCK_REALTIME, &ts);
			now = (int64_t)ts.tv_sec;
			exp = exp_s > now ? exp_s : now;
		}
		r = cephc_rbd_trash_move(t->cluster, a->pool, a->ns, a->image,
					 (uint32_t)(exp - now));
		return r ? rbdcli_fail("deferred delete error", r) : 0;
	}
	if (!strcmp(op, "purge")) {
		int64_t before = 0;
		size_t n = 0;

		if (a->threshold) {
			fprintf(stderr, "rbd: --threshold is not supported by "
					"cephc\n");
			return 95;
		}
		if (rbdcli_parse_pool_spec(a, a->pos[1]))
			return 22;
		if (a->expired_before &&
		    (before = parse_date(a->expired_before)) < 0)
			return 22;
		if ((r = rbdcli_check_namespace(t, a)))
			return tool_exit_code(r);
		r = cephc_rbd_trash_purge(t->cluster, a->pool, a->ns, before,
					  &n);
		/* rbd reports a failed purge but exits 0 */
		if (r)
			fprintf(stderr,
				"rbd: purge stopped after %zu "
				"image(s): %s%s%s\n",
				n, cephc_strerror(r),
				*cephc_rbd_last_error() ? ": " : "",
				cephc_rbd_last_error());
		else if (!a->no_progress && isatty(2))
			fprintf(stderr, "Removing images: 100%% "
					"complete...done.\n");
		return 0;
	}
	if (strcmp(op, "rm") && strcmp(op, "remove") && strcmp(op, "restore")) {
		fprintf(stderr, "rbd: unknown trash command '%s'\n", op);
		return 22;
	}
	/* --image names the restored image; take it before the id spec */
	if (!strcmp(op, "restore"))
		new_name = a->image;
	a->image = NULL;
	if (trash_id_spec(a))
		return 22;
	if ((r = rbdcli_check_namespace(t, a)))
		return tool_exit_code(r);
	if (!strcmp(op, "restore")) {
		r = cephc_rbd_trash_restore(t->cluster, a->pool, a->ns,
					    a->image_id, new_name);
		if (r == CEPHC_ENOENT)
			fprintf(stderr,
				"rbd: error: image does not exist in trash\n");
		else if (r == CEPHC_EEXIST)
			fprintf(stderr,
				"rbd: error: an image with the same name "
				"already exists, try again with with a "
				"different name\n");
		else if (r)
			return rbdcli_fail("restore error", r);
		return r ? tool_exit_code(r) : 0;
	}
	r = cephc_rbd_trash_remove(t->cluster, a->pool, a->ns, a->image_id,
				   a->force);
	if (r == CEPHC_EPERM) {
		fprintf(stderr, "\nDeferment time has not expired, please use "
				"--force if you really want to remove the "
				"image\n");
		return tool_exit_code(r);
	}
	if (r)
		return explain_remove_error(r, "remove error");
	if (!a->no_progress && isatty(2))
		fprintf(stderr, "Removing image: 100%% complete...done.\n");
	return 0;
}

/* ---- import / export -------------------------------------------------- */

void rbdcli_progress(const char *what, uint64_t done, uint64_t total, bool show)
{
	if (!show)
		return;
	if (total)
		fprintf(stderr, "\r%s: %d%% complete...", what,
			(int)(done * 100 / total));
	else
		fprintf(stderr, "\r%s: %" PRIu64 " MiB...", what, done >> 20);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

static ssize_t read_full(int fd, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* The writes of one import buffer: several sparse runs in flight. */
struct xfer_group {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int pending;
	int err;
};

static void group_cb(cephc_rbd_completion *c, void *arg)
{
	struct xfer_group *g = arg;
	int r = cephc_rbd_aio_get_return_value(c);

	cephc_rbd_aio_release(c);
	pthread_mutex_lock(&g->lock);
	if (r && !g->err)
		g->err = r;
	if (--g->pending == 0)
		pthread_cond_broadcast(&g->cond);
	pthread_mutex_unlock(&g->lock);
}

/* Wait for the group's writes; returns and clears their first error. */
static int group_wait(struct xfer_group *g)
{
	int r;

	pthread_mutex_lock(&g->lock);
	while (g->pending)
		pthread_cond_wait(&g->cond, &g->lock);
	r = g->err;
	g->err = 0;
	pthread_mutex_unlock(&g->lock);
	return r;
}

/*
 * Write the non-zero SPARSE_SIZE blocks of buf (rbd import's default
 * --sparse-size 4K), one aio per run, so zero blocks stay holes.
 */
#define SPARSE_SIZE 4096
static int write_sparse(cephc_rbd_image *img, uint64_t off, const uint8_t *buf,
			size_t n, struct xfer_group *g)
{
	size_t i = 0;

	while (i < n) {
		size_t start, bl = n - i < SPARSE_SIZE ? n - i : SPARSE_SIZE;
		cephc_rbd_completion *c;
		int r;

		if (all_zero(buf + i, bl)) {
			i += bl;
			continue;
		}
		start = i;
		while (i < n) {
			bl = n - i < SPARSE_SIZE ? n - i : SPARSE_SIZE;
			if (all_zero(buf + i, bl))
				break;
			i += bl;
		}
		r = cephc_rbd_aio_create_completion(g, group_cb, &c);
		if (r)
			return r;
		pthread_mutex_lock(&g->lock);
		g->pending++;
		pthread_mutex_unlock(&g->lock);
		r = cephc_rbd_aio_write(img, off + start, i - start,
					buf + start, c);
		if (r) {
			cephc_rbd_aio_release(c);
			pthread_mutex_lock(&g->lock);
			g->pending--;
			pthread_mutex_unlock(&g->lock);
			return r;
		}
	}
	return 0;
}

static int do_import(struct tool_ctx *t, struct rbd_args *a)
{
	struct cephc_rbd_create_opts o = {0};
	const char *path = a->pos[0];
	struct xfer_group groups[XFER_INFLIGHT];
	uint8_t *bufs[XFER_INFLIGHT] = {0};
	cephc_rbd_image *img = NULL;
	uint64_t total = 0, off = 0;
	bool show, is_stdin;
	struct stat st;
	int fd, r = 0, slot = 0;

	if (!path) {
		fprintf(stderr, "rbd: path was not specified\n");
		return 22;
	}
	is_stdin = !strcmp(path, "-");
	if (!a->pos[1] && !a->image && !is_stdin) {
		const char *b = strrchr(path, '/');
		a->pos[1] = b ? b + 1 : path;
	}
	if (rbdcli_parse_spec(a, a->pos[1], false))
		return 22;
	fd = is_stdin ? 0 : open(path, O_RDONLY);
	if (fd < 0) {
		fprintf(stderr, "rbd: error opening %s\n", path);
		return 2;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
		total = (uint64_t)st.st_size;
	o.size = total;
	o.order = a->order;
	o.stripe_unit = a->stripe_unit;
	o.stripe_count = a->stripe_count;
	o.data_pool = a->data_pool;
	o.features = create_features(t, a);
	r = rbdcli_check_namespace(t, a);
	if (!r)
		r = cephc_rbd_create_ns(t->cluster, a->pool, a->ns, a->image,
					&o);
	if (r) {
		if (!is_stdin)
			close(fd);
		return rbdcli_fail("image creation failed", r);
	}
	r = cephc_rbd_open_ns(t->cluster, a->pool, a->ns, a->image, NULL, 0,
			      &img);
	if (r)
		goto out;
	show = !a->no_progress && isatty(2);
	memset(groups, 0, sizeof(groups));
	for (int i = 0; i < XFER_INFLIGHT; i++) {
		pthread_mutex_init(&groups[i].lock, NULL);
		pthread_cond_init(&groups[i].cond, NULL);
		bufs[i] = malloc(XFER_CHUNK);
		if (!bufs[i])
			r = CEPHC_ENOMEM;
	}
	while (!r) {
		ssize_t n;
		struct cephc_rbd_info in;

		r = group_wait(&groups[slot]);
		if (r)
			break;
		n = read_full(fd, bufs[slot], XFER_CHUNK);
		if (n <= 0) {
			r = (int)n;
			break;
		}
		cephc_rbd_stat(img, &in);
		if (off + (uint64_t)n > in.size) {
			/* a stream: grow as data arrives, like rbd import - */
			r = cephc_rbd_resize(img, off + (uint64_t)n);
			if (r)
				break;
		}
		r = write_sparse(img, off, bufs[slot], (size_t)n,
				 &groups[slot]);
		off += (uint64_t)n;
		rbdcli_progress("Importing image", off, total, show);
		slot = (slot + 1) % XFER_INFLIGHT;
	}
	for (int i = 0; img && i < XFER_INFLIGHT; i++) {
		int e = group_wait(&groups[i]);
		if (!r)
			r = e;
	}
	for (int i = 0; img && i < XFER_INFLIGHT; i++) {
		pthread_mutex_destroy(&groups[i].lock);
		pthread_cond_destroy(&groups[i].cond);
		free(bufs[i]);
	}
	if (show)
		fprintf(stderr, r ? "failed.\n"
				  : "\rImporting image: 100%% "
				    "complete...done.\n");
out:
	if (img)
		cephc_rbd_close(img);
	if (!is_stdin)
		close(fd);
	return r ? rbdcli_fail("import failed", r) : 0;
}

static int write_full(int fd, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int do_export(struct tool_ctx *t, struct rbd_args *a)
{
	cephc_rbd_completion *comps[XFER_INFLIGHT] = {0};
	uint8_t *bufs[XFER_INFLIGHT] = {0};
	size_t lens[XFER_INFLIGHT] = {0};
	struct cephc_rbd_info in;
	cephc_rbd_image *img;
	const char *path;
	uint64_t sub = 0, done = 0;
	bool show, is_stdout;
	int fd, r = 0;

	if (rbdcli_parse_spec(a, a->pos[0], true))
		return 22;
	path = a->pos[1] ? a->pos[1] : a->image;
	is_stdout = !strcmp(path, "-");
	if ((r = rbdcli_open_spec(t, a, true, &img)))
		return tool_exit_code(r);
	cephc_rbd_stat(img, &in);
	fd = is_stdout ? 1 : open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	if (fd < 0) {
		fprintf(stderr, "rbd: error opening %s: %s\n", path,
			strerror(errno));
		cephc_rbd_close(img);
		return 17;
	}
	show = !a->no_progress && isatty(2);
	for (int i = 0; i < XFER_INFLIGHT && !r; i++)
		if (!(bufs[i] = malloc(XFER_CHUNK)))
			r = CEPHC_ENOMEM;
	/* A ring of reads in flight, written out in order. */
	for (uint64_t k = 0; !r && done < in.size; k++) {
		int slot = (int)(k % XFER_INFLIGHT);
		while (!r && sub < in.size &&
		       sub < done + (uint64_t)XFER_INFLIGHT * XFER_CHUNK) {
			int s = (int)((sub / XFER_CHUNK) % XFER_INFLIGHT);
			lens[s] = in.size - sub < XFER_CHUNK
				      ? (size_t)(in.size - sub)
				      : XFER_CHUNK;
			r = cephc_rbd_aio_create_completion(NULL, NULL,
							    &comps[s]);
			if (!r)
				r = cephc_rbd_aio_read(img, sub, lens[s],
						       bufs[s], comps[s]);
			sub += lens[s];
		}
		if (r || !comps[slot])
			break;
		cephc_rbd_aio_wait(comps[slot]);
		r = cephc_rbd_aio_get_return_value(comps[slot]);
		cephc_rbd_aio_release(comps[slot]);
		comps[slot] = NULL;
		if (!r) {
			if (!is_stdout && all_zero(bufs[slot], lens[slot]) &&
			    done + lens[slot] < in.size)
				r = lseek(fd, (off_t)lens[slot], SEEK_CUR) < 0
					? -errno
					: 0;
			else
				r = write_full(fd, bufs[slot], lens[slot]);
		}
		done += lens[slot];
		rbdcli_progress("Exporting image", done, in.size, show);
	}
	for (int i = 0; i < XFER_INFLIGHT; i++) {
		if (comps[i]) {
			cephc_rbd_aio_wait(comps[i]);
			cephc_rbd_aio_release(comps[i]);
		}
		free(bufs[i]);
	}
	if (!r && !is_stdout && ftruncate(fd, (off_t)in.size))
		r = -errno;
	if (show)
		fprintf(stderr, r ? "failed.\n"
				  : "\rExporting image: 100%% "
				    "complete...done.\n");
	cephc_rbd_close(img);
	if (!is_stdout)
		close(fd);
	return r ? rbdcli_fail("export error", r) : 0;
}

/* ---- bench ------------------------------------------------------------ */

/*
 * io_threads slots, each with its own buffer, keep that many I/Os in
 * flight: a slot's completion callback (on the loop thread) submits its
 * next I/O, as `cephc rados bench` does, so no thread hand-off sits
 * between one I/O and the next.  The main thread only reports.
 */
struct bench {
	cephc_rbd_image *img;
	uint64_t size, io_size, io_total;
	bool rand, write_only, read_only;
	int mix;
	uint8_t *wbuf;
	pthread_mutex_t lock; /* guards the fields below */
	pthread_cond_t cond;
	uint64_t issued, seq_off;
	unsigned seed;
	unsigned active; /* slots with an I/O in flight */
	uint64_t done_ops, lat_ns_sum;
	int err;
};

struct bench_slot {
	struct bench *b;
	uint64_t start_ns;
	uint8_t *rbuf;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void bench_cb(cephc_rbd_completion *c, void *arg);

/* Submit the slot's next I/O; false once the budget is spent or on error
 * (the slot is then idle). */
static bool bench_next(struct bench_slot *s)
{
	struct bench *b = s->b;
	cephc_rbd_completion *c;
	uint64_t off;
	bool is_read;
	int r;

	pthread_mutex_lock(&b->lock);
	if (b->issued >= b->io_total || b->err) {
		if (--b->active == 0)
			pthread_cond_broadcast(&b->cond);
		pthread_mutex_unlock(&b->lock);
		return false;
	}
	b->issued += b->io_size;
	if (b->rand) {
		off = ((uint64_t)rand_r(&b->seed) << 31 ^
		       (uint64_t)rand_r(&b->seed)) %
		      (b->size / b->io_size) * b->io_size;
	} else {
		off = b->seq_off;
		b->seq_off += b->io_size;
		if (b->seq_off + b->io_size > b->size)
			b->seq_off = 0;
	}
	is_read = b->read_only ||
		  (!b->write_only && (int)(rand_r(&b->seed) % 100) < b->mix);
	pthread_mutex_unlock(&b->lock);
	s->start_ns = now_ns();
	r = cephc_rbd_aio_create_completion(s, bench_cb, &c);
	if (!r) {
		r = is_read ? cephc_rbd_aio_read(b->img, off, b->io_size,
						 s->rbuf, c)
			    : cephc_rbd_aio_write(b->img, off, b->io_size,
						  b->wbuf, c);
		if (r)
			cephc_rbd_aio_release(c);
	}
	if (r) {
		pthread_mutex_lock(&b->lock);
		b->err = r;
		if (--b->active == 0)
			pthread_cond_broadcast(&b->cond);
		pthread_mutex_unlock(&b->lock);
		return false;
	}
	return true;
}

static void bench_cb(cephc_rbd_completion *c, void *arg)
{
	struct bench_slot *s = arg;
	struct bench *b = s->b;
	int r = cephc_rbd_aio_get_return_value(c);
	uint64_t lat = now_ns() - s->start_ns;

	cephc_rbd_aio_release(c);
	pthread_mutex_lock(&b->lock);
	if (r && !b->err)
		b->err = r;
	b->lat_ns_sum += lat;
	b->done_ops++;
	pthread_mutex_unlock(&b->lock);
	bench_next(s);
}

static int do_bench(struct tool_ctx *t, struct rbd_args *a)
{
	struct bench b;
	struct bench_slot *slots = NULL;
	struct cephc_rbd_info in;
	uint64_t t0, last_t, last_ops = 0, sec = 0, ops;
	const char *type = a->io_type;
	int r;
	struct rusage ru0, ru1;

	if (!type) {
		fprintf(stderr, "rbd: must specify --io-type <read | write | "
				"readwrite | rw>\n");
		return 22;
	}
	if (rbdcli_parse_spec(a, a->pos[0], false))
		return 22;
	memset(&b, 0, sizeof(b));
	b.rand = a->io_pattern
		     ? !strcmp(a->io_pattern, "rand")
		     : !strcmp(type, "readwrite") || !strcmp(type, "rw");
	b.read_only = !strcmp(type, "read");
	b.write_only = !strcmp(type, "write");
	if (!b.read_only && !b.write_only && strcmp(type, "readwrite") &&
	    strcmp(type, "rw")) {
		fprintf(stderr, "rbd: invalid --io-type %s\n", type);
		return 22;
	}
	if ((r = rbdcli_open_spec(t, a, b.read_only, &b.img)))
		return tool_exit_code(r);
	cephc_rbd_stat(b.img, &in);
	if (!a->io_size || a->io_size > in.size || !a->io_threads ||
	    a->io_threads > 65536) {
		fprintf(stderr, "rbd: io size must be > 0 and <= image size\n");
		cephc_rbd_close(b.img);
		return 22;
	}
	b.size = in.size;
	b.io_size = a->io_size;
	b.io_total = a->io_total;
	b.mix = a->rw_mix_read;
	b.seed = (unsigned)now_ns();
	pthread_condattr_t ca;
	pthread_mutex_init(&b.lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&b.cond, &ca);
	pthread_condattr_destroy(&ca);
	slots = calloc(a->io_threads, sizeof(*slots));
	b.wbuf = b.write_only || !b.read_only ? malloc(b.io_size) : NULL;
	r = slots && (b.wbuf || b.read_only) ? 0 : CEPHC_ENOMEM;
	if (!r && b.wbuf) {
		/* random bytes, 8 at a time (xorshift64*): rand_r() per byte
		 * took 20 ms for a 4 MiB buffer, all of it counted as
		 * client CPU */
		uint64_t x = (uint64_t)rand_r(&b.seed) << 32 | 0x9e3779b9u;

		for (uint64_t i = 0; i < b.io_size; i += 8) {
			uint64_t v;

			x ^= x >> 12;
			x ^= x << 25;
			x ^= x >> 27;
			v = x * 0x2545f4914f6cdd1dull;
			memcpy(b.wbuf + i, &v,
			       b.io_size - i < 8 ? b.io_size - i : 8);
		}
	}
	for (uint64_t i = 0; !r && !b.write_only && i < a->io_threads; i++) {
		/* Touched now, so page faults are not timed.  Not with zeros:
		 * the compiler turns malloc + memset(0) into calloc, which
		 * leaves fresh pages untouched (the faults then showed up as
		 * a fifth of a 4 MiB read bench's CPU). */
		slots[i].rbuf = malloc(b.io_size);
		if (!slots[i].rbuf)
			r = CEPHC_ENOMEM;
		else
			memset(slots[i].rbuf, 0xa5, b.io_size);
	}
	if (r) {
		cephc_rbd_close(b.img);
		goto out;
	}
	printf("bench  type %s io_size %" PRIu64 " io_threads %" PRIu64
	       " bytes %" PRIu64 " pattern %s\n",
	       type, b.io_size, a->io_threads, b.io_total,
	       b.rand ? "random" : "sequential");
	printf("  SEC       OPS   OPS/SEC   BYTES/SEC\n");
	fflush(stdout);
	getrusage(RUSAGE_SELF, &ru0);
	t0 = last_t = now_ns();
	b.active = (unsigned)a->io_threads;
	/* a slot that finds the budget spent (or an error) goes idle */
	for (uint64_t i = 0; i < a->io_threads; i++) {
		slots[i].b = &b;
		bench_next(&slots[i]);
	}
	pthread_mutex_lock(&b.lock);
	while (b.active) {
		uint64_t next = last_t + 1000000000ull, now = now_ns();

		if (next > now) {
			struct timespec ts = {
			    .tv_sec = (time_t)(next / 1000000000ull),
			    .tv_nsec = (long)(next % 1000000000ull)};
			pthread_cond_timedwait(&b.cond, &b.lock, &ts);
			now = now_ns();
		}
		if (b.active && now - last_t >= 1000000000ull) {
			double dt = (double)(now - last_t) / 1e9;
			char bs[32];

			ops = b.done_ops;
			sec++;
			rbdcli_fmt_bytes((uint64_t)((double)(ops - last_ops) *
						    (double)b.io_size / dt),
					 bs, sizeof(bs));
			printf("%5" PRIu64 "  %8" PRIu64 "  %8.2f  %8s/s\n",
			       sec, ops, (double)(ops - last_ops) / dt, bs);
			fflush(stdout);
			last_ops = ops;
			last_t = now;
		}
	}
	pthread_mutex_unlock(&b.lock);
	uint64_t el = now_ns() - t0;
	getrusage(RUSAGE_SELF, &ru1);
	ops = b.done_ops;
	double secs = (double)el / 1e9;
	char bs[32];
	rbdcli_fmt_bytes((uint64_t)((double)ops * (double)b.io_size / secs), bs,
			 sizeof(bs));
	printf("elapsed: %.0f   ops: %" PRIu64 "   ops/sec: %.2f   "
	       "bytes/sec: %s/s\n",
	       secs, ops, (double)ops / secs, bs);
	double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec +
			      ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
		     (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec +
			      ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) /
			 1e6;
	/* Extra line for bench/rbd.sh (not in rbd's output). */
	fprintf(stderr,
		"cephc-bench: avg_lat_us %.1f cpu_us_per_op %.2f maxrss_kb "
		"%ld\n",
		ops ? (double)b.lat_ns_sum / (double)ops / 1e3 : 0.0,
		ops ? cpu * 1e6 / (double)ops : 0.0, ru1.ru_maxrss);
	r = b.err;
	cephc_rbd_close(b.img);
out:
	for (uint64_t i = 0; slots && i < a->io_threads; i++)
		free(slots[i].rbuf);
	free(slots);
	free(b.wbuf);
	pthread_mutex_destroy(&b.lock);
	pthread_cond_destroy(&b.cond);
	return r ? rbdcli_fail("bench failed", r) : 0;
}

/* ---- feature enable / disable ------------------------------------------ */

static int do_feature(struct tool_ctx *t, struct rbd_args *a)
{
	const char *op = a->pos[0] ? a->pos[0] : "";
	bool enable = !strcmp(op, "enable");
	uint64_t features = 0;
	cephc_rbd_image *img;
	int r;

	if (!enable && strcmp(op, "disable")) {
		fprintf(stderr, "rbd: unknown feature command '%s'\n", op);
		return 22;
	}
	if (rbdcli_parse_spec(a, a->pos[1], false))
		return 22;
	if (a->npos < 3) {
		fprintf(stderr,
			"rbd: at least one feature name must be specified\n");
		return 22;
	}
	for (int i = 2; i < a->npos; i++)
		if (parse_feature_list(a->pos[i], &features)) {
			fprintf(stderr, "rbd: the argument for option is "
					"invalid\n");
			return 1;
		}
	if ((r = rbdcli_open_spec(t, a, false, &img)))
		return tool_exit_code(r);
	r = cephc_rbd_update_features(img, features, enable);
	cephc_rbd_close(img);
	return r ? rbdcli_fail("failed to update image features", r) : 0;
}

/* ---- object-map check / rebuild --------------------------------------- */

struct om_progress {
	const char *what;
	bool show;
};

static void om_progress(void *arg, uint64_t done, uint64_t total)
{
	struct om_progress *p = arg;

	rbdcli_progress(p->what, done, total, p->show);
}

/* rbd prints librbd's log line for each error (inconsistencies, a map
 * that over-reports, are only logged at debug level). */
static void om_mismatch(void *arg, uint64_t objno, const char *oid,
			uint8_t stored, uint8_t expected, bool error)
{
	(void)arg;
	(void)objno;
	if (error)
		fprintf(stderr,
			"rbd: object map error: object %s marked as %u, "
			"but should be %u\n",
			oid, stored, expected);
}

static int do_object_map(struct tool_ctx *t, struct rbd_args *a)
{
	const char *op = a->pos[0] ? a->pos[0] : "";
	bool check = !strcmp(op, "check");
	struct om_progress p = {check ? "Object Map Check"
				      : "Object Map Rebuild",
				!a->no_progress && isatty(2)};
	cephc_rbd_image *img;
	unsigned errors = 0;
	int r;

	if (!check && strcmp(op, "rebuild")) {
		fprintf(stderr, "rbd: unknown object-map command '%s'\n", op);
		return 22;
	}
	if (rbdcli_parse_spec(a, a->pos[1], true))
		return 22;
	/* HEAD: as the exclusive lock's owner (taken, or asked of a live
	 * owner, for the op); a snapshot's map needs no lock */
	if ((r = rbdcli_open_spec(t, a, a->snap != NULL, &img)))
		return tool_exit_code(r);
	if (check)
		r = cephc_rbd_object_map_check(img, om_mismatch, om_progress,
					       &p, &errors);
	else
		r = cephc_rbd_object_map_rebuild(img, om_progress, &p);
	cephc_rbd_close(img);
	if (p.show)
		fprintf(stderr, r ? "failed.\n" : "done.\n");
	if (r)
		return rbdcli_fail(check ? "checking object map failed"
					 : "rebuilding object map failed",
				   r);
	return 0;
}

/* ---- lock ls|add|rm, status ---------------------------------------------- */

/*
 * rbd's --format for lock ls and status: plain, json or xml only (rbd
 * refuses json-pretty here, exit 1), and --pretty-format only with json
 * or xml (exit 22).  -1 after printing why.
 */
int rbdcli_out_format(const struct tool_ctx *t, const struct rbd_args *a,
		      enum out_fmt *f, int *rc)
{
	const char *v = t->format ? t->format : "plain";

	if (!strcmp(v, "plain"))
		*f = OUT_PLAIN;
	else if (!strcmp(v, "json"))
		*f = OUT_JSON;
	else if (!strcmp(v, "xml"))
		*f = OUT_XML;
	else {
		fprintf(stderr,
			"rbd: the argument for option '--format' is invalid\n");
		*rc = 1;
		return -1;
	}
	if (a->pretty && *f == OUT_PLAIN) {
		fprintf(stderr, "rbd: --pretty-format only works when --format "
				"is json or xml\n");
		*rc = 22;
		return -1;
	}
	return 0;
}

void rbdcli_xml_str(const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", stdout);
			break;
		case '>':
			fputs("&gt;", stdout);
			break;
		case '&':
			fputs("&amp;", stdout);
			break;
		case '\'':
			fputs("&apos;", stdout);
			break;
		case '"':
			fputs("&quot;", stdout);
			break;
		default:
			putchar(*s);
		}
	}
}

/*
 * --pretty-format as Ceph's formatters lay it out: a new line per value,
 * indented 4 spaces a level in JSON ("key": value) and 1 in XML, where
 * containers close on their own line even when empty and the document
 * ends with a blank line.  Not pretty: all on one line.
 */
struct pretty {
	bool on;
	int width; /* spaces per level */
};
static void pr_indent(const struct pretty *p, int level)
{
	if (p->on)
		printf("\n%*s", level * p->width, "");
}

/* Before a container's closing tag or bracket. */
static void pr_close(const struct pretty *p, int level, size_t n)
{
	if (n || p->width == 1)
		pr_indent(p, level);
}

static void pr_end(const struct pretty *p)
{
	printf(p->on && p->width == 1 ? "\n\n" : "\n");
}

static void pr_json_key(const struct pretty *p, const char *k)
{
	printf("\"%s\":%s", k, p->on ? " " : "");
}

static void pr_xml_elem(const struct pretty *p, int level, const char *k,
			const char *v)
{
	pr_indent(p, level);
	printf("<%s>", k);
	rbdcli_xml_str(v);
	printf("</%s>", k);
}

/* rbd's error line for a failed lock/status call: strerror text. */
int rbdcli_fail_errno(const char *what, int r)
{
	fprintf(stderr, "rbd: %s: (%d) %s\n", what, r > -4096 ? -r : r,
		r > -4096 ? strerror(-r) : cephc_strerror(r));
	return tool_exit_code(r) ? tool_exit_code(r) : 1;
}

static void lock_ls_print(const struct cephc_rbd_lock_info *li, enum out_fmt f,
			  bool pretty)
{
	static const char *const head[] = {"Locker", "ID", "Address"};
	static const bool right[] = {false, false, false};
	const struct pretty p = {pretty, f == OUT_XML ? 1 : 4};
	struct table tb;

	if (f == OUT_JSON) {
		printf("[");
		for (size_t i = 0; i < li->count; i++) {
			const struct cephc_rbd_locker *l = &li->lockers[i];

			printf("%s", i ? "," : "");
			pr_indent(&p, 1);
			printf("{");
			pr_indent(&p, 2);
			pr_json_key(&p, "id");
			json_str(stdout, l->cookie);
			printf(",");
			pr_indent(&p, 2);
			pr_json_key(&p, "locker");
			json_str(stdout, l->client);
			printf(",");
			pr_indent(&p, 2);
			pr_json_key(&p, "address");
			json_str(stdout, l->address);
			pr_indent(&p, 1);
			printf("}");
		}
		pr_close(&p, 0, li->count);
		printf("]");
		pr_end(&p);
		return;
	}
	if (f == OUT_XML) {
		printf("<locks>");
		for (size_t i = 0; i < li->count; i++) {
			const struct cephc_rbd_locker *l = &li->lockers[i];

			pr_indent(&p, 1);
			printf("<lock>");
			pr_xml_elem(&p, 2, "id", l->cookie);
			pr_xml_elem(&p, 2, "locker", l->client);
			pr_xml_elem(&p, 2, "address", l->address);
			pr_indent(&p, 1);
			printf("</lock>");
		}
		pr_close(&p, 0, li->count);
		printf("</locks>");
		pr_end(&p);
		return;
	}
	if (!li->count)
		return; /* rbd prints nothing for an unlocked image */
	if (li->count == 1)
		printf("There is 1 %s lock on this image.\n",
		       li->type == CEPHC_RBD_LOCK_SHARED ? "shared"
							 : "exclusive");
	else
		printf("There are %zu %s locks on this image.\n", li->count,
		       li->type == CEPHC_RBD_LOCK_SHARED ? "shared"
							 : "exclusive");
	if (li->type == CEPHC_RBD_LOCK_SHARED)
		printf("Lock tag: %s\n", li->tag);
	rbdcli_tbl_init(&tb, head, right, 3);
	for (size_t i = 0; i < li->count; i++) {
		const char *row[] = {li->lockers[i].client,
				     li->lockers[i].cookie,
				     li->lockers[i].address};
		if (rbdcli_tbl_row(&tb, row))
			break;
	}
	rbdcli_tbl_print_fini(&tb);
}

/*
 * rbd lock ls|list|add|rm|remove.  The image is opened read-only: lock
 * calls are cls calls on the header and need no watch and no exclusive
 * lock (librbd's read-write open would do both for nothing here).
 */
static int do_lock(struct tool_ctx *t, struct rbd_args *a)
{
	const char *op = a->pos[0] ? a->pos[0] : "";
	struct cephc_rbd_lock_info *li;
	cephc_rbd_image *img;
	enum out_fmt f;
	int r, rc = 0;

	if (!strcmp(op, "ls") || !strcmp(op, "list")) {
		if (rbdcli_out_format(t, a, &f, &rc))
			return rc;
		if (rbdcli_parse_spec(a, a->pos[1], false))
			return 22;
		if ((r = rbdcli_open_spec(t, a, true, &img)))
			return tool_exit_code(r);
		r = cephc_rbd_lock_get_info(img, &li);
		cephc_rbd_close(img);
		if (r)
			return rbdcli_fail_errno("listing locks failed", r);
		lock_ls_print(li, f, a->pretty);
		cephc_buffer_free(li);
		return 0;
	}
	/* with --image, the spec may be left out: the rest moves up */
	if (a->image && a->npos < (!strcmp(op, "add") ? 3 : 4)) {
		memmove(&a->pos[2], &a->pos[1], 2 * sizeof(a->pos[0]));
		a->pos[1] = NULL;
	}
	if (!strcmp(op, "add")) {
		if (rbdcli_parse_spec(a, a->pos[1], false))
			return 22;
		if (!a->pos[2]) {
			fprintf(stderr, "rbd: lock id was not specified\n");
			return 22;
		}
		if ((r = rbdcli_open_spec(t, a, true, &img)))
			return tool_exit_code(r);
		r = a->shared ? cephc_rbd_lock_shared(img, a->pos[2], a->shared)
			      : cephc_rbd_lock_exclusive(img, a->pos[2]);
		cephc_rbd_close(img);
		if (r == CEPHC_EBUSY || r == CEPHC_EEXIST) {
			fprintf(stderr,
				"rbd: lock is already held by someone else%s\n",
				a->shared ? " with a different tag" : "");
			return tool_exit_code(r);
		}
		return r ? rbdcli_fail_errno("taking lock failed", r) : 0;
	}
	if (!strcmp(op, "rm") || !strcmp(op, "remove")) {
		if (rbdcli_parse_spec(a, a->pos[1], false))
			return 22;
		if (!a->pos[2]) {
			fprintf(stderr, "rbd: lock id was not specified\n");
			return 22;
		}
		if (!a->pos[3]) {
			fprintf(stderr, "rbd: locker was not specified\n");
			return 22;
		}
		if ((r = rbdcli_open_spec(t, a, true, &img)))
			return tool_exit_code(r);
		r = cephc_rbd_break_lock(img, a->pos[3], a->pos[2]);
		if (r == CEPHC_EINVAL)
			fprintf(stderr, "rbd: unable to parse client '%s'\n",
				a->pos[3]);
		cephc_rbd_close(img);
		return r ? rbdcli_fail_errno("releasing lock failed", r) : 0;
	}
	fprintf(stderr, "rbd: only 'lock ls|add|rm' are supported\n");
	return 22;
}

/* rbd status: the header's watchers (no migration state). */
static int do_status(struct tool_ctx *t, struct rbd_args *a)
{
	struct cephc_rbd_watcher *w;
	cephc_rbd_image *img;
	struct pretty p = {a->pretty, 4};
	enum out_fmt f;
	size_t n;
	int r, rc = 0;

	if (rbdcli_out_format(t, a, &f, &rc))
		return rc;
	if (f == OUT_XML)
		p.width = 1;
	if (rbdcli_parse_spec(a, a->pos[0], false))
		return 22;
	if ((r = rbdcli_open_spec(t, a, true, &img)))
		return tool_exit_code(r);
	r = cephc_rbd_list_watchers(img, &w, &n);
	cephc_rbd_close(img);
	if (r)
		return rbdcli_fail_errno("show status failed", r);
	if (f == OUT_JSON) {
		printf("{");
		pr_indent(&p, 1);
		pr_json_key(&p, "watchers");
		printf("[");
		for (size_t i = 0; i < n; i++) {
			printf("%s", i ? "," : "");
			pr_indent(&p, 2);
			printf("{");
			pr_indent(&p, 3);
			pr_json_key(&p, "address");
			json_str(stdout, w[i].address);
			printf(",");
			pr_indent(&p, 3);
			pr_json_key(&p, "client");
			printf("%" PRIu64 ",", w[i].client_id);
			pr_indent(&p, 3);
			pr_json_key(&p, "cookie");
			printf("%" PRIu64, w[i].cookie);
			pr_indent(&p, 2);
			printf("}");
		}
		pr_close(&p, 1, n);
		printf("]");
		pr_indent(&p, 0);
		printf("}");
		pr_end(&p);
	} else if (f == OUT_XML) {
		char id[32], ck[32];

		printf("<status>");
		pr_indent(&p, 1);
		printf("<watchers>");
		for (size_t i = 0; i < n; i++) {
			snprintf(id, sizeof(id), "%" PRIu64, w[i].client_id);
			snprintf(ck, sizeof(ck), "%" PRIu64, w[i].cookie);
			pr_indent(&p, 2);
			printf("<watcher>");
			pr_xml_elem(&p, 3, "address", w[i].address);
			pr_xml_elem(&p, 3, "client", id);
			pr_xml_elem(&p, 3, "cookie", ck);
			pr_indent(&p, 2);
			printf("</watcher>");
		}
		pr_close(&p, 1, n);
		printf("</watchers>");
		pr_indent(&p, 0);
		printf("</status>");
		pr_end(&p);
	} else if (!n) {
		printf("Watchers: none\n");
	} else {
		printf("Watchers:\n");
		for (size_t i = 0; i < n; i++)
			printf("\twatcher=%s %s cookie=%" PRIu64 "\n",
			       w[i].address, w[i].client, w[i].cookie);
	}
	cephc_buffer_free(w);
	return 0;
}

int cmd_rbd(int argc, char **argv, int cmd_index)
{
	struct tool_ctx t;
	struct rbd_args a;
	const char *sub;
	int r;

	r = tool_init(&t, argc, argv, cmd_index);
	if (r)
		return r;
	sub = t.nrest ? t.rest[0] : "";
	if (!*sub || !strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		printf("usage: cephc rbd create|rm|ls|info|resize|import|export"
		       "|bench|snap ls|create|rm|purge|rollback|rename|protect"
		       "|unprotect|limit|namespace create|rm|ls"
		       "|trash ls|mv|rm|restore|purge|object-map check|rebuild"
		       "|feature enable|disable|lock ls|add|rm|status|diff|du"
		       "|clone|children|flatten [args]\n");
		tool_fini(&t);
		return *sub ? 0 : 22;
	}
	if (parse_args(&t, 1, &a)) {
		tool_fini(&t);
		return a.bad_feature ? 1 : 22;
	}
	r = tool_connect(&t);
	if (r) {
		tool_fini(&t);
		return r;
	}
	if (!strcmp(sub, "create"))
		r = do_create(&t, &a);
	else if (!strcmp(sub, "rm") || !strcmp(sub, "remove"))
		r = do_rm(&t, &a);
	else if (!strcmp(sub, "ls") || !strcmp(sub, "list"))
		r = do_ls(&t, &a);
	else if (!strcmp(sub, "info"))
		r = do_info(&t, &a);
	else if (!strcmp(sub, "resize"))
		r = do_resize(&t, &a);
	else if (!strcmp(sub, "import"))
		r = do_import(&t, &a);
	else if (!strcmp(sub, "export"))
		r = do_export(&t, &a);
	else if (!strcmp(sub, "bench"))
		r = do_bench(&t, &a);
	else if (!strcmp(sub, "snap"))
		r = rbdcli_snap(&t, &a);
	else if (!strcmp(sub, "namespace"))
		r = do_namespace(&t, &a);
	else if (!strcmp(sub, "trash"))
		r = do_trash(&t, &a);
	else if (!strcmp(sub, "object-map"))
		r = do_object_map(&t, &a);
	else if (!strcmp(sub, "lock"))
		r = do_lock(&t, &a);
	else if (!strcmp(sub, "status"))
		r = do_status(&t, &a);
	else if (!strcmp(sub, "feature"))
		r = do_feature(&t, &a);
	else if (!strcmp(sub, "diff"))
		r = rbdcli_do_diff(&t, &a);
	else if (!strcmp(sub, "du") || !strcmp(sub, "disk-usage"))
		r = rbdcli_do_du(&t, &a);
	else if (!strcmp(sub, "clone"))
		r = rbdcli_clone(&t, &a);
	else if (!strcmp(sub, "children"))
		r = rbdcli_children(&t, &a);
	else if (!strcmp(sub, "flatten"))
		r = rbdcli_flatten(&t, &a);
	else {
		fprintf(stderr, "rbd: unknown command '%s'\n", sub);
		r = 22;
	}
	tool_fini(&t);
	return r;
}
