/*
 * test_finding.c - findings as data: severity and category names, the
 * growable list, the deterministic order aq_findings_finish() gives and the
 * fingerprints it computes (stable under offset shifts, distinct for
 * duplicates, defined for odd spans).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "alignqa.h"

static void test_severity_names(void **state)
{
	static const struct {
		const char *name;
		int rc;
		aq_severity sev;
	} cases[] = {
		{ "info", 0, AQ_SEV_INFO },
		{ "warning", 0, AQ_SEV_WARNING },
		{ "warn", 0, AQ_SEV_WARNING },
		{ "error", 0, AQ_SEV_ERROR },
		{ "Error", AQ_EINVAL, AQ_SEV_INFO },
		{ "", AQ_EINVAL, AQ_SEV_INFO },
		{ "fatal", AQ_EINVAL, AQ_SEV_INFO },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		aq_severity sev = AQ_SEV_INFO;

		assert_int_equal(aq_severity_parse(&sev, cases[i].name), cases[i].rc);
		if (cases[i].rc == 0)
			assert_int_equal(sev, cases[i].sev);
	}
	{
		aq_severity sev;

		assert_int_equal(aq_severity_parse(&sev, NULL), AQ_EINVAL);
	}
	assert_string_equal(aq_severity_name(AQ_SEV_INFO), "info");
	assert_string_equal(aq_severity_name(AQ_SEV_WARNING), "warning");
	assert_string_equal(aq_severity_name(AQ_SEV_ERROR), "error");
	assert_string_equal(aq_severity_name((aq_severity)7), "unknown");
}

static void test_category_names(void **state)
{
	static const char *const names[] = { "omission", "addition", "untranslated",
		"mistranslation", "number", "terminology", "punctuation", "encoding", "style",
		"alignment", "metadata" };
	aq_category cat;

	(void)state;
	assert_int_equal(sizeof(names) / sizeof(names[0]), AQ_CAT__COUNT);
	for (int i = 0; i < AQ_CAT__COUNT; i++) {
		assert_string_equal(aq_category_name((aq_category)i), names[i]);
		assert_int_equal(aq_category_parse(&cat, names[i]), 0);
		assert_int_equal(cat, i);
	}
	assert_int_equal(aq_category_parse(&cat, "numbers"), AQ_EINVAL);
	assert_int_equal(aq_category_parse(&cat, NULL), AQ_EINVAL);
	assert_string_equal(aq_category_name(AQ_CAT__COUNT), "unknown");
}

static void test_add_and_count(void **state)
{
	aq_findings f;
	aq_span en = { 3, 9 };
	char rule[32] = "numbers.missing", msg[32] = "number 5 is missing";

	(void)state;
	aq_findings_init(&f);
	assert_int_equal(aq_findings_add(&f, rule, AQ_SEV_ERROR, AQ_CAT_NUMBER, &en, NULL, 2, msg), 0);
	/* the strings were copied */
	rule[0] = msg[0] = 'X';
	assert_string_equal(f.v[0].rule, "numbers.missing");
	assert_string_equal(f.v[0].message, "number 5 is missing");
	assert_int_equal(f.v[0].en.off, 3);
	assert_int_equal(f.v[0].zh.off, AQ_NO_SPAN);
	assert_int_equal(f.v[0].zh.end, AQ_NO_SPAN);
	assert_int_equal(f.v[0].bead, 2);
	for (int i = 0; i < 40; i++)
		assert_int_equal(aq_findings_add(&f, "style.x", (aq_severity)(i % 3), AQ_CAT_STYLE,
			NULL, NULL, AQ_NO_SPAN, NULL), 0);
	assert_int_equal(f.n, 41);
	assert_string_equal(f.v[40].message, "");
	assert_int_equal(aq_findings_count_at_least(&f, AQ_SEV_INFO), 41);
	assert_int_equal(aq_findings_count_at_least(&f, AQ_SEV_WARNING), 1 + 13 + 13);
	assert_int_equal(aq_findings_count_at_least(&f, AQ_SEV_ERROR), 1 + 13);
	aq_findings_clear(&f);
	assert_int_equal(f.n, 0);
	assert_int_equal(aq_findings_count_at_least(&f, AQ_SEV_INFO), 0);
	aq_findings_dispose(&f);
	aq_findings_dispose(&f); /* twice is harmless */
}

/* One record's text, two identical sentences and another. */
static aq_record *make_record(const char *id, const char *en, const char *zh)
{
	aq_record *rec = NULL;

	assert_int_equal(aq_record_new(&rec), 0);
	rec->id = strdup(id);
	rec->en = strdup(en);
	rec->zh = strdup(zh);
	rec->en_len = strlen(en);
	rec->zh_len = strlen(zh);
	return rec;
}

typedef struct fspec {
	const char *rule;
	const char *msg;
	uint32_t en_off, en_end, zh_off, zh_end; /* AQ_NO_SPAN: none */
} fspec;

static void add_spec(aq_findings *f, const fspec *s, uint32_t shift_en, uint32_t shift_zh)
{
	aq_span en = { s->en_off + shift_en, s->en_end + shift_en };
	aq_span zh = { s->zh_off + shift_zh, s->zh_end + shift_zh };

	assert_int_equal(aq_findings_add(f, s->rule, AQ_SEV_WARNING, AQ_CAT_NUMBER,
		s->en_off == AQ_NO_SPAN ? NULL : &en, s->zh_off == AQ_NO_SPAN ? NULL : &zh, 0,
		s->msg), 0);
}

#define N AQ_NO_SPAN

/* Sorted by English offset, then Chinese offset, then rule, then message;
 * no place sorts last.  Every insertion order gives the same result. */
static void test_sort_order(void **state)
{
	static const fspec specs[] = {
		{ "b.rule", "m", 10, 12, N, N },
		{ "a.rule", "m", 10, 12, N, N },
		{ "a.rule", "l", 10, 12, N, N },
		{ "a.rule", "m", 10, 12, 4, 6 },
		{ "a.rule", "m", 2, 5, 9, 12 },
		{ "z.rule", "m", N, N, 0, 3 },
		{ "a.rule", "m", N, N, N, N },
		{ "a.rule", "m", 2, 5, 0, 3 },
	};
	static const int expect[] = { 7, 4, 3, 2, 1, 0, 5, 6 };
	static const int orders[][8] = {
		{ 0, 1, 2, 3, 4, 5, 6, 7 },
		{ 7, 6, 5, 4, 3, 2, 1, 0 },
		{ 3, 1, 7, 5, 0, 2, 6, 4 },
	};
	aq_record *rec = make_record("r", "0123456789abcdefghij", "0123456789abcdefghij");

	(void)state;
	for (size_t o = 0; o < sizeof(orders) / sizeof(orders[0]); o++) {
		aq_findings f;

		aq_findings_init(&f);
		for (int i = 0; i < 8; i++)
			add_spec(&f, &specs[orders[o][i]], 0, 0);
		aq_findings_finish(&f, rec);
		for (int i = 0; i < 8; i++) {
			const fspec *s = &specs[expect[i]];

			assert_string_equal(f.v[i].rule, s->rule);
			assert_string_equal(f.v[i].message, s->msg);
			assert_int_equal(f.v[i].en.off, s->en_off);
			assert_int_equal(f.v[i].zh.off, s->zh_off);
		}
		aq_findings_dispose(&f);
	}
	aq_record_free(rec);
}

static uint64_t fp_of(const aq_findings *f, const char *rule, const char *msg)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].rule, rule) && !strcmp(f->v[i].message, msg))
			return f->v[i].fingerprint;
	fail_msg("finding %s '%s' not found", rule, msg);
	return 0;
}

/* The same findings on a record whose texts were shifted by an unrelated
 * edit in front keep their fingerprints. */
static void test_fingerprint_stable(void **state)
{
	const char *en = "Pain fell by 42%. Pain fell by 42%. MSCs were used.";
	const char *zh = "疼痛减轻了24%。疼痛减轻了24%。使用了干细胞。";
	const char *pre_en = "An unrelated first sentence was added. ";
	const char *pre_zh = "新增了一个无关的句子。";
	static const fspec specs[] = {
		{ "numbers.changed", "first", 13, 16, 15, 18 },  /* 42% / 24% */
		{ "numbers.changed", "second", 31, 34, 36, 39 }, /* the same texts again */
		{ "terms.acronym-missing", "acr", 36, 40, N, N },
		{ "metadata.doi-malformed", "doi", N, N, N, N },
	};
	aq_record *a = make_record("rec-1", en, zh), *b;
	aq_findings fa, fb;
	char *en2 = malloc(strlen(pre_en) + strlen(en) + 1);
	char *zh2 = malloc(strlen(pre_zh) + strlen(zh) + 1);
	uint32_t se = (uint32_t)strlen(pre_en), sz = (uint32_t)strlen(pre_zh);

	(void)state;
	strcpy(en2, pre_en);
	strcat(en2, en);
	strcpy(zh2, pre_zh);
	strcat(zh2, zh);
	b = make_record("rec-1", en2, zh2);
	aq_findings_init(&fa);
	aq_findings_init(&fb);
	for (size_t i = 0; i < 4; i++) {
		add_spec(&fa, &specs[i], 0, 0);
		add_spec(&fb, &specs[3 - i], specs[3 - i].en_off == N ? 0 : se,
			specs[3 - i].zh_off == N ? 0 : sz);
	}
	aq_findings_finish(&fa, a);
	aq_findings_finish(&fb, b);
	for (size_t i = 0; i < 4; i++)
		assert_true(fp_of(&fa, specs[i].rule, specs[i].msg) ==
			fp_of(&fb, specs[i].rule, specs[i].msg));
	/* duplicates (same rule, record and texts) stay distinct */
	assert_true(fp_of(&fa, "numbers.changed", "first") != fp_of(&fa, "numbers.changed", "second"));
	/* finishing twice changes nothing */
	{
		uint64_t before = fa.v[0].fingerprint;

		aq_findings_finish(&fa, a);
		assert_true(fa.v[0].fingerprint == before);
	}
	aq_findings_dispose(&fa);
	aq_findings_dispose(&fb);
	aq_record_free(a);
	aq_record_free(b);
	free(en2);
	free(zh2);
}

/* Rule, record id and the text under the spans all count. */
static void test_fingerprint_inputs(void **state)
{
	static const struct {
		const char *id, *rule, *en;
		uint32_t off, end;
	} cases[] = {
		{ "r1", "numbers.missing", "value 42 here", 6, 8 },
		{ "r2", "numbers.missing", "value 42 here", 6, 8 },
		{ "r1", "numbers.extra", "value 42 here", 6, 8 },
		{ "r1", "numbers.missing", "value 43 here", 6, 8 },
		{ "r1", "numbers.missing", "value 42 here", 5, 8 },
	};
	uint64_t fp[5];

	(void)state;
	for (size_t i = 0; i < 5; i++) {
		aq_record *rec = make_record(cases[i].id, cases[i].en, "");
		aq_findings f;
		aq_span en = { cases[i].off, cases[i].end };

		aq_findings_init(&f);
		assert_int_equal(aq_findings_add(&f, cases[i].rule, AQ_SEV_ERROR, AQ_CAT_NUMBER, &en,
			NULL, 0, "m"), 0);
		aq_findings_finish(&f, rec);
		fp[i] = f.v[0].fingerprint;
		aq_findings_dispose(&f);
		aq_record_free(rec);
	}
	for (size_t i = 0; i < 5; i++)
		for (size_t j = i + 1; j < 5; j++)
			assert_true(fp[i] != fp[j]);
}

/* Spans past the text, reversed spans, a missing record or texts: no crash,
 * and still a deterministic result. */
static void test_fingerprint_odd_spans(void **state)
{
	aq_record *rec = make_record("odd", "short", "\xE4\xB8\xAD\xFF\xFE");
	aq_findings f;
	aq_span past = { 3, 1000 }, rev = { 4, 2 }, all = { 0, 5 };
	uint64_t first;

	(void)state;
	aq_findings_init(&f);
	assert_int_equal(aq_findings_add(&f, "a", AQ_SEV_INFO, AQ_CAT_STYLE, &past, &all, 0, "x"), 0);
	assert_int_equal(aq_findings_add(&f, "b", AQ_SEV_INFO, AQ_CAT_STYLE, &rev, &rev, 0, "x"), 0);
	aq_findings_finish(&f, rec);
	first = f.v[0].fingerprint;
	aq_findings_finish(&f, NULL);
	assert_true(f.v[0].fingerprint != 0);
	free(rec->en);
	free(rec->zh);
	rec->en = rec->zh = NULL;
	aq_findings_finish(&f, rec);
	aq_findings_clear(&f);
	aq_findings_finish(&f, rec); /* empty list */
	assert_int_equal(f.n, 0);
	(void)first;
	aq_findings_dispose(&f);
	aq_record_free(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_severity_names),
		cmocka_unit_test(test_category_names),
		cmocka_unit_test(test_add_and_count),
		cmocka_unit_test(test_sort_order),
		cmocka_unit_test(test_fingerprint_stable),
		cmocka_unit_test(test_fingerprint_inputs),
		cmocka_unit_test(test_fingerprint_odd_spans),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
