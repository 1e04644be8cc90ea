// probe.h - optional SystemC signals that show the platform's activity in a
// VCD file for GTKWave (docs/traces.md "VCD"): one bool per unit, true while
// it runs a task, and one integer per memory, the bytes of the tasks in
// progress that read or write it.  Built only for `axsim run --vcd`; the
// modules hold null pointers otherwise, so the fast path pays one test.
// C++ only: used by the modules of sc_modules.h, behind the extern "C" boundary.
#ifndef AX_PROBE_H
#define AX_PROBE_H

#include <systemc>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

extern "C" {
#include "../common/err.h"
#include "../common/output.h"
#include "../lower/tasklist.h"
}

namespace ax {

class Probes {
public:
	// Memory signals: DDR, L2 and the L1 of each of n_cores cores.
	explicit Probes(uint32_t n_cores);
	~Probes();
	// A new busy signal, traced as name ("core0.dpu": scope core0, variable dpu).
	sc_core::sc_signal<bool> *busy(const std::string &name);
	// Task t starts or ends on the unit whose busy signal is b: sets b and
	// adds or removes t's bytes from the memories it touches.
	void begin(const ax_task &t, sc_core::sc_signal<bool> *b);
	void end(const ax_task &t, sc_core::sc_signal<bool> *b);
	// Creates the VCD file (a temporary output, common/output.h) and traces every
	// signal; call after the last busy() and before sc_start.  Once the file
	// is about limit bytes (0: never) tracing stops and *cut_ps (when not
	// null) gets the simulated time it stopped at.  AX_EIO and a message
	// when the file cannot be created.
	int open(const char *path, uint64_t limit, uint64_t *cut_ps, ax_err *err);
	// Closes the file after the simulation and commits it to path.
	int close(ax_err *err);
	// Removes the temporary file after a failed simulation.
	void abandon();

private:
	typedef sc_core::sc_signal<uint64_t, sc_core::SC_UNCHECKED_WRITERS> Counter;
	void traffic(const ax_task &t, bool add);
	void check_size();
	void add(unsigned mem, uint64_t bytes, bool add);
	std::vector<std::unique_ptr<sc_core::sc_signal<bool>>> busy_;
	std::vector<std::string> busy_names_;
	// the bytes per memory (0 DDR, 1 L2, 2 + k L1 of core k): several
	// channels may change one in the same delta cycle, so the count lives
	// here and the signal only shows it
	std::vector<std::unique_ptr<Counter>> mem_;
	std::vector<std::string> mem_names_;
	std::vector<uint64_t> bytes_;
	sc_core::sc_trace_file *tf_ = nullptr;
	ax_out out_ = { nullptr, nullptr, nullptr, -1, 0 };
	std::string base_;         // out_.tmp without ".vcd", which SystemC appends
	uint64_t limit_ = 0, *cut_ps_ = nullptr, changes_ = 0;
	bool cut_ = false;         // tracing stopped at the size limit
};

} // namespace ax

#endif
