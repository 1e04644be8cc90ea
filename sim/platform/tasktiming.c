#include "tasktiming.h"

#include <string.h>

#include "../common/err.h"
#include "../config/arch.h"

uint64_t ax_compute_task_ps(uint64_t cycles, uint64_t cycle_ps, int mvm, uint32_t chip_cap_pm,
			    uint32_t own_cap_pm, uint64_t l1_read_ps, uint64_t l1_write_ps)
{
	uint64_t ps = cycles * cycle_ps;
	uint32_t cap = own_cap_pm && own_cap_pm < chip_cap_pm ? own_cap_pm : chip_cap_pm;
	if (mvm && cap < 1000) {
		if (!cap)
			AX_BUG("an IMC cap of 0");
		ps = (ps * 1000 + cap - 1) / cap;
	}
	if (l1_read_ps > ps)
		ps = l1_read_ps;
	if (l1_write_ps > ps)
		ps = l1_write_ps;
	return ps;
}

void ax_dma_window_start(struct ax_dma_window *w, uint64_t *done_at, uint64_t outstanding,
			 uint64_t chunk_bytes, uint64_t bytes, uint64_t now_ps)
{
	if (!outstanding || !chunk_bytes)
		AX_BUG("a DMA window of %llu chunks of %llu bytes", (unsigned long long)outstanding,
		       (unsigned long long)chunk_bytes);
	memset(w, 0, sizeof(*w));
	memset(done_at, 0, outstanding * sizeof(*done_at));
	w->done_at = done_at;
	w->outstanding = outstanding;
	w->chunk_bytes = chunk_bytes;
	w->left = bytes;
	w->last_ps = now_ps;
}

uint64_t ax_dma_window_next(const struct ax_dma_window *w, uint64_t *gate_ps)
{
	*gate_ps = w->done_at[w->k % w->outstanding];
	return w->left < w->chunk_bytes ? w->left : w->chunk_bytes;
}

void ax_dma_window_issued(struct ax_dma_window *w, uint64_t now_ps, uint64_t read_ps, uint64_t write_ps)
{
	uint64_t c = w->left < w->chunk_bytes ? w->left : w->chunk_bytes;
	uint64_t end = now_ps + (read_ps > write_ps ? read_ps : write_ps);
	w->done_at[w->k % w->outstanding] = end;
	if (end > w->last_ps)
		w->last_ps = end;
	w->left -= c;
	w->off += c;
	w->k++;
}

uint64_t ax_link_reserve(struct ax_port_pool *link, struct ax_port_pool *aggregate, uint64_t now_ps,
			 uint64_t bytes, int first, uint64_t *mem_at_ps)
{
	uint64_t end = ax_pool_reserve(link, now_ps, bytes, first);
	uint64_t agg = ax_pool_reserve(aggregate, now_ps, bytes, 0);
	*mem_at_ps = now_ps + (first ? link->latency_ps : 0);
	return agg > end ? agg : end;
}

uint64_t ax_link_end(uint64_t link_end_ps, uint64_t mem_end_ps)
{
	return link_end_ps > mem_end_ps ? link_end_ps : mem_end_ps;
}

void ax_pool_init_from_arch(struct ax_port_pool *p, enum ax_pool_of which, const struct ax_arch *a,
			    uint64_t clock_hz)
{
	uint64_t cycle_ps = ax_arch_cycle_ps(a, clock_hz);
	switch (which) {
	case AX_POOL_L1:
		ax_pool_init(p, (uint32_t)a->l1_ports, a->l1_port_bpc * clock_hz, a->l1_latency_cycles * cycle_ps);
		return;
	case AX_POOL_L2:
		ax_pool_init(p, (uint32_t)a->l2_ports, a->l2_port_bpc * clock_hz, a->l2_latency_cycles * cycle_ps);
		return;
	case AX_POOL_NOC_LINK:
		ax_pool_init(p, 1, a->noc_link_bpc * clock_hz, a->noc_latency_cycles * cycle_ps);
		return;
	case AX_POOL_NOC_AGGREGATE:
		ax_pool_init(p, 1, a->noc_aggregate_bpc * clock_hz, 0);
		return;
	}
	AX_BUG("port pool %d", (int)which);
}
