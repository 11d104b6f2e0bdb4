/* SPDX-License-Identifier: MIT */
/*
 * The order in which Ceph 16's tools list an OSDMap's blocklist.
 *
 * OSDMap::blocklist is an unordered_map<entity_addr_t, utime_t>.  The
 * monitor encodes it through a std::map, so a full map carries the
 * entries sorted by entity_addr_t's operator< (a memcmp over the in-memory
 * struct); osdmaptool decodes them into an empty unordered_map one by one
 * in that order and OSDMap::print walks the container.  What it prints is
 * therefore the iteration order of libstdc++'s hashtable (GCC 12, the
 * compiler Ceph 16.2.15 is built with on Debian 12) after those
 * insertions, hashing each key with Ceph's std::hash<entity_addr_t>:
 * blobhash over the struct's 36 bytes (XOR of its nine little-endian
 * 32-bit words, then Robert Jenkins' 32-bit integer mix).
 *
 * Everything here is pure computation on decoded entries: no I/O.
 */
#ifndef CEPHC_OSDMAP_BLOCKLIST_ORDER_H
#define CEPHC_OSDMAP_BLOCKLIST_ORDER_H

#include <stdint.h>

#include "osdmap/osdmap.h"

/* sizeof(entity_addr_t) on Linux: type, nonce, then a union of sockaddr,
 * sockaddr_in and sockaddr_in6 (28 bytes). */
#define CEPHC_BL_ADDR_IMAGE_LEN 36

/*
 * The bytes Ceph's decoder leaves in an entity_addr_t on x86_64 for a:
 * type and nonce little-endian, sa_family in host (little-endian) order,
 * then the rest of the sockaddr as it travels (port and address in
 * network order), zero past the family's sockaddr.
 */
void cephc_bl_addr_image(const struct cephc_entity_addr *a,
			 uint8_t out[CEPHC_BL_ADDR_IMAGE_LEN]);

/* std::hash<entity_addr_t> as Ceph defines it (a 32-bit value). */
uint32_t cephc_bl_addr_hash(const struct cephc_entity_addr *a);

/* entity_addr_t's operator<: memcmp of the two images (<0, 0, >0). */
int cephc_bl_addr_cmp(const struct cephc_entity_addr *a,
		      const struct cephc_entity_addr *b);

/* Sort entries the way the monitor encodes them (by cephc_bl_addr_cmp). */
void cephc_bl_sort(struct cephc_blocklist_entry *e, uint32_t n);

/*
 * Given n entries in the order they are inserted (encoded order), fill
 * order[] with the indices of the entries in the order the unordered_map
 * iterates them and set *n_out to their count.  A key inserted again
 * keeps its place and takes the later entry's index (operator[] then
 * overwrites the value), so *n_out < n when keys repeat.  order must have
 * room for n indices.  Returns 0 or CEPHC_ENOMEM.
 */
int cephc_bl_iter_order(const struct cephc_blocklist_entry *e, uint32_t n,
			uint32_t *order, uint32_t *n_out);

#endif /* CEPHC_OSDMAP_BLOCKLIST_ORDER_H */
