/*
 * memtiming.h - the timing arithmetic of memories (ports, DDR), in plain C
 * so it can be tested alone; the SystemC modules (sc_modules.h) are shells
 * around it and tasktiming.h (docs/timing-model.md "Memories and contention").
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
 * channel | column).  A request is cut into pieces, one per interleave unit;
 * each piece is placed when it arrives, on its bank and on its channel's bus:
 *
 * - each bank serves its pieces in order, banks independently: a row hit
 *   only moves bursts, a closed bank is activated (tRCD), another open row is
 *   precharged first (tRP) once tRAS, tRTP and tWR allow;
 * - an activate goes at the earliest time that respects tRRD and tFAW
 *   against the activates already placed on the channel;
 * - the bursts go into the earliest gap of the channel's bus that fits them,
 *   with a turnaround (tRTW, or WL + tWTR) beside a burst of the other
 *   direction;
 * - with the frfcfs scheduler a piece that hits a row its bank still has open
 *   when the piece arrives, behind fewer than `sched_window` queued pieces,
 *   is served in that row's turn (row hits first), and the bank's later
 *   turns move back by its bursts;
 * - reads first: a read is served ahead of the writes of its channel that
 *   wait (have not started) when it arrives, while fewer than `write_high`
 *   wait (from there the write buffer drains first, down to `write_low`);
 *   a run of writes under way is finished first; its bursts are booked on
 *   the bus behind the waiting writes, so they and every later request
 *   carry the load;
 * - every tREFI all banks are precharged (tRPab) and refreshed (tRFC).
 */
#define AX_DDR_MAX_CHANNELS 64
#define AX_DDR_MAX_BANKS 64
#define AX_DDR_SESSIONS 8          /* row turns of a bank remembered (frfcfs) */
#define AX_DDR_ACTS 8              /* activates of a channel remembered */
#define AX_DDR_BUS_SLOTS 32        /* busy intervals of a channel's bus remembered */
#define AX_DDR_WRITES 64           /* writes of a channel remembered (largest write_high) */

enum ax_ddr_sched { AX_DDR_FIFO = 0, AX_DDR_FRFCFS = 1 };

struct ax_ddr_params {
	uint32_t channels, banks;
	uint64_t row_bytes;        /* page size of one bank of one channel */
	uint64_t interleave;       /* bytes to a channel before the next */
	uint64_t burst_bytes;      /* bytes of one burst on one channel */
	uint64_t burst_ps;         /* time of one burst */
	uint64_t t_rcd_ps, t_rp_ps, t_cl_ps, t_wtr_ps, t_rtw_ps, t_rfc_ps, t_refi_ps;
	uint64_t t_rrd_ps;         /* activate to activate, different banks of a channel */
	uint64_t t_faw_ps;         /* window holding at most four activates of a channel */
	uint64_t t_wl_ps;          /* write command to its data */
	uint64_t t_wr_ps;          /* end of write data to precharge */
	uint64_t t_rtp_ps;         /* read command to precharge */
	uint64_t t_ras_ps;         /* activate to precharge */
	uint64_t t_rpab_ps;        /* precharge-all before a refresh */
	uint32_t sched;            /* enum ax_ddr_sched */
	uint32_t sched_window;     /* frfcfs: queued pieces a row hit may overtake */
	uint32_t write_high;       /* waiting writes at which they go before reads (0: never) */
	uint32_t write_low;        /* waiting writes at which reads go first again */
	uint64_t latency_ps;       /* controller and PHY, paid once per transfer */
};

/* One turn of a row in a bank: from its activate to its precharge. */
struct ax_ddr_session {
	uint64_t row;
	uint64_t col_end_ps;       /* end of its last burst */
	uint64_t close_ps;         /* its precharge; UINT64_MAX while open */
	uint64_t pieces;           /* pieces served in it */
	uint64_t reads;            /* of which reads */
	uint64_t rd_end_ps;        /* end of its latest read as served (reads first); 0: none */
};

struct ax_ddr_bank {
	int open;
	uint64_t row;
	uint64_t act_ok_ps;        /* earliest activate (closed bank) */
	uint64_t col_ok_ps;        /* earliest next burst of the open row */
	uint64_t pre_ok_ps;        /* earliest precharge of the open row */
	struct ax_ddr_session sess[AX_DDR_SESSIONS];   /* a ring by n_sess */
	uint64_t n_sess;
};

struct ax_ddr_busy {
	uint64_t start_ps, end_ps;
	int dir;                   /* 0 read, 1 write, 2 refresh */
};

struct ax_ddr_channel {
	struct ax_ddr_bank bank[AX_DDR_MAX_BANKS];
	struct ax_ddr_busy bus[AX_DDR_BUS_SLOTS];      /* sorted, disjoint */
	uint32_t n_bus;
	/* reads first: the reads at the times they are served, and refreshes */
	struct ax_ddr_busy rbus[AX_DDR_BUS_SLOTS];     /* sorted, disjoint */
	uint32_t n_rbus;
	uint64_t wr_start_ps[AX_DDR_WRITES];           /* first bursts of the latest writes, a ring */
	uint64_t n_wr;
	int draining;                                  /* the write buffer goes first */
	uint64_t act_ps[AX_DDR_ACTS];                  /* sorted, the latest ones */
	uint32_t n_act;
	uint64_t next_refresh_ps;
};

struct ax_ddr_stats {
	uint64_t hits, misses, conflicts, refreshes, turnarounds;
	uint64_t bursts;           /* column commands (row-hit rate per burst) */
	uint64_t reordered;        /* pieces served ahead of older ones (frfcfs) */
	uint64_t reads_first;      /* read pieces served ahead of waiting writes */
	uint64_t drains;           /* times the write buffer reached write_high */
	uint64_t busy_ps;          /* data bus time, summed over channels */
};

struct ax_ddr {
	struct ax_ddr_params p;
	struct ax_ddr_channel ch[AX_DDR_MAX_CHANNELS];
	struct ax_ddr_stats st;
};

struct ax_arch;
/* Fills p from the DDR keys of a validated hardware description. */
void ax_ddr_params_from_arch(struct ax_ddr_params *p, const struct ax_arch *a);
/* Resets d to idle, closed banks with parameters p (checked: a bad value is
 * our bug, the description was validated).  d is caller-owned, nothing to free. */
void ax_ddr_init(struct ax_ddr *d, const struct ax_ddr_params *p);
/*
 * A transfer of bytes at address addr (read or write) arriving at now_ps;
 * returns when its last burst ends (first: the controller latency is paid in
 * front, and the read latency tCL or the write latency WL at the end).
 * Pieces of the transfer on different channels and banks run in parallel.
 * Calls should come in about the order of now_ps: a piece is never placed
 * before pieces of earlier calls on its bank.
 */
uint64_t ax_ddr_access(struct ax_ddr *d, uint64_t now_ps, uint64_t addr, uint64_t bytes,
		       int write, int first);
/*
 * Bytes [off, off + bytes) of a 2-D transfer: runs of run_bytes, one every
 * stride_bytes from base (a channel slice of a tensor, docs/memory.md
 * "DMA").  Each run reaches the model at its real address, as one request of
 * ax_ddr_access; run_bytes 0 or not below stride_bytes is one contiguous
 * block from base + off.  Returns when its last burst ends.
 */
uint64_t ax_ddr_access_2d(struct ax_ddr *d, uint64_t now_ps, uint64_t base, uint64_t run_bytes,
			  uint64_t stride_bytes, uint64_t off, uint64_t bytes, int write, int first);

#endif
