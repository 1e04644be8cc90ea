// sc_dma.cpp - the DMA engines: the system DMA (DDR <-> L2) and one per core
// (L2/DDR <-> L1), their channels and the window of chunks in flight
// (ax_dma_window).
#include "sc_modules.h"

namespace ax {

Dma::Dma(sc_module_name n, Sim &sim, ax_engine e, unsigned l1_mem, unsigned channels)
	: sc_module(n), near("near"), far("far"), s(sim), engine(e), l1_id(l1_mem),
	  classes(channels >= 2 ? 2 : 1), busy(channels, nullptr),
	  in_flight(channels, std::vector<uint64_t>(sim.a->dma_outstanding))
{
	for (unsigned c = 0; c < channels; c++) {
		unsigned cls = classes == 2 && c >= channels / 2 ? 1 : 0;
		sc_spawn(sc_bind(&Dma::channel, this, cls, c), sc_gen_unique_name("channel"));
	}
}

Queue &Dma::queue_for(const ax_task &t)
{
	bool act = t.data == AX_KIND_ACT || t.data == AX_KIND_TASKLIST;
	return queue[classes == 2 && act ? 1 : 0];
}

sc_time Dma::move(tlm::tlm_command cmd, ax_mem m, unsigned kind, uint64_t bytes, bool first,
		  uint64_t addr, uint64_t off, uint64_t run_bytes, uint64_t run_stride)
{
	if (m != AX_MEM_DDR || !run_bytes) {
		addr += off;
		run_bytes = run_stride = off = 0;
	}
	if (engine == AX_E_DMA_CORE) {
		if (m == AX_MEM_L1)
			return access(near, cmd, l1_id, kind, bytes, first, nullptr, addr);
		return access(far, cmd, m, kind, bytes, first, nullptr, addr, run_bytes, run_stride, off);
	}
	if (m == AX_MEM_L1)
		AX_BUG("the system DMA cannot reach L1");
	return access(m == AX_MEM_L2 ? near : far, cmd, m, kind, bytes, first, nullptr, addr,
		      run_bytes, run_stride, off);
}

void Dma::copy(ax_mem src, ax_mem dst, unsigned kind, uint64_t bytes, uint64_t src_addr,
	       uint64_t dst_addr, std::vector<uint64_t> &done_at, uint64_t run_bytes, uint64_t run_stride)
{
	wait(sc_time::from_value(s.a->dma_setup_cycles * s.cycle_ps));
	ax_dma_window w;
	ax_dma_window_start(&w, done_at.data(), done_at.size(), s.a->dma_chunk, bytes, now_ps());
	uint64_t c, gate;
	while ((c = ax_dma_window_next(&w, &gate))) {
		if (gate > now_ps()) {
			wait(sc_time::from_value(gate - now_ps()));
			s.activations++;
		}
		bool first = w.k == 0;
		sc_time dr = move(tlm::TLM_READ_COMMAND, src, kind, c, first, src_addr, w.off,
				  run_bytes, run_stride);
		sc_time dw = move(tlm::TLM_WRITE_COMMAND, dst, kind, c, first, dst_addr, w.off,
				  run_bytes, run_stride);
		ax_dma_window_issued(&w, now_ps(), dr.value(), dw.value());
	}
	if (w.last_ps > now_ps()) {
		wait(sc_time::from_value(w.last_ps - now_ps()));
		s.activations++;
	}
}

void Dma::channel(unsigned cls, unsigned lane)
{
	std::vector<uint64_t> &done_at = in_flight[lane];
	for (;;) {
		uint32_t id = queue[cls].take(s);
		const ax_task &t = s.tl->tasks[id];
		uint64_t start = now_ps();
		bool mine = engine == AX_E_DMA_CORE;
		if (mine)
			s.unit(t.core, true);
		if (s.probe)
			s.probe->begin(t, busy[lane]);
		copy(t.src, t.dst, t.data, t.bytes, t.src_addr, t.dst_addr, done_at, t.run_bytes,
		     t.run_stride);
		if (s.probe)
			s.probe->end(t, busy[lane]);
		if (mine)
			s.unit(t.core, false);
		s.finish(id, start, now_ps() - start, engine, lane);
	}
}

} // namespace ax
