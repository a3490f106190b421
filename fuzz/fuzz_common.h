/*
 * fuzz_common.h - small helpers shared by the libFuzzer targets: the entry
 * point's prototype (so that -Wmissing-prototypes stays quiet in the gcc
 * replay build) and checks of what a parsed record promises its readers.
 * A broken promise aborts, which libFuzzer and the replay test report.
 */
#ifndef AQ_FUZZ_COMMON_H
#define AQ_FUZZ_COMMON_H

#include "alignqa.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless text[0..len) is NUL-terminated, NUL-free, valid UTF-8. */
static inline void fuzz_check_text(const char *text, size_t len)
{
	if (!text || text[len] != '\0' || memchr(text, '\0', len) ||
	    aq_utf8_check(text, len) != len)
		abort();
}

/* Aborts when a record returned by a parser breaks the header's contract. */
static inline void fuzz_check_record(const aq_record *rec)
{
	if (!rec->id || !rec->source)
		abort();
	fuzz_check_text(rec->en, rec->en_len);
	fuzz_check_text(rec->zh, rec->zh_len);
	for (size_t i = 0; i < rec->n_meta; i++)
		if (!rec->meta[i].key || !rec->meta[i].value)
			abort();
}

#endif
