/* test_dict.h - a dictionary for the unit tests that align with one: the
 * CC-CEDICT-syntax lines given, loaded through a temporary file as the
 * CLI loads a user's dictionary. */
#ifndef AQ_TEST_DICT_H
#define AQ_TEST_DICT_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alignqa.h"

/* The dictionary of src, or NULL (and ctx's error) when it does not load. */
static inline aq_lexicon *test_dict_load(aq_ctx *ctx, const char *src)
{
	char path[] = "/tmp/aq-test-dict-XXXXXX";
	int fd = mkstemp(path);
	size_t len = strlen(src);
	aq_lexicon *dict = NULL;
	int ok = fd >= 0 && write(fd, src, len) == (ssize_t)len;

	if (fd >= 0)
		close(fd);
	if (ok && aq_lexicon_load(&dict, ctx, path, AQ_LEX_CEDICT))
		dict = NULL;
	if (fd >= 0)
		unlink(path);
	return dict;
}

#endif
