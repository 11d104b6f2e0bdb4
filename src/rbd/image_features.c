/* SPDX-License-Identifier: MIT */
/*
 * `rbd feature enable|disable` (layer 6): cephc_rbd_update_features() as
 * librbd 16.2.15's Operations::update_features and its
 * Enable/DisableFeaturesRequest do it, for the features cephc can keep
 * (exclusive-lock, object-map, fast-diff; deep-flatten off).
 *
 * Enable, on the header: set_flags(invalid bits) on HEAD and every
 * snapshot when object-map/fast-diff come on, then set_features(new,
 * mask), then an empty map (object_map_resize to the object count, all
 * NONEXISTENT) for HEAD and every snapshot.  Disable: remove the maps
 * (HEAD and snapshots), set_features, then clear the invalid bits.  Both
 * end with a header-update notify.  object-map and fast-diff always move
 * together; the mask also names the features whose bit the server must
 * check against the new set (cls rbd refuses object-map without
 * exclusive-lock in the same request, for instance).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "rbd/cls_rbd.h"
#include "rbd/image.h"
#include "rbd/image_object_map.h"
#include "rbd/rbd_features.h"

#define SUBSYS "rbd"
#define FEAT_ENC_MAX 32

static const uint64_t OM_FD =
    CEPHC_RBD_FEATURE_OBJECT_MAP | CEPHC_RBD_FEATURE_FAST_DIFF;

/* ---- header reads ------------------------------------------------------ */

static int features_reply(void *arg, const uint8_t *p, size_t len)
{
	uint64_t incompat;

	return cephc_rbd_dec_get_features(p, len, arg, &incompat);
}

/* The features the header holds now (another client may have changed
 * them since open). */
static int read_features(struct cephc_rbd_image *img, uint64_t *out)
{
	uint8_t b[FEAT_ENC_MAX];
	struct cephc_enc e;
	int ret;

	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_get_features(&e, CEPHC_RBD_NOSNAP, false);
	return ret ? ret
		   : rbd_image_call(img, img->header_oid, "get_features", b,
				    enc_len(&e), false, features_reply, out);
}

static int snapc_reply(void *arg, const uint8_t *p, size_t len)
{
	void **a = arg;
	uint64_t seq;

	return cephc_rbd_dec_get_snapcontext(p, len, &seq, a[0], a[1]);
}

/* The image's snapshot ids now; cephc_free(*ids) after. */
static int read_snaps(struct cephc_rbd_image *img, uint64_t **ids, uint32_t *n)
{
	void *a[2] = {ids, n};

	*ids = NULL;
	*n = 0;
	return rbd_image_call(img, img->header_oid, "get_snapcontext", NULL, 0,
			      false, snapc_reply, a);
}

struct size_out {
	uint8_t order;
	uint64_t size;
};

static int size_reply(void *arg, const uint8_t *p, size_t len)
{
	struct size_out *s = arg;

	return cephc_rbd_dec_get_size(p, len, &s->order, &s->size);
}

/* Object count of the image at snap_id (NOSNAP: HEAD), as its map sizes. */
static int object_count_at(struct cephc_rbd_image *img, uint64_t snap_id,
			   uint64_t *count)
{
	uint8_t b[FEAT_ENC_MAX];
	struct size_out s = {0};
	struct cephc_enc e;
	int ret;

	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_get_size(&e, snap_id);
	if (!ret)
		ret = rbd_image_call(img, img->header_oid, "get_size", b,
				     enc_len(&e), false, size_reply, &s);
	if (!ret)
		*count = cephc_striper_num_objects(&img->layout, s.size);
	return ret;
}

/* ---- header writes ----------------------------------------------------- */

/*
 * set_flags(flags, mask) on HEAD and every snapshot, as librbd's
 * SetFlagsRequest.  HEAD asserts the header lock when we own it (the
 * exclusive lock's owner writes the flags); without an exclusive lock
 * (it comes on in this very call) a plain set_flags.
 */
static int set_flags_all(struct cephc_rbd_image *img, const uint64_t *snaps,
			 uint32_t n, uint64_t flags, uint64_t mask)
{
	int ret = 0;

	for (uint32_t i = 0; !ret && i < n; i++) {
		uint8_t b[FEAT_ENC_MAX];
		struct cephc_enc e;

		enc_init(&e, b, sizeof(b));
		ret = cephc_rbd_enc_set_flags(&e, snaps[i], flags, mask);
		if (!ret)
			ret = rbd_image_call(img, img->header_oid, "set_flags",
					     b, enc_len(&e), true, NULL, NULL);
	}
	if (ret)
		return ret;
	if (img->ex && img->lock_cookie[0])
		return rbd_om_set_flags(img, CEPHC_RBD_NOSNAP, flags, mask);
	{
		uint8_t b[FEAT_ENC_MAX];
		struct cephc_enc e;

		enc_init(&e, b, sizeof(b));
		ret =
		    cephc_rbd_enc_set_flags(&e, CEPHC_RBD_NOSNAP, flags, mask);
		if (!ret)
			ret = rbd_image_call(img, img->header_oid, "set_flags",
					     b, enc_len(&e), true, NULL, NULL);
	}
	return ret;
}

static int set_features(struct cephc_rbd_image *img, uint64_t features,
			uint64_t mask)
{
	uint8_t b[FEAT_ENC_MAX];
	struct cephc_enc e;
	int ret;

	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_set_features(&e, features, mask);
	return ret ? ret
		   : rbd_image_call(img, img->header_oid, "set_features", b,
				    enc_len(&e), true, NULL, NULL);
}

/* An empty map (all NONEXISTENT) for snap_id, as object_map's
 * CreateRequest makes them. */
static int create_map(struct cephc_rbd_image *img, uint64_t snap_id)
{
	char oid[RBD_OID_MAX];
	uint8_t b[FEAT_ENC_MAX];
	struct cephc_enc e;
	uint64_t count;
	int ret = object_count_at(img, snap_id, &count);

	if (ret)
		return ret;
	cephc_rbd_object_map_name(img->meta.id, snap_id, oid, sizeof(oid));
	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_object_map_resize(&e, count,
					      CEPHC_RBD_OBJECT_NONEXISTENT);
	return ret ? ret
		   : rbd_image_call(img, oid, "object_map_resize", b,
				    enc_len(&e), true, NULL, NULL);
}

/* Remove the map of snap_id (absent: fine). */
static int remove_map(struct cephc_rbd_image *img, uint64_t snap_id)
{
	struct rbd_loc l = rbd_image_loc(img);
	char oid[RBD_OID_MAX];

	cephc_rbd_object_map_name(img->meta.id, snap_id, oid, sizeof(oid));
	return rbd_delete_object(&l, oid);
}

/* ---- the checks Operations::update_features makes ----------------------- */

static int check_request(uint64_t cur, uint64_t features, bool enabled)
{
	uint64_t mutable_ = CEPHC_RBD_FEATURES_MUTABLE |
			    (enabled ? 0 : CEPHC_RBD_FEATURES_DISABLE_ONLY);

	if (!features || (features & ~CEPHC_RBD_FEATURES_ALL)) {
		rbd_set_err("invalid feature mask %#" PRIx64, features);
		return CEPHC_EINVAL;
	}
	if (features & ~mutable_) {
		rbd_set_err("cannot update immutable features");
		return CEPHC_EINVAL;
	}
	if (enabled && (features & cur)) {
		rbd_set_err("one or more requested features are already "
			    "enabled");
		return CEPHC_EINVAL;
	}
	if (!enabled && (features & ~cur)) {
		rbd_set_err("one or more requested features are already "
			    "disabled");
		return CEPHC_EINVAL;
	}
	if (features & CEPHC_RBD_FEATURE_JOURNALING) {
		rbd_set_err("cephc does not keep an image journal: it cannot "
			    "%s journaling",
			    enabled ? "enable" : "disable");
		return CEPHC_EOPNOTSUPP;
	}
	return 0;
}

/* ---- enable / disable -------------------------------------------------- */

static int enable(struct cephc_rbd_image *img, uint64_t cur, uint64_t want,
		  const uint64_t *snaps, uint32_t n, uint64_t *newf)
{
	uint64_t m = want & ~cur, mask, flags = 0;
	int ret;

	if (m & OM_FD) /* the two go together */
		m |= OM_FD;
	*newf = cur | m;
	mask = m;
	if (m & CEPHC_RBD_FEATURE_OBJECT_MAP) {
		if (!(*newf & CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK)) {
			rbd_set_err("cannot enable object-map. exclusive-lock "
				    "must be enabled before enabling "
				    "object-map.");
			return CEPHC_EINVAL;
		}
		flags |= CEPHC_RBD_FLAG_OBJECT_MAP_INVALID;
		mask |= CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK |
			CEPHC_RBD_FEATURE_FAST_DIFF;
	}
	if (m & CEPHC_RBD_FEATURE_FAST_DIFF) {
		flags |= CEPHC_RBD_FLAG_FAST_DIFF_INVALID;
		mask |= CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK |
			CEPHC_RBD_FEATURE_OBJECT_MAP;
	}
	/* flags first: a map is never trusted before it was rebuilt */
	if (flags && (ret = set_flags_all(img, snaps, n, flags, flags))) {
		rbd_set_err("failed to update image flags: %s",
			    cephc_strerror(ret));
		return ret;
	}
	ret = set_features(img, *newf, mask);
	if (ret) {
		rbd_set_err("failed to update features: %s",
			    cephc_strerror(ret));
		return ret;
	}
	if ((m & CEPHC_RBD_FEATURE_OBJECT_MAP) &&
	    !(cur & CEPHC_RBD_FEATURE_OBJECT_MAP)) {
		for (uint32_t i = 0; !ret && i < n; i++)
			ret = create_map(img, snaps[i]);
		if (!ret)
			ret = create_map(img, CEPHC_RBD_NOSNAP);
		if (ret)
			rbd_set_err("failed to create object map: %s",
				    cephc_strerror(ret));
	}
	return ret;
}

static int disable(struct cephc_rbd_image *img, uint64_t cur, uint64_t want,
		   const uint64_t *snaps, uint32_t n, uint64_t *newf)
{
	uint64_t m = want & cur, mask, flags = 0;
	int ret = 0;

	if (m & OM_FD)
		m |= OM_FD;
	*newf = cur & ~m;
	mask = m;
	if (m & CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK) {
		if (*newf & (CEPHC_RBD_FEATURE_OBJECT_MAP |
			     CEPHC_RBD_FEATURE_JOURNALING)) {
			rbd_set_err("cannot disable exclusive-lock. object-map "
				    "or journaling must be disabled before "
				    "disabling exclusive-lock.");
			return CEPHC_EINVAL;
		}
		mask |= OM_FD | CEPHC_RBD_FEATURE_JOURNALING;
	}
	if (m & CEPHC_RBD_FEATURE_FAST_DIFF)
		flags |= CEPHC_RBD_FLAG_FAST_DIFF_INVALID;
	if (m & CEPHC_RBD_FEATURE_OBJECT_MAP) {
		flags |= CEPHC_RBD_FLAG_OBJECT_MAP_INVALID;
		/* our open map first (it unlocks the HEAD map object) */
		rbd_om_close(img);
		ret = remove_map(img, CEPHC_RBD_NOSNAP);
		for (uint32_t i = 0; !ret && i < n; i++)
			ret = remove_map(img, snaps[i]);
		if (ret) {
			rbd_set_err("failed to remove object map: %s",
				    cephc_strerror(ret));
			return ret;
		}
	}
	ret = set_features(img, *newf, mask);
	if (ret) {
		rbd_set_err("failed to update features: %s",
			    cephc_strerror(ret));
		return ret;
	}
	if (flags && (ret = set_flags_all(img, snaps, n, 0, flags)))
		rbd_set_err("failed to update image flags: %s",
			    cephc_strerror(ret));
	return ret;
}

int cephc_rbd_update_features(cephc_rbd_image *img, uint64_t features,
			      bool enabled)
{
	uint64_t cur, newf = 0, *snaps = NULL;
	uint32_t n = 0;
	bool had_lock, has_lock;
	int ret;

	if (!img)
		return CEPHC_EINVAL;
	rbd_clear_err();
	if (img->read_only || img->snap_id != CEPHC_RBD_NOSNAP) {
		rbd_set_err("the image must be open for writing, at HEAD");
		return CEPHC_EROFS;
	}
	ret = rbd_image_op_begin(img);
	if (ret)
		return ret;
	ret = read_features(img, &cur);
	if (!ret)
		ret = check_request(cur, features, enabled);
	if (!ret)
		ret = read_snaps(img, &snaps, &n);
	if (!ret)
		ret = enabled ? enable(img, cur, features, snaps, n, &newf)
			      : disable(img, cur, features, snaps, n, &newf);
	if (!ret) {
		pthread_mutex_lock(&img->lock);
		img->meta.features = newf;
		pthread_mutex_unlock(&img->lock);
		/* we own the lock: keep the new map as the owner does */
		if ((newf & CEPHC_RBD_FEATURE_OBJECT_MAP) && !img->om &&
		    img->ex && img->lock_cookie[0])
			rbd_om_open(img);
	}
	rbd_image_op_end(img);
	cephc_free(snaps);
	if (ret)
		return ret;
	/* the handle follows: start or stop its exclusive lock */
	had_lock = cur & CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK;
	has_lock = newf & CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK;
	if (has_lock && !had_lock && !img->ex)
		ret = rbd_exlock_init(img);
	else if (!has_lock && had_lock)
		rbd_exlock_shutdown(img);
	log_debug(SUBSYS, "%s: features %#" PRIx64 " -> %#" PRIx64,
		  img->header_oid, cur, newf);
	rbd_image_notify_header_update(img);
	return ret;
}
