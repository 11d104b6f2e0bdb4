/* SPDX-License-Identifier: MIT */
/*
 * The timeout API against a real cluster (CEPHC_TEST_CONF).
 *
 *   test_timeouts_api                    which source wins, read back with
 *                                        cephc_cluster_get_timeout(); an
 *                                        unknown kind; a bad value
 *   test_timeouts_api get POOL OBJ MS    read OBJ with the OSD op timeout
 *                                        set to MS through
 *                                        cephc_cluster_set_timeout_of();
 *                                        exits with -rc (110: ETIMEDOUT)
 *   test_timeouts_api moncmd PID MS      connect, set the mon op timeout to
 *                                        MS ("-": leave it to the
 *                                        configuration), SIGSTOP the
 *                                        monitor PID, run a mon command,
 *                                        SIGCONT; prints "elapsed
 *                                        SECONDS", exits with -rc
 *
 * The two helper modes stop daemons: test_timeouts.sh runs them on a
 * cluster of its own.  The default mode changes nothing on the cluster.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "cephc/rados.h"

static int failures;

#define CHECK_EQ(a, b)                                                         \
	do {                                                                   \
		long long _a = (long long)(a), _b = (long long)(b);            \
		if (_a != _b) {                                                \
			fprintf(stderr, "%s:%d: %s = %lld, want %lld\n",       \
				__FILE__, __LINE__, #a, _a, _b);               \
			failures++;                                            \
		}                                                              \
	} while (0)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int exit_code(int r)
{
	return r < 0 ? (-r) & 0xff : 0;
}

/* Connect with the environment's configuration (CEPH_CONF, CEPH_ARGS,
 * CEPH_KEYRING; in the default mode CEPHC_TEST_KEYRING); prepare() runs
 * between create and connect. */
static const char *keyring;

static int connect_with(cephc_cluster **out,
			int (*prepare)(cephc_cluster *c, void *arg), void *arg)
{
	cephc_cluster *c;
	int r;

	*out = NULL;
	if ((r = cephc_cluster_create(&c, NULL)))
		return r;
	if ((r = cephc_cluster_conf_read_file(c, getenv("CEPH_CONF"))) ||
	    (keyring && (r = cephc_cluster_conf_set(c, "keyring", keyring))) ||
	    (prepare && (r = prepare(c, arg))) ||
	    (r = cephc_cluster_connect(c))) {
		fprintf(stderr, "connect: %s (%s)\n",
			cephc_cluster_last_error(c), cephc_strerror(r));
		cephc_cluster_destroy(c);
		return r;
	}
	*out = c;
	return 0;
}

/* ---- helper modes (test_timeouts.sh) ---------------------------------- */

static int set_osd_ms(cephc_cluster *c, void *arg)
{
	return cephc_cluster_set_timeout_of(c, CEPHC_TIMEOUT_OSD_OP,
					    *(uint32_t *)arg);
}

static int helper_get(const char *pool, const char *oid, uint32_t ms)
{
	cephc_cluster *c;
	cephc_ioctx *io;
	char buf[4096];
	int64_t n;
	int r;

	if ((r = connect_with(&c, set_osd_ms, &ms)))
		return exit_code(r);
	CHECK_EQ(cephc_cluster_get_timeout(c, CEPHC_TIMEOUT_OSD_OP), ms);
	if ((r = cephc_ioctx_create(c, pool, &io))) {
		fprintf(stderr, "ioctx %s: %s\n", pool, cephc_strerror(r));
		cephc_cluster_destroy(c);
		return exit_code(r);
	}
	n = cephc_rados_read(io, oid, buf, sizeof(buf), 0);
	if (n < 0)
		fprintf(stderr, "read %s: %s: %s\n", oid,
			cephc_cluster_last_error(c), cephc_strerror((int)n));
	cephc_ioctx_destroy(io);
	cephc_cluster_destroy(c);
	if (failures)
		return 1;
	return n < 0 ? exit_code((int)n) : 0;
}

static int helper_moncmd(pid_t mon, const char *ms_arg)
{
	uint32_t ms = (uint32_t)strtoul(ms_arg, NULL, 10);
	const char *cmd = "{\"prefix\": \"osd dump\", \"format\": \"json\"}";
	cephc_cluster *c;
	double t0, dt;
	int r;

	if ((r = connect_with(&c, NULL, NULL)))
		return exit_code(r);
	/* after connect: a change applies to the calls that follow */
	if (strcmp(ms_arg, "-"))
		CHECK_EQ(
		    cephc_cluster_set_timeout_of(c, CEPHC_TIMEOUT_MON_OP, ms),
		    0);
	if (kill(mon, SIGSTOP)) {
		perror("kill -STOP");
		cephc_cluster_destroy(c);
		return 1;
	}
	t0 = now_s();
	r = cephc_cluster_mon_command(c, cmd, NULL, 0, NULL, NULL, NULL, NULL);
	dt = now_s() - t0;
	kill(mon, SIGCONT);
	printf("elapsed %.2f\n", dt);
	if (r)
		fprintf(stderr, "mon command: %s (%s)\n",
			cephc_cluster_last_error(c), cephc_strerror(r));
	cephc_cluster_destroy(c);
	if (failures)
		return 1;
	return exit_code(r);
}

/* ---- the default mode: which source wins ------------------------------- */

static int prepare_sources(cephc_cluster *c, void *arg)
{
	(void)arg;
	/* unknown kinds are refused and change nothing */
	CHECK_EQ(cephc_cluster_set_timeout_of(c, 3, 1), CEPHC_EINVAL);
	CHECK_EQ(cephc_cluster_set_timeout_of(c, -1, 1), CEPHC_EINVAL);
	/* before connect: cephc's bounded default */
	for (int k = 0; k < 3; k++)
		CHECK_EQ(cephc_cluster_get_timeout(c, k), 30000);
	CHECK_EQ(cephc_cluster_conf_set(c, "rados_osd_op_timeout", "7.5"), 0);
	/* the API wins over the option */
	CHECK_EQ(cephc_cluster_conf_set(c, "rados_mon_op_timeout", "0"), 0);
	CHECK_EQ(cephc_cluster_set_timeout_of(c, CEPHC_TIMEOUT_MON_OP, 4000),
		 0);
	return 0;
}

static int prepare_zero(cephc_cluster *c, void *arg)
{
	(void)arg;
	return cephc_cluster_conf_set(c, "rados_mon_op_timeout", "0");
}

static int prepare_bad(cephc_cluster *c, void *arg)
{
	int r = cephc_cluster_conf_set(c, "rados_osd_op_timeout", "soon");

	/* refused when set, or at connect */
	*(int *)arg = r;
	return 0;
}

static void check_sources(void)
{
	cephc_cluster *c;
	int r, set_r = 0;

	/* CEPH_ARGS for the connect timeout, conf_set for the OSD op one,
	 * the API over conf_set for the mon op one */
	setenv("CEPH_ARGS", "--client_mount_timeout 25", 1);
	r = connect_with(&c, prepare_sources, NULL);
	unsetenv("CEPH_ARGS");
	CHECK_EQ(r, 0);
	if (!r) {
		CHECK_EQ(cephc_cluster_get_timeout(c, CEPHC_TIMEOUT_CONNECT),
			 25000);
		CHECK_EQ(cephc_cluster_get_timeout(c, CEPHC_TIMEOUT_MON_OP),
			 4000);
		CHECK_EQ(cephc_cluster_get_timeout(c, CEPHC_TIMEOUT_OSD_OP),
			 7500);
		/* the calls still work under them */
		CHECK_EQ(
		    cephc_cluster_mon_command(c, "{\"prefix\": \"osd dump\"}",
					      NULL, 0, NULL, NULL, NULL, NULL),
		    0);
		/* a change after connect */
		cephc_cluster_set_timeout(c, 0);
		for (int k = 0; k < 3; k++)
			CHECK_EQ(cephc_cluster_get_timeout(c, k), 0);
		cephc_cluster_destroy(c);
	}

	/* 0 from the configuration means none, as in librados; an option
	 * left unset keeps the bounded default */
	r = connect_with(&c, prepare_zero, NULL);
	CHECK_EQ(r, 0);
	if (!r) {
		CHECK_EQ(cephc_cluster_get_timeout(c, CEPHC_TIMEOUT_MON_OP), 0);
		CHECK_EQ(cephc_cluster_get_timeout(c, CEPHC_TIMEOUT_OSD_OP),
			 30000);
		cephc_cluster_destroy(c);
	}

	/* a value that is not a duration */
	r = connect_with(&c, prepare_bad, &set_r);
	if (set_r == 0) {
		CHECK_EQ(r, CEPHC_EINVAL);
	} else {
		CHECK_EQ(set_r, CEPHC_EINVAL);
	}
	if (!r)
		cephc_cluster_destroy(c);
}

int main(int argc, char **argv)
{
	const char *conf = getenv("CEPHC_TEST_CONF");
	const char *req = getenv("CEPHC_REQUIRE_CLUSTER");

	if (argc == 5 && !strcmp(argv[1], "get"))
		return helper_get(argv[2], argv[3],
				  (uint32_t)strtoul(argv[4], NULL, 10));
	if (argc == 4 && !strcmp(argv[1], "moncmd"))
		return helper_moncmd((pid_t)atoi(argv[2]), argv[3]);
	if (argc != 1) {
		fprintf(stderr, "usage: %s [get POOL OBJ MS | moncmd PID MS]\n",
			argv[0]);
		return 2;
	}
	if (!conf || !*conf) {
		fprintf(stderr, "CEPHC_TEST_CONF unset: skipping\n");
		return req && !strcmp(req, "1") ? 1 : 77;
	}
	setenv("CEPH_CONF", conf, 1);
	unsetenv("CEPH_ARGS");
	keyring = getenv("CEPHC_TEST_KEYRING");
	check_sources();
	if (failures)
		fprintf(stderr, "%d check(s) failed\n", failures);
	else
		printf("test_timeouts_api: all checks passed\n");
	return failures ? 1 : 0;
}
