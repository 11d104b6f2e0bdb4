/* SPDX-License-Identifier: MIT */
/* RBD feature names, in bit order, as `rbd info` prints them. */
#include "rbd/rbd_features.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
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
