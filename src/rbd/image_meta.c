/* SPDX-License-Identifier: MIT */
/* Image metadata gathered from cls rbd replies; see image_meta.h. */
#include "rbd/image_meta.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"

static const char *const reply_methods[] = {
#define X(e, m) m,
    CEPHC_RBD_REPLY_TABLE(X)
#undef X
};

const char *cephc_rbd_reply_method(enum cephc_rbd_reply r)
{
	if ((unsigned)r >= CEPHC_RBD_REPLY_COUNT)
		return NULL;
	return reply_methods[r];
}

int cephc_rbd_reply_from_method(const char *method)
{
	for (unsigned i = 0; i < CEPHC_RBD_REPLY_COUNT; i++)
		if (strcmp(method, reply_methods[i]) == 0)
			return (int)i;
	return CEPHC_EINVAL;
}

void cephc_rbd_meta_init(struct cephc_rbd_image_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->data_pool_id = CEPHC_RBD_POOL_NONE;
	m->parent.pool_id = CEPHC_RBD_POOL_NONE;
	m->parent.snap_id = CEPHC_RBD_NOSNAP;
}

static void free_snaps(struct cephc_rbd_image_meta *m)
{
	for (uint32_t i = 0; i < m->num_snaps; i++)
		cephc_free(m->snaps[i].name);
	cephc_free(m->snaps);
	cephc_free(m->snap_ids);
	m->snaps = NULL;
	m->snap_ids = NULL;
	m->num_snaps = 0;
}

void cephc_rbd_meta_clear(struct cephc_rbd_image_meta *m)
{
	cephc_free(m->id);
	cephc_free(m->object_prefix);
	free_snaps(m);
	cephc_rbd_parent_spec_clear(&m->parent);
	cephc_rbd_meta_init(m);
}

/* Replace an owned string. */
static void set_str(char **dst, char *s)
{
	cephc_free(*dst);
	*dst = s;
}

/*
 * A new snap context keeps what is known about snapshots that are still
 * in it (so a refresh needs snapshot_get only for new ids).
 */
static int apply_snapcontext(struct cephc_rbd_image_meta *m, const void *buf,
			     size_t len)
{
	uint64_t seq, *ids;
	uint32_t n;
	struct cephc_rbd_snap *snaps = NULL;
	int r = cephc_rbd_dec_get_snapcontext(buf, len, &seq, &ids, &n);

	if (r)
		return r;
	if (n) {
		snaps = cephc_calloc(n, sizeof(*snaps));
		if (!snaps) {
			cephc_free(ids);
			return CEPHC_ENOMEM;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		snaps[i].id = ids[i];
		for (uint32_t j = 0; j < m->num_snaps; j++) {
			if (m->snaps[j].id != ids[i])
				continue;
			snaps[i] = m->snaps[j];
			m->snaps[j].name = NULL; /* moved */
			break;
		}
	}
	free_snaps(m);
	m->snap_seq = seq;
	m->snap_ids = ids;
	m->snaps = snaps;
	m->num_snaps = n;
	return 0;
}

static int apply_snapshot(struct cephc_rbd_image_meta *m, const void *buf,
			  size_t len)
{
	struct cephc_rbd_snap_info si;
	int r = cephc_rbd_dec_snapshot_get(buf, len, &si);

	if (r)
		return r;
	for (uint32_t i = 0; i < m->num_snaps; i++) {
		struct cephc_rbd_snap *s = &m->snaps[i];

		if (s->id != si.id)
			continue;
		set_str(&s->name, si.name);
		cephc_free(si.trash_original_name); /* not kept here */
		s->size = si.image_size;
		s->ns_type = si.ns_type;
		s->timestamp = si.timestamp;
		s->child_count = si.child_count;
		return 0;
	}
	cephc_rbd_snap_info_clear(&si);
	return CEPHC_ENOENT;
}

int cephc_rbd_meta_apply(struct cephc_rbd_image_meta *m,
			 enum cephc_rbd_reply kind, const void *buf, size_t len,
			 bool read_only)
{
	struct cephc_rbd_parent_spec ps;
	uint64_t a, b;
	int64_t pool;
	uint8_t order;
	bool has;
	char *s;
	int r;

	switch (kind) {
	case CEPHC_RBD_REPLY_GET_ID:
		r = cephc_rbd_dec_get_id(buf, len, &s);
		if (!r)
			set_str(&m->id, s);
		break;
	case CEPHC_RBD_REPLY_OBJECT_PREFIX:
		r = cephc_rbd_dec_get_object_prefix(buf, len, &s);
		if (!r)
			set_str(&m->object_prefix, s);
		break;
	case CEPHC_RBD_REPLY_FEATURES:
		r = cephc_rbd_dec_get_features(buf, len, &a, &b);
		if (!r) {
			m->features = a;
			m->incompatible_features = b;
			m->features_read_only = read_only;
		}
		break;
	case CEPHC_RBD_REPLY_SIZE:
		r = cephc_rbd_dec_get_size(buf, len, &order, &a);
		if (!r) {
			m->order = order;
			m->size = a;
		}
		break;
	case CEPHC_RBD_REPLY_SNAPCONTEXT:
		r = apply_snapcontext(m, buf, len);
		break;
	case CEPHC_RBD_REPLY_SNAPSHOT:
		r = apply_snapshot(m, buf, len);
		break;
	case CEPHC_RBD_REPLY_FLAGS:
		r = cephc_rbd_dec_get_flags(buf, len, &a);
		if (!r)
			m->flags = a;
		break;
	case CEPHC_RBD_REPLY_STRIPE:
		r = cephc_rbd_dec_get_stripe_unit_count(buf, len, &a, &b);
		if (!r) {
			m->stripe_unit = a;
			m->stripe_count = b;
		}
		break;
	case CEPHC_RBD_REPLY_DATA_POOL:
		r = cephc_rbd_dec_get_data_pool(buf, len, &pool);
		if (!r)
			m->data_pool_id = pool;
		break;
	case CEPHC_RBD_REPLY_PARENT:
		r = cephc_rbd_dec_parent_get(buf, len, &ps);
		if (!r) {
			cephc_rbd_parent_spec_clear(&m->parent);
			m->parent = ps;
		}
		break;
	case CEPHC_RBD_REPLY_LEGACY_PARENT:
		r = cephc_rbd_dec_get_parent(buf, len, &ps, &a);
		if (!r) {
			cephc_rbd_parent_spec_clear(&m->parent);
			m->parent = ps;
			/* the legacy reply carries the overlap itself */
			m->has_parent_overlap = ps.pool_id >= 0;
			m->parent_overlap = a;
		}
		break;
	case CEPHC_RBD_REPLY_PARENT_OVERLAP:
		r = cephc_rbd_dec_parent_overlap_get(buf, len, &has, &a);
		if (!r) {
			m->has_parent_overlap = has;
			m->parent_overlap = a;
		}
		break;
	case CEPHC_RBD_REPLY_CREATE_TIMESTAMP:
		r = cephc_rbd_dec_timestamp(buf, len, &m->create_ts);
		break;
	case CEPHC_RBD_REPLY_ACCESS_TIMESTAMP:
		r = cephc_rbd_dec_timestamp(buf, len, &m->access_ts);
		break;
	case CEPHC_RBD_REPLY_MODIFY_TIMESTAMP:
		r = cephc_rbd_dec_timestamp(buf, len, &m->modify_ts);
		break;
	case CEPHC_RBD_REPLY_OP_FEATURES:
		r = cephc_rbd_dec_op_features_get(buf, len, &a);
		if (!r)
			m->op_features = a;
		break;
	default:
		return CEPHC_EINVAL;
	}
	if (!r)
		m->have |= UINT32_C(1) << kind;
	return r;
}

#define HAVE(m, k) ((m)->have & (UINT32_C(1) << CEPHC_RBD_REPLY_##k))

int cephc_rbd_meta_finish(struct cephc_rbd_image_meta *m)
{
	uint64_t obj_size, unsupported;

	if (!HAVE(m, OBJECT_PREFIX) || !HAVE(m, FEATURES) || !HAVE(m, SIZE) ||
	    !HAVE(m, SNAPCONTEXT))
		return CEPHC_EINVAL;
	obj_size = UINT64_C(1) << m->order;
	if (m->features & CEPHC_RBD_FEATURE_STRIPINGV2) {
		if (!HAVE(m, STRIPE))
			return CEPHC_EINVAL;
		/* librbd: the unit divides the object size */
		if (m->stripe_unit > obj_size || obj_size % m->stripe_unit)
			return CEPHC_EDECODE;
	} else {
		m->stripe_unit = obj_size;
		m->stripe_count = 1;
	}
	if (m->features & CEPHC_RBD_FEATURE_DATA_POOL) {
		if (!HAVE(m, DATA_POOL))
			return CEPHC_EINVAL;
	} else {
		m->data_pool_id = CEPHC_RBD_POOL_NONE;
	}
	/* The server's answer decides; our own table backs it up. */
	if (m->features_read_only)
		unsupported = cephc_rbd_features_unsupported_for_read(
		    m->incompatible_features |
		    (m->features & CEPHC_RBD_FEATURES_INCOMPATIBLE));
	else
		unsupported = cephc_rbd_features_unsupported_for_write_ops(
		    m->incompatible_features | m->features, m->op_features);
	if (unsupported)
		return CEPHC_EFEATURES;
	return 0;
}

const struct cephc_rbd_snap *
cephc_rbd_meta_snap_by_name(const struct cephc_rbd_image_meta *m,
			    const char *name)
{
	for (uint32_t i = 0; i < m->num_snaps; i++)
		if (m->snaps[i].name && strcmp(m->snaps[i].name, name) == 0)
			return &m->snaps[i];
	return NULL;
}

static size_t fmt_len(int n)
{
	return n < 0 ? 0 : (size_t)n;
}

size_t cephc_rbd_id_object_name(const char *image_name, char *buf, size_t cap)
{
	return fmt_len(snprintf(buf, cap, "rbd_id.%s", image_name));
}

size_t cephc_rbd_header_object_name(const char *id, char *buf, size_t cap)
{
	return fmt_len(snprintf(buf, cap, "rbd_header.%s", id));
}

size_t cephc_rbd_object_map_name(const char *id, uint64_t snap_id, char *buf,
				 size_t cap)
{
	if (snap_id == CEPHC_RBD_NOSNAP)
		return fmt_len(snprintf(buf, cap, "rbd_object_map.%s", id));
	return fmt_len(
	    snprintf(buf, cap, "rbd_object_map.%s.%016" PRIx64, id, snap_id));
}

size_t cephc_rbd_data_object_name(const char *object_prefix, uint64_t objno,
				  char *buf, size_t cap)
{
	/* "PREFIX.%016" PRIx64 (16 lowercase zero-padded hex digits, as
	 * librbd and the kernel), with snprintf's return and truncation.
	 * Formatted by hand: this runs for every object of every I/O, and
	 * snprintf was 3% of a 4 KiB write's client CPU. */
	static const char hex[] = "0123456789abcdef";
	size_t plen = strlen(object_prefix), len = plen + 17, n, a;
	char tail[17];

	tail[0] = '.';
	for (int i = 16; i >= 1; i--, objno >>= 4)
		tail[i] = hex[objno & 0xf];
	if (cap) {
		n = len < cap ? len : cap - 1; /* bytes that fit */
		a = plen < n ? plen : n;
		memcpy(buf, object_prefix, a);
		memcpy(buf + a, tail, n - a);
		buf[n] = '\0';
	}
	return len;
}
