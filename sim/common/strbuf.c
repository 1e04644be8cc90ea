#include "strbuf.h"

#include <stdarg.h>
#include <stdio.h>

#include "err.h"

void ax_sbuf_addf(struct ax_sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		AX_BUG("vsnprintf failed");
	AX_GROW(b->s, b->cap, b->len + (size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}
