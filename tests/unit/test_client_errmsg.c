/* SPDX-License-Identifier: MIT */
/*
 * Error messages formatted from their own previous text.  The connect
 * timeout once printed "no monitor session within 30000 msno monitor
 * session within 30000 ms": the message was formatted into the buffer it
 * read from (overlapping arguments, undefined behaviour).  Each case here
 * passes the handle's current message as an argument of the next one and
 * checks the result byte for byte, so a formatter that writes in place
 * fails here, under the sanitizers or not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>
#include <cmocka.h>

#include "client/client.h"

static void test_message_from_its_own_text(void **state)
{
	cephc_cluster *c;
	char want[CEPHC_CLUSTER_ERRMSG_MAX];

	(void)state;
	assert_int_equal(cephc_cluster_create(&c, NULL), 0);
	cephc_client_set_errmsg(c, "first %d", 1);
	assert_string_equal(cephc_cluster_last_error(c), "first 1");
	cephc_client_set_errmsg(c, "outer: %s", cephc_cluster_last_error(c));
	assert_string_equal(cephc_cluster_last_error(c), "outer: first 1");
	/* twice, and after other text */
	cephc_client_set_errmsg(c, "%s / %s", cephc_cluster_last_error(c),
				cephc_cluster_last_error(c));
	assert_string_equal(cephc_cluster_last_error(c),
			    "outer: first 1 / outer: first 1");
	/* a full buffer: truncated, never overrun */
	memset(want, 'a', sizeof(want) - 1);
	want[sizeof(want) - 1] = '\0';
	cephc_client_set_errmsg(c, "%s", want);
	cephc_client_set_errmsg(c, "%s%s", cephc_cluster_last_error(c),
				cephc_cluster_last_error(c));
	assert_string_equal(cephc_cluster_last_error(c), want);
	cephc_cluster_destroy(c);
}

/* A port nothing listens on (free a moment ago). */
static int free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* The connect timeout's message: once, with the monitor's cause. */
static void test_connect_timeout_message_once(void **state)
{
	cephc_cluster *c;
	char host[64];
	const char *msg;

	(void)state;
	unsetenv("CEPH_ARGS");
	unsetenv("CEPH_KEYRING");
	snprintf(host, sizeof(host), "v1:127.0.0.1:%d", free_port());
	assert_int_equal(cephc_cluster_create(&c, NULL), 0);
	assert_int_equal(cephc_cluster_conf_set(c, "mon_host", host), 0);
	assert_int_equal(
	    cephc_cluster_conf_set(c, "auth_client_required", "none"), 0);
	cephc_cluster_set_timeout_of(c, CEPHC_TIMEOUT_CONNECT, 700);
	assert_int_equal(cephc_cluster_connect(c), CEPHC_ETIMEDOUT);
	msg = cephc_cluster_last_error(c);
	assert_int_equal(count(msg, "no monitor session within 700 ms"), 1);
	assert_int_equal(count(msg, "connection refused"), 1);
	assert_int_equal(count(msg, host + 3), 1);
	cephc_cluster_destroy(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_message_from_its_own_text),
	    cmocka_unit_test(test_connect_timeout_message_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
