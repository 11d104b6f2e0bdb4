/* SPDX-License-Identifier: MIT */
/*
 * Internal logging.  The level test is an inline compare against a global so
 * that disabled debug lines cost one branch on the I/O path.
 */
#ifndef CEPHC_CORE_LOG_H
#define CEPHC_CORE_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include "cephc/cephc.h"

extern int cephc_log_threshold;

void cephc_logf(enum cephc_log_level level, const char *subsys, const char *fmt,
		...) __attribute__((format(printf, 3, 4)));

#define CEPHC_LOG(level, subsys, ...)                                          \
	do {                                                                   \
		if ((int)(level) <= cephc_log_threshold)                       \
			cephc_logf((level), (subsys), __VA_ARGS__);            \
	} while (0)

#define log_error(subsys, ...) CEPHC_LOG(CEPHC_LOG_ERROR, subsys, __VA_ARGS__)
#define log_warn(subsys, ...) CEPHC_LOG(CEPHC_LOG_WARN, subsys, __VA_ARGS__)
#define log_info(subsys, ...) CEPHC_LOG(CEPHC_LOG_INFO, subsys, __VA_ARGS__)
#define log_debug(subsys, ...) CEPHC_LOG(CEPHC_LOG_DEBUG, subsys, __VA_ARGS__)
#define log_trace(subsys, ...) CEPHC_LOG(CEPHC_LOG_TRACE, subsys, __VA_ARGS__)

/*
 * Rate limit for a warning that a misbehaving peer could repeat without
 * end: the first one in an interval passes, the rest are counted.  When
 * the next one passes, *held says how many were held back since, so the
 * caller can print one summary line with the count.  Not thread-safe: keep
 * one per driver context (e.g. in the messenger).
 */
struct cephc_log_ratelimit {
	uint64_t next_ns; /* CLOCK_MONOTONIC: when the next line may pass */
	uint64_t last_ns; /* when the last line passed (0: none yet) */
	uint64_t span_ns; /* from the line before it to that one */
	uint32_t held;
};
#define CEPHC_LOG_RATELIMIT_NS (10ull * 1000000000ull)

bool cephc_log_ratelimit_pass(struct cephc_log_ratelimit *rl, uint64_t now_ns,
			      uint32_t *held);

/* After a pass that reported held lines: the real time they were held
 * over, the time since the previous line that passed, in whole seconds
 * (rounded), for the summary line.  At least the interval when lines
 * come without a pause; more after a quiet spell. */
unsigned long long
cephc_log_ratelimit_span_s(const struct cephc_log_ratelimit *rl);

#endif /* CEPHC_CORE_LOG_H */
