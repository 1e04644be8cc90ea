/*
 * memtiming.h - the timing arithmetic of memories, links and DMA, in plain C
 * so it can be tested alone; the SystemC modules in platform.cpp are shells
 * around it (docs/timing-model.md "Memories and contention").
 */
#ifndef AX_MEMTIMING_H
#define AX_MEMTIMING_H

#include <stdint.h>

#define AX_POOL_MAX_PORTS 256

/*
 * A pool of identical ports, each moving bytes_per_s (L1 and L2 ports, NoC
 * links, the NoC's aggregate).  A transfer takes the port that frees first.
 * DDR has its own bank and row model (struct ax_ddr below).  Ports are reserved in simulated time: a transfer starts
 * when its port is free, so concurrent requesters queue behind each other and
 * the contention shows as longer completion times.
 */
struct ax_port_pool {
	uint32_t n;
	uint64_t bytes_per_s;          /* per port */
	uint64_t latency_ps;           /* added once per transfer (first access) */
	uint64_t free_at_ps[AX_POOL_MAX_PORTS];
	uint64_t busy_ps;              /* summed over ports */
};

void ax_pool_init(struct ax_port_pool *p, uint32_t ports, uint64_t bytes_per_s,
		  uint64_t latency_ps);
/* Time to move bytes at bytes_per_s, rounded up to whole picoseconds. */
uint64_t ax_xfer_ps(uint64_t bytes, uint64_t bytes_per_s);
/*
 * Reserves the pool for a transfer of bytes that may start at now_ps.
 * Returns the completion time in ps; with first != 0 the pool's latency is
 * added in front.  Zero bytes complete at now_ps.
 */
uint64_t ax_pool_reserve(struct ax_port_pool *p, uint64_t now_ps, uint64_t bytes, int first);

/*
 * LPDDR4x (docs/memory.md "DDR"): channels of banks with one open row each.
 * Addresses interleave over channels every `interleave` bytes; within a
 * channel, rows of `row_bytes` are spread over the banks (row | bank |
 * channel | column).  A piece of a request that finds its row open (hit)
 * only moves bursts; a closed bank (miss) is activated first (tRCD); another
 * row open (conflict) is precharged (tRP) and activated.  Activations are
 * issued when the request arrives, so they overlap other banks' data
 * transfers; the data bus of a channel is serial.  Every tREFI a refresh
 * closes all rows and blocks the channel for tRFC.  A change of direction on
 * the bus costs tWTR (write to read) or tRTW (read to write).
 */
#define AX_DDR_MAX_CHANNELS 64
#define AX_DDR_MAX_BANKS 64

struct ax_ddr_params {
	uint32_t channels, banks;
	uint64_t row_bytes;        /* page size of one bank of one channel */
	uint64_t interleave;       /* bytes to a channel before the next */
	uint64_t burst_bytes;      /* bytes of one burst on one channel */
	uint64_t burst_ps;         /* time of one burst */
	uint64_t t_rcd_ps, t_rp_ps, t_cl_ps, t_wtr_ps, t_rtw_ps, t_rfc_ps, t_refi_ps;
	uint64_t t_rrd_ps;         /* activate to activate, different banks of a channel */
	uint64_t t_faw_ps;         /* window holding at most four activates of a channel */
	uint64_t latency_ps;       /* controller and PHY, paid once per transfer */
};

struct ax_ddr_bank {
	int open;
	uint64_t row;
	uint64_t ready_ps;         /* when the bank can take its next command */
};

struct ax_ddr_channel {
	struct ax_ddr_bank bank[AX_DDR_MAX_BANKS];
	uint64_t bus_free_ps;
	uint64_t next_refresh_ps;
	int last_write;            /* direction of the last burst */
	int used;
	uint64_t act_ps[4];        /* the last four activates, a ring by n_act */
	uint64_t n_act;
};

struct ax_ddr_stats {
	uint64_t hits, misses, conflicts, refreshes, turnarounds;
	uint64_t busy_ps;          /* data bus time, summed over channels */
};

struct ax_ddr {
	struct ax_ddr_params p;
	struct ax_ddr_channel ch[AX_DDR_MAX_CHANNELS];
	struct ax_ddr_stats st;
};

/* tRFC must be at most tREFI / 2 (ax_arch_validate says so to the user). */
void ax_ddr_init(struct ax_ddr *d, const struct ax_ddr_params *p);
/* Applies the refreshes of channel c due before t that can be applied in one
 * step and returns t as they move it (memtiming.c); each access calls it. */
uint64_t ax_ddr_refresh_skip(const struct ax_ddr_params *p, struct ax_ddr_channel *c,
			     struct ax_ddr_stats *st, uint64_t t);
/*
 * A transfer of bytes at address addr (read or write) arriving at now_ps;
 * returns when its last burst ends (first: the controller latency and the
 * read latency are paid).  Pieces of the transfer on different channels run
 * in parallel.
 */
uint64_t ax_ddr_access(struct ax_ddr *d, uint64_t now_ps, uint64_t addr, uint64_t bytes,
		       int write, int first);

#endif
