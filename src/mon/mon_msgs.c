/* SPDX-License-Identifier: MIT */
#include "mon/mon_msgs.h"

#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

/* have_version 0, session_mon -1 (u16), session_mon_tid 0. */
static void mon_request_header_encode(struct cephc_enc *e)
{
	enc_le64(e, 0);
	enc_le16(e, 0xffff);
	enc_le64(e, 0);
}

size_t cephc_mauth_size(uint32_t payload_len)
{
	return CEPHC_MON_REQUEST_HEADER_LEN + 4 + 4 + (size_t)payload_len;
}

void cephc_mauth_encode(struct cephc_enc *e, uint32_t protocol,
			const void *payload, uint32_t payload_len)
{
	mon_request_header_encode(e);
	enc_le32(e, protocol);
	enc_blob(e, payload, payload_len);
}

int cephc_mauth_reply_decode(struct cephc_dec *d, struct cephc_mauth_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->protocol = dec_le32(d);
	r->result = dec_s32(d);
	r->global_id = dec_le64(d);
	r->payload = dec_blob(d, &r->payload_len, CEPHC_AUTH_PAYLOAD_MAX);
	/* result_msg is absent from very old monitors: tolerate its absence */
	if (!d->err && dec_left(d) >= 4)
		r->result_msg = (const char *)dec_blob(
		    d, &r->result_msg_len, CEPHC_AUTH_RESULT_MSG_MAX);
	return d->err;
}

/* mon_feature_t: versioned(1,1) { le64 features }; we only skip it. */
static void skip_mon_feature(struct cephc_dec *d)
{
	struct cephc_dec b;
	uint8_t v;

	if (dec_envelope(d, 1, &v, &b) == 0)
		dec_envelope_end(d, &b);
}

static void copy_name(char *dst, const uint8_t *src, uint32_t len)
{
	memcpy(dst, src, len);
	dst[len] = '\0';
}

/* mon_info_t (v1+): string name, addrvec public_addrs, [v2+ le16 priority],
 * [v4+ le16 weight], [v5+ crush_loc map]; the envelope skips the rest. */
static void mon_info_decode(struct cephc_dec *d, struct cephc_mon_info *mi)
{
	struct cephc_dec b;
	uint8_t v;
	uint32_t len;

	if (dec_envelope(d, 1, &v, &b))
		return;
	const uint8_t *name = dec_blob(&b, &len, CEPHC_MON_NAME_MAX - 1);
	if (name)
		copy_name(mi->name, name, len);
	cephc_addrvec_decode(&b, mi->addrs, CEPHC_MON_ADDRS_MAX,
			     &mi->num_addrs);
	if (v >= 2)
		mi->priority = dec_le16(&b);
	if (v >= 4)
		mi->weight = dec_le16(&b);
	dec_envelope_end(d, &b);
}

int cephc_monmap_decode(struct cephc_dec *d, struct cephc_monmap *m)
{
	struct cephc_dec b;
	uint8_t v;
	uint32_t len;

	memset(m, 0, sizeof(*m));
	/* Ceph can still read v3..v9; the compat field says 6 on 16.2.15, and
	 * nothing newer than v9 changes what a client reads here. */
	if (dec_envelope(d, 9, &v, &b))
		return d->err;
	if (v < 3)
		return dec_fail(d, CEPHC_ECOMPAT);
	dec_copy(&b, m->fsid, 16);
	m->epoch = dec_le32(&b);
	if (v < 6) {
		/* map<string, entity_addr_t> of legacy-or-new addresses */
		uint32_t n = dec_count(&b, CEPHC_MON_MAX, 4 + 1);
		for (uint32_t i = 0; i < n && !b.err; i++) {
			struct cephc_mon_info *mi = &m->mons[i];
			const uint8_t *name =
			    dec_blob(&b, &len, CEPHC_MON_NAME_MAX - 1);
			if (name)
				copy_name(mi->name, name, len);
			if (cephc_addr_decode(&b, &mi->addrs[0]) == 0)
				mi->num_addrs = 1;
		}
		m->num_mons = b.err ? 0 : n;
		return dec_envelope_end(d, &b);
	}
	dec_skip(&b, 8); /* last_changed */
	dec_skip(&b, 8); /* created */
	skip_mon_feature(&b);
	skip_mon_feature(&b);
	/* map<string name, mon_info_t> */
	uint32_t n = dec_count(&b, CEPHC_MON_MAX, 4 + 6);
	for (uint32_t i = 0; i < n && !b.err; i++) {
		(void)dec_blob(&b, &len, CEPHC_MON_NAME_MAX - 1); /* key */
		mon_info_decode(&b, &m->mons[i]);
	}
	m->num_mons = b.err ? 0 : n;
	return dec_envelope_end(d, &b);
}

int cephc_monmap_msg_decode(struct cephc_dec *d, struct cephc_monmap *m)
{
	uint32_t len;
	const uint8_t *blob = dec_blob(d, &len, 16u << 20);
	struct cephc_dec inner;

	memset(m, 0, sizeof(*m));
	if (!blob)
		return d->err;
	dec_init(&inner, blob, len);
	if (cephc_monmap_decode(&inner, m))
		return dec_fail(d, inner.err);
	return 0;
}

size_t cephc_mon_subscribe_size(const struct cephc_mon_sub *subs, uint32_t n)
{
	size_t sz = 4;

	for (uint32_t i = 0; i < n; i++)
		sz += 4 + strlen(subs[i].what) + 8 + 1;
	return sz;
}

void cephc_mon_subscribe_encode(struct cephc_enc *e,
				const struct cephc_mon_sub *subs, uint32_t n)
{
	enc_le32(e, n);
	for (uint32_t i = 0; i < n; i++) {
		enc_string(e, subs[i].what);
		enc_le64(e, subs[i].start);
		enc_u8(e, subs[i].flags);
	}
}

size_t cephc_mon_get_version_size(const char *what)
{
	return 8 + 4 + strlen(what);
}

void cephc_mon_get_version_encode(struct cephc_enc *e, uint64_t handle,
				  const char *what)
{
	enc_le64(e, handle);
	enc_string(e, what);
}

int cephc_mon_get_version_reply_decode(struct cephc_dec *d,
				       struct cephc_mon_version_reply *r)
{
	r->handle = dec_le64(d);
	r->newest = dec_le64(d);
	r->oldest = dec_le64(d); /* header version 2+ */
	return d->err;
}

size_t cephc_mon_command_size(const char *json)
{
	return CEPHC_MON_REQUEST_HEADER_LEN + 16 + 4 + 4 + strlen(json);
}

void cephc_mon_command_encode(struct cephc_enc *e, const uint8_t fsid[16],
			      const char *json)
{
	mon_request_header_encode(e);
	enc_bytes(e, fsid, 16);
	enc_le32(e, 1); /* vector<string> with one element */
	enc_string(e, json);
}

int cephc_mon_command_ack_decode(struct cephc_dec *d,
				 struct cephc_mon_command_ack *a)
{
	memset(a, 0, sizeof(*a));
	dec_skip(d, CEPHC_MON_REQUEST_HEADER_LEN);
	a->r = dec_s32(d);
	a->rs = (const char *)dec_blob(d, &a->rs_len, CEPHC_MON_CMD_RS_MAX);
	/* the echoed cmd vector follows; nothing in it we need */
	return d->err;
}

/* map<epoch_t, bufferlist>: le32 count, then (le32 epoch, le32 len, bytes).
 * Epochs must ascend strictly, as std::map encodes them. */
static int osdmap_blob_map_decode(struct cephc_dec *d,
				  struct cephc_osdmap_blob **out, uint32_t *num)
{
	uint32_t n = dec_count(d, CEPHC_OSDMAP_MSG_MAPS_MAX, 8);

	*out = NULL;
	*num = 0;
	if (d->err || n == 0)
		return d->err;
	struct cephc_osdmap_blob *v = cephc_malloc_array(n, sizeof(*v));
	if (!v)
		return dec_fail(d, CEPHC_ENOMEM);
	for (uint32_t i = 0; i < n; i++) {
		v[i].epoch = dec_le32(d);
		v[i].data = dec_blob(d, &v[i].len, CEPHC_OSDMAP_BLOB_MAX);
		if (!d->err && i > 0 && v[i].epoch <= v[i - 1].epoch)
			dec_fail(d, CEPHC_EDECODE);
		if (d->err)
			break;
	}
	*out = v;
	*num = d->err ? 0 : n;
	return d->err;
}

int cephc_osdmap_msg_decode(struct cephc_dec *d, struct cephc_osdmap_msg *m)
{
	memset(m, 0, sizeof(*m));
	dec_copy(d, m->fsid, 16);
	if (osdmap_blob_map_decode(d, &m->incs, &m->num_incs))
		return d->err;
	if (osdmap_blob_map_decode(d, &m->fulls, &m->num_fulls))
		return d->err;
	/* oldest/newest were added in header version 2; tolerate absence */
	if (dec_left(d) >= 8) {
		m->oldest = dec_le32(d);
		m->newest = dec_le32(d);
	}
	return d->err;
}

void cephc_osdmap_msg_release(struct cephc_osdmap_msg *m)
{
	cephc_free(m->incs);
	cephc_free(m->fulls);
	m->incs = m->fulls = NULL;
	m->num_incs = m->num_fulls = 0;
}

void cephc_fsid_format(const uint8_t f[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
		 "%02x%02x%02x%02x%02x%02x",
		 f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9],
		 f[10], f[11], f[12], f[13], f[14], f[15]);
}

/* ---- MPoolOp / MPoolOpReply ---------------------------------------------- */

size_t cephc_mpoolop_size(const char *name)
{
	/* header, fsid, pool, op, auid, snapid, name, pad, crush_rule */
	return CEPHC_MON_REQUEST_HEADER_LEN + 16 + 4 + 4 + 8 + 8 + 4 +
	       (name ? strlen(name) : 0) + 1 + 2;
}

void cephc_mpoolop_encode(struct cephc_enc *e, const uint8_t fsid[16],
			  uint64_t map_epoch, uint32_t pool, uint32_t op,
			  uint64_t snapid, const char *name)
{
	/* The paxos version is the OSDMap epoch we hold: the monitor waits
	 * until its own map is at least that new before it answers. */
	enc_le64(e, map_epoch);
	enc_le16(e, 0xffff);
	enc_le64(e, 0);
	enc_bytes(e, fsid, 16);
	enc_le32(e, pool);
	enc_le32(e, op);
	enc_le64(e, 0); /* auid: unused since Nautilus */
	enc_le64(e, snapid);
	enc_string(e, name ? name : "");
	enc_u8(e, 0);   /* pad (v3 moved crush_rule out of this byte) */
	enc_le16(e, 0); /* crush_rule: pool creation only */
}

int cephc_mpoolop_reply_decode(struct cephc_dec *d,
			       struct cephc_mpoolop_reply *r)
{
	uint8_t has;

	memset(r, 0, sizeof(*r));
	r->version = dec_le64(d);
	dec_skip(d, 2 + 8); /* session_mon, session_mon_tid */
	dec_copy(d, r->fsid, 16);
	r->code = dec_s32(d);
	r->epoch = dec_le32(d);
	has = dec_u8(d);
	if (!d->err && has > 1)
		return dec_fail(d, CEPHC_EDECODE);
	r->has_data = has == 1;
	if (r->has_data)
		r->data =
		    dec_blob(d, &r->data_len, CEPHC_POOLOP_REPLY_DATA_MAX);
	/* a positive code is no errno: refuse it rather than report success */
	if (!d->err && r->code > 0)
		return dec_fail(d, CEPHC_EDECODE);
	return d->err;
}

int cephc_mpoolop_reply_snapid(const struct cephc_mpoolop_reply *r,
			       uint64_t *snapid)
{
	struct cephc_dec d;

	if (!r->has_data || !r->data)
		return CEPHC_EDECODE;
	dec_init(&d, r->data, r->data_len);
	*snapid = dec_le64(&d);
	return d.err;
}
