/* SPDX-License-Identifier: MIT */
/*
 * The thin I/O layer over the sans-IO parsers: reading ceph.conf from
 * Ceph's search list, the environment, and finding this client's secret in
 * key / keyfile / keyring files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cephc/errors.h"
#include "conf/conf.h"
#include "conf/conf_internal.h"
#include "core/alloc.h"
#include "core/log.h"

/* Ceph 16's default search list (librados strace: /etc/ceph/ceph.conf,
 * $HOME/.ceph/ceph.conf, ./ceph.conf).  "$data_dir/config" comes first in
 * Ceph but is dropped for clients, which have no data dir. */
#define CONF_DEFAULT_SEARCH                                                    \
	"/etc/ceph/$cluster.conf,$home/.ceph/$cluster.conf,$cluster.conf"
/* Largest keyfile we read (it holds one base64 line). */
#define CONF_MAX_KEYFILE 4096

int cephc_conf_slurp(const char *path, size_t max, char **buf, size_t *len)
{
	size_t used = 0, cap;
	char *p;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	cap = 4096;
	p = cephc_malloc(cap);
	if (!p) {
		close(fd);
		return CEPHC_ENOMEM;
	}
	for (;;) {
		ssize_t n;

		if (used + 1 >= cap) {
			char *np;

			if (cap > max + 1) {
				cephc_free_secret(p, cap);
				close(fd);
				return CEPHC_ETOOBIG;
			}
			/* Not realloc: the text may be a keyring, and the
			 * old block is wiped before it is freed. */
			np = cephc_malloc(cap * 2);
			if (!np) {
				cephc_free_secret(p, cap);
				close(fd);
				return CEPHC_ENOMEM;
			}
			memcpy(np, p, used);
			cephc_free_secret(p, cap);
			p = np;
			cap *= 2;
		}
		n = read(fd, p + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = -errno;

			cephc_free_secret(p, cap);
			close(fd);
			return e;
		}
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max) {
			cephc_free_secret(p, cap);
			close(fd);
			return CEPHC_ETOOBIG;
		}
	}
	close(fd);
	p[used] = '\0';
	*buf = p;
	*len = used;
	return 0;
}

/*
 * Split a path list on ',' and ';' (Ceph 16 does not trim spaces) and
 * call fn for each non-empty, $meta-expanded entry until it returns
 * non-zero.  Entries naming $data_dir are skipped, as Ceph does for
 * clients.
 */
static int for_each_path(struct cephc_conf *c, const char *list,
			 int (*fn)(struct cephc_conf *c, const char *path,
				   void *arg),
			 void *arg)
{
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",;");
		char *raw, *path;
		int rc;

		if (n == 0) {
			p++;
			continue;
		}
		raw = cephc_strndup(p, n);
		if (!raw)
			return CEPHC_ENOMEM;
		p += n;
		if (strstr(raw, "$data_dir")) {
			cephc_free(raw);
			continue;
		}
		rc = cephc_conf_expand(c, raw, &path);
		cephc_free(raw);
		if (rc)
			return rc;
		rc = fn(c, path, arg);
		cephc_free(path);
		if (rc)
			return rc;
	}
	return 0;
}

struct read_state {
	char tried[384];
	int rc;
	char *found;
};

static void note_tried(struct read_state *st, const char *path)
{
	size_t u = strlen(st->tried);

	snprintf(st->tried + u, sizeof(st->tried) - u, "%s%s", u ? ", " : "",
		 path);
}

static int try_conf(struct cephc_conf *c, const char *path, void *arg)
{
	struct read_state *st = arg;
	struct cephc_conf_error err;
	size_t len;
	char *text;
	int rc;

	note_tried(st, path);
	rc = cephc_conf_slurp(path, CEPHC_CONF_MAX_FILE_SIZE, &text, &len);
	if (rc == CEPHC_ENOENT)
		return 0; /* next one */
	if (rc) {
		conf_set_error(c, "cannot read %s: %s", path,
			       cephc_strerror(rc));
		st->rc = rc;
		return 1;
	}
	rc = cephc_conf_parse_text(c, text, len, &err);
	/* A configuration file may carry `key = ...`. */
	cephc_free_secret(text, len);
	if (rc) {
		conf_set_error(c, "parse error in %s: %s", path, err.msg);
		st->rc = rc;
		return 1;
	}
	st->found = cephc_strdup(path);
	st->rc = st->found ? 0 : CEPHC_ENOMEM;
	return 1;
}

int cephc_conf_read_file(struct cephc_conf *c, const char *paths)
{
	struct read_state st = {.rc = CEPHC_ENOENT};
	int rc;

	if (!paths)
		paths = c->conf_arg;
	if (!paths)
		paths = getenv("CEPH_CONF");
	if (!paths) {
		paths = CONF_DEFAULT_SEARCH;
		if (!c->cluster && cephc_conf_set_cluster(c, "ceph"))
			return CEPHC_ENOMEM;
	}
	rc = for_each_path(c, paths, try_conf, &st);
	if (rc < 0)
		return rc;
	if (st.rc == CEPHC_ENOENT) {
		conf_set_error(c, "no configuration file found; searched: %s",
			       st.tried[0] ? st.tried : paths);
		return CEPHC_ENOENT;
	}
	if (st.rc)
		return st.rc;
	rc = 0;
	log_debug("conf", "read %s", st.found);
	if (!c->cluster) {
		/* Cluster name from the file name: "/x/NAME.conf" -> NAME. */
		const char *base = strrchr(st.found, '/');
		const char *dot;

		base = base ? base + 1 : st.found;
		dot = strstr(base, ".conf");
		if (dot) {
			char *cl = cephc_strndup(base, (size_t)(dot - base));

			rc = cl ? 0 : CEPHC_ENOMEM;
			if (cl) {
				cephc_free(c->cluster);
				c->cluster = cl;
			}
		} else {
			rc = cephc_conf_set_cluster(c, "ceph");
		}
	}
	cephc_free(st.found);
	return rc;
}

/* --- secrets ------------------------------------------------------------ */

/*
 * A file that holds a key and that group or others may read is worth a
 * warning (Ceph 16 itself says nothing: its keyring search only tries
 * open()).  Called once for each keyring or keyfile a load actually
 * reads, so one load warns at most once per file.  The path is named;
 * nothing of the contents is.
 */
static void warn_if_exposed(const char *what, const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return;
	if (st.st_mode & (S_IRGRP | S_IROTH))
		log_warn("conf",
			 "%s %s is readable by group or others (mode %04o); "
			 "it holds a secret key: chmod 600 it",
			 what, path, (unsigned)(st.st_mode & 07777));
}

struct secret_state {
	char tried[384];
	uint8_t *out;
	size_t cap;
	int rc; /* 1 + length when found */
	bool opened;
	/* the first keyring that exists but could not be read */
	int read_err;
	char read_err_path[256];
};

static int try_keyring(struct cephc_conf *c, const char *path, void *arg)
{
	struct secret_state *st = arg;
	const struct cephc_keyring_entity *e;
	struct cephc_conf_error err;
	struct cephc_keyring kr;
	size_t len, u = strlen(st->tried);
	char *text;
	int rc;

	snprintf(st->tried + u, sizeof(st->tried) - u, "%s%s", u ? ", " : "",
		 path);
	/* Like ceph_resolve_file_search: the first file that opens.  One
	 * that is there but unreadable (EACCES) is remembered, so that the
	 * user hears why rather than "no keyring found". */
	rc = cephc_conf_slurp(path, CEPHC_CONF_MAX_FILE_SIZE, &text, &len);
	if (rc) {
		if (rc != CEPHC_ENOENT && rc != CEPHC_ENOTDIR &&
		    !st->read_err) {
			st->read_err = rc;
			snprintf(st->read_err_path, sizeof(st->read_err_path),
				 "%s", path);
		}
		return 0;
	}
	st->opened = true;
	warn_if_exposed("keyring", path);
	rc = cephc_keyring_parse(text, len, &kr, &err);
	cephc_free_secret(text, len);
	if (rc) {
		conf_set_error(c, "cannot parse keyring %s: %s", path,
			       err.msg[0] ? err.msg : cephc_strerror(rc));
		st->rc = rc;
		return 1;
	}
	e = cephc_keyring_find(&kr, c->name);
	if (!e || e->key_len == 0) {
		conf_set_error(c, "keyring %s has no key for %s", path,
			       c->name);
		st->rc = CEPHC_ENOENT;
	} else if (e->key_len > st->cap) {
		st->rc = CEPHC_ERANGE;
	} else {
		memcpy(st->out, e->key, e->key_len);
		st->rc = (int)e->key_len;
	}
	cephc_keyring_free(&kr);
	return 1;
}

static int decode_key(struct cephc_conf *c, const char *what, const char *text,
		      size_t len, uint8_t *out, size_t cap)
{
	int n = cephc_base64_decode(text, len, out, cap);

	if (n <= 0) {
		/* A failed decode may have written part of the key. */
		cephc_secure_zero(out, cap);
		conf_set_error(c, "cannot decode the %s: not base64", what);
		return n == CEPHC_ERANGE ? n : CEPHC_EINVAL;
	}
	return n;
}

int cephc_conf_load_secret(struct cephc_conf *c, uint8_t *out, size_t cap)
{
	struct secret_state st = {.out = out, .cap = cap};
	char *v = NULL;
	int rc;

	/* 1. key = BASE64 wins (KeyRing::from_ceph_context), unless a
	 * keyfile came from a higher level (Ceph turns -K into "key"). */
	bool keyfile_first =
	    cephc_conf_level_of(c, "keyfile") > cephc_conf_level_of(c, "key");
	rc = keyfile_first ? CEPHC_ENOENT : cephc_conf_get_str(c, "key", &v);
	if (rc && rc != CEPHC_ENOENT)
		return rc;
	if (rc == 0 && v[0]) {
		rc = decode_key(c, "key option", v, strlen(v), out, cap);
		cephc_free_secret_str(v);
		return rc;
	}
	cephc_free(v);
	v = NULL;

	/* 2. keyfile = PATH: the file holds the base64 text. */
	rc = cephc_conf_get_str(c, "keyfile", &v);
	if (rc && rc != CEPHC_ENOENT)
		return rc;
	if (rc == 0 && v[0]) {
		char *text;
		size_t len;

		rc = cephc_conf_slurp(v, CONF_MAX_KEYFILE, &text, &len);
		if (rc) {
			conf_set_error(c, "cannot read keyfile %s: %s", v,
				       cephc_strerror(rc));
			cephc_free(v);
			return rc;
		}
		warn_if_exposed("keyfile", v);
		cephc_free(v);
		rc = decode_key(c, "keyfile", text, len, out, cap);
		cephc_free_secret(text, len);
		return rc;
	}
	cephc_free(v);
	v = NULL;
	if (keyfile_first) {
		rc = cephc_conf_get_str(c, "key", &v);
		if (rc && rc != CEPHC_ENOENT)
			return rc;
		if (rc == 0 && v[0]) {
			rc =
			    decode_key(c, "key option", v, strlen(v), out, cap);
			cephc_free_secret_str(v);
			return rc;
		}
		cephc_free(v);
		v = NULL;
	}

	/* 3. The keyring search list. */
	rc = cephc_conf_get_str(c, "keyring", &v);
	if (rc)
		return rc;
	st.rc = CEPHC_ENOENT;
	rc = for_each_path(c, v, try_keyring, &st);
	if (rc < 0) {
		cephc_free(v);
		return rc;
	}
	if (!st.opened && st.read_err) {
		/* as Ceph prints it: "(13) Permission denied" */
		conf_set_error(c, "cannot read keyring %s: (%d) %s",
			       st.read_err_path, -st.read_err,
			       strerror(-st.read_err));
		st.rc = st.read_err;
	} else if (!st.opened) {
		conf_set_error(c, "no keyring found for %s; searched: %s",
			       c->name, st.tried[0] ? st.tried : v);
	}
	cephc_free(v);
	return st.rc;
}

int cephc_conf_apply_environment(struct cephc_conf *c)
{
	const char *kr = getenv("CEPH_KEYRING");
	int rc;

	if (kr) {
		rc = cephc_conf_set_level(c, CEPHC_CONF_ENV, "keyring", kr);
		if (rc)
			return rc;
	}
	return cephc_conf_parse_env(c, getenv("CEPH_ARGS"));
}

int cephc_conf_init_tool(int argc, char **argv, int *nrest,
			 struct cephc_conf **out, char *errbuf, size_t errlen)
{
	struct cephc_conf *c;
	int rc;

	*out = NULL;
	rc = cephc_conf_create(&c);
	if (rc)
		return rc;
	rc = cephc_conf_apply_environment(c);
	if (!rc)
		rc = cephc_conf_parse_argv(c, argc, argv, nrest);
	if (!rc) {
		rc = cephc_conf_read_file(c, NULL);
		/* Only an explicit -c must exist (global_pre_init). */
		if (rc == CEPHC_ENOENT && !c->conf_arg) {
			log_warn("conf", "%s; using default settings",
				 c->errmsg);
			rc = 0;
		}
	}
	if (rc) {
		if (errbuf && errlen)
			snprintf(errbuf, errlen, "%s",
				 c->errmsg[0] ? c->errmsg : cephc_strerror(rc));
		cephc_conf_destroy(c);
		return rc;
	}
	*out = c;
	return 0;
}
