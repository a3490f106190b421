/*
 * report_findings.c - writers for findings: compiler-style text, one JSON
 * document, the JSONL contract, SARIF 2.1.0, JUnit XML and GitHub workflow
 * commands, and the mapping from record offsets to file lines and columns.
 * They format what they are given into a buffer; deciding what is a
 * finding, filtering by baseline and where the bytes go are left to others.
 */
#include "alignqa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX_COLS 100 /* widest sentence excerpt in the text format (display columns) */
#define TEXT_MAX_SENTS 4  /* sentences shown per side of one finding */
#define LOC_STEP 256      /* bytes between the line/column marks of a verbatim text */

static const char *const format_names[] = {
	[AQ_REPORT_TEXT] = "text",
	[AQ_REPORT_JSON] = "json",
	[AQ_REPORT_JSONL] = "jsonl",
	[AQ_REPORT_SARIF] = "sarif",
	[AQ_REPORT_JUNIT] = "junit",
	[AQ_REPORT_GITHUB] = "github",
};

#define N_FORMATS (sizeof(format_names) / sizeof(format_names[0]))

int aq_report_format_parse(aq_report_format *out, const char *name)
{
	if (!name)
		return AQ_EINVAL;
	for (size_t i = 0; i < N_FORMATS; i++) {
		if (!strcmp(name, format_names[i])) {
			*out = (aq_report_format)i;
			return 0;
		}
	}
	return AQ_EINVAL;
}

/* Line and column at every LOC_STEP-th byte of one side of the record
 * being written, made on first use: locating a finding then walks at most
 * LOC_STEP bytes, where aq_record_locate walks from the start of the text
 * (quadratic in findings for one long abstract). */
typedef struct loc_marks {
	const aq_record *rec; /* the record the marks are of; NULL: none yet */
	uint32_t *line;       /* line, col at byte k * LOC_STEP: [2k], [2k + 1] */
	size_t cap;           /* uint32_t allocated */
} loc_marks;

/* A rule id with its position in aq_rules_get() order (SARIF ruleIndex). */
typedef struct rule_ix {
	const char *id;
	size_t idx;
} rule_ix;

struct aq_reporter {
	aq_ctx *ctx;
	aq_report_format fmt;
	const aq_rules *rules;  /* borrowed; NULL: no rule metadata */
	aq_severity fail_on;    /* JUnit: a finding at or above this fails its test case */
	size_t n_records;       /* records written */
	size_t n_sev[3];        /* findings written, by severity */
	size_t n_input_errors;  /* input errors noted */
	size_t n_failed;        /* JUnit: test cases with a <failure> */
	size_t n_items;         /* JSON records or SARIF results written (for commas) */
	aq_buf held;            /* what waits for end(): JSON input errors, SARIF
	                         * notifications, the JUnit test cases */
	aq_buf scratch;         /* one line being built, reused */
	rule_ix *ix;            /* SARIF: rule ids sorted by id */
	size_t n_ix;
	loc_marks marks[2];     /* by aq_lang, of the record being written */
};

/* ------------------------------------------------------------------ */
/* Characters                                                          */

/* Columns a code point takes in a terminal: 0 for combining marks and
 * invisible joiners, 2 for East Asian Wide and Fullwidth characters (the
 * UAX #11 ranges that occur in practice), else 1.  Ambiguous-width
 * characters (±, µ, ×, …) count 1, as in terminals outside CJK locales. */
static int cp_width(int32_t cp)
{
	if ((cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
	    (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x200B && cp <= 0x200D) ||
	    (cp >= 0x20D0 && cp <= 0x20FF) || cp == 0x2060 || cp == 0xFEFF ||
	    (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFE20 && cp <= 0xFE2F) ||
	    (cp >= 0xE0100 && cp <= 0xE01EF))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
	    (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	    (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
	    (cp >= 0xA960 && cp <= 0xA97F) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
	    (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFE10 && cp <= 0xFE19) ||
	    (cp >= 0xFE30 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
	    (cp >= 0x1F900 && cp <= 0x1F9FF) || (cp >= 0x20000 && cp <= 0x3FFFD))
		return 2;
	return 1;
}

/* Bidirectional formatting characters: shown as U+FFFD so that a record
 * cannot reorder what a reader sees in a terminal. */
static bool cp_is_bidi_control(int32_t cp)
{
	return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) ||
	       cp == 0x200E || cp == 0x200F || cp == 0x061C;
}

/* One character as the text format shows it. */
typedef struct cell {
	const char *bytes; /* what to write */
	size_t len;        /* bytes */
	int width;         /* display columns */
} cell;

/* Decodes the character at s[*i] (s has len bytes) into c and advances *i.
 * Invalid bytes and bidi controls show as U+FFFD, control characters
 * (tabs and line breaks included) as one space, so that a sentence stays
 * on one line. */
static void cell_next(cell *c, const char *s, size_t len, size_t *i)
{
	size_t at = *i;
	int32_t cp = aq_utf8_next(s, len, i);

	if (cp < 0 || cp_is_bidi_control(cp)) {
		c->bytes = "\xEF\xBF\xBD";
		c->len = 3;
		c->width = 1;
	} else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
		c->bytes = " ";
		c->len = 1;
		c->width = 1;
	} else {
		c->bytes = s + at;
		c->len = *i - at;
		c->width = cp_width(cp);
	}
}

/* Appends s[0..len) for people, one line, valid UTF-8. */
static void put_plain(aq_buf *out, const char *s, size_t len)
{
	size_t i = 0;
	cell c;

	while (i < len) {
		cell_next(&c, s, len, &i);
		aq_buf_put(out, c.bytes, c.len);
	}
}

static void put_plain_str(aq_buf *out, const char *s)
{
	if (s)
		put_plain(out, s, strlen(s));
}

/* Appends s as XML character data, or as an attribute value in double
 * quotes when attr.  Invalid UTF-8 becomes U+FFFD; characters XML 1.0
 * forbids (C0 controls other than tab, LF and CR; U+FFFE, U+FFFF) are
 * dropped; CR (and in attributes tab and LF) become character references
 * so that parsers' line-end and attribute normalisation keeps them. */
static void put_xml(aq_buf *out, const char *s, size_t len, bool attr)
{
	size_t i = 0;

	while (i < len) {
		size_t at = i;
		int32_t cp = aq_utf8_next(s, len, &i);

		switch (cp) {
		case -1: aq_buf_puts(out, "\xEF\xBF\xBD"); break;
		case '&': aq_buf_puts(out, "&amp;"); break;
		case '<': aq_buf_puts(out, "&lt;"); break;
		case '>': aq_buf_puts(out, "&gt;"); break;
		case '"': aq_buf_puts(out, "&quot;"); break;
		case '\'': aq_buf_puts(out, "&apos;"); break;
		case '\r': aq_buf_puts(out, "&#13;"); break;
		case '\t': aq_buf_puts(out, attr ? "&#9;" : "\t"); break;
		case '\n': aq_buf_puts(out, attr ? "&#10;" : "\n"); break;
		default:
			if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF)
				break;
			aq_buf_put(out, s + at, i - at);
		}
	}
}

static void put_xml_str(aq_buf *out, const char *s, bool attr)
{
	if (s)
		put_xml(out, s, strlen(s), attr);
}

/* Appends s escaped for a GitHub workflow command: the message part
 * (%, CR, LF) or, when prop, a property value (also ':' and ',').  Other
 * control characters become spaces and invalid UTF-8 U+FFFD, since the
 * runner has no escape for them. */
static void put_gh(aq_buf *out, const char *s, size_t len, bool prop)
{
	size_t i = 0;

	while (i < len) {
		size_t at = i;
		int32_t cp = aq_utf8_next(s, len, &i);

		if (cp == '%')
			aq_buf_puts(out, "%25");
		else if (cp == '\r')
			aq_buf_puts(out, "%0D");
		else if (cp == '\n')
			aq_buf_puts(out, "%0A");
		else if (prop && cp == ':')
			aq_buf_puts(out, "%3A");
		else if (prop && cp == ',')
			aq_buf_puts(out, "%2C");
		else if (cp < 0)
			aq_buf_puts(out, "\xEF\xBF\xBD");
		else if (cp < 0x20 || cp == 0x7F)
			aq_buf_putc(out, ' ');
		else
			aq_buf_put(out, s + at, i - at);
	}
}

static void put_gh_str(aq_buf *out, const char *s, bool prop)
{
	if (s)
		put_gh(out, s, strlen(s), prop);
}

static void put_json_str(aq_buf *out, const char *s)
{
	aq_buf_json_str(out, s ? s : "", s ? strlen(s) : 0);
}

/* Appends a file path as a URI reference for SARIF, percent-encoding every
 * byte outside RFC 3986's unreserved characters, sub-delimiters, '@' and
 * '/' (':' too, so that "c:x" never reads as a scheme).  An absolute path
 * becomes a file: URI; a relative one stays relative, as given.  The
 * result needs no JSON escaping. */
static void put_uri(aq_buf *out, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";
	static const char keep[] = "-._~/!$&'()*+,;=@";

	if (path[0] == '/')
		aq_buf_puts(out, "file://");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(keep, *p)) {
			aq_buf_putc(out, (char)*p);
		} else {
			char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };
			aq_buf_put(out, esc, 3);
		}
	}
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

/* ------------------------------------------------------------------ */
/* Places in the source file                                           */

/* Moves line l, column c over text[from, to): a line break starts a new
 * line, every other character (not byte) is a column. */
static void loc_walk(const char *text, size_t from, size_t to, uint32_t *l, uint32_t *c)
{
	for (size_t i = from; i < to; i++) {
		unsigned char b = (unsigned char)text[i];

		if (b == '\n') {
			(*l)++;
			*c = 1;
		} else if ((b & 0xC0) != 0x80) {
			(*c)++;
		}
	}
}

void aq_record_locate(const aq_record *rec, aq_lang lang, uint32_t off, uint32_t *line,
	uint32_t *col)
{
	const char *text = lang == AQ_LANG_ZH ? rec->zh : rec->en;
	size_t len = lang == AQ_LANG_ZH ? rec->zh_len : rec->en_len;
	uint32_t l = lang == AQ_LANG_ZH ? rec->zh_line : rec->en_line;
	uint32_t c = lang == AQ_LANG_ZH ? rec->zh_col : rec->en_col;
	bool verbatim = lang == AQ_LANG_ZH ? rec->zh_verbatim : rec->en_verbatim;

	if (l == 0) {
		/* The reader did not say where the text starts. */
		l = rec->line ? rec->line : 1;
		c = 1;
	}
	if (c == 0)
		c = 1;
	/* The text was copied from the file byte for byte: count the line
	 * breaks and the characters since the last one.  The first line's
	 * start column is the reader's byte column, exact when (as in every
	 * shape record.c reads) only ASCII blanks precede the abstract. */
	if (verbatim && text)
		loc_walk(text, 0, off > len ? len : off, &l, &c);
	*line = l;
	*col = c;
}

/* aq_record_locate through the reporter's marks when the text is long and
 * verbatim (the marks are made on first use; without memory for them, the
 * slow way). */
static void locate(aq_reporter *rep, const aq_record *rec, aq_lang lang, uint32_t off,
	uint32_t *line, uint32_t *col)
{
	const char *text = lang == AQ_LANG_ZH ? rec->zh : rec->en;
	size_t len = lang == AQ_LANG_ZH ? rec->zh_len : rec->en_len;
	bool verbatim = lang == AQ_LANG_ZH ? rec->zh_verbatim : rec->en_verbatim;
	loc_marks *m = &rep->marks[lang == AQ_LANG_ZH];
	size_t k, n = len / LOC_STEP + 1;
	uint32_t l, c;

	if (!verbatim || !text || len < LOC_STEP || len >= UINT32_MAX) {
		aq_record_locate(rec, lang, off, line, col);
		return;
	}
	if (m->rec != rec) {
		if (m->cap < 2 * n) {
			uint32_t *v = realloc(m->line, 2 * n * sizeof(*v));

			if (!v) {
				aq_record_locate(rec, lang, off, line, col);
				return;
			}
			m->line = v;
			m->cap = 2 * n;
		}
		aq_record_locate(rec, lang, 0, &l, &c);
		for (k = 0; k < n; k++) {
			if (k)
				loc_walk(text, (k - 1) * LOC_STEP, k * LOC_STEP, &l, &c);
			m->line[2 * k] = l;
			m->line[2 * k + 1] = c;
		}
		m->rec = rec;
	}
	if (off > len)
		off = (uint32_t)len;
	k = off / LOC_STEP;
	l = m->line[2 * k];
	c = m->line[2 * k + 1];
	loc_walk(text, k * LOC_STEP, off, &l, &c);
	*line = l;
	*col = c;
}

static bool has_span(aq_span sp)
{
	return sp.off != AQ_NO_SPAN;
}

/* Cuts a span down to a text of len bytes (spans come from rules, which
 * may be wrong; a writer must not read past the text). */
static aq_span clamp_span(aq_span sp, size_t len)
{
	if (sp.end > len)
		sp.end = (uint32_t)len;
	if (sp.off > sp.end)
		sp.off = sp.end;
	return sp;
}

/* Where a finding is shown: the Chinese span when it has one (the
 * translation is what gets fixed), else the English span, else the record. */
typedef struct place {
	int side;                   /* -1: the whole record; else the aq_lang of the span */
	bool exact;                 /* the span maps to the file (verbatim text) */
	uint32_t line, col;         /* start: 1-based line, 1-based column in code points
	                             * (col 0 for the whole record) */
	uint32_t end_line, end_col; /* the character after the span */
} place;

static void side_place(place *p, aq_reporter *rep, const aq_record *rec, aq_lang lang,
	aq_span sp)
{
	sp = clamp_span(sp, lang == AQ_LANG_ZH ? rec->zh_len : rec->en_len);
	p->side = (int)lang;
	p->exact = lang == AQ_LANG_ZH ? rec->zh_verbatim : rec->en_verbatim;
	locate(rep, rec, lang, sp.off, &p->line, &p->col);
	locate(rep, rec, lang, sp.end, &p->end_line, &p->end_col);
}

static void finding_place(place *p, aq_reporter *rep, const aq_record *rec,
	const aq_finding *f)
{
	if (has_span(f->zh)) {
		side_place(p, rep, rec, AQ_LANG_ZH, f->zh);
	} else if (has_span(f->en)) {
		side_place(p, rep, rec, AQ_LANG_EN, f->en);
	} else {
		p->side = -1;
		p->exact = false;
		p->line = p->end_line = rec->line ? rec->line : 1;
		p->col = p->end_col = 0;
	}
}

/* "FILE:LINE[:COL]: what" -> the length of FILE and LINE; false if the
 * message has another shape.  Used to place input errors. */
static bool parse_file_line(const char *msg, size_t *file_len, uint32_t *line)
{
	for (const char *p = strchr(msg, ':'); p; p = strchr(p + 1, ':')) {
		const char *q = p + 1;
		uint32_t v = 0;

		if (p == msg || *q < '0' || *q > '9')
			continue;
		while (*q >= '0' && *q <= '9' && v < 100000000)
			v = v * 10 + (uint32_t)(*q++ - '0');
		if (*q == ':' && v > 0) {
			*file_len = (size_t)(p - msg);
			*line = v;
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------------------ */
/* Text                                                                */

/* "FILE:LINE:COL: SEVERITY: MESSAGE [RULE]" (no newline). */
static void text_header(aq_buf *out, aq_reporter *rep, const aq_record *rec,
	const aq_finding *f)
{
	place p;

	finding_place(&p, rep, rec, f);
	put_plain_str(out, rec->source ? rec->source : "-");
	if (p.side < 0)
		aq_buf_printf(out, ":%u", p.line);
	else
		aq_buf_printf(out, ":%u:%u", p.line, p.col);
	aq_buf_printf(out, ": %s: ", aq_severity_name(f->severity));
	put_plain_str(out, f->message);
	aq_buf_puts(out, " [");
	put_plain_str(out, f->rule);
	aq_buf_putc(out, ']');
}

/* Writes sentence s of text after label ("  en   3 | "), cut to
 * TEXT_MAX_COLS columns around the mark m (within s) with "…" where cut,
 * and when marked a second line with ^~~ under the mark, counting East
 * Asian wide characters as two columns.  An empty mark gets one ^ before
 * the character at its offset; a mark over the whole sentence gets no
 * line (the sentence is the place, and a row of ~ says nothing more). */
static void text_sentence(aq_buf *out, const char *label, const char *text, aq_span s,
	bool marked, aq_span m)
{
	size_t total = 0, pre = 0, mw = 0, wl = 0, wr, col, i;
	bool started = false;
	cell c;

	if (marked) {
		m.off = m.off < s.off ? s.off : m.off > s.end ? s.end : m.off;
		m.end = m.end > s.end ? s.end : m.end < m.off ? m.off : m.end;
		if (m.off == s.off && m.end == s.end && s.end > s.off)
			marked = false;
	}
	for (i = s.off; i < s.end;) {
		size_t at = i;
		cell_next(&c, text, s.end, &i);
		if (marked && at < m.off)
			pre += (size_t)c.width;
		else if (marked && at < m.end)
			mw += (size_t)c.width;
		total += (size_t)c.width;
	}
	wr = total;
	if (total > TEXT_MAX_COLS) {
		size_t room = TEXT_MAX_COLS - 2; /* two ellipses */

		if (marked && mw + 8 >= room)
			wl = pre > 8 ? pre - 8 : 0;
		else if (marked)
			wl = pre > (room - mw) / 2 ? pre - (room - mw) / 2 : 0;
		if (wl > total - room)
			wl = total - room;
		wr = wl + room;
	}

	aq_buf_puts(out, label);
	if (wl > 0)
		aq_buf_puts(out, "\xE2\x80\xA6");
	for (i = s.off, col = 0; i < s.end;) {
		cell_next(&c, text, s.end, &i);
		if (col >= wl && col + (size_t)c.width <= wr)
			aq_buf_put(out, c.bytes, c.len);
		col += (size_t)c.width;
	}
	if (wr < total)
		aq_buf_puts(out, "\xE2\x80\xA6");
	aq_buf_putc(out, '\n');
	if (!marked)
		return;

	for (const char *p = label; *p; p++)
		aq_buf_putc(out, *p == '|' ? '|' : ' ');
	if (wl > 0)
		aq_buf_putc(out, ' ');
	for (i = s.off, col = 0; i < s.end;) {
		size_t at = i;
		bool shown;

		cell_next(&c, text, s.end, &i);
		shown = col >= wl && col + (size_t)c.width <= wr;
		col += (size_t)c.width;
		if (!shown)
			continue;
		if (at >= m.end && (m.end > m.off || at >= m.off))
			break;
		for (int k = 0; k < c.width; k++) {
			if (at < m.off)
				aq_buf_putc(out, ' ');
			else
				aq_buf_putc(out, started ? '~' : '^');
			started = started || at >= m.off;
		}
	}
	if (!started)
		aq_buf_putc(out, '^');
	aq_buf_putc(out, '\n');
}

/* Whether the sentences of ss, cut to a text of len bytes, start and end in
 * order, as the segmenter makes them.  Then the sentences a span touches
 * are one run, found by binary search (text_touched); else every sentence
 * is tried. */
static bool text_sents_sorted(const aq_spans *ss, size_t len)
{
	for (size_t k = 1; ss && k < ss->n; k++) {
		aq_span p = clamp_span(ss->v[k - 1], len), s = clamp_span(ss->v[k], len);

		if (s.off < p.off || s.end < p.end)
			return false;
	}
	return true;
}

/* For sentences in order: the run [*from, *to) of the sentences span sp
 * touches (an empty span: the sentence holding its offset), and for an
 * empty span the last non-empty sentence ending exactly there (*at_end,
 * else SIZE_MAX).  sp is already cut to len. */
static void text_touched(const aq_spans *ss, size_t len, aq_span sp, size_t *from,
	size_t *to, size_t *at_end)
{
	size_t lo = 0, hi = ss->n, mid;

	/* The first sentence ending after sp.off ... */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (clamp_span(ss->v[mid], len).end > sp.off)
			hi = mid;
		else
			lo = mid + 1;
	}
	*from = lo;
	/* ... up to the first one starting at or after the span's end. */
	hi = ss->n;
	while (lo < hi) {
		aq_span s;

		mid = lo + (hi - lo) / 2;
		s = clamp_span(ss->v[mid], len);
		if (sp.off == sp.end ? s.off <= sp.off : s.off < sp.end)
			lo = mid + 1;
		else
			hi = mid;
	}
	*to = lo;
	*at_end = SIZE_MAX;
	for (size_t k = *from; sp.off == sp.end && k-- > 0;) {
		aq_span s = clamp_span(ss->v[k], len);

		if (s.end != sp.off)
			break;
		if (s.end > s.off) {
			*at_end = k;
			break;
		}
	}
}

/* Shows one side of a finding: the sentences its span touches, marked, or
 * without a span the sentences of its bead on that side, as context.
 * sorted: text_sents_sorted() of that side. */
static void text_side(aq_buf *out, const aq_alignment *a, const aq_finding *f, aq_lang lang,
	bool sorted)
{
	const aq_record *rec = a->rec;
	const char *text = lang == AQ_LANG_ZH ? rec->zh : rec->en;
	size_t len = lang == AQ_LANG_ZH ? rec->zh_len : rec->en_len;
	const aq_spans *ss = lang == AQ_LANG_ZH ? a->zh_sents : a->en_sents;
	const char *name = lang == AQ_LANG_ZH ? "zh" : "en";
	aq_span sp = lang == AQ_LANG_ZH ? f->zh : f->en;
	size_t shown = 0, more = 0, first = 0, n = 0;
	char label[40];

	if (!text || !ss)
		return;
	if (has_span(sp)) {
		size_t at_end = SIZE_MAX; /* an empty span right after this sentence */
		size_t from = 0, to = ss->n;

		sp = clamp_span(sp, len);
		/* In order, only the run the span touches is looked at: a report
		 * stays linear in findings x sentences shown, not x all sentences. */
		if (sorted)
			text_touched(ss, len, sp, &from, &to, &at_end);
		for (size_t k = from; k < to; k++) {
			aq_span s = clamp_span(ss->v[k], len);
			bool hit = sp.off == sp.end ? s.off <= sp.off && sp.off < s.end :
				s.off < sp.end && sp.off < s.end;

			if (!sorted && sp.off == sp.end && s.end == sp.off && s.end > s.off)
				at_end = k;
			if (!hit)
				continue;
			if (shown == TEXT_MAX_SENTS && sorted) {
				more += to - k; /* all of the run touch it */
				break;
			}
			if (shown == TEXT_MAX_SENTS) {
				more++;
				continue;
			}
			snprintf(label, sizeof(label), "  %s %3zu | ", name, k);
			text_sentence(out, label, text, s, true, sp);
			shown++;
		}
		if (shown == 0 && at_end != SIZE_MAX) {
			/* An insertion point after the last character of a sentence. */
			snprintf(label, sizeof(label), "  %s %3zu | ", name, at_end);
			text_sentence(out, label, text, clamp_span(ss->v[at_end], len), true, sp);
		} else if (shown == 0) {
			/* Between sentences (white space): show the span alone. */
			snprintf(label, sizeof(label), "  %s     | ", name);
			text_sentence(out, label, text, sp, true, sp);
		}
	} else if (f->bead != AQ_NO_SPAN && a->beads && f->bead < a->beads->n) {
		const aq_bead *b = &a->beads->v[f->bead];

		first = lang == AQ_LANG_ZH ? b->zh_idx : b->en_idx;
		n = lang == AQ_LANG_ZH ? b->zh_n : b->en_n;
		for (size_t k = first; k < first + n && k < ss->n; k++) {
			snprintf(label, sizeof(label), "  %s %3zu | ", name, k);
			text_sentence(out, label, text, clamp_span(ss->v[k], len), false, sp);
		}
	}
	if (more)
		aq_buf_printf(out, "  %s     | \xE2\x80\xA6 %zu more sentence%s\n", name, more,
			plural(more));
}

static void text_record(aq_reporter *rep, aq_buf *out, const aq_alignment *a,
	const aq_findings *fs)
{
	bool en_sorted, zh_sorted;

	if (!fs->n)
		return;
	en_sorted = text_sents_sorted(a->en_sents, a->rec->en_len);
	zh_sorted = text_sents_sorted(a->zh_sents, a->rec->zh_len);
	for (size_t i = 0; i < fs->n; i++) {
		text_header(out, rep, a->rec, &fs->v[i]);
		aq_buf_putc(out, '\n');
		text_side(out, a, &fs->v[i], AQ_LANG_EN, en_sorted);
		text_side(out, a, &fs->v[i], AQ_LANG_ZH, zh_sorted);
		aq_buf_putc(out, '\n');
	}
}

static void text_end(aq_reporter *rep, aq_buf *out)
{
	size_t e = rep->n_sev[AQ_SEV_ERROR], w = rep->n_sev[AQ_SEV_WARNING];
	size_t i = rep->n_sev[AQ_SEV_INFO], r = rep->n_records, x = rep->n_input_errors;

	aq_buf_printf(out, "%zu error%s, %zu warning%s, %zu info%s in %zu record%s", e,
		plural(e), w, plural(w), i, plural(i), r, plural(r));
	if (x)
		aq_buf_printf(out, "; %zu input error%s", x, plural(x));
	aq_buf_putc(out, '\n');
}

/* ------------------------------------------------------------------ */
/* JSON and JSON Lines                                                 */

static void put_json_span(aq_buf *out, aq_span sp)
{
	if (has_span(sp))
		aq_buf_printf(out, "[%u,%u]", sp.off, sp.end);
	else
		aq_buf_puts(out, "null");
}

/* The finding object of the JSONL contract; loc adds "line" and "column"
 * of the finding's place (the JSON document has them, JSONL does not). */
static void json_finding(aq_reporter *rep, aq_buf *out, const aq_finding *f,
	const aq_record *loc)
{
	aq_buf_puts(out, "{\"rule\":");
	put_json_str(out, f->rule);
	aq_buf_puts(out, ",\"severity\":");
	put_json_str(out, aq_severity_name(f->severity));
	aq_buf_puts(out, ",\"category\":");
	put_json_str(out, aq_category_name(f->category));
	aq_buf_puts(out, ",\"message\":");
	put_json_str(out, f->message);
	aq_buf_puts(out, ",\"en\":");
	put_json_span(out, f->en);
	aq_buf_puts(out, ",\"zh\":");
	put_json_span(out, f->zh);
	if (f->bead != AQ_NO_SPAN)
		aq_buf_printf(out, ",\"bead\":%u", f->bead);
	else
		aq_buf_puts(out, ",\"bead\":null");
	aq_buf_printf(out, ",\"fingerprint\":\"%016llx\"", (unsigned long long)f->fingerprint);
	if (loc) {
		place p;

		finding_place(&p, rep, loc, f);
		aq_buf_printf(out, ",\"line\":%u", p.line);
		if (p.side < 0)
			aq_buf_puts(out, ",\"column\":null");
		else
			aq_buf_printf(out, ",\"column\":%u", p.col);
	}
	aq_buf_putc(out, '}');
}

static void json_findings(aq_reporter *rep, aq_buf *out, const aq_findings *fs,
	const aq_record *loc)
{
	aq_buf_putc(out, '[');
	for (size_t i = 0; i < fs->n; i++) {
		if (i)
			aq_buf_putc(out, ',');
		json_finding(rep, out, &fs->v[i], loc);
	}
	aq_buf_putc(out, ']');
}

static void jsonl_record(aq_reporter *rep, aq_buf *out, const aq_alignment *a,
	const aq_findings *fs)
{
	(void)rep;
	aq_buf_puts(out, "{\"id\":");
	put_json_str(out, a->rec->id);
	aq_buf_puts(out, ",\"findings\":");
	json_findings(rep, out, fs, NULL);
	aq_buf_puts(out, "}\n");
}

static void json_record(aq_reporter *rep, aq_buf *out, const aq_alignment *a,
	const aq_findings *fs)
{
	aq_buf_puts(out, rep->n_items++ ? ",\n{\"id\":" : "{\"id\":");
	put_json_str(out, a->rec->id);
	aq_buf_puts(out, ",\"source\":");
	put_json_str(out, a->rec->source ? a->rec->source : "-");
	aq_buf_printf(out, ",\"line\":%u,\"findings\":", a->rec->line);
	json_findings(rep, out, fs, a->rec);
	aq_buf_putc(out, '}');
}

static void json_input_error(aq_reporter *rep, const char *message)
{
	if (rep->n_input_errors > 1)
		aq_buf_putc(&rep->held, ',');
	aq_buf_puts(&rep->held, "\n{\"message\":");
	put_json_str(&rep->held, message);
	aq_buf_putc(&rep->held, '}');
}

static void json_end(aq_reporter *rep, aq_buf *out)
{
	aq_buf_puts(out, rep->n_items ? "\n],\n\"input_errors\":[" : "],\n\"input_errors\":[");
	aq_buf_put(out, rep->held.ptr ? rep->held.ptr : "", rep->held.len);
	aq_buf_puts(out, rep->n_input_errors ? "\n],\n" : "],\n");
	aq_buf_printf(out, "\"summary\":{\"records\":%zu,\"errors\":%zu,\"warnings\":%zu,"
		"\"infos\":%zu,\"input_errors\":%zu}}\n", rep->n_records,
		rep->n_sev[AQ_SEV_ERROR], rep->n_sev[AQ_SEV_WARNING], rep->n_sev[AQ_SEV_INFO],
		rep->n_input_errors);
}

/* ------------------------------------------------------------------ */
/* SARIF 2.1.0                                                         */

static const char *sarif_level(aq_severity sev)
{
	return sev == AQ_SEV_ERROR ? "error" : sev == AQ_SEV_WARNING ? "warning" : "note";
}

static int rule_ix_cmp(const void *pa, const void *pb)
{
	const rule_ix *a = pa, *b = pb;
	int c = strcmp(a->id, b->id);

	return c ? c : a->idx < b->idx ? -1 : a->idx > b->idx;
}

static int sarif_index_rules(aq_reporter *rep)
{
	size_t n = rep->rules ? aq_rules_count(rep->rules) : 0;

	if (n == 0)
		return 0;
	rep->ix = malloc(n * sizeof(*rep->ix));
	if (!rep->ix)
		return aq_ctx_error(rep->ctx, AQ_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		const aq_rule_info *r = aq_rules_get(rep->rules, i);
		rep->ix[rep->n_ix++] = (rule_ix){ r && r->id ? r->id : "", i };
	}
	qsort(rep->ix, rep->n_ix, sizeof(*rep->ix), rule_ix_cmp);
	return 0;
}

/* The position of rule id in aq_rules_get() order, or -1 if not loaded. */
static long sarif_rule_index(const aq_reporter *rep, const char *id)
{
	size_t lo = 0, hi = rep->n_ix;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(rep->ix[mid].id, id);
		if (c == 0) {
			/* the first of equal ids, like aq_rules_find */
			while (mid > 0 && !strcmp(rep->ix[mid - 1].id, id))
				mid--;
			return (long)rep->ix[mid].idx;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* A rule's display name: its id in PascalCase ("numbers.changed-value" ->
 * "NumbersChangedValue"), as SARIF suggests for reportingDescriptor.name. */
static void put_rule_name(aq_buf *out, const char *id)
{
	bool up = true;

	aq_buf_putc(out, '"');
	for (const char *p = id; *p; p++) {
		char c = *p;
		if (c == '.' || c == '-' || c == '_' || c == ' ') {
			up = true;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')))
			continue;
		if (up && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		aq_buf_putc(out, c);
		up = false;
	}
	aq_buf_putc(out, '"');
}

/* The first sentence of a description (up to ". " or the end). */
static size_t first_sentence(const char *s)
{
	const char *dot = strstr(s, ". ");
	const char *nl = strchr(s, '\n');
	size_t n = dot ? (size_t)(dot - s) + 1 : strlen(s);

	if (nl && (size_t)(nl - s) < n)
		n = (size_t)(nl - s);
	return n;
}

static void sarif_rule(aq_buf *out, const aq_rule_info *r)
{
	const char *desc = r->description && *r->description ? r->description :
		r->message ? r->message : "";

	aq_buf_puts(out, "{\"id\":");
	put_json_str(out, r->id);
	aq_buf_puts(out, ",\"name\":");
	put_rule_name(out, r->id ? r->id : "");
	aq_buf_puts(out, ",\"shortDescription\":{\"text\":");
	aq_buf_json_str(out, desc, first_sentence(desc));
	aq_buf_puts(out, "},\"fullDescription\":{\"text\":");
	put_json_str(out, desc);
	aq_buf_printf(out, "},\"defaultConfiguration\":{\"enabled\":%s,\"level\":\"%s\"}",
		r->enabled ? "true" : "false", sarif_level(r->severity));
	aq_buf_puts(out, ",\"properties\":{\"category\":");
	put_json_str(out, aq_category_name(r->category));
	aq_buf_puts(out, ",\"tags\":[");
	put_json_str(out, aq_category_name(r->category));
	aq_buf_puts(out, "]}}");
}

static int sarif_begin(aq_reporter *rep, aq_buf *out)
{
	size_t n = rep->rules ? aq_rules_count(rep->rules) : 0;
	int rc;

	if ((rc = sarif_index_rules(rep)))
		return rc;
	aq_buf_puts(out, "{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\","
		"\"version\":\"2.1.0\",\"runs\":[{\"tool\":{\"driver\":{\"name\":\"alignqa\","
		"\"version\":\"" AQ_VERSION "\",\"semanticVersion\":\"" AQ_VERSION "\","
		"\"rules\":[");
	for (size_t i = 0; i < n; i++) {
		const aq_rule_info *r = aq_rules_get(rep->rules, i);
		aq_buf_puts(out, i ? ",\n" : "\n");
		if (r)
			sarif_rule(out, r);
		else
			aq_buf_puts(out, "{\"id\":\"\"}");
	}
	aq_buf_puts(out, "]}},\n\"columnKind\":\"unicodeCodePoints\",\n\"results\":[");
	return 0;
}

/* {"physicalLocation":{...}} for a place in source. */
static void sarif_location(aq_buf *out, const char *source, const place *p)
{
	aq_buf_puts(out, "{\"physicalLocation\":{\"artifactLocation\":{\"uri\":\"");
	put_uri(out, source);
	aq_buf_printf(out, "\"},\"region\":{\"startLine\":%u", p->line);
	if (p->side >= 0)
		aq_buf_printf(out, ",\"startColumn\":%u", p->col);
	if (p->side >= 0 && p->exact)
		aq_buf_printf(out, ",\"endLine\":%u,\"endColumn\":%u", p->end_line, p->end_col);
	aq_buf_puts(out, "}}");
}

static void sarif_result(aq_reporter *rep, aq_buf *out, const aq_record *rec,
	const aq_finding *f)
{
	const char *source = rec->source ? rec->source : "-";
	long idx = sarif_rule_index(rep, f->rule);
	place p;

	finding_place(&p, rep, rec, f);
	aq_buf_puts(out, rep->n_items++ ? ",\n{\"ruleId\":" : "\n{\"ruleId\":");
	put_json_str(out, f->rule);
	if (idx >= 0)
		aq_buf_printf(out, ",\"ruleIndex\":%ld", idx);
	aq_buf_printf(out, ",\"level\":\"%s\",\"message\":{\"text\":", sarif_level(f->severity));
	put_json_str(out, f->message);
	aq_buf_puts(out, "},\"locations\":[");
	sarif_location(out, source, &p);
	aq_buf_puts(out, "}]");
	if (p.side == AQ_LANG_ZH && has_span(f->en)) {
		place q;

		side_place(&q, rep, rec, AQ_LANG_EN, f->en);
		aq_buf_puts(out, ",\"relatedLocations\":[");
		sarif_location(out, source, &q);
		aq_buf_puts(out, ",\"id\":1,\"message\":{\"text\":\"English original\"}}]");
	}
	aq_buf_printf(out, ",\"partialFingerprints\":{\"alignqaFingerprint/v1\":\"%016llx\"}",
		(unsigned long long)f->fingerprint);
	aq_buf_puts(out, ",\"properties\":{\"category\":");
	put_json_str(out, aq_category_name(f->category));
	aq_buf_puts(out, ",\"record\":");
	put_json_str(out, rec->id);
	aq_buf_puts(out, "}}");
}

static void sarif_record(aq_reporter *rep, aq_buf *out, const aq_alignment *a,
	const aq_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		sarif_result(rep, out, a->rec, &fs->v[i]);
}

static void sarif_input_error(aq_reporter *rep, const char *message)
{
	aq_buf *h = &rep->held;
	size_t file_len;
	uint32_t line;

	if (rep->n_input_errors > 1)
		aq_buf_putc(h, ',');
	aq_buf_puts(h, "\n{\"level\":\"error\",\"message\":{\"text\":");
	put_json_str(h, message);
	aq_buf_putc(h, '}');
	if (parse_file_line(message, &file_len, &line)) {
		place p = { .side = -1, .line = line };
		char *file = strndup(message, file_len);

		if (file) {
			aq_buf_puts(h, ",\"locations\":[");
			sarif_location(h, file, &p);
			aq_buf_puts(h, "}]");
			free(file);
		}
	}
	aq_buf_putc(h, '}');
}

static void sarif_end(aq_reporter *rep, aq_buf *out)
{
	aq_buf_puts(out, rep->n_items ? "\n],\n\"invocations\":[{\"executionSuccessful\":" :
		"],\n\"invocations\":[{\"executionSuccessful\":");
	aq_buf_puts(out, rep->n_input_errors ? "false" : "true");
	if (rep->n_input_errors) {
		aq_buf_puts(out, ",\"toolExecutionNotifications\":[");
		aq_buf_put(out, rep->held.ptr, rep->held.len);
		aq_buf_puts(out, "\n]");
	}
	aq_buf_puts(out, "}]}]}\n");
}

/* ------------------------------------------------------------------ */
/* JUnit XML                                                           */

static void junit_record(aq_reporter *rep, const aq_alignment *a, const aq_findings *fs)
{
	aq_buf *h = &rep->held, *line = &rep->scratch;
	const aq_finding *first = NULL;
	size_t n_fail = 0;

	for (size_t i = 0; i < fs->n; i++) {
		if (fs->v[i].severity >= rep->fail_on && n_fail++ == 0)
			first = &fs->v[i];
	}
	aq_buf_puts(h, "    <testcase classname=\"");
	put_xml_str(h, a->rec->source ? a->rec->source : "-", true);
	aq_buf_puts(h, "\" name=\"");
	put_xml_str(h, a->rec->id, true);
	if (fs->n == 0) {
		aq_buf_puts(h, "\"/>\n");
		return;
	}
	aq_buf_puts(h, "\">\n");
	if (first) {
		rep->n_failed++;
		aq_buf_clear(line);
		put_plain_str(line, first->message);
		if (n_fail > 1)
			aq_buf_printf(line, " (and %zu more)", n_fail - 1);
		aq_buf_puts(h, "      <failure message=\"");
		put_xml(h, line->ptr, line->len, true);
		aq_buf_puts(h, "\" type=\"");
		put_xml_str(h, first->rule, true);
		aq_buf_puts(h, "\">");
	} else {
		aq_buf_puts(h, "      <system-out>");
	}
	for (size_t i = 0; i < fs->n; i++) {
		aq_buf_clear(line);
		text_header(line, rep, a->rec, &fs->v[i]);
		aq_buf_putc(line, '\n');
		put_xml(h, line->ptr, line->len, false);
	}
	aq_buf_puts(h, first ? "</failure>\n    </testcase>\n" : "</system-out>\n    </testcase>\n");
}

static void junit_input_error(aq_reporter *rep, const char *message)
{
	aq_buf *h = &rep->held;
	size_t file_len;
	uint32_t line;

	aq_buf_puts(h, "    <testcase classname=\"");
	if (parse_file_line(message, &file_len, &line))
		put_xml(h, message, file_len, true);
	else
		aq_buf_puts(h, "alignqa");
	aq_buf_printf(h, "\" name=\"input error %zu\">\n      <error message=\"",
		rep->n_input_errors);
	put_xml_str(h, message, true);
	aq_buf_puts(h, "\" type=\"input\">");
	put_xml_str(h, message, false);
	aq_buf_puts(h, "</error>\n    </testcase>\n");
}

static void junit_end(aq_reporter *rep, aq_buf *out)
{
	size_t tests = rep->n_records + rep->n_input_errors;
	char counts[128];

	snprintf(counts, sizeof(counts), "tests=\"%zu\" failures=\"%zu\" errors=\"%zu\"", tests,
		rep->n_failed, rep->n_input_errors);
	aq_buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	aq_buf_printf(out, "<testsuites name=\"alignqa\" %s>\n", counts);
	aq_buf_printf(out, "  <testsuite name=\"alignqa\" %s skipped=\"0\">\n", counts);
	aq_buf_put(out, rep->held.ptr ? rep->held.ptr : "", rep->held.len);
	aq_buf_puts(out, "  </testsuite>\n</testsuites>\n");
}

/* ------------------------------------------------------------------ */
/* GitHub workflow commands                                            */

static const char *gh_level(aq_severity sev)
{
	return sev == AQ_SEV_ERROR ? "error" : sev == AQ_SEV_WARNING ? "warning" : "notice";
}

static void github_finding(aq_reporter *rep, aq_buf *out, const aq_record *rec,
	const aq_finding *f)
{
	place p;

	finding_place(&p, rep, rec, f);
	aq_buf_printf(out, "::%s file=", gh_level(f->severity));
	put_gh_str(out, rec->source ? rec->source : "-", true);
	aq_buf_printf(out, ",line=%u", p.line);
	/* Annotations take columns only within one line; endColumn is the
	 * last character's column (inclusive). */
	if (p.side >= 0 && (!p.exact || p.end_line == p.line))
		aq_buf_printf(out, ",col=%u", p.col);
	if (p.side >= 0 && p.exact) {
		aq_buf_printf(out, ",endLine=%u", p.end_line);
		if (p.end_line == p.line)
			aq_buf_printf(out, ",endColumn=%u", p.end_col > p.col ? p.end_col - 1 : p.col);
	}
	aq_buf_puts(out, ",title=");
	put_gh_str(out, f->rule, true);
	aq_buf_puts(out, "::");
	put_gh_str(out, f->message, false);
	aq_buf_putc(out, '\n');
}

static void github_record(aq_reporter *rep, aq_buf *out, const aq_alignment *a,
	const aq_findings *fs)
{
	for (size_t i = 0; i < fs->n; i++)
		github_finding(rep, out, a->rec, &fs->v[i]);
}

static void github_input_error(aq_buf *out, const char *message)
{
	size_t file_len;
	uint32_t line;

	aq_buf_puts(out, "::error ");
	if (parse_file_line(message, &file_len, &line)) {
		aq_buf_puts(out, "file=");
		put_gh(out, message, file_len, true);
		aq_buf_printf(out, ",line=%u,", line);
	}
	aq_buf_puts(out, "title=input error::");
	put_gh_str(out, message, false);
	aq_buf_putc(out, '\n');
}

/* ------------------------------------------------------------------ */
/* The reporter                                                        */

int aq_reporter_new(aq_reporter **out, aq_ctx *ctx, aq_report_format fmt, const aq_rules *rules)
{
	aq_reporter *rep;

	*out = NULL;
	if ((unsigned)fmt >= N_FORMATS)
		return aq_ctx_error(ctx, AQ_EINVAL, "unknown report format %d", (int)fmt);
	rep = calloc(1, sizeof(*rep));
	if (!rep)
		return aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
	rep->ctx = ctx;
	rep->fmt = fmt;
	rep->rules = rules;
	rep->fail_on = AQ_SEV_ERROR;
	aq_buf_init(&rep->held);
	aq_buf_init(&rep->scratch);
	*out = rep;
	return 0;
}

void aq_reporter_free(aq_reporter *rep)
{
	if (!rep)
		return;
	aq_buf_dispose(&rep->held);
	aq_buf_dispose(&rep->scratch);
	free(rep->ix);
	free(rep->marks[0].line);
	free(rep->marks[1].line);
	free(rep);
}

void aq_reporter_set_fail_on(aq_reporter *rep, aq_severity sev)
{
	rep->fail_on = sev;
}

/* Every writer appends to out and to the reporter's own buffers, which note
 * a failed allocation; one check at the end of each call reports it. */
static int reporter_status(aq_reporter *rep, const aq_buf *out)
{
	if (out->oom || rep->held.oom || rep->scratch.oom)
		return aq_ctx_error(rep->ctx, AQ_ENOMEM, "out of memory while writing the report");
	return 0;
}

int aq_reporter_begin(aq_reporter *rep, aq_buf *out)
{
	int rc;

	switch (rep->fmt) {
	case AQ_REPORT_JSON:
		aq_buf_puts(out, "{\"records\":[\n");
		break;
	case AQ_REPORT_SARIF:
		if ((rc = sarif_begin(rep, out)))
			return rc;
		break;
	default:
		break;
	}
	return reporter_status(rep, out);
}

int aq_reporter_record(aq_reporter *rep, aq_buf *out, const aq_alignment *a,
	const aq_findings *findings)
{
	static const aq_findings none = { NULL, 0, 0 };
	const aq_findings *fs = findings ? findings : &none;

	rep->n_records++;
	/* A new record (perhaps at the old one's address): new marks. */
	rep->marks[0].rec = rep->marks[1].rec = NULL;
	for (size_t i = 0; i < fs->n; i++) {
		unsigned sev = (unsigned)fs->v[i].severity;
		rep->n_sev[sev > AQ_SEV_ERROR ? AQ_SEV_ERROR : sev]++;
	}
	switch (rep->fmt) {
	case AQ_REPORT_TEXT: text_record(rep, out, a, fs); break;
	case AQ_REPORT_JSON: json_record(rep, out, a, fs); break;
	case AQ_REPORT_JSONL: jsonl_record(rep, out, a, fs); break;
	case AQ_REPORT_SARIF: sarif_record(rep, out, a, fs); break;
	case AQ_REPORT_JUNIT: junit_record(rep, a, fs); break;
	case AQ_REPORT_GITHUB: github_record(rep, out, a, fs); break;
	}
	return reporter_status(rep, out);
}

int aq_reporter_input_error(aq_reporter *rep, aq_buf *out, const char *message)
{
	if (!message)
		message = "";
	rep->n_input_errors++;
	switch (rep->fmt) {
	case AQ_REPORT_JSON: json_input_error(rep, message); break;
	case AQ_REPORT_SARIF: sarif_input_error(rep, message); break;
	case AQ_REPORT_JUNIT: junit_input_error(rep, message); break;
	case AQ_REPORT_GITHUB: github_input_error(out, message); break;
	default:
		/* text: counted in the summary (the caller prints the message);
		 * jsonl: the contract has records only. */
		break;
	}
	return reporter_status(rep, out);
}

int aq_reporter_end(aq_reporter *rep, aq_buf *out)
{
	switch (rep->fmt) {
	case AQ_REPORT_TEXT: text_end(rep, out); break;
	case AQ_REPORT_JSON: json_end(rep, out); break;
	case AQ_REPORT_SARIF: sarif_end(rep, out); break;
	case AQ_REPORT_JUNIT: junit_end(rep, out); break;
	default: break;
	}
	return reporter_status(rep, out);
}
