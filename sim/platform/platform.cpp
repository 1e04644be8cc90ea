// platform.cpp - the SystemC platform: thin module shells around the C
// timing code (memtiming.c, lower/compute.c), connected with TLM-2.0.
//
//   controller[k] --(descriptors)--> IMC[k] (passes, weight writes), DPU[k],
//                                    DWPU[k], core DMA[k], system DMA
//   DMA/compute --TLM b_transport--> L1[k] | NoC link[k] --> L2, DDR
//
// Every memory is a TLM target whose b_transport reserves its ports
// (ax_pool_reserve) and annotates the delay; initiators wait for it.  This is
// the extern "C" boundary: no exception crosses ax_platform_run.
// docs/timing-model.md "Platform" describes the modules.

#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <deque>
#include <exception>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "platform.h"
#include "memtiming.h"
}
#include "probe.h"

using namespace sc_core;

// SystemC's library main() calls sc_main; axsim has its own main and drives
// the kernel directly, so this must never run.
int sc_main(int, char **)
{
	AX_BUG("sc_main called: axsim drives SystemC from ax_platform_run");
}

namespace {

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

uint64_t now_ps() { return sc_time_stamp().value(); } // resolution is 1 ps

// Offset of a descriptor in its core's DDR tasklist region: later
// inferences fetch the same descriptors again.
uint64_t tl_offset(const ax_tasklist *tl, uint64_t off)
{
	return tl->tasklist_bytes ? off % tl->tasklist_bytes : off;
}

struct Sim;

// ---- memories ----
struct Memory : sc_module {
	tlm_utils::multi_passthrough_target_socket<Memory> socket; // many initiators
	ax_port_pool pool;
	ax_ddr *ddr = nullptr;      // DDR: the bank and row model instead of ports
	ax_mem_stats *stats;
	Memory(sc_module_name n, ax_mem_stats *s) : sc_module(n), socket("socket"), stats(s)
	{
		socket.register_b_transport(this, &Memory::b_transport);
		socket.register_transport_dbg(this, &Memory::transport_dbg);
	}
	void b_transport(int, tlm::tlm_generic_payload &tr, sc_time &delay)
	{
		uint64_t start = now_ps() + delay.value();
		FirstExt *fe = nullptr;
		tr.get_extension(fe);
		uint64_t bytes = tr.get_data_length();
		bool first = fe && fe->first;
		uint64_t end = !ddr ? ax_pool_reserve(&pool, start, bytes, first)
			       : fe ? ax_ddr_access_2d(ddr, start, tr.get_address() & AX_ADDR_MASK,
						       fe->run_bytes, fe->run_stride, fe->run_off, bytes,
						       tr.is_write(), first)
				    : ax_ddr_access(ddr, start, tr.get_address() & AX_ADDR_MASK, bytes,
						    tr.is_write(), first);
		delay += sc_time::from_value(end - start);
		unsigned k = addr_kind(tr.get_address());
		if (k >= AX_KIND_COUNT)
			AX_BUG("bad data kind %u in address", k);
		if (tr.is_read())
			stats->read[k] += bytes;
		else
			stats->write[k] += bytes;
		stats->busy_ps = ddr ? ddr->st.busy_ps : pool.busy_ps;
		tr.set_response_status(tlm::TLM_OK_RESPONSE);
	}
	// Debug access in zero time: the model keeps sizes, not contents, so
	// reads return zeros and writes are accepted.
	unsigned transport_dbg(int, tlm::tlm_generic_payload &tr)
	{
		if (tr.is_read() && tr.get_data_ptr())
			std::memset(tr.get_data_ptr(), 0, tr.get_data_length());
		tr.set_response_status(tlm::TLM_OK_RESPONSE);
		return tr.get_data_length();
	}
};

// ---- a core's NoC link to the shared memories ----
struct Link : sc_module {
	tlm_utils::multi_passthrough_target_socket<Link> socket;
	tlm_utils::simple_initiator_socket<Link> to_l2, to_ddr;
	ax_port_pool pool;
	ax_port_pool *aggregate = nullptr; // the NoC's limit, shared by every link
	uint64_t *bytes = nullptr;         // bytes carried by every link, for the energy model
	explicit Link(sc_module_name n) : sc_module(n), socket("socket"), to_l2("to_l2"), to_ddr("to_ddr")
	{
		socket.register_b_transport(this, &Link::b_transport);
		socket.register_transport_dbg(this, &Link::transport_dbg);
	}
	void b_transport(int, tlm::tlm_generic_payload &tr, sc_time &delay)
	{
		uint64_t start = now_ps() + delay.value();
		FirstExt *fe = nullptr;
		tr.get_extension(fe);
		uint64_t link_end = ax_pool_reserve(&pool, start, tr.get_data_length(), fe && fe->first);
		*bytes += tr.get_data_length();
		uint64_t agg_end = ax_pool_reserve(aggregate, start, tr.get_data_length(), 0);
		if (agg_end > link_end)
			link_end = agg_end;
		// docs/memory.md "L2, NoC and L1": the first access of a transfer
		// reaches the memory after the link's hop (noc.latency), then pays
		// the memory's own latency; the data streams through both
		uint64_t hop = fe && fe->first ? pool.latency_ps : 0;
		sc_time d = delay + sc_time::from_value(hop);
		(addr_mem(tr.get_address()) == AX_MEM_L2 ? to_l2 : to_ddr)->b_transport(tr, d);
		uint64_t mem_end = start + (d - delay).value();
		delay += sc_time::from_value((link_end > mem_end ? link_end : mem_end) - start);
	}
	unsigned transport_dbg(int, tlm::tlm_generic_payload &tr)
	{
		return (addr_mem(tr.get_address()) == AX_MEM_L2 ? to_l2 : to_ddr)->transport_dbg(tr);
	}
};

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
	ax::Probes *probe = nullptr;

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

// ---- compute units: IMC passes, IMC weight writes, DPU, DWPU ----
struct Compute : sc_module {
	tlm_utils::simple_initiator_socket<Compute> l1;
	Queue queue;
	Sim &s;
	ax_engine engine;
	unsigned l1_id;
	sc_signal<bool> *busy = nullptr;   // probe (--vcd)
	Compute(sc_module_name n, Sim &sim, ax_engine e, unsigned l1_mem)
		: sc_module(n), l1("l1"), s(sim), engine(e), l1_id(l1_mem)
	{
		SC_HAS_PROCESS(Compute);
		SC_THREAD(run);
	}
	void run()
	{
		for (;;) {
			uint32_t id = queue.take(s);
			const ax_task &t = s.tl->tasks[id];
			uint64_t start = now_ps();
			s.unit(t.core, true);
			if (s.probe)
				s.probe->begin(t, busy);
			// docs/timing-model.md "Compute tasks": the work at full rate,
			// IMC passes slowed by mvm_limitation (and the power limiter's
			// cap, docs/energy.md "Limiter"), overlapped with the task's
			// L1 traffic; the longer of the two is the task's time.
			uint64_t ps = t.cycles * s.cycle_ps;
			uint32_t cap = s.mvm_cap_pm;
			// a pipeline's model keeps its own mvm_limitation
			// (docs/timing-model.md "Pipelines of models")
			if (s.tl->n_parts) {
				uint32_t own = s.tl->parts[s.tl->core_part[t.core]].mvm_limit_permille;
				if (own < cap)
					cap = own;
			}
			if (t.kind == AX_T_MVM && cap < 1000)
				ps = (ps * 1000 + cap - 1) / cap;
			// a weight write reads weights, or a dyn_matmul's run-time
			// operand (activations, docs/timing-model.md "Products of two
			// activations"), as its data kind says
			unsigned rk = t.kind == AX_T_IMC_LOAD ? (unsigned)t.data : (unsigned)AX_KIND_ACT;
			sc_time dr = access(l1, tlm::TLM_READ_COMMAND, l1_id, rk, t.l1_read, true, nullptr);
			sc_time dw = access(l1, tlm::TLM_WRITE_COMMAND, l1_id, AX_KIND_ACT, t.l1_write, true, nullptr);
			uint64_t total = ps;
			if (dr.value() > total) total = dr.value();
			if (dw.value() > total) total = dw.value();
			wait(sc_time::from_value(total));
			s.activations++;
			if (s.probe)
				s.probe->end(t, busy);
			s.unit(t.core, false);
			s.finish(id, start, total, engine);
		}
	}
};

// ---- DMA engines: the system DMA (DDR <-> L2) and one per core (L2/DDR <-> L1) ----
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
	Dma(sc_module_name n, Sim &sim, ax_engine e, unsigned l1_mem, unsigned channels)
		: sc_module(n), near("near"), far("far"), s(sim), engine(e), l1_id(l1_mem),
		  classes(channels >= 2 ? 2 : 1), busy(channels, nullptr),
		  in_flight(channels, std::vector<uint64_t>(sim.a->dma_outstanding))
	{
		for (unsigned c = 0; c < channels; c++) {
			unsigned cls = classes == 2 && c >= channels / 2 ? 1 : 0;
			sc_spawn(sc_bind(&Dma::channel, this, cls, c), sc_gen_unique_name("channel"));
		}
	}
	Queue &queue_for(const ax_task &t)
	{
		bool act = t.data == AX_KIND_ACT || t.data == AX_KIND_TASKLIST;
		return queue[classes == 2 && act ? 1 : 0];
	}
	// bytes at addr + off of memory m; a 2-D transfer's DDR side (run_bytes
	// given) is bytes [off, off + bytes) of its runs from addr
	sc_time move(tlm::tlm_command cmd, ax_mem m, unsigned kind, uint64_t bytes, bool first,
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
	// One transfer, in the calling thread (a channel, or a controller that
	// reloads its tasklist).  docs/timing-model.md "DMA": setup, then chunks
	// whose read and write overlap; a chunk takes the longer of the two.
	// docs/memory.md "DMA": up to dma.outstanding chunks in flight (done_at
	// holds their completion times); chunk k is issued when chunk
	// k - outstanding has completed.
	void copy(ax_mem src, ax_mem dst, unsigned kind, uint64_t bytes, uint64_t src_addr,
		  uint64_t dst_addr, std::vector<uint64_t> &done_at, uint64_t run_bytes = 0,
		  uint64_t run_stride = 0)
	{
		wait(sc_time::from_value(s.a->dma_setup_cycles * s.cycle_ps));
		uint64_t left = bytes, off = 0, k = 0, last = now_ps();
		uint64_t n_out = done_at.size();
		std::fill(done_at.begin(), done_at.end(), 0);
		while (left) {
			uint64_t c = left < s.a->dma_chunk ? left : s.a->dma_chunk;
			uint64_t gate = done_at[k % n_out];
			if (gate > now_ps()) {
				wait(sc_time::from_value(gate - now_ps()));
				s.activations++;
			}
			bool first = k == 0;
			sc_time dr = move(tlm::TLM_READ_COMMAND, src, kind, c, first, src_addr, off,
					  run_bytes, run_stride);
			sc_time dw = move(tlm::TLM_WRITE_COMMAND, dst, kind, c, first, dst_addr, off,
					  run_bytes, run_stride);
			uint64_t end = now_ps() + (dr > dw ? dr : dw).value();
			done_at[k % n_out] = end;
			if (end > last)
				last = end;
			left -= c;
			off += c;
			k++;
		}
		if (last > now_ps()) {
			wait(sc_time::from_value(last - now_ps()));
			s.activations++;
		}
	}
	void channel(unsigned cls, unsigned lane)
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
};

// ---- controller: fetches descriptors from the tasklist's home, dispatches ----
struct Controller : sc_module {
	tlm_utils::simple_initiator_socket<Controller> to_far;  // via the core's link
	Sim &s;
	uint32_t core;
	std::vector<uint32_t> mine;
	Queue *units[AX_T_KIND_COUNT];
	Dma *dma_core, *dma_sys;
	sc_event cfg_free;                 // an operator set-up's dependencies are met
	sc_signal<bool> *busy = nullptr;   // probe (--vcd)
	Controller(sc_module_name n, Sim &sim, uint32_t k)
		: sc_module(n), to_far("to_far"), s(sim), core(k)
	{
		SC_HAS_PROCESS(Controller);
		SC_THREAD(run);
	}
	void run()
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
};

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
		ax_pool_init(&noc_aggregate, 1, a->noc_aggregate_bpc * hz, 0);
		l2.reset(new Memory("l2", &res->mem[AX_MEM_L2]));
		ax_pool_init(&l2->pool, uint32_t(a->l2_ports), a->l2_port_bpc * hz, a->l2_latency_cycles * sim.cycle_ps);
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
			ax_pool_init(&l1.back()->pool, uint32_t(a->l1_ports), a->l1_port_bpc * hz,
				     a->l1_latency_cycles * sim.cycle_ps);
			links.emplace_back(new Link((c + "_noc").c_str()));
			ax_pool_init(&links.back()->pool, 1, a->noc_link_bpc * hz, a->noc_latency_cycles * sim.cycle_ps);
			links.back()->aggregate = &noc_aggregate;
			links.back()->bytes = &sim.noc_bytes;
			links.back()->to_l2.bind(l2->socket);
			links.back()->to_ddr.bind(ddr->socket);
			unsigned l1id = 2 + k;
			static const ax_engine eng[] = { AX_E_IMC_MVM, AX_E_IMC_LOAD, AX_E_DPU, AX_E_DWPU };
			static const char *const names[] = { "imc", "imc_load", "dpu", "dwpu" };
			Compute *cu[4];
			for (int u = 0; u < 4; u++) {
				computes.emplace_back(new Compute((c + "_" + names[u]).c_str(), sim, eng[u], l1id));
				computes.back()->l1.bind(l1.back()->socket);
				cu[u] = computes.back().get();
			}
			uint32_t chans = tl->n_parts ? tl->parts[tl->core_part[k]].dma_core_channels : tl->dma_core_channels;
			dmas.emplace_back(new Dma((c + "_dma").c_str(), sim, AX_E_DMA_CORE, l1id, chans));
			Dma *dm = dmas.back().get();
			dm->near.bind(l1.back()->socket);
			dm->far.bind(links.back()->socket);
			ctrls.emplace_back(new Controller((c + "_ctrl").c_str(), sim, k));
			Controller *ct = ctrls.back().get();
			ct->to_far.bind(links.back()->socket);
			ct->units[AX_T_DMA] = nullptr;
			ct->units[AX_T_MVM] = &cu[0]->queue;
			ct->units[AX_T_IMC_LOAD] = &cu[1]->queue;
			ct->units[AX_T_DPU] = &cu[2]->queue;
			ct->units[AX_T_DWPU] = &cu[3]->queue;
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
		static const char *const names[] = { "imc", "imc_load", "dpu", "dwpu" };
		for (size_t k = 0; k < ctrls.size(); k++) {
			std::string c = "core" + std::to_string(k) + ".";
			ctrls[k]->busy = p->busy(c + "controller");
			for (int u = 0; u < 4; u++)
				computes[4 * k + u]->busy = p->busy(c + names[u]);
			for (size_t ch = 0; ch < dmas[k]->busy.size(); ch++)
				dmas[k]->busy[ch] = p->busy(c + "dma" + std::to_string(ch));
		}
		for (size_t ch = 0; ch < sysdma->busy.size(); ch++)
			sysdma->busy[ch] = p->busy("chip.sys_dma" + std::to_string(ch));
	}
};

} // namespace

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

