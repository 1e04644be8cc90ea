/*
 * check_platform.c - the SystemC platform against hand-computed timings.
 * Every simulation runs in a child process (SystemC cannot restart), so a
 * test can compare several runs.  The hardware description is the built-in
 * default with the fixed overheads set to zero, so the figures below follow
 * from bandwidths and cycle counts alone (docs/timing-model.md).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/arch.h"
#include "lower/tasklist.h"
#include "platform/memtiming.h"
#include "platform/tasktiming.h"
#include "platform/platform.h"
#include "testutil.h"

/* What a child sends back. */
struct outcome {
	uint64_t latency_ps, cycle_ps;
	struct ax_mem_stats mem[AX_MEM_COUNT];
	uint64_t busy_ps[AX_E_COUNT];
	uint64_t macs;
};

static void load_arch(struct ax_arch_desc *d, const char *const *sets)
{
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_arch_load(d, NULL, &err), AX_OK);
	static const char *const quiet[] = {
		"controller.dispatch=0", "dma.setup=0", "unit.start_latency=0",
		"ddr.latency=0", "l2.latency=0", "noc.latency=0", "l1.latency=0",
		"ddr.t_rcd=0", "ddr.t_rrd=0", "ddr.t_faw=0", "ddr.t_rp=0", "ddr.t_cl=0", "ddr.t_wtr=0", "ddr.t_rtw=0", "ddr.t_rfc=0",
		"ddr.t_wl=0", "ddr.t_wr=0", "ddr.t_rtp=0", "ddr.t_ras=0", "ddr.t_rpab=0", NULL
	};
	for (size_t i = 0; quiet[i]; i++)
		ck_assert_int_eq(ax_arch_set(d, quiet[i], &err), AX_OK);
	for (size_t i = 0; sets && sets[i]; i++)
		ck_assert_msg(ax_arch_set(d, sets[i], &err) == AX_OK, "%s", ax_err_str(&err));
	ax_err_release(&err);
}

static void tl_setup(struct ax_tasklist *tl, uint32_t cores, enum ax_mem home)
{
	ax_tasklist_init(tl);
	tl->n_cores = cores;
	tl->copies = cores;
	tl->cores_per_copy = 1;
	tl->tasklist_home = home;
	tl->tasklist_chunks = 1;
	tl->clock_hz = 800000000ull;
	tl->mvm_limit_permille = 1000;
	tl->dma_sys_channels = 2;
	tl->dma_core_channels = 2;
	tl->n_layers = 1;
	tl->tensors = calloc(1, sizeof(*tl->tensors));
	tl->plans = calloc(1, sizeof(*tl->plans));
}

static struct outcome simulate(const struct ax_tasklist *tl, const struct ax_arch *a)
{
	int fd[2];
	ck_assert_int_eq(pipe(fd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(fd[0]);
		struct ax_result res;
		struct ax_err err;
		ax_err_init(&err);
		struct outcome o;
		memset(&o, 0, sizeof(o));
		if (ax_platform_run(tl, a, &res, &err) != AX_OK)
			_exit(3);
		o.latency_ps = res.latency_ps;
		o.cycle_ps = res.cycle_ps;
		memcpy(o.mem, res.mem, sizeof(o.mem));
		for (int e = 0; e < AX_E_COUNT; e++)
			for (uint32_t k = 0; k < res.n_cores; k++)
				o.busy_ps[e] += res.busy_ps[k][e];
		o.macs = res.macs;
		if (write(fd[1], &o, sizeof(o)) != (ssize_t)sizeof(o))
			_exit(4);
		_exit(0);
	}
	close(fd[1]);
	struct outcome o;
	ssize_t got = read(fd[0], &o, sizeof(o));
	close(fd[0]);
	int st;
	waitpid(pid, &st, 0);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "simulation child failed (status %d)", st);
	ck_assert_int_eq(got, (ssize_t)sizeof(o));
	return o;
}

static uint32_t add(struct ax_tasklist *tl, enum ax_task_kind k, uint32_t core, uint64_t cycles,
		    const uint32_t *deps, uint32_t nd)
{
	struct ax_task t = { 0 };
	t.kind = k;
	t.unit = k == AX_T_DPU ? AX_U_DPU : k == AX_T_DWPU ? AX_U_DWPU : AX_U_IMC;
	t.core = core;
	t.cycles = cycles;
	return ax_tasklist_add(tl, &t, deps, nd);
}

static uint32_t add_dma(struct ax_tasklist *tl, uint32_t core, enum ax_mem src, enum ax_mem dst,
			uint64_t bytes, enum ax_kind kind)
{
	struct ax_task t = { 0 };
	t.kind = AX_T_DMA;
	t.unit = (src == AX_MEM_L1 || dst == AX_MEM_L1) ? AX_U_DMA_CORE : AX_U_DMA_SYS;
	t.core = core;
	t.src = src;
	t.dst = dst;
	t.bytes = bytes;
	t.data = kind;
	return ax_tasklist_add(tl, &t, NULL, 0);
}

/* Time for the controller to fetch the first batch of n descriptors from
 * L2 through its NoC link (no latencies): link and L2 port both move
 * 64 B/cycle at 800 MHz = 51.2 GB/s. */
static uint64_t fetch_ps(uint64_t n)
{
	return ax_xfer_ps(n * 64, 64ull * 800000000ull);
}

START_TEST(test_xfer_arithmetic)
{
	/* 1 MiB at 34.128 GB/s: 1048576e12 / 34128e6 = 30724800.75 ps, rounded up */
	ck_assert_uint_eq(ax_xfer_ps(1048576, 34128000000ull), 30724801);
	ck_assert_uint_eq(ax_xfer_ps(0, 1000), 0);
	ck_assert_uint_eq(ax_xfer_ps(1, 1000000000000ull), 1);
	struct ax_port_pool p;
	ax_pool_init(&p, 2, 1000000000000ull, 5);  /* 1 byte per ps, 5 ps latency */
	ck_assert_uint_eq(ax_pool_reserve(&p, 0, 100, 1), 105);  /* port 0 */
	ck_assert_uint_eq(ax_pool_reserve(&p, 0, 100, 0), 100);  /* port 1, in parallel */
	ck_assert_uint_eq(ax_pool_reserve(&p, 0, 100, 0), 200);  /* queues behind port 1 */
	ck_assert_uint_eq(p.busy_ps, 300);
}
END_TEST

/* tasktiming.c: a compute task's time, docs/timing-model.md "Compute tasks". */
START_TEST(test_compute_task_time)
{
	/* 100 cycles of 1250 ps, nothing slower */
	ck_assert_uint_eq(ax_compute_task_ps(100, 1250, 1, 1000, 0, 0, 0), 125000);
	/* an IMC cap of 50% doubles IMC passes, not other work */
	ck_assert_uint_eq(ax_compute_task_ps(100, 1250, 1, 500, 0, 0, 0), 250000);
	ck_assert_uint_eq(ax_compute_task_ps(100, 1250, 0, 500, 0, 0, 0), 125000);
	/* rounded up to whole picoseconds: 1000 ps at 3/10 */
	ck_assert_uint_eq(ax_compute_task_ps(1, 1000, 1, 300, 0, 0, 0), 3334);
	/* a pipeline model's own lower cap wins; a higher one does not */
	ck_assert_uint_eq(ax_compute_task_ps(100, 1250, 1, 1000, 250, 0, 0), 500000);
	ck_assert_uint_eq(ax_compute_task_ps(100, 1250, 1, 500, 800, 0, 0), 250000);
	/* the L1 traffic overlaps the work: the longest of the three */
	ck_assert_uint_eq(ax_compute_task_ps(100, 1250, 1, 1000, 0, 200000, 7), 200000);
	ck_assert_uint_eq(ax_compute_task_ps(100, 1250, 0, 1000, 0, 7, 300000), 300000);
}
END_TEST

/* Issues a transfer through a DMA window whose chunks each take read_ps and
 * write_ps, every chunk issued as soon as its gate allows; returns the end. */
static uint64_t window_run(uint64_t outstanding, uint64_t chunk, uint64_t bytes, uint64_t read_ps,
			   uint64_t write_ps, uint64_t *chunks)
{
	uint64_t slots[8], now = 1000, gate, c, sum = 0;
	struct ax_dma_window w;
	ax_dma_window_start(&w, slots, outstanding, chunk, bytes, now);
	while ((c = ax_dma_window_next(&w, &gate))) {
		if (gate > now)
			now = gate;
		ck_assert_uint_eq(w.off, sum);
		sum += c;
		ax_dma_window_issued(&w, now, read_ps, write_ps);
	}
	ck_assert_uint_eq(sum, bytes);
	*chunks = w.k;
	return w.last_ps;
}

/* tasktiming.c: docs/memory.md "DMA": chunk k waits for chunk k - outstanding. */
START_TEST(test_dma_window)
{
	uint64_t k;
	/* one in flight: 4 chunks one after the other, each the longer of read and write */
	ck_assert_uint_eq(window_run(1, 256, 1024, 30, 50, &k), 1000 + 4 * 50);
	ck_assert_uint_eq(k, 4);
	/* two in flight: issued in pairs */
	ck_assert_uint_eq(window_run(2, 256, 1024, 50, 10, &k), 1000 + 2 * 50);
	/* a last, shorter chunk */
	ck_assert_uint_eq(window_run(4, 256, 1000, 5, 5, &k), 1000 + 5);
	ck_assert_uint_eq(k, 4);
	/* nothing to move ends at once */
	ck_assert_uint_eq(window_run(2, 256, 0, 5, 5, &k), 1000);
	ck_assert_uint_eq(k, 0);
}
END_TEST

/* tasktiming.c: docs/memory.md "L2, NoC and L1": a transfer through a link. */
START_TEST(test_link_transfer)
{
	struct ax_port_pool link, agg;
	ax_pool_init(&link, 1, 1000000000000ull, 7);   /* 1 byte per ps, a 7 ps hop */
	ax_pool_init(&agg, 1, 500000000000ull, 0);     /* the NoC: half that */
	uint64_t mem_at;
	/* the aggregate is the slower: 100 bytes end at 200 ps; the memory sees the first access after the hop */
	ck_assert_uint_eq(ax_link_reserve(&link, &agg, 0, 100, 1, &mem_at), 200);
	ck_assert_uint_eq(mem_at, 7);
	/* a later access of the transfer reaches the memory at once */
	ck_assert_uint_eq(ax_link_reserve(&link, &agg, 300, 10, 0, &mem_at), 320);
	ck_assert_uint_eq(mem_at, 300);
	/* the transfer ends when both are done */
	ck_assert_uint_eq(ax_link_end(320, 400), 400);
	ck_assert_uint_eq(ax_link_end(320, 310), 320);
	/* the ports from the description: an L2 port moves l2.port_bw per cycle */
	struct ax_arch_desc d;
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_arch_load(&d, NULL, &err), AX_OK);
	struct ax_port_pool p;
	ax_pool_init_from_arch(&p, AX_POOL_L2, &d.arch, 800000000);
	ck_assert_uint_eq(p.n, d.arch.l2_ports);
	ck_assert_uint_eq(p.bytes_per_s, d.arch.l2_port_bpc * 800000000);
	ck_assert_uint_eq(p.latency_ps, d.arch.l2_latency_cycles * 1250);
	ax_pool_init_from_arch(&p, AX_POOL_NOC_AGGREGATE, &d.arch, 800000000);
	ck_assert_uint_eq(p.n, 1);
	ck_assert_uint_eq(p.latency_ps, 0);
	ax_pool_init_from_arch(&p, AX_POOL_NOC_LINK, &d.arch, 800000000);
	ck_assert_uint_eq(p.latency_ps, d.arch.noc_latency_cycles * 1250);
	ax_pool_init_from_arch(&p, AX_POOL_L1, &d.arch, 800000000);
	ck_assert_uint_eq(p.n, d.arch.l1_ports);
	ax_arch_desc_release(&d);
	ax_err_release(&err);
}
END_TEST

/* docs/memory.md "DDR": the LPDDR4x bank model against hand-computed
 * timings with the default parameters: a 32-byte burst takes 3751 ps,
 * tRCD = tRP = 18 ns, tCL = 17 ns, WL = 8.44 ns, tWR = 18 ns, tRTP = 7.5 ns,
 * tRAS = 42 ns, tRPab = 21 ns, controller latency 40 ns, FR-FCFS. */
static const struct ax_ddr_params ddr_lpddr4x = {
	.channels = 4, .banks = 8, .row_bytes = 2048, .interleave = 256,
	.burst_bytes = 32, .burst_ps = 3751, .t_rcd_ps = 18000, .t_rp_ps = 18000,
	.t_cl_ps = 17000, .t_wtr_ps = 10000, .t_rtw_ps = 8000, .t_rfc_ps = 280000,
	.t_refi_ps = 3904000, .latency_ps = 40000, .t_rrd_ps = 10000, .t_faw_ps = 40000,
	.t_wl_ps = 8440, .t_wr_ps = 18000, .t_rtp_ps = 7500, .t_ras_ps = 42000,
	.t_rpab_ps = 21000, .sched = AX_DDR_FRFCFS, .sched_window = 8,
};

START_TEST(test_ddr_model)
{
	struct ax_ddr_params p = ddr_lpddr4x;
	static struct ax_ddr d;
	ax_ddr_init(&d, &p);
	/* a closed bank: latency + tRCD + 2 bursts + tCL */
	uint64_t t = ax_ddr_access(&d, 0, 0, 64, 0, 1);
	ck_assert_uint_eq(t, 40000 + 18000 + 2 * 3751 + 17000);
	ck_assert_uint_eq(d.st.misses, 1);
	/* the same row again: a hit, no activation */
	uint64_t t2 = ax_ddr_access(&d, t, 64, 64, 0, 1);
	ck_assert_uint_eq(t2, t + 40000 + 2 * 3751 + 17000);
	ck_assert_uint_eq(d.st.hits, 1);
	/* bank 0, row 1 (address 64 KiB): a conflict, precharge and activate
	 * (tRAS and tRTP long past) */
	uint64_t t3 = ax_ddr_access(&d, t2, 65536, 64, 0, 1);
	ck_assert_uint_eq(t3, t2 + 40000 + 18000 + 18000 + 2 * 3751 + 17000);
	ck_assert_uint_eq(d.st.conflicts, 1);
	/* scattered 64-byte reads, one after another, each a row conflict:
	 * 64 bytes per 100,502 ps is about 2% of the 34.1 GB/s peak */
	uint64_t now = t3, start = t3;
	for (int i = 0; i < 100; i++)
		now = ax_ddr_access(&d, now, (uint64_t)(i % 2 ? 65536 : 131072) + 64ull * 1024 * 8 * (uint64_t)i, 64, 0, 1);
	double eff = 100.0 * 64 / ((double)(now - start) * 1e-12) / 34.128e9;
	ck_assert_msg(eff < 0.03, "scattered efficiency %.4f", eff);
	/* a write after reads turns the bus around (tRTW); a write completes
	 * WL after its burst */
	static struct ax_ddr w;
	ax_ddr_init(&w, &p);
	uint64_t r0 = ax_ddr_access(&w, 0, 0, 32, 0, 0);      /* 18000 + 3751 */
	ck_assert_uint_eq(r0, 18000 + 3751);
	uint64_t w0 = ax_ddr_access(&w, 0, 32, 32, 1, 0);     /* hit, after tRTW */
	ck_assert_uint_eq(w0, r0 + 8000 + 3751);
	ck_assert_uint_eq(w.st.turnarounds, 1);
	ck_assert_uint_eq(ax_ddr_access(&w, w0, 64, 32, 1, 1), w0 + 40000 + 3751 + 8440);
	/* a refresh every tREFI: precharge-all (tRPab), then tRFC; rows close */
	static struct ax_ddr f;
	ax_ddr_init(&f, &p);
	uint64_t e = ax_ddr_access(&f, 3904000, 64, 32, 1, 0);
	ck_assert_uint_eq(e, 3904000 + 21000 + 280000 + 18000 + 3751);
	ck_assert_uint_eq(f.st.refreshes, 1);

	/* five rows of banks 0-4 of channel 0 (8 KiB apart) requested at once:
	 * activates tRRD = 10 ns apart, the fifth held until tFAW (50 ns here)
	 * after the first; each burst then waits for its row (tRCD) */
	static struct ax_ddr a;
	struct ax_ddr_params q = p;
	q.t_faw_ps = 50000;
	ax_ddr_init(&a, &q);
	static const uint64_t act[5] = { 0, 10000, 20000, 30000, 50000 };
	for (int k = 0; k < 5; k++) {
		e = ax_ddr_access(&a, 0, 8192ull * (uint64_t)k, 32, 0, 0);
		ck_assert_uint_eq(e, act[k] + 18000 + 3751);
	}
	ck_assert_uint_eq(a.st.misses, 5);
	/* with tRRD and tFAW 0 all five activate at once and share the bus */
	static struct ax_ddr z;
	q.t_rrd_ps = q.t_faw_ps = 0;
	ax_ddr_init(&z, &q);
	for (int k = 0; k < 5; k++)
		ck_assert_uint_eq(ax_ddr_access(&z, 0, 8192ull * (uint64_t)k, 32, 0, 0),
				  18000 + 3751 * (uint64_t)(k + 1));
}
END_TEST

/* docs/memory.md "DDR": a precharge waits for tRAS after the activate,
 * tRTP after a read and WL + tWR after a write. */
START_TEST(test_ddr_precharge_limits)
{
	static struct ax_ddr d;
	ax_ddr_init(&d, &ddr_lpddr4x);
	/* read row 0 of bank 0 (activate at 0, burst 18000-21751), then row 1
	 * of bank 0 at once: the precharge waits for tRAS (42 ns > 21751 -
	 * 3751 + 7500), then tRP + tRCD */
	ck_assert_uint_eq(ax_ddr_access(&d, 0, 0, 32, 0, 0), 21751);
	ck_assert_uint_eq(ax_ddr_access(&d, 0, 65536, 32, 0, 0), 42000 + 18000 + 18000 + 3751);
	/* the same after a write: WL + tWR after its data (48191 > 42000) */
	static struct ax_ddr w;
	ax_ddr_init(&w, &ddr_lpddr4x);
	ck_assert_uint_eq(ax_ddr_access(&w, 0, 0, 32, 1, 0), 21751);
	ck_assert_uint_eq(ax_ddr_access(&w, 0, 65536, 32, 0, 0),
			  21751 + 8440 + 18000 + 18000 + 18000 + 3751);
}
END_TEST

/* docs/memory.md "DDR": banks are served independently and bursts go into
 * the earliest bus gap; with frfcfs a row hit is served in its row's turn. */
START_TEST(test_ddr_bank_order)
{
	/* bank 0 waits for tRAS to switch rows (burst at 78000-81751); bank 1
	 * of the same channel, called later, activates tRRD after bank 0's
	 * first activate and fills the gap before: 10000 + 18000 + 3751 */
	static struct ax_ddr d;
	ax_ddr_init(&d, &ddr_lpddr4x);
	ax_ddr_access(&d, 0, 0, 32, 0, 0);
	ck_assert_uint_eq(ax_ddr_access(&d, 0, 65536, 32, 0, 0), 81751);
	ck_assert_uint_eq(ax_ddr_access(&d, 0, 8192, 32, 0, 0), 10000 + 18000 + 3751);

	/* row 0 of bank 0 again, queued behind row 1: frfcfs serves it in
	 * row 0's turn, right after its first burst (before the precharge at
	 * 42 ns); fifo after row 1's turn: precharge at max(tRAS after 60000,
	 * 81751 - 3751 + tRTP) = 102000, then tRP + tRCD + a burst */
	for (uint32_t sched = 0; sched < 2; sched++) {
		struct ax_ddr_params p = ddr_lpddr4x;
		p.sched = sched;
		ax_ddr_init(&d, &p);
		ax_ddr_access(&d, 0, 0, 32, 0, 0);
		ax_ddr_access(&d, 0, 65536, 32, 0, 0);
		uint64_t e = ax_ddr_access(&d, 0, 32, 32, 0, 0);
		if (sched == AX_DDR_FRFCFS) {
			ck_assert_uint_eq(e, 21751 + 3751);
			ck_assert_uint_eq(d.st.reordered, 1);
			ck_assert_uint_eq(d.st.hits, 1);
		} else {
			ck_assert_uint_eq(e, 102000 + 18000 + 18000 + 3751);
			ck_assert_uint_eq(d.st.conflicts, 2);
		}
	}
}
END_TEST

/* docs/memory.md "DDR", reads first.  Channel 0, 256-byte pieces of 8
 * bursts (30008 ps), no controller latency.  Write W1 to bank 0 row 0 at 0:
 * bus 18000-48008.  Write W2 to bank 0 row 1 at 0: precharge after WL +
 * tWR = 74448, activate 92448, bus 110448-140456.  A read of bank 1 at
 * 80000 (activate 80000, ready 98000) does not fit before W2 (98000 +
 * 30008 + tRTW > 110448): in arrival order its bursts follow W2 and its
 * turnaround, 140456 + WL + tWTR = 158896, ending 188904.  With reads first
 * W2 waits, no run of writes is under way at 98000, and the read is served
 * then: 98000 + 30008. */
START_TEST(test_ddr_reads_first)
{
	static struct ax_ddr d;
	for (int first = 0; first < 2; first++) {
		struct ax_ddr_params p = ddr_lpddr4x;
		p.write_high = first ? 16 : 0;
		p.write_low = first ? 8 : 0;
		ax_ddr_init(&d, &p);
		ck_assert_uint_eq(ax_ddr_access(&d, 0, 0, 256, 1, 0), 48008);
		ck_assert_uint_eq(ax_ddr_access(&d, 0, 65536, 256, 1, 0), 140456);
		uint64_t e = ax_ddr_access(&d, 80000, 8192, 256, 0, 0);
		ck_assert_uint_eq(e, first ? 98000 + 30008 : 188904);
		ck_assert_uint_eq(d.st.reads_first, (uint64_t)first);
		/* the bus still carries the read behind W2: a write to the
		 * read's row at 150000 finds it there and follows it after
		 * tRTW */
		ck_assert_uint_eq(ax_ddr_access(&d, 150000, 8192 + 1024, 256, 1, 0),
				  188904 + 8000 + 30008);
	}
}
END_TEST

/* docs/memory.md "DDR", the write buffer drains first: with write_high 2
 * and write_low 1, W1 and W2 as above and W3 to bank 0 row 2 (precharge
 * after W2's WL + tWR = 166896, activate 184896, bus 202896-232904), a read
 * of bank 1 at 80000 finds two writes waiting (W2, W3): the buffer drains
 * and the read keeps its place in arrival order, 158896-188904 (it fits
 * before W3: 188904 + tRTW <= 202896).  A read of bank 2 at 150000 (ready
 * 168000) then finds one write waiting (W3), no more than write_low: it
 * goes first again, right after the first read, 188904 + 30008, where in
 * arrival order it would follow W3: 232904 + WL + tWTR + 30008. */
START_TEST(test_ddr_write_drain)
{
	static struct ax_ddr d;
	struct ax_ddr_params p = ddr_lpddr4x;
	p.write_high = 2;
	p.write_low = 1;
	ax_ddr_init(&d, &p);
	ck_assert_uint_eq(ax_ddr_access(&d, 0, 0, 256, 1, 0), 48008);
	ck_assert_uint_eq(ax_ddr_access(&d, 0, 65536, 256, 1, 0), 140456);
	ck_assert_uint_eq(ax_ddr_access(&d, 0, 131072, 256, 1, 0), 232904);
	ck_assert_uint_eq(ax_ddr_access(&d, 80000, 8192, 256, 0, 0), 188904);
	ck_assert_uint_eq(d.st.drains, 1);
	ck_assert_uint_eq(d.st.reads_first, 0);
	ck_assert_uint_eq(ax_ddr_access(&d, 150000, 16384, 256, 0, 0), 188904 + 30008);
	ck_assert_uint_eq(d.st.reads_first, 1);
	/* the same without reads first */
	p.write_high = p.write_low = 0;
	ax_ddr_init(&d, &p);
	ax_ddr_access(&d, 0, 0, 256, 1, 0);
	ax_ddr_access(&d, 0, 65536, 256, 1, 0);
	ax_ddr_access(&d, 0, 131072, 256, 1, 0);
	ck_assert_uint_eq(ax_ddr_access(&d, 80000, 8192, 256, 0, 0), 188904);
	ck_assert_uint_eq(ax_ddr_access(&d, 150000, 16384, 256, 0, 0),
			  232904 + 8440 + 10000 + 30008);
}
END_TEST

/* A 2-D transfer reaches the model as its rows: eight runs of 256 bytes
 * 64 KiB apart are eight rows of bank 0 of channel 0, each a conflict
 * (after the first): a run's 8 bursts take 30008 ps, then tRTP after its
 * last read command, tRP and tRCD: 48008 + 7 x (30008 - 3751 + 7500 +
 * 18000 + 18000).  The same 2 KiB contiguous is one row on each channel. */
START_TEST(test_ddr_2d)
{
	static struct ax_ddr d;
	ax_ddr_init(&d, &ddr_lpddr4x);
	ck_assert_uint_eq(ax_ddr_access_2d(&d, 0, 0, 256, 65536, 0, 2048, 0, 0),
			  48008 + 7 * 69757);
	ck_assert_uint_eq(d.st.conflicts, 7);
	ax_ddr_init(&d, &ddr_lpddr4x);
	ck_assert_uint_eq(ax_ddr_access_2d(&d, 0, 0, 0, 0, 0, 2048, 0, 0), 18000 + 2 * 30008);
	/* a part of a 2-D transfer starts inside a run: bytes [128, 384) are
	 * the second half of run 0 and the first half of run 1 */
	ax_ddr_init(&d, &ddr_lpddr4x);
	ax_ddr_access_2d(&d, 0, 0, 256, 65536, 128, 256, 0, 0);
	ck_assert_uint_eq(d.st.bursts, 8);
	ck_assert_uint_eq(d.st.misses + d.st.conflicts, 2);
}
END_TEST

/* Refresh never hangs: with tRFC longer than tREFI (a description the
 * validation rejects) the model still returns, one refresh per tREFI due. */
START_TEST(test_ddr_refresh_bounded)
{
	struct ax_ddr_params p = ddr_lpddr4x;
	p.t_rfc_ps = 5000000;
	static struct ax_ddr d;
	ax_ddr_init(&d, &p);
	uint64_t e = ax_ddr_access(&d, 1000000000000ull, 0, 32, 0, 0);
	ck_assert_uint_eq(d.st.refreshes, 1000000000000ull / 3904000);
	ck_assert_uint_ge(e, 1000000000000ull);
	/* an idle channel counts the refreshes it slept through at once */
	ax_ddr_init(&d, &ddr_lpddr4x);
	e = ax_ddr_access(&d, 1000000000000ull, 0, 32, 0, 0);
	ck_assert_uint_eq(d.st.refreshes, 1000000000000ull / 3904000);
	ck_assert_uint_eq(e, 1000000000000ull + 18000 + 3751);
}
END_TEST

/* docs/memory.md "L2, NoC and L1": a core's first access to L2 pays the NoC
 * hop and then L2's own latency, one after the other.  One small L2 -> L1
 * transfer behind one descriptor fetch from L2: both accesses pay
 * noc.latency + l2.latency = 10 + 10 cycles of 1250 ps. */
START_TEST(test_link_and_memory_latencies_add)
{
	static const char *const lat[] = { "noc.latency=10cycles", "l2.latency=10cycles", NULL };
	uint64_t t[2];
	for (int k = 0; k < 2; k++) {
		struct ax_arch_desc d;
		load_arch(&d, k ? lat : NULL);
		struct ax_tasklist tl;
		tl_setup(&tl, 1, AX_MEM_L2);
		add_dma(&tl, 0, AX_MEM_L2, AX_MEM_L1, 64, AX_KIND_ACT);
		t[k] = simulate(&tl, &d.arch).latency_ps;
		ax_tasklist_release(&tl);
		ax_arch_desc_release(&d);
	}
	ck_assert_uint_eq(t[1] - t[0], 2 * (10 + 10) * 1250ull);
}
END_TEST

/* One MVM of 3136 passes (a 1x1 conv 512->512 on 56x56): 8 cycles each. */
START_TEST(test_mvm_timing)
{
	struct ax_arch_desc d;
	load_arch(&d, NULL);
	struct ax_tasklist tl;
	tl_setup(&tl, 1, AX_MEM_L2);
	add(&tl, AX_T_MVM, 0, 56 * 56 * 8, NULL, 0);
	struct outcome o = simulate(&tl, &d.arch);
	ck_assert_uint_eq(o.cycle_ps, 1250);
	ck_assert_uint_eq(o.latency_ps, fetch_ps(1) + 25088ull * 1250);
	ck_assert_uint_eq(o.busy_ps[AX_E_IMC_MVM], 25088ull * 1250);

	/* mvm_limitation 50%: twice as long */
	tl.mvm_limit_permille = 500;
	struct outcome h = simulate(&tl, &d.arch);
	ck_assert_uint_eq(h.latency_ps, fetch_ps(1) + 2 * 25088ull * 1250);
	ax_tasklist_release(&tl);
	ax_arch_desc_release(&d);
}
END_TEST

/* Dependent tasks run one after another; independent ones on different
 * units overlap. */
START_TEST(test_dependencies)
{
	struct ax_arch_desc d;
	load_arch(&d, NULL);
	struct ax_tasklist tl;
	tl_setup(&tl, 1, AX_MEM_L2);
	uint32_t a = add(&tl, AX_T_MVM, 0, 1000, NULL, 0);
	add(&tl, AX_T_DPU, 0, 500, &a, 1);
	struct outcome seq = simulate(&tl, &d.arch);
	ck_assert_uint_eq(seq.latency_ps, fetch_ps(2) + 1500ull * 1250);
	ax_tasklist_release(&tl);

	tl_setup(&tl, 1, AX_MEM_L2);
	add(&tl, AX_T_MVM, 0, 1000, NULL, 0);
	add(&tl, AX_T_DPU, 0, 500, NULL, 0);
	struct outcome par = simulate(&tl, &d.arch);
	ck_assert_uint_eq(par.latency_ps, fetch_ps(2) + 1000ull * 1250);
	ax_tasklist_release(&tl);
	ax_arch_desc_release(&d);
}
END_TEST

/* A long DDR -> L2 stream reaches the DDR peak; its bytes are counted on
 * both sides under their kind. */
START_TEST(test_dma_stream)
{
	struct ax_arch_desc d;
	load_arch(&d, NULL);
	struct ax_tasklist tl;
	tl_setup(&tl, 1, AX_MEM_L2);
	const uint64_t mib = 1048576;
	add_dma(&tl, 0, AX_MEM_DDR, AX_MEM_L2, 4 * mib, AX_KIND_WEIGHTS);
	struct outcome o = simulate(&tl, &d.arch);
	/* 256 chunks of 16 KiB, each 4 KiB = 128 bursts of 32 bytes per DDR
	 * channel; a BL16 burst at 4266 MT/s takes ceil(16e12 / 4266e6) =
	 * 3751 ps, so a chunk keeps every channel busy 480,128 ps; with chunks in
	 * flight the channels never idle.  The L2 port (320 ns a chunk) is faster. */
	uint64_t chunk = 128ull * 3751;
	ck_assert_uint_eq(o.latency_ps, fetch_ps(1) + 256 * chunk);
	ck_assert_uint_eq(o.mem[AX_MEM_DDR].read[AX_KIND_WEIGHTS], 4 * mib);
	ck_assert_uint_eq(o.mem[AX_MEM_L2].write[AX_KIND_WEIGHTS], 4 * mib);
	ck_assert_uint_eq(o.mem[AX_MEM_L2].read[AX_KIND_TASKLIST], 64);
	double gbps = 4.0 * mib / ((double)(o.latency_ps - fetch_ps(1)) * 1e-12) / 1e9;
	ck_assert_double_ge(gbps, 0.99 * 34.128);

	/* with the real LPDDR4x timings (activations, refresh, latencies) a long
	 * sequential stream still reaches at least 85% of the peak */
	struct ax_arch_desc real;
	struct ax_err err;
	ax_err_init(&err);
	ck_assert_int_eq(ax_arch_load(&real, NULL, &err), AX_OK);
	ax_tasklist_release(&tl);
	tl_setup(&tl, 1, AX_MEM_L2);
	add_dma(&tl, 0, AX_MEM_DDR, AX_MEM_L2, 32 * mib, AX_KIND_WEIGHTS);
	struct outcome r = simulate(&tl, &real.arch);
	double eff = 32.0 * mib / ((double)r.latency_ps * 1e-12) / 34.128e9;
	ck_assert_msg(eff >= 0.85 && eff <= 1.0, "sequential DDR efficiency %.3f", eff);
	ax_arch_desc_release(&real);
	ax_err_release(&err);
	ax_tasklist_release(&tl);
	ax_arch_desc_release(&d);
}
END_TEST

/* Two cores streaming from DDR at once each get about half of it. */
START_TEST(test_ddr_contention)
{
	struct ax_arch_desc d;
	load_arch(&d, NULL);
	struct ax_tasklist one, two;
	const uint64_t mib = 1048576;
	tl_setup(&one, 1, AX_MEM_L2);
	add_dma(&one, 0, AX_MEM_DDR, AX_MEM_L1, 4 * mib, AX_KIND_ACT);
	tl_setup(&two, 2, AX_MEM_L2);
	add_dma(&two, 0, AX_MEM_DDR, AX_MEM_L1, 4 * mib, AX_KIND_ACT);
	add_dma(&two, 1, AX_MEM_DDR, AX_MEM_L1, 4 * mib, AX_KIND_ACT);
	struct outcome a = simulate(&one, &d.arch), b = simulate(&two, &d.arch);
	double ratio = (double)b.latency_ps / (double)a.latency_ps;
	ck_assert_double_ge(ratio, 1.95);
	ck_assert_double_le(ratio, 2.05);
	ck_assert_uint_eq(b.mem[AX_MEM_L1].write[AX_KIND_ACT], 8 * mib);
	ax_tasklist_release(&one);
	ax_tasklist_release(&two);
	ax_arch_desc_release(&d);
}
END_TEST

/* An L1 -> L2 copy through one core's NoC link is limited by the link:
 * 128 B/cycle at 800 MHz = 102.4 GB/s (L2's ports are 64 B/cycle each, but
 * chunks in flight use several).  Four cores at once are limited by the
 * NoC's aggregate, 256 B/cycle = 204.8 GB/s: each gets half its link. */
START_TEST(test_noc_link_bound)
{
	struct ax_arch_desc d;
	load_arch(&d, NULL);
	struct ax_tasklist tl;
	tl_setup(&tl, 1, AX_MEM_L2);
	add_dma(&tl, 0, AX_MEM_L1, AX_MEM_L2, 1048576, AX_KIND_ACT);
	struct outcome o = simulate(&tl, &d.arch);
	/* descriptor fetch from L2: 64 B through one 51.2 GB/s port */
	uint64_t fetch = ax_xfer_ps(64, 51200000000ull);
	ck_assert_uint_eq(o.latency_ps, fetch + 64 * ax_xfer_ps(16384, 102400000000ull));
	ax_tasklist_release(&tl);

	struct ax_tasklist four;
	tl_setup(&four, 4, AX_MEM_L2);
	for (uint32_t k = 0; k < 4; k++)
		add_dma(&four, k, AX_MEM_L1, AX_MEM_L2, 1048576, AX_KIND_ACT);
	struct outcome f = simulate(&four, &d.arch);
	double ratio = (double)f.latency_ps / (double)o.latency_ps;
	ck_assert_msg(ratio > 1.9 && ratio < 2.1, "four cores took %.3f times one", ratio);
	ax_tasklist_release(&four);
	ax_arch_desc_release(&d);
}
END_TEST

/* Weight writes into the IMC: bytes / 64 B per cycle. */
START_TEST(test_imc_load)
{
	struct ax_arch_desc d;
	load_arch(&d, NULL);
	struct ax_tasklist tl;
	tl_setup(&tl, 1, AX_MEM_L2);
	struct ax_task t = { 0 };
	t.kind = AX_T_IMC_LOAD;
	t.unit = AX_U_IMC;
	t.bytes = 262144;
	t.l1_read = 262144;
	t.cycles = 262144 / 64;
	ax_tasklist_add(&tl, &t, NULL, 0);
	struct outcome o = simulate(&tl, &d.arch);
	/* 4096 cycles; the L1 read (128 B/cycle port) takes half of that */
	ck_assert_uint_eq(o.latency_ps, fetch_ps(1) + 4096ull * 1250);
	ck_assert_uint_eq(o.mem[AX_MEM_L1].read[AX_KIND_WEIGHTS], 262144);
	ax_tasklist_release(&tl);
	ax_arch_desc_release(&d);
}
END_TEST

/* The controller's dispatch cost: 20 cycles per descriptor, serial. */
START_TEST(test_dispatch_cost)
{
	static const char *const sets[] = { "controller.dispatch=20", NULL };
	struct ax_arch_desc d;
	load_arch(&d, sets);
	struct ax_tasklist tl;
	tl_setup(&tl, 1, AX_MEM_L2);
	for (int i = 0; i < 10; i++)
		add(&tl, AX_T_DPU, 0, 0, NULL, 0);
	struct outcome o = simulate(&tl, &d.arch);
	ck_assert_uint_eq(o.latency_ps, fetch_ps(10) + 10 * 20ull * 1250);
	ax_tasklist_release(&tl);
	ax_arch_desc_release(&d);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("platform");
	TCase *t = tcase_create("timing");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, test_xfer_arithmetic);
	tcase_add_test(t, test_compute_task_time);
	tcase_add_test(t, test_dma_window);
	tcase_add_test(t, test_link_transfer);
	tcase_add_test(t, test_ddr_model);
	tcase_add_test(t, test_ddr_precharge_limits);
	tcase_add_test(t, test_ddr_bank_order);
	tcase_add_test(t, test_ddr_reads_first);
	tcase_add_test(t, test_ddr_write_drain);
	tcase_add_test(t, test_ddr_2d);
	tcase_add_test(t, test_ddr_refresh_bounded);
	tcase_add_test(t, test_link_and_memory_latencies_add);
	tcase_add_test(t, test_mvm_timing);
	tcase_add_test(t, test_dependencies);
	tcase_add_test(t, test_dma_stream);
	tcase_add_test(t, test_ddr_contention);
	tcase_add_test(t, test_noc_link_bound);
	tcase_add_test(t, test_imc_load);
	tcase_add_test(t, test_dispatch_cost);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	return ax_check_run(suite());
}
