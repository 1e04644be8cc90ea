/*
 * import.c - axsim import: an ONNX model (docs/onnx-import.md) becomes a
 * compiled network ELF with its int8 weights (docs/elf-format.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "common/output.h"
#include "net/elf.h"
#include "net/onnx.h"

int ax_cmd_import(int argc, char **argv)
{
	struct ax_onnx_shape shapes[AX_MAX_SETS];
	struct ax_onnx_opts opts = { .shapes = shapes };
	struct ax_opts o;
	int status = 2;
	struct ax_err err, warn;
	ax_err_init(&err);
	ax_err_init(&warn);
	if (ax_opts_parse("import", argc, argv, &o))
		goto out;
	if (o.help) {
		ax_cli_usage("import", stdout);
		status = 0;
		goto out;
	}
	const char *model = o.positional[0], *out = o.out;
	int quiet = o.quiet;
	opts.no_host = o.no_host;
	for (int i = 0; i < o.n_input_shapes; i++) {
		if (ax_onnx_parse_shape(o.input_shapes[i], &shapes[opts.n_shapes], &err))
			goto print;
		opts.n_shapes++;
	}
	if (!model || !out) {
		fprintf(stderr, "axsim import: expected MODEL.onnx -o NET.elf; see axsim import --help\n");
		goto out;
	}

	const struct ax_out_spec outs[] = { { "-o", out } };
	if (ax_cli_check_outputs("import", outs, 1, &model, 1))
		goto out;
	struct ax_net net;
	struct ax_onnx_info info;
	int rc = ax_onnx_import(&net, model, &opts, &info, &err, &warn);
	ax_cli_print_errors(&warn, "axsim: warning: ");
	if (!rc)
		rc = ax_elf_write(&net, out, &err);
	if (!rc) {
		status = 0;
		if (!quiet) {
			size_t n_in = 0, n_out = 0;
			for (size_t i = 0; i < net.n_layers; i++) {
				n_in += net.layers[i].op == AX_OP_INPUT;
				n_out += net.layers[i].is_output != 0;
			}
			printf("imported %s: %zu ONNX nodes -> %zu layers (%zu inputs, %zu outputs)\n",
			       model, info.nodes, net.n_layers, n_in, n_out);
			printf("  parameters %llu (%.2f M), MACs %llu (%.3f G), weight section %llu bytes "
			       "(int8 weights, int32 biases)\n",
			       (unsigned long long)ax_net_params(&net), (double)ax_net_params(&net) / 1e6,
			       (unsigned long long)ax_net_macs(&net), (double)ax_net_macs(&net) / 1e9,
			       (unsigned long long)net.weight_data_bytes);
			printf("  folded into convolutions: %zu affine nodes; fused activations: %zu; "
			       "affine layers: %zu; patterns: %zu\n", info.folded, info.fused_acts,
			       info.affine_layers, info.patterns);
			if (info.dynamic_matmuls)
				printf("  products of two activations: %zu (%llu values written into the "
				       "IMC at run time)\n", info.dynamic_matmuls,
				       (unsigned long long)info.dynamic_values);
			if (info.approximations)
				printf("  nodes mapped to their nearest equivalent: %zu (docs/onnx-import.md)\n",
				       info.approximations);
			if (info.host_nodes)
				printf("  on the host: %zu nodes (%s)\n", info.host_nodes, info.host_ops);
			printf("wrote %s\n", out);
		}
	}
	ax_net_release(&net);
print:
	ax_cli_print_errors(&err, "axsim: ");
out:
	for (size_t i = 0; i < opts.n_shapes; i++)
		ax_onnx_shape_release(&shapes[i]);
	ax_err_release(&err);
	ax_err_release(&warn);
	return status;
}
