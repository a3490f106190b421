/*
 * alignqa.h - the one public header of libalignqa.
 *
 * The library checks a Chinese translation against its English original:
 * records are read (record.c, input.c), segmented into sentences (segment.c),
 * reduced to anchors (normalize.c, anchor.c, lexicon.c), aligned into beads
 * (align.c) and written out (report_*.c).  Data flows one way:
 * record -> sentences -> beads -> findings -> store/report.
 *
 * Conventions (see ../shared/STYLE.md):
 *  - functions return 0 on success or a negative AQ_E* code; the message of
 *    the last failure lives in the aq_ctx given to the object's constructor;
 *  - out-parameters come first; aq_x_new() pairs with aq_x_free(), which
 *    accepts NULL; caller-owned structs use _init()/_dispose();
 *  - every offset is a UTF-8 byte offset into the original text of one side
 *    of one record ("off" inclusive, "end" exclusive) unless named otherwise;
 *  - the library never prints, never exits and never reads the environment.
 */
#ifndef ALIGNQA_H
#define ALIGNQA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AQ_VERSION "0.1.0"

/* ------------------------------------------------------------------ */
/* Error codes                                                          */

enum {
	AQ_OK = 0,
	AQ_ENOMEM = -1,    /* allocation failed */
	AQ_EINVAL = -2,    /* bad argument or option (a usage error) */
	AQ_EIO = -3,       /* a file could not be opened, read or written */
	AQ_EINPUT = -4,    /* bad input data: one record is unusable, others go on */
	AQ_EICU = -5,      /* ICU failed (data missing, iterator could not open) */
	AQ_ERULE = -6,     /* a rule, abbreviation, glossary or dictionary file is broken */
	AQ_EDB = -7,       /* the store failed */
	AQ_ELIMIT = -8,    /* input exceeds a documented limit */
	AQ_ITEROVER = -31, /* iteration finished; not an error */
};

/* ------------------------------------------------------------------ */
/* Context: holds the last error message (SQLite-style).               */

typedef struct aq_ctx aq_ctx;

/* Creates a context.  Returns 0 or AQ_ENOMEM. */
int aq_ctx_new(aq_ctx **out);
void aq_ctx_free(aq_ctx *ctx);
/* The message of the last failure ("" if none).  Valid until the next
 * failure recorded on this context. */
const char *aq_ctx_errmsg(const aq_ctx *ctx);
/* Records a failure: stores the formatted message and returns code, so that
 * callers can write `return aq_ctx_error(ctx, AQ_EIO, "...")`. */
int aq_ctx_error(aq_ctx *ctx, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void aq_ctx_clear(aq_ctx *ctx);
/* A short English name of an error code ("input error", ...). */
const char *aq_strerror(int code);

/* ------------------------------------------------------------------ */
/* Growable byte buffer: the sink all writers write to.                */

typedef struct aq_buf {
	char *ptr;  /* NUL-terminated contents (never NULL after a write) */
	size_t len; /* bytes used, excluding the terminating NUL */
	size_t cap; /* bytes allocated */
	bool oom;   /* an allocation failed; later writes are dropped */
} aq_buf;

void aq_buf_init(aq_buf *b);
void aq_buf_dispose(aq_buf *b);
void aq_buf_clear(aq_buf *b);
int aq_buf_put(aq_buf *b, const char *s, size_t len);
int aq_buf_puts(aq_buf *b, const char *s);
int aq_buf_putc(aq_buf *b, char c);
int aq_buf_printf(aq_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s[0..len) as a JSON string literal, quotes included.  Invalid
 * UTF-8 is written as U+FFFD so that the output is always valid JSON. */
int aq_buf_json_str(aq_buf *b, const char *s, size_t len);

/* ------------------------------------------------------------------ */
/* UTF-8 helpers (utf8.c)                                              */

/* Decodes one code point at s[*off], s has len bytes.  Advances *off by the
 * sequence length (at least 1).  Returns the code point, or -1 for an
 * invalid or truncated sequence (then *off advances by 1). */
int32_t aq_utf8_next(const char *s, size_t len, size_t *off);
/* Decodes the code point that ends at s[*end]; moves *end back to its start.
 * Returns -1 on invalid bytes (then *end moves back by 1). */
int32_t aq_utf8_prev(const char *s, size_t *end);
/* Returns the offset of the first invalid byte, or len if s is valid UTF-8
 * (overlongs, surrogates and code points above U+10FFFF are invalid). */
size_t aq_utf8_check(const char *s, size_t len);
/* Code point classes used across modules. */
bool aq_cp_is_han(int32_t cp);       /* CJK ideographs (URO, ext A-F, compat) */
bool aq_cp_is_space(int32_t cp);     /* ASCII space, NBSP, U+2000-200B, U+3000 ... */
bool aq_cp_is_latin_letter(int32_t cp); /* ASCII letters and Latin-1/Ext-A letters */
/* Number of code points in s[0..len). */
size_t aq_utf8_count_cp(const char *s, size_t len);

/* 64-bit FNV-1a style hash used for anchor and lexicon keys. */
uint64_t aq_hash64(const void *data, size_t len, uint64_t seed);

/* ------------------------------------------------------------------ */
/* Records (record.c, input.c)                                          */

typedef struct aq_span {
	uint32_t off; /* first byte (UTF-8 byte offset into one side's text) */
	uint32_t end; /* one past the last byte */
} aq_span;

/* A growable array of spans, reused across records by its owner. */
typedef struct aq_spans {
	aq_span *v;
	size_t n;   /* spans in use */
	size_t cap; /* spans allocated */
} aq_spans;

void aq_spans_init(aq_spans *s);
void aq_spans_dispose(aq_spans *s);
int aq_spans_push(aq_spans *s, uint32_t off, uint32_t end);

typedef struct aq_meta {
	char *key;   /* "doi", "journal", "date", "authors", "title", ... */
	char *value; /* UTF-8, NUL-terminated */
} aq_meta;

typedef struct aq_record {
	char *id;       /* record id: JSON "id", else derived from the file name */
	char *en;       /* English abstract, UTF-8, NUL-terminated */
	size_t en_len;  /* bytes */
	char *zh;       /* Chinese abstract, UTF-8, NUL-terminated */
	size_t zh_len;  /* bytes */
	aq_meta *meta;  /* metadata fields in input order */
	size_t n_meta;
	char *source;   /* file the record came from ("-" for stdin) */
	uint32_t line;  /* 1-based line where the record starts in source */
	uint32_t index; /* 0-based position of the record within source */
	/* Where each abstract starts in source (1-based line, 1-based byte
	 * column).  For text records the abstract is copied verbatim, so a byte
	 * offset maps to the file linearly (en_verbatim); for JSONL records the
	 * text was unescaped and only the string's start is known. */
	uint32_t en_line, en_col, zh_line, zh_col;
	bool en_verbatim, zh_verbatim;
} aq_record;

/* Creates an empty record (all fields zero).  Used by readers and tests. */
int aq_record_new(aq_record **out);
void aq_record_free(aq_record *rec);
/* Copies value into the record's metadata under key (appended). */
int aq_record_add_meta(aq_record *rec, const char *key, const char *value, size_t value_len);
/* The value of the first metadata field named key, or NULL. */
const char *aq_record_meta(const aq_record *rec, const char *key);

typedef enum aq_input_format {
	AQ_INPUT_AUTO = 0, /* JSONL if the first non-blank byte is '{', else text */
	AQ_INPUT_TEXT,     /* the plain-text shape of seed-record.txt */
	AQ_INPUT_JSONL,    /* one JSON object a line */
} aq_input_format;

/* Share of Han characters among the letters of s (0..1): how the text
 * reader tells the Chinese abstract from the English one. */
double aq_han_share(const char *s, size_t len);

/* Parses the plain-text record shape from memory.  data need not be
 * NUL-terminated.  name is used for the id and error messages; first_line
 * is the 1-based line of data[0] within the file.  Returns 0, AQ_EINPUT
 * (message "name:line: ...") or AQ_ENOMEM. */
int aq_record_parse_text(aq_record **out, aq_ctx *ctx, const char *name,
	uint32_t first_line, const char *data, size_t len);
/* Parses one JSON Lines record.  lineno is the 1-based line in name. */
int aq_record_parse_json(aq_record **out, aq_ctx *ctx, const char *name,
	uint32_t lineno, const char *line, size_t len);

/* Reads records from files, directories (recursively, sorted by name) and
 * "-" (standard input), in the order given.  A file (or standard input)
 * whose first bytes are those of gzip, bzip2, xz, tar or zip is read member
 * by member, in archive order, with a directory's filters (regular files
 * with a record extension, no hidden path component) and the same limits;
 * its records' source is "ARCHIVE:member/path" (a compressed single file
 * keeps its own name) and a text record's id comes from the member's base
 * name.  Nothing is extracted.  A damaged or truncated archive is one
 * AQ_EINPUT naming it (and the member being read), after the records read
 * before the damage; the next call goes on with the next path. */
typedef struct aq_input aq_input;

typedef struct aq_input_opts {
	aq_input_format format;
	size_t max_record_bytes; /* a record (or JSON line) larger than this is an
	                          * input error; 0 = default (64 MiB) */
	const char *encoding;    /* NULL or "auto": UTF-8, else detected per file
	                          * (aq_encoding_detect); else a name ICU knows
	                          * ("GB18030", "Big5", "UTF-16LE") used for every
	                          * file.  Copied by aq_input_new. */
} aq_input_opts;

/* Files that are not UTF-8 (detected from a UTF-16 byte order mark, or
 * from invalid UTF-8 or many NUL bytes in the first 64 KiB; or named by
 * opts->encoding) are read whole, up to 4 x max_record_bytes, converted to
 * UTF-8 and then parsed as usual: their records carry the metadata field
 * "encoding" (the encoding's name) and every offset, line and column is
 * one of the converted text.  UTF-8 files are streamed.  A file whose
 * first 64 KiB are valid UTF-8 is taken as UTF-8, and so is one that
 * aq_encoding_detect finds mostly UTF-8: an invalid byte is then an
 * "invalid UTF-8" error of its record.  A file that cannot be detected or
 * converted is one AQ_EINPUT of aq_input_next ("file: invalid GB18030
 * byte sequence at byte offset N").  Returns 0, AQ_EINVAL (unknown format
 * or encoding) or AQ_ENOMEM. */
int aq_input_new(aq_input **out, aq_ctx *ctx, const char *const *paths, size_t n_paths,
	const aq_input_opts *opts);
/* Returns the next record (owned by the caller, free with aq_record_free).
 * Returns 0, AQ_ITEROVER at the end, AQ_EINPUT for a bad record, file or
 * directory (message in ctx, naming file and line or record; the next call
 * goes on with what follows), or AQ_ENOMEM. */
int aq_input_next(aq_input *in, aq_record **out);
/* Counts of what the input has seen so far. */
size_t aq_input_errors(const aq_input *in);
void aq_input_free(aq_input *in);

/* ------------------------------------------------------------------ */
/* Encodings (encoding.c): GB18030, Big5, UTF-16 files to UTF-8 (ICU)   */

/* Tells the encoding of data[0..len): a byte order mark first (UTF-8,
 * UTF-16LE, UTF-16BE; UTF-32 is not recognised), then valid UTF-8 (less
 * than 1/8 NUL bytes) is "UTF-8", and so is damaged UTF-8 (in the first
 * 64 KiB at least 4 and over 10 valid multi-byte characters per invalid
 * byte: confidence 50; in data of at most 64 KiB, at least 2 and more valid
 * multi-byte characters than invalid bytes, and neither GB18030 nor Big5
 * valid: confidence 30), else the best match of ICU's charset detector among
 * UTF-8, UTF-16LE, UTF-16BE, GB18030 (also GB2312 and GBK text) and Big5
 * whose confidence is at least 30 (of 100).  Single-byte encodings are
 * never guessed: name them.  Writes the name (as above) into
 * name_out[0..name_size) and the confidence (0..100; 100 for a byte order
 * mark or valid UTF-8) into *confidence (may be NULL).  Returns 0,
 * AQ_EINPUT ("could not tell the encoding (best guess X, confidence N);
 * use --encoding"; *confidence holds N), AQ_EINVAL (name_size too small:
 * 16 bytes are enough) or AQ_EICU. */
int aq_encoding_detect(char *name_out, size_t name_size, int *confidence, aq_ctx *ctx,
	const char *data, size_t len);
/* Converts data[0..len) from encoding (any name ICU's ucnv_open knows) to
 * UTF-8, strictly: the first byte sequence that is invalid, unmapped or
 * truncated fails the conversion with AQ_EINPUT ("invalid GB18030 byte
 * sequence at byte offset N", N counting bytes of data); nothing is ever
 * replaced by U+FFFD.  A leading byte order mark is dropped.  *out gets a
 * NUL-terminated malloc'ed string owned by the caller (free()), *out_len its
 * length in bytes.  Returns 0, AQ_EINPUT, AQ_EINVAL (unknown encoding),
 * AQ_ELIMIT (more than 2^31 UTF-16 units), AQ_EICU or AQ_ENOMEM. */
int aq_encoding_to_utf8(char **out, size_t *out_len, aq_ctx *ctx, const char *encoding,
	const char *data, size_t len);

/* ------------------------------------------------------------------ */
/* Segmentation (segment.c)                                            */

typedef enum aq_lang { AQ_LANG_EN = 0, AQ_LANG_ZH = 1 } aq_lang;

typedef struct aq_segmenter aq_segmenter;

/* Opens the ICU sentence break iterators (once; reuse the segmenter for
 * every record of a thread).  abbrev_path names the abbreviation list
 * (rules/abbreviations.txt format) or is NULL for none.  Returns 0,
 * AQ_EICU, AQ_EIO, AQ_ERULE ("file:line: ...") or AQ_ENOMEM. */
int aq_segmenter_new(aq_segmenter **out, aq_ctx *ctx, const char *abbrev_path);
/* A new segmenter for another thread sharing the abbreviation list. */
int aq_segmenter_clone(aq_segmenter **out, aq_ctx *ctx, const aq_segmenter *seg);
void aq_segmenter_free(aq_segmenter *seg);
/* Splits text[0..len) into sentences and appends their spans to out
 * (out is cleared first).  Spans exclude surrounding white space; empty
 * sentences are dropped.  Returns 0, AQ_EICU or AQ_ENOMEM. */
int aq_segment_text(aq_spans *out, aq_segmenter *seg, aq_lang lang, const char *text, size_t len);
/* One sentence a line (pre-segmented input): appends a span per line,
 * empty lines included (as empty spans), without the line terminator. */
int aq_segment_lines(aq_spans *out, const char *text, size_t len);

/* ------------------------------------------------------------------ */
/* Numbers (normalize.c)                                               */

enum {
	AQ_NUM_PERCENT = 1 << 0, /* 5%, 5 %, 百分之五, five percent */
	AQ_NUM_RANGE_LO = 1 << 1, /* first number of a range (10-20, 10至20) */
	AQ_NUM_RANGE_HI = 1 << 2, /* second number of a range */
	AQ_NUM_WORD = 1 << 3,     /* written in words (thirty, 三十, 两) */
	AQ_NUM_PVALUE = 1 << 4,   /* the value of p<0.05, P = 0.001 */
	AQ_NUM_WEAK = 1 << 5,     /* likely not a quantity (一 in 一些, "one of") */
	AQ_NUM_ORDINAL = 1 << 6,  /* 第三, third */
	AQ_NUM_SCI = 1 << 7,      /* scientific notation (1.2×10^5, 3e-4) */
};

typedef struct aq_number {
	double value;   /* the number's value (percent: 5 for 5%) */
	uint32_t off;   /* span in the text, UTF-8 bytes */
	uint32_t end;
	uint32_t flags; /* AQ_NUM_* */
} aq_number;

typedef struct aq_numbers {
	aq_number *v;
	size_t n, cap;
} aq_numbers;

void aq_numbers_init(aq_numbers *nums);
void aq_numbers_dispose(aq_numbers *nums);
/* Finds every number in text[off..end) (in any form: ASCII and full-width
 * digits, decimals, thousands separators, Chinese numerals, English number
 * words, percentages, ranges, p-values, scientific notation) and appends
 * them in text order.  Returns 0 or AQ_ENOMEM. */
int aq_numbers_find(aq_numbers *out, aq_lang lang, const char *text, uint32_t off, uint32_t end);
/* Writes the normal form of a number into buf (size >= 32): 15 significant
 * digits without trailing zeros, '%' for percentages ("30", "0.05", "5%",
 * "120000" for 1.2x10^5 and 12万), exponent form for very large or small
 * values ("1e-05").  Returns its length. */
size_t aq_number_key(char *buf, size_t size, const aq_number *num);

/* ------------------------------------------------------------------ */
/* Lexicons: bilingual dictionaries and glossaries (lexicon.c)         */

typedef struct aq_lexicon aq_lexicon;

typedef enum aq_lexicon_format {
	AQ_LEX_AUTO = 0, /* by content */
	AQ_LEX_CEDICT,   /* CC-CEDICT: "trad simp [pin1 yin1] /gloss/gloss/" */
	AQ_LEX_CEDICT_TSV, /* trad<TAB>simp<TAB>pinyin<TAB>gloss | gloss */
	AQ_LEX_GLOSSARY, /* en<TAB>zh[<TAB>status[<TAB>note]] */
	AQ_LEX_COMPILED, /* written by aq_lexicon_save(): starts with "AQLEX\0" */
} aq_lexicon_format;

/* Loads a bilingual word list.  A CC-CEDICT dictionary becomes weak lexical
 * anchors (a Chinese word whose gloss words occur in the English sentence);
 * a glossary becomes strong anchors (the English term and its Chinese term).
 * Errors name "file:line".  Returns 0, AQ_EIO, AQ_ERULE or AQ_ENOMEM.
 * A file that starts with the compiled magic is read as a compiled lexicon
 * whatever fmt says (AQ_LEX_COMPILED insists on one); it is checked whole
 * before use, and a damaged or hostile file fails with AQ_ERULE and
 * "PATH: not a valid compiled lexicon: <what>".  AQ_LEX_GLOSSARY refuses a
 * compiled dictionary, AQ_LEX_CEDICT and AQ_LEX_CEDICT_TSV a compiled
 * glossary (AQ_ERULE too). */
int aq_lexicon_load(aq_lexicon **out, aq_ctx *ctx, const char *path, aq_lexicon_format fmt);
/* Loads several text files as one lexicon, as if they were one file: all
 * dictionaries or all glossaries (a mix fails with AQ_ERULE naming the first
 * file of the other kind); errors name "file:line" of the file concerned.
 * A compiled file cannot be merged (AQ_ERULE); with n == 1 this is
 * aq_lexicon_load(). */
int aq_lexicon_load_files(aq_lexicon **out, aq_ctx *ctx, const char *const *paths, size_t n,
	aq_lexicon_format fmt);
/* Writes lex in compiled form to path, which aq_lexicon_load() then reads
 * without parsing the source again (CC-CEDICT: about 10 ms instead of
 * 0.14 s).  The file is written to "PATH.tmp", synced and renamed over
 * path, so a crash leaves the old file or none, never half of one.  It
 * holds integers in this machine's byte order (other machines refuse it)
 * and is tied to this build's format version: compile again after an
 * upgrade.  lex is not changed.  Returns 0, AQ_EINVAL (no lexicon or path),
 * AQ_EIO or AQ_ENOMEM. */
int aq_lexicon_save(const aq_lexicon *lex, aq_ctx *ctx, const char *path);
void aq_lexicon_free(aq_lexicon *lex);
size_t aq_lexicon_size(const aq_lexicon *lex); /* entries loaded */
/* A digest of the lexicon's content (16 hex digits and a NUL into out): the
 * same for the same files, whether parsed or compiled; "no lexicon" (NULL)
 * has a digest of its own.  Costs about 1 ms for CC-CEDICT. */
void aq_lexicon_digest(const aq_lexicon *lex, char out[17]);

/* ------------------------------------------------------------------ */
/* Anchors (anchor.c): tokens two sentences in translation share.      */

typedef enum aq_anchor_kind {
	AQ_ANCHOR_NUMBER = 1,  /* a number in normal form */
	AQ_ANCHOR_ACRONYM = 2, /* OA, MSC (from MSCs, MSC's) */
	AQ_ANCHOR_LATIN = 3,   /* a Latin-script token kept verbatim (IL-6, mRNA) */
	AQ_ANCHOR_TERM = 4,    /* a glossary term, same key on both sides */
	AQ_ANCHOR_SECTION = 5, /* a structured-abstract label (METHODS, 方法) */
} aq_anchor_kind;

typedef struct aq_anchor {
	uint64_t key;  /* hash of kind and normal form: equal keys match */
	uint32_t off;  /* span of the token in the text */
	uint32_t end;
	uint8_t kind;  /* aq_anchor_kind */
	uint8_t weak;  /* 1 if an unreliable token (Chinese numeral 一, ...) */
} aq_anchor;

typedef struct aq_anchors {
	aq_anchor *v;
	size_t n, cap;
} aq_anchors;

void aq_anchors_init(aq_anchors *a);
void aq_anchors_dispose(aq_anchors *a);
/* Appends the anchors of text[off..end) (one sentence) in text order:
 * numbers, acronyms, Latin tokens, section labels, and glossary terms when
 * glossary is not NULL.  Returns 0 or AQ_ENOMEM. */
int aq_anchors_find(aq_anchors *out, aq_lang lang, const char *text, uint32_t off,
	uint32_t end, const aq_lexicon *glossary);
/* The same, and appends the sentence's numbers (aq_numbers_find() from
 * after a leading section label) to numbers, so that a caller that needs
 * them does not parse the sentence again.  numbers may be NULL. */
int aq_anchors_find_numbers(aq_anchors *out, aq_numbers *numbers, aq_lang lang,
	const char *text, uint32_t off, uint32_t end, const aq_lexicon *glossary);

/* ------------------------------------------------------------------ */
/* Alignment (align.c)                                                 */

typedef struct aq_bead {
	uint32_t en_idx; /* first English sentence (index into the en spans) */
	uint32_t zh_idx; /* first Chinese sentence */
	uint8_t en_n;    /* English sentences in the bead (0..AQ_ALIGN_MAX_BEAD) */
	uint8_t zh_n;    /* Chinese sentences in the bead */
	float score;     /* confidence in the pairing, 0 (none) .. 1 (certain) */
} aq_bead;

typedef struct aq_beads {
	aq_bead *v;
	size_t n, cap;
} aq_beads;

void aq_beads_init(aq_beads *b);
void aq_beads_dispose(aq_beads *b);

#define AQ_ALIGN_MAX_BEAD 4

typedef struct aq_align_opts {
	double zh_per_en;   /* expected Chinese length units per English unit;
	                     * 0 = estimate from each record (see align.c) */
	double len_var;     /* variance of the length model (units per unit) */
	double w_len;       /* weight of the length cost */
	double w_anchor;    /* weight of the anchor cost */
	double w_dict;      /* weight of the dictionary cost */
	int max_bead;       /* widest side of a bead, 1..AQ_ALIGN_MAX_BEAD */
	int band;           /* initial half-width of the search band (sentences) */
} aq_align_opts;

/* Fills opts with the documented defaults (calibrated on medical abstracts). */
void aq_align_opts_default(aq_align_opts *opts);

typedef struct aq_aligner aq_aligner;

/* Creates an aligner (holds scratch memory reused across records; one per
 * thread).  opts may be NULL for the defaults.  dict and glossary are
 * borrowed and may be NULL; they must outlive the aligner. */
int aq_aligner_new(aq_aligner **out, aq_ctx *ctx, const aq_align_opts *opts,
	const aq_lexicon *dict, const aq_lexicon *glossary);
void aq_aligner_free(aq_aligner *al);
/* Aligns the sentences en_s[0..en_n) of en with zh_s[0..zh_n) of zh.
 * out is cleared, then receives beads in order that cover every sentence
 * exactly once.  Returns 0, AQ_ENOMEM or AQ_ELIMIT. */
int aq_align(aq_beads *out, aq_aligner *al, const char *en, const aq_span *en_s, size_t en_n,
	const char *zh, const aq_span *zh_s, size_t zh_n);
/* What the last successful aq_align() saw of each sentence: every English
 * sentence, then every Chinese one (n_sents = en_n + zh_n). */
typedef struct aq_align_evidence {
	size_t n_sents;
	/* anchors found with the aligner's glossary: sentence i has
	 * anchors->v[anchor_first[i] .. anchor_first[i + 1]) */
	const aq_anchors *anchors;
	const uint32_t *anchor_first;
	/* with a dictionary (else NULL): the sentence's dictionary words
	 * scored (English words with a gloss, Chinese words), at most 64, and
	 * how many of them have a counterpart in the other side of its bead */
	const uint16_t *dict_words;
	const uint16_t *dict_matched;
	/* with a dictionary (else NULL), per English sentence of a bead of
	 * several English sentences and one Chinese sentence: where its share
	 * of that Chinese sentence ends (a UTF-8 byte offset into zh), found
	 * from where the words each English sentence matches lie; AQ_NO_SPAN
	 * for other sentences and when the words do not tell */
	const uint32_t *en_zh_end;
	/* and where the last word of that share that only this English
	 * sentence (or one before it in the bead) matches ends: the text
	 * between en_zh_gap and en_zh_end joins the share to the next one */
	const uint32_t *en_zh_gap;
	/* with a dictionary (else NULL), per Chinese sentence: 1 when its last
	 * Han character closes a dictionary word, 0 when not, 2 when it has
	 * no Han character */
	const uint8_t *zh_end_word;
	/* the numbers of sentence i (from after a leading section label):
	 * numbers->v[number_first[i] .. number_first[i + 1]) */
	const aq_numbers *numbers;
	const uint32_t *number_first;
	/* with a dictionary (else NULL), per English sentence i: the Chinese
	 * sentences near its bead, near_first[i] .. near_first[i] + near_n[i]
	 * (its bead's and up to AQ_ALIGN_NEAR_SPAN on either side, at most
	 * AQ_ALIGN_NEAR), and for the k-th of them how many of i's dictionary
	 * words have a counterpart in that one sentence (near_en[i *
	 * AQ_ALIGN_NEAR + k]) and how many of its words have one in i
	 * (near_zh[...]): which sentence of the other side each sentence
	 * translates, whatever bead the aligner put them in */
	const uint32_t *near_first;
	const uint8_t *near_n;
	const uint8_t *near_en;
	const uint8_t *near_zh;
} aq_align_evidence;

/* Chinese sentences compared beyond each side of a bead (near_*): a
 * translation moved that far from where the aligner placed its source is
 * still seen; the cost is fixed per sentence. */
#define AQ_ALIGN_NEAR_SPAN 4
/* Chinese sentences compared per English sentence at most (near_* stride) */
#define AQ_ALIGN_NEAR (2 * AQ_ALIGN_NEAR_SPAN + AQ_ALIGN_MAX_BEAD)

/* The evidence of the last successful aq_align(), or NULL.  Valid until
 * the next aq_align() or aq_aligner_free(). */
const aq_align_evidence *aq_aligner_evidence(const aq_aligner *al);

/* ------------------------------------------------------------------ */
/* Writers for segment and align results (report_align.c)              */

/* One record's sentences and beads, as the writers take them. */
typedef struct aq_alignment {
	const aq_record *rec;
	const aq_spans *en_sents;
	const aq_spans *zh_sents;
	const aq_beads *beads; /* NULL for segmentation only */
	/* Optional (NULL when not known): what the aligner saw of these
	 * sentences (aq_aligner_evidence()), so that aq_check() need not find
	 * the anchors again and can see which words found no counterpart.
	 * Used only when its n_sents is en_sents->n + zh_sents->n. */
	const aq_align_evidence *evidence;
} aq_alignment;

/* Human-readable sentences with offsets. */
int aq_report_segment_text(aq_buf *out, const aq_alignment *a);
/* {"id":...,"en_sentences":[[s,e],...],"zh_sentences":[[s,e],...]}\n */
int aq_report_segment_jsonl(aq_buf *out, const aq_alignment *a);
/* Human-readable beads: score, kind, sentences side by side. */
int aq_report_align_text(aq_buf *out, const aq_alignment *a);
/* The align JSONL contract: id, en_sentences, zh_sentences, beads. */
int aq_report_align_jsonl(aq_buf *out, const aq_alignment *a);
/* "[en ids]:[zh ids]:score" one bead a line (Vecalign's format). */
int aq_report_align_vecalign(aq_buf *out, const aq_alignment *a);


/* ------------------------------------------------------------------ */
/* Findings (finding.c): a translation defect is data, not an error.   */

typedef enum aq_severity {
	AQ_SEV_INFO = 0,
	AQ_SEV_WARNING = 1,
	AQ_SEV_ERROR = 2,
} aq_severity;

/* The fixed list of categories (stable names in every output format). */
typedef enum aq_category {
	AQ_CAT_OMISSION = 0,
	AQ_CAT_ADDITION,
	AQ_CAT_UNTRANSLATED,
	AQ_CAT_MISTRANSLATION,
	AQ_CAT_NUMBER,
	AQ_CAT_TERMINOLOGY,
	AQ_CAT_PUNCTUATION,
	AQ_CAT_ENCODING,
	AQ_CAT_STYLE,
	AQ_CAT_ALIGNMENT,
	AQ_CAT_METADATA,
	AQ_CAT__COUNT
} aq_category;

const char *aq_severity_name(aq_severity sev);     /* "error", "warning", "info" */
int aq_severity_parse(aq_severity *out, const char *name); /* 0 or AQ_EINVAL */
const char *aq_category_name(aq_category cat);     /* "omission", ... */
int aq_category_parse(aq_category *out, const char *name);

#define AQ_NO_SPAN UINT32_MAX

typedef struct aq_finding {
	char *rule;           /* rule id ("structure.omission"), owned */
	char *message;        /* message with the template filled in, owned */
	aq_severity severity;
	aq_category category;
	aq_span en;           /* place in the record's en text; off == AQ_NO_SPAN: none */
	aq_span zh;           /* place in the record's zh text; off == AQ_NO_SPAN: none */
	uint32_t bead;        /* index of the bead it concerns, AQ_NO_SPAN if none */
	uint64_t fingerprint; /* stable id for baselines: rule + record id + the
	                       * matched text, not its offsets (see finding.c) */
} aq_finding;

typedef struct aq_findings {
	aq_finding *v;
	size_t n, cap;
} aq_findings;

void aq_findings_init(aq_findings *f);
void aq_findings_dispose(aq_findings *f);
void aq_findings_clear(aq_findings *f);
/* Appends a finding; copies rule and message.  en/zh may be NULL (no place).
 * The fingerprint is computed by aq_findings_fingerprint() later. */
int aq_findings_add(aq_findings *f, const char *rule, aq_severity sev, aq_category cat,
	const aq_span *en, const aq_span *zh, uint32_t bead, const char *message);
/* Sorts findings by en offset, zh offset, rule (deterministic output) and
 * fills in every fingerprint from the record (id, text under the spans). */
void aq_findings_finish(aq_findings *f, const aq_record *rec);
/* Counts findings at or above sev. */
size_t aq_findings_count_at_least(const aq_findings *f, aq_severity sev);

/* ------------------------------------------------------------------ */
/* Rules (rules.c): rule packs are data in rules/, PCRE2 lives here.   */

typedef enum aq_rule_kind {
	AQ_RULE_PRESERVE = 0, /* a token matched in English must reappear in the aligned Chinese */
	AQ_RULE_PAIR,         /* an English pattern implies a Chinese pattern (back-references) */
	AQ_RULE_FORBID,       /* a pattern must not occur on one side */
	AQ_RULE_GLOSSARY,     /* English term requires its preferred Chinese term */
	AQ_RULE_BUILTIN,      /* a structural check implemented in check.c */
} aq_rule_kind;

/* What a rule looks like from outside (for listing, SARIF metadata). */
typedef struct aq_rule_info {
	const char *id;          /* stable id, "<pack>.<name>" */
	const char *pack;        /* pack name (file name without extension) */
	const char *file;        /* file it was loaded from */
	uint32_t line;           /* line of the rule in that file */
	aq_rule_kind kind;
	aq_severity severity;    /* after configuration overrides */
	aq_category category;
	const char *message;     /* message template: {en}, {zh}, {match}, {1}... */
	const char *description; /* longer help text, may be "" */
	bool enabled;            /* after configuration overrides */
} aq_rule_info;

typedef struct aq_rules aq_rules;

int aq_rules_new(aq_rules **out, aq_ctx *ctx);
void aq_rules_free(aq_rules *rules);
/* Whether patterns are compiled with PCRE2's JIT (the default: true).  The
 * results are the same without it, only slower; valgrind cannot follow
 * JIT-generated code, so memory checkers turn it off.  Applies to patterns
 * compiled after the call: call it before loading anything. */
void aq_rules_set_jit(aq_rules *rules, bool use_jit);
/* Loads every *.yaml pack of dir (sorted by name).  Errors name
 * "file:line: what is wrong" and return AQ_ERULE; nothing is half-loaded. */
int aq_rules_load_dir(aq_rules *rules, const char *dir);
int aq_rules_load_file(aq_rules *rules, const char *path);
/* Adds a glossary (TSV, see lexicon.c) used by glossary rules; borrowed. */
int aq_rules_add_glossary(aq_rules *rules, const aq_lexicon *glossary);
/* Switches a rule (or every rule of a pack/category when id is "pack.*" or
 * "category:NAME") on or off and/or changes its severity (sev < 0: keep). */
int aq_rules_configure(aq_rules *rules, const char *id, int enabled, int sev);
/* Reads a configuration file (.alignqa.yaml: rules on/off, severities,
 * extra packs and glossaries relative to the file). */
int aq_rules_load_config(aq_rules *rules, const char *path);
size_t aq_rules_count(const aq_rules *rules);
const aq_rule_info *aq_rules_get(const aq_rules *rules, size_t idx);
const aq_rule_info *aq_rules_find(const aq_rules *rules, const char *id);
/* A digest of every loaded rule and setting (hex, 16 chars), so that stored
 * results know which rule set produced them. */
const char *aq_rules_digest(const aq_rules *rules);
/* Runs every rule's examples (must fire / must not fire).  Writes one line
 * per failure to report; returns the number of failures (>= 0) or an error. */
int aq_rules_selftest(aq_rules *rules, aq_buf *report);

/* ------------------------------------------------------------------ */
/* Checking (check.c): rules applied to one aligned record.            */

typedef struct aq_checker aq_checker;

/* A checker holds per-thread match data; rules are borrowed (read-only). */
int aq_checker_new(aq_checker **out, aq_ctx *ctx, const aq_rules *rules);
void aq_checker_free(aq_checker *chk);
/* Checks one record whose sentences and beads are given; appends findings
 * (sorted, fingerprinted) to out after clearing it.  Returns 0 or an error
 * (AQ_ERULE when a user pattern hits the PCRE2 match limit: the message
 * names the rule). */
int aq_check(aq_findings *out, aq_checker *chk, const aq_alignment *a);


/* ------------------------------------------------------------------ */
/* Finding reports (report_findings.c) and baselines (baseline.c)      */

typedef enum aq_report_format {
	AQ_REPORT_TEXT = 0, /* compiler style: file:line:col: severity: message [rule] */
	AQ_REPORT_JSON,     /* one JSON document: {"records":[...],"summary":{...}} */
	AQ_REPORT_JSONL,    /* one object a record: {"id":...,"findings":[...]} */
	AQ_REPORT_SARIF,    /* SARIF 2.1.0 */
	AQ_REPORT_JUNIT,    /* JUnit XML: a test case a record */
	AQ_REPORT_GITHUB,   /* GitHub workflow commands (::error file=...) */
} aq_report_format;

int aq_report_format_parse(aq_report_format *out, const char *name);

typedef struct aq_reporter aq_reporter;

/* rules is borrowed (rule metadata for SARIF); may be NULL. */
int aq_reporter_new(aq_reporter **out, aq_ctx *ctx, aq_report_format fmt, const aq_rules *rules);
void aq_reporter_free(aq_reporter *rep);
/* Sets the severity at which a finding fails the check (the CLI's
 * --fail-on; default AQ_SEV_ERROR).  Only the JUnit writer uses it: a test
 * case fails when its record has a finding at or above sev; findings below
 * it are listed in the test case's <system-out>. */
void aq_reporter_set_fail_on(aq_reporter *rep, aq_severity sev);
/* Writes what comes before the first record (SARIF header, '[' ...). */
int aq_reporter_begin(aq_reporter *rep, aq_buf *out);
/* Writes one checked record with its findings. */
int aq_reporter_record(aq_reporter *rep, aq_buf *out, const aq_alignment *a,
	const aq_findings *findings);
/* Notes an input error (a record or file that could not be read). */
int aq_reporter_input_error(aq_reporter *rep, aq_buf *out, const char *message);
/* Writes what comes after the last record (summary, closing brackets). */
int aq_reporter_end(aq_reporter *rep, aq_buf *out);

/* Maps a UTF-8 byte offset of one side of a record to a 1-based line and
 * 1-based column (in code points) of its source file. */
void aq_record_locate(const aq_record *rec, aq_lang lang, uint32_t off, uint32_t *line,
	uint32_t *col);

/* A baseline: the fingerprints of findings accepted earlier. */
typedef struct aq_baseline aq_baseline;

int aq_baseline_new(aq_baseline **out, aq_ctx *ctx);
/* Reads a baseline file written by aq_baseline_save; AQ_EIO or AQ_EINPUT. */
int aq_baseline_load(aq_baseline **out, aq_ctx *ctx, const char *path);
void aq_baseline_free(aq_baseline *bl);
int aq_baseline_add(aq_baseline *bl, const char *record_id, const aq_finding *f);
bool aq_baseline_has(const aq_baseline *bl, const aq_finding *f);
/* How many entries of the baseline carry this fingerprint (0 if none).
 * Baselines are multisets: a caller suppressing findings keeps its own
 * count per fingerprint and suppresses a finding while that count is below
 * this number. */
size_t aq_baseline_count(const aq_baseline *bl, uint64_t fingerprint);
/* Writes the baseline (sorted, one finding a line, human-readable). */
int aq_baseline_save(const aq_baseline *bl, const char *path);

/* ------------------------------------------------------------------ */
/* Store (store.c): check runs archived in SQLite; all SQL lives there. */

/* An open report database (schema documented atop store.c).  One store is
 * used by one thread at a time; several processes may share a file (WAL:
 * readers do not wait for a writer). */
typedef struct aq_store aq_store;

/* Opens path (a file name, or an SQLite "file:" URI such as
 * "file:x.db?mode=ro"), creating the database if needed and migrating an
 * older schema forward one version at a time.  ctx is borrowed and receives
 * every error of the store ("path: <sqlite message>"); it must outlive the
 * store.  Returns 0, AQ_EINVAL (empty path), AQ_ENOMEM or AQ_EDB, among
 * them "path: database schema version N is newer than this alignqa (M);
 * upgrade alignqa" for a database written by a newer alignqa (which is
 * left untouched). */
int aq_store_open(aq_store **out, aq_ctx *ctx, const char *path);
/* Commits what is pending (complete records only) and closes; NULL is ok. */
void aq_store_close(aq_store *st);

/* Starts a run: *run_id receives its number (> 0).  tool_version NULL
 * means AQ_VERSION; rules_digest and options_json (the caller's options as
 * JSON text, stored verbatim) may be NULL.  Writes are batched: the store
 * keeps one transaction open and commits it every 500 records, at
 * aq_store_end_run() and at aq_store_close().  Returns 0 or AQ_EDB. */
int aq_store_begin_run(aq_store *st, int64_t *run_id, const char *tool_version,
	const char *rules_digest, const char *options_json);
/* Ends a run with its totals and commits.  Returns 0 or AQ_EDB. */
int aq_store_end_run(aq_store *st, int64_t run_id, size_t records, size_t findings,
	size_t input_errors);
/* Stores one checked record of a run: id, source, line, its en and zh
 * text and a hash of them, its metadata (journal, date and doi as columns,
 * all of it as JSON), its sentences and beads (a->beads may be NULL), and
 * its findings (f may be NULL).  A record is stored whole or not at all.
 * Returns 0, AQ_EDB, AQ_ENOMEM, or AQ_EINPUT when the run already has a
 * record with this id (the first one stays; the store remains usable). */
int aq_store_record(aq_store *st, int64_t run_id, const aq_alignment *a, const aq_findings *f);
/* Notes an input error of a run.  Returns 0 or AQ_EDB. */
int aq_store_input_error(aq_store *st, int64_t run_id, const char *message);

/* One stored finding as the query hands it out.  Every pointer is owned by
 * the store and valid only during the callback; copy what you keep. */
typedef struct aq_store_finding {
	const char *record;      /* record id */
	const char *source;      /* file the record came from (may be NULL) */
	const char *rule;        /* rule id */
	const char *severity;    /* "error", "warning" or "info" */
	const char *category;    /* aq_category_name() */
	const char *message;
	const char *fingerprint; /* 16 hex digits, as in baselines */
	const char *journal;     /* record metadata, NULL if absent */
	const char *date;
	int64_t run;             /* run that produced it */
	bool has_en, has_zh;     /* whether en_* / zh_* hold a place */
	uint32_t en_off, en_end; /* UTF-8 byte span in the record's en text */
	uint32_t zh_off, zh_end; /* UTF-8 byte span in the record's zh text */
} aq_store_finding;

/* Filters of aq_store_query_findings(); a zeroed struct matches all of the
 * latest results. */
typedef struct aq_store_query {
	const char *rule;         /* exact rule id, or NULL */
	aq_severity min_severity; /* findings at or above (AQ_SEV_INFO: all) */
	const char *category;     /* category name, or NULL */
	const char *record;       /* record id, or NULL */
	const char *journal;      /* exact journal metadata, or NULL */
	int64_t run;              /* a run's findings; 0 = the latest results: for
	                           * each record id, its findings from the latest
	                           * run that stored that record */
} aq_store_query;

/* Returns 0 to go on; anything else stops the query and is returned. */
typedef int (*aq_store_finding_cb)(const aq_store_finding *f, void *payload);

/* Calls cb for every stored finding that q (NULL: none) lets through,
 * ordered by record id, run, then the order the findings were stored in.
 * Commits a pending batch first.  Returns 0, cb's non-zero value, AQ_EDB
 * or AQ_ENOMEM. */
int aq_store_query_findings(aq_store *st, const aq_store_query *q, aq_store_finding_cb cb,
	void *payload);

/* Whether the latest stored version of rec (the one from the latest run
 * before before_run that stored its record id, whether or not that run
 * ended; before_run <= 0: any run) has the same content hash (en and zh
 * text) and was checked by a run whose rules digest is rules_digest (NULL:
 * a run without one).  *unchanged is false when the record id was never
 * stored.  Sees this connection's open batch.  Returns 0 or AQ_EDB. */
int aq_store_is_unchanged(aq_store *st, bool *unchanged, const aq_record *rec,
	const char *rules_digest, int64_t before_run);
/* Copies every run, record, sentence, bead, finding and input error of the
 * database in_path (at the current schema version: open it once with
 * aq_store_open() to migrate it) into st, in one transaction.  Ids are
 * renumbered after st's own, so that runs merged later count as later in
 * the latest results.  Commits a pending batch first.  Returns 0 or AQ_EDB
 * ("in_path: ..."); on failure st is unchanged. */
int aq_store_merge(aq_store *st, const char *in_path);

/* The number of records in the latest results (for each record id, its
 * latest stored version) into *n.  Commits a pending batch first.  Returns
 * 0 or AQ_EDB. */
int aq_store_count_records(aq_store *st, int64_t *n);

/* Called with one aggregate of the latest results: dim is "category",
 * "journal", "rule", "severity" or "year", key its value ("" when the
 * record has no journal or date; year is the date's first four
 * characters), n the number of findings (severity, rule, category) or
 * records (journal, year).  Strings are valid during the call only.
 * Returns 0 to go on. */
typedef int (*aq_store_count_cb)(const char *dim, const char *key, int64_t n,
	void *payload);
/* Calls cb for every aggregate, ordered by dim, then count (largest first),
 * then key.  Returns 0, cb's non-zero value, AQ_EDB or AQ_ENOMEM. */
int aq_store_query_counts(aq_store *st, aq_store_count_cb cb, void *payload);

/* One record of the latest results with everything stored about it.  All
 * pointers are owned by the store and valid only during the callback. */
typedef struct aq_store_full_record {
	int64_t run;                /* run that stored this version */
	const char *record;         /* record id */
	const char *source;         /* file it came from, or NULL */
	const char *journal, *date, *doi; /* metadata, NULL if absent */
	const char *en, *zh;        /* the texts, NULL when stored before schema 3 */
	size_t en_len, zh_len;      /* bytes */
	const aq_span *en_sents;    /* sentence spans in en, in order */
	size_t n_en_sents;
	const aq_span *zh_sents;    /* sentence spans in zh */
	size_t n_zh_sents;
	const aq_bead *beads;       /* the alignment, in order */
	size_t n_beads;
	const aq_store_finding *findings; /* in stored order */
	size_t n_findings;
} aq_store_full_record;

typedef int (*aq_store_record_cb)(const aq_store_full_record *r, void *payload);
/* Calls cb for every record of the latest results, ordered by record id.
 * Commits a pending batch first.  Returns 0, cb's non-zero value, AQ_EDB
 * or AQ_ENOMEM. */
int aq_store_query_records(aq_store *st, aq_store_record_cb cb, void *payload);

/* What aq_store_compare() compares.  The results as of run N are, for
 * each record id, the findings of the latest run <= N that stored it: an
 * incremental audit stores only what it checked, and a record it skipped
 * as unchanged keeps the findings it had.  Run 0 is the empty state. */
#define AQ_STORE_RUN_AUTO (-1) /* the default run of a side */
typedef struct aq_store_compare_opts {
	const char *against; /* NULL: both sides are states of st; else the path
	                      * (or "file:" URI) of another alignqa database
	                      * that holds the old side, opened read-only */
	int64_t from_run;    /* old side: results as of this run (of against
	                      * when given); AQ_STORE_RUN_AUTO: the run before
	                      * to_run (with against: its latest run); 0: empty */
	int64_t to_run;      /* new side: results as of this run of st;
	                      * AQ_STORE_RUN_AUTO: the latest run (0 if none) */
} aq_store_compare_opts;

typedef enum aq_store_change {
	AQ_CHANGE_NEW = 0,   /* in the new state, not in the old */
	AQ_CHANGE_FIXED = 1, /* in the old state, gone from the new */
} aq_store_change;

/* Returns 0 to go on; anything else stops the comparison and is returned.
 * f is the new side's finding for AQ_CHANGE_NEW and the old side's for
 * AQ_CHANGE_FIXED (its spans point into the text of that version); its
 * pointers are valid during the call only. */
typedef int (*aq_store_change_cb)(aq_store_change change, const aq_store_finding *f,
	void *payload);
/* Compares two states of the results finding by finding, matched on
 * record id + rule + fingerprint (as a multiset: one of two identical
 * findings that were one before is new), and calls cb for every new
 * finding (ordered by record id, then stored order), then every fixed
 * one.  A record missing from the new state (never stored by then) has
 * its findings fixed; a record the store still holds keeps its findings
 * even when later inputs no longer contain it.  *from_run and *to_run
 * receive the runs compared (0: the empty state).  opts NULL: all
 * defaults.  Commits a pending batch first.  Returns 0, cb's non-zero
 * value, AQ_EINVAL ("no run N in PATH"), AQ_EDB (also "PATH: ..." when
 * against cannot be opened or is not an alignqa database of a known
 * version) or AQ_ENOMEM. */
int aq_store_compare(int64_t *from_run, int64_t *to_run, aq_store *st,
	const aq_store_compare_opts *opts, aq_store_change_cb cb, void *payload);

/* ------------------------------------------------------------------ */
/* HTML report (report_html.c): the editorial report of a store.       */

/* One aggregate of the overview (see aq_store_query_counts()). */
typedef struct aq_html_count {
	const char *dim;  /* "severity", "category", "rule", "journal" or "year" */
	const char *key;  /* its value; "" for none */
	int64_t n;        /* findings (severity, category, rule) or records */
} aq_html_count;

/* Where a page stands among the pages of one report. */
typedef struct aq_html_page {
	const char *title;        /* NULL: "alignqa report" */
	size_t page, n_pages;     /* 1-based page number, number of pages */
	const char *prev_href;    /* link to the previous page, or NULL */
	const char *next_href;    /* link to the next page, or NULL */
	int64_t total_records;    /* records in the whole report */
	int64_t first_record;     /* 0-based index of this page's first record */
	int64_t page_records;     /* records on this page */
} aq_html_page;

/* Writes the head of a page into out: inline CSS, the title, page links,
 * on page 1 the overview (bar charts of counts[0..n_counts) per severity,
 * category, rule, journal and year) and the filter form (shown by the page's
 * script; without JS every finding shows).  Everything borrowed.  Returns
 * 0 or AQ_ENOMEM. */
int aq_report_html_begin(aq_buf *out, const aq_html_page *page, const aq_html_count *counts,
	size_t n_counts);
/* Writes one record: id, source, journal, date, DOI, then its beads as a
 * two-column table with each finding's byte span wrapped in
 * <mark class="f sev-S cat-C rule-R" title="message [rule]"> (overlapping
 * findings are cut into nested marks) and the findings listed under the
 * first bead they touch; findings without a place in any bead are listed
 * after the table.  All text is escaped.  Returns 0 or AQ_ENOMEM. */
int aq_report_html_record(aq_buf *out, const aq_store_full_record *r);
/* Writes the page links again, the filter script and the end of the page.
 * Returns 0 or AQ_ENOMEM. */
int aq_report_html_end(aq_buf *out, const aq_html_page *page);

/* ------------------------------------------------------------------ */
/* Audit (audit.c): a whole archive checked into a store, on threads.   */

/* What an audit has done so far (handed to the progress callback and
 * returned at the end). */
typedef struct aq_audit_stats {
	int64_t run_id;           /* the run this audit stored (0 before it began) */
	size_t records;           /* records read that belong to the shard */
	size_t checked;           /* records checked and stored by this run */
	size_t skipped;           /* records skipped as unchanged since a stored run */
	size_t other_shards;      /* records left to other shards */
	size_t findings;          /* findings of the records checked */
	size_t by_severity[3];    /* findings per aq_severity */
	size_t by_category[AQ_CAT__COUNT]; /* findings per aq_category */
	size_t input_errors;      /* records or files that could not be read or checked */
	uint64_t text_bytes;      /* bytes of en + zh text of the records read */
	double elapsed_s;         /* seconds since aq_audit_run() started */
	bool done;                /* the last call: every record has been stored */
} aq_audit_stats;

/* Called by the calling thread of aq_audit_run() about five times a
 * second and once at the end. */
typedef void (*aq_audit_progress_cb)(const aq_audit_stats *stats, void *payload);
/* Called (calling thread, input order) with the message of each input error
 * as it is stored. */
typedef void (*aq_audit_error_cb)(const char *message, void *payload);

typedef struct aq_audit_opts {
	const char *const *paths;   /* files, directories or "-" (stdin) */
	size_t n_paths;             /* 0: standard input */
	aq_input_format format;
	const char *encoding;       /* as aq_input_opts.encoding (NULL: auto) */
	unsigned jobs;              /* worker threads (0 is taken as 1) */
	bool force;                 /* check unchanged records too */
	uint32_t shard_k, shard_n;  /* keep records whose aq_hash64(id, len, 0) %
	                             * shard_n == shard_k - 1; shard_n 0: all */
	const aq_segmenter *seg;    /* cloned for each worker */
	const aq_rules *rules;      /* shared read-only by the workers */
	const aq_lexicon *dict;     /* aligner dictionary, or NULL */
	const aq_lexicon *glossary; /* aligner glossary anchors, or NULL */
	const aq_align_opts *align_opts; /* NULL: defaults */
	const char *options_json;   /* stored with the run, or NULL */
	aq_audit_progress_cb progress; /* or NULL */
	aq_audit_error_cb on_input_error; /* or NULL */
	void *payload;              /* given to both callbacks */
} aq_audit_opts;

/* Reads the records of opts->paths, keeps those of the shard, skips those
 * the store already holds unchanged (unless force), checks the others on
 * opts->jobs worker threads (each with its own segmenter, aligner and
 * checker) and stores them as one new run of st, in input order whatever
 * the number of threads.  The calling thread reads and writes; at most a
 * few records per thread are in memory at once.  Batches are committed as
 * they fill (aq_store_record), so that a killed audit keeps what was
 * committed and a rerun skips it.  Bad records and records that cannot be
 * checked are input errors: stored, counted and passed on, and the audit
 * goes on.  *stats (may be NULL) receives the totals.  Everything borrowed
 * in opts must stay valid during the call.  Returns 0 (also with input
 * errors: see stats->input_errors), AQ_EINVAL, AQ_ENOMEM, AQ_EICU or AQ_EDB
 * (the store failed: the audit stops; what was committed stays), with the
 * message in ctx, which must be the context st was opened with. */
int aq_audit_run(aq_audit_stats *stats, aq_ctx *ctx, aq_store *st, const aq_audit_opts *opts);
/* The digest a run is stored under (16 hex digits and a NUL into out):
 * the rule set's (aq_rules_digest) when there is no dictionary and no
 * glossary for the aligner, else a digest of the three, so that a record is
 * checked again when any of them changed. */
void aq_run_digest(char out[17], const aq_rules *rules, const aq_lexicon *dict,
	const aq_lexicon *glossary);

#ifdef __cplusplus
}
#endif
#endif /* ALIGNQA_H */
