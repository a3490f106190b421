/*
 * test_audit.c - the audit runner: the same stored results whatever the
 * number of threads, skipping unchanged records (and not with force or
 * another rule set), shards that partition the input and merge back into
 * one store, input errors stored in input order, progress callbacks, bad
 * options, and the store's unchanged-record lookup.
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

#define N_RECORDS 120

/* Everything a test needs: a directory, the rules, a segmenter. */
typedef struct fixture {
	char dir[64];
	char input[128];  /* dir/in.jsonl */
	aq_ctx *ctx;
	aq_rules *rules;
	aq_segmenter *seg;
} fixture;

static const char *rules_dir(void)
{
	const char *d = getenv("AQ_TEST_RULES_DIR");
	return d ? d : AQ_TEST_SOURCE_DIR "/../rules";
}

/* Writes n records (two shapes, one with a dropped number) and, when
 * bad_at >= 0, a broken JSON line before record bad_at. */
static void write_input(const char *path, int n, int bad_at)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	for (int i = 0; i < n; i++) {
		if (i == bad_at)
			fputs("{\"id\": \"broken\", \"en\": \n", fp);
		if (i % 2)
			fprintf(fp, "{\"id\": \"r%04d\", \"en\": \"We enrolled 120 patients. "
				"The mortality was 5%%.\", \"zh\": \"我们纳入了120名患者。死亡率为5%%。\"}\n", i);
		else
			fprintf(fp, "{\"id\": \"r%04d\", \"en\": \"We enrolled 120 patients. "
				"The mortality was 7%%.\", \"zh\": \"我们纳入了患者。死亡率为5%%。\"}\n", i);
	}
	fclose(fp);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	char path[4096];

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/aq-test-audit-XXXXXX");
	if (!mkdtemp(f->dir) || aq_ctx_new(&f->ctx) || aq_rules_new(&f->rules, f->ctx))
		return -1;
	test_rules_jit(f->rules);
	if (aq_rules_load_dir(f->rules, rules_dir()))
		return -1;
	snprintf(path, sizeof(path), "%s/abbreviations.txt", rules_dir());
	if (aq_segmenter_new(&f->seg, f->ctx, path))
		return -1;
	snprintf(f->input, sizeof(f->input), "%s/in.jsonl", f->dir);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[200];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	aq_segmenter_free(f->seg);
	aq_rules_free(f->rules);
	aq_ctx_free(f->ctx);
	free(f);
	return 0;
}

static aq_audit_opts opts_for(const fixture *f, const char *const *paths, unsigned jobs)
{
	aq_audit_opts o;

	memset(&o, 0, sizeof(o));
	o.paths = paths;
	o.n_paths = 1;
	o.jobs = jobs;
	o.seg = f->seg;
	o.rules = f->rules;
	return o;
}

/* Runs an audit of f->input into db; returns the stats. */
static aq_audit_stats audit(fixture *f, const char *db, aq_audit_opts *o)
{
	aq_store *st = NULL;
	aq_audit_stats s;
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", f->dir, db);
	assert_int_equal(aq_store_open(&st, f->ctx, path), 0);
	assert_int_equal(aq_audit_run(&s, f->ctx, st, o), 0);
	aq_store_close(st);
	return s;
}

static int collect(const aq_store_finding *x, void *payload)
{
	aq_buf *b = payload;

	aq_buf_printf(b, "%s %s %s %s\n", x->record, x->rule, x->fingerprint, x->message);
	return 0;
}

/* The latest findings of db, one a line. */
static char *latest(fixture *f, const char *db)
{
	aq_store *st = NULL;
	aq_buf b;
	char path[160];

	aq_buf_init(&b);
	snprintf(path, sizeof(path), "%s/%s", f->dir, db);
	assert_int_equal(aq_store_open(&st, f->ctx, path), 0);
	assert_int_equal(aq_store_query_findings(st, NULL, collect, &b), 0);
	aq_store_close(st);
	aq_buf_putc(&b, '\0');
	return b.ptr;
}

static void test_threads_do_not_change_results(void **state)
{
	fixture *f = *state;
	const char *paths[] = { f->input };
	aq_audit_opts o1 = opts_for(f, paths, 1), o4 = opts_for(f, paths, 4);
	aq_audit_stats s1, s4;
	char *l1, *l4;

	write_input(f->input, N_RECORDS, -1);
	s1 = audit(f, "one.db", &o1);
	s4 = audit(f, "four.db", &o4);
	assert_int_equal(s1.checked, N_RECORDS);
	assert_int_equal(s4.checked, N_RECORDS);
	assert_int_equal(s1.findings, s4.findings);
	assert_true(s1.findings >= N_RECORDS / 2); /* every other record drops 120 */
	assert_memory_equal(s1.by_category, s4.by_category, sizeof(s1.by_category));
	l1 = latest(f, "one.db");
	l4 = latest(f, "four.db");
	assert_string_equal(l1, l4);
	free(l1);
	free(l4);
}

static void test_skips_unchanged(void **state)
{
	fixture *f = *state;
	const char *paths[] = { f->input };
	aq_audit_opts o = opts_for(f, paths, 2);
	aq_audit_stats s;

	write_input(f->input, N_RECORDS, -1);
	s = audit(f, "inc.db", &o);
	assert_int_equal(s.checked, N_RECORDS);
	s = audit(f, "inc.db", &o);
	assert_int_equal(s.checked, 0);
	assert_int_equal(s.skipped, N_RECORDS);
	assert_int_equal(s.records, N_RECORDS);
	o.force = true;
	s = audit(f, "inc.db", &o);
	assert_int_equal(s.checked, N_RECORDS);
	assert_int_equal(s.skipped, 0);
	/* Another rule set: every record is checked again. */
	o.force = false;
	assert_int_equal(aq_rules_configure(f->rules, "category:style", 0, -1), 0);
	s = audit(f, "inc.db", &o);
	assert_int_equal(s.checked, N_RECORDS);
	s = audit(f, "inc.db", &o);
	assert_int_equal(s.skipped, N_RECORDS);
	/* A changed text: only that record. */
	write_input(f->input, N_RECORDS + 1, -1);
	s = audit(f, "inc.db", &o);
	assert_int_equal(s.checked, 1);
	assert_int_equal(s.skipped, N_RECORDS);
}

static void test_shards_partition_and_merge(void **state)
{
	fixture *f = *state;
	const char *paths[] = { f->input };
	aq_audit_opts o = opts_for(f, paths, 3);
	aq_audit_stats s;
	aq_store *st = NULL;
	size_t total = 0;
	char path[160], *all, *merged;

	write_input(f->input, N_RECORDS, -1);
	s = audit(f, "all.db", &o);
	for (uint32_t k = 1; k <= 3; k++) {
		char name[32];

		o.shard_k = k;
		o.shard_n = 3;
		snprintf(name, sizeof(name), "shard%u.db", k);
		s = audit(f, name, &o);
		assert_int_equal(s.records + s.other_shards, N_RECORDS);
		assert_true(s.records > 0);
		total += s.checked;
	}
	assert_int_equal(total, N_RECORDS);
	snprintf(path, sizeof(path), "%s/merged.db", f->dir);
	assert_int_equal(aq_store_open(&st, f->ctx, path), 0);
	for (int k = 1; k <= 3; k++) {
		snprintf(path, sizeof(path), "%s/shard%d.db", f->dir, k);
		assert_int_equal(aq_store_merge(st, path), 0);
	}
	/* Not a database: an error, and the store stays usable. */
	assert_int_equal(aq_store_merge(st, f->input), AQ_EDB);
	aq_store_close(st);
	all = latest(f, "all.db");
	merged = latest(f, "merged.db");
	assert_string_equal(all, merged);
	free(all);
	free(merged);
	/* The merged store knows every record: nothing left to check. */
	o.shard_k = o.shard_n = 0;
	s = audit(f, "merged.db", &o);
	assert_int_equal(s.skipped, N_RECORDS);
}

typedef struct seen_log {
	int errors;
	int progress_calls;
	bool saw_done;
	char first_error[256];
} seen_log;

static void on_error(const char *message, void *payload)
{
	seen_log *s = payload;

	if (!s->errors++)
		snprintf(s->first_error, sizeof(s->first_error), "%s", message);
}

static void on_progress(const aq_audit_stats *st, void *payload)
{
	seen_log *s = payload;

	s->progress_calls++;
	if (st->done)
		s->saw_done = true;
}

static void test_input_errors_and_progress(void **state)
{
	fixture *f = *state;
	const char *paths[] = { f->input };
	aq_audit_opts o = opts_for(f, paths, 2);
	aq_audit_stats s;
	seen_log seen = { 0 };

	write_input(f->input, 10, 4);
	o.on_input_error = on_error;
	o.progress = on_progress;
	o.payload = &seen;
	s = audit(f, "err.db", &o);
	assert_int_equal(s.checked, 10);
	assert_int_equal(s.input_errors, 1);
	assert_int_equal(seen.errors, 1);
	assert_non_null(strstr(seen.first_error, "in.jsonl:5"));
	assert_true(seen.saw_done);
	assert_true(seen.progress_calls >= 1);
}

static void test_bad_options(void **state)
{
	fixture *f = *state;
	const char *paths[] = { f->input };
	aq_audit_opts o = opts_for(f, paths, 1);
	aq_store *st = NULL;
	aq_audit_stats s;
	char path[160];

	write_input(f->input, 2, -1);
	snprintf(path, sizeof(path), "%s/bad.db", f->dir);
	assert_int_equal(aq_store_open(&st, f->ctx, path), 0);
	o.shard_k = 3;
	o.shard_n = 2;
	assert_int_equal(aq_audit_run(&s, f->ctx, st, &o), AQ_EINVAL);
	o.shard_k = 0;
	assert_int_equal(aq_audit_run(&s, f->ctx, st, &o), AQ_EINVAL);
	o.shard_n = 0;
	o.rules = NULL;
	assert_int_equal(aq_audit_run(&s, f->ctx, st, &o), AQ_EINVAL);
	aq_store_close(st);
}

static void test_store_is_unchanged(void **state)
{
	fixture *f = *state;
	aq_store *st = NULL;
	aq_record *rec = NULL;
	aq_spans en, zh;
	aq_alignment a;
	int64_t run = 0;
	bool same = true;
	char path[160];

	aq_spans_init(&en);
	aq_spans_init(&zh);
	snprintf(path, sizeof(path), "%s/u.db", f->dir);
	assert_int_equal(aq_store_open(&st, f->ctx, path), 0);
	assert_int_equal(aq_record_new(&rec), 0);
	rec->id = strdup("a");
	rec->en = strdup("One.");
	rec->en_len = 4;
	rec->zh = strdup("一。");
	rec->zh_len = strlen(rec->zh);
	assert_non_null(rec->id);
	assert_int_equal(aq_store_is_unchanged(st, &same, rec, "d1", 0), 0);
	assert_false(same); /* never stored */
	assert_int_equal(aq_store_begin_run(st, &run, NULL, "d1", NULL), 0);
	a = (aq_alignment){ rec, &en, &zh, NULL, NULL };
	assert_int_equal(aq_store_record(st, run, &a, NULL), 0);
	assert_int_equal(aq_store_is_unchanged(st, &same, rec, "d1", 0), 0);
	assert_true(same); /* seen in the open batch */
	assert_int_equal(aq_store_is_unchanged(st, &same, rec, "d1", run), 0);
	assert_false(same); /* only runs before run count */
	assert_int_equal(aq_store_is_unchanged(st, &same, rec, "d2", 0), 0);
	assert_false(same); /* another rule set */
	assert_int_equal(aq_store_is_unchanged(st, &same, rec, NULL, 0), 0);
	assert_false(same);
	rec->zh_len--; /* another text */
	assert_int_equal(aq_store_is_unchanged(st, &same, rec, "d1", 0), 0);
	assert_false(same);
	aq_record_free(rec);
	aq_store_close(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_threads_do_not_change_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_skips_unchanged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shards_partition_and_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_input_errors_and_progress, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_options, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_is_unchanged, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
