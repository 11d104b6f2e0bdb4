/* SPDX-License-Identifier: MIT */
/*
 * mon_host and [mon.X] "mon addr": the initial monitor list.
 *
 * The rules are those of Ceph 16.2.15's parse_ip_port_vec and
 * MonMap::build_from_host_list / _add_ambiguous_addr, checked by printing
 * the initial monmap librados builds (rados --debug-monc 10):
 *   "1.2.3.4"          -> noname-a v2:1.2.3.4:3300, noname-a-legacy v1:..:6789
 *   "1.2.3.4:6789"     -> noname-a-legacy v1:1.2.3.4:6789
 *   "1.2.3.4:3300"     -> noname-a v2:1.2.3.4:3300
 *   "1.2.3.4:1234"     -> noname-a v2:..:1234 and noname-a-legacy v1:..:1234
 *   "v2:1.2.3.4"       -> noname-a v2:1.2.3.4:3300 (typed: default port)
 *   "v2:A:3300,v1:A:6789" (no brackets) -> two mons, one address each
 *   "[v2:A:3300,v1:A:6789]" -> one mon with both addresses
 * Items are separated by spaces or ';', entries inside an item by ','.
 */
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>

#include "cephc/errors.h"
#include "conf/conf.h"
#include "conf/conf_internal.h"
#include "core/alloc.h"

/* Longest single address text ("v2:[ipv6%scope]:65535/4294967295"). */
#define MON_ADDR_TEXT_MAX 128
/* Longest mon_host text after DNS resolution. */
#define MON_HOST_TEXT_MAX 16384

struct mon_builder {
	struct cephc_conf_monlist *out;
	uint32_t cap;
};

static bool addr_same(const struct cephc_entity_addr *a,
		      const struct cephc_entity_addr *b)
{
	return a->type == b->type && cephc_addr_equal(a, b);
}

/* Ceph's MonMap::contains(addr): in any mon's addrvec already. */
static bool contains(const struct cephc_conf_monlist *l,
		     const struct cephc_entity_addr *a)
{
	for (uint32_t i = 0; i < l->count; i++)
		for (uint32_t j = 0; j < l->mons[i].naddrs; j++)
			if (addr_same(&l->mons[i].addrs[j], a))
				return true;
	return false;
}

static int add_mon(struct mon_builder *b, const char *name, const char *suffix,
		   const struct cephc_entity_addr *addrs, uint32_t n)
{
	struct cephc_conf_monlist *l = b->out;
	struct cephc_conf_mon *m;

	if (n == 0 || (n == 1 && contains(l, &addrs[0])))
		return 0;
	if (l->count >= CEPHC_CONF_MAX_MONS)
		return CEPHC_ETOOBIG;
	if (l->count == b->cap) {
		uint32_t ncap = b->cap ? b->cap * 2 : 4;

		m = cephc_realloc(l->mons, (size_t)ncap * sizeof(*m));
		if (!m)
			return CEPHC_ENOMEM;
		l->mons = m;
		b->cap = ncap;
	}
	m = &l->mons[l->count++];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s%s", name, suffix);
	memcpy(m->addrs, addrs, n * sizeof(*addrs));
	m->naddrs = n;
	return 0;
}

/*
 * One address, as entity_addr_t::parse: cephc_addr_parse plus a bare IPv6
 * literal ("::1", "fe80::1") without brackets (no port then).
 */
static int parse_one_addr(const char *s, size_t len,
			  struct cephc_entity_addr *a)
{
	char buf[MON_ADDR_TEXT_MAX + 3];
	const char *body = s;
	size_t plen = 0;

	if (len == 0 || len > MON_ADDR_TEXT_MAX)
		return CEPHC_EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (cephc_addr_parse(buf, a, 0) == 0)
		return 0;
	if (strncmp(s, "v1:", 3) == 0 || strncmp(s, "v2:", 3) == 0)
		plen = 3;
	else if (strncmp(s, "any:", 4) == 0)
		plen = 4;
	body = s + plen;
	/* Bare IPv6: at least two colons, no brackets. */
	if (memchr(body, '[', len - plen) || memchr(body, '/', len - plen))
		return CEPHC_EINVAL;
	const char *c1 = memchr(body, ':', len - plen);
	if (!c1 || !memchr(c1 + 1, ':', len - plen - (size_t)(c1 + 1 - body)))
		return CEPHC_EINVAL;
	memcpy(buf, s, plen);
	buf[plen] = '[';
	memcpy(buf + plen + 1, body, len - plen);
	buf[len + 1] = ']';
	buf[len + 2] = '\0';
	return cephc_addr_parse(buf, a, 0);
}

static void mon_name(char *buf, size_t cap, const char *prefix, uint32_t i)
{
	char letters[8];
	int n = 0;

	/* a..z, then aa, ab, ... (Ceph just keeps adding to 'a'). */
	do {
		letters[n++] = (char)('a' + i % 26);
		i = i / 26;
	} while (i-- > 0 && n < 7);
	char rev[8];
	for (int k = 0; k < n; k++)
		rev[k] = letters[n - 1 - k];
	rev[n] = '\0';
	snprintf(buf, cap, "%s%s", prefix, rev);
}

/* One lone address: Ceph's _add_ambiguous_addr for a client. */
static int add_ambiguous(struct mon_builder *b, const char *name,
			 struct cephc_entity_addr a)
{
	uint16_t port = cephc_addr_port(&a);

	if (a.type == CEPHC_ADDR_LEGACY || a.type == CEPHC_ADDR_MSGR2) {
		if (port == 0)
			cephc_addr_set_port(&a, a.type == CEPHC_ADDR_LEGACY
						    ? CEPHC_MON_PORT_LEGACY
						    : CEPHC_MON_PORT_MSGR2);
		return add_mon(b, name, "", &a, 1);
	}
	if (port == CEPHC_MON_PORT_LEGACY) {
		a.type = CEPHC_ADDR_LEGACY;
		return add_mon(b, name, "-legacy", &a, 1);
	}
	if (port == CEPHC_MON_PORT_MSGR2) {
		a.type = CEPHC_ADDR_MSGR2;
		return add_mon(b, name, "", &a, 1);
	}
	/* No port: both defaults; another port: both protocols on it. */
	struct cephc_entity_addr v2 = a, v1 = a;
	v2.type = CEPHC_ADDR_MSGR2;
	v1.type = CEPHC_ADDR_LEGACY;
	if (port == 0) {
		cephc_addr_set_port(&v2, CEPHC_MON_PORT_MSGR2);
		cephc_addr_set_port(&v1, CEPHC_MON_PORT_LEGACY);
	}
	int rc = add_mon(b, name, "", &v2, 1);
	return rc ? rc : add_mon(b, name, "-legacy", &v1, 1);
}

/* "[a,b,...]" (brackets excluded): one mon with every address. */
static int add_addrvec(struct mon_builder *b, const char *name, const char *s,
		       size_t len)
{
	struct cephc_entity_addr v[CEPHC_CONF_MON_MAX_ADDRS];
	uint32_t n = 0;
	size_t i = 0;

	while (i < len) {
		size_t j = i;
		int depth = 0;

		while (j < len && (s[j] != ',' || depth > 0)) {
			depth += s[j] == '[' ? 1 : s[j] == ']' ? -1 : 0;
			j++;
		}
		if (n == CEPHC_CONF_MON_MAX_ADDRS)
			return CEPHC_ETOOBIG;
		if (parse_one_addr(s + i, j - i, &v[n]))
			return CEPHC_EINVAL;
		if (cephc_addr_port(&v[n]) == 0)
			cephc_addr_set_port(&v[n], v[n].type == CEPHC_ADDR_MSGR2
						       ? CEPHC_MON_PORT_MSGR2
						       : CEPHC_MON_PORT_LEGACY);
		n++;
		i = j + 1;
	}
	if (n == 0)
		return CEPHC_EINVAL;
	if (n == 1)
		return add_ambiguous(b, name, v[0]);
	/* Ceph skips a vec only if the very same vec is there; we skip
	 * when its first address is known. */
	if (contains(b->out, &v[0]))
		return 0;
	return add_mon(b, name, "", v, n);
}

int cephc_conf_parse_mon_host(const char *s, struct cephc_conf_monlist *out)
{
	struct mon_builder b = {.out = out};
	size_t len = strlen(s), i = 0;
	uint32_t idx = 0;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	while (i < len && !rc) {
		/* Items: separated by spaces, tabs or ';'. */
		while (i < len && strchr(" \t;", s[i]))
			i++;
		size_t iend = i;
		while (iend < len && !strchr(" \t;", s[iend]))
			iend++;
		while (i < iend && !rc) {
			/* An entry runs to a ',' outside brackets. */
			size_t j = i;
			int depth = 0;
			char name[40];

			while (j < iend && (s[j] != ',' || depth > 0)) {
				depth += s[j] == '[' ? 1 : s[j] == ']' ? -1 : 0;
				j++;
			}
			mon_name(name, sizeof(name), "noname-", idx++);
			struct cephc_entity_addr a;
			if (parse_one_addr(s + i, j - i, &a) == 0)
				rc = add_ambiguous(&b, name, a);
			else if (s[i] == '[' && j - i >= 2 && s[j - 1] == ']')
				rc =
				    add_addrvec(&b, name, s + i + 1, j - i - 2);
			else
				rc = CEPHC_EINVAL;
			i = j + 1;
		}
		i = iend;
	}
	if (!rc && out->count == 0)
		rc = CEPHC_ENOENT;
	if (rc)
		cephc_conf_monlist_free(out);
	return rc;
}

void cephc_conf_monlist_free(struct cephc_conf_monlist *l)
{
	if (!l)
		return;
	cephc_free(l->mons);
	l->mons = NULL;
	l->count = 0;
}

/* Append "ip[:port]" for each resolved address of host to buf. */
static int resolve_one(const char *host, const char *port, char *buf,
		       size_t cap, size_t *used)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *r;
	int rc;

	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc)
		return CEPHC_ENOENT;
	for (r = res; r; r = r->ai_next) {
		char ip[INET6_ADDRSTRLEN];
		const void *src;
		int n;

		if (r->ai_family == AF_INET)
			src = &((struct sockaddr_in *)r->ai_addr)->sin_addr;
		else if (r->ai_family == AF_INET6)
			src = &((struct sockaddr_in6 *)r->ai_addr)->sin6_addr;
		else
			continue;
		if (!inet_ntop(r->ai_family, src, ip, sizeof(ip)))
			continue;
		n = snprintf(buf + *used, cap - *used, "%s%s%s%s%s%s",
			     *used ? "," : "",
			     r->ai_family == AF_INET6 ? "[" : "", ip,
			     r->ai_family == AF_INET6 ? "]" : "",
			     port ? ":" : "", port ? port : "");
		if (n < 0 || (size_t)n >= cap - *used) {
			freeaddrinfo(res);
			return CEPHC_ETOOBIG;
		}
		*used += (size_t)n;
	}
	freeaddrinfo(res);
	return 0;
}

int cephc_conf_resolve_mon_host(const char *s, struct cephc_conf_monlist *out)
{
	char *buf, tok[256];
	size_t used = 0, i = 0, len = strlen(s);
	int rc = 0;

	rc = cephc_conf_parse_mon_host(s, out);
	if (rc != CEPHC_EINVAL)
		return rc;
	rc = 0;
	buf = cephc_malloc(MON_HOST_TEXT_MAX);
	if (!buf)
		return CEPHC_ENOMEM;
	buf[0] = '\0';
	/* Like Ceph's resolve_addrs: host[:port] or [v6]:port per token. */
	while (i < len && !rc) {
		size_t j = i + strcspn(s + i, ",; \t");
		size_t tl = j - i;
		const char *port = NULL;

		if (tl == 0) {
			i = j + 1;
			continue;
		}
		if (tl >= sizeof(tok)) {
			rc = CEPHC_EINVAL;
			break;
		}
		memcpy(tok, s + i, tl);
		tok[tl] = '\0';
		char *host = tok;
		if (tok[0] == '[') {
			char *rb = strchr(tok, ']');

			if (!rb) {
				rc = CEPHC_EINVAL;
				break;
			}
			*rb = '\0';
			host = tok + 1;
			if (rb[1] == ':')
				port = rb + 2;
		} else {
			char *colon = strchr(tok, ':');

			if (colon && !strchr(colon + 1, ':')) {
				*colon = '\0';
				port = colon + 1;
			}
		}
		rc = resolve_one(host, port, buf, MON_HOST_TEXT_MAX, &used);
		i = j + 1;
	}
	if (!rc)
		rc = cephc_conf_parse_mon_host(buf, out);
	cephc_free(buf);
	return rc == CEPHC_ENOENT ? CEPHC_EINVAL : rc;
}

int cephc_conf_get_mons(struct cephc_conf *c, struct cephc_conf_monlist *out)
{
	struct mon_builder b = {.out = out};
	char *mh = NULL;
	int rc;

	memset(out, 0, sizeof(*out));
	/* mon_host_override beats everything (MonMap::build_initial). */
	rc = cephc_conf_get_str(c, "mon_host_override", &mh);
	if (rc && rc != CEPHC_ENOENT)
		return rc;
	if (rc == 0 && mh[0]) {
		rc = cephc_conf_resolve_mon_host(mh, out);
		if (rc)
			conf_set_error(c, "unable to parse addrs in '%s'", mh);
		cephc_free(mh);
		return rc;
	}
	cephc_free(mh);
	mh = NULL;
	rc = cephc_conf_get_str(c, "mon_host", &mh);
	if (rc && rc != CEPHC_ENOENT)
		return rc;
	if (mh && mh[0]) {
		rc = cephc_conf_resolve_mon_host(mh, out);
		if (rc)
			conf_set_error(c, "unable to parse addrs in '%s'", mh);
		cephc_free(mh);
		return rc;
	}
	cephc_free(mh);

	/* No mon_host: "mon addr" of each [mon.X] section. */
	const struct cephc_conf_file *f = &c->file;
	for (uint32_t s = 0; s < f->nsections; s++) {
		const char *sec = f->sections[s];
		struct cephc_entity_addr a;
		const char *v;

		if (strncmp(sec, "mon.", 4) != 0 || !sec[4])
			continue;
		v = cephc_conf_file_get(f, sec, "mon_addr");
		if (!v)
			continue;
		if (parse_one_addr(v, strlen(v), &a)) {
			conf_set_error(c,
				       "unable to parse address for %s: "
				       "addr='%s'",
				       sec, v);
			continue;
		}
		/* An untyped mon addr is a v1 address, 6789 by default. */
		if (a.type == CEPHC_ADDR_ANY)
			a.type = CEPHC_ADDR_LEGACY;
		if (cephc_addr_port(&a) == 0)
			cephc_addr_set_port(&a, a.type == CEPHC_ADDR_MSGR2
						    ? CEPHC_MON_PORT_MSGR2
						    : CEPHC_MON_PORT_LEGACY);
		rc = add_mon(&b, sec + 4, "", &a, 1);
		if (rc) {
			cephc_conf_monlist_free(out);
			return rc;
		}
	}
	if (out->count == 0) {
		conf_set_error(c, "no monitors specified to connect to "
				  "(set mon_host or -m)");
		return CEPHC_ENOENT;
	}
	return 0;
}
