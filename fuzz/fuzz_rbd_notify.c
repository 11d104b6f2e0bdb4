/* SPDX-License-Identifier: MIT */
/*
 * librbd watch/notify codecs on the same bytes: the input read as a
 * NotifyMessage, as a ResponseMessage and as a notify reply whose ack
 * payloads are decoded both ways again.  Seeds: the live samples of
 * rbd-features.md 2.5 and replies built from them.  Decoders must return
 * 0 or a clean error, never read out of bounds; a decoded lock op must
 * survive our own encoder unchanged.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "rbd/rbd_notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Re-encode what a lock op said (as v7) and check it reads back the same. */
static void lock_op_round_trip(const struct rbd_notify_msg *m)
{
	uint8_t buf[RBD_NOTIFY_MSG_MAX];
	struct rbd_notify_msg back;
	size_t len;

	if (m->op > RBD_NOTIFY_HEADER_UPDATE)
		return;
	if (m->op != RBD_NOTIFY_HEADER_UPDATE && !m->has_client)
		return; /* a v1 lock op names no client */
	if (rbd_notify_encode(m->op, &m->client, m->force, buf, sizeof(buf),
			      &len) != 0)
		abort();
	if (rbd_notify_decode(buf, len, &back) != 0 || back.op != m->op ||
	    back.version != RBD_NOTIFY_VERSION || back.force != m->force ||
	    back.has_client != m->has_client ||
	    back.client.gid != m->client.gid ||
	    back.client.handle != m->client.handle)
		abort();
}

static void notify(const uint8_t *d, size_t n)
{
	struct rbd_notify_msg m;
	int32_t result;

	if (rbd_notify_decode(d, n, &m) == 0)
		lock_op_round_trip(&m);
	if (rbd_notify_decode_response(d, n, &result) == 0) {
		uint8_t out[RBD_NOTIFY_RESPONSE_LEN];

		rbd_notify_encode_response(result, out);
		if (rbd_notify_decode_response(out, sizeof(out), &result) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rbd_notify_reply_iter it;
	struct rbd_notify_ack ack;
	uint32_t timeouts;
	int r;

	notify(data, size);
	if (rbd_notify_reply_init(&it, data, size) != 0)
		return 0;
	while ((r = rbd_notify_reply_next(&it, &ack)) == 1) {
		if (ack.payload_len &&
		    (ack.payload < data ||
		     ack.payload_len > size - (size_t)(ack.payload - data)))
			abort(); /* the view left the buffer */
		notify(ack.payload, ack.payload_len);
	}
	if (r == 0)
		(void)rbd_notify_reply_timeouts(&it, &timeouts);
	return 0;
}
