/* SPDX-License-Identifier: MIT */
/* libFuzzer target: every monitor-message decoder on arbitrary bytes.  The
 * first byte picks the decoder so one corpus covers them all. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "mon/mon_msgs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cephc_monmap mm;
	struct cephc_dec d;

	if (size < 1)
		return 0;
	dec_init(&d, data + 1, size - 1);
	switch (data[0] % 7) {
	case 0:
		(void)cephc_monmap_decode(&d, &mm);
		break;
	case 1:
		(void)cephc_monmap_msg_decode(&d, &mm);
		break;
	case 2: {
		struct cephc_mauth_reply r;
		(void)cephc_mauth_reply_decode(&d, &r);
		break;
	}
	case 3: {
		struct cephc_osdmap_msg m;
		(void)cephc_osdmap_msg_decode(&d, &m);
		cephc_osdmap_msg_release(&m);
		break;
	}
	case 4: {
		struct cephc_mon_command_ack a;
		(void)cephc_mon_command_ack_decode(&d, &a);
		break;
	}
	case 6: {
		struct cephc_mpoolop_reply r;
		uint64_t id;
		if (cephc_mpoolop_reply_decode(&d, &r) == 0)
			(void)cephc_mpoolop_reply_snapid(&r, &id);
		break;
	}
	default: {
		struct cephc_mon_version_reply r;
		(void)cephc_mon_get_version_reply_decode(&d, &r);
		break;
	}
	}
	return 0;
}
