/* SPDX-License-Identifier: MIT */
/*
 * cephc rados: the `rados` tool's syntax and output for the subset cephc
 * supports:
 *   cephc rados lspools
 *   cephc rados -p POOL [-N NS] put|append OBJ FILE|-    (rados op size 4 MiB)
 *   cephc rados -p POOL [-N NS] get OBJ FILE|-
 *   cephc rados -p POOL [-N NS] stat|rm|create OBJ...
 *   cephc rados -p POOL [-N NS] truncate OBJ SIZE
 *   cephc rados -p POOL [-N NS] getxattr|rmxattr OBJ NAME
 *   cephc rados -p POOL [-N NS] setxattr OBJ NAME [VALUE]  (stdin if absent)
 *   cephc rados -p POOL [-N NS] getomapval OBJ KEY [FILE]
 *   cephc rados -p POOL [-N NS] setomapval OBJ KEY [VALUE]
 *   cephc rados -p POOL [-N NS] rmomapkey OBJ KEY
 *   cephc rados -p POOL [-N NS | --all] ls
 *   cephc rados -p POOL [-N NS] listxattr|listomapkeys|listomapvals OBJ
 *   cephc rados -p POOL bench SECONDS write|seq|rand [-t N] [-b SIZE]
 *                             [--no-cleanup]
 *   cephc rados -p POOL cleanup                 (bench objects left behind)
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cephc/rados.h"
#include "commands.h"
#include "tool_common.h"

const char cmd_rados_help[] =
    "rados -p POOL put|get|append|stat|rm|... (as the rados tool)";

static const struct cli_opt rados_opts[] = {
    {"-p", "--pool", "POOL", NULL, "pool to work in (all but lspools)", 0},
    {"-N", "--namespace", "NAMESPACE", "the default namespace",
     "namespace of the objects", 0},
    {NULL, "--all", NULL, NULL, "ls: objects of every namespace", 0},
    {"-t", "--concurrent-ios", "N", "16", "bench: operations in flight", 0},
    {"-b", "--block-size", "SIZE", "4M", "bench: object size (K/M/G suffix)",
     0},
    {NULL, "--no-cleanup", NULL, NULL,
     "bench write: keep the objects (for seq/rand)", 0},
    {NULL, "--full-try", NULL, NULL,
     "writes to a full pool fail at once (ENOSPC) instead of waiting for "
     "room",
     0},
    {NULL, NULL, NULL, NULL, NULL, 0},
};

#define OBJ_OPTS "--pool --namespace"
#define WRITE_OPTS OBJ_OPTS " --full-try"

static const struct cli_sub rados_subs[] = {
    {"lspools", NULL, "", "List the pools.", NULL, "cephc rados lspools",
     CLI_COMPLETE_NONE},
    {"ls", NULL, "-p POOL [-N NS | --all]",
     "List the objects of a pool (one namespace, or all with --all).",
     OBJ_OPTS " --all", "cephc rados -p rbd ls", CLI_COMPLETE_NONE},
    {"put", NULL, "-p POOL OBJECT FILE|-",
     "Write an object (replacing it) from a file or stdin.", WRITE_OPTS,
     "cephc rados -p rbd put obj1 ./data", CLI_COMPLETE_FILE},
    {"append", NULL, "-p POOL OBJECT FILE|-",
     "Append a file (or stdin) to an object.", WRITE_OPTS,
     "cephc rados -p rbd append obj1 ./more", CLI_COMPLETE_FILE},
    {"get", NULL, "-p POOL OBJECT FILE|-",
     "Read an object into a file (or stdout).", OBJ_OPTS,
     "cephc rados -p rbd get obj1 -", CLI_COMPLETE_FILE},
    {"stat", NULL, "-p POOL OBJECT...", "Print size and mtime of objects.",
     OBJ_OPTS, "cephc rados -p rbd stat obj1", CLI_COMPLETE_NONE},
    {"rm", NULL, "-p POOL OBJECT...", "Remove objects.", WRITE_OPTS,
     "cephc rados -p rbd rm obj1", CLI_COMPLETE_NONE},
    {"create", NULL, "-p POOL OBJECT",
     "Create an empty object (fails if it exists).", WRITE_OPTS,
     "cephc rados -p rbd create obj2", CLI_COMPLETE_NONE},
    {"truncate", NULL, "-p POOL OBJECT SIZE",
     "Cut or extend an object to SIZE bytes.", WRITE_OPTS,
     "cephc rados -p rbd truncate obj1 0", CLI_COMPLETE_NONE},
    {"getxattr", NULL, "-p POOL OBJECT NAME", "Print an extended attribute.",
     OBJ_OPTS, "cephc rados -p rbd getxattr obj1 user.a", CLI_COMPLETE_NONE},
    {"setxattr", NULL, "-p POOL OBJECT NAME [VALUE]",
     "Set an extended attribute (value from stdin when absent).", WRITE_OPTS,
     "cephc rados -p rbd setxattr obj1 user.a hello", CLI_COMPLETE_NONE},
    {"rmxattr", NULL, "-p POOL OBJECT NAME", "Remove an extended attribute.",
     WRITE_OPTS, "cephc rados -p rbd rmxattr obj1 user.a", CLI_COMPLETE_NONE},
    {"listxattr", NULL, "-p POOL OBJECT",
     "List the extended attribute names of an object.", OBJ_OPTS,
     "cephc rados -p rbd listxattr obj1", CLI_COMPLETE_NONE},
    {"getomapval", NULL, "-p POOL OBJECT KEY [FILE]",
     "Print (hex dump) or save an omap value.", OBJ_OPTS,
     "cephc rados -p rbd getomapval obj1 k1", CLI_COMPLETE_NONE},
    {"setomapval", NULL, "-p POOL OBJECT KEY [VALUE]",
     "Set an omap value (from stdin when absent).", WRITE_OPTS,
     "cephc rados -p rbd setomapval obj1 k1 v1", CLI_COMPLETE_NONE},
    {"rmomapkey", NULL, "-p POOL OBJECT KEY", "Remove an omap key.", WRITE_OPTS,
     "cephc rados -p rbd rmomapkey obj1 k1", CLI_COMPLETE_NONE},
    {"listomapkeys", NULL, "-p POOL OBJECT", "List the omap keys.", OBJ_OPTS,
     "cephc rados -p rbd listomapkeys obj1", CLI_COMPLETE_NONE},
    {"listomapvals", NULL, "-p POOL OBJECT",
     "List the omap keys with their values.", OBJ_OPTS,
     "cephc rados -p rbd listomapvals obj1", CLI_COMPLETE_NONE},
    {"bench", NULL,
     "-p POOL SECONDS write|seq|rand [-t N] [-b SIZE] [--no-cleanup]",
     "Benchmark object writes or reads, printed as rados bench prints.",
     WRITE_OPTS " --concurrent-ios --block-size --no-cleanup",
     "cephc rados -p rbd bench 10 write --no-cleanup", CLI_COMPLETE_NONE},
    {"cleanup", NULL, "-p POOL", "Remove the objects a bench run left behind.",
     OBJ_OPTS, "cephc rados -p rbd cleanup", CLI_COMPLETE_NONE},
    {NULL, NULL, NULL, NULL, NULL, NULL, CLI_COMPLETE_NONE},
};

const struct cli_spec cmd_rados_spec = {
    .synopsis = "[-p POOL] [-N NAMESPACE] SUB-COMMAND [ARGS]",
    .description = "RADOS objects, with the syntax and output of Ceph's "
		   "rados tool for the subset cephc supports.",
    .opts = rados_opts,
    .subs = rados_subs,
    .example = "cephc rados -p rbd put obj1 ./data",
};

#define OP_SIZE (4u << 20) /* rados' default op size for put/get */
#define XATTR_MAX (64u << 10)

struct rados_args {
	const char *pool, *ns;
	int threads;
	uint64_t block;
	bool no_cleanup;
	bool all_ns;
	bool full_try; /* writes on a full pool fail (ENOSPC), not wait */
	int n;
	char **v; /* positional arguments */
};

/* The connected handle, for the reason behind a timeout. */
static cephc_cluster *rados_cluster;

static int err_out(const char *what, const char *obj, int r)
{
	const char *why = r == CEPHC_ETIMEDOUT && rados_cluster
			      ? cephc_cluster_last_error(rados_cluster)
			      : "";

	fprintf(stderr, "error %s %s: (%d) %s%s%s\n", what, obj, -r,
		cephc_strerror(r), why[0] ? ": " : "", why);
	return tool_exit_code(r);
}

static int read_all(int fd, char **buf, size_t *len)
{
	size_t cap = 1 << 16, n = 0;
	char *b = malloc(cap);

	while (b) {
		ssize_t r = read(fd, b + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(b);
			return -errno;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			char *nb = realloc(b, cap *= 2);
			if (!nb)
				free(b);
			b = nb;
		}
	}
	if (!b)
		return CEPHC_ENOMEM;
	*buf = b;
	*len = n;
	return 0;
}

/* put/append: stream the file in OP_SIZE pieces.  put starts with
 * write_full so the object ends up exactly the file (even when empty). */
static int do_put(cephc_ioctx *io, const char *obj, const char *path,
		  bool append)
{
	int fd = strcmp(path, "-") ? open(path, O_RDONLY) : 0;
	char *buf = malloc(OP_SIZE);
	uint64_t off = 0;
	int r = 0;

	if (fd < 0 || !buf) {
		free(buf);
		fprintf(stderr, "error opening %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	for (bool first = true;; first = false) {
		size_t n = 0;
		while (n < OP_SIZE) {
			ssize_t k = read(fd, buf + n, OP_SIZE - n);
			if (k < 0 && errno == EINTR)
				continue;
			if (k <= 0)
				break;
			n += (size_t)k;
		}
		if (n == 0 && !first)
			break;
		if (append)
			r = cephc_rados_append(io, obj, buf, n);
		else if (first)
			r = cephc_rados_write_full(io, obj, buf, n);
		else
			r = cephc_rados_write(io, obj, buf, n, off);
		if (r)
			break;
		off += n;
		if (n < OP_SIZE)
			break;
	}
	if (fd > 0)
		close(fd);
	free(buf);
	return r ? err_out(append ? "appending" : "putting", obj, r) : 0;
}

static int do_get(cephc_ioctx *io, const char *obj, const char *path)
{
	char *buf = malloc(OP_SIZE);
	int fd;
	uint64_t off = 0;

	if (!buf)
		return 12;
	fd = strcmp(path, "-") ? open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)
			       : 1;
	if (fd < 0) {
		free(buf);
		fprintf(stderr, "error opening %s: %s\n", path,
			strerror(errno));
		return 2;
	}
	for (;;) {
		int64_t n = cephc_rados_read(io, obj, buf, OP_SIZE, off);
		if (n < 0) {
			free(buf);
			if (fd > 1)
				close(fd);
			return err_out("getting", obj, (int)n);
		}
		for (int64_t w = 0; w < n;) {
			ssize_t k = write(fd, buf + w, (size_t)(n - w));
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				free(buf);
				return 5;
			}
			w += k;
		}
		off += (uint64_t)n;
		if ((size_t)n < OP_SIZE)
			break;
	}
	if (fd > 1)
		close(fd);
	free(buf);
	return 0;
}

/* Ceph's bufferlist hexdump, as `rados getomapval` / `listomapvals` print
 * values: offset,
 * 16 bytes in hex (extra gap after 8), printable characters between bars,
 * repeated middle rows folded into "*", and the length on the last line. */
static void hexdump(const unsigned char *p, size_t len)
{
	bool was_same = false;

	if (!len)
		return; /* Ceph prints nothing at all for an empty buffer */
	for (size_t o = 0; o < len; o += 16) {
		if (o && o + 16 < len && !memcmp(p + o, p + o - 16, 16)) {
			if (!was_same)
				printf("*\n");
			was_same = true;
			continue;
		}
		was_same = false;
		printf("%08zx ", o);
		size_t i;
		for (i = 0; i < 16 && o + i < len; i++)
			printf("%s %02x", i == 8 ? " " : "", p[o + i]);
		for (; i < 16; i++)
			printf("%s   ", i == 8 ? " " : "");
		printf("  |");
		for (i = 0; i < 16 && o + i < len; i++) {
			unsigned char c = p[o + i];
			putchar(c >= 0x20 && c < 0x7f ? c : '.');
		}
		printf("|\n");
	}
	printf("%08zx\n", len);
}

static int do_stat(cephc_ioctx *io, const char *pool, const char *obj)
{
	uint64_t size;
	time_t mtime;
	int r = cephc_rados_stat(io, obj, &size, &mtime);
	char ts[64];
	struct tm tm;

	if (r)
		return err_out("stat-ing", obj, r);
	/* rados prints the mtime in local time with its UTC offset */
	localtime_r(&mtime, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S.000000%z", &tm);
	printf("%s/%s mtime %s, size %llu\n", pool, obj, ts,
	       (unsigned long long)size);
	return 0;
}

static int value_arg(struct rados_args *a, int idx, char **val, size_t *len,
		     bool *owned)
{
	*owned = false;
	if (a->n > idx) {
		*val = a->v[idx];
		*len = strlen(a->v[idx]);
		return 0;
	}
	*owned = true;
	return read_all(0, val, len);
}

/* ---- bench ------------------------------------------------------------------
 */

struct bench {
	cephc_ioctx *io;
	const char *mode; /* write, seq, rand */
	uint64_t bsize;
	char prefix[128];
	uint64_t max_objects; /* seq/rand: objects available */
	char *buf;            /* one shared payload (writes) / sink (reads) */
	atomic_uint_fast64_t started, finished, errors;
	atomic_uint_fast64_t lat_sum_ns, lat_sq_sum, lat_max_ns, lat_min_ns;
	atomic_bool stop;
	atomic_int inflight;
	uint64_t seed;
};

struct bench_slot {
	struct bench *b;
	uint64_t t0;
	uint64_t objno;
	char oid[160];
	char *rbuf;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void bench_submit(struct bench_slot *s);

static void atomic_max(atomic_uint_fast64_t *a, uint64_t v)
{
	uint64_t cur = atomic_load(a);
	while (v > cur && !atomic_compare_exchange_weak(a, &cur, v))
		;
}

static void atomic_min(atomic_uint_fast64_t *a, uint64_t v)
{
	uint64_t cur = atomic_load(a);
	while (v < cur && !atomic_compare_exchange_weak(a, &cur, v))
		;
}

/* Runs on the loop thread: account, then keep the slot busy. */
static void bench_done(void *arg, int result)
{
	struct bench_slot *s = arg;
	struct bench *b = s->b;
	uint64_t lat = mono_ns() - s->t0;

	if (result < 0)
		atomic_fetch_add(&b->errors, 1);
	atomic_fetch_add(&b->finished, 1);
	atomic_fetch_add(&b->lat_sum_ns, lat);
	atomic_fetch_add(&b->lat_sq_sum, (lat / 1000) * (lat / 1000));
	atomic_max(&b->lat_max_ns, lat);
	atomic_min(&b->lat_min_ns, lat);
	if (atomic_load(&b->stop)) {
		atomic_fetch_sub(&b->inflight, 1);
		return;
	}
	bench_submit(s);
}

static void bench_submit(struct bench_slot *s)
{
	struct bench *b = s->b;
	uint64_t n = atomic_fetch_add(&b->started, 1);
	int r;

	if (strcmp(b->mode, "write") == 0) {
		s->objno = n;
	} else if (strcmp(b->mode, "seq") == 0) {
		if (n >= b->max_objects) {
			atomic_store(&b->stop, true);
			atomic_fetch_sub(&b->started, 1);
			atomic_fetch_sub(&b->inflight, 1);
			return;
		}
		s->objno = n;
	} else {
		/* splitmix64 of the op number: no shared generator state
		 * between the submitting thread and the loop thread */
		uint64_t z = b->seed + n * 0x9e3779b97f4a7c15ull;
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
		s->objno = (z ^ (z >> 31)) % b->max_objects;
	}
	snprintf(s->oid, sizeof(s->oid), "%s_object%llu", b->prefix,
		 (unsigned long long)s->objno);
	s->t0 = mono_ns();
	if (strcmp(b->mode, "write") == 0)
		r = cephc_rados_aio_write(b->io, s->oid, b->buf, b->bsize, 0,
					  bench_done, s);
	else
		r = cephc_rados_aio_read(b->io, s->oid, s->rbuf, b->bsize, 0,
					 bench_done, s);
	if (r)
		bench_done(s, r);
}

#define BENCH_META "cephc_bench_last_metadata"

/* One in-flight removal; busy until its completion has run. */
struct rm_slot {
	cephc_write_op *op;
	atomic_bool busy;
	atomic_int *errors;
};

static void rm_done(void *arg, int r)
{
	struct rm_slot *s = arg;

	if (r < 0 && r != CEPHC_ENOENT)
		atomic_fetch_add(s->errors, 1);
	atomic_store(&s->busy, false);
}

#define RM_INFLIGHT 32

/* Remove PREFIX_object0 .. PREFIX_object(n-1), RM_INFLIGHT at a time; an op
 * is reused only after its own completion ran. */
static int remove_bench_objects(cephc_ioctx *io, const char *prefix, uint64_t n)
{
	struct rm_slot slots[RM_INFLIGHT];
	atomic_int errors;
	int k = 0;

	atomic_init(&errors, 0);
	for (int i = 0; i < RM_INFLIGHT; i++) {
		slots[i].op = NULL;
		slots[i].errors = &errors;
		atomic_init(&slots[i].busy, false);
	}
	for (uint64_t i = 0; i < n; i++) {
		while (atomic_load(&slots[k].busy)) {
			k = (k + 1) % RM_INFLIGHT;
			if (k == 0)
				usleep(100);
		}
		struct rm_slot *s = &slots[k];
		if (s->op)
			cephc_write_op_release(s->op);
		s->op = cephc_write_op_create();
		char oid[160];
		snprintf(oid, sizeof(oid), "%s_object%llu", prefix,
			 (unsigned long long)i);
		cephc_write_op_remove(s->op);
		atomic_store(&s->busy, true);
		if (cephc_write_op_aio(s->op, io, oid, rm_done, s))
			rm_done(s, CEPHC_EIO);
	}
	for (int i = 0; i < RM_INFLIGHT; i++) {
		while (atomic_load(&slots[i].busy))
			usleep(100);
		if (slots[i].op)
			cephc_write_op_release(slots[i].op);
	}
	return atomic_load(&errors) ? CEPHC_EIO : 0;
}

/* rados cleanup: what the last `bench write --no-cleanup` left behind. */
static int do_cleanup(cephc_ioctx *io)
{
	char meta[256], prefix[128];
	unsigned long long cnt = 0, bs = 0;
	int64_t n = cephc_rados_read(io, BENCH_META, meta, sizeof(meta) - 1, 0);

	if (n == CEPHC_ENOENT)
		return 0;
	if (n < 0)
		return err_out("reading", BENCH_META, (int)n);
	meta[n] = '\0';
	if (sscanf(meta, "%127s %llu %llu", prefix, &cnt, &bs) != 3)
		return err_out("parsing", BENCH_META, CEPHC_EINVAL);
	int r = remove_bench_objects(io, prefix, cnt);
	if (r == 0)
		r = cephc_rados_remove(io, BENCH_META);
	if (r)
		return err_out("cleaning up", prefix, r);
	printf("Removed %llu objects\n", cnt);
	return 0;
}

static int do_bench(cephc_ioctx *io, struct rados_args *a)
{
	if (a->n < 2) {
		fprintf(stderr, "usage: bench SECONDS write|seq|rand [-t N] "
				"[-b SIZE] [--no-cleanup]\n");
		return 22;
	}
	int secs = atoi(a->v[0]);
	struct bench *b = calloc(1, sizeof(*b));
	char host[64] = "host";
	char meta[256];

	b->io = io;
	b->mode = a->v[1];
	b->bsize = a->block;
	atomic_store(&b->lat_min_ns, UINT64_MAX);
	b->seed = 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
	gethostname(host, sizeof(host) - 1);
	if (strcmp(b->mode, "write") == 0) {
		snprintf(b->prefix, sizeof(b->prefix), "benchmark_data_%s_%d",
			 host, (int)getpid());
		b->buf = malloc(b->bsize);
		for (uint64_t i = 0; b->buf && i < b->bsize; i++)
			b->buf[i] = (char)('0' + i % 10);
	} else if (!strcmp(b->mode, "seq") || !strcmp(b->mode, "rand")) {
		/* what the last `bench write --no-cleanup` left behind */
		int64_t n =
		    cephc_rados_read(io, BENCH_META, meta, sizeof(meta) - 1, 0);
		unsigned long long cnt = 0, bs = 0;
		if (n <= 0 ||
		    (meta[n] = '\0', sscanf(meta, "%127s %llu %llu", b->prefix,
					    &cnt, &bs) != 3) ||
		    cnt == 0) {
			fprintf(stderr, "Must write data before running a read "
					"benchmark!\n");
			free(b);
			return 2;
		}
		b->max_objects = cnt;
		b->bsize = bs;
	} else {
		fprintf(stderr, "unknown bench mode %s\n", b->mode);
		free(b);
		return 22;
	}
	if (!strcmp(b->mode, "write"))
		printf("hints = 1\nMaintaining %d concurrent writes of %llu "
		       "bytes to objects of size %llu for up to %d seconds or "
		       "0 objects\nObject prefix: %s\n",
		       a->threads, (unsigned long long)b->bsize,
		       (unsigned long long)b->bsize, secs, b->prefix);
	printf("  sec Cur ops   started  finished  avg MB/s  cur MB/s last "
	       "lat(s)  avg lat(s)\n");

	struct bench_slot *slots = calloc((size_t)a->threads, sizeof(*slots));
	struct rusage ru0, ru1;
	for (int i = 0; slots && i < a->threads; i++) {
		/* read buffers faulted in before timing (not with zeros: gcc
		 * makes malloc + memset(0) a calloc that touches nothing) */
		if (strcmp(b->mode, "write") &&
		    (slots[i].rbuf = malloc(b->bsize)))
			memset(slots[i].rbuf, 0xa5, b->bsize);
	}
	getrusage(RUSAGE_SELF, &ru0);
	uint64_t t0 = mono_ns();
	atomic_store(&b->inflight, a->threads);
	for (int i = 0; i < a->threads; i++) {
		slots[i].b = b;
		bench_submit(&slots[i]);
	}
	double iops_s[4096], bw_s[4096];
	int nsec = 0;
	uint64_t last_fin = 0;
	while (!atomic_load(&b->stop) && nsec < secs && nsec < 4096) {
		/* one line a second, but notice a seq/rand run that ran out
		 * of objects at once: its time is what IOPS is computed on */
		uint64_t tick = t0 + (uint64_t)(nsec + 1) * 1000000000ull;
		while (!atomic_load(&b->stop) && mono_ns() < tick)
			usleep(10000);
		if (atomic_load(&b->stop))
			break;
		uint64_t fin = atomic_load(&b->finished);
		double el = (double)(mono_ns() - t0) / 1e9;
		double cur = (double)(fin - last_fin);
		iops_s[nsec] = cur;
		bw_s[nsec] = cur * (double)b->bsize / 1048576.0;
		nsec++;
		last_fin = fin;
		double avg_lat = fin ? (double)atomic_load(&b->lat_sum_ns) /
					   (double)fin / 1e9
				     : 0;
		printf("%5d %7d %9llu %9llu %9.4g %9.4g %11s %11.6f\n", nsec,
		       atomic_load(&b->inflight),
		       (unsigned long long)atomic_load(&b->started),
		       (unsigned long long)fin,
		       (double)fin * (double)b->bsize / 1048576.0 / el,
		       bw_s[nsec - 1], "-", avg_lat);
	}
	atomic_store(&b->stop, true);
	while (atomic_load(&b->inflight) > 0)
		usleep(1000);
	double total = (double)(mono_ns() - t0) / 1e9;
	getrusage(RUSAGE_SELF, &ru1);
	uint64_t fin = atomic_load(&b->finished);
	if (nsec == 0) {
		/* under a second: the partial second is the one sample, as
		 * rados reports it */
		iops_s[0] = (double)fin;
		bw_s[0] = (double)fin * (double)b->bsize / 1048576.0;
		nsec = 1;
	}
	double mb = (double)fin * (double)b->bsize / 1048576.0;
	double avg_lat =
	    fin ? (double)atomic_load(&b->lat_sum_ns) / (double)fin / 1e9 : 0;
	double var =
	    fin ? (double)atomic_load(&b->lat_sq_sum) / (double)fin / 1e12 -
		      avg_lat * avg_lat
		: 0;
	double bmean = 0, bsd = 0, bmax = 0, bmin = 1e300, imean = 0, isd = 0,
	       imax = 0, imin = 1e300;
	for (int i = 0; i < nsec; i++) {
		bmean += bw_s[i] / nsec;
		imean += iops_s[i] / nsec;
		if (bw_s[i] > bmax)
			bmax = bw_s[i];
		if (bw_s[i] < bmin)
			bmin = bw_s[i];
		if (iops_s[i] > imax)
			imax = iops_s[i];
		if (iops_s[i] < imin)
			imin = iops_s[i];
	}
	for (int i = 0; i < nsec; i++) {
		bsd += (bw_s[i] - bmean) * (bw_s[i] - bmean) / nsec;
		isd += (iops_s[i] - imean) * (iops_s[i] - imean) / nsec;
	}
	bool w = !strcmp(b->mode, "write");
	double cpu = (double)(ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
		     (double)(ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
		     (double)(ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec +
			      ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) /
			 1e6;
	printf("Total time run:         %.5g\n", total);
	printf("Total %s made:      %llu\n", w ? "writes" : "reads",
	       (unsigned long long)fin);
	printf("%s size:             %llu\n", w ? "Write" : "Read",
	       (unsigned long long)b->bsize);
	printf("Object size:            %llu\n", (unsigned long long)b->bsize);
	printf("Bandwidth (MB/sec):     %.5g\n", mb / total);
	if (w) {
		printf("Stddev Bandwidth:       %.5g\n", sqrt(bsd));
		printf("Max bandwidth (MB/sec): %.5g\n", bmax);
		printf("Min bandwidth (MB/sec): %.5g\n", nsec ? bmin : 0);
	}
	printf("Average IOPS:           %.0f\n", (double)fin / total);
	printf("Stddev IOPS:            %.5g\n", sqrt(isd));
	printf("Max IOPS:               %.0f\n", imax);
	printf("Min IOPS:               %.0f\n", nsec ? imin : 0);
	printf("Average Latency(s):     %.6f\n", avg_lat);
	printf("Stddev Latency(s):      %.6f\n", var > 0 ? sqrt(var) : 0);
	printf("Max latency(s):         %.6f\n",
	       (double)atomic_load(&b->lat_max_ns) / 1e9);
	printf("Min latency(s):         %.6f\n",
	       fin ? (double)atomic_load(&b->lat_min_ns) / 1e9 : 0);
	/* not in rados' output: the figure the cephc benchmarks compare */
	printf("Client CPU per op (us): %.2f\n", fin ? cpu * 1e6 / fin : 0);
	int ret = atomic_load(&b->errors) ? 5 : 0;
	if (atomic_load(&b->errors))
		fprintf(stderr, "%llu operations failed\n",
			(unsigned long long)atomic_load(&b->errors));
	if (w) {
		if (a->no_cleanup) {
			snprintf(meta, sizeof(meta), "%s %llu %llu\n",
				 b->prefix, (unsigned long long)fin,
				 (unsigned long long)b->bsize);
			cephc_rados_write_full(io, BENCH_META, meta,
					       strlen(meta));
		} else {
			remove_bench_objects(io, b->prefix,
					     atomic_load(&b->started));
		}
	}
	for (int i = 0; i < a->threads; i++)
		free(slots[i].rbuf);
	free(slots);
	free(b->buf);
	free(b);
	return ret;
}

/* ---- listings ------------------------------------------------------------ */

/* rados ls: "OBJ", with --all "NS\tOBJ", then "\tLOCATOR" when set. */
static int do_ls(cephc_ioctx *io, bool all_ns)
{
	cephc_list_ctx *l;
	const char *oid, *loc, *ns;
	int r;

	if (all_ns)
		cephc_ioctx_set_namespace(io, CEPHC_ALL_NSPACES);
	if ((r = cephc_list_open(io, &l)))
		return err_out("listing", "objects", r);
	while ((r = cephc_list_next(l, &oid, &loc, &ns)) == 1) {
		if (all_ns)
			printf("%s\t", ns);
		printf("%s", oid);
		if (*loc)
			printf("\t%s", loc);
		printf("\n");
	}
	cephc_list_close(l);
	if (r < 0)
		return err_out("listing", "objects", r);
	return 0;
}

/* Omap keys / values are read in pages (rados asks 512 at a time). */
#define OMAP_PAGE 512

static int do_listomap(cephc_ioctx *io, const char *pool, const char *obj,
		       bool vals)
{
	cephc_kv_iter *it;
	char *after = NULL;
	int more = 1, r = 0;

	while (more && !r) {
		more = 0;
		r = vals ? cephc_rados_omap_get_vals(io, obj, after, NULL,
						     OMAP_PAGE, &it, &more)
			 : cephc_rados_omap_get_keys(io, obj, after, OMAP_PAGE,
						     &it, &more);
		if (r)
			break;
		const char *k;
		const void *v;
		size_t vl;
		while (cephc_kv_iter_next(it, &k, NULL, &v, &vl) == 1) {
			printf("%s\n", k);
			if (vals) {
				printf("value (%zu bytes) :\n", vl);
				hexdump(v, vl);
				printf("\n");
			}
			free(after);
			after = strdup(k);
		}
		cephc_kv_iter_free(it);
	}
	free(after);
	if (r) {
		/* rados' own wording (values report "omap keys" too) */
		char where[512];
		snprintf(where, sizeof(where), "%s/%s", pool, obj);
		return err_out(vals ? "getting omap keys"
				    : "getting omap key set",
			       where, r);
	}
	return 0;
}

static int do_listxattr(cephc_ioctx *io, const char *pool, const char *obj)
{
	cephc_kv_iter *it;
	const char *k;
	int r = cephc_rados_getxattrs(io, obj, &it);

	if (r) {
		char where[512];
		snprintf(where, sizeof(where), "%s/%s", pool, obj);
		return err_out("getting xattr set", where, r);
	}
	while (cephc_kv_iter_next(it, &k, NULL, NULL, NULL) == 1)
		printf("%s\n", k);
	cephc_kv_iter_free(it);
	return 0;
}

/* ---- dispatch ------------------------------------------------------------ */

static int parse_size(const char *s, uint64_t *out)
{
	char *e;
	unsigned long long v = strtoull(s, &e, 10);

	switch (*e) {
	case 'K':
	case 'k':
		v <<= 10;
		e++;
		break;
	case 'M':
	case 'm':
		v <<= 20;
		e++;
		break;
	case 'G':
	case 'g':
		v <<= 30;
		e++;
		break;
	default:
		break;
	}
	if (*e == 'B' || *e == 'b')
		e++;
	if (*e || v == 0)
		return -1;
	*out = v;
	return 0;
}

static int parse_rados_args(struct tool_ctx *t, struct rados_args *a)
{
	memset(a, 0, sizeof(*a));
	a->threads = 16;
	a->block = 4u << 20;
	a->v = t->rest;
	for (int i = 0; i < t->nrest; i++) {
		const char *s = t->rest[i];
		const char *next = i + 1 < t->nrest ? t->rest[i + 1] : NULL;
		if ((!strcmp(s, "-p") || !strcmp(s, "--pool")) && next) {
			a->pool = next;
			i++;
		} else if (!strncmp(s, "--pool=", 7)) {
			a->pool = s + 7;
		} else if ((!strcmp(s, "-N") || !strcmp(s, "--namespace")) &&
			   next) {
			a->ns = next;
			i++;
		} else if ((!strcmp(s, "-t") ||
			    !strcmp(s, "--concurrent-ios")) &&
			   next) {
			a->threads = atoi(next);
			i++;
		} else if ((!strcmp(s, "-b") || !strcmp(s, "--block-size")) &&
			   next) {
			if (parse_size(next, &a->block))
				return -1;
			i++;
		} else if (!strcmp(s, "--all")) {
			a->all_ns = true;
		} else if (!strcmp(s, "--no-cleanup")) {
			a->no_cleanup = true;
		} else if (!strcmp(s, "--full-try")) {
			a->full_try = true;
		} else {
			a->v[a->n++] = t->rest[i];
		}
	}
	if (a->threads < 1 || a->threads > 1024)
		return -1;
	return 0;
}

static int run(struct tool_ctx *t, struct rados_args *a)
{
	const char *cmd = a->v[0];
	cephc_ioctx *io = NULL;
	int r = 0;

	if (!strcmp(cmd, "lspools")) {
		struct cephc_pool_info *p;
		size_t n;
		if ((r = cephc_cluster_pool_list(t->cluster, &p, &n)))
			return err_out("listing", "pools", r);
		for (size_t i = 0; i < n; i++)
			printf("%s\n", p[i].name);
		cephc_buffer_free(p);
		return 0;
	}
	if (!a->pool) {
		fprintf(stderr, "error: must specify pool (-p POOL)\n");
		return 22;
	}
	if ((r = cephc_ioctx_create(t->cluster, a->pool, &io))) {
		fprintf(stderr, "error opening pool %s: (%d) %s\n", a->pool, -r,
			cephc_strerror(r));
		return tool_exit_code(r);
	}
	if (a->ns)
		cephc_ioctx_set_namespace(io, a->ns);
	if (a->full_try)
		cephc_ioctx_set_full_try(io, 1);
	a->v++; /* past the command */
	a->n--;
	const char *obj = a->n > 0 ? a->v[0] : NULL;
	if (!strcmp(cmd, "bench")) {
		r = do_bench(io, a);
	} else if (!strcmp(cmd, "cleanup")) {
		r = do_cleanup(io);
	} else if (!strcmp(cmd, "ls")) {
		r = do_ls(io, a->all_ns);
	} else if (!obj) {
		fprintf(stderr, "%s: object name required\n", cmd);
		r = 22;
	} else if ((!strcmp(cmd, "put") || !strcmp(cmd, "append")) &&
		   a->n == 2) {
		r = do_put(io, obj, a->v[1], cmd[0] == 'a');
	} else if (!strcmp(cmd, "get") && a->n == 2) {
		r = do_get(io, obj, a->v[1]);
	} else if (!strcmp(cmd, "stat")) {
		for (int i = 0; i < a->n && !r; i++)
			r = do_stat(io, a->pool, a->v[i]);
	} else if (!strcmp(cmd, "rm")) {
		for (int i = 0; i < a->n && !r; i++) {
			int e = cephc_rados_remove(io, a->v[i]);
			if (e)
				r = err_out("removing", a->v[i], e);
		}
	} else if (!strcmp(cmd, "create")) {
		cephc_write_op *op = cephc_write_op_create();
		cephc_write_op_create_object(op, 1);
		int e = cephc_write_op_operate(op, io, obj);
		cephc_write_op_release(op);
		if (e)
			r = err_out("creating", obj, e);
	} else if (!strcmp(cmd, "truncate") && a->n == 2) {
		int e =
		    cephc_rados_truncate(io, obj, strtoull(a->v[1], NULL, 10));
		if (e)
			r = err_out("truncating", obj, e);
	} else if (!strcmp(cmd, "getxattr") && a->n == 2) {
		char *v = malloc(XATTR_MAX);
		int64_t n =
		    cephc_rados_getxattr(io, obj, a->v[1], v, XATTR_MAX);
		if (n < 0)
			r = err_out("getting xattr", obj, (int)n);
		else
			fwrite(v, 1, (size_t)n, stdout);
		free(v);
	} else if (!strcmp(cmd, "setxattr") && a->n >= 2) {
		char *v;
		size_t len;
		bool owned;
		if (value_arg(a, 2, &v, &len, &owned) == 0) {
			int e = cephc_rados_setxattr(io, obj, a->v[1], v, len);
			if (e)
				r = err_out("setting xattr", obj, e);
			if (owned)
				free(v);
		}
	} else if (!strcmp(cmd, "rmxattr") && a->n == 2) {
		int e = cephc_rados_rmxattr(io, obj, a->v[1]);
		if (e)
			r = err_out("removing xattr", obj, e);
	} else if (!strcmp(cmd, "setomapval") && a->n >= 2) {
		char *v;
		size_t len;
		bool owned;
		if (value_arg(a, 2, &v, &len, &owned) == 0) {
			const char *k = a->v[1];
			const void *vv = v;
			cephc_write_op *op = cephc_write_op_create();
			cephc_write_op_omap_set(op, &k, &vv, &len, 1);
			int e = cephc_write_op_operate(op, io, obj);
			cephc_write_op_release(op);
			if (e)
				r = err_out("setting omap value", obj, e);
			if (owned)
				free(v);
		}
	} else if (!strcmp(cmd, "getomapval") && a->n >= 2) {
		char *v = malloc(XATTR_MAX);
		size_t len = 0;
		int prval = 0;
		cephc_read_op *op = cephc_read_op_create();
		cephc_read_op_omap_get(op, a->v[1], v, XATTR_MAX, &len, &prval);
		int e = cephc_read_op_operate(op, io, obj);
		cephc_read_op_release(op);
		if (!e)
			e = prval;
		if (e == CEPHC_ENOENT) {
			fprintf(stderr, "No such key: %s/%s/%s\n", a->pool, obj,
				a->v[1]);
			r = 2;
		} else if (e) {
			r = err_out("getting omap value", obj, e);
		} else if (a->n == 3) {
			FILE *f = fopen(a->v[2], "wb");
			if (f) {
				fwrite(v, 1, len, f);
				fclose(f);
			}
		} else {
			printf("value (%zu bytes) :\n", len);
			hexdump((const unsigned char *)v, len);
			printf("\n");
		}
		free(v);
	} else if (!strcmp(cmd, "listxattr") && a->n == 1) {
		r = do_listxattr(io, a->pool, obj);
	} else if (!strcmp(cmd, "listomapkeys") && a->n == 1) {
		r = do_listomap(io, a->pool, obj, false);
	} else if (!strcmp(cmd, "listomapvals") && a->n == 1) {
		r = do_listomap(io, a->pool, obj, true);
	} else if (!strcmp(cmd, "rmomapkey") && a->n == 2) {
		const char *k = a->v[1];
		cephc_write_op *op = cephc_write_op_create();
		cephc_write_op_omap_rm_keys(op, &k, 1);
		int e = cephc_write_op_operate(op, io, obj);
		cephc_write_op_release(op);
		if (e)
			r = err_out("removing omap key", obj, e);
	} else {
		fprintf(stderr,
			"cephc rados: unsupported or malformed command "
			"'%s'\n",
			cmd);
		r = 22;
	}
	cephc_ioctx_destroy(io);
	return r;
}

int cmd_rados(int argc, char **argv, int cmd_index)
{
	struct tool_ctx t;
	struct rados_args a;
	int r;

	if ((r = tool_init(&t, argc, argv, cmd_index)))
		return r;
	if (parse_rados_args(&t, &a) || a.n < 1) {
		fprintf(stderr,
			"usage: cephc rados [-p POOL] [-N NS] "
			"lspools|put|get|append|stat|rm|create|truncate|"
			"getxattr|setxattr|rmxattr|getomapval|"
			"setomapval|rmomapkey|ls|listxattr|listomapkeys|"
			"listomapvals|bench ...\n");
		tool_fini(&t);
		return 22;
	}
	rados_cluster = t.cluster;
	if ((r = tool_connect(&t)) == 0)
		r = run(&t, &a);
	tool_fini(&t);
	return r;
}
