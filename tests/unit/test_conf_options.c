/* SPDX-License-Identifier: MIT */
/*
 * Configuration handle: section precedence, levels, $meta expansion,
 * typed values, command line and CEPH_ARGS.  Expected behaviour was
 * checked against librados 16.2.15 (rados_conf_set/get) and ceph-conf.
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
#include "conf/conf_internal.h"
#include "core/alloc.h"

static struct cephc_conf *C;

static int setup(void **state)
{
	(void)state;
	return cephc_conf_create(&C);
}

static int teardown(void **state)
{
	(void)state;
	cephc_conf_destroy(C);
	C = NULL;
	return 0;
}

static void text(const char *s)
{
	struct cephc_conf_error err;

	assert_int_equal(cephc_conf_parse_text(C, s, strlen(s), &err), 0);
}

/* Expanded value, compared and freed. */
static void expect_str(const char *key, const char *want)
{
	char *v = NULL;

	assert_int_equal(cephc_conf_get_str(C, key, &v), 0);
	assert_string_equal(v, want);
	cephc_free(v);
}

static const char *conf_text = "[global]\nk = global\nonly_global = g\n"
			       "[client]\nk = client\nonly_client = c\n"
			       "[client.admin]\nk = admin\n"
			       "[client.other]\nk = other\n"
			       "[osd]\nk = osd\n";

/* A message built from the current one (a cause wrapped in context) must
 * read as written: formatting into the buffer being read is undefined
 * (cephc once printed such a message twice). */
static void test_error_message_may_quote_itself(void **state)
{
	struct cephc_conf *c;

	(void)state;
	assert_int_equal(cephc_conf_create(&c), 0);
	conf_set_error(c, "cannot open %s", "/x/keyring");
	conf_set_error(c, "no key for client.admin: %s",
		       cephc_conf_last_error(c));
	assert_string_equal(cephc_conf_last_error(c),
			    "no key for client.admin: cannot open /x/keyring");
	cephc_conf_destroy(c);
}

static void test_section_precedence(void **state)
{
	(void)state;
	text(conf_text);
	assert_string_equal(cephc_conf_name(C), "client.admin");
	assert_string_equal(cephc_conf_get_raw(C, "k"), "admin");
	assert_string_equal(cephc_conf_get_raw(C, "only_client"), "c");
	assert_string_equal(cephc_conf_get_raw(C, "only global"), "g");
	assert_int_equal(cephc_conf_set_id(C, "nobody"), 0);
	assert_string_equal(cephc_conf_get_raw(C, "k"), "client");
	assert_int_equal(cephc_conf_set_name(C, "osd.3"), 0);
	assert_string_equal(cephc_conf_get_raw(C, "k"), "osd");
	assert_null(cephc_conf_get_raw(C, "only_client"));
	assert_int_equal(cephc_conf_set_name(C, "bogus.1"), CEPHC_EINVAL);
	assert_int_equal(cephc_conf_set_name(C, "client"), CEPHC_EINVAL);
	assert_string_equal(cephc_conf_name(C), "osd.3");
}

static void test_levels(void **state)
{
	(void)state;
	text(conf_text);
	assert_int_equal(
	    cephc_conf_set_level(C, CEPHC_CONF_CMDLINE, "k", "cmdline"), 0);
	assert_int_equal(cephc_conf_set_level(C, CEPHC_CONF_ENV, "k", "env"),
			 0);
	assert_string_equal(cephc_conf_get_raw(C, "k"), "cmdline");
	assert_int_equal(cephc_conf_set(C, "k", "api"), 0);
	assert_string_equal(cephc_conf_get_raw(C, "k"), "api");
	/* Replacing at the same level. */
	assert_int_equal(cephc_conf_set(C, "k", "api2"), 0);
	assert_string_equal(cephc_conf_get_raw(C, "k"), "api2");
	/* API names normalize whitespace like the file does. */
	assert_int_equal(cephc_conf_set(C, "mon  host", "1.1.1.1"), 0);
	assert_string_equal(cephc_conf_get_raw(C, "mon_host"), "1.1.1.1");
	assert_int_equal(cephc_conf_set_level(C, CEPHC_CONF_FILE, "k", "x"),
			 CEPHC_EINVAL);
	assert_int_equal(cephc_conf_set(C, "  ", "x"), CEPHC_EINVAL);
}

static void test_defaults(void **state)
{
	(void)state;
	assert_string_equal(cephc_conf_get_raw(C, "auth_client_required"),
			    "cephx, none");
	assert_string_equal(cephc_conf_get_raw(C, "mon_host"), "");
	assert_null(cephc_conf_get_raw(C, "no_such_option"));
	expect_str("keyring",
		   "/etc/ceph/ceph.client.admin.keyring,/etc/ceph/"
		   "ceph.keyring,/etc/ceph/keyring,/etc/ceph/keyring.bin,");
	assert_non_null(cephc_conf_find_option("debug_ms"));
	assert_null(cephc_conf_find_option("debug_"));
	/* Unknown options from a file are kept. */
	text("[global]\nfoo bar = baz\n");
	assert_string_equal(cephc_conf_get_raw(C, "foo_bar"), "baz");
}

static void test_meta_expansion(void **state)
{
	char *v;

	(void)state;
	cephc_conf_set_host(C, "vm");
	cephc_conf_set_pid(C, 42);
	cephc_conf_set_cluster(C, "prod");
	/* librados 16.2.15 gives the same for these (host "vm"). */
	cephc_conf_set(C, "log_file",
		       "$cluster-$name-$type-$id-${id}-$host-$num-$run_dir-"
		       "$nope-$pid");
	expect_str("log_file", "prod-client.admin-client-admin-admin-vm-"
			       "admin-/var/run/ceph-$nope-42");
	cephc_conf_set(C, "log_file", "a$");
	expect_str("log_file", "a$");
	cephc_conf_set(C, "log_file", "$$id");
	expect_str("log_file", "$admin");
	cephc_conf_set(C, "log_file", "${cluster}x${}");
	expect_str("log_file", "prodx$");
	cephc_conf_set(C, "log_file", "${bad-x");
	expect_str("log_file", "$-x");
	/* Names are [a-z_]+: "$id.x" is $id then ".x"; "$ID" is literal. */
	cephc_conf_set(C, "log_file", "$id.x $ID");
	expect_str("log_file", "admin.x $ID");
	/* Option references, and a loop stops. */
	cephc_conf_set(C, "admin_socket", "$log_file");
	cephc_conf_set(C, "log_file", "$admin_socket");
	expect_str("log_file", "$log_file");
	cephc_conf_set(C, "mine", "<$run_dir>");
	expect_str("mine", "</var/run/ceph>");
	/* Exponential growth is capped. */
	cephc_conf_set(C, "aa",
		       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	cephc_conf_set(C, "ab", "$aa$aa$aa$aa$aa$aa$aa$aa");
	cephc_conf_set(C, "ac", "$ab$ab$ab$ab$ab$ab$ab$ab");
	cephc_conf_set(C, "ad", "$ac$ac$ac$ac$ac$ac$ac$ac");
	cephc_conf_set(C, "ae", "$ad$ad$ad$ad$ad$ad$ad$ad");
	assert_int_equal(cephc_conf_get_str(C, "ae", &v), CEPHC_ETOOBIG);
	/* Wide and deep but empty: stopped by the substitution budget. */
	cephc_conf_set(C, "ba", "");
	cephc_conf_set(C, "bb", "$ba$ba$ba$ba$ba$ba$ba$ba$ba$ba$ba$ba$ba$ba");
	cephc_conf_set(C, "bc", "$bb$bb$bb$bb$bb$bb$bb$bb$bb$bb$bb$bb$bb$bb");
	cephc_conf_set(C, "bd", "$bc$bc$bc$bc$bc$bc$bc$bc$bc$bc$bc$bc$bc$bc");
	cephc_conf_set(C, "be", "$bd$bd$bd$bd$bd$bd$bd$bd$bd$bd$bd$bd$bd$bd");
	cephc_conf_set(C, "bf", "$be$be$be$be$be$be$be$be$be$be$be$be$be$be");
	cephc_conf_set(C, "bg", "$bf$bf$bf$bf$bf$bf$bf$bf$bf$bf$bf$bf$bf$bf");
	assert_int_equal(cephc_conf_get_str(C, "bg", &v), CEPHC_ETOOBIG);
	assert_int_equal(cephc_conf_get_str(C, "bc", &v), 0);
	assert_string_equal(v, "");
	cephc_free(v);
	assert_int_equal(cephc_conf_get_str(C, "nothing", &v), CEPHC_ENOENT);
	/* $cluster defaults to "ceph" before any file names it. */
	cephc_conf_destroy(C);
	cephc_conf_create(&C);
	assert_int_equal(cephc_conf_expand(C, "/etc/ceph/$cluster.conf", &v),
			 0);
	assert_string_equal(v, "/etc/ceph/ceph.conf");
	cephc_free(v);
}

static void test_typed_parsers(void **state)
{
	int64_t i;
	uint64_t u;
	bool b;

	(void)state;
	assert_int_equal(cephc_conf_parse_int(" 42 ", &i), 0);
	assert_int_equal(i, 42);
	assert_int_equal(cephc_conf_parse_int("-7", &i), 0);
	assert_int_equal(i, -7);
	assert_int_equal(cephc_conf_parse_int("0x10", &i), 0);
	assert_int_equal(i, 16);
	assert_int_equal(cephc_conf_parse_int("3K", &i), 0);
	assert_int_equal(i, 3000);
	assert_int_equal(cephc_conf_parse_int("9223372036854775807", &i), 0);
	assert_int_equal(cephc_conf_parse_int("9223372036854775808", &i),
			 CEPHC_EINVAL);
	assert_int_equal(cephc_conf_parse_int("-9223372036854775808", &i), 0);
	assert_true(i == INT64_MIN);
	assert_int_equal(cephc_conf_parse_int("12x", &i), CEPHC_EINVAL);
	assert_int_equal(cephc_conf_parse_int("", &i), CEPHC_EINVAL);
	assert_int_equal(cephc_conf_parse_int("99999999999E", &i),
			 CEPHC_EINVAL);

	assert_int_equal(cephc_conf_parse_bool("TRUE", &b), 0);
	assert_true(b);
	assert_int_equal(cephc_conf_parse_bool("false", &b), 0);
	assert_false(b);
	assert_int_equal(cephc_conf_parse_bool("0", &b), 0);
	assert_false(b);
	assert_int_equal(cephc_conf_parse_bool("2", &b), 0);
	assert_true(b);
	assert_int_equal(cephc_conf_parse_bool("maybe", &b), CEPHC_EINVAL);

	assert_int_equal(cephc_conf_parse_size("4M", &u), 0);
	assert_int_equal(u, 4u << 20);
	assert_int_equal(cephc_conf_parse_size("1G", &u), 0);
	assert_int_equal(u, 1u << 30);
	assert_int_equal(cephc_conf_parse_size("4MiB", &u), 0);
	assert_int_equal(u, 4u << 20);
	assert_int_equal(cephc_conf_parse_size("512", &u), 0);
	assert_int_equal(u, 512);
	assert_int_equal(cephc_conf_parse_size("512B", &u), 0);
	assert_int_equal(u, 512);
	assert_int_equal(cephc_conf_parse_size("2k", &u), 0);
	assert_int_equal(u, 2048);
	assert_int_equal(cephc_conf_parse_size("16E", &u), CEPHC_EINVAL);
	assert_int_equal(cephc_conf_parse_size("-1", &u), CEPHC_EINVAL);
	assert_int_equal(cephc_conf_parse_size("1X", &u), CEPHC_EINVAL);
	assert_int_equal(cephc_conf_parse_size("1Mx", &u), CEPHC_EINVAL);

	assert_int_equal(cephc_conf_parse_duration_ms("30", &u), 0);
	assert_int_equal(u, 30000);
	assert_int_equal(cephc_conf_parse_duration_ms("5s", &u), 0);
	assert_int_equal(u, 5000);
	assert_int_equal(cephc_conf_parse_duration_ms("1.5", &u), 0);
	assert_int_equal(u, 1500);
	assert_int_equal(cephc_conf_parse_duration_ms("250ms", &u), 0);
	assert_int_equal(u, 250);
	assert_int_equal(cephc_conf_parse_duration_ms("1h 30m", &u), 0);
	assert_int_equal(u, 5400000);
	assert_int_equal(cephc_conf_parse_duration_ms("2 min", &u), 0);
	assert_int_equal(u, 120000);
	assert_int_equal(cephc_conf_parse_duration_ms("1d", &u), 0);
	assert_int_equal(u, 86400000);
	assert_int_equal(cephc_conf_parse_duration_ms("1 fortnight", &u),
			 CEPHC_EINVAL);
	assert_int_equal(cephc_conf_parse_duration_ms("", &u), CEPHC_EINVAL);
	assert_int_equal(cephc_conf_parse_duration_ms("s", &u), CEPHC_EINVAL);
	assert_int_equal(
	    cephc_conf_parse_duration_ms("99999999999999999999w", &u),
	    CEPHC_EINVAL);
}

static void test_typed_getters(void **state)
{
	int64_t i;
	uint64_t u;
	bool b;

	(void)state;
	text("[global]\nclient mount timeout = 5m\nms_bind_ipv6 = true\n"
	     "objecter_inflight_op_bytes = 8M\nbad_int = x\n");
	assert_int_equal(
	    cephc_conf_get_duration_ms(C, "client_mount_timeout", 1, &u), 0);
	assert_int_equal(u, 300000);
	assert_int_equal(
	    cephc_conf_get_duration_ms(C, "rados_osd_op_timeout", 1, &u), 0);
	assert_int_equal(u, 0);
	assert_int_equal(cephc_conf_get_bool(C, "ms_bind_ipv6", false, &b), 0);
	assert_true(b);
	assert_int_equal(cephc_conf_get_bool(C, "ms_bind_msgr1", false, &b), 0);
	assert_true(b);
	assert_int_equal(
	    cephc_conf_get_size(C, "objecter_inflight_op_bytes", 0, &u), 0);
	assert_int_equal(u, 8u << 20);
	assert_int_equal(cephc_conf_get_int(C, "missing", 77, &i), 0);
	assert_int_equal(i, 77);
	assert_int_equal(cephc_conf_get_int(C, "bad_int", 77, &i),
			 CEPHC_EINVAL);
	assert_int_equal(i, 77);
	assert_int_equal(
	    cephc_conf_get_int(C, "mon_client_hunt_parallel", 0, &i), 0);
	assert_int_equal(i, 3);
}

static void test_argv(void **state)
{
	char *argv[] = {"ls",
			"-p",
			"rbd",
			"--id",
			"foo",
			"-c",
			"/x.conf",
			"--mon-host",
			"1.2.3.4",
			"-k",
			"/kr",
			"--format",
			"json",
			"--rados-osd-op-timeout=5",
			"--debug-ms",
			"1",
			"--no-ms-bind-ipv4",
			"--ms_bind_ipv6",
			"--cluster",
			"c1",
			"--unknown-opt",
			"--",
			"--id",
			"bar"};
	int argc = (int)(sizeof(argv) / sizeof(*argv)), n = -1;
	bool b;

	(void)state;
	assert_int_equal(cephc_conf_parse_argv(C, argc, argv, &n), 0);
	assert_int_equal(n, 9);
	assert_string_equal(argv[0], "ls");
	assert_string_equal(argv[1], "-p");
	assert_string_equal(argv[2], "rbd");
	assert_string_equal(argv[3], "--format");
	assert_string_equal(argv[4], "json");
	assert_string_equal(argv[5], "--unknown-opt");
	assert_string_equal(argv[6], "--");
	assert_string_equal(argv[7], "--id");
	assert_string_equal(argv[8], "bar");
	assert_string_equal(cephc_conf_name(C), "client.foo");
	assert_string_equal(cephc_conf_cluster(C), "c1");
	assert_string_equal(cephc_conf_get_raw(C, "mon_host"), "1.2.3.4");
	assert_string_equal(cephc_conf_get_raw(C, "keyring"), "/kr");
	assert_string_equal(cephc_conf_get_raw(C, "rados_osd_op_timeout"), "5");
	assert_string_equal(cephc_conf_get_raw(C, "debug_ms"), "1");
	assert_int_equal(cephc_conf_get_bool(C, "ms_bind_ipv4", true, &b), 0);
	assert_false(b);
	assert_int_equal(cephc_conf_get_bool(C, "ms_bind_ipv6", false, &b), 0);
	assert_true(b);

	/* Later wins: --id then -n; -n then --id keeps the type. */
	char *a2[] = {"--id", "foo", "-n", "osd.1"};
	assert_int_equal(cephc_conf_parse_argv(C, 4, a2, &n), 0);
	assert_string_equal(cephc_conf_name(C), "osd.1");
	char *a3[] = {"-n", "mon.x", "--user=bar"};
	assert_int_equal(cephc_conf_parse_argv(C, 3, a3, &n), 0);
	assert_string_equal(cephc_conf_name(C), "mon.bar");
	/* -i is not --id for clients (rados uses it for input files). */
	char *a4[] = {"-i", "file"};
	assert_int_equal(cephc_conf_parse_argv(C, 2, a4, &n), 0);
	assert_int_equal(n, 2);
	/* Missing value, bad name. */
	char *a5[] = {"-m"};
	assert_int_equal(cephc_conf_parse_argv(C, 1, a5, &n), CEPHC_EINVAL);
	assert_non_null(strstr(cephc_conf_last_error(C), "-m"));
	char *a6[] = {"--name", "nodot"};
	assert_int_equal(cephc_conf_parse_argv(C, 2, a6, &n), CEPHC_EINVAL);
	char *a7[] = {"--ms-bind-ipv6=perhaps"};
	assert_int_equal(cephc_conf_parse_argv(C, 1, a7, &n), CEPHC_EINVAL);
}

static void test_env(void **state)
{
	(void)state;
	text("[global]\nmon host = 9.9.9.9\n");
	/* CEPH_ARGS beats the file, argv beats CEPH_ARGS. */
	assert_int_equal(cephc_conf_parse_env(C, "--mon-host 7.7.7.7  --id x"),
			 0);
	assert_string_equal(cephc_conf_get_raw(C, "mon_host"), "7.7.7.7");
	assert_string_equal(cephc_conf_name(C), "client.x");
	char *argv[] = {"-m", "6.6.6.6"};
	int n;
	assert_int_equal(cephc_conf_parse_argv(C, 2, argv, &n), 0);
	assert_string_equal(cephc_conf_get_raw(C, "mon_host"), "6.6.6.6");
	/* No quoting in CEPH_ARGS (as Ceph). */
	assert_int_equal(cephc_conf_parse_env(C, "--id \"a b\""), 0);
	assert_string_equal(cephc_conf_id(C), "\"a");
	assert_int_equal(cephc_conf_parse_env(C, NULL), 0);
	assert_int_equal(cephc_conf_parse_env(C, ""), 0);
	assert_int_equal(cephc_conf_parse_env(C, "--keyring"), CEPHC_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_error_message_may_quote_itself),
	    cmocka_unit_test_setup_teardown(test_section_precedence, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_levels, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_meta_expansion, setup,
					    teardown),
	    cmocka_unit_test(test_typed_parsers),
	    cmocka_unit_test_setup_teardown(test_typed_getters, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_argv, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_env, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
