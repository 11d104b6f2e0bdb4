/* SPDX-License-Identifier: MIT */
/*
 * MOSDOpReply decode, the checks against the ops sent, the receive plan and
 * every per-op output decoder.  Input: u8 header version, le32 data_len,
 * then the front; the bytes after the front's decoded end are reused as the
 * data section (so the plan and decoders see peer-controlled out-data).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/encode.h"
#include "osdc/cls_lock.h"
#include "osdc/osd_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decode_outputs(const uint8_t *p, size_t len)
{
	struct cephc_osd_extent ext[8];
	struct cephc_osd_kv_iter kv;
	struct cephc_osd_pgnls_iter pg;
	struct cephc_osd_list_entry e;
	struct cephc_osd_watchers_iter wi;
	struct cephc_osd_watcher w;
	struct cephc_osd_notify_iter ni;
	struct cephc_cls_lock_info info;
	const uint8_t *k, *v;
	uint32_t kl, vl, n, sec, nsec;
	uint64_t u, g;
	bool more;

	(void)cephc_osd_decode_stat(p, len, &u, &sec, &nsec);
	(void)cephc_osd_decode_notify_id(p, len, &u);
	(void)cephc_osd_decode_sparse_read(p, len, ext, 8, &n, &k, &kl);
	if (!cephc_osd_kv_iter_init(&kv, p, len, true)) {
		while (cephc_osd_kv_iter_next(&kv, &k, &kl, &v, &vl) > 0)
			;
		(void)cephc_osd_kv_iter_more(&kv, &more);
	}
	if (!cephc_osd_kv_iter_init(&kv, p, len, false)) {
		while (cephc_osd_kv_iter_next(&kv, &k, &kl, &v, &vl) > 0)
			;
		(void)cephc_osd_kv_iter_more(&kv, &more);
	}
	if (!cephc_osd_pgnls_iter_init(&pg, p, len))
		while (cephc_osd_pgnls_iter_next(&pg, &e) > 0)
			;
	if (!cephc_osd_watchers_iter_init(&wi, p, len))
		while (cephc_osd_watchers_iter_next(&wi, &w) > 0)
			;
	if (!cephc_osd_notify_iter_init(&ni, p, len)) {
		while (cephc_osd_notify_iter_next_ack(&ni, &u, &g, &k, &kl) > 0)
			;
		while (cephc_osd_notify_iter_next_timeout(&ni, &u, &g) > 0)
			;
	}
	(void)cephc_cls_lock_decode_info(p, len, &info);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t rbuf[64];
	struct iovec dst = {rbuf, sizeof(rbuf)};
	struct cephc_osd_reply r;
	struct cephc_osd_ops ops;
	struct cephc_osd_rx_plan plan;
	uint32_t data_len, i;
	uint16_t version;

	if (size < 5)
		return 0;
	version = data[0];
	data_len = get_le32(data + 1);
	data += 5;
	size -= 5;
	decode_outputs(data, size);
	if (cephc_osd_reply_decode(data, size, version, &r))
		return 0;
	/* Pretend we sent the ops the reply names, each expecting output. */
	cephc_osd_ops_init(&ops);
	for (i = 0; i < r.num_ops; i++) {
		struct cephc_osd_op *op = cephc_osd_ops_add(&ops);

		if (r.ops[i].op == CEPHC_OSD_OP_READ)
			cephc_osd_op_read(op, 0, sizeof(rbuf), &dst, 1);
		else
			cephc_osd_op_getxattrs(op, 4096);
		op->op_code = r.ops[i].op;
	}
	if (!cephc_osd_reply_apply(&r, &ops, data_len) &&
	    !cephc_osd_rx_plan_build(&plan, &ops)) {
		if (plan.total <= size)
			(void)cephc_osd_rx_plan_copy_in(
			    &plan, data + size - plan.total, plan.total);
		for (i = 0; i < ops.num_ops; i++)
			if (ops.ops[i].op_outdata)
				decode_outputs(ops.ops[i].op_outdata,
					       ops.ops[i].op_outdata_len);
		cephc_osd_rx_plan_release(&plan);
	}
	cephc_osd_ops_release(&ops);
	return 0;
}
