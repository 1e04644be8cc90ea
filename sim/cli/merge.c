/*
 * merge.c - axsim merge (docs/sweeps.md): the point files of a sweep run
 * elsewhere (files, or directories of them) combined into the table, CSV and
 * JSON axsim sweep gives; the engine is ax_sweep_merge (run/sweep.h).
 */
#include "sweepcli.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "common/output.h"

int ax_cmd_merge(int argc, char **argv)
{
	const char *csv = NULL, *json = NULL, *objective = NULL;
	const char **inputs = ax_xcalloc((size_t)argc + 1, sizeof(*inputs));
	int n_in = 0, help = 0;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (a[0] != '-' || !strcmp(a, "-")) {
			inputs[n_in++] = a;
			continue;
		}
		char name[64];
		const char *eq = strchr(a, '=');
		snprintf(name, sizeof(name), "%.*s", (int)(eq ? (size_t)(eq - a) : strlen(a)), a);
		if (!strcmp(name, "--help") || !strcmp(name, "-h")) {
			help = 1;
			continue;
		}
		if (!ax_cli_takes("merge", name)) {
			const char *sug = ax_cli_suggest_option("merge", name);
			char allowed[128];
			ax_cli_opt_list("merge", allowed, sizeof(allowed));
			fprintf(stderr, "axsim merge: unknown option '%s'%s%s%s; expected one of: %s\n", name,
				sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "", allowed);
			free(inputs);
			return 2;
		}
		const char *val = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
		if (!val) {
			fprintf(stderr, "axsim merge: option '%s' needs a value\n", name);
			free(inputs);
			return 2;
		}
		*(!strcmp(name, "--csv") ? &csv : !strcmp(name, "--json") ? &json : &objective) = val;
	}
	if (help) {
		ax_cli_usage("merge", stdout);
		free(inputs);
		return 0;
	}
	if (!n_in) {
		fprintf(stderr, "axsim merge: expected point files or directories; see axsim merge --help\n");
		free(inputs);
		return 2;
	}
	if (objective && ax_sweep_objective_find(objective) < 0) {
		fprintf(stderr, "axsim merge: --objective '%s' is not valid; expected latency, fps or ddr\n", objective);
		free(inputs);
		return 2;
	}
	{
		/* the files merge reads (those given and the *.json of the
		 * directories given) are inputs no output may replace */
		const char **files = NULL;
		size_t nf = 0, cap = 0;
		for (int i = 0; i < n_in; i++) {
			DIR *d = opendir(inputs[i]);
			struct dirent *de;
			AX_GROW(files, cap, nf + 1);
			files[nf++] = ax_xstrdup(inputs[i]);
			while (d && (de = readdir(d))) {
				size_t l = strlen(de->d_name);
				if (l > 5 && !strcmp(de->d_name + l - 5, ".json")) {
					AX_GROW(files, cap, nf + 1);
					files[nf++] = ax_xasprintf("%s/%s", inputs[i], de->d_name);
				}
			}
			if (d)
				closedir(d);
		}
		const struct ax_out_spec outs[] = { { "--csv", csv }, { "--json", json } };
		int bad = ax_cli_check_outputs("merge", outs, 2, files, nf);
		for (size_t i = 0; i < nf; i++)
			free((char *)files[i]);
		free(files);
		if (bad) {
			free(inputs);
			return 2;
		}
	}
	struct ax_sweep_results rs = { 0 };
	rs.objective = objective ? (enum ax_sweep_objective)ax_sweep_objective_find(objective) : AX_OBJ_LATENCY;
	struct ax_err err, warn;
	ax_err_init(&err);
	ax_err_init(&warn);
	ax_sweep_merge(&rs, inputs, (size_t)n_in, &err, &warn);
	free(inputs);
	ax_cli_print_errors(&warn, "axsim merge: warning: ");
	ax_err_release(&warn);
	int rc;
	if (err.count) {
		ax_cli_print_errors(&err, "axsim merge: ");
		rc = 2;
	} else {
		rc = ax_cli_sweep_output(&rs, "merge", csv, json);
	}
	ax_err_release(&err);
	ax_sweep_results_release(&rs);
	return rc;
}
