/*
 * arch.h - the hardware description: every timing and size parameter of the
 * simulated chip, declared once in a key table (arch.c) that drives parsing,
 * validation, `axsim arch` and docs/config-reference.md.
 *
 * The built-in default is configs/metis.yaml, compiled into the binary.  Each
 * leaf in a description is either a value with its unit (`size: 32MiB`) or a
 * mapping `{value: 32MiB, reason: "..."}` that records why the value is what
 * it is.  The built-in default gives a reason for every key.
 */
#ifndef AX_ARCH_H
#define AX_ARCH_H

#include <stdint.h>
#include <stddef.h>
#include "../common/err.h"
#include "units.h"

struct ax_arch {
	/* chip */
	uint64_t chip_cores;
	uint64_t chip_clock_hz;
	/* in-memory-compute array, per core */
	uint64_t imc_rows, imc_cols, imc_banks, imc_weight_sets;
	uint64_t imc_row_block;
	uint64_t imc_cycles_per_pass;
	uint64_t imc_results_per_cycle;
	uint64_t imc_result_bytes;
	uint64_t imc_weight_write_bpc;
	uint64_t imc_icr_max_factor;
	uint64_t imc_pword;
	uint64_t imc_position_align;
	/* vector units, per core */
	uint64_t dpu_elems_per_cycle;
	uint64_t dpu_lut_elems_per_cycle;
	uint64_t dpu_macs_per_cycle;
	uint64_t dpu_const_bytes_per_channel;
	uint64_t dwpu_macs_per_cycle;
	uint64_t dwpu_elems_per_cycle;
	/* products of two activations: AX_MM_ON_IMC or AX_MM_ON_DPU */
	uint64_t dyn_matmul_unit;
	uint64_t unit_start_cycles;
	/* L1, per core */
	uint64_t l1_size, l1_reserved;
	uint64_t l1_ports, l1_port_bpc, l1_latency_cycles;
	/* L2, shared */
	uint64_t l2_size, l2_reserved, l2_tasklist_reserve;
	uint64_t l2_ports, l2_port_bpc, l2_latency_cycles;
	uint64_t l2_page_bytes;
	/* NoC */
	uint64_t noc_link_bpc, noc_aggregate_bpc, noc_latency_cycles;
	/* DDR */
	uint64_t ddr_size, ddr_reserved;
	uint64_t ddr_channels, ddr_bus_bits, ddr_rate_tps, ddr_latency_ps;
	uint64_t ddr_banks, ddr_row_bytes, ddr_interleave, ddr_burst_length;
	uint64_t ddr_t_rcd_ps, ddr_t_rp_ps, ddr_t_cl_ps, ddr_t_wtr_ps, ddr_t_rtw_ps;
	uint64_t ddr_t_rrd_ps, ddr_t_faw_ps;
	uint64_t ddr_t_rfc_ps, ddr_t_refi_ps;
	uint64_t ddr_t_wl_ps, ddr_t_wr_ps, ddr_t_rtp_ps, ddr_t_ras_ps, ddr_t_rpab_ps;
	uint64_t ddr_sched, ddr_sched_window;
	uint64_t ddr_write_high, ddr_write_low;
	/* DMA */
	uint64_t dma_sys_channels, dma_core_channels, dma_setup_cycles, dma_chunk;
	uint64_t dma_outstanding;
	/* controller and tasklist */
	uint64_t ctrl_descriptor_bytes, ctrl_dispatch_cycles, ctrl_fetch_batch;
	uint64_t ctrl_op_setup_cycles, ctrl_config_sets;
	/* host link */
	uint64_t host_link_bps, host_copy_bps, host_copy_latency_ps;
	/* energy and power (docs/energy.md); energies at power.reference_voltage */
	uint64_t pw_vref_mv, pw_vhigh_mv, pw_vhigh_hz, pw_vlow_mv, pw_vlow_hz;
	uint64_t pw_imc_pass_fj, pw_imc_cell_fj, pw_imc_zero_pm, pw_imc_write_fj;
	uint64_t pw_dpu_cycle_fj, pw_dwpu_cycle_fj;
	uint64_t pw_l1_byte_fj, pw_l2_byte_fj, pw_noc_byte_fj;
	uint64_t pw_ddr_byte_fj, pw_ddr_act_fj, pw_ddr_ref_fj, pw_ddr_background_uw;
	uint64_t pw_descriptor_fj, pw_setup_cycle_fj, pw_clock_cycle_fj;
	uint64_t pw_core_leak_uw, pw_l2_leak_uw, pw_uncore_uw;
	uint64_t pw_limit_uw, pw_m2_limit_uw, pw_period_ps, pw_step_pm, pw_floor_pm;
};

/* Values of dyn_matmul.unit (docs/timing-model.md "Products of two activations"). */
enum { AX_MM_ON_IMC = 0, AX_MM_ON_DPU = 1 };

/* One key of the hardware description. */
struct ax_arch_key {
	const char *path;       /* dotted path, e.g. "l2.size" */
	enum ax_unit unit;
	size_t offset;          /* of the uint64_t field in struct ax_arch */
	uint64_t min, max;      /* bounds in the base unit */
	const char *desc;       /* what the parameter is */
};

/* Where each value came from, for `axsim arch` and error messages. */
struct ax_arch_origin {
	char *file;             /* NULL: --set on the command line */
	int line, col;
	char *reason;           /* the description's reason, or NULL */
	char *set;              /* file NULL: the --set assignment that gave the value */
};

/* A loaded description: values plus provenance.  Owned by the caller. */
struct ax_arch_desc {
	struct ax_arch arch;
	struct ax_arch_origin *origin; /* one per key, in key-table order */
	char *name;                    /* file name, or "built-in metis.yaml" */
};

/* The key table, and its length. */
const struct ax_arch_key *ax_arch_keys(size_t *n);
const struct ax_arch_key *ax_arch_key_find(const char *path);
uint64_t *ax_arch_field(struct ax_arch *a, const struct ax_arch_key *k);
uint64_t ax_arch_get(const struct ax_arch *a, const struct ax_arch_key *k);

/* The embedded default description text. */
const char *ax_arch_default_text(size_t *len);

/*
 * Load the built-in default (configs/metis.yaml, which gives every key) and,
 * when path != NULL, the file over it: a file may give any of the keys, each
 * at most once, and the others keep their built-in values.  Unknown keys are
 * errors with a suggestion.  All problems are appended to err.  The caller
 * releases d with ax_arch_desc_release in every case.
 */
int ax_arch_load(struct ax_arch_desc *d, const char *path, struct ax_err *err);
/* Parses text as key k's value in its base unit, checked against its bounds;
 * where locates it in messages ("file:line:col", "--set 'k=v'").  Returns
 * AX_OK, or AX_EINPUT with one message in err. */
int ax_arch_parse(const struct ax_arch_key *k, const char *text, const char *where, uint64_t *v,
		  struct ax_err *err);
/* Apply one "key.path=value" override. */
int ax_arch_set(struct ax_arch_desc *d, const char *assignment, struct ax_err *err);
/* Cross-field checks (reserves fit, banks divide columns, refresh shorter
 * than its interval, ...); each message is located at the keys' origins (file:line:col
 * or the --set that gave them). */
int ax_arch_validate(const struct ax_arch_desc *d, struct ax_err *err);
void ax_arch_desc_release(struct ax_arch_desc *d);
/* Where key path's value came from, for messages: "file:line:col", "--set
 * 'key=value'" or the description's name. */
void ax_arch_key_where(const struct ax_arch_desc *d, const char *path, char *buf, size_t n);

/* Derived figures used across the timing model (docs/timing-model.md). */
uint64_t ax_arch_cycle_ps(const struct ax_arch *a, uint64_t clock_hz);
uint64_t ax_arch_ddr_peak_bps(const struct ax_arch *a);
uint64_t ax_arch_peak_macs_per_cycle(const struct ax_arch *a);

#endif
