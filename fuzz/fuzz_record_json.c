/*
 * fuzz_record_json.c - libFuzzer target: the input is one JSON Lines record
 * handed to aq_record_parse_json.  A parsed record must honour its
 * contract (fuzz_common.h); errors are fine.  The fast path for flat
 * objects and jansson must agree: the same verdict, the same record.
 */
#include "fuzz_common.h"
#include "record_int.h"

#include <string.h>

static int same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void check_same(const aq_record *a, const aq_record *b)
{
	if (!same_str(a->id, b->id) || !same_str(a->source, b->source) ||
	    a->en_len != b->en_len || a->zh_len != b->zh_len ||
	    memcmp(a->en, b->en, a->en_len) || memcmp(a->zh, b->zh, a->zh_len) ||
	    a->n_meta != b->n_meta || a->line != b->line || a->en_line != b->en_line ||
	    a->en_col != b->en_col || a->zh_line != b->zh_line || a->zh_col != b->zh_col)
		abort();
	for (size_t i = 0; i < a->n_meta; i++)
		if (!same_str(a->meta[i].key, b->meta[i].key) ||
		    !same_str(a->meta[i].value, b->meta[i].value))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	aq_ctx *ctx = NULL, *ctx2 = NULL;
	aq_record *rec = NULL, *ref = NULL;
	int rc, rc2;

	if (aq_ctx_new(&ctx) || aq_ctx_new(&ctx2)) {
		aq_ctx_free(ctx);
		return 0;
	}
	rc = aq_record_parse_json(&rec, ctx, "fuzz.jsonl", 1, (const char *)data, size);
	rc2 = aq_record_parse_json_jansson(&ref, ctx2, "fuzz.jsonl", 1, (const char *)data, size);
	if (rc == 0) {
		if (!rec)
			abort();
		fuzz_check_record(rec);
	} else if (rec) {
		abort(); /* an error must not hand out a record */
	}
	if (rc != rc2 || (rc && strcmp(aq_ctx_errmsg(ctx), aq_ctx_errmsg(ctx2))))
		abort();
	if (rc == 0)
		check_same(rec, ref);
	aq_record_free(rec);
	aq_record_free(ref);
	aq_ctx_free(ctx);
	aq_ctx_free(ctx2);
	return 0;
}
