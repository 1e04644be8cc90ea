/*
 * sweep_point.c - the hidden options of axsim run (--set-cc, --axis) through
 * which a job line of axsim sweep --emit-jobs runs one point
 * (docs/sweeps.md "Job lines"): the pipeline of axsim run, with its --csv
 * and --trace, and the point's file written by the library
 * (ax_sweep_point_write), as the children of an in-process sweep write it.
 */
#include "sweepcli.h"

#include <stdlib.h>
#include <string.h>

/* The sweep's spec of a job line's options: what its point file records. */
static void job_spec(const struct ax_opts *o, const struct ax_sweep_job *job, struct ax_sweep_spec *spec)
{
	*spec = (struct ax_sweep_spec){
		.net_path = o->n_positional ? o->positional[0] : NULL,
		.nets = o->nets, .n_nets = o->n_nets, .rois = o->rois, .n_rois = o->n_rois,
		.arch_path = o->arch, .config_path = o->config, .model = o->model, .board = o->board,
		.inferences = o->inferences, .sets = o->sets, .n_sets = o->n_sets, .cc = job->cc, .n_cc = job->n_cc,
	};
}

/*
 * Runs one point of a job line: the pipeline of axsim run with the fixed
 * --set-cc and the axes as overrides (and its --csv and --trace), then the
 * point file to o->json (the run JSON with its "sweep" object, or only the
 * "sweep" object when the point failed); prints the point's messages.
 * Returns the exit status.
 */
static int job_point_run(const struct ax_opts *o, const struct ax_sweep_job *job)
{
	struct ax_err msgs, werr;
	ax_err_init(&msgs);
	ax_err_init(&werr);
	json_t *names, *values, *report = NULL;
	int status = ax_sweep_point_axes(job->axes, job->n_axes, &names, &values, &msgs) ? 2 : 0;
	if (!status) {
		const char **ov = ax_xcalloc((size_t)(job->n_cc + job->n_axes) + 1, sizeof(*ov));
		for (int i = 0; i < job->n_cc; i++)
			ov[i] = job->cc[i];
		for (int i = 0; i < job->n_axes; i++)
			ov[job->n_cc + i] = job->axes[i];
		struct ax_opts po = *o;
		po.quiet = 1;
		po.json = NULL;
		struct ax_run_extra x = {
			.overrides = ov, .n_overrides = job->n_cc + job->n_axes,
			.origin = AX_SWEEP_ORIGIN, .msgs = &msgs, .report = &report,
		};
		status = ax_cli_run_pipeline(&po, &x);
		free(ov);
	}
	struct ax_sweep_spec spec;
	job_spec(o, job, &spec);
	status = ax_sweep_point_write(&spec, names, values, status, &msgs, report, o->json, &werr);
	json_decref(names);
	json_decref(values);
	ax_cli_print_errors(&msgs, "axsim: ");
	ax_cli_print_errors(&werr, "axsim: ");
	ax_err_release(&werr);
	ax_err_release(&msgs);
	return status;
}

/* ---- hidden options of axsim run ---- */

int ax_sweep_job_opts(int *argc, char **argv, struct ax_sweep_job *job)
{
	memset(job, 0, sizeof(*job));
	int w = 1;
	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];
		const char *names[] = { "--set-cc", "--axis" };
		int which = -1;
		const char *val = NULL;
		for (int k = 0; k < 2; k++) {
			size_t n = strlen(names[k]);
			if (!strncmp(a, names[k], n) && (a[n] == '\0' || a[n] == '=')) {
				which = k;
				val = a[n] == '=' ? a + n + 1 : NULL;
			}
		}
		if (which < 0) {
			argv[w++] = argv[i];
			continue;
		}
		if (!val) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "axsim run: option '%s' needs a value\n", names[which]);
				return 2;
			}
			val = argv[++i];
		}
		int *n = which ? &job->n_axes : &job->n_cc;
		const char **list = which ? job->axes : job->cc;
		if (*n >= AX_MAX_SETS) {
			fprintf(stderr, "axsim run: more than %d %s options\n", AX_MAX_SETS, names[which]);
			return 2;
		}
		list[(*n)++] = val;
	}
	*argc = w;
	argv[w] = NULL;
	return 0;
}

int ax_sweep_job_run(const struct ax_opts *o, const struct ax_sweep_job *job)
{
	if (!job->n_axes) {
		struct ax_run_extra x = { .overrides = job->cc, .n_overrides = job->n_cc, .origin = "--set-cc" };
		return ax_cli_run_pipeline(o, &x);
	}
	if (!o->json) {
		fprintf(stderr, "axsim run: --axis needs --json FILE (the sweep point's file)\n");
		return 2;
	}
	return job_point_run(o, job);
}
