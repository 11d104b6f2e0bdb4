/* SPDX-License-Identifier: MIT */
/* The CLI's sub-command table.  Add one line per sub-command. */
#ifndef CEPHC_TOOLS_COMMANDS_H
#define CEPHC_TOOLS_COMMANDS_H

/*
 * A sub-command gets the whole argv and the index of its own name, so it can
 * read global options placed before it (-c, --id, --keyring).  Returns the
 * process exit code.
 */
typedef int (*cephc_command_fn)(int argc, char **argv, int cmd_index);

struct cephc_command {
	const char *name;
	cephc_command_fn fn;
	const char *help;
};

int cmd_version(int argc, char **argv, int cmd_index);

/* X(name, function, help) */
#define CEPHC_COMMANDS(X)                                                     \
	X("version", cmd_version, "print the cephc version")

#endif /* CEPHC_TOOLS_COMMANDS_H */
