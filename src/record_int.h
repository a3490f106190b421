/*
 * record_int.h - internal entry points of record.c for tests and fuzzing.
 * Not installed.
 */
#ifndef AQ_RECORD_INT_H
#define AQ_RECORD_INT_H

#include "alignqa.h"

/* aq_record_parse_json() without its fast path for flat objects: every
 * line goes through jansson.  The two must build the same record from any
 * line the fast path takes (tests/test_record.c, fuzz_record_json). */
int aq_record_parse_json_jansson(aq_record **out, aq_ctx *ctx, const char *name,
	uint32_t lineno, const char *line, size_t len);

#endif
