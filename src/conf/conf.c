/* SPDX-License-Identifier: MIT */
/*
 * One client's configuration: levels, identity, $meta expansion, typed
 * getters and the table of options cephc understands.  Sans-IO except for
 * gethostname/getpid/HOME used by $host, $pid and $home.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cephc/errors.h"
#include "conf/conf.h"
#include "conf/conf_internal.h"
#include "core/alloc.h"

/*
 * Client defaults of Ceph 16.2.15 (read back through librados'
 * rados_conf_get on a fresh handle).  Unknown options are kept but unused.
 */
const struct cephc_conf_option cephc_conf_options[] = {
    {"mon_host", CEPHC_OPT_STR, ""},
    {"mon_host_override", CEPHC_OPT_STR, ""},
    {"mon_dns_srv_name", CEPHC_OPT_STR, "ceph-mon"},
    {"fsid", CEPHC_OPT_STR, "00000000-0000-0000-0000-000000000000"},
    {"keyring", CEPHC_OPT_STR,
     "/etc/ceph/$cluster.$name.keyring,/etc/ceph/$cluster.keyring,"
     "/etc/ceph/keyring,/etc/ceph/keyring.bin,"},
    {"key", CEPHC_OPT_STR, ""},
    {"keyfile", CEPHC_OPT_STR, ""},
    {"auth_client_required", CEPHC_OPT_STR, "cephx, none"},
    {"auth_cluster_required", CEPHC_OPT_STR, "cephx"},
    {"auth_service_required", CEPHC_OPT_STR, "cephx"},
    {"auth_supported", CEPHC_OPT_STR, ""},
    {"auth_mon_ticket_ttl", CEPHC_OPT_FLOAT, "259200.000000"},
    {"cephx_require_signatures", CEPHC_OPT_BOOL, "false"},
    {"cephx_cluster_require_signatures", CEPHC_OPT_BOOL, "false"},
    {"cephx_service_require_signatures", CEPHC_OPT_BOOL, "false"},
    {"cephx_sign_messages", CEPHC_OPT_BOOL, "true"},
    {"client_mount_timeout", CEPHC_OPT_SECS, "300"},
    {"rados_mon_op_timeout", CEPHC_OPT_SECS, "0"},
    {"rados_osd_op_timeout", CEPHC_OPT_SECS, "0"},
    {"mon_client_hunt_interval", CEPHC_OPT_FLOAT, "3.000000"},
    {"mon_client_hunt_interval_max_multiple", CEPHC_OPT_FLOAT, "10.000000"},
    {"mon_client_hunt_parallel", CEPHC_OPT_INT, "3"},
    {"mon_client_ping_interval", CEPHC_OPT_FLOAT, "10.000000"},
    {"mon_client_ping_timeout", CEPHC_OPT_FLOAT, "30.000000"},
    {"mon_client_log_interval", CEPHC_OPT_FLOAT, "1.000000"},
    {"mon_client_directed_command_retry", CEPHC_OPT_INT, "2"},
    {"ms_bind_ipv4", CEPHC_OPT_BOOL, "true"},
    {"ms_bind_ipv6", CEPHC_OPT_BOOL, "false"},
    {"ms_bind_msgr1", CEPHC_OPT_BOOL, "true"},
    {"ms_bind_msgr2", CEPHC_OPT_BOOL, "true"},
    {"ms_mon_client_mode", CEPHC_OPT_STR, "secure crc"},
    {"ms_client_mode", CEPHC_OPT_STR, "crc secure"},
    {"ms_crc_data", CEPHC_OPT_BOOL, "true"},
    {"ms_crc_header", CEPHC_OPT_BOOL, "true"},
    {"ms_connection_ready_timeout", CEPHC_OPT_INT, "10"},
    {"ms_tcp_nodelay", CEPHC_OPT_BOOL, "true"},
    {"ms_tcp_rcvbuf", CEPHC_OPT_SIZE, "0"},
    {"ms_dispatch_throttle_bytes", CEPHC_OPT_SIZE, "104857600"},
    {"ms_inject_socket_failures", CEPHC_OPT_INT, "0"},
    {"objecter_inflight_ops", CEPHC_OPT_INT, "1024"},
    {"objecter_inflight_op_bytes", CEPHC_OPT_SIZE, "104857600"},
    {"public_addr", CEPHC_OPT_STR, "-"},
    {"log_file", CEPHC_OPT_STR, ""},
    {"log_to_stderr", CEPHC_OPT_BOOL, "false"},
    {"err_to_stderr", CEPHC_OPT_BOOL, "false"},
    {"run_dir", CEPHC_OPT_STR, "/var/run/ceph"},
    {"admin_socket", CEPHC_OPT_STR, ""},
    {"rbd_default_features", CEPHC_OPT_STR, "61"},
    /* clones: "1", "2" or "auto"; flatten's copy-ups in flight */
    {"rbd_default_clone_format", CEPHC_OPT_STR, "auto"},
    {"rbd_concurrent_management_ops", CEPHC_OPT_INT, "10"},
    {"rbd_cache", CEPHC_OPT_BOOL, "true"},
    /* librbd's break_lock: blocklist the holder first, for how long
     * (0: the monitors' default) */
    {"rbd_blocklist_on_break_lock", CEPHC_OPT_BOOL, "true"},
    {"rbd_blocklist_expire_seconds", CEPHC_OPT_INT, "0"},
    {"osd_pool_default_size", CEPHC_OPT_INT, "3"},
    {NULL, CEPHC_OPT_STR, NULL},
};

/* debug_<subsys>: always known, value "N" or "N/M", no default here. */
static const struct cephc_conf_option debug_option = {"debug_*", CEPHC_OPT_STR,
						      NULL};

const struct cephc_conf_option *cephc_conf_find_option(const char *name)
{
	for (const struct cephc_conf_option *o = cephc_conf_options; o->name;
	     o++)
		if (strcmp(o->name, name) == 0)
			return o;
	if (strncmp(name, "debug_", 6) == 0 && name[6])
		return &debug_option;
	return NULL;
}

/* Through a scratch buffer: callers may pass the current message
 * (cephc_conf_last_error()) as an argument. */
void conf_set_error(struct cephc_conf *c, const char *fmt, ...)
{
	char tmp[sizeof(c->errmsg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	memcpy(c->errmsg, tmp, sizeof(tmp));
}

const char *cephc_conf_last_error(const struct cephc_conf *c)
{
	return c->errmsg;
}

/* Entity types Ceph's EntityName accepts, as strings. */
static const char *const entity_types[] = {"auth", "mon", "osd",
					   "mds",  "mgr", "client"};

static int rebuild_name(struct cephc_conf *c)
{
	size_t n = strlen(c->type) + 1 + strlen(c->id) + 1;
	char *s = cephc_malloc(n);

	if (!s)
		return CEPHC_ENOMEM;
	snprintf(s, n, "%s.%s", c->type, c->id);
	cephc_free(c->name);
	c->name = s;
	return 0;
}

int cephc_conf_create(struct cephc_conf **out)
{
	struct cephc_conf *c = cephc_calloc(1, sizeof(*c));

	if (!c)
		return CEPHC_ENOMEM;
	snprintf(c->type, sizeof(c->type), "client");
	c->id = cephc_strdup("admin");
	c->pid = (long)getpid();
	if (!c->id || rebuild_name(c)) {
		cephc_conf_destroy(c);
		return CEPHC_ENOMEM;
	}
	*out = c;
	return 0;
}

void cephc_conf_destroy(struct cephc_conf *c)
{
	if (!c)
		return;
	cephc_conf_file_free(&c->file);
	for (uint32_t i = 0; i < c->nset; i++) {
		cephc_free(c->set[i].key);
		/* --key and cephc_conf_set("key", ...) end up here. */
		cephc_free_secret_str(c->set[i].val);
	}
	cephc_free(c->set);
	cephc_free(c->id);
	cephc_free(c->name);
	cephc_free(c->cluster);
	cephc_free(c->host);
	cephc_free(c->conf_arg);
	cephc_free(c);
}

static int replace_str(char **slot, const char *v)
{
	char *s = cephc_strdup(v);

	if (!s)
		return CEPHC_ENOMEM;
	cephc_free(*slot);
	*slot = s;
	return 0;
}

int cephc_conf_set_name(struct cephc_conf *c, const char *name)
{
	const char *dot = strchr(name, '.');
	size_t tl;

	if (!dot)
		goto bad;
	tl = (size_t)(dot - name);
	for (size_t i = 0; i < sizeof(entity_types) / sizeof(*entity_types);
	     i++) {
		if (strlen(entity_types[i]) == tl &&
		    strncmp(entity_types[i], name, tl) == 0) {
			int rc = replace_str(&c->id, dot + 1);

			if (rc)
				return rc;
			snprintf(c->type, sizeof(c->type), "%s",
				 entity_types[i]);
			return rebuild_name(c);
		}
	}
bad:
	conf_set_error(c,
		       "bad name '%s': expected TYPE.ID, where TYPE is one "
		       "of auth, mon, osd, mds, mgr, client",
		       name);
	return CEPHC_EINVAL;
}

int cephc_conf_set_id(struct cephc_conf *c, const char *id)
{
	int rc = replace_str(&c->id, id);

	return rc ? rc : rebuild_name(c);
}

int cephc_conf_set_cluster(struct cephc_conf *c, const char *cluster)
{
	return replace_str(&c->cluster, cluster);
}

int cephc_conf_set_host(struct cephc_conf *c, const char *host)
{
	return replace_str(&c->host, host);
}

void cephc_conf_set_pid(struct cephc_conf *c, long pid)
{
	c->pid = pid;
}

const char *cephc_conf_name(const struct cephc_conf *c)
{
	return c->name;
}

const char *cephc_conf_type(const struct cephc_conf *c)
{
	return c->type;
}

const char *cephc_conf_id(const struct cephc_conf *c)
{
	return c->id;
}

const char *cephc_conf_cluster(const struct cephc_conf *c)
{
	return c->cluster ? c->cluster : "ceph";
}

int cephc_conf_parse_text(struct cephc_conf *c, const char *text, size_t len,
			  struct cephc_conf_error *err)
{
	struct cephc_conf_file f;
	int rc = cephc_conf_file_parse(text, len, &f, err);

	if (rc)
		return rc;
	cephc_conf_file_free(&c->file);
	c->file = f;
	return 0;
}

int cephc_conf_set_level(struct cephc_conf *c, enum cephc_conf_level level,
			 const char *key, const char *val)
{
	char k[256];
	struct conf_setting *s;

	if (level <= CEPHC_CONF_FILE || level > CEPHC_CONF_OVERRIDE || !val)
		return CEPHC_EINVAL;
	if (cephc_conf_normalize_key(key, strlen(key), k, sizeof(k)) || !k[0])
		return CEPHC_EINVAL;
	/* Replace a value set before at the same level. */
	for (uint32_t i = 0; i < c->nset; i++) {
		s = &c->set[i];
		if (s->level == level && strcmp(s->key, k) == 0) {
			char *v = cephc_strdup(val);

			if (!v)
				return CEPHC_ENOMEM;
			/* The old value may be a key: wipe it. */
			cephc_free_secret_str(s->val);
			s->val = v;
			return 0;
		}
	}
	if (c->nset >= CEPHC_CONF_MAX_SETTINGS)
		return CEPHC_ETOOBIG;
	if (c->nset == c->capset) {
		uint32_t ncap = c->capset ? c->capset * 2 : 16;

		s = cephc_realloc(c->set, (size_t)ncap * sizeof(*s));
		if (!s)
			return CEPHC_ENOMEM;
		c->set = s;
		c->capset = ncap;
	}
	s = &c->set[c->nset];
	s->level = level;
	s->key = cephc_strdup(k);
	s->val = cephc_strdup(val);
	if (!s->key || !s->val) {
		cephc_free(s->key);
		cephc_free_secret_str(s->val);
		return CEPHC_ENOMEM;
	}
	c->nset++;
	return 0;
}

int cephc_conf_set(struct cephc_conf *c, const char *key, const char *val)
{
	return cephc_conf_set_level(c, CEPHC_CONF_OVERRIDE, key, val);
}

/* The winning value of key and the level it came from (-1: none). */
static const char *lookup(const struct cephc_conf *c, const char *key,
			  int *level)
{
	const struct cephc_conf_option *o;
	const char *best = NULL;
	int best_level = -1;
	char k[256];

	*level = -1;
	if (cephc_conf_normalize_key(key, strlen(key), k, sizeof(k)) || !k[0])
		return NULL;
	for (uint32_t i = 0; i < c->nset; i++) {
		const struct conf_setting *s = &c->set[i];

		if ((int)s->level > best_level && strcmp(s->key, k) == 0) {
			best = s->val;
			best_level = s->level;
		}
	}
	if (best) {
		*level = best_level;
		return best;
	}
	/* The file: [TYPE.ID], then [TYPE], then [global]. */
	const char *secs[3] = {c->name, c->type, "global"};
	for (int i = 0; i < 3; i++) {
		const char *v = cephc_conf_file_get(&c->file, secs[i], k);

		if (v) {
			*level = CEPHC_CONF_FILE;
			return v;
		}
	}
	o = cephc_conf_find_option(k);
	if (o && o->def)
		*level = CEPHC_CONF_DEFAULT;
	return o ? o->def : NULL;
}

const char *cephc_conf_get_raw(const struct cephc_conf *c, const char *key)
{
	int level;

	return lookup(c, key, &level);
}

int cephc_conf_level_of(const struct cephc_conf *c, const char *key)
{
	int level;

	lookup(c, key, &level);
	return level;
}

/* --- $meta expansion ------------------------------------------------------ */

#define CONF_MAX_EXPAND_DEPTH 16
/* Substitutions in one expansion: "$b$b$b..." nested 16 deep would
 * otherwise run for ages while producing little output. */
#define CONF_MAX_EXPAND_STEPS 4096

struct xbuf {
	char *p;
	size_t len, cap;
	unsigned steps;
	int err;
};

static void xput(struct xbuf *b, const char *s, size_t n)
{
	if (b->err)
		return;
	if (b->len + n + 1 > CEPHC_CONF_MAX_VALUE) {
		b->err = CEPHC_ETOOBIG;
		return;
	}
	if (b->len + n + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 64;
		char *np;

		while (ncap < b->len + n + 1)
			ncap *= 2;
		/* Not realloc: an expanded value may be a key; wipe the old
		 * block. */
		np = cephc_malloc(ncap);
		if (!np) {
			b->err = CEPHC_ENOMEM;
			return;
		}
		if (b->p)
			memcpy(np, b->p, b->len + 1);
		cephc_free_secret(b->p, b->cap);
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void xputs(struct xbuf *b, const char *s)
{
	xput(b, s, strlen(s));
}

static bool var_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || ch == '_';
}

static void expand_into(const struct cephc_conf *c, const char *in,
			const char **stack, int depth, struct xbuf *b)
{
	const char *p = in;

	while (*p && !b->err) {
		const char *d = strchr(p, '$');
		char var[128];
		size_t vl = 0;
		const char *after;

		if (!d) {
			xputs(b, p);
			break;
		}
		xput(b, p, (size_t)(d - p));
		/* "$name" or "${name}"; names are [a-z_]+ as in Ceph. */
		if (d[1] == '{') {
			const char *e = d + 2;

			while (var_char(*e))
				e++;
			/* Ceph's quirks: "${}" is "$"; an unclosed "${ab-"
			 * drops the "{ab" part. */
			if (*e != '}' || e == d + 2) {
				xputs(b, "$");
				p = *e == '}' ? e + 1 : e;
				continue;
			}
			vl = (size_t)(e - (d + 2));
			if (vl >= sizeof(var))
				vl = sizeof(var) - 1;
			memcpy(var, d + 2, vl);
			after = e + 1;
		} else {
			const char *e = d + 1;

			while (var_char(*e))
				e++;
			vl = (size_t)(e - (d + 1));
			if (vl == 0) {
				xputs(b, "$");
				p = d + 1;
				continue;
			}
			if (vl >= sizeof(var))
				vl = sizeof(var) - 1;
			memcpy(var, d + 1, vl);
			after = e;
		}
		var[vl] = '\0';
		p = after;
		if (++b->steps > CONF_MAX_EXPAND_STEPS) {
			b->err = CEPHC_ETOOBIG;
			return;
		}

		char num[32];
		if (strcmp(var, "type") == 0) {
			xputs(b, c->type);
		} else if (strcmp(var, "cluster") == 0) {
			xputs(b, cephc_conf_cluster(c));
		} else if (strcmp(var, "name") == 0) {
			xputs(b, c->name);
		} else if (strcmp(var, "id") == 0 || strcmp(var, "num") == 0) {
			xputs(b, c->id);
		} else if (strcmp(var, "host") == 0) {
			char h[256] = "";

			if (c->host) {
				xputs(b, c->host);
			} else if (gethostname(h, sizeof(h) - 1) == 0) {
				h[strcspn(h, ".")] = '\0';
				xputs(b, h);
			}
		} else if (strcmp(var, "pid") == 0) {
			snprintf(num, sizeof(num), "%ld", c->pid);
			xputs(b, num);
		} else if (strcmp(var, "home") == 0) {
			/* Ceph 16 replaces the whole output with $HOME (a
			 * bug); we substitute in place. */
			const char *home = getenv("HOME");

			xputs(b, home ? home : "");
		} else {
			const char *v = cephc_conf_get_raw(c, var);
			bool loop = false;

			for (int i = 0; i < depth; i++)
				if (strcmp(stack[i], var) == 0)
					loop = true;
			if (!v || loop || depth >= CONF_MAX_EXPAND_DEPTH) {
				/* Unknown, or a cycle: keep it literally. */
				xput(b, d, (size_t)(after - d));
			} else {
				stack[depth] = var;
				expand_into(c, v, stack, depth + 1, b);
			}
		}
	}
}

static int expand_named(const struct cephc_conf *c, const char *self,
			const char *in, char **out)
{
	const char *stack[CONF_MAX_EXPAND_DEPTH + 1];
	struct xbuf b = {0};
	int depth = 0;

	if (self)
		stack[depth++] = self;
	xputs(&b, "");
	expand_into(c, in, stack, depth, &b);
	if (b.err) {
		cephc_free_secret(b.p, b.cap);
		return b.err;
	}
	*out = b.p;
	return 0;
}

int cephc_conf_expand(const struct cephc_conf *c, const char *in, char **out)
{
	return expand_named(c, NULL, in, out);
}

int cephc_conf_get_str(const struct cephc_conf *c, const char *key, char **out)
{
	const char *v = cephc_conf_get_raw(c, key);
	char k[256];

	if (!v)
		return CEPHC_ENOENT;
	if (cephc_conf_normalize_key(key, strlen(key), k, sizeof(k)))
		return CEPHC_EINVAL;
	return expand_named(c, k, v, out);
}

/* --- typed values -----------------------------------------------------------
 */

static bool str_ieq(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* Copy s without surrounding whitespace into buf; false when too long. */
static bool trimmed(const char *s, char *buf, size_t cap)
{
	size_t l;

	while (isspace((unsigned char)*s))
		s++;
	l = strlen(s);
	while (l && isspace((unsigned char)s[l - 1]))
		l--;
	if (l >= cap)
		return false;
	memcpy(buf, s, l);
	buf[l] = '\0';
	return true;
}

/* Multiply with an overflow check. */
static bool mul_u64(uint64_t a, uint64_t b, uint64_t *out)
{
	if (b && a > UINT64_MAX / b)
		return false;
	*out = a * b;
	return true;
}

static int suffix_power(char ch)
{
	switch (toupper((unsigned char)ch)) {
	case 'K':
		return 1;
	case 'M':
		return 2;
	case 'G':
		return 3;
	case 'T':
		return 4;
	case 'P':
		return 5;
	case 'E':
		return 6;
	default:
		return -1;
	}
}

int cephc_conf_parse_int(const char *s, int64_t *out)
{
	char buf[64], *end;
	bool neg = false;
	uint64_t v, m = 1;
	const char *p = buf;

	if (!trimmed(s, buf, sizeof(buf)) || !buf[0])
		return CEPHC_EINVAL;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!isdigit((unsigned char)*p))
		return CEPHC_EINVAL;
	errno = 0;
	v = strtoull(p, &end, 0);
	if (errno)
		return CEPHC_EINVAL;
	if (*end) {
		/* SI suffix, x1000 (Ceph's strict_si_cast). */
		int pw = suffix_power(*end);

		if (pw < 0 || end[1])
			return CEPHC_EINVAL;
		while (pw--)
			m *= 1000;
		if (!mul_u64(v, m, &v))
			return CEPHC_EINVAL;
	}
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return CEPHC_EINVAL;
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	} else {
		if (v > (uint64_t)INT64_MAX)
			return CEPHC_EINVAL;
		*out = (int64_t)v;
	}
	return 0;
}

int cephc_conf_parse_bool(const char *s, bool *out)
{
	char buf[32];
	int64_t n;

	if (!trimmed(s, buf, sizeof(buf)))
		return CEPHC_EINVAL;
	if (str_ieq(buf, "true") || str_ieq(buf, "yes") || str_ieq(buf, "on")) {
		*out = true;
		return 0;
	}
	if (str_ieq(buf, "false") || str_ieq(buf, "no") ||
	    str_ieq(buf, "off")) {
		*out = false;
		return 0;
	}
	if (cephc_conf_parse_int(buf, &n))
		return CEPHC_EINVAL;
	*out = n != 0;
	return 0;
}

int cephc_conf_parse_size(const char *s, uint64_t *out)
{
	char buf[64], *end;
	uint64_t v;

	if (!trimmed(s, buf, sizeof(buf)) || !isdigit((unsigned char)buf[0]))
		return CEPHC_EINVAL;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno)
		return CEPHC_EINVAL;
	/* K M G T P E, then optional "i", then optional "B"; x1024. */
	if (*end && *end != 'B' && *end != 'b') {
		int pw = suffix_power(*end++);

		if (pw < 0)
			return CEPHC_EINVAL;
		if (*end == 'i')
			end++;
		while (pw--)
			if (!mul_u64(v, 1024, &v))
				return CEPHC_EINVAL;
	}
	if (*end == 'B' || *end == 'b')
		end++;
	if (*end)
		return CEPHC_EINVAL;
	*out = v;
	return 0;
}

struct time_unit {
	const char *name;
	uint64_t ms;
};

static const struct time_unit time_units[] = {
    {"ms", 1},         {"msec", 1},         {"s", 1000},
    {"sec", 1000},     {"secs", 1000},      {"second", 1000},
    {"seconds", 1000}, {"m", 60000},        {"min", 60000},
    {"mins", 60000},   {"minute", 60000},   {"minutes", 60000},
    {"h", 3600000},    {"hr", 3600000},     {"hrs", 3600000},
    {"hour", 3600000}, {"hours", 3600000},  {"d", 86400000},
    {"day", 86400000}, {"days", 86400000},  {"w", 604800000},
    {"wk", 604800000}, {"week", 604800000}, {"weeks", 604800000},
};

int cephc_conf_parse_duration_ms(const char *s, uint64_t *out)
{
	uint64_t total = 0;
	const char *p = s;
	bool any = false;

	for (;;) {
		uint64_t whole = 0, frac_num = 0, frac_den = 1, unit = 1000;
		char name[16];
		size_t nl = 0;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (!isdigit((unsigned char)*p))
			return CEPHC_EINVAL;
		while (isdigit((unsigned char)*p)) {
			if (!mul_u64(whole, 10, &whole) ||
			    whole + (uint64_t)(*p - '0') < whole)
				return CEPHC_EINVAL;
			whole += (uint64_t)(*p++ - '0');
		}
		if (*p == '.') {
			p++;
			while (isdigit((unsigned char)*p)) {
				if (frac_den < 1000000) {
					frac_num = frac_num * 10 +
						   (uint64_t)(*p - '0');
					frac_den *= 10;
				}
				p++;
			}
		}
		while (*p == ' ' || *p == '\t')
			p++;
		while (isalpha((unsigned char)*p)) {
			if (nl + 1 >= sizeof(name))
				return CEPHC_EINVAL;
			name[nl++] = (char)tolower((unsigned char)*p++);
		}
		name[nl] = '\0';
		if (nl) {
			size_t i, n = sizeof(time_units) / sizeof(*time_units);

			for (i = 0; i < n; i++)
				if (strcmp(time_units[i].name, name) == 0)
					break;
			if (i == n)
				return CEPHC_EINVAL;
			unit = time_units[i].ms;
		}
		uint64_t term;
		if (!mul_u64(whole, unit, &term) || total + term < total)
			return CEPHC_EINVAL;
		total += term + frac_num * unit / frac_den;
		any = true;
	}
	if (!any)
		return CEPHC_EINVAL;
	*out = total;
	return 0;
}

/* Shared shape of the typed getters: expanded value, then a parser. */
#define TYPED_GET(c, key, def, out, parse)                                     \
	do {                                                                   \
		char *v_;                                                      \
		int rc_ = cephc_conf_get_str((c), (key), &v_);                 \
		*(out) = (def);                                                \
		if (rc_ == CEPHC_ENOENT)                                       \
			return 0;                                              \
		if (rc_)                                                       \
			return rc_;                                            \
		rc_ = parse(v_, (out));                                        \
		cephc_free(v_);                                                \
		if (rc_) {                                                     \
			*(out) = (def);                                        \
			return rc_;                                            \
		}                                                              \
		return 0;                                                      \
	} while (0)

int cephc_conf_get_int(const struct cephc_conf *c, const char *key, int64_t def,
		       int64_t *out)
{
	TYPED_GET(c, key, def, out, cephc_conf_parse_int);
}

int cephc_conf_get_bool(const struct cephc_conf *c, const char *key, bool def,
			bool *out)
{
	TYPED_GET(c, key, def, out, cephc_conf_parse_bool);
}

int cephc_conf_get_size(const struct cephc_conf *c, const char *key,
			uint64_t def, uint64_t *out)
{
	TYPED_GET(c, key, def, out, cephc_conf_parse_size);
}

int cephc_conf_get_duration_ms(const struct cephc_conf *c, const char *key,
			       uint64_t def, uint64_t *out)
{
	TYPED_GET(c, key, def, out, cephc_conf_parse_duration_ms);
}
