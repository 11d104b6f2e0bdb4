/* SPDX-License-Identifier: MIT */
/*
 * cephx client: mon handshake (GET_AUTH_SESSION_KEY with the key proof and
 * global_id reclaim), service tickets (GET_PRINCIPAL_SESSION_KEY),
 * authorizers with the CEPHX_V2 challenge, and msgr v1 message signatures.
 * Wire facts: shared/reference/protocol-map.md sections 3.9 and 5.
 */
#include "auth/cephx.h"

#include <string.h>

#include <openssl/crypto.h>

#include "core/alloc.h"
#include "core/encode.h"
#include "core/log.h"

#define SUBSYS "cephx"

/* ---- encrypted blobs ------------------------------------------------- */

void cephx_plain_free(struct cephx_plain *pl)
{
	if (pl->buf) {
		OPENSSL_cleanse(pl->buf, pl->len + CEPHX_ENC_HEADER_LEN);
		cephc_free(pl->buf);
	}
	memset(pl, 0, sizeof(*pl));
}

/* AES of header + payload, appended to out (no length prefix). */
static int encrypt_with_header(const struct cephc_crypto_key *key,
			       const void *payload, size_t len,
			       struct cephc_auth_buf *out, size_t *ct_len)
{
	uint8_t *plain, *ct;
	size_t plen = CEPHX_ENC_HEADER_LEN + len, n;
	int err;

	if (len > CEPHX_MAX_ENC_LEN)
		return CEPHC_ETOOBIG;
	plain = cephc_malloc(plen);
	if (!plain)
		return CEPHC_ENOMEM;
	plain[0] = 1;
	put_le64(plain + 1, CEPHX_ENC_MAGIC);
	if (len)
		memcpy(plain + CEPHX_ENC_HEADER_LEN, payload, len);
	ct = cephc_auth_buf_reserve(out, cephc_aes_cbc_out_len(plen));
	if (!ct) {
		err = out->err;
	} else {
		err = cephc_aes_cbc_encrypt(key, plain, plen, ct, &n);
		*ct_len = n;
	}
	OPENSSL_cleanse(plain, plen);
	cephc_free(plain);
	return err;
}

int cephx_encrypt(const struct cephc_crypto_key *key, const void *payload,
		  size_t len, struct cephc_auth_buf *out)
{
	size_t off = out->len, ct_len = 0;
	int err;

	cephc_auth_buf_le32(out, 0); /* ciphertext length, filled below */
	if (out->err)
		return out->err;
	err = encrypt_with_header(key, payload, len, out, &ct_len);
	if (err)
		return err;
	put_le32(out->data + off, (uint32_t)ct_len);
	return 0;
}

int cephx_encrypt_enc_bl(const struct cephc_crypto_key *key,
			 const void *payload, size_t len,
			 struct cephc_auth_buf *out)
{
	size_t ct_len;

	return encrypt_with_header(key, payload, len, out, &ct_len);
}

int cephx_decrypt_enc_bl(const struct cephc_crypto_key *key, const void *ct,
			 size_t len, struct cephx_plain *out)
{
	uint8_t *buf;
	size_t n = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (len > CEPHX_MAX_ENC_LEN)
		return CEPHC_ETOOBIG;
	if (len == 0 || len % CEPHC_AES_BLOCK)
		return CEPHC_EDECODE;
	/* A blob for a ticket we never had cannot be ours. */
	if (key->type != CEPHC_CRYPTO_AES)
		return CEPHC_EBADAUTH;
	buf = cephc_malloc(len);
	if (!buf)
		return CEPHC_ENOMEM;
	err = cephc_aes_cbc_decrypt(key, ct, len, buf, &n);
	/* Padding and magic both say "not our key" (or forged data). */
	if (!err && (n < CEPHX_ENC_HEADER_LEN || buf[0] != 1 ||
		     get_le64(buf + 1) != CEPHX_ENC_MAGIC))
		err = CEPHC_EBADAUTH;
	if (err) {
		OPENSSL_cleanse(buf, len);
		cephc_free(buf);
		return err;
	}
	out->buf = buf;
	out->p = buf + CEPHX_ENC_HEADER_LEN;
	out->len = n - CEPHX_ENC_HEADER_LEN;
	return 0;
}

int cephx_decrypt(const struct cephc_crypto_key *key, struct cephc_dec *d,
		  struct cephx_plain *out)
{
	uint32_t len;
	const uint8_t *ct = dec_blob(d, &len, CEPHX_MAX_ENC_LEN);
	int err;

	memset(out, 0, sizeof(*out));
	if (!ct)
		return d->err;
	err = cephx_decrypt_enc_bl(key, ct, len, out);
	if (err)
		dec_fail(d, err);
	return err;
}

/* ---- key proof and signatures ---------------------------------------- */

int cephx_key_proof(const struct cephc_crypto_key *secret,
		    uint64_t server_challenge, uint64_t client_challenge,
		    uint64_t *proof)
{
	struct cephc_auth_buf enc;
	uint8_t blob[16];
	uint64_t k = 0;
	size_t i;
	int err;

	*proof = 0;
	/* CephXChallengeBlob: server challenge first, then the client's. */
	put_le64(blob, server_challenge);
	put_le64(blob + 8, client_challenge);
	cephc_auth_buf_init(&enc);
	err = cephx_encrypt(secret, blob, sizeof(blob), &enc);
	if (!err) {
		/* Pitfall 9: the length prefix is part of the XOR. */
		for (i = 0; i + 8 <= enc.len; i += 8)
			k ^= get_le64(enc.data + i);
		*proof = k;
	}
	cephc_auth_buf_free(&enc);
	return err;
}

/*
 * The signature plaintext, padded by hand to 32 bytes.  v2: the eight le32
 * fill two blocks exactly; PKCS#7 would add a third block that the
 * signature never reads.  legacy: 29 bytes + the 3 PKCS#7 bytes (0x03).
 */
static void sig_plain(bool v2, const struct cephc_msg_sig_input *m,
		      uint8_t plain[32])
{
	if (v2) {
		put_le32(plain, m->header_crc);
		put_le32(plain + 4, m->front_crc);
		put_le32(plain + 8, m->front_len);
		put_le32(plain + 12, m->middle_crc);
		put_le32(plain + 16, m->middle_len);
		put_le32(plain + 20, m->data_crc);
		put_le32(plain + 24, m->data_len);
		put_le32(plain + 28, (uint32_t)m->seq);
	} else {
		/* Legacy block: the cephx header and a length of 16. */
		plain[0] = 1;
		put_le64(plain + 1, CEPHX_ENC_MAGIC);
		put_le32(plain + 9, 16);
		put_le32(plain + 13, m->header_crc);
		put_le32(plain + 17, m->front_crc);
		put_le32(plain + 21, m->middle_crc);
		put_le32(plain + 25, m->data_crc);
		memset(plain + 29, 3, 3);
	}
}

/* v2: XOR of the four le64 words of the first two blocks; legacy: the
 * first le64 of the ciphertext. */
static uint64_t sig_from_ct(bool v2, const uint8_t ct[32])
{
	if (!v2)
		return get_le64(ct);
	return get_le64(ct) ^ get_le64(ct + 8) ^ get_le64(ct + 16) ^
	       get_le64(ct + 24);
}

int cephx_calc_signature(const struct cephc_crypto_key *key, bool v2,
			 const struct cephc_msg_sig_input *m, uint64_t *sig)
{
	struct cephc_aes_ctx c;
	uint8_t plain[32], ct[32];
	int err;

	*sig = 0;
	err = cephc_aes_ctx_init(&c, key);
	if (err)
		return err;
	sig_plain(v2, m, plain);
	err = cephc_aes_ctx_encrypt_blocks(&c, plain, 32, ct);
	cephc_aes_ctx_free(&c);
	if (!err)
		*sig = sig_from_ct(v2, ct);
	return err;
}

/* ---- tickets ---------------------------------------------------------- */

struct cephx_ticket *cephx_ticket_slot(struct cephx_state *xs, uint32_t service)
{
	unsigned int i;

	/* One bit from MON (0x01) to AUTH (0x20); CLIENT (0x08) is unused
	 * but harmless. */
	if (service == 0 || (service & (service - 1)) ||
	    service > CEPHC_ENTITY_AUTH)
		return NULL;
	i = (unsigned int)__builtin_ctz(service);
	xs->tickets[i].service = service;
	return &xs->tickets[i];
}

static void ticket_clear(struct cephx_ticket *t)
{
	uint32_t service = t->service;

	if (t->blob) {
		OPENSSL_cleanse(t->blob, t->blob_len);
		cephc_free(t->blob);
	}
	cephc_crypto_key_wipe(&t->session_key);
	memset(t, 0, sizeof(*t));
	t->service = service;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/*
 * One ticket of a ticket reply:
 *   le32 service_id, u8 1,
 *   "encrypt"(key){u8 1, CryptoKey session_key, utime validity},
 *   u8 is_enc, then either "encrypt"(previous session key){le32 len,
 *   CephXTicketBlob} or, in the clear, le32 len + CephXTicketBlob;
 *   CephXTicketBlob = u8 v, le64 secret_id, bl blob.
 * The slot changes only when the whole ticket decoded.
 */
static int process_one_ticket(struct cephx_state *xs,
			      const struct cephc_crypto_key *key,
			      struct cephc_dec *d, uint64_t now_ms)
{
	struct cephx_plain info = {0}, tkt = {0};
	struct cephc_crypto_key new_key;
	struct cephc_dec id, td, bd;
	struct cephx_ticket *t;
	uint32_t service, vsec, vnsec, tlen, blen;
	const uint8_t *blob;
	uint64_t secret_id, validity_ms;
	uint8_t *copy = NULL;
	int err;

	memset(&new_key, 0, sizeof(new_key));
	service = dec_le32(d);
	if (dec_u8(d) != 1 && !d->err)
		return dec_fail(d, CEPHC_EDECODE);
	if (d->err)
		return d->err;
	t = cephx_ticket_slot(xs, service);
	if (!t) {
		log_warn(SUBSYS, "ticket for unknown service 0x%x", service);
		return dec_fail(d, CEPHC_EPROTO);
	}

	/* The part for us: session key and validity. */
	err = cephx_decrypt(key, d, &info);
	if (err)
		goto out;
	dec_init(&id, info.p, info.len);
	if (dec_u8(&id) != 1 && !id.err) {
		err = CEPHC_EDECODE;
		goto out;
	}
	err = cephc_crypto_key_decode(&id, &new_key);
	if (err)
		goto out;
	vsec = dec_le32(&id);
	vnsec = dec_le32(&id);
	if (id.err) {
		err = id.err;
		goto out;
	}
	validity_ms = (uint64_t)vsec * 1000 + vnsec / 1000000;

	/* The part for the service: an opaque ticket, maybe encrypted with
	 * the previous session key of this same ticket (reclaim/renewal). */
	if (dec_u8(d)) {
		err = cephx_decrypt(&t->session_key, d, &tkt);
		if (err)
			goto out;
		dec_init(&td, tkt.p, tkt.len);
	} else {
		td = *d;
	}
	tlen = dec_le32(&td);
	if (!td.err && tlen > dec_left(&td))
		dec_fail(&td, CEPHC_EDECODE);
	if (td.err) {
		err = td.err;
		goto out;
	}
	dec_init(&bd, td.p, tlen);
	dec_skip(&td, tlen);
	(void)dec_u8(&bd); /* CephXTicketBlob struct_v (not checked by Ceph) */
	secret_id = dec_le64(&bd);
	blob = dec_blob(&bd, &blen, CEPHX_MAX_TICKET_BLOB);
	if (bd.err) {
		err = bd.err;
		goto out;
	}
	if (!tkt.buf)
		*d = td; /* clear ticket: the outer cursor moves past it */
	if (blen) {
		copy = cephc_malloc(blen);
		if (!copy) {
			err = CEPHC_ENOMEM;
			goto out;
		}
		memcpy(copy, blob, blen);
	}

	/* Everything decoded: replace the ticket. */
	ticket_clear(t);
	t->session_key = new_key;
	t->secret_id = secret_id;
	t->blob = copy;
	t->blob_len = blen;
	t->expires_ms = add_sat(now_ms, validity_ms);
	t->renew_after_ms = t->expires_ms - validity_ms / 4;
	t->have = true;
	xs->have_keys |= service;
	copy = NULL;
	log_debug(SUBSYS, "ticket for 0x%x secret_id %llu validity %u s",
		  service, (unsigned long long)secret_id, vsec);
out:
	if (err && !d->err)
		dec_fail(d, err);
	cephc_crypto_key_wipe(&new_key);
	cephx_plain_free(&info);
	cephx_plain_free(&tkt);
	if (copy)
		cephc_free_secret(copy, blen);
	return err;
}

int cephx_process_ticket_reply(struct cephx_state *xs,
			       const struct cephc_crypto_key *key,
			       struct cephc_dec *d, uint64_t now_ms)
{
	struct cephc_crypto_key k = *key;
	uint32_t n, i;
	int err = 0;

	/* Work on a copy: a ticket in this reply may replace the very
	 * session key it was decrypted with. */
	if (dec_u8(d) != 1 && !d->err)
		dec_fail(d, CEPHC_EDECODE);
	/* A ticket is at least 4 + 1 + 4 + 16 + 1 + 4 bytes. */
	n = dec_count(d, CEPHX_MAX_TICKETS, 30);
	err = d->err;
	for (i = 0; !err && i < n; i++)
		err = process_one_ticket(xs, &k, d, now_ms);
	cephc_crypto_key_wipe(&k);
	return err;
}

/* Drop expired tickets; return the wanted services that need a request. */
static uint32_t validate_tickets(struct cephc_auth *a, uint64_t now_ms)
{
	struct cephx_state *xs = a->priv;
	uint32_t want = a->want_keys, need = 0, s;

	for (s = 1; s <= CEPHC_ENTITY_AUTH; s <<= 1) {
		struct cephx_ticket *t;

		if (!(want & s))
			continue;
		t = cephx_ticket_slot(xs, s);
		if (!(xs->have_keys & s)) {
			need |= s;
			continue;
		}
		if (now_ms >= t->renew_after_ms)
			need |= s;
		if (now_ms >= t->expires_ms) {
			xs->have_keys &= ~s;
			t->have = false;
		}
	}
	return need;
}

/* ---- authorizers ----------------------------------------------------- */

/* CephXAuthorize: u8 2, le64 nonce, u8 have_challenge, le64 challenge+1. */
static int append_authorize(struct cephc_authorizer *au, bool have_challenge,
			    uint64_t server_challenge)
{
	uint8_t msg[18];
	int err;

	msg[0] = CEPHX_AUTHORIZE_V;
	put_le64(msg + 1, au->nonce);
	msg[9] = have_challenge;
	put_le64(msg + 10, have_challenge ? server_challenge + 1 : 0);
	err = cephx_encrypt(&au->session_key, msg, sizeof(msg), &au->buf);
	/* Nonce and challenge answer: nothing of them stays on the stack. */
	OPENSSL_cleanse(msg, sizeof(msg));
	return err;
}

int cephx_build_authorizer(const struct cephx_ticket *t, uint64_t global_id,
			   struct cephc_authorizer **out)
{
	struct cephc_authorizer *au;
	struct cephc_auth_buf *b;
	int err;

	*out = NULL;
	au = cephc_calloc(1, sizeof(*au));
	if (!au)
		return CEPHC_ENOMEM;
	au->ops = &cephc_auth_cephx_ops;
	au->protocol = CEPHC_AUTH_CEPHX;
	au->service = t->service;
	au->secret_id = t->secret_id;
	au->session_key = t->session_key;
	cephc_auth_buf_init(&au->buf);
	cephc_auth_buf_init(&au->connection_secret);
	err = cephc_random_bytes(&au->nonce, sizeof(au->nonce));
	if (!err)
		err = cephc_aes_ctx_init(&au->sig_ctx, &au->session_key);
	if (err)
		goto fail;

	/* Clear part: u8 1, le64 global_id, le32 service, ticket blob. */
	b = &au->buf;
	cephc_auth_buf_u8(b, 1);
	cephc_auth_buf_le64(b, global_id);
	cephc_auth_buf_le32(b, t->service);
	cephc_auth_buf_u8(b, 1);
	cephc_auth_buf_le64(b, t->secret_id);
	cephc_auth_buf_blob(b, t->blob, t->blob_len);
	if (b->err) {
		err = b->err;
		goto fail;
	}
	au->base_len = b->len;
	err = append_authorize(au, false, 0);
	if (err)
		goto fail;
	*out = au;
	return 0;
fail:
	cephc_authorizer_destroy(au);
	return err;
}

static int cephx_handle_challenge(struct cephc_authorizer *au, const uint8_t *p,
				  size_t len)
{
	struct cephx_plain pl;
	struct cephc_dec d;
	uint64_t challenge;
	int err;

	/* v1 hands us the bare ciphertext; msgr2's AUTH_REPLY_MORE payload
	 * is a bl (le32 len + ciphertext).  A ciphertext is a multiple of
	 * 16 and len + 4 never is, so the two cannot be confused. */
	if (len >= 4 && len % CEPHC_AES_BLOCK == 4 && get_le32(p) == len - 4) {
		p += 4;
		len -= 4;
	}
	err = cephx_decrypt_enc_bl(&au->session_key, p, len, &pl);
	if (err)
		return err;
	/* CephXAuthorizeChallenge: u8 struct_v, le64 server_challenge. */
	dec_init(&d, pl.p, pl.len);
	(void)dec_u8(&d);
	challenge = dec_le64(&d);
	err = d.err;
	cephx_plain_free(&pl);
	if (!err) {
		/* Same clear part and nonce; new encrypted part with the
		 * answer. */
		au->buf.len = au->base_len;
		au->buf.err = 0;
		err = append_authorize(au, true, challenge);
	}
	OPENSSL_cleanse(&challenge, sizeof(challenge));
	return err;
}

static int cephx_verify_reply(struct cephc_authorizer *au, const uint8_t *p,
			      size_t len)
{
	struct cephx_plain pl;
	struct cephc_dec d, pd;
	const uint8_t *secret;
	uint32_t slen = 0;
	uint64_t nonce_plus_one;
	uint8_t v;
	int err;

	dec_init(&d, p, len);
	err = cephx_decrypt(&au->session_key, &d, &pl);
	if (err)
		return err;
	/* CephXAuthorizeReply: u8 v, le64 nonce + 1, v >= 2: bl secret. */
	dec_init(&pd, pl.p, pl.len);
	v = dec_u8(&pd);
	nonce_plus_one = dec_le64(&pd);
	secret = NULL;
	if (v >= 2)
		secret = dec_blob(&pd, &slen, CEPHX_MAX_CONN_SECRET);
	err = pd.err;
	if (!err && nonce_plus_one != au->nonce + 1) {
		log_warn(SUBSYS, "authorizer reply nonce mismatch");
		err = CEPHC_EBADAUTH;
	}
	if (!err) {
		cephc_auth_buf_reset(&au->connection_secret);
		if (slen)
			cephc_auth_buf_bytes(&au->connection_secret, secret,
					     slen);
		err = au->connection_secret.err;
	}
	cephx_plain_free(&pl);
	return err;
}

static int cephx_sign(const struct cephc_authorizer *au, uint64_t peer_features,
		      const struct cephc_msg_sig_input *m, uint64_t *sig)
{
	bool v2 =
	    (peer_features & CEPHC_FEATURE_CEPHX_V2) == CEPHC_FEATURE_CEPHX_V2;
	uint8_t plain[32], ct[32];
	int err;

	/* The authorizer's cached key schedule: this runs per message. */
	*sig = 0;
	sig_plain(v2, m, plain);
	err = cephc_aes_ctx_encrypt_blocks(&au->sig_ctx, plain, 32, ct);
	if (!err)
		*sig = sig_from_ct(v2, ct);
	return err;
}

static int cephx_check(const struct cephc_authorizer *au,
		       uint64_t peer_features,
		       const struct cephc_msg_sig_input *m, uint64_t sig)
{
	uint64_t want;
	int err = cephx_sign(au, peer_features, m, &want);

	if (err)
		return err;
	return CRYPTO_memcmp(&want, &sig, sizeof(sig)) ? CEPHC_ESIGNATURE : 0;
}

static void cephx_destroy_authorizer(struct cephc_authorizer *au)
{
	cephc_auth_buf_free(&au->buf);
	cephc_auth_buf_free(&au->connection_secret);
	cephc_aes_ctx_free(&au->sig_ctx);
	cephc_crypto_key_wipe(&au->session_key);
	/* The nonce and secret id go too. */
	cephc_free_secret(au, sizeof(*au));
}

/* ---- the client ------------------------------------------------------ */

static int cephx_init(struct cephc_auth *a)
{
	struct cephx_state *xs;

	if (!a->have_secret)
		return CEPHC_EINVAL;
	xs = cephc_calloc(1, sizeof(*xs));
	if (!xs)
		return CEPHC_ENOMEM;
	xs->starting = true;
	cephc_auth_buf_init(&xs->conn_secret);
	a->priv = xs;
	return 0;
}

void cephx_state_clear(struct cephx_state *xs)
{
	int i;

	for (i = 0; i < CEPHX_NUM_SERVICES; i++)
		ticket_clear(&xs->tickets[i]);
	cephc_auth_buf_free(&xs->conn_secret);
	OPENSSL_cleanse(xs, sizeof(*xs));
}

static void cephx_destroy(struct cephc_auth *a)
{
	struct cephx_state *xs = a->priv;

	if (!xs)
		return;
	cephx_state_clear(xs);
	cephc_free(xs);
	a->priv = NULL;
}

static void cephx_reset(struct cephc_auth *a)
{
	struct cephx_state *xs = a->priv;

	xs->starting = true;
	xs->server_challenge = 0;
	xs->pending_op = 0;
}

/*
 * GET_AUTH_SESSION_KEY: le16 op, then CephXAuthenticate v3:
 * u8 3, le64 client_challenge, le64 key proof, old ticket (u8 1,
 * le64 secret_id, bl blob: our AUTH ticket, empty the first time),
 * le32 other_keys (services to return tickets for in the same reply).
 */
static int build_auth_session_key(struct cephc_auth *a,
				  struct cephc_auth_buf *out)
{
	struct cephx_state *xs = a->priv;
	struct cephx_ticket *t = cephx_ticket_slot(xs, CEPHC_ENTITY_AUTH);
	uint64_t cc, proof;
	int err;

	cc = xs->test_client_challenge;
	if (!cc) {
		err = cephc_random_bytes(&cc, sizeof(cc));
		if (err)
			return err;
	}
	err = cephx_key_proof(&a->secret, xs->server_challenge, cc, &proof);
	if (err)
		return err;
	cephc_auth_buf_le16(out, CEPHX_GET_AUTH_SESSION_KEY);
	cephc_auth_buf_u8(out, CEPHX_AUTHENTICATE_V);
	cephc_auth_buf_le64(out, cc);
	cephc_auth_buf_le64(out, proof);
	/* The old AUTH ticket proves we own a reclaimed global_id. */
	cephc_auth_buf_u8(out, 1);
	cephc_auth_buf_le64(out, t->blob ? t->secret_id : 0);
	cephc_auth_buf_blob(out, t->blob, t->blob ? t->blob_len : 0);
	cephc_auth_buf_le32(out, a->want_keys);
	if (out->err)
		return out->err;
	xs->pending_op = CEPHX_GET_AUTH_SESSION_KEY;
	log_debug(SUBSYS, "GET_AUTH_SESSION_KEY old ticket %u bytes",
		  t->blob_len);
	return 0;
}

/*
 * GET_PRINCIPAL_SESSION_KEY: le16 op, an authorizer for the AUTH service
 * (raw, not length-prefixed), CephXServiceTicketRequest {u8 1, le32 keys}.
 */
static int build_principal(struct cephc_auth *a, uint32_t need,
			   struct cephc_auth_buf *out)
{
	struct cephx_state *xs = a->priv;
	struct cephc_authorizer *au;
	int err;

	err = cephx_build_authorizer(cephx_ticket_slot(xs, CEPHC_ENTITY_AUTH),
				     a->global_id, &au);
	if (err)
		return err;
	cephc_auth_buf_le16(out, CEPHX_GET_PRINCIPAL_SESSION_KEY);
	cephc_auth_buf_bytes(out, au->buf.data, au->buf.len);
	cephc_auth_buf_u8(out, 1);
	cephc_auth_buf_le32(out, need);
	cephc_authorizer_destroy(au);
	if (out->err)
		return out->err;
	xs->pending_op = CEPHX_GET_PRINCIPAL_SESSION_KEY;
	log_debug(SUBSYS, "GET_PRINCIPAL_SESSION_KEY keys 0x%x", need);
	return 0;
}

static int cephx_build_request(struct cephc_auth *a, uint64_t now_ms,
			       struct cephc_auth_buf *out)
{
	struct cephx_state *xs = a->priv;
	uint32_t need;

	if (xs->starting)
		return CEPHC_EINVAL; /* no server challenge yet */
	need = validate_tickets(a, now_ms);
	if (need & CEPHC_ENTITY_AUTH)
		return build_auth_session_key(a, out);
	if (need)
		return build_principal(a, need, out);
	return 0;
}

/*
 * After the ticket reply of a GET_AUTH_SESSION_KEY (Nautilus+):
 * bl connection secret ("encrypt" with the new AUTH session key of
 * {le32 len + bytes}; empty over msgr v1), then bl extra tickets (a ticket
 * reply decrypted with the new AUTH session key).  Either may be absent
 * when the server is old or our request had no other_keys.
 */
static int handle_session_key_tail(struct cephc_auth *a, struct cephc_dec *d,
				   uint64_t now_ms)
{
	struct cephx_state *xs = a->priv;
	const struct cephx_ticket *at =
	    cephx_ticket_slot(xs, CEPHC_ENTITY_AUTH);
	struct cephc_dec bl, sd;
	struct cephx_plain pl;
	const uint8_t *p, *secret;
	uint32_t len, slen;
	int err;

	cephc_auth_buf_reset(&xs->conn_secret);
	if (!dec_left(d))
		return 0;
	p = dec_blob(d, &len, CEPHX_MAX_ENC_LEN + 4);
	if (!p)
		return d->err;
	if (len) {
		dec_init(&bl, p, len);
		err = cephx_decrypt(&at->session_key, &bl, &pl);
		if (err)
			return err;
		dec_init(&sd, pl.p, pl.len);
		secret = dec_blob(&sd, &slen, CEPHX_MAX_CONN_SECRET);
		if (secret && slen)
			cephc_auth_buf_bytes(&xs->conn_secret, secret, slen);
		err = sd.err ? sd.err : xs->conn_secret.err;
		cephx_plain_free(&pl);
		if (err)
			return err;
	}
	if (!dec_left(d))
		return 0;
	p = dec_blob(d, &len, CEPHX_MAX_TICKETS * (CEPHX_MAX_ENC_LEN + 64));
	if (!p)
		return d->err;
	if (!len)
		return 0;
	dec_init(&bl, p, len);
	return cephx_process_ticket_reply(xs, &at->session_key, &bl, now_ms);
}

static int cephx_handle_reply(struct cephc_auth *a, const uint8_t *payload,
			      size_t len, uint64_t now_ms)
{
	struct cephx_state *xs = a->priv;
	struct cephc_dec d;
	uint16_t op, pending = xs->pending_op;
	int32_t status;
	int err;

	dec_init(&d, payload, len);
	if (xs->starting) {
		/* CephXServerChallenge: u8 1, le64 server_challenge. */
		if (len != 9 || dec_u8(&d) != 1)
			return CEPHC_EDECODE;
		xs->server_challenge = dec_le64(&d);
		xs->starting = false;
		/* A new session needs a new AUTH session key. */
		xs->have_keys &= ~(uint32_t)CEPHC_ENTITY_AUTH;
		return CEPHC_AUTH_MORE;
	}

	/* CephXResponseHeader: le16 op, s32 status. */
	op = dec_le16(&d);
	status = dec_s32(&d);
	if (d.err)
		return d.err;
	if (!pending || op != pending) {
		log_warn(SUBSYS, "reply op 0x%x, expected 0x%x", op, pending);
		return CEPHC_EPROTO;
	}
	xs->pending_op = 0;
	if (status > 0)
		return CEPHC_EPROTO;
	if (status < 0)
		return status >= -4095 ? status : CEPHC_EBADAUTH;

	switch (op) {
	case CEPHX_GET_AUTH_SESSION_KEY:
		/* Session blobs are for our long-term secret. */
		err = cephx_process_ticket_reply(xs, &a->secret, &d, now_ms);
		if (!err && !(xs->have_keys & CEPHC_ENTITY_AUTH))
			err = CEPHC_EPROTO; /* no AUTH ticket in the reply */
		if (!err)
			err = handle_session_key_tail(a, &d, now_ms);
		break;
	case CEPHX_GET_PRINCIPAL_SESSION_KEY:
		err = cephx_process_ticket_reply(
		    xs, &cephx_ticket_slot(xs, CEPHC_ENTITY_AUTH)->session_key,
		    &d, now_ms);
		break;
	default:
		err = CEPHC_EPROTO;
	}
	if (err)
		return err;
	return (a->want_keys & ~xs->have_keys) ? CEPHC_AUTH_MORE
					       : CEPHC_AUTH_DONE;
}

static bool cephx_is_authenticated(struct cephc_auth *a, uint64_t now_ms)
{
	struct cephx_state *xs = a->priv;

	validate_tickets(a, now_ms);
	return (a->want_keys & xs->have_keys) == a->want_keys;
}

static bool cephx_holds_auth_ticket(struct cephc_auth *a)
{
	struct cephx_state *xs = a->priv;

	return xs && cephx_ticket_slot(xs, CEPHC_ENTITY_AUTH)->blob != NULL;
}

static bool cephx_should_authenticate(struct cephc_auth *a, uint64_t now_ms)
{
	return validate_tickets(a, now_ms) != 0;
}

static uint64_t cephx_renew_deadline(struct cephc_auth *a)
{
	struct cephx_state *xs = a->priv;
	uint64_t when = UINT64_MAX;
	uint32_t s;

	for (s = 1; s <= CEPHC_ENTITY_AUTH; s <<= 1) {
		if (!(a->want_keys & s))
			continue;
		if (!(xs->have_keys & s))
			return 0;
		if (cephx_ticket_slot(xs, s)->renew_after_ms < when)
			when = cephx_ticket_slot(xs, s)->renew_after_ms;
	}
	return when;
}

static void cephx_invalidate(struct cephc_auth *a, uint32_t service)
{
	struct cephx_state *xs = a->priv;
	struct cephx_ticket *t = cephx_ticket_slot(xs, service);

	/* Keep the key and blob (an AUTH ticket is still worth presenting
	 * for reclaim) but make it due now. */
	if (!t)
		return;
	xs->have_keys &= ~service;
	t->have = false;
	t->renew_after_ms = 0;
	t->expires_ms = 0;
}

static int cephx_get_authorizer(struct cephc_auth *a, uint32_t service,
				struct cephc_authorizer **out)
{
	struct cephx_state *xs = a->priv;
	struct cephx_ticket *t = cephx_ticket_slot(xs, service);

	*out = NULL;
	if (!t)
		return CEPHC_EINVAL;
	if (!(xs->have_keys & service))
		return CEPHC_ENOENT;
	return cephx_build_authorizer(t, a->global_id, out);
}

static int cephx_session_key(struct cephc_auth *a,
			     const struct cephc_crypto_key **key)
{
	struct cephx_state *xs = a->priv;

	if (!(xs->have_keys & CEPHC_ENTITY_AUTH))
		return CEPHC_ENOENT;
	*key = &cephx_ticket_slot(xs, CEPHC_ENTITY_AUTH)->session_key;
	return 0;
}

static int cephx_connection_secret(struct cephc_auth *a, const uint8_t **p,
				   size_t *len)
{
	struct cephx_state *xs = a->priv;

	if (!(xs->have_keys & CEPHC_ENTITY_AUTH))
		return CEPHC_ENOENT;
	*p = xs->conn_secret.data;
	*len = xs->conn_secret.len;
	return 0;
}

const struct cephc_auth_ops cephc_auth_cephx_ops = {
    .name = "cephx",
    .protocol = CEPHC_AUTH_CEPHX,
    .init = cephx_init,
    .destroy = cephx_destroy,
    .reset = cephx_reset,
    .build_request = cephx_build_request,
    .handle_reply = cephx_handle_reply,
    .is_authenticated = cephx_is_authenticated,
    .holds_auth_ticket = cephx_holds_auth_ticket,
    .should_authenticate = cephx_should_authenticate,
    .renew_deadline = cephx_renew_deadline,
    .invalidate = cephx_invalidate,
    .get_authorizer = cephx_get_authorizer,
    .handle_authorizer_challenge = cephx_handle_challenge,
    .verify_authorizer_reply = cephx_verify_reply,
    .sign_message = cephx_sign,
    .check_message_signature = cephx_check,
    .destroy_authorizer = cephx_destroy_authorizer,
    .session_key = cephx_session_key,
    .connection_secret = cephx_connection_secret,
};
