/*
 * elf.h - the compiled network: a struct ax_net written to and read from an
 * ELF64 little-endian relocatable file for EM_RISCV, laid out as described in
 * docs/elf-format.md (sections .ax.meta, .ax.graph, .ax.tensors, .ax.weights,
 * .ax.strtab, and one symbol per layer in .symtab).
 */
#ifndef AX_ELF_H
#define AX_ELF_H

#include "net.h"

/* Format identification, stored in .ax.meta (docs/elf-format.md). */
#define AX_ELF_MAGIC "AXSIMNET"        /* 8 bytes, no NUL */
#define AX_ELF_VERSION 2
/* Version 1 (before dyn_matmul, const, embed, gelu, pixel-axis concat and
 * slice): read as version 2 without those op and activation numbers. */
#define AX_ELF_VERSION_OLDEST 1
#define AX_ELF_META_SIZE 64
#define AX_ELF_LAYER_SIZE 160          /* one .ax.graph record */
#define AX_ELF_TENSOR_SIZE 32          /* one .ax.tensors record */
#define AX_ELF_MAX_SECTIONS 256        /* section headers a reader accepts */
#define AX_ELF_MAX_FILE_BYTES ((uint64_t)1 << 30)

/*
 * Writes net, which must have passed ax_net_infer, to path.  The weight
 * placement written is the one ax_net_layout_weights computes (net is not
 * changed).  path is an output (common/output.h): a regular file is
 * written under a temporary name beside it and renamed over it only when
 * complete; a device, a FIFO or `-` gets the bytes in place.  Returns AX_OK;
 * AX_EINPUT with messages when net cannot be represented (an invalid layer
 * name, shapes that were not inferred, ...); AX_EIO when the file cannot be
 * written.
 */
int ax_elf_write(const struct ax_net *net, const char *path, struct ax_err *err);

/*
 * Reads a network written by ax_elf_write, checking every byte that matters
 * and re-inferring shapes.  net is initialised by the call (previous
 * contents are not freed).  Returns AX_OK; AX_EINPUT with messages
 * "path: section '.ax.graph' offset 0x1a0: layer 3: ..." for a malformed
 * file; AX_EIO when it cannot be read.  On failure net is left empty;
 * ax_net_release is safe in every case.
 */
int ax_elf_read(struct ax_net *net, const char *path, struct ax_err *err);
/* The same for a file already read into buf (path names it in messages). */
int ax_elf_read_buf(struct ax_net *net, const char *path, unsigned char *buf, size_t len,
		    struct ax_err *err);
/* The same without the weight section's contents (net->weight_data stays
 * NULL; the sizes are read): what simulating needs, so that a large weight
 * section costs nothing (the buffer may be a mapping never touched there). */
int ax_elf_read_buf_sizes(struct ax_net *net, const char *path, unsigned char *buf, size_t len,
			  struct ax_err *err);

#endif
