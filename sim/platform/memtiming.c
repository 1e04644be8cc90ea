#include "memtiming.h"

#include <string.h>

#include "../common/err.h"

void ax_pool_init(struct ax_port_pool *p, uint32_t ports, int spread,
		  uint64_t bytes_per_s, uint64_t latency_ps)
{
	if (ports < 1 || ports > AX_POOL_MAX_PORTS || !bytes_per_s)
		AX_BUG("bad port pool: %u ports at %llu B/s", ports, (unsigned long long)bytes_per_s);
	memset(p, 0, sizeof(*p));
	p->n = ports;
	p->spread = spread;
	p->bytes_per_s = bytes_per_s;
	p->latency_ps = latency_ps;
}

/* docs/timing-model.md "Memories and contention": t = ceil(bytes * 1e12 / bw). */
uint64_t ax_xfer_ps(uint64_t bytes, uint64_t bytes_per_s)
{
	__extension__ typedef unsigned __int128 u128;
	u128 num = (u128)bytes * 1000000000000ull + bytes_per_s - 1;
	u128 q = num / bytes_per_s;
	if (q > UINT64_MAX / 4)
		AX_BUG("transfer time overflow: %llu bytes", (unsigned long long)bytes);
	return (uint64_t)q;
}

uint64_t ax_pool_reserve(struct ax_port_pool *p, uint64_t now_ps, uint64_t bytes, int first)
{
	if (!bytes)
		return now_ps;
	uint64_t ready = now_ps + (first ? p->latency_ps : 0);
	if (p->spread) {
		/* cut evenly over every port; the transfer ends with the last piece */
		uint64_t end = ready;
		for (uint32_t i = 0; i < p->n; i++) {
			uint64_t part = bytes / p->n + (i < bytes % p->n);
			if (!part)
				continue;
			uint64_t start = p->free_at_ps[i] > ready ? p->free_at_ps[i] : ready;
			uint64_t dur = ax_xfer_ps(part, p->bytes_per_s);
			p->free_at_ps[i] = start + dur;
			p->busy_ps += dur;
			if (start + dur > end)
				end = start + dur;
		}
		return end;
	}
	uint32_t best = 0;
	for (uint32_t i = 1; i < p->n; i++)
		if (p->free_at_ps[i] < p->free_at_ps[best])
			best = i;
	uint64_t start = p->free_at_ps[best] > ready ? p->free_at_ps[best] : ready;
	uint64_t dur = ax_xfer_ps(bytes, p->bytes_per_s);
	p->free_at_ps[best] = start + dur;
	p->busy_ps += dur;
	return start + dur;
}
