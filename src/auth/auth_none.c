/* SPDX-License-Identifier: MIT */
/*
 * Auth "none" for bring-up clusters (auth_*_required = none): the mon's
 * reply to the hello completes the handshake, there are no tickets, and
 * the "authorizer" is only u8 1, EntityName, le64 global_id (protocol-map
 * 5.8).  Nothing is signed.
 */
#include "auth/auth.h"

#include "core/alloc.h"

struct none_state {
	bool authenticated;
};

static int none_init(struct cephc_auth *a)
{
	a->priv = cephc_calloc(1, sizeof(struct none_state));
	return a->priv ? 0 : CEPHC_ENOMEM;
}

static void none_destroy(struct cephc_auth *a)
{
	cephc_free(a->priv);
	a->priv = NULL;
}

static void none_reset(struct cephc_auth *a)
{
	((struct none_state *)a->priv)->authenticated = false;
}

static int none_build_request(struct cephc_auth *a, uint64_t now_ms,
			      struct cephc_auth_buf *out)
{
	return 0; /* nothing beyond the hello */
}

static int none_handle_reply(struct cephc_auth *a, const uint8_t *payload,
			     size_t len, uint64_t now_ms)
{
	((struct none_state *)a->priv)->authenticated = true;
	return CEPHC_AUTH_DONE;
}

static bool none_is_authenticated(struct cephc_auth *a, uint64_t now_ms)
{
	return ((struct none_state *)a->priv)->authenticated;
}

static bool none_holds_auth_ticket(struct cephc_auth *a)
{
	(void)a;
	return true; /* the none method proves nothing; the mon asks nothing */
}

static bool none_should_authenticate(struct cephc_auth *a, uint64_t now_ms)
{
	return !none_is_authenticated(a, now_ms);
}

static uint64_t none_renew_deadline(struct cephc_auth *a)
{
	return UINT64_MAX;
}

static void none_invalidate(struct cephc_auth *a, uint32_t service)
{
}

static int none_get_authorizer(struct cephc_auth *a, uint32_t service,
			       struct cephc_authorizer **out)
{
	struct cephc_authorizer *au = cephc_calloc(1, sizeof(*au));
	int err;

	*out = NULL;
	if (!au)
		return CEPHC_ENOMEM;
	au->ops = &cephc_auth_none_ops;
	au->protocol = CEPHC_AUTH_NONE;
	au->service = service;
	cephc_auth_buf_init(&au->buf);
	cephc_auth_buf_init(&au->connection_secret);
	cephc_auth_buf_u8(&au->buf, 1);
	cephc_auth_encode_entity_name(&au->buf, a->name_type, a->name_id);
	cephc_auth_buf_le64(&au->buf, a->global_id);
	err = au->buf.err;
	if (err) {
		cephc_auth_buf_free(&au->buf);
		cephc_free(au);
		return err;
	}
	au->base_len = au->buf.len;
	*out = au;
	return 0;
}

static int none_handle_challenge(struct cephc_authorizer *au, const uint8_t *p,
				 size_t len)
{
	return CEPHC_EOPNOTSUPP; /* only cephx challenges */
}

static int none_verify_reply(struct cephc_authorizer *au, const uint8_t *p,
			     size_t len)
{
	return 0;
}

static int none_sign(const struct cephc_authorizer *au, uint64_t peer_features,
		     const struct cephc_msg_sig_input *m, uint64_t *sig)
{
	*sig = 0;
	return 0;
}

static int none_check(const struct cephc_authorizer *au, uint64_t peer_features,
		      const struct cephc_msg_sig_input *m, uint64_t sig)
{
	return 0;
}

static void none_destroy_authorizer(struct cephc_authorizer *au)
{
	cephc_auth_buf_free(&au->buf);
	cephc_auth_buf_free(&au->connection_secret);
	cephc_free(au);
}

const struct cephc_auth_ops cephc_auth_none_ops = {
    .name = "none",
    .protocol = CEPHC_AUTH_NONE,
    .init = none_init,
    .destroy = none_destroy,
    .reset = none_reset,
    .build_request = none_build_request,
    .handle_reply = none_handle_reply,
    .is_authenticated = none_is_authenticated,
    .holds_auth_ticket = none_holds_auth_ticket,
    .should_authenticate = none_should_authenticate,
    .renew_deadline = none_renew_deadline,
    .invalidate = none_invalidate,
    .get_authorizer = none_get_authorizer,
    .handle_authorizer_challenge = none_handle_challenge,
    .verify_authorizer_reply = none_verify_reply,
    .sign_message = none_sign,
    .check_message_signature = none_check,
    .destroy_authorizer = none_destroy_authorizer,
};
