/*
 * trace.h - the timeline of a run as Chrome/Perfetto trace-event JSON, for
 * ui.perfetto.dev or chrome://tracing (docs/traces.md): a process per core
 * and one for the chip, a track per unit, a slice per task named after its
 * layer, and counters of the bytes in progress per memory.
 */
#ifndef AX_TRACE_H
#define AX_TRACE_H

#include <stddef.h>

#include "report.h"

/*
 * The trace of in->res, whose tasks must have been recorded
 * (ax_platform_opts.record_tasks).  Returns a heap string of *len bytes
 * that the caller frees.  Equal inputs give equal bytes.
 */
char *ax_trace_json(const struct ax_report_input *in, size_t *len);

/* Writes ax_trace_json to path through a temporary file and rename(2).
 * Returns AX_OK, or AX_EIO with a message in err. */
int ax_trace_write(const struct ax_report_input *in, const char *path, struct ax_err *err);

#endif
