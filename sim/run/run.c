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

/* The file is read once (so a pipe works too): one that starts with the ELF
 * magic is a compiled network, anything else a network description. */
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

int ax_run(const struct ax_run_spec *spec, struct ax_run_result *r, struct ax_err *err,
	   struct ax_err *warn)
{
	const char *const *extra = spec->overrides;
	int n_extra = spec->n_overrides;
	const char *origin = spec->origin ? spec->origin : "--set";
	int n0 = err->count;

	if (!spec->net_path)
		return ax_err_add(err, "no network to run; expected an ELF or a network description");
	if (ax_run_load_arch(spec, &r->arch, err))
		return AX_EINPUT;
	if (spec->config_path) {
		ax_ccfg_release(&r->cfg);
		int rc = ax_ccfg_load(&r->cfg, spec->config_path, spec->model, spec->board, err, warn);
		if (rc)
			return rc;
	} else if (spec->model || spec->board) {
		return ax_err_add(err, "--model and --board need --config MODEL.yaml");
	}
	for (int i = 0; i < n_extra; i++) {
		const char *eq = strchr(extra[i], '=');
		char *key = ax_xstrndup(extra[i], eq ? (size_t)(eq - extra[i]) : 0);
		if (!eq || eq == extra[i])
			ax_err_add(err, "%s: '%s': expected KEY=VALUE", origin, extra[i]);
		else if (!ax_arch_key_find(key))
			ax_ccfg_set(&r->cfg, key, eq + 1, origin, err);
		free(key);
	}
	if (n_extra && err->count == n0)
		ax_ccfg_check(&r->cfg, err);
	if (err->count > n0)
		return AX_EINPUT;
	if (ax_ccfg_check_arch(&r->cfg, &r->arch.arch, err))
		return AX_EINPUT;
	ax_net_release(&r->net);
	int rc = ax_run_load_net(spec->net_path, &r->net, err);
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
