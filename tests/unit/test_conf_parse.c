/* SPDX-License-Identifier: MIT */
/*
 * ceph.conf syntax.  Expected values were checked with ceph-conf 16.2.15
 * on the same input (see docs/configuration.md), except where a comment
 * says cephc is deliberately more tolerant.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cephc/errors.h"
#include "conf/conf.h"
#include "core/alloc.h"

static struct cephc_conf_file F;
static struct cephc_conf_error E;

static int parse(const char *s)
{
	cephc_conf_file_free(&F);
	return cephc_conf_file_parse(s, strlen(s), &F, &E);
}

static const char *get(const char *sec, const char *key)
{
	return cephc_conf_file_get(&F, sec, key);
}

static int teardown(void **state)
{
	(void)state;
	cephc_conf_file_free(&F);
	return 0;
}

static void test_sections_and_keys(void **state)
{
	(void)state;
	assert_int_equal(parse("[global]\nmon host = 1.2.3.4\n"
			       "[client]\nkeyring = /k\n"
			       "[client.admin]\nkey = AQ==\n"
			       "[mon.a]\nmon addr = 1.2.3.4:6789\n"),
			 0);
	assert_string_equal(get("global", "mon host"), "1.2.3.4");
	assert_string_equal(get("global", "mon_host"), "1.2.3.4");
	assert_string_equal(get("client", "keyring"), "/k");
	assert_string_equal(get("client.admin", "key"), "AQ==");
	assert_string_equal(get("mon.a", "mon_addr"), "1.2.3.4:6789");
	assert_null(get("client", "mon_host"));
	assert_int_equal(F.nsections, 4);
}

static void test_key_spelling(void **state)
{
	(void)state;
	/* Runs of blanks are one '_'; dashes stay distinct (Ceph 16). */
	assert_int_equal(parse("[global]\nmon \t  host = a\nmon-x = b\n"
			       "  log   file=c  \nk\t = d\n"),
			 0);
	assert_string_equal(get("global", "mon_host"), "a");
	assert_string_equal(get("global", "mon  host"), "a");
	assert_null(get("global", "mon_x"));
	assert_string_equal(get("global", "mon-x"), "b");
	assert_string_equal(get("global", "log_file"), "c");
	assert_string_equal(get("global", "k"), "d");
	/* Double underscores are not collapsed. */
	assert_int_equal(parse("[global]\nmon__host = a\n"), 0);
	assert_null(get("global", "mon_host"));
}

static void test_comments(void **state)
{
	(void)state;
	assert_int_equal(parse("# top\n; also\n\n[global]   # after heading\n"
			       "  # indented\n"
			       "a = 1 # trailing\n"
			       "b = 2; trailing\n"
			       "c = # empty value\n"
			       "d = x\\#y\\;z\n"),
			 0);
	assert_string_equal(get("global", "a"), "1");
	assert_string_equal(get("global", "b"), "2");
	assert_string_equal(get("global", "c"), "");
	assert_string_equal(get("global", "d"), "x#y;z");
}

static void test_quotes(void **state)
{
	(void)state;
	assert_int_equal(parse("[global]\na = \"  x y  \"\nb = 'it\"s'\n"
			       "c = \"q\\\"uote\\\\\"\nd = a\"b\"c\n"
			       "e = \"v\"   # comment\nf = \"a\\#b\"\n"),
			 0);
	/* Quoted values are trimmed too (conf_line_t trims). */
	assert_string_equal(get("global", "a"), "x y");
	assert_string_equal(get("global", "b"), "it\"s");
	assert_string_equal(get("global", "c"), "q\"uote\\");
	assert_string_equal(get("global", "d"), "a\"b\"c");
	assert_string_equal(get("global", "e"), "v");
	assert_string_equal(get("global", "f"), "a#b");
	/* A comment character inside quotes is an error in Ceph. */
	assert_int_equal(parse("[global]\na = \"x#y\"\n"), CEPHC_EINVAL);
	assert_int_equal(E.line, 2);
	assert_int_equal(parse("[global]\na = \"open\n"), CEPHC_EINVAL);
	assert_int_equal(parse("[global]\na = \"ab\"c\n"), CEPHC_EINVAL);
	assert_int_equal(parse("[global]\na = \"a\\\nb\"\n"), CEPHC_EINVAL);
}

static void test_escapes_and_continuation(void **state)
{
	(void)state;
	assert_int_equal(parse("[global]\na = abc\\\n  def # c\n"
			       "b = \\\n   v\n"
			       "c = x\\\\y\\z\n"
			       "[glo\\]bal]\nd = 1\n"),
			 0);
	/* The next line's leading blanks are kept. */
	assert_string_equal(get("global", "a"), "abc  def");
	assert_string_equal(get("global", "b"), "v");
	assert_string_equal(get("global", "c"), "x\\yz");
	assert_string_equal(get("glo]bal", "d"), "1");
	/* Continuation with CRLF. */
	assert_int_equal(parse("[global]\r\na = 1\\\r\n2\r\n"), 0);
	assert_string_equal(get("global", "a"), "12");
}

static void test_line_endings(void **state)
{
	(void)state;
	assert_int_equal(parse("[global]\r\nk = v\r\nj = w\r\n"), 0);
	assert_string_equal(get("global", "k"), "v");
	assert_string_equal(get("global", "j"), "w");
	/* A lone CR ends a line too. */
	assert_int_equal(parse("[global]\rk = v\r"), 0);
	assert_string_equal(get("global", "k"), "v");
	/* Missing final newline: Ceph fails; we accept. */
	assert_int_equal(parse("[global]\nk = v"), 0);
	assert_string_equal(get("global", "k"), "v");
	assert_int_equal(parse("[global]"), 0);
	assert_int_equal(parse(""), 0);
	assert_int_equal(F.nsections, 0);
}

static void test_duplicates_last_wins(void **state)
{
	(void)state;
	assert_int_equal(parse("[global]\nk = 1\nk = 2\n[client]\nk = c\n"
			       "[global]\nk = 3\n"),
			 0);
	assert_string_equal(get("global", "k"), "3");
	assert_string_equal(get("client", "k"), "c");
	assert_int_equal(F.nsections, 2);
}

static void test_section_names_verbatim(void **state)
{
	(void)state;
	/* Ceph does not trim section names: "[ global ]" is not global. */
	assert_int_equal(parse("[ global ]\nk = v\n"), 0);
	assert_null(get("global", "k"));
	assert_string_equal(get(" global ", "k"), "v");
}

static void test_keys_before_section(void **state)
{
	(void)state;
	/* Ceph takes one such line as global; we take any number. */
	assert_int_equal(parse("k = v\nj = w\n[client]\nx = 1\n"), 0);
	assert_string_equal(get("global", "k"), "v");
	assert_string_equal(get("global", "j"), "w");
}

static void test_syntax_errors(void **state)
{
	(void)state;
	assert_int_equal(parse("[global\nk = v\n"), CEPHC_EINVAL);
	assert_int_equal(E.line, 1);
	assert_int_equal(parse("[]\n"), CEPHC_EINVAL);
	assert_int_equal(parse("[global] junk\n"), CEPHC_EINVAL);
	assert_int_equal(parse("[global]\nno equals sign\n"), CEPHC_EINVAL);
	assert_int_equal(E.line, 2);
	assert_int_equal(parse("[global]\n= value\n"), CEPHC_EINVAL);
	assert_int_equal(parse("[global]\nk[x] = v\n"), CEPHC_EINVAL);
	assert_int_equal(parse("[global]\nk # = v\n"), CEPHC_EINVAL);
	assert_true(strlen(E.msg) > 0);
}

static void test_utf8(void **state)
{
	(void)state;
	assert_int_equal(
	    parse("\xEF\xBB\xBF[global]\n"
		  "k = caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x90\x99\n"),
	    0);
	assert_string_equal(get("global", "k"),
			    "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x90\x99");
	assert_int_equal(parse("[global]\nk = \xff\n"), CEPHC_EINVAL);
	assert_int_equal(E.line, 2);
	/* Overlong '/' and a UTF-16 surrogate. */
	assert_int_equal(parse("[global]\nk = \xC0\xAF\n"), CEPHC_EINVAL);
	assert_int_equal(parse("[global]\nk = \xED\xA0\x80\n"), CEPHC_EINVAL);
	/* Embedded NUL. */
	assert_int_equal(cephc_conf_file_parse("[g]\nk=\0\n", 7, &F, &E),
			 CEPHC_EINVAL);
}

static void test_limits(void **state)
{
	size_t n = CEPHC_CONF_MAX_LINE + 10;
	char *s = malloc(n + 32);
	uint32_t i;

	(void)state;
	strcpy(s, "[global]\nk = ");
	memset(s + strlen(s), 'x', n);
	s[13 + n] = '\0';
	assert_int_equal(parse(s), CEPHC_ETOOBIG);
	assert_int_equal(E.line, 2);
	free(s);

	/* Too many sections. */
	size_t cap = (CEPHC_CONF_MAX_SECTIONS + 2) * 16;
	char *t = malloc(cap), *p = t;
	for (i = 0; i < CEPHC_CONF_MAX_SECTIONS + 1; i++)
		p += sprintf(p, "[s%u]\n", i);
	assert_int_equal(parse(t), CEPHC_ETOOBIG);
	free(t);

	/* Too many keys. */
	cap = (CEPHC_CONF_MAX_KEYS + 2) * 16;
	t = malloc(cap);
	p = t + sprintf(t, "[g]\n");
	for (i = 0; i < CEPHC_CONF_MAX_KEYS + 1; i++)
		p += sprintf(p, "k%u=v\n", i);
	assert_int_equal(parse(t), CEPHC_ETOOBIG);
	free(t);

	/* Continuations cannot build a value past the maximum. */
	cap = CEPHC_CONF_MAX_VALUE * 2 + 64;
	t = malloc(cap);
	p = t + sprintf(t, "[g]\nk = ");
	for (i = 0; i < CEPHC_CONF_MAX_VALUE / 100 + 2; i++) {
		memset(p, 'y', 100);
		p += 100;
		p += sprintf(p, "\\\n");
	}
	*p = '\0';
	assert_int_equal(parse(t), CEPHC_ETOOBIG);
	free(t);

	/* File size. */
	assert_int_equal(
	    cephc_conf_file_parse("x", CEPHC_CONF_MAX_FILE_SIZE + 1, &F, &E),
	    CEPHC_ETOOBIG);
}

static void test_normalize_key(void **state)
{
	char out[8];

	(void)state;
	assert_int_equal(
	    cephc_conf_normalize_key("  a  b ", 7, out, sizeof(out)), 0);
	assert_string_equal(out, "a_b");
	assert_int_equal(
	    cephc_conf_normalize_key("abcdefghij", 10, out, sizeof(out)),
	    CEPHC_ENAMETOOLONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_sections_and_keys, teardown),
	    cmocka_unit_test_teardown(test_key_spelling, teardown),
	    cmocka_unit_test_teardown(test_comments, teardown),
	    cmocka_unit_test_teardown(test_quotes, teardown),
	    cmocka_unit_test_teardown(test_escapes_and_continuation, teardown),
	    cmocka_unit_test_teardown(test_line_endings, teardown),
	    cmocka_unit_test_teardown(test_duplicates_last_wins, teardown),
	    cmocka_unit_test_teardown(test_section_names_verbatim, teardown),
	    cmocka_unit_test_teardown(test_keys_before_section, teardown),
	    cmocka_unit_test_teardown(test_syntax_errors, teardown),
	    cmocka_unit_test_teardown(test_utf8, teardown),
	    cmocka_unit_test_teardown(test_limits, teardown),
	    cmocka_unit_test(test_normalize_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
