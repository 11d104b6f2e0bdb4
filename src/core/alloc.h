/* SPDX-License-Identifier: MIT */
/* Internal allocation entry points; they honour cephc_set_allocator(). */
#ifndef CEPHC_CORE_ALLOC_H
#define CEPHC_CORE_ALLOC_H

#include <stddef.h>
#include <stdint.h>

void *cephc_malloc(size_t size);
void *cephc_calloc(size_t count, size_t size);
void *cephc_realloc(void *ptr, size_t size);
void cephc_free(void *ptr);
char *cephc_strdup(const char *s);
char *cephc_strndup(const char *s, size_t n);

/*
 * count * size, or NULL-safe failure: returns 0 and leaves *out untouched
 * when the product overflows size_t.
 */
static inline int cephc_mul_ok(size_t count, size_t size, size_t *out)
{
	if (size != 0 && count > SIZE_MAX / size)
		return 0;
	*out = count * size;
	return 1;
}

/* Array allocation with an overflow check; NULL on overflow or OOM. */
void *cephc_malloc_array(size_t count, size_t size);

/*
 * Secrets (keys, session keys, keyring text, `key` values): overwrite with
 * OPENSSL_cleanse, which the compiler may not drop as a dead store the way
 * it may drop a memset before free().  NULL-safe.
 */
void cephc_secure_zero(void *p, size_t n);
/* Wipe n bytes at p, then free p. */
void cephc_free_secret(void *p, size_t n);
/* Wipe a NUL-terminated string (up to its NUL), then free it. */
void cephc_free_secret_str(char *s);

#endif /* CEPHC_CORE_ALLOC_H */
