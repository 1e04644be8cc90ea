/*
 * output.h - writing an output file without ever destroying anything else
 * (docs/style: "outputs").
 *
 * A regular file (or a name that does not exist yet) is written to a
 * temporary file beside its real target, symlinks followed, and renamed over
 * it when complete, keeping an existing file's mode: a crash never leaves
 * half a report where a good one was, and a link stays a link.  Anything that
 * is not a regular file (a device, a FIFO, `-` for standard output) is written
 * in place, never replaced.  Temporary files are removed when the process
 * gets SIGINT or SIGTERM (ax_out_cleanup_on_signals).
 *
 * ax_out_check says, before any work starts, whether a set of outputs can be
 * written: the directory exists and is writable, no output is an input
 * (compared by device and inode when it exists) or another output.
 */
#ifndef AX_OUTPUT_H
#define AX_OUTPUT_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"

/* An output being written; the caller owns the struct. */
struct ax_out {
	char *path;     /* as given (messages) */
	char *target;   /* where it lands: path with symlinks followed; NULL for `-` */
	char *tmp;      /* the temporary file written (registered for signals) */
	int fd;         /* open on tmp, or -1 */
	int in_place;   /* the target is not a regular file: tmp is copied into it */
};

/*
 * Starts an output: creates the temporary file, whose name ends in suffix
 * (e.g. ".vcd" for a writer that appends it; "" otherwise), beside the target
 * (in $TMPDIR for a device, a FIFO or `-`), and opens it on o->fd.  Returns
 * AX_OK, or AX_EIO with a message naming path.  Finish with ax_out_commit or
 * ax_out_abandon.
 */
int ax_out_begin(struct ax_out *o, const char *path, const char *suffix, struct ax_err *err);
/*
 * Completes an output: closes o->fd when open, then renames the temporary
 * file over a regular target (with the existing file's mode, or 0666 less
 * the umask for a new one), or copies it into a device, a FIFO or standard
 * output and removes it.  Returns AX_OK or AX_EIO with a message; the
 * temporary file is gone either way and o is released.
 */
int ax_out_commit(struct ax_out *o, struct ax_err *err);
/* Removes the temporary file and releases o (nothing is written). */
void ax_out_abandon(struct ax_out *o);

/* Writes len bytes of data to path as an output (begin, write, commit). */
int ax_out_write(const char *path, const void *data, size_t len, struct ax_err *err);

/* One output of a command: the option that names it and its path (NULL: not given). */
struct ax_out_spec {
	const char *option;
	const char *path;
};

/*
 * Checks outputs before any work: each names a file that can be written
 * (not a directory; its directory exists and is writable), none is one of
 * the inputs (paths read; NULL entries skipped; `-` is standard input) and
 * no two are the same file (character devices such as /dev/null excepted).
 * Appends one message per problem; returns AX_OK or AX_EINPUT.
 */
int ax_out_check(const struct ax_out_spec *outs, size_t n_outs, const char *const *inputs,
		 size_t n_inputs, struct ax_err *err);

/* Installs handlers that remove the temporary files of outputs in progress
 * on SIGINT and SIGTERM, then end the process by that signal. */
void ax_out_cleanup_on_signals(void);

#endif
