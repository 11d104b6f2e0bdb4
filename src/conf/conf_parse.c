/* SPDX-License-Identifier: MIT */
/*
 * ceph.conf syntax, sans-IO.  The rules follow Ceph 16's boost::spirit
 * grammar in src/common/ConfUtils.cc (checked against ceph-conf 16.2.15):
 *
 *   file      := section*            (we also allow keys before any heading)
 *   heading   := '[' name ']' blanks [comment] eol
 *   key_val   := blanks key blanks '=' blanks value blanks [comment] eol
 *   value     := '"' chars '"' | '\'' chars '\'' | chars
 *   comment   := ('#' | ';') to end of line, anywhere outside an escape
 *   escape    := '\' X  -> X  (X is not a line end)
 *   continue  := '\' eol -> nothing (the next line's blanks are kept)
 *   eol       := "\r\n" | "\r" | "\n"
 *
 * Inside quotes a comment character or line end is an error; keys are kept
 * raw (no escape processing) and normalized (whitespace runs -> '_');
 * values are trimmed even when quoted; section names are not trimmed.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cephc/errors.h"
#include "conf/conf.h"
#include "core/alloc.h"

struct sbuf {
	char *p;
	size_t len, cap;
};

static int sbuf_putc(struct sbuf *b, char c, size_t max)
{
	if (b->len + 1 >= max)
		return CEPHC_ETOOBIG;
	if (b->len + 2 > b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 64;
		char *np = cephc_malloc(ncap);

		if (!np)
			return CEPHC_ENOMEM;
		/* Not realloc: values may be keys; the old block is wiped. */
		if (b->p)
			memcpy(np, b->p, b->len + 1);
		cephc_free_secret(b->p, b->cap);
		b->p = np;
		b->cap = ncap;
	}
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
	return 0;
}

struct parser {
	const char *p, *end;
	unsigned line;
	struct cephc_conf_file *f;
	struct cephc_conf_error *err;
	uint32_t cur; /* current section, UINT32_MAX before any heading */
	uint32_t secs_cap, ents_cap;
	struct sbuf buf;
};

static int fail(struct parser *ps, int rc, const char *msg)
{
	if (ps->err) {
		ps->err->line = ps->line;
		snprintf(ps->err->msg, sizeof(ps->err->msg), "line %u: %s",
			 ps->line, msg);
	}
	return rc;
}

static bool at_eol(const struct parser *ps)
{
	return ps->p < ps->end && (*ps->p == '\n' || *ps->p == '\r');
}

static bool is_comment(char c)
{
	return c == '#' || c == ';';
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* Consume one line end ("\r\n", "\r" or "\n") if there is one. */
static void eat_eol(struct parser *ps)
{
	if (!at_eol(ps))
		return;
	if (ps->p[0] == '\r' && ps->p + 1 < ps->end && ps->p[1] == '\n')
		ps->p++;
	ps->p++;
	ps->line++;
}

static bool at_continuation(const struct parser *ps)
{
	return ps->p + 1 < ps->end && ps->p[0] == '\\' &&
	       (ps->p[1] == '\n' || ps->p[1] == '\r');
}

static void skip_to_eol(struct parser *ps)
{
	while (ps->p < ps->end && !at_eol(ps))
		ps->p++;
}

static void skip_blanks(struct parser *ps)
{
	while (ps->p < ps->end && is_blank(*ps->p))
		ps->p++;
}

/* Blanks and joined lines: what Ceph's skipper eats between tokens. */
static void skip_blanks_cont(struct parser *ps)
{
	for (;;) {
		skip_blanks(ps);
		if (!at_continuation(ps))
			return;
		ps->p++;
		eat_eol(ps);
	}
}

/* After a heading or quoted value: only blanks, a comment, a line end. */
static int end_of_line(struct parser *ps, const char *what)
{
	skip_blanks(ps);
	if (ps->p < ps->end && is_comment(*ps->p))
		skip_to_eol(ps);
	if (ps->p < ps->end && !at_eol(ps))
		return fail(ps, CEPHC_EINVAL, what);
	eat_eol(ps);
	return 0;
}

static int add_section(struct parser *ps, const char *name, uint32_t *idx)
{
	struct cephc_conf_file *f = ps->f;

	for (uint32_t i = 0; i < f->nsections; i++) {
		if (strcmp(f->sections[i], name) == 0) {
			*idx = i;
			return 0;
		}
	}
	if (f->nsections >= CEPHC_CONF_MAX_SECTIONS)
		return fail(ps, CEPHC_ETOOBIG, "too many sections");
	if (f->nsections == ps->secs_cap) {
		uint32_t ncap = ps->secs_cap ? ps->secs_cap * 2 : 8;
		size_t bytes;
		char **ns;

		if (!cephc_mul_ok(ncap, sizeof(*ns), &bytes))
			return CEPHC_ENOMEM;
		ns = cephc_realloc(f->sections, bytes);
		if (!ns)
			return CEPHC_ENOMEM;
		f->sections = ns;
		ps->secs_cap = ncap;
	}
	f->sections[f->nsections] = cephc_strdup(name);
	if (!f->sections[f->nsections])
		return CEPHC_ENOMEM;
	*idx = f->nsections++;
	return 0;
}

static int parse_heading(struct parser *ps)
{
	int rc;

	ps->p++; /* '[' */
	ps->buf.len = 0;
	for (;;) {
		if (ps->p >= ps->end || at_eol(ps) || is_comment(*ps->p))
			return fail(ps, CEPHC_EINVAL,
				    "expected ']' to close the section name");
		if (at_continuation(ps)) {
			ps->p++;
			eat_eol(ps);
			continue;
		}
		char c = *ps->p++;
		if (c == ']')
			break;
		if (c == '\\' && ps->p < ps->end)
			c = *ps->p++;
		rc = sbuf_putc(&ps->buf, c, CEPHC_CONF_MAX_LINE);
		if (rc)
			return rc == CEPHC_ETOOBIG
				   ? fail(ps, rc, "section name too long")
				   : rc;
	}
	if (ps->buf.len == 0)
		return fail(ps, CEPHC_EINVAL, "empty section name");
	rc = add_section(ps, ps->buf.p, &ps->cur);
	if (rc)
		return rc;
	return end_of_line(ps, "unexpected text after the section heading");
}

int cephc_conf_normalize_key(const char *key, size_t len, char *out, size_t cap)
{
	size_t o = 0, i = 0;

	/* Trim, then every run of whitespace becomes a single '_'. */
	while (i < len && isspace((unsigned char)key[i]))
		i++;
	while (len > i && isspace((unsigned char)key[len - 1]))
		len--;
	while (i < len) {
		char c = key[i++];

		if (isspace((unsigned char)c)) {
			while (i < len && isspace((unsigned char)key[i]))
				i++;
			c = '_';
		}
		if (o + 1 >= cap)
			return CEPHC_ENAMETOOLONG;
		out[o++] = c;
	}
	if (cap == 0)
		return CEPHC_ENAMETOOLONG;
	out[o] = '\0';
	return 0;
}

/* Quoted value: escapes processed, no comments, no line ends. */
static int parse_quoted(struct parser *ps)
{
	char q = *ps->p++;
	int rc;

	for (;;) {
		if (ps->p >= ps->end || at_eol(ps))
			return fail(ps, CEPHC_EINVAL,
				    "unterminated quoted value");
		char c = *ps->p++;
		if (c == q)
			break;
		if (is_comment(c))
			return fail(ps, CEPHC_EINVAL,
				    "unescaped comment character inside a "
				    "quoted value");
		if (c == '\\' && ps->p < ps->end && !at_eol(ps))
			c = *ps->p++;
		rc = sbuf_putc(&ps->buf, c, CEPHC_CONF_MAX_VALUE);
		if (rc)
			return rc == CEPHC_ETOOBIG
				   ? fail(ps, rc, "value too long")
				   : rc;
	}
	return end_of_line(ps, "unexpected text after a quoted value");
}

/* Unquoted value: up to a comment or line end; '\' joins lines. */
static int parse_unquoted(struct parser *ps)
{
	int rc;

	while (ps->p < ps->end && !at_eol(ps)) {
		if (at_continuation(ps)) {
			ps->p++;
			eat_eol(ps);
			continue;
		}
		char c = *ps->p++;
		if (is_comment(c)) {
			skip_to_eol(ps);
			break;
		}
		if (c == '\\' && ps->p < ps->end)
			c = *ps->p++;
		rc = sbuf_putc(&ps->buf, c, CEPHC_CONF_MAX_VALUE);
		if (rc)
			return rc == CEPHC_ETOOBIG
				   ? fail(ps, rc, "value too long")
				   : rc;
	}
	eat_eol(ps);
	return 0;
}

static int add_entry(struct parser *ps, const char *key, const char *val)
{
	struct cephc_conf_file *f = ps->f;
	struct cephc_conf_entry *e;
	int rc;

	if (ps->cur == UINT32_MAX) {
		/* Ceph accepts a lone key=value line as global; so do we. */
		rc = add_section(ps, "global", &ps->cur);
		if (rc)
			return rc;
	}
	if (f->nentries >= CEPHC_CONF_MAX_KEYS)
		return fail(ps, CEPHC_ETOOBIG, "too many keys");
	if (f->nentries == ps->ents_cap) {
		uint32_t ncap = ps->ents_cap ? ps->ents_cap * 2 : 16;
		size_t bytes;

		if (!cephc_mul_ok(ncap, sizeof(*e), &bytes))
			return CEPHC_ENOMEM;
		e = cephc_realloc(f->entries, bytes);
		if (!e)
			return CEPHC_ENOMEM;
		f->entries = e;
		ps->ents_cap = ncap;
	}
	e = &f->entries[f->nentries];
	e->section = ps->cur;
	e->key = cephc_strdup(key);
	e->val = cephc_strdup(val);
	if (!e->key || !e->val) {
		cephc_free(e->key);
		cephc_free_secret_str(e->val);
		return CEPHC_ENOMEM;
	}
	f->nentries++;
	return 0;
}

static int parse_key_val(struct parser *ps)
{
	const char *k0 = ps->p;
	char key[256];
	int rc;

	/* The key runs to '='; keys are kept raw, so "\=" does not end it. */
	while (ps->p < ps->end && *ps->p != '=') {
		if (at_eol(ps) || is_comment(*ps->p))
			return fail(ps, CEPHC_EINVAL, "expected '=' after key");
		if (*ps->p == '[')
			return fail(ps, CEPHC_EINVAL, "'[' inside a key");
		if (*ps->p == '\\' && ps->p + 1 < ps->end && ps->p[1] != '\n' &&
		    ps->p[1] != '\r')
			ps->p++;
		ps->p++;
	}
	if (ps->p >= ps->end)
		return fail(ps, CEPHC_EINVAL, "expected '=' after key");
	rc = cephc_conf_normalize_key(k0, (size_t)(ps->p - k0), key,
				      sizeof(key));
	if (rc)
		return fail(ps, CEPHC_ETOOBIG, "key too long");
	if (!key[0])
		return fail(ps, CEPHC_EINVAL, "empty key");
	ps->p++; /* '=' */

	skip_blanks_cont(ps);
	ps->buf.len = 0;
	if (ps->buf.p)
		ps->buf.p[0] = '\0';
	if (ps->p < ps->end && (*ps->p == '"' || *ps->p == '\''))
		rc = parse_quoted(ps);
	else
		rc = parse_unquoted(ps);
	if (rc)
		return rc;

	/* Values are trimmed, quoted or not (conf_line_t in Ceph). */
	const char *v = ps->buf.p ? ps->buf.p : "";
	size_t vl = ps->buf.len;
	while (vl && isspace((unsigned char)v[vl - 1]))
		vl--;
	if (ps->buf.p)
		ps->buf.p[vl] = '\0';
	while (isspace((unsigned char)*v))
		v++;
	return add_entry(ps, key, v);
}

/* Length of a valid UTF-8 sequence at s, or 0 (no overlongs/surrogates). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t cp;
	size_t len, i;

	if (s[0] < 0x80)
		return s[0] ? 1 : 0;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2;
		cp = s[0] & 0x1F;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3;
		cp = s[0] & 0x0F;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
	    (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return len;
}

/* Encoding and line-length checks before any parsing, with line numbers. */
static int precheck(struct parser *ps)
{
	const unsigned char *s = (const unsigned char *)ps->p;
	size_t n = (size_t)(ps->end - ps->p), i = 0, linelen = 0;
	unsigned line = 1;

	while (i < n) {
		if (s[i] == '\n' || s[i] == '\r') {
			if (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n')
				i++;
			i++;
			line++;
			linelen = 0;
			continue;
		}
		size_t l = utf8_seq(s + i, n - i);
		if (l == 0) {
			ps->line = line;
			return fail(ps, CEPHC_EINVAL,
				    s[i] ? "invalid UTF-8" : "NUL byte");
		}
		i += l;
		linelen += l;
		if (linelen > CEPHC_CONF_MAX_LINE) {
			ps->line = line;
			return fail(ps, CEPHC_ETOOBIG, "line too long");
		}
	}
	return 0;
}

int cephc_conf_file_parse(const char *text, size_t len,
			  struct cephc_conf_file *out,
			  struct cephc_conf_error *err)
{
	struct parser ps = {
	    .p = text,
	    .end = text + len,
	    .line = 1,
	    .f = out,
	    .err = err,
	    .cur = UINT32_MAX,
	};
	int rc;

	memset(out, 0, sizeof(*out));
	if (err) {
		err->line = 0;
		err->msg[0] = '\0';
	}
	if (len > CEPHC_CONF_MAX_FILE_SIZE) {
		ps.line = 0;
		return fail(&ps, CEPHC_ETOOBIG, "file too large");
	}
	/* A UTF-8 byte order mark is not text. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		ps.p += 3;
	rc = precheck(&ps);
	if (rc)
		goto out;
	ps.line = 1;
	while (ps.p < ps.end) {
		skip_blanks_cont(&ps);
		if (ps.p >= ps.end)
			break;
		if (at_eol(&ps)) {
			eat_eol(&ps);
		} else if (is_comment(*ps.p)) {
			skip_to_eol(&ps);
		} else if (*ps.p == '[') {
			rc = parse_heading(&ps);
		} else {
			rc = parse_key_val(&ps);
		}
		if (rc)
			goto out;
	}
out:
	cephc_free_secret(ps.buf.p, ps.buf.cap);
	if (rc) {
		if (err && !err->msg[0])
			snprintf(err->msg, sizeof(err->msg), "%s",
				 cephc_strerror(rc));
		cephc_conf_file_free(out);
	}
	return rc;
}

void cephc_conf_file_free(struct cephc_conf_file *f)
{
	if (!f)
		return;
	for (uint32_t i = 0; i < f->nsections; i++)
		cephc_free(f->sections[i]);
	for (uint32_t i = 0; i < f->nentries; i++) {
		cephc_free(f->entries[i].key);
		/* A value may be a key (`key = ...`, keyrings). */
		cephc_free_secret_str(f->entries[i].val);
	}
	cephc_free(f->sections);
	cephc_free(f->entries);
	memset(f, 0, sizeof(*f));
}

const char *cephc_conf_file_get(const struct cephc_conf_file *f,
				const char *section, const char *key)
{
	char k[256];
	uint32_t s;

	if (!f || cephc_conf_normalize_key(key, strlen(key), k, sizeof(k)))
		return NULL;
	for (s = 0; s < f->nsections; s++)
		if (strcmp(f->sections[s], section) == 0)
			break;
	if (s == f->nsections)
		return NULL;
	/* Last one wins: scan from the end. */
	for (uint32_t i = f->nentries; i-- > 0;) {
		const struct cephc_conf_entry *e = &f->entries[i];

		if (e->section == s && strcmp(e->key, k) == 0)
			return e->val;
	}
	return NULL;
}
