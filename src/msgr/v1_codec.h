/* SPDX-License-Identifier: MIT */
/*
 * msgr v1 ("ceph v027") wire images, sans-IO.
 *
 * Every struct here is built and parsed field by field (never by casting a
 * packed C struct over the bytes), so byte order and packing are explicit.
 * Sizes on the wire (all little-endian):
 *   banner          9  "ceph v027", no NUL
 *   legacy addr   136  (core/addr.h)
 *   connect        33  features u64, host_type, global_seq, connect_seq,
 *                      protocol_version, authorizer_protocol,
 *                      authorizer_len (all u32), flags u8
 *   connect_reply  26  tag u8, features u64, global_seq, connect_seq,
 *                      protocol_version, authorizer_len (u32), flags u8
 *   header         53  (NOSRCADDR form; crc32c seed 0 over bytes 0..48)
 *   footer      13/21  front/middle/data crc (u32), [sig u64], flags u8;
 *                      21 bytes iff the NEGOTIATED features have MSG_AUTH
 */
#ifndef CEPHC_MSGR_V1_CODEC_H
#define CEPHC_MSGR_V1_CODEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

#define V1_BANNER "ceph v027"
#define V1_BANNER_LEN 9
#define V1_CONNECT_LEN 33
#define V1_CONNECT_REPLY_LEN 26
#define V1_HEADER_LEN 53
#define V1_HEADER_CRC_SPAN 49 /* bytes covered by the header crc */
#define V1_FOOTER_OLD_LEN 13
#define V1_FOOTER_LEN 21
/* What the client reads after its banner: banner, server addr, our addr. */
#define V1_SERVER_HELLO_LEN (V1_BANNER_LEN + 2 * CEPHC_ADDR_LEGACY_LEN)
/* What the client writes first: banner and its own address. */
#define V1_CLIENT_HELLO_LEN (V1_BANNER_LEN + CEPHC_ADDR_LEGACY_LEN)

/* Tags: connect-reply tags and steady-state tags share one space. */
enum v1_tag {
	V1_TAG_READY = 1,
	V1_TAG_RESETSESSION = 2,
	V1_TAG_WAIT = 3,
	V1_TAG_RETRY_SESSION = 4,
	V1_TAG_RETRY_GLOBAL = 5,
	V1_TAG_CLOSE = 6,
	V1_TAG_MSG = 7,
	V1_TAG_ACK = 8,
	V1_TAG_KEEPALIVE = 9,
	V1_TAG_BADPROTOVER = 10,
	V1_TAG_BADAUTHORIZER = 11,
	V1_TAG_FEATURES = 12,
	V1_TAG_SEQ = 13,
	V1_TAG_KEEPALIVE2 = 14,
	V1_TAG_KEEPALIVE2_ACK = 15,
	V1_TAG_CHALLENGE_AUTHORIZER = 16,
};

/* connect / connect_reply flags */
#define V1_CONNECT_LOSSY 1u

/* footer flags */
#define V1_FOOTER_COMPLETE 1u
#define V1_FOOTER_NOCRC 2u
#define V1_FOOTER_SIGNED 4u

/*
 * Feature bits.  A feature is (bit, incarnation); "has F" means every bit of
 * its mask is set (incarnation 2 adds bit 57 SERVER_JEWEL, incarnation 3 also
 * bit 28 SERVER_MIMIC).
 */
#define CEPHC_FEAT_INC2 (1ull << 57)
#define CEPHC_FEAT_INC3 ((1ull << 57) | (1ull << 28))
#define CEPHC_FEAT_NOSRCADDR (1ull << 1)
#define CEPHC_FEAT_RECONNECT_SEQ (1ull << 6)
#define CEPHC_FEAT_MSG_AUTH (1ull << 23)
#define CEPHC_FEAT_SERVER_LUMINOUS ((1ull << 21) | CEPHC_FEAT_INC2)
#define CEPHC_FEAT_MSGR_KEEPALIVE2 (1ull << 42)
#define CEPHC_FEAT_MSG_ADDR2 (1ull << 59)
#define CEPHC_FEAT_CEPHX_V2 (1ull << 61)
/* The kernel client's CEPH_FEATURES_SUPPORTED_DEFAULT: what we advertise. */
#define CEPHC_FEATURES_DEFAULT 0x2f018eb87aa4aafeull
/* What we insist on from a peer: the 53-byte header needs NOSRCADDR. */
#define CEPHC_FEATURES_REQUIRED CEPHC_FEAT_NOSRCADDR

static inline bool cephc_has_feature(uint64_t features, uint64_t mask)
{
	return (features & mask) == mask;
}

/* Protocol versions (connect.protocol_version) per peer type. */
#define CEPHC_MONC_PROTOCOL 15
#define CEPHC_OSDC_PROTOCOL 24
#define CEPHC_MDSC_PROTOCOL 32

struct v1_connect {
	uint64_t features;
	uint32_t host_type;
	uint32_t global_seq;
	uint32_t connect_seq;
	uint32_t protocol_version;
	uint32_t authorizer_protocol;
	uint32_t authorizer_len;
	uint8_t flags;
};

struct v1_connect_reply {
	uint8_t tag;
	uint64_t features;
	uint32_t global_seq;
	uint32_t connect_seq;
	uint32_t protocol_version;
	uint32_t authorizer_len;
	uint8_t flags;
};

/* ceph_msg_header (NOSRCADDR form) in host order. */
struct v1_header {
	uint64_t seq;
	uint64_t tid;
	uint16_t type;
	uint16_t priority;
	uint16_t version;
	uint32_t front_len;
	uint32_t middle_len;
	uint32_t data_len;
	uint16_t data_off;
	struct cephc_entity_name src;
	uint16_t compat_version;
	uint16_t reserved;
	uint32_t crc; /* as received; the encoder computes its own */
};

struct v1_footer {
	uint32_t front_crc;
	uint32_t middle_crc;
	uint32_t data_crc;
	uint64_t sig; /* only on the wire in the 21-byte form */
	uint8_t flags;
};

/* Write the banner (9 bytes) + addr (136) a client sends first. */
void v1_encode_client_hello(uint8_t out[V1_CLIENT_HELLO_LEN],
			    const struct cephc_entity_addr *me);
/* Server side: banner + server addr + the client's addr as seen. */
void v1_encode_server_hello(uint8_t out[V1_SERVER_HELLO_LEN],
			    const struct cephc_entity_addr *me,
			    const struct cephc_entity_addr *peer_seen);
/* Check a banner; CEPHC_EBANNER if the 9 bytes are not "ceph v027". */
int v1_check_banner(const uint8_t *p);
/* Parse what a server sends: EBANNER or EDECODE on failure. */
int v1_decode_server_hello(const uint8_t in[V1_SERVER_HELLO_LEN],
			   struct cephc_entity_addr *server,
			   struct cephc_entity_addr *me_seen);
/* Parse what a client sends (banner + its addr). */
int v1_decode_client_hello(const uint8_t in[V1_CLIENT_HELLO_LEN],
			   struct cephc_entity_addr *client);

void v1_encode_connect(uint8_t out[V1_CONNECT_LEN], const struct v1_connect *c);
void v1_decode_connect(const uint8_t in[V1_CONNECT_LEN], struct v1_connect *c);
void v1_encode_connect_reply(uint8_t out[V1_CONNECT_REPLY_LEN],
			     const struct v1_connect_reply *r);
void v1_decode_connect_reply(const uint8_t in[V1_CONNECT_REPLY_LEN],
			     struct v1_connect_reply *r);

/* Encode with a freshly computed crc (h->crc is ignored and set). */
void v1_encode_header(uint8_t out[V1_HEADER_LEN], struct v1_header *h);
/* Decode and verify the crc: CEPHC_ECRC on mismatch (h is filled anyway). */
int v1_decode_header(const uint8_t in[V1_HEADER_LEN], struct v1_header *h);

static inline size_t v1_footer_len(uint64_t negotiated_features)
{
	return cephc_has_feature(negotiated_features, CEPHC_FEAT_MSG_AUTH)
		   ? V1_FOOTER_LEN
		   : V1_FOOTER_OLD_LEN;
}
/* len is v1_footer_len(): 13 leaves out sig. */
void v1_encode_footer(uint8_t *out, size_t len, const struct v1_footer *f);
void v1_decode_footer(const uint8_t *in, size_t len, struct v1_footer *f);

/* Name of a tag for logs ("MSG", "SEQ", ... or "?"). */
const char *v1_tag_name(uint8_t tag);

#endif /* CEPHC_MSGR_V1_CODEC_H */
