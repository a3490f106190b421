/*
 * util_int.h - small helpers shared by the library's modules.  Not
 * installed; the public part of buf.c is in alignqa.h.
 */
#ifndef AQ_UTIL_INT_H
#define AQ_UTIL_INT_H

#include <stddef.h>
#include <stdint.h>

#include "alignqa.h"

/* Makes room for need elements of elem bytes in the array *p of *cap
 * elements, doubling the capacity (from 16); *p and *cap change only on
 * success.  Returns 0 or AQ_ENOMEM (also when the size would overflow). */
int aq_array_grow(void **p, size_t *cap, size_t need, size_t elem);

/* Writes the UTF-8 form of code point cp (0 .. 0x10FFFF) into u; returns
 * its length, 1 to 4. */
size_t aq_utf8_encode(char u[4], int32_t cp);

/* aq_utf8_next() with its two common cases inline: ASCII and a valid
 * three-byte sequence (CJK, most punctuation).  Same result, same *off. */
static inline int32_t aq_utf8_next_inline(const char *str, size_t len, size_t *off)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = *off;
	unsigned char c = s[i];

	if (c < 0x80) {
		*off = i + 1;
		return c;
	}
	/* E1-EC and EE-EF: every valid sequence is a code point outside the
	 * overlong and surrogate ranges, so only the continuations need testing */
	if (c >= 0xE1 && c <= 0xEF && c != 0xED && len - i > 2 &&
	    (s[i + 1] & 0xC0) == 0x80 && (s[i + 2] & 0xC0) == 0x80) {
		*off = i + 3;
		return (int32_t)(c & 0x0F) << 12 | (int32_t)(s[i + 1] & 0x3F) << 6 |
		       (int32_t)(s[i + 2] & 0x3F);
	}
	return aq_utf8_next(str, len, off);
}

#endif
