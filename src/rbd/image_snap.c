/* SPDX-License-Identifier: MIT */
/*
 * Snapshot listing: the header's snap context read now (not as of open),
 * then snapshot_get + get_protection_status per snapshot, batched; and the
 * clones of one snapshot (children listing, unprotect, removal).
 */
#include "rbd/image.h"

#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "rbd/cls_rbd.h"
#include "rbd/image_snap_ops.h"

static int snap_context_reply(void *arg, const uint8_t *p, size_t len)
{
	uint64_t **ids = ((void **)arg)[0];
	uint32_t *n = ((void **)arg)[1];
	uint64_t seq;

	return cephc_rbd_dec_get_snapcontext(p, len, &seq, ids, n);
}

int rbd_snaps_fetch(struct cephc_rbd_image *img, struct rbd_snap_rec **out,
		    uint32_t *count)
{
	uint64_t *ids = NULL;
	uint32_t n = 0;
	void *args[2] = {&ids, &n};
	struct rbd_snap_rec *f = NULL;
	int ret;

	ret = rbd_image_call(img, img->header_oid, "get_snapcontext", NULL, 0,
			     false, snap_context_reply, args);
	if (!ret && n) {
		f = cephc_calloc(n, sizeof(*f));
		if (!f)
			ret = CEPHC_ENOMEM;
	}
	/* Two ops per snapshot, up to a request's worth at a time. */
	for (uint32_t i = 0; !ret && i < n; i += CEPHC_OSD_MAX_OPS / 2) {
		uint32_t k = n - i < CEPHC_OSD_MAX_OPS / 2
				 ? n - i
				 : CEPHC_OSD_MAX_OPS / 2;
		struct cephc_osd_ops ops;
		struct cephc_osdc_req req;

		cephc_osd_ops_init(&ops);
		for (uint32_t j = 0; !ret && j < k; j++) {
			uint8_t b[8];
			struct cephc_enc e;

			enc_init(&e, b, sizeof(b));
			ret = cephc_rbd_enc_snap_id(&e, ids[i + j]);
			if (!ret)
				ret = rbd_op_call(&ops, "snapshot_get", b,
						  sizeof(b), false);
			if (!ret)
				ret = rbd_op_call(&ops, "get_protection_status",
						  b, sizeof(b), false);
		}
		if (!ret) {
			rbd_image_req_setup(&req, &ops, img);
			ret = rbd_osd_exec(img->osd, &req);
		}
		for (uint32_t j = 0; !ret && j < k; j++) {
			struct cephc_osd_op *g = &ops.ops[2 * j];
			struct cephc_osd_op *pr = &ops.ops[2 * j + 1];

			ret = cephc_rbd_dec_snapshot_get(
			    g->op_outdata, g->op_outdata_len, &f[i + j].info);
			if (!ret)
				ret = cephc_rbd_dec_protection_status(
				    pr->op_outdata, pr->op_outdata_len,
				    &f[i + j].prot);
		}
		cephc_osd_ops_release(&ops);
	}
	cephc_free(ids);
	if (ret) {
		rbd_snap_recs_free(f, n);
		return ret;
	}
	*out = f;
	*count = n;
	return 0;
}

int cephc_rbd_snap_list(cephc_rbd_image *img,
			struct cephc_rbd_snap_entry **snaps, uint32_t *count)
{
	struct cephc_rbd_snap_entry *v;
	struct rbd_snap_rec *f = NULL;
	size_t total, names = 0;
	uint32_t n = 0;
	char *p;
	int ret;

	if (!img || !snaps || !count)
		return CEPHC_EINVAL;
	ret = rbd_snaps_fetch(img, &f, &n);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < n; i++) {
		names += strlen(f[i].info.name ? f[i].info.name : "") + 1;
		if (f[i].info.trash_original_name)
			names += strlen(f[i].info.trash_original_name) + 1;
	}
	total = (size_t)n * sizeof(*v) + names + 1;
	v = cephc_malloc(total);
	if (v) {
		p = (char *)(v + n);
		/* The snap context is newest first; rbd lists oldest first. */
		for (uint32_t i = 0; i < n; i++) {
			const struct cephc_rbd_snap_info *s =
			    &f[n - 1 - i].info;
			size_t l = strlen(s->name ? s->name : "");

			v[i].id = s->id;
			v[i].size = s->image_size;
			v[i].ns_type = s->ns_type;
			v[i].timestamp_sec = s->timestamp.sec;
			v[i].timestamp_nsec = s->timestamp.nsec;
			v[i].is_protected =
			    f[n - 1 - i].prot == CEPHC_RBD_PROTECTION_PROTECTED;
			memcpy(p, s->name ? s->name : "", l + 1);
			v[i].name = p;
			p += l + 1;
			v[i].trash_original_name = NULL;
			v[i].trash_original_ns = s->trash_original_ns;
			if (s->trash_original_name) {
				l = strlen(s->trash_original_name);
				memcpy(p, s->trash_original_name, l + 1);
				v[i].trash_original_name = p;
				p += l + 1;
			}
		}
		*snaps = v;
		*count = n;
	}
	rbd_snap_recs_free(f, n);
	return v ? 0 : CEPHC_ENOMEM;
}

void rbd_snap_recs_free(struct rbd_snap_rec *v, uint32_t n)
{
	for (uint32_t i = 0; v && i < n; i++)
		cephc_rbd_snap_info_clear(&v[i].info);
	cephc_free(v);
}

/* ---- children ---------------------------------------------------------- */

static int children_specs_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_children_specs(p, len, arg);
}

static int children_ids_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_get_children_ids(p, len, arg);
}

/* Clone v2: the snapshot record on our header lists its children. */
static int v2_children_walk(struct cephc_rbd_image *img, uint64_t snap_id,
			    rbd_child_fn fn, void *arg)
{
	struct cephc_rbd_child_list l = {0};
	uint8_t b[8];
	struct cephc_enc e;
	int ret;

	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_snap_id(&e, snap_id);
	if (!ret)
		ret = rbd_image_call(img, img->header_oid, "children_list", b,
				     enc_len(&e), false, children_specs_reply,
				     &l);
	/* no such snapshot record, or an OSD without the method: none */
	if (ret == CEPHC_ENOENT || ret == CEPHC_EOPNOTSUPP)
		ret = 0;
	for (uint32_t i = 0; !ret && i < l.count; i++)
		ret = fn(arg, l.items[i].pool_id, l.items[i].pool_namespace,
			 l.items[i].image_id);
	cephc_rbd_child_list_clear(&l);
	return ret;
}

/* Clone v1: rbd_children of every pool, in our image's namespace (where
 * librbd looks), maps the parent snapshot to its children's ids. */
static int v1_children_walk(struct cephc_rbd_image *img, uint64_t snap_id,
			    rbd_child_fn fn, void *arg)
{
	struct cephc_rbd_parent_spec ps = {
	    .pool_id = img->pool, .image_id = img->meta.id, .snap_id = snap_id};
	struct cephc_pool_info *pools = NULL;
	uint8_t b[CEPHC_RBD_ENC_MAX];
	struct cephc_enc e;
	size_t np = 0;
	int ret;

	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_get_children(&e, &ps);
	if (!ret)
		ret = cephc_cluster_pool_list(img->c, &pools, &np);
	for (size_t i = 0; !ret && i < np; i++) {
		struct rbd_loc l = {img->osd, pools[i].id, img->nspace};
		struct cephc_rbd_str_list ids = {0};

		ret = rbd_call(&l, CEPHC_RBD_CHILDREN, "get_children", b,
			       enc_len(&e), false, children_ids_reply, &ids);
		/* no rbd_children, or no rbd class use, in that pool */
		if (ret == CEPHC_ENOENT || ret == CEPHC_EOPNOTSUPP ||
		    ret == CEPHC_EPERM)
			ret = 0;
		for (uint32_t j = 0; !ret && j < ids.count; j++)
			ret = fn(arg, pools[i].id, img->nspace, ids.items[j]);
		cephc_rbd_str_list_clear(&ids);
	}
	cephc_buffer_free(pools);
	return ret;
}

int rbd_snap_children_walk(struct cephc_rbd_image *img, uint64_t snap_id,
			   unsigned flags, rbd_child_fn fn, void *arg)
{
	int ret = 0;

	if (flags & RBD_CHILDREN_V2)
		ret = v2_children_walk(img, snap_id, fn, arg);
	if (!ret && (flags & RBD_CHILDREN_V1))
		ret = v1_children_walk(img, snap_id, fn, arg);
	return ret;
}
