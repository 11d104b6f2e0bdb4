/* SPDX-License-Identifier: MIT */
/*
 * cephc: a userspace C client for Ceph clusters.
 *
 * This umbrella header declares the library-wide pieces: version, error
 * table (errors.h), allocator hooks and logging.  Layer APIs (cluster,
 * rados, rbd) have headers of their own beside this one.
 *
 * Thread-safety: the functions here configure process-wide state.  Call the
 * setters before creating any cephc handle; the getters are safe anywhere.
 */
#ifndef CEPHC_CEPHC_H
#define CEPHC_CEPHC_H

#include <stddef.h>

#include "cephc/errors.h"
#include "cephc/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CEPHC_VERSION_MAJOR 0
#define CEPHC_VERSION_MINOR 1
#define CEPHC_VERSION_PATCH 0

/* "0.1.0": static string. */
CEPHC_EXPORT const char *cephc_version(void);

/*
 * Allocator hooks.  Every allocation cephc makes goes through these.
 * All four must be given (NULL restores libc's).  Must be called before any
 * other cephc call allocates; returns CEPHC_EINVAL when only some are given.
 */
typedef void *(*cephc_malloc_fn)(size_t size);
typedef void *(*cephc_realloc_fn)(void *ptr, size_t size);
typedef void *(*cephc_calloc_fn)(size_t count, size_t size);
typedef void (*cephc_free_fn)(void *ptr);
CEPHC_EXPORT int cephc_set_allocator(cephc_malloc_fn m, cephc_realloc_fn r,
				     cephc_calloc_fn c, cephc_free_fn f);

/* Log levels, most severe first.  Messages above the set level are dropped. */
enum cephc_log_level {
	CEPHC_LOG_ERROR = 0,
	CEPHC_LOG_WARN = 1,
	CEPHC_LOG_INFO = 2,
	CEPHC_LOG_DEBUG = 3,
	CEPHC_LOG_TRACE = 4,
};

/*
 * Log sink.  subsys is a static tag ("msgr", "auth", "mon", "osdmap",
 * "osdc", "rbd", "core"); msg is valid only during the call.  The sink may
 * be called from any cephc thread, concurrently; it must not call back into
 * cephc.
 */
typedef void (*cephc_log_fn)(void *arg, enum cephc_log_level level,
			     const char *subsys, const char *msg);

/*
 * Set the global level and sink.  fn == NULL writes to stderr.  The default
 * level is WARN, overridden at first use by the environment variable
 * CEPHC_LOG (error|warn|info|debug|trace or 0..4).
 */
CEPHC_EXPORT void cephc_log_set(enum cephc_log_level level, cephc_log_fn fn,
				void *arg);
CEPHC_EXPORT enum cephc_log_level cephc_log_get_level(void);

#ifdef __cplusplus
}
#endif

#endif /* CEPHC_CEPHC_H */
