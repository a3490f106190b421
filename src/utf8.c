/*
 * utf8.c - UTF-8 decoding and validation, code point classes and the hash
 * used for keys.  Pure C with no ICU: these run on every byte of every
 * record, so they stay small and branch-light.  Normalisation is elsewhere.
 */
#include "alignqa.h"
#include "util_int.h"

int32_t aq_utf8_next(const char *str, size_t len, size_t *off)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = *off;
	unsigned char c = s[i];
	int32_t cp;

	if (c < 0x80) {
		*off = i + 1;
		return c;
	}
	/* Each length decoded straight, three bytes (CJK, most punctuation)
	 * first: this runs for nearly every character of Chinese text. */
	if (c >= 0xE0 && c <= 0xEF) {
		if (len - i <= 2 || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80)
			goto bad;
		cp = (int32_t)(c & 0x0F) << 12 | (int32_t)(s[i + 1] & 0x3F) << 6 |
		     (int32_t)(s[i + 2] & 0x3F);
		if (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))
			goto bad;
		*off = i + 3;
		return cp;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		if (len - i <= 1 || (s[i + 1] & 0xC0) != 0x80)
			goto bad;
		*off = i + 2;
		return (int32_t)(c & 0x1F) << 6 | (int32_t)(s[i + 1] & 0x3F);
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if (len - i <= 3 || (s[i + 1] & 0xC0) != 0x80 || (s[i + 2] & 0xC0) != 0x80 ||
		    (s[i + 3] & 0xC0) != 0x80)
			goto bad;
		cp = (int32_t)(c & 0x07) << 18 | (int32_t)(s[i + 1] & 0x3F) << 12 |
		     (int32_t)(s[i + 2] & 0x3F) << 6 | (int32_t)(s[i + 3] & 0x3F);
		if (cp < 0x10000 || cp > 0x10FFFF)
			goto bad;
		*off = i + 4;
		return cp;
	}
bad:
	*off = i + 1;
	return -1;
}

int32_t aq_utf8_prev(const char *str, size_t *end)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t e = *end, start = e, k;
	int32_t cp;

	if (e == 0)
		return -1;
	start = e - 1;
	for (k = 0; k < 3 && start > 0 && (s[start] & 0xC0) == 0x80; k++)
		start--;
	{
		size_t at = start;
		cp = aq_utf8_next(str, e, &at);
		if (cp < 0 || at != e) {
			*end = e - 1;
			return -1;
		}
	}
	*end = start;
	return cp;
}

size_t aq_utf8_check(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t at = i;
		if ((unsigned char)s[i] < 0x80) {
			i++;
			continue;
		}
		if (aq_utf8_next_inline(s, len, &i) < 0)
			return at;
	}
	return len;
}

size_t aq_utf8_count_cp(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

bool aq_cp_is_han(int32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0x20000 && cp <= 0x2EBEF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0x30000 && cp <= 0x3134F) || cp == 0x3007;
}

bool aq_cp_is_space(int32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' ||
	       cp == '\v' || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) ||
	       cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
	       cp == 0x3000 || cp == 0xFEFF;
}

bool aq_cp_is_latin_letter(int32_t cp)
{
	return (cp >= 'A' && cp <= 'Z') || (cp >= 'a' && cp <= 'z') ||
	       (cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7);
}

uint64_t aq_hash64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL ^ seed;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	/* Final avalanche (from splitmix64) so low bits are usable as buckets. */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

size_t aq_utf8_encode(char u[4], int32_t cp)
{
	if (cp < 0x80) {
		u[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		u[0] = (char)(0xC0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		u[0] = (char)(0xE0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		u[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	u[0] = (char)(0xF0 | (cp >> 18));
	u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	u[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}
