/*
 * test_check.c - the checker on hand-made records: every built-in check
 * fires on a record made to show its defect and stays quiet on a clean
 * one; number forms, acronym forms, glossary statuses, fingerprints that
 * survive an unrelated edit, and malformed input.  The shipped rule packs
 * are loaded from $AQ_TEST_RULES_DIR (the rules/ directory).
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
#include "test_jit.h"
#include "test_dict.h"

#ifndef AQ_TEST_SOURCE_DIR
#define AQ_TEST_SOURCE_DIR "."
#endif

typedef struct env {
	aq_ctx *ctx;
	aq_rules *rules;
	aq_checker *chk;
	aq_segmenter *seg;
	aq_aligner *al;
	aq_findings f;
	aq_spans es, zs;
	aq_beads beads;
} env;

static const char *rules_dir(void)
{
	const char *d = getenv("AQ_TEST_RULES_DIR");

	return d && *d ? d : AQ_TEST_SOURCE_DIR "/../rules";
}

static int setup(void **state)
{
	env *e = calloc(1, sizeof(*e));
	char path[4096];

	if (!e || aq_ctx_new(&e->ctx) || aq_rules_new(&e->rules, e->ctx))
		return -1;
	test_rules_jit(e->rules);
	if (aq_rules_load_dir(e->rules, rules_dir())) {
		fprintf(stderr, "rules: %s\n", aq_ctx_errmsg(e->ctx));
		return -1;
	}
	if (aq_checker_new(&e->chk, e->ctx, e->rules)) {
		fprintf(stderr, "checker: %s\n", aq_ctx_errmsg(e->ctx));
		return -1;
	}
	snprintf(path, sizeof(path), "%s/abbreviations.txt", rules_dir());
	if (aq_segmenter_new(&e->seg, e->ctx, path) || aq_aligner_new(&e->al, e->ctx, NULL, NULL, NULL)) {
		fprintf(stderr, "segmenter/aligner: %s\n", aq_ctx_errmsg(e->ctx));
		return -1;
	}
	aq_findings_init(&e->f);
	aq_spans_init(&e->es);
	aq_spans_init(&e->zs);
	aq_beads_init(&e->beads);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	env *e = *state;

	aq_findings_dispose(&e->f);
	aq_spans_dispose(&e->es);
	aq_spans_dispose(&e->zs);
	aq_beads_dispose(&e->beads);
	aq_aligner_free(e->al);
	aq_segmenter_free(e->seg);
	aq_checker_free(e->chk);
	aq_rules_free(e->rules);
	aq_ctx_free(e->ctx);
	free(e);
	return 0;
}

/* A record from its two texts and "key=value" lines of metadata. */
static aq_record *make_record(const char *id, const char *en, size_t en_len, const char *zh,
	size_t zh_len, const char *meta)
{
	aq_record *rec = NULL;

	assert_int_equal(aq_record_new(&rec), 0);
	rec->id = strdup(id);
	rec->en = malloc(en_len + 1);
	rec->zh = malloc(zh_len + 1);
	assert_non_null(rec->id);
	assert_non_null(rec->en);
	assert_non_null(rec->zh);
	memcpy(rec->en, en, en_len);
	rec->en[en_len] = '\0';
	memcpy(rec->zh, zh, zh_len);
	rec->zh[zh_len] = '\0';
	rec->en_len = en_len;
	rec->zh_len = zh_len;
	while (meta && *meta) {
		const char *eq = strchr(meta, '='), *nl = strchr(meta, '\n');
		char key[64];

		if (!nl)
			nl = meta + strlen(meta);
		assert_non_null(eq);
		assert_true(eq < nl && (size_t)(eq - meta) < sizeof(key));
		memcpy(key, meta, (size_t)(eq - meta));
		key[eq - meta] = '\0';
		assert_int_equal(aq_record_add_meta(rec, key, eq + 1, (size_t)(nl - eq - 1)), 0);
		meta = *nl ? nl + 1 : nl;
	}
	return rec;
}

/* Beads from "1-1 1-0 0-1 ..." over the segmented sentences, every score
 * set to score. */
static void make_beads(env *e, const char *spec, float score)
{
	uint32_t ei = 0, zi = 0;

	e->beads.n = 0;
	while (*spec) {
		aq_bead b;
		int m = spec[0] - '0', n = spec[2] - '0';

		b.en_idx = ei;
		b.zh_idx = zi;
		b.en_n = (uint8_t)m;
		b.zh_n = (uint8_t)n;
		b.score = score;
		if (e->beads.n == e->beads.cap) {
			e->beads.cap = e->beads.cap ? e->beads.cap * 2 : 16;
			e->beads.v = realloc(e->beads.v, e->beads.cap * sizeof(aq_bead));
			assert_non_null(e->beads.v);
		}
		e->beads.v[e->beads.n++] = b;
		ei += (uint32_t)m;
		zi += (uint32_t)n;
		spec += 3;
		while (*spec == ' ')
			spec++;
	}
	assert_int_equal(ei, e->es.n);
	assert_int_equal(zi, e->zs.n);
}

/* Segments, aligns (or takes the beads given) and checks one record. */
static int run(env *e, aq_record *rec, const char *beads, float score)
{
	aq_alignment a = { rec, &e->es, &e->zs, &e->beads, NULL };
	int rc;

	assert_int_equal(aq_segment_text(&e->es, e->seg, AQ_LANG_EN, rec->en, rec->en_len), 0);
	assert_int_equal(aq_segment_text(&e->zs, e->seg, AQ_LANG_ZH, rec->zh, rec->zh_len), 0);
	if (beads)
		make_beads(e, beads, score);
	else
		assert_int_equal(aq_align(&e->beads, e->al, rec->en, e->es.v, e->es.n, rec->zh, e->zs.v,
			e->zs.n), 0);
	rc = aq_check(&e->f, e->chk, &a);
	if (rc)
		fprintf(stderr, "aq_check: %s\n", aq_ctx_errmsg(e->ctx));
	if (!rc && !beads) {
		/* The aligner's anchors, handed on, give the same findings. */
		aq_findings again;

		aq_findings_init(&again);
		a.evidence = aq_aligner_evidence(e->al);
		if (e->es.n + e->zs.n) {
			assert_non_null(a.evidence);
			assert_int_equal(a.evidence->n_sents, e->es.n + e->zs.n);
		}
		assert_int_equal(aq_check(&again, e->chk, &a), 0);
		assert_int_equal(again.n, e->f.n);
		for (size_t i = 0; i < again.n; i++) {
			assert_string_equal(again.v[i].rule, e->f.v[i].rule);
			assert_string_equal(again.v[i].message, e->f.v[i].message);
			assert_int_equal(again.v[i].en.off, e->f.v[i].en.off);
			assert_int_equal(again.v[i].zh.off, e->f.v[i].zh.off);
		}
		aq_findings_dispose(&again);
	}
	return rc;
}

static size_t count_rule(const aq_findings *f, const char *rule)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += strcmp(f->v[i].rule, rule) == 0;
	return n;
}

static void dump(const aq_findings *f)
{
	for (size_t i = 0; i < f->n; i++)
		fprintf(stderr, "    %s: %s\n", f->v[i].rule, f->v[i].message);
}

#define ALL_BUILTINS \
	"structure.omission structure.addition structure.untranslated structure.copied-source " \
	"structure.length-ratio structure.low-confidence structure.out-of-order structure.repeated " \
	"numbers.missing numbers.extra numbers.changed terms.acronym-missing terms.acronym-changed " \
	"terms.acronym-undefined terms.inconsistent-term terms.glossary-preferred " \
	"terms.glossary-deprecated terms.glossary-forbidden punctuation.brackets-unbalanced " \
	"punctuation.quotes-unbalanced encoding.traditional-chars metadata.date-mismatch " \
	"metadata.doi-malformed"

typedef struct tcase {
	const char *name;
	const char *en, *zh;
	const char *beads;  /* NULL: align; else "1-1 1-0 ..." */
	float score;        /* bead scores with beads (0 means 1) */
	const char *meta;   /* "key=value" lines */
	const char *fire;   /* rules that must report (space-separated) */
	const char *quiet;  /* rules that must not */
} tcase;

/* The first three sentences of the seed record, faithfully translated. */
#define SEED_EN \
	"Osteoarthritis (OA) remains a major challenge for clinicians and researchers, as current " \
	"treatments predominantly focus on symptomatic relief without completely addressing the " \
	"underlying pathogenesis. In this regard, intraarticular injections of mesenchymal stem " \
	"cells (MSCs) are emerging as a promising choice to mitigate pain and functional impairment " \
	"in knee OA patients. The strong optimism for this therapeutic modality is based on " \
	"experimental evidence supporting a role for MSCs in modulating inflammation."
#define SEED_ZH \
	"骨关节炎（OA）仍然是临床医生和研究人员面临的重大挑战，因为目前的治疗主要集中在症状缓解上，" \
	"而没有完全解决潜在的发病机制。在这方面，关节内注射间充质干细胞（MSCs）正成为减轻膝关节OA" \
	"患者疼痛和功能障碍的一种有前景的选择。对这种治疗方式的强烈乐观态度基于支持MSCs在调节炎症中" \
	"发挥作用的实验证据。"

static const tcase cases[] = {
	{ "clean seed", SEED_EN, SEED_ZH, NULL, 0, NULL, "", ALL_BUILTINS },
	{ "clean seed, beads by hand", SEED_EN, SEED_ZH, "1-1 1-1 1-1", 0,
		"doi=10.1080/03008207.2025.2536148\ndate=2025-07-28\n"
		"citation=Connect Tissue Res. 2025 Jul 28:1-7. doi: 10.1080/03008207.2025.2536148.",
		"", ALL_BUILTINS },
	/* structure */
	{ "omission 1-0", "The trial enrolled 120 patients. All of them had knee pain. "
		"Pain fell by half after 12 weeks.",
		"该试验纳入了120名患者。12周后疼痛减轻了一半。", "1-1 1-0 1-1", 0, NULL,
		"structure.omission", "structure.addition" },
	{ "addition 0-1", "The trial enrolled 120 patients. Pain fell by half after 12 weeks.",
		"该试验纳入了120名患者。研究经伦理委员会批准。12周后疼痛减轻了一半。", "1-1 0-1 1-1", 0, NULL,
		"structure.addition", "structure.omission" },
	{ "omission found by the aligner",
		"Osteoarthritis remains a major challenge for clinicians and researchers worldwide. "
		"Current treatments focus on symptomatic relief without addressing the pathogenesis. "
		"Injections of mesenchymal stem cells are emerging as a promising choice for 250 patients. "
		"The strong optimism is based on experimental evidence from 17 trials in 2019.",
		"骨关节炎仍然是全世界临床医生和研究人员面临的重大挑战。"
		"注射间充质干细胞正成为250名患者的一种有前景的选择。"
		"这种乐观态度基于2019年17项试验的实验证据。", NULL, 0, NULL,
		"structure.omission", "structure.addition" },
	{ "untranslated sentence", "Pain fell. Patients were randomly assigned to the two treatment groups.",
		"疼痛减轻了。Patients were randomly assigned to two groups of treatment.", "1-1 1-1", 0, NULL,
		"structure.untranslated", "structure.copied-source" },
	{ "copied source", "Pain fell. Osteoarthritis remains a major challenge for clinicians.",
		"疼痛减轻了。Osteoarthritis remains a major challenge for clinicians.", "1-1 1-1", 0, NULL,
		"structure.copied-source", "structure.untranslated" },
	{ "English gloss in brackets is no copy",
		"Non-small cell lung cancer (NSCLC) is a malignant tumour with high mortality.",
		"非小细胞肺癌（non-small cell lung cancer, NSCLC）是死亡率很高的恶性肿瘤。", "1-1", 0, NULL,
		"", "structure.copied-source structure.untranslated" },
	{ "truncated translation",
		"Intraarticular injections of mesenchymal stem cells are emerging as a promising choice "
		"to mitigate pain and functional impairment in patients with knee osteoarthritis.",
		"关节内注射间充质干细胞。", "1-1", 0, NULL, "structure.length-ratio", "" },
	{ "a chemical name in brackets is no padding",
		"Cell proliferation rates of both lines were monitored by MTS assay.",
		"两株细胞的增殖率采用MTS[3-(4,5-dimethylthiazol-2-yl)-5-(3-carboxymethoxyphenyl)-2-"
		"(4-sulfophenyl)-2H-tetrazolium]法检测。", "1-1", 0, NULL, "", "structure.length-ratio" },
	{ "padding is long", "Cell proliferation rates of both lines were monitored by MTS assay.",
		"两株细胞的增殖率采用MTS法检测，该方法操作简便、灵敏度高、重复性好，已广泛应用于各类细胞增殖"
		"与毒性实验，并被多数实验室采用为常规检测手段。", "1-1", 0, NULL, "structure.length-ratio", "" },
	{ "low confidence", "The trial enrolled patients with knee osteoarthritis.",
		"该试验纳入了膝骨关节炎患者。", "1-1", 0.1f, NULL, "structure.low-confidence", "" },
	{ "out of order",
		"The trial enrolled patients with knee pain. The MSC dose was 37 mg in 2019. "
		"Pain fell by half. Swelling also decreased.",
		"该试验纳入了膝关节疼痛患者。疼痛减轻了一半。肿胀也减轻了。2019年MSC剂量为37 mg。",
		"1-1 1-0 1-1 1-1 0-1", 0, NULL, "structure.out-of-order",
		"structure.omission structure.addition" },
	{ "repeated sentence",
		"The trial enrolled 120 patients with knee pain. Pain fell by half after 12 weeks.",
		"该试验纳入了120名膝关节疼痛患者。12周后疼痛减轻了一半。12周后疼痛 减轻了一半。",
		NULL, 0, NULL, "structure.repeated", "" },
	{ "repeated in the English too",
		"Pain fell by half after 12 weeks. Swelling decreased. Pain fell by half after 12 weeks.",
		"12周后疼痛减轻了一半。肿胀减轻。12周后疼痛减轻了一半。",
		NULL, 0, NULL, "", "structure.repeated" },
	{ "short repeats are no slip", "Pain fell. Yes. Swelling fell. Yes.",
		"疼痛减轻。是的。肿胀减轻。是的。", "1-1 1-1 1-1 1-1", 0, NULL, "",
		"structure.repeated" },
	/* numbers */
	{ "changed percentage", "Pain fell in 42% of the patients.", "42例患者中24%的疼痛减轻。",
		"1-1", 0, NULL, "numbers.changed", "numbers.missing" },
	{ "changed percentage alone", "Pain fell in 42% of the patients.", "24%的患者疼痛减轻。",
		"1-1", 0, NULL, "numbers.changed", "numbers.missing numbers.extra" },
	{ "month of a date changed", "Data from April 2010 to January 2015 were analysed.",
		"分析2010年5月至2015年1月的资料。", "1-1", 0, NULL, "numbers.changed", "numbers.missing" },
	{ "months of dates kept, durations are no months",
		"The study ran from 28 July to 3 Sept. 2019 in infants aged 3 months. May 2018 saw the "
		"first case.",
		"研究于2019年7月28日至9月3日在3月龄婴儿中进行。2018年5月出现首例。", "1-1 1-1", 0, NULL, "",
		"numbers.changed numbers.missing" },
	{ "range missing whole is one finding", "We studied 1,928 children aged 7~11 years.",
		"我们调查了1,928名儿童。", "1-1", 0, NULL, "numbers.missing", "numbers.changed" },
	{ "thousands separator", "We enrolled 1,234 patients and 12,486 controls.",
		"我们纳入了1234名患者和12486名对照。", "1-1", 0, NULL, "",
		"numbers.missing numbers.extra numbers.changed" },
	{ "number words", "Thirty patients were treated for two weeks.", "三十名患者接受了2周治疗。",
		"1-1", 0, NULL, "", "numbers.missing numbers.extra numbers.changed" },
	{ "full-width p-value", "The difference was significant (P<0.05).", "差异有统计学意义（P＜0.05）。",
		"1-1", 0, NULL, "", "numbers.missing numbers.extra numbers.changed" },
	{ "range and CI", "Age ranged from 18 to 65 years (95% CI 1.2-3.4).",
		"年龄18～65岁（95%置信区间1.2～3.4）。", "1-1", 0, NULL, "",
		"numbers.missing numbers.extra numbers.changed" },
	{ "percent on one end of a range", "The rate was 9.37-10.41 per cent (9.37-10.41%).",
		"比率为9.37%～10.41%（9.37%～10.41%）。", "1-1", 0, NULL, "",
		"numbers.missing numbers.extra numbers.changed" },
	{ "space as thousands separator", "Each patient received 100,000 IU.",
		"每名患者接受100 000 IU。", "1-1", 0, NULL, "",
		"numbers.missing numbers.extra numbers.changed" },
	{ "decades", "In the 1990s the community began.", "在20世纪90年代，这个群体开始了。", "1-1", 0,
		NULL, "", "numbers.missing numbers.extra numbers.changed" },
	{ "digits inside names", "RUNX2 was measured by MTS assay.",
		"采用MTS[3-(4,5-dimethylthiazol-2-yl)]法检测Runt相关转录因子2(RUNX2)。", "1-1", 0, NULL, "",
		"numbers.missing numbers.extra numbers.changed" },
	{ "number changed beside a name both sides copy",
		"We knocked out DNAH2 (dynein, axonemal, heavy chain 2) in U2OS cells.",
		"我们在U2OS细胞中敲除了DNAH2（dynein, axonemal, heavy chain 7）。", "1-1", 0, NULL,
		"numbers.changed", "numbers.missing" },
	{ "number kept beside a name both sides copy",
		"We knocked out DNAH2 (dynein, axonemal, heavy chain 2) in U2OS cells.",
		"我们在U2OS细胞中敲除了DNAH2（dynein, axonemal, heavy chain 2）。", "1-1", 0, NULL, "",
		"numbers.missing numbers.extra numbers.changed" },
	{ "term number against its English gloss",
		"Programmed death-1 (PD-1) is related to cancer.",
		"程序性死亡分子9（programmed death 1, PD-1）与肿瘤相关。", "1-1", 0, NULL,
		"numbers.changed", "numbers.extra" },
	{ "term number agreeing with its English gloss",
		"Programmed death-1 (PD-1) is related to cancer.",
		"程序性死亡分子1（programmed death 1, PD-1）与肿瘤相关。", "1-1", 0, NULL, "",
		"numbers.changed numbers.extra numbers.missing" },
	{ "term number against a gloss without a name's digit", "RUNX2 levels were measured.",
		"检测了Runt相关转录因子0(Runt-related transcription factor 2, RUNX2)的水平。", "1-1", 0,
		NULL, "numbers.changed", "" },
	{ "Chinese spells out a name both sides copy", "RUNX2 levels were measured.",
		"检测了Runt相关转录因子2（RUNX2）的水平。", "1-1", 0, NULL, "",
		"numbers.missing numbers.extra numbers.changed" },
	{ "missing range end", "Patients aged 10-20 years were included.", "纳入了年龄10岁的患者。",
		"1-1", 0, NULL, "numbers.missing", "numbers.extra" },
	{ "extra number", "The dose was increased every day.", "剂量每天增加25毫克。", "1-1", 0, NULL,
		"numbers.extra", "numbers.missing" },
	{ "one of / 之一", "Lung cancer is one of the most common diseases.", "肺癌是最常见的疾病之一。",
		"1-1", 0, NULL, "", "numbers.missing numbers.extra numbers.changed" },
	/* acronyms */
	{ "acronym dropped where the Chinese uses it elsewhere",
		"Mesenchymal stem cells (MSCs) reduce pain. MSCs also reduce swelling in knee joints.",
		"间充质干细胞（MSCs）可减轻疼痛。它们还能减轻膝关节肿胀。", "1-1 1-1", 0, NULL,
		"terms.acronym-missing", "" },
	{ "acronym spelled out with its Chinese definition",
		"Mesenchymal stem cells (MSCs) reduce pain. MSCs also reduce swelling in knee joints.",
		"间充质干细胞（MSCs）可减轻疼痛。间充质干细胞还能减轻膝关节肿胀。", "1-1 1-1", 0, NULL, "",
		"terms.acronym-missing" },
	{ "acronym misspelt, kept elsewhere",
		"Osteoarthritis (OA) is common. Mesenchymal stem cells (MSCs) may help in knee OA. "
		"The MSC dose was 20 million cells.",
		"骨关节炎（OA）很常见。间充质干细胞（SMCs）可能有助于治疗膝OA。MSC剂量为2000万个细胞。",
		"1-1 1-1 1-1", 0, NULL, "terms.acronym-changed", "terms.acronym-missing" },
	{ "acronym the translator added is no misspelling",
		"Images were taken by magnetic resonance imaging. The OR was 2.1.",
		"采用磁共振成像（MRI）采集图像。OR为2.1。", "1-1 1-1", 0, NULL, "",
		"terms.acronym-changed" },
	{ "acronym plural and possessive", "The MSC's effect was strong. MSCs were injected.",
		"MSCs的作用很强。注射了MSC。", "1-1 1-1", 0, NULL, "", "terms.acronym-missing" },
	{ "acronym used bare without the definition",
		"Mesenchymal stem cells (MSCs) reduce inflammation.", "MSCs可减轻炎症。", "1-1", 0, NULL,
		"terms.acronym-undefined", "terms.acronym-missing" },
	{ "roman numerals and translated acronyms",
		"Stage IV disease was found in the USA (OR 2.1, 95% CI 1.1-3.2).",
		"在美国发现了Ⅳ期疾病（比值比2.1，95%置信区间1.1～3.2）。", "1-1", 0, NULL, "",
		"terms.acronym-missing" },
	/* terms */
	{ "one term two ways", "A meta-analysis was done. The meta-analysis included 12 trials.",
		"我们进行了荟萃分析。该Meta分析纳入了12项试验。", "1-1 1-1", 0, NULL,
		"terms.inconsistent-term", "" },
	{ "abbreviation is not a second way", "Heart failure is common. Heart failure is severe.",
		"心力衰竭很常见。心衰很严重。", "1-1 1-1", 0, NULL, "", "terms.inconsistent-term" },
	{ "glossary preferred", "Osteoarthritis is common in older adults.", "这种骨病在老年人中很常见。",
		"1-1", 0, NULL, "terms.glossary-preferred", "terms.glossary-deprecated" },
	{ "glossary deprecated", "Osteoarthritis is common in older adults.", "骨性关节炎在老年人中很常见。",
		"1-1", 0, NULL, "terms.glossary-deprecated", "terms.glossary-preferred" },
	{ "glossary forbidden", "Stem cells were cultured for 7 days.", "茎细胞培养了7天。", "1-1", 0, NULL,
		"terms.glossary-forbidden", "terms.glossary-preferred" },
	{ "glossary term split by a line break", "The metabolic syndrome was common.",
		"代谢综 合征很常见。", "1-1", 0, NULL, "", "terms.glossary-preferred" },
	/* punctuation */
	{ "unclosed bracket", "Pain decreased in the treated patients (n = 30).",
		"治疗组患者的疼痛减轻（n = 30。", "1-1", 0, NULL, "punctuation.brackets-unbalanced", "" },
	{ "bracket cut on both sides", "Pain decreased in the treated patients (P",
		"治疗组患者的疼痛减轻(P", "1-1", 0, NULL, "", "punctuation.brackets-unbalanced" },
	{ "list markers", "Steps: 1) wash the knee; 2) dry it.", "步骤：1）清洗膝关节；2）擦干。", "1-1", 0,
		NULL, "", "punctuation.brackets-unbalanced" },
	{ "list markers after a word", "This is achieved by 1) washing, and 2) drying the knee.",
		"方法包括1）清洗和2）擦干膝关节。", "1-1", 0, NULL, "", "punctuation.brackets-unbalanced" },
	{ "opening bracket lost before a term or an item",
		"The APACHE II score and vitamins (A, E and C) were measured.",
		"测量了急性生理和慢性健康评估II APACHE II）评分和维生素A、E和C）。", "1-1", 0, NULL,
		"punctuation.brackets-unbalanced", "" },
	{ "title marks", "The study appeared in Nature.", "该研究发表于《自然》杂志。", "1-1", 0, NULL, "",
		"punctuation.brackets-unbalanced" },
	{ "unclosed quote", "This effect is called \"joint preservation\".", "这种作用被称为“关节保护。",
		"1-1", 0, NULL, "punctuation.quotes-unbalanced", "" },
	{ "apostrophes are not quotes", "The patients\xE2\x80\x99 knees and the doctor\xE2\x80\x99s view "
		"did not change.", "患者的膝关节和医生的看法没有改变。", "1-1", 0, NULL, "",
		"punctuation.quotes-unbalanced" },
	/* encoding */
	{ "traditional characters in a simplified text",
		"The results show that the treatment is effective. This was expected.",
		"研究结果显示该治疗有效。這個结果在预料之中。", "1-1 1-1", 0, NULL,
		"encoding.traditional-chars", "" },
	{ "simplified text", "The results show that the treatment is effective.", "研究结果显示该治疗有效。",
		"1-1", 0, NULL, "", "encoding.traditional-chars" },
	/* metadata */
	{ "date against citation", "Pain fell.", "疼痛减轻了。", "1-1", 0,
		"date=2025-07-28\ncitation=Connect Tissue Res. 2025 Jul 29:1-7.",
		"metadata.date-mismatch", "" },
	{ "date against related article", "Pain fell.", "疼痛减轻了。", "1-1", 0,
		"journal=Connect Tissue Res\ndate=2025-07-28\nrelated=Connect Tissue Res. 2025-8-28",
		"metadata.date-mismatch", "" },
	{ "date of another journal's article", "Pain fell.", "疼痛减轻了。", "1-1", 0,
		"journal=Connect Tissue Res\ndate=2025-07-28\nrelated=J Feline Med Surg. 2025-7",
		"", "metadata.date-mismatch" },
	{ "date at month precision", "Pain fell.", "疼痛减轻了。", "1-1", 0,
		"journal=Connect Tissue Res\ndate=2025-07-28\nrelated=Connect Tissue Res. 2025-7",
		"", "metadata.date-mismatch" },
	{ "truncated doi", "Pain fell.", "疼痛减轻了。", "1-1", 0, "doi=10.1080", "metadata.doi-malformed",
		"" },
	{ "doi with a space", "Pain fell.", "疼痛减轻了。", "1-1", 0, "doi=10.1080/0300 8207",
		"metadata.doi-malformed", "" },
	{ "good doi", "Pain fell.", "疼痛减轻了。", "1-1", 0, "doi=10.5555/aq.2025-1",
		"", "metadata.doi-malformed" },
};

static void check_list(const aq_findings *f, const char *name, const char *list, bool want)
{
	char rule[128];

	for (const char *p = list; *p;) {
		size_t n = strcspn(p, " ");

		if (n) {
			assert_true(n < sizeof(rule));
			memcpy(rule, p, n);
			rule[n] = '\0';
			if ((count_rule(f, rule) > 0) != want) {
				fprintf(stderr, "case \"%s\": %s should %s\n", name, rule,
					want ? "fire" : "stay quiet");
				dump(f);
				fail();
			}
		}
		p += n;
		while (*p == ' ')
			p++;
	}
}

static void test_cases(void **state)
{
	env *e = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const tcase *c = &cases[i];
		aq_record *rec = make_record("case", c->en, strlen(c->en), c->zh, strlen(c->zh), c->meta);

		assert_int_equal(run(e, rec, c->beads, c->score > 0 ? c->score : 1.0f), 0);
		check_list(&e->f, c->name, c->fire, true);
		check_list(&e->f, c->name, c->quiet, false);
		/* every finding is placed inside the texts and sorted */
		for (size_t k = 0; k < e->f.n; k++) {
			const aq_finding *x = &e->f.v[k];

			assert_true(x->en.off == AQ_NO_SPAN || (x->en.off <= x->en.end && x->en.end <= rec->en_len));
			assert_true(x->zh.off == AQ_NO_SPAN || (x->zh.off <= x->zh.end && x->zh.end <= rec->zh_len));
			assert_true(k == 0 || e->f.v[k - 1].en.off <= x->en.off);
			assert_non_null(x->message);
			assert_null(strchr(x->message, '{'));
		}
		aq_record_free(rec);
	}
}

/* Each check reports once where the defect is, not once per character or
 * per occurrence. */
static void test_counts(void **state)
{
	env *e = *state;
	aq_record *rec;

	rec = make_record("trad", "The results show that it works. This was expected.",
		strlen("The results show that it works. This was expected."),
		"研究結果顯示有效。這個结果在预料之中。", strlen("研究結果顯示有效。這個结果在预料之中。"), NULL);
	assert_int_equal(run(e, rec, "1-1 1-1", 1.0f), 0);
	/* the whole record is not Traditional (more Simplified-only characters
	 * would be needed to say so); one finding per sentence at most */
	assert_true(count_rule(&e->f, "encoding.traditional-chars") <= 2);
	assert_true(count_rule(&e->f, "encoding.traditional-chars") >= 1);
	aq_record_free(rec);

	rec = make_record("trad-all", "The results show that the treatment is effective. It was safe.",
		strlen("The results show that the treatment is effective. It was safe."),
		"研究結果顯示該治療有效。該療法很安全。", strlen("研究結果顯示該治療有效。該療法很安全。"), NULL);
	assert_int_equal(run(e, rec, "1-1 1-1", 1.0f), 0);
	/* a record in Traditional script: one info finding of its own rule */
	assert_int_equal(count_rule(&e->f, "encoding.traditional-chars"), 0);
	assert_int_equal(count_rule(&e->f, "encoding.traditional-script"), 1);
	aq_record_free(rec);

	rec = make_record("nums", "Rates were 12%, 15% and 18%.", strlen("Rates were 12%, 15% and 18%."),
		"比率分别为12%、51%和18%。", strlen("比率分别为12%、51%和18%。"), NULL);
	assert_int_equal(run(e, rec, "1-1", 1.0f), 0);
	assert_int_equal(count_rule(&e->f, "numbers.changed"), 1);
	assert_int_equal(count_rule(&e->f, "numbers.missing"), 0);
	assert_int_equal(count_rule(&e->f, "numbers.extra"), 0);
	for (size_t k = 0; k < e->f.n; k++) {
		if (strcmp(e->f.v[k].rule, "numbers.changed"))
			continue;
		/* placed at 15% and at 51% */
		assert_memory_equal(rec->en + e->f.v[k].en.off, "15%", 3);
		assert_memory_equal(rec->zh + e->f.v[k].zh.off, "51%", 3);
	}
	aq_record_free(rec);
}

static uint64_t fingerprint_of(const aq_findings *f, const char *rule)
{
	for (size_t i = 0; i < f->n; i++)
		if (!strcmp(f->v[i].rule, rule))
			return f->v[i].fingerprint;
	fail_msg("no %s finding", rule);
	return 0;
}

/* A finding keeps its fingerprint when an unrelated sentence pair is added
 * in front of it. */
static void test_fingerprint_after_edit(void **state)
{
	env *e = *state;
	const char *en1 = "Pain fell in 42% of the patients.";
	const char *zh1 = "24%的患者疼痛减轻。";
	const char *en2 = "The trial ran in 2019. Pain fell in 42% of the patients.";
	const char *zh2 = "该试验于2019年进行。24%的患者疼痛减轻。";
	aq_record *a = make_record("fp", en1, strlen(en1), zh1, strlen(zh1), NULL);
	aq_record *b = make_record("fp", en2, strlen(en2), zh2, strlen(zh2), NULL);
	uint64_t fa, fb;

	(void)state;
	assert_int_equal(run(e, a, "1-1", 1.0f), 0);
	fa = fingerprint_of(&e->f, "numbers.changed");
	assert_int_equal(run(e, b, "1-1 1-1", 1.0f), 0);
	fb = fingerprint_of(&e->f, "numbers.changed");
	assert_true(fa == fb);
	aq_record_free(a);
	aq_record_free(b);
}

/* Invalid UTF-8, empty sides and broken alignments: no crash, and errors
 * only for programmer mistakes (beads that do not fit the sentences). */
static void test_malformed(void **state)
{
	static const struct {
		const char *en, *zh;
		size_t en_len, zh_len;
	} inputs[] = {
		{ "Bad \xff\xfe bytes (MSC\xc3 in 42% of cases.", "坏\xe4\xb8字节（MSC在24%\xf0\x9f中。", 0, 0 },
		{ "", "", 0, 0 },
		{ "Only English here.", "", 0, 0 },
		{ "", "只有中文。", 0, 0 },
		{ "\xe2\x80\x9c\xe2\x80\x98(((", "\xe3\x80\x90\xe3\x80\x8a\xef\xbc\x88", 0, 0 },
		{ "Nul\0inside 12.", "空\0字节12。", 14, 14 },
	};
	env *e = *state;

	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		size_t el = inputs[i].en_len ? inputs[i].en_len : strlen(inputs[i].en);
		size_t zl = inputs[i].zh_len ? inputs[i].zh_len : strlen(inputs[i].zh);
		aq_record *rec = make_record("bad", inputs[i].en, el, inputs[i].zh, zl,
			"doi=\xff\ndate=20x5\ncitation=\xc3");

		assert_int_equal(run(e, rec, NULL, 1.0f), 0);
		aq_record_free(rec);
	}
	/* a bead past the sentences is the caller's mistake */
	{
		aq_record *rec = make_record("beads", "One. Two.", 9, "一。二。", 12, NULL);
		aq_alignment a = { rec, &e->es, &e->zs, &e->beads, NULL };

		assert_int_equal(run(e, rec, "1-1 1-1", 1.0f), 0);
		e->beads.v[1].en_n = 3;
		assert_int_equal(aq_check(&e->f, e->chk, &a), AQ_EINVAL);
		assert_int_equal(e->f.n, 0);
		e->beads.v[1].en_n = 1;
		e->es.v[1].end = 1000;
		assert_int_equal(aq_check(&e->f, e->chk, &a), AQ_EINVAL);
		assert_int_equal(aq_check(&e->f, e->chk, NULL), AQ_EINVAL);
		aq_record_free(rec);
	}
}

/* Half-width commas: a warning where they are slips among full-width ones,
 * info where they are the record's house style. */
static size_t count_sev(const aq_findings *f, const char *rule, aq_severity sev)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += strcmp(f->v[i].rule, rule) == 0 && f->v[i].severity == sev;
	return n;
}

static void test_house_style(void **state)
{
	static const char en[] = "The drug was safe, cheap and effective, and patients liked it.";
	static const struct {
		const char *zh;
		size_t warnings, infos;
	} styles[] = {
		{ "该药物安全，便宜，有效,患者也喜欢它。", 1, 0 },   /* one slip */
		{ "该药物安全,便宜，有效，患者，都,喜欢它。", 1, 1 }, /* two: one counts */
		{ "该药物安全,便宜,有效，患者也喜欢它。", 0, 2 },    /* mostly ASCII */
		{ "该药物安全,便宜,有效,患者也喜欢它。", 0, 3 },     /* ASCII only */
	};
	env *e = *state;

	for (size_t i = 0; i < sizeof(styles) / sizeof(styles[0]); i++) {
		aq_record *rec = make_record("style", en, strlen(en), styles[i].zh,
			strlen(styles[i].zh), NULL);

		assert_int_equal(run(e, rec, "1-1", 1.0f), 0);
		assert_int_equal(count_sev(&e->f, "punctuation.halfwidth-comma", AQ_SEV_WARNING),
			styles[i].warnings);
		assert_int_equal(count_sev(&e->f, "punctuation.halfwidth-comma", AQ_SEV_INFO),
			styles[i].infos);
		aq_record_free(rec);
	}
}

/* Evidence that describes other sentences is not used: the checker finds
 * its own anchors and reports the same as without evidence. */
static void test_stale_evidence(void **state)
{
	static const char en1[] = "Pain fell by 42% (p < 0.01). It was safe.";
	static const char zh1[] = "疼痛减轻了42%（p < 0.01）。它是安全的。";
	static const char en2[] = "OA affects 240 million people worldwide.";
	static const char zh2[] = "全球有2.4亿人患有骨关节炎。";
	env *e = *state;
	aq_record *r1 = make_record("one", en1, strlen(en1), zh1, strlen(zh1), NULL);
	aq_record *r2 = make_record("two", en2, strlen(en2), zh2, strlen(zh2), NULL);
	aq_spans es1, zs1;
	aq_beads b1;
	aq_findings plain;
	aq_alignment a = { r2, &e->es, &e->zs, &e->beads, NULL };

	aq_spans_init(&es1);
	aq_spans_init(&zs1);
	aq_beads_init(&b1);
	aq_findings_init(&plain);
	assert_int_equal(aq_segment_text(&es1, e->seg, AQ_LANG_EN, en1, strlen(en1)), 0);
	assert_int_equal(aq_segment_text(&zs1, e->seg, AQ_LANG_ZH, zh1, strlen(zh1)), 0);
	assert_int_equal(aq_align(&b1, e->al, en1, es1.v, es1.n, zh1, zs1.v, zs1.n), 0);
	assert_non_null(aq_aligner_evidence(e->al));
	assert_int_equal(aq_aligner_evidence(e->al)->n_sents, es1.n + zs1.n);
	/* record two with record one's evidence (4 sentences, not 2) */
	assert_int_equal(aq_segment_text(&e->es, e->seg, AQ_LANG_EN, en2, strlen(en2)), 0);
	assert_int_equal(aq_segment_text(&e->zs, e->seg, AQ_LANG_ZH, zh2, strlen(zh2)), 0);
	make_beads(e, "1-1", 1.0f);
	a.evidence = aq_aligner_evidence(e->al);
	assert_int_equal(aq_check(&e->f, e->chk, &a), 0);
	a.evidence = NULL;
	assert_int_equal(aq_check(&plain, e->chk, &a), 0);
	assert_int_equal(plain.n, e->f.n);
	for (size_t i = 0; i < plain.n; i++)
		assert_string_equal(plain.v[i].rule, e->f.v[i].rule);
	aq_findings_dispose(&plain);
	aq_beads_dispose(&b1);
	aq_spans_dispose(&es1);
	aq_spans_dispose(&zs1);
	aq_record_free(r1);
	aq_record_free(r2);
}

/* An aligner with the CC-CEDICT-syntax dictionary dict_src (loaded from a
 * temporary file); *dict receives the dictionary, to free after it. */
static aq_aligner *dict_aligner(env *e, const char *dict_src, aq_lexicon **dict)
{
	aq_aligner *al = NULL;

	assert_non_null(*dict = test_dict_load(e->ctx, dict_src));
	assert_int_equal(aq_aligner_new(&al, e->ctx, NULL, *dict, NULL), 0);
	return al;
}

/* Segments rec into en_n and zh_n sentences, aligns it with al and checks
 * it with the aligner's evidence, into e->f. */
static void check_with_evidence(env *e, aq_aligner *al, aq_record *rec, size_t en_n, size_t zh_n)
{
	aq_alignment a = { rec, &e->es, &e->zs, &e->beads, NULL };

	assert_int_equal(aq_segment_text(&e->es, e->seg, AQ_LANG_EN, rec->en, rec->en_len), 0);
	assert_int_equal(aq_segment_text(&e->zs, e->seg, AQ_LANG_ZH, rec->zh, rec->zh_len), 0);
	assert_int_equal(e->es.n, en_n);
	assert_int_equal(e->zs.n, zh_n);
	assert_int_equal(aq_align(&e->beads, al, rec->en, e->es.v, e->es.n, rec->zh, e->zs.v,
		e->zs.n), 0);
	a.evidence = aq_aligner_evidence(al);
	assert_non_null(a.evidence);
	assert_int_equal(aq_check(&e->f, e->chk, &a), 0);
}

/* Aligns and checks one record with a dictionary aligner and its evidence;
 * returns how many out-of-order findings overlap English sentence ei and
 * how many there are in all (*all). */
static size_t order_findings(env *e, aq_aligner *al, const char *en, const char *zh, uint32_t ei,
	size_t *all)
{
	aq_record *rec = make_record("swap", en, strlen(en), zh, strlen(zh), NULL);
	size_t n = 0;

	check_with_evidence(e, al, rec, 4, 4);
	assert_non_null(aq_aligner_evidence(al)->near_first);
	*all = count_rule(&e->f, "structure.out-of-order");
	for (size_t i = 0; i < e->f.n; i++)
		if (!strcmp(e->f.v[i].rule, "structure.out-of-order") &&
		    e->f.v[i].en.off < e->es.v[ei].end && e->es.v[ei].off < e->f.v[i].en.end)
			n++;
	if (*all != n)
		dump(&e->f);
	aq_record_free(rec);
	return n;
}

/* Two neighbouring sentences translated in the other order: the aligner
 * cannot cross beads and folds them into one (or pairs them wrongly), but
 * its pair evidence shows which Chinese sentence translates which. */
static void test_swapped_neighbours(void **state)
{
	static const char dict_src[] =
		"患者 患者 [huan4 zhe3] /patient/\n"
		"疼痛 疼痛 [teng2 tong4] /pain/\n"
		"膝 膝 [xi1] /knee/\n"
		"试验 试验 [shi4 yan4] /trial/\n"
		"纳入 纳入 [na4 ru4] /enroll/\n"
		"血压 血压 [xue4 ya1] /blood pressure/\n"
		"心率 心率 [xin1 lu:4] /heart rate/\n"
		"测量 测量 [ce4 liang2] /measure/\n"
		"每周 每周 [mei3 zhou1] /every week/weekly/\n"
		"肿胀 肿胀 [zhong3 zhang4] /swelling/\n"
		"关节 关节 [guan1 jie2] /joint/\n"
		"减轻 减轻 [jian3 qing1] /decrease/\n"
		"手术 手术 [shou3 shu4] /surgery/\n"
		"儿童 儿童 [er2 tong2] /child/children/\n"
		"医生 医生 [yi1 sheng1] /doctor/\n"
		"记录 记录 [ji4 lu4] /record/\n"
		"睡眠 睡眠 [shui4 mian2] /sleep/\n"
		"质量 质量 [zhi4 liang4] /quality/\n"
		"体重 体重 [ti3 zhong4] /body weight/\n"
		"夜间 夜间 [ye4 jian1] /night/\n";
	static const char en[] =
		"Patients with knee pain were enrolled in the trial. "
		"Blood pressure and heart rate were measured every week. "
		"Swelling of the joint decreased after surgery in most children. "
		"The doctors recorded sleep quality and body weight at night.";
	static const char zh_ok[] =
		"试验纳入了膝关节疼痛患者。每周测量血压和心率。"
		"大多数儿童手术后关节肿胀减轻。医生在夜间记录睡眠质量和体重。";
	static const char zh_swapped[] =
		"试验纳入了膝关节疼痛患者。大多数儿童手术后关节肿胀减轻。"
		"每周测量血压和心率。医生在夜间记录睡眠质量和体重。";
	env *e = *state;
	aq_lexicon *dict = NULL;
	aq_aligner *al = dict_aligner(e, dict_src, &dict);
	size_t all;

	assert_int_equal(order_findings(e, al, en, zh_ok, 1, &all), 0);
	assert_int_equal(all, 0);
	assert_int_equal(order_findings(e, al, en, zh_swapped, 1, &all), 1);
	assert_int_equal(all, 1);
	/* the omission and addition a crossing would otherwise look like are
	 * not reported besides */
	assert_int_equal(count_rule(&e->f, "structure.omission"), 0);
	assert_int_equal(count_rule(&e->f, "structure.addition"), 0);
	aq_aligner_free(al);
	aq_lexicon_free(dict);
}

/* A translation cut off without its full stop runs into the next sentence:
 * the 2-1 bead is only a little short, but the first English sentence's
 * share of the Chinese (the aligner's split, with a dictionary) is far too
 * short.  The complete translation merged the same way passes. */
static void test_cut_share(void **state)
{
	static const char dict_src[] =
		"患者 患者 [huan4 zhe3] /patient/\n"
		"膝 膝 [xi1] /knee/\n"
		"骨关节炎 骨关节炎 [gu3 guan1 jie2 yan2] /osteoarthritis/\n"
		"接受 接受 [jie1 shou4] /to receive/\n"
		"注射 注射 [zhu4 she4] /injection/\n"
		"干细胞 干细胞 [gan4 xi4 bao1] /stem cell/\n"
		"疼痛 疼痛 [teng2 tong4] /pain/\n"
		"减轻 减轻 [jian3 qing1] /to decrease/\n";
	static const char en[] =
		"Patients with knee osteoarthritis received intraarticular injections of "
		"autologous mesenchymal stem cells for six weeks. Pain decreased in most patients.";
	static const struct {
		const char *zh;
		size_t want;
	} zhs[] = {
		{ "膝骨关节炎患者接受了为期六周的关节内多数患者疼痛减轻。", 1 },
		{ "膝骨关节炎患者接受了为期六周的关节内自体间充质干细胞注射，多数患者疼痛减轻。", 0 },
	};
	env *e = *state;
	aq_lexicon *dict = NULL;
	aq_aligner *al = dict_aligner(e, dict_src, &dict);

	for (size_t i = 0; i < sizeof(zhs) / sizeof(zhs[0]); i++) {
		const char *zh = zhs[i].zh;
		aq_record *rec = make_record("cut", en, strlen(en), zh, strlen(zh), NULL);
		size_t n = 0;

		check_with_evidence(e, al, rec, 2, 1);
		assert_int_equal(e->beads.n, 1);
		for (size_t k = 0; k < e->f.n; k++) {
			const aq_finding *f = &e->f.v[k];

			if (strcmp(f->rule, "structure.length-ratio") != 0)
				continue;
			n++;
			/* the first sentence, and its share: up to 疼痛, the
			 * first word only the second sentence matches (患者 is
			 * both's, so 多数患者 goes with the first) */
			assert_int_equal(f->en.off, e->es.v[0].off);
			assert_int_equal(f->en.end, e->es.v[0].end);
			assert_int_equal(f->zh.off, 0);
			assert_int_equal(f->zh.end, (uint32_t)(strstr(zh, "疼痛") - zh));
		}
		if (n != zhs[i].want)
			fail_msg("case %zu: %zu length-ratio findings, expected %zu", i, n,
				zhs[i].want);
		aq_record_free(rec);
	}
	aq_aligner_free(al);
	aq_lexicon_free(dict);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_house_style),
		cmocka_unit_test(test_stale_evidence),
		cmocka_unit_test(test_swapped_neighbours),
		cmocka_unit_test(test_cut_share),
		cmocka_unit_test(test_fingerprint_after_edit),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
