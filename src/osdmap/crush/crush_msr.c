/* SPDX-License-Identifier: MIT */
/*
 * CRUSH "MSR" (multi-step retry) rules, new in Ceph 19 "Squid": rule types
 * msr_firstn (4) and msr_indep (5).  Placing exactly as Squid's mapper.c.
 *
 * Shape of an MSR rule: optional SET_MSR_DESCENTS / SET_MSR_COLLISION_TRIES
 * steps, then blocks of TAKE, CHOOSE_MSR (arg1 count, 0 = result_max; arg2
 * type) ..., EMIT.  A block's result positions are split into arg1
 * "strides" per choose step: the first step picks one item of its type per
 * stride (distinct across strides), the next step fills each stride from
 * under that item, and so on down to devices.  Unlike choose/chooseleaf,
 * a device that is out does not make the step retry in place: the whole
 * block is descended again (up to msr_descents times), and positions that
 * are still empty then may land on another host.  Collisions are retried
 * locally (msr_collision_tries times) by varying the hash input
 *   r = ((descent * result_max + stride) << 16) + collision_try.
 *
 * msr_firstn packs results in the order found; msr_indep keeps each result
 * at its position and returns result_max entries with CEPHC_CRUSH_ITEM_NONE
 * holes.
 *
 * Where Squid's mapper would assert or read out of bounds (a TAKE of a
 * missing bucket, an empty bucket, a choose step for a bucket type that
 * reaches a device, a TAKE of a device, negative counts or a fan-out
 * beyond 2^32) we stop or skip instead; valid rules place identically.
 */
#include "crush_internal.h"

/* State of one crush_msr_do_rule() call. */
struct msr_run {
	const struct crush_ctx *c;
	const struct crush_rule *rule;
	uint32_t result_max;
	uint32_t descents;
	uint32_t collision_tries;
	int *out;
	uint32_t returned;
	/* The block being mapped: choose steps [start_step, end_step). */
	uint32_t start_step, end_step;
	int *vecs; /* per step: result_max choices (CRUSH_ITEM_UNDEF = none) */
	int *undo; /* per step: result_max buckets to forget on return */
};

/* Leading SET_MSR_* steps: returns the first other step; *descents and
 * *collision_tries take the last values set (each may be NULL). */
static uint32_t scan_config(const struct crush_rule *rule, uint32_t *descents,
			    uint32_t *collision_tries)
{
	uint32_t s;

	for (s = 0; s < rule->len; s++) {
		const struct crush_rule_step *st = &rule->steps[s];

		if (st->op == CRUSH_RULE_SET_MSR_DESCENTS) {
			if (descents)
				*descents = (uint32_t)st->arg1;
		} else if (st->op == CRUSH_RULE_SET_MSR_COLLISION_TRIES) {
			if (collision_tries)
				*collision_tries = (uint32_t)st->arg1;
		} else {
			break;
		}
	}
	return s;
}

/*
 * For steps [stepno, len): if they start a valid block (TAKE, CHOOSE_MSR*,
 * EMIT) return 0 with the EMIT's index and, if fanout is not NULL, the
 * product of the choose counts (0 counting as result_max); else -1.
 */
static int scan_block(const struct crush_rule *rule, uint32_t result_max,
		      uint32_t stepno, uint64_t *fanout, uint32_t *emit)
{
	uint64_t total = 1;

	if (stepno + 1 >= rule->len ||
	    rule->steps[stepno].op != CRUSH_RULE_TAKE)
		return -1;
	for (stepno++; stepno < rule->len; stepno++) {
		const struct crush_rule_step *st = &rule->steps[stepno];

		if (st->op == CRUSH_RULE_EMIT)
			break;
		if (st->op != CRUSH_RULE_CHOOSE_MSR || st->arg1 < 0)
			return -1;
		if (!fanout)
			continue;
		total *= st->arg1 ? (uint32_t)st->arg1 : result_max;
		/* Squid multiplies in 32 bits; keep to where that is exact. */
		if (total > UINT32_MAX)
			return -1;
	}
	if (stepno >= rule->len)
		return -1;
	if (fanout)
		*fanout = total;
	*emit = stepno;
	return 0;
}

uint32_t crush_msr_max_steps(const struct crush_rule *rule)
{
	uint32_t s = scan_config(rule, NULL, NULL), emit, max = 0;

	while (s < rule->len && !scan_block(rule, 0, s, NULL, &emit)) {
		if (emit - s - 1 > max)
			max = emit - s - 1;
		s = emit + 1;
	}
	return max;
}

static int *step_vec(const struct msr_run *m, uint32_t stepno)
{
	return m->vecs + (size_t)(stepno - m->start_step) * m->result_max;
}

/* FIRSTN appends; INDEP writes at its position.  Squid asserts on a full
 * or already written slot, which valid rules never produce. */
static void emit_result(struct msr_run *m, uint32_t position, int item)
{
	if (m->rule->type == CRUSH_RULE_TYPE_MSR_FIRSTN) {
		if (m->returned < m->result_max)
			m->out[m->returned++] = item;
	} else if (position < m->result_max &&
		   m->out[position] == CEPHC_CRUSH_ITEM_NONE) {
		m->out[position] = item;
		m->returned++;
	}
}

/* All leaf slots [start, end) of the block already mapped? */
static int leaves_done(const struct msr_run *m, uint32_t start, uint32_t end)
{
	const int *leaf = step_vec(m, m->end_step - 1);

	for (uint32_t i = start; i < end; i++)
		if (leaf[i] == CRUSH_ITEM_UNDEF)
			return 0;
	return 1;
}

/*
 * Walk down from b until a device or a bucket of `type`; *item gets it.
 * Returns 0, or -1 on an empty bucket (Squid asserts there).
 */
static int descend(const struct msr_run *m, const struct crush_bucket *b,
		   int type, uint32_t tryno, uint32_t local_tryno,
		   uint32_t index, int *item)
{
	uint32_t r = ((tryno * m->result_max + index) << 16) + local_tryno;

	for (;;) {
		int it;

		if (!b->size)
			return -1;
		it = crush_bucket_choose(m->c, b, r, (int)index);
		*item = it;
		if (it >= 0)
			return 0;
		b = &m->c->map->buckets[-1 - it];
		if (b->type == type)
			return 0;
	}
}

/*
 * A candidate is usable unless another stride of [start, end) already
 * chose it at this step (one already chosen for this stride is fine).
 */
static int candidate_ok(const struct msr_run *m, uint32_t stepno,
			uint32_t start, uint32_t end, uint32_t stride_start,
			uint32_t stride_end, int item)
{
	const int *v = step_vec(m, stepno);

	for (uint32_t i = start; i < end; i++)
		if (v[i] == item)
			return i >= stride_start && i < stride_end;
	return 1;
}

/* Record item in the stride's slots; 0 if it was already there (or, which
 * valid rules never reach, the stride is full). */
static int push_used(const struct msr_run *m, uint32_t stepno, uint32_t start,
		     uint32_t end, int item)
{
	int *v = step_vec(m, stepno);

	for (uint32_t i = start; i < end; i++) {
		if (v[i] == item)
			return 0;
		if (v[i] == CRUSH_ITEM_UNDEF) {
			v[i] = item;
			return 1;
		}
	}
	return 0;
}

/* Forget the stride's most recent entry (pushed by this pass). */
static void pop_used(const struct msr_run *m, uint32_t stepno, uint32_t start,
		     uint32_t end)
{
	int *v = step_vec(m, stepno);

	for (uint32_t i = end; i > start; i--) {
		if (v[i - 1] != CRUSH_ITEM_UNDEF) {
			v[i - 1] = CRUSH_ITEM_UNDEF;
			return;
		}
	}
}

/*
 * Fill positions [start, end) below bucket b with the choose steps
 * [stepno, end_step); `total` is the fan-out of those steps (may exceed
 * end - start).  Returns how many leaves this pass mapped.
 */
static uint32_t msr_choose(struct msr_run *m, const struct crush_bucket *b,
			   uint32_t total, uint32_t start, uint32_t end,
			   uint32_t stepno, uint32_t tryno)
{
	const struct crush_rule_step *st = &m->rule->steps[stepno];
	uint32_t strides = st->arg1 ? (uint32_t)st->arg1 : m->result_max;
	uint32_t stride_len = total / strides, mapped = 0, idx = 0;
	int *undo = m->undo + (size_t)(stepno - m->start_step) * m->result_max;

	for (uint32_t i = 0; i < strides && i < m->result_max; i++)
		undo[i] = CRUSH_ITEM_UNDEF;
	for (uint32_t s0 = start; s0 < end; s0 += stride_len, idx++) {
		uint32_t s1 = s0 + stride_len < end ? s0 + stride_len : end;
		int item = 0, found = 0;

		if (leaves_done(m, s0, s1))
			continue;
		for (uint32_t t = 0; t < m->collision_tries && !found; t++)
			found =
			    !descend(m, b, st->arg2, tryno, t, idx, &item) &&
			    candidate_ok(m, stepno, start, end, s0, s1, item);
		if (!found)
			continue;
		if (st->arg2 == 0) {
			/* A device: only as the block's last step, one per
			 * stride; an out device waits for the next descent. */
			if (stride_len != 1 || stepno + 1 != m->end_step ||
			    crush_is_out(m->c, item))
				continue;
			push_used(m, stepno, s0, s1, item);
			emit_result(m, s0, item);
			mapped++;
		} else {
			uint32_t got;

			if (stepno + 1 >= m->end_step || item >= 0)
				continue; /* no step left, or not a bucket */
			got = msr_choose(m, &m->c->map->buckets[-1 - item],
					 stride_len, s0, s1, stepno + 1, tryno);
			/* A bucket that yielded nothing new is forgotten on
			 * return, so later strides may not collide with it
			 * during this pass but may pick it next time. */
			if (push_used(m, stepno, s0, s1, item) && got == 0)
				undo[idx] = item;
			else
				mapped += got;
		}
	}
	idx = 0;
	for (uint32_t s0 = start; s0 < end; s0 += stride_len, idx++)
		if (undo[idx] != CRUSH_ITEM_UNDEF)
			pop_used(m, stepno, s0,
				 s0 + stride_len < end ? s0 + stride_len : end);
	return mapped;
}

/* One TAKE bucket ... EMIT block over positions [*start_index, ...). */
static void msr_block(struct msr_run *m, const struct crush_bucket *root,
		      uint64_t fanout, uint32_t *start_index)
{
	uint32_t start = *start_index;
	uint32_t end = start + fanout < m->result_max ? start + (uint32_t)fanout
						      : m->result_max;
	uint32_t limit = m->returned + (end - start);
	size_t n = (size_t)(m->end_step - m->start_step) * m->result_max;

	for (size_t i = 0; i < n; i++)
		m->vecs[i] = CRUSH_ITEM_UNDEF;
	for (uint32_t tryno = 0; tryno < m->descents && m->returned < limit;
	     tryno++)
		msr_choose(m, root, (uint32_t)fanout, start, end, m->start_step,
			   tryno);
	*start_index = end;
}

int crush_msr_do_rule(const struct crush_ctx *c, const struct crush_rule *rule,
		      int *result, int result_max, int *scratch)
{
	const struct cephc_crush_map *map = c->map;
	struct msr_run m = {
	    .c = c,
	    .rule = rule,
	    .result_max = (uint32_t)result_max,
	    .descents = map->msr_descents,
	    .collision_tries = map->msr_collision_tries,
	    .out = result,
	};
	uint32_t stepno = scan_config(rule, &m.descents, &m.collision_tries);
	uint32_t start_index = 0;

	for (int i = 0; i < result_max; i++)
		result[i] = CEPHC_CRUSH_ITEM_NONE;
	while (stepno < rule->len) {
		uint32_t emit;
		uint64_t fanout;
		int take;

		/* An invalid block ends the rule with nothing, as Squid. */
		if (scan_block(rule, m.result_max, stepno, &fanout, &emit))
			return 0;
		take = rule->steps[stepno].arg1;
		if (take >= 0) {
			/* A device stands alone in its block (Squid loops
			 * on this block until it asserts; we emit once). */
			if (stepno + 1 != emit)
				return 0;
			emit_result(&m, start_index, take);
		} else {
			if (-1 - take >= map->max_buckets ||
			    !map->buckets[-1 - take].alg)
				return 0;
			m.start_step = stepno + 1;
			m.end_step = emit;
			m.vecs = scratch;
			m.undo =
			    scratch + (size_t)map->max_msr_steps * m.result_max;
			if (emit > m.start_step)
				msr_block(&m, &map->buckets[-1 - take], fanout,
					  &start_index);
		}
		stepno = emit + 1;
	}
	if (rule->type == CRUSH_RULE_TYPE_MSR_FIRSTN)
		return (int)m.returned;
	return result_max;
}
