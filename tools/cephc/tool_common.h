/* SPDX-License-Identifier: MIT */
/* Shared plumbing for CLI sub-commands: argument split, connect, JSON out. */
#ifndef CEPHC_TOOLS_TOOL_COMMON_H
#define CEPHC_TOOLS_TOOL_COMMON_H

#include <stdbool.h>
#include <stdint.h>
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
	char **rest;        /* owned array, strings borrowed from argv */
	bool json;          /* --format json (or json-pretty) was given */
	const char *format; /* --format's value as given; NULL: none */
};

/* Parse arguments (no connection yet).  Prints the reason and returns an
 * exit code != 0 on failure. */
int tool_init(struct tool_ctx *t, int argc, char **argv, int cmd_index);
/* Read the configuration and connect; prints Ceph-like errors. */
int tool_connect(struct tool_ctx *t);
void tool_fini(struct tool_ctx *t);

/*
 * --timeout SECONDS (or --timeout=SECONDS): every timeout of the handle
 * (connect, monitor commands, OSD ops) through cephc_cluster_set_timeout();
 * 0 waits forever.  Takes it out of argv (*argc updated).  Returns 0, or
 * 22 after printing why.
 */
int tool_take_timeout(cephc_cluster *c, int *argc, char **argv);
/* "1.5" -> 1500; -1 when s is not a number of seconds >= 0. */
int tool_parse_seconds_ms(const char *s, uint32_t *ms);

/* Exit status for a negative cephc/errno code, as Ceph's tools use it. */
int tool_exit_code(int err);

/* Write s as a JSON string literal (quoted, escaped). */
void json_str(FILE *f, const char *s);

#endif /* CEPHC_TOOLS_TOOL_COMMON_H */
