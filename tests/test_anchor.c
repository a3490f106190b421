/*
 * test_anchor.c - the anchors a sentence and its translation share:
 * acronyms (plural, possessive, embedded in Chinese), Latin identifiers,
 * weak words and units, section labels, numbers, glossary terms; keys equal
 * across languages, spans, order, and malformed input.
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

#include "alignqa.h"

#define EN AQ_LANG_EN
#define ZH AQ_LANG_ZH

static void find_all(aq_anchors *a, aq_lang lang, const char *text)
{
	a->n = 0;
	assert_int_equal(aq_anchors_find(a, lang, text, 0, (uint32_t)strlen(text), NULL), 0);
}

static void dump(const aq_anchors *a, const char *text)
{
	static const char *const kinds[] = { "?", "NUM", "ACR", "LAT", "TERM", "SEC" };

	for (size_t i = 0; i < a->n; i++)
		print_error("  %s%s [%.*s]\n", a->v[i].kind <= 5 ? kinds[a->v[i].kind] : "?",
			a->v[i].weak ? "~" : "", (int)(a->v[i].end - a->v[i].off),
			text + a->v[i].off);
}

/* The anchor of the given kind whose span is the first occurrence of span
 * in text; fails the test if there is none. */
static const aq_anchor *anchor_of(const aq_anchors *a, const char *text, const char *span,
	int kind)
{
	const char *at = strstr(text, span);
	uint32_t off, end;

	if (!at)
		fail_msg("bad test: \"%s\" not in \"%s\"", span, text);
	off = (uint32_t)(at - text);
	end = off + (uint32_t)strlen(span);
	for (size_t i = 0; i < a->n; i++)
		if (a->v[i].off == off && a->v[i].end == end && a->v[i].kind == kind)
			return &a->v[i];
	dump(a, text);
	fail_msg("\"%s\": no anchor of kind %d on [%s]", text, kind, span);
	return NULL;
}

/* Anchors lie inside the window, in text order, and never overlap, except
 * glossary terms, which may cover other anchors. */
static void check_layout(const aq_anchors *a, const char *text, uint32_t off, uint32_t end)
{
	for (size_t i = 0; i < a->n; i++) {
		assert_true(a->v[i].off >= off && a->v[i].off < a->v[i].end && a->v[i].end <= end);
		assert_true(a->v[i].kind >= AQ_ANCHOR_NUMBER && a->v[i].kind <= AQ_ANCHOR_SECTION);
		if (i > 0 && a->v[i - 1].off > a->v[i].off) {
			dump(a, text);
			fail_msg("\"%s\": anchors out of order at %zu", text, i);
		}
		for (size_t j = i + 1; j < a->n; j++) {
			bool overlap = a->v[j].off < a->v[i].end && a->v[i].off < a->v[j].end;
			if (overlap && a->v[i].kind != AQ_ANCHOR_TERM &&
			    a->v[j].kind != AQ_ANCHOR_TERM) {
				dump(a, text);
				fail_msg("\"%s\": anchors %zu and %zu overlap", text, i, j);
			}
		}
	}
}

static uint64_t key_in(aq_lang lang, const char *text, const char *span, int kind, bool weak)
{
	aq_anchors a;
	const aq_anchor *x;
	uint64_t key;

	aq_anchors_init(&a);
	find_all(&a, lang, text);
	check_layout(&a, text, 0, (uint32_t)strlen(text));
	x = anchor_of(&a, text, span, kind);
	if (x->weak != weak)
		fail_msg("\"%s\" [%s]: weak=%d, want %d", text, span, x->weak, weak);
	key = x->key;
	aq_anchors_dispose(&a);
	return key;
}

static void test_acronyms(void **state)
{
	static const char *const en = "Knee OA and MSCs, the MSC's effect, MSCs' role; "
		"HATs and HDACs; WHO criteria.";
	static const char *const zh = "膝关节OA患者中MSC的作用，ＯＡ，HAT与HDAC，WHO标准";
	uint64_t msc;
	(void)state;
	assert_true(key_in(EN, en, "OA", AQ_ANCHOR_ACRONYM, false) ==
		    key_in(ZH, zh, "OA", AQ_ANCHOR_ACRONYM, false));
	assert_true(key_in(ZH, zh, "ＯＡ", AQ_ANCHOR_ACRONYM, false) ==
		    key_in(EN, en, "OA", AQ_ANCHOR_ACRONYM, false));
	msc = key_in(ZH, zh, "MSC", AQ_ANCHOR_ACRONYM, false);
	assert_true(key_in(EN, en, "MSCs", AQ_ANCHOR_ACRONYM, false) == msc);
	assert_true(key_in(EN, en, "MSC's", AQ_ANCHOR_ACRONYM, false) == msc);
	assert_true(key_in(EN, en, "MSCs'", AQ_ANCHOR_ACRONYM, false) == msc);
	assert_true(key_in(EN, en, "HATs", AQ_ANCHOR_ACRONYM, false) ==
		    key_in(ZH, zh, "HAT", AQ_ANCHOR_ACRONYM, false));
	assert_true(key_in(EN, en, "HDACs", AQ_ANCHOR_ACRONYM, false) ==
		    key_in(ZH, zh, "HDAC", AQ_ANCHOR_ACRONYM, false));
	assert_true(key_in(EN, en, "WHO", AQ_ANCHOR_ACRONYM, false) ==
		    key_in(ZH, zh, "WHO", AQ_ANCHOR_ACRONYM, false));
	/* the documented key: hash of the kind byte and the normal form */
	assert_true(msc == aq_hash64("\x02" "MSC", 4, 0));
	/* not acronyms */
	{
		aq_anchors a;
		aq_anchors_init(&a);
		find_all(&a, EN, "A Ab Is");
		assert_int_equal(a.n, 0);
		aq_anchors_dispose(&a);
	}
}

static void test_latin_identifiers(void **state)
{
	static const char *const ids[] = {
		"IL-6", "TNF-\xce\xb1", "mRNA", "miR-21", "CD4+", "COVID-19", "E-cadherin", "p53",
		"Cox-2", "5-FU", "NF-\xce\xba" "B", "SARS-CoV-2", "HbA1c", "IgG", "T2DM", "4T1", "3D",
		"Ki-67", "H2O2", "BRCA1",
	};
	char en[128], zh[128];
	(void)state;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(en, sizeof(en), "The %s level rose.", ids[i]);
		snprintf(zh, sizeof(zh), "%s水平升高。", ids[i]);
		assert_true(key_in(EN, en, ids[i], AQ_ANCHOR_LATIN, false) ==
			    key_in(ZH, zh, ids[i], AQ_ANCHOR_LATIN, false));
	}
	/* the normal form is lower case */
	assert_true(key_in(EN, "IL-6 and", "IL-6", AQ_ANCHOR_LATIN, false) ==
		    key_in(ZH, "il-6的", "il-6", AQ_ANCHOR_LATIN, false));
	assert_true(key_in(EN, "mRNAs were", "mRNAs", AQ_ANCHOR_LATIN, false) ==
		    key_in(ZH, "mRNA表达", "mRNA", AQ_ANCHOR_LATIN, false));
	/* full-width Latin and the micro sign fold */
	assert_true(key_in(ZH, "ＩＬ－６水平", "ＩＬ－６", AQ_ANCHOR_LATIN, false) ==
		    key_in(EN, "IL-6 and", "IL-6", AQ_ANCHOR_LATIN, false));
}

static void test_weak_words(void **state)
{
	static const char *const en = "Epithelial-mesenchymal transition involved E-cadherin "
		"and anti-inflammatory cells of the lung.";
	static const char *const zh = "上皮间质转化（epithelial-mesenchymal transition, EMT）"
		"涉及E-cadherin和Anti-inflammatory";
	aq_anchors a;
	(void)state;
	assert_true(key_in(EN, en, "Epithelial-mesenchymal", AQ_ANCHOR_LATIN, true) ==
		    key_in(ZH, zh, "epithelial-mesenchymal", AQ_ANCHOR_LATIN, true));
	assert_true(key_in(EN, en, "transition", AQ_ANCHOR_LATIN, true) ==
		    key_in(ZH, zh, "transition", AQ_ANCHOR_LATIN, true));
	assert_true(key_in(EN, en, "anti-inflammatory", AQ_ANCHOR_LATIN, true) ==
		    key_in(ZH, zh, "Anti-inflammatory", AQ_ANCHOR_LATIN, true));
	assert_true(key_in(EN, en, "E-cadherin", AQ_ANCHOR_LATIN, false) ==
		    key_in(ZH, zh, "E-cadherin", AQ_ANCHOR_LATIN, false));
	/* words shorter than four letters give nothing */
	aq_anchors_init(&a);
	find_all(&a, EN, "It is of the art and a cat.");
	assert_int_equal(a.n, 0);
	find_all(&a, ZH, "在the病人中");
	assert_int_equal(a.n, 0);
	aq_anchors_dispose(&a);
}

/* An ordinary word hyphenated to an identifier is split off, as the
 * translation keeps only the identifier. */
static void test_hyphen_split(void **state)
{
	static const char *const en = "MSC-based therapy, anti-TNF, IL-6-mediated, "
		"E-cadherin and \xce\xb2-catenin, Anti-inflammatory, p53-dependent";
	static const char *const zh = "基于MSC的疗法，抗TNF，IL-6介导，E-cadherin和\xce\xb2-catenin，"
		"anti-inflammatory，p53依赖";
	(void)state;
	assert_true(key_in(EN, en, "MSC", AQ_ANCHOR_ACRONYM, false) ==
		    key_in(ZH, zh, "MSC", AQ_ANCHOR_ACRONYM, false));
	assert_true(key_in(EN, en, "based", AQ_ANCHOR_LATIN, true) != 0);
	assert_true(key_in(EN, en, "TNF", AQ_ANCHOR_ACRONYM, false) ==
		    key_in(ZH, zh, "TNF", AQ_ANCHOR_ACRONYM, false));
	assert_true(key_in(EN, en, "IL-6", AQ_ANCHOR_LATIN, false) ==
		    key_in(ZH, zh, "IL-6", AQ_ANCHOR_LATIN, false));
	assert_true(key_in(EN, en, "mediated", AQ_ANCHOR_LATIN, true) != 0);
	assert_true(key_in(EN, en, "E-cadherin", AQ_ANCHOR_LATIN, false) ==
		    key_in(ZH, zh, "E-cadherin", AQ_ANCHOR_LATIN, false));
	assert_true(key_in(EN, en, "\xce\xb2-catenin", AQ_ANCHOR_LATIN, false) ==
		    key_in(ZH, zh, "\xce\xb2-catenin", AQ_ANCHOR_LATIN, false));
	assert_true(key_in(EN, en, "Anti-inflammatory", AQ_ANCHOR_LATIN, true) ==
		    key_in(ZH, zh, "anti-inflammatory", AQ_ANCHOR_LATIN, true));
	assert_true(key_in(EN, en, "p53", AQ_ANCHOR_LATIN, false) ==
		    key_in(ZH, zh, "p53", AQ_ANCHOR_LATIN, false));
}

static void test_units_and_numbers(void **state)
{
	static const char *const en = "Rats got 10 mg/kg and 5 \xc2\xb5" "g/mL for 12-week; "
		"one rat died, 95% CI 1.2-3.4.";
	static const char *const zh = "大鼠给予10mg/kg和5 \xce\xbc" "g/mL共12周；"
		"一只死亡，95%CI：1.2～3.4。";
	(void)state;
	assert_true(key_in(EN, en, "mg/kg", AQ_ANCHOR_LATIN, true) ==
		    key_in(ZH, zh, "mg/kg", AQ_ANCHOR_LATIN, true));
	assert_true(key_in(EN, en, "\xc2\xb5" "g/mL", AQ_ANCHOR_LATIN, true) ==
		    key_in(ZH, zh, "\xce\xbc" "g/mL", AQ_ANCHOR_LATIN, true));
	assert_true(key_in(EN, en, "10", AQ_ANCHOR_NUMBER, false) ==
		    key_in(ZH, zh, "10", AQ_ANCHOR_NUMBER, false));
	assert_true(key_in(EN, en, "12", AQ_ANCHOR_NUMBER, false) ==
		    key_in(ZH, zh, "12", AQ_ANCHOR_NUMBER, false));
	assert_true(key_in(EN, en, "week", AQ_ANCHOR_LATIN, true) != 0);
	assert_true(key_in(EN, en, "one", AQ_ANCHOR_NUMBER, true) ==
		    key_in(ZH, zh, "一", AQ_ANCHOR_NUMBER, false));
	assert_true(key_in(EN, en, "95%", AQ_ANCHOR_NUMBER, false) ==
		    key_in(ZH, zh, "95%", AQ_ANCHOR_NUMBER, false));
	assert_true(key_in(EN, en, "CI", AQ_ANCHOR_ACRONYM, false) ==
		    key_in(ZH, zh, "CI", AQ_ANCHOR_ACRONYM, false));
	assert_true(key_in(EN, en, "3.4", AQ_ANCHOR_NUMBER, false) ==
		    key_in(ZH, zh, "3.4", AQ_ANCHOR_NUMBER, false));
	assert_true(key_in(EN, "about 5% of", "5%", AQ_ANCHOR_NUMBER, false) ==
		    key_in(ZH, "约百分之五的", "百分之五", AQ_ANCHOR_NUMBER, false));
	assert_true(key_in(EN, "thirty rats", "thirty", AQ_ANCHOR_NUMBER, false) ==
		    key_in(ZH, "三十只", "三十", AQ_ANCHOR_NUMBER, false));
	/* a number key differs from a Latin token with the same text */
	assert_true(key_in(EN, "in 2D", "2D", AQ_ANCHOR_LATIN, false) !=
		    key_in(EN, "in 2", "2", AQ_ANCHOR_NUMBER, false));
	/* lexicalised numerals are no anchors */
	{
		aq_anchors a;
		aq_anchors_init(&a);
		find_all(&a, ZH, "一些患者进一步统一");
		assert_int_equal(a.n, 0);
		aq_anchors_dispose(&a);
	}
}

static void test_sections(void **state)
{
	static const struct {
		aq_lang lang;
		const char *text;
		const char *label; /* span of the anchor; NULL: no section */
		int group;         /* labels of one group share a key */
	} cases[] = {
		{ EN, "BACKGROUND: Knee pain is common.", "BACKGROUND:", 0 },
		{ EN, "Background : it is.", "Background :", 0 },
		{ EN, "Background and aims: to see.", "Background and aims:", 0 },
		{ ZH, "背景：膝痛常见。", "背景：", 0 },
		{ ZH, "【背景】膝痛常见。", "【背景】", 0 },
		{ EN, "OBJECTIVE: To test.", "OBJECTIVE:", 1 },
		{ EN, "Aim: To test.", "Aim:", 1 },
		{ EN, "PURPOSE: To test.", "PURPOSE:", 1 },
		{ ZH, "目的：探讨。", "目的：", 1 },
		{ ZH, "[目的]探讨。", "[目的]", 1 },
		{ EN, "METHODS: We did.", "METHODS:", 2 },
		{ EN, "Materials and Methods: We did.", "Materials and Methods:", 2 },
		{ ZH, "方法：采用。", "方法：", 2 },
		{ ZH, "材料与方法：采用。", "材料与方法：", 2 },
		{ EN, "RESULTS: It worked.", "RESULTS:", 3 },
		{ ZH, "结果:有效。", "结果:", 3 },
		{ ZH, "結果：有效。", "結果：", 3 },
		{ EN, "CONCLUSIONS: Fine.", "CONCLUSIONS:", 4 },
		{ EN, "Conclusion: Fine.", "Conclusion:", 4 },
		{ ZH, "结论：可行。", "结论：", 4 },
		{ EN, "Background noise was low.", NULL, 0 },
		{ EN, "The methods: none.", NULL, 0 },
		{ EN, "Backgrounder: x.", NULL, 0 },
		{ ZH, "方法学：无。", NULL, 0 },
		{ ZH, "结果显示有效。", NULL, 0 },
	};
	uint64_t keys[5] = { 0 };
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		aq_anchors a;
		aq_anchors_init(&a);
		find_all(&a, cases[i].lang, cases[i].text);
		check_layout(&a, cases[i].text, 0, (uint32_t)strlen(cases[i].text));
		if (!cases[i].label) {
			for (size_t k = 0; k < a.n; k++)
				if (a.v[k].kind == AQ_ANCHOR_SECTION)
					fail_msg("\"%s\": unexpected section", cases[i].text);
		} else {
			const aq_anchor *x = anchor_of(&a, cases[i].text, cases[i].label,
				AQ_ANCHOR_SECTION);
			int g = cases[i].group;
			assert_int_equal(x->weak, 0);
			if (!keys[g])
				keys[g] = x->key;
			else if (keys[g] != x->key)
				fail_msg("\"%s\": key differs from its group", cases[i].text);
			/* the label's words are not acronyms or Latin words */
			for (size_t k = 0; k < a.n; k++)
				assert_true(a.v[k].off >= x->end || a.v[k].kind == AQ_ANCHOR_SECTION);
		}
		aq_anchors_dispose(&a);
	}
	for (int g = 0; g < 5; g++)
		for (int h = g + 1; h < 5; h++)
			assert_true(keys[g] != keys[h]);
	assert_true(keys[2] == aq_hash64("\x05sec:methods", 12, 0));
}

/* One token, one anchor; anchors in order within the window. */
static void test_layout(void **state)
{
	static const char *const texts[] = {
		"Osteoarthritis (OA) in knee OA patients: MSCs, IL-6 (p<0.05) and TNF-\xce\xb1 at "
		"10 mg/kg, 1.2\xc3\x97" "10^5 cells, 95%CI 1.2-3.4, CD4+ and 5mg.",
		"骨关节炎(OA)患者中，MSCs通过IL-6（P<0.05）与TNF-α调节，10mg/kg，三十例，百分之五。",
	};
	const char *text = "xx. METHODS: 12 MSCs were used. Tail";
	aq_anchors a;
	(void)state;
	aq_anchors_init(&a);
	for (size_t i = 0; i < 2; i++) {
		find_all(&a, i ? ZH : EN, texts[i]);
		check_layout(&a, texts[i], 0, (uint32_t)strlen(texts[i]));
	}
	/* a sentence inside a longer text: spans index the whole text, the
	 * label is found at the sentence start, anchors are appended */
	a.n = 0;
	assert_int_equal(aq_anchors_find(&a, EN, text, 4, 32, NULL), 0);
	check_layout(&a, text, 4, 32);
	assert_int_equal(a.n, 5); /* METHODS:, 12, MSCs, were, used; not Tail */
	assert_int_equal(a.v[0].kind, AQ_ANCHOR_SECTION);
	assert_int_equal(a.v[0].off, 4);
	assert_int_equal(aq_anchors_find(&a, EN, text, 4, 4, NULL), 0);
	assert_int_equal(a.n, 5);
	assert_int_equal(aq_anchors_find(&a, EN, text, 32, 36, NULL), 0);
	assert_int_equal(a.n, 6);
	assert_int_equal(a.v[5].off, 32);
	aq_anchors_dispose(&a);
	aq_anchors_dispose(&a);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *in;
		size_t len;
	} cases[] = {
		{ "", 0 },
		{ "\xff\xfe IL-\xff" "6 MS\x80" "Cs \xe4\xb8", 18 },
		{ "OA\xe4", 3 },
		{ "\xef\xbb\xbf" "BACKGROUND:\r\nIL-6", 19 },
		{ "MSC'", 4 },
		{ "MSCs'", 5 },
		{ "A'", 2 },
		{ "'s", 2 },
		{ "CD4++", 5 },
		{ "a-", 2 },
		{ "mg/", 3 },
		{ "\xe3\x80\x90", 3 },
		{ "5\x00" "mg", 4 },
	};
	aq_anchors a;
	char *big;
	size_t len = 300000;
	(void)state;
	aq_anchors_init(&a);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int lang = 0; lang < 2; lang++) {
			a.n = 0;
			assert_int_equal(aq_anchors_find(&a, (aq_lang)lang, cases[i].in, 0,
				(uint32_t)cases[i].len, NULL), 0);
			check_layout(&a, cases[i].in, 0, (uint32_t)cases[i].len);
		}
	}
	/* a token far longer than a key, and many tokens */
	big = malloc(len);
	assert_non_null(big);
	memset(big, 'A', len);
	a.n = 0;
	assert_int_equal(aq_anchors_find(&a, AQ_LANG_EN, big, 0, (uint32_t)len, NULL), 0);
	assert_int_equal(a.n, 1);
	assert_int_equal(a.v[0].end, len);
	for (size_t i = 0; i + 5 <= len; i += 5)
		memcpy(big + i, "IL-6 ", 5);
	a.n = 0;
	assert_int_equal(aq_anchors_find(&a, AQ_LANG_ZH, big, 0, (uint32_t)len, NULL), 0);
	assert_int_equal(a.n, len / 5);
	aq_anchors_dispose(&a);
	free(big);
}

/* Numbers inside Latin tokens split them; no anchor overlaps another. */
static void test_numbers_in_tokens(void **state)
{
	static const char *const en = "About one-third (grade-two), Fig.5 and v2.0 of 2-fold.";
	aq_anchors a;
	(void)state;
	assert_true(key_in(EN, en, "one", AQ_ANCHOR_NUMBER, true) != 0);
	assert_true(key_in(EN, en, "third", AQ_ANCHOR_NUMBER, false) != 0);
	assert_true(key_in(EN, en, "grade", AQ_ANCHOR_LATIN, true) != 0);
	assert_true(key_in(EN, en, "two", AQ_ANCHOR_NUMBER, false) != 0);
	assert_true(key_in(EN, en, "5", AQ_ANCHOR_NUMBER, false) != 0);
	assert_true(key_in(EN, en, "v2.0", AQ_ANCHOR_LATIN, false) != 0);
	assert_true(key_in(EN, en, "fold", AQ_ANCHOR_LATIN, true) != 0);
	aq_anchors_init(&a);
	find_all(&a, EN, en);
	assert_int_equal(a.n, 9); /* About, one, third, grade, two, 5, v2.0, 2, fold */
	aq_anchors_dispose(&a);
}

/* Random soups of the characters the parsers care about: anchors and
 * numbers stay inside the window, in order, without overlaps. */
static void test_soup(void **state)
{
	static const char *const atoms[] = {
		"0", "1", "5", ".", ",", "-", "%", "x", "e", "^", "(", ")", "10", "\xc3\x97",
		"\xe2\x81\xb5", "一", "十", "百", "万", "两", "零", "点", "第", "分", "之", "半",
		"些", "个", "至", "～", "−", "％", "．", "０", "p", "<", "=", "值", " ", "and",
		"between", "to", "one", "hundred", "twenty", "-five", "first", "percent", "A",
		"MSC", "s", "'", "IL", "+", "/", "mg", "\xce\xb1", "\xff", "\xe4", "【", "】",
		"BACKGROUND", ":", "方法", "统", "fold", "T", "4", "st", "\xc2\xb5", "Ｏ",
	};
	const size_t n_atoms = sizeof(atoms) / sizeof(atoms[0]);
	uint32_t rng = 12345;
	aq_numbers nums;
	aq_anchors a;
	char buf[256];
	(void)state;
	aq_numbers_init(&nums);
	aq_anchors_init(&a);
	for (int it = 0; it < 20000; it++) {
		size_t len = 0;
		uint32_t off, end;
		int k;

		rng = rng * 1103515245u + 12345u;
		k = (int)((rng >> 16) % 20);
		for (int j = 0; j < k; j++) {
			const char *t;
			size_t l;

			rng = rng * 1103515245u + 12345u;
			t = atoms[(rng >> 16) % n_atoms];
			l = strlen(t);
			if (len + l >= sizeof(buf))
				break;
			memcpy(buf + len, t, l);
			len += l;
		}
		rng = rng * 1103515245u + 12345u;
		off = len ? (rng >> 16) % (uint32_t)(len + 1) : 0;
		end = (uint32_t)len - (len > off ? (rng >> 8) % (uint32_t)(len - off + 1) : 0);
		if (end < off)
			end = off;
		for (int lang = 0; lang < 2; lang++) {
			nums.n = 0;
			assert_int_equal(aq_numbers_find(&nums, (aq_lang)lang, buf, off, end), 0);
			for (size_t i = 0; i < nums.n; i++) {
				assert_true(nums.v[i].off >= off && nums.v[i].end <= end);
				assert_true(nums.v[i].off < nums.v[i].end);
				assert_true(i == 0 || nums.v[i].off >= nums.v[i - 1].end);
			}
			a.n = 0;
			assert_int_equal(aq_anchors_find(&a, (aq_lang)lang, buf, off, end, NULL), 0);
			check_layout(&a, buf, off, end);
		}
	}
	aq_numbers_dispose(&nums);
	aq_anchors_dispose(&a);
}

/* Glossary terms: runs when the lexicon can load a glossary; skipped
 * otherwise (a lexicon without glossary support). */
static void test_glossary(void **state)
{
	static const char tsv[] = "knee osteoarthritis\t膝骨关节炎\n"
		"mesenchymal stem cell\t间充质干细胞\n";
	char path[] = "/tmp/aq_test_glossaryXXXXXX";
	const char *en = "Patients with knee osteoarthritis were treated.";
	const char *zh = "膝骨关节炎患者接受治疗。";
	aq_lexicon *lex = NULL;
	aq_ctx *ctx = NULL;
	aq_anchors a, b;
	const aq_anchor *x, *y;
	int fd, rc;
	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, tsv, sizeof(tsv) - 1), (ssize_t)(sizeof(tsv) - 1));
	close(fd);
	assert_int_equal(aq_ctx_new(&ctx), 0);
	rc = aq_lexicon_load(&lex, ctx, path, AQ_LEX_GLOSSARY);
	unlink(path);
	if (rc != 0) {
		print_message("glossary not loaded (%s): skipped\n", aq_ctx_errmsg(ctx));
		aq_ctx_free(ctx);
		skip();
	}
	aq_anchors_init(&a);
	aq_anchors_init(&b);
	assert_int_equal(aq_anchors_find(&a, EN, en, 0, (uint32_t)strlen(en), lex), 0);
	assert_int_equal(aq_anchors_find(&b, ZH, zh, 0, (uint32_t)strlen(zh), lex), 0);
	check_layout(&a, en, 0, (uint32_t)strlen(en));
	check_layout(&b, zh, 0, (uint32_t)strlen(zh));
	x = anchor_of(&a, en, "knee osteoarthritis", AQ_ANCHOR_TERM);
	y = anchor_of(&b, zh, "膝骨关节炎", AQ_ANCHOR_TERM);
	assert_true(x->key == y->key);
	assert_int_equal(x->weak, 0);
	/* the words inside the term are still there */
	anchor_of(&a, en, "osteoarthritis", AQ_ANCHOR_LATIN);
	/* without the glossary, no term */
	a.n = 0;
	assert_int_equal(aq_anchors_find(&a, EN, en, 0, (uint32_t)strlen(en), NULL), 0);
	for (size_t i = 0; i < a.n; i++)
		assert_true(a.v[i].kind != AQ_ANCHOR_TERM);
	aq_anchors_dispose(&a);
	aq_anchors_dispose(&b);
	aq_lexicon_free(lex);
	aq_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acronyms),
		cmocka_unit_test(test_latin_identifiers),
		cmocka_unit_test(test_weak_words),
		cmocka_unit_test(test_hyphen_split),
		cmocka_unit_test(test_units_and_numbers),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_numbers_in_tokens),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_soup),
		cmocka_unit_test(test_glossary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
