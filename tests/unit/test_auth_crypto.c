/* SPDX-License-Identifier: MIT */
/*
 * Crypto seam and cephx primitives against independently computed values:
 * AES-128-CBC with Ceph's IV (from `openssl enc -aes-128-cbc -K ... -iv
 * 63657068736167657975646167726567`), HMAC-SHA256 (RFC 4231), a key from
 * `ceph-authtool --gen-print-key`, and the key proof and both signature
 * formulas (computed with openssl enc + a separate Python XOR).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "auth/cephx.h"
#include "auth/crypto.h"
#include "core/encode.h"

static const uint8_t key_bytes[16] = {0, 1, 2,  3,  4,  5,  6,  7,
				      8, 9, 10, 11, 12, 13, 14, 15};

static void test_key(struct cephc_crypto_key *k)
{
	memset(k, 0, sizeof(*k));
	k->type = CEPHC_CRYPTO_AES;
	k->len = 16;
	memcpy(k->secret, key_bytes, 16);
}

static void test_aes_cbc_fixed_iv_known_answers(void **state)
{
	static const char p1[] = "The quick brown fox jumps over the lazy dog";
	static const uint8_t c1[] = {
	    0x58, 0x78, 0x31, 0x90, 0xed, 0xde, 0x41, 0xb5, 0x8c, 0xa1,
	    0x42, 0xf2, 0x00, 0xec, 0xeb, 0xa0, 0x8d, 0x70, 0x80, 0x16,
	    0x14, 0x27, 0x94, 0xbc, 0xdc, 0xa1, 0xff, 0x6c, 0x4e, 0xb0,
	    0x0d, 0x60, 0x6c, 0x80, 0xdb, 0x72, 0x2a, 0x61, 0xbd, 0xd5,
	    0x3d, 0x6a, 0xa5, 0x66, 0x07, 0xbf, 0xba, 0xf9};
	/* 16 bytes of plaintext: PKCS#7 adds a whole block. */
	static const uint8_t c2[] = {
	    0x3a, 0x2d, 0x46, 0xb1, 0xf2, 0x71, 0x26, 0xde, 0x53, 0xb2, 0x51,
	    0xd2, 0xf6, 0xbc, 0x5e, 0x0c, 0x91, 0x31, 0xeb, 0x3e, 0x8a, 0x76,
	    0xaa, 0x20, 0xf2, 0x05, 0x07, 0xc6, 0x0d, 0xb6, 0x71, 0x10};
	static const uint8_t c3[] = {0x7e, 0xe5, 0xcf, 0x4e, 0x55, 0x7c,
				     0x53, 0x3d, 0x50, 0x24, 0x04, 0xfc,
				     0x3b, 0x64, 0xd7, 0xe9};
	struct cephc_crypto_key k;
	uint8_t out[64], back[64];
	size_t n, m;

	(void)state;
	test_key(&k);
	assert_int_equal(cephc_aes_cbc_encrypt(&k, p1, strlen(p1), out, &n), 0);
	assert_int_equal(n, sizeof(c1));
	assert_memory_equal(out, c1, n);
	assert_int_equal(cephc_aes_cbc_decrypt(&k, out, n, back, &m), 0);
	assert_int_equal(m, strlen(p1));
	assert_memory_equal(back, p1, m);

	assert_int_equal(
	    cephc_aes_cbc_encrypt(&k, "0123456789abcdef", 16, out, &n), 0);
	assert_int_equal(n, 32);
	assert_memory_equal(out, c2, 32);

	assert_int_equal(cephc_aes_cbc_encrypt(&k, "", 0, out, &n), 0);
	assert_int_equal(n, 16);
	assert_memory_equal(out, c3, 16);
	assert_int_equal(cephc_aes_cbc_decrypt(&k, c3, 16, back, &m), 0);
	assert_int_equal(m, 0);
}

static void test_aes_cbc_decrypt_rejects_bad_lengths_and_padding(void **state)
{
	struct cephc_crypto_key k, wrong;
	uint8_t ct[32] = {0}, out[48];
	size_t n;

	(void)state;
	test_key(&k);
	assert_int_equal(cephc_aes_cbc_decrypt(&k, ct, 0, out, &n),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_aes_cbc_decrypt(&k, ct, 17, out, &n),
			 CEPHC_EDECODE);
	/* A wrong key almost always breaks the padding: EBADAUTH. */
	assert_int_equal(cephc_aes_cbc_encrypt(&k, "hello", 5, ct, &n), 0);
	test_key(&wrong);
	wrong.secret[0] ^= 0x80;
	assert_int_equal(cephc_aes_cbc_decrypt(&wrong, ct, n, out, &n),
			 CEPHC_EBADAUTH);
}

static void hex(const char *s, uint8_t *out)
{
	size_t i;

	for (i = 0; s[2 * i]; i++) {
		unsigned int v;

		sscanf(s + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
}

static void test_hmac_sha256_rfc4231(void **state)
{
	uint8_t key[131], mac[32], want[32];
	const char *d6 =
	    "Test Using Larger Than Block-Size Key - Hash Key First";

	(void)state;
	/* Test case 1 */
	memset(key, 0x0b, 20);
	assert_int_equal(cephc_hmac_sha256(key, 20, "Hi There", 8, mac), 0);
	hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
	    want);
	assert_memory_equal(mac, want, 32);
	/* Test case 2 */
	assert_int_equal(cephc_hmac_sha256("Jefe", 4,
					   "what do ya want for nothing?", 28,
					   mac),
			 0);
	hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
	    want);
	assert_memory_equal(mac, want, 32);
	/* Test case 6: key longer than the block */
	memset(key, 0xaa, sizeof(key));
	assert_int_equal(cephc_hmac_sha256(key, 131, d6, strlen(d6), mac), 0);
	hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
	    want);
	assert_memory_equal(mac, want, 32);
}

static void test_key_from_ceph_authtool_base64(void **state)
{
	/* ceph-authtool --gen-print-key on the 16.2.15 packages */
	const char *b64 = "  AQCBUwJrDjjjCRAA5WMRXV9h04eJ1wa0E5h3Sg==\n";
	uint8_t want[16], enc[64];
	struct cephc_crypto_key k;

	(void)state;
	assert_int_equal(cephc_crypto_key_from_base64(&k, b64), 0);
	assert_int_equal(k.type, CEPHC_CRYPTO_AES);
	assert_int_equal(k.len, 16);
	assert_int_equal(k.created_sec, 0x6b025381);
	assert_int_equal(k.created_nsec, 0x09e3380e);
	hex("e563115d5f61d38789d706b41398774a", want);
	assert_memory_equal(k.secret, want, 16);
	assert_int_equal(cephc_crypto_key_encode(&k, enc),
			 CEPHC_CRYPTO_KEY_WIRE_LEN);
	cephc_crypto_key_wipe(&k);
	assert_int_equal(k.len, 0);
}

static void test_key_decode_bad_inputs(void **state)
{
	struct cephc_crypto_key k;
	uint8_t buf[64];

	(void)state;
	memset(buf, 0x5a, sizeof(buf));
	put_le16(buf, 1);
	/* length 0, short, > 32, type NONE, truncated, trailing bytes */
	put_le16(buf + 10, 0);
	assert_int_equal(cephc_crypto_key_from_bytes(&k, buf, 12),
			 CEPHC_EINVAL);
	put_le16(buf + 10, 8);
	assert_int_equal(cephc_crypto_key_from_bytes(&k, buf, 20),
			 CEPHC_EINVAL);
	put_le16(buf + 10, 33);
	assert_int_equal(cephc_crypto_key_from_bytes(&k, buf, 45),
			 CEPHC_ETOOBIG);
	put_le16(buf + 10, 0xffff);
	assert_int_equal(cephc_crypto_key_from_bytes(&k, buf, 64),
			 CEPHC_ETOOBIG);
	put_le16(buf + 10, 16);
	put_le16(buf, 0);
	assert_int_equal(cephc_crypto_key_from_bytes(&k, buf, 28),
			 CEPHC_EOPNOTSUPP);
	put_le16(buf, 1);
	assert_int_equal(cephc_crypto_key_from_bytes(&k, buf, 27),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_crypto_key_from_bytes(&k, buf, 29),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_crypto_key_from_bytes(&k, buf, 28), 0);
	/* a 32-byte secret is accepted (AES-128 uses the first 16) */
	put_le16(buf + 10, 32);
	assert_int_equal(cephc_crypto_key_from_bytes(&k, buf, 44), 0);
	/* base64 junk */
	assert_int_equal(cephc_crypto_key_from_base64(&k, "AQ*="),
			 CEPHC_EINVAL);
	assert_int_equal(cephc_crypto_key_from_base64(&k, "AQC"), CEPHC_EINVAL);
	assert_int_equal(cephc_crypto_key_from_base64(&k, ""), CEPHC_EINVAL);
	assert_int_equal(cephc_crypto_key_from_base64(&k, "AAAA"),
			 CEPHC_EDECODE);
}

static void test_cephx_envelope_round_trip(void **state)
{
	struct cephc_crypto_key k, wrong;
	struct cephc_auth_buf b;
	struct cephx_plain pl;
	struct cephc_dec d;
	uint8_t plain[64];
	size_t n;

	(void)state;
	test_key(&k);
	cephc_auth_buf_init(&b);
	assert_int_equal(cephx_encrypt(&k, "payload!", 8, &b), 0);
	/* le32 len + AES(1 + magic + 8 bytes = 17 -> 32) */
	assert_int_equal(b.len, 36);
	assert_int_equal(get_le32(b.data), 32);
	/* The plaintext really is u8 1 + magic + payload. */
	assert_int_equal(cephc_aes_cbc_decrypt(&k, b.data + 4, 32, plain, &n),
			 0);
	assert_int_equal(n, 17);
	assert_int_equal(plain[0], 1);
	assert_true(get_le64(plain + 1) == CEPHX_ENC_MAGIC);
	assert_memory_equal(plain + 9, "payload!", 8);

	dec_init(&d, b.data, b.len);
	assert_int_equal(cephx_decrypt(&k, &d, &pl), 0);
	assert_int_equal(pl.len, 8);
	assert_memory_equal(pl.p, "payload!", 8);
	assert_int_equal(dec_left(&d), 0);
	cephx_plain_free(&pl);

	/* wrong key */
	test_key(&wrong);
	wrong.secret[15] ^= 1;
	dec_init(&d, b.data, b.len);
	assert_int_equal(cephx_decrypt(&wrong, &d, &pl), CEPHC_EBADAUTH);
	assert_int_equal(d.err, CEPHC_EBADAUTH);
	/* truncated ciphertext, and a length past the end */
	dec_init(&d, b.data, b.len - 1);
	assert_int_equal(cephx_decrypt(&k, &d, &pl), CEPHC_EDECODE);
	put_le32(b.data, 0x7fffffff);
	dec_init(&d, b.data, b.len);
	assert_int_equal(cephx_decrypt(&k, &d, &pl), CEPHC_ETOOBIG);
	put_le32(b.data, 31);
	dec_init(&d, b.data, b.len);
	assert_int_equal(cephx_decrypt(&k, &d, &pl), CEPHC_EDECODE);

	/* valid AES, wrong magic */
	memcpy(plain,
	       "\x01"
	       "abcdefgh"
	       "payload!",
	       17);
	cephc_auth_buf_reset(&b);
	cephc_auth_buf_le32(&b, 32);
	cephc_aes_cbc_encrypt(&k, plain, 17, cephc_auth_buf_reserve(&b, 32),
			      &n);
	dec_init(&d, b.data, b.len);
	assert_int_equal(cephx_decrypt(&k, &d, &pl), CEPHC_EBADAUTH);

	/* enc_bl form: no prefix */
	cephc_auth_buf_reset(&b);
	assert_int_equal(cephx_encrypt_enc_bl(&k, "xy", 2, &b), 0);
	assert_int_equal(b.len, 16);
	assert_int_equal(cephx_decrypt_enc_bl(&k, b.data, b.len, &pl), 0);
	assert_int_equal(pl.len, 2);
	cephx_plain_free(&pl);
	cephc_auth_buf_free(&b);
}

static void test_key_proof_includes_length_prefix(void **state)
{
	struct cephc_crypto_key k;
	uint64_t proof;

	(void)state;
	test_key(&k);
	assert_int_equal(cephx_key_proof(&k, 0x1122334455667788ull,
					 0x99aabbccddeeff00ull, &proof),
			 0);
	assert_true(proof == 0x4fadd85010bcad18ull);
}

static void test_signature_formulas(void **state)
{
	const struct cephc_msg_sig_input m = {
	    .header_crc = 0x11111111,
	    .front_crc = 0x22222222,
	    .front_len = 100,
	    .middle_crc = 0x33333333,
	    .middle_len = 0,
	    .data_crc = 0x44444444,
	    .data_len = 4096,
	    .seq = 7 | (1ull << 40), /* only the low 32 bits count */
	};
	struct cephc_crypto_key k;
	uint64_t sig;

	(void)state;
	test_key(&k);
	assert_int_equal(cephx_calc_signature(&k, true, &m, &sig), 0);
	assert_true(sig == 0xaf2ee4d1dcd35edeull);
	assert_int_equal(cephx_calc_signature(&k, false, &m, &sig), 0);
	assert_true(sig == 0xef0eef4808b52eadull);
}

/* The hot-path context chains CBC itself: same bytes as the one-shot CBC
 * (whose PKCS#7 padding only adds a trailing block), call after call. */
static void test_aes_ctx_matches_cbc(void **state)
{
	struct cephc_crypto_key k;
	struct cephc_aes_ctx c;
	uint8_t in[64], a[64], b[80];
	size_t blen = 0;

	(void)state;
	test_key(&k);
	for (int i = 0; i < 64; i++)
		in[i] = (uint8_t)(i * 37 + 1);
	assert_int_equal(cephc_aes_ctx_init(&c, &k), 0);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(cephc_aes_ctx_encrypt_blocks(&c, in, 64, a), 0);
		assert_int_equal(cephc_aes_cbc_encrypt(&k, in, 64, b, &blen), 0);
		assert_int_equal(blen, 80);
		assert_memory_equal(a, b, 64);
		in[round] ^= 0x5a;
	}
	assert_int_equal(cephc_aes_ctx_encrypt_blocks(&c, in, 15, a),
			 CEPHC_EINVAL);
	cephc_aes_ctx_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_aes_cbc_fixed_iv_known_answers),
	    cmocka_unit_test(
		test_aes_cbc_decrypt_rejects_bad_lengths_and_padding),
	    cmocka_unit_test(test_hmac_sha256_rfc4231),
	    cmocka_unit_test(test_key_from_ceph_authtool_base64),
	    cmocka_unit_test(test_key_decode_bad_inputs),
	    cmocka_unit_test(test_cephx_envelope_round_trip),
	    cmocka_unit_test(test_key_proof_includes_length_prefix),
	    cmocka_unit_test(test_signature_formulas),
	    cmocka_unit_test(test_aes_ctx_matches_cbc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
