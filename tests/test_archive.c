/*
 * test_archive.c - unit tests of archive.c and of archives read through
 * input.c: gzip, bzip2 and xz files, tar (plain and compressed) and zip
 * archives told by their magic bytes, members in archive order with the
 * directory walk's filters, "ARCHIVE:member" sources, limits, and damaged
 * or truncated archives as one input error after which the batch goes on.
 * The archives are written at test time with libarchive's writer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alignqa.h"
#include "archive_int.h"

static aq_ctx *ctx = NULL;
static char start_dir[PATH_MAX];
static char work_dir[] = "/tmp/aq-test-archive-XXXXXX";

/* Two small records: one in the plain-text shape, one JSON line. */
#define TEXT_RECORD \
	"Smith J, Wang L.\n" \
	"\n" \
	"The trial enrolled 120 patients with asthma. Symptoms improved in 64% of them.\n" \
	"\n" \
	"该试验纳入了120名哮喘患者。其中64%的患者症状得到改善。\n"
#define JSON_RECORD(id) \
	"{\"id\":\"" id "\",\"en\":\"We measured 3 sites.\",\"zh\":\"我们测量了3个位点。\"}\n"

/* A member to write: path, content (NULL: a directory). */
typedef struct member {
	const char *path;
	const char *data;
} member;

static const member tree[] = {
	{ "set/", NULL },
	{ "set/b.txt", TEXT_RECORD },
	{ "set/a.jsonl", JSON_RECORD("j1") "\n" JSON_RECORD("j2") },
	{ ".hidden/c.txt", TEXT_RECORD },
	{ "set/.d.jsonl", JSON_RECORD("hidden") },
	{ "set/notes.md", "not a record\n" },
	{ "./set/e.ndjson", JSON_RECORD("e1") },
	{ NULL, NULL },
};

/* Writes members into an archive file of the given format and filter. */
static void write_archive(const char *path, int format, int filter, const member *m)
{
	struct archive *a = archive_write_new();

	assert_non_null(a);
	assert_int_equal(archive_write_set_format(a, format), ARCHIVE_OK);
	if (filter != ARCHIVE_FILTER_NONE)
		assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	for (; m->path; m++) {
		struct archive_entry *e = archive_entry_new();
		size_t n = m->data ? strlen(m->data) : 0;

		archive_entry_set_pathname(e, m->path);
		archive_entry_set_filetype(e, m->data ? AE_IFREG : AE_IFDIR);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)n);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (n)
			assert_int_equal(archive_write_data(a, m->data, n), (la_ssize_t)n);
		archive_entry_free(e);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* Writes data compressed by filter as a single file (no archive). */
static void write_compressed(const char *path, int filter, const char *data)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(archive_write_add_filter(a, filter), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)strlen(data));
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, strlen(data)), (la_ssize_t)strlen(data));
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, n, fp), n);
	assert_int_equal(fclose(fp), 0);
}

/* The first n bytes of file src copied to dst. */
static void truncate_copy(const char *src, const char *dst, long n)
{
	char *buf = malloc((size_t)n);
	FILE *fp = fopen(src, "rb");

	assert_non_null(buf);
	assert_non_null(fp);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	write_file(dst, buf, (size_t)n);
	free(buf);
}

static long file_size(const char *path)
{
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	return (long)st.st_size;
}

static int setup(void **state)
{
	(void)state;
	if (!getcwd(start_dir, sizeof(start_dir)) || !mkdtemp(work_dir) || chdir(work_dir))
		return -1;
	return aq_ctx_new(&ctx);
}

static int teardown(void **state)
{
	char cmd[PATH_MAX + 16];

	(void)state;
	aq_ctx_free(ctx);
	ctx = NULL;
	if (chdir(start_dir))
		return -1;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work_dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Runs an input over paths to the end: "id source line index" a record,
 * "! message" an error, then "errors N".  The caller frees it. */
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
			aq_buf_printf(&out, "! %s\n", aq_ctx_errmsg(ctx));
			continue;
		}
		aq_buf_printf(&out, "%s %s %u %u\n", rec->id, rec->source, rec->line, rec->index);
		aq_record_free(rec);
		rec = NULL;
	}
	assert_int_equal(aq_input_next(in, &rec), AQ_ITEROVER);
	aq_buf_printf(&out, "errors %zu\n", aq_input_errors(in));
	aq_input_free(in);
	assert_false(out.oom);
	return out.ptr;
}

static void expect(const char *const *paths, size_t n, const aq_input_opts *opts,
	const char *want)
{
	char *got = transcript(paths, n, opts);

	assert_string_equal(got, want);
	free(got);
}

/* Every archive format gives the records of its wanted members, in
 * archive order (not name order), hidden and foreign members skipped. */
static void test_formats(void **state)
{
	static const struct {
		const char *name;
		int format, filter;
	} cases[] = {
		{ "t.tar", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_NONE },
		{ "t.tar.gz", ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, ARCHIVE_FILTER_GZIP },
		{ "t.tar.xz", ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_XZ },
		{ "t.tar.bz2", ARCHIVE_FORMAT_TAR_GNUTAR, ARCHIVE_FILTER_BZIP2 },
		{ "t.zip", ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE },
		/* The content decides, not the name. */
		{ "misnamed.txt", ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE },
	};
	char want[2048];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *paths[] = { cases[i].name };

		write_archive(cases[i].name, cases[i].format, cases[i].filter, tree);
		snprintf(want, sizeof(want),
			"b %1$s:set/b.txt 1 0\n"
			"j1 %1$s:set/a.jsonl 1 0\n"
			"j2 %1$s:set/a.jsonl 3 1\n"
			"e1 %1$s:./set/e.ndjson 1 0\n"
			"errors 0\n", cases[i].name);
		expect(paths, 1, NULL, want);
	}
}

/* A compressed single file is read as the file it holds; a text record's
 * id leaves out the compression suffix. */
static void test_compressed_file(void **state)
{
	const char *paths[] = { "r1.txt.gz", "recs.jsonl.xz", "r2.txt.bz2" };

	(void)state;
	write_compressed("r1.txt.gz", ARCHIVE_FILTER_GZIP, TEXT_RECORD "---\n" TEXT_RECORD);
	write_compressed("recs.jsonl.xz", ARCHIVE_FILTER_XZ, JSON_RECORD("x1") JSON_RECORD("x2"));
	write_compressed("r2.txt.bz2", ARCHIVE_FILTER_BZIP2, TEXT_RECORD);
	expect(paths, 3, NULL,
		"r1 r1.txt.gz 1 0\n"
		"r1#2 r1.txt.gz 7 1\n"
		"x1 recs.jsonl.xz 1 0\n"
		"x2 recs.jsonl.xz 2 1\n"
		"r2 r2.txt.bz2 1 0\n"
		"errors 0\n");
}

/* A directory walk reads archives and compressed record files too, and
 * passes over other compressed files. */
static void test_directory(void **state)
{
	const char *paths[] = { "dir" };
	static const member one[] = { { "in/z.jsonl", JSON_RECORD("z1") }, { NULL, NULL } };

	(void)state;
	assert_int_equal(mkdir("dir", 0755), 0);
	write_archive("dir/a.zip", ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, one);
	write_compressed("dir/b.jsonl.gz", ARCHIVE_FILTER_GZIP, JSON_RECORD("b1"));
	write_compressed("dir/c.log.gz", ARCHIVE_FILTER_GZIP, JSON_RECORD("c1"));
	write_archive("dir/d.tgz", ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_GZIP, one);
	expect(paths, 1, NULL,
		"z1 dir/a.zip:in/z.jsonl 1 0\n"
		"b1 dir/b.jsonl.gz 1 0\n"
		"z1 dir/d.tgz:in/z.jsonl 1 0\n"
		"errors 0\n");
}

/* Errors inside members name the archive and the member, and the next
 * member is still read; the record limit applies inside archives. */
static void test_member_errors(void **state)
{
	const char *paths[] = { "e.tar.gz" };
	const aq_input_opts opts = { AQ_INPUT_AUTO, 200, NULL };
	static const member bad[] = {
		{ "x/bad.jsonl", "{\"id\":\"q\",\"en\":1}\n" JSON_RECORD("ok1") },
		{ "x/array.json", "[{\"id\":1}]\n" },
		{ "x/big.txt", TEXT_RECORD TEXT_RECORD },
		{ "x/ok.jsonl", JSON_RECORD("ok2") },
		{ NULL, NULL },
	};

	(void)state;
	write_archive("e.tar.gz", ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_GZIP, bad);
	expect(paths, 1, &opts,
		"! e.tar.gz:x/bad.jsonl:1: record q: \"en\" is not a string\n"
		"ok1 e.tar.gz:x/bad.jsonl 2 1\n"
		"! e.tar.gz:x/array.json: a JSON array, not JSON Lines (write one object a line)\n"
		"! e.tar.gz:x/big.txt:1: record larger than 200 bytes\n"
		"ok2 e.tar.gz:x/ok.jsonl 1 0\n"
		"errors 3\n");
}

/* A truncated or damaged archive is one error naming it; what came before
 * the damage is read and the next path still is. */
static void test_damaged(void **state)
{
	const char *paths[] = { "cut.tar.gz", "cut.zip", "junk.zip", "after.jsonl" };
	member big[3] = { { "m/one.jsonl", NULL }, { "m/two.jsonl", NULL }, { NULL, NULL } };
	aq_buf one;
	char *got;

	(void)state;
	/* Members larger than libarchive's read-ahead, so that the first is
	 * whole before the cut. */
	aq_buf_init(&one);
	for (int i = 0; i < 3000; i++)
		aq_buf_printf(&one, "{\"id\":\"r%d\",\"en\":\"We measured %d sites.\","
			"\"zh\":\"我们测量了%d个位点。\"}\n", i, i * 7919 % 100003, i * 7919 % 100003);
	assert_false(one.oom);
	big[0].data = one.ptr;
	big[1].data = one.ptr;
	write_archive("full.tar.gz", ARCHIVE_FORMAT_TAR_USTAR, ARCHIVE_FILTER_GZIP, big);
	truncate_copy("full.tar.gz", "cut.tar.gz", file_size("full.tar.gz") * 3 / 4);
	write_archive("full.zip", ARCHIVE_FORMAT_ZIP, ARCHIVE_FILTER_NONE, big);
	truncate_copy("full.zip", "cut.zip", file_size("full.zip") * 3 / 4);
	write_file("junk.zip", "PK\003\004 not really", 16);
	write_file("after.jsonl", JSON_RECORD("after"), strlen(JSON_RECORD("after")));
	got = transcript(paths, 4, NULL);
	/* Every record of the first member, some of the second, then one error
	 * for each damaged archive. */
	assert_non_null(strstr(got, "r2999 cut.tar.gz:m/one.jsonl 3000 2999\n"));
	assert_non_null(strstr(got, "! cut.tar.gz:"));
	assert_non_null(strstr(got, "r2999 cut.zip:m/one.jsonl 3000 2999\n"));
	assert_non_null(strstr(got, "! cut.zip:m/two.jsonl: "));
	assert_non_null(strstr(got, "! junk.zip: "));
	assert_non_null(strstr(got, "after after.jsonl 1 0\nerrors 3\n"));
	free(got);
	aq_buf_dispose(&one);
}

/* Magic bytes, not names; text that starts like a magic is text. */
static void test_kind(void **state)
{
	unsigned char tar[AQ_ARCHIVE_SNIFF_LEN];

	(void)state;
	assert_int_equal(aq_archive_kind_of((const unsigned char *)"\x1F\x8B\x08\0", 4),
		AQ_ARCHIVE_COMPRESSED);
	assert_int_equal(aq_archive_kind_of((const unsigned char *)"\xFD" "7zXZ\0", 6),
		AQ_ARCHIVE_COMPRESSED);
	assert_int_equal(aq_archive_kind_of((const unsigned char *)"BZh91AY&SY", 10),
		AQ_ARCHIVE_COMPRESSED);
	assert_int_equal(aq_archive_kind_of((const unsigned char *)"PK\3\4", 4), AQ_ARCHIVE_ZIP);
	assert_int_equal(aq_archive_kind_of((const unsigned char *)"PKU researchers", 15),
		AQ_ARCHIVE_NONE);
	assert_int_equal(aq_archive_kind_of((const unsigned char *)"BZh9 is a name", 14),
		AQ_ARCHIVE_NONE);
	assert_int_equal(aq_archive_kind_of((const unsigned char *)"\x1F\x8B", 2),
		AQ_ARCHIVE_NONE);
	assert_int_equal(aq_archive_kind_of((const unsigned char *)"", 0), AQ_ARCHIVE_NONE);
	memset(tar, 'a', sizeof(tar));
	memcpy(tar + 257, "ustar\0", 6);
	assert_int_equal(aq_archive_kind_of(tar, sizeof(tar)), AQ_ARCHIVE_TAR);
	assert_int_equal(aq_archive_kind_of(tar, 200), AQ_ARCHIVE_NONE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_compressed_file),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_member_errors),
		cmocka_unit_test(test_damaged),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
