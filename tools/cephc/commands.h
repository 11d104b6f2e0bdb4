/* SPDX-License-Identifier: MIT */
/*
 * The CLI's sub-commands.  A file cmd_NAME.c in this folder defines
 *     int cmd_NAME(int argc, char **argv, int cmd_index);
 *     const char cmd_NAME_help[];          (one line for `cephc help`)
 *     const struct cli_spec cmd_NAME_spec; (optional: synopsis, options,
 *                                           sub-commands; see cli.h)
 * and the build lists it in commands_gen.h; nothing else needs editing.
 * The function gets the whole argv and the index of its own name, so it can
 * read global options placed before it (-c, --id, --keyring), and returns
 * the process exit code.
 */
#ifndef CEPHC_TOOLS_COMMANDS_H
#define CEPHC_TOOLS_COMMANDS_H

#include <stddef.h>

#include "cli.h"

typedef int (*cephc_command_fn)(int argc, char **argv, int cmd_index);

struct cephc_command {
	const char *name;
	cephc_command_fn fn;
	const char *help;
	const struct cli_spec *spec; /* NULL: the command has no table */
};

/* The table is weak so that a new command builds before it has one. */
#define X(name)                                                                \
	int cmd_##name(int argc, char **argv, int cmd_index);                  \
	extern const char cmd_##name##_help[];                                 \
	extern const struct cli_spec cmd_##name##_spec __attribute__((weak));
#include "commands_gen.h"
#undef X

/* Every command, in file-name order (cli.c). */
extern const struct cephc_command cephc_commands[];
extern const size_t cephc_ncommands;

#endif /* CEPHC_TOOLS_COMMANDS_H */
