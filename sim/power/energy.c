#include "energy.h"

#include <stdlib.h>
#include <string.h>

const char *ax_energy_unit_name(enum ax_energy_unit u)
{
	/* an engine's or a memory's energy goes by its name (tasklist.h) */
	switch (u) {
	case AX_EU_IMC: return ax_engine_name(AX_E_IMC_MVM);
	case AX_EU_IMC_LOAD: return ax_engine_name(AX_E_IMC_LOAD);
	case AX_EU_DPU: return ax_engine_name(AX_E_DPU);
	case AX_EU_DWPU: return ax_engine_name(AX_E_DWPU);
	case AX_EU_L1: return ax_mem_name(AX_MEM_L1);
	case AX_EU_L2: return ax_mem_name(AX_MEM_L2);
	case AX_EU_NOC: return "noc";
	case AX_EU_DDR: return ax_mem_name(AX_MEM_DDR);
	case AX_EU_CONTROLLER: return ax_engine_name(AX_E_CTRL);
	case AX_EU_CLOCK: return "clock";
	case AX_EU_LEAKAGE: return "leakage";
	case AX_EU_UNCORE: return "uncore";
	default: return "?";
	}
}

double ax_energy_vdd(const struct ax_arch *a, uint64_t clock_hz)
{
	double lo = (double)a->pw_vlow_mv, hi = (double)a->pw_vhigh_mv;
	double flo = (double)a->pw_vlow_hz, fhi = (double)a->pw_vhigh_hz;
	if (clock_hz <= a->pw_vlow_hz || fhi <= flo)
		return lo / 1000.0;
	return (lo + (hi - lo) * ((double)clock_hz - flo) / (fhi - flo)) / 1000.0;
}

static uint64_t round_up(uint64_t v, uint64_t m)
{
	return m ? (v + m - 1) / m * m : v;
}

uint64_t ax_imc_gated_cells(const struct ax_arch *a, uint64_t rows, uint64_t cols)
{
	uint64_t bank = a->imc_banks ? a->imc_cols / a->imc_banks : a->imc_cols;
	uint64_t r = round_up(rows, a->imc_row_block), c = round_up(cols, bank);
	if (r > a->imc_rows)
		r = a->imc_rows;
	if (c > a->imc_cols)
		c = a->imc_cols;
	return r * c;
}

double ax_imc_energy_fj(const struct ax_arch *a, uint64_t passes, uint64_t cells, uint64_t macs)
{
	double used = (double)(macs < cells ? macs : cells), zero = (double)cells - used;
	return (double)passes * (double)a->pw_imc_pass_fj +
	       (double)a->pw_imc_cell_fj * (used + zero * (double)a->pw_imc_zero_pm / 1000.0);
}

/* (V / V_ref)^2: dynamic energy and (approximately) leakage scale with it. */
static double v2(const struct ax_arch *a, uint64_t clock_hz)
{
	double r = ax_energy_vdd(a, clock_hz) * 1000.0 / (double)a->pw_vref_mv;
	return r * r;
}

#define FJ 1e-15
#define UW 1e-6

void ax_energy_compute(const struct ax_arch *a, uint64_t clock_hz, uint32_t cores_used,
		       const struct ax_activity *act, uint64_t elapsed_ps, struct ax_energy *out)
{
	memset(out, 0, sizeof(*out));
	double s = v2(a, clock_hz), t = (double)elapsed_ps * 1e-12;
	double *e = out->by_unit_j;
	out->vdd_v = ax_energy_vdd(a, clock_hz);
	/* activity: energy per event x events, core-supply parts x (V/Vref)^2 */
	e[AX_EU_IMC] = s * FJ * ax_imc_energy_fj(a, act->imc_passes, act->imc_cells, act->imc_macs);
	e[AX_EU_IMC_LOAD] = s * FJ * (double)act->imc_write_bytes * (double)a->pw_imc_write_fj;
	e[AX_EU_DPU] = s * FJ * (double)act->dpu_cycles * (double)a->pw_dpu_cycle_fj;
	e[AX_EU_DWPU] = s * FJ * (double)act->dwpu_cycles * (double)a->pw_dwpu_cycle_fj;
	e[AX_EU_L1] = s * FJ * (double)act->l1_bytes * (double)a->pw_l1_byte_fj;
	e[AX_EU_L2] = s * FJ * (double)act->l2_bytes * (double)a->pw_l2_byte_fj;
	e[AX_EU_NOC] = s * FJ * (double)act->noc_bytes * (double)a->pw_noc_byte_fj;
	e[AX_EU_CONTROLLER] = s * FJ * ((double)act->descriptors * (double)a->pw_descriptor_fj +
					 (double)act->setup_cycles * (double)a->pw_setup_cycle_fj);
	/* DDR is on its own supplies: not scaled */
	double ddr_dyn = FJ * ((double)act->ddr_bytes * (double)a->pw_ddr_byte_fj +
			       (double)act->ddr_activates * (double)a->pw_ddr_act_fj +
			       (double)act->ddr_refreshes * (double)a->pw_ddr_ref_fj);
	for (int u = 0; u < AX_EU_COUNT; u++)
		out->dynamic_j += e[u];
	out->dynamic_j += ddr_dyn;
	/* time: clocked cores (f x energy per cycle), leakage, the uncore */
	double clock_w = s * FJ * (double)a->pw_clock_cycle_fj * (double)clock_hz * cores_used;
	double leak_w = s * UW * ((double)a->pw_core_leak_uw * (double)a->chip_cores + (double)a->pw_l2_leak_uw);
	double uncore_w = UW * (double)a->pw_uncore_uw;
	double ddr_bg_w = UW * (double)a->pw_ddr_background_uw;
	out->static_w = clock_w + leak_w + uncore_w + ddr_bg_w;
	e[AX_EU_DDR] = ddr_dyn + ddr_bg_w * t;
	e[AX_EU_CLOCK] = clock_w * t;
	e[AX_EU_LEAKAGE] = leak_w * t;
	e[AX_EU_UNCORE] = uncore_w * t;
	for (int u = 0; u < AX_EU_COUNT; u++)
		out->total_j += e[u];
}

static double mem_byte_fj(const struct ax_arch *a, enum ax_mem m)
{
	switch (m) {
	case AX_MEM_DDR: return (double)a->pw_ddr_byte_fj;
	case AX_MEM_L2: return (double)a->pw_l2_byte_fj;
	default: return (double)a->pw_l1_byte_fj;
	}
}

double ax_energy_task(const struct ax_arch *a, uint64_t clock_hz, const struct ax_task *t,
		      uint64_t cycle_ps)
{
	(void)cycle_ps;
	double s = v2(a, clock_hz), fj = (double)a->pw_descriptor_fj * s;
	double l1 = (double)(t->l1_read + t->l1_write) * (double)a->pw_l1_byte_fj * s;
	switch (t->kind) {
	case AX_T_MVM:
		fj += s * ax_imc_energy_fj(a, t->passes, t->imc_cells, t->macs) + l1;
		break;
	case AX_T_IMC_LOAD:
		fj += s * (double)t->bytes * (double)a->pw_imc_write_fj + l1;
		break;
	case AX_T_DPU:
		fj += s * (double)t->cycles * (double)a->pw_dpu_cycle_fj + l1;
		break;
	case AX_T_DWPU:
		fj += s * (double)t->cycles * (double)a->pw_dwpu_cycle_fj + l1;
		break;
	case AX_T_CTRL:
		fj += s * (double)t->cycles * (double)a->pw_setup_cycle_fj;
		break;
	case AX_T_DMA: {
		double b = (double)t->bytes;
		double src = mem_byte_fj(a, t->src) * (t->src == AX_MEM_DDR ? 1 : s);
		double dst = mem_byte_fj(a, t->dst) * (t->dst == AX_MEM_DDR ? 1 : s);
		fj += b * (src + dst);
		if (t->unit == AX_U_DMA_CORE && (t->src != AX_MEM_L1 || t->dst != AX_MEM_L1))
			fj += b * (double)a->pw_noc_byte_fj * s;
		break;
	}
	default:
		break;
	}
	return fj * FJ;
}

uint64_t ax_power_limit_uw(const struct ax_arch *a, const char *board)
{
	if (a->pw_limit_uw)
		return a->pw_limit_uw;
	if (board && !strcmp(board, "m2"))
		return a->pw_m2_limit_uw;
	return 0;
}

void ax_power_apply_board(struct ax_arch_desc *d, const char *board)
{
	uint64_t lim = ax_power_limit_uw(&d->arch, board);
	if (lim == d->arch.pw_limit_uw)
		return;
	d->arch.pw_limit_uw = lim;
	const struct ax_arch_key *k = ax_arch_key_find("power.limit");
	if (!k)
		AX_BUG("power.limit is not in the key table");
	struct ax_arch_origin *o = &d->origin[k - ax_arch_keys(&(size_t){ 0 })];
	free(o->file);
	free(o->reason);
	memset(o, 0, sizeof(*o));
	o->reason = ax_xasprintf("--board %s: power.m2_limit", board);
}

void ax_limiter_init(struct ax_limiter *l, const struct ax_arch *a, uint64_t limit_uw, uint32_t max_pm)
{
	memset(l, 0, sizeof(*l));
	l->limit_uw = limit_uw;
	l->period_ps = a->pw_period_ps;
	l->step_pm = (uint32_t)a->pw_step_pm;
	l->max_pm = max_pm;
	l->floor_pm = (uint32_t)a->pw_floor_pm < max_pm ? (uint32_t)a->pw_floor_pm : max_pm;
	l->cap_pm = max_pm;
	l->min_cap_pm = max_pm;
}

uint32_t ax_limiter_step(struct ax_limiter *l, double energy_j, uint64_t now_ps)
{
	if (now_ps <= l->last_ps)
		return l->cap_pm;
	double dt = (double)(now_ps - l->last_ps) * 1e-12;
	double p = (energy_j - l->last_j) / dt, lim = (double)l->limit_uw * UW;
	double step = (double)l->step_pm / 1000.0;
	if (l->cap_pm < l->max_pm)
		l->throttled_ps += now_ps - l->last_ps;
	l->windows++;
	if (p > l->peak_window_w)
		l->peak_window_w = p;
	int64_t cap = l->cap_pm;
	if (p > lim) {
		/* fast attack: the relative excess in steps, as if power followed
		 * the cap; static power makes this an underestimate, so the next
		 * windows finish the job without overshooting much */
		l->windows_over++;
		int64_t n = (int64_t)((p - lim) / p / step);
		cap -= (n < 1 ? 1 : n) * (int64_t)l->step_pm;
	} else if (p < lim * (1.0 - step)) {
		cap += l->step_pm;   /* slow release: one step per window */
	}
	if (cap < (int64_t)l->floor_pm)
		cap = l->floor_pm;
	if (cap > (int64_t)l->max_pm)
		cap = l->max_pm;
	l->cap_pm = (uint32_t)cap;
	if (l->cap_pm < l->min_cap_pm)
		l->min_cap_pm = l->cap_pm;
	l->last_j = energy_j;
	l->last_ps = now_ps;
	return l->cap_pm;
}

void ax_limiter_finish(struct ax_limiter *l, uint64_t end_ps)
{
	if (end_ps > l->last_ps && l->cap_pm < l->max_pm)
		l->throttled_ps += end_ps - l->last_ps;
	if (end_ps > l->last_ps)
		l->last_ps = end_ps;
}
