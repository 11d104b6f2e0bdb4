/* SPDX-License-Identifier: MIT */
#include <stdio.h>

#include "cephc/cephc.h"
#include "commands.h"

const char cmd_version_help[] = "print the cephc version";

const struct cli_spec cmd_version_spec = {
    .synopsis = "",
    .description = "Print the cephc version.",
    .example = "cephc version",
};

int cmd_version(int argc, char **argv, int cmd_index)
{
	/* no options of its own: anything but globals is a usage error */
	if (cli_check_args("version", argc - cmd_index - 1,
			   argv + cmd_index + 1))
		return 22;
	cli_parse_done();
	printf("cephc %s\n", cephc_version());
	return 0;
}
