/*
 * tasktiming.h - the timing arithmetic of the platform's units in plain C, so
 * that it can be tested alone: a compute task's time, a DMA transfer's window
 * of chunks in flight, a transfer through a core's NoC link, and the ports of
 * L1, L2 and the NoC from the hardware description.  The SystemC modules
 * (sim/platform/sc_*.cpp) only move payloads and wait for what these return.
 */
#ifndef AX_TASKTIMING_H
#define AX_TASKTIMING_H

#include <stdint.h>

#include "memtiming.h"

struct ax_arch;

/*
 * docs/timing-model.md "Compute tasks": a compute task takes the longest of
 * its work at full rate (cycles x cycle_ps), its L1 reads and its L1 writes
 * (l1_read_ps, l1_write_ps: the delays of those accesses).  IMC passes (mvm
 * non-zero) are slowed by the IMC cap, in thousandths: the chip's (the model's
 * mvm_limitation, lowered by the power limiter, docs/energy.md "Limiter") or
 * the task's pipeline model's own mvm_limitation when lower (own_cap_pm; 0:
 * none).  Returns picoseconds.
 */
uint64_t ax_compute_task_ps(uint64_t cycles, uint64_t cycle_ps, int mvm, uint32_t chip_cap_pm,
			    uint32_t own_cap_pm, uint64_t l1_read_ps, uint64_t l1_write_ps);

/*
 * docs/timing-model.md "DMA", docs/memory.md "DMA": a transfer of bytes in
 * chunks of at most chunk_bytes, up to `outstanding` of them in flight: chunk
 * k is issued when chunk k - outstanding has completed, and completes after
 * the longer of its read and its write.  The caller issues the chunks in
 * simulated time:
 *
 *     ax_dma_window_start(&w, slots, outstanding, chunk, bytes, now);
 *     while ((n = ax_dma_window_next(&w, &gate))) {
 *             wait until gate; read and write n bytes at w.off (first: w.k == 0);
 *             ax_dma_window_issued(&w, now, read_ps, write_ps);
 *     }
 *     wait until w.last_ps;
 */
struct ax_dma_window {
	uint64_t *done_at;          /* completion of the chunks in flight; the caller's, outstanding long */
	uint64_t outstanding, chunk_bytes;
	uint64_t left;              /* bytes not yet issued */
	uint64_t off;               /* offset of the next chunk */
	uint64_t k;                 /* chunks issued */
	uint64_t last_ps;           /* when the last chunk issued completes (the transfer's end) */
};
void ax_dma_window_start(struct ax_dma_window *w, uint64_t *done_at, uint64_t outstanding,
			 uint64_t chunk_bytes, uint64_t bytes, uint64_t now_ps);
/* The next chunk's bytes (0: none left) and in *gate_ps when it may be issued. */
uint64_t ax_dma_window_next(const struct ax_dma_window *w, uint64_t *gate_ps);
/* The chunk ax_dma_window_next gave was issued at now_ps; its read took
 * read_ps and its write write_ps. */
void ax_dma_window_issued(struct ax_dma_window *w, uint64_t now_ps, uint64_t read_ps, uint64_t write_ps);

/*
 * docs/memory.md "L2, NoC and L1": a transfer of bytes through a core's NoC
 * link from now_ps reserves the link's port and the NoC's aggregate bandwidth
 * (shared by every link).  Returns when the link is done with it; *mem_at_ps
 * is when the memory behind sees it: after the link's hop (its latency) for a
 * transfer's first access, at once for the rest, as the data streams through
 * both.  The transfer ends at ax_link_end of the two.
 */
uint64_t ax_link_reserve(struct ax_port_pool *link, struct ax_port_pool *aggregate, uint64_t now_ps,
			 uint64_t bytes, int first, uint64_t *mem_at_ps);
/* The end of a transfer through a link: the later of the link and the memory. */
uint64_t ax_link_end(uint64_t link_end_ps, uint64_t mem_end_ps);

/* The port pools of the hardware description at clock_hz (docs/memory.md). */
enum ax_pool_of {
	AX_POOL_L1,                 /* one core's L1: l1.ports of l1.port_bw, l1.latency */
	AX_POOL_L2,                 /* l2.ports of l2.port_bw, l2.latency */
	AX_POOL_NOC_LINK,           /* one core's link: noc.link_bw, noc.latency */
	AX_POOL_NOC_AGGREGATE,      /* every link together: noc.aggregate_bw */
};
void ax_pool_init_from_arch(struct ax_port_pool *p, enum ax_pool_of which, const struct ax_arch *a,
			    uint64_t clock_hz);

#endif
