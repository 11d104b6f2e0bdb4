/*
 * compat/: the state shared by the drop-in librados.so.2 and librbd.so.1.
 *
 * Both libraries are thin layers over libcephc's public API.  librbd.so.1
 * links librados.so.2, and a rados_ioctx_t made by one is read by the other
 * through this layout (both are built from this header in one tree, so the
 * layout cannot drift).  Nothing here is part of any installed header.
 */
#ifndef CEPHC_COMPAT_SHIM_H
#define CEPHC_COMPAT_SHIM_H

#include <stdint.h>

#include "cephc/cluster.h"
#include "cephc/rados.h"

/* What rados_t points to. */
struct compat_cluster {
	cephc_cluster *c;
	int connected;
};

/* What rados_ioctx_t points to: librbd needs the pool and namespace by
 * name, since cephc opens images by pool name. */
struct compat_ioctx {
	struct compat_cluster *cl;
	cephc_ioctx *io;
	char *pool;
	char *nspace; /* NULL: default namespace */
};

/* Map a cephc error (a negated errno, or a protocol code below
 * CEPHC_EPROTO_BASE) to the negated errno the librados ABI promises. */
__attribute__((visibility("default"))) int compat_errno(int rc);

/* Print "cephc compat: NAME is not implemented" once per name. */
__attribute__((visibility("default"))) void
compat_log_unimplemented(const char *name, int *once);

#endif
