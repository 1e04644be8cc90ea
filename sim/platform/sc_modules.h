// sc_modules.h - the platform's SystemC modules and the state they share (C++
// only, behind the extern "C" boundary of platform.h).  Each module is a thin
// shell around the C timing code (memtiming.c, tasktiming.c): it moves
// payloads and waits for what that code returns.
//
//   controller[k] --(descriptors)--> IMC[k] (passes, weight writes), DPU[k],
//                                    DWPU[k], core DMA[k], system DMA
//   DMA/compute --TLM b_transport--> L1[k] | NoC link[k] --> L2, DDR
//
// sc_memory.cpp: memories and NoC links; sc_compute.cpp: compute units;
// sc_dma.cpp: DMA engines; sc_controller.cpp: controllers; platform.cpp: the
// top, which builds and runs them.  docs/timing-model.md "Platform".
#ifndef AX_SC_MODULES_H
#define AX_SC_MODULES_H

#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include <cstdint>
#include <deque>
#include <vector>

extern "C" {
#include "platform.h"
#include "memtiming.h"
#include "tasktiming.h"
}
#include "probe.h"

namespace ax {

using namespace sc_core;

// ---- addresses: which memory and what kind of data a transaction carries ----
// bits 48..55: memory (0 DDR, 1 L2, 2 + k: L1 of core k); bits 56..59: kind.
// bits 0..47: the byte address inside the memory (DDR's address map).
constexpr uint64_t AX_ADDR_MASK = (uint64_t(1) << 48) - 1;
constexpr uint64_t mem_addr(unsigned mem_id, unsigned kind, uint64_t offset = 0)
{
	return (uint64_t(kind) << 56) | (uint64_t(mem_id) << 48) | (offset & AX_ADDR_MASK);
}
constexpr unsigned addr_kind(uint64_t a) { return unsigned((a >> 56) & 0xf); }
constexpr unsigned addr_mem(uint64_t a) { return unsigned((a >> 48) & 0xff); }

// Marks the first access of a transfer, which pays the memory's latency;
// for DDR, also a 2-D transfer's runs (docs/memory.md "DMA"): the access is
// bytes [run_off, run_off + length) of runs of run_bytes every run_stride
// from the address (run_bytes 0: contiguous from the address).
struct FirstExt : tlm::tlm_extension<FirstExt> {
	bool first = false;
	uint64_t run_bytes = 0, run_stride = 0, run_off = 0;
	tlm::tlm_extension_base *clone() const override { auto *e = new FirstExt; *e = *this; return e; }
	void copy_from(const tlm::tlm_extension_base &o) override { *this = static_cast<const FirstExt &>(o); }
};

inline uint64_t now_ps() { return sc_time_stamp().value(); } // resolution is 1 ps

// Offset of a descriptor in its core's DDR tasklist region: later
// inferences fetch the same descriptors again.
inline uint64_t tl_offset(const ax_tasklist *tl, uint64_t off)
{
	return tl->tasklist_bytes ? off % tl->tasklist_bytes : off;
}

// ---- shared simulation state ----
struct Sim {
	const ax_tasklist *tl;
	const ax_arch *a;
	ax_result *res;
	uint64_t cycle_ps;
	std::vector<uint32_t> remaining;        // unmet dependencies per task
	std::vector<uint32_t> dep_start;        // CSR of dependents
	std::vector<uint32_t> dependents;
	std::vector<uint8_t> done;
	size_t n_done = 0;
	// docs/timing-model.md "Simulation kernel": the queue whose head waits
	// for a task's last dependency, woken when it is met (not every queue
	// on every completion)
	std::vector<sc_event *> waiter;
	uint64_t activations = 0;
	// docs/energy.md: activity the energy model counts as tasks finish, and
	// the IMC cap in thousandths (the model's mvm_limitation, lowered by the
	// power limiter when one runs)
	ax_activity act{};
	uint64_t noc_bytes = 0;
	uint32_t mvm_cap_pm = 1000;
	sc_event *all_done = nullptr;   // notified when the last task finishes (the limiter waits on it)
	// recording, only when asked (struct ax_platform_opts); null otherwise
	ax_task_record *rec = nullptr;
	Probes *probe = nullptr;

	// lane: the DMA channel that ran the task (0 on the other units)
	void finish(uint32_t id, uint64_t start, uint64_t busy, ax_engine e, uint32_t lane = 0)
	{
		const ax_task &t = tl->tasks[id];
		done[id] = 1;
		n_done++;
		if (n_done == tl->n_tasks && all_done)
			all_done->notify();
		act.descriptors++;
		switch (t.kind) {
		case AX_T_MVM:
			act.imc_passes += t.passes;
			act.imc_cells += t.imc_cells;
			act.imc_macs += t.macs;
			break;
		case AX_T_IMC_LOAD: act.imc_write_bytes += t.bytes; break;
		case AX_T_DPU: act.dpu_cycles += t.cycles; break;
		case AX_T_DWPU: act.dwpu_cycles += t.cycles; break;
		case AX_T_CTRL: act.setup_cycles += t.cycles; break;
		default: break;
		}
		for (uint32_t i = dep_start[id]; i < dep_start[id + 1]; i++) {
			uint32_t d = dependents[i];
			if (--remaining[d] == 0 && waiter[d]) {
				waiter[d]->notify();
				waiter[d] = nullptr;
			}
		}
		uint64_t end = now_ps();
		if (rec) {
			rec[id].start_ps = start;
			rec[id].end_ps = end;
			rec[id].lane = lane;
		}
		res->busy_ps[t.core][e] += busy;
		// a layer's span covers every copy's first inference; its work
		// figures are copy 0's
		ax_layer_stats &ls = res->layers[t.layer];
		if (t.infer == 0 && (ls.end_ps == 0 || start < ls.start_ps))
			ls.start_ps = start;
		if (t.infer == 0 && end > ls.end_ps)
			ls.end_ps = end;
		if (t.copy == 0 && t.infer == 0) {
			ls.busy_ps[e] += busy;
			ls.macs += t.macs;
			ls.passes += t.passes;
			if (t.kind == AX_T_DMA) {
				ls.dma_read[t.src] += t.bytes;
				ls.dma_write[t.dst] += t.bytes;
			}
		}
		res->macs += t.macs;
		if (t.infer == 0 && end > res->latency_ps)
			res->latency_ps = end;
		if (end > res->infer_end_ps[t.infer])
			res->infer_end_ps[t.infer] = end;
		if (end > res->run_end_ps)
			res->run_end_ps = end;
		if (t.infer == 0 && end > res->core_end_ps[t.core])
			res->core_end_ps[t.core] = end;
		if (tl->n_parts) {
			ax_part_result &pr = res->parts[tl->core_part[t.core]];
			if (t.infer == 0 && end > pr.latency_ps)
				pr.latency_ps = end;
			if (t.infer < pr.inferences && end > pr.infer_end_ps[t.infer])
				pr.infer_end_ps[t.infer] = end;
			if (end > pr.run_end_ps)
				pr.run_end_ps = end;
		}
	}
	bool ready(uint32_t id) const { return remaining[id] == 0; }

	// docs/timing-model.md "Where the time goes": per core, how many of its
	// units are busy and whether its control core is programming an
	// operator; the time with no unit busy goes to one of two stalls
	uint32_t active[AX_MAX_CORES] = { 0 };
	uint32_t setup_layer[AX_MAX_CORES];
	bool setup_on[AX_MAX_CORES] = { false }, setup_copy0[AX_MAX_CORES] = { false };
	uint64_t since[AX_MAX_CORES] = { 0 };
	void account(uint32_t k)
	{
		uint64_t now = now_ps(), dt = now - since[k];
		since[k] = now;
		if (active[k] || !dt)
			return;
		if (setup_on[k]) {
			res->stall_setup_ps[k] += dt;
			if (setup_copy0[k])
				res->layers[setup_layer[k]].setup_stall_ps += dt;
		} else {
			res->stall_wait_ps[k] += dt;
		}
	}
	void unit(uint32_t k, bool on)
	{
		account(k);
		active[k] += on ? 1 : (uint32_t)-1;
	}
	// docs/timing-model.md "Where the time goes": per core, the array's
	// weight writes that ran while it computed no pass (exposed writes)
	uint32_t mvm_on[AX_MAX_CORES] = { 0 }, wload_on[AX_MAX_CORES] = { 0 };
	uint32_t wload_layer[AX_MAX_CORES];
	bool wload_copy0[AX_MAX_CORES] = { false };
	uint64_t imc_since[AX_MAX_CORES] = { 0 };
	void imc(const ax_task &t, bool on)
	{
		uint32_t k = t.core;
		uint64_t now = now_ps(), dt = now - imc_since[k];
		imc_since[k] = now;
		if (wload_on[k] && !mvm_on[k] && wload_copy0[k])
			res->layers[wload_layer[k]].wwrite_stall_ps += dt;
		uint32_t &n = t.kind == AX_T_MVM ? mvm_on[k] : wload_on[k];
		n += on ? 1 : (uint32_t)-1;
		if (t.kind == AX_T_IMC_LOAD && on) {
			wload_layer[k] = t.layer;
			wload_copy0[k] = t.copy == 0 && t.infer == 0;
		}
	}
	void setup(const ax_task &t, bool on)
	{
		account(t.core);
		setup_on[t.core] = on;
		setup_layer[t.core] = t.layer;
		setup_copy0[t.core] = t.copy == 0 && t.infer == 0;
	}
};

// A unit's in-order queue of tasks handed over by a controller.
struct Queue {
	std::deque<uint32_t> q;
	sc_event pushed, head_ready;
	void push(uint32_t id) { q.push_back(id); pushed.notify(); }
	// Waits until the head exists and its dependencies are met; pops it.
	uint32_t take(Sim &s)
	{
		for (;;) {
			while (q.empty()) {
				wait(pushed);
				s.activations++;
			}
			if (s.ready(q.front()))
				break;
			s.waiter[q.front()] = &head_ready;
			wait(head_ready);
			s.activations++;
		}
		uint32_t id = q.front();
		q.pop_front();
		return id;
	}
};

// Issues an access of bytes to a memory through socket, returning its delay.
template <typename Sock>
sc_time access(Sock &sock, tlm::tlm_command cmd, unsigned mem_id, unsigned kind,
	       uint64_t bytes, bool first, unsigned char *buf, uint64_t offset = 0,
	       uint64_t run_bytes = 0, uint64_t run_stride = 0, uint64_t run_off = 0)
{
	sc_time d = SC_ZERO_TIME;
	if (!bytes)
		return d;
	// one payload, reset for every access: b_transport annotates a delay and
	// never waits, so no other access can start while this one is in flight
	// (constructing a payload per access cost about 5% of a run)
	static tlm::tlm_generic_payload tr;
	FirstExt fe;
	fe.first = first;
	fe.run_bytes = run_bytes;
	fe.run_stride = run_stride;
	fe.run_off = run_off;
	tr.set_command(cmd);
	tr.set_address(mem_addr(mem_id, kind, offset));
	tr.set_data_ptr(buf);
	tr.set_data_length(unsigned(bytes));
	tr.set_streaming_width(unsigned(bytes));
	tr.set_byte_enable_ptr(nullptr);
	tr.set_dmi_allowed(false);
	tr.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
	tr.set_extension(&fe);
	sock->b_transport(tr, d);
	tr.clear_extension(&fe);
	if (tr.is_response_error())
		AX_BUG("TLM access to memory %u failed", mem_id);
	return d;
}

// ---- memories (sc_memory.cpp) ----
// Every memory is a TLM target whose b_transport reserves its ports
// (ax_pool_reserve, or the DDR model) and annotates the delay; initiators
// wait for it.
struct Memory : sc_module {
	tlm_utils::multi_passthrough_target_socket<Memory> socket; // many initiators
	ax_port_pool pool;
	ax_ddr *ddr = nullptr;      // DDR: the bank and row model instead of ports
	ax_mem_stats *stats;
	Memory(sc_module_name n, ax_mem_stats *s);
	void b_transport(int, tlm::tlm_generic_payload &tr, sc_time &delay);
	// Debug access in zero time: the model keeps sizes, not contents, so
	// reads return zeros and writes are accepted.
	unsigned transport_dbg(int, tlm::tlm_generic_payload &tr);
};

// ---- a core's NoC link to the shared memories (sc_memory.cpp) ----
struct Link : sc_module {
	tlm_utils::multi_passthrough_target_socket<Link> socket;
	tlm_utils::simple_initiator_socket<Link> to_l2, to_ddr;
	ax_port_pool pool;
	ax_port_pool *aggregate = nullptr; // the NoC's limit, shared by every link
	uint64_t *bytes = nullptr;         // bytes carried by every link, for the energy model
	explicit Link(sc_module_name n);
	void b_transport(int, tlm::tlm_generic_payload &tr, sc_time &delay);
	unsigned transport_dbg(int, tlm::tlm_generic_payload &tr);
};

// ---- compute units: IMC passes, IMC weight writes, DPU, DWPU (sc_compute.cpp) ----
struct Compute : sc_module {
	tlm_utils::simple_initiator_socket<Compute> l1;
	Queue queue;
	Sim &s;
	ax_engine engine;
	unsigned l1_id;
	sc_signal<bool> *busy = nullptr;   // probe (--vcd)
	Compute(sc_module_name n, Sim &sim, ax_engine e, unsigned l1_mem);
	void run();
};

// ---- DMA engines: the system DMA (DDR <-> L2) and one per core (L2/DDR <-> L1) (sc_dma.cpp) ----
struct Dma : sc_module {
	// core DMA: near = its L1, far = its NoC link (L2, DDR);
	// system DMA: near = L2, far = DDR
	tlm_utils::simple_initiator_socket<Dma> near, far;
	// docs/memory.md "DMA": with two or more channels, the first half
	// serves weights and constants, the rest activations, each class in
	// order; with one channel, one queue serves everything in order
	Queue queue[2];
	Sim &s;
	ax_engine engine;
	unsigned l1_id;
	unsigned classes;
	std::vector<sc_signal<bool> *> busy;   // probes per channel (--vcd)
	// per channel: completion times of the chunks in flight, reused task
	// after task (members, since a channel's thread never returns)
	std::vector<std::vector<uint64_t>> in_flight;
	Dma(sc_module_name n, Sim &sim, ax_engine e, unsigned l1_mem, unsigned channels);
	Queue &queue_for(const ax_task &t);
	// bytes at addr + off of memory m; a 2-D transfer's DDR side (run_bytes
	// given) is bytes [off, off + bytes) of its runs from addr
	sc_time move(tlm::tlm_command cmd, ax_mem m, unsigned kind, uint64_t bytes, bool first,
		     uint64_t addr, uint64_t off, uint64_t run_bytes, uint64_t run_stride);
	// One transfer, in the calling thread (a channel, or a controller that
	// reloads its tasklist).  docs/timing-model.md "DMA": setup, then chunks
	// whose read and write overlap; a chunk takes the longer of the two.
	// docs/memory.md "DMA": up to dma.outstanding chunks in flight (done_at
	// holds their completion times); chunk k is issued when chunk
	// k - outstanding has completed.
	void copy(ax_mem src, ax_mem dst, unsigned kind, uint64_t bytes, uint64_t src_addr,
		  uint64_t dst_addr, std::vector<uint64_t> &done_at, uint64_t run_bytes = 0,
		  uint64_t run_stride = 0);
	void channel(unsigned cls, unsigned lane);
};

// ---- controller: fetches descriptors from the tasklist's home, dispatches (sc_controller.cpp) ----
struct Controller : sc_module {
	tlm_utils::simple_initiator_socket<Controller> to_far;  // via the core's link
	Sim &s;
	uint32_t core;
	std::vector<uint32_t> mine;
	Queue *units[AX_T_KIND_COUNT];
	Dma *dma_core, *dma_sys;
	sc_event cfg_free;                 // an operator set-up's dependencies are met
	sc_signal<bool> *busy = nullptr;   // probe (--vcd)
	Controller(sc_module_name n, Sim &sim, uint32_t k);
	void run();
};

} // namespace ax

#endif
