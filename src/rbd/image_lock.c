/* SPDX-License-Identifier: MIT */
/*
 * The image's exclusive lock: the cls "lock" lock named "rbd_lock" on
 * rbd_header.<id>, taken the way librbd's lock acquisition takes it
 * (exclusive, tag "internal", cookie "auto <watch cookie>"), broken only
 * when its owner is dead, and listed for `rbd lock ls`-style callers.
 *
 * Today removal is the one user that takes it (image_trash.c); close
 * releases it.  Feature maintainer layer: it calls the header watch and
 * the OSD-call helpers below it, never the I/O engine or the operations.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "osdc/cls_lock.h"
#include "rbd/image.h"

#define SUBSYS "rbd"
/* librbd's exclusive lock on the header: name and tag. */
#define RBD_LOCK_NAME "rbd_lock"
#define RBD_LOCK_TAG "internal"
#define RBD_LOCK_ARGS_MAX 512

/* CALL lock.<method> on the image header (cls "lock"). */
static int lock_call(struct cephc_rbd_image *img, const char *method,
		     const void *in, size_t len, bool writes, rbd_reply_fn fn,
		     void *arg)
{
	struct rbd_loc l = rbd_image_loc(img);
	struct cephc_osd_ops ops;
	struct cephc_osdc_req req;
	struct iovec iov = {(void *)(uintptr_t)in, len};
	int ret;

	cephc_osd_ops_init(&ops);
	ret = cephc_osd_op_call(cephc_osd_ops_add(&ops), CEPHC_CLS_LOCK_CLASS,
				method, &iov, 1, writes, RBD_CALL_OUT_MAX);
	if (!ret) {
		rbd_req_setup(&req, &ops, &l, img->header_oid);
		ret = rbd_osd_exec(img->osd, &req);
	}
	if (!ret && fn)
		ret = fn(arg, ops.ops[0].op_outdata, ops.ops[0].op_outdata_len);
	cephc_osd_ops_release(&ops);
	return ret;
}

/* "auto <watch cookie>": the cookie librbd (and krbd) lock with. */
static void lock_cookie(const struct cephc_rbd_image *img, char *buf,
			size_t cap)
{
	snprintf(buf, cap, "auto %" PRIu64, img->watch_cookie);
}

static int take_lock(struct cephc_rbd_image *img)
{
	char cookie[64];
	uint8_t b[RBD_LOCK_ARGS_MAX];
	struct cephc_cls_lock_args a = {
	    .name = RBD_LOCK_NAME,
	    .type = CEPHC_CLS_LOCK_EXCLUSIVE,
	    .cookie = cookie,
	    .tag = RBD_LOCK_TAG,
	};
	size_t len;
	int ret;

	lock_cookie(img, cookie, sizeof(cookie));
	ret = cephc_cls_lock_encode_lock(&a, b, sizeof(b), &len);
	return ret ? ret : lock_call(img, "lock", b, len, true, NULL, NULL);
}

void rbd_image_release_lock(struct cephc_rbd_image *img)
{
	char cookie[64];
	uint8_t b[RBD_LOCK_ARGS_MAX];
	size_t len;

	if (!img->lock_owner)
		return;
	img->lock_owner = false;
	lock_cookie(img, cookie, sizeof(cookie));
	if (!cephc_cls_lock_encode_unlock(RBD_LOCK_NAME, cookie, b, sizeof(b),
					  &len))
		lock_call(img, "unlock", b, len, true, NULL, NULL);
}

struct watcher_scan {
	uint64_t own_cookie;
	unsigned others;
};

static int watchers_reply(void *arg, const uint8_t *p, size_t len)
{
	struct watcher_scan *ws = arg;
	struct cephc_osd_watchers_iter it;
	struct cephc_osd_watcher w;
	int ret = cephc_osd_watchers_iter_init(&it, p, len);

	while (!ret && (ret = cephc_osd_watchers_iter_next(&it, &w)) > 0) {
		if (w.cookie != ws->own_cookie)
			ws->others++;
		ret = 0; /* 1: one more watcher; go on */
	}
	return ret;
}

/* The header's watchers other than our own watch. */
static int scan_watchers(struct cephc_rbd_image *img, struct watcher_scan *ws)
{
	struct rbd_loc l = rbd_image_loc(img);
	struct cephc_osd_ops ops;
	struct cephc_osdc_req req;
	int ret;

	memset(ws, 0, sizeof(*ws));
	ws->own_cookie = img->watching ? img->watch_cookie : 0;
	cephc_osd_ops_init(&ops);
	ret = cephc_osd_op_list_watchers(cephc_osd_ops_add(&ops), 0);
	if (!ret) {
		rbd_req_setup(&req, &ops, &l, img->header_oid);
		ret = rbd_osd_exec(img->osd, &req);
	}
	if (!ret)
		ret = watchers_reply(ws, ops.ops[0].op_outdata,
				     ops.ops[0].op_outdata_len);
	log_debug(SUBSYS, "%s: %u other watchers (%s)", img->header_oid,
		  ws->others, cephc_strerror(ret));
	cephc_osd_ops_release(&ops);
	return ret;
}

int rbd_image_other_watchers(struct cephc_rbd_image *img, unsigned *others)
{
	struct watcher_scan ws;
	int ret = scan_watchers(img, &ws);

	*others = ws.others;
	return ret;
}

/* What breaking a lock needs from get_info, copied out of the reply (the
 * decoder's strings are views into it). */
struct lock_owner {
	bool breakable; /* one exclusive holder with librbd's tag */
	struct cephc_entity_name name;
	struct cephc_entity_addr addr;
	char cookie[CEPHC_CLS_LOCK_STR_MAX + 1];
};

static int lock_owner_reply(void *arg, const uint8_t *p, size_t len)
{
	struct lock_owner *o = arg;
	struct cephc_cls_lock_info *info = cephc_calloc(1, sizeof(*info));
	const struct cephc_cls_locker *lk;
	int ret;

	if (!info)
		return CEPHC_ENOMEM;
	ret = cephc_cls_lock_decode_info(p, len, info);
	lk = &info->lockers[0];
	if (!ret && info->num_lockers == 1 &&
	    info->type == CEPHC_CLS_LOCK_EXCLUSIVE &&
	    info->tag_len == strlen(RBD_LOCK_TAG) &&
	    !memcmp(info->tag, RBD_LOCK_TAG, info->tag_len) &&
	    lk->cookie_len < sizeof(o->cookie)) {
		o->breakable = true;
		o->name = lk->name;
		o->addr = lk->addr;
		memcpy(o->cookie, lk->cookie, lk->cookie_len);
		o->cookie[lk->cookie_len] = '\0';
	}
	cephc_free(info);
	return ret;
}

/* "ip:port/nonce", the form `ceph osd blocklist add` takes. */
static void addr_plain(const struct cephc_entity_addr *a, char *buf, size_t cap)
{
	char tmp[160];
	const char *p = tmp, *colon;

	cephc_addr_format(a, tmp, sizeof(tmp));
	colon = strchr(tmp, ':');
	/* drop a "v1:"/"v2:"/"any:" type prefix */
	if (colon && colon - tmp <= 3 && tmp[0] != '[' &&
	    strspn(tmp, "0123456789.") < (size_t)(colon - tmp))
		p = colon + 1;
	snprintf(buf, cap, "%s", p);
}

/*
 * The lock is held by someone else.  librbd breaks it only when its owner
 * is dead: an exclusive "internal" lock whose owner's address no longer
 * watches the header.  It then blocklists that address (so a client that
 * only lost its watch cannot write after we proceed) and breaks the lock.
 */
static int break_dead_lock(struct cephc_rbd_image *img)
{
	struct lock_owner *o;
	struct watcher_scan ws;
	char addr[160], cmd[320];
	uint8_t b[RBD_LOCK_ARGS_MAX];
	size_t len;
	int ret;

	o = cephc_calloc(1, sizeof(*o));
	if (!o)
		return CEPHC_ENOMEM;
	ret = cephc_cls_lock_encode_get_info(RBD_LOCK_NAME, b, sizeof(b), &len);
	if (!ret)
		ret = lock_call(img, "get_info", b, len, false,
				lock_owner_reply, o);
	if (!ret)
		ret = scan_watchers(img, &ws);
	if (ret)
		goto out;
	if (!o->breakable) {
		/* a shared or foreign lock: librbd refuses too */
		rbd_set_err("image is locked by another tool");
		ret = CEPHC_EBUSY;
		goto out;
	}
	/*
	 * librbd asks a live owner for the lock and fails later on its
	 * watch; it breaks only an owner that no longer watches.  Any other
	 * watcher ends a removal with EBUSY anyway, so with one we never
	 * break: the owner may be that watcher (addresses in the lock and in
	 * the watch list need not be spelled alike).
	 */
	if (ws.others) {
		rbd_set_err("image still has watchers");
		ret = CEPHC_EBUSY;
		goto out;
	}
	addr_plain(&o->addr, addr, sizeof(addr));
	snprintf(cmd, sizeof(cmd),
		 "{\"prefix\": \"osd blocklist\", \"blocklistop\": "
		 "\"add\", \"addr\": \"%s\"}",
		 addr);
	log_info(SUBSYS, "%s: breaking the lock of dead client %s",
		 img->header_oid, addr);
	ret = cephc_cluster_mon_command(img->c, cmd, NULL, 0, NULL, NULL, NULL,
					NULL);
	/* the OSDs must know of the blocklist before the lock goes */
	if (!ret)
		ret = cephc_cluster_wait_for_latest_osdmap(img->c);
	if (!ret)
		ret = cephc_cls_lock_encode_break(
		    RBD_LOCK_NAME, &o->name, o->cookie, b, sizeof(b), &len);
	if (!ret)
		ret = lock_call(img, "break_lock", b, len, true, NULL, NULL);
	if (ret == CEPHC_ENOENT) /* released meanwhile */
		ret = 0;
out:
	cephc_free(o);
	return ret;
}

int rbd_image_acquire_lock(struct cephc_rbd_image *img)
{
	int ret = rbd_image_watch_start(img);

	if (ret)
		return ret;
	ret = take_lock(img);
	if (ret == CEPHC_EBUSY || ret == CEPHC_EEXIST) {
		ret = break_dead_lock(img);
		if (!ret)
			ret = take_lock(img);
	}
	img->lock_owner = ret == 0;
	if (ret == CEPHC_EBUSY || ret == CEPHC_EEXIST) {
		if (!rbd_have_err())
			rbd_set_err("cannot obtain the exclusive lock");
		ret = CEPHC_EBUSY;
	}
	return ret;
}

/* ---- lock holders -------------------------------------------------------- */

static int lock_info_reply(void *arg, const uint8_t *p, size_t len)
{
	return cephc_cls_lock_decode_info(p, len, arg);
}

int cephc_rbd_list_lockers(cephc_rbd_image *img, int *count, bool *exclusive)
{
	struct cephc_cls_lock_info *info;
	uint8_t b[64];
	size_t len;
	int ret;

	if (!img || !count || !exclusive)
		return CEPHC_EINVAL;
	*count = 0;
	*exclusive = false;
	info = cephc_calloc(1, sizeof(*info));
	if (!info)
		return CEPHC_ENOMEM;
	ret = cephc_cls_lock_encode_get_info(RBD_LOCK_NAME, b, sizeof(b), &len);
	if (!ret)
		ret = lock_call(img, "get_info", b, len, false, lock_info_reply,
				info);
	if (!ret) {
		*count = (int)info->num_lockers;
		*exclusive = info->type == CEPHC_CLS_LOCK_EXCLUSIVE;
	}
	cephc_free(info);
	return ret;
}
