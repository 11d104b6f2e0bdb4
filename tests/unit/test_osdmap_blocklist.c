/* SPDX-License-Identifier: MIT */
/*
 * The blocklist order of osdmaptool --print (libstdc++'s unordered_map
 * iteration order under Ceph's entity_addr_t hash), on maps with 2 to 136
 * entries taken from a live 16.2.15 cluster with the output Ceph's
 * osdmaptool printed for them (tests/golden/osdmap/blocklist), and the
 * pieces underneath: the address image, the hash, the sort order.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "cephc/errors.h"
#include "osdmap/blocklist_order.h"
#include "osdmap/osdmap.h"

static char *load(const char *rel, size_t *len)
{
	const char *src = getenv("CEPHC_SOURCE_DIR");
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/tests/golden/osdmap/blocklist/%s",
		 src ? src : ".", rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	assert_int_equal(fseek(f, 0, SEEK_SET), 0);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static struct cephc_osdmap *load_map(const char *name)
{
	char rel[64];
	size_t len;
	char *buf;
	struct cephc_osdmap *m = NULL;

	snprintf(rel, sizeof(rel), "%s.osdmap", name);
	buf = load(rel, &len);
	assert_int_equal(cephc_osdmap_decode((uint8_t *)buf, len, &m), 0);
	free(buf);
	return m;
}

static char *print_map(const struct cephc_osdmap *m)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	assert_int_equal(cephc_osdmap_print(m, f), 0);
	fclose(f);
	return out;
}

static const char *const maps[] = {"bl-2",  "bl-3",   "bl-5",
				   "bl-8",  "bl-13",  "bl-20",
				   "bl-40", "bl-136", "bl-collide"};

/* The whole --print output, byte for byte (times in UTC, as stored). */
static void test_print_matches_osdmaptool(void **state)
{
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		char rel[64];
		struct cephc_osdmap *m = load_map(maps[i]);
		char *want, *got;

		snprintf(rel, sizeof(rel), "%s.print", maps[i]);
		want = load(rel, &len);
		got = print_map(m);
		if (strcmp(want, got) != 0)
			fail_msg("%s: --print differs from osdmaptool's",
				 maps[i]);
		free(want);
		free(got);
		cephc_osdmap_free(m);
	}
}

/* The stored entries are in encoded order, which osdmaptool does not
 * print: without reordering these maps would not match at all. */
static void test_order_is_not_encoded_order(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		struct cephc_osdmap *m = load_map(maps[i]);
		uint32_t *order = calloc(m->n_blocklist, sizeof(*order));
		uint32_t n = 0, j, moved = 0;

		assert_non_null(order);
		assert_true(m->n_blocklist >= 2);
		assert_int_equal(cephc_bl_iter_order(m->blocklist,
						     m->n_blocklist, order, &n),
				 0);
		assert_int_equal(n, m->n_blocklist);
		for (j = 0; j < n; j++)
			moved += order[j] != j;
		assert_true(moved > 0);
		free(order);
		cephc_osdmap_free(m);
	}
}

/* The monitor encodes the blocklist through a std::map<entity_addr_t>:
 * the decoded entries are already in cephc_bl_sort's order. */
static void test_encoded_order_is_sorted(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		struct cephc_osdmap *m = load_map(maps[i]);
		struct cephc_blocklist_entry *copy;
		uint32_t j, n = m->n_blocklist;

		copy = malloc(n * sizeof(*copy));
		assert_non_null(copy);
		/* reversed, then sorted back */
		for (j = 0; j < n; j++)
			copy[j] = m->blocklist[n - 1 - j];
		cephc_bl_sort(copy, n);
		for (j = 0; j < n; j++)
			assert_int_equal(
			    cephc_bl_addr_cmp(&copy[j].addr,
					      &m->blocklist[j].addr),
			    0);
		for (j = 1; j < n; j++)
			assert_true(cephc_bl_addr_cmp(&m->blocklist[j - 1].addr,
						      &m->blocklist[j].addr) <
				    0);
		free(copy);
		cephc_osdmap_free(m);
	}
}

static void set_v4(struct cephc_entity_addr *a, const char *ip, uint16_t port,
		   uint32_t nonce)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&a->ss;

	memset(a, 0, sizeof(*a));
	a->type = CEPHC_ADDR_ANY;
	a->nonce = nonce;
	sin->sin_family = AF_INET;
	sin->sin_port = htons(port);
	assert_int_equal(inet_pton(AF_INET, ip, &sin->sin_addr), 1);
}

/* entity_addr_t as Ceph's decoder leaves it on x86_64. */
static void test_addr_image(void **state)
{
	static const uint8_t want4[CEPHC_BL_ADDR_IMAGE_LEN] = {
	    3,    0,    0, 0, /* type: any */
	    0x2a, 0x01, 0, 0, /* nonce 298 */
	    2,    0,          /* AF_INET, host order */
	    0x1a, 0x90,       /* port 6800, network order */
	    10,   1,    2, 3, /* address */
	};
	struct cephc_entity_addr a, b;
	uint8_t img[CEPHC_BL_ADDR_IMAGE_LEN];
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&b.ss;

	(void)state;
	set_v4(&a, "10.1.2.3", 6800, 298);
	cephc_bl_addr_image(&a, img);
	assert_memory_equal(img, want4, sizeof(img));

	memset(&b, 0, sizeof(b));
	b.type = CEPHC_ADDR_ANY;
	b.nonce = 9;
	s6->sin6_family = AF_INET6;
	s6->sin6_port = htons(3300);
	assert_int_equal(inet_pton(AF_INET6, "fe80::7", &s6->sin6_addr), 1);
	cephc_bl_addr_image(&b, img);
	assert_int_equal(img[8], 10); /* AF_INET6 */
	assert_int_equal(img[9], 0);
	assert_int_equal(img[10], 0x0c);
	assert_int_equal(img[11], 0xe4);
	assert_int_equal(img[16], 0xfe); /* sin6_addr after flowinfo */
	assert_int_equal(img[31], 7);
}

/* blobhash XORs the words before mixing: keys whose nonce ^ address agree
 * hash alike (bl-collide.osdmap holds such pairs). */
static void test_hash_xor_collisions(void **state)
{
	struct cephc_entity_addr a, b, c;

	(void)state;
	set_v4(&a, "10.0.0.1", 0, 100);
	set_v4(&b, "10.0.0.2", 0, 100 ^ 0x03000000);
	set_v4(&c, "10.0.0.2", 0, 100);
	assert_int_equal(cephc_bl_addr_hash(&a), cephc_bl_addr_hash(&b));
	assert_int_not_equal(cephc_bl_addr_hash(&a), cephc_bl_addr_hash(&c));
	assert_true(cephc_bl_addr_cmp(&a, &b) < 0);
}

/* Inserting a key again (operator[]) keeps its place and takes the later
 * value. */
static void test_repeated_key(void **state)
{
	struct cephc_blocklist_entry e[4];
	uint32_t order[4], n = 0, i, seen2 = 0;

	(void)state;
	memset(e, 0, sizeof(e));
	set_v4(&e[0].addr, "10.0.0.1", 0, 1);
	set_v4(&e[1].addr, "10.0.0.2", 0, 2);
	e[2] = e[0];
	e[2].expires.sec = 42;
	set_v4(&e[3].addr, "10.0.0.3", 0, 3);
	assert_int_equal(cephc_bl_iter_order(e, 4, order, &n), 0);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		assert_int_not_equal(order[i], 0);
		seen2 += order[i] == 2;
	}
	assert_int_equal(seen2, 1);
	assert_int_equal(cephc_bl_iter_order(e, 0, order, &n), 0);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_print_matches_osdmaptool),
	    cmocka_unit_test(test_order_is_not_encoded_order),
	    cmocka_unit_test(test_encoded_order_is_sorted),
	    cmocka_unit_test(test_addr_image),
	    cmocka_unit_test(test_hash_xor_collisions),
	    cmocka_unit_test(test_repeated_key),
	};

	/* The stored output was printed with TZ=UTC. */
	setenv("TZ", "UTC", 1);
	tzset();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
