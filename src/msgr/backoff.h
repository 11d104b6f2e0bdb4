/* SPDX-License-Identifier: MIT */
/*
 * Reconnect policy for client sessions that reached OPEN and then faulted
 * (sans-IO: the caller passes the clock and a random number).
 *
 * A lossy OSD session that faults once (a daemon restart, an injected
 * socket failure) is redialled at once, so the requests on it are resent
 * without delay.  A peer that completes the handshake, delivers a message
 * and then faults, again and again, must not be redialled in a tight loop:
 * each fault of a streak past the first `free` waits base x 2^n (capped at
 * max, then 3/4 to 5/4 of that as jitter so that clients faulted by one
 * event do not return in step).
 *
 * The streak starts over only after a healthy session: one that stayed
 * OPEN for healthy_ms, or that delivered healthy_msgs messages.  The
 * second test is there for the daemons' socket-failure injection, which
 * drops working sessions every few hundred milliseconds (lifetimes of
 * 0.1 ms to seconds, median ~140 ms, measured under fsx); those sessions
 * deliver dozens of replies, a hostile peer's one or two.
 */
#ifndef CEPHC_MSGR_BACKOFF_H
#define CEPHC_MSGR_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

struct cephc_session_backoff_params {
	uint32_t free;         /* faults in a streak redialled at once */
	uint32_t base_ms;      /* the first delay past those */
	uint32_t max_ms;       /* cap before jitter */
	uint32_t healthy_ms;   /* a session up this long is healthy */
	uint32_t healthy_msgs; /* or one that delivered this many */
};

/* free 6, base 250 ms, cap 15 s (the kernel's reconnect cap), healthy
 * after 2 s or 16 messages. */
void cephc_session_backoff_params_default(
    struct cephc_session_backoff_params *p);

struct cephc_session_backoff {
	struct cephc_session_backoff_params p;
	uint32_t streak;    /* faults since the last healthy session */
	uint64_t open_ns;   /* when the current session opened (0: none) */
	uint32_t delivered; /* messages it delivered (saturating) */
};

void cephc_session_backoff_init(struct cephc_session_backoff *b,
				const struct cephc_session_backoff_params *p);

/* The session reached OPEN at now_ns. */
void cephc_session_backoff_opened(struct cephc_session_backoff *b,
				  uint64_t now_ns);

/* The session delivered one message (hot path: one add). */
static inline void
cephc_session_backoff_delivered(struct cephc_session_backoff *b)
{
	if (b->delivered != UINT32_MAX)
		b->delivered++;
}

/*
 * The opened session faulted at now_ns: returns how many milliseconds to
 * wait before redialling (0: at once).  rnd is any random 32-bit value;
 * the delay depends on it only through the jitter.
 */
uint32_t cephc_session_backoff_fault(struct cephc_session_backoff *b,
				     uint64_t now_ns, uint32_t rnd);

#endif /* CEPHC_MSGR_BACKOFF_H */
