/* SPDX-License-Identifier: MIT */
/*
 * Sans-IO codecs for the monitor messages a client exchanges (front
 * sections only; the messenger frames them).  Encoders write into a
 * caller-sized cephc_enc (each has a _size() helper giving the exact
 * length); decoders read from a cursor over the received front and never
 * trust a peer length beyond the named maxima below.
 */
#ifndef CEPHC_MON_MON_MSGS_H
#define CEPHC_MON_MON_MSGS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/addr.h"
#include "core/decode.h"
#include "core/encode.h"

/* Message types (ceph_msg_header.type). */
enum {
	CEPHC_MSG_MON_MAP = 4,
	CEPHC_MSG_MON_SUBSCRIBE = 15,
	CEPHC_MSG_MON_SUBSCRIBE_ACK = 16,
	CEPHC_MSG_AUTH = 17,
	CEPHC_MSG_AUTH_REPLY = 18,
	CEPHC_MSG_MON_GET_VERSION = 19,
	CEPHC_MSG_MON_GET_VERSION_REPLY = 20,
	CEPHC_MSG_OSD_MAP = 41,
	CEPHC_MSG_MON_COMMAND = 50,
	CEPHC_MSG_MON_COMMAND_ACK = 51,
};

/* Named limits on what a monitor may send us. */
#define CEPHC_MON_MAX 64                  /* monitors in one monmap */
#define CEPHC_MON_NAME_MAX 256            /* a monitor's name, with NUL */
#define CEPHC_AUTH_PAYLOAD_MAX (64 << 10) /* MAuthReply payload */
#define CEPHC_AUTH_RESULT_MSG_MAX 4096
#define CEPHC_MON_CMD_RS_MAX (1 << 20) /* MMonCommandAck status string */
#define CEPHC_OSDMAP_MSG_MAPS_MAX 1024 /* maps in one MOSDMap */
#define CEPHC_OSDMAP_BLOB_MAX (256u << 20)

/* The 18-byte ceph_mon_request_header that starts MAuth and MMonCommand:
 * le64 have_version, le16 session_mon, le64 session_mon_tid. */
#define CEPHC_MON_REQUEST_HEADER_LEN 18

/* --- MAuth (17) / MAuthReply (18) ---------------------------------------- */

/* Front: request header (have_version 0, session_mon 0xffff, tid 0),
 * le32 protocol, bufferlist payload.  The optional trailing monmap epoch is
 * omitted, as the kernel does. */
size_t cephc_mauth_size(uint32_t payload_len);
void cephc_mauth_encode(struct cephc_enc *e, uint32_t protocol,
			const void *payload, uint32_t payload_len);

struct cephc_mauth_reply {
	uint32_t protocol;
	int32_t result; /* 0 or a negative errno from the monitor */
	uint64_t global_id;
	const uint8_t *payload; /* view into the front */
	uint32_t payload_len;
	const char *result_msg; /* view, NOT NUL-terminated */
	uint32_t result_msg_len;
};
int cephc_mauth_reply_decode(struct cephc_dec *d, struct cephc_mauth_reply *r);

/* --- MMonMap (4) --------------------------------------------------------- */

#define CEPHC_MON_ADDRS_MAX 4
struct cephc_mon_info {
	char name[CEPHC_MON_NAME_MAX];
	struct cephc_entity_addr addrs[CEPHC_MON_ADDRS_MAX]; /* as sent */
	uint32_t num_addrs;
	uint16_t priority;
	uint16_t weight;
};

struct cephc_monmap {
	uint8_t fsid[16];
	uint32_t epoch;
	uint32_t num_mons;
	struct cephc_mon_info mons[CEPHC_MON_MAX];
};

/* The MMonMap front: a bufferlist holding the monmap.  Handles monmap
 * encodings v3..v9 (v6+ carries addrvecs in mon_info_t; older ones a map of
 * legacy addresses).  Mons keep the order in which the map lists them
 * (sorted by name, as Ceph encodes its std::map). */
int cephc_monmap_msg_decode(struct cephc_dec *d, struct cephc_monmap *m);
/* The monmap struct itself (e.g. `ceph mon getmap -o` output). */
int cephc_monmap_decode(struct cephc_dec *d, struct cephc_monmap *m);

/* --- MMonSubscribe (15, header version 2) --------------------------------- */

#define CEPHC_SUBSCRIBE_ONETIME 1
struct cephc_mon_sub {
	const char *what; /* "monmap", "osdmap", ... */
	uint64_t start;
	uint8_t flags;
};
size_t cephc_mon_subscribe_size(const struct cephc_mon_sub *subs, uint32_t n);
void cephc_mon_subscribe_encode(struct cephc_enc *e,
				const struct cephc_mon_sub *subs, uint32_t n);

/* --- MMonGetVersion (19) / reply (20) ------------------------------------ */

/* Front: le64 handle (= header tid), string what. */
size_t cephc_mon_get_version_size(const char *what);
void cephc_mon_get_version_encode(struct cephc_enc *e, uint64_t handle,
				  const char *what);
struct cephc_mon_version_reply {
	uint64_t handle;
	uint64_t newest;
	uint64_t oldest;
};
int cephc_mon_get_version_reply_decode(struct cephc_dec *d,
				       struct cephc_mon_version_reply *r);

/* --- MMonCommand (50) / ack (51) ------------------------------------------ */

/* Front: request header, fsid, vector<string> cmd (we send one JSON
 * string).  Input data, if any, travels in the data section; the ack's
 * output data arrives in its data section. */
size_t cephc_mon_command_size(const char *json);
void cephc_mon_command_encode(struct cephc_enc *e, const uint8_t fsid[16],
			      const char *json);
struct cephc_mon_command_ack {
	int32_t r;
	const char *rs; /* view, NOT NUL-terminated */
	uint32_t rs_len;
};
int cephc_mon_command_ack_decode(struct cephc_dec *d,
				 struct cephc_mon_command_ack *a);

/* --- MOSDMap (41) ----------------------------------------------------------
 */

struct cephc_osdmap_blob {
	uint32_t epoch;
	const uint8_t *data; /* view into the front */
	uint32_t len;
};

struct cephc_osdmap_msg {
	uint8_t fsid[16];
	uint32_t num_incs, num_fulls;
	struct cephc_osdmap_blob *incs;  /* ascending epochs; owned */
	struct cephc_osdmap_blob *fulls; /* ascending epochs; owned */
	uint32_t oldest, newest;         /* 0 when the sender omitted them */
};
/* Decodes views into the front, which must outlive m.  Free with
 * cephc_osdmap_msg_release() (also after a failed decode). */
int cephc_osdmap_msg_decode(struct cephc_dec *d, struct cephc_osdmap_msg *m);
void cephc_osdmap_msg_release(struct cephc_osdmap_msg *m);

/* Format a 16-byte fsid as the canonical 36-character UUID string. */
void cephc_fsid_format(const uint8_t fsid[16], char out[37]);

/* --- MPoolOp (49) / MPoolOpReply (48) ---------------------------------------
 *
 * Pool operations sent to the monitor.  cephc uses the self-managed
 * ("unmanaged") snapshot ops librados' selfmanaged_snap_create/remove send:
 * the monitor allocates (or retires) a pool-wide snapshot id in a new
 * OSDMap epoch and names that epoch in its reply.
 */
#define CEPHC_MSG_POOLOP_REPLY 48
#define CEPHC_MSG_POOLOP 49
#define CEPHC_POOL_OP_CREATE_UNMANAGED_SNAP 0x21
#define CEPHC_POOL_OP_DELETE_UNMANAGED_SNAP 0x22
/* MPoolOp header version 4 (name after snapid, pad byte, le16 crush rule);
 * compat 2 (what every monitor since Firefly decodes). */
#define CEPHC_MPOOLOP_VERSION 4
#define CEPHC_MPOOLOP_COMPAT 2
/* The reply's response data: a snap id for create, nothing for delete. */
#define CEPHC_POOLOP_REPLY_DATA_MAX 4096
#define CEPHC_POOLOP_NAME_MAX 1024

/*
 * Front: paxos header (le64 version = the OSDMap epoch we have, le16
 * session_mon 0xffff, le64 session_mon_tid 0), fsid, le32 pool, le32 op,
 * le64 auid (0), le64 snapid, string name, u8 pad, le16 crush_rule (0).
 */
size_t cephc_mpoolop_size(const char *name);
void cephc_mpoolop_encode(struct cephc_enc *e, const uint8_t fsid[16],
			  uint64_t map_epoch, uint32_t pool, uint32_t op,
			  uint64_t snapid, const char *name);

struct cephc_mpoolop_reply {
	uint64_t version; /* paxos header: the monitor's committed version */
	uint8_t fsid[16];
	int32_t code;   /* 0 or a negative errno */
	uint32_t epoch; /* the OSDMap epoch that carries the change */
	bool has_data;
	const uint8_t *data; /* view into the front */
	uint32_t data_len;
};
/* Front: paxos header, fsid, le32 reply code, le32 epoch, u8 has_data,
 * [bufferlist data]. */
int cephc_mpoolop_reply_decode(struct cephc_dec *d,
			       struct cephc_mpoolop_reply *r);
/* The snap id a CREATE_UNMANAGED_SNAP reply carries (le64 at the start
 * of its data); CEPHC_EDECODE when absent or short. */
int cephc_mpoolop_reply_snapid(const struct cephc_mpoolop_reply *r,
			       uint64_t *snapid);

#endif /* CEPHC_MON_MON_MSGS_H */
