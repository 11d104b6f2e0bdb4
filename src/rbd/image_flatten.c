/* SPDX-License-Identifier: MIT */
/*
 * Flatten (layer 6), as Pacific's librbd operation/FlattenRequest with
 * image/DetachChildRequest and DetachParentRequest:
 *
 *   as the exclusive lock's owner (rbd_image_op_begin: a live owner is
 *   asked to hand the lock over), for every object under the parent
 *   overlap: skip it when the object map says it exists, else copy the
 *   parent's bytes up (the engine's copy-up path, HEAD and snapshot maps
 *   first), rbd_concurrent_management_ops at a time;
 *   then detach the child from the parent snapshot (v2 child_detach on
 *   the parent header, v1 remove_child in rbd_children), except for an
 *   image without deep-flatten that has snapshots: those keep the
 *   parent, and the child stays registered;
 *   then detach the parent on the child's header (parent_detach; the
 *   legacy remove_parent when the OSD lacks it);
 *   then drop the parent snapshot if it sat in the trash for this last
 *   child, and tell the header's watchers.
 */
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "rbd/image.h"
#include "rbd/image_snap_ops.h"

#define SUBSYS "rbd"
/* rbd_concurrent_management_ops: librbd's default, and a bound. */
#define RBD_MGMT_OPS_DEFAULT 10
#define RBD_MGMT_OPS_MAX 1024

/* Copy up objects [0, n), window at a time, in order. */
static int copyup_all(struct cephc_rbd_image *img, uint64_t n, unsigned window,
		      cephc_rbd_progress_fn progress, void *arg)
{
	cephc_rbd_completion **w;
	uint64_t next = 0, done = 0;
	int ret = 0;

	w = cephc_calloc(window, sizeof(*w));
	if (!w)
		return CEPHC_ENOMEM;
	while (done < n) {
		/* fill the window (stop sending after an error) */
		while (!ret && next < n && next - done < window) {
			cephc_rbd_completion **slot = &w[next % window];

			ret = cephc_rbd_aio_create_completion(NULL, NULL, slot);
			if (!ret) {
				ret = rbd_image_copyup_object(img, next, *slot);
				if (ret) {
					cephc_rbd_aio_release(*slot);
					*slot = NULL;
				}
			}
			if (ret)
				break;
			next++;
		}
		if (done == next)
			break; /* nothing in flight: an error stopped us */
		cephc_rbd_completion *c = w[done % window];
		int r;

		cephc_rbd_aio_wait(c);
		r = cephc_rbd_aio_get_return_value(c);
		cephc_rbd_aio_release(c);
		w[done % window] = NULL;
		if (r && !ret) {
			log_debug(SUBSYS, "%s: copy-up of object %llu: %s",
				  img->header_oid, (unsigned long long)done,
				  cephc_strerror(r));
			ret = r;
		}
		done++;
		if (!ret && progress)
			progress(arg, done, n);
	}
	cephc_free(w);
	return ret;
}

/* DetachParentRequest on the child's header. */
static int detach_parent(struct cephc_rbd_image *img)
{
	int ret = rbd_image_call(img, img->header_oid, "parent_detach", NULL, 0,
				 true, NULL, NULL);

	if (ret == CEPHC_EOPNOTSUPP)
		ret = rbd_image_call(img, img->header_oid, "remove_parent",
				     NULL, 0, true, NULL, NULL);
	return ret == CEPHC_ENOENT ? 0 : ret;
}

int cephc_rbd_flatten(cephc_rbd_image *img, cephc_rbd_progress_fn progress,
		      void *arg)
{
	struct cephc_rbd_parent_spec ps = {CEPHC_RBD_POOL_NONE, NULL, NULL,
					   CEPHC_RBD_NOSNAP};
	uint64_t overlap, size, n, window;
	bool detach_from_parent;
	int ret;

	if (!img)
		return CEPHC_EINVAL;
	rbd_clear_err();
	if (img->read_only || img->snap_id != CEPHC_RBD_NOSNAP)
		return CEPHC_EROFS;
	ret = rbd_image_op_begin(img);
	if (ret)
		return ret;
	/* what the header says now that we own the lock */
	ret = rbd_image_refresh(img);
	if (ret)
		goto out;
	pthread_mutex_lock(&img->lock);
	overlap = img->parent_overlap;
	size = img->size;
	if (img->parent && img->meta.parent.pool_id >= 0) {
		ps.pool_id = img->meta.parent.pool_id;
		ps.snap_id = img->meta.parent.snap_id;
		ps.pool_namespace =
		    cephc_strdup(img->meta.parent.pool_namespace
				     ? img->meta.parent.pool_namespace
				     : "");
		ps.image_id = cephc_strdup(img->meta.parent.image_id);
	}
	detach_from_parent =
	    (img->meta.features & CEPHC_RBD_FEATURE_DEEP_FLATTEN) ||
	    img->wnum_snaps == 0;
	pthread_mutex_unlock(&img->lock);
	if (ps.pool_id < 0 || !overlap) {
		/* librbd: -EINVAL, "image has no parent" (an overlap of 0 is
		 * a parent another client has just flattened away) */
		rbd_set_err("image has no parent");
		ret = CEPHC_EINVAL;
		goto out;
	}
	if (!ps.pool_namespace || !ps.image_id) {
		ret = CEPHC_ENOMEM;
		goto out;
	}
	if (overlap > size)
		overlap = size;
	n = cephc_striper_num_objects(&img->layout, overlap);
	window = rbd_conf_u64(img->c, "rbd_concurrent_management_ops",
			      RBD_MGMT_OPS_DEFAULT);
	if (window < 1)
		window = 1;
	if (window > RBD_MGMT_OPS_MAX)
		window = RBD_MGMT_OPS_MAX;
	ret = copyup_all(img, n, (unsigned)window, progress, arg);
	if (ret) {
		rbd_set_err("flatten encountered an error: %s",
			    cephc_strerror(ret));
		goto out;
	}
	if (detach_from_parent) {
		ret = rbd_detach_child(img, &ps);
		if (ret) {
			rbd_set_err("detach encountered an error: %s",
				    cephc_strerror(ret));
			goto out;
		}
	}
	ret = detach_parent(img);
	if (ret) {
		rbd_set_err("remove parent encountered an error: %s",
			    cephc_strerror(ret));
		goto out;
	}
	/* the handle has no parent from here: nothing falls through (the
	 * parent's handle stays until close, for reads still on it) */
	pthread_mutex_lock(&img->lock);
	img->parent_overlap = 0;
	img->meta.has_parent_overlap = false;
	img->meta.parent_overlap = 0;
	if (detach_from_parent)
		img->meta.op_features &= ~CEPHC_RBD_OP_FEATURE_CLONE_CHILD;
	pthread_mutex_unlock(&img->lock);
	ret = rbd_image_notify_header_update(img);
	if (ret)
		log_debug(SUBSYS, "%s: header update notify: %s",
			  img->header_oid, cephc_strerror(ret));
	ret = 0;
out:
	rbd_image_op_end(img);
	cephc_free(ps.pool_namespace);
	cephc_free(ps.image_id);
	return ret;
}
