/* SPDX-License-Identifier: MIT */
/*
 * The client instance behind a cephc_cluster handle (src/client/instance.c):
 * one event loop, one messenger, the auth client, the monitor client, the
 * current OSDMap and the OSD client.  The public APIs sit on top of it and
 * not on each other: src/client/cluster.c (cephc_cluster_*), src/client/
 * rados.c (cephc_ioctx_*, operations) and src/rbd (cephc_rbd_*) include
 * this header and call the cephc_client_*() functions below.
 *
 * Lifecycle: cephc_client_init() at handle creation; cephc_client_connect()
 * creates auth, loop and messenger, starts the monitor client and waits for
 * a session and a first OSDMap; the OSD client starts on first demand
 * (cephc_client_osdc_get()) and lives until cephc_client_fini(), which
 * stops everything and frees what the instance owns (not c->conf: that is
 * the public layer's, it exists before any connection).
 *
 * Threading and locking:
 * - The loop's driver context (whoever holds the driver lock: our loop
 *   thread, a leading waiter, or the application in caller-driven mode)
 *   owns monc, auth, msgr and the OSD client; code that touches them runs
 *   there, through cephc_client_call() or a loop work item.
 * - The OSDMap pointer and the connect/wait state (fsid, epochs, session
 *   flags) are also read by API threads, so they change only under c->lock
 *   (in driver context) and API threads read them under it.  c->cond is
 *   broadcast on every such change.
 * - Never hold c->lock across cephc_loop_submit() or cephc_client_call():
 *   the work may run inline on the submitting thread and take the lock.
 * - Nothing here may block in driver context: the waiting helpers return
 *   CEPHC_EDEADLK there instead of waiting for themselves.
 */
#ifndef CEPHC_CLIENT_CLIENT_H
#define CEPHC_CLIENT_CLIENT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/auth.h"
#include "cephc/cluster.h"
#include "conf/conf.h"
#include "mon/mon_client.h"
#include "msgr/msgr.h"
#include "osdmap/osdmap.h"

#define CEPHC_CLUSTER_TIMEOUT_DEFAULT_MS 30000
#define CEPHC_CLUSTER_ERRMSG_MAX 512

struct cephc_osdc;

struct cephc_cluster {
	/* ---- the public layer's (src/client/cluster.c) ---- */
	struct cephc_conf *conf;
	bool conf_read; /* a conf file was read (or the search was done) */
	/* cephc_cluster_set_loop_mode(): the application drives the loop;
	 * no thread of ours runs it */
	bool caller_driven;

	/* ---- the instance's (src/client/instance.c) ---- */
	/* Timeouts in force (ms, 0: none), indexed by CEPHC_TIMEOUT_*: set
	 * through the API (bit k of timeouts_api), else from the
	 * configuration at connect, else CEPHC_CLUSTER_TIMEOUT_DEFAULT_MS.
	 * Atomic: read by any thread at any time. */
	_Atomic uint32_t timeouts[3];
	_Atomic uint32_t timeouts_api;

	/* Created by cephc_client_connect(), freed by cephc_client_fini();
	 * the pointers themselves are set before any other thread can use
	 * the handle and stay put until teardown. */
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
	uint64_t global_id;
	/* set by a successful cephc_client_connect(), never cleared; read
	 * without the lock by calls that follow connect on the application's
	 * side (it orders them) */
	bool connected;

	pthread_mutex_t errlock; /* writers of errmsg */
	char errmsg[CEPHC_CLUSTER_ERRMSG_MAX];

	/* Started on demand by cephc_client_osdc_get(), destroyed at
	 * teardown; used in driver context, except cephc_osdc_in_flight()
	 * from any thread (hence atomic). */
	_Atomic(struct cephc_osdc *) osdc;
	/* threads inside cephc_client_wait_for() */
	atomic_int waiting;
};

/* ---- lifecycle ---------------------------------------------------------- */

/* Timeout defaults, locks and condition variable of a zeroed handle. */
void cephc_client_init(struct cephc_cluster *c);

/*
 * Authenticate as the conf's entity, start loop (and our loop thread unless
 * c->caller_driven) and messenger, hunt for a monitor among
 * mons[0..n) (names[i] names mons[i]; both are copied) and wait, under the
 * connect timeout, for a session and a first OSDMap.  On failure the
 * handle's error message says why (set when the cause is known; the caller
 * fills in a generic one otherwise); what was created stays for
 * cephc_client_fini().
 */
int cephc_client_connect(struct cephc_cluster *c,
			 const struct cephc_entity_addr *mons,
			 const char **names, uint32_t n);

/* Stop the OSD client, the monitor client and the loop, then free all the
 * instance owns (including its locks).  Not from driver context. */
void cephc_client_fini(struct cephc_cluster *c);

/* ---- the OSD client ------------------------------------------------------ */

/*
 * The handle's one OSD client, started if it is not yet: one client and
 * one tid space per handle (the OSDs de-duplicate on client name + tid, so
 * a second OSD client on the same messenger would see its writes answered
 * from the pg log without being applied).  API threads only.  Returns 0,
 * CEPHC_ENOTCONN before a session and a map, or the OSD client's error.
 */
int cephc_client_osdc_get(struct cephc_cluster *c, struct cephc_osdc **out);

/* The OSD client or NULL when none runs (after teardown, requests that
 * find NULL here must fail with CEPHC_ECANCELED).  Driver context. */
static inline struct cephc_osdc *cephc_client_osdc(struct cephc_cluster *c)
{
	return atomic_load(&c->osdc);
}

/* The handle's event loop (for cephc_loop_submit() and
 * cephc_loop_in_driver()); NULL before connect. */
static inline struct cephc_loop *cephc_client_loop(struct cephc_cluster *c)
{
	return c->loop;
}

/* ---- the OSDMap, the monitors ---------------------------------------------
 */

/* A pool's id by name in the current map: CEPHC_ENOENT, or CEPHC_ENOTCONN
 * before the first map.  Any thread but the driver (takes c->lock). */
int64_t cephc_client_pool_lookup(struct cephc_cluster *c, const char *name);

/* Ask the monitors for the newest OSDMap epoch and wait until we hold it
 * (under the mon op timeout). */
int cephc_client_wait_for_latest_osdmap(struct cephc_cluster *c);

/* One monitor request: a command (json set) or, with json NULL, the
 * newest version of the map named by what. */
struct cephc_client_mon_req {
	const char *json;
	const char *what;
	const void *in;
	size_t inlen;
	/* results: ret; for a command outbuf/outs (cephc_malloc()ed, the
	 * caller frees them, also on error), for get_version newest */
	uint32_t timeout_ms; /* the mon op timeout used */
	int ret;
	char *outbuf, *outs;
	size_t outlen, outslen;
	uint64_t newest;
	/* private */
	struct cephc_cluster *c;
	bool done;
};

/* Run mr and wait for its result (the mon client enforces the mon op
 * timeout).  Returns mr->ret, or CEPHC_ENOTCONN before connect. */
int cephc_client_mon_request(struct cephc_cluster *c,
			     struct cephc_client_mon_req *mr);

/*
 * A monitor pool op (CEPHC_POOL_OP_CREATE/DELETE_UNMANAGED_SNAP, snapid
 * for a delete), then a wait until we hold the OSDMap epoch its reply
 * names, both under the mon op timeout.  *new_snapid gets a create's id.
 * API threads.
 */
int cephc_client_pool_op(struct cephc_cluster *c, int64_t pool, uint32_t op,
			 uint64_t snapid, uint64_t *new_snapid);

/* ---- timeouts, errors ---------------------------------------------------- */

/* Put timeout kind (CEPHC_TIMEOUT_*) in force now, including for a running
 * OSD client.  Any thread. */
void cephc_client_set_timeout(struct cephc_cluster *c, int kind, uint32_t ms);

/* now + the timeout of kind (CEPHC_TIMEOUT_*); 0 when it is none. */
uint64_t cephc_client_deadline(struct cephc_cluster *c, int kind);

/* Set the handle's last error message (any thread; arguments may point
 * into the current message). */
void cephc_client_set_errmsg(struct cephc_cluster *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- waiting and driver calls ------------------------------------------- */

/* Run fn(arg) in driver context and wait for it to return.  API threads
 * only (c->lock not held). */
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

#endif /* CEPHC_CLIENT_CLIENT_H */
