/* SPDX-License-Identifier: MIT */
/*
 * A Ceph message as the messenger carries it: header fields, front, middle,
 * data (core/msg_data.h) and footer.
 *
 * Ownership and completion
 * ------------------------
 * A message is reference counted (atomically; upper layers may keep one
 * for a resend while the messenger holds another).  cephc_msg_new() returns
 * one reference.
 *  - Sending: cephc_conn_send() CONSUMES the caller's reference.  The
 *    messenger drops it once the peer has acknowledged the message or the
 *    connection faulted (lossy sessions never replay; the upper layer
 *    resends, keeping its own reference if it wants to reuse the message).
 *    Referenced data (page vectors, buffer chains, flat buffers) must stay
 *    valid and unchanged until the last reference is dropped.
 *  - Receiving: the messenger allocates the message (front and middle
 *    bounded by the messenger's maxima), lets the alloc_data hook point the
 *    data at the caller's buffers, and hands its reference to the dispatch
 *    hook, which owns it from then on and must cephc_msg_put() it.
 * cephc_msg_put() of the last reference frees the front and middle, and
 * releases msg->data (freeing only what it owns).
 */
#ifndef CEPHC_MSGR_MSG_H
#define CEPHC_MSGR_MSG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/msg_data.h"
#include "msgr/loop.h"
#include "msgr/v1_codec.h"

/* Peer-controlled section sizes we accept by default (named maxima). */
#define CEPHC_MSG_FRONT_MAX (16u << 20)
#define CEPHC_MSG_MIDDLE_MAX (16u << 20)
#define CEPHC_MSG_DATA_MAX (64u << 20)

#define CEPHC_MSG_PRIO_LOW 64
#define CEPHC_MSG_PRIO_DEFAULT 127
#define CEPHC_MSG_PRIO_HIGH 196

struct cephc_conn;

struct cephc_msg {
	atomic_int m_ref;
	/*
	 * Header: the sender fills type, tid, priority, version,
	 * compat_version, data_off; the messenger fills seq, src, the lengths
	 * and the crc when the message goes out.  On receive, as sent.
	 */
	struct v1_header hdr;
	/* Front: owned; front_len bytes used of front_cap allocated. */
	uint8_t *front;
	uint32_t front_len, front_cap;
	/* Middle: owned, rarely used (0 for every client message). */
	uint8_t *middle;
	uint32_t middle_len;
	/* Data: see core/msg_data.h for what is owned and what referenced. */
	struct cephc_msg_data data;
	/* Footer: filled by the messenger (crcs, sig via the sign hook). */
	struct v1_footer footer;
	/*
	 * Set before sending when the referenced data may change before the
	 * message completes (e.g. guest memory): cephc_conn_send() then copies
	 * it into owned pages first, and the caller may reuse its memory as
	 * soon as the send call returns.
	 */
	bool unstable;

	/* Messenger-private: linkage and the wire images of a message being
	 * sent (tag + header, footer), built once when it is first sent. */
	struct cephc_msg *m_next;
	uint8_t m_wire_head[1 + V1_HEADER_LEN];
	uint8_t m_wire_foot[V1_FOOTER_LEN];
	uint8_t m_foot_len;
	bool m_prepared;
	bool m_foot_ready;             /* data crc known and footer encoded */
	struct cephc_loop_work m_work; /* cross-thread send */
	struct cephc_conn *m_con;

	void *m_priv; /* the upper layer's (e.g. its request) */
};

/*
 * A message of the given type with front_cap zeroed front bytes
 * (front_len = front_cap; shrink front_len after encoding if less was
 * used).  NULL on ENOMEM or front_cap > CEPHC_MSG_FRONT_MAX.
 */
struct cephc_msg *cephc_msg_new(uint16_t type, uint32_t front_cap);
static inline struct cephc_msg *cephc_msg_get(struct cephc_msg *m)
{
	atomic_fetch_add(&m->m_ref, 1);
	return m;
}
void cephc_msg_put(struct cephc_msg *m);

#endif /* CEPHC_MSGR_MSG_H */
