/*
 * run.c - the run pipeline (run.h): moved out of the axsim tool so that the
 * public API, a sweep point and axsim run share one implementation.
 */
#include "run/run.h"

#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "lower/lower.h"
#include "net/elf.h"
#include "power/energy.h"

/* A key set twice is a mistake, not "the last one wins": 1 and a message
 * when sets[i] sets the key of an earlier one. */
static int set_twice(const char *const *sets, int i, struct ax_err *err)
{
	size_t klen = strcspn(sets[i], "=");
	int dup = -1;
	for (int k = 0; k < i && dup < 0; k++)
		if (strcspn(sets[k], "=") == klen && !strncmp(sets[k], sets[i], klen))
			dup = k;
	if (dup < 0 || !sets[i][klen])
		return 0;
	ax_err_add(err, "--set '%s': %.*s given a second time (first --set '%s'); expected each "
		   "parameter once", sets[i], (int)klen, sets[i], sets[dup]);
	return 1;
}

/* --arch, then --set, then the hardware parameters among extra overrides
 * (KEY=VALUE, compilation keys skipped); messages appended to err. */
int ax_run_parse_inferences(const char *text, uint32_t *n, struct ax_err *err)
{
	*n = 0;
	if (!text)
		return AX_OK;
	char *end;
	long v = strtol(text, &end, 10);
	if (!text[0] || *end || v < 1 || v > AX_MAX_INFERENCES)
		return ax_err_add(err, "--inferences '%s' is not valid; expected an integer from 1 to %d", text,
				  AX_MAX_INFERENCES);
	*n = (uint32_t)v;
	return AX_OK;
}

int ax_run_load_arch(const struct ax_run_spec *spec, struct ax_arch_desc *d, struct ax_err *err)
{
	int n0 = err->count;
	int rc = ax_arch_load(d, spec->arch_path, err);
	if (!rc) {
		for (int i = 0; i < spec->n_sets; i++)
			if (!set_twice(spec->sets, i, err))
				ax_arch_set(d, spec->sets[i], err);
		for (int i = 0; i < spec->n_overrides; i++) {
			const char *eq = strchr(spec->overrides[i], '=');
			char key[128];
			snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - spec->overrides[i]) : 0,
				 spec->overrides[i]);
			if (ax_arch_key_find(key))
				ax_arch_set(d, spec->overrides[i], err);
		}
		if (err->count == n0)
			ax_arch_validate(d, err);
		rc = err->count > n0 ? AX_EINPUT : AX_OK;
	}
	return rc;
}

/* An ONNX model is a protobuf ModelProto whose first field is ir_version:
 * tag 0x08 and a one-byte varint.  No YAML text starts with that control byte. */
static int looks_like_onnx(const unsigned char *buf, size_t len)
{
	return len >= 2 && buf[0] == 0x08 && buf[1] < 0x80;
}

/* The file is read once (so a pipe works too): one that starts with the ELF
 * magic is a compiled network, anything else a network description; an ONNX
 * model is recognised by its first bytes and sent to axsim import. */
int ax_run_load_net(const char *path, struct ax_net *net, struct ax_err *err)
{
	struct ax_input in;
	ax_net_init(net);
	int rc = ax_input_read(&in, path, AX_ELF_MAX_FILE_BYTES, "a compiled network or a network description",
			       err);
	if (rc)
		return rc;
	/* simulating needs the weights' sizes, not their values.  A file with
	 * NUL bytes near its start, or the ELF magic's first byte, is binary:
	 * the ELF reader says what is wrong with it (a damaged magic), not YAML */
	size_t head = in.len < 4096 ? in.len : 4096;
	int binary = (in.len && in.buf[0] == 0x7f) || memchr(in.buf, 0, head) != NULL;
	if (in.len >= 4 && !memcmp(in.buf, "\177ELF", 4))
		rc = ax_elf_read_buf_sizes(net, path, in.buf, in.len, err);
	else if (looks_like_onnx(in.buf, in.len))
		rc = ax_err_add(err, "%s: this is an ONNX model; expected a compiled network (ELF) or a network "
				"description: convert it first with axsim import '%s' -o NET.elf", path, path);
	else if (binary)
		rc = ax_elf_read_buf_sizes(net, path, in.buf, in.len, err);
	else
		rc = ax_net_load_yaml_buf(net, path, in.buf, in.len, err);
	ax_input_release(&in);
	return rc;
}

void ax_run_result_init(struct ax_run_result *r)
{
	memset(r, 0, sizeof(*r));
	ax_ccfg_init(&r->cfg);
	ax_net_init(&r->net);
	ax_tasklist_init(&r->tl);
}

void ax_run_result_release(struct ax_run_result *r)
{
	ax_result_release(&r->res);
	ax_tasklist_release(&r->tl);
	ax_net_release(&r->net);
	ax_ccfg_release(&r->cfg);
	ax_arch_desc_release(&r->arch);
	free(r->network_path);
	free(r->config_path);
	ax_pipeline_release(&r->pipe);
	free(r->models);
	memset(r, 0, sizeof(*r));
}

/* The key of a KEY=VALUE assignment names a compilation key. */
static int is_ccfg_assignment(const char *a)
{
	const char *eq = strchr(a, '=');
	char key[128];
	snprintf(key, sizeof(key), "%.*s", eq ? (int)(eq - a) : 0, a);
	return eq && !ax_arch_key_find(key) && ax_ccfg_find(key) >= 0;
}

/* The model's input_tensor_shape against the network's one input (a network
 * of several inputs is not checked). */
static int check_input_shape(const struct ax_ccfg *cfg, const struct ax_net *net, const char *path,
			     struct ax_err *err)
{
	const struct ax_layer *in = NULL;
	for (size_t i = 0; i < net->n_layers; i++) {
		if (net->layers[i].op != AX_OP_INPUT)
			continue;
		if (in)
			return AX_OK;
		in = &net->layers[i];
	}
	if (!in)
		return AX_OK;
	char *what = ax_xasprintf("the input '%s' of %s", in->name, path);
	int rc = ax_ccfg_check_input(cfg, in->out.h, in->out.w, in->out.c, what, err);
	free(what);
	return rc;
}

/* The compilation configuration of model (NULL: the file's only one): the
 * model YAML, then the compilation keys of --set (cc_sets), then those of the
 * overrides. */
static int load_cfg(const struct ax_run_spec *spec, const char *model, struct ax_ccfg *cfg,
		    const char *const *cc_sets, int n_cc, struct ax_err *err, struct ax_err *warn)
{
	const char *const *extra = spec->overrides;
	int n_extra = spec->n_overrides;
	const char *origin = spec->origin ? spec->origin : "--set";
	int n0 = err->count, rc;
	if (spec->config_path) {
		ax_ccfg_release(cfg);
		rc = ax_ccfg_load(cfg, spec->config_path, model, spec->board, err, warn);
		if (rc)
			return rc;
	} else if (model || spec->board) {
		return ax_err_add(err, "--model and --board need --config MODEL.yaml");
	}
	for (int i = 0; i < n_cc; i++) {
		if (set_twice(cc_sets, i, err))
			continue;
		const char *eq = strchr(cc_sets[i], '=');
		char *key = ax_xstrndup(cc_sets[i], (size_t)(eq - cc_sets[i]));
		ax_ccfg_set(cfg, key, eq + 1, "--set", err);
		free(key);
	}
	for (int i = 0; i < n_extra; i++) {
		const char *eq = strchr(extra[i], '=');
		char *key = ax_xstrndup(extra[i], eq ? (size_t)(eq - extra[i]) : 0);
		if (!eq || eq == extra[i])
			ax_err_add(err, "%s: '%s': expected KEY=VALUE", origin, extra[i]);
		else if (!ax_arch_key_find(key))
			ax_ccfg_set(cfg, key, eq + 1, origin, err);
		free(key);
	}
	if ((n_extra || n_cc) && err->count == n0)
		ax_ccfg_check(cfg, err);
	return err->count > n0 ? AX_EINPUT : AX_OK;
}

/* "MODEL=VALUE" split at its '=' into a new name and *value; NULL when malformed. */
static char *split_assignment(const char *a, const char **value)
{
	const char *eq = strchr(a, '=');
	if (!eq || eq == a || !eq[1])
		return NULL;
	*value = eq + 1;
	return ax_xstrndup(a, (size_t)(eq - a));
}

/* The compute cycles of one inference on the busiest unit of any core of
 * tl: a rough duration, for balancing the models of a pipeline. */
static uint64_t busiest_unit_cycles(const struct ax_tasklist *tl)
{
	uint64_t *sum = ax_xcalloc((size_t)tl->n_cores * AX_UNIT_COUNT + 1, sizeof(uint64_t)), best = 0;
	for (size_t i = 0; i < tl->n_tasks; i++) {
		const struct ax_task *t = &tl->tasks[i];
		if (t->kind == AX_T_DMA || t->infer || t->core >= tl->n_cores)
			continue;
		uint64_t *s = &sum[(size_t)t->core * AX_UNIT_COUNT + t->unit];
		*s += t->cycles;
		if (*s > best)
			best = *s;
	}
	free(sum);
	return best;
}

/* docs/timing-model.md "Pipelines of models": each model of spec->nets
 * lowered alone onto the cores after the earlier models', the tasklists
 * merged and simulated once, the figures attributed back to each model. */
static int run_pipeline(const struct ax_run_spec *spec, struct ax_run_result *r, const char *const *cc_sets,
			int n_cc, struct ax_err *err, struct ax_err *warn)
{
	struct ax_pipeline *p = &r->pipe;
	const struct ax_arch *a = &r->arch.arch;
	int n0 = err->count;
	if (!spec->config_path)
		return ax_err_add(err, "--net MODEL=NET needs --config PIPELINE.yaml, the model YAML naming the models");
	if (spec->net_path)
		return ax_err_add(err, "'%s': a network given both as NET and with --net; expected --net MODEL=NET for every model",
				  spec->net_path);
	if (spec->model)
		return ax_err_add(err, "--model '%s' with --net: expected the models named by --net MODEL=NET only", spec->model);
	p->n = (uint32_t)spec->n_nets;
	p->m = ax_xcalloc(p->n, sizeof(*p->m));
	p->frames = spec->inferences ? spec->inferences : AX_DEFAULT_INFERENCES;
	if (spec->inferences > AX_MAX_INFERENCES)
		return ax_err_add(err, "inferences '%u' is out of range; expected an integer from 1 to %d",
				  (unsigned)spec->inferences, AX_MAX_INFERENCES);
	for (uint32_t i = 0; i < p->n; i++) {
		struct ax_pipeline_model *m = &p->m[i];
		const char *path;
		ax_ccfg_init(&m->cfg);
		ax_net_init(&m->net);
		m->name = split_assignment(spec->nets[i], &path);
		if (!m->name) {
			ax_err_add(err, "--net '%s': expected MODEL=NET", spec->nets[i]);
			continue;
		}
		m->net_path = ax_xstrdup(path);
		for (uint32_t k = 0; k < i; k++)
			if (p->m[k].name && !strcmp(p->m[k].name, m->name))
				ax_err_add(err, "--net '%s': model '%s' given a second time; expected each model once",
					   spec->nets[i], m->name);
		m->runs_per_frame = 1;
		m->rois_from = "first stage";
		if (i > 0 && ax_pipeline_default_rois(spec->config_path, m->name, &m->runs_per_frame, &m->rois_from, err))
			continue;
	}
	for (int k = 0; k < spec->n_rois; k++) {
		const char *v;
		char *name = split_assignment(spec->rois[k], &v);
		uint32_t i = 0;
		while (name && i < p->n && (!p->m[i].name || strcmp(p->m[i].name, name)))
			i++;
		char *end;
		unsigned long n = name ? strtoul(v, &end, 10) : 0;
		if (!name)
			ax_err_add(err, "--rois '%s': expected MODEL=N", spec->rois[k]);
		else if (i == p->n)
			ax_err_add(err, "--rois '%s': '%s' is not a model of --net", spec->rois[k], name);
		else if (*v < '0' || *v > '9' || *end || n < 1 || n > AX_MAX_ROIS)
			ax_err_add(err, "--rois '%s': '%s' is out of range; expected an integer from 1 to %d", spec->rois[k], v,
				   AX_MAX_ROIS);
		else if (i == 0)
			ax_err_add(err, "--rois '%s': '%s' is the first stage, which runs once per frame; expected a later model",
				   spec->rois[k], name);
		else {
			p->m[i].runs_per_frame = (uint32_t)n;
			p->m[i].rois_from = "--rois";
		}
		free(name);
	}
	if (err->count > n0)
		return AX_EINPUT;
	for (uint32_t i = 0; i < p->n; i++) {
		struct ax_pipeline_model *m = &p->m[i];
		if (load_cfg(spec, m->name, &m->cfg, cc_sets, n_cc, err, warn))
			continue;
		if (ax_ccfg_check_arch(&m->cfg, a, err))
			continue;
		if (ax_run_load_net(m->net_path, &m->net, err))
			continue;
		check_input_shape(&m->cfg, &m->net, m->net_path, err);
	}
	if (err->count > n0)
		return AX_EINPUT;
	ax_power_apply_board(&r->arch, p->m[0].cfg.board);   /* docs/energy.md "Limiter" */
	/* each model alone, then the checks of the chip they share */
	struct ax_tasklist *parts = ax_xcalloc(p->n, sizeof(*parts));
	r->tl.parts = parts;
	r->tl.n_parts = p->n;
	uint32_t cores = 0, res_milli = 0;
	/* docs/timing-model.md "Pipelines of models": a later stage's work per
	 * frame is runs_per_frame inferences spread over its lanes; each model
	 * runs about as long as the longest (estimated from its busiest unit's
	 * compute cycles per lane and frame), so that every one is measured
	 * while the others run */
	uint32_t *per_lane = ax_xcalloc(p->n, sizeof(uint32_t));
	double *est = ax_xcalloc(p->n, sizeof(double)), longest = 0;
	for (uint32_t i = 0; i < p->n; i++) {
		struct ax_pipeline_model *m = &p->m[i];
		struct ax_tasklist probe;
		ax_tasklist_init(&probe);
		uint32_t lanes = 1;
		if (!ax_lower(&m->net, a, &m->cfg, &probe, err))
			lanes = probe.lanes ? probe.lanes : 1;
		per_lane[i] = (m->runs_per_frame + lanes - 1) / lanes;
		est[i] = (double)busiest_unit_cycles(&probe) * per_lane[i] + 1.0;
		ax_tasklist_release(&probe);
		if (est[i] > longest)
			longest = est[i];
	}
	for (uint32_t i = 0; i < p->n && err->count == n0; i++) {
		struct ax_pipeline_model *m = &p->m[i];
		ax_tasklist_init(&parts[i]);
		double frames = p->frames * longest / est[i] + 0.5;
		uint64_t inf = (uint64_t)frames * per_lane[i];
		parts[i].inferences = (uint32_t)(inf > AX_MAX_PIPELINE_INFERENCES ? AX_MAX_PIPELINE_INFERENCES : inf);
		if (parts[i].inferences < per_lane[i])
			parts[i].inferences = per_lane[i];
		if (ax_lower(&m->net, a, &m->cfg, &parts[i], err))
			continue;
		m->core_base = cores;
		m->cores = parts[i].n_cores;
		m->copies = parts[i].copies;
		m->lanes = parts[i].lanes;
		m->resources_milli = parts[i].resources_milli * parts[i].copies;
		cores += m->cores;
		res_milli += m->resources_milli;
		if (m->resources_milli % 250)
			ax_err_add(err, "%s: model '%s': resources_used %.3g (%u copies of %.3g) is not a multiple of 0.25; "
				   "expected 0.25, 0.5, 0.75 or 1.0 for each model of a pipeline", spec->config_path, m->name,
				   m->resources_milli / 1000.0, m->copies, parts[i].resources_milli / 1000.0);
		if (parts[i].clock_hz != parts[0].clock_hz)
			ax_err_add(err, "%s: model '%s' runs at %llu MHz, model '%s' at %llu MHz; expected one clock_profile "
				   "for the chip", spec->config_path, m->name, (unsigned long long)(parts[i].clock_hz / 1000000),
				   p->m[0].name, (unsigned long long)(parts[0].clock_hz / 1000000));
	}
	free(per_lane);
	free(est);
	if (err->count > n0)
		return AX_EINPUT;
	char names[1024] = "";
	for (uint32_t i = 0; i < p->n; i++) {
		size_t len = strlen(names);
		snprintf(names + len, sizeof(names) - len, "%s'%s' (%u core%s, resources_used %.3g)",
			 i == 0 ? "" : i + 1 == p->n ? " and " : ", ", p->m[i].name, p->m[i].cores,
			 p->m[i].cores == 1 ? "" : "s", p->m[i].resources_milli / 1000.0);
	}
	if (res_milli > 1000)
		ax_err_add(err, "%s: models %s use resources_used %.3g of the chip's memories together; expected at most "
			   "1.0 in total", spec->config_path, names, res_milli / 1000.0);
	if (cores > a->chip_cores)
		ax_err_add(err, "%s: models %s use %u cores together; the chip has %llu (chip.cores)", spec->config_path,
			   names, cores, (unsigned long long)a->chip_cores);
	if (err->count > n0)
		return AX_EINPUT;
	/* docs/memory.md "Address map": each model's DDR above the earlier ones' */
	uint64_t *ddr_base = ax_xcalloc(p->n, sizeof(uint64_t));
	uint64_t ddr_need = 0, ddr_avail = a->ddr_size - a->ddr_reserved;
	for (uint32_t i = 0; i < p->n; i++) {
		ddr_base[i] = ddr_need;
		ddr_need += (ax_tasklist_ddr_bytes(&parts[i], NULL) + 4095) / 4096 * 4096;
	}
	if (ddr_need > ddr_avail) {
		free(ddr_base);
		return ax_err_add(err, "%s: models %s need %llu bytes of DDR together but the chip has %llu (ddr.size less "
				  "ddr.reserved); expected a larger ddr.size or fewer models", spec->config_path, names,
				  (unsigned long long)ddr_need, (unsigned long long)ddr_avail);
	}
	ax_pipeline_merge(p, &r->tl, &r->net, ddr_base);
	free(ddr_base);
	/* the report's configuration is the first model's */
	struct ax_err again;
	ax_err_init(&again);
	load_cfg(spec, p->m[0].name, &r->cfg, cc_sets, n_cc, &again, &again);
	ax_err_release(&again);
	struct ax_platform_opts popts = { .record_tasks = spec->record_tasks, .vcd_path = spec->vcd_path,
					  .vcd_limit_bytes = spec->trace_limit_bytes, .vcd_cut_ps = &r->vcd_cut_ps };
	if (ax_platform_run_opts(&r->tl, a, &popts, &r->res, err))
		return AX_ESIM;
	r->models = ax_xcalloc(p->n, sizeof(*r->models));
	uint64_t window_end = r->res.run_end_ps;
	for (uint32_t i = 0; i < p->n; i++)
		if (r->res.parts[i].run_end_ps < window_end)
			window_end = r->res.parts[i].run_end_ps;
	for (uint32_t i = 0; i < p->n; i++) {
		const struct ax_pipeline_model *m = &p->m[i];
		const struct ax_part_result *pr = &r->res.parts[i];
		r->models[i] = (struct ax_report_model){
			.name = m->name, .core_base = m->core_base, .cores = m->cores, .copies = m->copies,
			.runs_per_frame = m->runs_per_frame, .rois_from = m->rois_from,
			.resources_used = m->resources_milli / 1000.0, .fps = ax_pipeline_model_fps(m, pr, window_end),
			.latency_ps = pr->latency_ps, .inferences = pr->inferences,
		};
	}
	r->network_path = ax_xstrdup(p->m[0].net_path);
	r->config_path = ax_xstrdup(spec->config_path);
	r->in = (struct ax_report_input){
		.net = &r->net, .arch = &r->arch, .cfg = &r->cfg, .tl = &r->tl, .res = &r->res,
		.network_path = r->network_path, .config_path = r->config_path,
		.n_models = p->n, .models = r->models,
	};
	return AX_OK;
}

int ax_run(const struct ax_run_spec *spec, struct ax_run_result *r, struct ax_err *err,
	   struct ax_err *warn)
{
	if (!spec->net_path && !spec->n_nets)
		return ax_err_add(err, "no network to run; expected an ELF or a network description");
	/* sets naming a compilation key apply after the model YAML; the rest
	 * (unknown keys too, for the hardware table's message) after --arch */
	struct ax_run_spec hw = *spec;
	const char **hw_sets = ax_xcalloc((size_t)spec->n_sets + 1, sizeof(*hw_sets));
	const char **cc_sets = ax_xcalloc((size_t)spec->n_sets + 1, sizeof(*cc_sets));
	int n_cc = 0;
	hw.n_sets = 0;
	for (int i = 0; i < spec->n_sets; i++) {
		if (is_ccfg_assignment(spec->sets[i]))
			cc_sets[n_cc++] = spec->sets[i];
		else
			hw_sets[hw.n_sets++] = spec->sets[i];
	}
	hw.sets = hw_sets;
	int rc = ax_run_load_arch(&hw, &r->arch, err);
	free(hw_sets);
	if (rc) {
		free(cc_sets);
		return AX_EINPUT;
	}
	if (spec->n_nets) {
		rc = run_pipeline(spec, r, cc_sets, n_cc, err, warn);
		free(cc_sets);
		return rc;
	}
	rc = load_cfg(spec, spec->model, &r->cfg, cc_sets, n_cc, err, warn);
	free(cc_sets);
	if (rc)
		return rc;
	if (ax_ccfg_check_arch(&r->cfg, &r->arch.arch, err))
		return AX_EINPUT;
	ax_power_apply_board(&r->arch, r->cfg.board);   /* docs/energy.md "Limiter" */
	ax_net_release(&r->net);
	rc = ax_run_load_net(spec->net_path, &r->net, err);
	if (rc)
		return rc;
	if (check_input_shape(&r->cfg, &r->net, spec->net_path, err))
		return AX_EINPUT;
	r->tl.inferences = AX_DEFAULT_INFERENCES;
	if (spec->inferences) {
		if (spec->inferences > AX_MAX_INFERENCES)
			return ax_err_add(err, "inferences '%u' is out of range; expected an integer from 1 to %d",
					  (unsigned)spec->inferences, AX_MAX_INFERENCES);
		r->tl.inferences = spec->inferences;
	}
	/* docs/memory.md "Address map": the DDR holds at least one copy of the
	 * weight section; said before lowering, which takes time in proportion
	 * to the weights */
	uint64_t ddr_avail = r->arch.arch.ddr_size - r->arch.arch.ddr_reserved;
	char ddr_where[600];
	ax_arch_key_where(&r->arch, "ddr.size", ddr_where, sizeof(ddr_where));
	uint64_t weights = ax_net_layout_weights(&r->net);
	if (weights > ddr_avail)
		return ax_err_add(err, "%s: the network's %llu weight bytes do not fit the %llu bytes of DDR "
				  "(ddr.size less ddr.reserved); expected a larger ddr.size or a smaller network",
				  ddr_where, (unsigned long long)weights, (unsigned long long)ddr_avail);
	if (ax_lower(&r->net, &r->arch.arch, &r->cfg, &r->tl, err))
		return AX_EINPUT;
	struct ax_ddr_use du;
	uint64_t ddr_need = ax_tasklist_ddr_bytes(&r->tl, &du);
	if (ddr_need > ddr_avail)
		return ax_err_add(err, "%s: the network needs %llu bytes of DDR (%u copies: weights %llu, "
				  "activations %llu, constants %llu, tasklists %llu) but has %llu (ddr.size less "
				  "ddr.reserved); expected a larger ddr.size, fewer copies or a smaller network",
				  ddr_where, (unsigned long long)ddr_need, r->tl.copies, (unsigned long long)du.weights,
				  (unsigned long long)du.activations, (unsigned long long)du.constants,
				  (unsigned long long)du.tasklists, (unsigned long long)ddr_avail);
	struct ax_platform_opts popts = { .record_tasks = spec->record_tasks, .vcd_path = spec->vcd_path,
					  .vcd_limit_bytes = spec->trace_limit_bytes, .vcd_cut_ps = &r->vcd_cut_ps };
	if (ax_platform_run_opts(&r->tl, &r->arch.arch, &popts, &r->res, err))
		return AX_ESIM;
	r->network_path = ax_xstrdup(spec->net_path);
	r->config_path = spec->config_path ? ax_xstrdup(spec->config_path) : NULL;
	r->in = (struct ax_report_input){
		.net = &r->net, .arch = &r->arch, .cfg = &r->cfg, .tl = &r->tl, .res = &r->res,
		.network_path = r->network_path, .config_path = r->config_path,
	};
	return AX_OK;
}
