/* SPDX-License-Identifier: MIT */
/*
 * cephx internals: wire constants, the encrypted-blob forms, the key proof,
 * message signatures, tickets and authorizers.  The mon client and OSD
 * sessions use auth.h; this header is for src/auth, tests and fuzzers.
 *
 * Encrypted-blob forms (protocol-map 5.2):
 *  - "encrypt": le32 ciphertext_len + AES(u8 1, le64 CEPHX_ENC_MAGIC, payload)
 *  - "enc_bl":  the same ciphertext without the length prefix (authorizer
 *               challenge; its length comes from the enclosing buffer)
 *  - raw:       AES of the bytes as given (v2 message signature only)
 */
#ifndef CEPHC_AUTH_CEPHX_H
#define CEPHC_AUTH_CEPHX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "auth/auth_buf.h"
#include "auth/crypto.h"
#include "core/decode.h"

#define CEPHX_ENC_MAGIC 0xff009cad8826aa55ull
#define CEPHX_ENC_HEADER_LEN 9 /* u8 struct_v + le64 magic */

/* Request / reply op codes (CephXRequestHeader / CephXResponseHeader). */
#define CEPHX_GET_AUTH_SESSION_KEY 0x0100
#define CEPHX_GET_PRINCIPAL_SESSION_KEY 0x0200
#define CEPHX_GET_ROTATING_KEY 0x0400

/* CephXAuthenticate version we send: 3 = "reclaims global_id correctly". */
#define CEPHX_AUTHENTICATE_V 3
/* CephXAuthorize version: 2 carries the challenge answer. */
#define CEPHX_AUTHORIZE_V 2

/* Named maxima for peer-supplied sizes. */
#define CEPHX_MAX_ENC_LEN (64 * 1024)     /* one ciphertext */
#define CEPHX_MAX_TICKET_BLOB (32 * 1024) /* opaque service ticket */
#define CEPHX_MAX_TICKETS 16              /* tickets in one reply */
#define CEPHX_MAX_CONN_SECRET 1024        /* msgr2 connection secret */

/* Services we can hold tickets for: entity type bits MON..AUTH. */
#define CEPHX_NUM_SERVICES 6 /* bit index 0 (MON 0x01) .. 5 (AUTH 0x20) */

/* A decrypted payload; owned, wiped and freed by cephx_plain_free(). */
struct cephx_plain {
	uint8_t *buf;     /* allocation */
	const uint8_t *p; /* payload after the 9-byte header */
	size_t len;       /* payload length */
};

void cephx_plain_free(struct cephx_plain *pl);

/* Append the "encrypt" form of payload (le32 len + ciphertext) to out. */
int cephx_encrypt(const struct cephc_crypto_key *key, const void *payload,
		  size_t len, struct cephc_auth_buf *out);
/* Append the "enc_bl" form (ciphertext only) to out. */
int cephx_encrypt_enc_bl(const struct cephc_crypto_key *key,
			 const void *payload, size_t len,
			 struct cephc_auth_buf *out);
/*
 * Read an "encrypt" blob from d (le32 len + ciphertext, len capped at
 * CEPHX_MAX_ENC_LEN) and decrypt it.  EDECODE (truncated, not a multiple of
 * 16), ETOOBIG, EBADAUTH (padding or header/magic wrong: wrong key).
 * A failure is also recorded in d->err.
 */
int cephx_decrypt(const struct cephc_crypto_key *key, struct cephc_dec *d,
		  struct cephx_plain *out);
/* Decrypt an "enc_bl" ciphertext of exactly len bytes. */
int cephx_decrypt_enc_bl(const struct cephc_crypto_key *key, const void *ct,
			 size_t len, struct cephx_plain *out);

/*
 * The client's key proof in CephXAuthenticate: "encrypt" form of
 * {le64 server_challenge, le64 client_challenge} with the long-term secret,
 * then the XOR of every whole le64 word of that output *including* its
 * 4-byte length prefix (36 bytes: words at 0, 8, 16, 24; the tail ignored).
 */
int cephx_key_proof(const struct cephc_crypto_key *secret,
		    uint64_t server_challenge, uint64_t client_challenge,
		    uint64_t *proof);

/*
 * msgr v1 message signature with a session key (protocol-map 3.9).
 * v2 (peer has CEPHX_V2): raw AES of eight le32 {header crc, front crc,
 * front len, middle crc, middle len, data crc, data len, seq low 32}; the
 * XOR of the first four le64 words of the 48-byte ciphertext.
 * legacy: AES of {u8 1, magic, le32 16, header crc, front crc, middle crc,
 * data crc}; the first le64 of the 32-byte ciphertext.
 */
int cephx_calc_signature(const struct cephc_crypto_key *key, bool v2,
			 const struct cephc_msg_sig_input *m, uint64_t *sig);

/* One service ticket as held by the client. */
struct cephx_ticket {
	uint32_t service; /* CEPHC_ENTITY_* bit */
	bool have;        /* a ticket was received and has not expired */
	struct cephc_crypto_key session_key;
	uint64_t secret_id;
	uint8_t *blob; /* opaque ticket for the service; owned */
	uint32_t blob_len;
	uint64_t expires_ms;
	uint64_t renew_after_ms; /* expires - validity / 4 */
};

/* Per-client cephx state (struct cephc_auth priv). */
struct cephx_state {
	bool starting; /* waiting for the server challenge */
	uint64_t server_challenge;
	uint16_t pending_op; /* op of the request in flight, 0: none */
	uint32_t have_keys;  /* services with a usable ticket */
	struct cephx_ticket tickets[CEPHX_NUM_SERVICES];
	struct cephc_auth_buf conn_secret; /* from GET_AUTH_SESSION_KEY */
	/* Test hook: fixed client challenge when non-zero (never in prod). */
	uint64_t test_client_challenge;
};

/* Free every ticket and the connection secret (xs itself is the caller's). */
void cephx_state_clear(struct cephx_state *xs);

/* Ticket slot for a service bit, NULL if it is not one we track. */
struct cephx_ticket *cephx_ticket_slot(struct cephx_state *xs,
				       uint32_t service);

/*
 * Parse a ticket reply (u8 1, le32 n, n tickets) from d; per-ticket
 * session blobs are decrypted with key; encrypted ticket blobs with the
 * ticket's previous session key.  now_ms stamps expiry.
 */
int cephx_process_ticket_reply(struct cephx_state *xs,
			       const struct cephc_crypto_key *key,
			       struct cephc_dec *d, uint64_t now_ms);

/*
 * Build an authorizer from a ticket (clear part + encrypted CephXAuthorize
 * with a fresh nonce, no challenge).  *out owned by the caller.
 */
int cephx_build_authorizer(const struct cephx_ticket *t, uint64_t global_id,
			   struct cephc_authorizer **out);

#endif /* CEPHC_AUTH_CEPHX_H */
