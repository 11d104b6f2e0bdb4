/* SPDX-License-Identifier: MIT */
/*
 * Ceph entity addresses and names, and their three wire encodings.
 *
 *  legacy (136 bytes; msgr v1 banners, peers without MSG_ADDR2):
 *      le32 type, le32 nonce, 128-byte sockaddr_storage whose 2-byte family
 *      is big-endian; port and IP in network order, zero padded.
 *  new (MSG_ADDR2):  u8 marker 1, envelope v1/compat 1 { le32 type,
 *      le32 nonce, le32 sockaddr_len, sockaddr bytes (family LE16, port BE,
 *      IP network order) }.
 *  addrvec:  u8 marker 2, le32 count, count new-form addresses.  A first
 *      byte of 0 means one legacy address, 1 one new-form address.
 *
 * In memory the sockaddr is kept as the host's struct sockaddr_storage,
 * ready for connect(2).
 */
#ifndef CEPHC_CORE_ADDR_H
#define CEPHC_CORE_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "core/decode.h"
#include "core/encode.h"

enum cephc_addr_type {
	CEPHC_ADDR_NONE = 0,
	CEPHC_ADDR_LEGACY = 1, /* msgr v1 */
	CEPHC_ADDR_MSGR2 = 2,
	CEPHC_ADDR_ANY = 3,
};

/* Entity types (entity_name_t.type and EntityName.type). */
enum cephc_entity_type {
	CEPHC_ENTITY_MON = 0x01,
	CEPHC_ENTITY_MDS = 0x02,
	CEPHC_ENTITY_OSD = 0x04,
	CEPHC_ENTITY_CLIENT = 0x08,
	CEPHC_ENTITY_MGR = 0x10,
	CEPHC_ENTITY_AUTH = 0x20,
	CEPHC_ENTITY_ANY = 0xFF,
};

#define CEPHC_ADDR_LEGACY_LEN 136
/* The most addresses we accept in one addrvec (Ceph sends 1-2 today). */
#define CEPHC_ADDRVEC_MAX 16

struct cephc_entity_addr {
	uint32_t type; /* enum cephc_addr_type */
	uint32_t nonce;
	struct sockaddr_storage ss; /* AF_UNSPEC when blank */
};

/* entity_name_t: u8 type + le64 num (9 bytes on the wire). */
struct cephc_entity_name {
	uint8_t type;
	uint64_t num;
};

/* Legacy 136-byte form. */
void cephc_addr_encode_legacy(struct cephc_enc *e,
			      const struct cephc_entity_addr *a);
int cephc_addr_decode_legacy(struct cephc_dec *d, struct cephc_entity_addr *a);

/* New (marker 1) form. */
void cephc_addr_encode_new(struct cephc_enc *e,
			   const struct cephc_entity_addr *a);

/* One address in whichever form the marker byte says (0 legacy, 1 new). */
int cephc_addr_decode(struct cephc_dec *d, struct cephc_entity_addr *a);

/*
 * An entity_addrvec_t (or a lone legacy/new address).  Fills up to max
 * entries of out, sets *count; rejects counts above CEPHC_ADDRVEC_MAX or
 * max with ETOOBIG.
 */
int cephc_addrvec_decode(struct cephc_dec *d, struct cephc_entity_addr *out,
			 uint32_t max, uint32_t *count);

/* The entry of type want (LEGACY or MSGR2), else an ANY entry; or NULL. */
const struct cephc_entity_addr *
cephc_addrvec_pick(const struct cephc_entity_addr *v, uint32_t count,
		   uint32_t want);

/* Same IP, port and nonce (type ignored). */
bool cephc_addr_equal(const struct cephc_entity_addr *a,
		      const struct cephc_entity_addr *b);

uint16_t cephc_addr_port(const struct cephc_entity_addr *a);
void cephc_addr_set_port(struct cephc_entity_addr *a, uint16_t port);
bool cephc_addr_is_blank_ip(const struct cephc_entity_addr *a);

/* "v2:127.0.0.1:3300/0", "v1:[::1]:6789/123", "-" for none.  Returns the
 * length snprintf would have written. */
int cephc_addr_format(const struct cephc_entity_addr *a, char *buf, size_t len);
/* The same without the type: "127.0.0.1:0/123", as `ceph osd blocklist`
 * and `rbd lock ls` write addresses. */
int cephc_addr_format_plain(const struct cephc_entity_addr *a, char *buf,
			    size_t len);
/* Only where to dial: "127.0.0.1:3300", "[::1]:6789" (for messages to a
 * user, who knows the address without its type and nonce). */
int cephc_addr_format_hostport(const struct cephc_entity_addr *a, char *buf,
			       size_t len);

/*
 * Parse one address as Ceph writes it: optional "v1:"/"v2:"/"any:" prefix,
 * IPv4 "a.b.c.d[:port]" or IPv6 "[x::y][:port]", optional "/nonce".
 * Without a prefix the type is ANY; without a port, default_port (0 means
 * keep 0).  Numeric addresses only (no DNS).  Returns 0 or CEPHC_EINVAL.
 */
int cephc_addr_parse(const char *s, struct cephc_entity_addr *a,
		     uint16_t default_port);

void cephc_entity_name_encode(struct cephc_enc *e,
			      const struct cephc_entity_name *n);
void cephc_entity_name_decode(struct cephc_dec *d, struct cephc_entity_name *n);

/* "client", "osd", "mon", ... ; "unknown" otherwise. */
const char *cephc_entity_type_name(uint8_t type);

#endif /* CEPHC_CORE_ADDR_H */
