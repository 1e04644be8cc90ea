#include "memtiming.h"

#include <string.h>

#include "../common/err.h"
#include "../config/arch.h"

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

void ax_ddr_params_from_arch(struct ax_ddr_params *p, const struct ax_arch *a)
{
	memset(p, 0, sizeof(*p));
	p->channels = (uint32_t)a->ddr_channels;
	p->banks = (uint32_t)a->ddr_banks;
	p->row_bytes = a->ddr_row_bytes;
	p->interleave = a->ddr_interleave;
	p->burst_bytes = a->ddr_burst_length * (a->ddr_bus_bits / a->ddr_channels) / 8;
	p->burst_ps = (a->ddr_burst_length * 1000000000000ull + a->ddr_rate_tps - 1) / a->ddr_rate_tps;
	p->t_rcd_ps = a->ddr_t_rcd_ps;
	p->t_rrd_ps = a->ddr_t_rrd_ps;
	p->t_faw_ps = a->ddr_t_faw_ps;
	p->t_rp_ps = a->ddr_t_rp_ps;
	p->t_cl_ps = a->ddr_t_cl_ps;
	p->t_wtr_ps = a->ddr_t_wtr_ps;
	p->t_rtw_ps = a->ddr_t_rtw_ps;
	p->t_rfc_ps = a->ddr_t_rfc_ps;
	p->t_refi_ps = a->ddr_t_refi_ps;
	p->t_wl_ps = a->ddr_t_wl_ps;
	p->t_wr_ps = a->ddr_t_wr_ps;
	p->t_rtp_ps = a->ddr_t_rtp_ps;
	p->t_ras_ps = a->ddr_t_ras_ps;
	p->t_rpab_ps = a->ddr_t_rpab_ps;
	p->sched = (uint32_t)a->ddr_sched;
	p->sched_window = (uint32_t)a->ddr_sched_window;
	p->write_high = (uint32_t)a->ddr_write_high;
	p->write_low = (uint32_t)a->ddr_write_low;
	p->latency_ps = a->ddr_latency_ps;
}

void ax_ddr_init(struct ax_ddr *d, const struct ax_ddr_params *p)
{
	if (p->channels < 1 || p->channels > AX_DDR_MAX_CHANNELS || p->banks < 1 ||
	    p->banks > AX_DDR_MAX_BANKS || !p->row_bytes || !p->interleave || !p->burst_bytes ||
	    p->row_bytes % p->interleave || !p->t_refi_ps || p->sched > AX_DDR_FRFCFS ||
	    p->write_high > AX_DDR_WRITES || p->write_low > p->write_high)
		AX_BUG("bad DDR parameters");
	memset(d, 0, sizeof(*d));
	d->p = *p;
	for (uint32_t c = 0; c < p->channels; c++)
		d->ch[c].next_refresh_ps = p->t_refi_ps;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* docs/memory.md "DDR": the gap the bus needs between a burst of direction a
 * and one of direction b (0 read, 1 write, 2 refresh: none). */
static uint64_t ddr_turn(const struct ax_ddr_params *p, int a, int b)
{
	if (a == b || a == 2 || b == 2)
		return 0;
	return a == 0 ? p->t_rtw_ps : p->t_wl_ps + p->t_wtr_ps;
}

/* The earliest start at or after t of dur ps of direction dir in a gap of
 * the busy list b of n intervals; *at is where the interval goes. */
static uint64_t bus_find(const struct ax_ddr_params *p, const struct ax_ddr_busy *b, uint32_t n,
			 uint64_t t, uint64_t dur, int dir, uint32_t *at)
{
	uint32_t i = n;
	/* the gaps before t cannot hold it: start at the last interval that
	 * ends before t, or at the first */
	while (i > 0 && b[i - 1].end_ps > t)
		i--;
	for (; i <= n; i++) {
		uint64_t s = t;
		if (i > 0)
			s = max64(s, b[i - 1].end_ps + ddr_turn(p, b[i - 1].dir, dir));
		if (i < n && s + dur + ddr_turn(p, dir, b[i].dir) > b[i].start_ps)
			continue;
		*at = i;
		return s;
	}
	AX_BUG("no room after the last bus interval");
}

/* Books [s, e) of direction dir at position i of the busy list b of *n
 * intervals (from bus_find), merging it with touching neighbours of the same
 * direction; when the list is full its two oldest intervals become one. */
static void bus_insert(struct ax_ddr_busy *b, uint32_t *n, uint32_t i, uint64_t s, uint64_t e,
		       int dir)
{
	if (i > 0 && b[i - 1].end_ps == s && b[i - 1].dir == dir) {
		b[i - 1].end_ps = e;
		if (i < *n && b[i].start_ps == e && b[i].dir == dir) {
			b[i - 1].end_ps = b[i].end_ps;
			memmove(&b[i], &b[i + 1], (*n - i - 1) * sizeof(*b));
			(*n)--;
		}
		return;
	}
	if (i < *n && b[i].start_ps == e && b[i].dir == dir) {
		b[i].start_ps = s;
		return;
	}
	if (*n == AX_DDR_BUS_SLOTS) {
		b[0].end_ps = b[1].end_ps;
		b[0].dir = b[1].dir;
		memmove(&b[1], &b[2], (*n - 2) * sizeof(*b));
		(*n)--;
		if (i > 1)
			i--;
		else if (i == 1 && s < b[0].end_ps)
			AX_BUG("bus interval inside the merged oldest ones");
	}
	memmove(&b[i + 1], &b[i], (*n - i) * sizeof(*b));
	b[i].start_ps = s;
	b[i].end_ps = e;
	b[i].dir = dir;
	(*n)++;
}

/* Adds [s, e) of direction dir at position at (from bus_find) to c's list of
 * served reads and refreshes; when the list is full the oldest is forgotten
 * (a read never looks that far back). */
static void rbus_add(struct ax_ddr_channel *c, uint32_t at, uint64_t s, uint64_t e, int dir)
{
	if (c->n_rbus == AX_DDR_BUS_SLOTS) {
		if (at == 0)
			return;
		memmove(&c->rbus[0], &c->rbus[1], (AX_DDR_BUS_SLOTS - 1) * sizeof(c->rbus[0]));
		c->n_rbus--;
		at--;
	}
	bus_insert(c->rbus, &c->n_rbus, at, s, e, dir);
}

/* docs/memory.md "DDR": the earliest activate at or after t that is tRRD
 * from every activate placed on the channel and leaves at most four in any
 * tFAW.  Each pass moves t past a placed activate or settles, so the loop
 * ends after at most 2 * AX_DDR_ACTS + 1 passes; the guard only protects
 * against a mistake here. */
static uint64_t act_find(const struct ax_ddr_params *p, const struct ax_ddr_channel *c, uint64_t t)
{
	const uint64_t *a = c->act_ps;
	uint32_t n = c->n_act;
	for (int guard = 0; guard < 4 * AX_DDR_ACTS + 4; guard++) {
		uint64_t fix = t;
		uint32_t pos = 0;        /* activates before t */
		for (uint32_t i = 0; i < n; i++) {
			if (a[i] < t)
				pos = i + 1;
			if (a[i] < t + p->t_rrd_ps && t < a[i] + p->t_rrd_ps)
				fix = max64(fix, a[i] + p->t_rrd_ps);
		}
		/* every run of five activates holding t spans tFAW at least */
		for (uint32_t k = 0; k <= 4; k++) {
			if (pos < k || n - pos < 4 - k)
				continue;
			uint64_t lo = k ? a[pos - k] : t, hi = k < 4 ? a[pos + 3 - k] : t;
			if (hi - lo >= p->t_faw_ps)
				continue;
			fix = max64(fix, k == 4 ? lo + p->t_faw_ps : a[pos] + max64(p->t_rrd_ps, 1));
		}
		if (fix == t)
			return t;
		t = fix;
	}
	AX_BUG("activate placement did not settle");
}

/* Records an activate at t in c's sorted list of the latest ones. */
static void act_insert(struct ax_ddr_channel *c, uint64_t t)
{
	uint64_t *a = c->act_ps;
	if (c->n_act == AX_DDR_ACTS) {
		if (t <= a[0])
			return;
		memmove(&a[0], &a[1], (AX_DDR_ACTS - 1) * sizeof(*a));
		c->n_act--;
	}
	uint32_t i = c->n_act;
	while (i > 0 && a[i - 1] > t) {
		a[i] = a[i - 1];
		i--;
	}
	a[i] = t;
	c->n_act++;
}

static struct ax_ddr_session *bank_turn(struct ax_ddr_bank *b, uint64_t back)
{
	return &b->sess[(b->n_sess - 1 - back) % AX_DDR_SESSIONS];
}

/*
 * docs/memory.md "DDR", refresh: every tREFI due by t, once the banks may
 * be precharged and the bus is free, all banks are precharged (tRPab) and
 * refreshed (tRFC).  The loop runs once per refresh due by the fixed t, so
 * it ends whatever the parameters; refreshes due while the channel was idle
 * are counted at once.
 */
static void ddr_refresh(struct ax_ddr *d, struct ax_ddr_channel *c, uint64_t t)
{
	const struct ax_ddr_params *p = &d->p;
	uint64_t blocked = p->t_rpab_ps + p->t_rfc_ps;
	if (c->next_refresh_ps > t)
		return;
	uint64_t busy_end = c->n_bus ? c->bus[c->n_bus - 1].end_ps : 0;
	if (blocked <= p->t_refi_ps && busy_end <= c->next_refresh_ps &&
	    t - c->next_refresh_ps >= p->t_refi_ps) {
		uint64_t skip = (t - c->next_refresh_ps) / p->t_refi_ps;
		uint64_t end = c->next_refresh_ps + (skip - 1) * p->t_refi_ps + blocked;
		for (uint32_t i = 0; i < p->banks; i++) {
			struct ax_ddr_bank *b = &c->bank[i];
			if (b->open)
				bank_turn(b, 0)->close_ps = c->next_refresh_ps;
			b->open = 0;
			b->act_ok_ps = max64(b->act_ok_ps, end);
		}
		c->next_refresh_ps += skip * p->t_refi_ps;
		d->st.refreshes += skip;
	}
	while (c->next_refresh_ps <= t) {
		uint64_t start = c->next_refresh_ps;
		if (c->n_bus)
			start = max64(start, c->bus[c->n_bus - 1].end_ps);
		for (uint32_t i = 0; i < p->banks; i++)
			if (c->bank[i].open)
				start = max64(start, c->bank[i].pre_ok_ps);
		uint64_t end = start + blocked;
		for (uint32_t i = 0; i < p->banks; i++) {
			struct ax_ddr_bank *b = &c->bank[i];
			if (b->open)
				bank_turn(b, 0)->close_ps = start;
			b->open = 0;
			b->act_ok_ps = max64(b->act_ok_ps, end);
		}
		if (end > start) {
			bus_insert(c->bus, &c->n_bus, c->n_bus, start, end, 2);
			if (p->write_high) {
				uint32_t at;
				uint64_t rs = bus_find(p, c->rbus, c->n_rbus, start, end - start, 2, &at);
				rbus_add(c, at, rs, rs + end - start, 2);
			}
		}
		c->next_refresh_ps += p->t_refi_ps;
		d->st.refreshes++;
	}
}

/*
 * docs/memory.md "DDR", row hits first: an earlier turn of row in bank b
 * that is still open at arrive, behind fewer than sched_window pieces of
 * later turns.  Returns how many turns back it is (0: none; the current turn
 * is the ordinary hit).
 */
static uint64_t frfcfs_turn(const struct ax_ddr_params *p, struct ax_ddr_bank *b, uint64_t row,
			    uint64_t arrive)
{
	uint64_t n = b->n_sess < AX_DDR_SESSIONS ? b->n_sess : AX_DDR_SESSIONS;
	uint64_t behind = 0;
	for (uint64_t k = 0; k < n; k++) {
		const struct ax_ddr_session *s = bank_turn(b, k);
		if (s->close_ps <= arrive || behind >= p->sched_window)
			return 0;
		if (k && s->row == row)
			return k;
		behind += s->pieces;
	}
	return 0;
}

/* Books dur ps of direction dir from g on c's bus (g from bus_find, position
 * at), counting a turnaround after a burst of the other direction. */
static void bus_book(struct ax_ddr *d, struct ax_ddr_channel *c, uint32_t at, uint64_t g,
		     uint64_t dur, int dir)
{
	if (at > 0 && c->bus[at - 1].dir != dir && c->bus[at - 1].dir != 2)
		d->st.turnarounds++;
	bus_insert(c->bus, &c->n_bus, at, g, g + dur, dir);
	if (dir == 1)
		c->wr_start_ps[c->n_wr++ % AX_DDR_WRITES] = g;
}

/* docs/memory.md "DDR", reads first: the writes of c waiting at t (their
 * first burst lies after t), counted up to limit. */
static uint32_t writes_waiting(const struct ax_ddr_channel *c, uint64_t t, uint32_t limit)
{
	uint64_t n = c->n_wr < AX_DDR_WRITES ? c->n_wr : AX_DDR_WRITES;
	uint32_t w = 0;
	for (uint64_t k = 1; k <= n && w < limit; k++)
		if (c->wr_start_ps[(c->n_wr - k) % AX_DDR_WRITES] > t)
			w++;
	return w;
}

/* docs/memory.md "DDR", reads first: the end, with the turnaround to a
 * read, of the run of writes on c's bus under way at t (the bus is not
 * turned around inside a run of back-to-back writes), or 0. */
static uint64_t write_under_way(const struct ax_ddr_params *p, const struct ax_ddr_channel *c,
				uint64_t t)
{
	uint64_t turn = ddr_turn(p, 1, 0);
	for (uint32_t i = c->n_bus; i-- > 0;) {
		const struct ax_ddr_busy *x = &c->bus[i];
		if (x->end_ps + turn <= t)
			break;
		if (x->dir == 1 && x->start_ps <= t)
			return x->end_ps + turn;
	}
	return 0;
}

/*
 * docs/memory.md "DDR", reads first: when a read of dur ps arriving at
 * arrive, whose bank could serve it from ready and whose bursts are booked
 * at g on the bus, is served.  While writes of its channel wait, fewer than
 * write_high of them (once they reached it: until no more than write_low
 * do), it goes ahead of them: into the earliest gap among the reads as
 * served and the refreshes where no run of writes is under way.  Otherwise,
 * or with write_high 0, at g.  The served reads are kept in the channel's
 * read list.
 */
static uint64_t read_served(struct ax_ddr *d, struct ax_ddr_channel *c, uint64_t ready,
			    uint64_t arrive, uint64_t dur, uint64_t g)
{
	const struct ax_ddr_params *p = &d->p;
	if (!p->write_high)
		return g;
	uint32_t waiting = writes_waiting(c, arrive, p->write_high);
	if (!c->draining && waiting >= p->write_high) {
		c->draining = 1;
		d->st.drains++;
	} else if (c->draining && waiting <= p->write_low) {
		c->draining = 0;
	}
	/* the earliest gap among the served reads and refreshes where no
	 * write is under way (a write that would start later waits); each
	 * pass moves past a write, so the passes are bounded by the list */
	int first = !c->draining && waiting;
	uint64_t from = first ? ready : g;
	uint32_t at;
	uint64_t s;
	for (uint32_t pass = 0;; pass++) {
		s = bus_find(p, c->rbus, c->n_rbus, from, dur, 0, &at);
		uint64_t w = first ? write_under_way(p, c, s) : 0;
		if (w <= s)
			break;
		if (pass > AX_DDR_BUS_SLOTS)
			AX_BUG("read placement did not settle");
		from = w;
	}
	rbus_add(c, at, s, s + dur, 0);
	if (!first || s >= g)
		return g;
	d->st.reads_first++;
	return s;
}

/* One piece of a request within one row of one bank of channel ch;
 * returns when its last burst ends. */
static uint64_t ddr_piece(struct ax_ddr *d, uint32_t ch, uint32_t bank, uint64_t row,
			  uint64_t bytes, uint64_t arrive, int write)
{
	const struct ax_ddr_params *p = &d->p;
	struct ax_ddr_channel *c = &d->ch[ch];
	struct ax_ddr_bank *b = &c->bank[bank];
	ddr_refresh(d, c, arrive);
	uint64_t bursts = (bytes + p->burst_bytes - 1) / p->burst_bytes;
	uint64_t dur = bursts * p->burst_ps;
	d->st.bursts += bursts;
	d->st.busy_ps += dur;
	uint32_t at;

	if (p->sched == AX_DDR_FRFCFS && !(b->open && b->row == row)) {
		uint64_t back = frfcfs_turn(p, b, row, arrive);
		if (back) {
			/* served in that row's turn, right after its last burst;
			 * the bus time goes into the earliest gap from there */
			struct ax_ddr_session *s = bank_turn(b, back);
			uint64_t want = max64(arrive, s->col_end_ps);
			uint64_t g = bus_find(p, c->bus, c->n_bus, want, dur, write, &at);
			bus_book(d, c, at, g, dur, write);
			s->pieces++;
			d->st.hits++;
			d->st.reordered++;
			uint64_t served = g;
			if (!write) {
				/* reads first: after the turn's latest read as served */
				uint64_t from = s->rd_end_ps ? max64(arrive, s->rd_end_ps) : want;
				served = read_served(d, c, from < want ? from : want, arrive, dur, g);
				s->rd_end_ps = served + dur;
				s->reads++;
			}
			if (g + dur <= s->close_ps) {
				/* the gap lies within the turn: nothing moves */
				s->col_end_ps = g + dur;
				return served + dur;
			}
			/* the bank's later turns move back by its bursts; the
			 * piece ends after its own and those of the pieces it
			 * overtook, which cannot move any more: the latency it
			 * adds to them is its own (a read served first adds
			 * none to the writes) */
			uint64_t overtaken = 0, reads = 0;
			for (uint64_t k = 0; k < back; k++) {
				struct ax_ddr_session *l = bank_turn(b, k);
				overtaken += l->pieces;
				reads += l->reads;
				if (l->close_ps != UINT64_MAX)
					l->close_ps += dur;
			}
			b->col_ok_ps += dur;
			b->pre_ok_ps += dur;
			b->act_ok_ps += dur;
			s->col_end_ps = want + dur;
			if (served < g)
				return served + dur + reads * dur;
			return want + dur + overtaken * dur;
		}
	}

	uint64_t ready, ready_rd;
	struct ax_ddr_session *turn;
	if (b->open && b->row == row) {
		d->st.hits++;
		ready = max64(arrive, b->col_ok_ps);
		turn = bank_turn(b, 0);
		turn->pieces++;
		/* reads first: a read of the open row follows the turn's
		 * latest read as served */
		ready_rd = turn->rd_end_ps ? max64(arrive, turn->rd_end_ps) : ready;
		if (ready_rd > ready)
			ready_rd = ready;
	} else {
		uint64_t act;
		if (b->open) {
			/* docs/memory.md "DDR": precharge once tRAS, tRTP and tWR allow */
			uint64_t pre = max64(arrive, b->pre_ok_ps);
			bank_turn(b, 0)->close_ps = pre;
			act = pre + p->t_rp_ps;
			d->st.conflicts++;
		} else {
			act = max64(arrive, b->act_ok_ps);
			d->st.misses++;
		}
		act = act_find(p, c, act);
		act_insert(c, act);
		turn = &b->sess[b->n_sess % AX_DDR_SESSIONS];
		turn->row = row;
		turn->close_ps = UINT64_MAX;
		turn->pieces = 1;
		turn->reads = 0;
		turn->rd_end_ps = 0;
		b->n_sess++;
		b->open = 1;
		b->row = row;
		b->pre_ok_ps = act + p->t_ras_ps;
		ready = act + p->t_rcd_ps;
		ready_rd = ready;
	}
	uint64_t g = bus_find(p, c->bus, c->n_bus, ready, dur, write, &at);
	bus_book(d, c, at, g, dur, write);
	uint64_t end = g + dur;
	b->col_ok_ps = end;
	/* a read's precharge waits tRTP after its last read command; a write's
	 * waits WL, the data and tWR */
	b->pre_ok_ps = max64(b->pre_ok_ps, write ? end + p->t_wl_ps + p->t_wr_ps
					      : end - p->burst_ps + p->t_rtp_ps);
	turn->col_end_ps = end;
	if (write)
		return end;
	uint64_t served = read_served(d, c, ready_rd, arrive, dur, g);
	turn->rd_end_ps = served + dur;
	turn->reads++;
	return served + dur;
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
		uint64_t e = ddr_piece(d, ch, bank, row, n, arrive, write ? 1 : 0);
		if (e > end)
			end = e;
		a += n;
		left -= n;
	}
	/* the first access sees the read latency (or write latency) once, at
	 * the end of the pipeline */
	if (first)
		end += write ? p->t_wl_ps : p->t_cl_ps;
	return end;
}

uint64_t ax_ddr_access_2d(struct ax_ddr *d, uint64_t now_ps, uint64_t base, uint64_t run_bytes,
			  uint64_t stride_bytes, uint64_t off, uint64_t bytes, int write, int first)
{
	if (!run_bytes || run_bytes >= stride_bytes)
		return ax_ddr_access(d, now_ps, base + off, bytes, write, first);
	const struct ax_ddr_params *p = &d->p;
	uint64_t end = now_ps, arrive = now_ps + (first ? p->latency_ps : 0);
	while (bytes) {
		uint64_t k = off / run_bytes, in = off % run_bytes;
		uint64_t n = run_bytes - in < bytes ? run_bytes - in : bytes;
		uint64_t e = ax_ddr_access(d, arrive, base + k * stride_bytes + in, n, write, 0);
		if (e > end)
			end = e;
		off += n;
		bytes -= n;
	}
	if (first)
		end += write ? p->t_wl_ps : p->t_cl_ps;
	return end;
}
