/*
 * test_input.c - unit tests of input.c: files, directories (order, hidden
 * entries, extensions, links), standard input, format detection, record
 * splitting and ids, limits, and that every error is reported once and
 * the iteration goes on.  Each case runs an aq_input to the end and
 * compares a transcript of what it returned.  Parsing one record is tested
 * in test_record.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alignqa.h"

#ifndef AQ_TEST_SOURCE_DIR
#define AQ_TEST_SOURCE_DIR "tests"
#endif
#define DATA_DIR AQ_TEST_SOURCE_DIR "/data/records"

static aq_ctx *ctx = NULL;
static char start_dir[PATH_MAX];

static int setup(void **state)
{
	(void)state;
	if (!getcwd(start_dir, sizeof(start_dir)))
		return -1;
	return aq_ctx_new(&ctx);
}

static int teardown(void **state)
{
	(void)state;
	aq_ctx_free(ctx);
	ctx = NULL;
	return chdir(start_dir);
}

/* Runs an input over paths to the end and writes one line per result:
 * "id source line index en_line:en_col zh_line:zh_col" for a record,
 * "! message" for an error, then "errors N".  The caller frees it. */
static char *transcript(const char *const *paths, size_t n, const aq_input_opts *opts)
{
	aq_input *in = NULL;
	aq_record *rec = NULL;
	aq_buf out;
	int rc;

	aq_buf_init(&out);
	assert_int_equal(aq_input_new(&in, ctx, paths, n, opts), 0);
	while ((rc = aq_input_next(in, &rec)) != AQ_ITEROVER) {
		if (rc) {
			assert_int_equal(rc, AQ_EINPUT);
			assert_null(rec);
			aq_buf_printf(&out, "! %s\n", aq_ctx_errmsg(ctx));
			continue;
		}
		assert_non_null(rec);
		assert_int_equal(strlen(rec->en), rec->en_len);
		assert_int_equal(strlen(rec->zh), rec->zh_len);
		aq_buf_printf(&out, "%s %s %u %u %u:%u %u:%u\n", rec->id, rec->source, rec->line,
			rec->index, rec->en_line, rec->en_col, rec->zh_line, rec->zh_col);
		aq_record_free(rec);
		rec = NULL;
	}
	assert_null(rec);
	/* The end is sticky. */
	assert_int_equal(aq_input_next(in, &rec), AQ_ITEROVER);
	aq_buf_printf(&out, "errors %zu\n", aq_input_errors(in));
	aq_input_free(in);
	assert_false(out.oom);
	return out.ptr;
}

static void expect_transcript(const char *const *paths, size_t n, const aq_input_opts *opts,
	const char *want)
{
	char *got = transcript(paths, n, opts);

	assert_string_equal(got, want);
	free(got);
}

/* ------------------------------------------------------------------ */
/* Fixtures in data/records (run from that directory so that paths and
 * messages are relative and stable). */

typedef struct fixture_case {
	const char *label;
	const char *paths[4];
	size_t n;
	const char *want;
} fixture_case;

static const fixture_case fixture_cases[] = {
	{ "one text record", { "basic.txt" }, 1,
	  "basic basic.txt 1 0 5:1 6:1\nerrors 0\n" },
	{ "records split at --- and form feed", { "multi.txt" }, 1,
	  "multi multi.txt 1 0 3:1 4:1\n"
	  "multi#2 multi.txt 6 1 8:1 9:1\n"
	  "multi#3 multi.txt 12 2 14:1 16:1\n"
	  "errors 0\n" },
	{ "JSON Lines: ids, blank line", { "good.jsonl" }, 1,
	  "pmid-100 good.jsonl 1 0 1:64 1:126\n"
	  "4711 good.jsonl 2 1 2:20 2:71\n"
	  "good:4 good.jsonl 4 2 4:57 4:8\n"
	  "errors 0\n" },
	{ "bad JSON lines do not stop the file", { "bad.jsonl" }, 1,
	  "b1 bad.jsonl 1 0 1:20 1:71\n"
	  "! bad.jsonl:2: invalid JSON: unexpected newline (column 49)\n"
	  "! bad.jsonl:3: not a JSON object (got an array)\n"
	  "! bad.jsonl:4: record b4: \"en\" is empty\n"
	  "! bad.jsonl:5: record b5: missing \"zh\"\n"
	  "! bad.jsonl:6: record b6: \"en\" is not a string\n"
	  "b7 bad.jsonl 7 6 7:20 7:69\n"
	  "errors 5\n" },
	{ "directory: strcmp order, hidden and foreign files skipped", { "tree" }, 1,
	  "a10 tree/a/10.jsonl 1 0 1:21 1:77\n"
	  "a2 tree/a/2.jsonl 1 0 1:20 1:67\n"
	  "b tree/b.txt 1 0 3:1 4:1\n"
	  "sub1 tree/sub/c.ndjson 1 0 1:22 1:75\n"
	  "errors 0\n" },
	{ "directory with a trailing slash", { "tree/sub/" }, 1,
	  "sub1 tree/sub/c.ndjson 1 0 1:22 1:75\nerrors 0\n" },
	{ "a file named explicitly is read whatever its name", { "tree/notes.md", "tree/.hidden.jsonl" }, 2,
	  "notes tree/notes.md 1 0 1:23 1:54\n"
	  "hidden tree/.hidden.jsonl 1 0 1:24 1:54\n"
	  "errors 0\n" },
	{ "nonexistent path, then the next one", { "nope.txt", "zh_first.txt", "no/such/dir" }, 3,
	  "! nope.txt: No such file or directory\n"
	  "zh_first zh_first.txt 1 0 5:1 4:1\n"
	  "! no/such/dir: No such file or directory\n"
	  "errors 2\n" },
	{ "unusable text records", { "no_zh.txt", "no_en.txt", "structured.txt" }, 3,
	  "! no_zh.txt:1: no Chinese abstract found\n"
	  "! no_en.txt:1: no English abstract found\n"
	  "structured structured.txt 1 0 5:1 10:1\n"
	  "errors 2\n" },
};

static void test_fixtures(void **state)
{
	(void)state;
	assert_int_equal(chdir(DATA_DIR), 0);
	for (size_t i = 0; i < sizeof(fixture_cases) / sizeof(fixture_cases[0]); i++) {
		const fixture_case *fc = &fixture_cases[i];

		print_message("case: %s\n", fc->label);
		expect_transcript(fc->paths, fc->n, NULL, fc->want);
	}
	assert_int_equal(chdir(start_dir), 0);
}

/* Records carry their abstracts and metadata through the input. */
static void test_record_content(void **state)
{
	const char *paths[] = { DATA_DIR "/basic.txt" };
	aq_input *in = NULL;
	aq_record *rec = NULL;

	(void)state;
	assert_int_equal(aq_input_new(&in, ctx, paths, 1, NULL), 0);
	assert_int_equal(aq_input_next(in, &rec), 0);
	assert_string_equal(rec->source, paths[0]);
	assert_string_equal(aq_record_meta(rec, "doi"), "10.1016/j.bonr.2024.101734");
	assert_true(strncmp(rec->en, "Fragility fractures", 19) == 0);
	assert_true(strncmp(rec->zh, "老年人", 9) == 0);
	aq_record_free(rec);
	assert_int_equal(aq_input_next(in, &rec), AQ_ITEROVER);
	assert_null(rec);
	aq_input_free(in);
	aq_input_free(NULL);
}

static void test_no_paths(void **state)
{
	aq_input_opts bad = { .format = (aq_input_format)7 };
	aq_input *in = NULL;

	(void)state;
	expect_transcript(NULL, 0, NULL, "errors 0\n");
	assert_int_equal(aq_input_new(&in, ctx, NULL, 2, NULL), AQ_EINVAL);
	assert_null(in);
	assert_int_equal(aq_input_new(&in, ctx, NULL, 0, &bad), AQ_EINVAL);
	assert_null(in);
}

/* ------------------------------------------------------------------ */
/* Cases built in a temporary directory */

static char tmp_dir[64];

static void tmp_enter(void)
{
	strcpy(tmp_dir, "/tmp/aq_input_XXXXXX");
	assert_non_null(mkdtemp(tmp_dir));
	assert_int_equal(chdir(tmp_dir), 0);
}

static int tmp_remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Leaves and removes the temporary directory (tests make what they lock
 * readable again first). */
static void tmp_leave(void)
{
	assert_int_equal(chdir(start_dir), 0);
	assert_int_equal(nftw(tmp_dir, tmp_remove_one, 16, FTW_DEPTH | FTW_PHYS), 0);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

static void write_str(const char *path, const char *data)
{
	write_file(path, data, strlen(data));
}

static const char rec_a[] =
	"Lind Sofia, Baptiste Marc\n"
	"Physiotherapy. 2022 Sep 1:5-9.\n"
	"Pelvic floor training reduced urinary leakage in women after childbirth.\n"
	"盆底肌训练减少了产后女性的漏尿。\n";

static const char json_a[] =
	"{\"id\": \"j1\", \"en\": \"Daily naps improved recall.\", \"zh\": \"每日午睡改善了记忆。\"}";

static void test_limits(void **state)
{
	const char *paths[] = { "long.jsonl", "big.txt" };
	aq_input_opts opts = { .format = AQ_INPUT_AUTO, .max_record_bytes = 300 };
	aq_buf b;

	(void)state;
	tmp_enter();
	/* JSONL: a 5000-byte line between two short ones. */
	aq_buf_init(&b);
	aq_buf_printf(&b, "%s\n{\"id\": \"long\", \"en\": \"", json_a);
	for (int i = 0; i < 500; i++)
		aq_buf_puts(&b, "0123456789");
	aq_buf_printf(&b, "\", \"zh\": \"长。\"}\n%s\n", json_a);
	write_file("long.jsonl", b.ptr, b.len);
	/* Text: records of 190, 570 and 190 bytes. */
	aq_buf_clear(&b);
	aq_buf_printf(&b, "%s---\n%s%s---\n%s", rec_a, rec_a, rec_a, rec_a);
	write_file("big.txt", b.ptr, b.len);
	aq_buf_dispose(&b);
	expect_transcript(paths, 2, &opts,
		"j1 long.jsonl 1 0 1:20 1:57\n"
		"! long.jsonl:2: line longer than 300 bytes (the record limit)\n"
		"j1 long.jsonl 3 2 3:20 3:57\n"
		"big big.txt 1 0 3:1 4:1\n"
		"! big.txt:6: record larger than 300 bytes\n"
		"big#3 big.txt 15 2 17:1 18:1\n"
		"errors 2\n");
	tmp_leave();
}

/* A JSON line much longer than one read(2), under the limit. */
static void test_long_line_ok(void **state)
{
	const char *paths[] = { "wide.jsonl" };
	aq_input *in = NULL;
	aq_record *rec = NULL;
	aq_buf b;
	size_t n = 300000;

	(void)state;
	tmp_enter();
	aq_buf_init(&b);
	aq_buf_puts(&b, "\n\n{\"id\": \"wide\", \"zh\": \"很长的一行。\", \"en\": \"");
	for (size_t i = 0; i < n / 10; i++)
		aq_buf_puts(&b, "word word ");
	aq_buf_puts(&b, "\"}");
	write_file("wide.jsonl", b.ptr, b.len);
	aq_buf_dispose(&b);
	assert_int_equal(aq_input_new(&in, ctx, paths, 1, NULL), 0);
	assert_int_equal(aq_input_next(in, &rec), 0);
	assert_string_equal(rec->id, "wide");
	assert_int_equal(rec->line, 3);
	assert_int_equal(rec->en_len, n);
	aq_record_free(rec);
	assert_int_equal(aq_input_next(in, &rec), AQ_ITEROVER);
	aq_input_free(in);
	tmp_leave();
}

/* Bad bytes: file:line:col and the byte offset in the file. */
static void test_bad_bytes(void **state)
{
	const char *paths[] = { "two.txt", "bad.jsonl", "nul.txt" };
	char want[512];
	aq_buf b;
	size_t off;

	(void)state;
	tmp_enter();
	aq_buf_init(&b);
	aq_buf_printf(&b, "%s\f\n", rec_a);
	off = b.len + strlen("Lind Sofia, Baptiste Marc\nPhysiotherapy. 2022 Sep 1:5-9.\nPelvic ");
	aq_buf_printf(&b, "Lind Sofia, Baptiste Marc\nPhysiotherapy. 2022 Sep 1:5-9.\n"
		"Pelvic \xED\xA0\x80 floor training reduced urinary leakage.\n盆底肌训练减少了漏尿。\n");
	write_file("two.txt", b.ptr, b.len);
	aq_buf_clear(&b);
	aq_buf_printf(&b, "%s\n{\"id\": \"x\", \"en\": \"\xC0\xAF\", \"zh\": \"中。\"}\n%s\n", json_a, json_a);
	write_file("bad.jsonl", b.ptr, b.len);
	write_file("nul.txt", rec_a, sizeof(rec_a)); /* with its NUL terminator */
	aq_buf_dispose(&b);
	/* The JSON line starts after json_a and its newline; the bad byte is
	 * at column 20 of it.  The NUL ends rec_a. */
	snprintf(want, sizeof(want),
		"two two.txt 1 0 3:1 4:1\n"
		"! two.txt:8:8: invalid UTF-8 (byte offset %zu)\n"
		"j1 bad.jsonl 1 0 1:20 1:57\n"
		"! bad.jsonl:2:20: invalid UTF-8 (byte offset %zu)\n"
		"j1 bad.jsonl 3 2 3:20 3:57\n"
		"! nul.txt:5:1: NUL byte (byte offset %zu)\n"
		"errors 3\n", off, strlen(json_a) + 1 + 19, strlen(rec_a));
	expect_transcript(paths, 3, NULL, want);
	tmp_leave();
}

/* Format detection and odd files. */
static void test_formats(void **state)
{
	const char *paths[] = { "empty.txt", "blank.txt", "array.json", "bracket.txt",
		"bom.jsonl", "bom.txt", "crlf.jsonl", "forced.txt", "seps.txt" };
	aq_input_opts jsonl = { .format = AQ_INPUT_JSONL };
	aq_buf b;

	(void)state;
	tmp_enter();
	aq_buf_init(&b);
	write_str("empty.txt", "");
	write_str("blank.txt", "\n \r\n\t\n");
	write_str("array.json", "\n [\n  {\"id\": 1, \"en\": \"A.\", \"zh\": \"甲。\"}\n]\n");
	write_str("bracket.txt", "[Article in Chinese]\nJ Test. 2020 Jan 2.\n"
		"Tai chi improved balance in older adults over twelve weeks.\n"
		"太极拳在十二周内改善了老年人的平衡能力。\n");
	aq_buf_printf(&b, "\xEF\xBB\xBF%s\n", json_a);
	write_file("bom.jsonl", b.ptr, b.len);
	aq_buf_clear(&b);
	aq_buf_printf(&b, "\xEF\xBB\xBF%s", rec_a);
	write_file("bom.txt", b.ptr, b.len);
	aq_buf_clear(&b);
	aq_buf_printf(&b, "%s\r\n\r\n%s\r\n", json_a, json_a);
	write_file("crlf.jsonl", b.ptr, b.len);
	write_str("forced.txt", rec_a);
	write_str("seps.txt", "---\n\n---\n\f\n");
	aq_buf_dispose(&b);
	expect_transcript(paths, 9, NULL,
		"! array.json: a JSON array, not JSON Lines (write one object a line)\n"
		"bracket bracket.txt 1 0 3:1 4:1\n"
		"j1 bom.jsonl 1 0 1:23 1:60\n"
		"bom bom.txt 1 0 3:1 4:1\n"
		"j1 crlf.jsonl 1 0 1:20 1:57\n"
		"j1 crlf.jsonl 3 1 3:20 3:57\n"
		"forced forced.txt 1 0 3:1 4:1\n"
		"errors 1\n");
	/* Forced JSONL reads the text file line by line. */
	expect_transcript(paths + 7, 1, &jsonl,
		"! forced.txt:1: invalid JSON: invalid token near 'Lind' (column 4)\n"
		"! forced.txt:2: invalid JSON: invalid token near 'Physiotherapy' (column 13)\n"
		"! forced.txt:3: invalid JSON: invalid token near 'Pelvic' (column 6)\n"
		"! forced.txt:4: invalid JSON: invalid token near '盆' (column 3)\n"
		"errors 4\n");
	tmp_leave();
}

/* Directory walking: links, non-matching names, unreadable entries. */
static void test_directories(void **state)
{
	const char *paths[] = { "d", "locked", "last.txt" };
	char *got = NULL;

	(void)state;
	tmp_enter();
	assert_int_equal(mkdir("d", 0755), 0);
	assert_int_equal(mkdir("d/B", 0755), 0);
	assert_int_equal(mkdir("d/a", 0755), 0);
	assert_int_equal(mkdir("locked", 0755), 0);
	write_str("d/B/x.jsonl", "{\"id\": \"B\", \"en\": \"Upper case sorts first.\", \"zh\": \"大写在前。\"}\n");
	write_str("d/a/y.json", "{\"id\": \"a\", \"en\": \"Then lower case.\", \"zh\": \"然后是小写。\"}\n");
	write_str("d/z.txt", rec_a);
	write_str("d/z.TXT", rec_a);         /* extensions are case-sensitive */
	write_str("d/readme", rec_a);        /* no extension */
	write_str("d/.z.txt", rec_a);        /* hidden */
	write_str("locked/in.txt", rec_a);
	write_str("last.txt", rec_a);
	assert_int_equal(symlink("../last.txt", "d/link.txt"), 0);  /* followed */
	assert_int_equal(symlink("a", "d/loop"), 0);                /* not followed */
	assert_int_equal(symlink("missing.txt", "d/dangling.txt"), 0);
	assert_int_equal(mkfifo("d/fifo.txt", 0644), 0);            /* not a regular file */
	assert_int_equal(chmod("locked", 0), 0);
	got = transcript(paths, 3, NULL);
	if (geteuid() == 0) {
		/* root reads the locked directory anyway. */
		assert_string_equal(got,
			"B d/B/x.jsonl 1 0 1:19 1:52\n"
			"a d/a/y.json 1 0 1:19 1:45\n"
			"! d/dangling.txt: No such file or directory\n"
			"link d/link.txt 1 0 3:1 4:1\n"
			"z d/z.txt 1 0 3:1 4:1\n"
			"in locked/in.txt 1 0 3:1 4:1\n"
			"last last.txt 1 0 3:1 4:1\n"
			"errors 1\n");
	} else {
		assert_string_equal(got,
			"B d/B/x.jsonl 1 0 1:19 1:52\n"
			"a d/a/y.json 1 0 1:19 1:45\n"
			"! d/dangling.txt: No such file or directory\n"
			"link d/link.txt 1 0 3:1 4:1\n"
			"z d/z.txt 1 0 3:1 4:1\n"
			"! locked: Permission denied\n"
			"last last.txt 1 0 3:1 4:1\n"
			"errors 2\n");
	}
	free(got);
	assert_int_equal(chmod("locked", 0755), 0);
	tmp_leave();
}

/* An unreadable file named explicitly; skipped when running as root. */
static void test_unreadable_file(void **state)
{
	const char *paths[] = { "secret.txt", "open.txt" };

	(void)state;
	if (geteuid() == 0)
		skip();
	tmp_enter();
	write_str("secret.txt", rec_a);
	write_str("open.txt", rec_a);
	assert_int_equal(chmod("secret.txt", 0), 0);
	expect_transcript(paths, 2, NULL,
		"! secret.txt: Permission denied\n"
		"open open.txt 1 0 3:1 4:1\n"
		"errors 1\n");
	tmp_leave();
}

/* Runs paths with fd 0 replaced by the read end of a pipe holding data
 * (or by a file when data does not fit a pipe's buffer). */
static char *with_stdin(const char *data, size_t len, const char *const *paths, size_t n)
{
	int fds[2], saved;
	char *got = NULL;

	assert_true(len < 4096);
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], data, len), (ssize_t)len);
	close(fds[1]);
	saved = dup(STDIN_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fds[0], STDIN_FILENO), STDIN_FILENO);
	close(fds[0]);
	got = transcript(paths, n, NULL);
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
	return got;
}

static void test_stdin(void **state)
{
	const char *only[] = { "-" };
	const char *mixed[] = { DATA_DIR "/tree/sub", "-" };
	char *got = NULL;
	aq_buf b;

	(void)state;
	aq_buf_init(&b);
	aq_buf_printf(&b, "\n%s\n{\"en\": \"No id here.\", \"zh\": \"这里没有编号。\"}\n{\"broken\n", json_a);
	got = with_stdin(b.ptr, b.len, only, 1);
	assert_string_equal(got,
		"j1 - 2 0 2:20 2:57\n"
		"stdin:3 - 3 1 3:8 3:29\n"
		"! stdin:4: invalid JSON: unexpected newline near '\"broken' (column 8)\n"
		"errors 1\n");
	free(got);
	aq_buf_clear(&b);
	aq_buf_printf(&b, "%s---\n%s", rec_a, rec_a);
	got = with_stdin(b.ptr, b.len, mixed, 2);
	assert_string_equal(strstr(got, "\n") + 1,
		"stdin - 1 0 3:1 4:1\n"
		"stdin#2 - 6 1 8:1 9:1\n"
		"errors 0\n");
	free(got);
	aq_buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_record_content),
		cmocka_unit_test(test_no_paths),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_long_line_ok),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_directories),
		cmocka_unit_test(test_unreadable_file),
		cmocka_unit_test(test_stdin),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
