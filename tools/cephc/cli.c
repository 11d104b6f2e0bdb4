/* SPDX-License-Identifier: MIT */
/*
 * Help, option checking, man page and completion, all read from the command
 * tables (cli.h).  Nothing here knows a particular command.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "cephc/cephc.h"
#include "cephc/cluster.h"
#include "cephc/rbd.h"
#include "commands.h"

const struct cephc_command cephc_commands[] = {
#define X(name) {#name, cmd_##name, cmd_##name##_help, &cmd_##name##_spec},
#include "commands_gen.h"
#undef X
};
const size_t cephc_ncommands =
    sizeof(cephc_commands) / sizeof(cephc_commands[0]);

bool cli_parse_only;

const struct cli_opt cli_global_opts[] = {
    {"-c", "--conf", "CONF", "$CEPH_CONF, else /etc/ceph/$cluster.conf",
     "configuration file to read", 0},
    {NULL, "--id", "ID", "admin", "client id (the name is client.ID)", 0},
    {"-n", "--name", "TYPE.ID", "client.admin", "full entity name", 0},
    {"-k", "--keyring", "KEYRING",
     "/etc/ceph/$cluster.$name.keyring and the other Ceph defaults",
     "keyring file(s) holding the secret key", 0},
    {"-K", "--keyfile", "FILE", NULL, "file holding the bare secret key", 0},
    {"-m", "--mon-host", "MONADDR", "from the configuration",
     "monitor address(es), comma separated", 0},
    {NULL, "--cluster", "NAME", "ceph", "cluster name (names the files)", 0},
    {"-f", "--format", "FORMAT", "plain",
     "output format: plain, json or json-pretty", 0},
    {NULL, "--timeout", "SECONDS", "30",
     "bound every cluster call (connect, monitor command, OSD op); "
     "0 = wait forever",
     0},
    {"-h", "--help", NULL, NULL, "print help and exit", 0},
    {NULL, "--version", NULL, NULL, "print the cephc version and exit", 0},
    {NULL, NULL, NULL, NULL, NULL, 0},
};

/* ---- look-ups ---------------------------------------------------------- */

static const struct cephc_command *find_cmd(const char *name)
{
	for (size_t i = 0; name && i < cephc_ncommands; i++)
		if (!strcmp(cephc_commands[i].name, name))
			return &cephc_commands[i];
	return NULL;
}

static bool is_hidden(const struct cephc_command *c)
{
	return c->spec && (c->spec->flags & CLI_HIDDEN);
}

/* Does arg spell option o?  "--opt=value" matches, *eq then points to the
 * value. */
static bool opt_matches(const struct cli_opt *o, const char *arg,
			const char **eq)
{
	size_t n;

	*eq = NULL;
	if (o->short_name && !strcmp(arg, o->short_name))
		return true;
	if (!o->long_name)
		return false;
	n = strlen(o->long_name);
	if (strncmp(arg, o->long_name, n))
		return false;
	if (arg[n] == '=' && o->arg) {
		*eq = arg + n + 1;
		return true;
	}
	return arg[n] == '\0';
}

static const struct cli_opt *find_opt(const struct cli_opt *tab,
				      const char *arg, const char **eq)
{
	for (; tab && (tab->short_name || tab->long_name); tab++)
		if (opt_matches(tab, arg, eq))
			return tab;
	return NULL;
}

/* An option of the command or a global one. */
static const struct cli_opt *lookup_opt(const struct cli_spec *s,
					const char *arg, const char **eq)
{
	const struct cli_opt *o = s ? find_opt(s->opts, arg, eq) : NULL;

	return o ? o : find_opt(cli_global_opts, arg, eq);
}

static int opt_nargs(const struct cli_opt *o)
{
	return !o->arg ? 0 : o->nargs ? o->nargs : 1;
}

/* Does a sub-command's name or alias equal the first k positional words? */
static bool sub_is(const struct cli_sub *sub, char **words, int k)
{
	char joined[256];
	size_t n = 0;

	for (int i = 0; i < k; i++) {
		int w = snprintf(joined + n, sizeof(joined) - n, "%s%s",
				 i ? " " : "", words[i]);
		if (w < 0 || (size_t)w >= sizeof(joined) - n)
			return false;
		n += (size_t)w;
	}
	if (!strcmp(sub->name, joined))
		return true;
	/* aliases are comma separated when they have several words */
	for (const char *p = sub->aliases; p && *p;) {
		size_t l = strcspn(p, ",");
		if (l == n && !strncmp(p, joined, l))
			return true;
		p += l;
		p += strspn(p, ", ");
	}
	return false;
}

/* The sub-command named by the leading positional words (2 words first). */
static const struct cli_sub *match_sub(const struct cli_spec *s, char **words,
				       int nwords, int *used)
{
	for (int k = nwords < 2 ? nwords : 2; k >= 1; k--)
		for (const struct cli_sub *sub = s ? s->subs : NULL;
		     sub && sub->name; sub++)
			if (sub_is(sub, words, k)) {
				if (used)
					*used = k;
				return sub;
			}
	return NULL;
}

/*
 * The positional words of argv[from..argc), option values skipped using the
 * tables (unknown options are taken as flags).  Returns an allocated array.
 */
static char **positionals(const struct cli_spec *s, int argc, char **argv,
			  int from, int *n)
{
	char **v = calloc((size_t)argc + 1, sizeof(char *));

	*n = 0;
	if (!v)
		return NULL;
	for (int i = from; i < argc; i++) {
		const char *eq;
		const struct cli_opt *o;

		if (argv[i][0] != '-' || !argv[i][1]) {
			v[(*n)++] = argv[i];
			continue;
		}
		o = lookup_opt(s, argv[i], &eq);
		if (o && !eq)
			i += opt_nargs(o);
	}
	return v;
}

/* ---- help -------------------------------------------------------------- */

static void print_opt_line(FILE *out, const struct cli_opt *o)
{
	char names[96];

	snprintf(names, sizeof(names), "%s%s%s%s%s",
		 o->short_name ? o->short_name : "",
		 o->short_name && o->long_name ? ", " : "",
		 o->long_name ? o->long_name : "", o->arg ? " " : "",
		 o->arg ? o->arg : "");
	fprintf(out, "  %-28s %s", names, o->help);
	if (o->def)
		fprintf(out, " (default: %s)", o->def);
	fputc('\n', out);
}

static void print_opts(FILE *out, const struct cli_spec *s, const char *names)
{
	const char *eq;

	if (!names) {
		for (const struct cli_opt *o = s->opts;
		     o && (o->short_name || o->long_name); o++)
			print_opt_line(out, o);
		return;
	}
	for (const char *p = names; *p;) {
		size_t l = strcspn(p, " ");
		char name[64];
		const struct cli_opt *o;

		snprintf(name, sizeof(name), "%.*s", (int)l, p);
		o = find_opt(s->opts, name, &eq);
		if (o)
			print_opt_line(out, o);
		p += l;
		p += strspn(p, " ");
	}
}

void cli_print_synopsis(FILE *out, const char *cmd, const char *subname)
{
	const struct cephc_command *c = find_cmd(cmd);
	const struct cli_spec *s = c ? c->spec : NULL;

	if (!c) {
		fprintf(out, "usage: cephc [GLOBAL OPTIONS] COMMAND ...\n");
		return;
	}
	if (s && subname) {
		for (const struct cli_sub *sub = s->subs; sub && sub->name;
		     sub++)
			if (!strcmp(sub->name, subname)) {
				fprintf(out, "usage: cephc %s %s %s\n", cmd,
					sub->name, sub->synopsis);
				return;
			}
	}
	fprintf(out, "usage: cephc %s %s\n", cmd,
		s && s->synopsis ? s->synopsis : "...");
}

static void help_sub(FILE *out, const char *cmd, const struct cli_spec *s,
		     const struct cli_sub *sub)
{
	fprintf(out, "usage: cephc %s %s %s\n\n%s\n", cmd, sub->name,
		sub->synopsis, sub->help);
	if (sub->aliases)
		fprintf(out, "Also spelt: %s.\n", sub->aliases);
	if (sub->opts) {
		fprintf(out, "\noptions:\n");
		print_opts(out, s, sub->opts);
	}
	fprintf(out, "\nGlobal options (-c, --id, --keyring, -m, --format, "
		     "--timeout ...): see `cephc help`.\n");
	if (sub->example)
		fprintf(out, "\nexample:\n  %s\n", sub->example);
}

static void help_cmd(FILE *out, const struct cephc_command *c,
		     const char *prefix)
{
	const struct cli_spec *s = c->spec;

	if (!s) {
		fprintf(out, "usage: cephc %s ...\n\n%s\n", c->name, c->help);
		return;
	}
	fprintf(out, "usage: cephc %s %s\n\n%s\n", c->name, s->synopsis,
		s->description ? s->description : c->help);
	if (s->subs && prefix) {
		/* "rbd trash --help": only trash's sub-commands, when the word
		 * starts some; otherwise all of them */
		size_t pl = strlen(prefix);
		bool any = false;

		for (const struct cli_sub *sub = s->subs; sub->name; sub++)
			any |= !strncmp(sub->name, prefix, pl) &&
			       sub->name[pl] == ' ';
		if (!any)
			prefix = NULL;
	}
	if (s->subs) {
		fprintf(out,
			"\nsub-commands (cephc %s help SUB for details):\n",
			c->name);
		for (const struct cli_sub *sub = s->subs; sub->name; sub++) {
			size_t pl = prefix ? strlen(prefix) : 0;
			if (prefix && (strncmp(sub->name, prefix, pl) ||
				       sub->name[pl] != ' '))
				continue;
			fprintf(out, "  %s %s\n      %s\n", sub->name,
				sub->synopsis, sub->help);
		}
	}
	if (s->opts && (s->opts->short_name || s->opts->long_name)) {
		fprintf(out, "\noptions:\n");
		print_opts(out, s, NULL);
	}
	fprintf(out, "\nGlobal options (-c, --id, --keyring, -m, --format, "
		     "--timeout ...): see `cephc help`.\n");
	if (s->example)
		fprintf(out, "\nexample:\n  %s\n", s->example);
}

static void help_all(FILE *out)
{
	fprintf(out, "usage: cephc [GLOBAL OPTIONS] COMMAND [ARGS...]\n"
		     "       cephc help [COMMAND [SUB-COMMAND]]\n"
		     "       cephc COMMAND [SUB-COMMAND] --help\n\n"
		     "A userspace Ceph client: cluster status, RADOS objects, "
		     "RBD images and\noffline OSDMap/CRUSH tools, talking to "
		     "Ceph 16 (pacific) clusters.\n\ncommands:\n");
	for (size_t i = 0; i < cephc_ncommands; i++)
		if (!is_hidden(&cephc_commands[i]))
			fprintf(out, "  %-14s %s\n", cephc_commands[i].name,
				cephc_commands[i].help);
	fprintf(out, "\nglobal options (before or after the command):\n");
	for (const struct cli_opt *o = cli_global_opts; o->help; o++)
		print_opt_line(out, o);
	fprintf(out, "\nOther Ceph configuration options are taken as "
		     "--OPTION VALUE (as by librados).\n"
		     "\nexample:\n  cephc -c /etc/ceph/ceph.conf --id admin "
		     "status\n");
}

/* Help for argv after cmd_index: "CMD [help] [SUB...] [--help|-h]". */
int cli_main_help(int argc, char **argv, int cmd_index)
{
	const struct cephc_command *c;
	const struct cli_sub *sub;
	char **pos;
	int npos, first = 0;

	if (cmd_index < 0 || cmd_index >= argc) {
		help_all(stdout);
		return 0;
	}
	c = find_cmd(argv[cmd_index]);
	if (!c) {
		/* "cephc help CMD ..." */
		if (!strcmp(argv[cmd_index], "help") && cmd_index + 1 < argc &&
		    find_cmd(argv[cmd_index + 1]))
			return cli_main_help(argc, argv, cmd_index + 1);
		if (strcmp(argv[cmd_index], "help") || cmd_index + 1 < argc) {
			fprintf(stderr, "cephc: unknown command '%s'\n",
				cmd_index + 1 < argc &&
					!strcmp(argv[cmd_index], "help")
				    ? argv[cmd_index + 1]
				    : argv[cmd_index]);
			return 22;
		}
		help_all(stdout);
		return 0;
	}
	pos = positionals(c->spec, argc, argv, cmd_index + 1, &npos);
	if (!pos)
		return 12;
	if (npos && !strcmp(pos[0], "help"))
		first = 1;
	sub = match_sub(c->spec, pos + first, npos - first, NULL);
	if (sub)
		help_sub(stdout, c->name, c->spec, sub);
	else
		help_cmd(stdout, c, npos > first ? pos[first] : NULL);
	free(pos);
	return 0;
}

bool cli_wants_help(int argc, char **argv, int cmd_index)
{
	if (cmd_index + 1 < argc && !strcmp(argv[cmd_index + 1], "help"))
		return true;
	for (int i = cmd_index + 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	}
	return false;
}

/* ---- option checking --------------------------------------------------- */

static void bad_usage(const char *cmd, const struct cli_spec *s, char **pos,
		      int npos)
{
	const struct cli_sub *sub = match_sub(s, pos, npos, NULL);

	cli_print_synopsis(stderr, cmd, sub ? sub->name : NULL);
	fprintf(stderr, "(cephc %s%s%s --help for details)\n", cmd,
		sub ? " " : "", sub ? sub->name : "");
}

int cli_check_args(const char *cmd, int argc, char **argv)
{
	const struct cephc_command *c = find_cmd(cmd);
	const struct cli_spec *s = c ? c->spec : NULL;
	char **pos;
	int npos, rc = 0;

	if (!s || (s->flags & CLI_OWN_ERRORS))
		return 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *eq;
		const struct cli_opt *o;

		if (!strcmp(a, "--"))
			break;
		if (a[0] != '-' || !a[1])
			continue;
		o = lookup_opt(s, a, &eq);
		if (!o) {
			fprintf(stderr, "cephc %s: unknown option '%s'\n", cmd,
				a);
			rc = 22;
			break;
		}
		if (eq)
			continue;
		if (i + opt_nargs(o) >= argc) {
			if (!o->arg)
				continue;
			fprintf(stderr,
				"cephc %s: option %s needs a value (%s)\n", cmd,
				a, o->arg);
			rc = 22;
			break;
		}
		i += opt_nargs(o);
	}
	if (rc) {
		pos = positionals(s, argc, argv, 0, &npos);
		bad_usage(cmd, s, pos, pos ? npos : 0);
		free(pos);
	}
	return rc;
}

int cli_check_globals(const char *cmd, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		const char *eq;
		const struct cli_opt *o =
		    find_opt(cli_global_opts, argv[i], &eq);

		if (!strcmp(argv[i], "--"))
			break;
		if (!o || eq || !o->arg)
			continue;
		if (i + opt_nargs(o) < argc) {
			i += opt_nargs(o);
			continue;
		}
		fprintf(stderr, "cephc %s: option %s needs a value (%s)\n", cmd,
			argv[i], o->arg);
		cli_print_synopsis(stderr, cmd, NULL);
		return 22;
	}
	return 0;
}

void cli_parse_done(void)
{
	if (!cli_parse_only)
		return;
	fflush(stdout);
	fprintf(stderr, "cephc: arguments parsed\n");
	exit(0);
}

/* cephc __options: "CMD|SUB|OPTION|ARG|NARGS" for every
 * option each (sub-)command lists, for the table-walking test. */
static void list_one(const char *cmd, const char *sub, const struct cli_opt *o)
{
	printf("%s|%s|%s|%s|%d\n", cmd, sub ? sub : "",
	       o->long_name ? o->long_name : o->short_name,
	       o->arg ? o->arg : "", opt_nargs(o));
	if (o->short_name && o->long_name)
		printf("%s|%s|%s|%s|%d\n", cmd, sub ? sub : "", o->short_name,
		       o->arg ? o->arg : "", opt_nargs(o));
}

int cli_list_opts(int argc, char **argv)
{
	int rc = 0;

	(void)argc;
	(void)argv;
	for (size_t i = 0; i < cephc_ncommands; i++) {
		const struct cephc_command *c = &cephc_commands[i];
		const struct cli_spec *s = c->spec;

		/* the command's own row: its flags in the last column, and
		 * CLI_NO_TABLE for a command that has none (yet) */
		printf("%s||||%u\n", c->name, s ? s->flags : CLI_NO_TABLE);
		if (!s)
			continue;
		if (!s->subs) {
			for (const struct cli_opt *o = s->opts;
			     o && (o->short_name || o->long_name); o++)
				list_one(c->name, NULL, o);
			continue;
		}
		for (const struct cli_sub *sub = s->subs; sub->name; sub++) {
			printf("%s|%s|||0\n", c->name, sub->name);
			for (const char *p = sub->opts; p && *p;) {
				size_t l = strcspn(p, " ");
				char name[64];
				const char *eq;
				const struct cli_opt *o;

				snprintf(name, sizeof(name), "%.*s", (int)l, p);
				o = find_opt(s->opts, name, &eq);
				if (!o) {
					/* a sub-command naming an option
					 * its command does not have */
					fprintf(stderr,
						"cephc %s %s: no option %s in "
						"the table\n",
						c->name, sub->name, name);
					rc = 1;
				} else {
					list_one(c->name, sub->name, o);
				}
				p += l;
				p += strspn(p, " ");
			}
		}
	}
	return rc;
}

/* ---- man page ---------------------------------------------------------- */

/* Text for roff: backslashes escaped, '-' as \-, no line starting with
 * a control character. */
static void man_text(FILE *out, const char *s)
{
	bool bol = true;

	for (; s && *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", out);
		bol = false;
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else if (*s == '\n') {
			fputc('\n', out);
			bol = true;
		} else
			fputc(*s, out);
	}
}

static void man_opt(FILE *out, const struct cli_opt *o)
{
	fputs(".TP\n", out);
	if (o->short_name) {
		fputs("\\fB", out);
		man_text(out, o->short_name);
		fputs("\\fR", out);
	}
	if (o->short_name && o->long_name)
		fputs(", ", out);
	if (o->long_name) {
		fputs("\\fB", out);
		man_text(out, o->long_name);
		fputs("\\fR", out);
	}
	if (o->arg) {
		fputs(" \\fI", out);
		man_text(out, o->arg);
		fputs("\\fR", out);
	}
	fputc('\n', out);
	man_text(out, o->help);
	fputc('.', out);
	if (o->def) {
		fputs("  Default: ", out);
		man_text(out, o->def);
		fputc('.', out);
	}
	fputc('\n', out);
}

static void man_example(FILE *out, const char *ex)
{
	if (!ex)
		return;
	fputs(".PP\nExample:\n.PP\n.RS\n.EX\n", out);
	man_text(out, ex);
	fputs("\n.EE\n.RE\n", out);
}

int cli_print_man(void)
{
	FILE *out = stdout;

	fprintf(out, ".\\\" generated by `cephc __man` from the command "
		     "tables; do not edit\n");
	fprintf(out, ".TH CEPHC 1 \"\" \"cephc %s\" \"User Commands\"\n",
		cephc_version());
	fputs(
	    ".SH NAME\ncephc \\- userspace Ceph client: cluster, RADOS "
	    "and RBD tools\n"
	    ".SH SYNOPSIS\n.B cephc\n[\\fIGLOBAL OPTIONS\\fR] "
	    "\\fICOMMAND\\fR [\\fIARGS\\fR...]\n.br\n.B cephc help\n"
	    "[\\fICOMMAND\\fR [\\fISUB\\-COMMAND\\fR]]\n.br\n.B cephc\n"
	    "\\fICOMMAND\\fR [\\fISUB\\-COMMAND\\fR] \\fB\\-\\-help\\fR\n"
	    ".SH DESCRIPTION\n"
	    ".B cephc\nspeaks Ceph's wire protocol (messenger v1, cephx) "
	    "to Ceph 16 (pacific)\nclusters without librados.  Its commands "
	    "take the syntax of Ceph's own\ntools and print the same output:\n"
	    ".BR rbd (8),\n.BR rados (8),\n.BR ceph (8)\n"
	    "(osd map, osd pool),\n.BR osdmaptool (8)\nand\n"
	    ".BR crushtool (8).\n"
	    "Every blocking cluster call is bounded by a timeout.\n"
	    ".SH GLOBAL OPTIONS\nThese may come before or after the "
	    "command.  Other Ceph configuration\noptions are accepted as "
	    "\\fB\\-\\-\\fIOPTION VALUE\\fR, as librados accepts them.\n",
	    out);
	for (const struct cli_opt *o = cli_global_opts; o->help; o++)
		man_opt(out, o);
	fputs(".SH COMMANDS\n", out);
	for (size_t i = 0; i < cephc_ncommands; i++) {
		const struct cephc_command *c = &cephc_commands[i];
		const struct cli_spec *s = c->spec;

		if (is_hidden(c))
			continue;
		fprintf(out, ".SS %s\n", c->name);
		if (!s) {
			man_text(out, c->help);
			fputc('\n', out);
			continue;
		}
		fputs(".B cephc ", out);
		man_text(out, c->name);
		fputc('\n', out);
		man_text(out, s->synopsis);
		fputs("\n.PP\n", out);
		man_text(out, s->description ? s->description : c->help);
		fputc('\n', out);
		for (const struct cli_sub *sub = s->subs; sub && sub->name;
		     sub++) {
			fputs(".TP\n.B ", out);
			man_text(out, c->name);
			fputc(' ', out);
			man_text(out, sub->name);
			fputc('\n', out);
			man_text(out, sub->synopsis);
			fputs("\n.br\n", out);
			man_text(out, sub->help);
			if (sub->aliases) {
				fputs(" Also spelt: ", out);
				man_text(out, sub->aliases);
				fputc('.', out);
			}
			if (sub->opts) {
				fputs(" Options: ", out);
				man_text(out, sub->opts);
				fputc('.', out);
			}
			fputc('\n', out);
			if (sub->example) {
				fputs(".br\nExample: \\fB", out);
				man_text(out, sub->example);
				fputs("\\fR\n", out);
			}
		}
		if (s->opts && (s->opts->short_name || s->opts->long_name)) {
			fputs(".PP\nOptions of\n.BR \"cephc ", out);
			man_text(out, c->name);
			fputs("\":\n", out);
			for (const struct cli_opt *o = s->opts;
			     o->short_name || o->long_name; o++)
				man_opt(out, o);
		}
		man_example(out, s->example);
	}
	fputs(".SH ENVIRONMENT\n.TP\n.B CEPH_CONF\nconfiguration file when "
	      "no \\fB\\-c\\fR is given.\n.TP\n.B CEPH_ARGS\nextra "
	      "arguments, read before the command line's.\n"
	      ".SH FILES\n.TP\n.I /etc/ceph/ceph.conf\nthe default "
	      "configuration file.\n.TP\n.I /etc/ceph/ceph.client.admin."
	      "keyring\nthe default keyring of client.admin.\n"
	      ".SH EXIT STATUS\n0 on success; 22 (EINVAL) for a bad "
	      "command line; otherwise the\nerrno of the failure, as Ceph's "
	      "tools exit (2 for a missing object or\nimage, 110 for a "
	      "timeout).\n"
	      ".B osdmaptool\nand\n.B crushtool\nkeep the exit codes of "
	      "Ceph's tools.\n"
	      ".SH SEE ALSO\n.BR fsx\\-cephc (1),\n.BR libcephc (3),\n"
	      ".BR rbd (8),\n.BR rados (8),\n.BR ceph (8)\n",
	      out);
	return 0;
}

/* ---- completion -------------------------------------------------------- */

/* Completions are printed one a line; the bash side filters by prefix.
 * "__FILE__" asks bash for file names. */
static void comp_opts(const struct cli_spec *s, const struct cli_sub *sub)
{
	const char *eq;

	for (const struct cli_opt *o = cli_global_opts; o->help; o++)
		printf("%s\n", o->long_name ? o->long_name : o->short_name);
	if (!s)
		return;
	if (sub) {
		for (const char *p = sub->opts; p && *p;) {
			size_t l = strcspn(p, " ");
			char name[64];
			const struct cli_opt *o;

			snprintf(name, sizeof(name), "%.*s", (int)l, p);
			o = find_opt(s->opts, name, &eq);
			if (o)
				printf("%s\n", o->long_name ? o->long_name
							    : o->short_name);
			p += l;
			p += strspn(p, " ");
		}
		return;
	}
	for (const struct cli_opt *o = s->opts;
	     o && (o->short_name || o->long_name); o++)
		printf("%s\n", o->long_name ? o->long_name : o->short_name);
}

/* Connect with short bounds and list pools, or the images of pool
 * (printed as "pool/name" when with_pool); silent on failure: completion
 * must never hang a shell for long. */
static void comp_cluster(int argc, char **argv, enum cli_complete what,
			 const char *pool, bool with_pool)
{
	cephc_cluster *c = NULL;
	char **args = calloc((size_t)argc + 1, sizeof(char *));
	int nrest = 0;

	if (!args)
		return;
	memcpy(args, argv, (size_t)argc * sizeof(char *));
	if (cephc_cluster_create(&c, NULL) ||
	    cephc_cluster_conf_parse_argv(c, argc, args, &nrest) ||
	    cephc_cluster_conf_read_file(c, NULL))
		goto out;
	cephc_cluster_set_timeout(c, 3000);
	if (cephc_cluster_connect(c))
		goto out;
	if (what == CLI_COMPLETE_POOL) {
		struct cephc_pool_info *p = NULL;
		size_t n = 0;

		if (!cephc_cluster_pool_list(c, &p, &n))
			for (size_t i = 0; i < n; i++)
				printf("%s\n", p[i].name);
		cephc_buffer_free(p);
	} else if (what == CLI_COMPLETE_IMAGE) {
		char **names = NULL;
		size_t n = 0;

		if (!cephc_rbd_list(c, pool, &names, &n))
			for (size_t i = 0; i < n; i++)
				printf("%s%s%s\n", with_pool ? pool : "",
				       with_pool ? "/" : "", names[i]);
		cephc_buffer_free(names);
	}
out:
	cephc_cluster_destroy(c);
	free(args);
}

/* cephc __complete CWORD WORDS...: WORDS as bash split them (WORDS[0] is
 * the program), CWORD the index of the word being completed. */
int cli_complete(int argc, char **argv)
{
	int cword = argc > 0 ? atoi(argv[0]) : 0;
	char **w = argv + 1;
	int nw = argc - 1;
	const struct cephc_command *c = NULL;
	const struct cli_spec *s = NULL;
	const char *cur, *prev, *pool_opt = NULL, *eq;
	int cmd_at = -1, npos = 0, used = 0;
	char **pos = NULL;
	const struct cli_sub *sub = NULL;
	bool help_word = false, has_pool;

	if (cword < 1 || cword > nw)
		return 0;
	cur = cword < nw ? w[cword] : "";
	prev = w[cword - 1];
	/* the command: the first word naming one, values of globals skipped */
	for (int i = 1; i < cword; i++) {
		const struct cli_opt *o = find_opt(cli_global_opts, w[i], &eq);
		if (o && !eq) {
			i += opt_nargs(o);
			continue;
		}
		if ((c = find_cmd(w[i])) != NULL) {
			cmd_at = i;
			break;
		}
		if (!strcmp(w[i], "help"))
			help_word = true;
	}
	s = c ? c->spec : NULL;
	/* a pool option, for the commands that have one (cephc nbd's -p is
	 * its port; its images are always named with their pool) */
	has_pool = s && find_opt(s->opts, "--pool", &eq);
	for (int i = 1; has_pool && i + 1 < cword; i++)
		if (!strcmp(w[i], "-p") || !strcmp(w[i], "--pool"))
			pool_opt = w[i + 1];
	/* the value of an option? */
	{
		const struct cli_opt *o = lookup_opt(s, prev, &eq);
		if (o && o->arg && !eq && cword - 1 > 0) {
			const char *n = o->long_name ? o->long_name : "";
			if (!strcmp(n, "--pool") || !strcmp(n, "--data-pool"))
				comp_cluster(cword, w, CLI_COMPLETE_POOL, NULL,
					     false);
			else if (!strcmp(n, "--image"))
				comp_cluster(cword, w, CLI_COMPLETE_IMAGE,
					     pool_opt ? pool_opt : "rbd",
					     false);
			else if (strstr(o->arg, "FILE") ||
				 !strcmp(o->arg, "CONF") ||
				 !strcmp(o->arg, "KEYRING") ||
				 !strcmp(o->arg, "MAP"))
				printf("__FILE__\n");
			return 0;
		}
	}
	if (!c) {
		if (cur[0] == '-') {
			comp_opts(NULL, NULL);
			return 0;
		}
		for (size_t i = 0; i < cephc_ncommands; i++)
			if (!is_hidden(&cephc_commands[i]))
				printf("%s\n", cephc_commands[i].name);
		if (!help_word)
			printf("help\n");
		return 0;
	}
	pos = positionals(s, cword, w, cmd_at + 1, &npos);
	if (!pos)
		return 0;
	{
		int first = npos && !strcmp(pos[0], "help") ? 1 : 0;
		sub = match_sub(s, pos + first, npos - first, &used);
		if (s && s->subs && !sub) {
			/* still naming the sub-command */
			if (cur[0] == '-') {
				comp_opts(s, NULL);
			} else if (npos - first == 0) {
				for (const struct cli_sub *x = s->subs; x->name;
				     x++) {
					size_t l = strcspn(x->name, " ");
					if (x == s->subs ||
					    strncmp(x[-1].name, x->name, l) ||
					    x[-1].name[l] != x->name[l])
						printf("%.*s\n", (int)l,
						       x->name);
				}
				if (!first)
					printf("help\n");
			} else if (npos - first == 1) {
				size_t l = strlen(pos[first]);
				for (const struct cli_sub *x = s->subs; x->name;
				     x++)
					if (!strncmp(x->name, pos[first], l) &&
					    x->name[l] == ' ')
						printf("%s\n", x->name + l + 1);
			}
			free(pos);
			return 0;
		}
		if (first) {
			free(pos);
			return 0;
		}
	}
	if (cur[0] == '-') {
		comp_opts(s, sub);
	} else {
		enum cli_complete what = sub ? sub->complete
					 : s ? s->complete
					     : CLI_COMPLETE_NONE;
		if (what == CLI_COMPLETE_FILE)
			printf("__FILE__\n");
		else if (what == CLI_COMPLETE_POOL)
			comp_cluster(cword, w, what, NULL, false);
		else if (what == CLI_COMPLETE_IMAGE) {
			/* "POOL/partial", -p POOL, else rbd's default pool
			 * (named, for a command without a pool option) */
			char pbuf[256];
			const char *slash = strchr(cur, '/');

			if (slash)
				snprintf(pbuf, sizeof(pbuf), "%.*s",
					 (int)(slash - cur), cur);
			else
				snprintf(pbuf, sizeof(pbuf), "%s",
					 pool_opt ? pool_opt : "rbd");
			comp_cluster(cword, w, what, pbuf,
				     slash != NULL || !has_pool);
		}
	}
	free(pos);
	return 0;
}
