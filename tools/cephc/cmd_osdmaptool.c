/* SPDX-License-Identifier: MIT */
/*
 * cephc osdmaptool: the read-only parts of Ceph's osdmaptool, same
 * argument syntax and byte-identical stdout (Ceph 16.2.15):
 *   FILE [--print] [--test-map-pgs | --test-map-pgs-dump |
 *   --test-map-pgs-dump-all [--pool ID] [--pg-num N]]
 *   [--test-map-object NAME [--pool ID]] [--test-map-pg PGID]
 *   [--mark-up-in] [--mark-out ID] [--mark-up ID] [--mark-in ID]
 *
 * What Ceph's tool does, and we mirror:
 *  - "osdmaptool: osdmap file 'F'" goes to stderr, the rest to stdout;
 *  - the mark options change the in-memory map before any test, in the
 *    order up-in, out, up, in; --mark-up-in also gives every OSD whose
 *    CRUSH weight is 0 a CRUSH weight of 1.0 (in all its buckets).  Setting a
 * non-zero weight also sets EXISTS (OSDMap::set_weight).  --mark-out also marks
 * the OSD up.
 *    --mark-in has a bug in 16.2.15 that we reproduce: it announces and
 *    marks in the --mark-up id, not its own;
 *  - tests run before --print, which prints the modified map;
 *  - cephc only: --osd-map POOL --object OBJ [--namespace NS] [--format
 *    json] prints what `ceph osd map POOL OBJ [NS]` would for this map;
 *  - the statistics after --test-map-pgs* count OSDs that are in and have
 *    a positive CRUSH weight, with Ceph's integer average and its stddev.
 * Ceph's option parser treats '-' and '_' alike after the leading dashes,
 * accepts "--opt=value", and stops at "--".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "cephc/errors.h"
#include "commands.h"
#include "core/alloc.h"
#include "osdmap/crush/crush.h"
#include "osdmap/osdmap.h"
#include "osdmap/osdmap_internal.h"

const char cmd_osdmaptool_help[] =
    "inspect an OSDMap file like Ceph's osdmaptool (--print, --test-map-*)";

/* parse_args() below takes these ('_' and '-' alike, --opt=value too) and
 * keeps osdmaptool's own messages for anything else. */
static const struct cli_opt osdmaptool_opts[] = {
    {"-p", "--print", NULL, NULL, "print the map as osdmaptool --print", 0},
    {NULL, "--mark-up-in", NULL, NULL,
     "mark every OSD up and in (not persisted)", 0},
    {NULL, "--mark-out", "OSD", NULL, "mark an OSD out (not persisted)", 0},
    {NULL, "--mark-up", "OSD", NULL, "mark an OSD up (not persisted)", 0},
    {NULL, "--mark-in", "OSD", NULL, "mark an OSD in (not persisted)", 0},
    {NULL, "--test-map-pgs", NULL, NULL, "map every PG, print statistics", 0},
    {NULL, "--test-map-pgs-dump", NULL, NULL, "map every PG, print each", 0},
    {NULL, "--test-map-pgs-dump-all", NULL, NULL,
     "map every PG, with raw, up and acting sets", 0},
    {NULL, "--test-map-pg", "PGID", NULL, "map one PG", 0},
    {NULL, "--test-map-object", "OBJECT", NULL, "map one object", 0},
    {NULL, "--pool", "POOLID", "every pool (0 for --test-map-object)",
     "restrict to a pool", 0},
    {NULL, "--pg-num", "N", "the pool's", "PG count for --test-map-pgs", 0},
    {NULL, "--osd-map", "POOL", NULL,
     "cephc: print `ceph osd map POOL OBJECT` from the file's map", 0},
    {NULL, "--object", "OBJECT", NULL, "object of --osd-map", 0},
    {NULL, "--namespace", "NAMESPACE", NULL, "namespace of --osd-map", 0},
    {NULL, "--format", "FORMAT", "plain", "--osd-map output: plain or json", 0},
    {NULL, NULL, NULL, NULL, NULL, 0},
};

const struct cli_spec cmd_osdmaptool_spec = {
    .synopsis = "MAPFILE [--print] [--test-map-pgs[-dump[-all]]] "
		"[--test-map-object OBJ] [--test-map-pg PGID] [options]",
    .description = "Read an OSDMap file and print what Ceph's osdmaptool "
		   "prints, byte for byte.\nNo cluster is needed.  Bad "
		   "options are reported as osdmaptool reports them.",
    .opts = osdmaptool_opts,
    .example = "cephc osdmaptool /tmp/osdmap --test-map-pgs-dump --pool 1",
    .complete = CLI_COMPLETE_FILE,
    .flags = CLI_OWN_ERRORS,
};

/* Largest osdmap file we read. */
#define OSDMAPTOOL_MAX_MAP_BYTES (512u << 20)

struct osdmaptool_opts {
	const char *fn;
	int nfiles;
	bool print, mark_up_in, map_pgs, map_pgs_dump, map_pgs_dump_all;
	int marked_out, marked_up, marked_in;
	long long pool;
	long long pg_num;
	const char *map_object, *map_pg;
	/* cephc only: `ceph osd map` output from the file's map */
	const char *osd_map_pool, *osd_map_object, *osd_map_nspace;
	bool json;
};

static void usage(void)
{
	/* Ceph prints its usage on stdout. */
	fputs(" usage: [--print] <mapfilename>\n"
	      "   --test-map-pgs [--pool <poolid>] [--pg_num <pg_num>] map "
	      "all pgs\n"
	      "   --test-map-pgs-dump [--pool <poolid>] map all pgs\n"
	      "   --test-map-pgs-dump-all [--pool <poolid>] map all pgs to "
	      "osds\n"
	      "   --mark-up-in            mark osds up and in (but do not "
	      "persist)\n"
	      "   --mark-out <osdid>      mark an osd as out (but do not "
	      "persist)\n"
	      "   --mark-up <osdid>       mark an osd as up (but do not "
	      "persist)\n"
	      "   --mark-in <osdid>       mark an osd as in (but do not "
	      "persist)\n"
	      "   --test-map-pg <pgid>    map a pgid to osds\n"
	      "   --test-map-object <objectname> [--pool <poolid>] map an "
	      "object to osds\n",
	      stdout);
}

/* "--test_map_pg" == "--test-map-pg": compare with '_' read as '-'. */
static bool opt_is(const char *arg, const char *name, const char **val)
{
	size_t i;

	*val = NULL;
	if (arg[0] != '-' || arg[1] != '-')
		return false;
	arg += 2;
	for (i = 0; name[i]; i++) {
		char c = arg[i] == '_' ? '-' : arg[i];

		if (c != name[i])
			return false;
	}
	if (arg[i] == '=') {
		*val = arg + i + 1;
		return true;
	}
	return arg[i] == '\0';
}

/* An option with a value: "--opt v" or "--opt=v". */
static bool opt_arg(int argc, char **argv, int *i, const char *name,
		    const char **val)
{
	if (!opt_is(argv[*i], name, val))
		return false;
	if (*val)
		return true;
	if (*i + 1 >= argc) {
		fprintf(stderr, "osdmaptool: option %s requires an argument\n",
			argv[*i]);
		exit(1);
	}
	*val = argv[++*i];
	return true;
}

static long long to_int(const char *s)
{
	return strtoll(s, NULL, 10);
}

static int parse_args(int argc, char **argv, int first,
		      struct osdmaptool_opts *o)
{
	int i;
	const char *v;

	memset(o, 0, sizeof(*o));
	o->marked_out = o->marked_up = o->marked_in = -1;
	o->pool = -1;
	o->pg_num = -1;
	for (i = first; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--"))
			break;
		if (!strcmp(a, "-p") || opt_is(a, "print", &v))
			o->print = true;
		else if (opt_is(a, "mark-up-in", &v))
			o->mark_up_in = true;
		else if (opt_arg(argc, argv, &i, "mark-out", &v))
			o->marked_out = (int)to_int(v);
		else if (opt_arg(argc, argv, &i, "mark-up", &v))
			o->marked_up = (int)to_int(v);
		else if (opt_arg(argc, argv, &i, "mark-in", &v))
			o->marked_in = (int)to_int(v);
		else if (opt_is(a, "test-map-pgs", &v))
			o->map_pgs = true;
		else if (opt_is(a, "test-map-pgs-dump", &v))
			o->map_pgs_dump = true;
		else if (opt_is(a, "test-map-pgs-dump-all", &v))
			o->map_pgs_dump_all = true;
		else if (opt_arg(argc, argv, &i, "test-map-pg", &v))
			o->map_pg = v;
		else if (opt_arg(argc, argv, &i, "test-map-object", &v))
			o->map_object = v;
		else if (opt_arg(argc, argv, &i, "pool", &v))
			o->pool = to_int(v);
		else if (opt_arg(argc, argv, &i, "pg-num", &v))
			o->pg_num = to_int(v);
		else if (opt_arg(argc, argv, &i, "osd-map", &v))
			o->osd_map_pool = v;
		else if (opt_arg(argc, argv, &i, "object", &v))
			o->osd_map_object = v;
		else if (opt_arg(argc, argv, &i, "namespace", &v))
			o->osd_map_nspace = v;
		else if (opt_arg(argc, argv, &i, "format", &v))
			o->json = !strncmp(v, "json", 4);
		else if (a[0] == '-' && a[1])
			fprintf(stderr, "osdmaptool: ignoring option %s\n", a);
		else {
			o->fn = a;
			o->nfiles++;
		}
	}
	return 0;
}

static int read_file(const char *fn, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(fn, "rb");
	struct stat st;
	size_t n;

	if (!f)
		return -errno;
	if (fstat(fileno(f), &st) || st.st_size < 0 ||
	    (uint64_t)st.st_size > OSDMAPTOOL_MAX_MAP_BYTES) {
		fclose(f);
		return -EFBIG;
	}
	*buf = cephc_malloc((size_t)st.st_size + 1);
	if (!*buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(*buf, 1, (size_t)st.st_size, f);
	fclose(f);
	*len = n;
	return 0;
}

/*
 * IEEE square root (correctly rounded, NaN in NaN out) without libm, which
 * the CLI does not link: the SSE2 instruction where there is one.
 */
static double ieee_sqrt(double x)
{
#if defined(__SSE2__)
	return _mm_cvtsd_f64(_mm_sqrt_sd(_mm_set_sd(x), _mm_set_sd(x)));
#else
	return __builtin_sqrt(x);
#endif
}

/* OSDMap::set_weight: a non-zero weight also makes the OSD exist. */
static void set_weight(struct cephc_osdmap *m, int osd, uint32_t w)
{
	m->osd_weight[osd] = w;
	if (w)
		m->osd_state[osd] |= CEPHC_OSD_EXISTS;
}

/* CRUSH weight 1.0 for osd.id; a failure (out of memory, a map too deep)
 * is said on stderr, as the mappings may then differ. */
static void crush_weight_one(struct cephc_osdmap *m, int id)
{
	int rc = cephc_crush_adjust_item_weight(m->crush, id, 0x10000);

	if (rc < 0)
		fprintf(stderr,
			"osdmaptool: osd.%d: CRUSH weight not adjusted: %s\n",
			id, cephc_strerror(rc));
}

static void apply_marks(struct cephc_osdmap *m, const struct osdmaptool_opts *o)
{
	int n = (int)m->max_osd;
	int i;

	if (o->mark_up_in) {
		printf("marking all OSDs up and in\n");
		for (i = 0; i < n; i++) {
			m->osd_state[i] |= CEPHC_OSD_UP;
			set_weight(m, i, CEPHC_OSD_IN);
			/* Ceph also gives CRUSH items of weight 0 a weight of
			 * 1.0 (adjust_item_weightf), in every bucket. */
			if (m->crush &&
			    osdmap_crush_item_weight(m->crush, i) == 0)
				crush_weight_one(m, i);
		}
	}
	if (o->marked_out >= 0 && o->marked_out < n) {
		printf("marking OSD@%d as out\n", o->marked_out);
		m->osd_state[o->marked_out] |= CEPHC_OSD_UP;
		set_weight(m, o->marked_out, CEPHC_OSD_OUT);
	}
	if (o->marked_up >= 0 && o->marked_up < n) {
		printf("marking OSD@%d as up\n", o->marked_up);
		m->osd_state[o->marked_up] |= CEPHC_OSD_UP;
	}
	if (o->marked_in >= 0 && o->marked_in < n) {
		/* Ceph 16.2.15 uses the --mark-up id here (a bug). */
		printf("marking OSD@%d as up\n", o->marked_up);
		if (o->marked_up >= 0 && o->marked_up < n)
			set_weight(m, o->marked_up, CEPHC_OSD_IN);
	}
}

static void print_vec(const int *v, int n)
{
	int i;

	putchar('[');
	for (i = 0; i < n; i++)
		printf(i ? ",%d" : "%d", v[i]);
	putchar(']');
}

static void print_mapping(struct cephc_pg pg, const struct cephc_pg_mapping *mp)
{
	char s[48];

	cephc_pg_format(pg, s, sizeof(s));
	printf("%s raw (", s);
	print_vec(mp->raw, mp->n_raw);
	printf(", p%d) up (", mp->raw_primary);
	print_vec(mp->up, mp->n_up);
	printf(", p%d) acting (", mp->up_primary);
	print_vec(mp->acting, mp->n_acting);
	printf(", p%d)\n", mp->acting_primary);
}

static int test_map_object(struct cephc_osdmap *m, struct osdmaptool_opts *o)
{
	const struct cephc_pg_pool *p;
	struct cephc_pg_mapping mp;
	struct cephc_pg raw, pg;
	char s[48];

	if (o->pool == -1) {
		printf(
		    "osdmaptool: assuming pool 1 (use --pool to override)\n");
		o->pool = 1;
	}
	p = cephc_osdmap_pool(m, o->pool);
	if (!p) {
		fprintf(stderr, "There is no pool %lld\n", o->pool);
		return 1;
	}
	cephc_osdmap_object_to_pg(m, o->pool, o->map_object,
				  strlen(o->map_object), NULL, 0, NULL, 0,
				  &raw);
	pg.pool = o->pool;
	pg.seed = cephc_pool_fold(p, raw.seed);
	cephc_osdmap_pg_to_osds(m, pg, &mp, NULL);
	cephc_pg_format(pg, s, sizeof(s));
	printf(" object '%s' -> %s -> ", o->map_object, s);
	print_vec(mp.acting, mp.n_acting);
	putchar('\n');
	return 0;
}

static int test_map_pg(struct cephc_osdmap *m, const char *arg)
{
	struct cephc_pg_mapping mp;
	struct cephc_pg pg;
	char s[48];

	if (cephc_pg_parse(arg, &pg)) {
		fprintf(stderr, "osdmaptool: failed to parse pg '%s\n", arg);
		usage();
		exit(1);
	}
	cephc_pg_format(pg, s, sizeof(s));
	printf(" parsed '%s' -> %s\n", arg, s);
	cephc_osdmap_pg_to_osds(m, pg, &mp, NULL);
	print_mapping(pg, &mp);
	return 0;
}

static int test_map_pgs(struct cephc_osdmap *m, const struct osdmaptool_opts *o)
{
	int n = (int)m->max_osd;
	int *count, *first, *primary;
	int size[CEPHC_OSDMAP_MAX_PG_OSDS + 1] = {0};
	int max_size = 0, in = 0, min_osd = -1, max_osd = -1;
	uint64_t total = 0, avg;
	double dev = 0, edev;
	struct cephc_pg_mapping *mp;
	void *scratch;
	uint32_t pi;
	int i;

	if (o->pool != -1 && !cephc_osdmap_pool(m, o->pool)) {
		fprintf(stderr, "There is no pool %lld\n", o->pool);
		return 1;
	}
	count = cephc_calloc((size_t)n + 1, sizeof(int));
	first = cephc_calloc((size_t)n + 1, sizeof(int));
	primary = cephc_calloc((size_t)n + 1, sizeof(int));
	mp = cephc_malloc(sizeof(*mp));
	scratch = cephc_malloc(cephc_osdmap_scratch_size(m) + 1);
	if (!count || !first || !primary || !mp || !scratch) {
		fprintf(stderr, "osdmaptool: out of memory\n");
		return 1;
	}
	for (pi = 0; pi < m->n_pools; pi++) {
		struct cephc_pg_pool *p = &m->pools[pi];
		uint32_t ps;

		if (o->pool != -1 && p->id != o->pool)
			continue;
		if (o->pg_num > 0) {
			/* pg_pool_t::set_pg_num also recomputes the masks. */
			p->pg_num = (uint32_t)o->pg_num;
			osdmap_pool_calc_masks(p);
		}
		printf("pool %lld pg_num %u\n", (long long)p->id, p->pg_num);
		for (ps = 0; ps < p->pg_num; ps++) {
			struct cephc_pg pg = {p->id, ps};
			int *osds, nosds, prim;

			cephc_osdmap_pg_to_osds(m, pg, mp, scratch);
			osds = mp->acting;
			nosds = mp->n_acting;
			prim = mp->acting_primary;
			size[nosds]++;
			if (max_size < nosds)
				max_size = nosds;
			if (o->map_pgs_dump) {
				char s[48];

				cephc_pg_format(pg, s, sizeof(s));
				printf("%s\t", s);
				print_vec(osds, nosds);
				printf("\t%d\n", prim);
			} else if (o->map_pgs_dump_all) {
				print_mapping(pg, mp);
			}
			for (i = 0; i < nosds; i++)
				if (osds[i] >= 0 && osds[i] < n)
					count[osds[i]]++;
			if (nosds && osds[0] >= 0 && osds[0] < n)
				first[osds[0]]++;
			if (prim >= 0 && prim < n)
				primary[prim]++;
		}
	}

	printf("#osd\tcount\tfirst\tprimary\tc wt\twt\n");
	for (i = 0; i < n; i++) {
		int cw;

		if (!cephc_osdmap_osd_exists(m, i) || !m->osd_weight[i])
			continue;
		cw = osdmap_crush_item_weight(m->crush, i);
		if (cw <= 0)
			continue;
		in++;
		printf("osd.%d\t%d\t%d\t%d\t%g\t%g\n", i, count[i], first[i],
		       primary[i], (double)((float)cw / (float)0x10000),
		       (double)((float)m->osd_weight[i] / (float)CEPHC_OSD_IN));
		total += (uint64_t)count[i];
		if (count[i] && (min_osd < 0 || count[i] < count[min_osd]))
			min_osd = i;
		if (count[i] && (max_osd < 0 || count[i] > count[max_osd]))
			max_osd = i;
	}
	avg = in ? total / (uint64_t)in : 0;
	for (i = 0; i < n; i++) {
		uint64_t d;

		if (!cephc_osdmap_osd_exists(m, i) || !m->osd_weight[i] ||
		    osdmap_crush_item_weight(m->crush, i) <= 0)
			continue;
		/* Ceph squares (avg - count) in unsigned 64-bit arithmetic. */
		d = avg - (uint64_t)(int64_t)count[i];
		dev += (double)(d * d);
	}
	dev /= in;
	dev = ieee_sqrt(dev);
	edev =
	    ieee_sqrt((double)total / (double)in * (1.0 - (1.0 / (double)in)));
	printf(" in %d\n", in);
	printf(" avg %llu stddev %g (%gx) (expected %g %gx))\n",
	       (unsigned long long)avg, dev, dev / (double)avg, edev,
	       edev / (double)avg);
	if (min_osd >= 0)
		printf(" min osd.%d %d\n", min_osd, count[min_osd]);
	if (max_osd >= 0)
		printf(" max osd.%d %d\n", max_osd, count[max_osd]);
	for (i = 0; i <= max_size; i++)
		if (size[i])
			printf("size %d\t%d\n", i, size[i]);
	cephc_free(count);
	cephc_free(first);
	cephc_free(primary);
	cephc_free(mp);
	cephc_free(scratch);
	return 0;
}

static int osd_map(struct cephc_osdmap *m, const struct osdmaptool_opts *o)
{
	const struct cephc_pg_pool *p =
	    cephc_osdmap_pool_by_name(m, o->osd_map_pool);
	char *buf;
	int n;

	if (!p || !o->osd_map_object) {
		fprintf(stderr, "pool '%s' does not exist\n", o->osd_map_pool);
		return 2;
	}
	n = cephc_osdmap_format_object_map(m, p->id, o->osd_map_object,
					   o->osd_map_nspace, o->json, NULL, 0);
	buf = n >= 0 ? cephc_malloc((size_t)n + 1) : NULL;
	if (!buf)
		return 1;
	cephc_osdmap_format_object_map(m, p->id, o->osd_map_object,
				       o->osd_map_nspace, o->json, buf,
				       (size_t)n + 1);
	/* As the ceph CLI prints it. */
	if (o->json)
		printf("\n%s", buf);
	else
		printf("%s\n", buf);
	cephc_free(buf);
	return 0;
}

int cmd_osdmaptool(int argc, char **argv, int cmd_index)
{
	struct osdmaptool_opts o;
	struct cephc_osdmap *m = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int r, rc = 0;

	parse_args(argc, argv, cmd_index + 1, &o);
	cli_parse_done();
	if (o.nfiles == 0) {
		fprintf(stderr, "osdmaptool: must specify osdmap filename\n");
		usage();
		return 1;
	}
	if (o.nfiles > 1) {
		fprintf(stderr, "osdmaptool: too many arguments\n");
		usage();
		return 1;
	}
	fprintf(stderr, "osdmaptool: osdmap file '%s'\n", o.fn);
	r = read_file(o.fn, &buf, &len);
	if (r) {
		fprintf(stderr, "osdmaptool: couldn't open %s: %s\n", o.fn,
			strerror(-r));
		return 255;
	}
	r = cephc_osdmap_decode(buf, len, &m);
	cephc_free(buf);
	if (r) {
		fprintf(stderr, "osdmaptool: error decoding osdmap '%s': %s\n",
			o.fn, cephc_strerror(r));
		return 255;
	}
	if (!m->crush)
		fprintf(stderr, "osdmaptool: crush map not decoded: %s\n",
			cephc_strerror(m->crush_err));
	apply_marks(m, &o);
	if (o.map_object)
		rc = test_map_object(m, &o);
	if (!rc && o.map_pg)
		rc = test_map_pg(m, o.map_pg);
	if (!rc && (o.map_pgs || o.map_pgs_dump || o.map_pgs_dump_all))
		rc = test_map_pgs(m, &o);
	if (!rc && o.osd_map_pool)
		rc = osd_map(m, &o);
	if (!rc && !o.print && !o.osd_map_pool && !o.map_pg && !o.map_object &&
	    !o.map_pgs && !o.map_pgs_dump && !o.map_pgs_dump_all) {
		fprintf(stderr, "osdmaptool: no action specified?\n");
		usage();
		rc = 1;
	}
	if (!rc && o.print)
		cephc_osdmap_print(m, stdout);
	cephc_osdmap_free(m);
	fflush(stdout);
	return rc;
}
