/*
 * record.c - one record from memory: the plain-text shape of
 * seed-record.txt (authors, affiliations, citation, English and Chinese
 * abstracts, related articles) and one JSON Lines object.  Validates UTF-8
 * and tells the abstracts apart by script share.  Opening files, walking
 * directories and splitting streams into records is input.c's job.
 */
#include "alignqa.h"
#include "record_int.h"
#include "util_int.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A line is Chinese when Han / (Han + Latin letters) exceeds this. */
#define ZH_SHARE_MIN 0.3
/* A run of Chinese lines without any sentence punctuation (。！？) must hold
 * at least this many Han characters to count as an abstract: a line of
 * Chinese author names is not one. */
#define ZH_MIN_HAN 10
/* More lines than this in one text record is an input error: the line
 * table would cost more memory than the record is worth. */
#define TEXT_MAX_LINES (1u << 20)

/* ------------------------------------------------------------------ */
/* Records */

static char *record_memdup(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (!p)
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

int aq_record_new(aq_record **out)
{
	*out = calloc(1, sizeof(aq_record));
	return *out ? 0 : AQ_ENOMEM;
}

void aq_record_free(aq_record *rec)
{
	if (!rec)
		return;
	for (size_t i = 0; i < rec->n_meta; i++) {
		free(rec->meta[i].key);
		free(rec->meta[i].value);
	}
	free(rec->meta);
	free(rec->id);
	free(rec->en);
	free(rec->zh);
	free(rec->source);
	free(rec);
}

int aq_record_add_meta(aq_record *rec, const char *key, const char *value, size_t value_len)
{
	size_t n = rec->n_meta;
	char *k = NULL, *v = NULL;

	/* The array has no capacity field: it holds 4 slots, then doubles
	 * whenever n_meta reaches a power of two. */
	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
		size_t cap = n ? n * 2 : 4;
		aq_meta *m = realloc(rec->meta, cap * sizeof(*m));

		if (!m)
			return AQ_ENOMEM;
		rec->meta = m;
	}
	k = strdup(key);
	v = record_memdup(value, value_len);
	if (!k || !v) {
		free(k);
		free(v);
		return AQ_ENOMEM;
	}
	rec->meta[n].key = k;
	rec->meta[n].value = v;
	rec->n_meta = n + 1;
	return 0;
}

const char *aq_record_meta(const aq_record *rec, const char *key)
{
	for (size_t i = 0; i < rec->n_meta; i++)
		if (strcmp(rec->meta[i].key, key) == 0)
			return rec->meta[i].value;
	return NULL;
}

double aq_han_share(const char *s, size_t len)
{
	size_t i = 0, han = 0, latin = 0;

	while (i < len) {
		int32_t cp = aq_utf8_next(s, len, &i);

		if (aq_cp_is_han(cp))
			han++;
		else if (aq_cp_is_latin_letter(cp))
			latin++;
	}
	return han + latin ? (double)han / (double)(han + latin) : 0.0;
}

/* ------------------------------------------------------------------ */
/* Small helpers shared by both parsers */

static bool is_ascii_upper(int c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_ascii_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || is_ascii_upper(c);
}

static bool is_ascii_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int ascii_lower(int c)
{
	return is_ascii_upper(c) ? c + ('a' - 'A') : c;
}

/* Does s[0..n) start with the lower-case ASCII word w, ignoring case? */
static bool starts_ci(const char *s, size_t n, const char *w)
{
	size_t wl = strlen(w);

	if (n < wl)
		return false;
	for (size_t i = 0; i < wl; i++)
		if (ascii_lower((unsigned char)s[i]) != w[i])
			return false;
	return true;
}

/* Offset of the first occurrence of lower-case w in s[0..n) ignoring
 * case, or n. */
static size_t find_ci(const char *s, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (starts_ci(s + i, n - i, w))
			return i;
	return n;
}

/* The id a file name gives: its base name without the last extension. */
static char *record_id_base(const char *name)
{
	const char *base = strrchr(name, '/');
	const char *dot = NULL;

	base = base ? base + 1 : name;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		dot = base + strlen(base);
	return record_memdup(base, (size_t)(dot - base));
}

/* 1-based line and byte column of data[off], counting from first_line. */
static void record_locate(const char *data, size_t off, uint32_t first_line,
	uint32_t *line, uint32_t *col)
{
	size_t bol = 0;
	uint32_t l = first_line;

	for (size_t i = 0; i < off; i++) {
		if (data[i] == '\n') {
			l++;
			bol = i + 1;
		}
	}
	*line = l;
	*col = (uint32_t)(off - bol + 1);
}

/* ------------------------------------------------------------------ */
/* The plain-text shape */

typedef struct text_line {
	uint32_t start;   /* first byte of the line in data */
	uint32_t off;     /* first byte of the content (leading blanks, BOM skipped) */
	uint32_t end;     /* one past the content (trailing blanks, "\r\n" excluded) */
	uint32_t han;     /* Han code points in the content */
	uint32_t latin;   /* Latin letters in the content */
	uint32_t cp;      /* code points in the content */
	uint32_t words;   /* white-space separated tokens */
	uint32_t commas;  /* ASCII and full-width commas */
	uint32_t breaks;  /* sentence breaks inside the line (". X") */
	bool has_cr;      /* the line ends in "\r\n" */
	bool ends_sentence; /* last character (before closing quotes) is . ! ? 。 */
	bool zh_stop;     /* holds Chinese sentence punctuation (。！？) */
	bool cjk_punct;   /* holds full-width or CJK punctuation (，。（ ...) */
} text_line;

typedef struct text_doc {
	const char *data;
	text_line *v;
	size_t n;
} text_doc;

static bool tl_blank(const text_line *l)
{
	return l->off == l->end;
}

/* A Chinese line: Han share above ZH_SHARE_MIN, or some Han and CJK
 * punctuation (a Chinese sentence naming a long Latin term, such as
 * "采用MTS[3-(4,5-dimethylthiazol-2-yl)...]法。", stays Chinese). */
static bool tl_is_zh(const text_line *l)
{
	if (l->han == 0)
		return false;
	return (double)l->han / (double)(l->han + l->latin) > ZH_SHARE_MIN ||
	       (l->cjk_punct && l->han >= 2);
}

static bool tl_is_en(const text_line *l)
{
	return !tl_blank(l) && l->latin > 0 && !tl_is_zh(l);
}

static bool is_closing(int32_t cp)
{
	return cp == ')' || cp == ']' || cp == '"' || cp == '\'' || cp == 0x2019 ||
	       cp == 0x201D || cp == 0xFF09;
}

/* Fills in the statistics of one line's content. */
static void text_line_scan(const char *data, text_line *l)
{
	size_t i = l->off, end = l->end;
	int32_t prev = ' ', last = 0;
	bool in_word = false;

	while (i < end) {
		int32_t cp = aq_utf8_next(data, end, &i);
		bool space = aq_cp_is_space(cp);

		l->cp++;
		if (aq_cp_is_han(cp))
			l->han++;
		else if (aq_cp_is_latin_letter(cp))
			l->latin++;
		if (cp == ',' || cp == 0xFF0C || cp == 0x3001)
			l->commas++;
		if (cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F)
			l->zh_stop = true;
		if ((cp > 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF0F) ||
		    (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
		    (cp >= 0xFF5B && cp <= 0xFF65))
			l->cjk_punct = true;
		if (!space && !in_word)
			l->words++;
		in_word = !space;
		/* ". X" or ". 2": a sentence ends inside the line. */
		if ((prev == '.' || prev == '!' || prev == '?') && cp == ' ' && i < end &&
		    (is_ascii_upper((unsigned char)data[i]) || is_ascii_digit((unsigned char)data[i])))
			l->breaks++;
		if (!is_closing(cp))
			last = cp;
		prev = cp;
	}
	l->ends_sentence = last == '.' || last == '!' || last == '?' || last == 0x3002 ||
			   last == 0xFF01 || last == 0xFF1F;
}

/* Splits data into lines.  A UTF-8 BOM at data[0] belongs to line 1 but not
 * to its content.  Returns 0, AQ_ENOMEM or AQ_ELIMIT (too many lines). */
static int text_split(text_doc *doc, const char *data, size_t len)
{
	size_t pos = 0, cap = 0;
	int rc = 0;

	doc->data = data;
	while (pos < len) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t eol = nl ? (size_t)(nl - data) : len;
		size_t next = nl ? eol + 1 : len;
		size_t off = pos, end = eol;
		text_line *l = NULL;

		if (doc->n == cap) {
			text_line *v = NULL;

			if (cap >= TEXT_MAX_LINES) {
				rc = AQ_ELIMIT;
				goto out;
			}
			cap = cap ? cap * 2 : 64;
			v = realloc(doc->v, cap * sizeof(*v));
			if (!v) {
				rc = AQ_ENOMEM;
				goto out;
			}
			doc->v = v;
		}
		l = &doc->v[doc->n++];
		memset(l, 0, sizeof(*l));
		l->start = (uint32_t)pos;
		if (end > pos && data[end - 1] == '\r') {
			end--;
			l->has_cr = nl != NULL;
		}
		/* Trim white space (aq_cp_is_space covers U+FEFF, the BOM, and
		 * U+3000, the ideographic space Chinese paragraphs open with). */
		while (off < end) {
			size_t at = off;

			if (!aq_cp_is_space(aq_utf8_next(data, end, &at)))
				break;
			off = at;
		}
		while (end > off) {
			size_t at = end;

			if (!aq_cp_is_space(aq_utf8_prev(data, &at)))
				break;
			end = at;
		}
		l->off = (uint32_t)off;
		l->end = (uint32_t)end;
		text_line_scan(data, l);
		pos = next;
	}
out:
	return rc;
}

/* Could s[0..n) be a journal name ("Connect Tissue Res", "Proc. Natl.
 * Acad. Sci. U.S.A", "Journal of Hepatology")?  No brackets or commas, and
 * no lower-case word longer than "the": that keeps "(Smith et al. 2019;"
 * in an abstract from passing for a citation. */
static bool is_journal_name(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0 || n > 200 || s[0] == ' ')
		return false;
	while (i < n) {
		size_t w = i;

		if (strchr("()[],;:", s[i]))
			return false;
		if (s[i] == ' ') {
			i++;
			continue;
		}
		while (i < n && s[i] != ' ') {
			if (strchr("()[],;:", s[i]))
				return false;
			i++;
		}
		if (s[w] >= 'a' && s[w] <= 'z' && i - w > 3)
			return false;
	}
	return true;
}

/* Journal-and-year: a journal name, ". ", then a four-digit year
 * 18xx..21xx not followed by another digit.  Returns the offset of the
 * '.' or n. */
static size_t find_journal_year(const char *s, size_t n)
{
	for (size_t i = 0; i + 6 <= n; i++) {
		const char *y = s + i + 2;

		if (s[i] != '.' || s[i + 1] != ' ')
			continue;
		if (!is_ascii_digit(y[0]) || !is_ascii_digit(y[1]) || !is_ascii_digit(y[2]) ||
		    !is_ascii_digit(y[3]))
			continue;
		if (!((y[0] == '1' && y[1] >= '8') || (y[0] == '2' && y[1] <= '1')))
			continue;
		if (i + 6 < n && is_ascii_digit(y[4]))
			continue;
		return is_journal_name(s, i) ? i : n;
	}
	return n;
}

/* A related-article line: "Journal. 2025", "Journal. 2025-7",
 * "Journal. 2025-7-28" (nothing after the date). */
static bool tl_is_related(const text_doc *doc, const text_line *l)
{
	const char *s = doc->data + l->off;
	size_t n = l->end - l->off, i = find_journal_year(s, n), k;

	if (i == 0 || i == n || l->cp > 300)
		return false;
	k = i + 6;
	for (int part = 0; part < 2 && k < n && s[k] == '-'; part++) {
		size_t d = k + 1;

		while (d < n && d - k <= 2 && is_ascii_digit(s[d]))
			d++;
		if (d == k + 1)
			return false;
		k = d;
	}
	return k == n;
}

/* A citation line: "Journal. 2025 Jul 28:1-7. doi: 10.1080/...". */
static bool tl_is_citation(const text_doc *doc, const text_line *l)
{
	const char *s = doc->data + l->off;
	size_t n = l->end - l->off, i;

	if (tl_blank(l) || l->cp > 600 || tl_is_zh(l) || tl_is_related(doc, l))
		return false;
	if (find_ci(s, n, "doi:") < n || find_ci(s, n, "doi.org/") < n)
		return true;
	i = find_journal_year(s, n);
	if (i == n || i == 0 || i > 200)
		return false;
	/* After the year: end, " Jul", ";12(3)", ":1-7", "." */
	i += 6;
	return i == n || s[i] == ';' || s[i] == ':' || s[i] == '.' ||
	       (s[i] == ' ' && i + 1 < n && is_ascii_alpha(s[i + 1]));
}

static const char *const affil_words[] = {
	"department", "university", "hospital", "institute", "school of", "college",
	"center", "centre", "laboratory", "faculty", "clinic", "academy", NULL,
};

/* An affiliation line: an institution word, commas, few sentences. */
static bool tl_is_affiliation(const text_doc *doc, const text_line *l)
{
	const char *s = doc->data + l->off;
	size_t n = l->end - l->off;

	if (l->cp > 600 || l->commas < 2 || l->breaks > 3)
		return false;
	for (int i = 0; affil_words[i]; i++)
		if (find_ci(s, n, affil_words[i]) < n)
			return true;
	return false;
}

/* A structured-abstract label opening the line: "BACKGROUND:",
 * "Materials and methods:", "Trial registration:" (one to five words of
 * letters, the first capitalised, then a colon). */
static bool tl_is_label(const text_doc *doc, const text_line *l)
{
	const char *s = doc->data + l->off;
	size_t n = l->end - l->off, i = 0;
	int words = 0;

	if (n == 0 || !is_ascii_upper((unsigned char)s[0]))
		return false;
	while (i < n && i < 48) {
		if (s[i] == ':')
			return words >= 1 && words <= 5;
		if (is_ascii_alpha((unsigned char)s[i])) {
			if (i == 0 || s[i - 1] == ' ')
				words++;
		} else if (s[i] != ' ' && s[i] != '&' && s[i] != '/' && s[i] != '-') {
			return false;
		}
		i++;
	}
	return false;
}

/* A list of names: comma (or semicolon, 、) separated pieces of at most
 * five words and 40 characters each, e.g. "Li Wei, Zhang Min, Ortiz A".
 * A single piece counts when it is at most three words without a final
 * period. */
static bool tl_is_names(const text_doc *doc, const text_line *l)
{
	const char *s = doc->data + l->off;
	size_t n = l->end - l->off, i = 0;
	int pieces = 0, words = 0, cps = 0;
	bool in_word = false;

	if (l->breaks > 0 && l->commas == 0)
		return false;
	while (i <= n) {
		int32_t cp = ',';

		if (i < n)
			cp = aq_utf8_next(s, n, &i);
		else
			i++;
		if (cp == ',' || cp == ';' || cp == 0xFF0C || cp == 0x3001 || cp == 0xFF1B) {
			if (cps > 0)
				pieces++;
			if (words > 5 || cps > 40)
				return false;
			words = cps = 0;
			in_word = false;
			continue;
		}
		if (aq_cp_is_space(cp)) {
			in_word = false;
			continue;
		}
		/* "and", "van", "de" may be lower case in a name list;
		 * "nurses" may not. */
		if (!in_word) {
			size_t w = i;

			words++;
			if (cp >= 'a' && cp <= 'z') {
				while (w < n && is_ascii_alpha((unsigned char)s[w]))
					w++;
				if (w - i + 1 > 3)
					return false;
			}
		}
		in_word = true;
		cps++;
	}
	if (pieces >= 2)
		return true;
	return pieces == 1 && l->words <= 3 && !l->ends_sentence;
}

/* English prose: enough letters and words, and a sentence that ends. */
static bool tl_is_prose(const text_doc *doc, const text_line *l)
{
	return tl_is_en(l) && l->latin >= 15 && l->words >= 4 &&
	       (l->ends_sentence || l->breaks > 0) && !tl_is_names(doc, l);
}

/* The run of Chinese lines holding the most Han characters.  Returns
 * false when there is none worth the name. */
static bool text_find_zh(const text_doc *doc, size_t *first, size_t *last)
{
	size_t best_han = 0, i = 0;
	bool found = false;

	while (i < doc->n) {
		size_t a = i, han = 0;
		bool stop = false;

		if (!tl_is_zh(&doc->v[i])) {
			i++;
			continue;
		}
		while (i < doc->n && tl_is_zh(&doc->v[i])) {
			han += doc->v[i].han;
			stop = stop || doc->v[i].zh_stop;
			i++;
		}
		if (han > best_han && (han >= ZH_MIN_HAN || (stop && han >= 2))) {
			best_han = han;
			*first = a;
			*last = i - 1;
			found = true;
		}
	}
	return found;
}

/* May line i belong to the English abstract?  Without a citation line to
 * bound the search, affiliation lines also end it. */
static bool text_en_member(const text_doc *doc, size_t i, bool bounded)
{
	const text_line *l = &doc->v[i];

	if (!tl_is_en(l) || tl_is_related(doc, l) || tl_is_citation(doc, l))
		return false;
	if (!bounded && tl_is_affiliation(doc, l) && !tl_is_label(doc, l))
		return false;
	return true;
}

static bool tl_is_en_body(const text_doc *doc, const text_line *l)
{
	return tl_is_prose(doc, l) || tl_is_label(doc, l);
}

/* Trims the candidate run [*a, *b] of English lines.  The end away from
 * the Chinese abstract (the top when English comes first) loses lines that
 * are neither prose nor a labelled section: a title, a name list.  The end
 * next to it is trimmed too unless a citation line bounds the search
 * (bounded), since the last sentence of an abstract may lack its period.
 * Returns false if no line is left, or the one left is not prose. */
static bool text_en_trim(const text_doc *doc, size_t *a, size_t *b, bool en_first,
	bool bounded)
{
	size_t *far = en_first ? a : b, *near = en_first ? b : a;
	int step = en_first ? 1 : -1;
	const text_line *l = NULL;

	while (*a < *b && !tl_is_en_body(doc, &doc->v[*far]))
		*far += (size_t)step;
	while (!bounded && *a < *b && !tl_is_en_body(doc, &doc->v[*near]))
		*near -= (size_t)step;
	if (tl_is_en_body(doc, &doc->v[*a]) || (*a < *b && tl_is_en_body(doc, &doc->v[*b])))
		return true;
	/* One line left that is not a full sentence: still an abstract
	 * when bounded and it has a few words ("... (p" where the source
	 * was cut). */
	l = &doc->v[*a];
	return bounded && *a == *b && l->words >= 3 && l->latin >= 10 && !tl_is_names(doc, l);
}

/* The English abstract: the run of English lines right before the Chinese
 * one (blank lines between them allowed) and at or after lb; else the run
 * right after it. */
static bool text_find_en(const text_doc *doc, size_t lb, bool bounded, size_t zs, size_t ze,
	size_t *first, size_t *last)
{
	size_t i = zs, a, b;

	while (i > lb && tl_blank(&doc->v[i - 1]))
		i--;
	if (i > lb && text_en_member(doc, i - 1, bounded)) {
		b = i - 1;
		a = b;
		while (a > lb && text_en_member(doc, a - 1, bounded))
			a--;
		if (text_en_trim(doc, &a, &b, true, bounded)) {
			*first = a;
			*last = b;
			return true;
		}
	}
	i = ze + 1;
	while (i < doc->n && tl_blank(&doc->v[i]))
		i++;
	if (i < doc->n && text_en_member(doc, i, true)) {
		a = i;
		b = a;
		while (b + 1 < doc->n && text_en_member(doc, b + 1, true))
			b++;
		if (text_en_trim(doc, &a, &b, false, bounded)) {
			*first = a;
			*last = b;
			return true;
		}
	}
	return false;
}

/* Copies lines [a, b] as one abstract: verbatim when no line inside ends in
 * "\r\n", else joined with "\n" (offsets then no longer map linearly). */
static int text_copy(const text_doc *doc, size_t a, size_t b, char **out, size_t *out_len,
	bool *verbatim)
{
	const char *d = doc->data;
	size_t off = doc->v[a].off, end = doc->v[b].end, n = 0;
	bool has_cr = false;
	char *p = NULL;

	for (size_t i = a; i < b; i++)
		has_cr = has_cr || doc->v[i].has_cr;
	p = malloc(end - off + 1);
	if (!p)
		return AQ_ENOMEM;
	if (!has_cr) {
		memcpy(p, d + off, end - off);
		n = end - off;
	} else {
		for (size_t i = a; i <= b; i++) {
			size_t s = i == a ? off : doc->v[i].start;
			size_t e = i == b ? end : (size_t)doc->v[i + 1].start - 1;

			/* Inner lines keep their trailing blanks; only the
			 * "\r" before "\n" goes. */
			if (e > s && d[e - 1] == '\r' && doc->v[i].has_cr)
				e--;
			memcpy(p + n, d + s, e - s);
			n += e - s;
			if (i < b)
				p[n++] = '\n';
		}
	}
	p[n] = '\0';
	*out = p;
	*out_len = n;
	*verbatim = !has_cr;
	return 0;
}

static const char *const month_names[] = {
	"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
};

/* Metadata from the citation line: journal, date, volume, issue, pages,
 * doi.  Fields that are not there are left out. */
static int text_citation_meta(aq_record *rec, const char *s, size_t n)
{
	size_t i, j, k;
	char date[32];
	int rc = 0, month = 0, day = 0;

	if ((rc = aq_record_add_meta(rec, "citation", s, n)))
		goto out;
	i = find_journal_year(s, n);
	if (i < n && i > 0) {
		size_t js = 0;

		/* "1. Connect Tissue Res. 2025": drop a list number. */
		while (js < i && is_ascii_digit((unsigned char)s[js]))
			js++;
		if (js > 0 && js + 1 < i && s[js] == '.' && s[js + 1] == ' ')
			js += 2;
		else
			js = 0;
		if ((rc = aq_record_add_meta(rec, "journal", s + js, i - js)))
			goto out;
		k = i + 6;
		if (k + 4 <= n && s[k] == ' ' && is_ascii_alpha((unsigned char)s[k + 1])) {
			for (int m = 0; m < 12; m++)
				if (starts_ci(s + k + 1, n - k - 1, month_names[m]))
					month = m + 1;
			if (month) {
				k++;
				while (k < n && is_ascii_alpha((unsigned char)s[k]))
					k++;
				/* "Jul-Aug": the first month stands. */
				if (k + 1 < n && s[k] == '-' && is_ascii_alpha((unsigned char)s[k + 1]))
					for (k++; k < n && is_ascii_alpha((unsigned char)s[k]); k++)
						;
				if (k + 1 < n && s[k] == ' ' && is_ascii_digit((unsigned char)s[k + 1])) {
					j = k + 1;
					while (j < n && is_ascii_digit((unsigned char)s[j]) && j - k <= 2)
						day = day * 10 + (s[j++] - '0');
					if (j < n && is_ascii_digit((unsigned char)s[j]))
						day = 0;
					else if (day >= 1 && day <= 31)
						k = j;
					else
						day = 0;
				}
			}
		}
		if (month && day)
			snprintf(date, sizeof(date), "%.4s-%02d-%02d", s + i + 2, month, day);
		else if (month)
			snprintf(date, sizeof(date), "%.4s-%02d", s + i + 2, month);
		else
			snprintf(date, sizeof(date), "%.4s", s + i + 2);
		if ((rc = aq_record_add_meta(rec, "date", date, strlen(date))))
			goto out;
		/* Skip to the first of ';' ':' '.' after the date
		 * ("2025 Spring;3(1)" leaves " Spring" behind). */
		while (k < n && s[k] != ';' && s[k] != ':' && s[k] != '.')
			k++;
		if (k < n && s[k] == ';') {
			j = ++k;
			while (k < n && s[k] != '(' && s[k] != ':' && s[k] != '.' && s[k] != ';')
				k++;
			if (k > j && (rc = aq_record_add_meta(rec, "volume", s + j, k - j)))
				goto out;
			if (k < n && s[k] == '(') {
				j = ++k;
				while (k < n && s[k] != ')')
					k++;
				if (k < n && k > j && (rc = aq_record_add_meta(rec, "issue", s + j, k - j)))
					goto out;
				if (k < n)
					k++;
			}
		}
		if (k < n && s[k] == ':') {
			j = ++k;
			while (k < n && s[k] != ';' && s[k] != ',' && s[k] != ' ' &&
			       !(s[k] == '.' && (k + 1 == n || s[k + 1] == ' ')))
				k++;
			if (k > j && (rc = aq_record_add_meta(rec, "pages", s + j, k - j)))
				goto out;
		}
	}
	i = find_ci(s, n, "doi:");
	if (i < n) {
		i += 4;
	} else {
		i = find_ci(s, n, "doi.org/");
		if (i < n)
			i += 8;
	}
	if (i < n) {
		while (i < n && s[i] == ' ')
			i++;
		j = i;
		while (j < n && s[j] != ' ' && s[j] != '\t')
			j++;
		while (j > i && (s[j - 1] == '.' || s[j - 1] == ',' || s[j - 1] == ';'))
			j--;
		if (j > i && (rc = aq_record_add_meta(rec, "doi", s + i, j - i)))
			goto out;
	}
out:
	return rc;
}

/* Joins the contents of the lines in [a, b] that pass keep() with "\n" and
 * stores them under key. */
static int text_join_meta(aq_record *rec, const text_doc *doc, const char *key, size_t a,
	size_t b, bool (*keep)(const text_doc *, const text_line *))
{
	aq_buf buf;
	int rc = 0;

	aq_buf_init(&buf);
	for (size_t i = a; i < b; i++) {
		const text_line *l = &doc->v[i];

		if (tl_blank(l) || (keep && !keep(doc, l)))
			continue;
		if (buf.len)
			aq_buf_putc(&buf, '\n');
		aq_buf_put(&buf, doc->data + l->off, l->end - l->off);
	}
	if (buf.oom)
		rc = AQ_ENOMEM;
	else if (buf.len)
		rc = aq_record_add_meta(rec, key, buf.ptr, buf.len);
	aq_buf_dispose(&buf);
	return rc;
}

/* Reports the first invalid UTF-8 sequence or NUL byte of data, if any. */
static int text_check_bytes(aq_ctx *ctx, const char *name, uint32_t first_line,
	const char *data, size_t len)
{
	size_t bad = aq_utf8_check(data, len);
	const char *nul = memchr(data, '\0', bad);
	uint32_t line, col;

	if (nul) {
		record_locate(data, (size_t)(nul - data), first_line, &line, &col);
		return aq_ctx_error(ctx, AQ_EINPUT, "%s:%u:%u: NUL byte (byte offset %zu)", name,
			line, col, (size_t)(nul - data));
	}
	if (bad < len) {
		record_locate(data, bad, first_line, &line, &col);
		return aq_ctx_error(ctx, AQ_EINPUT, "%s:%u:%u: invalid UTF-8 (byte offset %zu)",
			name, line, col, bad);
	}
	return 0;
}

/*
 * How the text shape is read:
 *  - the Chinese abstract is the run of consecutive Chinese lines (see
 *    tl_is_zh) holding the most Han characters;
 *  - the citation is the first citation-like line before it; the English
 *    abstract is the run of English lines right before the Chinese one
 *    (blank lines between allowed) and after the citation, else the run
 *    right after the Chinese one; title and name lines at its far end are
 *    trimmed (text_en_trim);
 *  - each abstract runs from the first byte of its first line to the last
 *    byte of its last line, surrounding blanks trimmed, copied verbatim so
 *    that (en_line, en_col) + offset is the position in the input;
 *  - CRLF: a "\r" before "\n" inside a multi-line abstract is dropped and
 *    *_verbatim set to false (offsets past the first line then drift by
 *    one byte per line); a CR that only ends the last line is trimmed and
 *    leaves the abstract verbatim.  Lone CRs are not line breaks;
 *  - a BOM at data[0] is skipped but counted in columns of line 1.
 */
int aq_record_parse_text(aq_record **out, aq_ctx *ctx, const char *name,
	uint32_t first_line, const char *data, size_t len)
{
	text_doc doc = { 0 };
	aq_record *rec = NULL;
	size_t zs = 0, ze = 0, es = 0, ee = 0, lb = 0, first = 0, authors = SIZE_MAX;
	size_t cit = SIZE_MAX, head_end, tail;
	int rc;

	*out = NULL;
	if (len > UINT32_MAX) {
		rc = aq_ctx_error(ctx, AQ_EINPUT, "%s:%u: record larger than 4 GiB", name, first_line);
		goto out;
	}
	if ((rc = text_check_bytes(ctx, name, first_line, data, len)))
		goto out;
	rc = text_split(&doc, data, len);
	if (rc == AQ_ELIMIT) {
		rc = aq_ctx_error(ctx, AQ_EINPUT, "%s:%u: record has more than %u lines", name,
			first_line, TEXT_MAX_LINES);
		goto out;
	}
	if (rc)
		goto out;
	while (first < doc.n && tl_blank(&doc.v[first]))
		first++;
	if (first == doc.n) {
		rc = aq_ctx_error(ctx, AQ_EINPUT, "%s:%u: empty record", name, first_line);
		goto out;
	}
	if (!text_find_zh(&doc, &zs, &ze)) {
		rc = aq_ctx_error(ctx, AQ_EINPUT, "%s:%u: no Chinese abstract found", name,
			first_line);
		goto out;
	}
	for (size_t i = first; i < zs; i++) {
		if (tl_is_citation(&doc, &doc.v[i])) {
			cit = i;
			break;
		}
	}
	if (first < zs && first != cit && tl_is_names(&doc, &doc.v[first]) &&
	    !tl_is_affiliation(&doc, &doc.v[first]))
		authors = first;
	if (cit != SIZE_MAX)
		lb = cit + 1;
	else if (authors != SIZE_MAX)
		lb = authors + 1;
	if (!text_find_en(&doc, lb, cit != SIZE_MAX, zs, ze, &es, &ee)) {
		rc = aq_ctx_error(ctx, AQ_EINPUT, "%s:%u: no English abstract found", name,
			first_line);
		goto out;
	}

	if ((rc = aq_record_new(&rec)))
		goto out;
	rec->line = first_line;
	rec->id = record_id_base(name);
	rec->source = strdup(name);
	if (!rec->id || !rec->source) {
		rc = AQ_ENOMEM;
		goto out;
	}
	if ((rc = text_copy(&doc, es, ee, &rec->en, &rec->en_len, &rec->en_verbatim)) ||
	    (rc = text_copy(&doc, zs, ze, &rec->zh, &rec->zh_len, &rec->zh_verbatim)))
		goto out;
	rec->en_line = first_line + (uint32_t)es;
	rec->en_col = doc.v[es].off - doc.v[es].start + 1;
	rec->zh_line = first_line + (uint32_t)zs;
	rec->zh_col = doc.v[zs].off - doc.v[zs].start + 1;

	/* Metadata from the head (before the first abstract) and the tail. */
	head_end = es < zs ? es : zs;
	if (authors != SIZE_MAX && (rc = aq_record_add_meta(rec, "authors",
			data + doc.v[authors].off, doc.v[authors].end - doc.v[authors].off)))
		goto out;
	first = authors != SIZE_MAX ? authors + 1 : first;
	if (cit != SIZE_MAX)
		rc = text_join_meta(rec, &doc, "affiliations", first, cit, NULL);
	else
		rc = text_join_meta(rec, &doc, "affiliations", first, head_end, tl_is_affiliation);
	if (rc)
		goto out;
	if (cit != SIZE_MAX && (rc = text_citation_meta(rec, data + doc.v[cit].off,
			doc.v[cit].end - doc.v[cit].off)))
		goto out;
	tail = (ee > ze ? ee : ze) + 1;
	if ((rc = text_join_meta(rec, &doc, "related", tail, doc.n, tl_is_related)))
		goto out;
	*out = rec;
	rec = NULL;
out:
	free(doc.v);
	aq_record_free(rec);
	return rc;
}

/* ------------------------------------------------------------------ */
/* JSON Lines */

/* Skips JSON white space from s[i]. */
static size_t json_skip_ws(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

/* s[i] is '"': returns the offset after the closing quote. */
static size_t json_skip_str(const char *s, size_t n, size_t i)
{
	for (i++; i < n && s[i] != '"'; i++)
		if (s[i] == '\\')
			i++;
	return i < n ? i + 1 : n;
}

/* Finds where the values of the top-level keys "en" and "zh" start, by a
 * cheap scan of text jansson has already accepted.  Keys written with
 * escapes are not recognised (their column stays unknown, 0). */
static void json_find_cols(const char *s, size_t n, size_t start, size_t *en_at,
	size_t *zh_at)
{
	size_t i = json_skip_ws(s, n, start);

	*en_at = *zh_at = SIZE_MAX;
	if (i >= n || s[i] != '{')
		return;
	i++;
	for (;;) {
		size_t ks, ke;
		bool plain;

		i = json_skip_ws(s, n, i);
		if (i >= n || s[i] != '"')
			return;
		ks = i + 1;
		i = json_skip_str(s, n, i);
		ke = i - 1;
		plain = memchr(s + ks, '\\', ke > ks ? ke - ks : 0) == NULL;
		i = json_skip_ws(s, n, i);
		if (i >= n || s[i] != ':')
			return;
		i = json_skip_ws(s, n, i + 1);
		if (plain && ke - ks == 2 && memcmp(s + ks, "en", 2) == 0)
			*en_at = i;
		if (plain && ke - ks == 2 && memcmp(s + ks, "zh", 2) == 0)
			*zh_at = i;
		if (i < n && s[i] == '"') {
			i = json_skip_str(s, n, i);
		} else if (i < n && (s[i] == '{' || s[i] == '[')) {
			int depth = 0;

			while (i < n) {
				if (s[i] == '"') {
					i = json_skip_str(s, n, i);
					continue;
				}
				if (s[i] == '{' || s[i] == '[')
					depth++;
				else if ((s[i] == '}' || s[i] == ']') && --depth == 0) {
					i++;
					break;
				}
				i++;
			}
		} else {
			while (i < n && s[i] != ',' && s[i] != '}')
				i++;
		}
		i = json_skip_ws(s, n, i);
		if (i >= n || s[i] != ',')
			return;
		i++;
	}
}

/* A JSON number as the shortest text that reads back the same. */
static void json_real_text(char *buf, size_t size, double v)
{
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			return;
	}
}

/* Stores a metadata value (scalar as text, container as compact JSON). */
static int json_meta(aq_record *rec, aq_ctx *ctx, const char *name, uint32_t lineno,
	const char *key, json_t *v)
{
	char num[64];
	char *dump = NULL;
	int rc = 0;

	switch (json_typeof(v)) {
	case JSON_STRING:
		if (strlen(json_string_value(v)) != json_string_length(v))
			return aq_ctx_error(ctx, AQ_EINPUT,
				"%s:%u: record %s: \"%s\" contains a NUL character", name, lineno,
				rec->id, key);
		return aq_record_add_meta(rec, key, json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return aq_record_add_meta(rec, key, num, strlen(num));
	case JSON_REAL:
		json_real_text(num, sizeof(num), json_real_value(v));
		return aq_record_add_meta(rec, key, num, strlen(num));
	case JSON_TRUE:
		return aq_record_add_meta(rec, key, "true", 4);
	case JSON_FALSE:
		return aq_record_add_meta(rec, key, "false", 5);
	case JSON_NULL:
		return 0;
	default:
		dump = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		if (!dump)
			return AQ_ENOMEM;
		rc = aq_record_add_meta(rec, key, dump, strlen(dump));
		free(dump);
		return rc;
	}
}

/* Takes the "en" or "zh" string of obj into *text. */
static int json_text(aq_record *rec, aq_ctx *ctx, const char *name, uint32_t lineno,
	json_t *obj, const char *key, char **text, size_t *text_len)
{
	json_t *v = json_object_get(obj, key);
	const char *s = NULL;
	size_t n, i = 0;
	bool blank = true;

	if (!v)
		return aq_ctx_error(ctx, AQ_EINPUT, "%s:%u: record %s: missing \"%s\"", name,
			lineno, rec->id, key);
	if (!json_is_string(v))
		return aq_ctx_error(ctx, AQ_EINPUT, "%s:%u: record %s: \"%s\" is not a string",
			name, lineno, rec->id, key);
	s = json_string_value(v);
	n = json_string_length(v);
	if (strlen(s) != n)
		return aq_ctx_error(ctx, AQ_EINPUT,
			"%s:%u: record %s: \"%s\" contains a NUL character", name, lineno, rec->id,
			key);
	while (i < n && blank)
		blank = aq_cp_is_space(aq_utf8_next(s, n, &i));
	if (blank)
		return aq_ctx_error(ctx, AQ_EINPUT, "%s:%u: record %s: \"%s\" is empty", name,
			lineno, rec->id, key);
	*text = record_memdup(s, n);
	*text_len = n;
	return *text ? 0 : AQ_ENOMEM;
}

/*
 * The fast path: most lines are one flat object of strings, integers,
 * booleans and nulls, and a parse that builds the record straight from the
 * line costs about an eighth of jansson's (which builds a json_t tree,
 * copies each string twice and checks UTF-8 again: 280,000 instructions a
 * 1.9 kB record, 35% of the calling thread of an audit).  It answers "not mine" for everything else (nesting, reals,
 * escaped keys, duplicate keys, "\u0000", any error), and jansson then
 * parses the line as before, so that what is accepted, the record made
 * and every error message stay jansson's.  The line is valid UTF-8.
 */
enum { JF_FALLBACK = 1, JF_MAX_KEYS = 32 };

static int jf_hex4(const char *s, size_t n, size_t i, int32_t *cp)
{
	int32_t v = 0;

	if (n - i < 4)
		return -1;
	for (size_t k = i; k < i + 4; k++) {
		int c = (unsigned char)s[k], d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		v = v << 4 | d;
	}
	*cp = v;
	return 0;
}

/* s[*i] is '"': the decoded string, malloc'ed, into *out; *i after the
 * closing quote.  0, JF_FALLBACK or AQ_ENOMEM. */
static int jf_string(const char *s, size_t n, size_t *i, char **out, size_t *out_len)
{
	size_t a = *i + 1, j = a, e, o = 0;
	char *d;

	while (j < n && s[j] != '"' && s[j] != '\\' && (unsigned char)s[j] >= 0x20)
		j++;
	if (j >= n || (unsigned char)s[j] < 0x20)
		return JF_FALLBACK;
	if (s[j] == '"') {
		if (!(*out = record_memdup(s + a, j - a)))
			return AQ_ENOMEM;
		*out_len = j - a;
		*i = j + 1;
		return 0;
	}
	for (e = j; e < n && s[e] != '"'; e++) {
		if ((unsigned char)s[e] < 0x20)
			return JF_FALLBACK;
		if (s[e] == '\\')
			e++;
	}
	if (e >= n)
		return JF_FALLBACK;
	if (!(d = malloc(e - a + 1)))
		return AQ_ENOMEM;
	for (j = a; j < e;) {
		int32_t cp, lo;

		if (s[j] != '\\') {
			d[o++] = s[j++];
			continue;
		}
		switch (s[j + 1]) {
		case '"': case '\\': case '/': d[o++] = s[j + 1]; j += 2; continue;
		case 'b': d[o++] = '\b'; j += 2; continue;
		case 'f': d[o++] = '\f'; j += 2; continue;
		case 'n': d[o++] = '\n'; j += 2; continue;
		case 'r': d[o++] = '\r'; j += 2; continue;
		case 't': d[o++] = '\t'; j += 2; continue;
		case 'u': break;
		default: goto fallback;
		}
		if (jf_hex4(s, e, j + 2, &cp) || cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
			goto fallback;
		j += 6;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (e - j < 6 || s[j] != '\\' || s[j + 1] != 'u' ||
			    jf_hex4(s, e, j + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF)
				goto fallback;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			j += 6;
		}
		o += aq_utf8_encode(d + o, cp);
	}
	d[o] = '\0';
	*out = d;
	*out_len = o;
	*i = e + 1;
	return 0;
fallback:
	free(d);
	return JF_FALLBACK;
}

/* A JSON integer that fits without doubt into num as jansson prints it. */
static int jf_integer(const char *s, size_t n, size_t *i, char num[32])
{
	size_t j = *i, digits = 0;
	bool neg = false;
	long long v = 0;

	if (s[j] == '-') {
		neg = true;
		j++;
	}
	if (j < n && s[j] == '0') {
		j++;
		digits = 1;
	} else {
		for (; j < n && s[j] >= '0' && s[j] <= '9'; j++, digits++)
			if (digits < 18) /* more digits fall back to jansson below */
				v = v * 10 + (s[j] - '0');
	}
	if (digits == 0 || digits > 18 ||
	    (j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.' || s[j] == 'e' || s[j] == 'E')))
		return JF_FALLBACK;
	snprintf(num, 32, "%lld", neg ? -v : v);
	*i = j;
	return 0;
}

/* A text that is not blank (json_text's test). */
static bool jf_has_text(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n)
		if (!aq_cp_is_space(aq_utf8_next(s, n, &i)))
			return true;
	return false;
}

/* 0 with *out made, JF_FALLBACK, or AQ_ENOMEM.  Builds what the jansson
 * path of aq_record_parse_json() builds from the same line. */
static int json_fast(aq_record **out, const char *name, uint32_t lineno, const char *s,
	size_t n, size_t start)
{
	enum { JV_STR, JV_INT, JV_BOOL, JV_NULL };
	struct { size_t off, len; } keys[JF_MAX_KEYS];
	size_t n_keys = 0, i = json_skip_ws(s, n, start), en_at = 0, zh_at = 0;
	aq_record *rec = NULL;
	char *id = NULL, *v = NULL, *base = NULL;
	int rc, id_kind = JV_NULL;

	*out = NULL;
	if (i >= n || s[i] != '{')
		return JF_FALLBACK;
	if ((rc = aq_record_new(&rec)))
		return rc;
	rc = JF_FALLBACK;
	i = json_skip_ws(s, n, i + 1);
	if (i < n && s[i] == '}')
		goto out; /* no "en": jansson's path says so */
	for (;;) {
		size_t ks, klen, vlen = 0;
		char num[32], key[64];
		int kind;

		if (i >= n || s[i] != '"' || n_keys == JF_MAX_KEYS)
			goto out;
		ks = i + 1;
		for (i = ks; i < n && s[i] != '"' && s[i] != '\\' && (unsigned char)s[i] >= 0x20; i++)
			;
		klen = i - ks;
		if (i >= n || s[i] != '"' || klen >= sizeof(key))
			goto out;
		for (size_t k = 0; k < n_keys; k++)
			if (keys[k].len == klen && memcmp(s + keys[k].off, s + ks, klen) == 0)
				goto out;
		keys[n_keys].off = ks;
		keys[n_keys++].len = klen;
		memcpy(key, s + ks, klen);
		key[klen] = '\0';
		i = json_skip_ws(s, n, i + 1);
		if (i >= n || s[i] != ':')
			goto out;
		i = json_skip_ws(s, n, i + 1);
		if (i >= n)
			goto out;
		if (s[i] == '"') {
			size_t at = i;

			if ((rc = jf_string(s, n, &i, &v, &vlen)))
				goto out;
			rc = JF_FALLBACK;
			kind = JV_STR;
			if (strcmp(key, "en") == 0)
				en_at = at;
			else if (strcmp(key, "zh") == 0)
				zh_at = at;
		} else if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) {
			if (jf_integer(s, n, &i, num))
				goto out;
			vlen = strlen(num);
			v = record_memdup(num, vlen);
			kind = JV_INT;
		} else if (n - i >= 4 && memcmp(s + i, "true", 4) == 0) {
			v = record_memdup("true", 4);
			vlen = 4;
			i += 4;
			kind = JV_BOOL;
		} else if (n - i >= 5 && memcmp(s + i, "false", 5) == 0) {
			v = record_memdup("false", 5);
			vlen = 5;
			i += 5;
			kind = JV_BOOL;
		} else if (n - i >= 4 && memcmp(s + i, "null", 4) == 0) {
			i += 4;
			kind = JV_NULL;
		} else {
			goto out;
		}
		if (kind != JV_NULL && !v) {
			rc = AQ_ENOMEM;
			goto out;
		}
		if (strcmp(key, "id") == 0) {
			id_kind = kind;
			id = v;
		} else if (strcmp(key, "en") == 0 || strcmp(key, "zh") == 0) {
			if (kind != JV_STR || !jf_has_text(v, vlen))
				goto out; /* an error: jansson's path words it */
			if (key[0] == 'e') {
				rec->en = v;
				rec->en_len = vlen;
			} else {
				rec->zh = v;
				rec->zh_len = vlen;
			}
		} else if (kind != JV_NULL) {
			rc = aq_record_add_meta(rec, key, v, vlen);
			free(v);
			if (rc)
				goto out_v;
			rc = JF_FALLBACK;
		}
		v = NULL;
		i = json_skip_ws(s, n, i);
		if (i < n && s[i] == ',') {
			i = json_skip_ws(s, n, i + 1);
			continue;
		}
		if (i < n && s[i] == '}') {
			i++;
			break;
		}
		goto out;
	}
	if (json_skip_ws(s, n, i) != n || !rec->en || !rec->zh || id_kind == JV_BOOL)
		goto out;
	if (!(rec->source = strdup(name))) {
		rc = AQ_ENOMEM;
		goto out;
	}
	if (id_kind == JV_STR && id[0] != '\0') {
		rec->id = id;
		id = NULL;
	} else if (id_kind == JV_INT) {
		rec->id = id;
		id = NULL;
	} else {
		char num[16];

		if (!(base = record_id_base(name))) {
			rc = AQ_ENOMEM;
			goto out;
		}
		snprintf(num, sizeof(num), ":%u", lineno);
		if (!(rec->id = malloc(strlen(base) + strlen(num) + 1))) {
			rc = AQ_ENOMEM;
			goto out;
		}
		strcat(strcpy(rec->id, base), num);
	}
	rec->line = rec->en_line = rec->zh_line = lineno;
	rec->en_col = (uint32_t)en_at + 1;
	rec->zh_col = (uint32_t)zh_at + 1;
	*out = rec;
	rec = NULL;
	rc = 0;
out:
	free(v);
out_v:
	free(id);
	free(base);
	aq_record_free(rec);
	return rc;
}

static const char *json_type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER:
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	case JSON_NULL: return "null";
	default: return "an object";
	}
}

static int parse_json(aq_record **out, aq_ctx *ctx, const char *name, uint32_t lineno,
	const char *line, size_t len, bool fast);

int aq_record_parse_json(aq_record **out, aq_ctx *ctx, const char *name,
	uint32_t lineno, const char *line, size_t len)
{
	return parse_json(out, ctx, name, lineno, line, len, true);
}

int aq_record_parse_json_jansson(aq_record **out, aq_ctx *ctx, const char *name,
	uint32_t lineno, const char *line, size_t len)
{
	return parse_json(out, ctx, name, lineno, line, len, false);
}

static int parse_json(aq_record **out, aq_ctx *ctx, const char *name, uint32_t lineno,
	const char *line, size_t len, bool fast)
{
	json_t *obj = NULL, *v = NULL;
	json_error_t err;
	aq_record *rec = NULL;
	const char *key = NULL;
	char *base = NULL;
	size_t start = 0, bad, en_at, zh_at;
	int rc;

	*out = NULL;
	if (len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0)
		start = 3;
	bad = aq_utf8_check(line, len);
	if (bad < len) {
		rc = aq_ctx_error(ctx, AQ_EINPUT, "%s:%u:%zu: invalid UTF-8 (byte offset %zu)",
			name, lineno, bad + 1, bad);
		goto out;
	}
	if (json_skip_ws(line, len, start) == len) {
		rc = aq_ctx_error(ctx, AQ_EINPUT, "%s:%u: invalid JSON: empty line", name, lineno);
		goto out;
	}
	rc = fast ? json_fast(out, name, lineno, line, len, start) : JF_FALLBACK;
	if (rc != JF_FALLBACK)
		goto out;
	/* JSON_ALLOW_NUL so that "\u0000" is seen (and refused below) rather
	 * than cutting a string short. */
	obj = json_loadb(line + start, len - start, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL | JSON_DECODE_ANY, &err);
	if (!obj) {
		rc = aq_ctx_error(ctx, AQ_EINPUT, "%s:%u: invalid JSON: %s (column %zu)", name,
			lineno, err.text, start + (err.position > 0 ? (size_t)err.position : 1));
		goto out;
	}
	if (!json_is_object(obj)) {
		rc = aq_ctx_error(ctx, AQ_EINPUT, "%s:%u: not a JSON object (got %s)", name,
			lineno, json_type_name(obj));
		goto out;
	}
	if ((rc = aq_record_new(&rec)))
		goto out;
	rec->line = lineno;
	rec->source = strdup(name);
	if (!rec->source) {
		rc = AQ_ENOMEM;
		goto out;
	}
	v = json_object_get(obj, "id");
	if (json_is_string(v) && json_string_length(v) > 0) {
		if (strlen(json_string_value(v)) != json_string_length(v)) {
			rc = aq_ctx_error(ctx, AQ_EINPUT, "%s:%u: \"id\" contains a NUL character",
				name, lineno);
			goto out;
		}
		rec->id = strdup(json_string_value(v));
	} else if (json_is_integer(v)) {
		char num[32];

		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		rec->id = strdup(num);
	} else if (!v || json_is_null(v) || json_is_string(v)) {
		char num[16];

		base = record_id_base(name);
		if (!base) {
			rc = AQ_ENOMEM;
			goto out;
		}
		snprintf(num, sizeof(num), ":%u", lineno);
		rec->id = malloc(strlen(base) + strlen(num) + 1);
		if (rec->id)
			strcat(strcpy(rec->id, base), num);
	} else {
		rc = aq_ctx_error(ctx, AQ_EINPUT, "%s:%u: \"id\" must be a string or an integer, not %s",
			name, lineno, json_type_name(v));
		goto out;
	}
	if (!rec->id) {
		rc = AQ_ENOMEM;
		goto out;
	}
	if ((rc = json_text(rec, ctx, name, lineno, obj, "en", &rec->en, &rec->en_len)) ||
	    (rc = json_text(rec, ctx, name, lineno, obj, "zh", &rec->zh, &rec->zh_len)))
		goto out;
	json_find_cols(line, len, start, &en_at, &zh_at);
	rec->en_line = rec->zh_line = lineno;
	rec->en_col = en_at < len ? (uint32_t)en_at + 1 : 1;
	rec->zh_col = zh_at < len ? (uint32_t)zh_at + 1 : 1;
	for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it)) {
		key = json_object_iter_key(it);
		v = json_object_iter_value(it);
#if JANSSON_VERSION_HEX >= 0x020e00
		if (strlen(key) != json_object_iter_key_len(it)) {
			rc = aq_ctx_error(ctx, AQ_EINPUT, "%s:%u: record %s: a key contains a NUL character",
				name, lineno, rec->id);
			goto out;
		}
#endif
		if (strcmp(key, "id") == 0 || strcmp(key, "en") == 0 || strcmp(key, "zh") == 0)
			continue;
		if ((rc = json_meta(rec, ctx, name, lineno, key, v)))
			goto out;
	}
	*out = rec;
	rec = NULL;
out:
	free(base);
	json_decref(obj);
	aq_record_free(rec);
	return rc;
}
