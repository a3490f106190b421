/*
 * lexicon.h - internal interface between the lexicon (lexicon.c) and its
 * users inside the library (anchor.c, align.c, later the rules engine).
 * Not installed; the public part is in alignqa.h.
 */
#ifndef AQ_LEXICON_H
#define AQ_LEXICON_H

#include "alignqa.h"

/* A growable array of 32-bit ids. */
typedef struct aq_u32vec {
	uint32_t *v;
	size_t n, cap;
} aq_u32vec;

void aq_u32vec_init(aq_u32vec *v);
void aq_u32vec_dispose(aq_u32vec *v);
int aq_u32vec_push(aq_u32vec *v, uint32_t x);

/* Is this lexicon a dictionary (weak lexical anchors, CC-CEDICT) or a
 * glossary (term pairs with a status)? */
bool aq_lexicon_is_glossary(const aq_lexicon *lex);

/* ---- Dictionary matching (weak anchors for the aligner) -------------- */

/* Number of distinct English gloss words (after stemming) in the lexicon:
 * every id returned below is < this. */
uint32_t aq_lexicon_vocab_size(const aq_lexicon *lex);

/* Appends the vocabulary ids of the English words of text[off..end) that
 * occur in some gloss (lower-cased, stemmed, stop words dropped), each id
 * once.  Words not in the vocabulary are skipped. */
int aq_lexicon_en_words(aq_u32vec *out, const aq_lexicon *lex, const char *text,
	uint32_t off, uint32_t end);

/* A Chinese dictionary word found in a sentence. */
typedef struct aq_lexhit {
	uint32_t off, end;  /* span of the word in the text */
	uint32_t first;     /* its gloss word ids: aq_lexicon_gloss_ids()[first..first+n) */
	uint32_t n;
} aq_lexhit;

typedef struct aq_lexhits {
	aq_lexhit *v;
	size_t n, cap;
} aq_lexhits;

void aq_lexhits_init(aq_lexhits *h);
void aq_lexhits_dispose(aq_lexhits *h);

/* Segments the Han text of text[off..end) by forward maximum matching
 * against the dictionary (simplified and traditional headwords) and
 * appends one hit per dictionary word that has at least one gloss word. */
int aq_lexicon_zh_words(aq_lexhits *out, const aq_lexicon *lex, const char *text,
	uint32_t off, uint32_t end);

/* The flat array of gloss word ids that aq_lexhit.first indexes. */
const uint32_t *aq_lexicon_gloss_ids(const aq_lexicon *lex);

/* ---- Glossary matching (strong anchors; terminology rules) ------------ */

typedef enum aq_term_status {
	AQ_TERM_PREFERRED = 0,
	AQ_TERM_DEPRECATED = 1,
	AQ_TERM_FORBIDDEN = 2,
} aq_term_status;

/* A glossary term found in a sentence. */
typedef struct aq_termhit {
	uint32_t off, end;  /* span of the term in the text */
	uint32_t concept;   /* concept id: an English term and all its Chinese
	                     * variants share one */
	uint32_t entry;     /* glossary line (entry index) that matched */
	uint8_t status;     /* aq_term_status of that entry (zh side) */
} aq_termhit;

typedef struct aq_termhits {
	aq_termhit *v;
	size_t n, cap;
} aq_termhits;

void aq_termhits_init(aq_termhits *h);
void aq_termhits_dispose(aq_termhits *h);

/* A view of the Chinese text[off..end) for matching words and terms: the
 * white space next to a non-ASCII character left out (line breaks of PDF
 * text split them: "代谢综 合征", "结 果", "logistic 回归"), and with fold
 * the Traditional-only characters replaced by their Simplified ones (both
 * three-byte UTF-8).  out receives the view (NUL-terminated), (*map)[k]
 * the offset in text of its byte k, (*map)[out->len] = end; *map grows as
 * needed (*map_cap).  0 or AQ_ENOMEM. */
int aq_zh_squeeze(aq_buf *out, uint32_t **map, size_t *map_cap, const char *text, uint32_t off,
	uint32_t end, bool fold);

/* Appends the glossary terms found in text[off..end).  English matching is
 * case-insensitive on word boundaries and tolerates inflection (plural,
 * -ed, -ing); Chinese matching is on characters, longest match first.
 * Overlapping matches keep the longest. */
int aq_lexicon_find_terms(aq_termhits *out, const aq_lexicon *lex, aq_lang lang,
	const char *text, uint32_t off, uint32_t end);

/* Entry access for the rules engine: English term, Chinese term, status, note. */
size_t aq_lexicon_entries(const aq_lexicon *lex);
int aq_lexicon_entry(const aq_lexicon *lex, size_t idx, const char **en, const char **zh,
	aq_term_status *status, const char **note);

/* Lower-cases and stems one English word into buf (size >= len + 1);
 * returns the stem length.  The same function is applied to glosses and to
 * sentences so that both meet in one form. */
size_t aq_en_stem(char *buf, const char *word, size_t len);

#endif
