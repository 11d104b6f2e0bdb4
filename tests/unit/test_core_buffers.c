/* SPDX-License-Identifier: MIT */
/*
 * Buffer types of src/core: pagelist (encode helpers, reserve-then-fill,
 * envelopes readable by dec_envelope), page vector, buffer chain, message
 * data lists and the cursor (bytes, crc32c, boundaries, limits, no
 * allocation), bounce of unstable memory and the payload copy counter.
 * Socket-level partial I/O is in test_core_msg_data.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cephc/cephc.h"
#include "core/alloc.h"
#include "core/bufchain.h"
#include "core/crc32c.h"
#include "core/decode.h"
#include "core/encode.h"
#include "core/msg_data.h"
#include "core/pagelist.h"
#include "core/pagevec.h"

/* Deterministic, position- and seed-dependent bytes. */
static void pattern(uint8_t *p, size_t len, uint32_t seed)
{
	uint32_t x = seed * 2654435761u + 1;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245u + 12345u;
		p[i] = (uint8_t)(x >> 16);
	}
}

/* --- allocation-counting / failing allocator ----------------------------- */

static long alloc_calls;
static long alloc_fail_after = -1; /* fail once this many calls succeeded */

static int alloc_should_fail(void)
{
	if (alloc_fail_after >= 0 && alloc_calls >= alloc_fail_after)
		return 1;
	alloc_calls++;
	return 0;
}

static void *t_malloc(size_t n)
{
	return alloc_should_fail() ? NULL : malloc(n);
}

static void *t_realloc(void *p, size_t n)
{
	return alloc_should_fail() ? NULL : realloc(p, n);
}

static void *t_calloc(size_t c, size_t n)
{
	return alloc_should_fail() ? NULL : calloc(c, n);
}

static void counting_allocator(long fail_after)
{
	alloc_calls = 0;
	alloc_fail_after = fail_after;
	assert_int_equal(
	    cephc_set_allocator(t_malloc, t_realloc, t_calloc, free), 0);
}

static void default_allocator(void)
{
	cephc_set_allocator(NULL, NULL, NULL, NULL);
	alloc_fail_after = -1;
}

/* Flatten all bytes of md through copy_out. */
static uint8_t *md_flat(const struct cephc_msg_data *md)
{
	uint8_t *p = malloc(md->length + 1);

	assert_non_null(p);
	assert_int_equal(cephc_msg_data_copy_out(md, 0, p, md->length), 0);
	return p;
}

/* Flatten by walking the cursor's iovecs (fill + advance, no copy API). */
static size_t cursor_flat(const struct cephc_msg_data *md, size_t len,
			  uint8_t *out, int max_iov, size_t max_bytes)
{
	struct cephc_msg_cursor c;
	struct iovec iov[16];
	size_t got = 0;

	assert_int_equal(cephc_msg_cursor_init(&c, md, len), 0);
	while (cephc_msg_cursor_remaining(&c)) {
		int n = cephc_msg_cursor_fill_iov(&c, iov, max_iov, max_bytes);
		size_t sum = 0;

		assert_true(n > 0 && n <= max_iov);
		for (int i = 0; i < n; i++) {
			assert_true(iov[i].iov_len > 0);
			memcpy(out + got + sum, iov[i].iov_base,
			       iov[i].iov_len);
			sum += iov[i].iov_len;
		}
		assert_true(sum <= max_bytes);
		assert_int_equal(cephc_msg_cursor_advance(&c, sum), 0);
		got += sum;
	}
	return got;
}

/* --- pagelist ------------------------------------------------------------ */

static void test_pagelist_append_crosses_pages(void **state)
{
	enum { N = 3 * CEPHC_PAGE_SIZE + 123 };
	uint8_t *src = malloc(N), *out = malloc(N);
	struct cephc_pagelist pl;
	size_t done = 0, step = 1;

	(void)state;
	pattern(src, N, 1);
	cephc_pagelist_init(&pl);
	assert_int_equal(cephc_pagelist_length(&pl), 0);
	while (done < N) {
		size_t n = step < N - done ? step : N - done;

		assert_int_equal(cephc_pagelist_append(&pl, src + done, n), 0);
		done += n;
		step = step * 3 + 1; /* 1, 4, 13, 40, ... crossing pages */
	}
	assert_int_equal(cephc_pagelist_length(&pl), N);
	assert_int_equal(pl.npages, 4);
	assert_int_equal(cephc_pagelist_copy_out(&pl, 0, out, N), 0);
	assert_memory_equal(out, src, N);
	assert_int_equal(cephc_pagelist_copy_out(&pl, 4000, out, 300), 0);
	assert_memory_equal(out, src + 4000, 300);
	assert_int_equal(cephc_pagelist_copy_out(&pl, N - 1, out, 2),
			 CEPHC_EINVAL);
	assert_int_equal(cephc_pagelist_append_zeros(&pl, 5), 0);
	assert_int_equal(cephc_pagelist_copy_out(&pl, N, out, 5), 0);
	assert_memory_equal(out, "\0\0\0\0\0", 5);
	cephc_pagelist_release(&pl);
	assert_int_equal(cephc_pagelist_length(&pl), 0);
	assert_null(pl.head);
	free(src);
	free(out);
}

static void test_pagelist_encode_helpers_decode_back(void **state)
{
	struct cephc_pagelist pl;
	uint8_t buf[CEPHC_PAGE_SIZE + 64];
	struct cephc_dec d;
	uint32_t len;
	const uint8_t *s;

	(void)state;
	cephc_pagelist_init(&pl);
	/* Start near a page end so the integers straddle pages. */
	cephc_pagelist_append_zeros(&pl, CEPHC_PAGE_SIZE - 3);
	cephc_pagelist_encode_u8(&pl, 0xab);
	cephc_pagelist_encode_le16(&pl, 0x1234);
	cephc_pagelist_encode_le32(&pl, 0xdeadbeef);
	cephc_pagelist_encode_le64(&pl, 0x0102030405060708ull);
	cephc_pagelist_encode_blob(&pl, "xyz", 3);
	cephc_pagelist_encode_string(&pl, "client.admin");
	assert_int_equal(cephc_pagelist_err(&pl), 0);
	len = (uint32_t)cephc_pagelist_length(&pl);
	assert_int_equal(len, CEPHC_PAGE_SIZE - 3 + 1 + 2 + 4 + 8 + 7 + 16);
	assert_int_equal(cephc_pagelist_copy_out(&pl, 0, buf, len), 0);
	dec_init(&d, buf, len);
	dec_skip(&d, CEPHC_PAGE_SIZE - 3);
	assert_int_equal(dec_u8(&d), 0xab);
	assert_int_equal(dec_le16(&d), 0x1234);
	assert_int_equal(dec_le32(&d), 0xdeadbeef);
	assert_true(dec_le64(&d) == 0x0102030405060708ull);
	s = dec_blob(&d, &len, 16);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "xyz", 3);
	s = dec_blob(&d, &len, 16);
	assert_int_equal(len, 12);
	assert_memory_equal(s, "client.admin", 12);
	assert_int_equal(dec_left(&d), 0);
	assert_int_equal(d.err, 0);
	/* Little-endian on the wire. */
	assert_int_equal(buf[CEPHC_PAGE_SIZE - 3 + 1], 0x34);
	cephc_pagelist_release(&pl);
}

static void test_pagelist_reserve_then_fill(void **state)
{
	struct cephc_pagelist pl;
	uint8_t buf[2 * CEPHC_PAGE_SIZE];
	uint8_t *lenp, *cnt;
	struct cephc_dec d;

	(void)state;
	cephc_pagelist_init(&pl);
	cnt = cephc_pagelist_reserve(&pl, 4); /* count, known at the end */
	assert_non_null(cnt);
	cephc_pagelist_append_zeros(&pl, CEPHC_PAGE_SIZE - 4 - 2);
	/* 2 bytes left in the page: a 4-byte reserve starts a new page and
	 * the 2 unused bytes are not data. */
	lenp = cephc_pagelist_reserve(&pl, 4);
	assert_non_null(lenp);
	assert_int_equal(pl.npages, 2);
	assert_int_equal(cephc_pagelist_length(&pl), CEPHC_PAGE_SIZE - 2 + 4);
	cephc_pagelist_append(&pl, "body", 4);
	put_le32(lenp, 4);
	put_le32(cnt, 77);
	assert_int_equal(cephc_pagelist_copy_out(&pl, 0, buf, pl.length), 0);
	dec_init(&d, buf, pl.length);
	assert_int_equal(dec_le32(&d), 77);
	dec_skip(&d, CEPHC_PAGE_SIZE - 6);
	assert_int_equal(dec_le32(&d), 4);
	assert_memory_equal(dec_ptr(&d, 4), "body", 4);
	assert_int_equal(dec_left(&d), 0);

	/* The reserved pointer survives a move (pages never move). */
	struct cephc_pagelist other;

	cephc_pagelist_init(&other);
	cephc_pagelist_move(&other, &pl);
	assert_int_equal(cephc_pagelist_length(&pl), 0);
	assert_null(pl.head);
	put_le32(lenp, 0x01020304);
	assert_int_equal(
	    cephc_pagelist_copy_out(&other, CEPHC_PAGE_SIZE - 2, buf, 4), 0);
	assert_int_equal(get_le32(buf), 0x01020304);

	/* Too large a reserve: EINVAL, sticky, later writes dropped. */
	assert_null(cephc_pagelist_reserve(&other, CEPHC_PAGE_SIZE + 1));
	assert_int_equal(cephc_pagelist_err(&other), CEPHC_EINVAL);
	size_t before = cephc_pagelist_length(&other);
	cephc_pagelist_encode_le32(&other, 1);
	assert_int_equal(cephc_pagelist_append(&other, "x", 1), CEPHC_EINVAL);
	assert_int_equal(cephc_pagelist_length(&other), before);
	/* A full-page reserve is allowed. */
	cephc_pagelist_release(&other);
	assert_non_null(cephc_pagelist_reserve(&other, CEPHC_PAGE_SIZE));
	assert_non_null(cephc_pagelist_reserve(&other, 0));
	assert_int_equal(other.npages, 1);
	cephc_pagelist_release(&other);
	assert_non_null(cephc_pagelist_reserve(&other, 0));
	assert_int_equal(cephc_pagelist_length(&other), 0);
	cephc_pagelist_release(&other);
}

static void test_pagelist_envelope_readable_by_dec_envelope(void **state)
{
	struct cephc_pagelist pl;
	struct cephc_pl_envelope outer, inner;
	uint8_t buf[2 * CEPHC_PAGE_SIZE];
	struct cephc_dec d, body, sub;
	uint8_t v;

	(void)state;
	cephc_pagelist_init(&pl);
	/* Put the outer length field across what would be a page end. */
	cephc_pagelist_append_zeros(&pl, CEPHC_PAGE_SIZE - 4);
	outer = cephc_pagelist_envelope_begin(&pl, 3, 1);
	cephc_pagelist_encode_le32(&pl, 42);
	inner = cephc_pagelist_envelope_begin(&pl, 2, 2);
	cephc_pagelist_encode_string(&pl, "inner");
	cephc_pagelist_envelope_end(&pl, inner);
	cephc_pagelist_encode_le64(&pl, 7);
	cephc_pagelist_envelope_end(&pl, outer);
	cephc_pagelist_encode_u8(&pl, 0x5a); /* after the envelope */
	assert_int_equal(pl.err, 0);
	assert_int_equal(cephc_pagelist_copy_out(&pl, 0, buf, pl.length), 0);

	dec_init(&d, buf, pl.length);
	dec_skip(&d, CEPHC_PAGE_SIZE - 4);
	assert_int_equal(dec_envelope(&d, 1, &v, &body), 0);
	assert_int_equal(v, 3);
	assert_int_equal(dec_le32(&body), 42);
	assert_int_equal(dec_envelope(&body, 2, &v, &sub), 0);
	assert_int_equal(v, 2);
	char *s = dec_string_dup(&sub, 64);
	assert_string_equal(s, "inner");
	cephc_free(s);
	assert_int_equal(dec_left(&sub), 0);
	assert_true(dec_le64(&body) == 7);
	assert_int_equal(dec_left(&body), 0);
	assert_int_equal(dec_envelope_end(&d, &body), 0);
	assert_int_equal(dec_u8(&d), 0x5a);
	assert_int_equal(dec_left(&d), 0);
	cephc_pagelist_release(&pl);
}

static void test_pagelist_enomem_is_sticky(void **state)
{
	struct cephc_pagelist pl;
	uint8_t big[CEPHC_PAGE_SIZE + 10];
	struct cephc_pl_envelope env;

	(void)state;
	memset(big, 1, sizeof(big));
	cephc_pagelist_init(&pl);
	counting_allocator(1); /* the first page succeeds, the second fails */
	assert_int_equal(cephc_pagelist_append(&pl, big, sizeof(big)),
			 CEPHC_ENOMEM);
	assert_int_equal(cephc_pagelist_length(&pl), CEPHC_PAGE_SIZE);
	default_allocator();
	/* Later writes are dropped even though memory is back. */
	cephc_pagelist_encode_le32(&pl, 5);
	assert_null(cephc_pagelist_reserve(&pl, 4));
	env = cephc_pagelist_envelope_begin(&pl, 1, 1);
	assert_null(env.lenp);
	cephc_pagelist_envelope_end(&pl, env);
	assert_int_equal(cephc_pagelist_length(&pl), CEPHC_PAGE_SIZE);
	assert_int_equal(cephc_pagelist_err(&pl), CEPHC_ENOMEM);

	/* A failed pagelist handed to a message is refused and freed. */
	struct cephc_msg_data md;

	cephc_msg_data_init(&md);
	assert_int_equal(cephc_msg_data_add_pagelist(&md, &pl), CEPHC_ENOMEM);
	assert_null(pl.head);
	assert_int_equal(cephc_msg_data_nitems(&md), 0);
	cephc_msg_data_release(&md);
}

/* --- page vector --------------------------------------------------------- */

static void test_pagevec_init_checks_bounds(void **state)
{
	struct cephc_pagevec pv;
	void *pages[3];

	(void)state;
	assert_int_equal(cephc_pagevec_init(&pv, pages, 3, CEPHC_PAGE_SIZE, 1),
			 CEPHC_EINVAL);
	/* offset 1 + 3 pages of data needs 4 pages */
	assert_int_equal(
	    cephc_pagevec_init(&pv, pages, 3, 1, 3 * CEPHC_PAGE_SIZE),
	    CEPHC_EINVAL);
	assert_int_equal(
	    cephc_pagevec_init(&pv, pages, 3, 1, 3 * CEPHC_PAGE_SIZE - 1), 0);
	assert_int_equal(cephc_pagevec_init(&pv, NULL, 0, 0, 0), 0);
	assert_int_equal(cephc_pages_spanned(0, 0), 0);
	assert_int_equal(cephc_pages_spanned(0, CEPHC_PAGE_SIZE), 1);
	assert_int_equal(cephc_pages_spanned(1, CEPHC_PAGE_SIZE), 2);
	assert_int_equal(cephc_pages_spanned(CEPHC_PAGE_SIZE - 1, 1), 1);
}

static void test_pagevec_alloc_bounded_and_copies(void **state)
{
	enum { N = 2 * CEPHC_PAGE_SIZE + 17 };
	struct cephc_pagevec pv;
	uint8_t *src = malloc(N), *out = malloc(N);
	uint64_t copied;

	(void)state;
	counting_allocator(-1);
	assert_int_equal(cephc_pagevec_alloc(&pv, N, N - 1), CEPHC_ETOOBIG);
	assert_int_equal(alloc_calls, 0); /* bounded before allocating */
	default_allocator();
	assert_int_equal(cephc_pagevec_alloc(&pv, 0, 0), 0);
	assert_int_equal(pv.npages, 0);
	cephc_pagevec_free(&pv);

	/* Allocation failure mid-way leaves nothing allocated (ASan). */
	counting_allocator(2);
	assert_int_equal(cephc_pagevec_alloc(&pv, N, N), CEPHC_ENOMEM);
	default_allocator();

	assert_int_equal(cephc_pagevec_alloc(&pv, N, N), 0);
	assert_int_equal(pv.npages, 3);
	assert_true(pv.owned);
	pattern(src, N, 2);
	copied = cephc_payload_copy_bytes();
	assert_int_equal(cephc_pagevec_copy_in(&pv, 0, src, N), 0);
	assert_int_equal(cephc_pagevec_copy_out(&pv, 0, out, N), 0);
	assert_memory_equal(out, src, N);
	assert_int_equal(cephc_pagevec_copy_out(&pv, 4090, out, 10), 0);
	assert_memory_equal(out, src + 4090, 10);
	assert_int_equal(cephc_payload_copy_bytes() - copied, 2 * N + 10);
	assert_int_equal(cephc_pagevec_copy_out(&pv, 1, out, N), CEPHC_EINVAL);
	cephc_pagevec_free(&pv);
	assert_null(pv.pages);
	free(src);
	free(out);
}

/* --- buffer chain -------------------------------------------------------- */

static void test_bufchain_borrows_iov_and_grows(void **state)
{
	uint8_t a[10], b[20], c[30];
	struct iovec iov[3] = {{a, 10}, {b, 0}, {c, 30}};
	struct cephc_bufchain bc;

	(void)state;
	counting_allocator(-1);
	cephc_bufchain_init_iov(&bc, iov, 3);
	assert_int_equal(alloc_calls, 0);
	assert_ptr_equal(bc.segs, iov); /* no copy of the array either */
	assert_int_equal(bc.length, 40);
	/* Adding to a borrowed chain copies the descriptors only. */
	assert_int_equal(cephc_bufchain_add(&bc, b, 20), 0);
	assert_ptr_not_equal(bc.segs, iov);
	assert_int_equal(bc.nsegs, 4);
	assert_int_equal(bc.length, 60);
	assert_ptr_equal(bc.segs[3].iov_base, b);
	assert_ptr_equal(bc.segs[2].iov_base, c);
	assert_int_equal(cephc_bufchain_add(&bc, a, 0), 0); /* ignored */
	assert_int_equal(bc.nsegs, 4);
	assert_int_equal(cephc_bufchain_add(&bc, NULL, 1), CEPHC_EINVAL);
	for (int i = 0; i < 100; i++)
		assert_int_equal(cephc_bufchain_add(&bc, a + i % 10, 1), 0);
	assert_int_equal(bc.nsegs, 104);
	assert_int_equal(bc.length, 160);
	cephc_bufchain_release(&bc);
	assert_int_equal(bc.nsegs, 0);
	assert_null(bc.segs);
	default_allocator();
	/* Growth failure leaves the chain unchanged. */
	cephc_bufchain_init(&bc);
	counting_allocator(0);
	assert_int_equal(cephc_bufchain_add(&bc, a, 10), CEPHC_ENOMEM);
	default_allocator();
	assert_int_equal(bc.nsegs, 0);
	assert_int_equal(bc.length, 0);
}

static void test_bufchain_bounce_copies_and_counts(void **state)
{
	uint8_t a[5000], b[3];
	struct cephc_bufchain bc;
	struct cephc_pagelist pl;
	uint8_t out[5003];
	uint64_t before;

	(void)state;
	pattern(a, sizeof(a), 3);
	memcpy(b, "end", 3);
	cephc_bufchain_init(&bc);
	cephc_bufchain_add(&bc, a, sizeof(a));
	cephc_bufchain_add(&bc, b, sizeof(b));
	cephc_pagelist_init(&pl);
	before = cephc_payload_copy_bytes();
	assert_int_equal(cephc_bufchain_bounce(&bc, &pl), 0);
	assert_int_equal(cephc_payload_copy_bytes() - before, 5003);
	memset(a, 0, sizeof(a)); /* the caller may now reuse its memory */
	assert_int_equal(cephc_pagelist_copy_out(&pl, 0, out, 5003), 0);
	pattern(a, sizeof(a), 3);
	assert_memory_equal(out, a, sizeof(a));
	assert_memory_equal(out + 5000, "end", 3);
	cephc_pagelist_release(&pl);
	cephc_bufchain_release(&bc);
}

/* --- message data and cursor --------------------------------------------- */

/* A list of every item kind, each with pattern bytes, plus a trailer. */
struct mixed {
	struct cephc_msg_data md;
	uint8_t flat[777];
	uint8_t seg[3][1500];
	struct iovec iov[5];
	struct cephc_bufchain bc;
	void *pages[4];
	struct cephc_pagevec pv;
	uint8_t trail[9];
	uint8_t *expect; /* the concatenated bytes */
	size_t len;
};

static void expect_add(struct mixed *m, size_t *at, const void *src, size_t n)
{
	if (src)
		memcpy(m->expect + *at, src, n);
	else
		memset(m->expect + *at, 0, n);
	*at += n;
}

static struct mixed *mixed_new(void)
{
	struct mixed *m = calloc(1, sizeof(*m));
	struct cephc_pagelist pl;
	struct cephc_data_item it;
	uint8_t tmp[5000];
	size_t at = 0;

	assert_non_null(m);
	cephc_msg_data_init(&m->md);
	m->expect = malloc(20000);
	/* trailing set first: it still goes last */
	pattern(m->trail, sizeof(m->trail), 10);
	cephc_data_item_buf(&it, m->trail, sizeof(m->trail));
	assert_int_equal(cephc_msg_data_set_trailing(&m->md, &it), 0);
	assert_int_equal(it.type, CEPHC_DATA_NONE);

	pattern(m->flat, sizeof(m->flat), 11);
	assert_int_equal(cephc_msg_data_add_buf(&m->md, m->flat, 777), 0);
	expect_add(m, &at, m->flat, 777);
	assert_int_equal(cephc_msg_data_add_buf(&m->md, NULL, 0), 0);

	for (int i = 0; i < 3; i++)
		pattern(m->seg[i], 1500, 20 + (uint32_t)i);
	m->iov[0] = (struct iovec){m->seg[0], 1500};
	m->iov[1] = (struct iovec){m->seg[1], 0};
	m->iov[2] = (struct iovec){m->seg[1] + 1, 1};
	m->iov[3] = (struct iovec){m->seg[2], 1499};
	m->iov[4] = (struct iovec){m->seg[1] + 100, 5};
	cephc_bufchain_init_iov(&m->bc, m->iov, 5);
	assert_int_equal(cephc_msg_data_add_bufchain(&m->md, &m->bc), 0);
	for (int i = 0; i < 5; i++)
		expect_add(m, &at, m->iov[i].iov_base, m->iov[i].iov_len);

	for (int i = 0; i < 4; i++) {
		m->pages[i] = malloc(CEPHC_PAGE_SIZE);
		pattern(m->pages[i], CEPHC_PAGE_SIZE, 30 + (uint32_t)i);
	}
	/* starts 4000 bytes into page 0, ends inside page 3 */
	assert_int_equal(cephc_pagevec_init(&m->pv, m->pages, 4, 4000,
					    96 + 2 * CEPHC_PAGE_SIZE + 50),
			 0);
	assert_int_equal(cephc_msg_data_add_pagevec(&m->md, &m->pv), 0);
	expect_add(m, &at, (uint8_t *)m->pages[0] + 4000, 96);
	expect_add(m, &at, m->pages[1], CEPHC_PAGE_SIZE);
	expect_add(m, &at, m->pages[2], CEPHC_PAGE_SIZE);
	expect_add(m, &at, m->pages[3], 50);

	cephc_pagelist_init(&pl);
	assert_int_equal(cephc_msg_data_add_pagelist(&m->md, &pl),
			 0); /* empty */
	pattern(tmp, sizeof(tmp), 40);
	cephc_pagelist_append(&pl, tmp, 4090);
	cephc_pagelist_reserve(&pl, 8); /* leaves a 6-byte hole in page 0 */
	cephc_pagelist_append(&pl, tmp + 4090, 900);
	assert_int_equal(cephc_msg_data_add_pagelist(&m->md, &pl), 0);
	assert_null(pl.head); /* moved */
	expect_add(m, &at, tmp, 4090);
	expect_add(m, &at, NULL, 8);
	expect_add(m, &at, tmp + 4090, 900);
	expect_add(m, &at, m->trail, sizeof(m->trail));
	m->len = at;
	assert_int_equal(cephc_msg_data_length(&m->md), at);
	/* 7 items: buf, empty buf, bufchain, pagevec, empty pl, pl + trail */
	assert_int_equal(cephc_msg_data_nitems(&m->md), 6);
	return m;
}

static void mixed_free(struct mixed *m)
{
	cephc_msg_data_release(&m->md);
	for (int i = 0; i < 4; i++)
		free(m->pages[i]);
	free(m->expect);
	free(m);
}

static void test_cursor_walks_every_item_kind_in_order(void **state)
{
	struct mixed *m = mixed_new();
	uint8_t *out = malloc(m->len);
	uint8_t *flat;

	(void)state;
	/* unlimited, single-entry, tiny byte budgets */
	assert_int_equal(cursor_flat(&m->md, m->len, out, 16, SIZE_MAX),
			 m->len);
	assert_memory_equal(out, m->expect, m->len);
	memset(out, 0, m->len);
	assert_int_equal(cursor_flat(&m->md, m->len, out, 1, SIZE_MAX), m->len);
	assert_memory_equal(out, m->expect, m->len);
	memset(out, 0, m->len);
	assert_int_equal(cursor_flat(&m->md, m->len, out, 3, 7), m->len);
	assert_memory_equal(out, m->expect, m->len);
	flat = md_flat(&m->md);
	assert_memory_equal(flat, m->expect, m->len);
	free(flat);
	free(out);
	mixed_free(m);
}

static void test_cursor_crc_matches_one_shot_for_any_step(void **state)
{
	struct mixed *m = mixed_new();
	uint32_t want0 = cephc_crc32c(0, m->expect, m->len);
	uint32_t want1 = cephc_crc32c(0xffffffff, m->expect, m->len);

	(void)state;
	for (size_t step = 1; step <= 70; step++) {
		struct cephc_msg_cursor c;
		uint32_t crc = 0;

		assert_int_equal(cephc_msg_cursor_init(&c, &m->md, m->len), 0);
		while (cephc_msg_cursor_remaining(&c)) {
			size_t left = cephc_msg_cursor_remaining(&c);
			size_t n = step < left ? step : left;

			assert_int_equal(
			    cephc_msg_cursor_advance_crc(&c, n, &crc), 0);
		}
		assert_int_equal(crc, want0);
	}
	/* odd big steps, and the other seed */
	for (size_t step = 4093; step < 4100; step++) {
		struct cephc_msg_cursor c;
		uint32_t crc = 0xffffffff;

		cephc_msg_cursor_init(&c, &m->md, m->len);
		while (cephc_msg_cursor_remaining(&c)) {
			size_t left = cephc_msg_cursor_remaining(&c);

			cephc_msg_cursor_advance_crc(
			    &c, step < left ? step : left, &crc);
		}
		assert_int_equal(crc, want1);
	}
	mixed_free(m);
}

static void test_cursor_prefix_length_and_limits(void **state)
{
	struct mixed *m = mixed_new();
	struct cephc_msg_cursor c, saved;
	struct iovec iov[4];
	uint8_t *out = malloc(m->len);
	void *base;
	uint32_t crc = 123;

	(void)state;
	/* A receive shorter than the destination walks only its prefix. */
	for (size_t len = 0; len <= m->len; len += 997) {
		memset(out, 0, m->len);
		assert_int_equal(cursor_flat(&m->md, len, out, 4, 100), len);
		assert_memory_equal(out, m->expect, len);
	}
	assert_int_equal(cephc_msg_cursor_init(&c, &m->md, m->len + 1),
			 CEPHC_EINVAL);

	assert_int_equal(cephc_msg_cursor_init(&c, &m->md, m->len), 0);
	/* fill does not advance; zero limits give nothing */
	assert_int_equal(cephc_msg_cursor_fill_iov(&c, iov, 4, 0), 0);
	assert_int_equal(cephc_msg_cursor_fill_iov(&c, iov, 0, 100), 0);
	assert_int_equal(cephc_msg_cursor_fill_iov(&c, iov, 1, 10), 1);
	assert_int_equal(iov[0].iov_len, 10);
	assert_ptr_equal(iov[0].iov_base, m->flat);
	assert_int_equal(cephc_msg_cursor_remaining(&c), m->len);
	assert_int_equal(cephc_msg_cursor_piece(&c, &base), 777);
	assert_ptr_equal(base, m->flat);
	/* crossing the flat buffer end lands in the chain's first segment */
	assert_int_equal(cephc_msg_cursor_advance(&c, 777), 0);
	assert_int_equal(cephc_msg_cursor_piece(&c, &base), 1500);
	assert_ptr_equal(base, m->seg[0]);
	/* too far: refused, cursor and crc unchanged */
	saved = c;
	assert_int_equal(cephc_msg_cursor_advance(&c, m->len), CEPHC_EINVAL);
	assert_int_equal(cephc_msg_cursor_advance_crc(&c, m->len, &crc),
			 CEPHC_EINVAL);
	assert_int_equal(crc, 123);
	assert_memory_equal(&saved, &c, sizeof(c));
	/* to the end */
	assert_int_equal(cephc_msg_cursor_advance(&c, m->len - 777), 0);
	assert_int_equal(cephc_msg_cursor_remaining(&c), 0);
	assert_int_equal(cephc_msg_cursor_piece(&c, &base), 0);
	assert_int_equal(cephc_msg_cursor_fill_iov(&c, iov, 4, 100), 0);
	assert_int_equal(cephc_msg_cursor_advance(&c, 0), 0);
	free(out);
	mixed_free(m);
}

static void test_cursor_merges_adjacent_pieces(void **state)
{
	uint8_t buf[100];
	struct iovec iov[3] = {{buf, 10}, {buf + 10, 20}, {buf + 50, 5}};
	struct cephc_bufchain bc;
	struct cephc_msg_data md;
	struct cephc_msg_cursor c;
	struct iovec out[4];

	(void)state;
	cephc_bufchain_init_iov(&bc, iov, 3);
	cephc_msg_data_init(&md);
	cephc_msg_data_add_bufchain(&md, &bc);
	cephc_msg_data_add_buf(&md, buf + 55, 5);
	cephc_msg_cursor_init(&c, &md, md.length);
	assert_int_equal(cephc_msg_cursor_fill_iov(&c, out, 4, SIZE_MAX), 2);
	assert_ptr_equal(out[0].iov_base, buf);
	assert_int_equal(out[0].iov_len, 30);
	assert_ptr_equal(out[1].iov_base, buf + 50);
	assert_int_equal(out[1].iov_len, 10);
	cephc_msg_data_release(&md);
}

static void test_cursor_empty_lists(void **state)
{
	struct cephc_msg_data md;
	struct cephc_msg_cursor c;
	struct cephc_pagelist pl;
	struct cephc_bufchain bc;
	struct cephc_data_item it;
	struct iovec iov[2];
	uint32_t crc = 9;
	static char z[] = "z";

	(void)state;
	cephc_msg_data_init(&md);
	assert_int_equal(cephc_msg_cursor_init(&c, &md, 0), 0);
	assert_int_equal(cephc_msg_cursor_remaining(&c), 0);
	assert_int_equal(cephc_msg_cursor_fill_iov(&c, iov, 2, 10), 0);
	assert_int_equal(cephc_msg_cursor_advance_crc(&c, 0, &crc), 0);
	assert_int_equal(crc, 9);
	assert_int_equal(cephc_msg_cursor_init(&c, &md, 1), CEPHC_EINVAL);
	/* only zero-length items, and an empty trailing item */
	cephc_pagelist_init(&pl);
	cephc_bufchain_init(&bc);
	cephc_msg_data_add_pagelist(&md, &pl);
	cephc_msg_data_add_bufchain(&md, &bc);
	cephc_msg_data_add_buf(&md, NULL, 0);
	assert_int_equal(cephc_msg_data_alloc_pages(&md, 0, 0), 0);
	cephc_data_item_buf(&it, NULL, 0);
	cephc_msg_data_set_trailing(&md, &it);
	assert_int_equal(cephc_msg_data_length(&md), 0);
	assert_int_equal(cephc_msg_cursor_init(&c, &md, 0), 0);
	assert_int_equal(cephc_msg_cursor_fill_iov(&c, iov, 2, 10), 0);
	/* a 1-byte trailing item behind all the empty ones */
	cephc_data_item_buf(&it, z, 1);
	assert_int_equal(cephc_msg_data_set_trailing(&md, &it), 0);
	assert_int_equal(cephc_msg_data_length(&md), 1);
	assert_int_equal(cephc_msg_cursor_init(&c, &md, 1), 0);
	assert_int_equal(cephc_msg_cursor_fill_iov(&c, iov, 2, 10), 1);
	assert_memory_equal(iov[0].iov_base, "z", 1);
	assert_int_equal(cephc_msg_cursor_advance_crc(&c, 1, &crc), 0);
	assert_int_equal(crc, cephc_crc32c(9, "z", 1));
	cephc_msg_data_release(&md);
	assert_int_equal(cephc_msg_data_length(&md), 0);
}

static void test_msg_data_many_items_grow_list(void **state)
{
	enum { ITEMS = 37 };
	uint8_t buf[ITEMS * 3];
	struct cephc_msg_data md;
	uint8_t *flat;

	(void)state;
	pattern(buf, sizeof(buf), 5);
	cephc_msg_data_init(&md);
	for (int i = 0; i < ITEMS; i++)
		assert_int_equal(cephc_msg_data_add_buf(&md, buf + 3 * i, 3),
				 0);
	assert_int_equal(cephc_msg_data_nitems(&md), ITEMS);
	assert_ptr_equal(cephc_msg_data_item(&md, 30)->u.buf.base, buf + 90);
	flat = md_flat(&md);
	assert_memory_equal(flat, buf, sizeof(buf));
	free(flat);
	/* ENOMEM growing the list: the item is consumed (released), the
	 * list stays valid */
	struct cephc_pagelist pl;

	cephc_msg_data_release(&md);
	for (int i = 0; i < CEPHC_MSG_DATA_INLINE; i++)
		cephc_msg_data_add_buf(&md, buf, 1);
	cephc_pagelist_init(&pl);
	cephc_pagelist_append(&pl, "abc", 3);
	counting_allocator(0);
	assert_int_equal(cephc_msg_data_add_pagelist(&md, &pl), CEPHC_ENOMEM);
	default_allocator();
	assert_null(pl.head);
	assert_int_equal(cephc_msg_data_length(&md), CEPHC_MSG_DATA_INLINE);
	assert_int_equal(cephc_msg_data_add_buf(&md, NULL, 1), CEPHC_EINVAL);
	struct cephc_data_item none = {.type = CEPHC_DATA_NONE};

	assert_int_equal(cephc_msg_data_add(&md, &none), CEPHC_EINVAL);
	assert_int_equal(cephc_msg_data_nitems(&md), CEPHC_MSG_DATA_INLINE);
	/* a trailing item can be removed again with an empty item */
	cephc_data_item_buf(&none, buf, 2);
	assert_int_equal(cephc_msg_data_set_trailing(&md, &none), 0);
	assert_int_equal(cephc_msg_data_length(&md), CEPHC_MSG_DATA_INLINE + 2);
	assert_int_equal(cephc_msg_data_set_trailing(&md, &none), 0);
	assert_int_equal(cephc_msg_data_length(&md), CEPHC_MSG_DATA_INLINE);
	cephc_msg_data_release(&md);
}

static void test_msg_data_owned_items_freed_by_release(void **state)
{
	struct cephc_msg_data md;
	struct cephc_pagevec pv;
	struct cephc_pagelist pl;
	struct cephc_data_item it;

	(void)state;
	/* Leaks here would be reported by the ASan build. */
	cephc_msg_data_init(&md);
	assert_int_equal(cephc_pagevec_alloc(&pv, 10000, 10000), 0);
	assert_int_equal(cephc_msg_data_give_pagevec(&md, &pv), 0);
	assert_null(pv.pages);
	assert_int_equal(cephc_msg_data_alloc_pages(&md, 5000, 4999),
			 CEPHC_ETOOBIG);
	assert_int_equal(cephc_msg_data_alloc_pages(&md, 5000, 5000), 0);
	cephc_pagelist_init(&pl);
	cephc_pagelist_append_zeros(&pl, 9000);
	cephc_data_item_pagelist(&it, &pl);
	assert_int_equal(cephc_msg_data_set_trailing(&md, &it), 0);
	/* replacing the trailing item releases the old one */
	cephc_pagelist_append_zeros(&pl, 10);
	cephc_data_item_pagelist(&it, &pl);
	assert_int_equal(cephc_msg_data_set_trailing(&md, &it), 0);
	assert_int_equal(cephc_msg_data_length(&md), 10000 + 5000 + 10);
	assert_true(cephc_msg_data_item(&md, 0)->u.pagevec.owned);
	cephc_msg_data_release(&md);
}

static void test_msg_data_copy_in_out_at_offsets(void **state)
{
	struct mixed *m = mixed_new();
	uint8_t *out = malloc(m->len), *src = malloc(m->len);
	uint64_t before = cephc_payload_copy_bytes();

	(void)state;
	for (size_t off = 0; off < m->len; off += 1234) {
		size_t len = m->len - off < 3000 ? m->len - off : 3000;

		assert_int_equal(cephc_msg_data_copy_out(&m->md, off, out, len),
				 0);
		assert_memory_equal(out, m->expect + off, len);
	}
	assert_int_equal(cephc_msg_data_copy_out(&m->md, m->len, out, 1),
			 CEPHC_EINVAL);
	pattern(src, m->len, 99);
	assert_int_equal(cephc_msg_data_copy_in(&m->md, 100, src, 9000), 0);
	assert_int_equal(cephc_msg_data_copy_out(&m->md, 0, out, m->len), 0);
	assert_memory_equal(out, m->expect, 100);
	assert_memory_equal(out + 100, src, 9000);
	assert_memory_equal(out + 9100, m->expect + 9100, m->len - 9100);
	assert_true(cephc_payload_copy_bytes() - before >= 9000 + m->len);
	free(out);
	free(src);
	mixed_free(m);
}

static void test_msg_data_bounce_detaches_caller_memory(void **state)
{
	struct mixed *m = mixed_new();
	uint64_t before = cephc_payload_copy_bytes();
	size_t pl_bytes = 4090 + 8 + 900; /* the one item already owned */
	uint8_t *flat;

	(void)state;
	assert_int_equal(cephc_msg_data_bounce(&m->md), 0);
	/* only borrowed bytes are copied, and they are counted */
	assert_int_equal(cephc_payload_copy_bytes() - before,
			 m->len - pl_bytes);
	for (size_t i = 0; i < cephc_msg_data_nitems(&m->md); i++) {
		enum cephc_data_type t = cephc_msg_data_item(&m->md, i)->type;

		assert_true(t == CEPHC_DATA_PAGELIST || t == CEPHC_DATA_BUF);
		if (t == CEPHC_DATA_BUF)
			assert_int_equal(cephc_data_item_length(
					     cephc_msg_data_item(&m->md, i)),
					 0);
	}
	assert_int_equal(m->md.trailing.type, CEPHC_DATA_PAGELIST);
	/* the caller scribbles over its memory: the message is unaffected */
	memset(m->flat, 0, sizeof(m->flat));
	memset(m->seg, 0, sizeof(m->seg));
	memset(m->trail, 0, sizeof(m->trail));
	for (int i = 0; i < 4; i++)
		memset(m->pages[i], 0, CEPHC_PAGE_SIZE);
	assert_int_equal(cephc_msg_data_length(&m->md), m->len);
	flat = md_flat(&m->md);
	assert_memory_equal(flat, m->expect, m->len);
	free(flat);
	mixed_free(m);
}

static void test_cursor_ops_never_allocate(void **state)
{
	struct mixed *m = mixed_new();
	struct cephc_msg_cursor c;
	struct iovec iov[8];
	uint32_t crc = 0;

	(void)state;
	counting_allocator(0); /* any allocation would fail */
	assert_int_equal(cephc_msg_cursor_init(&c, &m->md, m->len), 0);
	while (cephc_msg_cursor_remaining(&c)) {
		int n = cephc_msg_cursor_fill_iov(&c, iov, 8, 1000);
		size_t sum = 0;

		for (int i = 0; i < n; i++)
			sum += iov[i].iov_len;
		assert_int_equal(
		    cephc_msg_cursor_advance_crc(&c, sum / 2 + 1, &crc), 0);
	}
	assert_int_equal(alloc_calls, 0);
	default_allocator();
	assert_int_equal(crc, cephc_crc32c(0, m->expect, m->len));
	mixed_free(m);
}

static void test_payload_copy_counter_accumulates(void **state)
{
	uint64_t before = cephc_payload_copy_bytes();

	(void)state;
	cephc_payload_copy_account(5);
	cephc_payload_copy_account(0);
	cephc_payload_copy_account(1u << 20);
	assert_int_equal(cephc_payload_copy_bytes() - before, 5 + (1u << 20));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pagelist_append_crosses_pages),
	    cmocka_unit_test(test_pagelist_encode_helpers_decode_back),
	    cmocka_unit_test(test_pagelist_reserve_then_fill),
	    cmocka_unit_test(test_pagelist_envelope_readable_by_dec_envelope),
	    cmocka_unit_test(test_pagelist_enomem_is_sticky),
	    cmocka_unit_test(test_pagevec_init_checks_bounds),
	    cmocka_unit_test(test_pagevec_alloc_bounded_and_copies),
	    cmocka_unit_test(test_bufchain_borrows_iov_and_grows),
	    cmocka_unit_test(test_bufchain_bounce_copies_and_counts),
	    cmocka_unit_test(test_cursor_walks_every_item_kind_in_order),
	    cmocka_unit_test(test_cursor_crc_matches_one_shot_for_any_step),
	    cmocka_unit_test(test_cursor_prefix_length_and_limits),
	    cmocka_unit_test(test_cursor_merges_adjacent_pieces),
	    cmocka_unit_test(test_cursor_empty_lists),
	    cmocka_unit_test(test_msg_data_many_items_grow_list),
	    cmocka_unit_test(test_msg_data_owned_items_freed_by_release),
	    cmocka_unit_test(test_msg_data_copy_in_out_at_offsets),
	    cmocka_unit_test(test_msg_data_bounce_detaches_caller_memory),
	    cmocka_unit_test(test_cursor_ops_never_allocate),
	    cmocka_unit_test(test_payload_copy_counter_accumulates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
