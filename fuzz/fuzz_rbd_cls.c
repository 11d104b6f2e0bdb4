/* SPDX-License-Identifier: MIT */
/*
 * Every cls rbd output decoder, and the image-metadata apply path, on the
 * same bytes.  Seeds: replies recorded from a live cluster
 * (tests/golden/rbd/).  Decoders must return 0 or a clean error, never
 * read out of bounds or leak.
 */
#include <stddef.h>
#include <stdint.h>

#include "core/alloc.h"
#include "rbd/cls_rbd.h"
#include "rbd/image_meta.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void strings(const uint8_t *d, size_t n)
{
	int (*fns[])(const void *, size_t, char **) = {
	    cephc_rbd_dec_get_id,
	    cephc_rbd_dec_dir_get_id,
	    cephc_rbd_dec_dir_get_name,
	    cephc_rbd_dec_get_object_prefix,
	    cephc_rbd_dec_get_snapshot_name,
	};

	for (size_t i = 0; i < sizeof(fns) / sizeof(fns[0]); i++) {
		char *s = NULL;

		if (fns[i](d, n, &s) == 0)
			cephc_free(s);
	}
}

static void structs(const uint8_t *d, size_t n)
{
	struct cephc_rbd_snap_info si;
	struct cephc_rbd_parent_spec ps;
	struct cephc_rbd_kv_list l;
	struct cephc_rbd_object_map om;
	struct cephc_rbd_time t;
	uint64_t a, b, *snaps;
	uint32_t k;
	int64_t pool;
	uint8_t order;
	bool has;

	(void)cephc_rbd_dec_get_size(d, n, &order, &a);
	(void)cephc_rbd_dec_get_features(d, n, &a, &b);
	(void)cephc_rbd_dec_get_all_features(d, n, &a);
	(void)cephc_rbd_dec_get_flags(d, n, &a);
	(void)cephc_rbd_dec_op_features_get(d, n, &a);
	(void)cephc_rbd_dec_get_data_pool(d, n, &pool);
	(void)cephc_rbd_dec_get_stripe_unit_count(d, n, &a, &b);
	(void)cephc_rbd_dec_timestamp(d, n, &t);
	(void)cephc_rbd_dec_get_snapshot_timestamp(d, n, &t);
	(void)cephc_rbd_dec_parent_overlap_get(d, n, &has, &a);
	if (cephc_rbd_dec_get_snapcontext(d, n, &a, &snaps, &k) == 0)
		cephc_free(snaps);
	if (cephc_rbd_dec_snapshot_get(d, n, &si) == 0)
		cephc_rbd_snap_info_clear(&si);
	if (cephc_rbd_dec_parent_get(d, n, &ps) == 0)
		cephc_rbd_parent_spec_clear(&ps);
	if (cephc_rbd_dec_get_parent(d, n, &ps, &a) == 0)
		cephc_rbd_parent_spec_clear(&ps);
	if (cephc_rbd_dec_dir_list(d, n, &l) == 0)
		cephc_rbd_kv_list_clear(&l);
	if (cephc_rbd_dec_metadata_list(d, n, &l) == 0)
		cephc_rbd_kv_list_clear(&l);
	{
		struct cephc_rbd_str_list sl;
		struct cephc_rbd_child_list cl;
		struct cephc_rbd_trash_list tl;
		struct cephc_rbd_trash_spec ts;

		if (cephc_rbd_dec_namespace_list(d, n, &sl) == 0)
			cephc_rbd_str_list_clear(&sl);
		if (cephc_rbd_dec_v1_directory(d, n, &sl) == 0)
			cephc_rbd_str_list_clear(&sl);
		if (cephc_rbd_dec_trash_list(d, n, &tl) == 0)
			cephc_rbd_trash_list_clear(&tl);
		if (cephc_rbd_dec_trash_get(d, n, &ts) == 0)
			cephc_rbd_trash_spec_clear(&ts);
		(void)cephc_rbd_dec_image_group_get(d, n, &pool);
		if (cephc_rbd_dec_get_children_ids(d, n, &sl) == 0)
			cephc_rbd_str_list_clear(&sl);
		if (cephc_rbd_dec_children_specs(d, n, &cl) == 0)
			cephc_rbd_child_list_clear(&cl);
		(void)cephc_rbd_dec_snap_get_limit(d, n, &a);
		(void)cephc_rbd_dec_protection_status(d, n, &order);
	}
	if (cephc_rbd_dec_object_map_load(d, n, &om) == 0) {
		for (uint64_t i = 0; i < om.count && i < 64; i++)
			(void)cephc_rbd_object_map_get(&om, i);
		cephc_rbd_object_map_clear(&om);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cephc_rbd_image_meta m;

	strings(data, size);
	structs(data, size);
	/* every kind into one meta, as a refresh would, then finish */
	cephc_rbd_meta_init(&m);
	for (int k = 0; k < CEPHC_RBD_REPLY_COUNT; k++)
		(void)cephc_rbd_meta_apply(&m, (enum cephc_rbd_reply)k, data,
					   size, size & 1);
	(void)cephc_rbd_meta_finish(&m);
	cephc_rbd_meta_clear(&m);
	return 0;
}
