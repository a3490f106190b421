/*
 * segment.c - sentence spans: ICU's sentence boundaries, then the project's
 * fix-ups (abbreviations, initials, brackets, structured-abstract labels,
 * Chinese ellipses and half-width stops); also span arrays and the loader
 * of rules/abbreviations.txt.  Normalising text is left to normalize.c.
 */
#include "alignqa.h"
#include "util_int.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/ubrk.h>
#include <unicode/utext.h>
#include <unicode/uversion.h>

/* A bracket opened more than this many bytes before a boundary no longer
 * holds it back: a stray "(" must not swallow the rest of an abstract. */
#define SEG_BRACKET_MAX 400
#define SEG_BRACKET_DEPTH 16
/* Longest abbreviation, opener or label in bytes; also bounds the look-back
 * and look-ahead around a boundary. */
#define SEG_WORD_MAX 63
/* Look-around for white space and punctuation next to a boundary. */
#define SEG_GAP_MAX 64

/* ------------------------------------------------------------------ */
/* Span arrays                                                          */

void aq_spans_init(aq_spans *s)
{
	memset(s, 0, sizeof(*s));
}

void aq_spans_dispose(aq_spans *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}

int aq_spans_push(aq_spans *s, uint32_t off, uint32_t end)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		aq_span *v;

		if (cap > SIZE_MAX / sizeof(aq_span))
			return AQ_ENOMEM;
		v = realloc(s->v, cap * sizeof(aq_span));
		if (!v)
			return AQ_ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n].off = off;
	s->v[s->n].end = end;
	s->n++;
	return 0;
}

/* ------------------------------------------------------------------ */
/* The rules file: abbreviations, sentence openers, section labels      */

enum abbr_class {
	ABBR_NEVER = 0,  /* never ends a sentence (Fig., e.g., vs.) */
	ABBR_CAP = 1,    /* ends one before a capitalised word (etc., et al.) */
	ABBR_OPENER = 2, /* ends one only before a listed opener (U.S.) */
};

typedef struct seg_entry {
	uint32_t off;     /* key in the pool: an abbreviation's last word, an
	                   * opener or a label */
	uint32_t len;     /* key bytes */
	uint32_t pre_off; /* abbreviations: the words before the key, with
	                   * their trailing space ("et "), in the pool */
	uint32_t pre_len; /* 0 for one-word abbreviations */
	uint32_t line;    /* line in the rules file, for messages */
	int32_t next;     /* next entry with the same key (labels: the same
	                   * last byte), or -1 */
	uint8_t cls;      /* enum abbr_class (abbreviations only) */
} seg_entry;

/* A list of entries with an optional hash index on the key. */
typedef struct seg_list {
	seg_entry *v;
	size_t n, cap;
	int32_t *slots;  /* open addressing: entry index + 1, 0 = empty */
	size_t n_slots;  /* a power of two, or 0 without an index */
} seg_list;

/* Immutable once loaded; shared by a segmenter and its clones. */
typedef struct seg_rules {
	atomic_uint refs;    /* segmenters using these rules */
	char *pool;          /* every string of the file, not NUL-separated */
	size_t pool_len, pool_cap;
	seg_list abbrs;      /* keyed by the last word, "al." for "et al." */
	seg_list openers;    /* words that may begin a sentence */
	seg_list labels;     /* structured-abstract labels */
	int32_t label_by_last[256]; /* first label ending in this (upper-cased)
	                             * byte + 1, chained through next; 0 = none */
} seg_rules;

static void rules_free(seg_rules *r)
{
	if (!r)
		return;
	free(r->pool);
	free(r->abbrs.v);
	free(r->abbrs.slots);
	free(r->openers.v);
	free(r->openers.slots);
	free(r->labels.v);
	free(r);
}

static void rules_release(seg_rules *r)
{
	if (r && atomic_fetch_sub(&r->refs, 1) == 1)
		rules_free(r);
}

static int pool_add(seg_rules *r, const char *s, size_t len, uint32_t *off)
{
	if (r->pool_len + len > r->pool_cap) {
		size_t cap = r->pool_cap ? r->pool_cap * 2 : 4096;
		char *p;

		while (cap < r->pool_len + len)
			cap *= 2;
		if (cap > UINT32_MAX)
			return AQ_ENOMEM;
		p = realloc(r->pool, cap);
		if (!p)
			return AQ_ENOMEM;
		r->pool = p;
		r->pool_cap = cap;
	}
	memcpy(r->pool + r->pool_len, s, len);
	*off = (uint32_t)r->pool_len;
	r->pool_len += len;
	return 0;
}

static seg_entry *list_add(seg_list *l)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		seg_entry *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	memset(&l->v[l->n], 0, sizeof(seg_entry));
	l->v[l->n].next = -1;
	return &l->v[l->n++];
}

/* First entry whose key is s[0..len), or -1. */
static int32_t list_find(const seg_rules *r, const seg_list *l, const char *s, size_t len)
{
	size_t mask, i;

	if (!l->n_slots)
		return -1;
	mask = l->n_slots - 1;
	i = (size_t)aq_hash64(s, len, 0) & mask;
	for (;; i = (i + 1) & mask) {
		int32_t k = l->slots[i] - 1;

		if (k < 0)
			return -1;
		if (l->v[k].len == len && memcmp(r->pool + l->v[k].off, s, len) == 0)
			return k;
	}
}

/* Builds the hash index; entries sharing a key are chained through next. */
static int list_index(seg_rules *r, seg_list *l)
{
	size_t n_slots = 16, mask;

	while (n_slots < l->n * 2)
		n_slots *= 2;
	l->slots = calloc(n_slots, sizeof(int32_t));
	if (!l->slots)
		return AQ_ENOMEM;
	l->n_slots = n_slots;
	mask = n_slots - 1;
	for (size_t k = 0; k < l->n; k++) {
		seg_entry *e = &l->v[k];
		int32_t first = list_find(r, l, r->pool + e->off, e->len);
		size_t i;

		if (first >= 0) {
			while (l->v[first].next >= 0)
				first = l->v[first].next;
			l->v[first].next = (int32_t)k;
			continue;
		}
		i = (size_t)aq_hash64(r->pool + e->off, e->len, 0) & mask;
		while (l->slots[i])
			i = (i + 1) & mask;
		l->slots[i] = (int32_t)k + 1;
	}
	return 0;
}

static bool is_ascii_letter(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_ascii_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_ascii_lower(int c)
{
	return c >= 'a' && c <= 'z';
}

/* A word of abbreviation keys: letters (any Latin) and dots only, which is
 * what the boundary check collects before a full stop. */
static bool is_abbr_word(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		int32_t cp = aq_utf8_next_inline(s, len, &i);

		if (cp != '.' && !aq_cp_is_latin_letter(cp))
			return false;
	}
	return true;
}

static bool ascii_ieq(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'a' && x <= 'z')
			x -= 32;
		if (y >= 'a' && y <= 'z')
			y -= 32;
		if (x != y)
			return false;
	}
	return true;
}

enum rules_section { SEC_ABBR, SEC_OPENERS, SEC_LABELS };

/* Whether s[0..len) contains ':' or '：'. */
static bool has_colon(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] == ':' || (i + 2 < len && !memcmp(s + i, "\xEF\xBC\x9A", 3)))
			return true;
	return false;
}

/* Parses one non-comment line s[0..len) (trimmed) of the rules file. */
static int rules_line(seg_rules *r, aq_ctx *ctx, const char *path, uint32_t line,
	enum rules_section sec, const char *s, size_t len)
{
	seg_list *l = sec == SEC_ABBR ? &r->abbrs : sec == SEC_OPENERS ? &r->openers : &r->labels;
	const char *word = s, *cls = NULL;
	size_t word_len = len, cls_len = 0, key = 0;
	uint8_t cls_val = ABBR_CAP;
	seg_entry *e;
	int rc;

	if (sec == SEC_ABBR) {
		/* "ENTRY [CLASS]": the entry runs to the last '.' of the line. */
		const char *dot = NULL;

		for (size_t i = 0; i < len; i++)
			if (s[i] == '.')
				dot = s + i;
		if (!dot)
			return aq_ctx_error(ctx, AQ_ERULE, "%s:%u: abbreviation '%.*s' must end with '.'",
				path, line, (int)len, s);
		word_len = (size_t)(dot - s) + 1;
		cls = dot + 1;
		cls_len = len - word_len;
		while (cls_len && (*cls == ' ' || *cls == '\t')) {
			cls++;
			cls_len--;
		}
		if (cls_len && cls == dot + 1)
			return aq_ctx_error(ctx, AQ_ERULE, "%s:%u: abbreviation '%.*s' must end with '.'",
				path, line, (int)len, s);
		if (!cls_len || (cls_len == 3 && !memcmp(cls, "cap", 3)))
			cls_val = ABBR_CAP;
		else if (cls_len == 5 && !memcmp(cls, "never", 5))
			cls_val = ABBR_NEVER;
		else if (cls_len == 6 && !memcmp(cls, "opener", 6))
			cls_val = ABBR_OPENER;
		else
			return aq_ctx_error(ctx, AQ_ERULE,
				"%s:%u: unknown class '%.*s' (expected never, cap or opener)",
				path, line, (int)cls_len, cls);
		/* The key is the last word; words before it must match too. */
		for (size_t i = 0; i < word_len; i++) {
			if (word[i] == '\t')
				return aq_ctx_error(ctx, AQ_ERULE,
					"%s:%u: separate the words of '%.*s' by single spaces",
					path, line, (int)word_len, word);
			if (word[i] == ' ') {
				if (i + 1 < word_len && word[i + 1] == ' ')
					return aq_ctx_error(ctx, AQ_ERULE,
						"%s:%u: separate the words of '%.*s' by single spaces",
						path, line, (int)word_len, word);
				key = i + 1;
			}
		}
		if (word_len - key < 2 || !is_abbr_word(word + key, word_len - key))
			return aq_ctx_error(ctx, AQ_ERULE,
				"%s:%u: the last word of '%.*s' must be letters and '.', like \"Fig.\"",
				path, line, (int)word_len, word);
	} else if (sec == SEC_OPENERS) {
		for (size_t i = 0; i < len; i++)
			if (!is_ascii_letter((unsigned char)s[i]) && (unsigned char)s[i] < 0x80)
				return aq_ctx_error(ctx, AQ_ERULE,
					"%s:%u: opener '%.*s' must be one word of letters",
					path, line, (int)len, s);
	} else {
		if (has_colon(s, len))
			return aq_ctx_error(ctx, AQ_ERULE,
				"%s:%u: label '%.*s' must not contain its colon", path, line, (int)len, s);
	}
	if (word_len > SEG_WORD_MAX)
		return aq_ctx_error(ctx, AQ_ERULE, "%s:%u: '%.*s' is longer than %d bytes",
			path, line, (int)word_len, word, SEG_WORD_MAX);
	/* Duplicates are mistakes in a hand-kept list: say where the first is. */
	for (size_t k = 0; k < l->n; k++) {
		const seg_entry *o = &l->v[k];
		bool same = o->pre_len + o->len == word_len &&
			!memcmp(r->pool + o->pre_off, word, o->pre_len) &&
			!memcmp(r->pool + o->off, word + o->pre_len, o->len);

		if (sec == SEC_LABELS)
			same = o->len == word_len && ascii_ieq(r->pool + o->off, word, word_len);
		if (same)
			return aq_ctx_error(ctx, AQ_ERULE, "%s:%u: '%.*s' is already listed at line %u",
				path, line, (int)word_len, word, o->line);
	}
	e = list_add(l);
	if (!e)
		return aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
	e->line = line;
	e->cls = cls_val;
	rc = pool_add(r, word, word_len, &e->pre_off);
	if (rc)
		return aq_ctx_error(ctx, rc, "out of memory");
	e->pre_len = (uint32_t)key;
	e->off = e->pre_off + (uint32_t)key;
	e->len = (uint32_t)(word_len - key);
	return 0;
}

static int rules_parse(seg_rules *r, aq_ctx *ctx, const char *path, const char *data, size_t len)
{
	enum rules_section sec = SEC_ABBR;
	uint32_t line = 0;
	size_t pos = 0, bad;
	int rc;

	bad = aq_utf8_check(data, len);
	if (bad < len) {
		for (size_t i = 0; i < bad; i++)
			line += data[i] == '\n';
		return aq_ctx_error(ctx, AQ_ERULE, "%s:%u: invalid UTF-8", path, line + 1);
	}
	while (pos < len) {
		const char *s = data + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;

		pos += n + (nl != NULL);
		line++;
		/* A '#' at the start or after white space begins a comment. */
		for (size_t i = 0; i < n; i++) {
			if (s[i] == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) {
				n = i;
				break;
			}
		}
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
			n--;
		while (n && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		if (line == 1 && n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) {
			s += 3;
			n -= 3;
		}
		if (!n)
			continue;
		if (*s == '[') {
			if (n == 15 && !memcmp(s, "[abbreviations]", 15))
				sec = SEC_ABBR;
			else if (n == 9 && !memcmp(s, "[openers]", 9))
				sec = SEC_OPENERS;
			else if (n == 8 && !memcmp(s, "[labels]", 8))
				sec = SEC_LABELS;
			else
				return aq_ctx_error(ctx, AQ_ERULE, "%s:%u: unknown section '%.*s' "
					"(expected [abbreviations], [openers] or [labels])",
					path, line, (int)n, s);
			continue;
		}
		rc = rules_line(r, ctx, path, line, sec, s, n);
		if (rc)
			return rc;
	}
	return 0;
}

static int rules_load(seg_rules **out, aq_ctx *ctx, const char *path)
{
	seg_rules *r = NULL;
	FILE *f = NULL;
	char *data = NULL;
	size_t len = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f) {
		rc = aq_ctx_error(ctx, AQ_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			char *p;

			cap = cap ? cap * 2 : 16384;
			p = realloc(data, cap);
			if (!p) {
				rc = aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
				goto out;
			}
			data = p;
		}
		got = fread(data + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		rc = aq_ctx_error(ctx, AQ_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	r = calloc(1, sizeof(*r));
	if (!r) {
		rc = aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
		goto out;
	}
	atomic_init(&r->refs, 1);
	rc = rules_parse(r, ctx, path, data, len);
	if (rc)
		goto out;
	if (list_index(r, &r->abbrs) || list_index(r, &r->openers)) {
		rc = aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t k = r->labels.n; k-- > 0;) {
		seg_entry *e = &r->labels.v[k];
		unsigned char last = (unsigned char)r->pool[e->off + e->len - 1];

		last = (unsigned char)(is_ascii_lower(last) ? last - 32 : last);
		e->next = r->label_by_last[last] - 1;
		r->label_by_last[last] = (int32_t)k + 1;
	}
	*out = r;
	r = NULL;
out:
	if (f)
		fclose(f);
	free(data);
	rules_free(r);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The segmenter                                                        */

enum cut_kind {
	CUT_ICU = 0,      /* a boundary ICU reported */
	CUT_LABEL = 1,    /* before a structured-abstract label */
	CUT_ELLIPSIS = 2, /* after a Chinese "……" that ends a sentence */
};

typedef struct seg_cut {
	uint32_t at;   /* byte offset of the candidate boundary */
	uint32_t kind; /* enum cut_kind */
} seg_cut;

struct aq_segmenter {
	aq_ctx *ctx;               /* where errors go (the thread's own) */
	UBreakIterator *brk[2];    /* sentence iterators, by aq_lang */
	UText ut;                  /* reused for every text: no allocation */
	seg_rules *rules;          /* shared with clones; NULL = none */
	seg_cut *cuts;             /* scratch: candidate boundaries of one text */
	size_t n_cuts, cap_cuts;
	uint32_t *marks;           /* scratch: offsets of brackets in text order,
	                            * SEG_MARK_CLOSE set on closing ones */
	size_t n_marks, cap_marks;
};

#define SEG_MARK_CLOSE 0x80000000u

static const char *const seg_locales[2] = { "en@ss=standard", "zh" };

static int seg_alloc(aq_segmenter **out, aq_ctx *ctx)
{
	static const UText ut_init = UTEXT_INITIALIZER;
	aq_segmenter *seg = calloc(1, sizeof(*seg));

	*out = seg;
	if (!seg)
		return aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
	seg->ctx = ctx;
	seg->ut = ut_init;
	return 0;
}

int aq_segmenter_new(aq_segmenter **out, aq_ctx *ctx, const char *abbrev_path)
{
	aq_segmenter *seg = NULL;
	int rc;

	*out = NULL;
	rc = seg_alloc(&seg, ctx);
	if (rc)
		goto out;
	for (int i = 0; i < 2; i++) {
		UErrorCode st = U_ZERO_ERROR;

		seg->brk[i] = ubrk_open(UBRK_SENTENCE, seg_locales[i], NULL, 0, &st);
		if (U_FAILURE(st)) {
			rc = aq_ctx_error(ctx, AQ_EICU, "ICU ubrk_open: %s (locale %s)",
				u_errorName(st), seg_locales[i]);
			goto out;
		}
	}
	if (abbrev_path) {
		rc = rules_load(&seg->rules, ctx, abbrev_path);
		if (rc)
			goto out;
	}
	*out = seg;
	seg = NULL;
out:
	aq_segmenter_free(seg);
	return rc;
}

int aq_segmenter_clone(aq_segmenter **out, aq_ctx *ctx, const aq_segmenter *src)
{
	aq_segmenter *seg = NULL;
	int rc;

	*out = NULL;
	rc = seg_alloc(&seg, ctx);
	if (rc)
		goto out;
	for (int i = 0; i < 2; i++) {
		UErrorCode st = U_ZERO_ERROR;

#if U_ICU_VERSION_MAJOR_NUM >= 69
		seg->brk[i] = ubrk_clone(src->brk[i], &st);
#else
		seg->brk[i] = ubrk_safeClone(src->brk[i], NULL, NULL, &st);
#endif
		if (U_FAILURE(st)) {
			rc = aq_ctx_error(ctx, AQ_EICU, "ICU ubrk_clone: %s", u_errorName(st));
			goto out;
		}
	}
	if (src->rules) {
		atomic_fetch_add(&src->rules->refs, 1);
		seg->rules = src->rules;
	}
	*out = seg;
	seg = NULL;
out:
	aq_segmenter_free(seg);
	return rc;
}

void aq_segmenter_free(aq_segmenter *seg)
{
	if (!seg)
		return;
	for (int i = 0; i < 2; i++)
		if (seg->brk[i])
			ubrk_close(seg->brk[i]);
	utext_close(&seg->ut);
	rules_release(seg->rules);
	free(seg->cuts);
	free(seg->marks);
	free(seg);
}

/* ------------------------------------------------------------------ */
/* Character classes                                                    */

/* Decodes the code point at s[i] (i < len), -1 if invalid. */
static int32_t cp_at(const char *s, size_t len, size_t i)
{
	return aq_utf8_next_inline(s, len, &i);
}

/* Decodes the code point ending at s[i] (i > 0), -1 if invalid. */
static int32_t cp_before(const char *s, size_t i)
{
	return aq_utf8_prev(s, &i);
}

static size_t cp_len_before(const char *s, size_t i)
{
	size_t j = i;

	aq_utf8_prev(s, &j);
	return i - j;
}

static bool is_line_break(int32_t cp)
{
	return cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' || cp == 0x85 ||
	       cp == 0x2028 || cp == 0x2029;
}

/* Opening brackets and quotes that ICU may leave at the end of the previous
 * sentence ("。「"); ASCII quotes open and close, so they are not here. */
static bool is_open_punct(int32_t cp)
{
	switch (cp) {
	case '(': case '[': case '{': case 0x2018: case 0x201C: case 0x3008:
	case 0x300A: case 0x300C: case 0x300E: case 0x3010: case 0x3014:
	case 0x3016: case 0xFF08: case 0xFF3B: case 0xFF5B:
		return true;
	default:
		return false;
	}
}

/* Closing brackets and quotes that follow a sentence's final stop. */
static bool is_close_punct(int32_t cp)
{
	switch (cp) {
	case ')': case ']': case '}': case '"': case '\'': case 0x2019: case 0x201D:
	case 0x3009: case 0x300B: case 0x300D: case 0x300F: case 0x3011: case 0x3015:
	case 0x3017: case 0xFF02: case 0xFF07: case 0xFF09: case 0xFF3D: case 0xFF5D:
		return true;
	default:
		return false;
	}
}

static bool is_latin_upper(int32_t cp)
{
	return is_ascii_upper(cp) || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
	       (cp >= 0x100 && cp <= 0x17F && !(cp & 1));
}

static bool is_digit(int32_t cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19);
}

/* What a Chinese sentence can start with: Han, kana, an opening CJK
 * bracket or quote. */
static bool is_cjk_text(int32_t cp)
{
	return aq_cp_is_han(cp) || (cp >= 0x3040 && cp <= 0x30FF) || cp == 0x201C ||
	       cp == 0x2018 || (cp >= 0x3008 && cp <= 0x3017 && !(cp & 1)) || cp == 0xFF08;
}

/* ------------------------------------------------------------------ */
/* What follows and what precedes a boundary                           */

enum word_kind { W_END, W_LOWER, W_UPPER, W_DIGIT, W_HAN, W_OTHER };

typedef struct seg_word {
	uint32_t off, end;  /* the run of Latin letters (empty unless a letter) */
	uint8_t kind;       /* enum word_kind of the first character */
	bool name_like;     /* "Smith": a capital then a lower-case letter */
	bool initial;       /* one capital letter and a full stop: "K." */
} seg_word;

/* Describes the first word at or after s[at], past white space and opening
 * punctuation (a line break ends the search). */
static seg_word next_word(const char *s, size_t len, size_t at)
{
	seg_word w = { 0, 0, W_END, false, false };
	size_t i = at, j;
	int32_t cp;

	while (i < len && i - at < SEG_GAP_MAX) {
		size_t k = i;

		cp = aq_utf8_next_inline(s, len, &k);
		if (is_line_break(cp) || !(aq_cp_is_space(cp) || is_open_punct(cp) ||
		    cp == '"' || cp == '\''))
			break;
		i = k;
	}
	if (i >= len)
		return w;
	cp = cp_at(s, len, i);
	if (is_line_break(cp))
		return w;
	w.off = w.end = (uint32_t)i;
	if (is_digit(cp))
		w.kind = W_DIGIT;
	else if (aq_cp_is_han(cp))
		w.kind = W_HAN;
	else if (!aq_cp_is_latin_letter(cp))
		w.kind = W_OTHER;
	else
		w.kind = is_latin_upper(cp) ? W_UPPER : W_LOWER;
	if (w.kind != W_UPPER && w.kind != W_LOWER)
		return w;
	j = i;
	while (j < len && j - i <= SEG_WORD_MAX) {
		size_t k = j;

		if (!aq_cp_is_latin_letter(aq_utf8_next_inline(s, len, &k)))
			break;
		j = k;
	}
	w.end = (uint32_t)j;
	if (w.kind == W_UPPER) {
		size_t k = i;

		aq_utf8_next_inline(s, len, &k);
		w.initial = k == j && j < len && s[j] == '.';
		w.name_like = k < j && !is_latin_upper(cp_at(s, len, k));
	}
	return w;
}

/* The Latin letters and dots that end at s[dot] (a full stop), as
 * s[*tok_off..dot+1).  Returns false if a non-letter precedes the stop. */
static bool token_before(const char *s, size_t start, size_t dot, size_t *tok_off)
{
	size_t i = dot;

	while (i > start && dot - i < SEG_WORD_MAX) {
		size_t k = i;
		int32_t cp = aq_utf8_prev(s, &k);

		if (cp != '.' && !aq_cp_is_latin_letter(cp))
			break;
		i = k;
	}
	*tok_off = i;
	return i < dot && (i == start || !aq_cp_is_latin_letter(cp_before(s, i)));
}

static bool is_initials(const char *s, size_t off, size_t end)
{
	/* "K." or "J.K.": capitals each followed by a full stop. */
	if (end - off < 2 || (end - off) % 2)
		return false;
	for (size_t i = off; i < end; i += 2)
		if (!is_ascii_upper((unsigned char)s[i]) || s[i + 1] != '.')
			return false;
	return true;
}

static bool is_opener(const seg_rules *r, const char *s, const seg_word *w)
{
	return r && w->end > w->off && list_find(r, &r->openers, s + w->off, w->end - w->off) >= 0;
}

/* The listed abbreviation that ends with the token s[off..end), where the
 * token is an abbreviation's last word; NULL if none.  An entry written
 * in lower case also matches with a capital first letter ("E.g."). */
static const seg_entry *abbr_find(const seg_rules *r, const char *s, size_t start,
	size_t off, size_t end)
{
	const seg_entry *best = NULL;
	char low[SEG_WORD_MAX + 1];
	size_t len = end - off;
	int32_t k;

	if (!r || len > SEG_WORD_MAX)
		return NULL;
	k = list_find(r, &r->abbrs, s + off, len);
	if (k < 0 && is_ascii_upper((unsigned char)s[off])) {
		memcpy(low, s + off, len);
		low[0] = (char)(low[0] + 32);
		k = list_find(r, &r->abbrs, low, len);
	}
	for (; k >= 0; k = r->abbrs.v[k].next) {
		const seg_entry *e = &r->abbrs.v[k];
		const char *pre = r->pool + e->pre_off;
		size_t p = e->pre_len;

		if (best && best->pre_len >= p)
			continue;
		if (p) {
			if (off - start < p || memcmp(s + off - p + 1, pre + 1, p - 1))
				continue;
			if (s[off - p] != pre[0] && !(is_ascii_lower((unsigned char)pre[0]) &&
			    s[off - p] == pre[0] - 32))
				continue;
			if (off - p > start && aq_cp_is_latin_letter(cp_before(s, off - p)))
				continue;
		}
		best = e;
	}
	return best;
}

/* Whether the word before s[off] (inside the current sentence, which
 * starts at start) lets a following initial be part of a name: nothing but
 * opening punctuation, another initial or abbreviation, a comma, or "and",
 * "&" or "by". */
static bool name_context(const char *s, size_t start, size_t off)
{
	size_t e = off, b;

	while (e > start && off - e < SEG_GAP_MAX) {
		int32_t cp = cp_before(s, e);

		if (!aq_cp_is_space(cp) && !is_open_punct(cp) && cp != '"' && cp != '\'')
			break;
		e -= cp_len_before(s, e);
	}
	if (e == start)
		return true;
	if (s[e - 1] == '.' || s[e - 1] == ',' || s[e - 1] == '&')
		return true;
	b = e;
	while (b > start && e - b < 4 && is_ascii_letter((unsigned char)s[b - 1]))
		b--;
	if (b > start && is_ascii_letter((unsigned char)s[b - 1]))
		return false;
	return (e - b == 3 && !memcmp(s + b, "and", 3)) || (e - b == 2 && !memcmp(s + b, "by", 2));
}

/* Decides whether the full stop at s[dot], followed by the boundary at b,
 * belongs to an abbreviation or initial (true: no sentence end). */
static bool stop_is_abbrev(const aq_segmenter *seg, aq_lang lang, const char *s, size_t len,
	size_t start, size_t dot, size_t b)
{
	const seg_entry *e;
	seg_word w;
	size_t tok;

	if (!token_before(s, start, dot, &tok))
		return false;
	e = abbr_find(seg->rules, s, start, tok, dot + 1);
	if (!e && !is_initials(s, tok, dot + 1))
		return false;
	w = next_word(s, len, b);
	if (e) {
		/* Chinese sentences end in 。 or after Han characters; a Latin
		 * abbreviation inside one does not end it. */
		if (lang == AQ_LANG_ZH || e->cls == ABBR_NEVER)
			return true;
		if (e->cls == ABBR_CAP)
			return w.kind != W_UPPER;
		return !is_opener(seg->rules, s, &w);
	}
	if (lang == AQ_LANG_ZH)
		return w.kind != W_HAN && w.kind != W_END;
	if (w.kind == W_LOWER || w.initial)
		return true;
	if (w.kind != W_UPPER || !w.name_like || is_opener(seg->rules, s, &w))
		return false;
	return name_context(s, start, tok);
}

/* Bracket state of the current sentence: unclosed ( [ （ 【 〔 ［. */
typedef struct seg_brackets {
	uint32_t open[SEG_BRACKET_DEPTH]; /* offsets of unclosed brackets */
	size_t depth;                     /* entries used in open */
	size_t lost;                      /* unclosed brackets beyond the array */
	size_t next;                      /* first bracket mark not yet counted */
} seg_brackets;

/* Bytes that may begin a character extra_cuts() looks at: brackets, ':',
 * and the lead bytes of "…", "【】〔〕" and full-width "（）［］：".  Most
 * bytes of a text are none of these, and a table keeps the loop tight. */
static const bool seg_lead[256] = {
	['('] = true, [')'] = true, ['['] = true, [']'] = true, [':'] = true,
	[0xE2] = true, [0xE3] = true, [0xEF] = true,
};

/* Counts the brackets before offset end into br. */
static void brackets_scan(seg_brackets *br, const aq_segmenter *seg, size_t end)
{
	for (; br->next < seg->n_marks; br->next++) {
		uint32_t m = seg->marks[br->next];
		uint32_t at = m & ~SEG_MARK_CLOSE;

		if (at >= end)
			break;
		if (!(m & SEG_MARK_CLOSE)) {
			if (br->depth < SEG_BRACKET_DEPTH)
				br->open[br->depth++] = at;
			else
				br->lost++;
		} else if (br->lost) {
			br->lost--;
		} else if (br->depth) {
			br->depth--;
		}
	}
}

/* Do the brackets open in br all close within SEG_BRACKET_MAX bytes of the
 * outermost one?  Looks ahead over the marks not yet counted. */
static bool brackets_close(const seg_brackets *br, const aq_segmenter *seg)
{
	size_t depth = br->depth + br->lost;
	uint32_t limit = br->open[0] + SEG_BRACKET_MAX;

	for (size_t k = br->next; k < seg->n_marks; k++) {
		uint32_t m = seg->marks[k];

		if ((m & ~SEG_MARK_CLOSE) > limit)
			return false;
		if (!(m & SEG_MARK_CLOSE))
			depth++;
		else if (--depth == 0)
			return true;
	}
	return false;
}

/* Whether the candidate boundary at b (the current sentence started at
 * start) is kept. */
static bool keep_cut(const aq_segmenter *seg, aq_lang lang, const char *s, size_t len,
	size_t start, const seg_cut *cut, seg_brackets *br)
{
	size_t b = cut->at, e = b, t;
	int32_t cp = -1;

	/* A line break always ends a sentence. */
	while (e > start) {
		cp = cp_before(s, e);
		if (is_line_break(cp))
			return true;
		if (!aq_cp_is_space(cp))
			break;
		e -= cp_len_before(s, e);
	}
	if (e <= start)
		return true;
	brackets_scan(br, seg, e);
	/* The outermost bracket decides: it holds the sentence open when it
	 * closes within SEG_BRACKET_MAX bytes; a stray "(" (one that never
	 * closes, as in "(p" cut short by a lost "<") holds nothing. */
	if (br->depth && b - br->open[0] <= SEG_BRACKET_MAX && brackets_close(br, seg))
		return false;
	if (cut->kind != CUT_ICU)
		return true;
	/* The stop, before any closing quotes and brackets. */
	t = e;
	while (t > start && e - t < SEG_GAP_MAX && is_close_punct(cp_before(s, t)))
		t -= cp_len_before(s, t);
	if (t <= start)
		return true;
	cp = cp_before(s, t);
	if (cp == '.' && stop_is_abbrev(seg, lang, s, len, start, t - 1, b))
		return false;
	if (lang == AQ_LANG_ZH && (cp == '.' || cp == '?' || cp == '!') && e == b) {
		/* A half-width stop ends a Chinese sentence when white space, a
		 * Han character (maybe bracketed) or the end follows; "3.5"
		 * never reaches here. */
		while (e < len && e - b < SEG_GAP_MAX) {
			size_t k = e;

			cp = aq_utf8_next_inline(s, len, &k);
			if (!is_open_punct(cp))
				break;
			e = k;
		}
		if (e < len && !is_cjk_text(cp_at(s, len, e)))
			return false;
	}
	return true;
}

static int cut_push(aq_segmenter *seg, size_t at, enum cut_kind kind)
{
	if (seg->n_cuts == seg->cap_cuts) {
		size_t cap = seg->cap_cuts ? seg->cap_cuts * 2 : 64;
		seg_cut *v = realloc(seg->cuts, cap * sizeof(*v));

		if (!v)
			return aq_ctx_error(seg->ctx, AQ_ENOMEM, "out of memory");
		seg->cuts = v;
		seg->cap_cuts = cap;
	}
	seg->cuts[seg->n_cuts].at = (uint32_t)at;
	seg->cuts[seg->n_cuts].kind = kind;
	seg->n_cuts++;
	return 0;
}

/* +1 for a bracket that holds a sentence open, -1 for its closer. */
static int bracket_dir(int32_t cp)
{
	switch (cp) {
	case '(': case '[': case 0xFF08: case 0xFF3B: case 0x3010: case 0x3014:
		return 1;
	case ')': case ']': case 0xFF09: case 0xFF3D: case 0x3011: case 0x3015:
		return -1;
	default:
		return 0;
	}
}

static int mark_push(aq_segmenter *seg, size_t at, bool is_close)
{
	if (seg->n_marks == seg->cap_marks) {
		size_t cap = seg->cap_marks ? seg->cap_marks * 2 : 64;
		uint32_t *v = realloc(seg->marks, cap * sizeof(*v));

		if (!v)
			return aq_ctx_error(seg->ctx, AQ_ENOMEM, "out of memory");
		seg->marks = v;
		seg->cap_marks = cap;
	}
	seg->marks[seg->n_marks++] = (uint32_t)at | (is_close ? SEG_MARK_CLOSE : 0);
	return 0;
}

static int cut_cmp(const void *a, const void *b)
{
	const seg_cut *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return (int)x->kind - (int)y->kind;
}

/* Collects ICU's boundaries (ending at len), each moved back before
 * opening brackets and quotes that ICU left at the end of a sentence. */
static int icu_cuts(aq_segmenter *seg, aq_lang lang, const char *s, size_t len)
{
	UBreakIterator *bi = seg->brk[lang];
	UErrorCode st = U_ZERO_ERROR;
	size_t prev = 0;
	int32_t b;
	int rc = 0;

	utext_openUTF8(&seg->ut, s, (int64_t)len, &st);
	if (U_FAILURE(st))
		return aq_ctx_error(seg->ctx, AQ_EICU, "ICU utext_openUTF8: %s", u_errorName(st));
	st = U_ZERO_ERROR;
	ubrk_setUText(bi, &seg->ut, &st);
	if (U_FAILURE(st)) {
		rc = aq_ctx_error(seg->ctx, AQ_EICU, "ICU ubrk_setUText: %s", u_errorName(st));
		goto out;
	}
	ubrk_first(bi);
	while ((b = ubrk_next(bi)) != UBRK_DONE) {
		size_t at = (size_t)b, e;

		if (b <= 0 || at <= prev || at >= len)
			continue;
		/* "。「下" -> "。" | "「下" */
		e = at;
		while (e > prev && at - e < SEG_GAP_MAX) {
			int32_t cp = cp_before(s, e);

			if (!aq_cp_is_space(cp) && !is_open_punct(cp))
				break;
			e -= cp_len_before(s, e);
		}
		while (e < at) {
			size_t k = e;

			if (is_open_punct(aq_utf8_next_inline(s, len, &k)))
				break;
			e = k;
		}
		if (e > prev)
			at = e;
		rc = cut_push(seg, at, CUT_ICU);
		if (rc)
			goto out;
		prev = at;
	}
	rc = cut_push(seg, len, CUT_ICU);
out:
	/* Leave no pointer to the caller's text behind: clones copy it. */
	st = U_ZERO_ERROR;
	utext_openUTF8(&seg->ut, "", 0, &st);
	st = U_ZERO_ERROR;
	ubrk_setUText(bi, &seg->ut, &st);
	return rc;
}

/* The label ending at s[end] (before its colon or closing bracket), as its
 * start offset, or SIZE_MAX.  The longest listed label wins, so that
 * "MAIN RESULTS" beats "RESULTS" and 研究方法 beats 方法. */
static size_t label_before(const seg_rules *r, const char *s, size_t start, size_t end)
{
	size_t best = SIZE_MAX;
	unsigned char last;

	if (end <= start)
		return best;
	last = (unsigned char)s[end - 1];
	last = (unsigned char)(is_ascii_lower(last) ? last - 32 : last);
	for (int32_t k = r->label_by_last[last] - 1; k >= 0; k = r->labels.v[k].next) {
		const seg_entry *e = &r->labels.v[k];
		const char *lab = r->pool + e->off;
		size_t p;
		bool upper = true;

		if (e->len > end - start || (best != SIZE_MAX && end - e->len >= best))
			continue;
		p = end - e->len;
		if (!ascii_ieq(s + p, lab, e->len))
			continue;
		if (is_ascii_letter((unsigned char)lab[0])) {
			/* "RESULTS:", "Results:" or "Materials and Methods:", at
			 * the start of a word. */
			int32_t cp = p > start ? cp_before(s, p) : ' ';

			if (!is_ascii_upper((unsigned char)s[p]) || aq_cp_is_latin_letter(cp) ||
			    is_digit(cp) || cp == '-' || cp == '_' || cp == '\'')
				continue;
			for (size_t i = p; i < end && upper; i++)
				upper = !is_ascii_lower((unsigned char)s[i]);
			if (!upper) {
				bool title = true;

				for (size_t i = p + 1; i < end && title; i++)
					title = !is_ascii_upper((unsigned char)s[i]) || s[i - 1] == ' ';
				if (!title)
					continue;
			}
		}
		best = p;
	}
	return best;
}

/* Finds labels ("METHODS:", "结果：", "【目的】") and Chinese ellipses that
 * end a sentence, and adds them as candidate boundaries.  Records the
 * brackets on the way, for keep_cut(): one pass over the text for both. */
static int extra_cuts(aq_segmenter *seg, aq_lang lang, const char *s, size_t len)
{
	const seg_rules *r = seg->rules;
	bool has_labels = r && r->labels.n;
	size_t i = 0;
	int rc;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t at = i, e, p;
		int32_t cp;
		int dir;

		if (!seg_lead[c]) {
			i++;
			continue;
		}
		if (c < 0x80) {
			cp = c;
			i++;
		} else {
			cp = aq_utf8_next_inline(s, len, &i);
		}
		dir = bracket_dir(cp);
		if (dir && (rc = mark_push(seg, at, dir < 0)))
			return rc;
		if (has_labels && (cp == ':' || cp == 0xFF1A)) {
			e = at;
			while (e > 0 && at - e < 2 && s[e - 1] == ' ')
				e--;
			p = label_before(r, s, 0, e);
			if (p != SIZE_MAX && p > 0 && (rc = cut_push(seg, p, CUT_LABEL)))
				return rc;
		} else if (has_labels && (cp == ']' || cp == 0x3011)) {
			int32_t open = cp == ']' ? '[' : 0x3010;

			p = label_before(r, s, 0, at);
			if (p != SIZE_MAX && p > 0 && cp_before(s, p) == open) {
				p -= cp_len_before(s, p);
				if (p > 0 && (rc = cut_push(seg, p, CUT_LABEL)))
					return rc;
			}
		} else if (cp == 0x2026 && lang == AQ_LANG_ZH && i < len &&
			   cp_at(s, len, i) == 0x2026) {
			/* "……" followed by more text, unless 等 ("and so on") or
			 * punctuation (，。) follows. */
			while (i < len && cp_at(s, len, i) == 0x2026)
				i += 3;
			while (i < len) {
				size_t k = i;

				if (!is_close_punct(aq_utf8_next_inline(s, len, &k)))
					break;
				i = k;
			}
			e = i;
			while (e < len) {
				size_t k = e;

				if (!aq_cp_is_space(aq_utf8_next_inline(s, len, &k)))
					break;
				e = k;
			}
			if (e < len) {
				cp = cp_at(s, len, e);
				if ((aq_cp_is_han(cp) && cp != 0x7B49) || aq_cp_is_latin_letter(cp) ||
				    is_digit(cp) || is_open_punct(cp)) {
					rc = cut_push(seg, i, CUT_ELLIPSIS);
					if (rc)
						return rc;
				}
			}
		}
	}
	return 0;
}

/* Appends s[off..end) without its surrounding white space, if not empty. */
static int emit(aq_spans *out, const char *s, size_t len, size_t off, size_t end)
{
	while (off < end) {
		size_t k = off;

		if (!aq_cp_is_space(aq_utf8_next_inline(s, len, &k)))
			break;
		off = k;
	}
	while (end > off) {
		size_t k = end;

		if (!aq_cp_is_space(aq_utf8_prev(s, &k)))
			break;
		end = k;
	}
	if (end <= off)
		return 0;
	return aq_spans_push(out, (uint32_t)off, (uint32_t)end);
}

int aq_segment_text(aq_spans *out, aq_segmenter *seg, aq_lang lang, const char *text, size_t len)
{
	seg_brackets br;
	size_t start = 0, n_icu;
	int rc;

	out->n = 0;
	seg->n_cuts = 0;
	seg->n_marks = 0;
	if (lang != AQ_LANG_EN && lang != AQ_LANG_ZH)
		return aq_ctx_error(seg->ctx, AQ_EINVAL, "aq_segment_text: unknown language %d",
			(int)lang);
	if (len > INT32_MAX)
		return aq_ctx_error(seg->ctx, AQ_ELIMIT,
			"text of %zu bytes is too long to segment (limit %d)", len, INT32_MAX);
	if (!len)
		return 0;
	rc = icu_cuts(seg, lang, text, len);
	if (rc)
		return rc;
	n_icu = seg->n_cuts;
	rc = extra_cuts(seg, lang, text, len);
	if (rc)
		return rc;
	/* ICU's boundaries come in order; labels and ellipses interleave. */
	if (seg->n_cuts > n_icu)
		qsort(seg->cuts, seg->n_cuts, sizeof(seg_cut), cut_cmp);
	memset(&br, 0, sizeof(br));
	for (size_t k = 0; k < seg->n_cuts; k++) {
		const seg_cut *cut = &seg->cuts[k];

		if (cut->at <= start)
			continue;
		if (cut->at < len && !keep_cut(seg, lang, text, len, start, cut, &br))
			continue;
		rc = emit(out, text, len, start, cut->at);
		if (rc)
			return aq_ctx_error(seg->ctx, rc, "out of memory");
		start = cut->at;
		br.depth = br.lost = 0;
		while (br.next < seg->n_marks && (seg->marks[br.next] & ~SEG_MARK_CLOSE) < start)
			br.next++;
	}
	return 0;
}

int aq_segment_lines(aq_spans *out, const char *text, size_t len)
{
	size_t pos = 0;
	int rc;

	out->n = 0;
	if (len > UINT32_MAX)
		return AQ_ELIMIT;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t e = end;

		if (e > pos && text[e - 1] == '\r')
			e--;
		rc = aq_spans_push(out, (uint32_t)pos, (uint32_t)e);
		if (rc)
			return rc;
		pos = nl ? end + 1 : len;
	}
	return 0;
}
