/*
 * ddr_reference.c - replays the reference request streams of docs/memory.md
 * "Reference streams" through the DDR model (sim/platform/memtiming.c) with
 * the default hardware description, and compares bandwidth, read latency and
 * row-hit rate with the figures of a cycle-accurate DRAM simulator (DRAMSys
 * v5.1) on the same configuration and streams.
 *
 *   ddr-reference [--json FILE] [--set KEY=VALUE]... [--only STREAM]
 *
 * Flow control as in the reference runs: requests are issued in stream order,
 * each as soon as fewer than N reads (for a read) or fewer than N writes (for
 * a write) are pending, N = 16 and 64, with no rate limit.  Latency is
 * completion minus issue; bandwidth is bytes over the time of the last
 * completion.  Also prints the model's cost per request (wall time).
 *
 * Exit status: 0 every stream within 10% of the reference in bandwidth and
 * average latency (read latency; write latency for the write-only streams),
 * 1 a stream is further off, 2 bad usage or a bad hardware description.
 */
#define _POSIX_C_SOURCE 200809L
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/arch.h"
#include "platform/memtiming.h"
#include "report/report.h"

#define KIB 1024ull
#define MIB (1024ull * 1024)
#define GIB (1024ull * 1024 * 1024)
#define TOLERANCE 0.10

enum stream_kind {
	S_SEQ,          /* sequential from 0 */
	S_RAND,         /* uniform random, aligned, over 1 GiB */
	S_RW4K,         /* 4 KiB reads from 0, 4 KiB writes to 512 MiB, alternating */
	S_STRIDE2D,     /* rows of 2 KiB, 64 KiB apart */
	S_SLICE,        /* runs of 64 bytes, 256 bytes apart */
	S_FOUR_SEQ,     /* four buffers 64 MiB apart, round robin per request */
	S_FOUR_CHUNK,   /* the same, round robin per 16 KiB chunk */
};

struct stream {
	const char *name;
	enum stream_kind kind;
	uint32_t req_bytes;
	int write;              /* S_SEQ only */
	uint64_t count;         /* requests */
};

static const struct stream streams[] = {
	{ "seq_rd_64", S_SEQ, 64, 0, 32 * MIB / 64 },
	{ "seq_rd_256", S_SEQ, 256, 0, 32 * MIB / 256 },
	{ "seq_wr_64", S_SEQ, 64, 1, 32 * MIB / 64 },
	{ "seq_wr_256", S_SEQ, 256, 1, 32 * MIB / 256 },
	{ "rand_rd_64", S_RAND, 64, 0, 100000 },
	{ "rw4k_256", S_RW4K, 256, 0, 2 * 16 * MIB / 256 },
	{ "stride2d_256", S_STRIDE2D, 256, 0, 512 * 2 * KIB / 256 },
	{ "slice_64of256", S_SLICE, 64, 0, 16384 },
	{ "four_seq_256", S_FOUR_SEQ, 256, 0, 4 * 8 * MIB / 256 },
	{ "four_chunk_256", S_FOUR_CHUNK, 256, 0, 4 * 8 * MIB / 256 },
};
#define N_STREAMS (sizeof(streams) / sizeof(streams[0]))

/*
 * DRAMSys v5.1, FR-FCFS, on the default LPDDR4x (4 x 16-bit channels, 8
 * banks, 2 KiB pages, 4264 MT/s, 40 ns controller latency in front of every
 * request).  For the write-only streams avg is the average write latency and
 * p99 is not given (0).
 */
struct reference {
	const char *name;
	int inflight;
	double bw_gbps, avg_ns, p99_ns, hit_rate;
};

static const struct reference refs[] = {
	{ "seq_rd_64", 16, 12.59, 81.4, 400.5, 0.983 },
	{ "seq_rd_256", 16, 30.67, 133.9, 453.1, 0.983 },
	{ "seq_wr_64", 16, 14.20, 72.3, 0, 0.982 },
	{ "seq_wr_256", 16, 31.08, 131.9, 0, 0.983 },
	{ "rand_rd_64", 16, 8.14, 125.8, 457.3, 0.497 },
	{ "rw4k_256", 16, 23.08, 225.7, 601.3, 0.968 },
	{ "stride2d_256", 16, 18.29, 224.0, 549.7, 0.936 },
	{ "slice_64of256", 16, 11.38, 90.1, 392.6, 0.935 },
	{ "four_seq_256", 16, 16.61, 246.6, 653.8, 0.914 },
	{ "four_chunk_256", 16, 30.45, 134.8, 453.5, 0.983 },
	{ "seq_rd_64", 64, 31.26, 131.2, 451.6, 0.983 },
	{ "seq_rd_256", 64, 31.27, 524.2, 814.7, 0.982 },
	{ "seq_wr_64", 64, 31.06, 132.1, 0, 0.983 },
	{ "seq_wr_256", 64, 31.08, 527.2, 0, 0.982 },
	{ "rand_rd_64", 64, 19.58, 208.9, 647.7, 0.497 },
	{ "rw4k_256", 64, 30.22, 612.0, 1209.1, 0.982 },
	{ "stride2d_256", 64, 18.29, 890.2, 1170.2, 0.936 },
	{ "slice_64of256", 64, 31.31, 130.9, 461.0, 0.936 },
	{ "four_seq_256", 64, 27.84, 588.3, 1327.3, 0.974 },
	{ "four_chunk_256", 64, 31.17, 525.8, 820.3, 0.982 },
};
#define N_REFS (sizeof(refs) / sizeof(refs[0]))

/* splitmix64: a fixed, portable sequence for the random stream */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Request i of stream s: its address and direction. */
static uint64_t stream_addr(const struct stream *s, uint64_t i, uint64_t *rng, int *write)
{
	uint64_t b = s->req_bytes;
	*write = s->write;
	switch (s->kind) {
	case S_SEQ:
		return i * b;
	case S_RAND:
		return rng_next(rng) % (GIB / b) * b;
	case S_RW4K: {
		uint64_t per = 4 * KIB / b, blk = i / per, k = i % per;
		*write = (int)(blk % 2);
		return (*write ? 512 * MIB : 0) + blk / 2 * 4 * KIB + k * b;
	}
	case S_STRIDE2D: {
		uint64_t per = 2 * KIB / b;
		return i / per * 64 * KIB + i % per * b;
	}
	case S_SLICE:
		return i * 256;
	case S_FOUR_SEQ:
		return i % 4 * 64 * MIB + i / 4 * b;
	case S_FOUR_CHUNK: {
		uint64_t per = 16 * KIB / b, chunk = i / per;
		return chunk % 4 * 64 * MIB + (chunk / 4 * per + i % per) * b;
	}
	}
	return 0;
}

/* A min-heap of completion times. */
struct heap {
	uint64_t *v;
	size_t n;
};

static void heap_push(struct heap *h, uint64_t x)
{
	size_t i = h->n++;
	while (i && h->v[(i - 1) / 2] > x) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = x;
}

static uint64_t heap_pop(struct heap *h)
{
	uint64_t top = h->v[0], x = h->v[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1] < h->v[c])
			c++;
		if (h->v[c] >= x)
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = x;
	return top;
}

struct figures {
	double bw_gbps, avg_rd_ns, p99_rd_ns, avg_wr_ns, hit_rate;
	uint64_t requests;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static void replay(const struct ax_ddr_params *p, const struct stream *s, int inflight,
		   struct figures *f)
{
	static struct ax_ddr d;
	ax_ddr_init(&d, p);
	struct heap pend[2] = { { calloc((size_t)inflight + 1, sizeof(uint64_t)), 0 },
				{ calloc((size_t)inflight + 1, sizeof(uint64_t)), 0 } };
	uint64_t *rd_lat = calloc(s->count, sizeof(uint64_t));
	if (!pend[0].v || !pend[1].v || !rd_lat) {
		fprintf(stderr, "ddr-reference: out of memory\n");
		exit(2);
	}
	uint64_t rng = 1, t = 0, last = 0, n_rd = 0, n_wr = 0, sum_wr = 0, bytes = 0;
	for (uint64_t i = 0; i < s->count; i++) {
		int w;
		uint64_t a = stream_addr(s, i, &rng, &w);
		struct heap *h = &pend[w];
		/* wait until fewer than N reads and fewer than N writes are
		 * pending: the later of the two moments */
		for (int k = 0; k < 2; k++) {
			while (pend[k].n && pend[k].v[0] <= t)
				heap_pop(&pend[k]);
			if (pend[k].n >= (size_t)inflight) {
				uint64_t free_at = heap_pop(&pend[k]);
				if (free_at > t)
					t = free_at;
			}
		}
		for (int k = 0; k < 2; k++)
			while (pend[k].n && pend[k].v[0] <= t)
				heap_pop(&pend[k]);
		uint64_t end = ax_ddr_access(&d, t, a, s->req_bytes, w, 1);
		heap_push(h, end);
		if (w) {
			sum_wr += end - t;
			n_wr++;
		} else {
			rd_lat[n_rd++] = end - t;
		}
		if (end > last)
			last = end;
		bytes += s->req_bytes;
	}
	memset(f, 0, sizeof(*f));
	f->requests = s->count;
	f->bw_gbps = (double)bytes / (double)last * 1e3;
	if (n_rd) {
		double sum = 0;
		for (uint64_t i = 0; i < n_rd; i++)
			sum += (double)rd_lat[i];
		f->avg_rd_ns = sum / (double)n_rd / 1e3;
		qsort(rd_lat, n_rd, sizeof(uint64_t), cmp_u64);
		uint64_t k = (n_rd * 99 + 99) / 100;
		f->p99_rd_ns = (double)rd_lat[k - 1] / 1e3;
	}
	if (n_wr)
		f->avg_wr_ns = (double)sum_wr / (double)n_wr / 1e3;
	uint64_t acts = d.st.misses + d.st.conflicts;
	f->hit_rate = d.st.bursts ? 1.0 - (double)acts / (double)d.st.bursts : 0;
	free(pend[0].v);
	free(pend[1].v);
	free(rd_lat);
}

static const struct stream *stream_find(const char *name)
{
	for (size_t i = 0; i < N_STREAMS; i++)
		if (!strcmp(streams[i].name, name))
			return &streams[i];
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int usage(void)
{
	fprintf(stderr, "usage: ddr-reference [--json FILE] [--set KEY=VALUE]... [--only STREAM]\n");
	return 2;
}

int main(int argc, char **argv)
{
	const char *json_path = NULL, *only = NULL;
	struct ax_arch_desc desc;
	struct ax_err err;
	ax_err_init(&err);
	if (ax_arch_load(&desc, NULL, &err))
		goto bad_arch;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc) {
			json_path = argv[++i];
		} else if (!strcmp(argv[i], "--only") && i + 1 < argc) {
			only = argv[++i];
			if (!stream_find(only)) {
				fprintf(stderr, "ddr-reference: unknown stream '%s'\n", only);
				return 2;
			}
		} else if (!strcmp(argv[i], "--set") && i + 1 < argc) {
			if (ax_arch_set(&desc, argv[++i], &err))
				goto bad_arch;
		} else {
			return usage();
		}
	}
	if (ax_arch_validate(&desc, &err))
		goto bad_arch;
	struct ax_ddr_params p;
	ax_ddr_params_from_arch(&p, &desc.arch);

	json_t *list = json_array();
	int off = 0;
	uint64_t total_requests = 0;
	double wall = 0;
	printf("%-15s %3s | %6s %6s %5s | %7s %7s %5s | %7s %7s | %5s %5s\n", "stream", "N",
	       "GB/s", "ref", "ratio", "avg ns", "ref", "ratio", "p99 ns", "ref", "hit", "ref");
	for (size_t r = 0; r < N_REFS; r++) {
		const struct reference *ref = &refs[r];
		if (only && strcmp(only, ref->name))
			continue;
		const struct stream *s = stream_find(ref->name);
		if (!s)
			AX_BUG("no stream '%s'", ref->name);
		struct figures f;
		double t0 = now_s();
		replay(&p, s, ref->inflight, &f);
		wall += now_s() - t0;
		total_requests += f.requests;
		int write_only = !f.avg_rd_ns;
		double avg = write_only ? f.avg_wr_ns : f.avg_rd_ns;
		double bw_ratio = f.bw_gbps / ref->bw_gbps, lat_ratio = avg / ref->avg_ns;
		int bad = fabs(bw_ratio - 1) > TOLERANCE || fabs(lat_ratio - 1) > TOLERANCE;
		off += bad;
		char p99[16] = "-", p99ref[16] = "-";
		if (!write_only) {
			snprintf(p99, sizeof(p99), "%.1f", f.p99_rd_ns);
			snprintf(p99ref, sizeof(p99ref), "%.1f", ref->p99_ns);
		}
		printf("%-15s %3d | %6.2f %6.2f %5.2f | %7.1f%c %6.1f %5.2f | %7s %7s | %5.3f %5.3f%s\n",
		       ref->name, ref->inflight, f.bw_gbps, ref->bw_gbps, bw_ratio, avg,
		       write_only ? 'w' : ' ', ref->avg_ns, lat_ratio, p99, p99ref, f.hit_rate,
		       ref->hit_rate, bad ? "  OFF" : "");
		json_t *o = json_pack("{s:s, s:i, s:f, s:o, s:o, s:f}", "name", ref->name, "inflight",
				      ref->inflight, "bandwidth_gbps", f.bw_gbps, "avg_read_latency_ns",
				      write_only ? json_null() : json_real(f.avg_rd_ns),
				      "p99_read_latency_ns",
				      write_only ? json_null() : json_real(f.p99_rd_ns), "row_hit_rate",
				      f.hit_rate);
		if (f.avg_wr_ns)
			json_object_set_new(o, "avg_write_latency_ns", json_real(f.avg_wr_ns));
		json_array_append_new(list, o);
	}
	printf("(w: write latency, compared for the write-only streams)\n");
	printf("model cost: %.0f ns per request (%" PRIu64 " requests in %.3f s)\n",
	       wall * 1e9 / (double)total_requests, total_requests, wall);
	if (json_path) {
		json_t *doc = json_pack("{s:o}", "streams", list);
		int rc = ax_write_json(doc, json_path, &err);
		json_decref(doc);
		if (rc) {
			fprintf(stderr, "%s", err.buf ? err.buf : "ddr-reference: cannot write the JSON\n");
			return 2;
		}
	} else {
		json_decref(list);
	}
	if (off)
		printf("ddr-reference: %d of the streams are more than %.0f%% off the reference\n", off,
		       TOLERANCE * 100);
	else
		printf("ddr-reference: every stream within %.0f%% of the reference\n", TOLERANCE * 100);
	ax_arch_desc_release(&desc);
	ax_err_release(&err);
	return off ? 1 : 0;

bad_arch:
	fprintf(stderr, "%s", err.buf ? err.buf : "ddr-reference: bad hardware description\n");
	return 2;
}
