/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: decode a crush map, then run its first rules on a few
 * inputs.  Whatever the bytes, decode must fail cleanly or yield a map the
 * mapper can run without reading out of bounds.  Rules are only run when
 * the map's retry counts are small, because Ceph's algorithm legitimately
 * loops (tries x replicas x depth) for as long as a map asks it to.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "osdmap/crush/crush_internal.h"

#define FUZZ_MAX_TRIES 64
#define FUZZ_MAX_NUMREP 16
#define FUZZ_MAX_DEVICES 4096

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int rule_is_cheap(const struct crush_rule *r)
{
	for (uint32_t i = 0; i < r->len; i++) {
		const struct crush_rule_step *s = &r->steps[i];

		switch (s->op) {
		case CRUSH_RULE_CHOOSE_FIRSTN:
		case CRUSH_RULE_CHOOSE_INDEP:
		case CRUSH_RULE_CHOOSELEAF_FIRSTN:
		case CRUSH_RULE_CHOOSELEAF_INDEP:
		case CRUSH_RULE_CHOOSE_MSR:
			if (s->arg1 > FUZZ_MAX_NUMREP)
				return 0;
			break;
		case CRUSH_RULE_SET_CHOOSE_TRIES:
		case CRUSH_RULE_SET_CHOOSELEAF_TRIES:
		case CRUSH_RULE_SET_CHOOSE_LOCAL_TRIES:
		case CRUSH_RULE_SET_CHOOSE_LOCAL_FALLBACK_TRIES:
		case CRUSH_RULE_SET_MSR_DESCENTS:
		case CRUSH_RULE_SET_MSR_COLLISION_TRIES:
			if (s->arg1 > FUZZ_MAX_TRIES)
				return 0;
			break;
		default:
			break;
		}
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cephc_crush_map *m = NULL;
	uint32_t *weights;
	int out[8];

	if (cephc_crush_decode(data, size, &m))
		return 0;
	if (m->choose_total_tries > FUZZ_MAX_TRIES ||
	    m->choose_local_tries > FUZZ_MAX_TRIES ||
	    m->choose_local_fallback_tries > FUZZ_MAX_TRIES ||
	    m->msr_descents > FUZZ_MAX_TRIES ||
	    m->msr_collision_tries > FUZZ_MAX_TRIES ||
	    m->max_devices > FUZZ_MAX_DEVICES)
		goto out;
	weights = malloc(((size_t)m->max_devices + 1) * sizeof(*weights));
	if (!weights)
		goto out;
	/* Mix in, out and partially-out devices. */
	for (int d = 0; d < m->max_devices; d++)
		weights[d] = d % 7 == 3 ? 0 : d % 5 == 1 ? 0x8000 : 0x10000;
	for (uint32_t r = 0; r < m->max_rules && r < 4; r++) {
		const struct cephc_crush_choose_arg *ca =
		    cephc_crush_choose_args_for_pool(m, (int64_t)r - 1);

		if (!m->rules[r].exists || !rule_is_cheap(&m->rules[r]))
			continue;
		for (int x = 0; x < 4; x++) {
			int n = cephc_crush_do_rule(m, (int)r, x * 7919, out,
						    1 + x * 2, weights,
						    m->max_devices, ca, NULL);

			if (n < 0 || n > 1 + x * 2)
				abort();
		}
	}
	free(weights);
out:
	cephc_crush_free(m);
	return 0;
}
