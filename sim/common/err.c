#include "err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

void ax_err_init(struct ax_err *e)
{
	memset(e, 0, sizeof(*e));
}

void ax_err_release(struct ax_err *e)
{
	free(e->buf);
	memset(e, 0, sizeof(*e));
}

int ax_err_addv(struct ax_err *e, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		AX_BUG("bad format string '%s'", fmt);
	AX_GROW(e->buf, e->cap, e->len + (size_t)n + 2);
	vsnprintf(e->buf + e->len, (size_t)n + 1, fmt, ap);
	e->len += (size_t)n;
	e->buf[e->len++] = '\n';
	e->buf[e->len] = '\0';
	e->count++;
	return AX_EINPUT;
}

int ax_err_add(struct ax_err *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	ax_err_addv(e, fmt, ap);
	va_end(ap);
	return AX_EINPUT;
}

void ax_err_append(struct ax_err *dst, const struct ax_err *src)
{
	if (!src->len)
		return;
	AX_GROW(dst->buf, dst->cap, dst->len + src->len + 1);
	memcpy(dst->buf + dst->len, src->buf, src->len + 1);
	dst->len += src->len;
	dst->count += src->count;
}

const char *ax_err_str(const struct ax_err *e)
{
	return e->buf ? e->buf : "";
}

_Noreturn void ax_bug_at(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "BUG: %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void *ax_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		AX_BUG("out of memory allocating %zu x %zu bytes", n, size);
	return p;
}

void *ax_xrealloc(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		AX_BUG("allocation size overflow: %zu x %zu", n, size);
	size_t bytes = n * size;
	void *q = realloc(p, bytes ? bytes : 1);
	if (!q)
		AX_BUG("out of memory reallocating %zu x %zu bytes", n, size);
	return q;
}

char *ax_xstrdup(const char *s)
{
	return ax_xstrndup(s, strlen(s));
}

char *ax_xstrndup(const char *s, size_t n)
{
	char *p = ax_xcalloc(n + 1, 1);
	memcpy(p, s, n);
	return p;
}

char *ax_xvasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		AX_BUG("bad format string '%s'", fmt);
	char *p = ax_xcalloc((size_t)n + 1, 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *ax_xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = ax_xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}

void ax_grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return;
	size_t c = *cap ? *cap : 8;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			AX_BUG("array size overflow");
		c *= 2;
	}
	*arr = ax_xrealloc(*arr, c, elem);
	memset((char *)*arr + *cap * elem, 0, (c - *cap) * elem);
	*cap = c;
}
