/* SPDX-License-Identifier: MIT */
/*
 * crc32c (Castagnoli, reflected polynomial 0x82F63B78) as Ceph uses it: the
 * raw register update, with no inversion before or after.  The standard
 * CRC-32C of data equals ~cephc_crc32c(0xFFFFFFFF, data).
 *
 * Seeds on the wire: msgr v1 header/front/middle/data crcs and the msgr2
 * preamble use 0; msgr2 segment crcs use 0xFFFFFFFF.
 *
 * Incremental: cephc_crc32c(cephc_crc32c(s, a), b) == cephc_crc32c(s, a||b),
 * so a crc can be carried across partial sends and receives.
 */
#ifndef CEPHC_CORE_CRC32C_H
#define CEPHC_CORE_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t cephc_crc32c(uint32_t crc, const void *data, size_t len);

/* The portable table implementation, exposed for tests and benchmarks. */
uint32_t cephc_crc32c_portable(uint32_t crc, const void *data, size_t len);

/* "isa-l" or "portable": which implementation cephc_crc32c() uses. */
const char *cephc_crc32c_impl(void);

#endif /* CEPHC_CORE_CRC32C_H */
