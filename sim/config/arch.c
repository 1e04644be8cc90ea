#include "arch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/ydoc.h"

extern const char ax_metis_yaml[];
extern const unsigned long ax_metis_yaml_len;

#define OFF(f) offsetof(struct ax_arch, f)
#define KI 1024ull
#define MI (1024ull * 1024ull)
#define GI (1024ull * 1024ull * 1024ull)

/* The one table of hardware parameters.  Bounds are sanity limits that keep
 * the arithmetic of the timing model exact (no overflow, no division by zero),
 * not claims about what hardware could be built. */
static const struct ax_arch_key keys[] = {
	{ "chip.cores", AX_U_COUNT, OFF(chip_cores), 1, 64, "AI cores on the chip" },
	{ "chip.clock", AX_U_HZ, OFF(chip_clock_hz), 1000000, 5000000000ull, "core clock (the model's clock_profile overrides it)" },
	{ "imc.rows", AX_U_COUNT, OFF(imc_rows), 32, 8192, "inputs (rows) of the in-memory-compute array" },
	{ "imc.cols", AX_U_COUNT, OFF(imc_cols), 32, 8192, "outputs (columns) of the array" },
	{ "imc.banks", AX_U_COUNT, OFF(imc_banks), 1, 1024, "banks; a bank's columns are the output gating granularity" },
	{ "imc.weight_sets", AX_U_COUNT, OFF(imc_weight_sets), 1, 64, "weight sets per bank; one is written while another computes" },
	{ "imc.row_block", AX_U_COUNT, OFF(imc_row_block), 1, 8192, "input gating granularity in rows" },
	{ "imc.cycles_per_pass", AX_U_CYCLES, OFF(imc_cycles_per_pass), 1, 64, "cycles of one matrix-vector pass (bit-serial activations)" },
	{ "imc.results_per_cycle", AX_U_COUNT, OFF(imc_results_per_cycle), 1, 8192, "results per cycle from the array to the vector unit" },
	{ "imc.result_size", AX_U_BYTES, OFF(imc_result_bytes), 1, 16, "bytes of one accumulated result: partial sums kept in L1 between row tiles" },
	{ "imc.weight_write_bw", AX_U_BPC, OFF(imc_weight_write_bpc), 1, 65536, "rate at which weights are written into a weight set" },
	{ "imc.pword", AX_U_COUNT, OFF(imc_pword), 1, 64, "input channels of an IMC layer are padded to a multiple of this hardware word" },
	{ "imc.position_align", AX_U_COUNT, OFF(imc_position_align), 1, 8192, "array rows one kernel position's input channels start on: the channels of each window position take whole blocks of this many rows, or a power-of-two fraction of one when fewer (1: packed)" },
	{ "imc.icr_max_factor", AX_U_COUNT, OFF(imc_icr_max_factor), 1, 64, "largest in-core replication factor (output pixels per pass)" },
	{ "dpu.throughput", AX_U_COUNT, OFF(dpu_elems_per_cycle), 1, 65536, "DPU elements per cycle (requantisation, activation, element-wise ops)" },
	{ "dpu.lut_throughput", AX_U_COUNT, OFF(dpu_lut_elems_per_cycle), 1, 65536, "DPU elements per cycle through an activation lookup table (SiLU, sigmoid, hard-swish, leaky ReLU, GELU, softmax's exponent)" },
	{ "dpu.mac_throughput", AX_U_COUNT, OFF(dpu_macs_per_cycle), 1, 65536, "DPU int8 multiply-accumulates per cycle of a product of two activations run on the vector unit (dyn_matmul.unit dpu)" },
	{ "dpu.const_bytes_per_channel", AX_U_BYTES, OFF(dpu_const_bytes_per_channel), 1, 1024, "bytes of per-channel requantisation constants (hybrid per-channel quantisation)" },
	{ "dwpu.mac_throughput", AX_U_COUNT, OFF(dwpu_macs_per_cycle), 1, 65536, "DWPU MACs per cycle (depthwise convolution)" },
	{ "dwpu.elem_throughput", AX_U_COUNT, OFF(dwpu_elems_per_cycle), 1, 65536, "DWPU elements per cycle (pooling, resize)" },
	{ "dyn_matmul.unit", AX_U_MATMUL_UNIT, OFF(dyn_matmul_unit), 0, 1, "unit that computes a product of two activations (dyn_matmul: attention's Q x K^T and scores x V): imc (its second operand written into a weight set at run time) or dpu (at dpu.mac_throughput)" },
	{ "unit.start_latency", AX_U_CYCLES, OFF(unit_start_cycles), 0, 100000, "pipeline fill of a compute unit when it starts a task" },
	{ "l1.size", AX_U_BYTES, OFF(l1_size), 64 * KI, 1024 * MI, "L1 SRAM per core" },
	{ "l1.reserved", AX_U_BYTES, OFF(l1_reserved), 0, 1024 * MI, "L1 bytes the compiler reserves" },
	{ "l1.ports", AX_U_COUNT, OFF(l1_ports), 1, 64, "independent L1 ports per core" },
	{ "l1.port_bw", AX_U_BPC, OFF(l1_port_bpc), 1, 65536, "bandwidth of one L1 port" },
	{ "l1.latency", AX_U_CYCLES, OFF(l1_latency_cycles), 0, 100000, "L1 access latency" },
	{ "l2.size", AX_U_BYTES, OFF(l2_size), 1 * MI, 64 * GI, "shared L2 SRAM" },
	{ "l2.reserved", AX_U_BYTES, OFF(l2_reserved), 0, 64 * GI, "L2 bytes the compiler reserves" },
	{ "l2.tasklist_reserve", AX_U_BYTES, OFF(l2_tasklist_reserve), 0, 64 * GI, "L2 held per core for the tasklist when the ELF is not in DDR and the model sets no reserve" },
	{ "l2.ports", AX_U_COUNT, OFF(l2_ports), 1, 256, "independent L2 ports" },
	{ "l2.port_bw", AX_U_BPC, OFF(l2_port_bpc), 1, 65536, "bandwidth of one L2 port" },
	{ "l2.latency", AX_U_CYCLES, OFF(l2_latency_cycles), 0, 100000, "L2 access latency" },
	{ "l2.page_size", AX_U_BYTES, OFF(l2_page_bytes), 256, 64 * MI, "page of a buffer placed in L2 with page_memory" },
	{ "noc.link_bw", AX_U_BPC, OFF(noc_link_bpc), 1, 65536, "bandwidth of one core's NoC link to the shared memories" },
	{ "noc.aggregate_bw", AX_U_BPC, OFF(noc_aggregate_bpc), 1, 1048576, "bandwidth of the NoC to the shared memories, all cores together" },
	{ "noc.latency", AX_U_CYCLES, OFF(noc_latency_cycles), 0, 100000, "NoC traversal latency" },
	{ "ddr.size", AX_U_BYTES, OFF(ddr_size), 1 * MI, 1024 * GI, "DDR available to the network" },
	{ "ddr.reserved", AX_U_BYTES, OFF(ddr_reserved), 0, 1024 * GI, "DDR bytes the compiler reserves" },
	{ "ddr.channels", AX_U_COUNT, OFF(ddr_channels), 1, 64, "independent DDR channels (addresses interleave across them)" },
	{ "ddr.bus_width", AX_U_BITS, OFF(ddr_bus_bits), 8, 4096, "total DDR data bus width over all channels" },
	{ "ddr.data_rate", AX_U_TPS, OFF(ddr_rate_tps), 1000000, 100000000000ull, "DDR transfers per second per data pin" },
	{ "ddr.latency", AX_U_PS, OFF(ddr_latency_ps), 0, 100000000, "DDR controller and PHY latency, paid once per transfer" },
	{ "ddr.banks", AX_U_COUNT, OFF(ddr_banks), 1, 64, "banks per channel, each with one open row" },
	{ "ddr.row_size", AX_U_BYTES, OFF(ddr_row_bytes), 64, 1 * MI, "row (page) of one bank of one channel" },
	{ "ddr.interleave", AX_U_BYTES, OFF(ddr_interleave), 32, 1 * MI, "consecutive bytes on one channel before the next channel" },
	{ "ddr.burst_length", AX_U_COUNT, OFF(ddr_burst_length), 1, 256, "beats of one burst (bytes per burst = beats x channel width)" },
	{ "ddr.t_rcd", AX_U_PS, OFF(ddr_t_rcd_ps), 0, 10000000, "activate to column command (row miss)" },
	{ "ddr.t_rrd", AX_U_PS, OFF(ddr_t_rrd_ps), 0, 10000000, "activate to activate on different banks of one channel" },
	{ "ddr.t_faw", AX_U_PS, OFF(ddr_t_faw_ps), 0, 100000000, "four-activate window: at most four activates of one channel in it" },
	{ "ddr.t_rp", AX_U_PS, OFF(ddr_t_rp_ps), 0, 10000000, "precharge (row conflict, on top of tRCD)" },
	{ "ddr.t_cl", AX_U_PS, OFF(ddr_t_cl_ps), 0, 10000000, "read latency from column command to data" },
	{ "ddr.t_wtr", AX_U_PS, OFF(ddr_t_wtr_ps), 0, 10000000, "write to read turnaround on a channel" },
	{ "ddr.t_rtw", AX_U_PS, OFF(ddr_t_rtw_ps), 0, 10000000, "read to write turnaround on a channel" },
	{ "ddr.t_rfc", AX_U_PS, OFF(ddr_t_rfc_ps), 0, 100000000, "all-bank refresh: the channel is blocked this long" },
	{ "ddr.t_refi", AX_U_PS, OFF(ddr_t_refi_ps), 1000, 1000000000, "interval between refreshes" },
	{ "ddr.t_wl", AX_U_PS, OFF(ddr_t_wl_ps), 0, 10000000, "write latency WL: write command to its data on the bus" },
	{ "ddr.t_wr", AX_U_PS, OFF(ddr_t_wr_ps), 0, 10000000, "write recovery: end of write data to precharge of that bank" },
	{ "ddr.t_rtp", AX_U_PS, OFF(ddr_t_rtp_ps), 0, 10000000, "read to precharge of that bank" },
	{ "ddr.t_ras", AX_U_PS, OFF(ddr_t_ras_ps), 0, 10000000, "activate to precharge of that bank, at least" },
	{ "ddr.t_rpab", AX_U_PS, OFF(ddr_t_rpab_ps), 0, 10000000, "precharge of all banks, before each refresh" },
	{ "ddr.scheduler", AX_U_DDR_SCHED, OFF(ddr_sched), 0, 1, "order of a bank's requests: fifo (arrival order) or frfcfs (row hits first)" },
	{ "ddr.scheduler_window", AX_U_COUNT, OFF(ddr_sched_window), 1, 64, "frfcfs: queued requests of a bank a row hit may overtake" },
	{ "ddr.write_high", AX_U_COUNT, OFF(ddr_write_high), 0, 64, "writes waiting on a channel at which they go before reads (0: reads never go first)" },
	{ "ddr.write_low", AX_U_COUNT, OFF(ddr_write_low), 0, 64, "writes waiting on a channel at which reads go first again" },
	{ "dma.sys_channels", AX_U_COUNT, OFF(dma_sys_channels), 1, 64, "channels of the system DMA (DDR <-> L2)" },
	{ "dma.core_channels", AX_U_COUNT, OFF(dma_core_channels), 1, 64, "channels of each core's DMA (L2 <-> L1)" },
	{ "dma.setup", AX_U_CYCLES, OFF(dma_setup_cycles), 0, 1000000, "time to start one DMA transfer" },
	{ "dma.outstanding", AX_U_COUNT, OFF(dma_outstanding), 1, 64, "chunks a DMA channel keeps in flight" },
	{ "dma.chunk", AX_U_BYTES, OFF(dma_chunk), 64, 64 * MI, "simulation granularity of a DMA transfer" },
	{ "controller.descriptor_size", AX_U_BYTES, OFF(ctrl_descriptor_bytes), 8, 4096, "size of one tasklist descriptor" },
	{ "controller.dispatch", AX_U_CYCLES, OFF(ctrl_dispatch_cycles), 0, 1000000, "control core time to issue one descriptor" },
	{ "controller.fetch_batch", AX_U_COUNT, OFF(ctrl_fetch_batch), 1, 4096, "descriptors fetched per read of the tasklist" },
	{ "controller.op_setup", AX_U_CYCLES, OFF(ctrl_op_setup_cycles), 0, 100000000, "control core time to program one operator (unit configurations, tokens, tables)" },
	{ "controller.config_sets", AX_U_COUNT, OFF(ctrl_config_sets), 1, 64, "operator configurations the units hold: the control core programs operator n + sets - 1 while operator n runs" },
	{ "host.link_bw", AX_U_BPS, OFF(host_link_bps), 1000000, 1000000000000ull, "bandwidth of the host link (PCIe) that carries each inference's input and outputs" },
	{ "host.copy_bw", AX_U_BPS, OFF(host_copy_bps), 1000000, 1000000000000ull, "rate of one instance's copy over the host link (at most host.link_bw, which all instances share)" },
	{ "host.copy_latency", AX_U_PS, OFF(host_copy_latency_ps), 0, 1000000000ull, "fixed cost of one host copy (driver, descriptors, completion) on top of its bytes" },
	{ "power.reference_voltage", AX_U_MV, OFF(pw_vref_mv), 100, 2000, "core supply at which the energies and leakages below are given; dynamic energy scales with the square of the supply (docs/energy.md)" },
	{ "power.vdd_high", AX_U_MV, OFF(pw_vhigh_mv), 100, 2000, "core supply at power.vdd_high_clock (voltage-per-clock profile: linear between the two points, extrapolated above, flat below the low one)" },
	{ "power.vdd_high_clock", AX_U_HZ, OFF(pw_vhigh_hz), 1000000, 5000000000ull, "clock of the high operating point" },
	{ "power.vdd_low", AX_U_MV, OFF(pw_vlow_mv), 100, 2000, "core supply at power.vdd_low_clock and below" },
	{ "power.vdd_low_clock", AX_U_HZ, OFF(pw_vlow_hz), 1000000, 5000000000ull, "clock of the low operating point (below power.vdd_high_clock)" },
	{ "power.imc_pass_energy", AX_U_FJ, OFF(pw_imc_pass_fj), 0, 1000000000000ull, "fixed energy of one IMC pass, whatever part of the array is enabled (input drivers, control, result path)" },
	{ "power.imc_cell_energy", AX_U_FJ, OFF(pw_imc_cell_fj), 0, 1000000000ull, "energy of one enabled array cell (an 8-bit MAC over the bit-serial pass) per pass; cells are enabled in row blocks x column banks" },
	{ "power.imc_zero_weight_share", AX_U_PERMILLE, OFF(pw_imc_zero_pm), 0, 1000, "energy of an enabled cell that holds no weight of the layer (padding, the zeros around in-core replicas) relative to one that does" },
	{ "power.imc_write_energy", AX_U_FJ, OFF(pw_imc_write_fj), 0, 1000000000ull, "energy of one weight byte written into the array" },
	{ "power.dpu_cycle_energy", AX_U_FJ, OFF(pw_dpu_cycle_fj), 0, 1000000000000ull, "energy of one working cycle of the DPU (all its lanes)" },
	{ "power.dwpu_cycle_energy", AX_U_FJ, OFF(pw_dwpu_cycle_fj), 0, 1000000000000ull, "energy of one working cycle of the DWPU" },
	{ "power.l1_byte_energy", AX_U_FJ, OFF(pw_l1_byte_fj), 0, 1000000000ull, "energy of one byte read from or written to L1" },
	{ "power.l2_byte_energy", AX_U_FJ, OFF(pw_l2_byte_fj), 0, 1000000000ull, "energy of one byte read from or written to L2" },
	{ "power.noc_byte_energy", AX_U_FJ, OFF(pw_noc_byte_fj), 0, 1000000000ull, "energy of one byte carried by a core's NoC link" },
	{ "power.ddr_byte_energy", AX_U_FJ, OFF(pw_ddr_byte_fj), 0, 1000000000ull, "energy of one DDR byte read or written: controller, PHY, I/O and DRAM column access (own supplies: not scaled with the core's)" },
	{ "power.ddr_activate_energy", AX_U_FJ, OFF(pw_ddr_act_fj), 0, 1000000000000ull, "energy of one DRAM row activate and its precharge (row misses and conflicts)" },
	{ "power.ddr_refresh_energy", AX_U_FJ, OFF(pw_ddr_ref_fj), 0, 1000000000000ull, "energy of one all-bank refresh of a channel" },
	{ "power.ddr_background", AX_U_UW, OFF(pw_ddr_background_uw), 0, 100000000, "standby power of the DRAM devices while the chip runs" },
	{ "power.descriptor_energy", AX_U_FJ, OFF(pw_descriptor_fj), 0, 1000000000000ull, "energy of the control core fetching, decoding and issuing one task descriptor" },
	{ "power.setup_cycle_energy", AX_U_FJ, OFF(pw_setup_cycle_fj), 0, 1000000000000ull, "energy per cycle of the control core programming an operator" },
	{ "power.core_clock_energy", AX_U_FJ, OFF(pw_clock_cycle_fj), 0, 1000000000000ull, "energy per cycle of a clocked core whatever it does: clock tree, always-on control (cores in use only)" },
	{ "power.core_leakage", AX_U_UW, OFF(pw_core_leak_uw), 0, 100000000, "leakage of one AI core with its L1 and IMC (every core of the chip)" },
	{ "power.l2_leakage", AX_U_UW, OFF(pw_l2_leak_uw), 0, 100000000, "leakage of the shared L2 and NoC" },
	{ "power.uncore", AX_U_UW, OFF(pw_uncore_uw), 0, 100000000, "the rest of the chip while it runs: PCIe, DDR PHY idle, PLLs, system controller (own supplies: not scaled)" },
	{ "power.limit", AX_U_UW, OFF(pw_limit_uw), 0, 1000000000, "power limiter: average power the closed loop holds by capping the IMC; 0 W is off (with --board m2, power.m2_limit applies)" },
	{ "power.m2_limit", AX_U_UW, OFF(pw_m2_limit_uw), 0, 1000000000, "the limit of the M.2 card, used with --board m2 when power.limit is 0 W (0 W: no limiter on M.2 either)" },
	{ "power.limiter_period", AX_U_PS, OFF(pw_period_ps), 1000000, 10000000000000ull, "simulated time over which the limiter averages power before each adjustment" },
	{ "power.limiter_step", AX_U_PERMILLE, OFF(pw_step_pm), 1, 1000, "one step of the limiter's IMC cap" },
	{ "power.limiter_floor", AX_U_PERMILLE, OFF(pw_floor_pm), 1, 1000, "lowest IMC cap the limiter sets" },
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

const struct ax_arch_key *ax_arch_keys(size_t *n)
{
	*n = NKEYS;
	return keys;
}

const struct ax_arch_key *ax_arch_key_find(const char *path)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].path, path))
			return &keys[i];
	return NULL;
}

uint64_t *ax_arch_field(struct ax_arch *a, const struct ax_arch_key *k)
{
	return (uint64_t *)((char *)a + k->offset);
}

uint64_t ax_arch_get(const struct ax_arch *a, const struct ax_arch_key *k)
{
	return *(const uint64_t *)((const char *)a + k->offset);
}

const char *ax_arch_default_text(size_t *len)
{
	if (len)
		*len = ax_metis_yaml_len;
	return ax_metis_yaml;
}

static const char *const *key_names(void)
{
	static const char *names[NKEYS];
	for (size_t i = 0; i < NKEYS; i++)
		names[i] = keys[i].path;
	return names;
}

/* Checks a value against its key's bounds; msg names where. */
static int check_bounds(const struct ax_arch_key *k, uint64_t v, const char *where,
			const char *text, struct ax_err *err)
{
	if (v >= k->min && v <= k->max)
		return AX_OK;
	char lo[64], hi[64];
	ax_unit_format(k->min, k->unit, lo, sizeof(lo));
	ax_unit_format(k->max, k->unit, hi, sizeof(hi));
	return ax_err_add(err, "%s: %s: '%s' is out of range; expected %s to %s",
			  where, k->path, text, lo, hi);
}

int ax_arch_parse(const struct ax_arch_key *k, const char *text, const char *where, uint64_t *v,
		  struct ax_err *err)
{
	const char *why;
	if (ax_unit_parse(text, k->unit, v, &why))
		return ax_err_add(err, "%s: %s: '%s' %s; expected %s", where, k->path,
				  text, why, ax_unit_help(k->unit));
	return check_bounds(k, *v, where, text, err);
}

static int set_value(struct ax_arch_desc *d, const struct ax_arch_key *k,
		     const char *text, const char *where, struct ax_err *err)
{
	uint64_t v;
	if (ax_arch_parse(k, text, where, &v, err))
		return AX_EINPUT;
	*ax_arch_field(&d->arch, k) = v;
	return AX_OK;
}

static void origin_clear(struct ax_arch_origin *o)
{
	free(o->file);
	free(o->reason);
	free(o->set);
	memset(o, 0, sizeof(*o));
}

/* Walks the description tree; prefix is the dotted path so far. */
static void walk(struct ax_arch_desc *d, const struct ax_ydoc *doc,
		 const struct ax_ynode *map, const char *prefix, int *seen /* first line per key */,
		 struct ax_err *err)
{
	for (size_t i = 0; i < map->n; i++) {
		const struct ax_ynode *key = map->keys[i], *val = map->items[i];
		char path[256];
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key->str);
		const struct ax_arch_key *k = ax_arch_key_find(path);
		if (!k) {
			/* a section: some key starts with "path." */
			size_t plen = strlen(path);
			int section = 0;
			for (size_t j = 0; j < NKEYS && !section; j++)
				section = !strncmp(keys[j].path, path, plen) && keys[j].path[plen] == '.';
			if (section && val->kind == AX_Y_MAP) {
				walk(d, doc, val, path, seen, err);
				continue;
			}
			if (section) {
				/* one message for the section; its keys are not also missing */
				ax_err_add(err, "%s:%d:%d: %s: found a %s; expected a mapping of the section's "
					   "parameters (%s.*, `axsim arch` lists them)", doc->file, val->line,
					   val->col, path, ax_ykind_name(val->kind), path);
				for (size_t j = 0; j < NKEYS; j++)
					if (!strncmp(keys[j].path, path, plen) && keys[j].path[plen] == '.' &&
					    !seen[j])
						seen[j] = key->line;
				continue;
			}
			const char *s = ax_suggest(path, key_names(), NKEYS);
			ax_err_add(err, "%s:%d:%d: unknown hardware parameter '%s'%s%s%s",
				   doc->file, key->line, key->col, path,
				   s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
			continue;
		}
		size_t idx = (size_t)(k - keys);
		/* a key given but malformed is reported as such, not also as missing */
		if (seen[idx]) {
			ax_err_add(err, "%s:%d:%d: %s: given a second time (first at line %d); expected each parameter once",
				   doc->file, key->line, key->col, path, seen[idx]);
			continue;
		}
		seen[idx] = key->line;
		const struct ax_ynode *v = val, *reason = NULL;
		if (val->kind == AX_Y_MAP) {
			v = ax_ynode_get(val, "value");
			reason = ax_ynode_get(val, "reason");
			for (size_t j = 0; j < val->n; j++)
				if (strcmp(val->keys[j]->str, "value") && strcmp(val->keys[j]->str, "reason"))
					ax_err_add(err, "%s:%d:%d: %s: unknown field '%s'; expected value and reason",
						   doc->file, val->keys[j]->line, val->keys[j]->col, path,
						   val->keys[j]->str);
			if (!v) {
				ax_err_add(err, "%s:%d:%d: %s: no 'value' given", doc->file,
					   val->line, val->col, path);
				continue;
			}
			if (reason && reason->kind != AX_Y_SCALAR) {
				ax_err_add(err, "%s:%d:%d: %s: reason must be a string",
					   doc->file, reason->line, reason->col, path);
				reason = NULL;
			}
		}
		char where[512];
		snprintf(where, sizeof(where), "%s:%d:%d", doc->file, v->line, v->col);
		if (v->kind != AX_Y_SCALAR) {
			ax_err_add(err, "%s: %s: found a %s; expected %s", where, path,
				   ax_ykind_name(v->kind), ax_unit_help(k->unit));
			continue;
		}
		if (set_value(d, k, v->str, where, err))
			continue;
		origin_clear(&d->origin[idx]);
		d->origin[idx].file = ax_xstrdup(doc->file);
		d->origin[idx].line = v->line;
		d->origin[idx].col = v->col;
		d->origin[idx].reason = reason ? ax_xstrdup(reason->str) : NULL;
	}
}

int ax_arch_load(struct ax_arch_desc *d, const char *path, struct ax_err *err)
{
	memset(d, 0, sizeof(*d));
	d->origin = ax_xcalloc(NKEYS, sizeof(*d->origin));
	struct ax_ydoc doc = { 0 };
	struct ax_err local;
	ax_err_init(&local);
	int rc;
	/* the built-in description gives every key; a file overrides it key by key */
	d->name = ax_xstrdup(path ? path : "built-in metis.yaml");
	rc = ax_ydoc_load_buf(&doc, "metis.yaml", ax_metis_yaml, ax_metis_yaml_len, &local);
	if (rc)
		goto out;
	for (int pass = 0; pass < (path ? 2 : 1); pass++) {
		if (pass) {
			ax_ydoc_release(&doc);
			memset(&doc, 0, sizeof(doc));
			rc = ax_ydoc_load_file(&doc, path, &local);
			if (rc)
				goto out;
		}
		if (!doc.root || doc.root->kind != AX_Y_MAP) {
			rc = ax_err_add(&local, "%s:1:1: a hardware description must be a mapping of sections (chip, imc, l1, l2, ddr, ...)",
					doc.file);
			goto out;
		}
		int *seen = ax_xcalloc(NKEYS, sizeof(int));
		walk(d, &doc, doc.root, "", seen, &local);
		for (size_t i = 0; i < NKEYS && !pass; i++)
			if (!seen[i])
				ax_err_add(&local, "%s: hardware parameter '%s' is missing; expected %s (%s)",
					   doc.file, keys[i].path, ax_unit_help(keys[i].unit), keys[i].desc);
		free(seen);
	}
	if (!local.count)
		ax_arch_validate(d, &local);
	rc = local.count ? AX_EINPUT : AX_OK;
out:
	ax_err_append(err, &local);
	ax_err_release(&local);
	ax_ydoc_release(&doc);
	return rc;
}

int ax_arch_set(struct ax_arch_desc *d, const char *assignment, struct ax_err *err)
{
	const char *eq = strchr(assignment, '=');
	if (!eq || eq == assignment)
		return ax_err_add(err, "--set '%s': expected key.path=value", assignment);
	char *key = ax_xstrndup(assignment, (size_t)(eq - assignment));
	const struct ax_arch_key *k = ax_arch_key_find(key);
	int rc;
	if (!k) {
		const char *s = ax_suggest(key, key_names(), NKEYS);
		rc = ax_err_add(err, "--set '%s': unknown hardware parameter '%s'%s%s%s; `axsim arch` lists them",
				assignment, key, s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
	} else {
		char where[600];
		snprintf(where, sizeof(where), "--set '%s'", assignment);
		rc = set_value(d, k, eq + 1, where, err);
		if (!rc) {
			size_t idx = (size_t)(k - keys);
			origin_clear(&d->origin[idx]);
			d->origin[idx].reason = ax_xstrdup("set on the command line");
			d->origin[idx].set = ax_xstrdup(assignment);
		}
	}
	free(key);
	return rc;
}

/* Where key k's value came from: "file:line:col", "--set 'k=v'" or the description's name. */
void ax_arch_key_where(const struct ax_arch_desc *d, const char *path, char *buf, size_t n)
{
	const struct ax_arch_key *k = ax_arch_key_find(path);
	if (!k)
		AX_BUG("no hardware parameter '%s'", path);
	const struct ax_arch_origin *o = d->origin ? &d->origin[k - keys] : NULL;
	if (o && o->set)
		snprintf(buf, n, "--set '%s'", o->set);
	else if (o && o->file)
		snprintf(buf, n, "%s%s:%d:%d", !strncmp(d->name, "built-in", 8) ? "built-in " : "", o->file,
			 o->line, o->col);
	else
		snprintf(buf, n, "%s", d->name);
}

/* One contradiction between keys a and b: located at a's origin when a was
 * given with --set or b was not, else at b's; the other key's origin follows
 * in parentheses. */
static void cross_err(const struct ax_arch_desc *d, struct ax_err *err, const char *a, const char *b,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void cross_err(const struct ax_arch_desc *d, struct ax_err *err, const char *a, const char *b,
		      const char *fmt, ...)
{
	char wa[600], wb[600];
	ax_arch_key_where(d, a, wa, sizeof(wa));
	ax_arch_key_where(d, b, wb, sizeof(wb));
	int a_first = !strncmp(wa, "--set", 5) || strncmp(wb, "--set", 5);
	va_list ap;
	va_start(ap, fmt);
	char *msg = ax_xvasprintf(fmt, ap);
	va_end(ap);
	if (strcmp(wa, wb))
		ax_err_add(err, "%s: %s (%s at %s)", a_first ? wa : wb, msg, a_first ? b : a, a_first ? wb : wa);
	else
		ax_err_add(err, "%s: %s", wa, msg);
	free(msg);
}

#define U(x) ((unsigned long long)(x))

int ax_arch_validate(const struct ax_arch_desc *d, struct ax_err *err)
{
	const struct ax_arch *a = &d->arch;
	int n0 = err->count;
	if (a->imc_cols % a->imc_banks)
		cross_err(d, err, "imc.banks", "imc.cols", "imc.cols (%llu) must be a multiple of imc.banks (%llu)",
			  U(a->imc_cols), U(a->imc_banks));
	if (a->imc_rows % a->imc_row_block)
		cross_err(d, err, "imc.row_block", "imc.rows", "imc.rows (%llu) must be a multiple of imc.row_block (%llu)",
			  U(a->imc_rows), U(a->imc_row_block));
	if (a->imc_rows % a->imc_position_align)
		cross_err(d, err, "imc.position_align", "imc.rows", "imc.rows (%llu) must be a multiple of imc.position_align (%llu)",
			  U(a->imc_rows), U(a->imc_position_align));
	if (a->imc_position_align % a->imc_pword && a->imc_pword % a->imc_position_align)
		cross_err(d, err, "imc.position_align", "imc.pword", "imc.position_align (%llu) and imc.pword (%llu) must divide one another",
			  U(a->imc_position_align), U(a->imc_pword));
	if (a->l1_reserved >= a->l1_size)
		cross_err(d, err, "l1.reserved", "l1.size", "l1.reserved (%llu bytes) must be smaller than l1.size (%llu bytes)",
			  U(a->l1_reserved), U(a->l1_size));
	if (a->l2_reserved >= a->l2_size)
		cross_err(d, err, "l2.reserved", "l2.size", "l2.reserved (%llu bytes) must be smaller than l2.size (%llu bytes)",
			  U(a->l2_reserved), U(a->l2_size));
	if (a->ddr_reserved >= a->ddr_size)
		cross_err(d, err, "ddr.reserved", "ddr.size", "ddr.reserved (%llu bytes) must be smaller than ddr.size (%llu bytes)",
			  U(a->ddr_reserved), U(a->ddr_size));
	if (a->ddr_row_bytes % a->ddr_interleave)
		cross_err(d, err, "ddr.interleave", "ddr.row_size",
			  "ddr.row_size (%llu bytes) must be a multiple of ddr.interleave (%llu bytes)",
			  U(a->ddr_row_bytes), U(a->ddr_interleave));
	if (a->ddr_write_low > a->ddr_write_high)
		cross_err(d, err, "ddr.write_low", "ddr.write_high", "ddr.write_low (%llu) must not be above ddr.write_high (%llu)",
			  U(a->ddr_write_low), U(a->ddr_write_high));
	if (a->ddr_bus_bits % (8 * a->ddr_channels))
		cross_err(d, err, "ddr.channels", "ddr.bus_width",
			  "ddr.bus_width (%llu bits) must split into ddr.channels (%llu) whole bytes",
			  U(a->ddr_bus_bits), U(a->ddr_channels));
	/* docs/memory.md "DDR": a refresh blocks its channel for tRPab + tRFC
	 * every tREFI; at most half of the time, so that traffic always progresses */
	if (a->ddr_t_rpab_ps + a->ddr_t_rfc_ps > a->ddr_t_refi_ps / 2)
		cross_err(d, err, "ddr.t_rfc", "ddr.t_refi",
			  "ddr.t_rpab + ddr.t_rfc (%llu ps) must be at most half of ddr.t_refi (%llu ps): a "
			  "refresh may block its channel at most half of the time",
			  U(a->ddr_t_rpab_ps + a->ddr_t_rfc_ps), U(a->ddr_t_refi_ps));
	if (a->host_copy_bps > a->host_link_bps)
		cross_err(d, err, "host.copy_bw", "host.link_bw",
			  "host.copy_bw (%llu B/s) must not be above host.link_bw (%llu B/s): one copy runs over the link",
			  U(a->host_copy_bps), U(a->host_link_bps));
	if (a->pw_vlow_hz >= a->pw_vhigh_hz)
		cross_err(d, err, "power.vdd_low_clock", "power.vdd_high_clock",
			  "power.vdd_low_clock (%llu Hz) must be below power.vdd_high_clock (%llu Hz)",
			  U(a->pw_vlow_hz), U(a->pw_vhigh_hz));
	if (a->pw_vlow_mv > a->pw_vhigh_mv)
		cross_err(d, err, "power.vdd_low", "power.vdd_high",
			  "power.vdd_low (%llu mV) must not be above power.vdd_high (%llu mV)",
			  U(a->pw_vlow_mv), U(a->pw_vhigh_mv));
	return err->count > n0 ? AX_EINPUT : AX_OK;
}

void ax_arch_desc_release(struct ax_arch_desc *d)
{
	if (d->origin)
		for (size_t i = 0; i < NKEYS; i++)
			origin_clear(&d->origin[i]);
	free(d->origin);
	free(d->name);
	memset(d, 0, sizeof(*d));
}

/* docs/timing-model.md "Clock": one cycle in whole picoseconds (1250 ps at 800 MHz). */
uint64_t ax_arch_cycle_ps(const struct ax_arch *a, uint64_t clock_hz)
{
	(void)a;
	return (1000000000000ull + clock_hz / 2) / clock_hz;
}

/* docs/memory.md "DDR": peak = bus width in bytes x transfers per second. */
uint64_t ax_arch_ddr_peak_bps(const struct ax_arch *a)
{
	return a->ddr_bus_bits / 8 * a->ddr_rate_tps;
}

/* docs/timing-model.md "IMC": rows x cols MACs per pass of cycles_per_pass cycles. */
uint64_t ax_arch_peak_macs_per_cycle(const struct ax_arch *a)
{
	return a->imc_rows * a->imc_cols / a->imc_cycles_per_pass;
}
