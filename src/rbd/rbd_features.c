/* SPDX-License-Identifier: MIT */
/* RBD feature names, in bit order, as `rbd info` prints them. */
#include "rbd/rbd_features.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const feature_names[] = {
    "layering",   "striping",     "exclusive-lock", "object-map",
    "fast-diff",  "deep-flatten", "journaling",     "data-pool",
    "operations", "migrating",    "non-primary",    "dirty-cache",
};

static const char *const op_feature_names[] = {
    "clone-parent",
    "clone-child",
    "group",
    "snap-trash",
};

#define N_NAMES(a) (sizeof(a) / sizeof((a)[0]))

static const char *bit_name(const char *const *names, size_t n, uint64_t bit)
{
	/* exactly one bit set */
	if (!bit || (bit & (bit - 1)))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (bit == UINT64_C(1) << i)
			return names[i];
	return NULL;
}

const char *cephc_rbd_feature_name(uint64_t bit)
{
	return bit_name(feature_names, N_NAMES(feature_names), bit);
}

uint64_t cephc_rbd_feature_from_name(const char *name)
{
	for (size_t i = 0; i < N_NAMES(feature_names); i++)
		if (strcmp(name, feature_names[i]) == 0)
			return UINT64_C(1) << i;
	return 0;
}

/* Appends s to buf (bounded), tracking the untruncated length in *len. */
static void append(char *buf, size_t cap, size_t *len, const char *s)
{
	size_t n = strlen(s);

	if (*len < cap) {
		size_t room = cap - *len - 1;
		size_t k = n < room ? n : room;

		memcpy(buf + *len, s, k);
		buf[*len + k] = '\0';
	}
	*len += n;
}

static size_t format_bits(const char *const *names, size_t n, uint64_t bits,
			  char *buf, size_t cap)
{
	size_t len = 0;
	uint64_t unknown = 0;
	bool first = true;

	if (cap)
		buf[0] = '\0';
	for (unsigned i = 0; i < 64; i++) {
		uint64_t bit = UINT64_C(1) << i;

		if (!(bits & bit))
			continue;
		if (i >= n) {
			unknown |= bit;
			continue;
		}
		if (!first)
			append(buf, cap, &len, ", ");
		append(buf, cap, &len, names[i]);
		first = false;
	}
	if (unknown) {
		char hex[24];

		snprintf(hex, sizeof(hex), "0x%" PRIx64, unknown);
		if (!first)
			append(buf, cap, &len, ", ");
		append(buf, cap, &len, hex);
	}
	return len;
}

size_t cephc_rbd_features_format(uint64_t features, char *buf, size_t cap)
{
	return format_bits(feature_names, N_NAMES(feature_names), features, buf,
			   cap);
}

size_t cephc_rbd_op_features_format(uint64_t op_features, char *buf, size_t cap)
{
	return format_bits(op_feature_names, N_NAMES(op_feature_names),
			   op_features, buf, cap);
}

/* Trims blanks at both ends of [*s, *e). */
static void trim(const char **s, const char **e)
{
	while (*s < *e && (**s == ' ' || **s == '\t'))
		(*s)++;
	while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t'))
		(*e)--;
}

int cephc_rbd_features_parse_conf(const char *value, uint64_t *out)
{
	const char *s = value ? value : "", *e = s + strlen(s);
	uint64_t features = 0;

	trim(&s, &e);
	if (s == e) { /* empty: the built-in default */
		*out = CEPHC_RBD_FEATURES_DEFAULT;
		return 0;
	}
	if (*s >= '0' && *s <= '9') {
		char *end;
		unsigned long long v = strtoull(s, &end, 10);

		/* unknown or internal bits: a parse error (live, 16.2.15) */
		if (end != e || (v & ~CEPHC_RBD_FEATURES_ALL) ||
		    (v & CEPHC_RBD_FEATURES_INTERNAL))
			return -1;
		*out = (uint64_t)v;
		return 0;
	}
	while (s < e) {
		const char *comma = memchr(s, ',', (size_t)(e - s));
		const char *ne = comma ? comma : e, *ns = s;
		char name[32];
		uint64_t bit;

		trim(&ns, &ne);
		if ((size_t)(ne - ns) >= sizeof(name))
			return -1;
		memcpy(name, ns, (size_t)(ne - ns));
		name[ne - ns] = '\0';
		bit = cephc_rbd_feature_from_name(name);
		if (!bit)
			return -1;
		features |= bit;
		s = comma ? comma + 1 : e;
	}
	*out = features;
	return 0;
}
