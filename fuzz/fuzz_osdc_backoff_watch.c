/* SPDX-License-Identifier: MIT */
/*
 * MOSDBackoff and MWatchNotify decoding.  Input: u8 selector/header
 * version, then the front.  A decoded backoff is re-encoded as its ACK and
 * decoded again, which must succeed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "osdc/osd_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cephc_osd_backoff b, b2;
	struct cephc_osd_watch_notify n;
	uint8_t ack[3 * CEPHC_OSD_NAME_MAX + 256];
	size_t len;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	(void)cephc_osd_watch_notify_decode(data, size, sel & 7, &n);
	if (cephc_osd_backoff_decode(data, size, &b))
		return 0;
	(void)cephc_osd_backoff_covers(&b, &b.begin);
	if (cephc_osd_backoff_ack_len(&b) > sizeof(ack))
		return 0;
	if (cephc_osd_backoff_ack_encode(&b, b.map_epoch, ack, sizeof(ack),
					 &len) ||
	    len != cephc_osd_backoff_ack_len(&b) ||
	    cephc_osd_backoff_decode(ack, len, &b2) ||
	    cephc_hobject_cmp(&b.begin, &b2.begin) ||
	    cephc_hobject_cmp(&b.end, &b2.end))
		abort();
	return 0;
}
