/* SPDX-License-Identifier: MIT */
/*
 * Object map maintainer (image_object_map.c, layer 3): the image's HEAD
 * object map (rbd_object_map.<id>) kept as librbd keeps it while we own
 * the exclusive lock, and the per-snapshot maps copy-up touches.
 *
 * Two sides:
 * - blocking calls, made by the exclusive lock (image_exclusive_lock.c)
 *   from its worker thread while no write is admitted: open on acquire,
 *   close on release, plus resize and invalidate for management ops;
 * - driver-context calls, made by the I/O engine around each data op:
 *   the in-memory state of an object and an asynchronous update that
 *   serialises updates per object.
 *
 * HEAD updates go out as one compound op: lock.assert_locked("rbd_lock",
 * exclusive, cookie "", tag "") + rbd.object_map_update.  Any failed
 * update invalidates the map (header flags OBJECT_MAP_INVALID, plus
 * FAST_DIFF_INVALID with fast-diff, set with assert_locked on the header
 * lock, img->lock_cookie) and the caller carries on; an invalid map is
 * still updated but never trusted (every object "may exist").
 */
#ifndef CEPHC_RBD_IMAGE_OBJECT_MAP_H
#define CEPHC_RBD_IMAGE_OBJECT_MAP_H

#include <stdbool.h>
#include <stdint.h>

struct cephc_rbd_image;
struct rbd_om;

/* Object-map states (cls_rbd.h): CEPHC_RBD_OBJECT_NONEXISTENT ... */
#define RBD_OM_NO_FILTER (-1)

/* ---- blocking (worker thread, or an API thread owning the lock) -------- */

/*
 * On lock acquire, image with the object-map feature: lock the map object
 * (EEXIST: ours already; EBUSY: break every locker, lock once more), load
 * it, and when it is missing, corrupt, or shorter than the image's object
 * count, invalidate and resize it (as librbd's object_map RefreshRequest).
 * Sets img->om.  0, or an error that leaves img->om NULL (the caller may
 * go on without a map: writes then only invalidate).
 */
int rbd_om_open(struct cephc_rbd_image *img);
/* On release: wait for updates in flight, unlock the map object (ENOENT
 * ignored), free img->om.  No-op when img->om is NULL. */
void rbd_om_close(struct cephc_rbd_image *img);
/* Resize the HEAD map to the object count of new_size (new entries
 * NONEXISTENT), assert_locked + object_map_resize; a failure invalidates.
 * Grow: before set_size; shrink: after trim and set_size. */
int rbd_om_resize(struct cephc_rbd_image *img, uint64_t new_size);
/* Set the invalid flags on HEAD (header), and in memory. */
int rbd_om_invalidate(struct cephc_rbd_image *img);

/* ---- driver context ---------------------------------------------------- */

/* The map is open and valid: its states can be trusted. */
bool rbd_om_trusted(const struct cephc_rbd_image *img);
/* In-memory HEAD state of objno (NONEXISTENT past the end); only
 * meaningful when rbd_om_trusted(). */
uint8_t rbd_om_state(const struct cephc_rbd_image *img, uint64_t objno);

typedef void (*rbd_om_done_fn)(void *arg, int err);
/*
 * Move HEAD objno to new_state when its state matches filter
 * (RBD_OM_NO_FILTER: any; EXISTS also matches EXISTS_CLEAN), after every
 * earlier update of objno is done.  Returns 1 when nothing needs sending
 * (no map open, or librbd's update_required() says no: same state;
 * PENDING over NONEXISTENT; NONEXISTENT over anything but PENDING) and
 * done will not run; 0 when done(arg, err) will run once, in driver
 * context, after the map object answered (err is informational: a
 * failure has already invalidated the map); < 0 on a local error (done
 * will not run).
 */
int rbd_om_update(struct cephc_rbd_image *img, uint64_t objno,
		  uint8_t new_state, int filter, rbd_om_done_fn done,
		  void *arg);
/*
 * Copy-up into a clone with snapshots: set objno to state in the map of
 * snapshot snap_id (rbd_object_map.<id>.<snap %016x>), no assert, ENOENT
 * ignored.  Same return convention as rbd_om_update().
 */
int rbd_om_update_snap(struct cephc_rbd_image *img, uint64_t snap_id,
		       uint64_t objno, uint8_t state, rbd_om_done_fn done,
		       void *arg);

/* ---- for the management ops (object-map check / rebuild) --------------- */

struct cephc_rbd_object_map;
/* Header flags of snap_id (CEPHC_RBD_NOSNAP: HEAD). */
int rbd_om_get_flags(struct cephc_rbd_image *img, uint64_t snap_id,
		     uint64_t *flags);
/* set_flags(flags, mask) on the header for snap_id; HEAD asserts the
 * header lock (img->lock_cookie), as librbd's writes of the flags do. */
int rbd_om_set_flags(struct cephc_rbd_image *img, uint64_t snap_id,
		     uint64_t flags, uint64_t mask);
/* object_map_load of the map of snap_id; CEPHC_EINVAL when corrupt. */
int rbd_om_load(struct cephc_rbd_image *img, uint64_t snap_id,
		struct cephc_rbd_object_map *out);
/* A copy of the open HEAD map (clear it after). */
int rbd_om_snapshot(struct cephc_rbd_image *img,
		    struct cephc_rbd_object_map *out);
/* object_map_save m as the map of snap_id (HEAD: with the map lock
 * asserted, and m, emptied, becomes the open map). */
int rbd_om_save(struct cephc_rbd_image *img, uint64_t snap_id,
		struct cephc_rbd_object_map *m);
/* Trust the open map again (after a rebuild cleared the flags). */
void rbd_om_set_valid(struct cephc_rbd_image *img);

/* ---- snapshots (image_snap_ops.c; the caller owns the lock, writes are
 * blocked) ---------------------------------------------------------------- */

/*
 * Snapshot create, once snapshot_add stored snap_id: copy the HEAD map
 * object verbatim to rbd_object_map.<id>.<snap_id> (read + write_full),
 * then with fast-diff assert_locked + object_map_snap_add on HEAD and
 * EXISTS -> EXISTS_CLEAN in memory.  A failed copy flags the snapshot's
 * map invalid; a failed snap_add invalidates HEAD.  0 when no map is open.
 */
int rbd_om_snap_create(struct cephc_rbd_image *img, uint64_t snap_id);
/*
 * Snapshot remove: with fast-diff, merge the snapshot's map into the next
 * map (next_id: the next newer snapshot, or CEPHC_RBD_NOSNAP for HEAD,
 * asserting the map lock and updating the in-memory map too) with
 * object_map_snap_remove; an invalid or unreadable snapshot map
 * invalidates the next map instead.  Then delete the snapshot's map
 * object (ENOENT is fine).  Images without object-map: nothing.
 */
int rbd_om_snap_remove(struct cephc_rbd_image *img, uint64_t snap_id,
		       uint64_t next_id);
/*
 * Rollback, after the image was resized to the snapshot's size: copy the
 * snapshot's map object over HEAD's (assert_locked + write_full) and load
 * it as the in-memory map; a failure invalidates HEAD.
 */
int rbd_om_rollback(struct cephc_rbd_image *img, uint64_t snap_id);

#endif /* CEPHC_RBD_IMAGE_OBJECT_MAP_H */
