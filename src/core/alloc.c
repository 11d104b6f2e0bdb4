/* SPDX-License-Identifier: MIT */
#include "core/alloc.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "cephc/cephc.h"

static struct {
	cephc_malloc_fn m;
	cephc_realloc_fn r;
	cephc_calloc_fn c;
	cephc_free_fn f;
} allocator = {malloc, realloc, calloc, free};

int cephc_set_allocator(cephc_malloc_fn m, cephc_realloc_fn r,
			cephc_calloc_fn c, cephc_free_fn f)
{
	if (!m && !r && !c && !f) {
		allocator.m = malloc;
		allocator.r = realloc;
		allocator.c = calloc;
		allocator.f = free;
		return 0;
	}
	if (!m || !r || !c || !f)
		return CEPHC_EINVAL;
	allocator.m = m;
	allocator.r = r;
	allocator.c = c;
	allocator.f = f;
	return 0;
}

void *cephc_malloc(size_t size)
{
	/* malloc(0) may return NULL legitimately; make "0 bytes" allocate 1. */
	return allocator.m(size ? size : 1);
}

void *cephc_calloc(size_t count, size_t size)
{
	return allocator.c(count ? count : 1, size ? size : 1);
}

void *cephc_realloc(void *ptr, size_t size)
{
	return allocator.r(ptr, size ? size : 1);
}

void cephc_free(void *ptr)
{
	if (ptr)
		allocator.f(ptr);
}

void *cephc_malloc_array(size_t count, size_t size)
{
	size_t total;

	if (!cephc_mul_ok(count, size, &total))
		return NULL;
	return cephc_malloc(total);
}

char *cephc_strndup(const char *s, size_t n)
{
	char *d = cephc_malloc(n + 1);

	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

char *cephc_strdup(const char *s)
{
	return cephc_strndup(s, strlen(s));
}

void cephc_secure_zero(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}

void cephc_free_secret(void *p, size_t n)
{
	cephc_secure_zero(p, n);
	cephc_free(p);
}

void cephc_free_secret_str(char *s)
{
	if (s)
		cephc_free_secret(s, strlen(s));
}
