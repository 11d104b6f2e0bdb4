/* SPDX-License-Identifier: MIT */
/*
 * Sans-IO codecs for librbd's header watch/notify messages (layer 0), as
 * librbd 16.2.15 sends and answers them (../shared/reference/
 * rbd-features.md section 2.5):
 *
 *   NotifyMessage   = versioned(v, 1) { le32 op, payload }; librbd sends
 *                     v7, older versions gate fields; an empty message is
 *                     a legacy HEADER_UPDATE.
 *   ResponseMessage = versioned(1, 1) { le32 result } (an ack payload).
 *   notify reply    = le32 n_acks x { le64 gid, le64 cookie, bl payload },
 *                     le32 n_timeouts x { le64 gid, le64 cookie }.
 *   ClientId        = { le64 gid, le64 handle } (no envelope).
 *   AsyncRequestId  = { ClientId, le64 request_id }.
 *
 * Decoders never trust a length: counts and blobs are checked against the
 * bytes present; they return 0 or CEPHC_EDECODE / CEPHC_ECOMPAT.
 */
#ifndef CEPHC_RBD_NOTIFY_H
#define CEPHC_RBD_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rbd_notify_op {
	RBD_NOTIFY_ACQUIRED_LOCK = 0,
	RBD_NOTIFY_RELEASED_LOCK = 1,
	RBD_NOTIFY_REQUEST_LOCK = 2,
	RBD_NOTIFY_HEADER_UPDATE = 3,
	RBD_NOTIFY_ASYNC_PROGRESS = 4,
	RBD_NOTIFY_ASYNC_COMPLETE = 5,
	RBD_NOTIFY_FLATTEN = 6,
	RBD_NOTIFY_RESIZE = 7,
	RBD_NOTIFY_SNAP_CREATE = 8,
	RBD_NOTIFY_SNAP_REMOVE = 9,
	RBD_NOTIFY_REBUILD_OBJECT_MAP = 10,
	RBD_NOTIFY_SNAP_RENAME = 11,
	RBD_NOTIFY_SNAP_PROTECT = 12,
	RBD_NOTIFY_SNAP_UNPROTECT = 13,
	RBD_NOTIFY_RENAME = 14,
	RBD_NOTIFY_UPDATE_FEATURES = 15,
	RBD_NOTIFY_MIGRATE = 16,
	RBD_NOTIFY_SPARSIFY = 17,
	RBD_NOTIFY_QUIESCE = 18,
	RBD_NOTIFY_UNQUIESCE = 19,
	RBD_NOTIFY_METADATA_UPDATE = 20,
};

/* The version librbd 16.2.15 sends, and we send. */
#define RBD_NOTIFY_VERSION 7

struct rbd_client_id {
	uint64_t gid;
	uint64_t handle;
};

/* What a received NotifyMessage says (the fields cephc acts on). */
struct rbd_notify_msg {
	uint32_t op;		 /* enum rbd_notify_op, or unknown */
	uint8_t version;	 /* struct_v of the envelope (0: legacy empty) */
	bool has_client;	 /* ops 0-2 with v >= 2 */
	struct rbd_client_id client;
	bool force;		 /* REQUEST_LOCK, v >= 3 */
	bool has_async_id;	 /* the op carries an AsyncRequestId */
	struct rbd_client_id async_client;
	uint64_t async_request_id;
};

/*
 * Decode a NotifyMessage.  An empty buffer is a legacy HEADER_UPDATE
 * (version 0).  Unknown ops decode to their number with nothing else
 * (the caller answers them like librbd: -EOPNOTSUPP from the owner).
 * Fields past what an op's version carries stay zero/false.  When a known
 * op's fields are cut short inside a valid envelope the result is
 * CEPHC_EDECODE, yet op and version are still set (the rest zeroed) so
 * the caller can answer the notify all the same.
 */
int rbd_notify_decode(const void *buf, size_t len, struct rbd_notify_msg *out);

/*
 * Encode a NotifyMessage v7 for ACQUIRED_LOCK, RELEASED_LOCK (ClientId),
 * REQUEST_LOCK (ClientId, u8 force) or HEADER_UPDATE (no fields) into buf;
 * *len gets the bytes written.  CEPHC_EOVERFLOW when cap is too small
 * (RBD_NOTIFY_MSG_MAX always suffices); CEPHC_EINVAL for another op.
 */
#define RBD_NOTIFY_MSG_MAX 48
int rbd_notify_encode(uint32_t op, const struct rbd_client_id *client,
		      bool force, void *buf, size_t cap, size_t *len);

/*
 * Encode a NotifyMessage v7 of an op whose only field is an
 * AsyncRequestId { ClientId, le64 request_id }: QUIESCE and UNQUIESCE
 * (what snapshot create sends; librbd numbers its requests per client).
 * Same returns as rbd_notify_encode().
 */
int rbd_notify_encode_async(uint32_t op, const struct rbd_client_id *client,
			    uint64_t request_id, void *buf, size_t cap,
			    size_t *len);

/* ResponseMessage: 10 bytes. */
#define RBD_NOTIFY_RESPONSE_LEN 10
void rbd_notify_encode_response(int32_t result,
				uint8_t out[RBD_NOTIFY_RESPONSE_LEN]);
/* Decode an ack payload as a ResponseMessage (an empty one: EDECODE). */
int rbd_notify_decode_response(const void *buf, size_t len, int32_t *result);

/*
 * Walk a notify reply.  init checks nothing beyond the first count;
 * next returns 1 with the next ack (payload is a view into buf), 0 at the
 * end of the acks, or a negative code.  After the acks, *timeouts of
 * rbd_notify_reply_timeouts() is the number of watchers that did not
 * answer.
 */
struct rbd_notify_ack {
	uint64_t gid;
	uint64_t cookie;
	const uint8_t *payload;
	uint32_t payload_len;
};
struct rbd_notify_reply_iter {
	const uint8_t *p;
	size_t left;
	uint32_t acks_left;
};
int rbd_notify_reply_init(struct rbd_notify_reply_iter *it, const void *buf,
			  size_t len);
int rbd_notify_reply_next(struct rbd_notify_reply_iter *it,
			  struct rbd_notify_ack *ack);
/* Once next returned 0: the count of timed-out watchers. */
int rbd_notify_reply_timeouts(struct rbd_notify_reply_iter *it,
			      uint32_t *timeouts);

#endif /* CEPHC_RBD_NOTIFY_H */
