/* SPDX-License-Identifier: MIT */
/*
 * rbd-cls-probe: a debug tool around cephc's cls rbd codecs (src/rbd/), used
 * by tests/integration/test_rbd_cls_live.sh to check them against a real
 * cluster without a cephc OSD client:
 *
 *   rbd-cls-probe enc METHOD [ARGS...]  > input.bin   method input, raw
 *   rbd-cls-probe dec METHOD < output.bin              decoded output, JSON
 *   rbd-cls-probe genid GLOBAL_ID RANDOM               librbd-style image id
 *   rbd-cls-probe features VALUE                       names, as `rbd info`
 *
 * Numbers accept 0x prefixes; "nosnap" means the head snap id.  It uses
 * internal headers, so it is a debugging aid, not part of the public CLI.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "rbd/cls_rbd.h"
#include "rbd/image_meta.h"
#include "rbd/rbd_features.h"

#define INPUT_MAX (128 * 1024 * 1024)

static uint64_t num(const char *s)
{
	char *end;
	uint64_t v;

	if (strcmp(s, "nosnap") == 0)
		return CEPHC_RBD_NOSNAP;
	errno = 0;
	if (s[0] == '-')
		v = (uint64_t)strtoll(s, &end, 0);
	else
		v = strtoull(s, &end, 0);
	if (errno || *end || !*s) {
		fprintf(stderr, "bad number: %s\n", s);
		exit(2);
	}
	return v;
}

static void need(int argc, int n)
{
	if (argc < n) {
		fprintf(stderr, "missing arguments\n");
		exit(2);
	}
}

static int encode(const char *m, int argc, char **argv)
{
	static uint8_t buf[CEPHC_RBD_ENC_MAX];
	struct cephc_enc e;
	int r;

	enc_init(&e, buf, sizeof(buf));
#define IS(x) (strcmp(m, x) == 0)
	if (IS("get_id") || IS("get_object_prefix") || IS("get_snapcontext") ||
	    IS("get_all_features") || IS("get_stripe_unit_count") ||
	    IS("get_data_pool") || IS("get_create_timestamp") ||
	    IS("get_access_timestamp") || IS("get_modify_timestamp") ||
	    IS("op_features_get") || IS("parent_get") ||
	    IS("object_map_load")) {
		r = 0;
	} else if (IS("get_size") || IS("get_snapshot_name") ||
		   IS("get_snapshot_timestamp") || IS("snapshot_get") ||
		   IS("snapshot_remove") || IS("parent_overlap_get") ||
		   IS("get_parent")) {
		need(argc, 1);
		r = cephc_rbd_enc_snap_id(&e, num(argv[0]));
	} else if (IS("get_flags")) {
		need(argc, 1);
		r = cephc_rbd_enc_get_flags(&e, num(argv[0]));
	} else if (IS("get_features")) {
		need(argc, 2);
		r = cephc_rbd_enc_get_features(&e, num(argv[0]),
					       num(argv[1]) != 0);
	} else if (IS("set_flags")) {
		need(argc, 3);
		r = cephc_rbd_enc_set_flags(&e, num(argv[0]), num(argv[1]),
					    num(argv[2]));
	} else if (IS("set_size")) {
		need(argc, 1);
		r = cephc_rbd_enc_set_size(&e, num(argv[0]));
	} else if (IS("set_features")) {
		need(argc, 2);
		r = cephc_rbd_enc_set_features(&e, num(argv[0]), num(argv[1]));
	} else if (IS("set_stripe_unit_count")) {
		need(argc, 2);
		r = cephc_rbd_enc_set_stripe_unit_count(&e, num(argv[0]),
							num(argv[1]));
	} else if (IS("set_id")) {
		need(argc, 1);
		r = cephc_rbd_enc_set_id(&e, argv[0]);
	} else if (IS("dir_add_image")) {
		need(argc, 2);
		r = cephc_rbd_enc_dir_add_image(&e, argv[0], argv[1]);
	} else if (IS("dir_remove_image")) {
		need(argc, 2);
		r = cephc_rbd_enc_dir_remove_image(&e, argv[0], argv[1]);
	} else if (IS("dir_get_id")) {
		need(argc, 1);
		r = cephc_rbd_enc_dir_get_id(&e, argv[0]);
	} else if (IS("dir_get_name")) {
		need(argc, 1);
		r = cephc_rbd_enc_dir_get_name(&e, argv[0]);
	} else if (IS("dir_list")) {
		need(argc, 2);
		r = cephc_rbd_enc_dir_list(&e, argv[0], num(argv[1]));
	} else if (IS("dir_rename_image")) {
		need(argc, 3);
		r = cephc_rbd_enc_dir_rename_image(&e, argv[0], argv[1],
						   argv[2]);
	} else if (IS("create")) {
		need(argc, 5);
		r = cephc_rbd_enc_create(&e, num(argv[0]),
					 (uint8_t)num(argv[1]), num(argv[2]),
					 argv[3], (int64_t)num(argv[4]));
	} else if (IS("snapshot_add")) {
		need(argc, 2);
		r = cephc_rbd_enc_snapshot_add(&e, num(argv[0]), argv[1]);
	} else if (IS("object_map_update")) {
		need(argc, 3);
		r = cephc_rbd_enc_object_map_update(
		    &e, num(argv[0]), num(argv[1]), (uint8_t)num(argv[2]),
		    argc > 3, argc > 3 ? (uint8_t)num(argv[3]) : 0);
	} else if (IS("object_map_resize")) {
		need(argc, 2);
		r = cephc_rbd_enc_object_map_resize(&e, num(argv[0]),
						    (uint8_t)num(argv[1]));
	} else if (IS("metadata_list")) {
		need(argc, 2);
		r = cephc_rbd_enc_metadata_list(&e, argv[0], num(argv[1]));
	} else {
		fprintf(stderr, "unknown method %s\n", m);
		return 2;
	}
#undef IS
	if (r) {
		fprintf(stderr, "encode %s: %s\n", m, cephc_strerror(r));
		return 1;
	}
	fwrite(buf, 1, enc_len(&e), stdout);
	return 0;
}

/* JSON string (ids, names, prefixes: escape quotes, backslash, controls). */
static void jstr(const char *s, size_t n)
{
	putchar('"');
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void jts(const char *key, const struct cephc_rbd_time *t)
{
	printf("\"%s\":{\"sec\":%" PRIu32 ",\"nsec\":%" PRIu32 "}", key, t->sec,
	       t->nsec);
}

static void print_parent(const struct cephc_rbd_parent_spec *p)
{
	printf("\"pool_id\":%" PRId64 ",\"pool_namespace\":", p->pool_id);
	jstr(p->pool_namespace, strlen(p->pool_namespace));
	printf(",\"image_id\":");
	jstr(p->image_id, strlen(p->image_id));
	printf(",\"snap_id\":%" PRIu64, p->snap_id);
}

static int decode(const char *m, const uint8_t *buf, size_t len)
{
	uint64_t a, b, *snaps;
	uint32_t n;
	int64_t pool;
	uint8_t order;
	bool has;
	char *s;
	int r;

#define IS(x) (strcmp(m, x) == 0)
	if (IS("get_id") || IS("dir_get_id") || IS("dir_get_name") ||
	    IS("get_object_prefix") || IS("get_snapshot_name")) {
		if (IS("get_id"))
			r = cephc_rbd_dec_get_id(buf, len, &s);
		else if (IS("dir_get_id"))
			r = cephc_rbd_dec_dir_get_id(buf, len, &s);
		else if (IS("dir_get_name"))
			r = cephc_rbd_dec_dir_get_name(buf, len, &s);
		else if (IS("get_object_prefix"))
			r = cephc_rbd_dec_get_object_prefix(buf, len, &s);
		else
			r = cephc_rbd_dec_get_snapshot_name(buf, len, &s);
		if (!r) {
			printf("{\"value\":");
			jstr(s, strlen(s));
			printf("}\n");
			cephc_free(s);
		}
	} else if (IS("get_size")) {
		r = cephc_rbd_dec_get_size(buf, len, &order, &a);
		if (!r)
			printf("{\"order\":%u,\"size\":%" PRIu64 "}\n", order,
			       a);
	} else if (IS("get_features")) {
		char names[512];

		r = cephc_rbd_dec_get_features(buf, len, &a, &b);
		cephc_rbd_features_format(a, names, sizeof(names));
		if (!r)
			printf("{\"features\":%" PRIu64
			       ",\"incompatible\":%" PRIu64
			       ",\"names\":\"%s\",\"unsupported_for_write\":"
			       "%" PRIu64 "}\n",
			       a, b, names,
			       cephc_rbd_features_unsupported_for_write(a));
	} else if (IS("get_all_features") || IS("get_flags") ||
		   IS("op_features_get")) {
		if (IS("get_all_features"))
			r = cephc_rbd_dec_get_all_features(buf, len, &a);
		else if (IS("get_flags"))
			r = cephc_rbd_dec_get_flags(buf, len, &a);
		else
			r = cephc_rbd_dec_op_features_get(buf, len, &a);
		if (!r)
			printf("{\"value\":%" PRIu64 "}\n", a);
	} else if (IS("get_data_pool")) {
		r = cephc_rbd_dec_get_data_pool(buf, len, &pool);
		if (!r)
			printf("{\"value\":%" PRId64 "}\n", pool);
	} else if (IS("get_stripe_unit_count")) {
		r = cephc_rbd_dec_get_stripe_unit_count(buf, len, &a, &b);
		if (!r)
			printf("{\"stripe_unit\":%" PRIu64
			       ",\"stripe_count\":%" PRIu64 "}\n",
			       a, b);
	} else if (IS("get_snapcontext")) {
		r = cephc_rbd_dec_get_snapcontext(buf, len, &a, &snaps, &n);
		if (!r) {
			printf("{\"seq\":%" PRIu64 ",\"snaps\":[", a);
			for (uint32_t i = 0; i < n; i++)
				printf("%s%" PRIu64, i ? "," : "", snaps[i]);
			printf("]}\n");
			cephc_free(snaps);
		}
	} else if (IS("get_snapshot_timestamp") || IS("get_create_timestamp") ||
		   IS("get_access_timestamp") || IS("get_modify_timestamp")) {
		struct cephc_rbd_time t;

		r = cephc_rbd_dec_timestamp(buf, len, &t);
		if (!r) {
			putchar('{');
			jts("value", &t);
			printf("}\n");
		}
	} else if (IS("snapshot_get")) {
		struct cephc_rbd_snap_info si;

		r = cephc_rbd_dec_snapshot_get(buf, len, &si);
		if (!r) {
			printf("{\"id\":%" PRIu64 ",\"ns_type\":%" PRIu32
			       ",\"name\":",
			       si.id, si.ns_type);
			jstr(si.name, strlen(si.name));
			printf(",\"image_size\":%" PRIu64 ",", si.image_size);
			jts("timestamp", &si.timestamp);
			printf(",\"child_count\":%" PRIu32 "}\n",
			       si.child_count);
			cephc_rbd_snap_info_clear(&si);
		}
	} else if (IS("parent_get") || IS("get_parent")) {
		struct cephc_rbd_parent_spec p;

		if (IS("parent_get"))
			r = cephc_rbd_dec_parent_get(buf, len, &p);
		else
			r = cephc_rbd_dec_get_parent(buf, len, &p, &a);
		if (!r) {
			putchar('{');
			print_parent(&p);
			if (IS("get_parent"))
				printf(",\"overlap\":%" PRIu64, a);
			printf("}\n");
			cephc_rbd_parent_spec_clear(&p);
		}
	} else if (IS("parent_overlap_get")) {
		r = cephc_rbd_dec_parent_overlap_get(buf, len, &has, &a);
		if (!r) {
			if (has)
				printf("{\"overlap\":%" PRIu64 "}\n", a);
			else
				printf("{\"overlap\":null}\n");
		}
	} else if (IS("dir_list") || IS("metadata_list")) {
		struct cephc_rbd_kv_list l;

		if (IS("dir_list"))
			r = cephc_rbd_dec_dir_list(buf, len, &l);
		else
			r = cephc_rbd_dec_metadata_list(buf, len, &l);
		if (!r) {
			putchar('{');
			for (uint32_t i = 0; i < l.count; i++) {
				if (i)
					putchar(',');
				jstr(l.items[i].key, strlen(l.items[i].key));
				putchar(':');
				jstr(l.items[i].value, l.items[i].value_len);
			}
			printf("}\n");
			cephc_rbd_kv_list_clear(&l);
		}
	} else if (IS("object_map_load")) {
		struct cephc_rbd_object_map om;

		r = cephc_rbd_dec_object_map_load(buf, len, &om);
		if (!r) {
			printf("{\"count\":%" PRIu64
			       ",\"crcs\":%s,\"states\":[",
			       om.count, om.had_crcs ? "true" : "false");
			for (uint64_t i = 0; i < om.count; i++)
				printf("%s%u", i ? "," : "",
				       cephc_rbd_object_map_get(&om, i));
			printf("]}\n");
			cephc_rbd_object_map_clear(&om);
		}
	} else {
		fprintf(stderr, "unknown method %s\n", m);
		return 2;
	}
#undef IS
	if (r) {
		printf("{\"error\":\"%s\"}\n", cephc_errname(r));
		return 1;
	}
	return 0;
}

static int read_stdin(uint8_t **out, size_t *len)
{
	size_t cap = 4096, n = 0;
	uint8_t *buf = malloc(cap);

	while (buf) {
		size_t k = fread(buf + n, 1, cap - n, stdin);

		n += k;
		if (n < cap)
			break;
		if (cap >= INPUT_MAX) {
			free(buf);
			return -1;
		}
		cap *= 2;
		uint8_t *nb = realloc(buf, cap);
		if (!nb)
			free(buf);
		buf = nb;
	}
	if (!buf)
		return -1;
	*out = buf;
	*len = n;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "enc") == 0)
		return encode(argv[2], argc - 3, argv + 3);
	if (argc >= 3 && strcmp(argv[1], "dec") == 0) {
		uint8_t *buf;
		size_t len;
		int r;

		if (read_stdin(&buf, &len)) {
			fprintf(stderr, "cannot read input\n");
			return 1;
		}
		r = decode(argv[2], buf, len);
		free(buf);
		return r;
	}
	if (argc == 4 && strcmp(argv[1], "genid") == 0) {
		char id[CEPHC_RBD_GEN_ID_LEN_MAX + 1];

		if (cephc_rbd_generate_image_id(
			num(argv[2]), (uint32_t)num(argv[3]), id, sizeof(id)))
			return 1;
		printf("%s\n", id);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "features") == 0) {
		char names[512];

		cephc_rbd_features_format(num(argv[2]), names, sizeof(names));
		printf("%s\n", names);
		return 0;
	}
	fprintf(stderr,
		"usage: rbd-cls-probe enc METHOD [ARGS...] | dec METHOD | "
		"genid GLOBAL_ID RANDOM | features VALUE\n");
	return 2;
}
