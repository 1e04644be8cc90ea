#include "report.h"
#include "stats.h"
#include "../config/keys.h"

#include "../common/output.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../lower/compute.h"

/* ---- derived figures (docs/report-format.md "Derived figures") ---- */

static uint64_t ps_to_cycles(const struct ax_result *r, uint64_t ps)
{
	return (ps + r->cycle_ps - 1) / r->cycle_ps;
}

static uint64_t latency_cycles(const struct ax_report_input *in)
{
	return ps_to_cycles(in->res, in->res->latency_ps);
}

static double peak_macs(const struct ax_report_input *in)
{
	return (double)ax_arch_peak_macs_per_cycle(&in->arch->arch);
}

/* docs/report-format.md "Derived figures": the chip's throughput.  With
 * back-to-back inferences it is the steady state, lanes x (N - 1)
 * inferences between the first and the last inference's end; with one, the
 * lanes over the latency.  A lane is one input in flight: one per core of a
 * batch instance, one per cooperative or pipeline instance. */
static double fps(const struct ax_report_input *in)
{
	const struct ax_result *r = in->res;
	if (r->inferences >= 2) {
		uint64_t span = r->infer_end_ps[r->inferences - 1] - r->infer_end_ps[0];
		if (span)
			return in->tl->lanes * (double)(r->inferences - 1) * 1e12 / (double)span;
	}
	if (!r->latency_ps)
		return 0;
	return in->tl->lanes * 1e12 / (double)r->latency_ps;
}

/* docs/timing-model.md "Host copies": the throughput the SDK's host sees
 * when every instance copies its input in over the host link, runs, and
 * copies its outputs back, one after another (its Host FPS is cores /
 * (memcpy-in + kernel + memcpy-out)), each copy at host.copy_bw, capped by
 * the link all instances share.  A batch instance copies its lanes' inputs
 * as one transfer and their outputs as another. */
static double host_fps(const struct ax_report_input *in)
{
	const struct ax_tasklist *tl = in->tl;
	const struct ax_arch *a = &in->arch->arch;
	double chip = fps(in);
	if (chip <= 0 || !tl->copies || !a->host_link_bps || !a->host_copy_bps)
		return 0;
	double bytes = 0;  /* one lane's input and outputs */
	for (size_t i = 0; i < in->net->n_layers; i++)
		if (in->net->layers[i].op == AX_OP_INPUT || in->net->layers[i].is_output)
			bytes += (double)tl->tensors[i].bytes;
	double per_inst = (double)tl->lanes / tl->copies;
	double round = tl->lanes / chip;  /* every lane finishes one inference */
	double copies = 2.0 * (double)a->host_copy_latency_ps * 1e-12 + per_inst * bytes / (double)a->host_copy_bps;
	double host = tl->lanes / (round + copies);
	double link = bytes > 0 ? (double)a->host_link_bps / bytes : host;
	return host < link ? host : link;
}

/* Cores one lane's layer runs on: all of a cooperative instance, else one. */
static uint32_t cores_per_lane(const struct ax_tasklist *tl)
{
	return tl->mode == AX_MC_COOPERATIVE ? tl->cores_per_copy : 1;
}

static const char *mode_name(const struct ax_tasklist *tl)
{
	return tl->cores_per_copy == 1 ? "batch-1" : ax_mc_name((int)tl->mode);
}

/* docs/timing-model.md "Where the time goes": the share of the cores' time
 * (to each one's last task) that every unit of a core stood idle while its
 * control core programmed an operator (setup) or while it did not. */
static double stall_share(const struct ax_report_input *in, int setup)
{
	const struct ax_result *r = in->res;
	uint64_t sum = 0;
	for (uint32_t k = 0; k < r->n_cores; k++)
		sum += setup ? r->stall_setup_ps[k] : r->stall_wait_ps[k];
	if (!r->run_end_ps || !r->n_cores)
		return 0;
	return (double)sum / ((double)r->n_cores * (double)r->run_end_ps);
}

/* Useful MACs per second over what the cores in use could do. */
static double imc_utilization(const struct ax_report_input *in)
{
	double peak_per_s = peak_macs(in) * in->res->n_cores * (double)in->tl->clock_hz;
	return (double)ax_net_macs(in->net) * fps(in) / peak_per_s;
}

/* Channels or instances that share an engine's busy time. */
static double engine_capacity(const struct ax_report_input *in, enum ax_engine e)
{
	const struct ax_result *r = in->res;
	switch (e) {
	case AX_E_DMA_CORE: return (double)r->n_cores * r->dma_core_channels;
	case AX_E_DMA_SYS: return r->dma_sys_channels;
	default: return r->n_cores;
	}
}

static double engine_busy_share(const struct ax_report_input *in, enum ax_engine e)
{
	const struct ax_result *r = in->res;
	uint64_t sum = 0;
	for (uint32_t k = 0; k < r->n_cores; k++)
		sum += r->busy_ps[k][e];
	if (!r->run_end_ps)
		return 0;
	return (double)sum / (engine_capacity(in, e) * (double)r->run_end_ps);
}

static double mem_busy_share(const struct ax_report_input *in, enum ax_mem m)
{
	const struct ax_mem_stats *s = &in->res->mem[m];
	if (!in->res->run_end_ps || !s->ports)
		return 0;
	return (double)s->busy_ps / ((double)s->ports * (double)in->res->run_end_ps);
}

static uint64_t mem_total(const struct ax_mem_stats *s, int write)
{
	uint64_t t = 0;
	for (int k = 0; k < AX_KIND_COUNT; k++)
		t += write ? s->write[k] : s->read[k];
	return t;
}

/* Byte counts are reported per inference (of every copy): the run's total
 * over the back-to-back inferences, which all move the same bytes. */
static uint64_t per_inf(const struct ax_report_input *in, uint64_t v)
{
	return v / in->res->inferences;
}

/* Cycles charged to layer i before cones are shared out: from the later of
 * its first task and the previous layer's end (in order of ending) to its
 * own end. */
static uint64_t raw_charge(const struct ax_report_input *in, size_t i, uint64_t *from_ps)
{
	const struct ax_layer_stats *ls = &in->res->layers[i];
	if (ls->end_ps == 0)
		return 0;
	uint64_t prev_end = 0;
	for (size_t j = 0; j < in->res->n_layers; j++) {
		uint64_t e = in->res->layers[j].end_ps;
		if (j != i && e && (e < ls->end_ps || (e == ls->end_ps && j < i)) && e > prev_end)
			prev_end = e;
	}
	*from_ps = ls->start_ps > prev_end ? ls->start_ps : prev_end;
	return ps_to_cycles(in->res, ls->end_ps) - *from_ps / in->res->cycle_ps;
}

static uint64_t busy_sum(const struct ax_layer_stats *ls)
{
	uint64_t b = 0;
	for (int e = 0; e < AX_E_COUNT; e++)
		b += ls->busy_ps[e];
	return b;
}

/*
 * docs/report-format.md "Layer time": layers overlap (weights of the next
 * layer are prefetched while this one computes), so a layer is charged the
 * time from the later of its own start and the previous layer's end (in order
 * of ending) to its own end; the charges add up to the timeline.  The members
 * of a fused cone run interleaved, so the cone's charges are pooled and
 * shared out in proportion to each member's busy time.
 */
void ax_report_layer(const struct ax_report_input *in, size_t i, struct ax_layer_figures *f)
{
	const struct ax_layer_stats *ls = &in->res->layers[i];
	const struct ax_layer_plan *lp = &in->tl->plans[i];
	memset(f, 0, sizeof(*f));
	if (ls->end_ps == 0)
		return;
	uint64_t from;
	f->cycles = raw_charge(in, i, &from);
	f->start_cycle = from / in->res->cycle_ps;
	f->end_cycle = ps_to_cycles(in->res, ls->end_ps);
	if (lp->group_size > 1) {
		uint64_t pool = 0, busy = 0;
		for (size_t j = 0; j < in->net->n_layers; j++) {
			if (in->tl->plans[j].group != lp->group)
				continue;
			uint64_t fr;
			pool += raw_charge(in, j, &fr);
			busy += busy_sum(&in->res->layers[j]);
		}
		__extension__ typedef unsigned __int128 u128;
		f->cycles = busy ? (uint64_t)((u128)pool * busy_sum(ls) / busy) : 0;
	}
	uint64_t span = ps_to_cycles(in->res, ls->end_ps) - ls->start_ps / in->res->cycle_ps;
	if (span)
		f->utilization = (double)ls->macs /
				 (peak_macs(in) * cores_per_lane(in->tl) * (double)span);
	uint64_t best = 0;
	f->bound = AX_E_IMC_MVM;
	for (int e = 0; e < AX_E_COUNT; e++) {
		if (e == AX_E_CTRL)
			continue;
		if (ls->busy_ps[e] > best) {
			best = ls->busy_ps[e];
			f->bound = (enum ax_engine)e;
		}
	}
}

/* Layers sorted by span, slowest first (ties: network order). */
static size_t *slowest(const struct ax_report_input *in, size_t *n)
{
	size_t nl = in->net->n_layers, k = 0;
	size_t *idx = ax_xcalloc(nl ? nl : 1, sizeof(size_t));
	uint64_t *cyc = ax_xcalloc(nl ? nl : 1, sizeof(uint64_t));
	for (size_t i = 0; i < nl; i++) {
		struct ax_layer_figures f;
		ax_report_layer(in, i, &f);
		cyc[i] = f.cycles;
		if (in->net->layers[i].op != AX_OP_INPUT)
			idx[k++] = i;
	}
	for (size_t a = 1; a < k; a++) { /* insertion sort: stable */
		size_t v = idx[a], b = a;
		while (b > 0 && cyc[idx[b - 1]] < cyc[v]) {
			idx[b] = idx[b - 1];
			b--;
		}
		idx[b] = v;
	}
	free(cyc);
	*n = k;
	return idx;
}

static const char *bound_name(enum ax_engine e)
{
	return ax_engine_lookup(e)->bound;
}

/* ---- attention (docs/report-format.md "attention") ---- */

/* What the products of two activations (dyn_matmul layers) cost (struct
 * ax_attention_figures, stats.h). */
static void attention(const struct ax_report_input *in, struct ax_attention_figures *af)
{
	memset(af, 0, sizeof(*af));
	for (size_t i = 0; i < in->net->n_layers; i++) {
		const struct ax_layer *l = &in->net->layers[i];
		if (l->op != AX_OP_MATMUL)
			continue;
		struct ax_layer_figures f;
		ax_report_layer(in, i, &f);
		af->layers++;
		af->macs += ax_layer_macs(in->net, l);
		af->cycles += f.cycles;
		af->write_cycles += ps_to_cycles(in->res, in->res->layers[i].busy_ps[AX_E_IMC_LOAD]);
		af->runtime_bytes += in->tl->plans[i].runtime_weight_bytes;
	}
}

static const char *matmul_unit(const struct ax_report_input *in)
{
	return in->arch->arch.dyn_matmul_unit == AX_MM_ON_DPU ? "dpu" : "imc";
}

/* ---- energy (docs/energy.md, docs/report-format.md "Energy") ---- */

void ax_report_energy(const struct ax_report_input *in, struct ax_energy *e, double *frames)
{
	const struct ax_result *r = in->res;
	ax_energy_compute(&in->arch->arch, in->tl->clock_hz, r->n_cores, &r->act, r->run_end_ps, e);
	*frames = (double)in->tl->lanes * (double)(r->inferences ? r->inferences : 1);
}

static double secs(uint64_t ps)
{
	return (double)ps * 1e-12;
}

/* ---- JSON ---- */

static json_t *jreal(double v)
{
	/* rounded to 6 significant digits so that the text is stable and short */
	char buf[64];
	snprintf(buf, sizeof(buf), "%.6g", v);
	return json_real(strtod(buf, NULL));
}

static json_t *jint(uint64_t v)
{
	return json_integer((json_int_t)v);
}

/* The bottleneck: the busiest engine or memory ("nothing" when all stood
 * idle), its busy share in *share.  The text and the JSON both say it. */
static const char *bottleneck(const struct ax_report_input *in, double *share)
{
	double best = 0;
	const char *what = "nothing";
	for (int e = 0; e < AX_E_COUNT; e++) {
		double v = engine_busy_share(in, (enum ax_engine)e);
		if (v > best) {
			best = v;
			what = ax_engine_name((enum ax_engine)e);
		}
	}
	for (int m = 0; m < AX_MEM_COUNT; m++) {
		double v = mem_busy_share(in, (enum ax_mem)m);
		if (v > best) {
			best = v;
			what = ax_mem_name((enum ax_mem)m);
		}
	}
	*share = best;
	return what;
}

/* docs/report-format.md "pipeline": the models of the run; one network is a
 * pipeline of one, built here into *one.  Returns the count. */
static size_t report_models(const struct ax_report_input *in, struct ax_report_model *one,
			    const struct ax_report_model **models)
{
	if (in->n_models) {
		*models = in->models;
		return in->n_models;
	}
	const struct ax_tasklist *tl = in->tl;
	*one = (struct ax_report_model){
		.name = in->cfg->model ? in->cfg->model : in->net->name ? in->net->name : "network",
		.cores = tl->n_cores, .copies = tl->copies, .runs_per_frame = 1, .rois_from = "first stage",
		.resources_used = tl->resources_milli * tl->copies / 1000.0, .fps = fps(in),
		.latency_ps = in->res->latency_ps, .inferences = in->res->inferences,
	};
	*models = one;
	return 1;
}

/* The pipeline's sustained frame rate: the slowest stage's inferences per
 * second over its runs per frame; *slowest its index. */
static double pipeline_fps(const struct ax_report_model *m, size_t n, size_t *slowest)
{
	double best = 0;
	*slowest = 0;
	for (size_t i = 0; i < n; i++) {
		double f = m[i].fps / m[i].runs_per_frame;
		if (i == 0 || f < best) {
			best = f;
			*slowest = i;
		}
	}
	return best;
}

/* ---- the statistics (stats.h): the JSON, the CSV and docs/report-format.md
 * are made from the table below; a new figure is a getter and a row ---- */

void ax_stat_ctx_init(struct ax_stat_ctx *c, const struct ax_report_input *in)
{
	memset(c, 0, sizeof(*c));
	c->in = in;
	ax_report_energy(in, &c->energy, &c->frames);
	c->n_models = report_models(in, &c->one, &c->models);
	pipeline_fps(c->models, c->n_models, &c->slowest_model);
	attention(in, &c->attention);
	c->layers = ax_xcalloc(in->net->n_layers ? in->net->n_layers : 1, sizeof(size_t));
	for (size_t i = 0; i < in->net->n_layers; i++)
		if (in->net->layers[i].op != AX_OP_INPUT)
			c->layers[c->n_layers++] = i;
}

void ax_stat_ctx_release(struct ax_stat_ctx *c)
{
	free(c->layers);
	c->layers = NULL;
}

#define N_OF(t) (sizeof(t) / sizeof((t)[0]))

/* A row of a statistics table: path, JSON type, unit, direction, meaning,
 * getter, then any other field by name. */
#define ST(path_, type_, unit_, better_, doc_, get_, ...) \
	{ .path = path_, .type = type_, .unit = unit_, .better = better_, .doc = doc_, .get = get_, __VA_ARGS__ }

/* A getter: fn's value is expr, of the context c and the members ix of the
 * path's <set> parts. */
#define STAT(fn, expr) \
	static json_t *fn(struct ax_stat_ctx *c, const int *ix) { return (expr); }
/* A number's getter: fn_v is the figure as computed, which the text report
 * prints; fn its JSON value (a real rounded by jreal, an integer). */
#define REAL(fn, expr) \
	static double fn##_v(struct ax_stat_ctx *c, const int *ix) { return (expr); } \
	STAT(fn, jreal(fn##_v(c, ix)))
#define INT(fn, expr) \
	static uint64_t fn##_v(struct ax_stat_ctx *c, const int *ix) { return (expr); } \
	STAT(fn, jint(fn##_v(c, ix)))

static double share_of_run(const struct ax_report_input *in, uint64_t ps)
{
	return in->res->run_end_ps ? (double)ps / (double)in->res->run_end_ps : 0;
}

static json_t *jnull_or(const char *s)
{
	return s ? json_string(s) : json_null();
}

STAT(s_schema, json_integer(AX_REPORT_SCHEMA_VERSION))
STAT(s_net_name, json_string(c->in->net->name ? c->in->net->name : ""))
INT(s_net_layers, c->in->net->n_layers)
INT(s_net_macs, ax_net_macs(c->in->net))
INT(s_net_params, ax_net_params(c->in->net))
INT(s_net_weight_bytes, c->in->tl->weight_bytes)

static json_t *s_config(struct ax_stat_ctx *c, const int *ix)
{
	json_t *o = json_object();
	for (int id = 0; id < AX_CC_COUNT; id++) {
		struct ax_key k;
		ax_key_find(ax_ccfg_keyinfo((enum ax_ccfg_id)id)->name, &k);
		json_object_set_new(o, k.name, ax_key_json(&k, NULL, c->in->cfg));
	}
	return o;
}

STAT(s_config_board, jnull_or(c->in->cfg->board))
STAT(s_config_model, jnull_or(c->in->cfg->model))

static json_t *s_arch(struct ax_stat_ctx *c, const int *ix)
{
	json_t *o = json_object();
	size_t n;
	const struct ax_arch_key *keys = ax_arch_keys(&n);
	for (size_t i = 0; i < n; i++) {
		struct ax_key k = { keys[i].path, &keys[i], -1 };
		json_object_set_new(o, k.name, ax_key_json(&k, &c->in->arch->arch, NULL));
	}
	return o;
}

INT(s_plan_cores, c->in->tl->n_cores)
INT(s_plan_copies, c->in->tl->copies)
INT(s_plan_inferences, c->in->res->inferences)
INT(s_plan_cores_per_copy, c->in->tl->cores_per_copy)
STAT(s_plan_mode, json_string(mode_name(c->in->tl)))
INT(s_plan_lanes, c->in->tl->lanes)
INT(s_plan_clock, c->in->tl->clock_hz)
INT(s_plan_tasks, c->in->tl->n_tasks)
INT(s_plan_tasklist_bytes, c->in->tl->tasklist_bytes)
STAT(s_plan_tasklist_home, json_string(ax_mem_name(c->in->tl->tasklist_home)))
INT(s_plan_tasklist_chunks, c->in->tl->tasklist_chunks)
STAT(s_plan_weight_home, json_string(ax_mem_name(c->in->tl->weight_home)))
INT(s_plan_weight_l2_bytes, c->in->tl->weight_l2_bytes)
REAL(s_plan_resources, c->in->tl->resources_milli / 1000.0)

INT(s_latency_cycles, latency_cycles(c->in))
REAL(s_latency_us, (double)c->in->res->latency_ps / 1e6)
INT(s_inferences, c->in->tl->lanes)
REAL(s_fps, fps(c->in))
REAL(s_host_fps, host_fps(c->in))
INT(s_macs, per_inf(c->in, c->in->res->macs))
REAL(s_imc_util, imc_utilization(c->in))

INT(s_attn_layers, c->attention.layers)
STAT(s_attn_unit, json_string(matmul_unit(c->in)))
INT(s_attn_macs, c->attention.macs)
INT(s_attn_cycles, c->attention.cycles)
REAL(s_attn_share, latency_cycles(c->in) ? (double)c->attention.cycles / (double)latency_cycles(c->in) : 0)
INT(s_attn_write_cycles, c->attention.write_cycles)
INT(s_attn_runtime_bytes, c->attention.runtime_bytes)

REAL(s_pipeline_fps, pipeline_fps(c->models, c->n_models, &(size_t){ 0 }))

STAT(s_pipeline_slowest, json_string(c->models[c->slowest_model].name))

static size_t models_count(struct ax_stat_ctx *c)
{
	return c->n_models;
}

static void elem_select(struct ax_stat_ctx *c, size_t k)
{
	c->elem = k;
}

#define MODEL (&c->models[c->elem])
STAT(s_model_name, json_string(MODEL->name))
INT(s_model_first_core, MODEL->core_base)
INT(s_model_cores, MODEL->cores)
INT(s_model_copies, MODEL->copies)
REAL(s_model_resources, MODEL->resources_used)
INT(s_model_runs, MODEL->runs_per_frame)
INT(s_model_inferences, MODEL->inferences)
REAL(s_model_fps, MODEL->fps)
REAL(s_model_frame_fps, MODEL->fps / MODEL->runs_per_frame)
REAL(s_model_latency_us, (double)MODEL->latency_ps / 1e6)
#undef MODEL

static const struct ax_stat model_stats[] = {
	ST("name", "string", "", 0, "its entry of `models:` (a single network: the `--model` chosen, else the network's name)", s_model_name),
	ST("first_core", "integer", "", 0, "its cores are `first_core` to `first_core + cores - 1`; copies of it running at once", s_model_first_core),
	ST("cores", "integer", "cores", 0, NULL, s_model_cores),
	ST("copies", "integer", "copies", 0, NULL, s_model_copies),
	ST("resources_used", "real", "share", 0, "its share of the chip's memories: `resources_used` of one copy x copies", s_model_resources),
	ST("runs_per_frame", "integer", "inferences", 0, "its inferences per frame: 1 for the first stage; for a later stage the regions of interest, `--rois` or the pipeline section's `top_k`", s_model_runs),
	ST("inferences_per_copy", "integer", "inferences", 0, "back-to-back inferences simulated on each of its copies", s_model_inferences),
	ST("fps", "real", "inferences/s", AX_STAT_HIGHER, "its inferences per second in the steady state, while every model ran: `lanes x (n - 1) / (end of its n-th inference - end of its first)` over the inferences that ended before the first model to finish did (all of them when fewer than two did)", s_model_fps),
	ST("frame_fps", "real", "frames/s", AX_STAT_HIGHER, "`fps / runs_per_frame`: the frames per second it keeps up with", s_model_frame_fps),
	ST("latency_us", "real", "us", AX_STAT_LOWER, "its first inference of every copy, sharing the chip with the others", s_model_latency_us),
};

REAL(s_energy_per_inf, c->energy.total_j / c->frames)
REAL(s_energy_power, secs(c->in->res->run_end_ps) > 0 ? c->energy.total_j / secs(c->in->res->run_end_ps) : 0)

static double per_inference_j(const struct ax_stat_ctx *c)
{
	return c->energy.total_j / c->frames;
}

REAL(s_energy_fps_per_w, per_inference_j(c) > 0 ? 1.0 / per_inference_j(c) : 0)
REAL(s_energy_tops_per_w, per_inference_j(c) > 0 ? 2.0 * (double)c->in->res->macs / c->frames /
							     per_inference_j(c) / 1e12 : 0)
REAL(s_energy_vdd, c->energy.vdd_v)
REAL(s_energy_static, c->energy.static_w)
REAL(s_energy_dynamic, c->energy.dynamic_j / c->frames)
REAL(s_energy_unit_j, c->energy.by_unit_j[ix[0]] / c->frames)
REAL(s_energy_unit_w, secs(c->in->res->run_end_ps) > 0 ? c->energy.by_unit_j[ix[0]] / secs(c->in->res->run_end_ps) : 0)
REAL(s_limit_w, (double)c->in->res->power_limit_uw * 1e-6)
INT(s_limit_windows, c->in->res->limiter_windows)
INT(s_limit_windows_over, c->in->res->limiter_windows_over)
REAL(s_limit_throttled_us, (double)c->in->res->throttled_ps / 1e6)
REAL(s_limit_throttled_share, share_of_run(c->in, c->in->res->throttled_ps))
REAL(s_limit_min_cap, c->in->res->power_limit_uw ? c->in->res->min_cap_pm / 1000.0
						       : c->in->tl->mvm_limit_permille / 1000.0)

REAL(s_busy, engine_busy_share(c->in, (enum ax_engine)ix[0]))
REAL(s_setup_stall, stall_share(c->in, 1))
REAL(s_wait_stall, stall_share(c->in, 0))

static json_t *s_bottleneck_unit(struct ax_stat_ctx *c, const int *ix)
{
	double share;
	return json_string(bottleneck(c->in, &share));
}

static double bottleneck_busy(const struct ax_report_input *in)
{
	double share;
	bottleneck(in, &share);
	return share;
}

REAL(s_bottleneck_busy, bottleneck_busy(c->in))

static size_t cores_count(struct ax_stat_ctx *c)
{
	return c->in->res->n_cores;
}

INT(s_core_index, c->elem)
INT(s_core_copy, c->elem / c->in->tl->cores_per_copy)
INT(s_core_end, ps_to_cycles(c->in->res, c->in->res->core_end_ps[c->elem]))

/* A core's engine's busy share of the whole run; its DMA per channel. */
static json_t *s_core_busy(struct ax_stat_ctx *c, const int *ix)
{
	const struct ax_result *r = c->in->res;
	double cap = ix[0] == AX_E_DMA_CORE ? r->dma_core_channels : 1;
	return jreal(r->run_end_ps ? (double)r->busy_ps[c->elem][ix[0]] / (cap * (double)r->run_end_ps) : 0);
}

static const struct ax_stat core_stats[] = {
	ST("core", "integer", "", 0, "the core's index and the copy it runs", s_core_index),
	ST("copy", "integer", "", 0, NULL, s_core_copy),
	ST("end_cycle", "integer", "cycles", 0, "when the core's last task of the first inference ended", s_core_end),
	ST("busy.<core_engine>", "real", "share", 0, "share of the whole run (all back-to-back inferences) the core's engine was busy; `dma_core` per channel", s_core_busy),
};

#define MEM (&c->in->res->mem[ix[0]])
INT(s_mem_read, per_inf(c->in, mem_total(MEM, 0)))
INT(s_mem_write, per_inf(c->in, mem_total(MEM, 1)))
INT(s_mem_kind_read, per_inf(c->in, MEM->read[ix[1]]))
INT(s_mem_kind_write, per_inf(c->in, MEM->write[ix[1]]))
REAL(s_mem_busy, mem_busy_share(c->in, (enum ax_mem)ix[0]))
INT(s_mem_peak, c->in->tl->peak_bytes[ix[0]])
#undef MEM
INT(s_ddr_spilled, c->in->tl->spilled_bytes)
INT(s_ddr_hits, c->in->res->ddr_row_hits)
INT(s_ddr_misses, c->in->res->ddr_row_misses)
INT(s_ddr_conflicts, c->in->res->ddr_row_conflicts)
INT(s_ddr_refreshes, c->in->res->ddr_refreshes)
INT(s_ddr_turnarounds, c->in->res->ddr_turnarounds)
REAL(s_l2_noc_busy, share_of_run(c->in, c->in->res->noc_busy_ps))

/* Achieved bandwidth while a channel's data bus was busy, over its peak. */
static json_t *s_ddr_efficiency(struct ax_stat_ctx *c, const int *ix)
{
	const struct ax_mem_stats *s = &c->in->res->mem[AX_MEM_DDR];
	uint64_t bytes = mem_total(s, 0) + mem_total(s, 1);
	double bus = (double)s->busy_ps;
	return jreal(bus > 0 ? (double)bytes / (bus * 1e-12) /
			       ((double)ax_arch_ddr_peak_bps(&c->in->arch->arch) / s->ports) : 0);
}

static size_t layers_count(struct ax_stat_ctx *c)
{
	return c->n_layers;
}

static void layer_select(struct ax_stat_ctx *c, size_t k)
{
	c->elem = c->layers[k];
	ax_report_layer(c->in, c->elem, &c->layer);
}

#define LAYER (&c->in->net->layers[c->elem])
#define LS (&c->in->res->layers[c->elem])
#define LP (&c->in->tl->plans[c->elem])
#define TENSOR (&c->in->tl->tensors[c->elem])
STAT(s_layer_name, json_string(LAYER->name))
STAT(s_layer_op, json_string(ax_op_name(LAYER->op)))
STAT(s_layer_unit, json_string(ax_unit_label(LP->main_unit)))
INT(s_layer_start, c->layer.start_cycle)
INT(s_layer_cycles, c->layer.cycles)
INT(s_layer_macs, LS->macs)
INT(s_layer_passes, LS->passes)
REAL(s_layer_util, c->layer.utilization)
STAT(s_layer_shape, json_pack("[III]", (json_int_t)LAYER->out.h, (json_int_t)LAYER->out.w, (json_int_t)LAYER->out.c))
STAT(s_layer_kernel, LAYER->op == AX_OP_CONV || LAYER->op == AX_OP_MAXPOOL || LAYER->op == AX_OP_AVGPOOL
		     ? json_pack("[III]", (json_int_t)LAYER->kh, (json_int_t)LAYER->kw, (json_int_t)LAYER->sh)
		     : json_null())
INT(s_layer_row_tiles, LP->row_tiles)
INT(s_layer_col_tiles, LP->col_tiles)
INT(s_layer_rows_used, LP->rows_used)
INT(s_layer_cols_used, LP->cols_used)
INT(s_layer_wwrite_stall, ps_to_cycles(c->in->res, LS->wwrite_stall_ps))
INT(s_layer_weight_bytes, LP->weight_bytes)
INT(s_layer_runtime_bytes, LP->runtime_weight_bytes)
INT(s_layer_runtime_cycles, LAYER->op == AX_OP_MATMUL ? ps_to_cycles(c->in->res, LS->busy_ps[AX_E_IMC_LOAD]) : 0)
INT(s_layer_icr, LP->icr)
STAT(s_layer_merged, LP->merged_into >= 0 ? json_string(c->in->net->layers[LP->merged_into].name) : json_null())
INT(s_layer_group, LP->group)
INT(s_layer_group_size, LP->group_size)
INT(s_layer_cone_tiles, LP->cone_tiles)
STAT(s_layer_home, json_string(ax_mem_name(TENSOR->home)))
STAT(s_layer_fused, json_boolean(TENSOR->fused))
INT(s_layer_out_bytes, TENSOR->bytes)
STAT(s_layer_bound, json_string(bound_name(c->layer.bound)))
INT(s_layer_busy, ps_to_cycles(c->in->res, LS->busy_ps[ix[0]]))
INT(s_layer_setup_stall, ps_to_cycles(c->in->res, LS->setup_stall_ps))
INT(s_layer_dma, ix[1] ? LS->dma_write[ix[0]] : LS->dma_read[ix[0]])
#undef LAYER
#undef LS
#undef LP
#undef TENSOR

static const struct ax_stat layer_stats[] = {
	ST("name", "string", "", 0, "as in the network", s_layer_name, .csv = 1, .csv_name = "layer"),
	ST("op", "string", "", 0, NULL, s_layer_op, .csv = 2),
	ST("unit", "string", "", 0, "the unit doing its arithmetic: `imc`, `dpu`, `dwpu`", s_layer_unit, .csv = 3),
	ST("start_cycle", "integer", "cycles", 0, "where the layer's charge on copy 0's timeline starts (\"Derived figures\" below)", s_layer_start, .csv = 4),
	ST("cycles", "integer", "cycles", AX_STAT_LOWER, "the layer's charge on copy 0's timeline: the cycles it adds to the latency", s_layer_cycles, .csv = 5),
	ST("macs", "integer", "MACs", 0, "useful MACs and IMC passes (copy 0)", s_layer_macs, .csv = 6),
	ST("passes", "integer", "passes", 0, NULL, s_layer_passes, .csv = 7),
	ST("utilization", "real", "share", AX_STAT_HIGHER, "`macs / (peak MAC rate x cores of its lane x the layer's span)`: the copy's cores when cooperative, else one", s_layer_util, .csv = 8),
	ST("output_shape", "array", "", 0, "its output's height, width and channels, three integers", s_layer_shape),
	ST("kernel", "array, null", "", 0, "a convolution's or pooling's kernel height, width and stride, three integers; null for other operators", s_layer_kernel),
	ST("row_tiles", "integer", "tiles", 0, "IMC tiles of its weight matrix", s_layer_row_tiles, .csv = 9),
	ST("col_tiles", "integer", "tiles", 0, NULL, s_layer_col_tiles, .csv = 10),
	ST("imc_rows_used", "integer", "rows", 0, "array rows and columns the layer's weights take: its matrix as mapped (input channels padded to `imc.pword`, kernel positions aligned, grouped convolutions expanded), with in-core replication's grown window and replicated columns; against `row_tiles x imc.rows` and `col_tiles x imc.cols` they show how much of the array the layer uses; 0 off the IMC", s_layer_rows_used),
	ST("imc_cols_used", "integer", "columns", 0, NULL, s_layer_cols_used),
	ST("imc_weight_bytes", "integer", "bytes", 0, "bytes of weights written into the IMC for the layer (replicated blocks included)", s_layer_weight_bytes, .csv = 14),
	ST("runtime_weight_bytes", "integer", "bytes", 0, "a `dyn_matmul`: bytes of its second operand written into the IMC at run time, and the weight-write engine's busy time on them (copy 0); 0 for other layers", s_layer_runtime_bytes),
	ST("runtime_write_cycles", "integer", "cycles", 0, NULL, s_layer_runtime_cycles),
	ST("icr", "integer", "", 0, "in-core replication factor (docs/imc.md)", s_layer_icr, .csv = 11),
	ST("merged_into", "string, null", "", 0, "a convolution the compiler merged into a sibling that reads the same input and feeds the same concat (docs/timing-model.md \"Concatenation\"): that sibling's name, whose operator computes this layer's channels and carries its cycles, passes and MACs; null otherwise", s_layer_merged),
	ST("group", "integer", "", 0, "the fused cone the layer belongs to, its members, and its row tiles per core (docs/tiling.md); a layer alone has group_size 1", s_layer_group, .csv = 12),
	ST("group_size", "integer", "layers", 0, NULL, s_layer_group_size, .csv = 13),
	ST("cone_tiles", "integer", "tiles", 0, NULL, s_layer_cone_tiles),
	ST("output_home", "string", "", 0, "where its output tensor was placed: `ddr`, `l2`, `l1`", s_layer_home, .csv = 15),
	ST("output_fused", "boolean", "", 0, "true when the output lives only as row tiles inside its cone", s_layer_fused),
	ST("output_bytes", "integer", "bytes", 0, "the size of its output tensor", s_layer_out_bytes, .csv = 16),
	ST("bound", "string", "", 0, "the busiest engine during the layer: `imc`, `weight-writes`, `dpu`, `dwpu`, `memory`, `setup` (the control core programming the layer)", s_layer_bound, .csv = 17),
	ST("busy_cycles.<engine>", "integer", "cycles", 0, "busy time of each engine on the layer's tasks (`setup`: programming the layer, or the cone it starts)", s_layer_busy),
	ST("weight_write_stall_cycles", "integer", "cycles", AX_STAT_LOWER, "time the layer's weight writes (static or run-time) ran while its core's array computed no pass (copy 0, first inference): weight-write time that no computation hid", s_layer_wwrite_stall),
	ST("setup_stall_cycles", "integer", "cycles", AX_STAT_LOWER, "time every unit of the core stood idle while the layer's set-up ran (copy 0, first inference): the overhead of programming it that nothing hid", s_layer_setup_stall),
	ST("dma.<mem>_<rw>_bytes", "integer", "bytes", 0, "bytes the layer's DMA tasks read from and wrote to each memory (copy 0)", s_layer_dma),
};

INT(s_sim_tasks, c->in->res->tasks)
INT(s_sim_cycles, ps_to_cycles(c->in->res, c->in->res->run_end_ps))
INT(s_sim_deltas, c->in->res->sc_deltas)
INT(s_sim_activations, c->in->res->activations)


static const struct ax_stat report_stats[] = {
	ST("schema_version", "integer", "", 0, "1; raised when a field changes meaning or disappears", s_schema),
	ST("network.name", "string", "", 0, "the network's name, as in its description", s_net_name),
	ST("network.layers", "integer", "layers", 0, "layers including inputs, MACs and parameters of one inference, weight section size", s_net_layers),
	ST("network.macs", "integer", "MACs", 0, NULL, s_net_macs),
	ST("network.params", "integer", "parameters", 0, NULL, s_net_params),
	ST("network.weight_bytes", "integer", "bytes", 0, NULL, s_net_weight_bytes),
	ST("config.*", "string, integer, real, boolean, null, array", "", 0, "the effective compilation configuration, one key per entry of the compilation table of docs/config-reference.md (`bool` keys as booleans, `integer` keys and `clock_profile` in MHz as integers, `fraction` keys as reals, `enum` keys as strings, `list` keys as arrays of integers, `path` keys as the file name written in the model YAML or null), plus `board` and `model`", s_config),
	ST("config.board", "string, null", "", 0, "the `--board` and `--model` given or chosen; null when none", s_config_board),
	ST("config.model", "string, null", "", 0, NULL, s_config_model),
	ST("arch.*", "integer", "", 0, "every hardware parameter of docs/config-reference.md under its dotted name (`arch` has the key `imc.rows`), in its base unit (bytes, Hz, bytes/s, ps, cycles, bytes/cycle, transfers/s, bits)", s_arch),
	ST("plan.cores", "integer", "cores", 0, "cores in use; copies (instances) of the compiled network running at once", s_plan_cores),
	ST("plan.copies", "integer", "copies", 0, NULL, s_plan_copies),
	ST("plan.inferences_per_copy", "integer", "inferences", 0, "back-to-back inferences simulated on each copy (`--inferences`, default 2)", s_plan_inferences),
	ST("plan.cores_per_copy", "integer", "cores", 0, "cores each copy spans", s_plan_cores_per_copy),
	ST("plan.multicore_mode", "string", "", 0, "how a copy's cores work (docs/timing-model.md \"Multi-core modes\"): `batch-1` (one core), `batch` (each core its own input), `cooperative` (the cores split every layer), `pipeline` (each core a stage of the layers)", s_plan_mode),
	ST("plan.lanes", "integer", "inputs", 0, "inputs in flight at once over all copies: copies x cores per copy in batch mode, else copies", s_plan_lanes),
	ST("plan.clock_hz", "integer", "Hz", 0, "the core clock used", s_plan_clock),
	ST("plan.tasks", "integer", "tasks", 0, "the lowered tasklist: tasks, bytes per core", s_plan_tasks),
	ST("plan.tasklist_bytes_per_core", "integer", "bytes", 0, NULL, s_plan_tasklist_bytes),
	ST("plan.tasklist_home", "string", "", 0, "where the tasklist lives: `ddr` or `l2`", s_plan_tasklist_home),
	ST("plan.tasklist_chunks", "integer", "chunks", 0, "chunks the tasklist is streamed in", s_plan_tasklist_chunks),
	ST("plan.weight_home", "string", "", 0, "`l2` (resident) or `ddr` (streamed per inference)", s_plan_weight_home),
	ST("plan.weight_l2_bytes", "integer", "bytes", 0, "bytes of each copy's weight section resident in L2; the rest streams from DDR every inference (docs/memory.md \"Weights\")", s_plan_weight_l2_bytes),
	ST("plan.resources_used", "real", "share", 0, "share of the chip's memories each copy owns", s_plan_resources),
	ST("totals.latency_cycles", "integer", "cycles", AX_STAT_LOWER, "time until every copy finished its first inference, in cycles; with `--inferences` 2 or more the later inferences start while the first runs and share its units and memories, so it can be a little longer than with `--inferences 1`, which gives the inference alone (\"Derived figures\" below)", s_latency_cycles, .compare = 1),
	ST("totals.latency_us", "real", "us", AX_STAT_LOWER, "the same in microseconds", s_latency_us),
	ST("totals.inferences", "integer", "inferences", 0, "inferences in that time (= lanes)", s_inferences),
	ST("totals.fps", "real", "inferences/s", AX_STAT_HIGHER, "the chip's throughput: with `--inferences` N of 2 or more, the steady state `lanes x (N - 1) / (end of the last inference - end of the first)`; with N = 1, `lanes / latency` (\"Derived figures\" below)", s_fps, .compare = 2),
	ST("totals.host_fps", "real", "inferences/s", AX_STAT_HIGHER, "the throughput with each inference's host copies: every instance copies its input in and its outputs out over the host link (`host.copy_bw`, `host.copy_latency`) one after the other with its inference, as the SDK's Host FPS counts them; at most the link's bandwidth (`host.link_bw`, shared by all instances) over one inference's bytes (docs/timing-model.md \"Host copies\")", s_host_fps),
	ST("totals.macs", "integer", "MACs", 0, "useful MACs of one inference of every copy", s_macs),
	ST("totals.imc_utilization", "real", "share", AX_STAT_HIGHER, "useful MACs per second over the peak of the cores in use: `network.macs x fps / (imc.rows x imc.cols / imc.cycles_per_pass x cores x clock)`; with N = 1 and one lane per copy this is `macs / (imc.rows x imc.cols / imc.cycles_per_pass x cores x latency_cycles)`", s_imc_util, .compare = 3),
	ST("attention.layers", "integer", "layers", 0, "`dyn_matmul` layers of the network: products of two activations, attention's Q x K^T and scores x V (docs/timing-model.md \"Products of two activations\"); 0, and the figures below 0, when it has none", s_attn_layers),
	ST("attention.unit", "string", "", 0, "the unit that computes them, `dyn_matmul.unit`: `imc` (their second operand written into the weight sets at run time) or `dpu`", s_attn_unit),
	ST("attention.macs", "integer", "MACs", 0, "their MACs in one inference", s_attn_macs),
	ST("attention.cycles", "integer", "cycles", AX_STAT_LOWER, "the cycles charged to them on copy 0's timeline (\"Layer time\" below), summed", s_attn_cycles),
	ST("attention.share", "real", "share", AX_STAT_LOWER, "`cycles / totals.latency_cycles`: the share of the latency that goes to attention's products", s_attn_share),
	ST("attention.weight_write_cycles", "integer", "cycles", AX_STAT_LOWER, "busy time of the weight-write engine on their run-time weights (copy 0, first inference, summed over its cores): overlapped with their passes as far as the weight sets allow", s_attn_write_cycles),
	ST("attention.runtime_weight_bytes", "integer", "bytes", 0, "bytes of their second operands written into the IMC in one inference of one copy (tiles with their padded rows); activations, not counted in `network.params`, `network.weight_bytes` or `plan.weight_l2_bytes`, and read from L1 as `memory.l1.activations`", s_attn_runtime_bytes),
	ST("pipeline.fps", "real", "frames/s", AX_STAT_HIGHER, "the pipeline's sustained frame rate: the slowest model's `frame_fps`; a single network is a pipeline of one, whose `fps` is `totals.fps` (docs/timing-model.md \"Pipelines of models\")", s_pipeline_fps),
	ST("pipeline.slowest", "string", "", 0, "the model that limits it", s_pipeline_slowest),
	ST("pipeline.models[]", "array", "", 0, "one object per model, in stage order (below); in a pipeline run (`axsim run --net MODEL=NET ...`) the other sections are the whole chip's, every model together, with the layers named `model/layer`; `plan.cores`, `.copies`, `.lanes` count every model, the rest of `plan` and `config` are the first model's", NULL,
	  .elem = model_stats, .n_elem = N_OF(model_stats), .count = models_count, .select = elem_select, .title = "Model objects"),
	ST("energy.per_inference_j", "real", "J", AX_STAT_LOWER, "energy of one inference: the run's energy (every copy, all back-to-back inferences, static power over the whole run) over its inferences (lanes x back-to-back inferences); docs/energy.md", s_energy_per_inf, .compare = 7),
	ST("energy.power_w", "real", "W", AX_STAT_LOWER, "the run's energy over its simulated time: the average power", s_energy_power),
	ST("energy.fps_per_w", "real", "inferences/J", AX_STAT_HIGHER, "`1 / per_inference_j`: inferences per joule, the fps per watt of the published figures", s_energy_fps_per_w, .compare = 8),
	ST("energy.tops_per_w", "real", "TOPS/W", AX_STAT_HIGHER, "effective efficiency: `2 x useful MACs per inference / per_inference_j / 1e12`", s_energy_tops_per_w),
	ST("energy.vdd_v", "real", "V", 0, "the core supply at the clock used (docs/energy.md \"Voltage\")", s_energy_vdd),
	ST("energy.static_w", "real", "W", AX_STAT_LOWER, "the part of the power that is proportional to time (clocked cores, leakage, uncore, the DRAM's background)", s_energy_static),
	ST("energy.dynamic_per_inference_j", "real", "J", AX_STAT_LOWER, "the part of `per_inference_j` that is proportional to activity; at another frame rate `fps`, an inference costs `dynamic_per_inference_j + static_w / fps`", s_energy_dynamic),
	ST("energy.by_unit.<energy_unit>.per_inference_j", "real", "J", AX_STAT_LOWER, "the same split by where the energy goes: IMC passes, weight writes, DPU, DWPU, L1, L2, NoC, DDR (bytes, activates, refreshes, background), control cores, clocked cores, leakage of cores and L2, the rest of the chip", s_energy_unit_j),
	ST("energy.by_unit.<energy_unit>.power_w", "real", "W", AX_STAT_LOWER, NULL, s_energy_unit_w),
	ST("energy.limiter.limit_w", "real", "W", 0, "the power limiter's limit (`power.limit`, or `power.m2_limit` with `--board m2`); 0 when it was off (docs/energy.md \"Limiter\")", s_limit_w),
	ST("energy.limiter.windows", "integer", "windows", 0, "limiter windows (`power.limiter_period`) measured, and those whose average power was above the limit", s_limit_windows),
	ST("energy.limiter.windows_over", "integer", "windows", 0, NULL, s_limit_windows_over),
	ST("energy.limiter.throttled_us", "real", "us", AX_STAT_LOWER, "time the limiter held the IMC cap below the model's `mvm_limitation`, and its share of the run", s_limit_throttled_us),
	ST("energy.limiter.throttled_share", "real", "share", AX_STAT_LOWER, NULL, s_limit_throttled_share),
	ST("energy.limiter.min_mvm_cap", "real", "fraction", 0, "the lowest IMC cap in force (a fraction; the model's `mvm_limitation` when the limiter was off or never acted)", s_limit_min_cap),
	ST("busy.<engine>", "real", "share", 0, "share of the time the engine was busy: `imc` (passes), `imc_load` (weight writes), `dpu`, `dwpu`, `dma_core` (per channel), `dma_sys` (per channel), `controller` (descriptor fetch and dispatch), `setup` (the control core programming operators, docs/timing-model.md \"Operator set-up\")", s_busy),
	ST("stalls.setup_stall", "real", "share", AX_STAT_LOWER, "share of the cores' time (to the end of the run) in which every compute unit and DMA channel of a core stood idle: while its control core programmed an operator (`setup_stall`), or while it did not, waiting for data, another core or a dependency (`wait_stall`); docs/timing-model.md \"Where the time goes\"", s_setup_stall),
	ST("stalls.wait_stall", "real", "share", AX_STAT_LOWER, NULL, s_wait_stall),
	ST("bottleneck.unit", "string", "", 0, "the busiest engine of `busy` or memory of `memory` (`nothing` when all stood idle): what the text report names as the bottleneck", s_bottleneck_unit),
	ST("bottleneck.busy", "real", "share", 0, "its busy share, as in `busy` or `memory.<ddr,l2,l1>.busy`", s_bottleneck_busy),
	ST("cores[]", "array", "", 0, "one object per core in use, in order (below)", NULL,
	  .elem = core_stats, .n_elem = N_OF(core_stats), .count = cores_count, .select = elem_select, .title = "Core objects"),
	ST("memory.<mem>.read_bytes", "integer", "bytes", AX_STAT_LOWER, "bytes read from and written to the memory in one inference of every copy (L1 summed over cores)", s_mem_read, .compare = 4, .compare_plus = "write_bytes"),
	ST("memory.<mem>.write_bytes", "integer", "bytes", AX_STAT_LOWER, NULL, s_mem_write),
	ST("memory.<mem>.<kind>.read_bytes", "integer", "bytes", AX_STAT_LOWER, "the same by kind of data", s_mem_kind_read),
	ST("memory.<mem>.<kind>.write_bytes", "integer", "bytes", AX_STAT_LOWER, NULL, s_mem_kind_write),
	ST("memory.<mem>.busy", "real", "share", 0, "port time used over ports x the whole run (all back-to-back inferences)", s_mem_busy),
	ST("memory.<mem>.peak_activation_bytes", "integer", "bytes", 0, "peak of the activations placed there (one copy)", s_mem_peak),
	ST("memory.ddr.spilled_activation_bytes", "integer", "bytes", AX_STAT_LOWER, "activation bytes placed in DDR for want of room in L2 (one copy; docs/memory.md \"Placement\")", s_ddr_spilled),
	ST("memory.ddr.row_hits", "integer", "requests", 0, "pieces of DDR requests that found their row open, their bank closed, another row open (docs/memory.md \"DDR\"; whole run)", s_ddr_hits),
	ST("memory.ddr.row_misses", "integer", "requests", 0, NULL, s_ddr_misses),
	ST("memory.ddr.row_conflicts", "integer", "requests", 0, NULL, s_ddr_conflicts),
	ST("memory.ddr.refreshes", "integer", "refreshes", 0, "refreshes and changes of bus direction (whole run)", s_ddr_refreshes),
	ST("memory.ddr.turnarounds", "integer", "turnarounds", 0, NULL, s_ddr_turnarounds),
	ST("memory.ddr.efficiency", "real", "share", AX_STAT_HIGHER, "bytes moved over the time a channel's data bus was busy, over one channel's peak bandwidth", s_ddr_efficiency),
	ST("memory.l2.noc_busy", "real", "share", 0, "time the NoC's aggregate bandwidth was in use, over the whole run (all back-to-back inferences), like every busy share", s_l2_noc_busy),
	ST("layers[]", "array", "", 0, "one object per layer except inputs, in network order (below)", NULL,
	  .elem = layer_stats, .n_elem = N_OF(layer_stats), .count = layers_count, .select = layer_select, .title = "Layer objects"),
	ST("simulation.tasks", "integer", "tasks", 0, "size of the simulation, for benchmarks: tasks, cycles simulated (all back-to-back inferences), SystemC delta cycles, process activations", s_sim_tasks),
	ST("simulation.simulated_cycles", "integer", "cycles", 0, NULL, s_sim_cycles),
	ST("simulation.sc_delta_cycles", "integer", "delta cycles", 0, NULL, s_sim_deltas),
	ST("simulation.activations", "integer", "activations", 0, NULL, s_sim_activations),
};

const struct ax_stat *ax_report_stats(size_t *n)
{
	*n = N_OF(report_stats);
	return report_stats;
}

json_t *ax_report_json(const struct ax_report_input *in)
{
	struct ax_stat_ctx c;
	ax_stat_ctx_init(&c, in);
	json_t *root = ax_stats_json(report_stats, N_OF(report_stats), &c);
	ax_stat_ctx_release(&c);
	return root;
}

int ax_write_atomic(const char *path, const char *text, size_t len, struct ax_err *err)
{
	return ax_out_write(path, text, len, err);
}

int ax_write_json(const json_t *j, const char *path, struct ax_err *err)
{
	char *s = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
	if (!s)
		AX_BUG("jansson could not serialise a JSON document for %s", path);
	size_t len = strlen(s);
	char *t = ax_xasprintf("%s\n", s);
	free(s);
	int rc = ax_write_atomic(path, t, len + 1, err);
	free(t);
	return rc;
}

int ax_report_write_json(const struct ax_report_input *in, const char *path, struct ax_err *err)
{
	json_t *j = ax_report_json(in);
	int rc = ax_write_json(j, path, err);
	json_decref(j);
	return rc;
}

/* CSV: one row per layer; fields are quoted as RFC 4180 says, when they
 * contain a comma, quote or line break. */
static void csv_field(char **buf, size_t *len, size_t *cap, const char *s)
{
	int q = strpbrk(s, ",\"\n\r") != NULL;
	size_t need = *len + 2 * strlen(s) + 4;
	AX_GROW(*buf, *cap, need);
	char *p = *buf + *len;
	if (q)
		*p++ = '"';
	for (; *s; s++) {
		if (*s == '"')
			*p++ = '"';
		*p++ = *s;
	}
	if (q)
		*p++ = '"';
	*len = (size_t)(p - *buf);
}

char *ax_csv_quote(const char *s)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	csv_field(&buf, &len, &cap, s);
	AX_GROW(buf, cap, len + 1);
	buf[len] = '\0';
	return buf;
}

char *ax_report_csv(const struct ax_report_input *in, size_t *out_len)
{
	struct ax_stat_ctx c;
	ax_stat_ctx_init(&c, in);
	size_t n;
	const struct ax_stat *layers = ax_stats_find(report_stats, N_OF(report_stats), "layers.0");
	char *buf = ax_stats_csv(layers, &c, &n);
	ax_stat_ctx_release(&c);
	*out_len = n;
	return buf;
}

int ax_report_write_csv(const struct ax_report_input *in, const char *path, struct ax_err *err)
{
	size_t len;
	char *buf = ax_report_csv(in, &len);
	int rc = ax_write_atomic(path, buf, len, err);
	free(buf);
	return rc;
}

/* ---- text ---- */

void ax_human_bytes(uint64_t b, char *buf, size_t n)
{
	if (b >= 1000000000ull)
		snprintf(buf, n, "%.2f GB", (double)b / 1e9);
	else if (b >= 1000000ull)
		snprintf(buf, n, "%.2f MB", (double)b / 1e6);
	else if (b >= 1000ull)
		snprintf(buf, n, "%.1f kB", (double)b / 1e3);
	else
		snprintf(buf, n, "%llu B", (unsigned long long)b);
}

/* The text report's pipeline section (several models only). */
static void pipeline_text(struct ax_stat_ctx *c, FILE *out)
{
	const struct ax_report_model *m = c->models;
	size_t n = c->n_models;
	fprintf(out, "\n  pipeline   %zu models at once, %.1f frames/s sustained (limited by %s)\n", n,
		s_pipeline_fps_v(c, NULL), m[c->slowest_model].name);
	for (size_t i = 0; i < n; i++) {
		elem_select(c, i);
		fprintf(out, "\n  model %s: cores %u-%u, %u cop%s, resources_used %.2f, %u run%s per frame (%s)\n",
			m[i].name, m[i].core_base, m[i].core_base + m[i].cores - 1, m[i].copies,
			m[i].copies == 1 ? "y" : "ies", m[i].resources_used, m[i].runs_per_frame,
			m[i].runs_per_frame == 1 ? "" : "s", m[i].rois_from);
		fprintf(out, "    latency    %.1f us (first inference of every copy)\n", s_model_latency_us_v(c, NULL));
		fprintf(out, "    throughput %.1f inferences/s = %.1f frames/s (steady state over %llu back-to-back)\n",
			s_model_fps_v(c, NULL), s_model_frame_fps_v(c, NULL), (unsigned long long)m[i].inferences);
	}
	fprintf(out, "\n  (the figures below are the whole chip's, every model together; the\n"
		     "  layers are named model/layer)\n");
}

/* The text report: its figures are the statistics' own getters (the _v
 * functions above), so that a figure is computed in one place. */
void ax_report_text(const struct ax_report_input *in, FILE *out)
{
	const struct ax_result *r = in->res;
	const struct ax_tasklist *tl = in->tl;
	struct ax_stat_ctx sc, *c = &sc;
	ax_stat_ctx_init(c, in);
	char b1[32], b2[32];
	fprintf(out, "axsim: %s on %s", in->net->name ? in->net->name : "network", in->arch->name);
	if (in->cfg->model)
		fprintf(out, " (model %s%s%s)", in->cfg->model, in->cfg->board ? ", board " : "",
			in->cfg->board ? in->cfg->board : "");
	fprintf(out, "\n");
	fprintf(out, "  config     tiling_depth %lld, in_core_replication %s, page_memory %s, elf_in_ddr %s, %s\n",
		in->cfg->v[AX_CC_TILING_DEPTH], in->cfg->v[AX_CC_IN_CORE_REPLICATION] ? "on" : "off",
		in->cfg->v[AX_CC_PAGE_MEMORY] ? "on" : "off", in->cfg->v[AX_CC_ELF_IN_DDR] ? "true" : "false",
		ax_ptq_name((int)in->cfg->v[AX_CC_PTQ_SCHEME]));
	if (in->n_models)
		fprintf(out, "  cores      %u in use by %zu models (%u copies, %u inputs at once), %.0f MHz\n", tl->n_cores,
			in->n_models, tl->copies, tl->lanes, (double)tl->clock_hz / 1e6);
	else
		fprintf(out, "  cores      %u in use: %u cop%s x %u core%s (%s, %u input%s at once), %.0f MHz, IMC capped at %g%%\n",
			tl->n_cores, tl->copies, tl->copies == 1 ? "y" : "ies", tl->cores_per_copy,
			tl->cores_per_copy == 1 ? "" : "s", mode_name(tl), tl->lanes, tl->lanes == 1 ? "" : "s",
			(double)tl->clock_hz / 1e6, (double)tl->mvm_limit_permille / 10.0);
	if (in->n_models)
		pipeline_text(c, out);
	fprintf(out, "\n");
	double fps_v = s_fps_v(c, NULL);
	fprintf(out, "  latency    %llu cycles = %.1f us per inference\n",
		(unsigned long long)s_latency_cycles_v(c, NULL), s_latency_us_v(c, NULL));
	if (r->inferences >= 2)
		fprintf(out, "  throughput %.1f inferences/s (chip, %u at once, steady state over %u back-to-back)\n",
			fps_v, tl->lanes, r->inferences);
	else
		fprintf(out, "  throughput %.1f inferences/s (chip, %u at once)\n", fps_v, tl->lanes);
	fprintf(out, "             %.1f inferences/s with each inference's host copies (%s)\n", s_host_fps_v(c, NULL),
		"input in, outputs out over the host link, serial per instance");
	fprintf(out, "  IMC        %.1f%% utilisation (%.1f TMAC/s useful of %.1f TMAC/s peak)\n",
		100.0 * s_imc_util_v(c, NULL), (double)s_net_macs_v(c, NULL) * fps_v / 1e12,
		peak_macs(in) * r->n_cores * (double)tl->clock_hz / 1e12);
	ax_human_bytes(s_net_weight_bytes_v(c, NULL), b1, sizeof(b1));
	ax_human_bytes(s_mem_kind_read_v(c, (const int[]){ AX_MEM_L1, AX_KIND_WEIGHTS }) / tl->lanes, b2, sizeof(b2));
	if (tl->weight_l2_bytes == tl->weight_bytes)
		fprintf(out, "  weights    %s resident in L2; %s written into the IMC per inference\n", b1, b2);
	else if (tl->weight_l2_bytes == 0)
		fprintf(out, "  weights    %s streamed from DDR; %s written into the IMC per inference\n", b1, b2);
	else
		fprintf(out, "  weights    %s, %.0f%% resident in L2, the rest streamed from DDR; %s written into the IMC per inference\n",
			b1, 100.0 * (double)tl->weight_l2_bytes / (double)tl->weight_bytes, b2);
	uint64_t attn_layers = s_attn_layers_v(c, NULL);
	if (attn_layers) {
		fprintf(out, "  attention  %llu dyn_matmul layer%s on the %s: %llu cycles, %.1f%% of the latency",
			(unsigned long long)attn_layers, attn_layers == 1 ? "" : "s", matmul_unit(in),
			(unsigned long long)s_attn_cycles_v(c, NULL), 100.0 * s_attn_share_v(c, NULL));
		/* (on the DPU nothing is written into the IMC) */
		if (s_attn_runtime_bytes_v(c, NULL)) {
			ax_human_bytes(s_attn_runtime_bytes_v(c, NULL), b1, sizeof(b1));
			fprintf(out, "; %s of run-time weights written in %llu cycles", b1,
				(unsigned long long)s_attn_write_cycles_v(c, NULL));
		}
		fprintf(out, "\n");
	}
	{
		/* docs/timing-model.md "Concatenation": siblings folded into one operator */
		size_t merged = 0;
		for (size_t i = 0; i < in->net->n_layers; i++)
			merged += tl->plans[i].merged_into >= 0;
		if (merged)
			fprintf(out, "  merged     %zu convolution%s computed in a sibling's operator (a concat of "
				"convolutions of one tensor, folded)\n", merged, merged == 1 ? "" : "s");
	}
	fprintf(out, "  tasklist   %llu descriptors/core, %s in %s%s\n",
		(unsigned long long)(tl->tasklist_bytes / in->arch->arch.ctrl_descriptor_bytes),
		(ax_human_bytes(tl->tasklist_bytes, b1, sizeof(b1)), b1), ax_mem_name(tl->tasklist_home),
		tl->tasklist_chunks > 1 ? " (streamed in chunks)" : "");
	{
		const struct ax_energy *e = &c->energy;
		fprintf(out, "  energy     %.3f mJ per inference = %.0f fps/W, %.2f TOPS/W; %.2f W average at %.2f V (%.2f W static)\n",
			s_energy_per_inf_v(c, NULL) * 1e3, s_energy_fps_per_w_v(c, NULL), s_energy_tops_per_w_v(c, NULL),
			s_energy_power_v(c, NULL), s_energy_vdd_v(c, NULL), s_energy_static_v(c, NULL));
		fprintf(out, "             ");
		for (int k = 0; k < AX_EU_COUNT; k++)
			fprintf(out, "%s %.0f%%%s", ax_energy_unit_name((enum ax_energy_unit)k),
				e->total_j > 0 ? 100.0 * e->by_unit_j[k] / e->total_j : 0.0, k + 1 < AX_EU_COUNT ? ", " : "\n");
		if (r->power_limit_uw)
			fprintf(out, "  limiter    %.2f W: IMC cap below the model's %.0f%% of the time (lowest %.1f%%), %llu of %llu windows above the limit\n",
				s_limit_w_v(c, NULL), 100.0 * s_limit_throttled_share_v(c, NULL),
				100.0 * s_limit_min_cap_v(c, NULL), (unsigned long long)s_limit_windows_over_v(c, NULL),
				(unsigned long long)s_limit_windows_v(c, NULL));
	}
	fprintf(out, "\n  busy       ");
	for (int e = 0; e < AX_E_COUNT; e++)
		fprintf(out, "%s %.0f%%%s", ax_engine_name((enum ax_engine)e),
			100.0 * s_busy_v(c, (const int[]){ e }), e + 1 < AX_E_COUNT ? ", " : "\n");
	fprintf(out, "  stalls     every unit of a core idle: %.0f%% while its control core sets up operators (%.1f us each), %.0f%% waiting for data or other cores\n",
		100.0 * s_setup_stall_v(c, NULL), (double)in->arch->arch.ctrl_op_setup_cycles * 1e6 / (double)tl->clock_hz,
		100.0 * s_wait_stall_v(c, NULL));
	char scope[96];
	if (tl->copies > 1)
		snprintf(scope, sizeof(scope), "(one inference on each of the %u copies, summed%s)", tl->copies,
			 r->n_cores > 1 ? "; l1 over all cores" : "");
	else
		snprintf(scope, sizeof(scope), "(per inference%s)", r->n_cores > 1 ? "; l1 summed over cores" : "");
	fprintf(out, "\n  %-10s %10s %10s %11s %11s %11s %11s  %5s  %s\n", "memory", "read", "written", "weights",
		"activations", "tasklist", "constants", "busy", scope);
	for (int m = 0; m < AX_MEM_COUNT; m++) {
		const struct ax_mem_stats *s = &r->mem[m];
		ax_human_bytes(s_mem_read_v(c, (const int[]){ m }), b1, sizeof(b1));
		ax_human_bytes(s_mem_write_v(c, (const int[]){ m }), b2, sizeof(b2));
		fprintf(out, "  %-10s %10s %10s", ax_mem_name((enum ax_mem)m), b1, b2);
		for (int k = 0; k < AX_KIND_COUNT; k++) {
			ax_human_bytes(per_inf(in, s->read[k] + s->write[k]), b1, sizeof(b1));
			fprintf(out, " %11s", b1);
		}
		fprintf(out, "  %4.0f%%\n", 100.0 * s_mem_busy_v(c, (const int[]){ m }));
	}
	uint64_t hits = s_ddr_hits_v(c, NULL), conflicts = s_ddr_conflicts_v(c, NULL);
	uint64_t acc = hits + s_ddr_misses_v(c, NULL) + conflicts;
	if (s_ddr_spilled_v(c, NULL) || acc) {
		ax_human_bytes(s_ddr_spilled_v(c, NULL), b1, sizeof(b1));
		fprintf(out, "  ddr rows   %.0f%% hits, %.0f%% conflicts, %llu refreshes; %s of activations spilled per copy (page_memory %s)\n",
			acc ? 100.0 * (double)hits / (double)acc : 0.0, acc ? 100.0 * (double)conflicts / (double)acc : 0.0,
			(unsigned long long)s_ddr_refreshes_v(c, NULL), b1, in->cfg->v[AX_CC_PAGE_MEMORY] ? "on" : "off");
	}
	if (r->n_cores > 1) {
		fprintf(out, "  cores      ");
		for (uint32_t k = 0; k < r->n_cores; k++)
			fprintf(out, "%u: %.1f us%s", k, (double)r->core_end_ps[k] / 1e6, k + 1 < r->n_cores ? ", " : "\n");
	}
	size_t n;
	size_t *idx = slowest(in, &n);
	/* the op column is as wide as the longest op name shown (dyn_matmul,
	 * global_avgpool), at least 7 */
	int opw = 7;
	for (size_t i = 0; i < n && i < 5; i++) {
		int w = (int)strlen(ax_op_name(in->net->layers[idx[i]].op));
		opw = w > opw ? w : opw;
	}
	fprintf(out, "\n  %-22s %-*s %-14s %-7s %9s  %6s  %4s  %3s  %-6s %s\n", "slowest layers", opw, "op", "output",
		"kernel", "cycles", "share", "util", "icr", "cone", "bound");
	uint64_t tot = s_latency_cycles_v(c, NULL);
	for (size_t i = 0; i < n && i < 5; i++) {
		struct ax_layer_figures f;
		ax_report_layer(in, idx[i], &f);
		const struct ax_layer *l = &in->net->layers[idx[i]];
		const struct ax_layer_plan *lp = &tl->plans[idx[i]];
		int on_imc = lp->row_tiles > 0;
		char cone[16] = "-", shape[40], kernel[24] = "-", util[8] = "-", icr[8] = "-";
		if (lp->group_size > 1)
			snprintf(cone, sizeof(cone), "%u/%u", lp->group, lp->group_size);
		snprintf(shape, sizeof(shape), "%ux%ux%u", l->out.h, l->out.w, l->out.c);
		if (l->op == AX_OP_CONV || l->op == AX_OP_MAXPOOL || l->op == AX_OP_AVGPOOL)
			snprintf(kernel, sizeof(kernel), "%ux%u/%u", l->kh, l->kw, l->sh);
		if (on_imc) {
			snprintf(util, sizeof(util), "%.0f%%", 100.0 * f.utilization);
			snprintf(icr, sizeof(icr), "%u", lp->icr);
		}
		fprintf(out, "  %-22.22s %-*s %-14s %-7s %9llu  %5.1f%%  %4s  %3s  %-6s %s\n", l->name,
			opw, ax_op_name(l->op), shape, kernel, (unsigned long long)f.cycles,
			tot ? 100.0 * (double)f.cycles / (double)tot : 0.0, util, icr, cone, bound_name(f.bound));
	}
	free(idx);
	if (n)
		fprintf(out, "  (output: height x width x channels; kernel: height x width / stride; share: of the\n"
			     "  latency; util: IMC utilisation over the layer's span; icr: in-core replication\n"
			     "  factor; cone: fused group / layers in it; - where a figure does not apply)\n");
	double best;
	const char *what = bottleneck(in, &best);
	fprintf(out, "\n  bottleneck %s (busy %.0f%% of the time)\n", what, 100.0 * best);
	ax_stat_ctx_release(c);
}
