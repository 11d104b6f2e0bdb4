/* SPDX-License-Identifier: MIT */
/*
 * Text forms that Ceph's tools print, byte for byte: pg ids, `ceph osd
 * map` (plain and JSON) and `osdmaptool --print` (OSDMap::print).  The
 * conventions come from Ceph's stream operators: vectors print as [a,b],
 * sets as a,b (no brackets), floats as %g, times in local time with
 * microseconds and a %z offset.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>

#include "osdmap/osdmap_internal.h"

#include "core/alloc.h"
#include "osdmap/blocklist_order.h"
#include "osdmap/ceph_hash.h"
#include "osdmap/crush/crush.h"

int cephc_pg_format(struct cephc_pg pg, char *buf, size_t len)
{
	return snprintf(buf, len, "%" PRId64 ".%x", pg.pool, pg.seed);
}

int cephc_pg_parse(const char *s, struct cephc_pg *pg)
{
	unsigned long long pool;
	unsigned int seed;

	/* pg_t::parse: "%llu.%x", anything after is ignored. */
	if (sscanf(s, "%llu.%x", &pool, &seed) < 2)
		return CEPHC_EINVAL;
	pg->pool = (int64_t)pool;
	pg->seed = seed;
	return 0;
}

const char *cephc_release_name(int rel)
{
	static const char *const names[] = {
	    "unknown", "argonaut", "bobtail",  "cuttlefish", "dumpling",
	    "emperor", "firefly",  "giant",    "hammer",     "infernalis",
	    "jewel",   "kraken",   "luminous", "mimic",      "nautilus",
	    "octopus", "pacific",  "quincy",   "reef",       "squid",
	};

	if (rel < 0 || rel >= (int)(sizeof(names) / sizeof(names[0])))
		return "unknown";
	return names[rel];
}

/* A growable output string (for the snprintf-like formatters). */
struct sbuf {
	char *buf;
	size_t len, used;
};

static void sb_printf(struct sbuf *sb, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(sb->used < sb->len ? sb->buf + sb->used : NULL,
		      sb->used < sb->len ? sb->len - sb->used : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb->used += (size_t)n;
}

static void sb_osds(struct sbuf *sb, const int *osds, int n, bool json)
{
	int i;

	/* The monitor's plain text spells empty EC slots "NONE"
	 * (pg_vector_string); JSON keeps the number 2147483647. */
	sb_printf(sb, "[");
	for (i = 0; i < n; i++) {
		if (i)
			sb_printf(sb, ",");
		if (osds[i] == CEPHC_OSD_NONE && !json)
			sb_printf(sb, "NONE");
		else
			sb_printf(sb, "%d", osds[i]);
	}
	sb_printf(sb, "]");
}

/* JSON string body with the escapes Ceph's JSONFormatter applies. */
static void sb_json_str(struct sbuf *sb, const char *s)
{
	sb_printf(sb, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sb_printf(sb, "\\%c", c);
		else if (c == '\n')
			sb_printf(sb, "\\n");
		else if (c == '\t')
			sb_printf(sb, "\\t");
		else if (c < 0x20)
			sb_printf(sb, "\\u%04x", c);
		else
			sb_printf(sb, "%c", c);
	}
	sb_printf(sb, "\"");
}

int cephc_osdmap_format_object_map(const struct cephc_osdmap *m, int64_t pool,
				   const char *obj, const char *nspace,
				   bool json, char *buf, size_t len)
{
	const struct cephc_pg_pool *p = osdmap_pool_find(m, pool);
	struct cephc_pg_mapping *map;
	struct cephc_pg raw, pg;
	struct sbuf sb = {buf, len, 0};
	char rawstr[48], pgstr[48];
	char *full;
	size_t nslen = nspace ? strlen(nspace) : 0;

	if (!p)
		return -ENOENT;
	map = cephc_malloc(sizeof(*map));
	full = cephc_malloc(nslen + strlen(obj) + 2);
	if (!map || !full) {
		cephc_free(map);
		cephc_free(full);
		return CEPHC_ENOMEM;
	}
	/* The monitor names the object "nspace/name" when a namespace is
	 * given. */
	if (nslen)
		sprintf(full, "%s/%s", nspace, obj);
	else
		strcpy(full, obj);
	cephc_osdmap_object_to_pg(m, pool, obj, strlen(obj), NULL, 0, nspace,
				  nslen, &raw);
	pg.pool = pool;
	pg.seed = cephc_pool_fold(p, raw.seed);
	cephc_osdmap_pg_to_osds(m, pg, map, NULL);
	cephc_pg_format(raw, rawstr, sizeof(rawstr));
	cephc_pg_format(pg, pgstr, sizeof(pgstr));

	if (len)
		buf[0] = '\0';
	if (json) {
		sb_printf(&sb, "{\"epoch\":%u,\"pool\":", m->epoch);
		sb_json_str(&sb, p->name ? p->name : "");
		sb_printf(&sb, ",\"pool_id\":%" PRId64 ",\"objname\":", pool);
		sb_json_str(&sb, full);
		sb_printf(&sb, ",\"raw_pgid\":\"%s\",\"pgid\":\"%s\",\"up\":",
			  rawstr, pgstr);
		sb_osds(&sb, map->up, map->n_up, true);
		sb_printf(&sb,
			  ",\"up_primary\":%d,\"acting\":", map->up_primary);
		sb_osds(&sb, map->acting, map->n_acting, true);
		sb_printf(&sb, ",\"acting_primary\":%d}", map->acting_primary);
	} else {
		sb_printf(&sb,
			  "osdmap e%u pool '%s' (%" PRId64 ") object '%s' -> "
			  "pg %s (%s) -> up (",
			  m->epoch, p->name ? p->name : "", pool, full, rawstr,
			  pgstr);
		sb_osds(&sb, map->up, map->n_up, false);
		sb_printf(&sb, ", p%d) acting (", map->up_primary);
		sb_osds(&sb, map->acting, map->n_acting, false);
		sb_printf(&sb, ", p%d)", map->acting_primary);
	}
	cephc_free(map);
	cephc_free(full);
	return (int)sb.used;
}

/* --- osdmaptool --print ------------------------------------------------- */

static void print_utime(FILE *f, struct cephc_utime t)
{
	time_t tt = (time_t)t.sec;
	struct tm tm;
	char z[32] = "";

	/* Under ten years of seconds Ceph prints a relative time. */
	if (t.sec < 60u * 60 * 24 * 365 * 10) {
		fprintf(f, "%ld.%06u", (long)t.sec, t.nsec / 1000);
		return;
	}
	localtime_r(&tt, &tm);
	strftime(z, sizeof(z), "%z", &tm);
	fprintf(f, "%04d-%02d-%02dT%02d:%02d:%02d.%06u%s", tm.tm_year + 1900,
		tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		t.nsec / 1000, z);
}

static void print_uuid(FILE *f, const uint8_t *u)
{
	int i;

	for (i = 0; i < 16; i++)
		fprintf(f, "%s%02x",
			(i == 4 || i == 6 || i == 8 || i == 10) ? "-" : "",
			u[i]);
}

/* entity_addr_t as Ceph prints it: "v2:1.2.3.4:6800/77", no prefix for
 * type ANY, "-" for NONE. */
static void print_addr(FILE *f, const struct cephc_entity_addr *a)
{
	char ip[INET6_ADDRSTRLEN] = "";

	if (a->type == CEPHC_ADDR_NONE) {
		fputs("-", f);
		return;
	}
	if (a->type == CEPHC_ADDR_LEGACY)
		fputs("v1:", f);
	else if (a->type == CEPHC_ADDR_MSGR2)
		fputs("v2:", f);
	if (a->ss.ss_family == AF_INET) {
		inet_ntop(AF_INET,
			  &((const struct sockaddr_in *)&a->ss)->sin_addr, ip,
			  sizeof(ip));
		fprintf(f, "%s:%u", ip, cephc_addr_port(a));
	} else if (a->ss.ss_family == AF_INET6) {
		inet_ntop(AF_INET6,
			  &((const struct sockaddr_in6 *)&a->ss)->sin6_addr, ip,
			  sizeof(ip));
		fprintf(f, "[%s]:%u", ip, cephc_addr_port(a));
	} else {
		fprintf(f, "(unrecognized address family %u)",
			(unsigned)a->ss.ss_family);
	}
	fprintf(f, "/%u", a->nonce);
}

static void print_addrvec(FILE *f, const struct cephc_osd_addrs *v)
{
	int i;

	if (v->n == 1) {
		print_addr(f, &v->a[0]);
		return;
	}
	if (!v->n)
		return;
	fputs("[", f);
	for (i = 0; i < v->n; i++) {
		if (i)
			fputs(",", f);
		print_addr(f, &v->a[i]);
	}
	fputs("]", f);
}

static void print_flag_list(FILE *f, uint64_t flags, const char *const *names,
			    int n)
{
	bool first = true;
	int i;

	for (i = 0; i < n; i++) {
		if (!(flags & (1ull << i)) || !names[i])
			continue;
		fprintf(f, "%s%s", first ? "" : ",", names[i]);
		first = false;
	}
}

static void print_map_flags(FILE *f, uint32_t flags)
{
	/* OSDMap::get_flag_string order and names (CEPH_OSDMAP_*). */
	static const struct {
		uint32_t bit;
		const char *name;
	} fl[] = {
	    {1u << 0, "nearfull"},
	    {1u << 1, "full"},
	    {1u << 2, "pauserd"},
	    {1u << 3, "pausewr"},
	    {1u << 4, "pauserec"},
	    {1u << 5, "noup"},
	    {1u << 6, "nodown"},
	    {1u << 7, "noout"},
	    {1u << 8, "noin"},
	    {1u << 9, "nobackfill"},
	    {1u << 14, "norebalance"},
	    {1u << 10, "norecover"},
	    {1u << 11, "noscrub"},
	    {1u << 12, "nodeep-scrub"},
	    {1u << 13, "notieragent"},
	    {1u << 21, "nosnaptrim"},
	    {1u << 15, "sortbitwise"},
	    {1u << 16, "require_jewel_osds"},
	    {1u << 17, "require_kraken_osds"},
	    {1u << 18, "require_luminous_osds"},
	    {1u << 19, "recovery_deletes"},
	    {1u << 20, "purged_snapdirs"},
	    {1u << 22, "pglog_hardlimit"},
	};
	bool first = true;
	size_t i;

	for (i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		if (!(flags & fl[i].bit))
			continue;
		fprintf(f, "%s%s", first ? "" : ",", fl[i].name);
		first = false;
	}
}

/*
 * pool_opts_t names as Pacific's opt_mapping has them, in the order it
 * prints them (a std::map: sorted by name).  The key is pool_opts_t's
 * key_t; options a newer release adds are not printed by 16.2.15 either.
 */
static const struct {
	const char *name;
	int32_t key;
} pool_opt_names[] = {
    {"compression_algorithm", 7},
    {"compression_max_blob_size", 9},
    {"compression_min_blob_size", 10},
    {"compression_mode", 6},
    {"compression_required_ratio", 8},
    {"csum_max_block", 12},
    {"csum_min_block", 13},
    {"csum_type", 11},
    {"dedup_cdc_chunk_size", 22},
    {"dedup_chunk_algorithm", 21},
    {"dedup_tier", 20},
    {"deep_scrub_interval", 2},
    {"fingerprint_algorithm", 14},
    {"pg_autoscale_bias", 18},
    {"pg_num_max", 23},
    {"pg_num_min", 15},
    {"read_lease_interval", 19},
    {"recovery_op_priority", 4},
    {"recovery_priority", 3},
    {"scrub_max_interval", 1},
    {"scrub_min_interval", 0},
    {"scrub_priority", 5},
    {"target_size_bytes", 16},
    {"target_size_ratio", 17},
};

/* " name value" per option set, values as a C++ ostream prints them
 * (doubles with 6 significant digits, i.e. %g). */
static void print_pool_opts(FILE *f, const struct cephc_pg_pool *p)
{
	for (size_t n = 0; n < sizeof(pool_opt_names) / sizeof(*pool_opt_names);
	     n++) {
		const struct cephc_pool_opt *o = NULL;

		for (uint32_t i = 0; i < p->n_opts; i++)
			if (p->opts[i].key == pool_opt_names[n].key)
				o = &p->opts[i];
		if (!o)
			continue;
		fprintf(f, " %s ", pool_opt_names[n].name);
		if (o->type == CEPHC_POOL_OPT_STR)
			fputs(o->v.s, f);
		else if (o->type == CEPHC_POOL_OPT_INT)
			fprintf(f, "%" PRId64, o->v.i);
		else
			fprintf(f, "%g", o->v.d);
	}
}

/* " hit_set TYPE{params} PERIODs xCOUNT decay_rate R search_last_n N". */
static void print_hit_set(FILE *f, const struct cephc_hit_set_params *h)
{
	static const char *const types[] = {"none", "explicit_hash",
					    "explicit_object", "bloom"};

	fprintf(f, " hit_set %s{", h->type < 4 ? types[h->type] : "???");
	if (h->type == CEPHC_HIT_SET_BLOOM)
		fprintf(f,
			"false_positive_probability: %g, target_size: %" PRIu64
			", seed: %" PRIu64,
			h->fpp_micro / 1000000.0, h->target_size, h->seed);
	fprintf(f, "} %us x%u decay_rate %u search_last_n %u", h->period,
		h->count, h->grade_decay_rate, h->search_last_n);
}

static void print_pool(FILE *f, const struct cephc_pg_pool *p)
{
	static const char *const pool_flags[] = {
	    "hashpspool",    "full",
	    "ec_overwrites", "incomplete_clones",
	    "nodelete",      "nopgchange",
	    "nosizechange",  "write_fadvise_dontneed",
	    "noscrub",       "nodeep-scrub",
	    "full_quota",    "nearfull",
	    "backfillfull",  "selfmanaged_snaps",
	    "pool_snaps",    "creating",
	    "eio",           "bulk",
	    "crimson",
	};
	static const char *const cache_modes[] = {
	    "none",        "writeback", "forward", "readonly",
	    "readforward", "readproxy", "proxy",
	};
	static const char *const autoscale[] = {"off", "warn", "on"};
	uint32_t i;

	fprintf(f, "pool %" PRId64 " '%s' ", p->id,
		p->name ? p->name : "<unknown>");
	if (p->type == CEPHC_POOL_TYPE_REPLICATED)
		fputs("replicated", f);
	else if (p->type == CEPHC_POOL_TYPE_ERASURE)
		fprintf(f, "erasure profile %s",
			p->erasure_code_profile ? p->erasure_code_profile : "");
	else
		fputs("???", f);
	fprintf(f,
		" size %u min_size %u crush_rule %u object_hash %s pg_num %u "
		"pgp_num %u",
		p->size, p->min_size, p->crush_rule,
		cephc_str_hash_name(p->object_hash), p->pg_num, p->pgp_num);
	if (p->pg_num_target != p->pg_num)
		fprintf(f, " pg_num_target %u", p->pg_num_target);
	if (p->pgp_num_target != p->pgp_num)
		fprintf(f, " pgp_num_target %u", p->pgp_num_target);
	if (p->pg_num_pending != p->pg_num)
		fprintf(f, " pg_num_pending %u", p->pg_num_pending);
	if (p->pg_autoscale_mode >= 0 && p->pg_autoscale_mode <= 2)
		fprintf(f, " autoscale_mode %s",
			autoscale[p->pg_autoscale_mode]);
	fprintf(f, " last_change %u", p->last_change);
	if (p->last_force_op_resend || p->last_force_op_resend_prenautilus ||
	    p->last_force_op_resend_preluminous)
		fprintf(f, " lfor %u/%u/%u", p->last_force_op_resend,
			p->last_force_op_resend_prenautilus,
			p->last_force_op_resend_preluminous);
	if (p->auid)
		fprintf(f, " owner %" PRIu64, p->auid);
	if (p->flags) {
		fputs(" flags ", f);
		print_flag_list(
		    f, p->flags, pool_flags,
		    (int)(sizeof(pool_flags) / sizeof(*pool_flags)));
	}
	if (p->quota_max_bytes)
		fprintf(f, " max_bytes %" PRIu64, p->quota_max_bytes);
	if (p->quota_max_objects)
		fprintf(f, " max_objects %" PRIu64, p->quota_max_objects);
	if (p->n_tiers) {
		fputs(" tiers ", f);
		for (i = 0; i < p->n_tiers; i++)
			fprintf(f, "%s%" PRIu64, i ? "," : "", p->tiers[i]);
	}
	if (p->tier_of >= 0)
		fprintf(f, " tier_of %" PRId64, p->tier_of);
	if (p->read_tier >= 0)
		fprintf(f, " read_tier %" PRId64, p->read_tier);
	if (p->write_tier >= 0)
		fprintf(f, " write_tier %" PRId64, p->write_tier);
	if (p->cache_mode)
		fprintf(f, " cache_mode %s",
			p->cache_mode < 7 ? cache_modes[p->cache_mode]
					  : "unknown");
	if (p->target_max_bytes)
		fprintf(f, " target_bytes %" PRIu64, p->target_max_bytes);
	if (p->target_max_objects)
		fprintf(f, " target_objects %" PRIu64, p->target_max_objects);
	if (p->hit_set.type != CEPHC_HIT_SET_NONE)
		print_hit_set(f, &p->hit_set);
	if (p->min_read_recency_for_promote)
		fprintf(f, " min_read_recency_for_promote %u",
			p->min_read_recency_for_promote);
	if (p->min_write_recency_for_promote)
		fprintf(f, " min_write_recency_for_promote %u",
			p->min_write_recency_for_promote);
	fprintf(f, " stripe_width %u", p->stripe_width);
	if (p->expected_num_objects)
		fprintf(f, " expected_num_objects %" PRIu64,
			p->expected_num_objects);
	if (p->fast_read)
		fputs(" fast_read 1", f);
	print_pool_opts(f, p);
	if (p->n_apps) {
		fputs(" application ", f);
		for (i = 0; i < p->n_apps; i++)
			fprintf(f, "%s%s", i ? "," : "", p->apps[i]);
	}
	fputs("\n", f);
	for (i = 0; i < p->n_snaps; i++) {
		fprintf(f, "\tsnap %" PRIu64 " '%s' ", p->snaps[i].snapid,
			p->snaps[i].name ? p->snaps[i].name : "");
		print_utime(f, p->snaps[i].stamp);
		fputs("\n", f);
	}
	if (p->n_removed_snaps) {
		/* interval_set<snapid_t>: [start~len,...], snapids in hex */
		fputs("\tremoved_snaps [", f);
		for (i = 0; i < p->n_removed_snaps; i++)
			fprintf(f, "%s%" PRIx64 "~%" PRIx64, i ? "," : "",
				p->removed_snaps[i].start,
				p->removed_snaps[i].len);
		fputs("]\n", f);
	}
	if (p->n_removed_snaps_queue) {
		fputs("\tremoved_snaps_queue [", f);
		for (i = 0; i < p->n_removed_snaps_queue; i++)
			fprintf(f, "%s%" PRIx64 "~%" PRIx64, i ? "," : "",
				p->removed_snaps_queue[i].start,
				p->removed_snaps_queue[i].len);
		fputs("]\n", f);
	}
}

/* Ceph's OSDMap::get_min_compat_client(), from the features the map
 * requires of clients (only the ones we can see). */
static int min_compat_client(const struct cephc_osdmap *m)
{
	struct cephc_crush_tunables t;
	uint32_t i;
	bool choose_args = false, aff = false, tiers = false, hashps = false;

	if (m->crush) {
		choose_args =
		    cephc_crush_choose_args(
			m->crush, CEPHC_CRUSH_CHOOSE_ARGS_DEFAULT) != NULL;
		for (i = 0; i < m->n_pools && !choose_args; i++)
			choose_args = cephc_crush_choose_args(
					  m->crush, m->pools[i].id) != NULL;
	}
	if (m->pg_upmap.n || m->pg_upmap_items.n || choose_args)
		return 12; /* luminous */
	memset(&t, 0, sizeof(t));
	if (m->crush)
		cephc_crush_get_tunables(m->crush, &t);
	if (t.chooseleaf_stable)
		return 10; /* jewel */
	for (i = 0; m->osd_primary_affinity && i < m->max_osd; i++)
		if (m->osd_primary_affinity[i] !=
		    CEPHC_OSD_DEFAULT_PRIMARY_AFFINITY)
			aff = true;
	for (i = 0; i < m->n_pools; i++) {
		if (m->pools[i].n_tiers || m->pools[i].tier_of >= 0)
			tiers = true;
		if (m->pools[i].flags & CEPHC_POOL_FLAG_HASHPSPOOL)
			hashps = true;
	}
	if (aff || t.chooseleaf_vary_r || tiers)
		return 6; /* firefly */
	if (t.choose_local_tries == 0 || hashps)
		return 4; /* dumpling */
	return 1;         /* argonaut */
}

static void print_osd(FILE *f, const struct cephc_osdmap *m, uint32_t i)
{
	static const char *const states[] = {
	    "exists",   "up",           "autoout",   "new",  "full",
	    "nearfull", "backfillfull", "destroyed", "noup", "nodown",
	    "noin",     "noout",        "stop",
	};
	const char *sorted[32];
	int ns = 0, a, b;
	uint32_t st = m->osd_state[i], bit;
	bool up = st & CEPHC_OSD_UP;
	bool in = m->osd_weight[i] != CEPHC_OSD_OUT;
	const struct cephc_osd_info *info = &m->osd_info[i];
	static const uint8_t zero[16];

	fprintf(f, "osd.%u%s%s weight %g", i, up ? " up  " : " down",
		in ? " in " : " out",
		(double)((float)m->osd_weight[i] / (float)CEPHC_OSD_IN));
	if (m->osd_primary_affinity &&
	    m->osd_primary_affinity[i] != CEPHC_OSD_DEFAULT_PRIMARY_AFFINITY)
		fprintf(f, " primary_affinity %g",
			(double)((float)m->osd_primary_affinity[i] /
				 (float)CEPHC_OSD_MAX_PRIMARY_AFFINITY));
	fprintf(f,
		" up_from %u up_thru %u down_at %u last_clean_interval "
		"[%u,%u)",
		info->up_from, info->up_thru, info->down_at,
		info->last_clean_begin, info->last_clean_end);
	if (info->lost_at)
		fprintf(f, " lost_at %u", info->lost_at);
	fputs(" ", f);
	print_addrvec(f, &m->osd_addrs[i]);
	fputs(" ", f);
	print_addrvec(f, &m->cluster_addrs[i]);
	fputs(" ", f);
	/* The state names, as a std::set<string>: sorted, comma-joined. */
	for (bit = 0; bit < 32; bit++)
		if (st & (1u << bit))
			sorted[ns++] = bit < 13 ? states[bit] : "???";
	for (a = 1; a < ns; a++)
		for (b = a; b > 0 && strcmp(sorted[b - 1], sorted[b]) > 0;
		     b--) {
			const char *t = sorted[b];

			sorted[b] = sorted[b - 1];
			sorted[b - 1] = t;
		}
	for (a = 0; a < ns; a++) {
		if (a && !strcmp(sorted[a], sorted[a - 1]))
			continue;
		fprintf(f, "%s%s", a ? "," : "", sorted[a]);
	}
	if (memcmp(m->osd_uuid[i], zero, 16)) {
		fputs(" ", f);
		print_uuid(f, m->osd_uuid[i]);
	}
	fputs("\n", f);
}

static void print_pg_vec(FILE *f, const char *what,
			 const struct cephc_pg_table *t)
{
	char pg[48];
	uint32_t i, j;

	for (i = 0; i < t->n; i++) {
		cephc_pg_format(t->e[i].pg, pg, sizeof(pg));
		fprintf(f, "%s %s [", what, pg);
		for (j = 0; j < t->e[i].n; j++)
			fprintf(f, "%s%d", j ? "," : "", t->e[i].osds[j]);
		fputs("]\n", f);
	}
}

/*
 * OSDMap::print walks the blocklist's unordered_map: list the entries in
 * the order osdmaptool's freshly decoded container iterates them (the
 * entries are kept in encoded order, see blocklist_order.h).
 */
static int print_blocklist(FILE *f, const struct cephc_osdmap *m)
{
	uint32_t *order, n = 0, i;

	if (!m->n_blocklist)
		return 0;
	order = cephc_calloc(m->n_blocklist, sizeof(*order));
	if (!order ||
	    cephc_bl_iter_order(m->blocklist, m->n_blocklist, order, &n)) {
		cephc_free(order);
		return CEPHC_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct cephc_blocklist_entry *e = &m->blocklist[order[i]];

		fputs("blocklist ", f);
		print_addr(f, &e->addr);
		fputs(" expires ", f);
		print_utime(f, e->expires);
		fputs("\n", f);
	}
	cephc_free(order);
	return 0;
}

int cephc_osdmap_print(const struct cephc_osdmap *m, FILE *f)
{
	uint32_t i;
	char pg[48];

	fprintf(f, "epoch %u\nfsid ", m->epoch);
	print_uuid(f, m->fsid);
	fputs("\ncreated ", f);
	print_utime(f, m->created);
	fputs("\nmodified ", f);
	print_utime(f, m->modified);
	fputs("\nflags ", f);
	print_map_flags(f, m->flags);
	fprintf(f, "\ncrush_version %u\n", m->crush_version);
	fprintf(f, "full_ratio %g\nbackfillfull_ratio %g\nnearfull_ratio %g\n",
		(double)m->full_ratio, (double)m->backfillfull_ratio,
		(double)m->nearfull_ratio);
	if (m->require_min_compat_client > 0)
		fprintf(f, "require_min_compat_client %s\n",
			cephc_release_name(m->require_min_compat_client));
	fprintf(f, "min_compat_client %s\n",
		cephc_release_name(min_compat_client(m)));
	if (m->require_osd_release > 0)
		fprintf(f, "require_osd_release %s\n",
			cephc_release_name(m->require_osd_release));
	fprintf(f, "stretch_mode_enabled %s\n",
		m->stretch_mode_enabled ? "true" : "false");
	if (m->stretch_mode_enabled) {
		fprintf(f, "stretch_bucket_count %u\n",
			m->stretch_bucket_count);
		fprintf(f, "degraded_stretch_mode %u\n",
			m->degraded_stretch_mode);
		fprintf(f, "recovering_stretch_mode %u\n",
			m->recovering_stretch_mode);
		fprintf(f, "stretch_mode_bucket %d\n", m->stretch_mode_bucket);
	}
	if (m->cluster_snapshot && *m->cluster_snapshot)
		fprintf(f, "cluster_snapshot %s\n", m->cluster_snapshot);
	fputs("\n", f);
	for (i = 0; i < m->n_pools; i++)
		print_pool(f, &m->pools[i]);
	fputs("\n", f);

	fprintf(f, "max_osd %u\n", m->max_osd);
	for (i = 0; i < m->max_osd; i++)
		if (m->osd_state[i] & CEPHC_OSD_EXISTS)
			print_osd(f, m, i);
	fputs("\n", f);

	print_pg_vec(f, "pg_upmap", &m->pg_upmap);
	print_pg_vec(f, "pg_upmap_items", &m->pg_upmap_items);
	print_pg_vec(f, "pg_temp", &m->pg_temp);
	for (i = 0; i < m->primary_temp.n; i++) {
		cephc_pg_format(m->primary_temp.e[i].pg, pg, sizeof(pg));
		fprintf(f, "primary_temp %s %d\n", pg,
			m->primary_temp.e[i].osd);
	}
	if (print_blocklist(f, m))
		return CEPHC_ENOMEM;
	return ferror(f) ? -EIO : 0;
}
