/* SPDX-License-Identifier: MIT */
/*
 * Lists handed to API callers are single allocations (records, then the
 * strings they point to), freed with one cephc_buffer_free().  These
 * helpers gather strings while paging through cls replies, then pack.
 */
#ifndef CEPHC_RBD_IMAGE_PACK_H
#define CEPHC_RBD_IMAGE_PACK_H

#include <stddef.h>

#include "cephc/rbd.h"
#include "rbd/cls_rbd.h"

/* A growable array of owned strings. */
struct rbd_strvec {
	char **v;
	size_t n, cap;
};
/* Append a copy of s. */
int rbd_strvec_push(struct rbd_strvec *sv, const char *s);
void rbd_strvec_clear(struct rbd_strvec *sv);

/* char *[n + 1] (NULL-terminated) followed by the strings. */
int rbd_strvec_pack(const struct rbd_strvec *sv, char ***out, size_t *count);
/* ids[i], names[i] -> cephc_rbd_image_spec[n]. */
int rbd_pack_specs(const struct rbd_strvec *ids, const struct rbd_strvec *names,
		   struct cephc_rbd_image_spec **out, size_t *count);
/* Decoded trash entries -> cephc_rbd_trash_info[n]. */
int rbd_pack_trash(const struct cephc_rbd_trash_list *tl,
		   struct cephc_rbd_trash_info **out, size_t *count);

#endif /* CEPHC_RBD_IMAGE_PACK_H */
