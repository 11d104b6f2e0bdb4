/* SPDX-License-Identifier: MIT */
/*
 * Image creation as librbd's image/CreateRequest does it: directory entry,
 * rbd_id.<name>, rbd_header.<id>, striping, the empty object map (with
 * object-map); each failed step undoes the ones before it.  Exclusive
 * lock, fast-diff and deep-flatten are header bits only at creation.
 */
#include "rbd/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "rbd/cls_rbd.h"
#include "rbd/rbd_features.h"

/*
 * The features of a new image from what the caller asked (0: the conf
 * option rbd_default_features), with librbd's rules: internal features
 * dropped; object-map brings fast-diff, fast-diff without object-map is
 * dropped (16.2.15, live: `--image-feature fast-diff` makes an image
 * without features); object-map and journaling need exclusive-lock.
 */
static int create_features(cephc_cluster *c, uint64_t asked, uint64_t *out)
{
	uint64_t f = asked;

	if (!f) {
		char *v = cephc_cluster_conf_get(c, "rbd_default_features");

		/* a bad value leaves Ceph's default, as Ceph does */
		if (cephc_rbd_features_parse_conf(v, &f))
			f = CEPHC_RBD_FEATURES_DEFAULT;
		cephc_buffer_free(v);
	}
	if (f & ~CEPHC_RBD_FEATURES_ALL) {
		rbd_set_err("librbd does not support requested features.");
		return CEPHC_ENOSYS;
	}
	f &= ~CEPHC_RBD_FEATURES_INTERNAL;
	if (f & CEPHC_RBD_FEATURE_OBJECT_MAP)
		f |= CEPHC_RBD_FEATURE_FAST_DIFF;
	else
		f &= ~CEPHC_RBD_FEATURE_FAST_DIFF;
	if ((f & CEPHC_RBD_FEATURE_OBJECT_MAP) &&
	    !(f & CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK)) {
		rbd_set_err("cannot use object map without exclusive lock");
		return CEPHC_EINVAL;
	}
	if (f & CEPHC_RBD_FEATURE_JOURNALING) {
		if (!(f & CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK)) {
			rbd_set_err(
			    "cannot use journaling without exclusive lock");
			return CEPHC_EINVAL;
		}
		rbd_set_err("cephc does not keep an image journal: it cannot "
			    "create images with the journaling feature");
		return CEPHC_EOPNOTSUPP;
	}
	*out = f;
	return 0;
}

int cephc_rbd_create_ns(cephc_cluster *c, const char *pool, const char *nspace,
			const char *name, const struct cephc_rbd_create_opts *o)
{
	uint64_t features, osize, su, sc;
	int64_t dpid = CEPHC_RBD_POOL_NONE;
	char id[CEPHC_RBD_GEN_ID_LEN_MAX + 1];
	char oid[RBD_OID_MAX + CEPHC_RBD_NAME_MAX];
	char prefix[CEPHC_RBD_OBJECT_PREFIX_MAX];
	uint8_t buf[CEPHC_RBD_ENC_MAX + CEPHC_RBD_OBJECT_PREFIX_MAX];
	struct cephc_osd_ops ops;
	struct rbd_loc l;
	struct cephc_enc e;
	uint32_t rnd = 0;
	int order, ret;

	rbd_clear_err();
	if (!c || !pool || !name || !o || !*name ||
	    strlen(name) > CEPHC_RBD_NAME_MAX)
		return CEPHC_EINVAL;
	order = o->order ? o->order : 22;
	if (order < CEPHC_RBD_MIN_ORDER || order > CEPHC_RBD_MAX_ORDER) {
		rbd_set_err("order must be in the range [%d, %d]",
			    CEPHC_RBD_MIN_ORDER, CEPHC_RBD_MAX_ORDER);
		return CEPHC_EDOM;
	}
	osize = UINT64_C(1) << order;
	su = o->stripe_unit ? o->stripe_unit : osize;
	sc = o->stripe_count ? o->stripe_count : 1;
	ret = create_features(c, o->features, &features);
	if (ret)
		return ret;
	if (su > osize || osize % su || (su & (su - 1)) || sc < 1) {
		rbd_set_err(
		    "stripe unit must be a power of two dividing the object"
		    " size");
		return CEPHC_EINVAL;
	}
	/* librbd: default striping needs (and keeps) no STRIPINGV2 bit. */
	if (su == osize && sc == 1)
		features &= ~CEPHC_RBD_FEATURE_STRIPINGV2;
	else
		features |= CEPHC_RBD_FEATURE_STRIPINGV2;
	if (cephc_cluster_pool_lookup(c, pool) < 0) {
		rbd_set_err("pool '%s' does not exist", pool);
		return CEPHC_ENOENT;
	}
	if (o->data_pool && *o->data_pool && strcmp(o->data_pool, pool)) {
		dpid = cephc_cluster_pool_lookup(c, o->data_pool);
		if (dpid < 0) {
			rbd_set_err("data pool '%s' does not exist",
				    o->data_pool);
			return CEPHC_ENOENT;
		}
		features |= CEPHC_RBD_FEATURE_DATA_POOL;
	} else {
		features &= ~CEPHC_RBD_FEATURE_DATA_POOL;
	}
	if (getrandom(&rnd, sizeof(rnd), 0) != sizeof(rnd))
		rnd = (uint32_t)rand();
	ret = cephc_rbd_generate_image_id(cephc_cluster_instance_id(c), rnd, id,
					  sizeof(id));
	if (ret)
		return ret;
	if (dpid >= 0)
		snprintf(prefix, sizeof(prefix), "rbd_data.%lld.%s",
			 (long long)cephc_cluster_pool_lookup(c, pool), id);
	else
		snprintf(prefix, sizeof(prefix), "rbd_data.%s", id);

	ret = rbd_loc_open(c, pool, nspace, &l);
	if (ret)
		return ret;

	/*
	 * 1. directory entry (EEXIST when the name is taken).  In a
	 * namespace librbd first asserts, in the same request, that the
	 * namespace's directory is READY (ENOENT: no such namespace).
	 */
	cephc_osd_ops_init(&ops);
	ret = 0;
	if (*l.ns) {
		enc_init(&e, buf, sizeof(buf));
		ret = cephc_rbd_enc_dir_state(&e, CEPHC_RBD_DIR_STATE_READY);
		if (!ret)
			ret = rbd_op_call(&ops, "dir_state_assert", buf,
					  enc_len(&e), true);
	}
	enc_init(&e, buf, sizeof(buf));
	if (!ret)
		ret = cephc_rbd_enc_dir_add_image(&e, name, id);
	if (!ret)
		ret =
		    rbd_op_call(&ops, "dir_add_image", buf, enc_len(&e), true);
	if (!ret)
		ret = rbd_exec_ops(&l, CEPHC_RBD_DIRECTORY, &ops);
	else
		cephc_osd_ops_release(&ops);
	if (ret) {
		if (ret == CEPHC_EEXIST)
			rbd_set_err("rbd image %s already exists", name);
		else if (ret == CEPHC_ENOENT && *l.ns)
			rbd_set_err("namespace '%s' does not exist", l.ns);
		goto out;
	}

	/* 2. rbd_id.<name>: exclusive create + set_id in one request */
	cephc_rbd_id_object_name(name, oid, sizeof(oid));
	cephc_osd_ops_init(&ops);
	enc_init(&e, buf, sizeof(buf));
	ret = cephc_osd_op_create(cephc_osd_ops_add(&ops), true);
	if (!ret)
		ret = cephc_rbd_enc_set_id(&e, id);
	if (!ret)
		ret = rbd_op_call(&ops, "set_id", buf, (size_t)(e.p - e.start),
				  true);
	if (!ret)
		ret = rbd_exec_ops(&l, oid, &ops);
	else
		cephc_osd_ops_release(&ops);
	if (ret)
		goto undo_dir;

	/* 3. rbd_header.<id>: exclusive create + create + striping */
	cephc_rbd_header_object_name(id, oid, sizeof(oid));
	cephc_osd_ops_init(&ops);
	ret = cephc_osd_op_create(cephc_osd_ops_add(&ops), true);
	enc_init(&e, buf, sizeof(buf));
	if (!ret)
		ret = cephc_rbd_enc_create(&e, o->size, (uint8_t)order,
					   features, prefix, dpid);
	if (!ret)
		ret = rbd_op_call(&ops, "create", buf, (size_t)(e.p - e.start),
				  true);
	if (!ret)
		ret = rbd_exec_ops(&l, oid, &ops);
	else
		cephc_osd_ops_release(&ops);
	if (ret)
		goto undo_id;
	/*
	 * 4. striping: its own request, because cls reads the features
	 * from omap, where a write in the same transaction is not yet
	 * visible (16.2.15 answers ENOEXEC).
	 */
	if (features & CEPHC_RBD_FEATURE_STRIPINGV2) {
		enc_init(&e, buf, sizeof(buf));
		ret = cephc_rbd_enc_set_stripe_unit_count(&e, su, sc);
		if (!ret)
			ret =
			    rbd_call(&l, oid, "set_stripe_unit_count", buf,
				     (size_t)(e.p - e.start), true, NULL, NULL);
		if (ret)
			goto undo_header;
	}
	/*
	 * 5. object-map: the HEAD map, every object NONEXISTENT, created by
	 * object_map_resize (no lock: nobody has the image open yet).
	 */
	if (features & CEPHC_RBD_FEATURE_OBJECT_MAP) {
		char moid[RBD_OID_MAX];
		struct cephc_layout lay = {.object_size = osize,
					   .stripe_unit = su,
					   .stripe_count = sc};

		cephc_rbd_object_map_name(id, CEPHC_RBD_NOSNAP, moid,
					  sizeof(moid));
		enc_init(&e, buf, sizeof(buf));
		ret = cephc_rbd_enc_object_map_resize(
		    &e, cephc_striper_num_objects(&lay, o->size),
		    CEPHC_RBD_OBJECT_NONEXISTENT);
		if (!ret)
			ret = rbd_call(&l, moid, "object_map_resize", buf,
				       enc_len(&e), true, NULL, NULL);
		if (ret) {
			rbd_set_err("error creating initial object map: %s",
				    cephc_strerror(ret));
			rbd_delete_object(&l, moid);
			goto undo_header;
		}
	}
	goto out;

undo_header:
	rbd_delete_object(&l, oid);
undo_id:
	cephc_rbd_id_object_name(name, oid, sizeof(oid));
	rbd_delete_object(&l, oid);
undo_dir:
	enc_init(&e, buf, sizeof(buf));
	if (!cephc_rbd_enc_dir_remove_image(&e, name, id))
		rbd_call(&l, CEPHC_RBD_DIRECTORY, "dir_remove_image", buf,
			 (size_t)(e.p - e.start), true, NULL, NULL);
out:
	if (ret && !rbd_have_err())
		rbd_set_err("creating image %s: %s", name, cephc_strerror(ret));
	rbd_loc_close(&l);
	return ret;
}

int cephc_rbd_create(cephc_cluster *c, const char *pool, const char *name,
		     const struct cephc_rbd_create_opts *o)
{
	return cephc_rbd_create_ns(c, pool, NULL, name, o);
}
