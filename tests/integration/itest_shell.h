/* SPDX-License-Identifier: MIT */
/*
 * Helpers of the C integration tests that drive Ceph's own tools beside
 * cephc: counted checks, shell commands and their output, a fill pattern.
 * Header-only; each test includes it once.
 */
#ifndef CEPHC_TESTS_ITEST_SHELL_H
#define CEPHC_TESTS_ITEST_SHELL_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

static int itest_failures, itest_passes;

/* A counted check; the message says what was seen. */
#define CHECK(cond, ...)                                                       \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
			fprintf(stderr, __VA_ARGS__);                          \
			fprintf(stderr, "\n");                                 \
			itest_failures++;                                      \
		} else {                                                       \
			itest_passes++;                                        \
		}                                                              \
	} while (0)

/* "N passed, M failed"; the exit status. */
static inline int itest_report(void)
{
	printf("%d passed, %d failed\n", itest_passes, itest_failures);
	return itest_failures ? 1 : 0;
}

static inline double itest_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Exit status of a shell command (128 when it did not exit). */
static inline int run(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static inline int run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* Output of a shell command, NUL-terminated; the caller frees it. */
static inline char *capture(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static inline char *capture(const char *fmt, ...)
{
	char cmd[2048];
	size_t cap = 1 << 16, n = 0, r;
	char *out = malloc(cap);
	va_list ap;
	FILE *p;

	if (!out)
		abort();
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out[0] = '\0';
	p = popen(cmd, "r");
	if (!p)
		return out;
	while ((r = fread(out + n, 1, cap - 1 - n, p)) > 0) {
		n += r;
		if (n == cap - 1 && !(out = realloc(out, cap *= 2)))
			abort();
	}
	out[n] = '\0';
	pclose(p);
	return out;
}

/* The same into one of four rotating static buffers (64 KiB, truncated),
 * for checks and messages that do not keep it. */
static inline const char *sh_out(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
static inline const char *sh_out(const char *fmt, ...)
{
	static char bufs[4][1 << 16];
	static unsigned next;
	char cmd[2048], *out, *b = bufs[next++ % 4];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out = capture("%s", cmd);
	snprintf(b, sizeof(bufs[0]), "%s", out);
	free(out);
	return b;
}

/* Does the output of a shell command contain needle? */
static inline int output_has(const char *needle, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static inline int output_has(const char *needle, const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	char *out;
	int has;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	out = capture("%s", cmd);
	has = strstr(out, needle) != NULL;
	free(out);
	return has;
}

/* The tests' byte pattern (the same LCG as the python twins use). */
static inline void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (unsigned char)(seed >> 16);
	}
}

#endif /* CEPHC_TESTS_ITEST_SHELL_H */
