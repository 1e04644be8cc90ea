#include "units.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct suffix {
	const char *s;
	double mul;
};

static const struct suffix bytes_sfx[] = {
	{ "", 1 }, { "B", 1 }, { "KiB", 1024.0 }, { "MiB", 1048576.0 },
	{ "GiB", 1073741824.0 }, { "TiB", 1099511627776.0 }, { "KB", 1e3 }, { "kB", 1e3 },
	{ "MB", 1e6 }, { "GB", 1e9 }, { "TB", 1e12 }, { NULL, 0 }
};
static const struct suffix bits_sfx[] = { { "", 1 }, { "bit", 1 }, { "bits", 1 }, { NULL, 0 } };
static const struct suffix hz_sfx[] = {
	{ "", 1 }, { "Hz", 1 }, { "kHz", 1e3 }, { "MHz", 1e6 }, { "GHz", 1e9 }, { NULL, 0 }
};
static const struct suffix bps_sfx[] = {
	{ "", 1 }, { "B/s", 1 }, { "KB/s", 1e3 }, { "kB/s", 1e3 }, { "MB/s", 1e6 },
	{ "GB/s", 1e9 }, { "TB/s", 1e12 }, { "KiB/s", 1024.0 }, { "MiB/s", 1048576.0 },
	{ "GiB/s", 1073741824.0 }, { "Gbit/s", 1e9 / 8 }, { "Tbit/s", 1e12 / 8 },
	{ NULL, 0 }
};
static const struct suffix bpc_sfx[] = { { "", 1 }, { "B/cycle", 1 }, { NULL, 0 } };
static const struct suffix cyc_sfx[] = { { "", 1 }, { "cycles", 1 }, { "cycle", 1 }, { NULL, 0 } };
static const struct suffix ps_sfx[] = {
	{ "", 1 }, { "ps", 1 }, { "ns", 1e3 }, { "us", 1e6 }, { "ms", 1e9 }, { NULL, 0 }
};
static const struct suffix tps_sfx[] = {
	{ "", 1 }, { "T/s", 1 }, { "MT/s", 1e6 }, { "GT/s", 1e9 }, { NULL, 0 }
};
static const struct suffix count_sfx[] = { { "", 1 }, { NULL, 0 } };
static const struct suffix fj_sfx[] = {
	{ "", 1 }, { "fJ", 1 }, { "pJ", 1e3 }, { "nJ", 1e6 }, { "uJ", 1e9 }, { NULL, 0 }
};
static const struct suffix uw_sfx[] = { { "", 1 }, { "uW", 1 }, { "mW", 1e3 }, { "W", 1e6 }, { NULL, 0 } };
static const struct suffix mv_sfx[] = { { "", 1 }, { "mV", 1 }, { "V", 1e3 }, { NULL, 0 } };
static const struct suffix pm_sfx[] = { { "", 1000 }, { "%", 10 }, { NULL, 0 } };

static const struct suffix *suffixes(enum ax_unit u)
{
	switch (u) {
	case AX_U_COUNT: return count_sfx;
	case AX_U_BOOL: return count_sfx;
	case AX_U_BYTES: return bytes_sfx;
	case AX_U_BITS: return bits_sfx;
	case AX_U_HZ: return hz_sfx;
	case AX_U_BPS: return bps_sfx;
	case AX_U_BPC: return bpc_sfx;
	case AX_U_CYCLES: return cyc_sfx;
	case AX_U_PS: return ps_sfx;
	case AX_U_TPS: return tps_sfx;
	case AX_U_PERMILLE: return pm_sfx;
	case AX_U_DDR_SCHED: return count_sfx;
	case AX_U_MATMUL_UNIT: return count_sfx;
	case AX_U_FJ: return fj_sfx;
	case AX_U_UW: return uw_sfx;
	case AX_U_MV: return mv_sfx;
	}
	return count_sfx;
}

const char *ax_unit_name(enum ax_unit u)
{
	switch (u) {
	case AX_U_COUNT: return "";
	case AX_U_BOOL: return "boolean";
	case AX_U_BYTES: return "bytes";
	case AX_U_BITS: return "bits";
	case AX_U_HZ: return "Hz";
	case AX_U_BPS: return "bytes/s";
	case AX_U_BPC: return "bytes/cycle";
	case AX_U_CYCLES: return "cycles";
	case AX_U_PS: return "ps";
	case AX_U_TPS: return "transfers/s";
	case AX_U_PERMILLE: return "fraction";
	case AX_U_DDR_SCHED: return "policy";
	case AX_U_MATMUL_UNIT: return "unit";
	case AX_U_FJ: return "fJ";
	case AX_U_UW: return "uW";
	case AX_U_MV: return "mV";
	}
	return "";
}

const char *ax_unit_help(enum ax_unit u)
{
	switch (u) {
	case AX_U_COUNT: return "a whole number";
	case AX_U_BOOL: return "true or false";
	case AX_U_BYTES: return "a size such as 4096, 512KiB, 32MiB or 1GiB";
	case AX_U_BITS: return "a width in bits such as 64 or 64bit";
	case AX_U_HZ: return "a frequency such as 800MHz or 1.2GHz";
	case AX_U_BPS: return "a bandwidth such as 34GB/s, 800MiB/s or 1Tbit/s";
	case AX_U_BPC: return "bytes per cycle such as 64 or 64B/cycle";
	case AX_U_CYCLES: return "a number of cycles such as 30 or 30cycles";
	case AX_U_PS: return "a time such as 1250ps, 100ns or 2us";
	case AX_U_TPS: return "a transfer rate such as 4266MT/s";
	case AX_U_PERMILLE: return "a fraction such as 0.85 or a percentage such as 85%";
	case AX_U_DDR_SCHED: return "fifo or frfcfs";
	case AX_U_MATMUL_UNIT: return "imc or dpu";
	case AX_U_FJ: return "an energy such as 120fJ, 0.75pJ or 3.5nJ";
	case AX_U_UW: return "a power such as 600mW or 8.5W";
	case AX_U_MV: return "a voltage such as 680mV or 0.68V";
	}
	return "";
}

int ax_unit_parse(const char *text, enum ax_unit u, uint64_t *out, const char **why)
{
	if (u == AX_U_BOOL) {
		if (!strcmp(text, "true") || !strcmp(text, "True") || !strcmp(text, "yes") || !strcmp(text, "on")) {
			*out = 1;
			return 0;
		}
		if (!strcmp(text, "false") || !strcmp(text, "False") || !strcmp(text, "no") || !strcmp(text, "off")) {
			*out = 0;
			return 0;
		}
		*why = "is not a boolean";
		return -1;
	}
	if (u == AX_U_DDR_SCHED) {
		if (!strcmp(text, "fifo") || !strcmp(text, "frfcfs")) {
			*out = text[0] == 'f' && text[1] == 'r';
			return 0;
		}
		*why = "is not a scheduling policy";
		return -1;
	}
	if (u == AX_U_MATMUL_UNIT) {
		if (!strcmp(text, "imc") || !strcmp(text, "dpu")) {
			*out = text[0] == 'd';
			return 0;
		}
		*why = "is not a unit";
		return -1;
	}
	const char *p = text;
	while (*p == ' ')
		p++;
	if (!(*p >= '0' && *p <= '9') && *p != '.') {
		*why = "is not a number";
		return -1;
	}
	/* the number exactly, as digits m and a power of ten e (m x 10^e), so
	 * that every suffix is judged alike: a value is a whole number of base
	 * units or it is refused, never rounded (799.9999999MHz as 18.0001ns) */
	__extension__ typedef unsigned __int128 u128;
	u128 m = 0;
	int e = 0, digits = 0, any = 0;
	const char *q = p;
	for (; *q >= '0' && *q <= '9'; q++, any = 1) {
		if (m || *q != '0')
			digits++;
		if (digits > 30) {
			*why = "has too many digits";
			return -1;
		}
		m = m * 10 + (u128)(*q - '0');
	}
	if (*q == '.') {
		for (q++; *q >= '0' && *q <= '9'; q++, any = 1) {
			if (m || *q != '0')
				digits++;
			if (digits > 30) {
				*why = "has too many digits";
				return -1;
			}
			m = m * 10 + (u128)(*q - '0');
			e--;
		}
	}
	if (!any) {
		*why = "is not a number";
		return -1;
	}
	if ((*q == 'e' || *q == 'E') && ((q[1] >= '0' && q[1] <= '9') ||
					 ((q[1] == '-' || q[1] == '+') && q[2] >= '0' && q[2] <= '9'))) {
		char *xe;
		long x = strtol(q + 1, &xe, 10);
		if (x > 40 || x < -40) {
			*why = "is not a number in range";
			return -1;
		}
		e += (int)x;
		q = xe;
	}
	const char *end = q;
	while (*end == ' ')
		end++;
	const struct suffix *s = suffixes(u);
	for (; s->s; s++) {
		if (strcmp(end, s->s))
			continue;
		/* every multiplier is a whole number (Gbit/s is 125000000 B/s) */
		u128 x = m * (u128)s->mul;
		if (m && x / m != (u128)s->mul) {
			*why = "is too large";
			return -1;
		}
		for (; e > 0; e--) {
			if (x > ((u128)1 << 120)) {
				*why = "is too large";
				return -1;
			}
			x *= 10;
		}
		for (; e < 0; e++) {
			if (x % 10) {
				*why = "is not a whole number of base units";
				return -1;
			}
			x /= 10;
		}
		if (x >= (u128)18000000000000000000ull) {
			*why = "is too large";
			return -1;
		}
		*out = (uint64_t)x;
		return 0;
	}
	*why = "has an unknown unit";
	return -1;
}

/* v / scale with up to three decimals, exact (so that the text parses back
 * to v), when scale / 1000 divides v; NULL-suffix callers fall back. */
static int fmt_dec(uint64_t v, uint64_t scale, const char *sfx, char *buf, size_t len)
{
	if (!v || v % (scale / 1000))
		return 0;
	unsigned long long whole = v / scale, milli = v % scale / (scale / 1000);
	if (!milli) snprintf(buf, len, "%llu%s", whole, sfx);
	else if (milli % 100 == 0) snprintf(buf, len, "%llu.%01llu%s", whole, milli / 100, sfx);
	else if (milli % 10 == 0) snprintf(buf, len, "%llu.%02llu%s", whole, milli / 10, sfx);
	else snprintf(buf, len, "%llu.%03llu%s", whole, milli, sfx);
	return 1;
}

void ax_unit_format(uint64_t v, enum ax_unit u, char *buf, size_t len)
{
	switch (u) {
	case AX_U_FJ:
		if (v >= 1000000000ull && fmt_dec(v, 1000000000ull, "uJ", buf, len)) return;
		if (v >= 1000000ull && fmt_dec(v, 1000000ull, "nJ", buf, len)) return;
		if (v >= 1000ull && fmt_dec(v, 1000ull, "pJ", buf, len)) return;
		snprintf(buf, len, "%llufJ", (unsigned long long)v);
		return;
	case AX_U_UW:
		if (v >= 1000000ull && fmt_dec(v, 1000000ull, "W", buf, len)) return;
		if (v >= 1000ull && fmt_dec(v, 1000ull, "mW", buf, len)) return;
		snprintf(buf, len, "%lluuW", (unsigned long long)v);
		return;
	case AX_U_MV:
		if (v >= 1000ull && fmt_dec(v, 1000ull, "V", buf, len)) return;
		snprintf(buf, len, "%llumV", (unsigned long long)v);
		return;
	case AX_U_BOOL:
		snprintf(buf, len, "%s", v ? "true" : "false");
		return;
	case AX_U_DDR_SCHED:
		snprintf(buf, len, "%s", v ? "frfcfs" : "fifo");
		return;
	case AX_U_MATMUL_UNIT:
		snprintf(buf, len, "%s", v ? "dpu" : "imc");
		return;
	case AX_U_BYTES:
		if (v && v % 1073741824ull == 0) snprintf(buf, len, "%lluGiB", (unsigned long long)(v / 1073741824ull));
		else if (v && v % 1048576ull == 0) snprintf(buf, len, "%lluMiB", (unsigned long long)(v / 1048576ull));
		else if (v && v % 1024ull == 0) snprintf(buf, len, "%lluKiB", (unsigned long long)(v / 1024ull));
		else snprintf(buf, len, "%lluB", (unsigned long long)v);
		return;
	case AX_U_BITS:
		snprintf(buf, len, "%llubit", (unsigned long long)v);
		return;
	case AX_U_HZ:
		if (v % 1000000ull == 0) snprintf(buf, len, "%lluMHz", (unsigned long long)(v / 1000000ull));
		else snprintf(buf, len, "%lluHz", (unsigned long long)v);
		return;
	case AX_U_BPS:
		/* exact: whole GB/s plus up to three decimals (MB/s), so that the
		 * text parses back to v (%g would round to 6 digits) */
		if (v % 1000000ull == 0) {
			unsigned long long gb = v / 1000000000ull, mb = v / 1000000ull % 1000ull;
			if (!mb) snprintf(buf, len, "%lluGB/s", gb);
			else if (mb % 100 == 0) snprintf(buf, len, "%llu.%01lluGB/s", gb, mb / 100);
			else if (mb % 10 == 0) snprintf(buf, len, "%llu.%02lluGB/s", gb, mb / 10);
			else snprintf(buf, len, "%llu.%03lluGB/s", gb, mb);
		} else {
			snprintf(buf, len, "%lluB/s", (unsigned long long)v);
		}
		return;
	case AX_U_BPC:
		snprintf(buf, len, "%lluB/cycle", (unsigned long long)v);
		return;
	case AX_U_CYCLES:
		snprintf(buf, len, "%llucycles", (unsigned long long)v);
		return;
	case AX_U_PS:
		if (v && v % 1000000ull == 0) snprintf(buf, len, "%lluus", (unsigned long long)(v / 1000000ull));
		else if (v && v % 1000ull == 0) snprintf(buf, len, "%lluns", (unsigned long long)(v / 1000ull));
		else snprintf(buf, len, "%llups", (unsigned long long)v);
		return;
	case AX_U_TPS:
		if (v % 1000000ull == 0) snprintf(buf, len, "%lluMT/s", (unsigned long long)(v / 1000000ull));
		else snprintf(buf, len, "%lluT/s", (unsigned long long)v);
		return;
	case AX_U_PERMILLE:
		/* exact, like BPS: 85%, 85.5% */
		if (v % 10) snprintf(buf, len, "%llu.%llu%%", (unsigned long long)(v / 10), (unsigned long long)(v % 10));
		else snprintf(buf, len, "%llu%%", (unsigned long long)(v / 10));
		return;
	case AX_U_COUNT:
		break;
	}
	snprintf(buf, len, "%llu", (unsigned long long)v);
}
