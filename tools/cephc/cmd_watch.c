/* SPDX-License-Identifier: MIT */
/*
 * cephc watch [--interval SECONDS] [--count N]: stay connected and print,
 * every interval, which monitor the session is with, the osdmap epoch we
 * hold and whether a monitor round trip (get-version) succeeds.  Shows the
 * client riding through monitor failures and ticket renewals.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "tool_common.h"

const char cmd_watch_help[] =
    "watch [--interval S] [--count N]: print session mon and map epoch "
    "periodically";

static const struct cli_opt watch_opts[] = {
    {NULL, "--interval", "SECONDS", "1", "time between lines", 0},
    {NULL, "--count", "N", "0 (forever)", "lines to print", 0},
    {NULL, NULL, NULL, NULL, NULL, 0},
};

const struct cli_spec cmd_watch_spec = {
    .synopsis = "[--interval SECONDS] [--count N]",
    .description = "Stay connected and print, every interval, the monitor "
		   "of the session, the OSDMap\nepoch held and whether a "
		   "monitor round trip succeeds.",
    .opts = watch_opts,
    .example = "cephc watch --interval 2 --count 5",
};

int cmd_watch(int argc, char **argv, int cmd_index)
{
	struct tool_ctx t;
	double interval = 1.0;
	long count = 0; /* 0: forever */
	int r;

	if ((r = tool_init(&t, argc, argv, cmd_index)))
		return r;
	for (int i = 0; i < t.nrest; i++) {
		if (!strcmp(t.rest[i], "--interval") && i + 1 < t.nrest)
			interval = atof(t.rest[++i]);
		else if (!strcmp(t.rest[i], "--count") && i + 1 < t.nrest)
			count = atol(t.rest[++i]);
		else {
			fprintf(stderr, "usage: cephc watch [--interval S] "
					"[--count N]\n");
			tool_fini(&t);
			return 22;
		}
	}
	if ((r = tool_connect(&t))) {
		tool_fini(&t);
		return r;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (long n = 0; count == 0 || n < count; n++) {
		struct cephc_mon_entry *mons = NULL;
		size_t nmons = 0;
		int cur = -1;
		time_t now = time(NULL);
		char ts[32];

		/* a monitor round trip: fails (after the timeout) only when no
		 * monitor can be reached at all */
		r = cephc_cluster_wait_for_latest_osdmap(t.cluster);
		cephc_cluster_mon_list(t.cluster, &mons, &nmons, &cur);
		strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&now));
		printf("%s mon=%s osdmap=e%u roundtrip=%s\n", ts,
		       cur >= 0 ? mons[cur].name : "-",
		       cephc_cluster_osdmap_epoch(t.cluster),
		       r == 0 ? "ok" : cephc_errname(r));
		cephc_buffer_free(mons);
		usleep((useconds_t)(interval * 1e6));
	}
	tool_fini(&t);
	return 0;
}
