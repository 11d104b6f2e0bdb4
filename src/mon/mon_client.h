/* SPDX-License-Identifier: MIT */
/*
 * Monitor client: hunting, authentication, subscriptions, generic requests
 * (mon commands, get-version), ticket renewal.
 *
 * Hunting: up to hunt_parallel monitors are dialled at once; the first whose
 * messenger handshake completes wins, the others are closed, and the auth
 * handshake runs on the winner only (auth state belongs to one session).
 * If no session is established within hunt_interval x multiplier, every
 * attempt is dropped and others are tried; the multiplier doubles per failed
 * round (cap 10) and halves after a good session, as the kernel does.
 *
 * Faults after the handshake (a bad crc, a malformed MAuthReply, a peer
 * that drops the session) back off too: the first fault after a session
 * that was healthy for CEPHC_MONC_HEALTHY_MS hunts again at once; each
 * further one waits hunt_interval x 2^(n-2), capped at hunt_interval x 10
 * (Ceph's cap on hunting), with up to a quarter of jitter either way.  A
 * monitor that answers READY and then misbehaves is dialled a handful of
 * times a minute, not thousands.
 *
 * Liveness: the messenger's keepalives detect a dead monitor (fault), after
 * which the client hunts again, re-authenticates presenting its old ticket
 * and global_id (cephx global_id reclaim), re-subscribes, and resends every
 * pending generic request with its original tid.
 *
 * Threading: everything here runs in the loop's driver context (see
 * msgr/loop.h): call these functions from a loop callback or a work item.
 * Callbacks run in driver context too and must not block.
 */
#ifndef CEPHC_MON_MON_CLIENT_H
#define CEPHC_MON_MON_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/auth.h"
#include "mon/mon_msgs.h"
#include "msgr/msgr.h"

#define CEPHC_MONC_HUNT_PARALLEL 3
#define CEPHC_MONC_HUNT_INTERVAL_MS 3000
#define CEPHC_MONC_HUNT_MAX_MULT 10
#define CEPHC_MONC_TICK_MS 1000
#define CEPHC_MONC_ERRMSG_MAX 256
#define CEPHC_MONC_HEALTHY_MS 30000
/* Last fault causes kept, one per monitor address. */
#define CEPHC_MONC_CAUSES 8
#define CEPHC_MONC_CAUSE_MAX 112

struct cephc_monc;
struct cephc_monc_request;

struct cephc_monc_params {
	struct cephc_msgr *msgr;
	struct cephc_auth *auth; /* borrowed; used only in driver context */
	/* Initial monitors (from mon_host): v1 or ANY addresses. */
	const struct cephc_entity_addr *mons;
	uint32_t num_mons;
	/* Optional: their names (mon_host's "noname-a", or X of [mon.X]),
	 * parallel to mons; copied.  Used in error messages. */
	const char *const *mon_names;
	uint32_t hunt_parallel;    /* 0: CEPHC_MONC_HUNT_PARALLEL */
	uint32_t hunt_interval_ms; /* 0: CEPHC_MONC_HUNT_INTERVAL_MS */

	/*
	 * Session state changes: err 0 when a session is authenticated and
	 * subscribed; a negative error when authentication was refused (the
	 * client stops hunting then: another monitor would refuse too) -
	 * cephc_monc_error() has the monitor's words.
	 */
	void (*on_session)(void *arg, int err);
	/* A new monmap (already stored; cephc_monc_monmap()). */
	void (*on_monmap)(void *arg, const struct cephc_monmap *m);
	/* An MOSDMap from the monitor.  The callback borrows msg; it calls
	 * cephc_monc_got_osdmap() with the epoch it now holds. */
	void (*on_osdmap)(void *arg, struct cephc_msg *msg);
	void *arg;
};

int cephc_monc_create(const struct cephc_monc_params *p,
		      struct cephc_monc **out);
/* Closes every connection and completes pending requests with
 * CEPHC_ECANCELED. */
void cephc_monc_destroy(struct cephc_monc *monc);

/* Start hunting (subscribing to monmap and, continuously, osdmap). */
int cephc_monc_start(struct cephc_monc *monc);

bool cephc_monc_is_open(const struct cephc_monc *monc);
/* The last refusal or failure reason in words ("" if none). */
const char *cephc_monc_error(const struct cephc_monc *monc);
/*
 * The last fault of each monitor tried, in words: "mon.a
 * v1:127.0.0.1:6789/0: bad message header crc (crc32c mismatch); ...".
 * Writes a NUL-terminated string (truncated to len); returns its length,
 * 0 when no monitor has faulted.
 */
size_t cephc_monc_describe_faults(const struct cephc_monc *monc, char *buf,
				  size_t len);
/* Connections dialled since creation (tests: backoff bounds). */
uint64_t cephc_monc_dials(const struct cephc_monc *monc);
const struct cephc_monmap *cephc_monc_monmap(const struct cephc_monc *monc);
/* The monitor (index into the monmap, or -1) of the current session. */
int cephc_monc_current_mon(const struct cephc_monc *monc);
/* The address of the session's monitor; NULL when no session. */
const struct cephc_entity_addr *
cephc_monc_current_addr(const struct cephc_monc *monc);

/* The osdmap owner reports the epoch it holds; the subscription continues
 * from the next one. */
void cephc_monc_got_osdmap(struct cephc_monc *monc, uint32_t epoch);
/* Ask for osdmaps starting at epoch (0: the latest full map). */
void cephc_monc_want_osdmap(struct cephc_monc *monc, uint32_t epoch);

/*
 * Generic requests.  Exactly one call of done per request: with err 0 and
 * the reply message (borrowed: valid during the call), or with err < 0
 * (CEPHC_ETIMEDOUT after timeout_ms, 0 = none; CEPHC_ECANCELED on
 * destroy) and reply NULL.
 */
typedef void (*cephc_monc_done_fn)(void *arg, int err, struct cephc_msg *reply);

/* MMonCommand with one JSON command and optional input data (copied). */
int cephc_monc_command(struct cephc_monc *monc, const char *json,
		       const void *in, size_t inlen, uint32_t timeout_ms,
		       cephc_monc_done_fn done, void *arg);
/* MMonGetVersion for "osdmap" / "monmap". */
int cephc_monc_get_version(struct cephc_monc *monc, const char *what,
			   uint32_t timeout_ms, cephc_monc_done_fn done,
			   void *arg);

/*
 * MPoolOp op (CEPHC_POOL_OP_*) on pool, with snapid for a delete; done
 * gets the MPoolOpReply (decode it with cephc_mpoolop_reply_decode()).
 * Resent on a new session like the other requests; timeout as above.
 */
int cephc_monc_pool_op(struct cephc_monc *monc, uint32_t pool, uint32_t op,
		       uint64_t snapid, uint32_t timeout_ms,
		       cephc_monc_done_fn done, void *arg);

#endif /* CEPHC_MON_MON_CLIENT_H */
