/* SPDX-License-Identifier: MIT */
/*
 * A capturing log sink for unit tests, with a scan for secrets: the test
 * registers the secrets it knows (raw bytes), the sink checks every line
 * as it is logged for the raw bytes and for their usual text renderings
 * (hex in either case, whole or either half; base64 of the bytes and of
 * the CryptoKey wire form a keyring carries) and for any text needle
 * registered (e.g. a keyring's base64 line), and keeps every line so a
 * test can also look for what *should* be there.
 *
 * Header-only (static inline): include it from one test file.
 */
#ifndef CEPHC_TESTS_LOG_CAPTURE_H
#define CEPHC_TESTS_LOG_CAPTURE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "cephc/cephc.h"

#define CAP_MAX_LINES 512
#define CAP_MAX_NEEDLES 2048
#define CAP_NEEDLE_LEN 96

struct cap_needle {
	char text[CAP_NEEDLE_LEN];
	size_t len;
};

static struct {
	char lines[CAP_MAX_LINES][256];
	unsigned nlines; /* lines kept (at most CAP_MAX_LINES) */
	unsigned seen;   /* lines logged */
	unsigned leaks;  /* lines that carried a secret */
	char leak[1100]; /* the first such line */
	struct cap_needle needles[CAP_MAX_NEEDLES];
	unsigned nneedles;
} logcap;

static inline void cap_needle_add(const void *p, size_t len)
{
	if (logcap.nneedles < CAP_MAX_NEEDLES && len && len < CAP_NEEDLE_LEN) {
		memcpy(logcap.needles[logcap.nneedles].text, p, len);
		logcap.needles[logcap.nneedles].len = len;
		logcap.nneedles++;
	}
}

static inline void cap_needle_b64(const uint8_t *p, size_t len)
{
	unsigned char b64[CAP_NEEDLE_LEN];
	int n;

	if (len > 60)
		return;
	n = EVP_EncodeBlock(b64, p, (int)len);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	cap_needle_add(b64, (size_t)n);
}

static inline void cap_needle_hex(const uint8_t *p, size_t len)
{
	char lo[CAP_NEEDLE_LEN], up[CAP_NEEDLE_LEN];

	if (len * 2 >= CAP_NEEDLE_LEN)
		return;
	for (size_t i = 0; i < len; i++) {
		snprintf(lo + 2 * i, 3, "%02x", p[i]);
		snprintf(up + 2 * i, 3, "%02X", p[i]);
	}
	cap_needle_add(lo, 2 * len);
	cap_needle_add(up, 2 * len);
}

/* Every run of w characters of a text secret (base64 cut anywhere). */
static inline void cap_needle_windows(const char *text, size_t w)
{
	size_t n = strlen(text);

	if (n <= w) {
		cap_needle_add(text, n);
		return;
	}
	for (size_t i = 0; i + w <= n; i++)
		cap_needle_add(text + i, w);
}

/* A secret of len bytes: itself, its hex, its base64, the wire form's. */
static inline void cap_add_secret(const void *secret, size_t len)
{
	const uint8_t *s = secret;
	uint8_t wire[12 + 64] = {1, 0}; /* le16 type AES, utime 0 */

	cap_needle_add(s, len);
	cap_needle_hex(s, len);
	cap_needle_hex(s, len / 2);
	cap_needle_hex(s + len / 2, len - len / 2);
	cap_needle_b64(s, len);
	if (len <= 64) {
		wire[10] = (uint8_t)len;
		memcpy(wire + 12, s, len);
		cap_needle_b64(wire, 12 + len);
	}
}

static inline int cap_contains(const char *h, size_t hl, const char *n,
			       size_t nl)
{
	for (size_t i = 0; i + nl <= hl; i++)
		if (memcmp(h + i, n, nl) == 0)
			return 1;
	return 0;
}

static inline void cap_sink(void *arg, enum cephc_log_level level,
			    const char *subsys, const char *msg)
{
	char line[1100];

	(void)arg;
	snprintf(line, sizeof(line), "%d %s: %s", (int)level, subsys, msg);
	logcap.seen++;
	if (logcap.nlines < CAP_MAX_LINES)
		snprintf(logcap.lines[logcap.nlines++], sizeof(logcap.lines[0]),
			 "%.255s", line);
	for (unsigned i = 0; i < logcap.nneedles; i++) {
		if (cap_contains(line, strlen(line), logcap.needles[i].text,
				 logcap.needles[i].len)) {
			if (!logcap.leaks++)
				snprintf(logcap.leak, sizeof(logcap.leak), "%s",
					 line);
			break;
		}
	}
}

/* Start capturing at trace level with no needles and no lines. */
static inline void cap_start(void)
{
	memset(&logcap, 0, sizeof(logcap));
	cephc_log_set(CEPHC_LOG_TRACE, cap_sink, NULL);
}

/* Back to the default: warnings and errors to stderr. */
static inline void cap_stop(void)
{
	cephc_log_set(CEPHC_LOG_WARN, NULL, NULL);
}

/* How many kept lines contain needle. */
static inline unsigned cap_count(const char *needle)
{
	unsigned n = 0;

	for (unsigned i = 0; i < logcap.nlines; i++)
		if (strstr(logcap.lines[i], needle))
			n++;
	return n;
}

#endif /* CEPHC_TESTS_LOG_CAPTURE_H */
