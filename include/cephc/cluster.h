/* SPDX-License-Identifier: MIT */
/*
 * cephc cluster handle: configuration, connection to the monitors (cephx
 * authentication, monmap/osdmap subscriptions), mon commands.
 *
 * Life cycle
 *     cephc_cluster_create() -> cephc_cluster_conf_*() ->
 * cephc_cluster_connect()
 *     -> ... use ... -> cephc_cluster_destroy()
 *
 * Threading: every function may be called from any thread unless noted.
 * By default the handle runs its own event-loop thread and callbacks run on
 * it (or on a thread blocked in a cephc call, which drives the loop while it
 * waits).  With cephc_cluster_set_loop_mode(c, CEPHC_LOOP_CALLER_DRIVEN) no
 * thread is started: the application polls cephc_cluster_event_fd() and
 * calls cephc_cluster_process(), and callbacks run inside that call or
 * inside blocking cephc calls.  Blocking calls wait at most their timeout: the
 * defaults are bounded (see cephc_cluster_set_timeout()), unlike librados whose
 * defaults wait forever.
 *
 * Memory: strings and buffers returned to the caller are allocated with
 * cephc's allocator and freed by the caller with cephc_buffer_free().
 */
#ifndef CEPHC_CLUSTER_H
#define CEPHC_CLUSTER_H

#include <stddef.h>
#include <stdint.h>

#include "cephc/cephc.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cephc_cluster cephc_cluster;

/*
 * A handle for entity "client.<id>" (id NULL means "admin").  Nothing is
 * read or connected yet.  Free with cephc_cluster_destroy().
 */
CEPHC_EXPORT int cephc_cluster_create(cephc_cluster **out, const char *id);

/*
 * Read a ceph.conf.  path NULL searches as librados does: $CEPH_CONF, then
 * /etc/ceph/ceph.conf, ~/.ceph/ceph.conf, ./ceph.conf.  A missing file at an
 * explicit path is an error (CEPHC_ENOENT); a search that finds nothing is
 * not.  Values set with cephc_cluster_conf_set() take precedence.
 */
CEPHC_EXPORT int cephc_cluster_conf_read_file(cephc_cluster *c,
					      const char *path);

/* Set one option ("mon_host", "keyring", "key", ...; spaces and
 * underscores in names are equal, as in Ceph).  Before connect. */
CEPHC_EXPORT int cephc_cluster_conf_set(cephc_cluster *c, const char *option,
					const char *value);

/*
 * Take the common Ceph tool arguments out of argv: -c/--conf, --id/-i,
 * -n/--name, --keyring/-k, -m/--mon-host, --cluster.  Arguments it does
 * not know are moved, in order, to the front of argv and their count is
 * stored in *remaining.  Applies CEPH_ARGS too.
 */
CEPHC_EXPORT int cephc_cluster_conf_parse_argv(cephc_cluster *c, int argc,
					       char **argv, int *remaining);

/*
 * Get the value of an option as the handle sees it (after conf files and
 * overrides).  Returns a string the caller frees with cephc_buffer_free(),
 * or NULL when unset.
 */
CEPHC_EXPORT char *cephc_cluster_conf_get(cephc_cluster *c, const char *option);

/*
 * Timeouts, in milliseconds; 0 means no timeout (wait forever), as it does
 * in librados.  Three, as librados has them:
 *   connect       cephc_cluster_connect()           client_mount_timeout
 *   mon op        each monitor command, map wait    rados_mon_op_timeout
 *   osd op        each object / image operation     rados_osd_op_timeout
 * Unlike librados, whose defaults wait forever (osd and mon ops) or 300 s
 * (connect), each is 30000 unless set: by these calls (which win), or by
 * the option in the configuration (file, CEPH_ARGS, command line or
 * cephc_cluster_conf_set(); values in seconds as Ceph reads them, "5",
 * "0.5", "250ms"), read at connect.  May be called at any time: a new
 * value applies to operations started afterwards (an I/O context with its
 * own cephc_ioctx_set_timeout() keeps that).
 */
#define CEPHC_TIMEOUT_CONNECT 0
#define CEPHC_TIMEOUT_MON_OP 1
#define CEPHC_TIMEOUT_OSD_OP 2
/* All three at once. */
CEPHC_EXPORT void cephc_cluster_set_timeout(cephc_cluster *c,
					    uint32_t timeout_ms);
/* One of them (CEPHC_TIMEOUT_*); CEPHC_EINVAL for an unknown kind. */
CEPHC_EXPORT int cephc_cluster_set_timeout_of(cephc_cluster *c, int kind,
					      uint32_t timeout_ms);
/* The timeout in force for kind (after connect: as the configuration
 * set it); 0 = none; 30000 for an unknown kind. */
CEPHC_EXPORT uint32_t cephc_cluster_get_timeout(cephc_cluster *c, int kind);

/*
 * Who drives the event loop; before connect (CEPHC_EISCONN after).
 *   CEPHC_LOOP_OWN_THREAD (default): cephc starts one thread for it.
 *   CEPHC_LOOP_CALLER_DRIVEN: no thread; after connect, wait until
 *     cephc_cluster_event_fd() is readable (poll/epoll, POLLIN) or
 *     cephc_cluster_next_timeout_ms() passes, then call
 *     cephc_cluster_process(c, 0).  Blocking calls (connect, the sync I/O
 *     wrappers, mon commands) drive the loop themselves while they wait,
 *     so they work from the application's thread; an event loop that must
 *     never block uses the async calls only.
 */
#define CEPHC_LOOP_OWN_THREAD 0
#define CEPHC_LOOP_CALLER_DRIVEN 1
CEPHC_EXPORT int cephc_cluster_set_loop_mode(cephc_cluster *c, int mode);
/* The fd to poll for readability; after connect (CEPHC_ENOTCONN before). */
CEPHC_EXPORT int cephc_cluster_event_fd(cephc_cluster *c);
/* Milliseconds until cephc has timed work due: 0 now, -1 none. */
CEPHC_EXPORT int cephc_cluster_next_timeout_ms(cephc_cluster *c);
/*
 * Wait up to timeout_ms (0: do not wait, -1: until something happens) and
 * run what is ready: socket I/O, due timers, completion callbacks (on this
 * thread).  Returns 0, or CEPHC_EDEADLK from inside a callback.  Usable in
 * both modes; in own-thread mode it only helps the loop thread.
 */
CEPHC_EXPORT int cephc_cluster_process(cephc_cluster *c, int timeout_ms);
/*
 * Connect: hunt for a monitor, authenticate, receive the monmap and the
 * latest osdmap.  Returns 0, or e.g. CEPHC_EACCES (wrong key, or a keyring
 * that exists but cannot be read), CEPHC_ENOENT (no keyring found),
 * CEPHC_ETIMEDOUT (no session within the connect timeout).  A
 * human-readable reason is available from cephc_cluster_last_error(); on
 * a timeout it names each monitor tried and why it failed ("mon.a
 * v1:10.0.0.1:6789/0: connect failed (connection refused)").
 */
CEPHC_EXPORT int cephc_cluster_connect(cephc_cluster *c);

/* The reason for the last failure of connect/mon_command on this handle,
 * or of an operation that timed out (e.g. "pool 'p' is full"), or ""
 * (valid until the next call on the handle). */
CEPHC_EXPORT const char *cephc_cluster_last_error(cephc_cluster *c);

/* fsid as a 36-character UUID string plus NUL; after connect. */
CEPHC_EXPORT int cephc_cluster_fsid(cephc_cluster *c, char out[37]);

/* Our global id (the N of client.N); after connect. */
CEPHC_EXPORT uint64_t cephc_cluster_instance_id(cephc_cluster *c);

/* Epochs of the maps we hold; 0 before connect. */
CEPHC_EXPORT uint32_t cephc_cluster_monmap_epoch(cephc_cluster *c);
CEPHC_EXPORT uint32_t cephc_cluster_osdmap_epoch(cephc_cluster *c);

/* Ask the monitors for their newest map of "osdmap" / "monmap" and wait
 * until we hold it. */
CEPHC_EXPORT int cephc_cluster_wait_for_latest_osdmap(cephc_cluster *c);

/*
 * Run a monitor command given as one JSON object, e.g.
 * {"prefix": "osd pool create", "pool": "p", "pg_num": 8}.
 * inbuf/inlen: optional input data.  On return (whatever the result) *outbuf
 * and *outs, when the pointers are non-NULL, hold the command's output data
 * and status string (NUL-terminated, lengths in *outlen / *outslen), to be
 * freed with cephc_buffer_free().  Returns the monitor's result: 0 or a
 * negative errno-valued code, or a cephc error if no monitor answered.
 */
CEPHC_EXPORT int cephc_cluster_mon_command(cephc_cluster *c, const char *json,
					   const void *inbuf, size_t inlen,
					   char **outbuf, size_t *outlen,
					   char **outs, size_t *outslen);

/* ---- cluster view (from the maps we hold; after connect) ---------------- */

#define CEPHC_NAME_MAX 256

struct cephc_pool_info {
	int64_t id;
	char name[CEPHC_NAME_MAX];
	uint32_t type; /* 1 replicated, 3 erasure */
	uint32_t size, min_size;
	uint32_t pg_num, pgp_num;
	uint32_t crush_rule;
};

/* The pools of the current OSDMap, by id.  *pools is freed with
 * cephc_buffer_free(). */
CEPHC_EXPORT int cephc_cluster_pool_list(cephc_cluster *c,
					 struct cephc_pool_info **pools,
					 size_t *count);

/* Pool id by name; CEPHC_ENOENT when there is none. */
CEPHC_EXPORT int64_t cephc_cluster_pool_lookup(cephc_cluster *c,
					       const char *name);

struct cephc_osd_summary {
	uint32_t epoch;
	uint32_t num_osds; /* existing */
	uint32_t num_up;
	uint32_t num_in; /* weight > 0 */
	uint32_t flags;  /* CEPH_OSDMAP_* flags as in the map */
};
CEPHC_EXPORT int cephc_cluster_osd_summary(cephc_cluster *c,
					   struct cephc_osd_summary *s);

struct cephc_mon_entry {
	char name[CEPHC_NAME_MAX];
	char addrs[CEPHC_NAME_MAX]; /* "[v2:ip:port/0,v1:ip:port/0]" */
};
/* The monitors of the current monmap, in rank order, and which one our
 * session is with (*current, -1 if none).  Free with cephc_buffer_free(). */
CEPHC_EXPORT int cephc_cluster_mon_list(cephc_cluster *c,
					struct cephc_mon_entry **mons,
					size_t *count, int *current);

/*
 * Where an object lives, computed locally from the OSDMap we hold: the
 * exact text `ceph osd map POOL OBJ [NS]` prints (json != 0: its JSON
 * form).  Writes at most len bytes including the NUL and returns the full
 * length (like snprintf), or CEPHC_ENOENT for an unknown pool.
 */
CEPHC_EXPORT int cephc_cluster_osd_map_text(cephc_cluster *c, const char *pool,
					    const char *obj, const char *nspace,
					    int json, char *buf, size_t len);

/* Close every session, cancel outstanding work with CEPHC_ECANCELED, and
 * free the handle.  NULL is fine. */
CEPHC_EXPORT void cephc_cluster_destroy(cephc_cluster *c);

/* Free memory cephc handed to the caller. */
CEPHC_EXPORT void cephc_buffer_free(void *p);

#ifdef __cplusplus
}
#endif

#endif /* CEPHC_CLUSTER_H */
