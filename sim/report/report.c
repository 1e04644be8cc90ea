#include "report.h"

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
 * (memcpy-in + kernel + memcpy-out)), capped by the link itself.  A batch
 * instance copies its lanes' inputs as one transfer and their outputs as
 * another. */
static double host_fps(const struct ax_report_input *in)
{
	const struct ax_tasklist *tl = in->tl;
	const struct ax_arch *a = &in->arch->arch;
	double chip = fps(in);
	if (chip <= 0 || !tl->copies || !a->host_link_bps)
		return 0;
	double bytes = 0;  /* one lane's input and outputs */
	for (size_t i = 0; i < in->net->n_layers; i++)
		if (in->net->layers[i].op == AX_OP_INPUT || in->net->layers[i].is_output)
			bytes += (double)tl->tensors[i].bytes;
	double per_inst = (double)tl->lanes / tl->copies;
	double round = tl->lanes / chip;  /* every lane finishes one inference */
	double copies = 2.0 * (double)a->host_copy_latency_ps * 1e-12 + per_inst * bytes / (double)a->host_link_bps;
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
	switch (e) {
	case AX_E_IMC_MVM: return "imc";
	case AX_E_IMC_LOAD: return "weight-writes";
	case AX_E_DPU: return "dpu";
	case AX_E_DWPU: return "dwpu";
	case AX_E_DMA_CORE: case AX_E_DMA_SYS: return "memory";
	case AX_E_SETUP: return "setup";
	default: return "dispatch";
	}
}

/* ---- attention (docs/report-format.md "attention") ---- */

/* What the products of two activations (dyn_matmul layers) cost: their
 * count, MACs, the cycles charged to them, their weight-write engine's
 * busy time (copy 0, first inference) and the run-time weight bytes one
 * copy writes into the IMC per inference (docs/timing-model.md "Products
 * of two activations"). */
struct attention_figures {
	uint64_t layers, macs, cycles, write_cycles, runtime_bytes;
};

static void attention(const struct ax_report_input *in, struct attention_figures *af)
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

json_t *ax_report_ccfg_value(const struct ax_ccfg *cfg, enum ax_ccfg_id id)
{
	const struct ax_ccfg_keyinfo *ki = ax_ccfg_keyinfo(id);
	char buf[64];
	ax_ccfg_format(cfg, id, buf, sizeof(buf));
	if (!strcmp(ki->type, "bool"))
		return json_boolean(cfg->v[id]);
	if (!strcmp(ki->type, "integer"))
		return json_integer(cfg->v[id]);
	if (!strcmp(ki->type, "fraction"))
		return jreal((double)cfg->v[id] / 1000.0);
	if (id == AX_CC_CLOCK_PROFILE)
		return json_integer((json_int_t)ax_ccfg_clock_mhz(cfg));
	if (!strcmp(ki->type, "path"))
		return cfg->v[id] && cfg->config_file ? json_string(cfg->config_file) : json_null();
	if (!strcmp(ki->type, "list")) {
		json_t *a = json_array();
		for (int i = 0; i < 64; i++)
			if ((unsigned long long)cfg->v[id] >> i & 1)
				json_array_append_new(a, json_integer(i));
		return a;
	}
	return json_string(buf);
}

static json_t *config_json(const struct ax_report_input *in)
{
	json_t *c = json_object();
	for (int id = 0; id < AX_CC_COUNT; id++)
		json_object_set_new(c, ax_ccfg_keyinfo((enum ax_ccfg_id)id)->name,
				    ax_report_ccfg_value(in->cfg, (enum ax_ccfg_id)id));
	json_object_set_new(c, "board", in->cfg->board ? json_string(in->cfg->board) : json_null());
	return c;
}

static json_t *arch_json(const struct ax_report_input *in)
{
	json_t *o = json_object();
	size_t n;
	const struct ax_arch_key *keys = ax_arch_keys(&n);
	for (size_t i = 0; i < n; i++)
		json_object_set_new(o, keys[i].path, jint(ax_arch_get(&in->arch->arch, &keys[i])));
	return o;
}

static json_t *mem_json(const struct ax_report_input *in, enum ax_mem m)
{
	const struct ax_mem_stats *s = &in->res->mem[m];
	json_t *o = json_object();
	json_object_set_new(o, "read_bytes", jint(per_inf(in, mem_total(s, 0))));
	json_object_set_new(o, "write_bytes", jint(per_inf(in, mem_total(s, 1))));
	for (int k = 0; k < AX_KIND_COUNT; k++) {
		json_t *kk = json_object();
		json_object_set_new(kk, "read_bytes", jint(per_inf(in, s->read[k])));
		json_object_set_new(kk, "write_bytes", jint(per_inf(in, s->write[k])));
		json_object_set_new(o, ax_kind_name((enum ax_kind)k), kk);
	}
	json_object_set_new(o, "busy", jreal(mem_busy_share(in, m)));
	json_object_set_new(o, "peak_activation_bytes", jint(in->tl->peak_bytes[m]));
	if (m == AX_MEM_DDR) {
		const struct ax_result *r = in->res;
		json_object_set_new(o, "spilled_activation_bytes", jint(in->tl->spilled_bytes));
		json_object_set_new(o, "row_hits", jint(r->ddr_row_hits));
		json_object_set_new(o, "row_misses", jint(r->ddr_row_misses));
		json_object_set_new(o, "row_conflicts", jint(r->ddr_row_conflicts));
		json_object_set_new(o, "refreshes", jint(r->ddr_refreshes));
		json_object_set_new(o, "turnarounds", jint(r->ddr_turnarounds));
		uint64_t bytes = mem_total(s, 0) + mem_total(s, 1);
		double bus = (double)s->busy_ps;
		/* achieved bandwidth while the data bus was busy, over the peak */
		json_object_set_new(o, "efficiency", jreal(bus > 0 ? (double)bytes / (bus * 1e-12) /
						   ((double)ax_arch_ddr_peak_bps(&in->arch->arch) / s->ports) : 0));
	}
	if (m == AX_MEM_L2)
		json_object_set_new(o, "noc_busy", jreal(in->res->run_end_ps ?
			(double)in->res->noc_busy_ps / (double)in->res->run_end_ps : 0));
	return o;
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

static json_t *attention_json(const struct ax_report_input *in)
{
	struct attention_figures af;
	attention(in, &af);
	uint64_t lat = latency_cycles(in);
	json_t *o = json_object();
	json_object_set_new(o, "layers", jint(af.layers));
	json_object_set_new(o, "unit", json_string(matmul_unit(in)));
	json_object_set_new(o, "macs", jint(af.macs));
	json_object_set_new(o, "cycles", jint(af.cycles));
	json_object_set_new(o, "share", jreal(lat ? (double)af.cycles / (double)lat : 0));
	json_object_set_new(o, "weight_write_cycles", jint(af.write_cycles));
	json_object_set_new(o, "runtime_weight_bytes", jint(af.runtime_bytes));
	return o;
}

static json_t *energy_json(const struct ax_report_input *in)
{
	const struct ax_result *r = in->res;
	struct ax_energy e;
	double frames;
	ax_report_energy(in, &e, &frames);
	double t = secs(r->run_end_ps), per = e.total_j / frames;
	json_t *o = json_object();
	json_object_set_new(o, "per_inference_j", jreal(per));
	json_object_set_new(o, "power_w", jreal(t > 0 ? e.total_j / t : 0));
	json_object_set_new(o, "fps_per_w", jreal(per > 0 ? 1.0 / per : 0));
	json_object_set_new(o, "tops_per_w", jreal(per > 0 ? 2.0 * (double)r->macs / frames / per / 1e12 : 0));
	json_object_set_new(o, "vdd_v", jreal(e.vdd_v));
	json_object_set_new(o, "static_w", jreal(e.static_w));
	json_object_set_new(o, "dynamic_per_inference_j", jreal(e.dynamic_j / frames));
	json_t *u = json_object();
	for (int k = 0; k < AX_EU_COUNT; k++) {
		json_t *x = json_object();
		json_object_set_new(x, "per_inference_j", jreal(e.by_unit_j[k] / frames));
		json_object_set_new(x, "power_w", jreal(t > 0 ? e.by_unit_j[k] / t : 0));
		json_object_set_new(u, ax_energy_unit_name((enum ax_energy_unit)k), x);
	}
	json_object_set_new(o, "by_unit", u);
	json_t *l = json_object();
	json_object_set_new(l, "limit_w", jreal((double)r->power_limit_uw * 1e-6));
	json_object_set_new(l, "windows", jint(r->limiter_windows));
	json_object_set_new(l, "windows_over", jint(r->limiter_windows_over));
	json_object_set_new(l, "throttled_us", jreal((double)r->throttled_ps / 1e6));
	json_object_set_new(l, "throttled_share", jreal(r->run_end_ps ? (double)r->throttled_ps / (double)r->run_end_ps : 0));
	json_object_set_new(l, "min_mvm_cap", jreal(r->power_limit_uw ? r->min_cap_pm / 1000.0 : in->tl->mvm_limit_permille / 1000.0));
	json_object_set_new(o, "limiter", l);
	return o;
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

static json_t *pipeline_json(const struct ax_report_input *in)
{
	struct ax_report_model one;
	const struct ax_report_model *m;
	size_t n = report_models(in, &one, &m), slowest;
	json_t *o = json_object(), *arr = json_array();
	json_object_set_new(o, "fps", jreal(pipeline_fps(m, n, &slowest)));
	json_object_set_new(o, "slowest", json_string(m[slowest].name));
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_object();
		json_object_set_new(e, "name", json_string(m[i].name));
		json_object_set_new(e, "first_core", jint(m[i].core_base));
		json_object_set_new(e, "cores", jint(m[i].cores));
		json_object_set_new(e, "copies", jint(m[i].copies));
		json_object_set_new(e, "resources_used", jreal(m[i].resources_used));
		json_object_set_new(e, "runs_per_frame", jint(m[i].runs_per_frame));
		json_object_set_new(e, "inferences_per_copy", jint(m[i].inferences));
		json_object_set_new(e, "fps", jreal(m[i].fps));
		json_object_set_new(e, "frame_fps", jreal(m[i].fps / m[i].runs_per_frame));
		json_object_set_new(e, "latency_us", jreal((double)m[i].latency_ps / 1e6));
		json_array_append_new(arr, e);
	}
	json_object_set_new(o, "models", arr);
	return o;
}

json_t *ax_report_json(const struct ax_report_input *in)
{
	const struct ax_result *r = in->res;
	const struct ax_tasklist *tl = in->tl;
	json_t *root = json_object();
	json_object_set_new(root, "schema_version", json_integer(AX_REPORT_SCHEMA_VERSION));
	json_t *net = json_object();
	json_object_set_new(net, "name", json_string(in->net->name ? in->net->name : ""));
	json_object_set_new(net, "layers", jint(in->net->n_layers));
	json_object_set_new(net, "macs", jint(ax_net_macs(in->net)));
	json_object_set_new(net, "params", jint(ax_net_params(in->net)));
	json_object_set_new(net, "weight_bytes", jint(tl->weight_bytes));
	json_object_set_new(root, "network", net);
	json_t *cfg = config_json(in);
	json_object_set_new(cfg, "model", in->cfg->model ? json_string(in->cfg->model) : json_null());
	json_object_set_new(root, "config", cfg);
	json_object_set_new(root, "arch", arch_json(in));

	json_t *plan = json_object();
	json_object_set_new(plan, "cores", jint(tl->n_cores));
	json_object_set_new(plan, "copies", jint(tl->copies));
	json_object_set_new(plan, "inferences_per_copy", jint(r->inferences));
	json_object_set_new(plan, "cores_per_copy", jint(tl->cores_per_copy));
	json_object_set_new(plan, "multicore_mode", json_string(mode_name(tl)));
	json_object_set_new(plan, "lanes", jint(tl->lanes));
	json_object_set_new(plan, "clock_hz", jint(tl->clock_hz));
	json_object_set_new(plan, "tasks", jint(tl->n_tasks));
	json_object_set_new(plan, "tasklist_bytes_per_core", jint(tl->tasklist_bytes));
	json_object_set_new(plan, "tasklist_home", json_string(ax_mem_name(tl->tasklist_home)));
	json_object_set_new(plan, "tasklist_chunks", jint(tl->tasklist_chunks));
	json_object_set_new(plan, "weight_home", json_string(ax_mem_name(tl->weight_home)));
	json_object_set_new(plan, "weight_l2_bytes", jint(tl->weight_l2_bytes));
	json_object_set_new(plan, "resources_used", jreal(tl->resources_milli / 1000.0));
	json_object_set_new(root, "plan", plan);

	json_t *tot = json_object();
	uint64_t cyc = latency_cycles(in);
	json_object_set_new(tot, "latency_cycles", jint(cyc));
	json_object_set_new(tot, "latency_us", jreal((double)r->latency_ps / 1e6));
	json_object_set_new(tot, "inferences", jint(tl->lanes));
	json_object_set_new(tot, "fps", jreal(fps(in)));
	json_object_set_new(tot, "host_fps", jreal(host_fps(in)));
	json_object_set_new(tot, "macs", jint(per_inf(in, r->macs)));
	json_object_set_new(tot, "imc_utilization", jreal(imc_utilization(in)));
	json_object_set_new(root, "totals", tot);
	json_object_set_new(root, "attention", attention_json(in));
	json_object_set_new(root, "pipeline", pipeline_json(in));
	json_object_set_new(root, "energy", energy_json(in));

	json_t *units = json_object();
	for (int e = 0; e < AX_E_COUNT; e++)
		json_object_set_new(units, ax_engine_name((enum ax_engine)e), jreal(engine_busy_share(in, (enum ax_engine)e)));
	json_object_set_new(root, "busy", units);
	json_t *ov = json_object();
	json_object_set_new(ov, "setup_stall", jreal(stall_share(in, 1)));
	json_object_set_new(ov, "wait_stall", jreal(stall_share(in, 0)));
	json_object_set_new(root, "stalls", ov);
	double share;
	json_t *bn = json_object();
	json_object_set_new(bn, "unit", json_string(bottleneck(in, &share)));
	json_object_set_new(bn, "busy", jreal(share));
	json_object_set_new(root, "bottleneck", bn);

	json_t *cores = json_array();
	for (uint32_t k = 0; k < r->n_cores; k++) {
		json_t *c = json_object();
		json_object_set_new(c, "core", jint(k));
		json_object_set_new(c, "copy", jint(k / tl->cores_per_copy));
		json_object_set_new(c, "end_cycle", jint(ps_to_cycles(r, r->core_end_ps[k])));
		json_t *b = json_object();
		for (int e = 0; e < AX_E_COUNT; e++) {
			if (e == AX_E_DMA_SYS)
				continue;
			double cap = e == AX_E_DMA_CORE ? r->dma_core_channels : 1;
			json_object_set_new(b, ax_engine_name((enum ax_engine)e),
					    jreal(r->run_end_ps ? (double)r->busy_ps[k][e] / (cap * (double)r->run_end_ps) : 0));
		}
		json_object_set_new(c, "busy", b);
		json_array_append_new(cores, c);
	}
	json_object_set_new(root, "cores", cores);

	json_t *mem = json_object();
	for (int m = 0; m < AX_MEM_COUNT; m++)
		json_object_set_new(mem, ax_mem_name((enum ax_mem)m), mem_json(in, (enum ax_mem)m));
	json_object_set_new(root, "memory", mem);

	json_t *layers = json_array();
	for (size_t i = 0; i < in->net->n_layers; i++) {
		const struct ax_layer *l = &in->net->layers[i];
		if (l->op == AX_OP_INPUT)
			continue;
		const struct ax_layer_stats *ls = &r->layers[i];
		const struct ax_layer_plan *lp = &tl->plans[i];
		struct ax_layer_figures f;
		ax_report_layer(in, i, &f);
		json_t *o = json_object();
		json_object_set_new(o, "name", json_string(l->name));
		json_object_set_new(o, "op", json_string(ax_op_name(l->op)));
		json_object_set_new(o, "unit", json_string(ax_unit_label(lp->main_unit)));
		json_object_set_new(o, "start_cycle", jint(f.start_cycle));
		json_object_set_new(o, "cycles", jint(f.cycles));
		json_object_set_new(o, "macs", jint(ls->macs));
		json_object_set_new(o, "passes", jint(ls->passes));
		json_object_set_new(o, "utilization", jreal(f.utilization));
		json_object_set_new(o, "output_shape", json_pack("[III]", (json_int_t)l->out.h, (json_int_t)l->out.w,
								 (json_int_t)l->out.c));
		if (l->op == AX_OP_CONV || l->op == AX_OP_MAXPOOL || l->op == AX_OP_AVGPOOL)
			json_object_set_new(o, "kernel", json_pack("[III]", (json_int_t)l->kh, (json_int_t)l->kw,
								   (json_int_t)l->sh));
		else
			json_object_set_new(o, "kernel", json_null());
		json_object_set_new(o, "row_tiles", jint(lp->row_tiles));
		json_object_set_new(o, "col_tiles", jint(lp->col_tiles));
		json_object_set_new(o, "imc_weight_bytes", jint(lp->weight_bytes));
		json_object_set_new(o, "runtime_weight_bytes", jint(lp->runtime_weight_bytes));
		json_object_set_new(o, "runtime_write_cycles",
				    jint(l->op == AX_OP_MATMUL ? ps_to_cycles(r, ls->busy_ps[AX_E_IMC_LOAD]) : 0));
		json_object_set_new(o, "icr", jint(lp->icr));
		json_object_set_new(o, "group", jint(lp->group));
		json_object_set_new(o, "group_size", jint(lp->group_size));
		json_object_set_new(o, "cone_tiles", jint(lp->cone_tiles));
		json_object_set_new(o, "output_home", json_string(ax_mem_name(tl->tensors[i].home)));
		json_object_set_new(o, "output_fused", json_boolean(tl->tensors[i].fused));
		json_object_set_new(o, "output_bytes", jint(tl->tensors[i].bytes));
		json_object_set_new(o, "bound", json_string(bound_name(f.bound)));
		json_t *busy = json_object();
		for (int e = 0; e < AX_E_COUNT; e++)
			json_object_set_new(busy, ax_engine_name((enum ax_engine)e), jint(ps_to_cycles(r, ls->busy_ps[e])));
		json_object_set_new(o, "busy_cycles", busy);
		json_object_set_new(o, "setup_stall_cycles", jint(ps_to_cycles(r, ls->setup_stall_ps)));
		json_t *tr = json_object();
		for (int m = 0; m < AX_MEM_COUNT; m++) {
			char k[32];
			snprintf(k, sizeof(k), "%s_read_bytes", ax_mem_name((enum ax_mem)m));
			json_object_set_new(tr, k, jint(ls->dma_read[m]));
			snprintf(k, sizeof(k), "%s_write_bytes", ax_mem_name((enum ax_mem)m));
			json_object_set_new(tr, k, jint(ls->dma_write[m]));
		}
		json_object_set_new(o, "dma", tr);
		json_array_append_new(layers, o);
	}
	json_object_set_new(root, "layers", layers);

	json_t *sim = json_object();
	json_object_set_new(sim, "tasks", jint(r->tasks));
	json_object_set_new(sim, "simulated_cycles", jint(ps_to_cycles(r, r->run_end_ps)));
	json_object_set_new(sim, "sc_delta_cycles", jint(r->sc_deltas));
	json_object_set_new(sim, "activations", jint(r->activations));
	json_object_set_new(root, "simulation", sim);
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

static void csv_raw(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	AX_GROW(*buf, *cap, *len + n + 1);
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

char *ax_report_csv(const struct ax_report_input *in, size_t *out_len)
{
	char *buf = NULL;
	size_t len = 0, cap = 0;
	csv_raw(&buf, &len, &cap, "layer,op,unit,start_cycle,cycles,macs,passes,utilization,row_tiles,col_tiles,icr,group,group_size,imc_weight_bytes,output_home,output_bytes,bound\n");
	for (size_t i = 0; i < in->net->n_layers; i++) {
		const struct ax_layer *l = &in->net->layers[i];
		if (l->op == AX_OP_INPUT)
			continue;
		const struct ax_layer_stats *ls = &in->res->layers[i];
		const struct ax_layer_plan *lp = &in->tl->plans[i];
		struct ax_layer_figures f;
		ax_report_layer(in, i, &f);
		csv_field(&buf, &len, &cap, l->name);
		char row[512];
		snprintf(row, sizeof(row), ",%s,%s,%llu,%llu,%llu,%llu,%.6g,%u,%u,%u,%u,%u,%llu,%s,%llu,%s\n",
			 ax_op_name(l->op), ax_unit_label(lp->main_unit),
			 (unsigned long long)f.start_cycle, (unsigned long long)f.cycles,
			 (unsigned long long)ls->macs, (unsigned long long)ls->passes, f.utilization,
			 lp->row_tiles, lp->col_tiles, lp->icr, lp->group, lp->group_size,
			 (unsigned long long)lp->weight_bytes,
			 ax_mem_name(in->tl->tensors[i].home), (unsigned long long)in->tl->tensors[i].bytes,
			 bound_name(f.bound));
		csv_raw(&buf, &len, &cap, row);
	}
	*out_len = len;
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
static void pipeline_text(const struct ax_report_input *in, FILE *out)
{
	struct ax_report_model one;
	const struct ax_report_model *m;
	size_t n = report_models(in, &one, &m), slowest;
	double f = pipeline_fps(m, n, &slowest);
	fprintf(out, "\n  pipeline   %zu models at once, %.1f frames/s sustained (limited by %s)\n", n, f,
		m[slowest].name);
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "\n  model %s: cores %u-%u, %u cop%s, resources_used %.2f, %u run%s per frame (%s)\n",
			m[i].name, m[i].core_base, m[i].core_base + m[i].cores - 1, m[i].copies,
			m[i].copies == 1 ? "y" : "ies", m[i].resources_used, m[i].runs_per_frame,
			m[i].runs_per_frame == 1 ? "" : "s", m[i].rois_from);
		fprintf(out, "    latency    %.1f us (first inference of every copy)\n", (double)m[i].latency_ps / 1e6);
		fprintf(out, "    throughput %.1f inferences/s = %.1f frames/s (steady state over %llu back-to-back)\n",
			m[i].fps, m[i].fps / m[i].runs_per_frame, (unsigned long long)m[i].inferences);
	}
	fprintf(out, "\n  (the figures below are the whole chip's, every model together; the\n"
		     "  layers are named model/layer)\n");
}

void ax_report_text(const struct ax_report_input *in, FILE *out)
{
	const struct ax_result *r = in->res;
	const struct ax_tasklist *tl = in->tl;
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
		pipeline_text(in, out);
	fprintf(out, "\n");
	fprintf(out, "  latency    %llu cycles = %.1f us per inference\n",
		(unsigned long long)latency_cycles(in), (double)r->latency_ps / 1e6);
	if (r->inferences >= 2)
		fprintf(out, "  throughput %.1f inferences/s (chip, %u at once, steady state over %u back-to-back)\n",
			fps(in), tl->lanes, r->inferences);
	else
		fprintf(out, "  throughput %.1f inferences/s (chip, %u at once)\n", fps(in), tl->lanes);
	fprintf(out, "             %.1f inferences/s with each inference's host copies (%s)\n", host_fps(in),
		"input in, outputs out over the host link, serial per instance");
	fprintf(out, "  IMC        %.1f%% utilisation (%.1f TMAC/s useful of %.1f TMAC/s peak)\n",
		100.0 * imc_utilization(in), (double)ax_net_macs(in->net) * fps(in) / 1e12,
		peak_macs(in) * r->n_cores * (double)tl->clock_hz / 1e12);
	ax_human_bytes(tl->weight_bytes, b1, sizeof(b1));
	ax_human_bytes(per_inf(in, r->mem[AX_MEM_L1].read[AX_KIND_WEIGHTS]) / tl->lanes, b2, sizeof(b2));
	if (tl->weight_l2_bytes == tl->weight_bytes)
		fprintf(out, "  weights    %s resident in L2; %s written into the IMC per inference\n", b1, b2);
	else if (tl->weight_l2_bytes == 0)
		fprintf(out, "  weights    %s streamed from DDR; %s written into the IMC per inference\n", b1, b2);
	else
		fprintf(out, "  weights    %s, %.0f%% resident in L2, the rest streamed from DDR; %s written into the IMC per inference\n",
			b1, 100.0 * (double)tl->weight_l2_bytes / (double)tl->weight_bytes, b2);
	struct attention_figures af;
	attention(in, &af);
	if (af.layers) {
		uint64_t lat = latency_cycles(in);
		fprintf(out, "  attention  %llu dyn_matmul layer%s on the %s: %llu cycles, %.1f%% of the latency",
			(unsigned long long)af.layers, af.layers == 1 ? "" : "s", matmul_unit(in),
			(unsigned long long)af.cycles, lat ? 100.0 * (double)af.cycles / (double)lat : 0.0);
		/* (on the DPU nothing is written into the IMC) */
		if (af.runtime_bytes) {
			ax_human_bytes(af.runtime_bytes, b1, sizeof(b1));
			fprintf(out, "; %s of run-time weights written in %llu cycles", b1,
				(unsigned long long)af.write_cycles);
		}
		fprintf(out, "\n");
	}
	fprintf(out, "  tasklist   %llu descriptors/core, %s in %s%s\n",
		(unsigned long long)(tl->tasklist_bytes / in->arch->arch.ctrl_descriptor_bytes),
		(ax_human_bytes(tl->tasklist_bytes, b1, sizeof(b1)), b1), ax_mem_name(tl->tasklist_home),
		tl->tasklist_chunks > 1 ? " (streamed in chunks)" : "");
	{
		struct ax_energy e;
		double frames;
		ax_report_energy(in, &e, &frames);
		double t = secs(r->run_end_ps), per = e.total_j / frames;
		fprintf(out, "  energy     %.3f mJ per inference = %.0f fps/W, %.2f TOPS/W; %.2f W average at %.2f V (%.2f W static)\n",
			per * 1e3, per > 0 ? 1.0 / per : 0.0, per > 0 ? 2.0 * (double)r->macs / frames / per / 1e12 : 0.0,
			t > 0 ? e.total_j / t : 0.0, e.vdd_v, e.static_w);
		fprintf(out, "             ");
		for (int k = 0; k < AX_EU_COUNT; k++)
			fprintf(out, "%s %.0f%%%s", ax_energy_unit_name((enum ax_energy_unit)k),
				e.total_j > 0 ? 100.0 * e.by_unit_j[k] / e.total_j : 0.0, k + 1 < AX_EU_COUNT ? ", " : "\n");
		if (r->power_limit_uw)
			fprintf(out, "  limiter    %.2f W: IMC cap below the model's %.0f%% of the time (lowest %.1f%%), %llu of %llu windows above the limit\n",
				(double)r->power_limit_uw * 1e-6,
				r->run_end_ps ? 100.0 * (double)r->throttled_ps / (double)r->run_end_ps : 0.0,
				r->min_cap_pm / 10.0, (unsigned long long)r->limiter_windows_over,
				(unsigned long long)r->limiter_windows);
	}
	fprintf(out, "\n  busy       ");
	for (int e = 0; e < AX_E_COUNT; e++)
		fprintf(out, "%s %.0f%%%s", ax_engine_name((enum ax_engine)e),
			100.0 * engine_busy_share(in, (enum ax_engine)e), e + 1 < AX_E_COUNT ? ", " : "\n");
	fprintf(out, "  stalls     every unit of a core idle: %.0f%% while its control core sets up operators (%.1f us each), %.0f%% waiting for data or other cores\n",
		100.0 * stall_share(in, 1), (double)in->arch->arch.ctrl_op_setup_cycles * 1e6 / (double)tl->clock_hz,
		100.0 * stall_share(in, 0));
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
		ax_human_bytes(per_inf(in, mem_total(s, 0)), b1, sizeof(b1));
		ax_human_bytes(per_inf(in, mem_total(s, 1)), b2, sizeof(b2));
		fprintf(out, "  %-10s %10s %10s", ax_mem_name((enum ax_mem)m), b1, b2);
		for (int k = 0; k < AX_KIND_COUNT; k++) {
			ax_human_bytes(per_inf(in, s->read[k] + s->write[k]), b1, sizeof(b1));
			fprintf(out, " %11s", b1);
		}
		fprintf(out, "  %4.0f%%\n", 100.0 * mem_busy_share(in, (enum ax_mem)m));
	}
	if (tl->spilled_bytes || r->ddr_row_hits + r->ddr_row_misses + r->ddr_row_conflicts) {
		ax_human_bytes(tl->spilled_bytes, b1, sizeof(b1));
		uint64_t acc = r->ddr_row_hits + r->ddr_row_misses + r->ddr_row_conflicts;
		fprintf(out, "  ddr rows   %.0f%% hits, %.0f%% conflicts, %llu refreshes; %s of activations spilled per copy (page_memory %s)\n",
			acc ? 100.0 * (double)r->ddr_row_hits / (double)acc : 0.0,
			acc ? 100.0 * (double)r->ddr_row_conflicts / (double)acc : 0.0,
			(unsigned long long)r->ddr_refreshes, b1, in->cfg->v[AX_CC_PAGE_MEMORY] ? "on" : "off");
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
	uint64_t tot = latency_cycles(in);
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
}
