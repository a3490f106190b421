/*
 * rules_int.h - internal interface between the rules engine (rules.c) and
 * the checker (check.c): per-thread match scratch, applying the pattern
 * rules to one bead, looking up built-in and glossary rules, and filling
 * message templates.  Not installed; the public part is in alignqa.h.
 */
#ifndef AQ_RULES_INT_H
#define AQ_RULES_INT_H

#include "alignqa.h"
#include "lexicon.h"

/* Per-thread PCRE2 state: match data, a match context carrying the match
 * and depth limits and a JIT stack, and the cache of pair-rule Chinese
 * patterns compiled after back-reference substitution.  One per thread;
 * it borrows rules, which must outlive it. */
typedef struct aq_rules_scratch aq_rules_scratch;

/* Returns 0 or AQ_ENOMEM. */
int aq_rules_scratch_new(aq_rules_scratch **out, const aq_rules *rules);
void aq_rules_scratch_free(aq_rules_scratch *s);
/* Forgets what the scratch knows of the record last checked (call before
 * the aq_rules_apply() calls of each record). */
void aq_rules_scratch_reset(aq_rules_scratch *s);

/* Runs every enabled preserve, pair and forbid rule on one bead.  en and zh
 * are the bead's spans in rec->en and rec->zh (off == AQ_NO_SPAN when that
 * side of the bead is empty; preserve and pair rules then do nothing, the
 * structural checks report the gap).  Appends findings with absolute
 * offsets: a forbid finding has the span of the match on its side; a
 * preserve or pair miss has the span of the English match and the whole
 * Chinese bead span.  bead is stored in each finding.  Returns 0,
 * AQ_ENOMEM or AQ_ERULE (a pattern hit the PCRE2 match, depth or JIT stack
 * limit; the message in ctx names the rule id, its file:line and the
 * record). */
int aq_rules_apply(aq_findings *out, const aq_rules *rules, aq_rules_scratch *s, aq_ctx *ctx,
	const aq_record *rec, aq_span en, aq_span zh, uint32_t bead);

/* For check.c's built-in checks: the rule with this full id
 * ("structure.omission") if it is loaded, of kind builtin or glossary, and
 * enabled; else NULL.  Built-in checks report under the returned rule's id,
 * severity, category and message template. */
const aq_rule_info *aq_rules_builtin(const aq_rules *rules, const char *id);

/* The glossaries glossary rules use: those given to aq_rules_add_glossary
 * and those loaded from packs ("file:") and configuration files, in that
 * order of attachment.  *out points into rules (valid until the rules
 * change).  Returns how many. */
size_t aq_rules_glossaries(const aq_rules *rules, const aq_lexicon *const **out);

/* The enabled glossary rule that reports glossary entries of this status
 * (status: preferred | deprecated | forbidden in the pack), or NULL.  A
 * preferred-status rule reports an English term whose Chinese side lacks
 * every variant of the concept; deprecated and forbidden rules report the
 * Chinese variant found.  Message keys: {term} (English term), {expected}
 * (preferred Chinese term), {match} (Chinese text found), {en}, {zh}. */
const aq_rule_info *aq_rules_glossary_rule(const aq_rules *rules, aq_term_status status);

/* A built-in rule's tuning parameter from its "params:" mapping in the
 * pack (a string as written), or NULL if the rule has no such key. */
const char *aq_rules_param(const aq_rule_info *rule, const char *key);
/* The same parsed as a number; dflt when absent or not a number. */
double aq_rules_param_num(const aq_rule_info *rule, const char *key, double dflt);

/* Fills a message template into out (appended): every "{name}" whose name
 * is keys[i] becomes values[i] (a NULL value counts as ""); unknown
 * placeholders and lone braces stay as written.  Returns 0 or AQ_ENOMEM. */
int aq_rules_format(aq_buf *out, const char *tmpl, const char *const *keys,
	const char *const *values, size_t n);

/* aq_rules_selftest with counts: *passed and *failed receive the number of
 * examples that behaved as declared and those that did not (the return
 * value is *failed, or a negative error code).  Used by `alignqa rules
 * test` for its "N passed, M failed" line. */
int aq_rules_selftest_counts(aq_rules *rules, aq_buf *report, size_t *passed, size_t *failed);

#endif
