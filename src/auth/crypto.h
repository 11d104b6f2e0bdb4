/* SPDX-License-Identifier: MIT */
/*
 * Crypto seam for cephx: the only file in cephc that talks to libcrypto for
 * authentication.  Everything cephx needs is here:
 *
 *  - CryptoKey: the struct a keyring's base64 `key = ...` decodes to, and the
 *    form session keys take inside tickets:
 *      le16 type (1 = AES), utime created (le32 sec, le32 nsec),
 *      le16 len, then len secret bytes.
 *  - AES-128-CBC with Ceph's fixed IV "cephsageyudagreg" and PKCS#7 padding
 *    (always 1..16 pad bytes, so 16 bytes of plaintext become 32).
 *  - HMAC-SHA256 (msgr2 AUTH_SIGNATURE) and random bytes.
 *
 * Keys: Ceph's userspace AES handler rejects secrets shorter than 16 bytes
 * and uses the first 16 bytes of longer ones (AES-128 only).  We do the
 * same, and refuse a length of 0 (EINVAL) or above CEPHC_CRYPTO_KEY_MAX
 * (ETOOBIG), so a peer-supplied length never overruns the fixed array.
 */
#ifndef CEPHC_AUTH_CRYPTO_H
#define CEPHC_AUTH_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#include "core/decode.h"

/* CryptoKey types (Ceph CEPH_CRYPTO_*). */
#define CEPHC_CRYPTO_NONE 0
#define CEPHC_CRYPTO_AES 1

#define CEPHC_AES_KEY_LEN 16
#define CEPHC_AES_BLOCK 16
/* Longest secret a CryptoKey may carry (bad-inputs 5: reject > 32). */
#define CEPHC_CRYPTO_KEY_MAX 32
/* Wire size of a CryptoKey with a 16-byte AES secret. */
#define CEPHC_CRYPTO_KEY_WIRE_LEN (2 + 8 + 2 + CEPHC_AES_KEY_LEN)
/* Longest base64 text accepted for a key (a 28-byte key is 40 chars). */
#define CEPHC_CRYPTO_KEY_B64_MAX 128

/* Ceph's fixed CBC IV: the 16 ASCII bytes of CEPH_AES_IV. */
#define CEPHC_AES_IV "cephsageyudagreg"

struct cephc_crypto_key {
	uint16_t type;        /* CEPHC_CRYPTO_AES */
	uint32_t created_sec; /* utime created: informational only */
	uint32_t created_nsec;
	uint16_t len; /* secret length as sent (16..32) */
	uint8_t secret[CEPHC_CRYPTO_KEY_MAX];
};

/* Output size of AES-CBC with PKCS#7 for len bytes of plaintext. */
static inline size_t cephc_aes_cbc_out_len(size_t len)
{
	return (len / CEPHC_AES_BLOCK + 1) * CEPHC_AES_BLOCK;
}

/*
 * Decode a CryptoKey from a cursor.  0, CEPHC_EDECODE (truncated),
 * CEPHC_EINVAL (length 0 or < 16), CEPHC_ETOOBIG (length > 32),
 * CEPHC_EOPNOTSUPP (type other than AES).  On error *key is zeroed.
 */
int cephc_crypto_key_decode(struct cephc_dec *d, struct cephc_crypto_key *key);

/* The same from a complete buffer; trailing bytes are an error (EDECODE). */
int cephc_crypto_key_from_bytes(struct cephc_crypto_key *key, const void *buf,
				size_t len);

/*
 * From the base64 text of a keyring `key =` line (surrounding whitespace
 * allowed).  CEPHC_EINVAL for bad base64, then as cephc_crypto_key_decode.
 */
int cephc_crypto_key_from_base64(struct cephc_crypto_key *key, const char *b64);

/* Wire form of key into out (cap >= 12 + key->len); returns bytes written. */
size_t cephc_crypto_key_encode(const struct cephc_crypto_key *key,
			       uint8_t *out);

/* Overwrite a key's secret bytes (OPENSSL_cleanse) and zero the struct. */
void cephc_crypto_key_wipe(struct cephc_crypto_key *key);

/*
 * AES-128-CBC, fixed IV, PKCS#7.  encrypt: out must hold
 * cephc_aes_cbc_out_len(len) bytes; *out_len gets that count.
 * decrypt: len must be a non-zero multiple of 16 (else CEPHC_EDECODE); out
 * must hold len bytes; a bad padding (the usual sign of a wrong key) gives
 * CEPHC_EBADAUTH.  Other failures: CEPHC_ECRYPTO, CEPHC_EINVAL (bad key).
 * in and out may not overlap.
 */
int cephc_aes_cbc_encrypt(const struct cephc_crypto_key *key, const void *in,
			  size_t len, uint8_t *out, size_t *out_len);
int cephc_aes_cbc_decrypt(const struct cephc_crypto_key *key, const void *in,
			  size_t len, uint8_t *out, size_t *out_len);

/*
 * A keyed AES-128-CBC encryptor for hot paths (per-message signatures): the
 * key schedule and cipher lookup are done once, and each call chains CBC
 * from Ceph's IV without touching the context.  No padding is added: len must be a multiple of 16.  One context is
 * used by one thread at a time.
 */
struct cephc_aes_ctx {
	void *evp; /* EVP_CIPHER_CTX, NULL when not set up */
};

int cephc_aes_ctx_init(struct cephc_aes_ctx *c,
		       const struct cephc_crypto_key *key);
int cephc_aes_ctx_encrypt_blocks(const struct cephc_aes_ctx *c, const void *in,
				 size_t len, uint8_t *out);
void cephc_aes_ctx_free(struct cephc_aes_ctx *c);

/* HMAC-SHA256 of data keyed with key[0..key_len); out gets 32 bytes. */
#define CEPHC_HMAC_SHA256_LEN 32
int cephc_hmac_sha256(const void *key, size_t key_len, const void *data,
		      size_t len, uint8_t out[CEPHC_HMAC_SHA256_LEN]);

/* Cryptographically strong random bytes; CEPHC_ECRYPTO on failure. */
int cephc_random_bytes(void *buf, size_t len);

#endif /* CEPHC_AUTH_CRYPTO_H */
