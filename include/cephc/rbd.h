/* SPDX-License-Identifier: MIT */
/*
 * cephc RBD images: open, I/O, create/remove/list/resize, snapshots list.
 *
 * Format 2 images only.  I/O goes straight to the data objects (no cache):
 * a write's completion means every OSD of the object's PG has committed it,
 * so flush is only a barrier (it completes once the writes submitted before
 * it have completed).
 *
 * Features: cephc writes images with layering, striping (v2), data-pool
 * and Pacific's defaults (exclusive-lock, object-map, fast-diff,
 * deep-flatten), keeping them as librbd does; images with journaling (or
 * migrating, non-primary, dirty-cache) open read-only only: a read-write
 * open of them fails with CEPHC_EFEATURES and cephc_cluster_last_error()-
 * style text from cephc_rbd_last_error().
 * Clones (images with a parent): reads of objects the clone lacks come
 * from the parent (up to the overlap, through every level); the first
 * partial change of such an object copies the parent's bytes up first, as
 * librbd does (with an empty snap context when the clone has snapshots,
 * so they keep the parent's bytes; a shrink copies up what they still
 * need).  The OPERATIONS feature (clone v2 parent/child, group, snapshot
 * trash) does not stop writes.  A read-write open watches the image header
 * like krbd: when
 * another client notifies it (snapshot taken, resize), the snapshot context
 * that writes carry and the size are re-read before the notify is
 * acknowledged.  The snapshot fields of cephc_rbd_stat() describe the
 * image as it was at open; cephc_rbd_snap_list() reads the header anew.
 *
 * Threading: every function may be called from any thread, concurrently on
 * the same handle, except that cephc_rbd_close() must not race with other
 * calls on that image.  Asynchronous completions' callbacks run on the
 * thread driving the cluster's event loop (see cephc/cluster.h), one at a
 * time: they must not block and must not call the synchronous functions
 * below (they may submit more aio).  Close every image before destroying
 * its cluster handle.
 *
 * Memory: caller buffers passed to aio calls must stay valid (and, for
 * writes, unchanged) until the completion fires: data is sent from and
 * received into them without copying.  Arrays returned here are single
 * allocations freed with cephc_buffer_free().
 */
#ifndef CEPHC_RBD_H
#define CEPHC_RBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephc/cluster.h"
#include "cephc/export.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cephc_rbd_image cephc_rbd_image;
typedef struct cephc_rbd_completion cephc_rbd_completion;

/* Feature bits (the on-disk values). */
#define CEPHC_RBD_FEAT_LAYERING (1ull << 0)
#define CEPHC_RBD_FEAT_STRIPINGV2 (1ull << 1)
#define CEPHC_RBD_FEAT_DATA_POOL (1ull << 7)
#define CEPHC_RBD_FEAT_EXCLUSIVE_LOCK (1ull << 2)
#define CEPHC_RBD_FEAT_OBJECT_MAP (1ull << 3)
#define CEPHC_RBD_FEAT_FAST_DIFF (1ull << 4)
#define CEPHC_RBD_FEAT_DEEP_FLATTEN (1ull << 5)
#define CEPHC_RBD_FEAT_JOURNALING (1ull << 6)

/* Open flags. */
#define CEPHC_RBD_OPEN_READ_ONLY 0x1u

struct cephc_rbd_create_opts {
	uint64_t size;         /* bytes */
	int order;             /* 12..25; 0: 22 (4 MiB objects) */
	uint64_t stripe_unit;  /* 0: object size */
	uint64_t stripe_count; /* 0: 1 */
	const char *data_pool; /* NULL: none */
	/*
	 * Features; 0 means the configured default (conf option
	 * rbd_default_features, Ceph's default 61: layering, exclusive-lock,
	 * object-map, fast-diff, deep-flatten), as `rbd create`.  librbd's
	 * rules apply: striping and data-pool follow the layout; object-map
	 * brings fast-diff, fast-diff alone is dropped; operations,
	 * migrating, non-primary, dirty-cache are dropped; object-map or
	 * journaling without exclusive-lock: CEPHC_EINVAL ("cannot use
	 * object map without exclusive lock").  Journaling: CEPHC_EOPNOTSUPP
	 * (cephc keeps no journal).  With object-map the empty map object is
	 * created too.
	 */
	uint64_t features;
};

/*
 * Namespaces: an image may live in a namespace of its pool (`rbd
 * --namespace NS`, `pool/NS/image`).  Every *_ns function takes one; NULL
 * or "" means the default namespace, and the functions without _ns use
 * it.  In a namespace that does not exist (see cephc_rbd_namespace_*),
 * create fails with CEPHC_ENOENT.
 */

/* Create a format 2 image the way librbd does (directory entry, id
 * object, header, striping).  CEPHC_EEXIST when the name is taken. */
CEPHC_EXPORT int cephc_rbd_create(cephc_cluster *c, const char *pool,
				  const char *name,
				  const struct cephc_rbd_create_opts *o);
CEPHC_EXPORT int cephc_rbd_create_ns(cephc_cluster *c, const char *pool,
				     const char *nspace, const char *name,
				     const struct cephc_rbd_create_opts *o);
/*
 * Remove an image and its data the way Pacific's librbd does, whatever
 * features it has: take its exclusive lock when it has that feature
 * (breaking, after blocklisting its owner, a lock whose owner no longer
 * watches the header), move it to the trash with source "removing",
 * delete its data, object maps and header, then the trash entry.  An
 * interrupted removal leaves the trash entry, which cephc_rbd_list_ns()
 * still shows and cephc_rbd_trash_remove() finishes.
 * Errors: CEPHC_ENOENT, CEPHC_ENOTEMPTY (snapshots), CEPHC_EBUSY (another
 * client watches the header), -EMLINK (the image is in a group),
 * CEPHC_EOPNOTSUPP (journaling images; the last clone of a parent
 * snapshot in the trash, which librbd would remove with it).  A clone is
 * detached from its parent (v1 rbd_children, v2 child_detach) once its
 * data is gone, as librbd does.
 */
CEPHC_EXPORT int cephc_rbd_remove(cephc_cluster *c, const char *pool,
				  const char *name);
CEPHC_EXPORT int cephc_rbd_remove_ns(cephc_cluster *c, const char *pool,
				     const char *nspace, const char *name);
/* Image names of a pool's default namespace, as cephc_rbd_list_ns()
 * orders them.  *names is one allocation (the array and the strings);
 * free it with cephc_buffer_free(). */
CEPHC_EXPORT int cephc_rbd_list(cephc_cluster *c, const char *pool,
				char ***names, size_t *count);

struct cephc_rbd_image_spec {
	const char *id;   /* "" for a format 1 image */
	const char *name; /* both inside the same allocation */
};
/*
 * Images as librbd 16 lists them (`rbd ls`): format 1 images (from the
 * rbd_directory tmap), then format 2 images sorted by name, then images
 * whose removal started but did not finish (trash entries with source
 * "removing").  *specs is one allocation; cephc_buffer_free() it.
 */
CEPHC_EXPORT int cephc_rbd_list_ns(cephc_cluster *c, const char *pool,
				   const char *nspace,
				   struct cephc_rbd_image_spec **specs,
				   size_t *count);

/*
 * Namespace registry of a pool (`rbd namespace create|rm|ls`).  Create:
 * CEPHC_EEXIST when taken, CEPHC_EINVAL for "".  Remove: CEPHC_ENOENT
 * when unknown, CEPHC_EBUSY while it holds images or trash entries.
 * List: sorted names, one allocation freed with cephc_buffer_free().
 * Exists: whether the namespace's image directory is ready.
 */
CEPHC_EXPORT int cephc_rbd_namespace_create(cephc_cluster *c, const char *pool,
					    const char *nspace);
CEPHC_EXPORT int cephc_rbd_namespace_remove(cephc_cluster *c, const char *pool,
					    const char *nspace);
CEPHC_EXPORT int cephc_rbd_namespace_list(cephc_cluster *c, const char *pool,
					  char ***names, size_t *count);
CEPHC_EXPORT int cephc_rbd_namespace_exists(cephc_cluster *c, const char *pool,
					    const char *nspace, bool *exists);

/* ---- trash (`rbd trash ...`) -------------------------------------------- */

/* Where a trash entry came from, and where it is in its life cycle (the
 * on-disk values). */
enum cephc_rbd_trash_source {
	CEPHC_RBD_TRASH_SOURCE_USER = 0,
	CEPHC_RBD_TRASH_SOURCE_MIRRORING = 1,
	CEPHC_RBD_TRASH_SOURCE_MIGRATION = 2,
	CEPHC_RBD_TRASH_SOURCE_REMOVING = 3,
	CEPHC_RBD_TRASH_SOURCE_USER_PARENT = 4,
};
enum cephc_rbd_trash_state {
	CEPHC_RBD_TRASH_STATE_NORMAL = 0,
	CEPHC_RBD_TRASH_STATE_MOVING = 1,
	CEPHC_RBD_TRASH_STATE_REMOVING = 2,
	CEPHC_RBD_TRASH_STATE_RESTORING = 3,
};

struct cephc_rbd_trash_info {
	const char *id;
	const char *name; /* both inside the same allocation */
	uint32_t source;  /* enum cephc_rbd_trash_source */
	uint32_t state;   /* enum cephc_rbd_trash_state */
	uint32_t deletion_sec;
	uint32_t deferment_end_sec; /* may be purged from then on */
};
/* Every entry (all sources), sorted by id; cephc_buffer_free(*entries). */
CEPHC_EXPORT int cephc_rbd_trash_list(cephc_cluster *c, const char *pool,
				      const char *nspace,
				      struct cephc_rbd_trash_info **entries,
				      size_t *count);
/* Move an image to the trash (source "user"), purgeable after delay_sec.
 * Takes the exclusive lock first when the image has that feature. */
CEPHC_EXPORT int cephc_rbd_trash_move(cephc_cluster *c, const char *pool,
				      const char *nspace, const char *name,
				      uint32_t delay_sec);
/* Delete a trashed image for good.  CEPHC_EPERM before its deferment
 * ends unless force; otherwise the errors of cephc_rbd_remove(). */
CEPHC_EXPORT int cephc_rbd_trash_remove(cephc_cluster *c, const char *pool,
					const char *nspace, const char *id,
					bool force);
/*
 * `rbd trash purge`: delete, in id order, every user-trashed image whose
 * deferment ended by expire_sec (0: now), as librbd's Trash::purge; the
 * first failure stops it and is returned (*removed counts the deleted).
 */
CEPHC_EXPORT int cephc_rbd_trash_purge(cephc_cluster *c, const char *pool,
				       const char *nspace, int64_t expire_sec,
				       size_t *removed);
/* Bring a user-trashed image back under new_name (NULL: its old name).
 * CEPHC_EEXIST when the name is taken, CEPHC_EINVAL for other sources. */
CEPHC_EXPORT int cephc_rbd_trash_restore(cephc_cluster *c, const char *pool,
					 const char *nspace, const char *id,
					 const char *new_name);

/*
 * Open pool/name, at snapshot snap (NULL: head).  A snapshot open is
 * read-only.  Errors: CEPHC_ENOENT (no image or snapshot), CEPHC_EFEATURES
 * (features cephc cannot handle for this kind of open), or the parent's
 * open error for a clone.
 */
CEPHC_EXPORT int cephc_rbd_open(cephc_cluster *c, const char *pool,
				const char *name, const char *snap,
				unsigned flags, cephc_rbd_image **out);
CEPHC_EXPORT int cephc_rbd_open_ns(cephc_cluster *c, const char *pool,
				   const char *nspace, const char *name,
				   const char *snap, unsigned flags,
				   cephc_rbd_image **out);
/* Open by image id (e.g. a trash entry); the name is "" when the image is
 * not in the directory. */
CEPHC_EXPORT int cephc_rbd_open_by_id(cephc_cluster *c, const char *pool,
				      const char *nspace, const char *id,
				      const char *snap, unsigned flags,
				      cephc_rbd_image **out);
/* Waits for the image's outstanding aio, then frees the handle. */
CEPHC_EXPORT int cephc_rbd_close(cephc_rbd_image *img);
/* Why the last failed open on this thread failed ("" if unknown). */
CEPHC_EXPORT const char *cephc_rbd_last_error(void);

struct cephc_rbd_info {
	char name[1025];
	char id[65];
	char block_name_prefix[129];
	uint64_t size; /* at the opened snapshot */
	uint8_t order;
	uint64_t object_size;
	uint64_t num_objects;
	uint64_t features;
	uint64_t op_features;
	uint64_t flags;
	uint64_t stripe_unit;
	uint64_t stripe_count;
	int64_t pool_id;
	int64_t data_pool_id; /* -1: none */
	uint32_t snapshot_count;
	uint64_t snap_id; /* opened snapshot, or CEPHC_RBD_SNAP_HEAD */
	bool read_only;
	bool snap_protected; /* opened at a protected snapshot */
	uint32_t create_sec, access_sec, modify_sec; /* 0: unknown */
};
#define CEPHC_RBD_SNAP_HEAD 0xfffffffffffffffeull

CEPHC_EXPORT int cephc_rbd_stat(cephc_rbd_image *img,
				struct cephc_rbd_info *info);

struct cephc_rbd_snap_entry {
	uint64_t id;
	uint64_t size;
	uint32_t ns_type; /* 0 user, 1 group, 2 trash, 3 mirror */
	uint32_t timestamp_sec;
	uint32_t timestamp_nsec;
	bool is_protected;
	const char *name; /* inside the same allocation */
	/* ns_type 2 (trash): the snapshot's name before its removal, and
	 * its namespace type then; NULL otherwise (same allocation) */
	const char *trash_original_name;
	uint32_t trash_original_ns;
};
/* Snapshots as the header holds them now, oldest first; *snaps is freed
 * with cephc_buffer_free(). */
CEPHC_EXPORT int cephc_rbd_snap_list(cephc_rbd_image *img,
				     struct cephc_rbd_snap_entry **snaps,
				     uint32_t *count);

/* A clone's parent: where it is and what reads fall through to it. */
struct cephc_rbd_parent_info {
	bool has_parent;
	int64_t pool_id;
	char pool_name[256];
	char pool_namespace[1025];
	char image_id[65];
	char image_name[1025]; /* the trashed name when in the trash */
	bool image_in_trash;
	uint64_t snap_id;
	char snap_name[4097];
	uint64_t overlap; /* bytes of the child backed by the parent */
};
/* The parent of the opened image (at its snapshot, if one was opened), as
 * the header holds it now.  has_parent false for a non-clone. */
CEPHC_EXPORT int cephc_rbd_get_parent(cephc_rbd_image *img,
				      struct cephc_rbd_parent_info *out);
/* The same at snapshot snap_id of the image (CEPHC_RBD_SNAP_HEAD: head). */
CEPHC_EXPORT int cephc_rbd_get_parent_at(cephc_rbd_image *img,
					 uint64_t snap_id,
					 struct cephc_rbd_parent_info *out);
/* Holders of the image's lock ("rbd_lock" on the header), and whether it
 * is exclusive. */
CEPHC_EXPORT int cephc_rbd_list_lockers(cephc_rbd_image *img, int *count,
					bool *exclusive);

/* ---- Locks and watchers ------------------------------------------------
 *
 * `rbd lock` and `rbd status` over the image header: the advisory cls
 * "lock" lock named "rbd_lock" (the one librbd's exclusive lock also
 * uses, with cookie "auto <watch cookie>" and tag "internal") and the
 * header's watchers.  Each call is a plain OSD call on the header, so a
 * read-only handle is enough and none of them watches the header or
 * takes the exclusive lock.  Blocking calls (API threads only).
 */
#define CEPHC_RBD_LOCK_NONE 0
#define CEPHC_RBD_LOCK_EXCLUSIVE 1
#define CEPHC_RBD_LOCK_SHARED 2
/* "client.4234"; "ip:port/nonce" (or "[ip6]:port/nonce"). */
#define CEPHC_RBD_ENTITY_MAX 32
#define CEPHC_RBD_ADDR_MAX 128

struct cephc_rbd_locker {
	char client[CEPHC_RBD_ENTITY_MAX]; /* entity name, "client.4234" */
	char address[CEPHC_RBD_ADDR_MAX];  /* "127.0.0.1:0/3410335345" */
	const char *cookie;      /* the lock id (`rbd lock add`'s LOCK_ID) */
	const char *description; /* usually "" */
};
struct cephc_rbd_lock_info {
	int type;        /* CEPHC_RBD_LOCK_*; NONE when nobody holds it */
	const char *tag; /* shared locks' tag; "" for most exclusive ones */
	size_t count;
	struct cephc_rbd_locker *lockers; /* count entries */
};
/*
 * Who holds "rbd_lock" on the header now.  *out is one allocation
 * (strings and lockers inside it), freed with cephc_buffer_free().
 */
CEPHC_EXPORT int cephc_rbd_lock_get_info(cephc_rbd_image *img,
					 struct cephc_rbd_lock_info **out);
/*
 * Take "rbd_lock" with cookie (the lock id), as `rbd lock add` does:
 * exclusive with tag "", or shared with tag; no expiry, no description.
 * The lock belongs to this cluster handle's entity (client.<global id>).
 * CEPHC_EBUSY when someone else holds it (or, shared, with another tag),
 * CEPHC_EEXIST when this entity holds it with that cookie already.
 * The header's watchers are then told to re-read it.
 */
CEPHC_EXPORT int cephc_rbd_lock_exclusive(cephc_rbd_image *img,
					  const char *cookie);
CEPHC_EXPORT int cephc_rbd_lock_shared(cephc_rbd_image *img, const char *cookie,
				       const char *tag);
/* Drop our own lock with cookie.  CEPHC_ENOENT when we do not hold it. */
CEPHC_EXPORT int cephc_rbd_unlock(cephc_rbd_image *img, const char *cookie);
/*
 * Remove the lock that client ("client.4234") holds with cookie, as
 * librbd's break_lock does.  With rbd_blocklist_on_break_lock (default
 * true) the locker's address is blocklisted first (for
 * rbd_blocklist_expire_seconds, 0 = the monitors' default), so a live
 * holder cannot go on writing, and the lock is broken once this client
 * has the OSDMap that carries the blocklist entry.  Options are read
 * from the handle's configuration.  CEPHC_EINVAL for a malformed client,
 * CEPHC_ENOENT when that client does not hold the lock with cookie (as
 * in librbd, a client holding it with another cookie is blocklisted all
 * the same: the address is looked up by client alone).
 */
CEPHC_EXPORT int cephc_rbd_break_lock(cephc_rbd_image *img, const char *client,
				      const char *cookie);

struct cephc_rbd_watcher {
	char client[CEPHC_RBD_ENTITY_MAX]; /* "client.4231" */
	uint64_t client_id;                /* 4231 */
	uint64_t cookie;                   /* the watch's cookie */
	char address[CEPHC_RBD_ADDR_MAX];  /* "127.0.0.1:0/3410335345" */
};
/* The header's watchers (`rbd status`), in the OSD's order; *out (NULL
 * when *count is 0) is freed with cephc_buffer_free(). */
CEPHC_EXPORT int cephc_rbd_list_watchers(cephc_rbd_image *img,
					 struct cephc_rbd_watcher **out,
					 size_t *count);

/* Grow (set_size) or shrink (trim objects past the end, then set_size). */
CEPHC_EXPORT int cephc_rbd_resize(cephc_rbd_image *img, uint64_t size);

/* ---- asynchronous I/O ------------------------------------------------- */

/* cb may be NULL (then wait for it).  It runs once, on the loop's driver. */
typedef void (*cephc_rbd_callback_t)(cephc_rbd_completion *comp, void *arg);
CEPHC_EXPORT int cephc_rbd_aio_create_completion(void *arg,
						 cephc_rbd_callback_t cb,
						 cephc_rbd_completion **out);
/* 0 or a negative error of the finished request. */
CEPHC_EXPORT int cephc_rbd_aio_get_return_value(cephc_rbd_completion *comp);
/* Block until the completion fired (and its callback returned). */
CEPHC_EXPORT void cephc_rbd_aio_wait(cephc_rbd_completion *comp);
CEPHC_EXPORT bool cephc_rbd_aio_is_complete(cephc_rbd_completion *comp);
/* Free it: after it fired, inside its own callback, or when no aio call
 * accepted it.  Releasing a submitted one early defers the free. */
CEPHC_EXPORT void cephc_rbd_aio_release(cephc_rbd_completion *comp);

/*
 * Submit; 0 means the completion will fire exactly once, a negative return
 * means it will not (bad arguments: CEPHC_EINVAL past the end of the image,
 * CEPHC_EROFS on a read-only image).  A read of holes or missing objects
 * gives zeros; a read crossing the end of the image gives zeros past it.
 * Writes carry the image's snapshot context.
 */
CEPHC_EXPORT int cephc_rbd_aio_read(cephc_rbd_image *img, uint64_t off,
				    size_t len, void *buf,
				    cephc_rbd_completion *comp);
CEPHC_EXPORT int cephc_rbd_aio_write(cephc_rbd_image *img, uint64_t off,
				     size_t len, const void *buf,
				     cephc_rbd_completion *comp);
/* Whole objects are deleted, object tails truncated, the rest zeroed:
 * the range reads back as zeros. */
CEPHC_EXPORT int cephc_rbd_aio_discard(cephc_rbd_image *img, uint64_t off,
				       uint64_t len,
				       cephc_rbd_completion *comp);
CEPHC_EXPORT int cephc_rbd_aio_write_zeroes(cephc_rbd_image *img, uint64_t off,
					    uint64_t len,
					    cephc_rbd_completion *comp);
CEPHC_EXPORT int cephc_rbd_aio_flush(cephc_rbd_image *img,
				     cephc_rbd_completion *comp);

/*
 * Allocation map without an object map: which bytes of [off, off + len)
 * (inside the image at its opened snapshot) hold data.  fn(arg, off, len,
 * allocated) is called for runs that are ascending, contiguous and cover
 * the whole range; allocated false means no data object holds those bytes
 * (they read as zeros).  Found with one STAT per data object, so the
 * granularity is the object (a sparse object counts as data).  For a clone,
 * bytes the child lacks report the parent's state (recursively).  fn
 * returning non-zero stops the walk and that value is returned; otherwise
 * 0 or a negative error (CEPHC_EINVAL past the end).
 * Threading: a blocking call (API threads only, never from a completion
 * callback); fn runs on the calling thread and owns nothing after return.
 */
typedef int (*cephc_rbd_extent_fn)(void *arg, uint64_t off, uint64_t len,
				   bool allocated);
CEPHC_EXPORT int cephc_rbd_allocated_extents(cephc_rbd_image *img, uint64_t off,
					     uint64_t len,
					     cephc_rbd_extent_fn fn, void *arg);

/* Synchronous forms: 0 or a negative error. */
CEPHC_EXPORT int cephc_rbd_read(cephc_rbd_image *img, uint64_t off, size_t len,
				void *buf);
CEPHC_EXPORT int cephc_rbd_write(cephc_rbd_image *img, uint64_t off, size_t len,
				 const void *buf);
CEPHC_EXPORT int cephc_rbd_discard(cephc_rbd_image *img, uint64_t off,
				   uint64_t len);
CEPHC_EXPORT int cephc_rbd_write_zeroes(cephc_rbd_image *img, uint64_t off,
					uint64_t len);
CEPHC_EXPORT int cephc_rbd_flush(cephc_rbd_image *img);

/*
 * Exclusive lock (images with the exclusive-lock feature, opened for
 * writing).  By default the lock is automatic, as in librbd: the first
 * write takes it (asking a live owner to hand it over, breaking a dead
 * owner's after blocklisting it), and we hand it over when another client
 * asks.  cephc_rbd_lock_acquire() takes it explicitly and keeps it: other
 * clients' requests are refused (their writes fail with EROFS), and after
 * cephc_rbd_lock_release() our own writes fail with EROFS until the next
 * acquire.  Mode: exclusive only (shared: EOPNOTSUPP); EINVAL without
 * the feature.
 */
#define CEPHC_RBD_LOCK_MODE_EXCLUSIVE 0
#define CEPHC_RBD_LOCK_MODE_SHARED 1
CEPHC_EXPORT int cephc_rbd_lock_acquire(cephc_rbd_image *img, int mode);
CEPHC_EXPORT int cephc_rbd_lock_release(cephc_rbd_image *img);
CEPHC_EXPORT int cephc_rbd_is_exclusive_lock_owner(cephc_rbd_image *img,
						   bool *owner);

/* ---- Object map ------------------------------------------------------ */

/* Header flags (cephc_rbd_get_flags): the object map, or its fast-diff
 * clean/dirty states, cannot be trusted. */
#define CEPHC_RBD_IMAGE_FLAG_OBJECT_MAP_INVALID 0x1u
#define CEPHC_RBD_IMAGE_FLAG_FAST_DIFF_INVALID 0x2u

/* Flags of the image at its opened snapshot (HEAD or the snapshot's own),
 * read from the header now. */
CEPHC_EXPORT int cephc_rbd_get_flags(cephc_rbd_image *img, uint64_t *flags);

/*
 * One object whose map entry differs from what its data object calls for
 * (states: 0 nonexistent, 1 exists, 2 pending, 3 exists clean).  error is
 * false when the map only over-reports (it says "exists" for an absent
 * object): rbd logs those as inconsistencies and leaves the map valid.
 */
typedef void (*cephc_rbd_object_map_mismatch_fn)(void *arg, uint64_t objno,
						 const char *oid,
						 uint8_t stored,
						 uint8_t expected, bool error);
/*
 * `rbd object-map check`: compare the stored map of the image at its
 * opened snapshot (HEAD or IMAGE@SNAP) with its data objects (one
 * LIST_SNAPS per object), report mismatches through fn (may be NULL) and,
 * on an error, set the map's invalid flags (object map, and fast diff
 * with that feature) as rbd does; *errors (may be NULL) counts them.
 * HEAD takes the image's exclusive lock for the duration (a handle opened
 * for writing; CEPHC_EROFS on a read-only one).  Returns 0 even
 * when the map was found invalid (as rbd exits 0); CEPHC_EINVAL when the
 * image has no object map.  progress(arg, done, total) may be NULL.
 * Threading: blocking, API threads; callbacks run on the calling thread.
 */
typedef void (*cephc_rbd_progress_fn)(void *arg, uint64_t done, uint64_t total);
CEPHC_EXPORT int cephc_rbd_object_map_check(cephc_rbd_image *img,
					    cephc_rbd_object_map_mismatch_fn fn,
					    cephc_rbd_progress_fn progress,
					    void *arg, unsigned *errors);
/*
 * `rbd object-map rebuild` (HEAD): take the exclusive lock, size the map
 * to the image, compute every entry from the data objects, save it
 * whole (object_map_save under the map lock) and clear the invalid
 * flags.  A map entry that says EXISTS for an absent object is kept (a
 * write may be landing).  The handle must be open for writing (the op
 * owns the exclusive lock meanwhile; CEPHC_EROFS otherwise).  At a
 * snapshot (IMAGE@SNAP, any handle): every entry of that snapshot's map
 * is computed afresh and its flags cleared, HEAD's map untouched, while a
 * HEAD handle of the image holds the exclusive lock, as librbd does.
 * CEPHC_EINVAL without the object-map feature.
 * Threading as above.
 */
CEPHC_EXPORT int cephc_rbd_object_map_rebuild(cephc_rbd_image *img,
					      cephc_rbd_progress_fn progress,
					      void *arg);

/* ---- Features -------------------------------------------------------- */

/*
 * `rbd feature enable|disable`: turn features (CEPHC_RBD_FEAT_*) of the
 * image on or off, as librbd's Enable/DisableFeaturesRequest do, as the
 * exclusive lock's owner when the image has one (asking a live owner to
 * release it).  Mutable: exclusive-lock, object-map, fast-diff (the two
 * go together); deep-flatten can only be disabled.  Enabling object-map
 * sets the invalid flags (HEAD and snapshots) and creates empty maps
 * until cephc_rbd_object_map_rebuild(); disabling it removes the maps
 * (HEAD and snapshots) and clears the flags.  Errors as librbd:
 * CEPHC_EINVAL for immutable features, features already on (enable) or
 * off (disable), object-map without exclusive-lock, exclusive-lock off
 * while object-map is on; CEPHC_EOPNOTSUPP for journaling (cephc keeps
 * no journal); CEPHC_EROFS for a read-only handle or a snapshot.  The
 * handle follows the change (it starts or stops its exclusive lock and
 * object map).  Other watchers get a header-update notify.
 * Threading: blocking, API threads; no I/O on the handle meanwhile.
 */
CEPHC_EXPORT int cephc_rbd_update_features(cephc_rbd_image *img,
					   uint64_t features, bool enabled);

/* ---- Diff and disk usage ---- */

/*
 * One extent of a diff: image bytes [off, off + len) changed; exists true
 * when they hold data now, false when they became zeros (discarded,
 * truncated, removed).  Returning non-zero stops the walk and that value
 * is returned by the call.
 */
typedef int (*cephc_rbd_diff_fn)(void *arg, uint64_t off, uint64_t len,
				 bool exists);
/*
 * rbd_diff_iterate2: the changes of the image at its opened version (HEAD
 * or IMAGE@SNAP) since snapshot from_snap (NULL: since creation) within
 * [off, off + len) (len is cut at the image size), as librbd 16.2.15
 * reports them: extents ascending, adjacent ones of the same kind merged
 * within each stripe period (object set).  Exact extents come from one
 * LIST_SNAPS per data object (from creation only data is reported; a
 * sparse object reports [0, its size)).  whole_object reports whole
 * objects, read from the object maps (fast-diff) when the image has
 * fast-diff and no map from from_snap to the end is flagged
 * FAST_DIFF_INVALID, missing or short; otherwise from LIST_SNAPS.
 * include_parent: from creation, a clone's bytes that its own objects
 * do not hold report what the parent (recursively) holds.  A handle
 * open for writing flushes its writes and re-reads the header first.
 * Errors: CEPHC_EINVAL (off past the end, from_snap newer than the opened
 * snapshot), CEPHC_ENOENT (no such from_snap), OSD errors.  Threading:
 * blocking, API threads only (never from a completion callback); fn runs
 * on the calling thread, and nothing it is given outlives the call.
 */
CEPHC_EXPORT int cephc_rbd_diff_iterate(cephc_rbd_image *img,
					const char *from_snap, uint64_t off,
					uint64_t len, bool include_parent,
					bool whole_object,
					cephc_rbd_diff_fn fn, void *arg);
/*
 * rbd du for the image at its opened version: *provisioned is its size,
 * *used the bytes of the whole objects that hold data and changed since
 * from_snap (NULL: since creation), parent excluded, as `rbd du` sums a
 * whole-object diff (fast-diff when valid, see above).  `rbd du --exact`
 * is cephc_rbd_diff_iterate() without whole_object, summed.  Errors and
 * threading as cephc_rbd_diff_iterate().
 */
CEPHC_EXPORT int cephc_rbd_du(cephc_rbd_image *img, const char *from_snap,
			      uint64_t *provisioned, uint64_t *used);
/* ---- Snapshots ------------------------------------------------------- */

/*
 * Snapshot management as librbd does it, as the exclusive lock's owner
 * when the image has one (a live librbd owner is asked to release it,
 * RequestLock, and the operation runs here once cephc holds it); every
 * operation ends with a header-update notify so other clients re-read the
 * header.  The handle must be open for writing at HEAD (CEPHC_EROFS
 * otherwise).  Errors: CEPHC_ENOENT for an unknown snapshot name (user
 * namespace), CEPHC_EINVAL for bad arguments; cephc_rbd_last_error()
 * says more.  Threading: blocking, API threads (not from a completion
 * callback); other I/O on the handle may go on meanwhile.
 */
#define CEPHC_RBD_SNAP_CREATE_SKIP_QUIESCE 0x1u
#define CEPHC_RBD_SNAP_CREATE_IGNORE_QUIESCE_ERROR 0x2u
/*
 * Create snapshot name: a Quiesce notify to the image's watchers (unless
 * SKIP_QUIESCE; a watcher's failure fails the call unless
 * IGNORE_QUIESCE_ERROR), writes held back and those in flight finished,
 * a snapshot id from the monitors, the snapshot record, the object map's
 * copy (fast-diff: HEAD's entries become "clean"), then writes resume
 * with the new snap context (they do not show in the snapshot), and an
 * Unquiesce notify.  CEPHC_EEXIST for a taken name, CEPHC_EDQUOT at the
 * snapshot limit.
 */
CEPHC_EXPORT int cephc_rbd_snap_create(cephc_rbd_image *img, const char *name,
				       unsigned flags);
/*
 * Remove snapshot name (or snap_id, in any namespace): CEPHC_EBUSY when
 * protected.  Clone v2 children keep it in the trash namespace (`rbd snap
 * ls --all`) and the call returns 0; it goes with its last child.
 * Otherwise the object map is merged into the next one, the snapshot id
 * goes back to the pool and the record is removed.
 */
CEPHC_EXPORT int cephc_rbd_snap_remove(cephc_rbd_image *img, const char *name);
CEPHC_EXPORT int cephc_rbd_snap_remove_by_id(cephc_rbd_image *img,
					     uint64_t snap_id);
/*
 * Roll HEAD back to snapshot name: the image takes the snapshot's size,
 * the object map the snapshot's map, and each object the map says may
 * exist its content then (one ROLLBACK op each).  progress(arg, done,
 * total) runs in the calling thread after each batch of objects (may be
 * NULL).  Writes are held back meanwhile.
 */
CEPHC_EXPORT int cephc_rbd_snap_rollback(cephc_rbd_image *img, const char *name,
					 cephc_rbd_progress_fn progress,
					 void *arg);
/* Rename snapshot src to dst (CEPHC_EEXIST when dst is taken). */
CEPHC_EXPORT int cephc_rbd_snap_rename(cephc_rbd_image *img, const char *src,
				       const char *dst);
/*
 * Protect a snapshot (clone v1 needs it): CEPHC_EBUSY when it already is,
 * CEPHC_ENOSYS without the layering feature.  Unprotect: CEPHC_EINVAL
 * when it is not protected, CEPHC_EBUSY while clones of it exist (v1 ones
 * in any pool's rbd_children, v2 ones on the header).
 */
CEPHC_EXPORT int cephc_rbd_snap_protect(cephc_rbd_image *img, const char *name);
CEPHC_EXPORT int cephc_rbd_snap_unprotect(cephc_rbd_image *img,
					  const char *name);
/*
 * The most snapshots the image may have (`rbd snap limit set`); creating
 * one more fails with CEPHC_EDQUOT.  UINT64_MAX: no limit (`rbd snap
 * limit clear`); get reports UINT64_MAX when none is set.
 */
CEPHC_EXPORT int cephc_rbd_snap_set_limit(
    cephc_rbd_image *img,
    uint64_t limit); /* UINT64_MAX: no limit (rbd snap limit clear) */
CEPHC_EXPORT int cephc_rbd_snap_get_limit(cephc_rbd_image *img,
					  uint64_t *limit);
/* ---- Clones ---- */

/*
 * `rbd clone PARENT@SNAP CHILD`, as librbd's image/CloneRequest: the
 * child is created with the parent snapshot's size and (unless create
 * says otherwise) the parent's features, order and striping, then linked
 * both ways.  clone_format 0 follows the conf option
 * rbd_default_clone_format ("auto": 2 when the cluster's
 * require_min_compat_client is mimic or later, else 1).  Format 1 needs
 * a protected snapshot (CEPHC_EINVAL otherwise), keeps the child in the
 * child pool's rbd_children and cannot cross namespaces (CEPHC_EXDEV);
 * format 2 attaches the child to the parent snapshot's header record.
 * A failed clone removes the half-made child.  Errors also: CEPHC_ENOENT
 * (parent, snapshot, pool or namespace), CEPHC_EEXIST (child name),
 * CEPHC_ENOSYS (a parent or child without layering).  The reason is in
 * cephc_rbd_last_error().  NULL p_nspace / c_nspace: default namespace.
 */
struct cephc_rbd_clone_opts { /* NULL: all defaults */
	int clone_format;     /* 0: rbd_default_clone_format; 1 or 2 */
	/* NULL: parent's features/layout; size ignored.  features 0: the
	 * parent's; order/stripe 0: the parent's. */
	const struct cephc_rbd_create_opts *create;
};
CEPHC_EXPORT int cephc_rbd_clone(cephc_cluster *c, const char *p_pool,
				 const char *p_nspace, const char *p_name,
				 const char *p_snap, const char *c_pool,
				 const char *c_nspace, const char *c_name,
				 const struct cephc_rbd_clone_opts *o);

struct cephc_rbd_child {
	int64_t pool_id;
	char pool_name[256];
	char pool_namespace[1025];
	char image_id[65];
	char image_name[1025]; /* the trash entry's name when trash */
	bool trash;            /* the child is in the trash */
};
/*
 * Children of the snapshot the handle is opened at (`rbd children`):
 * clone v2 children from the snapshot's record, clone v1 children from
 * rbd_children of every pool, sorted by pool, namespace, name as rbd
 * prints them.  *children is one allocation: free it with
 * cephc_buffer_free().  CEPHC_EINVAL on a handle opened at HEAD.
 */
CEPHC_EXPORT int cephc_rbd_list_children(cephc_rbd_image *img,
					 struct cephc_rbd_child **children,
					 uint32_t *count);
/*
 * `rbd flatten`, as librbd's operation/FlattenRequest: as the exclusive
 * lock's owner (a live librbd owner is asked to hand it over), copy up
 * every object under the parent overlap that the object map does not
 * say exists (every absent one without a map),
 * rbd_concurrent_management_ops (default 10) at a time, then detach
 * from the parent (with deep-flatten, or without snapshots: the parent
 * snapshot forgets the child too), remove the parent snapshot when it
 * sat in the trash for this last child, and notify the header's
 * watchers.  The handle then has no parent.  progress(arg, done, total)
 * may be NULL.  CEPHC_EINVAL when the image has no parent, CEPHC_EROFS
 * for a read-only handle or a snapshot.  Blocking, API threads.
 */
CEPHC_EXPORT int cephc_rbd_flatten(cephc_rbd_image *img,
				   cephc_rbd_progress_fn progress, void *arg);
/* ---- Compare and write ---- */

/*
 * librbd's rbd_compare_and_write: compare len bytes of the image at off
 * with cmp and, only if all are equal, write buf there, atomically (one
 * OSD request: CMPEXT then WRITE, or WRITEFULL for a whole object).  The
 * range must lie inside one object (CEPHC_EINVAL otherwise, as librbd)
 * and inside the image (CEPHC_EINVAL).  Bytes never written, and a
 * missing object, compare as zeros; on a clone, an object still in the
 * parent is copied up first and compared with the parent's bytes.
 * Returns 0 when cmp matched and buf was written, CEPHC_EILSEQ on a
 * mismatch (nothing written) with *mismatch_off = the image offset of
 * the first differing byte (librbd 16.2.15 reports the object's start
 * plus the index instead, a bug), CEPHC_EROFS on a read-only handle.
 * mismatch_off may be NULL; it is written before the completion fires.
 * cmp and buf must stay unchanged until the request completes.  Goes
 * through the exclusive lock and the object map like a write.
 */
CEPHC_EXPORT int cephc_rbd_compare_and_write(cephc_rbd_image *img, uint64_t off,
					     size_t len, const void *cmp,
					     const void *buf,
					     uint64_t *mismatch_off);
CEPHC_EXPORT int cephc_rbd_aio_compare_and_write(
    cephc_rbd_image *img, uint64_t off, size_t len, const void *cmp,
    const void *buf, uint64_t *mismatch_off, cephc_rbd_completion *comp);

#ifdef __cplusplus
}
#endif

#endif /* CEPHC_RBD_H */
