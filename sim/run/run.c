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

/* --arch, then --set, then the hardware parameters among extra overrides
 * (KEY=VALUE, compilation keys skipped); messages appended to err. */
int ax_run_load_arch(const struct ax_run_spec *spec, struct ax_arch_desc *d, struct ax_err *err)
{
	int n0 = err->count;
	int rc = ax_arch_load(d, spec->arch_path, err);
	if (!rc) {
		for (int i = 0; i < spec->n_sets; i++)
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
	unsigned char *buf;
	size_t len;
	ax_net_init(net);
	int rc = ax_slurp(path, AX_ELF_MAX_FILE_BYTES, "a compiled network or a network description",
			  &buf, &len, err);
	if (rc)
		return rc;
	if (len >= 4 && !memcmp(buf, "\177ELF", 4))
		rc = ax_elf_read_buf(net, path, buf, len, err);
	else if (looks_like_onnx(buf, len))
		rc = ax_err_add(err, "%s: this is an ONNX model; expected a compiled network (ELF) or a network "
				"description: convert it first with axsim import '%s' -o NET.elf", path, path);
	else
		rc = ax_net_load_yaml_buf(net, path, buf, len, err);
	free(buf);
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
	ax_net_release(&r->net);
	rc = ax_run_load_net(spec->net_path, &r->net, err);
	if (rc)
		return rc;
	r->tl.inferences = AX_DEFAULT_INFERENCES;
	if (spec->inferences) {
		if (spec->inferences > AX_MAX_INFERENCES)
			return ax_err_add(err, "inferences '%u' is out of range; expected an integer from 1 to %d",
					  (unsigned)spec->inferences, AX_MAX_INFERENCES);
		r->tl.inferences = spec->inferences;
	}
	if (ax_lower(&r->net, &r->arch.arch, &r->cfg, &r->tl, err))
		return AX_EINPUT;
	struct ax_platform_opts popts = { .record_tasks = spec->record_tasks, .vcd_path = spec->vcd_path };
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
