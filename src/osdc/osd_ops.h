/* SPDX-License-Identifier: MIT */
/*
 * OSD op builder: one encoder per op type, sans-IO.
 *
 * A request carries up to CEPHC_OSD_MAX_OPS ops.  Each op is a 38-byte
 * ceph_osd_op on the wire (le16 op, le32 flags, 28-byte union, le32
 * payload_len) plus, in the message's data section, its input payload.  The
 * data section is the concatenation of every op's input in op order, and
 * payload_len is that op's share of it.
 *
 * Zero copy: an op's input is described, not copied.  It is a short list of
 * pieces (struct iovec) in send order: inline pieces first (class/method
 * names, xattr names, small encodings the op owns), then an optional caller
 * iovec array (write data, call input, notify payload).  Caller memory must
 * stay valid and unchanged until the request completes; iovec arrays of up to
 * CEPHC_OSD_OP_IN_INLINE entries are copied into the op, longer ones are
 * referenced.  Encodings that need building (omap key sets, notify headers)
 * live in op_owned, freed by cephc_osd_ops_release().
 *
 * Output: each op says where its reply out-data goes.  DATA ops (READ with a
 * destination) receive straight into caller buffers; every other op's
 * out-data lands in a scratch buffer (see osd_msg.h receive plan) bounded by
 * op_out_max, and is read back with the decoders below.
 */
#ifndef CEPHC_OSDC_OSD_OPS_H
#define CEPHC_OSDC_OSD_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "core/addr.h"
#include "core/decode.h"
#include "core/encode.h"

#define CEPHC_OSD_MAX_OPS 16
#define CEPHC_OSD_OP_WIRE_LEN 38 /* packed ceph_osd_op */
#define CEPHC_OSD_OP_UNION_LEN 28
#define CEPHC_OSD_OP_IN_INLINE 4 /* input pieces stored in the op */
/* Longest object, xattr, class, method, omap key or namespace name. */
#define CEPHC_OSD_NAME_MAX 4096
/* Most keys one omap op may carry (set/rm/get-by-keys). */
#define CEPHC_OSD_OMAP_KEYS_MAX 4096
/* Largest scratch out-data of one op; bigger replies are refused. */
#define CEPHC_OSD_OUT_MAX (64u << 20)
/* Scratch allowed to ops that expect no out-data (small status blobs). */
#define CEPHC_OSD_OUT_SLACK 4096
/* Default scratch cap for decoded outputs when the caller passes 0. */
#define CEPHC_OSD_OUT_DEFAULT (1u << 20)
/* Entries accepted from one decoded list (omap, xattrs, pgnls, watchers). */
#define CEPHC_OSD_LIST_MAX (1u << 20)
/* Extents accepted in one sparse-read reply. */
#define CEPHC_OSD_SPARSE_EXTENTS_MAX 65536

/* Op code = mode | type | n (src/include/rados.h). */
#define CEPHC_OSD_OP_MODE_RD 0x1000
#define CEPHC_OSD_OP_MODE_WR 0x2000
#define CEPHC_OSD_OP_MODE_MASK 0xf000
#define CEPHC_OSD_OP_TYPE_DATA 0x0200
#define CEPHC_OSD_OP_TYPE_ATTR 0x0300
#define CEPHC_OSD_OP_TYPE_EXEC 0x0400
#define CEPHC_OSD_OP_TYPE_PG 0x0500

enum cephc_osd_opcode {
	CEPHC_OSD_OP_READ = 0x1201,
	CEPHC_OSD_OP_STAT = 0x1202,
	CEPHC_OSD_OP_SPARSE_READ = 0x1205,
	CEPHC_OSD_OP_NOTIFY = 0x1206,
	CEPHC_OSD_OP_NOTIFY_ACK = 0x1207,
	CEPHC_OSD_OP_ASSERT_VER = 0x1208,
	CEPHC_OSD_OP_LIST_WATCHERS = 0x1209,
	CEPHC_OSD_OP_LIST_SNAPS = 0x120a,
	CEPHC_OSD_OP_OMAPGETKEYS = 0x1211,
	CEPHC_OSD_OP_OMAPGETVALS = 0x1212,
	CEPHC_OSD_OP_OMAPGETHEADER = 0x1213,
	CEPHC_OSD_OP_OMAPGETVALSBYKEYS = 0x1214,
	CEPHC_OSD_OP_CMPEXT = 0x1220,
	CEPHC_OSD_OP_WRITE = 0x2201,
	CEPHC_OSD_OP_WRITEFULL = 0x2202,
	CEPHC_OSD_OP_TRUNCATE = 0x2203,
	CEPHC_OSD_OP_ZERO = 0x2204,
	CEPHC_OSD_OP_DELETE = 0x2205,
	CEPHC_OSD_OP_APPEND = 0x2206,
	CEPHC_OSD_OP_CREATE = 0x220d,
	CEPHC_OSD_OP_ROLLBACK = 0x220e,
	CEPHC_OSD_OP_WATCH = 0x220f,
	CEPHC_OSD_OP_OMAPSETVALS = 0x2215,
	CEPHC_OSD_OP_OMAPSETHEADER = 0x2216,
	CEPHC_OSD_OP_OMAPCLEAR = 0x2217,
	CEPHC_OSD_OP_OMAPRMKEYS = 0x2218,
	CEPHC_OSD_OP_SETALLOCHINT = 0x2223,
	CEPHC_OSD_OP_GETXATTR = 0x1301,
	CEPHC_OSD_OP_GETXATTRS = 0x1302,
	CEPHC_OSD_OP_SETXATTR = 0x2301,
	CEPHC_OSD_OP_RMXATTR = 0x2304,
	CEPHC_OSD_OP_CALL = 0x1401,
	CEPHC_OSD_OP_PGNLS = 0x1505,
};

/* Op-level flags (ceph_osd_op.flags). */
enum cephc_osd_op_flag {
	CEPHC_OSD_OP_FLAG_EXCL = 0x1,
	CEPHC_OSD_OP_FLAG_FAILOK = 0x2,
	CEPHC_OSD_OP_FLAG_FADVISE_RANDOM = 0x4,
	CEPHC_OSD_OP_FLAG_FADVISE_SEQUENTIAL = 0x8,
	CEPHC_OSD_OP_FLAG_FADVISE_WILLNEED = 0x10,
	CEPHC_OSD_OP_FLAG_FADVISE_DONTNEED = 0x20,
	CEPHC_OSD_OP_FLAG_FADVISE_NOCACHE = 0x40,
};

/* Message-level flags (MOSDOp flags field, protocol-map 8.3). */
enum cephc_osd_msg_flag {
	CEPHC_OSD_FLAG_ACK = 0x1,
	CEPHC_OSD_FLAG_ONDISK = 0x4,
	CEPHC_OSD_FLAG_RETRY = 0x8,
	CEPHC_OSD_FLAG_READ = 0x10,
	CEPHC_OSD_FLAG_WRITE = 0x20,
	CEPHC_OSD_FLAG_ORDERSNAP = 0x40,
	CEPHC_OSD_FLAG_BALANCE_READS = 0x100,
	CEPHC_OSD_FLAG_PGOP = 0x400,
	CEPHC_OSD_FLAG_EXEC = 0x800,
	CEPHC_OSD_FLAG_LOCALIZE_READS = 0x2000,
	CEPHC_OSD_FLAG_RWORDERED = 0x4000,
	CEPHC_OSD_FLAG_IGNORE_CACHE = 0x8000,
	CEPHC_OSD_FLAG_SKIPRWLOCKS = 0x10000,
	CEPHC_OSD_FLAG_IGNORE_OVERLAY = 0x20000,
	CEPHC_OSD_FLAG_REDIRECTED = 0x200000,
	CEPHC_OSD_FLAG_KNOWN_REDIR = 0x400000,
	CEPHC_OSD_FLAG_FULL_TRY = 0x800000,
	CEPHC_OSD_FLAG_FULL_FORCE = 0x1000000,
};

/*
 * WATCH op sub-operations (union watch.op).  Ceph uses only odd values for
 * the newer ops so that pre-Giant OSDs never read them as UNWATCH; a live
 * 16.2.15 librados sends 3 to watch, 7 to ping and 0 to unwatch.
 */
enum cephc_osd_watch_op {
	CEPHC_OSD_WATCH_OP_UNWATCH = 0,
	CEPHC_OSD_WATCH_OP_LEGACY_WATCH = 1,
	CEPHC_OSD_WATCH_OP_WATCH = 3,
	CEPHC_OSD_WATCH_OP_RECONNECT = 5,
	CEPHC_OSD_WATCH_OP_PING = 7,
};

#define CEPHC_NOSNAP 0xfffffffffffffffeULL
/* The request snapid that LIST_SNAPS needs (the object's snapdir). */
#define CEPHC_SNAPDIR 0xffffffffffffffffULL
/* MAX_ERRNO: CMPEXT reports a mismatch at offset n as rval -4095 - n. */
#define CEPHC_OSD_MAX_ERRNO 4095
/* Object-locator namespace meaning "every namespace" for PGNLS. */
#define CEPHC_OSD_ALL_NSPACES "\001"

/* Where an op's reply out-data goes. */
enum cephc_osd_out_kind {
	CEPHC_OSD_OUT_NONE = 0, /* nothing expected; up to SLACK to scratch */
	CEPHC_OSD_OUT_DATA,     /* caller buffers (op_out_iov) */
	CEPHC_OSD_OUT_SCRATCH,  /* scratch, read back via op_outdata */
};

struct cephc_osd_op {
	/* The ceph_osd_op wire fields; the union is kept encoded (LE). */
	uint16_t op_code;
	uint32_t op_flags;
	uint8_t op_union[CEPHC_OSD_OP_UNION_LEN];
	uint32_t op_indata_len; /* payload_len: sum of the input pieces */
	bool op_write;          /* makes the request a WRITE (CALL decides) */

	/* Input pieces, sent in this order: op_in[], then op_in_ext[]. */
	struct iovec op_in[CEPHC_OSD_OP_IN_INLINE];
	unsigned op_nin;
	const struct iovec *op_in_ext;
	unsigned op_in_ext_cnt;
	uint8_t *op_owned; /* owned encoding referenced by an op_in piece */

	/* Output. */
	enum cephc_osd_out_kind op_out_kind;
	struct iovec op_out_inline[CEPHC_OSD_OP_IN_INLINE];
	const struct iovec *op_out_iov; /* NULL: op_out_inline holds them */
	unsigned op_out_cnt;
	uint64_t op_out_max; /* most out-data bytes accepted */

	/* Results, filled by cephc_osd_reply_apply() / the receive plan. */
	int32_t op_rval;
	uint32_t op_outdata_len;
	const uint8_t *op_outdata; /* scratch view (SCRATCH/NONE kinds) */
};

struct cephc_osd_ops {
	unsigned num_ops;
	struct cephc_osd_op ops[CEPHC_OSD_MAX_OPS];
};

/*
 * Ops are built in place (cephc_osd_ops_add then one encoder) and must not
 * be copied afterwards: op_owned would then be freed twice.
 */
/* Start an empty op list. */
void cephc_osd_ops_init(struct cephc_osd_ops *o);
/* Free every op's owned encoding; the list may be reused after init. */
void cephc_osd_ops_release(struct cephc_osd_ops *o);
/* Next free op slot (zeroed), or NULL when CEPHC_OSD_MAX_OPS are used. */
struct cephc_osd_op *cephc_osd_ops_add(struct cephc_osd_ops *o);

/* Static facts about an op code; name "unknown" for codes not listed. */
const char *cephc_osd_op_name(uint16_t code);
bool cephc_osd_op_is_write(uint16_t code);

/* WRITE if any op writes, else READ: the MOSDOp flags librados sets. */
uint32_t cephc_osd_ops_rw_flags(const struct cephc_osd_ops *o);

/* Sum of op input lengths: the MOSDOp data_len.  UINT64 so it cannot wrap. */
uint64_t cephc_osd_ops_data_len(const struct cephc_osd_ops *o);
/* Number of iovecs cephc_osd_ops_data_iov() will produce. */
unsigned cephc_osd_ops_data_iovcnt(const struct cephc_osd_ops *o);
/*
 * Flatten every op's input pieces, in op order, into iov[0..max).  Returns
 * the count, or CEPHC_E2BIG when max is too small.  Zero-length pieces are
 * skipped.  The iovecs point at caller / op-owned memory (no copy).
 */
int cephc_osd_ops_data_iov(const struct cephc_osd_ops *o, struct iovec *iov,
			   unsigned max);
/* Encode one op's 38-byte ceph_osd_op. */
void cephc_osd_op_encode(struct cephc_enc *e, const struct cephc_osd_op *op);

/*
 * Op encoders.  Each fills one op slot, once.  They return 0, CEPHC_EINVAL
 * for arguments out of range (names over CEPHC_OSD_NAME_MAX, too many keys,
 * too many iovecs), or CEPHC_ENOMEM; after a failure the request is not to
 * be sent, and cephc_osd_ops_release() still frees whatever the slot holds.
 * iov arrays and the memory they point to must outlive the request (see
 * the header comment).
 */

/*
 * READ len bytes at off.  dst (total >= len) receives the data directly;
 * with dst == NULL the data lands in scratch (op_outdata).
 */
int cephc_osd_op_read(struct cephc_osd_op *op, uint64_t off, uint64_t len,
		      const struct iovec *dst, unsigned dst_cnt);
/* SPARSE_READ; out-data (extent map + data) to scratch: decode below. */
int cephc_osd_op_sparse_read(struct cephc_osd_op *op, uint64_t off,
			     uint64_t len);
int cephc_osd_op_write(struct cephc_osd_op *op, uint64_t off,
		       const struct iovec *src, unsigned src_cnt);
int cephc_osd_op_writefull(struct cephc_osd_op *op, const struct iovec *src,
			   unsigned src_cnt);
int cephc_osd_op_append(struct cephc_osd_op *op, const struct iovec *src,
			unsigned src_cnt);
int cephc_osd_op_zero(struct cephc_osd_op *op, uint64_t off, uint64_t len);
int cephc_osd_op_truncate(struct cephc_osd_op *op, uint64_t size);
/* CMPEXT: compare src with the object at off; see cephc_osd_cmpext_rval. */
int cephc_osd_op_cmpext(struct cephc_osd_op *op, uint64_t off,
			const struct iovec *src, unsigned src_cnt);
/* STAT: out-data le64 size + utime mtime (cephc_osd_decode_stat). */
int cephc_osd_op_stat(struct cephc_osd_op *op);
/* librados' assert_exists: a STAT whose output is ignored. */
int cephc_osd_op_assert_exists(struct cephc_osd_op *op);
int cephc_osd_op_create(struct cephc_osd_op *op, bool exclusive);
int cephc_osd_op_delete(struct cephc_osd_op *op);
/*
 * CALL cls.method(in).  writes says whether the method modifies the object
 * (the request then carries WRITE).  out_max caps the reply (0: default).
 */
int cephc_osd_op_call(struct cephc_osd_op *op, const char *cls,
		      const char *method, const struct iovec *in,
		      unsigned in_cnt, bool writes, uint32_t out_max);
int cephc_osd_op_getxattr(struct cephc_osd_op *op, const char *name,
			  uint32_t out_max);
int cephc_osd_op_setxattr(struct cephc_osd_op *op, const char *name,
			  const void *value, uint32_t value_len);
int cephc_osd_op_rmxattr(struct cephc_osd_op *op, const char *name);
/* GETXATTRS: out-data map<string, bl> (cephc_osd_kv_iter). */
int cephc_osd_op_getxattrs(struct cephc_osd_op *op, uint32_t out_max);

/* OMAP: out-data of GETKEYS is set<string> + bool more, GETVALS
 * map<string,bl> + bool more, GETVALSBYKEYS map<string,bl>. */
int cephc_osd_op_omap_get_keys(struct cephc_osd_op *op, const char *start_after,
			       uint64_t max_return, uint32_t out_max);
int cephc_osd_op_omap_get_vals(struct cephc_osd_op *op, const char *start_after,
			       const char *filter_prefix, uint64_t max_return,
			       uint32_t out_max);
int cephc_osd_op_omap_get_vals_by_keys(struct cephc_osd_op *op,
				       const char *const *keys, uint32_t nkeys,
				       uint32_t out_max);
struct cephc_osd_kv {
	const char *key;
	const void *val;
	uint32_t val_len;
};
/* Keys should be given in ascending byte order (Ceph sends maps sorted). */
int cephc_osd_op_omap_set_keys(struct cephc_osd_op *op,
			       const struct cephc_osd_kv *kv, uint32_t n);
int cephc_osd_op_omap_rm_keys(struct cephc_osd_op *op, const char *const *keys,
			      uint32_t nkeys);
/* GETHEADER: out-data is the raw header bytes. */
int cephc_osd_op_omap_get_header(struct cephc_osd_op *op, uint32_t out_max);
int cephc_osd_op_omap_set_header(struct cephc_osd_op *op, const void *hdr,
				 uint32_t len);

/*
 * hobject_t, versioned(4,3): string key, string oid, le64 snap, le32 hash,
 * u8 max, string nspace, s64 pool.  Strings are views (not NUL-terminated).
 */
struct cephc_hobject {
	const uint8_t *key;
	uint32_t key_len;
	const uint8_t *oid;
	uint32_t oid_len;
	const uint8_t *nspace;
	uint32_t nspace_len;
	uint64_t snap;
	uint32_t hash;
	bool is_max;
	int64_t pool;
};
/* The listing start cursor Ceph's hobject_t() gives: pool INT64_MIN. */
void cephc_hobject_init_min(struct cephc_hobject *h);
size_t cephc_hobject_encoded_len(const struct cephc_hobject *h);
void cephc_hobject_encode(struct cephc_enc *e, const struct cephc_hobject *h);
/* Views into d's buffer; fails on struct_v < 4 (MIN/MAX compat forms). */
int cephc_hobject_decode(struct cephc_dec *d, struct cephc_hobject *h);
/*
 * Ceph's hobject order: max last, then pool, bit-reversed hash, nspace,
 * effective key (key, or oid when key is empty), oid, snap.
 */
int cephc_hobject_cmp(const struct cephc_hobject *a,
		      const struct cephc_hobject *b);

/*
 * PGNLS: list up to max_entries objects of the PG the request targets,
 * starting at cursor (cephc_hobject_init_min, or what librados uses: pool,
 * hash = pg seed, snap = head; then the handle of the previous reply).
 * librados 16.2.15 sends it with flags READ|IGNORE_OVERLAY (no PGOP), an
 * empty oid, the pg seed as raw hash, and the namespace (or
 * CEPHC_OSD_ALL_NSPACES) in the object locator.  The reply's overall
 * result is 1 (rval 0) when the PG has no more entries; the handle is the
 * cursor for the next call.  Out-data: pg_nls_response_t
 * (cephc_osd_pgnls_iter).
 */
int cephc_osd_op_pgnls(struct cephc_osd_op *op, uint64_t max_entries,
		       uint32_t start_epoch, const struct cephc_hobject *cursor,
		       uint32_t out_max);

/* WATCH sub-op (watch/unwatch/reconnect/ping) with the watch cookie. */
int cephc_osd_op_watch(struct cephc_osd_op *op, enum cephc_osd_watch_op wop,
		       uint64_t cookie, uint32_t gen, uint32_t timeout_s);
/*
 * NOTIFY: input le32 prot_ver 1, le32 timeout_s, bl payload (referenced).
 * Out-data: le64 notify_id (cephc_osd_decode_notify_id).
 */
int cephc_osd_op_notify(struct cephc_osd_op *op, uint64_t cookie,
			uint32_t timeout_s, const void *payload,
			uint32_t payload_len);
/* NOTIFY_ACK: input le64 notify_id, le64 cookie, bl reply (referenced). */
int cephc_osd_op_notify_ack(struct cephc_osd_op *op, uint64_t notify_id,
			    uint64_t cookie, const void *reply,
			    uint32_t reply_len);
/* LIST_WATCHERS: out-data obj_list_watch_response_t (watchers iter). */
int cephc_osd_op_list_watchers(struct cephc_osd_op *op, uint32_t out_max);
/* LIST_SNAPS (request snapid CEPHC_SNAPDIR): out-data
 * obj_list_snap_response_t, the object's clones and snap seq. */
int cephc_osd_op_list_snaps(struct cephc_osd_op *op, uint32_t out_max);
/*
 * ROLLBACK (librados selfmanaged_snap_rollback): the object's head becomes
 * its content at snapshot snapid (union snap.snapid, le64), or is removed
 * when it did not exist then.  Sent with the write snap context.
 */
int cephc_osd_op_rollback(struct cephc_osd_op *op, uint64_t snapid);

/*
 * Per-op output decoders.  All take the op's out-data bytes, return 0 or a
 * negative CEPHC_E* (EDECODE truncated / malformed, ETOOBIG over a named
 * maximum) and never allocate.  Strings are views into the input.
 */
int cephc_osd_decode_stat(const void *p, size_t len, uint64_t *size,
			  uint32_t *mtime_sec, uint32_t *mtime_nsec);
int cephc_osd_decode_notify_id(const void *p, size_t len, uint64_t *notify_id);
/* CMPEXT: true (and *offset) when rval reports a mismatch. */
bool cephc_osd_cmpext_mismatch(int32_t rval, uint64_t *offset);

struct cephc_osd_extent {
	uint64_t off;
	uint64_t len;
};
/*
 * SPARSE_READ out-data: map<le64 off, le64 len> then bl data.  Checks that
 * extents ascend without overlap and that their lengths sum to the data
 * length.  Fills up to max extents; more is ETOOBIG.
 */
int cephc_osd_decode_sparse_read(const void *p, size_t len,
				 struct cephc_osd_extent *ext, uint32_t max,
				 uint32_t *n_ext, const uint8_t **data,
				 uint32_t *data_len);

/* Iterator over set<string> or map<string, bl>, then an optional bool. */
struct cephc_osd_kv_iter {
	struct cephc_dec d;
	uint32_t left;
	bool vals;
};
/* vals: map<string,bl> (getxattrs/omap vals) or set<string> (omap keys). */
int cephc_osd_kv_iter_init(struct cephc_osd_kv_iter *it, const void *p,
			   size_t len, bool vals);
/* 1 with an entry, 0 at the end, <0 on a decode error. val NULL for sets. */
int cephc_osd_kv_iter_next(struct cephc_osd_kv_iter *it, const uint8_t **key,
			   uint32_t *key_len, const uint8_t **val,
			   uint32_t *val_len);
/* After the last entry: the trailing "more" bool of GETKEYS/GETVALS. */
int cephc_osd_kv_iter_more(struct cephc_osd_kv_iter *it, bool *more);

/* PGNLS reply: versioned(1,1){ hobject handle, le32 n, n x entry }. */
struct cephc_osd_list_entry {
	const uint8_t *nspace;
	uint32_t nspace_len;
	const uint8_t *oid;
	uint32_t oid_len;
	const uint8_t *locator;
	uint32_t locator_len;
};
struct cephc_osd_pgnls_iter {
	struct cephc_dec body;
	uint32_t left;
	struct cephc_hobject handle; /* the cursor for the next call */
};
int cephc_osd_pgnls_iter_init(struct cephc_osd_pgnls_iter *it, const void *p,
			      size_t len);
int cephc_osd_pgnls_iter_next(struct cephc_osd_pgnls_iter *it,
			      struct cephc_osd_list_entry *e);

/* LIST_WATCHERS reply: versioned(1,1){ list<watch_item_t versioned(2,1)
 * { entity_name_t, le64 cookie, le32 timeout_s, (v2) entity_addr_t }> }. */
struct cephc_osd_watcher {
	struct cephc_entity_name name;
	uint64_t cookie;
	uint32_t timeout_s;
	struct cephc_entity_addr addr;
};
struct cephc_osd_watchers_iter {
	struct cephc_dec body;
	uint32_t left;
};
int cephc_osd_watchers_iter_init(struct cephc_osd_watchers_iter *it,
				 const void *p, size_t len);
int cephc_osd_watchers_iter_next(struct cephc_osd_watchers_iter *it,
				 struct cephc_osd_watcher *w);

/*
 * Notify completion payload (the data of an MWatchNotify NOTIFY_COMPLETE):
 * map<pair<le64 gid, le64 cookie>, bl> acks, then vector of le64 pairs for
 * watchers that timed out.  Walk acks until 0, then timeouts until 0.
 */
struct cephc_osd_notify_iter {
	struct cephc_dec d;
	uint32_t acks_left;
	uint32_t timeouts_left;
	bool in_timeouts;
};
int cephc_osd_notify_iter_init(struct cephc_osd_notify_iter *it, const void *p,
			       size_t len);
int cephc_osd_notify_iter_next_ack(struct cephc_osd_notify_iter *it,
				   uint64_t *gid, uint64_t *cookie,
				   const uint8_t **payload, uint32_t *len);
int cephc_osd_notify_iter_next_timeout(struct cephc_osd_notify_iter *it,
				       uint64_t *gid, uint64_t *cookie);

#endif /* CEPHC_OSDC_OSD_OPS_H */
