// sc_compute.cpp - a core's compute units (IMC passes, IMC weight writes,
// DPU, DWPU): each takes its queue's tasks in order, reads and writes L1, and
// waits for the task's time (ax_compute_task_ps).
#include "sc_modules.h"

namespace ax {

Compute::Compute(sc_module_name n, Sim &sim, ax_engine e, unsigned l1_mem)
	: sc_module(n), l1("l1"), s(sim), engine(e), l1_id(l1_mem)
{
	SC_HAS_PROCESS(Compute);
	SC_THREAD(run);
}

void Compute::run()
{
	for (;;) {
		uint32_t id = queue.take(s);
		const ax_task &t = s.tl->tasks[id];
		uint64_t start = now_ps();
		s.unit(t.core, true);
		if (t.kind == AX_T_MVM || t.kind == AX_T_IMC_LOAD)
			s.imc(t, true);
		if (s.probe)
			s.probe->begin(t, busy);
		// docs/timing-model.md "Compute tasks" (tasktiming.c); a
		// pipeline's model keeps its own mvm_limitation
		// (docs/timing-model.md "Pipelines of models")
		uint32_t own = s.tl->n_parts ? s.tl->parts[s.tl->core_part[t.core]].mvm_limit_permille : 0;
		// a weight write reads weights, or a dyn_matmul's run-time
		// operand (activations, docs/timing-model.md "Products of two
		// activations"), as its data kind says
		unsigned rk = t.kind == AX_T_IMC_LOAD ? (unsigned)t.data : (unsigned)AX_KIND_ACT;
		sc_time dr = access(l1, tlm::TLM_READ_COMMAND, l1_id, rk, t.l1_read, true, nullptr);
		sc_time dw = access(l1, tlm::TLM_WRITE_COMMAND, l1_id, AX_KIND_ACT, t.l1_write, true, nullptr);
		uint64_t total = ax_compute_task_ps(t.cycles, s.cycle_ps, t.kind == AX_T_MVM, s.mvm_cap_pm, own,
						    dr.value(), dw.value());
		wait(sc_time::from_value(total));
		s.activations++;
		if (s.probe)
			s.probe->end(t, busy);
		s.unit(t.core, false);
		if (t.kind == AX_T_MVM || t.kind == AX_T_IMC_LOAD)
			s.imc(t, false);
		s.finish(id, start, total, engine);
	}
}

} // namespace ax
