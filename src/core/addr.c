/* SPDX-License-Identifier: MIT */
#include "core/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* sockaddr bytes as the new encoding carries them: the host's own layout
 * (family little-endian on Linux), port and address in network order. */
static uint32_t sockaddr_wire_len(const struct sockaddr_storage *ss)
{
	switch (ss->ss_family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	default:
		return 0;
	}
}

void cephc_addr_encode_legacy(struct cephc_enc *e,
			      const struct cephc_entity_addr *a)
{
	uint8_t *p;

	/* Legacy addresses carry type 0 on the wire. */
	enc_le32(e, 0);
	enc_le32(e, a->nonce);
	p = enc_reserve(e, 128);
	if (!p)
		return;
	memset(p, 0, 128);
	/* family big-endian, then the rest of the sockaddr as the host has it
	 * (port and address already in network order) */
	uint16_t fam = a->ss.ss_family;
	p[0] = (uint8_t)(fam >> 8);
	p[1] = (uint8_t)fam;
	uint32_t slen = sockaddr_wire_len(&a->ss);
	if (slen > 2)
		memcpy(p + 2, (const uint8_t *)&a->ss + 2, slen - 2);
}

int cephc_addr_decode_legacy(struct cephc_dec *d, struct cephc_entity_addr *a)
{
	const uint8_t *p;

	memset(a, 0, sizeof(*a));
	(void)dec_le32(d); /* type: always 0 in this form */
	a->nonce = dec_le32(d);
	p = dec_ptr(d, 128);
	if (!p)
		return d->err;
	a->type = CEPHC_ADDR_LEGACY;
	uint16_t fam = (uint16_t)(p[0] << 8 | p[1]);
	switch (fam) {
	case 0:
		a->ss.ss_family = AF_UNSPEC;
		break;
	case AF_INET:
	case AF_INET6:
		memcpy((uint8_t *)&a->ss + 2, p + 2,
		       (fam == AF_INET ? sizeof(struct sockaddr_in)
				       : sizeof(struct sockaddr_in6)) -
			   2);
		a->ss.ss_family = fam;
		break;
	default:
		return dec_fail(d, CEPHC_EDECODE);
	}
	return 0;
}

void cephc_addr_encode_new(struct cephc_enc *e,
			   const struct cephc_entity_addr *a)
{
	uint32_t slen = sockaddr_wire_len(&a->ss);

	enc_u8(e, 1);
	size_t mark = enc_envelope_begin(e, 1, 1);
	enc_le32(e, a->type);
	enc_le32(e, a->nonce);
	enc_le32(e, slen);
	if (slen) {
		uint8_t *p = enc_reserve(e, slen);
		if (p) {
			memcpy(p, &a->ss, slen);
			put_le16(p, a->ss.ss_family);
		}
	}
	enc_envelope_end(e, mark);
}

static int addr_decode_new_body(struct cephc_dec *d,
				struct cephc_entity_addr *a)
{
	struct cephc_dec b;
	uint8_t v;

	memset(a, 0, sizeof(*a));
	if (dec_envelope(d, 1, &v, &b))
		return d->err;
	a->type = dec_le32(&b);
	a->nonce = dec_le32(&b);
	uint32_t slen = dec_le32(&b);
	if (b.err)
		return dec_envelope_end(d, &b);
	if (slen == 0) {
		a->ss.ss_family = AF_UNSPEC;
	} else {
		const uint8_t *p = dec_ptr(&b, slen);
		if (!p)
			return dec_envelope_end(d, &b);
		if (slen < 2)
			return dec_fail(d, CEPHC_EDECODE);
		uint16_t fam = get_le16(p);
		uint32_t want = fam == AF_INET    ? sizeof(struct sockaddr_in)
				: fam == AF_INET6 ? sizeof(struct sockaddr_in6)
						  : 0;
		if (!want || slen < want)
			return dec_fail(d, CEPHC_EDECODE);
		memcpy(&a->ss, p, want);
		a->ss.ss_family = fam;
	}
	if (a->type > CEPHC_ADDR_ANY)
		return dec_fail(d, CEPHC_EDECODE);
	return dec_envelope_end(d, &b);
}

int cephc_addr_decode(struct cephc_dec *d, struct cephc_entity_addr *a)
{
	if (!dec_need(d, 1))
		return d->err;
	if (d->p[0] == 0) /* legacy: the marker is the first byte of type */
		return cephc_addr_decode_legacy(d, a);
	if (d->p[0] == 1) {
		d->p++;
		return addr_decode_new_body(d, a);
	}
	return dec_fail(d, CEPHC_EDECODE);
}

int cephc_addrvec_decode(struct cephc_dec *d, struct cephc_entity_addr *out,
			 uint32_t max, uint32_t *count)
{
	*count = 0;
	if (!dec_need(d, 1))
		return d->err;
	if (d->p[0] == 0 || d->p[0] == 1) {
		if (max < 1)
			return dec_fail(d, CEPHC_ETOOBIG);
		if (cephc_addr_decode(d, &out[0]))
			return d->err;
		*count = 1;
		return 0;
	}
	if (d->p[0] != 2)
		return dec_fail(d, CEPHC_EDECODE);
	d->p++;
	/* each new-form entry is at least marker + 6-byte envelope + 12 */
	uint32_t n = dec_count(d, CEPHC_ADDRVEC_MAX, 19);
	if (d->err)
		return d->err;
	if (n > max)
		return dec_fail(d, CEPHC_ETOOBIG);
	for (uint32_t i = 0; i < n; i++) {
		if (cephc_addr_decode(d, &out[i]))
			return d->err;
	}
	*count = n;
	return 0;
}

const struct cephc_entity_addr *
cephc_addrvec_pick(const struct cephc_entity_addr *v, uint32_t count,
		   uint32_t want)
{
	for (uint32_t i = 0; i < count; i++)
		if (v[i].type == want)
			return &v[i];
	for (uint32_t i = 0; i < count; i++)
		if (v[i].type == CEPHC_ADDR_ANY)
			return &v[i];
	return NULL;
}

uint16_t cephc_addr_port(const struct cephc_entity_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)&a->ss)->sin_port);
	if (a->ss.ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)&a->ss)->sin6_port);
	return 0;
}

void cephc_addr_set_port(struct cephc_entity_addr *a, uint16_t port)
{
	if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
	else if (a->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
}

bool cephc_addr_is_blank_ip(const struct cephc_entity_addr *a)
{
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr ==
		       0;
	if (a->ss.ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(
		    &((const struct sockaddr_in6 *)&a->ss)->sin6_addr);
	return true;
}

bool cephc_addr_equal(const struct cephc_entity_addr *a,
		      const struct cephc_entity_addr *b)
{
	if (a->nonce != b->nonce || a->ss.ss_family != b->ss.ss_family)
		return false;
	if (cephc_addr_port(a) != cephc_addr_port(b))
		return false;
	if (a->ss.ss_family == AF_INET)
		return ((const struct sockaddr_in *)&a->ss)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)&b->ss)->sin_addr.s_addr;
	if (a->ss.ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)&a->ss)->sin6_addr,
			      &((const struct sockaddr_in6 *)&b->ss)->sin6_addr,
			      16) == 0;
	return true;
}

int cephc_addr_format(const struct cephc_entity_addr *a, char *buf, size_t len)
{
	static const char *const prefix[] = {"-", "v1", "v2", "any"};
	char ip[INET6_ADDRSTRLEN] = "";
	const char *pre = a->type <= 3 ? prefix[a->type] : "?";

	if (a->ss.ss_family == AF_INET) {
		inet_ntop(AF_INET,
			  &((const struct sockaddr_in *)&a->ss)->sin_addr, ip,
			  sizeof(ip));
		return snprintf(buf, len, "%s:%s:%u/%u", pre, ip,
				cephc_addr_port(a), a->nonce);
	}
	if (a->ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)&a->ss)->sin6_addr, ip,
			  sizeof(ip));
		return snprintf(buf, len, "%s:[%s]:%u/%u", pre, ip,
				cephc_addr_port(a), a->nonce);
	}
	return snprintf(buf, len, "%s:-/%u", pre, a->nonce);
}

int cephc_addr_format_plain(const struct cephc_entity_addr *a, char *buf,
			    size_t len)
{
	char tmp[16 + INET6_ADDRSTRLEN + 24];
	const char *colon;

	cephc_addr_format(a, tmp, sizeof(tmp));
	/* every form starts with its type and a colon */
	colon = strchr(tmp, ':');
	return snprintf(buf, len, "%s", colon ? colon + 1 : tmp);
}

int cephc_addr_format_hostport(const struct cephc_entity_addr *a, char *buf,
			       size_t len)
{
	char tmp[16 + INET6_ADDRSTRLEN + 24];
	const char *slash;

	cephc_addr_format_plain(a, tmp, sizeof(tmp));
	/* the plain form ends in "/nonce" */
	slash = strrchr(tmp, '/');
	return snprintf(buf, len, "%.*s",
			(int)(slash ? (size_t)(slash - tmp) : strlen(tmp)),
			tmp);
}

int cephc_addr_parse(const char *s, struct cephc_entity_addr *a,
		     uint16_t default_port)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *p = s, *hend, *rest;
	unsigned long port = default_port;

	memset(a, 0, sizeof(*a));
	a->type = CEPHC_ADDR_ANY;
	if (strncmp(p, "v1:", 3) == 0) {
		a->type = CEPHC_ADDR_LEGACY;
		p += 3;
	} else if (strncmp(p, "v2:", 3) == 0) {
		a->type = CEPHC_ADDR_MSGR2;
		p += 3;
	} else if (strncmp(p, "any:", 4) == 0) {
		p += 4;
	}
	bool v6 = false;
	if (*p == '[') {
		hend = strchr(p, ']');
		if (!hend)
			return CEPHC_EINVAL;
		p++;
		rest = hend + 1;
		v6 = true;
	} else {
		hend = p + strcspn(p, ":/");
		rest = hend;
	}
	size_t hl = (size_t)(hend - p);
	if (hl == 0 || hl >= sizeof(host))
		return CEPHC_EINVAL;
	memcpy(host, p, hl);
	host[hl] = '\0';
	if (*rest == ':') {
		char *end;
		port = strtoul(rest + 1, &end, 10);
		if (end == rest + 1 || port > 65535)
			return CEPHC_EINVAL;
		rest = end;
	}
	if (*rest == '/') {
		char *end;
		unsigned long nonce = strtoul(rest + 1, &end, 10);
		if (end == rest + 1 || nonce > UINT32_MAX)
			return CEPHC_EINVAL;
		a->nonce = (uint32_t)nonce;
		rest = end;
	}
	if (*rest != '\0')
		return CEPHC_EINVAL;
	if (!v6) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return CEPHC_EINVAL;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a->ss;
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return CEPHC_EINVAL;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
	}
	return 0;
}

void cephc_entity_name_encode(struct cephc_enc *e,
			      const struct cephc_entity_name *n)
{
	enc_u8(e, n->type);
	enc_le64(e, n->num);
}

void cephc_entity_name_decode(struct cephc_dec *d, struct cephc_entity_name *n)
{
	n->type = dec_u8(d);
	n->num = dec_le64(d);
}

const char *cephc_entity_type_name(uint8_t type)
{
	switch (type) {
	case CEPHC_ENTITY_MON:
		return "mon";
	case CEPHC_ENTITY_MDS:
		return "mds";
	case CEPHC_ENTITY_OSD:
		return "osd";
	case CEPHC_ENTITY_CLIENT:
		return "client";
	case CEPHC_ENTITY_MGR:
		return "mgr";
	case CEPHC_ENTITY_AUTH:
		return "auth";
	default:
		return "unknown";
	}
}
