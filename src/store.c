/*
 * store.c - the report store: every check run, record, sentence, bead,
 * finding and input error in one SQLite database, and the query that reads
 * findings back.  All SQL of the project lives here.  What to store comes
 * from the caller (the CLI's check command); printing is the caller's too.
 */
#include "store_int.h"
#include "util_int.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Schema (version AQ_STORE_SCHEMA_VERSION of store_int.h, kept in PRAGMA
 * user_version; bump it with each new entry of migrations[]).
 *
 *   runs          one `check` run
 *     id            INTEGER PRIMARY KEY (the run number users see)
 *     tool_version  alignqa version that made it
 *     rules_digest  aq_rules_digest() of the rule set (16 hex chars)
 *     options       the caller's options as JSON text
 *     started_at    UTC, ISO 8601 ("2026-11-24T20:30:00Z")
 *     ended_at      UTC, NULL while running (or if the run never ended)
 *     records, findings, input_errors  totals, NULL until the run ended
 *   records       one checked record of a run; UNIQUE(run_id, record_id)
 *     id            INTEGER PRIMARY KEY (record_pk elsewhere)
 *     run_id        runs.id
 *     record_id     the record's id (aq_record.id)
 *     source, line  file and 1-based line it came from
 *     content_hash  aq_hash64 of en, NUL, zh (16 hex chars): same text, same hash
 *     journal, date, doi  metadata fields, NULL when absent
 *     meta_json     every metadata field as a JSON object (input order)
 *     en, zh        since version 3 the abstracts' text (UTF-8), NULL for
 *                   rows stored before
 *   sentences     (record_pk, lang 'en'|'zh', idx, start, end): UTF-8 byte span
 *   beads         (record_pk, idx, en_first, en_n, zh_first, zh_n, score 0..1)
 *   findings      (id, record_pk, rule, severity 'error'|'warning'|'info',
 *                  category, en_start, en_end, zh_start, zh_end (NULL: no
 *                  place), message, fingerprint (16 hex chars))
 *   input_errors  (id, run_id, message)
 *   indexes       records(record_id, run_id) for the latest results,
 *                 findings(record_pk), (rule), (severity), (category),
 *                 input_errors(run_id); since version 2 records(journal)
 *
 * Child rows go with their record (ON DELETE CASCADE) and records with
 * their run.  Migrations run forward one step at a time, each in its own
 * transaction that also sets user_version, so that an interrupted upgrade
 * leaves a database at some complete version.
 */

/* Commit the open transaction after this many records (a batch). */
#define STORE_BATCH 500

static const char *const migrations[AQ_STORE_SCHEMA_VERSION] = {
	/* 1: the first schema */
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY,"
	" tool_version TEXT NOT NULL,"
	" rules_digest TEXT,"
	" options TEXT,"
	" started_at TEXT NOT NULL,"
	" ended_at TEXT,"
	" records INTEGER,"
	" findings INTEGER,"
	" input_errors INTEGER);"
	"CREATE TABLE records ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" record_id TEXT NOT NULL,"
	" source TEXT,"
	" line INTEGER,"
	" content_hash TEXT NOT NULL,"
	" journal TEXT,"
	" date TEXT,"
	" doi TEXT,"
	" meta_json TEXT NOT NULL DEFAULT '{}',"
	" UNIQUE (run_id, record_id));"
	"CREATE TABLE sentences ("
	" record_pk INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
	" lang TEXT NOT NULL CHECK (lang IN ('en', 'zh')),"
	" idx INTEGER NOT NULL,"
	" start INTEGER NOT NULL,"
	" \"end\" INTEGER NOT NULL,"
	" PRIMARY KEY (record_pk, lang, idx)) WITHOUT ROWID;"
	"CREATE TABLE beads ("
	" record_pk INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
	" idx INTEGER NOT NULL,"
	" en_first INTEGER NOT NULL,"
	" en_n INTEGER NOT NULL,"
	" zh_first INTEGER NOT NULL,"
	" zh_n INTEGER NOT NULL,"
	" score REAL NOT NULL,"
	" PRIMARY KEY (record_pk, idx)) WITHOUT ROWID;"
	"CREATE TABLE findings ("
	" id INTEGER PRIMARY KEY,"
	" record_pk INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,"
	" rule TEXT NOT NULL,"
	" severity TEXT NOT NULL CHECK (severity IN ('error', 'warning', 'info')),"
	" category TEXT NOT NULL,"
	" en_start INTEGER,"
	" en_end INTEGER,"
	" zh_start INTEGER,"
	" zh_end INTEGER,"
	" message TEXT NOT NULL,"
	" fingerprint TEXT NOT NULL);"
	"CREATE TABLE input_errors ("
	" id INTEGER PRIMARY KEY,"
	" run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
	" message TEXT NOT NULL);"
	"CREATE INDEX records_record_id ON records(record_id, run_id);"
	"CREATE INDEX findings_record ON findings(record_pk);"
	"CREATE INDEX findings_rule ON findings(rule);"
	"CREATE INDEX findings_severity ON findings(severity);"
	"CREATE INDEX findings_category ON findings(category);"
	"CREATE INDEX input_errors_run ON input_errors(run_id);",

	/* 2: filtering by journal */
	"CREATE INDEX records_journal ON records(journal);",

	/* 3: the abstracts' text, for the HTML report */
	"ALTER TABLE records ADD COLUMN en TEXT;"
	"ALTER TABLE records ADD COLUMN zh TEXT;",
};

/* The prepared statements, made once per store and reused. */
enum {
	ST_BEGIN,
	ST_COMMIT,
	ST_RUN_INSERT,
	ST_RUN_END,
	ST_RECORD_INSERT,
	ST_SENTENCE_INSERT,     /* then the same for 2, 4 and 8 rows */
	ST_SENTENCE_INSERT_2,
	ST_SENTENCE_INSERT_4,
	ST_SENTENCE_INSERT_8,
	ST_BEAD_INSERT,         /* likewise */
	ST_BEAD_INSERT_2,
	ST_BEAD_INSERT_4,
	ST_BEAD_INSERT_8,
	ST_FINDING_INSERT,
	ST_INPUT_ERROR_INSERT,
	ST_QUERY_LATEST,
	ST_QUERY_RUN,
	ST_LATEST_VERSION,
	ST_RUN_EXISTS,
	ST__COUNT
};

/* The findings query.  CROSS JOIN keeps records the outer loop, so that the
 * latest-results test runs once a record (through records_record_id) and
 * findings are reached through findings_record, instead of a scan of every
 * finding ever stored.  ?1 run, ?2 rule, ?3 lowest severity rank, ?4
 * category, ?5 record id, ?6 journal; a NULL filter matches everything. */
#define QUERY_SELECT \
	"SELECT r.record_id, r.source, f.rule, f.severity, f.category, f.message," \
	" f.fingerprint, r.run_id, f.en_start, f.en_end, f.zh_start, f.zh_end," \
	" r.journal, r.date" \
	" FROM records r CROSS JOIN findings f ON f.record_pk = r.id"
#define QUERY_FILTERS \
	" AND (?2 IS NULL OR f.rule = ?2)" \
	" AND (?3 IS NULL OR (CASE f.severity WHEN 'error' THEN 2" \
	"      WHEN 'warning' THEN 1 ELSE 0 END) >= ?3)" \
	" AND (?4 IS NULL OR f.category = ?4)" \
	" AND (?5 IS NULL OR r.record_id = ?5)" \
	" AND (?6 IS NULL OR r.journal = ?6)" \
	" ORDER BY r.record_id, r.run_id, f.id"

/* Sentences and beads go in up to 8 rows a statement (8, 4, 2, then 1 at
 * a time, store_rows_stmt): a statement's fixed cost (transaction check,
 * cursors, halt, reset) is most of a row's, and a record has about 15
 * sentences and 8 beads.  Same rows, same order as one at a time. */
#define ROWS2(r) r "," r
#define ROWS4(r) ROWS2(r) "," ROWS2(r)
#define ROWS8(r) ROWS4(r) "," ROWS4(r)
#define SENTENCE_INSERT "INSERT INTO sentences (record_pk, lang, idx, start, \"end\") VALUES "
#define SENTENCE_ROW "(?, ?, ?, ?, ?)"
#define BEAD_INSERT \
	"INSERT INTO beads (record_pk, idx, en_first, en_n, zh_first, zh_n, score) VALUES "
#define BEAD_ROW "(?, ?, ?, ?, ?, ?, ?)"

static const char *const statements[ST__COUNT] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_RUN_INSERT] =
		"INSERT INTO runs (tool_version, rules_digest, options, started_at)"
		" VALUES (?1, ?2, ?3, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))",
	[ST_RUN_END] =
		"UPDATE runs SET ended_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now'),"
		" records = ?2, findings = ?3, input_errors = ?4 WHERE id = ?1",
	[ST_RECORD_INSERT] =
		"INSERT INTO records (run_id, record_id, source, line, content_hash, journal,"
		" date, doi, meta_json, en, zh)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
	[ST_SENTENCE_INSERT] = SENTENCE_INSERT SENTENCE_ROW,
	[ST_SENTENCE_INSERT_2] = SENTENCE_INSERT ROWS2(SENTENCE_ROW),
	[ST_SENTENCE_INSERT_4] = SENTENCE_INSERT ROWS4(SENTENCE_ROW),
	[ST_SENTENCE_INSERT_8] = SENTENCE_INSERT ROWS8(SENTENCE_ROW),
	[ST_BEAD_INSERT] = BEAD_INSERT BEAD_ROW,
	[ST_BEAD_INSERT_2] = BEAD_INSERT ROWS2(BEAD_ROW),
	[ST_BEAD_INSERT_4] = BEAD_INSERT ROWS4(BEAD_ROW),
	[ST_BEAD_INSERT_8] = BEAD_INSERT ROWS8(BEAD_ROW),
	[ST_FINDING_INSERT] =
		"INSERT INTO findings (record_pk, rule, severity, category, en_start, en_end,"
		" zh_start, zh_end, message, fingerprint)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
	[ST_INPUT_ERROR_INSERT] =
		"INSERT INTO input_errors (run_id, message) VALUES (?1, ?2)",
	[ST_QUERY_LATEST] = QUERY_SELECT
		" WHERE r.run_id = (SELECT max(r2.run_id) FROM records r2"
		"                   WHERE r2.record_id = r.record_id)"
		QUERY_FILTERS,
	[ST_QUERY_RUN] = QUERY_SELECT " WHERE r.run_id = ?1" QUERY_FILTERS,
	/* The latest stored version of a record id: its text hash and the rule
	 * set that checked it (aq_store_is_unchanged). */
	[ST_LATEST_VERSION] =
		"SELECT r.content_hash, u.rules_digest FROM records r"
		" JOIN runs u ON u.id = r.run_id"
		" WHERE r.record_id = ?1 AND (?2 <= 0 OR r.run_id < ?2)"
		" ORDER BY r.run_id DESC LIMIT 1",
	[ST_RUN_EXISTS] = "SELECT 1 FROM runs WHERE id = ?1",
};

struct aq_store {
	aq_ctx *ctx;            /* borrowed: where errors go */
	sqlite3 *db;
	char *path;             /* as given, for messages */
	sqlite3_stmt *st[ST__COUNT];
	bool in_txn;            /* a batch transaction is open */
	size_t batch;           /* records stored in the open transaction */
	int64_t run_ok;         /* a run id known to exist (begun here or looked up) */
	aq_buf scratch;         /* meta JSON, reused */
};

/* Records the SQLite failure of the last call as "path: message". */
static int store_fail(aq_store *st)
{
	return aq_ctx_error(st->ctx, AQ_EDB, "%s: %s", st->path, sqlite3_errmsg(st->db));
}

/* Steps a statement that returns no rows, then resets it. */
static int store_exec_stmt(aq_store *st, int which)
{
	sqlite3_stmt *s = st->st[which];
	int rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_fail(st);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* Runs literal SQL without parameters (schema, pragmas). */
static int store_exec(aq_store *st, const char *sql)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return store_fail(st);
	return 0;
}

/* The schema version and whether the database holds any table, index,
 * view or trigger, read by one statement and so from one snapshot.  Read
 * apart, another process creating the schema in between would make a new
 * database look like version 0 with tables: another program's. */
static int store_state(aq_store *st, int *version, bool *empty)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, "SELECT (SELECT user_version FROM pragma_user_version),"
		    " (SELECT count(*) FROM sqlite_master)", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*version = sqlite3_column_int(s, 0);
		*empty = sqlite3_column_int64(s, 1) == 0;
		rc = 0;
	} else {
		rc = store_fail(st);
	}
	sqlite3_finalize(s);
	return rc;
}

static int store_refuse_newer(aq_store *st, int version)
{
	return aq_ctx_error(st->ctx, AQ_EDB,
		"%s: database schema version %d is newer than this alignqa (%d); upgrade alignqa",
		st->path, version, AQ_STORE_SCHEMA_VERSION);
}

/* Refuses what this code cannot migrate: a newer schema, a version that
 * was never used, and another program's database (tables, version 0).  An
 * empty database at version 0 is a new one. */
static int store_check_version(aq_store *st, int version, bool empty)
{
	if (version > AQ_STORE_SCHEMA_VERSION)
		return store_refuse_newer(st, version);
	if (version < 0)
		return aq_ctx_error(st->ctx, AQ_EDB, "%s: database schema version %d is not "
			"an alignqa schema version", st->path, version);
	if (version == 0 && !empty)
		return aq_ctx_error(st->ctx, AQ_EDB, "%s: not an alignqa database (it has "
			"tables but no alignqa schema version)", st->path);
	return 0;
}

/* Brings the schema to target one migration at a time. */
static int store_migrate(aq_store *st, int target)
{
	char sql[64];
	bool empty;
	int version, rc;

	for (;;) {
		if ((rc = store_state(st, &version, &empty)))
			return rc;
		if (version >= target && version <= AQ_STORE_SCHEMA_VERSION)
			return 0;
		if ((rc = store_check_version(st, version, empty)))
			return rc;
		if ((rc = store_exec(st, "BEGIN IMMEDIATE")))
			return rc;
		/* Another process may have migrated while we waited for the lock. */
		if ((rc = store_state(st, &version, &empty)) ||
		    (rc = store_check_version(st, version, empty)))
			goto fail;
		if (version >= target) {
			if ((rc = store_exec(st, "COMMIT")))
				goto fail;
			continue;
		}
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", version + 1);
		if ((rc = store_exec(st, migrations[version])) || (rc = store_exec(st, sql)) ||
		    (rc = store_exec(st, "COMMIT")))
			goto fail;
	}
fail:
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return rc;
}

/*
 * Foreign keys and CHECK constraints on the write path.  The writer makes
 * every key it stores: a record's run is the one begun on this store (or
 * one looked up once, store_run_exists()), child rows take the id of the
 * record row just inserted, lang is a literal and a finding's severity is
 * checked in C (store_findings).  SQLite's checks would only repeat that,
 * at a price: a parent lookup a child row, and for severity IN (...) an
 * ephemeral table built for every finding (a quarter of the store's
 * work).  So a store runs with both off, and turns them on for what copies
 * rows it did not make (merge) and for migrations.  Other connections
 * (the sqlite3 shell, readers) are not affected.
 */
#define STORE_CHECKS_ON "PRAGMA foreign_keys = ON; PRAGMA ignore_check_constraints = OFF"
#define STORE_CHECKS_OFF "PRAGMA foreign_keys = OFF; PRAGMA ignore_check_constraints = ON"

enum {
	STORE_BUSY_MS = 30000,    /* another check may hold the write lock for a batch */
	STORE_WAL_RETRY_MS = 10,
};

/* Switches to WAL, so that readers (`alignqa findings`) work while a check
 * writes.  Two processes switching one new database at once deadlock on
 * SQLite's locks, and SQLite fails one of them with SQLITE_BUSY at once,
 * without the busy handler: wait here instead.  The other's switch takes
 * moments, and then this one finds WAL already on. */
static int store_wal(aq_store *st)
{
	for (int waited_ms = 0;; waited_ms += STORE_WAL_RETRY_MS) {
		int rc = sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);

		if (rc == SQLITE_OK)
			return 0;
		if ((rc & 0xff) != SQLITE_BUSY || waited_ms >= STORE_BUSY_MS)
			return store_fail(st);
		sqlite3_sleep(STORE_WAL_RETRY_MS);
	}
}

/* aq_store_open() is this at the current version; tests make old
 * databases with it (store_int.h). */
int aq_store_open_version(aq_store **out, aq_ctx *ctx, const char *path, int target)
{
	aq_store *st = NULL;
	bool empty;
	int version, rc = AQ_ENOMEM;

	*out = NULL;
	if (!path || !*path)
		return aq_ctx_error(ctx, AQ_EINVAL, "the database path is empty");
	if (target < 1 || target > AQ_STORE_SCHEMA_VERSION)
		return aq_ctx_error(ctx, AQ_EINVAL, "no schema version %d", target);
	if (!(st = calloc(1, sizeof(*st))) || !(st->path = strdup(path))) {
		aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
		goto out;
	}
	st->ctx = ctx;
	aq_buf_init(&st->scratch);
	/* NOMUTEX: one store is used by one thread at a time (alignqa.h), so
	 * SQLite's connection mutex, taken by every bind and step, buys nothing. */
	if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		    SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		if (!st->db) {
			aq_ctx_error(ctx, AQ_ENOMEM, "%s: out of memory", path);
			goto out;
		}
		rc = store_fail(st);
		goto out;
	}
	sqlite3_extended_result_codes(st->db, 1);
	sqlite3_busy_timeout(st->db, STORE_BUSY_MS);
	/* Look before changing anything: a newer database stays untouched. */
	if ((rc = store_state(st, &version, &empty)) ||
	    (rc = store_check_version(st, version, empty)))
		goto out;
	/* A read-only database keeps its mode; writes will fail later, clearly. */
	if (!sqlite3_db_readonly(st->db, "main") && (rc = store_wal(st)))
		goto out;
	if ((rc = store_exec(st, STORE_CHECKS_ON)) || (rc = store_migrate(st, target)) ||
	    (rc = store_exec(st, STORE_CHECKS_OFF)))
		goto out;
	if (target == AQ_STORE_SCHEMA_VERSION) {
		for (int i = 0; i < ST__COUNT; i++) {
			if (sqlite3_prepare_v3(st->db, statements[i], -1, SQLITE_PREPARE_PERSISTENT,
				    &st->st[i], NULL) != SQLITE_OK) {
				rc = store_fail(st);
				goto out;
			}
		}
	}
	*out = st;
	st = NULL;
	rc = 0;
out:
	aq_store_close(st);
	return rc;
}

int aq_store_open(aq_store **out, aq_ctx *ctx, const char *path)
{
	return aq_store_open_version(out, ctx, path, AQ_STORE_SCHEMA_VERSION);
}

/* Commits the open batch, if any. */
static int store_commit(aq_store *st)
{
	int rc;

	if (!st->in_txn)
		return 0;
	st->in_txn = false;
	st->batch = 0;
	if (sqlite3_get_autocommit(st->db))
		return 0; /* SQLite already rolled back (disk full, I/O error) */
	if ((rc = store_exec_stmt(st, ST_COMMIT))) {
		if (!sqlite3_get_autocommit(st->db))
			sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	}
	return rc;
}

/* Opens a batch transaction unless one is open. */
static int store_begin(aq_store *st)
{
	int rc;

	if (st->in_txn && sqlite3_get_autocommit(st->db)) {
		/* SQLite rolled the batch back after an error: start afresh. */
		st->in_txn = false;
		st->batch = 0;
	}
	if (st->in_txn)
		return 0;
	if ((rc = store_exec_stmt(st, ST_BEGIN)))
		return rc;
	st->in_txn = true;
	st->batch = 0;
	return 0;
}

void aq_store_close(aq_store *st)
{
	if (!st)
		return;
	if (st->db && st->st[ST_COMMIT])
		store_commit(st);
	for (int i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(st->st[i]);
	if (st->db)
		sqlite3_close_v2(st->db);
	aq_buf_dispose(&st->scratch);
	free(st->path);
	free(st);
}

/* Binds text, or NULL for a NULL pointer. */
static int bind_text(sqlite3_stmt *s, int col, const char *text)
{
	return text ? sqlite3_bind_text(s, col, text, -1, SQLITE_TRANSIENT) :
		sqlite3_bind_null(s, col);
}

/* The same without a copy, for the insert path, where the text outlives the
 * statement's step and reset (the abstracts are kilobytes a record). */
static int bind_static(sqlite3_stmt *s, int col, const char *text, size_t len)
{
	return text ? sqlite3_bind_text(s, col, text, (int)len, SQLITE_STATIC) :
		sqlite3_bind_null(s, col);
}

/* Fails as the foreign key would unless run_id names a run (see
 * STORE_CHECKS_OFF); one lookup per run id, not per row. */
static int store_run_exists(aq_store *st, int64_t run_id)
{
	sqlite3_stmt *s = st->st[ST_RUN_EXISTS];
	int rc;

	if (run_id == st->run_ok && run_id > 0)
		return 0;
	sqlite3_bind_int64(s, 1, run_id);
	rc = sqlite3_step(s);
	sqlite3_reset(s);
	if (rc == SQLITE_ROW) {
		st->run_ok = run_id;
		return 0;
	}
	if (rc != SQLITE_DONE)
		return store_fail(st);
	return aq_ctx_error(st->ctx, AQ_EDB, "%s: FOREIGN KEY constraint failed (no run %lld)",
		st->path, (long long)run_id);
}

int aq_store_begin_run(aq_store *st, int64_t *run_id, const char *tool_version,
	const char *rules_digest, const char *options_json)
{
	sqlite3_stmt *s = st->st[ST_RUN_INSERT];
	int rc;

	*run_id = 0;
	if ((rc = store_begin(st)))
		return rc;
	if (bind_text(s, 1, tool_version ? tool_version : AQ_VERSION) ||
	    bind_text(s, 2, rules_digest) || bind_text(s, 3, options_json)) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return store_fail(st);
	}
	if ((rc = store_exec_stmt(st, ST_RUN_INSERT)))
		return rc;
	*run_id = sqlite3_last_insert_rowid(st->db);
	st->run_ok = *run_id;
	return 0;
}

int aq_store_end_run(aq_store *st, int64_t run_id, size_t records, size_t findings,
	size_t input_errors)
{
	sqlite3_stmt *s = st->st[ST_RUN_END];
	int rc;

	if ((rc = store_begin(st)))
		return rc;
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)records);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)findings);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)input_errors);
	if ((rc = store_exec_stmt(st, ST_RUN_END)))
		return rc;
	return store_commit(st);
}

int aq_store_input_error(aq_store *st, int64_t run_id, const char *message)
{
	sqlite3_stmt *s = st->st[ST_INPUT_ERROR_INSERT];
	int rc;

	if ((rc = store_begin(st)) || (rc = store_run_exists(st, run_id)))
		return rc;
	sqlite3_bind_int64(s, 1, run_id);
	if (bind_text(s, 2, message ? message : "")) {
		sqlite3_reset(s);
		return store_fail(st);
	}
	return store_exec_stmt(st, ST_INPUT_ERROR_INSERT);
}

/* {"key":"value",...} of every metadata field, into st->scratch. */
static int store_meta_json(aq_store *st, const aq_record *rec)
{
	aq_buf *b = &st->scratch;

	aq_buf_clear(b);
	b->oom = false;
	aq_buf_putc(b, '{');
	for (size_t i = 0; i < rec->n_meta; i++) {
		const char *k = rec->meta[i].key ? rec->meta[i].key : "";
		const char *v = rec->meta[i].value ? rec->meta[i].value : "";

		if (i)
			aq_buf_putc(b, ',');
		aq_buf_json_str(b, k, strlen(k));
		aq_buf_putc(b, ':');
		aq_buf_json_str(b, v, strlen(v));
	}
	aq_buf_putc(b, '}');
	return b->oom ? aq_ctx_error(st->ctx, AQ_ENOMEM, "out of memory") : 0;
}

/* The insert statement of first (ST_SENTENCE_INSERT or ST_BEAD_INSERT)
 * for the most rows, up to 8, that left rows fill; their count in *rows. */
static int store_rows_stmt(int first, size_t left, size_t *rows)
{
	int k = left >= 8 ? 3 : left >= 4 ? 2 : left >= 2 ? 1 : 0;

	*rows = (size_t)1 << k;
	return first + k;
}

static int store_sentences(aq_store *st, int64_t pk, const char *lang, const aq_spans *sp)
{
	int rc;

	if (!sp)
		return 0;
	for (size_t i = 0; i < sp->n;) {
		size_t rows;
		int which = store_rows_stmt(ST_SENTENCE_INSERT, sp->n - i, &rows);
		sqlite3_stmt *s = st->st[which];

		for (int c = 0; rows--; i++, c += 5) {
			sqlite3_bind_int64(s, c + 1, pk);
			sqlite3_bind_text(s, c + 2, lang, -1, SQLITE_STATIC);
			sqlite3_bind_int64(s, c + 3, (sqlite3_int64)i);
			sqlite3_bind_int64(s, c + 4, sp->v[i].off);
			sqlite3_bind_int64(s, c + 5, sp->v[i].end);
		}
		if ((rc = store_exec_stmt(st, which)))
			return rc;
	}
	return 0;
}

static int store_beads(aq_store *st, int64_t pk, const aq_beads *beads)
{
	int rc;

	if (!beads)
		return 0;
	for (size_t i = 0; i < beads->n;) {
		size_t rows;
		int which = store_rows_stmt(ST_BEAD_INSERT, beads->n - i, &rows);
		sqlite3_stmt *s = st->st[which];

		for (int c = 0; rows--; i++, c += 7) {
			const aq_bead *b = &beads->v[i];

			sqlite3_bind_int64(s, c + 1, pk);
			sqlite3_bind_int64(s, c + 2, (sqlite3_int64)i);
			sqlite3_bind_int64(s, c + 3, b->en_idx);
			sqlite3_bind_int64(s, c + 4, b->en_n);
			sqlite3_bind_int64(s, c + 5, b->zh_idx);
			sqlite3_bind_int64(s, c + 6, b->zh_n);
			sqlite3_bind_double(s, c + 7, (double)b->score);
		}
		if ((rc = store_exec_stmt(st, which)))
			return rc;
	}
	return 0;
}

/* Binds a span as two integers, or two NULLs when it has no place. */
static void bind_span(sqlite3_stmt *s, int col, aq_span sp)
{
	if (sp.off == AQ_NO_SPAN) {
		sqlite3_bind_null(s, col);
		sqlite3_bind_null(s, col + 1);
	} else {
		sqlite3_bind_int64(s, col, sp.off);
		sqlite3_bind_int64(s, col + 1, sp.end);
	}
}

static int store_findings(aq_store *st, int64_t pk, const aq_findings *f)
{
	sqlite3_stmt *s = st->st[ST_FINDING_INSERT];
	char hex[17];
	int rc;

	if (!f)
		return 0;
	for (size_t i = 0; i < f->n; i++) {
		const aq_finding *x = &f->v[i];

		/* The schema's CHECK, which the store leaves to this code. */
		if ((unsigned)x->severity > AQ_SEV_ERROR)
			return aq_ctx_error(st->ctx, AQ_EDB, "%s: CHECK constraint failed: "
				"severity IN ('error', 'warning', 'info')", st->path);
		snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)x->fingerprint);
		sqlite3_bind_int64(s, 1, pk);
		if (bind_static(s, 2, x->rule ? x->rule : "", x->rule ? strlen(x->rule) : 0) ||
		    bind_text(s, 3, aq_severity_name(x->severity)) ||
		    bind_text(s, 4, aq_category_name(x->category)) ||
		    bind_static(s, 9, x->message ? x->message : "",
			    x->message ? strlen(x->message) : 0) ||
		    bind_static(s, 10, hex, 16)) {
			sqlite3_reset(s);
			sqlite3_clear_bindings(s);
			return store_fail(st);
		}
		bind_span(s, 5, x->en);
		bind_span(s, 7, x->zh);
		if ((rc = store_exec_stmt(st, ST_FINDING_INSERT)))
			return rc;
	}
	return 0;
}

void aq_store_content_hash(char hex[17], const aq_record *rec)
{
	uint64_t h;

	h = aq_hash64(rec->en ? rec->en : "", rec->en ? rec->en_len : 0, 0);
	h = aq_hash64("", 1, h);
	h = aq_hash64(rec->zh ? rec->zh : "", rec->zh ? rec->zh_len : 0, h);
	snprintf(hex, 17, "%016llx", (unsigned long long)h);
}

/* The record row; its id comes back in *pk. */
static int store_record_row(aq_store *st, int64_t run_id, const aq_record *rec,
	const char *hex, int64_t *pk)
{
	sqlite3_stmt *s = st->st[ST_RECORD_INSERT];
	int rc;

	if ((rc = store_meta_json(st, rec)))
		return rc;
	sqlite3_bind_int64(s, 1, run_id);
	if (bind_text(s, 2, rec->id ? rec->id : "") || bind_text(s, 3, rec->source) ||
	    sqlite3_bind_int64(s, 4, rec->line) || bind_text(s, 5, hex) ||
	    bind_text(s, 6, aq_record_meta(rec, "journal")) ||
	    bind_text(s, 7, aq_record_meta(rec, "date")) ||
	    bind_text(s, 8, aq_record_meta(rec, "doi")) ||
	    bind_static(s, 9, st->scratch.ptr, st->scratch.len) ||
	    bind_static(s, 10, rec->en ? rec->en : "", rec->en ? rec->en_len : 0) ||
	    bind_static(s, 11, rec->zh ? rec->zh : "", rec->zh ? rec->zh_len : 0)) {
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		return store_fail(st);
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_DONE) {
		*pk = sqlite3_last_insert_rowid(st->db);
		rc = 0;
	} else if (rc == SQLITE_CONSTRAINT_UNIQUE) {
		rc = aq_ctx_error(st->ctx, AQ_EINPUT, "%s: record id '%s' appears twice in run "
			"%lld; only the first is stored", st->path, rec->id ? rec->id : "",
			(long long)run_id);
	} else {
		rc = store_fail(st);
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* Takes back the rows of a record that failed half way, so that the rest
 * of the batch stays.  Rather than a savepoint a record: a savepoint's
 * journal copies every page the record touches, about a third of the
 * cost of storing it, to undo what almost never fails.  If the undo fails
 * too, the whole batch goes (those records are checked again next time).
 * Keeps the message in the context. */
static void store_undo_record(aq_store *st, int64_t pk)
{
	static const char *const undo[] = {
		"DELETE FROM findings WHERE record_pk = ?1",
		"DELETE FROM beads WHERE record_pk = ?1",
		"DELETE FROM sentences WHERE record_pk = ?1",
		"DELETE FROM records WHERE id = ?1",
	};
	bool ok = true;

	if (sqlite3_get_autocommit(st->db))
		return; /* SQLite has already rolled the transaction back */
	for (size_t i = 0; ok && i < sizeof(undo) / sizeof(undo[0]); i++) {
		sqlite3_stmt *s = NULL;

		ok = sqlite3_prepare_v2(st->db, undo[i], -1, &s, NULL) == SQLITE_OK &&
			sqlite3_bind_int64(s, 1, pk) == SQLITE_OK && sqlite3_step(s) == SQLITE_DONE;
		sqlite3_finalize(s);
	}
	if (!ok && !sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
}

int aq_store_record(aq_store *st, int64_t run_id, const aq_alignment *a, const aq_findings *f)
{
	char hex[17];

	if (!a || !a->rec)
		return aq_ctx_error(st->ctx, AQ_EINVAL, "aq_store_record: no record");
	aq_store_content_hash(hex, a->rec);
	return aq_store_record_hash(st, run_id, a, f, hex);
}

int aq_store_record_hash(aq_store *st, int64_t run_id, const aq_alignment *a,
	const aq_findings *f, const char *hash)
{
	int64_t pk = 0;
	int rc;

	if (!a || !a->rec)
		return aq_ctx_error(st->ctx, AQ_EINVAL, "aq_store_record: no record");
	if ((rc = store_begin(st)) || (rc = store_run_exists(st, run_id)))
		return rc;
	/* Each record is all or nothing within the batch: a failed record row
	 * leaves nothing (one statement), a failure after it is undone. */
	if ((rc = store_record_row(st, run_id, a->rec, hash, &pk)))
		return rc;
	if ((rc = store_sentences(st, pk, "en", a->en_sents)) ||
	    (rc = store_sentences(st, pk, "zh", a->zh_sents)) ||
	    (rc = store_beads(st, pk, a->beads)) || (rc = store_findings(st, pk, f))) {
		store_undo_record(st, pk);
		return rc;
	}
	if (++st->batch >= STORE_BATCH)
		return store_commit(st);
	return 0;
}

/* A column as text, or NULL. */
static const char *col_text(sqlite3_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s, col);
}

/* Fills f from the finding columns of a row, starting at column c: record,
 * source, rule, severity, category, message, fingerprint, run, en_off,
 * en_end, zh_off, zh_end, journal, date.  False when a field that cannot be
 * NULL is (out of memory, or a damaged database). */
static bool finding_row(aq_store_finding *f, sqlite3_stmt *s, int c)
{
	memset(f, 0, sizeof(*f));
	f->record = col_text(s, c);
	f->source = col_text(s, c + 1);
	f->rule = col_text(s, c + 2);
	f->severity = col_text(s, c + 3);
	f->category = col_text(s, c + 4);
	f->message = col_text(s, c + 5);
	f->fingerprint = col_text(s, c + 6);
	f->run = sqlite3_column_int64(s, c + 7);
	f->has_en = sqlite3_column_type(s, c + 8) != SQLITE_NULL;
	f->en_off = (uint32_t)sqlite3_column_int64(s, c + 8);
	f->en_end = (uint32_t)sqlite3_column_int64(s, c + 9);
	f->has_zh = sqlite3_column_type(s, c + 10) != SQLITE_NULL;
	f->zh_off = (uint32_t)sqlite3_column_int64(s, c + 10);
	f->zh_end = (uint32_t)sqlite3_column_int64(s, c + 11);
	f->journal = col_text(s, c + 12);
	f->date = col_text(s, c + 13);
	return f->record && f->rule && f->severity && f->category && f->message && f->fingerprint;
}

int aq_store_query_findings(aq_store *st, const aq_store_query *q, aq_store_finding_cb cb,
	void *payload)
{
	sqlite3_stmt *s;
	aq_store_query none;
	int rc;

	if (!q) {
		memset(&none, 0, sizeof(none));
		q = &none;
	}
	s = st->st[q->run > 0 ? ST_QUERY_RUN : ST_QUERY_LATEST];
	/* Reading inside our own open batch would see it; commit it first so
	 * that what the query sees is also what other readers see. */
	if ((rc = store_commit(st)))
		return rc;
	if (q->run > 0)
		sqlite3_bind_int64(s, 1, q->run);
	if (bind_text(s, 2, q->rule) || bind_text(s, 4, q->category) ||
	    bind_text(s, 5, q->record) || bind_text(s, 6, q->journal)) {
		rc = store_fail(st);
		goto out;
	}
	if (q->min_severity > AQ_SEV_INFO)
		sqlite3_bind_int(s, 3, (int)q->min_severity);
	else
		sqlite3_bind_null(s, 3);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		aq_store_finding f;

		if (!finding_row(&f, s, 0)) {
			rc = sqlite3_errcode(st->db) == SQLITE_NOMEM ?
				aq_ctx_error(st->ctx, AQ_ENOMEM, "out of memory") :
				aq_ctx_error(st->ctx, AQ_EDB, "%s: a finding row has NULL fields",
					st->path);
			goto out;
		}
		if ((rc = cb(&f, payload)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : store_fail(st);
out:
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

int aq_store_is_unchanged(aq_store *st, bool *unchanged, const aq_record *rec,
	const char *rules_digest, int64_t before_run)
{
	char hex[17];

	aq_store_content_hash(hex, rec);
	return aq_store_is_unchanged_hash(st, unchanged, rec, hex, rules_digest, before_run);
}

int aq_store_is_unchanged_hash(aq_store *st, bool *unchanged, const aq_record *rec,
	const char *hex, const char *rules_digest, int64_t before_run)
{
	sqlite3_stmt *s = st->st[ST_LATEST_VERSION];
	int rc;

	*unchanged = false;
	if (bind_text(s, 1, rec->id ? rec->id : "") || sqlite3_bind_int64(s, 2, before_run)) {
		rc = store_fail(st);
		goto out;
	}
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const char *hash = col_text(s, 0), *digest = col_text(s, 1);

		*unchanged = hash && !strcmp(hash, hex) &&
			(rules_digest ? digest && !strcmp(digest, rules_digest) : !digest);
		rc = 0;
	} else {
		rc = rc == SQLITE_DONE ? 0 : store_fail(st);
	}
out:
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

/* Runs one statement of a merge with the id offsets bound as :run (runs)
 * and :rec (records) where the statement uses them. */
static int store_merge_step(aq_store *st, const char *sql, int64_t run_off, int64_t rec_off)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail(st);
	if (sqlite3_bind_parameter_index(s, ":run"))
		sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":run"), run_off);
	if (sqlite3_bind_parameter_index(s, ":rec"))
		sqlite3_bind_int64(s, sqlite3_bind_parameter_index(s, ":rec"), rec_off);
	rc = sqlite3_step(s) == SQLITE_DONE ? 0 : store_fail(st);
	sqlite3_finalize(s);
	return rc;
}

/* The largest id of a table of main (0 if empty) into *out. */
static int store_max_id(aq_store *st, const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail(st);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = store_fail(st);
	}
	sqlite3_finalize(s);
	return rc;
}

int aq_store_merge(aq_store *st, const char *in_path)
{
	/* Rows keep their order: ids are shifted past what main has, so that
	 * runs merged later also count as later for the latest results. */
	static const char *const copy[] = {
		"INSERT INTO main.runs (id, tool_version, rules_digest, options, started_at,"
		" ended_at, records, findings, input_errors)"
		" SELECT id + :run, tool_version, rules_digest, options, started_at, ended_at,"
		" records, findings, input_errors FROM aq_src.runs ORDER BY id",
		"INSERT INTO main.records (id, run_id, record_id, source, line, content_hash,"
		" journal, date, doi, meta_json, en, zh)"
		" SELECT id + :rec, run_id + :run, record_id, source, line, content_hash, journal,"
		" date, doi, meta_json, en, zh FROM aq_src.records ORDER BY id",
		"INSERT INTO main.sentences (record_pk, lang, idx, start, \"end\")"
		" SELECT record_pk + :rec, lang, idx, start, \"end\" FROM aq_src.sentences",
		"INSERT INTO main.beads (record_pk, idx, en_first, en_n, zh_first, zh_n, score)"
		" SELECT record_pk + :rec, idx, en_first, en_n, zh_first, zh_n, score"
		" FROM aq_src.beads",
		"INSERT INTO main.findings (record_pk, rule, severity, category, en_start, en_end,"
		" zh_start, zh_end, message, fingerprint)"
		" SELECT record_pk + :rec, rule, severity, category, en_start, en_end,"
		" zh_start, zh_end, message, fingerprint FROM aq_src.findings ORDER BY id",
		"INSERT INTO main.input_errors (run_id, message)"
		" SELECT run_id + :run, message FROM aq_src.input_errors ORDER BY id",
	};
	sqlite3_stmt *s = NULL;
	int64_t run_off = 0, rec_off = 0;
	int version = 0, rc;
	bool attached = false;

	if ((rc = store_commit(st)))
		return rc;
	if (sqlite3_prepare_v2(st->db, "ATTACH DATABASE ?1 AS aq_src", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st);
	sqlite3_bind_text(s, 1, in_path, -1, SQLITE_STATIC);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	s = NULL;
	if (rc != SQLITE_DONE)
		return aq_ctx_error(st->ctx, AQ_EDB, "%s: %s", in_path, sqlite3_errmsg(st->db));
	attached = true;
	if (sqlite3_prepare_v2(st->db, "PRAGMA aq_src.user_version", -1, &s, NULL) != SQLITE_OK) {
		rc = store_fail(st);
		goto out;
	}
	if (sqlite3_step(s) == SQLITE_ROW)
		version = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	s = NULL;
	if (version != AQ_STORE_SCHEMA_VERSION) {
		rc = aq_ctx_error(st->ctx, AQ_EDB, "%s: database schema version %d, want %d "
			"(open it with this alignqa first)", in_path, version,
			AQ_STORE_SCHEMA_VERSION);
		goto out;
	}
	/* Rows this store did not make: let SQLite check them. */
	if ((rc = store_exec(st, STORE_CHECKS_ON)))
		goto out;
	if ((rc = store_exec(st, "BEGIN IMMEDIATE")))
		goto out;
	if ((rc = store_max_id(st, "SELECT coalesce(max(id), 0) FROM main.runs", &run_off)) ||
	    (rc = store_max_id(st, "SELECT coalesce(max(id), 0) FROM main.records", &rec_off)))
		goto rollback;
	for (size_t i = 0; i < sizeof(copy) / sizeof(copy[0]); i++)
		if ((rc = store_merge_step(st, copy[i], run_off, rec_off)))
			goto rollback;
	if ((rc = store_exec(st, "COMMIT")))
		goto rollback;
	goto out;
rollback:
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
out:
	sqlite3_exec(st->db, STORE_CHECKS_OFF, NULL, NULL, NULL);
	if (attached)
		sqlite3_exec(st->db, "DETACH DATABASE aq_src", NULL, NULL, NULL);
	return rc;
}

/* ---- reading whole records back (the HTML report) ---- */

/* The latest version of each record id, in record id order. */
#define LATEST_RECORDS \
	" FROM records r WHERE r.run_id = (SELECT max(r2.run_id) FROM records r2" \
	"                                  WHERE r2.record_id = r.record_id)"

int aq_store_count_records(aq_store *st, int64_t *n)
{
	sqlite3_stmt *s = NULL;
	int rc;

	*n = 0;
	if ((rc = store_commit(st)))
		return rc;
	if (sqlite3_prepare_v2(st->db, "SELECT count(*)" LATEST_RECORDS, -1, &s, NULL) !=
	    SQLITE_OK)
		return store_fail(st);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*n = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = store_fail(st);
	}
	sqlite3_finalize(s);
	return rc;
}

int aq_store_query_counts(aq_store *st, aq_store_count_cb cb, void *payload)
{
	/* Findings of the latest results per dimension; journal and year
	 * count records.  ?1 is unused: every value comes from the data. */
	static const char sql[] =
		"WITH lr AS (SELECT r.id, r.journal, r.date" LATEST_RECORDS "),"
		" lf AS (SELECT f.rule, f.severity, f.category FROM lr"
		"        CROSS JOIN findings f ON f.record_pk = lr.id)"
		" SELECT 'severity', severity, count(*) FROM lf GROUP BY severity"
		" UNION ALL SELECT 'rule', rule, count(*) FROM lf GROUP BY rule"
		" UNION ALL SELECT 'category', category, count(*) FROM lf GROUP BY category"
		" UNION ALL SELECT 'journal', coalesce(journal, ''), count(*) FROM lr"
		"   GROUP BY coalesce(journal, '')"
		" UNION ALL SELECT 'year', coalesce(substr(date, 1, 4), ''), count(*) FROM lr"
		"   GROUP BY coalesce(substr(date, 1, 4), '')"
		" ORDER BY 1, 3 DESC, 2";
	sqlite3_stmt *s = NULL;
	int rc;

	if ((rc = store_commit(st)))
		return rc;
	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail(st);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *dim = col_text(s, 0), *key = col_text(s, 1);

		if (!dim || !key) {
			rc = aq_ctx_error(st->ctx, AQ_ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = cb(dim, key, sqlite3_column_int64(s, 2), payload)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : store_fail(st);
out:
	sqlite3_finalize(s);
	return rc;
}

/* The parts of one record read by aq_store_query_records, reused. */
typedef struct store_parts {
	aq_spans en_sents, zh_sents;
	aq_bead *beads;
	size_t n_beads, cap_beads;
	aq_store_finding *findings;
	size_t n_findings, cap_findings;
} store_parts;

static void store_parts_clear(store_parts *p)
{
	for (size_t i = 0; i < p->n_findings; i++) {
		aq_store_finding *f = &p->findings[i];

		free((char *)f->rule);
		free((char *)f->severity);
		free((char *)f->category);
		free((char *)f->message);
		free((char *)f->fingerprint);
	}
	p->n_findings = 0;
	p->n_beads = 0;
	p->en_sents.n = 0;
	p->zh_sents.n = 0;
}

static char *dup_col(sqlite3_stmt *s, int col)
{
	const char *t = col_text(s, col);

	return strdup(t ? t : "");
}

/* Reads the sentences, beads and findings of record pk into p. */
static int store_read_parts(aq_store *st, sqlite3_stmt *const q[3], int64_t pk, store_parts *p)
{
	int rc;

	store_parts_clear(p);
	sqlite3_bind_int64(q[0], 1, pk);
	while ((rc = sqlite3_step(q[0])) == SQLITE_ROW) {
		aq_spans *sp = !strcmp(col_text(q[0], 0) ? col_text(q[0], 0) : "", "zh") ?
			&p->zh_sents : &p->en_sents;

		if (aq_spans_push(sp, (uint32_t)sqlite3_column_int64(q[0], 1),
			    (uint32_t)sqlite3_column_int64(q[0], 2)))
			goto oom;
	}
	sqlite3_reset(q[0]);
	if (rc != SQLITE_DONE)
		return store_fail(st);
	sqlite3_bind_int64(q[1], 1, pk);
	while ((rc = sqlite3_step(q[1])) == SQLITE_ROW) {
		aq_bead *b;

		if (aq_array_grow((void **)&p->beads, &p->cap_beads, p->n_beads + 1, sizeof(*b)))
			goto oom;
		b = &p->beads[p->n_beads++];
		memset(b, 0, sizeof(*b));
		b->en_idx = (uint32_t)sqlite3_column_int64(q[1], 0);
		b->en_n = (uint8_t)sqlite3_column_int(q[1], 1);
		b->zh_idx = (uint32_t)sqlite3_column_int64(q[1], 2);
		b->zh_n = (uint8_t)sqlite3_column_int(q[1], 3);
		b->score = (float)sqlite3_column_double(q[1], 4);
	}
	sqlite3_reset(q[1]);
	if (rc != SQLITE_DONE)
		return store_fail(st);
	sqlite3_bind_int64(q[2], 1, pk);
	while ((rc = sqlite3_step(q[2])) == SQLITE_ROW) {
		aq_store_finding *f;

		if (aq_array_grow((void **)&p->findings, &p->cap_findings, p->n_findings + 1,
				sizeof(*f)))
			goto oom;
		f = &p->findings[p->n_findings++];
		memset(f, 0, sizeof(*f));
		f->rule = dup_col(q[2], 0);
		f->severity = dup_col(q[2], 1);
		f->category = dup_col(q[2], 2);
		f->message = dup_col(q[2], 3);
		f->fingerprint = dup_col(q[2], 4);
		f->has_en = sqlite3_column_type(q[2], 5) != SQLITE_NULL;
		f->en_off = (uint32_t)sqlite3_column_int64(q[2], 5);
		f->en_end = (uint32_t)sqlite3_column_int64(q[2], 6);
		f->has_zh = sqlite3_column_type(q[2], 7) != SQLITE_NULL;
		f->zh_off = (uint32_t)sqlite3_column_int64(q[2], 7);
		f->zh_end = (uint32_t)sqlite3_column_int64(q[2], 8);
		if (!f->rule || !f->severity || !f->category || !f->message || !f->fingerprint)
			goto oom;
	}
	sqlite3_reset(q[2]);
	if (rc != SQLITE_DONE)
		return store_fail(st);
	return 0;
oom:
	for (int i = 0; i < 3; i++)
		sqlite3_reset(q[i]);
	return aq_ctx_error(st->ctx, AQ_ENOMEM, "out of memory");
}

int aq_store_query_records(aq_store *st, aq_store_record_cb cb, void *payload)
{
	static const char *const part_sql[3] = {
		"SELECT lang, start, \"end\" FROM sentences WHERE record_pk = ?1"
		" ORDER BY lang, idx",
		"SELECT en_first, en_n, zh_first, zh_n, score FROM beads WHERE record_pk = ?1"
		" ORDER BY idx",
		"SELECT rule, severity, category, message, fingerprint, en_start, en_end,"
		" zh_start, zh_end FROM findings WHERE record_pk = ?1 ORDER BY id",
	};
	sqlite3_stmt *s = NULL, *q[3] = { NULL, NULL, NULL };
	store_parts p;
	int rc;

	memset(&p, 0, sizeof(p));
	aq_spans_init(&p.en_sents);
	aq_spans_init(&p.zh_sents);
	if ((rc = store_commit(st)))
		return rc;
	if (sqlite3_prepare_v2(st->db, "SELECT r.id, r.run_id, r.record_id, r.source, r.journal,"
		    " r.date, r.doi, r.en, r.zh" LATEST_RECORDS " ORDER BY r.record_id", -1, &s,
		    NULL) != SQLITE_OK) {
		rc = store_fail(st);
		goto out;
	}
	for (int i = 0; i < 3; i++) {
		if (sqlite3_prepare_v2(st->db, part_sql[i], -1, &q[i], NULL) != SQLITE_OK) {
			rc = store_fail(st);
			goto out;
		}
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		aq_store_full_record r;

		memset(&r, 0, sizeof(r));
		r.run = sqlite3_column_int64(s, 1);
		r.record = col_text(s, 2);
		r.source = col_text(s, 3);
		r.journal = col_text(s, 4);
		r.date = col_text(s, 5);
		r.doi = col_text(s, 6);
		r.en = col_text(s, 7);
		r.en_len = (size_t)sqlite3_column_bytes(s, 7);
		r.zh = col_text(s, 8);
		r.zh_len = (size_t)sqlite3_column_bytes(s, 8);
		if (!r.record) {
			rc = aq_ctx_error(st->ctx, AQ_ENOMEM, "out of memory");
			goto out;
		}
		if ((rc = store_read_parts(st, q, sqlite3_column_int64(s, 0), &p)))
			goto out;
		r.en_sents = p.en_sents.v;
		r.n_en_sents = p.en_sents.n;
		r.zh_sents = p.zh_sents.v;
		r.n_zh_sents = p.zh_sents.n;
		r.beads = p.beads;
		r.n_beads = p.n_beads;
		r.findings = p.findings;
		r.n_findings = p.n_findings;
		for (size_t i = 0; i < p.n_findings; i++) {
			p.findings[i].record = r.record;
			p.findings[i].source = r.source;
			p.findings[i].journal = r.journal;
			p.findings[i].date = r.date;
			p.findings[i].run = r.run;
		}
		if ((rc = cb(&r, payload)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : store_fail(st);
out:
	store_parts_clear(&p);
	free(p.beads);
	free(p.findings);
	aq_spans_dispose(&p.en_sents);
	aq_spans_dispose(&p.zh_sents);
	for (int i = 0; i < 3; i++)
		sqlite3_finalize(q[i]);
	sqlite3_finalize(s);
	return rc;
}

/* ---- comparing two states of the results (`alignqa compare`) ---- */

/*
 * The results as of run N are, for each record id, the findings of the
 * latest run <= N that stored that record id: what `findings` would have
 * shown right after run N.  An incremental audit stores only the records
 * it checked, so run N's own rows are not its results; records it skipped
 * as unchanged keep their earlier findings.  Run 0 is the empty state.
 *
 * Two states are matched finding by finding on (record id, rule,
 * fingerprint).  Equal keys are a multiset: the k-th occurrence of a key
 * (in stored order) on one side matches the k-th on the other, so two
 * identical findings where there was one count as one new finding.
 */

/* The rows of one state: a finding as aq_store_finding wants it, plus its
 * occurrence number k among equal keys.  schema names the state's
 * database (main, or aq_old for --against), param binds its run. */
#define COMPARE_STATE(schema, param) \
	"SELECT r.record_id AS rid, r.source, f.rule, f.severity, f.category, f.message," \
	" f.fingerprint AS fp, r.run_id, f.en_start, f.en_end, f.zh_start, f.zh_end," \
	" r.journal, r.date, f.id AS fid," \
	" row_number() OVER (PARTITION BY r.record_id, f.rule, f.fingerprint" \
	"                    ORDER BY f.id) AS k" \
	" FROM " schema ".records r CROSS JOIN " schema ".findings f ON f.record_pk = r.id" \
	" WHERE r.run_id = (SELECT max(r2.run_id) FROM " schema ".records r2" \
	"                   WHERE r2.record_id = r.record_id AND r2.run_id <= " param ")"

#define COMPARE_COLUMNS(t) \
	" " t ".rid, " t ".source, " t ".rule, " t ".severity, " t ".category, " t ".message," \
	" " t ".fp, " t ".run_id, " t ".en_start, " t ".en_end, " t ".zh_start, " t ".zh_end," \
	" " t ".journal, " t ".date, " t ".fid"

#define COMPARE_SQL(old_schema) \
	"WITH o AS MATERIALIZED (" COMPARE_STATE(old_schema, "?1") ")," \
	" n AS MATERIALIZED (" COMPARE_STATE("main", "?2") ")" \
	" SELECT 0 AS change," COMPARE_COLUMNS("n") " FROM n WHERE NOT EXISTS" \
	"  (SELECT 1 FROM o WHERE o.rid = n.rid AND o.rule = n.rule AND o.fp = n.fp" \
	"   AND o.k = n.k)" \
	" UNION ALL" \
	" SELECT 1 AS change," COMPARE_COLUMNS("o") " FROM o WHERE NOT EXISTS" \
	"  (SELECT 1 FROM n WHERE n.rid = o.rid AND n.rule = o.rule AND n.fp = o.fp" \
	"   AND n.k = o.k)" \
	" ORDER BY 1, 2, 16"

/* One integer of a query with one optional integer parameter, into *out. */
static int store_int_query(aq_store *st, const char *sql, int64_t param, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK)
		return store_fail(st);
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, param);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out = sqlite3_column_int64(s, 0);
		rc = 0;
	} else {
		rc = store_fail(st);
	}
	sqlite3_finalize(s);
	return rc;
}

int aq_store_has_records(aq_store *st, bool *any)
{
	int64_t n = 1;
	int rc = store_int_query(st, "SELECT EXISTS (SELECT 1 FROM records)", 0, &n);

	*any = n != 0;
	return rc;
}

/* "file:" URI of a plain path, read-only, into b (bytes outside
 * [A-Za-z0-9/._~-] percent-encoded, so that '?', '#' and '%' in a file name
 * stay part of it).  A path that already is a "file:" URI is taken as it
 * is: its own parameters decide. */
static void store_ro_uri(aq_buf *b, const char *path)
{
	static const char hex[] = "0123456789ABCDEF";

	aq_buf_clear(b);
	b->oom = false;
	if (!strncmp(path, "file:", 5)) {
		aq_buf_puts(b, path);
		return;
	}
	aq_buf_puts(b, "file:");
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("/._~-", *p)) {
			aq_buf_putc(b, (char)*p);
		} else {
			aq_buf_putc(b, '%');
			aq_buf_putc(b, hex[*p >> 4]);
			aq_buf_putc(b, hex[*p & 15]);
		}
	}
	aq_buf_puts(b, "?mode=ro");
}

/* Attaches against read-only as aq_old and checks that it is an alignqa
 * database this code can read (schema 1 .. current: the columns compared
 * exist since 1). */
static int store_attach_old(aq_store *st, const char *against)
{
	sqlite3_stmt *s = NULL;
	int64_t version = 0;
	int rc;

	store_ro_uri(&st->scratch, against);
	if (st->scratch.oom)
		return aq_ctx_error(st->ctx, AQ_ENOMEM, "out of memory");
	if (sqlite3_prepare_v2(st->db, "ATTACH DATABASE ?1 AS aq_old", -1, &s, NULL) != SQLITE_OK)
		return store_fail(st);
	sqlite3_bind_text(s, 1, st->scratch.ptr, (int)st->scratch.len, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return aq_ctx_error(st->ctx, AQ_EDB, "%s: %s", against, sqlite3_errmsg(st->db));
	rc = store_int_query(st, "PRAGMA aq_old.user_version", 0, &version);
	if (rc) {
		rc = aq_ctx_error(st->ctx, AQ_EDB, "%s: %s", against, sqlite3_errmsg(st->db));
	} else if (version < 1 || version > AQ_STORE_SCHEMA_VERSION) {
		rc = aq_ctx_error(st->ctx, AQ_EDB, "%s: %s", against, version < 1 ?
			"not an alignqa database (no alignqa schema version)" :
			"database schema version is newer than this alignqa; upgrade alignqa");
	}
	if (rc)
		sqlite3_exec(st->db, "DETACH DATABASE aq_old", NULL, NULL, NULL);
	return rc;
}

/* Resolves a run of a compared side: AQ_STORE_RUN_AUTO becomes dflt; any
 * other run must be 0 or exist in schema's runs. */
static int store_compare_run(aq_store *st, const char *schema, const char *name,
	int64_t *run, int64_t dflt)
{
	char sql[96];
	int64_t n = 0;
	int rc;

	if (*run == AQ_STORE_RUN_AUTO) {
		*run = dflt;
		return 0;
	}
	if (*run < 0)
		return aq_ctx_error(st->ctx, AQ_EINVAL, "no run %lld in %s", (long long)*run, name);
	if (*run == 0)
		return 0;
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s.runs WHERE id = ?1", schema);
	if ((rc = store_int_query(st, sql, *run, &n)))
		return rc;
	if (!n)
		return aq_ctx_error(st->ctx, AQ_EINVAL, "no run %lld in %s", (long long)*run, name);
	return 0;
}

int aq_store_compare(int64_t *from_run, int64_t *to_run, aq_store *st,
	const aq_store_compare_opts *opts, aq_store_change_cb cb, void *payload)
{
	static const char *const sql[2] = { COMPARE_SQL("main"), COMPARE_SQL("aq_old") };
	const char *against = opts ? opts->against : NULL;
	sqlite3_stmt *s = NULL;
	int64_t from = opts ? opts->from_run : AQ_STORE_RUN_AUTO;
	int64_t to = opts ? opts->to_run : AQ_STORE_RUN_AUTO;
	int64_t latest = 0, before = 0;
	bool attached = false;
	int rc;

	*from_run = 0;
	*to_run = 0;
	if ((rc = store_commit(st)))
		return rc;
	if ((rc = store_int_query(st, "SELECT coalesce(max(id), 0) FROM main.runs", 0, &latest)) ||
	    (rc = store_compare_run(st, "main", st->path, &to, latest)))
		return rc;
	if (against) {
		if ((rc = store_attach_old(st, against)))
			return rc;
		attached = true;
		if ((rc = store_int_query(st, "SELECT coalesce(max(id), 0) FROM aq_old.runs", 0,
			    &before)) ||
		    (rc = store_compare_run(st, "aq_old", against, &from, before)))
			goto out;
	} else {
		if ((rc = store_int_query(st, "SELECT coalesce(max(id), 0) FROM main.runs"
			    " WHERE id < ?1", to, &before)) ||
		    (rc = store_compare_run(st, "main", st->path, &from, before)))
			goto out;
	}
	*from_run = from;
	*to_run = to;
	if (sqlite3_prepare_v2(st->db, sql[against != NULL], -1, &s, NULL) != SQLITE_OK) {
		rc = store_fail(st);
		goto out;
	}
	sqlite3_bind_int64(s, 1, from);
	sqlite3_bind_int64(s, 2, to);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		aq_store_finding f;

		if (!finding_row(&f, s, 1)) {
			rc = sqlite3_errcode(st->db) == SQLITE_NOMEM ?
				aq_ctx_error(st->ctx, AQ_ENOMEM, "out of memory") :
				aq_ctx_error(st->ctx, AQ_EDB, "%s: a finding row has NULL fields",
					sqlite3_column_int(s, 0) && against ? against : st->path);
			goto out;
		}
		if ((rc = cb(sqlite3_column_int(s, 0) ? AQ_CHANGE_FIXED : AQ_CHANGE_NEW, &f,
			    payload)) != 0)
			goto out;
	}
	rc = rc == SQLITE_DONE ? 0 : store_fail(st);
out:
	sqlite3_finalize(s);
	if (attached)
		sqlite3_exec(st->db, "DETACH DATABASE aq_old", NULL, NULL, NULL);
	return rc;
}
