/* SPDX-License-Identifier: MIT */
/*
 * Arbitrary bytes as the peer's side of a msgr v1 stream, fed to the real
 * connection state machine over a socketpair.
 *
 * Input byte 0 selects the scenario:
 *   bit 0: 0 = a valid server hello + SEQ reply is sent first, so the rest
 *          exercises the open-session receive path (tags, headers, front,
 *          data, footers, acks, keepalives); 1 = the rest IS the handshake.
 *   bit 1: negotiate without MSG_AUTH (13-byte footers).
 *   bit 2: receive data into a caller buffer via alloc_data.
 * Whatever arrives, the connection must end in a clean fault or keep going;
 * never crash, overrun or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cephc/cephc.h"
#include "core/encode.h"
#include "msgr/msgr.h"

#define FUZZ_LIMIT (1u << 20)

static int faulted;
static uint8_t dest[4096];
static int use_dest;

static void on_dispatch(struct cephc_conn *con, struct cephc_msg *m)
{
	cephc_msg_put(m);
}

static void on_fault(struct cephc_conn *con, int err)
{
	faulted = 1;
}

static int on_alloc(struct cephc_conn *con, struct cephc_msg *m)
{
	if (!use_dest || m->hdr.data_len > sizeof(dest))
		return 0;
	return cephc_msg_data_add_buf(&m->data, dest, sizeof(dest));
}

static const struct cephc_conn_ops ops = {
    .dispatch = on_dispatch,
    .fault = on_fault,
    .alloc_data = on_alloc,
};

static void null_log(void *arg, enum cephc_log_level level, const char *subsys,
		     const char *msg)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cephc_msgr_opts o;
	struct cephc_entity_addr peer, me;
	struct cephc_loop *loop;
	struct cephc_msgr *msgr;
	struct cephc_conn *con;
	uint8_t mode, hello[V1_SERVER_HELLO_LEN], reply[V1_CONNECT_REPLY_LEN];
	int sv[2];

	if (size < 1)
		return 0;
	cephc_log_set(CEPHC_LOG_ERROR, null_log, NULL); /* quiet */
	mode = data[0];
	data++;
	size--;
	cephc_msgr_opts_default(&o);
	o.front_max = o.middle_max = o.data_max = FUZZ_LIMIT;
	o.keepalive_interval_ms = 0;
	if (mode & 2)
		o.features &= ~CEPHC_FEAT_MSG_AUTH;
	use_dest = mode & 4;
	faulted = 0;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 0;
	cephc_loop_create(&loop);
	cephc_msgr_create(loop, &o, CEPHC_ENTITY_CLIENT, &msgr);
	con = cephc_conn_create(msgr, &ops, NULL);
	cephc_addr_parse("v1:127.0.0.1:6789/0", &peer, 0);
	cephc_addr_parse("v1:127.0.0.2:0", &me, 0);
	cephc_conn_open_fd(con, sv[0], &peer, CEPHC_ENTITY_OSD);
	if (!(mode & 1)) {
		struct v1_connect_reply r = {.tag = V1_TAG_SEQ,
					     .features = o.features,
					     .flags = V1_CONNECT_LOSSY};
		uint8_t seq[8] = {0};

		v1_encode_server_hello(hello, &peer, &me);
		v1_encode_connect_reply(reply, &r);
		if (write(sv[1], hello, sizeof(hello)) < 0 ||
		    write(sv[1], reply, sizeof(reply)) < 0 ||
		    write(sv[1], seq, sizeof(seq)) < 0)
			abort();
	}
	/* feed in slices so partial receives happen too */
	for (size_t off = 0; off < size && !faulted;) {
		size_t n = size - off < 1500 ? size - off : 1500;
		ssize_t w = write(sv[1], data + off, n);

		if (w <= 0)
			break;
		off += (size_t)w;
		cephc_loop_process(loop, 0);
	}
	shutdown(sv[1], SHUT_WR);
	for (int i = 0; i < 64 && !faulted; i++)
		cephc_loop_process(loop, 0);
	close(sv[1]);
	cephc_conn_destroy(con);
	cephc_msgr_destroy(msgr);
	cephc_loop_destroy(loop);
	return 0;
}
