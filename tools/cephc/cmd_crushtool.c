/* SPDX-License-Identifier: MIT */
/*
 * cephc crushtool: the --test part of Ceph's crushtool, with the same
 * argument syntax and byte-identical stdout for --show-mappings and
 * --show-bad-mappings (Ceph 16.2.15 CrushTester::test()).
 *
 * What Ceph's tester does, and we mirror:
 *  - rules: all ids 0..max_rules-1 unless --rule (or both --min-rule and
 *    --max-rule) narrows them; --ruleset filters by the mask's ruleset;
 *  - num-rep: --num-rep N, else each rule's mask min_size..max_size;
 *  - x: --x X, or --min-x and --max-x (both, else 0..1023); with
 *    --pool-id P the mapped input is crush_hash32_2(x, P);
 *  - weights: 0x10000 for every device that is an item of some bucket, 0
 *    for others, --weight DEV W (0..1, float, truncated to 16.16);
 *  - a num-rep whose device weights sum (as a wrapping int) to 0 prints
 *    nothing;
 *  - choose_args: those stored under index 0, else the default (-1);
 *  - lines "CRUSH rule R x X [a,b]" and
 *    "bad mapping rule R x X num_rep N result [a,b]" (result shorter than
 *    num-rep or holding CRUSH_ITEM_NONE).
 * Ceph's option parser treats '-' and '_' alike after the leading dashes,
 * accepts "--opt=value", and stops at "--".
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cephc/errors.h"
#include "commands.h"
#include "osdmap/crush/crush.h"

const char cmd_crushtool_help[] =
    "test CRUSH placement like Ceph's crushtool -i MAP --test";

/* parse_args() below takes these ('_' and '-' alike, --opt=value too) and
 * keeps crushtool's own messages for anything else. */
static const struct cli_opt crushtool_opts[] = {
    {"-i", "--infn", "MAP", NULL, "compiled CRUSH map to read", 0},
    {"-t", "--test", NULL, NULL, "test the map's rules", 0},
    {NULL, "--show-mappings", NULL, NULL, "print every mapping", 0},
    {NULL, "--show-bad-mappings", NULL, NULL,
     "print mappings with fewer OSDs than asked", 0},
    {NULL, "--min-x", "X", "0", "first input value", 0},
    {NULL, "--max-x", "X", "1023", "last input value", 0},
    {NULL, "--x", "X", NULL, "one input value", 0},
    {NULL, "--min-rule", "R", "0", "first rule", 0},
    {NULL, "--max-rule", "R", "the last rule", "last rule", 0},
    {NULL, "--rule", "R", "every rule", "one rule", 0},
    {NULL, "--ruleset", "RS", NULL, "rules of a ruleset", 0},
    {NULL, "--num-rep", "N", "the rule's min to max size",
     "replicas to ask for", 0},
    {NULL, "--pool-id", "POOL", NULL, "hash inputs as this pool's", 0},
    {NULL, "--batches", "B", "1", "accepted; the output is the same", 0},
    {NULL, "--weight", "DEV WEIGHT", NULL,
     "override a device's weight (0..1); repeatable", 2},
    {NULL, NULL, NULL, NULL, NULL, 0},
};

const struct cli_spec cmd_crushtool_spec = {
    .synopsis = "-i MAP --test --show-mappings|--show-bad-mappings "
		"[options]",
    .description = "Test CRUSH placement of a compiled map and print what "
		   "Ceph's crushtool --test\nprints, byte for byte.  No "
		   "cluster is needed.  Bad options are reported as\n"
		   "crushtool reports them.",
    .opts = crushtool_opts,
    .example = "cephc crushtool -i crush.map --test --show-mappings "
	       "--rule 0 --num-rep 3",
    .flags = CLI_OWN_ERRORS,
};

/* Largest crush map file we read. */
#define CRUSHTOOL_MAX_MAP_BYTES (256u << 20)

struct crushtool_opts {
	const char *infn;
	int test;
	int show_mappings;
	int show_bad_mappings;
	int min_x, max_x;
	int min_rule, max_rule;
	int ruleset;
	int min_rep, max_rep;
	int pool_id;
	/* --weight pairs in command-line order (later ones win). */
	int n_weights;
	int *weight_dev;
	uint32_t *weight_val;
};

static void usage(FILE *out)
{
	fprintf(out, "usage: cephc crushtool -i MAP --test [--show-mappings] "
		     "[--show-bad-mappings]\n"
		     "         [--min-x X] [--max-x X] [--x X] [--min-rule R] "
		     "[--max-rule R]\n"
		     "         [--rule R] [--ruleset RS] [--num-rep N] "
		     "[--pool-id P]\n"
		     "         [--batches B] [--weight DEV W]...\n");
}

/*
 * Compare an argument with an option name as Ceph does: the leading dashes
 * must match and the rest is compared with '-' and '_' equal.  On match,
 * *value points after '=' if the argument had one, else is NULL.
 */
static int opt_is(const char *arg, const char *name, const char **value)
{
	const char *a = arg, *n = name;

	while (*a == '-' && *n == '-') {
		a++;
		n++;
	}
	if (*a == '-' || *n == '-')
		return 0; /* different number of leading dashes */
	for (; *n; a++, n++) {
		char ca = *a == '-' ? '_' : *a;
		char cn = *n == '-' ? '_' : *n;

		if (ca != cn)
			return 0;
	}
	if (*a == '=') {
		if (!value)
			return 0;
		*value = a + 1;
		return 1;
	}
	if (*a)
		return 0;
	if (value)
		*value = NULL;
	return 1;
}

/* Value of an option: after '=' or the next argument. */
static const char *opt_value(int argc, char **argv, int *i, const char *eq)
{
	if (eq)
		return eq;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* Base-10 int as Ceph's strict_strtol: whole string, in range. */
static int parse_int(const char *s, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < INT_MIN || v > INT_MAX)
		return -1;
	*out = (int)v;
	return 0;
}

/* CrushTester::set_device_weight: float, * 0x10000, clamp to 0..0x10000. */
static uint32_t weight_from_arg(const char *s)
{
	float f = (float)atof(s);
	float w = f * 0x10000;

	/* (int) of an out-of-range float is INT_MIN on x86: clamps to 0. */
	if (!(w > -2147483648.0f && w < 2147483648.0f))
		return 0;
	int iw = (int)w;

	if (iw < 0)
		iw = 0;
	if (iw > 0x10000)
		iw = 0x10000;
	return (uint32_t)iw;
}

static int read_file(const char *path, uint8_t **buf, size_t *len)
{
	struct stat st;
	uint8_t *p;
	size_t got = 0;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || st.st_size < 0 ||
	    (uint64_t)st.st_size > CRUSHTOOL_MAX_MAP_BYTES) {
		close(fd);
		return -EFBIG;
	}
	p = malloc((size_t)st.st_size + 1);
	if (!p) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, p + got, (size_t)st.st_size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	*buf = p;
	*len = got;
	return 0;
}

/* Append "[a,b,c]\n" to a line buffer; returns the new end. */
static char *fmt_result(char *p, const int *v, int n)
{
	*p++ = '[';
	for (int i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		p += sprintf(p, "%d", v[i]);
	}
	*p++ = ']';
	*p++ = '\n';
	return p;
}

static int run_test(const struct crushtool_opts *o,
		    const struct cephc_crush_map *map)
{
	int max_devices = cephc_crush_max_devices(map);
	int max_rules = cephc_crush_max_rules(map);
	int min_rule = o->min_rule, max_rule = o->max_rule;
	int min_x = o->min_x, max_x = o->max_x;
	const struct cephc_crush_choose_arg *ca;
	uint32_t *weights;
	uint32_t total = 0;
	void *scratch;
	char *line;
	int result[CEPHC_CRUSH_MAX_RESULT];

	if (min_rule < 0 || max_rule < 0) {
		min_rule = 0;
		max_rule = max_rules - 1;
	}
	if (min_x < 0 || max_x < 0) {
		min_x = 0;
		max_x = 1023;
	}
	weights =
	    calloc(max_devices ? (size_t)max_devices : 1, sizeof(*weights));
	scratch = malloc(cephc_crush_scratch_size(map, CEPHC_CRUSH_MAX_RESULT));
	/* Room for the longest line: two prefixes and 256 ids. */
	line = malloc(128 + (size_t)CEPHC_CRUSH_MAX_RESULT * 12);
	if (!weights || !scratch || !line) {
		free(weights);
		free(scratch);
		free(line);
		fprintf(stderr, "crushtool: out of memory\n");
		return 1;
	}
	for (int d = 0; d < max_devices; d++)
		weights[d] = cephc_crush_device_present(map, d) ? 0x10000 : 0;
	for (int i = 0; i < o->n_weights; i++)
		if (o->weight_dev[i] >= 0 && o->weight_dev[i] < max_devices)
			weights[o->weight_dev[i]] = o->weight_val[i];
	/* Ceph sums into an int; only "== 0" matters, so wrap alike. */
	for (int d = 0; d < max_devices; d++)
		total += weights[d];
	ca = cephc_crush_choose_args_for_pool(map, 0);

	for (int r = min_rule; r < max_rules && r <= max_rule; r++) {
		int rs, minr, maxr;

		if (cephc_crush_rule_mask(map, r, &rs, NULL, &minr, &maxr))
			continue;
		if (o->ruleset >= 0 && rs != o->ruleset)
			continue;
		if (o->min_rep >= 0 && o->max_rep >= 0) {
			minr = o->min_rep;
			maxr = o->max_rep;
		}
		for (int nr = minr; nr <= maxr; nr++) {
			if (total == 0)
				continue;
			if (nr > CEPHC_CRUSH_MAX_RESULT) {
				fprintf(stderr,
					"crushtool: num_rep %d over the "
					"supported %d\n",
					nr, CEPHC_CRUSH_MAX_RESULT);
				free(weights);
				free(scratch);
				free(line);
				return 1;
			}
			for (int x = min_x; x <= max_x; x++) {
				uint32_t real_x = (uint32_t)x;
				int n, bad = 0;
				char *p;

				if (o->pool_id != -1)
					real_x = cephc_crush_hash32_2(
					    (uint32_t)x, (uint32_t)o->pool_id);
				n = cephc_crush_do_rule(
				    map, r, (int)real_x, result, nr, weights,
				    max_devices, ca, scratch);
				if (n < 0)
					n = 0;
				if (o->show_mappings) {
					p = line +
					    sprintf(line, "CRUSH rule %d x %d ",
						    r, x);
					p = fmt_result(p, result, n);
					fwrite(line, 1, (size_t)(p - line),
					       stdout);
				}
				if (!o->show_bad_mappings)
					continue;
				bad = n != nr;
				for (int i = 0; i < n; i++)
					if (result[i] == CEPHC_CRUSH_ITEM_NONE)
						bad = 1;
				if (bad) {
					p = line +
					    sprintf(line,
						    "bad mapping rule %d "
						    "x %d num_rep %d "
						    "result ",
						    r, x, nr);
					p = fmt_result(p, result, n);
					fwrite(line, 1, (size_t)(p - line),
					       stdout);
				}
				if (x == INT_MAX)
					break;
			}
		}
	}
	free(weights);
	free(scratch);
	free(line);
	return 0;
}

/* Options of Ceph's crushtool that we know but do not implement. */
static const char *const unsupported_opts[] = {
    "-d",
    "--decompile",
    "-o",
    "--outfn",
    "-c",
    "--compile",
    "--build",
    "--show_utilization",
    "--show_utilization_all",
    "--show_statistics",
    "--show_choose_tries",
    "--simulate",
    "-s",
    "--output_csv",
    "--tree",
    "--dump",
    "--check",
    "--compare",
    "--mark_down_ratio",
    "--mark_down_bucket_ratio",
    "--reweight",
    "--add_item",
    "--update_item",
    "--remove_item",
    "--reweight_item",
    "--reclassify",
    NULL,
};

static int parse_args(int argc, char **argv, int first,
		      struct crushtool_opts *o)
{
	const char *v = NULL;

	for (int i = first; i < argc; i++) {
		const char *a = argv[i], *eq = NULL;
		int n;

		if (strcmp(a, "--") == 0) {
			fprintf(stderr, "unrecognized arguments after --\n");
			return 1;
		}
		if (opt_is(a, "-h", NULL) || opt_is(a, "--help", NULL)) {
			usage(stdout);
			exit(0);
		}
		if (opt_is(a, "-i", &eq) || opt_is(a, "--infn", &eq)) {
			o->infn = opt_value(argc, argv, &i, eq);
			if (!o->infn)
				goto missing;
			continue;
		}
		if (opt_is(a, "-t", NULL) || opt_is(a, "--test", NULL)) {
			o->test = 1;
			continue;
		}
		if (opt_is(a, "--show_mappings", NULL)) {
			o->show_mappings = 1;
			continue;
		}
		if (opt_is(a, "--show_bad_mappings", NULL)) {
			o->show_bad_mappings = 1;
			continue;
		}
		if (opt_is(a, "--weight", &eq)) {
			int *nd;
			uint32_t *nv;

			v = opt_value(argc, argv, &i, eq);
			if (!v)
				goto missing;
			if (parse_int(v, &n))
				goto bad_value;
			if (i + 1 >= argc) {
				fprintf(stderr, "expecting additional argument "
						"to --weight\n");
				return 1;
			}
			nd = realloc(o->weight_dev,
				     (size_t)(o->n_weights + 1) * sizeof(*nd));
			if (nd)
				o->weight_dev = nd;
			nv = realloc(o->weight_val,
				     (size_t)(o->n_weights + 1) * sizeof(*nv));
			if (nv)
				o->weight_val = nv;
			if (!nd || !nv)
				return 1;
			o->weight_dev[o->n_weights] = n;
			o->weight_val[o->n_weights] =
			    weight_from_arg(argv[++i]);
			o->n_weights++;
			continue;
		}
		{
			/* Integer-valued options. */
			static const char *const names[] = {
			    "--num_rep",  "--max_x",    "--min_x", "--x",
			    "--max_rule", "--min_rule", "--rule",  "--ruleset",
			    "--pool_id",  "--batches",  NULL,
			};
			int k;

			for (k = 0; names[k]; k++)
				if (opt_is(a, names[k], &eq))
					break;
			if (names[k]) {
				v = opt_value(argc, argv, &i, eq);
				if (!v)
					goto missing;
				if (parse_int(v, &n))
					goto bad_value;
				switch (k) {
				case 0:
					o->min_rep = o->max_rep = n;
					break;
				case 1:
					o->max_x = n;
					break;
				case 2:
					o->min_x = n;
					break;
				case 3:
					o->min_x = o->max_x = n;
					break;
				case 4:
					o->max_rule = n;
					break;
				case 5:
					o->min_rule = n;
					break;
				case 6:
					o->min_rule = o->max_rule = n;
					break;
				case 7:
					o->ruleset = n;
					break;
				case 8:
					o->pool_id = n;
					break;
				default:
					break; /* batches: output identical */
				}
				continue;
			}
		}
		for (int k = 0; unsupported_opts[k]; k++)
			if (opt_is(a, unsupported_opts[k], &eq)) {
				fprintf(stderr,
					"cephc crushtool: %s is not supported "
					"(only --test)\n",
					a);
				return 1;
			}
		fprintf(stderr, "unrecognized arguments: [%s]\n", a);
		return 1;
	}
	return 0;
missing:
	fprintf(stderr, "Option %s requires an argument.\n", argv[argc - 1]);
	return 1;
bad_value:
	fprintf(stderr, "The option value '%s' is invalid\n", v);
	return 1;
}

int cmd_crushtool(int argc, char **argv, int cmd_index)
{
	struct crushtool_opts o = {
	    .min_x = -1,
	    .max_x = -1,
	    .min_rule = -1,
	    .max_rule = -1,
	    .ruleset = -1,
	    .min_rep = -1,
	    .max_rep = -1,
	    .pool_id = -1,
	};
	struct cephc_crush_map *map = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	static char outbuf[1 << 16];

	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	rc = parse_args(argc, argv, cmd_index + 1, &o);
	if (rc)
		goto out;
	cli_parse_done();
	if (o.test && !o.show_mappings && !o.show_bad_mappings) {
		fprintf(stderr, "WARNING: no output selected; use "
				"--output-csv or --show-X\n");
		rc = 1;
		goto out;
	}
	if (!o.test) {
		printf("no action specified; -h for help\n");
		rc = 1;
		goto out;
	}
	if (o.infn) {
		rc = read_file(o.infn, &buf, &len);
		if (rc) {
			fprintf(stderr, "crushtool: error reading '%s': %s\n",
				o.infn, strerror(-rc));
			rc = 1;
			goto out;
		}
		rc = cephc_crush_decode(buf, len, &map);
		if (rc) {
			fprintf(stderr, "crushtool: cannot decode '%s': %s\n",
				o.infn, cephc_strerror(rc));
			rc = 1;
			goto out;
		}
		rc = run_test(&o, map);
	}
	/* Without -i Ceph tests an empty map: no output. */
out:
	fflush(stdout);
	cephc_crush_free(map);
	free(buf);
	free(o.weight_dev);
	free(o.weight_val);
	return rc;
}
