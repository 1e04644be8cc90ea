/*
 * sweep_point.c - one point of a sweep (docs/sweeps.md "Point files"): the
 * pipeline of axsim run with the point's axes as overrides, and its file (the
 * run JSON with a "sweep" object); also the hidden options of axsim run
 * (--set-cc, --axis) through which a job line of --emit-jobs runs a point.
 */
#include "sweepcli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/file.h"
#include "config/keys.h"
#include "report/report.h"

/* The values the axes have without the sweep's overrides: the model YAML
 * with the fixed --set-cc, the hardware with --arch and the fixed --set; null
 * when those do not load. */
json_t *ax_cli_sweep_configured(const struct ax_opts *o, const char *const *cc, int n_cc,
				 const json_t *names)
{
	struct ax_err e, w;
	ax_err_init(&e);
	ax_err_init(&w);
	struct ax_arch_desc d;
	struct ax_ccfg c;
	ax_ccfg_init(&c);
	int rc = ax_arch_load(&d, o->arch, &e);
	for (int i = 0; !rc && i < o->n_sets; i++)
		rc = ax_arch_set(&d, o->sets[i], &e);
	if (!rc && o->config) {
		ax_ccfg_release(&c);
		rc = ax_ccfg_load(&c, o->config, o->model, o->board, &e, &w);
	}
	for (int i = 0; !rc && i < n_cc; i++) {
		const char *eq = strchr(cc[i], '=');
		char *key = ax_xstrndup(cc[i], eq ? (size_t)(eq - cc[i]) : 0);
		rc = eq ? ax_ccfg_set(&c, key, eq + 1, SWEEP_ORIGIN, &e) : AX_EINPUT;
		free(key);
	}
	json_t *out = json_null();
	if (!rc) {
		out = json_object();
		size_t i;
		json_t *n;
		json_array_foreach(names, i, n) {
			struct ax_key k;
			const char *key = json_string_value(n);
			json_object_set_new(out, key, ax_key_find(key, &k) ? json_null() : ax_key_json(&k, &d.arch, &c));
		}
	}
	ax_arch_desc_release(&d);
	ax_ccfg_release(&c);
	ax_err_release(&e);
	ax_err_release(&w);
	return out;
}

/* Splits "key=value" of a job's --axis; NULL key when malformed. */
char *ax_cli_sweep_split(const char *a, const char **value)
{
	const char *eq = strchr(a, '=');
	if (!eq || eq == a)
		return NULL;
	*value = eq + 1;
	return ax_xstrndup(a, (size_t)(eq - a));
}

static const char *status_name(int exit_status)
{
	return exit_status == 0 ? "ok" : exit_status == 2 ? "error" : "failed";
}

/* FNV-1a, 64 bits. */
void ax_cli_sweep_fnv1a(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 1099511628211ull;
}

/* What every point of one sweep shares besides its axes: the contents of the
 * network, --config and --arch files, --model, --board, --inferences, the
 * fixed hardware --set and compilation --set-cc, as a hex FNV-1a digest
 * (docs/sweeps.md "Point files"). --resume and merge take a point only when
 * its digest is this sweep's. */
json_t *ax_cli_sweep_inputs_digest(const struct ax_opts *o, const char *const *cc, int n_cc)
{
	uint64_t h = 14695981039346656037ull;
	const char *files[3 + AX_MAX_SETS] = { o->n_positional ? o->positional[0] : NULL, o->config, o->arch };
	size_t n_files = 3;
	for (int i = 0; i < o->n_nets; i++) {
		const char *eq = strchr(o->nets[i], '=');
		files[n_files++] = eq ? eq + 1 : o->nets[i];
	}
	for (size_t i = 0; i < n_files; i++) {
		ax_cli_sweep_fnv1a(&h, "\0file", 6);
		if (!files[i])
			continue;
		unsigned char *buf;
		size_t len;
		struct ax_err e;
		ax_err_init(&e);
		if (!ax_slurp(files[i], (uint64_t)1 << 30, "an input of the sweep", &buf, &len, &e)) {
			ax_cli_sweep_fnv1a(&h, buf, len);
			free(buf);
		} else {
			ax_cli_sweep_fnv1a(&h, files[i], strlen(files[i]));   /* unreadable: its name */
		}
		ax_err_release(&e);
	}
	const char *opts[] = { o->model, o->board, o->inferences };
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		ax_cli_sweep_fnv1a(&h, "\0opt", 5);
		if (opts[i])
			ax_cli_sweep_fnv1a(&h, opts[i], strlen(opts[i]) + 1);
	}
	for (int i = 0; i < o->n_sets; i++) {
		ax_cli_sweep_fnv1a(&h, "\0set", 5);
		ax_cli_sweep_fnv1a(&h, o->sets[i], strlen(o->sets[i]) + 1);
	}
	for (int i = 0; i < o->n_nets; i++) {
		ax_cli_sweep_fnv1a(&h, "\0net", 5);
		ax_cli_sweep_fnv1a(&h, o->nets[i], strlen(o->nets[i]) + 1);
	}
	for (int i = 0; i < o->n_rois; i++) {
		ax_cli_sweep_fnv1a(&h, "\0rois", 6);
		ax_cli_sweep_fnv1a(&h, o->rois[i], strlen(o->rois[i]) + 1);
	}
	for (int i = 0; i < n_cc; i++) {
		ax_cli_sweep_fnv1a(&h, "\0cc", 4);
		ax_cli_sweep_fnv1a(&h, cc[i], strlen(cc[i]) + 1);
	}
	char hex[17];
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
	return json_string(hex);
}

/*
 * Runs one point: the pipeline of axsim run with the fixed --set-cc and the
 * axes as overrides, then writes the point file to o->json (the run JSON with
 * its "sweep" object, or only the "sweep" object when the point failed).
 * print: also print the point's messages (a job line) or not (a child of an
 * in-process sweep, whose table shows them).  Returns the exit status.
 */
int ax_cli_sweep_point_run(const struct ax_opts *o, const struct ax_sweep_job *job, int print)
{
	struct ax_err msgs;
	ax_err_init(&msgs);
	json_t *names = json_array(), *values = json_object();
	int status = 0;
	for (int i = 0; i < job->n_axes; i++) {
		const char *val;
		char *key = ax_cli_sweep_split(job->axes[i], &val);
		json_t *v = key ? ax_sweep_typed_value(key, val, SWEEP_ORIGIN, &msgs) : NULL;
		if (!key)
			ax_err_add(&msgs, "--axis '%s': expected KEY=VALUE", job->axes[i]);
		else if (json_object_get(values, key))
			ax_err_add(&msgs, "--axis '%s': %s is an axis twice", job->axes[i], key);
		if (key && v && !json_object_get(values, key)) {
			json_array_append_new(names, json_string(key));
			json_object_set_new(values, key, v);
		} else {
			json_decref(v);
			status = 2;
		}
		free(key);
	}
	json_t *report = NULL;
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
			.origin = SWEEP_ORIGIN, .msgs = &msgs, .report = &report,
		};
		status = ax_cli_run_pipeline(&po, &x);
		free(ov);
	}
	json_t *sw = json_object();
	json_object_set_new(sw, "schema_version", json_integer(AX_SWEEP_SCHEMA_VERSION));
	json_object_set_new(sw, "axes", names);
	json_object_set_new(sw, "values", values);
	json_object_set_new(sw, "configured", ax_cli_sweep_configured(o, job->cc, job->n_cc, names));
	json_object_set_new(sw, "inputs", ax_cli_sweep_inputs_digest(o, job->cc, job->n_cc));
	json_object_set_new(sw, "status", json_string(status_name(status)));
	json_t *etext = json_null();
	if (msgs.count) {
		const char *m = ax_err_str(&msgs);
		size_t len = strlen(m);
		while (len && m[len - 1] == '\n')
			len--;
		etext = json_stringn(m, len);
	}
	json_object_set_new(sw, "error", etext);
	json_t *doc = report && !status ? report : json_object();
	if (doc != report)
		json_decref(report);
	json_object_set_new(doc, "sweep", sw);
	struct ax_err werr;
	ax_err_init(&werr);
	if (ax_write_json(doc, o->json, &werr))
		status = status ? status : 1;
	json_decref(doc);
	if (print) {
		ax_cli_print_errors(&msgs, "axsim: ");
		ax_cli_print_errors(&werr, "axsim: ");
	}
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
	return ax_cli_sweep_point_run(o, job, 1);
}
