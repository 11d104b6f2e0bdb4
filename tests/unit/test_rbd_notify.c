/* SPDX-License-Identifier: MIT */
/*
 * librbd watch/notify codecs: the live samples of rbd-features.md 2.5
 * decode to what librbd meant, our encodings match librbd's bytes, every
 * op's fields are gated by version as librbd gates them, and hostile
 * inputs (bad-inputs items 1-3, 10: truncations, lengths of 0 and
 * 0xffffffff, newer compat, counts whose size overflows) fail cleanly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cephc/cephc.h"
#include "cephc/errors.h"
#include "core/encode.h"
#include "rbd/rbd_notify.h"

#define LE32(v)                                                                \
	(uint8_t)(v), (uint8_t)((v) >> 8), (uint8_t)((v) >> 16),               \
	    (uint8_t)((v) >> 24)
#define LE64(v) LE32((uint64_t)(v)), LE32((uint64_t)(v) >> 32)

#define GID 0x108aULL
#define HANDLE 0x7f2b180154e0ULL

/* AcquiredLock as librbd 16.2.15 sent it (client.4234). */
static const uint8_t live_acquired[] = {
    0x07, 0x01, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x8a, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xe0, 0x54, 0x01, 0x18, 0x2b, 0x7f, 0x00, 0x00,
};
static const uint8_t live_rm_ok[] = {0x01, 0x01, 0x04, 0x00, 0x00,
				     0x00, 0x00, 0x00, 0x00, 0x00};
static const uint8_t live_rm_erofs[] = {0x01, 0x01, 0x04, 0x00, 0x00,
					0x00, 0xe2, 0xff, 0xff, 0xff};

/* SnapCreate body seen live: name, user namespace, async id, flags. */
static const uint8_t
    snap_create_body
	[] =
	    {
		LE32(9),   'v',          'i',     'a',     'o',
		'w',       'n',          'e',     'r',     '2',
		0x01,      0x01,         LE32(4), LE32(0), /* SnapshotNamespace:
							      user */
		LE64(GID), LE64(HANDLE), LE64(1),          /* AsyncRequestId */
		LE64(0),                                   /* flags */
};

/* versioned(v, compat){ le32 op, body } into out; returns its length. */
static size_t wrap(uint8_t v, uint8_t compat, uint32_t op, const void *body,
		   size_t n, uint8_t *out, size_t cap)
{
	struct cephc_enc e;
	size_t env;

	enc_init(&e, out, cap);
	env = enc_envelope_begin(&e, v, compat);
	enc_le32(&e, op);
	enc_bytes(&e, body, n);
	enc_envelope_end(&e, env);
	assert_int_equal(e.err, 0);
	return enc_len(&e);
}

/*
 * Every prefix of a valid message is a broken envelope: none may decode.
 * Run on a heap copy of exactly the prefix, so ASan sees any overread.
 */
static void assert_prefixes_fail(const uint8_t *msg, size_t len)
{
	for (size_t k = 1; k < len; k++) {
		uint8_t *cut = malloc(k);
		struct rbd_notify_msg m;

		assert_non_null(cut);
		memcpy(cut, msg, k);
		assert_int_equal(rbd_notify_decode(cut, k, &m), CEPHC_EDECODE);
		free(cut);
	}
}

/*
 * The body cut short with the envelope length agreeing: the envelope is
 * fine, the op's fields are not.  Expect EDECODE with op/version kept once
 * the op itself is present.
 */
static void assert_short_bodies_fail(uint8_t v, uint32_t op,
				     const uint8_t *body, size_t n)
{
	uint8_t msg[256];

	for (size_t k = 0; k < 4 + n; k++) {
		struct rbd_notify_msg m;
		size_t len;
		uint8_t *cut;

		(void)wrap(v, 1, op, body, n, msg, sizeof(msg));
		put_le32(msg + 2, (uint32_t)k);
		len = 6 + k;
		cut = malloc(len);
		assert_non_null(cut);
		memcpy(cut, msg, len);
		assert_int_equal(rbd_notify_decode(cut, len, &m),
				 CEPHC_EDECODE);
		if (k >= 4) {
			assert_int_equal(m.op, op);
			assert_int_equal(m.version, v);
		}
		assert_false(m.has_client);
		assert_false(m.has_async_id);
		free(cut);
	}
}

static void test_decode_live_acquired_lock(void **state)
{
	struct rbd_notify_msg m;

	(void)state;
	assert_int_equal(
	    rbd_notify_decode(live_acquired, sizeof(live_acquired), &m), 0);
	assert_int_equal(m.op, RBD_NOTIFY_ACQUIRED_LOCK);
	assert_int_equal(m.version, 7);
	assert_true(m.has_client);
	assert_int_equal(m.client.gid, GID);
	assert_int_equal(m.client.handle, HANDLE);
	assert_false(m.force);
	assert_false(m.has_async_id);
	assert_prefixes_fail(live_acquired, sizeof(live_acquired));
}

static void test_response_live_samples(void **state)
{
	uint8_t out[RBD_NOTIFY_RESPONSE_LEN];
	int32_t r = 1;

	(void)state;
	assert_int_equal(
	    rbd_notify_decode_response(live_rm_ok, sizeof(live_rm_ok), &r), 0);
	assert_int_equal(r, 0);
	assert_int_equal(rbd_notify_decode_response(live_rm_erofs,
						    sizeof(live_rm_erofs), &r),
			 0);
	assert_int_equal(r, -EROFS);

	rbd_notify_encode_response(0, out);
	assert_memory_equal(out, live_rm_ok, sizeof(out));
	rbd_notify_encode_response(-EROFS, out);
	assert_memory_equal(out, live_rm_erofs, sizeof(out));
	/* op 99 answered by a librbd owner: a1ffffff */
	rbd_notify_encode_response(-EOPNOTSUPP, out);
	assert_int_equal(get_le32(out + 6), 0xffffffa1);

	for (size_t k = 0; k < sizeof(live_rm_erofs); k++) {
		uint8_t *cut = malloc(k ? k : 1);

		assert_non_null(cut);
		memcpy(cut, live_rm_erofs, k);
		assert_int_equal(rbd_notify_decode_response(cut, k, &r),
				 CEPHC_EDECODE);
		assert_int_equal(r, 0);
		free(cut);
	}
}

static void test_response_hostile(void **state)
{
	/* a newer version with a longer body: the tail is skipped */
	static const uint8_t newer[] = {2, 1, LE32(6), LE32(-16), 0xee, 0xee};
	static const uint8_t compat2[] = {2, 2, LE32(4), LE32(0)};
	static const uint8_t len0[] = {1, 1, LE32(0)};
	static const uint8_t len_huge[] = {1, 1, LE32(0xffffffff), LE32(0)};
	static const uint8_t len_short[] = {1, 1, LE32(3), 0, 0, 0, 0};
	int32_t r;

	(void)state;
	assert_int_equal(rbd_notify_decode_response(newer, sizeof(newer), &r),
			 0);
	assert_int_equal(r, -16);
	assert_int_equal(
	    rbd_notify_decode_response(compat2, sizeof(compat2), &r),
	    CEPHC_ECOMPAT);
	assert_int_equal(rbd_notify_decode_response(len0, sizeof(len0), &r),
			 CEPHC_EDECODE);
	assert_int_equal(
	    rbd_notify_decode_response(len_huge, sizeof(len_huge), &r),
	    CEPHC_EDECODE);
	assert_int_equal(
	    rbd_notify_decode_response(len_short, sizeof(len_short), &r),
	    CEPHC_EDECODE);
	assert_int_equal(rbd_notify_decode_response(NULL, 0, &r),
			 CEPHC_EDECODE);
}

static void test_encode_matches_librbd(void **state)
{
	const struct rbd_client_id c = {GID, HANDLE};
	uint8_t buf[RBD_NOTIFY_MSG_MAX];
	size_t len;

	(void)state;
	assert_int_equal(rbd_notify_encode(RBD_NOTIFY_ACQUIRED_LOCK, &c, false,
					   buf, sizeof(buf), &len),
			 0);
	assert_int_equal(len, sizeof(live_acquired));
	assert_memory_equal(buf, live_acquired, len);
}

static void test_encode_decode_lock_ops(void **state)
{
	const struct rbd_client_id c = {0x1234, 0xfedcba9876543210ULL};
	static const struct {
		uint32_t op;
		bool force;
		size_t len;
	} cases[] = {
	    {RBD_NOTIFY_ACQUIRED_LOCK, false, 26},
	    {RBD_NOTIFY_RELEASED_LOCK, false, 26},
	    {RBD_NOTIFY_REQUEST_LOCK, false, 27},
	    {RBD_NOTIFY_REQUEST_LOCK, true, 27},
	    {RBD_NOTIFY_HEADER_UPDATE, false, 10},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[RBD_NOTIFY_MSG_MAX];
		struct rbd_notify_msg m;
		size_t len = 99;
		bool lock_op = cases[i].op != RBD_NOTIFY_HEADER_UPDATE;

		assert_int_equal(rbd_notify_encode(cases[i].op, &c,
						   cases[i].force, buf,
						   sizeof(buf), &len),
				 0);
		assert_int_equal(len, cases[i].len);
		/* v7, compat 1, body length, op */
		assert_int_equal(buf[0], RBD_NOTIFY_VERSION);
		assert_int_equal(buf[1], 1);
		assert_int_equal(get_le32(buf + 2), len - 6);
		assert_int_equal(get_le32(buf + 6), cases[i].op);
		if (cases[i].op == RBD_NOTIFY_REQUEST_LOCK)
			assert_int_equal(buf[26], cases[i].force ? 1 : 0);

		assert_int_equal(rbd_notify_decode(buf, len, &m), 0);
		assert_int_equal(m.op, cases[i].op);
		assert_int_equal(m.version, RBD_NOTIFY_VERSION);
		assert_int_equal(m.has_client, lock_op);
		assert_int_equal(m.client.gid, lock_op ? c.gid : 0);
		assert_int_equal(m.client.handle, lock_op ? c.handle : 0);
		assert_int_equal(m.force, cases[i].force);
		assert_false(m.has_async_id);
		assert_prefixes_fail(buf, len);

		/* one byte too few: EOVERFLOW, nothing claimed written */
		len = 99;
		assert_int_equal(rbd_notify_encode(cases[i].op, &c,
						   cases[i].force, buf,
						   cases[i].len - 1, &len),
				 CEPHC_EOVERFLOW);
		assert_int_equal(len, 0);
	}
	/* HeaderUpdate needs no client */
	{
		uint8_t buf[RBD_NOTIFY_MSG_MAX];
		size_t len;

		assert_int_equal(rbd_notify_encode(RBD_NOTIFY_HEADER_UPDATE,
						   NULL, false, buf,
						   sizeof(buf), &len),
				 0);
		assert_int_equal(len, 10);
	}
}

static void test_encode_rejects_other_ops(void **state)
{
	const struct rbd_client_id c = {1, 2};
	uint8_t buf[RBD_NOTIFY_MSG_MAX];
	size_t len = 99;

	(void)state;
	assert_int_equal(rbd_notify_encode(RBD_NOTIFY_ASYNC_PROGRESS, &c, false,
					   buf, sizeof(buf), &len),
			 CEPHC_EINVAL);
	assert_int_equal(len, 0);
	assert_int_equal(
	    rbd_notify_encode(99, &c, false, buf, sizeof(buf), &len),
	    CEPHC_EINVAL);
	/* a lock op names its client */
	assert_int_equal(rbd_notify_encode(RBD_NOTIFY_ACQUIRED_LOCK, NULL,
					   false, buf, sizeof(buf), &len),
			 CEPHC_EINVAL);
}

static void test_empty_is_legacy_header_update(void **state)
{
	static const uint8_t one = 0;
	struct rbd_notify_msg m;

	(void)state;
	memset(&m, 0xff, sizeof(m));
	assert_int_equal(rbd_notify_decode(NULL, 0, &m), 0);
	assert_int_equal(m.op, RBD_NOTIFY_HEADER_UPDATE);
	assert_int_equal(m.version, 0);
	assert_false(m.has_client);
	assert_false(m.force);
	assert_false(m.has_async_id);
	memset(&m, 0xff, sizeof(m));
	assert_int_equal(rbd_notify_decode(&one, 0, &m), 0);
	assert_int_equal(m.op, RBD_NOTIFY_HEADER_UPDATE);
	assert_int_equal(m.version, 0);
}

static void test_lock_ops_gated_by_version(void **state)
{
	static const uint8_t cid[] = {LE64(GID), LE64(HANDLE)};
	static const uint8_t cid_force[] = {LE64(GID), LE64(HANDLE), 1};
	uint8_t msg[64];
	struct rbd_notify_msg m;
	size_t len;

	(void)state;
	/* v1 RequestLock: no ClientId */
	len = wrap(1, 1, RBD_NOTIFY_REQUEST_LOCK, NULL, 0, msg, sizeof(msg));
	assert_int_equal(len, 10);
	assert_int_equal(rbd_notify_decode(msg, len, &m), 0);
	assert_int_equal(m.op, RBD_NOTIFY_REQUEST_LOCK);
	assert_int_equal(m.version, 1);
	assert_false(m.has_client);
	assert_false(m.force);

	/* v2: ClientId, no force flag yet (a stray byte is not read) */
	len = wrap(2, 1, RBD_NOTIFY_REQUEST_LOCK, cid_force, sizeof(cid_force),
		   msg, sizeof(msg));
	assert_int_equal(rbd_notify_decode(msg, len, &m), 0);
	assert_true(m.has_client);
	assert_int_equal(m.client.gid, GID);
	assert_int_equal(m.client.handle, HANDLE);
	assert_false(m.force);

	/* v3: force */
	len = wrap(3, 1, RBD_NOTIFY_REQUEST_LOCK, cid_force, sizeof(cid_force),
		   msg, sizeof(msg));
	assert_int_equal(rbd_notify_decode(msg, len, &m), 0);
	assert_true(m.force);
	assert_short_bodies_fail(3, RBD_NOTIFY_REQUEST_LOCK, cid_force,
				 sizeof(cid_force));

	/* v1 ReleasedLock: no ClientId; v2 truncated ClientId fails */
	len = wrap(1, 1, RBD_NOTIFY_RELEASED_LOCK, NULL, 0, msg, sizeof(msg));
	assert_int_equal(rbd_notify_decode(msg, len, &m), 0);
	assert_false(m.has_client);
	assert_short_bodies_fail(2, RBD_NOTIFY_RELEASED_LOCK, cid, sizeof(cid));
	assert_short_bodies_fail(7, RBD_NOTIFY_ACQUIRED_LOCK, cid, sizeof(cid));
	assert_short_bodies_fail(7, RBD_NOTIFY_HEADER_UPDATE, NULL, 0);
}

static void test_snap_create_v7_live(void **state)
{
	uint8_t msg[128];
	struct rbd_notify_msg m;
	size_t len;

	(void)state;
	len = wrap(7, 1, RBD_NOTIFY_SNAP_CREATE, snap_create_body,
		   sizeof(snap_create_body), msg, sizeof(msg));
	assert_int_equal(rbd_notify_decode(msg, len, &m), 0);
	assert_int_equal(m.op, RBD_NOTIFY_SNAP_CREATE);
	assert_int_equal(m.version, 7);
	assert_false(m.has_client);
	assert_true(m.has_async_id);
	assert_int_equal(m.async_client.gid, GID);
	assert_int_equal(m.async_client.handle, HANDLE);
	assert_int_equal(m.async_request_id, 1);
	assert_prefixes_fail(msg, len);
	assert_short_bodies_fail(7, RBD_NOTIFY_SNAP_CREATE, snap_create_body,
				 sizeof(snap_create_body));
}

static void test_snap_create_older_versions(void **state)
{
	/* v6: name, namespace; no async id nor flags */
	static const uint8_t v6[] = {LE32(1), 's', 1, 1, LE32(4), LE32(0)};
	/* v5: the namespace after the name, from SnapCreate itself */
	static const uint8_t v5[] = {LE32(1), 's', 1, 1, LE32(4), LE32(0)};
	/* v4: the name only */
	static const uint8_t v4[] = {LE32(1), 's'};
	uint8_t msg[64];
	struct rbd_notify_msg m;
	size_t len;

	(void)state;
	len = wrap(6, 1, RBD_NOTIFY_SNAP_CREATE, v6, sizeof(v6), msg,
		   sizeof(msg));
	assert_int_equal(rbd_notify_decode(msg, len, &m), 0);
	assert_false(m.has_async_id);
	assert_short_bodies_fail(6, RBD_NOTIFY_SNAP_CREATE, v6, sizeof(v6));
	len = wrap(5, 1, RBD_NOTIFY_SNAP_CREATE, v5, sizeof(v5), msg,
		   sizeof(msg));
	assert_int_equal(rbd_notify_decode(msg, len, &m), 0);
	assert_false(m.has_async_id);
	assert_short_bodies_fail(5, RBD_NOTIFY_SNAP_CREATE, v5, sizeof(v5));
	len = wrap(4, 1, RBD_NOTIFY_SNAP_CREATE, v4, sizeof(v4), msg,
		   sizeof(msg));
	assert_int_equal(rbd_notify_decode(msg, len, &m), 0);
	assert_false(m.has_async_id);
}

static void test_snap_namespace_hostile(void **state)
{
	/* a trash namespace with a newer compat: skipped by its length */
	static const uint8_t newer_ns[] = {
	    LE32(1), 's', 9,       2,         LE32(14),     LE32(2), LE32(2),
	    'p',     '1', LE32(0), LE64(GID), LE64(HANDLE), LE64(3), LE64(0)};
	static const uint8_t ns_huge[] = {
	    LE32(1),   's',          1,       1,      LE32(0xffffffff), LE32(0),
	    LE64(GID), LE64(HANDLE), LE64(3), LE64(0)};
	uint8_t msg[128];
	struct rbd_notify_msg m;
	size_t len;

	(void)state;
	len = wrap(7, 1, RBD_NOTIFY_SNAP_CREATE, newer_ns, sizeof(newer_ns),
		   msg, sizeof(msg));
	assert_int_equal(rbd_notify_decode(msg, len, &m), 0);
	assert_true(m.has_async_id);
	assert_int_equal(m.async_request_id, 3);
	len = wrap(7, 1, RBD_NOTIFY_SNAP_CREATE, ns_huge, sizeof(ns_huge), msg,
		   sizeof(msg));
	assert_int_equal(rbd_notify_decode(msg, len, &m), CEPHC_EDECODE);
	assert_int_equal(m.op, RBD_NOTIFY_SNAP_CREATE);
	assert_false(m.has_async_id);
}

static void test_string_lengths_hostile(void **state)
{
	static const uint32_t lens[] = {2, 0x7fffffff, 0x80000000, 0xfffffffe,
					0xffffffff};
	uint8_t body[64];
	uint8_t msg[128];
	struct rbd_notify_msg m;

	(void)state;
	/* Rename v7: string name then an async id (24 bytes) */
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t n = 0, len;

		put_le32(body, lens[i]);
		n = 4 + 1 + 24;
		memset(body + 4, 'x', n - 4);
		len = wrap(7, 1, RBD_NOTIFY_RENAME, body, n, msg, sizeof(msg));
		assert_int_equal(rbd_notify_decode(msg, len, &m),
				 CEPHC_EDECODE);
		assert_int_equal(m.op, RBD_NOTIFY_RENAME);
	}
	/* length 0 is a valid empty name */
	put_le32(body, 0);
	memset(body + 4, 0, 24);
	put_le64(body + 20, 77);
	{
		size_t len =
		    wrap(7, 1, RBD_NOTIFY_RENAME, body, 28, msg, sizeof(msg));

		assert_int_equal(rbd_notify_decode(msg, len, &m), 0);
		assert_true(m.has_async_id);
		assert_int_equal(m.async_request_id, 77);
	}
}

/* One v7 body per op that carries an AsyncRequestId. */
struct op_case {
	uint32_t op;
	uint8_t v;
	bool has_async;
	uint8_t body[80];
	size_t n;
};

#define AID LE64(GID), LE64(HANDLE), LE64(42)
#define BODY(...) {__VA_ARGS__}, sizeof((uint8_t[]){__VA_ARGS__})

static const struct op_case async_cases[] = {
    {RBD_NOTIFY_ASYNC_PROGRESS, 7, true, BODY(AID, LE64(5), LE64(10))},
    {RBD_NOTIFY_ASYNC_COMPLETE, 7, true, BODY(AID, LE32(-22))},
    {RBD_NOTIFY_FLATTEN, 7, true, BODY(AID)},
    {RBD_NOTIFY_RESIZE, 7, true, BODY(LE64(1 << 30), AID, 1)},
    {RBD_NOTIFY_RESIZE, 3, true, BODY(LE64(1 << 30), AID)},
    {RBD_NOTIFY_SNAP_REMOVE, 7, true,
     BODY(LE32(2), 'a', 'b', 1, 1, LE32(4), LE32(0), AID)},
    {RBD_NOTIFY_SNAP_REMOVE, 6, false,
     BODY(LE32(2), 'a', 'b', 1, 1, LE32(4), LE32(0))},
    {RBD_NOTIFY_REBUILD_OBJECT_MAP, 7, true, BODY(AID)},
    {RBD_NOTIFY_SNAP_RENAME, 7, true,
     BODY(LE64(4), LE32(1), 'n', 1, 1, LE32(4), LE32(0), AID)},
    {RBD_NOTIFY_SNAP_PROTECT, 7, true,
     BODY(LE32(1), 'p', 1, 1, LE32(4), LE32(0), AID)},
    {RBD_NOTIFY_SNAP_UNPROTECT, 7, true,
     BODY(LE32(1), 'p', 1, 1, LE32(4), LE32(0), AID)},
    {RBD_NOTIFY_RENAME, 7, true, BODY(LE32(3), 'i', 'm', 'g', AID)},
    {RBD_NOTIFY_RENAME, 6, false, BODY(LE32(3), 'i', 'm', 'g')},
    {RBD_NOTIFY_UPDATE_FEATURES, 7, true, BODY(LE64(4), 1, AID)},
    {RBD_NOTIFY_UPDATE_FEATURES, 6, false, BODY(LE64(4), 1)},
    {RBD_NOTIFY_MIGRATE, 7, true, BODY(AID)},
    {RBD_NOTIFY_SPARSIFY, 7, true, BODY(AID, LE64(4096))},
    {RBD_NOTIFY_QUIESCE, 7, true, BODY(LE64(GID), LE64(HANDLE), LE64(2))},
    {RBD_NOTIFY_UNQUIESCE, 7, true, BODY(AID)},
    {RBD_NOTIFY_METADATA_UPDATE, 7, true,
     BODY(LE32(1), 'k', 1, LE32(1), 'v', AID)},
    {RBD_NOTIFY_METADATA_UPDATE, 7, true, BODY(LE32(1), 'k', 0, AID)},
    {RBD_NOTIFY_METADATA_UPDATE, 6, false, BODY(LE32(1), 'k', 0)},
};

static void test_async_ops(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(async_cases) / sizeof(async_cases[0]);
	     i++) {
		const struct op_case *c = &async_cases[i];
		uint8_t msg[128];
		struct rbd_notify_msg m;
		size_t len;

		len = wrap(c->v, 1, c->op, c->body, c->n, msg, sizeof(msg));
		assert_int_equal(rbd_notify_decode(msg, len, &m), 0);
		assert_int_equal(m.op, c->op);
		assert_int_equal(m.version, c->v);
		assert_false(m.has_client);
		assert_int_equal(m.has_async_id, c->has_async);
		if (c->has_async) {
			assert_int_equal(m.async_client.gid, GID);
			assert_int_equal(m.async_client.handle, HANDLE);
			assert_int_equal(m.async_request_id,
					 c->op == RBD_NOTIFY_QUIESCE ? 2 : 42);
		}
		assert_prefixes_fail(msg, len);
		assert_short_bodies_fail(c->v, c->op, c->body, c->n);
	}
}

/* Quiesce / Unquiesce as snapshot create sends them: the decoder reads
 * back what the encoder wrote, and the live layout (op 18, gid, handle,
 * request id) byte for byte. */
static void test_encode_quiesce(void **state)
{
	const struct rbd_client_id c = {GID, HANDLE};
	uint8_t buf[RBD_NOTIFY_MSG_MAX];
	struct rbd_notify_msg m;
	size_t len;

	(void)state;
	assert_int_equal(rbd_notify_encode_async(RBD_NOTIFY_QUIESCE, &c, 2, buf,
						 sizeof(buf), &len),
			 0);
	assert_int_equal(len, 6 + 4 + 24);
	assert_int_equal(buf[0], 7); /* v7, compat 1, body 28 bytes */
	assert_int_equal(buf[1], 1);
	assert_int_equal(get_le32(buf + 2), 28);
	assert_int_equal(get_le32(buf + 6), 18);
	assert_int_equal(get_le64(buf + 10), GID);
	assert_int_equal(get_le64(buf + 18), HANDLE);
	assert_int_equal(get_le64(buf + 26), 2);
	assert_int_equal(rbd_notify_decode(buf, len, &m), 0);
	assert_int_equal(m.op, RBD_NOTIFY_QUIESCE);
	assert_true(m.has_async_id);
	assert_int_equal(m.async_request_id, 2);
	assert_int_equal(rbd_notify_encode_async(RBD_NOTIFY_UNQUIESCE, &c, 3,
						 buf, sizeof(buf), &len),
			 0);
	assert_int_equal(rbd_notify_decode(buf, len, &m), 0);
	assert_int_equal(m.op, RBD_NOTIFY_UNQUIESCE);
	assert_int_equal(m.async_request_id, 3);
	/* other ops, no client, no room */
	assert_int_equal(rbd_notify_encode_async(RBD_NOTIFY_HEADER_UPDATE, &c,
						 1, buf, sizeof(buf), &len),
			 CEPHC_EINVAL);
	assert_int_equal(rbd_notify_encode_async(RBD_NOTIFY_QUIESCE, NULL, 1,
						 buf, sizeof(buf), &len),
			 CEPHC_EINVAL);
	assert_int_not_equal(
	    rbd_notify_encode_async(RBD_NOTIFY_QUIESCE, &c, 1, buf, 10, &len),
	    0);
}

static void test_envelope_hostile(void **state)
{
	uint8_t msg[64];
	struct rbd_notify_msg m;
	size_t len;

	(void)state;
	/* compat newer than 1 */
	memcpy(msg, live_acquired, sizeof(live_acquired));
	msg[1] = 2;
	assert_int_equal(rbd_notify_decode(msg, sizeof(live_acquired), &m),
			 CEPHC_ECOMPAT);
	/* lengths 0, beyond the bytes, 0x7fffffff, 0x80000000, 0xffffffff */
	{
		static const uint32_t lens[] = {
		    0, 21, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff};

		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			memcpy(msg, live_acquired, sizeof(live_acquired));
			put_le32(msg + 2, lens[i]);
			assert_int_equal(
			    rbd_notify_decode(msg, sizeof(live_acquired), &m),
			    CEPHC_EDECODE);
		}
	}
	/* a newer version with an unknown tail: skipped by length */
	{
		static const uint8_t body[] = {LE64(GID), LE64(HANDLE), 0xde,
					       0xad,      0xbe,         0xef};

		len = wrap(9, 1, RBD_NOTIFY_ACQUIRED_LOCK, body, sizeof(body),
			   msg, sizeof(msg));
		/* bytes after the envelope are not ours either */
		msg[len++] = 0x55;
		assert_int_equal(rbd_notify_decode(msg, len, &m), 0);
		assert_int_equal(m.version, 9);
		assert_true(m.has_client);
		assert_int_equal(m.client.gid, GID);
	}
}

static void test_unknown_op(void **state)
{
	static const uint8_t junk[] = {1, 2, 3};
	uint8_t msg[32];
	struct rbd_notify_msg m;
	size_t len;

	(void)state;
	len = wrap(7, 1, 99, junk, sizeof(junk), msg, sizeof(msg));
	assert_int_equal(rbd_notify_decode(msg, len, &m), 0);
	assert_int_equal(m.op, 99);
	assert_int_equal(m.version, 7);
	assert_false(m.has_client);
	assert_false(m.has_async_id);
	len = wrap(7, 1, 0xffffffff, NULL, 0, msg, sizeof(msg));
	assert_int_equal(rbd_notify_decode(msg, len, &m), 0);
	assert_int_equal(m.op, 0xffffffff);
}

/* 2 acks (gid 1 empty, gid 2 with RM(-EROFS)), 1 timeout (gid 3). */
static const uint8_t reply[] = {
    LE32(2), LE64(1), LE64(11), LE32(0),      LE64(2), LE64(22), LE32(10),
    1,       1,       LE32(4),  LE32(-EROFS), LE32(1), LE64(3),  LE64(33),
};

static void test_reply_iteration(void **state)
{
	struct rbd_notify_reply_iter it;
	struct rbd_notify_ack a;
	uint32_t t = 99;
	int32_t r;

	(void)state;
	assert_int_equal(rbd_notify_reply_init(&it, reply, sizeof(reply)), 0);
	/* the timeouts wait for the acks */
	assert_int_equal(rbd_notify_reply_timeouts(&it, &t), CEPHC_EINVAL);

	assert_int_equal(rbd_notify_reply_next(&it, &a), 1);
	assert_int_equal(a.gid, 1);
	assert_int_equal(a.cookie, 11);
	assert_int_equal(a.payload_len, 0);

	assert_int_equal(rbd_notify_reply_next(&it, &a), 1);
	assert_int_equal(a.gid, 2);
	assert_int_equal(a.cookie, 22);
	assert_int_equal(a.payload_len, 10);
	assert_ptr_equal(a.payload, reply + 4 + 20 + 20);
	assert_int_equal(
	    rbd_notify_decode_response(a.payload, a.payload_len, &r), 0);
	assert_int_equal(r, -EROFS);

	assert_int_equal(rbd_notify_reply_next(&it, &a), 0);
	assert_int_equal(rbd_notify_reply_next(&it, &a), 0);
	assert_int_equal(rbd_notify_reply_timeouts(&it, &t), 0);
	assert_int_equal(t, 1);
	/* asking again gives the same answer */
	assert_int_equal(rbd_notify_reply_timeouts(&it, &t), 0);
	assert_int_equal(t, 1);
}

/* Walk a reply to the end; 0 when everything decoded. */
static int walk_reply(const uint8_t *buf, size_t len, uint32_t *acks)
{
	struct rbd_notify_reply_iter it;
	struct rbd_notify_ack a;
	uint32_t t;
	int r;

	*acks = 0;
	r = rbd_notify_reply_init(&it, buf, len);
	if (r)
		return r;
	while ((r = rbd_notify_reply_next(&it, &a)) == 1) {
		(*acks)++;
		/* the view stays inside the buffer */
		assert_true(a.payload_len == 0 ||
			    (a.payload >= buf &&
			     a.payload + a.payload_len <= buf + len));
	}
	if (r)
		return r;
	return rbd_notify_reply_timeouts(&it, &t);
}

static void test_reply_truncated(void **state)
{
	uint32_t acks;

	(void)state;
	assert_int_equal(walk_reply(reply, sizeof(reply), &acks), 0);
	assert_int_equal(acks, 2);
	for (size_t k = 0; k < sizeof(reply); k++) {
		uint8_t *cut = malloc(k ? k : 1);

		assert_non_null(cut);
		memcpy(cut, reply, k);
		assert_int_equal(walk_reply(k ? cut : NULL, k, &acks),
				 CEPHC_EDECODE);
		free(cut);
	}
	/* an empty reply: no acks and no timeouts */
	{
		static const uint8_t none[] = {LE32(0), LE32(0)};

		assert_int_equal(walk_reply(none, sizeof(none), &acks), 0);
		assert_int_equal(acks, 0);
	}
}

static long alloc_calls;

static void *t_malloc(size_t n)
{
	alloc_calls++;
	return malloc(n);
}

static void *t_realloc(void *p, size_t n)
{
	alloc_calls++;
	return realloc(p, n);
}

static void *t_calloc(size_t c, size_t n)
{
	alloc_calls++;
	return calloc(c, n);
}

static void test_reply_counts_hostile(void **state)
{
	/*
	 * Counts past the bytes (20 for one ack, 16 for one timeout);
	 * 0x0ccccccd x 20 and 0x10000001 x 16 wrap to 4 and 16 in 32 bits.
	 */
	static const uint32_t counts[] = {
	    2, 3, 0x0ccccccd, 0x10000001, 0x7fffffff, 0x80000000, 0xffffffff};
	struct rbd_notify_reply_iter it;
	struct rbd_notify_ack a;
	uint32_t t, acks;

	(void)state;
	alloc_calls = 0;
	assert_int_equal(
	    cephc_set_allocator(t_malloc, t_realloc, t_calloc, free), 0);
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		uint8_t buf[4 + 20 + 4 + 16];

		/* too many acks for the bytes: init refuses */
		memset(buf, 0, sizeof(buf));
		put_le32(buf, counts[i]);
		assert_int_equal(rbd_notify_reply_init(&it, buf, 24),
				 CEPHC_EDECODE);
		/* and the failure sticks */
		assert_int_equal(rbd_notify_reply_next(&it, &a), CEPHC_EDECODE);
		assert_int_equal(rbd_notify_reply_timeouts(&it, &t),
				 CEPHC_EDECODE);

		/* one empty ack, then too many timeouts */
		put_le32(buf, 1);
		put_le32(buf + 24, counts[i]);
		assert_int_equal(walk_reply(buf, sizeof(buf), &acks),
				 CEPHC_EDECODE);
		assert_int_equal(acks, 1);
	}
	/* an ack payload length past the end */
	{
		uint8_t buf[] = {LE32(1), LE64(1), LE64(2), LE32(0xffffffff),
				 LE32(0)};

		assert_int_equal(rbd_notify_reply_init(&it, buf, sizeof(buf)),
				 0);
		assert_int_equal(rbd_notify_reply_next(&it, &a), CEPHC_EDECODE);
		assert_null(a.payload);
		assert_int_equal(a.payload_len, 0);
		assert_int_equal(rbd_notify_reply_next(&it, &a), CEPHC_EDECODE);
		assert_int_equal(rbd_notify_reply_timeouts(&it, &t),
				 CEPHC_EDECODE);
	}
	cephc_set_allocator(NULL, NULL, NULL, NULL);
	assert_int_equal(alloc_calls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decode_live_acquired_lock),
	    cmocka_unit_test(test_response_live_samples),
	    cmocka_unit_test(test_response_hostile),
	    cmocka_unit_test(test_encode_matches_librbd),
	    cmocka_unit_test(test_encode_quiesce),
	    cmocka_unit_test(test_encode_decode_lock_ops),
	    cmocka_unit_test(test_encode_rejects_other_ops),
	    cmocka_unit_test(test_empty_is_legacy_header_update),
	    cmocka_unit_test(test_lock_ops_gated_by_version),
	    cmocka_unit_test(test_snap_create_v7_live),
	    cmocka_unit_test(test_snap_create_older_versions),
	    cmocka_unit_test(test_snap_namespace_hostile),
	    cmocka_unit_test(test_string_lengths_hostile),
	    cmocka_unit_test(test_async_ops),
	    cmocka_unit_test(test_envelope_hostile),
	    cmocka_unit_test(test_unknown_op),
	    cmocka_unit_test(test_reply_iteration),
	    cmocka_unit_test(test_reply_truncated),
	    cmocka_unit_test(test_reply_counts_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
