/* SPDX-License-Identifier: MIT */
/*
 * Messenger throughput between two cephc endpoints over loopback.
 *
 *   bench_msgr [-s msg_size] [-t seconds] [-q depth]
 *
 * Forks a server process (our msgr v1 accepting side) and runs the client in
 * this one; each has its own caller-driven loop on one thread.  The client
 * sends messages whose data section is the caller's buffer (no copy); the
 * server receives each payload straight into a preallocated buffer through
 * the alloc_data hook.  The server measures from its first to its last
 * received byte and the result is printed as one line:
 *   msgr size=4194304 msgs=N bytes=B secs=S MB/s=X
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "msgr/msgr.h"

#define BENCH_TYPE 0x7777
#define BENCH_MAX_DEPTH 256

/* ---------------- server ---------------- */

static uint8_t *srv_buf;
static size_t srv_size;
static uint64_t srv_bytes, srv_msgs, srv_t0, srv_t1;
static int srv_done;

static int srv_alloc(struct cephc_conn *con, struct cephc_msg *m)
{
	if (m->hdr.data_len > srv_size)
		return CEPHC_EMSGSIZE;
	/* every payload lands in the same preallocated buffer */
	return cephc_msg_data_add_buf(&m->data, srv_buf, m->hdr.data_len);
}

static void srv_dispatch(struct cephc_conn *con, struct cephc_msg *m)
{
	uint64_t now = cephc_now_ns();

	if (!srv_t0)
		srv_t0 = now;
	srv_t1 = now;
	srv_bytes += m->hdr.data_len + m->front_len;
	srv_msgs++;
	cephc_msg_put(m);
}

static void srv_fault(struct cephc_conn *con, int err)
{
	srv_done = 1;
	cephc_conn_destroy(con);
}

static const struct cephc_conn_ops srv_ops = {
    .alloc_data = srv_alloc,
    .dispatch = srv_dispatch,
    .fault = srv_fault,
};

static void run_server(int port_fd, int result_fd, size_t size)
{
	struct cephc_msgr_opts o;
	struct cephc_entity_addr a;
	struct cephc_loop *loop;
	struct cephc_msgr *msgr;
	char line[256];

	cephc_msgr_opts_default(&o);
	o.keepalive_interval_ms = 0;
	o.data_max = (uint32_t)size;
	srv_size = size;
	srv_buf = malloc(size);
	memset(srv_buf, 0, size);
	cephc_loop_create(&loop);
	cephc_msgr_create(loop, &o, CEPHC_ENTITY_OSD, &msgr);
	cephc_addr_parse("v1:127.0.0.1:0", &a, 0);
	if (cephc_msgr_listen(msgr, &a, &srv_ops, NULL))
		exit(1);
	if (write(port_fd, cephc_msgr_addr(msgr), sizeof(a)) != sizeof(a))
		exit(1);
	while (!srv_done)
		cephc_loop_process(loop, 100);
	snprintf(line, sizeof(line), "%" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
		 srv_msgs, srv_bytes, srv_t1 - srv_t0);
	if (write(result_fd, line, strlen(line)) < 0)
		exit(1);
	exit(0);
}

/* ---------------- client ---------------- */

static int cli_open, cli_fault_err;

static void cli_connected(struct cephc_conn *con)
{
	cli_open = 1;
}

static void cli_fault(struct cephc_conn *con, int err)
{
	cli_fault_err = err;
}

static const struct cephc_conn_ops cli_ops = {
    .connected = cli_connected,
    .fault = cli_fault,
};

int main(int argc, char **argv)
{
	size_t size = 4u << 20;
	double secs = 3;
	int depth = 0, c;
	int pfd[2], rfd[2];
	struct cephc_entity_addr srv;
	struct cephc_msgr_opts o;
	struct cephc_msg *pool[BENCH_MAX_DEPTH];
	struct cephc_loop *loop;
	struct cephc_msgr *msgr;
	struct cephc_conn *con;
	uint8_t *buf;
	uint64_t end, msgs, bytes, ns;
	char line[256];
	double cpu_s;
	ssize_t n;
	pid_t pid;

	while ((c = getopt(argc, argv, "s:t:q:")) != -1) {
		switch (c) {
		case 's':
			size = strtoull(optarg, NULL, 0);
			break;
		case 't':
			secs = atof(optarg);
			break;
		case 'q':
			depth = atoi(optarg);
			break;
		default:
			fprintf(stderr,
				"usage: %s [-s size] [-t secs] [-q depth]\n",
				argv[0]);
			return 2;
		}
	}
	/* enough in flight to keep the socket full: ~16 MiB, 2..256 msgs */
	if (!depth) {
		depth = (int)((16u << 20) / size);
		depth = depth < 2 ? 2 : depth;
	}
	if (depth > BENCH_MAX_DEPTH)
		depth = BENCH_MAX_DEPTH;
	if (pipe(pfd) || pipe(rfd))
		return 1;
	pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		close(rfd[0]);
		run_server(pfd[1], rfd[1], size);
	}
	close(pfd[1]);
	close(rfd[1]);
	if (read(pfd[0], &srv, sizeof(srv)) != sizeof(srv))
		return 1;

	cephc_msgr_opts_default(&o);
	o.keepalive_interval_ms = 0;
	cephc_loop_create(&loop);
	cephc_msgr_create(loop, &o, CEPHC_ENTITY_CLIENT, &msgr);
	con = cephc_conn_create(msgr, &cli_ops, NULL);
	if (cephc_conn_open(con, &srv, CEPHC_ENTITY_OSD))
		return 1;
	while (!cli_open && !cli_fault_err)
		cephc_loop_process(loop, 100);
	if (cli_fault_err) {
		fprintf(stderr, "connect: %s\n", cephc_strerror(cli_fault_err));
		return 1;
	}
	buf = malloc(size);
	memset(buf, 0xab, size);
	/* A pool of messages over the same caller buffer; one is free again
	 * when the messenger dropped its reference (written, lossy). */
	for (int i = 0; i < depth; i++) {
		pool[i] = cephc_msg_new(BENCH_TYPE, 0);
		cephc_msg_data_add_buf(&pool[i]->data, buf, size);
	}
	end = cephc_now_ns() + (uint64_t)(secs * 1e9);
	while (cephc_now_ns() < end && !cli_fault_err) {
		for (int i = 0; i < depth; i++) {
			if (atomic_load(&pool[i]->m_ref) == 1) {
				pool[i]->hdr.tid++;
				cephc_conn_send(con, cephc_msg_get(pool[i]));
			}
		}
		cephc_loop_process(loop, 10);
	}
	/* drain what is queued, then close: the server reports */
	for (int i = 0; i < 1000; i++) {
		int busy = 0;

		for (int j = 0; j < depth; j++)
			busy |= atomic_load(&pool[j]->m_ref) != 1;
		if (!busy)
			break;
		cephc_loop_process(loop, 10);
	}
	cephc_conn_close(con);
	n = read(rfd[0], line, sizeof(line) - 1);
	waitpid(pid, NULL, 0);
	{
		/* CPU of both ends: robust against a busy machine */
		struct rusage self, kids;

		getrusage(RUSAGE_SELF, &self);
		getrusage(RUSAGE_CHILDREN, &kids);
		cpu_s = self.ru_utime.tv_sec + self.ru_stime.tv_sec +
			kids.ru_utime.tv_sec + kids.ru_stime.tv_sec +
			(self.ru_utime.tv_usec + self.ru_stime.tv_usec +
			 kids.ru_utime.tv_usec + kids.ru_stime.tv_usec) /
			    1e6;
	}
	if (n <= 0)
		return 1;
	line[n] = 0;
	if (sscanf(line, "%" SCNu64 " %" SCNu64 " %" SCNu64, &msgs, &bytes,
		   &ns) != 3 ||
	    !ns)
		return 1;
	printf("msgr size=%zu depth=%d msgs=%" PRIu64 " bytes=%" PRIu64
	       " secs=%.3f MB/s=%.1f msgs/s=%.0f cpu_ms_per_GB=%.1f\n",
	       size, depth, msgs, bytes, ns / 1e9, bytes / (ns / 1e3),
	       msgs / (ns / 1e9), cpu_s * 1e3 / (bytes / 1e9));
	for (int i = 0; i < depth; i++)
		cephc_msg_put(pool[i]);
	cephc_conn_destroy(con);
	cephc_msgr_destroy(msgr);
	cephc_loop_destroy(loop);
	free(buf);
	return 0;
}
