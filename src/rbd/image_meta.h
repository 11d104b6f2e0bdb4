/* SPDX-License-Identifier: MIT */
/*
 * What opening a format 2 RBD image needs to know, filled from cls rbd
 * replies (sans-IO: the caller runs the CALLs and feeds the outputs in).
 *
 * A typical open (kernel rbd_dev_image_probe / librbd RefreshRequest):
 *   rbd_id.<name>      get_id                          -> GET_ID
 *   rbd_header.<id>    get_object_prefix               -> OBJECT_PREFIX
 *                      get_features(NOSNAP, read_only) -> FEATURES
 *                      get_size(NOSNAP)                -> SIZE
 *                      get_snapcontext                 -> SNAPCONTEXT
 *                      get_flags(NOSNAP)               -> FLAGS
 *                      get_stripe_unit_count  (if STRIPINGV2)
 *                      get_data_pool          (if DATA_POOL)
 *                      parent_get + parent_overlap_get(NOSNAP)
 *                      snapshot_get(id) for each id of the snap context
 *                      get_{create,access,modify}_timestamp, op_features_get
 * then cephc_rbd_meta_finish().  Each apply replaces what an earlier reply
 * of the same kind set, so a refresh is the same sequence again.
 */
#ifndef CEPHC_RBD_IMAGE_META_H
#define CEPHC_RBD_IMAGE_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rbd/cls_rbd.h"
#include "rbd/rbd_features.h"

/*
 * The replies image metadata is built from: X(ENUM, "cls method").  The
 * three timestamps share a wire form but fill different fields.
 */
#define CEPHC_RBD_REPLY_TABLE(X)                                               \
	X(GET_ID, "get_id")                                                    \
	X(OBJECT_PREFIX, "get_object_prefix")                                  \
	X(FEATURES, "get_features")                                            \
	X(SIZE, "get_size")                                                    \
	X(SNAPCONTEXT, "get_snapcontext")                                      \
	X(SNAPSHOT, "snapshot_get")                                            \
	X(FLAGS, "get_flags")                                                  \
	X(STRIPE, "get_stripe_unit_count")                                     \
	X(DATA_POOL, "get_data_pool")                                          \
	X(PARENT, "parent_get")                                                \
	X(PARENT_OVERLAP, "parent_overlap_get")                                \
	X(LEGACY_PARENT, "get_parent")                                         \
	X(CREATE_TIMESTAMP, "get_create_timestamp")                            \
	X(ACCESS_TIMESTAMP, "get_access_timestamp")                            \
	X(MODIFY_TIMESTAMP, "get_modify_timestamp")                            \
	X(OP_FEATURES, "op_features_get")

enum cephc_rbd_reply {
#define X(e, m) CEPHC_RBD_REPLY_##e,
	CEPHC_RBD_REPLY_TABLE(X)
#undef X
	    CEPHC_RBD_REPLY_COUNT
};

/* The cls method name for a reply kind; NULL when out of range. */
const char *cephc_rbd_reply_method(enum cephc_rbd_reply r);
/*
 * Reply kind for a method name (the timestamps by their own names);
 * CEPHC_EINVAL when unknown.
 */
int cephc_rbd_reply_from_method(const char *method);

struct cephc_rbd_snap {
	uint64_t id;
	char *name; /* NULL until its snapshot_get reply is applied */
	uint64_t size;
	uint32_t ns_type; /* enum cephc_rbd_snap_ns */
	struct cephc_rbd_time timestamp;
	uint32_t child_count;
};

struct cephc_rbd_image_meta {
	char *id;
	char *object_prefix;
	uint8_t order; /* object size = 1 << order */
	uint64_t size; /* bytes, head */
	uint64_t features;
	uint64_t incompatible_features; /* as the server answered */
	bool features_read_only;        /* which open that answer was for */
	uint64_t flags;                 /* CEPHC_RBD_FLAG_* */
	uint64_t op_features;           /* CEPHC_RBD_OP_FEATURE_* */

	/* snap context: seq and ids, newest first (as writes carry it) */
	uint64_t snap_seq;
	uint32_t num_snaps;
	uint64_t *snap_ids;
	struct cephc_rbd_snap *snaps; /* parallel to snap_ids */

	uint64_t stripe_unit; /* bytes; object size when not STRIPINGV2 */
	uint64_t stripe_count;
	int64_t data_pool_id; /* CEPHC_RBD_POOL_NONE: the image's pool */

	struct cephc_rbd_parent_spec parent; /* pool_id -1: no parent */
	bool has_parent_overlap;
	uint64_t parent_overlap;

	struct cephc_rbd_time create_ts, access_ts, modify_ts;

	uint32_t have; /* bit (1 << enum cephc_rbd_reply) per reply applied */
};

void cephc_rbd_meta_init(struct cephc_rbd_image_meta *m);
/* Frees everything the meta owns and re-initialises it. */
void cephc_rbd_meta_clear(struct cephc_rbd_image_meta *m);

/*
 * Decodes one method output into m.  For FEATURES, read_only tells which
 * open the request was made for (it decides what "incompatible" means);
 * other kinds ignore it.  SNAPSHOT fills the entry with the same id in the
 * current snap context (CEPHC_ENOENT when there is none).  On error m is
 * unchanged.
 */
int cephc_rbd_meta_apply(struct cephc_rbd_image_meta *m,
			 enum cephc_rbd_reply kind, const void *buf, size_t len,
			 bool read_only);

/*
 * Checks the gathered metadata is complete and consistent and fills the
 * defaults (stripe unit/count for non-striped images, data pool -1 without
 * DATA_POOL).  Errors: CEPHC_EINVAL (a required reply is missing),
 * CEPHC_EDECODE (inconsistent values: stripe unit not dividing the object
 * size, object prefix missing, ...), CEPHC_EFEATURES (the server's
 * incompatible set holds features cephc does not implement for that kind
 * of open; see cephc_rbd_features_unsupported_for_{read,write}).
 */
int cephc_rbd_meta_finish(struct cephc_rbd_image_meta *m);

/* The snapshot called name, or NULL. */
const struct cephc_rbd_snap *
cephc_rbd_meta_snap_by_name(const struct cephc_rbd_image_meta *m,
			    const char *name);

/*
 * Object names (snprintf-style: return the length needed, always
 * NUL-terminate when cap > 0):
 *   rbd_id.<name>, rbd_header.<id>, rbd_object_map.<id>[.<snap %016llx>]
 *   (snap_id NOSNAP = head), and data objects <prefix>.<objno %016llx>.
 */
#define CEPHC_RBD_DIRECTORY "rbd_directory"
size_t cephc_rbd_id_object_name(const char *image_name, char *buf, size_t cap);
size_t cephc_rbd_header_object_name(const char *id, char *buf, size_t cap);
size_t cephc_rbd_object_map_name(const char *id, uint64_t snap_id, char *buf,
				 size_t cap);
size_t cephc_rbd_data_object_name(const char *object_prefix, uint64_t objno,
				  char *buf, size_t cap);

#endif /* CEPHC_RBD_IMAGE_META_H */
