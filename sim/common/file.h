/* file.h - reading a whole input file, with the checks every reader needs. */
#ifndef AX_FILE_H
#define AX_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/*
 * Reads the file path into a fresh heap buffer (*out, *len bytes): a regular
 * file, or a pipe or device read to its end.  More than max bytes is refused
 * with "expected <what>", which also bounds an endless device such as
 * /dev/zero.  Returns AX_OK, AX_EIO (cannot open or read, a directory) or
 * AX_EINPUT (too large), with one message in err.
 */
int ax_slurp(const char *path, uint64_t max, const char *what, unsigned char **out, size_t *len,
	     struct ax_err *err);

#endif
