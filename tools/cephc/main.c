/* SPDX-License-Identifier: MIT */
/*
 * cephc: command-line front end.  Each sub-command lives in its own file in
 * this folder and registers by its file name (commands.h); its table
 * (cli.h) gives help, option checking, the man page and completion.
 * Sub-commands use the public API (include/cephc/) only.
 */
#include <stdio.h>
#include <string.h>

#include "cephc/cephc.h"
#include "cli.h"
#include "commands.h"

int main(int argc, char **argv)
{
	/* Hidden entry points for the build, the tests and bash. */
	if (argc >= 2 && !strcmp(argv[1], "__man"))
		return cli_print_man();
	if (argc >= 2 && !strcmp(argv[1], "__complete"))
		return cli_complete(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "__options"))
		return cli_list_opts(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "__parse")) {
		/* parse the rest as usual, stop before any work */
		cli_parse_only = true;
		argv[1] = argv[0];
		argv++;
		argc--;
	}

	/* Global options may come before the command; the command sees all
	 * arguments after its name plus the globals, parsed by tools/common. */
	for (int i = 1; i < argc; i++) {
		for (size_t c = 0; c < cephc_ncommands; c++)
			if (strcmp(argv[i], cephc_commands[c].name) == 0) {
				if (cli_wants_help(argc, argv, i))
					return cli_main_help(argc, argv, i);
				return cephc_commands[c].fn(argc, argv, i);
			}
		if (strcmp(argv[i], "help") == 0)
			return cli_main_help(argc, argv, i);
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			cli_main_help(argc, argv, -1);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("cephc %s\n", cephc_version());
			return 0;
		}
	}
	cli_print_synopsis(stderr, NULL, NULL);
	fprintf(stderr, "(cephc help lists the commands)\n");
	return 22; /* EINVAL, as Ceph's tools exit on bad usage */
}
