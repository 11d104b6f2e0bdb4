/* SPDX-License-Identifier: MIT */
/*
 * Full OSDMap decode, then everything a client does with a map: map every
 * PG of every pool (capped), map a few objects, format `ceph osd map` and
 * print the map.  Must never crash, leak or read out of bounds.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "osdmap/osdmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct cephc_osdmap *m = NULL;
	struct cephc_pg_mapping mp;
	uint32_t i, ps, budget = 512;
	char out[256];

	if (!devnull)
		devnull = fopen("/dev/null", "w");
	if (cephc_osdmap_decode(data, size, &m))
		return 0;
	for (i = 0; i < m->n_pools && budget; i++) {
		for (ps = 0; ps < m->pools[i].pg_num && budget;
		     ps++, budget--) {
			struct cephc_pg pg = {m->pools[i].id, ps};

			cephc_osdmap_pg_to_osds(m, pg, &mp, NULL);
		}
		cephc_osdmap_format_object_map(m, m->pools[i].id, "foo", "ns",
					       i & 1, out, sizeof(out));
	}
	if (devnull)
		cephc_osdmap_print(m, devnull);
	cephc_osdmap_free(m);
	return 0;
}
