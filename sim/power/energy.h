/*
 * energy.h - the energy model and the power limiter's arithmetic, in plain C
 * (docs/energy.md derives every formula).  The platform counts activity (IMC
 * passes and enabled cells, bytes per memory, unit cycles, DDR activates,
 * descriptors); these functions turn counts and elapsed time into joules by
 * unit, at the supply voltage the clock profile gives.  The SystemC limiter
 * thread in sim/platform only samples the counters and applies the cap that
 * ax_limiter_step returns.
 */
#ifndef AX_ENERGY_H
#define AX_ENERGY_H

#include <stdint.h>
#include "../config/arch.h"
#include "../lower/tasklist.h"

/* Where the energy goes, for the report's energy.by_unit. */
enum ax_energy_unit {
	AX_EU_IMC = 0,     /* IMC passes (fixed part and enabled cells) */
	AX_EU_IMC_LOAD,    /* weights written into the array */
	AX_EU_DPU,
	AX_EU_DWPU,
	AX_EU_L1,
	AX_EU_L2,
	AX_EU_NOC,
	AX_EU_DDR,         /* bytes, activates, refreshes, the devices' background */
	AX_EU_CONTROLLER,  /* descriptors and operator set-up */
	AX_EU_CLOCK,       /* clocked cores, whatever they do */
	AX_EU_LEAKAGE,     /* cores and L2 */
	AX_EU_UNCORE,      /* PHYs, PLLs, system controller */
	AX_EU_COUNT
};

/* Activity counted by the simulation (whole run, every copy). */
struct ax_activity {
	uint64_t imc_passes;       /* MVM passes */
	uint64_t imc_cells;        /* enabled array cells summed over passes */
	uint64_t macs;             /* useful MACs, every unit */
	uint64_t imc_macs;         /* useful MACs of the IMC passes: cells holding a weight of the layer */
	uint64_t imc_write_bytes;  /* weight bytes written into the arrays */
	uint64_t dpu_cycles, dwpu_cycles;  /* working cycles at full rate */
	uint64_t l1_bytes, l2_bytes, noc_bytes, ddr_bytes;  /* read + written */
	uint64_t ddr_activates;    /* row misses and conflicts */
	uint64_t ddr_refreshes;
	uint64_t descriptors;      /* tasks issued by the control cores */
	uint64_t setup_cycles;     /* cycles the control cores programmed operators */
};

/* Energy of a run or of a part of it. */
struct ax_energy {
	double vdd_v;                      /* supply at the clock */
	double by_unit_j[AX_EU_COUNT];
	double total_j;
	double dynamic_j;                  /* the part proportional to activity */
	double static_w;                   /* the part proportional to time, as a power */
};

const char *ax_energy_unit_name(enum ax_energy_unit u);

/* docs/energy.md "Voltage": the supply at clock_hz from the two-point profile
 * (linear between the points, extrapolated above the high one, flat below
 * the low one), in volts. */
double ax_energy_vdd(const struct ax_arch *a, uint64_t clock_hz);

/* docs/energy.md "Equations": energy in fJ at the reference voltage of
 * passes IMC passes that enable cells array cells, macs of them holding a
 * weight of the layer. */
double ax_imc_energy_fj(const struct ax_arch *a, uint64_t passes, uint64_t cells, uint64_t macs);

/* docs/energy.md "Gating": array cells enabled for a tile of rows x cols:
 * whole row blocks (imc.row_block) times whole column banks. */
uint64_t ax_imc_gated_cells(const struct ax_arch *a, uint64_t rows, uint64_t cols);

/*
 * docs/energy.md "Equations": the energy of act plus elapsed_ps of static
 * power, with cores_used cores clocked (of chip.cores leaking), at the supply
 * of clock_hz.  Fills out; never fails.
 */
void ax_energy_compute(const struct ax_arch *a, uint64_t clock_hz, uint32_t cores_used,
		       const struct ax_activity *act, uint64_t elapsed_ps, struct ax_energy *out);

/*
 * The dynamic energy (J) the activity of task t accounts for, as far as one
 * task knows it (not DDR activates or refreshes): for the trace's power
 * track (sim/report/trace.c), which scales these to the run's total.
 */
double ax_energy_task(const struct ax_arch *a, uint64_t clock_hz, const struct ax_task *t,
		      uint64_t cycle_ps);

/* The effective limit of the power limiter in microwatts (0: off): power.limit,
 * or power.m2_limit on board "m2" when power.limit is 0. */
uint64_t ax_power_limit_uw(const struct ax_arch *a, const char *board);

/* Makes d's power.limit the effective one for board (NULL: none), with the
 * board named as its origin when the board's limit applies. */
void ax_power_apply_board(struct ax_arch_desc *d, const char *board);

/* docs/energy.md "Limiter": the closed loop's state.  Caller owns it. */
struct ax_limiter {
	uint64_t limit_uw;         /* held average power */
	uint64_t period_ps;        /* window */
	uint32_t step_pm, floor_pm, max_pm;  /* cap step, lowest and highest cap, thousandths */
	uint32_t cap_pm;           /* the cap in force */
	uint32_t min_cap_pm;       /* the lowest cap set */
	double last_j;             /* energy at the start of the window */
	uint64_t last_ps;          /* start of the window */
	uint64_t throttled_ps;     /* time the cap was below max_pm */
	uint64_t windows;          /* windows measured */
	uint64_t windows_over;     /* windows whose power was above the limit */
	double peak_window_w;      /* the highest window power */
};

/* Starts the loop with the cap at max_pm (the model's mvm_limitation). */
void ax_limiter_init(struct ax_limiter *l, const struct ax_arch *a, uint64_t limit_uw, uint32_t max_pm);
/*
 * One window ended at now_ps with energy_j consumed since the run began:
 * measures the window's average power and returns the new cap: lowered by
 * as many steps as the relative excess asks (at least one) when above the
 * limit, raised by one step when a step's worth below it.
 */
uint32_t ax_limiter_step(struct ax_limiter *l, double energy_j, uint64_t now_ps);
/* Accounts the time from the last window to the run's end, end_ps. */
void ax_limiter_finish(struct ax_limiter *l, uint64_t end_ps);

#endif
