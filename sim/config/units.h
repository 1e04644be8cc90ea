/*
 * units.h - quantities with units, as written in hardware descriptions and on
 * the command line (32MiB, 800MHz, 34GB/s, 100ns, 64B/cycle).  Every quantity
 * is stored as an unsigned 64-bit integer in its base unit.
 */
#ifndef AX_UNITS_H
#define AX_UNITS_H

#include <stdint.h>
#include <stddef.h>

enum ax_unit {
	AX_U_COUNT,   /* plain integer */
	AX_U_BOOL,    /* true/false, stored 1/0 */
	AX_U_BYTES,   /* bytes: B, KiB, MiB, GiB, KB, MB, GB */
	AX_U_BITS,    /* bits: bit */
	AX_U_HZ,      /* hertz: Hz, kHz, MHz, GHz */
	AX_U_BPS,     /* bytes per second: B/s, KB/s, MB/s, GB/s, KiB/s, MiB/s, GiB/s, Gbit/s, Tbit/s */
	AX_U_BPC,     /* bytes per core clock cycle: B/cycle */
	AX_U_CYCLES,  /* core clock cycles: cycles */
	AX_U_PS,      /* time in picoseconds: ps, ns, us, ms */
	AX_U_TPS,     /* transfers per second: MT/s, GT/s */
	AX_U_PERMILLE, /* fraction in thousandths: %, or a plain number 0..1 */
	AX_U_DDR_SCHED, /* DDR scheduling policy: fifo (0) or frfcfs (1) */
	AX_U_MATMUL_UNIT, /* unit of products of two activations: imc (0) or dpu (1) */
	AX_U_FJ,      /* energy in femtojoules: fJ, pJ, nJ, uJ */
	AX_U_UW,      /* power in microwatts: uW, mW, W */
	AX_U_MV       /* voltage in millivolts: mV, V */
};

/* Name of the base unit, as shown in docs and messages ("bytes", "Hz", ...). */
const char *ax_unit_name(enum ax_unit u);
/* The suffixes accepted for u, for "expected ..." messages. */
const char *ax_unit_help(enum ax_unit u);

/*
 * Parse text as a quantity of unit u.  A plain number is taken in the base
 * unit, except AX_U_PERMILLE where a plain number is a fraction (0.85) and
 * "85%" a percentage.  Returns 0 on success; otherwise -1 with *why set to a
 * static phrase ("has an unknown unit", "is not a number", "is too large").
 */
int ax_unit_parse(const char *text, enum ax_unit u, uint64_t *out, const char **why);

/* Format v of unit u readably (32MiB, 800MHz, 34.1GB/s) into buf. */
void ax_unit_format(uint64_t v, enum ax_unit u, char *buf, size_t len);

#endif
