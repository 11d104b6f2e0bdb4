/* SPDX-License-Identifier: MIT */
/*
 * cephx reply handlers on arbitrary bytes.  The first input byte picks the
 * entry point; the rest is the peer's data.  Modes 0-3 feed raw wire bytes
 * (seeds are valid replies under the fixed keys below, so mutations reach
 * past decryption); modes 4-6 encrypt part of the input themselves so the
 * fuzzer explores the decrypted structures directly.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "auth/auth.h"
#include "auth/cephx.h"
#include "core/decode.h"
#include "core/encode.h"
#include "core/log.h"

/* Fixed keys shared with the seed corpus. */
static void fuzz_key(struct cephc_crypto_key *k, uint8_t seed)
{
	int i;

	memset(k, 0, sizeof(*k));
	k->type = CEPHC_CRYPTO_AES;
	k->len = 16;
	for (i = 0; i < 16; i++)
		k->secret[i] = (uint8_t)(seed * 31 + i * 7);
}

/* A client that sent GET_AUTH_SESSION_KEY after challenge 0x1111... */
static struct cephc_auth *awaiting_client(void)
{
	struct cephc_crypto_key secret;
	struct cephc_auth_params p = {
	    .name_type = CEPHC_ENTITY_CLIENT,
	    .name_id = "admin",
	    .secret = &secret,
	};
	uint8_t ch[9] = {1, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11};
	struct cephc_auth_buf b;
	struct cephc_auth *a;

	fuzz_key(&secret, 1);
	a = cephc_auth_create(&p);
	if (!a)
		return NULL;
	cephc_auth_buf_init(&b);
	cephc_auth_build_hello(a, &b);
	cephc_auth_handle_reply(a, CEPHC_AUTH_CEPHX, 0, 4242, ch, sizeof(ch),
				1000);
	cephc_auth_buf_reset(&b);
	cephc_auth_build_request(a, 1000, &b);
	cephc_auth_buf_free(&b);
	return a;
}

static struct cephc_authorizer *fuzz_authorizer(void)
{
	struct cephx_ticket t;
	struct cephc_authorizer *au = NULL;

	memset(&t, 0, sizeof(t));
	t.service = CEPHC_ENTITY_OSD;
	fuzz_key(&t.session_key, 2);
	t.secret_id = 9;
	t.blob = (uint8_t *)"opaque-ticket";
	t.blob_len = 13;
	cephx_build_authorizer(&t, 4242, &au);
	return au;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cephc_crypto_key key;
	struct cephc_authorizer *au;
	struct cephc_auth_buf b;
	struct cephx_state xs;
	struct cephc_auth *a;
	struct cephc_dec d;
	size_t n;

	/* Rejections log warnings; keep the fuzzer quiet and fast. */
	cephc_log_threshold = CEPHC_LOG_ERROR;
	if (size < 1)
		return 0;
	fuzz_key(&key, 2);
	switch (data[0] % 8) {
	case 0: /* GET_AUTH_SESSION_KEY reply payload */
		a = awaiting_client();
		if (a) {
			cephc_auth_handle_reply(a, CEPHC_AUTH_CEPHX, 0, 4242,
						data + 1, size - 1, 2000);
			cephc_auth_buf_init(&b);
			cephc_auth_build_request(a, 3000, &b);
			cephc_auth_buf_free(&b);
			cephc_auth_destroy(a);
		}
		break;
	case 1: /* a ticket reply keyed with a session key */
	case 4: /* ... whose first session blob we encrypt ourselves */
		memset(&xs, 0, sizeof(xs));
		cephc_auth_buf_init(&b);
		if (data[0] % 8 == 4 && size > 2) {
			n = data[1] < size - 2 ? data[1] : size - 2;
			cephc_auth_buf_u8(&b, 1);
			cephc_auth_buf_le32(&b, 1);
			cephc_auth_buf_le32(&b, CEPHC_ENTITY_OSD);
			cephc_auth_buf_u8(&b, 1);
			cephx_encrypt(&key, data + 2, n, &b);
			cephc_auth_buf_bytes(&b, data + 2 + n, size - 2 - n);
		} else {
			cephc_auth_buf_bytes(&b, data + 1, size - 1);
		}
		dec_init(&d, b.data, b.len);
		cephx_process_ticket_reply(&xs, &key, &d, 1000);
		cephx_state_clear(&xs);
		cephc_auth_buf_free(&b);
		break;
	case 2: /* authorizer challenge, raw */
	case 3: /* authorizer reply, raw */
	case 5: /* authorizer reply plaintext */
	case 6: /* challenge plaintext */
		au = fuzz_authorizer();
		if (!au)
			break;
		cephc_auth_buf_init(&b);
		if (data[0] % 8 == 5)
			cephx_encrypt(&key, data + 1, size - 1, &b);
		else if (data[0] % 8 == 6)
			cephx_encrypt_enc_bl(&key, data + 1, size - 1, &b);
		else
			cephc_auth_buf_bytes(&b, data + 1, size - 1);
		if (data[0] % 8 == 2 || data[0] % 8 == 6)
			cephc_authorizer_handle_challenge(au, b.data, b.len);
		else
			cephc_authorizer_verify_reply(au, b.data, b.len);
		cephc_auth_buf_free(&b);
		cephc_authorizer_destroy(au);
		break;
	case 7: /* MAuthReply fields + payload right after the hello */
		a = awaiting_client();
		if (a && size >= 6) {
			cephc_auth_reset(a);
			cephc_auth_buf_init(&b);
			cephc_auth_build_hello(a, &b);
			cephc_auth_buf_free(&b);
			cephc_auth_handle_reply(
			    a, data[1], (int32_t)get_le32(data + 2), data[1],
			    data + 6, size - 6, 1000);
		}
		cephc_auth_destroy(a);
		break;
	}
	return 0;
}
