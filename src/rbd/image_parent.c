/* SPDX-License-Identifier: MIT */
/*
 * What a clone's header says about its parent, resolved to names the way
 * `rbd info` / `rbd ls -l` show them, and the image lock holders.
 *
 * Since Nautilus the parent spec (pool, namespace, image id, snap id) is
 * one header field for the image and all its snapshots; what differs per
 * snapshot is the overlap (parent_overlap_get(snap)), absent where the
 * snapshot has no parent (taken after a flatten).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "osdc/cls_lock.h"
#include "rbd/image.h"

static int parent_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_parent_get(p, len, arg);
}

struct overlap {
	bool has;
	uint64_t bytes;
};

static int overlap_reply(void *arg, const uint8_t *p, size_t len)
{
	struct overlap *o = arg;

	return cephc_rbd_dec_parent_overlap_get(p, len, &o->has, &o->bytes);
}

static int name_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_dir_get_name(p, len, arg);
}

static int trash_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_trash_get(p, len, arg);
}

static int snap_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_snapshot_get(p, len, arg);
}

int rbd_parent_spec_at(struct cephc_rbd_image *img, uint64_t snap_id,
		       struct cephc_rbd_parent_spec *spec, bool *has,
		       uint64_t *overlap)
{
	struct overlap ov = {false, 0};
	uint8_t b[8];
	struct cephc_enc e;
	int ret;

	*has = false;
	*overlap = 0;
	memset(spec, 0, sizeof(*spec));
	spec->pool_id = CEPHC_RBD_POOL_NONE;
	ret = rbd_image_call(img, img->header_oid, "parent_get", NULL, 0, false,
			     parent_reply, spec);
	if (ret || spec->pool_id < 0)
		return ret;
	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_snap_id(&e, snap_id);
	if (!ret)
		ret = rbd_image_call(img, img->header_oid, "parent_overlap_get",
				     b, enc_len(&e), false, overlap_reply, &ov);
	*has = !ret && ov.has;
	*overlap = ov.bytes;
	return ret;
}

/* Pool id -> name from the OSDMap we hold ("" when unknown). */
static void pool_name(struct cephc_cluster *c, int64_t id, char *buf,
		      size_t cap)
{
	struct cephc_pool_info *pools;
	size_t n;

	buf[0] = '\0';
	if (cephc_cluster_pool_list(c, &pools, &n))
		return;
	for (size_t i = 0; i < n; i++)
		if (pools[i].id == id)
			snprintf(buf, cap, "%s", pools[i].name);
	cephc_buffer_free(pools);
}

int rbd_parent_snap_get(struct rbd_osd *osd,
			const struct cephc_rbd_parent_spec *spec,
			struct cephc_rbd_snap_info *out)
{
	struct rbd_loc pl = {osd, spec->pool_id, spec->pool_namespace};
	char hdr[RBD_OID_MAX];
	uint8_t b[16];
	struct cephc_enc e;
	int ret;

	cephc_rbd_header_object_name(spec->image_id, hdr, sizeof(hdr));
	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_snap_id(&e, spec->snap_id);
	return ret ? ret
		   : rbd_call(&pl, hdr, "snapshot_get", b, enc_len(&e), false,
			      snap_reply, out);
}

/* Names of the parent image (directory, else its trash entry) and snap. */
static int parent_names(struct cephc_rbd_image *img,
			const struct cephc_rbd_parent_spec *spec,
			struct cephc_rbd_parent_info *out)
{
	struct rbd_loc pl = {img->osd, spec->pool_id, spec->pool_namespace};
	struct cephc_rbd_trash_spec ts = {0};
	struct cephc_rbd_snap_info si = {0};
	uint8_t b[CEPHC_RBD_ENC_MAX];
	struct cephc_enc e;
	char *name = NULL;
	int ret;

	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_dir_get_name(&e, spec->image_id);
	if (!ret)
		ret = rbd_call(&pl, CEPHC_RBD_DIRECTORY, "dir_get_name", b,
			       enc_len(&e), false, name_reply, &name);
	if (ret == CEPHC_ENOENT) {
		ret = rbd_call(&pl, CEPHC_RBD_TRASH, "trash_get", b,
			       enc_len(&e), false, trash_reply, &ts);
		name = ts.name;
		ts.name = NULL;
		out->image_in_trash = !ret;
	}
	if (ret)
		return ret;
	snprintf(out->image_name, sizeof(out->image_name), "%s", name);
	cephc_free(name);
	ret = rbd_parent_snap_get(img->osd, spec, &si);
	if (!ret)
		snprintf(out->snap_name, sizeof(out->snap_name), "%s", si.name);
	cephc_rbd_snap_info_clear(&si);
	return ret;
}

int cephc_rbd_get_parent_at(cephc_rbd_image *img, uint64_t snap_id,
			    struct cephc_rbd_parent_info *out)
{
	struct cephc_rbd_parent_spec spec;
	bool has;
	int ret;

	if (!img || !out)
		return CEPHC_EINVAL;
	memset(out, 0, sizeof(*out));
	out->pool_id = CEPHC_RBD_POOL_NONE;
	ret = rbd_parent_spec_at(img, snap_id, &spec, &has, &out->overlap);
	if (!ret && has) {
		out->has_parent = true;
		out->pool_id = spec.pool_id;
		out->snap_id = spec.snap_id;
		snprintf(out->pool_namespace, sizeof(out->pool_namespace), "%s",
			 spec.pool_namespace);
		snprintf(out->image_id, sizeof(out->image_id), "%s",
			 spec.image_id);
		pool_name(img->c, spec.pool_id, out->pool_name,
			  sizeof(out->pool_name));
		ret = parent_names(img, &spec, out);
	}
	cephc_rbd_parent_spec_clear(&spec);
	return ret;
}

int cephc_rbd_get_parent(cephc_rbd_image *img,
			 struct cephc_rbd_parent_info *out)
{
	if (!img)
		return CEPHC_EINVAL;
	return cephc_rbd_get_parent_at(img, img->snap_id, out);
}

/* ---- clone reads ----------------------------------------------------------
 */

/* How deep the parent opens on this thread go (a loop guard). */
static __thread unsigned parent_depth;

int rbd_image_open_parent(struct cephc_rbd_image *img)
{
	struct cephc_rbd_parent_spec spec;
	char pname[256];
	uint64_t overlap;
	bool has;
	int ret;

	ret = rbd_parent_spec_at(img, img->snap_id, &spec, &has, &overlap);
	if (ret || !has || !overlap) {
		/* no parent at this snapshot: nothing falls through */
		cephc_rbd_parent_spec_clear(&spec);
		return ret;
	}
	pool_name(img->c, spec.pool_id, pname, sizeof(pname));
	if (!pname[0]) {
		rbd_set_err("parent pool %lld does not exist",
			    (long long)spec.pool_id);
		ret = CEPHC_ENOENT;
	} else if (parent_depth >= RBD_PARENT_DEPTH_MAX) {
		rbd_set_err("clone chain deeper than %d images",
			    RBD_PARENT_DEPTH_MAX);
		ret = -ELOOP;
	} else {
		parent_depth++;
		ret = rbd_image_open(img->c, pname, spec.pool_namespace, NULL,
				     spec.image_id, NULL, spec.snap_id,
				     CEPHC_RBD_OPEN_READ_ONLY, &img->parent);
		parent_depth--;
		if (ret && !rbd_have_err())
			rbd_set_err("opening the parent image: %s",
				    cephc_strerror(ret));
	}
	img->parent_overlap = ret ? 0 : overlap;
	cephc_rbd_parent_spec_clear(&spec);
	return ret;
}

int rbd_image_read_parent(struct cephc_rbd_image *img, uint64_t off,
			  uint64_t len, void *buf, cephc_rbd_callback_t done,
			  void *arg)
{
	uint64_t overlap = img->parent_overlap, n;
	cephc_rbd_completion *comp;
	int ret;

	if (!img->parent || off >= overlap || off >= img->parent->size)
		return 1;
	/* only the overlap is the parent's; past it the child reads zeros */
	n = overlap - off < len ? overlap - off : len;
	ret = cephc_rbd_aio_create_completion(arg, done, &comp);
	if (ret)
		return ret;
	ret = cephc_rbd_aio_read(img->parent, off, (size_t)n, buf, comp);
	if (ret)
		cephc_rbd_aio_release(comp);
	return ret;
}

/* ---- lock holders -------------------------------------------------------- */

static int lock_info_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_cls_lock_decode_info(p, len, arg);
}

int cephc_rbd_list_lockers(cephc_rbd_image *img, int *count, bool *exclusive)
{
	struct cephc_cls_lock_info *info;
	uint8_t b[64];
	size_t len;
	int ret;

	if (!img || !count || !exclusive)
		return CEPHC_EINVAL;
	*count = 0;
	*exclusive = false;
	info = cephc_calloc(1, sizeof(*info));
	if (!info)
		return CEPHC_ENOMEM;
	ret = cephc_cls_lock_encode_get_info("rbd_lock", b, sizeof(b), &len);
	if (!ret)
		ret = rbd_lock_call(img, "get_info", b, len, false,
				    lock_info_reply, info);
	if (!ret) {
		*count = (int)info->num_lockers;
		*exclusive = info->type == CEPHC_CLS_LOCK_EXCLUSIVE;
	}
	cephc_free(info);
	return ret;
}
