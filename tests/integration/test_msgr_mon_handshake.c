/* SPDX-License-Identifier: MIT */
/*
 * msgr v1 against the real monitor of the local test cluster: connect to
 * its v1 address, complete the handshake (Pacific answers SEQ because we
 * advertise RECONNECT_SEQ), send the MAuth auth-negotiation message and
 * decode the MAuthReply.
 *
 * Needs CEPHC_TEST_CONF (a ceph.conf); exits 77 (skip) without it unless
 * CEPHC_REQUIRE_CLUSTER=1.  The mon_host parsing here is deliberately tiny:
 * the `mon host` line, first v1: address.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/decode.h"
#include "core/encode.h"
#include "msgr/msgr.h"

#define MSG_AUTH 17
#define MSG_AUTH_REPLY 18
#define AUTH_CEPHX 2

static struct cephc_msg *reply;
static int fault_err;

static void on_dispatch(struct cephc_conn *con, struct cephc_msg *m)
{
	printf("received message type %u len %u/%u seq %llu\n", m->hdr.type,
	       m->front_len, m->hdr.data_len, (unsigned long long)m->hdr.seq);
	if (m->hdr.type == MSG_AUTH_REPLY && !reply)
		reply = m;
	else
		cephc_msg_put(m);
}

static void on_fault(struct cephc_conn *con, int err)
{
	fault_err = err;
}

static int opened;

static void on_connected(struct cephc_conn *con)
{
	opened++;
}

static const struct cephc_conn_ops ops = {
    .dispatch = on_dispatch,
    .fault = on_fault,
    .connected = on_connected,
};

/* First v1: address of the `mon host` / `mon_host` line. */
static int find_mon_v1(const char *path, struct cephc_entity_addr *a)
{
	char line[1024], *p, *e;
	FILE *f = fopen(path, "r");
	int r = -1;

	if (!f)
		return -1;
	while (r && fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " \t");
		if (strncmp(p, "mon host", 8) && strncmp(p, "mon_host", 8))
			continue;
		p = strstr(p, "v1:");
		if (!p)
			continue;
		e = p + strcspn(p, ",] \t\r\n");
		*e = 0;
		r = cephc_addr_parse(p, a, 6789);
	}
	fclose(f);
	return r;
}

/*
 * MAuth front: paxos request header (le64 version 0, le16 session_mon
 * 0xffff, le64 session_mon_tid 0), le32 protocol 0 (negotiation), bl
 * auth_payload = { u8 1, le32 1 + [CEPHX], EntityName (le32 8, "admin"),
 * le64 global_id 0 }.  The trailing monmap_epoch is left out, as the
 * kernel does.
 */
static struct cephc_msg *build_mauth(void)
{
	struct cephc_msg *m = cephc_msg_new(MSG_AUTH, 128);
	struct cephc_enc e;

	if (!m)
		return NULL;
	enc_init(&e, m->front, m->front_cap);
	enc_le64(&e, 0);
	enc_le16(&e, 0xffff);
	enc_le64(&e, 0);
	enc_le32(&e, 0);
	{
		uint8_t *lenp = enc_reserve(&e, 4);
		size_t start = enc_len(&e);

		enc_u8(&e, 1);
		enc_le32(&e, 1);
		enc_le32(&e, AUTH_CEPHX);
		enc_le32(&e, CEPHC_ENTITY_CLIENT);
		enc_string(&e, "admin");
		enc_le64(&e, 0);
		put_le32(lenp, (uint32_t)(enc_len(&e) - start));
	}
	if (e.err) {
		cephc_msg_put(m);
		return NULL;
	}
	m->front_len = (uint32_t)enc_len(&e);
	m->hdr.version = 1;
	m->hdr.compat_version = 1;
	return m;
}

static int fail(const char *what)
{
	fprintf(stderr, "FAIL: %s\n", what);
	return 1;
}

int main(void)
{
	const char *conf = getenv("CEPHC_TEST_CONF");
	const char *req = getenv("CEPHC_REQUIRE_CLUSTER");
	struct cephc_entity_addr mon;
	struct cephc_loop *loop;
	struct cephc_msgr *msgr;
	struct cephc_conn *con;
	struct cephc_msgr_opts opts;
	struct cephc_msg *m;
	struct cephc_dec d;
	char buf[96];
	int rc = 0;

	if (!conf || !*conf) {
		if (req && !strcmp(req, "1"))
			return fail("CEPHC_TEST_CONF unset");
		printf("CEPHC_TEST_CONF unset: skipping\n");
		return 77;
	}
	if (find_mon_v1(conf, &mon))
		return fail("no v1 address in mon_host");
	cephc_addr_format(&mon, buf, sizeof(buf));
	printf("monitor v1 address %s\n", buf);

	/* keepalives every 50 ms so the mon's KEEPALIVE2_ACK shows quickly */
	cephc_msgr_opts_default(&opts);
	opts.keepalive_interval_ms = 50;
	if (cephc_loop_create(&loop) ||
	    cephc_msgr_create(loop, &opts, CEPHC_ENTITY_CLIENT, &msgr))
		return fail("setup");
	con = cephc_conn_create(msgr, &ops, NULL);

	m = build_mauth();
	if (!m)
		return fail("encode");
	cephc_conn_send(con, m); /* queued until the session opens */

	if (cephc_conn_open(con, &mon, CEPHC_ENTITY_MON))
		return fail("connect");
	for (int i = 0; i < 1000 && !reply && !fault_err; i++)
		cephc_loop_process(loop, 10);
	if (fault_err) {
		fprintf(stderr, "fault: %s\n", cephc_strerror(fault_err));
		rc = fail("connection faulted");
		goto out;
	}
	if (!reply) {
		rc = fail("no MAuthReply within 10 s");
		goto out;
	}
	printf("connect reply tag %s, peer features %#llx, negotiated %#llx\n",
	       v1_tag_name(cephc_conn_last_reply_tag(con)),
	       (unsigned long long)cephc_conn_peer_features(con),
	       (unsigned long long)cephc_conn_features(con));
	cephc_addr_format(cephc_msgr_addr(msgr), buf, sizeof(buf));
	printf("our address as learned from the mon: %s\n", buf);
	if (cephc_conn_last_reply_tag(con) != V1_TAG_SEQ)
		rc = fail("expected a SEQ connect reply");

	/* MAuthReply: le32 protocol, s32 result, le64 global_id, bl payload,
	 * string result_msg. */
	dec_init(&d, reply->front, reply->front_len);
	{
		uint32_t proto = dec_le32(&d), plen, mlen;
		int32_t result = dec_s32(&d);
		uint64_t gid = dec_le64(&d);
		const uint8_t *pl = dec_blob(&d, &plen, 1 << 20);
		const uint8_t *msg = dec_blob(&d, &mlen, 4096);

		if (d.err) {
			rc = fail("MAuthReply does not decode");
			goto out;
		}
		printf("MAuthReply: protocol %u result %d global_id %llu "
		       "payload %u bytes result_msg \"%.*s\"\n",
		       proto, result, (unsigned long long)gid, plen, (int)mlen,
		       msg ? (const char *)msg : "");
		if (proto != AUTH_CEPHX)
			rc = fail("protocol is not cephx");
		if (result != 0 && result != -11)
			rc = fail("unexpected result");
		/* cephx server challenge: u8 1, le64 challenge */
		if (plen >= 9 && pl[0] == 1)
			printf("cephx server challenge %#llx\n",
			       (unsigned long long)get_le64(pl + 1));
		else
			rc = fail("payload is not a cephx challenge");
	}
	/* liveness: the mon echoes KEEPALIVE2 */
	for (int i = 0; i < 300 && !cephc_conn_last_keepalive_ack(con); i++)
		cephc_loop_process(loop, 10);
	if (!cephc_conn_last_keepalive_ack(con))
		rc = fail("no KEEPALIVE2_ACK from the mon");
	else
		printf("KEEPALIVE2_ACK received; unacked messages: %u\n",
		       cephc_conn_unacked(con));
	/* a lossy session keeps nothing for replay (the mon sends no ACKs) */
	if (cephc_conn_unacked(con))
		rc = fail("messages kept on a lossy session");

	/* a new session after close + reconnect (0.25 s backoff) */
	cephc_conn_close(con);
	cephc_msg_put(reply);
	reply = NULL;
	cephc_conn_send(con, build_mauth());
	cephc_conn_reconnect(con);
	for (int i = 0; i < 1000 && !reply && !fault_err; i++)
		cephc_loop_process(loop, 10);
	if (!reply || opened != 2 ||
	    cephc_conn_last_reply_tag(con) != V1_TAG_SEQ)
		rc = fail("no MAuthReply on the reconnected session");
	else
		printf("reconnected: SEQ again, MAuthReply type %u seq %llu\n",
		       reply->hdr.type, (unsigned long long)reply->hdr.seq);
out:
	if (reply)
		cephc_msg_put(reply);
	cephc_conn_destroy(con);
	cephc_msgr_destroy(msgr);
	cephc_loop_destroy(loop);
	printf("%s\n", rc ? "FAILED" : "OK");
	return rc;
}
