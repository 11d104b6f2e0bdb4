/* SPDX-License-Identifier: MIT */
/* The single error table: names and messages for every CEPHC_E* code. */
#include "cephc/errors.h"

#include <stddef.h>
#include <stdio.h>

struct err_entry {
	int code;
	const char *name;
	const char *msg;
};

static const struct err_entry err_table[] = {
#define ERR_ENTRY_(name, value, msg) {(value), #name, (msg)},
    CEPHC_ERRNO_TABLE(ERR_ENTRY_) CEPHC_PROTO_TABLE(ERR_ENTRY_)
#undef ERR_ENTRY_
};

/* Accept either sign for OS codes: callers often hold a positive errno. */
static const struct err_entry *err_lookup(int err)
{
	if (err > 0)
		err = -err;
	for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
		if (err_table[i].code == err)
			return &err_table[i];
	return NULL;
}

/* A code outside the table still says which it was (as libuv does):
 * "unknown error -4242", in a per-thread buffer. */
static const char *unknown(const char *what, int err)
{
	static _Thread_local char buf[40];

	snprintf(buf, sizeof(buf), "%s %d", what, err > 0 ? -err : err);
	return buf;
}

const char *cephc_strerror(int err)
{
	const struct err_entry *e;

	if (err == 0)
		return "success";
	e = err_lookup(err);
	return e ? e->msg : unknown("unknown error", err);
}

const char *cephc_errname(int err)
{
	const struct err_entry *e;

	if (err == 0)
		return "OK";
	e = err_lookup(err);
	return e ? e->name : "EUNKNOWN";
}

int cephc_err_is_protocol(int err)
{
	return err <= CEPHC_EPROTO_BASE - 1 && err > CEPHC_EPROTO_BASE - 1000;
}
