/*
 * trace.c - Chrome/Perfetto trace-event JSON of a run (trace.h,
 * docs/traces.md).  Written by hand rather than through jansson: a large
 * network has tens of thousands of events, and times must keep every
 * picosecond, which a double printed by jansson would round.
 */
#include "trace.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Tracks of a process: tid = pid x AX_TRACK_STRIDE + an engine's track (the
 * table of hardware units, tasklist.h) or a DMA channel's, so that tids are
 * small, non-zero and unique in the whole trace. */
enum {
	AX_TRACK_DMA0 = 10,   /* + channel; dma.*_channels is at most 64 */
	AX_TRACK_STRIDE = 1000
};

struct tbuf {
	char *s;
	size_t len, cap;
};

static void put_raw(struct tbuf *b, const char *s, size_t n)
{
	AX_GROW(b->s, b->cap, b->len + n + 1);
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static void put(struct tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct tbuf *b, const char *fmt, ...)
{
	char small[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		AX_BUG("vsnprintf failed");
	if ((size_t)n < sizeof(small)) {
		put_raw(b, small, (size_t)n);
		return;
	}
	AX_GROW(b->s, b->cap, b->len + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

/* s as a JSON string, quoted and escaped. */
static void put_str(struct tbuf *b, const char *s)
{
	put_raw(b, "\"", 1);
	while (*s) {
		size_t n = 0;
		while (s[n] && s[n] != '"' && s[n] != '\\' && (unsigned char)s[n] >= 0x20)
			n++;
		put_raw(b, s, n);
		s += n;
		if (*s) {
			unsigned char c = (unsigned char)*s++;
			if (c == '"' || c == '\\')
				put(b, "\\%c", c);
			else
				put(b, "\\u%04x", c);
		}
	}
	put_raw(b, "\"", 1);
}

/* Picoseconds as microseconds, exactly: up to six decimals, no trailing zeros. */
static void put_us(struct tbuf *b, uint64_t ps)
{
	uint64_t whole = ps / 1000000, frac = ps % 1000000;
	if (!frac) {
		put(b, "%llu", (unsigned long long)whole);
		return;
	}
	int digits = 6;
	while (frac % 10 == 0) {
		frac /= 10;
		digits--;
	}
	put(b, "%llu.%0*llu", (unsigned long long)whole, digits, (unsigned long long)frac);
}

static uint32_t chip_pid(const struct ax_tasklist *tl)
{
	return tl->n_cores + 1;
}

/* The process and track a task ran on. */
static void task_track(const struct ax_tasklist *tl, const struct ax_task *t,
		       const struct ax_task_record *r, uint32_t *pid, uint32_t *tid)
{
	*pid = t->core + 1;
	uint32_t local = ax_engine_lookup(ax_engine_of(t->kind, t->unit))->track;
	if (!local) {
		local = AX_TRACK_DMA0 + r->lane;
		if (t->unit == AX_U_DMA_SYS)
			*pid = chip_pid(tl);
	}
	*tid = *pid * AX_TRACK_STRIDE + local;
}

static void put_process(struct tbuf *b, uint32_t pid, const char *name, uint32_t sort)
{
	put(b, "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%u,\"args\":{\"name\":", pid);
	put_str(b, name);
	put(b, "}},\n{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":%u,\"args\":{\"sort_index\":%u}},\n",
	    pid, sort);
}

static void put_thread(struct tbuf *b, uint32_t pid, uint32_t local, const char *name)
{
	uint32_t tid = pid * AX_TRACK_STRIDE + local;
	put(b, "{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"args\":{\"name\":", pid, tid);
	put_str(b, name);
	put(b, "}},\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":%u,\"tid\":%u,\"args\":{\"sort_index\":%u}},\n",
	    pid, tid, local);
}

static void put_slice(struct tbuf *b, const char *name, const char *cat, uint64_t start_ps,
		      uint64_t end_ps, uint32_t pid, uint32_t tid)
{
	put(b, "{\"name\":");
	put_str(b, name);
	put(b, ",\"cat\":\"%s\",\"ph\":\"X\",\"ts\":", cat);
	put_us(b, start_ps);
	put(b, ",\"dur\":");
	put_us(b, end_ps - start_ps);
	put(b, ",\"pid\":%u,\"tid\":%u,\"args\":{", pid, tid);
}

static void put_task_args(struct tbuf *b, const struct ax_task *t, size_t id)
{
	put(b, "\"task\":%zu,\"kind\":\"%s\",\"copy\":%u,\"inference\":%u", id, ax_task_kind_name(t->kind),
	    t->copy, t->infer);
	if (t->kind == AX_T_DMA) {
		put(b, ",\"bytes\":%llu,\"src\":\"%s\",\"dst\":\"%s\",\"data\":\"%s\"",
		    (unsigned long long)t->bytes, ax_mem_name(t->src), ax_mem_name(t->dst),
		    ax_kind_name(t->data));
		return;
	}
	put(b, ",\"cycles\":%llu", (unsigned long long)t->cycles);
	if (t->kind == AX_T_IMC_LOAD)
		put(b, ",\"bytes\":%llu", (unsigned long long)t->bytes);
	/* a dyn_matmul's run-time operand (docs/timing-model.md "Products of
	 * two activations"); weights say nothing, as before */
	if (t->kind == AX_T_IMC_LOAD && t->data != AX_KIND_WEIGHTS)
		put(b, ",\"data\":\"%s\"", ax_kind_name(t->data));
	if (t->passes)
		put(b, ",\"passes\":%llu", (unsigned long long)t->passes);
	if (t->macs)
		put(b, ",\"macs\":%llu", (unsigned long long)t->macs);
	put(b, ",\"l1_read_bytes\":%llu,\"l1_write_bytes\":%llu", (unsigned long long)t->l1_read,
	    (unsigned long long)t->l1_write);
}

/* A change of a memory's bytes in progress. */
struct delta {
	uint32_t mem;        /* 0 DDR, 1 L2, 2 + k the L1 of core k */
	uint64_t ps;
	int64_t bytes;
};

static int delta_cmp(const void *pa, const void *pb)
{
	const struct delta *a = pa, *b = pb;
	if (a->mem != b->mem)
		return a->mem < b->mem ? -1 : 1;
	if (a->ps != b->ps)
		return a->ps < b->ps ? -1 : 1;
	/* increases first, so that a running level never dips below zero */
	return (a->bytes < b->bytes) - (a->bytes > b->bytes);
}

static uint32_t mem_index(enum ax_mem m, uint32_t core)
{
	return m == AX_MEM_L1 ? 2 + core : (uint32_t)m;
}

/* Counters of the bytes in progress per memory, the same quantity as the
 * VCD's (docs/traces.md): a DMA task counts its bytes at its source and at
 * its destination while it runs, a compute task its L1 reads and writes. */
static void put_counters(struct tbuf *b, const struct ax_tasklist *tl, const struct ax_task_record *rec,
			 const unsigned char *include)
{
	struct delta *d = ax_xcalloc(4 * tl->n_tasks + 1, sizeof(*d));
	size_t n = 0;
	for (size_t i = 0; i < tl->n_tasks; i++) {
		const struct ax_task *t = &tl->tasks[i];
		if (include && !include[i])
			continue;
		uint32_t m[2];
		uint64_t bytes;
		int nm;
		if (t->kind == AX_T_DMA) {
			m[0] = mem_index(t->src, t->core);
			m[1] = mem_index(t->dst, t->core);
			nm = 2;
			bytes = t->bytes;
		} else {
			m[0] = 2 + t->core;
			nm = 1;
			bytes = t->l1_read + t->l1_write;
		}
		if (!bytes)
			continue;
		for (int j = 0; j < nm; j++) {
			d[n++] = (struct delta){ m[j], rec[i].start_ps, (int64_t)bytes };
			d[n++] = (struct delta){ m[j], rec[i].end_ps, -(int64_t)bytes };
		}
	}
	qsort(d, n, sizeof(*d), delta_cmp);
	static const char *const shared[] = { "ddr", "l2" };
	for (uint32_t mem = 0; mem < 2 + tl->n_cores; mem++) {
		uint32_t pid = mem < 2 ? chip_pid(tl) : mem - 1;
		const char *name = mem < 2 ? shared[mem] : "l1";
		put(b, "{\"name\":\"%s\",\"ph\":\"C\",\"ts\":0,\"pid\":%u,\"args\":{\"bytes_in_progress\":0}},\n",
		    name, pid);
	}
	int64_t level = 0;
	int64_t shown = 0;
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || d[i].mem != d[i - 1].mem)
			level = shown = 0;
		level += d[i].bytes;
		if (level < 0)
			AX_BUG("memory %u: negative bytes in progress at %llu ps", d[i].mem,
			       (unsigned long long)d[i].ps);
		/* one point per time: after the last change at that time */
		if ((i + 1 < n && d[i + 1].mem == d[i].mem && d[i + 1].ps == d[i].ps) || level == shown)
			continue;
		uint32_t pid = d[i].mem < 2 ? chip_pid(tl) : d[i].mem - 1;
		const char *name = d[i].mem < 2 ? shared[d[i].mem] : "l1";
		put(b, "{\"name\":\"%s\",\"ph\":\"C\",\"ts\":", name);
		put_us(b, d[i].ps);
		put(b, ",\"pid\":%u,\"args\":{\"bytes_in_progress\":%lld}},\n", pid, (long long)level);
		shown = level;
	}
	free(d);
}

/* A task's slice on its unit, with its arguments. */
static void put_task(struct tbuf *b, const struct ax_report_input *in, const struct ax_task_record *rec,
		     size_t i)
{
	const struct ax_tasklist *tl = in->tl;
	const struct ax_task *t = &tl->tasks[i];
	if (t->layer >= in->net->n_layers)
		AX_BUG("task %zu of layer %u of %zu", i, t->layer, in->net->n_layers);
	uint32_t pid, tid;
	task_track(tl, t, &rec[i], &pid, &tid);
	put_slice(b, in->net->layers[t->layer].name, ax_task_kind_name(t->kind), rec[i].start_ps, rec[i].end_ps, pid, tid);
	put_task_args(b, t, i);
	put(b, "}},\n");
}

/* A task's dispatch on its core's controller. */
static void put_dispatch(struct tbuf *b, const struct ax_report_input *in, const struct ax_task_record *rec,
			 size_t i)
{
	const struct ax_task *t = &in->tl->tasks[i];
	uint32_t pid = t->core + 1;
	put_slice(b, in->net->layers[t->layer].name, "dispatch", rec[i].issue_start_ps, rec[i].issue_end_ps, pid,
		  pid * AX_TRACK_STRIDE + ax_engine_lookup(AX_E_CTRL)->track);
	put(b, "\"task\":%zu,\"kind\":\"%s\"}},\n", i, ax_task_kind_name(t->kind));
}

/* Bytes of one counter point, at most (put_counters). */
#define COUNTER_BYTES 96

static const struct ax_task_record *order_rec;

static int start_cmp(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	if (order_rec[a].start_ps != order_rec[b].start_ps)
		return order_rec[a].start_ps < order_rec[b].start_ps ? -1 : 1;
	return (a > b) - (a < b);
}

/*
 * Which tasks fit in limit bytes besides fixed ones: all (NULL), or those
 * that started before a time (cut->until_ps), so that the trace is the whole
 * timeline up to that time.  Each task's bytes are measured by formatting
 * it (slice, dispatch) plus its counter points at their largest.
 */
static unsigned char *choose(const struct ax_report_input *in, uint64_t limit, size_t fixed,
			     struct ax_trace_cut *cut)
{
	const struct ax_tasklist *tl = in->tl;
	const struct ax_task_record *rec = in->res->records;
	size_t n = tl->n_tasks;
	uint64_t *size = ax_xcalloc(n + 1, sizeof(*size)), total = fixed;
	struct tbuf scratch = { 0 };
	for (size_t i = 0; i < n; i++) {
		const struct ax_task *t = &tl->tasks[i];
		scratch.len = 0;
		put_task(&scratch, in, rec, i);
		put_dispatch(&scratch, in, rec, i);
		int points = t->kind == AX_T_DMA ? 4 : (t->l1_read + t->l1_write ? 2 : 0);
		size[i] = scratch.len + (uint64_t)points * COUNTER_BYTES;
		total += size[i];
	}
	free(scratch.s);
	unsigned char *include = NULL;
	if (total > limit) {
		size_t *order = ax_xcalloc(n + 1, sizeof(*order));
		for (size_t i = 0; i < n; i++)
			order[i] = i;
		order_rec = rec;
		qsort(order, n, sizeof(*order), start_cmp);
		uint64_t used = fixed;
		size_t k = 0;
		while (k < n && used + size[order[k]] <= limit)
			used += size[order[k++]];
		/* whole instants only: a task is in when every task that started
		 * at the same time is */
		uint64_t until = k < n ? rec[order[k]].start_ps : UINT64_MAX;
		include = ax_xcalloc(n + 1, 1);
		size_t shown = 0;
		for (size_t j = 0; j < n && rec[order[j]].start_ps < until; j++, shown++)
			include[order[j]] = 1;
		cut->cut = 1;
		cut->until_ps = until;
		cut->tasks_shown = shown;
		free(order);
	}
	cut->tasks_total = n;
	free(size);
	return include;
}

/* docs/traces.md "Counters": the chip's power in windows of about a 256th
 * of the run (whole cycles): the static power plus each task's dynamic energy
 * (ax_energy_task) spread evenly over its run time, scaled so that the
 * windows add up to the report's dynamic energy (DDR activates and refreshes,
 * which no single task owns, are spread with the rest). */
static void put_power(struct tbuf *b, const struct ax_report_input *in, const struct ax_task_record *rec)
{
	const struct ax_tasklist *tl = in->tl;
	const struct ax_result *res = in->res;
	uint64_t end = res->run_end_ps, cyc = res->cycle_ps ? res->cycle_ps : 1;
	if (!end)
		return;
	uint64_t win = (end / 256 + cyc - 1) / cyc * cyc;
	if (win < cyc)
		win = cyc;
	size_t nw = (size_t)((end + win - 1) / win);
	double *w = ax_xcalloc(nw, sizeof(*w));
	double sum = 0;
	for (size_t i = 0; i < tl->n_tasks; i++) {
		double e = ax_energy_task(&in->arch->arch, tl->clock_hz, &tl->tasks[i], cyc);
		uint64_t s0 = rec[i].start_ps, s1 = rec[i].end_ps;
		sum += e;
		if (s1 <= s0) {
			w[s0 / win < nw ? s0 / win : nw - 1] += e;
			continue;
		}
		for (uint64_t k = s0 / win; k < nw && k * win < s1; k++) {
			uint64_t a = k * win > s0 ? k * win : s0, z = (k + 1) * win < s1 ? (k + 1) * win : s1;
			w[k] += e * (double)(z - a) / (double)(s1 - s0);
		}
	}
	struct ax_energy en;
	double frames;
	ax_report_energy(in, &en, &frames);
	double scale = sum > 0 ? en.dynamic_j / sum : 0;
	long long shown = -1;
	for (size_t k = 0; k < nw; k++) {
		uint64_t t0 = k * win, t1 = (k + 1) * win < end ? (k + 1) * win : end;
		double watts = en.static_w + scale * w[k] / ((double)(t1 - t0) * 1e-12);
		long long mw = (long long)(watts * 1000.0 + 0.5);
		if (mw == shown)
			continue;
		put(b, "{\"name\":\"power\",\"ph\":\"C\",\"ts\":");
		put_us(b, t0);
		put(b, ",\"pid\":%u,\"args\":{\"watts\":%lld.%03lld}},\n", chip_pid(tl), mw / 1000, mw % 1000);
		shown = mw;
	}
	put(b, "{\"name\":\"power\",\"ph\":\"C\",\"ts\":");
	put_us(b, end);
	put(b, ",\"pid\":%u,\"args\":{\"watts\":0}},\n", chip_pid(tl));
	free(w);
}

char *ax_trace_json_bounded(const struct ax_report_input *in, uint64_t limit, size_t *len,
			    struct ax_trace_cut *cut)
{
	const struct ax_tasklist *tl = in->tl;
	const struct ax_result *res = in->res;
	const struct ax_task_record *rec = res->records;
	if (!rec)
		AX_BUG("trace of a run whose tasks were not recorded");
	struct ax_trace_cut local;
	if (!cut)
		cut = &local;
	memset(cut, 0, sizeof(*cut));

	/* tracks, named and in the order of their ids */
	struct tbuf tracks = { 0 };
	char name[64];
	for (uint32_t k = 0; k < tl->n_cores; k++) {
		snprintf(name, sizeof(name), "core %u", k);
		put_process(&tracks, k + 1, name, k);
		for (uint32_t track = 1; track < AX_TRACK_DMA0; track++)
			for (int e = 0; e < AX_E_COUNT; e++) {
				const struct ax_engine_info *u = ax_engine_lookup((enum ax_engine)e);
				if (u->track == track && u->track_name)
					put_thread(&tracks, k + 1, track, u->track_name);
			}
		for (uint32_t c = 0; c < tl->dma_core_channels; c++) {
			snprintf(name, sizeof(name), "dma ch%u", c);
			put_thread(&tracks, k + 1, AX_TRACK_DMA0 + c, name);
		}
	}
	put_process(&tracks, chip_pid(tl), "chip", tl->n_cores);
	for (uint32_t c = 0; c < tl->dma_sys_channels; c++) {
		snprintf(name, sizeof(name), "sys dma ch%u", c);
		put_thread(&tracks, chip_pid(tl), AX_TRACK_DMA0 + c, name);
	}
	/* the head line, the tracks, the counters' first points, the end */
	size_t fixed = 512 + (in->net->name ? 6 * strlen(in->net->name) : 0) + tracks.len +
		       (2 + (size_t)tl->n_cores) * COUNTER_BYTES + 258 * COUNTER_BYTES; /* + the power track */
	unsigned char *include = limit ? choose(in, limit, fixed, cut) : NULL;

	struct tbuf b = { 0 };
	put(&b, "{\"displayTimeUnit\":\"ns\",\"otherData\":{\"network\":");
	put_str(&b, in->net->name ? in->net->name : "");
	put(&b, ",\"cores\":%u,\"cycle_ps\":%llu", tl->n_cores, (unsigned long long)res->cycle_ps);
	if (cut->cut) {
		/* docs/traces.md "Size": the timeline up to this time only */
		put(&b, ",\"truncated_at_us\":");
		put_us(&b, cut->until_ps);
		put(&b, ",\"tasks_shown\":%zu,\"tasks\":%zu", cut->tasks_shown, cut->tasks_total);
	}
	put(&b, "},\n\"traceEvents\":[\n");
	put_raw(&b, tracks.s ? tracks.s : "", tracks.len);
	free(tracks.s);

	/* a slice per task on its unit, and its dispatch on its controller */
	for (size_t i = 0; i < tl->n_tasks; i++)
		if (!include || include[i])
			put_task(&b, in, rec, i);
	for (size_t i = 0; i < tl->n_tasks; i++)
		if (!include || include[i])
			put_dispatch(&b, in, rec, i);
	put_counters(&b, tl, rec, include);
	put_power(&b, in, rec);
	free(include);

	/* the last event has no comma after it */
	if (b.len >= 2 && b.s[b.len - 2] == ',') {
		b.len -= 2;
		b.s[b.len] = '\0';
		put(&b, "\n");
	}
	put(&b, "]}\n");
	*len = b.len;
	return b.s;
}

char *ax_trace_json(const struct ax_report_input *in, size_t *len)
{
	return ax_trace_json_bounded(in, 0, len, NULL);
}

int ax_trace_write(const struct ax_report_input *in, const char *path, uint64_t limit,
		   struct ax_trace_cut *cut, struct ax_err *err)
{
	size_t len;
	char *s = ax_trace_json_bounded(in, limit, &len, cut);
	int rc = ax_write_atomic(path, s, len, err);
	free(s);
	return rc;
}
