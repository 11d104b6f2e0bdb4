/* SPDX-License-Identifier: MIT */
/*
 * Method-independent part of client auth: the hello, protocol negotiation,
 * MAuthReply result and global_id checks, and the dispatch into the chosen
 * method's ops table.
 */
#include "auth/auth.h"

#include <string.h>

#include "core/alloc.h"
#include "core/log.h"

#define SUBSYS "auth"
#define ALLOWED_DEFAULT ((1u << CEPHC_AUTH_NONE) | (1u << CEPHC_AUTH_CEPHX))

static const struct cephc_auth_ops *ops_for(uint32_t protocol)
{
	switch (protocol) {
	case CEPHC_AUTH_NONE:
		return &cephc_auth_none_ops;
	case CEPHC_AUTH_CEPHX:
		return &cephc_auth_cephx_ops;
	}
	return NULL;
}

void cephc_auth_encode_entity_name(struct cephc_auth_buf *out, uint32_t type,
				   const char *id)
{
	cephc_auth_buf_le32(out, type);
	cephc_auth_buf_blob(out, id, strlen(id));
}

struct cephc_auth *cephc_auth_create(const struct cephc_auth_params *params)
{
	struct cephc_auth *a;
	uint32_t allowed = params->allowed ? params->allowed : ALLOWED_DEFAULT;

	if (!params->name_id || !params->name_id[0] ||
	    strlen(params->name_id) > CEPHC_AUTH_NAME_MAX)
		return NULL;
	if (allowed & ~ALLOWED_DEFAULT)
		return NULL;
	/* Without a secret cephx cannot work; drop it from the offer. */
	if (!params->secret)
		allowed &= ~(1u << CEPHC_AUTH_CEPHX);
	if (!allowed)
		return NULL;
	a = cephc_calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->name_id = cephc_strdup(params->name_id);
	if (!a->name_id) {
		cephc_free(a);
		return NULL;
	}
	a->allowed = allowed;
	a->name_type = params->name_type;
	a->global_id = params->global_id;
	/* AUTH is always wanted: it is the ticket that gets the others. */
	a->want_keys =
	    (params->want_keys
		 ? params->want_keys
		 : CEPHC_ENTITY_MON | CEPHC_ENTITY_OSD | CEPHC_ENTITY_MGR) |
	    CEPHC_ENTITY_AUTH;
	if (params->secret) {
		a->secret = *params->secret;
		a->have_secret = true;
	}
	return a;
}

void cephc_auth_destroy(struct cephc_auth *a)
{
	if (!a)
		return;
	if (a->ops)
		a->ops->destroy(a);
	cephc_crypto_key_wipe(&a->secret);
	cephc_free(a->name_id);
	cephc_free(a);
}

void cephc_auth_reset(struct cephc_auth *a)
{
	a->negotiating = false;
	a->in_handshake = false;
	a->pending_global_id = 0;
	if (a->ops)
		a->ops->reset(a);
}

void cephc_auth_forget_identity(struct cephc_auth *a)
{
	cephc_auth_reset(a);
	if (a->ops) {
		a->ops->destroy(a);
		a->ops = NULL;
	}
	a->global_id = 0;
}

/* The handshake's id becomes ours once the method can prove it. */
static void commit_global_id(struct cephc_auth *a)
{
	if (a->pending_global_id && a->ops && a->ops->holds_auth_ticket(a)) {
		a->global_id = a->pending_global_id;
		a->pending_global_id = 0;
	}
}

int cephc_auth_build_hello(struct cephc_auth *a, struct cephc_auth_buf *out)
{
	uint32_t n = 0;

	cephc_auth_reset(a);
	/* u8 struct_v 1, then the methods we accept, preferred first. */
	cephc_auth_buf_u8(out, 1);
	n = !!(a->allowed & (1u << CEPHC_AUTH_CEPHX)) +
	    !!(a->allowed & (1u << CEPHC_AUTH_NONE));
	cephc_auth_buf_le32(out, n);
	if (a->allowed & (1u << CEPHC_AUTH_CEPHX))
		cephc_auth_buf_le32(out, CEPHC_AUTH_CEPHX);
	if (a->allowed & (1u << CEPHC_AUTH_NONE))
		cephc_auth_buf_le32(out, CEPHC_AUTH_NONE);
	cephc_auth_encode_entity_name(out, a->name_type, a->name_id);
	/* Non-zero on reconnect: the mon may let us keep it (reclaim). */
	cephc_auth_buf_le64(out, a->global_id);
	if (out->err)
		return out->err;
	a->negotiating = true;
	a->in_handshake = true;
	return 0;
}

/* Install the method the mon chose; keeps state if it is unchanged. */
static int select_method(struct cephc_auth *a, uint32_t protocol)
{
	const struct cephc_auth_ops *ops = ops_for(protocol);
	int err;

	if (!ops || protocol >= 32 || !(a->allowed & (1u << protocol))) {
		log_warn(SUBSYS, "mon chose auth protocol %u, not offered",
			 protocol);
		return CEPHC_EPROTO;
	}
	if (a->ops == ops) {
		ops->reset(a);
		return 0;
	}
	if (a->ops) {
		a->ops->destroy(a);
		a->ops = NULL;
	}
	err = ops->init(a);
	if (err)
		return err;
	a->ops = ops;
	log_debug(SUBSYS, "using auth method %s", ops->name);
	return 0;
}

/* A refusal from the mon: errno-like results pass through as they are. */
static int map_result(int32_t result)
{
	return result >= -4095 ? result : CEPHC_EBADAUTH;
}

int cephc_auth_handle_reply(struct cephc_auth *a, uint32_t protocol,
			    int32_t result, uint64_t global_id,
			    const void *payload, size_t len, uint64_t now_ms)
{
	int err;

	if (result > 0) {
		log_warn(SUBSYS, "MAuthReply with positive result %d", result);
		return CEPHC_EPROTO;
	}
	if (a->negotiating) {
		/* Protocol 0 + error: the mon supports none of ours. */
		if (protocol == CEPHC_AUTH_UNKNOWN)
			return result < 0 ? map_result(result) : CEPHC_EPROTO;
		err = select_method(a, protocol);
		if (err)
			return err;
		a->negotiating = false;
	} else if (!a->ops || protocol != a->ops->protocol) {
		log_warn(SUBSYS, "MAuthReply protocol %u, expected %u",
			 protocol, a->ops ? a->ops->protocol : 0);
		return CEPHC_EPROTO;
	}
	if (result < 0) {
		log_info(SUBSYS, "mon refused authentication: %d", result);
		return map_result(result);
	}

	/* global_id: the first reply of a handshake may assign or confirm
	 * it; after that it must not move. */
	if (global_id && a->in_handshake) {
		if (a->global_id && global_id != a->global_id) {
			/* Not reclaimed: our tickets name the old id, so
			 * start the method over with no tickets at all. */
			log_info(SUBSYS, "new global_id %llu (was %llu)",
				 (unsigned long long)global_id,
				 (unsigned long long)a->global_id);
			a->ops->destroy(a);
			a->global_id = 0;
			err = a->ops->init(a);
			if (err) {
				a->ops = NULL;
				return err;
			}
		}
		a->pending_global_id = global_id;
		a->in_handshake = false; /* pinned from now on */
	} else if (global_id &&
		   global_id != (a->pending_global_id ? a->pending_global_id
						      : a->global_id)) {
		log_warn(SUBSYS, "global_id changed %llu -> %llu",
			 (unsigned long long)(a->pending_global_id
						  ? a->pending_global_id
						  : a->global_id),
			 (unsigned long long)global_id);
		return CEPHC_EPROTO;
	}

	err = a->ops->handle_reply(a, payload, len, now_ms);
	if (err >= 0)
		commit_global_id(a);
	if (err == CEPHC_AUTH_DONE && !a->global_id) {
		log_warn(SUBSYS, "authenticated without a global_id");
		return CEPHC_EPROTO;
	}
	return err;
}

int cephc_auth_msgr2_start(struct cephc_auth *a, struct cephc_auth_buf *out)
{
	return cephc_auth_msgr2_start_among(a, ~0u, out);
}

int cephc_auth_msgr2_start_among(struct cephc_auth *a, uint32_t peer_allowed,
				 struct cephc_auth_buf *out)
{
	uint32_t both = a->allowed & peer_allowed;
	uint32_t protocol;
	int err;

	if (a->have_secret && (both & (1u << CEPHC_AUTH_CEPHX)))
		protocol = CEPHC_AUTH_CEPHX;
	else if (both & (1u << CEPHC_AUTH_NONE))
		protocol = CEPHC_AUTH_NONE;
	else
		return CEPHC_EBADAUTH; /* no method both sides accept */

	cephc_auth_reset(a);
	/* No negotiation round: we name the method, the mon accepts it or
	 * answers AUTH_BAD_METHOD (the messenger's business). */
	err = select_method(a, protocol);
	if (err)
		return err;
	cephc_auth_buf_u8(out, CEPHC_AUTH_MODE_MON);
	cephc_auth_encode_entity_name(out, a->name_type, a->name_id);
	cephc_auth_buf_le64(out, a->global_id);
	if (out->err)
		return out->err;
	a->in_handshake = true;
	return 0;
}

int cephc_auth_msgr2_handle_more(struct cephc_auth *a, const void *payload,
				 size_t len, uint64_t now_ms,
				 struct cephc_auth_buf *out)
{
	int err;

	if (!a->ops || a->negotiating)
		return CEPHC_EINVAL;
	err = a->ops->handle_reply(a, payload, len, now_ms);
	if (err < 0)
		return err;
	if (err != CEPHC_AUTH_MORE)
		return CEPHC_EPROTO; /* nothing more to say, yet asked */
	return a->ops->build_request(a, now_ms, out);
}

int cephc_auth_msgr2_handle_done(struct cephc_auth *a, uint64_t global_id,
				 const void *payload, size_t len,
				 uint64_t now_ms)
{
	int err;

	if (!a->ops || a->negotiating)
		return CEPHC_EINVAL;
	if (!global_id)
		return CEPHC_EPROTO;
	if (global_id != a->global_id) {
		/* msgr2 has no earlier reply to carry the id. */
		if (a->global_id && !a->in_handshake)
			return CEPHC_EPROTO;
		if (a->global_id) {
			log_info(SUBSYS, "new global_id %llu (was %llu)",
				 (unsigned long long)global_id,
				 (unsigned long long)a->global_id);
		}
		a->global_id = global_id;
	}
	a->in_handshake = false;
	err = a->ops->handle_reply(a, payload, len, now_ms);
	if (err < 0)
		return err;
	/* MORE here only means service tickets are still to be fetched. */
	if (a->ops->protocol == CEPHC_AUTH_CEPHX) {
		const struct cephc_crypto_key *k;

		return cephc_auth_session_key(a, &k) ? CEPHC_EPROTO : 0;
	}
	return 0;
}

int cephc_auth_build_request(struct cephc_auth *a, uint64_t now_ms,
			     struct cephc_auth_buf *out)
{
	if (a->negotiating || !a->ops)
		return CEPHC_EINVAL;
	return a->ops->build_request(a, now_ms, out);
}

uint32_t cephc_auth_protocol(const struct cephc_auth *a)
{
	return a->ops ? a->ops->protocol : CEPHC_AUTH_UNKNOWN;
}

uint64_t cephc_auth_global_id(const struct cephc_auth *a)
{
	return a->global_id;
}

bool cephc_auth_is_authenticated(struct cephc_auth *a, uint64_t now_ms)
{
	return a->ops && !a->negotiating && a->ops->is_authenticated(a, now_ms);
}

bool cephc_auth_should_authenticate(struct cephc_auth *a, uint64_t now_ms)
{
	return !a->ops || a->ops->should_authenticate(a, now_ms);
}

uint64_t cephc_auth_renew_deadline(struct cephc_auth *a)
{
	return a->ops ? a->ops->renew_deadline(a) : UINT64_MAX;
}

void cephc_auth_invalidate(struct cephc_auth *a, uint32_t service)
{
	if (a->ops)
		a->ops->invalidate(a, service);
}

int cephc_auth_get_authorizer(struct cephc_auth *a, uint32_t service,
			      struct cephc_authorizer **out)
{
	*out = NULL;
	if (!a->ops)
		return CEPHC_EINVAL;
	return a->ops->get_authorizer(a, service, out);
}

int cephc_authorizer_handle_challenge(struct cephc_authorizer *au,
				      const void *p, size_t len)
{
	return au->ops->handle_authorizer_challenge(au, p, len);
}

int cephc_authorizer_verify_reply(struct cephc_authorizer *au, const void *p,
				  size_t len)
{
	return au->ops->verify_authorizer_reply(au, p, len);
}

int cephc_authorizer_sign(const struct cephc_authorizer *au,
			  uint64_t peer_features,
			  const struct cephc_msg_sig_input *m, uint64_t *sig)
{
	return au->ops->sign_message(au, peer_features, m, sig);
}

int cephc_authorizer_check(const struct cephc_authorizer *au,
			   uint64_t peer_features,
			   const struct cephc_msg_sig_input *m, uint64_t sig)
{
	return au->ops->check_message_signature(au, peer_features, m, sig);
}

void cephc_authorizer_destroy(struct cephc_authorizer *au)
{
	if (au)
		au->ops->destroy_authorizer(au);
}

int cephc_auth_session_key(struct cephc_auth *a,
			   const struct cephc_crypto_key **key)
{
	*key = NULL;
	if (!a->ops || !a->ops->session_key)
		return CEPHC_EOPNOTSUPP;
	return a->ops->session_key(a, key);
}

int cephc_auth_connection_secret(struct cephc_auth *a, const uint8_t **p,
				 size_t *len)
{
	*p = NULL;
	*len = 0;
	if (!a->ops || !a->ops->connection_secret)
		return CEPHC_EOPNOTSUPP;
	return a->ops->connection_secret(a, p, len);
}
