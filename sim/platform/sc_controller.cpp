// sc_controller.cpp - a core's controller: fetches descriptors from the
// tasklist's home (streaming its chunks into L2 when the tasklist is larger
// than its reserve), dispatches each task to its unit and runs operator
// set-ups itself.
#include "sc_modules.h"

namespace ax {

Controller::Controller(sc_module_name n, Sim &sim, uint32_t k)
	: sc_module(n), to_far("to_far"), s(sim), core(k)
{
	SC_HAS_PROCESS(Controller);
	SC_THREAD(run);
}

void Controller::run()
{
	const ax_arch *a = s.a;
	// a pipeline's core fetches from its own model's tasklist
	const ax_tasklist *tl = s.tl->n_parts ? &s.tl->parts[s.tl->core_part[core]] : s.tl;
	uint32_t own = s.tl->n_parts ? core - s.tl->part_core_base[s.tl->core_part[core]] : core;
	uint64_t batch = a->ctrl_fetch_batch, dbytes = a->ctrl_descriptor_bytes;
	uint64_t base = tl->ddr_tasklist_base + own * tl->ddr_tasklist_stride;
	std::vector<uint64_t> reload(a->dma_outstanding); // chunks in flight of a reload
	uint64_t per_chunk = mine.size(); // descriptors per tasklist chunk
	if (tl->tasklist_chunks > 1)
		per_chunk = (tl->tasklist_reserve / tl->n_cores) / dbytes;
	for (size_t i = 0; i < mine.size(); i++) {
		uint64_t t0 = now_ps();
		if (busy)
			busy->write(true);
		if (tl->tasklist_chunks > 1 && i % per_chunk == 0) {
			// docs/timing-model.md "ELF placement": the next chunk of a
			// tasklist larger than its L2 reserve is copied in from DDR
			// by the system DMA, the controller waiting for it
			uint64_t n = mine.size() - i < per_chunk ? mine.size() - i : per_chunk;
			uint64_t r0 = now_ps();
			dma_sys->copy(AX_MEM_DDR, AX_MEM_L2, AX_KIND_TASKLIST, n * dbytes,
				      base + tl_offset(tl, i * dbytes), 0, reload);
			s.res->busy_ps[core][AX_E_DMA_SYS] += now_ps() - r0;
		}
		if (i % batch == 0) {
			uint64_t n = mine.size() - i < batch ? mine.size() - i : batch;
			wait(access(to_far, tlm::TLM_READ_COMMAND, tl->tasklist_home, AX_KIND_TASKLIST,
				    n * dbytes, true, nullptr, base + tl_offset(tl, i * dbytes)));
			s.activations++;
		}
		wait(sc_time::from_value(a->ctrl_dispatch_cycles * s.cycle_ps));
		s.activations++;
		s.res->busy_ps[core][AX_E_CTRL] += now_ps() - t0;
		uint32_t id = mine[i];
		if (busy)
			busy->write(false);
		if (s.rec) {
			s.rec[id].issue_start_ps = t0;
			s.rec[id].issue_end_ps = now_ps();
		}
		const ax_task &t = s.tl->tasks[id];
		if (t.kind == AX_T_CTRL) {
			// docs/timing-model.md "Operator set-up": the control core
			// itself programs the operator once its configuration set
			// is free (the task's dependencies)
			while (!s.ready(id)) {
				s.waiter[id] = &cfg_free;
				wait(cfg_free);
				s.activations++;
			}
			uint64_t c0 = now_ps();
			s.setup(t, true);
			if (s.probe)
				s.probe->begin(t, busy);
			wait(sc_time::from_value(t.cycles * s.cycle_ps));
			s.activations++;
			if (s.probe)
				s.probe->end(t, busy);
			s.setup(t, false);
			s.finish(id, c0, now_ps() - c0, AX_E_SETUP);
		}
		else if (t.kind == AX_T_DMA)
		{
			Dma *d = t.unit == AX_U_DMA_SYS ? dma_sys : dma_core;
			d->queue_for(t).push(id);
		}
		else
			units[t.kind]->push(id);
	}
}

} // namespace ax
