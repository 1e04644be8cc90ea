/*
 * check_trace.c - the timeline outputs of axsim run (docs/traces.md): the
 * trace-event JSON of --trace read back with jansson and checked against the
 * --json report of the same run, the VCD of --vcd parsed by hand, bad output
 * paths, and that recording changes nothing in the report.
 */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/err.h"
#include "config/arch.h"
#include "lower/tasklist.h"
#include "net/net.h"
#include "platform/platform.h"
#include "testutil.h"

#define TINY_NET "models/tiny/tiny.net.yaml"
#define TINY_MODEL "models/tiny/tiny.yaml"
#define YOLO_NET "models/yolov5s/yolov5s.net.yaml"
#define YOLO_MODEL "models/yolov5s/yolov5s.yaml"

/* Runs axsim on net with extra options; fails the test unless it exits 0. */
static void run_ok(const char *net, const char *model, const char *fmt_extra)
{
	struct ax_run r = ax_run_axsim("run '%s' --config '%s' --quiet %s", ax_src(net), ax_src(model), fmt_extra);
	ck_assert_msg(r.status == 0, "axsim run %s %s failed (%d): %s", net, fmt_extra, r.status, r.err);
	ax_run_free(&r);
}

static json_t *load_json(const char *path)
{
	json_error_t je;
	json_t *j = json_load_file(path, 0, &je);
	ck_assert_msg(j != NULL, "bad JSON in %s: %s (line %d)", path, je.text, je.line);
	return j;
}

static double num_at(json_t *root, const char *a, const char *b)
{
	json_t *v = json_object_get(json_object_get(root, a), b);
	ck_assert_msg(json_is_number(v), "report has no number %s.%s", a, b);
	return json_number_value(v);
}

static double num_field(json_t *ev, const char *key)
{
	json_t *v = json_object_get(ev, key);
	ck_assert_msg(json_is_number(v), "event lacks a number '%s'", key);
	return json_number_value(v);
}

static const char *str_field(json_t *ev, const char *key)
{
	json_t *v = json_object_get(ev, key);
	ck_assert_msg(json_is_string(v), "event lacks a string '%s'", key);
	return json_string_value(v);
}

/* A slice of the trace. */
struct slice {
	long pid, tid;
	double ts, end;
};

static int slice_cmp(const void *pa, const void *pb)
{
	const struct slice *a = pa, *b = pb;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	return (a->ts > b->ts) - (a->ts < b->ts);
}

/* What check_trace found. */
struct trace_facts {
	size_t tasks;          /* task slices (not dispatch) */
	double last_end_us;    /* end of the last task slice */
	size_t dma_channels;   /* "dma chN" tracks of core 0 */
	size_t processes;
};

/* Checks the structure of a trace and its agreement with the network:
 * every X event complete, on a named track of a named process, named after
 * a layer; every task once; no two slices of one track overlapping. */
static struct trace_facts check_trace(const char *trace_path, const char *net_path)
{
	struct trace_facts f = { 0 };
	struct ax_net net;
	struct ax_err err;
	ax_err_init(&err);
	ax_net_init(&net);
	ck_assert_msg(ax_net_load_yaml(&net, ax_src(net_path), &err) == AX_OK, "%s", ax_err_str(&err));

	json_t *root = load_json(trace_path);
	json_t *events = json_object_get(root, "traceEvents");
	ck_assert_msg(json_is_array(events), "no traceEvents array");
	size_t n = json_array_size(events);
	ck_assert_uint_gt(n, 0);

	/* names of processes and tracks */
	json_t *procs = json_object(), *threads = json_object();
	char key[64];
	for (size_t i = 0; i < n; i++) {
		json_t *ev = json_array_get(events, i);
		if (strcmp(str_field(ev, "ph"), "M"))
			continue;
		const char *what = str_field(ev, "name");
		json_t *args = json_object_get(ev, "args");
		if (!strcmp(what, "process_name")) {
			snprintf(key, sizeof(key), "%ld", (long)num_field(ev, "pid"));
			json_object_set(procs, key, json_object_get(args, "name"));
		} else if (!strcmp(what, "thread_name")) {
			snprintf(key, sizeof(key), "%ld/%ld", (long)num_field(ev, "pid"), (long)num_field(ev, "tid"));
			json_object_set(threads, key, json_object_get(args, "name"));
			const char *tn = json_string_value(json_object_get(args, "name"));
			ck_assert_msg(tn && tn[0], "thread_name without a name");
			if (num_field(ev, "pid") == 1 && !strncmp(tn, "dma ch", 6))
				f.dma_channels++;
		}
	}
	f.processes = json_object_size(procs);
	int have_core0 = 0, have_chip = 0;
	const char *pk;
	json_t *pv;
	json_object_foreach(procs, pk, pv) {
		have_core0 |= !strcmp(json_string_value(pv), "core 0");
		have_chip |= !strcmp(json_string_value(pv), "chip");
	}
	ck_assert_msg(have_core0 && have_chip, "processes 'core 0' and 'chip' are not both named");
	static const char *const tracks[] = { "controller", "imc passes", "imc weight writes", "dpu", "dwpu", "dma ch0", "sys dma ch0" };
	for (size_t t = 0; t < sizeof(tracks) / sizeof(tracks[0]); t++) {
		int found = 0;
		json_object_foreach(threads, pk, pv)
			found |= !strcmp(json_string_value(pv), tracks[t]);
		ck_assert_msg(found, "no track named '%s'", tracks[t]);
	}

	/* slices */
	struct slice *sl = calloc(n, sizeof(*sl));
	size_t ns = 0;
	long max_task = -1;
	for (size_t i = 0; i < n; i++) {
		json_t *ev = json_array_get(events, i);
		if (strcmp(str_field(ev, "ph"), "X"))
			continue;
		const char *name = str_field(ev, "name");
		double ts = num_field(ev, "ts"), dur = num_field(ev, "dur");
		long pid = (long)num_field(ev, "pid"), tid = (long)num_field(ev, "tid");
		ck_assert_msg(ts >= 0 && dur >= 0, "slice '%s' at %g for %g", name, ts, dur);
		ck_assert_msg(ax_net_find(&net, name) >= 0, "slice '%s' is not a layer of %s", name, net_path);
		snprintf(key, sizeof(key), "%ld", pid);
		ck_assert_msg(json_object_get(procs, key), "process %ld has no name", pid);
		snprintf(key, sizeof(key), "%ld/%ld", pid, tid);
		ck_assert_msg(json_object_get(threads, key), "track %s has no name", key);
		sl[ns++] = (struct slice){ pid, tid, ts, ts + dur };
		if (!strcmp(str_field(ev, "cat"), "dispatch"))
			continue;
		json_t *args = json_object_get(ev, "args");
		ck_assert_msg(json_is_string(json_object_get(args, "kind")), "slice '%s' has no kind", name);
		long task = (long)json_integer_value(json_object_get(args, "task"));
		if (task > max_task)
			max_task = task;
		f.tasks++;
		if (ts + dur > f.last_end_us)
			f.last_end_us = ts + dur;
	}
	/* tasks are numbered 0..n-1 and counted once each (a trace cut at
	 * --trace-limit holds those that started before a time) */
	if (!json_object_get(json_object_get(root, "otherData"), "truncated_at_us"))
		ck_assert_int_eq(max_task + 1, (long)f.tasks);
	else
		ck_assert_int_ge(max_task + 1, (long)f.tasks);
	qsort(sl, ns, sizeof(*sl), slice_cmp);
	for (size_t i = 1; i < ns; i++)
		if (sl[i].pid == sl[i - 1].pid && sl[i].tid == sl[i - 1].tid)
			ck_assert_msg(sl[i].ts >= sl[i - 1].end - 1e-7,
				      "slices overlap on track %ld/%ld: [%.6f, %.6f] and [%.6f, %.6f]", sl[i].pid,
				      sl[i].tid, sl[i - 1].ts, sl[i - 1].end, sl[i].ts, sl[i].end);
	free(sl);
	json_decref(procs);
	json_decref(threads);
	json_decref(root);
	ax_net_release(&net);
	ax_err_release(&err);
	return f;
}

/* The trace of one inference of tiny: every task once, on named tracks,
 * ending at the reported latency. */
START_TEST(test_trace_tiny)
{
	char *trace = ax_tmp("tiny.trace.json"), *report = ax_tmp("tiny.json");
	char extra[2048];
	snprintf(extra, sizeof(extra), "--inferences 1 --json '%s' --trace '%s'", report, trace);
	run_ok(TINY_NET, TINY_MODEL, extra);
	json_t *rep = load_json(report);
	struct trace_facts f = check_trace(trace, TINY_NET);
	ck_assert_uint_eq(f.tasks, (size_t)num_at(rep, "simulation", "tasks"));
	double lat = num_at(rep, "totals", "latency_us");
	ck_assert_msg(fabs(f.last_end_us - lat) <= 0.001, "last slice ends at %.6f us, latency %.6f us",
		      f.last_end_us, lat);
	ck_assert_uint_eq(f.processes, 2);   /* one core and the chip */
	json_decref(rep);
	free(trace);
	free(report);
}
END_TEST

/* Several cores and back-to-back inferences: the trace covers the whole run. */
START_TEST(test_trace_yolo)
{
	char *trace = ax_tmp("yolo.trace.json"), *report = ax_tmp("yolo.json");
	char extra[2048];
	snprintf(extra, sizeof(extra), "--json '%s' --trace '%s'", report, trace);
	run_ok(YOLO_NET, YOLO_MODEL, extra);
	json_t *rep = load_json(report);
	struct trace_facts f = check_trace(trace, YOLO_NET);
	ck_assert_uint_eq(f.tasks, (size_t)num_at(rep, "simulation", "tasks"));
	ck_assert_uint_eq(f.processes, (size_t)num_at(rep, "plan", "cores") + 1);
	/* simulated_cycles is the run's end rounded up to a cycle */
	double cyc_us = 1.0 / num_at(rep, "plan", "clock_hz") * 1e6;
	double run_end = num_at(rep, "simulation", "simulated_cycles") * cyc_us;
	ck_assert_msg(f.last_end_us <= run_end + 1e-6 && f.last_end_us > run_end - cyc_us - 1e-6,
		      "last slice ends at %.6f us, the run at %.6f us", f.last_end_us, run_end);
	ck_assert_msg(f.last_end_us > num_at(rep, "totals", "latency_us"), "second inference not traced");
	json_decref(rep);
	free(trace);
	free(report);
}
END_TEST

/* docs/traces.md "Size": past --trace-limit the trace holds the timeline up
 * to a time (every task that started before it, said in otherData) and the
 * VCD stops; each is about the limit, valid, and said in a warning.  Under
 * the limit nothing changes. */
START_TEST(test_size_limit)
{
	char *trace = ax_tmp("lim.trace.json"), *vcd = ax_tmp("lim.vcd"), *report = ax_tmp("lim.json");
	struct ax_run r = ax_run_axsim("run '%s' --config '%s' --quiet --inferences 4 --json '%s' --trace '%s' "
				       "--vcd '%s' --trace-limit 1MiB", ax_src(YOLO_NET), ax_src(YOLO_MODEL),
				       report, trace, vcd);
	ck_assert_msg(r.status == 0, "%s", r.err);
	ck_has(r.err, "axsim: warning: --trace ");
	ck_has(r.err, "the whole would be larger than --trace-limit 1MiB");
	ck_has(r.err, "axsim: warning: --vcd ");
	ck_has(r.err, ", at --trace-limit 1MiB");
	ax_run_free(&r);
	size_t tlen, vlen;
	char *t = ax_read_file(trace, &tlen), *v = ax_read_file(vcd, &vlen);
	ck_assert_uint_le(tlen, 1u << 20);
	ck_assert_uint_gt(tlen, 1u << 19);
	ck_assert_uint_le(vlen, (1u << 20) + (1u << 17));
	free(t);
	free(v);
	struct trace_facts f = check_trace(trace, YOLO_NET);
	json_t *root = load_json(trace), *rep = load_json(report);
	json_t *od = json_object_get(root, "otherData");
	double until = json_number_value(json_object_get(od, "truncated_at_us"));
	ck_assert_uint_eq(f.tasks, (size_t)json_integer_value(json_object_get(od, "tasks_shown")));
	ck_assert_uint_eq((size_t)json_integer_value(json_object_get(od, "tasks")),
			  (size_t)num_at(rep, "simulation", "tasks"));
	ck_assert_uint_lt(f.tasks, (size_t)num_at(rep, "simulation", "tasks"));
	size_t i;
	json_t *ev;
	json_array_foreach(json_object_get(root, "traceEvents"), i, ev)
		if (!strcmp(str_field(ev, "ph"), "X") && strcmp(str_field(ev, "cat"), "dispatch"))
			ck_assert_msg(num_field(ev, "ts") < until, "a slice at %.6f us, past %.6f us",
				      num_field(ev, "ts"), until);
	json_decref(root);
	json_decref(rep);
	/* under the limit: the whole trace, without a word */
	r = ax_run_axsim("run '%s' --config '%s' --quiet --inferences 1 --trace '%s' --trace-limit 64MiB",
			 ax_src(TINY_NET), ax_src(TINY_MODEL), trace);
	ck_assert_msg(r.status == 0 && !*r.err, "%s", r.err);
	ax_run_free(&r);
	root = load_json(trace);
	ck_assert_ptr_null(json_object_get(json_object_get(root, "otherData"), "truncated_at_us"));
	json_decref(root);
	ax_expect_fail("--trace-limit '512KiB' is not valid; expected a size from 1MiB to 1TiB",
		       "run '%s' --quiet --trace '%s' --trace-limit 512KiB", ax_src(TINY_NET), trace);
	free(trace);
	free(vcd);
	free(report);
}
END_TEST

/* The platform records where and when each task ran when asked: two
 * transfers of different classes on the system DMA's two channels, then a
 * DPU task after both. */
START_TEST(test_platform_records)
{
	struct ax_arch_desc d;
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_arch_load(&d, NULL, &err), AX_OK);
	struct ax_tasklist tl;
	ax_tasklist_init(&tl);
	tl.n_cores = tl.copies = tl.cores_per_copy = 1;
	tl.tasklist_home = AX_MEM_DDR;
	tl.tasklist_chunks = 1;
	tl.clock_hz = 800000000ull;
	tl.mvm_limit_permille = 1000;
	tl.dma_sys_channels = tl.dma_core_channels = 2;
	tl.n_layers = 1;
	tl.tensors = calloc(1, sizeof(*tl.tensors));
	tl.plans = calloc(1, sizeof(*tl.plans));
	struct ax_task t = { 0 };
	t.kind = AX_T_DMA;
	t.unit = AX_U_DMA_SYS;
	t.src = AX_MEM_DDR;
	t.dst = AX_MEM_L2;
	t.bytes = 65536;
	t.data = AX_KIND_WEIGHTS;
	uint32_t deps[2];
	deps[0] = ax_tasklist_add(&tl, &t, NULL, 0);
	t.data = AX_KIND_ACT;
	t.dst_addr = 1 << 20;
	deps[1] = ax_tasklist_add(&tl, &t, NULL, 0);
	struct ax_task u = { 0 };
	u.kind = AX_T_DPU;
	u.unit = AX_U_DPU;
	u.cycles = 100;
	uint32_t last = ax_tasklist_add(&tl, &u, deps, 2);

	/* simulate in a child, like check_platform.c: SystemC's coroutine
	 * stacks confuse the leak checker of a sanitized build at exit */
	struct {
		int rc, had_records, released;
		struct ax_task_record r[3];
		uint64_t latency_ps, cycle_ps;
	} got;
	int fd[2];
	ck_assert_int_eq(pipe(fd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct ax_result res;
		struct ax_platform_opts o = { .record_tasks = 1 };
		memset(&got, 0, sizeof(got));
		got.rc = ax_platform_run_opts(&tl, &d.arch, &o, &res, &err);
		got.had_records = res.records != NULL;
		if (res.records)
			memcpy(got.r, res.records, sizeof(got.r));
		got.latency_ps = res.latency_ps;
		got.cycle_ps = res.cycle_ps;
		ax_result_release(&res);
		got.released = res.records == NULL;
		_exit(write(fd[1], &got, sizeof(got)) == (ssize_t)sizeof(got) ? 0 : 1);
	}
	close(fd[1]);
	ssize_t n = read(fd[0], &got, sizeof(got));
	close(fd[0]);
	int st;
	waitpid(pid, &st, 0);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0 && n == (ssize_t)sizeof(got), "child failed (%d)", st);
	ck_assert_int_eq(got.rc, AX_OK);
	ck_assert_msg(got.had_records && got.released, "records not allocated or not released");
	const struct ax_task_record *r = got.r;
	ck_assert_uint_eq(r[0].lane, 0);   /* weights: the first half of the channels */
	ck_assert_uint_eq(r[1].lane, 1);   /* activations: the second */
	for (uint32_t i = 0; i <= last; i++) {
		ck_assert_uint_le(r[i].issue_start_ps, r[i].issue_end_ps);
		ck_assert_uint_le(r[i].issue_end_ps, r[i].start_ps);
		ck_assert_uint_lt(r[i].start_ps, r[i].end_ps);
	}
	/* the two transfers overlap; the DPU task waits for both */
	ck_assert_uint_lt(r[1].start_ps, r[0].end_ps);
	ck_assert_uint_ge(r[last].start_ps, r[0].end_ps > r[1].end_ps ? r[0].end_ps : r[1].end_ps);
	ck_assert_uint_ge(r[last].end_ps - r[last].start_ps, 100 * got.cycle_ps);
	ck_assert_uint_eq(r[last].end_ps, got.latency_ps);
	ax_tasklist_release(&tl);
	ax_arch_desc_release(&d);
	ax_err_release(&err);
}
END_TEST

/* A parsed VCD: signal names (scope.name) with their final values. */
struct vcd {
	size_t n;
	char name[64][64];
	char code[64][16];
	char last[64][80];
	int has_timescale_ps;
	size_t changes;            /* value changes after the initial dump */
	unsigned long long last_time;
};

static void vcd_parse(const char *path, struct vcd *v)
{
	memset(v, 0, sizeof(*v));
	char *text = ax_read_file(path, NULL);
	ck_assert_msg(text != NULL, "no VCD at %s", path);
	char scope[8][64];
	int depth = 0, in_defs = 1, in_timescale = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		while (*line == ' ')
			line++;
		if (in_timescale) {
			if (!strncmp(line, "1 ps", 4))
				v->has_timescale_ps = 1;
			in_timescale = 0;
		}
		if (!strcmp(line, "$timescale")) {
			in_timescale = 1;
		} else if (!strncmp(line, "$scope module ", 14)) {
			ck_assert_int_lt(depth, 8);
			sscanf(line + 14, "%63s", scope[depth++]);
		} else if (!strncmp(line, "$upscope", 8)) {
			depth--;
		} else if (!strncmp(line, "$var ", 5)) {
			char type[16], code[16], leaf[64];
			int width;
			ck_assert_int_eq(sscanf(line + 5, "%15s %d %15s %63s", type, &width, code, leaf), 4);
			ck_assert_uint_lt(v->n, 64);
			char full[64] = "";
			for (int d = 1; d < depth; d++) /* scope 0 is SystemC's "SystemC" */
				snprintf(full + strlen(full), sizeof(full) - strlen(full), "%s.", scope[d]);
			snprintf(full + strlen(full), sizeof(full) - strlen(full), "%s", leaf);
			snprintf(v->name[v->n], 64, "%s", full);
			snprintf(v->code[v->n], 16, "%s", code);
			v->n++;
		} else if (!strncmp(line, "$enddefinitions", 15)) {
			in_defs = 0;
		} else if (!in_defs && line[0] == '#') {
			v->last_time = strtoull(line + 1, NULL, 10);
		} else if (!in_defs && (line[0] == '0' || line[0] == '1' || line[0] == 'b')) {
			char val[80], code[16];
			if (line[0] == 'b') {
				ck_assert_int_eq(sscanf(line, "%79s %15s", val, code), 2);
			} else {
				snprintf(val, sizeof(val), "%c", line[0]);
				snprintf(code, sizeof(code), "%s", line + 1);
			}
			for (size_t i = 0; i < v->n; i++)
				if (!strcmp(v->code[i], code))
					snprintf(v->last[i], 80, "%s", val);
			if (v->last_time)
				v->changes++;
		}
	}
	free(text);
}

static const char *vcd_final(const struct vcd *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (!strcmp(v->name[i], name))
			return v->last[i];
	ck_abort_msg("the VCD has no signal %s", name);
	return NULL;
}

/* The VCD: a signal per unit and memory, value changes, and at the end
 * (the latency, to the picosecond) every unit idle and no bytes in progress. */
START_TEST(test_vcd_tiny)
{
	char *vcd = ax_tmp("tiny.vcd"), *trace = ax_tmp("tiny.vcd.trace.json"), *report = ax_tmp("tiny.vcd.json");
	char extra[2048];
	snprintf(extra, sizeof(extra), "--inferences 1 --json '%s' --trace '%s' --vcd '%s'", report, trace, vcd);
	run_ok(TINY_NET, TINY_MODEL, extra);
	struct vcd v;
	vcd_parse(vcd, &v);
	ck_assert_msg(v.has_timescale_ps, "VCD timescale is not 1 ps");
	struct trace_facts f = check_trace(trace, TINY_NET);
	static const char *const sig[] = {
		"core0.controller", "core0.imc", "core0.imc_load", "core0.dpu", "core0.dwpu", "core0.l1_bytes",
		"chip.sys_dma0", "chip.ddr_bytes", "chip.l2_bytes",
	};
	for (size_t i = 0; i < sizeof(sig) / sizeof(sig[0]); i++)
		ck_assert_msg(!strcmp(vcd_final(&v, sig[i]), i == 5 || i == 7 || i == 8 ? "b0" : "0"),
			      "%s ends at %s", sig[i], vcd_final(&v, sig[i]));
	for (size_t c = 0; c < f.dma_channels; c++) {
		char name[32];
		snprintf(name, sizeof(name), "core0.dma%zu", c);
		ck_assert_str_eq(vcd_final(&v, name), "0");
	}
	/* units of one core, its L1, the system DMA's channels, DDR and L2 */
	ck_assert_uint_ge(v.n, 5 + f.dma_channels + 1 + 1 + 2);
	ck_assert_uint_gt(v.changes, 10);
	json_t *rep = load_json(report);
	double lat = num_at(rep, "totals", "latency_us");
	ck_assert_msg(fabs((double)v.last_time / 1e6 - lat) <= 0.001, "VCD ends at %llu ps, latency %.6f us",
		      v.last_time, lat);
	/* and exactly where the trace's last slice ends */
	ck_assert_msg(fabs((double)v.last_time / 1e6 - f.last_end_us) < 1e-7, "VCD ends at %llu ps, trace at %.6f us",
		      v.last_time, f.last_end_us);
	json_decref(rep);
	free(vcd);
	free(trace);
	free(report);
}
END_TEST

/* Recording changes nothing in the report, and equal runs give equal files. */
START_TEST(test_recording_is_neutral)
{
	char *a = ax_tmp("plain.json"), *b = ax_tmp("traced.json");
	char *t1 = ax_tmp("t1.json"), *t2 = ax_tmp("t2.json"), *v1 = ax_tmp("v1.vcd"), *v2 = ax_tmp("v2.vcd");
	char extra[4096];
	snprintf(extra, sizeof(extra), "--json '%s'", a);
	run_ok(TINY_NET, TINY_MODEL, extra);
	snprintf(extra, sizeof(extra), "--json '%s' --trace '%s' --vcd '%s'", b, t1, v1);
	run_ok(TINY_NET, TINY_MODEL, extra);
	snprintf(extra, sizeof(extra), "--trace '%s' --vcd '%s'", t2, v2);
	run_ok(TINY_NET, TINY_MODEL, extra);
	const char *pairs[][2] = { { a, b }, { t1, t2 }, { v1, v2 } };
	for (size_t i = 0; i < 3; i++) {
		size_t la, lb;
		char *x = ax_read_file(pairs[i][0], &la), *y = ax_read_file(pairs[i][1], &lb);
		ck_assert_msg(x && y, "missing %s or %s", pairs[i][0], pairs[i][1]);
		ck_assert_msg(la == lb && !memcmp(x, y, la), "%s and %s differ", pairs[i][0], pairs[i][1]);
		free(x);
		free(y);
	}
	free(a);
	free(b);
	free(t1);
	free(t2);
	free(v1);
	free(v2);
}
END_TEST

/* An output that cannot be written is found before the simulation: exit
 * status 2 and a message naming the option and the path; nothing is left
 * beside it. */
START_TEST(test_bad_path)
{
	char *missing = ax_tmp("no-such-dir/out"), *dir = ax_tmp("a-dir");
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	static const char *const opt[] = { "--trace", "--vcd" };
	for (size_t i = 0; i < 2; i++) {
		const char *target[] = { missing, dir };
		const char *why[] = { "does not exist", "is a directory" };
		for (size_t j = 0; j < 2; j++) {
			char want[1024];
			snprintf(want, sizeof(want), "axsim run: %s %s: ", opt[i], target[j]);
			ax_expect_fail(want, "run '%s' --config '%s' --quiet %s '%s'", ax_src(TINY_NET),
				       ax_src(TINY_MODEL), opt[i], target[j]);
			ax_expect_fail(why[j], "run '%s' --config '%s' --quiet %s '%s'", ax_src(TINY_NET),
				       ax_src(TINY_MODEL), opt[i], target[j]);
		}
	}
	/* nothing but the directory is left beside it */
	char *parent = ax_tmp("");
	DIR *d = opendir(parent);
	ck_assert_ptr_nonnull(d);
	for (struct dirent *e; (e = readdir(d));)
		ck_assert_msg(!strstr(e->d_name, "a-dir."), "left behind: %s", e->d_name);
	closedir(d);
	struct ax_run r = ax_run_axsim("run '%s' --config '%s' --quiet --vcd", ax_src(TINY_NET), ax_src(TINY_MODEL));
	ck_assert_int_eq(r.status, 2);
	ck_assert_msg(strstr(r.err, "'--vcd' needs a value"), "message was: %s", r.err);
	ax_run_free(&r);
	free(parent);
	free(missing);
	free(dir);
}
END_TEST

/* A dyn_matmul's weight writes are marked as writes of activations (its
 * run-time operand); a convolution's say nothing of their data. */
START_TEST(test_trace_attention)
{
	const char *net = "models/transformer/c2psa-block.net.yaml";
	char *trace = ax_tmp("c2psa.trace.json");
	struct ax_run r = ax_run_axsim("run '%s' --quiet --inferences 1 --trace '%s'", ax_src(net), trace);
	ck_assert_msg(r.status == 0, "axsim run %s failed (%d): %s", net, r.status, r.err);
	ax_run_free(&r);
	check_trace(trace, net);
	json_t *root = load_json(trace), *ev;
	size_t i, runtime = 0, weights = 0;
	json_array_foreach(json_object_get(root, "traceEvents"), i, ev) {
		json_t *args = json_object_get(ev, "args");
		const char *kind = json_string_value(json_object_get(args, "kind"));
		if (!kind || strcmp(kind, "imc_load") || strcmp(str_field(ev, "cat"), "imc_load"))
			continue;  /* (its dispatch on the controller's track is not the write) */
		const char *name = str_field(ev, "name"), *data = json_string_value(json_object_get(args, "data"));
		if (!strcmp(name, "scores") || !strcmp(name, "ctx")) {
			ck_assert_msg(data && !strcmp(data, "activations"), "%s: a run-time write without data", name);
			runtime++;
		} else {
			ck_assert_msg(!data, "%s: a weight write with data '%s'", name, data);
			weights++;
		}
	}
	ck_assert_uint_eq(runtime, 4 * 2 * 4);  /* 4 copies x 2 products x 4 heads of one tile */
	ck_assert_uint_gt(weights, 0);
	json_decref(root);
	free(trace);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("trace");
	TCase *t = tcase_create("run");
	tcase_set_timeout(t, 300);
	tcase_add_test(t, test_platform_records);
	tcase_add_test(t, test_trace_tiny);
	tcase_add_test(t, test_trace_yolo);
	tcase_add_test(t, test_trace_attention);
	tcase_add_test(t, test_size_limit);
	tcase_add_test(t, test_vcd_tiny);
	tcase_add_test(t, test_recording_is_neutral);
	tcase_add_test(t, test_bad_path);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return ax_check_run(suite());
}
