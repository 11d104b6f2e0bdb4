/* SPDX-License-Identifier: MIT */
#include "osdmap/ceph_hash.h"

#include <string.h>

#include "core/alloc.h"

/* Jenkins' 96-bit reversible mix (lookup2), all u32 wrap-around. */
/* clang-format off */
#define JMIX(a, b, c)                                                          \
	do {                                                                   \
		a -= b; a -= c; a ^= (c >> 13);                                \
		b -= c; b -= a; b ^= (a << 8);                                 \
		c -= a; c -= b; c ^= (b >> 13);                                \
		a -= b; a -= c; a ^= (c >> 12);                                \
		b -= c; b -= a; b ^= (a << 16);                                \
		c -= a; c -= b; c ^= (b >> 5);                                 \
		a -= b; a -= c; a ^= (c >> 3);                                 \
		b -= c; b -= a; b ^= (a << 10);                                \
		c -= a; c -= b; c ^= (b >> 15);                                \
	} while (0)
/* clang-format on */

static uint32_t le32_at(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

uint32_t cephc_str_hash_rjenkins(const void *s, size_t len)
{
	const uint8_t *k = s;
	uint32_t a = 0x9e3779b9, b = 0x9e3779b9, c = 0;
	size_t left = len;

	/* Whole 12-byte blocks: three little-endian words each. */
	while (left >= 12) {
		a += le32_at(k);
		b += le32_at(k + 4);
		c += le32_at(k + 8);
		JMIX(a, b, c);
		k += 12;
		left -= 12;
	}

	/*
	 * The tail: bytes 0-3 into a, 4-7 into b, 8-10 into c shifted up one
	 * byte, because c's low byte carries the total length (Ceph passes
	 * the length as an unsigned int, so only its low 32 bits count).
	 */
	c += (uint32_t)len;
	/* clang-format off */
	switch (left) {
	case 11: c += (uint32_t)k[10] << 24; /* fall through */
	case 10: c += (uint32_t)k[9] << 16;  /* fall through */
	case 9:  c += (uint32_t)k[8] << 8;   /* fall through */
	case 8:  b += (uint32_t)k[7] << 24;  /* fall through */
	case 7:  b += (uint32_t)k[6] << 16;  /* fall through */
	case 6:  b += (uint32_t)k[5] << 8;   /* fall through */
	case 5:  b += k[4];                  /* fall through */
	case 4:  a += (uint32_t)k[3] << 24;  /* fall through */
	case 3:  a += (uint32_t)k[2] << 16;  /* fall through */
	case 2:  a += (uint32_t)k[1] << 8;   /* fall through */
	case 1:  a += k[0];                  /* fall through */
	default: break;
	}
	/* clang-format on */
	JMIX(a, b, c);
	return c;
}

uint32_t cephc_str_hash_linux(const void *s, size_t len)
{
	const uint8_t *p = s;
	uint32_t h = 0;

	/* Ceph keeps this in an unsigned long; only the low 32 bits survive
	 * its return type, and they do not depend on the high ones. */
	while (len--) {
		uint32_t c = *p++;

		h = (h + (c << 4) + (c >> 4)) * 11;
	}
	return h;
}

uint32_t cephc_str_hash(int type, const void *s, size_t len)
{
	switch (type) {
	case CEPHC_STR_HASH_LINUX:
		return cephc_str_hash_linux(s, len);
	case CEPHC_STR_HASH_RJENKINS:
		return cephc_str_hash_rjenkins(s, len);
	default:
		return 0xffffffffu;
	}
}

const char *cephc_str_hash_name(int type)
{
	switch (type) {
	case CEPHC_STR_HASH_LINUX:
		return "linux";
	case CEPHC_STR_HASH_RJENKINS:
		return "rjenkins";
	default:
		return "unknown";
	}
}

uint32_t cephc_str_hash_ns(int type, const void *nspace, size_t nslen,
			   const void *key, size_t keylen)
{
	uint8_t stackbuf[256];
	uint8_t *buf = stackbuf;
	size_t total;
	uint32_t h;

	if (!nslen)
		return cephc_str_hash(type, key, keylen);
	total = nslen + 1 + keylen;
	if (total < nslen || total > sizeof(stackbuf)) {
		buf = cephc_malloc(total);
		if (!buf)
			return 0xffffffffu;
	}
	memcpy(buf, nspace, nslen);
	buf[nslen] = 0x1f; /* Ceph's namespace separator */
	memcpy(buf + nslen + 1, key, keylen);
	h = cephc_str_hash(type, buf, total);
	if (buf != stackbuf)
		cephc_free(buf);
	return h;
}
