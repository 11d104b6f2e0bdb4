/* SPDX-License-Identifier: MIT */
/*
 * msgr v1 connection state machine over a non-blocking stream socket, for
 * both the connecting (client) and the accepting side.
 *
 * Receive: bytes are pulled with recvmsg() into the current target (a small
 * handshake/header buffer, the front, or the data cursor's iovecs) with a
 * staging buffer as the last iovec, so one call can also pick up the
 * footer and following messages; staged bytes are copied out to the next
 * targets.  Large data therefore lands in the caller's buffers directly.
 * crc32c is folded over each section as its bytes arrive.
 *
 * Send: one sendmsg() carries [control bytes][tag+header][front][middle]
 * [data iovecs][footer] for as many queued messages as fit in the iovec
 * budget.  Section crcs (and the signature) are computed when a message is
 * first put on the wire, so its footer can travel in the same call.
 */
#define _GNU_SOURCE /* accept4 */
#include "msgr/msgr.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/crc32c.h"
#include "core/log.h"
#include "msgr/backoff.h"

/* Receive staging per connection: small frames (tags, headers, fronts,
 * small data) of many messages arrive with one recvmsg() into it. */
#define RX_STAGE_SIZE (128 * 1024)
#define TX_CTL_SIZE (2 * CEPHC_AUTHORIZER_MAX + 512)
#define TX_IOV_MAX 256
#define RX_IOV_MAX 128
/*
 * Data sections up to this size get their crc computed before the first
 * send, so the footer rides in the same sendmsg().  Larger ones fold the crc
 * over each chunk right after the kernel copied it (still in cache), and
 * their footer follows the data.
 */
#define TX_CRC_UPFRONT_MAX (64 * 1024)
/*
 * Most bytes of one large data section per sendmsg()/recvmsg() (the crc is
 * folded over each right after the kernel copied it).  Small chunks keep
 * those bytes in cache, but every call also costs a syscall and, on
 * loopback, the peer's receive softirq and wake-up: at 256 KiB a 4 MiB write
 * took 16 sendmsg() calls and 2.0 ms of client CPU; one call (4 MiB) takes
 * 1.5-1.7 ms, and 4 MiB reads 5-8% less too.  The socket buffer is the
 * real limit.
 */
#define IO_DATA_CHUNK (4 * 1024 * 1024)
/* Connect rounds (retries, challenges) one open may take. */
#define CONNECT_ROUNDS_MAX 8

struct cephc_msgr {
	struct cephc_loop *loop;
	struct cephc_msgr_opts opts;
	struct cephc_entity_name name;
	struct cephc_entity_addr addr;
	uint32_t global_seq;
	/* accepting side */
	struct cephc_loop_fd listen_lfd;
	const struct cephc_conn_ops *listen_ops;
	void *listen_priv;
	/* fault warnings: a peer that faults every session must not fill
	 * the log (driver context) */
	struct cephc_log_ratelimit fault_rl;
	struct cephc_log_ratelimit backoff_rl; /* sessions paced after OPEN */
};

/* What the receive side waits for. */
enum rx_state {
	RX_NONE,
	/* client handshake */
	RX_SERVER_HELLO,
	RX_CONNECT_REPLY,
	RX_CONNECT_REPLY_AUTH,
	RX_SEQ,
	/* server handshake */
	RX_CLIENT_HELLO,
	RX_CONNECT,
	RX_CONNECT_AUTH,
	RX_CLIENT_SEQ,
	/* steady state */
	RX_TAG,
	RX_ACK,
	RX_KEEPALIVE2,
	RX_KEEPALIVE2_ACK,
	RX_HEADER,
	RX_FRONT,
	RX_MIDDLE,
	RX_DATA,
	RX_FOOTER,
};

struct cephc_conn {
	struct cephc_msgr *msgr;
	const struct cephc_conn_ops *ops;
	void *priv;
	struct cephc_loop_fd lfd;
	enum cephc_conn_state state;
	bool server;
	bool lossy;
	int busy;        /* nesting depth of our own callbacks */
	bool in_rx;      /* con_io is receiving: it flushes when done */
	bool rx_dry;     /* a short recvmsg() this wake-up: socket drained */
	bool destroying; /* destroy requested from inside a callback */
	uint8_t peer_type;
	struct cephc_entity_addr peer_addr;
	uint64_t peer_features; /* as the peer sent them */
	uint64_t features;      /* negotiated: ours & theirs */
	uint32_t connect_seq;
	uint32_t global_seq;
	uint32_t peer_global_seq;
	int connect_rounds;
	bool authorizer_retried;
	uint8_t last_reply_tag;

	uint64_t out_seq; /* last seq stamped on an outgoing message */
	uint64_t in_seq;  /* last seq received */
	uint64_t in_seq_acked;
	bool need_keepalive;
	bool need_keepalive_ack;
	uint8_t keepalive_ack_stamp[8];

	/* Outgoing: out_q (head may be partly sent), then sent (unacked). */
	struct cephc_msg *out_head, *out_tail;
	struct cephc_msg *sent_head, *sent_tail;
	uint32_t nsent;
	size_t tx_off;                  /* bytes of out_head already sent */
	struct cephc_msg_cursor tx_cur; /* out_head's data, at tx_off */
	uint32_t tx_data_crc; /* out_head's data crc so far (large data) */
	uint8_t tx_ctl[TX_CTL_SIZE];
	size_t tx_ctl_head, tx_ctl_tail;

	/* Incoming. */
	enum rx_state rx;
	uint8_t *stage;
	size_t stage_head, stage_tail;
	uint8_t rx_small[V1_SERVER_HELLO_LEN];
	size_t rx_want, rx_got;
	uint8_t *rx_auth; /* CEPHC_AUTHORIZER_MAX bytes */
	struct v1_connect_reply reply;
	struct v1_connect in_connect;
	struct cephc_msg *rx_msg;
	uint32_t rx_crc; /* running crc of the section being received */
	uint32_t rx_front_crc, rx_middle_crc, rx_data_crc;
	struct cephc_msg_cursor rx_cur;

	/* One flush at the end of the driver's turn for every message queued
	 * during it (replies that trigger new requests batch into one
	 * sendmsg per connection). */
	struct cephc_loop_defer flush_defer;

	/* Liveness and reconnect. */
	struct cephc_timer timer;
	uint64_t last_rx_ns;
	uint64_t last_ka_ack_ns;
	uint64_t handshake_deadline_ns;
	uint32_t backoff_ms;
	/* This attempt reached OPEN: the handshake works, so its own
	 * backoff starts over, and a fault from here on is paced by the
	 * session policy (msgr/backoff.h): at once after a healthy session,
	 * growing delays for a peer that faults every session. */
	bool opened;
	struct cephc_session_backoff sbo;
	/* Why the last fault happened: a string literal and its error. */
	const char *fault_why;
	int fault_err;
	/* The last fault was the peer dropping us (reset, EOF) rather than
	 * nobody answering; a few such retries go at once too. */
	bool peer_dropped;
	uint8_t quick_retries;
	/* Keepalive tags received in the current one-second window. */
	uint64_t ka_window_ns;
	uint32_t ka_in_window;
};

#define LOG "msgr"
/* Immediate retries after a peer reset before OPEN, then backoff. */
#define CON_QUICK_RETRIES 3

static int con_fail(struct cephc_conn *con, int err, const char *why);
static int con_count_keepalive(struct cephc_conn *con);
static int con_flush(struct cephc_conn *con);
static void con_io(struct cephc_loop_fd *lfd, uint32_t revents);
static void con_timer(struct cephc_timer *t);
static void con_deferred_flush(struct cephc_loop_defer *d);
static int con_handle_connect_reply(struct cephc_conn *con);
static int srv_handle_connect(struct cephc_conn *con);

void cephc_msgr_opts_default(struct cephc_msgr_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->features = CEPHC_FEATURES_DEFAULT;
	o->required_features = CEPHC_FEATURES_REQUIRED;
	o->front_max = CEPHC_MSG_FRONT_MAX;
	o->middle_max = CEPHC_MSG_MIDDLE_MAX;
	o->data_max = CEPHC_MSG_DATA_MAX;
	o->keepalive_interval_ms = 5000;
	o->keepalive_timeout_ms = 30000;
	o->connect_timeout_ms = 10000;
}

int cephc_msgr_create(struct cephc_loop *loop,
		      const struct cephc_msgr_opts *opts, uint8_t entity_type,
		      struct cephc_msgr **out)
{
	struct cephc_msgr *m = cephc_calloc(1, sizeof(*m));
	uint32_t nonce = 0;

	if (!m)
		return CEPHC_ENOMEM;
	m->loop = loop;
	if (opts)
		m->opts = *opts;
	else
		cephc_msgr_opts_default(&m->opts);
	m->name.type = entity_type;
	/* A random nonce per instance: blocklists key on ip + nonce. */
	while (nonce == 0)
		if (getrandom(&nonce, sizeof(nonce), 0) != sizeof(nonce))
			nonce = (uint32_t)cephc_now_ns() | 1;
	m->addr.type = CEPHC_ADDR_LEGACY;
	m->addr.nonce = nonce;
	m->addr.ss.ss_family = AF_UNSPEC;
	m->listen_lfd.fd = -1;
	*out = m;
	return 0;
}

void cephc_msgr_destroy(struct cephc_msgr *m)
{
	if (!m)
		return;
	if (m->listen_lfd.fd >= 0) {
		cephc_loop_del_fd(m->loop, &m->listen_lfd);
		close(m->listen_lfd.fd);
	}
	cephc_free(m);
}

struct cephc_loop *cephc_msgr_loop(struct cephc_msgr *m)
{
	return m->loop;
}

void cephc_msgr_set_entity_num(struct cephc_msgr *m, uint64_t num)
{
	m->name.num = num;
}

const struct cephc_entity_addr *cephc_msgr_addr(const struct cephc_msgr *m)
{
	return &m->addr;
}

/* ------------------------------------------------------------------ */
/* small helpers */

static void msg_list_push(struct cephc_msg **head, struct cephc_msg **tail,
			  struct cephc_msg *m)
{
	m->m_next = NULL;
	if (*tail)
		(*tail)->m_next = m;
	else
		*head = m;
	*tail = m;
}

static void msg_list_drop(struct cephc_msg **head, struct cephc_msg **tail)
{
	struct cephc_msg *m, *next;

	for (m = *head; m; m = next) {
		next = m->m_next;
		m->m_prepared = false;
		cephc_msg_put(m);
	}
	*head = *tail = NULL;
}

static size_t msg_wire_len(const struct cephc_msg *m)
{
	return sizeof(m->m_wire_head) + m->front_len + m->middle_len +
	       m->hdr.data_len + m->m_foot_len;
}

static int ctl_append(struct cephc_conn *con, const void *p, size_t n)
{
	if (con->tx_ctl_head == con->tx_ctl_tail)
		con->tx_ctl_head = con->tx_ctl_tail = 0;
	if (n > sizeof(con->tx_ctl) - con->tx_ctl_tail) {
		/* compact before giving up */
		memmove(con->tx_ctl, con->tx_ctl + con->tx_ctl_head,
			con->tx_ctl_tail - con->tx_ctl_head);
		con->tx_ctl_tail -= con->tx_ctl_head;
		con->tx_ctl_head = 0;
		if (n > sizeof(con->tx_ctl) - con->tx_ctl_tail)
			return CEPHC_ENOBUFS;
	}
	memcpy(con->tx_ctl + con->tx_ctl_tail, p, n);
	con->tx_ctl_tail += n;
	return 0;
}

static int ctl_tag_u64(struct cephc_conn *con, uint8_t tag, uint64_t v)
{
	uint8_t b[9];

	b[0] = tag;
	put_le64(b + 1, v);
	return ctl_append(con, b, sizeof(b));
}

static void rx_expect(struct cephc_conn *con, enum rx_state st, size_t want)
{
	con->rx = st;
	con->rx_want = want;
	con->rx_got = 0;
}

/* Wall-clock stamp for KEEPALIVE2 (ceph_timespec: le32 sec, le32 nsec). */
static void keepalive_stamp(uint8_t out[8])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	put_le32(out, (uint32_t)ts.tv_sec);
	put_le32(out + 4, (uint32_t)ts.tv_nsec);
}

static void con_update_events(struct cephc_conn *con, bool want_out)
{
	uint32_t ev = EPOLLIN | (want_out ? EPOLLOUT : 0);

	if (con->lfd.fd >= 0)
		cephc_loop_mod_fd(con->msgr->loop, &con->lfd, ev);
}

/* ------------------------------------------------------------------ */
/* socket teardown, fault */

static void con_reset_socket(struct cephc_conn *con)
{
	struct cephc_msgr *m = con->msgr;

	if (con->lfd.fd >= 0) {
		cephc_loop_del_fd(m->loop, &con->lfd);
		close(con->lfd.fd);
		con->lfd.fd = -1;
	}
	cephc_timer_cancel(m->loop, &con->timer);
	if (con->rx_msg) {
		cephc_msg_put(con->rx_msg);
		con->rx_msg = NULL;
	}
	/* Lossy session: nothing is replayed at this level. */
	msg_list_drop(&con->out_head, &con->out_tail);
	msg_list_drop(&con->sent_head, &con->sent_tail);
	con->nsent = 0;
	con->tx_off = 0;
	con->tx_ctl_head = con->tx_ctl_tail = 0;
	con->stage_head = con->stage_tail = 0;
	con->rx = RX_NONE;
	con->out_seq = con->in_seq = con->in_seq_acked = 0;
	con->connect_seq = 0;
	con->need_keepalive = con->need_keepalive_ack = false;
	con->ka_window_ns = 0;
	con->ka_in_window = 0;
	con->state = CEPHC_CON_CLOSED;
}

static void con_free(struct cephc_conn *con)
{
	cephc_loop_defer_cancel(con->msgr->loop, &con->flush_defer);
	cephc_free(con->stage);
	cephc_free(con->rx_auth);
	cephc_free(con);
}

/* Leave a callback section; performs a deferred destroy. */
static bool con_unbusy(struct cephc_conn *con)
{
	if (--con->busy == 0 && con->destroying) {
		con_reset_socket(con);
		con_free(con);
		return true;
	}
	return false;
}

/*
 * Close with a logged reason and tell the upper layer once.  Returns err so
 * callers can `return con_fail(...)`; every caller stops touching the
 * socket state after it.
 */
static int con_fail(struct cephc_conn *con, int err, const char *why)
{
	char peer[80];

	if (con->state == CEPHC_CON_CLOSED)
		return err;
	con->peer_dropped = err == CEPHC_ECONNRESET || err == CEPHC_EPIPE;
	con->fault_why = why;
	con->fault_err = err;
	cephc_addr_format(&con->peer_addr, peer, sizeof(peer));
	if (err == CEPHC_ECONNRESET || err == CEPHC_EPIPE) {
		log_info(LOG, "%s: %s (%s)", peer, why, cephc_strerror(err));
	} else if (cephc_log_threshold >= CEPHC_LOG_WARN) {
		uint32_t held;

		if (cephc_log_ratelimit_pass(&con->msgr->fault_rl,
					     cephc_now_ns(), &held)) {
			if (held)
				log_warn(LOG,
					 "%u more connection faults in the "
					 "last %llu s",
					 held,
					 cephc_log_ratelimit_span_s(
					     &con->msgr->fault_rl));
			log_warn(LOG, "%s: %s (%s)", peer, why,
				 cephc_strerror(err));
		}
	}
	con_reset_socket(con);
	if (con->ops->fault) {
		con->busy++;
		con->ops->fault(con, err);
		con_unbusy(con);
	}
	return err;
}

/*
 * A peer sends a keepalive every few seconds; one that sends them by the
 * million (a flood of one-byte tags) would keep this thread busy for as
 * long as it likes without ever faulting.  Past a generous rate it is
 * treated as the malformed input it is.
 */
static int con_count_keepalive(struct cephc_conn *con)
{
	uint64_t now = cephc_now_ns();

	if (!con->ka_window_ns || now - con->ka_window_ns >= 1000000000ull) {
		con->ka_window_ns = now;
		con->ka_in_window = 0;
	}
	if (++con->ka_in_window > CEPHC_KEEPALIVE_MAX_PER_S)
		return con_fail(con, CEPHC_EPROTO, "keepalive flood");
	return 0;
}

/* ------------------------------------------------------------------ */
/* receive plumbing */

/*
 * Move bytes into the target iovecs (total bytes `total`): first what is
 * staged, then from the socket with up to `spill` bytes of the stage as
 * overflow (so one call also picks up what follows; 0 inside a large data
 * section, whose next bytes should land in place, not in the stage).
 * Returns the bytes placed (possibly 0 when the socket is drained) or a
 * negative error.  After a short recvmsg() the socket had nothing more, so
 * until the next readable event we do not ask again (that call would only
 * fail with EAGAIN; level-triggered epoll reports whatever arrives since).
 */
static ssize_t rx_into(struct cephc_conn *con, const struct iovec *tgt,
		       int ntgt, size_t total, size_t spill)
{
	struct iovec iov[RX_IOV_MAX + 1];
	size_t placed = 0, avail, skip;
	struct msghdr mh;
	ssize_t r;
	int i, n;

	avail = con->stage_tail - con->stage_head;
	for (i = 0; i < ntgt && avail && placed < total; i++) {
		size_t c = tgt[i].iov_len;

		if (c > avail)
			c = avail;
		memcpy(tgt[i].iov_base, con->stage + con->stage_head, c);
		con->stage_head += c;
		avail -= c;
		placed += c;
		if (c < tgt[i].iov_len)
			break;
	}
	if (placed == total)
		return (ssize_t)placed;
	/* The stage is empty: receive the rest, spilling into the stage. */
	con->stage_head = con->stage_tail = 0;
	if (con->rx_dry)
		return (ssize_t)placed;
	n = 0;
	skip = placed;
	for (i = 0; i < ntgt && n < RX_IOV_MAX; i++) {
		if (skip >= tgt[i].iov_len) {
			skip -= tgt[i].iov_len;
			continue;
		}
		iov[n].iov_base = (uint8_t *)tgt[i].iov_base + skip;
		iov[n].iov_len = tgt[i].iov_len - skip;
		skip = 0;
		n++;
	}
	iov[n].iov_base = con->stage;
	iov[n].iov_len = spill;
	n++;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)n;
	do {
		r = recvmsg(con->lfd.fd, &mh, MSG_DONTWAIT);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return (ssize_t)placed;
		return -errno;
	}
	if (r == 0)
		return CEPHC_ECONNRESET; /* orderly close mid-stream */
	con->last_rx_ns = cephc_now_ns();
	{
		/* bytes beyond what the targets took went to the stage */
		size_t room = 0;

		for (i = 0; i < n - 1; i++)
			room += iov[i].iov_len;
		if ((size_t)r < room + spill)
			con->rx_dry = true;
		if ((size_t)r > room) {
			con->stage_tail = (size_t)r - room;
			r = (ssize_t)room;
		}
	}
	return (ssize_t)placed + r;
}

/* Fill rx_small up to rx_want.  1 complete, 0 need more, <0 error. */
static int rx_small(struct cephc_conn *con)
{
	struct iovec iov = {con->rx_small + con->rx_got,
			    con->rx_want - con->rx_got};
	ssize_t r;

	if (con->rx_got == con->rx_want)
		return 1;
	r = rx_into(con, &iov, 1, iov.iov_len, RX_STAGE_SIZE);
	if (r < 0)
		return (int)r;
	con->rx_got += (size_t)r;
	return con->rx_got == con->rx_want;
}

/* Same into an arbitrary flat buffer, folding crc over new bytes. */
static int rx_flat(struct cephc_conn *con, uint8_t *buf)
{
	struct iovec iov;
	ssize_t r;

	if (con->rx_got == con->rx_want)
		return 1; /* also covers empty sections (buf NULL) */
	iov.iov_base = buf + con->rx_got;
	iov.iov_len = con->rx_want - con->rx_got;
	r = rx_into(con, &iov, 1, iov.iov_len, RX_STAGE_SIZE);
	if (r < 0)
		return (int)r;
	con->rx_crc = cephc_crc32c(con->rx_crc, buf + con->rx_got, (size_t)r);
	con->rx_got += (size_t)r;
	return con->rx_got == con->rx_want;
}

/* Receive the data section in place (the cursor's iovecs). */
static int rx_data(struct cephc_conn *con)
{
	struct iovec iov[RX_IOV_MAX];
	size_t left, want, got;
	ssize_t r;
	int n;

	while ((left = cephc_msg_cursor_remaining(&con->rx_cur))) {
		/* one chunk at a time: crc it while it is in cache */
		want = left > IO_DATA_CHUNK ? IO_DATA_CHUNK : left;
		n = cephc_msg_cursor_fill_iov(&con->rx_cur, iov, RX_IOV_MAX,
					      want);
		got = 0;
		for (int i = 0; i < n; i++)
			got += iov[i].iov_len;
		/* spill into the stage only past the end of the section */
		r = rx_into(con, iov, n, got, got == left ? RX_STAGE_SIZE : 0);
		if (r < 0)
			return (int)r;
		if (cephc_msg_cursor_advance_crc(&con->rx_cur, (size_t)r,
						 &con->rx_crc))
			return CEPHC_EIO;
		if ((size_t)r < got)
			return 0; /* drained */
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* handshake: client */

static int con_send_connect(struct cephc_conn *con)
{
	struct cephc_msgr *m = con->msgr;
	struct v1_connect c = {0};
	const uint8_t *auth = NULL;
	uint32_t proto = 0, alen = 0;
	uint8_t buf[V1_CONNECT_LEN];
	int r;

	if (++con->connect_rounds > CONNECT_ROUNDS_MAX)
		return con_fail(con, CEPHC_EPROTO, "too many connect rounds");
	if (con->ops->get_authorizer) {
		r = con->ops->get_authorizer(con, &proto, &auth, &alen);
		if (r < 0)
			return con_fail(con, r, "no authorizer");
		if (alen > CEPHC_AUTHORIZER_MAX)
			return con_fail(con, CEPHC_ETOOBIG,
					"authorizer too large");
	}
	c.features = m->opts.features;
	c.host_type = m->name.type;
	c.global_seq = con->global_seq;
	c.connect_seq = con->connect_seq;
	switch (con->peer_type) {
	case CEPHC_ENTITY_OSD:
		c.protocol_version = CEPHC_OSDC_PROTOCOL;
		break;
	case CEPHC_ENTITY_MDS:
		c.protocol_version = CEPHC_MDSC_PROTOCOL;
		break;
	default:
		c.protocol_version = CEPHC_MONC_PROTOCOL;
	}
	c.authorizer_protocol = proto;
	c.authorizer_len = alen;
	c.flags = 0; /* the server decides lossiness */
	v1_encode_connect(buf, &c);
	r = ctl_append(con, buf, sizeof(buf));
	if (!r && alen)
		r = ctl_append(con, auth, alen);
	if (r)
		return con_fail(con, r, "connect does not fit");
	rx_expect(con, RX_CONNECT_REPLY, V1_CONNECT_REPLY_LEN);
	return 0;
}

/* The peer must be who we dialed (ip, port, nonce); a blank address with
 * the right nonce is accepted as the kernel does. */
static bool peer_matches(const struct cephc_entity_addr *dialed,
			 const struct cephc_entity_addr *said)
{
	if (cephc_addr_equal(dialed, said))
		return true;
	return cephc_addr_is_blank_ip(said) && said->nonce == dialed->nonce;
}

static int con_handle_server_hello(struct cephc_conn *con)
{
	struct cephc_entity_addr server, me;
	struct cephc_msgr *m = con->msgr;
	char a[80], b[80];
	int r;

	r = v1_decode_server_hello(con->rx_small, &server, &me);
	if (r == CEPHC_EBANNER)
		return con_fail(con, r, "bad banner from server");
	if (r)
		return con_fail(con, r, "bad addresses in server banner");
	if (!peer_matches(&con->peer_addr, &server)) {
		cephc_addr_format(&con->peer_addr, a, sizeof(a));
		cephc_addr_format(&server, b, sizeof(b));
		log_warn(LOG, "wrong peer: dialed %s, it is %s", a, b);
		return con_fail(con, CEPHC_EWRONGPEER, "wrong peer");
	}
	/* Learn our IP as the server sees it; keep our port and nonce. */
	if (cephc_addr_is_blank_ip(&m->addr) && !cephc_addr_is_blank_ip(&me)) {
		uint16_t port = cephc_addr_port(&m->addr);
		uint32_t nonce = m->addr.nonce;

		m->addr.ss = me.ss;
		cephc_addr_set_port(&m->addr, port);
		m->addr.nonce = nonce;
		cephc_addr_format(&m->addr, a, sizeof(a));
		log_debug(LOG, "learned my address %s", a);
	}
	return con_send_connect(con);
}

static void con_opened(struct cephc_conn *con)
{
	struct cephc_msgr *m = con->msgr;
	uint64_t now = cephc_now_ns();

	con->state = CEPHC_CON_OPEN;
	/* the handshake works: its own backoff starts over */
	con->opened = true;
	cephc_session_backoff_opened(&con->sbo, now);
	con->backoff_ms = 0;
	con->quick_retries = 0;
	con->connect_rounds = 0;
	con->authorizer_retried = false;
	con->last_rx_ns = now;
	rx_expect(con, RX_TAG, 1);
	if (m->opts.keepalive_interval_ms)
		cephc_timer_arm(m->loop, &con->timer,
				now +
				    m->opts.keepalive_interval_ms * 1000000ull);
	else
		cephc_timer_cancel(m->loop, &con->timer);
	if (con->ops->connected) {
		con->busy++;
		con->ops->connected(con);
		con_unbusy(con);
	}
}

/* Drop sent messages the peer acknowledged (seq <= acked). */
static void con_discard_acked(struct cephc_conn *con, uint64_t acked)
{
	struct cephc_msg *msg;

	while ((msg = con->sent_head) && msg->hdr.seq <= acked) {
		con->sent_head = msg->m_next;
		if (!con->sent_head)
			con->sent_tail = NULL;
		con->nsent--;
		msg->m_prepared = false;
		cephc_msg_put(msg);
	}
}

static int con_handle_connect_reply(struct cephc_conn *con)
{
	struct cephc_msgr *m = con->msgr;
	struct v1_connect_reply *rp = &con->reply;
	uint64_t missing;
	int r;

	con->last_reply_tag = rp->tag;
	log_debug(LOG, "connect reply %s features %#llx gseq %u cseq %u",
		  v1_tag_name(rp->tag), (unsigned long long)rp->features,
		  rp->global_seq, rp->connect_seq);
	switch (rp->tag) {
	case V1_TAG_READY:
	case V1_TAG_SEQ:
		missing = m->opts.required_features & ~rp->features;
		if (missing) {
			log_warn(LOG, "peer lacks required features %#llx",
				 (unsigned long long)missing);
			return con_fail(con, CEPHC_EFEATURES,
					"peer lacks required features");
		}
		if (con->ops->verify_authorizer_reply) {
			r = con->ops->verify_authorizer_reply(
			    con, con->rx_auth, rp->authorizer_len);
			if (r)
				return con_fail(con, CEPHC_EBADAUTH,
						"bad authorizer reply");
		}
		con->peer_features = rp->features;
		con->features = m->opts.features & rp->features;
		con->peer_global_seq = rp->global_seq;
		con->connect_seq = rp->connect_seq;
		con->lossy = rp->flags & V1_CONNECT_LOSSY;
		if (rp->tag == V1_TAG_SEQ) {
			rx_expect(con, RX_SEQ, 8);
			return 0;
		}
		con_opened(con);
		return 0;
	case V1_TAG_RESETSESSION:
		/* New session: forget sequence state, then connect again. */
		con->connect_seq = 0;
		con->in_seq = con->in_seq_acked = con->out_seq = 0;
		msg_list_drop(&con->sent_head, &con->sent_tail);
		con->nsent = 0;
		if (con->ops->peer_reset) {
			con->busy++;
			con->ops->peer_reset(con);
			con_unbusy(con);
			if (con->state == CEPHC_CON_CLOSED)
				return CEPHC_ECANCELED;
		}
		return con_send_connect(con);
	case V1_TAG_RETRY_SESSION:
		con->connect_seq = rp->connect_seq;
		return con_send_connect(con);
	case V1_TAG_RETRY_GLOBAL:
		if (rp->global_seq >= m->global_seq)
			m->global_seq = rp->global_seq;
		con->global_seq = ++m->global_seq;
		return con_send_connect(con);
	case V1_TAG_WAIT:
		return con_fail(con, CEPHC_EPROTO, "WAIT: connection race");
	case V1_TAG_BADPROTOVER:
		log_warn(LOG, "peer protocol version %u", rp->protocol_version);
		return con_fail(con, CEPHC_EPROTOVER, "BADPROTOVER");
	case V1_TAG_BADAUTHORIZER:
		if (con->authorizer_retried)
			return con_fail(con, CEPHC_EBADAUTH, "BADAUTHORIZER");
		con->authorizer_retried = true;
		return con_send_connect(con);
	case V1_TAG_FEATURES:
		missing = rp->features & ~m->opts.features;
		log_error(LOG, "peer requires features we lack: %#llx",
			  (unsigned long long)missing);
		return con_fail(con, CEPHC_EFEATURES, "FEATURES");
	case V1_TAG_CHALLENGE_AUTHORIZER:
		if (!con->ops->handle_authorizer_challenge)
			return con_fail(con, CEPHC_EBADAUTH,
					"unexpected authorizer challenge");
		r = con->ops->handle_authorizer_challenge(con, con->rx_auth,
							  rp->authorizer_len);
		if (r)
			return con_fail(con, r, "authorizer challenge");
		return con_send_connect(con);
	default:
		log_warn(LOG, "connect reply tag %u", rp->tag);
		return con_fail(con, CEPHC_EBADTAG, "bad connect reply tag");
	}
}

/* ------------------------------------------------------------------ */
/* handshake: accepting side */

static int srv_handle_connect(struct cephc_conn *con)
{
	struct cephc_msgr *m = con->msgr;
	struct v1_connect *c = &con->in_connect;
	struct v1_connect_reply rp = {0};
	uint8_t buf[V1_CONNECT_REPLY_LEN];
	uint8_t *rauth = NULL;
	int r;

	rp.features = m->opts.features;
	rp.global_seq = ++m->global_seq;
	rp.connect_seq = c->connect_seq + 1;
	rp.flags = V1_CONNECT_LOSSY; /* stateless server toward clients */
	if (m->opts.required_features & ~c->features) {
		rp.tag = V1_TAG_FEATURES;
		rp.features = (c->features & m->opts.features) |
			      m->opts.required_features;
	} else if (cephc_has_feature(c->features, CEPHC_FEAT_RECONNECT_SEQ)) {
		rp.tag = V1_TAG_SEQ;
	} else {
		rp.tag = V1_TAG_READY;
	}
	if (con->ops->accept_connect) {
		rauth = cephc_malloc(CEPHC_AUTHORIZER_MAX);
		if (!rauth)
			return con_fail(con, CEPHC_ENOMEM, "accept");
		r = con->ops->accept_connect(con, c, con->rx_auth, &rp, rauth);
		if (r < 0 || rp.authorizer_len > CEPHC_AUTHORIZER_MAX) {
			cephc_free(rauth);
			return con_fail(con, r < 0 ? r : CEPHC_EINVAL,
					"connect refused");
		}
	}
	v1_encode_connect_reply(buf, &rp);
	r = ctl_append(con, buf, sizeof(buf));
	if (!r && rp.authorizer_len)
		r = ctl_append(con, rauth, rp.authorizer_len);
	cephc_free(rauth);
	if (r)
		return con_fail(con, r, "connect reply does not fit");
	switch (rp.tag) {
	case V1_TAG_SEQ:
		/* our last-received seq from this client, then theirs */
		put_le64(buf, con->in_seq);
		ctl_append(con, buf, 8);
		con->peer_features = c->features;
		con->features = c->features & m->opts.features;
		con->lossy = true;
		rx_expect(con, RX_CLIENT_SEQ, 8);
		return 0;
	case V1_TAG_READY:
		con->peer_features = c->features;
		con->features = c->features & m->opts.features;
		con->lossy = true;
		con_opened(con);
		return 0;
	default:
		/* Retry-type replies: the client sends another connect;
		 * refusals: the client closes and we see EOF. */
		rx_expect(con, RX_CONNECT, V1_CONNECT_LEN);
		return 0;
	}
}

/* ------------------------------------------------------------------ */
/* steady-state receive */

/*
 * Front and middle are in: let the owner point the data section at its
 * buffers (it may decode the front to find where each part goes; the front
 * crc is checked with the footer, so a corrupt front only faults later).
 */
static int con_setup_data(struct cephc_conn *con)
{
	struct cephc_msgr *m = con->msgr;
	struct cephc_msg *msg = con->rx_msg;
	uint32_t data_len = msg->hdr.data_len;
	int r;

	if (!data_len)
		return 0;
	if (con->ops->alloc_data) {
		con->busy++;
		r = con->ops->alloc_data(con, msg);
		con_unbusy(con); /* con_io holds busy too: no free */
		if (con->state == CEPHC_CON_CLOSED)
			return CEPHC_ECANCELED;
		if (r)
			return con_fail(con, r, "alloc_data refused");
	}
	if (cephc_msg_data_length(&msg->data) == 0) {
		r = cephc_msg_data_alloc_pages(&msg->data, data_len,
					       m->opts.data_max);
		if (r)
			return con_fail(con, r, "data allocation");
	}
	if (cephc_msg_cursor_init(&con->rx_cur, &msg->data, data_len))
		return con_fail(con, CEPHC_EMSGSIZE,
				"data destination too small");
	return 0;
}

static int con_start_message(struct cephc_conn *con)
{
	struct cephc_msgr *m = con->msgr;
	struct v1_header h;
	struct cephc_msg *msg;
	int r;

	r = v1_decode_header(con->rx_small, &h);
	if (r)
		return con_fail(con, r, "bad message header crc");
	if (h.front_len > m->opts.front_max)
		return con_fail(con, CEPHC_ETOOBIG, "front too large");
	if (h.middle_len > m->opts.middle_max)
		return con_fail(con, CEPHC_ETOOBIG, "middle too large");
	if (h.data_len > m->opts.data_max)
		return con_fail(con, CEPHC_ETOOBIG, "data too large");
	if (h.seq > con->in_seq + 1 && con->in_seq)
		log_warn(LOG, "seq jumped from %llu to %llu",
			 (unsigned long long)con->in_seq,
			 (unsigned long long)h.seq);
	msg = cephc_msg_new(h.type, h.front_len);
	if (!msg)
		return con_fail(con, CEPHC_ENOMEM, "message allocation");
	msg->hdr = h;
	if (h.middle_len) {
		msg->middle = cephc_malloc(h.middle_len);
		if (!msg->middle) {
			cephc_msg_put(msg);
			return con_fail(con, CEPHC_ENOMEM, "middle allocation");
		}
		msg->middle_len = h.middle_len;
	}
	con->rx_msg = msg;
	con->rx_crc = 0;
	rx_expect(con, RX_FRONT, h.front_len);
	return 0;
}

/* The footer is in rx_small: check crcs and signature, then dispatch. */
static int con_dispatch_message(struct cephc_conn *con)
{
	struct cephc_msg *msg = con->rx_msg;
	struct v1_footer *f = &msg->footer;
	int r;

	/* Its size follows the negotiated features, never its flags. */
	v1_decode_footer(con->rx_small, con->rx_want, f);
	if (f->front_crc != con->rx_front_crc)
		return con_fail(con, CEPHC_ECRC, "front crc mismatch");
	if (f->middle_crc != con->rx_middle_crc)
		return con_fail(con, CEPHC_ECRC, "middle crc mismatch");
	if (!(f->flags & V1_FOOTER_NOCRC) && f->data_crc != con->rx_data_crc)
		return con_fail(con, CEPHC_ECRC, "data crc mismatch");
	if (cephc_has_feature(con->features, CEPHC_FEAT_MSG_AUTH) &&
	    con->ops->check_signature) {
		r = con->ops->check_signature(con, msg);
		if (r)
			return con_fail(con, CEPHC_ESIGNATURE,
					"message signature mismatch");
	}
	con->rx_msg = NULL;
	rx_expect(con, RX_TAG, 1);
	if (!(f->flags & V1_FOOTER_COMPLETE)) {
		/* The sender aborted this message. */
		cephc_msg_put(msg);
		return 0;
	}
	if (msg->hdr.seq <= con->in_seq) {
		log_debug(LOG, "dropping duplicate seq %llu",
			  (unsigned long long)msg->hdr.seq);
		cephc_msg_put(msg);
		return 0;
	}
	con->in_seq = msg->hdr.seq;
	cephc_session_backoff_delivered(&con->sbo);
	if (con->ops->dispatch) {
		con->busy++;
		con->ops->dispatch(con, msg);
		con_unbusy(con);
	} else {
		cephc_msg_put(msg);
	}
	/* The hook may have closed us. */
	return con->state == CEPHC_CON_CLOSED ? CEPHC_ECANCELED : 0;
}

/* One step of the receive machine.  1 progress, 0 blocked, <0 stop. */
static int con_rx_step(struct cephc_conn *con)
{
	uint8_t *p = con->rx_small;
	int r;

	switch (con->rx) {
	case RX_NONE:
		return 0;
	case RX_SERVER_HELLO:
	case RX_CONNECT_REPLY:
	case RX_SEQ:
	case RX_CLIENT_HELLO:
	case RX_CONNECT:
	case RX_CLIENT_SEQ:
	case RX_TAG:
	case RX_ACK:
	case RX_KEEPALIVE2:
	case RX_KEEPALIVE2_ACK:
	case RX_HEADER:
	case RX_FOOTER:
		r = rx_small(con);
		break;
	case RX_CONNECT_REPLY_AUTH:
	case RX_CONNECT_AUTH:
		r = rx_flat(con, con->rx_auth);
		break;
	case RX_FRONT:
		r = rx_flat(con, con->rx_msg->front);
		break;
	case RX_MIDDLE:
		r = rx_flat(con, con->rx_msg->middle);
		break;
	case RX_DATA:
		r = con->rx_msg->hdr.data_len ? rx_data(con) : 1;
		break;
	default:
		r = CEPHC_EIO;
	}
	if (r < 0) {
		if (r == CEPHC_ECONNRESET)
			return con_fail(con, r, "peer closed the connection");
		return con_fail(con, r, "receive failed");
	}
	if (r == 0)
		return 0;

	switch (con->rx) {
	case RX_SERVER_HELLO:
		return con_handle_server_hello(con) ?: 1;
	case RX_CONNECT_REPLY:
		v1_decode_connect_reply(p, &con->reply);
		if (con->reply.authorizer_len > CEPHC_AUTHORIZER_MAX)
			return con_fail(con, CEPHC_ETOOBIG,
					"connect reply authorizer too large");
		con->rx_crc = 0;
		rx_expect(con, RX_CONNECT_REPLY_AUTH,
			  con->reply.authorizer_len);
		return 1;
	case RX_CONNECT_REPLY_AUTH:
		return con_handle_connect_reply(con) ?: 1;
	case RX_SEQ: {
		/* The peer's last-received seq from us; then ours, before any
		 * other byte (the peer reads exactly these 8 next). */
		uint8_t b[8];

		con_discard_acked(con, get_le64(p));
		put_le64(b, con->in_seq);
		ctl_append(con, b, 8);
		con->in_seq_acked = con->in_seq;
		con_opened(con);
		return 1;
	}
	case RX_CLIENT_HELLO: {
		struct cephc_entity_addr peer;

		r = v1_decode_client_hello(p, &peer);
		if (r)
			return con_fail(con, r, "bad client banner");
		rx_expect(con, RX_CONNECT, V1_CONNECT_LEN);
		return 1;
	}
	case RX_CONNECT:
		v1_decode_connect(p, &con->in_connect);
		if (con->in_connect.authorizer_len > CEPHC_AUTHORIZER_MAX)
			return con_fail(con, CEPHC_ETOOBIG,
					"connect authorizer too large");
		con->rx_crc = 0;
		rx_expect(con, RX_CONNECT_AUTH, con->in_connect.authorizer_len);
		return 1;
	case RX_CONNECT_AUTH:
		return srv_handle_connect(con) ?: 1;
	case RX_CLIENT_SEQ:
		con_discard_acked(con, get_le64(p));
		con_opened(con);
		return 1;
	case RX_TAG:
		switch (p[0]) {
		case V1_TAG_MSG:
			rx_expect(con, RX_HEADER, V1_HEADER_LEN);
			return 1;
		case V1_TAG_ACK:
			rx_expect(con, RX_ACK, 8);
			return 1;
		case V1_TAG_KEEPALIVE:
			if ((r = con_count_keepalive(con)))
				return r;
			rx_expect(con, RX_TAG, 1);
			return 1;
		case V1_TAG_KEEPALIVE2:
			if ((r = con_count_keepalive(con)))
				return r;
			rx_expect(con, RX_KEEPALIVE2, 8);
			return 1;
		case V1_TAG_KEEPALIVE2_ACK:
			if ((r = con_count_keepalive(con)))
				return r;
			rx_expect(con, RX_KEEPALIVE2_ACK, 8);
			return 1;
		case V1_TAG_CLOSE:
			return con_fail(con, CEPHC_ECONNRESET,
					"peer sent CLOSE");
		default:
			log_warn(LOG, "unexpected tag %u (%s) in open state",
				 p[0], v1_tag_name(p[0]));
			return con_fail(con, CEPHC_EBADTAG, "bad tag");
		}
	case RX_ACK:
		con_discard_acked(con, get_le64(p));
		rx_expect(con, RX_TAG, 1);
		return 1;
	case RX_KEEPALIVE2:
		/* Echo the stamp (sent at the next message boundary). */
		memcpy(con->keepalive_ack_stamp, p, 8);
		con->need_keepalive_ack = true;
		rx_expect(con, RX_TAG, 1);
		return 1;
	case RX_KEEPALIVE2_ACK:
		con->last_ka_ack_ns = cephc_now_ns();
		rx_expect(con, RX_TAG, 1);
		return 1;
	case RX_HEADER:
		return con_start_message(con) ?: 1;
	case RX_FRONT:
		con->rx_front_crc = con->rx_crc;
		con->rx_crc = 0;
		rx_expect(con, RX_MIDDLE, con->rx_msg->middle_len);
		return 1;
	case RX_MIDDLE:
		con->rx_middle_crc = con->rx_crc;
		con->rx_crc = 0;
		con->rx = RX_DATA;
		return con_setup_data(con) ?: 1;
	case RX_DATA:
		con->rx_data_crc = con->rx_crc;
		rx_expect(con, RX_FOOTER, v1_footer_len(con->features));
		return 1;
	case RX_FOOTER:
		return con_dispatch_message(con) ?: 1;
	default:
		return con_fail(con, CEPHC_EIO, "bad receive state");
	}
}

/* ------------------------------------------------------------------ */
/* send */

/* Data crc known: sign (when MSG_AUTH is negotiated) and encode. */
static int msg_finish_footer(struct cephc_conn *con, struct cephc_msg *msg,
			     uint32_t data_crc)
{
	int r;

	msg->footer.data_crc = data_crc;
	msg->footer.flags = V1_FOOTER_COMPLETE;
	msg->footer.sig = 0;
	if (cephc_has_feature(con->features, CEPHC_FEAT_MSG_AUTH) &&
	    con->ops->sign_message) {
		r = con->ops->sign_message(con, msg);
		if (r)
			return r;
		msg->footer.flags |= V1_FOOTER_SIGNED;
	}
	v1_encode_footer(msg->m_wire_foot, msg->m_foot_len, &msg->footer);
	msg->m_foot_ready = true;
	return 0;
}

/* Stamp seq, compute the header and front/middle crcs, build the head. */
static int msg_prepare(struct cephc_conn *con, struct cephc_msg *msg)
{
	struct cephc_msgr *m = con->msgr;
	struct cephc_msg_cursor cur;
	uint32_t crc = 0;
	size_t dlen = cephc_msg_data_length(&msg->data);

	if (dlen > UINT32_MAX)
		return CEPHC_EMSGSIZE;
	msg->hdr.seq = ++con->out_seq;
	msg->hdr.front_len = msg->front_len;
	msg->hdr.middle_len = msg->middle_len;
	msg->hdr.data_len = (uint32_t)dlen;
	msg->hdr.src = m->name;
	msg->m_wire_head[0] = V1_TAG_MSG;
	v1_encode_header(msg->m_wire_head + 1, &msg->hdr);
	msg->footer.front_crc = cephc_crc32c(0, msg->front, msg->front_len);
	msg->footer.middle_crc = cephc_crc32c(0, msg->middle, msg->middle_len);
	msg->m_foot_len = (uint8_t)v1_footer_len(con->features);
	msg->m_prepared = true;
	msg->m_foot_ready = false;
	if (dlen > TX_CRC_UPFRONT_MAX)
		return 0; /* crc folded while sending; see tx_consume() */
	if (dlen) {
		cephc_msg_cursor_init(&cur, &msg->data, dlen);
		cephc_msg_cursor_advance_crc(&cur, dlen, &crc);
	}
	return msg_finish_footer(con, msg, crc);
}

/* Bytes the iovecs built by msg_fill_iov cover, to know if it was cut. */
static size_t iov_bytes(const struct iovec *iov, int n)
{
	size_t s = 0;

	for (int i = 0; i < n; i++)
		s += iov[i].iov_len;
	return s;
}

/* iovecs for msg from byte offset off; cur is its data cursor at the data
 * position matching off (or at 0 when off is before the data). */
static int msg_fill_iov(struct cephc_msg *msg, size_t off,
			const struct cephc_msg_cursor *cur, struct iovec *iov,
			int max)
{
	size_t pos = 0;
	int n = 0;

#define SECTION(base, len)                                                     \
	do {                                                                   \
		size_t l_ = (len);                                             \
		if (n < max && off < pos + l_) {                               \
			iov[n].iov_base = (uint8_t *)(base) + (off - pos);     \
			iov[n].iov_len = l_ - (off - pos);                     \
			n++;                                                   \
			off = pos + l_;                                        \
		}                                                              \
		pos += l_;                                                     \
	} while (0)

	SECTION(msg->m_wire_head, sizeof(msg->m_wire_head));
	SECTION(msg->front, msg->front_len);
	SECTION(msg->middle, msg->middle_len);
	if (msg->hdr.data_len) {
		size_t dend = pos + msg->hdr.data_len;

		if (off < dend) {
			size_t want;
			int k;

			if (n + 1 >= max)
				return n; /* keep room for the footer */
			want = dend - off;
			if (!msg->m_foot_ready && want > IO_DATA_CHUNK)
				want = IO_DATA_CHUNK;
			k = cephc_msg_cursor_fill_iov(cur, iov + n, max - n - 1,
						      want);
			n += k;
			/* continue past the data only if all of it fit */
			if (iov_bytes(iov + n - k, k) != dend - off)
				return n;
		}
		pos = dend;
		off = off < dend ? dend : off;
	}
	/* A large section's footer waits for its crc (next round). */
	if (!msg->m_foot_ready)
		return n;
	SECTION(msg->m_wire_foot, msg->m_foot_len);
#undef SECTION
	return n;
}

/* Account n sent bytes to out_head (and those after it).  Returns 0 or a
 * signing error. */
static int tx_consume(struct cephc_conn *con, size_t n)
{
	size_t c = con->tx_ctl_tail - con->tx_ctl_head;

	if (c > n)
		c = n;
	con->tx_ctl_head += c;
	n -= c;
	while (n) {
		struct cephc_msg *msg = con->out_head;
		size_t total = msg_wire_len(msg);
		size_t take = total - con->tx_off;
		size_t ds =
		    sizeof(msg->m_wire_head) + msg->front_len + msg->middle_len;
		size_t de = ds + msg->hdr.data_len;
		size_t a, b;

		if (take > n)
			take = n;
		/* advance the data cursor over [tx_off, tx_off+take) & data */
		a = con->tx_off > ds ? con->tx_off : ds;
		b = con->tx_off + take < de ? con->tx_off + take : de;
		if (b > a && msg->m_foot_ready) {
			cephc_msg_cursor_advance(&con->tx_cur, b - a);
		} else if (b > a) {
			/* large data: crc over what the kernel just copied */
			cephc_msg_cursor_advance_crc(&con->tx_cur, b - a,
						     &con->tx_data_crc);
			if (b == de) {
				int r = msg_finish_footer(con, msg,
							  con->tx_data_crc);

				if (r)
					return r;
			}
		}
		con->tx_off += take;
		n -= take;
		if (con->tx_off == total) {
			con->out_head = msg->m_next;
			if (!con->out_head)
				con->out_tail = NULL;
			/*
			 * A lossy session never replays, and a Ceph server
			 * with a lossy policy never sends ACKs: keep nothing.
			 * Otherwise wait for the peer's ack.
			 */
			if (con->lossy) {
				msg->m_prepared = false;
				cephc_msg_put(msg);
			} else {
				msg_list_push(&con->sent_head, &con->sent_tail,
					      msg);
				con->nsent++;
			}
			con->tx_off = 0;
			con->tx_data_crc = 0;
			if (con->out_head && con->out_head->hdr.data_len)
				cephc_msg_cursor_init(
				    &con->tx_cur, &con->out_head->data,
				    con->out_head->hdr.data_len);
		}
	}
	return 0;
}

/* Write as much as the socket takes.  0 ok, <0 faulted. */
static int con_flush(struct cephc_conn *con)
{
	struct iovec iov[TX_IOV_MAX];
	struct msghdr mh;
	ssize_t r;
	int n;

	if (con->lfd.fd < 0 || con->state == CEPHC_CON_CONNECTING)
		return 0;
	for (;;) {
		bool cut = false;

		/* Control tags go between messages, never inside one. */
		if (con->state == CEPHC_CON_OPEN && con->tx_off == 0) {
			if (con->need_keepalive_ack) {
				uint8_t b[9];

				b[0] = V1_TAG_KEEPALIVE2_ACK;
				memcpy(b + 1, con->keepalive_ack_stamp, 8);
				if (!ctl_append(con, b, sizeof(b)))
					con->need_keepalive_ack = false;
			}
			/* A lossy peer keeps no sent list, so an ACK would
			 * only cost both sides a wake-up (Ceph's own client
			 * sends none on lossy sessions either). */
			if (!con->lossy && con->in_seq > con->in_seq_acked &&
			    !ctl_tag_u64(con, V1_TAG_ACK, con->in_seq))
				con->in_seq_acked = con->in_seq;
			if (con->need_keepalive) {
				uint8_t b[9];

				b[0] = V1_TAG_KEEPALIVE2;
				keepalive_stamp(b + 1);
				if (!ctl_append(con, b, sizeof(b)))
					con->need_keepalive = false;
			}
		}
		n = 0;
		if (con->tx_ctl_tail > con->tx_ctl_head) {
			iov[n].iov_base = con->tx_ctl + con->tx_ctl_head;
			iov[n].iov_len = con->tx_ctl_tail - con->tx_ctl_head;
			n++;
		}
		if (con->state == CEPHC_CON_OPEN) {
			struct cephc_msg *msg;
			size_t off = con->tx_off;

			for (msg = con->out_head; msg && n < TX_IOV_MAX - 2;
			     msg = msg->m_next) {
				struct cephc_msg_cursor cur;
				int k;

				memset(&cur, 0, sizeof(cur));
				if (!msg->m_prepared) {
					int e = msg_prepare(con, msg);

					if (e)
						return con_fail(con, e,
								"cannot sign");
					if (msg == con->out_head &&
					    msg->hdr.data_len) {
						cephc_msg_cursor_init(
						    &con->tx_cur, &msg->data,
						    msg->hdr.data_len);
						con->tx_data_crc = 0;
					}
				}
				if (msg == con->out_head) {
					cur = con->tx_cur;
				} else if (msg->hdr.data_len) {
					cephc_msg_cursor_init(
					    &cur, &msg->data,
					    msg->hdr.data_len);
				}
				k = msg_fill_iov(msg, off, &cur, iov + n,
						 TX_IOV_MAX - n);
				n += k;
				if (iov_bytes(iov + n - k, k) !=
				    msg_wire_len(msg) - off) {
					cut = true;
					break;
				}
				off = 0;
			}
		}
		if (n == 0)
			break;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = iov;
		mh.msg_iovlen = (size_t)n;
		do {
			r = sendmsg(con->lfd.fd, &mh,
				    MSG_DONTWAIT | MSG_NOSIGNAL);
		} while (r < 0 && errno == EINTR);
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				con_update_events(con, true);
				return 0;
			}
			return con_fail(con, -errno, "send failed");
		}
		if (tx_consume(con, (size_t)r))
			return con_fail(con, CEPHC_ESIGNATURE, "cannot sign");
		if ((size_t)r < iov_bytes(iov, n) && !cut) {
			/* socket full: wait for EPOLLOUT */
			con_update_events(con, true);
			return 0;
		}
	}
	con_update_events(con, false);
	return 0;
}

/* ------------------------------------------------------------------ */
/* events */

static int con_connected_socket(struct cephc_conn *con)
{
	struct cephc_msgr *m = con->msgr;
	uint8_t hello[V1_CLIENT_HELLO_LEN];

	con->state = CEPHC_CON_HANDSHAKE;
	v1_encode_client_hello(hello, &m->addr);
	ctl_append(con, hello, sizeof(hello));
	rx_expect(con, RX_SERVER_HELLO, V1_SERVER_HELLO_LEN);
	return con_flush(con);
}

static void con_io(struct cephc_loop_fd *lfd, uint32_t revents)
{
	struct cephc_conn *con =
	    (struct cephc_conn *)((char *)lfd -
				  offsetof(struct cephc_conn, lfd));
	int r = 0;

	con->busy++;
	if (con->state == CEPHC_CON_CONNECTING) {
		int err = 0;
		socklen_t len = sizeof(err);

		if (!(revents & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
			goto out;
		getsockopt(con->lfd.fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			con_fail(con, -err, "connect failed");
			goto out;
		}
		if (con_connected_socket(con))
			goto out;
	}
	if (revents & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		/* Until the socket is drained: with level-triggered epoll,
		 * bytes left in the stage would get no wake-up. */
		con->in_rx = true;
		con->rx_dry = false;
		do {
			r = con_rx_step(con);
		} while (r > 0);
		con->in_rx = false;
		if (r < 0 || con->state == CEPHC_CON_CLOSED)
			goto out;
	}
	con_flush(con);
out:
	con_unbusy(con);
}

static void con_timer(struct cephc_timer *t)
{
	struct cephc_conn *con =
	    (struct cephc_conn *)((char *)t -
				  offsetof(struct cephc_conn, timer));
	struct cephc_msgr *m = con->msgr;
	uint64_t now = cephc_now_ns();

	con->busy++;
	switch (con->state) {
	case CEPHC_CON_BACKOFF: {
		int r;

		con->state = CEPHC_CON_CLOSED;
		r = cephc_conn_open(con, &con->peer_addr, con->peer_type);
		if (r && con->ops->fault)
			con->ops->fault(con, r); /* still CLOSED */
		break;
	}
	case CEPHC_CON_CONNECTING:
	case CEPHC_CON_HANDSHAKE:
		con_fail(con, CEPHC_ETIMEDOUT, "handshake timed out");
		break;
	case CEPHC_CON_OPEN:
		if (m->opts.keepalive_timeout_ms &&
		    now - con->last_rx_ns >
			m->opts.keepalive_timeout_ms * 1000000ull) {
			con_fail(con, CEPHC_ETIMEDOUT,
				 "peer silent past keepalive timeout");
			break;
		}
		con->need_keepalive = true;
		if (con_flush(con))
			break;
		cephc_timer_arm(m->loop, &con->timer,
				now +
				    m->opts.keepalive_interval_ms * 1000000ull);
		break;
	default:
		break;
	}
	con_unbusy(con);
}

/* ------------------------------------------------------------------ */
/* connection API */

struct cephc_conn *cephc_conn_create(struct cephc_msgr *m,
				     const struct cephc_conn_ops *ops,
				     void *priv)
{
	struct cephc_conn *con = cephc_calloc(1, sizeof(*con));

	if (!con)
		return NULL;
	con->stage = cephc_malloc(RX_STAGE_SIZE);
	con->rx_auth = cephc_malloc(CEPHC_AUTHORIZER_MAX);
	if (!con->stage || !con->rx_auth) {
		con_free(con);
		return NULL;
	}
	con->msgr = m;
	con->ops = ops;
	con->priv = priv;
	con->lfd.fd = -1;
	con->lfd.cb = con_io;
	con->timer.cb = con_timer;
	con->flush_defer.fn = con_deferred_flush;
	cephc_session_backoff_init(&con->sbo, NULL);
	return con;
}

void cephc_conn_destroy(struct cephc_conn *con)
{
	if (!con)
		return;
	if (con->busy) {
		con->destroying = true;
		con_reset_socket(con);
		return;
	}
	con_reset_socket(con);
	con_free(con);
}

void *cephc_conn_priv(const struct cephc_conn *con)
{
	return con->priv;
}

static void sock_tune(struct cephc_msgr *m, int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (m->opts.sndbuf)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &m->opts.sndbuf,
			   sizeof(int));
	if (m->opts.rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &m->opts.rcvbuf,
			   sizeof(int));
}

static int con_attach(struct cephc_conn *con, int fd, bool connecting)
{
	struct cephc_msgr *m = con->msgr;
	int r;

	con->lfd.fd = fd;
	r = cephc_loop_add_fd(m->loop, &con->lfd,
			      EPOLLIN | (connecting ? EPOLLOUT : 0));
	if (r) {
		close(fd);
		con->lfd.fd = -1;
		return r;
	}
	con->handshake_deadline_ns =
	    cephc_now_ns() + m->opts.connect_timeout_ms * 1000000ull;
	if (m->opts.connect_timeout_ms)
		cephc_timer_arm(m->loop, &con->timer,
				con->handshake_deadline_ns);
	return 0;
}

static int con_begin(struct cephc_conn *con,
		     const struct cephc_entity_addr *peer, uint8_t peer_type)
{
	struct cephc_msgr *m = con->msgr;

	if (con->state != CEPHC_CON_CLOSED)
		return CEPHC_EISCONN;
	if (peer != &con->peer_addr)
		con->peer_addr = *peer;
	con->peer_type = peer_type;
	con->server = false;
	con->opened = false;
	con->global_seq = ++m->global_seq;
	con->connect_seq = 0;
	con->connect_rounds = 0;
	con->authorizer_retried = false;
	con->features = 0;
	return 0;
}

int cephc_conn_open(struct cephc_conn *con,
		    const struct cephc_entity_addr *peer, uint8_t peer_type)
{
	struct cephc_msgr *m = con->msgr;
	socklen_t slen;
	int fd, r;

	r = con_begin(con, peer, peer_type);
	if (r)
		return r;
	slen = con->peer_addr.ss.ss_family == AF_INET6
		   ? sizeof(struct sockaddr_in6)
		   : sizeof(struct sockaddr_in);
	fd = socket(con->peer_addr.ss.ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	sock_tune(m, fd);
	con->state = CEPHC_CON_CONNECTING;
	if (connect(fd, (struct sockaddr *)&con->peer_addr.ss, slen) < 0 &&
	    errno != EINPROGRESS) {
		r = -errno;
		close(fd);
		con->state = CEPHC_CON_CLOSED;
		return r;
	}
	r = con_attach(con, fd, true);
	if (r)
		con->state = CEPHC_CON_CLOSED;
	return r;
}

int cephc_conn_open_fd(struct cephc_conn *con, int fd,
		       const struct cephc_entity_addr *peer, uint8_t peer_type)
{
	int r = con_begin(con, peer, peer_type);

	if (r)
		return r;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	con->state = CEPHC_CON_HANDSHAKE;
	r = con_attach(con, fd, false);
	if (r) {
		con->state = CEPHC_CON_CLOSED;
		return r;
	}
	con->busy++;
	con_connected_socket(con);
	con_unbusy(con);
	return 0;
}

/*
 * A session that keeps faulting after OPEN is being paced: say so, the
 * first time and then once per interval with a count, whatever the peer
 * does (it may fault thousands of sessions).
 */
static void con_warn_backoff(struct cephc_conn *con, uint64_t now,
			     uint32_t delay_ms)
{
	struct cephc_log_ratelimit *rl = &con->msgr->backoff_rl;
	char peer[80];
	uint32_t held;

	if (cephc_log_threshold < CEPHC_LOG_WARN ||
	    !cephc_log_ratelimit_pass(rl, now, &held))
		return;
	if (held)
		log_warn(LOG,
			 "%u more sessions faulted and held back in the "
			 "last %llu s",
			 held, cephc_log_ratelimit_span_s(rl));
	cephc_addr_format_hostport(&con->peer_addr, peer, sizeof(peer));
	log_warn(LOG,
		 "%s: session faulted %u times in a row (%s); reconnecting "
		 "in %u ms",
		 peer, con->sbo.streak + con->sbo.quiet_streak,
		 con->fault_why ? con->fault_why : "closed", delay_ms);
}

void cephc_conn_reconnect(struct cephc_conn *con)
{
	struct cephc_msgr *m = con->msgr;
	uint32_t delay_ms = 0;

	if (con->state != CEPHC_CON_CLOSED || con->server)
		return;
	if (con->opened) {
		/* the session opened, then faulted */
		uint64_t now = cephc_now_ns();

		delay_ms = cephc_session_backoff_fault(&con->sbo, now,
						       (uint32_t)(now >> 10));
		if (delay_ms)
			con_warn_backoff(con, now, delay_ms);
	} else if (con->peer_dropped &&
		   con->quick_retries < CON_QUICK_RETRIES) {
		/* a live peer that dropped us mid-handshake (the daemons'
		 * socket-failure injection does it): try again at once */
		con->quick_retries++;
	} else {
		con->backoff_ms = con->backoff_ms ? con->backoff_ms * 2
						  : CEPHC_BACKOFF_BASE_MS;
		if (con->backoff_ms > CEPHC_BACKOFF_MAX_MS)
			con->backoff_ms = CEPHC_BACKOFF_MAX_MS;
		/* up to half again as jitter, so that many clients faulted
		 * by one event do not come back in step */
		delay_ms =
		    con->backoff_ms +
		    (uint32_t)(cephc_now_ns() % (con->backoff_ms / 2 + 1));
	}
	con->state = CEPHC_CON_BACKOFF;
	/* a timer even at 0 ms: never re-enter the fault path inline */
	cephc_timer_arm(m->loop, &con->timer,
			cephc_now_ns() + delay_ms * 1000000ull);
}

void cephc_conn_close(struct cephc_conn *con)
{
	/* Tell a peer in session we are leaving (best effort), unless that
	 * byte would land inside a partly written message or control bytes. */
	if (con->state == CEPHC_CON_OPEN && con->lfd.fd >= 0 &&
	    con->tx_off == 0 && con->tx_ctl_head == con->tx_ctl_tail) {
		uint8_t tag = V1_TAG_CLOSE;

		(void)!send(con->lfd.fd, &tag, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
	}
	con_reset_socket(con);
}

void cephc_conn_send(struct cephc_conn *con, struct cephc_msg *msg)
{
	if (con->destroying) {
		cephc_msg_put(msg);
		return;
	}
	if (msg->unstable) {
		/* bounce once: a changed buffer would fail its crc */
		int r = cephc_msg_data_bounce(&msg->data);

		if (r) {
			log_error(LOG, "cannot bounce unstable data: %s",
				  cephc_strerror(r));
			cephc_msg_put(msg);
			return;
		}
		msg->unstable = false;
	}
	msg->m_prepared = false;
	msg_list_push(&con->out_head, &con->out_tail, msg);
	/* Sends from dispatch hooks are batched into con_io's flush, the
	 * rest of the driver's turn into one flush at its end. */
	if (con->state != CEPHC_CON_OPEN || con->in_rx)
		return;
	if (cephc_loop_in_driver(con->msgr->loop)) {
		cephc_loop_defer(con->msgr->loop, &con->flush_defer);
		return;
	}
	con->busy++;
	con_flush(con);
	con_unbusy(con);
}

static void con_deferred_flush(struct cephc_loop_defer *d)
{
	struct cephc_conn *con =
	    (struct cephc_conn *)((char *)d -
				  offsetof(struct cephc_conn, flush_defer));

	con->busy++;
	con_flush(con);
	con_unbusy(con);
}

static void send_work(struct cephc_loop_work *w)
{
	struct cephc_msg *msg =
	    (struct cephc_msg *)((char *)w -
				 offsetof(struct cephc_msg, m_work));

	cephc_conn_send(msg->m_con, msg);
}

void cephc_conn_send_any(struct cephc_conn *con, struct cephc_msg *msg)
{
	msg->m_con = con;
	msg->m_work.fn = send_work;
	cephc_loop_submit(con->msgr->loop, &msg->m_work);
}

enum cephc_conn_state cephc_conn_state(const struct cephc_conn *con)
{
	return con->state;
}

uint64_t cephc_conn_features(const struct cephc_conn *con)
{
	return con->features;
}

uint64_t cephc_conn_peer_features(const struct cephc_conn *con)
{
	return con->peer_features;
}

const struct cephc_entity_addr *
cephc_conn_peer_addr(const struct cephc_conn *con)
{
	return &con->peer_addr;
}

uint64_t cephc_conn_last_keepalive_ack(const struct cephc_conn *con)
{
	return con->last_ka_ack_ns;
}

const char *cephc_conn_fault_reason(const struct cephc_conn *con, int *err)
{
	if (err)
		*err = con->fault_err;
	return con->fault_why;
}

uint8_t cephc_conn_last_reply_tag(const struct cephc_conn *con)
{
	return con->last_reply_tag;
}

uint32_t cephc_conn_unacked(const struct cephc_conn *con)
{
	return con->nsent;
}

/* ------------------------------------------------------------------ */
/* accepting side */

static void listen_io(struct cephc_loop_fd *lfd, uint32_t revents)
{
	struct cephc_msgr *m =
	    (struct cephc_msgr *)((char *)lfd -
				  offsetof(struct cephc_msgr, listen_lfd));
	struct sockaddr_storage ss;
	socklen_t slen;
	int fd;

	(void)revents;
	for (;;) {
		struct cephc_conn *con;
		struct cephc_entity_addr me_addr, peer;
		uint8_t hello[V1_SERVER_HELLO_LEN];

		slen = sizeof(ss);
		fd = accept4(m->listen_lfd.fd, (struct sockaddr *)&ss, &slen,
			     SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		sock_tune(m, fd);
		con = cephc_conn_create(m, m->listen_ops, m->listen_priv);
		if (!con) {
			close(fd);
			continue;
		}
		con->server = true;
		memset(&peer, 0, sizeof(peer));
		peer.type = CEPHC_ADDR_LEGACY;
		peer.ss = ss;
		con->peer_addr = peer;
		me_addr = m->addr;
		con->state = CEPHC_CON_HANDSHAKE;
		if (con_attach(con, fd, false)) {
			con_free(con);
			continue;
		}
		v1_encode_server_hello(hello, &me_addr, &peer);
		ctl_append(con, hello, sizeof(hello));
		rx_expect(con, RX_CLIENT_HELLO, V1_CLIENT_HELLO_LEN);
		if (m->listen_ops->accepted)
			m->listen_ops->accepted(con);
		con->busy++;
		con_flush(con);
		con_unbusy(con);
	}
}

int cephc_msgr_listen(struct cephc_msgr *m,
		      const struct cephc_entity_addr *addr,
		      const struct cephc_conn_ops *ops, void *priv)
{
	struct sockaddr_storage ss;
	socklen_t slen = addr->ss.ss_family == AF_INET6
			     ? sizeof(struct sockaddr_in6)
			     : sizeof(struct sockaddr_in);
	int fd, one = 1, r;

	fd = socket(addr->ss.ss_family,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&addr->ss, slen) < 0 ||
	    listen(fd, 128) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	slen = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &slen);
	m->addr.ss = ss;
	m->listen_ops = ops;
	m->listen_priv = priv;
	m->listen_lfd.fd = fd;
	m->listen_lfd.cb = listen_io;
	r = cephc_loop_add_fd(m->loop, &m->listen_lfd, EPOLLIN);
	if (r) {
		close(fd);
		m->listen_lfd.fd = -1;
	}
	return r;
}
