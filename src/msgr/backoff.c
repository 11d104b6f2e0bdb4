/* SPDX-License-Identifier: MIT */
/* Reconnect policy for sessions that fault after OPEN: see backoff.h. */
#include "msgr/backoff.h"

#include <string.h>

void cephc_session_backoff_params_default(
    struct cephc_session_backoff_params *p)
{
	p->free = 6;
	p->base_ms = 250;
	p->max_ms = 15000;
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

uint32_t cephc_session_backoff_fault(struct cephc_session_backoff *b,
				     uint64_t now_ns, uint32_t rnd)
{
	uint64_t up_ns = 0, d;
	uint32_t n;

	if (b->open_ns && now_ns > b->open_ns)
		up_ns = now_ns - b->open_ns;
	if (b->open_ns && (up_ns >= (uint64_t)b->p.healthy_ms * 1000000u ||
			   b->delivered >= b->p.healthy_msgs))
		b->streak = 0;
	b->open_ns = 0;
	b->delivered = 0;
	if (b->streak < UINT32_MAX)
		b->streak++;
	if (b->streak <= b->p.free)
		return 0;
	/* base << n without overflow: past 2^31 it is over any cap */
	n = b->streak - b->p.free - 1;
	d = n >= 31 ? b->p.max_ms : (uint64_t)b->p.base_ms << n;
	if (d > b->p.max_ms)
		d = b->p.max_ms;
	/* jitter: 3/4 to 5/4 of the delay */
	return (uint32_t)(d * 3 / 4 + rnd % (d / 2 + 1));
}
