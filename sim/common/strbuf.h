/* strbuf.h - a string that grows as text is appended. */
#ifndef AX_STRBUF_H
#define AX_STRBUF_H

#include <stddef.h>

/* Zero it to start; s is NUL-terminated once anything was added; the owner frees s. */
struct ax_sbuf {
	char *s;
	size_t len, cap;
};

/* Appends printf-formatted text. */
void ax_sbuf_addf(struct ax_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
