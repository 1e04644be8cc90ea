// sc_memory.cpp - the memories (L1 of each core, L2, DDR) and each core's
// NoC link to L2 and DDR, as TLM-2.0 targets: b_transport reserves ports
// (memtiming.c) or the DDR's banks, a link combines its port, the NoC's
// aggregate and the memory behind (tasktiming.c); transport_dbg answers in
// zero time.
#include "sc_modules.h"

namespace ax {

Memory::Memory(sc_module_name n, ax_mem_stats *s) : sc_module(n), socket("socket"), stats(s)
{
	socket.register_b_transport(this, &Memory::b_transport);
	socket.register_transport_dbg(this, &Memory::transport_dbg);
}

void Memory::b_transport(int, tlm::tlm_generic_payload &tr, sc_time &delay)
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

unsigned Memory::transport_dbg(int, tlm::tlm_generic_payload &tr)
{
	if (tr.is_read() && tr.get_data_ptr())
		std::memset(tr.get_data_ptr(), 0, tr.get_data_length());
	tr.set_response_status(tlm::TLM_OK_RESPONSE);
	return tr.get_data_length();
}
Link::Link(sc_module_name n) : sc_module(n), socket("socket"), to_l2("to_l2"), to_ddr("to_ddr")
{
	socket.register_b_transport(this, &Link::b_transport);
	socket.register_transport_dbg(this, &Link::transport_dbg);
}

void Link::b_transport(int, tlm::tlm_generic_payload &tr, sc_time &delay)
{
	uint64_t start = now_ps() + delay.value();
	FirstExt *fe = nullptr;
	tr.get_extension(fe);
	uint64_t mem_at;
	uint64_t link_end = ax_link_reserve(&pool, aggregate, start, tr.get_data_length(), fe && fe->first,
					    &mem_at);
	*bytes += tr.get_data_length();
	sc_time d = delay + sc_time::from_value(mem_at - start);
	(addr_mem(tr.get_address()) == AX_MEM_L2 ? to_l2 : to_ddr)->b_transport(tr, d);
	uint64_t mem_end = start + (d - delay).value();
	delay += sc_time::from_value(ax_link_end(link_end, mem_end) - start);
}

unsigned Link::transport_dbg(int, tlm::tlm_generic_payload &tr)
{
	return (addr_mem(tr.get_address()) == AX_MEM_L2 ? to_l2 : to_ddr)->transport_dbg(tr);
}

} // namespace ax
