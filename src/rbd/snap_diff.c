/* SPDX-License-Identifier: MIT */
/*
 * Snap-set and object-map diffs (layer 0, pure): see snap_diff.h.
 */
#include "rbd/snap_diff.h"

#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/decode.h"
#include "rbd/cls_rbd.h"

/* ---- interval sets ------------------------------------------------------ */

void rbd_ivset_init(struct rbd_ivset *s)
{
	memset(s, 0, sizeof(*s));
}

void rbd_ivset_free(struct rbd_ivset *s)
{
	cephc_free(s->v);
	rbd_ivset_init(s);
}

static int ivset_room(struct rbd_ivset *s, uint32_t need)
{
	struct rbd_ext *v;
	uint32_t cap;

	if (need <= s->cap)
		return 0;
	if (need > RBD_IVSET_MAX)
		return CEPHC_ETOOBIG;
	cap = s->cap ? s->cap * 2 : 8;
	if (cap < need)
		cap = need;
	v = cephc_realloc(s->v, (size_t)cap * sizeof(*v));
	if (!v)
		return CEPHC_ENOMEM;
	s->v = v;
	s->cap = cap;
	return 0;
}

int rbd_ivset_insert(struct rbd_ivset *s, uint64_t off, uint64_t len)
{
	uint64_t end = off + len;
	uint32_t i = 0, j;
	int ret;

	if (!len)
		return 0;
	/* first range that ends at or after off (touching merges) */
	while (i < s->n && s->v[i].off + s->v[i].len < off)
		i++;
	/* ranges [i, j) overlap or touch [off, end) */
	for (j = i; j < s->n && s->v[j].off <= end; j++) {
		uint64_t e = s->v[j].off + s->v[j].len;

		if (s->v[j].off < off)
			off = s->v[j].off;
		if (e > end)
			end = e;
	}
	if (j == i) {
		ret = ivset_room(s, s->n + 1);
		if (ret)
			return ret;
		memmove(&s->v[i + 1], &s->v[i], (s->n - i) * sizeof(s->v[0]));
		s->n++;
	} else if (j > i + 1) {
		memmove(&s->v[i + 1], &s->v[j], (s->n - j) * sizeof(s->v[0]));
		s->n -= j - i - 1;
	}
	s->v[i].off = off;
	s->v[i].len = end - off;
	return 0;
}

int rbd_ivset_erase(struct rbd_ivset *s, uint64_t off, uint64_t len)
{
	uint64_t end = off + len;
	int ret;

	if (!len)
		return 0;
	for (uint32_t i = 0; i < s->n; i++) {
		uint64_t a = s->v[i].off, b = a + s->v[i].len;

		if (b <= off)
			continue;
		if (a >= end)
			break;
		if (a < off && b > end) {
			/* split in two */
			ret = ivset_room(s, s->n + 1);
			if (ret)
				return ret;
			memmove(&s->v[i + 1], &s->v[i],
				(s->n - i) * sizeof(s->v[0]));
			s->n++;
			s->v[i].len = off - a;
			s->v[i + 1].off = end;
			s->v[i + 1].len = b - end;
			return 0;
		}
		if (a < off) {
			s->v[i].len = off - a;
		} else if (b > end) {
			s->v[i].off = end;
			s->v[i].len = b - end;
		} else {
			memmove(&s->v[i], &s->v[i + 1],
				(s->n - i - 1) * sizeof(s->v[0]));
			s->n--;
			i--;
		}
	}
	return 0;
}

int rbd_ivset_union(struct rbd_ivset *s, const struct rbd_ivset *o)
{
	int ret = 0;

	for (uint32_t i = 0; !ret && i < o->n; i++)
		ret = rbd_ivset_insert(s, o->v[i].off, o->v[i].len);
	return ret;
}

int rbd_ivset_copy(struct rbd_ivset *dst, const struct rbd_ivset *src)
{
	int ret = ivset_room(dst, src->n);

	if (ret)
		return ret;
	if (src->n)
		memcpy(dst->v, src->v, src->n * sizeof(src->v[0]));
	dst->n = src->n;
	return 0;
}

/* ---- LIST_SNAPS reply --------------------------------------------------- */

void rbd_snapset_free(struct rbd_snapset *ss)
{
	for (uint32_t i = 0; ss->clones && i < ss->n; i++)
		cephc_free(ss->clones[i].overlap);
	cephc_free(ss->clones);
	memset(ss, 0, sizeof(*ss));
}

static int clone_decode(struct cephc_dec *d, struct rbd_snapset_clone *c)
{
	struct cephc_dec ci;
	uint8_t v;

	if (dec_envelope(d, 1, &v, &ci))
		return d->err;
	c->cloneid = dec_le64(&ci);
	c->nsnaps = dec_count(&ci, CEPHC_RBD_SNAPS_MAX, 8);
	for (uint32_t j = 0; j < c->nsnaps && !ci.err; j++) {
		uint64_t s = dec_le64(&ci);

		if (j == 0)
			c->first = s;
		c->last = s;
	}
	c->noverlap = dec_count(&ci, RBD_IVSET_MAX, 16);
	if (!ci.err && c->noverlap) {
		c->overlap =
		    cephc_malloc_array(c->noverlap, sizeof(*c->overlap));
		if (!c->overlap)
			return CEPHC_ENOMEM;
	}
	for (uint32_t j = 0; j < c->noverlap && !ci.err; j++) {
		c->overlap[j].off = dec_le64(&ci);
		c->overlap[j].len = dec_le64(&ci);
	}
	c->size = dec_le64(&ci);
	return dec_envelope_end(d, &ci);
}

int rbd_snapset_decode(const void *buf, size_t len, struct rbd_snapset *out)
{
	struct cephc_dec d, body;
	uint8_t v = 0;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	dec_init(&d, buf, len);
	if (dec_envelope(&d, 2, &v, &body))
		return d.err;
	/* a clone_info is at least 30 bytes (envelope + 3 fields + 2 counts) */
	out->n = dec_count(&body, CEPHC_RBD_SNAPSET_CLONES_MAX, 30);
	if (body.err)
		return dec_envelope_end(&d, &body);
	if (out->n) {
		out->clones = cephc_calloc(out->n, sizeof(*out->clones));
		if (!out->clones) {
			out->n = 0;
			return CEPHC_ENOMEM;
		}
	}
	for (uint32_t i = 0; !ret && i < out->n; i++)
		ret = clone_decode(&body, &out->clones[i]);
	if (!ret && v >= 2)
		out->seq = dec_le64(&body);
	if (!ret)
		ret = dec_envelope_end(&d, &body);
	if (ret)
		rbd_snapset_free(out);
	return ret;
}

/* ---- snap-set diff ------------------------------------------------------ */

int rbd_snapset_diff(const struct rbd_snapset *ss, uint64_t start, uint64_t end,
		     struct rbd_ivset *diff, uint64_t *end_size,
		     bool *end_exists, bool *whole_object)
{
	struct rbd_ivset next;
	bool saw_start = false;
	uint64_t start_size = 0;
	uint32_t r = 0;
	int ret = 0;

	rbd_ivset_reset(diff);
	*end_size = 0;
	*end_exists = false;
	*whole_object = false;
	rbd_ivset_init(&next);
	while (r < ss->n) {
		const struct rbd_snapset_clone *c = &ss->clones[r];
		uint64_t a, b, max_size;

		/* HEAD stands for every snapshot after the set's seq */
		if (c->cloneid == CEPHC_RBD_NOSNAP) {
			a = ss->seq + 1;
			b = CEPHC_RBD_NOSNAP;
		} else if (!c->nsnaps) {
			rbd_ivset_reset(diff);
			*whole_object = true;
			break;
		} else {
			a = c->first;
			b = c->last;
		}
		if (b < start) {
			r++;
			continue;
		}
		if (!saw_start) {
			/* absent at start: all of it is new */
			if (start < a)
				ret = rbd_ivset_insert(diff, 0, c->size);
			else
				start_size = c->size;
			if (ret)
				break;
			saw_start = true;
		}
		if (end < a)
			break;
		if (end <= b) {
			*end_size = c->size;
			*end_exists = true;
			goto out;
		}
		/*
		 * What the next version does not share with this one, up to
		 * the larger of the two sizes.  (16.2 keeps a shrink's tail
		 * in the diff; later releases drop it.)
		 */
		max_size = c->size;
		r++;
		if (r < ss->n && ss->clones[r].size > max_size)
			max_size = ss->clones[r].size;
		rbd_ivset_reset(&next);
		ret = rbd_ivset_insert(&next, 0, max_size);
		for (uint32_t k = 0; !ret && k < c->noverlap; k++)
			ret = rbd_ivset_erase(&next, c->overlap[k].off,
					      c->overlap[k].len);
		if (!ret)
			ret = rbd_ivset_union(diff, &next);
		if (ret)
			goto out;
	}
	/* absent at end (past it, or no version left): everything start
	 * had is gone */
	if (!*whole_object && !ret) {
		rbd_ivset_reset(diff);
		ret = rbd_ivset_insert(diff, 0, start_size);
	}
out:
	rbd_ivset_free(&next);
	return ret;
}

int rbd_object_delta(const struct rbd_snapset *ss, uint64_t from, uint64_t end,
		     uint64_t object_size, bool whole, struct rbd_ivset *data,
		     struct rbd_ivset *zero)
{
	uint64_t prev_end_size = 0, end_size;
	bool exists, whole_object;
	int ret;

	rbd_ivset_reset(data);
	rbd_ivset_reset(zero);
	if (!ss)
		return 0;
	if (from) {
		/* the size at from: a shrink since then reads as zeros */
		ret = rbd_snapset_diff(ss, 0, from, data, &prev_end_size,
				       &exists, &whole_object);
		if (ret)
			return ret;
		if (whole_object)
			prev_end_size = object_size;
	}
	ret = rbd_snapset_diff(ss, from, end, data, &end_size, &exists,
			       &whole_object);
	if (ret)
		return ret;
	if (whole_object) {
		rbd_ivset_reset(data);
		ret = rbd_ivset_insert(data, 0, object_size);
		exists = true;
		end_size = object_size;
	} else if (whole && data->n) {
		rbd_ivset_reset(data);
		ret = rbd_ivset_insert(data, 0, object_size);
	}
	if (!ret && end_size < prev_end_size) {
		ret =
		    rbd_ivset_insert(zero, end_size, prev_end_size - end_size);
		if (!ret)
			ret = rbd_ivset_erase(data, end_size,
					      prev_end_size - end_size);
	}
	if (!ret && !exists) {
		ret = rbd_ivset_union(zero, data);
		rbd_ivset_reset(data);
	}
	return ret;
}

/* ---- fast-diff fold ----------------------------------------------------- */

void rbd_diff_fold(uint8_t *diff, uint64_t *ndiff, const uint8_t *states,
		   uint64_t count, bool first, bool last)
{
	uint64_t overlap = *ndiff < count ? *ndiff : count;
	uint64_t i;

	for (i = 0; i < overlap; i++) {
		uint8_t st = states[i];
		bool none = st == CEPHC_RBD_OBJECT_NONEXISTENT;

		switch (diff[i]) {
		case RBD_DIFF_HOLE:
			/* a hole stays one through the snapshots in between:
			 * only the end version decides */
			if (!none && last)
				diff[i] = RBD_DIFF_DATA_UPDATED;
			break;
		case RBD_DIFF_DATA:
			if (none)
				diff[i] = RBD_DIFF_HOLE_UPDATED;
			else if (st != CEPHC_RBD_OBJECT_EXISTS_CLEAN)
				diff[i] = RBD_DIFF_DATA_UPDATED;
			break;
		case RBD_DIFF_HOLE_UPDATED:
			if (!none)
				diff[i] = RBD_DIFF_DATA_UPDATED;
			break;
		default: /* DATA_UPDATED */
			if (none)
				diff[i] = RBD_DIFF_HOLE_UPDATED;
			break;
		}
	}
	/* objects the previous version did not have (or the first map) */
	for (; i < count; i++) {
		uint8_t st = states[i];

		if (st == CEPHC_RBD_OBJECT_NONEXISTENT)
			diff[i] = RBD_DIFF_HOLE;
		else if (!first)
			diff[i] = last ? RBD_DIFF_DATA_UPDATED : RBD_DIFF_HOLE;
		else
			diff[i] = st == CEPHC_RBD_OBJECT_PENDING
				      ? RBD_DIFF_DATA_UPDATED
				      : RBD_DIFF_DATA;
	}
	*ndiff = count;
}
