/* SPDX-License-Identifier: MIT */
/* `cephc rbd clone|children|flatten` (rbd_cli_clone.c). */
#ifndef CEPHC_TOOLS_RBD_CLI_CLONE_H
#define CEPHC_TOOLS_RBD_CLI_CLONE_H

#include "rbd_cli.h"

int rbdcli_clone(struct tool_ctx *t, struct rbd_args *a);
int rbdcli_children(struct tool_ctx *t, struct rbd_args *a);
int rbdcli_flatten(struct tool_ctx *t, struct rbd_args *a);

#endif /* CEPHC_TOOLS_RBD_CLI_CLONE_H */
