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
};
static const char *const op_names[] = {
    "read", "write", "discard", "write_zeroes", "resize", "flush", "caw",
};

struct op_rec {
	uint64_t n;
	enum op_type t;
	uint64_t off, len, size_before;
};

static struct op_rec oplog[LOG_KEEP];
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
	bool keep = false, have_seed = false, caw = false;
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
		}
		if (r) {
			fprintf(stderr, "fsx: op #%" PRIu64 " %s failed: %s\n",
				i, op_names[t], cephc_strerror(r));
			dump_log(i);
			goto out;
		}
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
	printf("fsx: %" PRIu64 " ops, all reads matched\n", nops);
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
	free(model);
	free(buf);
	free(cmp);
	return status;
}
