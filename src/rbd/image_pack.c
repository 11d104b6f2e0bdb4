/* SPDX-License-Identifier: MIT */
#include "rbd/image_pack.h"

#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"

int rbd_strvec_push(struct rbd_strvec *sv, const char *s)
{
	char *copy;

	if (sv->n == sv->cap) {
		size_t nc = sv->cap ? sv->cap * 2 : 16;
		char **nv = cephc_realloc(sv->v, nc * sizeof(*nv));

		if (!nv)
			return CEPHC_ENOMEM;
		sv->v = nv;
		sv->cap = nc;
	}
	copy = cephc_strdup(s ? s : "");
	if (!copy)
		return CEPHC_ENOMEM;
	sv->v[sv->n++] = copy;
	return 0;
}

void rbd_strvec_clear(struct rbd_strvec *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		cephc_free(sv->v[i]);
	cephc_free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

/* Room for n records of rec bytes and the strings of k vectors. */
static void *pack_alloc(size_t n, size_t rec, const struct rbd_strvec *const *k,
			unsigned nk, char **strs)
{
	size_t bytes = 1;
	uint8_t *p;

	for (unsigned j = 0; j < nk; j++)
		for (size_t i = 0; i < k[j]->n; i++)
			bytes += strlen(k[j]->v[i]) + 1;
	p = cephc_malloc(n * rec + bytes);
	if (p)
		*strs = (char *)(p + n * rec);
	return p;
}

static const char *pack_str(char **cur, const char *s)
{
	size_t l = strlen(s) + 1;
	char *r = *cur;

	memcpy(r, s, l);
	*cur += l;
	return r;
}

int rbd_strvec_pack(const struct rbd_strvec *sv, char ***out, size_t *count)
{
	const struct rbd_strvec *k[] = {sv};
	char *cur;
	char **v = pack_alloc(sv->n + 1, sizeof(*v), k, 1, &cur);

	if (!v)
		return CEPHC_ENOMEM;
	for (size_t i = 0; i < sv->n; i++)
		v[i] = (char *)pack_str(&cur, sv->v[i]);
	v[sv->n] = NULL;
	*out = v;
	*count = sv->n;
	return 0;
}

int rbd_pack_specs(const struct rbd_strvec *ids, const struct rbd_strvec *names,
		   struct cephc_rbd_image_spec **out, size_t *count)
{
	const struct rbd_strvec *k[] = {ids, names};
	struct cephc_rbd_image_spec *v;
	char *cur;

	if (ids->n != names->n)
		return CEPHC_EINVAL;
	v = pack_alloc(ids->n, sizeof(*v), k, 2, &cur);
	if (!v)
		return CEPHC_ENOMEM;
	for (size_t i = 0; i < ids->n; i++) {
		v[i].id = pack_str(&cur, ids->v[i]);
		v[i].name = pack_str(&cur, names->v[i]);
	}
	*out = v;
	*count = ids->n;
	return 0;
}

int rbd_pack_trash(const struct cephc_rbd_trash_list *tl,
		   struct cephc_rbd_trash_info **out, size_t *count)
{
	struct rbd_strvec strs = {0};
	const struct rbd_strvec *k[] = {&strs};
	struct cephc_rbd_trash_info *v = NULL;
	char *cur;
	int ret = 0;

	for (uint32_t i = 0; !ret && i < tl->count; i++) {
		ret = rbd_strvec_push(&strs, tl->items[i].id);
		if (!ret)
			ret = rbd_strvec_push(&strs, tl->items[i].spec.name);
	}
	if (!ret) {
		v = pack_alloc(tl->count, sizeof(*v), k, 1, &cur);
		if (!v)
			ret = CEPHC_ENOMEM;
	}
	for (uint32_t i = 0; !ret && i < tl->count; i++) {
		const struct cephc_rbd_trash_spec *s = &tl->items[i].spec;

		v[i].id = pack_str(&cur, strs.v[2 * i]);
		v[i].name = pack_str(&cur, strs.v[2 * i + 1]);
		v[i].source = s->source;
		v[i].state = s->state;
		v[i].deletion_sec = s->deletion_time.sec;
		v[i].deferment_end_sec = s->deferment_end_time.sec;
	}
	rbd_strvec_clear(&strs);
	if (!ret) {
		*out = v;
		*count = tl->count;
	}
	return ret;
}
