/* SPDX-License-Identifier: MIT */
/*
 * The CLI's sub-commands.  A file cmd_NAME.c in this folder defines
 *     int cmd_NAME(int argc, char **argv, int cmd_index);
 *     const char cmd_NAME_help[];
 * and the build lists it in commands_gen.h; nothing else needs editing.
 * The function gets the whole argv and the index of its own name, so it can
 * read global options placed before it (-c, --id, --keyring), and returns
 * the process exit code.
 */
#ifndef CEPHC_TOOLS_COMMANDS_H
#define CEPHC_TOOLS_COMMANDS_H

typedef int (*cephc_command_fn)(int argc, char **argv, int cmd_index);

struct cephc_command {
	const char *name;
	cephc_command_fn fn;
	const char *help;
};

#define X(name)                                                                \
	int cmd_##name(int argc, char **argv, int cmd_index);                  \
	extern const char cmd_##name##_help[];
#include "commands_gen.h"
#undef X

#endif /* CEPHC_TOOLS_COMMANDS_H */
