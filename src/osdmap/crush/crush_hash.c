/* SPDX-License-Identifier: MIT */
/*
 * CRUSH's integer hashes: Robert Jenkins' 96-bit mix applied to the inputs
 * and two fixed salts (x = 231232, y = 1232), seeded with 1315423911 xor the
 * inputs.  Only CRUSH_HASH_RJENKINS1 (0) exists; Ceph returns 0 for any other
 * hash type and so do we, so a bucket with an unknown hash id places exactly
 * as Ceph places it.  All arithmetic is modulo 2^32.
 */
#include "crush_internal.h"

#define CRUSH_HASH_SEED 1315423911u
#define CRUSH_HASH_X 231232u
#define CRUSH_HASH_Y 1232u

/* Jenkins' mix of three 32-bit words (c is the running hash). */
#define crush_mix(a, b, c)                                                     \
	do {                                                                   \
		a -= b;                                                        \
		a -= c;                                                        \
		a ^= c >> 13;                                                  \
		b -= c;                                                        \
		b -= a;                                                        \
		b ^= a << 8;                                                   \
		c -= a;                                                        \
		c -= b;                                                        \
		c ^= b >> 13;                                                  \
		a -= b;                                                        \
		a -= c;                                                        \
		a ^= c >> 12;                                                  \
		b -= c;                                                        \
		b -= a;                                                        \
		b ^= a << 16;                                                  \
		c -= a;                                                        \
		c -= b;                                                        \
		c ^= b >> 5;                                                   \
		a -= b;                                                        \
		a -= c;                                                        \
		a ^= c >> 3;                                                   \
		b -= c;                                                        \
		b -= a;                                                        \
		b ^= a << 10;                                                  \
		c -= a;                                                        \
		c -= b;                                                        \
		c ^= b >> 15;                                                  \
	} while (0)

static uint32_t rjenkins_2(uint32_t a, uint32_t b)
{
	uint32_t h = CRUSH_HASH_SEED ^ a ^ b;
	uint32_t x = CRUSH_HASH_X, y = CRUSH_HASH_Y;

	crush_mix(a, b, h);
	crush_mix(x, a, h);
	crush_mix(b, y, h);
	return h;
}

static uint32_t rjenkins_3(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t h = CRUSH_HASH_SEED ^ a ^ b ^ c;
	uint32_t x = CRUSH_HASH_X, y = CRUSH_HASH_Y;

	crush_mix(a, b, h);
	crush_mix(c, x, h);
	crush_mix(y, a, h);
	crush_mix(b, x, h);
	crush_mix(y, c, h);
	return h;
}

static uint32_t rjenkins_4(uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	uint32_t h = CRUSH_HASH_SEED ^ a ^ b ^ c ^ d;
	uint32_t x = CRUSH_HASH_X, y = CRUSH_HASH_Y;

	crush_mix(a, b, h);
	crush_mix(c, d, h);
	crush_mix(a, x, h);
	crush_mix(y, b, h);
	crush_mix(c, x, h);
	crush_mix(y, d, h);
	return h;
}

uint32_t crush_hash32_2(int type, uint32_t a, uint32_t b)
{
	return type == CRUSH_HASH_RJENKINS1 ? rjenkins_2(a, b) : 0;
}

uint32_t crush_hash32_3(int type, uint32_t a, uint32_t b, uint32_t c)
{
	return type == CRUSH_HASH_RJENKINS1 ? rjenkins_3(a, b, c) : 0;
}

uint32_t crush_hash32_4(int type, uint32_t a, uint32_t b, uint32_t c,
			uint32_t d)
{
	return type == CRUSH_HASH_RJENKINS1 ? rjenkins_4(a, b, c, d) : 0;
}

uint32_t cephc_crush_hash32_2(uint32_t a, uint32_t b)
{
	return rjenkins_2(a, b);
}

uint32_t cephc_crush_hash32_3(uint32_t a, uint32_t b, uint32_t c)
{
	return rjenkins_3(a, b, c);
}
