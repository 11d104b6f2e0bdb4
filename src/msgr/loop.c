/* SPDX-License-Identifier: MIT */
#include "msgr/loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"

#define LOOP_MAX_EVENTS 64

struct cephc_loop {
	int epfd;
	int evfd;
	pthread_mutex_t driver; /* held while callbacks run */
	_Atomic(struct cephc_loop_work *) pending; /* lock-free LIFO */
	atomic_bool wake_pending;                  /* eventfd written */
	struct cephc_timer *timers;                /* soonest first */
	struct cephc_loop_defer *defers;           /* end of this turn */
	/*
	 * Bumped by every cephc_loop_del_fd().  An fd's owner may free it
	 * right after removing it, so events fetched before a removal are
	 * dropped rather than delivered to freed memory; epoll is
	 * level-triggered, so live fds report again on the next wait.
	 */
	atomic_uint_fast64_t del_gen;
	/* Threads inside epoll_wait() right now (they hold no lock). */
	atomic_int waiters;
	/* The synchronous waiter driving the loop itself (leader/follower),
	 * or NULL; leader_polling while it sleeps in epoll_wait(). */
	_Atomic(const void *) leader;
	atomic_bool leader_polling;
	/*
	 * Own loop thread parked off the epoll fd while leaders drive (see
	 * loop_park()): lead_gen counts leaderships, last_leader is the most
	 * recent leader's thread, unpark_now asks the parked thread back.
	 */
	pthread_mutex_t park_mu;
	pthread_cond_t park_cond; /* CLOCK_MONOTONIC */
	atomic_bool parked;
	atomic_bool unpark_now;
	atomic_uint_fast64_t lead_gen;
	_Atomic(const void *) last_leader;
	pthread_t thread;
	bool thread_started;
	atomic_bool stop;
};

/* Which loop (if any) the current thread is driving. */
static _Thread_local const struct cephc_loop *tls_driving;

uint64_t cephc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int cephc_loop_create(struct cephc_loop **out)
{
	struct cephc_loop *loop = cephc_calloc(1, sizeof(*loop));
	struct epoll_event ev = {.events = EPOLLIN};

	if (!loop)
		return CEPHC_ENOMEM;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	loop->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (loop->epfd < 0 || loop->evfd < 0)
		goto fail;
	ev.data.ptr = NULL; /* NULL marks the eventfd */
	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->evfd, &ev) < 0)
		goto fail;
	pthread_mutex_init(&loop->driver, NULL);
	pthread_mutex_init(&loop->park_mu, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&loop->park_cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	*out = loop;
	return 0;
fail:
	if (loop->epfd >= 0)
		close(loop->epfd);
	if (loop->evfd >= 0)
		close(loop->evfd);
	cephc_free(loop);
	return -errno;
}

void cephc_loop_destroy(struct cephc_loop *loop)
{
	if (!loop)
		return;
	cephc_loop_stop(loop);
	close(loop->epfd);
	close(loop->evfd);
	pthread_mutex_destroy(&loop->driver);
	pthread_mutex_destroy(&loop->park_mu);
	pthread_cond_destroy(&loop->park_cond);
	cephc_free(loop);
}

int cephc_loop_add_fd(struct cephc_loop *loop, struct cephc_loop_fd *lfd,
		      uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = lfd};

	lfd->events = events;
	return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, lfd->fd, &ev) ? -errno : 0;
}

int cephc_loop_mod_fd(struct cephc_loop *loop, struct cephc_loop_fd *lfd,
		      uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = lfd};

	if (lfd->events == events)
		return 0;
	lfd->events = events;
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, lfd->fd, &ev) ? -errno : 0;
}

void cephc_loop_del_fd(struct cephc_loop *loop, struct cephc_loop_fd *lfd)
{
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, lfd->fd, NULL);
	lfd->events = 0;
	atomic_fetch_add(&loop->del_gen, 1);
}

void cephc_timer_cancel(struct cephc_loop *loop, struct cephc_timer *t)
{
	if (!t->armed)
		return;
	if (t->prev)
		t->prev->next = t->next;
	else
		loop->timers = t->next;
	if (t->next)
		t->next->prev = t->prev;
	t->prev = t->next = NULL;
	t->armed = false;
}

void cephc_loop_unpark(struct cephc_loop *loop)
{
	if (!loop->thread_started)
		return;
	pthread_mutex_lock(&loop->park_mu);
	atomic_store(&loop->unpark_now, true);
	pthread_cond_signal(&loop->park_cond);
	pthread_mutex_unlock(&loop->park_mu);
}

/* Our thread is parked and nobody leads: nobody would poll. */
static bool undriven(struct cephc_loop *loop)
{
	return atomic_load(&loop->parked) && !atomic_load(&loop->leader);
}

/* Kick a thread sleeping in epoll_wait() (one eventfd write at most), and
 * a parked loop thread when no leader would see the kick. */
static void loop_wake(struct cephc_loop *loop)
{
	uint64_t one = 1;

	if (!atomic_exchange(&loop->wake_pending, true)) {
		if (write(loop->evfd, &one, sizeof(one)) < 0)
			log_warn("msgr", "loop: eventfd write: %d", errno);
	}
	if (undriven(loop))
		cephc_loop_unpark(loop);
}

/* A sorted list: a client has a handful of timers per connection. */
void cephc_timer_arm(struct cephc_loop *loop, struct cephc_timer *t,
		     uint64_t deadline_ns)
{
	struct cephc_timer **pp = &loop->timers, *prev = NULL;

	cephc_timer_cancel(loop, t);
	t->deadline_ns = deadline_ns;
	while (*pp && (*pp)->deadline_ns <= deadline_ns) {
		prev = *pp;
		pp = &(*pp)->next;
	}
	t->next = *pp;
	t->prev = prev;
	if (*pp)
		(*pp)->prev = t;
	*pp = t;
	t->armed = true;
	/* A sleeper computed its timeout before this timer existed. */
	if (loop->timers == t && atomic_load(&loop->waiters))
		loop_wake(loop);
}

bool cephc_loop_in_driver(const struct cephc_loop *loop)
{
	return tls_driving == loop;
}

/* Run queued work in submission order (the stack is LIFO: reverse it). */
static int run_pending(struct cephc_loop *loop)
{
	struct cephc_loop_work *w, *rev = NULL, *next;
	int n = 0;

	while ((w = atomic_exchange(&loop->pending, NULL))) {
		rev = NULL;
		for (; w; w = next) {
			next = w->next;
			w->next = rev;
			rev = w;
		}
		for (w = rev; w; w = next) {
			next = w->next;
			w->fn(w);
			n++;
		}
	}
	return n;
}

static int run_timers(struct cephc_loop *loop)
{
	uint64_t now = cephc_now_ns();
	struct cephc_timer *t;
	int n = 0;

	while ((t = loop->timers) && t->deadline_ns <= now) {
		cephc_timer_cancel(loop, t);
		t->cb(t);
		n++;
	}
	return n;
}

void cephc_loop_defer(struct cephc_loop *loop, struct cephc_loop_defer *d)
{
	if (d->queued)
		return;
	d->queued = true;
	d->next = loop->defers;
	loop->defers = d;
}

void cephc_loop_defer_cancel(struct cephc_loop *loop,
			     struct cephc_loop_defer *d)
{
	struct cephc_loop_defer **pp = &loop->defers;

	if (!d->queued)
		return;
	while (*pp && *pp != d)
		pp = &(*pp)->next;
	if (*pp)
		*pp = d->next;
	d->queued = false;
	d->next = NULL;
}

/* Until both are empty: deferred work may queue more of either. */
static void run_end_of_turn(struct cephc_loop *loop)
{
	for (;;) {
		struct cephc_loop_defer *d = loop->defers;

		if (d) {
			loop->defers = d->next;
			d->queued = false;
			d->next = NULL;
			d->fn(d);
			continue;
		}
		if (!run_pending(loop))
			break;
	}
}

static void enter(struct cephc_loop *loop)
{
	pthread_mutex_lock(&loop->driver);
	tls_driving = loop;
}

static void leave(struct cephc_loop *loop)
{
	/* Nothing may sit in the queue once we let go without a wake-up
	 * pending for it; submitters write the eventfd when they fail to get
	 * the lock, so draining here is an optimisation, not a requirement. */
	run_end_of_turn(loop);
	tls_driving = NULL;
	pthread_mutex_unlock(&loop->driver);
}

/* Identifies the calling thread (any per-thread address will do). */
static const void *self_id(void)
{
	static _Thread_local char me;

	return &me;
}

void cephc_loop_submit(struct cephc_loop *loop, struct cephc_loop_work *w)
{

	if (tls_driving == loop) {
		w->fn(w);
		return;
	}
	/* Nobody driving: become the driver just for this item. */
	if (tls_driving == NULL && pthread_mutex_trylock(&loop->driver) == 0) {
		tls_driving = loop;
		w->fn(w);
		leave(loop);
		/* Sent inline while our thread is parked and nobody leads:
		 * someone must poll for the reply.  The last leader's own
		 * submissions are left to it (it is about to wait and lead
		 * again); that is what keeps a synchronous caller free of
		 * wake-ups. */
		if (undriven(loop) &&
		    atomic_load(&loop->last_leader) != self_id())
			cephc_loop_unpark(loop);
		return;
	}
	w->next = atomic_load(&loop->pending);
	while (!atomic_compare_exchange_weak(&loop->pending, &w->next, w))
		;
	loop_wake(loop);
}

/* Longest single sleep of a leader: the safety net for a kick that an
 * epoll quirk delivered to another sleeper. */
#define LEAD_SLICE_MS 10

int cephc_loop_lead(struct cephc_loop *loop, pthread_mutex_t *lock,
		    bool (*done)(void *arg), void *arg, uint64_t deadline_ns)
{
	const void *none = NULL;
	int ret = 0;

	if (tls_driving == loop)
		return CEPHC_EDEADLK;
	if (!atomic_compare_exchange_strong(&loop->leader, &none, self_id()))
		return CEPHC_EBUSY;
	atomic_store(&loop->last_leader, self_id());
	atomic_fetch_add(&loop->lead_gen, 1);
	while (!done(arg)) {
		int t = LEAD_SLICE_MS;

		if (deadline_ns) {
			uint64_t now = cephc_now_ns();

			if (now >= deadline_ns) {
				ret = CEPHC_ETIMEDOUT;
				break;
			}
			if (deadline_ns - now < (uint64_t)t * 1000000u)
				t = (int)((deadline_ns - now + 999999) /
					  1000000u);
		}
		pthread_mutex_unlock(lock);
		atomic_store(&loop->leader_polling, true);
		ret = cephc_loop_process(loop, t);
		atomic_store(&loop->leader_polling, false);
		pthread_mutex_lock(lock);
		if (ret < 0) {
			/* cannot poll: let the caller wait its other way */
			ret = CEPHC_EBUSY;
			break;
		}
		ret = 0;
	}
	atomic_store(&loop->leader, NULL);
	return ret;
}

int cephc_loop_fd(const struct cephc_loop *loop)
{
	return loop->epfd;
}

/* Driver lock held. */
static int next_timeout_ms(struct cephc_loop *loop)
{
	uint64_t now, d;

	if (atomic_load(&loop->pending))
		return 0;
	if (!loop->timers)
		return -1;
	now = cephc_now_ns();
	d = loop->timers->deadline_ns;
	if (d <= now)
		return 0;
	/* round up so a timer is never polled for early */
	return (int)((d - now + 999999) / 1000000);
}

int cephc_loop_timeout_ms(struct cephc_loop *loop)
{
	int t;

	if (tls_driving == loop)
		return next_timeout_ms(loop);
	pthread_mutex_lock(&loop->driver);
	t = next_timeout_ms(loop);
	pthread_mutex_unlock(&loop->driver);
	return t;
}

/* yield: our own loop thread, which leaves every event to a leader. */
static int loop_process(struct cephc_loop *loop, int timeout_ms, bool yield)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];
	int n, i, handled = 0, t;
	uint64_t junk, gen;

	/* Never sleep past the next timer.  Count as a waiter before reading
	 * the timer list, so a timer armed after that wakes us. */
	atomic_fetch_add(&loop->waiters, 1);
	pthread_mutex_lock(&loop->driver);
	t = next_timeout_ms(loop);
	pthread_mutex_unlock(&loop->driver);
	if (t >= 0 && (timeout_ms < 0 || t < timeout_ms))
		timeout_ms = t;
	gen = atomic_load(&loop->del_gen);
	n = epoll_wait(loop->epfd, evs, LOOP_MAX_EVENTS, timeout_ms);
	atomic_fetch_sub(&loop->waiters, 1);
	if (n < 0 && errno != EINTR)
		return -errno;
	/* A leader polls: what we got stays ready (level-triggered), and the
	 * kernel passes it on to the leader's epoll_wait(). */
	if (yield && atomic_load(&loop->leader))
		return 0;
	enter(loop);
	for (i = 0; i < n; i++) {
		struct cephc_loop_fd *lfd = evs[i].data.ptr;

		/* an fd went away since the wait: the rest may be stale */
		if (lfd && atomic_load(&loop->del_gen) != gen)
			continue;

		if (!lfd) {
			atomic_store(&loop->wake_pending, false);
			if (read(loop->evfd, &junk, sizeof(junk)) < 0 &&
			    errno != EAGAIN)
				log_warn("msgr", "loop: eventfd read: %d",
					 errno);
			continue;
		}
		lfd->cb(lfd, evs[i].events);
		handled++;
	}
	handled += run_pending(loop);
	handled += run_timers(loop);
	/* What we ran may have completed the leader's wait, and the leader
	 * sleeps in epoll_wait(), not on its condition variable. */
	if (handled && atomic_load(&loop->leader_polling) &&
	    atomic_load(&loop->leader) != self_id())
		loop_wake(loop);
	leave(loop);
	return handled;
}

int cephc_loop_process(struct cephc_loop *loop, int timeout_ms)
{
	return loop_process(loop, timeout_ms, false);
}

/*
 * How long our parked thread lingers after the last leadership before it
 * polls again.  A synchronous caller leads again within microseconds, so
 * the thread stays parked and costs one wake-up per LINGER, not one per
 * request.  Whatever needs a driver sooner unparks it: queued work
 * (loop_wake()), an inline send by a thread that is not the last leader,
 * and cephc_loop_unpark() from the leader's side when others still wait.
 * Unsolicited messages and timers wait at most about 2 * LINGER.
 */
#define PARK_LINGER_NS 5000000ull

static void loop_park(struct cephc_loop *loop)
{
	pthread_mutex_lock(&loop->park_mu);
	atomic_store(&loop->parked, true);
	for (;;) {
		uint64_t gen = atomic_load(&loop->lead_gen);
		uint64_t until = cephc_now_ns() + PARK_LINGER_NS;
		struct timespec ts = {
		    .tv_sec = (time_t)(until / 1000000000u),
		    .tv_nsec = (long)(until % 1000000000u)};

		if (atomic_load(&loop->stop) || atomic_load(&loop->unpark_now))
			break;
		/* work queued (or kicked) with nobody to run it */
		if (!atomic_load(&loop->leader) &&
		    (atomic_load(&loop->pending) ||
		     atomic_load(&loop->wake_pending)))
			break;
		pthread_cond_timedwait(&loop->park_cond, &loop->park_mu, &ts);
		if (atomic_load(&loop->stop) || atomic_load(&loop->unpark_now))
			break;
		if (!atomic_load(&loop->leader) &&
		    atomic_load(&loop->lead_gen) == gen)
			break; /* nobody led for a whole linger */
	}
	atomic_store(&loop->unpark_now, false);
	atomic_store(&loop->parked, false);
	pthread_mutex_unlock(&loop->park_mu);
}

static void *loop_thread(void *arg)
{
	struct cephc_loop *loop = arg;

	while (!atomic_load(&loop->stop)) {
		int r;

		if (atomic_load(&loop->leader)) {
			loop_park(loop);
			continue;
		}
		r = loop_process(loop, -1, true);

		if (r < 0) {
			log_error("msgr", "loop: epoll_wait: %s",
				  cephc_strerror(r));
			break;
		}
	}
	return NULL;
}

int cephc_loop_start(struct cephc_loop *loop)
{
	int r;

	if (loop->thread_started)
		return CEPHC_EALREADY;
	atomic_store(&loop->stop, false);
	r = pthread_create(&loop->thread, NULL, loop_thread, loop);
	if (r)
		return -r;
	loop->thread_started = true;
	return 0;
}

void cephc_loop_stop(struct cephc_loop *loop)
{
	uint64_t one = 1;

	if (!loop->thread_started)
		return;
	atomic_store(&loop->stop, true);
	if (write(loop->evfd, &one, sizeof(one)) < 0)
		log_warn("msgr", "loop: eventfd write: %d", errno);
	pthread_mutex_lock(&loop->park_mu);
	pthread_cond_signal(&loop->park_cond);
	pthread_mutex_unlock(&loop->park_mu);
	pthread_join(loop->thread, NULL);
	loop->thread_started = false;
}
