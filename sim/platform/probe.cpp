// probe.cpp - the VCD signals of `axsim run --vcd` (probe.h,
// docs/traces.md "VCD").

#include "probe.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

using namespace sc_core;

namespace ax {

Probes::Probes(uint32_t n_cores)
{
	mem_names_.push_back("chip.ddr_bytes");
	mem_names_.push_back("chip.l2_bytes");
	for (uint32_t k = 0; k < n_cores; k++)
		mem_names_.push_back("core" + std::to_string(k) + ".l1_bytes");
	for (const std::string &n : mem_names_) {
		std::string obj = "probe_" + n;
		for (char &c : obj)
			if (c == '.')
				c = '_';
		mem_.emplace_back(new Counter(obj.c_str()));
	}
	bytes_.assign(mem_names_.size(), 0);
}

Probes::~Probes()
{
	if (tf_)
		sc_close_vcd_trace_file(tf_);
	if (out_.tmp)
		ax_out_abandon(&out_);
}

sc_signal<bool> *Probes::busy(const std::string &name)
{
	std::string obj = "probe_" + name;
	for (char &c : obj)
		if (c == '.')
			c = '_';
	busy_.emplace_back(new sc_signal<bool>(obj.c_str()));
	busy_names_.push_back(name);
	return busy_.back().get();
}

void Probes::add(unsigned mem, uint64_t bytes, bool up)
{
	if (mem >= bytes_.size())
		AX_BUG("probe of memory %u of %zu", mem, bytes_.size());
	if (up) {
		bytes_[mem] += bytes;
	} else {
		if (bytes_[mem] < bytes)
			AX_BUG("memory %u: %llu bytes in progress, %llu end", mem,
			       (unsigned long long)bytes_[mem], (unsigned long long)bytes);
		bytes_[mem] -= bytes;
	}
	mem_[mem]->write(bytes_[mem]);
}

// A DMA task counts its bytes at its source and at its destination; a
// compute task its L1 reads and writes.
void Probes::traffic(const ax_task &t, bool up)
{
	if (t.kind == AX_T_DMA) {
		add(t.src == AX_MEM_L1 ? 2 + t.core : unsigned(t.src), t.bytes, up);
		add(t.dst == AX_MEM_L1 ? 2 + t.core : unsigned(t.dst), t.bytes, up);
	} else if (t.l1_read + t.l1_write) {
		add(2 + t.core, t.l1_read + t.l1_write, up);
	}
}

// Every 1024 changes: once the file is past the limit, it is closed where
// it is (SystemC removes a closed trace file from the kernel), so that its
// size is bounded whatever the run's length (docs/traces.md "Size").
void Probes::check_size()
{
	if (!tf_ || !limit_ || ++changes_ % 1024)
		return;
	struct stat st;
	if (stat(out_.tmp, &st) || uint64_t(st.st_size) < limit_)
		return;
	sc_close_vcd_trace_file(tf_);
	tf_ = nullptr;
	cut_ = true;
	if (cut_ps_)
		*cut_ps_ = sc_time_stamp().value();
}

void Probes::begin(const ax_task &t, sc_signal<bool> *b)
{
	if (b)
		b->write(true);
	traffic(t, true);
	check_size();
}

void Probes::end(const ax_task &t, sc_signal<bool> *b)
{
	if (b)
		b->write(false);
	traffic(t, false);
	check_size();
}

int Probes::open(const char *path, uint64_t limit, uint64_t *cut_ps, ax_err *err)
{
	limit_ = limit;
	cut_ps_ = cut_ps;
	if (cut_ps_)
		*cut_ps_ = 0;
	// SystemC terminates the process when it cannot open its file, so
	// the file exists before it opens it
	if (ax_out_begin(&out_, path, ".vcd", err))
		return AX_EIO;
	::close(out_.fd);
	out_.fd = -1;
	base_ = std::string(out_.tmp, std::strlen(out_.tmp) - 4);
	tf_ = sc_create_vcd_trace_file(base_.c_str());
	tf_->set_time_unit(1, SC_PS); // the kernel's resolution: timestamps are exact
	for (size_t i = 0; i < busy_.size(); i++)
		sc_trace(tf_, *busy_[i], busy_names_[i]);
	for (size_t i = 0; i < mem_.size(); i++)
		sc_trace(tf_, *mem_[i], mem_names_[i]);
	return AX_OK;
}

// The header's $date line is the only thing that differs between two runs;
// blank it (same length, in place) so that equal inputs give equal files.
static void blank_date(FILE *f)
{
	char head[256];
	if (std::fseek(f, 0, SEEK_SET))
		return;
	size_t n = std::fread(head, 1, sizeof(head) - 1, f);
	head[n] = '\0';
	const char *d = std::strstr(head, "$date\n");
	if (!d)
		return;
	long from = long(d - head) + 6;
	const char *nl = std::strchr(head + from, '\n');
	if (nl && std::fseek(f, from, SEEK_SET) == 0)
		for (long i = from; i < long(nl - head); i++)
			std::fputc(' ', f);
}

// Drops the file's last line when it is the bare timestamp "#stamp" that
// closing the file writes.
static void drop_stamp(FILE *f, uint64_t stamp)
{
	char want[32], tail[32];
	int n = std::snprintf(want, sizeof(want), "\n#%llu\n", (unsigned long long)stamp);
	if (std::fseek(f, 0, SEEK_END))
		return;
	long size = std::ftell(f);
	if (size < n || std::fseek(f, size - n, SEEK_SET) || std::fread(tail, 1, size_t(n), f) != size_t(n))
		return;
	if (!std::memcmp(tail, want, size_t(n)) && !ftruncate(fileno(f), size - n + 1))
		std::fseek(f, 0, SEEK_SET);
}

int Probes::close(ax_err *err)
{
	if (cut_ && out_.tmp) {
		// stopped at the limit: the file ends where it stopped
		FILE *f = std::fopen(out_.tmp, "r+b");
		if (f) {
			blank_date(f);
			std::fclose(f);
		}
		return ax_out_commit(&out_, err);
	}
	if (!tf_)
		return AX_OK;
	// SystemC records a time step's values when time advances past it,
	// which the last step never does: advance 1 ps with nothing left to
	// run, then drop the "#end + 1" that closing the file writes, so that
	// the file ends at the simulation's end with its final values
	uint64_t end = sc_time_stamp().value();
	sc_start(sc_time::from_value(1));
	sc_close_vcd_trace_file(tf_);
	tf_ = nullptr;
	FILE *f = std::fopen(out_.tmp, "r+b");
	if (!f) {
		ax_err_add(err, "%s: cannot write: %s", out_.path, std::strerror(errno));
		ax_out_abandon(&out_);
		return AX_EIO;
	}
	drop_stamp(f, end + 1);
	blank_date(f);
	if (std::fclose(f)) {
		ax_err_add(err, "%s: cannot write: %s", out_.path, std::strerror(errno));
		ax_out_abandon(&out_);
		return AX_EIO;
	}
	return ax_out_commit(&out_, err);
}

void Probes::abandon()
{
	if (tf_)
		sc_close_vcd_trace_file(tf_);
	tf_ = nullptr;
	if (out_.tmp)
		ax_out_abandon(&out_);
}

} // namespace ax
