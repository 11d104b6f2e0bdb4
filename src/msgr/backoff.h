/* SPDX-License-Identifier: MIT */
/*
 * Reconnect policy for client sessions that reached OPEN and then faulted
 * (sans-IO: the caller passes the clock and a random number).
 *
 * A lossy OSD session that faults once (a daemon restart, an injected
 * socket failure) is redialled at once, so the requests on it are resent
 * without delay.  A peer that completes the handshake, delivers a message
 * and then faults, again and again, must not be redialled in a tight loop:
 * each such fault past the first `free` of a streak waits base x 2^n,
 * capped at max, then 3/4 to 5/4 of that as jitter so that clients
 * faulted by one event do not return in step.
 *
 * Sessions that fault before delivering anything count apart, on a
 * gentler scale (quiet_*): our own resends cause those too.  Under the
 * daemons' socket-failure injection, hundreds of requests resent on each
 * new session fault it before the first reply, again and again, and
 * each try has a small chance to get through; a 15 s cap there made 512
 * writes time out where 2 s lets them finish in seconds.
 *
 * Both streaks start over only after a healthy session: one that stayed
 * OPEN for healthy_ms, or that delivered healthy_msgs messages.  The
 * second test is there for injection too, which drops working sessions
 * every few hundred milliseconds (lifetimes of 0.1 ms to seconds, median
 * ~140 ms, measured under fsx); those deliver dozens of replies, a
 * hostile peer's one or two.
 */
#ifndef CEPHC_MSGR_BACKOFF_H
#define CEPHC_MSGR_BACKOFF_H

#include <stdbool.h>
#include <stdint.h>

struct cephc_session_backoff_params {
	uint32_t free;          /* faults in a streak redialled at once */
	uint32_t base_ms;       /* the first delay past those */
	uint32_t max_ms;        /* cap before jitter */
	uint32_t quiet_free;    /* the same for sessions that delivered */
	uint32_t quiet_base_ms; /* nothing before they faulted */
	uint32_t quiet_max_ms;
	uint32_t healthy_ms;   /* a session up this long is healthy */
	uint32_t healthy_msgs; /* or one that delivered this many */
};

/* free 4, base 250 ms, cap 4 s; quiet: free 8, 100 ms, cap 2 s; healthy
 * after 2 s or 16 messages.  A peer that delivers one message per
 * session gets at most 14 connections in 20 s. */
void cephc_session_backoff_params_default(
    struct cephc_session_backoff_params *p);

struct cephc_session_backoff {
	struct cephc_session_backoff_params p;
	uint32_t streak;       /* unhealthy faults after delivering */
	uint32_t quiet_streak; /* faults before delivering anything */
	uint64_t open_ns;      /* when the current session opened (0: none) */
	uint32_t delivered;    /* messages it delivered (saturating) */
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
