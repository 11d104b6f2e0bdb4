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
 *
 * The public `rbd lock` / `rbd status` calls (end of file) act on the same
 * lock with a caller's cookie and list the header's watchers.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
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

	return rbd_cls_call(&l, img->header_oid, CEPHC_CLS_LOCK_CLASS, method,
			    in, len, writes, fn, arg);
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

static int count_other(void *arg, const struct cephc_osd_watcher *w)
{
	struct watcher_scan *ws = arg;

	if (w->cookie != ws->own_cookie)
		ws->others++;
	return 0;
}

/* The header's watchers other than our own watch. */
static int scan_watchers(struct cephc_rbd_image *img, struct watcher_scan *ws)
{
	struct rbd_loc l = rbd_image_loc(img);
	int ret;

	memset(ws, 0, sizeof(*ws));
	ws->own_cookie = img->watching ? img->watch_cookie : 0;
	ret = rbd_watchers_each(&l, img->header_oid, count_other, ws);
	log_debug(SUBSYS, "%s: %u other watchers (%s)", img->header_oid,
		  ws->others, cephc_strerror(ret));
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
	char addr[160];
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
	cephc_addr_format_plain(&o->addr, addr, sizeof(addr));
	log_info(SUBSYS, "%s: breaking the lock of dead client %s",
		 img->header_oid, addr);
	ret = rbd_lock_blocklist(img, addr);
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

/* ---- `rbd lock` and `rbd status` ------------------------------------------
 *
 * The public lock calls act on "rbd_lock" of the header with the caller's
 * cookie, as librbd's lock_exclusive/lock_shared/unlock/break_lock do, and
 * list the header's watchers.  No watch, no exclusive-lock state: plain
 * cls calls, so a read-only handle will do.
 */

/* "client.4234" from an entity name. */
static void entity_format(const struct cephc_entity_name *n, char *buf,
			  size_t cap)
{
	snprintf(buf, cap, "%s.%" PRIu64, cephc_entity_type_name(n->type),
		 n->num);
}

/* "client.4234" -> entity name; "osd.3", "mon.0" too.  CEPHC_EINVAL. */
static int entity_parse(const char *s, struct cephc_entity_name *n)
{
	static const uint8_t types[] = {CEPHC_ENTITY_MON, CEPHC_ENTITY_MDS,
					CEPHC_ENTITY_OSD, CEPHC_ENTITY_CLIENT,
					CEPHC_ENTITY_MGR};
	const char *dot = s ? strchr(s, '.') : NULL;
	char *end;

	if (!dot || !dot[1] || dot[1] < '0' || dot[1] > '9')
		return CEPHC_EINVAL;
	for (size_t i = 0; i < sizeof(types); i++) {
		const char *t = cephc_entity_type_name(types[i]);

		if (strlen(t) != (size_t)(dot - s) || memcmp(t, s, strlen(t)))
			continue;
		errno = 0;
		n->num = strtoull(dot + 1, &end, 10);
		if (*end || errno)
			return CEPHC_EINVAL;
		n->type = types[i];
		return 0;
	}
	return CEPHC_EINVAL;
}

/* get_info into info; its strings (views into the freed reply) must not
 * be read afterwards, only names, addresses and counts. */
static int get_info(struct cephc_rbd_image *img,
		    struct cephc_cls_lock_info *info)
{
	uint8_t b[64];
	size_t len;
	int ret;

	ret = cephc_cls_lock_encode_get_info(RBD_LOCK_NAME, b, sizeof(b), &len);
	return ret ? ret
		   : lock_call(img, "get_info", b, len, false, lock_info_reply,
			       info);
}

/* The API's copy of a get_info reply: one block holding the header, the
 * lockers, then tag, cookies and descriptions. */
static int pack_lock_info(const struct cephc_cls_lock_info *info,
			  struct cephc_rbd_lock_info **out)
{
	struct cephc_rbd_lock_info *li;
	size_t bytes;
	char *s;

	bytes = sizeof(*li) + info->num_lockers * sizeof(li->lockers[0]) +
		info->tag_len + 1;
	for (uint32_t i = 0; i < info->num_lockers; i++)
		bytes += info->lockers[i].cookie_len + 1 +
			 info->lockers[i].description_len + 1;
	li = cephc_calloc(1, bytes);
	if (!li)
		return CEPHC_ENOMEM;
	li->type = info->num_lockers ? info->type : CEPHC_RBD_LOCK_NONE;
	li->count = info->num_lockers;
	li->lockers = (struct cephc_rbd_locker *)(li + 1);
	s = (char *)(li->lockers + li->count);
	if (info->tag_len) /* an empty string may come as NULL */
		memcpy(s, info->tag, info->tag_len);
	li->tag = s;
	s += info->tag_len + 1;
	for (uint32_t i = 0; i < info->num_lockers; i++) {
		const struct cephc_cls_locker *lk = &info->lockers[i];
		struct cephc_rbd_locker *o = &li->lockers[i];

		entity_format(&lk->name, o->client, sizeof(o->client));
		cephc_addr_format_plain(&lk->addr, o->address, sizeof(o->address));
		if (lk->cookie_len)
			memcpy(s, lk->cookie, lk->cookie_len);
		o->cookie = s;
		s += lk->cookie_len + 1;
		if (lk->description_len)
			memcpy(s, lk->description, lk->description_len);
		o->description = s;
		s += lk->description_len + 1;
	}
	*out = li;
	return 0;
}

struct lock_info_pack {
	struct cephc_cls_lock_info *info;
	struct cephc_rbd_lock_info **out;
};

/* Pack while the reply is alive: the decoded strings are views into it. */
static int lock_info_pack_reply(void *arg, const uint8_t *p, size_t len)
{
	struct lock_info_pack *lp = arg;
	int ret = cephc_cls_lock_decode_info(p, len, lp->info);

	return ret ? ret : pack_lock_info(lp->info, lp->out);
}

int cephc_rbd_lock_get_info(cephc_rbd_image *img,
			    struct cephc_rbd_lock_info **out)
{
	struct lock_info_pack lp;
	uint8_t b[64];
	size_t len;
	int ret;

	if (!img || !out)
		return CEPHC_EINVAL;
	*out = NULL;
	lp.info = cephc_calloc(1, sizeof(*lp.info));
	lp.out = out;
	if (!lp.info)
		return CEPHC_ENOMEM;
	ret = cephc_cls_lock_encode_get_info(RBD_LOCK_NAME, b, sizeof(b), &len);
	if (!ret)
		ret = lock_call(img, "get_info", b, len, false,
				lock_info_pack_reply, &lp);
	if (ret && *out) {
		cephc_free(*out);
		*out = NULL;
	}
	cephc_free(lp.info);
	return ret;
}

/* cls lock.lock as `rbd lock add` sends it, then HEADER_UPDATE. */
static int lock_add(struct cephc_rbd_image *img, uint8_t type,
		    const char *cookie, const char *tag)
{
	struct cephc_cls_lock_args a = {
	    .name = RBD_LOCK_NAME,
	    .type = type,
	    .cookie = cookie,
	    .tag = tag,
	};
	uint8_t *b;
	size_t len, cap;
	int ret;

	if (!img || !cookie || !tag)
		return CEPHC_EINVAL;
	cap = cephc_cls_lock_lock_len(&a);
	if (!cap)
		return CEPHC_EINVAL;
	b = cephc_malloc(cap);
	if (!b)
		return CEPHC_ENOMEM;
	ret = cephc_cls_lock_encode_lock(&a, b, cap, &len);
	if (!ret)
		ret = lock_call(img, "lock", b, len, true, NULL, NULL);
	cephc_free(b);
	if (!ret) /* watchers re-read the lock state, as after librbd's */
		rbd_image_notify_header_update(img);
	return ret;
}

int cephc_rbd_lock_exclusive(cephc_rbd_image *img, const char *cookie)
{
	return lock_add(img, CEPHC_CLS_LOCK_EXCLUSIVE, cookie, "");
}

int cephc_rbd_lock_shared(cephc_rbd_image *img, const char *cookie,
			  const char *tag)
{
	return lock_add(img, CEPHC_CLS_LOCK_SHARED, cookie, tag);
}

int cephc_rbd_unlock(cephc_rbd_image *img, const char *cookie)
{
	uint8_t *b;
	size_t len, cap;
	int ret;

	if (!img || !cookie)
		return CEPHC_EINVAL;
	cap = cephc_cls_lock_unlock_len(RBD_LOCK_NAME, cookie);
	if (!cap)
		return CEPHC_EINVAL;
	b = cephc_malloc(cap);
	if (!b)
		return CEPHC_ENOMEM;
	ret = cephc_cls_lock_encode_unlock(RBD_LOCK_NAME, cookie, b, cap, &len);
	if (!ret)
		ret = lock_call(img, "unlock", b, len, true, NULL, NULL);
	cephc_free(b);
	if (!ret)
		rbd_image_notify_header_update(img);
	return ret;
}

int rbd_lock_blocklist(struct cephc_rbd_image *img, const char *addr)
{
	char cmd[CEPHC_RBD_ADDR_MAX + 160], ex[48] = "";
	uint64_t expire =
	    rbd_conf_u64(img->c, "rbd_blocklist_expire_seconds", 0);
	int ret;

	if (expire)
		snprintf(ex, sizeof(ex), ", \"expire\": %" PRIu64 ".0", expire);
	snprintf(cmd, sizeof(cmd),
		 "{\"prefix\": \"osd blocklist\", \"blocklistop\": \"add\", "
		 "\"addr\": \"%s\"%s}",
		 addr, ex);
	log_info(SUBSYS, "%s: blocklisting %s before breaking its lock",
		 img->header_oid, addr);
	ret = cephc_cluster_mon_command(img->c, cmd, NULL, 0, NULL, NULL, NULL,
					NULL);
	/* the OSDs must know of the entry before the lock goes */
	if (!ret)
		ret = cephc_cluster_wait_for_latest_osdmap(img->c);
	return ret;
}

/*
 * The address client holds the lock from, "" when it holds none.  Like
 * librbd, the entity alone picks the address: a wrong cookie still gets
 * the client blocklisted, and break_lock then answers ENOENT.
 */
static int locker_addr(struct cephc_rbd_image *img,
		       const struct cephc_entity_name *who, char *addr,
		       size_t cap)
{
	struct cephc_cls_lock_info *info = cephc_calloc(1, sizeof(*info));
	int ret;

	if (!info)
		return CEPHC_ENOMEM;
	addr[0] = '\0';
	ret = get_info(img, info);
	for (uint32_t i = 0; !ret && i < info->num_lockers; i++) {
		const struct cephc_cls_locker *lk = &info->lockers[i];

		if (lk->name.type == who->type && lk->name.num == who->num) {
			cephc_addr_format_plain(&lk->addr, addr, cap);
			break;
		}
	}
	cephc_free(info);
	return ret;
}

int cephc_rbd_break_lock(cephc_rbd_image *img, const char *client,
			 const char *cookie)
{
	struct cephc_entity_name who;
	char addr[CEPHC_RBD_ADDR_MAX];
	uint8_t *b;
	size_t len, cap;
	int ret;

	if (!img || !cookie)
		return CEPHC_EINVAL;
	if (entity_parse(client, &who)) {
		rbd_set_err("unable to parse client '%s'",
			    client ? client : "");
		return CEPHC_EINVAL;
	}
	if (rbd_conf_bool(img->c, "rbd_blocklist_on_break_lock", true)) {
		ret = locker_addr(img, &who, addr, sizeof(addr));
		if (ret)
			return ret;
		if (!addr[0]) {
			rbd_set_err("unable to find locker");
			return CEPHC_ENOENT;
		}
		ret = rbd_lock_blocklist(img, addr);
		if (ret) {
			rbd_set_err("unable to blocklist client");
			return ret;
		}
	}
	cap = cephc_cls_lock_break_len(RBD_LOCK_NAME, cookie);
	if (!cap)
		return CEPHC_EINVAL;
	b = cephc_malloc(cap);
	if (!b)
		return CEPHC_ENOMEM;
	ret = cephc_cls_lock_encode_break(RBD_LOCK_NAME, &who, cookie, b, cap,
					  &len);
	if (!ret)
		ret = lock_call(img, "break_lock", b, len, true, NULL, NULL);
	cephc_free(b);
	if (!ret)
		rbd_image_notify_header_update(img);
	return ret;
}

struct watcher_list {
	struct cephc_rbd_watcher *v;
	size_t n, cap;
};

static int watcher_list_add(void *arg, const struct cephc_osd_watcher *w)
{
	struct watcher_list *wl = arg;
	struct cephc_rbd_watcher *o;

	if (wl->n == wl->cap) {
		size_t nc = wl->cap ? wl->cap * 2 : 8;
		void *nv = cephc_realloc(wl->v, nc * sizeof(*wl->v));

		if (!nv)
			return CEPHC_ENOMEM;
		wl->v = nv;
		wl->cap = nc;
	}
	o = &wl->v[wl->n++];
	memset(o, 0, sizeof(*o));
	entity_format(&w->name, o->client, sizeof(o->client));
	o->client_id = w->name.num;
	o->cookie = w->cookie;
	cephc_addr_format_plain(&w->addr, o->address, sizeof(o->address));
	return 0;
}

int cephc_rbd_list_watchers(cephc_rbd_image *img,
			    struct cephc_rbd_watcher **out, size_t *count)
{
	struct rbd_loc l;
	struct watcher_list wl = {NULL, 0, 0};
	int ret;

	if (!img || !out || !count)
		return CEPHC_EINVAL;
	*out = NULL;
	*count = 0;
	l = rbd_image_loc(img);
	ret = rbd_watchers_each(&l, img->header_oid, watcher_list_add, &wl);
	if (ret) {
		cephc_free(wl.v);
		return ret;
	}
	*out = wl.v;
	*count = wl.n;
	return 0;
}
