/* SPDX-License-Identifier: MIT */
/*
 * mon_host forms.  Each expected list is the initial monmap librados
 * 16.2.15 printed for the same mon_host (rados --debug-monc 10), written
 * in input order (Ceph prints it sorted by rank).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "cephc/errors.h"
#include "conf/conf.h"
#include "core/alloc.h"

/* "name=addr|addr;name=addr" rendering of a list. */
static void render(const struct cephc_conf_monlist *l, char *buf, size_t cap)
{
	size_t u = 0;

	buf[0] = '\0';
	for (uint32_t i = 0; i < l->count; i++) {
		const struct cephc_conf_mon *m = &l->mons[i];

		u += (size_t)snprintf(buf + u, cap - u, "%s%s=", i ? ";" : "",
				      m->name);
		for (uint32_t j = 0; j < m->naddrs; j++) {
			char a[80];

			cephc_addr_format(&m->addrs[j], a, sizeof(a));
			u += (size_t)snprintf(buf + u, cap - u, "%s%s",
					      j ? "|" : "", a);
		}
	}
}

static void expect(const char *mon_host, const char *want)
{
	struct cephc_conf_monlist l;
	char buf[1024];

	assert_int_equal(cephc_conf_parse_mon_host(mon_host, &l), 0);
	render(&l, buf, sizeof(buf));
	assert_string_equal(buf, want);
	cephc_conf_monlist_free(&l);
}

static void test_single_address_rules(void **state)
{
	(void)state;
	expect("127.0.0.1:6789", "noname-a-legacy=v1:127.0.0.1:6789/0");
	expect("127.0.0.1:3300", "noname-a=v2:127.0.0.1:3300/0");
	expect("127.0.0.1", "noname-a=v2:127.0.0.1:3300/0;"
			    "noname-a-legacy=v1:127.0.0.1:6789/0");
	expect("127.0.0.1:0", "noname-a=v2:127.0.0.1:3300/0;"
			      "noname-a-legacy=v1:127.0.0.1:6789/0");
	/* Another port: both protocols on it (Ceph 16.2.15 does this). */
	expect("127.0.0.1:1234", "noname-a=v2:127.0.0.1:1234/0;"
				 "noname-a-legacy=v1:127.0.0.1:1234/0");
	expect("v1:127.0.0.1", "noname-a=v1:127.0.0.1:6789/0");
	expect("v2:127.0.0.1", "noname-a=v2:127.0.0.1:3300/0");
	expect("v1:127.0.0.1:3300", "noname-a=v1:127.0.0.1:3300/0");
	expect("any:127.0.0.1:6789", "noname-a-legacy=v1:127.0.0.1:6789/0");
	expect("127.0.0.1:6789/123", "noname-a-legacy=v1:127.0.0.1:6789/123");
}

static void test_addrvecs(void **state)
{
	(void)state;
	/* The project's test cluster writes this form. */
	expect("[v2:127.0.0.1:40001,v1:127.0.0.1:40000]",
	       "noname-a=v2:127.0.0.1:40001/0|v1:127.0.0.1:40000/0");
	expect("[v2:127.0.0.1:3300/0,v1:127.0.0.1:6789/0]",
	       "noname-a=v2:127.0.0.1:3300/0|v1:127.0.0.1:6789/0");
	/* Without brackets every address is a mon of its own. */
	expect("v2:127.0.0.1:3300,v1:127.0.0.1:6789",
	       "noname-a=v2:127.0.0.1:3300/0;noname-b=v1:127.0.0.1:6789/0");
	expect("[v2:127.0.0.1:3300,v1:127.0.0.1:6789] "
	       "[v2:127.0.0.2:3300,v1:127.0.0.2:6789]",
	       "noname-a=v2:127.0.0.1:3300/0|v1:127.0.0.1:6789/0;"
	       "noname-b=v2:127.0.0.2:3300/0|v1:127.0.0.2:6789/0");
	expect("[v2:127.0.0.1:3300,v1:127.0.0.1:6789],"
	       "[v2:127.0.0.2:3300,v1:127.0.0.2:6789]",
	       "noname-a=v2:127.0.0.1:3300/0|v1:127.0.0.1:6789/0;"
	       "noname-b=v2:127.0.0.2:3300/0|v1:127.0.0.2:6789/0");
	/* A one-element vec is a lone address. */
	expect("[v2:127.0.0.1:3300]", "noname-a=v2:127.0.0.1:3300/0");
	/* Missing ports inside a vec: type defaults (Ceph leaves 0). */
	expect("[v2:127.0.0.1,v1:127.0.0.1]",
	       "noname-a=v2:127.0.0.1:3300/0|v1:127.0.0.1:6789/0");
	/* IPv6 inside a vec. */
	expect("[v2:[::1]:3300,v1:[::1]:6789]",
	       "noname-a=v2:[::1]:3300/0|v1:[::1]:6789/0");
}

static void test_lists_and_ipv6(void **state)
{
	(void)state;
	expect("127.0.0.1:6789, 127.0.0.2:6789",
	       "noname-a-legacy=v1:127.0.0.1:6789/0;"
	       "noname-b-legacy=v1:127.0.0.2:6789/0");
	expect("127.0.0.1:6789;127.0.0.2:6789 127.0.0.3:6789",
	       "noname-a-legacy=v1:127.0.0.1:6789/0;"
	       "noname-b-legacy=v1:127.0.0.2:6789/0;"
	       "noname-c-legacy=v1:127.0.0.3:6789/0");
	expect("[::1]:6789", "noname-a-legacy=v1:[::1]:6789/0");
	expect("[::1]", "noname-a=v2:[::1]:3300/0;"
			"noname-a-legacy=v1:[::1]:6789/0");
	expect("::1", "noname-a=v2:[::1]:3300/0;"
		      "noname-a-legacy=v1:[::1]:6789/0");
	expect("v2:fe80::1", "noname-a=v2:[fe80::1]:3300/0");
	/* Duplicates are dropped. */
	expect("127.0.0.1,127.0.0.1", "noname-a=v2:127.0.0.1:3300/0;"
				      "noname-a-legacy=v1:127.0.0.1:6789/0");
	expect("127.0.0.1:6789,", "noname-a-legacy=v1:127.0.0.1:6789/0");
}

static void test_bad_forms(void **state)
{
	struct cephc_conf_monlist l;
	static const char *const bad[] = {
	    "[v2:127.0.0.1:3300,v1:127.0.0.1:6789",
	    "foo.invalid",
	    "127.0.0.1:99999",
	    "127.0.0.1:6789 garbage!",
	    "1.2.3.4,,5.6.7.8",
	    "[]",
	    "[,]",
	    "v2:",
	    /* more addresses in one vec than CEPHC_CONF_MON_MAX_ADDRS */
	    ("[v2:1.1.1.1:1,v2:1.1.1.2:1,v2:1.1.1.3:1,v2:1.1.1.4:1,"
	     "v2:1.1.1.5:1]"),
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int rc = cephc_conf_parse_mon_host(bad[i], &l);

		assert_true(rc == CEPHC_EINVAL || rc == CEPHC_ETOOBIG);
		assert_int_equal(l.count, 0);
	}
	assert_int_equal(cephc_conf_parse_mon_host("", &l), CEPHC_ENOENT);
	assert_int_equal(cephc_conf_parse_mon_host(" ; ", &l), CEPHC_ENOENT);
}

static void test_too_many_mons(void **state)
{
	char buf[CEPHC_CONF_MAX_MONS * 24];
	struct cephc_conf_monlist l;
	size_t u = 0;

	(void)state;
	for (unsigned i = 0; i <= CEPHC_CONF_MAX_MONS; i++)
		u += (size_t)snprintf(buf + u, sizeof(buf) - u,
				      "10.0.%u.%u:6789 ", i / 256, i % 256);
	assert_int_equal(cephc_conf_parse_mon_host(buf, &l), CEPHC_ETOOBIG);
}

static void test_resolve_localhost(void **state)
{
	struct cephc_conf_monlist l;

	(void)state;
	/* "localhost" resolves through /etc/hosts, no network needed. */
	assert_int_equal(cephc_conf_resolve_mon_host("localhost:6789", &l), 0);
	assert_true(l.count >= 1);
	for (uint32_t i = 0; i < l.count; i++) {
		assert_int_equal(l.mons[i].addrs[0].type, CEPHC_ADDR_LEGACY);
		assert_int_equal(cephc_addr_port(&l.mons[i].addrs[0]), 6789);
	}
	cephc_conf_monlist_free(&l);
	/* Numeric input never touches DNS. */
	expect("127.0.0.1:3300", "noname-a=v2:127.0.0.1:3300/0");
	assert_int_equal(cephc_conf_resolve_mon_host("v2:localhost", &l),
			 CEPHC_EINVAL);
}

static void test_from_conf(void **state)
{
	static const char text[] =
	    "[global]\n"
	    "[mon.a]\nmon addr = 127.0.0.1:6789\n"
	    "[mon.b]\nmon_addr = [v2:127.0.0.2:3300,v1:127.0.0.2:6789]\n"
	    "[mon.c]\nhost = x\n"
	    "[mon.d]\nmon addr = 127.0.0.4\n"
	    "[mon.e]\nmon addr = v2:127.0.0.5\n";
	struct cephc_conf_monlist l;
	struct cephc_conf *c;
	char buf[512];

	(void)state;
	assert_int_equal(cephc_conf_create(&c), 0);
	assert_int_equal(cephc_conf_get_mons(c, &l), CEPHC_ENOENT);
	assert_non_null(strstr(cephc_conf_last_error(c), "no monitors"));
	assert_int_equal(cephc_conf_parse_text(c, text, strlen(text), NULL), 0);
	/* Ceph 16: mon.b's vec does not parse as "mon addr"; mon.c has
	 * none; an untyped or portless address is v1:6789. */
	assert_int_equal(cephc_conf_get_mons(c, &l), 0);
	render(&l, buf, sizeof(buf));
	assert_string_equal(buf, "a=v1:127.0.0.1:6789/0;"
				 "d=v1:127.0.0.4:6789/0;"
				 "e=v2:127.0.0.5:3300/0");
	cephc_conf_monlist_free(&l);

	/* mon_host wins over the sections; -m style override wins. */
	cephc_conf_set_level(c, CEPHC_CONF_CMDLINE, "mon_host",
			     "[v2:127.0.0.9:3300,v1:127.0.0.9:6789]");
	assert_int_equal(cephc_conf_get_mons(c, &l), 0);
	render(&l, buf, sizeof(buf));
	assert_string_equal(buf,
			    "noname-a=v2:127.0.0.9:3300/0|v1:127.0.0.9:6789/0");
	cephc_conf_monlist_free(&l);
	/* mon_host_override beats mon_host. */
	cephc_conf_set(c, "mon_host_override", "v1:127.0.0.8");
	assert_int_equal(cephc_conf_get_mons(c, &l), 0);
	render(&l, buf, sizeof(buf));
	assert_string_equal(buf, "noname-a=v1:127.0.0.8:6789/0");
	cephc_conf_monlist_free(&l);
	cephc_conf_set(c, "mon_host_override", "");
	/* (A form that fails before any DNS query is made.) */
	cephc_conf_set(c, "mon_host", "[v2:1.2.3.4:3300");
	assert_int_equal(cephc_conf_get_mons(c, &l), CEPHC_EINVAL);
	assert_non_null(strstr(cephc_conf_last_error(c), "[v2:1.2.3.4:3300"));
	cephc_conf_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_single_address_rules),
	    cmocka_unit_test(test_addrvecs),
	    cmocka_unit_test(test_lists_and_ipv6),
	    cmocka_unit_test(test_bad_forms),
	    cmocka_unit_test(test_too_many_mons),
	    cmocka_unit_test(test_resolve_localhost),
	    cmocka_unit_test(test_from_conf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
