/* SPDX-License-Identifier: MIT */
/*
 * Resize as librbd's operation/ResizeRequest does it: a shrink trims the
 * objects past the new end first (the I/O engine's discard path), then
 * set_size on the header, then a header-update notify to the watchers.
 * With an exclusive lock, as its owner; with an object map, the map grows
 * before the size and shrinks after it (librbd's order).
 */
#include "rbd/image.h"

#include "cephc/errors.h"
#include "core/log.h"
#include "rbd/cls_rbd.h"
#include "rbd/image_object_map.h"

#define SUBSYS "rbd"

int cephc_rbd_resize(cephc_rbd_image *img, uint64_t size)
{
	uint8_t buf[16];
	struct cephc_enc e;
	uint64_t old;
	int ret;

	if (!img)
		return CEPHC_EINVAL;
	if (img->read_only)
		return CEPHC_EROFS;
	/* the lock owner resizes (the size is read once we own it) */
	ret = rbd_image_op_begin(img);
	if (ret)
		return ret;
	pthread_mutex_lock(&img->lock);
	old = img->size;
	pthread_mutex_unlock(&img->lock);
	/* a larger map before the size grows; after it shrinks, when the
	 * trim has made every cut entry NONEXISTENT */
	if (size > old)
		ret = rbd_om_resize(img, size);
	if (!ret && size < old) {
		/* librbd: shrink the visible size last, after the trim, so
		 * a failed trim leaves the image whole. */
		ret = rbd_image_trim(img, size, old);
	}
	enc_init(&e, buf, sizeof(buf));
	if (!ret)
		ret = cephc_rbd_enc_set_size(&e, size);
	if (!ret)
		ret = rbd_image_call(img, img->header_oid, "set_size", buf,
				     (size_t)(e.p - e.start), true, NULL, NULL);
	if (!ret && size < old)
		ret = rbd_om_resize(img, size);
	if (ret) {
		rbd_image_op_end(img);
		return ret;
	}
	pthread_mutex_lock(&img->lock);
	img->size = size;
	img->meta.size = size;
	pthread_mutex_unlock(&img->lock);
	/* set_size shrank a clone's overlap with the image */
	if (img->parent && img->parent_overlap > size)
		img->parent_overlap = size;
	/*
	 * Other clients with the image open learn the new size (librbd
	 * does the same after a resize); our own watch re-reads too.  Sent
	 * before the lock may go, and not waited for here (a watcher whose
	 * session is being re-established holds a notify up to its 5 s
	 * timeout): releasing the lock waits for it, as librbd flushes its
	 * notifies before it releases.  A librbd client that takes the lock
	 * next refreshes only if it saw the header update; with its old
	 * size it would find the object map "smaller than the object count"
	 * and flag it invalid.
	 */
	ret = rbd_image_notify_header_update(img);
	if (ret)
		log_debug(SUBSYS, "%s: header update notify: %s",
			  img->header_oid, cephc_strerror(ret));
	rbd_image_op_end(img);
	return 0;
}
