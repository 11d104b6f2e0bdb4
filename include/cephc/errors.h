/* SPDX-License-Identifier: MIT */
/*
 * cephc error codes: one table for the whole library.
 *
 * Every cephc function that can fail returns 0 (or a non-negative count) on
 * success and a negative CEPHC_E* code on failure.  Codes that mirror an OS
 * condition equal the negated errno value, so they compare equal to what the
 * kernel returned and to the result codes a Ceph OSD sends (Ceph defines its
 * OSD results as negated Linux errno values).  Protocol-level failures, which
 * have no errno equivalent, use values below CEPHC_EPROTO_BASE and never
 * collide with errno.
 */
#ifndef CEPHC_ERRORS_H
#define CEPHC_ERRORS_H

#include <errno.h>

#include "cephc/export.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CEPHC_EPROTO_BASE (-4000)

/*
 * X(name, value, message).  OS-derived codes first, protocol codes after.
 * Add new codes at the end of their group; values are part of the ABI.
 */
#define CEPHC_ERRNO_TABLE(X)                                                   \
	X(EPERM, -EPERM, "operation not permitted")                            \
	X(ENOENT, -ENOENT, "no such object or entry")                          \
	X(EINTR, -EINTR, "interrupted")                                        \
	X(EIO, -EIO, "input/output error")                                     \
	X(E2BIG, -E2BIG, "argument list too long")                             \
	X(EBADF, -EBADF, "bad file descriptor")                                \
	X(EAGAIN, -EAGAIN, "resource temporarily unavailable")                 \
	X(ENOMEM, -ENOMEM, "out of memory")                                    \
	X(EACCES, -EACCES, "permission denied")                                \
	X(EFAULT, -EFAULT, "bad address")                                      \
	X(EBUSY, -EBUSY, "resource busy")                                      \
	X(EEXIST, -EEXIST, "already exists")                                   \
	X(EXDEV, -EXDEV, "cross-device link")                                  \
	X(ENODEV, -ENODEV, "no such device")                                   \
	X(ENOTDIR, -ENOTDIR, "not a directory")                                \
	X(EISDIR, -EISDIR, "is a directory")                                   \
	X(EINVAL, -EINVAL, "invalid argument")                                 \
	X(EMFILE, -EMFILE, "too many open files")                              \
	X(EFBIG, -EFBIG, "file too large")                                     \
	X(ENOSPC, -ENOSPC, "no space left")                                    \
	X(EDQUOT, -EDQUOT, "quota exceeded")                                   \
	X(ELOOP, -ELOOP, "too many levels of symbolic links")                  \
	X(EMLINK, -EMLINK, "too many links")                                   \
	X(ESTALE, -ESTALE, "stale handle")                                     \
	X(ENOEXEC, -ENOEXEC, "exec format error")                              \
	X(EROFS, -EROFS, "read-only")                                          \
	X(EPIPE, -EPIPE, "broken pipe")                                        \
	X(EDOM, -EDOM, "argument out of domain")                               \
	X(ERANGE, -ERANGE, "result out of range")                              \
	X(EDEADLK, -EDEADLK, "resource deadlock avoided")                      \
	X(ENAMETOOLONG, -ENAMETOOLONG, "name too long")                        \
	X(ENOSYS, -ENOSYS, "function not implemented")                         \
	X(ENOTEMPTY, -ENOTEMPTY, "not empty")                                  \
	X(ENODATA, -ENODATA, "no data available")                              \
	X(ETIME, -ETIME, "timer expired")                                      \
	X(ENOLINK, -ENOLINK, "link has been severed")                          \
	X(EPROTO, -EPROTO, "protocol error")                                   \
	X(EBADMSG, -EBADMSG, "bad message")                                    \
	X(EOVERFLOW, -EOVERFLOW, "value too large for defined data type")      \
	X(EMSGSIZE, -EMSGSIZE, "message too long")                             \
	X(EOPNOTSUPP, -EOPNOTSUPP, "operation not supported")                  \
	X(EADDRINUSE, -EADDRINUSE, "address already in use")                   \
	X(EADDRNOTAVAIL, -EADDRNOTAVAIL, "address not available")              \
	X(ENETUNREACH, -ENETUNREACH, "network unreachable")                    \
	X(ECONNABORTED, -ECONNABORTED, "connection aborted")                   \
	X(ECONNRESET, -ECONNRESET, "connection reset by peer")                 \
	X(ENOBUFS, -ENOBUFS, "no buffer space available")                      \
	X(EISCONN, -EISCONN, "already connected")                              \
	X(ENOTCONN, -ENOTCONN, "not connected")                                \
	X(ESHUTDOWN, -ESHUTDOWN, "shut down")                                  \
	X(ETIMEDOUT, -ETIMEDOUT, "timed out")                                  \
	X(ECONNREFUSED, -ECONNREFUSED, "connection refused")                   \
	X(EHOSTUNREACH, -EHOSTUNREACH, "host unreachable")                     \
	X(EALREADY, -EALREADY, "operation already in progress")                \
	X(EINPROGRESS, -EINPROGRESS, "operation in progress")                  \
	X(ECANCELED, -ECANCELED, "operation canceled")                         \
	X(EILSEQ, -EILSEQ, "illegal byte sequence (compare mismatch)")

/* Ceph reports a blocklisted client as -ESHUTDOWN (108 on Linux). */
#define CEPHC_EBLOCKLISTED CEPHC_ESHUTDOWN

/* Protocol errors: the peer sent something we cannot accept. */
#define CEPHC_PROTO_TABLE(X)                                                   \
	X(EDECODE, CEPHC_EPROTO_BASE - 1, "malformed or truncated peer data")  \
	X(ETOOBIG, CEPHC_EPROTO_BASE - 2,                                      \
	  "peer length or count exceeds a configured maximum")                 \
	X(ECRC, CEPHC_EPROTO_BASE - 3, "crc32c mismatch")                      \
	X(ECOMPAT, CEPHC_EPROTO_BASE - 4,                                      \
	  "encoding is newer than this client understands")                    \
	X(EFEATURES, CEPHC_EPROTO_BASE - 5,                                    \
	  "peer requires features this client lacks")                          \
	X(EBANNER, CEPHC_EPROTO_BASE - 6, "bad protocol banner")               \
	X(EBADTAG, CEPHC_EPROTO_BASE - 7, "unexpected protocol tag")           \
	X(EWRONGPEER, CEPHC_EPROTO_BASE - 8,                                   \
	  "connected to a different peer than expected")                       \
	X(EBADAUTH, CEPHC_EPROTO_BASE - 9, "authentication failed")            \
	X(ESIGNATURE, CEPHC_EPROTO_BASE - 10, "message signature mismatch")    \
	X(ESESSIONRESET, CEPHC_EPROTO_BASE - 11, "peer reset the session")     \
	X(EPROTOVER, CEPHC_EPROTO_BASE - 12, "protocol version mismatch")      \
	X(ECRYPTO, CEPHC_EPROTO_BASE - 13, "cryptographic operation failed")

enum cephc_errno {
#define CEPHC_ERR_ENUM_(name, value, msg) CEPHC_##name = (value),
	CEPHC_ERRNO_TABLE(CEPHC_ERR_ENUM_) CEPHC_PROTO_TABLE(CEPHC_ERR_ENUM_)
#undef CEPHC_ERR_ENUM_
	    CEPHC_ERRNO_MAX_ = 0
};

/*
 * A human-readable message for any code (negative or positive errno value).
 * The string is static; never free it.  Unknown codes give "unknown error".
 */
CEPHC_EXPORT const char *cephc_strerror(int err);

/* The symbolic name ("EDECODE", "ENOENT", ...); static string. */
CEPHC_EXPORT const char *cephc_errname(int err);

/* Non-zero when err is one of the protocol codes (not an OS errno). */
CEPHC_EXPORT int cephc_err_is_protocol(int err);

#ifdef __cplusplus
}
#endif

#endif /* CEPHC_ERRORS_H */
