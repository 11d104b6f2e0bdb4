/* SPDX-License-Identifier: MIT */
/*
 * Ceph versioned envelopes and the decoders nested in them: arbitrary bytes
 * through dec_envelope() (with a compat limit taken from the input), then,
 * inside the body, integers, blobs, strings, counts, a nested envelope and
 * entity addresses / addrvecs.  Every path must stop at the bounds with a
 * sticky error; nothing may read past the input or leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/addr.h"
#include "core/alloc.h"
#include "core/decode.h"

#define FUZZ_BLOB_MAX 4096
#define FUZZ_COUNT_MAX 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_body(struct cephc_dec *b, int depth)
{
	struct cephc_entity_addr av[CEPHC_ADDRVEC_MAX];
	struct cephc_entity_name en;
	struct cephc_dec inner;
	uint32_t n, len, cnt;
	uint8_t v, sel;
	char *str;

	while (!b->err && dec_left(b)) {
		sel = dec_u8(b);
		switch (sel % 9) {
		case 0:
			(void)dec_le64(b);
			break;
		case 1:
			(void)dec_blob(b, &len, FUZZ_BLOB_MAX);
			break;
		case 2:
			str = dec_string_dup(b, FUZZ_BLOB_MAX);
			cephc_free(str);
			break;
		case 3:
			n = dec_count(b, FUZZ_COUNT_MAX, 4);
			for (uint32_t i = 0; i < n && !b->err; i++)
				(void)dec_le32(b);
			break;
		case 4:
			if (depth < 4 && dec_envelope(b, (uint8_t)(sel >> 4),
						      &v, &inner) == 0) {
				decode_body(&inner, depth + 1);
				dec_envelope_end(b, &inner);
			}
			break;
		case 5:
			cephc_addr_decode(b, &av[0]);
			break;
		case 6:
			cephc_addrvec_decode(b, av, CEPHC_ADDRVEC_MAX, &cnt);
			break;
		case 7:
			cephc_entity_name_decode(b, &en);
			break;
		default:
			cephc_addr_decode_legacy(b, &av[0]);
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cephc_dec d, body;
	uint8_t v;

	if (size < 1)
		return 0;
	dec_init(&d, data + 1, size - 1);
	while (!d.err && dec_left(&d)) {
		if (dec_envelope(&d, data[0], &v, &body))
			break;
		decode_body(&body, 0);
		dec_envelope_end(&d, &body);
	}
	return 0;
}
