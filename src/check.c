/*
 * check.c - applies the rules to one aligned record: the pattern rules of
 * the packs (through rules.c) and the built-in checks, each switched on,
 * tuned and worded by its rule in the packs.  Matching patterns is
 * rules.c's job; finding numbers, anchors and glossary terms is
 * normalize.c's, anchor.c's and lexicon.c's; pairing sentences is align.c's.
 * ICU is used once, when a checker is created, to learn which characters
 * are Traditional-only.  Findings are data: nothing here prints or decides
 * exit codes.
 */
#include "alignqa.h"
#include "lexicon.h"
#include "rules_int.h"
#include "han_int.h"
#include "util_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


/*
 * The built-in checks and what they read from their rule.
 *
 * Every built-in rule is looked up with aq_rules_builtin() at each
 * aq_check(); a rule that is absent or disabled is skipped.  A finding takes
 * the rule's id, severity, category and message template (a built-in
 * wording when the template is empty).  Every template may use {en} and
 * {zh}, the text under the finding's English and Chinese spans (cut to 60
 * characters), and {match}, the check's main item; the other placeholders
 * are listed with each check.  Numeric "params:" of the rule tune it; the
 * defaults are given in brackets.  Thresholds were set on WMT18 Medline
 * with bench/calibrate_ratio.py and bench/check_inject.py (see
 * rules/README-calibration.md).
 *
 * structure.omission        an English sentence with no Chinese: a 1-0 bead,
 *                           or a sentence folded into a wider bead that takes
 *                           no share of it (unmatched_in_bead(): params
 *                           wide_low [0.215]; the sentence whose dictionary
 *                           words find far fewer counterparts than its
 *                           fellows', else the one whose removal fits the
 *                           length best, among those whose words find
 *                           counterparts less than covered_share [0.5] times
 *                           the record's median).  Not reported: sentences with
 *                           fewer than min_letters [3] letters, copyright
 *                           lines.  {match} = {en}.
 * structure.addition        a Chinese sentence with no English: a 0-1 bead,
 *                           or folded into a wider bead (wide_high [0.392]).
 *                           Same exemptions.  {match} = {zh}.
 * structure.untranslated    a Chinese sentence in Latin script: Han share of
 *                           its letters below max_han_share [0.25], at least
 *                           min_letters [20] letters, and English prose in it
 *                           (function words such as "the", "of", "was", or
 *                           many lower-case words), so that gene names,
 *                           formulas and species names are not reported.
 *                           {share}: Han share in percent.
 * structure.copied-source   the Chinese repeats a run of at least min_words
 *                           [10] words of its English outside brackets (an
 *                           English gloss in brackets is good practice), or
 *                           of min_prose_words [5] with a verb or a relative
 *                           word in it (a clause left in English), or
 *                           a whole sentence of 4 words or more pasted in
 *                           Latin script; then untranslated is not also
 *                           reported.  {words}, {match}: the copied text.
 * structure.length-ratio    Chinese length per English length outside
 *                           [low, high]: high [0.60]; low from the bead's
 *                           length (low_z [2.44] deviations of the log
 *                           ratio, see RATIO_SD0_SQ; low_z_cut [1.5] when
 *                           the Chinese ends on Han text whose last
 *                           character closes no dictionary word, cut off
 *                           mid-phrase, or on Han text with no mark after
 *                           it) unless low is given.  In a bead of several
 *                           English sentences and one Chinese sentence
 *                           that passes, also one English sentence (not
 *                           the last) whose share of the Chinese, as the
 *                           aligner splits it by dictionary words
 *                           (aq_align_evidence.en_zh_end), is share_z
 *                           [3.0] deviations short (share_z_bare [1.5]
 *                           when no clause mark joins it to the next
 *                           share) while the bead is share_bead_z [0.5]
 *                           short: a translation cut off and run into the
 *                           next sentence (short_share()).  The finding
 *                           then spans that sentence and its share.
 *                           Chinese length: Han characters + other non-space characters / 4.1;
 *                           not "long" when Latin text in brackets (a gloss,
 *                           a chemical name) makes the difference;
 *                           English: non-space code points.  Beads under
 *                           min_en [40] English characters are skipped.
 *                           {ratio}, {low}, {high}, {percent} (of the median
 *                           0.282), {direction} ("short" or "long").
 * structure.lexical-gap     needs a dictionary: a sentence of a bead whose
 *                           dictionary words (at least min_words [6]) mostly
 *                           find no counterpart on the other side: its share
 *                           of matched words under share [0.2] times the
 *                           record's median share (share_merged [0.3], with
 *                           min_words_merged [4], when the bead has several
 *                           sentences on its side: a dropped sentence's
 *                           source folded into a neighbour's bead), the
 *                           median itself at least
 *                           min_median [0.3], over the sentences with
 *                           min_words).  Part of the English was left out
 *                           (side "English") or the Chinese holds more than
 *                           its source (side "Chinese").  Not reported where
 *                           the bead already has an omission, addition,
 *                           untranslated or length-ratio finding, nor for a
 *                           sentence that shares two numbers with the other
 *                           side of its bead (a loose translation).  {side},
 *                           {matched}, {words}, {percent}, {median}.
 * structure.low-confidence  a bead with both sides scored under min_score
 *                           [0.3].  {score}, {threshold}.
 * structure.out-of-order    sentences translated in another order than
 *                           their sources.  With a dictionary: two English
 *                           sentences whose best Chinese partners (each the
 *                           other's best, among the Chinese sentences of
 *                           its bead and AQ_ALIGN_NEAR_SPAN on either side)
 *                           come the other way round, each crossed pair
 *                           matching at least min_affinity [0.3] of its
 *                           dictionary words and strong anchors (pairs with
 *                           at least min_words [8] of them), margin [0.1]
 *                           more than either straight pair, and at least as
 *                           many words as the sentence's own bead when the
 *                           partner is in another bead; a 1-0 sentence
 *                           with a 0-1 partner needs min_affinity_unpaired
 *                           [0.5].  The aligner folds swapped neighbours
 *                           into one wider bead (2-2, 3-2 ...) or pairs
 *                           them wrongly: the order is seen only so.
 *                           Also, with or without a dictionary: a 1-0 and
 *                           a 0-1 bead, not neighbours, whose sentences
 *                           share 2 strong anchors (1 when either has only
 *                           one) at a plausible length ratio (in a record
 *                           of more than ORDER_MAX_PAIRS such pairs, only
 *                           0-1 beads ORDER_REACH [1,024] beads near).  Reported
 *                           once, on the English sentence and the Chinese
 *                           that translates it, instead of an omission and
 *                           an addition.  {match} = {en}.
 * structure.repeated        a Chinese sentence of at least min_chars [8]
 *                           letters and Han characters that the record
 *                           gives again (white space aside): each later
 *                           copy, unless the English of its bead repeats a
 *                           sentence too.  {zh}.
 * numbers.missing           an English number with no Chinese counterpart in
 *                           the bead or the neighbouring Chinese sentences
 *                           (a range missing whole is one finding).
 *                           {number} as written, {key} its normal form.
 * numbers.missing-repeat    the same, for a number the English repeats and
 *                           the Chinese gives fewer times ("tumours (n=27),
 *                           tissues (n=27)" / "27例"): the value is there.
 *                           {number}, {key}.
 * numbers.extra             a Chinese number with no English counterpart.
 *                           {number}, {key}.
 * numbers.changed           a missing and an extra number of one kind
 *                           (percent, p-value) at a similar place in the bead
 *                           (max_shift [0.4] of its length, or the only
 *                           pair): one number altered.  {en_number},
 *                           {zh_number}, {number} and {found} (the Chinese),
 *                           {expected} (the English).
 *                           Numbers match by normal form, then by value of
 *                           one kind, then as decades (1990s / 90年代).  Also
 *                           a Chinese term's number that its bracketed
 *                           English gloss gives otherwise (分子9（programmed
 *                           death 1）), and the month of a date that differs
 *                           ("April 2010" / 2010年5月; check_months).  Not
 *                           reported alone: weak numbers ("one of", 一些),
 *                           number words up to ten ("both" / 两组), 0 and 1
 *                           ("a case" / 1例), digits in Latin names (RUNX2,
 *                           chemical names), Chinese months and centuries.
 * terms.acronym-missing     an acronym (MSC, from MSCs or MSC's) or a symbol
 *                           kept verbatim (IL-6, EGFR-TKIs) of the English
 *                           that the bead's Chinese lacks, when the record's
 *                           Chinese uses it elsewhere, or when the English
 *                           defines it here and the translation keeps at
 *                           least def_share [0.67] of the acronyms the English
 *                           defines.  A Chinese that never writes the
 *                           acronym has spelled it out throughout: not
 *                           reported.  Accepted instead of the acronym: the
 *                           Chinese term of its definition in the record
 *                           (间充质干细胞（MSCs）, then 间充质干细胞), the usual
 *                           Chinese of acronyms that Chinese translates (CI,
 *                           OR, USA, WHO ...).  Roman numerals are not
 *                           acronyms.  {acronym}.
 * terms.acronym-changed     an acronym of the bead's Chinese that the English
 *                           never writes, one edit (two for four letters or
 *                           more; a swap of neighbours is one) from an
 *                           acronym of the bead's English: "CPR" for "PCR".
 *                           Two-letter ones only when the English acronym is
 *                           missing from the bead.  Reported instead of
 *                           acronym-missing.  {acronym}, {found}.
 * terms.acronym-undefined   an acronym the English defines in the bead that
 *                           the Chinese uses bare and defines nowhere in the
 *                           record.  {acronym}.
 * terms.inconsistent-term   one concept translated two ways in a record: two
 *                           preferred Chinese terms of one glossary concept
 *                           (an abbreviation such as 心衰 for 心力衰竭 is not
 *                           a second way), or one acronym defined with two
 *                           Chinese terms.  {term}, {first} and {expected}
 *                           (the first way), {second} and {match}.
 * terms.glossary-*          the glossary rules (aq_rules_glossary_rule()):
 *                           a deprecated or forbidden Chinese term anywhere
 *                           in the bead; an English term none of whose
 *                           Chinese terms is in the bead or the neighbouring
 *                           Chinese sentences (a longer term holding the
 *                           preferred one counts: 非小细胞肺癌 for 肺癌).
 *                           {term}, {expected}, {match}, {status}.  White
 *                           space next to Chinese characters is ignored
 *                           ("代谢综 合征").  Records in Traditional script are
 *                           not checked against a Simplified glossary.
 * punctuation.brackets-unbalanced   per side and bead: ( ) [ ] 【 】 《 》 〈 〉
 *                           「 」 『 』 〔 〕, full- and half-width forms pairing;
 *                           ")" after a list marker ("1)", "b）") with no "("
 *                           open is no bracket (letters after a capitalised
 *                           word or a conjunction are no marker: "APACHE
 *                           II)", "E和C）").  Not reported when the
 *                           Chinese is unbalanced exactly as its English.
 *                           {side} ("English" or "Chinese"), {bracket}.
 * punctuation.quotes-unbalanced     “ ” ‘ ’ (apostrophes told apart by the
 *                           letters around them) and an odd number of ".
 *                           Not reported when both sides are unbalanced.
 *                           {side}, {quote}.
 * encoding.traditional-chars        Traditional-only characters in a Simplified
 *                           translation, once per sentence.  Traditional-only:
 *                           changed by ICU's Traditional-Simplified transform
 *                           and not in Simplified use as well (著, 乾, 夥 ...).
 *                           A record with more Traditional-only than
 *                           Simplified-only characters is in Traditional
 *                           script: no findings here, but see the next.
 * encoding.traditional-script  A record written in Traditional script: one
 *                           finding (info by default: a consistent choice
 *                           of script, wrong only for a Simplified journal).
 *                           Off too when traditional-chars has
 *                           whole_record: 0.  {chars}, {count}.
 * metadata.date-mismatch    metadata "date" against the date of "citation"
 *                           and of the first "related" line when it names
 *                           the same journal, at the precision both give.
 *                           {date} and {expected} (the record's date),
 *                           {other} and {match}, {source}.
 * metadata.doi-malformed    metadata "doi" not of the form ^10\.\d{4,9}/\S+$.
 *                           {doi}.
 *
 * Record-level findings have no spans; findings of a bead carry its index.
 */

/* ---- tuning defaults (overridable per rule with params:) ------------ */

/* Length ratio (Chinese units per English unit, see check_bead_structure):
 * measured with bench/calibrate_ratio.py over the 451 line pairs of WMT18
 * Medline (both directions) with at least 40 English characters: 0.5th
 * percentile 0.190, 1st 0.194, 2nd 0.199, 5th 0.215, median 0.282, 95th
 * 0.392, 99th 0.493, 99.5th 0.597.  The 1-1 sentence beads alignqa align
 * finds in the same text agree (1st 0.191, median 0.286, 99.5th 0.519).
 * Thresholds: 1st and 99.5th percentiles for a bead on its own; 5th and
 * 95th for a wider bead whose ratio one sentence explains
 * (unmatched_in_bead).  See rules/README-calibration.md. */
#define RATIO_LOW 0.194
/* The low bound of a bead on its own depends on its length: the spread of
 * log(ratio) around the median shrinks as sentences grow (WMT18 line pairs:
 * sd 0.184 at 80-140 English characters, 0.172 at 140-220, 0.147 at
 * 220-400), modelled as sd^2 = RATIO_SD0_SQ + RATIO_SD_K / units and cut
 * at RATIO_LOW_Z standard deviations: 0.165 at 60 units, 0.180 at 110,
 * 0.195 at 300 (bench/calibrate_ratio.py, rules/README-calibration.md). */
#define RATIO_SD0_SQ 0.017
#define RATIO_SD_K 1.86
#define RATIO_LOW_Z 2.44
#define RATIO_HIGH 0.60
#define RATIO_MEDIAN 0.282
#define RATIO_WIDE_LOW 0.215
#define RATIO_WIDE_HIGH 0.392
#define RATIO_MIN_EN 40
#define OTHER_PER_HAN 4.1   /* non-Han characters per Han-character unit */
#define LOWCONF_SCORE 0.3
#define ORDER_MIN_WORDS 8
#define ORDER_MIN_AFF 0.3
#define ORDER_MARGIN 0.1
#define ORDER_MIN_AFF_UNPAIRED 0.5
#define UNTR_MAX_HAN_SHARE 0.25
#define UNTR_MIN_LETTERS 20
#define COPY_MIN_WORDS 10
#define COPY_MAX_WORDS 600  /* longer sides are cut for the word DP */
#define TRIVIAL_LETTERS 3
#define EXCERPT_CP 60
#define TRAD_LIST_MAX 12


enum builtin {
	B_OMISSION,
	B_ADDITION,
	B_UNTRANSLATED,
	B_COPIED,
	B_LENGTH,
	B_LOWCONF,
	B_LEXGAP,
	B_ORDER,
	B_REPEATED,
	B_NUM_MISSING,
	B_NUM_REPEAT,
	B_NUM_EXTRA,
	B_NUM_CHANGED,
	B_ACR_MISSING,
	B_ACR_CHANGED,
	B_ACR_UNDEFINED,
	B_INCONSISTENT,
	B_BRACKETS,
	B_QUOTES,
	B_TRAD,
	B_TRAD_SCRIPT,
	B_DATE,
	B_DOI,
	B__COUNT
};

static const struct {
	const char *id;
	const char *dflt; /* message when the rule has no template */
} builtins[B__COUNT] = {
	[B_OMISSION] = { "structure.omission", "English sentence not translated: \"{en}\"" },
	[B_ADDITION] = { "structure.addition", "Chinese sentence has no English source: \"{zh}\"" },
	[B_UNTRANSLATED] = { "structure.untranslated",
		"Chinese sentence is not translated ({share}% Han): \"{zh}\"" },
	[B_COPIED] = { "structure.copied-source",
		"Chinese copies {words} English words of its source: \"{match}\"" },
	[B_LENGTH] = { "structure.length-ratio",
		"Chinese is unusually {direction} for its English ({percent}% of the usual length)" },
	[B_LEXGAP] = { "structure.lexical-gap",
		"much of the {side} has no counterpart: {matched} of {words} dictionary words" },
	[B_LOWCONF] = { "structure.low-confidence",
		"sentence pairing is uncertain (score {score} < {threshold})" },
	[B_ORDER] = { "structure.out-of-order",
		"sentence translated out of order: \"{en}\" appears elsewhere as \"{zh}\"" },
	[B_REPEATED] = { "structure.repeated",
		"Chinese sentence repeats an earlier one: \"{zh}\"" },
	[B_NUM_MISSING] = { "numbers.missing", "number {number} is missing from the Chinese" },
	[B_NUM_REPEAT] = { "numbers.missing-repeat",
		"number {number} is given more often in the English than in the Chinese" },
	[B_NUM_EXTRA] = { "numbers.extra", "number {number} in the Chinese is not in the English" },
	[B_NUM_CHANGED] = { "numbers.changed",
		"number {en_number} in the English became {zh_number} in the Chinese" },
	[B_ACR_MISSING] = { "terms.acronym-missing", "acronym {acronym} is missing from the Chinese" },
	[B_ACR_CHANGED] = { "terms.acronym-changed",
		"acronym {acronym} of the English is written \"{found}\" in the Chinese" },
	[B_ACR_UNDEFINED] = { "terms.acronym-undefined",
		"acronym {acronym} is used in the Chinese without the definition the English gives it" },
	[B_INCONSISTENT] = { "terms.inconsistent-term",
		"\"{term}\" is translated both as \"{first}\" and as \"{second}\"" },
	[B_BRACKETS] = { "punctuation.brackets-unbalanced",
		"unbalanced bracket {bracket} in the {side}" },
	[B_QUOTES] = { "punctuation.quotes-unbalanced", "unbalanced quote {quote} in the {side}" },
	[B_TRAD] = { "encoding.traditional-chars",
		"Traditional characters in a Simplified translation: {chars}" },
	[B_TRAD_SCRIPT] = { "encoding.traditional-script",
		"the Chinese is written in Traditional characters: {chars}" },
	[B_DATE] = { "metadata.date-mismatch",
		"date {date} does not match the {source} date {other}" },
	[B_DOI] = { "metadata.doi-malformed", "malformed DOI \"{doi}\"" },
};

static const char *const glossary_dflt[3] = {
	"\"{term}\" should be translated as \"{expected}\"",
	"\"{match}\" is a deprecated translation of \"{term}\"; use \"{expected}\"",
	"\"{match}\" is a wrong translation of \"{term}\"; use \"{expected}\"",
};

/* ---- glossary tables ----------------------------------------------- */

/* One glossary as the checks see it: which Chinese terms belong to which
 * concept (a Chinese term may serve several concepts: 胃癌 for "gastric
 * cancer" and "stomach cancer"), and each concept's preferred term. */
typedef struct gloss {
	const aq_lexicon *lex;
	uint64_t *set_key;      /* open addressing: hash(concept, zh term), 0 = empty */
	uint8_t *set_status;    /* aq_term_status of that pair */
	size_t set_cap;         /* slots, a power of two */
	uint32_t *expected;     /* concept -> entry of its first preferred term */
	uint32_t *en_entry;     /* concept -> an entry with that English term */
	uint32_t n_concepts;    /* size of the two arrays above */
} gloss;

#define NO_ENTRY UINT32_MAX

/* ---- per-record scratch ------------------------------------------- */

typedef struct numx {
	char key[40];  /* normal form */
	int32_t peer;  /* matched number on the other side, -1 if none */
	bool quiet;    /* not reported alone when unmatched (see num_quiet) */
	bool weak;     /* AQ_NUM_WEAK: never reported, never paired as changed */
	bool idiom;    /* a number word up to ten, a month, a century: two
	                * quiet numbers pair as changed only if neither is one */
	bool name;     /* digits of a Latin-script name (RUNX2, miR-150) */
} numx;

typedef struct acrdef {
	uint64_t key;     /* anchor key of the acronym */
	uint32_t zh_off;  /* where the definition's Chinese term ends (bracket) */
	uint32_t suf_off; /* the last Han characters (at most 6) before the bracket */
	uint32_t suf_end;
} acrdef;

/* One glossary's terms in the record, found once and looked up by span. */
typedef struct gloss_hits {
	aq_termhits en;        /* English terms of every sentence, in order */
	uint32_t *en_first;    /* sentence -> first hit; [n] = total */
	size_t en_first_cap;
	aq_termhits zh;        /* Chinese terms of the whole text, by offset */
} gloss_hits;

typedef struct termseen {
	uint32_t concept;
	size_t gl;        /* glossary index */
	uint32_t entry;   /* entry of the first variant seen */
	bool reported;
} termseen;

struct aq_checker {
	aq_ctx *ctx;
	const aq_rules *rules;
	aq_rules_scratch *scratch;
	gloss *gl;               /* one per glossary of the rules */
	gloss_hits *gh;          /* their hits in the current record */
	size_t n_gl;
	uint8_t trad[HAN_BITS / 8]; /* Traditional-only characters */
	uint8_t simp[HAN_BITS / 8]; /* Simplified-only characters */
	bool has_trad;              /* the two sets above were built: only when
	                             * the Traditional-characters rule was on
	                             * as the checker was created */
	/* Scratch reused across records. */
	aq_numbers en_nums, zh_nums;
	numx *en_nx, *zh_nx;
	size_t en_nx_cap, zh_nx_cap;
	aq_anchors anc_en, anc_zh;  /* every sentence of the record, in order */
	uint32_t *anc_en_first;     /* sentence -> first anchor; [n] = total */
	uint32_t *anc_zh_first;
	aq_numbers own_nums;        /* numbers of every sentence (en then zh) when
	                             * the alignment has no evidence */
	uint32_t *own_num_first;
	size_t own_num_cap;
	size_t anc_en_cap, anc_zh_cap;
	aq_termhits en_terms, zh_terms;
	aq_buf msg;
	aq_buf view;                /* squeezed Chinese for glossary matching */
	uint32_t *view_map;         /* view byte -> original offset; [len] = end */
	size_t view_map_cap;
	uint8_t *done_en, *done_zh; /* sentences reported by out-of-order */
	size_t done_en_cap, done_zh_cap;
	uint32_t *ord_best;         /* out-of-order: each sentence's best partner
	                             * (en then zh), UINT32_MAX for none */
	double *ord_aff;            /* and how well they match (pair_affinity) */
	uint32_t *ord_bead;         /* each sentence's bead (en then zh) */
	size_t ord_best_cap, ord_aff_cap, ord_bead_cap;
	acrdef *defs;
	size_t n_defs, defs_cap;
	termseen *seen;
	size_t n_seen, seen_cap;
	uint64_t *keys;             /* scratch key list */
	size_t keys_cap;
	uint64_t *en_keys;          /* the English anchors' keys, sorted */
	size_t en_keys_cap;
	uint32_t *dp;               /* word-run DP row */
	size_t dp_cap;
	double *en_u, *zh_u;        /* length units of every sentence */
	size_t en_u_cap, zh_u_cap;
	struct tstat *zh_st;        /* character counts of every Chinese sentence */
	size_t zh_st_cap;
};

/* Everything one aq_check() call needs. */
typedef struct run {
	aq_checker *chk;
	aq_findings *out;
	const aq_alignment *a;
	const aq_record *rec;
	const char *en, *zh;      /* record texts ("" when absent) */
	uint32_t en_len, zh_len;
	const aq_spans *es, *zs;  /* sentences */
	const aq_rule_info *rule[B__COUNT];
	const aq_rule_info *grule[3];
	bool zh_traditional;      /* the Chinese is in Traditional script */
	/* the numbers of sentence i (en then zh), found with the anchors:
	 * nums->v[num_first[i] .. num_first[i + 1]) */
	const aq_numbers *nums;
	const uint32_t *num_first;
	double cov_median[2];     /* median dictionary coverage, en and zh (-1:
	                           * no dictionary or too few words) */
	uint32_t structural_bead; /* last bead with a structural finding */
	size_t n_en_keys;         /* chk->en_keys, once filled */
	bool en_keys_ready;
} run;

/* ---- small text helpers ------------------------------------------- */

static int32_t cp_at(const char *s, uint32_t end, uint32_t *i)
{
	size_t at = *i;
	int32_t cp = aq_utf8_next_inline(s, end, &at);

	*i = (uint32_t)at;
	return cp;
}

static int32_t peek_cp(const char *s, uint32_t end, uint32_t i)
{
	if (i >= end)
		return -2;
	return cp_at(s, end, &i);
}

static int32_t cp_before(const char *s, uint32_t lo, uint32_t i)
{
	size_t e = i;

	if (i <= lo)
		return -2;
	return aq_utf8_prev(s, &e);
}

static bool is_ascii_alpha(int32_t cp)
{
	return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

static bool is_ascii_upper(int32_t cp)
{
	return cp >= 'A' && cp <= 'Z';
}

static bool is_ascii_digit(int32_t cp)
{
	return cp >= '0' && cp <= '9';
}

static bool bit_get(const uint8_t *bits, int32_t cp)
{
	if (cp < HAN_LO || cp > HAN_HI)
		return false;
	return bits[(cp - HAN_LO) >> 3] & (1u << ((cp - HAN_LO) & 7));
}

static void put_cp(aq_buf *b, int32_t cp)
{
	char u[4];
	size_t n;

	n = aq_utf8_encode(u, cp < 0 ? 0xFFFD : cp);
	aq_buf_put(b, u, n);
}

/* Appends s[off..end) to b as valid UTF-8 on one line, cut after max_cp
 * code points with an ellipsis. */
static void put_excerpt(aq_buf *b, const char *s, uint32_t off, uint32_t end, size_t max_cp)
{
	size_t n = 0;
	uint32_t i = off;

	while (i < end) {
		int32_t cp = cp_at(s, end, &i);

		if (n++ == max_cp) {
			aq_buf_puts(b, "\xE2\x80\xA6");
			return;
		}
		if (cp == '\n' || cp == '\r' || cp == '\t')
			cp = ' ';
		put_cp(b, cp);
	}
}

/* Letters, Han and length measures of s[off..end). */
typedef struct tstat {
	uint32_t han;      /* Han characters */
	uint32_t latin;    /* Latin letters */
	uint32_t other;    /* other non-space code points */
	uint32_t nonspace; /* all non-space code points */
} tstat;

static void text_stat(tstat *st, const char *s, uint32_t off, uint32_t end)
{
	uint32_t i = off;

	memset(st, 0, sizeof(*st));
	while (i < end) {
		unsigned char c = (unsigned char)s[i];
		int32_t cp;

		if (c < 0x80) { /* ASCII, most of an English text: no decoding */
			i++;
			if (c == ' ' || (c >= '\t' && c <= '\r'))
				continue;
			st->nonspace++;
			if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
				st->latin++;
			else
				st->other++;
			continue;
		}
		cp = cp_at(s, end, &i);

		if (cp >= 0 && aq_cp_is_space(cp))
			continue;
		st->nonspace++;
		if (cp >= 0 && aq_cp_is_han(cp))
			st->han++;
		else if (cp >= 0 && aq_cp_is_latin_letter(cp))
			st->latin++;
		else
			st->other++;
	}
}

static aq_span no_span(void)
{
	return (aq_span){ AQ_NO_SPAN, AQ_NO_SPAN };
}

/* The span from the first to the last of n sentences from idx. */
static aq_span side_span(const aq_spans *s, uint32_t idx, uint32_t n)
{
	if (n == 0)
		return no_span();
	return (aq_span){ s->v[idx].off, s->v[idx + n - 1].end };
}

/* ---- emitting findings -------------------------------------------- */

#define MAX_KEYS 12

static int emit_rule(run *r, const aq_rule_info *ri, const char *dflt, const aq_span *en,
	const aq_span *zh, uint32_t bead, const char *const *keys, const char *const *vals,
	size_t n)
{
	aq_checker *chk = r->chk;
	const char *k[MAX_KEYS + 3], *v[MAX_KEYS + 3];
	aq_buf ex_en, ex_zh;
	const char *tmpl;
	int rc;

	aq_buf_init(&ex_en);
	aq_buf_init(&ex_zh);
	if (n > MAX_KEYS)
		n = MAX_KEYS;
	for (size_t i = 0; i < n; i++) {
		k[i] = keys[i];
		v[i] = vals[i];
	}
	aq_buf_puts(&ex_en, "");
	aq_buf_puts(&ex_zh, "");
	if (en && en->off != AQ_NO_SPAN)
		put_excerpt(&ex_en, r->en, en->off, en->end, EXCERPT_CP);
	if (zh && zh->off != AQ_NO_SPAN)
		put_excerpt(&ex_zh, r->zh, zh->off, zh->end, EXCERPT_CP);
	k[n] = "en";
	v[n] = ex_en.ptr;
	k[n + 1] = "zh";
	v[n + 1] = ex_zh.ptr;
	/* {match} defaults to the text under the finding's first span */
	{
		bool has_match = false;

		for (size_t i = 0; i < n; i++)
			has_match = has_match || strcmp(k[i], "match") == 0;
		if (!has_match) {
			k[n + 2] = "match";
			v[n + 2] = ex_en.len ? ex_en.ptr : ex_zh.ptr;
			n++;
		}
	}
	tmpl = ri->message && *ri->message ? ri->message : dflt;
	aq_buf_clear(&chk->msg);
	rc = aq_rules_format(&chk->msg, tmpl, k, v, n + 2);
	if (!rc && (chk->msg.oom || ex_en.oom || ex_zh.oom))
		rc = AQ_ENOMEM;
	if (!rc)
		rc = aq_findings_add(r->out, ri->id, ri->severity, ri->category, en, zh, bead,
			chk->msg.ptr ? chk->msg.ptr : "");
	aq_buf_dispose(&ex_en);
	aq_buf_dispose(&ex_zh);
	return rc;
}

static int emit(run *r, enum builtin b, const aq_span *en, const aq_span *zh, uint32_t bead,
	const char *const *keys, const char *const *vals, size_t n)
{
	if (b == B_OMISSION || b == B_ADDITION || b == B_UNTRANSLATED || b == B_COPIED ||
	    b == B_LENGTH)
		r->structural_bead = bead;
	return emit_rule(r, r->rule[b], builtins[b].dflt, en, zh, bead, keys, vals, n);
}

static double param(const run *r, enum builtin b, const char *key, double dflt)
{
	return r->rule[b] ? aq_rules_param_num(r->rule[b], key, dflt) : dflt;
}

/* Copies s[off..end) into a NUL-terminated buffer (cut to size). */
static void copy_text(char *buf, size_t size, const char *s, uint32_t off, uint32_t end)
{
	size_t n = end > off ? end - off : 0;

	if (n >= size) {
		/* cut on a character boundary */
		n = size - 1;
		while (n > 0 && ((unsigned char)s[off + n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(buf, s + off, n);
	buf[n] = '\0';
}

/* ---- checker ------------------------------------------------------- */

static uint64_t pair_key(uint32_t concept, const char *zh)
{
	uint64_t h = aq_hash64(&concept, sizeof(concept), 0x676c6f7373ULL);

	h = aq_hash64(zh, strlen(zh), h);
	return h ? h : 1;
}

static void gloss_set_put(gloss *g, uint64_t key, uint8_t status)
{
	size_t mask = g->set_cap - 1, i = key & mask;

	while (g->set_key[i] && g->set_key[i] != key)
		i = (i + 1) & mask;
	if (!g->set_key[i]) {
		g->set_key[i] = key;
		g->set_status[i] = status;
	} else if (status < g->set_status[i]) {
		g->set_status[i] = status; /* preferred wins over deprecated */
	}
}

/* The status of zh as a term of concept, or -1 if it is not one. */
static int gloss_status(const gloss *g, uint32_t concept, const char *zh)
{
	uint64_t key;
	size_t mask, i;

	if (!g->set_cap)
		return -1;
	key = pair_key(concept, zh);
	mask = g->set_cap - 1;
	for (i = key & mask; g->set_key[i]; i = (i + 1) & mask)
		if (g->set_key[i] == key)
			return g->set_status[i];
	return -1;
}

static void gloss_dispose(gloss *g)
{
	free(g->set_key);
	free(g->set_status);
	free(g->expected);
	free(g->en_entry);
}

/* The concept of an entry is that of its English term, found by matching
 * the term against the glossary itself (the lexicon does not export it). */
static int gloss_build(gloss *g, const aq_lexicon *lex)
{
	size_t n = aq_lexicon_entries(lex);
	uint32_t *concept = NULL;
	aq_termhits hits;
	int rc = AQ_ENOMEM;

	memset(g, 0, sizeof(*g));
	g->lex = lex;
	aq_termhits_init(&hits);
	if (n == 0)
		return 0;
	concept = malloc(n * sizeof(*concept));
	g->set_cap = 16;
	while (g->set_cap < n * 2)
		g->set_cap *= 2;
	g->set_key = calloc(g->set_cap, sizeof(*g->set_key));
	g->set_status = calloc(g->set_cap, sizeof(*g->set_status));
	if (!concept || !g->set_key || !g->set_status)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const char *en = NULL, *zh = NULL, *note = NULL;
		aq_term_status st;
		size_t len;

		concept[i] = NO_ENTRY;
		if (aq_lexicon_entry(lex, i, &en, &zh, &st, &note) || !en || !zh)
			continue;
		len = strlen(en);
		hits.n = 0;
		if (len > UINT32_MAX)
			continue;
		if ((rc = aq_lexicon_find_terms(&hits, lex, AQ_LANG_EN, en, 0, (uint32_t)len)))
			goto out;
		rc = AQ_ENOMEM;
		/* the hit that covers the whole term, else the longest */
		for (size_t k = 0; k < hits.n; k++) {
			if (concept[i] == NO_ENTRY || (hits.v[k].off == 0 && hits.v[k].end == len))
				concept[i] = hits.v[k].concept;
		}
		if (concept[i] == NO_ENTRY)
			continue;
		if (concept[i] >= g->n_concepts)
			g->n_concepts = concept[i] + 1;
		gloss_set_put(g, pair_key(concept[i], zh), (uint8_t)st);
	}
	if (g->n_concepts) {
		g->expected = malloc(g->n_concepts * sizeof(*g->expected));
		g->en_entry = malloc(g->n_concepts * sizeof(*g->en_entry));
		if (!g->expected || !g->en_entry)
			goto out;
		for (uint32_t c = 0; c < g->n_concepts; c++)
			g->expected[c] = g->en_entry[c] = NO_ENTRY;
		for (size_t i = 0; i < n; i++) {
			const char *en = NULL, *zh = NULL, *note = NULL;
			aq_term_status st;
			uint32_t c = concept[i];

			if (c == NO_ENTRY || aq_lexicon_entry(lex, i, &en, &zh, &st, &note))
				continue;
			if (g->en_entry[c] == NO_ENTRY)
				g->en_entry[c] = (uint32_t)i;
			if (g->expected[c] == NO_ENTRY && st == AQ_TERM_PREFERRED)
				g->expected[c] = (uint32_t)i;
		}
	}
	rc = 0;
out:
	free(concept);
	aq_termhits_dispose(&hits);
	return rc;
}

/* Builds the Traditional-only and Simplified-only character sets of the
 * URO block from the generated tables. */
static int trad_build(aq_checker *chk)
{
	memcpy(chk->trad, aq_han_traditional, sizeof(chk->trad));
	memcpy(chk->simp, aq_han_simplified, sizeof(chk->simp));
	chk->has_trad = true;
	/* A character both sets claim (a Traditional form that is also the
	 * simplification of another) counts as Traditional only. */
	for (size_t i = 0; i < sizeof(chk->simp); i++)
		chk->simp[i] &= (uint8_t)~chk->trad[i];
	return 0;
}

int aq_checker_new(aq_checker **out, aq_ctx *ctx, const aq_rules *rules)
{
	aq_checker *chk = NULL;
	const aq_lexicon *const *lexs = NULL;
	int rc = AQ_ENOMEM;

	*out = NULL;
	if (!rules)
		return aq_ctx_error(ctx, AQ_EINVAL, "aq_checker_new: no rules");
	chk = calloc(1, sizeof(*chk));
	if (!chk)
		goto out;
	chk->ctx = ctx;
	chk->rules = rules;
	aq_numbers_init(&chk->en_nums);
	aq_numbers_init(&chk->zh_nums);
	aq_anchors_init(&chk->anc_en);
	aq_anchors_init(&chk->anc_zh);
	aq_numbers_init(&chk->own_nums);
	aq_termhits_init(&chk->en_terms);
	aq_termhits_init(&chk->zh_terms);
	aq_buf_init(&chk->msg);
	aq_buf_init(&chk->view);
	if ((rc = aq_rules_scratch_new(&chk->scratch, rules)))
		goto out;
	chk->n_gl = aq_rules_glossaries(rules, &lexs);
	if (chk->n_gl) {
		chk->gl = calloc(chk->n_gl, sizeof(*chk->gl));
		chk->gh = calloc(chk->n_gl, sizeof(*chk->gh));
		if (!chk->gl || !chk->gh) {
			chk->n_gl = 0;
			rc = AQ_ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < chk->n_gl; i++)
			if ((rc = gloss_build(&chk->gl[i], lexs[i])))
				goto out;
	}
	/* Only the Traditional-characters check needs ICU's transform data. */
	if ((aq_rules_builtin(rules, builtins[B_TRAD].id) ||
	     aq_rules_builtin(rules, builtins[B_TRAD_SCRIPT].id)) && (rc = trad_build(chk)))
		goto out;
	*out = chk;
	chk = NULL;
	rc = 0;
out:
	if (rc == AQ_ENOMEM)
		aq_ctx_error(ctx, rc, "out of memory creating the checker");
	aq_checker_free(chk);
	return rc;
}

void aq_checker_free(aq_checker *chk)
{
	if (!chk)
		return;
	aq_rules_scratch_free(chk->scratch);
	for (size_t i = 0; i < chk->n_gl; i++) {
		gloss_dispose(&chk->gl[i]);
		aq_termhits_dispose(&chk->gh[i].en);
		aq_termhits_dispose(&chk->gh[i].zh);
		free(chk->gh[i].en_first);
	}
	free(chk->gl);
	free(chk->gh);
	aq_numbers_dispose(&chk->en_nums);
	aq_numbers_dispose(&chk->zh_nums);
	free(chk->en_nx);
	free(chk->zh_nx);
	aq_anchors_dispose(&chk->anc_en);
	aq_anchors_dispose(&chk->anc_zh);
	aq_numbers_dispose(&chk->own_nums);
	free(chk->own_num_first);
	free(chk->anc_en_first);
	free(chk->en_keys);
	free(chk->anc_zh_first);
	aq_termhits_dispose(&chk->en_terms);
	aq_termhits_dispose(&chk->zh_terms);
	aq_buf_dispose(&chk->msg);
	aq_buf_dispose(&chk->view);
	free(chk->view_map);
	free(chk->done_en);
	free(chk->done_zh);
	free(chk->ord_best);
	free(chk->ord_aff);
	free(chk->ord_bead);
	free(chk->defs);
	free(chk->seen);
	free(chk->keys);
	free(chk->dp);
	free(chk->en_u);
	free(chk->zh_u);
	free(chk->zh_st);
	free(chk);
}

/* ---- anchors of every sentence ------------------------------------ */

/* Copies one side's anchors from the aligner's (sentences [s0, s0 + n) of
 * its list), leaving out glossary terms: the checks here want exactly what
 * aq_anchors_find() gives without a glossary. */
static int copy_anchors(aq_anchors *out, uint32_t *out_first, const aq_anchors *in,
	const uint32_t *first, size_t s0, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		out_first[i] = (uint32_t)out->n;
		for (uint32_t k = first[s0 + i]; k < first[s0 + i + 1]; k++) {
			if (in->v[k].kind == AQ_ANCHOR_TERM)
				continue;
			if (out->n == out->cap && aq_array_grow((void **)&out->v, &out->cap, out->n + 1,
					sizeof(out->v[0])))
				return AQ_ENOMEM;
			out->v[out->n++] = in->v[k];
		}
	}
	out_first[n] = (uint32_t)out->n;
	return 0;
}

/* Does the alignment carry the aligner's evidence for these sentences? */
static bool has_evidence(const run *r)
{
	const aq_align_evidence *ev = r->a->evidence;

	return ev && ev->anchors && ev->anchor_first && ev->numbers && ev->number_first &&
	       ev->n_sents == r->es->n + r->zs->n;
}

static int reuse_anchors(run *r)
{
	aq_checker *chk = r->chk;

	const aq_align_evidence *ev = r->a->evidence;
	int rc;

	if ((rc = copy_anchors(&chk->anc_en, chk->anc_en_first, ev->anchors, ev->anchor_first, 0,
			r->es->n)))
		return rc;
	return copy_anchors(&chk->anc_zh, chk->anc_zh_first, ev->anchors, ev->anchor_first,
		r->es->n, r->zs->n);
}

static int record_anchors(run *r)
{
	aq_checker *chk = r->chk;
	int rc;

	if (aq_array_grow((void **)&chk->anc_en_first, &chk->anc_en_cap, r->es->n + 1, sizeof(uint32_t)) ||
	    aq_array_grow((void **)&chk->anc_zh_first, &chk->anc_zh_cap, r->zs->n + 1, sizeof(uint32_t)))
		return AQ_ENOMEM;
	chk->anc_en.n = chk->anc_zh.n = 0;
	if (has_evidence(r)) {
		r->nums = r->a->evidence->numbers;
		r->num_first = r->a->evidence->number_first;
		return reuse_anchors(r);
	}
	if (aq_array_grow((void **)&chk->own_num_first, &chk->own_num_cap,
		    r->es->n + r->zs->n + 1, sizeof(uint32_t)))
		return AQ_ENOMEM;
	chk->own_nums.n = 0;
	for (size_t i = 0; i < r->es->n; i++) {
		chk->anc_en_first[i] = (uint32_t)chk->anc_en.n;
		chk->own_num_first[i] = (uint32_t)chk->own_nums.n;
		if ((rc = aq_anchors_find_numbers(&chk->anc_en, &chk->own_nums, AQ_LANG_EN, r->en,
				r->es->v[i].off, r->es->v[i].end, NULL)))
			return rc;
	}
	chk->anc_en_first[r->es->n] = (uint32_t)chk->anc_en.n;
	for (size_t i = 0; i < r->zs->n; i++) {
		chk->anc_zh_first[i] = (uint32_t)chk->anc_zh.n;
		chk->own_num_first[r->es->n + i] = (uint32_t)chk->own_nums.n;
		if ((rc = aq_anchors_find_numbers(&chk->anc_zh, &chk->own_nums, AQ_LANG_ZH, r->zh,
				r->zs->v[i].off, r->zs->v[i].end, NULL)))
			return rc;
	}
	chk->anc_zh_first[r->zs->n] = (uint32_t)chk->anc_zh.n;
	chk->own_num_first[r->es->n + r->zs->n] = (uint32_t)chk->own_nums.n;
	r->nums = &chk->own_nums;
	r->num_first = chk->own_num_first;
	return 0;
}

static bool strong_anchor(const aq_anchor *a)
{
	return !a->weak && a->kind != AQ_ANCHOR_SECTION;
}

/* A strong anchor of the given kind (0: any). */
static bool strong_of(const aq_anchor *a, int kind)
{
	return strong_anchor(a) && (!kind || (int)a->kind == kind);
}

/* Strong anchors (of kind, 0 for any) of English sentences [ei, ei+en)
 * that Chinese sentences [zi, zi+zn) share (distinct keys); *n_en receives
 * the English sentences' distinct strong anchors, *n_zh the Chinese ones'. */
static int shared_anchors(const run *r, uint32_t ei, uint32_t en, uint32_t zi, uint32_t zn,
	int kind, int *n_en, int *n_zh)
{
	const aq_checker *chk = r->chk;
	const aq_anchor *ea = chk->anc_en.v, *za = chk->anc_zh.v;
	uint32_t e0 = chk->anc_en_first[ei], e1 = chk->anc_en_first[ei + en];
	uint32_t z0 = chk->anc_zh_first[zi], z1 = chk->anc_zh_first[zi + zn];
	int shared = 0, ne = 0, nz = 0;

	for (uint32_t i = e0; i < e1; i++) {
		bool dup = false, found = false;

		if (!strong_of(&ea[i], kind))
			continue;
		for (uint32_t k = e0; k < i && !dup; k++)
			dup = strong_of(&ea[k], kind) && ea[k].key == ea[i].key;
		if (dup)
			continue;
		ne++;
		for (uint32_t k = z0; k < z1 && !found; k++)
			found = strong_of(&za[k], kind) && za[k].key == ea[i].key;
		shared += found;
	}
	for (uint32_t i = z0; i < z1; i++) {
		bool dup = false;

		if (!strong_of(&za[i], kind))
			continue;
		for (uint32_t k = z0; k < i && !dup; k++)
			dup = strong_of(&za[k], kind) && za[k].key == za[i].key;
		nz += !dup;
	}
	if (n_en)
		*n_en = ne;
	if (n_zh)
		*n_zh = nz;
	return shared;
}

/* ---- structure ---------------------------------------------------- */

/* Length units of every sentence (see the comment at the top), once a
 * record: the structural checks ask for them many times. */
static int record_units(run *r)
{
	aq_checker *chk = r->chk;
	tstat st;

	if (aq_array_grow((void **)&chk->en_u, &chk->en_u_cap, r->es->n + 1, sizeof(double)) ||
	    aq_array_grow((void **)&chk->zh_u, &chk->zh_u_cap, r->zs->n + 1, sizeof(double)) ||
	    aq_array_grow((void **)&chk->zh_st, &chk->zh_st_cap, r->zs->n + 1, sizeof(tstat)))
		return AQ_ENOMEM;
	for (size_t i = 0; i < r->es->n; i++) {
		text_stat(&st, r->en, r->es->v[i].off, r->es->v[i].end);
		chk->en_u[i] = st.nonspace;
	}
	for (size_t i = 0; i < r->zs->n; i++) {
		text_stat(&st, r->zh, r->zs->v[i].off, r->zs->v[i].end);
		chk->zh_st[i] = st;
		chk->zh_u[i] = st.han + (st.nonspace - st.han) / OTHER_PER_HAN;
	}
	return 0;
}

static double en_units(const run *r, uint32_t idx, uint32_t n)
{
	double u = 0;

	for (uint32_t i = idx; i < idx + n; i++)
		u += r->chk->en_u[i];
	return u;
}

static double zh_units(const run *r, uint32_t idx, uint32_t n)
{
	double u = 0;

	for (uint32_t i = idx; i < idx + n; i++)
		u += r->chk->zh_u[i];
	return u;
}

static bool starts_ci(const char *s, uint32_t off, uint32_t end, const char *w)
{
	size_t n = strlen(w);

	if (end - off < n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[off + i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		if (c != w[i])
			return false;
	}
	return true;
}

/* Too little text to report as a missing or added sentence: fewer than
 * min letters, or a copyright line (publishers add it to one side only). */
static bool trivial_sentence(const char *s, aq_span sp, double min_letters)
{
	tstat st;

	text_stat(&st, s, sp.off, sp.end);
	if (st.han + st.latin < min_letters)
		return true;
	return starts_ci(s, sp.off, sp.end, "\xC2\xA9") || starts_ci(s, sp.off, sp.end, "copyright") ||
	       starts_ci(s, sp.off, sp.end, "(c) ") || starts_ci(s, sp.off, sp.end, "\xE7\x89\x88\xE6\x9D\x83");
}

/* Does the bead's Chinese end on a Han character that closes no dictionary
 * word (a sentence cut off mid-phrase: "精准医学为人类攻。")?  False without
 * a dictionary. */
static bool ends_mid_word(const run *r, const aq_bead *b)
{
	const aq_align_evidence *ev = r->a->evidence;

	if (!ev || !ev->zh_end_word || !b->zh_n || ev->n_sents != r->es->n + r->zs->n)
		return false;
	return ev->zh_end_word[b->zh_idx + b->zh_n - 1] == 0;
}

/* Does the bead's Chinese end on a Han character with no mark after it?
 * Within a text a sentence ends at its mark, so this is the last one of a
 * record (or of a line) whose translation stopped before its full stop:
 * "...对冠心病患者围手术期心脏".  Sentences cut at a "<" in the source
 * ("...(P") end on Latin text and do not count. */
static bool ends_unstopped(const run *r, const aq_bead *b)
{
	aq_span sp;
	size_t e;
	int32_t cp = -1;

	if (!b->zh_n)
		return false;
	sp = r->zs->v[b->zh_idx + b->zh_n - 1];
	e = sp.end;
	while (e > sp.off && (cp = aq_utf8_prev(r->zh, &e)) >= 0 && aq_cp_is_space(cp))
		;
	return cp >= 0 && aq_cp_is_han(cp);
}

static bool ratio_plausible(const run *r, double zu, double eu)
{
	double lo = param(r, B_LENGTH, "low", RATIO_LOW);
	double hi = param(r, B_LENGTH, "high", RATIO_HIGH);

	if (eu <= 0)
		return false;
	return zu / eu >= lo && zu / eu <= hi;
}

/* Deviations of log(ratio) under the median for a bead of eu English
 * units: the length model of structure.length-ratio (RATIO_SD0_SQ). */
static double ratio_z(double ratio, double eu)
{
	return -log(ratio / RATIO_MEDIAN) / sqrt(RATIO_SD0_SQ + RATIO_SD_K / eu);
}

/* Does zh[off..end) hold no clause or sentence mark (，、；：。 and their
 * ASCII forms, a closing bracket)?  Two shares of one Chinese sentence
 * that the translator merged are mostly joined by one; a translation cut
 * short runs into the next sentence without ("...机会及较低本研究..."). */
static bool joined_bare(const char *zh, uint32_t off, uint32_t end)
{
	uint32_t i = off;

	while (i < end) {
		int32_t cp = cp_at(zh, end, &i);

		if (cp == 0xFF0C || cp == 0x3001 || cp == 0xFF1B || cp == 0xFF1A || cp == 0x3002 ||
		    cp == 0xFF09 || cp == ',' || cp == ';' || cp == ':' || cp == ')')
			return false;
	}
	return true;
}

/*
 * A translation cut short and run into the next sentence: its Chinese has
 * lost its full stop, so the aligner pairs the one Chinese sentence with
 * both English sentences, and the bead's length is only a little short.
 * The aligner's split of the Chinese (aq_align_evidence.en_zh_end) shows
 * which share is short.  Reported: an English sentence of such a bead,
 * not its last (a short last share is more often a split put too late by
 * reordered clauses), of min_en units, whose share is share_z [3.0]
 * deviations under the median while the bead as a whole is at least
 * share_bead_z [0.5] under it: text is missing, and the split says where.
 * A bead of normal length with one short share was reordered, not cut.
 * Where the two shares are joined by no clause mark (joined_bare) the
 * share needs only share_z_bare [1.5] deviations.  Returns the sentence,
 * its share in *zh, its ratio in *ratio and the deviations it was held to
 * in *z_used, or UINT32_MAX.
 */
static uint32_t short_share(const run *r, const aq_bead *b, aq_span *zh, double *ratio,
	double *z_used)
{
	const aq_align_evidence *ev = r->a->evidence;
	double min_en = param(r, B_LENGTH, "min_en", RATIO_MIN_EN);
	double eu = en_units(r, b->en_idx, b->en_n), zu = zh_units(r, b->zh_idx, b->zh_n);
	uint32_t off = r->zs->v[b->zh_idx].off;

	if (!ev || !ev->en_zh_end || ev->n_sents != r->es->n + r->zs->n || b->en_n < 2 ||
	    b->zh_n != 1 || eu <= 0 || zu <= 0 ||
	    ratio_z(zu / eu, eu) < param(r, B_LENGTH, "share_bead_z", 0.5))
		return UINT32_MAX;
	for (uint32_t k = b->en_idx; k + 1 < b->en_idx + b->en_n; k++) {
		uint32_t end = ev->en_zh_end[k];
		double ek = r->chk->en_u[k], zk;
		tstat st;

		if (end == AQ_NO_SPAN || end < off)
			return UINT32_MAX;
		text_stat(&st, r->zh, off, end);
		zk = st.han + (st.nonspace - st.han) / OTHER_PER_HAN;
		if (ek >= min_en && zk > 0) {
			bool bare = ev->en_zh_gap && ev->en_zh_gap[k] <= end &&
				joined_bare(r->zh, ev->en_zh_gap[k], end);
			double z = bare ? param(r, B_LENGTH, "share_z_bare", 1.5) :
				param(r, B_LENGTH, "share_z", 3.0);

			if (ratio_z(zk / ek, ek) >= z) {
				*zh = (aq_span){ off, end };
				*ratio = zk / ek;
				*z_used = z;
				return k;
			}
		}
		off = end;
	}
	return UINT32_MAX;
}

/* Pairs 1-0 and 0-1 beads that are each other's translation. */
#define ORDER_MAX_PAIRS 4194304.0 /* 1-0 x 0-1 bead pairs compared in full */
#define ORDER_REACH 1024         /* beyond that, 0-1 beads this near */

static int check_order(run *r)
{
	aq_checker *chk = r->chk;
	const aq_beads *bs = r->a->beads;
	size_t n10 = 0, n01 = 0, reach = bs->n;
	int rc;

	/* every 1-0 bead against every 0-1 bead: bounded, for a record that
	 * aligns hardly at all, to the 0-1 beads within ORDER_REACH beads */
	for (size_t i = 0; i < bs->n; i++) {
		n10 += bs->v[i].en_n == 1 && bs->v[i].zh_n == 0;
		n01 += bs->v[i].en_n == 0 && bs->v[i].zh_n == 1;
	}
	if ((double)n10 * (double)n01 > ORDER_MAX_PAIRS)
		reach = ORDER_REACH;
	for (size_t i = 0; i < bs->n; i++) {
		const aq_bead *bi = &bs->v[i];
		size_t best = SIZE_MAX;
		int best_shared = 0;

		if (bi->en_n != 1 || bi->zh_n != 0 || chk->done_en[bi->en_idx])
			continue;
		for (size_t j = i > reach ? i - reach : 0; j < bs->n && j <= i + reach; j++) {
			const aq_bead *bj = &bs->v[j];
			int shared, ne, nz;

			if (bj->en_n != 0 || bj->zh_n != 1 || chk->done_zh[bj->zh_idx] ||
			    (j + 1 >= i && j <= i + 1))
				continue;
			shared = shared_anchors(r, bi->en_idx, 1, bj->zh_idx, 1, 0, &ne, &nz);
			if (shared < 2 && !(shared == 1 && (ne == 1 || nz == 1)))
				continue;
			if (!ratio_plausible(r, zh_units(r, bj->zh_idx, 1), en_units(r, bi->en_idx, 1)))
				continue;
			if (shared > best_shared) {
				best = j;
				best_shared = shared;
			}
		}
		if (best != SIZE_MAX) {
			const aq_bead *bj = &bs->v[best];
			aq_span en = r->es->v[bi->en_idx], zh = r->zs->v[bj->zh_idx];

			chk->done_en[bi->en_idx] = 1;
			chk->done_zh[bj->zh_idx] = 1;
			if ((rc = emit(r, B_ORDER, &en, &zh, (uint32_t)i, NULL, NULL, 0)))
				return rc;
		}
	}
	return 0;
}

/*
 * How well English sentence x and Chinese sentence y translate each other,
 * 0 .. 1: their dictionary words with a counterpart in the other sentence
 * and their shared strong anchors (counted on both sides), per word and
 * anchor of the two.  -1 when the aligner did not compare them (y is not
 * near x's bead) or they have fewer than min_words words and anchors.
 */
static double pair_affinity(const run *r, uint32_t x, uint32_t y, double min_words)
{
	const aq_align_evidence *ev = r->a->evidence;
	uint32_t first = ev->near_first[x];
	size_t at = (size_t)x * AQ_ALIGN_NEAR + (y - first);
	int shared, ne, nz;
	double have, total;

	if (y < first || y >= first + ev->near_n[x])
		return -1;
	shared = shared_anchors(r, x, 1, y, 1, 0, &ne, &nz);
	have = ev->near_en[at] + ev->near_zh[at] + 2.0 * shared;
	total = ev->dict_words[x] + ev->dict_words[r->es->n + y] + ne + nz;
	if (total < min_words || total <= 0)
		return -1;
	return have / total;
}

/* The best partner of every sentence among those the aligner compared it
 * with (chk->ord_best, ord_aff; English sentences first), at least
 * min_aff.  A tie leaves a sentence without one. */
static void best_partners(run *r, double min_words, double min_aff)
{
	aq_checker *chk = r->chk;
	const aq_align_evidence *ev = r->a->evidence;
	size_t en_n = r->es->n, n = en_n + r->zs->n;

	for (size_t k = 0; k < n; k++) {
		chk->ord_best[k] = UINT32_MAX;
		chk->ord_aff[k] = min_aff;
	}
	for (uint32_t x = 0; x < en_n; x++) {
		for (uint32_t y = ev->near_first[x]; y < ev->near_first[x] + ev->near_n[x]; y++) {
			double aff = pair_affinity(r, x, y, min_words);

			if (aff > chk->ord_aff[x]) {
				chk->ord_aff[x] = aff;
				chk->ord_best[x] = y;
			} else if (aff == chk->ord_aff[x]) {
				chk->ord_best[x] = UINT32_MAX;
			}
			if (aff > chk->ord_aff[en_n + y]) {
				chk->ord_aff[en_n + y] = aff;
				chk->ord_best[en_n + y] = x;
			} else if (aff == chk->ord_aff[en_n + y]) {
				chk->ord_best[en_n + y] = UINT32_MAX;
			}
		}
	}
}

/* English sentence x's Chinese when the two are each other's best partner. */
static uint32_t mutual_partner(const run *r, uint32_t x)
{
	uint32_t y = r->chk->ord_best[x];

	if (y == UINT32_MAX || r->chk->ord_best[r->es->n + y] != x)
		return UINT32_MAX;
	return y;
}

/*
 * Do English sentence x and Chinese sentence y of another bead match each
 * other's dictionary words at least as well as their own beads do?  A
 * sentence of a many-to-one bead shares its partner with a neighbour, which
 * lowers its pair_affinity: a sentence elsewhere that shares a few numbers
 * or names with it may then look better, but explains less of it than its
 * bead.  Sentences of one bead pass: its coverage holds their matches.
 */
static bool explains_better(const run *r, uint32_t x, uint32_t y, double min_aff_unpaired)
{
	const aq_align_evidence *ev = r->a->evidence;
	const aq_beads *bs = r->a->beads;
	size_t en_n = r->es->n, at = (size_t)x * AQ_ALIGN_NEAR + (y - ev->near_first[x]);
	uint32_t bx = r->chk->ord_bead[x], by = r->chk->ord_bead[en_n + y];

	if (bx == by)
		return true;
	/* both left unpaired: omission and addition report them already,
	 * a weak pairing would only turn that error into a warning */
	if (bs->v[bx].zh_n == 0 && bs->v[by].en_n == 0 && r->chk->ord_aff[x] < min_aff_unpaired)
		return false;
	return ev->near_en[at] >= ev->dict_matched[x] &&
	       ev->near_zh[at] >= ev->dict_matched[en_n + y];
}

/*
 * Sentences translated in another order than their sources, wherever the
 * aligner put them: two English sentences x1 < x2 whose best Chinese
 * partners (and whose partners' best English ones are they) come the other
 * way round, y1 > y2, each crossed pair better by margin than either
 * straight one (x1-y2, x2-y1).  The aligner cannot cross beads, so it folds
 * such neighbours into one wider bead, pairs them wrongly or leaves them
 * unpaired; the pair evidence it kept (aq_align_evidence.near_*) still
 * tells.  Needs a dictionary.  Linear in the record: a fixed number of
 * pairs per sentence.
 */
static int check_order_near(run *r)
{
	aq_checker *chk = r->chk;
	const aq_align_evidence *ev = r->a->evidence;
	const aq_beads *bs = r->a->beads;
	double min_words = param(r, B_ORDER, "min_words", ORDER_MIN_WORDS);
	double min_aff = param(r, B_ORDER, "min_affinity", ORDER_MIN_AFF);
	double margin = param(r, B_ORDER, "margin", ORDER_MARGIN);
	double min_unpaired = param(r, B_ORDER, "min_affinity_unpaired", ORDER_MIN_AFF_UNPAIRED);
	size_t n = r->es->n + r->zs->n;
	int rc;

	if (!ev || !ev->near_first || ev->n_sents != n)
		return 0;
	if (aq_array_grow((void **)&chk->ord_best, &chk->ord_best_cap, n + 1, sizeof(uint32_t)) ||
	    aq_array_grow((void **)&chk->ord_aff, &chk->ord_aff_cap, n + 1, sizeof(double)))
		return AQ_ENOMEM;
	if (aq_array_grow((void **)&chk->ord_bead, &chk->ord_bead_cap, n + 1, sizeof(uint32_t)))
		return AQ_ENOMEM;
	for (size_t k = 0; k < bs->n; k++) {
		const aq_bead *b = &bs->v[k];

		for (uint32_t x = b->en_idx; x < b->en_idx + b->en_n; x++)
			chk->ord_bead[x] = (uint32_t)k;
		for (uint32_t y = b->zh_idx; y < b->zh_idx + b->zh_n; y++)
			chk->ord_bead[r->es->n + y] = (uint32_t)k;
	}
	best_partners(r, min_words, min_aff);
	for (size_t k = 0; k < bs->n; k++) {
		const aq_bead *b = &bs->v[k];

		for (uint32_t x1 = b->en_idx; x1 < b->en_idx + b->en_n; x1++) {
			uint32_t y1 = mutual_partner(r, x1);

			if (y1 == UINT32_MAX || chk->done_en[x1] || chk->done_zh[y1])
				continue;
			/* a later English sentence whose partner comes before y1;
			 * the aligner compared pairs near their beads only, so a
			 * crossing further on than AQ_ALIGN_NEAR sentences is
			 * beyond what it kept (and the search stays bounded) */
			for (uint32_t x2 = x1 + 1; x2 < r->es->n && x2 <= x1 + AQ_ALIGN_NEAR; x2++) {
				uint32_t y2 = mutual_partner(r, x2);
				double a12, a21;
				aq_span en, zh;

				if (y2 == UINT32_MAX || y2 >= y1 || chk->done_en[x2] || chk->done_zh[y2])
					continue;
				a12 = pair_affinity(r, x1, y2, 0);
				a21 = pair_affinity(r, x2, y1, 0);
				if (chk->ord_aff[x1] < (a12 > a21 ? a12 : a21) + margin ||
				    chk->ord_aff[x2] < (a12 > a21 ? a12 : a21) + margin ||
				    !explains_better(r, x1, y1, min_unpaired) ||
				    !explains_better(r, x2, y2, min_unpaired))
					continue;
				chk->done_en[x1] = chk->done_en[x2] = 1;
				chk->done_zh[y1] = chk->done_zh[y2] = 1;
				en = r->es->v[x1];
				zh = r->zs->v[y1];
				if ((rc = emit(r, B_ORDER, &en, &zh, (uint32_t)k, NULL, NULL, 0)))
					return rc;
				break;
			}
		}
	}
	return 0;
}

/*
 * A sentence of a wider bead that has no counterpart on the other side:
 * the aligner may fold an untranslated English sentence (or an added
 * Chinese one) into its neighbour's bead instead of leaving it alone.
 * The bead is then too short (too long), and dropping the sentence brings
 * its ratio back into [low, high].  Evidence required: the bead's ratio
 * beyond wide_low / wide_high (defaults: the 5th and 95th percentiles,
 * 0.215 and 0.392), the sentence a real one (min_en English characters,
 * 10 Han characters), none of its strong anchors on the other side, and
 * the ratio without it the closest to the median of the bead's sentences.
 * Returns the sentence index or UINT32_MAX.
 */
/* The share of sentence k's dictionary words (k of side lang) that find a
 * counterpart on the other side of its bead, or -1 without the aligner's
 * dictionary evidence or with fewer than DICT_SHARE_MIN words. */
#define DICT_SHARE_MIN 4

static double dict_share(const run *r, uint32_t k, aq_lang lang)
{
	const aq_align_evidence *ev = r->a->evidence;
	size_t at = (lang == AQ_LANG_ZH ? r->es->n : 0) + k;

	if (!ev || !ev->dict_words || !ev->dict_matched || ev->n_sents != r->es->n + r->zs->n ||
	    ev->dict_words[at] < DICT_SHARE_MIN)
		return -1;
	return (double)ev->dict_matched[at] / ev->dict_words[at];
}

/* Do sentence k's dictionary words find counterparts on the other side of
 * its bead at least covered_share [0.5] times as often as the record's
 * sentences do (its median)?  Then the other side translates it, however
 * well its removal would fit the length: it is not the one left out. */
static bool lexically_covered(const run *r, uint32_t k, aq_lang lang)
{
	double med = r->cov_median[lang == AQ_LANG_ZH], share = dict_share(r, k, lang);
	double f = param(r, lang == AQ_LANG_ZH ? B_ADDITION : B_OMISSION, "covered_share", 0.5);

	return med >= 0 && share >= 0 && share >= f * med;
}

/* The sentence of [first, first+n) on one side of a bead whose dictionary
 * words find far fewer counterparts on the other side than its fellows'
 * do (under half the share of the next lowest, and at least 0.3 below
 * it), or UINT32_MAX: the sentence the bead's other side does not
 * translate, when the lengths alone cannot tell which one it is. */
static uint32_t lexical_outlier(const run *r, uint32_t first, uint32_t n, aq_lang lang)
{
	uint32_t low = UINT32_MAX;
	double s1 = 2, s2 = 2;

	for (uint32_t k = first; k < first + n; k++) {
		double share = dict_share(r, k, lang);

		if (share < 0)
			return UINT32_MAX;
		if (share < s1) {
			s2 = s1;
			s1 = share;
			low = k;
		} else if (share < s2) {
			s2 = share;
		}
	}
	return s2 <= 1 && s1 < 0.5 * s2 && s2 - s1 >= 0.3 ? low : UINT32_MAX;
}

static uint32_t unmatched_in_bead(const run *r, const aq_bead *b, aq_lang lang)
{
	double eu = en_units(r, b->en_idx, b->en_n), zu = zh_units(r, b->zh_idx, b->zh_n);
	double lo = param(r, B_LENGTH, "low", RATIO_LOW), hi = param(r, B_LENGTH, "high", RATIO_HIGH);
	double min_en = param(r, B_LENGTH, "min_en", RATIO_MIN_EN);
	uint32_t best = UINT32_MAX, first, n, lex;
	double best_fit = 0;

	if (b->en_n == 0 || b->zh_n == 0 || eu <= 0)
		return UINT32_MAX;
	if (lang == AQ_LANG_EN) {
		if (b->en_n < 2 || zu / eu >= param(r, B_OMISSION, "wide_low", RATIO_WIDE_LOW))
			return UINT32_MAX;
		first = b->en_idx;
		n = b->en_n;
	} else {
		if (b->zh_n < 2 || zu / eu <= param(r, B_ADDITION, "wide_high", RATIO_WIDE_HIGH))
			return UINT32_MAX;
		first = b->zh_idx;
		n = b->zh_n;
	}
	/* the lexical evidence, where it is clear, says which sentence it
	 * is; else the one whose removal fits the length best */
	lex = lexical_outlier(r, first, n, lang);
	for (uint32_t k = first; k < first + n; k++) {
		double ratio, fit;
		int shared;

		if (lang == AQ_LANG_EN) {
			double ek = en_units(r, k, 1);

			if (ek < min_en || eu - ek <= 0)
				continue;
			ratio = zu / (eu - ek);
			shared = shared_anchors(r, k, 1, b->zh_idx, b->zh_n, 0, NULL, NULL);
		} else {
			double zk = zh_units(r, k, 1);

			if (zk < 10)
				continue;
			ratio = (zu - zk) / eu;
			shared = shared_anchors(r, b->en_idx, b->en_n, k, 1, 0, NULL, NULL);
		}
		if (shared > 0 || ratio < lo || ratio > hi)
			continue;
		if (k == lex)
			return k;
		if (lexically_covered(r, k, lang))
			continue;
		fit = -fabs(log(ratio / RATIO_MEDIAN));
		if (best == UINT32_MAX || fit > best_fit) {
			best = k;
			best_fit = fit;
		}
	}
	return best;
}

/* ---- repeated sentences -------------------------------------------- */

typedef struct {
	uint64_t h;
	uint32_t idx;
} sent_key;

static int sent_key_cmp(const void *a, const void *b)
{
	const sent_key *x = a, *y = b;

	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* A hash of sentence sp without its white space (a repeat pasted across
 * a PDF line break is the same sentence), or 0 when it is too short to
 * be a repeat by accident: under min_chars letters and characters of
 * three or four UTF-8 bytes (Han and other CJK).  FNV-1a over the bytes,
 * in line: this runs over every sentence of every record. */
static uint64_t sentence_key(const char *s, aq_span sp, double min_chars)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	unsigned chars = 0;

	for (uint32_t i = sp.off; i < sp.end; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == 0xE3 && i + 2 < sp.end && (unsigned char)s[i + 1] == 0x80 &&
		    (unsigned char)s[i + 2] == 0x80) {
			i += 2; /* U+3000 */
			continue;
		}
		chars += c >= 0xE0 || is_ascii_alpha(c);
		h = (h ^ c) * 0x100000001b3ULL;
	}
	return chars >= min_chars && h ? h : 0;
}

/* The keys of the sentences of one side, sorted (sentences too short to
 * count are left out). */
static int side_keys(sent_key **out, size_t *n, const char *s, const aq_spans *ss,
	double min_chars)
{
	sent_key *v = malloc((ss->n + 1) * sizeof(*v));

	*n = 0;
	*out = v;
	if (!v)
		return AQ_ENOMEM;
	for (size_t k = 0; k < ss->n; k++) {
		uint64_t h = sentence_key(s, ss->v[k], min_chars);

		if (h)
			v[(*n)++] = (sent_key){ h, (uint32_t)k };
	}
	qsort(v, *n, sizeof(*v), sent_key_cmp);
	return 0;
}

/* Is the key of English sentence k among the keys that repeat? */
static bool en_repeats(const sent_key *v, size_t n, const char *s, aq_span sp, double min_chars)
{
	uint64_t h = sentence_key(s, sp, min_chars);
	size_t lo = 0, hi = n;

	if (!h)
		return false;
	while (lo < hi) { /* the first key >= h */
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].h < h)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo + 1 < n && v[lo].h == h && v[lo + 1].h == h;
}

/* structure.repeated: a Chinese sentence written again later in the
 * record (a pasting slip of a translation tool or an editor), unless the
 * English repeats a sentence of the bead too.  Each later copy is
 * reported, the first one is the translation. */
static int check_repeats(run *r)
{
	double min_chars = param(r, B_REPEATED, "min_chars", 8);
	const aq_beads *bs = r->a->beads;
	sent_key *zk = NULL, *ek = NULL;
	uint32_t *bead_of = NULL;
	size_t nz, ne, i;
	int rc;

	if ((rc = side_keys(&zk, &nz, r->zh, r->zs, min_chars)))
		goto out;
	for (i = 1; i < nz && zk[i].h != zk[i - 1].h; i++)
		;
	if (i >= nz) /* no repeat: the usual case */
		goto out;
	if ((rc = side_keys(&ek, &ne, r->en, r->es, min_chars)))
		goto out;
	rc = AQ_ENOMEM;
	if (!(bead_of = malloc((r->zs->n + 1) * sizeof(*bead_of))))
		goto out;
	for (size_t bi = 0; bi < bs->n; bi++)
		for (uint32_t k = bs->v[bi].zh_idx; k < bs->v[bi].zh_idx + bs->v[bi].zh_n; k++)
			bead_of[k] = (uint32_t)bi;
	rc = 0;
	for (i = 1; i < nz; i++) {
		const aq_bead *b;
		aq_span en, zh = r->zs->v[zk[i].idx];
		bool src_repeats = false;

		if (zk[i].h != zk[i - 1].h)
			continue;
		b = &bs->v[bead_of[zk[i].idx]];
		for (uint32_t k = b->en_idx; k < b->en_idx + b->en_n && !src_repeats; k++)
			src_repeats = en_repeats(ek, ne, r->en, r->es->v[k], min_chars);
		if (src_repeats)
			continue;
		en = side_span(r->es, b->en_idx, b->en_n);
		if ((rc = emit(r, B_REPEATED, b->en_n ? &en : NULL, &zh, bead_of[zk[i].idx], NULL,
				NULL, 0)))
			break;
	}
out:
	free(zk);
	free(ek);
	free(bead_of);
	return rc;
}

static int check_gaps(run *r)
{
	aq_checker *chk = r->chk;
	const aq_beads *bs = r->a->beads;
	double min_letters = param(r, B_OMISSION, "min_letters", TRIVIAL_LETTERS);
	int rc;

	for (size_t i = 0; i < bs->n; i++) {
		const aq_bead *b = &bs->v[i];

		if (r->rule[B_OMISSION] && b->en_n > 0 && b->zh_n == 0) {
			for (uint32_t k = b->en_idx; k < b->en_idx + b->en_n; k++) {
				aq_span en = r->es->v[k];

				if (chk->done_en[k] || trivial_sentence(r->en, en, min_letters))
					continue;
				if ((rc = emit(r, B_OMISSION, &en, NULL, (uint32_t)i,
						NULL, NULL, 0)))
					return rc;
			}
		}
		if (r->rule[B_ADDITION] && b->en_n == 0 && b->zh_n > 0) {
			double ml = param(r, B_ADDITION, "min_letters", TRIVIAL_LETTERS);

			for (uint32_t k = b->zh_idx; k < b->zh_idx + b->zh_n; k++) {
				aq_span zh = r->zs->v[k];

				if (chk->done_zh[k] || trivial_sentence(r->zh, zh, ml))
					continue;
				if ((rc = emit(r, B_ADDITION, NULL, &zh, (uint32_t)i,
						NULL, NULL, 0)))
					return rc;
			}
		}
	}
	return 0;
}

static const char *const function_words[] = {
	"the", "of", "and", "in", "was", "were", "with", "to", "for", "is", "are", "by",
	"that", "this", "on", "as", "at", "from", "an", "which", "these", "be", "been",
	"has", "have", "we", "our", "or", "not", "than",
};

/* Is the Chinese sentence k really English prose? */
static bool untranslated_sentence(const run *r, uint32_t k, double *share)
{
	aq_span sp = r->zs->v[k];
	double max_share = param(r, B_UNTRANSLATED, "max_han_share", UNTR_MAX_HAN_SHARE);
	double min_letters = param(r, B_UNTRANSLATED, "min_letters", UNTR_MIN_LETTERS);
	int n_func = 0, n_lower = 0;
	uint32_t i = sp.off;
	tstat st = r->chk->zh_st[k];

	if (st.han + st.latin < min_letters || st.han + st.latin == 0)
		return false;
	*share = (double)st.han / (st.han + st.latin);
	if (*share >= max_share)
		return false;
	while (i < sp.end) {
		uint32_t ws = i, we;
		bool lower = true;

		if (!is_ascii_alpha((unsigned char)r->zh[i])) {
			i++;
			continue;
		}
		while (i < sp.end && is_ascii_alpha((unsigned char)r->zh[i])) {
			lower = lower && r->zh[i] >= 'a';
			i++;
		}
		we = i;
		if (we - ws < 2)
			continue;
		n_lower += lower;
		for (size_t f = 0; f < sizeof(function_words) / sizeof(function_words[0]); f++)
			if (strlen(function_words[f]) == we - ws &&
			    starts_ci(r->zh, ws, we, function_words[f]))
				n_func++;
	}
	return n_func >= 2 || n_lower >= 8 || (n_func >= 1 && n_lower >= 4);
}

typedef struct wtok {
	uint64_t h;       /* hash of the lower-cased word */
	uint32_t off, end;
	uint32_t sent;    /* sentence index */
	bool bracketed;   /* inside ( ) or （ ）: an English gloss */
} wtok;

/* Words of two or more ASCII letters in the given sentences. */
static int words_of(wtok **v, size_t *n, size_t *cap, const char *s, const aq_spans *ss,
	uint32_t idx, uint32_t cnt)
{
	*n = 0;
	for (uint32_t k = idx; k < idx + cnt; k++) {
		uint32_t i = ss->v[k].off, end = ss->v[k].end;
		int depth = 0;

		while (i < end && *n < COPY_MAX_WORDS) {
			uint32_t ws = i;
			char low[64];
			size_t ln = 0;
			int32_t cp;

			if (!is_ascii_alpha((unsigned char)s[i])) {
				cp = cp_at(s, end, &i);
				if (cp == '(' || cp == 0xFF08)
					depth++;
				else if ((cp == ')' || cp == 0xFF09) && depth > 0)
					depth--;
				else if (cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F)
					depth = 0; /* a gloss never runs past 。！？ */
				continue;
			}
			while (i < end && is_ascii_alpha((unsigned char)s[i])) {
				if (ln < sizeof(low))
					low[ln++] = (char)(s[i] | 0x20);
				i++;
			}
			if (i - ws < 2)
				continue;
			if (aq_array_grow((void **)v, cap, *n + 1, sizeof(**v)))
				return AQ_ENOMEM;
			(*v)[*n] = (wtok){ aq_hash64(low, ln, 0), ws, i, k, depth > 0 };
			(*n)++;
		}
	}
	return 0;
}

/*
 * Reports the longest run of English words that the bead's Chinese repeats
 * outside brackets (an English gloss in brackets, "(non-small cell lung
 * cancer, NSCLC)", is good practice) when it has min_words words, or when
 * it is most of a Chinese sentence written in Latin script (4 words or more,
 * 80% of its words, Han share under the untranslated check's
 * max_han_share): a pasted source sentence.  *copied receives the Chinese
 * span of the run (AQ_NO_SPAN if none).
 */
/* Does the run of n English words at w hold a verb or a relative word
 * (is, was, has, can, which ...)?  Then it is a clause left in English
 * ("..., which has influence on EMT program"), not a name or a title
 * copied whole ("Journal of Thoracic Oncology"). */
static bool prose_run(const char *en, const wtok *w, size_t n)
{
	static const char *const verbs[] = {
		"is", "are", "was", "were", "be", "been", "being", "has", "have", "had",
		"can", "could", "may", "might", "will", "would", "should", "must", "which",
		"that", "whereas", "while", "did", "does", "do",
	};

	for (size_t i = 0; i < n; i++) {
		size_t len = w[i].end - w[i].off;

		for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
			if (strlen(verbs[k]) == len && !strncasecmp(en + w[i].off, verbs[k], len))
				return true;
	}
	return false;
}

static int check_copied(run *r, const aq_bead *b, uint32_t bead, aq_span *copied)
{
	aq_checker *chk = r->chk;
	wtok *ew = NULL, *zw = NULL;
	size_t ne = 0, nz = 0, ce = 0, cz = 0, best = 0, be = 0, bz = 0;
	double min_words = param(r, B_COPIED, "min_words", COPY_MIN_WORDS);
	bool whole = false, prose = false;
	int rc = AQ_ENOMEM;

	*copied = no_span();
	if ((rc = words_of(&zw, &nz, &cz, r->zh, r->zs, b->zh_idx, b->zh_n)) || nz < 4)
		goto out;
	if ((rc = words_of(&ew, &ne, &ce, r->en, r->es, b->en_idx, b->en_n)) || ne < 4)
		goto out;
	rc = AQ_ENOMEM;
	if (aq_array_grow((void **)&chk->dp, &chk->dp_cap, 2 * (nz + 1), sizeof(uint32_t)))
		goto out;
	/* longest common run of words: two DP rows */
	memset(chk->dp, 0, 2 * (nz + 1) * sizeof(uint32_t));
	for (size_t i = 1; i <= ne; i++) {
		uint32_t *cur = chk->dp + (i & 1) * (nz + 1), *prev = chk->dp + ((i - 1) & 1) * (nz + 1);

		cur[0] = 0;
		for (size_t j = 1; j <= nz; j++) {
			cur[j] = ew[i - 1].h == zw[j - 1].h && !zw[j - 1].bracketed ? prev[j - 1] + 1 : 0;
			if (cur[j] > best) {
				best = cur[j];
				be = i;
				bz = j;
			}
		}
	}
	rc = 0;
	if (best >= 4 && best < min_words) {
		uint32_t k = zw[bz - 1].sent;
		size_t in_sent = 0;
		tstat st = r->chk->zh_st[k];

		for (size_t j = 0; j < nz; j++)
			in_sent += zw[j].sent == k;
		whole = best * 5 >= in_sent * 4 && st.han + st.latin > 0 &&
			(double)st.han / (st.han + st.latin) <
			param(r, B_UNTRANSLATED, "max_han_share", UNTR_MAX_HAN_SHARE);
	}
	if (!whole && best < min_words && best >= param(r, B_COPIED, "min_prose_words", 5) &&
	    prose_run(r->en, ew + be - best, best)) {
		/* a clause left in English in a sentence otherwise translated
		 * (one in English throughout is untranslated) */
		tstat st = r->chk->zh_st[zw[bz - 1].sent];

		prose = st.han + st.latin > 0 && (double)st.han / (st.han + st.latin) >=
			param(r, B_UNTRANSLATED, "max_han_share", UNTR_MAX_HAN_SHARE);
	}
	if (best >= min_words || whole || prose) {
		aq_span en = { ew[be - best].off, ew[be - 1].end };
		aq_span zh = { zw[bz - best].off, zw[bz - 1].end };
		char words[24];
		aq_buf m;

		aq_buf_init(&m);
		aq_buf_puts(&m, "");
		put_excerpt(&m, r->zh, zh.off, zh.end, EXCERPT_CP);
		snprintf(words, sizeof(words), "%zu", best);
		*copied = zh;
		rc = m.oom ? AQ_ENOMEM : emit(r, B_COPIED, &en, &zh, bead,
			(const char *[]){ "words", "match" }, (const char *[]){ words, m.ptr }, 2);
		aq_buf_dispose(&m);
	}
out:
	free(ew);
	free(zw);
	return rc;
}

/* The record's median dictionary coverage on one side (0 en, 1 zh): the
 * share of matched words of the sentences in two-sided beads that have at
 * least min_words of them; -1 without a dictionary or with fewer than 3
 * such sentences. */
static int coverage_medians(run *r)
{
	const aq_align_evidence *ev = r->a->evidence;
	double min_words = param(r, B_LEXGAP, "min_words", 6);
	double *v;
	size_t n[2] = { 0, 0 }, total = r->es->n + r->zs->n;

	r->cov_median[0] = r->cov_median[1] = -1;
	if (!(r->rule[B_LEXGAP] || r->rule[B_OMISSION] || r->rule[B_ADDITION]) || !ev ||
	    !ev->dict_words || !ev->dict_matched ||
	    ev->n_sents != total || total == 0)
		return 0;
	if (!(v = malloc(total * sizeof(double))))
		return AQ_ENOMEM;
	for (int side = 0; side < 2; side++) {
		double *w = v + (side ? n[0] : 0);

		for (size_t i = 0; i < r->a->beads->n; i++) {
			const aq_bead *b = &r->a->beads->v[i];
			uint32_t first = side ? b->zh_idx : b->en_idx, cnt = side ? b->zh_n : b->en_n;

			if (!b->en_n || !b->zh_n)
				continue;
			for (uint32_t k = first; k < first + cnt; k++) {
				size_t at = (side ? r->es->n : 0) + k;

				if (ev->dict_words[at] >= min_words)
					w[n[side]++] = (double)ev->dict_matched[at] / ev->dict_words[at];
			}
		}
		if (n[side] >= 3) {
			/* insertion sort: a record has tens of sentences */
			for (size_t a = 1; a < n[side]; a++)
				for (size_t b = a; b > 0 && w[b - 1] > w[b]; b--) {
					double t = w[b];

					w[b] = w[b - 1];
					w[b - 1] = t;
				}
			r->cov_median[side] = w[n[side] / 2];
		}
	}
	free(v);
	return 0;
}

/* structure.lexical-gap (see the table at the top). */
static int check_lexical(run *r, const aq_bead *b, uint32_t bead)
{
	const aq_align_evidence *ev = r->a->evidence;
	double min_words = param(r, B_LEXGAP, "min_words", 6);
	double share1 = param(r, B_LEXGAP, "share", 0.2);
	double share_multi = param(r, B_LEXGAP, "share_merged", 0.3);
	double min_words_multi = param(r, B_LEXGAP, "min_words_merged", 4);
	double min_median = param(r, B_LEXGAP, "min_median", 0.3);
	int rc;

	if (!r->rule[B_LEXGAP] || (r->cov_median[0] < 0 && r->cov_median[1] < 0))
		return 0;
	if (!b->en_n || !b->zh_n || r->structural_bead == bead)
		return 0;
	for (int side = 0; side < 2; side++) {
		uint32_t first = side ? b->zh_idx : b->en_idx, cnt = side ? b->zh_n : b->en_n;
		double med = r->cov_median[side];

		if (med < min_median)
			continue;
		for (uint32_t k = first; k < first + cnt; k++) {
			size_t at = (side ? r->es->n : 0) + k;
			unsigned words = ev->dict_words[at], matched = ev->dict_matched[at];
			char bw[16], bm[16], bp[16], bmed[16];
			aq_span sp = side ? r->zs->v[k] : r->es->v[k];
			aq_span other = side ? side_span(r->es, b->en_idx, b->en_n) :
				side_span(r->zs, b->zh_idx, b->zh_n);

			double share = cnt > 1 ? share_multi : share1;

			if (words < (cnt > 1 ? min_words_multi : min_words) ||
			    (double)matched / words >= share * med)
				continue;
			/* two shared numbers say the sentence translates the
			 * other side, loosely worded (acronyms do not: they
			 * recur in neighbouring sentences) */
			if ((side ? shared_anchors(r, b->en_idx, b->en_n, k, 1, AQ_ANCHOR_NUMBER,
					    NULL, NULL) :
				    shared_anchors(r, k, 1, b->zh_idx, b->zh_n, AQ_ANCHOR_NUMBER,
					    NULL, NULL)) >= 2)
				continue;
			snprintf(bw, sizeof(bw), "%u", words);
			snprintf(bm, sizeof(bm), "%u", matched);
			snprintf(bp, sizeof(bp), "%d", (int)lround(100.0 * matched / words));
			snprintf(bmed, sizeof(bmed), "%d", (int)lround(100 * med));
			if ((rc = emit(r, B_LEXGAP, side ? &other : &sp, side ? &sp : &other, bead,
					(const char *[]){ "side", "matched", "words", "percent", "median" },
					(const char *[]){ side ? "Chinese" : "English", bm, bw, bp, bmed },
					5)))
				return rc;
			r->structural_bead = bead;
			return 0; /* one a bead */
		}
	}
	return 0;
}

/* The length units of the Latin-script text inside brackets in the
 * Chinese span sp: an English gloss or a chemical name that explains a
 * term ("MTS[3-(4,5-dimethylthiazol-2-yl)-...]"), good practice that must
 * not make a translation look padded. */
static double bracket_units(const run *r, aq_span sp)
{
	uint32_t other = 0;
	int depth = 0;

	for (uint32_t i = sp.off; i < sp.end;) {
		int32_t cp = cp_at(r->zh, sp.end, &i);

		if (cp == '(' || cp == '[' || cp == 0xFF08 || cp == 0xFF3B)
			depth++;
		else if ((cp == ')' || cp == ']' || cp == 0xFF09 || cp == 0xFF3D) && depth > 0)
			depth--;
		else if (depth > 0 && cp > ' ' && cp < 0x2E80)
			other++;
	}
	return other / OTHER_PER_HAN;
}

static int check_bead_structure(run *r, const aq_bead *b, uint32_t bead)
{
	aq_span en = side_span(r->es, b->en_idx, b->en_n);
	aq_span zh = side_span(r->zs, b->zh_idx, b->zh_n);
	bool untranslated = false, omitted = false;
	aq_span copied = no_span();
	char buf[4][32];
	int rc;

	/* A verbatim copy is reported as such, not also as untranslated. */
	if (b->en_n && b->zh_n && r->rule[B_COPIED] && (rc = check_copied(r, b, bead, &copied)))
		return rc;
	if (b->zh_n > 0 && r->rule[B_UNTRANSLATED]) {
		for (uint32_t k = b->zh_idx; k < b->zh_idx + b->zh_n; k++) {
			double share = 1;
			aq_span sp = r->zs->v[k];

			if (copied.off != AQ_NO_SPAN && copied.off < sp.end && sp.off < copied.end) {
				untranslated = true;
				continue;
			}
			if (!untranslated_sentence(r, k, &share))
				continue;
			untranslated = true;
			snprintf(buf[0], sizeof(buf[0]), "%d", (int)lround(share * 100));
			if ((rc = emit(r, B_UNTRANSLATED, b->en_n ? &en : NULL, &sp, bead,
					(const char *[]){ "share" }, (const char *[]){ buf[0] }, 1)))
				return rc;
		}
	}
	if (b->en_n == 0 || b->zh_n == 0)
		return 0;
	if (r->rule[B_OMISSION]) {
		uint32_t k = unmatched_in_bead(r, b, AQ_LANG_EN);

		if (k != UINT32_MAX) {
			aq_span sp = r->es->v[k];

			omitted = true;
			if ((rc = emit(r, B_OMISSION, &sp, NULL, bead, NULL, NULL, 0)))
				return rc;
		}
	}
	if (r->rule[B_ADDITION]) {
		uint32_t k = unmatched_in_bead(r, b, AQ_LANG_ZH);

		if (k != UINT32_MAX) {
			aq_span sp = r->zs->v[k];

			omitted = true;
			if ((rc = emit(r, B_ADDITION, NULL, &sp, bead, NULL, NULL, 0)))
				return rc;
		}
	}
	if (r->rule[B_LENGTH] && !omitted && !untranslated) {
		double hi = param(r, B_LENGTH, "high", RATIO_HIGH);
		double min_en = param(r, B_LENGTH, "min_en", RATIO_MIN_EN);
		double eu = en_units(r, b->en_idx, b->en_n), zu = zh_units(r, b->zh_idx, b->zh_n);
		double ratio = eu > 0 ? zu / eu : 0;
		double lo = param(r, B_LENGTH, "low", 0); /* a fixed bound, if given */
		bool cut_share = false;

		if (lo <= 0 && eu > 0) {
			double sd = sqrt(RATIO_SD0_SQ + RATIO_SD_K / eu);

			lo = RATIO_MEDIAN * exp(-param(r, B_LENGTH, "low_z", RATIO_LOW_Z) * sd);
			/* short, and cut off mid-word or before the full stop:
			 * a lower bar */
			if (ratio >= lo && (ends_mid_word(r, b) || ends_unstopped(r, b)) &&
			    ratio < RATIO_MEDIAN * exp(-param(r, B_LENGTH, "low_z_cut", 1.5) * sd))
				lo = ratio * 1.000001 + 1e-12;
		}

		/* long only for a gloss in brackets: "MTS[3-(4,5-dimethyl...)]" */
		if (eu >= min_en && ratio > hi && (zu - bracket_units(r, zh)) / eu <= hi)
			hi = ratio * 1.000001 + 1e-12;
		/* the bead passes: one English sentence's share of its Chinese
		 * may still be short */
		if (!(eu >= min_en && (ratio < lo || ratio > hi))) {
			double z = 0;
			uint32_t k = short_share(r, b, &zh, &ratio, &z);

			if (k != UINT32_MAX) {
				en = r->es->v[k];
				eu = r->chk->en_u[k];
				lo = RATIO_MEDIAN * exp(-z * sqrt(RATIO_SD0_SQ + RATIO_SD_K / eu));
				cut_share = true;
			}
		}
		if (cut_share || (eu >= min_en && (ratio < lo || ratio > hi))) {
			snprintf(buf[0], sizeof(buf[0]), "%.2f", ratio);
			snprintf(buf[1], sizeof(buf[1]), "%.3g", lo);
			snprintf(buf[2], sizeof(buf[2]), "%.3g", hi);
			snprintf(buf[3], sizeof(buf[3]), "%d", (int)lround(ratio / RATIO_MEDIAN * 100));
			if ((rc = emit(r, B_LENGTH, &en, &zh, bead,
					(const char *[]){ "ratio", "low", "high", "percent", "direction" },
					(const char *[]){ buf[0], buf[1], buf[2], buf[3],
						ratio < lo ? "short" : "long" }, 5)))
				return rc;
		}
	}
	if (r->rule[B_LOWCONF]) {
		double min_score = param(r, B_LOWCONF, "min_score", LOWCONF_SCORE);

		if (b->score < min_score) {
			snprintf(buf[0], sizeof(buf[0]), "%.2f", b->score);
			snprintf(buf[1], sizeof(buf[1]), "%.2f", min_score);
			if ((rc = emit(r, B_LOWCONF, &en, &zh, bead,
					(const char *[]){ "score", "threshold" },
					(const char *[]){ buf[0], buf[1] }, 2)))
				return rc;
		}
	}
	return 0;
}

/* ---- numbers ------------------------------------------------------ */

static bool same_value(double a, double b)
{
	double m = fabs(a) > fabs(b) ? fabs(a) : fabs(b);

	return fabs(a - b) <= 1e-9 * (m > 1 ? m : 1);
}

static bool followed_by(const char *s, uint32_t end, uint32_t i, const char *w)
{
	size_t n = strlen(w);

	while (i < end && s[i] == ' ')
		i++;
	return end - i >= n && memcmp(s + i, w, n) == 0;
}

/* Is the number at [off, end) part of a Latin-script name: a letter right
 * before it (RUNX2, miR-150), or inside a chemical name?  Names are
 * compared by anchor.c, not here. */
static bool in_latin_name(const char *s, uint32_t lo, uint32_t hi, uint32_t off, uint32_t end)
{
	int32_t b = cp_before(s, lo, off);
	int letters = 0;

	if (b == '-' && off - 1 > lo)
		b = cp_before(s, lo, off - 1);
	if (is_ascii_alpha(b))
		return true;
	/* a chemical name: "[3-(4,5-dimethylthiazol-2-yl)-5-..." is one token
	 * (up to white space or a Chinese character) with long runs of
	 * letters; "3-day", "24-hour" and "45-year-old" have only short words
	 * (runs of up to five letters are not counted) */
	for (uint32_t i = off, len = 0; i > lo && letters < 6;) {
		int32_t cp = cp_before(s, lo, i);

		if (cp < 0 || cp >= 0x2E80 || aq_cp_is_space(cp))
			break;
		len = is_ascii_alpha(cp) ? len + 1 : 0;
		letters += len == 6 ? 6 : len > 6;
		i -= cp < 0x80 ? 1 : cp < 0x800 ? 2 : 3;
	}
	for (uint32_t i = end, len = 0; i < hi && letters < 6;) {
		int32_t cp = cp_at(s, hi, &i);

		if (cp < 0 || cp >= 0x2E80 || aq_cp_is_space(cp))
			break;
		len = is_ascii_alpha(cp) ? len + 1 : 0;
		letters += len == 6 ? 6 : len > 6;
	}
	return letters >= 6;
}

/* Numbers that are not reported alone when they have no counterpart:
 * number words up to ten (translators write 两组 for "both groups",
 * "twice" as 2次), 0 and 1 ("none", "a case" 1例), digits inside Latin
 * names, and on the Chinese side months (6月 for "June") and centuries
 * (20世纪90年代 for "the 1990s").  They may still pair up as a changed
 * number with a reportable one.  Weak numbers ("one of", 一些) never do. */
static bool num_quiet(const run *r, aq_lang lang, const aq_number *n, aq_span side, bool *idiom)
{
	const char *s = lang == AQ_LANG_EN ? r->en : r->zh;

	*idiom = true;
	if ((n->flags & AQ_NUM_WORD) && !(n->flags & AQ_NUM_PERCENT) && n->value <= 10)
		return true;
	if (lang == AQ_LANG_ZH && !(n->flags & AQ_NUM_PERCENT) && n->value == floor(n->value)) {
		if (n->value >= 1 && n->value <= 12 && followed_by(s, side.end, n->end, "\xE6\x9C\x88"))
			return true; /* 月 */
		if (followed_by(s, side.end, n->end, "\xE4\xB8\x96\xE7\xBA\xAA"))
			return true; /* 世纪 */
	}
	*idiom = false;
	if (!(n->flags & (AQ_NUM_PERCENT | AQ_NUM_PVALUE)) && (n->value == 0 || n->value == 1))
		return true;
	return in_latin_name(s, side.off, side.end, n->off, n->end);
}

static bool num_compatible(const aq_number *e, const aq_number *z)
{
	uint32_t diff = e->flags ^ z->flags;

	if (diff & AQ_NUM_PVALUE)
		return false;
	/* "9.37-10.41%" against "9.37%~10.41%": a range may carry its percent
	 * sign on one end only */
	if ((diff & AQ_NUM_PERCENT) && !((e->flags | z->flags) & (AQ_NUM_RANGE_LO | AQ_NUM_RANGE_HI)))
		return false;
	return true;
}

static bool all_digits(const char *s, uint32_t off, uint32_t end)
{
	for (uint32_t i = off; i < end; i++)
		if (!is_ascii_digit((unsigned char)s[i]))
			return false;
	return end > off;
}

/* "100 000" written with a space between thousands, which the number
 * finder reads as two numbers: number i and i+1 of nums as one value, or
 * -1 if they are not written so. */
static double space_thousands(const char *s, const aq_numbers *nums, size_t i)
{
	const aq_number *a = &nums->v[i], *b;
	uint32_t gap;

	if (i + 1 >= nums->n)
		return -1;
	b = &nums->v[i + 1];
	gap = b->off - a->end;
	if (b->off < a->end || a->end - a->off > 3 || b->end - b->off != 3 ||
	    !all_digits(s, a->off, a->end) || !all_digits(s, b->off, b->end))
		return -1;
	if (!((gap == 1 && s[a->end] == ' ') ||
	      (gap == 2 && !memcmp(s + a->end, "\xC2\xA0", 2)) ||
	      (gap == 3 && (!memcmp(s + a->end, "\xE2\x80\x89", 3) ||
			    !memcmp(s + a->end, "\xE2\x80\xAF", 3)))))
		return -1;
	return a->value * 1000 + b->value;
}

static int numx_prepare(numx **v, size_t *cap, const run *r, aq_lang lang, const aq_numbers *nums,
	aq_span side)
{
	if (aq_array_grow((void **)v, cap, nums->n + 1, sizeof(numx)))
		return AQ_ENOMEM;
	for (size_t i = 0; i < nums->n; i++) {
		aq_number_key((*v)[i].key, sizeof((*v)[i].key), &nums->v[i]);
		(*v)[i].peer = -1;
		(*v)[i].weak = (nums->v[i].flags & AQ_NUM_WEAK) != 0;
		(*v)[i].quiet = (*v)[i].weak || num_quiet(r, lang, &nums->v[i], side, &(*v)[i].idiom);
		(*v)[i].name = in_latin_name(lang == AQ_LANG_EN ? r->en : r->zh, side.off, side.end,
			nums->v[i].off, nums->v[i].end);
	}
	return 0;
}

static bool is_name_byte(unsigned char c)
{
	return is_ascii_alpha(c) || is_ascii_digit(c) || c == '-';
}

/* Does the text of s[self] hold the Latin token of o around [at, at+n)
 * ("DNAH2" copied from the English, not a rendering of a number)? */
static bool name_copied(const char *o, aq_span other, uint32_t at, uint32_t n, const char *s,
	aq_span self)
{
	uint32_t a = at, b = at + n;

	while (a > other.off && is_name_byte((unsigned char)o[a - 1]))
		a--;
	while (b < other.end && is_name_byte((unsigned char)o[b]))
		b++;
	while (a < at && o[a] == '-')
		a++;
	while (b > at + n && o[b - 1] == '-')
		b--;
	return b - a > n && self.end > self.off &&
	       memmem(s + self.off, self.end - self.off, o + a, b - a) != NULL;
}

/* Does the other side write the digits of num inside a Latin-script name
 * ("microRNA (miR)-150" against "miR-150", "RUNX2")?  For an English
 * number (english), not a name the English writes too: "DNAH2 (... heavy
 * chain 2)" against "DNAH2 (... heavy chain 7)" has lost the 2.  (A Chinese
 * number may spell out a name both sides write: 转录因子2 for RUNX2.) */
static bool digits_in_name(const char *s, uint32_t off, uint32_t end, aq_span self, bool english,
	const char *o, aq_span other)
{
	size_t n = end - off;
	const char *p = o + other.off, *lim = o + other.end;

	if (n == 0 || n > 12)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_ascii_digit((unsigned char)s[off + i]))
			return false;
	while (p < lim && (p = memmem(p, (size_t)(lim - p), s + off, n)) != NULL) {
		uint32_t at = (uint32_t)(p - o);

		if (!(p + n < lim && is_ascii_digit((unsigned char)p[n])) &&
		    !(at > other.off && is_ascii_digit((unsigned char)p[-1])) &&
		    in_latin_name(o, other.off, other.end, at, at + (uint32_t)n) &&
		    !(english && !in_latin_name(s, self.off, self.end, off, end) &&
		      name_copied(o, other, at, (uint32_t)n, s, self)))
			return true;
		p++;
	}
	return false;
}

/* "the 1990s" is 90年代 in Chinese. */
static bool decade_match(const run *r, const aq_number *e, const aq_number *z)
{
	/* "two decades" and 二十年 */
	if (e->value > 0 && e->value < 100 && same_value(e->value * 10, z->value) &&
	    (followed_by(r->en, r->en_len, e->end, "decade") ||
	     followed_by(r->en, r->en_len, e->end, "-decade")) &&
	    followed_by(r->zh, r->zh_len, z->end, "\xE5\xB9\xB4")) /* 年 */
		return true;
	return e->value >= 1000 && e->value < 3000 && fmod(e->value, 10) == 0 &&
	       e->end < r->en_len && r->en[e->end] == 's' &&
	       same_value(fmod(e->value, 100), z->value) &&
	       followed_by(r->zh, r->zh_len, z->end, "\xE5\xB9\xB4\xE4\xBB\xA3"); /* 年代 */
}

/* Appends the numbers of sentence k of a side (found with its anchors). */
static int sentence_numbers(aq_numbers *out, const run *r, aq_lang lang, uint32_t k)
{
	uint32_t i = (lang == AQ_LANG_EN ? 0 : (uint32_t)r->es->n) + k;
	uint32_t a = r->num_first[i], b = r->num_first[i + 1];

	if (a == b)
		return 0;
	if (aq_array_grow((void **)&out->v, &out->cap, out->n + (b - a), sizeof(aq_number)))
		return AQ_ENOMEM;
	memcpy(out->v + out->n, r->nums->v + a, (b - a) * sizeof(aq_number));
	out->n += b - a;
	return 0;
}

/* Is a number with this normal form in the sentence just before or after
 * sentences [idx, idx+n) of a side?  Sentence pairing is not exact: a
 * number across a bead boundary is not missing.  Returns 1, 0 or an error. */
static int in_neighbour(run *r, aq_lang lang, uint32_t idx, uint32_t n, const char *key)
{
	const aq_spans *ss = lang == AQ_LANG_EN ? r->es : r->zs;
	aq_numbers nums;
	int rc = 0;

	aq_numbers_init(&nums);
	for (int side = 0; side < 2 && rc == 0; side++) {
		uint32_t k;

		if (side == 0 && (idx == 0 || n == 0))
			continue;
		k = side == 0 ? idx - 1 : idx + n;
		if (k >= ss->n)
			continue;
		nums.n = 0;
		if ((rc = sentence_numbers(&nums, r, lang, k)))
			break;
		for (size_t i = 0; i < nums.n && rc == 0; i++) {
			char kb[40];

			aq_number_key(kb, sizeof(kb), &nums.v[i]);
			rc = strcmp(kb, key) == 0;
		}
	}
	aq_numbers_dispose(&nums);
	return rc;
}

static int emit_number(run *r, enum builtin b, const aq_number *num, const numx *x,
	aq_span en, aq_span zh, uint32_t bead, aq_lang lang)
{
	char text[64];

	copy_text(text, sizeof(text), lang == AQ_LANG_EN ? r->en : r->zh, num->off, num->end);
	return emit(r, b, en.off == AQ_NO_SPAN ? NULL : &en, zh.off == AQ_NO_SPAN ? NULL : &zh, bead,
		(const char *[]){ "number", "key", "match" },
		(const char *[]){ text, x->key, text }, 3);
}

/* The number of a Chinese term and the one its bracketed English gloss
 * gives: 程序性死亡分子1（programmed death 1, PD-1）, 转录因子2(Runt-related
 * transcription factor 2, RUNX2).  True with both as text (digits only)
 * when num is such a term's number and the gloss has a number after a
 * Latin word. */
static bool gloss_number(const char *zh, aq_span zhs, const aq_number *num, char zt[16],
	char gt[16])
{
	uint32_t i = num->end, lim;
	int32_t cp;

	if (num->end - num->off > 6)
		return false;
	for (uint32_t k = num->off; k < num->end; k++)
		if (!is_ascii_digit((unsigned char)zh[k]))
			return false;
	cp = cp_before(zh, zhs.off, num->off);
	if (cp < 0x4E00 || cp > 0x9FFF)
		return false;
	while (i < zhs.end && zh[i] == ' ')
		i++;
	cp = peek_cp(zh, zhs.end, i);
	if (cp != '(' && cp != 0xFF08)
		return false;
	i += cp == '(' ? 1 : 3;
	lim = zhs.end - i > 120 ? i + 120 : zhs.end;
	for (; i < lim && zh[i] != ')' && (unsigned char)zh[i] < 0x80; i++) {
		uint32_t q = i, p = i;

		if (!is_ascii_digit((unsigned char)zh[i]))
			continue;
		while (q < lim && is_ascii_digit((unsigned char)zh[q]))
			q++;
		if (p > 0 && zh[p - 1] == ' ')
			p--;
		else if (p > 1 && zh[p - 1] == '-')
			p--;
		if (q - i > 6 || p == 0 || !is_ascii_alpha((unsigned char)zh[p - 1]) ||
		    (q < lim && (zh[q] == '.' || is_ascii_alpha((unsigned char)zh[q]))))
			return false;
		memcpy(zt, zh + num->off, num->end - num->off);
		zt[num->end - num->off] = '\0';
		memcpy(gt, zh + i, q - i);
		gt[q - i] = '\0';
		return true;
	}
	return false;
}

/* ---- months ------------------------------------------------------ */

/* A month of a date: "April 2010", "28 July", 2010年4月, 4月28日. */
typedef struct month_at {
	int month;  /* 1-12 */
	aq_span sp;
	bool date;  /* in a date, not a bare name or a duration */
} month_at;

#define MONTHS_MAX 16

static const char *const month_names[12] = {
	"January", "February", "March", "April", "May", "June", "July", "August",
	"September", "October", "November", "December",
};

/* The month an English word at s[p..e) names (full or three-letter form,
 * "Sept" too), or 0. */
static int month_word(const char *s, uint32_t p, uint32_t e)
{
	size_t n = e - p;

	for (int m = 0; m < 12; m++) {
		size_t full = strlen(month_names[m]);

		if ((n == full || n == 3 || (m == 8 && n == 4)) && n <= full &&
		    !memcmp(s + p, month_names[m], n))
			return m + 1;
	}
	return 0;
}

/* Digits at s[p..) with no digit after them: their count, *v their value. */
static uint32_t digits_at(const char *s, uint32_t p, uint32_t end, int *v)
{
	uint32_t q = p;

	*v = 0;
	while (q < end && q - p < 5 && is_ascii_digit((unsigned char)s[q]))
		*v = *v * 10 + (s[q++] - '0');
	return q < end && is_ascii_digit((unsigned char)s[q]) ? 0 : q - p;
}

/* The capitalised month names in sp ("Jan." with its dot), "May" only in
 * a date; a date when followed by a year or a day, or after a day ("28
 * July"). */
static size_t en_months(const char *s, aq_span sp, month_at *out)
{
	size_t n = 0;

	for (uint32_t i = sp.off; i < sp.end && n < MONTHS_MAX; i++) {
		uint32_t e = i, q, b;
		int m, v;
		bool date = false;

		if (!is_ascii_upper((unsigned char)s[i]) ||
		    (i > sp.off && is_ascii_alpha((unsigned char)s[i - 1])))
			continue;
		while (e < sp.end && is_ascii_alpha((unsigned char)s[e]))
			e++;
		if (!(m = month_word(s, i, e))) {
			i = e;
			continue;
		}
		q = e + (e < sp.end && s[e] == '.' && e - i <= 4);
		while (q < sp.end && s[q] == ' ')
			q++;
		/* followed by a year (1900-2099) or a day (1-31) */
		if ((b = digits_at(s, q, sp.end, &v)) == 4 && v >= 1900 && v < 2100)
			date = true;
		else if (b && b <= 2 && v >= 1 && v <= 31 && m != 5)
			date = true;
		/* or after a day: "28 July" */
		b = i;
		while (b > sp.off && s[b - 1] == ' ')
			b--;
		if (!date && m != 5 && b < i && b > sp.off && is_ascii_digit((unsigned char)s[b - 1])) {
			uint32_t d = b;

			while (d > sp.off && is_ascii_digit((unsigned char)s[d - 1]))
				d--;
			date = digits_at(s, d, sp.end, &v) <= 2 && v >= 1 && v <= 31;
		}
		if (date || m != 5)
			out[n++] = (month_at){ m, { i, e }, date };
		i = e;
	}
	return n;
}

/* The months in sp: 1-12 (ASCII digits) before 月, not 4个月 or 3月龄; a
 * date after 年 (2010年4月) or before a day (4月28日). */
static size_t zh_months(const char *s, aq_span sp, month_at *out)
{
	static const char yue[] = "\xE6\x9C\x88", nian[] = "\xE5\xB9\xB4"; /* 月 年 */
	const char *p = s + sp.off, *lim = s + sp.end;
	size_t n = 0;

	while (n < MONTHS_MAX && (p = memmem(p, (size_t)(lim - p), yue, 3)) != NULL) {
		uint32_t i = (uint32_t)(p - s), d = i, q, b;
		int v, day;
		bool date;

		p += 3;
		while (d > sp.off && is_ascii_digit((unsigned char)s[d - 1]) && i - d < 2)
			d--;
		if (d == i || (d > sp.off && is_ascii_digit((unsigned char)s[d - 1])))
			continue;
		digits_at(s, d, i, &v);
		if (v < 1 || v > 12)
			continue;
		b = d;
		while (b > sp.off && s[b - 1] == ' ')
			b--;
		date = b >= sp.off + 3 && !memcmp(s + b - 3, nian, 3);
		q = i + 3;
		if (!date && (b = digits_at(s, q, sp.end, &day)) >= 1 && b <= 2 && day >= 1 &&
		    day <= 31 && q + b + 3 <= sp.end &&
		    (!memcmp(s + q + b, "\xE6\x97\xA5", 3) || !memcmp(s + q + b, "\xE5\x8F\xB7", 3)))
			date = true; /* 日 号 */
		if (date || i + 6 > sp.end || memcmp(s + i + 3, "\xE9\xBE\x84", 3)) /* 龄 */
			out[n++] = (month_at){ v, { d, i + 3 }, date };
	}
	return n;
}

/* Takes month m from the n months of v not taken yet (used): false when
 * there is none left. */
static bool take_month(const month_at *v, bool *used, size_t n, int m)
{
	for (size_t i = 0; i < n; i++)
		if (!used[i] && v[i].month == m)
			return used[i] = true;
	return false;
}

/* numbers.changed for the months of dates: a month of an English date
 * that the Chinese bead does not give (as often), and one of a Chinese
 * date that the English does not name, pair in order ("January 2010" /
 * 2010年4月).  Chinese months are otherwise not compared (6月 may be
 * June). */
static int check_months(run *r, aq_span ens, aq_span zhs, uint32_t bead)
{
	month_at em[MONTHS_MAX], zm[MONTHS_MAX];
	bool e_used[MONTHS_MAX] = { false }, z_used[MONTHS_MAX] = { false };
	bool e_left[MONTHS_MAX], z_left[MONTHS_MAX];
	size_t ne, nz, j = 0;
	int rc;

	if (!(ne = en_months(r->en, ens, em)) || !(nz = zh_months(r->zh, zhs, zm)))
		return 0;
	/* a month of a date left over when matched against all the months
	 * of the other side */
	for (size_t i = 0; i < ne; i++)
		e_left[i] = em[i].date && !take_month(zm, z_used, nz, em[i].month);
	for (size_t k = 0; k < nz; k++)
		z_left[k] = zm[k].date && !take_month(em, e_used, ne, zm[k].month);
	for (size_t i = 0; i < ne; i++) {
		char et[16], zt[16];

		if (!e_left[i])
			continue;
		while (j < nz && !z_left[j])
			j++;
		if (j == nz)
			break;
		copy_text(et, sizeof(et), r->en, em[i].sp.off, em[i].sp.end);
		copy_text(zt, sizeof(zt), r->zh, zm[j].sp.off, zm[j].sp.end);
		if ((rc = emit(r, B_NUM_CHANGED, &em[i].sp, &zm[j].sp, bead,
				(const char *[]){ "en_number", "zh_number", "number", "expected",
					"found", "match" },
				(const char *[]){ et, zt, zt, et, zt, zt }, 6)))
			return rc;
		j++;
	}
	return 0;
}

static int check_numbers(run *r, const aq_bead *b, uint32_t bead)
{
	aq_checker *chk = r->chk;
	aq_numbers *E = &chk->en_nums, *Z = &chk->zh_nums;
	numx *ex, *zx;
	aq_span ens = side_span(r->es, b->en_idx, b->en_n);
	aq_span zhs = side_span(r->zs, b->zh_idx, b->zh_n);
	int rc;

	if (!r->rule[B_NUM_MISSING] && !r->rule[B_NUM_REPEAT] && !r->rule[B_NUM_EXTRA] &&
	    !r->rule[B_NUM_CHANGED])
		return 0;
	E->n = Z->n = 0;
	/* the numbers found with the anchors, not parsed again */
	for (uint32_t k = b->en_idx; k < b->en_idx + b->en_n; k++)
		if ((rc = sentence_numbers(E, r, AQ_LANG_EN, k)))
			return rc;
	for (uint32_t k = b->zh_idx; k < b->zh_idx + b->zh_n; k++)
		if ((rc = sentence_numbers(Z, r, AQ_LANG_ZH, k)))
			return rc;
	if (E->n == 0 && Z->n == 0)
		return 0;
	if (numx_prepare(&chk->en_nx, &chk->en_nx_cap, r, AQ_LANG_EN, E, ens) ||
	    numx_prepare(&chk->zh_nx, &chk->zh_nx_cap, r, AQ_LANG_ZH, Z, zhs))
		return AQ_ENOMEM;
	ex = chk->en_nx;
	zx = chk->zh_nx;
	/* 1: equal normal forms, in text order, a name's digits with a
	 * name's (DNAH2 with DNAH2, "heavy chain 2" with "heavy chain 2"),
	 * then any; 2: equal values of one kind (1.2×10^5 and 120000;
	 * "2.9-5.3%" against "2.9%~5.3%"); 3: decades (1990s, 90年代) */
	for (int pass = -1; pass < 3; pass++) {
		for (size_t i = 0; i < E->n; i++) {
			if (ex[i].peer >= 0)
				continue;
			for (size_t j = 0; j < Z->n; j++) {
				bool eq;

				if (zx[j].peer >= 0)
					continue;
				if (pass == -1)
					eq = ex[i].name == zx[j].name && strcmp(ex[i].key, zx[j].key) == 0;
				else if (pass == 0)
					eq = strcmp(ex[i].key, zx[j].key) == 0;
				else if (pass == 1)
					eq = same_value(E->v[i].value, Z->v[j].value) &&
						num_compatible(&E->v[i], &Z->v[j]);
				else
					eq = decade_match(r, &E->v[i], &Z->v[j]);
				if (eq) {
					ex[i].peer = (int32_t)j;
					zx[j].peer = (int32_t)i;
					break;
				}
			}
		}
	}
	/* 3b: thousands separated by a space on one side, "100 000" */
	for (int side = 0; side < 2; side++) {
		aq_numbers *A = side ? Z : E, *B = side ? E : Z;
		numx *ax = side ? zx : ex, *bx = side ? ex : zx;
		const char *s = side ? r->zh : r->en;

		for (size_t i = 0; i + 1 < A->n; i++) {
			double v;

			if (ax[i].peer >= 0 || ax[i + 1].peer >= 0 || (v = space_thousands(s, A, i)) < 0)
				continue;
			for (size_t j = 0; j < B->n; j++) {
				if (bx[j].peer < 0 && same_value(B->v[j].value, v)) {
					ax[i].peer = ax[i + 1].peer = (int32_t)j;
					bx[j].peer = (int32_t)i;
					break;
				}
			}
		}
	}
	/* 4: a missing and an extra number of one kind near the same place are
	 * one number changed (at least one of them reportable, neither weak) */
	{
		size_t ue = 0, uz = 0;

		for (size_t i = 0; i < E->n; i++)
			ue += ex[i].peer < 0 && !ex[i].weak;
		for (size_t j = 0; j < Z->n; j++)
			uz += zx[j].peer < 0 && !zx[j].weak;
		for (size_t i = 0; i < E->n && r->rule[B_NUM_CHANGED] && ue && uz; i++) {
			double pe, best_d = 2;
			size_t best = SIZE_MAX;

			if (ex[i].peer >= 0 || ex[i].weak)
				continue;
			pe = (double)(E->v[i].off - ens.off) / (ens.end - ens.off + 1);
			for (size_t j = 0; j < Z->n; j++) {
				double pz, d;

				if (zx[j].peer >= 0 || zx[j].weak ||
				    (ex[i].quiet && zx[j].quiet && (ex[i].idiom || zx[j].idiom)) ||
				    !num_compatible(&E->v[i], &Z->v[j]))
					continue;
				pz = (double)(Z->v[j].off - zhs.off) / (zhs.end - zhs.off + 1);
				d = fabs(pe - pz);
				if (d < best_d) {
					best_d = d;
					best = j;
				}
			}
			if (best == SIZE_MAX || (best_d > param(r, B_NUM_CHANGED, "max_shift", 0.4) &&
			    !(ue == 1 && uz == 1)))
				continue;
			/* a number written inside a name on the other side is there */
			if (digits_in_name(r->en, E->v[i].off, E->v[i].end, ens, true, r->zh, zhs) ||
			    digits_in_name(r->zh, Z->v[best].off, Z->v[best].end, zhs, false, r->en, ens))
				continue;
			{
				char et[64], zt[64];
				aq_span en = { E->v[i].off, E->v[i].end }, zh = { Z->v[best].off, Z->v[best].end };

				copy_text(et, sizeof(et), r->en, en.off, en.end);
				copy_text(zt, sizeof(zt), r->zh, zh.off, zh.end);
				ex[i].peer = (int32_t)best;
				zx[best].peer = (int32_t)i;
				ue--;
				uz--;
				if ((rc = emit(r, B_NUM_CHANGED, &en, &zh, bead,
						(const char *[]){ "en_number", "zh_number", "number",
							"expected", "found", "match" },
						(const char *[]){ et, zt, zt, et, zt, zt }, 6)))
					return rc;
			}
		}
	}
	for (size_t i = 0; i < E->n && (r->rule[B_NUM_MISSING] || r->rule[B_NUM_REPEAT]); i++) {
		enum builtin which = B_NUM_MISSING;

		if (ex[i].peer >= 0 || ex[i].quiet ||
		    digits_in_name(r->en, E->v[i].off, E->v[i].end, ens, true, r->zh, zhs))
			continue;
		if ((rc = in_neighbour(r, AQ_LANG_ZH, b->zh_idx, b->zh_n, ex[i].key)) != 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		/* the same number found once already: a repeat the Chinese
		 * says once ("(n=27) ... (n=27)" / "27例") */
		for (size_t k = 0; k < E->n; k++)
			if (k != i && ex[k].peer >= 0 && !strcmp(ex[k].key, ex[i].key))
				which = B_NUM_REPEAT;
		if (!r->rule[which])
			continue;
		/* a range missing whole ("aged 7~11 years") is one finding */
		if (which == B_NUM_MISSING && (E->v[i].flags & AQ_NUM_RANGE_LO) && i + 1 < E->n &&
		    (E->v[i + 1].flags & AQ_NUM_RANGE_HI) && ex[i + 1].peer < 0 && !ex[i + 1].quiet) {
			aq_number whole = E->v[i];
			numx wx = ex[i];

			whole.end = E->v[i + 1].end;
			snprintf(wx.key, sizeof(wx.key), "%.18s~%.18s", ex[i].key, ex[i + 1].key);
			ex[i + 1].peer = INT32_MAX;
			if ((rc = emit_number(r, which, &whole, &wx, (aq_span){ whole.off, whole.end },
					zhs, bead, AQ_LANG_EN)))
				return rc;
			continue;
		}
		if ((rc = emit_number(r, which, &E->v[i], &ex[i],
				(aq_span){ E->v[i].off, E->v[i].end }, zhs, bead, AQ_LANG_EN)))
			return rc;
	}
	if (r->rule[B_NUM_CHANGED] && (rc = check_months(r, ens, zhs, bead)))
		return rc;
	/* 5: a term's number that its English gloss in brackets gives otherwise */
	for (size_t j = 0; j < Z->n && r->rule[B_NUM_CHANGED]; j++) {
		char zt[16], gt[16];
		aq_span en = ens, zh = { Z->v[j].off, Z->v[j].end };

		/* matched or not: the gloss next to it may have been changed */
		if (zx[j].peer == INT32_MAX || !gloss_number(r->zh, zhs, &Z->v[j], zt, gt) ||
		    !strcmp(zt, gt))
			continue;
		for (size_t i = 0; i < E->n; i++) {
			char et[16];

			copy_text(et, sizeof(et), r->en, E->v[i].off, E->v[i].end);
			if (!strcmp(et, gt)) {
				en = (aq_span){ E->v[i].off, E->v[i].end };
				break;
			}
		}
		if (zx[j].peer < 0)
			zx[j].peer = INT32_MAX; /* reported here, not as extra */
		if ((rc = emit(r, B_NUM_CHANGED, &en, &zh, bead,
				(const char *[]){ "en_number", "zh_number", "number", "expected",
					"found", "match" },
				(const char *[]){ gt, zt, zt, gt, zt, zt }, 6)))
			return rc;
	}
	for (size_t j = 0; j < Z->n && r->rule[B_NUM_EXTRA]; j++) {
		if (zx[j].peer >= 0 || zx[j].quiet ||
		    digits_in_name(r->zh, Z->v[j].off, Z->v[j].end, zhs, false, r->en, ens))
			continue;
		if ((rc = in_neighbour(r, AQ_LANG_EN, b->en_idx, b->en_n, zx[j].key)) != 0) {
			if (rc < 0)
				return rc;
			continue;
		}
		if ((rc = emit_number(r, B_NUM_EXTRA, &Z->v[j], &zx[j], ens,
				(aq_span){ Z->v[j].off, Z->v[j].end }, bead, AQ_LANG_ZH)))
			return rc;
	}
	return 0;
}

/* ---- acronyms ----------------------------------------------------- */

/* Acronyms that Chinese abstracts usually translate, with the Chinese
 * that stands in for them ('|' between alternatives). */
static const struct {
	const char *acr;
	const char *zh;
} acr_standins[] = {
	{ "CI", "置信区间|可信区间" },
	{ "CIs", "置信区间|可信区间" },
	{ "OR", "比值比|优势比|比数比" },
	{ "ORs", "比值比|优势比|比数比" },
	{ "HR", "风险比|危险比" },
	{ "RR", "相对危险|相对风险|风险比" },
	{ "SD", "标准差" },
	{ "SE", "标准误" },
	{ "SEM", "标准误" },
	{ "IQR", "四分位" },
	{ "USA", "美国" },
	{ "US", "美国" },
	{ "UK", "英国" },
	{ "EU", "欧盟|欧洲联盟" },
	{ "UN", "联合国" },
	{ "WHO", "世界卫生组织|世卫组织" },
	{ "PRC", "中国" },
	{ "AIDS", "艾滋病|获得性免疫缺陷综合征" },
	{ "AM", "上午" },
	{ "PM", "下午" },
};

static bool is_roman(const char *s, size_t n)
{
	size_t i = 0;

	if (n == 0)
		return false;
	while (i < n && i < 3 && s[i] == 'X')
		i++;
	if (n - i == 2 && (memcmp(s + i, "IX", 2) == 0 || memcmp(s + i, "IV", 2) == 0))
		return true;
	if (i < n && s[i] == 'V')
		i++;
	while (i < n && s[i] == 'I')
		i++;
	return i == n;
}

/* The acronym itself within an anchor span: without "'s", "s'" or the
 * plural s (MSCs, MSC's, MSCs'). */
static void acr_base(const char *s, uint32_t off, uint32_t *end)
{
	uint32_t e = *end;

	if (e - off > 2 && s[e - 1] == 's' && s[e - 2] == '\'')
		e -= 2;
	else if (e - off > 4 && s[e - 1] == 's' && !memcmp(s + e - 4, "\xE2\x80\x99", 3))
		e -= 4;
	else if (e - off > 2 && s[e - 1] == '\'')
		e -= 1;
	else if (e - off > 4 && !memcmp(s + e - 3, "\xE2\x80\x99", 3))
		e -= 3;
	if (e - off > 2 && s[e - 1] == 's' && is_ascii_upper((unsigned char)s[e - 2]))
		e -= 1;
	*end = e;
}

static bool contains(const char *s, aq_span sp, const char *w, size_t wn)
{
	if (!wn || sp.off == AQ_NO_SPAN || sp.end - sp.off < wn)
		return false;
	return memmem(s + sp.off, sp.end - sp.off, w, wn) != NULL;
}

/* The acronym a[off..end) written in the Chinese span: not inside a longer
 * run of capitals (MSC in BMSC does not count). */
static bool acr_in_text(const char *zh, aq_span sp, const char *a, size_t n)
{
	const char *p = zh + sp.off, *lim = zh + sp.end;

	while (n && p < lim && (p = memmem(p, (size_t)(lim - p), a, n)) != NULL) {
		bool before = p > zh + sp.off && is_ascii_upper((unsigned char)p[-1]);
		bool after = p + n < lim && is_ascii_upper((unsigned char)p[n]);

		if (!before && !after)
			return true;
		p++;
	}
	return false;
}

static bool standin_present(const char *zh, aq_span sp, const char *a, size_t n)
{
	for (size_t i = 0; i < sizeof(acr_standins) / sizeof(acr_standins[0]); i++) {
		const char *alt = acr_standins[i].zh;

		if (strlen(acr_standins[i].acr) != n || memcmp(acr_standins[i].acr, a, n) != 0)
			continue;
		while (*alt) {
			size_t len = strcspn(alt, "|");

			if (contains(zh, sp, alt, len))
				return true;
			alt += len;
			if (*alt == '|')
				alt++;
		}
	}
	return false;
}

/* Up to max Han characters that end at end (a definition's Chinese term). */
static uint32_t han_suffix(const char *s, uint32_t lo, uint32_t end, int max)
{
	uint32_t p = end;

	for (int k = 0; k < max; k++) {
		size_t q = p;
		int32_t cp;

		if (q <= lo)
			break;
		cp = aq_utf8_prev(s, &q);
		if (cp < 0 || !aq_cp_is_han(cp) || q < lo)
			break;
		p = (uint32_t)q;
	}
	return p;
}

/* Acronym definitions of the Chinese: "间充质干细胞(MSCs)",
 * "组蛋白乙酰转移酶（histone acetyltransferases, HATs）". */
static int collect_defs(run *r)
{
	aq_checker *chk = r->chk;

	chk->n_defs = 0;
	for (size_t si = 0; si < r->zs->n; si++) {
		uint32_t lo = r->zs->v[si].off, hi = r->zs->v[si].end;

		for (uint32_t k = chk->anc_zh_first[si]; k < chk->anc_zh_first[si + 1]; k++) {
			const aq_anchor *an = &chk->anc_zh.v[k];
			uint32_t p = an->off, q = an->end, suf;
			int32_t cp;
			bool open = false;

			if (an->kind != AQ_ANCHOR_ACRONYM)
				continue;
			/* "MSCs（间充质干细胞）": the Chinese term follows */
			{
				uint32_t t = q, hs, he;

				while (peek_cp(r->zh, hi, t) == ' ')
					t++;
				cp = peek_cp(r->zh, hi, t);
				if (cp == '(' || cp == 0xFF08) {
					cp_at(r->zh, hi, &t);
					hs = he = t;
					while ((cp = peek_cp(r->zh, hi, he)) >= 0 && aq_cp_is_han(cp))
						cp_at(r->zh, hi, &he);
					if ((cp == ')' || cp == 0xFF09) && he - hs >= 6) {
						if (aq_array_grow((void **)&chk->defs, &chk->defs_cap, chk->n_defs + 1,
								sizeof(acrdef)))
							return AQ_ENOMEM;
						suf = han_suffix(r->zh, hs, he, 6);
						chk->defs[chk->n_defs++] = (acrdef){ an->key, he, suf, he };
						continue;
					}
				}
			}
			/* the closing bracket right after it */
			while ((cp = peek_cp(r->zh, hi, q)) == ' ')
				q++;
			if (cp != ')' && cp != 0xFF09)
				continue;
			/* opening bracket before it, over Latin words */
			while (p > lo) {
				size_t at = p;

				cp = aq_utf8_prev(r->zh, &at);
				if (cp == '(' || cp == 0xFF08) {
					open = true;
					p = (uint32_t)at;
					break;
				}
				if (!(is_ascii_alpha(cp) || is_ascii_digit(cp) || cp == ' ' || cp == ',' ||
				      cp == '-' || cp == 0xFF0C || cp == 0x3001 || cp == '\'') ||
				    an->off - at > 300)
					break;
				p = (uint32_t)at;
			}
			if (!open)
				continue;
			while (p > lo && (cp = cp_before(r->zh, lo, p)) == ' ')
				p--;
			suf = han_suffix(r->zh, lo, p, 6);
			if (p - suf < 6) /* two Han characters at least */
				continue;
			if (aq_array_grow((void **)&chk->defs, &chk->defs_cap, chk->n_defs + 1, sizeof(acrdef)))
				return AQ_ENOMEM;
			chk->defs[chk->n_defs++] = (acrdef){ an->key, p, suf, p };
		}
	}
	return 0;
}

/* Does sp hold the Chinese term one of the definitions of key gave (its
 * last four characters)? */
static bool def_present(const run *r, uint64_t key, aq_span sp)
{
	const aq_checker *chk = r->chk;

	for (size_t i = 0; i < chk->n_defs; i++) {
		const acrdef *d = &chk->defs[i];
		uint32_t from;

		if (d->key != key)
			continue;
		from = han_suffix(r->zh, d->suf_off, d->suf_end, 4);
		if (contains(r->zh, sp, r->zh + from, d->suf_end - from))
			return true;
	}
	return false;
}

/* Does the record's Chinese use the acronym anywhere?  A translation that
 * never does has spelled it out throughout, a common and consistent
 * choice; one that uses it elsewhere has lost it where it is missing. */
static bool zh_uses(const run *r, uint64_t key, const char *a, size_t n)
{
	const aq_checker *chk = r->chk;

	for (size_t i = 0; i < chk->anc_zh.n; i++)
		if (chk->anc_zh.v[i].key == key)
			return true;
	return acr_in_text(r->zh, (aq_span){ 0, r->zh_len }, a, n);
}

static bool mostly_capitals(const char *s, aq_span sp)
{
	uint32_t up = 0, letters = 0;

	for (uint32_t i = sp.off; i < sp.end; i++) {
		if (is_ascii_alpha((unsigned char)s[i])) {
			letters++;
			up += is_ascii_upper((unsigned char)s[i]);
		}
	}
	return letters >= 12 && up * 10 > letters * 7;
}

static bool en_defines(const run *r, aq_span sent, const aq_anchor *an);

/* Does the translation keep the other acronyms the English defines?  True
 * when the Chinese uses at least def_share (default two thirds) of the
 * acronyms the English record defines ("mesenchymal stem cells (MSCs)"),
 * not counting the one in question (key). */
static bool keeps_definitions(const run *r, uint64_t key)
{
	const aq_checker *chk = r->chk;
	size_t defined = 0, kept = 0;

	for (size_t si = 0; si < r->es->n; si++) {
		for (uint32_t k = chk->anc_en_first[si]; k < chk->anc_en_first[si + 1]; k++) {
			const aq_anchor *an = &chk->anc_en.v[k];
			uint32_t be = an->end;

			if (an->kind != AQ_ANCHOR_ACRONYM || an->key == key ||
			    !en_defines(r, r->es->v[si], an))
				continue;
			acr_base(r->en, an->off, &be);
			defined++;
			kept += zh_uses(r, an->key, r->en + an->off, be - an->off);
		}
	}
	return defined > 0 && kept >= param(r, B_ACR_MISSING, "def_share", 0.67) * defined;
}

static int key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Does the English use the anchor key anywhere?  The keys are sorted
 * once a record, on first use. */
static int en_has_key(run *r, uint64_t key, bool *has)
{
	aq_checker *chk = r->chk;
	size_t lo = 0, hi;

	if (!r->en_keys_ready) {
		if (aq_array_grow((void **)&chk->en_keys, &chk->en_keys_cap, chk->anc_en.n + 1,
				sizeof(uint64_t)))
			return AQ_ENOMEM;
		for (size_t i = 0; i < chk->anc_en.n; i++)
			chk->en_keys[i] = chk->anc_en.v[i].key;
		qsort(chk->en_keys, chk->anc_en.n, sizeof(uint64_t), key_cmp);
		r->n_en_keys = chk->anc_en.n;
		r->en_keys_ready = true;
	}
	hi = r->n_en_keys;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (chk->en_keys[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	*has = lo < r->n_en_keys && chk->en_keys[lo] == key;
	return 0;
}

/* Are a and b (short ASCII strings) at most max edits apart, counting a
 * swap of two neighbouring letters as one edit (restricted
 * Damerau-Levenshtein)? */
static bool near_string(const char *a, size_t na, const char *b, size_t nb, unsigned max)
{
	unsigned d[17][17];

	if (na > 16 || nb > 16 || (na > nb ? na - nb : nb - na) > max)
		return false;
	for (size_t i = 0; i <= na; i++)
		d[i][0] = (unsigned)i;
	for (size_t j = 0; j <= nb; j++)
		d[0][j] = (unsigned)j;
	for (size_t i = 1; i <= na; i++) {
		for (size_t j = 1; j <= nb; j++) {
			unsigned v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[na][nb] <= max;
}

/* The English acronym of bead b (its anchor) that the Chinese acronym
 * zh[off..end) is a misspelling of: a letter or two away (one for up to
 * three letters), or NULL. */
static const aq_anchor *misspelt_of(const run *r, const aq_bead *b, uint32_t off, uint32_t end)
{
	const aq_checker *chk = r->chk;

	for (uint32_t k = chk->anc_en_first[b->en_idx];
	     k < chk->anc_en_first[b->en_idx + b->en_n]; k++) {
		const aq_anchor *an = &chk->anc_en.v[k];
		uint32_t be = an->end;

		if (an->kind != AQ_ANCHOR_ACRONYM)
			continue;
		acr_base(r->en, an->off, &be);
		if (near_string(r->en + an->off, be - an->off, r->zh + off, end - off,
				be - an->off <= 3 ? 1 : 2))
			return an;
	}
	return NULL;
}

/* terms.acronym-changed: an acronym of the Chinese bead that the English
 * never writes, a letter or two away from one the English bead has
 * ("PCR" written "CPR", "EGFR" as "EGRF").  A two-letter one only where
 * the English acronym is missing from the bead: two-letter acronyms
 * collide too easily.  The English acronyms reported go into
 * chk->keys[0 .. *n_keys), so that they are not also reported missing. */
static int check_acronym_changed(run *r, const aq_bead *b, uint32_t bead, size_t *n_keys)
{
	aq_checker *chk = r->chk;
	aq_span zhs = side_span(r->zs, b->zh_idx, b->zh_n);
	int rc;

	*n_keys = 0;
	if (!r->rule[B_ACR_CHANGED])
		return 0;
	for (uint32_t z = chk->anc_zh_first[b->zh_idx];
	     z < chk->anc_zh_first[b->zh_idx + b->zh_n]; z++) {
		const aq_anchor *zn = &chk->anc_zh.v[z], *en;
		uint32_t ze = zn->end, be;
		bool has, seen = false;
		char et[64], zt[64];

		if (zn->kind != AQ_ANCHOR_ACRONYM)
			continue;
		acr_base(r->zh, zn->off, &ze);
		if (!(en = misspelt_of(r, b, zn->off, ze)))
			continue;
		be = en->end;
		acr_base(r->en, en->off, &be);
		if ((be - en->off == ze - zn->off && !memcmp(r->en + en->off, r->zh + zn->off, ze - zn->off)) ||
		    (be - en->off <= 2 && acr_in_text(r->zh, zhs, r->en + en->off, be - en->off)))
			continue;
		if ((rc = en_has_key(r, zn->key, &has)))
			return rc;
		if (has || acr_in_text(r->en, (aq_span){ 0, r->en_len }, r->zh + zn->off, ze - zn->off))
			continue;
		for (size_t i = 0; i < *n_keys && !seen; i++)
			seen = chk->keys[i] == en->key;
		if (seen)
			continue;
		if (aq_array_grow((void **)&chk->keys, &chk->keys_cap, *n_keys + 1, sizeof(uint64_t)))
			return AQ_ENOMEM;
		chk->keys[(*n_keys)++] = en->key;
		copy_text(et, sizeof(et), r->en, en->off, be);
		copy_text(zt, sizeof(zt), r->zh, zn->off, ze);
		if ((rc = emit(r, B_ACR_CHANGED, &(aq_span){ en->off, en->end },
				&(aq_span){ zn->off, zn->end }, bead,
				(const char *[]){ "acronym", "found", "match" },
				(const char *[]){ et, zt, zt }, 3)))
			return rc;
	}
	return 0;
}

static int check_acronyms(run *r, const aq_bead *b, uint32_t bead)
{
	aq_checker *chk = r->chk;
	aq_span zhs = side_span(r->zs, b->zh_idx, b->zh_n);
	size_t n_keys = 0;
	int rc;

	if (b->en_n == 0 || b->zh_n == 0)
		return 0;
	if ((rc = check_acronym_changed(r, b, bead, &n_keys)) || !r->rule[B_ACR_MISSING])
		return rc;
	for (uint32_t s = b->en_idx; s < b->en_idx + b->en_n; s++) {
		if (mostly_capitals(r->en, r->es->v[s]))
			continue;
		for (uint32_t k = chk->anc_en_first[s]; k < chk->anc_en_first[s + 1]; k++) {
			const aq_anchor *an = &chk->anc_en.v[k];
			uint32_t be = an->end;
			bool seen = false, present = false;
			char text[64];

			/* acronyms, and symbols kept verbatim (IL-6, EGFR-TKIs, NF-κB) */
			if (an->kind != AQ_ANCHOR_ACRONYM && (an->kind != AQ_ANCHOR_LATIN || an->weak))
				continue;
			for (size_t i = 0; i < n_keys && !seen; i++)
				seen = chk->keys[i] == an->key;
			if (seen)
				continue;
			if (aq_array_grow((void **)&chk->keys, &chk->keys_cap, n_keys + 1, sizeof(uint64_t)))
				return AQ_ENOMEM;
			chk->keys[n_keys++] = an->key;
			acr_base(r->en, an->off, &be);
			if (is_roman(r->en + an->off, be - an->off))
				continue;
			for (uint32_t z = chk->anc_zh_first[b->zh_idx];
			     z < chk->anc_zh_first[b->zh_idx + b->zh_n] && !present; z++)
				present = chk->anc_zh.v[z].key == an->key;
			present = present || acr_in_text(r->zh, zhs, r->en + an->off, be - an->off) ||
				standin_present(r->zh, zhs, r->en + an->off, be - an->off) ||
				def_present(r, an->key, zhs);
			/* An acronym the Chinese never writes was spelled out
			 * throughout, a consistent choice, unless this is where the
			 * English defines it and the translation keeps the
			 * definitions of other acronyms. */
			if (present || (!zh_uses(r, an->key, r->en + an->off, be - an->off) &&
			    !(en_defines(r, r->es->v[s], an) && keeps_definitions(r, an->key))))
				continue;
			copy_text(text, sizeof(text), r->en, an->off, be);
			if ((rc = emit(r, B_ACR_MISSING, &(aq_span){ an->off, an->end }, &zhs, bead,
					(const char *[]){ "acronym", "match" },
					(const char *[]){ text, text }, 2)))
				return rc;
		}
	}
	return 0;
}

/* Does the English define the acronym an at this place: "mesenchymal stem
 * cells (MSCs)", "(MSCs; n = 12)"? */
static bool en_defines(const run *r, aq_span sent, const aq_anchor *an)
{
	uint32_t p = an->off;
	int32_t cp;

	while ((cp = cp_before(r->en, sent.off, p)) == ' ')
		p--;
	if (cp != '(')
		return false;
	p--;
	while ((cp = cp_before(r->en, sent.off, p)) == ' ')
		p--;
	if (!is_ascii_alpha(cp))
		return false;
	p = an->end;
	while ((cp = peek_cp(r->en, sent.end, p)) == ' ')
		p++;
	return cp == ')' || cp == ';' || cp == ',';
}

/* An acronym the English defines in this bead that the Chinese uses bare,
 * with no Chinese definition anywhere in the record: the reader of the
 * translation never learns what it stands for. */
static int check_acronym_defined(run *r, const aq_bead *b, uint32_t bead)
{
	aq_checker *chk = r->chk;
	int rc;

	if (!r->rule[B_ACR_UNDEFINED])
		return 0;
	for (uint32_t s = b->en_idx; s < b->en_idx + b->en_n; s++) {
		for (uint32_t k = chk->anc_en_first[s]; k < chk->anc_en_first[s + 1]; k++) {
			const aq_anchor *an = &chk->anc_en.v[k], *zan = NULL;
			bool defined = false;
			uint32_t be;
			char text[64];

			if (an->kind != AQ_ANCHOR_ACRONYM || !en_defines(r, r->es->v[s], an))
				continue;
			for (size_t i = 0; i < chk->n_defs && !defined; i++)
				defined = chk->defs[i].key == an->key;
			for (uint32_t z = chk->anc_zh_first[b->zh_idx];
			     z < chk->anc_zh_first[b->zh_idx + b->zh_n] && !zan; z++)
				if (chk->anc_zh.v[z].key == an->key)
					zan = &chk->anc_zh.v[z];
			if (defined || !zan)
				continue;
			be = zan->end;
			acr_base(r->zh, zan->off, &be);
			copy_text(text, sizeof(text), r->zh, zan->off, be);
			if ((rc = emit(r, B_ACR_UNDEFINED, &(aq_span){ an->off, an->end },
					&(aq_span){ zan->off, zan->end }, bead,
					(const char *[]){ "acronym", "match" }, (const char *[]){ text, text },
					2)))
				return rc;
		}
	}
	return 0;
}

/* One acronym defined with two different Chinese terms: the shorter
 * term must end the longer one (干细胞 / 间充质干细胞 are one way). */
static int check_def_consistency(run *r)
{
	aq_checker *chk = r->chk;
	int rc;

	if (!r->rule[B_INCONSISTENT])
		return 0;
	for (size_t j = 1; j < chk->n_defs; j++) {
		const acrdef *dj = &chk->defs[j];

		for (size_t i = 0; i < j; i++) {
			const acrdef *di = &chk->defs[i];
			uint32_t li = di->suf_end - di->suf_off, lj = dj->suf_end - dj->suf_off;
			uint32_t n = li < lj ? li : lj;
			char first[64], second[64], acr[64];
			const aq_anchor *an = NULL;
			uint32_t be;

			if (di->key != dj->key)
				continue;
			if (!memcmp(r->zh + di->suf_end - n, r->zh + dj->suf_end - n, n))
				break; /* consistent with an earlier one */
			for (size_t k = 0; k < chk->anc_zh.n && !an; k++)
				if (chk->anc_zh.v[k].key == dj->key && chk->anc_zh.v[k].off >= dj->zh_off)
					an = &chk->anc_zh.v[k];
			if (!an)
				break;
			be = an->end;
			acr_base(r->zh, an->off, &be);
			copy_text(acr, sizeof(acr), r->zh, an->off, be);
			copy_text(first, sizeof(first), r->zh, di->suf_off, di->suf_end);
			copy_text(second, sizeof(second), r->zh, dj->suf_off, dj->suf_end);
			if ((rc = emit(r, B_INCONSISTENT, NULL, &(aq_span){ dj->suf_off, dj->suf_end },
					AQ_NO_SPAN,
					(const char *[]){ "term", "first", "second", "match", "expected" },
					(const char *[]){ acr, first, second, second, first }, 5)))
				return rc;
			break;
		}
	}
	return 0;
}

/* ---- glossary ----------------------------------------------------- */

/* Finds every glossary's terms in the record once: English sentence by
 * sentence, Chinese over the whole text through the view, with offsets
 * into the record text.  No term spans a sentence break. */
static int record_terms(run *r)
{
	aq_checker *chk = r->chk;
	bool viewed = false;
	int rc;

	for (size_t gi = 0; gi < chk->n_gl; gi++) {
		gloss_hits *h = &chk->gh[gi];

		h->en.n = h->zh.n = 0;
		if (!chk->gl[gi].n_concepts)
			continue;
		if (aq_array_grow((void **)&h->en_first, &h->en_first_cap, r->es->n + 1, sizeof(uint32_t)))
			return AQ_ENOMEM;
		for (size_t k = 0; k < r->es->n; k++) {
			h->en_first[k] = (uint32_t)h->en.n;
			if ((rc = aq_lexicon_find_terms(&h->en, chk->gl[gi].lex, AQ_LANG_EN, r->en,
					r->es->v[k].off, r->es->v[k].end)))
				return rc;
		}
		h->en_first[r->es->n] = (uint32_t)h->en.n;
		if (r->zs->n == 0)
			continue;
		if (!viewed) { /* once for every glossary */
			aq_span zh = side_span(r->zs, 0, (uint32_t)r->zs->n);

			if ((rc = aq_zh_squeeze(&chk->view, &chk->view_map, &chk->view_map_cap, r->zh,
					zh.off, zh.end, false)))
				return rc;
			viewed = true;
		}
		if (chk->view.len > UINT32_MAX)
			continue;
		if ((rc = aq_lexicon_find_terms(&h->zh, chk->gl[gi].lex, AQ_LANG_ZH, chk->view.ptr,
				0, (uint32_t)chk->view.len)))
			return rc;
		for (size_t i = 0; i < h->zh.n; i++) {
			aq_termhit *t = &h->zh.v[i];

			t->end = t->end > t->off ? chk->view_map[t->end - 1] + 1 :
				chk->view_map[t->off];
			t->off = chk->view_map[t->off];
		}
	}
	return 0;
}

/* The Chinese terms of glossary gi inside sp, into chk->zh_terms. */
static int zh_terms(run *r, size_t gi, aq_span sp)
{
	aq_checker *chk = r->chk;
	const aq_termhits *all = &chk->gh[gi].zh;
	size_t lo = 0, hi = all->n;

	chk->zh_terms.n = 0;
	if (sp.off == AQ_NO_SPAN)
		return 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (all->v[mid].off < sp.off)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < all->n && all->v[lo].off < sp.end; lo++) {
		if (all->v[lo].end > sp.end)
			continue;
		if (aq_array_grow((void **)&chk->zh_terms.v, &chk->zh_terms.cap, chk->zh_terms.n + 1,
				sizeof(aq_termhit)))
			return AQ_ENOMEM;
		chk->zh_terms.v[chk->zh_terms.n++] = all->v[lo];
	}
	return 0;
}

static const char *entry_zh(const gloss *g, uint32_t entry)
{
	const char *en = NULL, *zh = NULL, *note = NULL;
	aq_term_status st;

	if (entry == NO_ENTRY || aq_lexicon_entry(g->lex, entry, &en, &zh, &st, &note))
		return "";
	return zh ? zh : "";
}

static const char *entry_en(const gloss *g, uint32_t entry)
{
	const char *en = NULL, *zh = NULL, *note = NULL;
	aq_term_status st;

	if (entry == NO_ENTRY || aq_lexicon_entry(g->lex, entry, &en, &zh, &st, &note))
		return "";
	return en ? en : "";
}

/* Is the Chinese term found (h) a translation of concept?  It is when the
 * glossary lists it for the concept, and also when it is a longer term
 * that contains the concept's preferred Chinese term (高血压 holds 血压,
 * 非小细胞肺癌 holds 肺癌) or translates a longer English term ending in the
 * concept's ("pulmonary hypertension" for "hypertension"): the longest
 * match took the place of the shorter one. */
static bool zh_is_variant(const gloss *g, uint32_t concept, const aq_termhit *h)
{
	const char *zh, *want, *en, *sub;
	size_t ln, ls;

	if (h->concept == concept || gloss_status(g, concept, entry_zh(g, h->entry)) >= 0)
		return true;
	if (concept >= g->n_concepts || h->concept >= g->n_concepts)
		return false;
	zh = entry_zh(g, h->entry);
	want = entry_zh(g, g->expected[concept]);
	if (*want && strstr(zh, want))
		return true;
	en = entry_en(g, g->en_entry[h->concept]);
	sub = entry_en(g, g->en_entry[concept]);
	ln = strlen(en);
	ls = strlen(sub);
	return ls && ln > ls + 1 && en[ln - ls - 1] == ' ' && strcasecmp(en + ln - ls, sub) == 0;
}

static const char *status_name(int st)
{
	return st == AQ_TERM_FORBIDDEN ? "forbidden" : st == AQ_TERM_DEPRECATED ? "deprecated" :
	       "preferred";
}

static int check_glossary(run *r, const aq_bead *b, uint32_t bead)
{
	aq_checker *chk = r->chk;
	aq_span ens = side_span(r->es, b->en_idx, b->en_n);
	aq_span zhs = side_span(r->zs, b->zh_idx, b->zh_n);
	int rc;

	if (r->zh_traditional || (!r->grule[0] && !r->grule[1] && !r->grule[2]))
		return 0;
	for (size_t gi = 0; gi < chk->n_gl; gi++) {
		const gloss *g = &chk->gl[gi];
		aq_termhits *E = &chk->en_terms, *Z = &chk->zh_terms;

		if (!g->n_concepts)
			continue;
		{
			const gloss_hits *gh = &chk->gh[gi];
			uint32_t h0 = gh->en_first[b->en_idx], h1 = gh->en_first[b->en_idx + b->en_n];

			E->n = 0;
			if (aq_array_grow((void **)&E->v, &E->cap, h1 - h0 + 1, sizeof(aq_termhit)))
				return AQ_ENOMEM;
			if (h1 > h0)
				memcpy(E->v, gh->en.v + h0, (h1 - h0) * sizeof(aq_termhit));
			E->n = h1 - h0;
		}
		if ((rc = zh_terms(r, gi, zhs)))
			return rc;
		/* deprecated and forbidden Chinese terms, wherever they are */
		for (size_t i = 0; i < Z->n; i++) {
			const aq_termhit *h = &Z->v[i];
			const aq_rule_info *ri = h->status <= AQ_TERM_FORBIDDEN ? r->grule[h->status] : NULL;
			const aq_span *enp = b->en_n ? &ens : NULL;
			aq_span en_hit;
			uint32_t c = h->concept;
			char match[128];

			if (h->status == AQ_TERM_PREFERRED || !ri)
				continue;
			for (size_t k = 0; k < E->n; k++) {
				if (zh_is_variant(g, E->v[k].concept, h)) {
					c = E->v[k].concept;
					en_hit = (aq_span){ E->v[k].off, E->v[k].end };
					enp = &en_hit;
					break;
				}
			}
			copy_text(match, sizeof(match), r->zh, h->off, h->end);
			if ((rc = emit_rule(r, ri, glossary_dflt[h->status], enp,
					&(aq_span){ h->off, h->end }, bead,
					(const char *[]){ "term", "expected", "match", "status" },
					(const char *[]){ c < g->n_concepts ? entry_en(g, g->en_entry[c]) : "",
						c < g->n_concepts ? entry_zh(g, g->expected[c]) : "",
						match, status_name(h->status) }, 4)))
				return rc;
		}
		/* English terms whose concept the Chinese lacks, looked for in the
		 * bead's Chinese and its neighbour sentences (sentence pairing is
		 * not exact: a term may sit just across a bead boundary) */
		if (!r->grule[AQ_TERM_PREFERRED] || b->zh_n == 0)
			continue;
		{
			uint32_t z0 = b->zh_idx > 0 ? b->zh_idx - 1 : 0;
			uint32_t z1 = b->zh_idx + b->zh_n < r->zs->n ? b->zh_idx + b->zh_n + 1 :
				b->zh_idx + b->zh_n;

			if ((rc = zh_terms(r, gi, side_span(r->zs, z0, z1 - z0))))
				return rc;
		}
		for (size_t k = 0; k < E->n; k++) {
			const aq_termhit *e = &E->v[k];
			bool dup = false, found = false;

			for (size_t j = 0; j < k && !dup; j++)
				dup = E->v[j].concept == e->concept;
			for (size_t i = 0; i < Z->n && !found; i++)
				found = zh_is_variant(g, e->concept, &Z->v[i]);
			if (dup || found || e->concept >= g->n_concepts ||
			    g->expected[e->concept] == NO_ENTRY)
				continue;
			if ((rc = emit_rule(r, r->grule[AQ_TERM_PREFERRED],
					glossary_dflt[AQ_TERM_PREFERRED], &(aq_span){ e->off, e->end }, &zhs,
					bead, (const char *[]){ "term", "expected", "match", "status" },
					(const char *[]){ entry_en(g, g->en_entry[e->concept]),
						entry_zh(g, g->expected[e->concept]),
						entry_zh(g, g->expected[e->concept]), "preferred" }, 4)))
				return rc;
		}
	}
	return 0;
}

/* Are the characters of a, in order, all in b (心衰 in 心力衰竭)? */
static bool subsequence(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i = 0, j = 0;

	while (i < la && j < lb) {
		size_t ai = i, bj = j;
		int32_t ca = aq_utf8_next_inline(a, la, &ai), cb = aq_utf8_next_inline(b, lb, &bj);

		if (ca == cb)
			i = ai;
		j = bj;
	}
	return i == la;
}

/* Two preferred Chinese terms of one concept in one record. */
static int check_term_consistency(run *r)
{
	aq_checker *chk = r->chk;
	int rc;

	if (!r->rule[B_INCONSISTENT] || r->zh_traditional)
		return 0;
	chk->n_seen = 0;
	for (size_t gi = 0; gi < chk->n_gl; gi++) {
		const gloss *g = &chk->gl[gi];

		if (!g->n_concepts)
			continue;
		for (size_t si = 0; si < r->zs->n; si++) {
			if ((rc = zh_terms(r, gi, r->zs->v[si])))
				return rc;
			for (size_t i = 0; i < chk->zh_terms.n; i++) {
				const aq_termhit *h = &chk->zh_terms.v[i];
				termseen *t = NULL;
				const char *zh, *first;

				if (h->status != AQ_TERM_PREFERRED)
					continue;
				for (size_t k = 0; k < chk->n_seen && !t; k++)
					if (chk->seen[k].gl == gi && chk->seen[k].concept == h->concept)
						t = &chk->seen[k];
				if (!t) {
					if (aq_array_grow((void **)&chk->seen, &chk->seen_cap, chk->n_seen + 1,
							sizeof(termseen)))
						return AQ_ENOMEM;
					chk->seen[chk->n_seen++] = (termseen){ h->concept, gi, h->entry, false };
					continue;
				}
				zh = entry_zh(g, h->entry);
				first = entry_zh(g, t->entry);
				if (t->reported || strcmp(zh, first) == 0 || subsequence(zh, first) ||
				    subsequence(first, zh))
					continue;
				t->reported = true;
				if ((rc = emit(r, B_INCONSISTENT, NULL, &(aq_span){ h->off, h->end },
						AQ_NO_SPAN,
						(const char *[]){ "term", "first", "second", "match",
							"expected" },
						(const char *[]){ h->concept < g->n_concepts ?
							entry_en(g, g->en_entry[h->concept]) : "",
							first, zh, zh, first }, 5)))
					return rc;
			}
		}
	}
	return 0;
}

/* ---- punctuation -------------------------------------------------- */

enum { BR_NONE = -1, BR_ROUND, BR_SQUARE, BR_LENT, BR_BOOK, BR_ANGLE, BR_CORNER, BR_WCORNER, BR_TORT };

/* The kind of bracket cp is (BR_NONE if none); *open tells which end. */
static int bracket_kind(int32_t cp, bool *open)
{
	static const int32_t pairs[][3] = {
		{ '(', ')', BR_ROUND }, { 0xFF08, 0xFF09, BR_ROUND },
		{ '[', ']', BR_SQUARE }, { 0xFF3B, 0xFF3D, BR_SQUARE },
		{ 0x3010, 0x3011, BR_LENT }, { 0x300A, 0x300B, BR_BOOK },
		{ 0x3008, 0x3009, BR_ANGLE }, { 0x300C, 0x300D, BR_CORNER },
		{ 0x300E, 0x300F, BR_WCORNER }, { 0x3014, 0x3015, BR_TORT },
	};

	/* most characters are none: letters, digits, Han */
	if (cp < 0x3008 ? cp != '(' && cp != ')' && cp != '[' && cp != ']' :
	    cp > 0x3015 && cp != 0xFF08 && cp != 0xFF09 && cp != 0xFF3B && cp != 0xFF3D)
		return BR_NONE;
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		if (cp == pairs[i][0] || cp == pairs[i][1]) {
			*open = cp == pairs[i][0];
			return pairs[i][2];
		}
	}
	return BR_NONE;
}

/* Is the ')' at p the end of a list marker ("1)", "b）", "iii)")? */
static bool list_marker(const char *s, uint32_t lo, uint32_t p)
{
	uint32_t q = p, start;
	int n = 0, digits = 0, letters = 0, roman = 0;
	int32_t cp;

	while ((cp = cp_before(s, lo, q)) == ' ')
		q--;
	while (q > lo && n < 4) {
		size_t at = q;

		cp = aq_utf8_prev(s, &at);
		if (is_ascii_digit(cp) || (cp >= 0xFF10 && cp <= 0xFF19))
			digits++;
		else if (is_ascii_alpha(cp))
			letters++, roman += cp == 'i' || cp == 'v' || cp == 'x' || cp == 'I' ||
				cp == 'V' || cp == 'X';
		else
			break;
		q = (uint32_t)at;
		n++;
	}
	start = q;
	if (n == 0 || (digits && letters) || digits > 2 || (letters > 1 && roman != letters))
		return false;
	/* the marker starts the text or follows a space, a Chinese character or
	 * a separator: , ; : . ， ； ： 。 、  But letters after a space after a
	 * capital or a digit ("APACHE II)"), or after a conjunction
	 * ("A、E和C）"), are part of a term or a list whose "(" was lost;
	 * digits stay markers ("by 1) ..., and 2) ...", "1）...和2）..."). */
	cp = cp_before(s, lo, start);
	if (cp == ' ' && letters) {
		uint32_t b = start;
		int32_t w;

		while (cp_before(s, lo, b) == ' ')
			b--;
		w = cp_before(s, lo, b);
		if (is_ascii_upper(w) || is_ascii_digit(w))
			return false;
	}
	if (letters && (cp == 0x548C || cp == 0x4E0E || cp == 0x53CA || cp == 0x6216))
		return false; /* 和 与 及 或 */
	return cp == -2 || (cp >= 0 && (aq_cp_is_space(cp) || aq_cp_is_han(cp))) || cp == ',' ||
	       cp == ';' || cp == ':' || cp == '.' || cp == 0xFF0C || cp == 0xFF1B ||
	       cp == 0xFF1A || cp == 0x3002 || cp == 0x3001;
}

#define BR_DEPTH 64

/* What scan_balance() finds on one side of a bead. */
typedef struct balance {
	uint32_t bad_br;  /* first unbalanced bracket, AQ_NO_SPAN if none */
	uint32_t bad_q;   /* first unbalanced quote, AQ_NO_SPAN if none */
	int net_round;    /* ( minus ), list markers left out */
	int net_square;   /* [ minus ] */
	bool zh_only;     /* the bad bracket is of a kind English does not use */
	uint32_t open_at[8]; /* openers left open (the outermost 8) */
	int n_open;
} balance;

/* The first unbalanced bracket and quote of s[sp) and the net count of the
 * brackets both languages share. */
static void scan_balance(const char *s, aq_span sp, balance *bal)
{
	uint32_t *bad_br = &bal->bad_br, *bad_q = &bal->bad_q;
	int kind[BR_DEPTH];
	uint32_t at[BR_DEPTH];
	int depth = 0, overflow = 0;
	uint32_t dq_open = AQ_NO_SPAN, sq_open = AQ_NO_SPAN, ascii_last = AQ_NO_SPAN;
	int dq = 0, sq = 0, ascii = 0;
	uint32_t i = sp.off;
	int32_t prev = -2;

	*bad_br = *bad_q = AQ_NO_SPAN;
	bal->net_round = bal->net_square = 0;
	bal->zh_only = false;
	while (i < sp.end) {
		uint32_t p = i;
		int32_t cp = cp_at(s, sp.end, &i);
		bool open;
		int k = bracket_kind(cp, &open);

		/* a ")" with no "(" open may end a list marker ("1)") */
		if (k == BR_ROUND && (open || bal->net_round > 0 || !list_marker(s, sp.off, p)))
			bal->net_round += open ? 1 : -1;
		else if (k == BR_SQUARE)
			bal->net_square += open ? 1 : -1;
		if (k != BR_NONE && *bad_br == AQ_NO_SPAN) {
			if (open) {
				if (depth < BR_DEPTH) {
					kind[depth] = k;
					at[depth++] = p;
				} else {
					overflow++;
				}
			} else if (overflow) {
				overflow--;
			} else if (depth && kind[depth - 1] == k) {
				depth--;
			} else {
				int d = depth - 1;

				while (d >= 0 && kind[d] != k)
					d--;
				if (d >= 0) {
					*bad_br = at[depth - 1]; /* an opener left open inside */
					bal->zh_only = kind[depth - 1] > BR_SQUARE;
				} else if (!(k == BR_ROUND && list_marker(s, sp.off, p))) {
					*bad_br = p;
					bal->zh_only = k > BR_SQUARE;
				}
			}
		}
		if (*bad_q == AQ_NO_SPAN) {
			int32_t next = peek_cp(s, sp.end, i);
			bool prev_letter = prev >= 0 && (aq_cp_is_latin_letter(prev) || is_ascii_digit(prev));

			if (cp == 0x201C) {
				if (!dq++)
					dq_open = p;
			} else if (cp == 0x201D) {
				if (dq)
					dq--;
				else
					*bad_q = p;
			} else if (cp == 0x2018) {
				if (!sq++)
					sq_open = p;
			} else if (cp == 0x2019) {
				bool next_letter = next >= 0 && aq_cp_is_latin_letter(next);

				if (prev_letter && next_letter)
					; /* don’t */
				else if (sq)
					sq--;
				else if (!prev_letter)
					*bad_q = p;
				/* else: patients’ (possessive) */
			} else if (cp == '"') {
				ascii++;
				ascii_last = p;
			}
		}
		prev = cp;
	}
	if (*bad_br == AQ_NO_SPAN && depth) {
		*bad_br = at[0];
		bal->zh_only = kind[0] > BR_SQUARE;
	}
	bal->n_open = depth < 8 ? depth : 8;
	for (int d = 0; d < bal->n_open; d++)
		bal->open_at[d] = at[d];
	if (*bad_q == AQ_NO_SPAN) {
		if (dq)
			*bad_q = dq_open;
		else if (sq)
			*bad_q = sq_open;
		else if (ascii & 1)
			*bad_q = ascii_last;
	}
}

static uint32_t added_opener(const balance *en, const balance *zh, aq_span es, aq_span zs)
{
	uint32_t best = zh->open_at[0];
	double best_d = -1;

	for (int i = 0; i < zh->n_open; i++) {
		double pz = (double)(zh->open_at[i] - zs.off) / (zs.end - zs.off + 1), d = 1;

		for (int k = 0; k < en->n_open; k++) {
			double pe = (double)(en->open_at[k] - es.off) / (es.end - es.off + 1);

			d = fabs(pz - pe) < d ? fabs(pz - pe) : d;
		}
		if (d > best_d) {
			best_d = d;
			best = zh->open_at[i];
		}
	}
	return best;
}

/* Unbalanced brackets and quotes of each side.  When the Chinese is
 * unbalanced just as its English is (the same net count of round and square
 * brackets; for quotes: both unbalanced), the translation follows its
 * source, often text cut at a "<" by an HTML converter: nothing is
 * reported, since the translation did not introduce the fault.  Brackets
 * only Chinese uses (【】《》「」...) must balance alone. */
static int check_punct(run *r, const aq_bead *b, uint32_t bead)
{
	uint32_t bad[2][2] = { { AQ_NO_SPAN, AQ_NO_SPAN }, { AQ_NO_SPAN, AQ_NO_SPAN } };
	balance bal[2];

	if (!r->rule[B_BRACKETS] && !r->rule[B_QUOTES])
		return 0;
	memset(bal, 0, sizeof(bal));
	for (int side = 0; side < 2; side++) {
		const char *s = side ? r->zh : r->en;
		aq_span sp = side ? side_span(r->zs, b->zh_idx, b->zh_n) : side_span(r->es, b->en_idx, b->en_n);

		bal[side].bad_br = bal[side].bad_q = AQ_NO_SPAN;
		if (sp.off != AQ_NO_SPAN)
			scan_balance(s, sp, &bal[side]);
		bad[side][0] = bal[side].bad_br;
		bad[side][1] = bal[side].bad_q;
	}
	if (bad[0][0] != AQ_NO_SPAN && bad[1][0] != AQ_NO_SPAN && !bal[1].zh_only) {
		int en_net = bal[0].net_round + bal[0].net_square;
		int zh_net = bal[1].net_round + bal[1].net_square;

		if (bal[0].net_round == bal[1].net_round && bal[0].net_square == bal[1].net_square) {
			bad[0][0] = bad[1][0] = AQ_NO_SPAN;
		} else {
			/* Both unbalanced, differently: the Chinese added a fault
			 * to one it copied.  Of its open brackets, report the one
			 * farthest (in relative position) from any the English
			 * left open. */
			bad[0][0] = AQ_NO_SPAN;
			if (zh_net > en_net && bal[1].n_open)
				bad[1][0] = added_opener(&bal[0], &bal[1], side_span(r->es, b->en_idx, b->en_n),
					side_span(r->zs, b->zh_idx, b->zh_n));
		}
	}
	if (bad[0][1] != AQ_NO_SPAN && bad[1][1] != AQ_NO_SPAN)
		bad[0][1] = bad[1][1] = AQ_NO_SPAN;
	for (int side = 0; side < 2; side++) {
		const char *s = side ? r->zh : r->en;
		aq_span sp = side ? side_span(r->zs, b->zh_idx, b->zh_n) : side_span(r->es, b->en_idx, b->en_n);
		const char *side_name = side ? "Chinese" : "English";
		int rc;

		for (int w = 0; w < 2; w++) {
			enum builtin rid = w ? B_QUOTES : B_BRACKETS;
			uint32_t q = bad[side][w];
			aq_span at;
			char ch[8];

			if (q == AQ_NO_SPAN || !r->rule[rid])
				continue;
			cp_at(s, sp.end, &q);
			at = (aq_span){ bad[side][w], q };
			copy_text(ch, sizeof(ch), s, at.off, at.end);
			if ((rc = emit(r, rid, side ? NULL : &at, side ? &at : NULL, bead,
					(const char *[]){ "side", w ? "quote" : "bracket", "match" },
					(const char *[]){ side_name, ch, ch }, 3)))
				return rc;
		}
	}
	return 0;
}

/* ---- Traditional characters --------------------------------------- */

static void count_script(const aq_checker *chk, const char *s, aq_span sp, size_t *trad,
	size_t *simp)
{
	uint32_t i = sp.off;

	while (i < sp.end) {
		int32_t cp = cp_at(s, sp.end, &i);

		*trad += bit_get(chk->trad, cp);
		*simp += bit_get(chk->simp, cp);
	}
}

/* Lists the distinct Traditional-only characters of sp into list (up to
 * TRAD_LIST_MAX, separated by nothing); returns how many there are in all. */
static size_t list_trad(const aq_checker *chk, const char *s, aq_span sp, aq_buf *list,
	size_t *listed)
{
	uint32_t i = sp.off;
	size_t n = 0;

	while (i < sp.end) {
		uint32_t at = i;
		int32_t cp = cp_at(s, sp.end, &i);

		if (!bit_get(chk->trad, cp))
			continue;
		n++;
		if (*listed < TRAD_LIST_MAX && !memmem(list->ptr, list->len, s + at, i - at)) {
			aq_buf_put(list, s + at, i - at);
			(*listed)++;
		}
	}
	return n;
}

static int emit_trad(run *r, enum builtin b, aq_span sp, uint32_t bead, const aq_buf *list,
	size_t count)
{
	char num[24];

	snprintf(num, sizeof(num), "%zu", count);
	return emit(r, b, NULL, &sp, bead, (const char *[]){ "chars", "count", "match" },
		(const char *[]){ list->ptr, num, list->ptr }, 3);
}

static int check_trad_sentence(run *r, aq_span sp, uint32_t bead)
{
	aq_buf list;
	size_t listed = 0, n;
	int rc = 0;

	if (!r->rule[B_TRAD] || !r->chk->has_trad || r->zh_traditional)
		return 0;
	aq_buf_init(&list);
	aq_buf_puts(&list, "");
	n = list_trad(r->chk, r->zh, sp, &list, &listed);
	if (list.oom)
		rc = AQ_ENOMEM;
	else if (n)
		rc = emit_trad(r, B_TRAD, sp, bead, &list, n);
	aq_buf_dispose(&list);
	return rc;
}

/* A record written in Traditional script: one finding, only on request. */
static int check_trad_record(run *r)
{
	aq_buf list;
	size_t listed = 0, n = 0;
	uint32_t first = UINT32_MAX;
	int rc = 0;

	if (!r->rule[B_TRAD_SCRIPT] || !r->chk->has_trad || !r->zh_traditional ||
	    param(r, B_TRAD, "whole_record", 1) < 0.5)
		return 0;
	aq_buf_init(&list);
	aq_buf_puts(&list, "");
	for (uint32_t k = 0; k < r->zs->n; k++) {
		size_t c = list_trad(r->chk, r->zh, r->zs->v[k], &list, &listed);

		if (c && first == UINT32_MAX)
			first = k;
		n += c;
	}
	if (list.oom)
		rc = AQ_ENOMEM;
	else if (first != UINT32_MAX)
		rc = emit_trad(r, B_TRAD_SCRIPT, r->zs->v[first], AQ_NO_SPAN, &list, n);
	aq_buf_dispose(&list);
	return rc;
}

/* ---- metadata ----------------------------------------------------- */

typedef struct ymd {
	int y, m, d;       /* 0 when not given */
	const char *at;    /* where the date starts in its string */
	size_t len;        /* bytes of the date as written */
} ymd;

static int month_of(const char *s)
{
	static const char *const names[] = { "jan", "feb", "mar", "apr", "may", "jun", "jul",
		"aug", "sep", "oct", "nov", "dec" };

	for (int i = 0; i < 12; i++) {
		bool eq = true;

		for (int k = 0; k < 3 && eq; k++)
			eq = s[k] && (char)(s[k] | 0x20) == names[i][k];
		if (eq && !is_ascii_alpha((unsigned char)s[3]))
			return i + 1;
		if (eq) {
			/* a full month name: letters to the end of the word */
			const char *p = s + 3;
			while (is_ascii_alpha((unsigned char)*p))
				p++;
			if (p - s <= 9)
				return i + 1;
		}
	}
	return 0;
}

static int read_num(const char **p, int max_digits)
{
	int v = 0, n = 0;

	while (n < max_digits && is_ascii_digit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n ? v : -1;
}

/* The first date in s: "2025-07-28", "2025-7", "2025/7/28", "2025 Jul 28",
 * "2025 July". */
static bool parse_date(ymd *out, const char *s)
{
	for (const char *p = s; *p; p++) {
		const char *q = p;
		int y, m = 0, d = 0;

		if (!is_ascii_digit((unsigned char)*p) || (p > s && is_ascii_digit((unsigned char)p[-1])))
			continue;
		y = read_num(&q, 4);
		if (q - p != 4 || is_ascii_digit((unsigned char)*q) || y < 1800 || y > 2199)
			continue;
		out->at = p;
		if ((*q == '-' || *q == '/' || *q == '.') && is_ascii_digit((unsigned char)q[1])) {
			const char *t = q + 1;
			char sep = *q;

			m = read_num(&t, 2);
			if (m >= 1 && m <= 12 && !is_ascii_digit((unsigned char)*t)) {
				q = t;
				if (*t == sep && is_ascii_digit((unsigned char)t[1])) {
					t++;
					d = read_num(&t, 2);
					if (d >= 1 && d <= 31 && !is_ascii_digit((unsigned char)*t))
						q = t;
					else
						d = 0;
				}
			} else {
				m = 0;
			}
		} else if (*q == ' ' && is_ascii_alpha((unsigned char)q[1]) && (m = month_of(q + 1))) {
			const char *t = q + 1;

			while (is_ascii_alpha((unsigned char)*t))
				t++;
			q = t;
			if (*t == ' ' && is_ascii_digit((unsigned char)t[1])) {
				t++;
				d = read_num(&t, 2);
				if (d >= 1 && d <= 31 && !is_ascii_digit((unsigned char)*t))
					q = t;
				else
					d = 0;
			}
		}
		out->y = y;
		out->m = m;
		out->d = d;
		out->len = (size_t)(q - p);
		return true;
	}
	return false;
}

static bool dates_differ(const ymd *a, const ymd *b)
{
	if (a->y != b->y)
		return true;
	if (a->m && b->m && a->m != b->m)
		return true;
	return a->m && b->m && a->d && b->d && a->d != b->d;
}

/* Journal names compared without case, dots and white space. */
static bool same_journal(const char *a, size_t an, const char *b, size_t bn)
{
	size_t i = 0, j = 0;

	for (;;) {
		while (i < an && (a[i] == '.' || a[i] == ' '))
			i++;
		while (j < bn && (b[j] == '.' || b[j] == ' '))
			j++;
		if (i == an || j == bn)
			return i == an && j == bn;
		if ((a[i] | 0x20) != (b[j] | 0x20))
			return false;
		i++;
		j++;
	}
}

static int emit_date(run *r, const char *date, const ymd *other, const char *source)
{
	char o[40];

	copy_text(o, sizeof(o), other->at, 0, (uint32_t)(other->len < 39 ? other->len : 39));
	return emit(r, B_DATE, NULL, NULL, AQ_NO_SPAN,
		(const char *[]){ "date", "other", "source", "match", "expected" },
		(const char *[]){ date, o, source, o, date }, 5);
}

static bool doi_ok(const char *doi)
{
	const char *p = doi;
	int n = 0;

	if (strncmp(p, "10.", 3) != 0)
		return false;
	p += 3;
	while (is_ascii_digit((unsigned char)*p))
		p++, n++;
	if (n < 4 || n > 9 || *p != '/')
		return false;
	p++;
	if (!*p)
		return false;
	for (; *p; p++)
		if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
			return false;
	return true;
}

static int check_metadata(run *r)
{
	const char *date = aq_record_meta(r->rec, "date");
	const char *doi = aq_record_meta(r->rec, "doi");
	int rc;

	if (r->rule[B_DOI] && doi && !doi_ok(doi)) {
		char d[128];

		copy_text(d, sizeof(d), doi, 0, (uint32_t)strnlen(doi, 127));
		if ((rc = emit(r, B_DOI, NULL, NULL, AQ_NO_SPAN, (const char *[]){ "doi", "match" },
				(const char *[]){ d, d }, 2)))
			return rc;
	}
	if (r->rule[B_DATE] && date) {
		const char *cit = aq_record_meta(r->rec, "citation");
		const char *rel = aq_record_meta(r->rec, "related");
		const char *journal = aq_record_meta(r->rec, "journal");
		ymd d, o;

		if (!parse_date(&d, date))
			return 0;
		if (cit && parse_date(&o, cit) && dates_differ(&d, &o))
			return emit_date(r, date, &o, "citation");
		if (rel && journal && parse_date(&o, rel)) {
			size_t line_end = strcspn(rel, "\n");

			if ((size_t)(o.at - rel) < line_end &&
			    same_journal(rel, (size_t)(o.at - rel), journal, strlen(journal)) &&
			    dates_differ(&d, &o))
				return emit_date(r, date, &o, "related article");
		}
	}
	return 0;
}

/* ---- the record --------------------------------------------------- */

static int validate(aq_ctx *ctx, const aq_alignment *a)
{
	const aq_record *rec = a->rec;
	size_t en_next = 0, zh_next = 0;

	for (size_t i = 0; i < a->en_sents->n; i++)
		if (a->en_sents->v[i].off > a->en_sents->v[i].end || a->en_sents->v[i].end > rec->en_len)
			return aq_ctx_error(ctx, AQ_EINVAL, "record %s: English sentence %zu is out of the text",
				rec->id ? rec->id : "?", i);
	for (size_t i = 0; i < a->zh_sents->n; i++)
		if (a->zh_sents->v[i].off > a->zh_sents->v[i].end || a->zh_sents->v[i].end > rec->zh_len)
			return aq_ctx_error(ctx, AQ_EINVAL, "record %s: Chinese sentence %zu is out of the text",
				rec->id ? rec->id : "?", i);
	for (size_t i = 0; i < a->beads->n; i++) {
		const aq_bead *b = &a->beads->v[i];

		if ((size_t)b->en_idx + b->en_n > a->en_sents->n ||
		    (size_t)b->zh_idx + b->zh_n > a->zh_sents->n || (b->en_n && b->en_idx != en_next) ||
		    (b->zh_n && b->zh_idx != zh_next))
			return aq_ctx_error(ctx, AQ_EINVAL,
				"record %s: bead %zu does not follow the sentences in order",
				rec->id ? rec->id : "?", i);
		en_next += b->en_n;
		zh_next += b->zh_n;
	}
	return 0;
}

int aq_check(aq_findings *out, aq_checker *chk, const aq_alignment *a)
{
	run r;
	int rc = 0;

	aq_findings_clear(out);
	if (!chk || !a || !a->rec || !a->en_sents || !a->zh_sents || !a->beads)
		return aq_ctx_error(chk ? chk->ctx : NULL, AQ_EINVAL, "aq_check: incomplete alignment");
	aq_rules_scratch_reset(chk->scratch);
	if ((rc = validate(chk->ctx, a)))
		return rc;
	memset(&r, 0, sizeof(r));
	r.chk = chk;
	r.out = out;
	r.a = a;
	r.rec = a->rec;
	r.en = a->rec->en ? a->rec->en : "";
	r.zh = a->rec->zh ? a->rec->zh : "";
	r.en_len = a->rec->en ? (uint32_t)a->rec->en_len : 0;
	r.zh_len = a->rec->zh ? (uint32_t)a->rec->zh_len : 0;
	r.es = a->en_sents;
	r.zs = a->zh_sents;
	for (int b = 0; b < B__COUNT; b++)
		r.rule[b] = aq_rules_builtin(chk->rules, builtins[b].id);
	for (int s = 0; s < 3; s++)
		r.grule[s] = aq_rules_glossary_rule(chk->rules, (aq_term_status)s);
	{
		size_t trad = 0, simp = 0;

		count_script(chk, r.zh, (aq_span){ 0, r.zh_len }, &trad, &simp);
		r.zh_traditional = trad >= 2 && trad > simp;
	}
	if (aq_array_grow((void **)&chk->done_en, &chk->done_en_cap, r.es->n + 1, 1) ||
	    aq_array_grow((void **)&chk->done_zh, &chk->done_zh_cap, r.zs->n + 1, 1)) {
		rc = AQ_ENOMEM;
		goto out;
	}
	memset(chk->done_en, 0, r.es->n + 1);
	memset(chk->done_zh, 0, r.zs->n + 1);
	r.structural_bead = AQ_NO_SPAN;
	if ((rc = record_units(&r)) || (rc = record_anchors(&r)) || (rc = record_terms(&r)) ||
	    (rc = collect_defs(&r)) || (rc = coverage_medians(&r)))
		goto out;
	if (r.rule[B_ORDER] && ((rc = check_order_near(&r)) || (rc = check_order(&r))))
		goto out;
	if ((rc = check_gaps(&r)))
		goto out;
	if (r.rule[B_REPEATED] && (rc = check_repeats(&r)))
		goto out;
	for (size_t i = 0; i < a->beads->n; i++) {
		const aq_bead *b = &a->beads->v[i];
		aq_span en = side_span(r.es, b->en_idx, b->en_n);
		aq_span zh = side_span(r.zs, b->zh_idx, b->zh_n);
		uint32_t bead = (uint32_t)i;

		if ((rc = aq_rules_apply(out, chk->rules, chk->scratch, chk->ctx, r.rec, en, zh, bead)))
			goto out;
		if ((rc = check_bead_structure(&r, b, bead)) || (rc = check_lexical(&r, b, bead)))
			goto out;
		if (b->en_n && b->zh_n && ((rc = check_numbers(&r, b, bead)) ||
		    (rc = check_acronyms(&r, b, bead)) || (rc = check_acronym_defined(&r, b, bead))))
			goto out;
		if ((rc = check_glossary(&r, b, bead)) || (rc = check_punct(&r, b, bead)))
			goto out;
		for (uint32_t k = b->zh_idx; k < b->zh_idx + b->zh_n; k++)
			if ((rc = check_trad_sentence(&r, r.zs->v[k], bead)))
				goto out;
	}
	if ((rc = check_def_consistency(&r)) ||
	    (rc = check_term_consistency(&r)) || (rc = check_trad_record(&r)) ||
	    (rc = check_metadata(&r)))
		goto out;
	aq_findings_finish(out, r.rec);
out:
	if (rc == AQ_ENOMEM)
		aq_ctx_error(chk->ctx, rc, "out of memory checking record %s",
			r.rec && r.rec->id ? r.rec->id : "?");
	if (rc)
		aq_findings_clear(out); /* no half-checked record */
	return rc;
}
