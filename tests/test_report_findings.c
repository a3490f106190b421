/*
 * test_report_findings.c - the finding writers: the exact JSONL contract,
 * the text format's places and ^~~ marks (East Asian widths), the JSON and
 * SARIF documents parsed back with jansson, JUnit XML checked for
 * well-formedness, GitHub command escaping, escaping of hostile ids and
 * messages in every format, and aq_record_locate.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "alignqa.h"

/* ------------------------------------------------------------------ */
/* Fixture: one record, three sentences a side, three findings.        */

/*
 * en (verbatim from line 5):           zh (verbatim from line 8):
 *   0 "Alpha beta."          [0,11)      0 "第一句。"          [0,12)
 *   1 "Gamma 二十 delta XYZ." [12,35)     1 "第二句有XYZ。"      [12,30)
 *   2 "Last one."            [36,45)
 * beads: 0-0 (1-1), 1-1 (1-1), 2-none (1-0)
 */
static const char fx_en[] = "Alpha beta.\nGamma \xE4\xBA\x8C\xE5\x8D\x81 delta XYZ.\nLast one.";
static const char fx_zh[] = "第一句。第二句有XYZ。";

typedef struct fixture {
	aq_record *rec;
	aq_spans en, zh;
	aq_beads beads;
	aq_findings fs;
	aq_alignment a;
} fixture;

static void add(aq_findings *fs, const char *rule, aq_severity sev, aq_category cat,
	uint32_t eo, uint32_t ee, uint32_t zo, uint32_t ze, uint32_t bead, const char *msg,
	uint64_t fp)
{
	aq_span en = { eo, ee }, zh = { zo, ze };

	assert_int_equal(aq_findings_add(fs, rule, sev, cat, eo == AQ_NO_SPAN ? NULL : &en,
		zo == AQ_NO_SPAN ? NULL : &zh, bead, msg), 0);
	fs->v[fs->n - 1].fingerprint = fp;
}

static fixture *fixture_new(bool verbatim)
{
	fixture *f = calloc(1, sizeof(*f));
	aq_bead b[3] = { { 0, 0, 1, 1, 1.0f }, { 1, 1, 1, 1, 0.9f }, { 2, 2, 1, 0, 0.5f } };

	assert_non_null(f);
	assert_int_equal(aq_record_new(&f->rec), 0);
	f->rec->id = strdup("r1");
	f->rec->source = strdup("dir/a b.txt");
	f->rec->en = strdup(fx_en);
	f->rec->en_len = strlen(fx_en);
	f->rec->zh = strdup(fx_zh);
	f->rec->zh_len = strlen(fx_zh);
	f->rec->line = 2;
	if (verbatim) {
		f->rec->en_line = 5;
		f->rec->en_col = 1;
		f->rec->zh_line = 8;
		f->rec->zh_col = 1;
		f->rec->en_verbatim = f->rec->zh_verbatim = true;
	} else {
		/* JSONL: both strings on the record's line, columns of their quotes */
		f->rec->en_line = f->rec->zh_line = 2;
		f->rec->en_col = 40;
		f->rec->zh_col = 90;
	}
	aq_spans_init(&f->en);
	aq_spans_init(&f->zh);
	aq_spans_push(&f->en, 0, 11);
	aq_spans_push(&f->en, 12, 35);
	aq_spans_push(&f->en, 36, 45);
	aq_spans_push(&f->zh, 0, 12);
	aq_spans_push(&f->zh, 12, 30);
	aq_beads_init(&f->beads);
	f->beads.v = malloc(sizeof(b));
	memcpy(f->beads.v, b, sizeof(b));
	f->beads.n = f->beads.cap = 3;
	aq_findings_init(&f->fs);
	add(&f->fs, "num.changed", AQ_SEV_ERROR, AQ_CAT_NUMBER, 18, 24, 24, 27, 1,
		"number 二十 became XYZ", 0x1111111111111111ULL);
	add(&f->fs, "struct.omission", AQ_SEV_WARNING, AQ_CAT_OMISSION, 36, 45, AQ_NO_SPAN,
		AQ_NO_SPAN, 2, "sentence not translated", 0x2222222222222222ULL);
	add(&f->fs, "meta.record", AQ_SEV_INFO, AQ_CAT_METADATA, AQ_NO_SPAN, AQ_NO_SPAN,
		AQ_NO_SPAN, AQ_NO_SPAN, AQ_NO_SPAN, "record-level note", 0xabcdef0123456789ULL);
	f->a.rec = f->rec;
	f->a.en_sents = &f->en;
	f->a.zh_sents = &f->zh;
	f->a.beads = &f->beads;
	return f;
}

static void fixture_free(fixture *f)
{
	aq_record_free(f->rec);
	aq_spans_dispose(&f->en);
	aq_spans_dispose(&f->zh);
	aq_beads_dispose(&f->beads);
	aq_findings_dispose(&f->fs);
	free(f);
}

static int setup(void **state)
{
	*state = fixture_new(true);
	return 0;
}

static int teardown(void **state)
{
	fixture_free(*state);
	return 0;
}

/* Runs a whole report: begin, the fixture's record, input errors, end.
 * Returns the output (caller frees). */
static char *run_report(aq_report_format fmt, const aq_rules *rules, const aq_alignment *a,
	const aq_findings *fs, const char *input_error)
{
	aq_ctx *ctx;
	aq_reporter *rep;
	aq_buf b;

	aq_buf_init(&b);
	assert_int_equal(aq_ctx_new(&ctx), 0);
	assert_int_equal(aq_reporter_new(&rep, ctx, fmt, rules), 0);
	assert_int_equal(aq_reporter_begin(rep, &b), 0);
	if (a)
		assert_int_equal(aq_reporter_record(rep, &b, a, fs), 0);
	if (input_error)
		assert_int_equal(aq_reporter_input_error(rep, &b, input_error), 0);
	assert_int_equal(aq_reporter_end(rep, &b), 0);
	aq_reporter_free(rep);
	aq_ctx_free(ctx);
	if (!b.ptr)
		aq_buf_put(&b, "", 0);
	return b.ptr;
}

/* ------------------------------------------------------------------ */
/* Format names                                                        */

static void test_format_parse(void **state)
{
	static const struct {
		const char *name;
		int rc;
		aq_report_format fmt;
	} cases[] = {
		{ "text", 0, AQ_REPORT_TEXT }, { "json", 0, AQ_REPORT_JSON },
		{ "jsonl", 0, AQ_REPORT_JSONL }, { "sarif", 0, AQ_REPORT_SARIF },
		{ "junit", 0, AQ_REPORT_JUNIT }, { "github", 0, AQ_REPORT_GITHUB },
		{ "JSON", AQ_EINVAL, 0 }, { "", AQ_EINVAL, 0 }, { "xml", AQ_EINVAL, 0 },
		{ NULL, AQ_EINVAL, 0 },
	};
	aq_ctx *ctx;
	aq_reporter *rep = NULL;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		aq_report_format fmt = (aq_report_format)99;
		assert_int_equal(aq_report_format_parse(&fmt, cases[i].name), cases[i].rc);
		if (cases[i].rc == 0)
			assert_int_equal(fmt, cases[i].fmt);
	}
	assert_int_equal(aq_ctx_new(&ctx), 0);
	assert_int_equal(aq_reporter_new(&rep, ctx, (aq_report_format)42, NULL), AQ_EINVAL);
	assert_null(rep);
	aq_reporter_free(NULL);
	aq_ctx_free(ctx);
}

/* ------------------------------------------------------------------ */
/* aq_record_locate                                                    */

static void test_locate(void **state)
{
	static const struct {
		aq_lang lang;
		uint32_t off, line, col;
	} cases[] = {
		{ AQ_LANG_EN, 0, 5, 1 },
		{ AQ_LANG_EN, 6, 5, 7 },
		{ AQ_LANG_EN, 11, 5, 12 },   /* the line break itself */
		{ AQ_LANG_EN, 12, 6, 1 },    /* first byte of line 6 */
		{ AQ_LANG_EN, 18, 6, 7 },    /* 二 */
		{ AQ_LANG_EN, 21, 6, 8 },    /* 十: one column per code point */
		{ AQ_LANG_EN, 19, 6, 8 },    /* inside 二: counts from the next start */
		{ AQ_LANG_EN, 31, 6, 16 },   /* XYZ after two CJK characters */
		{ AQ_LANG_EN, 36, 7, 1 },
		{ AQ_LANG_EN, 45, 7, 10 },   /* the end */
		{ AQ_LANG_EN, 4000, 7, 10 }, /* past the end: clamped */
		{ AQ_LANG_ZH, 0, 8, 1 },
		{ AQ_LANG_ZH, 12, 8, 5 },
		{ AQ_LANG_ZH, 24, 8, 9 },
		{ AQ_LANG_ZH, 30, 8, 13 },
	};
	fixture *f = *state;
	uint32_t line, col;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		aq_record_locate(f->rec, cases[i].lang, cases[i].off, &line, &col);
		if (line != cases[i].line || col != cases[i].col)
			fail_msg("case %zu: off %u: got %u:%u, want %u:%u", i, cases[i].off, line,
				col, cases[i].line, cases[i].col);
	}
	/* a first line that starts at column 3 */
	f->rec->en_col = 3;
	aq_record_locate(f->rec, AQ_LANG_EN, 6, &line, &col);
	assert_int_equal(line, 5);
	assert_int_equal(col, 9);
	aq_record_locate(f->rec, AQ_LANG_EN, 12, &line, &col);
	assert_int_equal(col, 1);
	/* not verbatim (JSONL): always the string's start */
	f->rec->en_verbatim = false;
	aq_record_locate(f->rec, AQ_LANG_EN, 31, &line, &col);
	assert_int_equal(line, 5);
	assert_int_equal(col, 3);
	/* nothing known: the record's line */
	f->rec->en_line = 0;
	aq_record_locate(f->rec, AQ_LANG_EN, 31, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 1);
}

/* ------------------------------------------------------------------ */
/* JSONL: the contract, byte for byte                                  */

static void test_jsonl_contract(void **state)
{
	fixture *f = *state;
	char *out = run_report(AQ_REPORT_JSONL, NULL, &f->a, &f->fs, "ignored.jsonl:3: bad");

	assert_string_equal(out,
		"{\"id\":\"r1\",\"findings\":["
		"{\"rule\":\"num.changed\",\"severity\":\"error\",\"category\":\"number\","
		"\"message\":\"number 二十 became XYZ\",\"en\":[18,24],\"zh\":[24,27],"
		"\"bead\":1,\"fingerprint\":\"1111111111111111\"},"
		"{\"rule\":\"struct.omission\",\"severity\":\"warning\",\"category\":\"omission\","
		"\"message\":\"sentence not translated\",\"en\":[36,45],\"zh\":null,"
		"\"bead\":2,\"fingerprint\":\"2222222222222222\"},"
		"{\"rule\":\"meta.record\",\"severity\":\"info\",\"category\":\"metadata\","
		"\"message\":\"record-level note\",\"en\":null,\"zh\":null,"
		"\"bead\":null,\"fingerprint\":\"abcdef0123456789\"}]}\n");
	free(out);

	/* a record without findings still gets its line */
	{
		aq_findings none;
		aq_findings_init(&none);
		out = run_report(AQ_REPORT_JSONL, NULL, &f->a, &none, NULL);
		assert_string_equal(out, "{\"id\":\"r1\",\"findings\":[]}\n");
		free(out);
		out = run_report(AQ_REPORT_JSONL, NULL, &f->a, NULL, NULL);
		assert_string_equal(out, "{\"id\":\"r1\",\"findings\":[]}\n");
		free(out);
	}
}

/* ------------------------------------------------------------------ */
/* Text                                                                */

static void test_text(void **state)
{
	fixture *f = *state;
	char *out = run_report(AQ_REPORT_TEXT, NULL, &f->a, &f->fs, "x.jsonl:3: bad record");

	assert_string_equal(out,
		"dir/a b.txt:8:9: error: number 二十 became XYZ [num.changed]\n"
		"  en   1 | Gamma 二十 delta XYZ.\n"
		"         |       ^~~~\n"
		"  zh   1 | 第二句有XYZ。\n"
		"         |         ^~~\n"
		"\n"
		"dir/a b.txt:7:1: warning: sentence not translated [struct.omission]\n"
		"  en   2 | Last one.\n" /* the whole sentence: no marks */
		"\n"
		"dir/a b.txt:2: info: record-level note [meta.record]\n"
		"\n"
		"1 error, 1 warning, 1 info in 1 record; 1 input error\n");
	free(out);
}

/* Finding without a span on one side: that side shows its bead, unmarked;
 * an empty span gets a single caret. */
static void test_text_context(void **state)
{
	fixture *f = *state;
	aq_findings fs;
	char *out;

	aq_findings_init(&fs);
	add(&fs, "x.gap", AQ_SEV_WARNING, AQ_CAT_ALIGNMENT, AQ_NO_SPAN, AQ_NO_SPAN, 12, 12, 1,
		"missing here", 1);
	out = run_report(AQ_REPORT_TEXT, NULL, &f->a, &fs, NULL);
	assert_string_equal(out,
		"dir/a b.txt:8:5: warning: missing here [x.gap]\n"
		"  en   1 | Gamma 二十 delta XYZ.\n"
		"  zh   1 | 第二句有XYZ。\n"
		"         | ^\n"
		"\n"
		"0 errors, 1 warning, 0 infos in 1 record\n");
	free(out);
	aq_findings_dispose(&fs);
}

/* Display width of s[0..n) as the test strings use it: Han characters and
 * full-width punctuation 2, everything else 1. */
static size_t test_width(const char *s, size_t n)
{
	size_t i = 0, w = 0;

	while (i < n) {
		int32_t cp = aq_utf8_next(s, n, &i);
		w += aq_cp_is_han(cp) || (cp >= 0x3000 && cp <= 0x303F) ||
		     (cp >= 0xFF00 && cp <= 0xFF60) ? 2 : 1;
	}
	return w;
}

/* In the text output, the caret under the line showing mark must sit at
 * the display column where mark starts. */
static void assert_caret_under(const char *out, const char *mark)
{
	const char *at = strstr(out, mark), *ls, *caret_line, *caret;

	assert_non_null(at);
	for (ls = at; ls > out && ls[-1] != '\n'; ls--)
		;
	caret_line = strchr(at, '\n');
	assert_non_null(caret_line);
	caret_line++;
	caret = strchr(caret_line, '^');
	assert_non_null(caret);
	assert_true(caret < strchr(caret_line, '\n'));
	assert_int_equal((size_t)(caret - caret_line), test_width(ls, (size_t)(at - ls)));
}

/* Long sentences are cut to a window around the mark, with "…". */
static void test_text_window(void **state)
{
	static const struct {
		const char *unit; /* repeated to fill the sentence */
		size_t reps;
		size_t mark_at;   /* in units */
	} cases[] = {
		{ "word ", 40, 35 },          /* 200 columns of ASCII, mark near the end */
		{ "word ", 40, 1 },           /* mark near the start: no left ellipsis */
		{ "研究", 60, 50 },            /* 240 columns of Han */
		{ "ab研", 50, 25 },            /* mixed widths */
	};
	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		fixture *f = fixture_new(true);
		aq_buf text;
		aq_findings fs;
		uint32_t mo, me;
		char *out;

		aq_buf_init(&text);
		for (size_t i = 0; i < cases[c].reps; i++) {
			if (i == cases[c].mark_at)
				aq_buf_puts(&text, "MARK");
			aq_buf_puts(&text, cases[c].unit);
		}
		mo = (uint32_t)(strstr(text.ptr, "MARK") - text.ptr);
		me = mo + 4;
		free(f->rec->zh);
		f->rec->zh = strdup(text.ptr);
		f->rec->zh_len = text.len;
		f->zh.n = 0;
		aq_spans_push(&f->zh, 0, (uint32_t)text.len);
		aq_findings_init(&fs);
		add(&fs, "x.m", AQ_SEV_ERROR, AQ_CAT_STYLE, AQ_NO_SPAN, AQ_NO_SPAN, mo, me, 0,
			"m", 1);
		out = run_report(AQ_REPORT_TEXT, NULL, &f->a, &fs, NULL);
		assert_caret_under(out, "MARK");
		assert_non_null(strstr(out, "^~~~\n"));
		{
			/* the shown sentence is at most 100 columns + the label */
			const char *l = strstr(out, "  zh   0 | ");
			const char *e = strchr(l, '\n');
			assert_true(test_width(l, (size_t)(e - l)) <= 11 + 100);
			if (cases[c].mark_at > 10)
				assert_non_null(strstr(l, "| \xE2\x80\xA6"));
		}
		free(out);
		aq_findings_dispose(&fs);
		aq_buf_dispose(&text);
		fixture_free(f);
	}
}

/* ------------------------------------------------------------------ */
/* A minimal XML well-formedness check (enough for what the writer may  */
/* produce: declaration, elements, attributes, text, references).      */

static bool xml_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == ':' || c == '.';
}

/* s at '&': true if a reference we write follows; advances *i past it. */
static bool xml_ref(const char *s, size_t *i)
{
	static const char *const ents[] = { "&amp;", "&lt;", "&gt;", "&quot;", "&apos;" };
	size_t j;

	for (size_t k = 0; k < 5; k++) {
		if (!strncmp(s + *i, ents[k], strlen(ents[k]))) {
			*i += strlen(ents[k]);
			return true;
		}
	}
	if (s[*i + 1] != '#')
		return false;
	for (j = *i + 2; s[j] >= '0' && s[j] <= '9'; j++)
		;
	if (j == *i + 2 || s[j] != ';')
		return false;
	*i = j + 1;
	return true;
}

static bool xml_well_formed(const char *s)
{
	char stack[32][128];
	size_t depth = 0, i = 0, len = strlen(s), roots = 0;

	if (aq_utf8_check(s, len) != len)
		return false;
	for (size_t k = 0; k < len; k++) {
		unsigned char c = (unsigned char)s[k];
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			return false;
		if (c == 0xEF && (unsigned char)s[k + 1] == 0xBF && ((unsigned char)s[k + 2] == 0xBE ||
		    (unsigned char)s[k + 2] == 0xBF))
			return false; /* U+FFFE, U+FFFF */
	}
	if (!strncmp(s, "<?xml ", 6)) {
		const char *e = strstr(s, "?>");
		if (!e)
			return false;
		i = (size_t)(e - s) + 2;
	}
	while (i < len) {
		if (s[i] == '&') {
			if (!xml_ref(s, &i))
				return false;
			continue;
		}
		if (s[i] == '>')
			return false; /* we always escape it */
		if (s[i] != '<') {
			if (depth == 0 && s[i] != '\n' && s[i] != ' ')
				return false; /* text outside the root */
			i++;
			continue;
		}
		i++;
		if (s[i] == '/') {
			size_t n = 0;
			i++;
			while (xml_name_char(s[i]))
				n++, i++;
			if (s[i] != '>' || depth == 0 || strlen(stack[depth - 1]) != n ||
			    strncmp(stack[depth - 1], s + i - n, n))
				return false;
			depth--;
			i++;
			continue;
		}
		{
			size_t n = 0, start = i;
			while (xml_name_char(s[i]))
				n++, i++;
			if (n == 0 || n >= sizeof(stack[0]) || depth == 32)
				return false;
			if (depth == 0 && roots++)
				return false;
			memcpy(stack[depth], s + start, n);
			stack[depth][n] = '\0';
			for (;;) {
				while (s[i] == ' ' || s[i] == '\n' || s[i] == '\t')
					i++;
				if (s[i] == '/' && s[i + 1] == '>') {
					i += 2;
					break;
				}
				if (s[i] == '>') {
					depth++;
					i++;
					break;
				}
				n = 0;
				while (xml_name_char(s[i]))
					n++, i++;
				if (n == 0 || s[i] != '=' || s[i + 1] != '"')
					return false;
				i += 2;
				while (s[i] != '"') {
					if (!s[i] || s[i] == '<' || s[i] == '\n' || s[i] == '\t')
						return false;
					if (s[i] == '&') {
						if (!xml_ref(s, &i))
							return false;
					} else {
						i++;
					}
				}
				i++;
			}
		}
	}
	return depth == 0 && roots == 1;
}

static void test_xml_checker(void **state)
{
	(void)state;
	assert_true(xml_well_formed("<?xml version=\"1.0\"?>\n<a x=\"1&amp;\"><b/>t&#10;</a>\n"));
	assert_false(xml_well_formed("<a><b></a></b>"));
	assert_false(xml_well_formed("<a x=\"<\"/>"));
	assert_false(xml_well_formed("<a>&nbsp;</a>"));
	assert_false(xml_well_formed("<a>\x01</a>"));
	assert_false(xml_well_formed("<a/><b/>"));
}

/* ------------------------------------------------------------------ */
/* JUnit                                                               */

static void test_junit(void **state)
{
	fixture *f = *state;
	char *out = run_report(AQ_REPORT_JUNIT, NULL, &f->a, &f->fs,
		"broken.jsonl:2: invalid JSON \"<x>\"");

	assert_true(xml_well_formed(out));
	assert_non_null(strstr(out, "<testsuites name=\"alignqa\" tests=\"2\" failures=\"1\" "
		"errors=\"1\">"));
	assert_non_null(strstr(out, "<testcase classname=\"dir/a b.txt\" name=\"r1\">"));
	assert_non_null(strstr(out, "<failure message=\"number 二十 became XYZ\" "
		"type=\"num.changed\">dir/a b.txt:8:9: error: number 二十 became XYZ "
		"[num.changed]\ndir/a b.txt:7:1: warning:"));
	assert_non_null(strstr(out, "<testcase classname=\"broken.jsonl\" name=\"input error 1\">"));
	assert_non_null(strstr(out, "<error message=\"broken.jsonl:2: invalid JSON "
		"&quot;&lt;x&gt;&quot;\" type=\"input\">"));
	assert_null(strstr(out, "time="));
	free(out);
}

/* The JUnit failure threshold follows --fail-on: below it, findings are
 * listed in <system-out> and the test case passes. */
static void test_junit_fail_on(void **state)
{
	fixture *f = *state;
	aq_findings fs;
	aq_ctx *ctx;
	aq_reporter *rep;
	aq_buf b;

	aq_findings_init(&fs);
	add(&fs, "w.only", AQ_SEV_WARNING, AQ_CAT_STYLE, 0, 5, AQ_NO_SPAN, AQ_NO_SPAN, 0, "w", 7);
	for (int threshold = AQ_SEV_INFO; threshold <= AQ_SEV_ERROR; threshold++) {
		aq_buf_init(&b);
		assert_int_equal(aq_ctx_new(&ctx), 0);
		assert_int_equal(aq_reporter_new(&rep, ctx, AQ_REPORT_JUNIT, NULL), 0);
		aq_reporter_set_fail_on(rep, (aq_severity)threshold);
		assert_int_equal(aq_reporter_begin(rep, &b), 0);
		assert_int_equal(aq_reporter_record(rep, &b, &f->a, &fs), 0);
		assert_int_equal(aq_reporter_end(rep, &b), 0);
		assert_true(xml_well_formed(b.ptr));
		if (threshold <= AQ_SEV_WARNING) {
			assert_non_null(strstr(b.ptr, "failures=\"1\""));
			assert_non_null(strstr(b.ptr, "<failure message=\"w\" type=\"w.only\">"));
		} else {
			assert_non_null(strstr(b.ptr, "failures=\"0\""));
			assert_non_null(strstr(b.ptr, "<system-out>dir/a b.txt:5:1: warning: w [w.only]\n"
				"</system-out>"));
		}
		aq_reporter_free(rep);
		aq_ctx_free(ctx);
		aq_buf_dispose(&b);
	}
	aq_findings_dispose(&fs);
}

/* ------------------------------------------------------------------ */
/* GitHub                                                              */

static void test_github(void **state)
{
	fixture *f = *state;
	char *out = run_report(AQ_REPORT_GITHUB, NULL, &f->a, &f->fs,
		"in,put.jsonl:3: bad: 100%\nsecond line");

	assert_string_equal(out,
		"::error file=dir/a b.txt,line=8,col=9,endLine=8,endColumn=11,title=num.changed::"
		"number 二十 became XYZ\n"
		"::warning file=dir/a b.txt,line=7,col=1,endLine=7,endColumn=9,"
		"title=struct.omission::sentence not translated\n"
		"::notice file=dir/a b.txt,line=2,title=meta.record::record-level note\n"
		"::error file=in%2Cput.jsonl,line=3,title=input error::in,put.jsonl:3: bad: 100%25"
		"%0Asecond line\n");
	free(out);
}

/* Spans over several lines carry no columns (annotations cannot); JSONL
 * records carry only the start. */
static void test_github_places(void **state)
{
	fixture *f = *state;
	aq_findings fs;
	char *out;

	aq_findings_init(&fs);
	add(&fs, "x.multi", AQ_SEV_ERROR, AQ_CAT_STYLE, 6, 17, AQ_NO_SPAN, AQ_NO_SPAN, 0, "m", 1);
	out = run_report(AQ_REPORT_GITHUB, NULL, &f->a, &fs, NULL);
	assert_string_equal(out, "::error file=dir/a b.txt,line=5,endLine=6,title=x.multi::m\n");
	free(out);
	f->rec->en_verbatim = false;
	out = run_report(AQ_REPORT_GITHUB, NULL, &f->a, &fs, NULL);
	assert_string_equal(out, "::error file=dir/a b.txt,line=5,col=1,title=x.multi::m\n");
	free(out);
	aq_findings_dispose(&fs);
}

/* ------------------------------------------------------------------ */
/* JSON and SARIF, parsed back                                         */

static json_t *parse(const char *out)
{
	json_error_t err;
	json_t *j = json_loads(out, 0, &err);

	if (!j)
		fail_msg("not JSON: %s (line %d): %s", err.text, err.line, out);
	return j;
}

static void test_json_document(void **state)
{
	fixture *f = *state;
	char *out = run_report(AQ_REPORT_JSON, NULL, &f->a, &f->fs, "b.jsonl:2: oops");
	json_t *j = parse(out), *recs, *r0, *sum, *f0;

	recs = json_object_get(j, "records");
	assert_true(json_is_array(recs));
	assert_int_equal(json_array_size(recs), 1);
	r0 = json_array_get(recs, 0);
	assert_string_equal(json_string_value(json_object_get(r0, "id")), "r1");
	assert_string_equal(json_string_value(json_object_get(r0, "source")), "dir/a b.txt");
	assert_int_equal(json_array_size(json_object_get(r0, "findings")), 3);
	f0 = json_array_get(json_object_get(r0, "findings"), 0);
	assert_int_equal(json_integer_value(json_object_get(f0, "line")), 8);
	assert_int_equal(json_integer_value(json_object_get(f0, "column")), 9);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(f0, "zh"), 1)), 27);
	sum = json_object_get(j, "summary");
	assert_int_equal(json_integer_value(json_object_get(sum, "records")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "errors")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "warnings")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "infos")), 1);
	assert_int_equal(json_integer_value(json_object_get(sum, "input_errors")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(j, "input_errors"), 0), "message")), "b.jsonl:2: oops");
	json_decref(j);
	free(out);

	/* no records at all is still one valid document */
	out = run_report(AQ_REPORT_JSON, NULL, NULL, NULL, NULL);
	j = parse(out);
	assert_int_equal(json_array_size(json_object_get(j, "records")), 0);
	json_decref(j);
	free(out);
}

/* Writes a small rule pack and loads it, so that SARIF has rule metadata. */
static aq_rules *load_rules(aq_ctx *ctx)
{
	static const char pack_num[] =
		"pack: num\n"
		"description: test\n"
		"rules:\n"
		"  - id: changed\n"
		"    kind: forbid\n"
		"    severity: error\n"
		"    category: number\n"
		"    message: \"number {match} changed\"\n"
		"    description: \"A number differs between the sentences. Check it.\"\n"
		"    pattern: \"QQQQ\"\n"
		"    side: zh\n";
	static const char pack_struct[] =
		"pack: struct\n"
		"description: test\n"
		"rules:\n"
		"  - id: omission\n"
		"    kind: forbid\n"
		"    severity: warning\n"
		"    category: omission\n"
		"    message: \"sentence not translated\"\n"
		"    pattern: \"QQQQ\"\n"
		"    side: zh\n"
		"    enabled: false\n";
	char dir[] = "/tmp/aq-test-rules-XXXXXX", path[128];
	aq_rules *rules;
	FILE *fp;

	assert_non_null(mkdtemp(dir));
	assert_int_equal(aq_rules_new(&rules, ctx), 0);
	snprintf(path, sizeof(path), "%s/num.yaml", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs(pack_num, fp);
	fclose(fp);
	if (aq_rules_load_file(rules, path))
		fail_msg("%s", aq_ctx_errmsg(ctx));
	unlink(path);
	snprintf(path, sizeof(path), "%s/struct.yaml", dir);
	assert_non_null(fp = fopen(path, "w"));
	fputs(pack_struct, fp);
	fclose(fp);
	if (aq_rules_load_file(rules, path))
		fail_msg("%s", aq_ctx_errmsg(ctx));
	unlink(path);
	rmdir(dir);
	return rules;
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("key '%s' is not a string", key);
	return json_string_value(v);
}

static json_int_t jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("key '%s' is not an integer", key);
	return json_integer_value(v);
}

static void test_sarif(void **state)
{
	fixture *f = *state;
	aq_ctx *ctx;
	aq_rules *rules;
	json_t *j, *run, *driver, *rl, *results, *res, *loc, *region, *inv, *note;
	char *out;

	assert_int_equal(aq_ctx_new(&ctx), 0);
	rules = load_rules(ctx);
	out = run_report(AQ_REPORT_SARIF, rules, &f->a, &f->fs, "b.jsonl:2: oops");
	j = parse(out);
	assert_string_equal(jstr(j, "version"), "2.1.0");
	assert_string_equal(jstr(j, "$schema"), "https://json.schemastore.org/sarif-2.1.0.json");
	assert_int_equal(json_array_size(json_object_get(j, "runs")), 1);
	run = json_array_get(json_object_get(j, "runs"), 0);
	assert_string_equal(jstr(run, "columnKind"), "unicodeCodePoints");
	driver = json_object_get(json_object_get(run, "tool"), "driver");
	assert_string_equal(jstr(driver, "name"), "alignqa");
	assert_string_equal(jstr(driver, "version"), AQ_VERSION);

	/* rules: every loaded rule, in aq_rules_get order, with metadata */
	rl = json_object_get(driver, "rules");
	assert_int_equal(json_array_size(rl), aq_rules_count(rules));
	for (size_t i = 0; i < json_array_size(rl); i++) {
		json_t *r = json_array_get(rl, i);
		const aq_rule_info *info = aq_rules_get(rules, i);
		const char *level = jstr(json_object_get(r, "defaultConfiguration"), "level");

		assert_string_equal(jstr(r, "id"), info->id);
		assert_true(strlen(jstr(r, "name")) > 0);
		assert_true(strlen(jstr(json_object_get(r, "shortDescription"), "text")) > 0);
		assert_true(strlen(jstr(json_object_get(r, "fullDescription"), "text")) > 0);
		assert_true(!strcmp(level, "error") || !strcmp(level, "warning") ||
			!strcmp(level, "note"));
		assert_string_equal(jstr(json_object_get(r, "properties"), "category"),
			aq_category_name(info->category));
	}
	{
		json_t *r0 = json_array_get(rl, 0), *r1 = json_array_get(rl, 1);
		assert_string_equal(jstr(r0, "name"), "NumChanged");
		assert_string_equal(jstr(json_object_get(r0, "shortDescription"), "text"),
			"A number differs between the sentences.");
		assert_true(json_is_false(json_object_get(json_object_get(r1,
			"defaultConfiguration"), "enabled")));
	}

	/* results */
	results = json_object_get(run, "results");
	assert_int_equal(json_array_size(results), 3);
	for (size_t i = 0; i < 3; i++) {
		const char *level;

		res = json_array_get(results, i);
		level = jstr(res, "level");
		assert_true(!strcmp(level, "error") || !strcmp(level, "warning") ||
			!strcmp(level, "note"));
		assert_true(strlen(jstr(json_object_get(res, "message"), "text")) > 0);
		loc = json_array_get(json_object_get(res, "locations"), 0);
		assert_string_equal(jstr(json_object_get(json_object_get(loc, "physicalLocation"),
			"artifactLocation"), "uri"), "dir/a%20b.txt");
		region = json_object_get(json_object_get(loc, "physicalLocation"), "region");
		assert_true(jint(region, "startLine") >= 1);
		if (json_object_get(region, "startColumn"))
			assert_true(jint(region, "startColumn") >= 1);
		assert_int_equal(strlen(jstr(json_object_get(res, "partialFingerprints"),
			"alignqaFingerprint/v1")), 16);
		assert_string_equal(jstr(json_object_get(res, "properties"), "record"), "r1");
	}
	res = json_array_get(results, 0);
	assert_string_equal(jstr(res, "ruleId"), "num.changed");
	assert_int_equal(jint(res, "ruleIndex"), 0);
	assert_string_equal(jstr(res, "level"), "error");
	region = json_object_get(json_object_get(json_array_get(json_object_get(res, "locations"),
		0), "physicalLocation"), "region");
	assert_int_equal(jint(region, "startLine"), 8);
	assert_int_equal(jint(region, "startColumn"), 9);
	assert_int_equal(jint(region, "endLine"), 8);
	assert_int_equal(jint(region, "endColumn"), 12); /* exclusive */
	/* the English side as a related location */
	loc = json_array_get(json_object_get(res, "relatedLocations"), 0);
	region = json_object_get(json_object_get(loc, "physicalLocation"), "region");
	assert_int_equal(jint(region, "startLine"), 6);
	assert_int_equal(jint(region, "startColumn"), 7);
	assert_int_equal(jint(loc, "id"), 1);
	assert_string_equal(jstr(json_object_get(res, "partialFingerprints"),
		"alignqaFingerprint/v1"), "1111111111111111");
	res = json_array_get(results, 1);
	assert_int_equal(jint(res, "ruleIndex"), 1);
	assert_string_equal(jstr(res, "level"), "warning");
	res = json_array_get(results, 2);
	assert_null(json_object_get(res, "ruleIndex")); /* not a loaded rule */
	assert_string_equal(jstr(res, "level"), "note");
	region = json_object_get(json_object_get(json_array_get(json_object_get(res, "locations"),
		0), "physicalLocation"), "region");
	assert_int_equal(jint(region, "startLine"), 2);
	assert_null(json_object_get(region, "startColumn"));

	/* invocations: the input error as a notification */
	inv = json_array_get(json_object_get(run, "invocations"), 0);
	assert_true(json_is_false(json_object_get(inv, "executionSuccessful")));
	note = json_array_get(json_object_get(inv, "toolExecutionNotifications"), 0);
	assert_string_equal(jstr(note, "level"), "error");
	assert_string_equal(jstr(json_object_get(note, "message"), "text"), "b.jsonl:2: oops");
	json_decref(j);
	free(out);

	/* without rules and input errors */
	out = run_report(AQ_REPORT_SARIF, NULL, &f->a, &f->fs, NULL);
	j = parse(out);
	run = json_array_get(json_object_get(j, "runs"), 0);
	assert_int_equal(json_array_size(json_object_get(json_object_get(json_object_get(run,
		"tool"), "driver"), "rules")), 0);
	assert_null(json_object_get(json_array_get(json_object_get(run, "results"), 0),
		"ruleIndex"));
	inv = json_array_get(json_object_get(run, "invocations"), 0);
	assert_true(json_is_true(json_object_get(inv, "executionSuccessful")));
	json_decref(j);
	free(out);

	aq_rules_free(rules);
	aq_ctx_free(ctx);
}

static void test_sarif_uri(void **state)
{
	static const struct {
		const char *source, *uri;
	} cases[] = {
		{ "dir/a b.txt", "dir/a%20b.txt" },
		{ "/abs/path/x.jsonl", "file:///abs/path/x.jsonl" },
		{ "c:x#1?.txt", "c%3Ax%231%3F.txt" },
		{ "研究.txt", "%E7%A0%94%E7%A9%B6.txt" },
		{ "100%.txt", "100%25.txt" },
		{ "-", "-" },
	};
	fixture *f = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out;
		json_t *j, *res;

		free(f->rec->source);
		f->rec->source = strdup(cases[i].source);
		out = run_report(AQ_REPORT_SARIF, NULL, &f->a, &f->fs, NULL);
		j = parse(out);
		res = json_array_get(json_object_get(json_array_get(json_object_get(j, "runs"), 0),
			"results"), 0);
		assert_string_equal(jstr(json_object_get(json_object_get(json_array_get(
			json_object_get(res, "locations"), 0), "physicalLocation"), "artifactLocation"),
			"uri"), cases[i].uri);
		json_decref(j);
		free(out);
	}
}

/* ------------------------------------------------------------------ */
/* Hostile strings in every format                                     */

static const char hostile_id[] = "<script>alert(\"x\")</script>\n\x01\x1b[31m\xff\xe2\x80\xae";
static const char hostile_msg[] = "50% done\r\nnext: a,b <b>&amp; '\x02' \xc3";
static const char hostile_rule[] = "x.y:z,w";

static void test_escaping(void **state)
{
	fixture *f = *state;
	aq_findings fs;

	free(f->rec->id);
	f->rec->id = strdup(hostile_id);
	free(f->rec->source);
	f->rec->source = strdup("a\"b<c>.txt");
	aq_findings_init(&fs);
	add(&fs, hostile_rule, AQ_SEV_ERROR, AQ_CAT_STYLE, 0, 5, AQ_NO_SPAN, AQ_NO_SPAN, 0,
		hostile_msg, 5);
	for (int fmt = AQ_REPORT_TEXT; fmt <= AQ_REPORT_GITHUB; fmt++) {
		char *out = run_report((aq_report_format)fmt, NULL, &f->a, &fs, hostile_msg);
		size_t len = strlen(out);

		/* every format writes valid UTF-8 without raw C0 controls other
		 * than line ends (and tabs, which no format needs here) */
		assert_int_equal(aq_utf8_check(out, len), len);
		for (size_t i = 0; i < len; i++) {
			unsigned char c = (unsigned char)out[i];
			if (c < 0x20 && c != '\n')
				fail_msg("format %d: control byte 0x%02x at %zu", fmt, c, i);
		}
		switch (fmt) {
		case AQ_REPORT_JSON:
		case AQ_REPORT_SARIF: {
			json_t *j = parse(out);
			json_decref(j);
			break;
		}
		case AQ_REPORT_JSONL: {
			json_t *j = parse(out);
			json_t *f0 = json_array_get(json_object_get(j, "findings"), 0);
			/* the id comes back with only the invalid byte replaced */
			assert_string_equal(json_string_value(json_object_get(j, "id")),
				"<script>alert(\"x\")</script>\n\x01\x1b[31m\xef\xbf\xbd\xe2\x80\xae");
			assert_string_equal(json_string_value(json_object_get(f0, "message")),
				"50% done\r\nnext: a,b <b>&amp; '\x02' \xef\xbf\xbd");
			assert_string_equal(json_string_value(json_object_get(f0, "rule")), hostile_rule);
			json_decref(j);
			break;
		}
		case AQ_REPORT_JUNIT:
			assert_true(xml_well_formed(out));
			assert_null(strstr(out, "<script>"));
			assert_null(strstr(out, "<b>"));
			break;
		case AQ_REPORT_GITHUB: {
			/* one command a line: finding and input error */
			size_t lines = 0;
			for (size_t i = 0; i < len; i++)
				lines += out[i] == '\n';
			assert_int_equal(lines, 2);
			assert_non_null(strstr(out, "title=x.y%3Az%2Cw::50%25 done%0D%0Anext: a,b"));
			assert_non_null(strstr(out, "file=a\"b<c>.txt,"));
			break;
		}
		case AQ_REPORT_TEXT:
			/* no bidi override reaches a terminal */
			assert_null(strstr(out, "\xe2\x80\xae"));
			/* one line for the header, the message's line break a space */
			assert_non_null(strstr(out, "a\"b<c>.txt:5:1: error: 50% done  next: a,b "
				"<b>&amp; ' ' \xef\xbf\xbd [x.y:z,w]\n"));
			break;
		}
		free(out);
	}
	aq_findings_dispose(&fs);
}

/* Spans that point outside the text (a buggy rule) must not be read. */
static void test_bad_spans(void **state)
{
	fixture *f = *state;
	aq_findings fs;

	aq_findings_init(&fs);
	add(&fs, "x.bad", AQ_SEV_ERROR, AQ_CAT_STYLE, 40, 4000, 29, 3, 77, "bad", 1);
	for (int fmt = AQ_REPORT_TEXT; fmt <= AQ_REPORT_GITHUB; fmt++) {
		char *out = run_report((aq_report_format)fmt, NULL, &f->a, &fs, NULL);
		assert_true(strlen(out) > 0);
		free(out);
	}
	aq_findings_dispose(&fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test_setup_teardown(test_locate, setup, teardown),
		cmocka_unit_test_setup_teardown(test_jsonl_contract, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text, setup, teardown),
		cmocka_unit_test_setup_teardown(test_text_context, setup, teardown),
		cmocka_unit_test(test_text_window),
		cmocka_unit_test(test_xml_checker),
		cmocka_unit_test_setup_teardown(test_junit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_junit_fail_on, setup, teardown),
		cmocka_unit_test_setup_teardown(test_github, setup, teardown),
		cmocka_unit_test_setup_teardown(test_github_places, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json_document, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sarif, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sarif_uri, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escaping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_spans, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
