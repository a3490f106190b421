/*
 * test_store.c - the report store: create and reopen, a record with its
 * sentences, beads and findings stored and read back through every filter,
 * latest-results semantics across runs, batches visible to other readers,
 * migration from version 1 and 2 databases, refusal of a newer schema, read-only
 * databases and unusable paths as errors, hostile strings kept verbatim, and
 * comparisons of two states (runs of one database, or another database).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alignqa.h"
#include "store_int.h"

typedef struct tmpdir {
	char dir[64];
	char path[128]; /* dir/t.db */
	aq_ctx *ctx;
} tmpdir;

static int setup(void **state)
{
	tmpdir *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/aq-test-store-XXXXXX");
	if (!mkdtemp(t->dir) || aq_ctx_new(&t->ctx))
		return -1;
	snprintf(t->path, sizeof(t->path), "%s/t.db", t->dir);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	tmpdir *t = *state;
	char p[160];
	static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };

	for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", t->path, suffix[i]);
		unlink(p);
	}
	rmdir(t->dir);
	aq_ctx_free(t->ctx);
	free(t);
	return 0;
}

/* ---- raw SQLite access, to look behind the store's back ---- */

static sqlite3 *raw_open(const char *path)
{
	sqlite3 *db = NULL;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 2000);
	return db;
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int64_t v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

static int64_t path_int(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	int64_t v = raw_int(db, sql);

	sqlite3_close(db);
	return v;
}

static void raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = raw_open(path);
	char *err = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK)
		fail_msg("%s: %s", sql, err ? err : "?");
	sqlite3_close(db);
}

/* ---- a record to store ---- */

typedef struct sample {
	aq_record *rec;
	aq_spans en, zh;
	aq_beads beads;
	aq_findings f;
	aq_alignment a;
} sample;

static void sample_init(sample *s, const char *id, const char *journal)
{
	static const char en[] = "One sentence. Two sentences.";
	static const char zh[] = "一句。两句。";

	memset(s, 0, sizeof(*s));
	assert_int_equal(aq_record_new(&s->rec), 0);
	s->rec->id = strdup(id);
	s->rec->source = strdup("samples/x.txt");
	s->rec->en = strdup(en);
	s->rec->en_len = strlen(en);
	s->rec->zh = strdup(zh);
	s->rec->zh_len = strlen(zh);
	s->rec->line = 7;
	assert_non_null(s->rec->id);
	assert_non_null(s->rec->zh);
	if (journal)
		assert_int_equal(aq_record_add_meta(s->rec, "journal", journal, strlen(journal)), 0);
	assert_int_equal(aq_record_add_meta(s->rec, "date", "2025-01-02", 10), 0);
	assert_int_equal(aq_record_add_meta(s->rec, "doi", "10.5555/aq.1", 12), 0);
	aq_spans_init(&s->en);
	aq_spans_init(&s->zh);
	assert_int_equal(aq_spans_push(&s->en, 0, 13), 0);
	assert_int_equal(aq_spans_push(&s->en, 14, 28), 0);
	assert_int_equal(aq_spans_push(&s->zh, 0, 9), 0);
	assert_int_equal(aq_spans_push(&s->zh, 9, 18), 0);
	aq_beads_init(&s->beads);
	s->beads.v = calloc(2, sizeof(aq_bead));
	assert_non_null(s->beads.v);
	s->beads.n = s->beads.cap = 2;
	s->beads.v[0] = (aq_bead){ 0, 0, 1, 1, 0.875f };
	s->beads.v[1] = (aq_bead){ 1, 1, 1, 1, 0.5f };
	aq_findings_init(&s->f);
	s->a = (aq_alignment){ s->rec, &s->en, &s->zh, &s->beads, NULL };
}

static void sample_add(sample *s, const char *rule, aq_severity sev, aq_category cat,
	const aq_span *en, const aq_span *zh, const char *msg, uint64_t fp)
{
	assert_int_equal(aq_findings_add(&s->f, rule, sev, cat, en, zh, AQ_NO_SPAN, msg), 0);
	s->f.v[s->f.n - 1].fingerprint = fp;
}

static void sample_dispose(sample *s)
{
	aq_record_free(s->rec);
	aq_spans_dispose(&s->en);
	aq_spans_dispose(&s->zh);
	aq_beads_dispose(&s->beads);
	aq_findings_dispose(&s->f);
}

/* ---- collecting query results ---- */

typedef struct got {
	size_t n;
	char record[8][128];
	char rule[8][128];
	char message[8][128];
	char fingerprint[8][20];
	char journal[8][64];
	int64_t run[8];
	aq_store_finding first; /* pointers not valid after the callback */
} got;

static int collect(const aq_store_finding *f, void *payload)
{
	got *g = payload;

	if (g->n < 8) {
		snprintf(g->record[g->n], sizeof(g->record[0]), "%s", f->record);
		snprintf(g->rule[g->n], sizeof(g->rule[0]), "%s", f->rule);
		snprintf(g->message[g->n], sizeof(g->message[0]), "%s", f->message);
		snprintf(g->fingerprint[g->n], sizeof(g->fingerprint[0]), "%s", f->fingerprint);
		snprintf(g->journal[g->n], sizeof(g->journal[0]), "%s",
			f->journal ? f->journal : "(null)");
		g->run[g->n] = f->run;
		if (g->n == 0)
			g->first = *f;
	}
	g->n++;
	return 0;
}

static size_t count(aq_store *st, const aq_store_query *q)
{
	got g;

	memset(&g, 0, sizeof(g));
	assert_int_equal(aq_store_query_findings(st, q, collect, &g), 0);
	return g.n;
}

/* ---- tests ---- */

static void test_open_creates_and_reopens(void **state)
{
	tmpdir *t = *state;
	aq_store *st = NULL;

	assert_int_equal(aq_store_open(&st, t->ctx, t->path), 0);
	assert_non_null(st);
	aq_store_close(st);
	assert_int_equal(path_int(t->path, "PRAGMA user_version"), 3);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM sqlite_master WHERE "
		"name IN ('runs','records','sentences','beads','findings','input_errors')"), 6);
	/* WAL is a property of the file: a new connection sees it. */
	{
		sqlite3 *db = raw_open(t->path);
		sqlite3_stmt *s = NULL;

		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), 0);
		assert_int_equal(sqlite3_step(s), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(s, 0), "wal");
		sqlite3_finalize(s);
		sqlite3_close(db);
	}
	assert_int_equal(aq_store_open(&st, t->ctx, t->path), 0);
	assert_int_equal(count(st, NULL), 0);
	aq_store_close(st);
	aq_store_close(NULL);
}

static void test_record_and_filters(void **state)
{
	tmpdir *t = *state;
	aq_store *st = NULL;
	aq_store_query q;
	int64_t run = 0;
	sample a, b;
	got g;
	aq_span en = { 14, 28 }, zh = { 9, 18 };

	sample_init(&a, "rec-a", "Kidney Int Rep");
	sample_add(&a, "structure.omission", AQ_SEV_ERROR, AQ_CAT_OMISSION, &en, NULL,
		"missing", 0x0123456789abcdefULL);
	sample_add(&a, "numbers.changed", AQ_SEV_WARNING, AQ_CAT_NUMBER, &en, &zh,
		"changed", 2);
	sample_init(&b, "rec-b", NULL);
	sample_add(&b, "style.unit-symbol", AQ_SEV_INFO, AQ_CAT_STYLE, NULL, &zh, "unit", 3);

	assert_int_equal(aq_store_open(&st, t->ctx, t->path), 0);
	assert_int_equal(aq_store_begin_run(st, &run, NULL, "00112233aabbccdd",
		"{\"args\":[]}"), 0);
	assert_true(run > 0);
	assert_int_equal(aq_store_record(st, run, &a.a, &a.f), 0);
	assert_int_equal(aq_store_record(st, run, &b.a, &b.f), 0);
	assert_int_equal(aq_store_input_error(st, run, "x.txt:3: bad record"), 0);
	assert_int_equal(aq_store_end_run(st, run, 2, 3, 1), 0);

	/* Everything, in record order, with every field. */
	memset(&g, 0, sizeof(g));
	assert_int_equal(aq_store_query_findings(st, NULL, collect, &g), 0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.record[0], "rec-a");
	assert_string_equal(g.rule[0], "structure.omission");
	assert_string_equal(g.fingerprint[0], "0123456789abcdef");
	assert_string_equal(g.journal[0], "Kidney Int Rep");
	assert_int_equal(g.run[0], run);
	assert_true(g.first.has_en);
	assert_false(g.first.has_zh);
	assert_int_equal(g.first.en_off, 14);
	assert_int_equal(g.first.en_end, 28);
	assert_string_equal(g.rule[1], "numbers.changed");
	assert_string_equal(g.record[2], "rec-b");
	assert_string_equal(g.journal[2], "(null)");
	assert_string_equal(g.fingerprint[2], "0000000000000003");

	memset(&q, 0, sizeof(q));
	q.rule = "numbers.changed";
	assert_int_equal(count(st, &q), 1);
	q.rule = "numbers";
	assert_int_equal(count(st, &q), 0);

	memset(&q, 0, sizeof(q));
	q.min_severity = AQ_SEV_WARNING;
	assert_int_equal(count(st, &q), 2);
	q.min_severity = AQ_SEV_ERROR;
	assert_int_equal(count(st, &q), 1);
	q.min_severity = AQ_SEV_INFO;
	assert_int_equal(count(st, &q), 3);

	memset(&q, 0, sizeof(q));
	q.category = "style";
	assert_int_equal(count(st, &q), 1);
	q.category = "omission";
	assert_int_equal(count(st, &q), 1);

	memset(&q, 0, sizeof(q));
	q.record = "rec-a";
	assert_int_equal(count(st, &q), 2);
	q.record = "rec-c";
	assert_int_equal(count(st, &q), 0);

	memset(&q, 0, sizeof(q));
	q.journal = "Kidney Int Rep";
	assert_int_equal(count(st, &q), 2);

	memset(&q, 0, sizeof(q));
	q.run = run;
	assert_int_equal(count(st, &q), 3);
	q.run = run + 1;
	assert_int_equal(count(st, &q), 0);

	/* Filters combine. */
	memset(&q, 0, sizeof(q));
	q.record = "rec-a";
	q.min_severity = AQ_SEV_ERROR;
	q.category = "omission";
	assert_int_equal(count(st, &q), 1);
	aq_store_close(st);

	/* What else went in. */
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM sentences"), 8);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM beads"), 4);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM sentences WHERE lang = 'zh' "
		"AND idx = 1 AND start = 9 AND \"end\" = 18"), 2);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM beads WHERE score = 0.875"), 2);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM input_errors"), 1);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM runs WHERE records = 2 AND "
		"findings = 3 AND input_errors = 1 AND ended_at IS NOT NULL AND "
		"rules_digest = '00112233aabbccdd' AND tool_version = '" AQ_VERSION "'"), 1);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM records WHERE doi = "
		"'10.5555/aq.1' AND date = '2025-01-02' AND line = 7 AND "
		"length(content_hash) = 16 AND meta_json LIKE '{\"journal\":\"Kidney Int Rep\",%'"),
		1);
	assert_int_equal(path_int(t->path, "SELECT count(DISTINCT content_hash) FROM records"), 1);
	sample_dispose(&a);
	sample_dispose(&b);
}

static void test_latest_results(void **state)
{
	tmpdir *t = *state;
	aq_store *st = NULL;
	aq_store_query q;
	int64_t run1 = 0, run2 = 0;
	sample a1, b1, a2;
	got g;

	sample_init(&a1, "a", NULL);
	sample_add(&a1, "r.one", AQ_SEV_ERROR, AQ_CAT_NUMBER, NULL, NULL, "old 1", 1);
	sample_add(&a1, "r.two", AQ_SEV_ERROR, AQ_CAT_NUMBER, NULL, NULL, "old 2", 2);
	sample_init(&b1, "b", NULL);
	sample_add(&b1, "r.one", AQ_SEV_ERROR, AQ_CAT_NUMBER, NULL, NULL, "b old", 3);
	sample_init(&a2, "a", NULL); /* fixed: one finding left */
	sample_add(&a2, "r.two", AQ_SEV_WARNING, AQ_CAT_NUMBER, NULL, NULL, "new 2", 2);

	assert_int_equal(aq_store_open(&st, t->ctx, t->path), 0);
	assert_int_equal(aq_store_begin_run(st, &run1, NULL, NULL, NULL), 0);
	assert_int_equal(aq_store_record(st, run1, &a1.a, &a1.f), 0);
	assert_int_equal(aq_store_record(st, run1, &b1.a, &b1.f), 0);
	assert_int_equal(aq_store_end_run(st, run1, 2, 3, 0), 0);
	aq_store_close(st);

	/* A later run, by another store, checks only record a. */
	assert_int_equal(aq_store_open(&st, t->ctx, t->path), 0);
	assert_int_equal(aq_store_begin_run(st, &run2, NULL, NULL, NULL), 0);
	assert_true(run2 > run1);
	assert_int_equal(aq_store_record(st, run2, &a2.a, &a2.f), 0);
	assert_int_equal(aq_store_end_run(st, run2, 1, 1, 0), 0);

	memset(&g, 0, sizeof(g));
	assert_int_equal(aq_store_query_findings(st, NULL, collect, &g), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.record[0], "a");
	assert_string_equal(g.message[0], "new 2");
	assert_int_equal(g.run[0], run2);
	assert_string_equal(g.record[1], "b");
	assert_string_equal(g.message[1], "b old");
	assert_int_equal(g.run[1], run1);

	/* Latest first, filters after: a's old error does not come back. */
	memset(&q, 0, sizeof(q));
	q.min_severity = AQ_SEV_ERROR;
	q.record = "a";
	assert_int_equal(count(st, &q), 0);

	memset(&q, 0, sizeof(q));
	q.run = run1;
	assert_int_equal(count(st, &q), 3);
	q.run = run2;
	assert_int_equal(count(st, &q), 1);
	aq_store_close(st);
	sample_dispose(&a1);
	sample_dispose(&b1);
	sample_dispose(&a2);
}

static void test_batches_and_unended_run(void **state)
{
	tmpdir *t = *state;
	aq_store *st = NULL;
	int64_t run = 0;
	char id[32];
	sample s;

	sample_init(&s, "x", NULL);
	sample_add(&s, "r.one", AQ_SEV_INFO, AQ_CAT_STYLE, NULL, NULL, "m", 1);
	assert_int_equal(aq_store_open(&st, t->ctx, t->path), 0);
	assert_int_equal(aq_store_begin_run(st, &run, NULL, NULL, NULL), 0);
	for (int i = 0; i < 1203; i++) {
		snprintf(id, sizeof(id), "rec-%04d", i);
		free(s.rec->id);
		s.rec->id = strdup(id);
		assert_non_null(s.rec->id);
		assert_int_equal(aq_store_record(st, run, &s.a, &s.f), 0);
	}
	/* Two full batches are committed and visible to another reader. */
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM records"), 1000);
	/* The same id twice in a run is an input error; the store goes on. */
	assert_int_equal(aq_store_record(st, run, &s.a, &s.f), AQ_EINPUT);
	assert_non_null(strstr(aq_ctx_errmsg(t->ctx), "appears twice"));
	snprintf(id, sizeof(id), "rec-last");
	free(s.rec->id);
	s.rec->id = strdup(id);
	assert_int_equal(aq_store_record(st, run, &s.a, &s.f), 0);
	/* A record that fails half way (here a severity the schema rejects,
	 * after its row, sentences and beads went in) leaves nothing behind. */
	free(s.rec->id);
	s.rec->id = strdup("rec-broken");
	s.f.v[0].severity = (aq_severity)7;
	assert_int_equal(aq_store_record(st, run, &s.a, &s.f), AQ_EDB);
	assert_non_null(strstr(aq_ctx_errmsg(t->ctx), "CHECK constraint failed"));
	s.f.v[0].severity = AQ_SEV_INFO;
	/* Closing without ending the run keeps the complete records. */
	aq_store_close(st);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM records"), 1204);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM findings"), 1204);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM runs WHERE ended_at IS NULL"), 1);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM records WHERE "
		"record_id = 'rec-broken'"), 0);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM sentences"), 4 * 1204);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM beads"), 2 * 1204);
	sample_dispose(&s);
}

static void test_migration_from_v1(void **state)
{
	tmpdir *t = *state;
	aq_store *st = NULL;
	aq_store_query q;
	int64_t run = 0;
	sample s;
	got g;

	/* A version 1 database with data in it, as an older alignqa left it. */
	assert_int_equal(aq_store_open_version(&st, t->ctx, t->path, 1), 0);
	aq_store_close(st);
	st = NULL;
	assert_int_equal(path_int(t->path, "PRAGMA user_version"), 1);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM sqlite_master WHERE "
		"name = 'records_journal'"), 0);
	raw_exec(t->path,
		"INSERT INTO runs (id, tool_version, started_at) VALUES (1, '0.0.9', "
		" '2026-01-01T00:00:00Z');"
		"INSERT INTO records (id, run_id, record_id, source, line, content_hash, journal)"
		" VALUES (1, 1, 'old', 'old.txt', 1, '0000000000000000', 'Old J');"
		"INSERT INTO findings (record_pk, rule, severity, category, message, fingerprint)"
		" VALUES (1, 'r.old', 'warning', 'style', 'from v1', 'ffffffffffffffff');");

	assert_int_equal(aq_store_open(&st, t->ctx, t->path), 0);
	assert_int_equal(path_int(t->path, "PRAGMA user_version"), 3);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM sqlite_master WHERE "
		"name = 'records_journal'"), 1);
	memset(&q, 0, sizeof(q));
	q.journal = "Old J";
	memset(&g, 0, sizeof(g));
	assert_int_equal(aq_store_query_findings(st, &q, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.message[0], "from v1");
	assert_false(g.first.has_en);

	/* And the migrated database takes new runs. */
	sample_init(&s, "new", NULL);
	sample_add(&s, "r.new", AQ_SEV_ERROR, AQ_CAT_NUMBER, NULL, NULL, "m", 9);
	assert_int_equal(aq_store_begin_run(st, &run, NULL, NULL, NULL), 0);
	assert_int_equal(run, 2);
	assert_int_equal(aq_store_record(st, run, &s.a, &s.f), 0);
	assert_int_equal(aq_store_end_run(st, run, 1, 1, 0), 0);
	assert_int_equal(count(st, NULL), 2);
	aq_store_close(st);
	sample_dispose(&s);
}

/* Version 3 adds the records' text; rows stored before keep NULL there. */
static int keep_full(const aq_store_full_record *r, void *payload)
{
	int *seen = payload;

	if (!strcmp(r->record, "old2")) {
		assert_null(r->en);
		assert_null(r->zh);
		assert_int_equal(r->n_findings, 1);
		assert_string_equal(r->findings[0].message, "from v2");
		seen[0]++;
	} else {
		assert_string_equal(r->record, "new");
		assert_non_null(r->en);
		assert_int_equal(r->en_len, strlen("One sentence. Two sentences."));
		assert_memory_equal(r->zh, "一句。两句。", r->zh_len);
		assert_int_equal(r->n_en_sents, 2);
		assert_int_equal(r->n_zh_sents, 2);
		assert_int_equal(r->n_beads, 2);
		assert_int_equal(r->beads[1].en_idx, 1);
		seen[1]++;
	}
	return 0;
}

static void test_migration_from_v2(void **state)
{
	tmpdir *t = *state;
	aq_store *st = NULL;
	int64_t run = 0, n = 0;
	int seen[2] = { 0, 0 };
	sample s;

	assert_int_equal(aq_store_open_version(&st, t->ctx, t->path, 2), 0);
	aq_store_close(st);
	st = NULL;
	assert_int_equal(path_int(t->path, "PRAGMA user_version"), 2);
	raw_exec(t->path,
		"INSERT INTO runs (id, tool_version, started_at) VALUES (1, '0.1.0', "
		" '2026-06-01T00:00:00Z');"
		"INSERT INTO records (id, run_id, record_id, source, line, content_hash, journal)"
		" VALUES (1, 1, 'old2', 'old.txt', 1, '0000000000000000', 'Old J');"
		"INSERT INTO findings (record_pk, rule, severity, category, message, fingerprint)"
		" VALUES (1, 'r.old', 'warning', 'style', 'from v2', 'ffffffffffffffff');");

	assert_int_equal(aq_store_open(&st, t->ctx, t->path), 0);
	assert_int_equal(path_int(t->path, "PRAGMA user_version"), 3);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM records WHERE en IS NULL"
		" AND zh IS NULL AND record_id = 'old2'"), 1);
	sample_init(&s, "new", NULL);
	sample_add(&s, "r.new", AQ_SEV_ERROR, AQ_CAT_NUMBER, NULL, NULL, "m", 9);
	assert_int_equal(aq_store_begin_run(st, &run, NULL, NULL, NULL), 0);
	assert_int_equal(aq_store_record(st, run, &s.a, &s.f), 0);
	assert_int_equal(aq_store_end_run(st, run, 1, 1, 0), 0);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM records WHERE"
		" en = 'One sentence. Two sentences.'"), 1);
	assert_int_equal(aq_store_count_records(st, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(aq_store_query_records(st, keep_full, seen), 0);
	assert_int_equal(seen[0], 1);
	assert_int_equal(seen[1], 1);
	aq_store_close(st);
	sample_dispose(&s);
}

static void test_refuses_newer_schema(void **state)
{
	tmpdir *t = *state;
	aq_store *st = NULL;
	char want[256];

	assert_int_equal(aq_store_open(&st, t->ctx, t->path), 0);
	aq_store_close(st);
	st = NULL;
	raw_exec(t->path, "PRAGMA user_version = 999");
	assert_int_equal(aq_store_open(&st, t->ctx, t->path), AQ_EDB);
	assert_null(st);
	snprintf(want, sizeof(want), "%s: database schema version 999 is newer than this "
		"alignqa (%d); upgrade alignqa", t->path, AQ_STORE_SCHEMA_VERSION);
	assert_string_equal(aq_ctx_errmsg(t->ctx), want);
	assert_int_equal(path_int(t->path, "PRAGMA user_version"), 999);
}

static const char *junk_path(char *buf, size_t size, const char *dir)
{
	snprintf(buf, size, "%s/junk", dir);
	return buf;
}

static void test_unusable_databases(void **state)
{
	tmpdir *t = *state;
	aq_store *st = NULL;
	int64_t run = 0;
	char uri[200], junk[160];
	FILE *fp;

	/* Read-only (root ignores file modes, so ask SQLite for it). */
	assert_int_equal(aq_store_open(&st, t->ctx, t->path), 0);
	aq_store_close(st);
	st = NULL;
	snprintf(uri, sizeof(uri), "file:%s?mode=ro", t->path);
	assert_int_equal(aq_store_open(&st, t->ctx, uri), 0);
	assert_int_equal(count(st, NULL), 0); /* reading is fine */
	assert_int_equal(aq_store_begin_run(st, &run, NULL, NULL, NULL), AQ_EDB);
	assert_non_null(strstr(aq_ctx_errmsg(t->ctx), "readonly"));
	assert_non_null(strstr(aq_ctx_errmsg(t->ctx), uri));
	assert_int_equal(aq_store_input_error(st, run, "x"), AQ_EDB);
	aq_store_close(st);
	st = NULL;

	/* A read-only database too old for this code cannot be migrated. */
	raw_exec(t->path, "PRAGMA user_version = 1");
	assert_int_equal(aq_store_open(&st, t->ctx, uri), AQ_EDB);
	assert_null(st);
	raw_exec(t->path, "PRAGMA user_version = 3");

	/* Schema versions alignqa never wrote. */
	raw_exec(t->path, "PRAGMA user_version = -3");
	assert_int_equal(aq_store_open(&st, t->ctx, t->path), AQ_EDB);
	assert_non_null(strstr(aq_ctx_errmsg(t->ctx), "version -3 is not"));
	assert_null(st);
	raw_exec(t->path, "PRAGMA user_version = 3");

	/* Another program's database: tables but no version.  Left alone. */
	raw_exec(junk_path(junk, sizeof(junk), t->dir),
		"CREATE TABLE runs (x); INSERT INTO runs VALUES (1);");
	assert_int_equal(aq_store_open(&st, t->ctx, junk), AQ_EDB);
	assert_non_null(strstr(aq_ctx_errmsg(t->ctx), "not an alignqa database"));
	assert_null(st);
	assert_int_equal(path_int(junk, "SELECT count(*) FROM sqlite_master"), 1);
	assert_int_equal(path_int(junk, "PRAGMA user_version"), 0);
	unlink(junk);

	/* A directory, a file that is no database, an empty name. */
	assert_int_equal(aq_store_open(&st, t->ctx, t->dir), AQ_EDB);
	assert_null(st);
	fp = fopen(junk_path(junk, sizeof(junk), t->dir), "w");
	assert_non_null(fp);
	fputs("this is not a database, not even close; it is just some text.\n", fp);
	fclose(fp);
	assert_int_equal(aq_store_open(&st, t->ctx, junk), AQ_EDB);
	assert_non_null(strstr(aq_ctx_errmsg(t->ctx), "not a database"));
	assert_null(st);
	unlink(junk);
	assert_int_equal(aq_store_open(&st, t->ctx, ""), AQ_EINVAL);
	assert_null(st);
}

static void test_hostile_strings_verbatim(void **state)
{
	tmpdir *t = *state;
	static const char evil_id[] = "x'); DROP TABLE findings; --";
	static const char evil_msg[] = "\" OR 1=1 -- '; DELETE FROM runs; \\ %s %n ？";
	static const char evil_rule[] = "r'\"`[]";
	static const char evil_journal[] = "J'; UPDATE records SET journal = 'pwned'; --";
	aq_store *st = NULL;
	aq_store_query q;
	int64_t run = 0;
	sample s;
	got g;

	sample_init(&s, evil_id, evil_journal);
	sample_add(&s, evil_rule, AQ_SEV_ERROR, AQ_CAT_NUMBER, NULL, NULL, evil_msg, 7);
	assert_int_equal(aq_store_open(&st, t->ctx, t->path), 0);
	assert_int_equal(aq_store_begin_run(st, &run, "1'; --", "'", "{\"a\":\"'\"}"), 0);
	assert_int_equal(aq_store_record(st, run, &s.a, &s.f), 0);
	assert_int_equal(aq_store_input_error(st, run, "'); DROP TABLE runs; --"), 0);
	assert_int_equal(aq_store_end_run(st, run, 1, 1, 1), 0);

	memset(&q, 0, sizeof(q));
	q.record = evil_id;
	q.rule = evil_rule;
	q.journal = evil_journal;
	memset(&g, 0, sizeof(g));
	assert_int_equal(aq_store_query_findings(st, &q, collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_string_equal(g.record[0], evil_id);
	assert_string_equal(g.rule[0], evil_rule);
	assert_string_equal(g.message[0], evil_msg);
	assert_string_equal(g.journal[0], evil_journal);
	/* A filter that looks like SQL matches nothing rather than everything. */
	q.record = "' OR '1'='1";
	assert_int_equal(count(st, &q), 0);
	aq_store_close(st);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM runs WHERE "
		"tool_version = '1''; --'"), 1);
	assert_int_equal(path_int(t->path, "SELECT count(*) FROM input_errors"), 1);
	sample_dispose(&s);
}

static int stop_after_one(const aq_store_finding *f, void *payload)
{
	(void)f;
	++*(int *)payload;
	return 42;
}

static void test_callback_stops(void **state)
{
	tmpdir *t = *state;
	aq_store *st = NULL;
	int64_t run = 0;
	int calls = 0;
	sample s;

	sample_init(&s, "a", NULL);
	sample_add(&s, "r.one", AQ_SEV_ERROR, AQ_CAT_NUMBER, NULL, NULL, "1", 1);
	sample_add(&s, "r.two", AQ_SEV_ERROR, AQ_CAT_NUMBER, NULL, NULL, "2", 2);
	assert_int_equal(aq_store_open(&st, t->ctx, t->path), 0);
	assert_int_equal(aq_store_begin_run(st, &run, NULL, NULL, NULL), 0);
	assert_int_equal(aq_store_record(st, run, &s.a, &s.f), 0);
	/* The query commits the pending batch and sees it. */
	assert_int_equal(aq_store_query_findings(st, NULL, stop_after_one, &calls), 42);
	assert_int_equal(calls, 1);
	/* The statement was reset: the store still works. */
	assert_int_equal(aq_store_end_run(st, run, 1, 2, 0), 0);
	assert_int_equal(count(st, NULL), 2);
	aq_store_close(st);
	sample_dispose(&s);
}

/* ---- comparing two states (aq_store_compare) ---- */

typedef struct changes {
	size_t n_new, n_fixed;
	char line[16][160]; /* "+record rule fingerprint message", "-..." */
	size_t n;
} changes;

static int collect_change(aq_store_change ch, const aq_store_finding *f, void *payload)
{
	changes *c = payload;

	if (ch == AQ_CHANGE_NEW)
		c->n_new++;
	else
		c->n_fixed++;
	if (c->n < 16)
		snprintf(c->line[c->n++], sizeof(c->line[0]), "%c%s %s %s %s run%lld",
			ch == AQ_CHANGE_NEW ? '+' : '-', f->record, f->rule, f->fingerprint,
			f->message, (long long)f->run);
	return 0;
}

/* Compares with from/to (AQ_STORE_RUN_AUTO for the defaults) and
 * against; checks the return code and, on success, the runs compared. */
static changes compare(aq_store *st, int64_t from, int64_t to, const char *against,
	int want_rc, int64_t want_from, int64_t want_to)
{
	aq_store_compare_opts o = { against, from, to };
	int64_t got_from = -7, got_to = -7;
	changes c;

	memset(&c, 0, sizeof(c));
	assert_int_equal(aq_store_compare(&got_from, &got_to, st, &o, collect_change, &c),
		want_rc);
	if (want_rc == 0) {
		assert_int_equal(got_from, want_from);
		assert_int_equal(got_to, want_to);
	}
	return c;
}

static void test_compare_runs(void **state)
{
	tmpdir *t = *state;
	aq_store *st = NULL;
	int64_t run1 = 0, run2 = 0, run3 = 0;
	sample a1, b1, a2, c3;
	changes c;

	sample_init(&a1, "a", NULL);
	sample_add(&a1, "r.one", AQ_SEV_ERROR, AQ_CAT_NUMBER, NULL, NULL, "a one", 1);
	sample_add(&a1, "r.two", AQ_SEV_WARNING, AQ_CAT_STYLE, NULL, NULL, "a two", 2);
	sample_init(&b1, "b", NULL);
	sample_add(&b1, "r.one", AQ_SEV_ERROR, AQ_CAT_NUMBER, NULL, NULL, "b one", 3);
	/* a changed: r.one fixed, r.two now twice (one more), r.three new */
	sample_init(&a2, "a", NULL);
	sample_add(&a2, "r.two", AQ_SEV_WARNING, AQ_CAT_STYLE, NULL, NULL, "a two", 2);
	sample_add(&a2, "r.three", AQ_SEV_INFO, AQ_CAT_STYLE, NULL, NULL, "a three", 4);
	sample_add(&a2, "r.two", AQ_SEV_WARNING, AQ_CAT_STYLE, NULL, NULL, "a two again", 2);
	sample_init(&c3, "c", NULL);
	sample_add(&c3, "r.one", AQ_SEV_ERROR, AQ_CAT_NUMBER, NULL, NULL, "c one", 5);

	assert_int_equal(aq_store_open(&st, t->ctx, t->path), 0);
	/* An empty database: both sides are the empty state. */
	c = compare(st, AQ_STORE_RUN_AUTO, AQ_STORE_RUN_AUTO, NULL, 0, 0, 0);
	assert_int_equal(c.n_new + c.n_fixed, 0);

	assert_int_equal(aq_store_begin_run(st, &run1, NULL, NULL, NULL), 0);
	assert_int_equal(aq_store_record(st, run1, &a1.a, &a1.f), 0);
	assert_int_equal(aq_store_record(st, run1, &b1.a, &b1.f), 0);
	assert_int_equal(aq_store_end_run(st, run1, 2, 3, 0), 0);
	/* One run: the default old side is the empty state. */
	c = compare(st, AQ_STORE_RUN_AUTO, AQ_STORE_RUN_AUTO, NULL, 0, 0, run1);
	assert_int_equal(c.n_new, 3);
	assert_int_equal(c.n_fixed, 0);
	assert_string_equal(c.line[0], "+a r.one 0000000000000001 a one run1");
	assert_string_equal(c.line[2], "+b r.one 0000000000000003 b one run1");

	/* An incremental run: only a was checked again, b was skipped. */
	assert_int_equal(aq_store_begin_run(st, &run2, NULL, NULL, NULL), 0);
	assert_int_equal(aq_store_record(st, run2, &a2.a, &a2.f), 0);
	assert_int_equal(aq_store_end_run(st, run2, 1, 3, 0), 0);
	c = compare(st, AQ_STORE_RUN_AUTO, AQ_STORE_RUN_AUTO, NULL, 0, run1, run2);
	assert_int_equal(c.n_new, 2);
	assert_int_equal(c.n_fixed, 1);
	/* New ones in stored order; the second "a two" is the new one. */
	assert_string_equal(c.line[0], "+a r.three 0000000000000004 a three run2");
	assert_string_equal(c.line[1], "+a r.two 0000000000000002 a two again run2");
	assert_string_equal(c.line[2], "-a r.one 0000000000000001 a one run1");

	/* The other way round, new and fixed swap. */
	c = compare(st, run2, run1, NULL, 0, run2, run1);
	assert_int_equal(c.n_new, 1);
	assert_int_equal(c.n_fixed, 2);
	assert_string_equal(c.line[0], "+a r.one 0000000000000001 a one run1");
	/* From the empty state to run 2: everything current then. */
	c = compare(st, 0, AQ_STORE_RUN_AUTO, NULL, 0, 0, run2);
	assert_int_equal(c.n_new, 4);
	assert_int_equal(c.n_fixed, 0);
	/* --to 1 alone: the run before it is the empty state. */
	c = compare(st, AQ_STORE_RUN_AUTO, run1, NULL, 0, 0, run1);
	assert_int_equal(c.n_new, 3);
	/* A state against itself. */
	c = compare(st, run2, run2, NULL, 0, run2, run2);
	assert_int_equal(c.n_new + c.n_fixed, 0);

	/* A third run stores only c: a and b keep their run 2 state. */
	assert_int_equal(aq_store_begin_run(st, &run3, NULL, NULL, NULL), 0);
	assert_int_equal(aq_store_record(st, run3, &c3.a, &c3.f), 0);
	assert_int_equal(aq_store_end_run(st, run3, 1, 1, 0), 0);
	c = compare(st, AQ_STORE_RUN_AUTO, AQ_STORE_RUN_AUTO, NULL, 0, run2, run3);
	assert_int_equal(c.n_new, 1);
	assert_int_equal(c.n_fixed, 0);
	assert_string_equal(c.line[0], "+c r.one 0000000000000005 c one run3");
	c = compare(st, run1, run3, NULL, 0, run1, run3);
	assert_int_equal(c.n_new, 3);
	assert_int_equal(c.n_fixed, 1);

	/* Runs that do not exist. */
	compare(st, 9, AQ_STORE_RUN_AUTO, NULL, AQ_EINVAL, 0, 0);
	assert_non_null(strstr(aq_ctx_errmsg(t->ctx), "no run 9 in"));
	compare(st, AQ_STORE_RUN_AUTO, 9, NULL, AQ_EINVAL, 0, 0);
	compare(st, -5, AQ_STORE_RUN_AUTO, NULL, AQ_EINVAL, 0, 0);
	/* NULL options are the defaults. */
	{
		int64_t f = 0, to = 0;

		memset(&c, 0, sizeof(c));
		assert_int_equal(aq_store_compare(&f, &to, st, NULL, collect_change, &c), 0);
		assert_int_equal(f, run2);
		assert_int_equal(to, run3);
		assert_int_equal(c.n_new, 1);
	}
	aq_store_close(st);
	sample_dispose(&a1);
	sample_dispose(&b1);
	sample_dispose(&a2);
	sample_dispose(&c3);
}

static int stop_change(aq_store_change ch, const aq_store_finding *f, void *payload)
{
	(void)ch;
	(void)f;
	++*(int *)payload;
	return 42;
}

static void test_compare_against(void **state)
{
	tmpdir *t = *state;
	char old_path[192], odd_path[192], junk[192], missing[192], p[224];
	aq_store *st = NULL;
	int64_t run = 0, from = 0, to = 0;
	aq_store_compare_opts o = { NULL, AQ_STORE_RUN_AUTO, AQ_STORE_RUN_AUTO };
	sample a1, a2, b1;
	changes c;
	int calls = 0;
	FILE *fp;

	sample_init(&a1, "a", NULL);
	sample_add(&a1, "r.one", AQ_SEV_ERROR, AQ_CAT_NUMBER, NULL, NULL, "a one", 1);
	sample_init(&a2, "a", NULL);
	sample_add(&a2, "r.two", AQ_SEV_ERROR, AQ_CAT_NUMBER, NULL, NULL, "a two", 2);
	sample_init(&b1, "b", NULL);
	sample_add(&b1, "r.one", AQ_SEV_WARNING, AQ_CAT_NUMBER, NULL, NULL, "b one", 3);
	/* The baseline: two runs, a then b, in a file whose name needs
	 * escaping in a URI. */
	snprintf(old_path, sizeof(old_path), "%s/old.db", t->dir);
	snprintf(odd_path, sizeof(odd_path), "%s/b?a%%se#1.db", t->dir);
	assert_int_equal(aq_store_open(&st, t->ctx, old_path), 0);
	assert_int_equal(aq_store_begin_run(st, &run, NULL, NULL, NULL), 0);
	assert_int_equal(aq_store_record(st, run, &a1.a, &a1.f), 0);
	assert_int_equal(aq_store_end_run(st, run, 1, 1, 0), 0);
	assert_int_equal(aq_store_begin_run(st, &run, NULL, NULL, NULL), 0);
	assert_int_equal(aq_store_record(st, run, &b1.a, &b1.f), 0);
	assert_int_equal(aq_store_end_run(st, run, 1, 1, 0), 0);
	aq_store_close(st);
	assert_int_equal(rename(old_path, odd_path), 0);

	/* The new database: a changed, b the same, in one run. */
	assert_int_equal(aq_store_open(&st, t->ctx, t->path), 0);
	assert_int_equal(aq_store_begin_run(st, &run, NULL, NULL, NULL), 0);
	assert_int_equal(aq_store_record(st, run, &a2.a, &a2.f), 0);
	assert_int_equal(aq_store_record(st, run, &b1.a, &b1.f), 0);
	assert_int_equal(aq_store_end_run(st, run, 2, 2, 0), 0);

	/* Default: the baseline's latest results (run 2 there) vs our latest. */
	c = compare(st, AQ_STORE_RUN_AUTO, AQ_STORE_RUN_AUTO, odd_path, 0, 2, 1);
	assert_int_equal(c.n_new, 1);
	assert_int_equal(c.n_fixed, 1);
	assert_string_equal(c.line[0], "+a r.two 0000000000000002 a two run1");
	assert_string_equal(c.line[1], "-a r.one 0000000000000001 a one run1");
	/* --from names a run of the baseline: as of its run 1, b is new. */
	c = compare(st, 1, AQ_STORE_RUN_AUTO, odd_path, 0, 1, 1);
	assert_int_equal(c.n_new, 2);
	assert_int_equal(c.n_fixed, 1);
	compare(st, 3, AQ_STORE_RUN_AUTO, odd_path, AQ_EINVAL, 0, 0);
	assert_non_null(strstr(aq_ctx_errmsg(t->ctx), "no run 3 in"));
	/* The callback's value comes back and the baseline is detached. */
	o.against = odd_path;
	assert_int_equal(aq_store_compare(&from, &to, st, &o, stop_change, &calls), 42);
	assert_int_equal(calls, 1);
	c = compare(st, AQ_STORE_RUN_AUTO, AQ_STORE_RUN_AUTO, odd_path, 0, 2, 1);
	assert_int_equal(c.n_new + c.n_fixed, 2);

	/* What cannot be a baseline: a missing file (not created), a file that
	 * is no database, a database of another program. */
	snprintf(missing, sizeof(missing), "%s/missing.db", t->dir);
	compare(st, AQ_STORE_RUN_AUTO, AQ_STORE_RUN_AUTO, missing, AQ_EDB, 0, 0);
	assert_int_equal(access(missing, F_OK), -1);
	snprintf(junk, sizeof(junk), "%s/junk.db", t->dir);
	fp = fopen(junk, "w");
	assert_non_null(fp);
	fputs("not a database, not at all; just some text that is long enough\n", fp);
	fclose(fp);
	compare(st, AQ_STORE_RUN_AUTO, AQ_STORE_RUN_AUTO, junk, AQ_EDB, 0, 0);
	assert_non_null(strstr(aq_ctx_errmsg(t->ctx), "junk.db: "));
	unlink(junk);
	raw_exec(junk, "CREATE TABLE other (x)");
	compare(st, AQ_STORE_RUN_AUTO, AQ_STORE_RUN_AUTO, junk, AQ_EDB, 0, 0);
	assert_non_null(strstr(aq_ctx_errmsg(t->ctx), "not an alignqa database"));
	/* The store works on after the failures. */
	c = compare(st, AQ_STORE_RUN_AUTO, AQ_STORE_RUN_AUTO, NULL, 0, 0, 1);
	assert_int_equal(c.n_new, 2);
	aq_store_close(st);

	/* The baseline was read, never changed. */
	assert_int_equal(path_int(odd_path, "SELECT count(*) FROM runs"), 2);
	assert_int_equal(path_int(odd_path, "PRAGMA user_version"), 3);
	{
		static const char *const suffix[] = { "", "-wal", "-shm", "-journal" };

		for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
			snprintf(p, sizeof(p), "%s%s", odd_path, suffix[i]);
			unlink(p);
			snprintf(p, sizeof(p), "%s%s", junk, suffix[i]);
			unlink(p);
		}
	}
	sample_dispose(&a1);
	sample_dispose(&a2);
	sample_dispose(&b1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_creates_and_reopens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_record_and_filters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_latest_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batches_and_unended_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_from_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_from_v2, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses_newer_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unusable_databases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_strings_verbatim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_callback_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compare_runs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compare_against, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
