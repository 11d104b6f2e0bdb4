/* SPDX-License-Identifier: MIT */
/* Reconnect policy for sessions that fault after OPEN: see backoff.h. */
#include "msgr/backoff.h"

#include <string.h>

void cephc_session_backoff_params_default(
    struct cephc_session_backoff_params *p)
{
	p->free = 4;
	p->base_ms = 250;
	p->max_ms = 4000;
	p->quiet_free = 8;
	p->quiet_base_ms = 100;
	p->quiet_max_ms = 2000;
	p->healthy_ms = 2000;
	p->healthy_msgs = 16;
}

void cephc_session_backoff_init(struct cephc_session_backoff *b,
				const struct cephc_session_backoff_params *p)
{
	memset(b, 0, sizeof(*b));
	if (p)
		b->p = *p;
	else
		cephc_session_backoff_params_default(&b->p);
}

void cephc_session_backoff_opened(struct cephc_session_backoff *b,
				  uint64_t now_ns)
{
	b->open_ns = now_ns ? now_ns : 1;
	b->delivered = 0;
}

/* The streak-th fault: 0 while free, then base x 2^n capped, jittered. */
static uint32_t paced(uint32_t *streak, uint32_t free, uint32_t base,
		      uint32_t max, uint32_t rnd)
{
	uint64_t d;
	uint32_t n;

	if (*streak < UINT32_MAX)
		(*streak)++;
	if (*streak <= free)
		return 0;
	/* base << n without overflow: past 2^31 it is over any cap */
	n = *streak - free - 1;
	d = n >= 31 ? max : (uint64_t)base << n;
	if (d > max)
		d = max;
	/* jitter: 3/4 to 5/4 of the delay */
	return (uint32_t)(d * 3 / 4 + rnd % (d / 2 + 1));
}

uint32_t cephc_session_backoff_fault(struct cephc_session_backoff *b,
				     uint64_t now_ns, uint32_t rnd)
{
	uint64_t up_ns = 0;
	uint32_t delivered = b->delivered;
	bool opened = b->open_ns != 0;

	if (opened && now_ns > b->open_ns)
		up_ns = now_ns - b->open_ns;
	b->open_ns = 0;
	b->delivered = 0;
	if (opened && (up_ns >= (uint64_t)b->p.healthy_ms * 1000000u ||
		       delivered >= b->p.healthy_msgs)) {
		/* a healthy session: this fault starts both counts over */
		b->streak = b->quiet_streak = 0;
		return 0;
	}
	if (delivered == 0)
		return paced(&b->quiet_streak, b->p.quiet_free,
			     b->p.quiet_base_ms, b->p.quiet_max_ms, rnd);
	return paced(&b->streak, b->p.free, b->p.base_ms, b->p.max_ms, rnd);
}
