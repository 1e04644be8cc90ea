/*
 * memtiming.h - the timing arithmetic of memories, links and DMA, in plain C
 * so it can be tested alone; the SystemC modules in platform.cpp are shells
 * around it (docs/timing-model.md "Memories and contention").
 */
#ifndef AX_MEMTIMING_H
#define AX_MEMTIMING_H

#include <stdint.h>

#define AX_POOL_MAX_PORTS 64

/*
 * A pool of identical ports, each moving bytes_per_s.  A transfer either takes
 * the port that frees first (spread == 0: L1, L2 ports, NoC links) or is cut
 * evenly over all ports at once (spread != 0: DDR channels, which interleave
 * addresses finely).  Ports are reserved in simulated time: a transfer starts
 * when its port is free, so concurrent requesters queue behind each other and
 * the contention shows as longer completion times.
 */
struct ax_port_pool {
	uint32_t n;
	int spread;
	uint64_t bytes_per_s;          /* per port */
	uint64_t latency_ps;           /* added once per transfer (first access) */
	uint64_t free_at_ps[AX_POOL_MAX_PORTS];
	uint64_t busy_ps;              /* summed over ports */
};

void ax_pool_init(struct ax_port_pool *p, uint32_t ports, int spread,
		  uint64_t bytes_per_s, uint64_t latency_ps);
/* Time to move bytes at bytes_per_s, rounded up to whole picoseconds. */
uint64_t ax_xfer_ps(uint64_t bytes, uint64_t bytes_per_s);
/*
 * Reserves the pool for a transfer of bytes that may start at now_ps.
 * Returns the completion time in ps; with first != 0 the pool's latency is
 * added in front.  Zero bytes complete at now_ps.
 */
uint64_t ax_pool_reserve(struct ax_port_pool *p, uint64_t now_ps, uint64_t bytes, int first);

#endif
