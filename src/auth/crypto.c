/* SPDX-License-Identifier: MIT */
/* cephx crypto seam over OpenSSL libcrypto (EVP). */
#include "auth/crypto.h"

#include <ctype.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "core/encode.h"

int cephc_crypto_key_decode(struct cephc_dec *d, struct cephc_crypto_key *key)
{
	const uint8_t *secret;
	int err = 0;

	memset(key, 0, sizeof(*key));
	key->type = dec_le16(d);
	key->created_sec = dec_le32(d);
	key->created_nsec = dec_le32(d);
	key->len = dec_le16(d);
	if (d->err)
		return d->err;
	/* Check the peer's length before touching the fixed array. */
	if (key->len == 0 || key->len < CEPHC_AES_KEY_LEN)
		err = CEPHC_EINVAL;
	else if (key->len > CEPHC_CRYPTO_KEY_MAX)
		err = CEPHC_ETOOBIG;
	else if (key->type != CEPHC_CRYPTO_AES)
		err = CEPHC_EOPNOTSUPP;
	if (err) {
		memset(key, 0, sizeof(*key));
		return dec_fail(d, err);
	}
	secret = dec_ptr(d, key->len);
	if (!secret) {
		memset(key, 0, sizeof(*key));
		return d->err;
	}
	memcpy(key->secret, secret, key->len);
	return 0;
}

int cephc_crypto_key_from_bytes(struct cephc_crypto_key *key, const void *buf,
				size_t len)
{
	struct cephc_dec d;
	int err;

	dec_init(&d, buf, len);
	err = cephc_crypto_key_decode(&d, key);
	if (!err && dec_left(&d)) {
		cephc_crypto_key_wipe(key);
		err = CEPHC_EDECODE;
	}
	return err;
}

int cephc_crypto_key_from_base64(struct cephc_crypto_key *key, const char *b64)
{
	char text[CEPHC_CRYPTO_KEY_B64_MAX + 4];
	uint8_t raw[CEPHC_CRYPTO_KEY_B64_MAX];
	size_t n = 0, pad = 0;
	int out, err;

	memset(key, 0, sizeof(*key));
	/* Keep only base64 characters; whitespace is allowed anywhere.
	 * Every exit goes through "out": text and raw hold the key. */
	err = 0;
	for (; *b64; b64++) {
		unsigned char c = (unsigned char)*b64;

		if (isspace(c))
			continue;
		if (!isalnum(c) && c != '+' && c != '/' && c != '=') {
			err = CEPHC_EINVAL;
			goto out;
		}
		if (n >= CEPHC_CRYPTO_KEY_B64_MAX) {
			err = CEPHC_ETOOBIG;
			goto out;
		}
		text[n++] = (char)c;
	}
	if (n == 0 || n % 4 != 0) {
		err = CEPHC_EINVAL;
		goto out;
	}
	text[n] = '\0';
	/* EVP_DecodeBlock counts '=' padding as zero bytes; remove them. */
	if (text[n - 1] == '=')
		pad++;
	if (text[n - 2] == '=')
		pad++;
	out = EVP_DecodeBlock(raw, (const unsigned char *)text, (int)n);
	if (out < 0 || (size_t)out < pad) {
		err = CEPHC_EINVAL;
		goto out;
	}
	err = cephc_crypto_key_from_bytes(key, raw, (size_t)out - pad);
out:
	OPENSSL_cleanse(raw, sizeof(raw));
	OPENSSL_cleanse(text, sizeof(text));
	return err;
}

size_t cephc_crypto_key_encode(const struct cephc_crypto_key *key, uint8_t *out)
{
	put_le16(out, key->type);
	put_le32(out + 2, key->created_sec);
	put_le32(out + 6, key->created_nsec);
	put_le16(out + 10, key->len);
	memcpy(out + 12, key->secret, key->len);
	return 12 + (size_t)key->len;
}

void cephc_crypto_key_wipe(struct cephc_crypto_key *key)
{
	OPENSSL_cleanse(key, sizeof(*key));
}

static int aes_cbc(const struct cephc_crypto_key *key, int enc, const void *in,
		   size_t len, uint8_t *out, size_t *out_len)
{
	EVP_CIPHER_CTX *ctx;
	int n1 = 0, n2 = 0, err = 0;

	*out_len = 0;
	if (key->type != CEPHC_CRYPTO_AES || key->len < CEPHC_AES_KEY_LEN)
		return CEPHC_EINVAL;
	if (len > (size_t)INT32_MAX - 2 * CEPHC_AES_BLOCK)
		return CEPHC_ETOOBIG;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return CEPHC_ENOMEM;
	/* AES-128 on the first 16 secret bytes, as Ceph's userspace does. */
	if (EVP_CipherInit_ex(ctx, EVP_aes_128_cbc(), NULL, key->secret,
			      (const unsigned char *)CEPHC_AES_IV, enc) != 1 ||
	    EVP_CipherUpdate(ctx, out, &n1, in, (int)len) != 1) {
		err = CEPHC_ECRYPTO;
		goto out;
	}
	/* Final fails on decrypt when the PKCS#7 padding is wrong. */
	if (EVP_CipherFinal_ex(ctx, out + n1, &n2) != 1) {
		err = enc ? CEPHC_ECRYPTO : CEPHC_EBADAUTH;
		goto out;
	}
	*out_len = (size_t)n1 + (size_t)n2;
out:
	EVP_CIPHER_CTX_free(ctx);
	return err;
}

int cephc_aes_cbc_encrypt(const struct cephc_crypto_key *key, const void *in,
			  size_t len, uint8_t *out, size_t *out_len)
{
	return aes_cbc(key, 1, in, len, out, out_len);
}

int cephc_aes_cbc_decrypt(const struct cephc_crypto_key *key, const void *in,
			  size_t len, uint8_t *out, size_t *out_len)
{
	*out_len = 0;
	if (len == 0 || len % CEPHC_AES_BLOCK)
		return CEPHC_EDECODE;
	return aes_cbc(key, 0, in, len, out, out_len);
}

/*
 * The context holds a key schedule for single blocks (ECB, no padding) and
 * chains CBC from Ceph's fixed IV by hand: re-initialising a CBC context
 * for every message (to reset the IV) cost OpenSSL 3 a parameter round
 * trip each time, and signing runs twice per request.
 */
int cephc_aes_ctx_init(struct cephc_aes_ctx *c,
		       const struct cephc_crypto_key *key)
{
	EVP_CIPHER_CTX *ctx;

	c->evp = NULL;
	if (key->type != CEPHC_CRYPTO_AES || key->len < CEPHC_AES_KEY_LEN)
		return CEPHC_EINVAL;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return CEPHC_ENOMEM;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, key->secret,
			       NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(ctx, 0) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return CEPHC_ECRYPTO;
	}
	c->evp = ctx;
	return 0;
}

int cephc_aes_ctx_encrypt_blocks(const struct cephc_aes_ctx *c, const void *in,
				 size_t len, uint8_t *out)
{
	EVP_CIPHER_CTX *ctx = c->evp;
	const uint8_t *p = in;
	const uint8_t *chain = (const uint8_t *)CEPHC_AES_IV;

	if (!ctx || len % CEPHC_AES_BLOCK || len > INT32_MAX)
		return CEPHC_EINVAL;
	for (size_t off = 0; off < len; off += CEPHC_AES_BLOCK) {
		uint8_t x[CEPHC_AES_BLOCK];
		int n = 0;

		for (int i = 0; i < CEPHC_AES_BLOCK; i++)
			x[i] = p[off + i] ^ chain[i];
		if (EVP_EncryptUpdate(ctx, out + off, &n, x, CEPHC_AES_BLOCK) !=
			1 ||
		    n != CEPHC_AES_BLOCK)
			return CEPHC_ECRYPTO;
		chain = out + off;
	}
	return 0;
}

void cephc_aes_ctx_free(struct cephc_aes_ctx *c)
{
	if (c->evp)
		EVP_CIPHER_CTX_free(c->evp);
	c->evp = NULL;
}

int cephc_hmac_sha256(const void *key, size_t key_len, const void *data,
		      size_t len, uint8_t out[CEPHC_HMAC_SHA256_LEN])
{
	unsigned int n = 0;

	if (key_len > INT32_MAX)
		return CEPHC_EINVAL;
	if (!HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n) ||
	    n != CEPHC_HMAC_SHA256_LEN)
		return CEPHC_ECRYPTO;
	return 0;
}

int cephc_random_bytes(void *buf, size_t len)
{
	if (len > INT32_MAX)
		return CEPHC_EINVAL;
	if (RAND_bytes(buf, (int)len) != 1)
		return CEPHC_ECRYPTO;
	return 0;
}
