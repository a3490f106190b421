/*
 * test_encoding.c - unit tests of encoding.c and of how input.c uses it:
 * detection (byte order marks, UTF-8, ICU's detector, the confidence
 * floor), strict conversion with the offset of the first bad byte, and
 * whole records read from GB18030, Big5 and UTF-16 files.  Fixtures are
 * made here from UTF-8 strings with ICU (ucnv_convert), never checked in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <unicode/ucnv.h>

#include "alignqa.h"

#ifndef AQ_TEST_SOURCE_DIR
#define AQ_TEST_SOURCE_DIR "tests"
#endif
#define SAMPLE AQ_TEST_SOURCE_DIR "/../samples/text/01-clean-review.txt"

/* A record in the text shape, in traditional characters (Big5 has no
 * simplified ones). */
static const char trad_record[] =
	"Chronic kidney disease affects roughly one in ten adults worldwide. It is strongly "
	"associated with cardiovascular disease and premature death. Blockade of the renin "
	"system was the only strategy shown to slow the loss of kidney function.\n"
	"慢性腎臟病影響著全球約十分之一的成年人，並與心血管疾病和過早死亡密切相關。"
	"數十年來，阻斷腎素系統一直是唯一被證實能夠延緩腎功能喪失的藥物治療策略。"
	"然而，其在晚期患者、腎移植受者和兒童中的應用仍存在不確定性。\n";

static aq_ctx *ctx = NULL;
static char tmp_dir[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/aq-enc-XXXXXX", P_tmpdir);
	if (!mkdtemp(tmp_dir))
		return -1;
	return aq_ctx_new(&ctx);
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	aq_ctx_free(ctx);
	ctx = NULL;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Converts UTF-8 s to encoding with ICU; with_bom prepends U+FEFF first.
 * The caller frees the result. */
static char *make_bytes(size_t *len, const char *encoding, const char *s, bool with_bom)
{
	size_t n = strlen(s) + 3;
	char *src = malloc(n + 1), *dst = NULL;
	int32_t cap = (int32_t)(n * 4 + 16), got;
	UErrorCode err = U_ZERO_ERROR;

	assert_non_null(src);
	snprintf(src, n + 1, "%s%s", with_bom ? "\xEF\xBB\xBF" : "", s);
	dst = malloc((size_t)cap);
	assert_non_null(dst);
	got = ucnv_convert(encoding, "UTF-8", dst, cap, src, -1, &err);
	assert_false(U_FAILURE(err));
	free(src);
	*len = (size_t)got;
	return dst;
}

static char *read_file(size_t *len, const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	long n;

	assert_non_null(fp);
	assert_int_equal(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	*len = (size_t)n;
	return buf;
}

static const char *write_tmp(const char *name, const char *data, size_t len)
{
	static char path[PATH_MAX + 64];
	FILE *fp = NULL;

	snprintf(path, sizeof(path), "%s/%s", tmp_dir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	return path;
}

/* Reads the one record of path (asserting there is exactly one). */
static aq_record *read_one(const char *path, const char *encoding)
{
	const char *paths[] = { path };
	aq_input_opts opts = { AQ_INPUT_AUTO, 0, encoding };
	aq_input *in = NULL;
	aq_record *rec = NULL, *extra = NULL;
	int rc;

	assert_int_equal(aq_input_new(&in, ctx, paths, 1, &opts), 0);
	rc = aq_input_next(in, &rec);
	if (rc)
		fail_msg("%s: %d %s", path, rc, aq_ctx_errmsg(ctx));
	assert_int_equal(aq_input_next(in, &extra), AQ_ITEROVER);
	aq_input_free(in);
	return rec;
}

/* ------------------------------------------------------------------ */

static void test_detect(void **state)
{
	static const struct {
		const char *to;   /* encoding to make the bytes in */
		bool bom;
		bool trad;        /* the traditional record, else the sample */
		const char *want; /* detected name */
	} cases[] = {
		{ "UTF-8", false, false, "UTF-8" },
		{ "UTF-8", true, false, "UTF-8" },
		{ "UTF-16LE", true, false, "UTF-16LE" },
		{ "UTF-16BE", true, false, "UTF-16BE" },
		{ "GB18030", false, false, "GB18030" },
		{ "GBK", false, false, "GB18030" },
		{ "Big5", false, true, "Big5" },
	};
	size_t sample_len;
	char *sample = read_file(&sample_len, SAMPLE);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char name[16];
		int conf = -1;
		size_t len;
		char *b = make_bytes(&len, cases[i].to, cases[i].trad ? trad_record : sample,
			cases[i].bom);
		int rc = aq_encoding_detect(name, sizeof(name), &conf, ctx, b, len);

		if (rc)
			fail_msg("case %zu (%s): %s", i, cases[i].to, aq_ctx_errmsg(ctx));
		assert_string_equal(name, cases[i].want);
		assert_true(conf >= 30);
		free(b);
	}
	free(sample);
}

static void test_detect_unsure(void **state)
{
	/* Bytes no candidate explains well: below the floor, an input error
	 * naming the best guess. */
	static const char junk[] = "abc \x80\x81\xFF\xFE\x01 def \xC0";
	char name[16], tiny[2];
	int conf = -1;

	(void)state;
	assert_int_equal(aq_encoding_detect(name, sizeof(name), &conf, ctx, junk, sizeof(junk) - 1),
		AQ_EINPUT);
	assert_non_null(strstr(aq_ctx_errmsg(ctx), "could not tell the encoding (best guess"));
	assert_true(conf < 30);
	/* Plain ASCII needs no detector; a name buffer too small is a misuse. */
	assert_int_equal(aq_encoding_detect(name, sizeof(name), NULL, ctx, "abc", 3), 0);
	assert_string_equal(name, "UTF-8");
	assert_int_equal(aq_encoding_detect(tiny, sizeof(tiny), NULL, ctx, "abc", 3), AQ_EINVAL);
}

/* UTF-8 with a stray bad byte or NUL stays UTF-8: GB18030 would read its
 * bytes without an error, into nonsense. */
static void test_detect_damaged_utf8(void **state)
{
	char buf[1024], name[16];
	size_t n = strlen(trad_record);
	int conf = -1;

	(void)state;
	memcpy(buf, trad_record, n);
	buf[n - 2] = '\xFF';
	assert_int_equal(aq_encoding_detect(name, sizeof(name), &conf, ctx, buf, n), 0);
	assert_string_equal(name, "UTF-8");
	assert_int_equal(conf, 50);
	buf[n - 2] = trad_record[n - 2];
	buf[10] = '\0'; /* in the English abstract */
	assert_int_equal(aq_encoding_detect(name, sizeof(name), &conf, ctx, buf, n), 0);
	assert_string_equal(name, "UTF-8");
	assert_int_equal(conf, 100);
}

/* A tiny file, UTF-8 but for a bad byte or two, is still UTF-8: too short
 * for the 10-to-1 rule or ICU's detector, it used to be refused whole
 * ("could not tell the encoding").  A tiny GB18030 or Big5 text, whole or
 * with a bad byte, is not taken for UTF-8. */
static void test_detect_short_damaged_utf8(void **state)
{
	static const struct {
		const char *bytes;
		bool utf8;  /* must be detected as UTF-8 */
	} cases[] = {
		{ "{\"id\":\"one\",\"en\":\"The patients were treated.\","
		  "\"zh\":\"\xE6\x82\xA3\xE8\x80\x85\xE6\x8E\xA5\xE5\x8F\x97\xE4\xBA\x86"
		  "\xFF\xE6\xB2\xBB\xE7\x96\x97\xE3\x80\x82\"}\n", true },
		/* tests/robustness: two records, three bad bytes, a cut character */
		{ "{\"id\":\"bad\",\"en\":\"The \xFF\xFE patients.\",\"zh\":\"\xE6\x82\xA3"
		  "\xE8\x80\x85\xE6\x82\xE3\x80\x82\"}\n{\"id\":\"after\",\"en\":\"It worked.\","
		  "\"zh\":\"\xE6\x9C\x89\xE6\x95\x88\xE3\x80\x82\"}\n", true },
		/* one valid character is no evidence */
		{ "The \xFF patients \xE6\x82\xA3.\n", false },
		/* more bad bytes than characters */
		{ "\xE6\x82\xA3\xE8\x80\x85 \xFF\xFE\xFD\x80\n", false },
	};
	static const char zh[] = "患者接受了治疗。The patients were treated.\n";
	static const char *const others[] = { "GB18030", "Big5" };
	char name[16], buf[256];
	int conf = -1;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = aq_encoding_detect(name, sizeof(name), &conf, ctx, cases[i].bytes,
			strlen(cases[i].bytes));

		if (cases[i].utf8) {
			if (rc)
				fail_msg("case %zu: %s", i, aq_ctx_errmsg(ctx));
			assert_string_equal(name, "UTF-8");
			assert_int_equal(conf, 30);
		} else {
			assert_true(rc != 0 || strcmp(name, "UTF-8"));
		}
	}
	for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
		size_t len;
		char *b = make_bytes(&len, others[i], i ? "病患接受了治療。The patients.\n" : zh,
			false);

		for (int damaged = 0; damaged < 2; damaged++) {
			assert_true(len + 1 < sizeof(buf));
			memcpy(buf, b, len);
			if (damaged)
				buf[4] = '\xFF'; /* the trail byte of the third character */
			if (aq_encoding_detect(name, sizeof(name), &conf, ctx, buf, len) == 0)
				assert_string_not_equal(name, "UTF-8");
		}
		free(b);
	}
}

/* The tiny damaged file end to end: its bad record is an "invalid UTF-8"
 * error naming the file and line, and the next record is read. */
static void test_input_short_damaged_utf8(void **state)
{
	static const char bytes[] =
		"{\"id\":\"bad\",\"en\":\"The \xFF\xFE patients.\",\"zh\":\"\xE6\x82\xA3"
		"\xE8\x80\x85\xE6\x82\xE3\x80\x82\"}\n{\"id\":\"after\",\"en\":\"It worked.\","
		"\"zh\":\"\xE6\x9C\x89\xE6\x95\x88\xE3\x80\x82\"}\n";
	const char *paths[1];
	aq_input *in = NULL;
	aq_record *rec = NULL;

	(void)state;
	paths[0] = write_tmp("tiny-bad.jsonl", bytes, sizeof(bytes) - 1);
	assert_int_equal(aq_input_new(&in, ctx, paths, 1, NULL), 0);
	assert_int_equal(aq_input_next(in, &rec), AQ_EINPUT);
	assert_non_null(strstr(aq_ctx_errmsg(ctx), "tiny-bad.jsonl:1"));
	assert_non_null(strstr(aq_ctx_errmsg(ctx), "invalid UTF-8"));
	assert_null(strstr(aq_ctx_errmsg(ctx), "encoding"));
	assert_int_equal(aq_input_next(in, &rec), 0);
	assert_string_equal(rec->id, "after");
	aq_record_free(rec);
	assert_int_equal(aq_input_next(in, &rec), AQ_ITEROVER);
	aq_input_free(in);
}

static void test_convert(void **state)
{
	static const char *const encodings[] = { "GB18030", "UTF-16LE", "UTF-16BE", "Big5" };
	char *out = NULL;
	size_t out_len = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(encodings) / sizeof(encodings[0]); i++) {
		size_t len;
		char *b = make_bytes(&len, encodings[i], trad_record, true);

		assert_int_equal(aq_encoding_to_utf8(&out, &out_len, ctx, encodings[i], b, len), 0);
		/* The byte order mark is dropped. */
		assert_int_equal(out_len, strlen(trad_record));
		assert_string_equal(out, trad_record);
		free(out);
		free(b);
	}
	assert_int_equal(aq_encoding_to_utf8(&out, &out_len, ctx, "no-such-charset", "a", 1),
		AQ_EINVAL);
	assert_null(out);
}

static void test_convert_invalid(void **state)
{
	static const struct {
		const char *encoding;
		const char *bytes;
		size_t len;
		const char *want; /* message */
	} cases[] = {
		/* 0x80 is not a GB18030 lead byte */
		{ "GB18030", "ab\xC4\xE3\x80xyz", 7,
		  "invalid GB18030 byte sequence at byte offset 4" },
		/* a lead byte with nothing after it */
		{ "GB18030", "ab\xC4", 3, "truncated GB18030 byte sequence at byte offset 2" },
		/* 0x20 is no Big5 trail byte */
		{ "Big5", "a\xA4\xA4\xA4\x20", 5, "invalid Big5 byte sequence at byte offset 3" },
		/* an odd number of bytes */
		{ "UTF-16LE", "a\0b\0c", 5, "truncated UTF-16LE byte sequence at byte offset 4" },
		/* an unpaired low surrogate (DC00) */
		{ "UTF-16LE", "a\0\x00\xDC" "b\0", 6, "invalid UTF-16LE byte sequence at byte offset 2" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *out = (char *)1;
		size_t out_len = 1;
		int rc = aq_encoding_to_utf8(&out, &out_len, ctx, cases[i].encoding, cases[i].bytes,
			cases[i].len);

		if (rc != AQ_EINPUT)
			fail_msg("case %zu: rc %d", i, rc);
		assert_null(out);
		assert_int_equal(out_len, 0);
		assert_string_equal(aq_ctx_errmsg(ctx), cases[i].want);
	}
}

/* Every converted file gives the same record as the UTF-8 original, plus
 * the "encoding" metadata field. */
static void test_input_records(void **state)
{
	static const struct {
		const char *to;
		bool bom;
		bool trad;
		const char *want; /* the "encoding" metadata, NULL: none */
	} cases[] = {
		{ "UTF-8", false, false, NULL },
		{ "UTF-8", true, false, NULL },
		{ "GB18030", false, false, "GB18030" },
		{ "UTF-16LE", true, false, "UTF-16LE" },
		{ "UTF-16BE", true, false, "UTF-16BE" },
		{ "Big5", false, true, "Big5" },
		{ "UTF-16LE", true, true, "UTF-16LE" },
	};
	size_t sample_len;
	char *sample = read_file(&sample_len, SAMPLE);
	aq_record *want_sample = read_one(SAMPLE, NULL);
	aq_record *want_trad = read_one(write_tmp("trad.txt", trad_record, strlen(trad_record)),
		NULL);

	(void)state;
	assert_null(aq_record_meta(want_sample, "encoding"));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const aq_record *want = cases[i].trad ? want_trad : want_sample;
		size_t len;
		char *b = make_bytes(&len, cases[i].to, cases[i].trad ? trad_record : sample,
			cases[i].bom);
		aq_record *rec = read_one(write_tmp("rec.txt", b, len), NULL);
		const char *enc = aq_record_meta(rec, "encoding");

		assert_int_equal(rec->en_len, want->en_len);
		assert_memory_equal(rec->en, want->en, want->en_len);
		assert_int_equal(rec->zh_len, want->zh_len);
		assert_memory_equal(rec->zh, want->zh, want->zh_len);
		if (cases[i].want) {
			assert_non_null(enc);
			assert_string_equal(enc, cases[i].want);
		} else {
			assert_null(enc);
		}
		aq_record_free(rec);
		free(b);
	}
	aq_record_free(want_sample);
	aq_record_free(want_trad);
	free(sample);
}

/* JSON Lines in UTF-16 with a byte order mark: two records. */
static void test_input_jsonl_utf16(void **state)
{
	static const char jsonl[] =
		"{\"id\":\"a\",\"en\":\"The rate was 30%.\",\"zh\":\"比率为30%。\"}\n"
		"{\"id\":\"b\",\"en\":\"It rose.\",\"zh\":\"它上升了。\"}\n";
	const char *paths[1];
	aq_input *in = NULL;
	aq_record *rec = NULL;
	size_t len;
	char *b = make_bytes(&len, "UTF-16BE", jsonl, true);

	(void)state;
	paths[0] = write_tmp("r.jsonl", b, len);
	assert_int_equal(aq_input_new(&in, ctx, paths, 1, NULL), 0);
	assert_int_equal(aq_input_next(in, &rec), 0);
	assert_string_equal(rec->id, "a");
	assert_string_equal(rec->zh, "比率为30%。");
	assert_string_equal(aq_record_meta(rec, "encoding"), "UTF-16BE");
	assert_int_equal(rec->line, 1);
	aq_record_free(rec);
	assert_int_equal(aq_input_next(in, &rec), 0);
	assert_string_equal(rec->id, "b");
	assert_string_equal(rec->en, "It rose.");
	assert_int_equal(rec->line, 2);
	aq_record_free(rec);
	assert_int_equal(aq_input_next(in, &rec), AQ_ITEROVER);
	aq_input_free(in);
	free(b);
}

/* A bad GB18030 file is one input error naming file and offset; the next
 * file is still read.  An override decides for every file. */
static void test_input_errors_and_override(void **state)
{
	char bad_path[PATH_MAX], good_path[PATH_MAX];
	const char *paths[2] = { bad_path, good_path };
	aq_input *in = NULL;
	aq_record *rec = NULL;
	aq_input_opts opts = { AQ_INPUT_AUTO, 0, NULL };
	size_t len;
	char *b = make_bytes(&len, "GB18030", trad_record, false);
	char *bad = malloc(len + 2), want[PATH_MAX + 64];

	(void)state;
	assert_non_null(bad);
	/* 0xFF, no lead byte, for the lead byte of the final "。" */
	memcpy(bad, b, len);
	bad[len - 3] = '\xFF';
	snprintf(bad_path, sizeof(bad_path), "%s", write_tmp("bad.txt", bad, len));
	snprintf(good_path, sizeof(good_path), "%s", write_tmp("good.txt", b, len));
	assert_int_equal(aq_input_new(&in, ctx, paths, 2, &opts), 0);
	assert_int_equal(aq_input_next(in, &rec), AQ_EINPUT);
	snprintf(want, sizeof(want), "%s: invalid GB18030 byte sequence at byte offset %zu",
		bad_path, len - 3);
	assert_string_equal(aq_ctx_errmsg(ctx), want);
	assert_int_equal(aq_input_next(in, &rec), 0);
	assert_string_equal(aq_record_meta(rec, "encoding"), "GB18030");
	aq_record_free(rec);
	assert_int_equal(aq_input_next(in, &rec), AQ_ITEROVER);
	assert_int_equal(aq_input_errors(in), 1);
	aq_input_free(in);

	/* GBK named explicitly reads the GB18030 bytes, keeping the name. */
	rec = read_one(good_path, "GBK");
	assert_string_equal(aq_record_meta(rec, "encoding"), "GBK");
	aq_record_free(rec);
	/* "UTF-8" named: no conversion; "auto" is the default. */
	rec = read_one(write_tmp("u.txt", trad_record, strlen(trad_record)), "utf8");
	assert_null(aq_record_meta(rec, "encoding"));
	aq_record_free(rec);
	rec = read_one(write_tmp("u.txt", trad_record, strlen(trad_record)), "auto");
	assert_null(aq_record_meta(rec, "encoding"));
	aq_record_free(rec);
	/* An unknown name is a usage error of aq_input_new. */
	opts.encoding = "klingon-8";
	assert_int_equal(aq_input_new(&in, ctx, paths, 1, &opts), AQ_EINVAL);
	assert_null(in);
	free(bad);
	free(b);
}

/* A damaged UTF-8 file is still read as UTF-8: the bad byte is an
 * "invalid UTF-8" error of its record, with file, line and column. */
static void test_input_damaged_utf8(void **state)
{
	char buf[1024];
	size_t n = strlen(trad_record);
	const char *paths[1];
	aq_input *in = NULL;
	aq_record *rec = NULL;

	(void)state;
	memcpy(buf, trad_record, n);
	buf[n - 2] = '\xFF';
	paths[0] = write_tmp("damaged.txt", buf, n);
	assert_int_equal(aq_input_new(&in, ctx, paths, 1, NULL), 0);
	assert_int_equal(aq_input_next(in, &rec), AQ_EINPUT);
	assert_non_null(strstr(aq_ctx_errmsg(ctx), "damaged.txt:2:"));
	assert_non_null(strstr(aq_ctx_errmsg(ctx), "invalid UTF-8"));
	assert_int_equal(aq_input_next(in, &rec), AQ_ITEROVER);
	aq_input_free(in);
}

/* A UTF-8 file whose first 64 KiB are ASCII and whose later bytes are
 * invalid stays on the streaming path: an "invalid UTF-8" record error. */
static void test_input_late_invalid(void **state)
{
	size_t n = (size_t)70 << 10, len;
	char *data = malloc(n + strlen(trad_record) + 8);
	aq_input *in = NULL;
	aq_record *rec = NULL;
	const char *paths[1];
	int rc, n_err = 0;

	(void)state;
	assert_non_null(data);
	len = 0;
	while (len + strlen(trad_record) + 4 < n) {
		memcpy(data + len, trad_record, strlen(trad_record));
		len += strlen(trad_record);
		memcpy(data + len, "---\n", 4);
		len += 4;
	}
	memcpy(data + len, "abc \xFF def\n", 10);
	len += 10;
	paths[0] = write_tmp("late.txt", data, len);
	assert_int_equal(aq_input_new(&in, ctx, paths, 1, NULL), 0);
	while ((rc = aq_input_next(in, &rec)) != AQ_ITEROVER) {
		if (rc == AQ_EINPUT) {
			n_err++;
			if (!strstr(aq_ctx_errmsg(ctx), "invalid UTF-8"))
				fail_msg("%s", aq_ctx_errmsg(ctx));
			assert_non_null(strstr(aq_ctx_errmsg(ctx), "invalid UTF-8"));
			continue;
		}
		assert_int_equal(rc, 0);
		assert_null(aq_record_meta(rec, "encoding"));
		aq_record_free(rec);
	}
	assert_int_equal(n_err, 1);
	aq_input_free(in);
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_detect_unsure),
		cmocka_unit_test(test_detect_damaged_utf8),
		cmocka_unit_test(test_detect_short_damaged_utf8),
		cmocka_unit_test(test_convert),
		cmocka_unit_test(test_convert_invalid),
		cmocka_unit_test(test_input_records),
		cmocka_unit_test(test_input_jsonl_utf16),
		cmocka_unit_test(test_input_errors_and_override),
		cmocka_unit_test(test_input_damaged_utf8),
		cmocka_unit_test(test_input_late_invalid),
		cmocka_unit_test(test_input_short_damaged_utf8),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
