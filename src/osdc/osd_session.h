/* SPDX-License-Identifier: MIT */
/*
 * OSD client internals shared by osd_client.c (requests, sessions) and
 * osd_linger.c (watch / notify): the client struct, one OSD session, and
 * the hooks the request core calls into the linger code.  Not a public
 * API; driver context only.
 */
#ifndef CEPHC_OSDC_OSD_SESSION_H
#define CEPHC_OSDC_OSD_SESSION_H

#include <stdatomic.h>

#include "core/log.h"
#include "osdc/osd_client.h"

/* tid hash buckets (a power of two). */
#define OSDC_TID_HASH_SIZE (1u << 12)

struct osdc_reqlist {
	struct cephc_osdc_req *head, *tail; /* ascending tid */
	uint32_t n;
};

/* A BLOCK from the OSD; b's views point into msg's front (held). */
struct osdc_backoff {
	struct cephc_osd_backoff b;
	struct cephc_msg *msg;
};

/* One lossy msgr v1 session to one OSD. */
struct osdc_session {
	struct cephc_osdc *osdc;
	int osd;
	struct cephc_conn *con;
	struct cephc_entity_addr addr; /* v1 address with the OSD's nonce */
	struct cephc_authorizer *au;   /* of the current connect */
	bool challenged; /* au answers a challenge: reuse it once */
	struct osdc_reqlist reqs;
	struct osdc_backoff *backoffs;
	uint32_t nbackoffs, cbackoffs;
};

struct osdc_linger;

/*
 * PG -> OSDs results of the current map, so a hot PG runs CRUSH once per
 * map rather than once per request (it was ~6% of the client's CPU at
 * 4 KiB).  Direct-mapped; emptied when the map changes.
 */
#define OSDC_PGCACHE_SIZE 1024u
struct osdc_pgcache_ent {
	int64_t pool; /* -1: empty */
	uint32_t seed;
	int osd, up_primary;
	uint32_t acting_hash, up_hash;
};

struct cephc_osdc {
	struct cephc_osdc_params p;
	bool destroying;
	uint64_t last_tid;
	struct cephc_osdc_req **tid_hash;
	_Atomic uint32_t in_flight;         /* changed in driver context only */
	_Atomic uint32_t op_timeout_ms;     /* for CEPHC_OSDC_TIMEOUT_INHERIT */
	struct cephc_log_ratelimit full_rl; /* "pool is full" warnings */
	struct osdc_reqlist homeless;       /* no target / no map yet */
	struct osdc_session **sess;         /* indexed by OSD id */
	uint32_t nsess, nsessions;
	struct cephc_timer tick;
	/* placement scratch (driver context only) */
	struct cephc_pg_mapping mapping;
	void *scratch;
	size_t scratch_len;
	struct osdc_pgcache_ent *pgcache; /* NULL: no cache (out of memory) */
	const struct cephc_osdmap *pgcache_map;
	uint32_t pgcache_epoch;
	struct cephc_osd_reply rep; /* decode scratch */
	struct cephc_osdc_stats st;
	/* linger requests (osd_linger.c) */
	struct osdc_linger *lingers;
	uint64_t last_linger_id;
};

/* Current primary of an object (-1: none / no pool); for the linger code. */
int osdc_object_osd(struct cephc_osdc *osdc, int64_t pool, const char *oid,
		    const char *key, const char *nspace);

/* Hooks into osd_linger.c. */
void osdc_linger_map_change(struct cephc_osdc *osdc);
void osdc_linger_tick(struct cephc_osdc *osdc, uint64_t now_ns);
void osdc_linger_session_fault(struct cephc_osdc *osdc, struct osdc_session *s);
void osdc_linger_handle_notify(struct cephc_osdc *osdc, struct osdc_session *s,
			       struct cephc_msg *msg);
void osdc_linger_destroy_all(struct cephc_osdc *osdc);

#endif /* CEPHC_OSDC_OSD_SESSION_H */
