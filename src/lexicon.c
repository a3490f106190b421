/*
 * lexicon.c - bilingual word lists: CC-CEDICT dictionaries (weak lexical
 * anchors) and terminology glossaries (strong anchors, preferred/deprecated/
 * forbidden terms), read in one go and matched by hashing UTF-8 byte slices;
 * a loaded list can be saved in a compiled form that loads without parsing.
 * What a hit is worth is left to align.c, anchor.c and the rules engine.
 */
#include "lexicon.h"
#include "han_int.h"
#include "util_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * Design notes.
 *
 * Dictionaries (AQ_LEX_CEDICT, AQ_LEX_CEDICT_TSV):
 *  - Headwords made only of Han characters (aq_cp_is_han), at most
 *    LEX_MAX_HEAD_CP of them, are indexed in their simplified and traditional
 *    forms.  Lines whose headwords hold anything else ("3D打印", "卡爾·馬克思",
 *    "AA制") are skipped: the matcher only walks runs of Han characters.
 *  - Glosses lose "(notes)" and "[pinyin]".  Senses that only point elsewhere
 *    or describe grammar are dropped whole: "CL:...", "see ...", "surname ...",
 *    "abbr. ...", "also written/pr. ...", "used in ...", "... variant of ...",
 *    pronunciation notes ("pr."), particles, classifiers, measure words,
 *    interjections, onomatopoeia, Kangxi radicals.
 *  - The remaining senses are split into words; each word is lower-cased and
 *    stemmed (aq_en_stem), stop words and one-letter, over-long or
 *    digit-bearing words are dropped, and each distinct stem gets a
 *    vocabulary id.
 *  - A headword keeps at most LEX_MAX_GLOSS ids.  When it has several lines
 *    (readings: 行 hang2/xing2), ids are taken round-robin over the lines, so
 *    that each reading contributes its first sense before any second sense.
 *  - About 50 single-character function words (的 了 是 在 和 ...) keep no
 *    glosses: they still segment, so FMM does not read 的 as "taxi" or 和 as
 *    "harmony", but never yield a hit.
 *  - The sentence side uses the very same tokeniser and word key, so the two
 *    meet in one form.
 *
 * Glossaries (AQ_LEX_GLOSSARY):
 *  - An English term is reduced to its key: words (runs of letters and
 *    digits; the possessive 's dropped) lower-cased, stemmed and joined by
 *    one space.  One concept per distinct key.  A Chinese term is its bytes.
 *  - A file whose first line is a Babelon header ("source_language<TAB>...",
 *    as in the HPO translations) is read by column name: source_value,
 *    translation_value, translation_status (NOT_TRANSLATED rows are skipped,
 *    others are preferred) and subject_id (kept as the note).
 *  - A Chinese term listed by several entries matches as its first entry.
 *
 * Tables: one open-addressing table of byte slices per kind of key.  Every
 * key is indexed together with its proper prefixes (by character for
 * Chinese, by word for English) flagged SLOT_PREFIX, so that matching is a
 * forward walk that extends a running hash one character (word) at a time
 * and stops as soon as the text leaves the table: no length loop, no trie.
 * Keys live in one string arena; the file buffer is freed after loading.
 * A loaded lexicon is read-only: share it between threads freely.
 */

#define LEX_MAX_GLOSS 8         /* gloss ids kept per headword */
#define LEX_MAX_HEAD_CP 16      /* longer headwords are not indexed (code points) */
#define LEX_WORD_MAX 64         /* longer English words never match (bytes) */
#define LEX_TERM_MAX 1024       /* longest glossary term or English key (bytes) */
#define LEX_FILE_MAX ((size_t)1 << 31) /* largest file loaded (bytes) */
#define LEX_SENSE_TOKENS 48     /* words of one gloss sense looked at */
#define LEX_BAB_COLS 16         /* Babelon columns looked at */
#define LEX_SEEN 256            /* en_words: slots of the on-stack id set */
#define LEX_NONE UINT32_MAX

enum {
	SLOT_WORD = 1,   /* the key is a whole headword, term or English key */
	SLOT_PREFIX = 2, /* the key is a proper prefix of a longer key */
};

typedef struct lex_slot {
	uint32_t hash;  /* lex_hash_fin() of the key; also picks the bucket */
	uint32_t off;   /* key: arena bytes [off, off + len) */
	uint32_t val;   /* zh (dictionary): first gloss id index; zh (glossary):
	                 * entry; en: concept; vocab: vocabulary id */
	uint16_t len;   /* key length in bytes; 0 marks an empty slot */
	uint8_t flags;  /* SLOT_WORD, SLOT_PREFIX */
	uint8_t n;      /* zh (dictionary): number of gloss ids */
} lex_slot;

typedef struct lex_table {
	lex_slot *slots;
	uint32_t mask;  /* capacity - 1; the capacity is a power of two */
	uint32_t count; /* slots in use, kept <= 3/4 of the capacity */
} lex_table;

typedef struct lex_entry {
	uint32_t en, zh, note; /* arena offsets of NUL-terminated strings */
	uint32_t concept;      /* index into concept_entry */
	uint8_t status;        /* aq_term_status */
} lex_entry;

struct aq_lexicon {
	bool is_glossary;
	size_t n_loaded;         /* dictionary lines indexed, or glossary entries */
	char *arena;             /* every key and string, NUL-separated */
	size_t arena_len, arena_cap;
	lex_table zh;            /* Chinese headwords or terms and their prefixes */
	lex_table vocab;         /* dictionary: stemmed English gloss word -> id */
	lex_table stop;          /* dictionary: the stop words (lower-case, unstemmed) */
	uint32_t n_vocab;
	uint32_t *gloss;         /* dictionary: flat gloss ids (lex_slot.val/n) */
	size_t n_gloss;
	lex_table en;            /* glossary: English keys and word prefixes */
	lex_entry *entries;      /* glossary lines in file order */
	size_t n_entries, cap_entries;
	uint32_t *concept_entry; /* concept -> its first preferred entry (else first) */
	uint32_t n_concepts;
	/* Characters (BMP code points) that begin a Chinese key: the matcher
	 * skips every other position after one bit test.  zh_first_wide: a
	 * key begins outside the BMP, so those positions are always tried. */
	uint8_t zh_first[0x10000 / 8];
	bool zh_first_wide;
	/* Glossaries: the first two bytes (lower-cased) of the first word of
	 * every English key, as one 16-bit index (a one-letter word: its byte
	 * then 0).  Stemming keeps a word's first two letters, so a sentence
	 * word whose two letters are not here begins no term and is not
	 * stemmed.  Built after loading (en_first_build), not stored. */
	uint8_t en_first[0x10000 / 8];
};

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

#define LEX_GROW(arr, cap, need) aq_array_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

void aq_u32vec_init(aq_u32vec *v)
{
	memset(v, 0, sizeof(*v));
}

void aq_u32vec_dispose(aq_u32vec *v)
{
	free(v->v);
	memset(v, 0, sizeof(*v));
}

int aq_u32vec_push(aq_u32vec *v, uint32_t x)
{
	if (v->n == v->cap && LEX_GROW(v->v, v->cap, v->n + 1))
		return AQ_ENOMEM;
	v->v[v->n++] = x;
	return 0;
}

void aq_lexhits_init(aq_lexhits *h)
{
	memset(h, 0, sizeof(*h));
}

void aq_lexhits_dispose(aq_lexhits *h)
{
	free(h->v);
	memset(h, 0, sizeof(*h));
}

void aq_termhits_init(aq_termhits *h)
{
	memset(h, 0, sizeof(*h));
}

void aq_termhits_dispose(aq_termhits *h)
{
	free(h->v);
	memset(h, 0, sizeof(*h));
}

/* FNV-1a run one byte at a time so that a key's hash can be extended as a
 * match grows; lex_hash_fin() mixes it for the table (as aq_hash64 does). */
#define LEX_FNV_INIT 0xcbf29ce484222325ULL

static inline uint64_t lex_hash_step(uint64_t h, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static inline uint32_t lex_hash_fin(uint64_t h)
{
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return (uint32_t)h;
}

static uint32_t lex_hash(const char *s, size_t len)
{
	return lex_hash_fin(lex_hash_step(LEX_FNV_INIT, s, len));
}

static inline size_t utf8_seq_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

static inline char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

static bool ascii_eq_ci(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	if (len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (ascii_lower(s[i]) != lit[i])
			return false;
	return true;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static void trim(char **s, size_t *len)
{
	while (*len && is_blank(**s)) {
		(*s)++;
		(*len)--;
	}
	while (*len && is_blank((*s)[*len - 1]))
		(*len)--;
}

/* ------------------------------------------------------------------ */
/* Hash tables of arena slices                                          */

static lex_slot *table_find(const lex_table *t, const char *arena, uint32_t hash,
	const char *key, size_t len)
{
	if (!t->slots)
		return NULL;
	for (uint32_t i = hash & t->mask;; i = (i + 1) & t->mask) {
		lex_slot *s = &t->slots[i];

		if (!s->len)
			return NULL;
		if (s->hash == hash && s->len == len && !memcmp(arena + s->off, key, len))
			return s;
	}
}

/* Makes room for more keys without growing (slot pointers stay valid). */
static int table_reserve(lex_table *t, size_t more)
{
	size_t cap = t->slots ? (size_t)t->mask + 1 : 0;
	size_t need = ((size_t)t->count + more) * 4 / 3 + 1, ncap;
	lex_slot *slots;

	if (need <= cap)
		return 0;
	ncap = cap ? cap * 2 : 64;
	while (ncap < need)
		ncap *= 2;
	if (ncap > ((size_t)1 << 31))
		return AQ_ENOMEM;
	slots = calloc(ncap, sizeof(*slots));
	if (!slots)
		return AQ_ENOMEM;
	for (size_t i = 0; i < cap; i++) {
		uint32_t j;

		if (!t->slots[i].len)
			continue;
		j = t->slots[i].hash & (uint32_t)(ncap - 1);
		while (slots[j].len)
			j = (j + 1) & (uint32_t)(ncap - 1);
		slots[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->mask = (uint32_t)(ncap - 1);
	return 0;
}

/* Adds a key known to be absent; the caller has reserved room. */
static lex_slot *table_add(lex_table *t, uint32_t hash, uint32_t off, size_t len)
{
	uint32_t i = hash & t->mask;
	lex_slot *s;

	while (t->slots[i].len)
		i = (i + 1) & t->mask;
	s = &t->slots[i];
	s->hash = hash;
	s->off = off;
	s->len = (uint16_t)len;
	t->count++;
	return s;
}

static void table_dispose(lex_table *t)
{
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static int arena_put(aq_lexicon *lex, const char *s, size_t len, uint32_t *off)
{
	if (lex->arena_len + len + 1 > UINT32_MAX)
		return AQ_ENOMEM;
	if (LEX_GROW(lex->arena, lex->arena_cap, lex->arena_len + len + 1))
		return AQ_ENOMEM;
	if (len)
		memcpy(lex->arena + lex->arena_len, s, len);
	lex->arena[lex->arena_len + len] = '\0';
	*off = (uint32_t)lex->arena_len;
	lex->arena_len += len + 1;
	return 0;
}

/*
 * Indexes the arena key [koff, koff + len) and its proper prefixes: after
 * every character (by_word false) or before every space (by_word true).
 * Prefixes get SLOT_PREFIX; the caller sets SLOT_WORD on the returned slot.
 * Returns NULL when out of memory.
 */
static lex_slot *table_put_key(lex_table *t, aq_lexicon *lex, uint32_t koff, size_t len,
	bool by_word)
{
	const char *key = lex->arena + koff;
	uint64_t h = LEX_FNV_INIT;
	size_t at = 0, k, parts = 0;
	lex_slot *s = NULL;

	if (t == &lex->zh && len) {
		size_t i = 0;
		int32_t cp = aq_utf8_next(key, len, &i);

		if (cp >= 0 && cp < 0x10000)
			lex->zh_first[cp >> 3] |= (uint8_t)(1u << (cp & 7));
		else
			lex->zh_first_wide = true;
	}

	for (k = 0; k < len; k += by_word ? 1 : utf8_seq_len((unsigned char)key[k]))
		parts += by_word ? key[k] == ' ' : 1;
	if (table_reserve(t, parts + 1))
		return NULL;
	while (at < len) {
		uint32_t hash;

		if (by_word) {
			const char *sp = memchr(key + at + 1, ' ', len - at - 1);
			k = sp ? (size_t)(sp - key) : len;
		} else {
			k = at + utf8_seq_len((unsigned char)key[at]);
			if (k > len)
				k = len;
		}
		h = lex_hash_step(h, key + at, k - at);
		hash = lex_hash_fin(h);
		s = table_find(t, lex->arena, hash, key, k);
		if (!s)
			s = table_add(t, hash, koff, k);
		if (k < len)
			s->flags |= SLOT_PREFIX;
		at = k;
	}
	return s;
}

/* ------------------------------------------------------------------ */
/* English words                                                        */

/* Decodes the character at *i (advancing past it) and tells whether it
 * belongs to a word: ASCII letters and digits, Latin and Greek letters. */
static inline bool word_char(const char *s, size_t end, size_t *i)
{
	unsigned char c = (unsigned char)s[*i];
	int32_t cp;

	if (c < 0x80) {
		(*i)++;
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
	}
	cp = aq_utf8_next(s, end, i);
	return cp >= 0x80 && (aq_cp_is_latin_letter(cp) || (cp >= 0x370 && cp <= 0x3FF));
}

static bool after_apostrophe(const char *s, size_t lo, size_t at)
{
	if (at >= lo + 1 && s[at - 1] == '\'')
		return true;
	return at >= lo + 3 && !memcmp(s + at - 3, "\xE2\x80\x99", 3); /* U+2019 */
}

/* Reads the word at *pos (which must be at a word character). */
static void read_word(const char *s, size_t end, size_t *pos, size_t *t_off, size_t *t_end)
{
	size_t i = *pos, k;

	*t_off = i;
	k = i;
	word_char(s, end, &k);
	i = k;
	while (i < end) {
		k = i;
		if (!word_char(s, end, &k))
			break;
		i = k;
	}
	*t_end = i;
	*pos = i;
}

static bool is_possessive_s(const char *s, size_t lo, size_t t_off, size_t t_end)
{
	return t_end - t_off == 1 && ascii_lower(s[t_off]) == 's' && after_apostrophe(s, lo, t_off);
}

/* Finds the next word of s[*pos..end) (lo is where the text may be read
 * from); skips the possessive 's.  Returns false at the end. */
static bool next_word(const char *s, size_t lo, size_t end, size_t *pos, size_t *t_off,
	size_t *t_end)
{
	size_t i = *pos, k;

	for (;;) {
		while (i < end) {
			k = i;
			if (word_char(s, end, &k))
				break;
			i = k;
		}
		if (i >= end) {
			*pos = end;
			return false;
		}
		*pos = i;
		read_word(s, end, pos, t_off, t_end);
		if (!is_possessive_s(s, lo, *t_off, *t_end))
			return true;
		i = *pos;
	}
}

/* Characters that may stand between the words of one glossary term in a
 * sentence: white space, hyphens, apostrophes (the possessive 's too). */
static bool next_term_word(const char *s, size_t lo, size_t end, size_t *pos, size_t *t_off,
	size_t *t_end)
{
	size_t i = *pos, k;

	for (;;) {
		while (i < end) {
			unsigned char c = (unsigned char)s[i];
			int32_t cp;

			k = i;
			if (word_char(s, end, &k))
				break;
			if (c < 0x80) {
				if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '-' && c != '\'')
					return false;
			} else {
				k = i;
				cp = aq_utf8_next(s, end, &k);
				if (cp != 0xA0 && cp != 0x2010 && cp != 0x2011 && cp != 0x2019 &&
				    cp != 0x202F)
					return false;
			}
			i = k;
		}
		if (i >= end)
			return false;
		*pos = i;
		read_word(s, end, pos, t_off, t_end);
		if (!is_possessive_s(s, lo, *t_off, *t_end))
			return true;
		i = *pos;
	}
}

static bool has_vowel(const char *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i] && strchr("aeiouy", w[i]))
			return true;
	return false;
}

static bool ends_with(const char *w, size_t n, const char *suf)
{
	size_t k = strlen(suf);

	return n >= k && !memcmp(w + n - k, suf, k);
}

/* Undoes the doubled consonant of "stopped", "modelling" after -ed/-ing. */
static size_t undouble(const char *w, size_t n)
{
	char c;

	if (n < 3 || w[n - 1] != w[n - 2])
		return n;
	c = w[n - 1];
	if (strchr("bdgmnprt", c) || (c == 'l' && n >= 5))
		return n - 1;
	return n;
}

/*
 * The stemmer: a handful of suffix rules, applied in order, each once.
 *  1. plurals: -ies -> -y (n > 4), -sses -> -ss, else -s unless -ss, -us, -is;
 *  2. -ied -> -y; -ed (not -eed; stem >= 3 with a vowel); -ing (stem >= 3 with
 *     a vowel); then a doubled final consonant is undone (stopp -> stop);
 *  3. -ily -> -y and -ly (stem >= 5, not after a vowel, b or p), n >= 7;
 *  4. a final -e goes (not -ee), so increase/increased/increases/increasing
 *     all meet in "increas".
 * Words of three letters or fewer are only lower-cased.  -ation, -ment,
 * -al are kept: "inflammation", "treatment" stay whole.
 */
static size_t stem_lower(char *w, size_t n)
{
	if (n <= 3)
		goto out;
	if (ends_with(w, n, "ies") && n > 4) {
		w[n - 3] = 'y';
		n -= 2;
	} else if (ends_with(w, n, "sses")) {
		n -= 2;
	} else if (w[n - 1] == 's' && w[n - 2] != 's' && w[n - 2] != 'u' && w[n - 2] != 'i') {
		n--;
	}
	if (n > 4 && ends_with(w, n, "ied")) {
		w[n - 3] = 'y';
		n -= 2;
	} else if (n >= 5 && ends_with(w, n, "ed") && w[n - 3] != 'e' && has_vowel(w, n - 2)) {
		n = undouble(w, n - 2);
	} else if (n >= 6 && ends_with(w, n, "ing") && has_vowel(w, n - 3)) {
		n = undouble(w, n - 3);
	}
	if (n >= 7 && ends_with(w, n, "ily")) {
		n -= 2;
		w[n - 1] = 'y';
	} else if (n >= 7 && ends_with(w, n, "ly") && !strchr("aeioubp", w[n - 3])) {
		n -= 2;
	}
	if (n > 3 && w[n - 1] == 'e' && w[n - 2] != 'e')
		n--;
out:
	w[n] = '\0';
	return n;
}

size_t aq_en_stem(char *buf, const char *word, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = ascii_lower(word[i]);
	return stem_lower(buf, len);
}

/* English stop words: function words plus CC-CEDICT's
 * placeholders (sth, sb, one's) and abbreviations (lit., fig., esp.). */
static const char *const stop_words[] = {
	"about", "all", "also", "am", "an", "and", "any", "are", "as", "at",
	"be", "been", "being", "both", "but", "by", "can", "could", "did", "do",
	"does", "each", "eg", "esp", "etc", "fig", "for", "from", "had", "has",
	"have", "he", "her", "his", "ie", "if", "in", "into", "is", "it",
	"its", "lit", "may", "more", "most", "no", "not", "of", "on", "one",
	"oneself", "onto", "or", "other", "our", "sb", "she", "should", "so", "some",
	"somebody", "someone", "something", "sth", "such", "than", "that", "the", "their", "them",
	"then", "there", "these", "they", "this", "those", "to", "too", "upon", "us",
	"usu", "very", "was", "we", "were", "what", "when", "which", "who", "whom",
	"will", "with", "would", "you", "your",
};

/* Stop words go into a small table of their own: one probe per word. */
static int stop_words_load(aq_lexicon *lex)
{
	size_t n = sizeof(stop_words) / sizeof(stop_words[0]);

	if (table_reserve(&lex->stop, n))
		return AQ_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(stop_words[i]);
		uint32_t off;

		if (arena_put(lex, stop_words[i], len, &off))
			return AQ_ENOMEM;
		table_add(&lex->stop, lex_hash(stop_words[i], len), off, len)->flags = SLOT_WORD;
	}
	return 0;
}

/*
 * The dictionary key of an English word (gloss or sentence alike):
 * lower-cased and stemmed into w (LEX_WORD_MAX + 1 bytes).  Returns 0 for
 * words that are not looked up: one byte, over-long, holding a digit (numbers
 * and "8th" are anchored elsewhere), without an ASCII letter, stop words.
 */
static size_t dict_word_key(const aq_lexicon *lex, char *w, const char *tok, size_t n)
{
	bool has_letter = false;

	if (n < 2 || n > LEX_WORD_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = ascii_lower(tok[i]);

		if (c >= '0' && c <= '9')
			return 0;
		w[i] = c;
		has_letter |= c >= 'a' && c <= 'z';
	}
	w[n] = '\0';
	if (!has_letter || table_find(&lex->stop, lex->arena, lex_hash(w, n), w, n))
		return 0;
	n = stem_lower(w, n);
	return n >= 2 ? n : 0;
}

/* The glossary key of an English term: its words stemmed and joined by one
 * space into buf (LEX_TERM_MAX + 1 bytes).  Returns the length, 0 if the
 * term has no word, or SIZE_MAX if it is too long. */
static size_t term_key(char *buf, const char *s, size_t len)
{
	size_t pos = 0, t_off, t_end, n = 0;

	while (next_word(s, 0, len, &pos, &t_off, &t_end)) {
		size_t tl = t_end - t_off;

		if (tl > LEX_WORD_MAX || n + 1 + tl > LEX_TERM_MAX)
			return SIZE_MAX;
		if (n)
			buf[n++] = ' ';
		n += aq_en_stem(buf + n, s + t_off, tl);
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Loading: common parts                                                */

typedef struct lex_chunk {
	uint32_t first; /* the gloss ids of one line: ids.v[first .. first + n) */
	uint32_t n;
	uint32_t next;  /* the next line of the same headword, or LEX_NONE */
} lex_chunk;

typedef struct lex_word {
	uint32_t head, tail; /* its lines (chunks) in file order */
	uint32_t slot;       /* its zh slot, filled in by dict_finish */
} lex_word;

typedef struct lex_loader {
	aq_lexicon *lex;
	aq_ctx *ctx;
	const char *path;
	uint32_t lineno;     /* 1-based line being parsed */
	bool seen_data;      /* a data line was seen (header detection) */
	/* dictionary build state, freed once the gloss array is laid out */
	aq_u32vec ids;       /* gloss ids of every line, line after line */
	lex_chunk *chunks;
	size_t n_chunks, cap_chunks;
	lex_word *words;
	size_t n_words, cap_words;
	/* Babelon glossaries: column indices (-1 if absent), 0 columns if not */
	int bab_ncol;
	int bab_en, bab_zh, bab_status, bab_id, bab_slang, bab_tlang;
} lex_loader;

static int read_file(char **out, size_t *out_len, aq_ctx *ctx, const char *path)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	int fd = -1, rc = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = aq_ctx_error(ctx, AQ_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_size >= LEX_FILE_MAX) {
		rc = aq_ctx_error(ctx, AQ_ELIMIT, "%s: file too large (limit %zu bytes)", path,
			LEX_FILE_MAX);
		goto out;
	}
	/* +2: room for the terminating NUL and for the read that sees EOF. */
	cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 2 : 65536;
	buf = malloc(cap);
	if (!buf) {
		rc = aq_ctx_error(ctx, AQ_ENOMEM, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		ssize_t r;

		if (cap - len < 2) {
			if (cap >= LEX_FILE_MAX) {
				rc = aq_ctx_error(ctx, AQ_ELIMIT, "%s: file too large (limit %zu bytes)",
					path, LEX_FILE_MAX);
				goto out;
			}
			if (LEX_GROW(buf, cap, cap + 1)) {
				rc = aq_ctx_error(ctx, AQ_ENOMEM, "%s: out of memory", path);
				goto out;
			}
		}
		r = read(fd, buf + len, cap - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = aq_ctx_error(ctx, AQ_EIO, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*out = buf;
	*out_len = len;
	buf = NULL;
out:
	if (fd >= 0)
		close(fd);
	free(buf);
	return rc;
}

/* Rejects invalid UTF-8 and NUL bytes, naming line and byte column. */
static int check_bytes(lex_loader *ld, const char *buf, size_t len)
{
	size_t bad = aq_utf8_check(buf, len), line = 1, col;
	const char *nul = memchr(buf, '\0', len), *p = buf, *nl;
	const char *what = "invalid UTF-8";

	if (nul && (size_t)(nul - buf) < bad) {
		bad = (size_t)(nul - buf);
		what = "NUL byte";
	}
	if (bad == len)
		return 0;
	while ((nl = memchr(p, '\n', (size_t)(buf + bad - p))) != NULL) {
		line++;
		p = nl + 1;
	}
	col = (size_t)(buf + bad - p) + 1;
	return aq_ctx_error(ld->ctx, AQ_ERULE, "%s:%zu:%zu: %s", ld->path, line, col, what);
}

/* Splits s[0..len) at tabs: up to max fields into f/fl; returns the number
 * of fields there are. */
static int split_tabs(char *s, size_t len, char **f, size_t *fl, int max)
{
	int n = 0;
	char *p = s, *e = s + len;

	for (;;) {
		char *tab = memchr(p, '\t', (size_t)(e - p));
		char *fe = tab ? tab : e;

		if (n < max) {
			f[n] = p;
			fl[n] = (size_t)(fe - p);
		}
		n++;
		if (!tab)
			return n;
		p = tab + 1;
	}
}

/* ------------------------------------------------------------------ */
/* Dictionaries                                                         */

/* Single-character function words that keep no glosses (see above). */
static const char zh_function_chars[] =
	"的地得了着过是在和与及或而也都就又还但并其之于以为对把被将从由这那此该个些"
	"等则即若所乃上下中一不每各";

static bool is_function_char(const char *s, size_t len)
{
	if (len != 3)
		return false;
	for (size_t i = 0; i + 3 <= sizeof(zh_function_chars) - 1; i += 3)
		if (!memcmp(zh_function_chars + i, s, 3))
			return true;
	return false;
}

/* Number of code points of a headword made only of Han characters, else 0. */
static size_t han_only_cp(const char *s, size_t len)
{
	size_t i = 0, n = 0;

	while (i < len) {
		if (!aq_cp_is_han(aq_utf8_next(s, len, &i)))
			return 0;
		n++;
	}
	return n;
}

static int vocab_id(lex_loader *ld, const char *w, size_t n, uint32_t *id)
{
	aq_lexicon *lex = ld->lex;
	uint32_t hash = lex_hash(w, n), off;
	lex_slot *s = table_find(&lex->vocab, lex->arena, hash, w, n);

	if (s) {
		*id = s->val;
		return 0;
	}
	if (arena_put(lex, w, n, &off) || table_reserve(&lex->vocab, 1))
		return AQ_ENOMEM;
	s = table_add(&lex->vocab, hash, off, n);
	s->flags = SLOT_WORD;
	s->val = *id = lex->n_vocab++;
	return 0;
}

static bool tok_is(const char *s, const uint16_t (*tok)[2], size_t k, const char *word)
{
	size_t n = strlen(word);

	return tok[k][1] == n && !memcmp(s + tok[k][0], word, n);
}

/* Is this (lower-cased) sense a cross-reference or a grammar note? */
static bool sense_is_noise(const char *s, const uint16_t (*tok)[2], size_t n)
{
	if (tok_is(s, tok, 0, "see") || tok_is(s, tok, 0, "surname") || tok_is(s, tok, 0, "abbr") ||
	    tok_is(s, tok, 0, "cl"))
		return true;
	if (n >= 2 && tok_is(s, tok, 0, "used") && tok_is(s, tok, 1, "in"))
		return true;
	if (n >= 2 && tok_is(s, tok, 0, "also") &&
	    (tok_is(s, tok, 1, "written") || tok_is(s, tok, 1, "pr") || tok_is(s, tok, 1, "see")))
		return true;
	for (size_t k = 0; k < n; k++) {
		if (tok_is(s, tok, k, "particle") || tok_is(s, tok, k, "classifier") ||
		    tok_is(s, tok, k, "interjection") || tok_is(s, tok, k, "onomatopoeia") ||
		    tok_is(s, tok, k, "kangxi") || tok_is(s, tok, k, "pr"))
			return true;
		if (k + 1 < n && ((tok_is(s, tok, k, "variant") && tok_is(s, tok, k + 1, "of")) ||
		    (tok_is(s, tok, k, "measure") && tok_is(s, tok, k + 1, "word"))))
			return true;
	}
	return false;
}

/* Adds the words of one sense (lower-cased, notes removed) to the ids of
 * the line that start at first. */
static int dict_sense(lex_loader *ld, const char *s, size_t len, size_t first)
{
	uint16_t tok[LEX_SENSE_TOKENS][2];
	size_t n = 0, pos = 0, t_off, t_end;
	char w[LEX_WORD_MAX + 1];

	if (len > UINT16_MAX)
		len = UINT16_MAX;
	while (n < LEX_SENSE_TOKENS && next_word(s, 0, len, &pos, &t_off, &t_end)) {
		tok[n][0] = (uint16_t)t_off;
		tok[n][1] = (uint16_t)(t_end - t_off);
		n++;
	}
	if (!n || sense_is_noise(s, (const uint16_t (*)[2])tok, n))
		return 0;
	for (size_t k = 0; k < n && ld->ids.n - first < LEX_MAX_GLOSS; k++) {
		size_t wl = dict_word_key(ld->lex, w, s + tok[k][0], tok[k][1]), j;
		uint32_t id;

		if (!wl)
			continue;
		if (vocab_id(ld, w, wl, &id))
			return AQ_ENOMEM;
		for (j = first; j < ld->ids.n && ld->ids.v[j] != id; j++)
			;
		if (j == ld->ids.n && aq_u32vec_push(&ld->ids, id))
			return AQ_ENOMEM;
	}
	return 0;
}

/* Removes "(notes)" and "[pin1 yin1]" in place, lower-cases the rest and
 * hands each ';'-separated part to dict_sense(). */
static int dict_gloss(lex_loader *ld, char *s, size_t len, size_t first)
{
	size_t w = 0, a = 0;
	int depth = 0, rc;

	for (size_t r = 0; r < len; r++) {
		char c = s[r];

		if (c == '(' || c == '[')
			depth++;
		else if (c == ')' || c == ']')
			depth -= depth > 0;
		else if (!depth)
			s[w++] = ascii_lower(c);
	}
	for (size_t i = 0; i <= w; i++) {
		if (i < w && s[i] != ';')
			continue;
		rc = dict_sense(ld, s + a, i - a, first);
		if (rc)
			return rc;
		a = i + 1;
	}
	return 0;
}

/* Splits a line's glosses (CEDICT "/", TSV " | ") and collects their ids. */
static int dict_glosses(lex_loader *ld, char *g, size_t len, bool tsv, size_t first)
{
	size_t i = 0;
	int rc;

	while (i < len && ld->ids.n - first < LEX_MAX_GLOSS) {
		size_t j, next;

		if (tsv) {
			size_t k = i;

			for (;;) {
				char *bar = memchr(g + k, '|', len - k);

				if (!bar) {
					j = next = len;
					break;
				}
				k = (size_t)(bar - g);
				if (k > i && g[k - 1] == ' ' && k + 1 < len && g[k + 1] == ' ') {
					j = k - 1;
					next = k + 2;
					break;
				}
				k++;
			}
		} else {
			char *slash = memchr(g + i, '/', len - i);

			j = slash ? (size_t)(slash - g) : len;
			next = j + 1;
		}
		rc = dict_gloss(ld, g + i, j - i, first);
		if (rc)
			return rc;
		i = next;
	}
	return 0;
}

/* Indexes one headword and links this line's ids to it. */
static int dict_headword(lex_loader *ld, const char *hw, size_t len, size_t first, size_t n)
{
	aq_lexicon *lex = ld->lex;
	size_t used = lex->arena_len;
	uint32_t w, off;
	lex_slot *s;
	lex_chunk *c;

	/* Copy first and walk the prefixes once; a headword seen before used
	 * no new slot (all its prefixes exist), so its copy is taken back. */
	if (arena_put(lex, hw, len, &off))
		return AQ_ENOMEM;
	s = table_put_key(&lex->zh, lex, off, len, false);
	if (!s)
		return AQ_ENOMEM;
	if (s->flags & SLOT_WORD) {
		w = s->val;
		if (s->off != off)
			lex->arena_len = used;
	} else {
		if (LEX_GROW(ld->words, ld->cap_words, ld->n_words + 1))
			return AQ_ENOMEM;
		w = (uint32_t)ld->n_words++;
		ld->words[w].head = ld->words[w].tail = LEX_NONE;
		s->flags |= SLOT_WORD;
		s->val = w;
	}
	if (!n)
		return 0;
	if (LEX_GROW(ld->chunks, ld->cap_chunks, ld->n_chunks + 1))
		return AQ_ENOMEM;
	c = &ld->chunks[ld->n_chunks];
	c->first = (uint32_t)first;
	c->n = (uint32_t)n;
	c->next = LEX_NONE;
	if (ld->words[w].tail == LEX_NONE)
		ld->words[w].head = (uint32_t)ld->n_chunks;
	else
		ld->chunks[ld->words[w].tail].next = (uint32_t)ld->n_chunks;
	ld->words[w].tail = (uint32_t)ld->n_chunks++;
	return 0;
}

static int dict_entry(lex_loader *ld, const char *trad, size_t tlen, const char *simp,
	size_t slen, char *gloss, size_t glen, bool tsv)
{
	size_t t_cp = han_only_cp(trad, tlen), s_cp = han_only_cp(simp, slen);
	size_t first = ld->ids.n, n;
	bool t_ok = t_cp && t_cp <= LEX_MAX_HEAD_CP, s_ok = s_cp && s_cp <= LEX_MAX_HEAD_CP;
	int rc;

	if (!t_ok && !s_ok)
		return 0;
	if (!is_function_char(simp, slen)) {
		rc = dict_glosses(ld, gloss, glen, tsv, first);
		if (rc)
			return rc;
	}
	n = ld->ids.n - first;
	if (s_ok && (rc = dict_headword(ld, simp, slen, first, n)) != 0)
		return rc;
	if (t_ok && !(s_ok && tlen == slen && !memcmp(trad, simp, slen)) &&
	    (rc = dict_headword(ld, trad, tlen, first, n)) != 0)
		return rc;
	ld->lex->n_loaded++;
	return 0;
}

/* "傳統 传统 [chuan2 tong3] /tradition/traditional/convention/" */
static int cedict_line(lex_loader *ld, char *s, size_t len)
{
	char *e = s + len, *sp1, *sp2, *lb, *rb, *g;

	sp1 = memchr(s, ' ', len);
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(e - sp1 - 1)) : NULL;
	lb = sp2 ? sp2 + 1 : NULL;
	rb = lb && lb < e && *lb == '[' ? memchr(lb, ']', (size_t)(e - lb)) : NULL;
	g = rb ? rb + 1 : NULL;
	while (g && g < e && *g == ' ')
		g++;
	if (!g || g >= e || *g != '/' || sp1 == s || sp2 == sp1 + 1)
		return aq_ctx_error(ld->ctx, AQ_ERULE,
			"%s:%u: not a CC-CEDICT line (expected \"trad simp [pin1 yin1] /gloss/\")",
			ld->path, (unsigned)ld->lineno);
	g++;
	return dict_entry(ld, s, (size_t)(sp1 - s), sp1 + 1, (size_t)(sp2 - sp1 - 1), g,
		(size_t)(e - g), false);
}

/* traditional<TAB>simplified<TAB>pinyin<TAB>gloss | gloss */
static int cedict_tsv_line(lex_loader *ld, char *s, size_t len)
{
	char *f[4];
	size_t fl[4];
	int n = split_tabs(s, len, f, fl, 4);

	if (n != 4)
		return aq_ctx_error(ld->ctx, AQ_ERULE,
			"%s:%u: expected 4 tab-separated columns (traditional, simplified, pinyin, "
			"glosses), found %d", ld->path, (unsigned)ld->lineno, n);
	trim(&f[0], &fl[0]);
	trim(&f[1], &fl[1]);
	if (!fl[0] || !fl[1])
		return aq_ctx_error(ld->ctx, AQ_ERULE, "%s:%u: empty headword", ld->path,
			(unsigned)ld->lineno);
	return dict_entry(ld, f[0], fl[0], f[1], fl[1], f[3], fl[3], true);
}

/* Lays out the flat gloss array: per headword, up to LEX_MAX_GLOSS distinct
 * ids taken round-robin over its lines. */
static int dict_finish(lex_loader *ld)
{
	aq_lexicon *lex = ld->lex;
	size_t cap = 0;

	/* a line's ids serve both its headwords: count them per chunk */
	for (size_t c = 0; c < ld->n_chunks; c++)
		cap += ld->chunks[c].n;
	if (cap > ld->n_words * LEX_MAX_GLOSS)
		cap = ld->n_words * LEX_MAX_GLOSS;
	if (cap) {
		lex->gloss = malloc(cap * sizeof(*lex->gloss));
		if (!lex->gloss)
			return AQ_ENOMEM;
	}
	/* Walk the words in file order (chunks and ids are then read nearly
	 * sequentially), which takes one pass over the slots to find them. */
	for (size_t i = 0; lex->zh.slots && i <= lex->zh.mask; i++)
		if (lex->zh.slots[i].flags & SLOT_WORD)
			ld->words[lex->zh.slots[i].val].slot = (uint32_t)i;
	for (size_t wi = 0; wi < ld->n_words; wi++) {
		const lex_word *w = &ld->words[wi];
		lex_slot *s = &lex->zh.slots[w->slot];
		size_t first = lex->n_gloss;
		bool more = true;

		for (uint32_t r = 0; more && lex->n_gloss - first < LEX_MAX_GLOSS; r++) {
			more = false;
			for (uint32_t c = w->head; c != LEX_NONE; c = ld->chunks[c].next) {
				uint32_t id;
				size_t j;

				if (r >= ld->chunks[c].n)
					continue;
				more = true;
				id = ld->ids.v[ld->chunks[c].first + r];
				for (j = first; j < lex->n_gloss && lex->gloss[j] != id; j++)
					;
				if (j < lex->n_gloss)
					continue;
				lex->gloss[lex->n_gloss++] = id;
				if (lex->n_gloss - first == LEX_MAX_GLOSS)
					break;
			}
		}
		s->val = (uint32_t)first;
		s->n = (uint8_t)(lex->n_gloss - first);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Glossaries                                                           */

static int gloss_add(lex_loader *ld, const char *en, size_t en_len, const char *zh,
	size_t zh_len, aq_term_status status, const char *note, size_t note_len)
{
	aq_lexicon *lex = ld->lex;
	char key[LEX_TERM_MAX + 1];
	size_t klen = term_key(key, en, en_len);
	lex_entry *e;
	lex_slot *s;
	uint32_t off;

	if (klen == 0)
		return aq_ctx_error(ld->ctx, AQ_ERULE, "%s:%u: English term has no words",
			ld->path, (unsigned)ld->lineno);
	if (klen == SIZE_MAX || zh_len > LEX_TERM_MAX)
		return aq_ctx_error(ld->ctx, AQ_ERULE, "%s:%u: term too long (limit %d bytes)",
			ld->path, (unsigned)ld->lineno, LEX_TERM_MAX);
	if (LEX_GROW(lex->entries, lex->cap_entries, lex->n_entries + 1))
		return AQ_ENOMEM;
	e = &lex->entries[lex->n_entries];
	e->status = (uint8_t)status;
	/* the concept: one per English key */
	s = table_find(&lex->en, lex->arena, lex_hash(key, klen), key, klen);
	if (!s || !(s->flags & SLOT_WORD)) {
		if (arena_put(lex, key, klen, &off))
			return AQ_ENOMEM;
		s = table_put_key(&lex->en, lex, off, klen, true);
		if (!s)
			return AQ_ENOMEM;
		s->flags |= SLOT_WORD;
		s->val = lex->n_concepts++;
	}
	e->concept = s->val;
	if (arena_put(lex, en, en_len, &e->en) || arena_put(lex, note, note_len, &e->note) ||
	    arena_put(lex, zh, zh_len, &e->zh))
		return AQ_ENOMEM;
	/* the Chinese term: the first entry that lists it keeps it */
	s = table_put_key(&lex->zh, lex, e->zh, zh_len, false);
	if (!s)
		return AQ_ENOMEM;
	if (!(s->flags & SLOT_WORD)) {
		s->flags |= SLOT_WORD;
		s->val = (uint32_t)lex->n_entries;
	}
	lex->n_entries++;
	lex->n_loaded++;
	return 0;
}

/* A Babelon header: remembers where the columns are. */
static int babelon_header(lex_loader *ld, char *s, size_t len)
{
	char *f[LEX_BAB_COLS];
	size_t fl[LEX_BAB_COLS];
	int n = split_tabs(s, len, f, fl, LEX_BAB_COLS);

	if (n > LEX_BAB_COLS)
		return aq_ctx_error(ld->ctx, AQ_ERULE, "%s:%u: Babelon header has %d columns (limit %d)",
			ld->path, (unsigned)ld->lineno, n, LEX_BAB_COLS);
	ld->bab_en = ld->bab_zh = ld->bab_status = ld->bab_id = -1;
	ld->bab_slang = ld->bab_tlang = -1;
	for (int i = 0; i < n; i++) {
		trim(&f[i], &fl[i]);
		if (ascii_eq_ci(f[i], fl[i], "source_value"))
			ld->bab_en = i;
		else if (ascii_eq_ci(f[i], fl[i], "translation_value"))
			ld->bab_zh = i;
		else if (ascii_eq_ci(f[i], fl[i], "translation_status"))
			ld->bab_status = i;
		else if (ascii_eq_ci(f[i], fl[i], "subject_id"))
			ld->bab_id = i;
		else if (ascii_eq_ci(f[i], fl[i], "source_language"))
			ld->bab_slang = i;
		else if (ascii_eq_ci(f[i], fl[i], "translation_language"))
			ld->bab_tlang = i;
	}
	if (ld->bab_en < 0 || ld->bab_zh < 0)
		return aq_ctx_error(ld->ctx, AQ_ERULE,
			"%s:%u: Babelon header lacks source_value or translation_value", ld->path,
			(unsigned)ld->lineno);
	ld->bab_ncol = n;
	return 0;
}

static int babelon_line(lex_loader *ld, char *s, size_t len)
{
	char *f[LEX_BAB_COLS];
	size_t fl[LEX_BAB_COLS];
	int n = split_tabs(s, len, f, fl, LEX_BAB_COLS);

	if (n != ld->bab_ncol)
		return aq_ctx_error(ld->ctx, AQ_ERULE, "%s:%u: expected %d tab-separated columns, found %d",
			ld->path, (unsigned)ld->lineno, ld->bab_ncol, n);
	for (int i = 0; i < n; i++)
		trim(&f[i], &fl[i]);
	if (ld->bab_slang >= 0 && !ascii_eq_ci(f[ld->bab_slang], fl[ld->bab_slang], "en"))
		return 0;
	if (ld->bab_tlang >= 0 && (fl[ld->bab_tlang] < 2 || ascii_lower(f[ld->bab_tlang][0]) != 'z' ||
	    ascii_lower(f[ld->bab_tlang][1]) != 'h'))
		return 0;
	if (!fl[ld->bab_zh] || !fl[ld->bab_en])
		return 0;
	if (ld->bab_status >= 0 &&
	    ascii_eq_ci(f[ld->bab_status], fl[ld->bab_status], "not_translated"))
		return 0;
	return gloss_add(ld, f[ld->bab_en], fl[ld->bab_en], f[ld->bab_zh], fl[ld->bab_zh],
		AQ_TERM_PREFERRED, ld->bab_id >= 0 ? f[ld->bab_id] : "",
		ld->bab_id >= 0 ? fl[ld->bab_id] : 0);
}

/* en<TAB>zh[<TAB>status[<TAB>note]] */
static int glossary_line(lex_loader *ld, char *s, size_t len)
{
	char *f[4];
	size_t fl[4];
	aq_term_status status = AQ_TERM_PREFERRED;
	bool first = !ld->seen_data;
	int n;

	ld->seen_data = true;
	if (ld->bab_ncol)
		return babelon_line(ld, s, len);
	if (first && len > 16 && !memcmp(s, "source_language\t", 16))
		return babelon_header(ld, s, len);
	if (first && ((len > 3 && ascii_eq_ci(s, 3, "en\t")) ||
	    (len > 8 && ascii_eq_ci(s, 8, "english\t"))))
		return 0;
	n = split_tabs(s, len, f, fl, 4);
	if (n < 2 || n > 4)
		return aq_ctx_error(ld->ctx, AQ_ERULE,
			"%s:%u: expected 2 to 4 tab-separated columns (en, zh, status, note), found %d",
			ld->path, (unsigned)ld->lineno, n);
	for (int i = 0; i < n; i++)
		trim(&f[i], &fl[i]);
	if (!fl[0])
		return aq_ctx_error(ld->ctx, AQ_ERULE, "%s:%u: empty English term", ld->path,
			(unsigned)ld->lineno);
	if (!fl[1])
		return aq_ctx_error(ld->ctx, AQ_ERULE, "%s:%u: empty Chinese term", ld->path,
			(unsigned)ld->lineno);
	if (n >= 3 && fl[2]) {
		if (ascii_eq_ci(f[2], fl[2], "preferred"))
			status = AQ_TERM_PREFERRED;
		else if (ascii_eq_ci(f[2], fl[2], "deprecated"))
			status = AQ_TERM_DEPRECATED;
		else if (ascii_eq_ci(f[2], fl[2], "forbidden"))
			status = AQ_TERM_FORBIDDEN;
		else
			return aq_ctx_error(ld->ctx, AQ_ERULE,
				"%s:%u: unknown status \"%.*s\" (expected preferred, deprecated or "
				"forbidden)", ld->path, (unsigned)ld->lineno,
				(int)(fl[2] > 40 ? 40 : fl[2]), f[2]);
	}
	return gloss_add(ld, f[0], fl[0], f[1], fl[1], status, n == 4 ? f[3] : "",
		n == 4 ? fl[3] : 0);
}

/* Each concept's representative entry: its first preferred one, else its first. */
static inline uint32_t en_first_index(const char *w, size_t n)
{
	return (uint32_t)(unsigned char)ascii_lower(w[0]) << 8 |
	       (n > 1 ? (unsigned char)ascii_lower(w[1]) : 0);
}

/* Sets en_first from the English table's keys (and prefixes). */
static void en_first_build(aq_lexicon *lex)
{
	const lex_table *t = &lex->en;

	memset(lex->en_first, 0, sizeof(lex->en_first));
	for (size_t i = 0; t->slots && i <= t->mask; i++) {
		const lex_slot *sl = &t->slots[i];
		const char *k = lex->arena + sl->off;
		size_t n = 0;

		if (!sl->len)
			continue;
		while (n < sl->len && k[n] != ' ')
			n++;
		if (n) {
			uint32_t x = en_first_index(k, n);

			lex->en_first[x >> 3] |= (uint8_t)(1u << (x & 7));
		}
	}
}

static int glossary_finish(lex_loader *ld)
{
	aq_lexicon *lex = ld->lex;

	if (!lex->n_concepts)
		return 0;
	lex->concept_entry = malloc(lex->n_concepts * sizeof(*lex->concept_entry));
	if (!lex->concept_entry)
		return AQ_ENOMEM;
	for (uint32_t c = 0; c < lex->n_concepts; c++)
		lex->concept_entry[c] = LEX_NONE;
	for (size_t i = 0; i < lex->n_entries; i++) {
		uint32_t c = lex->entries[i].concept, cur = lex->concept_entry[c];

		if (cur == LEX_NONE || (lex->entries[cur].status != AQ_TERM_PREFERRED &&
		    lex->entries[i].status == AQ_TERM_PREFERRED))
			lex->concept_entry[c] = (uint32_t)i;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Loading: format detection and the line loop                          */

static bool is_comment_or_blank(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && is_blank(s[i]))
		i++;
	return i == len || s[i] == '#';
}

/* A CC-CEDICT pinyin column: ASCII letters, digits, spaces, ",:'-·". */
static bool is_pinyin(const char *s, size_t len, bool *has_tone)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= '1' && c <= '5' && i > 0 && ((s[i - 1] | 0x20) >= 'a' && (s[i - 1] | 0x20) <= 'z'))
			*has_tone = true;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == ' ' || c == ',' || c == ':' || c == '\'' || c == '-')
			continue;
		if (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] == 0xB7) {
			i++;
			continue;
		}
		return false;
	}
	return true;
}

/*
 * Guesses the format from the first data lines: "a b [pin1] /gloss/" without
 * tabs is CC-CEDICT; four columns whose third is pinyin (a tone digit in at
 * least one of the first 20 lines) is the TSV; anything else a glossary.
 */
static aq_lexicon_format detect_format(const char *p, const char *e)
{
	int lines = 0;
	bool tsv = true, has_tone = false;

	while (p < e && lines < 20) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t len = (size_t)((nl ? nl : e) - p);
		const char *s = p;
		char *f[4];
		size_t fl[4];

		p = nl ? nl + 1 : e;
		if (len && s[len - 1] == '\r')
			len--;
		if (is_comment_or_blank(s, len))
			continue;
		if (!lines++ && !memchr(s, '\t', len) && memchr(s, '[', len) && memchr(s, '/', len))
			return AQ_LEX_CEDICT;
		/* split_tabs does not write to the line */
		if (split_tabs((char *)s, len, f, fl, 4) != 4 || !is_pinyin(f[2], fl[2], &has_tone))
			tsv = false;
	}
	return lines && tsv && has_tone ? AQ_LEX_CEDICT_TSV : AQ_LEX_GLOSSARY;
}

static int parse_lines(lex_loader *ld, char *p, char *e, aq_lexicon_format fmt)
{
	int rc = 0;

	while (p < e) {
		char *s = p, *nl = memchr(p, '\n', (size_t)(e - p));
		size_t len = (size_t)((nl ? nl : e) - s);

		p = nl ? nl + 1 : e;
		ld->lineno++;
		if (len && s[len - 1] == '\r')
			len--;
		s[len] = '\0';
		if (is_comment_or_blank(s, len))
			continue;
		if (fmt == AQ_LEX_CEDICT)
			rc = cedict_line(ld, s, len);
		else if (fmt == AQ_LEX_CEDICT_TSV)
			rc = cedict_tsv_line(ld, s, len);
		else
			rc = glossary_line(ld, s, len);
		if (rc)
			return rc;
	}
	return 0;
}

static size_t count_lines(const char *p, const char *e)
{
	size_t n = 1;

	while ((p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* Compiled lexicons: the loaded structures dumped to one file          */

/*
 * A compiled lexicon is the loaded lexicon written out as it is in memory,
 * so that loading it is a few reads instead of parsing and hashing (every
 * key is an arena offset; nothing holds a pointer).  The file is a fixed
 * header, then the sections in the order of lex_file_header.size[]: the
 * arena, the slots of the zh, vocab, stop and en tables (a power of two of
 * lex_slot each, or none), the gloss ids, the entries (five uint32 each:
 * en, zh, note, concept, status), concept_entry and the zh_first bitmap
 * (which may be left out: size 0 means every character may begin a key,
 * the same matches without the filter; small test files use that).
 * Integers are in the byte order of the machine that wrote the file; the
 * header says which, and a file of the other order is refused, not swapped.
 * The file is untrusted input: lex_check() proves every offset, index and
 * count a lookup follows before the lexicon is handed out.
 */

#define LEX_MAGIC "AQLEX\0"
#define LEX_MAGIC_LEN 6
#define LEX_FORMAT_VERSION 1
#define LEX_BYTE_ORDER 0x01020304u
#define LEX_ENTRY_WORDS 5       /* uint32 per entry in the file */

enum {
	LEXF_GLOSSARY = 1,      /* is_glossary */
	LEXF_ZH_FIRST_WIDE = 2, /* zh_first_wide */
};

enum {
	SEC_ARENA, SEC_ZH, SEC_VOCAB, SEC_STOP, SEC_EN, SEC_GLOSS, SEC_ENTRIES,
	SEC_CONCEPTS, SEC_ZH_FIRST, SEC_COUNT
};

typedef struct lex_file_header {
	char magic[LEX_MAGIC_LEN]; /* LEX_MAGIC */
	uint16_t version;          /* LEX_FORMAT_VERSION */
	uint32_t byte_order;       /* LEX_BYTE_ORDER as the writer stored it */
	uint32_t flags;            /* LEXF_* */
	uint64_t n_loaded;
	uint32_t n_vocab, n_concepts;
	uint32_t count[4];         /* slots in use: zh, vocab, stop, en */
	uint64_t size[SEC_COUNT];  /* bytes of each section, in file order */
} lex_file_header;

_Static_assert(sizeof(lex_slot) == 16, "lex_slot is written as it is in memory");
_Static_assert(sizeof(lex_file_header) == 120, "the header has no padding");

static lex_table *lex_file_table(aq_lexicon *lex, int sec)
{
	return sec == SEC_ZH ? &lex->zh : sec == SEC_VOCAB ? &lex->vocab :
		sec == SEC_STOP ? &lex->stop : &lex->en;
}

/* Buffered writes to the temporary file. */
typedef struct lex_writer {
	int fd;
	int err;       /* errno of the first failed write, 0 if none */
	size_t used;
	char buf[65536];
} lex_writer;

static void writer_flush(lex_writer *w)
{
	size_t at = 0;

	while (!w->err && at < w->used) {
		ssize_t r = write(w->fd, w->buf + at, w->used - at);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			w->err = errno;
		else
			at += (size_t)r;
	}
	w->used = 0;
}

static void writer_put(lex_writer *w, const void *p, size_t n)
{
	const char *s = p;

	while (n) {
		size_t k = sizeof(w->buf) - w->used;

		if (k > n)
			k = n;
		memcpy(w->buf + w->used, s, k);
		w->used += k;
		s += k;
		n -= k;
		if (w->used == sizeof(w->buf))
			writer_flush(w);
	}
}

static uint64_t table_bytes(const lex_table *t)
{
	return t->slots ? ((uint64_t)t->mask + 1) * sizeof(lex_slot) : 0;
}

int aq_lexicon_save(const aq_lexicon *lex, aq_ctx *ctx, const char *path)
{
	lex_file_header h;
	lex_writer *w = NULL;
	char *tmp = NULL;
	int rc = 0;

	if (!lex || !path)
		return aq_ctx_error(ctx, AQ_EINVAL, "aq_lexicon_save: no lexicon or path");
	tmp = malloc(strlen(path) + 5);
	w = malloc(sizeof(*w));
	if (!tmp || !w) {
		rc = aq_ctx_error(ctx, AQ_ENOMEM, "%s: out of memory", path);
		goto out;
	}
	strcpy(tmp, path);
	strcat(tmp, ".tmp");
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, LEX_MAGIC, LEX_MAGIC_LEN);
	h.version = LEX_FORMAT_VERSION;
	h.byte_order = LEX_BYTE_ORDER;
	h.flags = (lex->is_glossary ? LEXF_GLOSSARY : 0) |
		(lex->zh_first_wide ? LEXF_ZH_FIRST_WIDE : 0);
	h.n_loaded = lex->n_loaded;
	h.n_vocab = lex->n_vocab;
	h.n_concepts = lex->n_concepts;
	h.count[0] = lex->zh.count;
	h.count[1] = lex->vocab.count;
	h.count[2] = lex->stop.count;
	h.count[3] = lex->en.count;
	h.size[SEC_ARENA] = lex->arena_len;
	for (int sec = SEC_ZH; sec <= SEC_EN; sec++)
		h.size[sec] = table_bytes(lex_file_table((aq_lexicon *)lex, sec));
	h.size[SEC_GLOSS] = (uint64_t)lex->n_gloss * sizeof(uint32_t);
	h.size[SEC_ENTRIES] = (uint64_t)lex->n_entries * LEX_ENTRY_WORDS * sizeof(uint32_t);
	h.size[SEC_CONCEPTS] = (uint64_t)(lex->concept_entry ? lex->n_concepts : 0) *
		sizeof(uint32_t);
	h.size[SEC_ZH_FIRST] = sizeof(lex->zh_first);
	w->fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (w->fd < 0) {
		rc = aq_ctx_error(ctx, AQ_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	w->err = 0;
	w->used = 0;
	writer_put(w, &h, sizeof(h));
	writer_put(w, lex->arena, lex->arena_len);
	for (int sec = SEC_ZH; sec <= SEC_EN; sec++) {
		const lex_table *t = lex_file_table((aq_lexicon *)lex, sec);

		if (t->slots)
			writer_put(w, t->slots, (size_t)table_bytes(t));
	}
	if (lex->n_gloss)
		writer_put(w, lex->gloss, lex->n_gloss * sizeof(uint32_t));
	for (size_t i = 0; i < lex->n_entries; i++) {
		const lex_entry *e = &lex->entries[i];
		uint32_t v[LEX_ENTRY_WORDS] = { e->en, e->zh, e->note, e->concept, e->status };

		writer_put(w, v, sizeof(v));
	}
	if (h.size[SEC_CONCEPTS])
		writer_put(w, lex->concept_entry, (size_t)h.size[SEC_CONCEPTS]);
	writer_put(w, lex->zh_first, sizeof(lex->zh_first));
	writer_flush(w);
	if (!w->err && fsync(w->fd) < 0)
		w->err = errno;
	if (close(w->fd) < 0 && !w->err)
		w->err = errno;
	if (w->err) {
		rc = aq_ctx_error(ctx, AQ_EIO, "%s: %s", tmp, strerror(w->err));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		rc = aq_ctx_error(ctx, AQ_EIO, "%s: %s", path, strerror(errno));
		unlink(tmp);
	}
out:
	free(w);
	free(tmp);
	return rc;
}

/* Reads a compiled file from a descriptor (regular files) or from memory
 * (anything else, read whole by read_file). */
typedef struct lex_reader {
	int fd;              /* -1: read from mem */
	const char *mem;
	uint64_t size;       /* bytes in the file */
	uint64_t pos;
} lex_reader;

static int reader_get(lex_reader *r, void *dst, size_t n)
{
	char *d = dst;

	if (n > r->size - r->pos)
		return -1;
	if (r->fd < 0) {
		if (n)
			memcpy(d, r->mem + r->pos, n);
		r->pos += n;
		return 0;
	}
	while (n) {
		ssize_t k = read(r->fd, d, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		d += k;
		n -= (size_t)k;
		r->pos += (uint64_t)k;
	}
	return 0;
}

/* Reads one section into a fresh array (NULL when empty). */
static int reader_array(lex_reader *r, void **out, uint64_t bytes)
{
	*out = NULL;
	if (!bytes)
		return 0;
	if (bytes > SIZE_MAX)
		return AQ_ENOMEM;
	*out = malloc((size_t)bytes);
	if (!*out)
		return AQ_ENOMEM;
	return reader_get(r, *out, (size_t)bytes) ? AQ_EIO : 0;
}

enum { TAB_ZH_DICT, TAB_ZH_GLOSSARY, TAB_VOCAB, TAB_STOP, TAB_EN };

/* Checks one table: shape, every key inside the arena, every value a valid
 * index for what it points to.  Returns NULL or what is wrong. */
static const char *table_check(const lex_table *t, const aq_lexicon *lex, int kind)
{
	uint64_t cap = t->slots ? (uint64_t)t->mask + 1 : 0;
	uint32_t used = 0;

	if (!t->slots)
		return t->count ? "slots in use in an empty table" : NULL;
	for (uint64_t i = 0; i < cap; i++) {
		const lex_slot *s = &t->slots[i];

		if (!s->len)
			continue;
		used++;
		if (!s->flags || (s->flags & ~(SLOT_WORD | SLOT_PREFIX)))
			return "slot with bad flags";
		if ((uint64_t)s->off + s->len > lex->arena_len)
			return "slot key outside the string arena";
		switch (kind) {
		case TAB_ZH_DICT:
			if (s->n && (uint64_t)s->val + s->n > lex->n_gloss)
				return "headword gloss ids outside the gloss array";
			break;
		case TAB_ZH_GLOSSARY:
			if ((s->flags & SLOT_WORD) && s->val >= lex->n_entries)
				return "Chinese term of a missing entry";
			break;
		case TAB_VOCAB:
			if (s->val >= lex->n_vocab)
				return "vocabulary id out of range";
			break;
		case TAB_EN:
			if ((s->flags & SLOT_WORD) && s->val >= lex->n_concepts)
				return "English term of a missing concept";
			break;
		}
	}
	/* a probe ends at an empty slot: one must exist */
	if (used != t->count || used >= cap)
		return "slot count does not match the slots";
	return NULL;
}

/* Everything a lookup dereferences, checked once.  Returns NULL or what is
 * wrong (in buf when it names a table). */
static const char *lex_check(const aq_lexicon *lex, char *buf, size_t size)
{
	static const char *const names[] = { "zh", "vocab", "stop", "en" };
	const lex_table *tabs[] = { &lex->zh, &lex->vocab, &lex->stop, &lex->en };
	const char *why;

	if (lex->n_vocab != lex->vocab.count)
		return "vocabulary size does not match its table";
	if (lex->concept_entry == NULL && lex->n_concepts)
		return "concepts without their entries";
	for (int k = 0; k < 4; k++) {
		int kind = k == 0 ? (lex->is_glossary ? TAB_ZH_GLOSSARY : TAB_ZH_DICT) :
			k == 1 ? TAB_VOCAB : k == 2 ? TAB_STOP : TAB_EN;

		if ((why = table_check(tabs[k], lex, kind)) != NULL) {
			snprintf(buf, size, "%s table: %s", names[k], why);
			return buf;
		}
	}
	for (size_t i = 0; i < lex->n_gloss; i++)
		if (lex->gloss[i] >= lex->n_vocab)
			return "gloss id out of range";
	if (lex->n_entries && (!lex->arena_len || lex->arena[lex->arena_len - 1] != '\0'))
		return "string arena not NUL-terminated";
	for (size_t i = 0; i < lex->n_entries; i++) {
		const lex_entry *e = &lex->entries[i];

		if (e->en >= lex->arena_len || e->zh >= lex->arena_len || e->note >= lex->arena_len)
			return "entry string outside the string arena";
		if (e->concept >= lex->n_concepts)
			return "entry of a missing concept";
		if (e->status > AQ_TERM_FORBIDDEN)
			return "entry with an unknown status";
	}
	for (uint32_t c = 0; c < lex->n_concepts; c++)
		if (lex->concept_entry[c] >= lex->n_entries)
			return "concept of a missing entry";
	return NULL;
}

/* Sections: sizes that fit the file and the element sizes.  Overflow-safe:
 * each size is compared with what is left of the file before it is added. */
static const char *header_check(const lex_file_header *h, uint64_t file_size)
{
	uint64_t left = file_size - sizeof(*h);

	if (h->byte_order != LEX_BYTE_ORDER)
		return h->byte_order == 0x04030201u ? "written on a machine of the other byte order" :
			"bad byte order mark";
	if (h->flags & ~(uint32_t)(LEXF_GLOSSARY | LEXF_ZH_FIRST_WIDE))
		return "unknown flags";
	for (int s = 0; s < SEC_COUNT; s++) {
		if (h->size[s] > left)
			return "section sizes exceed the file";
		left -= h->size[s];
	}
	if (left)
		return "trailing bytes after the last section";
	if (h->size[SEC_ARENA] > UINT32_MAX)
		return "string arena too large";
	for (int s = SEC_ZH; s <= SEC_EN; s++) {
		uint64_t cap = h->size[s] / sizeof(lex_slot);

		if (h->size[s] % sizeof(lex_slot) || (cap & (cap - 1)) || cap > ((uint64_t)1 << 31))
			return "table size not a power of two of slots";
	}
	if (h->size[SEC_GLOSS] % sizeof(uint32_t))
		return "gloss section not a whole number of ids";
	if (h->size[SEC_ENTRIES] % (LEX_ENTRY_WORDS * sizeof(uint32_t)) ||
	    h->size[SEC_ENTRIES] / (LEX_ENTRY_WORDS * sizeof(uint32_t)) > UINT32_MAX)
		return "entry section not a whole number of entries";
	if (h->size[SEC_CONCEPTS] != (uint64_t)h->n_concepts * sizeof(uint32_t))
		return "concept section does not match the concept count";
	if (h->size[SEC_ZH_FIRST] != 0 && h->size[SEC_ZH_FIRST] != 0x10000 / 8)
		return "bad first-character bitmap size";
	return NULL;
}

/* Reads a compiled lexicon whose magic has been seen.  Errors: AQ_ERULE
 * (not a valid file), AQ_EIO (the file shrank), AQ_ENOMEM. */
static int compiled_read(aq_lexicon **out, aq_ctx *ctx, const char *path, lex_reader *r,
	aq_lexicon_format fmt)
{
	lex_file_header h;
	aq_lexicon *lex = NULL;
	uint32_t *ev = NULL;
	const char *why = NULL;
	char whybuf[128];
	int rc = 0;

	*out = NULL;
	if (r->size < sizeof(h) || reader_get(r, &h, sizeof(h))) {
		why = "truncated header";
		goto out;
	}
	if (memcmp(h.magic, LEX_MAGIC, LEX_MAGIC_LEN)) {
		why = "bad magic";
		goto out;
	}
	if (h.version != LEX_FORMAT_VERSION) {
		rc = aq_ctx_error(ctx, AQ_ERULE, "%s: not a valid compiled lexicon: format version "
			"%u (this build reads %d; compile it again)", path, (unsigned)h.version,
			LEX_FORMAT_VERSION);
		goto out;
	}
	if ((why = header_check(&h, r->size)) != NULL)
		goto out;
	if ((fmt == AQ_LEX_GLOSSARY && !(h.flags & LEXF_GLOSSARY)) ||
	    ((fmt == AQ_LEX_CEDICT || fmt == AQ_LEX_CEDICT_TSV) && (h.flags & LEXF_GLOSSARY))) {
		rc = aq_ctx_error(ctx, AQ_ERULE, "%s: a compiled %s, not a %s", path,
			fmt == AQ_LEX_GLOSSARY ? "dictionary" : "glossary",
			fmt == AQ_LEX_GLOSSARY ? "glossary" : "dictionary");
		goto out;
	}
	lex = calloc(1, sizeof(*lex));
	if (!lex) {
		rc = AQ_ENOMEM;
		goto out;
	}
	lex->is_glossary = (h.flags & LEXF_GLOSSARY) != 0;
	lex->zh_first_wide = (h.flags & LEXF_ZH_FIRST_WIDE) != 0;
	lex->n_loaded = (size_t)h.n_loaded;
	lex->n_vocab = h.n_vocab;
	lex->n_concepts = h.n_concepts;
	rc = reader_array(r, (void **)&lex->arena, h.size[SEC_ARENA]);
	lex->arena_len = lex->arena_cap = (size_t)h.size[SEC_ARENA];
	for (int s = SEC_ZH; !rc && s <= SEC_EN; s++) {
		lex_table *t = lex_file_table(lex, s);
		uint64_t cap = h.size[s] / sizeof(lex_slot);

		rc = reader_array(r, (void **)&t->slots, h.size[s]);
		t->mask = cap ? (uint32_t)(cap - 1) : 0;
		t->count = h.count[s - SEC_ZH];
	}
	if (!rc)
		rc = reader_array(r, (void **)&lex->gloss, h.size[SEC_GLOSS]);
	lex->n_gloss = (size_t)(h.size[SEC_GLOSS] / sizeof(uint32_t));
	if (!rc)
		rc = reader_array(r, (void **)&ev, h.size[SEC_ENTRIES]);
	if (!rc && ev) {
		size_t n = (size_t)(h.size[SEC_ENTRIES] / (LEX_ENTRY_WORDS * sizeof(uint32_t)));

		lex->entries = malloc(n * sizeof(*lex->entries));
		if (!lex->entries) {
			rc = AQ_ENOMEM;
		} else {
			for (size_t i = 0; i < n; i++) {
				const uint32_t *v = ev + i * LEX_ENTRY_WORDS;
				lex_entry *e = &lex->entries[i];

				e->en = v[0];
				e->zh = v[1];
				e->note = v[2];
				e->concept = v[3];
				e->status = v[4] > UINT8_MAX ? UINT8_MAX : (uint8_t)v[4];
			}
			lex->n_entries = lex->cap_entries = n;
		}
	}
	if (!rc)
		rc = reader_array(r, (void **)&lex->concept_entry, h.size[SEC_CONCEPTS]);
	if (!h.size[SEC_ZH_FIRST])
		memset(lex->zh_first, 0xFF, sizeof(lex->zh_first));
	else if (!rc && reader_get(r, lex->zh_first, sizeof(lex->zh_first)))
		rc = AQ_EIO;
	if (rc == AQ_EIO) {
		rc = aq_ctx_error(ctx, AQ_EIO, "%s: read failed or the file changed while read",
			path);
		goto out;
	}
	if (rc)
		goto out;
	if ((why = lex_check(lex, whybuf, sizeof(whybuf))) != NULL)
		goto out;
	if (lex->is_glossary)
		en_first_build(lex);
	*out = lex;
	lex = NULL;
out:
	if (why)
		rc = aq_ctx_error(ctx, AQ_ERULE, "%s: not a valid compiled lexicon: %s", path, why);
	else if (rc == AQ_ENOMEM)
		aq_ctx_error(ctx, AQ_ENOMEM, "%s: out of memory", path);
	free(ev);
	aq_lexicon_free(lex);
	return rc;
}

static bool is_compiled(const char *buf, size_t len)
{
	return len >= LEX_MAGIC_LEN && !memcmp(buf, LEX_MAGIC, LEX_MAGIC_LEN);
}

/* A regular file that starts with the magic is read as a compiled lexicon
 * straight into its arrays.  Returns 1 when the file is not one (or is not
 * a regular file: the caller reads it whole and looks again), else 0 or an
 * error. */
static int compiled_load_file(aq_lexicon **out, aq_ctx *ctx, const char *path,
	aq_lexicon_format fmt)
{
	struct stat st;
	char magic[LEX_MAGIC_LEN];
	lex_reader r;
	ssize_t k;
	int fd, rc = 1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = aq_ctx_error(ctx, AQ_EIO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode))
		goto out;
	do
		k = pread(fd, magic, sizeof(magic), 0);
	while (k < 0 && errno == EINTR);
	if (k != (ssize_t)sizeof(magic) || !is_compiled(magic, sizeof(magic))) {
		if (fmt == AQ_LEX_COMPILED)
			rc = aq_ctx_error(ctx, AQ_ERULE, "%s: not a valid compiled lexicon: bad magic",
				path);
		goto out;
	}
	if ((uint64_t)st.st_size >= LEX_FILE_MAX) {
		rc = aq_ctx_error(ctx, AQ_ELIMIT, "%s: file too large (limit %zu bytes)", path,
			LEX_FILE_MAX);
		goto out;
	}
	r.fd = fd;
	r.mem = NULL;
	r.size = (uint64_t)st.st_size;
	r.pos = 0;
	rc = compiled_read(out, ctx, path, &r, fmt);
out:
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Reads one text file into ld (whose tables are sized already); fmt is the
 * format asked for, *kind the format the first file turned out to be, which
 * every further file must share (a dictionary is not merged with a
 * glossary). */
static int load_text(lex_loader *ld, const char *path, aq_lexicon_format fmt,
	aq_lexicon_format *kind, char *buf, size_t len)
{
	char *p = buf, *e = buf + len;
	int rc;

	ld->path = path;
	ld->lineno = 0;
	ld->seen_data = false;
	ld->bab_ncol = 0;
	if ((rc = check_bytes(ld, buf, len)) != 0)
		return rc;
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	if (fmt == AQ_LEX_AUTO)
		fmt = detect_format(p, e);
	if (*kind != AQ_LEX_AUTO && (fmt == AQ_LEX_GLOSSARY) != (*kind == AQ_LEX_GLOSSARY))
		return aq_ctx_error(ld->ctx, AQ_ERULE, "%s: a %s cannot be merged with the %s "
			"before it", path, fmt == AQ_LEX_GLOSSARY ? "glossary" : "dictionary",
			*kind == AQ_LEX_GLOSSARY ? "glossary" : "dictionary");
	*kind = fmt;
	return parse_lines(ld, p, e, fmt);
}

int aq_lexicon_load(aq_lexicon **out, aq_ctx *ctx, const char *path, aq_lexicon_format fmt)
{
	return aq_lexicon_load_files(out, ctx, &path, 1, fmt);
}

int aq_lexicon_load_files(aq_lexicon **out, aq_ctx *ctx, const char *const *paths, size_t n,
	aq_lexicon_format fmt)
{
	lex_loader ld;
	aq_lexicon *lex = NULL;
	aq_lexicon_format kind = AQ_LEX_AUTO;
	char **bufs = NULL;
	size_t *lens = NULL, lines = 0, bytes = 0;
	const char *path = n ? paths[0] : NULL;
	int rc;

	*out = NULL;
	memset(&ld, 0, sizeof(ld));
	if (!paths || !n || fmt < AQ_LEX_AUTO || fmt > AQ_LEX_COMPILED) {
		rc = aq_ctx_error(ctx, AQ_EINVAL, "aq_lexicon_load: bad path or format");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!paths[i]) {
			rc = aq_ctx_error(ctx, AQ_EINVAL, "aq_lexicon_load: bad path or format");
			goto out;
		}
	}
	if (n == 1) {
		rc = compiled_load_file(out, ctx, path, fmt);
		if (rc != 1)
			goto out;
	}
	bufs = calloc(n, sizeof(*bufs));
	lens = calloc(n, sizeof(*lens));
	if (!bufs || !lens) {
		rc = AQ_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		path = paths[i];
		if ((rc = read_file(&bufs[i], &lens[i], ctx, path)) != 0)
			goto out;
		if (is_compiled(bufs[i], lens[i]) || fmt == AQ_LEX_COMPILED) {
			lex_reader r = { -1, bufs[i], lens[i], 0 };

			if (n == 1) {
				rc = compiled_read(out, ctx, path, &r, fmt);
				goto out;
			}
			rc = aq_ctx_error(ctx, AQ_ERULE, "%s: a compiled lexicon cannot be merged "
				"with other files (compile them together instead)", path);
			goto out;
		}
		lines += count_lines(bufs[i], bufs[i] + lens[i]);
		bytes += lens[i];
	}
	lex = calloc(1, sizeof(*lex));
	if (!lex) {
		rc = AQ_ENOMEM;
		goto out;
	}
	ld.lex = lex;
	ld.ctx = ctx;
	if (fmt == AQ_LEX_AUTO) {
		char *b = bufs[0], *e = b + lens[0];

		if (lens[0] >= 3 && !memcmp(b, "\xEF\xBB\xBF", 3))
			b += 3;
		lex->is_glossary = detect_format(b, e) == AQ_LEX_GLOSSARY;
	} else {
		lex->is_glossary = fmt == AQ_LEX_GLOSSARY;
	}
	/* Size the tables once; a CC-CEDICT line gives about three keys. */
	if (!lex->is_glossary) {
		if (table_reserve(&lex->zh, lines * 2) || table_reserve(&lex->vocab, 4096) ||
		    LEX_GROW(lex->arena, lex->arena_cap, lines * 20 + 1024) ||
		    stop_words_load(lex) ||
		    LEX_GROW(ld.ids.v, ld.ids.cap, lines * 4 + 16) ||
		    LEX_GROW(ld.chunks, ld.cap_chunks, lines * 2 + 16) ||
		    LEX_GROW(ld.words, ld.cap_words, lines * 2 + 16)) {
			rc = AQ_ENOMEM;
			goto out;
		}
	} else if (LEX_GROW(lex->arena, lex->arena_cap, bytes + 1024)) {
		rc = AQ_ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		path = paths[i];
		rc = load_text(&ld, path, fmt, &kind, bufs[i], lens[i]);
		free(bufs[i]);
		bufs[i] = NULL;
		if (rc)
			goto out;
	}
	rc = lex->is_glossary ? glossary_finish(&ld) : dict_finish(&ld);
	if (rc)
		goto out;
	if (lex->is_glossary)
		en_first_build(lex);
	*out = lex;
	lex = NULL;
out:
	if (rc == AQ_ENOMEM)
		aq_ctx_error(ctx, AQ_ENOMEM, "%s: out of memory", path ? path : "lexicon");
	aq_u32vec_dispose(&ld.ids);
	free(ld.chunks);
	free(ld.words);
	for (size_t i = 0; bufs && i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(lens);
	aq_lexicon_free(lex);
	return rc;
}

void aq_lexicon_free(aq_lexicon *lex)
{
	if (!lex)
		return;
	free(lex->arena);
	table_dispose(&lex->zh);
	table_dispose(&lex->vocab);
	table_dispose(&lex->stop);
	table_dispose(&lex->en);
	free(lex->gloss);
	free(lex->entries);
	free(lex->concept_entry);
	free(lex);
}

size_t aq_lexicon_size(const aq_lexicon *lex)
{
	return lex ? lex->n_loaded : 0;
}

bool aq_lexicon_is_glossary(const aq_lexicon *lex)
{
	return lex && lex->is_glossary;
}

/* 64-bit words at a time: a digest of megabytes in about a millisecond.
 * Not for adversaries, only to notice that a lexicon changed. */
static uint64_t digest_mix(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t w;

	for (; n >= 8; n -= 8, s += 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	w = n;
	memcpy(&w, s, n);
	h = (h ^ w ^ ((uint64_t)n << 56)) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

static uint64_t digest_table(uint64_t h, const lex_table *t)
{
	return t->slots ? digest_mix(h, t->slots, ((size_t)t->mask + 1) * sizeof(lex_slot)) : h;
}

void aq_lexicon_digest(const aq_lexicon *lex, char out[17])
{
	uint64_t h = 0x6c6578696373ULL;

	if (lex) {
		h = digest_mix(h, &lex->is_glossary, 1);
		h = digest_mix(h, lex->arena, lex->arena_len);
		h = digest_mix(h, lex->gloss, lex->n_gloss * sizeof(*lex->gloss));
		for (size_t i = 0; i < lex->n_entries; i++) {
			const lex_entry *e = &lex->entries[i];
			uint32_t f[5] = { e->en, e->zh, e->note, e->concept, e->status };

			h = digest_mix(h, f, sizeof(f));
		}
		h = digest_table(h, &lex->zh);
		h = digest_table(h, &lex->vocab);
		h = digest_table(h, &lex->en);
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* ------------------------------------------------------------------ */
/* Dictionary matching                                                  */

uint32_t aq_lexicon_vocab_size(const aq_lexicon *lex)
{
	return lex ? lex->n_vocab : 0;
}

const uint32_t *aq_lexicon_gloss_ids(const aq_lexicon *lex)
{
	return lex ? lex->gloss : NULL;
}

/* Appends id unless this call appended it already.  seen is an on-stack
 * open-addressing set; once it is three-quarters full the rest of the call
 * falls back to scanning what the call appended. */
static int push_unique(aq_u32vec *out, size_t start, uint32_t *seen, size_t *n_seen, uint32_t id)
{
	if (*n_seen < LEX_SEEN * 3 / 4) {
		uint32_t i = (id * 2654435761u) >> 24;

		for (;; i = (i + 1) & (LEX_SEEN - 1)) {
			if (seen[i] == id)
				return 0;
			if (seen[i] == LEX_NONE)
				break;
		}
		seen[i] = id;
		(*n_seen)++;
	} else {
		for (size_t j = start; j < out->n; j++)
			if (out->v[j] == id)
				return 0;
	}
	return aq_u32vec_push(out, id);
}

/* next_word() with its common case, an ASCII word between ASCII
 * characters, read inline; anything else is left to next_word(). */
static inline bool next_word_fast(const char *s, size_t lo, size_t end, size_t *pos,
	size_t *t_off, size_t *t_end)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = *pos, k;

	for (;;) {
		while (i < end && u[i] < 0x80 && !((u[i] | 0x20) >= 'a' && (u[i] | 0x20) <= 'z') &&
		       !(u[i] >= '0' && u[i] <= '9'))
			i++;
		if (i < end && u[i] < 0x80) {
			for (k = i + 1; k < end && u[k] < 0x80; k++)
				if (!((u[k] | 0x20) >= 'a' && (u[k] | 0x20) <= 'z') &&
				    !(u[k] >= '0' && u[k] <= '9'))
					break;
			if (k >= end || u[k] < 0x80) {
				if (is_possessive_s(s, lo, i, k)) {
					i = k;
					continue;
				}
				*t_off = i;
				*t_end = *pos = k;
				return true;
			}
		}
		*pos = i;
		return next_word(s, lo, end, pos, t_off, t_end);
	}
}

int aq_lexicon_en_words(aq_u32vec *out, const aq_lexicon *lex, const char *text,
	uint32_t off, uint32_t end)
{
	uint32_t seen[LEX_SEEN];
	size_t n_seen = 0, start = out->n, pos = off, t_off, t_end;
	char w[LEX_WORD_MAX + 1];

	if (!lex || !lex->vocab.count || off >= end)
		return 0;
	memset(seen, 0xFF, sizeof(seen));
	while (next_word_fast(text, off, end, &pos, &t_off, &t_end)) {
		size_t n = dict_word_key(lex, w, text + t_off, t_end - t_off);
		const lex_slot *s;

		if (!n)
			continue;
		s = table_find(&lex->vocab, lex->arena, lex_hash(w, n), w, n);
		if (s && push_unique(out, start, seen, &n_seen, s->val))
			return AQ_ENOMEM;
	}
	return 0;
}

static int lexhits_push(aq_lexhits *h, uint32_t off, uint32_t end, uint32_t first, uint32_t n)
{
	aq_lexhit *x;

	if (h->n == h->cap && LEX_GROW(h->v, h->cap, h->n + 1))
		return AQ_ENOMEM;
	x = &h->v[h->n++];
	x->off = off;
	x->end = end;
	x->first = first;
	x->n = n;
	return 0;
}

/* aq_cp_is_han() with the unified ideographs, nearly every Han character
 * of a text, tested inline. */
static inline bool cp_is_han(int32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3000 && aq_cp_is_han(cp));
}

/* The longest key of the zh table at text[at..end): walks one character at
 * a time while the text is a key or a key's prefix.  Han only when han. */
static const lex_slot *zh_longest(const aq_lexicon *lex, const char *text, size_t at,
	size_t end, bool han, size_t *m_end)
{
	const lex_slot *best = NULL;
	uint64_t h = LEX_FNV_INIT;
	size_t k = at;
	unsigned char c0 = (unsigned char)text[at];

	/* the first character begins no key: most positions end here */
	if (at < end && c0 >= 0xE0 && c0 < 0xF0 && at + 2 < end) {
		uint32_t cp = (uint32_t)(c0 & 0x0F) << 12 | (uint32_t)(text[at + 1] & 0x3F) << 6 |
			(uint32_t)(text[at + 2] & 0x3F);

		if (!(lex->zh_first[cp >> 3] >> (cp & 7) & 1))
			return NULL;
	}
	while (k < end) {
		size_t nk = k;
		int32_t cp = aq_utf8_next_inline(text, end, &nk);
		const lex_slot *s;

		if (cp < 0 || (han && !cp_is_han(cp)))
			break;
		h = lex_hash_step(h, text + k, nk - k);
		if (nk - at > UINT16_MAX)
			break;
		s = table_find(&lex->zh, lex->arena, lex_hash_fin(h), text + at, nk - at);
		if (!s)
			break;
		if (s->flags & SLOT_WORD) {
			best = s;
			*m_end = nk;
		}
		if (!(s->flags & SLOT_PREFIX))
			break;
		k = nk;
	}
	return best;
}

/* Where the white space run at s[i..end) ends when the run is to be
 * dropped from a Chinese view, else 0: a run with a character before it
 * (prev) and after it, one of the two non-ASCII.  Line breaks of PDF text
 * split words and terms: "代谢综 合征", "结 果", "logistic 回归". */
static size_t squeezed_gap(const char *s, size_t end, size_t i, int32_t prev)
{
	size_t j = i, k;
	int32_t cp;

	if (prev < 0)
		return 0;
	for (;;) {
		k = j;
		if (k >= end || !aq_cp_is_space(cp = aq_utf8_next_inline(s, end, &k)))
			break;
		j = k;
	}
	return j > i && j < end && cp >= 0 && (cp >= 0x80 || prev >= 0x80) ? j : 0;
}

static inline unsigned short t2s(int32_t cp)
{
	return cp >= HAN_LO && cp <= HAN_HI ? aq_han_t2s[cp - HAN_LO] : 0;
}

int aq_zh_squeeze(aq_buf *out, uint32_t **map, size_t *map_cap, const char *text, uint32_t off,
	uint32_t end, bool fold)
{
	int32_t prev = -1;
	size_t i = off;

	aq_buf_clear(out);
	if (aq_array_grow((void **)map, map_cap, (size_t)(end - off) + 1, sizeof(uint32_t)))
		return AQ_ENOMEM;
	while (i < end) {
		size_t at = i, gap;
		int32_t cp = aq_utf8_next_inline(text, end, &i);
		unsigned short to;

		if (cp >= 0 && aq_cp_is_space(cp) && (gap = squeezed_gap(text, end, at, prev))) {
			i = gap;
			continue;
		}
		for (size_t k = at; k < i; k++)
			(*map)[out->len + (k - at)] = (uint32_t)k;
		aq_buf_put(out, text + at, i - at);
		if (fold && (to = t2s(cp)) && !out->oom)
			aq_utf8_encode(out->ptr + out->len - 3, to); /* three bytes, as cp */
		prev = cp;
	}
	aq_buf_puts(out, "");
	(*map)[out->len] = end;
	return out->oom ? AQ_ENOMEM : 0;
}

/* Does aq_zh_squeeze() (folding) change text[off..end)?  Mostly not: then
 * the dictionary matches the text as it is, with no copy. */
static bool squeeze_changes(const char *text, uint32_t off, uint32_t end)
{
	int32_t prev = -1;

	for (size_t i = off; i < end;) {
		size_t at = i;
		int32_t cp = aq_utf8_next_inline(text, end, &i);

		if (t2s(cp) || (cp >= 0 && aq_cp_is_space(cp) && squeezed_gap(text, end, at, prev)))
			return true;
		prev = cp;
	}
	return false;
}

int aq_lexicon_zh_words(aq_lexhits *out, const aq_lexicon *lex, const char *text,
	uint32_t off, uint32_t end)
{
	size_t n = end > off ? end - off : 0, i = 0;
	aq_buf view;
	uint32_t *map = NULL;
	size_t map_cap = 0;
	const char *t = text + off;
	int rc = 0;

	if (!lex || lex->is_glossary || !lex->zh.count || !n)
		return 0;
	/* Traditional text meets the dictionary's Simplified headwords, and
	 * words split by a line break are found whole */
	aq_buf_init(&view);
	if (squeeze_changes(text, off, end)) {
		if (aq_zh_squeeze(&view, &map, &map_cap, text, off, end, true) == 0) {
			t = view.ptr;
			n = view.len;
		} else {
			free(map); /* no memory: matched as it is */
			map = NULL;
		}
	}
	while (i < n) {
		size_t at = i, m_end = 0;
		const lex_slot *s;
		uint32_t h_off, h_end;

		if (!cp_is_han(aq_utf8_next_inline(t, n, &i)))
			continue;
		s = zh_longest(lex, t, at, n, true, &m_end);
		if (!s)
			continue;
		h_off = map ? map[at] : (uint32_t)(off + at);
		h_end = map ? map[m_end - 1] + 1 : (uint32_t)(off + m_end);
		if (s->n && lexhits_push(out, h_off, h_end, s->val, s->n)) {
			rc = AQ_ENOMEM;
			break;
		}
		i = m_end;
	}
	aq_buf_dispose(&view);
	free(map);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Glossary matching                                                    */

static int termhits_push(aq_termhits *h, const aq_lexicon *lex, size_t off, size_t end,
	uint32_t concept, uint32_t entry)
{
	aq_termhit *x;

	if (h->n == h->cap && LEX_GROW(h->v, h->cap, h->n + 1))
		return AQ_ENOMEM;
	x = &h->v[h->n++];
	x->off = (uint32_t)off;
	x->end = (uint32_t)end;
	x->concept = concept;
	x->entry = entry;
	x->status = lex->entries[entry].status;
	return 0;
}

/* English: from each word, extend the phrase word by word (each stemmed)
 * while it is a key or a key's prefix; keep the longest key. */
static int find_terms_en(aq_termhits *out, const aq_lexicon *lex, const char *text,
	size_t off, size_t end)
{
	char phrase[LEX_TERM_MAX + 1];
	size_t pos = off, t_off, t_end;

	while (next_word_fast(text, off, end, &pos, &t_off, &t_end)) {
		const lex_slot *best = NULL;
		size_t plen = 0, w_off = t_off, w_end = t_end, best_end = 0, scan;
		uint64_t h = LEX_FNV_INIT;
		uint32_t x = en_first_index(text + t_off, t_end - t_off);

		if (!(lex->en_first[x >> 3] >> (x & 7) & 1))
			continue; /* begins no term */

		for (;;) {
			size_t wl = w_end - w_off, sl;
			const lex_slot *s;

			if (wl > LEX_WORD_MAX || plen + 1 + wl > LEX_TERM_MAX)
				break;
			if (plen) {
				phrase[plen] = ' ';
				h = lex_hash_step(h, phrase + plen, 1);
				plen++;
			}
			sl = aq_en_stem(phrase + plen, text + w_off, wl);
			h = lex_hash_step(h, phrase + plen, sl);
			plen += sl;
			s = table_find(&lex->en, lex->arena, lex_hash_fin(h), phrase, plen);
			if (!s)
				break;
			if (s->flags & SLOT_WORD) {
				best = s;
				best_end = w_end;
			}
			if (!(s->flags & SLOT_PREFIX))
				break;
			scan = w_end;
			if (!next_term_word(text, off, end, &scan, &w_off, &w_end))
				break;
		}
		if (!best)
			continue;
		if (termhits_push(out, lex, t_off, best_end, best->val,
			lex->concept_entry[best->val]))
			return AQ_ENOMEM;
		pos = best_end;
	}
	return 0;
}

/* Chinese: at each character, the longest term that starts there. */
static int find_terms_zh(aq_termhits *out, const aq_lexicon *lex, const char *text,
	size_t off, size_t end)
{
	size_t i = off;

	while (i < end) {
		size_t at = i, m_end = 0;
		const lex_slot *s = zh_longest(lex, text, at, end, false, &m_end);

		if (!s) {
			aq_utf8_next_inline(text, end, &i);
			continue;
		}
		if (termhits_push(out, lex, at, m_end, lex->entries[s->val].concept, s->val))
			return AQ_ENOMEM;
		i = m_end;
	}
	return 0;
}

int aq_lexicon_find_terms(aq_termhits *out, const aq_lexicon *lex, aq_lang lang,
	const char *text, uint32_t off, uint32_t end)
{
	if (!lex || !lex->is_glossary || !lex->n_entries || off >= end)
		return 0;
	if (lang == AQ_LANG_EN)
		return find_terms_en(out, lex, text, off, end);
	if (lang == AQ_LANG_ZH)
		return find_terms_zh(out, lex, text, off, end);
	return AQ_EINVAL;
}

size_t aq_lexicon_entries(const aq_lexicon *lex)
{
	return lex && lex->is_glossary ? lex->n_entries : 0;
}

int aq_lexicon_entry(const aq_lexicon *lex, size_t idx, const char **en, const char **zh,
	aq_term_status *status, const char **note)
{
	const lex_entry *e;

	if (!lex || idx >= aq_lexicon_entries(lex))
		return AQ_EINVAL;
	e = &lex->entries[idx];
	if (en)
		*en = lex->arena + e->en;
	if (zh)
		*zh = lex->arena + e->zh;
	if (status)
		*status = (aq_term_status)e->status;
	if (note)
		*note = lex->arena + e->note;
	return 0;
}
