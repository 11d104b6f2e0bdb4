/* SPDX-License-Identifier: MIT */
/*
 * cephc rbd: the `rbd` tool's common commands over include/cephc/rbd.h,
 * with rbd's argument syntax and output shapes (Pacific).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cephc/errors.h"
#include "cephc/rbd.h"
#include "commands.h"
#include "rbd/rbd_features.h"
#include "tool_common.h"

const char cmd_rbd_help[] =
    "rbd images: create|rm|ls|info|resize|import|export|bench|snap ls";

/* import/export transfer unit (rbd uses the object size; 4 MiB). */
#define XFER_CHUNK (4u << 20)
#define XFER_INFLIGHT 8

struct rbd_args {
	const char *pos[4];
	int npos;
	const char *pool, *image, *snap;
	uint64_t size;
	bool have_size;
	int order;
	uint64_t object_size, stripe_unit, stripe_count;
	const char *data_pool;
	uint64_t features;
	bool allow_shrink, no_progress;
	const char *io_type, *io_pattern;
	uint64_t io_size, io_total, io_threads;
	int rw_mix_read;
};

/* "10G", "4M", "4096", "1.5G"; def_shift applies without a suffix. */
static int parse_size(const char *s, int def_shift, uint64_t *out)
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
static void fmt_bytes(uint64_t v, char *buf, size_t cap)
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

static void fmt_time(uint32_t sec, char *buf, size_t cap)
{
	time_t t = sec;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, cap, "%a %b %e %H:%M:%S %Y", &tm);
}

/* POOL/IMAGE[@SNAP] with -p / --image / --snap as fallbacks. */
static int parse_spec(struct rbd_args *a, const char *spec, bool snap_ok)
{
	static char pool[256], image[1100], snap[1100];
	const char *slash, *at;

	if (spec) {
		slash = strchr(spec, '/');
		if (slash) {
			snprintf(pool, sizeof(pool), "%.*s",
				 (int)(slash - spec), spec);
			a->pool = pool;
			spec = slash + 1;
		}
		if (strchr(spec, '/')) {
			fprintf(stderr, "rbd: namespaces are not supported\n");
			return -1;
		}
		at = strchr(spec, '@');
		if (at) {
			snprintf(snap, sizeof(snap), "%s", at + 1);
			a->snap = snap;
		}
		snprintf(image, sizeof(image), "%.*s",
			 at ? (int)(at - spec) : (int)strlen(spec), spec);
		a->image = image;
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
			if (a->npos < 4)
				a->pos[a->npos++] = o;
			continue;
		}
		if (!strcmp(o, "--allow-shrink")) {
			a->allow_shrink = true;
			takes = false;
		} else if (!strcmp(o, "--no-progress")) {
			a->no_progress = true;
			takes = false;
		} else if (!v) {
			fprintf(stderr, "rbd: option %s needs a value\n", o);
			return -1;
		} else if (!strcmp(o, "-p") || !strcmp(o, "--pool")) {
			a->pool = v;
		} else if (!strcmp(o, "--image")) {
			a->image = v;
		} else if (!strcmp(o, "--snap")) {
			a->snap = v;
		} else if (!strcmp(o, "-s") || !strcmp(o, "--size")) {
			bad = parse_size(v, 20, &a->size);
			a->have_size = true;
		} else if (!strcmp(o, "--order")) {
			a->order = atoi(v);
		} else if (!strcmp(o, "--object-size")) {
			bad = parse_size(v, 0, &a->object_size);
		} else if (!strcmp(o, "--stripe-unit")) {
			bad = parse_size(v, 0, &a->stripe_unit);
		} else if (!strcmp(o, "--stripe-count")) {
			a->stripe_count = strtoull(v, NULL, 10);
		} else if (!strcmp(o, "--data-pool")) {
			a->data_pool = v;
		} else if (!strcmp(o, "--image-feature")) {
			/* repeated or comma separated */
			char tmp[256], *save = NULL;
			snprintf(tmp, sizeof(tmp), "%s", v);
			for (char *f = strtok_r(tmp, ",", &save); f;
			     f = strtok_r(NULL, ",", &save)) {
				uint64_t bit = cephc_rbd_feature_from_name(f);
				if (!bit) {
					fprintf(stderr,
						"rbd: unknown feature %s\n", f);
					return -1;
				}
				a->features |= bit;
			}
		} else if (!strcmp(o, "--io-type")) {
			a->io_type = v;
		} else if (!strcmp(o, "--io-pattern")) {
			a->io_pattern = v;
		} else if (!strcmp(o, "--io-size")) {
			bad = parse_size(v, 0, &a->io_size);
		} else if (!strcmp(o, "--io-total")) {
			bad = parse_size(v, 0, &a->io_total);
		} else if (!strcmp(o, "--io-threads")) {
			a->io_threads = strtoull(v, NULL, 10);
		} else if (!strcmp(o, "--rw-mix-read")) {
			a->rw_mix_read = atoi(v);
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

static int fail(const char *what, int r)
{
	const char *why = cephc_rbd_last_error();

	fprintf(stderr, "rbd: %s: (%d) %s%s%s\n", what, r > -4096 ? -r : r,
		cephc_strerror(r), *why ? ": " : "", why);
	return tool_exit_code(r) ? tool_exit_code(r) : 1;
}

static int do_create(struct tool_ctx *t, struct rbd_args *a)
{
	struct cephc_rbd_create_opts o = {0};
	int r;

	if (parse_spec(a, a->pos[0], false))
		return 22;
	if (!a->have_size) {
		fprintf(stderr, "rbd: must specify --size <M/G/T>\n");
		return 22;
	}
	o.size = a->size;
	o.order = a->order;
	o.stripe_unit = a->stripe_unit;
	o.stripe_count = a->stripe_count;
	o.data_pool = a->data_pool;
	o.features = a->features;
	r = cephc_rbd_create(t->cluster, a->pool, a->image, &o);
	return r ? fail("create error", r) : 0;
}

static int do_rm(struct tool_ctx *t, struct rbd_args *a)
{
	int r;

	if (parse_spec(a, a->pos[0], false))
		return 22;
	r = cephc_rbd_remove(t->cluster, a->pool, a->image);
	if (r)
		return fail("delete error", r);
	if (!a->no_progress && isatty(2))
		fprintf(stderr, "Removing image: 100%% complete...done.\n");
	return 0;
}

static int do_ls(struct tool_ctx *t, struct rbd_args *a)
{
	char **names;
	size_t n;
	int r;

	if (a->pos[0])
		a->pool = a->pos[0];
	r = cephc_rbd_list(t->cluster, a->pool ? a->pool : "rbd", &names, &n);
	if (r)
		return fail("listing images failed", r);
	if (t->json) {
		printf("[");
		for (size_t i = 0; i < n; i++) {
			if (i)
				printf(",");
			json_str(stdout, names[i]);
		}
		printf("]\n");
	} else {
		for (size_t i = 0; i < n; i++)
			printf("%s\n", names[i]);
	}
	cephc_buffer_free(names);
	return 0;
}

static int open_spec(struct tool_ctx *t, struct rbd_args *a, bool ro,
		     cephc_rbd_image **img)
{
	int r = cephc_rbd_open(t->cluster, a->pool, a->image, a->snap,
			       ro ? CEPHC_RBD_OPEN_READ_ONLY : 0, img);

	if (r) {
		fail("error opening image", r);
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

static const char *pool_name(struct tool_ctx *t, int64_t id, char *buf,
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
	struct cephc_rbd_info in;
	cephc_rbd_image *img;
	char sz[32], feat[512], opf[256], ts[3][64], dp[256];
	int r;

	if (parse_spec(a, a->pos[0], true))
		return 22;
	if ((r = open_spec(t, a, true, &img)))
		return tool_exit_code(r);
	cephc_rbd_stat(img, &in);
	cephc_rbd_close(img);
	fmt_bytes(in.size, sz, sizeof(sz));
	cephc_rbd_features_format(in.features, feat, sizeof(feat));
	cephc_rbd_op_features_format(in.op_features, opf, sizeof(opf));
	fmt_time(in.create_sec, ts[0], sizeof(ts[0]));
	fmt_time(in.access_sec, ts[1], sizeof(ts[1]));
	fmt_time(in.modify_sec, ts[2], sizeof(ts[2]));
	if (in.data_pool_id >= 0)
		pool_name(t, in.data_pool_id, dp, sizeof(dp));
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
		if (in.features & CEPHC_RBD_FEAT_STRIPINGV2)
			printf(",\"stripe_unit\":%" PRIu64
			       ",\"stripe_count\":%" PRIu64,
			       in.stripe_unit, in.stripe_count);
		printf("}\n");
		return 0;
	}
	printf("rbd image '%s':\n", in.name);
	printf("\tsize %s in %" PRIu64 " objects\n", sz, in.num_objects);
	fmt_bytes(in.object_size, sz, sizeof(sz));
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
	if (in.features & CEPHC_RBD_FEAT_STRIPINGV2) {
		fmt_bytes(in.stripe_unit, sz, sizeof(sz));
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

	if (parse_spec(a, a->pos[0], false))
		return 22;
	if (!a->have_size) {
		fprintf(stderr, "rbd: must specify --size <M/G/T>\n");
		return 22;
	}
	if ((r = open_spec(t, a, false, &img)))
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
		return fail("resize error", r);
	if (!a->no_progress && isatty(2))
		fprintf(stderr, "Resizing image: 100%% complete...done.\n");
	return 0;
}

static int do_snap(struct tool_ctx *t, struct rbd_args *a)
{
	struct cephc_rbd_snap_entry *s;
	cephc_rbd_image *img;
	uint32_t n;
	int r;

	if (!a->pos[0] ||
	    (strcmp(a->pos[0], "ls") && strcmp(a->pos[0], "list"))) {
		fprintf(stderr, "rbd: only 'snap ls' is supported\n");
		return 22;
	}
	if (parse_spec(a, a->pos[1], false))
		return 22;
	if ((r = open_spec(t, a, true, &img)))
		return tool_exit_code(r);
	r = cephc_rbd_snap_list(img, &s, &n);
	cephc_rbd_close(img);
	if (r)
		return fail("failed to list snapshots", r);
	if (t->json) {
		printf("[");
		for (uint32_t i = 0; i < n; i++) {
			char ts[64];
			fmt_time(s[i].timestamp_sec, ts, sizeof(ts));
			printf("%s{\"id\":%" PRIu64 ",\"name\":", i ? "," : "",
			       s[i].id);
			json_str(stdout, s[i].name);
			printf(",\"size\":%" PRIu64
			       ",\"protected\":\"%s\",\"timestamp\":\"%s\"}",
			       s[i].size, s[i].is_protected ? "true" : "false",
			       ts);
		}
		printf("]\n");
	} else if (n) {
		/* rbd's TextTable: SIZE right-aligned, others left */
		int w = 4, sw = 4, tw = 9;
		char sz[32], ts[64];

		for (uint32_t i = 0; i < n; i++) {
			fmt_bytes(s[i].size, sz, sizeof(sz));
			fmt_time(s[i].timestamp_sec, ts, sizeof(ts));
			if ((int)strlen(s[i].name) > w)
				w = (int)strlen(s[i].name);
			if ((int)strlen(sz) > sw)
				sw = (int)strlen(sz);
			if ((int)strlen(ts) > tw)
				tw = (int)strlen(ts);
		}
		printf("SNAPID  %-*s  %-*s  PROTECTED  %-*s\n", w, "NAME", sw,
		       "SIZE", tw, "TIMESTAMP");
		for (uint32_t i = 0; i < n; i++) {
			fmt_bytes(s[i].size, sz, sizeof(sz));
			fmt_time(s[i].timestamp_sec, ts, sizeof(ts));
			printf("%6" PRIu64 "  %-*s  %*s  %-9s  %s\n", s[i].id,
			       w, s[i].name, sw, sz,
			       s[i].is_protected ? "yes" : "", ts);
		}
	}
	cephc_buffer_free(s);
	return 0;
}

/* ---- import / export -------------------------------------------------- */

static void progress(const char *what, uint64_t done, uint64_t total, bool show)
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
	if (parse_spec(a, a->pos[1], false))
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
	o.features = a->features;
	r = cephc_rbd_create(t->cluster, a->pool, a->image, &o);
	if (r) {
		if (!is_stdin)
			close(fd);
		return fail("image creation failed", r);
	}
	r = cephc_rbd_open(t->cluster, a->pool, a->image, NULL, 0, &img);
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
		progress("Importing image", off, total, show);
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
	return r ? fail("import failed", r) : 0;
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

	if (parse_spec(a, a->pos[0], true))
		return 22;
	path = a->pos[1] ? a->pos[1] : a->image;
	is_stdout = !strcmp(path, "-");
	if ((r = open_spec(t, a, true, &img)))
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
		progress("Exporting image", done, in.size, show);
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
	return r ? fail("export error", r) : 0;
}

/* ---- bench ------------------------------------------------------------ */

struct bench {
	cephc_rbd_image *img;
	uint64_t size, io_size, io_total;
	bool rand, write_only, read_only;
	int mix;
	uint8_t *wbuf;
	sem_t slots;
	atomic_uint_fast64_t done_ops, done_bytes, lat_ns_sum;
	atomic_int err;
	uint64_t seq_off;
	unsigned seed;
};

struct bench_op {
	struct bench *b;
	uint64_t start_ns;
	uint8_t *buf;
	size_t len;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void bench_cb(cephc_rbd_completion *c, void *arg)
{
	struct bench_op *op = arg;
	struct bench *b = op->b;
	int r = cephc_rbd_aio_get_return_value(c);

	if (r)
		atomic_store(&b->err, r);
	atomic_fetch_add(&b->lat_ns_sum, now_ns() - op->start_ns);
	atomic_fetch_add(&b->done_ops, 1);
	atomic_fetch_add(&b->done_bytes, op->len);
	cephc_rbd_aio_release(c);
	free(op->buf);
	free(op);
	sem_post(&b->slots);
}

static int do_bench(struct tool_ctx *t, struct rbd_args *a)
{
	struct bench b;
	struct cephc_rbd_info in;
	uint64_t t0, last_t, last_ops = 0, issued = 0, sec = 0;
	bool rand_pat;
	const char *type = a->io_type;
	int r;
	struct rusage ru0, ru1;

	if (!type) {
		fprintf(stderr, "rbd: must specify --io-type <read | write | "
				"readwrite | rw>\n");
		return 22;
	}
	if (parse_spec(a, a->pos[0], false))
		return 22;
	memset(&b, 0, sizeof(b));
	rand_pat = a->io_pattern
		       ? !strcmp(a->io_pattern, "rand")
		       : !strcmp(type, "readwrite") || !strcmp(type, "rw");
	b.read_only = !strcmp(type, "read");
	b.write_only = !strcmp(type, "write");
	if (!b.read_only && !b.write_only && strcmp(type, "readwrite") &&
	    strcmp(type, "rw")) {
		fprintf(stderr, "rbd: invalid --io-type %s\n", type);
		return 22;
	}
	if ((r = open_spec(t, a, b.read_only, &b.img)))
		return tool_exit_code(r);
	cephc_rbd_stat(b.img, &in);
	if (!a->io_size || a->io_size > in.size || !a->io_threads) {
		fprintf(stderr, "rbd: io size must be > 0 and <= image size\n");
		cephc_rbd_close(b.img);
		return 22;
	}
	b.size = in.size;
	b.io_size = a->io_size;
	b.io_total = a->io_total;
	b.mix = a->rw_mix_read;
	b.seed = (unsigned)now_ns();
	b.wbuf = malloc(b.io_size);
	for (uint64_t i = 0; i < b.io_size; i++)
		b.wbuf[i] = (uint8_t)rand_r(&b.seed);
	sem_init(&b.slots, 0, (unsigned)a->io_threads);
	printf("bench  type %s io_size %" PRIu64 " io_threads %" PRIu64
	       " bytes %" PRIu64 " pattern %s\n",
	       type, b.io_size, a->io_threads, b.io_total,
	       rand_pat ? "random" : "sequential");
	printf("  SEC       OPS   OPS/SEC   BYTES/SEC\n");
	getrusage(RUSAGE_SELF, &ru0);
	t0 = last_t = now_ns();
	while (issued < b.io_total && !atomic_load(&b.err)) {
		struct bench_op *op;
		uint64_t off;
		bool is_read;

		sem_wait(&b.slots);
		if (rand_pat)
			off = ((uint64_t)rand_r(&b.seed) << 31 ^
			       (uint64_t)rand_r(&b.seed)) %
			      (b.size / b.io_size) * b.io_size;
		else {
			off = b.seq_off;
			b.seq_off += b.io_size;
			if (b.seq_off + b.io_size > b.size)
				b.seq_off = 0;
		}
		is_read = b.read_only || (!b.write_only &&
					  (int)(rand_r(&b.seed) % 100) < b.mix);
		op = calloc(1, sizeof(*op));
		op->b = &b;
		op->len = b.io_size;
		op->start_ns = now_ns();
		cephc_rbd_completion *c;
		cephc_rbd_aio_create_completion(op, bench_cb, &c);
		if (is_read) {
			op->buf = malloc(b.io_size);
			r = cephc_rbd_aio_read(b.img, off, b.io_size, op->buf,
					       c);
		} else {
			r = cephc_rbd_aio_write(b.img, off, b.io_size, b.wbuf,
						c);
		}
		if (r) {
			atomic_store(&b.err, r);
			cephc_rbd_aio_release(c);
			free(op->buf);
			free(op);
			break;
		}
		issued += b.io_size;
		uint64_t now = now_ns();
		if (now - last_t >= 1000000000ull) {
			uint64_t ops = atomic_load(&b.done_ops);
			double dt = (double)(now - last_t) / 1e9;
			char bs[32];
			sec++;
			fmt_bytes((uint64_t)((double)(ops - last_ops) *
					     (double)b.io_size / dt),
				  bs, sizeof(bs));
			printf("%5" PRIu64 "  %8" PRIu64 "  %8.2f  %8s/s\n",
			       sec, ops, (double)(ops - last_ops) / dt, bs);
			fflush(stdout);
			last_ops = ops;
			last_t = now;
		}
	}
	for (uint64_t i = 0; i < a->io_threads; i++)
		sem_wait(&b.slots);
	uint64_t el = now_ns() - t0;
	getrusage(RUSAGE_SELF, &ru1);
	uint64_t ops = atomic_load(&b.done_ops);
	double secs = (double)el / 1e9;
	char bs[32];
	fmt_bytes((uint64_t)((double)ops * (double)b.io_size / secs), bs,
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
		ops ? (double)atomic_load(&b.lat_ns_sum) / (double)ops / 1e3
		    : 0.0,
		ops ? cpu * 1e6 / (double)ops : 0.0, ru1.ru_maxrss);
	r = atomic_load(&b.err);
	cephc_rbd_close(b.img);
	free(b.wbuf);
	sem_destroy(&b.slots);
	return r ? fail("bench failed", r) : 0;
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
		       "|bench|snap ls [args]\n");
		tool_fini(&t);
		return *sub ? 0 : 22;
	}
	if (parse_args(&t, 1, &a)) {
		tool_fini(&t);
		return 22;
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
		r = do_snap(&t, &a);
	else {
		fprintf(stderr, "rbd: unknown command '%s'\n", sub);
		r = 22;
	}
	tool_fini(&t);
	return r;
}
