/* SPDX-License-Identifier: MIT */
/*
 * msgr2.1 control-frame bodies (segment 0 of each frame) and the MESSAGE
 * frame's header2, sans-IO: encoders write into a cephc_enc, decoders read
 * a whole segment and check every length against what is left (and every
 * count against a small maximum) before using it.  Decoders accept
 * trailing bytes: a newer peer may append fields.  Layouts: protocol-map
 * section 4.3 and 4.5.
 */
#ifndef CEPHC_MSGR_V2_BODY_H
#define CEPHC_MSGR_V2_BODY_H

#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/encode.h"

/* Most methods / modes we read from AUTH_BAD_METHOD (Ceph has 2 of each). */
#define V2_AUTH_LIST_MAX 16
#define V2_AUTH_PAYLOAD_MAX (1u << 20)
#define V2_HEADER2_LEN 41
#define V2_SIG_LEN 32
#define V2_IDENT_FLAG_LOSSY 1ull

struct v2_hello {
	uint8_t entity_type;
	struct cephc_entity_addr addr; /* the receiver as the sender sees it */
};

struct v2_auth_request {
	uint32_t method;
	uint32_t nmodes;
	uint32_t modes[V2_AUTH_LIST_MAX];
	const uint8_t *payload;
	uint32_t payload_len;
};

struct v2_auth_bad_method {
	uint32_t method;
	int32_t result;
	uint32_t nmethods;
	uint32_t methods[V2_AUTH_LIST_MAX];
	uint32_t nmodes;
	uint32_t modes[V2_AUTH_LIST_MAX];
};

struct v2_auth_done {
	uint64_t global_id;
	uint32_t con_mode;
	const uint8_t *payload; /* view into the decoded segment */
	uint32_t payload_len;
};

struct v2_client_ident {
	struct cephc_entity_addr me; /* sent as a one-entry addrvec */
	struct cephc_entity_addr target;
	uint64_t global_id;
	uint64_t global_seq;
	uint64_t features;
	uint64_t required;
	uint64_t flags;
	uint64_t cookie;
};

struct v2_server_ident {
	struct cephc_entity_addr addrs[CEPHC_ADDRVEC_MAX];
	uint32_t naddrs;
	int64_t global_id;
	uint64_t global_seq;
	uint64_t features;
	uint64_t required;
	uint64_t flags;
	uint64_t cookie;
};

struct v2_header2 {
	uint64_t seq;
	uint64_t tid;
	uint16_t type;
	uint16_t priority;
	uint16_t version;
	uint32_t data_pre_padding_len;
	uint16_t data_off;
	uint64_t ack_seq;
	uint8_t flags;
	uint16_t compat_version;
};

void v2_hello_encode(struct cephc_enc *e, const struct v2_hello *h);
int v2_hello_decode(const uint8_t *p, size_t len, struct v2_hello *h);

/* nmodes over V2_AUTH_LIST_MAX sets e->err (CEPHC_EINVAL). */
void v2_auth_request_encode(struct cephc_enc *e,
			    const struct v2_auth_request *r);
int v2_auth_request_decode(const uint8_t *p, size_t len,
			   struct v2_auth_request *r);
void v2_auth_bad_method_encode(struct cephc_enc *e,
			       const struct v2_auth_bad_method *b);
int v2_auth_bad_method_decode(const uint8_t *p, size_t len,
			      struct v2_auth_bad_method *b);
/* AUTH_REPLY_MORE and AUTH_REQUEST_MORE: one bufferlist. */
void v2_auth_more_encode(struct cephc_enc *e, const void *payload,
			 uint32_t len);
int v2_auth_more_decode(const uint8_t *p, size_t len, const uint8_t **payload,
			uint32_t *payload_len);
void v2_auth_done_encode(struct cephc_enc *e, const struct v2_auth_done *d);
int v2_auth_done_decode(const uint8_t *p, size_t len, struct v2_auth_done *d);

void v2_client_ident_encode(struct cephc_enc *e,
			    const struct v2_client_ident *c);
void v2_server_ident_encode(struct cephc_enc *e,
			    const struct v2_server_ident *s);
int v2_server_ident_decode(const uint8_t *p, size_t len,
			   struct v2_server_ident *s);

/* IDENT_MISSING_FEATURES, SESSION_RETRY(_GLOBAL), RECONNECT_OK, ACK. */
int v2_u64_decode(const uint8_t *p, size_t len, uint64_t *v);
/* KEEPALIVE2 / KEEPALIVE2_ACK: a utime (le32 sec, le32 nsec). */
int v2_stamp_decode(const uint8_t *p, size_t len, uint32_t *sec,
		    uint32_t *nsec);

void v2_header2_encode(uint8_t out[V2_HEADER2_LEN], const struct v2_header2 *h);
int v2_header2_decode(const uint8_t *p, size_t len, struct v2_header2 *h);

#endif /* CEPHC_MSGR_V2_BODY_H */
