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

int ax_run(const struct ax_run_spec *spec, struct ax_run_result *r, struct ax_err *err,
	   struct ax_err *warn)
{
	const char *const *extra = spec->overrides;
	int n_extra = spec->n_overrides;
	const char *origin = spec->origin ? spec->origin : "--set";
	int n0 = err->count;

	if (!spec->net_path)
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
	if (spec->config_path) {
		ax_ccfg_release(&r->cfg);
		rc = ax_ccfg_load(&r->cfg, spec->config_path, spec->model, spec->board, err, warn);
		if (rc) {
			free(cc_sets);
			return rc;
		}
	} else if (spec->model || spec->board) {
		free(cc_sets);
		return ax_err_add(err, "--model and --board need --config MODEL.yaml");
	}
	for (int i = 0; i < n_cc; i++) {
		if (set_twice(cc_sets, i, err))
			continue;
		const char *eq = strchr(cc_sets[i], '=');
		char *key = ax_xstrndup(cc_sets[i], (size_t)(eq - cc_sets[i]));
		ax_ccfg_set(&r->cfg, key, eq + 1, "--set", err);
		free(key);
	}
	free(cc_sets);
	for (int i = 0; i < n_extra; i++) {
		const char *eq = strchr(extra[i], '=');
		char *key = ax_xstrndup(extra[i], eq ? (size_t)(eq - extra[i]) : 0);
		if (!eq || eq == extra[i])
			ax_err_add(err, "%s: '%s': expected KEY=VALUE", origin, extra[i]);
		else if (!ax_arch_key_find(key))
			ax_ccfg_set(&r->cfg, key, eq + 1, origin, err);
		free(key);
	}
	if ((n_extra || n_cc) && err->count == n0)
		ax_ccfg_check(&r->cfg, err);
	if (err->count > n0)
		return AX_EINPUT;
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
