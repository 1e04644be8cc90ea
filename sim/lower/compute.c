#include "compute.h"

static uint64_t div_ceil(uint64_t a, uint64_t b)
{
	return (a + b - 1) / b;
}

int ax_layer_is_depthwise(const struct ax_net *net, const struct ax_layer *l)
{
	return l->op == AX_OP_CONV && l->groups > 1 &&
	       l->groups == ax_layer_cin(net, l) && l->cout % l->groups == 0 &&
	       l->cout / l->groups == 1;
}

int ax_layer_on_imc(const struct ax_net *net, const struct ax_layer *l)
{
	return (l->op == AX_OP_CONV && !ax_layer_is_depthwise(net, l)) || l->op == AX_OP_DENSE;
}

/* Array rows of one kernel position of the input window (docs/imc.md
 * "Window layout"): the input channels padded to the hardware word
 * (imc.pword), then placed on imc.position_align rows: whole blocks of it,
 * or the smallest fraction of one (a multiple of the word dividing it) when
 * the channels are fewer. */
static uint64_t position_rows(const struct ax_arch *a, uint64_t cin)
{
	uint64_t c = div_ceil(cin, a->imc_pword) * a->imc_pword;
	uint64_t al = a->imc_position_align;
	if (c >= al)
		return div_ceil(c, al) * al;
	while (al % c)
		c += a->imc_pword;
	return c;
}

/* timing-model.md "IMC mapping": the weight matrix has kh*kw positions of
 * position_rows rows each (the unrolled input window) and cout columns; it
 * is cut into tiles of at most imc.rows x imc.cols, each filling one weight
 * set.  A grouped convolution that is not depthwise is rewritten by the
 * compiler into a dense convolution with a block-diagonal weight matrix
 * (timing-model.md "Grouped convolutions"): the same matrix as ungrouped. */
void ax_imc_map_layer(const struct ax_net *net, const struct ax_layer *l,
		      const struct ax_arch *a, struct ax_imc_map *m)
{
	uint32_t cin = ax_layer_cin(net, l);
	m->expanded = 1;
	if (l->op == AX_OP_MATMUL) {
		/* timing-model.md "Products of two activations": one head's
		 * B, K rows (placed as a 1 x 1 convolution's K input channels
		 * are) by N columns */
		uint32_t heads = l->groups ? l->groups : 1;
		m->rows = (uint32_t)position_rows(a, cin / heads);
		m->cols = l->cout / heads;
	} else if (l->op == AX_OP_DENSE) {
		m->rows = (uint32_t)position_rows(a, cin);
		m->cols = l->cout;
	} else {
		m->expanded = l->groups ? l->groups : 1;
		m->rows = (uint32_t)(l->kh * l->kw * position_rows(a, cin));
		m->cols = l->cout;
	}
	m->row_tiles = (uint32_t)div_ceil(m->rows, a->imc_rows);
	m->col_tiles = (uint32_t)div_ceil(m->cols, a->imc_cols);
	m->tiles = m->row_tiles * m->col_tiles;
}

/* docs/imc.md "In-core replication": r copies of the weights side by side
 * compute r horizontally adjacent output pixels in one pass.  The window of r
 * pixels is kh x ((kw-1) dw + 1 + (r-1) sw) x cin rows, which must fit the
 * array's rows, and the r copies r x cout columns.  Only single-tile,
 * ungrouped convolutions qualify; r is at most imc.icr_max_factor and the
 * output width. */
uint32_t ax_icr_factor(const struct ax_net *net, const struct ax_layer *l,
		       const struct ax_arch *a, int enabled, uint32_t *window_rows)
{
	struct ax_imc_map m;
	ax_imc_map_layer(net, l, a, &m);
	return ax_icr_factor_map(net, l, a, &m, enabled, window_rows);
}

uint32_t ax_icr_factor_map(const struct ax_net *net, const struct ax_layer *l,
			   const struct ax_arch *a, const struct ax_imc_map *mp, int enabled,
			   uint32_t *window_rows)
{
	const struct ax_imc_map m = *mp;
	*window_rows = m.rows;
	if (!enabled || l->op != AX_OP_CONV || m.tiles != 1 || l->out.w < 2)
		return 1;
	uint64_t cin = position_rows(a, ax_layer_cin(net, l));
	uint64_t rmax = a->imc_icr_max_factor < l->out.w ? a->imc_icr_max_factor : l->out.w;
	for (uint64_t r = rmax; r >= 2; r--) {
		uint64_t width = (uint64_t)(l->kw - 1) * l->dw + 1 + (r - 1) * l->sw;
		uint64_t rows = (uint64_t)l->kh * width * cin;
		if (r * m.cols <= a->imc_cols && rows <= a->imc_rows) {
			*window_rows = (uint32_t)rows;
			return (uint32_t)r;
		}
	}
	return 1;
}

uint32_t ax_imc_group_size(const struct ax_imc_map *m, const struct ax_arch *a, uint32_t slots)
{
	uint64_t total = a->imc_weight_sets * a->imc_banks;
	if (slots <= total)
		return m->tiles;
	/* slots per tile, at most a full set's worth (imc.banks) */
	uint64_t per_tile = (slots + m->tiles - 1) / m->tiles;
	uint64_t g = (total / 2) / (per_tile ? per_tile : 1);
	if (g < 1)
		g = 1;
	return g < m->tiles ? (uint32_t)g : m->tiles;
}

void ax_imc_tile_dims(const struct ax_imc_map *m, const struct ax_arch *a, uint32_t t,
		      uint32_t *rows, uint32_t *cols)
{
	uint32_t rt = t / m->col_tiles, ct = t % m->col_tiles;
	uint32_t r0 = rt * (uint32_t)a->imc_rows, c0 = ct * (uint32_t)a->imc_cols;
	*rows = m->rows - r0 < a->imc_rows ? m->rows - r0 : (uint32_t)a->imc_rows;
	*cols = m->cols - c0 < a->imc_cols ? m->cols - c0 : (uint32_t)a->imc_cols;
}

/* timing-model.md "IMC passes": a pass takes imc.cycles_per_pass cycles (8
 * bit-serial activation bits), but its results leave the array at
 * imc.results_per_cycle, so a pass cannot be shorter than cols / that. */
uint64_t ax_mvm_cycles(const struct ax_arch *a, uint64_t pixels, uint32_t cols)
{
	uint64_t drain = div_ceil(cols, a->imc_results_per_cycle);
	uint64_t per_pass = a->imc_cycles_per_pass > drain ? a->imc_cycles_per_pass : drain;
	return a->unit_start_cycles + pixels * per_pass;
}

/* timing-model.md "Weight writes": bytes / imc.weight_write_bw. */
uint64_t ax_imc_load_cycles(const struct ax_arch *a, uint64_t bytes)
{
	return a->unit_start_cycles + div_ceil(bytes, a->imc_weight_write_bpc);
}

/* timing-model.md "Vector units" */
uint64_t ax_dpu_cycles(const struct ax_arch *a, uint64_t elems)
{
	return a->unit_start_cycles + div_ceil(elems, a->dpu_elems_per_cycle);
}

uint64_t ax_dwpu_cycles(const struct ax_arch *a, uint64_t macs, uint64_t elems)
{
	uint64_t m = div_ceil(macs, a->dwpu_macs_per_cycle);
	uint64_t e = div_ceil(elems, a->dwpu_elems_per_cycle);
	return a->unit_start_cycles + (m > e ? m : e);
}

int ax_act_uses_lut(enum ax_act act)
{
	return act != AX_ACT_NONE && act != AX_ACT_RELU && act != AX_ACT_RELU6;
}

/* timing-model.md "Vector units": the compiler folds the requantisation
 * into an activation's lookup table (simplify_mac_before_after_lut), so a
 * table activation is the same DPU pass at dpu.lut_throughput when that is
 * the slower; ReLU and ReLU6 are clamps of the requantisation.  Returns
 * the cycles beyond the plain pass of ax_dpu_cycles. */
uint64_t ax_dpu_act_cycles(const struct ax_arch *a, enum ax_act act, uint64_t elems)
{
	if (!ax_act_uses_lut(act))
		return 0;
	return ax_dpu_lut_cycles(a, elems);
}

/* timing-model.md "Vector units": a pass through a lookup table goes at
 * the slower of dpu.throughput and dpu.lut_throughput; these are the
 * cycles beyond the plain pass. */
uint64_t ax_dpu_lut_cycles(const struct ax_arch *a, uint64_t elems)
{
	if (a->dpu_lut_elems_per_cycle >= a->dpu_elems_per_cycle)
		return 0;
	return div_ceil(elems, a->dpu_lut_elems_per_cycle) - div_ceil(elems, a->dpu_elems_per_cycle);
}

/* timing-model.md "Products of two activations": on the DPU, m
 * multiply-accumulates at dpu.mac_throughput (the requantisation of the
 * results is a pass of its own, ax_dpu_cycles). */
uint64_t ax_dpu_matmul_cycles(const struct ax_arch *a, uint64_t macs)
{
	return div_ceil(macs, a->dpu_macs_per_cycle);
}

uint32_t ax_dpu_passes(const struct ax_layer *l)
{
	/* softmax: find the maximum, exponentiate and sum, normalise */
	return l->op == AX_OP_SOFTMAX ? 3 : 1;
}
