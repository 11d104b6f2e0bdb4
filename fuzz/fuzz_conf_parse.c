/* SPDX-License-Identifier: MIT */
/*
 * ceph.conf, keyring and mon_host parsing on arbitrary bytes: no crash, no
 * leak, no read past the input.  The same bytes also go through $meta
 * expansion, the typed getters, base64 and CEPH_ARGS splitting.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "conf/conf.h"
#include "core/alloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Keys the fuzzer is likely to write in its inputs. */
static const char *const keys[] = {"k", "mon_host",     "keyring", "log_file",
				   "a", "ms_bind_ipv6", "debug_ms"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cephc_conf_error err;
	struct cephc_conf_file f;
	struct cephc_keyring kr;
	struct cephc_conf_monlist ml;
	struct cephc_conf *c;
	uint8_t key[CEPHC_KEY_MAX_LEN];
	char *s;

	/* Exact-size copy so ASan sees any read past the end. */
	char *text = cephc_malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	if (cephc_conf_file_parse(text, size, &f, &err) == 0)
		cephc_conf_file_free(&f);
	if (cephc_keyring_parse(text, size, &kr, &err) == 0)
		cephc_keyring_free(&kr);
	(void)cephc_base64_decode(text, size, key, sizeof(key));

	if (cephc_conf_create(&c) == 0) {
		if (cephc_conf_parse_text(c, text, size, &err) == 0) {
			for (size_t i = 0; i < sizeof(keys) / sizeof(*keys);
			     i++) {
				int64_t iv;
				uint64_t uv;
				bool b;

				if (cephc_conf_get_str(c, keys[i], &s) == 0)
					cephc_free(s);
				(void)cephc_conf_get_int(c, keys[i], 0, &iv);
				(void)cephc_conf_get_bool(c, keys[i], 0, &b);
				(void)cephc_conf_get_size(c, keys[i], 0, &uv);
				(void)cephc_conf_get_duration_ms(c, keys[i], 0,
								 &uv);
			}
			/* mon_host from the file, or [mon.X] sections; the
			 * numeric parser only: no DNS from a fuzzer. */
			const char *mh = cephc_conf_get_raw(c, "mon_host");
			if (mh && cephc_conf_parse_mon_host(mh, &ml) == 0)
				cephc_conf_monlist_free(&ml);
		}
		cephc_conf_destroy(c);
	}

	/* The whole input as one mon_host string and as CEPH_ARGS. */
	s = cephc_strndup(text, size);
	if (s) {
		if (cephc_conf_parse_mon_host(s, &ml) == 0)
			cephc_conf_monlist_free(&ml);
		if (cephc_conf_create(&c) == 0) {
			(void)cephc_conf_parse_env(c, s);
			cephc_conf_destroy(c);
		}
		cephc_free(s);
	}
	cephc_free(text);
	return 0;
}
