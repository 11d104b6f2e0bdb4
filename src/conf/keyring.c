/* SPDX-License-Identifier: MIT */
/*
 * Keyrings (plain-text form) and Ceph's base64, sans-IO.
 *
 * A keyring is ceph.conf syntax: one [TYPE.ID] section per entity with
 * "key = <base64 CryptoKey>" and "caps <service> = <text>" lines, as
 * written by ceph-authtool and "ceph auth get".  Key names are compared
 * with '_' read as ' ' (Ceph's KeyRing::decode_plaintext), so
 * "caps_mon" is "caps mon".
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cephc/errors.h"
#include "conf/conf.h"
#include "core/alloc.h"

static int b64_value(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	/* Ceph's armor.c also takes the URL-safe alphabet. */
	if (ch == '+' || ch == '-')
		return 62;
	if (ch == '/' || ch == '_')
		return 63;
	return -1;
}

int cephc_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	size_t i = 0, o = 0;

	for (;;) {
		int v[4], pad = 0;

		/* Line breaks between groups are allowed (armor.c). */
		while (i < len && (in[i] == '\n' || in[i] == '\r'))
			i++;
		if (i >= len)
			break;
		if (len - i < 4)
			return CEPHC_EINVAL;
		for (int k = 0; k < 4; k++) {
			char ch = in[i + k];

			if (ch == '=' && k >= 2) {
				pad++;
				v[k] = 0;
				continue;
			}
			/* Data after '=' inside one group is malformed. */
			if (pad)
				return CEPHC_EINVAL;
			v[k] = b64_value(ch);
			if (v[k] < 0)
				return CEPHC_EINVAL;
		}
		size_t n = 3 - (size_t)pad;
		if (o + n > cap)
			return CEPHC_ERANGE;
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
			     (uint32_t)v[2] << 6 | (uint32_t)v[3];
		out[o++] = (uint8_t)(w >> 16);
		if (n > 1)
			out[o++] = (uint8_t)(w >> 8);
		if (n > 2)
			out[o++] = (uint8_t)w;
		i += 4;
		if (pad) {
			/* Padding ends the data; only whitespace may follow. */
			while (i < len && isspace((unsigned char)in[i]))
				i++;
			if (i != len)
				return CEPHC_EINVAL;
			break;
		}
	}
	if (o > INT32_MAX)
		return CEPHC_ERANGE;
	return (int)o;
}

static void __attribute__((format(printf, 3, 4)))
set_err(struct cephc_conf_error *err, unsigned line, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
}

/* EntityName::from_str: a known type, a dot, then any id. */
static bool valid_entity(const char *name)
{
	static const char *const types[] = {"auth", "mon", "osd",
					    "mds",  "mgr", "client"};
	const char *dot = strchr(name, '.');

	if (!dot)
		return false;
	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++)
		if (strlen(types[i]) == (size_t)(dot - name) &&
		    strncmp(types[i], name, (size_t)(dot - name)) == 0)
			return true;
	return false;
}

void cephc_keyring_free(struct cephc_keyring *kr)
{
	if (!kr)
		return;
	for (uint32_t i = 0; i < kr->count; i++) {
		struct cephc_keyring_entity *e = &kr->entities[i];

		cephc_free(e->name);
		for (uint32_t j = 0; j < e->ncaps; j++) {
			cephc_free(e->caps[j].service);
			cephc_free(e->caps[j].caps);
		}
		/* Secrets do not linger in freed memory. */
		cephc_secure_zero(e->key, sizeof(e->key));
	}
	cephc_free(kr->entities);
	memset(kr, 0, sizeof(*kr));
}

static int set_caps(struct cephc_keyring_entity *e, const char *svc,
		    const char *val)
{
	struct cephc_keyring_caps *cp = NULL;
	char *v;

	for (uint32_t j = 0; j < e->ncaps; j++)
		if (strcmp(e->caps[j].service, svc) == 0)
			cp = &e->caps[j];
	if (!cp) {
		if (e->ncaps >= CEPHC_KEYRING_MAX_CAPS)
			return CEPHC_ETOOBIG;
		cp = &e->caps[e->ncaps];
		cp->service = cephc_strdup(svc);
		cp->caps = NULL;
		if (!cp->service)
			return CEPHC_ENOMEM;
		e->ncaps++;
	}
	v = cephc_strdup(val);
	if (!v)
		return CEPHC_ENOMEM;
	cephc_free(cp->caps);
	cp->caps = v;
	return 0;
}

/* Apply one "key = value" line to entity e (Ceph's set_modifier). */
static int keyring_line(struct cephc_keyring_entity *e,
			const struct cephc_conf_entry *l,
			struct cephc_conf_error *err)
{
	char k[256];
	int n;

	snprintf(k, sizeof(k), "%s", l->key);
	for (char *p = k; *p; p++)
		if (*p == '_')
			*p = ' ';
	if (strcmp(k, "key") == 0) {
		n = cephc_base64_decode(l->val, strlen(l->val), e->key,
					sizeof(e->key));
		if (n <= 0) {
			set_err(err, 0, "[%s]: bad base64 key", e->name);
			return CEPHC_EINVAL;
		}
		e->key_len = (uint32_t)n;
		return 0;
	}
	if (strncmp(k, "caps ", 5) == 0 && k[5]) {
		n = set_caps(e, k + 5, l->val);
		if (n)
			set_err(err, 0, "[%s]: cannot keep caps %s", e->name,
				k + 5);
		return n;
	}
	if (strcmp(k, "auid") == 0)
		return 0; /* obsolete; Ceph reads and ignores it */
	set_err(err, 0, "[%s]: unknown keyring field '%s'", e->name, k);
	return CEPHC_EINVAL;
}

int cephc_keyring_parse(const char *text, size_t len, struct cephc_keyring *out,
			struct cephc_conf_error *err)
{
	struct cephc_conf_file f;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = cephc_conf_file_parse(text, len, &f, err);
	if (rc)
		return rc;
	if (f.nsections > CEPHC_KEYRING_MAX_ENTITIES) {
		rc = CEPHC_ETOOBIG;
		goto out;
	}
	out->entities =
	    cephc_calloc(f.nsections ? f.nsections : 1, sizeof(*out->entities));
	if (!out->entities) {
		rc = CEPHC_ENOMEM;
		goto out;
	}
	/* Sections are already merged; entries come in file order. */
	for (uint32_t s = 0; s < f.nsections; s++) {
		struct cephc_keyring_entity *e;

		if (strcmp(f.sections[s], "global") == 0)
			continue;
		if (!valid_entity(f.sections[s])) {
			set_err(err, 0, "bad entity name in keyring: [%s]",
				f.sections[s]);
			rc = CEPHC_EINVAL;
			goto out;
		}
		e = &out->entities[out->count++];
		e->name = cephc_strdup(f.sections[s]);
		if (!e->name) {
			rc = CEPHC_ENOMEM;
			goto out;
		}
		for (uint32_t i = 0; i < f.nentries; i++) {
			if (f.entries[i].section != s)
				continue;
			rc = keyring_line(e, &f.entries[i], err);
			if (rc)
				goto out;
		}
	}
out:
	cephc_conf_file_free(&f);
	if (rc)
		cephc_keyring_free(out);
	return rc;
}

const struct cephc_keyring_entity *
cephc_keyring_find(const struct cephc_keyring *kr, const char *name)
{
	for (uint32_t i = 0; i < kr->count; i++)
		if (strcmp(kr->entities[i].name, name) == 0)
			return &kr->entities[i];
	return NULL;
}
