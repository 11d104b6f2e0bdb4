/* SPDX-License-Identifier: MIT */
/* The configuration handle's insides, shared by the src/conf files only. */
#ifndef CEPHC_CONF_CONF_INTERNAL_H
#define CEPHC_CONF_CONF_INTERNAL_H

#include "conf/conf.h"

/* A value set above the file level (CEPH_ARGS, argv, API). */
struct conf_setting {
	uint8_t level; /* enum cephc_conf_level */
	char *key;     /* normalized */
	char *val;
};

struct cephc_conf {
	struct cephc_conf_file file; /* empty until a file is parsed */
	struct conf_setting *set;
	uint32_t nset, capset;
	char type[8];  /* "client" */
	char *id;      /* "admin" */
	char *name;    /* "client.admin" */
	char *cluster; /* NULL: not set yet ("ceph" when read) */
	char *host;    /* NULL: gethostname() */
	long pid;
	char *conf_arg; /* -c/--conf from argv or CEPH_ARGS */
	char errmsg[512];
};

void conf_set_error(struct cephc_conf *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif /* CEPHC_CONF_CONF_INTERNAL_H */
