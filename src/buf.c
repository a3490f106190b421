/*
 * buf.c - growable byte buffers, the sink every writer writes to, the
 * JSON string escaper, and the growable arrays of the other modules.  Writing whole documents is the writers' job.
 */
#include "alignqa.h"
#include "util_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void aq_buf_init(aq_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void aq_buf_dispose(aq_buf *b)
{
	free(b->ptr);
	memset(b, 0, sizeof(*b));
}

void aq_buf_clear(aq_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

static int buf_grow(aq_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return AQ_ENOMEM;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->ptr, cap);
	if (!p)
		goto fail;
	b->ptr = p;
	b->cap = cap;
	return 0;
fail:
	b->oom = true;
	return AQ_ENOMEM;
}

int aq_buf_put(aq_buf *b, const char *s, size_t len)
{
	if (buf_grow(b, len))
		return AQ_ENOMEM;
	if (len)
		memcpy(b->ptr + b->len, s, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int aq_buf_puts(aq_buf *b, const char *s)
{
	return aq_buf_put(b, s, strlen(s));
}

int aq_buf_putc(aq_buf *b, char c)
{
	return aq_buf_put(b, &c, 1);
}

int aq_buf_printf(aq_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_grow(b, (size_t)n))
		return AQ_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

int aq_buf_json_str(aq_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, run;

	if (buf_grow(b, len + 2))
		return AQ_ENOMEM;
	aq_buf_putc(b, '"');
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t at = i;
		int32_t cp;

		/* Copy runs of plain ASCII in one go: the common case. */
		for (run = i; run < len; run++) {
			c = (unsigned char)s[run];
			if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
				break;
		}
		if (run > i) {
			aq_buf_put(b, s + i, run - i);
			i = run;
			continue;
		}
		if (c >= 0x80) {
			cp = aq_utf8_next(s, len, &i);
			if (cp < 0)
				aq_buf_puts(b, "\xEF\xBF\xBD");
			else
				aq_buf_put(b, s + at, i - at);
			continue;
		}
		i++;
		switch (c) {
		case '"': aq_buf_puts(b, "\\\""); break;
		case '\\': aq_buf_puts(b, "\\\\"); break;
		case '\n': aq_buf_puts(b, "\\n"); break;
		case '\r': aq_buf_puts(b, "\\r"); break;
		case '\t': aq_buf_puts(b, "\\t"); break;
		default: {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			aq_buf_put(b, esc, 6);
		}
		}
	}
	aq_buf_putc(b, '"');
	return b->oom ? AQ_ENOMEM : 0;
}

int aq_array_grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t c = *cap ? *cap : 16;
	void *q;

	if (need <= *cap)
		return 0;
	while (c < need) {
		if (c > SIZE_MAX / 2)
			return AQ_ENOMEM;
		c *= 2;
	}
	if (c > SIZE_MAX / elem)
		return AQ_ENOMEM;
	q = realloc(*p, c * elem);
	if (!q)
		return AQ_ENOMEM;
	*p = q;
	*cap = c;
	return 0;
}
