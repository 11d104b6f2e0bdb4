/* SPDX-License-Identifier: MIT */
/*
 * cephc RADOS objects: I/O contexts, compound read/write operations, async
 * and synchronous object I/O (a librados-like C API).
 *
 * Threading
 *   Every function may be called from any thread.  Submission hands the
 *   request to the cluster's event loop (inline when no other thread is
 *   driving it at that moment, so a lone submitter pays no wake-up).
 *   Completion callbacks run on whichever thread drives the event loop (its
 *   own thread, or a thread blocked in a synchronous cephc call, which
 *   drives the loop while it waits), one at a time: they must not block
 *   and must not call the synchronous functions below (which would wait for
 *   the loop they are running on); they may submit more async operations.
 *
 * Ownership
 *   - An I/O context belongs to the caller; destroy it after every operation
 *     submitted through it has completed.  Namespace and locator changes
 *     apply to operations submitted afterwards.
 *   - Buffers and strings given to an operation (data, xattr names and
 *     values, cls arguments, output pointers) are BORROWED: they must stay
 *     valid, and input data unchanged, until the operation completes (sync
 *     call returned, or the async callback ran).  The data is sent and
 *     received without copying.  If input memory may change meanwhile, set
 *     CEPHC_OP_FLAG_UNSTABLE on the operation: it is then copied once.
 *   - An operation (cephc_write_op / cephc_read_op) can be submitted once
 *     at a time; release it after completion.  Object names are copied.
 *
 * Results and errors
 *   0 or a negative error code (cephc/errors.h): the OSD's result (e.g.
 *   CEPHC_ENOENT, CEPHC_EEXIST, CEPHC_ENODATA), CEPHC_ETIMEDOUT after the
 *   operation timeout (default: the cluster timeout, 30 s; see
 *   cephc_ioctx_set_timeout), CEPHC_ECANCELED when the cluster handle is
 *   destroyed first.  Per-op results land in the *prval pointers.
 *   When the cluster (or pool) is full, writes wait for space like
 *   librados' default, bounded by the operation timeout.
 */
#ifndef CEPHC_RADOS_H
#define CEPHC_RADOS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "cephc/cluster.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cephc_ioctx cephc_ioctx;
typedef struct cephc_write_op cephc_write_op;
typedef struct cephc_read_op cephc_read_op;

/* Async completion: result is 0 / a negative error; runs on the loop. */
typedef void (*cephc_rados_cb)(void *arg, int result);

/* Operation flags. */
#define CEPHC_OP_FLAG_UNSTABLE 0x1 /* bounce input buffers (copy once) */

/* ---- I/O contexts -------------------------------------------------------- */

/* An I/O context on a pool of a connected cluster.  CEPHC_ENOENT: no such
 * pool.  Free with cephc_ioctx_destroy(). */
CEPHC_EXPORT int cephc_ioctx_create(cephc_cluster *c, const char *pool_name,
				    cephc_ioctx **out);
CEPHC_EXPORT int cephc_ioctx_create_by_id(cephc_cluster *c, int64_t pool_id,
					  cephc_ioctx **out);
CEPHC_EXPORT void cephc_ioctx_destroy(cephc_ioctx *io);
CEPHC_EXPORT int64_t cephc_ioctx_pool_id(const cephc_ioctx *io);
/* Namespace ("" / NULL: default) and locator key (NULL: none); copied. */
CEPHC_EXPORT int cephc_ioctx_set_namespace(cephc_ioctx *io, const char *ns);
CEPHC_EXPORT int cephc_ioctx_set_locator(cephc_ioctx *io, const char *key);
/* Per-operation timeout in ms; 0 = none.  Until set, each operation takes
 * the cluster's OSD op timeout (cephc_cluster_set_timeout_of()). */
CEPHC_EXPORT void cephc_ioctx_set_timeout(cephc_ioctx *io, uint32_t ms);
/*
 * Writes through io while the pool (or the cluster) is full: by default
 * they wait until there is room, bounded by the op timeout, as librados'
 * do (on a timeout, cephc_cluster_last_error() says the pool is full).
 * With full_try != 0 they are sent anyway and fail at once with
 * CEPHC_ENOSPC (CEPHC_EDQUOT for a pool over its quota), as
 * rados_ioctx_set_pool_full_try() makes librados' fail.
 */
CEPHC_EXPORT void cephc_ioctx_set_full_try(cephc_ioctx *io, int full_try);

/* ---- compound write operations ---------------------------------------------
 */

CEPHC_EXPORT cephc_write_op *cephc_write_op_create(void);
CEPHC_EXPORT void cephc_write_op_release(cephc_write_op *op);
CEPHC_EXPORT void cephc_write_op_set_flags(cephc_write_op *op, int flags);
/* Each adds one op (at most 16 per operation); CEPHC_E2BIG when full,
 * CEPHC_EINVAL for bad arguments.  An error is also remembered and
 * returned by the submission. */
CEPHC_EXPORT int cephc_write_op_create_object(cephc_write_op *op,
					      int exclusive);
CEPHC_EXPORT int cephc_write_op_write(cephc_write_op *op, const void *buf,
				      size_t len, uint64_t off);
CEPHC_EXPORT int cephc_write_op_write_full(cephc_write_op *op, const void *buf,
					   size_t len);
CEPHC_EXPORT int cephc_write_op_append(cephc_write_op *op, const void *buf,
				       size_t len);
CEPHC_EXPORT int cephc_write_op_truncate(cephc_write_op *op, uint64_t size);
CEPHC_EXPORT int cephc_write_op_zero(cephc_write_op *op, uint64_t off,
				     uint64_t len);
CEPHC_EXPORT int cephc_write_op_remove(cephc_write_op *op);
CEPHC_EXPORT int cephc_write_op_setxattr(cephc_write_op *op, const char *name,
					 const void *val, size_t len);
CEPHC_EXPORT int cephc_write_op_rmxattr(cephc_write_op *op, const char *name);
CEPHC_EXPORT int cephc_write_op_omap_set(cephc_write_op *op,
					 const char *const *keys,
					 const void *const *vals,
					 const size_t *lens, size_t n);
CEPHC_EXPORT int cephc_write_op_omap_rm_keys(cephc_write_op *op,
					     const char *const *keys, size_t n);
CEPHC_EXPORT int cephc_write_op_exec(cephc_write_op *op, const char *cls,
				     const char *method, const void *in,
				     size_t inlen, int *prval);

/* Synchronous: submit and wait.  Asynchronous: cb(arg, result) once. */
CEPHC_EXPORT int cephc_write_op_operate(cephc_write_op *op, cephc_ioctx *io,
					const char *oid);
CEPHC_EXPORT int cephc_write_op_aio(cephc_write_op *op, cephc_ioctx *io,
				    const char *oid, cephc_rados_cb cb,
				    void *arg);

/* ---- compound read operations ----------------------------------------------
 */

CEPHC_EXPORT cephc_read_op *cephc_read_op_create(void);
CEPHC_EXPORT void cephc_read_op_release(cephc_read_op *op);
CEPHC_EXPORT void cephc_read_op_set_flags(cephc_read_op *op, int flags);
/* Read up to len bytes at off straight into buf; *bytes_read gets the
 * count (short at the end of the object). */
CEPHC_EXPORT int cephc_read_op_read(cephc_read_op *op, uint64_t off, size_t len,
				    void *buf, size_t *bytes_read, int *prval);
CEPHC_EXPORT int cephc_read_op_stat(cephc_read_op *op, uint64_t *size,
				    time_t *mtime, int *prval);
CEPHC_EXPORT int cephc_read_op_assert_exists(cephc_read_op *op);
/* Value copied into buf (cap bytes); *len = its full length (CEPHC_ERANGE
 * in *prval / the result when it does not fit). */
CEPHC_EXPORT int cephc_read_op_getxattr(cephc_read_op *op, const char *name,
					void *buf, size_t cap, size_t *len,
					int *prval);
/* cls call output copied into out (cap bytes), like getxattr. */
CEPHC_EXPORT int cephc_read_op_exec(cephc_read_op *op, const char *cls,
				    const char *method, const void *in,
				    size_t inlen, void *out, size_t cap,
				    size_t *outlen, int *prval);
/* One omap value by key, copied like getxattr (CEPHC_ENOENT: no key). */
CEPHC_EXPORT int cephc_read_op_omap_get(cephc_read_op *op, const char *key,
					void *buf, size_t cap, size_t *len,
					int *prval);

/*
 * Listings (xattrs, omap keys, omap values).  On success *iter receives a
 * cephc_kv_iter the CALLER OWNS (free it with cephc_kv_iter_free; it
 * holds its own copy of every key and value, valid until freed).  *iter is
 * NULL until completion and set only when this op succeeded; in a compound
 * operation free it whenever it is non-NULL, even if another op failed
 * (the synchronous wrappers free it on any error).  *pmore (may be NULL) is set
 * to 1 when the OSD stopped at max_return and more entries follow: page on by
 * passing the last key as start_after.  start_after / filter_prefix: NULL or ""
 * for none; max_return 0 means "as many as the OSD gives".
 */
typedef struct cephc_kv_iter cephc_kv_iter;
CEPHC_EXPORT int cephc_read_op_getxattrs(cephc_read_op *op,
					 cephc_kv_iter **iter, int *prval);
CEPHC_EXPORT int cephc_read_op_omap_get_keys(cephc_read_op *op,
					     const char *start_after,
					     uint64_t max_return,
					     cephc_kv_iter **iter, int *pmore,
					     int *prval);
CEPHC_EXPORT int
cephc_read_op_omap_get_vals(cephc_read_op *op, const char *start_after,
			    const char *filter_prefix, uint64_t max_return,
			    cephc_kv_iter **iter, int *pmore, int *prval);
/*
 * Next entry: 1 with one (key NUL-terminated, key_len its length, val /
 * val_len the value; NULL / 0 for omap keys), 0 at the end.  Views valid
 * until cephc_kv_iter_free.  Any out pointer may be NULL.
 */
CEPHC_EXPORT int cephc_kv_iter_next(cephc_kv_iter *it, const char **key,
				    size_t *key_len, const void **val,
				    size_t *val_len);
CEPHC_EXPORT size_t cephc_kv_iter_count(const cephc_kv_iter *it);
CEPHC_EXPORT void cephc_kv_iter_free(cephc_kv_iter *it);

CEPHC_EXPORT int cephc_read_op_operate(cephc_read_op *op, cephc_ioctx *io,
				       const char *oid);
CEPHC_EXPORT int cephc_read_op_aio(cephc_read_op *op, cephc_ioctx *io,
				   const char *oid, cephc_rados_cb cb,
				   void *arg);

/* ---- synchronous one-op wrappers (any thread except the loop's) -----------
 */

CEPHC_EXPORT int cephc_rados_write(cephc_ioctx *io, const char *oid,
				   const void *buf, size_t len, uint64_t off);
CEPHC_EXPORT int cephc_rados_write_full(cephc_ioctx *io, const char *oid,
					const void *buf, size_t len);
CEPHC_EXPORT int cephc_rados_append(cephc_ioctx *io, const char *oid,
				    const void *buf, size_t len);
/* Returns the number of bytes read, or a negative error. */
CEPHC_EXPORT int64_t cephc_rados_read(cephc_ioctx *io, const char *oid,
				      void *buf, size_t len, uint64_t off);
CEPHC_EXPORT int cephc_rados_stat(cephc_ioctx *io, const char *oid,
				  uint64_t *size, time_t *mtime);
CEPHC_EXPORT int cephc_rados_remove(cephc_ioctx *io, const char *oid);
CEPHC_EXPORT int cephc_rados_truncate(cephc_ioctx *io, const char *oid,
				      uint64_t size);
/* Returns the value length, or a negative error. */
CEPHC_EXPORT int64_t cephc_rados_getxattr(cephc_ioctx *io, const char *oid,
					  const char *name, void *buf,
					  size_t cap);
CEPHC_EXPORT int cephc_rados_setxattr(cephc_ioctx *io, const char *oid,
				      const char *name, const void *val,
				      size_t len);
CEPHC_EXPORT int cephc_rados_rmxattr(cephc_ioctx *io, const char *oid,
				     const char *name);
/* cls call; returns the output length (copied into out) or an error. */
CEPHC_EXPORT int64_t cephc_rados_exec(cephc_ioctx *io, const char *oid,
				      const char *cls, const char *method,
				      const void *in, size_t inlen, void *out,
				      size_t cap);

/* Synchronous listings; the caller frees *iter (see above). */
CEPHC_EXPORT int cephc_rados_getxattrs(cephc_ioctx *io, const char *oid,
				       cephc_kv_iter **iter);
CEPHC_EXPORT int cephc_rados_omap_get_keys(cephc_ioctx *io, const char *oid,
					   const char *start_after,
					   uint64_t max_return,
					   cephc_kv_iter **iter, int *pmore);
CEPHC_EXPORT int cephc_rados_omap_get_vals(cephc_ioctx *io, const char *oid,
					   const char *start_after,
					   const char *filter_prefix,
					   uint64_t max_return,
					   cephc_kv_iter **iter, int *pmore);

/* ---- object listing ------------------------------------------------------
 *
 * Walks every PG of the pool with PGNLS the way librados does: the OSD's
 * reply handle is the next cursor, so PGs come in hobject order (bit-
 * reversed seed) and the output order equals `rados ls`.
 * The listing uses the ioctx namespace (set it to CEPHC_ALL_NSPACES to
 * list every namespace) and must not change it until closed; the ioctx
 * must outlive the listing.  Synchronous: call from any thread except the
 * loop's.  Behaviour across a pg_num change while listing is untested.
 */
#define CEPHC_ALL_NSPACES "\001"
typedef struct cephc_list_ctx cephc_list_ctx;
CEPHC_EXPORT int cephc_list_open(cephc_ioctx *io, cephc_list_ctx **out);
/*
 * Next object: 1 with one, 0 at the end, <0 error.  oid, locator ("" for
 * none) and nspace ("" for the default) are NUL-terminated views valid
 * until the next call or close; any out pointer may be NULL.
 */
CEPHC_EXPORT int cephc_list_next(cephc_list_ctx *l, const char **oid,
				 const char **locator, const char **nspace);
CEPHC_EXPORT void cephc_list_close(cephc_list_ctx *l);

/* ---- async one-op wrappers -------------------------------------------------
 */

CEPHC_EXPORT int cephc_rados_aio_write(cephc_ioctx *io, const char *oid,
				       const void *buf, size_t len,
				       uint64_t off, cephc_rados_cb cb,
				       void *arg);
/* result: bytes read or a negative error. */
CEPHC_EXPORT int cephc_rados_aio_read(cephc_ioctx *io, const char *oid,
				      void *buf, size_t len, uint64_t off,
				      cephc_rados_cb cb, void *arg);

/* ---- self-managed snapshots ------------------------------------------------
 */

/*
 * A new self-managed snapshot id of io's pool, allocated by the monitors
 * (librados' selfmanaged_snap_create): blocking, under the mon op timeout
 * (cephc_cluster_set_timeout_of(), CEPHC_TIMEOUT_MON_OP).  Returns once
 * this client holds the OSDMap that carries the new id, so writes may use
 * it at once.  CEPHC_EINVAL on a pool in pool-snapshot mode; CEPHC_EPERM
 * without the caps.  Any thread except the loop's.
 */
CEPHC_EXPORT int cephc_rados_selfmanaged_snap_create(cephc_ioctx *io,
						     uint64_t *snapid);
/*
 * Retire snapshot id snapid of io's pool (selfmanaged_snap_remove): the
 * OSDs then trim its clones.  Blocking, as above.
 */
CEPHC_EXPORT int cephc_rados_selfmanaged_snap_remove(cephc_ioctx *io,
						     uint64_t snapid);
/*
 * Roll object oid back to its content at snapshot snapid (removed when it
 * did not exist then): one ROLLBACK op (selfmanaged_snap_rollback).
 */
CEPHC_EXPORT int cephc_rados_selfmanaged_snap_rollback(cephc_ioctx *io,
						       const char *oid,
						       uint64_t snapid);

#ifdef __cplusplus
}
#endif

#endif /* CEPHC_RADOS_H */
