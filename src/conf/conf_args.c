/* SPDX-License-Identifier: MIT */
/*
 * The command-line options every Ceph tool shares (ceph_argparse.cc and
 * md_config_t::parse_argv), and CEPH_ARGS.  Sans-IO: argv and the
 * CEPH_ARGS text come in, values land in the configuration.
 *
 * Matching follows Ceph's dashes_to_underscores: the first two characters
 * are compared as they are, later dashes equal underscores up to an '=';
 * "--opt=value" and "--opt value" both work; "-m value" and "-m=value"
 * for short forms.
 */
#include <stdarg.h>
#include <string.h>

#include "cephc/errors.h"
#include "conf/conf.h"
#include "conf/conf_internal.h"
#include "core/alloc.h"

/* Most arguments CEPH_ARGS may hold. */
#define CONF_MAX_ENV_ARGS 1024
/* Longest option name on a command line. */
#define CONF_MAX_ARG_NAME 128

/* Compare an argument's name part with an option spelling, Ceph-style. */
static bool arg_name_eq(const char *arg, size_t alen, const char *opt)
{
	size_t olen = strlen(opt);

	if (alen != olen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		char a = arg[i], o = opt[i];

		if (i >= 2) {
			a = a == '-' ? '_' : a;
			o = o == '-' ? '_' : o;
		}
		if (a != o)
			return false;
	}
	return true;
}

/*
 * If argv[*i] is one of the spellings (NULL-terminated), take its value
 * from "=value" or the next argument.  Returns 1 on match, 0 on none,
 * CEPHC_EINVAL when the value is missing.
 */
static int take_arg(int argc, char **argv, int *i, const char **val, ...)
{
	const char *a = argv[*i];
	size_t nl = strcspn(a, "=");
	va_list ap;
	const char *opt;
	int found = 0;

	va_start(ap, val);
	while ((opt = va_arg(ap, const char *)) != NULL) {
		if (arg_name_eq(a, nl, opt)) {
			found = 1;
			break;
		}
	}
	va_end(ap);
	if (!found)
		return 0;
	if (a[nl] == '=') {
		*val = a + nl + 1;
		return 1;
	}
	if (*i + 1 >= argc)
		return CEPHC_EINVAL;
	*val = argv[++*i];
	return 1;
}

static int parse_args(struct cephc_conf *c, enum cephc_conf_level level,
		      int argc, char **argv, int *nrest)
{
	int out = 0, rc = 0;

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *val = NULL;
		int m;

		if (strcmp(a, "--") == 0) {
			/* Everything after "--" belongs to the tool. */
			while (i < argc)
				argv[out++] = argv[i++];
			break;
		}
#define TAKE(...) (m = take_arg(argc, argv, &i, &val, __VA_ARGS__, NULL))
		if (TAKE("--conf", "-c") != 0) {
			if (m > 0) {
				char *s = cephc_strdup(val);

				if (!s)
					return CEPHC_ENOMEM;
				cephc_free(c->conf_arg);
				c->conf_arg = s;
			}
		} else if (TAKE("--cluster") != 0) {
			if (m > 0)
				rc = cephc_conf_set_cluster(c, val);
		} else if (TAKE("--id", "--user") != 0) {
			if (m > 0)
				rc = cephc_conf_set_id(c, val);
		} else if (TAKE("--name", "-n") != 0) {
			if (m > 0)
				rc = cephc_conf_set_name(c, val);
		} else if (TAKE("--mon_host", "-m") != 0) {
			if (m > 0)
				rc = cephc_conf_set_level(c, level, "mon_host",
							  val);
		} else if (TAKE("--keyring", "-k") != 0) {
			if (m > 0)
				rc = cephc_conf_set_level(c, level, "keyring",
							  val);
		} else if (TAKE("--keyfile", "-K") != 0) {
			if (m > 0)
				rc = cephc_conf_set_level(c, level, "keyfile",
							  val);
		} else if (strncmp(a, "--", 2) == 0 && a[2]) {
			/* --OPTION VALUE for options we know. */
			char name[CONF_MAX_ARG_NAME];
			size_t nl = strcspn(a + 2, "=");
			const struct cephc_conf_option *o;
			bool neg = false;

			if (nl >= sizeof(name)) {
				argv[out++] = argv[i];
				continue;
			}
			for (size_t j = 0; j < nl; j++)
				name[j] = a[2 + j] == '-' ? '_' : a[2 + j];
			name[nl] = '\0';
			o = cephc_conf_find_option(name);
			if (!o && strncmp(name, "no_", 3) == 0) {
				o = cephc_conf_find_option(name + 3);
				if (o && o->type == CEPHC_OPT_BOOL &&
				    !a[2 + nl]) {
					neg = true;
					memmove(name, name + 3, nl - 2);
				} else {
					o = NULL;
				}
			}
			if (!o) {
				argv[out++] = argv[i];
				continue;
			}
			if (o->type == CEPHC_OPT_BOOL) {
				/* Flags: --opt, --no-opt, --opt=true. */
				bool b = !neg;

				if (a[2 + nl] == '=' &&
				    cephc_conf_parse_bool(a + 3 + nl, &b)) {
					conf_set_error(c, "bad value in '%s'",
						       a);
					return CEPHC_EINVAL;
				}
				rc = cephc_conf_set_level(c, level, name,
							  b ? "true" : "false");
			} else if (a[2 + nl] == '=') {
				rc = cephc_conf_set_level(c, level, name,
							  a + 3 + nl);
			} else if (i + 1 < argc) {
				rc = cephc_conf_set_level(c, level, name,
							  argv[++i]);
			} else {
				m = CEPHC_EINVAL;
			}
		} else {
			argv[out++] = argv[i];
		}
#undef TAKE
		if (m < 0) {
			conf_set_error(c, "option %s requires an argument", a);
			return CEPHC_EINVAL;
		}
		m = 0;
		if (rc)
			return rc;
	}
	if (nrest)
		*nrest = out;
	return 0;
}

int cephc_conf_parse_argv(struct cephc_conf *c, int argc, char **argv,
			  int *nrest)
{
	return parse_args(c, CEPHC_CONF_CMDLINE, argc, argv, nrest);
}

int cephc_conf_parse_env(struct cephc_conf *c, const char *ceph_args)
{
	char *copy, *p, *args[CONF_MAX_ENV_ARGS];
	size_t clen;
	int n = 0, rest, rc;

	if (!ceph_args || !*ceph_args)
		return 0;
	clen = strlen(ceph_args) + 1;
	copy = cephc_strdup(ceph_args);
	if (!copy)
		return CEPHC_ENOMEM;
	/* Ceph splits CEPH_ARGS on single spaces, with no quoting. */
	p = copy;
	while (*p) {
		char *e = strchr(p, ' ');

		if (n == CONF_MAX_ENV_ARGS) {
			cephc_free_secret(copy, clen);
			return CEPHC_ETOOBIG;
		}
		if (e)
			*e = '\0';
		if (*p)
			args[n++] = p;
		if (!e)
			break;
		p = e + 1;
	}
	rc = parse_args(c, CEPHC_CONF_ENV, n, args, &rest);
	/* CEPH_ARGS may carry --key; the copy is split by NULs, so wipe
	 * its whole length. */
	cephc_free_secret(copy, clen);
	return rc;
}
