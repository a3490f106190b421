/*
 * test_lexicon.c - unit tests of lexicon.c: loading the three formats and
 * auto-detection, load errors with file:line, the stemmer, dictionary
 * matching (en_words, zh_words), glossary matching (find_terms),
 * malformed input, and the compiled form (save, load, damaged files).
 * Fixtures are in data/lexicon/; the full CC-CEDICT and HPO files are used
 * when the shared corpora are present.
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

#include "lexicon.h"

#ifndef AQ_TEST_SOURCE_DIR
#define AQ_TEST_SOURCE_DIR "."
#endif
#define DATA AQ_TEST_SOURCE_DIR "/data/lexicon/"

#define SHARED_CEDICT "/work/shared/corpora/cedict/cedict.tsv"
#define SHARED_HPO "/work/shared/corpora/hpo-zh/hp-zh.babelon.tsv"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static aq_lexicon *load_ok(const char *path, aq_lexicon_format fmt)
{
	aq_ctx *ctx = NULL;
	aq_lexicon *lex = NULL;
	int rc;

	assert_int_equal(aq_ctx_new(&ctx), 0);
	rc = aq_lexicon_load(&lex, ctx, path, fmt);
	if (rc)
		fail_msg("loading %s: %d %s", path, rc, aq_ctx_errmsg(ctx));
	assert_non_null(lex);
	aq_ctx_free(ctx);
	return lex;
}

/* The hits of zh_words as "word|word", the spans cut from text. */
static void zh_words_str(char *out, size_t size, const aq_lexicon *lex, const char *text,
	uint32_t off, uint32_t end)
{
	aq_lexhits h;
	size_t n = 0;

	aq_lexhits_init(&h);
	assert_int_equal(aq_lexicon_zh_words(&h, lex, text, off, end), 0);
	out[0] = '\0';
	for (size_t i = 0; i < h.n; i++) {
		assert_true(h.v[i].off >= off && h.v[i].end <= end && h.v[i].off < h.v[i].end);
		assert_true(h.v[i].n > 0 && h.v[i].n <= 8);
		n += (size_t)snprintf(out + n, size - n, "%s%.*s", i ? "|" : "",
			(int)(h.v[i].end - h.v[i].off), text + h.v[i].off);
		assert_true(n < size);
	}
	aq_lexhits_dispose(&h);
}

/* The vocabulary id of one English word (which must have exactly one). */
static uint32_t word_id(const aq_lexicon *lex, const char *word)
{
	aq_u32vec v;
	uint32_t id;

	aq_u32vec_init(&v);
	assert_int_equal(aq_lexicon_en_words(&v, lex, word, 0, (uint32_t)strlen(word)), 0);
	if (v.n != 1)
		fail_msg("\"%s\" has %zu vocabulary ids", word, v.n);
	id = v.v[0];
	assert_true(id < aq_lexicon_vocab_size(lex));
	aq_u32vec_dispose(&v);
	return id;
}

/* Number of Chinese words of zh whose glosses meet the English sentence:
 * what the aligner counts for a sentence pair. */
static size_t anchored(const aq_lexicon *lex, const char *en, const char *zh)
{
	aq_u32vec ids;
	aq_lexhits h;
	const uint32_t *gloss = aq_lexicon_gloss_ids(lex);
	size_t count = 0;

	aq_u32vec_init(&ids);
	aq_lexhits_init(&h);
	assert_int_equal(aq_lexicon_en_words(&ids, lex, en, 0, (uint32_t)strlen(en)), 0);
	assert_int_equal(aq_lexicon_zh_words(&h, lex, zh, 0, (uint32_t)strlen(zh)), 0);
	for (size_t i = 0; i < h.n; i++) {
		bool hit = false;

		for (uint32_t k = 0; k < h.v[i].n && !hit; k++)
			for (size_t j = 0; j < ids.n && !hit; j++)
				hit = gloss[h.v[i].first + k] == ids.v[j];
		count += hit;
	}
	aq_lexhits_dispose(&h);
	aq_u32vec_dispose(&ids);
	return count;
}

/* The hits of find_terms as "span=entry en/entry zh/status|...". */
static void terms_str(char *out, size_t size, const aq_lexicon *lex, aq_lang lang,
	const char *text)
{
	aq_termhits h;
	size_t n = 0;

	aq_termhits_init(&h);
	assert_int_equal(aq_lexicon_find_terms(&h, lex, lang, text, 0, (uint32_t)strlen(text)), 0);
	out[0] = '\0';
	for (size_t i = 0; i < h.n; i++) {
		const char *en, *zh, *note;
		aq_term_status st;

		assert_int_equal(aq_lexicon_entry(lex, h.v[i].entry, &en, &zh, &st, &note), 0);
		assert_int_equal(h.v[i].status, st);
		if (i)
			assert_true(h.v[i].off >= h.v[i - 1].end);
		n += (size_t)snprintf(out + n, size - n, "%s%.*s=%s/%s/%d", i ? "|" : "",
			(int)(h.v[i].end - h.v[i].off), text + h.v[i].off, en, zh, (int)st);
		assert_true(n < size);
	}
	aq_termhits_dispose(&h);
}

/* ------------------------------------------------------------------ */

static void test_stem(void **state)
{
	static const struct {
		const char *word, *stem;
	} cases[] = {
		{ "cells", "cell" }, { "cell", "cell" }, { "CELLS", "cell" },
		{ "studies", "study" }, { "study", "study" }, { "studied", "study" },
		{ "inflammation", "inflammation" }, { "treated", "treat" },
		{ "treating", "treat" }, { "treats", "treat" }, { "treatment", "treatment" },
		{ "Patients", "patient" }, { "increase", "increas" }, { "increased", "increas" },
		{ "increases", "increas" }, { "increasing", "increas" }, { "stopped", "stop" },
		{ "modelling", "model" }, { "modeling", "model" }, { "significantly", "significant" },
		{ "classes", "class" }, { "class", "class" }, { "viruses", "virus" },
		{ "virus", "virus" }, { "stress", "stress" }, { "analysis", "analysis" },
		{ "Osteoarthritis", "osteoarthritis" }, { "diabetes", "diabet" },
		{ "primarily", "primary" }, { "family", "family" }, { "is", "is" }, { "was", "was" },
		{ "uses", "use" }, { "use", "use" }, { "genes", "gen" }, { "gene", "gen" },
		{ "matches", "match" }, { "string", "string" }, { "agree", "agree" },
		{ "multiply", "multiply" }, { "anomalies", "anomaly" }, { "a", "a" }, { "", "" },
	};
	char buf[64];

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		size_t len = strlen(cases[i].word);
		size_t n = aq_en_stem(buf, cases[i].word, len);

		if (strcmp(buf, cases[i].stem))
			fail_msg("stem(%s) = %s, expected %s", cases[i].word, buf, cases[i].stem);
		assert_int_equal(n, strlen(cases[i].stem));
		assert_true(n <= len);
	}
}

static void test_load_formats(void **state)
{
	static const struct {
		const char *file;
		aq_lexicon_format fmt;
		size_t size;
		bool is_glossary;
	} cases[] = {
		/* 27 lines; 3D打印 (not all Han) is skipped */
		{ "tiny.u8", AQ_LEX_CEDICT, 26, false },
		{ "tiny.u8", AQ_LEX_AUTO, 26, false },
		{ "tiny.tsv", AQ_LEX_CEDICT_TSV, 26, false },
		{ "tiny.tsv", AQ_LEX_AUTO, 26, false },
		{ "tiny_crlf_bom.u8", AQ_LEX_AUTO, 26, false },
		{ "glossary.tsv", AQ_LEX_GLOSSARY, 10, true },
		{ "glossary.tsv", AQ_LEX_AUTO, 10, true },
		{ "glossary_crlf_bom.tsv", AQ_LEX_AUTO, 10, true },
		/* NOT_TRANSLATED and non-Chinese rows are skipped */
		{ "babelon.tsv", AQ_LEX_AUTO, 3, true },
		{ "empty.txt", AQ_LEX_AUTO, 0, true },
		{ "empty.txt", AQ_LEX_CEDICT, 0, false },
		{ "comments_only.tsv", AQ_LEX_AUTO, 0, true },
		{ "comments_only.tsv", AQ_LEX_CEDICT_TSV, 0, false },
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		char path[512];
		aq_lexicon *lex;

		snprintf(path, sizeof(path), DATA "%s", cases[i].file);
		lex = load_ok(path, cases[i].fmt);
		if (aq_lexicon_size(lex) != cases[i].size ||
		    aq_lexicon_is_glossary(lex) != cases[i].is_glossary)
			fail_msg("%s (format %d): size %zu glossary %d", cases[i].file,
				(int)cases[i].fmt, aq_lexicon_size(lex), aq_lexicon_is_glossary(lex));
		assert_int_equal(aq_lexicon_entries(lex), cases[i].is_glossary ? cases[i].size : 0);
		if (!cases[i].is_glossary && cases[i].size)
			assert_true(aq_lexicon_vocab_size(lex) > 0);
		else
			assert_int_equal(aq_lexicon_vocab_size(lex), 0);
		aq_lexicon_free(lex);
	}
}

/* The CC-CEDICT line format and its TSV form give the same lexicon. */
static void test_formats_agree(void **state)
{
	static const char *const files[] = { "tiny.tsv", "tiny_crlf_bom.u8" };
	static const char *const texts[] = {
		"骨关节炎患者的软骨细胞", "行血和的一个", "疼痛显著减少", "骨關節炎",
	};
	aq_lexicon *ref = load_ok(DATA "tiny.u8", AQ_LEX_CEDICT);

	(void)state;
	for (size_t f = 0; f < N_ELEMS(files); f++) {
		char path[512];
		aq_lexicon *lex;

		snprintf(path, sizeof(path), DATA "%s", files[f]);
		lex = load_ok(path, AQ_LEX_AUTO);
		assert_int_equal(aq_lexicon_vocab_size(lex), aq_lexicon_vocab_size(ref));
		for (size_t t = 0; t < N_ELEMS(texts); t++) {
			char a[256], b[256];
			uint32_t len = (uint32_t)strlen(texts[t]);
			aq_lexhits ha, hb;

			zh_words_str(a, sizeof(a), ref, texts[t], 0, len);
			zh_words_str(b, sizeof(b), lex, texts[t], 0, len);
			assert_string_equal(a, b);
			aq_lexhits_init(&ha);
			aq_lexhits_init(&hb);
			assert_int_equal(aq_lexicon_zh_words(&ha, ref, texts[t], 0, len), 0);
			assert_int_equal(aq_lexicon_zh_words(&hb, lex, texts[t], 0, len), 0);
			assert_int_equal(ha.n, hb.n);
			for (size_t i = 0; i < ha.n; i++) {
				assert_int_equal(ha.v[i].n, hb.v[i].n);
				assert_memory_equal(aq_lexicon_gloss_ids(ref) + ha.v[i].first,
					aq_lexicon_gloss_ids(lex) + hb.v[i].first,
					ha.v[i].n * sizeof(uint32_t));
			}
			aq_lexhits_dispose(&ha);
			aq_lexhits_dispose(&hb);
		}
		aq_lexicon_free(lex);
	}
	aq_lexicon_free(ref);
}

static void test_load_errors(void **state)
{
	static const struct {
		const char *file;
		aq_lexicon_format fmt;
		int code;
		const char *msg; /* expected after "<dir>/" */
	} cases[] = {
		{ "bad_columns.tsv", AQ_LEX_AUTO, AQ_ERULE,
		  "bad_columns.tsv:3: expected 2 to 4 tab-separated columns" },
		{ "bad_columns5.tsv", AQ_LEX_GLOSSARY, AQ_ERULE,
		  "bad_columns5.tsv:1: expected 2 to 4 tab-separated columns (en, zh, status, note), found 5" },
		{ "bad_status.tsv", AQ_LEX_AUTO, AQ_ERULE,
		  "bad_status.tsv:3: unknown status \"obsolete\"" },
		{ "empty_en.tsv", AQ_LEX_AUTO, AQ_ERULE, "empty_en.tsv:2: empty English term" },
		{ "empty_zh.tsv", AQ_LEX_AUTO, AQ_ERULE, "empty_zh.tsv:1: empty Chinese term" },
		{ "no_words.tsv", AQ_LEX_AUTO, AQ_ERULE, "no_words.tsv:2: English term has no words" },
		{ "bad_utf8.tsv", AQ_LEX_AUTO, AQ_ERULE, "bad_utf8.tsv:2:6: invalid UTF-8" },
		{ "nul_byte.tsv", AQ_LEX_AUTO, AQ_ERULE, "nul_byte.tsv:2:5: NUL byte" },
		{ "bad_cedict.u8", AQ_LEX_AUTO, AQ_ERULE, "bad_cedict.u8:3: not a CC-CEDICT line" },
		{ "bad_cedict_tsv.tsv", AQ_LEX_CEDICT_TSV, AQ_ERULE,
		  "bad_cedict_tsv.tsv:3: expected 4 tab-separated columns" },
		{ "empty_headword.tsv", AQ_LEX_CEDICT_TSV, AQ_ERULE,
		  "empty_headword.tsv:2: empty headword" },
		/* a glossary read as a dictionary, and the other way round */
		{ "glossary.tsv", AQ_LEX_CEDICT_TSV, AQ_ERULE, "glossary.tsv:4: expected 4" },
		{ "tiny.u8", AQ_LEX_GLOSSARY, AQ_ERULE, "tiny.u8:4: expected 2 to 4" },
		{ "no_such_file.tsv", AQ_LEX_AUTO, AQ_EIO, "no_such_file.tsv: No such file or directory" },
		{ "", AQ_LEX_AUTO, AQ_EIO, ": Is a directory" },
	};
	aq_ctx *ctx = NULL;

	(void)state;
	assert_int_equal(aq_ctx_new(&ctx), 0);
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		char path[512];
		aq_lexicon *lex = (aq_lexicon *)&ctx; /* must be reset to NULL */
		int rc;

		snprintf(path, sizeof(path), DATA "%s", cases[i].file);
		aq_ctx_clear(ctx);
		rc = aq_lexicon_load(&lex, ctx, path, cases[i].fmt);
		if (rc != cases[i].code || !strstr(aq_ctx_errmsg(ctx), cases[i].msg))
			fail_msg("%s: rc %d, message \"%s\"", cases[i].file, rc, aq_ctx_errmsg(ctx));
		/* the message starts with the path as given */
		assert_int_equal(strncmp(aq_ctx_errmsg(ctx), path, strlen(path)), 0);
		assert_null(lex);
	}
	assert_int_equal(aq_lexicon_load(&(aq_lexicon *){ NULL }, ctx, DATA "tiny.u8", 42),
		AQ_EINVAL);
	aq_ctx_free(ctx);
}

static void test_zh_words(void **state)
{
	static const struct {
		const char *text;
		const char *words; /* hits, "|"-separated */
	} cases[] = {
		{ "骨关节炎患者", "骨关节炎|患者" },
		/* longest match: not 骨 + 关节炎 nor 干 + 细胞 */
		{ "干细胞治疗骨关节炎", "干细胞|治疗|骨关节炎" },
		{ "软骨细胞", "软骨|细胞" },
		/* traditional forms */
		{ "骨關節炎患者的治療", "骨關節炎|患者|治療" },
		/* function words segment but never hit; 3D打印 is not indexed */
		{ "的和中一个", "" },
		{ "3D打印", "" },
		/* "see" and "surname" lines give nothing; other lines merge */
		{ "血", "血" },
		{ "行", "行" },
		/* non-Han text is skipped, words are found around it */
		{ "在MSC（间充质干细胞）中，疼痛减少了50%。", "干细胞|疼痛|减少" },
		{ "ABC骨xyz", "骨" },
		{ "", "" },
		{ "no Chinese at all", "" },
		/* greedy: 关节炎 + 症 (no word), not 关节 + 炎症 */
		{ "关节炎症", "关节炎" },
	};
	aq_lexicon *lex = load_ok(DATA "tiny.u8", AQ_LEX_AUTO);
	char got[512];

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		zh_words_str(got, sizeof(got), lex, cases[i].text, 0,
			(uint32_t)strlen(cases[i].text));
		if (strcmp(got, cases[i].words))
			fail_msg("zh_words(%s) = \"%s\", expected \"%s\"", cases[i].text, got,
				cases[i].words);
	}
	aq_lexicon_free(lex);
}

static void test_en_words(void **state)
{
	static const struct {
		const char *text;
		const char *words; /* the words whose ids come out, in order */
	} cases[] = {
		{ "Patients were treated for knee osteoarthritis.", "patient treat knee osteoarthritis" },
		/* case, inflection and repeats: one id */
		{ "Cell cells CELLS cell's", "cell" },
		{ "The therapy of stem-cells", "therapy stem cell" },
		/* stop words, numbers, one-letter words and unknown words give nothing */
		{ "the of and to is a 42 x xyzzy", "" },
		{ "", "" },
		{ "Pain decreased significantly (p<0.05).", "pain decrease significant" },
		/* non-ASCII words are words too (and unknown here) */
		{ "naïve blood", "blood" },
	};
	aq_lexicon *lex = load_ok(DATA "tiny.u8", AQ_LEX_AUTO);

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		aq_u32vec got, want;
		char words[256], *tok, *save = NULL;

		aq_u32vec_init(&got);
		aq_u32vec_init(&want);
		snprintf(words, sizeof(words), "%s", cases[i].words);
		for (tok = strtok_r(words, " ", &save); tok; tok = strtok_r(NULL, " ", &save))
			assert_int_equal(aq_u32vec_push(&want, word_id(lex, tok)), 0);
		assert_int_equal(aq_lexicon_en_words(&got, lex, cases[i].text, 0,
			(uint32_t)strlen(cases[i].text)), 0);
		if (got.n != want.n)
			fail_msg("en_words(%s): %zu ids, expected %zu", cases[i].text, got.n, want.n);
		if (want.n)
			assert_memory_equal(got.v, want.v, want.n * sizeof(uint32_t));
		aq_u32vec_dispose(&got);
		aq_u32vec_dispose(&want);
	}
	/* en_words appends: earlier contents stay */
	{
		aq_u32vec v;

		aq_u32vec_init(&v);
		assert_int_equal(aq_u32vec_push(&v, 12345), 0);
		assert_int_equal(aq_lexicon_en_words(&v, lex, "blood blood", 0, 11), 0);
		assert_int_equal(v.n, 2);
		assert_int_equal(v.v[0], 12345);
		aq_u32vec_dispose(&v);
	}
	aq_lexicon_free(lex);
}

/* Sentence pairs that translate each other share anchors; others do not. */
static void test_translation_pairs(void **state)
{
	static const struct {
		const char *en, *zh;
		size_t anchored; /* Chinese words whose glosses meet the English */
	} cases[] = {
		{ "Osteoarthritis is a common joint disease.", "骨关节炎是一种常见的关节疾病。", 2 },
		{ "Stem cell therapy reduced pain in patients.", "干细胞治疗减轻了患者的疼痛。", 4 },
		{ "Inflammation of the cartilage was decreased.", "软骨的炎症显著减少。", 3 },
		{ "Patients were treated.", "骨關節炎患者接受了治療。", 2 },
		{ "The weather was fine.", "骨关节炎患者的软骨细胞", 0 },
		/* 的 is not a taxi, and 一 not "one"/"single" */
		{ "A single taxi.", "一辆的士的", 0 },
		/* 行 keeps the senses of both its readings */
		{ "They walk slowly.", "行", 1 },
		{ "One row.", "行", 1 },
	};
	aq_lexicon *lex = load_ok(DATA "tiny.tsv", AQ_LEX_AUTO);

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		size_t n = anchored(lex, cases[i].en, cases[i].zh);

		if (n != cases[i].anchored)
			fail_msg("%s / %s: %zu anchored, expected %zu", cases[i].en, cases[i].zh, n,
				cases[i].anchored);
	}
	aq_lexicon_free(lex);
}

static void test_glossary_en(void **state)
{
	static const struct {
		const char *text;
		const char *hits;
	} cases[] = {
		{ "Mesenchymal stem cells (MSCs) are used.",
		  "Mesenchymal stem cells=mesenchymal stem cell/间充质干细胞/0" },
		{ "stem cells", "stem cells=stem cell/干细胞/0" },
		/* the concept's preferred entry, whatever the case */
		{ "OSTEOARTHRITIS", "OSTEOARTHRITIS=osteoarthritis/骨关节炎/0" },
		/* longest match, then on after it */
		{ "in knee osteoarthritis and osteoarthritis",
		  "knee osteoarthritis=knee osteoarthritis/膝骨关节炎/0|"
		  "osteoarthritis=osteoarthritis/骨关节炎/0" },
		{ "Crohn's disease", "Crohn's disease=Crohn's disease/克罗恩病/0" },
		{ "Crohn disease", "Crohn disease=Crohn's disease/克罗恩病/0" },
		{ "Crohn\xE2\x80\x99s disease", "Crohn\xE2\x80\x99s disease=Crohn's disease/克罗恩病/0" },
		{ "T cells and T-cell", "T cells=T-cell/T细胞/0|T-cell=T-cell/T细胞/0" },
		/* the preferred entry although the forbidden one comes first */
		{ "Cartilages", "Cartilages=Cartilage/软骨/0" },
		{ "type 2 diabetes mellitus", "type 2 diabetes mellitus=type 2 diabetes mellitus/2型糖尿病/0" },
		/* whole words only; punctuation breaks a term */
		{ "osteoarthritic stemcells knee-osteoarthritis", "knee-osteoarthritis=knee osteoarthritis/膝骨关节炎/0" },
		{ "stem, cells", "" },
		{ "mesenchymal stem", "" },
		{ "", "" },
	};
	aq_lexicon *lex = load_ok(DATA "glossary.tsv", AQ_LEX_AUTO);
	char got[1024];

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		terms_str(got, sizeof(got), lex, AQ_LANG_EN, cases[i].text);
		if (strcmp(got, cases[i].hits))
			fail_msg("EN terms(%s) = \"%s\", expected \"%s\"", cases[i].text, got,
				cases[i].hits);
	}
	aq_lexicon_free(lex);
}

static void test_glossary_zh(void **state)
{
	static const struct {
		const char *text;
		const char *hits;
	} cases[] = {
		{ "膝骨关节炎患者", "膝骨关节炎=knee osteoarthritis/膝骨关节炎/0" },
		{ "骨关节炎和骨性关节炎",
		  "骨关节炎=osteoarthritis/骨关节炎/0|骨性关节炎=osteoarthritis/骨性关节炎/1" },
		{ "软骨组织", "软骨组织=cartilage/软骨组织/2" },
		{ "软骨细胞", "软骨=Cartilage/软骨/0" },
		{ "人间充质干细胞和干细胞",
		  "间充质干细胞=mesenchymal stem cell/间充质干细胞/0|干细胞=stem cell/干细胞/0" },
		{ "CD4+T细胞", "T细胞=T-cell/T细胞/0" },
		{ "2型糖尿病", "2型糖尿病=type 2 diabetes mellitus/2型糖尿病/0" },
		{ "没有术语", "" },
		{ "", "" },
	};
	aq_lexicon *lex = load_ok(DATA "glossary.tsv", AQ_LEX_AUTO);
	char got[1024];

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		terms_str(got, sizeof(got), lex, AQ_LANG_ZH, cases[i].text);
		if (strcmp(got, cases[i].hits))
			fail_msg("ZH terms(%s) = \"%s\", expected \"%s\"", cases[i].text, got,
				cases[i].hits);
	}
	aq_lexicon_free(lex);
}

/* Entries, statuses and notes; variants of one English term share a concept
 * and both sides of a translation meet in it. */
static void test_glossary_concepts(void **state)
{
	static const struct {
		const char *en, *zh, *note;
		aq_term_status status;
	} want[] = {
		{ "osteoarthritis", "骨关节炎", "", AQ_TERM_PREFERRED },
		{ "osteoarthritis", "骨性关节炎", "older term", AQ_TERM_DEPRECATED },
		{ "mesenchymal stem cell", "间充质干细胞", "", AQ_TERM_PREFERRED },
		{ "stem cell", "干细胞", "", AQ_TERM_PREFERRED },
		{ "knee osteoarthritis", "膝骨关节炎", "", AQ_TERM_PREFERRED },
		{ "Crohn's disease", "克罗恩病", "", AQ_TERM_PREFERRED },
		{ "cartilage", "软骨组织", "say 软骨", AQ_TERM_FORBIDDEN },
		{ "Cartilage", "软骨", "", AQ_TERM_PREFERRED },
		{ "T-cell", "T细胞", "", AQ_TERM_PREFERRED },
		{ "type 2 diabetes mellitus", "2型糖尿病", "", AQ_TERM_PREFERRED },
	};
	static const char *const files[] = { "glossary.tsv", "glossary_crlf_bom.tsv" };
	static const struct {
		const char *en, *zh;
	} pairs[] = {
		{ "Osteoarthritis", "骨关节炎" }, { "osteoarthritis", "骨性关节炎" },
		{ "cartilage", "软骨组织" }, { "cartilage", "软骨" },
	};

	(void)state;
	for (size_t f = 0; f < N_ELEMS(files); f++) {
		char path[512];
		aq_lexicon *lex;

		snprintf(path, sizeof(path), DATA "%s", files[f]);
		lex = load_ok(path, AQ_LEX_GLOSSARY);
		assert_int_equal(aq_lexicon_entries(lex), N_ELEMS(want));
		for (size_t i = 0; i < N_ELEMS(want); i++) {
			const char *en, *zh, *note;
			aq_term_status st;

			assert_int_equal(aq_lexicon_entry(lex, i, &en, &zh, &st, &note), 0);
			assert_string_equal(en, want[i].en);
			assert_string_equal(zh, want[i].zh);
			assert_string_equal(note, want[i].note);
			assert_int_equal(st, want[i].status);
		}
		assert_int_equal(aq_lexicon_entry(lex, N_ELEMS(want), NULL, NULL, NULL, NULL),
			AQ_EINVAL);
		for (size_t i = 0; i < N_ELEMS(pairs); i++) {
			aq_termhits e, z;

			aq_termhits_init(&e);
			aq_termhits_init(&z);
			assert_int_equal(aq_lexicon_find_terms(&e, lex, AQ_LANG_EN, pairs[i].en, 0,
				(uint32_t)strlen(pairs[i].en)), 0);
			assert_int_equal(aq_lexicon_find_terms(&z, lex, AQ_LANG_ZH, pairs[i].zh, 0,
				(uint32_t)strlen(pairs[i].zh)), 0);
			assert_int_equal(e.n, 1);
			assert_int_equal(z.n, 1);
			assert_int_equal(e.v[0].concept, z.v[0].concept);
			aq_termhits_dispose(&e);
			aq_termhits_dispose(&z);
		}
		aq_lexicon_free(lex);
	}
}

static void test_babelon(void **state)
{
	aq_lexicon *lex = load_ok(DATA "babelon.tsv", AQ_LEX_AUTO);
	const char *en, *zh, *note;
	aq_term_status st;
	char got[256];

	(void)state;
	assert_int_equal(aq_lexicon_entries(lex), 3);
	assert_int_equal(aq_lexicon_entry(lex, 0, &en, &zh, &st, &note), 0);
	assert_string_equal(en, "Osteoarthritis");
	assert_string_equal(zh, "骨关节炎");
	assert_string_equal(note, "HP:0002758");
	assert_int_equal(st, AQ_TERM_PREFERRED);
	terms_str(got, sizeof(got), lex, AQ_LANG_EN, "hypertension and asthma");
	assert_string_equal(got, "hypertension=Hypertension/高血压/0|asthma=Asthma/哮喘/0");
	aq_lexicon_free(lex);
}

/* Broken text given to the matchers: no crash, hits stay inside the range
 * and on character boundaries. */
static void test_malformed_text(void **state)
{
	static const struct {
		const char *text;
		uint32_t off, end; /* end 0: the whole string */
		const char *words; /* zh_words hits */
	} cases[] = {
		{ "骨\xFF关节炎", 0, 0, "骨|关节炎" },
		{ "\xE9\xAA\xA8\xE5\x85\xB3", 0, 0, "骨" },         /* 骨 + 关 cut short */
		{ "\xE5\xE5\xE5骨", 0, 0, "骨" },
		{ "\xED\xA0\x80骨", 0, 0, "骨" },                   /* a surrogate */
		{ "\xC0\xAF\xF8\x88\x80\x80\x80", 0, 0, "" },       /* overlong, 5-byte */
		{ "骨关节炎患者", 3, 0, "关节炎|患者" },               /* starts inside */
		{ "骨关节炎患者", 0, 9, "骨|关节" },                  /* ends inside */
		{ "骨关节炎患者", 0, 10, "骨|关节" },                 /* ends mid-character */
		{ "骨关节炎患者", 1, 12, "关节炎" },                  /* starts mid-character */
		{ "骨关节炎患者", 6, 6, "" },
		{ "骨关节炎患者", 9, 3, "" },                         /* off > end */
	};
	aq_lexicon *dict = load_ok(DATA "tiny.u8", AQ_LEX_AUTO);
	aq_lexicon *gloss = load_ok(DATA "glossary.tsv", AQ_LEX_AUTO);
	char got[256];

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		const char *t = cases[i].text;
		uint32_t end = cases[i].end ? cases[i].end : (uint32_t)strlen(t);
		aq_termhits th;
		aq_u32vec ids;

		zh_words_str(got, sizeof(got), dict, t, cases[i].off, end);
		if (strcmp(got, cases[i].words))
			fail_msg("case %zu: zh_words = \"%s\", expected \"%s\"", i, got, cases[i].words);
		aq_termhits_init(&th);
		aq_u32vec_init(&ids);
		assert_int_equal(aq_lexicon_find_terms(&th, gloss, AQ_LANG_ZH, t, cases[i].off, end), 0);
		assert_int_equal(aq_lexicon_find_terms(&th, gloss, AQ_LANG_EN, t, cases[i].off, end), 0);
		for (size_t k = 0; k < th.n; k++)
			assert_true(th.v[k].off >= cases[i].off && th.v[k].end <= end);
		assert_int_equal(aq_lexicon_en_words(&ids, dict, t, cases[i].off, end), 0);
		aq_termhits_dispose(&th);
		aq_u32vec_dispose(&ids);
	}
	/* English with broken bytes in and around the words */
	{
		static const char *const en[] = {
			"stem\xFF" "cells", "\xFFstem cells\xFF", "stem \xC3 cells", "cells\xE2\x80",
			"Crohn\xE2\x80 disease", "'s", "\xE2\x80\x99s", "s",
		};

		for (size_t i = 0; i < N_ELEMS(en); i++) {
			aq_termhits th;
			aq_u32vec ids;

			aq_termhits_init(&th);
			aq_u32vec_init(&ids);
			assert_int_equal(aq_lexicon_find_terms(&th, gloss, AQ_LANG_EN, en[i], 0,
				(uint32_t)strlen(en[i])), 0);
			assert_int_equal(aq_lexicon_en_words(&ids, dict, en[i], 0,
				(uint32_t)strlen(en[i])), 0);
			aq_termhits_dispose(&th);
			aq_u32vec_dispose(&ids);
		}
	}
	/* an invalid language */
	{
		aq_termhits th;

		aq_termhits_init(&th);
		assert_int_equal(aq_lexicon_find_terms(&th, gloss, (aq_lang)7, "x", 0, 1), AQ_EINVAL);
		aq_termhits_dispose(&th);
	}
	aq_lexicon_free(dict);
	aq_lexicon_free(gloss);
}

/* A long run-on "sentence": many distinct ids and many hits. */
static void test_long_text(void **state)
{
	static const char *const en_words[] = {
		"osteoarthritis", "arthritis", "joint", "cartilage", "cell", "stem", "treat",
		"therapy", "patient", "research", "inflammation", "row", "walk", "bone", "blood",
		"significant", "decrease", "pain", "knee",
	};
	aq_lexicon *lex = load_ok(DATA "tiny.u8", AQ_LEX_AUTO);
	size_t n_words = N_ELEMS(en_words), reps = 2000, len = 0;
	char *text = malloc(reps * 40);
	aq_u32vec ids;
	aq_lexhits h;

	(void)state;
	assert_non_null(text);
	for (size_t r = 0; r < reps; r++)
		len += (size_t)sprintf(text + len, "%s ", en_words[r % n_words]);
	aq_u32vec_init(&ids);
	assert_int_equal(aq_lexicon_en_words(&ids, lex, text, 0, (uint32_t)len), 0);
	assert_true(ids.n >= n_words - 2 && ids.n <= n_words);
	for (size_t i = 0; i < ids.n; i++)
		for (size_t j = i + 1; j < ids.n; j++)
			assert_true(ids.v[i] != ids.v[j]);
	aq_u32vec_dispose(&ids);
	len = 0;
	for (size_t r = 0; r < reps; r++)
		len += (size_t)sprintf(text + len, "骨关节炎，");
	aq_lexhits_init(&h);
	assert_int_equal(aq_lexicon_zh_words(&h, lex, text, 0, (uint32_t)len), 0);
	assert_int_equal(h.n, reps);
	aq_lexhits_dispose(&h);
	free(text);
	aq_lexicon_free(lex);
}

/* A dictionary has no terms, a glossary no vocabulary; NULL is empty. */
static void test_cross_kind(void **state)
{
	aq_lexicon *dict = load_ok(DATA "tiny.u8", AQ_LEX_AUTO);
	aq_lexicon *gloss = load_ok(DATA "glossary.tsv", AQ_LEX_AUTO);
	const char *en = "Osteoarthritis and stem cells", *zh = "骨关节炎和干细胞";
	aq_termhits th;
	aq_lexhits lh;
	aq_u32vec ids;

	(void)state;
	aq_termhits_init(&th);
	aq_lexhits_init(&lh);
	aq_u32vec_init(&ids);
	assert_int_equal(aq_lexicon_find_terms(&th, dict, AQ_LANG_EN, en, 0, (uint32_t)strlen(en)), 0);
	assert_int_equal(aq_lexicon_find_terms(&th, dict, AQ_LANG_ZH, zh, 0, (uint32_t)strlen(zh)), 0);
	assert_int_equal(aq_lexicon_find_terms(&th, NULL, AQ_LANG_ZH, zh, 0, (uint32_t)strlen(zh)), 0);
	assert_int_equal(th.n, 0);
	assert_int_equal(aq_lexicon_zh_words(&lh, gloss, zh, 0, (uint32_t)strlen(zh)), 0);
	assert_int_equal(aq_lexicon_zh_words(&lh, NULL, zh, 0, (uint32_t)strlen(zh)), 0);
	assert_int_equal(lh.n, 0);
	assert_int_equal(aq_lexicon_en_words(&ids, gloss, en, 0, (uint32_t)strlen(en)), 0);
	assert_int_equal(aq_lexicon_en_words(&ids, NULL, en, 0, (uint32_t)strlen(en)), 0);
	assert_int_equal(ids.n, 0);
	assert_int_equal(aq_lexicon_entries(dict), 0);
	assert_int_equal(aq_lexicon_entry(dict, 0, NULL, NULL, NULL, NULL), AQ_EINVAL);
	assert_int_equal(aq_lexicon_vocab_size(gloss), 0);
	assert_false(aq_lexicon_is_glossary(dict));
	assert_true(aq_lexicon_is_glossary(gloss));
	assert_false(aq_lexicon_is_glossary(NULL));
	assert_int_equal(aq_lexicon_size(NULL), 0);
	aq_lexicon_free(NULL);
	aq_termhits_dispose(&th);
	aq_lexhits_dispose(&lh);
	aq_u32vec_dispose(&ids);
	aq_lexicon_free(dict);
	aq_lexicon_free(gloss);
}

static void test_vectors(void **state)
{
	aq_u32vec v;
	aq_lexhits lh;
	aq_termhits th;

	(void)state;
	aq_u32vec_init(&v);
	for (uint32_t i = 0; i < 10000; i++)
		assert_int_equal(aq_u32vec_push(&v, i * 3), 0);
	assert_int_equal(v.n, 10000);
	assert_true(v.cap >= v.n);
	for (uint32_t i = 0; i < 10000; i++)
		assert_int_equal(v.v[i], i * 3);
	aq_u32vec_dispose(&v);
	assert_null(v.v);
	assert_int_equal(v.n, 0);
	aq_u32vec_dispose(&v); /* twice is fine */
	aq_lexhits_init(&lh);
	aq_lexhits_dispose(&lh);
	aq_termhits_init(&th);
	aq_termhits_dispose(&th);
}

/* The shared CC-CEDICT, when present: known words meet their translations. */
static void test_full_cedict(void **state)
{
	static const struct {
		const char *en, *zh;
	} pairs[] = {
		{ "osteoarthritis", "骨关节炎" }, { "stem cells", "干细胞" },
		{ "inflammation", "炎症" }, { "treatment", "治疗" }, { "patients", "患者" },
		{ "cartilage", "软骨" }, { "research", "研究" }, { "blood", "血" },
		{ "significantly", "显著" }, { "cells", "細胞" },
	};
	aq_lexicon *lex;
	char got[512];

	(void)state;
	if (access(SHARED_CEDICT, R_OK) != 0) {
		skip();
		return;
	}
	lex = load_ok(SHARED_CEDICT, AQ_LEX_AUTO);
	assert_false(aq_lexicon_is_glossary(lex));
	assert_true(aq_lexicon_size(lex) > 100000);
	for (size_t i = 0; i < N_ELEMS(pairs); i++)
		if (anchored(lex, pairs[i].en, pairs[i].zh) != 1)
			fail_msg("%s / %s do not meet", pairs[i].en, pairs[i].zh);
	zh_words_str(got, sizeof(got), lex, "间充质干细胞治疗膝骨关节炎的疗效。",
		0, (uint32_t)strlen("间充质干细胞治疗膝骨关节炎的疗效。"));
	assert_non_null(strstr(got, "骨关节炎"));
	aq_lexicon_free(lex);
}

/* The shared HPO Babelon file, when present: read as a glossary. */
static void test_full_hpo(void **state)
{
	aq_lexicon *lex;
	char got[512];

	(void)state;
	if (access(SHARED_HPO, R_OK) != 0) {
		skip();
		return;
	}
	lex = load_ok(SHARED_HPO, AQ_LEX_AUTO);
	assert_true(aq_lexicon_is_glossary(lex));
	assert_true(aq_lexicon_entries(lex) > 15000);
	terms_str(got, sizeof(got), lex, AQ_LANG_EN, "patients with osteoarthritis");
	assert_non_null(strstr(got, "osteoarthritis=Osteoarthritis/骨关节炎/0"));
	terms_str(got, sizeof(got), lex, AQ_LANG_ZH, "骨关节炎患者");
	assert_non_null(strstr(got, "骨关节炎=Osteoarthritis/骨关节炎/0"));
	aq_lexicon_free(lex);
}

/* ------------------------------------------------------------------ */
/* Compiled lexicons (aq_lexicon_save, and loading the result)          */

static char tmp_dir[64]; /* mkdtemp'd by the first tmp_file(), "" before */

/* A file in the test's private temp dir, written with data when data is
 * not NULL.  Returns a static path (one at a time). */
static const char *tmp_file(const char *name, const void *data, size_t len)
{
	static char path[128];
	FILE *f;

	if (!tmp_dir[0]) {
		snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/aqlex-test-XXXXXX");
		assert_non_null(mkdtemp(tmp_dir));
	}
	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	if (data) {
		f = fopen(path, "wb");
		assert_non_null(f);
		assert_int_equal(fwrite(data, 1, len, f), len);
		assert_int_equal(fclose(f), 0);
	}
	return path;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static const char compiled_dict_src[] =
	"# a small CC-CEDICT for the compiled-form tests\n"
	"骨關節炎 骨关节炎 [gu3 guan1 jie2 yan2] /osteoarthritis/\n"
	"關節炎 关节炎 [guan1 jie2 yan2] /arthritis/\n"
	"幹細胞 干细胞 [gan4 xi4 bao1] /stem cell/\n"
	"細胞 细胞 [xi4 bao1] /cell/CL:個|个[ge4]/\n"
	"治療 治疗 [zhi4 liao2] /to treat/to cure/medical treatment/cure/\n"
	"患者 患者 [huan4 zhe3] /patient/sufferer/\n"
	"軟骨 软骨 [ruan3 gu3] /cartilage/\n"
	"行 行 [hang2] /row/line/profession/\n"
	"行 行 [xing2] /to walk/to go/capable/\n"
	"的 的 [de5] /of/~'s (possessive particle)/\n"
	"𠀋 𠀋 [zhang4] /wide-character headword/\n";

static const char compiled_gloss_src[] =
	"en\tzh\tstatus\tnote\n"
	"osteoarthritis\t骨关节炎\tpreferred\n"
	"osteoarthritis\t骨性关节炎\tdeprecated\tolder term\n"
	"stem cell\t干细胞\n"
	"mesenchymal stem cell\t间充质干细胞\tpreferred\tMSC\n"
	"knee\t膝\tforbidden\n"
	"knee joint\t膝关节\n";

static const char *const compiled_texts_en[] = {
	"Mesenchymal stem cells treat knee osteoarthritis in patients.",
	"The knee joint's cartilage; stem-cell treatment cured arthritis.",
	"Rows of walking sufferers, lines and professions.",
	"",
};

static const char *const compiled_texts_zh[] = {
	"间充质干细胞治疗膝骨关节炎患者的疗效。",
	"骨性关节炎患者的膝关节软骨细胞，行走。𠀋行。",
	"ABC 治療 關節炎 幹細胞",
	"",
};

/* Everything a user of the lexicon can see, as one string. */
static void lexicon_view(char *out, size_t size, const aq_lexicon *lex)
{
	const uint32_t *gloss = aq_lexicon_gloss_ids(lex);
	size_t n = 0;

	n += (size_t)snprintf(out + n, size - n, "size=%zu glossary=%d vocab=%u entries=%zu\n",
		aq_lexicon_size(lex), aq_lexicon_is_glossary(lex), aq_lexicon_vocab_size(lex),
		aq_lexicon_entries(lex));
	for (size_t i = 0; i < aq_lexicon_entries(lex); i++) {
		const char *en, *zh, *note;
		aq_term_status st;

		assert_int_equal(aq_lexicon_entry(lex, i, &en, &zh, &st, &note), 0);
		n += (size_t)snprintf(out + n, size - n, "entry %zu: %s/%s/%d/%s\n", i, en, zh,
			(int)st, note);
	}
	for (size_t t = 0; t < N_ELEMS(compiled_texts_en); t++) {
		const char *en = compiled_texts_en[t], *zh = compiled_texts_zh[t];
		aq_u32vec ids;
		aq_lexhits h;
		aq_termhits th;

		aq_u32vec_init(&ids);
		aq_lexhits_init(&h);
		assert_int_equal(aq_lexicon_en_words(&ids, lex, en, 0, (uint32_t)strlen(en)), 0);
		for (size_t i = 0; i < ids.n; i++)
			n += (size_t)snprintf(out + n, size - n, "w%u ", ids.v[i]);
		assert_int_equal(aq_lexicon_zh_words(&h, lex, zh, 0, (uint32_t)strlen(zh)), 0);
		for (size_t i = 0; i < h.n; i++) {
			n += (size_t)snprintf(out + n, size - n, "\n%u-%u:", h.v[i].off, h.v[i].end);
			for (uint32_t k = 0; k < h.v[i].n; k++)
				n += (size_t)snprintf(out + n, size - n, " %u", gloss[h.v[i].first + k]);
		}
		for (int lang = 0; lang < 2; lang++) {
			const char *s = lang ? zh : en;

			aq_termhits_init(&th);
			assert_int_equal(aq_lexicon_find_terms(&th, lex, lang ? AQ_LANG_ZH : AQ_LANG_EN,
				s, 0, (uint32_t)strlen(s)), 0);
			for (size_t i = 0; i < th.n; i++)
				n += (size_t)snprintf(out + n, size - n, "\nterm %u-%u c%u e%u s%u",
					th.v[i].off, th.v[i].end, th.v[i].concept, th.v[i].entry,
					th.v[i].status);
			aq_termhits_dispose(&th);
		}
		n += (size_t)snprintf(out + n, size - n, "\n");
		assert_true(n < size);
		aq_lexhits_dispose(&h);
		aq_u32vec_dispose(&ids);
	}
}

/* Loads src (a text lexicon), saves it as name.aqlex and loads that:
 * both must show the same.  Returns the compiled file's path. */
static const char *roundtrip(const char *name, const char *src, size_t len, bool glossary)
{
	static char compiled[128];
	char *before = malloc(16384), *after = malloc(16384);
	aq_lexicon *text, *bin;
	aq_ctx *ctx = NULL;
	char file[64];

	assert_non_null(before);
	assert_non_null(after);
	if (len) {
		snprintf(file, sizeof(file), "%s.src", name);
		src = tmp_file(file, src, len);
	}
	text = load_ok(src, AQ_LEX_AUTO);
	assert_int_equal(aq_lexicon_is_glossary(text), glossary);
	snprintf(file, sizeof(file), "%s.aqlex", name);
	snprintf(compiled, sizeof(compiled), "%s", tmp_file(file, NULL, 0));
	assert_int_equal(aq_ctx_new(&ctx), 0);
	assert_int_equal(aq_lexicon_save(text, ctx, compiled), 0);
	aq_ctx_free(ctx);
	bin = load_ok(compiled, AQ_LEX_AUTO);
	lexicon_view(before, 16384, text);
	lexicon_view(after, 16384, bin);
	assert_string_equal(before, after);
	aq_lexicon_free(bin);
	bin = load_ok(compiled, AQ_LEX_COMPILED);
	lexicon_view(after, 16384, bin);
	assert_string_equal(before, after);
	aq_lexicon_free(bin);
	aq_lexicon_free(text);
	free(before);
	free(after);
	return compiled;
}

static void test_compiled_roundtrip(void **state)
{
	aq_lexicon *lex;
	aq_ctx *ctx = NULL;
	char *a, *b;
	size_t alen, blen;
	const char *path;

	(void)state;
	roundtrip("dict", compiled_dict_src, sizeof(compiled_dict_src) - 1, false);
	roundtrip("gloss", compiled_gloss_src, sizeof(compiled_gloss_src) - 1, true);
	roundtrip("empty", tmp_file("empty.src", "", 0), 0, true);
	roundtrip("tiny", DATA "tiny.u8", 0, false);
	roundtrip("tinytsv", DATA "tiny.tsv", 0, false);
	roundtrip("babelon", DATA "babelon.tsv", 0, true);
	/* a compiled file compiles to the same bytes */
	path = roundtrip("dict", compiled_dict_src, sizeof(compiled_dict_src) - 1, false);
	a = slurp(path, &alen);
	lex = load_ok(path, AQ_LEX_AUTO);
	assert_int_equal(aq_ctx_new(&ctx), 0);
	path = tmp_file("again.aqlex", NULL, 0);
	assert_int_equal(aq_lexicon_save(lex, ctx, path), 0);
	b = slurp(path, &blen);
	assert_int_equal(alen, blen);
	assert_memory_equal(a, b, alen);
	/* no PATH.tmp is left behind; a directory that does not exist fails */
	assert_int_not_equal(access(tmp_file("again.aqlex.tmp", NULL, 0), F_OK), 0);
	assert_int_equal(aq_lexicon_save(lex, ctx, "/nonexistent-dir/x.aqlex"), AQ_EIO);
	assert_non_null(strstr(aq_ctx_errmsg(ctx), "/nonexistent-dir/x.aqlex.tmp"));
	assert_int_equal(aq_lexicon_save(NULL, ctx, path), AQ_EINVAL);
	aq_ctx_free(ctx);
	aq_lexicon_free(lex);
	free(a);
	free(b);
}

/* Byte offsets in a version 1 file (see lexicon.c). */
#define HDR_VERSION 6
#define HDR_BYTE_ORDER 8
#define HDR_FLAGS 12
#define HDR_N_VOCAB 24
#define HDR_N_CONCEPTS 28
#define HDR_COUNT 32
#define HDR_SIZE 48
#define HDR_LEN 120

static uint64_t hdr_size(const char *f, int sec)
{
	uint64_t v;

	memcpy(&v, f + HDR_SIZE + 8 * sec, 8);
	return v;
}

static void put_u64(char *f, size_t at, uint64_t v)
{
	memcpy(f + at, &v, 8);
}

static void put_u32(char *f, size_t at, uint32_t v)
{
	memcpy(f + at, &v, 4);
}

static uint32_t get_u32(const char *f, size_t at)
{
	uint32_t v;

	memcpy(&v, f + at, 4);
	return v;
}

static size_t sec_off(const char *f, int sec)
{
	size_t at = HDR_LEN;

	for (int s = 0; s < sec; s++)
		at += (size_t)hdr_size(f, s);
	return at;
}

/* The first used slot of a table section (0 zh ... 3 en), as a file offset. */
static size_t first_slot(const char *f, int table)
{
	size_t at = sec_off(f, 1 + table), end = at + (size_t)hdr_size(f, 1 + table);

	for (; at < end; at += 16) {
		uint16_t len;

		memcpy(&len, f + at + 12, 2);
		if (len)
			return at;
	}
	fail_msg("table %d has no used slot", table);
	return 0;
}

/* The file must be refused, with a message naming it, and never crash. */
static void refused(const char *what, const char *data, size_t len, aq_lexicon_format fmt,
	const char *msg)
{
	const char *path = tmp_file("bad.aqlex", data, len);
	aq_lexicon *lex = (aq_lexicon *)1;
	aq_ctx *ctx = NULL;
	int rc;

	assert_int_equal(aq_ctx_new(&ctx), 0);
	rc = aq_lexicon_load(&lex, ctx, path, fmt);
	if (rc == 0)
		fail_msg("%s: a damaged compiled file was loaded", what);
	assert_null(lex);
	assert_int_equal(rc, AQ_ERULE);
	assert_non_null(strstr(aq_ctx_errmsg(ctx), path));
	if (msg && !strstr(aq_ctx_errmsg(ctx), msg))
		fail_msg("%s: got \"%s\", want \"%s\"", what, aq_ctx_errmsg(ctx), msg);
	aq_ctx_free(ctx);
}

/* Loads a damaged file that may or may not be refused; when loaded, every
 * lookup must run clean (the sanitizers and valgrind watch). */
static void maybe_loaded(const char *data, size_t len)
{
	const char *path = tmp_file("maybe.aqlex", data, len);
	aq_lexicon *lex = NULL;
	aq_ctx *ctx = NULL;
	char *view;

	assert_int_equal(aq_ctx_new(&ctx), 0);
	if (aq_lexicon_load(&lex, ctx, path, AQ_LEX_AUTO) == 0) {
		view = malloc(65536);
		assert_non_null(view);
		lexicon_view(view, 65536, lex);
		free(view);
		aq_lexicon_free(lex);
	} else {
		assert_null(lex);
		assert_non_null(strstr(aq_ctx_errmsg(ctx), path));
	}
	aq_ctx_free(ctx);
}

static void test_compiled_damaged(void **state)
{
	const char *path;
	char *good, *gloss, *f;
	size_t len, glen;
	uint64_t arena;
	size_t at;
	uint32_t seed = 12345;

	(void)state;
	path = roundtrip("dict", compiled_dict_src, sizeof(compiled_dict_src) - 1, false);
	good = slurp(path, &len);
	path = roundtrip("gloss", compiled_gloss_src, sizeof(compiled_gloss_src) - 1, true);
	gloss = slurp(path, &glen);
	f = malloc((len > glen ? len : glen) + 1);
	assert_non_null(f);
	assert_true(len > HDR_LEN + 8192);

	/* truncated anywhere */
	{
		size_t cuts[] = { 0, 3, 5, 6, 7, 8, 47, 119, 120, 121, 200, len / 2, len - 8192,
			len - 1 };

		for (size_t i = 0; i < N_ELEMS(cuts); i++)
			refused("truncated", good, cuts[i], AQ_LEX_COMPILED,
				"not a valid compiled lexicon");
		for (size_t i = 3; i < N_ELEMS(cuts); i++)
			refused("truncated", good, cuts[i], AQ_LEX_AUTO, "not a valid compiled lexicon");
	}
	/* magic, version, byte order, flags */
	memcpy(f, good, len);
	f[0] = 'X';
	refused("bad magic", f, len, AQ_LEX_COMPILED, "bad magic");
	memcpy(f, good, len);
	memcpy(f + HDR_VERSION, &(uint16_t){ 2 }, 2);
	refused("version", f, len, AQ_LEX_AUTO, "format version 2");
	memcpy(f, good, len);
	put_u32(f, HDR_BYTE_ORDER, 0x04030201u);
	refused("byte order", f, len, AQ_LEX_AUTO, "byte order");
	memcpy(f, good, len);
	put_u32(f, HDR_FLAGS, get_u32(good, HDR_FLAGS) | 0x100);
	refused("flags", f, len, AQ_LEX_AUTO, "flags");
	/* the wrong kind for the caller */
	refused("kind", good, len, AQ_LEX_GLOSSARY, "a compiled dictionary, not a glossary");
	refused("kind", gloss, glen, AQ_LEX_CEDICT, "a compiled glossary, not a dictionary");
	/* section sizes: past the file, overflowing, shifted between sections */
	for (int sec = 0; sec < 9; sec++) {
		static const uint64_t bad[] = { UINT64_MAX, UINT64_MAX - 119, (uint64_t)1 << 63,
			16 };

		for (size_t k = 0; k < N_ELEMS(bad); k++) {
			memcpy(f, good, len);
			put_u64(f, HDR_SIZE + 8 * (size_t)sec, hdr_size(good, sec) + bad[k]);
			refused("section size", f, len, AQ_LEX_AUTO, NULL);
		}
		for (int bit = 0; bit < 64; bit += 7) {
			memcpy(f, good, len);
			put_u64(f, HDR_SIZE + 8 * (size_t)sec, hdr_size(good, sec) ^ ((uint64_t)1 << bit));
			refused("section size bit", f, len, AQ_LEX_AUTO, NULL);
		}
	}
	memcpy(f, good, len);
	f[len] = 0;
	refused("trailing byte", f, len + 1, AQ_LEX_AUTO, "trailing bytes");
	arena = hdr_size(good, 0);
	memcpy(f, good, len);
	put_u64(f, HDR_SIZE, arena - 16);
	put_u64(f, HDR_SIZE + 8, hdr_size(good, 1) + 16);
	refused("table size", f, len, AQ_LEX_AUTO, "power of two");
	/* counts */
	memcpy(f, good, len);
	put_u32(f, HDR_COUNT, get_u32(good, HDR_COUNT) + 1);
	refused("slot count", f, len, AQ_LEX_AUTO, "zh table: slot count");
	memcpy(f, good, len);
	put_u32(f, HDR_N_VOCAB, get_u32(good, HDR_N_VOCAB) + 1000);
	refused("vocabulary size", f, len, AQ_LEX_AUTO, "vocabulary size");
	/* slots */
	at = first_slot(good, 0);
	memcpy(f, good, len);
	put_u32(f, at + 4, (uint32_t)arena);
	refused("slot offset", f, len, AQ_LEX_AUTO, "zh table: slot key outside the string arena");
	memcpy(f, good, len);
	put_u32(f, at + 4, UINT32_MAX);
	refused("slot offset", f, len, AQ_LEX_AUTO, "outside the string arena");
	memcpy(f, good, len);
	f[at + 14] = 0x40;
	refused("slot flags", f, len, AQ_LEX_AUTO, "bad flags");
	memcpy(f, good, len);
	put_u32(f, at + 8, UINT32_MAX - 1);
	f[at + 15] = 8;
	refused("slot gloss ids", f, len, AQ_LEX_AUTO, "gloss array");
	at = first_slot(good, 1);
	memcpy(f, good, len);
	put_u32(f, at + 8, get_u32(good, HDR_N_VOCAB));
	refused("vocab id", f, len, AQ_LEX_AUTO, "vocab table: vocabulary id");
	memcpy(f, good, len);
	put_u32(f, sec_off(good, 5), get_u32(good, HDR_N_VOCAB));
	refused("gloss id", f, len, AQ_LEX_AUTO, "gloss id out of range");
	/* a table with no empty slot would never end a probe */
	{
		size_t zh = sec_off(good, 1), cap = (size_t)hdr_size(good, 1) / 16;
		uint32_t used = 0;

		memcpy(f, good, len);
		for (size_t i = 0; i < cap; i++) {
			uint16_t one = 1;

			if (!f[zh + i * 16 + 12] && !f[zh + i * 16 + 13]) {
				memcpy(f + zh + i * 16 + 12, &one, 2);
				f[zh + i * 16 + 14] = 2;
				f[zh + i * 16 + 15] = 0;
				put_u32(f, zh + i * 16 + 4, 0);
			}
			used++;
		}
		put_u32(f, HDR_COUNT, used);
		refused("full table", f, len, AQ_LEX_AUTO, "slot count");
	}

	/* glossary: entries and concepts */
	at = sec_off(gloss, 6);
	memcpy(f, gloss, glen);
	put_u32(f, at, (uint32_t)hdr_size(gloss, 0));
	refused("entry string", f, glen, AQ_LEX_AUTO, "entry string outside");
	memcpy(f, gloss, glen);
	put_u32(f, at + 12, get_u32(gloss, HDR_N_CONCEPTS));
	refused("entry concept", f, glen, AQ_LEX_AUTO, "entry of a missing concept");
	memcpy(f, gloss, glen);
	put_u32(f, at + 16, 3);
	refused("entry status", f, glen, AQ_LEX_AUTO, "unknown status");
	memcpy(f, gloss, glen);
	put_u32(f, sec_off(gloss, 7), 1000);
	refused("concept entry", f, glen, AQ_LEX_AUTO, "concept of a missing entry");
	memcpy(f, gloss, glen);
	f[sec_off(gloss, 1) - 1] = 'x';
	refused("arena end", f, glen, AQ_LEX_AUTO, "NUL-terminated");
	memcpy(f, gloss, glen);
	put_u32(f, first_slot(gloss, 0) + 8, 1000);
	f[first_slot(gloss, 0) + 14] = 1;
	refused("term entry", f, glen, AQ_LEX_AUTO, "zh table: Chinese term of a missing entry");
	memcpy(f, gloss, glen);
	put_u32(f, first_slot(gloss, 3) + 8, 1000);
	f[first_slot(gloss, 3) + 14] = 1;
	refused("term concept", f, glen, AQ_LEX_AUTO, "en table: English term of a missing");

	/* without the first-character bitmap: the same matches */
	{
		char *view1 = malloc(16384), *view2 = malloc(16384);
		aq_lexicon *a, *b;

		assert_non_null(view1);
		assert_non_null(view2);
		for (int k = 0; k < 2; k++) {
			const char *src = k ? gloss : good;
			size_t n = k ? glen : len;

			memcpy(f, src, n);
			put_u64(f, HDR_SIZE + 8 * 8, 0);
			a = load_ok(tmp_file("bad.aqlex", src, n), AQ_LEX_AUTO);
			b = load_ok(tmp_file("maybe.aqlex", f, n - 8192), AQ_LEX_AUTO);
			lexicon_view(view1, 16384, a);
			lexicon_view(view2, 16384, b);
			assert_string_equal(view1, view2);
			aq_lexicon_free(a);
			aq_lexicon_free(b);
			put_u64(f, HDR_SIZE + 8 * 8, 4096);
			refused("bitmap size", f, n - 4096, AQ_LEX_AUTO, "bitmap size");
		}
		free(view1);
		free(view2);
	}

	/* random damage anywhere but the bitmap: refused or harmless */
	for (int i = 0; i < 400; i++) {
		bool is_gloss = i & 1;
		const char *src = is_gloss ? gloss : good;
		size_t n = is_gloss ? glen : len, body = n - 8192;

		memcpy(f, src, n);
		for (int k = 0; k < 1 + i % 4; k++) {
			seed = seed * 1103515245u + 12345u;
			at = (seed >> 8) % body;
			seed = seed * 1103515245u + 12345u;
			f[at] ^= (char)(1u << ((seed >> 16) % 8));
		}
		maybe_loaded(f, n);
	}
	free(f);
	free(good);
	free(gloss);
}

/* The shared CC-CEDICT compiled and loaded again: the same words meet. */
static void test_compiled_full_cedict(void **state)
{
	static const char *const zh = "间充质干细胞治疗膝骨关节炎的疗效。骨關節炎患者。";
	static const char *const en = "Mesenchymal stem cells for knee osteoarthritis: efficacy.";
	aq_lexicon *text, *bin;
	aq_ctx *ctx = NULL;
	aq_lexhits h1, h2;
	aq_u32vec v1, v2;
	const char *path;

	(void)state;
	if (access(SHARED_CEDICT, R_OK) != 0) {
		skip();
		return;
	}
	text = load_ok(SHARED_CEDICT, AQ_LEX_AUTO);
	path = tmp_file("cedict.aqlex", NULL, 0);
	assert_int_equal(aq_ctx_new(&ctx), 0);
	assert_int_equal(aq_lexicon_save(text, ctx, path), 0);
	aq_ctx_free(ctx);
	bin = load_ok(path, AQ_LEX_AUTO);
	assert_int_equal(aq_lexicon_size(text), aq_lexicon_size(bin));
	assert_int_equal(aq_lexicon_vocab_size(text), aq_lexicon_vocab_size(bin));
	aq_lexhits_init(&h1);
	aq_lexhits_init(&h2);
	aq_u32vec_init(&v1);
	aq_u32vec_init(&v2);
	assert_int_equal(aq_lexicon_zh_words(&h1, text, zh, 0, (uint32_t)strlen(zh)), 0);
	assert_int_equal(aq_lexicon_zh_words(&h2, bin, zh, 0, (uint32_t)strlen(zh)), 0);
	assert_int_equal(h1.n, h2.n);
	assert_true(h1.n > 5);
	for (size_t i = 0; i < h1.n; i++) {
		assert_int_equal(h1.v[i].off, h2.v[i].off);
		assert_int_equal(h1.v[i].end, h2.v[i].end);
		assert_int_equal(h1.v[i].n, h2.v[i].n);
		assert_memory_equal(aq_lexicon_gloss_ids(text) + h1.v[i].first,
			aq_lexicon_gloss_ids(bin) + h2.v[i].first, h1.v[i].n * sizeof(uint32_t));
	}
	assert_int_equal(aq_lexicon_en_words(&v1, text, en, 0, (uint32_t)strlen(en)), 0);
	assert_int_equal(aq_lexicon_en_words(&v2, bin, en, 0, (uint32_t)strlen(en)), 0);
	assert_int_equal(v1.n, v2.n);
	assert_memory_equal(v1.v, v2.v, v1.n * sizeof(uint32_t));
	aq_u32vec_dispose(&v1);
	aq_u32vec_dispose(&v2);
	aq_lexhits_dispose(&h1);
	aq_lexhits_dispose(&h2);
	aq_lexicon_free(text);
	aq_lexicon_free(bin);
	unlink(path);
}

/* Removes what the compiled tests wrote. */
/* Several files load as their concatenation would; a compiled file or a
 * dictionary mixed with a glossary cannot be merged; the digest follows the
 * content, not the way it was loaded. */
static void test_merge_and_digest(void **state)
{
	static const char part1[] =
		"骨關節炎 骨关节炎 [gu3 guan1 jie2 yan2] /osteoarthritis/\n"
		"關節炎 关节炎 [guan1 jie2 yan2] /arthritis/\n";
	static const char part2[] =
		"# second file\n"
		"幹細胞 干细胞 [gan4 xi4 bao1] /stem cell/\n"
		"患者 患者 [huan4 zhe3] /patient/sufferer/\n";
	char whole_src[512], *one = malloc(16384), *two = malloc(16384);
	char d_one[17], d_two[17], d_bin[17], d_other[17], d_none[17];
	const char *paths[2];
	char p1[160], p2[160], pw[160], pg[160];
	aq_lexicon *whole, *merged, *bin, *other = NULL;
	aq_ctx *ctx = NULL;
	const char *compiled;

	(void)state;
	assert_non_null(one);
	assert_non_null(two);
	snprintf(whole_src, sizeof(whole_src), "%s%s", part1, part2);
	snprintf(p1, sizeof(p1), "%s", tmp_file("part1.u8", part1, strlen(part1)));
	snprintf(p2, sizeof(p2), "%s", tmp_file("part2.u8", part2, strlen(part2)));
	snprintf(pw, sizeof(pw), "%s", tmp_file("whole.u8", whole_src, strlen(whole_src)));
	snprintf(pg, sizeof(pg), "%s", tmp_file("gloss.tsv", compiled_gloss_src,
		strlen(compiled_gloss_src)));
	whole = load_ok(pw, AQ_LEX_AUTO);
	paths[0] = p1;
	paths[1] = p2;
	assert_int_equal(aq_ctx_new(&ctx), 0);
	assert_int_equal(aq_lexicon_load_files(&merged, ctx, paths, 2, AQ_LEX_AUTO), 0);
	assert_int_equal(aq_lexicon_size(merged), 4);
	lexicon_view(one, 16384, whole);
	lexicon_view(two, 16384, merged);
	assert_string_equal(one, two);
	aq_lexicon_digest(whole, d_one);
	aq_lexicon_digest(merged, d_two);
	assert_string_equal(d_one, d_two);
	assert_int_equal(strlen(d_one), 16);

	/* compiled: the same digest */
	compiled = roundtrip("merge", whole_src, strlen(whole_src), false);
	bin = load_ok(compiled, AQ_LEX_COMPILED);
	aq_lexicon_digest(bin, d_bin);
	assert_string_equal(d_one, d_bin);

	/* other content, or none: another digest */
	paths[1] = p1;
	assert_int_equal(aq_lexicon_load_files(&other, ctx, paths, 1, AQ_LEX_AUTO), 0);
	aq_lexicon_digest(other, d_other);
	assert_string_not_equal(d_one, d_other);
	aq_lexicon_digest(NULL, d_none);
	assert_string_not_equal(d_one, d_none);
	aq_lexicon_free(other);
	other = NULL;

	/* a glossary after a dictionary, a compiled file among text files */
	paths[0] = p1;
	paths[1] = pg;
	assert_int_equal(aq_lexicon_load_files(&other, ctx, paths, 2, AQ_LEX_AUTO), AQ_ERULE);
	assert_null(other);
	assert_non_null(strstr(aq_ctx_errmsg(ctx), "gloss.tsv: a glossary cannot be merged"));
	paths[1] = compiled;
	assert_int_equal(aq_lexicon_load_files(&other, ctx, paths, 2, AQ_LEX_AUTO), AQ_ERULE);
	assert_null(other);
	assert_non_null(strstr(aq_ctx_errmsg(ctx), "cannot be merged with other files"));
	/* an error names the file it is in */
	paths[1] = tmp_file("bad.u8", "患者 患者 /patient/\n", strlen("患者 患者 /patient/\n"));
	assert_int_equal(aq_lexicon_load_files(&other, ctx, paths, 2, AQ_LEX_CEDICT), AQ_ERULE);
	assert_non_null(strstr(aq_ctx_errmsg(ctx), "bad.u8:1:"));
	assert_int_equal(aq_lexicon_load_files(&other, ctx, paths, 0, AQ_LEX_AUTO), AQ_EINVAL);

	aq_lexicon_free(bin);
	aq_lexicon_free(merged);
	aq_lexicon_free(whole);
	aq_ctx_free(ctx);
	free(one);
	free(two);
}

/* A dictionary of Simplified headwords only (the team lexicon) finds its
 * words in Traditional text too, at the text's own offsets; characters
 * Simplified text uses in their own right (著) are not folded. */
static void test_zh_words_traditional(void **state)
{
	static const char src[] =
		"关节炎 关节炎 [guan1 jie2 yan2] /arthritis/\n"
		"患者 患者 [huan4 zhe3] /patient/\n"
		"治疗 治疗 [zhi4 liao2] /treatment/\n"
		"著名 著名 [zhu4 ming2] /famous/\n";
	static const char text[] = "前言。關節炎患者的治療，著名的关节炎患者。";
	const char *path = tmp_file("simp-only.u8", src, strlen(src));
	aq_lexicon *lex = load_ok(path, AQ_LEX_AUTO);
	uint32_t off = (uint32_t)strlen("前言。");
	char got[256];

	(void)state;
	zh_words_str(got, sizeof(got), lex, text, off, (uint32_t)strlen(text));
	assert_string_equal(got, "關節炎|患者|治療|著名|关节炎|患者");
	zh_words_str(got, sizeof(got), lex, "治療", 0, (uint32_t)strlen("治療"));
	assert_string_equal(got, "治療");
	aq_lexicon_free(lex);
}

static int tmp_cleanup(void **state)
{
	static const char *const names[] = { "dict.src", "dict.aqlex", "gloss.src",
		"gloss.aqlex", "empty.aqlex", "tiny.aqlex", "tinytsv.aqlex", "babelon.aqlex",
		"again.aqlex", "empty.src", "bad.aqlex", "maybe.aqlex", "cedict.aqlex" };

	(void)state;
	if (!tmp_dir[0])
		return 0;
	for (size_t i = 0; i < N_ELEMS(names); i++)
		unlink(tmp_file(names[i], NULL, 0));
	rmdir(tmp_dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stem),
		cmocka_unit_test(test_merge_and_digest),
		cmocka_unit_test(test_zh_words_traditional),
		cmocka_unit_test(test_load_formats),
		cmocka_unit_test(test_formats_agree),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_zh_words),
		cmocka_unit_test(test_en_words),
		cmocka_unit_test(test_translation_pairs),
		cmocka_unit_test(test_glossary_en),
		cmocka_unit_test(test_glossary_zh),
		cmocka_unit_test(test_glossary_concepts),
		cmocka_unit_test(test_babelon),
		cmocka_unit_test(test_malformed_text),
		cmocka_unit_test(test_long_text),
		cmocka_unit_test(test_cross_kind),
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_full_cedict),
		cmocka_unit_test(test_full_hpo),
		cmocka_unit_test(test_compiled_roundtrip),
		cmocka_unit_test(test_compiled_damaged),
		cmocka_unit_test(test_compiled_full_cedict),
	};

	return cmocka_run_group_tests(tests, NULL, tmp_cleanup);
}
