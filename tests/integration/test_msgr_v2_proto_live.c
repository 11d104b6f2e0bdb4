/* SPDX-License-Identifier: MIT */
/*
 * The msgr2.1 client state machine (src/msgr/v2_proto.c) over a plain
 * blocking socket against the real monitor: banner, HELLO, cephx auth,
 * AUTH_SIGNATURE, IDENT up to READY, then one MMonGetVersion each way.
 * One session per mode preference list:
 *   [crc], [secure]: READY in that mode, or, when the cluster does not
 *     allow the mode (cluster.sh --ms-mode), AUTH_BAD_METHOD and a fault
 *     that says no mode is common;
 *   [secure, crc]: READY in the first mode the mon allows.
 * CEPHC_V2_CLUSTER_MODE=crc|secure says what the cluster allows; unset,
 * the conf's ms_mon_service_mode says (cluster.sh --ms-mode writes it),
 * else both.  CEPHC_V2_AUTH=none: the cluster's auth_*_required are none;
 * the mon then refuses our cephx AUTH_REQUEST with AUTH_BAD_METHOD and
 * the retry with auth none must reach READY (in crc mode: the mon gives
 * auth none no secure mode).  Needs CEPHC_TEST_CONF and its keyring;
 * exits 77 without them unless CEPHC_REQUIRE_CLUSTER=1.
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "auth/auth.h"
#include "core/addr.h"
#include "core/encode.h"
#include "mon/mon_msgs.h"
#include "msgr/v1_codec.h"
#include "msgr/v2_proto.h"
#include "osdc_harness.h"

static int fail(const char *what)
{
	fprintf(stderr, "FAIL: %s\n", what);
	return 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int flush(int fd, struct v2p *p)
{
	const uint8_t *d;
	size_t n;

	while ((n = v2p_tx_pending(p, &d)) > 0) {
		ssize_t w = send(fd, d, n, MSG_NOSIGNAL);

		if (w <= 0)
			return -1;
		v2p_tx_consumed(p, (size_t)w);
	}
	return 0;
}

static uint8_t front[4096];
static struct iovec front_iov = {front, sizeof(front)};

/*
 * Drive until an event other than NEED_MORE (messages get their front in
 * front[]).  Returns the event, or -1 on a socket error.
 */
static int run(int fd, struct v2p *p, uint8_t *in, size_t *have, size_t *off)
{
	for (;;) {
		size_t used;
		int ev;

		if (flush(fd, p))
			return -1;
		if (*off == *have) {
			ssize_t r = recv(fd, in, 65536, 0);

			if (r <= 0)
				return -1;
			*have = (size_t)r;
			*off = 0;
		}
		ev = v2p_feed(p, in + *off, *have - *off, &used, now_ms());
		*off += used;
		if (ev == V2P_EV_MSG_SIZES) {
			const struct iovec *iov[3] = {&front_iov, NULL, NULL};
			size_t cnt[3] = {1, 0, 0};

			if (p->msg_len[0] > sizeof(front))
				return -1;
			front_iov.iov_len = p->msg_len[0];
			if (v2p_set_msg_buffers(p, iov, cnt))
				return -1;
			continue;
		}
		if (ev != V2P_EV_NEED_MORE) {
			if (flush(fd, p))
				return -1;
			return ev;
		}
	}
}

static int find_mon_v2(const char *conf, struct cephc_entity_addr *a)
{
	char mon_host[512], *p, *e;

	if (hx_conf_get(conf, NULL, "mon host", mon_host, sizeof(mon_host)))
		return -1;
	p = strstr(mon_host, "v2:");
	if (!p)
		return -1;
	e = p + strcspn(p, ",] \t\r\n");
	*e = 0;
	if (cephc_addr_parse(p, a, 3300))
		return -1;
	a->type = CEPHC_ADDR_MSGR2;
	a->nonce = 0;
	return 0;
}

/*
 * One session.  want: the mode it must end in, or 0 when it must fault
 * with AUTH_BAD_METHOD (no common mode).
 */
static int session(const struct cephc_crypto_key *secret,
		   struct cephc_entity_addr mon, const uint32_t *modes,
		   uint32_t nmodes, uint32_t want)
{
	static uint8_t in[65536];
	size_t have = 0, off = 0;
	struct cephc_auth_params ap = {
	    .name_type = CEPHC_ENTITY_CLIENT,
	    .name_id = "admin",
	    .secret = secret,
	};
	const char *an = getenv("CEPHC_V2_AUTH");
	struct v2p_config cfg = {
	    .peer_type = CEPHC_ENTITY_MON,
	    .peer_addr = mon,
	    .nmodes = nmodes,
	    .features = CEPHC_FEATURES_DEFAULT,
	    .addr_nonce = 0x1234567,
	    .client_cookie = 0x5eed5eedull,
	    .global_seq = 1,
	    .handshake_timeout_ms = 10000,
	};
	struct timeval tv = {10, 0};
	struct sockaddr_in sin;
	struct v2p p;
	struct cephc_auth *a = cephc_auth_create(&ap);
	int fd, ev, rc = 1;

	printf("--- modes [%u%s] (expect %s)\n", modes[0],
	       nmodes > 1 ? ", ..." : "",
	       want == V2_MODE_SECURE ? "secure"
	       : want == V2_MODE_CRC  ? "crc"
				      : "AUTH_BAD_METHOD fault");
	memcpy(cfg.modes, modes, nmodes * sizeof(*modes));
	cfg.auth = a;
	memcpy(&sin, &mon.ss, sizeof(sin));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (!a || fd < 0)
		return fail("setup");
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    v2p_init(&p, &cfg, now_ms()) || v2p_connected(&p, now_ms())) {
		close(fd);
		cephc_auth_destroy(a);
		return fail("connect / init");
	}
	ev = run(fd, &p, in, &have, &off);
	if (want == 0) {
		if (ev == V2P_EV_FAULT && p.fault_err == CEPHC_EBADAUTH) {
			printf("fault as expected: %s\n", p.fault_reason);
			rc = 0;
		} else {
			fprintf(stderr, "event %d, state %s: %s\n", ev,
				v2p_state_name(p.state), p.fault_reason);
			fail("expected an AUTH_BAD_METHOD fault");
		}
		goto out;
	}
	if (ev != V2P_EV_READY) {
		fprintf(stderr, "event %d, state %s: %s\n", ev,
			v2p_state_name(p.state), p.fault_reason);
		fail("no READY");
		goto out;
	}
	printf("READY: auth %s, mode %s, global_id %llu, peer features "
	       "%#llx\n",
	       cephc_auth_protocol(a) == CEPHC_AUTH_NONE ? "none" : "cephx",
	       p.mode == V2_MODE_SECURE ? "secure" : "crc",
	       (unsigned long long)p.global_id,
	       (unsigned long long)p.peer_features);
	if (p.mode != want) {
		fail("not the expected mode");
		goto out;
	}
	/* we offer cephx first; an auth-none mon refuses it and lists none */
	if ((an && !strcmp(an, "none")) !=
	    (cephc_auth_protocol(a) == CEPHC_AUTH_NONE)) {
		fail("not the expected auth method");
		goto out;
	}
	{
		uint8_t f[64];
		struct iovec iv = {f, 0};
		struct v2p_msg_out m = {0};
		struct cephc_mon_version_reply vr;
		struct cephc_enc e;
		struct cephc_dec d;
		int tries;

		enc_init(&e, f, sizeof(f));
		cephc_mon_get_version_encode(&e, 7, "osdmap");
		iv.iov_len = enc_len(&e);
		m.hdr.tid = 7;
		m.hdr.type = CEPHC_MSG_MON_GET_VERSION;
		m.hdr.priority = 127;
		m.hdr.version = 1;
		m.hdr.compat_version = 1;
		m.iov[0] = &iv;
		m.iovcnt[0] = 1;
		if (e.err || v2p_send_message(&p, &m)) {
			fail("queue MMonGetVersion");
			goto out;
		}
		for (tries = 0; tries < 8; tries++) {
			ev = run(fd, &p, in, &have, &off);
			if (ev != V2P_EV_MESSAGE ||
			    p.msg_hdr.type == CEPHC_MSG_MON_GET_VERSION_REPLY)
				break;
			printf("skipping message type %u\n", p.msg_hdr.type);
		}
		dec_init(&d, front, p.msg_len[0]);
		if (ev != V2P_EV_MESSAGE ||
		    p.msg_hdr.type != CEPHC_MSG_MON_GET_VERSION_REPLY ||
		    cephc_mon_get_version_reply_decode(&d, &vr) ||
		    vr.handle != 7 || vr.newest < 1) {
			fprintf(stderr, "event %d: %s\n", ev, p.fault_reason);
			fail("no MMonGetVersionReply");
			goto out;
		}
		printf("MMonGetVersionReply: osdmap %llu..%llu, in_seq %llu\n",
		       (unsigned long long)vr.oldest,
		       (unsigned long long)vr.newest,
		       (unsigned long long)p.in_seq);
	}
	rc = 0;
out:
	v2p_free(&p);
	cephc_auth_destroy(a);
	close(fd);
	return rc;
}

int main(void)
{
	const char *conf = getenv("CEPHC_TEST_CONF");
	const char *req = getenv("CEPHC_REQUIRE_CLUSTER");
	const char *keyring = getenv("CEPHC_TEST_KEYRING");
	const char *cm = getenv("CEPHC_V2_CLUSTER_MODE");
	static const uint32_t crc[1] = {V2_MODE_CRC};
	static const uint32_t sec[1] = {V2_MODE_SECURE};
	static const uint32_t sec_crc[2] = {V2_MODE_SECURE, V2_MODE_CRC};
	struct cephc_entity_addr mon;
	struct cephc_crypto_key secret;
	char kr[512], key[256];
	char cmode[64];
	bool crc_ok, sec_ok;

	if (!conf || !*conf) {
		if (req && !strcmp(req, "1"))
			return fail("CEPHC_TEST_CONF unset");
		printf("CEPHC_TEST_CONF unset: skipping\n");
		return 77;
	}
	if (!keyring) {
		if (hx_conf_get(conf, "global", "keyring", kr, sizeof(kr)))
			return fail("no keyring");
		keyring = kr;
	}
	if (hx_conf_get(keyring, "client.admin", "key", key, sizeof(key)) ||
	    cephc_crypto_key_from_base64(&secret, key))
		return fail("no client.admin key");
	/* the cluster's own word (cluster.sh --ms-mode) unless told */
	if ((!cm || !*cm) && !hx_conf_get(conf, NULL, "ms_mon_service_mode",
					  cmode, sizeof(cmode)))
		cm = cmode;
	crc_ok = !cm || !*cm || !strcmp(cm, "crc");
	sec_ok = !cm || !*cm || !strcmp(cm, "secure");
	if (!crc_ok && !sec_ok)
		return fail("unknown cluster mode");
	/* the mon refuses secure mode to auth none (no connection secret) */
	if (getenv("CEPHC_V2_AUTH") && !strcmp(getenv("CEPHC_V2_AUTH"), "none"))
		sec_ok = false;
	if (find_mon_v2(conf, &mon)) {
		printf("no v2 mon address: skipping\n");
		return 77;
	}
	return session(&secret, mon, crc, 1, crc_ok ? V2_MODE_CRC : 0) ||
	       session(&secret, mon, sec, 1, sec_ok ? V2_MODE_SECURE : 0) ||
	       session(&secret, mon, sec_crc, 2,
		       sec_ok ? V2_MODE_SECURE : V2_MODE_CRC);
}
