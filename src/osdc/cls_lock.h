/* SPDX-License-Identifier: MIT */
/*
 * cls "lock" method inputs and the get_info output (RADOS advisory locks;
 * RBD exclusive-lock builds on them).  Every input is a versioned(1,1)
 * struct sent as the CALL input of class "lock":
 *   lock:        string name, u8 type, string cookie, string tag,
 *                string description, utime duration (0 = forever), u8 flags
 *   unlock:      string name, string cookie
 *   break_lock:  string name, entity_name_t locker, string cookie
 *   get_info:    string name
 *   assert_locked: string name, u8 type, string cookie, string tag
 * get_info returns versioned{ map<locker_id_t{entity_name_t, string cookie},
 * locker_info_t{utime expiration, entity_addr_t addr, string description}>,
 * u8 type, string tag }, each map key and value itself versioned(1,1).
 */
#ifndef CEPHC_OSDC_CLS_LOCK_H
#define CEPHC_OSDC_CLS_LOCK_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

#define CEPHC_CLS_LOCK_CLASS "lock"
/* Longest lock name, cookie, tag or description accepted either way. */
#define CEPHC_CLS_LOCK_STR_MAX 4096
/* Most lockers decoded from one get_info reply. */
#define CEPHC_CLS_LOCK_MAX_LOCKERS 32

enum cephc_cls_lock_type {
	CEPHC_CLS_LOCK_NONE = 0,
	CEPHC_CLS_LOCK_EXCLUSIVE = 1,
	CEPHC_CLS_LOCK_SHARED = 2,
};

/* lock flags */
#define CEPHC_CLS_LOCK_FLAG_MAY_RENEW 0x1
#define CEPHC_CLS_LOCK_FLAG_MUST_RENEW 0x2

struct cephc_cls_lock_args {
	const char *name;
	uint8_t type; /* enum cephc_cls_lock_type */
	const char *cookie;
	const char *tag;         /* NULL = "" */
	const char *description; /* NULL = "" (lock only) */
	uint32_t duration_sec;   /* lock only; 0 = no expiry */
	uint32_t duration_nsec;
	uint8_t flags; /* lock only */
};

/*
 * Each encoder writes into buf (cap bytes) and sets *len.  The *_len()
 * functions give the exact size (0 when an argument is missing or a string
 * exceeds CEPHC_CLS_LOCK_STR_MAX).  Return 0, CEPHC_EINVAL, or
 * CEPHC_EOVERFLOW when cap is too small.
 */
size_t cephc_cls_lock_lock_len(const struct cephc_cls_lock_args *a);
int cephc_cls_lock_encode_lock(const struct cephc_cls_lock_args *a, void *buf,
			       size_t cap, size_t *len);
size_t cephc_cls_lock_unlock_len(const char *name, const char *cookie);
int cephc_cls_lock_encode_unlock(const char *name, const char *cookie,
				 void *buf, size_t cap, size_t *len);
size_t cephc_cls_lock_break_len(const char *name, const char *cookie);
int cephc_cls_lock_encode_break(const char *name,
				const struct cephc_entity_name *locker,
				const char *cookie, void *buf, size_t cap,
				size_t *len);
size_t cephc_cls_lock_get_info_len(const char *name);
int cephc_cls_lock_encode_get_info(const char *name, void *buf, size_t cap,
				   size_t *len);
size_t cephc_cls_lock_assert_len(const struct cephc_cls_lock_args *a);
int cephc_cls_lock_encode_assert(const struct cephc_cls_lock_args *a, void *buf,
				 size_t cap, size_t *len);

/* set_cookie (librbd after a re-watch): a's name, type, cookie and tag
 * must match the lock we hold; new_cookie replaces the cookie. */
int cephc_cls_lock_encode_set_cookie(const struct cephc_cls_lock_args *a,
				     const char *new_cookie, void *buf,
				     size_t cap, size_t *len);

struct cephc_cls_locker {
	struct cephc_entity_name name;
	const uint8_t *cookie; /* views into the reply */
	uint32_t cookie_len;
	uint32_t expiration_sec;
	uint32_t expiration_nsec;
	struct cephc_entity_addr addr;
	const uint8_t *description;
	uint32_t description_len;
};

struct cephc_cls_lock_info {
	uint32_t num_lockers;
	struct cephc_cls_locker lockers[CEPHC_CLS_LOCK_MAX_LOCKERS];
	uint8_t type;
	const uint8_t *tag;
	uint32_t tag_len;
};

/* Decode get_info's output.  0, CEPHC_EDECODE, CEPHC_ETOOBIG, ECOMPAT. */
int cephc_cls_lock_decode_info(const void *p, size_t len,
			       struct cephc_cls_lock_info *info);

#endif /* CEPHC_OSDC_CLS_LOCK_H */
