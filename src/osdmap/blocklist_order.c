/* SPDX-License-Identifier: MIT */
/*
 * The blocklist's iteration order in Ceph's tools: see blocklist_order.h.
 *
 * The hashtable model (libstdc++ 12, unique keys, _Prime_rehash_policy
 * with max_load_factor 1):
 *
 *  - Elements form one singly linked list; the elements of a bucket are
 *    adjacent in it.  Each non-empty bucket remembers the node *before*
 *    its first element (for the bucket holding the list's head, that is a
 *    sentinel in front of the list).  Iteration walks the list.
 *  - A default-constructed table has 1 bucket and a resize threshold of 0.
 *    Before inserting a new key with count elements present: if count + 1
 *    exceeds the threshold, the wanted count is count + 1 (at least 11
 *    while the threshold is still 0); if that is >= the bucket count, the
 *    table grows to next_bkt(max(wanted + 1, 2 * buckets)); otherwise the
 *    threshold becomes the bucket count.
 *  - next_bkt(x): for x < 14 a small table (2 2 2 3 5 5 7 7 11 11 11 11
 *    13 13, indexed by x); above, the first prime >= x in libstdc++'s
 *    prime list, searched from 17.  The threshold becomes that count.
 *  - Inserting into an empty bucket puts the node at the head of the list
 *    (the bucket that held the old head now starts after the new node);
 *    into a non-empty bucket, right in front of the bucket's first node.
 *  - Growing re-links the list walking it from the head: a node whose new
 *    bucket is still empty goes to the head of the new list; otherwise it
 *    goes in front of its bucket's first node.
 *  - The bucket of a key is hash % bucket count.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "osdmap/blocklist_order.h"

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/encode.h"

/* libstdc++'s __prime_list from 17 on, as far as CEPHC_OSDMAP_MAX_MAP_ENTRIES
 * can reach (the table grows to at most 1447153 buckets for 2^20 keys). */
static const uint32_t primes[] = {
    17,      19,      23,      29,      31,      37,      41,      43,
    47,      53,      59,      61,      67,      71,      73,      79,
    83,      89,      97,      103,     109,     113,     127,     137,
    139,     149,     157,     167,     179,     193,     199,     211,
    227,     241,     257,     277,     293,     313,     337,     359,
    383,     409,     439,     467,     503,     541,     577,     619,
    661,     709,     761,     823,     887,     953,     1031,    1109,
    1193,    1289,    1381,    1493,    1613,    1741,    1879,    2029,
    2179,    2357,    2549,    2753,    2971,    3209,    3469,    3739,
    4027,    4349,    4703,    5087,    5503,    5953,    6427,    6949,
    7517,    8123,    8783,    9497,    10273,   11113,   12011,   12983,
    14033,   15173,   16411,   17749,   19183,   20753,   22447,   24281,
    26267,   28411,   30727,   33223,   35933,   38873,   42043,   45481,
    49201,   53201,   57557,   62233,   67307,   72817,   78779,   85229,
    92203,   99733,   107897,  116731,  126271,  136607,  147793,  159871,
    172933,  187091,  202409,  218971,  236897,  256279,  277261,  299951,
    324503,  351061,  379787,  410857,  444487,  480881,  520241,  562841,
    608903,  658753,  712697,  771049,  834181,  902483,  976369,  1056323,
    1142821, 1236397, 1337629, 1447153, 1565659, 1693859, 1832561, 1982627,
    2144977, 2320627, 2510653, 2716249, 2938679, 3179303, 3439651, 3721303,
    4026031, 4355707, 4712381, 5098259, 5515729, 5967347, 6456007, 6984629,
    7556579, 8175383, 8844859, 9569143,
};

#define N_PRIMES (sizeof(primes) / sizeof(primes[0]))

void cephc_bl_addr_image(const struct cephc_entity_addr *a,
			 uint8_t out[CEPHC_BL_ADDR_IMAGE_LEN])
{
	const uint8_t *ss = (const uint8_t *)&a->ss;
	size_t len = 0;

	memset(out, 0, CEPHC_BL_ADDR_IMAGE_LEN);
	put_le32(out, a->type);
	put_le32(out + 4, a->nonce);
	out[8] = (uint8_t)a->ss.ss_family;
	out[9] = (uint8_t)(a->ss.ss_family >> 8);
	/* Ceph's decoder copies only the family's sockaddr into a zeroed
	 * union (an unknown family leaves the rest zero). */
	if (a->ss.ss_family == AF_INET)
		len = sizeof(struct sockaddr_in);
	else if (a->ss.ss_family == AF_INET6)
		len = sizeof(struct sockaddr_in6);
	if (len > 2)
		memcpy(out + 10, ss + 2, len - 2);
}

/* Robert Jenkins' 32-bit integer hash (Ceph's rjhash32). */
static uint32_t jenkins_mix32(uint32_t a)
{
	a = (a + 0x7ed55d16u) + (a << 12);
	a = (a ^ 0xc761c23cu) ^ (a >> 19);
	a = (a + 0x165667b1u) + (a << 5);
	a = (a + 0xd3a2646cu) ^ (a << 9);
	a = (a + 0xfd7046c5u) + (a << 3);
	a = (a ^ 0xb55a4f09u) ^ (a >> 16);
	return a;
}

static uint32_t image_hash(const uint8_t img[CEPHC_BL_ADDR_IMAGE_LEN])
{
	uint32_t acc = 0;
	size_t i;

	/* 36 is a multiple of 4: no tail bytes. */
	for (i = 0; i < CEPHC_BL_ADDR_IMAGE_LEN; i += 4)
		acc ^= (uint32_t)img[i] | (uint32_t)img[i + 1] << 8 |
		       (uint32_t)img[i + 2] << 16 | (uint32_t)img[i + 3] << 24;
	return jenkins_mix32(acc);
}

uint32_t cephc_bl_addr_hash(const struct cephc_entity_addr *a)
{
	uint8_t img[CEPHC_BL_ADDR_IMAGE_LEN];

	cephc_bl_addr_image(a, img);
	return image_hash(img);
}

int cephc_bl_addr_cmp(const struct cephc_entity_addr *a,
		      const struct cephc_entity_addr *b)
{
	uint8_t ia[CEPHC_BL_ADDR_IMAGE_LEN], ib[CEPHC_BL_ADDR_IMAGE_LEN];

	cephc_bl_addr_image(a, ia);
	cephc_bl_addr_image(b, ib);
	return memcmp(ia, ib, sizeof(ia));
}

static int entry_cmp(const void *x, const void *y)
{
	const struct cephc_blocklist_entry *a = x, *b = y;

	return cephc_bl_addr_cmp(&a->addr, &b->addr);
}

void cephc_bl_sort(struct cephc_blocklist_entry *e, uint32_t n)
{
	if (n > 1)
		qsort(e, n, sizeof(*e), entry_cmp);
}

/* _Prime_rehash_policy::_M_next_bkt; *resize gets the new threshold. */
static uint32_t next_bucket_count(uint64_t want, uint64_t *resize)
{
	static const uint8_t small[14] = {2, 2,  2,  3,  5,  5,  7,
					  7, 11, 11, 11, 11, 13, 13};
	size_t lo = 0, hi = N_PRIMES - 1;

	if (want < sizeof(small)) {
		*resize = small[want];
		return small[want];
	}
	/* First prime >= want; the search never goes past the last
	 * entry (want stays far below it for the entry counts allowed). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (primes[mid] < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	*resize = primes[lo];
	return primes[lo];
}

#define NIL UINT32_MAX

struct table {
	uint32_t n_bkt;
	uint64_t resize;
	uint32_t *bkt;  /* n_bkt: node before the bucket's first, or NIL */
	uint32_t *next; /* n + 1 links; node n is the sentinel before head */
	const uint32_t *hash;
	uint32_t sentinel;
};

static int grow(struct table *t, uint32_t n_bkt)
{
	uint32_t *nb = cephc_calloc(n_bkt, sizeof(*nb));
	uint32_t p, bbegin = 0;

	if (!nb)
		return CEPHC_ENOMEM;
	for (p = 0; p < n_bkt; p++)
		nb[p] = NIL;
	p = t->next[t->sentinel];
	t->next[t->sentinel] = NIL;
	while (p != NIL) {
		uint32_t nx = t->next[p];
		uint32_t b = t->hash[p] % n_bkt;

		if (nb[b] == NIL) {
			t->next[p] = t->next[t->sentinel];
			t->next[t->sentinel] = p;
			nb[b] = t->sentinel;
			if (t->next[p] != NIL)
				nb[bbegin] = p;
			bbegin = b;
		} else {
			t->next[p] = t->next[nb[b]];
			t->next[nb[b]] = p;
		}
		p = nx;
	}
	cephc_free(t->bkt);
	t->bkt = nb;
	t->n_bkt = n_bkt;
	return 0;
}

static void link_node(struct table *t, uint32_t node)
{
	uint32_t b = t->hash[node] % t->n_bkt;

	if (t->bkt[b] != NIL) {
		t->next[node] = t->next[t->bkt[b]];
		t->next[t->bkt[b]] = node;
		return;
	}
	t->next[node] = t->next[t->sentinel];
	t->next[t->sentinel] = node;
	if (t->next[node] != NIL)
		t->bkt[t->hash[t->next[node]] % t->n_bkt] = node;
	t->bkt[b] = t->sentinel;
}

/* Same key already linked in its bucket?  Return its node or NIL. */
static uint32_t find_node(const struct table *t,
			  const struct cephc_blocklist_entry *e, uint32_t i)
{
	uint32_t b, p;

	if (!t->bkt)
		return NIL;
	b = t->hash[i] % t->n_bkt;
	if (t->bkt[b] == NIL)
		return NIL;
	for (p = t->next[t->bkt[b]]; p != NIL; p = t->next[p]) {
		if (t->hash[p] % t->n_bkt != b)
			break;
		if (t->hash[p] == t->hash[i] &&
		    cephc_bl_addr_cmp(&e[p].addr, &e[i].addr) == 0)
			return p;
	}
	return NIL;
}

int cephc_bl_iter_order(const struct cephc_blocklist_entry *e, uint32_t n,
			uint32_t *order, uint32_t *n_out)
{
	struct table t = {.n_bkt = 1, .resize = 0, .sentinel = n};
	uint32_t *hash = NULL, *value = NULL;
	uint32_t i, count = 0;
	int r = CEPHC_ENOMEM;

	*n_out = 0;
	if (!n)
		return 0;
	hash = cephc_calloc(n, sizeof(*hash));
	value = cephc_calloc(n, sizeof(*value));
	t.next = cephc_calloc((size_t)n + 1, sizeof(*t.next));
	if (!hash || !value || !t.next)
		goto out;
	t.hash = hash;
	t.next[n] = NIL;
	for (i = 0; i < n; i++) {
		uint32_t same;

		hash[i] = cephc_bl_addr_hash(&e[i].addr);
		value[i] = i;
		same = find_node(&t, e, i);
		if (same != NIL) {
			value[same] = i; /* operator[] overwrites the value */
			continue;
		}
		if ((uint64_t)count + 1 > t.resize) {
			uint64_t want = (uint64_t)count + 1;

			if (!t.resize && want < 11)
				want = 11;
			if (want >= t.n_bkt) {
				uint64_t grow_to = 2 * (uint64_t)t.n_bkt;

				if (want + 1 > grow_to)
					grow_to = want + 1;
				r = grow(&t,
					 next_bucket_count(grow_to, &t.resize));
				if (r)
					goto out;
			} else {
				t.resize = t.n_bkt;
			}
		}
		link_node(&t, i);
		count++;
	}
	count = 0;
	for (i = t.next[n]; i != NIL; i = t.next[i])
		order[count++] = value[i];
	*n_out = count;
	r = 0;
out:
	cephc_free(t.bkt);
	cephc_free(t.next);
	cephc_free(hash);
	cephc_free(value);
	return r;
}
