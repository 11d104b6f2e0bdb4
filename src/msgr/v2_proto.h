/* SPDX-License-Identifier: MIT */
/*
 * msgr2.1 client protocol, sans-IO: a state machine for one lossy client
 * connection.  Events go in (connected, bytes received, timer), actions
 * come out (bytes to send, "ready", "message received", "fault").  No
 * sockets, threads or loop: the connection core moves the bytes.
 *
 * Handshake (protocol-map 4.4): banners; HELLO both ways; AUTH_REQUEST
 * (method from the auth ops, modes in the configured order) ->
 * AUTH_REPLY_MORE* -> AUTH_DONE, or AUTH_BAD_METHOD (one retry with what
 * the server allows); then, in the chosen mode, AUTH_SIGNATURE both ways;
 * CLIENT_IDENT -> SERVER_IDENT (or IDENT_MISSING_FEATURES: fault; WAIT:
 * fault with fault_retry set, the caller backs off and dials again).  A
 * lossy client never sends SESSION_RECONNECT, so SESSION_RESET /
 * SESSION_RETRY / SESSION_RETRY_GLOBAL / SESSION_RECONNECT_OK, which only
 * answer it, are protocol errors, as in the Linux client
 * (net/ceph/messenger_v2.c accepts them only in its reconnect state).
 * After READY: MESSAGE, ACK, KEEPALIVE2 (answered) and KEEPALIVE2_ACK.
 *
 * Use:
 *   v2p_init(); v2p_connected(); then repeatedly send what
 *   v2p_tx_pending() shows (v2p_tx_consumed() after a write) and feed
 *   received bytes to v2p_feed() until it has used them all.  After
 *   V2P_EV_MSG_SIZES name the message's buffers (v2p_set_msg_buffers())
 *   and feed again, even with no new bytes.
 */
#ifndef CEPHC_MSGR_V2_PROTO_H
#define CEPHC_MSGR_V2_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "auth/auth.h"
#include "auth/auth_buf.h"
#include "core/addr.h"
#include "msgr/v2_body.h"
#include "msgr/v2_frame.h"

/* Largest control frame we accept (AUTH payloads are far smaller). */
#define V2P_CONTROL_MAX (1u << 20)
#define V2P_MAX_MODES 2
#define V2P_REASON_LEN 160

struct v2p_config {
	uint8_t peer_type;                  /* CEPHC_ENTITY_MON, ... */
	struct cephc_entity_addr peer_addr; /* as dialled (type MSGR2) */
	/* V2_MODE_CRC / V2_MODE_SECURE in order of preference */
	uint32_t modes[V2P_MAX_MODES];
	uint32_t nmodes;
	uint64_t features;
	uint64_t features_required;
	uint32_t addr_nonce;           /* our address nonce (non-zero) */
	uint64_t client_cookie;        /* non-zero */
	uint64_t global_seq;           /* first one to offer */
	struct cephc_auth *auth;       /* mon authentication; not owned */
	uint64_t handshake_timeout_ms; /* 0: none */
	uint64_t keepalive_ms;         /* 0: never send KEEPALIVE2 */
};

enum v2p_state {
	V2P_S_IDLE = 0,
	V2P_S_BANNER,
	V2P_S_HELLO,
	V2P_S_AUTH,
	V2P_S_AUTH_SIGNATURE,
	V2P_S_IDENT,
	V2P_S_READY,
	V2P_S_FAULT,
};

enum v2p_event {
	V2P_EV_NEED_MORE = 0, /* all bytes given were used */
	V2P_EV_READY = 1,     /* the session is up (reported once) */
	V2P_EV_MSG_SIZES = 2, /* p->msg_len[]: name buffers, feed again */
	V2P_EV_MESSAGE = 3,   /* p->msg_hdr; segments in the named buffers */
	V2P_EV_FAULT = 4,     /* p->fault_err, p->fault_reason; sticky */
};

struct v2p_msg_out {
	struct v2_header2 hdr;      /* seq and ack_seq are filled in */
	const struct iovec *iov[3]; /* front, middle, data */
	size_t iovcnt[3];
};

struct v2p {
	struct v2p_config cfg;
	enum v2p_state state;
	enum v2_mode mode; /* after AUTH_DONE */
	int fault_err;
	bool fault_retry; /* WAIT: try again after a back-off */
	char fault_reason[V2P_REASON_LEN];

	uint64_t peer_features; /* from SERVER_IDENT */
	uint64_t global_id;
	uint64_t server_cookie;
	struct cephc_entity_addr my_addr; /* as the peer saw us (HELLO) */
	uint64_t in_seq, out_seq, out_acked;
	uint64_t last_keepalive_ack_ms;

	/* received MESSAGE */
	struct v2_header2 msg_hdr;
	uint32_t msg_len[3]; /* front, middle, data */

	/* private */
	struct v2_rx rx;
	struct v2_crypto crypto;
	bool crypto_on;
	uint8_t banner[10 + V2_BANNER_PAYLOAD_MAX];
	size_t banner_have;
	struct cephc_auth_buf ctl; /* segment 0 of the frame being received */
	struct iovec ctl_iov;
	struct cephc_auth_buf sent_log, rcvd_log; /* up to AUTH_DONE */
	bool logging;
	bool ack_pending;
	uint8_t peer_sig[V2_SIG_LEN]; /* what their AUTH_SIGNATURE must be */
	unsigned auth_retries;
	uint32_t modes_now[V2P_MAX_MODES];
	uint32_t nmodes_now;
	uint8_t *tx;
	size_t tx_len, tx_off, tx_cap;
	uint64_t now_ms, deadline_ms, last_keepalive_ms;
};

/* cfg is copied (auth is borrowed). */
int v2p_init(struct v2p *p, const struct v2p_config *cfg, uint64_t now_ms);
void v2p_free(struct v2p *p);

/* The TCP connection is up: queues our banner. */
int v2p_connected(struct v2p *p, uint64_t now_ms);

/* Feed received bytes; *used gets how many were consumed. */
enum v2p_event v2p_feed(struct v2p *p, const void *buf, size_t len,
			size_t *used, uint64_t now_ms);

/*
 * After V2P_EV_MSG_SIZES: where front, middle and data go (each exactly
 * msg_len[i] bytes over its iovecs; NULL/0 drops that segment).  The
 * iovec arrays must stay valid until V2P_EV_MESSAGE.
 */
int v2p_set_msg_buffers(struct v2p *p, const struct iovec *const iov[3],
			const size_t iovcnt[3]);

/*
 * Bytes waiting to be sent (0: none) and how many of them went out.  An
 * ACK for received messages is queued here once everything else is out.
 */
size_t v2p_tx_pending(struct v2p *p, const uint8_t **data);
void v2p_tx_consumed(struct v2p *p, size_t n);

/* Queue a MESSAGE (READY only): next seq, ack_seq = in_seq. */
int v2p_send_message(struct v2p *p, struct v2p_msg_out *m);

/*
 * The clock moved: the handshake deadline (fault ETIMEDOUT) and, when
 * READY, KEEPALIVE2 every keepalive_ms.  Returns V2P_EV_FAULT or
 * V2P_EV_NEED_MORE.
 */
enum v2p_event v2p_timer(struct v2p *p, uint64_t now_ms);

const char *v2p_state_name(enum v2p_state s);

#endif /* CEPHC_MSGR_V2_PROTO_H */
