/* SPDX-License-Identifier: MIT */
/* Auth "none" through the same ops-table entry points as cephx. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "auth/auth.h"
#include "core/decode.h"
#include "core/encode.h"

static void test_none_handshake_and_authorizer(void **state)
{
	struct cephc_auth_params p = {
	    .name_type = CEPHC_ENTITY_CLIENT,
	    .name_id = "admin",
	};
	struct cephc_msg_sig_input m = {0};
	struct cephc_authorizer *au;
	struct cephc_auth_buf b;
	struct cephc_auth *a;
	const struct cephc_crypto_key *k;
	struct cephc_dec d;
	uint32_t len;
	uint64_t sig = 1;

	(void)state;
	a = cephc_auth_create(&p); /* no secret: only "none" is offered */
	assert_non_null(a);
	cephc_auth_buf_init(&b);
	assert_int_equal(cephc_auth_build_hello(a, &b), 0);
	/* u8 1, [1], EntityName client.admin, le64 0 */
	dec_init(&d, b.data, b.len);
	assert_int_equal(dec_u8(&d), 1);
	assert_int_equal(dec_le32(&d), 1);
	assert_int_equal(dec_le32(&d), CEPHC_AUTH_NONE);
	assert_int_equal(dec_le32(&d), CEPHC_ENTITY_CLIENT);
	assert_memory_equal(dec_blob(&d, &len, 16), "admin", 5);
	assert_true(dec_le64(&d) == 0);
	assert_int_equal(dec_left(&d), 0);

	/* a cephx answer to a none-only offer is refused */
	assert_int_equal(
	    cephc_auth_handle_reply(a, CEPHC_AUTH_CEPHX, 0, 7, NULL, 0, 0),
	    CEPHC_EPROTO);
	assert_int_equal(cephc_auth_build_hello(a, &b), 0);
	assert_int_equal(
	    cephc_auth_handle_reply(a, CEPHC_AUTH_NONE, 0, 7, NULL, 0, 0),
	    CEPHC_AUTH_DONE);
	assert_true(cephc_auth_is_authenticated(a, 0));
	assert_false(cephc_auth_should_authenticate(a, 0));
	assert_true(cephc_auth_global_id(a) == 7);
	assert_true(cephc_auth_renew_deadline(a) == UINT64_MAX);
	assert_int_equal(cephc_auth_session_key(a, &k), CEPHC_EOPNOTSUPP);
	cephc_auth_buf_reset(&b);
	assert_int_equal(cephc_auth_build_request(a, 0, &b), 0);
	assert_int_equal(b.len, 0);

	/* authorizer: u8 1, EntityName, le64 global_id */
	assert_int_equal(cephc_auth_get_authorizer(a, CEPHC_ENTITY_OSD, &au),
			 0);
	dec_init(&d, au->buf.data, au->buf.len);
	assert_int_equal(dec_u8(&d), 1);
	assert_int_equal(dec_le32(&d), CEPHC_ENTITY_CLIENT);
	assert_memory_equal(dec_blob(&d, &len, 16), "admin", 5);
	assert_true(dec_le64(&d) == 7);
	assert_int_equal(dec_left(&d), 0);
	assert_int_equal(cephc_authorizer_verify_reply(au, NULL, 0), 0);
	assert_int_equal(cephc_authorizer_handle_challenge(au, "x", 1),
			 CEPHC_EOPNOTSUPP);
	assert_int_equal(cephc_authorizer_sign(au, ~0ull, &m, &sig), 0);
	assert_true(sig == 0);
	assert_int_equal(cephc_authorizer_check(au, ~0ull, &m, 12345), 0);
	cephc_authorizer_destroy(au);

	/* reset: a new mon session starts over, keeping the id */
	cephc_auth_reset(a);
	assert_false(cephc_auth_is_authenticated(a, 0));
	cephc_auth_buf_reset(&b);
	assert_int_equal(cephc_auth_build_hello(a, &b), 0);
	assert_true(get_le64(b.data + b.len - 8) == 7);
	cephc_auth_buf_free(&b);
	cephc_auth_destroy(a);
}

static void test_none_refused_by_mon_without_common_method(void **state)
{
	struct cephc_auth_params p = {
	    .name_type = CEPHC_ENTITY_CLIENT,
	    .name_id = "admin",
	};
	struct cephc_auth_buf b;
	struct cephc_auth *a = cephc_auth_create(&p);

	(void)state;
	cephc_auth_buf_init(&b);
	assert_int_equal(cephc_auth_build_hello(a, &b), 0);
	/* the mon answers protocol 0, -EOPNOTSUPP */
	assert_int_equal(
	    cephc_auth_handle_reply(a, 0, -EOPNOTSUPP, 0, NULL, 0, 0),
	    CEPHC_EOPNOTSUPP);
	assert_false(cephc_auth_is_authenticated(a, 0));
	cephc_auth_buf_free(&b);
	cephc_auth_destroy(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_none_handshake_and_authorizer),
	    cmocka_unit_test(test_none_refused_by_mon_without_common_method),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
