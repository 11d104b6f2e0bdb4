/* SPDX-License-Identifier: MIT */
/*
 * cephx client against a simulated monitor and OSD written here from the
 * protocol facts (protocol-map 5): the simulator checks the client's key
 * proof with its own encryption and XOR, issues tickets whose opaque blobs
 * carry the session key under a service secret (as real Ceph does), and
 * verifies authorizers, so both directions of every exchange are covered.
 * Then every bad input of bad-inputs.md item 5.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "auth/cephx.h"
#include "core/alloc.h"
#include "core/decode.h"
#include "core/encode.h"
#include "log_capture.h"

#define NOW 1000000ull /* ms */
#define AUTH_TTL 259200u
#define SVC_TTL 3600u

/* ---- simulator helpers: independent "encrypt" form ------------------- */

static void mkkey(struct cephc_crypto_key *k, uint8_t seed)
{
	int i;

	memset(k, 0, sizeof(*k));
	k->type = CEPHC_CRYPTO_AES;
	k->len = 16;
	for (i = 0; i < 16; i++)
		k->secret[i] = (uint8_t)(seed * 31 + i * 7);
}

/* le32 len + AES(u8 1, le64 magic, payload), or bare when !prefix. */
static void sim_encrypt(const struct cephc_crypto_key *k, const void *p,
			size_t n, struct cephc_auth_buf *out, int prefix)
{
	uint8_t plain[512], ct[528];
	size_t cn;

	assert_true(n + 9 <= sizeof(plain));
	plain[0] = 1;
	put_le64(plain + 1, 0xff009cad8826aa55ull);
	memcpy(plain + 9, p, n);
	assert_int_equal(cephc_aes_cbc_encrypt(k, plain, n + 9, ct, &cn), 0);
	if (prefix)
		cephc_auth_buf_le32(out, (uint32_t)cn);
	cephc_auth_buf_bytes(out, ct, cn);
}

/* Inverse of sim_encrypt for ciphertext ct of len bytes; returns payload
 * length copied to out, or -1. */
static int sim_decrypt(const struct cephc_crypto_key *k, const uint8_t *ct,
		       size_t len, uint8_t *out)
{
	uint8_t plain[600];
	size_t n;

	if (len > sizeof(plain) ||
	    cephc_aes_cbc_decrypt(k, ct, len, plain, &n) || n < 9 ||
	    plain[0] != 1 || get_le64(plain + 1) != 0xff009cad8826aa55ull)
		return -1;
	memcpy(out, plain + 9, n - 9);
	return (int)(n - 9);
}

static void put_key(struct cephc_auth_buf *b, const struct cephc_crypto_key *k)
{
	uint8_t w[64];

	cephc_auth_buf_bytes(b, w, cephc_crypto_key_encode(k, w));
}

/* ---- the simulated cluster -------------------------------------------- */

struct sim {
	struct cephc_crypto_key client_secret;
	struct cephc_crypto_key service_secret; /* seals ticket blobs */
	uint64_t server_challenge;
	uint64_t global_id;   /* assigned at hello */
	uint64_t hello_gid;   /* what the client asked for */
	uint8_t key_seed;     /* next session key */
	int send_extra;       /* Nautilus+ extra tickets in the reply */
	int send_conn_secret; /* msgr2-style connection secret */
	int require_reclaim;  /* auth_allow_insecure_global_id_reclaim=false */
	int last_old_ticket_enc; /* last AUTH ticket went out is_enc */
	struct cephc_crypto_key last_auth_key;
	uint64_t osd_challenge;
	uint64_t osd_nonce;
	struct cephc_crypto_key osd_session_key;
};

/* A ticket blob: sealed {le32 service, le64 gid, CryptoKey session}. */
static void sim_seal_blob(struct sim *s, uint32_t service,
			  const struct cephc_crypto_key *sk,
			  struct cephc_auth_buf *out)
{
	struct cephc_auth_buf in;

	cephc_auth_buf_init(&in);
	cephc_auth_buf_le32(&in, service);
	cephc_auth_buf_le64(&in, s->global_id);
	put_key(&in, sk);
	sim_encrypt(&s->service_secret, in.data, in.len, out, 0);
	cephc_auth_buf_free(&in);
}

static int sim_open_blob(struct sim *s, const uint8_t *blob, size_t len,
			 uint32_t *service, struct cephc_crypto_key *sk)
{
	uint8_t p[256];
	struct cephc_dec d;
	int n = sim_decrypt(&s->service_secret, blob, len, p);

	if (n < 0)
		return -1;
	dec_init(&d, p, (size_t)n);
	*service = dec_le32(&d);
	if (dec_le64(&d) != s->global_id)
		return -1;
	return cephc_crypto_key_decode(&d, sk) ? -1 : 0;
}

/* One ticket of a ticket reply (format 5.3 a). */
static void sim_ticket(struct sim *s, uint32_t service,
		       const struct cephc_crypto_key *reply_key,
		       const struct cephc_crypto_key *old_key, uint32_t ttl,
		       struct cephc_auth_buf *out, struct cephc_crypto_key *sk)
{
	struct cephc_auth_buf info, blob, tk;

	mkkey(sk, ++s->key_seed);
	cephc_auth_buf_init(&info);
	cephc_auth_buf_init(&blob);
	cephc_auth_buf_init(&tk);
	cephc_auth_buf_u8(&info, 1);
	put_key(&info, sk);
	cephc_auth_buf_le32(&info, ttl); /* validity utime */
	cephc_auth_buf_le32(&info, 0);
	cephc_auth_buf_le32(out, service);
	cephc_auth_buf_u8(out, 1);
	sim_encrypt(reply_key, info.data, info.len, out, 1);
	/* CephXTicketBlob in a bl */
	sim_seal_blob(s, service, sk, &blob);
	cephc_auth_buf_u8(&tk, 1);
	cephc_auth_buf_le64(&tk, 40 + service); /* secret_id */
	cephc_auth_buf_blob(&tk, blob.data, blob.len);
	cephc_auth_buf_u8(out, old_key != NULL);
	if (old_key) {
		struct cephc_auth_buf bl;

		cephc_auth_buf_init(&bl);
		cephc_auth_buf_blob(&bl, tk.data, tk.len);
		sim_encrypt(old_key, bl.data, bl.len, out, 1);
		cephc_auth_buf_free(&bl);
	} else {
		cephc_auth_buf_blob(out, tk.data, tk.len);
	}
	cephc_auth_buf_free(&info);
	cephc_auth_buf_free(&blob);
	cephc_auth_buf_free(&tk);
}

struct reply {
	uint32_t protocol;
	int32_t result;
	uint64_t global_id;
	struct cephc_auth_buf payload;
};

static void reply_init(struct reply *r, int32_t result, struct sim *s)
{
	r->protocol = CEPHC_AUTH_CEPHX;
	r->result = result;
	r->global_id = s->global_id;
	cephc_auth_buf_init(&r->payload);
}

static void sim_hello(struct sim *s, const struct cephc_auth_buf *req,
		      struct reply *r)
{
	struct cephc_dec d;
	uint32_t n, i, len;
	int cephx = 0;

	dec_init(&d, req->data, req->len);
	assert_int_equal(dec_u8(&d), 1);
	n = dec_le32(&d);
	for (i = 0; i < n; i++)
		cephx |= dec_le32(&d) == CEPHC_AUTH_CEPHX;
	assert_true(cephx);
	assert_int_equal(dec_le32(&d), CEPHC_ENTITY_CLIENT);
	assert_non_null(dec_blob(&d, &len, 64));
	s->hello_gid = dec_le64(&d);
	assert_int_equal(d.err, 0);
	assert_int_equal(dec_left(&d), 0);
	if (s->hello_gid)
		s->global_id = s->hello_gid; /* reclaim accepted */
	else if (!s->global_id)
		s->global_id = 4242;
	reply_init(r, 0, s);
	cephc_auth_buf_u8(&r->payload, 1);
	cephc_auth_buf_le64(&r->payload, s->server_challenge);
}

/* The sim's own key proof: encrypt form, XOR of whole le64 words. */
static uint64_t sim_proof(struct sim *s, uint64_t cc)
{
	struct cephc_auth_buf b;
	uint8_t blob[16];
	uint64_t k = 0;
	size_t i;

	cephc_auth_buf_init(&b);
	put_le64(blob, s->server_challenge);
	put_le64(blob + 8, cc);
	sim_encrypt(&s->client_secret, blob, 16, &b, 1);
	for (i = 0; i + 8 <= b.len; i += 8)
		k ^= get_le64(b.data + i);
	cephc_auth_buf_free(&b);
	return k;
}

static void sim_tickets_for(struct sim *s, uint32_t keys,
			    const struct cephc_crypto_key *key,
			    struct cephc_auth_buf *out)
{
	struct cephc_crypto_key sk;
	uint32_t svc, n = 0;

	for (svc = 1; svc <= CEPHC_ENTITY_MGR; svc <<= 1)
		n += (keys & svc) && svc != CEPHC_ENTITY_AUTH;
	cephc_auth_buf_u8(out, 1);
	cephc_auth_buf_le32(out, n);
	for (svc = 1; svc <= CEPHC_ENTITY_MGR; svc <<= 1)
		if ((keys & svc) && svc != CEPHC_ENTITY_AUTH)
			sim_ticket(s, svc, key, NULL, SVC_TTL, out, &sk);
}

static void sim_session_key(struct sim *s, struct cephc_dec *d, struct reply *r)
{
	struct cephc_crypto_key old_key, sk;
	const uint8_t *blob;
	uint64_t cc, proof;
	uint32_t blen, other, svc;
	int have_old = 0;
	struct cephc_auth_buf *o = &r->payload;

	assert_int_equal(dec_u8(d), 3); /* CephXAuthenticate v3 */
	cc = dec_le64(d);
	proof = dec_le64(d);
	assert_int_equal(dec_u8(d), 1);
	(void)dec_le64(d);
	blob = dec_blob(d, &blen, 4096);
	other = dec_le32(d);
	assert_int_equal(d->err, 0);
	assert_int_equal(dec_left(d), 0);
	if (proof != sim_proof(s, cc)) {
		reply_init(r, -13, s); /* EACCES, as the mon does */
		return;
	}
	if (blen) {
		assert_int_equal(sim_open_blob(s, blob, blen, &svc, &old_key),
				 0);
		assert_int_equal(svc, CEPHC_ENTITY_AUTH);
		have_old = 1;
	}
	if (s->require_reclaim && s->hello_gid && !have_old) {
		reply_init(r, -13, s);
		return;
	}
	reply_init(r, 0, s);
	cephc_auth_buf_le16(o, CEPHX_GET_AUTH_SESSION_KEY);
	cephc_auth_buf_le32(o, 0);
	cephc_auth_buf_u8(o, 1);
	cephc_auth_buf_le32(o, 1);
	sim_ticket(s, CEPHC_ENTITY_AUTH, &s->client_secret,
		   have_old ? &old_key : NULL, AUTH_TTL, o, &sk);
	s->last_old_ticket_enc = have_old;
	s->last_auth_key = sk;
	if (!s->send_extra)
		return;
	/* connection secret bl */
	if (s->send_conn_secret) {
		struct cephc_auth_buf c, e;

		cephc_auth_buf_init(&c);
		cephc_auth_buf_init(&e);
		cephc_auth_buf_blob(&c, "0123456789abcdef0123456789abcdef", 32);
		sim_encrypt(&sk, c.data, c.len, &e, 1);
		cephc_auth_buf_blob(o, e.data, e.len);
		cephc_auth_buf_free(&c);
		cephc_auth_buf_free(&e);
	} else {
		cephc_auth_buf_le32(o, 0);
	}
	/* extra tickets bl, keyed with the new AUTH session key */
	{
		struct cephc_auth_buf x;

		cephc_auth_buf_init(&x);
		sim_tickets_for(s, other, &sk, &x);
		cephc_auth_buf_blob(o, x.data, x.len);
		cephc_auth_buf_free(&x);
	}
}

/* Check an authorizer (clear part + encrypted CephXAuthorize); returns
 * the session key, nonce and whether a challenge answer is present. */
static int sim_check_authorizer(struct sim *s, struct cephc_dec *d,
				uint32_t want_service,
				struct cephc_crypto_key *sk, uint64_t *nonce,
				int *have_challenge, uint64_t *answer)
{
	uint8_t p[64];
	const uint8_t *blob, *ct;
	uint32_t blen, ctlen, service, bsvc;
	int n;

	assert_int_equal(dec_u8(d), 1);
	assert_true(dec_le64(d) == s->global_id);
	service = dec_le32(d);
	assert_int_equal(service, want_service);
	assert_int_equal(dec_u8(d), 1);
	assert_true(dec_le64(d) == 40 + service);
	blob = dec_blob(d, &blen, 4096);
	ct = dec_blob(d, &ctlen, 4096);
	assert_int_equal(d->err, 0);
	if (sim_open_blob(s, blob, blen, &bsvc, sk) || bsvc != service)
		return -1;
	n = sim_decrypt(sk, ct, ctlen, p);
	if (n != 18 || p[0] != 2)
		return -1;
	*nonce = get_le64(p + 1);
	*have_challenge = p[9];
	*answer = get_le64(p + 10);
	return 0;
}

static void sim_principal(struct sim *s, struct cephc_dec *d, struct reply *r)
{
	struct cephc_crypto_key sk;
	uint64_t nonce, answer;
	uint32_t keys;
	int hc;

	assert_int_equal(sim_check_authorizer(s, d, CEPHC_ENTITY_AUTH, &sk,
					      &nonce, &hc, &answer),
			 0);
	assert_int_equal(dec_u8(d), 1);
	keys = dec_le32(d);
	assert_int_equal(d->err, 0);
	assert_int_equal(dec_left(d), 0);
	reply_init(r, 0, s);
	cephc_auth_buf_le16(&r->payload, CEPHX_GET_PRINCIPAL_SESSION_KEY);
	cephc_auth_buf_le32(&r->payload, 0);
	sim_tickets_for(s, keys, &sk, &r->payload);
}

static void sim_request(struct sim *s, const struct cephc_auth_buf *req,
			struct reply *r)
{
	struct cephc_dec d;
	uint16_t op;

	dec_init(&d, req->data, req->len);
	op = dec_le16(&d);
	if (op == CEPHX_GET_AUTH_SESSION_KEY)
		sim_session_key(s, &d, r);
	else if (op == CEPHX_GET_PRINCIPAL_SESSION_KEY)
		sim_principal(s, &d, r);
	else
		fail_msg("unexpected op 0x%x", op);
}

static void sim_init(struct sim *s)
{
	memset(s, 0, sizeof(*s));
	mkkey(&s->client_secret, 1);
	mkkey(&s->service_secret, 2);
	s->server_challenge = 0x5eed5eed12345678ull;
	s->key_seed = 10;
	s->send_extra = 1;
}

static struct cephc_auth *new_client(const struct cephc_crypto_key *secret)
{
	struct cephc_auth_params p = {
	    .name_type = CEPHC_ENTITY_CLIENT,
	    .name_id = "admin",
	    .secret = secret,
	    .allowed = 1u << CEPHC_AUTH_CEPHX,
	};
	struct cephc_auth *a = cephc_auth_create(&p);

	assert_non_null(a);
	return a;
}

static int feed(struct cephc_auth *a, struct reply *r, uint64_t now)
{
	int ret =
	    cephc_auth_handle_reply(a, r->protocol, r->result, r->global_id,
				    r->payload.data, r->payload.len, now);

	cephc_auth_buf_free(&r->payload);
	return ret;
}

/* hello -> challenge -> requests until DONE or an error. */
static int handshake(struct sim *s, struct cephc_auth *a, uint64_t now,
		     int *rounds)
{
	struct cephc_auth_buf b;
	struct reply r;
	int ret;

	cephc_auth_buf_init(&b);
	assert_int_equal(cephc_auth_build_hello(a, &b), 0);
	sim_hello(s, &b, &r);
	ret = feed(a, &r, now);
	*rounds = 0;
	while (ret == CEPHC_AUTH_MORE && *rounds < 5) {
		cephc_auth_buf_reset(&b);
		assert_int_equal(cephc_auth_build_request(a, now, &b), 0);
		assert_true(b.len > 0);
		sim_request(s, &b, &r);
		ret = feed(a, &r, now);
		(*rounds)++;
	}
	cephc_auth_buf_free(&b);
	return ret;
}

static struct cephx_state *xs_of(struct cephc_auth *a)
{
	return a->priv;
}

/* ---- tests -------------------------------------------------------------- */

static void test_full_handshake_with_extra_tickets(void **state)
{
	struct sim s;
	struct cephc_auth *a;
	const struct cephc_crypto_key *k;
	const uint8_t *cs;
	size_t cslen;
	int rounds;

	(void)state;
	sim_init(&s);
	a = new_client(&s.client_secret);
	assert_false(cephc_auth_is_authenticated(a, NOW));
	assert_int_equal(handshake(&s, a, NOW, &rounds), CEPHC_AUTH_DONE);
	assert_int_equal(rounds, 1); /* tickets came with the session key */
	assert_int_equal(cephc_auth_protocol(a), CEPHC_AUTH_CEPHX);
	assert_true(cephc_auth_global_id(a) == 4242);
	assert_true(cephc_auth_is_authenticated(a, NOW));
	assert_false(cephc_auth_should_authenticate(a, NOW));
	assert_int_equal(xs_of(a)->have_keys, 0x35);
	/* renew_after = expires - ttl/4: the service tickets come first */
	assert_true(cephc_auth_renew_deadline(a) ==
		    NOW + SVC_TTL * 1000ull * 3 / 4);
	assert_int_equal(cephc_auth_session_key(a, &k), 0);
	assert_memory_equal(k->secret, s.last_auth_key.secret, 16);
	assert_int_equal(cephc_auth_connection_secret(a, &cs, &cslen), 0);
	assert_int_equal(cslen, 0); /* msgr v1: empty */
	cephc_auth_destroy(a);
}

static void test_handshake_old_server_then_principal(void **state)
{
	struct sim s;
	struct cephc_auth *a;
	int rounds;

	(void)state;
	sim_init(&s);
	s.send_extra = 0;
	a = new_client(&s.client_secret);
	assert_int_equal(handshake(&s, a, NOW, &rounds), CEPHC_AUTH_DONE);
	assert_int_equal(rounds, 2); /* GET_PRINCIPAL_SESSION_KEY needed */
	assert_int_equal(xs_of(a)->have_keys, 0x35);
	cephc_auth_destroy(a);
}

static void test_connection_secret_decrypted(void **state)
{
	struct sim s;
	struct cephc_auth *a;
	const uint8_t *cs;
	size_t len;
	int rounds;

	(void)state;
	sim_init(&s);
	s.send_conn_secret = 1;
	a = new_client(&s.client_secret);
	assert_int_equal(handshake(&s, a, NOW, &rounds), CEPHC_AUTH_DONE);
	assert_int_equal(cephc_auth_connection_secret(a, &cs, &len), 0);
	assert_int_equal(len, 32);
	assert_memory_equal(cs, "0123456789abcdef0123456789abcdef", 32);
	cephc_auth_destroy(a);
}

static void test_reconnect_reclaims_global_id_with_old_ticket(void **state)
{
	struct sim s;
	struct cephc_auth *a;
	const struct cephc_crypto_key *k;
	struct cephc_crypto_key first;
	int rounds;

	(void)state;
	sim_init(&s);
	s.require_reclaim = 1;
	a = new_client(&s.client_secret);
	assert_int_equal(handshake(&s, a, NOW, &rounds), CEPHC_AUTH_DONE);
	first = s.last_auth_key;
	/* New mon session: the hello carries our id, the request our AUTH
	 * ticket, and the new AUTH ticket comes back encrypted with the old
	 * session key. */
	cephc_auth_reset(a);
	s.server_challenge ^= 0xffff;
	assert_int_equal(handshake(&s, a, NOW + 5000, &rounds),
			 CEPHC_AUTH_DONE);
	assert_true(s.hello_gid == 4242);
	assert_true(s.last_old_ticket_enc);
	assert_true(cephc_auth_global_id(a) == 4242);
	assert_int_equal(cephc_auth_session_key(a, &k), 0);
	assert_memory_not_equal(k->secret, first.secret, 16);
	assert_memory_equal(k->secret, s.last_auth_key.secret, 16);
	cephc_auth_destroy(a);
}

/*
 * The connection breaks after the first reply assigned an id but before
 * the AUTH ticket came back.  The id is not ours yet: the next hello must
 * ask for a fresh one (naming it without a ticket gets EACCES from a
 * monitor that enforces secure reclaim).
 */
static void test_break_before_ticket_presents_no_global_id(void **state)
{
	struct sim s;
	struct cephc_auth *a;
	struct cephc_auth_buf b;
	struct reply r;
	int rounds;

	(void)state;
	sim_init(&s);
	s.require_reclaim = 1;
	a = new_client(&s.client_secret);
	cephc_auth_buf_init(&b);
	assert_int_equal(cephc_auth_build_hello(a, &b), 0);
	sim_hello(&s, &b, &r);
	assert_int_equal(feed(a, &r, NOW), CEPHC_AUTH_MORE);
	/* assigned, not yet proven */
	assert_true(cephc_auth_global_id(a) == 0);
	cephc_auth_buf_free(&b);
	/* fault: a new session starts over */
	cephc_auth_reset(a);
	s.global_id = 0; /* the next monitor assigns afresh */
	assert_int_equal(handshake(&s, a, NOW, &rounds), CEPHC_AUTH_DONE);
	assert_true(s.hello_gid == 0);
	assert_true(cephc_auth_global_id(a) == 4242);
	cephc_auth_destroy(a);
}

/* A refused reclaim: forgetting the identity makes the next hello fresh. */
static void test_forget_identity_asks_for_new_id(void **state)
{
	struct sim s;
	struct cephc_auth *a;
	int rounds;

	(void)state;
	sim_init(&s);
	a = new_client(&s.client_secret);
	assert_int_equal(handshake(&s, a, NOW, &rounds), CEPHC_AUTH_DONE);
	assert_true(cephc_auth_global_id(a) == 4242);
	cephc_auth_forget_identity(a);
	assert_true(cephc_auth_global_id(a) == 0);
	assert_false(cephc_auth_is_authenticated(a, NOW));
	s.global_id = 0;
	assert_int_equal(handshake(&s, a, NOW, &rounds), CEPHC_AUTH_DONE);
	assert_true(s.hello_gid == 0);
	assert_true(cephc_auth_global_id(a) == 4242);
	cephc_auth_destroy(a);
}

static void test_renewal_fetches_due_service_tickets(void **state)
{
	struct sim s;
	struct cephc_auth *a;
	struct cephc_auth_buf b;
	struct reply r;
	uint64_t later;
	int rounds;

	(void)state;
	sim_init(&s);
	a = new_client(&s.client_secret);
	assert_int_equal(handshake(&s, a, NOW, &rounds), CEPHC_AUTH_DONE);
	later = cephc_auth_renew_deadline(a);
	assert_false(cephc_auth_should_authenticate(a, later - 1));
	assert_true(cephc_auth_should_authenticate(a, later));
	/* still authenticated until expiry */
	assert_true(cephc_auth_is_authenticated(a, later));
	cephc_auth_buf_init(&b);
	assert_int_equal(cephc_auth_build_request(a, later, &b), 0);
	assert_int_equal(get_le16(b.data), CEPHX_GET_PRINCIPAL_SESSION_KEY);
	sim_request(&s, &b, &r);
	assert_int_equal(feed(a, &r, later), CEPHC_AUTH_DONE);
	assert_false(cephc_auth_should_authenticate(a, later));
	/* nothing due: empty request */
	cephc_auth_buf_reset(&b);
	assert_int_equal(cephc_auth_build_request(a, later, &b), 0);
	assert_int_equal(b.len, 0);
	/* past AUTH expiry: not authenticated, a session-key request next */
	assert_false(
	    cephc_auth_is_authenticated(a, NOW + AUTH_TTL * 1000ull + 1));
	assert_int_equal(
	    cephc_auth_build_request(a, NOW + AUTH_TTL * 1000ull + 1, &b), 0);
	assert_int_equal(get_le16(b.data), CEPHX_GET_AUTH_SESSION_KEY);
	cephc_auth_buf_free(&b);
	cephc_auth_destroy(a);
}

/* OSD side of the v1 connect: challenge, then check the answer. */
static void test_authorizer_challenge_reply_and_signatures(void **state)
{
	struct sim s;
	struct cephc_auth *a;
	struct cephc_authorizer *au;
	struct cephc_crypto_key sk;
	struct cephc_auth_buf ch, rep;
	struct cephc_dec d;
	uint64_t nonce, answer, sig;
	uint8_t p[9], rp[9];
	int hc, rounds;
	struct cephc_msg_sig_input m = {1, 2, 3, 4, 5, 6, 7, 8};

	(void)state;
	sim_init(&s);
	a = new_client(&s.client_secret);
	assert_int_equal(handshake(&s, a, NOW, &rounds), CEPHC_AUTH_DONE);
	assert_int_equal(cephc_auth_get_authorizer(a, CEPHC_ENTITY_OSD, &au),
			 0);
	assert_int_equal(au->protocol, CEPHC_AUTH_CEPHX);

	/* first connect: no challenge answer yet */
	dec_init(&d, au->buf.data, au->buf.len);
	assert_int_equal(sim_check_authorizer(&s, &d, CEPHC_ENTITY_OSD, &sk,
					      &nonce, &hc, &answer),
			 0);
	assert_int_equal(dec_left(&d), 0);
	assert_int_equal(hc, 0);
	assert_true(nonce == au->nonce);

	/* TAG_CHALLENGE_AUTHORIZER: bare enc_bl ciphertext (32 bytes) */
	cephc_auth_buf_init(&ch);
	p[0] = 1;
	put_le64(p + 1, 0xc0ffee0000000001ull);
	sim_encrypt(&sk, p, 9, &ch, 0);
	assert_int_equal(ch.len, 32);
	assert_int_equal(cephc_authorizer_handle_challenge(au, ch.data, ch.len),
			 0);
	dec_init(&d, au->buf.data, au->buf.len);
	assert_int_equal(sim_check_authorizer(&s, &d, CEPHC_ENTITY_OSD, &sk,
					      &nonce, &hc, &answer),
			 0);
	assert_int_equal(hc, 1);
	assert_true(answer == 0xc0ffee0000000002ull);
	assert_true(nonce == au->nonce);

	/* msgr2 form of the same challenge: le32 32 + ciphertext */
	cephc_auth_buf_reset(&ch);
	cephc_auth_buf_le32(&ch, 32);
	p[0] = 1;
	put_le64(p + 1, 77);
	sim_encrypt(&sk, p, 9, &ch, 0);
	assert_int_equal(cephc_authorizer_handle_challenge(au, ch.data, ch.len),
			 0);
	dec_init(&d, au->buf.data, au->buf.len);
	assert_int_equal(sim_check_authorizer(&s, &d, CEPHC_ENTITY_OSD, &sk,
					      &nonce, &hc, &answer),
			 0);
	assert_true(answer == 78);

	/* the reply: "encrypt" of {u8 1, le64 nonce + 1} (36 bytes) */
	cephc_auth_buf_init(&rep);
	rp[0] = 1;
	put_le64(rp + 1, nonce + 1);
	sim_encrypt(&sk, rp, 9, &rep, 1);
	assert_int_equal(rep.len, 36);
	assert_int_equal(cephc_authorizer_verify_reply(au, rep.data, rep.len),
			 0);
	/* wrong nonce */
	cephc_auth_buf_reset(&rep);
	put_le64(rp + 1, nonce + 2);
	sim_encrypt(&sk, rp, 9, &rep, 1);
	assert_int_equal(cephc_authorizer_verify_reply(au, rep.data, rep.len),
			 CEPHC_EBADAUTH);
	/* v2 reply with a connection secret */
	cephc_auth_buf_reset(&ch);
	cephc_auth_buf_u8(&ch, 2);
	cephc_auth_buf_le64(&ch, nonce + 1);
	cephc_auth_buf_blob(&ch, "secret-bytes", 12);
	cephc_auth_buf_reset(&rep);
	sim_encrypt(&sk, ch.data, ch.len, &rep, 1);
	assert_int_equal(cephc_authorizer_verify_reply(au, rep.data, rep.len),
			 0);
	assert_int_equal(au->connection_secret.len, 12);
	/* a challenge under another key, and truncated ones */
	assert_int_equal(
	    cephc_authorizer_handle_challenge(au, rep.data + 4, 16),
	    CEPHC_EBADAUTH);
	assert_int_equal(cephc_authorizer_handle_challenge(au, ch.data, 5),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_authorizer_verify_reply(au, rep.data, 20),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_authorizer_verify_reply(au, rep.data, 3),
			 CEPHC_EDECODE);

	/* Signatures: the OSD, holding the ticket's session key, agrees. */
	assert_int_equal(
	    cephc_authorizer_sign(au, CEPHC_FEATURE_CEPHX_V2, &m, &sig), 0);
	{
		uint64_t osd;

		assert_int_equal(cephx_calc_signature(&sk, true, &m, &osd), 0);
		assert_true(osd == sig);
		assert_int_equal(cephx_calc_signature(&sk, false, &m, &osd), 0);
		assert_int_equal(cephc_authorizer_check(au, 0, &m, osd), 0);
		assert_int_equal(
		    cephc_authorizer_check(au, CEPHC_FEATURE_CEPHX_V2, &m, osd),
		    CEPHC_ESIGNATURE);
	}
	assert_int_equal(
	    cephc_authorizer_check(au, CEPHC_FEATURE_CEPHX_V2, &m, sig), 0);
	m.data_crc ^= 1;
	assert_int_equal(
	    cephc_authorizer_check(au, CEPHC_FEATURE_CEPHX_V2, &m, sig),
	    CEPHC_ESIGNATURE);

	/* no ticket for MDS; after invalidation, none for OSD */
	struct cephc_authorizer *none;

	assert_int_equal(cephc_auth_get_authorizer(a, CEPHC_ENTITY_MDS, &none),
			 CEPHC_ENOENT);
	cephc_auth_invalidate(a, CEPHC_ENTITY_OSD);
	assert_int_equal(cephc_auth_get_authorizer(a, CEPHC_ENTITY_OSD, &none),
			 CEPHC_ENOENT);
	assert_true(cephc_auth_should_authenticate(a, NOW));
	/* the authorizer keeps working after its ticket was dropped */
	assert_int_equal(
	    cephc_authorizer_check(au, CEPHC_FEATURE_CEPHX_V2, &m, sig),
	    CEPHC_ESIGNATURE);

	cephc_auth_buf_free(&ch);
	cephc_auth_buf_free(&rep);
	cephc_authorizer_destroy(au);
	cephc_auth_destroy(a);
}

static void test_wrong_secret_is_eacces_or_ebadauth(void **state)
{
	struct sim s;
	struct cephc_crypto_key wrong;
	struct cephc_auth *a;
	struct cephc_auth_buf b;
	struct reply r;
	int rounds;

	(void)state;
	sim_init(&s);
	mkkey(&wrong, 99);
	/* The mon checks the proof and answers -EACCES. */
	a = new_client(&wrong);
	assert_int_equal(handshake(&s, a, NOW, &rounds), CEPHC_EACCES);
	assert_false(cephc_auth_is_authenticated(a, NOW));
	cephc_auth_destroy(a);

	/* A reply sealed for another secret fails to decrypt: EBADAUTH. */
	a = new_client(&wrong);
	cephc_auth_buf_init(&b);
	assert_int_equal(cephc_auth_build_hello(a, &b), 0);
	sim_hello(&s, &b, &r);
	assert_int_equal(feed(a, &r, NOW), CEPHC_AUTH_MORE);
	cephc_auth_buf_reset(&b);
	assert_int_equal(cephc_auth_build_request(a, NOW, &b), 0);
	/* pretend the proof was fine: answer with the real client secret */
	{
		struct cephc_crypto_key sk;

		reply_init(&r, 0, &s);
		cephc_auth_buf_le16(&r.payload, CEPHX_GET_AUTH_SESSION_KEY);
		cephc_auth_buf_le32(&r.payload, 0);
		cephc_auth_buf_u8(&r.payload, 1);
		cephc_auth_buf_le32(&r.payload, 1);
		sim_ticket(&s, CEPHC_ENTITY_AUTH, &s.client_secret, NULL,
			   AUTH_TTL, &r.payload, &sk);
	}
	assert_int_equal(feed(a, &r, NOW), CEPHC_EBADAUTH);
	cephc_auth_buf_free(&b);
	cephc_auth_destroy(a);
}

/* A client that has sent GET_AUTH_SESSION_KEY, ready for the reply. */
static struct cephc_auth *client_awaiting_session_key(struct sim *s)
{
	struct cephc_auth *a = new_client(&s->client_secret);
	struct cephc_auth_buf b;
	struct reply r;

	cephc_auth_buf_init(&b);
	assert_int_equal(cephc_auth_build_hello(a, &b), 0);
	sim_hello(s, &b, &r);
	assert_int_equal(feed(a, &r, NOW), CEPHC_AUTH_MORE);
	cephc_auth_buf_reset(&b);
	assert_int_equal(cephc_auth_build_request(a, NOW, &b), 0);
	cephc_auth_buf_free(&b);
	return a;
}

static struct cephc_auth_buf good_session_key_reply(struct sim *s)
{
	struct cephc_auth *a = client_awaiting_session_key(s);
	struct cephc_auth_buf b, out;
	struct reply r;

	cephc_auth_buf_init(&b);
	assert_int_equal(cephc_auth_build_request(a, NOW, &b), 0);
	sim_request(s, &b, &r);
	assert_int_equal(r.result, 0);
	out = r.payload;
	cephc_auth_buf_free(&b);
	cephc_auth_destroy(a);
	return out;
}

static int feed_bytes(struct cephc_auth *a, const void *p, size_t n,
		      uint64_t gid)
{
	return cephc_auth_handle_reply(a, CEPHC_AUTH_CEPHX, 0, gid, p, n, NOW);
}

static void test_bad_mauth_reply_fields(void **state)
{
	struct sim s;
	struct cephc_auth *a;
	struct cephc_auth_buf b;
	uint8_t ch[9] = {1, 1, 2, 3, 4, 5, 6, 7, 8};

	(void)state;
	sim_init(&s);
	a = new_client(&s.client_secret);
	cephc_auth_buf_init(&b);
	/* protocol 0 with success, with an error, unknown, not offered */
	assert_int_equal(cephc_auth_build_hello(a, &b), 0);
	assert_int_equal(cephc_auth_handle_reply(a, 0, 0, 1, ch, 9, NOW),
			 CEPHC_EPROTO);
	assert_int_equal(cephc_auth_handle_reply(a, 0, -95, 1, NULL, 0, NOW),
			 CEPHC_EOPNOTSUPP);
	assert_int_equal(cephc_auth_handle_reply(a, 7, 0, 1, ch, 9, NOW),
			 CEPHC_EPROTO);
	assert_int_equal(
	    cephc_auth_handle_reply(a, CEPHC_AUTH_NONE, 0, 1, ch, 9, NOW),
	    CEPHC_EPROTO);
	/* positive result */
	assert_int_equal(cephc_auth_handle_reply(a, 2, 1, 1, ch, 9, NOW),
			 CEPHC_EPROTO);
	/* error result with a payload; odd result values */
	assert_int_equal(cephc_auth_handle_reply(a, 2, -13, 1, ch, 9, NOW),
			 CEPHC_EACCES);
	cephc_auth_build_hello(a, &b);
	assert_int_equal(cephc_auth_handle_reply(a, 2, -1, 1, ch, 9, NOW),
			 CEPHC_EPERM);
	cephc_auth_build_hello(a, &b);
	assert_int_equal(
	    cephc_auth_handle_reply(a, 2, INT32_MIN, 1, ch, 9, NOW),
	    CEPHC_EBADAUTH);
	/* hello reply of the wrong size / version */
	cephc_auth_build_hello(a, &b);
	assert_int_equal(feed_bytes(a, ch, 8, 1), CEPHC_EDECODE);
	cephc_auth_build_hello(a, &b);
	ch[0] = 2;
	assert_int_equal(feed_bytes(a, ch, 9, 1), CEPHC_EDECODE);
	/* request before the challenge */
	cephc_auth_reset(a);
	cephc_auth_buf_reset(&b);
	assert_int_equal(cephc_auth_build_request(a, NOW, &b), CEPHC_EINVAL);
	/* protocol changes after negotiation */
	cephc_auth_build_hello(a, &b);
	ch[0] = 1;
	assert_int_equal(feed_bytes(a, ch, 9, 1), CEPHC_AUTH_MORE);
	assert_int_equal(
	    cephc_auth_handle_reply(a, CEPHC_AUTH_NONE, 0, 1, ch, 9, NOW),
	    CEPHC_EPROTO);
	/* global_id changes within the handshake */
	assert_int_equal(feed_bytes(a, ch, 9, 2), CEPHC_EPROTO);
	/* a reply with no request outstanding */
	{
		uint8_t hdr[6] = {0, 1, 0, 0, 0, 0};

		assert_int_equal(feed_bytes(a, hdr, 6, 1), CEPHC_EPROTO);
	}
	cephc_auth_buf_free(&b);
	cephc_auth_destroy(a);
}

static void test_bad_session_key_replies(void **state)
{
	struct sim s;
	struct cephc_auth *a;
	struct cephc_auth_buf good;
	uint8_t buf[4096];
	size_t i;
	int ret;

	(void)state;
	sim_init(&s);
	good = good_session_key_reply(&s);
	assert_true(good.len < sizeof(buf));

	/* the untouched reply works; with global_id 0 it must not */
	a = client_awaiting_session_key(&s);
	assert_int_equal(feed_bytes(a, good.data, good.len, 0),
			 CEPHC_AUTH_DONE); /* gid came with the hello */
	cephc_auth_destroy(a);
	{
		struct cephc_auth_params p = {
		    .name_type = CEPHC_ENTITY_CLIENT,
		    .name_id = "admin",
		    .secret = &s.client_secret,
		};
		struct cephc_auth_buf b;
		uint8_t ch[9] = {1};

		a = cephc_auth_create(&p);
		cephc_auth_buf_init(&b);
		cephc_auth_build_hello(a, &b);
		assert_int_equal(feed_bytes(a, ch, 9, 0), CEPHC_AUTH_MORE);
		cephc_auth_build_request(a, NOW, &b);
		assert_int_equal(feed_bytes(a, good.data, good.len, 0),
				 CEPHC_EPROTO);
		cephc_auth_buf_free(&b);
		cephc_auth_destroy(a);
	}

	/* every truncation: an error or (at a field boundary) MORE */
	for (i = 0; i < good.len; i++) {
		a = client_awaiting_session_key(&s);
		ret = feed_bytes(a, good.data, i, 4242);
		assert_true(ret < 0 || ret == CEPHC_AUTH_MORE);
		cephc_auth_destroy(a);
	}
	/* every single-byte corruption: no crash, no leak */
	for (i = 0; i < good.len; i++) {
		memcpy(buf, good.data, good.len);
		buf[i] ^= 0x41;
		a = client_awaiting_session_key(&s);
		ret = feed_bytes(a, buf, good.len, 4242);
		assert_true(ret <= CEPHC_AUTH_MORE);
		cephc_auth_destroy(a);
	}
	/* the reply header's status */
	memcpy(buf, good.data, good.len);
	put_le32(buf + 2, (uint32_t)-1);
	a = client_awaiting_session_key(&s);
	assert_int_equal(feed_bytes(a, buf, good.len, 4242), CEPHC_EPERM);
	cephc_auth_destroy(a);
	put_le32(buf + 2, 5);
	a = client_awaiting_session_key(&s);
	assert_int_equal(feed_bytes(a, buf, good.len, 4242), CEPHC_EPROTO);
	cephc_auth_destroy(a);
	/* ticket count huge */
	memcpy(buf, good.data, good.len);
	put_le32(buf + 7, 0xffffffff);
	a = client_awaiting_session_key(&s);
	assert_int_equal(feed_bytes(a, buf, good.len, 4242), CEPHC_ETOOBIG);
	cephc_auth_destroy(a);
	/* the first encrypted blob's length: 0, huge, past the end */
	{
		static const uint32_t lens[] = {
		    0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 64};
		size_t k;

		for (k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
			memcpy(buf, good.data, good.len);
			put_le32(buf + 16, lens[k]);
			a = client_awaiting_session_key(&s);
			ret = feed_bytes(a, buf, good.len, 4242);
			assert_true(ret == CEPHC_EDECODE ||
				    ret == CEPHC_ETOOBIG ||
				    ret == CEPHC_EBADAUTH);
			cephc_auth_destroy(a);
		}
	}
	cephc_auth_buf_free(&good);
}

/* Session blobs whose CryptoKey length is 0 or > 32, a ticket blob longer
 * than everything, and wrong magic after a good decryption. */
static void test_bad_ticket_contents(void **state)
{
	struct sim s;
	struct cephc_auth *a;
	struct cephc_auth_buf o, info;
	uint8_t w[64];
	static const uint16_t klens[] = {0, 8, 33, 0xffff};
	size_t k;

	(void)state;
	sim_init(&s);
	for (k = 0; k < 6; k++) {
		struct cephc_crypto_key sk;
		int want;

		mkkey(&sk, 50);
		cephc_auth_buf_init(&o);
		cephc_auth_buf_init(&info);
		cephc_auth_buf_le16(&o, CEPHX_GET_AUTH_SESSION_KEY);
		cephc_auth_buf_le32(&o, 0);
		cephc_auth_buf_u8(&o, 1);
		cephc_auth_buf_le32(&o, 1);
		cephc_auth_buf_le32(&o, CEPHC_ENTITY_AUTH);
		cephc_auth_buf_u8(&o, 1);
		cephc_auth_buf_u8(&info, 1);
		if (k < 4) {
			cephc_crypto_key_encode(&sk, w);
			put_le16(w + 10, klens[k]);
			cephc_auth_buf_bytes(&info, w, 28);
			want = k < 2 ? CEPHC_EINVAL : CEPHC_ETOOBIG;
		} else {
			put_key(&info, &sk);
			want = k == 4 ? CEPHC_ETOOBIG : CEPHC_EBADAUTH;
		}
		cephc_auth_buf_le64(&info, 3600);
		if (k == 5) {
			/* valid AES, but no cephx header inside */
			size_t n;
			uint8_t *ct;

			cephc_auth_buf_le32(&o, 48);
			ct = cephc_auth_buf_reserve(&o, 48);
			cephc_aes_cbc_encrypt(&s.client_secret, info.data,
					      info.len, ct, &n);
			assert_int_equal(n, 48);
		} else {
			sim_encrypt(&s.client_secret, info.data, info.len, &o,
				    1);
		}
		/* clear ticket: le32 len, u8 1, le64 id, bl of 0xfffffff0 */
		cephc_auth_buf_u8(&o, 0);
		cephc_auth_buf_le32(&o, 13);
		cephc_auth_buf_u8(&o, 1);
		cephc_auth_buf_le64(&o, 1);
		cephc_auth_buf_le32(&o, 0xfffffff0);
		a = client_awaiting_session_key(&s);
		assert_int_equal(feed_bytes(a, o.data, o.len, 4242), want);
		assert_false(cephc_auth_is_authenticated(a, NOW));
		cephc_auth_destroy(a);
		cephc_auth_buf_free(&o);
		cephc_auth_buf_free(&info);
	}
}

/* msgr2: AUTH_REQUEST payload, AUTH_REPLY_MORE, AUTH_DONE. */
static void test_msgr2_flow_with_connection_secret(void **state)
{
	struct sim s;
	struct cephc_auth *a;
	struct cephc_auth_buf b, more;
	struct cephc_dec d;
	struct reply r;
	const uint8_t *cs;
	size_t cslen;
	uint32_t len;

	(void)state;
	sim_init(&s);
	s.send_conn_secret = 1;
	a = new_client(&s.client_secret);
	cephc_auth_buf_init(&b);
	cephc_auth_buf_init(&more);
	assert_int_equal(cephc_auth_msgr2_start(a, &b), 0);
	assert_int_equal(cephc_auth_protocol(a), CEPHC_AUTH_CEPHX);
	dec_init(&d, b.data, b.len);
	assert_int_equal(dec_u8(&d), CEPHC_AUTH_MODE_MON);
	assert_int_equal(dec_le32(&d), CEPHC_ENTITY_CLIENT);
	assert_memory_equal(dec_blob(&d, &len, 16), "admin", 5);
	assert_true(dec_le64(&d) == 0);
	assert_int_equal(dec_left(&d), 0);
	/* AUTH_REPLY_MORE: the server challenge */
	s.global_id = 777;
	cephc_auth_buf_u8(&more, 1);
	cephc_auth_buf_le64(&more, s.server_challenge);
	cephc_auth_buf_reset(&b);
	assert_int_equal(
	    cephc_auth_msgr2_handle_more(a, more.data, more.len, NOW, &b), 0);
	assert_int_equal(get_le16(b.data), CEPHX_GET_AUTH_SESSION_KEY);
	sim_request(&s, &b, &r);
	assert_int_equal(r.result, 0);
	/* AUTH_DONE */
	assert_int_equal(cephc_auth_msgr2_handle_done(a, 777, r.payload.data,
						      r.payload.len, NOW),
			 0);
	assert_true(cephc_auth_global_id(a) == 777);
	assert_true(cephc_auth_is_authenticated(a, NOW));
	assert_int_equal(cephc_auth_connection_secret(a, &cs, &cslen), 0);
	assert_int_equal(cslen, 32);
	/* a second AUTH_DONE with another id is refused */
	assert_int_equal(cephc_auth_msgr2_handle_done(a, 778, r.payload.data,
						      r.payload.len, NOW),
			 CEPHC_EPROTO);
	assert_int_equal(cephc_auth_msgr2_handle_done(a, 0, NULL, 0, NOW),
			 CEPHC_EPROTO);
	cephc_auth_buf_free(&r.payload);
	cephc_auth_buf_free(&b);
	cephc_auth_buf_free(&more);
	cephc_auth_destroy(a);
}

static void test_create_rejects_bad_params(void **state)
{
	struct cephc_auth_params p = {.name_type = CEPHC_ENTITY_CLIENT};
	char longname[CEPHC_AUTH_NAME_MAX + 2];

	(void)state;
	assert_null(cephc_auth_create(&p));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	p.name_id = longname;
	assert_null(cephc_auth_create(&p));
	/* cephx only, but no secret */
	p.name_id = "admin";
	p.allowed = 1u << CEPHC_AUTH_CEPHX;
	assert_null(cephc_auth_create(&p));
	p.allowed = 1u << 5;
	assert_null(cephc_auth_create(&p));
}

/*
 * Issue 17: no key, session key, connection secret or nonce in any log
 * line at trace level.  Every key the simulator makes is mkkey(seed) for
 * some seed, so all 256 are forbidden, in every rendering; then the
 * handshakes above (good, renewing, failing) run under the capturing
 * sink.
 */
static void test_no_secret_in_trace_logs(void **state)
{
	struct cephc_crypto_key k;

	cap_start();
	for (unsigned seed = 0; seed < 256; seed++) {
		mkkey(&k, (uint8_t)seed);
		cap_add_secret(k.secret, k.len);
	}
	cap_add_secret("0123456789abcdef0123456789abcdef", 32);
	cap_add_secret("secret-bytes", 12);

	test_full_handshake_with_extra_tickets(state);
	test_handshake_old_server_then_principal(state);
	test_connection_secret_decrypted(state);
	test_reconnect_reclaims_global_id_with_old_ticket(state);
	test_renewal_fetches_due_service_tickets(state);
	test_authorizer_challenge_reply_and_signatures(state);
	test_wrong_secret_is_eacces_or_ebadauth(state);
	test_bad_session_key_replies(state);
	test_bad_ticket_contents(state);
	test_msgr2_flow_with_connection_secret(state);
	cap_stop();

	/* The scan saw real lines (debug and warnings), not silence. */
	assert_true(logcap.seen > 0);
	assert_true(cap_count("GET_AUTH_SESSION_KEY") > 0);
	if (logcap.leaks)
		fail_msg("%u log line(s) carry a secret, first: %s",
			 logcap.leaks, logcap.leak);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_handshake_with_extra_tickets),
	    cmocka_unit_test(test_handshake_old_server_then_principal),
	    cmocka_unit_test(test_connection_secret_decrypted),
	    cmocka_unit_test(test_reconnect_reclaims_global_id_with_old_ticket),
	    cmocka_unit_test(test_break_before_ticket_presents_no_global_id),
	    cmocka_unit_test(test_forget_identity_asks_for_new_id),
	    cmocka_unit_test(test_renewal_fetches_due_service_tickets),
	    cmocka_unit_test(test_authorizer_challenge_reply_and_signatures),
	    cmocka_unit_test(test_wrong_secret_is_eacces_or_ebadauth),
	    cmocka_unit_test(test_bad_mauth_reply_fields),
	    cmocka_unit_test(test_bad_session_key_replies),
	    cmocka_unit_test(test_bad_ticket_contents),
	    cmocka_unit_test(test_msgr2_flow_with_connection_secret),
	    cmocka_unit_test(test_create_rejects_bad_params),
	    cmocka_unit_test(test_no_secret_in_trace_logs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
