/* SPDX-License-Identifier: MIT */
/*
 * cls rbd codecs: encoder outputs byte for byte (written by hand from the
 * wire forms in cls_rbd.h), and every decoder on hostile inputs (bad-inputs
 * item 8: zero-length replies, huge counts, truncated strings, envelopes
 * with length 0xffffffff, newer compat versions).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/alloc.h"
#include "rbd/cls_rbd.h"
#include "rbd/image_meta.h"
#include "rbd/rbd_features.h"

static uint8_t buf[CEPHC_RBD_ENC_MAX];
static struct cephc_enc e;

static void reset(void)
{
	memset(buf, 0xaa, sizeof(buf));
	enc_init(&e, buf, sizeof(buf));
}

#define ASSERT_ENC(expect)                                                     \
	do {                                                                   \
		static const uint8_t x_[] = expect;                            \
		assert_int_equal(enc_len(&e), sizeof(x_));                     \
		assert_memory_equal(buf, x_, sizeof(x_));                      \
	} while (0)

#define B(...)                                                                 \
	{                                                                      \
		__VA_ARGS__                                                    \
	}
#define LE64(v)                                                                \
	(uint8_t)(v), (uint8_t)((v) >> 8), (uint8_t)((v) >> 16),               \
	    (uint8_t)((v) >> 24), (uint8_t)((uint64_t)(v) >> 32),              \
	    (uint8_t)((uint64_t)(v) >> 40), (uint8_t)((uint64_t)(v) >> 48),    \
	    (uint8_t)((uint64_t)(v) >> 56)
#define NOSNAP_BYTES 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff

static void test_encode_strings_methods(void **state)
{
	(void)state;
	reset();
	assert_int_equal(cephc_rbd_enc_set_id(&e, "abc"), 0);
	ASSERT_ENC(B(3, 0, 0, 0, 'a', 'b', 'c'));

	reset();
	assert_int_equal(cephc_rbd_enc_dir_add_image(&e, "im", "1f"), 0);
	ASSERT_ENC(B(2, 0, 0, 0, 'i', 'm', 2, 0, 0, 0, '1', 'f'));
	reset();
	assert_int_equal(cephc_rbd_enc_dir_remove_image(&e, "im", "1f"), 0);
	ASSERT_ENC(B(2, 0, 0, 0, 'i', 'm', 2, 0, 0, 0, '1', 'f'));
	reset();
	assert_int_equal(cephc_rbd_enc_dir_get_id(&e, "im"), 0);
	ASSERT_ENC(B(2, 0, 0, 0, 'i', 'm'));
	reset();
	assert_int_equal(cephc_rbd_enc_dir_get_name(&e, "1f"), 0);
	ASSERT_ENC(B(2, 0, 0, 0, '1', 'f'));
	reset();
	/* start_after then le64 max_return */
	assert_int_equal(cephc_rbd_enc_dir_list(&e, "", 1024), 0);
	ASSERT_ENC(B(0, 0, 0, 0, LE64(1024)));
	reset();
	assert_int_equal(cephc_rbd_enc_dir_rename_image(&e, "a", "b", "c"), 0);
	ASSERT_ENC(B(1, 0, 0, 0, 'a', 1, 0, 0, 0, 'b', 1, 0, 0, 0, 'c'));
	reset();
	assert_int_equal(cephc_rbd_enc_metadata_list(&e, "k", 64), 0);
	ASSERT_ENC(B(1, 0, 0, 0, 'k', LE64(64)));
}

static void test_encode_header_methods(void **state)
{
	(void)state;
	reset();
	/* le64 size, u8 order, le64 features, string prefix, s64 pool */
	assert_int_equal(
	    cephc_rbd_enc_create(&e, 0x100000, 22, 3, "rbd_data.x", -1), 0);
	ASSERT_ENC(B(LE64(0x100000), 22, LE64(3), 10, 0, 0, 0, 'r', 'b', 'd',
		     '_', 'd', 'a', 't', 'a', '.', 'x', LE64(-1)));

	reset();
	assert_int_equal(cephc_rbd_enc_get_size(&e, CEPHC_RBD_NOSNAP), 0);
	ASSERT_ENC(B(NOSNAP_BYTES));
	reset();
	assert_int_equal(cephc_rbd_enc_get_features(&e, CEPHC_RBD_NOSNAP, true),
			 0);
	ASSERT_ENC(B(NOSNAP_BYTES, 1));
	reset();
	assert_int_equal(cephc_rbd_enc_get_features(&e, 5, false), 0);
	ASSERT_ENC(B(LE64(5), 0));
	reset();
	assert_int_equal(cephc_rbd_enc_set_size(&e, 0x123456789aULL), 0);
	ASSERT_ENC(B(LE64(0x123456789aULL)));
	reset();
	assert_int_equal(cephc_rbd_enc_set_features(&e, 4, 12), 0);
	ASSERT_ENC(B(LE64(4), LE64(12)));
	reset();
	assert_int_equal(cephc_rbd_enc_set_stripe_unit_count(&e, 65536, 4), 0);
	ASSERT_ENC(B(LE64(65536), LE64(4)));
	reset();
	assert_int_equal(cephc_rbd_enc_get_flags(&e, CEPHC_RBD_NOSNAP), 0);
	ASSERT_ENC(B(NOSNAP_BYTES));
	reset();
	/* flags, mask, then the snap id */
	assert_int_equal(cephc_rbd_enc_set_flags(&e, CEPHC_RBD_NOSNAP, 1, 3),
			 0);
	ASSERT_ENC(B(LE64(1), LE64(3), NOSNAP_BYTES));
	reset();
	assert_int_equal(cephc_rbd_enc_snap_id(&e, 24), 0);
	ASSERT_ENC(B(LE64(24)));
	reset();
	/* name first, snap id, then a user namespace envelope(1,1){le32 0} */
	assert_int_equal(cephc_rbd_enc_snapshot_add(&e, 10, "s"), 0);
	ASSERT_ENC(B(1, 0, 0, 0, 's', LE64(10), 1, 1, 4, 0, 0, 0, 0, 0, 0, 0));
}

static void test_encode_object_map_methods(void **state)
{
	(void)state;
	reset();
	assert_int_equal(cephc_rbd_enc_object_map_update(&e, 2, 5, 1, false, 0),
			 0);
	ASSERT_ENC(B(LE64(2), LE64(5), 1, 0));
	reset();
	assert_int_equal(cephc_rbd_enc_object_map_update(&e, 3, 4, 2, true, 1),
			 0);
	ASSERT_ENC(B(LE64(3), LE64(4), 2, 1, 1));
	reset();
	assert_int_equal(cephc_rbd_enc_object_map_resize(&e, 20000, 3), 0);
	ASSERT_ENC(B(LE64(20000), 3));
}

static void test_encode_refuses_bad_arguments(void **state)
{
	char longname[CEPHC_RBD_NAME_MAX + 2];
	char longid[CEPHC_RBD_ID_MAX + 2];
	uint8_t small[4];

	(void)state;
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	memset(longid, 'f', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';

	reset();
	assert_int_equal(cephc_rbd_enc_dir_get_id(&e, longname),
			 CEPHC_ENAMETOOLONG);
	assert_int_equal(cephc_rbd_enc_set_id(&e, longid), CEPHC_ENAMETOOLONG);
	assert_int_equal(cephc_rbd_enc_set_id(&e, ""), CEPHC_EINVAL);
	assert_int_equal(cephc_rbd_enc_set_id(&e, NULL), CEPHC_EINVAL);
	assert_int_equal(cephc_rbd_enc_create(&e, 1, 11, 1, "p", -1),
			 CEPHC_EINVAL);
	assert_int_equal(cephc_rbd_enc_create(&e, 1, 26, 1, "p", -1),
			 CEPHC_EINVAL);
	assert_int_equal(cephc_rbd_enc_create(&e, 1, 22, 1, "", -1),
			 CEPHC_EINVAL);
	assert_int_equal(cephc_rbd_enc_create(&e, 1, 22, 1, "p", -2),
			 CEPHC_EINVAL);
	assert_int_equal(cephc_rbd_enc_set_stripe_unit_count(&e, 0, 1),
			 CEPHC_EINVAL);
	assert_int_equal(cephc_rbd_enc_snapshot_add(&e, 1, ""), CEPHC_EINVAL);
	assert_int_equal(cephc_rbd_enc_object_map_update(&e, 5, 4, 1, false, 0),
			 CEPHC_EINVAL);
	assert_int_equal(cephc_rbd_enc_object_map_update(&e, 1, 4, 4, false, 0),
			 CEPHC_EINVAL);
	assert_int_equal(cephc_rbd_enc_object_map_resize(
			     &e, CEPHC_RBD_OBJECT_MAP_MAX_OBJECTS + 1, 0),
			 CEPHC_EINVAL);
	/* nothing was written by any refused call */
	assert_int_equal(enc_len(&e), 0);

	/* a full buffer reports EOVERFLOW */
	enc_init(&e, small, sizeof(small));
	assert_int_equal(cephc_rbd_enc_set_size(&e, 1), CEPHC_EOVERFLOW);
}

/* The longest arguments within the limits fit CEPHC_RBD_ENC_MAX. */
static void test_encode_max_fits(void **state)
{
	char name[CEPHC_RBD_NAME_MAX + 1];
	char id[CEPHC_RBD_ID_MAX + 1];

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(id, 'f', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	reset();
	assert_int_equal(cephc_rbd_enc_dir_rename_image(&e, name, name, id), 0);
	reset();
	assert_int_equal(cephc_rbd_enc_dir_add_image(&e, name, id), 0);
}

/* ---- decoders on hostile input -------------------------------------- */

static void test_decode_empty_and_truncated(void **state)
{
	static const uint8_t s3[] = {3, 0, 0, 0, 'a', 'b'}; /* 2 of 3 bytes */
	static const uint8_t huge[] = {0xff, 0xff, 0xff, 0xff, 'a'};
	static const uint8_t empty_str[] = {0, 0, 0, 0};
	static const uint8_t z[32] = {0};
	uint64_t a, b, *snaps;
	uint32_t n;
	int64_t pool;
	uint8_t order;
	bool has;
	char *s = (char *)1;
	struct cephc_rbd_time t;

	(void)state;
	assert_int_equal(cephc_rbd_dec_get_id(z, 0, &s), CEPHC_EDECODE);
	assert_null(s);
	assert_int_equal(cephc_rbd_dec_get_id(s3, sizeof(s3), &s),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_get_id(huge, sizeof(huge), &s),
			 CEPHC_ETOOBIG);
	/* an empty id / name / prefix is malformed, not a valid answer */
	assert_int_equal(cephc_rbd_dec_get_id(empty_str, 4, &s), CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_dir_get_name(empty_str, 4, &s),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_get_object_prefix(s3, 5, &s),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_get_snapshot_name(z, 3, &s),
			 CEPHC_EDECODE);

	assert_int_equal(cephc_rbd_dec_get_size(z, 8, &order, &a),
			 CEPHC_EDECODE);
	/* order 0 is outside 12..25 */
	assert_int_equal(cephc_rbd_dec_get_size(z, 9, &order, &a),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_get_features(z, 15, &a, &b),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_get_flags(z, 7, &a), CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_get_all_features(z, 0, &a),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_op_features_get(z, 4, &a),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_get_data_pool(z, 7, &pool),
			 CEPHC_EDECODE);
	/* a stripe unit or count of 0 would divide by zero later */
	assert_int_equal(cephc_rbd_dec_get_stripe_unit_count(z, 16, &a, &b),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_timestamp(z, 7, &t), CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_parent_overlap_get(z, 0, &has, &a),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_get_snapcontext(z, 11, &a, &snaps, &n),
			 CEPHC_EDECODE);
	assert_null(snaps);
}

static void test_decode_bad_values(void **state)
{
	static const uint8_t pool_m2[] = {LE64(-2)};
	static const uint8_t nsec[] = {1, 0, 0, 0, 0x00, 0xca, 0x9a, 0x3b};
	static const uint8_t opt2[] = {2, LE64(5)};
	static const uint8_t opt0[] = {0};
	int64_t pool;
	struct cephc_rbd_time t;
	bool has = true;
	uint64_t ov = 9;

	(void)state;
	assert_int_equal(cephc_rbd_dec_get_data_pool(pool_m2, 8, &pool),
			 CEPHC_EDECODE);
	/* nsec must stay below 1e9 (0x3b9aca00) */
	assert_int_equal(cephc_rbd_dec_timestamp(nsec, 8, &t), CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_parent_overlap_get(opt2, 9, &has, &ov),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_parent_overlap_get(opt0, 1, &has, &ov),
			 0);
	assert_false(has);
	assert_int_equal(ov, 0);
}

static void test_decode_snapcontext_checks(void **state)
{
	static const uint8_t ok[] = {LE64(9), 2, 0, 0, 0, LE64(9), LE64(3)};
	static const uint8_t asc[] = {LE64(9), 2, 0, 0, 0, LE64(3), LE64(9)};
	static const uint8_t dup[] = {LE64(9), 2, 0, 0, 0, LE64(3), LE64(3)};
	static const uint8_t above[] = {LE64(2), 1, 0, 0, 0, LE64(3)};
	static const uint8_t huge[] = {LE64(9), 0xff, 0xff, 0xff, 0xff};
	static const uint8_t over[] = {LE64(9), 0x01, 0x00, 0x01, 0x00};
	static const uint8_t short_[] = {LE64(9), 2, 0, 0, 0, LE64(3)};
	uint64_t seq, *snaps;
	uint32_t n;

	(void)state;
	assert_int_equal(
	    cephc_rbd_dec_get_snapcontext(ok, sizeof(ok), &seq, &snaps, &n), 0);
	assert_int_equal(seq, 9);
	assert_int_equal(n, 2);
	assert_int_equal(snaps[0], 9);
	assert_int_equal(snaps[1], 3);
	cephc_free(snaps);
	assert_int_equal(
	    cephc_rbd_dec_get_snapcontext(asc, sizeof(asc), &seq, &snaps, &n),
	    CEPHC_EDECODE);
	assert_int_equal(
	    cephc_rbd_dec_get_snapcontext(dup, sizeof(dup), &seq, &snaps, &n),
	    CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_get_snapcontext(above, sizeof(above),
						       &seq, &snaps, &n),
			 CEPHC_EDECODE);
	assert_int_equal(
	    cephc_rbd_dec_get_snapcontext(huge, sizeof(huge), &seq, &snaps, &n),
	    CEPHC_ETOOBIG);
	/* 65537 > CEPHC_RBD_SNAPS_MAX */
	assert_int_equal(
	    cephc_rbd_dec_get_snapcontext(over, sizeof(over), &seq, &snaps, &n),
	    CEPHC_ETOOBIG);
	assert_int_equal(cephc_rbd_dec_get_snapcontext(short_, sizeof(short_),
						       &seq, &snaps, &n),
			 CEPHC_EDECODE);
	assert_null(snaps);
	assert_int_equal(n, 0);
}

static void test_decode_envelopes(void **state)
{
	/* SnapshotInfo with length 0xffffffff */
	static const uint8_t len_ff[] = {1, 1, 0xff, 0xff, 0xff, 0xff, 0};
	/* zero-length struct body */
	static const uint8_t len0[] = {1, 1, 0, 0, 0, 0};
	/* compat 2: newer than we understand */
	static const uint8_t compat2[] = {2, 2, 1, 0, 0, 0, 0};
	/* SnapshotInfo whose namespace envelope claims more than its parent */
	static const uint8_t ns_over[] = {1, 1, 14, 0, 0, 0, LE64(1),
					  1, 1, 9,  0, 0, 0};
	/* SnapshotInfo with a newer namespace compat */
	static const uint8_t ns_compat[] = {
	    1, 1, 44, 0, 0, 0, LE64(5), 3, 2, 4,   0,   0,
	    0, 0, 0,  0, 0, 2, 0,       0, 0, 's', '1', LE64(1),
	    0, 0, 0,  0, 0, 0, 0,       0, 0, 0,   0,   0};
	struct cephc_rbd_snap_info si;
	struct cephc_rbd_parent_spec ps;
	struct cephc_rbd_object_map om;

	(void)state;
	assert_int_equal(
	    cephc_rbd_dec_snapshot_get(len_ff, sizeof(len_ff), &si),
	    CEPHC_EDECODE);
	assert_null(si.name);
	assert_int_equal(cephc_rbd_dec_snapshot_get(len0, sizeof(len0), &si),
			 CEPHC_EDECODE);
	assert_int_equal(
	    cephc_rbd_dec_snapshot_get(compat2, sizeof(compat2), &si),
	    CEPHC_ECOMPAT);
	assert_int_equal(
	    cephc_rbd_dec_snapshot_get(ns_over, sizeof(ns_over), &si),
	    CEPHC_EDECODE);
	assert_int_equal(
	    cephc_rbd_dec_snapshot_get(ns_compat, sizeof(ns_compat), &si),
	    CEPHC_ECOMPAT);
	assert_null(si.name);

	assert_int_equal(cephc_rbd_dec_parent_get(len_ff, sizeof(len_ff), &ps),
			 CEPHC_EDECODE);
	assert_null(ps.image_id);
	assert_int_equal(cephc_rbd_dec_parent_get(len0, sizeof(len0), &ps),
			 CEPHC_EDECODE);
	assert_int_equal(
	    cephc_rbd_dec_parent_get(compat2, sizeof(compat2), &ps),
	    CEPHC_ECOMPAT);
	assert_int_equal(cephc_rbd_dec_parent_get(len0, 0, &ps), CEPHC_EDECODE);

	assert_int_equal(cephc_rbd_dec_object_map_load(len_ff, 0, &om),
			 CEPHC_EDECODE);
	assert_null(om.data);
}

/* A snapshot from a newer OSD: unknown trailing fields are skipped. */
static void test_decode_snapshot_newer_version(void **state)
{
	static const uint8_t v2[] = {
	    2,          1,    46, 0, 0,   0, /* SnapshotInfo v2, compat 1 */
	    LE64(7),                         /* id */
	    1,          1,    4,  0, 0,   0,   1, 0, 0, 0, /* ns: group */
	    2,          0,    0,  0, 's', '7',             /* name */
	    LE64(4096),                                    /* image_size */
	    5,          0,    0,  0, 6,   0,   0, 0,       /* timestamp */
	    2,          0,    0,  0,                       /* child_count */
	    0xee,       0xee,                              /* a future field */
	};
	struct cephc_rbd_snap_info si;

	(void)state;
	assert_int_equal(cephc_rbd_dec_snapshot_get(v2, sizeof(v2), &si), 0);
	assert_int_equal(si.id, 7);
	assert_int_equal(si.ns_type, CEPHC_RBD_SNAP_NS_GROUP);
	assert_string_equal(si.name, "s7");
	assert_int_equal(si.image_size, 4096);
	assert_int_equal(si.timestamp.sec, 5);
	assert_int_equal(si.timestamp.nsec, 6);
	assert_int_equal(si.child_count, 2);
	cephc_rbd_snap_info_clear(&si);
}

static void test_decode_kv_lists(void **state)
{
	static const uint8_t ok[] = {2,   0, 0,   0, 1, 0,   0, 0,
				     'a', 1, 0,   0, 0, '1', 1, 0,
				     0,   0, 'b', 1, 0, 0,   0, '2'};
	static const uint8_t unsorted[] = {2,   0, 0,   0, 1, 0,   0, 0,
					   'b', 1, 0,   0, 0, '1', 1, 0,
					   0,   0, 'a', 1, 0, 0,   0, '2'};
	static const uint8_t huge[] = {0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0};
	static const uint8_t more[] = {3, 0,   0, 0, 1, 0, 0,
				       0, 'a', 1, 0, 0, 0, '1'};
	static const uint8_t trunc[] = {1, 0,   0, 0, 1, 0, 0,
					0, 'a', 9, 0, 0, 0, '1'};
	static const uint8_t nullval[] = {1,   0, 0, 0, 1, 0,   0, 0,
					  'k', 3, 0, 0, 0, 'x', 0, 'y'};
	struct cephc_rbd_kv_list l;

	(void)state;
	assert_int_equal(cephc_rbd_dec_dir_list(ok, sizeof(ok), &l), 0);
	assert_int_equal(l.count, 2);
	assert_string_equal(l.items[1].key, "b");
	assert_string_equal(l.items[1].value, "2");
	cephc_rbd_kv_list_clear(&l);
	assert_int_equal(cephc_rbd_dec_dir_list(unsorted, sizeof(unsorted), &l),
			 CEPHC_EDECODE);
	assert_int_equal(l.count, 0);
	assert_null(l.items);
	assert_int_equal(cephc_rbd_dec_dir_list(huge, sizeof(huge), &l),
			 CEPHC_ETOOBIG);
	assert_int_equal(cephc_rbd_dec_dir_list(more, sizeof(more), &l),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_metadata_list(trunc, sizeof(trunc), &l),
			 CEPHC_EDECODE);
	/* a dir_list id is never empty; a metadata value may hold NULs */
	assert_int_equal(
	    cephc_rbd_dec_metadata_list(nullval, sizeof(nullval), &l), 0);
	assert_int_equal(l.items[0].value_len, 3);
	assert_memory_equal(l.items[0].value, "x\0y", 3);
	cephc_rbd_kv_list_clear(&l);
}

static void test_decode_object_map_bad(void **state)
{
	/* 5 entries: header, 2 data bytes, footer with a wrong header crc */
	static const uint8_t badcrc[] = {
	    14, 0, 0, 0, 1, 1, 8, 0, 0, 0, LE64(5), 0x40, 0x00, 12, 0,
	    0,  0, 1, 2, 3, 4, 1, 0, 0, 0, 0,       0,    0,    0};
	/* count far beyond the cls limit */
	static const uint8_t toomany[] = {
	    14, 0, 0, 0, 1, 1, 8, 0, 0, 0, LE64(0x100000000000ULL)};
	/* count needs 2 data bytes, 1 present */
	static const uint8_t shortdata[] = {14, 0, 0, 0, 1,       1,
					    8,  0, 0, 0, LE64(5), 0x40};
	/* footer crc vector with the wrong number of blocks */
	static const uint8_t badn[] = {14, 0,       0,    0,    1, 1, 8, 0, 0,
				       0,  LE64(5), 0x40, 0x00, 8, 0, 0, 0, 1,
				       2,  3,       4,    0,    0, 0, 0};
	/* empty footer: crcs disabled, accepted */
	static const uint8_t nocrc[] = {14, 0,       0,    0,    1, 1, 8, 0, 0,
					0,  LE64(5), 0x40, 0xc0, 0, 0, 0, 0};
	struct cephc_rbd_object_map om;

	(void)state;
	assert_int_equal(
	    cephc_rbd_dec_object_map_load(badcrc, sizeof(badcrc), &om),
	    CEPHC_ECRC);
	assert_int_equal(
	    cephc_rbd_dec_object_map_load(toomany, sizeof(toomany), &om),
	    CEPHC_ETOOBIG);
	assert_int_equal(
	    cephc_rbd_dec_object_map_load(shortdata, sizeof(shortdata), &om),
	    CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_object_map_load(badn, sizeof(badn), &om),
			 CEPHC_EDECODE);
	assert_int_equal(
	    cephc_rbd_dec_object_map_load(nocrc, sizeof(nocrc), &om), 0);
	assert_int_equal(om.count, 5);
	assert_false(om.had_crcs);
	assert_int_equal(cephc_rbd_object_map_get(&om, 0), 1);
	assert_int_equal(cephc_rbd_object_map_get(&om, 1), 0);
	assert_int_equal(cephc_rbd_object_map_get(&om, 4), 3);
	assert_int_equal(cephc_rbd_object_map_get(&om, 5), 0);
	cephc_rbd_object_map_clear(&om);
}

/* ---- features, names, ids ------------------------------------------- */

/* ---- pool-level objects: namespaces, directory state, trash, v1 dir -- */

static void test_encode_pool_methods(void **state)
{
	struct cephc_rbd_trash_spec ts = {
	    .source = CEPHC_RBD_TRASH_SOURCE_REMOVING,
	    .name = "im",
	    .deletion_time = {0x01020304, 5},
	    .deferment_end_time = {0x01020304, 6},
	    .state = CEPHC_RBD_TRASH_STATE_MOVING,
	};

	(void)state;
	reset();
	assert_int_equal(cephc_rbd_enc_namespace_name(&e, "ns"), 0);
	ASSERT_ENC(B(2, 0, 0, 0, 'n', 's'));
	reset();
	assert_int_equal(cephc_rbd_enc_namespace_list(&e, "a", 1024), 0);
	ASSERT_ENC(B(1, 0, 0, 0, 'a', LE64(1024)));
	reset();
	assert_int_equal(cephc_rbd_enc_dir_state(&e, 1), 0);
	ASSERT_ENC(B(1));
	reset();
	/* id, then TrashImageSpec versioned(2,1), length 24 */
	assert_int_equal(cephc_rbd_enc_trash_add(&e, "1f", &ts), 0);
	ASSERT_ENC(B(2, 0, 0, 0, '1', 'f', 2, 1, 24, 0, 0, 0, 3, 2, 0, 0, 0,
		     'i', 'm', 4, 3, 2, 1, 5, 0, 0, 0, 4, 3, 2, 1, 6, 0, 0, 0,
		     1));
	reset();
	assert_int_equal(cephc_rbd_enc_trash_state_set(&e, "1f", 2, 0), 0);
	ASSERT_ENC(B(2, 0, 0, 0, '1', 'f', 2, 0));
	reset();
	assert_int_equal(cephc_rbd_enc_trash_list(&e, "", 1024), 0);
	ASSERT_ENC(B(0, 0, 0, 0, LE64(1024)));
	reset();
	assert_int_equal(cephc_rbd_enc_trash_id(&e, "1f"), 0);
	ASSERT_ENC(B(2, 0, 0, 0, '1', 'f'));
	reset();
	/* snap id, then ChildImageSpec versioned(2,1), length 8+6+6 */
	assert_int_equal(cephc_rbd_enc_child_detach(&e, 4, 3, "ns", "1f"), 0);
	ASSERT_ENC(B(LE64(4), 2, 1, 20, 0, 0, 0, LE64(3), 2, 0, 0, 0, '1', 'f',
		     2, 0, 0, 0, 'n', 's'));
	reset();
	{
		struct cephc_rbd_parent_spec ps = {3, "", "ab", 4};

		assert_int_equal(cephc_rbd_enc_remove_child(&e, &ps, "1f"), 0);
		ASSERT_ENC(B(LE64(3), 2, 0, 0, 0, 'a', 'b', LE64(4), 2, 0, 0, 0,
			     '1', 'f'));
		ps.pool_id = -1;
		assert_int_equal(cephc_rbd_enc_remove_child(&e, &ps, "1f"),
				 CEPHC_EINVAL);
	}
	assert_int_equal(cephc_rbd_enc_child_detach(&e, 4, 3, "", ""),
			 CEPHC_EINVAL);

	/* refusals: empty names/ids, out-of-range enums */
	reset();
	assert_int_equal(cephc_rbd_enc_namespace_name(&e, ""), CEPHC_EINVAL);
	assert_int_equal(cephc_rbd_enc_dir_state(&e, 2), CEPHC_EINVAL);
	assert_int_equal(cephc_rbd_enc_trash_id(&e, ""), CEPHC_EINVAL);
	assert_int_equal(cephc_rbd_enc_trash_state_set(&e, "1f", 4, 0),
			 CEPHC_EINVAL);
	ts.source = 5;
	assert_int_equal(cephc_rbd_enc_trash_add(&e, "1f", &ts), CEPHC_EINVAL);
}

/* Clone methods: the inputs librbd's cls_client writes (checked against
 * a 16.2.15 cluster by tests/integration/test_rbd_clone_ops.sh). */
static void test_encode_clone_methods(void **state)
{
	struct cephc_rbd_parent_spec ps = {3, "ns", "ab", 4};

	(void)state;
	reset();
	/* ParentImageSpec versioned(1,1) {pool, ns, id, snap}, overlap,
	 * reattach */
	assert_int_equal(cephc_rbd_enc_parent_attach(&e, &ps, 4096, false), 0);
	ASSERT_ENC(B(1, 1, 28, 0, 0, 0, LE64(3), 2, 0, 0, 0, 'n', 's', 2, 0, 0,
		     0, 'a', 'b', LE64(4), LE64(4096), 0));
	reset();
	ps.pool_namespace = NULL; /* the default namespace */
	assert_int_equal(cephc_rbd_enc_parent_attach(&e, &ps, 1, true), 0);
	ASSERT_ENC(B(1, 1, 26, 0, 0, 0, LE64(3), 0, 0, 0, 0, 2, 0, 0, 0, 'a',
		     'b', LE64(4), LE64(1), 1));
	reset();
	ps.pool_id = -1;
	assert_int_equal(cephc_rbd_enc_parent_attach(&e, &ps, 1, false),
			 CEPHC_EINVAL);
	ps.pool_id = 3;
	ps.pool_namespace = "";
	reset();
	/* child_attach = child_detach's input */
	assert_int_equal(cephc_rbd_enc_child_attach(&e, 4, 3, "ns", "1f"), 0);
	ASSERT_ENC(B(LE64(4), 2, 1, 20, 0, 0, 0, LE64(3), 2, 0, 0, 0, '1', 'f',
		     2, 0, 0, 0, 'n', 's'));
	reset();
	/* add_child = remove_child's input; get_children without the child */
	assert_int_equal(cephc_rbd_enc_add_child(&e, &ps, "1f"), 0);
	ASSERT_ENC(
	    B(LE64(3), 2, 0, 0, 0, 'a', 'b', LE64(4), 2, 0, 0, 0, '1', 'f'));
	reset();
	assert_int_equal(cephc_rbd_enc_get_children(&e, &ps), 0);
	ASSERT_ENC(B(LE64(3), 2, 0, 0, 0, 'a', 'b', LE64(4)));
	reset();
	assert_int_equal(cephc_rbd_enc_add_child(&e, &ps, ""), CEPHC_EINVAL);
	reset();
	assert_int_equal(cephc_rbd_enc_op_features_set(&e, 2, 2), 0);
	ASSERT_ENC(B(LE64(2), LE64(2)));
	reset();
	/* metadata_set: a map of one key -> bufferlist */
	assert_int_equal(cephc_rbd_metadata_set_len("k", 2), 15);
	assert_int_equal(cephc_rbd_enc_metadata_set(&e, "k", "v!", 2), 0);
	ASSERT_ENC(B(1, 0, 0, 0, 1, 0, 0, 0, 'k', 2, 0, 0, 0, 'v', '!'));
	reset();
	assert_int_equal(cephc_rbd_enc_metadata_set(&e, "", "v", 1),
			 CEPHC_EINVAL);
}

static void test_decode_clone_replies(void **state)
{
	/* children_list: one v2 spec (pool 3, id "1f", ns "n"), one v1
	 * spec (no namespace) */
	static const uint8_t two[] = {
	    2, 0, 0, 0,   2, 1, 19, 0, 0, 0, LE64(3), 2, 0, 0, 0, '1', 'f', 1,
	    0, 0, 0, 'n', 1, 1, 14, 0, 0, 0, LE64(5), 2, 0, 0, 0, '2', 'a'};
	static const uint8_t compat3[] = {1, 0, 0, 0, 3, 3, 12, 0, 0, 0, 0,
					  0, 0, 0, 0, 0, 0, 0,  0, 0, 0, 0};
	static const uint8_t neg_pool[] = {
	    1,    0,    0,    0,    1,    1,    14, 0, 0, 0, 0xff, 0xff,
	    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2,  0, 0, 0, '2',  'a'};
	static const uint8_t huge[] = {0xff, 0xff, 0xff, 0x7f};
	static const uint8_t ids[] = {2,   0, 0, 0, 1, 0,   0,  0,
				      'a', 2, 0, 0, 0, 'b', 'c'};
	static const uint8_t ids_empty[] = {1, 0, 0, 0, 0, 0, 0, 0};
	struct cephc_rbd_child_list l;
	struct cephc_rbd_str_list sl;

	(void)state;
	assert_int_equal(cephc_rbd_dec_children_specs(two, sizeof(two), &l), 0);
	assert_int_equal(l.count, 2);
	assert_int_equal(l.items[0].pool_id, 3);
	assert_string_equal(l.items[0].image_id, "1f");
	assert_string_equal(l.items[0].pool_namespace, "n");
	assert_int_equal(l.items[1].pool_id, 5);
	assert_string_equal(l.items[1].image_id, "2a");
	assert_string_equal(l.items[1].pool_namespace, "");
	cephc_rbd_child_list_clear(&l);
	for (size_t n = 0; n < sizeof(two); n++)
		assert_int_not_equal(cephc_rbd_dec_children_specs(two, n, &l),
				     0);
	assert_int_equal(
	    cephc_rbd_dec_children_specs(compat3, sizeof(compat3), &l),
	    CEPHC_ECOMPAT);
	assert_int_equal(
	    cephc_rbd_dec_children_specs(neg_pool, sizeof(neg_pool), &l),
	    CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_children_specs(huge, sizeof(huge), &l),
			 CEPHC_ETOOBIG);
	assert_int_equal(l.count, 0);
	assert_int_equal(cephc_rbd_dec_get_children_ids(ids, sizeof(ids), &sl),
			 0);
	assert_int_equal(sl.count, 2);
	assert_string_equal(sl.items[1], "bc");
	cephc_rbd_str_list_clear(&sl);
	assert_int_equal(
	    cephc_rbd_dec_get_children_ids(ids_empty, sizeof(ids_empty), &sl),
	    CEPHC_EDECODE);
	assert_int_equal(
	    cephc_rbd_dec_get_children_ids(huge, sizeof(huge), &sl),
	    CEPHC_ETOOBIG);
}

static void test_decode_pool_replies(void **state)
{
	static const uint8_t ns_ok[] = {2, 0,   0, 0, 1, 0, 0,
					0, 'a', 1, 0, 0, 0, 'b'};
	static const uint8_t ns_unsorted[] = {2, 0,   0, 0, 1, 0, 0,
					      0, 'b', 1, 0, 0, 0, 'a'};
	static const uint8_t ns_huge[] = {0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0};
	static const uint8_t ns_trunc[] = {2, 0,   0, 0, 1, 0, 0,
					   0, 'a', 9, 0, 0, 0, 'b'};
	/* v1 spec (no state byte), then one with compat 3 */
	static const uint8_t spec_v1[] = {1, 1,   22, 0, 0, 0, 0, 1, 0, 0,
					  0, 'x', 1,  0, 0, 0, 0, 0, 0, 0,
					  2, 0,   0,  0, 0, 0, 0, 0};
	static const uint8_t spec_compat3[] = {3, 3, 0, 0, 0, 0};
	static const uint8_t spec_biglen[] = {2, 1, 0xff, 0xff, 0xff, 0xff, 0};
	static const uint8_t spec_state9[] = {2, 1,   23, 0, 0, 0, 0, 1, 0, 0,
					      0, 'x', 1,  0, 0, 0, 0, 0, 0, 0,
					      2, 0,   0,  0, 0, 0, 0, 0, 9};
	static const uint8_t list_huge[] = {0xff, 0xff, 0xff, 0xff, 0};
	/* tmap: empty header, two names with empty values */
	static const uint8_t v1_ok[] = {0, 0, 0, 0,   2, 0, 0, 0, 1,
					0, 0, 0, 'a', 0, 0, 0, 0, 1,
					0, 0, 0, 'b', 0, 0, 0, 0};
	static const uint8_t v1_trunc[] = {0, 0, 0, 0, 2, 0,  0,
					   0, 1, 0, 0, 0, 'a'};
	static const uint8_t v1_hdr_huge[] = {0xf0, 0xff, 0xff, 0xff};
	struct cephc_rbd_str_list sl;
	struct cephc_rbd_trash_spec sp;
	struct cephc_rbd_trash_list tl;

	(void)state;
	assert_int_equal(
	    cephc_rbd_dec_namespace_list(ns_ok, sizeof(ns_ok), &sl), 0);
	assert_int_equal(sl.count, 2);
	assert_string_equal(sl.items[1], "b");
	cephc_rbd_str_list_clear(&sl);
	assert_int_equal(
	    cephc_rbd_dec_namespace_list(ns_unsorted, sizeof(ns_unsorted), &sl),
	    CEPHC_EDECODE);
	assert_int_equal(sl.count, 0);
	assert_int_equal(
	    cephc_rbd_dec_namespace_list(ns_huge, sizeof(ns_huge), &sl),
	    CEPHC_ETOOBIG);
	assert_int_equal(
	    cephc_rbd_dec_namespace_list(ns_trunc, sizeof(ns_trunc), &sl),
	    CEPHC_EDECODE);
	assert_null(sl.items);
	assert_int_equal(cephc_rbd_dec_namespace_list(ns_ok, 0, &sl),
			 CEPHC_EDECODE);

	assert_int_equal(cephc_rbd_dec_trash_get(spec_v1, sizeof(spec_v1), &sp),
			 0);
	assert_string_equal(sp.name, "x");
	assert_int_equal(sp.state, CEPHC_RBD_TRASH_STATE_NORMAL);
	assert_int_equal(sp.deferment_end_time.sec, 2);
	cephc_rbd_trash_spec_clear(&sp);
	assert_int_equal(
	    cephc_rbd_dec_trash_get(spec_compat3, sizeof(spec_compat3), &sp),
	    CEPHC_ECOMPAT);
	assert_int_equal(
	    cephc_rbd_dec_trash_get(spec_biglen, sizeof(spec_biglen), &sp),
	    CEPHC_EDECODE);
	assert_int_equal(
	    cephc_rbd_dec_trash_get(spec_state9, sizeof(spec_state9), &sp),
	    CEPHC_EDECODE);
	assert_null(sp.name);
	assert_int_equal(cephc_rbd_dec_trash_get(spec_v1, 10, &sp),
			 CEPHC_EDECODE);
	assert_int_equal(
	    cephc_rbd_dec_trash_list(list_huge, sizeof(list_huge), &tl),
	    CEPHC_ETOOBIG);
	assert_int_equal(cephc_rbd_dec_trash_list(list_huge, 3, &tl),
			 CEPHC_EDECODE);

	/* image_group_get: pool first, then the group id (16.2.15) */
	{
		static const uint8_t none[] = {1,        1, 12, 0, 0, 0,
					       LE64(-1), 0, 0,  0, 0};
		static const uint8_t in3[] = {1,       1, 13, 0, 0, 0,
					      LE64(3), 1, 0,  0, 0, 'g'};
		static const uint8_t bad[] = {1,        1, 12, 0, 0, 0,
					      LE64(-5), 0, 0,  0, 0};
		int64_t gp;

		assert_int_equal(
		    cephc_rbd_dec_image_group_get(none, sizeof(none), &gp), 0);
		assert_int_equal(gp, -1);
		assert_int_equal(
		    cephc_rbd_dec_image_group_get(in3, sizeof(in3), &gp), 0);
		assert_int_equal(gp, 3);
		assert_int_equal(
		    cephc_rbd_dec_image_group_get(bad, sizeof(bad), &gp),
		    CEPHC_EDECODE);
		assert_int_equal(cephc_rbd_dec_image_group_get(in3, 17, &gp),
				 CEPHC_EDECODE);
	}
	assert_int_equal(cephc_rbd_dec_v1_directory(v1_ok, 0, &sl), 0);
	assert_int_equal(sl.count, 0);
	assert_int_equal(cephc_rbd_dec_v1_directory(v1_ok, sizeof(v1_ok), &sl),
			 0);
	assert_int_equal(sl.count, 2);
	assert_string_equal(sl.items[0], "a");
	assert_string_equal(sl.items[1], "b");
	cephc_rbd_str_list_clear(&sl);
	assert_int_equal(
	    cephc_rbd_dec_v1_directory(v1_trunc, sizeof(v1_trunc), &sl),
	    CEPHC_EDECODE);
	assert_int_equal(
	    cephc_rbd_dec_v1_directory(v1_hdr_huge, sizeof(v1_hdr_huge), &sl),
	    CEPHC_ETOOBIG);
	assert_int_equal(sl.count, 0);
}

static void test_features_format(void **state)
{
	char b[256];
	size_t n;

	(void)state;
	n = cephc_rbd_features_format(61, b, sizeof(b));
	assert_string_equal(
	    b, "layering, exclusive-lock, object-map, fast-diff, deep-flatten");
	assert_int_equal(n, strlen(b));
	cephc_rbd_features_format(CEPHC_RBD_FEATURE_STRIPINGV2 |
				      CEPHC_RBD_FEATURE_DATA_POOL,
				  b, sizeof(b));
	assert_string_equal(b, "striping, data-pool");
	cephc_rbd_features_format(0, b, sizeof(b));
	assert_string_equal(b, "");
	cephc_rbd_features_format(1 | (UINT64_C(1) << 40), b, sizeof(b));
	assert_string_equal(b, "layering, 0x10000000000");
	/* truncation keeps a terminated prefix and reports the full length */
	n = cephc_rbd_features_format(61, b, 9);
	assert_string_equal(b, "layering");
	assert_int_equal(n, strlen("layering, exclusive-lock, object-map, "
				   "fast-diff, deep-flatten"));
	cephc_rbd_op_features_format(3, b, sizeof(b));
	assert_string_equal(b, "clone-parent, clone-child");
	assert_string_equal(
	    cephc_rbd_feature_name(CEPHC_RBD_FEATURE_JOURNALING), "journaling");
	assert_null(cephc_rbd_feature_name(3));
	assert_int_equal(cephc_rbd_feature_from_name("deep-flatten"), 32);
	assert_int_equal(cephc_rbd_feature_from_name("nope"), 0);
}

/* rbd_default_features as 16.2.15 reads it (checked live with rbd create
 * --rbd-default-features ...). */
static void test_features_parse_conf(void **state)
{
	uint64_t f = 0;

	(void)state;
	assert_int_equal(cephc_rbd_features_parse_conf(NULL, &f), 0);
	assert_int_equal(f, 61);
	assert_int_equal(cephc_rbd_features_parse_conf("  ", &f), 0);
	assert_int_equal(f, 61);
	assert_int_equal(cephc_rbd_features_parse_conf("13", &f), 0);
	assert_int_equal(f, 13);
	assert_int_equal(cephc_rbd_features_parse_conf("0", &f), 0);
	assert_int_equal(f, 0);
	assert_int_equal(
	    cephc_rbd_features_parse_conf("layering, exclusive-lock", &f), 0);
	assert_int_equal(f, 5);
	assert_int_equal(cephc_rbd_features_parse_conf(
			     "layering,exclusive-lock,object-map,fast-diff,"
			     "deep-flatten",
			     &f),
			 0);
	assert_int_equal(f, 61);
	/* invalid: Ceph keeps the default ("parse error setting ...") */
	assert_int_equal(cephc_rbd_features_parse_conf("layering,foo", &f), -1);
	assert_int_equal(cephc_rbd_features_parse_conf("4096", &f), -1);
	assert_int_equal(cephc_rbd_features_parse_conf("257", &f), -1);
	assert_int_equal(cephc_rbd_features_parse_conf("12x", &f), -1);
}

static void test_features_support_sets(void **state)
{
	(void)state;
	assert_int_equal(cephc_rbd_features_unsupported_for_write(1 | 2 | 128),
			 0);
	/* Ceph's defaults are kept; journaling is not */
	assert_int_equal(cephc_rbd_features_unsupported_for_write(61), 0);
	assert_int_equal(cephc_rbd_features_unsupported_for_write(61 | 64), 64);
	assert_int_equal(cephc_rbd_features_unsupported_for_write(64), 64);
	assert_int_equal(
	    cephc_rbd_features_unsupported_for_write(UINT64_C(1) << 50),
	    UINT64_C(1) << 50);
	/* operations: writable while every op feature is a known one */
	assert_int_equal(cephc_rbd_features_unsupported_for_write(1 | 256),
			 256);
	assert_int_equal(cephc_rbd_features_unsupported_for_write_ops(
			     1 | 256, CEPHC_RBD_OP_FEATURE_CLONE_CHILD),
			 0);
	assert_int_equal(cephc_rbd_features_unsupported_for_write_ops(
			     1 | 64 | 256, CEPHC_RBD_OP_FEATURES_KNOWN),
			 64);
	assert_int_equal(cephc_rbd_features_unsupported_for_write_ops(
			     1 | 256, UINT64_C(1) << 9),
			 256);
	assert_int_equal(cephc_rbd_features_unsupported_for_read(1 | 2 | 128),
			 0);
	assert_int_equal(cephc_rbd_features_unsupported_for_read(
			     CEPHC_RBD_FEATURE_DIRTY_CACHE),
			 CEPHC_RBD_FEATURE_DIRTY_CACHE);
	/* Pacific's sets, as a live OSD reports them (see golden tests) */
	assert_int_equal(CEPHC_RBD_FEATURES_INCOMPATIBLE, 0x883);
	assert_int_equal(CEPHC_RBD_FEATURES_RW_INCOMPATIBLE, 0xfff);
	assert_int_equal(CEPHC_RBD_FEATURES_DEFAULT, 61);
}

static void test_generate_image_id(void **state)
{
	char id[CEPHC_RBD_GEN_ID_LEN_MAX + 1];

	(void)state;
	/* seen live: global id 0x100c + random 0x5d178e39 */
	assert_int_equal(
	    cephc_rbd_generate_image_id(0x100c, 0x5d178e39, id, sizeof(id)), 0);
	assert_string_equal(id, "100c5d178e39");
	/* no zero padding of the random part */
	assert_int_equal(
	    cephc_rbd_generate_image_id(0x1234, 0xab, id, sizeof(id)), 0);
	assert_string_equal(id, "1234ab");
	/* longer than 14: keep the last 14 characters */
	assert_int_equal(cephc_rbd_generate_image_id(
			     0x123456789aULL, 0xdeadbeef, id, sizeof(id)),
			 0);
	/* "123456789adeadbeef" (18) -> its last 14 */
	assert_string_equal(id, "56789adeadbeef");
	assert_int_equal(cephc_rbd_generate_image_id(1, 2, id, 2),
			 CEPHC_EOVERFLOW);
}

static void test_object_names(void **state)
{
	char b[128];

	(void)state;
	cephc_rbd_id_object_name("img", b, sizeof(b));
	assert_string_equal(b, "rbd_id.img");
	cephc_rbd_header_object_name("1234567890ab", b, sizeof(b));
	assert_string_equal(b, "rbd_header.1234567890ab");
	cephc_rbd_object_map_name("ab", CEPHC_RBD_NOSNAP, b, sizeof(b));
	assert_string_equal(b, "rbd_object_map.ab");
	cephc_rbd_object_map_name("ab", 0x1a, b, sizeof(b));
	assert_string_equal(b, "rbd_object_map.ab.000000000000001a");
	assert_int_equal(
	    cephc_rbd_data_object_name("rbd_data.2.ab", 0xbeef, b, sizeof(b)),
	    strlen("rbd_data.2.ab.000000000000beef"));
	assert_string_equal(b, "rbd_data.2.ab.000000000000beef");
	/* every capacity behaves as snprintf would */
	for (size_t cap = 0; cap <= 40; cap++) {
		char want[48], got[48];
		uint64_t no = 0xfedcba9876543210ull;
		int n = snprintf(want, cap, "%s.%016" PRIx64, "rbd_data.x", no);

		memset(got, 0x55, sizeof(got));
		assert_int_equal(
		    cephc_rbd_data_object_name("rbd_data.x", no, got, cap),
		    (size_t)n);
		if (cap)
			assert_string_equal(got, want);
		assert_int_equal((uint8_t)got[cap], 0x55);
	}
	assert_string_equal(cephc_rbd_reply_method(CEPHC_RBD_REPLY_SNAPSHOT),
			    "snapshot_get");
	assert_int_equal(cephc_rbd_reply_from_method("get_modify_timestamp"),
			 CEPHC_RBD_REPLY_MODIFY_TIMESTAMP);
	assert_int_equal(cephc_rbd_reply_from_method("nope"), CEPHC_EINVAL);
	assert_null(cephc_rbd_reply_method(CEPHC_RBD_REPLY_COUNT));
}

/* Live replies (Ceph 16.2.15, captured with python3-rados execute()):
 * snapshot_get of a snapshot moved to the trash namespace by `rbd snap rm`
 * while a v2 clone used it (original name "s1"), and children_list of it. */
static const uint8_t live_trash_snap[] = {
    0x01, 0x01, 0x58, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x01, 0x01, 0x0e, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x73, 0x31, 0x00, 0x00, 0x00, 0x00, 0x24, 0x00,
    0x00, 0x00, 0x30, 0x66, 0x30, 0x33, 0x32, 0x61, 0x36, 0x30, 0x2d, 0x63,
    0x33, 0x38, 0x35, 0x2d, 0x34, 0x37, 0x38, 0x64, 0x2d, 0x61, 0x33, 0x39,
    0x32, 0x2d, 0x34, 0x63, 0x63, 0x38, 0x64, 0x30, 0x34, 0x34, 0x30, 0x37,
    0x65, 0x61, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x74,
    0x16, 0x6b, 0x96, 0x94, 0x28, 0x07, 0x01, 0x00, 0x00, 0x00,
};
static const uint8_t live_children_list[] = {
    0x01, 0x00, 0x00, 0x00, 0x02, 0x01, 0x1c, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00,
    0x00, 0x00, 0x31, 0x30, 0x31, 0x64, 0x66, 0x61, 0x62, 0x35,
    0x31, 0x35, 0x61, 0x37, 0x00, 0x00, 0x00, 0x00,
};

static void test_snapshot_management_codecs(void **state)
{
	struct cephc_rbd_snap_info si;
	uint8_t st = 9;
	uint64_t limit = 0;
	struct cephc_rbd_child_list cl;
	struct cephc_rbd_str_list sl;

	(void)state;
	assert_int_equal(cephc_rbd_dec_snapshot_get(
			     live_trash_snap, sizeof(live_trash_snap), &si),
			 0);
	assert_int_equal(si.id, 10);
	assert_int_equal(si.ns_type, CEPHC_RBD_SNAP_NS_TRASH);
	assert_string_equal(si.trash_original_name, "s1");
	assert_int_equal(si.trash_original_ns, CEPHC_RBD_SNAP_NS_USER);
	assert_string_equal(si.name, "0f032a60-c385-478d-a392-4cc8d04407ea");
	assert_int_equal(si.child_count, 1);
	cephc_rbd_snap_info_clear(&si);
	/* every truncation fails without a leak */
	for (size_t k = 0; k < sizeof(live_trash_snap); k++)
		assert_int_not_equal(
		    cephc_rbd_dec_snapshot_get(live_trash_snap, k, &si), 0);

	/* children_list: one ChildImageSpec v2 (pool 2, id, no namespace) */
	assert_int_equal(
	    cephc_rbd_dec_children_specs(live_children_list,
					 sizeof(live_children_list), &cl),
	    0);
	assert_int_equal(cl.count, 1);
	assert_int_equal(cl.items[0].pool_id, 2);
	assert_string_equal(cl.items[0].image_id, "101dfab515a7");
	assert_string_equal(cl.items[0].pool_namespace, "");
	cephc_rbd_child_list_clear(&cl);
	for (size_t k = 0; k < sizeof(live_children_list); k++) {
		assert_int_not_equal(
		    cephc_rbd_dec_children_specs(live_children_list, k, &cl),
		    0);
		assert_int_equal(cl.count, 0);
	}
	/* a count past the bytes, and past the named maximum */
	static const uint8_t huge[] = {0xff, 0xff, 0xff, 0x7f, 0, 0};
	assert_int_not_equal(
	    cephc_rbd_dec_children_specs(huge, sizeof(huge), &cl), 0);
	assert_int_equal(cl.count, 0);
	assert_int_not_equal(
	    cephc_rbd_dec_get_children_ids(huge, sizeof(huge), &sl), 0);
	assert_int_equal(sl.count, 0);
	/* no children: a count of zero */
	assert_int_equal(cephc_rbd_dec_children_specs("\0\0\0\0", 4, &cl), 0);
	assert_int_equal(cl.count, 0);
	assert_null(cl.items);
	assert_int_equal(cephc_rbd_dec_get_children_ids("\0\0\0\0", 4, &sl), 0);
	assert_int_equal(sl.count, 0);
	assert_null(sl.items);

	/* get_children (v1): set<string>; an empty id is refused */
	static const uint8_t kids[] = {2,   0,   0, 0, 2, 0, 0,  0,
				       'a', 'b', 1, 0, 0, 0, 'c'};
	assert_int_equal(
	    cephc_rbd_dec_get_children_ids(kids, sizeof(kids), &sl), 0);
	assert_int_equal(sl.count, 2);
	assert_string_equal(sl.items[0], "ab");
	assert_string_equal(sl.items[1], "c");
	cephc_rbd_str_list_clear(&sl);
	static const uint8_t empty_id[] = {1, 0, 0, 0, 0, 0, 0, 0};
	assert_int_equal(
	    cephc_rbd_dec_get_children_ids(empty_id, sizeof(empty_id), &sl),
	    CEPHC_EDECODE);
	assert_int_equal(sl.count, 0);
	for (size_t k = 0; k < sizeof(kids); k++) {
		assert_int_not_equal(
		    cephc_rbd_dec_get_children_ids(kids, k, &sl), 0);
		assert_int_equal(sl.count, 0);
	}

	/* snapshot_get_limit: le64 (live: 9 after `snap limit set 9`) */
	static const uint8_t lim[] = {9, 0, 0, 0, 0, 0, 0, 0};
	assert_int_equal(cephc_rbd_dec_snap_get_limit(lim, 8, &limit), 0);
	assert_int_equal(limit, 9);
	assert_int_not_equal(cephc_rbd_dec_snap_get_limit(lim, 7, &limit), 0);
	reset();
	assert_int_equal(cephc_rbd_enc_snap_set_limit(&e, UINT64_MAX), 0);
	assert_int_equal(enc_len(&e), 8);
	assert_int_equal(get_le64(buf), UINT64_MAX);

	/* protection: raw u8 0/1/2, anything else is no state */
	assert_int_equal(cephc_rbd_dec_protection_status("\x02", 1, &st), 0);
	assert_int_equal(st, CEPHC_RBD_PROTECTION_PROTECTED);
	assert_int_equal(cephc_rbd_dec_protection_status("\x03", 1, &st),
			 CEPHC_EDECODE);
	assert_int_equal(cephc_rbd_dec_protection_status("", 0, &st),
			 CEPHC_EDECODE);
	reset();
	assert_int_equal(cephc_rbd_enc_set_protection_status(&e, 7, 1), 0);
	assert_int_equal(enc_len(&e), 9);
	assert_int_equal(get_le64(buf), 7);
	assert_int_equal(buf[8], 1);
	reset();
	assert_int_equal(cephc_rbd_enc_set_protection_status(&e, 7, 3),
			 CEPHC_EINVAL);

	/* snapshot_rename: le64 id, string name */
	reset();
	assert_int_equal(cephc_rbd_enc_snapshot_rename(&e, 5, "new"), 0);
	assert_int_equal(enc_len(&e), 8 + 4 + 3);
	assert_int_equal(get_le64(buf), 5);
	assert_int_equal(get_le32(buf + 8), 3);
	assert_memory_equal(buf + 12, "new", 3);
	reset();
	assert_int_equal(cephc_rbd_enc_snapshot_rename(&e, 5, ""),
			 CEPHC_EINVAL);

	/* get_children input: le64 pool, string image id, le64 snap */
	struct cephc_rbd_parent_spec ps = {
	    .pool_id = 2, .image_id = (char *)"abc", .snap_id = 4};
	reset();
	assert_int_equal(cephc_rbd_enc_get_children(&e, &ps), 0);
	assert_int_equal(enc_len(&e), 8 + 4 + 3 + 8);
	assert_int_equal(get_le64(buf), 2);
	assert_memory_equal(buf + 12, "abc", 3);
	assert_int_equal(get_le64(buf + 15), 4);
	ps.pool_id = -1;
	reset();
	assert_int_equal(cephc_rbd_enc_get_children(&e, &ps), CEPHC_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_encode_strings_methods),
	    cmocka_unit_test(test_features_parse_conf),
	    cmocka_unit_test(test_encode_header_methods),
	    cmocka_unit_test(test_encode_object_map_methods),
	    cmocka_unit_test(test_encode_refuses_bad_arguments),
	    cmocka_unit_test(test_encode_max_fits),
	    cmocka_unit_test(test_decode_empty_and_truncated),
	    cmocka_unit_test(test_decode_bad_values),
	    cmocka_unit_test(test_decode_snapcontext_checks),
	    cmocka_unit_test(test_decode_envelopes),
	    cmocka_unit_test(test_decode_snapshot_newer_version),
	    cmocka_unit_test(test_decode_kv_lists),
	    cmocka_unit_test(test_decode_object_map_bad),
	    cmocka_unit_test(test_encode_pool_methods),
	    cmocka_unit_test(test_decode_pool_replies),
	    cmocka_unit_test(test_encode_clone_methods),
	    cmocka_unit_test(test_decode_clone_replies),
	    cmocka_unit_test(test_features_format),
	    cmocka_unit_test(test_features_support_sets),
	    cmocka_unit_test(test_generate_image_id),
	    cmocka_unit_test(test_object_names),
	    cmocka_unit_test(test_snapshot_management_codecs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
