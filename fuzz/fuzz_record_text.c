/*
 * fuzz_record_text.c - libFuzzer target: the input is one plain-text record
 * (the seed-record.txt shape) handed to aq_record_parse_text.  A parsed
 * record must honour its contract (fuzz_common.h); errors are fine.
 */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	aq_ctx *ctx = NULL;
	aq_record *rec = NULL;

	if (aq_ctx_new(&ctx))
		return 0;
	if (aq_record_parse_text(&rec, ctx, "fuzz.txt", 1, (const char *)data, size) == 0) {
		if (!rec)
			abort();
		fuzz_check_record(rec);
		/* Every offset of each side must map to a place in the file. */
		for (int lang = AQ_LANG_EN; lang <= AQ_LANG_ZH; lang++) {
			size_t len = lang == AQ_LANG_EN ? rec->en_len : rec->zh_len;
			uint32_t line, col;

			aq_record_locate(rec, (aq_lang)lang, 0, &line, &col);
			aq_record_locate(rec, (aq_lang)lang, (uint32_t)len, &line, &col);
		}
	} else if (rec) {
		abort(); /* an error must not hand out a record */
	}
	aq_record_free(rec);
	aq_ctx_free(ctx);
	return 0;
}
