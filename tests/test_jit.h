/* test_jit.h - whether the unit tests that load rules compile their
 * patterns with PCRE2's JIT: yes unless $ALIGNQA_NO_JIT is "1", as in the
 * CLI.  The valgrind test setup sets it: valgrind cannot follow JIT code. */
#ifndef AQ_TEST_JIT_H
#define AQ_TEST_JIT_H

#include <stdlib.h>
#include <string.h>

#include "alignqa.h"

static inline void test_rules_jit(aq_rules *rules)
{
	const char *env = getenv("ALIGNQA_NO_JIT");

	aq_rules_set_jit(rules, !env || strcmp(env, "1"));
}

#endif
