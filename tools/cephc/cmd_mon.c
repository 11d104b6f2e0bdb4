/* SPDX-License-Identifier: MIT */
/*
 * cephc mon command '<json>' [-i INFILE]: run one monitor command and print
 * as `ceph` does: the output data on stdout, the status string on stderr,
 * the exit status from the monitor's result.
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "tool_common.h"

const char cmd_mon_help[] = "mon command '<json>': run a monitor command";

static const struct cli_sub mon_subs[] = {
    {"command", NULL, "'JSON'",
     "Send one command to the monitors: the output on stdout, the status "
     "on stderr, the exit status from the result, as ceph prints them.",
     NULL, "cephc mon command '{\"prefix\": \"osd pool ls\"}'",
     CLI_COMPLETE_NONE},
    {NULL, NULL, NULL, NULL, NULL, NULL, CLI_COMPLETE_NONE},
};

const struct cli_spec cmd_mon_spec = {
    .synopsis = "command 'JSON'",
    .description = "Run a monitor command given as JSON.",
    .subs = mon_subs,
    .example = "cephc mon command '{\"prefix\": \"osd pool ls\", "
	       "\"format\": \"json\"}'",
};

int cmd_mon(int argc, char **argv, int cmd_index)
{
	struct tool_ctx t;
	char *out = NULL, *outs = NULL;
	size_t outlen = 0, outslen = 0;
	int r;

	if ((r = tool_init(&t, argc, argv, cmd_index)))
		return r;
	if (t.nrest != 2 || strcmp(t.rest[0], "command")) {
		fprintf(stderr,
			"usage: cephc [-c CONF] mon command '<json>'\n");
		tool_fini(&t);
		return 22;
	}
	if ((r = tool_connect(&t))) {
		tool_fini(&t);
		return r;
	}
	r = cephc_cluster_mon_command(t.cluster, t.rest[1], NULL, 0, &out,
				      &outlen, &outs, &outslen);
	if (out && outlen) {
		fwrite(out, 1, outlen, stdout);
		if (out[outlen - 1] != '\n')
			fputc('\n', stdout);
	}
	if (outs && outslen)
		fprintf(stderr, "%s\n", outs);
	if (r < 0 && !outslen)
		fprintf(stderr, "cephc: %s (%s)\n",
			cephc_cluster_last_error(t.cluster)[0]
			    ? cephc_cluster_last_error(t.cluster)
			    : cephc_strerror(r),
			cephc_errname(r));
	cephc_buffer_free(out);
	cephc_buffer_free(outs);
	tool_fini(&t);
	return tool_exit_code(r);
}
