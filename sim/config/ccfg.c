#include "ccfg.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/ydoc.h"
#include "arch.h"
#include "toml.h"

enum ktype {
	KT_BOOL, KT_INT, KT_ENUM, KT_MILLI,
	KT_LIST,  /* a list of distinct small integers (core indices), kept as a bit mask */
	KT_PATH,  /* a file name, kept in struct ax_ccfg (v[] says whether it is given) */
};

/* Where a key may be written. */
#define IN_QUANT   1u  /* compilation_config.quantization_config */
#define IN_BACKEND 2u  /* compilation_config.backend_config */
#define IN_FLAT    4u  /* compilation_config (flat dialect) */
#define IN_EXTRA   8u  /* extra_kwargs */

static const char *const ptq_names[] = {
	"per_tensor_histogram", "per_tensor_min_max", "hybrid_per_tensor_per_channel", NULL
};
static const char *const mc_names[] = { "batch", "cooperative", "pipeline", "multiprocess", "multithread", NULL };
static const char *const clock_names[] = { "100", "200", "400", "600", "700", "800", NULL };
static const char *const pool_names[] = { "ddr", "l2", "l1", NULL };

struct key {
	struct ax_ccfg_keyinfo info;
	enum ktype type;
	unsigned where;
	long long lo, hi, def;
	const char *const *enums;
};

/* The one table of compilation-configuration keys (defaults: voyager-sdk
 * v1.2.5 axelera/app/config.py and docs/reference/compiler_configs.md). */
static const struct key keys[AX_CC_COUNT] = {
	[AX_CC_PTQ_SCHEME] = { { "ptq_scheme", "quantization_config.ptq_scheme", "quantization_scheme", "enum",
		"per_tensor_histogram, per_tensor_min_max, hybrid_per_tensor_per_channel", "per_tensor_histogram",
		"post-training quantisation scheme; the hybrid scheme adds per-channel requantisation constants" },
		KT_ENUM, IN_QUANT | IN_FLAT, 0, 2, AX_PTQ_PER_TENSOR_HISTOGRAM, ptq_names },
	[AX_CC_ELF_IN_DDR] = { { "elf_in_ddr", "backend_config.elf_in_ddr", "elf_in_ddr", "bool", "true, false", "true",
		"the tasklist and constants live in DDR (true) or in an L2 reserve (false)" },
		KT_BOOL, IN_BACKEND | IN_FLAT, 0, 1, 1, NULL },
	[AX_CC_IN_CORE_REPLICATION] = { { "in_core_replication", "backend_config.in_core_replication", "enable_icr", "bool", "true, false", "true",
		"replicate a narrow layer's weights into idle IMC columns to compute several output pixels per pass" },
		KT_BOOL, IN_BACKEND | IN_FLAT, 0, 1, 1, NULL },
	[AX_CC_L2_RESERVED_TASKLIST] = { { "l2_reserved_nbytes_tasklist", "backend_config.l2_reserved_nbytes_tasklist", "l2_reserved_nbytes_tasklist", "integer",
		"0 to 4294967296 bytes; 0 with elf_in_ddr true", "0",
		"L2 bytes reserved for the tasklist when elf_in_ddr is false (0: the hardware default per core)" },
		KT_INT, IN_BACKEND | IN_FLAT, 0, 4294967296ll, 0, NULL },
	[AX_CC_PAGE_MEMORY] = { { "page_memory", "backend_config.page_memory", "page_memory", "bool", "true, false", "true",
		"split buffers into pages so that only what does not fit in L2 spills to DDR" },
		KT_BOOL, IN_BACKEND | IN_FLAT, 0, 1, 1, NULL },
	[AX_CC_TILING_DEPTH] = { { "tiling_depth", "backend_config.tiling_depth", "tiling_depth", "integer", "1 to 64", "1",
		"largest number of consecutive operators fused into one depth-first cone (1: layer by layer)" },
		KT_INT, IN_BACKEND | IN_FLAT, 1, 64, 1, NULL },
	[AX_CC_AIPU_CORES_USED] = { { "aipu_cores_used", NULL, "aipu_cores_used", "integer", "1 to 64", "1",
		"cores one compiled network runs on (1: Batch-1, a copy per core; x > 1: x cores together in multicore_mode); default min(aipu_cores, max_compiler_cores)" },
		KT_INT, IN_FLAT | IN_BACKEND, 1, 64, 1, NULL },
	[AX_CC_RESOURCES_USED] = { { "resources_used", NULL, "resources_used", "fraction", "above 0 to 1", "aipu_cores_used / 4",
		"share of the chip's memories one compiled network may use" },
		KT_MILLI, IN_FLAT | IN_BACKEND, 1, 1000, 250, NULL },
	[AX_CC_AIPU_CORES] = { { "aipu_cores", "extra_kwargs.aipu_cores", NULL, "integer", "1 to the chip's cores", "4",
		"cores the pipeline uses; aipu_cores / aipu_cores_used copies of the network run at once" },
		KT_INT, IN_EXTRA, 1, 64, 4, NULL },
	[AX_CC_MAX_COMPILER_CORES] = { { "max_compiler_cores", "extra_kwargs.max_compiler_cores", NULL, "integer", "1 to 64", "1",
		"SDK v1.2.5: the model is compiled for min(aipu_cores, max_compiler_cores) cores in Batch-x mode and instantiated aipu_cores / that many times (aipu_cores_used, when given, wins)" },
		KT_INT, IN_EXTRA, 1, 64, 1, NULL },
	[AX_CC_CLOCK_PROFILE] = { { "clock_profile", "extra_kwargs.clock_profile", NULL, "enum", "100, 200, 400, 600, 700, 800 (MHz)", "800",
		"core clock in MHz" },
		KT_ENUM, IN_EXTRA, 0, 5, 5, clock_names },
	[AX_CC_MVM_LIMITATION] = { { "mvm_limitation", "extra_kwargs.mvm_limitation", NULL, "integer", "1 to 100 (percent)", "100",
		"cap on the IMC array's throughput in percent (the vendor lowers it on boards with less power)" },
		KT_INT, IN_EXTRA, 1, 100, 100, NULL },
	[AX_CC_DMA_DUAL_CHANNEL] = { { "dma_dual_channel", "backend_config.dma_dual_channel", "dma_dual_channel", "bool", "true, false", "true",
		"use both channels of each DMA engine (false: one channel, dma.sys_channels and dma.core_channels ignored)" },
		KT_BOOL, IN_BACKEND | IN_FLAT, 0, 1, 1, NULL },
	[AX_CC_STREAM_TASKLIST] = { { "stream_tasklist", "backend_config.stream_tasklist", "stream_tasklist", "bool", "true, false", "true",
		"a tasklist larger than its L2 reserve is streamed in chunks from DDR (false: rejected)" },
		KT_BOOL, IN_BACKEND | IN_FLAT, 0, 1, 1, NULL },
	[AX_CC_MULTICORE_MODE] = { { "multicore_mode", NULL, "multicore_mode", "enum",
		"batch, cooperative, pipeline, multiprocess, multithread", "batch",
		"how the aipu_cores_used cores of one compiled network work: batch (each its own input, one memory budget), cooperative (split every layer of one input), pipeline (consecutive stages of the layers); multiprocess and multithread are Batch-1 instances" },
		KT_ENUM, IN_FLAT | IN_BACKEND, 0, 4, AX_MC_BATCH, mc_names },
	[AX_CC_ASYNC_INTER_OPERATOR] = { { "async_inter_operator", "backend_config.async_inter_operator", "async_inter_operator", "bool", "true, false", "false",
		"an operator may start on the rows its producer has finished (true) instead of after the whole producer (false)" },
		KT_BOOL, IN_BACKEND | IN_FLAT, 0, 1, 0, NULL },
	[AX_CC_MVM_UTILIZATION_LIMIT] = { { "mvm_utilization_limit", "backend_config.mvm_utilization_limit", "mvm_utilization_limit", "fraction",
		"0.125 to 1", "1",
		"the compiler's cap on the IMC array's throughput; with mvm_limitation the stricter of the two caps applies" },
		KT_MILLI, IN_BACKEND | IN_FLAT, 125, 1000, 1000, NULL },
	[AX_CC_IO_POOL] = { { "io_pool", "backend_config.io_pool", "io_pool", "enum", "ddr, l2, l1", "ddr",
		"where the network's inputs and outputs are placed first (what does not fit there goes one level down: l1, l2, ddr)" },
		KT_ENUM, IN_BACKEND | IN_FLAT, 0, 2, AX_POOL_DDR, pool_names },
	[AX_CC_WORKSPACE_POOL] = { { "workspace_pool", "backend_config.workspace_pool", "workspace_pool", "enum", "ddr, l2, l1", "l1",
		"the highest memory an intermediate buffer may be placed in (l1: L1, then L2, then DDR; ddr: every intermediate buffer in DDR); a fused cone's row tiles stay in L1" },
		KT_ENUM, IN_BACKEND | IN_FLAT, 0, 2, AX_POOL_L1, pool_names },
	[AX_CC_CONSTANT_POOL] = { { "constant_pool", "backend_config.constant_pool", "constant_pool", "enum", "ddr, l2, l1",
		"ddr (l2 with elf_in_ddr false)",
		"where the per-channel requantisation constants live: fetched from DDR or L2 for each operator, or resident in L1 (taking L1 from activations)" },
		KT_ENUM, IN_BACKEND | IN_FLAT, 0, 2, AX_POOL_DDR, pool_names },
	[AX_CC_L2_CONSTRAINT] = { { "l2_constraint", "backend_config.l2_constraint", "l2_constraint", "integer",
		"0 to 68719476736 bytes", "0",
		"L2 budget of one copy in bytes, below its resources_used share (0: no budget beyond the share)" },
		KT_INT, IN_BACKEND | IN_FLAT, 0, 68719476736ll, 0, NULL },
	[AX_CC_SUBDEVICES] = { { "subdevices", "backend_config.subdevices", "subdevices", "list",
		"distinct core indices from 0 to the chip's cores - 1, as many as the cores the copies run on", "[] (cores 0 to aipu_cores - 1)",
		"the cores the copies run on; checked and recorded, no timing change: every core is identical and equally far from L2 and DDR in the model" },
		KT_LIST, IN_BACKEND | IN_FLAT, 0, 63, 0, NULL },
	[AX_CC_MAX_EXECUTION_CORES] = { { "max_execution_cores", "extra_kwargs.max_execution_cores", NULL, "integer", "1 to 64", "4",
		"most cores the copies run on at execution: when given, the copies run on min(aipu_cores, max_execution_cores) cores" },
		KT_INT, IN_EXTRA, 1, 64, 4, NULL },
	[AX_CC_SINGLE_OP_USE_DDR] = { { "single_op_network_use_ddr", "backend_config.single_op_network_use_ddr", "single_op_network_use_ddr", "bool",
		"true, false", "false",
		"a network of one operator keeps its inputs, outputs, constants and weights in DDR (no effect on a network of several operators)" },
		KT_BOOL, IN_BACKEND | IN_FLAT, 0, 1, 0, NULL },
	[AX_CC_SINGLE_OP_START_IDX] = { { "single_op_network_aicore_start_idx", "backend_config.single_op_network_aicore_start_idx", "single_op_network_aicore_start_idx", "integer",
		"0 to 63; with aipu_cores at most the chip's cores", "0",
		"first core a network of one operator runs on; checked and recorded, no timing change (identical cores)" },
		KT_INT, IN_BACKEND | IN_FLAT, 0, 63, 0, NULL },
	[AX_CC_COMPILER_CONFIG_FILE] = { { "compiler_config_file", "backend_config.compiler_config_file", "compiler_config_file", "path",
		"a TOML file, relative to the model YAML", "none",
		"compilation keys read from a TOML file (top-level keys as in the flat dialect, or [quantization_config] and [backend_config] tables); keys written in the YAML override it" },
		KT_PATH, IN_BACKEND | IN_FLAT, 0, 1, 0, NULL },
	[AX_CC_DOUBLE_BUFFER] = { { "double_buffer", "backend_config.double_buffer", "double_buffer", "bool", "true, false", "true",
		"not modelled: the model always overlaps a strip's transfers with the previous strip's compute" },
		KT_BOOL, IN_BACKEND | IN_FLAT, 0, 1, 1, NULL },
	[AX_CC_SINGLE_OP_DOUBLE_BUFFER] = { { "single_op_network_double_buffer", "backend_config.single_op_network_double_buffer", "single_op_network_double_buffer", "bool",
		"true, false", "true", "not modelled: double_buffer for a network of one operator" },
		KT_BOOL, IN_BACKEND | IN_FLAT, 0, 1, 1, NULL },
	[AX_CC_ASYNC_SPATIAL_TILES] = { { "async_pipeline_spatial_tiles", "backend_config.async_pipeline_spatial_tiles", "async_pipeline_spatial_tiles", "bool",
		"true, false", "false", "not modelled: asynchronous pipelining of spatial tiles" },
		KT_BOOL, IN_BACKEND | IN_FLAT, 0, 1, 0, NULL },
	[AX_CC_ASYNC_CHANNEL_TILES] = { { "async_pipeline_channel_tiles", "backend_config.async_pipeline_channel_tiles", "async_pipeline_channel_tiles", "bool",
		"true, false", "false", "not modelled: asynchronous pipelining of channel tiles" },
		KT_BOOL, IN_BACKEND | IN_FLAT, 0, 1, 0, NULL },
	[AX_CC_IGNORE_WEIGHT_BUFFERS] = { { "ignore_weight_buffers", NULL, "ignore_weight_buffers", "bool",
		"true, false", "false", "not modelled: a compiler memory-planning option of the flat dialect" },
		KT_BOOL, IN_FLAT, 0, 1, 0, NULL },
	[AX_CC_REMOVE_QUANT_IO] = { { "remove_quantization_of_inputs_outputs_from_graph",
		"quantization_config.remove_quantization_of_inputs_outputs_from_graph",
		"remove_quantization_of_inputs_outputs_from_graph", "bool", "true, false", "false",
		"not modelled: the host quantises inputs and dequantises outputs instead of the graph" },
		KT_BOOL, IN_QUANT | IN_FLAT, 0, 1, 0, NULL },
	[AX_CC_QUANTIZATION_DEBUG] = { { "quantization_debug", "quantization_config.quantization_debug", "quantization_debug", "bool",
		"true, false", "false", "not modelled: quantiser diagnostics" },
		KT_BOOL, IN_QUANT | IN_FLAT, 0, 1, 0, NULL },
	[AX_CC_QUANTIZER_VERSION] = { { "quantizer_version", "quantization_config.quantizer_version", "quantizer_version", "integer",
		"1 to 16", "1", "not modelled: version of the quantiser" },
		KT_INT, IN_QUANT | IN_FLAT, 1, 16, 1, NULL },
};

/* Keys from AX_CC_DOUBLE_BUFFER on are accepted and checked, not modelled. */
int ax_ccfg_key_modelled(enum ax_ccfg_id id)
{
	return id < AX_CC_DOUBLE_BUFFER;
}

/* Keys the vendor's compiler knows that axsim does not model: accepted, with a warning. */
static const char *const ignored[] = {
	"use_sysdma", "enable_swicr", "icrx_max_factor",
	"icrx_parallel_block_threshold", "pipeline_spatial_tiles",
	"pipeline_channel_tiles", "l1_size_used", "l1_size_reserved",
	"l2_size_used", "l2_size_reserved", "l2_size_reserved_tasklist",
	"ddr_size_used", "ddr_size_reserved",
	"num_calibration_images", "remove_quantization_of_inputs_outputs",
	"quantize_only", "enable_icr_for_first_layer", "split_batch_norm",
	NULL
};

const struct ax_ccfg_keyinfo *ax_ccfg_keyinfo(enum ax_ccfg_id id)
{
	return &keys[id].info;
}

const char *const *ax_ccfg_ignored_keys(void)
{
	return ignored;
}

unsigned ax_ccfg_cores_per_copy(const struct ax_ccfg *c)
{
	return (unsigned)c->v[AX_CC_AIPU_CORES_USED];
}

unsigned ax_ccfg_exec_cores(const struct ax_ccfg *c)
{
	long long n = c->v[AX_CC_AIPU_CORES];
	if (c->origin[AX_CC_MAX_EXECUTION_CORES].file && c->v[AX_CC_MAX_EXECUTION_CORES] < n)
		n = c->v[AX_CC_MAX_EXECUTION_CORES];
	return (unsigned)n;
}

unsigned ax_ccfg_mvm_limit_permille(const struct ax_ccfg *c)
{
	long long board = c->v[AX_CC_MVM_LIMITATION] * 10, compiler = c->v[AX_CC_MVM_UTILIZATION_LIMIT];
	return (unsigned)(board < compiler ? board : compiler);
}

unsigned long long ax_ccfg_clock_mhz(const struct ax_ccfg *c)
{
	return strtoull(clock_names[c->v[AX_CC_CLOCK_PROFILE]], NULL, 10);
}

const char *ax_mc_name(int mode)
{
	return (mode >= 0 && mode <= AX_MC_MULTITHREAD) ? mc_names[mode] : "?";
}

const char *ax_ptq_name(int ptq)
{
	return (ptq >= 0 && ptq <= 2) ? ptq_names[ptq] : "?";
}

void ax_ccfg_init(struct ax_ccfg *c)
{
	memset(c, 0, sizeof(*c));
	for (int i = 0; i < AX_CC_COUNT; i++)
		c->v[i] = keys[i].def;
}

void ax_ccfg_release(struct ax_ccfg *c)
{
	for (int i = 0; i < AX_CC_COUNT; i++)
		free(c->origin[i].file);
	free(c->model);
	free(c->board);
	free(c->config_file);
	for (size_t i = 0; i < c->n_class_keys; i++)
		free(c->class_keys[i].name);
	free(c->class_keys);
	free(c->shape_text);
	memset(c, 0, sizeof(*c));
}

void ax_ccfg_format(const struct ax_ccfg *c, enum ax_ccfg_id id, char *buf, size_t len)
{
	const struct key *k = &keys[id];
	long long v = c->v[id];
	switch (k->type) {
	case KT_BOOL: snprintf(buf, len, "%s", v ? "true" : "false"); break;
	case KT_INT: snprintf(buf, len, "%lld", v); break;
	case KT_ENUM: snprintf(buf, len, "%s", k->enums[v]); break;
	case KT_MILLI: snprintf(buf, len, "%g", (double)v / 1000.0); break;
	case KT_PATH: snprintf(buf, len, "%s", v && c->config_file ? c->config_file : "none"); break;
	case KT_LIST: {
		size_t at = 0;
		buf[0] = '\0';
		at += (size_t)snprintf(buf, len, "[");
		for (int i = 0, first = 1; i < 64 && at < len; i++) {
			if (!((unsigned long long)v >> i & 1))
				continue;
			at += (size_t)snprintf(buf + at, len - at, "%s%d", first ? "" : ", ", i);
			first = 0;
		}
		if (at < len)
			snprintf(buf + at, len - at, "]");
		break;
	}
	}
}

/* Parsing state: one per section read (the board sections and a
 * compiler_config_file get their own, sharing notmod). */
struct pstate {
	const struct ax_ydoc *doc;
	struct ax_err *err, *warn;
	struct ax_ccfg *c;
	int set_here[AX_CC_COUNT]; /* set in the section being read (detects double settings) */
	struct ax_err *notmod;     /* "name (file:line)" of each key accepted but not modelled */
	const char *yaml_path;     /* the model YAML (compiler_config_file is relative to it) */
	int in_toml;               /* reading a compiler_config_file */
};

static int parse_text(const struct key *k, const char *text, const char *where, const char *what,
		      long long *out, struct ax_err *err);

/* A plain null or empty scalar (`extra_kwargs:` with nothing under it). */
static int is_null(const struct ax_ynode *n)
{
	if (!n || n->kind != AX_Y_SCALAR || !n->plain)
		return 0;
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
		if (!strcmp(n->str, nulls[i]))
			return 1;
	return 0;
}

/* A value of the file: a scalar (a sequence of scalars for a list key),
 * parsed as ax_ccfg_set parses text. */
static int parse_value(struct pstate *p, const struct key *k, const struct ax_ynode *n,
		       const char *path, long long *out)
{
	char where[600];
	snprintf(where, sizeof(where), "%s:%d:%d", p->doc->file, n->line, n->col);
	if (k->type == KT_LIST && n->kind == AX_Y_SEQ) {
		/* as YAML's flow style writes it, for messages */
		char text[1024] = "[";
		size_t at = 1;
		for (size_t i = 0; i < n->n; i++) {
			if (ax_ynode_expect(p->doc, n->items[i], AX_Y_SCALAR, path, p->err))
				return AX_EINPUT;
			at += (size_t)snprintf(text + at, at < sizeof(text) ? sizeof(text) - at : 0, "%s%s%s",
					       i ? ", " : "", n->items[i]->str, i + 1 == n->n ? "]" : "");
			if (at >= sizeof(text))
				return ax_err_add(p->err, "%s: %s: the list is too long; expected at most 64 core indices",
						  where, path);
		}
		if (!n->n)
			strcat(text, "]");
		return parse_text(k, text, where, path, out, p->err);
	}
	if (ax_ynode_expect(p->doc, n, AX_Y_SCALAR, path, p->err))
		return AX_EINPUT;
	return parse_text(k, n->str, where, path, out, p->err);
}

static void note_not_modelled(struct pstate *p, const struct ax_ynode *keyn, const char *path)
{
	if (p->in_toml)
		ax_err_add(p->notmod, "%s (%s:%d)", path, p->doc->file, keyn->line);
	else
		ax_err_add(p->notmod, "%s (line %d)", path, keyn->line);
}

static void set_key(struct pstate *p, enum ax_ccfg_id id, const struct ax_ynode *keyn,
		    const struct ax_ynode *val, const char *path)
{
	const struct key *k = &keys[id];
	if (p->set_here[id]) {
		ax_err_add(p->err, "%s:%d:%d: %s: '%s' is set a second time (first at line %d); expected one setting",
			   p->doc->file, keyn->line, keyn->col, path,
			   val->kind == AX_Y_SCALAR ? val->str : "...", p->set_here[id]);
		return;
	}
	long long v;
	if (k->type == KT_PATH) {
		/* read by read_compilation_config before the section's other keys */
		p->set_here[id] = keyn->line;
		return;
	}
	if (parse_value(p, k, val, path, &v))
		return;
	p->set_here[id] = keyn->line;
	p->c->v[id] = v;
	free(p->c->origin[id].file);
	p->c->origin[id].file = ax_xstrdup(p->doc->file);
	p->c->origin[id].line = val->line;
	p->c->origin[id].col = val->col;
	if (!ax_ccfg_key_modelled(id))
		note_not_modelled(p, keyn, path);
}

/* The messages of e on one line, separated by sep (heap). */
static char *joined(const struct ax_err *e, const char *sep)
{
	char *out = ax_xstrdup("");
	const char *at = ax_err_str(e);
	while (*at) {
		const char *nl = strchr(at, '\n');
		size_t n = nl ? (size_t)(nl - at) : strlen(at);
		char *next = ax_xasprintf("%s%s%.*s", out, out[0] ? sep : "", (int)n, at);
		free(out);
		out = next;
		at += n + (nl != NULL);
	}
	return out;
}

static int is_ignored(const char *name)
{
	for (size_t i = 0; ignored[i]; i++)
		if (!strcmp(ignored[i], name))
			return 1;
	return 0;
}

/* Names valid in a section, for suggestions. */
static size_t names_in(unsigned where, const char **out, size_t max)
{
	size_t n = 0;
	for (int i = 0; i < AX_CC_COUNT && n < max; i++) {
		if (!(keys[i].where & where))
			continue;
		const char *nm = (where & IN_FLAT) && keys[i].info.flat ? keys[i].info.flat : keys[i].info.name;
		out[n++] = nm;
	}
	return n;
}

static int key_matches(const struct key *k, unsigned where, const char *name)
{
	if (!(k->where & where))
		return 0;
	if (!strcmp(k->info.name, name))
		return 1;
	return (where & IN_FLAT) && k->info.flat && !strcmp(k->info.flat, name);
}

static const char *suggest_in(const char *name, unsigned where, const char *const *extra_names)
{
	const char *names[AX_CC_COUNT + 16];
	size_t n = names_in(where, names, AX_CC_COUNT);
	for (size_t i = 0; extra_names && extra_names[i] && n < AX_CC_COUNT + 16; i++)
		names[n++] = extra_names[i];
	return ax_suggest(name, names, n);
}

static void unknown_key(struct pstate *p, const struct ax_ynode *keyn, const char *prefix,
			unsigned where, const char *const *extra_names)
{
	const char *s = suggest_in(keyn->str, where, extra_names);
	ax_err_add(p->err, "%s:%d:%d: %s%s: unknown key%s%s%s",
		   p->doc->file, keyn->line, keyn->col, prefix, keyn->str,
		   s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
}

/* A key of extra_kwargs that is not the chip's belongs to the model's class. */
static void class_key(struct pstate *p, const struct ax_ynode *keyn, const char *const *subsections)
{
	struct ax_ccfg *c = p->c;
	c->class_keys = ax_xrealloc(c->class_keys, c->n_class_keys + 1, sizeof(*c->class_keys));
	struct ax_ccfg_class_key *k = &c->class_keys[c->n_class_keys++];
	k->name = ax_xstrdup(keyn->str);
	k->line = keyn->line;
	k->col = keyn->col;
	k->suggest = suggest_in(keyn->str, IN_EXTRA, subsections);
}

/* Reads the keys of one mapping section (leaves only). */
static void read_leaves(struct pstate *p, const struct ax_ynode *map, const char *prefix,
			unsigned where, const char *const *subsections)
{
	for (size_t i = 0; i < map->n; i++) {
		const struct ax_ynode *kn = map->keys[i], *vn = map->items[i];
		int sub = 0;
		for (size_t j = 0; subsections && subsections[j]; j++)
			sub |= !strcmp(subsections[j], kn->str);
		if (sub)
			continue;
		char path[640];
		snprintf(path, sizeof(path), "%s%s", prefix, kn->str);
		int found = 0;
		for (int id = 0; id < AX_CC_COUNT && !found; id++) {
			if (key_matches(&keys[id], where, kn->str)) {
				if (p->in_toml && keys[id].type == KT_PATH)
					ax_err_add(p->err, "%s:%d:%d: %s: a compiler_config_file cannot name another; expected it in the model YAML only",
						   p->doc->file, kn->line, kn->col, path);
				else
					set_key(p, (enum ax_ccfg_id)id, kn, vn, path);
				found = 1;
			}
		}
		if (found)
			continue;
		if (where & IN_EXTRA) {
			/* a compilation key one level too high is most likely a
			 * mistake, but a model class could take the name: a warning */
			for (int id = 0; id < AX_CC_COUNT; id++)
				if (key_matches(&keys[id], IN_FLAT | IN_BACKEND | IN_QUANT, kn->str)) {
					ax_err_add(p->warn, "%s:%d:%d: %s: a compilation key outside compilation_config; ignored as a key of the model's class (expected it under compilation_config)",
						   p->doc->file, kn->line, kn->col, path);
					break;
				}
			class_key(p, kn, subsections);
			continue;
		}
		if (is_ignored(kn->str)) {
			note_not_modelled(p, kn, path);
			continue;
		}
		unknown_key(p, kn, prefix, where, subsections);
	}
}

static int need_map(struct pstate *p, const struct ax_ynode *n, const char *what)
{
	return ax_ynode_expect(p->doc, n, AX_Y_MAP, what, p->err);
}

static void read_cc_body(struct pstate *p, const struct ax_ynode *cc, const char *pre);

/* The compiler_config_file of a compilation_config section, read before the
 * section's own keys so that they override it. */
static void read_config_file(struct pstate *p, const struct ax_ynode *keyn, const struct ax_ynode *val,
			     const char *path)
{
	if (ax_ynode_expect(p->doc, val, AX_Y_SCALAR, path, p->err))
		return;
	if (!val->str[0])
		return (void)ax_err_add(p->err, "%s:%d:%d: %s: '' is empty; expected a TOML file name",
					p->doc->file, val->line, val->col, path);
	char *file;
	const char *slash = strrchr(p->yaml_path, '/');
	if (val->str[0] == '/' || !slash)
		file = ax_xstrdup(val->str);
	else
		file = ax_xasprintf("%.*s/%s", (int)(slash - p->yaml_path), p->yaml_path, val->str);
	struct ax_ydoc tdoc = { 0 };
	struct ax_err terr;
	ax_err_init(&terr);
	if (ax_toml_load_file(&tdoc, file, &terr)) {
		/* the TOML's own messages name its file, line and column */
		ax_err_add(p->err, "%s:%d:%d: %s: '%s' cannot be read", p->doc->file, val->line, val->col,
			   path, val->str);
		ax_err_append(p->err, &terr);
		goto out;
	}
	struct pstate tp = *p;
	memset(tp.set_here, 0, sizeof(tp.set_here));
	tp.doc = &tdoc;
	tp.in_toml = 1;
	if (tdoc.root)
		read_cc_body(&tp, tdoc.root, "");
	free(p->c->config_file);
	p->c->config_file = ax_xstrdup(val->str);
	p->c->v[AX_CC_COMPILER_CONFIG_FILE] = 1;
	free(p->c->origin[AX_CC_COMPILER_CONFIG_FILE].file);
	p->c->origin[AX_CC_COMPILER_CONFIG_FILE].file = ax_xstrdup(p->doc->file);
	p->c->origin[AX_CC_COMPILER_CONFIG_FILE].line = keyn->line;
	p->c->origin[AX_CC_COMPILER_CONFIG_FILE].col = keyn->col;
out:
	ax_err_release(&terr);
	ax_ydoc_release(&tdoc);
	free(file);
}

/* The keys of a compilation_config mapping (flat and nested); pre is its
 * path with a final '.', or "" for a compiler_config_file. */
static void read_cc_body(struct pstate *p, const struct ax_ynode *cc, const char *pre)
{
	static const char *const subs[] = { "quantization_config", "backend_config", NULL };
	const struct ax_ynode *q = ax_ynode_get(cc, "quantization_config");
	const struct ax_ynode *b = ax_ynode_get(cc, "backend_config");
	char sub[300];
	/* compiler_config_file first: every key written here overrides it */
	const char *fk = keys[AX_CC_COMPILER_CONFIG_FILE].info.name;
	if (!p->in_toml) {
		for (size_t i = 0; i < cc->n; i++)
			if (!strcmp(cc->keys[i]->str, fk)) {
				snprintf(sub, sizeof(sub), "%s%s", pre, fk);
				read_config_file(p, cc->keys[i], cc->items[i], sub);
			}
		for (size_t i = 0; b && b->kind == AX_Y_MAP && i < b->n; i++)
			if (!strcmp(b->keys[i]->str, fk)) {
				snprintf(sub, sizeof(sub), "%sbackend_config.%s", pre, fk);
				read_config_file(p, b->keys[i], b->items[i], sub);
			}
	}
	read_leaves(p, cc, pre, IN_FLAT, subs);
	if (q && !is_null(q)) {
		snprintf(sub, sizeof(sub), "%squantization_config", pre);
		if (!need_map(p, q, sub)) {
			strcat(sub, ".");
			read_leaves(p, q, sub, IN_QUANT, NULL);
		}
	}
	if (b && !is_null(b)) {
		snprintf(sub, sizeof(sub), "%sbackend_config", pre);
		if (!need_map(p, b, sub)) {
			strcat(sub, ".");
			read_leaves(p, b, sub, IN_BACKEND, NULL);
		}
	}
}

static void read_compilation_config(struct pstate *p, const struct ax_ynode *cc, const char *prefix)
{
	char pre[256];
	snprintf(pre, sizeof(pre), "%scompilation_config", prefix);
	if (is_null(cc) || need_map(p, cc, pre))
		return;
	strcat(pre, ".");
	read_cc_body(p, cc, pre);
}

static const char *const boards[] = { "pcie", "m2", NULL };

/* Reads an extra_kwargs mapping (or a board section, which has the same
 * shape); null or empty, it holds nothing. */
static void read_extra(struct pstate *p, const struct ax_ynode *ek, const char *prefix, int is_board)
{
	/* prefix ends in '.'; the section's own name is the prefix without it */
	char what[256];
	snprintf(what, sizeof(what), "%.*s", (int)(strlen(prefix) - 1), prefix);
	if (is_null(ek) || need_map(p, ek, what))
		return;
	static const char *const subs_top[] = { "compilation_config", "pcie", "m2", NULL };
	static const char *const subs_board[] = { "compilation_config", NULL };
	read_leaves(p, ek, prefix, IN_EXTRA, is_board ? subs_board : subs_top);
	const struct ax_ynode *cc = ax_ynode_get(ek, "compilation_config");
	if (cc)
		read_compilation_config(p, cc, prefix);
}

/* "file:line:col: " of a key's origin; "origin: " for one set by
 * ax_ccfg_set (line 0); for a default value the file being read (fallback)
 * or, outside a load, "(SDK default) ". */
static void origin_prefix(const struct ax_ccfg_origin *o, const char *fallback, char *buf, size_t n)
{
	if (o->file && o->line > 0)
		snprintf(buf, n, "%s:%d:%d: ", o->file, o->line, o->col);
	else if (o->file)
		snprintf(buf, n, "%s: ", o->file);
	else if (fallback)
		snprintf(buf, n, "%s:%d:%d: ", fallback, o->line, o->col);
	else
		snprintf(buf, n, "(SDK default) ");
}

/* Rules between keys; fallback names the file being read, or NULL. */
static void check_rules(const struct ax_ccfg *c, const char *fallback, struct ax_err *err)
{
	char w[600];
	if (c->v[AX_CC_ELF_IN_DDR] && c->v[AX_CC_L2_RESERVED_TASKLIST]) {
		origin_prefix(&c->origin[AX_CC_L2_RESERVED_TASKLIST], fallback, w, sizeof(w));
		ax_err_add(err, "%sl2_reserved_nbytes_tasklist: '%lld' contradicts elf_in_ddr true; expected 0 when the ELF is in DDR",
			   w, c->v[AX_CC_L2_RESERVED_TASKLIST]);
	}
	long long x = ax_ccfg_cores_per_copy(c), exec = ax_ccfg_exec_cores(c);
	if (x > exec || exec % x) {
		int id = c->origin[AX_CC_AIPU_CORES_USED].file ? AX_CC_AIPU_CORES_USED
			 : c->origin[AX_CC_MAX_COMPILER_CORES].file ? AX_CC_MAX_COMPILER_CORES
			 : AX_CC_AIPU_CORES;
		origin_prefix(&c->origin[id], fallback, w, sizeof(w));
		if (exec < c->v[AX_CC_AIPU_CORES])
			ax_err_add(err, "%s%s: '%lld' does not divide the %lld cores the copies run on (max_execution_cores); expected a divisor of %lld",
				   w, keys[id == AX_CC_AIPU_CORES ? AX_CC_AIPU_CORES_USED : id].info.name, x, exec, exec);
		else
			ax_err_add(err, "%s%s: '%lld' does not divide aipu_cores %lld; expected a divisor of aipu_cores (copies = aipu_cores / cores per copy)",
				   w, keys[id == AX_CC_AIPU_CORES ? AX_CC_AIPU_CORES_USED : id].info.name, x,
				   c->v[AX_CC_AIPU_CORES]);
	}
	int nsub = __builtin_popcountll((unsigned long long)c->v[AX_CC_SUBDEVICES]);
	if (nsub && nsub != exec) {
		char v[256];
		ax_ccfg_format(c, AX_CC_SUBDEVICES, v, sizeof(v));
		origin_prefix(&c->origin[AX_CC_SUBDEVICES], fallback, w, sizeof(w));
		ax_err_add(err, "%ssubdevices: '%s' names %d cores but the copies run on %lld (aipu_cores%s); expected %lld core indices",
			   w, v, nsub, exec, exec < c->v[AX_CC_AIPU_CORES] ? " capped by max_execution_cores" : "", exec);
	}
	if (x > 1 && (c->v[AX_CC_MULTICORE_MODE] == AX_MC_MULTIPROCESS ||
		      c->v[AX_CC_MULTICORE_MODE] == AX_MC_MULTITHREAD)) {
		origin_prefix(&c->origin[AX_CC_MULTICORE_MODE], fallback, w, sizeof(w));
		ax_err_add(err, "%smulticore_mode: '%s' runs Batch-1 instances, which contradicts %lld cores per compiled network; expected batch, cooperative or pipeline, or aipu_cores_used 1",
			   w, mc_names[c->v[AX_CC_MULTICORE_MODE]], x);
	}
}

static void check_fields(struct pstate *p)
{
	check_rules(p->c, p->doc->file, p->err);
}

/* The names under models:, comma separated (truncated to fit buf). */
static void model_names(const struct ax_ynode *models, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < models->n; i++) {
		if (strlen(buf) + strlen(models->keys[i]->str) + 3 >= len)
			break;
		strcat(buf, i ? ", " : "");
		strcat(buf, models->keys[i]->str);
	}
}

/* The cores one network spans follow max_compiler_cores unless
 * aipu_cores_used is given; the SDK's resources_used follows those cores,
 * unless given. */
/* The keys whose default derive_resources computes from others, and what
 * from (a sweep over one of those moves them too). */
static const struct {
	enum ax_ccfg_id key, from;
} derived[] = {
	{ AX_CC_CONSTANT_POOL, AX_CC_ELF_IN_DDR },
	{ AX_CC_AIPU_CORES_USED, AX_CC_AIPU_CORES },
	{ AX_CC_AIPU_CORES_USED, AX_CC_MAX_COMPILER_CORES },
	{ AX_CC_RESOURCES_USED, AX_CC_AIPU_CORES_USED },
	{ AX_CC_RESOURCES_USED, AX_CC_AIPU_CORES },
	{ AX_CC_RESOURCES_USED, AX_CC_MAX_COMPILER_CORES },
};

int ax_ccfg_derives(const char *key, const char *from)
{
	for (size_t i = 0; i < sizeof(derived) / sizeof(derived[0]); i++)
		if (!strcmp(keys[derived[i].key].info.name, key) && !strcmp(keys[derived[i].from].info.name, from))
			return 1;
	return 0;
}

static void derive_resources(struct ax_ccfg *c)
{
	/* the constants live with the ELF unless the model places them */
	if (!c->origin[AX_CC_CONSTANT_POOL].file)
		c->v[AX_CC_CONSTANT_POOL] = c->v[AX_CC_ELF_IN_DDR] ? AX_POOL_DDR : AX_POOL_L2;
	if (!c->origin[AX_CC_AIPU_CORES_USED].file) {
		long long x = c->v[AX_CC_MAX_COMPILER_CORES];
		c->v[AX_CC_AIPU_CORES_USED] = x < c->v[AX_CC_AIPU_CORES] ? x : c->v[AX_CC_AIPU_CORES];
	}
	if (!c->origin[AX_CC_RESOURCES_USED].file) {
		long long r = (long long)ax_ccfg_cores_per_copy(c) * 250;
		c->v[AX_CC_RESOURCES_USED] = r > 1000 ? 1000 : r;
	}
}

/* input_tensor_shape (with input_tensor_layout NCHW, the default, or NHWC)
 * of a model entry, kept as [N, C, H, W] for ax_ccfg_check_input; a shape
 * of another rank or layout is not checked. */
static void read_input_shape(struct pstate *p, const struct ax_ynode *entry)
{
	const struct ax_ynode *sn = ax_ynode_get(entry, "input_tensor_shape");
	const struct ax_ynode *ln = ax_ynode_get(entry, "input_tensor_layout");
	if (!sn || is_null(sn))
		return;
	if (ax_ynode_expect(p->doc, sn, AX_Y_SEQ, "input_tensor_shape", p->err))
		return;
	long long d[4];
	char text[256] = "[";
	for (size_t i = 0; i < sn->n; i++) {
		long long v;
		if (ax_ynode_i64(p->doc, sn->items[i], "input_tensor_shape", 1, 1ll << 30, &v, p->err))
			return;
		if (i < 4)
			d[i] = v;
		size_t at = strlen(text);
		snprintf(text + at, sizeof(text) - at, "%s%lld", i ? ", " : "", v);
	}
	const char *layout = ln && ln->kind == AX_Y_SCALAR && !is_null(ln) ? ln->str : "NCHW";
	size_t at = strlen(text);
	snprintf(text + at, sizeof(text) - at, "] (%s)", layout);
	int nchw = !strcmp(layout, "NCHW"), nhwc = !strcmp(layout, "NHWC");
	if (sn->n != 4 || (!nchw && !nhwc))
		return;
	struct ax_ccfg *c = p->c;
	c->shape[0] = d[0];
	c->shape[1] = nchw ? d[1] : d[3];
	c->shape[2] = nchw ? d[2] : d[1];
	c->shape[3] = nchw ? d[3] : d[2];
	c->shape_given = 1;
	c->shape_line = sn->line;
	c->shape_col = sn->col;
	free(c->shape_text);
	c->shape_text = ax_xasprintf("%s:%d:%d: input_tensor_shape %s", p->doc->file, sn->line, sn->col, text);
}

int ax_ccfg_check_input(const struct ax_ccfg *c, unsigned long long h, unsigned long long w,
			unsigned long long ch, const char *net, struct ax_err *err)
{
	if (!c->shape_given)
		return AX_OK;
	if (c->shape[0] == 1 && (unsigned long long)c->shape[1] == ch &&
	    (unsigned long long)c->shape[2] == h && (unsigned long long)c->shape[3] == w)
		return AX_OK;
	/* shape_text is "file:line:col: input_tensor_shape [..] (LAYOUT)" */
	return ax_err_add(err, "%s does not match %s of %llux%llux%llu (HxWxC); expected [1, %llu, %llu, %llu] in NCHW",
			  c->shape_text, net, h, w, ch, ch, h, w);
}

int ax_ccfg_load(struct ax_ccfg *c, const char *path, const char *model,
		 const char *board, struct ax_err *err, struct ax_err *warn)
{
	ax_ccfg_init(c);
	struct ax_err local;
	ax_err_init(&local);
	struct ax_ydoc doc = { 0 };
	int rc = ax_ydoc_load_file(&doc, path, &local);
	if (rc)
		goto out;
	struct ax_err notmod;
	ax_err_init(&notmod);
	struct pstate p = { .doc = &doc, .err = &local, .warn = warn, .c = c, .notmod = &notmod,
			    .yaml_path = path };
	const struct ax_ynode *root = doc.root;
	if (board && strcmp(board, "pcie") && strcmp(board, "m2")) {
		ax_err_add(&local, "--board '%s': unknown board; expected pcie or m2", board);
		goto done;
	}
	if (!root || root->kind != AX_Y_MAP) {
		ax_err_add(&local, "%s:1:1: expected a mapping with 'models:' (a model YAML) or 'compilation_config:'", doc.file);
		goto done;
	}
	const struct ax_ynode *models = ax_ynode_get(root, "models");
	const struct ax_ynode *cc = ax_ynode_get(root, "compilation_config");
	if (!models && cc) {
		if (model)
			ax_err_add(&local, "--model '%s': %s has no models: section, only compilation_config", model, doc.file);
		read_compilation_config(&p, cc, "");
		if (board)
			ax_err_add(&local, "--board '%s': %s has no board sections", board, doc.file);
		goto done;
	}
	if (!models) {
		ax_err_add(&local, "%s:%d:%d: no 'models:' or 'compilation_config:' at the top level; expected a model YAML as the SDK writes it",
			   doc.file, root->line, root->col);
		goto done;
	}
	if (need_map(&p, models, "models"))
		goto done;
	if (models->n == 0) {
		ax_err_add(&local, "%s:%d:%d: models: is empty; expected at least one model", doc.file, models->line, models->col);
		goto done;
	}
	const struct ax_ynode *entry = NULL;
	const char *name = NULL;
	if (model) {
		entry = ax_ynode_get(models, model);
		name = model;
		if (!entry) {
			char list[2048];
			model_names(models, list, sizeof(list));
			ax_err_add(&local, "%s:%d:%d: --model '%s': no such model; expected one of %s",
				   doc.file, models->line, models->col, model, list);
			goto done;
		}
	} else if (models->n > 1) {
		char list[2048];
		model_names(models, list, sizeof(list));
		ax_err_add(&local, "%s:%d:%d: models: has %zu models; choose one with --model: %s",
			   doc.file, models->line, models->col, models->n, list);
		goto done;
	} else {
		entry = models->items[0];
		name = models->keys[0]->str;
	}
	c->model = ax_xstrdup(name);
	char what[300];
	snprintf(what, sizeof(what), "models.%s", name);
	if (need_map(&p, entry, what))
		goto done;
	read_input_shape(&p, entry);
	const struct ax_ynode *ek = ax_ynode_get(entry, "extra_kwargs");
	if (ek && !is_null(ek)) {
		read_extra(&p, ek, "extra_kwargs.", 0);
		/* Board sections: all are checked, the chosen one is applied over the rest. */
		for (size_t b = 0; boards[b] && ek->kind == AX_Y_MAP; b++) {
			const struct ax_ynode *bn = ax_ynode_get(ek, boards[b]);
			if (!bn)
				continue;
			char pre[64];
			snprintf(pre, sizeof(pre), "extra_kwargs.%s.", boards[b]);
			struct ax_ccfg scratch;
			struct pstate bp = p;
			memset(bp.set_here, 0, sizeof(bp.set_here));
			int apply = board && !strcmp(board, boards[b]);
			if (!apply) {
				scratch = *c;
				for (int i = 0; i < AX_CC_COUNT; i++)
					scratch.origin[i].file = NULL;
				scratch.model = scratch.board = scratch.config_file = scratch.shape_text = NULL;
				scratch.class_keys = NULL;
				scratch.n_class_keys = 0;
				bp.c = &scratch;
			}
			read_extra(&bp, bn, pre, 1);
			if (!apply)
				ax_ccfg_release(&scratch);
		}
	}
	if (board) {
		if (!ek || is_null(ek) || !ax_ynode_get(ek, board))
			ax_err_add(warn, "%s: --board '%s': model '%s' has no %s section; nothing to override",
				   doc.file, board, name, board);
		c->board = ax_xstrdup(board);
	}
done:
	derive_resources(c);
	if (!local.count)
		check_fields(&p);
	if (notmod.count) {
		/* one warning for every key of the file axsim accepts and ignores */
		char *list = joined(&notmod, ", ");
		ax_err_add(warn, "%s: accepted but not modelled by axsim, ignored: %s", doc.file, list);
		free(list);
	}
	ax_err_release(&notmod);
	rc = local.count ? AX_EINPUT : AX_OK;
out:
	ax_err_append(err, &local);
	ax_err_release(&local);
	ax_ydoc_release(&doc);
	return rc;
}

/* "file:line:col: " (or "origin: ") of a key, or a note for a default value. */
static void where_of(const struct ax_ccfg *c, enum ax_ccfg_id id, char *buf, size_t n)
{
	origin_prefix(&c->origin[id], NULL, buf, n);
}

int ax_ccfg_find(const char *key)
{
	for (int i = 0; i < AX_CC_COUNT; i++)
		if (!strcmp(keys[i].info.name, key))
			return i;
	return -1;
}

/* Words a YAML boolean may be (as the model YAML reader takes them). */
/* Parses text for key k, named what in messages ("where: what: 'text' is
 * ...; expected ..."); where is file:line:column or the origin of a --set. */
static int parse_text(const struct key *k, const char *text, const char *where, const char *what,
		      long long *out, struct ax_err *err)
{
	const char *name = what;
	switch (k->type) {
	case KT_BOOL: {
		int b;
		if (ax_parse_bool(text, &b))
			return ax_err_add(err, "%s: %s: '%s' is not a boolean; expected true or false",
					  where, name, text);
		*out = b;
		return AX_OK;
	}
	case KT_INT: {
		char *end;
		errno = 0;
		long long v = strtoll(text, &end, 10);
		if (!text[0] || *end || errno == ERANGE || v < k->lo || v > k->hi)
			return ax_err_add(err, "%s: %s: '%s' is %s; expected an integer from %lld to %lld",
					  where, name, text, (!text[0] || *end) ? "not an integer" : "out of range",
					  k->lo, k->hi);
		*out = v;
		return AX_OK;
	}
	case KT_MILLI: {
		char *end;
		errno = 0;
		double f = strtod(text, &end);
		double lo = (double)k->lo / 1000.0, hi = (double)k->hi / 1000.0;
		if (!text[0] || *end || errno == ERANGE || !isfinite(f) || f < lo || f > hi)
			return ax_err_add(err, "%s: %s: '%s' is %s; expected a number from %g to %g",
					  where, name, text, (!text[0] || *end) ? "not a number" : "out of range",
					  lo, hi);
		*out = (long long)(f * 1000.0 + 0.5);
		return AX_OK;
	}
	case KT_LIST: {
		/* "0,2" or "[0, 2]": distinct integers from lo to hi */
		unsigned long long mask = 0;
		const char *at = text;
		while (*at == ' ' || *at == '[')
			at++;
		while (*at && *at != ']') {
			char *end;
			errno = 0;
			long long v = strtoll(at, &end, 10);
			if (end == at || errno == ERANGE || v < k->lo || v > k->hi)
				return ax_err_add(err, "%s: %s: '%s' is not a list of core indices; expected %s",
						  where, name, text, k->info.range);
			if (mask >> v & 1)
				return ax_err_add(err, "%s: %s: '%s' names core %lld twice; expected %s",
						  where, name, text, v, k->info.range);
			mask |= 1ull << v;
			at = end;
			while (*at == ' ')
				at++;
			if (*at == ',')
				at++;
			while (*at == ' ')
				at++;
		}
		if (*at == ']')
			at++;
		if (*at)
			return ax_err_add(err, "%s: %s: '%s' is not a list of core indices; expected %s",
					  where, name, text, k->info.range);
		*out = (long long)mask;
		return AX_OK;
	}
	case KT_PATH:
		return ax_err_add(err, "%s: %s: '%s' can only be given in the model YAML; expected the keys of the file set one by one",
				  where, name, text);
	case KT_ENUM: {
		for (long long i = 0; k->enums[i]; i++)
			if (!strcmp(text, k->enums[i])) {
				*out = i;
				return AX_OK;
			}
		const char *s = ax_suggest(text, k->enums, (size_t)(k->hi + 1));
		return ax_err_add(err, "%s: %s: '%s' is not a known value%s%s%s; expected one of %s",
				  where, name, text, s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "",
				  k->info.range);
	}
	}
	AX_BUG("key %s has no type", name);
}

int ax_ccfg_set(struct ax_ccfg *c, const char *key, const char *value, const char *origin,
		struct ax_err *err)
{
	int id = ax_ccfg_find(key);
	if (id < 0) {
		const char *names[AX_CC_COUNT];
		for (int i = 0; i < AX_CC_COUNT; i++)
			names[i] = keys[i].info.name;
		const char *s = ax_suggest(key, names, AX_CC_COUNT);
		if (s)
			return ax_err_add(err, "%s: %s: unknown compilation key; did you mean '%s'?", origin, key, s);
		return ax_err_add(err, "%s: %s: unknown compilation key; expected a key of docs/config-reference.md",
				  origin, key);
	}
	long long v = 0;
	if (parse_text(&keys[id], value, origin, keys[id].info.name, &v, err))
		return AX_EINPUT;
	c->v[id] = v;
	free(c->origin[id].file);
	c->origin[id].file = ax_xstrdup(origin);
	c->origin[id].line = c->origin[id].col = 0;
	derive_resources(c);  /* the keys that follow this one (derived[]) */
	return AX_OK;
}

int ax_ccfg_check(const struct ax_ccfg *c, struct ax_err *err)
{
	int n0 = err->count;
	check_rules(c, NULL, err);
	return err->count > n0 ? AX_EINPUT : AX_OK;
}

int ax_ccfg_rule_key(const char *key)
{
	/* the keys check_rules and ax_ccfg_check_arch read */
	static const char *const rule_keys[] = {
		"elf_in_ddr", "l2_reserved_nbytes_tasklist", "aipu_cores_used", "aipu_cores",
		"max_compiler_cores", "multicore_mode", "max_execution_cores", "subdevices",
		"single_op_network_aicore_start_idx",
		"chip.cores", "l2.size", "l2.reserved",
	};
	for (size_t i = 0; i < sizeof(rule_keys) / sizeof(rule_keys[0]); i++)
		if (!strcmp(key, rule_keys[i]))
			return 1;
	return 0;
}

int ax_ccfg_check_arch(const struct ax_ccfg *c, const struct ax_arch *a, struct ax_err *err)
{
	int n0 = err->count;
	char w[600];
	if ((unsigned long long)c->v[AX_CC_AIPU_CORES] > a->chip_cores) {
		where_of(c, AX_CC_AIPU_CORES, w, sizeof(w));
		ax_err_add(err, "%saipu_cores: '%lld' is more than the chip's %llu cores (chip.cores); expected 1 to %llu",
			   w, c->v[AX_CC_AIPU_CORES], (unsigned long long)a->chip_cores,
			   (unsigned long long)a->chip_cores);
	}
	unsigned long long sub = (unsigned long long)c->v[AX_CC_SUBDEVICES];
	if (a->chip_cores < 64 && sub >> a->chip_cores) {
		char v[256];
		ax_ccfg_format(c, AX_CC_SUBDEVICES, v, sizeof(v));
		where_of(c, AX_CC_SUBDEVICES, w, sizeof(w));
		ax_err_add(err, "%ssubdevices: '%s' names a core the chip does not have (chip.cores %llu); expected indices from 0 to %llu",
			   w, v, (unsigned long long)a->chip_cores, (unsigned long long)a->chip_cores - 1);
	}
	unsigned long long start = (unsigned long long)c->v[AX_CC_SINGLE_OP_START_IDX];
	if (start && start + ax_ccfg_exec_cores(c) > a->chip_cores) {
		where_of(c, AX_CC_SINGLE_OP_START_IDX, w, sizeof(w));
		ax_err_add(err, "%ssingle_op_network_aicore_start_idx: '%llu' with %u cores runs past the chip's %llu cores (chip.cores); expected at most %llu",
			   w, start, ax_ccfg_exec_cores(c), (unsigned long long)a->chip_cores,
			   a->chip_cores > ax_ccfg_exec_cores(c) ? (unsigned long long)a->chip_cores - ax_ccfg_exec_cores(c) : 0ull);
	}
	unsigned long long free_l2 = a->l2_size - a->l2_reserved;
	if ((unsigned long long)c->v[AX_CC_L2_RESERVED_TASKLIST] >= free_l2) {
		where_of(c, AX_CC_L2_RESERVED_TASKLIST, w, sizeof(w));
		ax_err_add(err, "%sl2_reserved_nbytes_tasklist: '%lld' does not fit in L2; expected less than %llu bytes (l2.size - l2.reserved)",
			   w, c->v[AX_CC_L2_RESERVED_TASKLIST], free_l2);
	}
	return err->count > n0 ? AX_EINPUT : AX_OK;
}
