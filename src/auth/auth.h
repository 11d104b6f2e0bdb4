/* SPDX-License-Identifier: MIT */
/*
 * Client authentication, sans-IO: the seam between the mon client / OSD
 * sessions and the auth methods (none, cephx).
 *
 * Nothing here touches a socket, a clock or a thread.  Callers pass payload
 * bytes in and get payload bytes out, and pass the current time (`now_ms`,
 * any monotonic millisecond clock; only differences matter) wherever ticket
 * expiry is involved.  One struct cephc_auth belongs to one client instance
 * and is used from one thread (the event loop); it is not locked.
 *
 * Mon handshake over msgr v1 (the mon client wraps these payloads in MAuth
 * type 17 and reads them out of MAuthReply type 18):
 *
 *	a = cephc_auth_create(&params);
 *	cephc_auth_build_hello(a, &buf);        -> MAuth protocol 0, payload buf
 *	r = cephc_auth_handle_reply(a, reply.protocol, reply.result,
 *				    reply.global_id, reply.payload, len, now);
 *	while (r == CEPHC_AUTH_MORE) {
 *		cephc_auth_build_request(a, now, &buf);
 *		send MAuth with protocol = cephc_auth_protocol(a), payload buf;
 *		r = cephc_auth_handle_reply(a, ...);
 *	}
 *	r == CEPHC_AUTH_DONE: authenticated; cephc_auth_global_id(a) is set.
 *	r < 0: failed (see "Errors").
 *
 * Renewal: when now >= cephc_auth_renew_deadline(a) (or on a timer),
 * cephc_auth_build_request(a, now, &buf) builds GET_AUTH_SESSION_KEY or
 * GET_PRINCIPAL_SESSION_KEY as needed (empty buf: nothing to do); send it as
 * MAuth on the established session and feed the reply to
 * cephc_auth_handle_reply() as above.  On reconnecting to a (possibly
 * different) mon call cephc_auth_reset(a) and start again with the hello;
 * the old global_id and AUTH ticket are kept and presented (cephx v3 global
 * id reclaim).
 *
 * OSD / MGR sessions (msgr v1 connect with authorizer_protocol =
 * cephc_auth_protocol(a)):
 *
 *	cephc_auth_get_authorizer(a, CEPHC_ENTITY_OSD, &au);
 *	send au->buf.data / au->buf.len as the connect authorizer;
 *	on TAG_CHALLENGE_AUTHORIZER: cephc_authorizer_handle_challenge(au,
 *		reply authorizer bytes) and connect again with the new au->buf;
 *	on READY/SEQ: cephc_authorizer_verify_reply(au, reply authorizer bytes);
 *	on BADAUTHORIZER: cephc_auth_invalidate(a, CEPHC_ENTITY_OSD), then get
 *		fresh tickets from the mon before reconnecting;
 *	per message (MSG_AUTH negotiated): cephc_authorizer_sign(...) into the
 *		footer sig, cephc_authorizer_check(...) on every received one;
 *	cephc_authorizer_destroy(au) when the session ends.
 * An authorizer holds its own copy of the ticket's session key, so it stays
 * valid when the auth client later renews or invalidates tickets.
 *
 * Errors: 0 / CEPHC_AUTH_MORE, or a negative CEPHC_E* code:
 *  - The mon's refusal is returned as the mon's own result when it is a
 *    plain errno: a wrong key or an unknown entity gives CEPHC_EACCES (the
 *    mon answers -EACCES to a wrong key proof) or CEPHC_EPERM.  Other
 *    negative results that are not errno-like map to CEPHC_EBADAUTH.
 *  - Data that fails to decrypt (bad PKCS#7 padding or a wrong magic after
 *    decryption: wrong secret, or a forged reply) gives CEPHC_EBADAUTH.
 *  - Truncated or malformed payloads: CEPHC_EDECODE; peer lengths or counts
 *    over the CEPHX_MAX_* limits: CEPHC_ETOOBIG; a positive result, protocol
 *    0 / unknown / changed, global_id 0 on success or changed within a
 *    handshake: CEPHC_EPROTO.  Authorizer reply nonce mismatch:
 *    CEPHC_EBADAUTH.  Signature mismatch: CEPHC_ESIGNATURE.
 * After an error the handle stays valid: reset and retry, or destroy.
 */
#ifndef CEPHC_AUTH_AUTH_H
#define CEPHC_AUTH_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth_buf.h"
#include "auth/crypto.h"
#include "core/addr.h"

/* Auth protocol ids carried in MAuth / msgr v1 connect / msgr2 AUTH. */
#define CEPHC_AUTH_UNKNOWN 0
#define CEPHC_AUTH_NONE 1
#define CEPHC_AUTH_CEPHX 2

/* Positive return of handle_reply: send cephc_auth_build_request() next. */
#define CEPHC_AUTH_DONE 0
#define CEPHC_AUTH_MORE 1

/* Longest entity id ("admin" in client.admin) we send or accept. */
#define CEPHC_AUTH_NAME_MAX 256

/* Feature bit that selects the cephx v2 signature formula (incarnation 1). */
#define CEPHC_FEATURE_CEPHX_V2 (1ull << 61)

struct cephc_auth;
struct cephc_authorizer;

/* What a msgr v1 signature covers (all values as on the wire, host order). */
struct cephc_msg_sig_input {
	uint32_t header_crc;
	uint32_t front_crc;
	uint32_t front_len;
	uint32_t middle_crc;
	uint32_t middle_len;
	uint32_t data_crc;
	uint32_t data_len;
	uint64_t seq; /* header seq; the v2 formula uses its low 32 bits */
};

/*
 * The seam: one table per auth method.  The mon client and OSD sessions call
 * the cephc_auth_* / cephc_authorizer_* wrappers below, which dispatch here;
 * a new method (e.g. a test double) only has to fill this in.
 */
struct cephc_auth_ops {
	const char *name;  /* "none", "cephx" */
	uint32_t protocol; /* CEPHC_AUTH_* */

	/* Set up / tear down a->priv. */
	int (*init)(struct cephc_auth *a);
	void (*destroy)(struct cephc_auth *a);
	/* New mon session: forget the server challenge, keep the tickets. */
	void (*reset)(struct cephc_auth *a);

	/* Append the next request payload to out (nothing when none needed). */
	int (*build_request)(struct cephc_auth *a, uint64_t now_ms,
			     struct cephc_auth_buf *out);
	/* Consume a reply payload for an accepted (result 0) reply. */
	int (*handle_reply)(struct cephc_auth *a, const uint8_t *payload,
			    size_t len, uint64_t now_ms);
	bool (*is_authenticated)(struct cephc_auth *a, uint64_t now_ms);
	/* True when the method holds what proves our global_id to a monitor
	 * on reconnect (cephx: an AUTH ticket; none: nothing is needed). */
	bool (*holds_auth_ticket)(struct cephc_auth *a);
	/* True when a request should be sent (tickets missing or due). */
	bool (*should_authenticate)(struct cephc_auth *a, uint64_t now_ms);
	/* Earliest time a wanted ticket is due for renewal; UINT64_MAX: none.
	 */
	uint64_t (*renew_deadline)(struct cephc_auth *a);
	/* Drop the ticket of one service (after BADAUTHORIZER). */
	void (*invalidate)(struct cephc_auth *a, uint32_t service);

	int (*get_authorizer)(struct cephc_auth *a, uint32_t service,
			      struct cephc_authorizer **out);
	int (*handle_authorizer_challenge)(struct cephc_authorizer *au,
					   const uint8_t *p, size_t len);
	int (*verify_authorizer_reply)(struct cephc_authorizer *au,
				       const uint8_t *p, size_t len);
	int (*sign_message)(const struct cephc_authorizer *au,
			    uint64_t peer_features,
			    const struct cephc_msg_sig_input *m, uint64_t *sig);
	int (*check_message_signature)(const struct cephc_authorizer *au,
				       uint64_t peer_features,
				       const struct cephc_msg_sig_input *m,
				       uint64_t sig);
	void (*destroy_authorizer)(struct cephc_authorizer *au);

	/* msgr2 (may be NULL: CEPHC_EOPNOTSUPP): the key of AUTH_SIGNATURE
	 * and the secure-mode connection secret of the last AUTH_DONE. */
	int (*session_key)(struct cephc_auth *a,
			   const struct cephc_crypto_key **key);
	int (*connection_secret)(struct cephc_auth *a, const uint8_t **p,
				 size_t *len);
};

extern const struct cephc_auth_ops cephc_auth_none_ops;
extern const struct cephc_auth_ops cephc_auth_cephx_ops;

/*
 * An authorizer for one connection.  buf is what goes on the wire (the
 * msgr v1 connect authorizer, or the msgr2 AUTH_REQUEST payload part);
 * read it, never modify it.  Owned by the caller of get_authorizer; free
 * with cephc_authorizer_destroy().
 */
struct cephc_authorizer {
	const struct cephc_auth_ops *ops;
	uint32_t protocol;
	uint32_t service;          /* CEPHC_ENTITY_OSD, ... */
	struct cephc_auth_buf buf; /* current authorizer bytes */
	/* cephx only: */
	uint64_t nonce;     /* our nonce; reply must carry nonce+1 */
	uint64_t secret_id; /* ticket's rotating secret id */
	size_t base_len;    /* length of the clear part of buf */
	struct cephc_crypto_key session_key; /* the ticket's session key */
	struct cephc_aes_ctx sig_ctx;        /* session key, for signing */
	/* From a struct_v >= 2 authorizer reply (msgr2 secure mode). */
	struct cephc_auth_buf connection_secret;
};

struct cephc_auth_params {
	uint32_t name_type;  /* CEPHC_ENTITY_CLIENT normally */
	const char *name_id; /* "admin" for client.admin; copied */
	/* Long-term secret; required for cephx, may be NULL for none. */
	const struct cephc_crypto_key *secret;
	/* Bit set of (1 << CEPHC_AUTH_*) the client accepts; 0 = none|cephx. */
	uint32_t allowed;
	/* Services to hold tickets for (CEPHC_ENTITY_* bits; AUTH is implied);
	 * 0 = MON | OSD | MGR. */
	uint32_t want_keys;
	uint64_t global_id; /* 0 for a fresh client */
};

/* State shared by all methods; methods keep theirs in priv. */
struct cephc_auth {
	const struct cephc_auth_ops *ops; /* NULL until negotiated */
	void *priv;
	uint32_t allowed;
	uint32_t want_keys;
	uint32_t name_type;
	char *name_id;
	bool have_secret;
	struct cephc_crypto_key secret;
	/* Ours for good only once we hold an AUTH ticket proving it: a hello
	 * presenting an id without that proof is refused by monitors that
	 * enforce secure global_id reclaim (16.2.1+). */
	uint64_t global_id;
	/* Assigned by this handshake's first reply; becomes global_id when
	 * the method holds its AUTH ticket. */
	uint64_t pending_global_id;
	bool negotiating;  /* hello sent, method not yet chosen */
	bool in_handshake; /* between reset and DONE: global_id must not move */
};

/*
 * Create a client.  Returns NULL on allocation failure or bad params
 * (no name, name longer than CEPHC_AUTH_NAME_MAX, cephx allowed without a
 * secret when cephx is the only method).  Free with cephc_auth_destroy().
 * The secret is copied (and wiped on destroy).
 */
struct cephc_auth *cephc_auth_create(const struct cephc_auth_params *params);
void cephc_auth_destroy(struct cephc_auth *a);

/* Start a new mon session: negotiation restarts, tickets are kept. */
void cephc_auth_reset(struct cephc_auth *a);

/*
 * Drop our global_id and every ticket, so the next hello asks for a fresh
 * identity.  For a monitor that refused to let us reclaim the old one (for
 * instance after our AUTH ticket's rotating secret aged out).
 */
void cephc_auth_forget_identity(struct cephc_auth *a);

/*
 * The initial MAuth payload (protocol 0): u8 1, le32 n + the allowed
 * protocols, EntityName (le32 type + string id), le64 global_id.  Appended
 * to out.  Also puts the client in the negotiating state.
 */
int cephc_auth_build_hello(struct cephc_auth *a, struct cephc_auth_buf *out);

/*
 * Feed one MAuthReply: its protocol, result, global_id and payload.
 * Returns CEPHC_AUTH_DONE (authenticated, all wanted tickets held),
 * CEPHC_AUTH_MORE (call cephc_auth_build_request and send), or an error.
 */
int cephc_auth_handle_reply(struct cephc_auth *a, uint32_t protocol,
			    int32_t result, uint64_t global_id,
			    const void *payload, size_t len, uint64_t now_ms);

/*
 * Append the next request payload to out; out->len == 0 afterwards (when
 * it was empty before) means nothing is needed.  Send it as MAuth with
 * protocol cephc_auth_protocol(a).  CEPHC_EINVAL before negotiation.
 */
int cephc_auth_build_request(struct cephc_auth *a, uint64_t now_ms,
			     struct cephc_auth_buf *out);

/*
 * msgr2 mon authentication (protocol-map 5.4).  There is no hello round:
 * the client names its method in AUTH_REQUEST (le32 method, le32 n + con
 * modes: the messenger's part) whose payload bl holds what
 * cephc_auth_msgr2_start() appends: u8 CEPHC_AUTH_MODE_MON, EntityName,
 * le64 global_id.  The method is cephx when a secret was given and cephx
 * is allowed, else none; cephc_auth_protocol(a) tells which afterwards.
 * AUTH_REPLY_MORE payload -> cephc_auth_msgr2_handle_more(), which appends
 * the next AUTH_REQUEST_MORE payload to out.  AUTH_DONE (global_id,
 * payload) -> cephc_auth_msgr2_handle_done(): 0 once the AUTH ticket is
 * held (service tickets missing from the reply are fetched later with
 * MAuth, see "Renewal"); then cephc_auth_session_key() is the HMAC key of
 * AUTH_SIGNATURE and cephc_auth_connection_secret() the secure-mode secret.
 * OSD / MGR over msgr2: the AUTH_REQUEST payload is au->buf; AUTH_REPLY_MORE
 * goes to cephc_authorizer_handle_challenge() (send au->buf again), and
 * AUTH_DONE to cephc_authorizer_verify_reply() (then
 * au->connection_secret).
 */
#define CEPHC_AUTH_MODE_AUTHORIZER 1
#define CEPHC_AUTH_MODE_MON 10
int cephc_auth_msgr2_start(struct cephc_auth *a, struct cephc_auth_buf *out);
/*
 * The same, choosing only among the methods peer_allowed names (bit set of
 * 1 << CEPHC_AUTH_*, from AUTH_BAD_METHOD): cephx when a secret is held
 * and both sides allow it, else none when both allow it, else
 * CEPHC_EBADAUTH (nothing appended).
 */
int cephc_auth_msgr2_start_among(struct cephc_auth *a, uint32_t peer_allowed,
				 struct cephc_auth_buf *out);
int cephc_auth_msgr2_handle_more(struct cephc_auth *a, const void *payload,
				 size_t len, uint64_t now_ms,
				 struct cephc_auth_buf *out);
int cephc_auth_msgr2_handle_done(struct cephc_auth *a, uint64_t global_id,
				 const void *payload, size_t len,
				 uint64_t now_ms);

/* The negotiated protocol (CEPHC_AUTH_*), CEPHC_AUTH_UNKNOWN before. */
uint32_t cephc_auth_protocol(const struct cephc_auth *a);
uint64_t cephc_auth_global_id(const struct cephc_auth *a);
bool cephc_auth_is_authenticated(struct cephc_auth *a, uint64_t now_ms);
bool cephc_auth_should_authenticate(struct cephc_auth *a, uint64_t now_ms);
/* When to call build_request again (ms, the caller's clock); UINT64_MAX:
 * no ticket is due (auth none, or nothing held yet). */
uint64_t cephc_auth_renew_deadline(struct cephc_auth *a);
void cephc_auth_invalidate(struct cephc_auth *a, uint32_t service);

/*
 * cephx: the AUTH session key (msgr2 AUTH_SIGNATURE HMAC key on mon
 * sessions) and the connection secret of the last GET_AUTH_SESSION_KEY reply
 * (empty over msgr v1).  Views valid until the next handle_reply / reset /
 * destroy; CEPHC_ENOENT when not held, CEPHC_EOPNOTSUPP for auth none.
 */
int cephc_auth_session_key(struct cephc_auth *a,
			   const struct cephc_crypto_key **key);
int cephc_auth_connection_secret(struct cephc_auth *a, const uint8_t **p,
				 size_t *len);

/*
 * Build an authorizer for a service (CEPHC_ENTITY_OSD / MGR / MON / AUTH).
 * cephx: CEPHC_ENOENT when no valid ticket for it is held (fetch tickets
 * first).  *out is owned by the caller.
 */
int cephc_auth_get_authorizer(struct cephc_auth *a, uint32_t service,
			      struct cephc_authorizer **out);

/* CEPHX_V2 challenge (no length prefix): rebuild au->buf with the proof. */
int cephc_authorizer_handle_challenge(struct cephc_authorizer *au,
				      const void *p, size_t len);
/* The server's authorizer reply; checks nonce + 1. */
int cephc_authorizer_verify_reply(struct cephc_authorizer *au, const void *p,
				  size_t len);
/*
 * msgr v1 message signature (MSG_AUTH).  The formula follows the *peer's*
 * features: CEPHX_V2 or legacy.  Auth none signs with 0 and accepts all.
 */
int cephc_authorizer_sign(const struct cephc_authorizer *au,
			  uint64_t peer_features,
			  const struct cephc_msg_sig_input *m, uint64_t *sig);
/* 0 when sig matches, CEPHC_ESIGNATURE when not. */
int cephc_authorizer_check(const struct cephc_authorizer *au,
			   uint64_t peer_features,
			   const struct cephc_msg_sig_input *m, uint64_t sig);
void cephc_authorizer_destroy(struct cephc_authorizer *au);

/* Encode an EntityName (le32 type + string id) (used by both methods). */
void cephc_auth_encode_entity_name(struct cephc_auth_buf *out, uint32_t type,
				   const char *id);

#endif /* CEPHC_AUTH_AUTH_H */
