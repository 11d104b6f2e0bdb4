/* SPDX-License-Identifier: MIT */
/*
 * The client instance behind a cephc_cluster handle: one event loop, one
 * messenger, the auth client, the monitor client and the current OSDMap.
 * Later layers (the OSD client) attach here.
 *
 * Locking: the loop's driver context owns monc, auth and msgr.  The OSDMap
 * pointer and the connect/wait state are also read by API threads, so they
 * change only under c->lock; API threads read them under it.  Never hold
 * c->lock across cephc_loop_submit() (the work may run inline on the
 * submitting thread and take the lock itself).
 */
#ifndef CEPHC_CLIENT_CLIENT_H
#define CEPHC_CLIENT_CLIENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "cephc/cluster.h"
#include "conf/conf.h"
#include "mon/mon_client.h"
#include "msgr/msgr.h"
#include "osdmap/osdmap.h"

#define CEPHC_CLUSTER_TIMEOUT_DEFAULT_MS 30000
#define CEPHC_CLUSTER_ERRMSG_MAX 512

struct cephc_cluster {
	struct cephc_conf *conf;
	bool conf_read; /* a conf file was read (or the search was done) */
	/* Timeouts in force (ms, 0: none), indexed by CEPHC_TIMEOUT_*: set
	 * through the API (bit k of timeouts_api), else from the
	 * configuration at connect, else CEPHC_CLUSTER_TIMEOUT_DEFAULT_MS. */
	_Atomic uint32_t timeouts[3];
	_Atomic uint32_t timeouts_api;
	/* cephc_cluster_set_loop_mode(): the application drives the loop;
	 * no thread of ours runs it */
	bool caller_driven;

	struct cephc_loop *loop;
	struct cephc_msgr *msgr;
	struct cephc_auth *auth;
	struct cephc_monc *monc; /* driver context only */

	pthread_mutex_t lock;
	pthread_cond_t cond;         /* broadcast on every state change below */
	struct cephc_osdmap *osdmap; /* NULL until the first map */
	uint32_t monmap_epoch;
	uint8_t fsid[16];
	bool have_fsid;
	bool session_up;
	int session_err;
	bool connected;
	uint64_t global_id;

	pthread_mutex_t errlock; /* writers of errmsg */
	char errmsg[CEPHC_CLUSTER_ERRMSG_MAX];

	/* created by the first I/O context (src/client/rados.c); used in
	 * driver context, except cephc_osdc_in_flight() from any thread */
	_Atomic(struct cephc_osdc *) osdc;
	/* threads inside cephc_client_wait_for() */
	atomic_int waiting;
};

/* Run fn(arg) in driver context and wait for it to return. */
int cephc_client_call(struct cephc_cluster *c, void (*fn)(void *arg),
		      void *arg);

/*
 * Every blocking call waits here: until done(arg) holds, with *lock (held
 * on entry and on return) guarding what done() reads and cond signalled by
 * whoever changes it.  deadline_ns: CLOCK_MONOTONIC, 0 = none.
 * The waiting thread drives the loop itself when no other waiter does
 * (leader/follower: in caller-driven mode this is what makes blocking calls
 * work at all; with our own loop thread it saves the hand-offs, the thread
 * parking meanwhile); otherwise it sleeps on cond and looks again every
 * 10 ms.  cond must use CLOCK_MONOTONIC.  Returns 0,
 * CEPHC_ETIMEDOUT, or CEPHC_EDEADLK when called from a callback.
 */
int cephc_client_wait_for(struct cephc_cluster *c, pthread_mutex_t *lock,
			  pthread_cond_t *cond, bool (*done)(void *arg),
			  void *arg, uint64_t deadline_ns);

/* A condition variable on CLOCK_MONOTONIC, as cephc_client_wait_for()
 * needs. */
void cephc_client_cond_init(pthread_cond_t *cond);

/* cephc_client_wait_for() on c->cond (c->lock held) until pred(c, arg). */
int cephc_client_wait(struct cephc_cluster *c,
		      bool (*pred)(struct cephc_cluster *c, void *arg),
		      void *arg, uint64_t deadline_ns);

/* now + the timeout of kind (CEPHC_TIMEOUT_*); 0 when it is none. */
uint64_t cephc_client_deadline(struct cephc_cluster *c, int kind);

/* Set the handle's last error message (any thread; arguments may point
 * into the current message). */
void cephc_client_set_errmsg(struct cephc_cluster *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Apply an MOSDMap (from a monitor or an OSD session).  Driver context. */
void cephc_client_handle_osdmap_msg(struct cephc_cluster *c,
				    struct cephc_msg *msg);
/* src/client/rados.c: the OSD client learns of a new map / is torn down
 * (driver context). */
void cephc_client_osdmap_changed(struct cephc_cluster *c);
void cephc_client_osdc_stop(struct cephc_cluster *c);

#endif /* CEPHC_CLIENT_CLIENT_H */
