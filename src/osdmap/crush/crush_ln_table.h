/* SPDX-License-Identifier: MIT */
/* The two crush_ln() tables (data only; see crush_ln_table.c for origin). */
#ifndef CEPHC_OSDMAP_CRUSH_LN_TABLE_H
#define CEPHC_OSDMAP_CRUSH_LN_TABLE_H

#include <stdint.h>

#define CRUSH_RH_LH_TBL_LEN 258 /* 129 (reciprocal, log) pairs */
#define CRUSH_LL_TBL_LEN 256

extern const int64_t crush_rh_lh_tbl[CRUSH_RH_LH_TBL_LEN];
extern const int64_t crush_ll_tbl[CRUSH_LL_TBL_LEN];

#endif /* CEPHC_OSDMAP_CRUSH_LN_TABLE_H */
