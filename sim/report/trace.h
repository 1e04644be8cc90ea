/*
 * trace.h - the timeline of a run as Chrome/Perfetto trace-event JSON, for
 * ui.perfetto.dev or chrome://tracing (docs/traces.md): a process per core
 * and one for the chip, a track per unit, a slice per task named after its
 * layer, and counters of the bytes in progress per memory.
 */
#ifndef AX_TRACE_H
#define AX_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "report.h"

/*
 * The trace of in->res, whose tasks must have been recorded
 * (ax_platform_opts.record_tasks).  Returns a heap string of *len bytes
 * that the caller frees.  Equal inputs give equal bytes.
 */
char *ax_trace_json(const struct ax_report_input *in, size_t *len);

/* --trace-limit's default (docs/traces.md "Size"): a trace or a VCD stops
 * once it is about this large. */
#define AX_TRACE_LIMIT_DEFAULT (64ull << 20)

/* Where a bounded trace stopped. */
struct ax_trace_cut {
	int cut;             /* 1: only the tasks that started before until_ps are in */
	uint64_t until_ps;
	size_t tasks_shown, tasks_total;
};

/*
 * ax_trace_json of at most about limit bytes (0: no limit): when the whole
 * trace would be larger, the timeline up to the latest time that fits (the
 * tasks that started before it, their dispatches and counters), said in
 * otherData and in *cut (may be NULL).  Equal inputs give equal bytes.
 */
char *ax_trace_json_bounded(const struct ax_report_input *in, uint64_t limit, size_t *len,
			    struct ax_trace_cut *cut);

/* Writes ax_trace_json_bounded to path as an output (common/output.h).
 * Returns AX_OK, or AX_EIO with a message in err. */
int ax_trace_write(const struct ax_report_input *in, const char *path, uint64_t limit,
		   struct ax_trace_cut *cut, struct ax_err *err);

#endif
