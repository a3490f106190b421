/*
 * util_int.h - small helpers shared by the library's modules.  Not
 * installed; the public part of buf.c is in alignqa.h.
 */
#ifndef AQ_UTIL_INT_H
#define AQ_UTIL_INT_H

#include <stddef.h>

/* Makes room for need elements of elem bytes in the array *p of *cap
 * elements, doubling the capacity (from 16); *p and *cap change only on
 * success.  Returns 0 or AQ_ENOMEM (also when the size would overflow). */
int aq_array_grow(void **p, size_t *cap, size_t need, size_t elem);

/* Writes the UTF-8 form of code point cp (0 .. 0x10FFFF) into u; returns
 * its length, 1 to 4. */
size_t aq_utf8_encode(char u[4], int32_t cp);

#endif
