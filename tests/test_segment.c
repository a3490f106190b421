/*
 * test_segment.c - unit tests of segment.c: English and Chinese sentence
 * boundaries (abbreviations, initials, brackets, labels, ellipses),
 * white space and malformed input, line splitting, the rules file parser
 * and segmenter clones.  Cases are tables of text -> expected sentences.
 */
#include "alignqa.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_SENTS 12

typedef struct seg_case {
	const char *text;
	const char *want[MAX_SENTS]; /* expected sentences, NULL-terminated */
} seg_case;

typedef struct fixture {
	aq_ctx *ctx;
	aq_segmenter *seg; /* with rules/abbreviations.txt */
	aq_spans spans;
	char path[1024];   /* the rules file */
} fixture;

static void rules_path(char *buf, size_t size)
{
	const char *dir = getenv("AQ_TEST_RULES_DIR");

	if (dir && *dir)
		snprintf(buf, size, "%s/abbreviations.txt", dir);
	else
		snprintf(buf, size, "%s/../rules/abbreviations.txt", AQ_TEST_SOURCE_DIR);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	if (!f || aq_ctx_new(&f->ctx))
		return -1;
	rules_path(f->path, sizeof(f->path));
	if (aq_segmenter_new(&f->seg, f->ctx, f->path)) {
		print_message("cannot load %s: %s\n", f->path, aq_ctx_errmsg(f->ctx));
		return -1;
	}
	aq_spans_init(&f->spans);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	aq_spans_dispose(&f->spans);
	aq_segmenter_free(f->seg);
	aq_ctx_free(f->ctx);
	free(f);
	return 0;
}

/* Invariants of every result: spans in order, inside the text, not empty,
 * not overlapping, without white space at either end. */
static void check_spans(const aq_spans *sp, const char *text, size_t len)
{
	uint32_t prev = 0;

	for (size_t i = 0; i < sp->n; i++) {
		size_t a = sp->v[i].off, b = sp->v[i].end;

		assert_true(a >= prev);
		assert_true(a < b);
		assert_true(b <= len);
		assert_false(aq_cp_is_space(aq_utf8_next(text, len, &a)));
		assert_false(aq_cp_is_space(aq_utf8_prev(text, &b)));
		prev = sp->v[i].end;
	}
}

static void dump(const char *what, const char *text, const aq_spans *sp, const char *const *want)
{
	print_message("%s: %s\n  got:\n", what, text);
	for (size_t i = 0; i < sp->n; i++)
		print_message("    [%.*s]\n", (int)(sp->v[i].end - sp->v[i].off), text + sp->v[i].off);
	print_message("  want:\n");
	for (size_t i = 0; want[i]; i++)
		print_message("    [%s]\n", want[i]);
}

/* Segments text and compares with want; returns false (after printing)
 * on a difference so that a table reports every failing case. */
static bool run_case(fixture *f, aq_segmenter *seg, aq_lang lang, const char *text,
	const char *const *want)
{
	size_t len = strlen(text), n_want = 0;
	int rc = aq_segment_text(&f->spans, seg, lang, text, len);

	assert_int_equal(rc, 0);
	check_spans(&f->spans, text, len);
	while (want[n_want])
		n_want++;
	if (f->spans.n != n_want)
		goto differ;
	for (size_t i = 0; i < n_want; i++) {
		const aq_span *s = &f->spans.v[i];

		if (strlen(want[i]) != s->end - s->off ||
		    memcmp(text + s->off, want[i], s->end - s->off))
			goto differ;
	}
	return true;
differ:
	dump(lang == AQ_LANG_ZH ? "zh" : "en", text, &f->spans, want);
	return false;
}

static void run_table(fixture *f, aq_lang lang, const seg_case *cases, size_t n)
{
	size_t failed = 0;

	for (size_t i = 0; i < n; i++)
		failed += !run_case(f, f->seg, lang, cases[i].text, cases[i].want);
	if (failed)
		fail_msg("%zu of %zu cases differ", failed, n);
}

#define RUN_TABLE(f, lang, t) run_table(f, lang, t, sizeof(t) / sizeof(t[0]))

/* ------------------------------------------------------------------ */

static const seg_case en_cases[] = {
	{ "Smith et al. found that MSCs migrate. We agree.",
	  { "Smith et al. found that MSCs migrate.", "We agree." } },
	{ "As reported by Smith et al. (2019), cells grow. Next.",
	  { "As reported by Smith et al. (2019), cells grow.", "Next." } },
	{ "Smith et al. 2019. The next one.",
	  { "Smith et al. 2019.", "The next one." } },
	{ "This was described by Smith et al. The results differ.",
	  { "This was described by Smith et al.", "The results differ." } },
	{ "Et al. is Latin. Next.", { "Et al. is Latin.", "Next." } },
	{ "Some cells, e.g. MSCs, respond. Others do not.",
	  { "Some cells, e.g. MSCs, respond.", "Others do not." } },
	{ "E.g. MSCs respond. Others do not.", { "E.g. MSCs respond.", "Others do not." } },
	{ "Stromal cells, i.e. MSCs, respond. Others do not.",
	  { "Stromal cells, i.e. MSCs, respond.", "Others do not." } },
	{ "As shown in Fig. 2, cells grow. Next.", { "As shown in Fig. 2, cells grow.", "Next." } },
	{ "Fig. S1 shows the design. Next.", { "Fig. S1 shows the design.", "Next." } },
	{ "Results are in Fig. 2B. The next sentence.",
	  { "Results are in Fig. 2B.", "The next sentence." } },
	{ "See Figs. 3 and 4 for details. Next.", { "See Figs. 3 and 4 for details.", "Next." } },
	{ "Figs. A-C show it. Next.", { "Figs. A-C show it.", "Next." } },
	{ "MSCs vs. OA chondrocytes differed. Next.",
	  { "MSCs vs. OA chondrocytes differed.", "Next." } },
	{ "The volume was approx. 5 mL. Next.", { "The volume was approx. 5 mL.", "Next." } },
	{ "Approx. 30% of patients responded. Next.",
	  { "Approx. 30% of patients responded.", "Next." } },
	{ "Samples from No. 5 Hospital were used. Next.",
	  { "Samples from No. 5 Hospital were used.", "Next." } },
	{ "They lived ca. 20 years. Next.", { "They lived ca. 20 years.", "Next." } },
	{ "The rate was ca. Twice as high. Next.", { "The rate was ca. Twice as high.", "Next." } },
	{ "Cf. Table 2 for values. Next.", { "Cf. Table 2 for values.", "Next." } },
	{ "The model follows Eq. 3 and Ref. 12. Next.",
	  { "The model follows Eq. 3 and Ref. 12.", "Next." } },
	{ "Dr. Smith performed surgery. Next.", { "Dr. Smith performed surgery.", "Next." } },
	{ "Mr. Smith arrived. Next.", { "Mr. Smith arrived.", "Next." } },
	{ "Samples were collected in Jan. 2020 and Feb. 2021. Next.",
	  { "Samples were collected in Jan. 2020 and Feb. 2021.", "Next." } },
	{ "The kit came from Abcam Inc. The assay was run twice.",
	  { "The kit came from Abcam Inc.", "The assay was run twice." } },
	{ "Abcam Inc. and Sigma Co. supplied it. Next.",
	  { "Abcam Inc. and Sigma Co. supplied it.", "Next." } },
	{ "The U.S. Food and Drug Administration approved it. Next.",
	  { "The U.S. Food and Drug Administration approved it.", "Next." } },
	{ "The trial ran in the U.S. We then analysed the data.",
	  { "The trial ran in the U.S.", "We then analysed the data." } },
	{ "Tissues, cells, etc. were stored. Next.", { "Tissues, cells, etc. were stored.", "Next." } },
	{ "We stored tissues, cells, etc. The rest was discarded.",
	  { "We stored tissues, cells, etc.", "The rest was discarded." } },
	/* Initials and species. */
	{ "J. Smith and K. Lee wrote the protocol. Next.",
	  { "J. Smith and K. Lee wrote the protocol.", "Next." } },
	{ "The protocol was written by Smith J. and Lee K. in 2020. Next.",
	  { "The protocol was written by Smith J. and Lee K. in 2020.", "Next." } },
	{ "It was led by Dr. J. A. Smith in Ohio. Next.",
	  { "It was led by Dr. J. A. Smith in Ohio.", "Next." } },
	{ "The survey (by M. Jones) was long. Next.",
	  { "The survey (by M. Jones) was long.", "Next." } },
	{ "Mice were assigned to group A. The second group received saline.",
	  { "Mice were assigned to group A.", "The second group received saline." } },
	{ "Mice were assigned to group A. Patients were not.",
	  { "Mice were assigned to group A.", "Patients were not." } },
	{ "They took vitamin D. MSCs were then injected.",
	  { "They took vitamin D.", "MSCs were then injected." } },
	{ "E. coli and S. aureus were cultured. Next.",
	  { "E. coli and S. aureus were cultured.", "Next." } },
	{ "We grew E. coli. The plates were then imaged.",
	  { "We grew E. coli.", "The plates were then imaged." } },
	/* Numbers. */
	{ "The value rose from 3.5 to 4.2 mm. Next.", { "The value rose from 3.5 to 4.2 mm.", "Next." } },
	{ "The difference was significant (p < 0.05). Next.",
	  { "The difference was significant (p < 0.05).", "Next." } },
	{ "Groups differed with p < .05 in all tests. Next.",
	  { "Groups differed with p < .05 in all tests.", "Next." } },
	{ "Pain fell (P = 0.001). Function rose by 2.5%. Next.",
	  { "Pain fell (P = 0.001).", "Function rose by 2.5%.", "Next." } },
	/* Brackets. */
	{ "Cells (see Fig. 1. Panel A) grew. Next.", { "Cells (see Fig. 1. Panel A) grew.", "Next." } },
	{ "Two arms [A. Placebo. B. Drug] were compared. Next.",
	  { "Two arms [A. Placebo. B. Drug] were compared.", "Next." } },
	{ "He left. (Next one.) And then.", { "He left.", "(Next one.)", "And then." } },
	{ "He left.(Next one.) And then.", { "He left.", "(Next one.)", "And then." } },
	{ "A stray ( opens here.\nThe next line. Another.",
	  { "A stray ( opens here.", "The next line.", "Another." } },
	{ "Closed (here.) Then a new one.", { "Closed (here.)", "Then a new one." } },
	/* Other stops. */
	{ "Does it work? Yes! It does.", { "Does it work?", "Yes!", "It does." } },
	{ "He said \"stop.\" Then he left.", { "He said \"stop.\"", "Then he left." } },
	{ "Unfinished sentence", { "Unfinished sentence" } },
};

static void test_en_abbreviations(void **state)
{
	RUN_TABLE(*state, AQ_LANG_EN, en_cases);
}

/* A bracket holds sentences together only when it closes, and then for at
 * most ~400 bytes; a stray one ("(p" cut short by a lost "<") holds nothing. */
static void test_en_bracket_bound(void **state)
{
	fixture *f = *state;
	char text[2048], second[2048];
	const char *stray[] = { "Open ( here.", "Next one.", "Last one.", NULL };
	const char *near[] = { "Open (here. Next) one.", "Last one.", NULL };
	const char *far[] = { "Open ( here.", second, "Last one.", NULL };
	size_t n = 0;

	assert_true(run_case(f, f->seg, AQ_LANG_EN, "Open ( here. Next one. Last one.", stray));
	assert_true(run_case(f, f->seg, AQ_LANG_EN, "Open (here. Next) one. Last one.", near));
	n += (size_t)snprintf(text + n, sizeof(text) - n, "Open ( here. Next one.");
	for (int i = 0; i < 90; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " word");
	n += (size_t)snprintf(text + n, sizeof(text) - n, " end) here. Last one.");
	memcpy(second, text + strlen("Open ( here. "), n - strlen("Open ( here. ") -
		strlen(" Last one."));
	second[n - strlen("Open ( here. ") - strlen(" Last one.")] = '\0';
	assert_true(run_case(f, f->seg, AQ_LANG_EN, text, far));
}

static const seg_case zh_cases[] = {
	{ "这是第一句。这是第二句！这是第三句？最后一句",
	  { "这是第一句。", "这是第二句！", "这是第三句？", "最后一句" } },
	{ "他说：“好的。”然后离开了。", { "他说：“好的。”", "然后离开了。" } },
	{ "他问：“真的吗？”她说：“是的。”", { "他问：“真的吗？”", "她说：“是的。”" } },
	{ "真的吗？！是的。", { "真的吗？！", "是的。" } },
	{ "结果显著（P<0.05。）下一句。", { "结果显著（P<0.05。）", "下一句。" } },
	{ "下一句。「真的？」她问道。", { "下一句。", "「真的？」", "她问道。" } },
	{ "第一句。《标题》是书名。", { "第一句。", "《标题》是书名。" } },
	{ "（见图1。）下一句。", { "（见图1。）", "下一句。" } },
	/* Ellipses. */
	{ "结果显示……然后我们继续。", { "结果显示……", "然后我们继续。" } },
	{ "细胞因子如IL-6、TNF-α……等均升高。", { "细胞因子如IL-6、TNF-α……等均升高。" } },
	{ "结果是……", { "结果是……" } },
	{ "结果……，然后继续。", { "结果……，然后继续。" } },
	{ "他说“等一下……”然后走了。", { "他说“等一下……”", "然后走了。" } },
	/* Half-width stops. */
	{ "第一句.第二句?第三句!第四句", { "第一句.", "第二句?", "第三句!", "第四句" } },
	{ "生长良好. 下一句开始", { "生长良好.", "下一句开始" } },
	{ "结果良好．下一句", { "结果良好．", "下一句" } },
	{ "结果良好.(下一句)", { "结果良好.", "(下一句)" } },
	{ "结果良好.(Next one)", { "结果良好.(Next one)" } },
	{ "差异有统计学意义(P<0.05).对照组无变化。",
	  { "差异有统计学意义(P<0.05).", "对照组无变化。" } },
	{ "数值为3.5毫米。", { "数值为3.5毫米。" } },
	{ "采用SPSS 22.0软件进行分析。", { "采用SPSS 22.0软件进行分析。" } },
	{ "大肠杆菌(E. coli)生长良好。", { "大肠杆菌(E. coli)生长良好。" } },
	{ "使用E. coli菌株。", { "使用E. coli菌株。" } },
	{ "Smith等(et al.)发现了这一点。", { "Smith等(et al.)发现了这一点。" } },
	{ "如Fig. 1所示，细胞生长。", { "如Fig. 1所示，细胞生长。" } },
	{ "细胞来自U.S.实验室。", { "细胞来自U.S.实验室。" } },
	{ "使用MSCs.The end", { "使用MSCs.The end" } },
	/* Semicolons do not end sentences. */
	{ "第一部分；第二部分;第三部分。", { "第一部分；第二部分;第三部分。" } },
};

static void test_zh(void **state)
{
	RUN_TABLE(*state, AQ_LANG_ZH, zh_cases);
}

static const seg_case en_structured[] = {
	{ "BACKGROUND: Osteoarthritis is common. METHODS: We enrolled 30 patients "
	  "RESULTS: Pain decreased. CONCLUSIONS: It works.",
	  { "BACKGROUND: Osteoarthritis is common.", "METHODS: We enrolled 30 patients",
	    "RESULTS: Pain decreased.", "CONCLUSIONS: It works." } },
	{ "Background: OA is common Methods: We did it.",
	  { "Background: OA is common", "Methods: We did it." } },
	{ "OBJECTIVE : To test. DESIGN: Trial SETTING: Clinics",
	  { "OBJECTIVE : To test.", "DESIGN: Trial", "SETTING: Clinics" } },
	{ "We ran a trial MAIN OUTCOME MEASURES: Pain AUTHORS' CONCLUSIONS: None.",
	  { "We ran a trial", "MAIN OUTCOME MEASURES: Pain", "AUTHORS' CONCLUSIONS: None." } },
	{ "Done PATIENTS AND METHODS: Thirty adults.",
	  { "Done", "PATIENTS AND METHODS: Thirty adults." } },
	{ "Aims: To test. Materials and Methods: Thirty adults. Main Results: None.",
	  { "Aims: To test.", "Materials and Methods: Thirty adults.", "Main Results: None." } },
	/* A capitalised label inside a sentence still splits it. */
	{ "See the Results: none were found. Done", { "See the", "Results: none were found.", "Done" } },
	{ "A note on MeTHODS: odd case.", { "A note on MeTHODS: odd case." } },
	{ "BACKGROUND\nText here.\nMETHODS\nMore text.",
	  { "BACKGROUND", "Text here.", "METHODS", "More text." } },
	{ "We describe the methods: a survey and interviews.",
	  { "We describe the methods: a survey and interviews." } },
	{ "The XRESULTS: value is odd.", { "The XRESULTS: value is odd." } },
	{ "Two arms (Intervention: exercise; Control: usual care) were compared.",
	  { "Two arms (Intervention: exercise; Control: usual care) were compared." } },
	{ "[METHODS] We did it [RESULTS] It worked.",
	  { "[METHODS] We did it", "[RESULTS] It worked." } },
};

static const seg_case zh_structured[] = {
	{ "目的：研究这个问题方法：我们纳入了30名患者结果：疼痛减轻。结论：有效。",
	  { "目的：研究这个问题", "方法：我们纳入了30名患者", "结果：疼痛减轻。", "结论：有效。" } },
	{ "背景:骨关节炎常见目标:评估疗效", { "背景:骨关节炎常见", "目标:评估疗效" } },
	{ "【摘要】目的:探讨X。方法:纳入Y。", { "【摘要】", "目的:探讨X。", "方法:纳入Y。" } },
	{ "【目的】探讨疗效。【方法】纳入患者", { "【目的】探讨疗效。", "【方法】纳入患者" } },
	{ "目的：探讨疗效研究方法：纳入患者", { "目的：探讨疗效", "研究方法：纳入患者" } },
	{ "目的：探讨疗效材料与方法：纳入患者", { "目的：探讨疗效", "材料与方法：纳入患者" } },
	{ "目的\n探讨疗效\n方法\n纳入患者", { "目的", "探讨疗效", "方法", "纳入患者" } },
};

static void test_structured(void **state)
{
	RUN_TABLE(*state, AQ_LANG_EN, en_structured);
	RUN_TABLE(*state, AQ_LANG_ZH, zh_structured);
}

static const seg_case en_space[] = {
	{ "  \t First sentence.  Second one.\n\n", { "First sentence.", "Second one." } },
	{ "\xC2\xA0Hello there.\xC2\xA0 Next.\xC2\xA0", { "Hello there.", "Next." } },
	{ "\xEF\xBB\xBFHello.", { "Hello." } },
	{ "First line.\r\nSecond line\r\nThird.", { "First line.", "Second line", "Third." } },
	{ "A.\n\n\nB.", { "A.", "B." } },
	{ "\r\n", { NULL } },
	{ "", { NULL } },
	{ "  \n\t\xE3\x80\x80 \xC2\xA0", { NULL } },
	{ ".", { "." } },
};

static const seg_case zh_space[] = {
	{ "\xE3\x80\x80\xE3\x80\x80这是第一句。\xE3\x80\x80这是第二句。\xE3\x80\x80",
	  { "这是第一句。", "这是第二句。" } },
	{ "第一行\r\n第二行。\r\n", { "第一行", "第二行。" } },
	{ "\xE3\x80\x80", { NULL } },
};

static void test_whitespace(void **state)
{
	RUN_TABLE(*state, AQ_LANG_EN, en_space);
	RUN_TABLE(*state, AQ_LANG_ZH, zh_space);
}

static void test_empty(void **state)
{
	fixture *f = *state;

	assert_int_equal(aq_spans_push(&f->spans, 1, 2), 0);
	assert_int_equal(aq_segment_text(&f->spans, f->seg, AQ_LANG_EN, "", 0), 0);
	assert_int_equal(f->spans.n, 0);
	/* len 0 with no text at all */
	assert_int_equal(aq_segment_text(&f->spans, f->seg, AQ_LANG_ZH, NULL, 0), 0);
	assert_int_equal(f->spans.n, 0);
}

static void test_limits(void **state)
{
	fixture *f = *state;

	/* The length is refused before the text is read. */
	assert_int_equal(aq_segment_text(&f->spans, f->seg, AQ_LANG_EN, "x",
		(size_t)INT32_MAX + 1), AQ_ELIMIT);
	assert_true(strlen(aq_ctx_errmsg(f->ctx)) > 0);
	assert_int_equal(aq_segment_text(&f->spans, f->seg, (aq_lang)7, "x", 1), AQ_EINVAL);
}

/* ------------------------------------------------------------------ */
/* Malformed input                                                      */

static void segment_checked(fixture *f, aq_lang lang, const char *text, size_t len)
{
	int rc = aq_segment_text(&f->spans, f->seg, lang, text, len);

	assert_int_equal(rc, 0);
	check_spans(&f->spans, text, len);
}

static void test_invalid_utf8(void **state)
{
	static const char *const bad[] = {
		"\xff\xfe", "abc\xc3", "\xe4\xb8", "Hello.\x80 World.", "\xed\xa0\x80 surrogate. Next.",
		"结果\xe7\xbb。下一句", "(\xff. A. B.", "\xc0\xaf\x46ig. 2. The end.", "\xf4\x90\x80\x80.",
		"结果……\xe2\x80", "METHODS\xef\xbc: x", "\xe3\x80\x90目的\xe3\x80", "J\xff. Smith.",
	};
	fixture *f = *state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		segment_checked(f, AQ_LANG_EN, bad[i], strlen(bad[i]));
		segment_checked(f, AQ_LANG_ZH, bad[i], strlen(bad[i]));
	}
	/* An invalid byte stays in a sentence rather than being lost. */
	segment_checked(f, AQ_LANG_EN, "Hello.\x80 World.", 14);
	assert_int_equal(f->spans.n, 2);
	assert_int_equal(f->spans.v[0].end, 6);
	assert_int_equal(f->spans.v[1].off, 6);
}

/* Random byte soup drawn from pieces that exercise every rule. */
static void test_random_soup(void **state)
{
	static const char *const pieces[] = {
		". ", ".", "A", "a", "e.g.", "Fig.", "U.S.", " ", "(", ")", "[", "]", "。", "！",
		"…", "……", ":", "：", "METHODS", "目的", "【", "】", "\n", "\r\n", "\xff", "\xe4",
		"\xe3\x80\x80", "等", "结果", "3", "et al.", "J.", "Smith", "The", "”", "“", "?",
	};
	fixture *f = *state;
	char buf[512];
	uint64_t x = 0x9E3779B97F4A7C15ULL;

	for (int round = 0; round < 4000; round++) {
		size_t n = 0;

		for (;;) {
			const char *p;
			size_t l;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			p = pieces[x % (sizeof(pieces) / sizeof(pieces[0]))];
			l = strlen(p);
			if (n + l > sizeof(buf) || (x >> 40) % 97 == 0)
				break;
			memcpy(buf + n, p, l);
			n += l;
		}
		segment_checked(f, (aq_lang)(round & 1), buf, n);
	}
}

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* 1 MB texts: no boundary at all, stray brackets, many abbreviations,
 * ellipses, colons.  Each must finish in well under the time limit
 * (the bound is loose for sanitizer and valgrind builds). */
static void test_long_text(void **state)
{
	static const struct {
		const char *unit;
		aq_lang lang;
		size_t want_min, want_max; /* sentences */
	} kinds[] = {
		{ "word ", AQ_LANG_EN, 1, 1 },
		{ "( ", AQ_LANG_EN, 1, 1 },
		{ "see Fig. ", AQ_LANG_EN, 1, 1 },
		{ "J. ", AQ_LANG_EN, 1, 1 },
		{ "METHODS: x ", AQ_LANG_EN, 1000, SIZE_MAX },
		{ "::", AQ_LANG_EN, 1, 1 },
		{ "研究", AQ_LANG_ZH, 1, 1 },
		{ "结果……", AQ_LANG_ZH, 1000, SIZE_MAX },
		{ "（好。", AQ_LANG_ZH, 1000, SIZE_MAX },
	};
	static char text[1 << 20];
	fixture *f = *state;
	size_t cap = sizeof(text);

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		size_t l = strlen(kinds[k].unit), n = 0;
		struct timespec t0;
		double secs;

		while (n + l <= cap) {
			memcpy(text + n, kinds[k].unit, l);
			n += l;
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		segment_checked(f, kinds[k].lang, text, n);
		secs = seconds_since(&t0);
		if (f->spans.n < kinds[k].want_min || f->spans.n > kinds[k].want_max)
			fail_msg("'%s' x %zu: %zu sentences", kinds[k].unit, n / l, f->spans.n);
		if (secs > 10.0)
			fail_msg("'%s' x %zu took %.2f s", kinds[k].unit, n / l, secs);
	}
}

/* ------------------------------------------------------------------ */
/* aq_segment_lines                                                     */

static void test_lines(void **state)
{
	static const seg_case cases[] = {
		{ "", { NULL } },
		{ "a", { "a" } },
		{ "a\n", { "a" } },
		{ "a\n\nb", { "a", "", "b" } },
		{ "a\r\nb\r\n", { "a", "b" } },
		{ "\n", { "" } },
		{ "\n\n", { "", "" } },
		{ "\r\n\r\n", { "", "" } },
		{ "a\rb", { "a\rb" } },
		{ " x \nLast. Two sentences.", { " x ", "Last. Two sentences." } },
		{ "第一行\n第二行", { "第一行", "第二行" } },
	};
	fixture *f = *state;
	size_t failed = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *text = cases[i].text;
		size_t n = 0;
		bool ok;

		assert_int_equal(aq_segment_lines(&f->spans, text, strlen(text)), 0);
		while (cases[i].want[n])
			n++;
		ok = f->spans.n == n;
		for (size_t k = 0; ok && k < n; k++) {
			const aq_span *s = &f->spans.v[k];

			ok = s->off <= s->end && s->end <= strlen(text) &&
			     strlen(cases[i].want[k]) == s->end - s->off &&
			     !memcmp(text + s->off, cases[i].want[k], s->end - s->off);
		}
		if (!ok) {
			dump("lines", text, &f->spans, cases[i].want);
			failed++;
		}
	}
	if (failed)
		fail_msg("%zu line cases differ", failed);
	assert_int_equal(aq_segment_lines(&f->spans, "x", (size_t)UINT32_MAX + 1), AQ_ELIMIT);
}

/* ------------------------------------------------------------------ */
/* The rules file                                                       */

static void write_temp(char *path, size_t size, const char *content)
{
	const char *dir = getenv("TMPDIR");
	FILE *fp;
	int fd;

	snprintf(path, size, "%s/aq_test_rules_XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs(content, fp);
	fclose(fp);
}

static void test_rules_good(void **state)
{
	static const char content[] =
		"# a test list\n"
		"\n"
		"Xyz.    never   # trailing comment\n"
		"foo bar.  cap\n"
		"Qq.     opener\n"
		"\xC3\xA9tc.\n"
		"  [openers]  \n"
		"Zebra\r\n"
		"[labels]\n"
		"FOOLABEL\n"
		"标签\n";
	static const seg_case cases[] = {
		{ "See Xyz. Alpha here. Then foo bar. Beta next. So foo bar. 5 more.",
		  { "See Xyz. Alpha here.", "Then foo bar.", "Beta next.", "So foo bar. 5 more." } },
		{ "In the Qq. Zebra goes. In the Qq. Horse stays.",
		  { "In the Qq.", "Zebra goes.", "In the Qq. Horse stays." } },
		{ "Some text FOOLABEL: more text", { "Some text", "FOOLABEL: more text" } },
		{ "Without METHODS: labels of the real list.",
		  { "Without METHODS: labels of the real list." } },
		{ "The group A. Zebra rule applies.", { "The group A.", "Zebra rule applies." } },
	};
	fixture *f = *state;
	aq_segmenter *seg = NULL;
	char path[1024];
	size_t failed = 0;

	write_temp(path, sizeof(path), content);
	assert_int_equal(aq_segmenter_new(&seg, f->ctx, path), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		failed += !run_case(f, seg, AQ_LANG_EN, cases[i].text, cases[i].want);
	{
		static const char *const want[] = { "一句", "标签：二句", NULL };

		failed += !run_case(f, seg, AQ_LANG_ZH, "一句标签：二句", want);
	}
	aq_segmenter_free(seg);
	unlink(path);
	if (failed)
		fail_msg("%zu cases differ", failed);
}

static void test_rules_broken(void **state)
{
	static const struct {
		const char *content;
		int line;
		const char *what; /* part of the message */
	} cases[] = {
		{ "Fig\n", 1, "must end with '.'" },
		{ "# c\n\nFig. sometimes\n", 3, "unknown class" },
		{ "Fig. never extra\n", 1, "unknown class" },
		{ "Fig.x\n", 1, "must end with '.'" },
		{ "Fig.\n[foo]\n", 2, "unknown section" },
		{ "[labels]\nMETHODS:\n", 2, "colon" },
		{ "[labels]\n方法：\n", 2, "colon" },
		{ "Fig.\ne.g.\nFig. cap\n", 3, "already listed at line 1" },
		{ "[openers]\nThe\nThe\n", 3, "already listed" },
		{ "[labels]\nMETHODS\nMethods\n", 3, "already listed" },
		{ "[openers]\nThe End\n", 2, "one word" },
		{ "Fig.\nx\xff.\n", 2, "invalid UTF-8" },
		{ "et  al.\n", 1, "single spaces" },
		{ "3.\n", 1, "letters" },
		{ "a-b.\n", 1, "letters" },
		{ "Abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcd.\n", 1, "longer" },
	};
	fixture *f = *state;
	size_t failed = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		aq_segmenter *seg = NULL;
		char path[1024], prefix[1100];
		const char *msg;
		int rc;

		write_temp(path, sizeof(path), cases[i].content);
		rc = aq_segmenter_new(&seg, f->ctx, path);
		msg = aq_ctx_errmsg(f->ctx);
		snprintf(prefix, sizeof(prefix), "%s:%d: ", path, cases[i].line);
		if (rc != AQ_ERULE || seg || strncmp(msg, prefix, strlen(prefix)) ||
		    !strstr(msg, cases[i].what)) {
			print_message("case %zu: rc %d, message \"%s\", want \"%s...%s\"\n", i, rc,
				msg, prefix, cases[i].what);
			failed++;
		}
		aq_segmenter_free(seg);
		unlink(path);
	}
	if (failed)
		fail_msg("%zu broken files misreported", failed);
}

static void test_rules_missing(void **state)
{
	fixture *f = *state;
	aq_segmenter *seg = NULL;
	const char *path = "/nonexistent/dir/abbreviations.txt";

	assert_int_equal(aq_segmenter_new(&seg, f->ctx, path), AQ_EIO);
	assert_null(seg);
	assert_non_null(strstr(aq_ctx_errmsg(f->ctx), path));
	aq_segmenter_free(NULL);
}

/* Without a list ICU's boundaries stand, apart from the built-in rules. */
static void test_no_rules(void **state)
{
	static const char *const want_en[] = { "See e.g.", "MSCs here.", "J. Smith wrote.", NULL };
	static const char *const want_zh[] = { "一句。", "「二句」", NULL };
	fixture *f = *state;
	aq_segmenter *seg = NULL;

	assert_int_equal(aq_segmenter_new(&seg, f->ctx, NULL), 0);
	assert_true(run_case(f, seg, AQ_LANG_EN, "See e.g. MSCs here. J. Smith wrote.", want_en));
	assert_true(run_case(f, seg, AQ_LANG_ZH, "一句。「二句」", want_zh));
	aq_segmenter_free(seg);
}

/* ------------------------------------------------------------------ */
/* Clones and threads                                                   */

static const char clone_text[] =
	"Smith et al. found e.g. MSCs in Fig. 2. The U.S. Army helped. J. Smith wrote it. "
	"METHODS: We did it RESULTS: Fine.";

typedef struct thread_job {
	aq_segmenter *seg;
	const aq_spans *want;
	int mismatches;
} thread_job;

static void *thread_main(void *arg)
{
	thread_job *job = arg;
	aq_spans sp;

	aq_spans_init(&sp);
	for (int i = 0; i < 200; i++) {
		if (aq_segment_text(&sp, job->seg, AQ_LANG_EN, clone_text, strlen(clone_text)) ||
		    sp.n != job->want->n ||
		    memcmp(sp.v, job->want->v, sp.n * sizeof(aq_span)))
			job->mismatches++;
	}
	aq_spans_dispose(&sp);
	return NULL;
}

static void test_clone(void **state)
{
	fixture *f = *state;
	aq_segmenter *master = NULL, *c1 = NULL, *c2 = NULL;
	aq_spans want;
	thread_job jobs[2];
	pthread_t th[2];
	char *heap;

	aq_spans_init(&want);
	assert_int_equal(aq_segmenter_new(&master, f->ctx, f->path), 0);
	/* Segment a text that is gone before the clone is made. */
	heap = strdup("One sentence. Another one.");
	assert_non_null(heap);
	assert_int_equal(aq_segment_text(&want, master, AQ_LANG_EN, heap, strlen(heap)), 0);
	free(heap);
	assert_int_equal(aq_segment_text(&want, master, AQ_LANG_EN, clone_text, strlen(clone_text)), 0);
	assert_int_equal(want.n, 5);
	assert_int_equal(aq_segmenter_clone(&c1, f->ctx, master), 0);
	assert_int_equal(aq_segmenter_clone(&c2, f->ctx, master), 0);
	/* The clones keep the shared list alive. */
	aq_segmenter_free(master);
	jobs[0] = (thread_job){ c1, &want, 0 };
	jobs[1] = (thread_job){ c2, &want, 0 };
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, thread_main, &jobs[i]), 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	assert_int_equal(jobs[0].mismatches, 0);
	assert_int_equal(jobs[1].mismatches, 0);
	{
		static const char *const want_zh[] = { "目的：一。", "方法：二", NULL };

		assert_true(run_case(f, c1, AQ_LANG_ZH, "目的：一。方法：二", want_zh));
	}
	aq_segmenter_free(c1);
	aq_segmenter_free(c2);
	aq_spans_dispose(&want);
}

/* ------------------------------------------------------------------ */
/* The seed record (shared/seed-record.txt): 9 + 9 sentences            */

static void test_seed_record(void **state)
{
	fixture *f = *state;
	char path[1024], line[16384], en[16384] = "", zh[16384] = "";
	FILE *fp;

	snprintf(path, sizeof(path), "%s/../../shared/seed-record.txt", AQ_TEST_SOURCE_DIR);
	fp = fopen(path, "r");
	if (!fp) {
		print_message("%s not found: skipped\n", path);
		skip();
	}
	/* The abstracts are the longest plain-ASCII line and the longest
	 * line with non-ASCII text. */
	while (fgets(line, sizeof(line), fp)) {
		size_t n = strlen(line);
		bool ascii = true;

		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		for (size_t i = 0; i < n && ascii; i++)
			ascii = (unsigned char)line[i] < 0x80;
		if (ascii && n > strlen(en))
			memcpy(en, line, n + 1);
		else if (!ascii && n > strlen(zh))
			memcpy(zh, line, n + 1);
	}
	fclose(fp);
	segment_checked(f, AQ_LANG_EN, en, strlen(en));
	assert_int_equal(f->spans.n, 9);
	segment_checked(f, AQ_LANG_ZH, zh, strlen(zh));
	assert_int_equal(f->spans.n, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_en_abbreviations),
		cmocka_unit_test(test_en_bracket_bound),
		cmocka_unit_test(test_zh),
		cmocka_unit_test(test_structured),
		cmocka_unit_test(test_whitespace),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_random_soup),
		cmocka_unit_test(test_long_text),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_rules_good),
		cmocka_unit_test(test_rules_broken),
		cmocka_unit_test(test_rules_missing),
		cmocka_unit_test(test_no_rules),
		cmocka_unit_test(test_clone),
		cmocka_unit_test(test_seed_record),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
