/*
 * anchor.c - reduces a sentence to its anchors, the tokens a translation
 * keeps: numbers in normal form, acronyms, Latin-script tokens, abstract
 * section labels and glossary terms, keyed by a hash both languages share.
 * Numbers come from normalize.c, glossary matches from lexicon.c.
 */
#include "alignqa.h"
#include "lexicon.h"
#include "util_int.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* Normal forms longer than this are cut (both sides cut alike). */
#define KEY_MAX 128

typedef struct keybuf {
	char b[KEY_MAX]; /* kind byte, then the normal form */
	size_t n;
} keybuf;

void aq_anchors_init(aq_anchors *a)
{
	memset(a, 0, sizeof(*a));
}

void aq_anchors_dispose(aq_anchors *a)
{
	free(a->v);
	memset(a, 0, sizeof(*a));
}

static int anchors_push(aq_anchors *out, const keybuf *k, uint32_t off, uint32_t end,
	bool weak)
{
	aq_anchor *a;

	if (aq_array_grow((void **)&out->v, &out->cap, out->n + 1, sizeof(*out->v)))
		return AQ_ENOMEM;
	a = &out->v[out->n++];
	a->key = aq_hash64(k->b, k->n, 0);
	a->off = off;
	a->end = end;
	a->kind = (uint8_t)k->b[0];
	a->weak = weak ? 1 : 0;
	return 0;
}

static void key_start(keybuf *k, aq_anchor_kind kind)
{
	k->b[0] = (char)kind;
	k->n = 1;
}

static void key_put(keybuf *k, const char *s, size_t n)
{
	if (n > KEY_MAX - k->n)
		n = KEY_MAX - k->n;
	memcpy(k->b + k->n, s, n);
	k->n += n;
}

static inline void key_put_cp(keybuf *k, int32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		if (k->n < KEY_MAX)
			k->b[k->n++] = (char)cp;
		return;
	}
	n = aq_utf8_encode(u, cp);
	if (n <= KEY_MAX - k->n) {
		memcpy(k->b + k->n, u, n);
		k->n += n;
	}
}

/* ---- characters ---------------------------------------------------- */

static int32_t next_cp(const char *s, uint32_t end, uint32_t *p)
{
	size_t at = *p;
	int32_t cp;

	if (*p >= end)
		return -1;
	if ((unsigned char)s[*p] < 0x80) {
		cp = (unsigned char)s[*p];
		(*p)++;
		return cp;
	}
	cp = aq_utf8_next_inline(s, end, &at);
	*p = (uint32_t)at;
	return cp;
}

static int32_t peek_cp(const char *s, uint32_t end, uint32_t p)
{
	return next_cp(s, end, &p);
}

/* Full-width ASCII to ASCII, the micro sign to μ, hyphen variants to '-'. */
static int32_t fold_cp(int32_t cp)
{
	if (cp >= 0xFF01 && cp <= 0xFF5E)
		return cp - 0xFEE0;
	if (cp == 0xB5)
		return 0x3BC;
	if (cp == 0x2010 || cp == 0x2011)
		return '-';
	return cp;
}

static bool is_greek(int32_t cp)
{
	return cp >= 0x391 && cp <= 0x3C9 && cp != 0x3A2;
}

static bool is_digit(int32_t cp)
{
	return cp >= '0' && cp <= '9';
}

static bool is_upper(int32_t cp)
{
	return (cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
	       (cp >= 0x391 && cp <= 0x3A9);
}

static bool is_lower(int32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 0xDF && cp <= 0xFF && cp != 0xF7) ||
	       (cp >= 0x3B1 && cp <= 0x3C9);
}

/* Characters of a Latin token (after fold_cp). */
static inline bool tok_char(int32_t cp)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || is_digit(cp);
	return aq_cp_is_latin_letter(cp) || is_greek(cp) || cp == 0x3BC;
}

static bool is_hspace(int32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200A) ||
	       cp == 0x202F || cp == 0x3000;
}

static int32_t lower_cp(int32_t cp)
{
	if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
	    (cp >= 0x391 && cp <= 0x3A9))
		return cp + 32;
	return cp;
}

/* Units kept verbatim in Chinese text; a '/' joins a token only after one
 * (mg/kg, mmol/L).  They become weak Latin anchors. */
static const char *const units[] = {
	"mg", "g", "kg", "ug", "\xce\xbcg", "ng", "pg", "ml", "mL", "L", "dL", "dl", "uL",
	"\xce\xbcL", "mmol", "umol", "\xce\xbcmol", "nmol", "pmol", "mol", "IU", "U", "mU",
	"Gy", "cGy", "Hz", "kDa", "bp", "kb", "mmHg", "cm", "mm", "nm", "um", "\xce\xbcm",
	"min", "h", "d", "s", "m", "m2", "kcal",
};

/* Is s[p..e) (after folding µ to μ) a unit? */
static bool is_unit(const char *s, uint32_t p, uint32_t e)
{
	char buf[16];
	size_t n = 0;

	if (e - p > 6 || p >= e)
		return false;
	/* cheap rejection: a unit starts with one of these bytes, or is
	 * full-width (0xEF), or starts with µ (0xC2) or μ (0xCE) */
	if (!strchr("mgkunpLdIUGcHbhs\xef\xc2\xce", s[p]) || s[p] == '\0')
		return false;
	while (p < e) {
		int32_t cp = fold_cp(next_cp(s, e, &p));
		if (cp < 0 || n + 4 > sizeof(buf))
			return false;
		if (cp == 0x3BC) {
			buf[n++] = (char)0xCE;
			buf[n++] = (char)0xBC;
		} else if (cp < 0x80) {
			buf[n++] = (char)cp;
		} else {
			return false;
		}
	}
	if (n == 0)
		return false;
	for (size_t k = 0; k < sizeof(units) / sizeof(units[0]); k++)
		if (units[k][0] == buf[0] && strlen(units[k]) == n && memcmp(units[k], buf, n) == 0)
			return true;
	return false;
}

/* ---- section labels ------------------------------------------------ */

typedef struct seclabel {
	const char *label; /* English lower case (one space between words), or Chinese */
	const char *key;
} seclabel;

static const seclabel sections[] = {
	{ "background and aims", "sec:background" },
	{ "background and objectives", "sec:background" },
	{ "background and objective", "sec:background" },
	{ "background and purpose", "sec:background" },
	{ "backgrounds", "sec:background" },
	{ "background", "sec:background" },
	{ "introduction", "sec:background" },
	{ "context", "sec:background" },
	{ "objectives", "sec:objective" },
	{ "objective", "sec:objective" },
	{ "aims", "sec:objective" },
	{ "aim", "sec:objective" },
	{ "purposes", "sec:objective" },
	{ "purpose", "sec:objective" },
	{ "goals", "sec:objective" },
	{ "goal", "sec:objective" },
	{ "materials and methods", "sec:methods" },
	{ "material and methods", "sec:methods" },
	{ "patients and methods", "sec:methods" },
	{ "subjects and methods", "sec:methods" },
	{ "methods", "sec:methods" },
	{ "method", "sec:methods" },
	{ "methodology", "sec:methods" },
	{ "results", "sec:results" },
	{ "result", "sec:results" },
	{ "findings", "sec:results" },
	{ "conclusions and relevance", "sec:conclusion" },
	{ "conclusions", "sec:conclusion" },
	{ "conclusion", "sec:conclusion" },
	{ "interpretation", "sec:conclusion" },
	{ "研究背景", "sec:background" },
	{ "背景", "sec:background" },
	{ "研究目的", "sec:objective" },
	{ "目的", "sec:objective" },
	{ "目标", "sec:objective" },
	{ "目標", "sec:objective" },
	{ "材料与方法", "sec:methods" },
	{ "材料與方法", "sec:methods" },
	{ "资料与方法", "sec:methods" },
	{ "資料與方法", "sec:methods" },
	{ "对象与方法", "sec:methods" },
	{ "對象與方法", "sec:methods" },
	{ "对象和方法", "sec:methods" },
	{ "研究方法", "sec:methods" },
	{ "方法", "sec:methods" },
	{ "研究结果", "sec:results" },
	{ "结果", "sec:results" },
	{ "結果", "sec:results" },
	{ "研究结论", "sec:conclusion" },
	{ "结论", "sec:conclusion" },
	{ "結論", "sec:conclusion" },
};

/* Does label match s at p?  ASCII case is ignored and a space in label
 * matches any run of white space.  Returns the end of the match or 0. */
static uint32_t label_at(const char *s, uint32_t p, uint32_t end, const char *label)
{
	for (; *label; label++) {
		if (*label == ' ') {
			uint32_t q = p;
			while (is_hspace(peek_cp(s, end, q)))
				next_cp(s, end, &q);
			if (q == p)
				return 0;
			p = q;
			continue;
		}
		if (p >= end)
			return 0;
		{
			char c = s[p];
			if (c >= 'A' && c <= 'Z')
				c = (char)(c + 32);
			if (c != *label)
				return 0;
		}
		p++;
	}
	return p;
}

/* A structured-abstract label at the sentence start ("METHODS:", "方法：",
 * "【目的】").  Pushes its anchor and sets *after past it. */
static int find_section(aq_anchors *out, const char *s, uint32_t off, uint32_t end,
	uint32_t *after)
{
	uint32_t p = off, q, e;
	int32_t open = peek_cp(s, end, p), close = 0;
	keybuf k;

	*after = off;
	switch (open) {
	case '[': close = ']'; break;
	case 0x3010: close = 0x3011; break; /* 【】 */
	case 0x3014: close = 0x3015; break; /* 〔〕 */
	default: break;
	}
	if (close)
		next_cp(s, end, &p);
	/* cheap rejection: labels start with one of these */
	if (p >= end || s[p] == '\0' || !strchr("abcfgimoprABCFGIMOPR\xe5\xe6\xe7\xe8", s[p]))
		return 0;
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		int32_t cp;

		if ((e = label_at(s, p, end, sections[i].label)) == 0)
			continue;
		if (aq_cp_is_latin_letter(peek_cp(s, end, e)))
			continue;
		q = e;
		while (is_hspace(peek_cp(s, end, q)))
			next_cp(s, end, &q);
		cp = next_cp(s, end, &q);
		if (close ? cp != close : cp != ':' && cp != 0xFF1A)
			continue;
		key_start(&k, AQ_ANCHOR_SECTION);
		key_put(&k, sections[i].key, strlen(sections[i].key));
		*after = q;
		return anchors_push(out, &k, off, q, false);
	}
	return 0;
}

/* ---- Latin tokens -------------------------------------------------- */

/* Classifies the token s[ts..te) and pushes its anchor, if any.  span_end
 * may reach past te over a possessive "'s". */
static int emit_token(aq_anchors *out, const char *s, uint32_t ts, uint32_t te,
	uint32_t span_end)
{
	uint32_t p = ts, ke = te, last_start = ts;
	int n_upper = 0, n_lower = 0, n_digit = 0, n_greek = 0, n_cp = 0;
	int part_upper = 0, part_lower = 0, part_len = 0;
	bool part_first_upper = false, internal_cap = false, upper_part = false;
	bool has_conn = false, has_plus = false, has_slash = false, seen_lower = false;
	bool letters_only, strong, weak;
	int32_t cp, last = 0, before_last = 0;
	keybuf k;

	for (;;) {
		uint32_t at = p;

		cp = p < te ? fold_cp(next_cp(s, te, &p)) : -1;
		if (cp == '-' || cp == '.' || cp == '/' || cp == '+' || cp < 0) {
			/* A part in capitals or a lone capital (SARS-CoV,
			 * E-cadherin) marks an identifier; a capitalised word
			 * (Anti-inflammatory) does not. */
			if (part_upper > 0 && (part_lower == 0 || !part_first_upper || part_upper > 1))
				upper_part = true;
			part_upper = part_lower = part_len = 0;
			part_first_upper = false;
			if (cp < 0)
				break;
			has_conn = true;
			has_plus = has_plus || cp == '+';
			has_slash = has_slash || cp == '/';
			continue;
		}
		last_start = at;
		n_cp++;
		part_len++;
		if (is_digit(cp)) {
			n_digit++;
		} else if (is_upper(cp)) {
			n_upper++;
			part_upper++;
			part_first_upper = part_first_upper || part_len == 1;
			internal_cap = internal_cap || seen_lower;
		} else if (is_lower(cp)) {
			n_lower++;
			part_lower++;
			seen_lower = true;
		}
		if (is_greek(cp) || cp == 0x3BC)
			n_greek++;
		before_last = last;
		last = cp;
	}
	if (n_digit == n_cp)
		return 0;  /* a number: normalize.c's */
	letters_only = n_digit == 0 && n_greek == 0 && !has_conn;
	/* the plural s after a capital goes: MSCs, HDACs, mRNAs */
	if (last == 's' && n_cp >= 3 && is_upper(before_last))
		ke = last_start;
	if (letters_only && n_upper >= 2 && n_lower == (ke < te ? 1 : 0)) {
		key_start(&k, AQ_ANCHOR_ACRONYM);
		for (p = ts; p < ke;)
			key_put_cp(&k, fold_cp(next_cp(s, ke, &p)));
		return anchors_push(out, &k, ts, span_end, false);
	}
	if (letters_only) {
		strong = internal_cap;
		weak = !strong && (n_cp >= 4 || is_unit(s, ts, te));
	} else {
		strong = !has_slash && (n_digit > 0 || n_greek > 0 || internal_cap || upper_part ||
			 has_plus);
		weak = !strong && (n_cp >= 4 || has_slash);
	}
	if (!strong && !weak)
		return 0;
	if (!strong)
		ke = te;
	key_start(&k, AQ_ANCHOR_LATIN);
	for (p = ts; p < ke;)
		key_put_cp(&k, lower_cp(fold_cp(next_cp(s, ke, &p))));
	return anchors_push(out, &k, ts, span_end, !strong);
}

/* The length of the all-lower-case ASCII word at p that forms a whole
 * part of a token (ends where the token or the part ends), or 0. */
static uint32_t lower_part_at(const char *s, uint32_t p, uint32_t end)
{
	uint32_t q = p;

	while (q < end && s[q] >= 'a' && s[q] <= 'z')
		q++;
	if (q == p || tok_char(fold_cp(peek_cp(s, end, q))))
		return 0;
	return q - p;
}

/*
 * The token at p: letters and digits joined by '-' (IL-6), '.' between
 * digits (v2.0), '+' (CD4+) and '/' after a unit (mg/kg).  An ordinary word
 * hyphenated to an identifier is a token of its own (MSC-based, anti-TNF,
 * IL-6-mediated), as the translation keeps the identifier only; a lone
 * letter is not split off (E-cadherin, β-catenin).  Returns the token's end
 * and sets *span_end past a possessive "'s" or "s'".
 */
static uint32_t token_end(const char *s, uint32_t p, uint32_t end, uint32_t *span_end)
{
	uint32_t start = p, part = p, q;
	int32_t cp, prev = 0, nx;
	int n_cp = 0, n_upper = 0, n_mark = 0;  /* n_mark: digits, Greek, internal capitals */
	bool seen_lower = false, part_lower = true;

	for (;;) {
		q = p;
		cp = fold_cp(next_cp(s, end, &q));
		if (tok_char(cp)) {
			n_cp++;
			if (is_upper(cp)) {
				n_upper++;
				n_mark += seen_lower;
			} else if (is_lower(cp)) {
				seen_lower = true;
			}
			if (is_digit(cp) || is_greek(cp) || cp == 0x3BC)
				n_mark++;
			part_lower = part_lower && cp >= 'a' && cp <= 'z';
			prev = cp;
			p = q;
			continue;
		}
		nx = fold_cp(peek_cp(s, end, q));
		if (cp == '-' && tok_char(nx)) {
			uint32_t after = lower_part_at(s, q, end);
			if (after >= 3 && n_cp >= 2 && (n_mark > 0 || n_upper >= 2))
				break;  /* MSC|-based */
			if (part == start && part_lower && p - part >= 3 && after == 0 &&
			    (is_upper(nx) || is_digit(nx)))
				break;  /* anti|-TNF */
		}
		if (cp == '/') {
			/* the unit of 5mg/kg starts after the digits */
			while (part < p && (is_digit(s[part]) || s[part] == '.'))
				part++;
		}
		if ((cp == '-' && tok_char(nx)) ||
		    (cp == '.' && is_digit(prev) && is_digit(nx)) ||
		    (cp == '/' && tok_char(nx) && is_unit(s, part, p))) {
			prev = cp;
			p = q;
			part = q;
			part_lower = true;
			continue;
		}
		if (cp == '+') {
			prev = cp;
			p = q;
			if (!tok_char(nx))
				break;
			part = q;
			part_lower = true;
			continue;
		}
		break;
	}
	*span_end = p;
	if ((cp == '\'' || cp == 0x2019) && prev != '+') {
		int32_t c2 = peek_cp(s, end, q);
		uint32_t q2 = q;
		next_cp(s, end, &q2);
		if ((c2 == 's' || c2 == 'S') && !tok_char(fold_cp(peek_cp(s, end, q2))))
			*span_end = q2;  /* MSC's */
		else if (prev == 's' && !tok_char(fold_cp(c2)))
			*span_end = q;   /* MSCs' */
	}
	return p;
}

/* ---- fast paths ---------------------------------------------------- */

static inline bool is_ascii_alnum(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Is the whole three-byte character at p one of U+1000..U+EFFF (CJK,
 * punctuation)?  None of them is a token character or folds to one. */
static inline bool wide_at(const unsigned char *u, uint32_t p, uint32_t end)
{
	unsigned char c = u[p];

	return c >= 0xE1 && c <= 0xEE && end - p >= 3 && (u[p + 1] & 0xC0) == 0x80 &&
	       (u[p + 2] & 0xC0) == 0x80;
}

/* Skips from p what cannot begin a token: ASCII that is no letter or digit
 * and wide_at() characters, without decoding them one by one. */
static uint32_t skip_non_token(const char *s, uint32_t p, uint32_t end)
{
	const unsigned char *u = (const unsigned char *)s;

	while (p < end) {
		unsigned char c = u[p];

		if (c < 0x80) {
			if (is_ascii_alnum(c))
				break;
			p++;
		} else if (wide_at(u, p, end)) {
			p += 3;
		} else {
			break;
		}
	}
	return p;
}

/*
 * The common token, a plain word: an ASCII letter then lower-case ASCII
 * letters, ended by the text's end, by ASCII other than a letter, digit,
 * '-', '/', '+' or an apostrophe, or by a wide_at() character but U+2xxx.
 * token_end() would end it at the same place with no possessive.  Returns
 * its end, or 0 if the word at p is no plain word.
 */
static uint32_t plain_word_end(const char *s, uint32_t p, uint32_t end)
{
	const unsigned char *u = (const unsigned char *)s;
	uint32_t q = p + 1;
	unsigned char c;

	while (q < end && u[q] >= 'a' && u[q] <= 'z')
		q++;
	if (q >= end)
		return q;
	c = u[q];
	if (c < 0x80)
		return is_ascii_alnum(c) || c == '-' || c == '/' || c == '+' || c == '\'' ? 0 : q;
	/* U+2xxx holds the hyphens and the apostrophe token_end() looks at */
	return c != 0xE2 && wide_at(u, q, end) ? q : 0;
}

/* emit_token() for a plain word s[ts..te): no capital after its first
 * letter, so no acronym and no strong anchor; a weak Latin anchor when it
 * has four letters or more or is a unit. */
static int emit_plain_word(aq_anchors *out, const char *s, uint32_t ts, uint32_t te)
{
	keybuf k;

	if (te - ts < 4 && !is_unit(s, ts, te))
		return 0;
	key_start(&k, AQ_ANCHOR_LATIN);
	for (uint32_t p = ts; p < te && k.n < KEY_MAX; p++)
		k.b[k.n++] = (char)lower_cp((unsigned char)s[p]);
	return anchors_push(out, &k, ts, te, true);
}

static int cmp_anchor(const void *a, const void *b)
{
	const aq_anchor *x = a, *y = b;

	if (x->off != y->off)
		return x->off < y->off ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static int push_number(aq_anchors *out, const aq_number *num)
{
	keybuf k;
	char nk[48];

	key_start(&k, AQ_ANCHOR_NUMBER);
	key_put(&k, nk, aq_number_key(nk, sizeof(nk), num));
	return anchors_push(out, &k, num->off, num->end, (num->flags & AQ_NUM_WEAK) != 0);
}

static int push_terms(aq_anchors *out, const aq_termhits *hits)
{
	keybuf k;
	char id[16];
	int rc;

	for (size_t i = 0; i < hits->n; i++) {
		uint32_t c = hits->v[i].concept;
		size_t n = 0;

		do {
			id[n++] = (char)('0' + c % 10);
			c /= 10;
		} while (c);
		key_start(&k, AQ_ANCHOR_TERM);
		key_put(&k, "term:", 5);
		while (n)
			key_put(&k, &id[--n], 1);
		if ((rc = anchors_push(out, &k, hits->v[i].off, hits->v[i].end, false)) != 0)
			return rc;
	}
	return 0;
}

int aq_anchors_find(aq_anchors *out, aq_lang lang, const char *text, uint32_t off,
	uint32_t end, const aq_lexicon *glossary)
{
	return aq_anchors_find_numbers(out, NULL, lang, text, off, end, glossary);
}

int aq_anchors_find_numbers(aq_anchors *out, aq_numbers *numbers, aq_lang lang,
	const char *text, uint32_t off, uint32_t end, const aq_lexicon *glossary)
{
	aq_numbers own, *all = numbers ? numbers : &own;
	aq_number *nv;
	aq_termhits hits;
	size_t first, k = 0, base, n_nums;
	uint32_t p, covered = 0; /* end of the numbers pushed so far */
	int rc;

	assert(out);
	first = out->n;
	aq_numbers_init(&own);
	aq_termhits_init(&hits);
	if (off >= end)
		return 0;
	assert(text);
	if ((rc = find_section(out, text, off, end, &p)) != 0)
		goto out;
	base = all->n;
	if ((rc = aq_numbers_find(all, lang, text, p, end)) != 0)
		goto out;
	/* the sentence's numbers: all->v[base .. base + n_nums) */
	nv = all->v + base;
	n_nums = all->n - base;
	while (p < end) {
		uint32_t q, te, span_end, cut;
		int32_t cp;
		bool plain;

		if ((p = skip_non_token(text, p, end)) >= end)
			break;
		q = p;
		cp = fold_cp(next_cp(text, end, &q));
		if (!tok_char(cp)) {
			p = q;
			continue;
		}
		plain = cp < 0x80 && !is_digit(cp) && (te = plain_word_end(text, p, end)) != 0;
		if (plain)
			span_end = te;
		else
			te = token_end(text, p, end, &span_end);
		/* numbers first, in text order; digits at the token's start
		 * that were read as a number (5mg, 12-week) leave the token */
		for (; k < n_nums && nv[k].off <= p; k++) {
			if (nv[k].end > covered)
				covered = nv[k].end;
			if ((rc = push_number(out, &nv[k])) != 0)
				goto out;
		}
		cut = covered > p ? covered : p;
		while (cut < te) {
			uint32_t c2 = cut;
			int32_t ch = fold_cp(next_cp(text, te, &c2));
			if (ch != '-' && ch != '.' && ch != '/' && ch != '+')
				break;
			cut = c2;
		}
		if (k < n_nums && nv[k].off < te) {
			/* a number inside the token (grade-two): the token
			 * stops before it and goes on after it */
			te = nv[k].off;
			while (te > cut && text[te - 1] && strchr("-./+", text[te - 1]))
				te--;
			span_end = te;
			plain = false;
		}
		if (plain && cut == p)
			rc = emit_plain_word(out, text, p, te);
		else if (cut < te)
			rc = emit_token(out, text, cut, te, span_end);
		if (rc != 0)
			goto out;
		p = span_end > cut ? span_end : cut;
	}
	for (; k < n_nums; k++)
		if ((rc = push_number(out, &nv[k])) != 0)
			goto out;
	if (glossary) {
		if ((rc = aq_lexicon_find_terms(&hits, glossary, lang, text, off, end)) != 0)
			goto out;
		if ((rc = push_terms(out, &hits)) != 0)
			goto out;
		for (size_t i = first + 1; i < out->n; i++) {
			if (cmp_anchor(&out->v[i - 1], &out->v[i]) > 0) {
				qsort(out->v + first, out->n - first, sizeof(out->v[0]), cmp_anchor);
				break;
			}
		}
	}
out:
	aq_numbers_dispose(&own);
	aq_termhits_dispose(&hits);
	return rc;
}
