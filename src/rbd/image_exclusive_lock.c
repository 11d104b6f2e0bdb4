/* SPDX-License-Identifier: MIT */
/*
 * The exclusive lock as librbd keeps it (feature maintainer, layer 3).
 * First cut: management ops take the lock the way removal does.
 */
#include "cephc/errors.h"
#include "rbd/image.h"

int rbd_image_op_begin(struct cephc_rbd_image *img)
{
	if (img->lock_owner)
		return 0;
	return rbd_image_acquire_lock(img);
}

void rbd_image_op_end(struct cephc_rbd_image *img)
{
	(void)img;
}
