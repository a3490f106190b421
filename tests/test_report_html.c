/*
 * test_report_html.c - the HTML report writer: hostile text, ids, metadata
 * and messages escaped everywhere, marks at the right byte spans (ASCII and
 * CJK), overlapping findings cut into nested marks, records without stored
 * text, and every page well-formed (a small tag-balance checker).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alignqa.h"

/* Whether every element of html[0..len) is closed in order.  Void elements
 * need no end tag; script and style content is skipped. */
static bool tags_balanced(const char *html)
{
	static const char *const void_tags[] = { "meta", "br", "input", "hr", "img", "link" };
	char stack[64][16];
	size_t depth = 0;
	const char *p = html;

	while ((p = strchr(p, '<'))) {
		bool closing = p[1] == '/';
		const char *name = p + 1 + closing, *e = name;
		char tag[16];
		size_t n;
		bool is_void = false;

		if (*name == '!') { /* <!DOCTYPE html> */
			p = strchr(p, '>');
			if (!p)
				return false;
			continue;
		}
		while ((*e >= 'a' && *e <= 'z') || (*e >= '0' && *e <= '9'))
			e++;
		n = (size_t)(e - name);
		if (n == 0 || n >= sizeof(tag))
			return false; /* a '<' that is not a tag: text was not escaped */
		memcpy(tag, name, n);
		tag[n] = '\0';
		p = strchr(e, '>');
		if (!p)
			return false;
		p++;
		for (size_t i = 0; i < sizeof(void_tags) / sizeof(void_tags[0]); i++)
			is_void |= !strcmp(tag, void_tags[i]);
		if (closing) {
			if (depth == 0 || strcmp(stack[depth - 1], tag))
				return false;
			depth--;
		} else if (!is_void) {
			if (depth == 64)
				return false;
			strcpy(stack[depth++], tag);
			if (!strcmp(tag, "script") || !strcmp(tag, "style")) {
				char end[24];

				snprintf(end, sizeof(end), "</%s>", tag);
				if (!(p = strstr(p, end)))
					return false;
			}
		}
	}
	return depth == 0;
}

/* The text of html with every tag removed (entities stay). */
static char *strip_tags(const char *html)
{
	char *out = malloc(strlen(html) + 1), *o = out;
	bool in_tag = false;

	assert_non_null(out);
	for (; *html; html++) {
		if (*html == '<')
			in_tag = true;
		else if (*html == '>' && in_tag)
			in_tag = false;
		else if (!in_tag)
			*o++ = *html;
	}
	*o = '\0';
	return out;
}

static size_t count_of(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static aq_store_finding finding(const char *rule, const char *sev, const char *cat,
	const char *msg, int en_off, int en_end, int zh_off, int zh_end)
{
	aq_store_finding f;

	memset(&f, 0, sizeof(f));
	f.record = "r";
	f.rule = rule;
	f.severity = sev;
	f.category = cat;
	f.message = msg;
	f.fingerprint = "0000000000000000";
	f.has_en = en_off >= 0;
	f.en_off = (uint32_t)(en_off >= 0 ? en_off : 0);
	f.en_end = (uint32_t)(en_end >= 0 ? en_end : 0);
	f.has_zh = zh_off >= 0;
	f.zh_off = (uint32_t)(zh_off >= 0 ? zh_off : 0);
	f.zh_end = (uint32_t)(zh_end >= 0 ? zh_end : 0);
	return f;
}

/* en "One sentence. Two sentences." [0,13) [14,28); zh "一句。两句。" [0,9) [9,18). */
static const char en_text[] = "One sentence. Two sentences.";
static const char zh_text[] = "一句。两句。";
static const aq_span en_sents[] = { { 0, 13 }, { 14, 28 } };
static const aq_span zh_sents[] = { { 0, 9 }, { 9, 18 } };
static const aq_bead beads[] = { { 0, 0, 1, 1, 0.9f }, { 1, 1, 1, 1, 0.8f } };

static aq_store_full_record record(const char *id, const aq_store_finding *f, size_t n)
{
	aq_store_full_record r;

	memset(&r, 0, sizeof(r));
	r.run = 1;
	r.record = id;
	r.source = "a.txt";
	r.date = "2025-01-02";
	r.en = en_text;
	r.en_len = strlen(en_text);
	r.zh = zh_text;
	r.zh_len = strlen(zh_text);
	r.en_sents = en_sents;
	r.n_en_sents = 2;
	r.zh_sents = zh_sents;
	r.n_zh_sents = 2;
	r.beads = beads;
	r.n_beads = 2;
	r.findings = f;
	r.n_findings = n;
	return r;
}

static void test_marks_cjk_spans(void **state)
{
	aq_store_finding f[2];
	aq_store_full_record r;
	aq_buf b;

	(void)state;
	f[0] = finding("numbers.changed", "error", "number", "two", -1, -1, 9, 15); /* 两句 */
	f[1] = finding("style.x", "info", "style", "Two", 14, 17, -1, -1);
	r = record("rec-1", f, 2);
	aq_buf_init(&b);
	assert_int_equal(aq_report_html_record(&b, &r), 0);
	assert_non_null(strstr(b.ptr, "<mark class=\"f sev-error cat-number rule-numbers_changed\" "
		"title=\"two [numbers.changed]\">两句</mark>。"));
	assert_non_null(strstr(b.ptr, "<mark class=\"f sev-info cat-style rule-style_x\" "
		"title=\"Two [style.x]\">Two</mark> sentences."));
	/* Both findings are listed under the second bead, none after the table. */
	assert_int_equal(count_of(b.ptr, "<li class=\"f "), 2);
	assert_true(strstr(b.ptr, "<li class=\"f ") < strstr(b.ptr, "</table>"));
	assert_true(tags_balanced(b.ptr));
	aq_buf_dispose(&b);
}

static void test_overlapping_marks_nest(void **state)
{
	aq_store_finding f[3];
	aq_store_full_record r;
	aq_buf b;
	char *text;

	(void)state;
	/* "One sentence." : [2,8) and [5,11) overlap; [4,6) inside the first. */
	f[0] = finding("a.one", "error", "number", "A", 2, 8, -1, -1);
	f[1] = finding("b.two", "warning", "omission", "B", 5, 11, -1, -1);
	f[2] = finding("c.three", "info", "style", "C", 4, 6, -1, -1);
	r = record("rec-2", f, 3);
	aq_buf_init(&b);
	assert_int_equal(aq_report_html_record(&b, &r), 0);
	assert_true(tags_balanced(b.ptr));
	/* Cut at 2, 4, 5, 6, 8, 11: "e " A; "s" A C; "e" A B C; "nt" A B; "enc" B. */
	assert_non_null(strstr(b.ptr, "On<mark class=\"f sev-error cat-number rule-a_one\" "
		"title=\"A [a.one]\">e </mark>"));
	assert_non_null(strstr(b.ptr, "title=\"C [c.three]\">e</mark></mark></mark>"));
	assert_non_null(strstr(b.ptr, "title=\"B [b.two]\">enc</mark>e."));
	text = strip_tags(strstr(b.ptr, "<td lang=\"en\">"));
	assert_true(strncmp(text, "One sentence.", 13) == 0);
	free(text);
	aq_buf_dispose(&b);
}

static void test_escapes_everything(void **state)
{
	static const char evil_en[] = "<script>alert('x')</script> & \"q\".";
	static const aq_span evil_sents[] = { { 0, sizeof(evil_en) - 1 } };
	static const aq_bead one_bead[] = { { 0, 0, 1, 1, 0.5f } };
	static const aq_html_count counts[] = {
		{ "rule", "<b>r\"'&", 1 },
		{ "severity", "error", 1 },
		{ "journal", "J <i>&amp;", 1 },
	};
	aq_html_page pg = { "Report <x>", 1, 2, NULL, "next\"page.html", 3, 0, 2 };
	aq_store_finding f[1];
	aq_store_full_record r;
	aq_buf b;

	(void)state;
	f[0] = finding("<b>r\"'&", "error", "number", "msg <img src=x onerror=y> \"' &", 0, 8,
		-1, -1);
	r = record("<script>id</script>'\"&", f, 1);
	r.en = evil_en;
	r.en_len = strlen(evil_en);
	r.en_sents = evil_sents;
	r.n_en_sents = 1;
	r.beads = one_bead;
	r.n_beads = 1;
	r.source = "<s>.txt";
	r.journal = "J\"ournal";
	r.doi = "10.1/<x>";
	aq_buf_init(&b);
	assert_int_equal(aq_report_html_begin(&b, &pg, counts, 3), 0);
	assert_int_equal(aq_report_html_record(&b, &r), 0);
	assert_int_equal(aq_report_html_end(&b, &pg), 0);
	/* One script element only: the page's own. */
	assert_int_equal(count_of(b.ptr, "<script"), 1);
	assert_null(strstr(b.ptr, "<img"));
	assert_null(strstr(b.ptr, "<b>"));
	assert_null(strstr(b.ptr, "<x>"));
	assert_null(strstr(b.ptr, "<s>"));
	assert_non_null(strstr(b.ptr, "<h2>&lt;script&gt;id&lt;/script&gt;&#39;&quot;&amp;</h2>"));
	assert_non_null(strstr(b.ptr, "&lt;script&gt;</mark>alert(&#39;x&#39;)&lt;/script&gt; "
		"&amp; &quot;q&quot;."));
	assert_non_null(strstr(b.ptr, "title=\"msg &lt;img src=x onerror=y&gt; &quot;&#39; &amp; "
		"[&lt;b&gt;r&quot;&#39;&amp;]\""));
	assert_non_null(strstr(b.ptr, "rule-_b_r___\"")); /* a class name, no quotes */
	assert_non_null(strstr(b.ptr, "J &lt;i&gt;&amp;amp;"));
	assert_non_null(strstr(b.ptr, "href=\"next&quot;page.html\""));
	assert_non_null(strstr(b.ptr, "10.1/&lt;x&gt;"));
	assert_non_null(strstr(b.ptr, "J&quot;ournal"));
	assert_true(tags_balanced(b.ptr));
	aq_buf_dispose(&b);
}

static void test_invalid_utf8_and_no_text(void **state)
{
	static const char bad[] = "ab\xff" "c\xe4\xb8";
	static const aq_span bad_sents[] = { { 0, sizeof(bad) - 1 } };
	aq_store_finding f[1];
	aq_store_full_record r;
	aq_buf b;

	(void)state;
	f[0] = finding("r.x", "warning", "style", "m", 0, 3, -1, -1);
	r = record("bad", f, 1);
	r.en = bad;
	r.en_len = strlen(bad);
	r.en_sents = bad_sents;
	r.n_en_sents = 1;
	r.n_beads = 1;
	aq_buf_init(&b);
	assert_int_equal(aq_report_html_record(&b, &r), 0);
	assert_non_null(strstr(b.ptr, "ab\xEF\xBF\xBD</mark>c\xEF\xBF\xBD"));
	assert_int_equal(aq_utf8_check(b.ptr, b.len), b.len);
	assert_true(tags_balanced(b.ptr));

	/* Stored before schema 3: no text, the findings still listed; spans out
	 * of range are harmless. */
	aq_buf_clear(&b);
	f[0] = finding("r.x", "warning", "style", "m", 50, 90, 7, 3);
	r = record("old", f, 1);
	r.en = r.zh = NULL;
	r.en_len = r.zh_len = 0;
	assert_int_equal(aq_report_html_record(&b, &r), 0);
	assert_non_null(strstr(b.ptr, "not stored"));
	assert_int_equal(count_of(b.ptr, "<li class=\"f "), 1);
	assert_true(tags_balanced(b.ptr));

	/* Text but spans beyond it and a bead pointing past the sentences. */
	aq_buf_clear(&b);
	r = record("odd", f, 1);
	r.n_en_sents = 1; /* bead 1 refers to en sentence 1: out of range */
	assert_int_equal(aq_report_html_record(&b, &r), 0);
	assert_int_equal(count_of(b.ptr, "<mark"), 0);
	assert_int_equal(count_of(b.ptr, "<li class=\"f "), 1);
	assert_true(tags_balanced(b.ptr));
	aq_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks_cjk_spans),
		cmocka_unit_test(test_overlapping_marks_nest),
		cmocka_unit_test(test_escapes_everything),
		cmocka_unit_test(test_invalid_utf8_and_no_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
