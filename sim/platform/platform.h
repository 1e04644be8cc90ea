/*
 * platform.h - the C boundary of the SystemC platform.  One process can run
 * one platform (SystemC cannot be restarted after a simulation ends); fork a
 * child per independent simulation.  Time crosses this boundary as integer
 * picoseconds.
 */
#ifndef AX_PLATFORM_H
#define AX_PLATFORM_H

#include <stdint.h>
#include "../common/err.h"
#include "../config/arch.h"
#include "../lower/tasklist.h"
#include "../power/energy.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AX_MAX_CORES 64

struct ax_mem_stats {
	uint64_t read[AX_KIND_COUNT], write[AX_KIND_COUNT];
	uint64_t busy_ps;        /* summed over ports */
	uint32_t ports;
};

struct ax_layer_stats {
	uint64_t start_ps, end_ps;           /* first task start, last task end (any copy, first inference) */
	uint64_t busy_ps[AX_E_COUNT];        /* summed over the copy's cores */
	uint64_t macs;                       /* useful MACs simulated (copy 0) */
	uint64_t passes;
	uint64_t dma_read[AX_MEM_COUNT];     /* bytes its DMA tasks read from each memory (copy 0) */
	uint64_t dma_write[AX_MEM_COUNT];    /* and wrote */
	uint64_t setup_stall_ps;             /* its set-up ran while every unit of the core was idle (copy 0) */
	uint64_t wwrite_stall_ps;            /* its weight writes ran while the array computed nothing (copy 0) */
};

/* When and where one task ran; recorded only when asked (struct ax_platform_opts). */
struct ax_task_record {
	uint64_t start_ps, end_ps;           /* on its unit */
	uint64_t issue_start_ps, issue_end_ps; /* its controller's descriptor fetch and dispatch */
	uint32_t lane;                       /* the DMA channel that ran it (0 on the other units) */
};

/* One model of a pipeline (ax_tasklist.parts): its tasks' figures. */
struct ax_part_result {
	uint64_t latency_ps;                 /* its every copy's first inference done */
	uint64_t run_end_ps;                 /* its every task done */
	uint32_t inferences;                 /* back-to-back inferences per copy */
	uint64_t *infer_end_ps;              /* heap: when its inference k finished on every copy */
};

struct ax_result {
	uint64_t latency_ps;                 /* every copy's first inference done */
	uint64_t run_end_ps;                 /* every task done */
	uint32_t inferences;                 /* back-to-back inferences per copy */
	uint64_t *infer_end_ps;              /* heap: when inference k finished on every copy */
	uint64_t cycle_ps;
	uint32_t n_cores;
	uint64_t busy_ps[AX_MAX_CORES][AX_E_COUNT];
	uint32_t dma_core_channels, dma_sys_channels;
	struct ax_mem_stats mem[AX_MEM_COUNT];   /* L1 summed over cores */
	uint64_t macs;                       /* all copies */
	uint64_t tasks;
	uint64_t core_end_ps[AX_MAX_CORES];  /* when each core's last task of the first inference ended */
	/* docs/timing-model.md "Where the time goes": per core, time every
	 * compute unit and DMA channel of the core was idle while the control
	 * core programmed an operator, and while it did not (waiting for
	 * data, another core or a dependency), up to the core's last task */
	uint64_t stall_setup_ps[AX_MAX_CORES], stall_wait_ps[AX_MAX_CORES];
	uint64_t ddr_row_hits, ddr_row_misses, ddr_row_conflicts, ddr_refreshes, ddr_turnarounds;
	uint64_t noc_busy_ps;                /* the NoC's aggregate limit: time its bandwidth was in use */
	struct ax_activity act;              /* what the energy model counts, whole run (docs/energy.md) */
	/* the power limiter (docs/energy.md "Limiter"); limit 0: it was off */
	uint64_t power_limit_uw;
	uint64_t throttled_ps;               /* time its IMC cap was below the model's */
	uint32_t min_cap_pm;                 /* its lowest cap, thousandths */
	uint64_t limiter_windows, limiter_windows_over;
	uint64_t sc_deltas;                  /* SystemC delta cycles */
	uint64_t activations;                /* process activations (waits returned) */
	size_t n_layers;
	struct ax_layer_stats *layers;       /* heap; freed by ax_result_release */
	struct ax_task_record *records;      /* heap, one per task, or NULL when not recorded */
	uint32_t n_parts;                    /* the tasklist's n_parts */
	struct ax_part_result *parts;        /* heap, per part; NULL for one network */
};

/* What to record besides the figures; zero it for none (the fast path). */
struct ax_platform_opts {
	int record_tasks;        /* fill ax_result.records, for sim/report/trace.c */
	const char *vcd_path;    /* write a VCD of unit busy signals and memory traffic here
				    (docs/traces.md "VCD"); NULL for none */
	uint64_t vcd_limit_bytes;/* stop the VCD once it is about this large (0: no limit) */
	uint64_t *vcd_cut_ps;    /* not NULL: receives the time the VCD stopped at, 0 when whole */
};

/*
 * Elaborates the platform for tl on hardware a and simulates it to the end.
 * Returns AX_OK and fills res (caller releases it), or an error when the
 * simulation stalls (a dependency that can never be met) or SystemC reports
 * an error.  May be called once per process.
 */
int ax_platform_run(const struct ax_tasklist *tl, const struct ax_arch *a,
		    struct ax_result *res, struct ax_err *err);
/*
 * ax_platform_run with recording: opts (may be NULL: nothing) asks for the
 * per-task records and a VCD file.  The VCD is written to a temporary name
 * and renamed to opts->vcd_path when the simulation ends; AX_EIO and a
 * message when it cannot be created (nothing is simulated then).
 */
int ax_platform_run_opts(const struct ax_tasklist *tl, const struct ax_arch *a,
			 const struct ax_platform_opts *opts, struct ax_result *res,
			 struct ax_err *err);
void ax_result_release(struct ax_result *res);

#ifdef __cplusplus
}
#endif

#endif
