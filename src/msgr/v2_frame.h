/* SPDX-License-Identifier: MIT */
/*
 * msgr2.1 (Pacific wire format) banner and frames, sans-IO: no sockets, no
 * threads.  Bytes go in, wire images and decoded state come out.
 *
 * Wire facts (all little-endian):
 *   banner    "ceph v2\n", le16 payload length (16), le64 supported,
 *             le64 required features (bit 0 = REVISION_1, msgr2.1)
 *   preamble  32 bytes: u8 tag, u8 segment count (1..4), 4 x {le32 length,
 *             le16 alignment}, u8 flags, u8 reserved, le32 crc32c (seed 0)
 *             of bytes 0..27.  Trailing empty segments are not counted.
 *
 * crc mode:    preamble | seg0 | le32 crc(seg0)  (only if seg0 is not empty)
 *              and, only when there are 2+ segments:
 *              seg1 | seg2 | seg3 | epilogue (13: u8 late_status, 3 x le32
 *              crc of seg1..3; slots past the segment count are 0).
 *              Segment crcs use seed 0xFFFFFFFF.
 * secure mode: AES-128-GCM, 16-byte tags, no AAD, three kinds of GCM
 *              operation, each with a fresh nonce:
 *              1. preamble + first 48 bytes of seg0 (zero-padded): 80 + 16
 *              2. only if seg0 > 48: the rest of seg0 padded to 16, + tag
 *              3. only when there are 2+ segments: seg1..3 each padded to
 *                 16, then a 16-byte epilogue (u8 late_status, 15 zeros),
 *                 + tag.
 *              The preamble crc is still filled in and checked.
 *
 * Zero copy: the encoder reads the caller's segment iovecs in place (crc
 * mode hands them back as part of the output iovec list; secure mode
 * encrypts them once into the caller's output buffer), and the decoder
 * writes each segment straight into the iovecs the caller names after the
 * preamble (decrypting in place of a copy in secure mode).
 */
#ifndef CEPHC_MSGR_V2_FRAME_H
#define CEPHC_MSGR_V2_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#define V2_BANNER_PREFIX "ceph v2\n"
#define V2_BANNER_PREFIX_LEN 8
#define V2_BANNER_PAYLOAD_LEN 16
/* What we send: prefix, le16 length, two le64 feature words. */
#define V2_BANNER_LEN (V2_BANNER_PREFIX_LEN + 2 + V2_BANNER_PAYLOAD_LEN)
/* A peer's banner payload may grow; more than this is refused. */
#define V2_BANNER_PAYLOAD_MAX 4096

#define V2_FEAT_REVISION_1 (1ull << 0)
#define V2_FEAT_COMPRESSION (1ull << 1) /* Quincy+, never sent to Pacific */

#define V2_MAX_SEGMENTS 4
#define V2_PREAMBLE_LEN 32
#define V2_PREAMBLE_CRC_SPAN 28
#define V2_CRC_LEN 4
#define V2_EPILOGUE_CRC_LEN 13
#define V2_GCM_KEY_LEN 16
#define V2_GCM_NONCE_LEN 12
#define V2_GCM_TAG_LEN 16
#define V2_GCM_BLOCK 16
#define V2_INLINE_LEN 48 /* bytes of seg0 carried in the first GCM block */
#define V2_SECURE_HEAD_LEN (V2_PREAMBLE_LEN + V2_INLINE_LEN + V2_GCM_TAG_LEN)
#define V2_EPILOGUE_SECURE_LEN (V2_GCM_BLOCK + V2_GCM_TAG_LEN)
/* key + rx nonce + tx nonce: the shortest usable connection secret */
#define V2_SECRET_MIN_LEN (V2_GCM_KEY_LEN + 2 * V2_GCM_NONCE_LEN)

/* late_status in either epilogue */
#define V2_LATE_COMPLETE 0x0e
#define V2_LATE_ABORTED 0x01
#define V2_LATE_MASK 0x0f

/* alignment hints (receivers may ignore them) */
#define V2_ALIGN_CONTROL 8
#define V2_ALIGN_DATA 4096

/* Frame tags known to Pacific (ceph src/msg/async/frames_v2.h). */
enum v2_tag {
	V2_TAG_HELLO = 1,
	V2_TAG_AUTH_REQUEST = 2,
	V2_TAG_AUTH_BAD_METHOD = 3,
	V2_TAG_AUTH_REPLY_MORE = 4,
	V2_TAG_AUTH_REQUEST_MORE = 5,
	V2_TAG_AUTH_DONE = 6,
	V2_TAG_AUTH_SIGNATURE = 7,
	V2_TAG_CLIENT_IDENT = 8,
	V2_TAG_SERVER_IDENT = 9,
	V2_TAG_IDENT_MISSING_FEATURES = 10,
	V2_TAG_SESSION_RECONNECT = 11,
	V2_TAG_SESSION_RESET = 12,
	V2_TAG_SESSION_RETRY = 13,
	V2_TAG_SESSION_RETRY_GLOBAL = 14,
	V2_TAG_SESSION_RECONNECT_OK = 15,
	V2_TAG_WAIT = 16,
	V2_TAG_MESSAGE = 17,
	V2_TAG_KEEPALIVE2 = 18,
	V2_TAG_KEEPALIVE2_ACK = 19,
	V2_TAG_ACK = 20,
	V2_TAG_MAX_ = V2_TAG_ACK,
};

enum v2_mode {
	V2_MODE_CRC = 1, /* values as in AUTH_DONE's con_mode */
	V2_MODE_SECURE = 2,
};

/* ---- banner ---------------------------------------------------------- */

void v2_banner_encode(uint8_t out[V2_BANNER_LEN], uint64_t supported,
		      uint64_t required);

/*
 * Parse a peer banner from the first len bytes of a stream.  Returns the
 * bytes it used (> 0), 0 when more bytes are needed, CEPHC_EBANNER when the
 * prefix is wrong (detected as soon as the bytes differ), CEPHC_EDECODE /
 * CEPHC_ETOOBIG for a payload shorter than 16 or over the maximum.
 */
int v2_banner_decode(const uint8_t *buf, size_t len, uint64_t *supported,
		     uint64_t *required);

/*
 * Feature check after both banners: the peer must support REVISION_1
 * (CEPHC_EPROTOVER) and require nothing we lack (CEPHC_EFEATURES).
 */
int v2_banner_check(uint64_t peer_supported, uint64_t peer_required,
		    uint64_t our_supported);

/* ---- secure mode keys and nonces --------------------------------------- */

/*
 * One direction of AES-128-GCM.  The 12-byte nonce is le32 fixed + le64
 * counter, both taken from the connection secret; every GCM operation uses
 * the current counter and then adds one, so no nonce is ever used twice.
 * After 2^64 - 1 operations the direction refuses to go on (CEPHC_ECRYPTO)
 * rather than wrap.
 */
struct v2_gcm {
	void *evp; /* EVP_CIPHER_CTX */
	uint32_t fixed;
	uint64_t counter; /* next counter to use */
	uint64_t ops;     /* operations done so far */
};

struct v2_crypto {
	struct v2_gcm rx;
	struct v2_gcm tx;
};

/*
 * Key = secret[0..15]; a client receives with nonce secret[16..27] and
 * sends with secret[28..39], a server the other way round.  secret_len
 * below V2_SECRET_MIN_LEN gives CEPHC_EINVAL.  Free with v2_crypto_free()
 * (also after a failed init).
 */
int v2_crypto_init(struct v2_crypto *c, const uint8_t *secret,
		   size_t secret_len, bool is_client);
void v2_crypto_free(struct v2_crypto *c);

/* The nonce the next operation in this direction will use. */
void v2_gcm_next_nonce(const struct v2_gcm *g, uint8_t out[V2_GCM_NONCE_LEN]);

/* ---- frame encoding ---------------------------------------------------- */

/* One segment: the caller's scattered bytes, read in place. */
struct v2_seg_src {
	const struct iovec *iov;
	size_t iovcnt;
	uint16_t align;
};

/* segs[0..nseg-1]; trailing empty segments are dropped on the wire. */
struct v2_frame_desc {
	uint8_t tag;
	size_t nseg;
	struct v2_seg_src seg[V2_MAX_SEGMENTS];
};

/*
 * Header and trailer bytes of one crc-mode frame; it must live as long as
 * the iovecs v2_encode_crc() points into it.
 */
struct v2_tx_crc {
	uint8_t preamble[V2_PREAMBLE_LEN];
	uint8_t seg0_crc[V2_CRC_LEN];
	uint8_t epilogue[V2_EPILOGUE_CRC_LEN];
};

/*
 * Bytes the frame takes on the wire in the given mode, 0 for an invalid
 * descriptor (no segments, more than four, a segment of 4 GiB or more).
 */
uint64_t v2_frame_wire_len(const struct v2_frame_desc *f, enum v2_mode mode);

/*
 * crc mode: fill *tx and write to out[] the iovecs of the whole frame
 * (tx's preamble, the caller's seg0 iovecs, tx's crc, the other segments'
 * iovecs, tx's epilogue); out needs 3 + the sum of the segments' iovcnt
 * entries (CEPHC_ENOBUFS otherwise).  Segment crcs are computed here, in
 * the one pass over the caller's bytes.  *out_cnt gets the iovec count.
 */
int v2_encode_crc(const struct v2_frame_desc *f, struct v2_tx_crc *tx,
		  struct iovec *out, size_t out_cap, size_t *out_cnt);

/*
 * secure mode: encrypt the frame into out (v2_frame_wire_len() bytes,
 * CEPHC_ENOBUFS when out_cap is smaller), reading each caller byte once.
 * Uses one to three nonces of c->tx.  CEPHC_ECRYPTO if OpenSSL fails or
 * the nonces are spent; after such an error nonces may have been used
 * without their bytes being sent, so the connection must be dropped.
 */
int v2_encode_secure(const struct v2_frame_desc *f, struct v2_crypto *c,
		     uint8_t *out, size_t out_cap);

/* ---- frame decoding ---------------------------------------------------- */

/* Largest accepted length of each segment, checked before anything else. */
struct v2_limits {
	uint32_t seg_max[V2_MAX_SEGMENTS];
};

/* 16 MiB control/header2, 16 MiB front and middle, 64 MiB data. */
void v2_limits_default(struct v2_limits *l);

struct v2_preamble {
	uint8_t tag;
	uint8_t nseg;
	uint8_t flags;
	uint32_t len[V2_MAX_SEGMENTS];
	uint16_t align[V2_MAX_SEGMENTS];
};

/*
 * Parse and check a plain preamble (32 bytes): crc, tag id, segment count
 * (1..4; only MESSAGE has more than one), last counted segment not empty,
 * lengths within the limits.
 */
int v2_preamble_decode(const uint8_t in[V2_PREAMBLE_LEN],
		       const struct v2_limits *lim, struct v2_preamble *p);

/* Build a preamble's 32 bytes (crc included). */
void v2_preamble_encode(uint8_t out[V2_PREAMBLE_LEN],
			const struct v2_preamble *p);

enum v2_rx_event {
	V2_RX_NEED_MORE = 0, /* every byte given was used; feed more */
	V2_RX_PREAMBLE = 1,  /* rx->pre is valid: name the segments' homes */
	V2_RX_FRAME = 2,     /* all segments landed and checked */
};

/*
 * Incremental frame decoder.  Feed it the stream; it stops after each
 * event.  After V2_RX_PREAMBLE the caller may call v2_rx_set_segment() for
 * each segment (unnamed segments are checked and dropped), then must feed
 * again even with no new bytes: a frame that ends with its preamble (or,
 * in secure mode, whose seg0 fits in the first block) completes there.  After
 * V2_RX_FRAME, rx->aborted says the sender aborted the frame (drop it);
 * the next feed starts a new frame.  The first error is sticky.  In secure
 * mode the caller's buffers hold unauthenticated bytes until V2_RX_FRAME.
 */
struct v2_rx {
	enum v2_mode mode;
	struct v2_crypto *crypto; /* not owned; secure mode only */
	struct v2_limits lim;
	struct v2_preamble pre;
	bool aborted;

	/* private */
	int state;
	int err;
	uint8_t head[V2_SECURE_HEAD_LEN];
	size_t have; /* bytes collected in head/epi/tag/crc */
	uint8_t inl[V2_INLINE_LEN];
	uint8_t epi[V2_GCM_BLOCK];
	uint8_t tag_or_crc[V2_GCM_TAG_LEN];
	uint32_t crc[V2_MAX_SEGMENTS];
	unsigned seg;       /* segment being received */
	uint64_t off;       /* logical offset in it */
	uint64_t wire_left; /* wire bytes left in it (payload + padding) */
	struct v2_rx_dst {
		const struct iovec *iov; /* NULL: check and drop */
		size_t iovcnt;
		size_t idx; /* write cursor */
		size_t pos;
	} dst[V2_MAX_SEGMENTS];
};

/* lim NULL = v2_limits_default(); crypto required in secure mode. */
void v2_rx_init(struct v2_rx *rx, enum v2_mode mode, struct v2_crypto *crypto,
		const struct v2_limits *lim);

/*
 * Consume up to len bytes; *used gets how many.  Returns an event or a
 * negative error: CEPHC_ECRC (preamble/segment crc), CEPHC_ECRYPTO (GCM
 * tag), CEPHC_EBADTAG (unknown tag id), CEPHC_EDECODE (segment count, an
 * empty last segment, bad late_status), CEPHC_ETOOBIG (length over limit).
 */
int v2_rx_feed(struct v2_rx *rx, const void *buf, size_t len, size_t *used);

/*
 * Where segment i goes (exactly rx->pre.len[i] bytes over the iovecs,
 * CEPHC_EINVAL otherwise).  Only between V2_RX_PREAMBLE and the next feed;
 * the iovec array must stay valid until V2_RX_FRAME.
 */
int v2_rx_set_segment(struct v2_rx *rx, unsigned i, const struct iovec *iov,
		      size_t iovcnt);

/*
 * Zero-copy receive: where the caller may read the next n (returned) bytes
 * of the stream straight into the current segment's own buffer, then pass
 * that same pointer to v2_rx_feed(), which checks them in place (crc) or
 * decrypts them in place (secure).  0 when the next bytes are not segment
 * payload with a home (preamble, crc, padding, tags, dropped segments).
 */
size_t v2_rx_direct(const struct v2_rx *rx, void **where);

/* End of stream: 0 at a frame boundary, CEPHC_EDECODE mid-frame. */
int v2_rx_eof(const struct v2_rx *rx);

#endif /* CEPHC_MSGR_V2_FRAME_H */
