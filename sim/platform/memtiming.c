#include "memtiming.h"

#include <string.h>

#include "../common/err.h"

void ax_pool_init(struct ax_port_pool *p, uint32_t ports, uint64_t bytes_per_s,
		  uint64_t latency_ps)
{
	if (ports < 1 || ports > AX_POOL_MAX_PORTS || !bytes_per_s)
		AX_BUG("bad port pool: %u ports at %llu B/s", ports, (unsigned long long)bytes_per_s);
	memset(p, 0, sizeof(*p));
	p->n = ports;
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

void ax_ddr_init(struct ax_ddr *d, const struct ax_ddr_params *p)
{
	if (p->channels < 1 || p->channels > AX_DDR_MAX_CHANNELS || p->banks < 1 ||
	    p->banks > AX_DDR_MAX_BANKS || !p->row_bytes || !p->interleave || !p->burst_bytes ||
	    p->row_bytes % p->interleave || !p->t_refi_ps || p->t_rfc_ps > p->t_refi_ps / 2)
		AX_BUG("bad DDR parameters");
	memset(d, 0, sizeof(*d));
	d->p = *p;
	for (uint32_t c = 0; c < p->channels; c++)
		d->ch[c].next_refresh_ps = p->t_refi_ps;
}

/*
 * Applies at once the refreshes due before t that the loop of ddr_refresh
 * would take one by one.  While the bus is busy past a refresh, each one
 * starts when the bus frees, and the bus catches up tREFI - tRFC per refresh
 * (phase 1: all of them).  Once the refresh is later than the bus, each one
 * ends before the next is due (tRFC <= tREFI/2, ax_ddr_init): all but the last
 * due at or before t only count (phase 2).  Returns t as the loop would have
 * moved it; the state afterwards is the loop's exactly (tests/check_platform.c
 * compares them), so the loop runs at most once more, whatever tREFI and the
 * idle time.
 */
uint64_t ax_ddr_refresh_skip(const struct ax_ddr_params *p, struct ax_ddr_channel *c,
			     struct ax_ddr_stats *st, uint64_t t)
{
	uint64_t gap = p->t_refi_ps - p->t_rfc_ps, m = 0, end = 0;
	if (t >= c->next_refresh_ps && c->bus_free_ps > c->next_refresh_ps) {
		m = (c->bus_free_ps - c->next_refresh_ps + gap - 1) / gap;
		c->bus_free_ps += m * p->t_rfc_ps;
		c->next_refresh_ps += m * p->t_refi_ps;
		end = c->bus_free_ps;
		if (t < end)
			t = end;
	}
	if (t >= c->next_refresh_ps && t - c->next_refresh_ps >= p->t_refi_ps) {
		uint64_t k = (t - c->next_refresh_ps) / p->t_refi_ps;
		end = c->next_refresh_ps + (k - 1) * p->t_refi_ps + p->t_rfc_ps;
		c->bus_free_ps = end;
		c->next_refresh_ps += k * p->t_refi_ps;
		m += k;
	}
	if (m) {
		st->refreshes += m;
		for (uint32_t b = 0; b < p->banks; b++) {
			c->bank[b].open = 0;
			if (c->bank[b].ready_ps < end)
				c->bank[b].ready_ps = end;
		}
	}
	return t;
}

/* Refreshes due before t: each blocks the channel for tRFC and closes rows. */
static uint64_t ddr_refresh(struct ax_ddr *d, struct ax_ddr_channel *c, uint64_t t)
{
	t = ax_ddr_refresh_skip(&d->p, c, &d->st, t);
	while (t >= c->next_refresh_ps) {
		uint64_t start = c->next_refresh_ps > c->bus_free_ps ? c->next_refresh_ps : c->bus_free_ps;
		uint64_t end = start + d->p.t_rfc_ps;
		if (end > c->bus_free_ps)
			c->bus_free_ps = end;
		for (uint32_t b = 0; b < d->p.banks; b++) {
			c->bank[b].open = 0;
			if (c->bank[b].ready_ps < end)
				c->bank[b].ready_ps = end;
		}
		if (t < end)
			t = end;
		c->next_refresh_ps += d->p.t_refi_ps;
		d->st.refreshes++;
	}
	return t;
}

/* One piece of a request within one row of one bank of channel ch. */
static uint64_t ddr_piece(struct ax_ddr *d, uint32_t ch, uint32_t bank, uint64_t row,
			  uint64_t bytes, uint64_t arrive, int write)
{
	struct ax_ddr_channel *c = &d->ch[ch];
	struct ax_ddr_bank *b = &c->bank[bank];
	int was_used = c->used;
	c->used = 1;
	arrive = ddr_refresh(d, c, arrive);
	/* activation, issued on arrival, overlapping other banks' bursts */
	uint64_t ready = arrive > b->ready_ps ? arrive : b->ready_ps;
	if (b->open && b->row == row) {
		d->st.hits++;
	} else {
		if (b->open) {
			ready += d->p.t_rp_ps;
			d->st.conflicts++;
		} else {
			d->st.misses++;
		}
		/* docs/memory.md "DDR": activates of one channel are tRRD apart
		 * and at most four fall in any tFAW */
		uint64_t act = ready;
		if (c->n_act) {
			uint64_t last = c->act_ps[(c->n_act - 1) % 4];
			if (act < last + d->p.t_rrd_ps)
				act = last + d->p.t_rrd_ps;
		}
		if (c->n_act >= 4 && act < c->act_ps[c->n_act % 4] + d->p.t_faw_ps)
			act = c->act_ps[c->n_act % 4] + d->p.t_faw_ps;
		c->act_ps[c->n_act % 4] = act;
		c->n_act++;
		ready = act + d->p.t_rcd_ps;
		b->open = 1;
		b->row = row;
	}
	uint64_t start = ready > c->bus_free_ps ? ready : c->bus_free_ps;
	if (was_used && c->last_write != write) {
		uint64_t turn = write ? d->p.t_rtw_ps : d->p.t_wtr_ps;
		if (start < c->bus_free_ps + turn)
			start = c->bus_free_ps + turn;
		d->st.turnarounds++;
	}
	uint64_t bursts = (bytes + d->p.burst_bytes - 1) / d->p.burst_bytes;
	uint64_t dur = bursts * d->p.burst_ps;
	c->bus_free_ps = start + dur;
	c->last_write = write;
	b->ready_ps = start + dur;
	d->st.busy_ps += dur;
	return start + dur;
}

uint64_t ax_ddr_access(struct ax_ddr *d, uint64_t now_ps, uint64_t addr, uint64_t bytes,
		       int write, int first)
{
	if (!bytes)
		return now_ps;
	const struct ax_ddr_params *p = &d->p;
	uint64_t arrive = now_ps + (first ? p->latency_ps : 0);
	uint64_t end = arrive;
	/* walk the request in interleave units, each a piece on its channel,
	 * bank and row (row statistics count these pieces) */
	uint64_t a = addr, left = bytes;
	uint64_t units_per_row = p->row_bytes / p->interleave;
	while (left) {
		uint64_t unit = a / p->interleave;
		uint64_t off = a % p->interleave;
		uint64_t n = p->interleave - off < left ? p->interleave - off : left;
		uint32_t ch = (uint32_t)(unit % p->channels);
		uint64_t cunit = unit / p->channels;           /* unit index within the channel */
		uint64_t rowg = cunit / units_per_row;         /* row group over banks */
		uint32_t bank = (uint32_t)(rowg % p->banks);
		uint64_t row = rowg / p->banks;
		uint64_t e = ddr_piece(d, ch, bank, row, n, arrive, write);
		if (e > end)
			end = e;
		a += n;
		left -= n;
	}
	/* reads see the column latency once, at the end of the pipeline */
	if (first && !write)
		end += p->t_cl_ps;
	return end;
}
