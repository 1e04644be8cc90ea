// platform.cpp - the top of the SystemC platform: builds the modules of
// sc_modules.h for a tasklist and a hardware description, connects them with
// TLM-2.0, runs the kernel and fills struct ax_result.  This is the extern "C"
// boundary: no exception crosses ax_platform_run.  docs/timing-model.md
// "Platform" describes the modules.

#include "sc_modules.h"

#include <cstdlib>
#include <cstring>
#include <exception>
#include <memory>
#include <string>

using namespace sc_core;

// SystemC's library main() calls sc_main; axsim has its own main and drives
// the kernel directly, so this must never run.
int sc_main(int, char **)
{
	AX_BUG("sc_main called: axsim drives SystemC from ax_platform_run");
}

namespace ax {

struct Platform {
	Sim sim;
	std::unique_ptr<Memory> ddr, l2;
	std::vector<std::unique_ptr<Memory>> l1;
	std::vector<std::unique_ptr<Link>> links;
	std::vector<std::unique_ptr<Compute>> computes;
	std::vector<std::unique_ptr<Dma>> dmas;
	std::unique_ptr<Dma> sysdma;
	std::vector<std::unique_ptr<Controller>> ctrls;

	Platform(const ax_tasklist *tl, const ax_arch *a, ax_result *res)
	{
		sim.tl = tl;
		sim.a = a;
		sim.res = res;
		sim.cycle_ps = ax_arch_cycle_ps(a, tl->clock_hz);
		uint64_t hz = tl->clock_hz;
		size_t n = tl->n_tasks;
		// dependency graph, reversed into CSR form
		sim.remaining.assign(n, 0);
		sim.done.assign(n, 0);
		sim.waiter.assign(n, nullptr);
		sim.dep_start.assign(n + 1, 0);
		for (size_t i = 0; i < n; i++) {
			const ax_task &t = tl->tasks[i];
			sim.remaining[i] = t.n_deps;
			for (uint32_t d = 0; d < t.n_deps; d++)
				sim.dep_start[tl->deps[t.dep_off + d] + 1]++;
		}
		for (size_t i = 0; i < n; i++)
			sim.dep_start[i + 1] += sim.dep_start[i];
		sim.dependents.assign(sim.dep_start[n], 0);
		std::vector<uint32_t> fill(sim.dep_start.begin(), sim.dep_start.end() - 1);
		for (size_t i = 0; i < n; i++) {
			const ax_task &t = tl->tasks[i];
			for (uint32_t d = 0; d < t.n_deps; d++)
				sim.dependents[fill[tl->deps[t.dep_off + d]]++] = uint32_t(i);
		}

		// memories (docs/timing-model.md "Memories and contention")
		uint64_t ddr_ch = a->ddr_channels;
		ddr.reset(new Memory("ddr", &res->mem[AX_MEM_DDR]));
		ax_ddr_params dp{};
		ax_ddr_params_from_arch(&dp, a);
		ax_ddr_init(&ddr_model, &dp);
		ddr->ddr = &ddr_model;
		ax_pool_init_from_arch(&noc_aggregate, AX_POOL_NOC_AGGREGATE, a, hz);
		l2.reset(new Memory("l2", &res->mem[AX_MEM_L2]));
		ax_pool_init_from_arch(&l2->pool, AX_POOL_L2, a, hz);
		res->mem[AX_MEM_DDR].ports = uint32_t(ddr_ch);
		res->mem[AX_MEM_L2].ports = uint32_t(a->l2_ports);
		res->mem[AX_MEM_L1].ports = uint32_t(a->l1_ports * tl->n_cores);
		res->dma_core_channels = tl->dma_core_channels;
		res->dma_sys_channels = tl->dma_sys_channels;

		sysdma.reset(new Dma("sysdma", sim, AX_E_DMA_SYS, 0, tl->dma_sys_channels));
		sysdma->near.bind(l2->socket);
		sysdma->far.bind(ddr->socket);

		for (uint32_t k = 0; k < tl->n_cores; k++) {
			std::string c = "core" + std::to_string(k);
			// every core's L1 adds to the same L1 statistics
			l1.emplace_back(new Memory((c + "_l1").c_str(), &l1_stats));
			ax_pool_init_from_arch(&l1.back()->pool, AX_POOL_L1, a, hz);
			links.emplace_back(new Link((c + "_noc").c_str()));
			ax_pool_init_from_arch(&links.back()->pool, AX_POOL_NOC_LINK, a, hz);
			links.back()->aggregate = &noc_aggregate;
			links.back()->bytes = &sim.noc_bytes;
			links.back()->to_l2.bind(l2->socket);
			links.back()->to_ddr.bind(ddr->socket);
			unsigned l1id = 2 + k;
			// a module per compute unit of the table of hardware units
			std::vector<Compute *> cu;
			for (int e = 0; e < AX_E_COUNT; e++) {
				const ax_engine_info *u = ax_engine_lookup(ax_engine(e));
				if (!u->compute)
					continue;
				computes.emplace_back(new Compute((c + "_" + u->name).c_str(), sim, ax_engine(e), l1id));
				computes.back()->l1.bind(l1.back()->socket);
				cu.push_back(computes.back().get());
			}
			uint32_t chans = tl->n_parts ? tl->parts[tl->core_part[k]].dma_core_channels : tl->dma_core_channels;
			dmas.emplace_back(new Dma((c + "_dma").c_str(), sim, AX_E_DMA_CORE, l1id, chans));
			Dma *dm = dmas.back().get();
			dm->near.bind(l1.back()->socket);
			dm->far.bind(links.back()->socket);
			ctrls.emplace_back(new Controller((c + "_ctrl").c_str(), sim, k));
			Controller *ct = ctrls.back().get();
			ct->to_far.bind(links.back()->socket);
			for (int kind = 0; kind < AX_T_KIND_COUNT; kind++)
				ct->units[kind] = nullptr;
			for (Compute *u : cu)
				ct->units[ax_engine_lookup(u->engine)->kind] = &u->queue;
			ct->dma_core = dm;
			ct->dma_sys = sysdma.get();
		}
		for (size_t i = 0; i < n; i++)
			ctrls[tl->tasks[i].core]->mine.push_back(uint32_t(i));
		sim.mvm_cap_pm = tl->mvm_limit_permille;
		// docs/energy.md "Limiter": only with a limit, so that a run
		// without one is simulated exactly as before
		ax_limiter_init(&limiter, a, a->pw_limit_uw, sim.mvm_cap_pm);
		if (a->pw_limit_uw) {
			sim.all_done = &limiter_done;
			sc_spawn(sc_bind(&Platform::limit, this), "power_limiter");
		}
	}
	ax_limiter limiter{};
	sc_event limiter_done;

	// The activity counted so far (docs/energy.md "Equations").
	void activity(ax_activity *out) const
	{
		*out = sim.act;
		out->macs = sim.res->macs;
		const ax_mem_stats *m = sim.res->mem;
		for (int k = 0; k < AX_KIND_COUNT; k++) {
			out->l1_bytes += l1_stats.read[k] + l1_stats.write[k];
			out->l2_bytes += m[AX_MEM_L2].read[k] + m[AX_MEM_L2].write[k];
			out->ddr_bytes += m[AX_MEM_DDR].read[k] + m[AX_MEM_DDR].write[k];
		}
		out->noc_bytes = sim.noc_bytes;
		out->ddr_activates = ddr_model.st.misses + ddr_model.st.conflicts;
		out->ddr_refreshes = ddr_model.st.refreshes;
	}

	// docs/energy.md "Limiter": the card's closed loop.  Every period, the
	// energy so far (plain C: ax_energy_compute) gives the window's average
	// power, and ax_limiter_step the new IMC cap.  Ends with the run, or
	// when nothing else is left to happen (a stalled run stays stalled).
	void limit()
	{
		for (;;) {
			wait(sc_time::from_value(limiter.period_ps), limiter_done);
			if (sim.n_done == sim.tl->n_tasks || !sc_pending_activity())
				return;
			ax_activity act;
			activity(&act);
			ax_energy e;
			ax_energy_compute(sim.a, sim.tl->clock_hz, sim.tl->n_cores, &act, now_ps(), &e);
			sim.mvm_cap_pm = ax_limiter_step(&limiter, e.total_j, now_ps());
		}
	}
	ax_mem_stats l1_stats{};
	ax_ddr ddr_model{};
	ax_port_pool noc_aggregate{};

	// Gives every unit its busy signal (docs/traces.md "VCD"), in the
	// order they appear in the VCD.
	void attach(ax::Probes *p)
	{
		sim.probe = p;
		size_t per_core = ctrls.empty() ? 0 : computes.size() / ctrls.size();
		for (size_t k = 0; k < ctrls.size(); k++) {
			std::string c = "core" + std::to_string(k) + ".";
			ctrls[k]->busy = p->busy(c + ax_engine_name(AX_E_CTRL));
			for (size_t u = 0; u < per_core; u++) {
				Compute *cu = computes[per_core * k + u].get();
				cu->busy = p->busy(c + ax_engine_name(cu->engine));
			}
			for (size_t ch = 0; ch < dmas[k]->busy.size(); ch++)
				dmas[k]->busy[ch] = p->busy(c + "dma" + std::to_string(ch));
		}
		for (size_t ch = 0; ch < sysdma->busy.size(); ch++)
			sysdma->busy[ch] = p->busy("chip.sys_dma" + std::to_string(ch));
	}
};

} // namespace ax

using ax::Platform;

extern "C" int ax_platform_run(const ax_tasklist *tl, const ax_arch *a, ax_result *res,
			       ax_err *err)
{
	return ax_platform_run_opts(tl, a, nullptr, res, err);
}

extern "C" int ax_platform_run_opts(const ax_tasklist *tl, const ax_arch *a,
				    const ax_platform_opts *opts, ax_result *res, ax_err *err)
{
	ax::Probes *probes = nullptr;
	static bool ran = false;
	if (ran)
		AX_BUG("ax_platform_run called twice in one process; SystemC cannot restart");
	ran = true;
	std::memset(res, 0, sizeof(*res));
	if (tl->n_cores > AX_MAX_CORES || !tl->n_cores)
		AX_BUG("bad core count: %u", tl->n_cores);
	if (!tl->dma_sys_channels || !tl->dma_core_channels || !tl->clock_hz)
		AX_BUG("tasklist without DMA channels or clock");
	res->n_layers = tl->n_layers;
	res->layers = static_cast<ax_layer_stats *>(ax_xcalloc(tl->n_layers ? tl->n_layers : 1, sizeof(ax_layer_stats)));
	res->n_cores = tl->n_cores;
	res->tasks = tl->n_tasks;
	res->inferences = tl->inferences ? tl->inferences : 1;
	res->infer_end_ps = static_cast<uint64_t *>(ax_xcalloc(res->inferences, sizeof(uint64_t)));
	if (tl->n_parts) {
		res->n_parts = tl->n_parts;
		res->parts = static_cast<ax_part_result *>(ax_xcalloc(tl->n_parts, sizeof(ax_part_result)));
		for (uint32_t p = 0; p < tl->n_parts; p++) {
			uint32_t n = tl->parts[p].inferences ? tl->parts[p].inferences : 1;
			res->parts[p].inferences = n;
			res->parts[p].infer_end_ps = static_cast<uint64_t *>(ax_xcalloc(n, sizeof(uint64_t)));
		}
	}
	if (opts && opts->record_tasks)
		res->records = static_cast<ax_task_record *>(ax_xcalloc(tl->n_tasks ? tl->n_tasks : 1,
									  sizeof(ax_task_record)));
	try {
		sc_report_handler::set_actions(SC_INFO, SC_DO_NOTHING);
		sc_report_handler::set_actions(SC_WARNING, SC_DO_NOTHING);
		sc_set_time_resolution(1, SC_PS);
		Platform *p = new Platform(tl, a, res);
		res->cycle_ps = p->sim.cycle_ps;
		p->sim.rec = res->records;
		if (opts && opts->vcd_path) {
			probes = new ax::Probes(tl->n_cores);
			p->attach(probes);
			if (probes->open(opts->vcd_path, opts->vcd_limit_bytes, opts->vcd_cut_ps, err))
				return AX_EIO;
		}
		sc_start();
		if (p->sim.n_done != tl->n_tasks) {
			for (size_t i = 0; i < tl->n_tasks; i++)
				if (!p->sim.done[i])
					AX_BUG("simulation stalled: %zu of %zu tasks done; task %zu (kind %d, core %u, layer %u) has %u unmet dependencies",
					       p->sim.n_done, tl->n_tasks, i, int(tl->tasks[i].kind),
					       tl->tasks[i].core, tl->tasks[i].layer, p->sim.remaining[i]);
		}
		res->mem[AX_MEM_L1] = p->l1_stats;
		res->mem[AX_MEM_L1].ports = uint32_t(a->l1_ports * tl->n_cores);
		res->mem[AX_MEM_L1].busy_ps = 0;
		for (auto &m : p->l1)
			res->mem[AX_MEM_L1].busy_ps += m->pool.busy_ps;
		res->ddr_row_hits = p->ddr_model.st.hits;
		res->ddr_row_misses = p->ddr_model.st.misses;
		res->ddr_row_conflicts = p->ddr_model.st.conflicts;
		res->ddr_refreshes = p->ddr_model.st.refreshes;
		res->ddr_turnarounds = p->ddr_model.st.turnarounds;
		res->noc_busy_ps = p->noc_aggregate.busy_ps;
		p->activity(&res->act);
		ax_limiter_finish(&p->limiter, res->run_end_ps);
		res->power_limit_uw = a->pw_limit_uw;
		res->throttled_ps = p->limiter.throttled_ps;
		res->min_cap_pm = p->limiter.min_cap_pm;
		res->limiter_windows = p->limiter.windows;
		res->limiter_windows_over = p->limiter.windows_over;
		res->sc_deltas = sc_delta_count();
		res->activations = p->sim.activations;
		if (probes && probes->close(err))
			return AX_EIO;
		// The platform is deliberately not deleted: SystemC modules must
		// outlive the kernel, which lives until the process ends.
		return AX_OK;
	} catch (const sc_report &r) {
		ax_err_add(err, "SystemC error: %s", r.what());
	} catch (const std::exception &e) {
		ax_err_add(err, "simulation error: %s", e.what());
	} catch (...) {
		ax_err_add(err, "simulation error: unknown exception");
	}
	if (probes)
		probes->abandon();
	return AX_EINPUT;
}

