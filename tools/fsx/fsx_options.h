/* SPDX-License-Identifier: MIT */
/*
 * fsx's options, one table: the getopt string, --help and the
 * fsx-cephc(1) man page (fsx --man, run at build time) all come from it.
 */
#ifndef CEPHC_TOOLS_FSX_OPTIONS_H
#define CEPHC_TOOLS_FSX_OPTIONS_H

#include <stdio.h>

struct fsx_opt {
	char letter;           /* 0: a long option only */
	const char *long_name; /* "--help", or NULL */
	const char *arg;       /* value placeholder; NULL: a flag */
	const char *def;       /* default as text, or NULL */
	const char *help;
};

extern const struct fsx_opt fsx_opts[]; /* ends with help == NULL */

/* "S:N:...": the getopt string the table spells. */
const char *fsx_optstring(void);
void fsx_print_synopsis(FILE *out);
void fsx_print_help(FILE *out);
void fsx_print_man(FILE *out);

#endif /* CEPHC_TOOLS_FSX_OPTIONS_H */
