/* SPDX-License-Identifier: MIT */
/*
 * Every allocation of the conf parsers fails in turn: each call must
 * return CEPHC_ENOMEM (or succeed) without crashing or leaking (the ASan
 * build checks the leaks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cephc/cephc.h"
#include "conf/conf.h"
#include "core/alloc.h"

static long countdown = -1; /* fail when it reaches 0; -1: never */

static bool should_fail(void)
{
	if (countdown < 0)
		return false;
	return countdown-- == 0;
}

static void *t_malloc(size_t n)
{
	return should_fail() ? NULL : malloc(n);
}

static void *t_realloc(void *p, size_t n)
{
	return should_fail() ? NULL : realloc(p, n);
}

static void *t_calloc(size_t a, size_t b)
{
	return should_fail() ? NULL : calloc(a, b);
}

static const char conf_text[] =
    "[global]\nmon host = [v2:127.0.0.1:3300,v1:127.0.0.1:6789] "
    "10.0.0.2\nlog file = $run_dir/$cluster-$name.log\n"
    "[client]\nk = \"quoted \\\" value\"\n[client.admin]\nk = x\\\ny\n"
    "[mon.a]\nmon addr = 10.0.0.3\n";

static const char keyring_text[] =
    "[client.admin]\n\tkey = AQCdVgJrV1ptGBAAl8VkmhHMxEG8/8CQsu1KCg==\n"
    "\tcaps mon = \"allow *\"\n\tcaps osd = \"allow rwx\"\n"
    "[client.bob]\n\tkey = AQCdVgJrTM1YHBAAsfgOgxF6Ot901lM0Nl9qiA==\n";

/* One run of everything that allocates; returns the first error. */
static int run_once(void)
{
	struct cephc_conf_file f;
	struct cephc_keyring kr;
	struct cephc_conf_monlist ml;
	struct cephc_conf *c;
	char *v;
	int rc;

	rc = cephc_conf_file_parse(conf_text, strlen(conf_text), &f, NULL);
	if (rc)
		return rc;
	cephc_conf_file_free(&f);
	rc = cephc_keyring_parse(keyring_text, strlen(keyring_text), &kr, NULL);
	if (rc)
		return rc;
	cephc_keyring_free(&kr);
	rc = cephc_conf_create(&c);
	if (rc)
		return rc;
	char a0[] = "--id", a1[] = "admin", a2[] = "-m", a3[] = "10.0.0.9",
	     a4[] = "ls";
	char *argv[] = {a0, a1, a2, a3, a4};
	int n;
	rc = cephc_conf_parse_text(c, conf_text, strlen(conf_text), NULL);
	if (!rc)
		rc = cephc_conf_parse_env(c, "--debug-ms 1 --keyring /k");
	if (!rc)
		rc = cephc_conf_parse_argv(c, 5, argv, &n);
	if (!rc)
		rc = cephc_conf_get_str(c, "log_file", &v);
	if (!rc) {
		cephc_free(v);
		rc = cephc_conf_get_mons(c, &ml);
	}
	if (!rc) {
		uint8_t key[64];

		cephc_conf_monlist_free(&ml);
		rc = cephc_conf_set(c, "key",
				    "AQCdVgJrTM1YHBAAsfgOgxF6Ot901lM0Nl9qiA==");
		if (!rc)
			rc = cephc_conf_load_secret(c, key, sizeof(key));
		if (rc == 28)
			rc = cephc_conf_get_mons(c, &ml);
	}
	if (!rc)
		cephc_conf_monlist_free(&ml);
	cephc_conf_destroy(c);
	return rc;
}

static void test_each_allocation_fails(void **state)
{
	long i;
	int rc;

	(void)state;
	assert_int_equal(
	    cephc_set_allocator(t_malloc, t_realloc, t_calloc, free), 0);
	for (i = 0; i < 10000; i++) {
		countdown = i;
		rc = run_once();
		if (countdown >= 0) {
			/* Never reached the failing allocation: done. */
			assert_int_equal(rc, 0);
			break;
		}
		assert_int_equal(rc, CEPHC_ENOMEM);
	}
	countdown = -1;
	assert_true(i > 20);
	assert_true(i < 10000);
	cephc_set_allocator(NULL, NULL, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_each_allocation_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
