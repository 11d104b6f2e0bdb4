/* SPDX-License-Identifier: MIT */
/*
 * cephc status: what the client sees of the cluster: fsid, monitors and
 * quorum, osdmap epoch and OSD counts, pools.  --format json for scripts
 * (field names follow `ceph -s --format json` where they overlap).
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "tool_common.h"

const char cmd_status_help[] =
    "show cluster status (fsid, mons, quorum, OSDs, pools)";

const struct cli_spec cmd_status_spec = {
    .synopsis = "[--format json]",
    .description = "What the client sees of the cluster: fsid, monitors and "
		   "quorum, OSDMap epoch and\nOSD counts, pools.  JSON field "
		   "names follow `ceph -s --format json`.",
    .example = "cephc status --format json",
};

#define QUORUM_MAX 64

/*
 * Quorum members from `quorum_status` JSON: the strings of the
 * "quorum_names" array.  A narrow scan, enough for this one field.
 */
static int parse_quorum(const char *json, char names[][256], int max)
{
	const char *p = json ? strstr(json, "\"quorum_names\"") : NULL;
	int n = 0;

	if (!p || !(p = strchr(p, '[')))
		return 0;
	for (p++; *p && *p != ']' && n < max;) {
		const char *q = strchr(p, '"');
		if (!q)
			break;
		const char *e = strchr(q + 1, '"');
		if (!e)
			break;
		size_t l = (size_t)(e - q - 1);
		if (l > 255)
			l = 255;
		memcpy(names[n], q + 1, l);
		names[n][l] = '\0';
		n++;
		p = e + 1;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return n;
}

int cmd_status(int argc, char **argv, int cmd_index)
{
	struct tool_ctx t;
	struct cephc_pool_info *pools = NULL;
	struct cephc_mon_entry *mons = NULL;
	struct cephc_osd_summary os;
	size_t npools = 0, nmons = 0;
	static char quorum[QUORUM_MAX][256];
	char fsid[37], *qjson = NULL;
	int cur = -1, nq, r;

	if ((r = tool_init(&t, argc, argv, cmd_index)) ||
	    (r = tool_connect(&t))) {
		tool_fini(&t);
		return r;
	}
	cephc_cluster_fsid(t.cluster, fsid);
	cephc_cluster_osd_summary(t.cluster, &os);
	cephc_cluster_pool_list(t.cluster, &pools, &npools);
	cephc_cluster_mon_list(t.cluster, &mons, &nmons, &cur);
	r = cephc_cluster_mon_command(
	    t.cluster, "{\"prefix\":\"quorum_status\",\"format\":\"json\"}",
	    NULL, 0, &qjson, NULL, NULL, NULL);
	nq = r == 0 ? parse_quorum(qjson, quorum, QUORUM_MAX) : 0;

	if (t.json) {
		printf("{\"fsid\":\"%s\",\"quorum_names\":[", fsid);
		for (int i = 0; i < nq; i++) {
			printf(i ? "," : "");
			json_str(stdout, quorum[i]);
		}
		printf("],\"monmap\":{\"epoch\":%u,\"num_mons\":%zu,\"mons\":[",
		       cephc_cluster_monmap_epoch(t.cluster), nmons);
		for (size_t i = 0; i < nmons; i++) {
			printf(i ? ",{\"name\":" : "{\"name\":");
			json_str(stdout, mons[i].name);
			printf(",\"addrs\":");
			json_str(stdout, mons[i].addrs);
			printf("}");
		}
		printf("]},\"osdmap\":{\"epoch\":%u,\"num_osds\":%u,"
		       "\"num_up_osds\":%u,\"num_in_osds\":%u},\"pools\":[",
		       os.epoch, os.num_osds, os.num_up, os.num_in);
		for (size_t i = 0; i < npools; i++) {
			printf(i ? ",{\"id\":%lld,\"name\":"
				 : "{\"id\":%lld,"
				   "\"name\":",
			       (long long)pools[i].id);
			json_str(stdout, pools[i].name);
			printf(
			    ",\"type\":%u,\"size\":%u,\"min_size\":%u,"
			    "\"pg_num\":%u,\"pgp_num\":%u,\"crush_rule\":%u}",
			    pools[i].type, pools[i].size, pools[i].min_size,
			    pools[i].pg_num, pools[i].pgp_num,
			    pools[i].crush_rule);
		}
		printf(
		    "],\"client\":{\"global_id\":%llu,\"session_mon\":",
		    (unsigned long long)cephc_cluster_instance_id(t.cluster));
		json_str(stdout, cur >= 0 ? mons[cur].name : "");
		printf("}}\n");
	} else {
		printf("  cluster:\n    id:     %s\n\n  services:\n", fsid);
		printf("    mon: %zu daemons, quorum ", nmons);
		for (int i = 0; i < nq; i++)
			printf("%s%s", i ? "," : "", quorum[i]);
		printf(" (monmap e%u)\n",
		       cephc_cluster_monmap_epoch(t.cluster));
		printf("    osd: %u osds: %u up, %u in (osdmap e%u)\n\n",
		       os.num_osds, os.num_up, os.num_in, os.epoch);
		printf("  monitors:\n");
		for (size_t i = 0; i < nmons; i++)
			printf("    %-8s %s%s\n", mons[i].name, mons[i].addrs,
			       (int)i == cur ? "  <- session" : "");
		printf("\n  pools: %zu\n", npools);
		for (size_t i = 0; i < npools; i++)
			printf("    %lld '%s' %s size %u min_size %u pg_num %u "
			       "pgp_num %u\n",
			       (long long)pools[i].id, pools[i].name,
			       pools[i].type == 3 ? "erasure" : "replicated",
			       pools[i].size, pools[i].min_size,
			       pools[i].pg_num, pools[i].pgp_num);
		printf(
		    "\n  client: client.%llu\n",
		    (unsigned long long)cephc_cluster_instance_id(t.cluster));
	}
	cephc_buffer_free(qjson);
	cephc_buffer_free(pools);
	cephc_buffer_free(mons);
	tool_fini(&t);
	return 0;
}
