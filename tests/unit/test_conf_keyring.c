/* SPDX-License-Identifier: MIT */
/*
 * Base64, keyrings, the secret search (key > keyfile > keyring list) and
 * the ceph.conf search list, with temporary directories and setenv.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "cephc/errors.h"
#include "conf/conf.h"
#include "core/alloc.h"
#include "log_capture.h"

/* Written by ceph-authtool 16.2.15 (--gen-key, --cap). */
static const char authtool_keyring[] =
    "[client.admin]\n"
    "\tkey = AQCdVgJrV1ptGBAAl8VkmhHMxEG8/8CQsu1KCg==\n"
    "\tcaps mon = \"allow *\"\n"
    "\tcaps osd = \"allow rwx\"\n"
    "[client.bob]\n"
    "\tkey = AQCdVgJrTM1YHBAAsfgOgxF6Ot901lM0Nl9qiA==\n";

/* base64 -d of the admin key: le16 type 1, utime, le16 len 16, secret. */
static const uint8_t admin_key[28] = {0x01, 0x00, 0x9d, 0x56, 0x02, 0x6b, 0x57,
				      0x5a, 0x6d, 0x18, 0x10, 0x00, 0x97, 0xc5,
				      0x64, 0x9a, 0x11, 0xcc, 0xc4, 0x41, 0xbc,
				      0xff, 0xc0, 0x90, 0xb2, 0xed, 0x4a, 0x0a};

static int b64(const char *s, uint8_t *out, size_t cap)
{
	return cephc_base64_decode(s, strlen(s), out, cap);
}

static void test_base64(void **state)
{
	uint8_t o[64];

	(void)state;
	assert_int_equal(b64("", o, sizeof(o)), 0);
	assert_int_equal(b64("TWFu", o, sizeof(o)), 3);
	assert_memory_equal(o, "Man", 3);
	assert_int_equal(b64("TWE=", o, sizeof(o)), 2);
	assert_memory_equal(o, "Ma", 2);
	assert_int_equal(b64("TQ==", o, sizeof(o)), 1);
	assert_memory_equal(o, "M", 1);
	/* Newlines between groups (armor.c), trailing whitespace after
	 * padding (a keyfile's final newline). */
	assert_int_equal(b64("TWFu\nTWFu\r\n", o, sizeof(o)), 6);
	assert_int_equal(b64("TQ==\n", o, sizeof(o)), 1);
	assert_int_equal(b64("TQ==  \r\n", o, sizeof(o)), 1);
	/* URL-safe alphabet, as Ceph's decoder accepts. */
	assert_int_equal(b64("-_-_", o, sizeof(o)), 3);
	assert_int_equal(o[0], 0xfb);
	/* Malformed. */
	assert_int_equal(b64("TWF", o, sizeof(o)), CEPHC_EINVAL);
	assert_int_equal(b64("TW=u", o, sizeof(o)), CEPHC_EINVAL);
	assert_int_equal(b64("T===", o, sizeof(o)), CEPHC_EINVAL);
	assert_int_equal(b64("====", o, sizeof(o)), CEPHC_EINVAL);
	assert_int_equal(b64("TQ==TWFu", o, sizeof(o)), CEPHC_EINVAL);
	assert_int_equal(b64("TW u", o, sizeof(o)), CEPHC_EINVAL);
	assert_int_equal(b64("TWFu ", o, sizeof(o)), CEPHC_EINVAL);
	assert_int_equal(b64("TWE*", o, sizeof(o)), CEPHC_EINVAL);
	/* Output bound. */
	assert_int_equal(b64("TWFuTWFu", o, 5), CEPHC_ERANGE);
}

static void test_keyring_parse(void **state)
{
	const struct cephc_keyring_entity *e;
	struct cephc_conf_error err;
	struct cephc_keyring kr;

	(void)state;
	assert_int_equal(cephc_keyring_parse(authtool_keyring,
					     strlen(authtool_keyring), &kr,
					     &err),
			 0);
	assert_int_equal(kr.count, 2);
	e = cephc_keyring_find(&kr, "client.admin");
	assert_non_null(e);
	assert_int_equal(e->key_len, 28);
	assert_memory_equal(e->key, admin_key, 28);
	assert_int_equal(e->ncaps, 2);
	assert_string_equal(e->caps[0].service, "mon");
	assert_string_equal(e->caps[0].caps, "allow *");
	assert_string_equal(e->caps[1].caps, "allow rwx");
	e = cephc_keyring_find(&kr, "client.bob");
	assert_non_null(e);
	assert_int_equal(e->ncaps, 0);
	assert_null(cephc_keyring_find(&kr, "client.carol"));
	cephc_keyring_free(&kr);
}

static void test_keyring_variants(void **state)
{
	static const char ok[] =
	    "[global]\nanything = goes\n"
	    "[osd.0]\nkey=AQCdVgJrV1ptGBAAl8VkmhHMxEG8/8CQsu1KCg==\n"
	    "caps_mon = 'allow profile osd'\nauid = 0\n"
	    "caps mon = \"allow r\"\n";
	static const char *const bad[] = {
	    "[client.admin]\nkey = not*base64\n",
	    "[client.admin]\ncolor = blue\n",
	    "[admin]\nkey = AQ==\n",
	    "[client.admin]\ncaps = x\n",
	    "[client.admin\n",
	};
	struct cephc_conf_error err;
	struct cephc_keyring kr;

	(void)state;
	assert_int_equal(cephc_keyring_parse(ok, strlen(ok), &kr, &err), 0);
	assert_int_equal(kr.count, 1);
	/* "caps_mon" is "caps mon"; the later line wins. */
	assert_int_equal(kr.entities[0].ncaps, 1);
	assert_string_equal(kr.entities[0].caps[0].caps, "allow r");
	cephc_keyring_free(&kr);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		err.msg[0] = '\0';
		assert_int_equal(
		    cephc_keyring_parse(bad[i], strlen(bad[i]), &kr, &err),
		    CEPHC_EINVAL);
		assert_true(err.msg[0] != '\0');
		assert_int_equal(kr.count, 0);
	}
}

/* --- files ---------------------------------------------------------------- */

static char dir[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	/* As ceph-authtool writes them; tests that want more say so. */
	assert_int_equal(chmod(path, 0600), 0);
}

static int make_dir(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/cephc-conf-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	unsetenv("CEPH_CONF");
	unsetenv("CEPH_ARGS");
	unsetenv("CEPH_KEYRING");
	return 0;
}

static int remove_dir(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *path_of(const char *name)
{
	static char p[4][256];
	static int i;

	i = (i + 1) % 4;
	snprintf(p[i], sizeof(p[i]), "%s/%s", dir, name);
	return p[i];
}

static void test_read_file_search(void **state)
{
	struct cephc_conf *c;
	char list[600];

	(void)state;
	write_file("b.conf", "[global]\nmon host = 9.9.9.9\n");
	write_file("bad.conf", "[global\n");
	assert_int_equal(cephc_conf_create(&c), 0);

	/* The first file that exists; missing ones are skipped. */
	snprintf(list, sizeof(list), "%s,%s", path_of("none.conf"),
		 path_of("b.conf"));
	assert_int_equal(cephc_conf_read_file(c, list), 0);
	assert_string_equal(cephc_conf_get_raw(c, "mon_host"), "9.9.9.9");
	/* The cluster name comes from the file name. */
	assert_string_equal(cephc_conf_cluster(c), "b");
	/* ';' separates too; spaces do not (Ceph 16). */
	snprintf(list, sizeof(list), "%s;%s", path_of("none.conf"),
		 path_of("b.conf"));
	assert_int_equal(cephc_conf_read_file(c, list), 0);
	snprintf(list, sizeof(list), "%s %s", path_of("none.conf"),
		 path_of("b.conf"));
	assert_int_equal(cephc_conf_read_file(c, list), CEPHC_ENOENT);
	assert_non_null(strstr(cephc_conf_last_error(c), "none.conf"));
	/* A parse error stops the search with the file and line. */
	snprintf(list, sizeof(list), "%s,%s", path_of("bad.conf"),
		 path_of("b.conf"));
	assert_int_equal(cephc_conf_read_file(c, list), CEPHC_EINVAL);
	assert_non_null(strstr(cephc_conf_last_error(c), "bad.conf"));
	assert_non_null(strstr(cephc_conf_last_error(c), "line 1"));
	cephc_conf_destroy(c);

	/* CEPH_CONF, then -c beats it. */
	assert_int_equal(cephc_conf_create(&c), 0);
	setenv("CEPH_CONF", path_of("b.conf"), 1);
	assert_int_equal(cephc_conf_read_file(c, NULL), 0);
	assert_string_equal(cephc_conf_get_raw(c, "mon_host"), "9.9.9.9");
	write_file("c.conf", "[global]\nmon host = 8.8.8.8\n");
	char *argv[] = {"-c", path_of("c.conf")};
	int n;
	assert_int_equal(cephc_conf_parse_argv(c, 2, argv, &n), 0);
	assert_int_equal(cephc_conf_read_file(c, NULL), 0);
	assert_string_equal(cephc_conf_get_raw(c, "mon_host"), "8.8.8.8");
	unsetenv("CEPH_CONF");
	cephc_conf_destroy(c);

	/* Default list: $HOME/.ceph/$cluster.conf. */
	char home[128];
	snprintf(home, sizeof(home), "%s/home", dir);
	mkdir(home, 0700);
	snprintf(list, sizeof(list), "%s/.ceph", home);
	mkdir(list, 0700);
	write_file("home/.ceph/zz.conf", "[global]\nmon host = 7.7.7.7\n");
	setenv("HOME", home, 1);
	assert_int_equal(cephc_conf_create(&c), 0);
	cephc_conf_set_cluster(c, "zz");
	assert_int_equal(cephc_conf_read_file(c, NULL), 0);
	assert_string_equal(cephc_conf_get_raw(c, "mon_host"), "7.7.7.7");
	cephc_conf_set_cluster(c, "nonexistent-cluster");
	assert_int_equal(cephc_conf_read_file(c, NULL), CEPHC_ENOENT);
	assert_non_null(strstr(cephc_conf_last_error(c),
			       "/etc/ceph/nonexistent-cluster.conf"));
	cephc_conf_destroy(c);
}

static void test_secret_sources(void **state)
{
	struct cephc_conf *c;
	uint8_t key[64];
	char list[600];

	(void)state;
	write_file("kr", authtool_keyring);
	write_file("keyfile", "AQCdVgJrTM1YHBAAsfgOgxF6Ot901lM0Nl9qiA==\n");
	assert_int_equal(cephc_conf_create(&c), 0);

	/* Keyring search list: first file that opens. */
	snprintf(list, sizeof(list), "%s,%s", path_of("missing"),
		 path_of("kr"));
	cephc_conf_set(c, "keyring", list);
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	assert_memory_equal(key, admin_key, 28);

	/* An entity that the keyring lacks. */
	cephc_conf_set_id(c, "carol");
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)),
			 CEPHC_ENOENT);
	assert_non_null(strstr(cephc_conf_last_error(c), "client.carol"));

	/* keyfile beats the keyring, key beats both at the same level. */
	cephc_conf_set(c, "keyfile", path_of("keyfile"));
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	assert_int_equal(key[2], 0x9d);
	assert_int_equal(key[12], 0xb1);
	/* A key from a lower level (here the environment) loses to the
	 * API's keyfile, as Ceph's -K overrides a key in ceph.conf. */
	cephc_conf_set_level(c, CEPHC_CONF_ENV, "key",
			     "AQCdVgJrV1ptGBAAl8VkmhHMxEG8/8CQsu1KCg==");
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	assert_int_equal(key[12], 0xb1);
	cephc_conf_set(c, "key", "AQCdVgJrV1ptGBAAl8VkmhHMxEG8/8CQsu1KCg==");
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	assert_memory_equal(key, admin_key, 28);
	cephc_conf_set(c, "key", "bad!");
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)),
			 CEPHC_EINVAL);
	cephc_conf_destroy(c);

	/* No keyring anywhere: the message lists every path tried. */
	assert_int_equal(cephc_conf_create(&c), 0);
	snprintf(list, sizeof(list), "%s/$cluster.$name.keyring,%s", dir,
		 path_of("nokr"));
	cephc_conf_set(c, "keyring", list);
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)),
			 CEPHC_ENOENT);
	assert_non_null(
	    strstr(cephc_conf_last_error(c), "ceph.client.admin.keyring"));
	assert_non_null(strstr(cephc_conf_last_error(c), "nokr"));
	/* $cluster.$name expansion finds the file. */
	write_file("ceph.client.admin.keyring", authtool_keyring);
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	/* CEPH_KEYRING sets the list at the environment level. */
	cephc_conf_destroy(c);
	assert_int_equal(cephc_conf_create(&c), 0);
	setenv("CEPH_KEYRING", path_of("kr"), 1);
	setenv("CEPH_ARGS", "--id bob", 1);
	assert_int_equal(cephc_conf_apply_environment(c), 0);
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	assert_int_equal(key[12], 0xb1);
	unsetenv("CEPH_KEYRING");
	unsetenv("CEPH_ARGS");
	/* Too small an output buffer. */
	assert_int_equal(cephc_conf_load_secret(c, key, 8), CEPHC_ERANGE);
	cephc_conf_destroy(c);
}

static void test_init_tool(void **state)
{
	struct cephc_conf *c;
	char err[256];
	int n = -1;

	(void)state;
	write_file("t.conf", "[global]\nmon host = 10.0.0.1\n"
			     "[client.bob]\nkeyring = /bob\n");
	char *argv[] = {"-c", path_of("t.conf"), "--id", "bob", "lspools"};
	assert_int_equal(
	    cephc_conf_init_tool(5, argv, &n, &c, err, sizeof(err)), 0);
	assert_int_equal(n, 1);
	assert_string_equal(argv[0], "lspools");
	assert_string_equal(cephc_conf_name(c), "client.bob");
	assert_string_equal(cephc_conf_cluster(c), "t");
	assert_string_equal(cephc_conf_get_raw(c, "keyring"), "/bob");
	cephc_conf_destroy(c);

	/* An explicit -c that does not exist is fatal (global_init)... */
	char *argv2[] = {"-c", path_of("missing.conf")};
	assert_int_equal(
	    cephc_conf_init_tool(2, argv2, &n, &c, err, sizeof(err)),
	    CEPHC_ENOENT);
	assert_null(c);
	assert_non_null(strstr(err, "missing.conf"));
	/* ...also through CEPH_ARGS... */
	char args[300];
	snprintf(args, sizeof(args), "-c %s", path_of("missing.conf"));
	setenv("CEPH_ARGS", args, 1);
	assert_int_equal(
	    cephc_conf_init_tool(0, NULL, &n, &c, err, sizeof(err)),
	    CEPHC_ENOENT);
	unsetenv("CEPH_ARGS");
	/* ...but a missing $CEPH_CONF only means defaults. */
	setenv("CEPH_CONF", path_of("missing.conf"), 1);
	assert_int_equal(
	    cephc_conf_init_tool(0, NULL, &n, &c, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_string_equal(cephc_conf_get_raw(c, "mon_host"), "");
	cephc_conf_destroy(c);
	unsetenv("CEPH_CONF");
	/* A parse error is fatal with its line. */
	write_file("bad.conf", "[global]\n\"\n");
	setenv("CEPH_CONF", path_of("bad.conf"), 1);
	assert_int_equal(
	    cephc_conf_init_tool(0, NULL, &n, &c, err, sizeof(err)),
	    CEPHC_EINVAL);
	assert_non_null(strstr(err, "line 2"));
	unsetenv("CEPH_CONF");
}

/*
 * A keyring that exists but cannot be read is reported as such (EACCES,
 * "(13) Permission denied", as Ceph says), not as missing.  Root reads
 * anything, so the check runs in a child that gives up root first.
 */
static void test_unreadable_keyring_is_eacces(void **state)
{
	char list[600];
	pid_t pid;
	int status;

	(void)state;
	write_file("kr", authtool_keyring);
	assert_int_equal(chmod(path_of("kr"), 0), 0);
	assert_int_equal(chmod(path_of(""), 0711), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct cephc_conf *c;
		uint8_t key[64];
		int r;

		if (geteuid() == 0 && (setgid(65534) || setuid(65534)))
			_exit(2);
		if (cephc_conf_create(&c))
			_exit(3);
		snprintf(list, sizeof(list), "%s,%s", path_of("missing"),
			 path_of("kr"));
		cephc_conf_set(c, "keyring", list);
		r = cephc_conf_load_secret(c, key, sizeof(key));
		if (r != CEPHC_EACCES)
			_exit(4);
		if (!strstr(cephc_conf_last_error(c),
			    "(13) Permission denied") ||
		    !strstr(cephc_conf_last_error(c), path_of("kr")))
			_exit(5);
		cephc_conf_destroy(c);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	chmod(path_of("kr"), 0600);
}

static void test_slurp_limits(void **state)
{
	char *buf;
	size_t len;

	(void)state;
	write_file("big", "0123456789");
	assert_int_equal(cephc_conf_slurp(path_of("big"), 9, &buf, &len),
			 CEPHC_ETOOBIG);
	assert_int_equal(cephc_conf_slurp(path_of("big"), 10, &buf, &len), 0);
	assert_int_equal(len, 10);
	cephc_free(buf);
	/* /dev/null is an empty file, as Ceph treats it. */
	assert_int_equal(cephc_conf_slurp("/dev/null", 10, &buf, &len), 0);
	assert_int_equal(len, 0);
	cephc_free(buf);
	assert_int_equal(cephc_conf_slurp(path_of("nope"), 10, &buf, &len),
			 CEPHC_ENOENT);
}

#define EXPOSED "is readable by group or others"

/* Issue 17: a key file others can read is named in one warning. */
static void test_keyring_permission_warning(void **state)
{
	struct cephc_conf *c;
	uint8_t key[64];
	char list[600], want[400];

	(void)state;
	write_file("kr", authtool_keyring);
	write_file("keyfile", "AQCdVgJrTM1YHBAAsfgOgxF6Ot901lM0Nl9qiA==\n");
	assert_int_equal(cephc_conf_create(&c), 0);
	snprintf(list, sizeof(list), "%s,%s", path_of("missing"),
		 path_of("kr"));
	cephc_conf_set(c, "keyring", list);

	/* 0600: silent. */
	cap_start();
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	assert_int_equal(cap_count(EXPOSED), 0);

	/* 0644: one warning per load, naming the file and its mode. */
	assert_int_equal(chmod(path_of("kr"), 0644), 0);
	logcap.nlines = 0;
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	snprintf(want, sizeof(want), "keyring %s " EXPOSED " (mode 0644)",
		 path_of("kr"));
	assert_int_equal(cap_count(want), 1);
	assert_int_equal(cap_count(EXPOSED), 1);
	assert_int_equal(cap_count("1 conf: keyring "), 1); /* WARN */

	/* Group-readable is enough; the missing file is not named. */
	assert_int_equal(chmod(path_of("kr"), 0640), 0);
	logcap.nlines = 0;
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	assert_int_equal(cap_count(EXPOSED), 1);
	assert_int_equal(cap_count("missing"), 0);

	/* A keyfile too. */
	assert_int_equal(chmod(path_of("keyfile"), 0604), 0);
	cephc_conf_set(c, "keyfile", path_of("keyfile"));
	logcap.nlines = 0;
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	snprintf(want, sizeof(want), "keyfile %s " EXPOSED " (mode 0604)",
		 path_of("keyfile"));
	assert_int_equal(cap_count(want), 1);
	assert_int_equal(cap_count(EXPOSED), 1);
	assert_int_equal(chmod(path_of("keyfile"), 0400), 0);
	logcap.nlines = 0;
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	assert_int_equal(cap_count(EXPOSED), 0);
	cap_stop();
	cephc_conf_destroy(c);
}

/* Report an error message through the scan, as if it had been logged. */
static void scan_error(struct cephc_conf *c)
{
	cap_sink(NULL, CEPHC_LOG_ERROR, "errmsg", cephc_conf_last_error(c));
}

/*
 * Issue 17: loading a key from every source, good or bad, at trace level
 * logs neither the base64 key nor the secret in any form, and no error
 * message carries them either.
 */
static void test_no_secret_in_logs_on_key_load(void **state)
{
	static const char *const b64s[] = {
	    "AQCdVgJrV1ptGBAAl8VkmhHMxEG8/8CQsu1KCg==",
	    "AQCdVgJrTM1YHBAAsfgOgxF6Ot901lM0Nl9qiA=="};
	struct cephc_conf *c;
	uint8_t key[64], bob[64];
	char list[600], conf[300];

	(void)state;
	assert_int_equal(
	    b64("AQCdVgJrTM1YHBAAsfgOgxF6Ot901lM0Nl9qiA==", bob, sizeof(bob)),
	    28);
	cap_start();
	for (size_t i = 0; i < sizeof(b64s) / sizeof(*b64s); i++)
		cap_needle_windows(b64s[i], 12); /* any 12 characters */
	cap_add_secret(admin_key + 12, 16);
	cap_add_secret(bob + 12, 16);

	/* An exposed keyring (so a warning names it), a ceph.conf that
	 * carries a key, a keyfile, and broken variants of each. */
	write_file("kr", authtool_keyring);
	assert_int_equal(chmod(path_of("kr"), 0644), 0);
	write_file("keyfile", "AQCdVgJrTM1YHBAAsfgOgxF6Ot901lM0Nl9qiA==\n");
	assert_int_equal(chmod(path_of("keyfile"), 0644), 0);
	write_file("badkr", "[client.admin]\n\tkey = "
			    "AQCdVgJrV1ptGBAAl8VkmhHMxEG8/8CQsu1KCg=!\n");
	write_file("badkeyfile", "AQCdVgJrTM1YHBAAsfgOgxF6Ot901lM0Nl9qiA=*\n");
	snprintf(conf, sizeof(conf),
		 "[global]\nmon host = 1.2.3.4\n[client.admin]\n"
		 "key = AQCdVgJrV1ptGBAAl8VkmhHMxEG8/8CQsu1KCg==\n");
	write_file("ceph.conf", conf);

	assert_int_equal(cephc_conf_create(&c), 0);
	snprintf(list, sizeof(list), "%s,%s", path_of("missing"),
		 path_of("kr"));
	cephc_conf_set(c, "keyring", list);
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	cephc_conf_set_id(c, "carol");
	assert_true(cephc_conf_load_secret(c, key, sizeof(key)) < 0);
	scan_error(c);
	cephc_conf_set_id(c, "admin");
	cephc_conf_set(c, "keyring", path_of("badkr"));
	assert_true(cephc_conf_load_secret(c, key, sizeof(key)) < 0);
	scan_error(c);
	cephc_conf_set(c, "keyfile", path_of("keyfile"));
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	cephc_conf_set(c, "keyfile", path_of("badkeyfile"));
	assert_true(cephc_conf_load_secret(c, key, sizeof(key)) < 0);
	scan_error(c);
	cephc_conf_set(c, "key", "AQCdVgJrTM1YHBAAsfgOgxF6Ot901lM0Nl9qiA==");
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	cephc_conf_set(c, "key", "AQCdVgJrTM1YHBAAsfgOgxF6Ot901lM0Nl9qiA=*");
	assert_true(cephc_conf_load_secret(c, key, sizeof(key)) < 0);
	scan_error(c);
	cephc_conf_destroy(c);

	/* The key from ceph.conf, and from --key on the command line. */
	assert_int_equal(cephc_conf_create(&c), 0);
	assert_int_equal(cephc_conf_read_file(c, path_of("ceph.conf")), 0);
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	assert_memory_equal(key, admin_key, 28);
	{
		char *argv[] = {
		    "prog", "--key",
		    "AQCdVgJrTM1YHBAAsfgOgxF6Ot901lM0Nl9qiA==", NULL};
		int rest = 3;

		assert_int_equal(cephc_conf_parse_argv(c, 3, argv, &rest), 0);
	}
	assert_int_equal(cephc_conf_load_secret(c, key, sizeof(key)), 28);
	assert_memory_equal(key, bob, 28);
	cephc_conf_destroy(c);
	cap_stop();

	/* The scan saw lines: the warnings that name the exposed files. */
	assert_true(logcap.seen > 0);
	assert_true(cap_count(EXPOSED) >= 2);
	if (logcap.leaks)
		fail_msg("%u log line(s) carry a secret, first: %s",
			 logcap.leaks, logcap.leak);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_keyring_parse),
	    cmocka_unit_test(test_keyring_variants),
	    cmocka_unit_test_setup_teardown(test_read_file_search, make_dir,
					    remove_dir),
	    cmocka_unit_test_setup_teardown(test_secret_sources, make_dir,
					    remove_dir),
	    cmocka_unit_test_setup_teardown(test_init_tool, make_dir,
					    remove_dir),
	    cmocka_unit_test_setup_teardown(test_unreadable_keyring_is_eacces,
					    make_dir, remove_dir),
	    cmocka_unit_test_setup_teardown(test_slurp_limits, make_dir,
					    remove_dir),
	    cmocka_unit_test_setup_teardown(test_keyring_permission_warning,
					    make_dir, remove_dir),
	    cmocka_unit_test_setup_teardown(test_no_secret_in_logs_on_key_load,
					    make_dir, remove_dir),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
