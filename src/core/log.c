/* SPDX-License-Identifier: MIT */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int cephc_log_threshold = CEPHC_LOG_WARN;

static cephc_log_fn log_sink;
static void *log_sink_arg;

static const char *const level_names[] = {"error", "warn", "info", "debug",
					  "trace"};

/* CEPHC_LOG=debug (or a digit) sets the starting level at load time. */
__attribute__((constructor)) static void log_init_from_env(void)
{
	const char *v = getenv("CEPHC_LOG");

	if (!v || !*v)
		return;
	if (v[0] >= '0' && v[0] <= '4' && v[1] == '\0') {
		cephc_log_threshold = v[0] - '0';
		return;
	}
	for (int i = 0; i < 5; i++)
		if (strcmp(v, level_names[i]) == 0)
			cephc_log_threshold = i;
}

void cephc_log_set(enum cephc_log_level level, cephc_log_fn fn, void *arg)
{
	cephc_log_threshold = (int)level;
	log_sink = fn;
	log_sink_arg = arg;
}

enum cephc_log_level cephc_log_get_level(void)
{
	return (enum cephc_log_level)cephc_log_threshold;
}

void cephc_logf(enum cephc_log_level level, const char *subsys, const char *fmt,
		...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (log_sink) {
		log_sink(log_sink_arg, level, subsys, buf);
		return;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(stderr, "%lld.%06ld cephc %s %s: %s\n", (long long)ts.tv_sec,
		ts.tv_nsec / 1000,
		(unsigned)level < 5 ? level_names[level] : "?", subsys, buf);
}

bool cephc_log_ratelimit_pass(struct cephc_log_ratelimit *rl, uint64_t now_ns,
			      uint32_t *held)
{
	if (rl->next_ns && now_ns < rl->next_ns) {
		rl->held++;
		return false;
	}
	*held = rl->held;
	rl->held = 0;
	rl->span_ns = rl->last_ns ? now_ns - rl->last_ns : 0;
	rl->last_ns = now_ns;
	rl->next_ns = now_ns + CEPHC_LOG_RATELIMIT_NS;
	return true;
}

unsigned long long
cephc_log_ratelimit_span_s(const struct cephc_log_ratelimit *rl)
{
	return (unsigned long long)((rl->span_ns + 500000000ull) /
				    1000000000ull);
}

const char *cephc_version(void)
{
	return "0.1.0";
}
