/*
 * test_record.c - unit tests of record.c: the plain-text shape (abstracts
 * found by script share, metadata, offsets that map back to the file),
 * malformed text (BOM, CRLF, bad UTF-8, NUL, empty), JSON Lines records and
 * their errors, and the small helpers (metadata, Han share).
 * Reading files and directories is tested in test_input.c.
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
#include "record_int.h"

#ifndef AQ_TEST_SOURCE_DIR
#define AQ_TEST_SOURCE_DIR "tests"
#endif
#define DATA_DIR AQ_TEST_SOURCE_DIR "/data/records/"

static aq_ctx *ctx = NULL;

static int setup(void **state)
{
	(void)state;
	return aq_ctx_new(&ctx);
}

static int teardown(void **state)
{
	(void)state;
	aq_ctx_free(ctx);
	ctx = NULL;
	return 0;
}

/* Reads a fixture into memory; *len gets its size. */
static char *slurp(const char *name, size_t *len)
{
	char path[512];
	FILE *f = NULL;
	char *data = NULL;
	long n;

	snprintf(path, sizeof(path), DATA_DIR "%s", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	data = malloc((size_t)n + 1);
	assert_non_null(data);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	data[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return data;
}

/* Byte offset in data of (line, col), lines counted from first_line. */
static size_t offset_of(const char *data, size_t len, uint32_t first_line, uint32_t line,
	uint32_t col)
{
	size_t off = 0;

	for (uint32_t l = first_line; l < line; l++) {
		const char *nl = memchr(data + off, '\n', len - off);

		assert_non_null(nl);
		off = (size_t)(nl - data) + 1;
	}
	return off + col - 1;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* ------------------------------------------------------------------ */
/* Plain-text records */

typedef struct text_case {
	const char *label;
	const char *file;      /* fixture in data/records, or NULL for data */
	const char *data;      /* inline record */
	size_t len;            /* inline length; 0 = strlen(data) */
	uint32_t first_line;   /* 0 = 1 */
	int rc;
	const char *err;       /* expected message (exact) when rc != 0 */
	const char *en_head, *en_tail; /* expected start and end of the English */
	const char *zh_head, *zh_tail;
	uint32_t en_line, en_col, zh_line, zh_col;
	bool en_verbatim, zh_verbatim;
	int en_lines, zh_lines; /* lines in each abstract (0 = not checked) */
} text_case;

static const text_case text_cases[] = {
	{ .label = "seed shape", .file = "basic.txt",
	  .en_head = "Fragility fractures in older adults", .en_tail = "low baseline levels.",
	  .zh_head = "老年人脆性骨折", .zh_tail = "老年人的骨折愈合。",
	  .en_line = 5, .en_col = 1, .zh_line = 6, .zh_col = 1,
	  .en_verbatim = true, .zh_verbatim = true, .en_lines = 1, .zh_lines = 1 },
	{ .label = "structured, blank lines around", .file = "structured.txt",
	  .en_head = "BACKGROUND: Home spirometry", .en_tail = "for monitoring trends.",
	  .zh_head = "目的：家庭肺功能检测", .zh_tail = "可用于监测变化趋势。",
	  .en_line = 5, .en_col = 1, .zh_line = 10, .zh_col = 1,
	  .en_verbatim = true, .zh_verbatim = true, .en_lines = 4, .zh_lines = 4 },
	{ .label = "Chinese first", .file = "zh_first.txt",
	  .en_head = "Home visits by community", .en_tail = "low-cost strategy.",
	  .zh_head = "社区卫生工作者", .zh_tail = "低成本的策略。",
	  .en_line = 5, .en_col = 1, .zh_line = 4, .zh_col = 1,
	  .en_verbatim = true, .zh_verbatim = true, .en_lines = 1, .zh_lines = 1 },
	{ .label = "no Chinese", .file = "no_zh.txt", .rc = AQ_EINPUT,
	  .err = "no_zh.txt:1: no Chinese abstract found" },
	{ .label = "no English", .file = "no_en.txt", .rc = AQ_EINPUT,
	  .err = "no_en.txt:1: no English abstract found" },
	{ .label = "BOM, abstract on line 1",
	  .data = "\xEF\xBB\xBFWe compared two inhaler techniques in forty adults.\n"
		  "我们在四十名成人中比较了两种吸入器使用方法。\n",
	  .en_head = "We compared", .en_tail = "forty adults.", .zh_head = "我们在",
	  .zh_tail = "使用方法。", .en_line = 1, .en_col = 4, .zh_line = 2, .zh_col = 1,
	  .en_verbatim = true, .zh_verbatim = true, .en_lines = 1, .zh_lines = 1 },
	{ .label = "CRLF, multi-line abstracts lose verbatim",
	  .data = "Ortiz Lucia, Mensah Kofi\r\n"
		  "Pediatr Res. 2022 Oct 4:88-95.\r\n"
		  "OBJECTIVE: To test whether kangaroo care shortens hospital stay.\r\n"
		  "RESULTS: Median stay fell from 21 to 17 days.\r\n"
		  "目的：检验袋鼠式护理能否缩短住院时间。\r\n"
		  "结果：中位住院时间从21天降至17天。\r\n"
		  "Pediatr Res. 2022-10-4\r\n",
	  .en_head = "OBJECTIVE: To test", .en_tail = "hospital stay.\nRESULTS: Median stay fell from 21 to 17 days.",
	  .zh_head = "目的：", .zh_tail = "住院时间。\n结果：中位住院时间从21天降至17天。",
	  .en_line = 3, .en_col = 1, .zh_line = 5, .zh_col = 1,
	  .en_verbatim = false, .zh_verbatim = false, .en_lines = 2, .zh_lines = 2 },
	{ .label = "CRLF, one-line abstracts stay verbatim",
	  .data = "Ortiz Lucia\r\nPediatr Res. 2022 Oct 4:88-95.\r\n"
		  "Kangaroo care shortened the median hospital stay by four days.\r\n"
		  "袋鼠式护理使中位住院时间缩短了四天。\r\n",
	  .en_head = "Kangaroo care", .en_tail = "by four days.", .zh_head = "袋鼠式护理",
	  .zh_tail = "缩短了四天。", .en_line = 3, .en_col = 1, .zh_line = 4, .zh_col = 1,
	  .en_verbatim = true, .zh_verbatim = true, .en_lines = 1, .zh_lines = 1 },
	{ .label = "invalid UTF-8 names line and column",
	  .data = "Ito Kenji\nJ Test. 2020 Jan 2.\nA short trial of \xC3\x28 nothing much.\n"
		  "一项简短的试验。\n",
	  .rc = AQ_EINPUT, .err = "mem.txt:3:18: invalid UTF-8 (byte offset 47)" },
	{ .label = "truncated UTF-8 at the end",
	  .data = "Some English sentence here, long enough to count.\n中文摘要在这里。\xE4\xB8",
	  .rc = AQ_EINPUT, .err = "mem.txt:2:25: invalid UTF-8 (byte offset 74)" },
	{ .label = "NUL byte", .data = "English text that goes on.\n中文\0摘要。\n", .len = 44,
	  .rc = AQ_EINPUT, .err = "mem.txt:2:7: NUL byte (byte offset 33)" },
	{ .label = "empty", .data = " \n\t\n\n", .rc = AQ_EINPUT, .err = "mem.txt:1: empty record" },
	{ .label = "first_line offsets lines and errors", .first_line = 40,
	  .data = "\nPatients who walked daily recovered faster after surgery.\n\n"
		  "每天步行的患者术后恢复更快。\n",
	  .en_head = "Patients", .en_tail = "after surgery.", .zh_head = "每天", .zh_tail = "更快。",
	  .en_line = 41, .en_col = 1, .zh_line = 43, .zh_col = 1,
	  .en_verbatim = true, .zh_verbatim = true, .en_lines = 1, .zh_lines = 1 },
	{ .label = "indented lines: columns skip the blanks",
	  .data = "  Low-dose aspirin did not prevent migraine in this small trial.  \n"
		  "\xE3\x80\x80\xE3\x80\x80低剂量阿司匹林在这项小型试验中未能预防偏头痛。\n",
	  .en_head = "Low-dose", .en_tail = "small trial.", .zh_head = "低剂量", .zh_tail = "偏头痛。",
	  .en_line = 1, .en_col = 3, .zh_line = 2, .zh_col = 7,
	  .en_verbatim = true, .zh_verbatim = true, .en_lines = 1, .zh_lines = 1 },
	{ .label = "no citation: affiliations stay out of the English",
	  .data = "Weber Jonas, Haddad Rania\n"
		  "Department of Neurology, Lakeview University Hospital, Basel, Switzerland.\n"
		  "Mirror therapy improved arm function after stroke in a pilot study of 30 patients.\n"
		  "在一项纳入30例患者的初步研究中，镜像疗法改善了卒中后的上肢功能。\n",
	  .en_head = "Mirror therapy", .en_tail = "30 patients.", .zh_head = "在一项",
	  .zh_tail = "上肢功能。", .en_line = 3, .en_col = 1, .zh_line = 4, .zh_col = 1,
	  .en_verbatim = true, .zh_verbatim = true, .en_lines = 1, .zh_lines = 1 },
	{ .label = "a title line without a period is not abstract",
	  .data = "Clin Nutr. 2021 Apr;40(4):1500-1507.\n"
		  "Protein supplements and muscle mass in older adults\n"
		  "Daily protein supplements did not increase muscle mass over one year. Grip strength was unchanged.\n"
		  "每日补充蛋白质一年内并未增加肌肉量。握力没有变化。\n",
	  .en_head = "Daily protein", .en_tail = "was unchanged.", .zh_head = "每日", .zh_tail = "没有变化。",
	  .en_line = 3, .en_col = 1, .zh_line = 4, .zh_col = 1,
	  .en_verbatim = true, .zh_verbatim = true, .en_lines = 1, .zh_lines = 1 },
	{ .label = "a Chinese line heavy with Latin stays in the Chinese run",
	  .data = "J Test. 2019 May 3.\n"
		  "METHODS: Cell viability was measured with the MTS assay.\n"
		  "RESULTS: Viability fell by half at the highest dose.\n"
		  "方法：采用MTS[3-(4,5-dimethylthiazol-2-yl)-5-(3-carboxymethoxyphenyl)-2-(4-sulfophenyl)-2H-tetrazolium]法。\n"
		  "结果：最高剂量组细胞活力下降了一半。\n",
	  .en_head = "METHODS:", .en_tail = "highest dose.", .zh_head = "方法：", .zh_tail = "下降了一半。",
	  .en_line = 2, .en_col = 1, .zh_line = 4, .zh_col = 1,
	  .en_verbatim = true, .zh_verbatim = true, .en_lines = 2, .zh_lines = 2 },
	{ .label = "Chinese author names are not the abstract",
	  .data = "王明, 李华\nJ Test. 2018.\n"
		  "Acupuncture reduced nausea after chemotherapy in a randomised trial.\n"
		  "一项随机试验显示，针刺减轻了化疗后的恶心症状。\n",
	  .en_head = "Acupuncture", .en_tail = "randomised trial.", .zh_head = "一项", .zh_tail = "恶心症状。",
	  .en_line = 3, .en_col = 1, .zh_line = 4, .zh_col = 1,
	  .en_verbatim = true, .zh_verbatim = true, .en_lines = 1, .zh_lines = 1 },
	{ .label = "only Chinese names: no Chinese abstract",
	  .data = "王明, 李华\nAcupuncture reduced nausea after chemotherapy in a randomised trial.\n",
	  .rc = AQ_EINPUT, .err = "mem.txt:1: no Chinese abstract found" },
	{ .label = "English after Chinese stops at related lines",
	  .data = "J Test. 2017 Feb.\n"
		  "研究表明，规律运动可降低老年人的跌倒风险。\n\n"
		  "Studies show that regular exercise lowers the risk of falls in older adults.\n"
		  "J Test. 2017-2\nOther J. 2016-5-1\n",
	  .en_head = "Studies show", .en_tail = "older adults.", .zh_head = "研究表明", .zh_tail = "跌倒风险。",
	  .en_line = 4, .en_col = 1, .zh_line = 2, .zh_col = 1,
	  .en_verbatim = true, .zh_verbatim = true, .en_lines = 1, .zh_lines = 1 },
};

static void check_text_case(const text_case *tc)
{
	aq_record *rec = NULL;
	char *data = NULL;
	const char *d = tc->data;
	const char *name = tc->file ? tc->file : "mem.txt";
	char id[64];
	size_t len = tc->len;
	uint32_t first = tc->first_line ? tc->first_line : 1;
	int rc, lines;

	if (tc->file) {
		data = slurp(tc->file, &len);
		d = data;
	} else if (!len) {
		len = strlen(d);
	}
	rc = aq_record_parse_text(&rec, ctx, name, first, d, len);
	if (rc != tc->rc)
		print_message("case '%s': rc %d, message '%s'\n", tc->label, rc, aq_ctx_errmsg(ctx));
	assert_int_equal(rc, tc->rc);
	if (rc) {
		assert_null(rec);
		assert_string_equal(aq_ctx_errmsg(ctx), tc->err);
		free(data);
		return;
	}
	assert_non_null(rec);
	assert_int_equal(rec->line, first);
	snprintf(id, sizeof(id), "%.*s", (int)strcspn(name, "."), name);
	assert_string_equal(rec->id, id);
	assert_true(starts_with(rec->en, tc->en_head));
	assert_true(ends_with(rec->en, rec->en_len, tc->en_tail));
	assert_true(starts_with(rec->zh, tc->zh_head));
	assert_true(ends_with(rec->zh, rec->zh_len, tc->zh_tail));
	assert_int_equal(strlen(rec->en), rec->en_len);
	assert_int_equal(strlen(rec->zh), rec->zh_len);
	assert_int_equal(rec->en_line, tc->en_line);
	assert_int_equal(rec->en_col, tc->en_col);
	assert_int_equal(rec->zh_line, tc->zh_line);
	assert_int_equal(rec->zh_col, tc->zh_col);
	assert_int_equal(rec->en_verbatim, tc->en_verbatim);
	assert_int_equal(rec->zh_verbatim, tc->zh_verbatim);
	lines = 1;
	for (size_t i = 0; i < rec->en_len; i++)
		lines += rec->en[i] == '\n';
	if (tc->en_lines)
		assert_int_equal(lines, tc->en_lines);
	lines = 1;
	for (size_t i = 0; i < rec->zh_len; i++)
		lines += rec->zh[i] == '\n';
	if (tc->zh_lines)
		assert_int_equal(lines, tc->zh_lines);
	/* Verbatim: the abstract is the input bytes at (line, col). */
	if (rec->en_verbatim)
		assert_memory_equal(d + offset_of(d, len, first, rec->en_line, rec->en_col), rec->en,
			rec->en_len);
	if (rec->zh_verbatim)
		assert_memory_equal(d + offset_of(d, len, first, rec->zh_line, rec->zh_col), rec->zh,
			rec->zh_len);
	aq_record_free(rec);
	free(data);
}

static void test_text_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++)
		check_text_case(&text_cases[i]);
}

/* Every metadata field of the seed-shaped fixture. */
static void test_text_meta(void **state)
{
	aq_record *rec = NULL;
	size_t len;
	char *data = slurp("basic.txt", &len);

	(void)state;
	assert_int_equal(aq_record_parse_text(&rec, ctx, "some/dir/basic.txt", 1, data, len), 0);
	assert_string_equal(rec->id, "basic");
	assert_string_equal(rec->source, "some/dir/basic.txt");
	assert_string_equal(aq_record_meta(rec, "authors"),
		"Harlow Jenna, Okafor Chidi, Lindqvist Maja");
	assert_string_equal(aq_record_meta(rec, "affiliations"),
		"Department of Geriatric Medicine, Northfield University Hospital, Leeds, UK.\n"
		"Institute of Bone Biology, Riverside College, Dundee, UK.");
	assert_string_equal(aq_record_meta(rec, "citation"),
		"Bone Rep. 2024 Mar 12:45-53. doi: 10.1016/j.bonr.2024.101734.");
	assert_string_equal(aq_record_meta(rec, "journal"), "Bone Rep");
	assert_string_equal(aq_record_meta(rec, "date"), "2024-03-12");
	assert_string_equal(aq_record_meta(rec, "pages"), "45-53");
	assert_string_equal(aq_record_meta(rec, "doi"), "10.1016/j.bonr.2024.101734");
	assert_string_equal(aq_record_meta(rec, "related"),
		"Bone Rep. 2024-3-12\nJ Bone Miner Res. 2023-11\nOsteoporos Int. 2022-6-30");
	assert_null(aq_record_meta(rec, "volume"));
	assert_null(aq_record_meta(rec, "title"));
	/* Input order. */
	assert_string_equal(rec->meta[0].key, "authors");
	assert_string_equal(rec->meta[rec->n_meta - 1].key, "related");
	aq_record_free(rec);
	free(data);
}

typedef struct cite_case {
	const char *citation;
	const char *journal, *date, *volume, *issue, *pages, *doi; /* NULL = absent */
} cite_case;

static const cite_case cite_cases[] = {
	{ "Connect Tissue Res. 2025 Jul 28:1-7. doi: 10.1080/03008207.2025.2536148.",
	  "Connect Tissue Res", "2025-07-28", NULL, NULL, "1-7", "10.1080/03008207.2025.2536148" },
	{ "Lancet. 2019;393(10180):1526-1536.", "Lancet", "2019", "393", "10180", "1526-1536", NULL },
	{ "1. Nat Med. 2020 Jan-Feb;26(1):12-20. doi:10.1038/s41591-019-0001-1",
	  "Nat Med", "2020-01", "26", "1", "12-20", "10.1038/s41591-019-0001-1" },
	{ "Proc. Natl. Acad. Sci. U.S.A. 2018 Dec 4;115(49):12345-12350.",
	  "Proc. Natl. Acad. Sci. U.S.A", "2018-12-04", "115", "49", "12345-12350", NULL },
	{ "J Clin Med. 2021 Spring. https://doi.org/10.3390/jcm10010001",
	  "J Clin Med", "2021", NULL, NULL, NULL, "10.3390/jcm10010001" },
	{ "Respir Med. 2023 Nov;218:107402. doi: 10.1016/j.rmed.2023.107402. Epub 2023 Sep 14.",
	  "Respir Med", "2023-11", "218", NULL, "107402", "10.1016/j.rmed.2023.107402" },
	{ "Skin Health Dis. 2023 Aug 9:e210. doi: 10.1002/ski2.210.",
	  "Skin Health Dis", "2023-08-09", NULL, NULL, "e210", "10.1002/ski2.210" },
};

static void test_text_citations(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cite_cases) / sizeof(cite_cases[0]); i++) {
		const cite_case *cc = &cite_cases[i];
		const char *want[] = { cc->journal, cc->date, cc->volume, cc->issue, cc->pages, cc->doi };
		const char *keys[] = { "journal", "date", "volume", "issue", "pages", "doi" };
		aq_record *rec = NULL;
		char buf[1024];
		int n;

		n = snprintf(buf, sizeof(buf), "Novak Petra, Silva Bruno\n%s\n"
			"Regular tooth brushing halved gum bleeding within a month.\n"
			"规律刷牙使牙龈出血在一个月内减少了一半。\n", cc->citation);
		assert_int_equal(aq_record_parse_text(&rec, ctx, "c.txt", 1, buf, (size_t)n), 0);
		assert_string_equal(aq_record_meta(rec, "citation"), cc->citation);
		assert_string_equal(aq_record_meta(rec, "authors"), "Novak Petra, Silva Bruno");
		for (size_t k = 0; k < 6; k++) {
			const char *got = aq_record_meta(rec, keys[k]);

			if (!want[k]) {
				if (got)
					print_message("%s: unexpected %s '%s'\n", cc->citation, keys[k], got);
				assert_null(got);
			} else {
				if (!got || strcmp(got, want[k]))
					print_message("%s: %s '%s'\n", cc->citation, keys[k], got ? got : "(null)");
				assert_non_null(got);
				assert_string_equal(got, want[k]);
			}
		}
		assert_int_equal(rec->en_line, 3);
		aq_record_free(rec);
	}
}

/* Several hundred lines of a record do not slow anything down, and a
 * record of 2^20 + 1 lines is refused before any work. */
static void test_text_many_lines(void **state)
{
	aq_record *rec = NULL;
	size_t n = (1u << 20) + 1;
	char *data = malloc(n + 200);
	int rc;

	(void)state;
	assert_non_null(data);
	memset(data, '\n', n);
	strcpy(data + n, "Enough English words make one sentence here.\n中文摘要在这里结束。\n");
	rc = aq_record_parse_text(&rec, ctx, "big.txt", 1, data, strlen(data + n) + n);
	assert_int_equal(rc, AQ_EINPUT);
	assert_string_equal(aq_ctx_errmsg(ctx), "big.txt:1: record has more than 1048576 lines");
	rc = aq_record_parse_text(&rec, ctx, "big.txt", 1, data + n - 500, strlen(data + n) + 500);
	assert_int_equal(rc, 0);
	assert_int_equal(rec->en_line, 501);
	aq_record_free(rec);
	free(data);
}

/* ------------------------------------------------------------------ */
/* JSON Lines records */

typedef struct json_case {
	const char *label;
	const char *line;
	int rc;
	const char *err;     /* exact message when rc != 0 */
	const char *id, *en, *zh;
	uint32_t en_col, zh_col;
} json_case;

#define JSON_OK(lbl, text, i, e, z, ec, zc) \
	{ .label = lbl, .line = text, .id = i, .en = e, .zh = z, .en_col = ec, .zh_col = zc }
#define JSON_ERR(lbl, text, msg) { .label = lbl, .line = text, .rc = AQ_EINPUT, .err = msg }

static const json_case json_cases[] = {
	JSON_OK("string id", "{\"id\": \"r1\", \"en\": \"Salt intake fell.\", \"zh\": \"盐摄入量下降。\"}",
		"r1", "Salt intake fell.", "盐摄入量下降。", 20, 47),
	JSON_OK("integer id", "{\"id\": 42, \"zh\": \"心率下降。\", \"en\": \"Heart rate fell.\"}",
		"42", "Heart rate fell.", "心率下降。", 43, 18),
	JSON_OK("negative id", "{\"id\":-7,\"en\":\"A.\",\"zh\":\"甲。\"}", "-7", "A.", "甲。", 15, 25),
	JSON_OK("missing id", "{\"en\": \"Escapes \\\"work\\\"\\n.\", \"zh\": \"转义\\u4e2d。\"}",
		"batch:7", "Escapes \"work\"\n.", "转义中。", 8, 37),
	JSON_OK("null id", "{\"id\": null, \"en\": \"B.\", \"zh\": \"乙。\"}", "batch:7", "B.", "乙。", 20, 32),
	JSON_OK("escaped key: column unknown", "{\"\\u0065n\": \"C.\", \"zh\": \"丙。\"}", "batch:7",
		"C.", "丙。", 1, 25),
	JSON_OK("BOM", "\xEF\xBB\xBF{\"id\": \"b\", \"en\": \"D.\", \"zh\": \"丁。\"}", "b", "D.", "丁。",
		22, 34),
	JSON_OK("CRLF", "{\"id\": \"c\", \"en\": \"E.\", \"zh\": \"戊。\"}\r\n", "c", "E.", "戊。", 19, 31),
	JSON_ERR("truncated", "{\"id\": \"t\", \"en\": \"Cut sho",
		"batch.jsonl:7: invalid JSON: premature end of input near '\"Cut sho' (column 26)"),
	JSON_ERR("garbage after object", "{\"en\": \"F.\", \"zh\": \"己。\"} x",
		"batch.jsonl:7: invalid JSON: end of file expected near 'x' (column 30)"),
	JSON_ERR("duplicate key", "{\"en\": \"G.\", \"en\": \"H.\", \"zh\": \"庚。\"}",
		"batch.jsonl:7: invalid JSON: duplicate object key near '\"en\"' (column 17)"),
	JSON_ERR("array", "[\"en\", \"zh\"]", "batch.jsonl:7: not a JSON object (got an array)"),
	JSON_ERR("string", "\"just text\"", "batch.jsonl:7: not a JSON object (got a string)"),
	JSON_ERR("missing zh", "{\"id\": \"m\", \"en\": \"Only English.\"}",
		"batch.jsonl:7: record m: missing \"zh\""),
	JSON_ERR("missing en", "{\"id\": 9, \"zh\": \"只有中文。\"}",
		"batch.jsonl:7: record 9: missing \"en\""),
	JSON_ERR("empty en", "{\"id\": \"e\", \"en\": \"\", \"zh\": \"辛。\"}",
		"batch.jsonl:7: record e: \"en\" is empty"),
	JSON_ERR("blank zh", "{\"id\": \"e\", \"en\": \"I.\", \"zh\": \" \\u3000\\n\"}",
		"batch.jsonl:7: record e: \"zh\" is empty"),
	JSON_ERR("zh not a string", "{\"id\": \"n\", \"en\": \"J.\", \"zh\": [\"壬\"]}",
		"batch.jsonl:7: record n: \"zh\" is not a string"),
	JSON_ERR("id is a real", "{\"id\": 1.5, \"en\": \"K.\", \"zh\": \"癸。\"}",
		"batch.jsonl:7: \"id\" must be a string or an integer, not a number"),
	JSON_ERR("NUL escape in en", "{\"id\": \"z\", \"en\": \"L\\u0000M.\", \"zh\": \"子。\"}",
		"batch.jsonl:7: record z: \"en\" contains a NUL character"),
	JSON_ERR("NUL escape in metadata",
		"{\"id\": \"z\", \"en\": \"N.\", \"zh\": \"丑。\", \"t\": \"a\\u0000\"}",
		"batch.jsonl:7: record z: \"t\" contains a NUL character"),
	JSON_ERR("invalid UTF-8", "{\"id\": \"u\", \"en\": \"O\xFFP.\", \"zh\": \"寅。\"}",
		"batch.jsonl:7:21: invalid UTF-8 (byte offset 20)"),
	JSON_ERR("empty line", "", "batch.jsonl:7: invalid JSON: empty line"),
	JSON_ERR("blank line", " \t\r\n", "batch.jsonl:7: invalid JSON: empty line"),
};

static void test_json_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(json_cases) / sizeof(json_cases[0]); i++) {
		const json_case *jc = &json_cases[i];
		aq_record *rec = NULL;
		int rc;

		rc = aq_record_parse_json(&rec, ctx, "batch.jsonl", 7, jc->line, strlen(jc->line));
		if (rc != jc->rc || (rc && strcmp(aq_ctx_errmsg(ctx), jc->err)))
			print_message("case '%s': rc %d, message '%s'\n", jc->label, rc,
				aq_ctx_errmsg(ctx));
		assert_int_equal(rc, jc->rc);
		if (rc) {
			assert_null(rec);
			assert_string_equal(aq_ctx_errmsg(ctx), jc->err);
			continue;
		}
		if (rec->en_col != jc->en_col || rec->zh_col != jc->zh_col)
			print_message("case '%s': columns %u %u\n", jc->label, rec->en_col, rec->zh_col);
		assert_string_equal(rec->id, jc->id);
		assert_string_equal(rec->en, jc->en);
		assert_string_equal(rec->zh, jc->zh);
		assert_int_equal(rec->en_len, strlen(jc->en));
		assert_int_equal(rec->zh_len, strlen(jc->zh));
		assert_int_equal(rec->line, 7);
		assert_int_equal(rec->en_line, 7);
		assert_int_equal(rec->zh_line, 7);
		assert_int_equal(rec->en_col, jc->en_col);
		assert_int_equal(rec->zh_col, jc->zh_col);
		assert_false(rec->en_verbatim);
		assert_false(rec->zh_verbatim);
		aq_record_free(rec);
	}
}

/* Fields other than id/en/zh become metadata, in input order. */
static void test_json_meta(void **state)
{
	static const char line[] =
		"{\"title\": \"Salt and blood pressure\", \"id\": \"s1\", \"year\": 2021, "
		"\"score\": 0.1, \"big\": 1e300, \"open\": true, \"retracted\": false, \"note\": null, "
		"\"en\": \"Less salt, lower pressure.\", \"keywords\": [\"salt\", \"血压\"], "
		"\"extra\": {\"n\": 40, \"site\": \"Graz\"}, \"zh\": \"少盐，血压更低。\"}";
	static const char *const want[][2] = {
		{ "title", "Salt and blood pressure" }, { "year", "2021" }, { "score", "0.1" },
		{ "big", "1e+300" }, { "open", "true" }, { "retracted", "false" },
		{ "keywords", "[\"salt\",\"血压\"]" }, { "extra", "{\"n\":40,\"site\":\"Graz\"}" },
	};
	aq_record *rec = NULL;

	(void)state;
	assert_int_equal(aq_record_parse_json(&rec, ctx, "dir/m.jsonl", 3, line, strlen(line)), 0);
	assert_int_equal(rec->n_meta, sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < rec->n_meta; i++) {
		assert_string_equal(rec->meta[i].key, want[i][0]);
		assert_string_equal(rec->meta[i].value, want[i][1]);
	}
	assert_null(aq_record_meta(rec, "note"));
	assert_null(aq_record_meta(rec, "en"));
	assert_string_equal(rec->source, "dir/m.jsonl");
	aq_record_free(rec);
}

/* ------------------------------------------------------------------ */
/* Helpers */

static void test_record_meta_growth(void **state)
{
	aq_record *rec = NULL;
	char key[16], value[16];

	(void)state;
	assert_int_equal(aq_record_new(&rec), 0);
	assert_null(aq_record_meta(rec, "k0"));
	for (int i = 0; i < 37; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		snprintf(value, sizeof(value), "v%d-extra", i);
		/* value_len cuts the value: "v<i>" only. */
		assert_int_equal(aq_record_add_meta(rec, key, value, strchr(value, '-') - value), 0);
	}
	assert_int_equal(rec->n_meta, 37);
	for (int i = 0; i < 37; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		snprintf(value, sizeof(value), "v%d", i);
		assert_string_equal(aq_record_meta(rec, key), value);
	}
	/* The first of two fields with one name wins. */
	assert_int_equal(aq_record_add_meta(rec, "k3", "again", 5), 0);
	assert_string_equal(aq_record_meta(rec, "k3"), "v3");
	assert_int_equal(aq_record_add_meta(rec, "empty", "", 0), 0);
	assert_string_equal(aq_record_meta(rec, "empty"), "");
	aq_record_free(rec);
	aq_record_free(NULL);
}

typedef struct share_case {
	const char *s;
	double share;
} share_case;

static const share_case share_cases[] = {
	{ "", 0.0 },
	{ "123 ... !!", 0.0 },
	{ "abcd", 0.0 },
	{ "骨关节炎", 1.0 },
	{ "骨关节炎OA", 4.0 / 6.0 },
	{ "MSCs干细胞", 3.0 / 7.0 },
	{ "café 咖啡", 2.0 / 6.0 },
	{ "\xFF\xFE中", 1.0 },
};

static void test_han_share(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(share_cases) / sizeof(share_cases[0]); i++) {
		double got = aq_han_share(share_cases[i].s, strlen(share_cases[i].s));

		assert_true(got > share_cases[i].share - 1e-9 && got < share_cases[i].share + 1e-9);
	}
}

/* The fast path for flat objects builds what jansson builds, and gives
 * way to it (same verdict, same message) for everything else. */
static void test_json_fast_path_agrees(void **state)
{
	static const char *const lines[] = {
		"{\"id\": \"r1\", \"en\": \"Pain fell.\", \"zh\": \"疼痛减轻。\"}",
		"{\"en\":\"A \\\"quoted\\\" word\\\\ and \\/ slash\\n\",\"zh\":\"引号\\t制表\",\"doi\":\"10.1/x\"}",
		"\xEF\xBB\xBF{\"id\": 42, \"en\": \"x y\", \"zh\": \"文本\", \"year\": 2024, \"ok\": true, \"n\": null}",
		"{\"id\": -7, \"en\": \"\\u00e9t\\u00E9 \\ud83d\\ude00\", \"zh\": \"\\u4e2d\\u6587\"}",
		"{\"id\": 0, \"en\": \"e\", \"zh\": \"中\", \"flag\": false}   ",
		"{\"id\": \"\", \"en\": \"e\", \"zh\": \"中\"}",
		"{\"id\": null, \"en\": \"e\", \"zh\": \"中\"}",
		"{\"id\": true, \"en\": \"e\", \"zh\": \"中\"}",
		"{\"id\": 1.5, \"en\": \"e\", \"zh\": \"中\"}",
		"{\"id\": 12345678901234567890, \"en\": \"e\", \"zh\": \"中\"}",
		"{\"id\": \"a\", \"en\": \"e\", \"zh\": \"中\", \"id\": \"b\"}",
		"{\"id\": \"a\", \"en\": \"e\", \"zh\": \"中\", \"meta\": {\"x\": 1}}",
		"{\"id\": \"a\", \"en\": \"e\", \"zh\": \"中\", \"tags\": [1, 2]}",
		"{\"id\": \"a\", \"en\": \"   \", \"zh\": \"中\"}",
		"{\"id\": \"a\", \"en\": \"e\"}",
		"{\"id\": \"a\", \"en\": 5, \"zh\": \"中\"}",
		"{\"id\": \"a\", \"en\": \"e\\u0000f\", \"zh\": \"中\"}",
		"{\"id\": \"a\", \"en\": \"bad \\x escape\", \"zh\": \"中\"}",
		"{\"id\": \"a\", \"en\": \"lone \\ud800 surrogate\", \"zh\": \"中\"}",
		"{\"id\": \"a\", \"en\": \"e\", \"zh\": \"中\",}",
		"{\"id\": \"a\", \"en\": \"e\", \"zh\": \"中\"} trailing",
		"{\"id\": \"a\", \"en\": \"raw\ttab\", \"zh\": \"中\"}",
		"{\"k\\u0041\": 1, \"en\": \"e\", \"zh\": \"中\"}",
		"{\"id\": \"a\", \"en\": \"e\", \"zh\": \"中\", \"v\": 1e5}",
		"{\"id\": \"a\", \"en\": \"e\", \"zh\": \"中\", \"v\": -0}",
		"{\"id\": \"a\", \"en\": \"e\", \"zh\": \"中\", \"v\": 007}",
		"{}",
		"[1, 2]",
		"\"just a string\"",
		"{\"id\": \"a\" \"en\": \"e\"}",
		"{\"id\": \"a\", \"en\": \"e\", \"zh\": \"中",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		aq_ctx *c1 = NULL, *c2 = NULL;
		aq_record *a = NULL, *b = NULL;
		int r1, r2;

		assert_int_equal(aq_ctx_new(&c1), 0);
		assert_int_equal(aq_ctx_new(&c2), 0);
		r1 = aq_record_parse_json(&a, c1, "t.jsonl", 3, lines[i], strlen(lines[i]));
		r2 = aq_record_parse_json_jansson(&b, c2, "t.jsonl", 3, lines[i], strlen(lines[i]));
		if (r1 != r2)
			fail_msg("line %zu: fast %d, jansson %d", i, r1, r2);
		if (r1) {
			assert_string_equal(aq_ctx_errmsg(c1), aq_ctx_errmsg(c2));
		} else {
			assert_string_equal(a->id, b->id);
			assert_string_equal(a->source, b->source);
			assert_int_equal(a->en_len, b->en_len);
			assert_memory_equal(a->en, b->en, a->en_len);
			assert_int_equal(a->zh_len, b->zh_len);
			assert_memory_equal(a->zh, b->zh, a->zh_len);
			assert_int_equal(a->n_meta, b->n_meta);
			for (size_t k = 0; k < a->n_meta; k++) {
				assert_string_equal(a->meta[k].key, b->meta[k].key);
				assert_string_equal(a->meta[k].value, b->meta[k].value);
			}
			assert_int_equal(a->line, b->line);
			assert_int_equal(a->en_line, b->en_line);
			assert_int_equal(a->en_col, b->en_col);
			assert_int_equal(a->zh_col, b->zh_col);
		}
		aq_record_free(a);
		aq_record_free(b);
		aq_ctx_free(c1);
		aq_ctx_free(c2);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_cases),
		cmocka_unit_test(test_text_meta),
		cmocka_unit_test(test_text_citations),
		cmocka_unit_test(test_text_many_lines),
		cmocka_unit_test(test_json_cases),
		cmocka_unit_test(test_json_meta),
		cmocka_unit_test(test_record_meta_growth),
		cmocka_unit_test(test_han_share),
		cmocka_unit_test(test_json_fast_path_agrees),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
