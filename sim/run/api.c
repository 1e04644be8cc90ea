/*
 * api.c - the public C API (axsim.h) over the run pipeline (run.h): opaque
 * handles that own copies of their strings, messages kept per session.
 */
#include "axsim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ydoc.h"
#include "config/keys.h"
#include "report/trace.h"
#include "run/compare.h"
#include "run/run.h"
#include "run/sweep.h"

#ifndef AXSIM_VERSION_STRING
#error "AXSIM_VERSION_STRING comes from project(VERSION) in CMakeLists.txt"
#endif

struct axsim_session {
	struct ax_err err, warn;
};

struct axsim_spec {
	char *net, *config, *model, *board, *arch, *vcd;
	char **sets;
	size_t n_sets, cap_sets;
	char **nets, **rois;           /* "MODEL=NET", "MODEL=N" of a pipeline */
	size_t n_nets, cap_nets, n_rois, cap_rois;
	char **axes;                   /* "KEY=LIST" of a sweep */
	size_t n_axes, cap_axes;
	unsigned inferences;
	int record;
};

struct axsim_result {
	struct ax_run_result r;
	int recorded;
	json_t *json;                  /* the report, made on first use */
};

/* SystemC cannot restart: one simulation per process. */
static int simulated;

const char *axsim_version(void)
{
	return AXSIM_VERSION_STRING;
}

struct axsim_session *axsim_session_new(void)
{
	struct axsim_session *s = calloc(1, sizeof(*s));
	if (s) {
		ax_err_init(&s->err);
		ax_err_init(&s->warn);
	}
	return s;
}

void axsim_session_free(struct axsim_session *s)
{
	if (!s)
		return;
	ax_err_release(&s->err);
	ax_err_release(&s->warn);
	free(s);
}

const char *axsim_session_errors(const struct axsim_session *s)
{
	return s ? ax_err_str(&s->err) : "";
}

const char *axsim_session_warnings(const struct axsim_session *s)
{
	return s ? ax_err_str(&s->warn) : "";
}

/* Forgets the messages of the previous call. */
static void session_reset(struct axsim_session *s)
{
	ax_err_release(&s->err);
	ax_err_release(&s->warn);
	ax_err_init(&s->err);
	ax_err_init(&s->warn);
}

struct axsim_spec *axsim_spec_new(void)
{
	return calloc(1, sizeof(struct axsim_spec));
}

void axsim_spec_free(struct axsim_spec *spec)
{
	if (!spec)
		return;
	free(spec->net);
	free(spec->config);
	free(spec->model);
	free(spec->board);
	free(spec->arch);
	free(spec->vcd);
	for (size_t i = 0; i < spec->n_sets; i++)
		free(spec->sets[i]);
	free(spec->sets);
	for (size_t i = 0; i < spec->n_nets; i++)
		free(spec->nets[i]);
	free(spec->nets);
	for (size_t i = 0; i < spec->n_rois; i++)
		free(spec->rois[i]);
	free(spec->rois);
	for (size_t i = 0; i < spec->n_axes; i++)
		free(spec->axes[i]);
	free(spec->axes);
	free(spec);
}

/* *dst becomes a copy of src (NULL stays NULL). */
static void replace(char **dst, const char *src)
{
	free(*dst);
	*dst = src ? ax_xstrdup(src) : NULL;
}

int axsim_spec_set_net(struct axsim_spec *spec, const char *path)
{
	if (!spec || !path)
		return AXSIM_EUSAGE;
	replace(&spec->net, path);
	return AXSIM_OK;
}

int axsim_spec_set_config(struct axsim_spec *spec, const char *path, const char *model,
			  const char *board)
{
	if (!spec)
		return AXSIM_EUSAGE;
	replace(&spec->config, path);
	replace(&spec->model, model);
	replace(&spec->board, board);
	return AXSIM_OK;
}

int axsim_spec_set_arch(struct axsim_spec *spec, const char *path)
{
	if (!spec)
		return AXSIM_EUSAGE;
	replace(&spec->arch, path);
	return AXSIM_OK;
}

int axsim_spec_set(struct axsim_spec *spec, const char *assignment)
{
	if (!spec || !assignment)
		return AXSIM_EUSAGE;
	AX_GROW(spec->sets, spec->cap_sets, spec->n_sets + 1);
	spec->sets[spec->n_sets++] = ax_xstrdup(assignment);
	return AXSIM_OK;
}

int axsim_spec_add_net(struct axsim_spec *spec, const char *model, const char *path)
{
	if (!spec || !model || !path)
		return AXSIM_EUSAGE;
	AX_GROW(spec->nets, spec->cap_nets, spec->n_nets + 1);
	spec->nets[spec->n_nets++] = ax_xasprintf("%s=%s", model, path);
	return AXSIM_OK;
}

int axsim_spec_set_rois(struct axsim_spec *spec, const char *model, unsigned rois)
{
	if (!spec || !model)
		return AXSIM_EUSAGE;
	AX_GROW(spec->rois, spec->cap_rois, spec->n_rois + 1);
	spec->rois[spec->n_rois++] = ax_xasprintf("%s=%u", model, rois);
	return AXSIM_OK;
}

int axsim_spec_add_axis(struct axsim_spec *spec, const char *key, const char *values)
{
	if (!spec || !key || !values)
		return AXSIM_EUSAGE;
	AX_GROW(spec->axes, spec->cap_axes, spec->n_axes + 1);
	spec->axes[spec->n_axes++] = ax_xasprintf("%s=%s", key, values);
	return AXSIM_OK;
}

int axsim_spec_set_inferences(struct axsim_spec *spec, unsigned inferences)
{
	if (!spec)
		return AXSIM_EUSAGE;
	spec->inferences = inferences;
	return AXSIM_OK;
}

int axsim_spec_set_trace(struct axsim_spec *spec, int record)
{
	if (!spec)
		return AXSIM_EUSAGE;
	spec->record = record != 0;
	return AXSIM_OK;
}

int axsim_spec_set_vcd(struct axsim_spec *spec, const char *path)
{
	if (!spec)
		return AXSIM_EUSAGE;
	replace(&spec->vcd, path);
	return AXSIM_OK;
}

int axsim_run(struct axsim_session *s, const struct axsim_spec *spec, struct axsim_result **out)
{
	if (out)
		*out = NULL;
	if (!s)
		return AXSIM_EUSAGE;
	session_reset(s);
	if (!spec || !out) {
		ax_err_add(&s->err, "axsim_run: the specification and the result pointer must not be NULL");
		return AXSIM_EUSAGE;
	}
	if (simulated) {
		ax_err_add(&s->err, "axsim_run: this process has already simulated, and SystemC cannot "
			   "restart; expected one simulation per process (fork a child per simulation)");
		return AXSIM_EUSAGE;
	}
	struct ax_run_spec rs = {
		.net_path = spec->net,
		.arch_path = spec->arch,
		.config_path = spec->config,
		.model = spec->model,
		.board = spec->board,
		.sets = (const char *const *)spec->sets,
		.n_sets = (int)spec->n_sets,
		.nets = (const char *const *)spec->nets,
		.n_nets = (int)spec->n_nets,
		.rois = (const char *const *)spec->rois,
		.n_rois = (int)spec->n_rois,
		.inferences = spec->inferences,
		.record_tasks = spec->record,
		.vcd_path = spec->vcd,
	};
	struct axsim_result *r = ax_xcalloc(1, sizeof(*r));
	ax_run_result_init(&r->r);
	int rc = ax_run(&rs, &r->r, &s->err, &s->warn);
	if (rc == AX_ESIM || rc == AX_OK)
		simulated = 1;
	if (rc) {
		ax_run_result_release(&r->r);
		free(r);
		return rc == AX_ESIM ? AXSIM_ESIM : AXSIM_EINPUT;
	}
	r->recorded = spec->record;
	*out = r;
	return AXSIM_OK;
}

void axsim_result_free(struct axsim_result *r)
{
	if (!r)
		return;
	ax_run_result_release(&r->r);
	if (r->json)
		json_decref(r->json);
	free(r);
}

static json_t *result_json(const struct axsim_result *r)
{
	struct axsim_result *w = (struct axsim_result *)r;
	if (!w->json)
		w->json = ax_report_json(&w->r.in);
	return w->json;
}

int axsim_result_get(const struct axsim_result *r, const char *path, double *value)
{
	if (!r || !path || !value)
		return AXSIM_EUSAGE;
	json_t *j = result_json(r);
	const char *p = path;
	while (j && *p) {
		size_t n = strcspn(p, ".");
		char *part = ax_xstrndup(p, n);
		if (json_is_object(j)) {
			j = json_object_get(j, part);
		} else if (json_is_array(j)) {
			char *end;
			unsigned long i = strtoul(part, &end, 10);
			j = part[0] && !*end ? json_array_get(j, i) : NULL;
		} else {
			j = NULL;
		}
		free(part);
		p += n + (p[n] == '.');
	}
	if (!j || !json_is_number(j))
		return AXSIM_EINPUT;
	*value = json_number_value(j);
	return AXSIM_OK;
}

uint64_t axsim_result_latency_cycles(const struct axsim_result *r)
{
	double v = 0;
	if (axsim_result_get(r, "totals.latency_cycles", &v))
		return 0;
	return (uint64_t)v;
}

double axsim_result_fps(const struct axsim_result *r)
{
	double v = 0;
	if (axsim_result_get(r, "totals.fps", &v))
		return 0;
	return v;
}

char *axsim_result_format(const struct axsim_result *r, enum axsim_format f)
{
	if (!r)
		return NULL;
	size_t len;
	switch (f) {
	case AXSIM_FORMAT_JSON: {
		char *s = json_dumps(result_json(r), JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
		if (!s)
			AX_BUG("jansson could not serialise the report");
		char *t = ax_xasprintf("%s\n", s);
		free(s);
		return t;
	}
	case AXSIM_FORMAT_TEXT: {
		char *buf = NULL;
		FILE *mem = open_memstream(&buf, &len);
		if (!mem)
			return NULL;
		ax_report_text(&r->r.in, mem);
		if (fclose(mem)) {
			free(buf);
			return NULL;
		}
		return buf;
	}
	case AXSIM_FORMAT_CSV:
		return ax_report_csv(&r->r.in, &len);
	case AXSIM_FORMAT_TRACE:
		return r->recorded ? ax_trace_json(&r->r.in, &len) : NULL;
	}
	return NULL;
}

int axsim_result_write(struct axsim_session *s, const struct axsim_result *r, enum axsim_format f,
		       const char *path)
{
	if (!s)
		return AXSIM_EUSAGE;
	session_reset(s);
	if (!r || !path) {
		ax_err_add(&s->err, "axsim_result_write: the result and the path must not be NULL");
		return AXSIM_EUSAGE;
	}
	if (f == AXSIM_FORMAT_TRACE && !r->recorded) {
		ax_err_add(&s->err, "%s: no trace was recorded; expected axsim_spec_set_trace before axsim_run",
			   path);
		return AXSIM_EUSAGE;
	}
	char *text = axsim_result_format(r, f);
	if (!text) {
		ax_err_add(&s->err, "%s: unknown format %d", path, (int)f);
		return AXSIM_EUSAGE;
	}
	int rc = ax_write_atomic(path, text, strlen(text), &s->err);
	free(text);
	return rc ? AXSIM_EOUTPUT : AXSIM_OK;
}

void axsim_free(void *p)
{
	free(p);
}

/* Entries of a NULL-terminated list (NULL: none). */
static int list_len(const char *const *v)
{
	int n = 0;
	while (v && v[n])
		n++;
	return n;
}

int axsim_compare(struct axsim_session *s, const char *base, const char *cur, const char *const *metrics,
		  const char *const *tolerances, int force, char **out)
{
	if (out)
		*out = NULL;
	if (!s)
		return AXSIM_EUSAGE;
	session_reset(s);
	if (!base || !cur || !out) {
		ax_err_add(&s->err, "axsim_compare: the two reports and the result pointer must not be NULL");
		return AXSIM_EUSAGE;
	}
	struct ax_compare_spec spec = {
		.base_path = base, .new_path = cur,
		.metrics = metrics, .n_metrics = list_len(metrics),
		.tolerances = tolerances, .n_tolerances = list_len(tolerances),
		.force = force,
	};
	struct ax_compare c;
	int rc = ax_compare_load(&spec, &c, &s->err);
	if (!rc) {
		json_t *j = ax_compare_json(&c);
		char *t = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
		if (!t)
			AX_BUG("jansson could not serialise a comparison");
		*out = ax_xasprintf("%s\n", t);
		free(t);
		json_decref(j);
	}
	ax_compare_release(&c);
	return rc ? AXSIM_EINPUT : AXSIM_OK;
}

/* The sweep of spec's axes into sw (initialised), with the point files in
 * dir; AX_OK, or a status with the messages in err. */
static int sweep_run(const struct axsim_spec *spec, struct ax_sweep *sw, const char *dir, const char **sets,
		     const char **cc, char *inferences, struct ax_sweep_results *rs, struct axsim_session *s)
{
	/* the changes of spec: hardware parameters as fixed --set, compilation
	 * keys as the model YAML's (an unknown key fails as a hardware one) */
	int n_sets = 0, n_cc = 0;
	for (size_t i = 0; i < spec->n_sets; i++) {
		const char *val;
		char *key = ax_sweep_split(spec->sets[i], &val);
		struct ax_key k;
		if (key && !ax_key_find(key, &k) && !k.arch)
			cc[n_cc++] = spec->sets[i];
		else
			sets[n_sets++] = spec->sets[i];
		free(key);
	}
	if (spec->inferences)
		snprintf(inferences, 16, "%u", spec->inferences);
	sw->spec = (struct ax_sweep_spec){
		.net_path = spec->net, .nets = (const char *const *)spec->nets, .n_nets = (int)spec->n_nets,
		.rois = (const char *const *)spec->rois, .n_rois = (int)spec->n_rois, .arch_path = spec->arch,
		.config_path = spec->config, .model = spec->model, .board = spec->board,
		.inferences = spec->inferences ? inferences : NULL,
		.sets = sets, .n_sets = n_sets, .cc = cc, .n_cc = n_cc,
	};
	for (size_t i = 0; i < spec->n_axes; i++) {
		const char *list;
		char *key = ax_sweep_split(spec->axes[i], &list);
		struct ax_key k;
		int bad = !key || ax_key_find(key, &k);
		if (bad) {
			/* worded as axsim sweep --set words it */
			size_t n;
			const char **names = ax_key_names(&n);
			const char *sug = key ? ax_suggest(key, names, n) : NULL;
			ax_err_add(&s->err, "axis '%s': not a hardware parameter or compilation key%s%s%s", key ? key : "",
				   sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
			free(names);
		}
		free(key);
		if (bad || ax_sweep_axis_add(sw, "axis", k.name, list, &s->err))
			return AX_EINPUT;
	}
	struct ax_sweep_stats st;
	size_t missing;
	int rc = ax_sweep_grid(sw, &s->err);
	if (!rc)
		rc = ax_sweep_load(sw, &s->err, &s->warn);
	if (!rc)
		rc = ax_sweep_claim(sw, dir, &s->err);
	if (!rc && ax_sweep_run(sw, rs, &st, &s->err))
		return AX_ESIM;
	/* points that could not be rewritten or do not belong are said, and
	 * the results hold the others */
	if (!rc && st.damaged) {
		ax_err_append(&s->warn, &s->err);
		ax_err_release(&s->err);
		ax_err_init(&s->err);
	}
	if (!rc)
		rc = ax_sweep_results_finish(rs, &missing, &s->err);
	return rc;
}

int axsim_sweep(struct axsim_session *s, const struct axsim_spec *spec, const char *dir, int jobs, int resume,
		const char *objective, char **out)
{
	if (out)
		*out = NULL;
	if (!s)
		return AXSIM_EUSAGE;
	session_reset(s);
	if (!spec || !out) {
		ax_err_add(&s->err, "axsim_sweep: the specification and the result pointer must not be NULL");
		return AXSIM_EUSAGE;
	}
	if (simulated) {
		ax_err_add(&s->err, "axsim_sweep: this process has already simulated, and the points' processes "
			   "would inherit its simulation; expected axsim_sweep before any axsim_run");
		return AXSIM_EUSAGE;
	}
	int obj = objective ? ax_sweep_objective_find(objective) : AX_OBJ_LATENCY;
	if (obj < 0) {
		ax_err_add(&s->err, "objective '%s' is not valid; expected latency, fps or ddr", objective);
		return AXSIM_EINPUT;
	}
	if (jobs < 1 || jobs > AX_SWEEP_MAX_JOBS) {
		ax_err_add(&s->err, "jobs '%d' is not valid; expected an integer from 1 to %d", jobs, AX_SWEEP_MAX_JOBS);
		return AXSIM_EINPUT;
	}
	struct ax_sweep sw;
	ax_sweep_init(&sw);
	sw.jobs = jobs;
	sw.resume = resume != 0;
	sw.objective = (enum ax_sweep_objective)obj;
	const char **sets = ax_xcalloc(spec->n_sets + 1, sizeof(*sets));
	const char **cc = ax_xcalloc(spec->n_sets + 1, sizeof(*cc));
	char inferences[16];
	struct ax_sweep_results rs = { 0 };
	int rc = sweep_run(spec, &sw, dir, sets, cc, inferences, &rs, s);
	if (!rc) {
		json_t *j = ax_sweep_results_json(&rs);
		char *t = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(9));
		if (!t)
			AX_BUG("jansson could not serialise a sweep");
		*out = ax_xasprintf("%s\n", t);
		free(t);
		json_decref(j);
	}
	ax_sweep_results_release(&rs);
	ax_sweep_release(&sw);
	free(sets);
	free(cc);
	return rc == AX_OK ? AXSIM_OK : rc == AX_ESIM ? AXSIM_ESIM : rc == AX_EIO ? AXSIM_EOUTPUT : AXSIM_EINPUT;
}
