/* SPDX-License-Identifier: MIT */
/*
 * What changed in a data object between two snapshots, and in an image
 * between two object maps: the pure half of diff_iterate (layer 0, no
 * I/O).  image_diff.c runs the LIST_SNAPS and object_map_load calls and
 * feeds the replies in.
 *
 * Object level (librbd's list-snaps path, as Ceph 16.2.15 computes it):
 * the OSD's snap set lists the object's clones, each with the snapshots
 * it stands for, its size and the byte ranges it shares with the next
 * clone (or HEAD).  A diff between snapshots start and end is the union
 * of the bytes not shared along the way (sizes, not contents: a sparse
 * object reports [0, size) from creation).
 *
 * Image level (fast-diff): the object maps of the start snapshot, of
 * every snapshot in between and of the end are folded into one state
 * per object (enum rbd_diff_state).
 */
#ifndef CEPHC_RBD_SNAP_DIFF_H
#define CEPHC_RBD_SNAP_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- interval sets ------------------------------------------------------ */

/* Sorted, disjoint, non-adjacent [off, off + len) ranges. */
struct rbd_ext {
	uint64_t off, len;
};
struct rbd_ivset {
	struct rbd_ext *v;
	uint32_t n, cap;
};
/* More ranges than this in one set is a malformed peer answer. */
#define RBD_IVSET_MAX 65536u

void rbd_ivset_init(struct rbd_ivset *s);
void rbd_ivset_free(struct rbd_ivset *s);
static inline void rbd_ivset_reset(struct rbd_ivset *s)
{
	s->n = 0;
}
/* Add [off, off + len) (merging); CEPHC_ENOMEM / CEPHC_ETOOBIG. */
int rbd_ivset_insert(struct rbd_ivset *s, uint64_t off, uint64_t len);
/* Remove [off, off + len). */
int rbd_ivset_erase(struct rbd_ivset *s, uint64_t off, uint64_t len);
int rbd_ivset_union(struct rbd_ivset *s, const struct rbd_ivset *o);
int rbd_ivset_copy(struct rbd_ivset *dst, const struct rbd_ivset *src);

/* ---- LIST_SNAPS reply (obj_list_snap_response_t) ---------------------- */

struct rbd_snapset_clone {
	uint64_t cloneid;     /* CEPHC_RBD_NOSNAP: HEAD */
	uint64_t first, last; /* snapshots it stands for (when nsnaps) */
	uint32_t nsnaps;
	uint64_t size;
	uint32_t noverlap;
	struct rbd_ext *overlap; /* shared with the next clone */
};
struct rbd_snapset {
	uint32_t n;
	struct rbd_snapset_clone *clones;
	uint64_t seq;
};
/*
 * envelope(2,1) { le32 n, n x clone_info envelope(1,1) { le64 cloneid,
 * le32 k, k x le64 snaps, le32 m, m x (le64 off, le64 len), le64 size },
 * le64 seq (v2) }.  Counts bounded (CEPHC_RBD_SNAPSET_CLONES_MAX,
 * RBD_IVSET_MAX) before allocating.  Free with rbd_snapset_free().
 */
int rbd_snapset_decode(const void *buf, size_t len, struct rbd_snapset *out);
void rbd_snapset_free(struct rbd_snapset *ss);

/*
 * Ceph's calc_snap_set_diff: the byte ranges of the object that differ
 * between snapshot start (0: creation) and end (CEPHC_RBD_NOSNAP: HEAD),
 * its size at end and whether it exists there.  *whole_object is set
 * (and diff left empty) for a clone listing no snapshot: the caller
 * must treat the whole object as changed.
 */
int rbd_snapset_diff(const struct rbd_snapset *ss, uint64_t start, uint64_t end,
		     struct rbd_ivset *diff, uint64_t *end_size,
		     bool *end_exists, bool *whole_object);

/*
 * One object's delta between from (0: creation) and end as librbd's
 * ObjectListSnapsRequest reports it to diff_iterate: data holds the
 * ranges that carry data at end, zero those that became zeros (a
 * truncate, or the object went away).  ss NULL: the object does not
 * exist (nothing to report).  whole: LIST_SNAPS_FLAG_WHOLE_OBJECT (any
 * change widens to [0, object_size)).  Both sets are object offsets not
 * yet clipped to the requested extents; clip data and zero to them.
 */
int rbd_object_delta(const struct rbd_snapset *ss, uint64_t from, uint64_t end,
		     uint64_t object_size, bool whole, struct rbd_ivset *data,
		     struct rbd_ivset *zero);

/* ---- fast-diff fold (librbd object_map::DiffRequest, diff-iterate) ---- */

enum rbd_diff_state {
	RBD_DIFF_HOLE = 0,         /* no data at either end */
	RBD_DIFF_DATA = 1,         /* data, unchanged */
	RBD_DIFF_HOLE_UPDATED = 2, /* data went away: report zeros */
	RBD_DIFF_DATA_UPDATED = 3, /* data written: report data */
};

/*
 * Fold one object map (states per object, count entries, already cut to
 * the object count of that version's size) into diff (*ndiff entries so
 * far, room for count): first: this is the start snapshot's map (from >
 * 0); last: the end version's map.  *ndiff becomes count.
 */
void rbd_diff_fold(uint8_t *diff, uint64_t *ndiff, const uint8_t *states,
		   uint64_t count, bool first, bool last);

#endif /* CEPHC_RBD_SNAP_DIFF_H */
