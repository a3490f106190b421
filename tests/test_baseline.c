/*
 * test_baseline.c - baselines: the documented file format written exactly,
 * the save/load round trip, multiset counts, escaping of the free-text
 * fields, what the reader tolerates (CRLF, comments, bare fingerprints,
 * upper-case hex) and broken files named by file:line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alignqa.h"

typedef struct tmpdir {
	char dir[64];
	char path[128];  /* dir/baseline.txt */
	char other[128]; /* dir/again.txt */
	aq_ctx *ctx;
} tmpdir;

static int setup(void **state)
{
	tmpdir *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/aq-test-baseline-XXXXXX");
	if (!mkdtemp(t->dir) || aq_ctx_new(&t->ctx))
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/baseline.txt", t->dir);
	snprintf(t->other, sizeof(t->other), "%s/again.txt", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	tmpdir *t = *state;

	unlink(t->path);
	unlink(t->other);
	rmdir(t->dir);
	aq_ctx_free(t->ctx);
	free(t);
	return 0;
}

static aq_finding finding(const char *rule, const char *msg, uint64_t fp)
{
	aq_finding f;

	memset(&f, 0, sizeof(f));
	f.rule = (char *)rule;
	f.message = (char *)msg;
	f.fingerprint = fp;
	f.en.off = f.en.end = f.zh.off = f.zh.end = AQ_NO_SPAN;
	f.bead = AQ_NO_SPAN;
	return f;
}

static char *slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static void spew(const char *path, const char *data, size_t len)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(data, 1, len, fp), len);
	fclose(fp);
}

/* The file format, byte for byte: header, then lines sorted by record id,
 * rule, fingerprint, message; tabs, line breaks and backslashes escaped. */
static void test_save_format(void **state)
{
	tmpdir *t = *state;
	aq_baseline *bl;
	aq_finding f1 = finding("numbers.changed", "42% became 24%", 0x00000000000000ffULL);
	aq_finding f2 = finding("acronym.dropped", "tab\there\nnew line \\ back", 0x1ULL);
	aq_finding f3 = finding("numbers.changed", "again", 0xfedcba9876543210ULL);
	char *got;

	assert_int_equal(aq_baseline_new(&bl, t->ctx), 0);
	assert_int_equal(aq_baseline_add(bl, "rec-b", &f3), 0);
	assert_int_equal(aq_baseline_add(bl, "rec-b", &f1), 0);
	assert_int_equal(aq_baseline_add(bl, "rec-a", &f2), 0);
	assert_int_equal(aq_baseline_add(bl, "rec\tc", &f1), 0);
	assert_int_equal(aq_baseline_save(bl, t->path), 0);
	got = slurp(t->path);
	assert_string_equal(got,
		"# alignqa baseline v1\n"
		"00000000000000ff\tnumbers.changed\trec\\tc\t42% became 24%\n" /* '\t' < '-' */
		"0000000000000001\tacronym.dropped\trec-a\ttab\\there\\nnew line \\\\ back\n"
		"00000000000000ff\tnumbers.changed\trec-b\t42% became 24%\n"
		"fedcba9876543210\tnumbers.changed\trec-b\tagain\n");
	free(got);
	aq_baseline_free(bl);
	/* no temporary file is left behind */
	{
		char tmp[160];
		struct stat st;
		snprintf(tmp, sizeof(tmp), "%s.tmp", t->path);
		assert_int_not_equal(stat(tmp, &st), 0);
	}
}

/* Load what was saved, save again: the same bytes; counts survive. */
static void test_round_trip(void **state)
{
	tmpdir *t = *state;
	aq_baseline *bl, *back;
	aq_finding fs[] = {
		finding("a.x", "m1", 0x10), finding("a.x", "m1", 0x10), /* twice */
		finding("b.y", "m\\2\r\n", 0x20), finding("c.z", "", 0x30),
		finding("", "", 0x0),
	};
	char *first, *second;

	assert_int_equal(aq_baseline_new(&bl, t->ctx), 0);
	for (size_t i = 0; i < sizeof(fs) / sizeof(fs[0]); i++)
		assert_int_equal(aq_baseline_add(bl, i % 2 ? "r1" : "r2", &fs[i]), 0);
	assert_int_equal(aq_baseline_save(bl, t->path), 0);
	assert_int_equal(aq_baseline_load(&back, t->ctx, t->path), 0);
	assert_int_equal(aq_baseline_count(back, 0x10), 2);
	assert_int_equal(aq_baseline_count(back, 0x20), 1);
	assert_int_equal(aq_baseline_count(back, 0x0), 1);
	assert_int_equal(aq_baseline_count(back, 0x40), 0);
	assert_int_equal(aq_baseline_save(back, t->other), 0);
	first = slurp(t->path);
	second = slurp(t->other);
	assert_string_equal(first, second);
	free(first);
	free(second);
	aq_baseline_free(back);
	aq_baseline_free(bl);
}

/* Multiset semantics and a table big enough to grow several times. */
static void test_multiset(void **state)
{
	tmpdir *t = *state;
	aq_baseline *bl;
	aq_finding f = finding("r", "m", 0);

	assert_int_equal(aq_baseline_new(&bl, t->ctx), 0);
	assert_false(aq_baseline_has(bl, &f));
	assert_int_equal(aq_baseline_count(bl, 0), 0);
	for (uint64_t i = 0; i < 3000; i++) {
		/* fingerprints that collide in the low bits, some repeated */
		f.fingerprint = (i % 1000) << 20;
		assert_int_equal(aq_baseline_add(bl, "rec", &f), 0);
	}
	for (uint64_t i = 0; i < 1000; i++) {
		f.fingerprint = i << 20;
		assert_true(aq_baseline_has(bl, &f));
		assert_int_equal(aq_baseline_count(bl, f.fingerprint), 3);
	}
	f.fingerprint = 1000ULL << 20;
	assert_false(aq_baseline_has(bl, &f));
	f.fingerprint = 1;
	assert_false(aq_baseline_has(bl, &f));
	assert_int_equal(aq_baseline_count(NULL, 1), 0);
	aq_baseline_free(bl);
	aq_baseline_free(NULL);
}

/* What the reader accepts beyond what the writer writes. */
static void test_tolerant_reader(void **state)
{
	static const char data[] =
		"# alignqa baseline v1 \r\n"                /* trailing blanks */
		"\r\n"
		"# a comment\n"
		"00000000000000AB\n"                        /* fingerprint alone, upper case */
		"00000000000000ab\trule.only\r\n"           /* no record or message */
		"00000000000000cd\tr\trec\tmsg\twith\ttabs\n" /* extra tabs: part of the message */
		"00000000000000ef\tr\trec\tunknown \\q escape"; /* no final newline */
	tmpdir *t = *state;
	aq_baseline *bl;

	spew(t->path, data, sizeof(data) - 1);
	if (aq_baseline_load(&bl, t->ctx, t->path))
		fail_msg("%s", aq_ctx_errmsg(t->ctx));
	assert_int_equal(aq_baseline_count(bl, 0xab), 2);
	assert_int_equal(aq_baseline_count(bl, 0xcd), 1);
	assert_int_equal(aq_baseline_count(bl, 0xef), 1);
	aq_baseline_free(bl);

	/* a header alone is an empty baseline */
	spew(t->path, "# alignqa baseline v1\n", 22);
	assert_int_equal(aq_baseline_load(&bl, t->ctx, t->path), 0);
	assert_int_equal(aq_baseline_count(bl, 0), 0);
	aq_baseline_free(bl);
}

/* Broken files: AQ_EINPUT (AQ_EIO when unreadable), message "file:line: ...". */
static void test_broken(void **state)
{
	static const struct {
		const char *data;
		size_t len; /* 0: strlen */
		int line;   /* expected line in the message, 0: none */
		const char *says;
	} cases[] = {
		{ "", 0, 1, "empty file" },
		{ "fingerprint\trule\n", 0, 1, "not an alignqa baseline" },
		{ "# alignqa baseline v2\n", 0, 1, "unsupported baseline version" },
		{ "# alignqa baseline v10\n", 0, 1, "unsupported baseline version" },
		{ "# alignqa baseline v1\n00000000000000zz\tr\n", 0, 2, "16 hex digits" },
		{ "# alignqa baseline v1\n\n0000000000ff\tr\n", 0, 3, "16 hex digits" },
		{ "# alignqa baseline v1\n00000000000000001\tr\n", 0, 2, "a tab after" },
		{ "# alignqa baseline v1\n00000000000000ff r x\n", 0, 2, "a tab after" },
		{ "# alignqa baseline v1\n  00000000000000ff\n", 0, 2, "16 hex digits" },
		{ "# alignqa baseline v1\n00000000000000ff\t\0x\n", 42, 0, "NUL byte" },
	};
	tmpdir *t = *state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		aq_baseline *bl = (aq_baseline *)&bl;
		const char *msg;
		char want[256];

		spew(t->path, cases[i].data, cases[i].len ? cases[i].len : strlen(cases[i].data));
		assert_int_equal(aq_baseline_load(&bl, t->ctx, t->path), AQ_EINPUT);
		assert_null(bl);
		msg = aq_ctx_errmsg(t->ctx);
		if (cases[i].line)
			snprintf(want, sizeof(want), "%s:%d: ", t->path, cases[i].line);
		else
			snprintf(want, sizeof(want), "%s: ", t->path);
		if (strncmp(msg, want, strlen(want)) || !strstr(msg, cases[i].says))
			fail_msg("case %zu: got \"%s\", want \"%s...%s\"", i, msg, want, cases[i].says);
	}
}

static void test_io_errors(void **state)
{
	tmpdir *t = *state;
	aq_baseline *bl = NULL;
	char missing[160], bad_dir[160];
	aq_finding f = finding("r", "m", 1);

	snprintf(missing, sizeof(missing), "%s/does-not-exist.txt", t->dir);
	assert_int_equal(aq_baseline_load(&bl, t->ctx, missing), AQ_EIO);
	assert_null(bl);
	assert_non_null(strstr(aq_ctx_errmsg(t->ctx), missing));
	/* a directory is not a baseline either */
	assert_int_not_equal(aq_baseline_load(&bl, t->ctx, t->dir), 0);
	assert_null(bl);

	assert_int_equal(aq_baseline_new(&bl, t->ctx), 0);
	assert_int_equal(aq_baseline_add(bl, "rec", &f), 0);
	snprintf(bad_dir, sizeof(bad_dir), "%s/no/such/dir/b.txt", t->dir);
	assert_int_equal(aq_baseline_save(bl, bad_dir), AQ_EIO);
	assert_non_null(strstr(aq_ctx_errmsg(t->ctx), "no/such/dir"));
	aq_baseline_free(bl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_save_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tolerant_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
