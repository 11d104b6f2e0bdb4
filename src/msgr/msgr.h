/* SPDX-License-Identifier: MIT */
/*
 * The messenger: msgr v1 connections (client and accepting side) driven by
 * one event loop (msgr/loop.h).
 *
 * Threading: every function here runs in the loop's driver context (a loop
 * callback, or a thread inside cephc_loop_submit()/cephc_loop_process()),
 * except cephc_conn_send_any(), which any thread may call.  All conn_ops
 * hooks run in driver context and must not block.
 *
 * Lifecycle of a client connection:
 *   cephc_conn_create() -> cephc_conn_open(peer) -> handshake -> OPEN
 *   -> (any fault: socket error, bad input, keepalive timeout, peer CLOSE)
 *   -> ops->fault(con, err) exactly once per fault, connection CLOSED, every
 *      queued and unacknowledged message dropped (the upper layer resends)
 *   -> the upper layer calls cephc_conn_reconnect() (when the session had
 *      reached OPEN: at once, as the kernel reopens a lossy OSD session,
 *      unless sessions to that peer keep faulting, see msgr/backoff.h;
 *      otherwise backoff 0.25 s doubling to 15 s, reset by a successful
 *      handshake) or cephc_conn_destroy().
 * cephc_conn_close() closes without calling ops->fault.
 * Hooks may call cephc_conn_send/close/reconnect/destroy on their own
 * connection; a destroy from inside a hook is deferred until it returns.
 */
#ifndef CEPHC_MSGR_MSGR_H
#define CEPHC_MSGR_MSGR_H

#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "msgr/loop.h"
#include "msgr/msg.h"
#include "msgr/v1_codec.h"

/* Authorizer bytes we send or accept in one connect / reply. */
#define CEPHC_AUTHORIZER_MAX 4096
/* Reconnect backoff (kernel values). */
#define CEPHC_BACKOFF_BASE_MS 250
#define CEPHC_BACKOFF_MAX_MS 15000
/* Keepalive tags a peer may send per second before the session faults
 * ("keepalive flood"); daemons send one every few seconds. */
#define CEPHC_KEEPALIVE_MAX_PER_S 1000

struct cephc_msgr_opts {
	uint64_t features;              /* advertised: CEPHC_FEATURES_DEFAULT */
	uint64_t required_features;     /* CEPHC_FEATURES_REQUIRED */
	uint32_t front_max;             /* CEPHC_MSG_FRONT_MAX */
	uint32_t middle_max;            /* CEPHC_MSG_MIDDLE_MAX */
	uint32_t data_max;              /* CEPHC_MSG_DATA_MAX */
	uint32_t keepalive_interval_ms; /* 0: no keepalives (default 5000) */
	uint32_t keepalive_timeout_ms;  /* 0: never time out (default 30000) */
	uint32_t connect_timeout_ms;    /* handshake deadline (default 10000) */
	int sndbuf, rcvbuf; /* SO_SNDBUF / SO_RCVBUF; 0 = kernel default */
};

void cephc_msgr_opts_default(struct cephc_msgr_opts *o);

struct cephc_msgr;
struct cephc_conn;

enum cephc_conn_state {
	CEPHC_CON_CLOSED = 0,
	CEPHC_CON_BACKOFF,    /* waiting to reconnect */
	CEPHC_CON_CONNECTING, /* TCP connect in progress */
	CEPHC_CON_HANDSHAKE,  /* banner / connect exchange */
	CEPHC_CON_OPEN,
};

/*
 * Hooks (any may be NULL unless said otherwise).  priv: cephc_conn_priv().
 */
struct cephc_conn_ops {
	/*
	 * Client: the authorizer for the next connect.  Set *proto (0 none,
	 * 2 cephx) and point *buf and *len at bytes that stay valid until the
	 * next call or the connection closes.  NULL hook: no authorizer.
	 * Called for every connect round, including the single retry after
	 * BADAUTHORIZER (the place to use a freshly fetched ticket) and the
	 * resend after a challenge.
	 */
	int (*get_authorizer)(struct cephc_conn *con, uint32_t *proto,
			      const uint8_t **buf, uint32_t *len);
	/* Client: CHALLENGE_AUTHORIZER bytes; rebuild the authorizer. */
	int (*handle_authorizer_challenge)(struct cephc_conn *con,
					   const uint8_t *buf, uint32_t len);
	/* Client: the authorizer reply of READY/SEQ; 0 if valid. */
	int (*verify_authorizer_reply)(struct cephc_conn *con,
				       const uint8_t *buf, uint32_t len);
	/*
	 * A message's header, front and middle arrived (header crc
	 * verified, lengths within maxima; the front/middle crcs are checked
	 * with the footer later): msg->hdr, front, middle are filled.  When
	 * hdr.data_len > 0 the hook may add destination items to msg->data
	 * (the caller's buffers; at least data_len bytes), found e.g. by
	 * hdr.tid.  If it adds nothing, the messenger allocates pages.
	 * Return 0, or a negative error to fault the connection.
	 */
	int (*alloc_data)(struct cephc_conn *con, struct cephc_msg *msg);
	/* A complete, verified message; the hook owns the reference. */
	void (*dispatch)(struct cephc_conn *con, struct cephc_msg *msg);
	/* The connection faulted and is now CLOSED; err says why. */
	void (*fault)(struct cephc_conn *con, int err);
	/* The handshake completed (state OPEN). */
	void (*connected)(struct cephc_conn *con);
	/*
	 * The peer answered RESETSESSION: it has no session for us, so any
	 * state tied to the old session is gone (the connect is retried as
	 * a new session right away).
	 */
	void (*peer_reset)(struct cephc_conn *con);
	/*
	 * Signing (only called when MSG_AUTH is negotiated): fill
	 * msg->footer.sig from the header crc and footer crcs; check a
	 * received one (0 if valid, else the connection faults with
	 * CEPHC_ESIGNATURE).
	 */
	int (*sign_message)(struct cephc_conn *con, struct cephc_msg *msg);
	int (*check_signature)(struct cephc_conn *con,
			       const struct cephc_msg *msg);
	/* Accepting side: a new connection; ops->priv is inherited. */
	void (*accepted)(struct cephc_conn *con);
	/*
	 * Accepting side: decide the connect reply.  reply is pre-filled with
	 * the default answer (SEQ/READY, or FEATURES); the hook may change
	 * it, and put reply->authorizer_len bytes into reply_auth (room for
	 * CEPHC_AUTHORIZER_MAX).  Tags other than READY/SEQ make the client
	 * retry or give up.
	 */
	int (*accept_connect)(struct cephc_conn *con,
			      const struct v1_connect *c, const uint8_t *auth,
			      struct v1_connect_reply *reply,
			      uint8_t *reply_auth);
};

/*
 * A messenger: our identity (entity type, random nonce, global_id as
 * src.num), the global_seq counter and the limits, on one loop.
 */
int cephc_msgr_create(struct cephc_loop *loop,
		      const struct cephc_msgr_opts *opts, uint8_t entity_type,
		      struct cephc_msgr **out);
/* Every connection must have been destroyed first. */
void cephc_msgr_destroy(struct cephc_msgr *msgr);
struct cephc_loop *cephc_msgr_loop(struct cephc_msgr *msgr);
/* src.num of messages we send (the global_id once known). */
void cephc_msgr_set_entity_num(struct cephc_msgr *msgr, uint64_t num);
/* Our address: blank IP until a peer reports it, port 0, random nonce. */
const struct cephc_entity_addr *cephc_msgr_addr(const struct cephc_msgr *msgr);

/*
 * Accept v1 connections on addr (port 0 picks one; cephc_msgr_addr() then
 * reports the bound address).  Accepted connections use ops/priv; the
 * upper layer destroys them (typically from ops->fault).
 */
int cephc_msgr_listen(struct cephc_msgr *msgr,
		      const struct cephc_entity_addr *addr,
		      const struct cephc_conn_ops *ops, void *priv);

struct cephc_conn *cephc_conn_create(struct cephc_msgr *msgr,
				     const struct cephc_conn_ops *ops,
				     void *priv);
/* Closes (without ops->fault), drops queued messages, frees. */
void cephc_conn_destroy(struct cephc_conn *con);
void *cephc_conn_priv(const struct cephc_conn *con);

/*
 * Connect to peer (a v1/LEGACY or ANY address, nonce included: the peer
 * must announce the same ip, port and nonce, else EWRONGPEER).  peer_type
 * is CEPHC_ENTITY_MON/OSD/...; it picks the protocol version.
 */
int cephc_conn_open(struct cephc_conn *con,
		    const struct cephc_entity_addr *peer, uint8_t peer_type);
/*
 * Test seam: run the client handshake over an already connected stream fd
 * (e.g. one end of a socketpair); the connection takes the fd.
 */
int cephc_conn_open_fd(struct cephc_conn *con, int fd,
		       const struct cephc_entity_addr *peer, uint8_t peer_type);
/* After a fault: open again after the backoff delay. */
void cephc_conn_reconnect(struct cephc_conn *con);
void cephc_conn_close(struct cephc_conn *con);

/*
 * Queue msg (consumes the caller's reference; see msgr/msg.h).  Messages
 * queued before the session opens go out once it does.  Driver context.
 */
void cephc_conn_send(struct cephc_conn *con, struct cephc_msg *msg);
/* Same from any thread (inline when nobody drives the loop). */
void cephc_conn_send_any(struct cephc_conn *con, struct cephc_msg *msg);

enum cephc_conn_state cephc_conn_state(const struct cephc_conn *con);
/* Features negotiated: ours & the peer's (valid once OPEN). */
uint64_t cephc_conn_features(const struct cephc_conn *con);
/* The peer's whole feature set as it sent it. */
uint64_t cephc_conn_peer_features(const struct cephc_conn *con);
const struct cephc_entity_addr *
cephc_conn_peer_addr(const struct cephc_conn *con);
/* When the last KEEPALIVE2_ACK arrived (CLOCK_MONOTONIC ns), 0 none. */
uint64_t cephc_conn_last_keepalive_ack(const struct cephc_conn *con);
/* Why the last fault happened ("bad message header crc", "connect
 * failed", ...; a static string, NULL before any) and its error. */
const char *cephc_conn_fault_reason(const struct cephc_conn *con, int *err);
/* Tag of the last connect reply the client got (V1_TAG_SEQ, ...), 0 none. */
uint8_t cephc_conn_last_reply_tag(const struct cephc_conn *con);
/* Sent messages kept for the peer's ACK; always 0 on lossy sessions (a
 * lossy Ceph server sends no ACKs, so nothing is kept once written). */
uint32_t cephc_conn_unacked(const struct cephc_conn *con);

#endif /* CEPHC_MSGR_MSGR_H */
