/* SPDX-License-Identifier: MIT */
#include "tool_common.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int tool_exit_code(int err)
{
	if (err >= 0)
		return 0;
	if (err <= CEPHC_EPROTO_BASE)
		return 1; /* protocol errors have no errno */
	return -err > 255 ? 1 : -err;
}

int tool_parse_seconds_ms(const char *s, uint32_t *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !(v >= 0) || v > 4294967.0)
		return -1;
	*ms = (uint32_t)(v * 1000.0 + 0.5);
	return 0;
}

int tool_take_timeout(cephc_cluster *c, int *argc, char **argv)
{
	for (int i = 0; i < *argc; i++) {
		const char *v = NULL;
		int drop = 0;
		uint32_t ms;

		if (!strcmp(argv[i], "--timeout")) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "cephc: option --timeout needs "
						"a value (SECONDS)\n");
				return 22;
			}
			v = argv[i + 1];
			drop = 2;
		} else if (!strncmp(argv[i], "--timeout=", 10)) {
			v = argv[i] + 10;
			drop = 1;
		}
		if (!v)
			continue;
		if (tool_parse_seconds_ms(v, &ms)) {
			fprintf(stderr,
				"cephc: bad --timeout '%s': seconds >= 0 "
				"expected (0: wait forever)\n",
				v);
			return 22;
		}
		cephc_cluster_set_timeout(c, ms);
		memmove(&argv[i], &argv[i + drop],
			(size_t)(*argc - i - drop) * sizeof(char *));
		*argc -= drop;
		i--;
	}
	return 0;
}

static const char *explicit_conf(int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if ((!strcmp(argv[i], "-c") || !strcmp(argv[i], "--conf")) &&
		    i + 1 < argc)
			return argv[i + 1];
		if (!strncmp(argv[i], "--conf=", 7))
			return argv[i] + 7;
	}
	return NULL;
}

int tool_init(struct tool_ctx *t, int argc, char **argv, int cmd_index)
{
	int r, n = 0;
	const char *conf;

	memset(t, 0, sizeof(*t));
	t->rest = calloc((size_t)argc + 1, sizeof(char *));
	if (!t->rest)
		return 12;
	for (int i = 1; i < argc; i++)
		if (i != cmd_index)
			t->rest[n++] = argv[i];
	conf = explicit_conf(n, t->rest);
	if (conf && access(conf, R_OK) != 0) {
		fprintf(stderr, "cephc: cannot read configuration file %s\n",
			conf);
		return 2;
	}
	r = cephc_cluster_create(&t->cluster, NULL);
	if (r == 0)
		r = cephc_cluster_conf_parse_argv(t->cluster, n, t->rest,
						  &t->nrest);
	if (r && cli_check_globals(argv[cmd_index], argc - 1, argv + 1)) {
		tool_fini(t);
		return 22;
	}
	if (r) {
		fprintf(stderr, "cephc: bad arguments: %s\n",
			cephc_strerror(r));
		return tool_exit_code(r) ? tool_exit_code(r) : 22;
	}
	r = tool_take_timeout(t->cluster, &t->nrest, t->rest);
	if (r)
		return r;
	/* --format is ours, not the configuration's */
	for (int i = 0; i < t->nrest; i++) {
		const char *fmt = NULL;
		int drop = 0;
		if (!strcmp(t->rest[i], "--format") && i + 1 < t->nrest) {
			fmt = t->rest[i + 1];
			drop = 2;
		} else if (!strncmp(t->rest[i], "--format=", 9)) {
			fmt = t->rest[i] + 9;
			drop = 1;
		} else if (!strcmp(t->rest[i], "-f") && i + 1 < t->nrest) {
			fmt = t->rest[i + 1];
			drop = 2;
		}
		if (!fmt)
			continue;
		t->json = !strncmp(fmt, "json", 4);
		t->format = fmt;
		memmove(&t->rest[i], &t->rest[i + drop],
			(size_t)(t->nrest - i - drop) * sizeof(char *));
		t->nrest -= drop;
		i--;
	}
	/* what is left must be the command's own options (its table) */
	if ((r = cli_check_args(argv[cmd_index], t->nrest, t->rest))) {
		tool_fini(t);
		return r;
	}
	return 0;
}

int tool_connect(struct tool_ctx *t)
{
	int r;

	cli_parse_done(); /* cephc __parse: the arguments were fine */
	r = cephc_cluster_conf_read_file(t->cluster, NULL);
	if (r == 0)
		r = cephc_cluster_connect(t->cluster);
	if (r) {
		fprintf(stderr,
			"cephc: error connecting to the cluster: %s "
			"(%s)\n",
			cephc_cluster_last_error(t->cluster), cephc_errname(r));
		return tool_exit_code(r);
	}
	return 0;
}

void tool_fini(struct tool_ctx *t)
{
	cephc_cluster_destroy(t->cluster);
	free(t->rest);
	memset(t, 0, sizeof(*t));
}

void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}
