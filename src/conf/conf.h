/* SPDX-License-Identifier: MIT */
/*
 * Configuration as librados reads it: ceph.conf, keyrings, mon_host,
 * CEPH_ARGS and the common command-line options of Ceph's tools.
 *
 * Internal to the library (no CEPHC_EXPORT).  Layout:
 *   - cephc_conf_file_*: the ceph.conf / keyring INI syntax, sans-IO
 *     (text in, sections and keys out).
 *   - struct cephc_conf: one client's configuration: the parsed file plus
 *     values set from CEPH_ARGS, the command line and the API, the
 *     identity (TYPE.ID), cluster name, and typed getters.
 *   - cephc_conf_parse_mon_host / cephc_keyring_parse / cephc_base64_decode:
 *     sans-IO parsers.
 *   - cephc_conf_read_file, cephc_conf_load_secret, cephc_conf_resolve_*:
 *     the thin I/O layer (files, environment, DNS).
 *
 * Ownership: every *_create / *_parse that fills a struct has a matching
 * *_free / *_destroy; const char * results are borrowed from the handle and
 * stay valid until the handle changes or is destroyed; char ** results are
 * allocated with cephc_malloc and freed by the caller with cephc_free.
 * Nothing here is thread-safe: one thread configures, then the handle is
 * read-only.
 */
#ifndef CEPHC_CONF_CONF_H
#define CEPHC_CONF_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/addr.h"

/* --- limits (named maximums; exceeding one gives CEPHC_ETOOBIG) --------- */

/* Whole ceph.conf or keyring file (Ceph itself allows 1 GiB). */
#define CEPHC_CONF_MAX_FILE_SIZE (4u << 20)
/* One physical line, terminator excluded. */
#define CEPHC_CONF_MAX_LINE 16384u
/* One value after joining continuation lines. */
#define CEPHC_CONF_MAX_VALUE 65536u
/* Distinct [sections] in one file. */
#define CEPHC_CONF_MAX_SECTIONS 1024u
/* key = value lines in one file (duplicates count). */
#define CEPHC_CONF_MAX_KEYS 16384u
/* Values set through CEPH_ARGS, argv and the API together. */
#define CEPHC_CONF_MAX_SETTINGS 4096u
/* Monitors built from mon_host or [mon.X] sections. */
#define CEPHC_CONF_MAX_MONS 64u
/* Addresses in one monitor's addrvec. */
#define CEPHC_CONF_MON_MAX_ADDRS 4u
/* Entities in one keyring; caps lines per entity. */
#define CEPHC_KEYRING_MAX_ENTITIES 4096u
#define CEPHC_KEYRING_MAX_CAPS 16u
/* Decoded secret (a CryptoKey blob is 28 bytes for AES). */
#define CEPHC_KEY_MAX_LEN 256u
/* Default ports (CEPH_MON_PORT_IANA / CEPH_MON_PORT_LEGACY). */
#define CEPHC_MON_PORT_MSGR2 3300
#define CEPHC_MON_PORT_LEGACY 6789

/* Where a parse failed; msg is a static-free, NUL-terminated sentence. */
struct cephc_conf_error {
	unsigned line; /* 1-based; 0 when not about a line */
	char msg[200];
};

/* --- INI syntax (ceph.conf and plain-text keyrings) ---------------------- */

struct cephc_conf_entry {
	uint32_t section; /* index into sections[] */
	char *key;        /* normalized: whitespace runs are one '_' */
	char *val;        /* unquoted, unescaped, trimmed */
};

/*
 * A parsed file.  Repeated [sections] are merged; entries keep file order
 * and a later entry for the same section and key wins.
 */
struct cephc_conf_file {
	char **sections;
	uint32_t nsections;
	struct cephc_conf_entry *entries;
	uint32_t nentries;
};

/*
 * Parse ceph.conf syntax from text[0..len).  Rules (Ceph 16's ConfUtils):
 * [section] headings (name kept verbatim, escapes processed); key = value;
 * # and ; start comments anywhere outside an escape (also inside quotes,
 * where they are an error unless escaped); "..." or '...' values; \x
 * escapes x; a trailing backslash joins the next line; line ends \n, \r\n
 * or \r; values and keys are trimmed; invalid UTF-8 is an error.
 * Tolerated beyond Ceph: a missing final newline, a UTF-8 BOM, and keys
 * before the first heading (they go to [global]).
 * On success fills *out (free with cephc_conf_file_free).  On failure
 * returns CEPHC_EINVAL (syntax), CEPHC_ETOOBIG (a limit) or CEPHC_ENOMEM,
 * leaves *out empty and, when err is given, says where and why.
 */
int cephc_conf_file_parse(const char *text, size_t len,
			  struct cephc_conf_file *out,
			  struct cephc_conf_error *err);
void cephc_conf_file_free(struct cephc_conf_file *f);

/* Latest value of key (any spelling with spaces/underscores) in section. */
const char *cephc_conf_file_get(const struct cephc_conf_file *f,
				const char *section, const char *key);

/*
 * Normalize an option name as Ceph does: trim, and every run of
 * whitespace becomes one '_'.  Writes at most cap bytes (NUL included);
 * returns CEPHC_ENAMETOOLONG when it does not fit.  Dashes are kept: Ceph
 * 16 does not treat "mon-host" in a file as mon_host (only on the command
 * line, see cephc_conf_parse_argv).
 */
int cephc_conf_normalize_key(const char *key, size_t len, char *out,
			     size_t cap);

/* --- one client's configuration ------------------------------------------ */

struct cephc_conf;

/* Where a value came from; a higher level wins (Ceph's CONF_* order). */
enum cephc_conf_level {
	CEPHC_CONF_DEFAULT = 0,
	CEPHC_CONF_FILE = 1,
	CEPHC_CONF_ENV = 2,      /* CEPH_ARGS, CEPH_KEYRING */
	CEPHC_CONF_CMDLINE = 3,  /* cephc_conf_parse_argv */
	CEPHC_CONF_OVERRIDE = 4, /* cephc_conf_set (API) */
};

/*
 * New configuration: name client.admin, cluster unset (it becomes the
 * conf file's basename without ".conf" when a file is read, else "ceph"),
 * no file.  Free with cephc_conf_destroy.
 */
int cephc_conf_create(struct cephc_conf **out);
void cephc_conf_destroy(struct cephc_conf *c);

/* "TYPE.ID" (types: auth mon osd mds mgr client); CEPHC_EINVAL otherwise. */
int cephc_conf_set_name(struct cephc_conf *c, const char *name);
/* Keep the type, change the id ("--id"). */
int cephc_conf_set_id(struct cephc_conf *c, const char *id);
int cephc_conf_set_cluster(struct cephc_conf *c, const char *cluster);
/* Borrowed: "client.admin", "client", "admin", and the cluster name. */
const char *cephc_conf_name(const struct cephc_conf *c);
const char *cephc_conf_type(const struct cephc_conf *c);
const char *cephc_conf_id(const struct cephc_conf *c);
const char *cephc_conf_cluster(const struct cephc_conf *c);
/* What $host expands to (default: the short host name) and $pid. */
int cephc_conf_set_host(struct cephc_conf *c, const char *host);
void cephc_conf_set_pid(struct cephc_conf *c, long pid);

/*
 * Use text as the configuration file (sans-IO counterpart of
 * cephc_conf_read_file).  Replaces any file read before.  Errors as
 * cephc_conf_file_parse.
 */
int cephc_conf_parse_text(struct cephc_conf *c, const char *text, size_t len,
			  struct cephc_conf_error *err);

/* Set key at a level (CMDLINE for tools, OVERRIDE for the API). */
int cephc_conf_set_level(struct cephc_conf *c, enum cephc_conf_level level,
			 const char *key, const char *val);
/* cephc_conf_set_level(c, CEPHC_CONF_OVERRIDE, key, val). */
int cephc_conf_set(struct cephc_conf *c, const char *key, const char *val);

/*
 * The winning raw value of key: the highest level that set it; for the
 * file, [TYPE.ID] then [TYPE] then [global]; else the built-in default of
 * a known option; else NULL.  Borrowed; no $meta expansion.
 */
const char *cephc_conf_get_raw(const struct cephc_conf *c, const char *key);

/* The level the winning value of key came from, or -1 when none. */
int cephc_conf_level_of(const struct cephc_conf *c, const char *key);

/*
 * The value with $cluster $type $id $num $name $host $pid $home and
 * $option / ${option} references expanded (Ceph's rules: names are
 * [a-z_]+, unknown names stay literal, loops stop).  *out is allocated;
 * the caller frees it.  CEPHC_ENOENT when the key has no value at all.
 */
int cephc_conf_get_str(const struct cephc_conf *c, const char *key, char **out);
/* Expand metavariables in any string (e.g. a path list). */
int cephc_conf_expand(const struct cephc_conf *c, const char *in, char **out);

/*
 * Typed getters.  When the key has no value, *out = def and 0 is returned;
 * a value that does not parse gives CEPHC_EINVAL (*out = def).
 * int: decimal/0x, optional SI suffix K M G T P E (x1000).
 * bool: true/false (any case), yes/no, on/off, or an integer (non-zero).
 * size: bytes with optional K M G T P E, optional "i" and "B" (x1024),
 *   e.g. "4M", "4MiB", "1G", "512".
 * duration (milliseconds out): "30" (seconds), "1.5", "250ms", "5s",
 *   "2m"/"2min", "1h", "1d", "1w", or sums "1h 30m".
 */
int cephc_conf_get_int(const struct cephc_conf *c, const char *key, int64_t def,
		       int64_t *out);
int cephc_conf_get_bool(const struct cephc_conf *c, const char *key, bool def,
			bool *out);
int cephc_conf_get_size(const struct cephc_conf *c, const char *key,
			uint64_t def, uint64_t *out);
int cephc_conf_get_duration_ms(const struct cephc_conf *c, const char *key,
			       uint64_t def, uint64_t *out);

/* The same parsers on their own. */
int cephc_conf_parse_int(const char *s, int64_t *out);
int cephc_conf_parse_bool(const char *s, bool *out);
int cephc_conf_parse_size(const char *s, uint64_t *out);
int cephc_conf_parse_duration_ms(const char *s, uint64_t *out);

/* Options cephc knows: name, type and built-in default. */
enum cephc_conf_type {
	CEPHC_OPT_STR,
	CEPHC_OPT_INT,
	CEPHC_OPT_BOOL,
	CEPHC_OPT_SIZE,
	CEPHC_OPT_SECS,  /* duration, seconds by default */
	CEPHC_OPT_FLOAT, /* kept as text; parse with strtod */
};
struct cephc_conf_option {
	const char *name;
	enum cephc_conf_type type;
	const char *def; /* Ceph 16's client default */
};
/* NULL when unknown; debug_* options are known (type STR, default NULL). */
const struct cephc_conf_option *cephc_conf_find_option(const char *name);
/* The table, NULL-name terminated. */
extern const struct cephc_conf_option cephc_conf_options[];

/* The last error message of a file/keyring/mon step; "" when none. */
const char *cephc_conf_last_error(const struct cephc_conf *c);

/* --- environment and command line ---------------------------------------- */

/*
 * Apply a CEPH_ARGS value (split on spaces like Ceph; no quoting) at
 * CEPHC_CONF_ENV.  NULL or "" does nothing.  Same options as argv.
 */
int cephc_conf_parse_env(struct cephc_conf *c, const char *ceph_args);

/*
 * Consume the common Ceph tool options from argv[0..argc) (argv[0] is an
 * argument, not the program name) and compact the rest in place, order
 * kept; *nrest is how many remain.  Stops at "--" (left in place).
 * Recognized, as Ceph's ceph_argparse/md_config_t::parse_argv:
 *   -c/--conf PATHS, --cluster NAME, --id/--user ID, -n/--name TYPE.ID,
 *   -m/--mon-host ADDRS, -k/--keyring PATHS, -K/--keyfile PATH,
 *   --OPTION VALUE and --OPTION=VALUE for known options (dashes and
 *   underscores equal, e.g. --rados-osd-op-timeout 5, --debug-ms 1,
 *   --key BASE64), and --OPTION / --no-OPTION for boolean options.
 * Other arguments (e.g. --format, -p) are returned untouched.  A
 * recognized option missing its value gives CEPHC_EINVAL.
 */
int cephc_conf_parse_argv(struct cephc_conf *c, int argc, char **argv,
			  int *nrest);

/*
 * The process environment as Ceph's md_config_t::parse_env: CEPH_KEYRING
 * (sets keyring) and CEPH_ARGS, both at CEPHC_CONF_ENV.  librados applies
 * it in rados_create, so callers do this once right after
 * cephc_conf_create and before cephc_conf_parse_argv (whose --id/--name
 * must win over CEPH_ARGS').
 */
int cephc_conf_apply_environment(struct cephc_conf *c);

/* --- files (I/O) ---------------------------------------------------------- */

/*
 * Read the configuration file as librados does.  paths: a list separated
 * by ',' or ';' (no trimming, as Ceph 16); the first file that opens is
 * parsed, ENOENT entries are skipped, any other open/parse error stops.
 * paths NULL: the -c value from argv, else $CEPH_CONF, else
 * "/etc/ceph/$cluster.conf,$home/.ceph/$cluster.conf,$cluster.conf".
 * Returns CEPHC_ENOENT when none exists (message lists the paths tried).
 * Sets the cluster name from the file name when it was not set.
 */
int cephc_conf_read_file(struct cephc_conf *c, const char *paths);

/*
 * What a Ceph tool does at start (global_init): create, apply the
 * environment, take the common options out of argv (see
 * cephc_conf_parse_argv; *nrest arguments remain, compacted), then read
 * the configuration file.  A file named with -c (argv or CEPH_ARGS) must
 * exist; when only $CEPH_CONF or the default list was searched and nothing
 * exists, a warning is logged and defaults are used, as Ceph's tools do.
 * On error *out is NULL and, when errbuf is given, the reason is copied
 * there.
 */
int cephc_conf_init_tool(int argc, char **argv, int *nrest,
			 struct cephc_conf **out, char *errbuf, size_t errlen);

/* Read a whole small file (<= max bytes); *buf NUL-terminated, caller frees. */
int cephc_conf_slurp(const char *path, size_t max, char **buf, size_t *len);

/* --- monitors ----------------------------------------------------------------
 */

struct cephc_conf_mon {
	char name[40]; /* "noname-a", "noname-a-legacy", or X of [mon.X] */
	uint32_t naddrs;
	struct cephc_entity_addr addrs[CEPHC_CONF_MON_MAX_ADDRS];
};

struct cephc_conf_monlist {
	struct cephc_conf_mon *mons; /* cephc_malloc'd */
	uint32_t count;
};

/*
 * Parse a mon_host value without DNS, as Ceph 16's parse_ip_port_vec +
 * MonMap::build_from_host_list:
 *   items split on spaces and ';'; inside an item, ','-separated entries;
 *   an entry is an address ("v2:1.2.3.4:3300", "1.2.3.4", "[::1]:6789",
 *   "::1", optional "/nonce") or an addrvec "[v2:..,v1:..]" (one mon).
 *   A lone address without v1:/v2: becomes: port 6789 -> one v1 mon
 *   ("X-legacy"); 3300 -> one v2 mon; none -> two mons, v2:3300 and
 *   v1:6789; another port -> two mons, v2 and v1 on that port.  With a
 *   prefix and no port the type's default port is used.  Inside an addrvec
 *   a missing port gets the type's default (Ceph leaves 0).  Addresses seen
 *   before are skipped.
 * Returns CEPHC_EINVAL when something is not a numeric address (try
 * cephc_conf_resolve_mon_host), CEPHC_ENOENT when empty, CEPHC_ETOOBIG
 * past CEPHC_CONF_MAX_MONS.  Free with cephc_conf_monlist_free.
 */
int cephc_conf_parse_mon_host(const char *s, struct cephc_conf_monlist *out);

/*
 * Like cephc_conf_parse_mon_host, but host names are resolved with
 * getaddrinfo first (every address returned, deduplicated).  Blocking I/O.
 */
int cephc_conf_resolve_mon_host(const char *s, struct cephc_conf_monlist *out);

/*
 * The initial monitor list as MonMap::build_initial: mon_host_override,
 * else mon_host (numeric, then DNS: may block); else "mon addr" of every
 * [mon.X] section of the file (one address; untyped is v1, no port ->
 * 6789).  CEPHC_ENOENT with a message when there is none.  DNS SRV
 * records (mon_dns_srv_name) are not consulted.
 */
int cephc_conf_get_mons(struct cephc_conf *c, struct cephc_conf_monlist *out);

void cephc_conf_monlist_free(struct cephc_conf_monlist *l);

/* --- keys ------------------------------------------------------------------
 */

/*
 * Ceph's base64 (src/common/armor.c): A-Z a-z 0-9 + / (also - _), '='
 * padding, newlines between groups ignored.  Stricter than Ceph: padding
 * only at the end, and only whitespace may follow it.  Returns the byte
 * count, CEPHC_EINVAL on bad input, CEPHC_ERANGE when cap is too small.
 */
int cephc_base64_decode(const char *in, size_t len, uint8_t *out, size_t cap);

struct cephc_keyring_caps {
	char *service; /* "mon", "osd", ... */
	char *caps;    /* "allow *" */
};

struct cephc_keyring_entity {
	char *name; /* "client.admin" */
	uint8_t key[CEPHC_KEY_MAX_LEN];
	uint32_t key_len; /* 0 when the section had no key */
	uint32_t ncaps;
	struct cephc_keyring_caps caps[CEPHC_KEYRING_MAX_CAPS];
};

struct cephc_keyring {
	struct cephc_keyring_entity *entities;
	uint32_t count;
};

/*
 * Parse a plain-text keyring ("[client.admin]\n\tkey = AQ..==\n\tcaps mon
 * = \"allow *\"").  [global] is skipped; other headings must be TYPE.ID;
 * keys are "key", "caps SERVICE" and "auid" (ignored); anything else is an
 * error, as in Ceph's KeyRing::decode_plaintext.  Binary keyrings are not
 * supported (CEPHC_EINVAL).  Free with cephc_keyring_free.
 */
int cephc_keyring_parse(const char *text, size_t len, struct cephc_keyring *out,
			struct cephc_conf_error *err);
void cephc_keyring_free(struct cephc_keyring *kr);
const struct cephc_keyring_entity *
cephc_keyring_find(const struct cephc_keyring *kr, const char *name);

/*
 * The secret of this client as KeyRing::from_ceph_context: "key" if set,
 * else the contents of "keyfile", else the entity's key in the first file
 * of the "keyring" list that opens.  A keyfile set at a higher level than
 * the key wins (Ceph's -K reads the file into "key" on the command line).
 * Writes the raw decoded bytes (the encoded CryptoKey: le16 type, utime
 * created, le16 len, secret). Returns the length, or CEPHC_ENOENT (no keyring
 * file: the message names every path tried; or the entity is not in it),
 * CEPHC_EINVAL (bad base64 or keyring syntax); see cephc_conf_last_error.  Does
 * file I/O.
 */
int cephc_conf_load_secret(struct cephc_conf *c, uint8_t *out, size_t cap);

#endif /* CEPHC_CONF_CONF_H */
