/* SPDX-License-Identifier: MIT */
/*
 * Clone create and children listing (layer 4), following Pacific's
 * librbd image/CloneRequest, AttachParentRequest, AttachChildRequest and
 * api/Image list_children:
 *
 *   clone = open the parent at its snapshot (no parent chain, read-only)
 *           + checks (layering; v1: the snapshot is protected)
 *           + create the child (the parent's size, features, layout)
 *           + parent_attach on the child's header
 *           + v1: add_child in the child pool's rbd_children, then check
 *                 the snapshot is still protected
 *             v2: op feature clone-child on the child, child_attach on
 *                 the parent's header
 *   A failure after the child exists removes it again (the removal
 *   detaches whatever was attached).
 *
 *   children = v2: children_list of the snapshot record; v1: get_children
 *              in every pool's rbd_children; names from each pool's
 *              directory, else its trash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephc/errors.h"
#include "client/client.h"
#include "core/alloc.h"
#include "core/log.h"
#include "rbd/image.h"
#include "rbd/image_snap_ops.h"

#define SUBSYS "rbd"

/* CEPH_RELEASE_MIMIC: clone v2 needs clients of mimic or later. */
#define RBD_RELEASE_MIMIC 13

/* rbd_default_clone_format: "1", "2" or "auto" (the cluster decides). */
static int default_clone_format(cephc_cluster *c)
{
	char *v = cephc_cluster_conf_get(c, "rbd_default_clone_format");
	int fmt = 0;

	if (v && !strcmp(v, "1"))
		fmt = 1;
	else if (v && !strcmp(v, "2"))
		fmt = 2;
	cephc_buffer_free(v);
	if (fmt)
		return fmt;
	/*
	 * auto: librbd takes the larger of the OSDMap's computed
	 * min_compat_client and require_min_compat_client; the first
	 * stays below mimic unless the require one is raised, so the
	 * require one decides.
	 */
	pthread_mutex_lock(&c->lock);
	fmt = c->osdmap &&
		      c->osdmap->require_min_compat_client >= RBD_RELEASE_MIMIC
		  ? 2
		  : 1;
	pthread_mutex_unlock(&c->lock);
	return fmt;
}

static int protection_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_get_protection_status(p, len, arg);
}

/* Is the parent's snapshot protected now (re-read from its header)? */
static int snap_protected_now(struct cephc_rbd_image *p, bool *prot)
{
	uint8_t b[16];
	struct cephc_enc e;

	*prot = false;
	enc_init(&e, b, sizeof(b));
	cephc_rbd_enc_snap_id(&e, p->snap_id);
	return rbd_image_call(p, p->header_oid, "get_protection_status", b,
			      enc_len(&e), false, protection_reply, prot);
}

static int meta_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_metadata_list(p, len, arg);
}

/* librbd's deep_copy::MetadataCopyRequest: the parent's image-meta keys
 * (conf_* overrides and user keys) to the child, a page at a time. */
#define RBD_META_PAGE 64
static int copy_metadata(struct cephc_rbd_image *p, struct cephc_rbd_image *ch)
{
	char *after = cephc_strdup("");
	int ret = after ? 0 : CEPHC_ENOMEM;
	bool more = true;

	while (!ret && more) {
		struct cephc_rbd_kv_list kv = {0};
		uint8_t b[CEPHC_RBD_ENC_MAX + CEPHC_RBD_META_KEY_MAX];
		struct cephc_enc e;

		enc_init(&e, b, sizeof(b));
		ret = cephc_rbd_enc_metadata_list(&e, after, RBD_META_PAGE);
		if (!ret)
			ret =
			    rbd_image_call(p, p->header_oid, "metadata_list", b,
					   enc_len(&e), false, meta_reply, &kv);
		more = !ret && kv.count == RBD_META_PAGE;
		for (uint32_t i = 0; !ret && i < kv.count; i++) {
			size_t n = cephc_rbd_metadata_set_len(
			    kv.items[i].key, kv.items[i].value_len);
			uint8_t *in = cephc_malloc(n);

			if (!in) {
				ret = CEPHC_ENOMEM;
				break;
			}
			enc_init(&e, in, n);
			ret = cephc_rbd_enc_metadata_set(&e, kv.items[i].key,
							 kv.items[i].value,
							 kv.items[i].value_len);
			if (!ret)
				ret = rbd_image_call(
				    ch, ch->header_oid, "metadata_set", in,
				    enc_len(&e), true, NULL, NULL);
			cephc_free(in);
		}
		if (!ret && more) {
			cephc_free(after);
			after = cephc_strdup(kv.items[kv.count - 1].key);
			if (!after)
				ret = CEPHC_ENOMEM;
		}
		cephc_rbd_kv_list_clear(&kv);
	}
	cephc_free(after);
	if (ret == CEPHC_ENOENT)
		ret = 0; /* nothing to copy */
	if (ret)
		rbd_set_err("failed to copy metadata: %s", cephc_strerror(ret));
	return ret;
}

/* AttachParentRequest + AttachChildRequest on a freshly created child. */
static int attach(struct cephc_rbd_image *p, struct cephc_rbd_image *ch,
		  int fmt)
{
	struct cephc_rbd_parent_spec ps = {p->pool, p->nspace, p->meta.id,
					   p->snap_id};
	uint8_t b[CEPHC_RBD_ENC_MAX + CEPHC_RBD_NAMESPACE_MAX];
	struct cephc_enc e;
	bool prot;
	int ret;

	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_parent_attach(&e, &ps, p->size, false);
	if (!ret)
		ret = rbd_image_call(ch, ch->header_oid, "parent_attach", b,
				     enc_len(&e), true, NULL, NULL);
	if (ret) {
		rbd_set_err("failed to attach parent: %s", cephc_strerror(ret));
		return ret;
	}
	if (fmt == 1) {
		/* v1 parent specs carry no namespace */
		ps.pool_namespace = "";
		enc_init(&e, b, sizeof(b));
		ret = cephc_rbd_enc_add_child(&e, &ps, ch->meta.id);
		if (!ret)
			ret =
			    rbd_image_call(ch, CEPHC_RBD_CHILDREN, "add_child",
					   b, enc_len(&e), true, NULL, NULL);
		if (ret) {
			rbd_set_err("couldn't add child: %s",
				    cephc_strerror(ret));
			return ret;
		}
		/* unprotected meanwhile?  (unprotect checks rbd_children
		 * first, so one of the two sees the other) */
		ret = snap_protected_now(p, &prot);
		if (ret || !prot) {
			rbd_set_err("validate protected failed");
			return CEPHC_EINVAL;
		}
		return 0;
	}
	enc_init(&e, b, sizeof(b));
	ret =
	    cephc_rbd_enc_op_features_set(&e, CEPHC_RBD_OP_FEATURE_CLONE_CHILD,
					  CEPHC_RBD_OP_FEATURE_CLONE_CHILD);
	if (!ret)
		ret = rbd_image_call(ch, ch->header_oid, "op_features_set", b,
				     enc_len(&e), true, NULL, NULL);
	if (ret) {
		rbd_set_err("failed to enable clone v2: %s",
			    cephc_strerror(ret));
		return ret;
	}
	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_child_attach(&e, p->snap_id, ch->pool, ch->nspace,
					 ch->meta.id);
	if (!ret)
		ret = rbd_image_call(p, p->header_oid, "child_attach", b,
				     enc_len(&e), true, NULL, NULL);
	if (ret)
		rbd_set_err("failed to attach child image: %s",
			    cephc_strerror(ret));
	return ret;
}

int cephc_rbd_clone(cephc_cluster *c, const char *p_pool, const char *p_nspace,
		    const char *p_name, const char *p_snap, const char *c_pool,
		    const char *c_nspace, const char *c_name,
		    const struct cephc_rbd_clone_opts *o)
{
	const struct cephc_rbd_create_opts *co = o ? o->create : NULL;
	struct cephc_rbd_create_opts cr = {0};
	struct cephc_rbd_image *p = NULL, *ch = NULL;
	char saved[512];
	int fmt, ret;

	rbd_clear_err();
	if (!c || !p_pool || !p_name || !c_pool || !c_name || !*c_name)
		return CEPHC_EINVAL;
	if (!p_snap || !*p_snap) {
		rbd_set_err("image to be cloned must be a snapshot");
		return CEPHC_EINVAL;
	}
	fmt = o && o->clone_format ? o->clone_format : default_clone_format(c);
	if (fmt != 1 && fmt != 2)
		return CEPHC_EINVAL;
	if (fmt == 1 &&
	    strcmp(p_nspace ? p_nspace : "", c_nspace ? c_nspace : "")) {
		rbd_set_err("clone v2 required for cross-namespace clones");
		return CEPHC_EXDEV;
	}
	ret = rbd_image_open(
	    c, p_pool, p_nspace, p_name, NULL, p_snap, CEPHC_RBD_NOSNAP,
	    CEPHC_RBD_OPEN_READ_ONLY | RBD_OPEN_ANY_FEATURES, &p);
	if (ret) {
		if (!rbd_have_err())
			rbd_set_err("failed to open parent image: %s",
				    cephc_strerror(ret));
		return ret;
	}
	if (!(p->meta.features & CEPHC_RBD_FEATURE_LAYERING)) {
		rbd_set_err("parent image must support layering");
		ret = CEPHC_ENOSYS;
		goto out;
	}
	if (fmt == 1 && !p->snap_protected) {
		rbd_set_err("parent snapshot must be protected");
		ret = CEPHC_EINVAL;
		goto out;
	}
	/* the child: the parent's size, features and layout unless given */
	if (co)
		cr = *co;
	cr.size = p->size;
	if (!cr.features)
		cr.features = p->meta.features;
	if (!cr.order)
		cr.order = p->meta.order;
	if (!cr.stripe_unit && !cr.stripe_count &&
	    (p->meta.features & CEPHC_RBD_FEATURE_STRIPINGV2)) {
		cr.stripe_unit = p->meta.stripe_unit;
		cr.stripe_count = p->meta.stripe_count;
	}
	if (!(cr.features & CEPHC_RBD_FEATURE_LAYERING)) {
		rbd_set_err("cloning image must support layering");
		ret = CEPHC_ENOSYS;
		goto out;
	}
	ret = cephc_rbd_create_ns(c, c_pool, c_nspace, c_name, &cr);
	if (ret)
		goto out;
	ret = rbd_image_open(
	    c, c_pool, c_nspace, c_name, NULL, NULL, CEPHC_RBD_NOSNAP,
	    CEPHC_RBD_OPEN_READ_ONLY | RBD_OPEN_ANY_FEATURES, &ch);
	if (!ret)
		ret = attach(p, ch, fmt);
	if (!ret)
		ret = copy_metadata(p, ch);
	if (ch)
		cephc_rbd_close(ch);
	if (ret) {
		/* librbd: remove the half-made child, keep the first error */
		snprintf(saved, sizeof(saved), "%s", cephc_rbd_last_error());
		if (cephc_rbd_remove_ns(c, c_pool, c_nspace, c_name))
			log_info(SUBSYS, "removing failed clone %s: %s", c_name,
				 cephc_rbd_last_error());
		rbd_clear_err();
		if (*saved)
			rbd_set_err("%s", saved);
	}
out:
	cephc_rbd_close(p);
	return ret;
}

/* ---- children ---------------------------------------------------------- */

struct kids {
	struct cephc_rbd_child *v;
	uint32_t n, cap;
};

static int name_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_dir_get_name(p, len, arg);
}

static int trash_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_trash_get(p, len, arg);
}

/* Add child image id of pool/nspace, named from the directory or the
 * trash (an id in neither is skipped, as librbd does). */
static int kid_add(struct cephc_rbd_image *img, struct kids *k, int64_t pool,
		   const char *nspace, const char *id)
{
	struct rbd_loc l = {img->osd, pool, nspace};
	struct cephc_rbd_trash_spec ts = {0};
	struct cephc_rbd_child *ch;
	uint8_t b[CEPHC_RBD_ENC_MAX];
	struct cephc_enc e;
	char *name = NULL;
	bool trash = false;
	int ret;

	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_dir_get_name(&e, id);
	if (!ret)
		ret = rbd_call(&l, CEPHC_RBD_DIRECTORY, "dir_get_name", b,
			       enc_len(&e), false, name_reply, &name);
	if (ret == CEPHC_ENOENT) {
		ret = rbd_call(&l, CEPHC_RBD_TRASH, "trash_get", b, enc_len(&e),
			       false, trash_reply, &ts);
		name = ts.name;
		ts.name = NULL;
		trash = !ret;
		if (ret == CEPHC_ENOENT) {
			log_debug(SUBSYS, "child %s: no name", id);
			return 0;
		}
	}
	if (ret)
		return ret;
	if (k->n == k->cap) {
		uint32_t cap = k->cap ? k->cap * 2 : 8;
		void *nv = cephc_realloc(k->v, (size_t)cap * sizeof(*k->v));

		if (!nv) {
			cephc_free(name);
			return CEPHC_ENOMEM;
		}
		k->v = nv;
		k->cap = cap;
	}
	ch = &k->v[k->n++];
	memset(ch, 0, sizeof(*ch));
	ch->pool_id = pool;
	rbd_pool_name(img->c, pool, ch->pool_name, sizeof(ch->pool_name));
	snprintf(ch->pool_namespace, sizeof(ch->pool_namespace), "%s", nspace);
	snprintf(ch->image_id, sizeof(ch->image_id), "%s", id);
	snprintf(ch->image_name, sizeof(ch->image_name), "%s", name);
	ch->trash = trash;
	cephc_free(name);
	return 0;
}

/* rbd_snap_children_walk()'s callback: each child into the list. */
struct kid_walk {
	struct cephc_rbd_image *img;
	struct kids *k;
};

static int kid_found(void *arg, int64_t pool, const char *nspace,
		     const char *image_id)
{
	struct kid_walk *w = arg;

	return kid_add(w->img, w->k, pool, nspace, image_id);
}

static int kid_cmp(const void *a, const void *b)
{
	const struct cephc_rbd_child *x = a, *y = b;
	int r = strcmp(x->pool_name, y->pool_name);

	if (!r)
		r = strcmp(x->pool_namespace, y->pool_namespace);
	if (!r)
		r = strcmp(x->image_name, y->image_name);
	return r;
}

int cephc_rbd_list_children(cephc_rbd_image *img,
			    struct cephc_rbd_child **children, uint32_t *count)
{
	struct kids k = {0};
	struct kid_walk w = {img, &k};
	int ret;

	if (!img || !children || !count)
		return CEPHC_EINVAL;
	*children = NULL;
	*count = 0;
	rbd_clear_err();
	if (img->snap_id == CEPHC_RBD_NOSNAP) {
		rbd_set_err("children are listed for a snapshot");
		return CEPHC_EINVAL;
	}
	ret = rbd_snap_children_walk(img, img->snap_id,
				     RBD_CHILDREN_V1 | RBD_CHILDREN_V2,
				     kid_found, &w);
	if (ret) {
		cephc_free(k.v);
		return ret;
	}
	if (k.n)
		qsort(k.v, k.n, sizeof(*k.v), kid_cmp);
	/* one block, freed with cephc_buffer_free() (cephc_free) */
	*children = k.v;
	*count = k.n;
	return 0;
}
