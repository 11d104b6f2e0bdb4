/* SPDX-License-Identifier: MIT */
#include "msgr/msg.h"

#include "core/alloc.h"

struct cephc_msg *cephc_msg_new(uint16_t type, uint32_t front_cap)
{
	struct cephc_msg *m;

	if (front_cap > CEPHC_MSG_FRONT_MAX)
		return NULL;
	m = cephc_calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	if (front_cap) {
		m->front = cephc_calloc(1, front_cap);
		if (!m->front) {
			cephc_free(m);
			return NULL;
		}
	}
	atomic_init(&m->m_ref, 1);
	m->front_len = m->front_cap = front_cap;
	m->hdr.type = type;
	m->hdr.priority = CEPHC_MSG_PRIO_DEFAULT;
	cephc_msg_data_init(&m->data);
	return m;
}

void cephc_msg_put(struct cephc_msg *m)
{
	if (!m || atomic_fetch_sub(&m->m_ref, 1) != 1)
		return;
	cephc_msg_data_release(&m->data);
	cephc_free(m->front);
	cephc_free(m->middle);
	cephc_free(m);
}
