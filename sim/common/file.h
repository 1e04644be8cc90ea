/* file.h - reading a whole input file, with the checks every reader needs. */
#ifndef AX_FILE_H
#define AX_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/*
 * Reads the file path (`-`: standard input) into a fresh heap buffer (*out,
 * *len bytes, a NUL after them): a regular file in one read of its size, or
 * a pipe or device read to its end.  More than max bytes is refused
 * with "expected <what>", which also bounds an endless device such as
 * /dev/zero.  Returns AX_OK, AX_EIO (cannot open or read, a directory) or
 * AX_EINPUT (too large), with one message in err.
 */
int ax_slurp(const char *path, uint64_t max, const char *what, unsigned char **out, size_t *len,
	     struct ax_err *err);

/* An input's bytes: a private mapping of a regular file (pages never read
 * cost nothing), or a heap buffer (ax_slurp) for anything else. */
struct ax_input {
	unsigned char *buf;
	size_t len;
	size_t map_len;   /* non-zero: buf is mapped */
};

/* Opens path as ax_slurp does (same limits, messages and return codes) into
 * in; release with ax_input_release. */
int ax_input_read(struct ax_input *in, const char *path, uint64_t max, const char *what,
		  struct ax_err *err);
void ax_input_release(struct ax_input *in);

#endif
