/* SPDX-License-Identifier: MIT */
/* MOSDOp / MOSDOpReply / MOSDBackoff / MWatchNotify codecs (osd_msg.h). */
#include "osdc/osd_msg.h"

#include <string.h>

#include "core/alloc.h"

/* Envelope header: u8 v, u8 compat, le32 len. */
#define ENV_LEN 6
/* pg_t: u8 1, le64 pool, le32 seed, le32 preferred (-1). */
#define PGID_LEN 17
/* osd_reqid_t body: entity_name_t (9), le64 tid, le32 inc. */
#define REQID_LEN 21
/* blkin trace: trace_id, span_id, parent_span_id. */
#define TRACE_LEN 24

static size_t str_len(const char *s)
{
	return s ? strlen(s) : 0;
}

size_t cephc_osd_op_msg_front_len(const struct cephc_osd_op_msg *m,
				  const struct cephc_osd_ops *ops)
{
	size_t kl = str_len(m->oloc_key), nl = str_len(m->oloc_nspace);
	size_t ol = str_len(m->oid);

	if (kl > CEPHC_OSD_NAME_MAX || nl > CEPHC_OSD_NAME_MAX ||
	    ol > CEPHC_OSD_NAME_MAX || m->num_snaps > CEPHC_OSD_MAX_SNAPS ||
	    (m->num_snaps && !m->snaps) || !ops->num_ops ||
	    ops->num_ops > CEPHC_OSD_MAX_OPS)
		return 0;
	return ENV_LEN + PGID_LEN + 1                /* spg_t */
	       + 4 + 4 + 4                           /* hash, epoch, flags */
	       + ENV_LEN + REQID_LEN + TRACE_LEN + 4 /* client_inc */
	       + 8                                   /* mtime */
	       + ENV_LEN + 8 + 4 + 4 + kl + 4 + nl   /* object_locator_t */
	       + 4 + ol + 2 + (size_t)ops->num_ops * CEPHC_OSD_OP_WIRE_LEN + 8 +
	       8 + 4 + (size_t)m->num_snaps * 8 /* snapid, snapc */
	       + 4 + 8;                         /* retry, features */
}

static void enc_pgid(struct cephc_enc *e, int64_t pool, uint32_t seed)
{
	enc_u8(e, 1);
	enc_le64(e, (uint64_t)pool);
	enc_le32(e, seed);
	enc_le32(e, UINT32_MAX); /* legacy "preferred" = -1 */
}

static void enc_spgid(struct cephc_enc *e, int64_t pool, uint32_t seed,
		      int8_t shard)
{
	size_t env = enc_envelope_begin(e, 1, 1);

	enc_pgid(e, pool, seed);
	enc_u8(e, (uint8_t)shard);
	enc_envelope_end(e, env);
}

int cephc_osd_op_msg_encode(const struct cephc_osd_op_msg *m,
			    const struct cephc_osd_ops *ops, void *buf,
			    size_t cap, struct cephc_osd_msg_info *info)
{
	size_t need = cephc_osd_op_msg_front_len(m, ops);
	uint64_t data_len = cephc_osd_ops_data_len(ops);
	struct cephc_enc e;
	size_t env;
	unsigned i;

	if (!need || data_len > UINT32_MAX)
		return CEPHC_EINVAL;
	if (cap < need)
		return CEPHC_EOVERFLOW;
	enc_init(&e, buf, cap);
	enc_spgid(&e, m->pg_pool, m->pg_seed, m->pg_shard);
	enc_le32(&e, m->raw_hash); /* raw object hash, not the folded seed */
	enc_le32(&e, m->epoch);
	enc_le32(&e, m->flags);
	/* reqid all zeros: the OSD derives it from the header src + tid. */
	env = enc_envelope_begin(&e, 2, 2);
	enc_zeros(&e, REQID_LEN);
	enc_envelope_end(&e, env);
	enc_zeros(&e, TRACE_LEN);
	enc_le32(&e, 0); /* client_inc */
	enc_le32(&e, m->mtime_sec);
	enc_le32(&e, m->mtime_nsec);
	/* object_locator_t v5 compat 4: pool, preferred -1, key, nspace. */
	env = enc_envelope_begin(&e, 5, 4);
	enc_le64(&e, (uint64_t)m->oloc_pool);
	enc_le32(&e, UINT32_MAX);
	enc_blob(&e, m->oloc_key, (uint32_t)str_len(m->oloc_key));
	enc_blob(&e, m->oloc_nspace, (uint32_t)str_len(m->oloc_nspace));
	enc_envelope_end(&e, env);
	enc_blob(&e, m->oid, (uint32_t)str_len(m->oid));
	enc_le16(&e, (uint16_t)ops->num_ops); /* le16 here, le32 in replies */
	for (i = 0; i < ops->num_ops; i++)
		cephc_osd_op_encode(&e, &ops->ops[i]);
	enc_le64(&e, m->snapid);
	enc_le64(&e, m->snap_seq);
	enc_le32(&e, m->num_snaps);
	for (i = 0; i < m->num_snaps; i++)
		enc_le64(&e, m->snaps[i]);
	enc_le32(&e, m->retry_attempt);
	enc_le64(&e, m->features);
	if (e.err)
		return e.err;

	info->type = CEPHC_MSG_OSD_OP;
	info->version = CEPHC_OSD_OP_MSG_VERSION;
	info->compat = CEPHC_OSD_OP_MSG_COMPAT;
	info->front_len = (uint32_t)enc_len(&e);
	info->data_len = (uint32_t)data_len;
	info->data_off = 0;
	/* Alignment hint: the receiving OSD may align write data by it. */
	for (i = 0; i < ops->num_ops; i++) {
		const struct cephc_osd_op *op = &ops->ops[i];

		if (op->op_code == CEPHC_OSD_OP_WRITE) {
			info->data_off = (uint16_t)get_le64(op->op_union);
			break;
		}
	}
	return 0;
}

/* ---- MOSDOpReply ---- */

static void dec_pgid(struct cephc_dec *d, int64_t *pool, uint32_t *seed)
{
	uint8_t v = dec_u8(d);

	*pool = dec_s64(d);
	*seed = dec_le32(d);
	(void)dec_le32(d); /* preferred */
	if (!d->err && v != 1)
		dec_fail(d, CEPHC_EDECODE);
}

/* object_locator_t (v3..6): pool, preferred, key, (v5) nspace, (v6) hash. */
static void dec_oloc(struct cephc_dec *d, struct cephc_osd_reply *r)
{
	struct cephc_dec b;
	uint8_t v;

	if (dec_envelope(d, 6, &v, &b))
		return;
	if (v < 3) {
		dec_fail(d, CEPHC_EDECODE);
		return;
	}
	r->redirect_pool = dec_s64(&b);
	(void)dec_le32(&b);
	r->redirect_key =
	    dec_blob(&b, &r->redirect_key_len, CEPHC_OSD_NAME_MAX);
	if (v >= 5)
		r->redirect_nspace =
		    dec_blob(&b, &r->redirect_nspace_len, CEPHC_OSD_NAME_MAX);
	dec_envelope_end(d, &b);
}

/* request_redirect_t v1: object_locator_t, string object, bl instr. */
static void dec_redirect(struct cephc_dec *d, struct cephc_osd_reply *r)
{
	struct cephc_dec b;
	uint32_t n;

	if (dec_envelope(d, 1, NULL, &b))
		return;
	dec_oloc(&b, r);
	r->redirect_object =
	    dec_blob(&b, &r->redirect_object_len, CEPHC_OSD_NAME_MAX);
	(void)dec_blob(&b, &n, CEPHC_OSD_OUT_MAX); /* osd_instructions */
	dec_envelope_end(d, &b);
}

int cephc_osd_reply_decode(const void *front, size_t len, uint16_t version,
			   struct cephc_osd_reply *r)
{
	struct cephc_dec d;
	uint8_t redir;
	uint32_t i;

	memset(r, 0, sizeof(*r));
	if (version < CEPHC_OSD_OPREPLY_MIN_VERSION)
		return CEPHC_ECOMPAT;
	dec_init(&d, front, len);
	r->oid = dec_blob(&d, &r->oid_len, CEPHC_OSD_NAME_MAX);
	dec_pgid(&d, &r->pg_pool, &r->pg_seed);
	r->flags = dec_le64(&d);
	r->result = dec_s32(&d);
	r->bad_replay_version = dec_le64(&d);
	r->bad_replay_epoch = dec_le32(&d);
	r->osdmap_epoch = dec_le32(&d);
	r->num_ops = dec_count(&d, CEPHC_OSD_MAX_OPS, CEPHC_OSD_OP_WIRE_LEN);
	if (d.err)
		return d.err;
	for (i = 0; i < r->num_ops; i++) {
		struct cephc_osd_reply_op *op = &r->ops[i];

		op->op = dec_le16(&d);
		op->flags = dec_le32(&d);
		dec_skip(&d, CEPHC_OSD_OP_UNION_LEN);
		op->outdata_len = dec_le32(&d);
	}
	r->retry_attempt = dec_s32(&d);
	for (i = 0; i < r->num_ops; i++)
		r->ops[i].rval = dec_s32(&d);
	/* v5: replay version + user version. */
	r->replay_version = dec_le64(&d);
	r->replay_epoch = dec_le32(&d);
	r->user_version = dec_le64(&d);
	/* v6 always carries a redirect; v7 prefixes it with a flag. */
	redir = 0;
	if (version >= 7)
		redir = dec_u8(&d);
	else if (version == 6)
		redir = 1;
	if (redir && !d.err) {
		r->redirect = true;
		dec_redirect(&d, r);
	}
	/* v8 appends a trace (and later fields): ignored. */
	return d.err;
}

/*
 * The op a reply echoes is the op as the OSD executed it: a ZERO whose range
 * reaches the end of the object comes back as the TRUNCATE the OSD turned it
 * into (seen on 16.2.15).  Anything else must echo what was sent.
 */
static bool reply_op_matches(uint16_t sent, uint16_t replied)
{
	return sent == replied ||
	       (sent == CEPHC_OSD_OP_ZERO && replied == CEPHC_OSD_OP_TRUNCATE);
}

int cephc_osd_reply_apply(const struct cephc_osd_reply *r,
			  struct cephc_osd_ops *ops, uint32_t data_len)
{
	uint64_t sum = 0;
	bool positive_ok = false;
	unsigned i;

	if (r->num_ops != ops->num_ops)
		return CEPHC_EDECODE;
	for (i = 0; i < r->num_ops; i++) {
		const struct cephc_osd_reply_op *ro = &r->ops[i];
		struct cephc_osd_op *op = &ops->ops[i];

		if (!reply_op_matches(op->op_code, ro->op))
			return CEPHC_EDECODE;
		/* A pure write op never succeeds with a positive value. */
		if (ro->rval > 0 && cephc_osd_op_is_write(op->op_code))
			return CEPHC_EDECODE;
		if (!cephc_osd_op_is_write(op->op_code))
			positive_ok = true;
		if (ro->outdata_len > op->op_out_max)
			return CEPHC_ETOOBIG;
		sum += ro->outdata_len;
	}
	if (sum != data_len)
		return CEPHC_EDECODE;
	if (r->result > 0 && !positive_ok)
		return CEPHC_EDECODE;
	for (i = 0; i < r->num_ops; i++) {
		ops->ops[i].op_rval = r->ops[i].rval;
		ops->ops[i].op_outdata_len = r->ops[i].outdata_len;
		ops->ops[i].op_outdata = NULL;
	}
	return 0;
}

static int plan_push(struct cephc_osd_rx_plan *plan, void *base, size_t len)
{
	struct iovec *last = plan->nseg ? &plan->seg[plan->nseg - 1] : NULL;

	if (!len)
		return 0;
	/* Adjacent scratch regions merge into one segment. */
	if (last && (uint8_t *)last->iov_base + last->iov_len == base) {
		last->iov_len += len;
	} else {
		if (plan->nseg >= CEPHC_OSD_RX_SEGS_MAX)
			return CEPHC_E2BIG;
		plan->seg[plan->nseg].iov_base = base;
		plan->seg[plan->nseg].iov_len = len;
		plan->nseg++;
	}
	plan->total += len;
	return 0;
}

int cephc_osd_rx_plan_build(struct cephc_osd_rx_plan *plan,
			    struct cephc_osd_ops *ops)
{
	size_t scratch = 0, off = 0;
	unsigned i, j;
	int err;

	memset(plan, 0, sizeof(*plan));
	for (i = 0; i < ops->num_ops; i++)
		if (ops->ops[i].op_out_kind != CEPHC_OSD_OUT_DATA)
			scratch += ops->ops[i].op_outdata_len;
	if (scratch) {
		plan->scratch = cephc_malloc(scratch);
		if (!plan->scratch)
			return CEPHC_ENOMEM;
		plan->scratch_len = scratch;
	}
	for (i = 0; i < ops->num_ops; i++) {
		struct cephc_osd_op *op = &ops->ops[i];
		size_t left = op->op_outdata_len;
		const struct iovec *out;

		if (op->op_out_kind != CEPHC_OSD_OUT_DATA) {
			if (!left) /* no out-data: no view (scratch may be NULL)
				    */
				continue;
			op->op_outdata = plan->scratch + off;
			err = plan_push(plan, plan->scratch + off, left);
			off += left;
			if (err)
				goto fail;
			continue;
		}
		/* Caller buffers: as much of the iovec as the data fills. */
		out = op->op_out_iov ? op->op_out_iov : op->op_out_inline;
		for (j = 0; j < op->op_out_cnt && left; j++) {
			size_t n = out[j].iov_len;

			if (n > left)
				n = left;
			err = plan_push(plan, out[j].iov_base, n);
			if (err)
				goto fail;
			left -= n;
		}
		if (left) { /* apply() bounds this; defensive */
			err = CEPHC_ETOOBIG;
			goto fail;
		}
	}
	return 0;
fail:
	cephc_osd_rx_plan_release(plan);
	return err;
}

int cephc_osd_rx_plan_copy_in(const struct cephc_osd_rx_plan *plan,
			      const void *data, size_t len)
{
	const uint8_t *p = data;
	unsigned i;

	if (len != plan->total)
		return CEPHC_EINVAL;
	for (i = 0; i < plan->nseg; i++) {
		memcpy(plan->seg[i].iov_base, p, plan->seg[i].iov_len);
		p += plan->seg[i].iov_len;
	}
	return 0;
}

void cephc_osd_rx_plan_release(struct cephc_osd_rx_plan *plan)
{
	cephc_free(plan->scratch);
	memset(plan, 0, sizeof(*plan));
}

/* ---- MOSDBackoff ---- */

static void dec_spgid(struct cephc_dec *d, int64_t *pool, uint32_t *seed,
		      int8_t *shard)
{
	struct cephc_dec b;

	if (dec_envelope(d, 1, NULL, &b))
		return;
	dec_pgid(&b, pool, seed);
	*shard = (int8_t)dec_u8(&b);
	dec_envelope_end(d, &b);
}

int cephc_osd_backoff_decode(const void *front, size_t len,
			     struct cephc_osd_backoff *b)
{
	struct cephc_dec d;

	memset(b, 0, sizeof(*b));
	dec_init(&d, front, len);
	dec_spgid(&d, &b->pg_pool, &b->pg_seed, &b->pg_shard);
	b->map_epoch = dec_le32(&d);
	b->op = dec_u8(&d);
	b->id = dec_le64(&d);
	if (d.err)
		return d.err;
	if (cephc_hobject_decode(&d, &b->begin) ||
	    cephc_hobject_decode(&d, &b->end))
		return d.err;
	if (b->op < CEPHC_OSD_BACKOFF_BLOCK ||
	    b->op > CEPHC_OSD_BACKOFF_UNBLOCK)
		return CEPHC_EDECODE;
	/* An inverted range would block nothing or everything: refuse. */
	if (cephc_hobject_cmp(&b->begin, &b->end) > 0)
		return CEPHC_EDECODE;
	return 0;
}

bool cephc_osd_backoff_covers(const struct cephc_osd_backoff *b,
			      const struct cephc_hobject *h)
{
	return cephc_hobject_cmp(h, &b->begin) >= 0 &&
	       cephc_hobject_cmp(h, &b->end) < 0;
}

size_t cephc_osd_backoff_ack_len(const struct cephc_osd_backoff *b)
{
	return ENV_LEN + PGID_LEN + 1 + 4 + 1 + 8 +
	       cephc_hobject_encoded_len(&b->begin) +
	       cephc_hobject_encoded_len(&b->end);
}

int cephc_osd_backoff_ack_encode(const struct cephc_osd_backoff *b,
				 uint32_t map_epoch, void *buf, size_t cap,
				 size_t *len)
{
	struct cephc_enc e;

	enc_init(&e, buf, cap);
	enc_spgid(&e, b->pg_pool, b->pg_seed, b->pg_shard);
	enc_le32(&e, map_epoch);
	enc_u8(&e, CEPHC_OSD_BACKOFF_ACK_BLOCK);
	enc_le64(&e, b->id);
	cephc_hobject_encode(&e, &b->begin);
	cephc_hobject_encode(&e, &b->end);
	if (e.err)
		return e.err;
	*len = enc_len(&e);
	return 0;
}

/* ---- MWatchNotify ---- */

int cephc_osd_watch_notify_decode(const void *front, size_t len,
				  uint16_t hdr_version,
				  struct cephc_osd_watch_notify *n)
{
	struct cephc_dec d;

	memset(n, 0, sizeof(*n));
	dec_init(&d, front, len);
	n->proto_ver = dec_u8(&d);
	n->opcode = dec_u8(&d);
	n->cookie = dec_le64(&d);
	n->ver = dec_le64(&d);
	n->notify_id = dec_le64(&d);
	/* The payload follows from proto_ver 1; the later fields are keyed
	 * on the message header version, as the kernel decodes them. */
	if (n->proto_ver >= 1)
		n->payload = dec_blob(&d, &n->payload_len, CEPHC_OSD_OUT_MAX);
	if (hdr_version >= 2)
		n->return_code = dec_s32(&d);
	if (hdr_version >= 3)
		n->notifier_gid = dec_le64(&d);
	if (d.err)
		return d.err;
	if (n->opcode < CEPHC_WATCH_EVENT_NOTIFY ||
	    n->opcode > CEPHC_WATCH_EVENT_DISCONNECT)
		return CEPHC_EDECODE;
	return 0;
}
