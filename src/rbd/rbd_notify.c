/* SPDX-License-Identifier: MIT */
/*
 * librbd header watch/notify codecs (rbd_notify.h).  Wire facts are in
 * ../shared/reference/rbd-features.md section 2.5.
 *
 * Nothing here allocates: strings and namespaces we do not act on are
 * skipped inside the message's envelope, and ack payloads are views into
 * the reply buffer.  So peer lengths only need checking against the bytes
 * present, and blobs/counts are read with no maximum of their own (which
 * also keeps every failure CEPHC_EDECODE, never CEPHC_ETOOBIG).
 */
#include "rbd/rbd_notify.h"

#include <string.h>

#include "core/decode.h"
#include "core/encode.h"

/* NotifyMessage and ResponseMessage both use compat 1. */
#define NOTIFY_COMPAT 1
#define RESPONSE_VERSION 1

/* Wire sizes of the fixed parts of a notify reply entry. */
#define ACK_MIN_LEN (8 + 8 + 4) /* gid, cookie, empty payload */
#define TIMEOUT_LEN (8 + 8)     /* gid, cookie */

static void dec_client_id(struct cephc_dec *d, struct rbd_client_id *c)
{
	c->gid = dec_le64(d);
	c->handle = dec_le64(d);
}

/* AsyncRequestId = ClientId + le64 request_id. */
static void dec_async_id(struct cephc_dec *d, struct rbd_notify_msg *m)
{
	dec_client_id(d, &m->async_client);
	m->async_request_id = dec_le64(d);
	m->has_async_id = true;
}

static void skip_string(struct cephc_dec *d)
{
	uint32_t n;

	(void)dec_blob(d, &n, UINT32_MAX);
}

/*
 * A SnapshotNamespace is an envelope of its own.  We never look inside,
 * so its compat version does not matter to us: any is skipped by length.
 */
static void skip_snap_namespace(struct cephc_dec *d)
{
	struct cephc_dec ns;

	(void)dec_envelope(d, UINT8_MAX, NULL, &ns);
	(void)dec_envelope_end(d, &ns);
}

/*
 * The fields shared by the snapshot ops (8, 9, 11-13): name, the namespace
 * since v6, the AsyncRequestId since v7.
 */
static void dec_snap_base(struct cephc_dec *d, uint8_t v,
			  struct rbd_notify_msg *m)
{
	skip_string(d);
	if (v >= 6)
		skip_snap_namespace(d);
	if (v >= 7)
		dec_async_id(d, m);
}

/*
 * The op payload after le32 op, gated by the envelope's struct_v as
 * librbd gates it.  Every field the version carries is read (even those
 * we drop) so that a truncated payload is reported, not half-trusted.
 */
static void dec_payload(struct cephc_dec *d, uint8_t v,
			struct rbd_notify_msg *m)
{
	switch (m->op) {
	case RBD_NOTIFY_ACQUIRED_LOCK:
	case RBD_NOTIFY_RELEASED_LOCK:
	case RBD_NOTIFY_REQUEST_LOCK:
		/* v1 messages named no client */
		if (v >= 2) {
			dec_client_id(d, &m->client);
			m->has_client = true;
		}
		if (m->op == RBD_NOTIFY_REQUEST_LOCK && v >= 3)
			m->force = dec_bool(d);
		break;
	case RBD_NOTIFY_HEADER_UPDATE:
		break;
	case RBD_NOTIFY_ASYNC_PROGRESS:
		dec_async_id(d, m);
		dec_skip(d, 8 + 8); /* offset, total */
		break;
	case RBD_NOTIFY_ASYNC_COMPLETE:
		dec_async_id(d, m);
		dec_skip(d, 4); /* result */
		break;
	case RBD_NOTIFY_FLATTEN:
	case RBD_NOTIFY_REBUILD_OBJECT_MAP:
	case RBD_NOTIFY_MIGRATE:
	case RBD_NOTIFY_QUIESCE:
	case RBD_NOTIFY_UNQUIESCE:
		dec_async_id(d, m);
		break;
	case RBD_NOTIFY_RESIZE:
		dec_skip(d, 8); /* size comes before the request id */
		dec_async_id(d, m);
		if (v >= 4)
			dec_skip(d, 1); /* allow_shrink */
		break;
	case RBD_NOTIFY_SNAP_CREATE:
		dec_snap_base(d, v, m);
		/* v5 alone put the namespace after the name here */
		if (v == 5)
			skip_snap_namespace(d);
		if (v >= 7)
			dec_skip(d, 8); /* flags */
		break;
	case RBD_NOTIFY_SNAP_REMOVE:
	case RBD_NOTIFY_SNAP_PROTECT:
	case RBD_NOTIFY_SNAP_UNPROTECT:
		dec_snap_base(d, v, m);
		break;
	case RBD_NOTIFY_SNAP_RENAME:
		dec_skip(d, 8); /* source snap id comes first */
		dec_snap_base(d, v, m);
		break;
	case RBD_NOTIFY_RENAME:
		skip_string(d); /* new image name */
		if (v >= 7)
			dec_async_id(d, m);
		break;
	case RBD_NOTIFY_UPDATE_FEATURES:
		dec_skip(d, 8 + 1); /* features, enabled */
		if (v >= 7)
			dec_async_id(d, m);
		break;
	case RBD_NOTIFY_SPARSIFY:
		dec_async_id(d, m);
		dec_skip(d, 8); /* sparse_size */
		break;
	case RBD_NOTIFY_METADATA_UPDATE:
		skip_string(d); /* key */
		/* optional<string> value: u8 present, then the string */
		if (dec_bool(d))
			skip_string(d);
		if (v >= 7)
			dec_async_id(d, m);
		break;
	default:
		/* unknown op: its number is all the caller needs */
		break;
	}
}

int rbd_notify_decode(const void *buf, size_t len, struct rbd_notify_msg *out)
{
	struct cephc_dec d, body;
	uint8_t v = 0;

	memset(out, 0, sizeof(*out));
	/* librbd reads a notify without payload as a legacy HeaderUpdate */
	if (len == 0) {
		out->op = RBD_NOTIFY_HEADER_UPDATE;
		return 0;
	}
	dec_init(&d, buf, len);
	if (dec_envelope(&d, NOTIFY_COMPAT, &v, &body))
		return d.err;
	out->version = v;
	out->op = dec_le32(&body);
	if (body.err)
		return CEPHC_EDECODE;
	dec_payload(&body, v, out);
	if (body.err) {
		/* keep op and version so the caller can still answer */
		uint32_t op = out->op;

		memset(out, 0, sizeof(*out));
		out->op = op;
		out->version = v;
		return body.err;
	}
	return 0;
}

int rbd_notify_encode(uint32_t op, const struct rbd_client_id *client,
		      bool force, void *buf, size_t cap, size_t *len)
{
	struct cephc_enc e;
	size_t env;

	if (!len)
		return CEPHC_EINVAL;
	*len = 0;
	if (op > RBD_NOTIFY_HEADER_UPDATE)
		return CEPHC_EINVAL;
	if (op != RBD_NOTIFY_HEADER_UPDATE && !client)
		return CEPHC_EINVAL;
	enc_init(&e, buf, buf ? cap : 0);
	env = enc_envelope_begin(&e, RBD_NOTIFY_VERSION, NOTIFY_COMPAT);
	enc_le32(&e, op);
	if (op != RBD_NOTIFY_HEADER_UPDATE) {
		enc_le64(&e, client->gid);
		enc_le64(&e, client->handle);
	}
	if (op == RBD_NOTIFY_REQUEST_LOCK)
		enc_u8(&e, force ? 1 : 0);
	enc_envelope_end(&e, env);
	if (e.err)
		return e.err;
	*len = enc_len(&e);
	return 0;
}

int rbd_notify_encode_async(uint32_t op, const struct rbd_client_id *client,
			    uint64_t request_id, void *buf, size_t cap,
			    size_t *len)
{
	struct cephc_enc e;
	size_t env;

	if (!len)
		return CEPHC_EINVAL;
	*len = 0;
	if ((op != RBD_NOTIFY_QUIESCE && op != RBD_NOTIFY_UNQUIESCE) || !client)
		return CEPHC_EINVAL;
	enc_init(&e, buf, buf ? cap : 0);
	env = enc_envelope_begin(&e, RBD_NOTIFY_VERSION, NOTIFY_COMPAT);
	enc_le32(&e, op);
	enc_le64(&e, client->gid);
	enc_le64(&e, client->handle);
	enc_le64(&e, request_id);
	enc_envelope_end(&e, env);
	if (e.err)
		return e.err;
	*len = enc_len(&e);
	return 0;
}

void rbd_notify_encode_response(int32_t result,
				uint8_t out[RBD_NOTIFY_RESPONSE_LEN])
{
	/* versioned(1, 1) { le32 result }: the body is always 4 bytes */
	out[0] = RESPONSE_VERSION;
	out[1] = NOTIFY_COMPAT;
	put_le32(out + 2, 4);
	put_le32(out + 6, (uint32_t)result);
}

/*
 * An empty ack is not a ResponseMessage (EDECODE): callers that accept
 * empty acks test payload_len first.
 */
int rbd_notify_decode_response(const void *buf, size_t len, int32_t *result)
{
	struct cephc_dec d, body;

	*result = 0;
	dec_init(&d, buf, len);
	if (dec_envelope(&d, NOTIFY_COMPAT, NULL, &body))
		return d.err;
	*result = dec_s32(&body);
	if (body.err)
		*result = 0;
	return body.err;
}

/*
 * The iterator keeps no error field: a failed step sets it->p to NULL,
 * which every later call reports again as CEPHC_EDECODE.
 */
static int reply_fail(struct rbd_notify_reply_iter *it)
{
	it->p = NULL;
	it->left = 0;
	it->acks_left = 0;
	return CEPHC_EDECODE;
}

int rbd_notify_reply_init(struct rbd_notify_reply_iter *it, const void *buf,
			  size_t len)
{
	struct cephc_dec d;
	uint32_t n;

	dec_init(&d, buf, len);
	/* every ack takes at least ACK_MIN_LEN bytes: no count can lie */
	n = dec_count(&d, UINT32_MAX, ACK_MIN_LEN);
	if (d.err)
		return reply_fail(it);
	it->p = d.p;
	it->left = dec_left(&d);
	it->acks_left = n;
	return 0;
}

int rbd_notify_reply_next(struct rbd_notify_reply_iter *it,
			  struct rbd_notify_ack *ack)
{
	struct cephc_dec d;

	memset(ack, 0, sizeof(*ack));
	if (!it->p)
		return CEPHC_EDECODE;
	if (!it->acks_left)
		return 0;
	dec_init(&d, it->p, it->left);
	ack->gid = dec_le64(&d);
	ack->cookie = dec_le64(&d);
	ack->payload = dec_blob(&d, &ack->payload_len, UINT32_MAX);
	if (d.err) {
		memset(ack, 0, sizeof(*ack));
		return reply_fail(it);
	}
	it->p = d.p;
	it->left = dec_left(&d);
	it->acks_left--;
	return 1;
}

int rbd_notify_reply_timeouts(struct rbd_notify_reply_iter *it,
			      uint32_t *timeouts)
{
	struct cephc_dec d;
	uint32_t n;

	*timeouts = 0;
	if (!it->p)
		return CEPHC_EDECODE;
	if (it->acks_left)
		return CEPHC_EINVAL; /* the acks have not all been read */
	/*
	 * The iterator is left where it is, so asking twice gives the same
	 * answer.  The entries themselves are only checked to be present.
	 */
	dec_init(&d, it->p, it->left);
	n = dec_count(&d, UINT32_MAX, TIMEOUT_LEN);
	if (d.err)
		return reply_fail(it);
	*timeouts = n;
	return 0;
}
