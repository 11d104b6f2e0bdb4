/* SPDX-License-Identifier: MIT */
/*
 * nbdkit plugin serving RBD images through cephc:
 *
 *     nbdkit cephc image=POOL/[NS/]IMAGE[@SNAP] [conf=...] [id=|name=...]
 *     nbdkit cephc pool=POOL [namespace=NS]   (the export name picks it)
 *
 * Only the public API in include/cephc/ is used.  One cluster handle per
 * nbdkit process and one image handle per image, shared by every
 * connection: cephc's handles are thread-safe and cephc keeps no client
 * cache, so a write acknowledged on one connection is visible on all of
 * them (multi-conn) and is already on the OSDs (native FUA).
 *
 * nbdkit callbacks are synchronous: each worker thread blocks in one
 * cephc call, and nbdkit's buffer is handed to cephc as it is (cephc sends
 * from it and receives into it without copying), which is safe because
 * the call returns only after the request completed.
 */
#define NBDKIT_API_VERSION 2
#include <nbdkit-plugin.h>

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "cephc/rbd.h"

#define THREAD_MODEL NBDKIT_THREAD_MODEL_PARALLEL

/* nbdkit 1.32 never sends more than 32 MiB in one request. */
#define PLUGIN_MAX_REQUEST (32u << 20)
/* Objects whose existence one block-status request may look up: clients
 * ask again from where the answer stopped. */
#define PLUGIN_EXTENT_OBJECTS 64u

/* ---- configuration (written by .config only, read-only afterwards) ---- */

static char *cfg_conf;    /* ceph.conf path (absolute) */
static char *cfg_id;      /* client id ("admin") */
static char *cfg_name;    /* full name ("client.admin") */
static char *cfg_keyring; /* keyring path (absolute) */
static char *cfg_mon_host;
static char *cfg_pool;
static char *cfg_nspace;
static char *cfg_image; /* the image= spec, or NULL in pool mode */
static bool cfg_readonly;
static uint32_t cfg_timeout_ms; /* 0: cephc's default */
static bool cfg_timeout_set;

static cephc_cluster *cluster;

/* ---- one shared image handle per (namespace, image, snapshot) ------------ */

struct shared_image {
	struct shared_image *next;
	char *key; /* "ns/image@snap" as parsed, for lookup */
	cephc_rbd_image *img;
	bool writable;
	uint64_t size;
	uint64_t extent_window; /* bytes one block-status reply covers */
	unsigned refs;
};

static pthread_mutex_t images_lock = PTHREAD_MUTEX_INITIALIZER;
static struct shared_image *images;

/* A parsed image spec: pool, namespace, name, snapshot (NULL if none). */
struct image_spec {
	char *buf; /* owns the strings below */
	const char *pool, *nspace, *name, *snap;
};

/* ---- errors -------------------------------------------------------------- */

/*
 * cephc returns negative errno values, plus protocol codes beyond the
 * errno range.  nbdkit wants a positive errno: protocol codes become EIO,
 * except "features this client lacks", which for an image means cephc may
 * only read it.
 */
static int to_errno(int err)
{
	if (err >= 0)
		return EIO;
	if (err == CEPHC_EFEATURES)
		return EROFS;
	if (cephc_err_is_protocol(err))
		return EIO;
	return -err;
}

/* Report a failed cephc call: log line plus the errno the client sees. */
static int fail(int err, const char *what)
{
	nbdkit_error("cephc: %s: %s", what, cephc_strerror(err));
	nbdkit_set_error(to_errno(err));
	return -1;
}

/*
 * The same for a request.  NBD has few error codes and nbdkit turns every
 * errno it does not know into EINVAL, which tells a client its request was
 * wrong; a timed-out or failed I/O must read as EIO instead.
 */
static int fail_io(int err, const char *what)
{
	int e = to_errno(err);

	switch (e) {
	case EPERM:
	case EROFS:
	case EIO:
	case ENOMEM:
	case ENOSPC:
	case EDQUOT:
	case EFBIG:
	case EINVAL:
	case ENOTSUP:
	case ESHUTDOWN: /* blocklisted: the client should not retry */
		break;
	default:
		e = EIO;
	}
	nbdkit_error("cephc: %s: %s", what, cephc_strerror(err));
	nbdkit_set_error(e);
	return -1;
}

/* ---- image specs --------------------------------------------------------- */

static void spec_free(struct image_spec *s)
{
	free(s->buf);
	memset(s, 0, sizeof(*s));
}

/*
 * Parse "[POOL/][NS/]IMAGE[@SNAP]".  With default_pool the pool part is
 * optional (pool mode: export names are "IMAGE", "NS/IMAGE" and either
 * with "@SNAP"; the default namespace is default_ns).
 */
static int spec_parse(const char *text, const char *default_pool,
		      const char *default_ns, struct image_spec *s)
{
	char *parts[3];
	int n = 0;
	char *p, *at;

	memset(s, 0, sizeof(*s));
	if (!text || !*text)
		return -1;
	s->buf = strdup(text);
	if (!s->buf)
		return -1;
	at = strchr(s->buf, '@');
	if (at) {
		*at = '\0';
		s->snap = at + 1;
		if (!*s->snap)
			goto bad;
	}
	p = s->buf;
	for (;;) {
		char *slash = strchr(p, '/');

		if (n == 3)
			goto bad;
		parts[n++] = p;
		if (!slash)
			break;
		*slash = '\0';
		p = slash + 1;
	}
	for (int i = 0; i < n; i++)
		if (!*parts[i])
			goto bad;
	if (default_pool) {
		/* pool mode: the export name never names a pool */
		if (n == 3)
			goto bad;
		s->pool = default_pool;
		s->nspace = n == 2 ? parts[0] : default_ns;
		s->name = parts[n - 1];
	} else {
		if (n < 2)
			goto bad;
		s->pool = parts[0];
		s->nspace = n == 3 ? parts[1] : default_ns;
		s->name = parts[n - 1];
	}
	if (!s->nspace)
		s->nspace = "";
	return 0;
bad:
	spec_free(s);
	return -1;
}

/* ---- lifecycle ----------------------------------------------------------- */

static void cephc_unload(void)
{
	free(cfg_conf);
	free(cfg_id);
	free(cfg_name);
	free(cfg_keyring);
	free(cfg_mon_host);
	free(cfg_pool);
	free(cfg_nspace);
	free(cfg_image);
}

/* Replace *slot with a copy of value (paths made absolute: nbdkit
 * chdir()s to / when it daemonizes). */
static int set_str(char **slot, const char *value, bool path)
{
	char *v = path ? nbdkit_absolute_path(value) : strdup(value);

	if (!v) {
		if (!path)
			nbdkit_error("out of memory");
		return -1;
	}
	free(*slot);
	*slot = v;
	return 0;
}

static int cephc_config(const char *key, const char *value)
{
	if (strcmp(key, "image") == 0)
		return set_str(&cfg_image, value, false);
	if (strcmp(key, "pool") == 0)
		return set_str(&cfg_pool, value, false);
	if (strcmp(key, "namespace") == 0)
		return set_str(&cfg_nspace, value, false);
	if (strcmp(key, "conf") == 0)
		return set_str(&cfg_conf, value, true);
	if (strcmp(key, "keyring") == 0)
		return set_str(&cfg_keyring, value, true);
	if (strcmp(key, "id") == 0 || strcmp(key, "user") == 0)
		return set_str(&cfg_id, value, false);
	if (strcmp(key, "name") == 0)
		return set_str(&cfg_name, value, false);
	if (strcmp(key, "mon_host") == 0 || strcmp(key, "mon-host") == 0)
		return set_str(&cfg_mon_host, value, false);
	if (strcmp(key, "readonly") == 0) {
		int r = nbdkit_parse_bool(value);

		if (r < 0)
			return -1;
		cfg_readonly = r;
		return 0;
	}
	if (strcmp(key, "timeout") == 0) {
		uint32_t sec;

		if (nbdkit_parse_uint32_t("timeout", value, &sec) == -1)
			return -1;
		if (sec > UINT32_MAX / 1000) {
			nbdkit_error("timeout=%s: too large", value);
			return -1;
		}
		cfg_timeout_ms = sec * 1000;
		cfg_timeout_set = true;
		return 0;
	}
	nbdkit_error("unknown parameter '%s'", key);
	return -1;
}

static int cephc_config_complete(void)
{
	struct image_spec s;

	if (!cfg_image && !cfg_pool) {
		nbdkit_error("give image=POOL/[NS/]IMAGE[@SNAP] or pool=POOL");
		return -1;
	}
	if (cfg_image) {
		if (spec_parse(cfg_image, NULL, cfg_nspace, &s) == -1) {
			nbdkit_error("image=%s: expected "
				     "POOL/[NS/]IMAGE[@SNAP]",
				     cfg_image);
			return -1;
		}
		spec_free(&s);
		if (cfg_pool) {
			nbdkit_error("give image= or pool=, not both");
			return -1;
		}
	}
	if (cfg_id && cfg_name) {
		nbdkit_error("give id= or name=, not both");
		return -1;
	}
	return 0;
}

#define cephc_config_help                                                      \
	"image=POOL/[NS/]IMAGE[@SNAP]  The image to serve (snapshots are\n"    \
	"                              read-only).\n"                          \
	"pool=POOL                     Serve the pool's images instead: the\n" \
	"                              export name ([NS/]IMAGE[@SNAP]) "       \
	"picks\n"                                                              \
	"                              one, the export list shows them.\n"     \
	"namespace=NS                  Default RBD namespace.\n"               \
	"conf=CEPH.CONF                Configuration file (default: as\n"      \
	"                              librados: $CEPH_CONF, "                 \
	"/etc/ceph/...).\n"                                                    \
	"id=ID | name=TYPE.ID          Client to authenticate as (admin).\n"   \
	"keyring=FILE                  Keyring holding the client's key.\n"    \
	"mon_host=ADDRS                Monitors, overriding the conf file.\n"  \
	"readonly=true                 Never write, even to writable "         \
	"images.\n"                                                            \
	"timeout=SECONDS               Bound on connect and on each request\n" \
	"                              (default 30; 0: wait forever)."

/* Configure the cluster handle; no thread starts before connect, so this
 * is safe before nbdkit forks. */
static int cephc_get_ready(void)
{
	char *argv[8];
	int argc = 0, rest = 0, r;

	r = cephc_cluster_create(&cluster, NULL);
	if (r)
		return fail(r, "creating the cluster handle");
	if (cfg_id) {
		argv[argc++] = (char *)"--id";
		argv[argc++] = cfg_id;
	}
	if (cfg_name) {
		argv[argc++] = (char *)"--name";
		argv[argc++] = cfg_name;
	}
	if (cfg_keyring) {
		argv[argc++] = (char *)"--keyring";
		argv[argc++] = cfg_keyring;
	}
	if (cfg_mon_host) {
		argv[argc++] = (char *)"--mon_host";
		argv[argc++] = cfg_mon_host;
	}
	/* also applies CEPH_ARGS, as every Ceph client does */
	r = cephc_cluster_conf_parse_argv(cluster, argc, argv, &rest);
	if (!r)
		r = cephc_cluster_conf_read_file(cluster, cfg_conf);
	if (r) {
		fail(r, cfg_conf ? cfg_conf : "reading ceph.conf");
		cephc_cluster_destroy(cluster);
		cluster = NULL;
		return -1;
	}
	if (cfg_timeout_set)
		cephc_cluster_set_timeout(cluster, cfg_timeout_ms);
	return 0;
}

/* Connect after the fork: the handle's event-loop thread would not survive
 * it.  A cluster out of reach stops nbdkit here, bounded by timeout=. */
static int cephc_after_fork(void)
{
	int r = cephc_cluster_connect(cluster);

	if (r) {
		nbdkit_error("cephc: connect: %s (%s)",
			     cephc_cluster_last_error(cluster),
			     cephc_strerror(r));
		nbdkit_set_error(to_errno(r));
		return -1;
	}
	return 0;
}

static void cephc_cleanup(void)
{
	/* every connection is closed by now, so every image is too */
	if (cluster)
		cephc_cluster_destroy(cluster);
	cluster = NULL;
}

/* ---- exports ------------------------------------------------------------- */

static int cephc_list_exports(int readonly, int is_tls,
			      struct nbdkit_exports *exports)
{
	struct cephc_rbd_image_spec *specs = NULL;
	size_t count = 0;
	int r;

	if (cfg_image)
		return nbdkit_use_default_export(exports);
	r = cephc_rbd_list_ns(cluster, cfg_pool, cfg_nspace, &specs, &count);
	if (r)
		return fail(r, "listing images");
	for (size_t i = 0; i < count && r == 0; i++)
		if (*specs[i].name)
			r = nbdkit_add_export(exports, specs[i].name, NULL);
	cephc_buffer_free(specs);
	return r;
}

static const char *cephc_default_export(int readonly, int is_tls)
{
	/* pool mode has no default image: "" fails in .open */
	return cfg_image ? cfg_image : "";
}

/* ---- connections --------------------------------------------------------- */

struct conn {
	struct shared_image *si;
};

/* Open (or share) the image of spec s.  Caller holds images_lock. */
static struct shared_image *image_get(const struct image_spec *s,
				      const char *key, bool readonly)
{
	struct shared_image *si;
	struct cephc_rbd_info info;
	unsigned flags = 0;
	int r;

	for (si = images; si; si = si->next)
		if (strcmp(si->key, key) == 0) {
			si->refs++;
			return si;
		}
	si = calloc(1, sizeof(*si));
	if (!si || !(si->key = strdup(key))) {
		free(si);
		nbdkit_error("out of memory");
		nbdkit_set_error(ENOMEM);
		return NULL;
	}
	/* snapshots and readonly= are read-only; so is an image with
	 * features cephc may only read (journaling, ...): served with
	 * can_write false, nbdkit refuses writes (EPERM: NBD has no EROFS).
	 * An exclusive-lock image is written under the automatic policy:
	 * the lock goes to any client that asks and comes back on our next
	 * write */
	if (cfg_readonly || s->snap || readonly)
		flags |= CEPHC_RBD_OPEN_READ_ONLY;
	r = cephc_rbd_open_ns(cluster, s->pool, s->nspace, s->name, s->snap,
			      flags, &si->img);
	if (r == CEPHC_EFEATURES && !(flags & CEPHC_RBD_OPEN_READ_ONLY)) {
		nbdkit_debug("cephc: %s: %s; serving it read-only", key,
			     cephc_rbd_last_error());
		flags |= CEPHC_RBD_OPEN_READ_ONLY;
		r = cephc_rbd_open_ns(cluster, s->pool, s->nspace, s->name,
				      s->snap, flags, &si->img);
	}
	if (!r)
		r = cephc_rbd_stat(si->img, &info);
	if (r) {
		const char *why = cephc_rbd_last_error();

		nbdkit_error("cephc: opening image %s: %s%s%s", key,
			     cephc_strerror(r), *why ? ": " : "", why);
		nbdkit_set_error(to_errno(r));
		if (si->img)
			cephc_rbd_close(si->img);
		free(si->key);
		free(si);
		return NULL;
	}
	si->writable = !info.read_only;
	si->size = info.size;
	si->extent_window = info.object_size *
			    (info.stripe_count ? info.stripe_count : 1) *
			    PLUGIN_EXTENT_OBJECTS;
	si->refs = 1;
	si->next = images;
	images = si;
	return si;
}

static void image_put(struct shared_image *si)
{
	struct shared_image **pp;

	pthread_mutex_lock(&images_lock);
	if (--si->refs) {
		pthread_mutex_unlock(&images_lock);
		return;
	}
	for (pp = &images; *pp != si; pp = &(*pp)->next)
		;
	*pp = si->next;
	pthread_mutex_unlock(&images_lock);
	/* waits for nothing: nbdkit calls .close after the connection's
	 * last request returned */
	cephc_rbd_close(si->img);
	free(si->key);
	free(si);
}

static void *cephc_open(int readonly)
{
	const char *export = nbdkit_export_name();
	struct image_spec s;
	struct conn *h;
	char key[4096];

	if (cfg_image) {
		/* one image: the export name is only a label */
		if (spec_parse(cfg_image, NULL, cfg_nspace, &s) == -1) {
			nbdkit_set_error(EINVAL);
			return NULL;
		}
	} else if (!export || !*export) {
		nbdkit_error("pool=%s: the export name must name an image "
			     "(nbdinfo --list shows them)",
			     cfg_pool);
		nbdkit_set_error(ENOENT);
		return NULL;
	} else if (spec_parse(export, cfg_pool, cfg_nspace, &s) == -1) {
		nbdkit_error("export name '%s': expected [NS/]IMAGE[@SNAP]",
			     export);
		nbdkit_set_error(EINVAL);
		return NULL;
	}
	if ((size_t)snprintf(key, sizeof(key), "%s/%s/%s@%s", s.pool, s.nspace,
			     s.name, s.snap ? s.snap : "") >= sizeof(key)) {
		spec_free(&s);
		nbdkit_error("image name too long");
		nbdkit_set_error(ENAMETOOLONG);
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		spec_free(&s);
		nbdkit_set_error(ENOMEM);
		return NULL;
	}
	pthread_mutex_lock(&images_lock);
	/* nbdkit -r: no need for a read-write open (and its header watch);
	 * a shared handle opened so stays read-only for later connections */
	h->si = image_get(&s, key, readonly);
	pthread_mutex_unlock(&images_lock);
	spec_free(&s);
	if (!h->si) {
		free(h);
		return NULL;
	}
	return h;
}

static void cephc_close(void *handle)
{
	struct conn *h = handle;

	image_put(h->si);
	free(h);
}

static int64_t cephc_get_size(void *handle)
{
	struct conn *h = handle;
	struct cephc_rbd_info info;
	int r = cephc_rbd_stat(h->si->img, &info);

	if (r)
		return fail(r, "stat");
	/* the header watch keeps it current after another client's resize */
	return (int64_t)info.size;
}

static int cephc_block_size(void *handle, uint32_t *minimum,
			    uint32_t *preferred, uint32_t *maximum)
{
	/* byte-granular (cephc has no alignment rule); 4 KiB avoids
	 * read-modify-write in clients that care */
	*minimum = 1;
	*preferred = 4096;
	*maximum = PLUGIN_MAX_REQUEST;
	return 0;
}

static int cephc_can_write(void *handle)
{
	struct conn *h = handle;

	return h->si->writable;
}

static int cephc_can_multi_conn(void *handle)
{
	/* no client cache: every connection sees every completed write */
	return 1;
}

static int cephc_can_fua(void *handle)
{
	/* a completed cephc write is committed by all OSDs of its PG */
	return NBDKIT_FUA_NATIVE;
}

static int cephc_can_cache(void *handle)
{
	/* advisory: there is no cache to fill, so nothing to do */
	return NBDKIT_CACHE_NATIVE;
}

static int cephc_can_true(void *handle)
{
	return 1;
}

/* ---- I/O ----------------------------------------------------------------- */

static int cephc_pread(void *handle, void *buf, uint32_t count, uint64_t offset,
		       uint32_t flags)
{
	struct conn *h = handle;
	int r = cephc_rbd_read(h->si->img, offset, count, buf);

	return r ? fail_io(r, "read") : 0;
}

static int cephc_pwrite(void *handle, const void *buf, uint32_t count,
			uint64_t offset, uint32_t flags)
{
	struct conn *h = handle;
	int r;

	if (!h->si->writable) {
		nbdkit_error("cephc: image is read-only");
		nbdkit_set_error(EROFS);
		return -1;
	}
	/* FUA needs nothing more: the call returns once the OSDs committed */
	r = cephc_rbd_write(h->si->img, offset, count, buf);
	return r ? fail_io(r, "write") : 0;
}

static int cephc_flush(void *handle, uint32_t flags)
{
	struct conn *h = handle;
	int r = cephc_rbd_flush(h->si->img);

	return r ? fail_io(r, "flush") : 0;
}

static int cephc_trim(void *handle, uint32_t count, uint64_t offset,
		      uint32_t flags)
{
	struct conn *h = handle;
	int r;

	if (!h->si->writable) {
		nbdkit_set_error(EROFS);
		return -1;
	}
	r = cephc_rbd_discard(h->si->img, offset, count);
	return r ? fail_io(r, "discard") : 0;
}

static int cephc_zero(void *handle, uint32_t count, uint64_t offset,
		      uint32_t flags)
{
	struct conn *h = handle;
	int r;

	if (!h->si->writable) {
		nbdkit_set_error(EROFS);
		return -1;
	}
	/* Both are payload-free OSD operations, so always fast.  A discard
	 * (allowed by MAY_TRIM) deletes whole objects instead of writing
	 * zeros into them, and reads back as zeros too. */
	if (flags & NBDKIT_FLAG_MAY_TRIM)
		r = cephc_rbd_discard(h->si->img, offset, count);
	else
		r = cephc_rbd_write_zeroes(h->si->img, offset, count);
	return r ? fail_io(r, "write zeroes") : 0;
}

static int cephc_cache(void *handle, uint32_t count, uint64_t offset,
		       uint32_t flags)
{
	return 0;
}

struct extent_ctx {
	struct nbdkit_extents *extents;
	bool req_one;
	bool failed; /* nbdkit_add_extent failed (and set the error) */
};

static int add_extent(void *arg, uint64_t off, uint64_t len, bool allocated)
{
	struct extent_ctx *x = arg;
	uint32_t type = allocated ? 0 : NBDKIT_EXTENT_HOLE | NBDKIT_EXTENT_ZERO;

	if (nbdkit_add_extent(x->extents, off, len, type) == -1) {
		x->failed = true;
		return 1;
	}
	/* one extent answers a REQ_ONE request */
	return x->req_one ? 1 : 0;
}

static int cephc_extents(void *handle, uint32_t count, uint64_t offset,
			 uint32_t flags, struct nbdkit_extents *extents)
{
	struct conn *h = handle;
	struct extent_ctx x = {extents, (flags & NBDKIT_FLAG_REQ_ONE) != 0,
			       false};
	uint64_t len = count;
	int r;

	/* a partial answer is fine: the client asks again from its end */
	if (len > h->si->extent_window)
		len = h->si->extent_window;
	r = cephc_rbd_allocated_extents(h->si->img, offset, len, add_extent,
					&x);
	if (x.failed)
		return -1;
	return r < 0 ? fail_io(r, "block status") : 0;
}

static struct nbdkit_plugin plugin = {
    .name = "cephc",
    .longname = "cephc RBD plugin (userspace Ceph client, no librbd)",
    .version = "0.1.0",
    .description = "Serve Ceph RBD images over NBD with cephc.",
    .magic_config_key = "image",
    .unload = cephc_unload,
    .config = cephc_config,
    .config_complete = cephc_config_complete,
    .config_help = cephc_config_help,
    .get_ready = cephc_get_ready,
    .after_fork = cephc_after_fork,
    .cleanup = cephc_cleanup,
    .list_exports = cephc_list_exports,
    .default_export = cephc_default_export,
    .open = cephc_open,
    .close = cephc_close,
    .get_size = cephc_get_size,
    .block_size = cephc_block_size,
    .can_write = cephc_can_write,
    .can_flush = cephc_can_true,
    .can_trim = cephc_can_true,
    .can_zero = cephc_can_true,
    .can_fast_zero = cephc_can_true,
    .can_extents = cephc_can_true,
    .can_fua = cephc_can_fua,
    .can_multi_conn = cephc_can_multi_conn,
    .can_cache = cephc_can_cache,
    .pread = cephc_pread,
    .pwrite = cephc_pwrite,
    .flush = cephc_flush,
    .trim = cephc_trim,
    .zero = cephc_zero,
    .extents = cephc_extents,
    .cache = cephc_cache,
    .errno_is_preserved = 0,
};

/* nbdkit's entry point, defined by the macro below (declared here for
 * -Wmissing-prototypes) */
struct nbdkit_plugin *plugin_init(void);
NBDKIT_REGISTER_PLUGIN(plugin)
