/* SPDX-License-Identifier: MIT */
/*
 * Object-name hashes that pick an object's placement group.
 *
 * A pool's object_hash says which one it uses (pg_pool_t.object_hash):
 *   CEPHC_STR_HASH_LINUX    1  the Linux dcache string hash
 *   CEPHC_STR_HASH_RJENKINS 2  Bob Jenkins' lookup2 ("rjenkins"); the
 *                              default for every pool Ceph creates
 * With a namespace the hashed bytes are nspace, 0x1F, then the name (or
 * locator key).  Unknown hash types hash to 0xffffffff, as in Ceph.
 */
#ifndef CEPHC_OSDMAP_CEPH_HASH_H
#define CEPHC_OSDMAP_CEPH_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CEPHC_STR_HASH_LINUX 1
#define CEPHC_STR_HASH_RJENKINS 2

uint32_t cephc_str_hash_rjenkins(const void *s, size_t len);
uint32_t cephc_str_hash_linux(const void *s, size_t len);
uint32_t cephc_str_hash(int type, const void *s, size_t len);

/* "rjenkins", "linux", or "unknown". */
const char *cephc_str_hash_name(int type);

/*
 * Hash nspace 0x1F key without building the joined string (an empty
 * nspace hashes key alone).
 */
uint32_t cephc_str_hash_ns(int type, const void *nspace, size_t nslen,
			   const void *key, size_t keylen);

#endif /* CEPHC_OSDMAP_CEPH_HASH_H */
