/* SPDX-License-Identifier: MIT */
/*
 * Symbol visibility.  The library is built with -fvisibility=hidden; only
 * declarations marked CEPHC_EXPORT are part of the shared object's ABI.
 */
#ifndef CEPHC_EXPORT_H
#define CEPHC_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define CEPHC_EXPORT __attribute__((visibility("default")))
#else
#define CEPHC_EXPORT
#endif

#endif /* CEPHC_EXPORT_H */
