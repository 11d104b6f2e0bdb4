/* SPDX-License-Identifier: MIT */
/* The event loop: timers, caller-driven mode, cross-thread submission,
 * fds removed (and freed) while their events are pending, leaders beside
 * our own (parked) loop thread. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cephc/errors.h"
#include "msgr/loop.h"

static int order[8], norder;

struct tagged_timer {
	struct cephc_timer t;
	int id;
};

static void tagged_cb(struct cephc_timer *t)
{
	order[norder++] = ((struct tagged_timer *)t)->id;
}

static void test_timers_fire_in_deadline_order_and_cancel(void **state)
{
	struct cephc_loop *loop;
	struct tagged_timer t[4];
	uint64_t now = cephc_now_ns();

	(void)state;
	assert_int_equal(cephc_loop_create(&loop), 0);
	assert_int_equal(cephc_loop_timeout_ms(loop), -1);
	memset(t, 0, sizeof(t));
	norder = 0;
	for (int i = 0; i < 4; i++) {
		t[i].id = i;
		t[i].t.cb = tagged_cb;
	}
	cephc_timer_arm(loop, &t[0].t, now + 30000000); /* 30 ms */
	cephc_timer_arm(loop, &t[1].t, now + 10000000);
	cephc_timer_arm(loop, &t[2].t, now + 20000000);
	cephc_timer_arm(loop, &t[3].t, now + 15000000);
	cephc_timer_cancel(loop, &t[3].t);
	assert_in_range(cephc_loop_timeout_ms(loop), 1, 11);
	for (int i = 0; i < 100 && norder < 3; i++)
		cephc_loop_process(loop, cephc_loop_timeout_ms(loop));
	assert_int_equal(norder, 3);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 2);
	assert_int_equal(order[2], 0);
	assert_false(t[3].t.armed);
	/* re-arming moves a timer */
	cephc_timer_arm(loop, &t[0].t, now + 5000000000ull);
	cephc_timer_arm(loop, &t[0].t, cephc_now_ns());
	assert_int_equal(cephc_loop_timeout_ms(loop), 0);
	cephc_loop_process(loop, 0);
	assert_int_equal(norder, 4);
	cephc_loop_destroy(loop);
}

struct work_rec {
	struct cephc_loop_work w;
	struct cephc_loop *loop;
	pthread_t ran_on;
	int runs;
	int in_driver;
};

static void work_fn(struct cephc_loop_work *w)
{
	struct work_rec *r = (struct work_rec *)w;

	r->ran_on = pthread_self();
	r->in_driver = cephc_loop_in_driver(r->loop);
	__atomic_add_fetch(&r->runs, 1, __ATOMIC_RELEASE);
}

static void test_submit_runs_inline_when_nobody_drives(void **state)
{
	struct cephc_loop *loop;
	struct work_rec r = {.w.fn = work_fn};

	(void)state;
	assert_int_equal(cephc_loop_create(&loop), 0);
	r.loop = loop;
	cephc_loop_submit(loop, &r.w);
	assert_int_equal(r.runs, 1);
	assert_true(pthread_equal(r.ran_on, pthread_self()));
	assert_true(r.in_driver);
	assert_false(cephc_loop_in_driver(loop));
	cephc_loop_destroy(loop);
}

static void test_submit_from_threads_runs_each_once(void **state)
{
	struct cephc_loop *loop;
	struct work_rec r[200];

	(void)state;
	assert_int_equal(cephc_loop_create(&loop), 0);
	assert_int_equal(cephc_loop_start(loop), 0);
	memset(r, 0, sizeof(r));
	for (int i = 0; i < 200; i++) {
		r[i].w.fn = work_fn;
		r[i].loop = loop;
		cephc_loop_submit(loop, &r[i].w);
	}
	for (int i = 0; i < 200; i++) {
		for (int k = 0;
		     k < 2000 && !__atomic_load_n(&r[i].runs, __ATOMIC_ACQUIRE);
		     k++)
			usleep(1000);
		assert_int_equal(r[i].runs, 1);
		assert_true(r[i].in_driver);
	}
	cephc_loop_stop(loop);
	cephc_loop_destroy(loop);
}

/* A timer armed from another thread while the loop thread sleeps with no
 * timeout must still fire on time. */
static struct tagged_timer late_timer;
static struct cephc_loop *late_loop;
static int late_fired;

static void late_cb(struct cephc_timer *t)
{
	__atomic_store_n(&late_fired, 1, __ATOMIC_RELEASE);
}

static void arm_work(struct cephc_loop_work *w)
{
	late_timer.t.cb = late_cb;
	cephc_timer_arm(late_loop, &late_timer.t, cephc_now_ns() + 20000000);
}

static void test_timer_armed_from_other_thread_wakes_sleeper(void **state)
{
	struct cephc_loop_work w = {.fn = arm_work};
	uint64_t t0;

	(void)state;
	assert_int_equal(cephc_loop_create(&late_loop), 0);
	memset(&late_timer, 0, sizeof(late_timer));
	late_fired = 0;
	assert_int_equal(cephc_loop_start(late_loop), 0);
	usleep(20000); /* the loop thread is asleep in epoll_wait(-1) */
	t0 = cephc_now_ns();
	cephc_loop_submit(late_loop, &w); /* runs inline: nobody drives */
	for (int i = 0;
	     i < 2000 && !__atomic_load_n(&late_fired, __ATOMIC_ACQUIRE); i++)
		usleep(1000);
	assert_true(late_fired);
	assert_true(cephc_now_ns() - t0 < 1000000000ull);
	cephc_loop_stop(late_loop);
	cephc_loop_destroy(late_loop);
}

/* Two readable fds; the first callback removes and frees the other. */
struct freeable {
	struct cephc_loop_fd lfd;
	int idx;
};

static struct freeable *alive[2];
static struct cephc_loop *fd_loop;
static int fd_calls;

static void fd_cb(struct cephc_loop_fd *lfd, uint32_t ev)
{
	struct freeable *f = (struct freeable *)lfd;
	int other = !f->idx;

	(void)ev;
	fd_calls++;
	if (alive[other]) {
		cephc_loop_del_fd(fd_loop, &alive[other]->lfd);
		free(alive[other]);
		alive[other] = NULL;
	}
}

static void test_fd_removed_during_batch_is_not_called(void **state)
{
	int sp[2][2];

	(void)state;
	assert_int_equal(cephc_loop_create(&fd_loop), 0);
	fd_calls = 0;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp[i]), 0);
		assert_int_equal(write(sp[i][1], "x", 1), 1);
		alive[i] = calloc(1, sizeof(*alive[i]));
		alive[i]->idx = i;
		alive[i]->lfd.fd = sp[i][0];
		alive[i]->lfd.cb = fd_cb;
		assert_int_equal(
		    cephc_loop_add_fd(fd_loop, &alive[i]->lfd, EPOLLIN), 0);
	}
	/* both are ready in one batch; the second must not be called on
	 * freed memory (ASan would report it) */
	cephc_loop_process(fd_loop, 100);
	assert_int_equal(fd_calls, 1);
	/* the survivor is still live and reported again */
	cephc_loop_process(fd_loop, 100);
	assert_int_equal(fd_calls, 2);
	for (int i = 0; i < 2; i++) {
		if (alive[i]) {
			cephc_loop_del_fd(fd_loop, &alive[i]->lfd);
			free(alive[i]);
			alive[i] = NULL;
		}
		close(sp[i][0]);
		close(sp[i][1]);
	}
	cephc_loop_destroy(fd_loop);
}


/* Leader/follower beside our own loop thread: one readable socket, its
 * callback counts bytes and notes which thread ran it. */
struct lead_fd {
	struct cephc_loop_fd lfd;
	int seen;      /* bytes read (atomic) */
	int on_leader; /* callbacks run on the leading thread */
	pthread_t leader;
};

static void lead_fd_cb(struct cephc_loop_fd *lfd, uint32_t ev)
{
	struct lead_fd *f = (struct lead_fd *)lfd;
	char b[16];
	ssize_t n;

	(void)ev;
	while ((n = recv(lfd->fd, b, sizeof(b), MSG_DONTWAIT)) > 0) {
		if (pthread_equal(pthread_self(), f->leader))
			f->on_leader += (int)n;
		__atomic_fetch_add(&f->seen, (int)n, __ATOMIC_RELEASE);
	}
}

struct lead_wait {
	struct lead_fd *f;
	int want;
};

static bool lead_done(void *arg)
{
	struct lead_wait *w = arg;

	return __atomic_load_n(&w->f->seen, __ATOMIC_ACQUIRE) >= w->want;
}

static void *write_later(void *arg)
{
	int fd = *(int *)arg;

	usleep(2000);
	assert_int_equal(send(fd, "x", 1, 0), 1);
	return NULL;
}

static bool wait_seen(struct lead_fd *f, int want)
{
	for (int i = 0; i < 1000; i++) {
		if (__atomic_load_n(&f->seen, __ATOMIC_ACQUIRE) >= want)
			return true;
		usleep(1000);
	}
	return false;
}

static void test_leader_beside_own_thread(void **state)
{
	struct cephc_loop *loop;
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	struct lead_fd f;
	struct lead_wait w;
	int sp[2];
	const int rounds = 50;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.leader = pthread_self();
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sp), 0);
	assert_int_equal(cephc_loop_create(&loop), 0);
	f.lfd.fd = sp[0];
	f.lfd.cb = lead_fd_cb;
	assert_int_equal(cephc_loop_add_fd(loop, &f.lfd, EPOLLIN), 0);
	assert_int_equal(cephc_loop_start(loop), 0);
	w.f = &f;
	/* Each byte arrives while we lead: our thread must handle it (the
	 * loop thread leaves the epoll fd to us), and our waits end. */
	for (int i = 1; i <= rounds; i++) {
		pthread_t t;
		int r;

		w.want = i;
		assert_int_equal(pthread_create(&t, NULL, write_later, &sp[1]),
				 0);
		pthread_mutex_lock(&mu);
		r = cephc_loop_lead(loop, &mu, lead_done, &w,
				    cephc_now_ns() + 5000000000ull);
		pthread_mutex_unlock(&mu);
		pthread_join(t, NULL);
		assert_int_equal(r, 0);
	}
	assert_int_equal(f.seen, rounds);
	/* at most the very first byte may have reached the loop thread */
	assert_true(f.on_leader >= rounds - 1);

	/* Nobody leads now: the (parked) loop thread polls again by itself
	 * after its linger ... */
	assert_int_equal(send(sp[1], "y", 1, 0), 1);
	assert_true(wait_seen(&f, rounds + 1));
	{
		int before = f.on_leader;

		/* ... and at once when asked to. */
		pthread_mutex_lock(&mu);
		w.want = rounds + 100; /* never: times out */
		assert_int_equal(cephc_loop_lead(loop, &mu, lead_done, &w,
						 cephc_now_ns() + 20000000ull),
				 CEPHC_ETIMEDOUT);
		pthread_mutex_unlock(&mu);
		cephc_loop_unpark(loop);
		assert_int_equal(send(sp[1], "z", 1, 0), 1);
		assert_true(wait_seen(&f, rounds + 2));
		assert_int_equal(f.on_leader, before);
	}
	cephc_loop_stop(loop);
	cephc_loop_del_fd(loop, &f.lfd);
	cephc_loop_destroy(loop);
	close(sp[0]);
	close(sp[1]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_timers_fire_in_deadline_order_and_cancel),
	    cmocka_unit_test(test_submit_runs_inline_when_nobody_drives),
	    cmocka_unit_test(test_submit_from_threads_runs_each_once),
	    cmocka_unit_test(test_fd_removed_during_batch_is_not_called),
	    cmocka_unit_test(test_timer_armed_from_other_thread_wakes_sleeper),
	    cmocka_unit_test(test_leader_beside_own_thread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
