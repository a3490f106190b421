/*
 * store_int.h - what the store's tests need beyond alignqa.h: opening a
 * database at an older schema version, to test the migrations from it.
 * Not installed; the public part of the store is in alignqa.h.  Also what
 * the audit uses to hash a record once.
 */
#ifndef AQ_STORE_INT_H
#define AQ_STORE_INT_H

#include "alignqa.h"

/* The newest schema version this code knows (PRAGMA user_version). */
#define AQ_STORE_SCHEMA_VERSION 3

/* aq_store_open(), but migrates only up to schema version target
 * (1..AQ_STORE_SCHEMA_VERSION).  Below the current version the store can
 * only be closed: its statements are not prepared.  Returns as
 * aq_store_open(), or AQ_EINVAL for a target out of range. */
int aq_store_open_version(aq_store **out, aq_ctx *ctx, const char *path, int target);

/* records.content_hash of rec into hex: aq_hash64 of en, NUL, zh as 16
 * hex digits and a NUL. */
void aq_store_content_hash(char hex[17], const aq_record *rec);
/* aq_store_is_unchanged() and aq_store_record() with rec's content hash
 * already made by aq_store_content_hash(), so that the audit hashes each
 * record once. */
int aq_store_is_unchanged_hash(aq_store *st, bool *unchanged, const aq_record *rec,
	const char *hash, const char *rules_digest, int64_t before_run);
int aq_store_record_hash(aq_store *st, int64_t run_id, const aq_alignment *a,
	const aq_findings *f, const char *hash);
/* Does the database hold any record yet?  An audit asks once before it
 * stores any: without one, no record can be unchanged, and it skips
 * asking aq_store_is_unchanged_hash() for each. */
int aq_store_has_records(aq_store *st, bool *any);

#endif
