/* SPDX-License-Identifier: MIT */
/*
 * What a clone's header says about its parent, resolved to names the way
 * `rbd info` / `rbd ls -l` show them.
 *
 * Since Nautilus the parent spec (pool, namespace, image id, snap id) is
 * one header field for the image and all its snapshots; what differs per
 * snapshot is the overlap (parent_overlap_get(snap)), absent where the
 * snapshot has no parent (taken after a flatten).
 */
#include <stdio.h>
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
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
		rbd_pool_name(img->c, spec.pool_id, out->pool_name,
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
