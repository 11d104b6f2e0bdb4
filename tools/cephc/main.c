/* SPDX-License-Identifier: MIT */
/*
 * cephc: command-line front end.  Each sub-command lives in its own file in
 * this folder and registers in the table below.  Sub-commands use the public
 * API (include/cephc/) only.
 */
#include <stdio.h>
#include <string.h>

#include "cephc/cephc.h"
#include "commands.h"

static const struct cephc_command commands[] = {
#define X(name) {#name, cmd_##name, cmd_##name##_help},
#include "commands_gen.h"
#undef X
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cephc [-c CONF] [--id ID] [--keyring K] COMMAND ...\n"
		"commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-14s %s\n", commands[i].name,
			commands[i].help);
}

int main(int argc, char **argv)
{
	/* Global options may come before the command; the command sees all
	 * arguments after its name plus the globals, parsed by tools/common. */
	for (int i = 1; i < argc; i++) {
		for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]);
		     c++)
			if (strcmp(argv[i], commands[c].name) == 0)
				return commands[c].fn(argc, argv, i);
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return 0;
		}
		if (strcmp(argv[i], "--version") == 0) {
			printf("cephc %s\n", cephc_version());
			return 0;
		}
	}
	usage(stderr);
	return 22; /* EINVAL, as Ceph's tools exit on bad usage */
}
