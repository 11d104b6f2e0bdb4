/* SPDX-License-Identifier: MIT */
/* OSD op encoders and per-op output decoders (see osd_ops.h). */
#include "osdc/osd_ops.h"

#include <string.h>

#include "core/alloc.h"

static const struct {
	uint16_t code;
	const char *name;
} op_names[] = {
    {CEPHC_OSD_OP_READ, "read"},
    {CEPHC_OSD_OP_STAT, "stat"},
    {CEPHC_OSD_OP_SPARSE_READ, "sparse-read"},
    {CEPHC_OSD_OP_NOTIFY, "notify"},
    {CEPHC_OSD_OP_NOTIFY_ACK, "notify-ack"},
    {CEPHC_OSD_OP_ASSERT_VER, "assert-version"},
    {CEPHC_OSD_OP_LIST_WATCHERS, "list-watchers"},
    {CEPHC_OSD_OP_LIST_SNAPS, "list-snaps"},
    {CEPHC_OSD_OP_OMAPGETKEYS, "omap-get-keys"},
    {CEPHC_OSD_OP_OMAPGETVALS, "omap-get-vals"},
    {CEPHC_OSD_OP_OMAPGETHEADER, "omap-get-header"},
    {CEPHC_OSD_OP_OMAPGETVALSBYKEYS, "omap-get-vals-by-keys"},
    {CEPHC_OSD_OP_CMPEXT, "cmpext"},
    {CEPHC_OSD_OP_WRITE, "write"},
    {CEPHC_OSD_OP_WRITEFULL, "writefull"},
    {CEPHC_OSD_OP_TRUNCATE, "truncate"},
    {CEPHC_OSD_OP_ZERO, "zero"},
    {CEPHC_OSD_OP_DELETE, "delete"},
    {CEPHC_OSD_OP_APPEND, "append"},
    {CEPHC_OSD_OP_CREATE, "create"},
    {CEPHC_OSD_OP_ROLLBACK, "rollback"},
    {CEPHC_OSD_OP_WATCH, "watch"},
    {CEPHC_OSD_OP_OMAPSETVALS, "omap-set-vals"},
    {CEPHC_OSD_OP_OMAPSETHEADER, "omap-set-header"},
    {CEPHC_OSD_OP_OMAPCLEAR, "omap-clear"},
    {CEPHC_OSD_OP_OMAPRMKEYS, "omap-rm-keys"},
    {CEPHC_OSD_OP_SETALLOCHINT, "set-alloc-hint"},
    {CEPHC_OSD_OP_GETXATTR, "getxattr"},
    {CEPHC_OSD_OP_GETXATTRS, "getxattrs"},
    {CEPHC_OSD_OP_SETXATTR, "setxattr"},
    {CEPHC_OSD_OP_RMXATTR, "rmxattr"},
    {CEPHC_OSD_OP_CALL, "call"},
    {CEPHC_OSD_OP_PGNLS, "pgnls"},
};

const char *cephc_osd_op_name(uint16_t code)
{
	size_t i;

	for (i = 0; i < sizeof(op_names) / sizeof(op_names[0]); i++)
		if (op_names[i].code == code)
			return op_names[i].name;
	return "unknown";
}

bool cephc_osd_op_is_write(uint16_t code)
{
	return (code & CEPHC_OSD_OP_MODE_MASK) == CEPHC_OSD_OP_MODE_WR;
}

void cephc_osd_ops_init(struct cephc_osd_ops *o)
{
	memset(o, 0, sizeof(*o));
}

void cephc_osd_ops_release(struct cephc_osd_ops *o)
{
	unsigned i;

	for (i = 0; i < o->num_ops && i < CEPHC_OSD_MAX_OPS; i++) {
		cephc_free(o->ops[i].op_owned);
		o->ops[i].op_owned = NULL;
	}
	o->num_ops = 0;
}

struct cephc_osd_op *cephc_osd_ops_add(struct cephc_osd_ops *o)
{
	struct cephc_osd_op *op;

	if (o->num_ops >= CEPHC_OSD_MAX_OPS)
		return NULL;
	op = &o->ops[o->num_ops++];
	memset(op, 0, sizeof(*op));
	return op;
}

uint32_t cephc_osd_ops_rw_flags(const struct cephc_osd_ops *o)
{
	unsigned i;

	/* As librados: one writing op makes the whole request a WRITE (an
	 * assert_exists STAT in a write compound does not add READ). */
	for (i = 0; i < o->num_ops; i++)
		if (o->ops[i].op_write)
			return CEPHC_OSD_FLAG_WRITE;
	return CEPHC_OSD_FLAG_READ;
}

uint64_t cephc_osd_ops_data_len(const struct cephc_osd_ops *o)
{
	uint64_t n = 0;
	unsigned i;

	for (i = 0; i < o->num_ops; i++)
		n += o->ops[i].op_indata_len;
	return n;
}

unsigned cephc_osd_ops_data_iovcnt(const struct cephc_osd_ops *o)
{
	unsigned i, j, n = 0;

	for (i = 0; i < o->num_ops; i++) {
		const struct cephc_osd_op *op = &o->ops[i];

		for (j = 0; j < op->op_nin; j++)
			n += op->op_in[j].iov_len != 0;
		for (j = 0; j < op->op_in_ext_cnt; j++)
			n += op->op_in_ext[j].iov_len != 0;
	}
	return n;
}

static int push_iov(struct iovec *iov, unsigned max, unsigned *n,
		    const struct iovec *src)
{
	if (!src->iov_len)
		return 0;
	if (*n >= max)
		return CEPHC_E2BIG;
	iov[(*n)++] = *src;
	return 0;
}

int cephc_osd_ops_data_iov(const struct cephc_osd_ops *o, struct iovec *iov,
			   unsigned max)
{
	unsigned i, j, n = 0;
	int err;

	for (i = 0; i < o->num_ops; i++) {
		const struct cephc_osd_op *op = &o->ops[i];

		for (j = 0; j < op->op_nin; j++) {
			err = push_iov(iov, max, &n, &op->op_in[j]);
			if (err)
				return err;
		}
		for (j = 0; j < op->op_in_ext_cnt; j++) {
			err = push_iov(iov, max, &n, &op->op_in_ext[j]);
			if (err)
				return err;
		}
	}
	return (int)n;
}

void cephc_osd_op_encode(struct cephc_enc *e, const struct cephc_osd_op *op)
{
	enc_le16(e, op->op_code);
	enc_le32(e, op->op_flags);
	enc_bytes(e, op->op_union, CEPHC_OSD_OP_UNION_LEN);
	enc_le32(e, op->op_indata_len);
}

/* ---- building blocks shared by the encoders ---- */

static void op_begin(struct cephc_osd_op *op, uint16_t code,
		     enum cephc_osd_out_kind out, uint64_t out_max)
{
	memset(op, 0, sizeof(*op));
	op->op_code = code;
	op->op_write = cephc_osd_op_is_write(code);
	op->op_out_kind = out;
	op->op_out_max =
	    out == CEPHC_OSD_OUT_NONE ? CEPHC_OSD_OUT_SLACK : out_max;
}

static uint64_t scratch_cap(uint32_t out_max)
{
	if (!out_max)
		return CEPHC_OSD_OUT_DEFAULT;
	return out_max > CEPHC_OSD_OUT_MAX ? CEPHC_OSD_OUT_MAX : out_max;
}

/* Union "extent": le64 offset, le64 length, le64 truncate_size, le32 seq. */
static void set_extent(struct cephc_osd_op *op, uint64_t off, uint64_t len)
{
	put_le64(op->op_union, off);
	put_le64(op->op_union + 8, len);
	/* truncate_size / truncate_seq stay 0: only CephFS uses them. */
}

static int add_in(struct cephc_osd_op *op, const void *p, size_t len)
{
	if (op->op_nin >= CEPHC_OSD_OP_IN_INLINE)
		return CEPHC_EINVAL;
	if (len > UINT32_MAX - op->op_indata_len)
		return CEPHC_EINVAL;
	op->op_in[op->op_nin].iov_base = (void *)(uintptr_t)p;
	op->op_in[op->op_nin].iov_len = len;
	op->op_nin++;
	op->op_indata_len += (uint32_t)len;
	return 0;
}

static int iov_total(const struct iovec *iov, unsigned cnt, uint64_t *total)
{
	uint64_t n = 0;
	unsigned i;

	if (cnt && !iov)
		return CEPHC_EINVAL;
	for (i = 0; i < cnt; i++) {
		n += iov[i].iov_len;
		if (n > UINT32_MAX)
			return CEPHC_EINVAL;
	}
	*total = n;
	return 0;
}

/* Caller iovecs after the inline pieces: copied when they fit, else shared. */
static int add_in_iov(struct cephc_osd_op *op, const struct iovec *iov,
		      unsigned cnt)
{
	uint64_t n;
	unsigned i;
	int err = iov_total(iov, cnt, &n);

	if (err)
		return err;
	if (n > UINT32_MAX - op->op_indata_len)
		return CEPHC_EINVAL;
	if (cnt <= CEPHC_OSD_OP_IN_INLINE - op->op_nin) {
		for (i = 0; i < cnt; i++)
			op->op_in[op->op_nin++] = iov[i];
	} else {
		op->op_in_ext = iov;
		op->op_in_ext_cnt = cnt;
	}
	op->op_indata_len += (uint32_t)n;
	return 0;
}

static int check_name(const char *s, size_t *len)
{
	if (!s)
		return CEPHC_EINVAL;
	*len = strlen(s);
	return *len > CEPHC_OSD_NAME_MAX ? CEPHC_EINVAL : 0;
}

/* Allocate the op's owned input buffer of exactly len bytes. */
static int owned_begin(struct cephc_osd_op *op, struct cephc_enc *e, size_t len)
{
	op->op_owned = cephc_malloc(len ? len : 1);
	if (!op->op_owned)
		return CEPHC_ENOMEM;
	enc_init(e, op->op_owned, len);
	return 0;
}

static int owned_end(struct cephc_osd_op *op, struct cephc_enc *e)
{
	if (e->err || e->p != e->end) {
		cephc_free(op->op_owned);
		op->op_owned = NULL;
		return CEPHC_EINVAL;
	}
	return add_in(op, op->op_owned, enc_len(e));
}

/* ---- data ops ---- */

int cephc_osd_op_read(struct cephc_osd_op *op, uint64_t off, uint64_t len,
		      const struct iovec *dst, unsigned dst_cnt)
{
	uint64_t cap;
	unsigned i;
	int err;

	if (!dst) {
		if (len > CEPHC_OSD_OUT_MAX)
			return CEPHC_EINVAL;
		op_begin(op, CEPHC_OSD_OP_READ, CEPHC_OSD_OUT_SCRATCH, len);
		set_extent(op, off, len);
		return 0;
	}
	err = iov_total(dst, dst_cnt, &cap);
	if (err)
		return err;
	if (cap < len)
		return CEPHC_EINVAL;
	op_begin(op, CEPHC_OSD_OP_READ, CEPHC_OSD_OUT_DATA, len);
	set_extent(op, off, len);
	/* Short lists are kept in the op (op_out_iov stays NULL so the op
	 * holds no pointer into itself). */
	if (dst_cnt <= CEPHC_OSD_OP_IN_INLINE) {
		for (i = 0; i < dst_cnt; i++)
			op->op_out_inline[i] = dst[i];
	} else {
		op->op_out_iov = dst;
	}
	op->op_out_cnt = dst_cnt;
	return 0;
}

int cephc_osd_op_sparse_read(struct cephc_osd_op *op, uint64_t off,
			     uint64_t len)
{
	/* Room for the extent map as well as the data itself (a bound on
	 * what is accepted; scratch is sized by the actual reply). */
	uint64_t cap = len + 8 + 16ull * CEPHC_OSD_SPARSE_EXTENTS_MAX;

	if (len > CEPHC_OSD_OUT_MAX)
		return CEPHC_EINVAL;
	op_begin(op, CEPHC_OSD_OP_SPARSE_READ, CEPHC_OSD_OUT_SCRATCH, cap);
	set_extent(op, off, len);
	return 0;
}

static int write_like(struct cephc_osd_op *op, uint16_t code, uint64_t off,
		      const struct iovec *src, unsigned cnt)
{
	int err;

	op_begin(op, code, CEPHC_OSD_OUT_NONE, 0);
	err = add_in_iov(op, src, cnt);
	if (err)
		return err;
	set_extent(op, off, op->op_indata_len);
	return 0;
}

int cephc_osd_op_write(struct cephc_osd_op *op, uint64_t off,
		       const struct iovec *src, unsigned src_cnt)
{
	return write_like(op, CEPHC_OSD_OP_WRITE, off, src, src_cnt);
}

int cephc_osd_op_writefull(struct cephc_osd_op *op, const struct iovec *src,
			   unsigned src_cnt)
{
	return write_like(op, CEPHC_OSD_OP_WRITEFULL, 0, src, src_cnt);
}

int cephc_osd_op_append(struct cephc_osd_op *op, const struct iovec *src,
			unsigned src_cnt)
{
	return write_like(op, CEPHC_OSD_OP_APPEND, 0, src, src_cnt);
}

int cephc_osd_op_cmpext(struct cephc_osd_op *op, uint64_t off,
			const struct iovec *src, unsigned src_cnt)
{
	return write_like(op, CEPHC_OSD_OP_CMPEXT, off, src, src_cnt);
}

int cephc_osd_op_zero(struct cephc_osd_op *op, uint64_t off, uint64_t len)
{
	op_begin(op, CEPHC_OSD_OP_ZERO, CEPHC_OSD_OUT_NONE, 0);
	set_extent(op, off, len);
	return 0;
}

int cephc_osd_op_truncate(struct cephc_osd_op *op, uint64_t size)
{
	/* The new size travels in extent.offset, length 0. */
	op_begin(op, CEPHC_OSD_OP_TRUNCATE, CEPHC_OSD_OUT_NONE, 0);
	set_extent(op, size, 0);
	return 0;
}

int cephc_osd_op_stat(struct cephc_osd_op *op)
{
	/* le64 size + utime mtime = 16 bytes; allow a little growth. */
	op_begin(op, CEPHC_OSD_OP_STAT, CEPHC_OSD_OUT_SCRATCH, 64);
	return 0;
}

int cephc_osd_op_assert_exists(struct cephc_osd_op *op)
{
	/* A STAT whose result is only its rval (-ENOENT when missing). */
	op_begin(op, CEPHC_OSD_OP_STAT, CEPHC_OSD_OUT_NONE, 0);
	return 0;
}

int cephc_osd_op_create(struct cephc_osd_op *op, bool exclusive)
{
	op_begin(op, CEPHC_OSD_OP_CREATE, CEPHC_OSD_OUT_NONE, 0);
	if (exclusive)
		op->op_flags |= CEPHC_OSD_OP_FLAG_EXCL;
	return 0;
}

int cephc_osd_op_delete(struct cephc_osd_op *op)
{
	op_begin(op, CEPHC_OSD_OP_DELETE, CEPHC_OSD_OUT_NONE, 0);
	return 0;
}

/* ---- class call ---- */

int cephc_osd_op_call(struct cephc_osd_op *op, const char *cls,
		      const char *method, const struct iovec *in,
		      unsigned in_cnt, bool writes, uint32_t out_max)
{
	size_t cl, ml;
	int err;

	/* Class and method lengths are u8 in the union. */
	if (!cls || !method)
		return CEPHC_EINVAL;
	cl = strlen(cls);
	ml = strlen(method);
	if (!cl || cl > 255 || !ml || ml > 255)
		return CEPHC_EINVAL;
	op_begin(op, CEPHC_OSD_OP_CALL, CEPHC_OSD_OUT_SCRATCH,
		 scratch_cap(out_max));
	op->op_write = writes;
	add_in(op, cls, cl);
	add_in(op, method, ml);
	err = add_in_iov(op, in, in_cnt);
	if (err)
		return err;
	/* Union "cls": u8 class_len, u8 method_len, u8 argc, le32 indata. */
	op->op_union[0] = (uint8_t)cl;
	op->op_union[1] = (uint8_t)ml;
	op->op_union[2] = 0;
	put_le32(op->op_union + 3, op->op_indata_len - (uint32_t)(cl + ml));
	return 0;
}

/* ---- xattrs ---- */

/* Union "xattr": le32 name_len, le32 value_len, u8 cmp_op, u8 cmp_mode. */
static int xattr_op(struct cephc_osd_op *op, uint16_t code, const char *name,
		    const void *val, uint32_t val_len,
		    enum cephc_osd_out_kind out, uint64_t out_max)
{
	size_t nl;
	int err = check_name(name, &nl);

	if (err || !nl || (val_len && !val))
		return CEPHC_EINVAL;
	op_begin(op, code, out, out_max);
	add_in(op, name, nl);
	if (val_len)
		add_in(op, val, val_len);
	put_le32(op->op_union, (uint32_t)nl);
	put_le32(op->op_union + 4, val_len);
	return 0;
}

int cephc_osd_op_getxattr(struct cephc_osd_op *op, const char *name,
			  uint32_t out_max)
{
	return xattr_op(op, CEPHC_OSD_OP_GETXATTR, name, NULL, 0,
			CEPHC_OSD_OUT_SCRATCH, scratch_cap(out_max));
}

int cephc_osd_op_setxattr(struct cephc_osd_op *op, const char *name,
			  const void *value, uint32_t value_len)
{
	return xattr_op(op, CEPHC_OSD_OP_SETXATTR, name, value, value_len,
			CEPHC_OSD_OUT_NONE, 0);
}

int cephc_osd_op_rmxattr(struct cephc_osd_op *op, const char *name)
{
	return xattr_op(op, CEPHC_OSD_OP_RMXATTR, name, NULL, 0,
			CEPHC_OSD_OUT_NONE, 0);
}

int cephc_osd_op_getxattrs(struct cephc_osd_op *op, uint32_t out_max)
{
	op_begin(op, CEPHC_OSD_OP_GETXATTRS, CEPHC_OSD_OUT_SCRATCH,
		 scratch_cap(out_max));
	return 0;
}

/* ---- omap ---- */

/*
 * Omap ops with input carry extent (0, input length) in the union, as
 * librados' Objecter does; the OSD reads only the input.
 */
static int omap_finish(struct cephc_osd_op *op, struct cephc_enc *e)
{
	int err = owned_end(op, e);

	if (!err)
		set_extent(op, 0, op->op_indata_len);
	return err;
}

int cephc_osd_op_omap_get_keys(struct cephc_osd_op *op, const char *start_after,
			       uint64_t max_return, uint32_t out_max)
{
	struct cephc_enc e;
	size_t sl;
	int err = check_name(start_after ? start_after : "", &sl);

	if (err)
		return err;
	op_begin(op, CEPHC_OSD_OP_OMAPGETKEYS, CEPHC_OSD_OUT_SCRATCH,
		 scratch_cap(out_max));
	/* string start_after, le64 max_to_get */
	err = owned_begin(op, &e, 4 + sl + 8);
	if (err)
		return err;
	enc_blob(&e, start_after, (uint32_t)sl);
	enc_le64(&e, max_return);
	return omap_finish(op, &e);
}

int cephc_osd_op_omap_get_vals(struct cephc_osd_op *op, const char *start_after,
			       const char *filter_prefix, uint64_t max_return,
			       uint32_t out_max)
{
	struct cephc_enc e;
	size_t sl, fl;
	int err = check_name(start_after ? start_after : "", &sl);

	if (!err)
		err = check_name(filter_prefix ? filter_prefix : "", &fl);
	if (err)
		return err;
	op_begin(op, CEPHC_OSD_OP_OMAPGETVALS, CEPHC_OSD_OUT_SCRATCH,
		 scratch_cap(out_max));
	/* string start_after, le64 max_to_get, string filter_prefix */
	err = owned_begin(op, &e, 4 + sl + 8 + 4 + fl);
	if (err)
		return err;
	enc_blob(&e, start_after, (uint32_t)sl);
	enc_le64(&e, max_return);
	enc_blob(&e, filter_prefix, (uint32_t)fl);
	return omap_finish(op, &e);
}

/* set<string>: le32 n + n strings. */
static int key_set_len(const char *const *keys, uint32_t n, size_t *len)
{
	size_t total = 4, kl;
	uint32_t i;

	if (n > CEPHC_OSD_OMAP_KEYS_MAX || (n && !keys))
		return CEPHC_EINVAL;
	for (i = 0; i < n; i++) {
		if (check_name(keys[i], &kl))
			return CEPHC_EINVAL;
		total += 4 + kl;
	}
	*len = total;
	return 0;
}

static void enc_key_set(struct cephc_enc *e, const char *const *keys,
			uint32_t n)
{
	uint32_t i;

	enc_le32(e, n);
	for (i = 0; i < n; i++)
		enc_string(e, keys[i]);
}

static int key_set_op(struct cephc_osd_op *op, uint16_t code,
		      const char *const *keys, uint32_t n,
		      enum cephc_osd_out_kind out, uint64_t out_max)
{
	struct cephc_enc e;
	size_t len;
	int err = key_set_len(keys, n, &len);

	if (err)
		return err;
	op_begin(op, code, out, out_max);
	err = owned_begin(op, &e, len);
	if (err)
		return err;
	enc_key_set(&e, keys, n);
	return omap_finish(op, &e);
}

int cephc_osd_op_omap_get_vals_by_keys(struct cephc_osd_op *op,
				       const char *const *keys, uint32_t nkeys,
				       uint32_t out_max)
{
	return key_set_op(op, CEPHC_OSD_OP_OMAPGETVALSBYKEYS, keys, nkeys,
			  CEPHC_OSD_OUT_SCRATCH, scratch_cap(out_max));
}

int cephc_osd_op_omap_rm_keys(struct cephc_osd_op *op, const char *const *keys,
			      uint32_t nkeys)
{
	return key_set_op(op, CEPHC_OSD_OP_OMAPRMKEYS, keys, nkeys,
			  CEPHC_OSD_OUT_NONE, 0);
}

int cephc_osd_op_omap_set_keys(struct cephc_osd_op *op,
			       const struct cephc_osd_kv *kv, uint32_t n)
{
	struct cephc_enc e;
	uint64_t total = 4;
	size_t kl;
	uint32_t i;
	int err;

	if (n > CEPHC_OSD_OMAP_KEYS_MAX || (n && !kv))
		return CEPHC_EINVAL;
	for (i = 0; i < n; i++) {
		if (check_name(kv[i].key, &kl) || (kv[i].val_len && !kv[i].val))
			return CEPHC_EINVAL;
		total += 4 + kl + 4 + (uint64_t)kv[i].val_len;
	}
	if (total > UINT32_MAX)
		return CEPHC_EINVAL;
	op_begin(op, CEPHC_OSD_OP_OMAPSETVALS, CEPHC_OSD_OUT_NONE, 0);
	/* map<string, bufferlist>; values are copied: they are small. */
	err = owned_begin(op, &e, (size_t)total);
	if (err)
		return err;
	enc_le32(&e, n);
	for (i = 0; i < n; i++) {
		enc_string(&e, kv[i].key);
		enc_blob(&e, kv[i].val, kv[i].val_len);
	}
	return omap_finish(op, &e);
}

int cephc_osd_op_omap_get_header(struct cephc_osd_op *op, uint32_t out_max)
{
	op_begin(op, CEPHC_OSD_OP_OMAPGETHEADER, CEPHC_OSD_OUT_SCRATCH,
		 scratch_cap(out_max));
	return 0;
}

int cephc_osd_op_omap_set_header(struct cephc_osd_op *op, const void *hdr,
				 uint32_t len)
{
	if (len && !hdr)
		return CEPHC_EINVAL;
	/* The header is sent raw (no length prefix). */
	op_begin(op, CEPHC_OSD_OP_OMAPSETHEADER, CEPHC_OSD_OUT_NONE, 0);
	add_in(op, hdr, len);
	set_extent(op, 0, len);
	return 0;
}

/* ---- hobject_t ---- */

void cephc_hobject_init_min(struct cephc_hobject *h)
{
	memset(h, 0, sizeof(*h));
	h->pool = INT64_MIN;
}

size_t cephc_hobject_encoded_len(const struct cephc_hobject *h)
{
	return 6 + 4 + h->key_len + 4 + h->oid_len + 8 + 4 + 1 + 4 +
	       h->nspace_len + 8;
}

void cephc_hobject_encode(struct cephc_enc *e, const struct cephc_hobject *h)
{
	size_t env = enc_envelope_begin(e, 4, 3);

	enc_blob(e, h->key, h->key_len);
	enc_blob(e, h->oid, h->oid_len);
	enc_le64(e, h->snap);
	enc_le32(e, h->hash);
	enc_u8(e, h->is_max ? 1 : 0);
	enc_blob(e, h->nspace, h->nspace_len);
	enc_le64(e, (uint64_t)h->pool);
	enc_envelope_end(e, env);
}

int cephc_hobject_decode(struct cephc_dec *d, struct cephc_hobject *h)
{
	struct cephc_dec b;
	uint8_t v;

	memset(h, 0, sizeof(*h));
	if (dec_envelope(d, 4, &v, &b))
		return d->err;
	/* v < 4 used MIN/MAX sentinels in the pool field; never sent now. */
	if (v < 4)
		return dec_fail(d, CEPHC_EDECODE);
	h->key = dec_blob(&b, &h->key_len, CEPHC_OSD_NAME_MAX);
	h->oid = dec_blob(&b, &h->oid_len, CEPHC_OSD_NAME_MAX);
	h->snap = dec_le64(&b);
	h->hash = dec_le32(&b);
	h->is_max = dec_bool(&b);
	h->nspace = dec_blob(&b, &h->nspace_len, CEPHC_OSD_NAME_MAX);
	h->pool = dec_s64(&b);
	return dec_envelope_end(d, &b);
}

static uint32_t reverse_bits(uint32_t v)
{
	v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
	v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
	v = ((v >> 4) & 0x0f0f0f0fu) | ((v & 0x0f0f0f0fu) << 4);
	v = ((v >> 8) & 0x00ff00ffu) | ((v & 0x00ff00ffu) << 8);
	return (v >> 16) | (v << 16);
}

static int cmp_bytes(const uint8_t *a, uint32_t al, const uint8_t *b,
		     uint32_t bl)
{
	uint32_t n = al < bl ? al : bl;
	int c = n ? memcmp(a, b, n) : 0;

	if (c)
		return c < 0 ? -1 : 1;
	return al < bl ? -1 : al > bl ? 1 : 0;
}

int cephc_hobject_cmp(const struct cephc_hobject *a,
		      const struct cephc_hobject *b)
{
	uint32_t ra, rb;
	int c;

	if (a->is_max != b->is_max)
		return a->is_max ? 1 : -1;
	if (a->pool != b->pool)
		return a->pool < b->pool ? -1 : 1;
	ra = reverse_bits(a->hash);
	rb = reverse_bits(b->hash);
	if (ra != rb)
		return ra < rb ? -1 : 1;
	c = cmp_bytes(a->nspace, a->nspace_len, b->nspace, b->nspace_len);
	if (c)
		return c;
	c = cmp_bytes(
	    a->key_len ? a->key : a->oid, a->key_len ? a->key_len : a->oid_len,
	    b->key_len ? b->key : b->oid, b->key_len ? b->key_len : b->oid_len);
	if (c)
		return c;
	c = cmp_bytes(a->oid, a->oid_len, b->oid, b->oid_len);
	if (c)
		return c;
	if (a->snap != b->snap)
		return a->snap < b->snap ? -1 : 1;
	return 0;
}

/* ---- listing, watch, notify ---- */

int cephc_osd_op_pgnls(struct cephc_osd_op *op, uint64_t max_entries,
		       uint32_t start_epoch, const struct cephc_hobject *cursor,
		       uint32_t out_max)
{
	struct cephc_enc e;
	int err;

	if (!cursor || cursor->key_len > CEPHC_OSD_NAME_MAX ||
	    cursor->oid_len > CEPHC_OSD_NAME_MAX ||
	    cursor->nspace_len > CEPHC_OSD_NAME_MAX)
		return CEPHC_EINVAL;
	op_begin(op, CEPHC_OSD_OP_PGNLS, CEPHC_OSD_OUT_SCRATCH,
		 scratch_cap(out_max));
	/* Union "pgls": le64 count, le32 start_epoch. */
	put_le64(op->op_union, max_entries);
	put_le32(op->op_union + 8, start_epoch);
	/* Input: the cursor (collection_list_handle_t = hobject_t). */
	err = owned_begin(op, &e, cephc_hobject_encoded_len(cursor));
	if (err)
		return err;
	cephc_hobject_encode(&e, cursor);
	return owned_end(op, &e);
}

int cephc_osd_op_watch(struct cephc_osd_op *op, enum cephc_osd_watch_op wop,
		       uint64_t cookie, uint32_t gen, uint32_t timeout_s)
{
	if (wop != CEPHC_OSD_WATCH_OP_UNWATCH &&
	    wop != CEPHC_OSD_WATCH_OP_LEGACY_WATCH &&
	    wop != CEPHC_OSD_WATCH_OP_WATCH &&
	    wop != CEPHC_OSD_WATCH_OP_RECONNECT &&
	    wop != CEPHC_OSD_WATCH_OP_PING)
		return CEPHC_EINVAL;
	/* WATCH is a write-mode op code; librados sends even PINGs as WRITE. */
	op_begin(op, CEPHC_OSD_OP_WATCH, CEPHC_OSD_OUT_NONE, 0);
	/* Union "watch": le64 cookie, le64 ver (0), u8 op, le32 gen,
	 * le32 timeout (0 = the OSD's default). */
	put_le64(op->op_union, cookie);
	put_le64(op->op_union + 8, 0);
	op->op_union[16] = (uint8_t)wop;
	put_le32(op->op_union + 17, gen);
	put_le32(op->op_union + 21, timeout_s);
	return 0;
}

int cephc_osd_op_notify(struct cephc_osd_op *op, uint64_t cookie,
			uint32_t timeout_s, const void *payload,
			uint32_t payload_len)
{
	struct cephc_enc e;
	int err;

	if (payload_len && !payload)
		return CEPHC_EINVAL;
	op_begin(op, CEPHC_OSD_OP_NOTIFY, CEPHC_OSD_OUT_SCRATCH, 64);
	put_le64(op->op_union, cookie);
	/* le32 prot_ver 1, le32 timeout, then the bl's le32 length: owned;
	 * the payload bytes themselves are referenced. */
	err = owned_begin(op, &e, 12);
	if (err)
		return err;
	enc_le32(&e, 1);
	enc_le32(&e, timeout_s);
	enc_le32(&e, payload_len);
	err = owned_end(op, &e);
	if (!err && payload_len)
		err = add_in(op, payload, payload_len);
	return err;
}

int cephc_osd_op_notify_ack(struct cephc_osd_op *op, uint64_t notify_id,
			    uint64_t cookie, const void *reply,
			    uint32_t reply_len)
{
	struct cephc_enc e;
	int err;

	if (reply_len && !reply)
		return CEPHC_EINVAL;
	op_begin(op, CEPHC_OSD_OP_NOTIFY_ACK, CEPHC_OSD_OUT_NONE, 0);
	/* le64 notify_id, le64 cookie, bl reply (length owned, bytes not). */
	err = owned_begin(op, &e, 20);
	if (err)
		return err;
	enc_le64(&e, notify_id);
	enc_le64(&e, cookie);
	enc_le32(&e, reply_len);
	err = owned_end(op, &e);
	if (!err && reply_len)
		err = add_in(op, reply, reply_len);
	return err;
}

int cephc_osd_op_list_watchers(struct cephc_osd_op *op, uint32_t out_max)
{
	op_begin(op, CEPHC_OSD_OP_LIST_WATCHERS, CEPHC_OSD_OUT_SCRATCH,
		 scratch_cap(out_max));
	return 0;
}

int cephc_osd_op_list_snaps(struct cephc_osd_op *op, uint32_t out_max)
{
	op_begin(op, CEPHC_OSD_OP_LIST_SNAPS, CEPHC_OSD_OUT_SCRATCH,
		 scratch_cap(out_max));
	return 0;
}

int cephc_osd_op_rollback(struct cephc_osd_op *op, uint64_t snapid)
{
	op_begin(op, CEPHC_OSD_OP_ROLLBACK, CEPHC_OSD_OUT_NONE, 0);
	put_le64(op->op_union, snapid);
	return 0;
}

/* ---- per-op output decoders ---- */

int cephc_osd_decode_stat(const void *p, size_t len, uint64_t *size,
			  uint32_t *mtime_sec, uint32_t *mtime_nsec)
{
	struct cephc_dec d;

	dec_init(&d, p, len);
	*size = dec_le64(&d);
	*mtime_sec = dec_le32(&d);
	*mtime_nsec = dec_le32(&d);
	return d.err;
}

int cephc_osd_decode_notify_id(const void *p, size_t len, uint64_t *notify_id)
{
	struct cephc_dec d;

	dec_init(&d, p, len);
	*notify_id = dec_le64(&d);
	return d.err;
}

bool cephc_osd_cmpext_mismatch(int32_t rval, uint64_t *offset)
{
	if (rval > -CEPHC_OSD_MAX_ERRNO)
		return false;
	*offset = (uint64_t)(-(int64_t)rval - CEPHC_OSD_MAX_ERRNO);
	return true;
}

int cephc_osd_decode_sparse_read(const void *p, size_t len,
				 struct cephc_osd_extent *ext, uint32_t max,
				 uint32_t *n_ext, const uint8_t **data,
				 uint32_t *data_len)
{
	struct cephc_dec d;
	uint64_t sum = 0, next = 0;
	uint32_t n, i;

	*n_ext = 0;
	*data = NULL;
	*data_len = 0;
	dec_init(&d, p, len);
	n = dec_count(&d, CEPHC_OSD_SPARSE_EXTENTS_MAX, 16);
	if (d.err)
		return d.err;
	if (n > max)
		return CEPHC_ETOOBIG;
	for (i = 0; i < n; i++) {
		ext[i].off = dec_le64(&d);
		ext[i].len = dec_le64(&d);
		/* Ascending, non-overlapping, no wrap-around. */
		if (ext[i].off < next || ext[i].len > UINT64_MAX - ext[i].off)
			return CEPHC_EDECODE;
		next = ext[i].off + ext[i].len;
		sum += ext[i].len;
		if (sum > len)
			return CEPHC_EDECODE;
	}
	*data = dec_blob(&d, data_len, CEPHC_OSD_OUT_MAX);
	if (d.err)
		return d.err;
	if (sum != *data_len)
		return CEPHC_EDECODE;
	*n_ext = n;
	return 0;
}

int cephc_osd_kv_iter_init(struct cephc_osd_kv_iter *it, const void *p,
			   size_t len, bool vals)
{
	dec_init(&it->d, p, len);
	it->vals = vals;
	/* Each entry takes at least a string length (and a bl length). */
	it->left = dec_count(&it->d, CEPHC_OSD_LIST_MAX, vals ? 8 : 4);
	return it->d.err;
}

int cephc_osd_kv_iter_next(struct cephc_osd_kv_iter *it, const uint8_t **key,
			   uint32_t *key_len, const uint8_t **val,
			   uint32_t *val_len)
{
	if (it->d.err)
		return it->d.err;
	if (!it->left)
		return 0;
	*key = dec_blob(&it->d, key_len, CEPHC_OSD_NAME_MAX);
	if (it->vals) {
		*val = dec_blob(&it->d, val_len, CEPHC_OSD_OUT_MAX);
	} else {
		*val = NULL;
		*val_len = 0;
	}
	if (it->d.err)
		return it->d.err;
	it->left--;
	return 1;
}

int cephc_osd_kv_iter_more(struct cephc_osd_kv_iter *it, bool *more)
{
	if (it->left)
		return CEPHC_EINVAL;
	*more = dec_bool(&it->d);
	return it->d.err;
}

int cephc_osd_pgnls_iter_init(struct cephc_osd_pgnls_iter *it, const void *p,
			      size_t len)
{
	struct cephc_dec d;

	memset(it, 0, sizeof(*it));
	dec_init(&d, p, len);
	if (dec_envelope(&d, 1, NULL, &it->body))
		return d.err;
	if (cephc_hobject_decode(&it->body, &it->handle))
		return it->body.err;
	/* Each entry: three strings, 12 bytes at least. */
	it->left = dec_count(&it->body, CEPHC_OSD_LIST_MAX, 12);
	return it->body.err;
}

int cephc_osd_pgnls_iter_next(struct cephc_osd_pgnls_iter *it,
			      struct cephc_osd_list_entry *e)
{
	struct cephc_dec *d = &it->body;

	if (d->err)
		return d->err;
	if (!it->left)
		return 0;
	e->nspace = dec_blob(d, &e->nspace_len, CEPHC_OSD_NAME_MAX);
	e->oid = dec_blob(d, &e->oid_len, CEPHC_OSD_NAME_MAX);
	e->locator = dec_blob(d, &e->locator_len, CEPHC_OSD_NAME_MAX);
	if (d->err)
		return d->err;
	it->left--;
	return 1;
}

int cephc_osd_watchers_iter_init(struct cephc_osd_watchers_iter *it,
				 const void *p, size_t len)
{
	struct cephc_dec d;

	memset(it, 0, sizeof(*it));
	dec_init(&d, p, len);
	if (dec_envelope(&d, 1, NULL, &it->body))
		return d.err;
	/* Each watch_item_t: envelope (6) + name (9) + cookie + timeout. */
	it->left = dec_count(&it->body, CEPHC_OSD_LIST_MAX, 27);
	return it->body.err;
}

int cephc_osd_watchers_iter_next(struct cephc_osd_watchers_iter *it,
				 struct cephc_osd_watcher *w)
{
	struct cephc_dec b;
	uint8_t v;

	if (it->body.err)
		return it->body.err;
	if (!it->left)
		return 0;
	memset(w, 0, sizeof(*w));
	if (dec_envelope(&it->body, 2, &v, &b))
		return it->body.err;
	cephc_entity_name_decode(&b, &w->name);
	w->cookie = dec_le64(&b);
	w->timeout_s = dec_le32(&b);
	if (v >= 2 && !b.err)
		cephc_addr_decode(&b, &w->addr);
	if (dec_envelope_end(&it->body, &b))
		return it->body.err;
	it->left--;
	return 1;
}

int cephc_osd_notify_iter_init(struct cephc_osd_notify_iter *it, const void *p,
			       size_t len)
{
	memset(it, 0, sizeof(*it));
	dec_init(&it->d, p, len);
	/* Each ack: gid + cookie + bl length = 20 bytes at least. */
	it->acks_left = dec_count(&it->d, CEPHC_OSD_LIST_MAX, 20);
	return it->d.err;
}

int cephc_osd_notify_iter_next_ack(struct cephc_osd_notify_iter *it,
				   uint64_t *gid, uint64_t *cookie,
				   const uint8_t **payload, uint32_t *len)
{
	if (it->d.err)
		return it->d.err;
	if (it->in_timeouts || !it->acks_left) {
		if (!it->in_timeouts) {
			it->in_timeouts = true;
			it->timeouts_left =
			    dec_count(&it->d, CEPHC_OSD_LIST_MAX, 16);
		}
		return it->d.err;
	}
	*gid = dec_le64(&it->d);
	*cookie = dec_le64(&it->d);
	*payload = dec_blob(&it->d, len, CEPHC_OSD_OUT_MAX);
	if (it->d.err)
		return it->d.err;
	it->acks_left--;
	return 1;
}

int cephc_osd_notify_iter_next_timeout(struct cephc_osd_notify_iter *it,
				       uint64_t *gid, uint64_t *cookie)
{
	if (it->d.err)
		return it->d.err;
	if (!it->in_timeouts) {
		/* Skip whatever acks the caller did not walk. */
		const uint8_t *pl;
		uint32_t l;
		int r;

		while ((r = cephc_osd_notify_iter_next_ack(it, gid, cookie, &pl,
							   &l)) > 0)
			;
		if (r < 0)
			return r;
	}
	if (!it->timeouts_left)
		return 0;
	*gid = dec_le64(&it->d);
	*cookie = dec_le64(&it->d);
	if (it->d.err)
		return it->d.err;
	it->timeouts_left--;
	return 1;
}
