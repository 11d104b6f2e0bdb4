/* SPDX-License-Identifier: MIT */
/* Shared plumbing for CLI sub-commands: argument split, connect, JSON out. */
#ifndef CEPHC_TOOLS_TOOL_COMMON_H
#define CEPHC_TOOLS_TOOL_COMMON_H

#include <stdbool.h>
#include <stdio.h>

#include "cephc/cluster.h"

/*
 * The arguments of a sub-command: everything after the program name except
 * the command word itself, with the Ceph global options (-c, --id, -n,
 * --keyring, -m, --cluster, --OPTION VALUE for known options) consumed into
 * the cluster's configuration.  rest/nrest are what is left, in order.
 */
struct tool_ctx {
	cephc_cluster *cluster;
	int nrest;
	char **rest; /* owned array, strings borrowed from argv */
	bool json;   /* --format json (or json-pretty) was given */
};

/* Parse arguments (no connection yet).  Prints the reason and returns an
 * exit code != 0 on failure. */
int tool_init(struct tool_ctx *t, int argc, char **argv, int cmd_index);
/* Read the configuration and connect; prints Ceph-like errors. */
int tool_connect(struct tool_ctx *t);
void tool_fini(struct tool_ctx *t);

/* Exit status for a negative cephc/errno code, as Ceph's tools use it. */
int tool_exit_code(int err);

/* Write s as a JSON string literal (quoted, escaped). */
void json_str(FILE *f, const char *s);

#endif /* CEPHC_TOOLS_TOOL_COMMON_H */
