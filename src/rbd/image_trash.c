/* SPDX-License-Identifier: MIT */
/*
 * The trash and image removal, following Pacific's librbd (api/Trash.cc,
 * trash/MoveRequest, image/PreRemoveRequest, image/RemoveRequest):
 *
 *   remove(name) = check (exclusive lock, watchers, snapshots, group)
 *                  + move to the trash with source REMOVING
 *                  + trash remove(id)
 *   move         = trash_add(id, {source, name, now, now + delay, MOVING}),
 *                  delete rbd_id.<name>, dir_remove_image, state NORMAL
 *   trash remove = state REMOVING, delete data objects, header, object
 *                  maps, then the trash entry (state back to NORMAL when
 *                  it fails, so `rbd trash rm` can retry)
 *
 * The trash entry is what makes a removal restartable: until the last step
 * the image still shows in `rbd ls` (a REMOVING entry) and `rbd trash rm`
 * finishes it.  librbd also notifies watchers of rbd_trash (rbd-mirror,
 * the mgr's trash purge schedule); cephc does not.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "rbd/image.h"
#include "rbd/image_pack.h"
#include "rbd/image_snap_ops.h"

#define SUBSYS "rbd"
/* Concurrent deletes while removing an image. */
#define RBD_REMOVE_WINDOW 64

static struct cephc_rbd_time now_time(void)
{
	struct timespec ts;
	struct cephc_rbd_time t;

	clock_gettime(CLOCK_REALTIME, &ts);
	t.sec = (uint32_t)ts.tv_sec;
	t.nsec = (uint32_t)ts.tv_nsec;
	return t;
}

/* ---- removal checks and deletion --------------------------------------- */

static int group_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_image_group_get(p, len, arg);
}

/*
 * librbd's PreRemoveRequest: exclusive lock (when the image has one), no
 * snapshots, no other watcher, not in a group.  Features cephc cannot
 * remove correctly are refused before anything changes.
 */
static int check_removable(struct cephc_rbd_image *img)
{
	const struct cephc_rbd_image_meta *m = &img->meta;
	unsigned others;
	int64_t group_pool = CEPHC_RBD_POOL_NONE;
	int ret;

	if (m->features & CEPHC_RBD_FEATURE_JOURNALING) {
		rbd_set_err("removing journaling images is not supported");
		return CEPHC_EOPNOTSUPP;
	}
	if (m->features & CEPHC_RBD_FEATURE_MIGRATING) {
		rbd_set_err("image is being migrated");
		return CEPHC_EBUSY;
	}
	if (m->features & CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK) {
		ret = rbd_image_acquire_lock(img);
		if (ret)
			return ret;
	}
	if (m->num_snaps) {
		rbd_set_err("image has snapshots - these must be deleted with "
			    "'rbd snap purge' before the image can be removed");
		return CEPHC_ENOTEMPTY;
	}
	ret = rbd_image_other_watchers(img, &others);
	if (!ret && others) {
		rbd_set_err("image still has watchers");
		return CEPHC_EBUSY;
	}
	if (!ret)
		ret = rbd_image_call(img, img->header_oid, "image_group_get",
				     NULL, 0, false, group_reply, &group_pool);
	if (ret == CEPHC_EOPNOTSUPP)
		ret = 0;
	if (!ret && group_pool != CEPHC_RBD_POOL_NONE) {
		rbd_set_err("image is in a group");
		return -EMLINK;
	}
	return ret;
}

/* Delete data objects [0, count) of the image, a window at a time. */
static int delete_data(struct cephc_rbd_image *img, uint64_t count)
{
	struct {
		struct cephc_osdc_req req;
		struct cephc_osd_ops ops;
		char oid[RBD_OID_MAX];
	} * slots;
	struct cephc_osdc_req *reqs[RBD_REMOVE_WINDOW];
	struct rbd_loc dl = {img->osd, img->data_pool, img->nspace};
	int ret = 0;

	slots = cephc_calloc(RBD_REMOVE_WINDOW, sizeof(*slots));
	if (!slots)
		return CEPHC_ENOMEM;
	for (uint64_t base = 0; base < count && !ret;
	     base += RBD_REMOVE_WINDOW) {
		unsigned n = 0;

		for (; n < RBD_REMOVE_WINDOW && base + n < count; n++) {
			cephc_rbd_data_object_name(img->meta.object_prefix,
						   base + n, slots[n].oid,
						   sizeof(slots[n].oid));
			cephc_osd_ops_init(&slots[n].ops);
			cephc_osd_op_delete(cephc_osd_ops_add(&slots[n].ops));
			rbd_req_setup(&slots[n].req, &slots[n].ops, &dl,
				      slots[n].oid);
			/* Deletes carry the snap context like librbd's. */
			slots[n].req.snap_seq = img->meta.snap_seq;
			reqs[n] = &slots[n].req;
		}
		ret = rbd_osd_exec_many(img->osd, reqs, n);
		for (unsigned i = 0; i < n && !ret; i++)
			if (reqs[i]->result && reqs[i]->result != CEPHC_ENOENT)
				ret = reqs[i]->result;
		for (unsigned i = 0; i < n; i++)
			cephc_osd_ops_release(&slots[i].ops);
	}
	cephc_free(slots);
	return ret;
}

/*
 * Delete what is left of a checked image: data objects, then (lock
 * released, watch dropped) the header and the object maps.
 */
static int delete_image(struct cephc_rbd_image *img)
{
	struct rbd_loc l = rbd_image_loc(img);
	char oid[RBD_OID_MAX];
	int ret;

	ret = delete_data(
	    img, cephc_striper_num_objects(&img->layout, img->meta.size));
	if (!ret)
		ret = rbd_detach_child(img, &img->meta.parent);
	if (ret)
		return ret;
	rbd_image_release_lock(img);
	rbd_image_watch_stop(img);
	ret = rbd_delete_object(&l, img->header_oid);
	if (!ret) {
		cephc_rbd_object_map_name(img->meta.id, CEPHC_RBD_NOSNAP, oid,
					  sizeof(oid));
		ret = rbd_delete_object(&l, oid);
	}
	return ret;
}

/* ---- trash -------------------------------------------------------------- */

static int trash_state(const struct rbd_loc *l, const char *id, uint8_t state,
		       uint8_t expect)
{
	uint8_t b[CEPHC_RBD_ENC_MAX];
	struct cephc_enc e;
	int ret;

	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_trash_state_set(&e, id, state, expect);
	return ret ? ret
		   : rbd_call(l, CEPHC_RBD_TRASH, "trash_state_set", b,
			      enc_len(&e), true, NULL, NULL);
}

static int trash_by_id(const struct rbd_loc *l, const char *method,
		       const char *id, rbd_reply_fn fn, void *arg)
{
	uint8_t b[CEPHC_RBD_ENC_MAX];
	struct cephc_enc e;
	int ret;

	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_trash_id(&e, id);
	return ret ? ret
		   : rbd_call(l, CEPHC_RBD_TRASH, method, b, enc_len(&e),
			      strcmp(method, "trash_get") != 0, fn, arg);
}

static int trash_get_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_trash_get(p, len, arg);
}

/*
 * Take a fetched trash entry into state `to` (REMOVING, RESTORING) from
 * NORMAL.  An entry already in `to` (an interrupted earlier attempt) is
 * taken over; any other state means someone else is at work (EBUSY).
 */
static int trash_claim(const struct rbd_loc *l, const char *id,
		       const struct cephc_rbd_trash_spec *spec, uint8_t to,
		       const char *busy)
{
	int ret;

	if (spec->state != CEPHC_RBD_TRASH_STATE_NORMAL && spec->state != to) {
		rbd_set_err("%s", busy);
		return CEPHC_EBUSY;
	}
	ret = trash_state(l, id, to, CEPHC_RBD_TRASH_STATE_NORMAL);
	return ret == -ESTALE && spec->state == to ? 0 : ret;
}

/* Move image (name, id) into the trash: librbd's trash::MoveRequest. */
static int trash_move_image(const struct rbd_loc *l, const char *name,
			    const char *id, uint8_t source, uint32_t delay)
{
	struct cephc_rbd_trash_spec spec = {
	    .source = source,
	    .name = (char *)(uintptr_t)name,
	    .state = CEPHC_RBD_TRASH_STATE_MOVING,
	};
	char oid[RBD_OID_MAX + CEPHC_RBD_NAME_MAX];
	uint8_t b[CEPHC_RBD_ENC_MAX];
	struct cephc_enc e;
	int ret, ret2;

	spec.deletion_time = now_time();
	spec.deferment_end_time = spec.deletion_time;
	spec.deferment_end_time.sec += delay;
	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_trash_add(&e, id, &spec);
	if (!ret)
		ret = rbd_call(l, CEPHC_RBD_TRASH, "trash_add", b, enc_len(&e),
			       true, NULL, NULL);
	if (ret)
		return ret;
	cephc_rbd_id_object_name(name, oid, sizeof(oid));
	ret = rbd_delete_object(l, oid);
	enc_init(&e, b, sizeof(b));
	if (!ret)
		ret = cephc_rbd_enc_dir_remove_image(&e, name, id);
	if (!ret)
		ret = rbd_call(l, CEPHC_RBD_DIRECTORY, "dir_remove_image", b,
			       enc_len(&e), true, NULL, NULL);
	if (ret == CEPHC_ENOENT)
		ret = 0;
	/* NORMAL even after a failure, as librbd: the entry is usable */
	ret2 = trash_state(l, id, CEPHC_RBD_TRASH_STATE_NORMAL,
			   CEPHC_RBD_TRASH_STATE_MOVING);
	return ret ? ret : ret2;
}

/*
 * The last part of a removal: img is checked and open (NULL when its header
 * is already gone); the trash entry is in state REMOVING.
 */
static int finish_removal(const struct rbd_loc *l, struct cephc_rbd_image *img,
			  const char *id)
{
	int ret = img ? delete_image(img) : 0;

	if (!ret) {
		ret = trash_by_id(l, "trash_remove", id, NULL, NULL);
		if (ret == CEPHC_ENOENT)
			ret = 0;
	} else {
		trash_state(l, id, CEPHC_RBD_TRASH_STATE_NORMAL,
			    CEPHC_RBD_TRASH_STATE_REMOVING);
	}
	return ret;
}

static int open_for_removal(struct cephc_cluster *c, const char *pool,
			    const char *ns, const char *id,
			    struct cephc_rbd_image **img)
{
	return rbd_image_open(c, pool, ns, NULL, id, NULL, CEPHC_RBD_NOSNAP,
			      CEPHC_RBD_OPEN_READ_ONLY | RBD_OPEN_ANY_FEATURES,
			      img);
}

static int dir_get_id_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_dir_get_id(p, len, arg);
}

/* name -> id from the directory. */
static int lookup_id(const struct rbd_loc *l, const char *name, char **id)
{
	uint8_t b[CEPHC_RBD_ENC_MAX];
	struct cephc_enc e;
	int ret;

	*id = NULL;
	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_dir_get_id(&e, name);
	return ret ? ret
		   : rbd_call(l, CEPHC_RBD_DIRECTORY, "dir_get_id", b,
			      enc_len(&e), false, dir_get_id_reply, id);
}

/*
 * The image called name in (pool, nspace): its location (*l, to close),
 * id (to free) and a handle for removal (to close) -- set as far as they
 * got, also on failure.
 */
static int open_named(struct cephc_cluster *c, const char *pool,
		      const char *nspace, const char *name, struct rbd_loc *l,
		      char **id, struct cephc_rbd_image **img)
{
	int ret;

	*id = NULL;
	*img = NULL;
	memset(l, 0, sizeof(*l));
	if (!c || !pool || !name || !*name || strlen(name) > CEPHC_RBD_NAME_MAX)
		return CEPHC_EINVAL;
	ret = rbd_loc_open(c, pool, nspace, l);
	if (!ret)
		ret = lookup_id(l, name, id);
	if (ret == CEPHC_ENOENT)
		rbd_set_err("image '%s' does not exist", name);
	if (!ret)
		ret = open_for_removal(c, pool, l->ns, *id, img);
	return ret;
}

static void close_named(struct rbd_loc *l, char *id,
			struct cephc_rbd_image *img)
{
	if (img)
		cephc_rbd_close(img); /* releases the lock */
	cephc_free(id);
	rbd_loc_close(l);
}

int cephc_rbd_remove_ns(cephc_cluster *c, const char *pool, const char *nspace,
			const char *name)
{
	struct cephc_rbd_image *img;
	struct rbd_loc l;
	char *id;
	int ret;

	ret = open_named(c, pool, nspace, name, &l, &id, &img);
	if (!ret)
		ret = check_removable(img);
	if (!ret)
		ret = trash_move_image(&l, name, id,
				       CEPHC_RBD_TRASH_SOURCE_REMOVING, 0);
	if (!ret)
		ret = trash_state(&l, id, CEPHC_RBD_TRASH_STATE_REMOVING,
				  CEPHC_RBD_TRASH_STATE_NORMAL);
	if (!ret)
		ret = finish_removal(&l, img, id);
	close_named(&l, id, img);
	return ret;
}

int cephc_rbd_remove(cephc_cluster *c, const char *pool, const char *name)
{
	return cephc_rbd_remove_ns(c, pool, NULL, name);
}

/* Trash paging: trash_list from after the last id, a page at a time. */
int rbd_reply_trash_list(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_trash_list(p, len, arg);
}

int rbd_trash_list_all(const struct rbd_loc *l,
		       struct cephc_rbd_trash_list *out)
{
	char *after = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	for (;;) {
		struct cephc_rbd_trash_list page = {0};
		uint8_t b[CEPHC_RBD_ENC_MAX];
		struct cephc_enc e;
		struct cephc_rbd_trash_entry *nv;
		uint32_t got;

		enc_init(&e, b, sizeof(b));
		ret = cephc_rbd_enc_trash_list(&e, after ? after : "",
					       RBD_LIST_PAGE);
		if (!ret)
			ret = rbd_call(l, CEPHC_RBD_TRASH, "trash_list", b,
				       enc_len(&e), false, rbd_reply_trash_list,
				       &page);
		if (ret == CEPHC_ENOENT) /* no trash object: empty */
			ret = 0;
		got = page.count;
		nv = ret || !got ? NULL
				 : cephc_realloc(out->items,
						 ((size_t)out->count + got) *
						     sizeof(*nv));
		if (!ret && got && !nv)
			ret = CEPHC_ENOMEM;
		if (nv) {
			/* the entries move over; the page keeps nothing */
			memcpy(nv + out->count, page.items, got * sizeof(*nv));
			out->items = nv;
			out->count += got;
			page.count = 0;
			after = out->items[out->count - 1].id;
		}
		cephc_rbd_trash_list_clear(&page);
		if (ret || got < RBD_LIST_PAGE)
			break;
	}
	if (ret)
		cephc_rbd_trash_list_clear(out);
	return ret;
}

int cephc_rbd_trash_list(cephc_cluster *c, const char *pool, const char *nspace,
			 struct cephc_rbd_trash_info **entries, size_t *count)
{
	struct cephc_rbd_trash_list tl;
	struct rbd_loc l;
	int ret;

	if (!c || !pool || !entries || !count)
		return CEPHC_EINVAL;
	ret = rbd_loc_open(c, pool, nspace, &l);
	if (ret)
		return ret;
	ret = rbd_trash_list_all(&l, &tl);
	if (!ret)
		ret = rbd_pack_trash(&tl, entries, count);
	cephc_rbd_trash_list_clear(&tl);
	rbd_loc_close(&l);
	return ret;
}

int cephc_rbd_trash_move(cephc_cluster *c, const char *pool, const char *nspace,
			 const char *name, uint32_t delay_sec)
{
	struct cephc_rbd_image *img;
	struct rbd_loc l;
	char *id;
	int ret;

	ret = open_named(c, pool, nspace, name, &l, &id, &img);
	/* librbd takes the lock (when the image has one), nothing else */
	if (!ret && (img->meta.features & CEPHC_RBD_FEATURE_EXCLUSIVE_LOCK))
		ret = rbd_image_acquire_lock(img);
	if (!ret && (img->meta.features & CEPHC_RBD_FEATURE_MIGRATING))
		ret = CEPHC_EBUSY;
	if (img) {
		cephc_rbd_close(img);
		img = NULL;
	}
	if (!ret)
		ret = trash_move_image(&l, name, id,
				       CEPHC_RBD_TRASH_SOURCE_USER, delay_sec);
	close_named(&l, id, img);
	return ret;
}

int cephc_rbd_trash_remove(cephc_cluster *c, const char *pool,
			   const char *nspace, const char *id, bool force)
{
	struct cephc_rbd_trash_spec spec = {0};
	struct cephc_rbd_image *img = NULL;
	struct rbd_loc l;
	int ret;

	if (!c || !pool || !id || !*id)
		return CEPHC_EINVAL;
	ret = rbd_loc_open(c, pool, nspace, &l);
	if (ret)
		return ret;
	ret = trash_by_id(&l, "trash_get", id, trash_get_reply, &spec);
	if (ret)
		goto out;
	if (!force && now_time().sec < spec.deferment_end_time.sec) {
		rbd_set_err("deferment time has not expired");
		ret = CEPHC_EPERM;
		goto out;
	}
	ret = trash_claim(&l, id, &spec, CEPHC_RBD_TRASH_STATE_REMOVING,
			  "image is pending restoration");
	if (ret)
		goto out;
	ret = open_for_removal(c, pool, l.ns, id, &img);
	if (ret == CEPHC_ENOENT) /* header already deleted */
		ret = 0;
	if (!ret && img)
		ret = check_removable(img);
	if (ret) {
		trash_state(&l, id, CEPHC_RBD_TRASH_STATE_NORMAL,
			    CEPHC_RBD_TRASH_STATE_REMOVING);
		goto out;
	}
	ret = finish_removal(&l, img, id);
out:
	if (img)
		cephc_rbd_close(img);
	cephc_rbd_trash_spec_clear(&spec);
	rbd_loc_close(&l);
	return ret;
}

int cephc_rbd_trash_purge(cephc_cluster *c, const char *pool,
			  const char *nspace, int64_t expire_sec,
			  size_t *removed)
{
	struct cephc_rbd_trash_info *e = NULL;
	size_t n = 0;
	int ret;

	if (removed)
		*removed = 0;
	if (!expire_sec)
		expire_sec = now_time().sec;
	ret = cephc_rbd_trash_list(c, pool, nspace, &e, &n);
	for (size_t i = 0; !ret && i < n; i++) {
		if (e[i].source != CEPHC_RBD_TRASH_SOURCE_USER ||
		    (int64_t)e[i].deferment_end_sec > expire_sec)
			continue;
		ret = cephc_rbd_trash_remove(c, pool, nspace, e[i].id, true);
		if (!ret && removed)
			(*removed)++;
	}
	cephc_buffer_free(e);
	return ret;
}

static int get_id_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_rbd_dec_get_id(p, len, arg);
}

int cephc_rbd_trash_restore(cephc_cluster *c, const char *pool,
			    const char *nspace, const char *id,
			    const char *new_name)
{
	struct cephc_rbd_trash_spec spec = {0};
	char oid[RBD_OID_MAX + CEPHC_RBD_NAME_MAX];
	uint8_t b[CEPHC_RBD_ENC_MAX];
	struct cephc_osd_ops ops;
	struct cephc_enc e;
	struct rbd_loc l;
	const char *name;
	char *existing = NULL;
	int ret;

	if (!c || !pool || !id || !*id ||
	    (new_name && strlen(new_name) > CEPHC_RBD_NAME_MAX))
		return CEPHC_EINVAL;
	ret = rbd_loc_open(c, pool, nspace, &l);
	if (ret)
		return ret;
	ret = trash_by_id(&l, "trash_get", id, trash_get_reply, &spec);
	if (ret)
		goto out;
	if (spec.source != CEPHC_RBD_TRASH_SOURCE_USER) {
		rbd_set_err("image was not moved to the trash by a user");
		ret = CEPHC_EINVAL;
		goto out;
	}
	ret = trash_claim(&l, id, &spec, CEPHC_RBD_TRASH_STATE_RESTORING,
			  "image is pending deletion");
	if (ret)
		goto out;
	name = new_name && *new_name ? new_name : spec.name;
	/* the name must be free, or ours from an interrupted restore */
	cephc_rbd_id_object_name(name, oid, sizeof(oid));
	ret = rbd_call(&l, oid, "get_id", NULL, 0, false, get_id_reply,
		       &existing);
	if (ret == CEPHC_ENOENT) {
		cephc_osd_ops_init(&ops);
		enc_init(&e, b, sizeof(b));
		ret = cephc_osd_op_create(cephc_osd_ops_add(&ops), true);
		if (!ret)
			ret = cephc_rbd_enc_set_id(&e, id);
		if (!ret)
			ret = rbd_op_call(&ops, "set_id", b, enc_len(&e), true);
		if (!ret)
			ret = rbd_exec_ops(&l, oid, &ops);
		else
			cephc_osd_ops_release(&ops);
	} else if (!ret && strcmp(existing, id)) {
		rbd_set_err("an image with the same name already exists");
		ret = CEPHC_EEXIST;
	}
	if (ret) {
		trash_state(&l, id, CEPHC_RBD_TRASH_STATE_NORMAL,
			    CEPHC_RBD_TRASH_STATE_RESTORING);
		goto out;
	}
	enc_init(&e, b, sizeof(b));
	ret = cephc_rbd_enc_dir_add_image(&e, name, id);
	if (!ret)
		ret = rbd_call(&l, CEPHC_RBD_DIRECTORY, "dir_add_image", b,
			       enc_len(&e), true, NULL, NULL);
	if (ret == CEPHC_EEXIST)
		ret = 0;
	if (!ret)
		ret = trash_by_id(&l, "trash_remove", id, NULL, NULL);
	if (ret == CEPHC_ENOENT)
		ret = 0;
out:
	cephc_free(existing);
	cephc_rbd_trash_spec_clear(&spec);
	rbd_loc_close(&l);
	return ret;
}
