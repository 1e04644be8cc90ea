/*
 * compute.h - the compute side of the timing model: how a layer maps onto the
 * IMC array and how many cycles each unit needs for a piece of work.  Pure
 * arithmetic on the hardware description; docs/timing-model.md derives every
 * formula (sections cited at each function).
 */
#ifndef AX_COMPUTE_H
#define AX_COMPUTE_H

#include <stdint.h>
#include "../config/arch.h"
#include "../net/net.h"

/* How a convolution or dense layer's weight matrix is cut into array tiles
 * (for a dyn_matmul: one head's run-time weights, K x N). */
struct ax_imc_map {
	uint32_t expanded;     /* groups of a grouped conv expanded block-diagonally (1: none) */
	uint32_t rows, cols;   /* the matrix: kh*kw*cin (padded to imc.pword) x cout */
	uint32_t row_tiles, col_tiles;
	uint32_t tiles;        /* row_tiles x col_tiles: weight sets to fill */
};

/* The unit that does a layer's arithmetic. */
int ax_layer_on_imc(const struct ax_net *net, const struct ax_layer *l);
int ax_layer_is_depthwise(const struct ax_net *net, const struct ax_layer *l);

/* timing-model.md "IMC mapping" */
void ax_imc_map_layer(const struct ax_net *net, const struct ax_layer *l,
		      const struct ax_arch *a, struct ax_imc_map *m);
/* docs/imc.md "In-core replication": the replication factor r of layer l
 * (1 when off, or when the layer does not qualify), and the rows of the
 * grown input window. */
uint32_t ax_icr_factor(const struct ax_net *net, const struct ax_layer *l,
		       const struct ax_arch *a, int enabled, uint32_t *window_rows);
/* The same for a layer mapped as m (a convolution that took its siblings'
 * columns, docs/timing-model.md "Concatenation"). */
uint32_t ax_icr_factor_map(const struct ax_net *net, const struct ax_layer *l,
			   const struct ax_arch *a, const struct ax_imc_map *m, int enabled,
			   uint32_t *window_rows);
/* docs/imc.md "Weight slots": tiles written and computed together.  All of
 * a layer's tiles when they fit the weight store (slots: the slots they
 * take in all); otherwise as many as fit half of it, so that the next group
 * is written while this one computes. */
uint32_t ax_imc_group_size(const struct ax_imc_map *m, const struct ax_arch *a, uint32_t slots);

/* Rows and columns of tile t (0 <= t < tiles). */
void ax_imc_tile_dims(const struct ax_imc_map *m, const struct ax_arch *a, uint32_t t,
		      uint32_t *rows, uint32_t *cols);

/* timing-model.md "IMC passes": cycles of `pixels` passes through a tile with
 * cols output columns. */
uint64_t ax_mvm_cycles(const struct ax_arch *a, uint64_t pixels, uint32_t cols);
/* timing-model.md "Weight writes" */
uint64_t ax_imc_load_cycles(const struct ax_arch *a, uint64_t bytes);
/* timing-model.md "Vector units" */
uint64_t ax_dpu_cycles(const struct ax_arch *a, uint64_t elems);
uint64_t ax_dwpu_cycles(const struct ax_arch *a, uint64_t macs, uint64_t elems);

/* timing-model.md "Vector units": the extra DPU cycles of an activation
 * through a lookup table (0 for none, ReLU, ReLU6). */
int ax_act_uses_lut(enum ax_act act);
uint64_t ax_dpu_act_cycles(const struct ax_arch *a, enum ax_act act, uint64_t elems);
/* The extra DPU cycles of any pass of elems through a lookup table
 * (softmax's exponent too); 0 when dpu.lut_throughput is not the slower. */
uint64_t ax_dpu_lut_cycles(const struct ax_arch *a, uint64_t elems);
/* timing-model.md "Products of two activations": cycles of macs
 * multiply-accumulates of a dyn_matmul on the DPU (dyn_matmul.unit dpu). */
uint64_t ax_dpu_matmul_cycles(const struct ax_arch *a, uint64_t macs);

/* DPU elements a non-IMC layer processes per output element (softmax: 3). */
uint32_t ax_dpu_passes(const struct ax_layer *l);

#endif
