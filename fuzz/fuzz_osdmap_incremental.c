/* SPDX-License-Identifier: MIT */
/*
 * Incremental OSDMap apply.  Input: le32 n, a full map of n bytes, then an
 * incremental.  The base map's epoch and fsid are set to what the
 * incremental names (when it is long enough to name them), so the fuzzer
 * reaches the apply code instead of stopping at the epoch check; then the
 * result is mapped and printed like a fresh map.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "osdmap/osdmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* wrapper envelope (6) + client envelope (6), then fsid (16), epoch. */
#define INC_FSID_OFF 12
#define INC_EPOCH_OFF 28

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct cephc_osdmap *m = NULL;
	struct cephc_pg_mapping mp;
	const uint8_t *inc;
	size_t n, inc_len;
	uint32_t i, ps, budget = 512;

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (size < 4)
		return 0;
	n = (size_t)data[0] | (size_t)data[1] << 8 | (size_t)data[2] << 16 |
	    (size_t)data[3] << 24;
	if (n > size - 4)
		return 0;
	if (cephc_osdmap_decode(data + 4, n, &m))
		return 0;
	inc = data + 4 + n;
	inc_len = size - 4 - n;
	if (inc_len >= INC_EPOCH_OFF + 4) {
		uint32_t e = (uint32_t)inc[INC_EPOCH_OFF] |
			     (uint32_t)inc[INC_EPOCH_OFF + 1] << 8 |
			     (uint32_t)inc[INC_EPOCH_OFF + 2] << 16 |
			     (uint32_t)inc[INC_EPOCH_OFF + 3] << 24;

		m->epoch = e - 1;
		memcpy(m->fsid, inc + INC_FSID_OFF, 16);
	}
	if (cephc_osdmap_apply_incremental(&m, inc, inc_len) == 0) {
		for (i = 0; i < m->n_pools && budget; i++)
			for (ps = 0; ps < m->pools[i].pg_num && budget;
			     ps++, budget--) {
				struct cephc_pg pg = {m->pools[i].id, ps};

				cephc_osdmap_pg_to_osds(m, pg, &mp, NULL);
			}
		if (devnull)
			cephc_osdmap_print(m, devnull);
	}
	cephc_osdmap_free(m);
	return 0;
}
