/* SPDX-License-Identifier: MIT */
/*
 * RBD data path: an image extent is cut by the striper into object
 * extents, each becomes one OSD request whose data iovec points into the
 * caller's buffer (no copy either way).  Planning and completion run in the
 * loop's driver context; the API functions only validate and hand over.
 *
 * librbd's object-level choices (io/ObjectRequest.cc):
 *   read:    ENOENT (no object) -> zeros; short read -> zeros after it
 *   discard: the object's whole in-image extent -> DELETE, an extent that
 *            runs to the end of the object's in-image bytes -> TRUNCATE,
 *            anything else -> ZERO; ENOENT counts as success
 *   write-zeroes: ZERO
 *   write:   a whole object -> WRITEFULL, else WRITE
 *   compare-and-write (one object only): CMPEXT then the write, in one
 *            request; the OSD fails it with -(MAX_ERRNO + i) when byte i
 *            of the compare buffer differs (a missing object or bytes past
 *            its end compare as zeros), reported as EILSEQ at image
 *            offset off + i
 * Writes carry the header's snap context so the OSDs clone before
 * overwriting data a snapshot still references.
 *
 * Clones (io/CopyupRequest.cc): a child object that holds parent bytes
 * (its image extent starts inside the parent overlap) and is changed only
 * in part goes out guarded by assert_exists.  ENOENT means the object
 * still lives in the parent: its bytes are read from the parent, then
 * sent with the rbd class's copyup (which writes them only if the object
 * still does not exist) ahead of the change, in one request; when the
 * image has snapshots the copyup goes alone with an empty snap context
 * first, so those snapshots get the parent's bytes, then the change with
 * the image's.  Compare-and-write never rides on the copyup (librbd adds
 * no op to it): the copyup goes alone, then the compare and write.
 * Parent bytes that are all zeros need no copyup.  Whole
 * objects are written without copyup, and discarding one leaves an empty
 * object (create + truncate 0) rather than none, which would show the
 * parent's bytes again.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cephc/errors.h"
#include "core/alloc.h"
#include "core/log.h"
#include "rbd/image.h"
#include "rbd/image_object_map.h"
#include "rbd/image_plan.h"
#include "rbd/rbd_features.h"

#define SUBSYS "rbd"

/*
 * The OSD answers a ZERO reaching the object's end as a TRUNCATE (the
 * reply's op code changes: seen on 16.2.15); the OSD client accepts that
 * rewrite, so zeroing goes out as real ZERO ops and objects stay sparse.
 * Setting this to 1 sends zeroing as WRITEs of a shared zero buffer
 * instead (kept for comparison).
 */
#define RBD_ZERO_AS_WRITE 0
#define RBD_ZERO_BUF (1u << 20)
static const uint8_t zero_buf[RBD_ZERO_BUF];

/* IO_COPYUP: copy one object's parent bytes into a clone (flatten);
 * rbd_image_copyup_object(). */
enum rbd_io_kind {
	IO_READ,
	IO_WRITE,
	IO_DISCARD,
	IO_ZERO,
	IO_FLUSH,
	IO_CMPWRITE, /* compare-and-write */
	IO_COPYUP,
};

struct cephc_rbd_completion {
	cephc_rbd_callback_t cb;
	void *arg;
	struct cephc_cluster *cl; /* set on submission: who drives waits */
	int result;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool complete;
	bool submitted; /* an aio call accepted it: it will fire */
	bool released;  /* released by the user before it fired */
};

struct rbd_io;

/*
 * Where one object request (a sub) is, krbd style: obj_advance() is the
 * one place that moves a sub from state to state.  Each state but START
 * is entered with something in flight, and its result comes back to
 * obj_advance() (OSD reply, parent read, copy-up read).
 *
 *   read:   START -> OBJECT --(ENOENT, clone, below the overlap)-->
 *                    READ_PARENT -> done
 *
 *   write, discard, write-zeroes (an image with an object map first
 *   marks the object EXISTS, or PENDING when the op removes it, and
 *   after a removal marks it NONEXISTENT):
 *
 *           START --(map)--> MAP_PRE
 *             |                 |
 *             v                 v
 *           OBJECT <------------+ --(removed, map)--> MAP_POST --> done
 *             |  \
 *             |   ------------------------------------------------> done
 *             |  (ENOENT under the assert_exists guard)
 *             v
 *         COPYUP_READ --(parent bytes all zeros)--> OBJECT
 *             |        \
 *             |         (image has snapshots; with a map, first
 *             |          COPYUP_MAPS: the snapshots' maps)
 *             v           v
 *          COPYUP     COPYUP_ALONE --> OBJECT (unguarded)
 *             |
 *             v
 *            done
 *
 * Only the first OBJECT request carries the guard (sub_reset() drops it),
 * so ENOENT leads to COPYUP_READ at most once.  Before START, a write
 * passes the exclusive lock's gate (io_start(): queued until we own it).
 */
enum rbd_obj_state {
	OBJ_START,        /* built, nothing sent */
	OBJ_OBJECT,       /* the read or the change (maybe guarded) */
	OBJ_READ_PARENT,  /* read: a missing object's bytes from the parent */
	OBJ_COPYUP_READ,  /* the parent's bytes of the whole object */
	OBJ_COPYUP,       /* copyup + the change, in one request */
	OBJ_COPYUP_ALONE, /* copyup only, empty snap context (snapshots) */
	OBJ_MAP_PRE,      /* object map: EXISTS / PENDING before the change */
	OBJ_MAP_POST,     /* object map: NONEXISTENT after a removal */
	OBJ_COPYUP_MAPS,  /* object map: the snapshots' maps before copyup */
};

/* One OSD request of an I/O. */
struct rbd_sub {
	struct cephc_osdc_req req;
	struct cephc_osd_ops ops;
	struct rbd_io *io;
	struct cephc_stripe_chunk c;
	enum rbd_obj_state state;
	bool guarded;   /* ops[0] is assert_exists */
	bool in_parent; /* the object starts inside the parent overlap */
	bool removes;   /* the change deletes the object */
	bool alone;     /* the copyup goes before the change, alone */
	int saved;      /* MAP_POST: the change's own result */
	uint8_t *cbuf;  /* copyup: the object's parent bytes */
	unsigned cpending; /* parent reads in flight */
	int cerr;
	struct iovec iov;
	struct iovec *zv; /* zero-write pieces (RBD_ZERO_AS_WRITE) */
	uint64_t len;     /* read: bytes expected */
	uint64_t img_off; /* read: image offset of those bytes */
	char oid[RBD_OID_MAX];

	/* compare-and-write: the compare bytes, and its CMPEXT's index */
	struct iovec ciov;
	unsigned cmp_op;
};

struct rbd_io {
	struct rbd_osd_work work;
	struct cephc_rbd_image *img;
	struct cephc_rbd_completion *comp;
	enum rbd_io_kind kind;
	uint64_t off, len;
	uint8_t *buf;
	const uint8_t *cmp;     /* compare-and-write: compared with the image */
	uint64_t *mismatch_off; /* ... and where it differed (may be NULL) */
	uint64_t mismatch;
	uint64_t size; /* image size the I/O was checked against */
	bool trim;     /* discard past a shrink (rbd_image_trim) */
	uint64_t objno; /* IO_COPYUP: the object */
	/* driver context */
	struct rbd_lock_waiter lw; /* waiting for the exclusive lock */
	bool pinned;               /* admitted: holds a pin on the lock */
	unsigned pending;
	int result;
	unsigned nsubs;
	struct rbd_sub *subs;
};

struct rbd_flush {
	struct rbd_flush *next;
	struct rbd_io *io;
};

/* ---- completions ------------------------------------------------------ */

int cephc_rbd_aio_create_completion(void *arg, cephc_rbd_callback_t cb,
				    cephc_rbd_completion **out)
{
	struct cephc_rbd_completion *c;

	if (!out)
		return CEPHC_EINVAL;
	c = cephc_calloc(1, sizeof(*c));
	if (!c)
		return CEPHC_ENOMEM;
	c->cb = cb;
	c->arg = arg;
	pthread_mutex_init(&c->lock, NULL);
	cephc_client_cond_init(&c->cond);
	*out = c;
	return 0;
}

int cephc_rbd_aio_get_return_value(cephc_rbd_completion *c)
{
	return c->result;
}

static bool comp_done(void *arg)
{
	return ((cephc_rbd_completion *)arg)->complete;
}

void cephc_rbd_aio_wait(cephc_rbd_completion *c)
{
	pthread_mutex_lock(&c->lock);
	if (c->cl && c->submitted) {
		/* every I/O completes (bounded op timeouts); from a callback
		 * there is nothing we can do but return (EDEADLK) */
		(void)cephc_client_wait_for(c->cl, &c->lock, &c->cond,
					    comp_done, c, 0);
	} else {
		while (!c->complete)
			pthread_cond_wait(&c->cond, &c->lock);
	}
	pthread_mutex_unlock(&c->lock);
}

bool cephc_rbd_aio_is_complete(cephc_rbd_completion *c)
{
	bool done;

	pthread_mutex_lock(&c->lock);
	done = c->complete;
	pthread_mutex_unlock(&c->lock);
	return done;
}

static void comp_free(struct cephc_rbd_completion *c)
{
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->cond);
	cephc_free(c);
}

void cephc_rbd_aio_release(cephc_rbd_completion *c)
{
	bool free_now;

	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	/* Never submitted: nothing will fire it, free it now. */
	free_now = c->complete || !c->submitted;
	c->released = true;
	pthread_mutex_unlock(&c->lock);
	/* Released early (inside its callback): freed once it fired. */
	if (free_now)
		comp_free(c);
}

static void comp_fire(struct cephc_rbd_completion *c, int result)
{
	bool free_now;

	c->result = result;
	if (c->cb)
		c->cb(c, c->arg);
	pthread_mutex_lock(&c->lock);
	c->complete = true;
	free_now = c->released;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	if (free_now)
		comp_free(c);
}

/* ---- I/O life cycle (driver context) ----------------------------------- */

static void io_free(struct rbd_io *io)
{
	for (unsigned i = 0; i < io->nsubs; i++) {
		cephc_osd_ops_release(&io->subs[i].ops);
		cephc_free(io->subs[i].zv);
		cephc_free(io->subs[i].cbuf);
	}
	cephc_free(io->subs);
	cephc_free(io);
}

static void flushes_kick(struct cephc_rbd_image *img);

static void io_finish(struct rbd_io *io)
{
	struct cephc_rbd_image *img = io->img;
	struct cephc_rbd_completion *comp = io->comp;
	int result = io->result;
	/* every kind but read and flush counted in io_start() */
	bool wrote = io->kind == IO_WRITE || io->kind == IO_DISCARD ||
		     io->kind == IO_ZERO || io->kind == IO_CMPWRITE ||
		     io->kind == IO_COPYUP;
	bool pinned = io->pinned;

	/* written before the completion fires, as the API promises */
	if (result == CEPHC_EILSEQ && io->mismatch_off)
		*io->mismatch_off = io->mismatch;
	io_free(io);
	/* data and object-map updates are done: the lock may go */
	if (pinned)
		rbd_exlock_unpin(img);
	comp_fire(comp, result);
	if (wrote) {
		img->writes_in_flight--;
		flushes_kick(img);
	}
	pthread_mutex_lock(&img->lock);
	if (--img->aio_pending == 0)
		pthread_cond_broadcast(&img->idle);
	pthread_mutex_unlock(&img->lock);
}

static void io_put(struct rbd_io *io)
{
	if (--io->pending == 0)
		io_finish(io);
}

static void flushes_kick(struct cephc_rbd_image *img)
{
	struct rbd_flush *f;

	/* Flush is a barrier: done when no earlier write is in flight. */
	if (img->writes_in_flight)
		return;
	while ((f = img->flushes)) {
		img->flushes = f->next;
		struct rbd_io *io = f->io;
		cephc_free(f);
		io_put(io);
	}
}

/* Zero dst bytes [from, len) of a read piece. */
static void zero_tail(struct rbd_sub *s, uint64_t from)
{
	if (from < s->len)
		memset((uint8_t *)s->iov.iov_base + from, 0, s->len - from);
}

/*
 * Clone reads: the part of a missing child object that the parent covers
 * is read through the parent image's own engine (as krbd's
 * rbd_obj_read_from_parent submits an image request on the parent).  The
 * one place where the engine calls itself on another handle.
 */
int rbd_image_read_parent(struct cephc_rbd_image *img, uint64_t off,
			  uint64_t len, void *buf, cephc_rbd_callback_t done,
			  void *arg)
{
	uint64_t overlap = img->parent_overlap, n;
	cephc_rbd_completion *comp;
	int ret;

	if (!img->parent || off >= overlap || off >= img->parent->size)
		return 1;
	/* only the overlap is the parent's; past it the child reads zeros */
	n = overlap - off < len ? overlap - off : len;
	ret = cephc_rbd_aio_create_completion(arg, done, &comp);
	if (ret)
		return ret;
	ret = cephc_rbd_aio_read(img->parent, off, (size_t)n, buf, comp);
	if (ret)
		cephc_rbd_aio_release(comp);
	return ret;
}

static void obj_handle(struct rbd_sub *s, int result);

/* A clone's missing object was read from the parent. */
static void parent_read_done(cephc_rbd_completion *c, void *arg)
{
	int err = cephc_rbd_aio_get_return_value(c);

	cephc_rbd_aio_release(c);
	obj_handle(arg, err);
}

static int zero_op(struct rbd_sub *s, struct cephc_osd_op *op, uint64_t off,
		   uint64_t len)
{
	unsigned n;

	if (!RBD_ZERO_AS_WRITE)
		return cephc_osd_op_zero(op, off, len);
	n = (unsigned)((len + RBD_ZERO_BUF - 1) / RBD_ZERO_BUF);
	cephc_free(s->zv);
	s->zv = cephc_calloc(n, sizeof(*s->zv));
	if (!s->zv)
		return CEPHC_ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		uint64_t l = len - (uint64_t)i * RBD_ZERO_BUF;
		s->zv[i].iov_base = (void *)(uintptr_t)zero_buf;
		s->zv[i].iov_len = l < RBD_ZERO_BUF ? l : RBD_ZERO_BUF;
	}
	return cephc_osd_op_write(op, off, s->zv, n);
}

static void sub_done(struct cephc_osdc_req *req, int err);

/* Image offset of object objno's first byte (its bytes ascend from it). */
static uint64_t object_first_img_off(const struct cephc_layout *l,
				     uint64_t objno)
{
	uint64_t per_obj = l->object_size / l->stripe_unit;
	uint64_t stripeno = objno / l->stripe_count * per_obj;

	return (stripeno * l->stripe_count + objno % l->stripe_count) *
	       l->stripe_unit;
}

/* Does the change leave part of the object as it was?  (Then the parent's
 * bytes must be copied up first.) */
static bool sub_is_partial(const struct rbd_io *io, const struct rbd_sub *s)
{
	const struct cephc_layout *l = &io->img->layout;

	if (io->kind == IO_WRITE)
		return s->c.obj_off != 0 || s->c.len != l->object_size;
	/* compare-and-write compares against the parent's bytes too, so
	 * even a whole object is copied up first (librbd's
	 * is_post_copyup_write_required) */
	if (io->kind == IO_CMPWRITE)
		return true;
	if (io->kind == IO_ZERO || io->kind == IO_COPYUP || io->trim)
		return true;
	return rbd_discard_action(l, &s->c, io->size) != RBD_DISCARD_DELETE;
}

/* A fresh request for s, its ops empty. */
static void sub_reset(struct rbd_io *io, struct rbd_sub *s)
{
	struct cephc_rbd_image *img = io->img;

	cephc_osd_ops_release(&s->ops);
	cephc_osd_ops_init(&s->ops);
	cephc_osdc_req_init(&s->req);
	s->req.ops = &s->ops;
	s->req.pool = img->data_pool;
	s->req.nspace = img->nspace;
	s->req.oid = s->oid;
	s->req.done = sub_done;
	s->guarded = false;
	s->cmp_op = CEPHC_OSD_MAX_OPS; /* none yet */
	if (io->kind == IO_READ) {
		s->req.snapid = img->snap_id;
		return;
	}
	s->req.snap_seq = img->wsnap_seq;
	s->req.snaps = img->wsnaps;
	s->req.num_snaps = img->wnum_snaps;
}

/* Append the op(s) doing the sub's change (or read) to s->ops. */
static int add_work_ops(struct rbd_io *io, struct rbd_sub *s)
{
	const struct cephc_stripe_chunk *c = &s->c;
	struct cephc_osd_op *op;
	int ret;

	if (io->kind == IO_COPYUP)
		return 0; /* the copyup is the whole change */
	op = cephc_osd_ops_add(&s->ops);
	if (!op)
		return CEPHC_E2BIG;
	switch (io->kind) {
	case IO_READ:
		return cephc_osd_op_read(op, c->obj_off, c->len, &s->iov, 1);
	case IO_WRITE:
		/* a whole object: WRITEFULL, as librbd (the OSD replaces
		 * the data instead of merging into it) */
		if (c->obj_off == 0 && c->len == io->img->layout.object_size)
			return cephc_osd_op_writefull(op, &s->iov, 1);
		return cephc_osd_op_write(op, c->obj_off, &s->iov, 1);
	case IO_ZERO:
		return zero_op(s, op, c->obj_off, c->len);
	case IO_CMPWRITE:
		/* the compare first: the write happens only if it matched */
		s->cmp_op = s->ops.num_ops - 1;
		ret = cephc_osd_op_cmpext(op, c->obj_off, &s->ciov, 1);
		if (ret)
			return ret;
		if (!(op = cephc_osd_ops_add(&s->ops)))
			return CEPHC_E2BIG;
		if (c->obj_off == 0 && c->len == io->img->layout.object_size)
			return cephc_osd_op_writefull(op, &s->iov, 1);
		return cephc_osd_op_write(op, c->obj_off, &s->iov, 1);
	default:
		break;
	}
	switch (rbd_discard_action(&io->img->layout, c, io->size)) {
	case RBD_DISCARD_DELETE:
		if (!s->in_parent || io->trim) {
			s->removes = true;
			return cephc_osd_op_delete(op);
		}
		/* no object would show the parent's bytes: leave an empty
		 * one */
		ret = cephc_osd_op_create(op, false);
		if (ret)
			return ret;
		if (!(op = cephc_osd_ops_add(&s->ops)))
			return CEPHC_E2BIG;
		return cephc_osd_op_truncate(op, 0);
	case RBD_DISCARD_TRUNCATE:
		return cephc_osd_op_truncate(op, c->obj_off);
	default:
		return zero_op(s, op, c->obj_off, c->len);
	}
}

/* The first request of a sub (s->io and s->c set). */
static int build_sub(struct rbd_io *io, struct rbd_sub *s)
{
	struct cephc_rbd_image *img = io->img;
	const struct cephc_stripe_chunk *c = &s->c;

	cephc_rbd_data_object_name(img->meta.object_prefix, c->objno, s->oid,
				   sizeof(s->oid));
	cephc_osd_ops_init(&s->ops);
	sub_reset(io, s);
	if (io->kind == IO_READ) {
		s->iov.iov_base = io->buf + (c->img_off - io->off);
		s->iov.iov_len = c->len;
		s->len = c->len;
		s->img_off = c->img_off;
	} else if (io->kind == IO_WRITE || io->kind == IO_CMPWRITE) {
		s->iov.iov_base = io->buf + (c->img_off - io->off);
		s->iov.iov_len = c->len;
		if (io->cmp) {
			s->ciov.iov_base =
			    (void *)(uintptr_t)(io->cmp +
						(c->img_off - io->off));
			s->ciov.iov_len = c->len;
		}
	}
	/* a clone's object that may still live in the parent.  Trimming
	 * past a shrink takes those bytes out of the overlap, so only the
	 * image's snapshots still want them: copied up first, as librbd's
	 * TrimRequest does, the snapshots keep them */
	s->in_parent = io->kind != IO_READ && img->parent &&
		       (!io->trim || img->wnum_snaps) &&
		       object_first_img_off(&img->layout, c->objno) <
			   img->parent_overlap;
	if (s->in_parent && sub_is_partial(io, s)) {
		struct cephc_osd_op *op = cephc_osd_ops_add(&s->ops);
		int ret = op ? cephc_osd_op_assert_exists(op) : CEPHC_E2BIG;

		if (ret)
			return ret;
		s->guarded = true;
	}
	return add_work_ops(io, s);
}

static int sub_send(struct rbd_io *io, struct rbd_sub *s)
{
	/* the object's ops (codes) and snap context: which request a
	 * snapshot's clone (or its absence) on the OSD came from */
	if (cephc_log_threshold >= (int)CEPHC_LOG_TRACE) {
		char codes[64] = "";
		size_t n = 0;

		for (unsigned i = 0; i < s->ops.num_ops && n < 48; i++)
			n += (size_t)snprintf(codes + n, sizeof(codes) - n,
					      "%s%#x", i ? "," : "",
					      s->ops.ops[i].op_code);
		log_trace(SUBSYS,
			  "%s: io %d [%llu,+%llu) ops %s snapc %llu/%u "
			  "map %u",
			  s->oid, (int)io->kind,
			  (unsigned long long)s->c.obj_off,
			  (unsigned long long)s->c.len, codes,
			  (unsigned long long)s->req.snap_seq,
			  (unsigned)s->req.num_snaps,
			  (unsigned)rbd_om_state(io->img, s->c.objno));
	}
	return cephc_osdc_submit(rbd_osd_osdc(io->img->osd), &s->req);
}

/* The parent's bytes are in: the next request copies them up with (or
 * before) the change, or does the change alone when they are all zeros. */
static int copyup_build(struct rbd_io *io, struct rbd_sub *s)
{
	struct cephc_rbd_image *img = io->img;
	struct iovec in = {s->cbuf, (size_t)img->layout.object_size};
	struct cephc_osd_op *op;
	int ret;

	/* trailing zeros need not be written: holes read as zeros */
	while (in.iov_len && !s->cbuf[in.iov_len - 1])
		in.iov_len--;
	sub_reset(io, s);
	if (!in.iov_len) {
		/* the parent holds only zeros here: no copyup needed, and a
		 * change of a missing object reads the same as the parent */
		s->state = OBJ_OBJECT;
		return add_work_ops(io, s);
	}
	op = cephc_osd_ops_add(&s->ops);
	ret = op ? cephc_osd_op_call(op, CEPHC_RBD_CLS_NAME, "copyup", &in, 1,
				     true, 0)
		 : CEPHC_E2BIG;
	if (img->wnum_snaps) {
		/* alone, with an empty snap context: the snapshots taken
		 * since the clone see the parent's bytes */
		s->state = OBJ_COPYUP_ALONE;
		s->alone = true;
		s->req.snap_seq = 0;
		s->req.snaps = NULL;
		s->req.num_snaps = 0;
		return ret;
	}
	if (io->kind == IO_CMPWRITE) {
		/* alone too (with the image's snap context), then the
		 * compare runs against the copied-up bytes */
		s->state = OBJ_COPYUP_ALONE;
		s->alone = true;
		return ret;
	}
	s->state = OBJ_COPYUP;
	s->alone = false;
	return ret ? ret : add_work_ops(io, s);
}

static void copyup_read_done(cephc_rbd_completion *c, void *arg)
{
	struct rbd_sub *s = arg;
	int err = cephc_rbd_aio_get_return_value(c);

	cephc_rbd_aio_release(c);
	if (err && !s->cerr)
		s->cerr = err;
	if (--s->cpending == 0)
		obj_handle(s, s->cerr);
}

/*
 * ENOENT under the guard: read what the parent has for the whole object.
 * 0: the reads are out (obj_handle() gets their result once); else the
 * error.
 */
static int copyup_read(struct rbd_io *io, struct rbd_sub *s)
{
	struct cephc_rbd_image *img = io->img;
	const struct cephc_layout *l = &img->layout;
	uint64_t su = l->stripe_unit, per_obj = l->object_size / su;
	uint64_t first = object_first_img_off(l, s->c.objno);
	int ret;

	cephc_free(s->cbuf);
	s->cbuf = cephc_calloc(1, (size_t)l->object_size);
	s->cerr = 0;
	if (!s->cbuf)
		return CEPHC_ENOMEM;
	/* held while the reads are issued; each block of the object is one
	 * stripe unit of the image, stripe_count units apart */
	s->cpending = 1;
	for (uint64_t b = 0; b < per_obj; b++) {
		uint64_t img_off = first + b * su * l->stripe_count;

		if (img_off >= img->parent_overlap)
			break;
		s->cpending++;
		ret = rbd_image_read_parent(img, img_off, su, s->cbuf + b * su,
					    copyup_read_done, s);
		if (ret) {
			s->cpending--;
			if (ret != 1 && !s->cerr)
				s->cerr = ret;
			if (ret != 1)
				break;
		}
	}
	if (--s->cpending == 0)
		obj_handle(s, s->cerr);
	return 0;
}

/* A read's reply: zeros where the object has no bytes; a clone's missing
 * object reads from the parent.  true: done, with *result. */
static bool obj_read_reply(struct rbd_io *io, struct rbd_sub *s, int *result)
{
	int err = *result;

	if (err == CEPHC_ENOENT) {
		zero_tail(s, 0);
		*result = 0;
		/* a clone: the parent has these bytes, up to the overlap */
		if (io->img->parent) {
			s->state = OBJ_READ_PARENT;
			err = rbd_image_read_parent(io->img, s->img_off, s->len,
						    s->iov.iov_base,
						    parent_read_done, s);
			if (!err)
				return false;
			*result = err == 1 ? 0 : err;
		}
	} else if (!err) {
		zero_tail(s, s->ops.ops[0].op_outdata_len);
	}
	return true;
}

/* An object-map update of s is done (a failure has invalidated the
 * map; the change goes on regardless, as in librbd). */
static void map_done(void *arg, int err)
{
	(void)err;
	obj_handle(arg, 0);
}

/*
 * Before a change, the object map must say the object may exist: EXISTS,
 * or PENDING when the change removes it.  1: nothing to wait for; 0: the
 * update is in flight (map_done() follows); 2: the change is not needed
 * (a discard of an object the map knows is absent, with no parent bytes
 * under it); < 0: error.
 */
static int map_pre(struct rbd_io *io, struct rbd_sub *s)
{
	struct cephc_rbd_image *img = io->img;
	uint8_t state = CEPHC_RBD_OBJECT_EXISTS;

	if (io->kind == IO_DISCARD && !s->in_parent && rbd_om_trusted(img) &&
	    rbd_om_state(img, s->c.objno) == CEPHC_RBD_OBJECT_NONEXISTENT)
		return 2;
	if (s->removes)
		state = CEPHC_RBD_OBJECT_PENDING;
	return rbd_om_update(img, s->c.objno, state, RBD_OM_NO_FILTER,
			     map_done, s);
}

static void copyup_map_done(void *arg, int err)
{
	struct rbd_sub *s = arg;

	(void)err;
	if (--s->cpending == 0)
		obj_handle(s, 0);
}

/*
 * A copyup that gives the image's snapshots the parent's bytes: their
 * object maps say so first, oldest snapshot EXISTS and (fast-diff) the
 * later ones EXISTS_CLEAN, as librbd's copy-up does.  true: updates are
 * in flight (COPYUP_MAPS; copyup_map_done() moves on).
 */
static bool copyup_maps(struct rbd_io *io, struct rbd_sub *s)
{
	struct cephc_rbd_image *img = io->img;
	bool fast = img->meta.features & CEPHC_RBD_FEATURE_FAST_DIFF;
	uint32_t n = img->wnum_snaps;

	s->cpending = 1;
	/* a flatten's copyup (librbd: a copy-up with no write pending) has
	 * had no map update yet: HEAD says EXISTS, or EXISTS_CLEAN with
	 * fast-diff when the bytes belong to the snapshots too (a write's
	 * pre-update has done HEAD already) */
	if (io->kind == IO_COPYUP) {
		uint8_t head = s->alone && n && fast
				   ? CEPHC_RBD_OBJECT_EXISTS_CLEAN
				   : CEPHC_RBD_OBJECT_EXISTS;

		s->cpending++;
		if (rbd_om_update(img, s->c.objno, head, RBD_OM_NO_FILTER,
				  copyup_map_done, s))
			s->cpending--;
	}
	if (!s->alone)
		n = 0; /* no snapshot to give the parent's bytes */
	/* the snap context lists the newest first */
	for (uint32_t i = n; i-- > 0;) {
		uint8_t st = i == n - 1 || !fast
				 ? CEPHC_RBD_OBJECT_EXISTS
				 : CEPHC_RBD_OBJECT_EXISTS_CLEAN;

		s->cpending++;
		if (rbd_om_update_snap(img, img->wsnaps[i], s->c.objno, st,
				       copyup_map_done, s))
			s->cpending--;
	}
	if (--s->cpending == 0)
		return false;
	s->state = OBJ_COPYUP_MAPS;
	return true;
}

/*
 * Move s on by one step, given the result of the step in flight (0 for
 * START).  Returns false when the next step is in flight (its result
 * comes back here), true when the sub is done with *result.
 */
static bool obj_advance(struct rbd_sub *s, int *result)
{
	struct rbd_io *io = s->io;
	bool write = io->kind != IO_READ;

	switch (s->state) {
	case OBJ_START:
		s->state = OBJ_OBJECT;
		*result = build_sub(io, s);
		if (!*result && io->kind == IO_COPYUP) {
			/* no map update before: only a copyup changes it.  An
			 * object the map knows is absent needs no look; one
			 * past the overlap has nothing to copy up. */
			uint8_t st = rbd_om_trusted(io->img)
					 ? rbd_om_state(io->img, s->c.objno)
					 : CEPHC_RBD_OBJECT_PENDING;

			if (!s->in_parent || st == CEPHC_RBD_OBJECT_EXISTS ||
			    st == CEPHC_RBD_OBJECT_EXISTS_CLEAN)
				return true;
			if (st == CEPHC_RBD_OBJECT_NONEXISTENT) {
				s->state = OBJ_COPYUP_READ;
				*result = copyup_read(io, s);
				return *result != 0;
			}
		} else if (!*result && write) {
			int r = map_pre(io, s);

			if (r == 0) {
				s->state = OBJ_MAP_PRE;
				return false;
			}
			if (r == 2 || r < 0) {
				*result = r < 0 ? r : 0;
				return true;
			}
		}
		if (!*result)
			*result = sub_send(io, s);
		return *result != 0;
	case OBJ_MAP_PRE:
		s->state = OBJ_OBJECT;
		*result = sub_send(io, s);
		return *result != 0;
	case OBJ_OBJECT:
		if (!write)
			return obj_read_reply(io, s, result);
		if (*result == CEPHC_ENOENT && s->guarded) {
			/* the object still lives in the parent */
			s->state = OBJ_COPYUP_READ;
			*result = copyup_read(io, s);
			return *result != 0;
		}
		if (s->removes &&
		    (*result == 0 || *result == CEPHC_ENOENT)) {
			/* gone: the map says so, if it still says PENDING */
			s->saved = *result;
			if (!rbd_om_update(io->img, s->c.objno,
					   CEPHC_RBD_OBJECT_NONEXISTENT,
					   CEPHC_RBD_OBJECT_PENDING, map_done,
					   s)) {
				s->state = OBJ_MAP_POST;
				return false;
			}
		}
		break;
	case OBJ_MAP_POST:
		*result = s->saved;
		break;
	case OBJ_READ_PARENT:
		return true;
	case OBJ_COPYUP_READ:
		if (*result) /* the parent could not be read */
			return true;
		*result = copyup_build(io, s);
		if (!*result && io->kind == IO_COPYUP &&
		    s->state == OBJ_OBJECT)
			return true; /* only zeros: nothing to copy up */
		if (!*result &&
		    (s->state == OBJ_COPYUP_ALONE || io->kind == IO_COPYUP) &&
		    copyup_maps(io, s))
			return false;
		if (!*result)
			*result = sub_send(io, s);
		return *result != 0;
	case OBJ_COPYUP_MAPS:
		s->state = s->alone ? OBJ_COPYUP_ALONE : OBJ_COPYUP;
		*result = sub_send(io, s);
		return *result != 0;
	case OBJ_COPYUP_ALONE:
		if (*result || io->kind == IO_COPYUP)
			break;
		/* the lone copyup is done: now the change, snap context and
		 * all (no guard: the object exists) */
		sub_reset(io, s);
		s->state = OBJ_OBJECT;
		*result = add_work_ops(io, s);
		if (!*result)
			*result = sub_send(io, s);
		return *result != 0;
	case OBJ_COPYUP:
		break;
	}
	/* a change's reply: a discard or zeroing of no object is done */
	if (*result == CEPHC_ENOENT &&
	    (io->kind == IO_DISCARD || io->kind == IO_ZERO))
		*result = 0;
	if (io->kind == IO_CMPWRITE && *result < 0 &&
	    s->cmp_op < s->ops.num_ops) {
		uint64_t i;
		int32_t rv = s->ops.ops[s->cmp_op].op_rval;

		/* byte i of the compare buffer differs (the op's rval, and
		 * the request's result, say -(MAX_ERRNO + i)); the buffer
		 * starts at the chunk's image offset (one contiguous chunk) */
		if (!cephc_osd_cmpext_mismatch(rv, &i))
			rv = *result;
		if (cephc_osd_cmpext_mismatch(rv, &i) && i < s->c.len) {
			io->mismatch = s->c.img_off + i;
			*result = CEPHC_EILSEQ;
		}
	}
	return true;
}

/* A step of s finished with result: advance, and finish s when done. */
static void obj_handle(struct rbd_sub *s, int result)
{
	struct rbd_io *io = s->io;

	if (!obj_advance(s, &result))
		return;
	if (result && !io->result) {
		log_debug(SUBSYS, "%s: %s", s->oid, cephc_strerror(result));
		io->result = result;
	}
	io_put(io);
}

static void sub_done(struct cephc_osdc_req *req, int err)
{
	log_trace(SUBSYS, "%s: reply %s", ((struct rbd_sub *)req)->oid,
		  cephc_strerror(err));
	obj_handle((struct rbd_sub *)req, err);
}

/* Plan the I/O and start its subs (io->pending holds it meanwhile). */
static void io_run(struct rbd_io *io)
{
	struct cephc_rbd_image *img = io->img;
	struct rbd_plan a = {0};
	uint64_t len = io->len;
	int ret;

	if (io->kind == IO_READ && io->off + len > io->size) {
		/* Past the end reads as zeros. */
		uint64_t in = io->off < io->size ? io->size - io->off : 0;
		memset(io->buf + in, 0, len - in);
		len = in;
	}
	if (io->kind == IO_COPYUP) {
		/* one sub: the whole object */
		struct cephc_stripe_chunk c = {
		    io->objno, 0, object_first_img_off(&img->layout, io->objno),
		    img->layout.object_size};

		a.v = cephc_malloc(sizeof(*a.v));
		ret = a.v ? 0 : CEPHC_ENOMEM;
		if (a.v) {
			a.v[0] = c;
			a.n = a.cap = 1;
		}
	} else {
		ret = rbd_plan_build(&a, &img->layout, io->off, len,
				     io->kind == IO_DISCARD ||
					 io->kind == IO_ZERO ||
					 io->kind == IO_CMPWRITE);
	}
	if (ret)
		io->result = ret;
	/* checked on submission: one object, so one merged extent */
	if (!ret && io->kind == IO_CMPWRITE && a.n != 1)
		io->result = CEPHC_EINVAL;
	if (!io->result && a.n) {
		io->subs = cephc_calloc(a.n, sizeof(*io->subs));
		if (!io->subs)
			io->result = CEPHC_ENOMEM;
	}
	for (unsigned i = 0; !io->result && i < a.n; i++) {
		struct rbd_sub *s = &io->subs[i];

		s->io = io;
		s->c = a.v[i];
		s->state = OBJ_START;
		io->nsubs = i + 1;
		io->pending++; /* the sub's, until it is done */
		obj_handle(s, 0);
	}
	rbd_plan_free(&a);
	io_put(io);
}

/* The exclusive lock's answer for a write that waited for it. */
static void io_lock_resume(struct rbd_lock_waiter *w, int err)
{
	struct rbd_io *io =
	    (struct rbd_io *)(void *)((char *)w - offsetof(struct rbd_io, lw));

	if (err) {
		io->result = err;
		io_put(io);
		return;
	}
	io->pinned = true;
	io_run(io);
}

static void io_start(struct rbd_osd_work *w)
{
	struct rbd_io *io = (struct rbd_io *)w;
	struct cephc_rbd_image *img = io->img;

	io->pending = 1; /* held until every sub is submitted */
	if (io->kind != IO_READ)
		img->writes_in_flight++;
	if (io->kind == IO_FLUSH) {
		struct rbd_flush *f = cephc_calloc(1, sizeof(*f));
		img->writes_in_flight--;
		if (!f) {
			io->result = CEPHC_ENOMEM;
		} else {
			f->io = io;
			io->pending++;
			f->next = img->flushes;
			img->flushes = f;
			flushes_kick(img);
		}
		io_put(io);
		return;
	}
	/* a change needs the exclusive lock; a trim or a flatten's copyup
	 * runs under its operation's pin */
	if (io->kind != IO_READ && !io->trim && io->kind != IO_COPYUP) {
		int r;

		io->lw.fn = io_lock_resume;
		r = rbd_exlock_gate(img, &io->lw);
		if (r == 0)
			return; /* io_lock_resume() goes on */
		if (r < 0) {
			io->result = r;
			io_put(io);
			return;
		}
		io->pinned = r == 1;
	}
	io_run(io);
}

/* ---- API -------------------------------------------------------------- */

/* Compare-and-write's extras; NULL for every other kind. */
struct rbd_cmp_args {
	const void *cmp;
	uint64_t *mismatch_off;
};

static int submit_io(struct cephc_rbd_image *img, enum rbd_io_kind kind,
		     uint64_t off, uint64_t len, void *buf,
		     const struct rbd_cmp_args *cmp,
		     struct cephc_rbd_completion *comp)
{
	struct rbd_io *io;
	uint64_t size;

	if (!img || !comp || (len && !buf && kind <= IO_WRITE))
		return CEPHC_EINVAL;
	if (kind == IO_CMPWRITE) {
		struct cephc_stripe_chunk one;

		if (!cmp || !buf || !cmp->cmp ||
		    rbd_plan_one_object(&img->layout, off, len, &one))
			return CEPHC_EINVAL;
	}
	if (kind != IO_READ && kind != IO_FLUSH && img->read_only)
		return CEPHC_EROFS;
	pthread_mutex_lock(&img->lock);
	size = img->size;
	if (kind != IO_FLUSH &&
	    (off > size || (kind != IO_READ && len > size - off))) {
		pthread_mutex_unlock(&img->lock);
		return CEPHC_EINVAL;
	}
	if (kind == IO_READ && len > SIZE_MAX - off) {
		pthread_mutex_unlock(&img->lock);
		return CEPHC_EINVAL;
	}
	io = cephc_calloc(1, sizeof(*io));
	if (!io) {
		pthread_mutex_unlock(&img->lock);
		return CEPHC_ENOMEM;
	}
	img->aio_pending++;
	pthread_mutex_unlock(&img->lock);
	io->img = img;
	io->comp = comp;
	io->kind = kind;
	io->off = off;
	io->len = len;
	io->buf = buf;
	if (cmp) {
		io->cmp = cmp->cmp;
		io->mismatch_off = cmp->mismatch_off;
	}
	io->size = size;
	io->work.fn = io_start;
	pthread_mutex_lock(&comp->lock);
	comp->submitted = true;
	comp->cl = img->c;
	pthread_mutex_unlock(&comp->lock);
	rbd_osd_submit_work(img->osd, &io->work);
	return 0;
}

static int submit(struct cephc_rbd_image *img, enum rbd_io_kind kind,
		  uint64_t off, uint64_t len, void *buf,
		  struct cephc_rbd_completion *comp)
{
	return submit_io(img, kind, off, len, buf, NULL, comp);
}

int cephc_rbd_aio_read(cephc_rbd_image *img, uint64_t off, size_t len,
		       void *buf, cephc_rbd_completion *comp)
{
	return submit(img, IO_READ, off, len, buf, comp);
}

int cephc_rbd_aio_write(cephc_rbd_image *img, uint64_t off, size_t len,
			const void *buf, cephc_rbd_completion *comp)
{
	/* Sent from, never written to. */
	return submit(img, IO_WRITE, off, len, (void *)(uintptr_t)buf, comp);
}

int cephc_rbd_aio_discard(cephc_rbd_image *img, uint64_t off, uint64_t len,
			  cephc_rbd_completion *comp)
{
	return submit(img, IO_DISCARD, off, len, NULL, comp);
}

int cephc_rbd_aio_write_zeroes(cephc_rbd_image *img, uint64_t off, uint64_t len,
			       cephc_rbd_completion *comp)
{
	return submit(img, IO_ZERO, off, len, NULL, comp);
}

int cephc_rbd_aio_flush(cephc_rbd_image *img, cephc_rbd_completion *comp)
{
	return submit(img, IO_FLUSH, 0, 0, NULL, comp);
}

int cephc_rbd_aio_compare_and_write(cephc_rbd_image *img, uint64_t off,
				    size_t len, const void *cmp,
				    const void *buf, uint64_t *mismatch_off,
				    cephc_rbd_completion *comp)
{
	struct rbd_cmp_args a = {cmp, mismatch_off};

	/* buf is sent from, never written to */
	return submit_io(img, IO_CMPWRITE, off, len, (void *)(uintptr_t)buf,
			 &a, comp);
}

int cephc_rbd_compare_and_write(cephc_rbd_image *img, uint64_t off,
				size_t len, const void *cmp, const void *buf,
				uint64_t *mismatch_off)
{
	struct cephc_rbd_completion *c;
	int ret = cephc_rbd_aio_create_completion(NULL, NULL, &c);

	if (ret)
		return ret;
	ret = cephc_rbd_aio_compare_and_write(img, off, len, cmp, buf,
					      mismatch_off, c);
	if (!ret) {
		cephc_rbd_aio_wait(c);
		ret = c->result;
	}
	comp_free(c);
	return ret;
}

static int sync_io(struct cephc_rbd_image *img, enum rbd_io_kind kind,
		   uint64_t off, uint64_t len, void *buf)
{
	struct cephc_rbd_completion *c;
	int ret = cephc_rbd_aio_create_completion(NULL, NULL, &c);

	if (ret)
		return ret;
	ret = submit(img, kind, off, len, buf, c);
	if (!ret) {
		cephc_rbd_aio_wait(c);
		ret = c->result;
	}
	comp_free(c);
	return ret;
}

int cephc_rbd_read(cephc_rbd_image *img, uint64_t off, size_t len, void *buf)
{
	return sync_io(img, IO_READ, off, len, buf);
}

int cephc_rbd_write(cephc_rbd_image *img, uint64_t off, size_t len,
		    const void *buf)
{
	return sync_io(img, IO_WRITE, off, len, (void *)(uintptr_t)buf);
}

int cephc_rbd_discard(cephc_rbd_image *img, uint64_t off, uint64_t len)
{
	return sync_io(img, IO_DISCARD, off, len, NULL);
}

int cephc_rbd_write_zeroes(cephc_rbd_image *img, uint64_t off, uint64_t len)
{
	return sync_io(img, IO_ZERO, off, len, NULL);
}

int cephc_rbd_flush(cephc_rbd_image *img)
{
	return sync_io(img, IO_FLUSH, 0, 0, NULL);
}

int rbd_image_trim(struct cephc_rbd_image *img, uint64_t new_size,
		   uint64_t old_size)
{
	struct cephc_rbd_completion *c;
	struct rbd_io *io;
	int ret;

	if (new_size >= old_size)
		return 0;
	ret = cephc_rbd_aio_create_completion(NULL, NULL, &c);
	if (ret)
		return ret;
	io = cephc_calloc(1, sizeof(*io));
	if (!io) {
		comp_free(c);
		return CEPHC_ENOMEM;
	}
	pthread_mutex_lock(&img->lock);
	img->aio_pending++;
	pthread_mutex_unlock(&img->lock);
	io->img = img;
	io->comp = c;
	io->kind = IO_DISCARD;
	io->trim = true;
	io->off = new_size;
	io->len = old_size - new_size;
	io->size = old_size;
	io->work.fn = io_start;
	rbd_osd_submit_work(img->osd, &io->work);
	cephc_rbd_aio_wait(c);
	ret = c->result;
	comp_free(c);
	return ret;
}

int rbd_image_copyup_object(struct cephc_rbd_image *img, uint64_t objno,
			    cephc_rbd_completion *comp)
{
	struct rbd_io *io;

	if (!img || !comp)
		return CEPHC_EINVAL;
	if (img->read_only)
		return CEPHC_EROFS;
	io = cephc_calloc(1, sizeof(*io));
	if (!io)
		return CEPHC_ENOMEM;
	pthread_mutex_lock(&img->lock);
	img->aio_pending++;
	io->size = img->size;
	pthread_mutex_unlock(&img->lock);
	io->img = img;
	io->comp = comp;
	io->kind = IO_COPYUP;
	io->objno = objno;
	io->work.fn = io_start;
	pthread_mutex_lock(&comp->lock);
	comp->submitted = true;
	comp->cl = img->c;
	pthread_mutex_unlock(&comp->lock);
	rbd_osd_submit_work(img->osd, &io->work);
	return 0;
}
