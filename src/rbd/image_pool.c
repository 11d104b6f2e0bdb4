/* SPDX-License-Identifier: MIT */
/*
 * Pool-level RBD management: the namespace registry and image listing, as
 * Pacific's librbd does them (api/Namespace.cc, api/Image.cc list_images).
 *
 * Objects involved, all in the pool:
 *   rbd_namespace              (default namespace) omap registry of names
 *   <ns>/rbd_directory         omap name <-> id of format 2 images, plus a
 *                              state (READY, ADD_DISABLED); its object data
 *                              lists format 1 images (default ns only)
 *   <ns>/rbd_trash             trash entries (image_trash.c)
 */
#include <stdlib.h>
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "rbd/image.h"
#include "rbd/image_pack.h"

/* Largest format 1 directory (tmap) we read. */
#define RBD_V1_DIR_MAX RBD_CALL_OUT_MAX

/* The pool objects a namespace may hold that removing it deletes. */
static const char *const ns_pool_objects[] = {
    "rbd_children", "rbd_group_directory", "rbd_info",          "rbd_mirroring",
    "rbd_task",     CEPHC_RBD_TRASH,       CEPHC_RBD_DIRECTORY,
};

/* The default namespace of l: where the registry lives. */
static struct rbd_loc default_ns(const struct rbd_loc *l)
{
	struct rbd_loc d = *l;

	d.ns = "";
	return d;
}

static int dir_state_call(const struct rbd_loc *l, const char *method,
			  uint8_t state)
{
	uint8_t b[1];
	struct cephc_enc e;
	int ret;

	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_dir_state(&e, state);
	return ret ? ret
		   : rbd_call(l, CEPHC_RBD_DIRECTORY, method, b, enc_len(&e),
			      true, NULL, NULL);
}

static int namespace_call(const struct rbd_loc *l, const char *method,
			  const char *ns)
{
	struct rbd_loc d = default_ns(l);
	uint8_t b[CEPHC_RBD_ENC_MAX];
	struct cephc_enc e;
	int ret;

	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_namespace_name(&e, ns);
	return ret ? ret
		   : rbd_call(&d, CEPHC_RBD_NAMESPACE_OBJECT, method, b,
			      enc_len(&e), true, NULL, NULL);
}

int cephc_rbd_namespace_create(cephc_cluster *c, const char *pool,
			       const char *nspace)
{
	struct rbd_loc l;
	int ret;

	if (!c || !pool || !nspace)
		return CEPHC_EINVAL;
	if (!*nspace)
		return CEPHC_EINVAL;
	ret = rbd_loc_open(c, pool, nspace, &l);
	if (ret)
		return ret;
	/* Register, then make the namespace's directory READY (16.2.15
	 * creates nothing else); undo the registration on failure. */
	ret = namespace_call(&l, "namespace_add", nspace);
	if (!ret) {
		ret = dir_state_call(&l, "dir_state_set",
				     CEPHC_RBD_DIR_STATE_READY);
		if (ret) {
			rbd_delete_object(&l, CEPHC_RBD_DIRECTORY);
			namespace_call(&l, "namespace_remove", nspace);
		}
	}
	rbd_loc_close(&l);
	return ret;
}

/* Whether the trash of l holds any entry. */
static int trash_has_entries(const struct rbd_loc *l, bool *any)
{
	struct cephc_rbd_trash_list tl = {0};
	uint8_t b[CEPHC_RBD_ENC_MAX];
	struct cephc_enc e;
	int ret;

	*any = false;
	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_trash_list(&e, "", 1);
	if (!ret)
		ret = rbd_call(l, CEPHC_RBD_TRASH, "trash_list", b, enc_len(&e),
			       false, rbd_reply_trash_list, &tl);
	if (ret == CEPHC_ENOENT)
		return 0;
	*any = tl.count > 0;
	cephc_rbd_trash_list_clear(&tl);
	return ret;
}

int cephc_rbd_namespace_remove(cephc_cluster *c, const char *pool,
			       const char *nspace)
{
	struct cephc_osd_ops ops;
	struct rbd_loc l;
	uint8_t b[1];
	struct cephc_enc e;
	bool busy = false;
	int ret;

	if (!c || !pool || !nspace || !*nspace)
		return CEPHC_EINVAL;
	ret = rbd_loc_open(c, pool, nspace, &l);
	if (ret)
		return ret;
	/*
	 * Refuse new images and delete the directory in one request: cls
	 * answers EBUSY while it still lists images.
	 */
	cephc_osd_ops_init(&ops);
	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_dir_state(&e, CEPHC_RBD_DIR_STATE_ADD_DISABLED);
	if (!ret)
		ret = rbd_op_call(&ops, "dir_state_set", b, enc_len(&e), true);
	if (!ret)
		ret = cephc_osd_op_delete(cephc_osd_ops_add(&ops));
	if (!ret)
		ret = rbd_exec_ops(&l, CEPHC_RBD_DIRECTORY, &ops);
	else
		cephc_osd_ops_release(&ops);
	if (ret == CEPHC_EBUSY)
		busy = true;
	else if (ret && ret != CEPHC_ENOENT)
		goto out;
	if (!busy) {
		ret = trash_has_entries(&l, &busy);
		if (ret)
			goto out;
	}
	if (busy) {
		/* librbd puts the directory back to READY and says EBUSY */
		dir_state_call(&l, "dir_state_set", CEPHC_RBD_DIR_STATE_READY);
		rbd_set_err("namespace '%s' still holds images", nspace);
		ret = CEPHC_EBUSY;
		goto out;
	}
	for (size_t i = 0;
	     !ret && i < sizeof(ns_pool_objects) / sizeof(ns_pool_objects[0]);
	     i++)
		ret = rbd_delete_object(&l, ns_pool_objects[i]);
	if (!ret)
		ret = namespace_call(&l, "namespace_remove", nspace);
out:
	rbd_loc_close(&l);
	return ret;
}

int cephc_rbd_namespace_exists(cephc_cluster *c, const char *pool,
			       const char *nspace, bool *exists)
{
	struct rbd_loc l;
	int ret;

	if (!c || !pool || !nspace || !exists || !*nspace)
		return CEPHC_EINVAL;
	*exists = false;
	ret = rbd_loc_open(c, pool, nspace, &l);
	if (ret)
		return ret;
	ret = dir_state_call(&l, "dir_state_assert", CEPHC_RBD_DIR_STATE_READY);
	*exists = ret == 0;
	if (ret == CEPHC_ENOENT)
		ret = 0;
	rbd_loc_close(&l);
	return ret;
}

static int ns_list_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_namespace_list(p, len, arg);
}

int cephc_rbd_namespace_list(cephc_cluster *c, const char *pool, char ***names,
			     size_t *count)
{
	struct rbd_strvec all = {0};
	struct rbd_loc l;
	int ret;

	if (!c || !pool || !names || !count)
		return CEPHC_EINVAL;
	ret = rbd_loc_open(c, pool, NULL, &l);
	if (ret)
		return ret;
	for (;;) {
		struct cephc_rbd_str_list page = {0};
		uint8_t b[CEPHC_RBD_ENC_MAX];
		struct cephc_enc e;
		uint32_t got;

		enc_init(&e, b, sizeof(b));
		ret = cephc_rbd_enc_namespace_list(
		    &e, all.n ? all.v[all.n - 1] : "", RBD_LIST_PAGE);
		if (!ret)
			ret = rbd_call(&l, CEPHC_RBD_NAMESPACE_OBJECT,
				       "namespace_list", b, enc_len(&e), false,
				       ns_list_reply, &page);
		if (ret == CEPHC_ENOENT) /* no registry: no namespaces */
			ret = 0;
		got = page.count;
		for (uint32_t i = 0; !ret && i < got; i++)
			ret = rbd_strvec_push(&all, page.items[i]);
		cephc_rbd_str_list_clear(&page);
		if (ret || got < RBD_LIST_PAGE)
			break;
	}
	rbd_loc_close(&l);
	if (!ret)
		ret = rbd_strvec_pack(&all, names, count);
	rbd_strvec_clear(&all);
	return ret;
}

/* ---- image list --------------------------------------------------------- */

static int dir_list_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_dir_list(p, len, arg);
}

/* Format 1 names from the rbd_directory data (a missing object: none). */
static int list_v1(const struct rbd_loc *l, struct rbd_strvec *ids,
		   struct rbd_strvec *names)
{
	struct cephc_rbd_str_list v1 = {0};
	struct cephc_osd_ops ops;
	struct cephc_osdc_req req;
	int ret;

	cephc_osd_ops_init(&ops);
	ret = cephc_osd_op_read(cephc_osd_ops_add(&ops), 0, RBD_V1_DIR_MAX,
				NULL, 0);
	if (!ret) {
		rbd_req_setup(&req, &ops, l, CEPHC_RBD_DIRECTORY);
		ret = rbd_osd_exec(l->osd, &req);
	}
	if (!ret)
		ret = cephc_rbd_dec_v1_directory(
		    ops.ops[0].op_outdata, ops.ops[0].op_outdata_len, &v1);
	cephc_osd_ops_release(&ops);
	for (uint32_t i = 0; !ret && i < v1.count; i++) {
		ret = rbd_strvec_push(ids, "");
		if (!ret)
			ret = rbd_strvec_push(names, v1.items[i]);
	}
	cephc_rbd_str_list_clear(&v1);
	return ret == CEPHC_ENOENT ? 0 : ret;
}

/* Format 2 images from the directory's omap, by name. */
static int list_v2(const struct rbd_loc *l, struct rbd_strvec *ids,
		   struct rbd_strvec *names)
{
	const char *after = "";
	size_t first = names->n;
	int ret;

	for (;;) {
		struct cephc_rbd_kv_list page = {0};
		uint8_t b[CEPHC_RBD_ENC_MAX];
		struct cephc_enc e;
		uint32_t got;

		enc_init(&e, b, sizeof(b));
		ret = cephc_rbd_enc_dir_list(&e, after, RBD_LIST_PAGE);
		if (!ret)
			ret =
			    rbd_call(l, CEPHC_RBD_DIRECTORY, "dir_list", b,
				     enc_len(&e), false, dir_list_reply, &page);
		if (ret == CEPHC_ENOENT) /* no directory: no images */
			ret = 0;
		got = page.count;
		for (uint32_t i = 0; !ret && i < got; i++) {
			ret = rbd_strvec_push(ids, page.items[i].value);
			if (!ret)
				ret = rbd_strvec_push(names, page.items[i].key);
		}
		cephc_rbd_kv_list_clear(&page);
		if (ret || got < RBD_LIST_PAGE)
			return ret;
		after = names->n > first ? names->v[names->n - 1] : "";
	}
}

int cephc_rbd_list_ns(cephc_cluster *c, const char *pool, const char *nspace,
		      struct cephc_rbd_image_spec **specs, size_t *count)
{
	struct rbd_strvec ids = {0}, names = {0};
	struct cephc_rbd_trash_list tl = {0};
	struct rbd_loc l;
	int ret;

	if (!c || !pool || !specs || !count)
		return CEPHC_EINVAL;
	ret = rbd_loc_open(c, pool, nspace, &l);
	if (ret)
		return ret;
	/* format 1 images exist only in the default namespace */
	if (!*l.ns)
		ret = list_v1(&l, &ids, &names);
	if (!ret)
		ret = list_v2(&l, &ids, &names);
	/* then images whose removal started and did not finish */
	if (!ret)
		ret = rbd_trash_list_all(&l, &tl);
	for (uint32_t i = 0; !ret && i < tl.count; i++) {
		if (tl.items[i].spec.source != CEPHC_RBD_TRASH_SOURCE_REMOVING)
			continue;
		ret = rbd_strvec_push(&ids, tl.items[i].id);
		if (!ret)
			ret = rbd_strvec_push(&names, tl.items[i].spec.name);
	}
	cephc_rbd_trash_list_clear(&tl);
	rbd_loc_close(&l);
	if (!ret)
		ret = rbd_pack_specs(&ids, &names, specs, count);
	rbd_strvec_clear(&ids);
	rbd_strvec_clear(&names);
	return ret;
}

int cephc_rbd_list(cephc_cluster *c, const char *pool, char ***names,
		   size_t *count)
{
	struct cephc_rbd_image_spec *specs;
	struct rbd_strvec v = {0};
	size_t n;
	int ret;

	if (!names || !count)
		return CEPHC_EINVAL;
	ret = cephc_rbd_list_ns(c, pool, NULL, &specs, &n);
	if (ret)
		return ret;
	for (size_t i = 0; !ret && i < n; i++)
		ret = rbd_strvec_push(&v, specs[i].name);
	cephc_buffer_free(specs);
	if (!ret)
		ret = rbd_strvec_pack(&v, names, count);
	rbd_strvec_clear(&v);
	return ret;
}
