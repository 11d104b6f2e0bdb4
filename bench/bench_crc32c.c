/* SPDX-License-Identifier: MIT */
/*
 * crc32c throughput: cephc_crc32c (ISA-L when built with it) and the
 * portable table code, over 4 KiB and 64 KiB buffers, plus the message data
 * cursor folding crc32c over a 64 KiB page vector while it advances (the
 * cost the messenger pays per data section).  Prints GB/s (10^9 bytes/s).
 *
 * usage: bench_crc32c [seconds per case, default 0.3]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/crc32c.h"
#include "core/msg_data.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef uint32_t (*crc_fn)(uint32_t, const void *, size_t);

/* Run fn over buf repeatedly for about `secs`; returns GB/s. */
static double bench_fn(crc_fn fn, const uint8_t *buf, size_t len, double secs,
		       uint32_t *sink)
{
	double t0 = now(), t;
	uint64_t bytes = 0;
	uint32_t crc = 0;

	do {
		/* batches keep clock reads out of the measurement */
		for (int i = 0; i < 64; i++) {
			crc = fn(crc, buf, len);
			bytes += len;
		}
		t = now() - t0;
	} while (t < secs);
	*sink ^= crc;
	return (double)bytes / t / 1e9;
}

/* crc32c through the cursor over a page vector of len bytes. */
static double bench_cursor(struct cephc_msg_data *md, size_t len, double secs,
			   uint32_t *sink)
{
	double t0 = now(), t;
	uint64_t bytes = 0;
	uint32_t crc = 0;

	do {
		for (int i = 0; i < 64; i++) {
			struct cephc_msg_cursor c;

			cephc_msg_cursor_init(&c, md, len);
			cephc_msg_cursor_advance_crc(&c, len, &crc);
			bytes += len;
		}
		t = now() - t0;
	} while (t < secs);
	*sink ^= crc;
	return (double)bytes / t / 1e9;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = {4096, 65536};
	double secs = argc > 1 ? atof(argv[1]) : 0.3;
	uint8_t *buf = malloc(65536);
	struct cephc_msg_data md;
	uint32_t sink = 0;

	if (!buf || secs <= 0)
		return 1;
	for (size_t i = 0; i < 65536; i++)
		buf[i] = (uint8_t)(i * 131 + 7);
	printf("crc32c implementation: %s\n", cephc_crc32c_impl());
	for (size_t i = 0; i < 2; i++) {
		size_t len = sizes[i];

		printf("%-32s %6zu B  %7.2f GB/s\n", "cephc_crc32c", len,
		       bench_fn(cephc_crc32c, buf, len, secs, &sink));
		printf("%-32s %6zu B  %7.2f GB/s\n", "cephc_crc32c_portable",
		       len,
		       bench_fn(cephc_crc32c_portable, buf, len, secs, &sink));
		cephc_msg_data_init(&md);
		if (cephc_msg_data_alloc_pages(&md, len, len))
			return 1;
		cephc_msg_data_copy_in(&md, 0, buf, len);
		printf("%-32s %6zu B  %7.2f GB/s\n",
		       "cursor advance_crc (pagevec)", len,
		       bench_cursor(&md, len, secs, &sink));
		cephc_msg_data_release(&md);
	}
	free(buf);
	/* keep the results live so the loops are not optimised away */
	return sink == 0x12345678 ? 2 : 0;
}
