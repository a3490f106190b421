/*
 * test_align.c - the aligner on synthetic documents built here: 1-1 runs,
 * merges, splits, omissions, insertions, empty sides, long documents that
 * need the band to widen, and the invariant that beads cover every sentence
 * exactly once in order.
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
#include "test_dict.h"

#include <stdlib.h>
#include <unistd.h>

/* A document side built sentence by sentence. */
typedef struct doc {
	aq_buf text;
	aq_spans s;
} doc;

static void doc_init(doc *d)
{
	aq_buf_init(&d->text);
	aq_spans_init(&d->s);
	aq_buf_put(&d->text, "", 0);
}

static void doc_dispose(doc *d)
{
	aq_buf_dispose(&d->text);
	aq_spans_dispose(&d->s);
}

static void doc_add(doc *d, const char *sentence)
{
	uint32_t off;
	if (d->text.len)
		aq_buf_putc(&d->text, ' ');
	off = (uint32_t)d->text.len;
	aq_buf_puts(&d->text, sentence);
	aq_spans_push(&d->s, off, (uint32_t)d->text.len);
}

/* Sentence k of a synthetic abstract in each language: varied lengths, and a
 * distinct number in each so that anchors can tell them apart. */
static const char *const en_tpl[] = {
	"In total %d patients were enrolled in the study.",
	"The mean follow-up period was %d months, and no patient was lost during the observation period.",
	"Serum levels rose by %d percent after the treatment with mesenchymal stem cells.",
	"Adverse events occurred in %d cases, all of which were mild and resolved without any further intervention or hospital admission.",
	"We analysed %d samples.",
	"The response rate reached %d%% in the experimental group compared with the control group that received the standard care.",
};
static const char *const zh_tpl[] = {
	"本研究共纳入%d例患者。",
	"平均随访时间为%d个月，观察期间无患者失访。",
	"间充质干细胞治疗后血清水平升高了百分之%d。",
	"共有%d例发生不良事件，均为轻度，无需进一步干预或住院即可缓解。",
	"我们分析了%d份样本。",
	"实验组的缓解率达到%d%%，而接受标准治疗的对照组则较低。",
};

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
static void make_pair(doc *en, doc *zh, int k, int num)
{
	char buf[512];
	int t = k % 6;
	snprintf(buf, sizeof(buf), en_tpl[t], num);
	doc_add(en, buf);
	snprintf(buf, sizeof(buf), zh_tpl[t], num);
	doc_add(zh, buf);
}
#pragma GCC diagnostic pop

static aq_aligner *new_aligner(aq_ctx **ctx)
{
	aq_aligner *al = NULL;
	assert_int_equal(aq_ctx_new(ctx), 0);
	assert_int_equal(aq_aligner_new(&al, *ctx, NULL, NULL, NULL), 0);
	return al;
}

/* Beads are in order and cover every sentence exactly once. */
static void check_cover(const aq_beads *b, size_t en_n, size_t zh_n)
{
	size_t i = 0, j = 0;
	for (size_t k = 0; k < b->n; k++) {
		assert_int_equal(b->v[k].en_idx, i);
		assert_int_equal(b->v[k].zh_idx, j);
		assert_true(b->v[k].en_n + b->v[k].zh_n > 0);
		assert_true(b->v[k].score >= 0 && b->v[k].score <= 1);
		i += b->v[k].en_n;
		j += b->v[k].zh_n;
	}
	assert_int_equal(i, en_n);
	assert_int_equal(j, zh_n);
}

static void align_docs(aq_aligner *al, aq_beads *b, doc *en, doc *zh)
{
	assert_int_equal(aq_align(b, al, en->text.ptr, en->s.v, en->s.n, zh->text.ptr, zh->s.v,
		zh->s.n), 0);
	check_cover(b, en->s.n, zh->s.n);
}

static void test_one_to_one(void **state)
{
	aq_ctx *ctx;
	aq_aligner *al = new_aligner(&ctx);
	aq_beads b;
	doc en, zh;
	(void)state;
	doc_init(&en);
	doc_init(&zh);
	aq_beads_init(&b);
	for (int k = 0; k < 9; k++)
		make_pair(&en, &zh, k, 10 + k * 7);
	align_docs(al, &b, &en, &zh);
	assert_int_equal(b.n, 9);
	for (size_t k = 0; k < b.n; k++) {
		assert_int_equal(b.v[k].en_n, 1);
		assert_int_equal(b.v[k].zh_n, 1);
		assert_true(b.v[k].score > 0.5);
	}
	aq_beads_dispose(&b);
	doc_dispose(&en);
	doc_dispose(&zh);
	aq_aligner_free(al);
	aq_ctx_free(ctx);
}

/* Expected shapes of a hand-made case: (en_n, zh_n) per bead. */
static void expect_shapes(const aq_beads *b, const int (*shape)[2], size_t n)
{
	assert_int_equal(b->n, n);
	for (size_t k = 0; k < n; k++) {
		assert_int_equal(b->v[k].en_n, shape[k][0]);
		assert_int_equal(b->v[k].zh_n, shape[k][1]);
	}
}

static void test_merge_split_omit_add(void **state)
{
	aq_ctx *ctx;
	aq_aligner *al = new_aligner(&ctx);
	aq_beads b;
	doc en, zh;
	static const int merged[][2] = { { 1, 1 }, { 2, 1 }, { 1, 1 }, { 1, 1 } };
	static const int split[][2] = { { 1, 1 }, { 1, 2 }, { 1, 1 }, { 1, 1 } };
	static const int omitted[][2] = { { 1, 1 }, { 1, 1 }, { 1, 0 }, { 1, 1 }, { 1, 1 } };
	static const int added[][2] = { { 1, 1 }, { 1, 1 }, { 0, 1 }, { 1, 1 }, { 1, 1 } };
	(void)state;
	aq_beads_init(&b);

	/* two English sentences translated as one Chinese sentence */
	doc_init(&en);
	doc_init(&zh);
	make_pair(&en, &zh, 0, 48);
	doc_add(&en, "In total 12 patients were enrolled in the study.");
	doc_add(&en, "The mean follow-up period was 36 months, and no patient was lost during the observation period.");
	doc_add(&zh, "本研究共纳入12例患者，平均随访时间为36个月，观察期间无患者失访。");
	make_pair(&en, &zh, 3, 5);
	make_pair(&en, &zh, 4, 220);
	align_docs(al, &b, &en, &zh);
	expect_shapes(&b, merged, 4);
	doc_dispose(&en);
	doc_dispose(&zh);

	/* one English sentence translated as two */
	doc_init(&en);
	doc_init(&zh);
	make_pair(&en, &zh, 0, 48);
	doc_add(&en, "Adverse events occurred in 7 cases, all of which were mild and resolved without any further intervention or hospital admission.");
	doc_add(&zh, "共有7例发生不良事件。");
	doc_add(&zh, "这些事件均为轻度，无需进一步干预或住院即可缓解。");
	make_pair(&en, &zh, 4, 220);
	make_pair(&en, &zh, 5, 61);
	align_docs(al, &b, &en, &zh);
	expect_shapes(&b, split, 4);
	doc_dispose(&en);
	doc_dispose(&zh);

	/* an English sentence with no translation */
	doc_init(&en);
	doc_init(&zh);
	make_pair(&en, &zh, 0, 48);
	make_pair(&en, &zh, 1, 24);
	doc_add(&en, "Adverse events occurred in 9 cases, all of which were mild and resolved without any further intervention or hospital admission.");
	make_pair(&en, &zh, 4, 220);
	make_pair(&en, &zh, 5, 61);
	align_docs(al, &b, &en, &zh);
	expect_shapes(&b, omitted, 5);
	doc_dispose(&en);
	doc_dispose(&zh);

	/* a Chinese sentence with no source */
	doc_init(&en);
	doc_init(&zh);
	make_pair(&en, &zh, 0, 48);
	make_pair(&en, &zh, 1, 24);
	doc_add(&zh, "值得注意的是，该方法已在另外三家医院推广应用，并获得了2019年度省级科技进步奖。");
	make_pair(&en, &zh, 4, 220);
	make_pair(&en, &zh, 5, 61);
	align_docs(al, &b, &en, &zh);
	expect_shapes(&b, added, 5);
	doc_dispose(&en);
	doc_dispose(&zh);

	aq_beads_dispose(&b);
	aq_aligner_free(al);
	aq_ctx_free(ctx);
}

static void test_empty_sides(void **state)
{
	aq_ctx *ctx;
	aq_aligner *al = new_aligner(&ctx);
	aq_beads b;
	doc en, zh;
	aq_span first;
	(void)state;
	aq_beads_init(&b);
	doc_init(&en);
	doc_init(&zh);
	align_docs(al, &b, &en, &zh);
	assert_int_equal(b.n, 0);
	make_pair(&en, &zh, 0, 3);
	first = en.s.v[0];
	zh.s.n = 0; /* Chinese side empty */
	align_docs(al, &b, &en, &zh);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.v[0].zh_n, 0);
	en.s.n = 0;
	zh.s.n = 1; /* English side empty */
	align_docs(al, &b, &en, &zh);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.v[0].en_n, 0);
	/* empty sentences (blank lines of pre-segmented input) */
	en.s.n = 0;
	aq_spans_push(&en.s, 0, 0);
	aq_spans_push(&en.s, first.off, first.end);
	aq_spans_push(&en.s, first.end, first.end);
	align_docs(al, &b, &en, &zh);
	doc_dispose(&en);
	doc_dispose(&zh);
	aq_beads_dispose(&b);
	aq_aligner_free(al);
	aq_ctx_free(ctx);
}

/* A long document whose Chinese side starts with many extra sentences: the
 * band must widen to find the path, and the rest must still be 1-1. */
static void test_long_band(void **state)
{
	aq_ctx *ctx;
	aq_aligner *al = new_aligner(&ctx);
	aq_beads b;
	doc en, zh;
	size_t ones = 0;
	(void)state;
	aq_beads_init(&b);
	doc_init(&en);
	doc_init(&zh);
	for (int k = 0; k < 60; k++)
		doc_add(&zh, "这是一段没有对应英文原文的补充说明文字，用于测试搜索带的扩展。");
	for (int k = 0; k < 3000; k++)
		make_pair(&en, &zh, k, 1000 + k);
	align_docs(al, &b, &en, &zh);
	for (size_t k = 0; k < b.n; k++)
		ones += b.v[k].en_n == 1 && b.v[k].zh_n == 1;
	assert_true(ones >= 2990);
	doc_dispose(&en);
	doc_dispose(&zh);
	aq_beads_dispose(&b);
	aq_aligner_free(al);
	aq_ctx_free(ctx);
}

/* Random documents: whatever the input, the cover invariant holds. */
static void test_random_cover(void **state)
{
	aq_ctx *ctx;
	aq_aligner *al = new_aligner(&ctx);
	aq_beads b;
	unsigned seed = 12345;
	(void)state;
	aq_beads_init(&b);
	for (int round = 0; round < 200; round++) {
		doc en, zh;
		int ne, nz;
		doc_init(&en);
		doc_init(&zh);
		seed = seed * 1103515245 + 12345;
		ne = (int)(seed >> 16) % 15;
		seed = seed * 1103515245 + 12345;
		nz = (int)(seed >> 16) % 15;
		for (int k = 0; k < ne; k++) {
			seed = seed * 1103515245 + 12345;
			doc_add(&en, en_tpl[(seed >> 16) % 6]);
		}
		for (int k = 0; k < nz; k++) {
			seed = seed * 1103515245 + 12345;
			doc_add(&zh, zh_tpl[(seed >> 16) % 6]);
		}
		align_docs(al, &b, &en, &zh);
		doc_dispose(&en);
		doc_dispose(&zh);
	}
	aq_beads_dispose(&b);
	aq_aligner_free(al);
	aq_ctx_free(ctx);
}


/* A context and an aligner with the CC-CEDICT-syntax dictionary dict_src
 * (loaded from a temporary file); free the three in reverse order. */
static aq_aligner *dict_aligner(const char *dict_src, aq_ctx **ctx, aq_lexicon **dict)
{
	aq_aligner *al = NULL;

	assert_int_equal(aq_ctx_new(ctx), 0);
	assert_non_null(*dict = test_dict_load(*ctx, dict_src));
	assert_int_equal(aq_aligner_new(&al, *ctx, NULL, *dict, NULL), 0);
	return al;
}

/* Frees what a test with dict_aligner() made. */
static void dict_done(aq_beads *b, doc *en, doc *zh, aq_aligner *al, aq_lexicon *dict, aq_ctx *ctx)
{
	aq_beads_dispose(b);
	doc_dispose(en);
	doc_dispose(zh);
	aq_aligner_free(al);
	aq_lexicon_free(dict);
	aq_ctx_free(ctx);
}
/* The evidence tells, per Chinese sentence, whether it ends on Han text
 * closing a dictionary word (1), on Han text that does not (0: cut off
 * mid-phrase), or on something else (2); only with a dictionary. */
static void test_zh_end_word(void **state)
{
	static const char dict_src[] =
		"患者 患者 [huan4 zhe3] /patient/\n"
		"治疗 治疗 [zhi4 liao2] /treatment/treat/\n"
		"疼痛 疼痛 [teng2 tong4] /pain/\n";
	static const char *const zh_sents[] = {
		"患者接受治疗。", "疼痛减轻了一半", "患者接受治。", "疼痛减轻50%。", "（治疗）", "OK.",
	};
	static const char *const en_sents[] = {
		"Patients were treated.", "Pain fell by half.", "Patients were treated.",
		"Pain fell by 50%.", "(treatment)", "OK.",
	};
	static const uint8_t want[] = { 1, 0, 0, 2, 2, 2 };
	aq_ctx *ctx = NULL;
	aq_lexicon *dict = NULL;
	aq_aligner *al = dict_aligner(dict_src, &ctx, &dict);
	const aq_align_evidence *ev;
	aq_beads b;
	doc en, zh;

	(void)state;
	doc_init(&en);
	doc_init(&zh);
	for (size_t i = 0; i < sizeof(want); i++) {
		doc_add(&en, en_sents[i]);
		doc_add(&zh, zh_sents[i]);
	}
	aq_beads_init(&b);
	align_docs(al, &b, &en, &zh);
	ev = aq_aligner_evidence(al);
	assert_non_null(ev);
	assert_non_null(ev->zh_end_word);
	for (size_t i = 0; i < sizeof(want); i++)
		if (ev->zh_end_word[i] != want[i])
			fail_msg("sentence %zu (%s): %d, expected %d", i, zh_sents[i],
				ev->zh_end_word[i], want[i]);
	dict_done(&b, &en, &zh, al, dict, ctx);
}

/* A Chinese sentence that translates two English ones (a 2-1 bead) is split
 * where the words of the first stop and those of the second begin: here a
 * translation cut off ("...接受了膝") and run into the next sentence, with no
 * mark between the two shares. */
static void test_en_zh_split(void **state)
{
	static const char dict_src[] =
		"患者 患者 [huan4 zhe3] /patient/\n"
		"接受 接受 [jie1 shou4] /to receive/\n"
		"膝 膝 [xi1] /knee/\n"
		"治疗 治疗 [zhi4 liao2] /treatment/\n"
		"血压 血压 [xue4 ya1] /blood pressure/\n"
		"下降 下降 [xia4 jiang4] /to decrease/\n"
		"六周 六周 [liu4 zhou1] /six weeks/\n";
	static const char *const en_sents[] = {
		"Patients received knee treatment for six weeks.",
		"Blood pressure decreased.",
	};
	static const char zh_sent[] = "患者接受了膝血压下降。";
	aq_ctx *ctx = NULL;
	aq_lexicon *dict = NULL;
	aq_aligner *al = dict_aligner(dict_src, &ctx, &dict);
	const aq_align_evidence *ev;
	const char *zh_text;
	aq_beads b;
	doc en, zh;

	(void)state;
	doc_init(&en);
	doc_init(&zh);
	doc_add(&en, en_sents[0]);
	doc_add(&en, en_sents[1]);
	doc_add(&zh, zh_sent);
	aq_beads_init(&b);
	align_docs(al, &b, &en, &zh);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.v[0].en_n, 2);
	ev = aq_aligner_evidence(al);
	assert_non_null(ev);
	assert_non_null(ev->en_zh_end);
	assert_non_null(ev->en_zh_gap);
	zh_text = zh.text.ptr;
	/* the first share ends where 血压 begins, its last own word is 膝 */
	assert_int_equal(ev->en_zh_end[0], (uint32_t)(strstr(zh_text, "血压") - zh_text));
	assert_int_equal(ev->en_zh_gap[0], (uint32_t)(strstr(zh_text, "膝") - zh_text + 3));
	assert_int_equal(ev->en_zh_end[1], zh.s.v[0].end);
	dict_done(&b, &en, &zh, al, dict, ctx);
}

static void test_bad_options(void **state)
{
	aq_ctx *ctx = NULL;
	aq_aligner *al = NULL;
	aq_align_opts o;
	(void)state;
	assert_int_equal(aq_ctx_new(&ctx), 0);
	aq_align_opts_default(&o);
	o.max_bead = 9;
	assert_int_equal(aq_aligner_new(&al, ctx, &o, NULL, NULL), AQ_EINVAL);
	assert_null(al);
	aq_align_opts_default(&o);
	o.max_bead = 1; /* only 1-1, 1-0, 0-1 */
	assert_int_equal(aq_aligner_new(&al, ctx, &o, NULL, NULL), 0);
	aq_aligner_free(al);
	aq_aligner_free(NULL);
	aq_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_to_one),
		cmocka_unit_test(test_merge_split_omit_add),
		cmocka_unit_test(test_empty_sides),
		cmocka_unit_test(test_long_band),
		cmocka_unit_test(test_random_cover),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_zh_end_word),
		cmocka_unit_test(test_en_zh_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
