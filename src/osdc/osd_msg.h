/* SPDX-License-Identifier: MIT */
/*
 * OSD message codecs, sans-IO: MOSDOp (42) front encoding, MOSDOpReply (43)
 * decoding and the reply "receive plan", MOSDBackoff (61) decoding and its
 * ACK_BLOCK encoding, MWatchNotify (44) decoding.
 *
 * Flow for one request (the session code drives it):
 *   1. build ops (osd_ops.h), fill struct cephc_osd_op_msg from targeting;
 *   2. cephc_osd_op_msg_front_len() -> buffer; cephc_osd_op_msg_encode();
 *      send header fields from struct cephc_osd_msg_info, the front, and
 *      the data section from cephc_osd_ops_data_iov() (no copies);
 *   3. on a reply header + front: cephc_osd_reply_decode(), match tid and
 *      retry_attempt (caller), cephc_osd_reply_apply() against the ops,
 *      cephc_osd_rx_plan_build() and receive data_len bytes straight into
 *      the plan's iovecs; then read per-op results from the ops.
 */
#ifndef CEPHC_OSDC_OSD_MSG_H
#define CEPHC_OSDC_OSD_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "osdc/osd_ops.h"

#define CEPHC_MSG_OSD_MAP 41
#define CEPHC_MSG_OSD_OP 42
#define CEPHC_MSG_OSD_OPREPLY 43
#define CEPHC_MSG_WATCH_NOTIFY 44
#define CEPHC_MSG_OSD_BACKOFF 61

#define CEPHC_OSD_OP_MSG_VERSION 8
#define CEPHC_OSD_OP_MSG_COMPAT 3
#define CEPHC_OSD_BACKOFF_MSG_VERSION 1
#define CEPHC_OSD_BACKOFF_MSG_COMPAT 1
/* Oldest MOSDOpReply layout decoded (v5 added replay/user versions). */
#define CEPHC_OSD_OPREPLY_MIN_VERSION 5
/* Most snapshot ids one write may carry in its snap context. */
#define CEPHC_OSD_MAX_SNAPS 4096
/* Most iovecs one reply's data section is split into. */
#define CEPHC_OSD_RX_SEGS_MAX 64

/* Header fields the MOSDOp front implies (ceph_msg_header). */
struct cephc_osd_msg_info {
	uint16_t type;
	uint16_t version;
	uint16_t compat;
	uint32_t front_len;
	uint32_t data_len;
	uint16_t data_off; /* alignment hint: low bits of the write offset */
};

/* Everything an MOSDOp front carries besides the ops. */
struct cephc_osd_op_msg {
	/* spg_t the request is sent to (folded pg seed), and raw hash. */
	int64_t pg_pool;
	uint32_t pg_seed;
	int8_t pg_shard; /* -1 for replicated pools */
	uint32_t raw_hash;
	uint32_t epoch; /* osdmap epoch at (re)send */
	uint32_t flags; /* CEPHC_OSD_FLAG_*: caller ORs READ/WRITE etc. */
	uint32_t mtime_sec, mtime_nsec;
	/* object_locator_t */
	int64_t oloc_pool;
	const char *oloc_key;    /* NULL or "" for none */
	const char *oloc_nspace; /* NULL or "" for the default namespace */
	const char *oid;
	uint64_t snapid;   /* CEPHC_NOSNAP for the head */
	uint64_t snap_seq; /* write snap context */
	const uint64_t *snaps;
	uint32_t num_snaps;
	uint32_t retry_attempt; /* number of earlier sends */
	uint64_t features;
};

/* Exact front length for m and ops; 0 when an argument is out of range. */
size_t cephc_osd_op_msg_front_len(const struct cephc_osd_op_msg *m,
				  const struct cephc_osd_ops *ops);
/*
 * Encode the MOSDOp v8 front into buf (cap bytes) and fill *info.  Returns
 * 0, CEPHC_EINVAL (no ops, names too long, data_len over 4 GiB),
 * CEPHC_EOVERFLOW (cap too small).
 */
int cephc_osd_op_msg_encode(const struct cephc_osd_op_msg *m,
			    const struct cephc_osd_ops *ops, void *buf,
			    size_t cap, struct cephc_osd_msg_info *info);

struct cephc_osd_reply_op {
	uint16_t op;
	uint32_t flags;
	uint32_t outdata_len; /* the op's payload_len in the reply */
	int32_t rval;
};

/* A decoded MOSDOpReply front; byte views point into the front buffer. */
struct cephc_osd_reply {
	const uint8_t *oid;
	uint32_t oid_len;
	int64_t pg_pool;
	uint32_t pg_seed;
	uint64_t flags;
	int32_t result;
	uint64_t bad_replay_version;
	uint32_t bad_replay_epoch;
	uint32_t osdmap_epoch;
	uint32_t num_ops;
	struct cephc_osd_reply_op ops[CEPHC_OSD_MAX_OPS];
	int32_t retry_attempt;
	uint64_t replay_version;
	uint32_t replay_epoch;
	uint64_t user_version;
	/* request_redirect_t, when do_redirect was set */
	bool redirect;
	int64_t redirect_pool;
	const uint8_t *redirect_key;
	uint32_t redirect_key_len;
	const uint8_t *redirect_nspace;
	uint32_t redirect_nspace_len;
	const uint8_t *redirect_object;
	uint32_t redirect_object_len;
};

/*
 * Decode an MOSDOpReply front of header version `version`.  Returns 0,
 * CEPHC_EDECODE (truncated / malformed), CEPHC_ETOOBIG (num_ops over
 * CEPHC_OSD_MAX_OPS, names over CEPHC_OSD_NAME_MAX), CEPHC_ECOMPAT
 * (version below CEPHC_OSD_OPREPLY_MIN_VERSION or a newer struct compat).
 */
int cephc_osd_reply_decode(const void *front, size_t len, uint16_t version,
			   struct cephc_osd_reply *r);

/*
 * Check a decoded reply against the ops that were sent and copy per-op
 * rval / outdata_len into them.  data_len is the reply header's.  Fails
 * with CEPHC_EDECODE when the op count or codes differ, out lengths do not
 * sum to data_len, an op that cannot succeed with a positive value reports
 * one, or the overall result is positive without such an op; CEPHC_ETOOBIG
 * when an op's out-data exceeds what it asked for (op_out_max).
 */
int cephc_osd_reply_apply(const struct cephc_osd_reply *r,
			  struct cephc_osd_ops *ops, uint32_t data_len);

/*
 * Where the reply's data section goes: caller buffers for DATA ops, one
 * owned scratch allocation for the rest (their op_outdata points into it).
 * seg[] covers exactly data_len bytes in order.
 */
struct cephc_osd_rx_plan {
	struct iovec seg[CEPHC_OSD_RX_SEGS_MAX];
	unsigned nseg;
	uint8_t *scratch;
	size_t scratch_len;
	uint64_t total;
};
/* After cephc_osd_reply_apply().  0, CEPHC_ENOMEM, CEPHC_E2BIG (segs). */
int cephc_osd_rx_plan_build(struct cephc_osd_rx_plan *plan,
			    struct cephc_osd_ops *ops);
/* Fallback / tests: scatter a contiguous data section through the plan. */
int cephc_osd_rx_plan_copy_in(const struct cephc_osd_rx_plan *plan,
			      const void *data, size_t len);
/* Frees the scratch; op_outdata views die with it. */
void cephc_osd_rx_plan_release(struct cephc_osd_rx_plan *plan);

/* MOSDBackoff ops. */
enum cephc_osd_backoff_op {
	CEPHC_OSD_BACKOFF_BLOCK = 1,
	CEPHC_OSD_BACKOFF_ACK_BLOCK = 2,
	CEPHC_OSD_BACKOFF_UNBLOCK = 3,
};

struct cephc_osd_backoff {
	int64_t pg_pool;
	uint32_t pg_seed;
	int8_t pg_shard;
	uint32_t map_epoch;
	uint8_t op;
	uint64_t id;
	struct cephc_hobject begin; /* views into the front */
	struct cephc_hobject end;
};
/* Decode; rejects unknown ops and begin > end (CEPHC_EDECODE). */
int cephc_osd_backoff_decode(const void *front, size_t len,
			     struct cephc_osd_backoff *b);
/* True when h falls in [begin, end) of b. */
bool cephc_osd_backoff_covers(const struct cephc_osd_backoff *b,
			      const struct cephc_hobject *h);
size_t cephc_osd_backoff_ack_len(const struct cephc_osd_backoff *b);
/* ACK_BLOCK front echoing b (spgid, id, begin, end) at map_epoch;
 * header version CEPHC_OSD_BACKOFF_MSG_VERSION.  *len = front bytes. */
int cephc_osd_backoff_ack_encode(const struct cephc_osd_backoff *b,
				 uint32_t map_epoch, void *buf, size_t cap,
				 size_t *len);

/* MWatchNotify events. */
enum cephc_watch_event {
	CEPHC_WATCH_EVENT_NOTIFY = 1,
	CEPHC_WATCH_EVENT_NOTIFY_COMPLETE = 2,
	CEPHC_WATCH_EVENT_DISCONNECT = 3,
};

struct cephc_osd_watch_notify {
	uint8_t proto_ver;
	uint8_t opcode;
	uint64_t cookie;
	uint64_t ver;
	uint64_t notify_id;
	const uint8_t *payload; /* view into the front */
	uint32_t payload_len;
	int32_t return_code;   /* header version >= 2 */
	uint64_t notifier_gid; /* header version >= 3 */
};
/* hdr_version is the message header's version (3 from Pacific). */
int cephc_osd_watch_notify_decode(const void *front, size_t len,
				  uint16_t hdr_version,
				  struct cephc_osd_watch_notify *n);

#endif /* CEPHC_OSDC_OSD_MSG_H */
