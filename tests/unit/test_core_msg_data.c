/* SPDX-License-Identifier: MIT */
/*
 * Partial I/O through the message data cursor.  Each buffer kind (and mixed
 * lists with a trailing item) is pushed through a non-blocking AF_UNIX
 * socketpair with sendmsg/recvmsg on the cursor's iovecs, where the peer
 * accepts or returns at most K bytes per call, for K = 1..64 and larger; the
 * cursors advance by exactly what each syscall returned.  The received bytes
 * and the crc32c folded incrementally on both sides must equal a one-shot
 * crc32c of the source, and no payload byte may be copied in user space.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/crc32c.h"
#include "core/msg_data.h"

enum { MAX_IOV = 16, MAX_PAGES = 8 };

static void pattern(uint8_t *p, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 7;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

/*
 * Storage for one side: a message data list plus the memory its referenced
 * items point to.  Kinds are chosen by a short string, one letter an item:
 *   f flat buffer, c buffer chain (odd segments + empty ones),
 *   v page vector (offset into its first page), l pagelist (with a reserve
 *   hole), a owned pages (alloc_pages), 0 zero-length flat buffer;
 *   a letter after '+' is the trailing item.
 */
struct side {
	struct cephc_msg_data md;
	uint8_t *mem[32]; /* caller memory to free */
	int nmem;
	struct iovec iov[8][8];
	struct cephc_bufchain bc[8];
	int nbc;
	void *pages[8][MAX_PAGES];
	struct cephc_pagevec pv[8];
	int npv;
};

static uint8_t *side_mem(struct side *s, size_t len, uint32_t seed)
{
	uint8_t *p = malloc(len ? len : 1);

	assert_non_null(p);
	pattern(p, len, seed);
	s->mem[s->nmem++] = p;
	return p;
}

/* Build one item of `len` bytes of kind k into *it. */
static void side_item(struct side *s, char k, size_t len, uint32_t seed,
		      struct cephc_data_item *it)
{
	switch (k) {
	case 'f':
		cephc_data_item_buf(it, side_mem(s, len, seed), len);
		break;
	case '0':
		cephc_data_item_buf(it, NULL, 0);
		break;
	case 'c': {
		/* segments of 1, 0, 7, 0, then thirds of the rest */
		struct iovec *iov = s->iov[s->nbc];
		uint8_t *p = side_mem(s, len, seed);
		size_t cut[4] = {1, 0, 7, 0}, at = 0;
		int n = 0;

		for (int i = 0; i < 4 && at + cut[i] <= len; i++) {
			iov[n++] = (struct iovec){p + at, cut[i]};
			at += cut[i];
		}
		for (int i = 0; i < 3; i++) {
			size_t l = i < 2 ? (len - at) / 3 : len - at;

			iov[n++] = (struct iovec){p + at, l};
			at += l;
		}
		cephc_bufchain_init_iov(&s->bc[s->nbc], iov, (size_t)n);
		assert_int_equal(s->bc[s->nbc].length, len);
		cephc_data_item_bufchain(it, &s->bc[s->nbc]);
		s->nbc++;
		break;
	}
	case 'v': {
		size_t off = 4096 - 5 - seed % 50;
		size_t np = cephc_pages_spanned(off, len);

		assert_true(np <= MAX_PAGES);
		for (size_t i = 0; i < np; i++)
			s->pages[s->npv][i] =
			    side_mem(s, CEPHC_PAGE_SIZE, seed + (uint32_t)i);
		assert_int_equal(cephc_pagevec_init(&s->pv[s->npv],
						    s->pages[s->npv], np,
						    np ? off : 0, len),
				 0);
		cephc_data_item_pagevec(it, &s->pv[s->npv]);
		s->npv++;
		break;
	}
	case 'l': {
		struct cephc_pagelist pl;
		uint8_t *tmp = malloc(len + 1);
		size_t first = len < 4093 ? len : 4093;

		pattern(tmp, len, seed);
		cephc_pagelist_init(&pl);
		cephc_pagelist_append(&pl, tmp, first);
		if (len - first >= 4) {
			/* 4 bytes that do not fit page 0's last 3: a reserve
			 * starts page 1 and leaves a hole in page 0 */
			memcpy(cephc_pagelist_reserve(&pl, 4), tmp + first, 4);
			first += 4;
		}
		cephc_pagelist_append(&pl, tmp + first, len - first);
		assert_int_equal(pl.length, len);
		cephc_data_item_pagelist(it, &pl);
		free(tmp);
		break;
	}
	case 'a': {
		struct cephc_pagevec pv;

		assert_int_equal(cephc_pagevec_alloc(&pv, len, 1 << 20), 0);
		for (size_t i = 0; i < pv.npages; i++)
			pattern(pv.pages[i], CEPHC_PAGE_SIZE,
				seed + (uint32_t)i);
		cephc_data_item_give_pagevec(it, &pv);
		break;
	}
	default:
		fail_msg("bad kind %c", k);
	}
}

/*
 * Build a side from kinds and a total length split over the items (the
 * '0' items get nothing; the rest share it, the first taking the remainder).
 */
static void side_build(struct side *s, const char *kinds, size_t total,
		       uint32_t seed)
{
	int nitems = 0, nz = 0;
	size_t share, first;
	bool trailing = false;

	memset(s, 0, sizeof(*s));
	cephc_msg_data_init(&s->md);
	for (const char *k = kinds; *k; k++) {
		if (*k == '+')
			continue;
		nitems++;
		if (*k == '0')
			nz++;
	}
	share = nitems > nz ? total / (size_t)(nitems - nz) : 0;
	first = nitems > nz ? total - share * (size_t)(nitems - nz - 1) : 0;
	for (const char *k = kinds; *k; k++) {
		struct cephc_data_item it;
		size_t len;

		if (*k == '+') {
			trailing = true;
			continue;
		}
		len = *k == '0' ? 0 : first ? first : share;
		if (*k != '0')
			first = 0;
		side_item(s, *k, len, seed++, &it);
		if (trailing)
			assert_int_equal(
			    cephc_msg_data_set_trailing(&s->md, &it), 0);
		else
			assert_int_equal(cephc_msg_data_add(&s->md, &it), 0);
	}
	assert_int_equal(cephc_msg_data_length(&s->md), total);
}

static void side_free(struct side *s)
{
	cephc_msg_data_release(&s->md);
	for (int i = 0; i < s->nmem; i++)
		free(s->mem[i]);
}

/* Flatten through copy_out (test oracle only). */
static uint8_t *flat(const struct cephc_msg_data *md, size_t len)
{
	uint8_t *p = malloc(len + 1);

	assert_int_equal(cephc_msg_data_copy_out(md, 0, p, len), 0);
	return p;
}

/* Trim an iovec array to at most cap bytes; returns the new count. */
static int iov_trim(struct iovec *iov, int n, size_t cap)
{
	size_t sum = 0;

	for (int i = 0; i < n; i++) {
		if (sum + iov[i].iov_len >= cap) {
			iov[i].iov_len = cap - sum;
			return iov[i].iov_len ? i + 1 : i;
		}
		sum += iov[i].iov_len;
	}
	return n;
}

struct pump_stats {
	long sends, recvs, eagain;
};

/*
 * Move len bytes from src to dst through a non-blocking socketpair.  The
 * sender offers everything the cursor yields (max_iov entries) and the
 * "peer" takes at most ksend bytes per call; the receiver asks for at most
 * krecv bytes per call.  Returns both incremental crcs.
 */
static void pump(const struct cephc_msg_data *src, struct cephc_msg_data *dst,
		 size_t len, size_t ksend, size_t krecv, int max_iov,
		 int sndbuf, uint32_t seed, uint32_t *scrc, uint32_t *rcrc,
		 struct pump_stats *st)
{
	struct cephc_msg_cursor sc, rc;
	struct iovec iov[MAX_IOV];
	size_t rounds = 0;
	int sv[2];

	assert_int_equal(
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
	if (sndbuf)
		setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sndbuf,
			   sizeof(sndbuf));
	assert_int_equal(cephc_msg_cursor_init(&sc, src, len), 0);
	assert_int_equal(cephc_msg_cursor_init(&rc, dst, len), 0);
	*scrc = *rcrc = seed;
	while (cephc_msg_cursor_remaining(&sc) ||
	       cephc_msg_cursor_remaining(&rc)) {
		/* each round moves a byte at least, or meets a full buffer:
		 * a cursor that stops moving fails instead of spinning */
		assert_true(++rounds < 4 * len + 1000);
		if (cephc_msg_cursor_remaining(&sc)) {
			struct msghdr mh = {.msg_iov = iov};
			int n = cephc_msg_cursor_fill_iov(&sc, iov, max_iov,
							  SIZE_MAX);
			ssize_t r;

			assert_true(n > 0);
			mh.msg_iovlen = (size_t)iov_trim(iov, n, ksend);
			r = sendmsg(sv[0], &mh, MSG_NOSIGNAL);
			if (r < 0) {
				assert_int_equal(errno, EAGAIN);
				st->eagain++;
			} else {
				assert_true(r > 0 && (size_t)r <= ksend);
				assert_int_equal(cephc_msg_cursor_advance_crc(
						     &sc, (size_t)r, scrc),
						 0);
				st->sends++;
			}
		}
		if (cephc_msg_cursor_remaining(&rc)) {
			struct msghdr mh = {.msg_iov = iov};
			int n =
			    cephc_msg_cursor_fill_iov(&rc, iov, max_iov, krecv);
			ssize_t r;

			assert_true(n > 0);
			mh.msg_iovlen = (size_t)n;
			r = recvmsg(sv[1], &mh, 0);
			if (r < 0) {
				assert_int_equal(errno, EAGAIN);
			} else {
				assert_true(r > 0 && (size_t)r <= krecv);
				assert_int_equal(cephc_msg_cursor_advance_crc(
						     &rc, (size_t)r, rcrc),
						 0);
				st->recvs++;
			}
		}
	}
	close(sv[0]);
	close(sv[1]);
}

/*
 * One scenario: src kinds -> dst kinds, len bytes, for every K in 1..64
 * and a few larger values, both as the sender's and (offset) the
 * receiver's per-call limit.
 */
static void run(const char *src_kinds, const char *dst_kinds, size_t len)
{
	static const size_t big[] = {100,  1000,  4095,    4096,
				     4097, 65536, SIZE_MAX};
	struct side src, dst;
	uint8_t *want;
	uint32_t want_crc[2];
	uint64_t copies;
	struct pump_stats st = {0};

	side_build(&src, src_kinds, len, 100);
	side_build(&dst, dst_kinds, len, 200);
	want = flat(&src.md, len);
	want_crc[0] = cephc_crc32c(0, want, len);
	want_crc[1] = cephc_crc32c(0xffffffff, want, len);

	for (size_t i = 0; i < 64 + sizeof(big) / sizeof(big[0]); i++) {
		size_t k = i < 64 ? i + 1 : big[i - 64];
		/* the receiver's limit differs so the two sides' boundaries
		 * fall in different places */
		size_t krecv = k == SIZE_MAX ? SIZE_MAX : k * 3 / 2 + 1;
		int max_iov = (int)(i % MAX_IOV) + 1;
		uint32_t seed = i & 1 ? 0xffffffff : 0;
		uint32_t scrc, rcrc;
		uint8_t *got;

		copies = cephc_payload_copy_bytes();
		pump(&src.md, &dst.md, len, k, krecv, max_iov, 0, seed, &scrc,
		     &rcrc, &st);
		assert_int_equal(cephc_payload_copy_bytes(), copies);
		assert_int_equal(scrc, want_crc[i & 1]);
		assert_int_equal(rcrc, want_crc[i & 1]);
		got = flat(&dst.md, len);
		assert_memory_equal(got, want, len);
		free(got);
		/* scribble so the next round must rewrite every byte */
		if (len) {
			uint8_t *junk = calloc(1, len);

			cephc_msg_data_copy_in(&dst.md, 0, junk, len);
			free(junk);
		}
	}
	free(want);
	side_free(&src);
	side_free(&dst);
}

static void test_flat_buffer_partial_io(void **state)
{
	(void)state;
	run("f", "f", 5000);
}

static void test_bufchain_partial_io(void **state)
{
	(void)state;
	run("c", "f", 3001);
	run("f", "c", 3001);
	run("c", "c", 2500);
}

static void test_pagevec_partial_io(void **state)
{
	(void)state;
	/* starts a few bytes before a page end, spans 3 pages */
	run("v", "f", 2 * CEPHC_PAGE_SIZE + 10);
	run("f", "v", 2 * CEPHC_PAGE_SIZE + 10);
}

static void test_pagelist_partial_io(void **state)
{
	(void)state;
	run("l", "f", 2 * CEPHC_PAGE_SIZE + 100);
	run("l", "a", 2 * CEPHC_PAGE_SIZE + 100);
}

static void test_mixed_with_trailing_partial_io(void **state)
{
	(void)state;
	run("c0vl0f+f", "af", 3 * CEPHC_PAGE_SIZE + 77);
	run("f0l+c", "c0v+f", 2 * CEPHC_PAGE_SIZE + 5);
	run("0000+l", "cv", 5000);
}

static void test_empty_and_tiny_lists(void **state)
{
	(void)state;
	run("", "", 0);
	run("00+0", "0", 0);
	run("0l0", "c", 1);
	run("+f", "0+c", 2);
}

/*
 * The kernel itself returns short sends: a small send buffer and a slow
 * receiver make sendmsg accept part of the offered iovecs or nothing
 * (EAGAIN); the cursor must resume where the kernel stopped.
 */
static void test_kernel_short_sends(void **state)
{
	struct side src, dst;
	uint8_t *want, *got;
	uint32_t scrc, rcrc;
	size_t len = 6 * CEPHC_PAGE_SIZE + 333;
	struct pump_stats st = {0};

	(void)state;
	side_build(&src, "cvlf+f", len, 1);
	side_build(&dst, "vc+a", len, 2);
	want = flat(&src.md, len);
	for (size_t krecv = 1; krecv < 4000; krecv = krecv * 5 + 3) {
		pump(&src.md, &dst.md, len, SIZE_MAX, krecv, MAX_IOV, 4096, 0,
		     &scrc, &rcrc, &st);
		assert_int_equal(scrc, cephc_crc32c(0, want, len));
		assert_int_equal(rcrc, scrc);
		got = flat(&dst.md, len);
		assert_memory_equal(got, want, len);
		free(got);
	}
	/* the socket buffer really did fill and cut sends short */
	assert_true(st.eagain > 0);
	assert_true(st.sends > 5);
	free(want);
	side_free(&src);
	side_free(&dst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_flat_buffer_partial_io),
	    cmocka_unit_test(test_bufchain_partial_io),
	    cmocka_unit_test(test_pagevec_partial_io),
	    cmocka_unit_test(test_pagelist_partial_io),
	    cmocka_unit_test(test_mixed_with_trailing_partial_io),
	    cmocka_unit_test(test_empty_and_tiny_lists),
	    cmocka_unit_test(test_kernel_short_sends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
