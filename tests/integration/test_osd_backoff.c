/* SPDX-License-Identifier: MIT */
/*
 * A hostile OSD (fake_mon.py osd_one_msg, on loopback, no cluster needed):
 * it completes the msgr v1 handshake, takes the client's op, delivers one
 * message and closes, every time.  The OSD client, wired by hand to a
 * one-OSD map that points at it, keeps a read pending for 20 s: it must
 * redial with backoff (msgr/backoff.h), not in a tight loop.  Bounded: the
 * connections the peer saw, the client's CPU time and its log lines, and
 * the paced-session warning must have been said (the backoff engaged).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/auth.h"
#include "cephc/cephc.h"
#include "cephc/errors.h"
#include "core/alloc.h"
#include "msgr/loop.h"
#include "msgr/msgr.h"
#include "osdc/osd_client.h"
#include "osdmap/ceph_hash.h"
#include "osdmap/osdmap.h"

extern char **environ;

#define POOL 1
#define RUN_S 20
#define MAX_CONNS 15
#define MAX_CPU_MS 1000
#define MAX_LOG_LINES 12

static struct {
	struct cephc_osdmap *map;
	int done, done_err;
	int log_lines, paced_warnings;
} T;

static void on_log(void *arg, enum cephc_log_level level, const char *subsys,
		   const char *msg)
{
	(void)arg;
	T.log_lines++;
	if (strstr(msg, "times in a row") || strstr(msg, "held back"))
		T.paced_warnings++;
	fprintf(stderr, "log %d %s: %s\n", (int)level, subsys, msg);
}

/* One OSD (osd.0 at addr, up and in), pool 1 with one PG on it. */
static struct cephc_osdmap *make_map(const struct cephc_entity_addr *a)
{
	struct cephc_osdmap *m = cephc_calloc(1, sizeof(*m));
	struct cephc_pg_pool *p;

	m->epoch = 5;
	m->max_osd = 1;
	m->osd_state = cephc_calloc(1, sizeof(uint32_t));
	m->osd_weight = cephc_calloc(1, sizeof(uint32_t));
	m->osd_addrs = cephc_calloc(1, sizeof(*m->osd_addrs));
	m->osd_state[0] = CEPHC_OSD_EXISTS | CEPHC_OSD_UP;
	m->osd_weight[0] = CEPHC_OSD_IN;
	m->osd_addrs[0].n = 1;
	m->osd_addrs[0].a[0] = *a;
	m->osd_addrs[0].a[0].type = CEPHC_ADDR_LEGACY;
	m->n_pools = 1;
	m->pool_max = POOL;
	m->pools = p = cephc_calloc(1, sizeof(*p));
	p->id = POOL;
	p->name = cephc_strdup("hostile");
	p->type = CEPHC_POOL_TYPE_REPLICATED;
	p->size = p->min_size = 1;
	p->pg_num = p->pgp_num = 1;
	p->object_hash = CEPHC_STR_HASH_RJENKINS;
	p->flags = CEPHC_POOL_FLAG_HASHPSPOOL;
	p->tier_of = p->read_tier = p->write_tier = -1;
	m->pg_temp.n = m->pg_temp.cap = 1;
	m->pg_temp.e = cephc_calloc(1, sizeof(*m->pg_temp.e));
	m->pg_temp.e[0].pg.pool = POOL;
	m->pg_temp.e[0].n = 1;
	m->pg_temp.e[0].osds = cephc_calloc(1, sizeof(int32_t));
	return m;
}

static const struct cephc_osdmap *get_map(void *arg)
{
	(void)arg;
	return T.map;
}

static void on_done(struct cephc_osdc_req *req, int err)
{
	(void)req;
	T.done++;
	T.done_err = err;
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	int n = 0, c;

	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static uint64_t cpu_ms(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000 +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000;
}

static void test_hostile_osd_is_redialled_with_backoff(void **state)
{
	const char *src = getenv("CEPHC_SOURCE_DIR");
	char dir[] = "/tmp/cephc-osdbackoff.XXXXXX";
	char script[1024], portfile[128], countfile[128], addr[64];
	struct cephc_auth_params ap = {
	    .name_type = CEPHC_ENTITY_CLIENT,
	    .name_id = "admin",
	    .allowed = 1u << CEPHC_AUTH_NONE,
	};
	struct cephc_loop *loop;
	struct cephc_msgr *msgr;
	struct cephc_auth *auth;
	struct cephc_osdc *osdc;
	struct cephc_auth_buf b;
	struct cephc_entity_addr peer;
	struct cephc_osdc_req req;
	struct cephc_osd_ops ops;
	uint8_t buf[16];
	struct iovec iov = {buf, sizeof(buf)};
	uint64_t cpu0, end;
	int conns, port = 0;
	pid_t pid;
	FILE *f;

	(void)state;
	if (access("/usr/bin/python3", X_OK) != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(script, sizeof(script), "%s/tests/integration/fake_mon.py",
		 src ? src : ".");
	snprintf(portfile, sizeof(portfile), "%s/port", dir);
	snprintf(countfile, sizeof(countfile), "%s/conns", dir);
	{
		char *argv[] = {"python3", script,    "osd_one_msg",
				portfile,  countfile, NULL};

		assert_int_equal(posix_spawn(&pid, "/usr/bin/python3", NULL,
					     NULL, argv, environ),
				 0);
	}
	for (int i = 0; i < 200 && !port; i++) {
		f = fopen(portfile, "r");
		if (f) {
			if (fscanf(f, "%d", &port) != 1)
				port = 0;
			fclose(f);
		}
		if (!port)
			usleep(50000);
	}
	assert_true(port > 0);

	/* the client: auth none negotiated by hand (no monitor here) */
	cephc_log_set(CEPHC_LOG_WARN, on_log, NULL);
	assert_int_equal(cephc_loop_create(&loop), 0);
	assert_int_equal(
	    cephc_msgr_create(loop, NULL, CEPHC_ENTITY_CLIENT, &msgr), 0);
	auth = cephc_auth_create(&ap);
	assert_non_null(auth);
	cephc_auth_buf_init(&b);
	assert_int_equal(cephc_auth_build_hello(auth, &b), 0);
	cephc_auth_buf_free(&b);
	assert_int_equal(
	    cephc_auth_handle_reply(auth, CEPHC_AUTH_NONE, 0, 4242, NULL, 0, 0),
	    CEPHC_AUTH_DONE);
	snprintf(addr, sizeof(addr), "v1:127.0.0.1:%d/0", port);
	assert_int_equal(cephc_addr_parse(addr, &peer, 0), 0);
	T.map = make_map(&peer);
	struct cephc_osdc_params p = {
	    .msgr = msgr,
	    .auth = auth,
	    .get_map = get_map,
	};
	assert_int_equal(cephc_osdc_create(&p, &osdc), 0);
	cephc_osdc_handle_map_change(osdc);

	/* one read, pending for the whole run (timeout past it) */
	cephc_osd_ops_init(&ops);
	assert_int_equal(
	    cephc_osd_op_read(cephc_osd_ops_add(&ops), 0, 4, &iov, 1), 0);
	cephc_osdc_req_init(&req);
	req.ops = &ops;
	req.pool = POOL;
	req.oid = "obj";
	req.timeout_ms = (RUN_S + 30) * 1000;
	req.done = on_done;
	cpu0 = cpu_ms();
	assert_int_equal(cephc_osdc_submit(osdc, &req), 0);
	end = cephc_now_ns() + RUN_S * 1000000000ull;
	while (cephc_now_ns() < end && !T.done)
		cephc_loop_process(loop, 50);
	conns = count_lines(countfile);
	uint64_t used = cpu_ms() - cpu0;
	/* the peer goes before any assertion can end the test */
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	unlink(portfile);
	unlink(countfile);
	{
		char events[160];

		snprintf(events, sizeof(events), "%s.events", countfile);
		unlink(events);
	}
	rmdir(dir);

	printf("hostile OSD: %d connections, %llu ms CPU, %d log lines "
	       "(%d on pacing) in %d s\n",
	       conns, (unsigned long long)used, T.log_lines, T.paced_warnings,
	       RUN_S);
	assert_int_equal(T.done, 0); /* never answered: still pending */
	/* redialled (the peer works), but with backoff */
	assert_true(conns >= 7);
	assert_true(conns <= MAX_CONNS);
	assert_true(used <= MAX_CPU_MS);
	assert_true(T.log_lines <= MAX_LOG_LINES);
	assert_true(T.paced_warnings >= 1);

	cephc_osdc_destroy(osdc); /* completes the read with an error */
	assert_int_equal(T.done, 1);
	cephc_loop_process(loop, 5);
	cephc_msgr_destroy(msgr);
	cephc_loop_destroy(loop);
	cephc_auth_destroy(auth);
	cephc_osdmap_free(T.map);
	cephc_osd_ops_release(&ops);
	cephc_log_set(CEPHC_LOG_WARN, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hostile_osd_is_redialled_with_backoff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
