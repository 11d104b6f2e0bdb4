/* SPDX-License-Identifier: MIT */
/*
 * One epoll event loop per client instance: file descriptors, timers and
 * cross-thread work items.
 *
 * Threading
 * ---------
 * Exactly one thread at a time "drives" the loop: it holds the loop's driver
 * lock while it runs fd callbacks, timers and work items.  Everything that
 * touches connection state runs in that context, so connections need no
 * locks of their own.  Two ways to drive it:
 *   - own thread: cephc_loop_start() spawns a thread that waits in
 *     epoll_wait() (without the lock) and processes events (with it);
 *   - caller-driven: the application polls cephc_loop_fd() for readability,
 *     waits at most cephc_loop_timeout_ms(), then calls
 *     cephc_loop_process(loop, 0).
 * In own-thread mode a thread waiting for a completion may still drive the
 * loop itself (cephc_loop_lead()); the loop thread then parks off the
 * epoll fd (see cephc_loop_unpark()).
 * Other threads hand work over with cephc_loop_submit(): when nobody is
 * driving the loop at that moment the submitting thread takes the lock and
 * runs the work inline (no wake-up); otherwise the item goes on a lock-free
 * stack and an eventfd wakes the driver, which runs it before it releases
 * the lock.  Callbacks therefore run on whichever thread drives; they must
 * not block.  cephc_loop_in_driver() tells whether the calling thread is the
 * driver right now.
 */
#ifndef CEPHC_MSGR_LOOP_H
#define CEPHC_MSGR_LOOP_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct cephc_loop;

/* A watched file descriptor; embed it in the owner's struct. */
struct cephc_loop_fd {
	int fd;
	uint32_t events; /* EPOLLIN / EPOLLOUT currently registered */
	void (*cb)(struct cephc_loop_fd *lfd, uint32_t revents);
};

/* A one-shot timer; embed it; zero-initialise before first use. */
struct cephc_timer {
	uint64_t deadline_ns; /* CLOCK_MONOTONIC */
	bool armed;
	struct cephc_timer *prev, *next; /* sorted list, soonest first */
	void (*cb)(struct cephc_timer *t);
};

/* A unit of work handed to the driver; embed it. */
struct cephc_loop_work {
	struct cephc_loop_work *next;
	void (*fn)(struct cephc_loop_work *w);
};

/* Work for the end of the driver's turn (e.g. one socket flush for every
 * message queued during it); embed it; zero-initialise before first use. */
struct cephc_loop_defer {
	struct cephc_loop_defer *next;
	bool queued;
	void (*fn)(struct cephc_loop_defer *d);
};

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t cephc_now_ns(void);

int cephc_loop_create(struct cephc_loop **out);
/* Stops the thread if started; fds and timers must be removed first. */
void cephc_loop_destroy(struct cephc_loop *loop);

/* Driver context only (or before the loop runs). */
int cephc_loop_add_fd(struct cephc_loop *loop, struct cephc_loop_fd *lfd,
		      uint32_t events);
int cephc_loop_mod_fd(struct cephc_loop *loop, struct cephc_loop_fd *lfd,
		      uint32_t events);
void cephc_loop_del_fd(struct cephc_loop *loop, struct cephc_loop_fd *lfd);
void cephc_timer_arm(struct cephc_loop *loop, struct cephc_timer *t,
		     uint64_t deadline_ns);
void cephc_timer_cancel(struct cephc_loop *loop, struct cephc_timer *t);

/*
 * Driver context only.  Run d->fn once before the driver lets go of the
 * loop (after the events and work of this turn); queuing an already queued
 * d does nothing.  Cancel before freeing d.
 */
void cephc_loop_defer(struct cephc_loop *loop, struct cephc_loop_defer *d);
void cephc_loop_defer_cancel(struct cephc_loop *loop,
			     struct cephc_loop_defer *d);

/* Any thread.  w must stay valid until w->fn has run. */
void cephc_loop_submit(struct cephc_loop *loop, struct cephc_loop_work *w);
bool cephc_loop_in_driver(const struct cephc_loop *loop);

/*
 * Leader/follower: a thread about to wait for a completion drives the loop
 * itself, so the reply is handled on the thread that wants it and nobody
 * pays a wake-up.  Runs cephc_loop_process() until done(arg) holds, with
 * *lock (held on entry and on return, dropped while processing) guarding
 * what done() reads; 0, CEPHC_ETIMEDOUT at deadline_ns (0: none),
 * CEPHC_EDEADLK from driver context, or CEPHC_EBUSY when another thread
 * leads already (wait on your condition variable instead).  When another
 * thread's cephc_loop_process() runs anything while the leader sleeps, it
 * kicks the leader awake to look at done() again.
 */
int cephc_loop_lead(struct cephc_loop *loop, pthread_mutex_t *lock,
		    bool (*done)(void *arg), void *arg, uint64_t deadline_ns);

/*
 * Own-thread mode: while a leader drives, our loop thread stays off the
 * epoll fd (parked), and lingers there a few ms after the last leadership,
 * so back-to-back synchronous calls pay no wake-up of it.  Call this when a
 * leader stops while others still need the loop driven (other waiters,
 * requests in flight): the thread goes back to polling at once.  Any
 * thread; harmless when the thread is not parked.
 */
void cephc_loop_unpark(struct cephc_loop *loop);

/* Caller-driven mode. */
int cephc_loop_fd(const struct cephc_loop *loop);
/* ms until the next timer (0 if due, -1 if none). */
int cephc_loop_timeout_ms(struct cephc_loop *loop);
/*
 * Wait up to timeout_ms (-1 forever, 0 poll) for events, then run every ready
 * fd callback, due timer and queued work item.  Returns the number of events
 * handled or a negative error.  Must not be called from a callback.
 */
int cephc_loop_process(struct cephc_loop *loop, int timeout_ms);

/* Own-thread mode. */
int cephc_loop_start(struct cephc_loop *loop);
void cephc_loop_stop(struct cephc_loop *loop);

#endif /* CEPHC_MSGR_LOOP_H */
