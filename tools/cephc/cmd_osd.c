/* SPDX-License-Identifier: MIT */
/*
 * cephc osd ...: the `ceph osd` subset a client needs, same syntax and
 * output as `ceph`:
 *   osd map POOL OBJECT [NAMESPACE]   placement, computed locally from our
 *                                     OSDMap (identical text to ceph's)
 *   osd map POOL -                    one object name per stdin line
 *   osd pool create NAME [PG_NUM [PGP_NUM]] [replicated|erasure]
 *   osd pool ls [detail]
 *   osd pool rm NAME [NAME --yes-i-really-really-mean-it]
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "tool_common.h"

const char cmd_osd_help[] =
    "osd map POOL OBJ [NS] | osd pool create|ls|rm ... (as ceph)";

static const struct cli_opt osd_opts[] = {
    {NULL, "--yes-i-really-really-mean-it", NULL, NULL,
     "pool rm: confirm (with the pool name given twice)", 0},
    {NULL, NULL, NULL, NULL, NULL, 0},
};

static const struct cli_sub osd_subs[] = {
    {"map", NULL, "POOL OBJECT [NAMESPACE] | POOL -",
     "Print where an object is placed (PG, up and acting sets), computed "
     "locally from the OSDMap; - reads object names from stdin.",
     NULL, "cephc osd map rbd obj1", CLI_COMPLETE_POOL},
    {"pool create", NULL, "NAME [PG_NUM [PGP_NUM]] [replicated|erasure]",
     "Create a pool (a monitor command, as ceph osd pool create).", NULL,
     "cephc osd pool create data 32", CLI_COMPLETE_NONE},
    {"pool ls", NULL, "[detail]", "List the pools (with detail: settings).",
     NULL, "cephc osd pool ls detail", CLI_COMPLETE_NONE},
    {"pool rm", "pool delete", "NAME NAME --yes-i-really-really-mean-it",
     "Delete a pool.", "--yes-i-really-really-mean-it",
     "cephc osd pool rm data data --yes-i-really-really-mean-it",
     CLI_COMPLETE_POOL},
    {NULL, NULL, NULL, NULL, NULL, NULL, CLI_COMPLETE_NONE},
};

const struct cli_spec cmd_osd_spec = {
    .synopsis = "map ... | pool create|ls|rm ...",
    .description = "The part of `ceph osd` a client needs, with ceph's "
		   "syntax and output.",
    .opts = osd_opts,
    .subs = osd_subs,
    .example = "cephc osd map rbd obj1",
};

static int print_map(struct tool_ctx *t, const char *pool, const char *obj,
		     const char *ns)
{
	char buf[1024];
	int n = cephc_cluster_osd_map_text(t->cluster, pool, obj, ns, t->json,
					   buf, sizeof(buf));

	if (n == CEPHC_ENOENT) {
		fprintf(stderr, "pool %s does not exist\n", pool);
		return 2;
	}
	if (n < 0) {
		fprintf(stderr, "cephc: %s\n", cephc_strerror(n));
		return tool_exit_code(n);
	}
	/* `ceph` prints the plain form with a newline, and JSON with a
	 * newline before it and none after */
	if (t->json)
		printf("\n%s", buf);
	else
		printf("%s\n", buf);
	return 0;
}

static int osd_map(struct tool_ctx *t)
{
	if (t->nrest < 3 || t->nrest > 4) {
		fprintf(stderr,
			"usage: cephc osd map POOL OBJECT [NAMESPACE]\n");
		return 22;
	}
	if (strcmp(t->rest[2], "-") != 0)
		return print_map(t, t->rest[1], t->rest[2],
				 t->nrest == 4 ? t->rest[3] : NULL);
	char line[4096];
	int r = 0;
	while (!r && fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		r = print_map(t, t->rest[1], line,
			      t->nrest == 4 ? t->rest[3] : NULL);
		if (t->json)
			putchar('\n');
	}
	return r;
}

/* Run a mon command and print like ceph: data on stdout, status on
 * stderr; exit with the monitor's result. */
static int mon_cmd(struct tool_ctx *t, const char *json)
{
	char *out = NULL, *outs = NULL;
	size_t outlen = 0, outslen = 0;
	int r = cephc_cluster_mon_command(t->cluster, json, NULL, 0, &out,
					  &outlen, &outs, &outslen);

	if (out && outlen) {
		fwrite(out, 1, outlen, stdout);
		if (out[outlen - 1] != '\n')
			putchar('\n');
	}
	if (outs && outslen)
		fprintf(stderr, "%s\n", outs);
	else if (r < 0)
		fprintf(stderr, "Error %s: %s\n", cephc_errname(r),
			cephc_strerror(r));
	cephc_buffer_free(out);
	cephc_buffer_free(outs);
	return tool_exit_code(r);
}

static void json_kv(char *buf, size_t len, const char *k, const char *v)
{
	size_t n = strlen(buf);
	snprintf(buf + n, len - n, ",\"%s\":\"%s\"", k, v);
}

static int safe_name(const char *s)
{
	return strpbrk(s, "\"\\") == NULL;
}

static int osd_pool(struct tool_ctx *t)
{
	char json[1024];
	const char *op = t->nrest >= 2 ? t->rest[1] : "";

	if (!strcmp(op, "ls")) {
		bool detail = t->nrest >= 3 && !strcmp(t->rest[2], "detail");
		snprintf(json, sizeof(json), "{\"prefix\":\"osd pool ls\"%s%s}",
			 detail ? ",\"detail\":\"detail\"" : "",
			 t->json ? ",\"format\":\"json\"" : "");
		return mon_cmd(t, json);
	}
	if (!strcmp(op, "create") && t->nrest >= 3 && safe_name(t->rest[2])) {
		snprintf(json, sizeof(json),
			 "{\"prefix\":\"osd pool create\",\"pool\":\"%s\"",
			 t->rest[2]);
		int num = 0;
		for (int i = 3; i < t->nrest; i++) {
			const char *a = t->rest[i];
			if (!strcmp(a, "replicated") || !strcmp(a, "erasure")) {
				json_kv(json, sizeof(json), "pool_type", a);
			} else if (strspn(a, "0123456789") == strlen(a) &&
				   num < 2) {
				size_t n = strlen(json);
				snprintf(json + n, sizeof(json) - n,
					 ",\"%s\":%s",
					 num++ ? "pgp_num" : "pg_num", a);
			} else {
				fprintf(stderr,
					"cephc osd pool create: "
					"unexpected '%s'\n",
					a);
				return 22;
			}
		}
		strcat(json, "}");
		return mon_cmd(t, json);
	}
	if ((!strcmp(op, "rm") || !strcmp(op, "delete")) && t->nrest >= 3 &&
	    safe_name(t->rest[2])) {
		bool sure = false;
		const char *pool2 = NULL;
		for (int i = 3; i < t->nrest; i++) {
			if (!strcmp(t->rest[i],
				    "--yes-i-really-really-mean-it"))
				sure = true;
			else if (safe_name(t->rest[i]))
				pool2 = t->rest[i];
		}
		snprintf(json, sizeof(json),
			 "{\"prefix\":\"osd pool rm\",\"pool\":\"%s\"%s%s%s%s}",
			 t->rest[2], pool2 ? ",\"pool2\":\"" : "",
			 pool2 ? pool2 : "", pool2 ? "\"" : "",
			 sure ? ",\"yes_i_really_really_mean_it\":true" : "");
		return mon_cmd(t, json);
	}
	fprintf(stderr, "usage: cephc osd pool create NAME [PG_NUM [PGP_NUM]] "
			"[replicated|erasure] | ls [detail] | rm NAME NAME "
			"--yes-i-really-really-mean-it\n");
	return 22;
}

int cmd_osd(int argc, char **argv, int cmd_index)
{
	struct tool_ctx t;
	int r;

	if ((r = tool_init(&t, argc, argv, cmd_index)))
		return r;
	if (t.nrest < 1 ||
	    (strcmp(t.rest[0], "map") && strcmp(t.rest[0], "pool"))) {
		fprintf(stderr, "usage: cephc osd map POOL OBJ [NS] | "
				"cephc osd pool create|ls|rm ...\n");
		tool_fini(&t);
		return 22;
	}
	if ((r = tool_connect(&t))) {
		tool_fini(&t);
		return r;
	}
	r = !strcmp(t.rest[0], "map") ? osd_map(&t) : osd_pool(&t);
	tool_fini(&t);
	return r;
}
