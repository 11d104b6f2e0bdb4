/* SPDX-License-Identifier: MIT */
/*
 * The exported CRUSH hashes (pps and primary affinity use them); the mix
 * itself lives inline in crush_internal.h for the mapper.  Only
 * CRUSH_HASH_RJENKINS1 (0) exists; Ceph returns 0 for any other hash type
 * and so does crush_hash32_*(), so a bucket with an unknown hash id places
 * exactly as Ceph places it.
 */
#include "crush_internal.h"

uint32_t cephc_crush_hash32_2(uint32_t a, uint32_t b)
{
	return crush_rjenkins_2(a, b);
}

uint32_t cephc_crush_hash32_3(uint32_t a, uint32_t b, uint32_t c)
{
	return crush_rjenkins_3(a, b, c);
}
