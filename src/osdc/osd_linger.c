/* SPDX-License-Identifier: MIT */
#include "osdc/osd_session.h"

void osdc_linger_map_change(struct cephc_osdc *osdc)
{
	(void)osdc;
}

void osdc_linger_tick(struct cephc_osdc *osdc, uint64_t now_ns)
{
	(void)osdc;
	(void)now_ns;
}

void osdc_linger_session_fault(struct cephc_osdc *osdc, struct osdc_session *s)
{
	(void)osdc;
	(void)s;
}

void osdc_linger_handle_notify(struct cephc_osdc *osdc, struct osdc_session *s,
			       struct cephc_msg *msg)
{
	(void)osdc;
	(void)s;
	(void)msg;
}

void osdc_linger_destroy_all(struct cephc_osdc *osdc)
{
	(void)osdc;
}
