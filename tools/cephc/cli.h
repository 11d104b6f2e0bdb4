/* SPDX-License-Identifier: MIT */
/*
 * The CLI's self-description: one table per command naming its sub-commands
 * and options.  The same tables drive
 *   - option checking (tool_init rejects options a command does not list,
 *     and options listed with a value that have none, exit 22),
 *   - help (cephc help, cephc CMD --help, cephc CMD help SUB, -h),
 *   - the cephc(1) man page (cephc __man, run at build time),
 *   - bash completion (cephc __complete).
 * so the four cannot drift apart.  A command's parser still converts the
 * values; test_cli_help walks every table entry through it.
 *
 * A command file cmd_NAME.c may define `const struct cli_spec
 * cmd_NAME_spec`; without one (the symbol is weak) the command is listed
 * with its one-line cmd_NAME_help[] and its options are not checked.
 */
#ifndef CEPHC_TOOLS_CLI_H
#define CEPHC_TOOLS_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* One option.  short_name or long_name may be NULL (not both). */
struct cli_opt {
	const char *short_name; /* "-p" */
	const char *long_name;  /* "--pool" */
	const char *arg;        /* value placeholder ("POOL"); NULL: a flag */
	const char *def;        /* default, as text; NULL: none / off */
	const char *help;       /* one sentence */
	int nargs;              /* values after the option when arg is set;
				   0 means 1 */
};

/* Completion hints for positional words and option values. */
enum cli_complete {
	CLI_COMPLETE_NONE = 0,
	CLI_COMPLETE_FILE,  /* let bash complete file names */
	CLI_COMPLETE_POOL,  /* pool names from the cluster */
	CLI_COMPLETE_IMAGE, /* RBD image names (pool from -p or POOL/) */
};

/* A sub-command: name may be two words ("snap ls"). */
struct cli_sub {
	const char *name;
	const char *aliases;  /* comma separated other spellings, or NULL */
	const char *synopsis; /* arguments after the name */
	const char *help;
	/* long (or short) names of the command's options that apply here,
	 * space separated; NULL: none */
	const char *opts;
	const char *example; /* full command line, or NULL */
	enum cli_complete complete;
};

enum {
	/* The command mirrors a Ceph tool whose errors for bad options
	 * (messages, exit codes) it keeps; its own parser reports them. */
	CLI_OWN_ERRORS = 1,
	/* Not shown in help, man page or completion. */
	CLI_HIDDEN = 2,
	/* Reported by cephc __options for a command without a cli_spec. */
	CLI_NO_TABLE = 4,
};

struct cli_spec {
	const char *synopsis;       /* arguments after the command name */
	const char *description;    /* a paragraph; may hold newlines */
	const struct cli_opt *opts; /* terminated by an all-NULL entry */
	const struct cli_sub *subs; /* terminated by name == NULL; or NULL */
	const char *example;
	enum cli_complete complete; /* positional words without subs */
	unsigned flags;
};

/* The options every command takes (consumed by tool_init and the
 * configuration parser). */
extern const struct cli_opt cli_global_opts[];

/* The hidden entry points and helpers main.c dispatches to. */
int cli_main_help(int argc, char **argv, int cmd_index);
bool cli_wants_help(int argc, char **argv, int cmd_index);
int cli_print_man(void);
int cli_complete(int argc, char **argv);
int cli_list_opts(int argc, char **argv);

/*
 * Check a command's arguments (globals already removed) against its table:
 * an option it does not list, or one missing its value, prints one line
 * naming it and the synopsis, and returns 22.  0 when all is well.
 */
int cli_check_args(const char *cmd, int argc, char **argv);

/* The same for the global options alone (before the configuration parser
 * takes them): one missing its value is named, 22.  0 otherwise. */
int cli_check_globals(const char *cmd, int argc, char **argv);

/* cephc __parse CMD ...: parse only.  Commands call cli_parse_done()
 * where parsing ends and work begins; in parse-only mode it exits 0. */
extern bool cli_parse_only;
void cli_parse_done(void);

/* The one-line synopsis of a command (or sub-command when sub != NULL). */
void cli_print_synopsis(FILE *out, const char *cmd, const char *sub);

#endif /* CEPHC_TOOLS_CLI_H */
