/* SPDX-License-Identifier: MIT */
/*
 * RBD image feature bits (the le64 "features" of a format 2 header), their
 * names as `rbd info` prints them, and which of them cephc can handle.
 *
 * Bit values are part of the on-disk format (Ceph's include/rbd/features.h,
 * Pacific).  The server (cls rbd get_features) reports, besides the features,
 * an "incompatible" subset: for a read-only open the features a reader must
 * understand, for a read-write open the (larger) set a writer must implement.
 * A client refuses to open when that subset holds a bit it does not know.
 */
#ifndef CEPHC_RBD_FEATURES_H
#define CEPHC_RBD_FEATURES_H

#include <stddef.h>
#include <stdint.h>

#define CEPHC_RBD_FEATURE_LAYERING (UINT64_C(1) << 0)
#define CEPHC_RBD_FEATURE_STRIPINGV2 (UINT64_C(1) << 1)
#define CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK (UINT64_C(1) << 2)
#define CEPHC_RBD_FEATURE_OBJECT_MAP (UINT64_C(1) << 3)
#define CEPHC_RBD_FEATURE_FAST_DIFF (UINT64_C(1) << 4)
#define CEPHC_RBD_FEATURE_DEEP_FLATTEN (UINT64_C(1) << 5)
#define CEPHC_RBD_FEATURE_JOURNALING (UINT64_C(1) << 6)
#define CEPHC_RBD_FEATURE_DATA_POOL (UINT64_C(1) << 7)
#define CEPHC_RBD_FEATURE_OPERATIONS (UINT64_C(1) << 8)
#define CEPHC_RBD_FEATURE_MIGRATING (UINT64_C(1) << 9)
#define CEPHC_RBD_FEATURE_NON_PRIMARY (UINT64_C(1) << 10)
#define CEPHC_RBD_FEATURE_DIRTY_CACHE (UINT64_C(1) << 11)

/* Pacific `rbd create` default (rbd_default_features = 61). */
#define CEPHC_RBD_FEATURES_DEFAULT                                             \
	(CEPHC_RBD_FEATURE_LAYERING | CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK |       \
	 CEPHC_RBD_FEATURE_OBJECT_MAP | CEPHC_RBD_FEATURE_FAST_DIFF |          \
	 CEPHC_RBD_FEATURE_DEEP_FLATTEN)

/* Features a client must understand to read the image at all. */
#define CEPHC_RBD_FEATURES_INCOMPATIBLE                                        \
	(CEPHC_RBD_FEATURE_LAYERING | CEPHC_RBD_FEATURE_STRIPINGV2 |           \
	 CEPHC_RBD_FEATURE_DATA_POOL | CEPHC_RBD_FEATURE_DIRTY_CACHE)

/* Features a client must implement to write (Pacific: all 12 known bits). */
#define CEPHC_RBD_FEATURES_RW_INCOMPATIBLE                                     \
	(CEPHC_RBD_FEATURES_INCOMPATIBLE | CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK |  \
	 CEPHC_RBD_FEATURE_OBJECT_MAP | CEPHC_RBD_FEATURE_FAST_DIFF |          \
	 CEPHC_RBD_FEATURE_DEEP_FLATTEN | CEPHC_RBD_FEATURE_JOURNALING |       \
	 CEPHC_RBD_FEATURE_OPERATIONS | CEPHC_RBD_FEATURE_MIGRATING |          \
	 CEPHC_RBD_FEATURE_NON_PRIMARY)

#define CEPHC_RBD_FEATURES_ALL ((UINT64_C(1) << 12) - 1)

/* Features librbd keeps to itself: a create that asks for them (rbd
 * --image-feature operations, a numeric rbd_default_features) gets an
 * image without them, silently (16.2.15, live). */
#define CEPHC_RBD_FEATURES_INTERNAL                                            \
	(CEPHC_RBD_FEATURE_OPERATIONS | CEPHC_RBD_FEATURE_MIGRATING |          \
	 CEPHC_RBD_FEATURE_NON_PRIMARY | CEPHC_RBD_FEATURE_DIRTY_CACHE)

/* What `rbd feature enable` may turn on, and disable off (deep-flatten
 * can only go); anything else is "immutable" to librbd. */
#define CEPHC_RBD_FEATURES_MUTABLE                                             \
	(CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK | CEPHC_RBD_FEATURE_OBJECT_MAP |     \
	 CEPHC_RBD_FEATURE_FAST_DIFF | CEPHC_RBD_FEATURE_JOURNALING)
#define CEPHC_RBD_FEATURES_DISABLE_ONLY CEPHC_RBD_FEATURE_DEEP_FLATTEN

/* `rbd create --image-shared` clears these (features one client keeps). */
#define CEPHC_RBD_FEATURES_SINGLE_CLIENT                                       \
	(CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK | CEPHC_RBD_FEATURE_OBJECT_MAP |     \
	 CEPHC_RBD_FEATURE_FAST_DIFF | CEPHC_RBD_FEATURE_JOURNALING)

/*
 * What cephc implements today.  Reading needs the layout features only
 * (striping, separate data pool; layering = parent reads).  Writing also
 * keeps what Ceph's default features ask of a writer: the exclusive lock
 * (image_exclusive_lock.c), the object map with fast-diff states
 * (image_object_map.c), and deep-flatten's copy-up into snapshots.
 * Journaling, migration, mirroring (non-primary) and the persistent cache
 * (dirty-cache) need machinery cephc does not have: writing such an image
 * without it would break the journal or the other side's state.
 */
#define CEPHC_RBD_FEATURES_READ_SUPPORTED                                      \
	(CEPHC_RBD_FEATURE_LAYERING | CEPHC_RBD_FEATURE_STRIPINGV2 |           \
	 CEPHC_RBD_FEATURE_DATA_POOL)
#define CEPHC_RBD_FEATURES_WRITE_SUPPORTED                                     \
	(CEPHC_RBD_FEATURE_LAYERING | CEPHC_RBD_FEATURE_STRIPINGV2 |           \
	 CEPHC_RBD_FEATURE_DATA_POOL | CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK |      \
	 CEPHC_RBD_FEATURE_OBJECT_MAP | CEPHC_RBD_FEATURE_FAST_DIFF |          \
	 CEPHC_RBD_FEATURE_DEEP_FLATTEN)

/* Header flags (get_flags / set_flags). */
#define CEPHC_RBD_FLAG_OBJECT_MAP_INVALID (UINT64_C(1) << 0)
#define CEPHC_RBD_FLAG_FAST_DIFF_INVALID (UINT64_C(1) << 1)

/* op_features (op_features_get), meaningful when OPERATIONS is set. */
#define CEPHC_RBD_OP_FEATURE_CLONE_PARENT (UINT64_C(1) << 0)
#define CEPHC_RBD_OP_FEATURE_CLONE_CHILD (UINT64_C(1) << 1)
#define CEPHC_RBD_OP_FEATURE_GROUP (UINT64_C(1) << 2)
#define CEPHC_RBD_OP_FEATURE_SNAP_TRASH (UINT64_C(1) << 3)

/*
 * The features in @features that cephc cannot write (0 = all writable).
 * Unknown bits count as unsupported.
 */
static inline uint64_t
cephc_rbd_features_unsupported_for_write(uint64_t features)
{
	return features & ~CEPHC_RBD_FEATURES_WRITE_SUPPORTED;
}

/*
 * The same for an image whose op_features are known: OPERATIONS only says
 * which operations need care (clone v2 parent/child, groups, snapshot
 * trash), and none of those changes how data is written, so it does not
 * stop writes while every op feature set is one of those.
 */
#define CEPHC_RBD_OP_FEATURES_KNOWN                                            \
	(CEPHC_RBD_OP_FEATURE_CLONE_PARENT | CEPHC_RBD_OP_FEATURE_CLONE_CHILD | \
	 CEPHC_RBD_OP_FEATURE_GROUP | CEPHC_RBD_OP_FEATURE_SNAP_TRASH)
static inline uint64_t
cephc_rbd_features_unsupported_for_write_ops(uint64_t features,
					     uint64_t op_features)
{
	if (!(op_features & ~CEPHC_RBD_OP_FEATURES_KNOWN))
		features &= ~CEPHC_RBD_FEATURE_OPERATIONS;
	return cephc_rbd_features_unsupported_for_write(features);
}

/* The same for reading; pass the server's read-only incompatible set. */
static inline uint64_t
cephc_rbd_features_unsupported_for_read(uint64_t features)
{
	return features & ~CEPHC_RBD_FEATURES_READ_SUPPORTED;
}

/* "layering", "striping", ... for one bit; NULL for an unknown bit. */
const char *cephc_rbd_feature_name(uint64_t bit);

/*
 * Formats @features the way `rbd info` lists them: names in bit order joined
 * by ", " ("layering, exclusive-lock, object-map, fast-diff, deep-flatten");
 * unknown bits follow as one "0x..." item.  Always NUL-terminates (when
 * cap > 0); returns the length the full string needs (snprintf-style).
 */
size_t cephc_rbd_features_format(uint64_t features, char *buf, size_t cap);

/* Same for op_features ("clone-parent", "clone-child", ...). */
size_t cephc_rbd_op_features_format(uint64_t op_features, char *buf,
				    size_t cap);

/*
 * Parses a feature name (as `rbd create --image-feature` accepts it) into
 * its bit; 0 when unknown.
 */
uint64_t cephc_rbd_feature_from_name(const char *name);

/*
 * The value of the conf option rbd_default_features, as Ceph 16.2.15
 * reads it: "" is the built-in default (61); a number (unknown or
 * internal bits make it invalid); or a comma list of names,
 * blanks around them ignored.  0, or -1 when the value is invalid (Ceph
 * then keeps the default, after "parse error setting ...").
 */
int cephc_rbd_features_parse_conf(const char *value, uint64_t *out);

#endif /* CEPHC_RBD_FEATURES_H */
