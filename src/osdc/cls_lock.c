/* SPDX-License-Identifier: MIT */
/* cls "lock" encodings (cls_lock.h). */
#include "osdc/cls_lock.h"

#include <string.h>

#include "core/decode.h"
#include "core/encode.h"

#define ENV_LEN 6

/* strlen of an optional string, or SIZE_MAX when it is over the limit. */
static size_t opt_len(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n > CEPHC_CLS_LOCK_STR_MAX ? SIZE_MAX : n;
}

/* Length of a required, non-empty string; SIZE_MAX when unusable. */
static size_t req_len(const char *s)
{
	return s && *s ? opt_len(s) : SIZE_MAX;
}

static void enc_opt(struct cephc_enc *e, const char *s)
{
	enc_blob(e, s, (uint32_t)(s ? strlen(s) : 0));
}

/* Finish an input: close the envelope, report length or error. */
static int finish(struct cephc_enc *e, size_t env, size_t *len)
{
	enc_envelope_end(e, env);
	if (e->err)
		return e->err;
	*len = enc_len(e);
	return 0;
}

size_t cephc_cls_lock_lock_len(const struct cephc_cls_lock_args *a)
{
	size_t n = req_len(a->name), c = opt_len(a->cookie);
	size_t t = opt_len(a->tag), d = opt_len(a->description);

	if (n == SIZE_MAX || c == SIZE_MAX || t == SIZE_MAX || d == SIZE_MAX)
		return 0;
	return ENV_LEN + 4 + n + 1 + 4 + c + 4 + t + 4 + d + 8 + 1;
}

int cephc_cls_lock_encode_lock(const struct cephc_cls_lock_args *a, void *buf,
			       size_t cap, size_t *len)
{
	struct cephc_enc e;
	size_t env;

	if (!cephc_cls_lock_lock_len(a) ||
	    (a->type != CEPHC_CLS_LOCK_EXCLUSIVE &&
	     a->type != CEPHC_CLS_LOCK_SHARED))
		return CEPHC_EINVAL;
	enc_init(&e, buf, cap);
	env = enc_envelope_begin(&e, 1, 1);
	enc_opt(&e, a->name);
	enc_u8(&e, a->type);
	enc_opt(&e, a->cookie);
	enc_opt(&e, a->tag);
	enc_opt(&e, a->description);
	enc_le32(&e, a->duration_sec); /* utime_t duration */
	enc_le32(&e, a->duration_nsec);
	enc_u8(&e, a->flags);
	return finish(&e, env, len);
}

size_t cephc_cls_lock_unlock_len(const char *name, const char *cookie)
{
	size_t n = req_len(name), c = opt_len(cookie);

	if (n == SIZE_MAX || c == SIZE_MAX)
		return 0;
	return ENV_LEN + 4 + n + 4 + c;
}

int cephc_cls_lock_encode_unlock(const char *name, const char *cookie,
				 void *buf, size_t cap, size_t *len)
{
	struct cephc_enc e;
	size_t env;

	if (!cephc_cls_lock_unlock_len(name, cookie))
		return CEPHC_EINVAL;
	enc_init(&e, buf, cap);
	env = enc_envelope_begin(&e, 1, 1);
	enc_opt(&e, name);
	enc_opt(&e, cookie);
	return finish(&e, env, len);
}

size_t cephc_cls_lock_break_len(const char *name, const char *cookie)
{
	size_t n = cephc_cls_lock_unlock_len(name, cookie);

	return n ? n + 9 : 0; /* + entity_name_t */
}

int cephc_cls_lock_encode_break(const char *name,
				const struct cephc_entity_name *locker,
				const char *cookie, void *buf, size_t cap,
				size_t *len)
{
	struct cephc_enc e;
	size_t env;

	if (!cephc_cls_lock_break_len(name, cookie) || !locker)
		return CEPHC_EINVAL;
	enc_init(&e, buf, cap);
	env = enc_envelope_begin(&e, 1, 1);
	enc_opt(&e, name);
	cephc_entity_name_encode(&e, locker);
	enc_opt(&e, cookie);
	return finish(&e, env, len);
}

size_t cephc_cls_lock_get_info_len(const char *name)
{
	size_t n = req_len(name);

	return n == SIZE_MAX ? 0 : ENV_LEN + 4 + n;
}

int cephc_cls_lock_encode_get_info(const char *name, void *buf, size_t cap,
				   size_t *len)
{
	struct cephc_enc e;
	size_t env;

	if (!cephc_cls_lock_get_info_len(name))
		return CEPHC_EINVAL;
	enc_init(&e, buf, cap);
	env = enc_envelope_begin(&e, 1, 1);
	enc_opt(&e, name);
	return finish(&e, env, len);
}

size_t cephc_cls_lock_assert_len(const struct cephc_cls_lock_args *a)
{
	size_t n = req_len(a->name), c = opt_len(a->cookie);
	size_t t = opt_len(a->tag);

	if (n == SIZE_MAX || c == SIZE_MAX || t == SIZE_MAX)
		return 0;
	return ENV_LEN + 4 + n + 1 + 4 + c + 4 + t;
}

int cephc_cls_lock_encode_assert(const struct cephc_cls_lock_args *a, void *buf,
				 size_t cap, size_t *len)
{
	struct cephc_enc e;
	size_t env;

	if (!cephc_cls_lock_assert_len(a))
		return CEPHC_EINVAL;
	enc_init(&e, buf, cap);
	env = enc_envelope_begin(&e, 1, 1);
	enc_opt(&e, a->name);
	enc_u8(&e, a->type);
	enc_opt(&e, a->cookie);
	enc_opt(&e, a->tag);
	return finish(&e, env, len);
}

/* set_cookie: the assert fields, then the cookie to change to. */
int cephc_cls_lock_encode_set_cookie(const struct cephc_cls_lock_args *a,
				     const char *new_cookie, void *buf,
				     size_t cap, size_t *len)
{
	struct cephc_enc e;
	size_t env;

	if (!cephc_cls_lock_assert_len(a) || opt_len(new_cookie) == SIZE_MAX ||
	    !new_cookie)
		return CEPHC_EINVAL;
	enc_init(&e, buf, cap);
	env = enc_envelope_begin(&e, 1, 1);
	enc_opt(&e, a->name);
	enc_u8(&e, a->type);
	enc_opt(&e, a->cookie);
	enc_opt(&e, a->tag);
	enc_opt(&e, new_cookie);
	return finish(&e, env, len);
}

/* locker_id_t v1: entity_name_t, string cookie. */
static void dec_locker_id(struct cephc_dec *d, struct cephc_cls_locker *l)
{
	struct cephc_dec b;

	if (dec_envelope(d, 1, NULL, &b))
		return;
	cephc_entity_name_decode(&b, &l->name);
	l->cookie = dec_blob(&b, &l->cookie_len, CEPHC_CLS_LOCK_STR_MAX);
	dec_envelope_end(d, &b);
}

/* locker_info_t v1: utime expiration, entity_addr_t, string description. */
static void dec_locker_info(struct cephc_dec *d, struct cephc_cls_locker *l)
{
	struct cephc_dec b;

	if (dec_envelope(d, 1, NULL, &b))
		return;
	l->expiration_sec = dec_le32(&b);
	l->expiration_nsec = dec_le32(&b);
	if (!b.err)
		cephc_addr_decode(&b, &l->addr);
	l->description =
	    dec_blob(&b, &l->description_len, CEPHC_CLS_LOCK_STR_MAX);
	dec_envelope_end(d, &b);
}

int cephc_cls_lock_decode_info(const void *p, size_t len,
			       struct cephc_cls_lock_info *info)
{
	struct cephc_dec d, b;
	uint32_t i;

	memset(info, 0, sizeof(*info));
	dec_init(&d, p, len);
	if (dec_envelope(&d, 1, NULL, &b))
		return d.err;
	/* Each locker: two envelopes (12) + name (9) + 3 lengths at least. */
	info->num_lockers = dec_count(&b, CEPHC_CLS_LOCK_MAX_LOCKERS, 33);
	for (i = 0; i < info->num_lockers && !b.err; i++) {
		dec_locker_id(&b, &info->lockers[i]);
		dec_locker_info(&b, &info->lockers[i]);
	}
	info->type = dec_u8(&b);
	info->tag = dec_blob(&b, &info->tag_len, CEPHC_CLS_LOCK_STR_MAX);
	if (dec_envelope_end(&d, &b)) {
		info->num_lockers = 0;
		return d.err;
	}
	return 0;
}
