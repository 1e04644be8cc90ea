/*
 * err.h - status codes, error lists and fatal helpers shared by every stage.
 *
 * Library functions that can fail return an enum ax_status and append one or
 * more human-readable messages to a caller-owned struct ax_err.  Messages name
 * where (file:line:column, or ELF section and offset), what, and what was
 * expected.  Library code never exits; only sim/cli does.
 */
#ifndef AX_ERR_H
#define AX_ERR_H

#include <stddef.h>
#include <stdarg.h>

enum ax_status {
	AX_OK = 0,
	AX_EINPUT = 1, /* bad input from the user: exit status 2 */
	AX_EIO = 2,    /* file could not be read or written: exit status 2 */
	AX_ESIM = 3,   /* the simulation itself failed (sim/run): exit status 1 */
};

/* A list of messages, one per line in buf.  Initialise with ax_err_init or
 * zero it; release with ax_err_release. */
struct ax_err {
	char *buf;
	size_t len, cap;
	int count;
};

void ax_err_init(struct ax_err *e);
void ax_err_release(struct ax_err *e);
/* Append one message (no trailing newline needed).  Returns AX_EINPUT so that
 * callers can write `return ax_err_add(err, ...)`. */
int ax_err_add(struct ax_err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int ax_err_addv(struct ax_err *e, const char *fmt, va_list ap);
/* Appends every message of src to dst. */
void ax_err_append(struct ax_err *dst, const struct ax_err *src);
/* The messages, newline separated; "" when none. */
const char *ax_err_str(const struct ax_err *e);

/* Abort with file:line: for conditions that can only be our own mistake. */
#define AX_BUG(...) ax_bug_at(__FILE__, __LINE__, __VA_ARGS__)
#define AX_ASSERT(c) \
	do { if (!(c)) ax_bug_at(__FILE__, __LINE__, "assertion failed: %s", #c); } while (0)
#ifdef __cplusplus
[[noreturn]]
#else
_Noreturn
#endif
void ax_bug_at(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Allocation that aborts on exhaustion (like git's xmalloc). */
void *ax_xcalloc(size_t n, size_t size);
void *ax_xrealloc(void *p, size_t n, size_t size);
char *ax_xstrdup(const char *s);
char *ax_xstrndup(const char *s, size_t n);
/* printf into a fresh heap string. */
char *ax_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *ax_xvasprintf(const char *fmt, va_list ap);

/* Grow *arr (of *cap elements of size elem) so that it holds at least need. */
void ax_grow(void **arr, size_t *cap, size_t need, size_t elem);
/* The capacity test is inline: pushes that fit cost no call (scripts/bench). */
#define AX_GROW(arr, cap, need)                                                  \
	do {                                                                     \
		if ((size_t)(need) > (cap))                                      \
			ax_grow((void **)&(arr), &(cap), (need), sizeof(*(arr))); \
	} while (0)

#endif
