/* SPDX-License-Identifier: MIT */
/*
 * fsx for cephc RBD images: random reads, writes, discards, write-zeroes
 * and resizes of random sizes and alignments, checked byte for byte
 * against an in-memory copy of the image.  The seed is printed; -S and -N
 * replay a run.  On a mismatch the recent op log is dumped.  -W adds
 * compare-and-writes: matching ones (the model's bytes as the compare
 * buffer), mismatching ones (one byte changed: EILSEQ at its offset,
 * nothing written) and some across two objects (EINVAL).
 *
 * -P adds snapshots: create (the model keeps a copy), rollback (the model
 * and the size become the snapshot's), remove.  -K clones a snapshot of
 * the image at a random point past the middle of the run (clone v2, a
 * snapshot made for it when there is none), carries on on the clone (the
 * model becomes the snapshot's copy) and flattens it at a random later
 * point.  At the end every snapshot left, of the image and of the clone,
 * is opened and must read as its copy; -X DIR also writes those copies
 * (DIR/IMAGE@SNAP) and the final HEAD (DIR/IMAGE) for `rbd export` to be
 * compared with.  -P and -K keep the images (-k).
 *
 *   fsx [-S seed] [-N ops] [-l image_size] [-o max_op_len] [-O order]
 *       [-u stripe_unit] [-C stripe_count] [-c ceph.conf] [-k] [-W]
 *       [-E contents] POOL/[NAMESPACE/]IMAGE
 *
 * The image is created (layering, plus striping when -u/-C say so) and
 * removed at the end unless -k keeps it.  -E runs on an existing image
 * instead (a clone, say), whose bytes the file holds (`rbd export` of it);
 * that image is kept.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cephc/cluster.h"
#include "cephc/errors.h"
#include "cephc/rbd.h"
#include "fsx_options.h"

#define LOG_KEEP 64

enum op_type {
	OP_READ,
	OP_WRITE,
	OP_DISCARD,
	OP_ZERO,
	OP_RESIZE,
	OP_FLUSH,
	OP_CAW,
	OP_SNAP_CREATE,
	OP_SNAP_ROLLBACK,
	OP_SNAP_REMOVE,
	OP_CLONE,
	OP_FLATTEN,
};
static const char *const op_names[] = {
    "read", "write",       "discard",       "write_zeroes", "resize", "flush",
    "caw",  "snap_create", "snap_rollback", "snap_remove",  "clone",  "flatten",
};

struct op_rec {
	uint64_t n;
	enum op_type t;
	uint64_t off, len, size_before;
};

static struct op_rec oplog[LOG_KEEP];
static uint64_t op_count[sizeof(op_names) / sizeof(op_names[0])];
static uint64_t rng_state;

/* xorshift64*: replayable from the printed seed alone. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static uint64_t rnd_below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* A random alignment: sector, page, or none, like fsx's mixes. */
static uint64_t align_down(uint64_t v)
{
	switch (rnd_below(4)) {
	case 0:
		return v & ~UINT64_C(511);
	case 1:
		return v & ~UINT64_C(4095);
	default:
		return v;
	}
}

static void dump_log(uint64_t upto)
{
	uint64_t from = upto >= LOG_KEEP ? upto - LOG_KEEP + 1 : 0;

	fprintf(stderr, "last operations (oldest first):\n");
	for (uint64_t i = from; i <= upto; i++) {
		struct op_rec *r = &oplog[i % LOG_KEEP];
		if (r->n != i)
			continue;
		fprintf(stderr,
			"  #%" PRIu64 " %-12s off 0x%" PRIx64 " len 0x%" PRIx64
			" (end 0x%" PRIx64 ") size 0x%" PRIx64 "\n",
			r->n, op_names[r->t], r->off, r->len, r->off + r->len,
			r->size_before);
	}
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x = strtoull(s, &end, 0);
	uint64_t mult = 1;

	if (end == s)
		return -1;
	if (*end == 'k' || *end == 'K')
		mult = 1024, end++;
	else if (*end == 'm' || *end == 'M')
		mult = 1024 * 1024, end++;
	if (*end)
		return -1;
	*v = x * mult;
	return 0;
}

/* The image's layout: which image bytes share an object. */
static uint64_t obj_size, stripe_unit, stripe_count;

static int read_layout(cephc_rbd_image *img)
{
	struct cephc_rbd_info in;
	int r = cephc_rbd_stat(img, &in);

	if (r)
		return r;
	obj_size = in.object_size;
	stripe_unit = in.stripe_unit ? in.stripe_unit : in.object_size;
	stripe_count = in.stripe_count ? in.stripe_count : 1;
	return 0;
}

/* End of the run of image bytes from off that lie in off's object: its
 * stripe unit with striping, else its object. */
static uint64_t same_object_end(uint64_t off)
{
	uint64_t unit = stripe_count > 1 ? stripe_unit : obj_size;

	return (off / unit + 1) * unit;
}

/*
 * One compare-and-write at off (len shortened to stay inside off's
 * object): 1 in 10 deliberately crosses into the next object (EINVAL
 * expected), half of the rest compare one changed byte (EILSEQ at its
 * image offset, nothing written), the others match and write.  *len is
 * set to what was asked; returns 0 when the image answered as it
 * should, else prints why and returns 1.
 */
static int do_caw(cephc_rbd_image *img, uint8_t *model, uint64_t size,
		  uint64_t off, uint64_t *len, uint8_t *cmp, uint8_t *buf,
		  uint64_t op)
{
	uint64_t end = same_object_end(off), mo = UINT64_MAX, k = 0;
	bool cross = rnd_below(10) == 0 && end < size, mism = false;
	int r, want = 0;

	if (cross) {
		/* from off up to a few bytes into the next object */
		*len = end - off + 1 + rnd_below(512);
		if (off + *len > size)
			*len = size - off;
		want = CEPHC_EINVAL;
	} else {
		if (off + *len > end)
			*len = end - off;
		if (!*len)
			*len = 1;
		mism = rnd_below(2) == 0;
	}
	memcpy(cmp, model + off, *len);
	if (mism) {
		k = rnd_below(*len);
		cmp[k] ^= (uint8_t)(1 + rnd_below(255));
		want = CEPHC_EILSEQ;
	}
	for (uint64_t i = 0; i < *len; i++)
		buf[i] = (uint8_t)(rnd() >> 56 | 1);
	r = cephc_rbd_compare_and_write(img, off, *len, cmp, buf, &mo);
	if (r != want) {
		fprintf(stderr,
			"fsx: op #%" PRIu64 " caw (%s): %s, expected %s\n", op,
			cross  ? "across objects"
			: mism ? "mismatch"
			       : "match",
			cephc_errname(r), want ? cephc_errname(want) : "0");
		return 1;
	}
	if (mism && mo != off + k) {
		fprintf(stderr,
			"fsx: op #%" PRIu64
			" caw: mismatch reported at 0x%" PRIx64
			", expected 0x%" PRIx64 "\n",
			op, mo, off + k);
		return 1;
	}
	if (!want)
		memcpy(model + off, buf, *len);
	return 0;
}

/* ---- snapshots and clones (-P, -K) ---------------------------------- */

#define MAX_SNAPS 8 /* live fsx snapshots per image */
#define MAX_CHAIN 2 /* the image, and its clone */

struct fsx_snap {
	char name[32];
	uint8_t *data; /* the model when it was taken */
	uint64_t size;
};

struct fsx_image {
	char name[256];
	struct fsx_snap snaps[MAX_SNAPS];
	unsigned nsnaps;
};

static struct fsx_image chain[MAX_CHAIN];
static unsigned nchain;

static struct fsx_image *cur_image(void)
{
	return &chain[nchain - 1];
}

static int snap_create(cephc_rbd_image *img, const uint8_t *model,
		       uint64_t size, uint64_t op)
{
	struct fsx_image *im = cur_image();
	struct fsx_snap *sn = &im->snaps[im->nsnaps];
	int r;

	snprintf(sn->name, sizeof(sn->name), "fsx%" PRIu64, op);
	sn->data = malloc(size ? size : 1);
	if (!sn->data)
		return CEPHC_ENOMEM;
	r = cephc_rbd_snap_create(img, sn->name, 0);
	if (r) {
		free(sn->data);
		return r;
	}
	memcpy(sn->data, model, size);
	sn->size = size;
	im->nsnaps++;
	return 0;
}

/* The image reads as snapshot j again: so does the model (bytes past
 * the snapshot's size are zeros, as after a shrink). */
static int snap_rollback(cephc_rbd_image *img, uint8_t *model, uint64_t *size,
			 unsigned j)
{
	struct fsx_snap *sn = &cur_image()->snaps[j];
	int r = cephc_rbd_snap_rollback(img, sn->name, NULL, NULL);

	if (r)
		return r;
	if (sn->size < *size)
		memset(model + sn->size, 0, *size - sn->size);
	memcpy(model, sn->data, sn->size);
	*size = sn->size;
	return 0;
}

static int snap_remove(cephc_rbd_image *img, unsigned j)
{
	struct fsx_image *im = cur_image();
	int r = cephc_rbd_snap_remove(img, im->snaps[j].name);

	if (r)
		return r;
	free(im->snaps[j].data);
	memmove(&im->snaps[j], &im->snaps[j + 1],
		(im->nsnaps - j - 1) * sizeof(im->snaps[0]));
	im->nsnaps--;
	return 0;
}

/*
 * Clone snapshot j of the current image (v2: no protection needed) and
 * go on on the clone, whose bytes are the snapshot's.  *img is the
 * clone's handle afterwards (the parent's is closed).
 */
static int clone_to(cephc_cluster *c, const char *pool, const char *nspace,
		    cephc_rbd_image **img, uint8_t *model, uint64_t *size,
		    unsigned j)
{
	struct fsx_image *par = cur_image(), *ch = &chain[nchain];
	struct fsx_snap *sn = &par->snaps[j];
	struct cephc_rbd_clone_opts co = {.clone_format = 2};
	const char *ns = *nspace ? nspace : NULL;
	char name[sizeof(ch->name)];
	int r;

	/* (through a copy: gcc cannot tell ch from par) */
	snprintf(name, sizeof(name), "%.240s-clone", par->name);
	memcpy(ch->name, name, sizeof(name));
	r = cephc_rbd_clone(c, pool, ns, par->name, sn->name, pool, ns,
			    ch->name, &co);
	if (r)
		return r;
	cephc_rbd_close(*img);
	*img = NULL;
	r = cephc_rbd_open_ns(c, pool, nspace, ch->name, NULL, 0, img);
	if (!r)
		r = read_layout(*img);
	if (r)
		return r;
	ch->nsnaps = 0;
	nchain++;
	if (sn->size < *size)
		memset(model + sn->size, 0, *size - sn->size);
	memcpy(model, sn->data, sn->size);
	*size = sn->size;
	printf("fsx: cloned %s@%s to %s\n", par->name, sn->name, ch->name);
	fflush(stdout);
	return 0;
}

static int write_file(const char *dir, const char *name, const uint8_t *p,
		      uint64_t len)
{
	char path[4096];
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	ok = fwrite(p, 1, len, f) == len;
	return fclose(f) == 0 && ok ? 0 : -1;
}

/* Every snapshot left must read as its copy (and size); with dir, the
 * copies go to files as well.  0 when all matched. */
static int check_snaps(cephc_cluster *c, const char *pool, const char *nspace,
		       uint8_t *buf, const char *dir)
{
	int bad = 0;

	for (unsigned k = 0; k < nchain; k++) {
		for (unsigned j = 0; j < chain[k].nsnaps; j++) {
			struct fsx_snap *sn = &chain[k].snaps[j];
			cephc_rbd_image *si = NULL;
			struct cephc_rbd_info in;
			char file[320];
			int r;

			r = cephc_rbd_open_ns(c, pool, nspace, chain[k].name,
					      sn->name,
					      CEPHC_RBD_OPEN_READ_ONLY, &si);
			if (!r)
				r = cephc_rbd_stat(si, &in);
			if (!r && in.size != sn->size)
				r = CEPHC_ERANGE;
			if (!r)
				r = cephc_rbd_read(si, 0, sn->size, buf);
			if (!r && memcmp(buf, sn->data, sn->size))
				r = CEPHC_EILSEQ;
			if (si)
				cephc_rbd_close(si);
			printf("fsx: snapshot %s@%s (%" PRIu64 " bytes): %s\n",
			       chain[k].name, sn->name, sn->size,
			       r ? cephc_errname(r) : "ok");
			bad |= r != 0;
			snprintf(file, sizeof(file), "%.255s@%.31s",
				 chain[k].name, sn->name);
			if (dir && write_file(dir, file, sn->data, sn->size))
				bad = 1;
		}
	}
	return bad;
}

static void usage(void)
{
	fsx_print_synopsis(stderr);
	fprintf(stderr, "(fsx --help for details)\n");
}

int main(int argc, char **argv)
{
	uint64_t seed = 0, nops = 10000, max_size = 8 << 20, max_op = 256 << 10;
	uint64_t su = 0, sc = 0, order = 0;
	const char *conf = NULL, *existing = NULL;
	bool keep = false, have_seed = false, caw = false, snaps = false;
	bool clones = false;
	uint64_t clone_at = UINT64_MAX, flatten_at = UINT64_MAX;
	const char *dump_dir = NULL;
	char pool[256], nspace[256] = "", *image;
	cephc_cluster *c = NULL;
	cephc_rbd_image *img = NULL;
	uint8_t *model, *buf, *cmp;
	uint64_t size;
	int opt, r, status = 1;
	bool have_timeout = false;
	uint32_t timeout_ms = 0;
	static const struct option longopts[] = {
	    {"timeout", required_argument, NULL, 'T'},
	    {NULL, 0, NULL, 0},
	};

	/* --help / -h answer on stdout with exit 0; --man is for the build */
	for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fsx_print_help(stdout);
			return 0;
		}
		if (!strcmp(argv[i], "--man")) {
			fsx_print_man(stdout);
			return 0;
		}
	}
	while ((opt = getopt_long(argc, argv, fsx_optstring(), longopts,
				  NULL)) != -1) {
		uint64_t *dst = NULL;
		switch (opt) {
		case 'S':
			dst = &seed;
			have_seed = true;
			break;
		case 'N':
			dst = &nops;
			break;
		case 'l':
			dst = &max_size;
			break;
		case 'o':
			dst = &max_op;
			break;
		case 'O':
			dst = &order;
			break;
		case 'u':
			dst = &su;
			break;
		case 'C':
			dst = &sc;
			break;
		case 'c':
			conf = optarg;
			break;
		case 'k':
			keep = true;
			break;
		case 'W':
			caw = true;
			break;
		case 'P':
			snaps = true;
			keep = true;
			break;
		case 'K':
			clones = true;
			keep = true;
			break;
		case 'X':
			dump_dir = optarg;
			break;
		case 'E':
			existing = optarg;
			keep = true;
			break;
		case 'T': {
			char *end;
			double v = strtod(optarg, &end);

			if (end == optarg || *end || !(v >= 0) ||
			    v > 4294967.0) {
				fprintf(stderr, "fsx: bad --timeout '%s'\n",
					optarg);
				return 2;
			}
			timeout_ms = (uint32_t)(v * 1000.0 + 0.5);
			have_timeout = true;
			break;
		}
		default:
			usage();
			return 2;
		}
		if (dst && parse_u64(optarg, dst)) {
			usage();
			return 2;
		}
	}
	if (optind != argc - 1 || !strchr(argv[optind], '/') || !max_size ||
	    !max_op) {
		usage();
		return 2;
	}
	/* POOL/IMAGE or POOL/NAMESPACE/IMAGE, as rbd spells it */
	snprintf(pool, sizeof(pool), "%.*s",
		 (int)(strchr(argv[optind], '/') - argv[optind]), argv[optind]);
	image = strchr(argv[optind], '/') + 1;
	if (strchr(image, '/')) {
		snprintf(nspace, sizeof(nspace), "%.*s",
			 (int)(strchr(image, '/') - image), image);
		image = strchr(image, '/') + 1;
	}
	if (!have_seed) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	}
	rng_state = seed ? seed : 1;
	printf("fsx: seed %" PRIu64 " ops %" PRIu64 " image %s size %" PRIu64
	       "\n",
	       seed, nops, argv[optind], max_size);
	fflush(stdout);

	size = 0;
	if (existing) {
		FILE *f = fopen(existing, "rb");

		if (!f || fseek(f, 0, SEEK_END) || ftell(f) < 0) {
			fprintf(stderr, "fsx: %s: cannot read\n", existing);
			return 1;
		}
		size = (uint64_t)ftell(f);
		rewind(f);
		if (size > max_size)
			max_size = size;
		model = calloc(1, max_size);
		if (model && fread(model, 1, size, f) != size) {
			fprintf(stderr, "fsx: %s: short read\n", existing);
			return 1;
		}
		fclose(f);
	} else {
		model = calloc(1, max_size);
	}
	buf = malloc(max_size);
	cmp = malloc(max_size);
	if (!model || !buf || !cmp)
		return 1;
	if ((r = cephc_cluster_create(&c, NULL)) == 0 && have_timeout)
		cephc_cluster_set_timeout(c, timeout_ms);
	if (r || (r = cephc_cluster_conf_read_file(c, conf)) ||
	    (r = cephc_cluster_connect(c))) {
		fprintf(stderr, "fsx: connect: %s (%s)\n",
			c ? cephc_cluster_last_error(c) : "",
			cephc_strerror(r));
		goto out;
	}
	if (!existing)
		size = max_size / 2 + rnd_below(max_size / 2);
	struct cephc_rbd_create_opts co = {.size = size,
					   .order = (int)order,
					   .stripe_unit = su,
					   .stripe_count = sc,
					   /* layering only, as documented
					    * above (0 is now the default
					    * feature set) */
					   .features = CEPHC_RBD_FEAT_LAYERING};
	r = existing ? 0 : cephc_rbd_create_ns(c, pool, nspace, image, &co);
	if (!r)
		r = cephc_rbd_open_ns(c, pool, nspace, image, NULL, 0, &img);
	if (!r && existing) {
		struct cephc_rbd_info in;

		r = cephc_rbd_stat(img, &in);
		if (!r && in.size != size) {
			fprintf(stderr,
				"fsx: %s is %" PRIu64 " bytes, %s %" PRIu64
				"\n",
				image, in.size, existing, size);
			goto out;
		}
	}
	if (!r)
		r = read_layout(img);
	snprintf(chain[0].name, sizeof(chain[0].name), "%s", image);
	nchain = 1;
	if (clones && nops >= 4) {
		/* past the middle, and the flatten before the end */
		clone_at = nops / 2 + rnd_below(nops / 4);
		flatten_at =
		    clone_at + 1 + rnd_below((nops - clone_at - 1) * 3 / 4 + 1);
	}
	if (r) {
		fprintf(stderr, "fsx: create/open %s: %s: %s\n", image,
			cephc_strerror(r), cephc_rbd_last_error());
		goto out;
	}

	for (uint64_t i = 0; i < nops; i++) {
		struct op_rec *rec = &oplog[i % LOG_KEEP];
		uint64_t pick = rnd_below(100), off, len;
		enum op_type t;

		if (pick < 35)
			t = OP_READ;
		else if (pick < 70)
			t = OP_WRITE;
		else if (pick < 82)
			t = OP_DISCARD;
		else if (pick < 92)
			t = OP_ZERO;
		else if (pick < 97)
			t = OP_RESIZE;
		else
			t = OP_FLUSH;
		/* the optional kinds draw only when asked for, so a run
		 * without them replays as before */
		if (caw && rnd_below(100) < 8)
			t = OP_CAW;
		if (snaps) {
			uint64_t x = rnd_below(10000);
			unsigned n = cur_image()->nsnaps;

			if (x < 20 || (x < 40 && !n))
				t = n < MAX_SNAPS ? OP_SNAP_CREATE
						  : OP_SNAP_REMOVE;
			else if (x < 28)
				t = OP_SNAP_ROLLBACK;
			else if (x < 40)
				t = OP_SNAP_REMOVE;
		}
		if (i == clone_at)
			t = OP_CLONE;
		else if (i == flatten_at && nchain > 1)
			t = OP_FLATTEN;
		off = size ? align_down(rnd_below(size)) : 0;
		len = align_down(rnd_below(max_op) + 1);
		if (!len)
			len = 1 + rnd_below(511);
		if (off + len > size)
			len = size - off;
		if (t == OP_RESIZE) {
			off = align_down(rnd_below(max_size) + 1);
			if (!off)
				off = 4096;
			len = 0;
		}
		rec->n = i;
		rec->t = t;
		rec->off = off;
		rec->len = len;
		rec->size_before = size;
		switch (t) {
		case OP_READ:
			r = cephc_rbd_read(img, off, len, buf);
			if (!r && memcmp(buf, model + off, len)) {
				uint64_t k = 0;
				while (buf[k] == model[off + k])
					k++;
				fprintf(stderr,
					"fsx: MISMATCH op #%" PRIu64
					" at image offset 0x%" PRIx64
					": got 0x%02x expected 0x%02x\n",
					i, off + k, buf[k], model[off + k]);
				dump_log(i);
				fprintf(stderr,
					"fsx: replay with -S %" PRIu64
					" -N %" PRIu64 "\n",
					seed, i + 1);
				goto out;
			}
			break;
		case OP_WRITE:
			for (uint64_t k = 0; k < len; k++)
				buf[k] = (uint8_t)(rnd() >> 56 | 1);
			r = cephc_rbd_write(img, off, len, buf);
			if (!r)
				memcpy(model + off, buf, len);
			break;
		case OP_DISCARD:
			r = cephc_rbd_discard(img, off, len);
			if (!r)
				memset(model + off, 0, len);
			break;
		case OP_ZERO:
			r = cephc_rbd_write_zeroes(img, off, len);
			if (!r)
				memset(model + off, 0, len);
			break;
		case OP_RESIZE:
			r = cephc_rbd_resize(img, off);
			if (!r) {
				/* bytes past a shrink read back as zeros */
				if (off < size)
					memset(model + off, 0, size - off);
				size = off;
			}
			break;
		case OP_FLUSH:
			r = cephc_rbd_flush(img);
			break;
		case OP_CAW:
			r = 0; /* do_caw() checks the answer itself */
			if (off >= size)
				break;
			if (do_caw(img, model, size, off, &len, cmp, buf, i)) {
				rec->len = len;
				dump_log(i);
				goto out;
			}
			rec->len = len;
			break;
		case OP_SNAP_CREATE:
			rec->off = rec->len = 0;
			r = snap_create(img, model, size, i);
			break;
		case OP_SNAP_ROLLBACK:
		case OP_SNAP_REMOVE: {
			unsigned j = (unsigned)rnd_below(cur_image()->nsnaps);

			/* which snapshot: the op number in its name */
			rec->off =
			    strtoull(cur_image()->snaps[j].name + 3, NULL, 10);
			rec->len = 0;
			r = t == OP_SNAP_ROLLBACK
				? snap_rollback(img, model, &size, j)
				: snap_remove(img, j);
			break;
		}
		case OP_CLONE: {
			unsigned j;

			rec->off = rec->len = 0;
			r = 0;
			if (!cur_image()->nsnaps)
				r = snap_create(img, model, size, i);
			j = (unsigned)rnd_below(cur_image()->nsnaps);
			if (!r)
				r = clone_to(c, pool, nspace, &img, model,
					     &size, j);
			break;
		}
		case OP_FLATTEN:
			rec->off = rec->len = 0;
			r = cephc_rbd_flatten(img, NULL, NULL);
			break;
		}
		if (r) {
			fprintf(stderr, "fsx: op #%" PRIu64 " %s failed: %s\n",
				i, op_names[t], cephc_strerror(r));
			dump_log(i);
			goto out;
		}
		op_count[t]++;
		if ((i + 1) % 5000 == 0) {
			printf("fsx: %" PRIu64 " ops ok\n", i + 1);
			fflush(stdout);
		}
	}
	/* Final full comparison. */
	r = cephc_rbd_read(img, 0, size, buf);
	if (r || memcmp(buf, model, size)) {
		fprintf(stderr, "fsx: final check failed (%s)\n",
			cephc_strerror(r));
		dump_log(nops - 1);
		goto out;
	}
	if ((snaps || clones) && check_snaps(c, pool, nspace, cmp, dump_dir)) {
		fprintf(stderr, "fsx: a snapshot does not read as its copy\n");
		goto out;
	}
	if (dump_dir && write_file(dump_dir, cur_image()->name, model, size)) {
		fprintf(stderr, "fsx: cannot write to %s\n", dump_dir);
		goto out;
	}
	printf("fsx: %" PRIu64 " ops, all reads matched\n", nops);
	printf("fsx: by kind:");
	for (unsigned k = 0; k < sizeof(op_count) / sizeof(op_count[0]); k++)
		if (op_count[k])
			printf(" %s %" PRIu64, op_names[k], op_count[k]);
	printf("\n");
	status = 0;
out:
	if (img)
		cephc_rbd_close(img);
	if (c && img && !keep) {
		r = cephc_rbd_remove_ns(c, pool, nspace, image);
		if (r)
			fprintf(stderr, "fsx: remove: %s\n", cephc_strerror(r));
	}
	if (c)
		cephc_cluster_destroy(c);
	if (getenv("FSX_DUMP_LOG"))
		dump_log(nops - 1);
	for (unsigned k = 0; k < nchain; k++)
		for (unsigned j = 0; j < chain[k].nsnaps; j++)
			free(chain[k].snaps[j].data);
	free(model);
	free(buf);
	free(cmp);
	return status;
}
