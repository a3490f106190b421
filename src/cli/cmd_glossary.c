/*
 * cmd_glossary.c - `alignqa glossary import`: converts standard term lists
 * (Babelon TSV, SSSOM TSV, TBX) into the glossary TSV that lexicon.c reads
 * (English term, Chinese term, status, note); `alignqa glossary compile`
 * saves a loaded dictionary or glossary in lexicon.c's compiled form.
 * libxml2 is used here and nowhere else; matching terms in text is the
 * library's business.
 */
#include "common.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#define IMPORT_MAX_FILE ((size_t)1 << 30) /* largest term list read (bytes) */

static const char glossary_help[] =
	"Usage: alignqa glossary import [options] INPUT\n"
	"       alignqa glossary compile [--format FMT] IN [IN...] OUT\n"
	"       alignqa glossary --help\n"
	"\n"
	"Converts a standard term list into alignqa's glossary form, a TSV file with\n"
	"one term pair a line: English term, Chinese term, status (preferred,\n"
	"deprecated or forbidden) and a note (the concept's id in the source), for\n"
	"`alignqa check --glossary` and the terminology rules.  Comment lines at the\n"
	"top name the source file.  Duplicate pairs are written once.\n"
	"\n"
	"Input formats:\n"
	"  babelon  Babelon TSV (ontology translations such as the HPO's): columns by\n"
	"           header name: source_value, translation_value and, when present,\n"
	"           source_language (en...), translation_language (zh, zh-CN, zh-Hans,\n"
	"           zh-SG), translation_status (NOT_TRANSLATED rows are skipped;\n"
	"           CANDIDATE is noted), predicate_id (labels and exact synonyms only:\n"
	"           definitions are skipped) and subject_id (the note)\n"
	"  sssom    SSSOM TSV: the '#' metadata block, then rows with subject_label,\n"
	"           object_label and predicate_id; only skos:exactMatch rows without\n"
	"           predicate_modifier Not are taken; the label with Chinese characters\n"
	"           is the Chinese term; the English side's id is the note\n"
	"  tbx      TBX (TBX-Basic, TBX v2 <termEntry>/<langSet>/<tig>|<ntig>, TBX v3\n"
	"           <conceptEntry>/<langSec>/<termSec>): every English term of an entry\n"
	"           is paired with every Simplified Chinese term (xml:lang zh, zh-CN,\n"
	"           zh-Hans, zh-SG); administrativeStatus preferredTerm-admn-sts and\n"
	"           admittedTerm-admn-sts give preferred, deprecatedTerm-admn-sts and\n"
	"           supersededTerm-admn-sts give deprecated; the entry id is the note\n"
	"\n"
	"Options of import:\n"
	"      --from FMT        babelon, sssom or tbx (default: from the content)\n"
	"      --status STATUS   status of terms the source gives none (and of every\n"
	"                        Babelon and SSSOM term): preferred (default),\n"
	"                        deprecated or forbidden\n"
	"  -o, --output FILE     write to FILE instead of standard output\n"
	"  -h, --help            show this help\n"
	"\n"
	"compile reads IN as `--dictionary` or `--glossary` would (CC-CEDICT, its TSV\n"
	"form, a glossary TSV or Babelon file; several INs of one kind are merged, as\n"
	"the team lexicon rules/lexicon/*.txt and CC-CEDICT) and writes it to OUT in\n"
	"compiled form,\n"
	"which loads in milliseconds instead of being parsed again: compile a large\n"
	"dictionary once, then pass OUT to -d/--dictionary (or a compiled glossary to\n"
	"-g/--glossary).  OUT is written to OUT.tmp and renamed.  A compiled file\n"
	"suits this machine's byte order and this version of alignqa only.\n"
	"\n"
	"Options of compile:\n"
	"      --format FMT      auto (default: from the content), cedict (CC-CEDICT's\n"
	"                        own form), cedict-tsv (trad, simp, pinyin, glosses)\n"
	"                        or glossary\n"
	"\n"
	"Exit codes: 0 done, 2 usage error, 3 the input could not be read or is broken\n"
	"(the message names file:line), or the output could not be written.\n";

typedef enum src_format { SRC_AUTO = 0, SRC_BABELON, SRC_SSSOM, SRC_TBX } src_format;

static const char *const src_names[] = { "auto", "Babelon TSV", "SSSOM TSV", "TBX" };

/* ------------------------------------------------------------------ */
/* Output: cleaned, de-duplicated term pairs                           */

typedef struct key_slot {
	uint64_t hash; /* of "en\tzh" */
	size_t off;    /* key in importer.keys; SIZE_MAX: empty slot */
	size_t len;
} key_slot;

typedef struct importer {
	const char *path;   /* input, as given (for messages) */
	const char *status; /* --status */
	aq_buf out;         /* the TSV lines */
	aq_buf keys;        /* "en\tzh" of every pair written, back to back */
	key_slot *tab;      /* open addressing over keys */
	size_t tab_cap, n_keys;
	aq_buf en, zh, note; /* scratch for cleaned fields */
	size_t n_terms;     /* pairs written */
	size_t n_dup;       /* pairs seen before */
	size_t n_skipped;   /* rows or entries without a usable pair */
} importer;

static void importer_init(importer *im, const char *path, const char *status)
{
	memset(im, 0, sizeof(*im));
	im->path = path;
	im->status = status;
	aq_buf_init(&im->out);
	aq_buf_init(&im->keys);
	aq_buf_init(&im->en);
	aq_buf_init(&im->zh);
	aq_buf_init(&im->note);
}

static void importer_dispose(importer *im)
{
	aq_buf_dispose(&im->out);
	aq_buf_dispose(&im->keys);
	aq_buf_dispose(&im->en);
	aq_buf_dispose(&im->zh);
	aq_buf_dispose(&im->note);
	free(im->tab);
}

/* Writes s[0..n) into dst with white space (tabs and line breaks too) run
 * together into one space, the ends trimmed and other control characters
 * dropped: a term must stay one TSV field. */
static void clean_field(aq_buf *dst, const char *s, size_t n)
{
	size_t i = 0;
	bool space = false;

	aq_buf_clear(dst);
	while (i < n) {
		size_t at = i;
		int32_t cp = aq_utf8_next(s, n, &i);

		if (cp < 0 || (cp < 0x20 && !aq_cp_is_space(cp)) || cp == 0x7F)
			continue;
		if (aq_cp_is_space(cp)) {
			space = dst->len > 0;
			continue;
		}
		if (space)
			aq_buf_putc(dst, ' ');
		space = false;
		aq_buf_put(dst, s + at, i - at);
	}
	if (!dst->ptr)
		aq_buf_put(dst, "", 0);
}

/* Remembers the pair in im->keys; returns 1 if it was there already, 0 if
 * new, or -1 when out of memory. */
static int seen_pair(importer *im, const aq_buf *en, const aq_buf *zh)
{
	size_t off = im->keys.len, len = en->len + 1 + zh->len, mask;
	uint64_t h;

	aq_buf_put(&im->keys, en->ptr, en->len);
	aq_buf_putc(&im->keys, '\t');
	aq_buf_put(&im->keys, zh->ptr, zh->len);
	if (im->keys.oom)
		return -1;
	h = aq_hash64(im->keys.ptr + off, len, 0);
	if ((im->n_keys + 1) * 2 > im->tab_cap) {
		size_t cap = im->tab_cap ? im->tab_cap * 2 : 1024;
		key_slot *tab = malloc(cap * sizeof(*tab));

		if (!tab)
			return -1;
		for (size_t i = 0; i < cap; i++)
			tab[i].off = SIZE_MAX;
		for (size_t i = 0; i < im->tab_cap; i++) {
			size_t j;
			if (im->tab[i].off == SIZE_MAX)
				continue;
			for (j = im->tab[i].hash & (cap - 1); tab[j].off != SIZE_MAX; j = (j + 1) & (cap - 1))
				;
			tab[j] = im->tab[i];
		}
		free(im->tab);
		im->tab = tab;
		im->tab_cap = cap;
	}
	mask = im->tab_cap - 1;
	for (size_t j = h & mask;; j = (j + 1) & mask) {
		key_slot *s = &im->tab[j];
		if (s->off == SIZE_MAX) {
			*s = (key_slot){ h, off, len };
			im->n_keys++;
			return 0;
		}
		if (s->hash == h && s->len == len && !memcmp(im->keys.ptr + s->off,
			    im->keys.ptr + off, len)) {
			im->keys.len = off; /* drop the copy */
			return 1;
		}
	}
}

/* Adds one term pair.  Returns 0 or -1 (out of memory). */
static int add_pair(importer *im, const char *en, size_t en_len, const char *zh, size_t zh_len,
	const char *status, const char *note, size_t note_len, const char *note2)
{
	int seen;

	clean_field(&im->en, en, en_len);
	clean_field(&im->zh, zh, zh_len);
	clean_field(&im->note, note ? note : "", note ? note_len : 0);
	if (note2 && *note2) {
		if (im->note.len)
			aq_buf_puts(&im->note, "; ");
		aq_buf_puts(&im->note, note2);
	}
	if (!im->en.len || !im->zh.len) {
		im->n_skipped++;
		return 0;
	}
	if ((seen = seen_pair(im, &im->en, &im->zh)) < 0)
		return -1;
	if (seen) {
		im->n_dup++;
		return 0;
	}
	aq_buf_put(&im->out, im->en.ptr, im->en.len);
	aq_buf_putc(&im->out, '\t');
	aq_buf_put(&im->out, im->zh.ptr, im->zh.len);
	aq_buf_putc(&im->out, '\t');
	aq_buf_puts(&im->out, status ? status : im->status);
	aq_buf_putc(&im->out, '\t');
	aq_buf_put(&im->out, im->note.ptr, im->note.len);
	aq_buf_putc(&im->out, '\n');
	im->n_terms++;
	return im->out.oom || im->en.oom || im->zh.oom || im->note.oom ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Language tags                                                       */

static bool tag_is(const char *s, size_t n, const char *tag)
{
	size_t t = strlen(tag);

	if (n < t || strncasecmp(s, tag, t) != 0)
		return false;
	return n == t || s[t] == '-' || s[t] == '_';
}

static bool lang_is_en(const char *s, size_t n)
{
	return tag_is(s, n, "en") || tag_is(s, n, "eng");
}

/* Simplified Chinese: zh, zh-CN, zh-SG, zh-MY, zh-Hans...; not zh-TW,
 * zh-HK, zh-MO or zh-Hant (the rules check Simplified text). */
static bool lang_is_zh(const char *s, size_t n)
{
	if (!tag_is(s, n, "zh") && !tag_is(s, n, "zho") && !tag_is(s, n, "chi") &&
	    !tag_is(s, n, "cmn"))
		return false;
	for (size_t i = 0; i + 2 <= n; i++) {
		if (s[i] != '-' && s[i] != '_')
			continue;
		if (tag_is(s + i + 1, n - i - 1, "tw") || tag_is(s + i + 1, n - i - 1, "hk") ||
		    tag_is(s + i + 1, n - i - 1, "mo") || tag_is(s + i + 1, n - i - 1, "hant"))
			return false;
	}
	return true;
}

/* ------------------------------------------------------------------ */
/* TSV (Babelon, SSSOM)                                                */

typedef struct field {
	const char *s;
	size_t n;
} field;

typedef struct tsv {
	const char *path;
	char *data;      /* the file (quoted fields are unquoted in place) */
	size_t len, pos;
	uint32_t lineno; /* of the line last returned */
	field *f;        /* fields of the line last split */
	size_t n_f, cap_f;
} tsv;

/* The next line without its line end; false at the end of the data. */
static bool tsv_line(tsv *t, char **s, size_t *n)
{
	char *nl;

	if (t->pos >= t->len)
		return false;
	*s = t->data + t->pos;
	nl = memchr(*s, '\n', t->len - t->pos);
	*n = nl ? (size_t)(nl - *s) : t->len - t->pos;
	t->pos += *n + (nl != NULL);
	t->lineno++;
	if (*n && (*s)[*n - 1] == '\r')
		(*n)--;
	return true;
}

/* Removes the quotes of a "quoted ""field""" in place (as spreadsheet
 * and pandas TSV writers quote); returns the new length. */
static size_t unquote(char *s, size_t n)
{
	size_t w = 0;

	if (n < 2 || s[0] != '"' || s[n - 1] != '"')
		return n;
	for (size_t i = 1; i + 1 < n; i++) {
		s[w++] = s[i];
		if (s[i] == '"' && s[i + 1] == '"')
			i++;
	}
	return w;
}

/* Splits a line at tabs into t->f, unquoting fields.  Returns 0 or -1 (out
 * of memory). */
static int tsv_split(tsv *t, char *s, size_t n)
{
	size_t start = 0;

	t->n_f = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] != '\t')
			continue;
		if (t->n_f == t->cap_f) {
			size_t cap = t->cap_f ? t->cap_f * 2 : 16;
			field *f = realloc(t->f, cap * sizeof(*f));
			if (!f)
				return -1;
			t->f = f;
			t->cap_f = cap;
		}
		t->f[t->n_f++] = (field){ s + start, unquote(s + start, i - start) };
		start = i + 1;
	}
	return 0;
}

/* Column col of the current line ("" if the row is short or col < 0). */
static field tsv_get(const tsv *t, int col)
{
	field f = { "", 0 };

	if (col >= 0 && (size_t)col < t->n_f)
		f = t->f[col];
	return f;
}

static bool field_eq(field f, const char *s)
{
	return f.n == strlen(s) && !strncasecmp(f.s, s, f.n);
}

/* Reads up to and including the header line (after '#' comments and blank
 * lines) and finds the named columns (col[i] = -1 when absent).  Returns 0,
 * or -1 after printing an error naming file:line. */
static int tsv_header(tsv *t, const char *const *names, int *col, size_t n_names)
{
	char *s;
	size_t n;

	while (tsv_line(t, &s, &n)) {
		if (n == 0 || s[0] == '#')
			continue;
		if (aq_utf8_check(s, n) != n) {
			cli_error("%s:%u: invalid UTF-8", t->path, t->lineno);
			return -1;
		}
		if (tsv_split(t, s, n)) {
			cli_error("out of memory");
			return -1;
		}
		for (size_t k = 0; k < n_names; k++) {
			col[k] = -1;
			for (size_t i = 0; i < t->n_f; i++) {
				field f = t->f[i];
				while (f.n && f.s[0] == ' ')
					f.s++, f.n--;
				while (f.n && f.s[f.n - 1] == ' ')
					f.n--;
				if (field_eq(f, names[k])) {
					col[k] = (int)i;
					break;
				}
			}
		}
		return 0;
	}
	cli_error("%s:%u: no header line", t->path, t->lineno ? t->lineno : 1);
	return -1;
}

/* tsv_header(), then the first n_required names must be there: else
 * "file:line: not a WHAT header: no NAME column". */
static int tsv_header_need(tsv *t, const char *const *names, int *col, size_t n_names,
	size_t n_required, const char *what)
{
	if (tsv_header(t, names, col, n_names))
		return -1;
	for (size_t k = 0; k < n_required; k++) {
		if (col[k] < 0) {
			cli_error("%s:%u: not %s header: no %s column", t->path, t->lineno, what,
				names[k]);
			return -1;
		}
	}
	return 0;
}

/* The next data row, split; 0 at the end, 1 for a row, -1 after an error. */
static int tsv_row(tsv *t)
{
	char *s;
	size_t n;

	while (tsv_line(t, &s, &n)) {
		if (n == 0)
			continue;
		if (aq_utf8_check(s, n) != n) {
			cli_error("%s:%u: invalid UTF-8", t->path, t->lineno);
			return -1;
		}
		if (tsv_split(t, s, n)) {
			cli_error("out of memory");
			return -1;
		}
		return 1;
	}
	return 0;
}

/* The part of a CURIE or IRI after its prefix ("rdfs:label" -> "label"). */
static field local_name(field f)
{
	for (size_t i = f.n; i > 0; i--) {
		char c = f.s[i - 1];
		if (c == ':' || c == '#' || c == '/') {
			f.s += i;
			f.n -= i;
			break;
		}
	}
	return f;
}

/* Babelon predicates that name a thing (labels, exact synonyms), as
 * opposed to definitions and comments. */
static bool babelon_is_label(field pred)
{
	field l = local_name(pred);

	return pred.n == 0 || field_eq(l, "label") || field_eq(l, "prefLabel") ||
	       field_eq(l, "altLabel") || field_eq(l, "hasExactSynonym") ||
	       field_eq(l, "exactSynonym");
}

static int import_babelon(importer *im, tsv *t)
{
	enum { SV, TV, SL, TL, ST, ID, PR, N_COLS };
	static const char *const names[N_COLS] = { "source_value", "translation_value",
		"source_language", "translation_language", "translation_status", "subject_id",
		"predicate_id" };
	int col[N_COLS], r;

	if (tsv_header_need(t, names, col, N_COLS, TV + 1, "a Babelon"))
		return -1;
	while ((r = tsv_row(t)) == 1) {
		field sv = tsv_get(t, col[SV]), tv = tsv_get(t, col[TV]), sl = tsv_get(t, col[SL]);
		field tl = tsv_get(t, col[TL]), st = tsv_get(t, col[ST]), id = tsv_get(t, col[ID]);
		field pr = tsv_get(t, col[PR]);
		char status_note[40] = "";

		/* an empty language cell is taken as the pair we want */
		if ((sl.n && !lang_is_en(sl.s, sl.n)) || (tl.n && !lang_is_zh(tl.s, tl.n)) ||
		    !babelon_is_label(pr) ||
		    field_eq(st, "NOT_TRANSLATED")) {
			im->n_skipped++;
			continue;
		}
		if (st.n && !field_eq(st, "OFFICIAL")) {
			size_t k;
			for (k = 0; k < st.n && k + 1 < sizeof(status_note); k++)
				status_note[k] = (char)tolower((unsigned char)st.s[k]);
			status_note[k] = '\0';
		}
		if (add_pair(im, sv.s, sv.n, tv.s, tv.n, NULL, id.s, id.n, status_note)) {
			cli_error("out of memory");
			return -1;
		}
	}
	return r;
}

static int import_sssom(importer *im, tsv *t)
{
	enum { SLAB, OLAB, PRED, SID, OID, MOD, N_COLS };
	static const char *const names[N_COLS] = { "subject_label", "object_label",
		"predicate_id", "subject_id", "object_id", "predicate_modifier" };
	int col[N_COLS], r;

	if (tsv_header_need(t, names, col, N_COLS, PRED + 1, "an SSSOM"))
		return -1;
	while ((r = tsv_row(t)) == 1) {
		field pred = tsv_get(t, col[PRED]), mod = tsv_get(t, col[MOD]);
		field sl = tsv_get(t, col[SLAB]), ol = tsv_get(t, col[OLAB]);
		field sid = tsv_get(t, col[SID]), oid = tsv_get(t, col[OID]);
		bool s_han, o_han;
		int rc = 0;

		if (!field_eq(local_name(pred), "exactMatch") || field_eq(mod, "Not")) {
			im->n_skipped++;
			continue;
		}
		/* The side with Chinese characters is the Chinese term. */
		s_han = aq_han_share(sl.s, sl.n) > 0;
		o_han = aq_han_share(ol.s, ol.n) > 0;
		if (o_han && !s_han)
			rc = add_pair(im, sl.s, sl.n, ol.s, ol.n, NULL, sid.s, sid.n, NULL);
		else if (s_han && !o_han)
			rc = add_pair(im, ol.s, ol.n, sl.s, sl.n, NULL, oid.s, oid.n, NULL);
		else
			im->n_skipped++; /* not an English-Chinese pair */
		if (rc) {
			cli_error("out of memory");
			return -1;
		}
	}
	return r;
}

/* ------------------------------------------------------------------ */
/* TBX                                                                 */

static bool name_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !xmlStrcmp(n->name, (const xmlChar *)name);
}

/* The rank of a TBX administrative status: 0 preferred, 1 admitted (also
 * written preferred, after the preferred ones), 2 deprecated, -1 none or
 * unknown. */
static int tbx_status_rank(const char *v)
{
	if (!v)
		return -1;
	if (strstr(v, "preferred") || strstr(v, "standardized") || strstr(v, "legal") ||
	    strstr(v, "regulated"))
		return 0;
	if (strstr(v, "admitted"))
		return 1;
	if (strstr(v, "deprecated") || strstr(v, "superseded"))
		return 2;
	return -1;
}

/* The administrative status of the term container c (tig, ntig, termSec):
 * <termNote type="administrativeStatus"> (or normativeAuthorization) in
 * TBX-Basic and v2 DCA style, <...:administrativeStatus> in v3 DCT style. */
static int tbx_container_status(const xmlNode *c)
{
	for (const xmlNode *n = c->children; n; n = n->next) {
		int rank = -1;

		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (name_is(n, "termGrp")) {
			rank = tbx_container_status(n);
		} else if (name_is(n, "termNote")) {
			xmlChar *type = xmlGetProp(n, (const xmlChar *)"type");
			if (type && (!xmlStrcmp(type, (const xmlChar *)"administrativeStatus") ||
			    !xmlStrcmp(type, (const xmlChar *)"normativeAuthorization"))) {
				xmlChar *v = xmlNodeGetContent(n);
				rank = tbx_status_rank((const char *)v);
				xmlFree(v);
			}
			xmlFree(type);
		} else if (name_is(n, "administrativeStatus") ||
		    name_is(n, "normativeAuthorization")) {
			xmlChar *v = xmlNodeGetContent(n);
			rank = tbx_status_rank((const char *)v);
			xmlFree(v);
		}
		if (rank >= 0)
			return rank;
	}
	return -1;
}

typedef struct tbx_term {
	xmlChar *text;
	int rank; /* tbx_status_rank, -1 none */
	bool zh;  /* else English */
} tbx_term;

typedef struct tbx_terms {
	tbx_term *v;
	size_t n, cap;
} tbx_terms;

/* Collects the English and Chinese <term>s under n (one entry). */
static int tbx_collect(tbx_terms *ts, xmlNode *n)
{
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (name_is(c, "term")) {
			xmlChar *lang = xmlNodeGetLang(c);
			const xmlNode *box = c->parent;
			bool en = lang && lang_is_en((const char *)lang, strlen((const char *)lang));
			bool zh = lang && lang_is_zh((const char *)lang, strlen((const char *)lang));

			xmlFree(lang);
			if (!en && !zh)
				continue;
			if (box && name_is(box, "termGrp") && box->parent)
				box = box->parent;
			if (ts->n == ts->cap) {
				size_t cap = ts->cap ? ts->cap * 2 : 8;
				tbx_term *v = realloc(ts->v, cap * sizeof(*v));
				if (!v)
					return -1;
				ts->v = v;
				ts->cap = cap;
			}
			ts->v[ts->n].text = xmlNodeGetContent(c);
			ts->v[ts->n].rank = box && (name_is(box, "tig") || name_is(box, "ntig") ||
				name_is(box, "termSec")) ? tbx_container_status(box) : -1;
			ts->v[ts->n].zh = zh;
			if (!ts->v[ts->n].text)
				return -1;
			ts->n++;
			continue;
		}
		if (tbx_collect(ts, c))
			return -1;
	}
	return 0;
}

static void tbx_terms_clear(tbx_terms *ts)
{
	for (size_t i = 0; i < ts->n; i++)
		xmlFree(ts->v[i].text);
	ts->n = 0;
}

/* Writes the pairs of one entry: each English term with each Chinese term,
 * Chinese terms ordered preferred, admitted, unmarked, deprecated (the
 * glossary reader takes a concept's first preferred entry as its own). */
static int tbx_entry(importer *im, xmlNode *entry, tbx_terms *ts)
{
	static const int order[] = { 0, 1, -1, 2 };
	xmlChar *id = xmlGetProp(entry, (const xmlChar *)"id");
	size_t before = im->n_terms + im->n_dup;
	int rc = 0;

	tbx_terms_clear(ts);
	if (tbx_collect(ts, entry)) {
		rc = -1;
		goto out;
	}
	for (size_t o = 0; o < sizeof(order) / sizeof(order[0]) && !rc; o++) {
		for (size_t j = 0; j < ts->n && !rc; j++) {
			const tbx_term *z = &ts->v[j];
			const char *status = z->rank == 2 ? "deprecated" : z->rank >= 0 ? "preferred" :
				NULL;

			if (!z->zh || z->rank != order[o])
				continue;
			for (size_t i = 0; i < ts->n && !rc; i++) {
				const tbx_term *e = &ts->v[i];
				if (e->zh)
					continue;
				rc = add_pair(im, (const char *)e->text, strlen((const char *)e->text),
					(const char *)z->text, strlen((const char *)z->text), status,
					id ? (const char *)id : "", id ? strlen((const char *)id) : 0,
					z->rank == 1 ? "admitted" : NULL);
			}
		}
	}
	if (!rc && im->n_terms + im->n_dup == before)
		im->n_skipped++; /* no English or no Chinese term */
out:
	xmlFree(id);
	return rc;
}

/* Finds the entries (termEntry in TBX v2 and TBX-Basic, conceptEntry in v3). */
static int tbx_walk(importer *im, xmlNode *n, tbx_terms *ts)
{
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (name_is(c, "termEntry") || name_is(c, "conceptEntry")) {
			if (tbx_entry(im, c, ts))
				return -1;
		} else if (tbx_walk(im, c, ts)) {
			return -1;
		}
	}
	return 0;
}

/* The first error libxml2 reports (its "last error" is often a later,
 * less helpful consequence such as "Premature end of data"). */
typedef struct xml_first_error {
	int line;      /* 0 if none yet */
	char msg[256]; /* without the trailing newline */
} xml_first_error;

static void xml_note_error(void *data, xmlErrorPtr e)
{
	xmlParserCtxtPtr pc = data;
	xml_first_error *fe = pc ? pc->_private : NULL;
	size_t n;

	if (!fe || fe->msg[0] || !e || e->level < XML_ERR_ERROR)
		return;
	snprintf(fe->msg, sizeof(fe->msg), "%s", e->message ? e->message : "not well-formed XML");
	n = strlen(fe->msg);
	while (n && (fe->msg[n - 1] == '\n' || fe->msg[n - 1] == ' '))
		fe->msg[--n] = '\0';
	fe->line = e->line;
}

static int import_tbx(importer *im, const char *data, size_t len)
{
	xmlParserCtxtPtr pc = NULL;
	xmlDocPtr doc = NULL;
	xmlNode *root;
	tbx_terms ts = { NULL, 0, 0 };
	xml_first_error fe = { 0, "" };
	int rc = -1;

	if (len > INT32_MAX) {
		cli_error("%s: too large for the XML reader", im->path);
		return -1;
	}
	pc = xmlNewParserCtxt();
	if (!pc) {
		cli_error("out of memory");
		return -1;
	}
	/* Errors come to xml_note_error (not to stderr); no network, no DTD
	 * loading, no entity expansion beyond the predefined ones. */
	pc->_private = &fe;
	pc->sax->serror = xml_note_error;
	doc = xmlCtxtReadMemory(pc, data, (int)len, im->path, NULL,
		XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc || fe.msg[0]) {
		if (!fe.msg[0])
			snprintf(fe.msg, sizeof(fe.msg), "not well-formed XML");
		if (fe.line > 0)
			cli_error("%s:%d: %s", im->path, fe.line, fe.msg);
		else
			cli_error("%s: %s", im->path, fe.msg);
		goto out;
	}
	root = xmlDocGetRootElement(doc);
	if (!root || (!name_is(root, "martif") && !name_is(root, "tbx") &&
	    !name_is(root, "termEntry") && !name_is(root, "conceptEntry"))) {
		cli_error("%s:%ld: not TBX: the root element is <%s>, not <tbx> or <martif>",
			im->path, root ? xmlGetLineNo(root) : 1L,
			root ? (const char *)root->name : "");
		goto out;
	}
	if (name_is(root, "termEntry") || name_is(root, "conceptEntry"))
		rc = tbx_entry(im, root, &ts);
	else
		rc = tbx_walk(im, root, &ts);
	if (rc)
		cli_error("out of memory");
out:
	tbx_terms_clear(&ts);
	free(ts.v);
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(pc);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The command                                                          */

/* Tells the format from the content: '<' first is XML (TBX); else the
 * header line's column names. */
static src_format sniff(const char *data, size_t len)
{
	size_t i = 0;

	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		i = 3;
	while (i < len && isspace((unsigned char)data[i]))
		i++;
	if (i < len && data[i] == '<')
		return SRC_TBX;
	while (i < len) {
		const char *s = data + i, *nl = memchr(s, '\n', len - i);
		size_t n = nl ? (size_t)(nl - s) : len - i;
		bool has_sl, has_ol, has_sv, has_tv;

		i += n + 1;
		if (n == 0 || s[0] == '#')
			continue;
		has_sl = memmem(s, n, "subject_label", 13) != NULL;
		has_ol = memmem(s, n, "object_label", 12) != NULL;
		has_sv = memmem(s, n, "source_value", 12) != NULL;
		has_tv = memmem(s, n, "translation_value", 17) != NULL;
		if (has_sv && has_tv)
			return SRC_BABELON;
		if (has_sl && has_ol)
			return SRC_SSSOM;
		break;
	}
	return SRC_AUTO;
}

static int parse_from(const char *s, src_format *out)
{
	if (!strcmp(s, "babelon"))
		*out = SRC_BABELON;
	else if (!strcmp(s, "sssom"))
		*out = SRC_SSSOM;
	else if (!strcmp(s, "tbx"))
		*out = SRC_TBX;
	else
		return -1;
	return 0;
}

static int glossary_import(int argc, char **argv)
{
	enum { OPT_FROM = 256, OPT_STATUS };
	static const struct option longopts[] = {
		{ "from", required_argument, NULL, OPT_FROM },
		{ "status", required_argument, NULL, OPT_STATUS },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	src_format from = SRC_AUTO;
	const char *status = "preferred", *output = NULL, *path;
	char *data = NULL;
	size_t len = 0, skip = 0;
	importer im;
	tsv t;
	cli_out out;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FROM:
			if (parse_from(optarg, &from))
				return cli_usage_error("glossary import", "--from wants babelon, sssom "
					"or tbx, not '%s'", optarg);
			break;
		case OPT_STATUS:
			if (strcmp(optarg, "preferred") && strcmp(optarg, "deprecated") &&
			    strcmp(optarg, "forbidden"))
				return cli_usage_error("glossary import", "--status wants preferred, "
					"deprecated or forbidden, not '%s'", optarg);
			status = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			fputs(glossary_help, stdout);
			return EXIT_CLEAN;
		default:
			return cli_usage_error("glossary import", "bad option");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("glossary import", "wants exactly one INPUT file");
	path = argv[optind];
	if (cli_read_file(path, IMPORT_MAX_FILE, &data, &len))
		return EXIT_INPUT;
	if (from == SRC_AUTO && (from = sniff(data, len)) == SRC_AUTO) {
		free(data);
		cli_error("%s: cannot tell the format (not XML, and the first line is neither "
			"a Babelon nor an SSSOM header); use --from", path);
		return EXIT_INPUT;
	}
	importer_init(&im, path, status);
	memset(&t, 0, sizeof(t));
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		skip = 3;
	t.path = path;
	t.data = data + skip;
	t.len = len - skip;
	if (from == SRC_BABELON)
		rc = import_babelon(&im, &t);
	else if (from == SRC_SSSOM)
		rc = import_sssom(&im, &t);
	else
		rc = import_tbx(&im, data, len);
	if (rc) {
		rc = EXIT_INPUT;
		goto out;
	}
	if (cli_out_open(&out, output)) {
		rc = EXIT_INPUT;
		goto out;
	}
	aq_buf_puts(&out.buf, "# alignqa glossary: English term, Chinese term, status, note\n");
	aq_buf_puts(&out.buf, "# imported by `alignqa glossary import` from ");
	for (const char *p = path; *p; p++)
		aq_buf_putc(&out.buf, *p == '\n' || *p == '\r' ? ' ' : *p);
	aq_buf_printf(&out.buf, " (%s); check the source's licence before sharing\n",
		src_names[from]);
	aq_buf_put(&out.buf, im.out.ptr ? im.out.ptr : "", im.out.len);
	rc = cli_out_close(&out) ? EXIT_INPUT : EXIT_CLEAN;
	if (rc == EXIT_CLEAN)
		fprintf(stderr, "alignqa: %zu term pair%s from %s (%zu duplicate%s, %zu row%s or "
			"entr%s skipped)\n", im.n_terms, im.n_terms == 1 ? "" : "s", path, im.n_dup,
			im.n_dup == 1 ? "" : "s", im.n_skipped, im.n_skipped == 1 ? "" : "s",
			im.n_skipped == 1 ? "y" : "ies");
out:
	free(t.f);
	importer_dispose(&im);
	free(data);
	return rc;
}

static int parse_lex_format(const char *s, aq_lexicon_format *out)
{
	if (!strcmp(s, "auto"))
		*out = AQ_LEX_AUTO;
	else if (!strcmp(s, "cedict"))
		*out = AQ_LEX_CEDICT;
	else if (!strcmp(s, "cedict-tsv"))
		*out = AQ_LEX_CEDICT_TSV;
	else if (!strcmp(s, "glossary"))
		*out = AQ_LEX_GLOSSARY;
	else
		return -1;
	return 0;
}

static int glossary_compile(int argc, char **argv)
{
	enum { OPT_FORMAT = 256 };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	aq_lexicon_format fmt = AQ_LEX_AUTO;
	aq_lexicon *lex = NULL;
	aq_ctx *ctx = NULL;
	int c, rc = EXIT_INPUT;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (parse_lex_format(optarg, &fmt))
				return cli_usage_error("glossary compile", "--format wants auto, cedict, "
					"cedict-tsv or glossary, not '%s'", optarg);
			break;
		case 'h':
			fputs(glossary_help, stdout);
			return EXIT_CLEAN;
		default:
			return cli_usage_error("glossary compile", "bad option");
		}
	}
	if (argc - optind < 2)
		return cli_usage_error("glossary compile", "wants input files IN... and an output "
			"file OUT");
	if (aq_ctx_new(&ctx)) {
		cli_error("out of memory");
		return EXIT_INPUT;
	}
	if (aq_lexicon_load_files(&lex, ctx, (const char *const *)argv + optind,
		(size_t)(argc - optind - 1), fmt)) {
		cli_error("%s", aq_ctx_errmsg(ctx));
		goto out;
	}
	if (aq_lexicon_save(lex, ctx, argv[argc - 1])) {
		cli_error("%s", aq_ctx_errmsg(ctx));
		goto out;
	}
	fprintf(stderr, "alignqa: %zu entr%s of %s%s compiled to %s\n", aq_lexicon_size(lex),
		aq_lexicon_size(lex) == 1 ? "y" : "ies", argv[optind],
		argc - optind > 2 ? " and the files after it" : "", argv[argc - 1]);
	rc = EXIT_CLEAN;
out:
	aq_lexicon_free(lex);
	aq_ctx_free(ctx);
	return rc;
}

int cmd_glossary(int argc, char **argv)
{
	if (argc < 2) {
		fputs(glossary_help, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(glossary_help, stdout);
		return EXIT_CLEAN;
	}
	if (!strcmp(argv[1], "import"))
		return glossary_import(argc - 1, argv + 1);
	if (!strcmp(argv[1], "compile"))
		return glossary_compile(argc - 1, argv + 1);
	return cli_usage_error("glossary", "unknown subcommand '%s' (try 'import' or 'compile')",
		argv[1]);
}
