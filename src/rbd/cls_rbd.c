/* SPDX-License-Identifier: MIT */
/* cls "rbd" method inputs and outputs; see cls_rbd.h for the wire forms. */
#include "rbd/cls_rbd.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/crc32c.h"
#include "core/decode.h"

/* Versions of the versioned structs we understand (all 1 in Pacific). */
#define SNAP_INFO_COMPAT 1
#define SNAP_NS_COMPAT 1
#define PARENT_SPEC_COMPAT 1
#define BITVECTOR_HEADER_COMPAT 1
/* A BitVector header is 14 bytes (envelope + le64); allow growth. */
#define BITVECTOR_HEADER_MAX 256
/* BitVector data crcs cover 4096-byte blocks. */
#define BITVECTOR_BLOCK 4096

/* ---- encoder helpers ------------------------------------------------- */

/* A string argument, refused when longer than max. */
static int put_str(struct cephc_enc *e, const char *s, size_t max)
{
	size_t n;

	if (!s)
		return CEPHC_EINVAL;
	n = strlen(s);
	if (n > max)
		return CEPHC_ENAMETOOLONG;
	enc_blob(e, s, (uint32_t)n);
	return e->err;
}

/* A paged listing's input: string start_after, le64 max_return. */
static int enc_list(struct cephc_enc *e, const char *start_after, size_t max,
		    uint64_t max_return)
{
	int r = put_str(e, start_after, max);

	if (r)
		return r;
	enc_le64(e, max_return);
	return e->err;
}

/* A name or id argument that must not be empty. */
static int put_name(struct cephc_enc *e, const char *s, size_t max)
{
	if (s && !s[0])
		return CEPHC_EINVAL;
	return put_str(e, s, max);
}

int cephc_rbd_enc_set_id(struct cephc_enc *e, const char *id)
{
	return put_name(e, id, CEPHC_RBD_ID_MAX);
}

static int enc_name_id(struct cephc_enc *e, const char *name, const char *id)
{
	int r = put_str(e, name, CEPHC_RBD_NAME_MAX);

	return r ? r : put_str(e, id, CEPHC_RBD_ID_MAX);
}

int cephc_rbd_enc_dir_add_image(struct cephc_enc *e, const char *name,
				const char *id)
{
	return enc_name_id(e, name, id);
}

int cephc_rbd_enc_dir_remove_image(struct cephc_enc *e, const char *name,
				   const char *id)
{
	return enc_name_id(e, name, id);
}

int cephc_rbd_enc_dir_get_id(struct cephc_enc *e, const char *name)
{
	return put_str(e, name, CEPHC_RBD_NAME_MAX);
}

int cephc_rbd_enc_dir_get_name(struct cephc_enc *e, const char *id)
{
	return put_str(e, id, CEPHC_RBD_ID_MAX);
}

int cephc_rbd_enc_dir_list(struct cephc_enc *e, const char *start_after,
			   uint64_t max_return)
{
	return enc_list(e, start_after, CEPHC_RBD_NAME_MAX, max_return);
}

int cephc_rbd_enc_dir_rename_image(struct cephc_enc *e, const char *src,
				   const char *dest, const char *id)
{
	int r = put_str(e, src, CEPHC_RBD_NAME_MAX);

	if (!r)
		r = put_str(e, dest, CEPHC_RBD_NAME_MAX);
	if (!r)
		r = put_str(e, id, CEPHC_RBD_ID_MAX);
	return r;
}

int cephc_rbd_enc_create(struct cephc_enc *e, uint64_t size, uint8_t order,
			 uint64_t features, const char *object_prefix,
			 int64_t data_pool_id)
{
	int r;

	/* The OSD checks these too; fail early with a clear code. */
	if (order < CEPHC_RBD_MIN_ORDER || order > CEPHC_RBD_MAX_ORDER)
		return CEPHC_EINVAL;
	if (!object_prefix || !object_prefix[0])
		return CEPHC_EINVAL;
	if (data_pool_id < CEPHC_RBD_POOL_NONE)
		return CEPHC_EINVAL;
	enc_le64(e, size);
	enc_u8(e, order);
	enc_le64(e, features);
	r = put_str(e, object_prefix, CEPHC_RBD_OBJECT_PREFIX_MAX);
	if (r)
		return r;
	enc_le64(e, (uint64_t)data_pool_id);
	return e->err;
}

/* Methods whose input is exactly one le64 snap id. */
int cephc_rbd_enc_snap_id(struct cephc_enc *e, uint64_t snap_id)
{
	enc_le64(e, snap_id);
	return e->err;
}

int cephc_rbd_enc_get_size(struct cephc_enc *e, uint64_t snap_id)
{
	return cephc_rbd_enc_snap_id(e, snap_id);
}

int cephc_rbd_enc_get_flags(struct cephc_enc *e, uint64_t snap_id)
{
	return cephc_rbd_enc_snap_id(e, snap_id);
}

int cephc_rbd_enc_set_size(struct cephc_enc *e, uint64_t size)
{
	enc_le64(e, size);
	return e->err;
}

int cephc_rbd_enc_get_features(struct cephc_enc *e, uint64_t snap_id,
			       bool read_only)
{
	enc_le64(e, snap_id);
	enc_u8(e, read_only ? 1 : 0);
	return e->err;
}

/* Two le64s: set_features, set_stripe_unit_count. */
static int enc_2x64(struct cephc_enc *e, uint64_t a, uint64_t b)
{
	enc_le64(e, a);
	enc_le64(e, b);
	return e->err;
}

int cephc_rbd_enc_set_features(struct cephc_enc *e, uint64_t features,
			       uint64_t mask)
{
	return enc_2x64(e, features, mask);
}

int cephc_rbd_enc_set_stripe_unit_count(struct cephc_enc *e, uint64_t unit,
					uint64_t count)
{
	if (!unit || !count)
		return CEPHC_EINVAL;
	return enc_2x64(e, unit, count);
}

int cephc_rbd_enc_set_flags(struct cephc_enc *e, uint64_t snap_id,
			    uint64_t flags, uint64_t mask)
{
	/* flags, mask, then the snap id: the order cls_rbd reads them. */
	enc_le64(e, flags);
	enc_le64(e, mask);
	enc_le64(e, snap_id);
	return e->err;
}

int cephc_rbd_enc_snapshot_add(struct cephc_enc *e, uint64_t snap_id,
			       const char *name)
{
	size_t env;
	int r;

	if (name && !name[0])
		return CEPHC_EINVAL;
	r = put_str(e, name, CEPHC_RBD_SNAP_NAME_MAX);
	if (r)
		return r;
	enc_le64(e, snap_id);
	/* SnapshotNamespace: envelope(1,1) around le32 type; user = empty. */
	env = enc_envelope_begin(e, 1, 1);
	enc_le32(e, CEPHC_RBD_SNAP_NS_USER);
	enc_envelope_end(e, env);
	return e->err;
}

int cephc_rbd_enc_metadata_list(struct cephc_enc *e, const char *start_after,
				uint64_t max_return)
{
	return enc_list(e, start_after, CEPHC_RBD_META_KEY_MAX, max_return);
}

int cephc_rbd_enc_object_map_update(struct cephc_enc *e, uint64_t start,
				    uint64_t end, uint8_t new_state,
				    bool have_current, uint8_t current_state)
{
	if (start > end || new_state > CEPHC_RBD_OBJECT_EXISTS_CLEAN ||
	    (have_current && current_state > CEPHC_RBD_OBJECT_EXISTS_CLEAN))
		return CEPHC_EINVAL;
	enc_le64(e, start);
	enc_le64(e, end);
	enc_u8(e, new_state);
	/* optional<u8>: presence byte, then the value when present */
	enc_u8(e, have_current ? 1 : 0);
	if (have_current)
		enc_u8(e, current_state);
	return e->err;
}

int cephc_rbd_enc_object_map_resize(struct cephc_enc *e, uint64_t object_count,
				    uint8_t default_state)
{
	if (object_count > CEPHC_RBD_OBJECT_MAP_MAX_OBJECTS ||
	    default_state > CEPHC_RBD_OBJECT_EXISTS_CLEAN)
		return CEPHC_EINVAL;
	enc_le64(e, object_count);
	enc_u8(e, default_state);
	return e->err;
}

/* ---- decoder helpers ------------------------------------------------- */

/* A reply that is just one string; an empty string is malformed. */
static int dec_one_string(const void *buf, size_t len, uint32_t max, char **out)
{
	struct cephc_dec d;
	char *s;

	*out = NULL;
	dec_init(&d, buf, len);
	s = dec_string_dup(&d, max);
	if (d.err)
		return d.err;
	if (!s[0]) {
		cephc_free(s);
		return CEPHC_EDECODE;
	}
	*out = s;
	return 0;
}

int cephc_rbd_dec_get_id(const void *buf, size_t len, char **id)
{
	return dec_one_string(buf, len, CEPHC_RBD_ID_MAX, id);
}

int cephc_rbd_dec_dir_get_id(const void *buf, size_t len, char **id)
{
	return dec_one_string(buf, len, CEPHC_RBD_ID_MAX, id);
}

int cephc_rbd_dec_dir_get_name(const void *buf, size_t len, char **name)
{
	return dec_one_string(buf, len, CEPHC_RBD_NAME_MAX, name);
}

int cephc_rbd_dec_get_object_prefix(const void *buf, size_t len, char **prefix)
{
	return dec_one_string(buf, len, CEPHC_RBD_OBJECT_PREFIX_MAX, prefix);
}

int cephc_rbd_dec_get_snapshot_name(const void *buf, size_t len, char **name)
{
	return dec_one_string(buf, len, CEPHC_RBD_SNAP_NAME_MAX, name);
}

/* A reply that is one le64. */
static int dec_one_u64(const void *buf, size_t len, uint64_t *v)
{
	struct cephc_dec d;

	dec_init(&d, buf, len);
	*v = dec_le64(&d);
	if (d.err)
		*v = 0;
	return d.err;
}

int cephc_rbd_dec_get_all_features(const void *buf, size_t len,
				   uint64_t *features)
{
	return dec_one_u64(buf, len, features);
}

int cephc_rbd_dec_get_flags(const void *buf, size_t len, uint64_t *flags)
{
	return dec_one_u64(buf, len, flags);
}

int cephc_rbd_dec_op_features_get(const void *buf, size_t len,
				  uint64_t *op_features)
{
	return dec_one_u64(buf, len, op_features);
}

int cephc_rbd_dec_get_data_pool(const void *buf, size_t len, int64_t *pool_id)
{
	uint64_t v;
	int r = dec_one_u64(buf, len, &v);

	*pool_id = (int64_t)v;
	if (!r && *pool_id < CEPHC_RBD_POOL_NONE) {
		*pool_id = CEPHC_RBD_POOL_NONE;
		return CEPHC_EDECODE;
	}
	return r;
}

/* Two le64s. */
static int dec_two_u64(const void *buf, size_t len, uint64_t *a, uint64_t *b)
{
	struct cephc_dec d;

	dec_init(&d, buf, len);
	*a = dec_le64(&d);
	*b = dec_le64(&d);
	if (d.err)
		*a = *b = 0;
	return d.err;
}

int cephc_rbd_dec_get_features(const void *buf, size_t len, uint64_t *features,
			       uint64_t *incompatible)
{
	return dec_two_u64(buf, len, features, incompatible);
}

int cephc_rbd_dec_get_stripe_unit_count(const void *buf, size_t len,
					uint64_t *unit, uint64_t *count)
{
	int r = dec_two_u64(buf, len, unit, count);

	/* A zero unit or count would divide by zero in the striper. */
	if (!r && (!*unit || !*count)) {
		*unit = *count = 0;
		return CEPHC_EDECODE;
	}
	return r;
}

int cephc_rbd_dec_get_size(const void *buf, size_t len, uint8_t *order,
			   uint64_t *size)
{
	struct cephc_dec d;

	dec_init(&d, buf, len);
	*order = dec_u8(&d);
	*size = dec_le64(&d);
	if (!d.err &&
	    (*order < CEPHC_RBD_MIN_ORDER || *order > CEPHC_RBD_MAX_ORDER))
		dec_fail(&d, CEPHC_EDECODE);
	if (d.err) {
		*order = 0;
		*size = 0;
	}
	return d.err;
}

static void dec_time(struct cephc_dec *d, struct cephc_rbd_time *ts)
{
	ts->sec = dec_le32(d);
	ts->nsec = dec_le32(d);
	/* utime_t keeps nsec below one second */
	if (!d->err && ts->nsec >= 1000000000u)
		dec_fail(d, CEPHC_EDECODE);
}

int cephc_rbd_dec_timestamp(const void *buf, size_t len,
			    struct cephc_rbd_time *ts)
{
	struct cephc_dec d;

	dec_init(&d, buf, len);
	dec_time(&d, ts);
	if (d.err)
		ts->sec = ts->nsec = 0;
	return d.err;
}

int cephc_rbd_dec_get_snapshot_timestamp(const void *buf, size_t len,
					 struct cephc_rbd_time *ts)
{
	return cephc_rbd_dec_timestamp(buf, len, ts);
}

int cephc_rbd_dec_get_snapcontext(const void *buf, size_t len, uint64_t *seq,
				  uint64_t **snaps, uint32_t *num_snaps)
{
	struct cephc_dec d;
	uint64_t *ids = NULL;
	uint32_t n;

	*snaps = NULL;
	*num_snaps = 0;
	dec_init(&d, buf, len);
	*seq = dec_le64(&d);
	n = dec_count(&d, CEPHC_RBD_SNAPS_MAX, 8);
	if (d.err)
		goto fail;
	if (n) {
		ids = cephc_malloc_array(n, sizeof(*ids));
		if (!ids) {
			dec_fail(&d, CEPHC_ENOMEM);
			goto fail;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		ids[i] = dec_le64(&d);
		/* newest first, strictly descending, none newer than seq */
		if (ids[i] > *seq || (i && ids[i] >= ids[i - 1]))
			dec_fail(&d, CEPHC_EDECODE);
	}
	if (d.err)
		goto fail;
	*snaps = ids;
	*num_snaps = n;
	return 0;
fail:
	cephc_free(ids);
	*seq = 0;
	return d.err;
}

void cephc_rbd_snap_info_clear(struct cephc_rbd_snap_info *s)
{
	cephc_free(s->name);
	cephc_free(s->trash_original_name);
	memset(s, 0, sizeof(*s));
}

int cephc_rbd_dec_snapshot_get(const void *buf, size_t len,
			       struct cephc_rbd_snap_info *out)
{
	struct cephc_dec d, body, ns;

	memset(out, 0, sizeof(*out));
	dec_init(&d, buf, len);
	if (dec_envelope(&d, SNAP_INFO_COMPAT, NULL, &body))
		return d.err;
	out->id = dec_le64(&body);
	/* The namespace sits in its own envelope; its fields beyond the
	 * type (group/trash/mirror details) are skipped with it. */
	if (dec_envelope(&body, SNAP_NS_COMPAT, NULL, &ns) == 0) {
		out->ns_type = dec_le32(&ns);
		/* trash: string original_name, le32 original type */
		if (out->ns_type == CEPHC_RBD_SNAP_NS_TRASH && !ns.err) {
			out->trash_original_name =
			    dec_string_dup(&ns, CEPHC_RBD_SNAP_NAME_MAX);
			out->trash_original_ns = dec_le32(&ns);
		}
		dec_envelope_end(&body, &ns);
	}
	out->name = dec_string_dup(&body, CEPHC_RBD_SNAP_NAME_MAX);
	out->image_size = dec_le64(&body);
	dec_time(&body, &out->timestamp);
	out->child_count = dec_le32(&body);
	if (!body.err && (!out->name[0] || out->id == CEPHC_RBD_NOSNAP))
		dec_fail(&body, CEPHC_EDECODE);
	if (dec_envelope_end(&d, &body)) {
		cephc_rbd_snap_info_clear(out);
		return d.err;
	}
	return 0;
}

int cephc_rbd_dec_get_protection_status(const void *buf, size_t len,
					bool *is_protected)
{
	if (len < 1)
		return CEPHC_EDECODE;
	*is_protected = ((const uint8_t *)buf)[0] == 2;
	return 0;
}

void cephc_rbd_parent_spec_clear(struct cephc_rbd_parent_spec *p)
{
	cephc_free(p->pool_namespace);
	cephc_free(p->image_id);
	memset(p, 0, sizeof(*p));
	p->pool_id = CEPHC_RBD_POOL_NONE;
	p->snap_id = CEPHC_RBD_NOSNAP;
}

/* Parent pool ids are -1 (none) or a real pool id. */
static void check_parent(struct cephc_dec *d,
			 const struct cephc_rbd_parent_spec *p)
{
	if (!d->err && p->pool_id < CEPHC_RBD_POOL_NONE)
		dec_fail(d, CEPHC_EDECODE);
}

int cephc_rbd_dec_parent_get(const void *buf, size_t len,
			     struct cephc_rbd_parent_spec *out)
{
	struct cephc_dec d, body;

	memset(out, 0, sizeof(*out));
	dec_init(&d, buf, len);
	if (dec_envelope(&d, PARENT_SPEC_COMPAT, NULL, &body)) {
		cephc_rbd_parent_spec_clear(out);
		return d.err;
	}
	out->pool_id = dec_s64(&body);
	out->pool_namespace = dec_string_dup(&body, CEPHC_RBD_NAMESPACE_MAX);
	out->image_id = dec_string_dup(&body, CEPHC_RBD_ID_MAX);
	out->snap_id = dec_le64(&body);
	check_parent(&body, out);
	if (dec_envelope_end(&d, &body)) {
		cephc_rbd_parent_spec_clear(out);
		return d.err;
	}
	return 0;
}

int cephc_rbd_dec_get_parent(const void *buf, size_t len,
			     struct cephc_rbd_parent_spec *out,
			     uint64_t *overlap)
{
	struct cephc_dec d;

	memset(out, 0, sizeof(*out));
	dec_init(&d, buf, len);
	out->pool_id = dec_s64(&d);
	out->image_id = dec_string_dup(&d, CEPHC_RBD_ID_MAX);
	out->snap_id = dec_le64(&d);
	*overlap = dec_le64(&d);
	check_parent(&d, out);
	if (!d.err) {
		out->pool_namespace = cephc_strdup("");
		if (!out->pool_namespace)
			dec_fail(&d, CEPHC_ENOMEM);
	}
	if (d.err) {
		cephc_rbd_parent_spec_clear(out);
		*overlap = 0;
	}
	return d.err;
}

int cephc_rbd_dec_parent_overlap_get(const void *buf, size_t len,
				     bool *has_overlap, uint64_t *overlap)
{
	struct cephc_dec d;
	uint8_t present;

	dec_init(&d, buf, len);
	present = dec_u8(&d);
	*overlap = present ? dec_le64(&d) : 0;
	/* optional<>'s presence byte is a bool: 0 or 1 */
	if (!d.err && present > 1)
		dec_fail(&d, CEPHC_EDECODE);
	*has_overlap = !d.err && present;
	if (d.err)
		*overlap = 0;
	return d.err;
}

void cephc_rbd_kv_list_clear(struct cephc_rbd_kv_list *l)
{
	for (uint32_t i = 0; i < l->count; i++) {
		cephc_free(l->items[i].key);
		cephc_free(l->items[i].value);
	}
	cephc_free(l->items);
	l->items = NULL;
	l->count = 0;
}

/*
 * map<string, string-or-bufferlist>: le32 count, then (key, value) pairs.
 * Each pair is at least 8 bytes (two empty length prefixes), which bounds
 * the allocation by the input.  Keys must be strictly ascending (std::map).
 */
static int dec_kv_map(const void *buf, size_t len, uint32_t key_max,
		      uint32_t value_max, bool empty_value_ok,
		      struct cephc_rbd_kv_list *out)
{
	struct cephc_dec d;
	uint32_t n;

	out->count = 0;
	out->items = NULL;
	dec_init(&d, buf, len);
	n = dec_count(&d, CEPHC_RBD_LIST_MAX, 8);
	if (d.err)
		return d.err;
	if (n) {
		out->items = cephc_calloc(n, sizeof(*out->items));
		if (!out->items)
			return CEPHC_ENOMEM;
	}
	for (uint32_t i = 0; i < n && !d.err; i++) {
		struct cephc_rbd_kv *kv = &out->items[i];
		const uint8_t *v;
		uint32_t vlen;

		kv->key = dec_string_dup(&d, key_max);
		v = dec_blob(&d, &vlen, value_max);
		if (d.err)
			break;
		out->count = i + 1;
		kv->value = cephc_malloc((size_t)vlen + 1);
		if (!kv->value) {
			dec_fail(&d, CEPHC_ENOMEM);
			break;
		}
		if (vlen)
			memcpy(kv->value, v, vlen);
		kv->value[vlen] = '\0';
		kv->value_len = vlen;
		if ((!empty_value_ok && !vlen) || !kv->key[0] ||
		    (i && strcmp(out->items[i - 1].key, kv->key) >= 0))
			dec_fail(&d, CEPHC_EDECODE);
	}
	if (d.err) {
		/* a key decoded without its value is freed here too */
		if (out->items && out->count < n)
			cephc_free(out->items[out->count].key);
		cephc_rbd_kv_list_clear(out);
	}
	return d.err;
}

int cephc_rbd_dec_dir_list(const void *buf, size_t len,
			   struct cephc_rbd_kv_list *out)
{
	return dec_kv_map(buf, len, CEPHC_RBD_NAME_MAX, CEPHC_RBD_ID_MAX, false,
			  out);
}

int cephc_rbd_dec_metadata_list(const void *buf, size_t len,
				struct cephc_rbd_kv_list *out)
{
	return dec_kv_map(buf, len, CEPHC_RBD_META_KEY_MAX,
			  CEPHC_RBD_META_VALUE_MAX, true, out);
}

void cephc_rbd_object_map_clear(struct cephc_rbd_object_map *m)
{
	cephc_free(m->data);
	memset(m, 0, sizeof(*m));
}

uint8_t cephc_rbd_object_map_get(const struct cephc_rbd_object_map *m,
				 uint64_t objno)
{
	if (objno >= m->count)
		return CEPHC_RBD_OBJECT_NONEXISTENT;
	/* entry 0 in the two most significant bits of byte 0 */
	return (uint8_t)(m->data[objno >> 2] >> ((3 - (objno & 3)) * 2)) & 3;
}

int cephc_rbd_dec_object_map_load(const void *buf, size_t len,
				  struct cephc_rbd_object_map *out)
{
	struct cephc_dec d, hdr, body, foot;
	const uint8_t *hp, *data, *fp;
	uint32_t hlen, flen, n, header_crc;
	uint64_t count, blocks;
	size_t data_len;

	memset(out, 0, sizeof(*out));
	dec_init(&d, buf, len);
	/* header: a bufferlist holding envelope(1,1) { le64 count } */
	hp = dec_blob(&d, &hlen, BITVECTOR_HEADER_MAX);
	if (d.err)
		return d.err;
	dec_init(&hdr, hp, hlen);
	if (dec_envelope(&hdr, BITVECTOR_HEADER_COMPAT, NULL, &body))
		return hdr.err;
	count = dec_le64(&body);
	if (dec_envelope_end(&hdr, &body))
		return hdr.err;
	if (count > CEPHC_RBD_OBJECT_MAP_MAX_OBJECTS)
		return CEPHC_ETOOBIG;
	data_len = (size_t)((count + 3) / 4);
	data = dec_ptr(&d, data_len);
	/* footer: a bufferlist, empty when the writer disabled crcs */
	fp = dec_blob(&d, &flen,
		      (uint32_t)(8 + 4 * ((data_len + BITVECTOR_BLOCK - 1) /
					  BITVECTOR_BLOCK)));
	if (d.err)
		return d.err;
	blocks = (data_len + BITVECTOR_BLOCK - 1) / BITVECTOR_BLOCK;
	if (flen) {
		dec_init(&foot, fp, flen);
		header_crc = dec_le32(&foot);
		n = dec_le32(&foot);
		if (foot.err || n != blocks || dec_left(&foot) != 4 * blocks)
			return CEPHC_EDECODE;
		if (header_crc != cephc_crc32c(0, hp, hlen))
			return CEPHC_ECRC;
		for (uint64_t b = 0; b < blocks; b++) {
			size_t off = (size_t)b * BITVECTOR_BLOCK;
			size_t blen = data_len - off < BITVECTOR_BLOCK
					  ? data_len - off
					  : BITVECTOR_BLOCK;

			if (dec_le32(&foot) !=
			    cephc_crc32c(0, data + off, blen))
				return CEPHC_ECRC;
		}
	}
	out->data = cephc_malloc(data_len ? data_len : 1);
	if (!out->data)
		return CEPHC_ENOMEM;
	if (data_len)
		memcpy(out->data, data, data_len);
	out->data_len = data_len;
	out->count = count;
	out->had_crcs = flen != 0;
	return 0;
}

int cephc_rbd_generate_image_id(uint64_t global_id, uint32_t random, char *buf,
				size_t cap)
{
	char tmp[40];
	int n = snprintf(tmp, sizeof(tmp), "%" PRIx64 "%" PRIx32, global_id,
			 random);
	const char *s = tmp;

	/* keep the last 14 characters, as librbd does */
	if (n > CEPHC_RBD_GEN_ID_LEN_MAX)
		s += n - CEPHC_RBD_GEN_ID_LEN_MAX;
	if (strlen(s) + 1 > cap)
		return CEPHC_EOVERFLOW;
	memcpy(buf, s, strlen(s) + 1);
	return 0;
}

/* ---- pool-level objects ------------------------------------------------ */

#define TRASH_SPEC_COMPAT 1
/* Smallest encoded TrashImageSpec: envelope, source, empty name, 2 utimes. */
#define TRASH_SPEC_MIN (6 + 1 + 4 + 16)

void cephc_rbd_str_list_clear(struct cephc_rbd_str_list *l)
{
	for (uint32_t i = 0; i < l->count; i++)
		cephc_free(l->items[i]);
	cephc_free(l->items);
	l->items = NULL;
	l->count = 0;
}

int cephc_rbd_enc_namespace_name(struct cephc_enc *e, const char *name)
{
	return put_name(e, name, CEPHC_RBD_NAMESPACE_MAX);
}

int cephc_rbd_enc_namespace_list(struct cephc_enc *e, const char *start_after,
				 uint64_t max_return)
{
	return enc_list(e, start_after, CEPHC_RBD_NAMESPACE_MAX, max_return);
}

/*
 * A list<string> or set<string> reply: a le32 count, then that many
 * strings of at most max bytes, none empty.  With sorted, each must come
 * strictly after the one before (a set the class keeps ordered).
 */
static int dec_str_list(const void *buf, size_t len, uint32_t max, bool sorted,
			struct cephc_rbd_str_list *out)
{
	struct cephc_dec d;
	uint32_t n;

	memset(out, 0, sizeof(*out));
	dec_init(&d, buf, len);
	/* each string is at least its 4-byte length */
	n = dec_count(&d, CEPHC_RBD_LIST_MAX, 4);
	if (d.err)
		return d.err;
	if (n) {
		out->items = cephc_calloc(n, sizeof(*out->items));
		if (!out->items)
			return CEPHC_ENOMEM;
	}
	for (uint32_t i = 0; i < n && !d.err; i++) {
		char *s = dec_string_dup(&d, max);

		if (!s)
			break;
		out->items[out->count++] = s;
		if (!s[0] || (sorted && i && strcmp(out->items[i - 1], s) >= 0))
			dec_fail(&d, CEPHC_EDECODE);
	}
	if (d.err)
		cephc_rbd_str_list_clear(out);
	return d.err;
}

int cephc_rbd_dec_namespace_list(const void *buf, size_t len,
				 struct cephc_rbd_str_list *out)
{
	/* sorted and unique, names never empty (cls refuses both) */
	return dec_str_list(buf, len, CEPHC_RBD_NAMESPACE_MAX, true, out);
}

int cephc_rbd_enc_dir_state(struct cephc_enc *e, uint8_t state)
{
	if (state > CEPHC_RBD_DIR_STATE_ADD_DISABLED)
		return CEPHC_EINVAL;
	enc_u8(e, state);
	return e->err;
}

int cephc_rbd_dec_v1_directory(const void *buf, size_t len,
			       struct cephc_rbd_str_list *out)
{
	struct cephc_rbd_kv_list kv;
	struct cephc_dec d;
	uint32_t hlen;
	int r;

	memset(out, 0, sizeof(*out));
	if (!len)
		return 0;
	dec_init(&d, buf, len);
	(void)dec_blob(&d, &hlen, CEPHC_RBD_META_VALUE_MAX); /* tmap header */
	if (d.err)
		return d.err;
	r = dec_kv_map(d.p, dec_left(&d), CEPHC_RBD_NAME_MAX,
		       CEPHC_RBD_META_VALUE_MAX, true, &kv);
	if (r)
		return r;
	/* Keep the names only: move them out of the pairs. */
	if (kv.count) {
		out->items = cephc_calloc(kv.count, sizeof(*out->items));
		if (!out->items) {
			cephc_rbd_kv_list_clear(&kv);
			return CEPHC_ENOMEM;
		}
	}
	for (uint32_t i = 0; i < kv.count; i++) {
		out->items[i] = kv.items[i].key;
		kv.items[i].key = NULL;
	}
	out->count = kv.count;
	cephc_rbd_kv_list_clear(&kv);
	return 0;
}

void cephc_rbd_trash_spec_clear(struct cephc_rbd_trash_spec *s)
{
	cephc_free(s->name);
	memset(s, 0, sizeof(*s));
}

void cephc_rbd_trash_list_clear(struct cephc_rbd_trash_list *l)
{
	for (uint32_t i = 0; i < l->count; i++) {
		cephc_free(l->items[i].id);
		cephc_rbd_trash_spec_clear(&l->items[i].spec);
	}
	cephc_free(l->items);
	l->items = NULL;
	l->count = 0;
}

static void enc_time(struct cephc_enc *e, const struct cephc_rbd_time *t)
{
	enc_le32(e, t->sec);
	enc_le32(e, t->nsec);
}

int cephc_rbd_enc_trash_add(struct cephc_enc *e, const char *id,
			    const struct cephc_rbd_trash_spec *spec)
{
	size_t env;
	int r;

	if (!spec || spec->source > CEPHC_RBD_TRASH_SOURCE_USER_PARENT ||
	    spec->state > CEPHC_RBD_TRASH_STATE_RESTORING)
		return CEPHC_EINVAL;
	r = put_name(e, id, CEPHC_RBD_ID_MAX);
	if (r)
		return r;
	env = enc_envelope_begin(e, 2, 1);
	enc_u8(e, spec->source);
	r = put_str(e, spec->name, CEPHC_RBD_NAME_MAX);
	if (r)
		return r;
	enc_time(e, &spec->deletion_time);
	enc_time(e, &spec->deferment_end_time);
	enc_u8(e, spec->state);
	enc_envelope_end(e, env);
	return e->err;
}

int cephc_rbd_enc_child_detach(struct cephc_enc *e, uint64_t snap_id,
			       int64_t child_pool, const char *child_nspace,
			       const char *child_id)
{
	size_t env;
	int r;

	if (child_pool < 0)
		return CEPHC_EINVAL;
	enc_le64(e, snap_id);
	env = enc_envelope_begin(e, 2, 1);
	enc_le64(e, (uint64_t)child_pool);
	r = put_name(e, child_id, CEPHC_RBD_ID_MAX);
	if (!r)
		r = put_str(e, child_nspace, CEPHC_RBD_NAMESPACE_MAX);
	if (r)
		return r;
	enc_envelope_end(e, env);
	return e->err;
}

int cephc_rbd_enc_remove_child(struct cephc_enc *e,
			       const struct cephc_rbd_parent_spec *parent,
			       const char *child_id)
{
	int r;

	if (!parent || parent->pool_id < 0)
		return CEPHC_EINVAL;
	enc_le64(e, (uint64_t)parent->pool_id);
	r = put_name(e, parent->image_id, CEPHC_RBD_ID_MAX);
	if (r)
		return r;
	enc_le64(e, parent->snap_id);
	return put_name(e, child_id, CEPHC_RBD_ID_MAX);
}

int cephc_rbd_enc_trash_id(struct cephc_enc *e, const char *id)
{
	return put_name(e, id, CEPHC_RBD_ID_MAX);
}

int cephc_rbd_enc_trash_list(struct cephc_enc *e, const char *start_after,
			     uint64_t max_return)
{
	return enc_list(e, start_after, CEPHC_RBD_ID_MAX, max_return);
}

int cephc_rbd_enc_trash_state_set(struct cephc_enc *e, const char *id,
				  uint8_t state, uint8_t expect_state)
{
	int r;

	if (state > CEPHC_RBD_TRASH_STATE_RESTORING ||
	    expect_state > CEPHC_RBD_TRASH_STATE_RESTORING)
		return CEPHC_EINVAL;
	r = cephc_rbd_enc_trash_id(e, id);
	if (r)
		return r;
	enc_u8(e, state);
	enc_u8(e, expect_state);
	return e->err;
}

/* One TrashImageSpec from d; on error the spec is cleared. */
static int dec_trash_spec(struct cephc_dec *d, struct cephc_rbd_trash_spec *s)
{
	struct cephc_dec body;
	uint8_t v = 0;

	memset(s, 0, sizeof(*s));
	if (dec_envelope(d, TRASH_SPEC_COMPAT, &v, &body))
		return d->err;
	s->source = dec_u8(&body);
	s->name = dec_string_dup(&body, CEPHC_RBD_NAME_MAX);
	dec_time(&body, &s->deletion_time);
	dec_time(&body, &s->deferment_end_time);
	/* v1 (Mimic) has no state: such entries are NORMAL */
	if (v >= 2)
		s->state = dec_u8(&body);
	if (!body.err && s->state > CEPHC_RBD_TRASH_STATE_RESTORING)
		dec_fail(&body, CEPHC_EDECODE);
	if (dec_envelope_end(d, &body))
		cephc_rbd_trash_spec_clear(s);
	return d->err;
}

int cephc_rbd_dec_trash_get(const void *buf, size_t len,
			    struct cephc_rbd_trash_spec *out)
{
	struct cephc_dec d;

	dec_init(&d, buf, len);
	return dec_trash_spec(&d, out);
}

int cephc_rbd_dec_trash_list(const void *buf, size_t len,
			     struct cephc_rbd_trash_list *out)
{
	struct cephc_dec d;
	uint32_t n;

	memset(out, 0, sizeof(*out));
	dec_init(&d, buf, len);
	n = dec_count(&d, CEPHC_RBD_LIST_MAX, 4 + TRASH_SPEC_MIN);
	if (d.err)
		return d.err;
	if (n) {
		out->items = cephc_calloc(n, sizeof(*out->items));
		if (!out->items)
			return CEPHC_ENOMEM;
	}
	for (uint32_t i = 0; i < n && !d.err; i++) {
		struct cephc_rbd_trash_entry *t = &out->items[i];

		t->id = dec_string_dup(&d, CEPHC_RBD_ID_MAX);
		if (!t->id)
			break;
		out->count = i + 1;
		if (dec_trash_spec(&d, &t->spec))
			break;
		if (!t->id[0] ||
		    (i && strcmp(out->items[i - 1].id, t->id) >= 0))
			dec_fail(&d, CEPHC_EDECODE);
	}
	if (d.err)
		cephc_rbd_trash_list_clear(out);
	return d.err;
}

int cephc_rbd_dec_image_group_get(const void *buf, size_t len,
				  int64_t *group_pool_id)
{
	struct cephc_dec d, body;
	uint32_t idlen;

	*group_pool_id = CEPHC_RBD_POOL_NONE;
	dec_init(&d, buf, len);
	if (dec_envelope(&d, 1, NULL, &body))
		return d.err;
	*group_pool_id = dec_s64(&body);
	(void)dec_blob(&body, &idlen, CEPHC_RBD_ID_MAX);
	if (!body.err && *group_pool_id < CEPHC_RBD_POOL_NONE)
		dec_fail(&body, CEPHC_EDECODE);
	if (dec_envelope_end(&d, &body))
		*group_pool_id = CEPHC_RBD_POOL_NONE;
	return d.err;
}

/* ---- object map: encoder and in-memory rules ------------------------- */

/* Bytes of header (envelope 6 + le64), as BitVector writes it. */
#define BITVECTOR_HEADER_LEN 14

static uint64_t bitvector_blocks(size_t data_len)
{
	return (data_len + BITVECTOR_BLOCK - 1) / BITVECTOR_BLOCK;
}

size_t cephc_rbd_object_map_encoded_len(uint64_t count)
{
	size_t data_len = (size_t)((count + 3) / 4);

	/* le32 + header, data, le32 + footer (crc, n, n crcs) */
	return 4 + BITVECTOR_HEADER_LEN + data_len + 4 + 8 +
	       4 * (size_t)bitvector_blocks(data_len);
}

int cephc_rbd_enc_object_map(struct cephc_enc *e,
			     const struct cephc_rbd_object_map *m)
{
	size_t data_len = (size_t)((m->count + 3) / 4), env;
	uint64_t blocks = bitvector_blocks(data_len);
	const uint8_t *hp;

	if (m->count > CEPHC_RBD_OBJECT_MAP_MAX_OBJECTS ||
	    (data_len && (!m->data || m->data_len < data_len)))
		return CEPHC_EINVAL;
	/* header: a bufferlist holding envelope(1,1) { le64 count } */
	enc_le32(e, BITVECTOR_HEADER_LEN);
	hp = e->p;
	env = enc_envelope_begin(e, 1, BITVECTOR_HEADER_COMPAT);
	enc_le64(e, m->count);
	enc_envelope_end(e, env);
	if (e->err)
		return e->err;
	enc_bytes(e, m->data, data_len);
	/* footer: the header's crc, then one crc per 4096 data bytes */
	enc_le32(e, (uint32_t)(8 + 4 * blocks));
	enc_le32(e, cephc_crc32c(0, hp, BITVECTOR_HEADER_LEN));
	enc_le32(e, (uint32_t)blocks);
	for (uint64_t b = 0; b < blocks; b++) {
		size_t off = (size_t)b * BITVECTOR_BLOCK;
		size_t blen = data_len - off < BITVECTOR_BLOCK
				  ? data_len - off
				  : BITVECTOR_BLOCK;

		enc_le32(e, cephc_crc32c(0, m->data + off, blen));
	}
	return e->err;
}

int cephc_rbd_object_map_alloc(struct cephc_rbd_object_map *m, uint64_t count)
{
	size_t data_len = (size_t)((count + 3) / 4);

	memset(m, 0, sizeof(*m));
	if (count > CEPHC_RBD_OBJECT_MAP_MAX_OBJECTS)
		return CEPHC_ETOOBIG;
	m->data = cephc_calloc(1, data_len ? data_len : 1);
	if (!m->data)
		return CEPHC_ENOMEM;
	m->count = count;
	m->data_len = data_len;
	return 0;
}

void cephc_rbd_object_map_set(struct cephc_rbd_object_map *m, uint64_t objno,
			      uint8_t state)
{
	unsigned shift = (unsigned)(3 - (objno & 3)) * 2;
	uint8_t *b = &m->data[objno >> 2];

	*b = (uint8_t)((*b & ~(3u << shift)) | ((state & 3u) << shift));
}

int cephc_rbd_object_map_resize(struct cephc_rbd_object_map *m, uint64_t count,
				uint8_t default_state)
{
	struct cephc_rbd_object_map n;
	int ret = cephc_rbd_object_map_alloc(&n, count);

	if (ret)
		return ret;
	for (uint64_t i = 0; i < count; i++)
		cephc_rbd_object_map_set(&n, i,
					 i < m->count
					     ? cephc_rbd_object_map_get(m, i)
					     : default_state);
	n.had_crcs = m->had_crcs;
	cephc_rbd_object_map_clear(m);
	*m = n;
	return 0;
}

bool cephc_rbd_object_map_filter_match(uint8_t current, int filter)
{
	return filter < 0 || current == filter ||
	       (filter == CEPHC_RBD_OBJECT_EXISTS &&
		current == CEPHC_RBD_OBJECT_EXISTS_CLEAN);
}

bool cephc_rbd_object_map_update_required(uint8_t current, uint8_t new_state)
{
	if (current == new_state)
		return false;
	if (new_state == CEPHC_RBD_OBJECT_PENDING &&
	    current == CEPHC_RBD_OBJECT_NONEXISTENT)
		return false;
	if (new_state == CEPHC_RBD_OBJECT_NONEXISTENT &&
	    current != CEPHC_RBD_OBJECT_PENDING)
		return false;
	return true;
}

int64_t cephc_rbd_object_map_apply(struct cephc_rbd_object_map *m,
				   uint64_t start, uint64_t end,
				   uint8_t new_state, int filter)
{
	int64_t changed = 0;

	if (start >= end || end > m->count)
		return CEPHC_ERANGE;
	for (uint64_t i = start; i < end; i++) {
		uint8_t cur = cephc_rbd_object_map_get(m, i);

		if (cur != new_state &&
		    cephc_rbd_object_map_filter_match(cur, filter)) {
			cephc_rbd_object_map_set(m, i, new_state);
			changed++;
		}
	}
	return changed;
}

bool cephc_rbd_object_map_mismatch_invalidates(uint8_t stored, uint8_t expected)
{
	bool says_exists = stored == CEPHC_RBD_OBJECT_EXISTS ||
			   stored == CEPHC_RBD_OBJECT_EXISTS_CLEAN;
	bool absent = expected == CEPHC_RBD_OBJECT_NONEXISTENT ||
		      expected == CEPHC_RBD_OBJECT_PENDING;

	return stored != expected && !(says_exists && absent);
}

/* The first image snapshot id >= id (CEPHC_RBD_NOSNAP: none). */
static uint64_t next_image_snap(const uint64_t *snaps, uint32_t n, uint64_t id)
{
	for (uint32_t i = 0; i < n; i++)
		if (snaps[i] >= id)
			return snaps[i];
	return CEPHC_RBD_NOSNAP;
}

int cephc_rbd_object_state_from_snaps(const void *buf, size_t len,
				      uint64_t snap_id,
				      const uint64_t *image_snaps,
				      uint32_t num_image_snaps, bool fast_diff,
				      uint8_t *state)
{
	struct cephc_dec d, body, clones, ci;
	uint8_t v = 0, cv;
	uint32_t n;
	uint64_t seq = 0;

	*state = CEPHC_RBD_OBJECT_NONEXISTENT;
	dec_init(&d, buf, len);
	if (dec_envelope(&d, 1, &v, &body))
		return d.err;
	n = dec_count(&body, CEPHC_RBD_SNAPSET_CLONES_MAX, 1);
	/* seq comes after the clones: skip them once to read it */
	clones = body;
	for (uint32_t i = 0; i < n && !body.err; i++)
		if (!dec_envelope(&body, 1, &cv, &ci))
			dec_envelope_end(&body, &ci);
	if (v >= 2)
		seq = dec_le64(&body);
	if (dec_envelope_end(&d, &body))
		return d.err;
	for (uint32_t i = 0; i < n; i++) {
		uint64_t cloneid, first = 0, last = 0, from, to;
		uint32_t k;

		if (dec_envelope(&clones, 1, &cv, &ci))
			return clones.err;
		cloneid = dec_le64(&ci);
		k = dec_count(&ci, CEPHC_RBD_SNAPS_MAX, 8);
		for (uint32_t j = 0; j < k; j++) {
			uint64_t s = dec_le64(&ci);

			if (j == 0)
				first = s;
			last = s;
		}
		if (dec_envelope_end(&clones, &ci))
			return clones.err;
		/* the interval of image snapshots this clone stands for */
		if (cloneid == CEPHC_RBD_NOSNAP) {
			from = next_image_snap(image_snaps, num_image_snaps,
					       seq + 1);
			to = CEPHC_RBD_NOSNAP;
		} else {
			if (!k)
				continue;
			from = next_image_snap(image_snaps, num_image_snaps,
					       first);
			to = last;
		}
		if (to < snap_id)
			continue;
		if (snap_id < from)
			break;
		*state = fast_diff && from != snap_id
			     ? CEPHC_RBD_OBJECT_EXISTS_CLEAN
			     : CEPHC_RBD_OBJECT_EXISTS;
		break;
	}
	return 0;
}

/* ---- snapshot management -------------------------------------------- */

int cephc_rbd_enc_snapshot_rename(struct cephc_enc *e, uint64_t snap_id,
				  const char *new_name)
{
	if (!new_name || !new_name[0])
		return CEPHC_EINVAL;
	enc_le64(e, snap_id);
	return put_str(e, new_name, CEPHC_RBD_SNAP_NAME_MAX);
}

int cephc_rbd_enc_set_protection_status(struct cephc_enc *e, uint64_t snap_id,
					uint8_t status)
{
	if (status > CEPHC_RBD_PROTECTION_PROTECTED)
		return CEPHC_EINVAL;
	enc_le64(e, snap_id);
	enc_u8(e, status);
	return e->err;
}

int cephc_rbd_dec_protection_status(const void *buf, size_t len,
				    uint8_t *status)
{
	if (len < 1 ||
	    ((const uint8_t *)buf)[0] > CEPHC_RBD_PROTECTION_PROTECTED)
		return CEPHC_EDECODE;
	*status = ((const uint8_t *)buf)[0];
	return 0;
}

int cephc_rbd_enc_snap_set_limit(struct cephc_enc *e, uint64_t limit)
{
	enc_le64(e, limit);
	return e->err;
}

int cephc_rbd_dec_snap_get_limit(const void *buf, size_t len, uint64_t *limit)
{
	struct cephc_dec d;

	dec_init(&d, buf, len);
	*limit = dec_le64(&d);
	return d.err;
}

/* ---- clones ------------------------------------------------------------ */

int cephc_rbd_enc_child_attach(struct cephc_enc *e, uint64_t snap_id,
			       int64_t child_pool, const char *child_nspace,
			       const char *child_id)
{
	/* the same input as child_detach */
	return cephc_rbd_enc_child_detach(e, snap_id, child_pool, child_nspace,
					  child_id);
}

int cephc_rbd_enc_add_child(struct cephc_enc *e,
			    const struct cephc_rbd_parent_spec *parent,
			    const char *child_id)
{
	/* the same input as remove_child */
	return cephc_rbd_enc_remove_child(e, parent, child_id);
}

int cephc_rbd_enc_get_children(struct cephc_enc *e,
			       const struct cephc_rbd_parent_spec *parent)
{
	int r;

	if (!parent || parent->pool_id < 0)
		return CEPHC_EINVAL;
	enc_le64(e, (uint64_t)parent->pool_id);
	r = put_name(e, parent->image_id, CEPHC_RBD_ID_MAX);
	if (r)
		return r;
	enc_le64(e, parent->snap_id);
	return e->err;
}

int cephc_rbd_dec_get_children_ids(const void *buf, size_t len,
				   struct cephc_rbd_str_list *out)
{
	return dec_str_list(buf, len, CEPHC_RBD_ID_MAX, false, out);
}

void cephc_rbd_child_list_clear(struct cephc_rbd_child_list *l)
{
	for (uint32_t i = 0; i < l->count; i++) {
		cephc_free(l->items[i].pool_namespace);
		cephc_free(l->items[i].image_id);
	}
	cephc_free(l->items);
	l->items = NULL;
	l->count = 0;
}

/* ChildImageSpec understood up to compat 2 (v1 had no namespace). */
#define CHILD_SPEC_COMPAT 2

int cephc_rbd_dec_children_specs(const void *buf, size_t len,
				 struct cephc_rbd_child_list *out)
{
	struct cephc_dec d;
	uint32_t n;

	memset(out, 0, sizeof(*out));
	dec_init(&d, buf, len);
	/* each entry: 6-byte envelope, le64 pool, empty string at least */
	n = dec_count(&d, CEPHC_RBD_LIST_MAX, 18);
	if (d.err)
		return d.err;
	if (n) {
		out->items = cephc_calloc(n, sizeof(*out->items));
		if (!out->items)
			return CEPHC_ENOMEM;
	}
	for (uint32_t i = 0; i < n && !d.err; i++) {
		struct cephc_rbd_child_spec *c = &out->items[i];
		struct cephc_dec body;
		uint8_t v = 0;

		if (dec_envelope(&d, CHILD_SPEC_COMPAT, &v, &body))
			break;
		out->count++;
		c->pool_id = dec_s64(&body);
		c->image_id = dec_string_dup(&body, CEPHC_RBD_ID_MAX);
		c->pool_namespace =
		    v >= 2 ? dec_string_dup(&body, CEPHC_RBD_NAMESPACE_MAX)
			   : cephc_calloc(1, 1);
		if (!body.err && (!c->pool_namespace || !c->image_id))
			dec_fail(&body, CEPHC_ENOMEM);
		if (!body.err && (c->pool_id < 0 || !c->image_id[0]))
			dec_fail(&body, CEPHC_EDECODE);
		dec_envelope_end(&d, &body);
	}
	if (d.err)
		cephc_rbd_child_list_clear(out);
	return d.err;
}

int cephc_rbd_enc_parent_attach(struct cephc_enc *e,
				const struct cephc_rbd_parent_spec *parent,
				uint64_t overlap, bool reattach)
{
	size_t env;
	int r;

	if (!parent || parent->pool_id < 0)
		return CEPHC_EINVAL;
	env = enc_envelope_begin(e, 1, 1);
	enc_le64(e, (uint64_t)parent->pool_id);
	r = put_str(e, parent->pool_namespace ? parent->pool_namespace : "",
		    CEPHC_RBD_NAMESPACE_MAX);
	if (!r)
		r = put_name(e, parent->image_id, CEPHC_RBD_ID_MAX);
	if (r)
		return r;
	enc_le64(e, parent->snap_id);
	enc_envelope_end(e, env);
	enc_le64(e, overlap);
	enc_u8(e, reattach ? 1 : 0);
	return e->err;
}

int cephc_rbd_enc_op_features_set(struct cephc_enc *e, uint64_t op_features,
				  uint64_t mask)
{
	return enc_2x64(e, op_features, mask);
}

size_t cephc_rbd_metadata_set_len(const char *key, uint32_t value_len)
{
	return 12 + (key ? strlen(key) : 0) + value_len;
}

int cephc_rbd_enc_metadata_set(struct cephc_enc *e, const char *key,
			       const void *value, uint32_t value_len)
{
	int r;

	if (value_len > CEPHC_RBD_META_VALUE_MAX || (value_len && !value))
		return CEPHC_EINVAL;
	enc_le32(e, 1);
	r = put_name(e, key, CEPHC_RBD_META_KEY_MAX);
	if (r)
		return r;
	enc_blob(e, value, value_len);
	return e->err;
}
