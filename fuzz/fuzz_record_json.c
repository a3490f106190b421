/*
 * fuzz_record_json.c - libFuzzer target: the input is one JSON Lines record
 * handed to aq_record_parse_json.  A parsed record must honour its
 * contract (fuzz_common.h); errors are fine.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	aq_ctx *ctx = NULL;
	aq_record *rec = NULL;

	if (aq_ctx_new(&ctx))
		return 0;
	if (aq_record_parse_json(&rec, ctx, "fuzz.jsonl", 1, (const char *)data, size) == 0) {
		if (!rec)
			abort();
		fuzz_check_record(rec);
	} else if (rec) {
		abort(); /* an error must not hand out a record */
	}
	aq_record_free(rec);
	aq_ctx_free(ctx);
	return 0;
}
