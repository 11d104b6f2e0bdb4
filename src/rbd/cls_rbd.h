/* SPDX-License-Identifier: MIT */
/*
 * Sans-IO codecs for the OSD object class "rbd" (cls_rbd): the input each
 * method takes and the output it returns, as Pacific (16.2) librbd and the
 * kernel's rbd.c exchange them through a CALL op.
 *
 * Encoders write the method input into a caller-supplied fixed buffer
 * (struct cephc_enc); they return 0, CEPHC_EOVERFLOW when the buffer is too
 * small, or CEPHC_EINVAL / CEPHC_ENAMETOOLONG when an argument breaks a
 * limit below.  Methods whose input is empty (get_id, get_object_prefix,
 * get_snapcontext, parent_get, object_map_load, ...) have no encoder: send
 * zero bytes.
 *
 * Decoders take the CALL's output bytes and return 0 or a negative code:
 * CEPHC_EDECODE (truncated or malformed), CEPHC_ETOOBIG (a length or count
 * over the named maximum below), CEPHC_ECOMPAT (a versioned struct whose
 * compat version is newer than we understand), CEPHC_ECRC (object map crc
 * mismatch), CEPHC_ENOMEM.  Bytes after the fields we know are ignored, as
 * librbd does, so a newer OSD may append fields.  On failure outputs are
 * left zeroed/empty with nothing to free.  Strings returned are
 * NUL-terminated, allocated with cephc_malloc; free them with cephc_free()
 * or the matching *_clear() function.
 *
 * Wire primitives: integers little-endian; string = le32 len + bytes;
 * snapid = le64; utime = le32 sec + le32 nsec; optional<T> = u8 present + T;
 * map = le32 count + pairs; versioned struct = u8 v, u8 compat, le32 len.
 */
#ifndef CEPHC_RBD_CLS_RBD_H
#define CEPHC_RBD_CLS_RBD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cephc/rbd.h"
#include "core/encode.h"

#define CEPHC_RBD_CLS_NAME "rbd"

/* snapid of the image head (CEPH_NOSNAP) and "no snapshot" marker. */
#define CEPHC_RBD_NOSNAP UINT64_C(0xfffffffffffffffe)
/* pool id meaning "none" (no data pool / no parent). */
#define CEPHC_RBD_POOL_NONE INT64_C(-1)

/* ---- limits on peer-supplied (and our own) sizes ---------------------- */

/* Image names: librbd puts them in object names ("rbd_id.<name>"). */
#define CEPHC_RBD_NAME_MAX 1024
/*
 * Image ids.  librbd generates 12-14 hex digits (CEPHC_RBD_GEN_ID_LEN_MAX);
 * the kernel refuses ids longer than 64 bytes; so do we.
 */
#define CEPHC_RBD_ID_MAX 64
/* Object prefix ("rbd_data.<id>" or "rbd_data.<pool>.<id>"). */
#define CEPHC_RBD_OBJECT_PREFIX_MAX 128
/* Snapshot names and pool namespace names. */
#define CEPHC_RBD_SNAP_NAME_MAX 4096
#define CEPHC_RBD_NAMESPACE_MAX 1024
/*
 * Snapshots in one snap context.  A snap context rides in every write op;
 * librbd has no hard limit, the kernel stops at 510.  65536 ids = 512 KiB.
 */
#define CEPHC_RBD_SNAPS_MAX 65536
/* Entries in one dir_list / metadata_list reply. */
#define CEPHC_RBD_LIST_MAX 65536
/* image-meta key and value sizes (metadata_list). */
#define CEPHC_RBD_META_KEY_MAX 4096
#define CEPHC_RBD_META_VALUE_MAX (1024 * 1024)
/*
 * Object-map entries: cls_rbd refuses to resize a map beyond 256,000,000
 * objects (cls::rbd::MAX_OBJECT_MAP_OBJECT_COUNT), 64 MB of 2-bit states.
 */
#define CEPHC_RBD_OBJECT_MAP_MAX_OBJECTS UINT64_C(256000000)
/* Object order bounds librbd accepts (4 KiB .. 32 MiB objects). */
#define CEPHC_RBD_MIN_ORDER 12
#define CEPHC_RBD_MAX_ORDER 25

/*
 * Largest input any encoder below writes for arguments within the limits
 * (dir_rename_image: three strings); a buffer this size always suffices.
 */
#define CEPHC_RBD_ENC_MAX (3 * (4 + CEPHC_RBD_NAME_MAX) + 64)

/* utime_t as carried by rbd: seconds and nanoseconds. */
struct cephc_rbd_time {
	uint32_t sec;
	uint32_t nsec;
};

/* Snapshot namespace types (cls::rbd::SnapshotNamespaceType). */
enum cephc_rbd_snap_ns {
	CEPHC_RBD_SNAP_NS_USER = 0,
	CEPHC_RBD_SNAP_NS_GROUP = 1,
	CEPHC_RBD_SNAP_NS_TRASH = 2,
	CEPHC_RBD_SNAP_NS_MIRROR = 3,
};

/* cls::rbd::SnapshotInfo (snapshot_get, Octopus+). */
struct cephc_rbd_snap_info {
	uint64_t id;
	uint32_t ns_type; /* enum cephc_rbd_snap_ns */
	char *name;
	uint64_t image_size;
	struct cephc_rbd_time timestamp;
	uint32_t child_count;
	/* TRASH namespace: the name and namespace type before removal */
	char *trash_original_name; /* NULL for other namespaces */
	uint32_t trash_original_ns;
};

/* cls::rbd::ParentImageSpec; pool_id == -1 means "no parent". */
struct cephc_rbd_parent_spec {
	int64_t pool_id;
	char *pool_namespace; /* "" for the default namespace */
	char *image_id;
	uint64_t snap_id;
};

/* One name -> id pair of dir_list, or key -> value of metadata_list. */
struct cephc_rbd_kv {
	char *key;
	char *value;        /* NUL-terminated copy */
	uint32_t value_len; /* metadata values may hold NULs */
};

struct cephc_rbd_kv_list {
	uint32_t count;
	struct cephc_rbd_kv *items;
};

/* Object-map entry states (2 bits each). */
enum cephc_rbd_object_state {
	CEPHC_RBD_OBJECT_NONEXISTENT = 0,
	CEPHC_RBD_OBJECT_EXISTS = 1,
	CEPHC_RBD_OBJECT_PENDING = 2,
	CEPHC_RBD_OBJECT_EXISTS_CLEAN = 3,
};

/*
 * A decoded BitVector<2> (object_map_load): 4 entries per byte, entry 0 in
 * the two most significant bits of byte 0.
 */
struct cephc_rbd_object_map {
	uint64_t count; /* entries */
	uint8_t *data;  /* ceil(count / 4) bytes, owned */
	size_t data_len;
	bool had_crcs; /* footer carried crcs (and they matched) */
};

/* ---- rbd_id.<name> ---------------------------------------------------- */

/* get_id: no input -> string id. */
int cephc_rbd_dec_get_id(const void *buf, size_t len, char **id);
/* set_id: string id.  The object must exist (ENOENT) and hold no id yet
 * (EEXIST): librbd sends CREATE(exclusive) + set_id in one op. */
int cephc_rbd_enc_set_id(struct cephc_enc *e, const char *id);

/* ---- rbd_directory ---------------------------------------------------- */

/*
 * dir_add_image / dir_remove_image: string name, string id.  Adding creates
 * the directory object if needed; a taken name gives EEXIST, an id already
 * listed under another name EBADF.  Removing with a wrong id fails.
 */
int cephc_rbd_enc_dir_add_image(struct cephc_enc *e, const char *name,
				const char *id);
int cephc_rbd_enc_dir_remove_image(struct cephc_enc *e, const char *name,
				   const char *id);
/* dir_get_id: string name -> string id. */
int cephc_rbd_enc_dir_get_id(struct cephc_enc *e, const char *name);
int cephc_rbd_dec_dir_get_id(const void *buf, size_t len, char **id);
/* dir_get_name: string id -> string name. */
int cephc_rbd_enc_dir_get_name(struct cephc_enc *e, const char *id);
int cephc_rbd_dec_dir_get_name(const void *buf, size_t len, char **name);
/*
 * dir_list: string start_after, le64 max_return -> map<string name,
 * string id>, sorted by name.  Page with start_after = last name returned.
 */
int cephc_rbd_enc_dir_list(struct cephc_enc *e, const char *start_after,
			   uint64_t max_return);
int cephc_rbd_dec_dir_list(const void *buf, size_t len,
			   struct cephc_rbd_kv_list *out);
/* dir_rename_image: string src, string dest, string id. */
int cephc_rbd_enc_dir_rename_image(struct cephc_enc *e, const char *src,
				   const char *dest, const char *id);
/* get_all_features: no input -> le64 features this OSD's cls supports. */
int cephc_rbd_dec_get_all_features(const void *buf, size_t len,
				   uint64_t *features);

/* ---- rbd_header.<id> -------------------------------------------------- */

/*
 * create: le64 size, u8 order, le64 features, string object_prefix,
 * s64 data_pool_id (-1 = none).  Answers seen from 16.2.15: EEXIST when
 * the header already holds an image, ENOSYS for feature bits the OSD does
 * not know, EINVAL unless DATA_POOL is set exactly when data_pool_id >= 0.
 */
int cephc_rbd_enc_create(struct cephc_enc *e, uint64_t size, uint8_t order,
			 uint64_t features, const char *object_prefix,
			 int64_t data_pool_id);
/* get_size: le64 snap_id -> u8 order, le64 size. */
int cephc_rbd_enc_get_size(struct cephc_enc *e, uint64_t snap_id);
int cephc_rbd_dec_get_size(const void *buf, size_t len, uint8_t *order,
			   uint64_t *size);
/* set_size: le64 size. */
int cephc_rbd_enc_set_size(struct cephc_enc *e, uint64_t size);
/*
 * get_features: le64 snap_id (librbd always sends NOSNAP), u8 read_only ->
 * le64 features, le64 incompatible (the features a client opening the image
 * that way must implement: features & CEPHC_RBD_FEATURES_INCOMPATIBLE when
 * read_only, features & CEPHC_RBD_FEATURES_RW_INCOMPATIBLE otherwise).
 * 16.2.15 ignores snap_id here (an unknown id still answers).
 */
int cephc_rbd_enc_get_features(struct cephc_enc *e, uint64_t snap_id,
			       bool read_only);
int cephc_rbd_dec_get_features(const void *buf, size_t len, uint64_t *features,
			       uint64_t *incompatible);
/* set_features: le64 features, le64 mask (only mutable features). */
int cephc_rbd_enc_set_features(struct cephc_enc *e, uint64_t features,
			       uint64_t mask);
/* get_object_prefix: no input -> string. */
int cephc_rbd_dec_get_object_prefix(const void *buf, size_t len, char **prefix);
/*
 * get_snapcontext: no input -> le64 seq, le32 n, n x le64 snap ids.
 * Checked like librbd's SnapContext::is_valid(): ids strictly descending,
 * none above seq (else EDECODE).  *snaps is allocated (NULL when n == 0).
 */
int cephc_rbd_dec_get_snapcontext(const void *buf, size_t len, uint64_t *seq,
				  uint64_t **snaps, uint32_t *num_snaps);
/* get_snapshot_name: le64 snap_id -> string. */
int cephc_rbd_enc_snap_id(struct cephc_enc *e, uint64_t snap_id);
int cephc_rbd_dec_get_snapshot_name(const void *buf, size_t len, char **name);
/* get_snapshot_timestamp: le64 snap_id -> utime. */
int cephc_rbd_dec_get_snapshot_timestamp(const void *buf, size_t len,
					 struct cephc_rbd_time *ts);
/*
 * snapshot_get: le64 snap_id -> SnapshotInfo versioned(1,1) { le64 id,
 * SnapshotNamespace versioned(1,1) { le32 type, type-specific fields },
 * string name, le64 image_size, utime timestamp, le32 child_count }.
 */
int cephc_rbd_dec_snapshot_get(const void *buf, size_t len,
			       struct cephc_rbd_snap_info *out);
void cephc_rbd_snap_info_clear(struct cephc_rbd_snap_info *s);
/*
 * get_protection_status: le64 snap_id -> u8 (0 unprotected, 1
 * unprotecting, 2 protected); *is_protected only for 2.
 */
int cephc_rbd_dec_get_protection_status(const void *buf, size_t len,
					bool *is_protected);
/*
 * snapshot_add: string name, le64 snap_id, SnapshotNamespace (user
 * namespace: versioned(1,1) { le32 0 }).  Note the name comes first.  The
 * id must exceed the header's snap seq (else ESTALE); a taken name gives
 * EEXIST.
 */
int cephc_rbd_enc_snapshot_add(struct cephc_enc *e, uint64_t snap_id,
			       const char *name);
/* snapshot_remove: le64 snap_id (use cephc_rbd_enc_snap_id). */

/*
 * get_stripe_unit_count: no input -> le64 unit, le64 count.  Both stripe
 * methods fail with ENOEXEC on an image without STRIPINGV2.
 */
int cephc_rbd_dec_get_stripe_unit_count(const void *buf, size_t len,
					uint64_t *unit, uint64_t *count);
/* set_stripe_unit_count: le64 unit, le64 count. */
int cephc_rbd_enc_set_stripe_unit_count(struct cephc_enc *e, uint64_t unit,
					uint64_t count);
/* get_data_pool: no input -> s64 pool id (-1 = none). */
int cephc_rbd_dec_get_data_pool(const void *buf, size_t len, int64_t *pool_id);
/* get_flags: le64 snap_id -> le64 flags. */
int cephc_rbd_enc_get_flags(struct cephc_enc *e, uint64_t snap_id);
int cephc_rbd_dec_get_flags(const void *buf, size_t len, uint64_t *flags);
/* set_flags: le64 flags, le64 mask, le64 snap_id (snap id LAST). */
int cephc_rbd_enc_set_flags(struct cephc_enc *e, uint64_t snap_id,
			    uint64_t flags, uint64_t mask);
/* get_{create,access,modify}_timestamp: no input -> utime. */
int cephc_rbd_dec_timestamp(const void *buf, size_t len,
			    struct cephc_rbd_time *ts);
/* op_features_get: no input -> le64 op_features. */
int cephc_rbd_dec_op_features_get(const void *buf, size_t len,
				  uint64_t *op_features);
/*
 * parent_get: no input -> ParentImageSpec versioned(1,1) { s64 pool_id,
 * string pool_namespace, string image_id, le64 snap_id }.
 */
int cephc_rbd_dec_parent_get(const void *buf, size_t len,
			     struct cephc_rbd_parent_spec *out);
void cephc_rbd_parent_spec_clear(struct cephc_rbd_parent_spec *p);
/* parent_overlap_get: le64 snap_id -> optional<le64> overlap. */
int cephc_rbd_dec_parent_overlap_get(const void *buf, size_t len,
				     bool *has_overlap, uint64_t *overlap);
/*
 * get_parent (pre-Nautilus form): le64 snap_id -> s64 pool, string image_id,
 * le64 snap_id, le64 overlap.  pool_namespace comes back "".
 */
int cephc_rbd_dec_get_parent(const void *buf, size_t len,
			     struct cephc_rbd_parent_spec *out,
			     uint64_t *overlap);
/*
 * metadata_list: string start_after, le64 max_return -> map<string key,
 * bufferlist value> (image-meta "conf_*" overrides and user keys).
 */
int cephc_rbd_enc_metadata_list(struct cephc_enc *e, const char *start_after,
				uint64_t max_return);
int cephc_rbd_dec_metadata_list(const void *buf, size_t len,
				struct cephc_rbd_kv_list *out);
void cephc_rbd_kv_list_clear(struct cephc_rbd_kv_list *l);

/* ---- rbd_object_map.<id>[.<snapid>] ---------------------------------- */

/*
 * object_map_load: no input -> BitVector<2> (also the stored form of the
 * rbd_object_map objects, readable with a plain READ):
 *   le32 header_len, header = versioned(1,1) { le64 count };
 *   ceil(count / 4) data bytes;
 *   le32 footer_len, footer = [ le32 header_crc, le32 n, n x le32 crc ]
 *   (empty when crcs are disabled).
 * header_crc = crc32c(0, header bytes); one data crc per 4096-byte block,
 * crc32c(0, block).  Mismatch -> CEPHC_ECRC.  16.2.15's object_map_load
 * answers with an empty footer; the stored object carries the crcs.
 */
int cephc_rbd_dec_object_map_load(const void *buf, size_t len,
				  struct cephc_rbd_object_map *out);
void cephc_rbd_object_map_clear(struct cephc_rbd_object_map *m);
/* State of entry objno; CEPHC_RBD_OBJECT_NONEXISTENT past the end. */
uint8_t cephc_rbd_object_map_get(const struct cephc_rbd_object_map *m,
				 uint64_t objno);
/*
 * object_map_update: le64 start, le64 end (exclusive), u8 new_state,
 * optional<u8> current_state (have_current = false: none).
 */
int cephc_rbd_enc_object_map_update(struct cephc_enc *e, uint64_t start,
				    uint64_t end, uint8_t new_state,
				    bool have_current, uint8_t current_state);
/* object_map_resize: le64 object_count, u8 default_state. */
int cephc_rbd_enc_object_map_resize(struct cephc_enc *e, uint64_t object_count,
				    uint8_t default_state);

/*
 * object_map_save: the BitVector<2> as stored, with its footer: header
 * crc over the 14 header bytes and one crc32c (seed 0) per 4096 data
 * bytes; the cls method rewrites the object whole.  Length of the
 * encoding of a count-entry map, then the encoder (CEPHC_EOVERFLOW when
 * e is too small; CEPHC_EINVAL over CEPHC_RBD_OBJECT_MAP_MAX_OBJECTS).
 */
size_t cephc_rbd_object_map_encoded_len(uint64_t count);
int cephc_rbd_enc_object_map(struct cephc_enc *e,
			     const struct cephc_rbd_object_map *m);

/* ---- in-memory object map (pure; what librbd and cls_rbd decide) ------ */

/* No filter for cephc_rbd_object_map_apply(). */
#define CEPHC_RBD_OBJECT_NO_FILTER (-1)
/* An empty map of count entries (all NONEXISTENT). */
int cephc_rbd_object_map_alloc(struct cephc_rbd_object_map *m, uint64_t count);
/* Set entry objno (must be < count). */
void cephc_rbd_object_map_set(struct cephc_rbd_object_map *m, uint64_t objno,
			      uint8_t state);
/*
 * Grow (new entries default_state) or shrink to count, as
 * object_map_resize does; CEPHC_ENOMEM leaves m as it was.
 */
int cephc_rbd_object_map_resize(struct cephc_rbd_object_map *m, uint64_t count,
				uint8_t default_state);
/*
 * Does a current state match an update's filter?  cls_rbd's rule: no
 * filter, the same state, or filter EXISTS over EXISTS_CLEAN.
 */
bool cephc_rbd_object_map_filter_match(uint8_t current, int filter);
/*
 * librbd's update_required(): false when the update would change nothing
 * worth a round trip: same state; PENDING over NONEXISTENT; NONEXISTENT
 * over anything but PENDING.
 */
bool cephc_rbd_object_map_update_required(uint8_t current, uint8_t new_state);
/*
 * object_map_update on m, as the OSD applies it to the stored map:
 * entries of [start, end) matching filter take new_state.  CEPHC_ERANGE
 * when start >= end or end > count (the cls answer); the number of
 * entries changed otherwise.
 */
int64_t cephc_rbd_object_map_apply(struct cephc_rbd_object_map *m,
				   uint64_t start, uint64_t end,
				   uint8_t new_state, int filter);
/*
 * object-map check's verdict on a mismatch between the stored state and
 * the one the data objects call for: a map that says "exists" for an
 * absent (or pending) object is only inconsistent; every other
 * difference is an error that invalidates the map.
 */
bool cephc_rbd_object_map_mismatch_invalidates(uint8_t stored,
					       uint8_t expected);

/*
 * The state an object-map entry of snap_id (CEPHC_RBD_NOSNAP: HEAD)
 * should hold, from the object's LIST_SNAPS reply (buf, len; len 0 with
 * absent = true for an object that does not exist), as object-map check
 * and rebuild compute it: the clone that covers snap_id (HEAD covers
 * from the first image snapshot after the object's snap seq) makes the
 * object exist; with fast_diff it is EXISTS_CLEAN unless that clone
 * starts at snap_id itself.  image_snaps: the image's snapshot ids,
 * ascending.  obj_list_snap_response_t = envelope(2,1) { le32 n, n x
 * clone_info envelope(1,1) { le64 cloneid, le32 k, k x le64 snaps,
 * le32 m, m x (le64 off, le64 len) overlap, le64 size }, le64 seq (v2) }.
 */
#define CEPHC_RBD_SNAPSET_CLONES_MAX 65536
int cephc_rbd_object_state_from_snaps(const void *buf, size_t len,
				      uint64_t snap_id,
				      const uint64_t *image_snaps,
				      uint32_t num_image_snaps, bool fast_diff,
				      uint8_t *state);

/*
 * image_group_get (header): no input -> GroupSpec versioned(1,1) { s64
 * pool_id, string group_id } (pool first on the wire, seen on 16.2.15);
 * pool_id -1 (and id "") when in no group.
 */
int cephc_rbd_dec_image_group_get(const void *buf, size_t len,
				  int64_t *group_pool_id);

/* ---- pool-level objects: rbd_namespace, rbd_directory state, rbd_trash -- */

/*
 * Namespaces live in one registry object of the pool's default namespace,
 * "rbd_namespace"; an image namespace is usable once its own rbd_directory
 * (inside the namespace) has state READY.  librbd asserts that state
 * before every image operation in a namespace, which is how `rbd` tells
 * "no such namespace" (ENOENT) from an empty one.
 */
#define CEPHC_RBD_NAMESPACE_OBJECT "rbd_namespace"
#define CEPHC_RBD_TRASH "rbd_trash"
/* Clone v1 children of a pool's images (default namespace only). */
#define CEPHC_RBD_CHILDREN "rbd_children"

/* A list of strings (namespace_list, v1 directory). */
struct cephc_rbd_str_list {
	uint32_t count;
	char **items;
};
void cephc_rbd_str_list_clear(struct cephc_rbd_str_list *l);

/* namespace_add / namespace_remove: string name (EEXIST / ENOENT). */
int cephc_rbd_enc_namespace_name(struct cephc_enc *e, const char *name);
/*
 * namespace_list: string start_after, le64 max_return -> list<string>,
 * sorted; page with start_after = last name returned.
 */
int cephc_rbd_enc_namespace_list(struct cephc_enc *e, const char *start_after,
				 uint64_t max_return);
int cephc_rbd_dec_namespace_list(const void *buf, size_t len,
				 struct cephc_rbd_str_list *out);

/* cls::rbd::DirectoryState */
enum cephc_rbd_dir_state {
	CEPHC_RBD_DIR_STATE_READY = 0,
	CEPHC_RBD_DIR_STATE_ADD_DISABLED = 1,
};
/*
 * dir_state_set / dir_state_assert: u8 state.  Setting creates the
 * directory; setting ADD_DISABLED on a directory holding images gives
 * EBUSY; asserting gives ENOENT without a directory, EIO on a mismatch.
 */
int cephc_rbd_enc_dir_state(struct cephc_enc *e, uint8_t state);

/*
 * Format 1 images are listed in the *data* of rbd_directory (its omap holds
 * the format 2 entries), as a tmap: bufferlist header, then
 * map<string name, bufferlist>.  A zero-length object means none.
 */
int cephc_rbd_dec_v1_directory(const void *buf, size_t len,
			       struct cephc_rbd_str_list *out);

/* TrashImageSource / TrashImageState: enums of cephc/rbd.h, carried as u8. */

/*
 * TrashImageSpec versioned(2,1) { u8 source, string name, utime
 * deletion_time, utime deferment_end_time, (v2) u8 state }.
 */
struct cephc_rbd_trash_spec {
	uint8_t source; /* enum cephc_rbd_trash_source */
	char *name;     /* owned when decoded; borrowed when encoding */
	struct cephc_rbd_time deletion_time;
	struct cephc_rbd_time deferment_end_time;
	uint8_t state; /* enum cephc_rbd_trash_state */
};
struct cephc_rbd_trash_entry {
	char *id;
	struct cephc_rbd_trash_spec spec;
};
struct cephc_rbd_trash_list {
	uint32_t count;
	struct cephc_rbd_trash_entry *items; /* sorted by id */
};
void cephc_rbd_trash_spec_clear(struct cephc_rbd_trash_spec *s);
void cephc_rbd_trash_list_clear(struct cephc_rbd_trash_list *l);

/*
 * Unlinking a removed clone from its parent.  Clone v2 (the child has op
 * feature clone-child): child_detach on the parent's header, le64 snap_id
 * + ChildImageSpec versioned(2,1) {s64 pool_id, string image_id, string
 * pool_namespace} of the child.  Clone v1: remove_child on rbd_children
 * of the child's pool, {s64 parent pool, string parent image id, le64
 * parent snap id, string child image id}.
 */
int cephc_rbd_enc_child_detach(struct cephc_enc *e, uint64_t snap_id,
			       int64_t child_pool, const char *child_nspace,
			       const char *child_id);
int cephc_rbd_enc_remove_child(struct cephc_enc *e,
			       const struct cephc_rbd_parent_spec *parent,
			       const char *child_id);

/* trash_add: string id, TrashImageSpec (EEXIST when the id is there). */
int cephc_rbd_enc_trash_add(struct cephc_enc *e, const char *id,
			    const struct cephc_rbd_trash_spec *spec);
/* trash_remove / trash_get: string id; trash_get -> TrashImageSpec. */
int cephc_rbd_enc_trash_id(struct cephc_enc *e, const char *id);
int cephc_rbd_dec_trash_get(const void *buf, size_t len,
			    struct cephc_rbd_trash_spec *out);
/*
 * trash_list: string start_after (an id), le64 max_return ->
 * map<string id, TrashImageSpec>.
 */
int cephc_rbd_enc_trash_list(struct cephc_enc *e, const char *start_after,
			     uint64_t max_return);
int cephc_rbd_dec_trash_list(const void *buf, size_t len,
			     struct cephc_rbd_trash_list *out);
/* trash_state_set: string id, u8 state, u8 expect_state (ESTALE when the
 * entry is not in expect_state). */
int cephc_rbd_enc_trash_state_set(struct cephc_enc *e, const char *id,
				  uint8_t state, uint8_t expect_state);

/* ---- clones (image/CloneRequest, AttachChild/Parent, Flatten) ---------- */

/*
 * Clone v1: the child's pool's rbd_children object (default namespace)
 * maps a parent snapshot to its children.  add_child takes the same input
 * as remove_child (EEXIST when listed); get_children takes {s64 parent
 * pool, string parent image id, le64 parent snap id} -> set<string> child
 * image ids (sorted).
 */
int cephc_rbd_enc_add_child(struct cephc_enc *e,
			    const struct cephc_rbd_parent_spec *parent,
			    const char *child_id);
/* get_children's input: cephc_rbd_enc_get_children() below. */
int cephc_rbd_dec_get_children_ids(const void *buf, size_t len,
				   struct cephc_rbd_str_list *out);

/*
 * Clone v2, on the parent's header: child_attach takes the input of
 * child_detach (it writes snap_children_<snap>, bumps the snapshot's
 * child_count, sets op feature clone-parent; EEXIST when attached, ENOENT
 * for a trash-namespace snapshot).  children_list: le64 snap_id ->
 * set<ChildImageSpec versioned(2,1) {s64 pool_id, string image_id,
 * (v2) string pool_namespace}>.
 */
struct cephc_rbd_child_spec {
	int64_t pool_id;
	char *pool_namespace;
	char *image_id;
};
struct cephc_rbd_child_list {
	uint32_t count;
	struct cephc_rbd_child_spec *items;
};
void cephc_rbd_child_list_clear(struct cephc_rbd_child_list *l);
int cephc_rbd_enc_child_attach(struct cephc_enc *e, uint64_t snap_id,
			       int64_t child_pool, const char *child_nspace,
			       const char *child_id);
/* children_list input: cephc_rbd_enc_snap_id(). */
int cephc_rbd_dec_children_specs(const void *buf, size_t len,
				 struct cephc_rbd_child_list *out);

/*
 * On the child's header.  parent_attach: ParentImageSpec versioned(1,1)
 * {s64 pool_id, string pool_namespace, string image_id, le64 snap_id},
 * le64 overlap (cls keeps min(overlap, size)), bool reattach (EEXIST
 * when a parent is set and reattach is false).  parent_detach and the
 * legacy remove_parent take no input; parent_detach drops the HEAD
 * overlap, each snapshot's parent too when the image has deep-flatten
 * (else the spec stays for them), and op feature clone-child when no
 * snapshot keeps the parent.  op_features_set: le64 op_features, le64
 * mask (unknown bits EINVAL; feature OPERATIONS follows).
 */
int cephc_rbd_enc_parent_attach(struct cephc_enc *e,
				const struct cephc_rbd_parent_spec *parent,
				uint64_t overlap, bool reattach);
int cephc_rbd_enc_op_features_set(struct cephc_enc *e, uint64_t op_features,
				  uint64_t mask);
/*
 * metadata_set: map<string key, bufferlist value>, here one pair (a
 * clone gets its parent's image-meta this way).  The encoding's length
 * first (the value may be up to CEPHC_RBD_META_VALUE_MAX).
 */
size_t cephc_rbd_metadata_set_len(const char *key, uint32_t value_len);
int cephc_rbd_enc_metadata_set(struct cephc_enc *e, const char *key,
			       const void *value, uint32_t value_len);

/* ---- image ids -------------------------------------------------------- */

#define CEPHC_RBD_GEN_ID_LEN_MAX 14
/*
 * librbd's image id shape: lowercase hex of the creating client's global
 * id immediately followed by lowercase hex of a 32-bit random number (no
 * zero padding), keeping only the last 14 characters when longer.  The
 * caller supplies the randomness (sans-IO).  buf needs 15 bytes.
 */
int cephc_rbd_generate_image_id(uint64_t global_id, uint32_t random, char *buf,
				size_t cap);

/* ---- snapshot management ---------------------------------------------- */

/* Protection states (RBD_PROTECTION_STATUS_*). */
#define CEPHC_RBD_PROTECTION_UNPROTECTED 0
#define CEPHC_RBD_PROTECTION_UNPROTECTING 1
#define CEPHC_RBD_PROTECTION_PROTECTED 2
/* snap_get_limit's answer when no limit is set; snap_set_limit removes
 * the limit when given it. */
#define CEPHC_RBD_SNAP_NO_LIMIT UINT64_MAX

/* snapshot_rename: le64 src_snap_id, string new name (EEXIST when taken). */
int cephc_rbd_enc_snapshot_rename(struct cephc_enc *e, uint64_t snap_id,
				  const char *new_name);
/* set_protection_status: le64 snap_id, u8 status (< 3). */
int cephc_rbd_enc_set_protection_status(struct cephc_enc *e, uint64_t snap_id,
					uint8_t status);
/* get_protection_status's raw u8 (CEPHC_RBD_PROTECTION_*; > 2: EDECODE). */
int cephc_rbd_dec_protection_status(const void *buf, size_t len,
				    uint8_t *status);
/* snap_set_limit: le64 limit.  snap_get_limit: -> le64 limit. */
int cephc_rbd_enc_snap_set_limit(struct cephc_enc *e, uint64_t limit);
int cephc_rbd_dec_snap_get_limit(const void *buf, size_t len, uint64_t *limit);
/* snapshot_trash_add: le64 snap_id (use cephc_rbd_enc_snap_id). */
/*
 * Clone v1 children of a parent snapshot: get_children on rbd_children of
 * a pool, input {le64 parent pool, string parent image id, le64 parent
 * snap id} -> set<string> child image ids (ENOENT: none), decoded by
 * cephc_rbd_dec_get_children_ids().  Clone v2 children: children_list
 * on the parent's header, decoded by cephc_rbd_dec_children_specs().
 */
int cephc_rbd_enc_get_children(struct cephc_enc *e,
			       const struct cephc_rbd_parent_spec *parent);

#endif /* CEPHC_RBD_CLS_RBD_H */
