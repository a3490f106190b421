/*
 * align.c - the sentence aligner: a dynamic programme over beads (0-1, 1-0
 * and every m-n with 1 <= m, n <= max_bead) inside a band around the
 * diagonal that widens when the best path touches its edge.  A bead's cost
 * adds the prior of its shape, a Gale-Church length cost and the evidence of
 * shared anchors and dictionary words as log-likelihood ratios.  Finding
 * anchors is anchor.c's and lexicon.c's job; this file only scores them.
 */
#include "alignqa.h"
#include "lexicon.h"
#include "util_int.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAXB AQ_ALIGN_MAX_BEAD
#define MASK_BITS 64          /* anchors / words per sentence that are scored */
#define INF_COST 1e30f
#define MAX_SENTENCES 2000000 /* per side: beyond this AQ_ELIMIT */
#define MAX_CELLS (size_t)30000000 /* the band never grows past this (~270 MB) */

/* Length units: an English code point is one unit; a Han character counts
 * as HAN_UNITS, other Chinese-side code points as one.  On the WMT18 Medline
 * abstracts (456 line pairs) English has 4.40 characters per Han character
 * and the Chinese side 0.32 other characters per Han character, so 4.1
 * makes the two sides' lengths equal on average (ratio 1.0). */
#define HAN_UNITS 4.1
#define DEFAULT_RATIO 1.0

/* The probability that a shared token is seen in a true translation pair. */
#define P1_STRONG 0.90
#define P1_WEAK 0.60
#define P1_DICT 0.45

/* Cost of a 1-0 or 0-1 bead beyond its prior. */
#define NULL_COST 3.0
/* Extra cost per sentence beyond three in one bead. */
#define WIDE_COST 2.0
/* Scale of the cost of an anchor that the other side lacks: translators
 * move numbers and acronyms across sentence boundaries often enough that the
 * full log-likelihood overstates a miss. */
#define MISS_SCALE 0.5
/* Relative margin by which the DP's lexical lower bound must exceed the
 * second best cost before it skips a bead: far above the rounding error of
 * summing a bead's terms (at most 2 MAXB MASK_BITS of them) in two orders. */
#define PRUNE_SLACK 1e-9

/* -log erfc(x) for x in [0, TAIL_MAX), tabulated once: the DP asks for it
 * for every bead it tries, and erfc + log were a fifth of its time. */
#define TAIL_STEPS 64 /* table entries per unit of x */
#define TAIL_MAX 6
static float tail_table[TAIL_MAX * TAIL_STEPS + 2];
static pthread_once_t tail_once = PTHREAD_ONCE_INIT;

static void tail_init(void)
{
	for (int k = 0; k < TAIL_MAX * TAIL_STEPS + 2; k++)
		tail_table[k] = (float)-log(erfc((double)k / TAIL_STEPS));
}

void aq_beads_init(aq_beads *b)
{
	memset(b, 0, sizeof(*b));
}

void aq_beads_dispose(aq_beads *b)
{
	free(b->v);
	memset(b, 0, sizeof(*b));
}

static int beads_push(aq_beads *b, const aq_bead *bead)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		aq_bead *v = realloc(b->v, cap * sizeof(*v));
		if (!v)
			return AQ_ENOMEM;
		b->v = v;
		b->cap = cap;
	}
	b->v[b->n++] = *bead;
	return 0;
}

void aq_align_opts_default(aq_align_opts *opts)
{
	opts->zh_per_en = 0;   /* per record */
	opts->len_var = 6.8;
	opts->w_len = 1.0;
	opts->w_anchor = 1.0;
	opts->w_dict = 0.7;   /* a sentence has many dictionary words: see README */
	opts->max_bead = 4;
	opts->band = 24;
}

/* Per-sentence data, rebuilt for every record. */
typedef struct sent {
	float len;          /* length in units (see HAN_UNITS) */
	uint32_t anc_first; /* into aligner.anc_ids / anc_p1 */
	uint32_t anc_n;     /* anchors scored (<= MASK_BITS) */
	uint32_t lex_first; /* en: into en_words; zh: into zh_hits */
	uint32_t lex_n;     /* dictionary words scored (<= MASK_BITS) */
	uint32_t bnd_first; /* into aligner.anc_bound: anc_n + 1 rows */
} sent;

/* What one sentence of a bead matches on the other side of the bead (the OR
 * of its pairs' evidence), and the lower bound of its lexical cost. */
typedef struct sidem {
	uint64_t anc;  /* its anchors matched */
	uint64_t dict; /* its dictionary words matched */
	double bound;  /* lower bound of its anchors' and words' cost */
} sidem;

/* The OR of the pair evidence over a bead, per sentence of each side: what
 * the bead's lexical cost depends on. */
typedef struct beadm {
	uint64_t ae[MAXB], de[MAXB]; /* per English sentence of the bead */
	uint64_t az[MAXB], dz[MAXB]; /* per Chinese sentence of the bead */
} beadm;

/* The evidence one sentence pair shares: bit k of ae is set when the k-th
 * anchor of the English sentence occurs in the Chinese one, and so on. */
typedef struct pairm {
	uint64_t ae, az; /* anchors matched: English side, Chinese side */
	uint64_t de, dz; /* dictionary words matched */
} pairm;

/* A key of the record-local anchor table. */
typedef struct keyslot {
	uint64_t key;     /* anchor key, 0 = empty slot */
	uint32_t cnt_en;  /* English sentences that hold it */
	uint32_t cnt_zh;  /* Chinese sentences that hold it */
	uint32_t last_en; /* last sentence counted (+1), to count each once */
	uint32_t last_zh;
	uint8_t strong;   /* some occurrence is not weak */
} keyslot;

struct aq_aligner {
	aq_ctx *ctx;
	aq_align_opts opts;
	const aq_lexicon *dict;
	const aq_lexicon *glossary;

	/* scratch, reused across records */
	aq_anchors anchors;     /* every sentence's, en then zh (aq_aligner_evidence) */
	aq_numbers numbers;     /* every sentence's numbers, en then zh */
	uint32_t *num_sent;     /* sentence -> its first number (n_sents + 1) */
	size_t num_sent_cap;
	uint32_t *anc_sent;     /* sentence -> first of its anchors; [n] = end */
	size_t anc_sent_cap;
	uint16_t *dict_words;   /* per sentence (en then zh), with a dictionary */
	uint16_t *dict_matched;
	uint32_t *near_first;   /* per English sentence (aq_align_evidence) */
	uint8_t *near_n;
	uint8_t *near_en, *near_zh; /* AQ_ALIGN_NEAR per English sentence */
	size_t near_cap;        /* English sentences the four have room for */
	uint32_t *en_zh_end;    /* per English sentence: bead_split() */
	uint32_t *en_zh_gap;
	size_t dict_words_cap, dict_matched_cap, en_zh_end_cap, en_zh_gap_cap;
	aq_align_evidence ev;   /* what aq_aligner_evidence() gives; n_sents 0:
	                         * nothing (before or after a failed align) */
	sent *en, *zh;
	size_t sent_cap;
	keyslot *keys;
	size_t keys_cap; /* slots allocated */
	size_t keys_n;   /* slots in use for this record (power of two) */
	uint32_t *anc_slot;  /* per scored anchor: its keyslot index */
	size_t anc_cap, anc_n;
	/* per scored anchor and per width w of the other side of the bead
	 * (1..MAXB): cost when matched, cost when not matched */
	float (*anc_cost)[2][MAXB + 1];
	/* per sentence, per number n of its anchors matched (0..anc_n) and per
	 * width w of the other side: a lower bound of the anchors' cost, the
	 * misses of all plus the n most negative match-minus-miss differences */
	double (*anc_bound)[MAXB + 1];
	size_t anc_bound_cap;
	double slack_scale; /* bounds the size of a bead's lexical terms */
	aq_u32vec en_words;
	aq_lexhits zh_hits;
	uint32_t *stamp;     /* per dictionary vocabulary id */
	uint32_t stamp_n, stamp_gen;
	/* Records of at most 64 sentences a side (most): for every scored
	 * anchor and dictionary word, the sentences of the other side that
	 * share it, so that a pair's evidence is a few shifts
	 * (prepare_pair_masks, pair_evidence). */
	bool masks;
	uint64_t *am;        /* per scored anchor (as anc_slot) */
	size_t am_cap;
	uint64_t *wm;        /* per English dictionary word (as en_words) */
	size_t wm_cap;
	uint64_t *hm;        /* per Chinese dictionary word (as zh_hits) */
	size_t hm_cap;
	uint64_t *slot_mask; /* per keyslot: English, then Chinese sentences */
	size_t slot_mask_cap;
	uint64_t *voc_en, *voc_zh; /* per vocabulary id, zero between records */
	uint8_t *zh_end_word;  /* per Chinese sentence: ends_in_word() */
	size_t zh_end_word_cap;
	double dict_cost[2][2][MAXB + 1]; /* [side][matched][width] */

	/* the band */
	uint32_t *lo, *hi;   /* per DP row: first and last column in the band */
	size_t *row_off;     /* per DP row: offset of its first cell */
	size_t rows_cap;
	float *cost;         /* per cell: best cost to reach it */
	float *second;       /* per cell: best cost by another last bead */
	uint8_t *back;       /* per cell: last bead, (a << 4) | b */
	size_t cells_cap;
	pairm *ring[MAXB];   /* pair evidence of the last MAXB English sentences */
	uint32_t ring_lo[MAXB], ring_hi[MAXB];
	size_t ring_cap;
	/* per ring row, per first Chinese sentence j0 (from ring_lo) and width
	 * b: the English sentence's side of the beads it can be in, built once
	 * per row instead of once per bead: [(j0 - ring_lo) * MAXB + b - 1] */
	sidem *eside[MAXB];
	/* per Chinese sentence y (from zside_lo) and width a: its side of the
	 * beads that end at the current DP row: [(y - zside_lo) * MAXB + a - 1] */
	sidem *zside;
	uint32_t zside_lo;
	double *pre_en, *pre_zh; /* prefix sums of lengths */
	/* prefix sums over sentences of the lowest lexical cost a sentence can
	 * add to a bead whose other side has w sentences (every token matched):
	 * a lower bound that lets the DP skip beads that cannot win */
	double *lb_en[MAXB + 1], *lb_zh[MAXB + 1];
	size_t lb_cap;
	double prior[MAXB + 1][MAXB + 1]; /* -log P(bead shape) */
	double ratio;        /* zh units per en unit in this record */
};

static void set_priors(aq_aligner *al)
{
	/* Bead shape probabilities: 1-1 dominates; merges and splits are common
	 * in EN-ZH translation; null beads are rare. */
	static const double p[MAXB + 1][MAXB + 1] = {
		{ 0, 0.006, 0, 0, 0 },
		{ 0.006, 0.86, 0.045, 0.006, 0.0015 },
		{ 0, 0.045, 0.012, 0.003, 0.0008 },
		{ 0, 0.006, 0.003, 0.0015, 0.0004 },
		{ 0, 0.0015, 0.0008, 0.0004, 0.0002 },
	};
	/* Beads of more than three sentences pay WIDE_COST per extra sentence:
	 * without it, evidence that straddles a sentence boundary pulls
	 * neighbouring 1-1 beads into one wide bead (measured on WMT18: strict
	 * F1 0.937 without, 0.976 with). */
	for (int a = 0; a <= MAXB; a++)
		for (int b = 0; b <= MAXB; b++)
			al->prior[a][b] = p[a][b] > 0 ?
				-log(p[a][b]) + (a + b > 3 ? WIDE_COST * (a + b - 3) : 0) : INF_COST;
}

int aq_aligner_new(aq_aligner **out, aq_ctx *ctx, const aq_align_opts *opts,
	const aq_lexicon *dict, const aq_lexicon *glossary)
{
	aq_aligner *al = calloc(1, sizeof(*al));

	*out = NULL;
	if (!al)
		return aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
	pthread_once(&tail_once, tail_init);
	al->ctx = ctx;
	if (opts)
		al->opts = *opts;
	else
		aq_align_opts_default(&al->opts);
	if (al->opts.max_bead < 1 || al->opts.max_bead > MAXB || al->opts.band < 1 ||
	    al->opts.len_var <= 0 || al->opts.zh_per_en < 0) {
		free(al);
		return aq_ctx_error(ctx, AQ_EINVAL, "invalid alignment options");
	}
	al->dict = dict;
	al->glossary = glossary;
	aq_anchors_init(&al->anchors);
	aq_numbers_init(&al->numbers);
	aq_u32vec_init(&al->en_words);
	aq_lexhits_init(&al->zh_hits);
	set_priors(al);
	/* an anchor term is at most -log(1e-3) < 7 in size, a dictionary one
	 * below 4 (see prepare_anchors and prepare_dict_costs) */
	al->slack_scale = 2.0 * MAXB * MASK_BITS *
		(7 * fabs(al->opts.w_anchor) + 4 * fabs(al->opts.w_dict));
	if (dict) {
		al->stamp_n = aq_lexicon_vocab_size(dict);
		al->stamp = calloc(al->stamp_n ? al->stamp_n : 1, sizeof(uint32_t));
		al->voc_en = calloc(al->stamp_n ? al->stamp_n : 1, sizeof(uint64_t));
		al->voc_zh = calloc(al->stamp_n ? al->stamp_n : 1, sizeof(uint64_t));
		if (!al->stamp || !al->voc_en || !al->voc_zh) {
			aq_aligner_free(al);
			return aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
		}
	}
	*out = al;
	return 0;
}

void aq_aligner_free(aq_aligner *al)
{
	if (!al)
		return;
	aq_anchors_dispose(&al->anchors);
	aq_numbers_dispose(&al->numbers);
	free(al->num_sent);
	free(al->anc_sent);
	free(al->dict_words);
	free(al->dict_matched);
	free(al->near_first);
	free(al->near_n);
	free(al->near_en);
	free(al->near_zh);
	free(al->en_zh_end);
	free(al->en_zh_gap);
	aq_u32vec_dispose(&al->en_words);
	aq_lexhits_dispose(&al->zh_hits);
	free(al->en);
	free(al->zh);
	free(al->keys);
	free(al->anc_slot);
	free(al->anc_cost);
	free(al->anc_bound);
	free(al->stamp);
	free(al->voc_en);
	free(al->voc_zh);
	free(al->am);
	free(al->wm);
	free(al->hm);
	free(al->slot_mask);
	free(al->zh_end_word);
	free(al->lo);
	free(al->hi);
	free(al->row_off);
	free(al->cost);
	free(al->second);
	free(al->back);
	for (int k = 0; k < MAXB; k++) {
		free(al->ring[k]);
		free(al->eside[k]);
	}
	free(al->zside);
	free(al->pre_en);
	free(al->pre_zh);
	for (int w = 0; w <= MAXB; w++) {
		free(al->lb_en[w]);
		free(al->lb_zh[w]);
	}
	free(al);
}

/* Bits set in v: __builtin_popcountll is a libgcc call on baseline x86-64. */
static inline int popcount64(uint64_t v)
{
	v -= (v >> 1) & 0x5555555555555555ULL;
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0F0F0F0F0F0F0F0FULL;
	return (int)((v * 0x0101010101010101ULL) >> 56);
}

/* ---- lengths --------------------------------------------------------- */

/* Code points in s[off, end): the bytes that are not continuation bytes
 * (10xxxxxx), eight at a time. */
static size_t count_cp(const char *s, size_t off, size_t end)
{
	size_t n = end - off;

	for (; off + 8 <= end; off += 8) {
		uint64_t w;
		memcpy(&w, s + off, 8);
		n -= (size_t)popcount64(w & ~(w << 1) & 0x8080808080808080ULL);
	}
	for (; off < end; off++)
		n -= ((unsigned char)s[off] & 0xC0) == 0x80;
	return n;
}

static float text_units(const char *s, aq_span sp, bool zh)
{
	const unsigned char *b = (const unsigned char *)s;
	size_t i = sp.off;
	double u = 0;

	if (!zh)
		return (float)count_cp(s, sp.off, sp.end);
	while (i < sp.end) {
		int32_t cp;

		if (b[i] < 0x80) {
			u += 1.0;
			i++;
			continue;
		}
		/* a well-formed three-byte sequence (most of Chinese text)
		 * decoded here, anything else by aq_utf8_next() */
		if (b[i] >= 0xE0 && b[i] <= 0xEF && sp.end - i > 2 && (b[i + 1] & 0xC0) == 0x80 &&
		    (b[i + 2] & 0xC0) == 0x80) {
			cp = (b[i] & 0x0F) << 12 | (b[i + 1] & 0x3F) << 6 | (b[i + 2] & 0x3F);
			if (cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF)) {
				u += aq_cp_is_han(cp) ? HAN_UNITS : 1.0;
				i += 3;
				continue;
			}
		}
		cp = aq_utf8_next_inline(s, sp.end, &i);
		u += aq_cp_is_han(cp) ? HAN_UNITS : 1.0;
	}
	return (float)u;
}

/* -log of the two-sided tail of the standard normal at |d|. */
static double neg_log_tail(double d)
{
	double x = fabs(d) / M_SQRT2, at;
	int k;

	if (x < TAIL_MAX) {
		at = x * TAIL_STEPS;
		k = (int)at;
		return tail_table[k] + (at - k) * (tail_table[k + 1] - tail_table[k]);
	}
	/* erfc(x) ~ exp(-x^2) / (x sqrt(pi)) */
	return x * x + log(x * 1.7724538509055159);
}

/* Gale-Church: how unlikely zh length lz is as a translation of en length le. */
static double len_cost(const aq_aligner *al, double le, double lz)
{
	double mean, d;

	if (le <= 0 && lz <= 0)
		return 0;
	mean = (le + lz / al->ratio) / 2;
	d = (lz - al->ratio * le) / sqrt(al->opts.len_var * (mean > 1 ? mean : 1));
	return neg_log_tail(d);
}

/* ---- anchors ---------------------------------------------------------- */

static keyslot *key_find(aq_aligner *al, uint64_t key)
{
	size_t mask = al->keys_n - 1, i;

	if (key == 0)
		key = 1;
	for (i = (size_t)key & mask;; i = (i + 1) & mask) {
		if (al->keys[i].key == key || al->keys[i].key == 0) {
			al->keys[i].key = key;
			return &al->keys[i];
		}
	}
}

/* Finds the anchors of every sentence, keeps those whose key occurs on both
 * sides of the record, and precomputes their match and miss costs. */
static int prepare_anchors(aq_aligner *al, const char *en, const aq_span *en_s, size_t en_n,
	const char *zh, const aq_span *zh_s, size_t zh_n)
{
	size_t total = 0, need, k;
	aq_anchors *an = &al->anchors;
	/* first pass: count keys per side; anchors are found once per sentence
	 * and kept in two flat runs (en then zh) */
	uint32_t *first;
	int rc = 0;

	if (aq_array_grow((void **)&al->anc_sent, &al->anc_sent_cap, en_n + zh_n + 1,
		    sizeof(uint32_t)) ||
	    aq_array_grow((void **)&al->num_sent, &al->num_sent_cap, en_n + zh_n + 1,
		    sizeof(uint32_t)))
		return AQ_ENOMEM;
	first = al->anc_sent;
	an->n = 0;
	al->numbers.n = 0;
	for (size_t s = 0; s < en_n + zh_n; s++) {
		bool is_zh = s >= en_n;
		const aq_span sp = is_zh ? zh_s[s - en_n] : en_s[s];
		first[s] = (uint32_t)an->n;
		al->num_sent[s] = (uint32_t)al->numbers.n;
		rc = aq_anchors_find_numbers(an, &al->numbers, is_zh ? AQ_LANG_ZH : AQ_LANG_EN,
			is_zh ? zh : en, sp.off, sp.end, al->glossary);
		if (rc)
			goto out;
	}
	first[en_n + zh_n] = (uint32_t)an->n;
	al->num_sent[en_n + zh_n] = (uint32_t)al->numbers.n;
	total = an->n;

	need = 16;
	while (need < total * 2 + 2)
		need *= 2;
	if (need > al->keys_cap) {
		free(al->keys);
		al->keys = malloc(need * sizeof(keyslot));
		if (!al->keys) {
			al->keys_cap = 0;
			rc = AQ_ENOMEM;
			goto out;
		}
		al->keys_cap = need;
	}
	/* size the table to this record, not to the largest seen so far */
	al->keys_n = need;
	memset(al->keys, 0, need * sizeof(keyslot));
	for (size_t s = 0; s < en_n + zh_n; s++) {
		bool is_zh = s >= en_n;
		for (k = first[s]; k < first[s + 1]; k++) {
			keyslot *ks = key_find(al, an->v[k].key);
			if (is_zh && ks->last_zh != s + 1) {
				ks->last_zh = (uint32_t)s + 1;
				ks->cnt_zh++;
			} else if (!is_zh && ks->last_en != s + 1) {
				ks->last_en = (uint32_t)s + 1;
				ks->cnt_en++;
			}
			if (!an->v[k].weak)
				ks->strong = 1;
		}
	}

	if (aq_array_grow((void **)&al->anc_slot, &al->anc_cap, total + 1, sizeof(uint32_t))) {
		rc = AQ_ENOMEM;
		goto out;
	}
	{
		void *p = realloc(al->anc_cost, (al->anc_cap) * sizeof(*al->anc_cost));
		if (!p) {
			rc = AQ_ENOMEM;
			goto out;
		}
		al->anc_cost = p;
	}
	al->anc_n = 0;
	for (size_t s = 0; s < en_n + zh_n; s++) {
		bool is_zh = s >= en_n;
		sent *st = is_zh ? &al->zh[s - en_n] : &al->en[s];
		double other_n = is_zh ? (double)en_n : (double)zh_n;
		st->anc_first = (uint32_t)al->anc_n;
		st->anc_n = 0;
		for (k = first[s]; k < first[s + 1] && st->anc_n < MASK_BITS; k++) {
			keyslot *ks = key_find(al, an->v[k].key);
			uint32_t slot = (uint32_t)(ks - al->keys);
			double p0, p1, q;
			bool dup = false;

			/* A weak token found on one side only says nothing; a number or
			 * acronym found on one side only says that its sentence is
			 * better left unpaired than paired (its miss costs only there). */
			if ((!ks->cnt_en || !ks->cnt_zh) && !ks->strong)
				continue;
			for (uint32_t d = 0; d < st->anc_n; d++)
				if (al->anc_slot[st->anc_first + d] == slot)
					dup = true;
			if (dup)
				continue;
			/* chance that a random sentence of the other side holds it */
			p0 = (is_zh ? ks->cnt_en : ks->cnt_zh) / (other_n > 0 ? other_n : 1);
			p1 = ks->strong ? P1_STRONG : P1_WEAK;
			double none = 1; /* chance that none of w random sentences holds it */
			for (int w = 1; w <= MAXB; w++) {
				double pw;
				none *= 1 - p0;
				pw = 1 - none; /* random hit among w */
				if (pw > 0.999)
					pw = 0.999;
				if (pw < 1e-3)
					pw = 1e-3;
				q = -log(p1 / pw);
				al->anc_cost[al->anc_n][1][w] = (float)(q < 0 ? q : 0);
				q = -log((1 - p1) / (1 - pw)) * MISS_SCALE;
				al->anc_cost[al->anc_n][0][w] = (float)(q > 0 ? (q < 4 ? q : 4) : 0);
			}
			al->anc_slot[al->anc_n++] = slot;
			st->anc_n++;
		}
	}
out:
	return rc;
}

/* Fills anc_bound (see struct aq_aligner): with n of a sentence's anchors
 * matched, its anchor cost is at least the cost of missing all of them plus
 * the n most negative differences (match cost - miss cost). */
static int prepare_anchor_bounds(aq_aligner *al, size_t en_n, size_t zh_n)
{
	size_t need = al->anc_n + en_n + zh_n;
	double w_anchor = al->opts.w_anchor;

	if (need > al->anc_bound_cap) {
		void *p = realloc(al->anc_bound, need * sizeof(*al->anc_bound));
		if (!p)
			return AQ_ENOMEM;
		al->anc_bound = p;
		al->anc_bound_cap = need;
	}
	for (size_t s = 0; s < en_n + zh_n; s++) {
		sent *st = s >= en_n ? &al->zh[s - en_n] : &al->en[s];
		double (*row)[MAXB + 1] = al->anc_bound + st->anc_first + s;

		st->bnd_first = st->anc_first + (uint32_t)s;
		for (int w = 1; w <= MAXB; w++) {
			double diff[MASK_BITS], miss = 0;
			uint32_t n = st->anc_n;

			for (uint32_t k = 0; k < n; k++) {
				double d = w_anchor * al->anc_cost[st->anc_first + k][1][w] -
					   w_anchor * al->anc_cost[st->anc_first + k][0][w];
				uint32_t at = k;

				miss += w_anchor * al->anc_cost[st->anc_first + k][0][w];
				while (at > 0 && diff[at - 1] > d) { /* insertion sort */
					diff[at] = diff[at - 1];
					at--;
				}
				diff[at] = d;
			}
			row[0][w] = miss;
			for (uint32_t k = 0; k < n; k++)
				row[k + 1][w] = row[k][w] + (diff[k] < 0 ? diff[k] : 0);
		}
	}
	return 0;
}

const aq_align_evidence *aq_aligner_evidence(const aq_aligner *al)
{
	return al->ev.n_sents ? &al->ev : NULL;
}

/* ---- dictionary ------------------------------------------------------- */

/* Does the sentence end on Han text whose last character closes a
 * dictionary word (the last of hits)?  1 yes, 0 no, 2 when it ends on
 * something else (digits, Latin, a bracket's content) or has no Han
 * text.  A sentence cut short mid-phrase mostly ends on a word's first
 * character: "精准医学为人类攻。". */
static uint8_t ends_in_word(const char *zh, aq_span sp, const aq_lexhit *hits, size_t n)
{
	uint32_t e = sp.end;

	while (e > sp.off) {
		size_t k = e;
		int32_t cp = aq_utf8_prev(zh, &k);

		if (cp >= 0x3400 && cp <= 0x9FFF)
			break;
		/* only sentence-final marks and spaces may follow it */
		if (!(cp == 0x3002 || cp == 0xFF01 || cp == 0xFF1F || cp == 0xFF1B ||
		      cp == 0xFF0E || cp == '.' || cp == '!' || cp == '?' || cp == ';' ||
		      cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000))
			return 2;
		e = (uint32_t)k;
	}
	if (e <= sp.off)
		return 2;
	return n && hits[n - 1].end == e;
}

static int prepare_dict(aq_aligner *al, const char *en, const aq_span *en_s, size_t en_n,
	const char *zh, const aq_span *zh_s, size_t zh_n)
{
	int rc;

	al->en_words.n = 0;
	al->zh_hits.n = 0;
	for (size_t i = 0; i < en_n; i++) {
		size_t before = al->en_words.n;
		rc = aq_lexicon_en_words(&al->en_words, al->dict, en, en_s[i].off, en_s[i].end);
		if (rc)
			return rc;
		al->en[i].lex_first = (uint32_t)before;
		al->en[i].lex_n = (uint32_t)(al->en_words.n - before);
		if (al->en[i].lex_n > MASK_BITS)
			al->en[i].lex_n = MASK_BITS;
	}
	if (aq_array_grow((void **)&al->zh_end_word, &al->zh_end_word_cap, zh_n + 1, 1))
		return AQ_ENOMEM;
	for (size_t j = 0; j < zh_n; j++) {
		size_t before = al->zh_hits.n;
		rc = aq_lexicon_zh_words(&al->zh_hits, al->dict, zh, zh_s[j].off, zh_s[j].end);
		if (rc)
			return rc;
		al->zh_end_word[j] = ends_in_word(zh, zh_s[j], al->zh_hits.v + before,
			al->zh_hits.n - before);
		al->zh[j].lex_first = (uint32_t)before;
		al->zh[j].lex_n = (uint32_t)(al->zh_hits.n - before);
		if (al->zh[j].lex_n > MASK_BITS)
			al->zh[j].lex_n = MASK_BITS;
	}
	return 0;
}

/* Two stamps newer than every stamp in the table: the returned one and the
 * one after it (the table is cleared before stamp_gen wraps). */
static uint32_t next_stamps(aq_aligner *al)
{
	if (al->stamp_gen >= UINT32_MAX - 2) {
		memset(al->stamp, 0, al->stamp_n * sizeof(uint32_t));
		al->stamp_gen = 0;
	}
	al->stamp_gen += 2;
	return al->stamp_gen - 1;
}

/* Fills the masks of a record of at most 64 sentences a side (al->masks):
 * am[k] has bit j set when scored anchor k (of an English sentence) is among
 * Chinese sentence j's, and bit i for a Chinese one and English sentence i;
 * wm and hm the same for the dictionary words (an English word, a Chinese
 * word one of whose glosses the other sentence holds).  0 or AQ_ENOMEM. */
static int prepare_pair_masks(aq_aligner *al, size_t en_n, size_t zh_n)
{
	uint64_t *sen, *szh;

	al->masks = false;
	if (en_n > 64 || zh_n > 64)
		return 0;
	if (aq_array_grow((void **)&al->slot_mask, &al->slot_mask_cap, 2 * al->keys_n + 2,
		    sizeof(uint64_t)) ||
	    aq_array_grow((void **)&al->am, &al->am_cap, al->anc_n + 1, sizeof(uint64_t)))
		return AQ_ENOMEM;
	sen = al->slot_mask;
	szh = al->slot_mask + al->keys_n;
	memset(al->slot_mask, 0, 2 * al->keys_n * sizeof(uint64_t));
	for (size_t i = 0; i < en_n; i++)
		for (uint32_t x = 0; x < al->en[i].anc_n; x++)
			sen[al->anc_slot[al->en[i].anc_first + x]] |= 1ULL << i;
	for (size_t j = 0; j < zh_n; j++)
		for (uint32_t y = 0; y < al->zh[j].anc_n; y++)
			szh[al->anc_slot[al->zh[j].anc_first + y]] |= 1ULL << j;
	for (size_t i = 0; i < en_n; i++)
		for (uint32_t x = 0; x < al->en[i].anc_n; x++)
			al->am[al->en[i].anc_first + x] = szh[al->anc_slot[al->en[i].anc_first + x]];
	for (size_t j = 0; j < zh_n; j++)
		for (uint32_t y = 0; y < al->zh[j].anc_n; y++)
			al->am[al->zh[j].anc_first + y] = sen[al->anc_slot[al->zh[j].anc_first + y]];
	if (al->dict) {
		const uint32_t *gloss = aq_lexicon_gloss_ids(al->dict);
		const uint32_t *words = al->en_words.v;
		const aq_lexhit *hits = al->zh_hits.v;

		if (aq_array_grow((void **)&al->wm, &al->wm_cap, al->en_words.n + 1,
			    sizeof(uint64_t)) ||
		    aq_array_grow((void **)&al->hm, &al->hm_cap, al->zh_hits.n + 1, sizeof(uint64_t)))
			return AQ_ENOMEM;
		for (size_t i = 0; i < en_n; i++)
			for (uint32_t x = 0; x < al->en[i].lex_n; x++)
				al->voc_en[words[al->en[i].lex_first + x]] |= 1ULL << i;
		for (size_t j = 0; j < zh_n; j++)
			for (uint32_t y = 0; y < al->zh[j].lex_n; y++) {
				const aq_lexhit *h = &hits[al->zh[j].lex_first + y];

				for (uint32_t g = 0; g < h->n; g++)
					al->voc_zh[gloss[h->first + g]] |= 1ULL << j;
			}
		for (size_t i = 0; i < en_n; i++)
			for (uint32_t x = 0; x < al->en[i].lex_n; x++)
				al->wm[al->en[i].lex_first + x] =
					al->voc_zh[words[al->en[i].lex_first + x]];
		for (size_t j = 0; j < zh_n; j++)
			for (uint32_t y = 0; y < al->zh[j].lex_n; y++) {
				const aq_lexhit *h = &hits[al->zh[j].lex_first + y];
				uint64_t m = 0;

				for (uint32_t g = 0; g < h->n; g++)
					m |= al->voc_en[gloss[h->first + g]];
				al->hm[al->zh[j].lex_first + y] = m;
			}
		/* back to zero for the next record */
		for (size_t i = 0; i < en_n; i++)
			for (uint32_t x = 0; x < al->en[i].lex_n; x++)
				al->voc_en[words[al->en[i].lex_first + x]] = 0;
		for (size_t j = 0; j < zh_n; j++)
			for (uint32_t y = 0; y < al->zh[j].lex_n; y++) {
				const aq_lexhit *h = &hits[al->zh[j].lex_first + y];

				for (uint32_t g = 0; g < h->n; g++)
					al->voc_zh[gloss[h->first + g]] = 0;
			}
	}
	al->masks = true;
	return 0;
}

/* The evidence of English sentence i and Chinese sentence j. */
static void pair_evidence(aq_aligner *al, pairm *pm, size_t i, size_t j)
{
	const sent *e = &al->en[i], *z = &al->zh[j];
	const uint32_t *ea = al->anc_slot + e->anc_first, *za = al->anc_slot + z->anc_first;

	memset(pm, 0, sizeof(*pm));
	if (al->masks) {
		const uint64_t *ma = al->am + e->anc_first, *mz = al->am + z->anc_first;

		for (uint32_t x = 0; x < e->anc_n; x++)
			pm->ae |= (ma[x] >> j & 1) << x;
		for (uint32_t y = 0; y < z->anc_n; y++)
			pm->az |= (mz[y] >> i & 1) << y;
		if (al->dict && e->lex_n && z->lex_n) {
			const uint64_t *mw = al->wm + e->lex_first, *mh = al->hm + z->lex_first;

			for (uint32_t x = 0; x < e->lex_n; x++)
				pm->de |= (mw[x] >> j & 1) << x;
			for (uint32_t y = 0; y < z->lex_n; y++)
				pm->dz |= (mh[y] >> i & 1) << y;
		}
		return;
	}
	for (uint32_t x = 0; x < e->anc_n; x++)
		for (uint32_t y = 0; y < z->anc_n; y++)
			if (ea[x] == za[y]) {
				pm->ae |= 1ULL << x;
				pm->az |= 1ULL << y;
			}
	if (al->dict && e->lex_n && z->lex_n) {
		const uint32_t *words = al->en_words.v + e->lex_first;
		const aq_lexhit *hits = al->zh_hits.v + z->lex_first;
		const uint32_t *gloss = aq_lexicon_gloss_ids(al->dict);
		/* one pass over the glosses: an English word is stamped gen, and
		 * matched once some gloss of a Chinese word equals it */
		uint32_t gen = next_stamps(al), matched = gen + 1;

		for (uint32_t x = 0; x < e->lex_n; x++)
			al->stamp[words[x]] = gen;
		for (uint32_t y = 0; y < z->lex_n; y++) {
			for (uint32_t g = 0; g < hits[y].n; g++) {
				uint32_t *st = &al->stamp[gloss[hits[y].first + g]];
				if (*st == gen || *st == matched) {
					*st = matched;
					pm->dz |= 1ULL << y;
				}
			}
		}
		for (uint32_t x = 0; x < e->lex_n; x++)
			if (al->stamp[words[x]] == matched)
				pm->de |= 1ULL << x;
	}
}

/* Sets the dictionary match/miss costs from the share of words that match
 * in sentence pairs near the diagonal that are not the diagonal itself: an
 * estimate of how often a word matches by chance in this record. */
static void prepare_dict_costs(aq_aligner *al, size_t en_n, size_t zh_n)
{
	double hit[2] = { 0, 0 }, tot[2] = { 0, 0 };
	pairm pm;

	if (!al->dict)
		return;
	for (size_t i = 0; i < en_n; i++) {
		/* sample pairs off the diagonal by a few sentences */
		size_t c = zh_n ? (size_t)((double)i * zh_n / en_n) : 0;
		for (int off = -6; off <= 6; off += 3) {
			long jj = (long)c + off;
			if (off == 0 || jj < 0 || (size_t)jj >= zh_n)
				continue;
			pair_evidence(al, &pm, i, (size_t)jj);
			hit[0] += __builtin_popcountll(pm.de);
			tot[0] += al->en[i].lex_n;
			hit[1] += __builtin_popcountll(pm.dz);
			tot[1] += al->zh[jj].lex_n;
		}
	}
	for (int side = 0; side < 2; side++) {
		double p0 = tot[side] > 20 ? hit[side] / tot[side] : 0.1;
		if (p0 < 0.02)
			p0 = 0.02;
		if (p0 > P1_DICT * 0.8)
			p0 = P1_DICT * 0.8;
		for (int w = 1; w <= MAXB; w++) {
			double pw = 1 - pow(1 - p0, w), q;
			if (pw > P1_DICT * 0.95)
				pw = P1_DICT * 0.95;
			q = -log(P1_DICT / pw);
			al->dict_cost[side][1][w] = q < 0 ? q : 0;
			q = -log((1 - P1_DICT) / (1 - pw));
			al->dict_cost[side][0][w] = q > 0 ? q : 0;
		}
	}
}

/* Fills lb_en / lb_zh (see struct aq_aligner). */
static int prepare_bounds(aq_aligner *al, size_t en_n, size_t zh_n)
{
	size_t need = (en_n > zh_n ? en_n : zh_n) + 1;

	if (need > al->lb_cap) {
		for (int w = 1; w <= MAXB; w++) {
			double *e = realloc(al->lb_en[w], need * sizeof(double));
			double *z = e ? realloc(al->lb_zh[w], need * sizeof(double)) : NULL;
			if (e)
				al->lb_en[w] = e;
			if (!z)
				return AQ_ENOMEM;
			al->lb_zh[w] = z;
		}
		al->lb_cap = need;
	}
	for (int w = 1; w <= MAXB; w++) {
		for (int side = 0; side < 2; side++) {
			const sent *st = side ? al->zh : al->en;
			double *lb = side ? al->lb_zh[w] : al->lb_en[w], sum = 0;
			size_t n = side ? zh_n : en_n;

			lb[0] = 0;
			for (size_t i = 0; i < n; i++) {
				double c = 0;
				for (uint32_t k = 0; k < st[i].anc_n; k++)
					c += al->anc_cost[st[i].anc_first + k][1][w];
				c *= al->opts.w_anchor;
				if (al->dict)
					c += al->opts.w_dict * st[i].lex_n * al->dict_cost[side][1][w];
				sum += c;
				lb[i + 1] = sum;
			}
		}
	}
	return 0;
}

/* ---- the band --------------------------------------------------------- */

static uint32_t band_center(size_t i, size_t en_n, size_t zh_n)
{
	if (en_n == 0)
		return (uint32_t)zh_n;
	return (uint32_t)(((double)i * zh_n) / en_n + 0.5);
}

static int setup_band(aq_aligner *al, size_t en_n, size_t zh_n, size_t w, size_t *cells)
{
	size_t total = 0;

	if (aq_array_grow((void **)&al->lo, &al->rows_cap, en_n + 1, sizeof(uint32_t)))
		return AQ_ENOMEM;
	{
		/* lo, hi and row_off share rows_cap: grow the other two alike */
		void *p = realloc(al->hi, al->rows_cap * sizeof(uint32_t));
		if (!p)
			return AQ_ENOMEM;
		al->hi = p;
		p = realloc(al->row_off, al->rows_cap * sizeof(size_t));
		if (!p)
			return AQ_ENOMEM;
		al->row_off = p;
	}
	for (size_t i = 0; i <= en_n; i++) {
		long c = band_center(i, en_n, zh_n);
		long lo = c - (long)w, hi = c + (long)w;
		al->lo[i] = (uint32_t)(lo < 0 ? 0 : lo);
		al->hi[i] = (uint32_t)(hi > (long)zh_n ? (long)zh_n : hi);
		al->row_off[i] = total;
		total += al->hi[i] - al->lo[i] + 1;
	}
	*cells = total;
	return 0;
}

/* The ring holds MAXB rows whatever max_bead is: s % MAXB is a mask, where
 * s % max_bead was a division on every lookup. */
static const pairm *ring_get(const aq_aligner *al, size_t s, size_t j)
{
	size_t r = s % MAXB;
	return &al->ring[r][j - al->ring_lo[r]];
}

/* Dictionary cost of one sentence with hits of its lex_n words matched;
 * side 0 English, 1 Chinese; w: sentences on the other side. */
static inline double dict_term(const aq_aligner *al, int side, uint32_t lex_n, int hits, int w)
{
	return al->opts.w_dict * (hits * al->dict_cost[side][1][w] +
		(lex_n - hits) * al->dict_cost[side][0][w]);
}

/* One sentence's side of a bead whose other side has w sentences. */
static void side_set(sidem *sd, const aq_aligner *al, const sent *st, int side, uint64_t anc,
	uint64_t dict, int w)
{
	sd->anc = anc;
	sd->dict = dict;
	sd->bound = al->anc_bound[st->bnd_first + popcount64(anc)][w];
	if (al->dict && st->lex_n)
		sd->bound += dict_term(al, side, st->lex_n, popcount64(dict), w);
}

/* Computes the pair evidence of English sentence s against the Chinese
 * sentences any bead of the band can pair it with. */
static int fill_ring(aq_aligner *al, size_t s, size_t en_n, size_t zh_n, int maxb)
{
	size_t r = s % MAXB;
	size_t last = s + (size_t)maxb < en_n ? s + (size_t)maxb : en_n;
	uint32_t lo = al->lo[s + 1] > (uint32_t)maxb ? al->lo[s + 1] - (uint32_t)maxb : 0;
	uint32_t hi = al->hi[last];

	if (zh_n == 0)
		return 0;
	if (hi > zh_n)
		hi = (uint32_t)zh_n;
	if (hi == 0)
		hi = 1;
	al->ring_lo[r] = lo;
	al->ring_hi[r] = hi; /* exclusive */
	if (hi - lo > al->ring_cap || al->ring_cap < MAXB) {
		size_t cap = (hi - lo) * 2 > 2 * MAXB ? (size_t)(hi - lo) * 2 : 2 * MAXB;
		for (int k = 0; k < MAXB; k++) {
			pairm *p = realloc(al->ring[k], cap * sizeof(pairm));
			sidem *e;
			if (!p)
				return AQ_ENOMEM;
			al->ring[k] = p;
			e = realloc(al->eside[k], cap * MAXB * sizeof(sidem));
			if (!e)
				return AQ_ENOMEM;
			al->eside[k] = e;
		}
		{
			sidem *z = realloc(al->zside, cap * MAXB * sizeof(sidem));
			if (!z)
				return AQ_ENOMEM;
			al->zside = z;
		}
		al->ring_cap = cap;
	}
	for (uint32_t j = lo; j < hi; j++)
		pair_evidence(al, &al->ring[r][j - lo], s, j);
	/* the English side of every bead [j0, j0 + b) of this row */
	for (uint32_t j0 = lo; j0 < hi; j0++) {
		uint64_t anc = 0, dict = 0;
		for (int b = 1; b <= maxb && j0 + (uint32_t)b <= hi; b++) {
			const pairm *pm = &al->ring[r][j0 + (uint32_t)b - 1 - lo];
			anc |= pm->ae;
			dict |= pm->de;
			side_set(&al->eside[r][(j0 - lo) * MAXB + (size_t)b - 1], al, &al->en[s], 0,
				anc, dict, b);
		}
	}
	return 0;
}

/* The Chinese side of every bead that ends at DP row i (i >= 1), from the
 * ring rows i - a .. i - 1. */
static void fill_zside(aq_aligner *al, size_t i, size_t zh_n, int maxb)
{
	uint32_t lo = al->lo[i] > (uint32_t)maxb ? al->lo[i] - (uint32_t)maxb : 0;
	uint32_t hi = al->hi[i] < zh_n ? al->hi[i] : (uint32_t)zh_n;
	int max_a = i < (size_t)maxb ? (int)i : maxb;

	al->zside_lo = lo;
	for (uint32_t y = lo; y < hi; y++) {
		uint64_t anc = 0, dict = 0;
		for (int a = 1; a <= max_a; a++) {
			const pairm *pm = ring_get(al, i - (size_t)a, y);
			anc |= pm->az;
			dict |= pm->dz;
			side_set(&al->zside[(y - lo) * MAXB + (size_t)a - 1], al, &al->zh[y], 1,
				anc, dict, a);
		}
	}
}

/* The pair evidence of a bead: English sentences [i0, i0+a), Chinese
 * [j0, j0+b), 1 <= a, b. */
static void bead_masks(beadm *m, const aq_aligner *al, size_t i0, int a, size_t j0, int b)
{
	for (int y = 0; y < b; y++)
		m->az[y] = m->dz[y] = 0;
	for (int x = 0; x < a; x++) {
		uint64_t ae = 0, de = 0;
		for (int y = 0; y < b; y++) {
			const pairm *pm = ring_get(al, i0 + x, j0 + y);
			ae |= pm->ae;
			de |= pm->de;
			m->az[y] |= pm->az;
			m->dz[y] |= pm->dz;
		}
		m->ae[x] = ae;
		m->de[x] = de;
	}
}

/* Lexical cost of a bead with pair evidence m: English sentences
 * [i0, i0+a), Chinese [j0, j0+b).  The terms are added one by one in this
 * order, which fixes the result to the last bit. */
static double lex_sum(const aq_aligner *al, const beadm *m, size_t i0, int a, size_t j0, int b)
{
	double c = 0;

	for (int x = 0; x < a; x++) {
		const sent *e = &al->en[i0 + x];
		uint64_t ae = m->ae[x];
		for (uint32_t k = 0; k < e->anc_n; k++)
			c += al->opts.w_anchor * al->anc_cost[e->anc_first + k][(ae >> k) & 1][b];
		if (al->dict && e->lex_n)
			c += dict_term(al, 0, e->lex_n, popcount64(m->de[x]), b);
	}
	for (int y = 0; y < b; y++) {
		const sent *z = &al->zh[j0 + y];
		uint64_t az = m->az[y];
		for (uint32_t k = 0; k < z->anc_n; k++)
			c += al->opts.w_anchor * al->anc_cost[z->anc_first + k][(az >> k) & 1][a];
		if (al->dict && z->lex_n)
			c += dict_term(al, 1, z->lex_n, popcount64(m->dz[y]), a);
	}
	return c;
}

/* Lexical cost of a bead: English sentences [i0, i0+a), Chinese [j0, j0+b). */
static double lex_cost(const aq_aligner *al, size_t i0, int a, size_t j0, int b)
{
	beadm m;

	if (a == 0 || b == 0)
		return 0;
	bead_masks(&m, al, i0, a, j0, b);
	return lex_sum(al, &m, i0, a, j0, b);
}

/* Cost of a bead without its prior: length plus lexical evidence. */
static double bead_fit(const aq_aligner *al, size_t i0, int a, size_t j0, int b)
{
	double le = al->pre_en[i0 + a] - al->pre_en[i0];
	double lz = al->pre_zh[j0 + b] - al->pre_zh[j0];

	/* A sentence without a counterpart costs a constant, as in Vecalign:
	 * its length says nothing about whether it was left out. */
	if (a == 0 || b == 0)
		return NULL_COST;
	return al->opts.w_len * len_cost(al, le, lz) + lex_cost(al, i0, a, j0, b);
}

static inline float *cell(aq_aligner *al, float *arr, size_t i, size_t j)
{
	return &arr[al->row_off[i] + (j - al->lo[i])];
}

static inline bool in_band(const aq_aligner *al, size_t i, size_t j)
{
	return j >= al->lo[i] && j <= al->hi[i];
}

/* The evidence of the bead (i - a, j - b) -> (i, j) from the per-row tables
 * into m; returns the lower bound of its lexical cost. */
static inline double bead_sides(beadm *m, const aq_aligner *al, size_t i, int a, size_t j, int b)
{
	size_t j0 = j - (size_t)b;
	double lb = 0;

	for (int x = 0; x < a; x++) {
		size_t r = (i - (size_t)a + (size_t)x) % MAXB;
		const sidem *sd = &al->eside[r][(j0 - al->ring_lo[r]) * MAXB + (size_t)b - 1];
		m->ae[x] = sd->anc;
		m->de[x] = sd->dict;
		lb += sd->bound;
	}
	for (int y = 0; y < b; y++) {
		const sidem *sd = &al->zside[(j0 + (size_t)y - al->zside_lo) * MAXB + (size_t)a - 1];
		m->az[y] = sd->anc;
		m->dz[y] = sd->dict;
		lb += sd->bound;
	}
	return lb;
}

/* Bead shapes in the order the DP tries them: likely ones first, so that the
 * lower bound prunes more of the rest. */
static const uint8_t shapes[][2] = {
	{ 1, 1 }, { 1, 0 }, { 0, 1 }, { 2, 1 }, { 1, 2 }, { 2, 2 }, { 3, 1 }, { 1, 3 },
	{ 3, 2 }, { 2, 3 }, { 3, 3 }, { 4, 1 }, { 1, 4 }, { 4, 2 }, { 2, 4 }, { 4, 3 },
	{ 3, 4 }, { 4, 4 },
};

/* Runs the DP over the current band.  Returns 0 or AQ_ENOMEM. */
static int run_dp(aq_aligner *al, size_t en_n, size_t zh_n, int maxb)
{
	int rc;

	for (size_t i = 0; i <= en_n; i++) {
		if (i > 0 && zh_n > 0) {
			if ((rc = fill_ring(al, i - 1, en_n, zh_n, maxb)))
				return rc;
			fill_zside(al, i, zh_n, maxb);
		}
		for (size_t j = al->lo[i]; j <= al->hi[i]; j++) {
			float best = INF_COST, second = INF_COST;
			uint8_t bp = 0;

			if (i == 0 && j == 0) {
				*cell(al, al->cost, 0, 0) = 0;
				*cell(al, al->second, 0, 0) = INF_COST;
				al->back[al->row_off[0]] = 0;
				continue;
			}
			for (size_t k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
				int a = shapes[k][0], b = shapes[k][1];
				double c, lb, fit_lb, slack;
				beadm m;
				if (a > maxb || b > maxb || (size_t)a > i || (size_t)b > j)
					continue;
				if (!in_band(al, i - a, j - b))
					continue;
				c = *cell(al, al->cost, i - a, j - b);
				if (c >= INF_COST)
					continue;
				c += al->prior[a][b];
				if (a == 0 || b == 0) {
					c += NULL_COST;
				} else {
					/* the cheap parts first; the evidence only if the bead
					 * could still come first or second */
					lb = (al->lb_en[b][i] - al->lb_en[b][i - a]) +
					     (al->lb_zh[a][j] - al->lb_zh[a][j - b]);
					if (c + lb >= second)
						continue;
					/* A tighter bound from the bead's own evidence, built
					 * per row (fill_ring, fill_zside).  Its slack covers
					 * the rounding of the two ways of summing, so that it
					 * skips only beads the exact sum would not keep. */
					fit_lb = bead_sides(&m, al, i, a, j, b);
					slack = PRUNE_SLACK * (1 + fabs(c) + al->slack_scale);
					if (al->opts.w_len >= 0 && c + fit_lb >= second + slack)
						continue;
					c += al->opts.w_len * len_cost(al,
						al->pre_en[i] - al->pre_en[i - a],
						al->pre_zh[j] - al->pre_zh[j - b]);
					if (c + lb >= second)
						continue;
					slack = PRUNE_SLACK * (1 + fabs(c) + al->slack_scale);
					if (c + fit_lb >= second + slack)
						continue;
					c += lex_sum(al, &m, i - a, a, j - b, b);
				}
				if (c < best) {
					second = best;
					best = (float)c;
					bp = (uint8_t)(a << 4 | b);
				} else if (c < second) {
					second = (float)c;
				}
			}
			*cell(al, al->cost, i, j) = best;
			*cell(al, al->second, i, j) = second;
			al->back[al->row_off[i] + (j - al->lo[i])] = bp;
		}
	}
	return 0;
}

/* Confidence of a bead from the margin over the next best way to reach its
 * end and from how well it fits on its own (see README, "Bead scores"). */
static float bead_score(double margin, double fit, int a, int b)
{
	double z;

	if (a == 0 || b == 0)
		z = 0.6 * (margin > 12 ? 12 : margin) - 1.0;
	else
		z = 0.6 * (margin > 12 ? 12 : margin) + 0.5 * (4.0 * (a + b) / 2 - fit);
	return (float)(1 / (1 + exp(-z)));
}

/* Dictionary coverage of the sentences of one chosen bead: how many of each
 * sentence's dictionary words have a counterpart on the other side of the
 * bead (pair evidence of the bead's pairs, in the ring). */
static void bead_coverage(aq_aligner *al, size_t ei, int a, size_t zi, int b, size_t en_n)
{
	for (int x = 0; x < a; x++) {
		const pairm *row = al->ring[(ei + (size_t)x) % MAXB];
		uint64_t de = 0;

		for (int y = 0; y < b; y++)
			de |= row[y].de;
		al->dict_words[ei + (size_t)x] = (uint16_t)al->en[ei + (size_t)x].lex_n;
		al->dict_matched[ei + (size_t)x] = (uint16_t)__builtin_popcountll(de);
	}
	for (int y = 0; y < b; y++) {
		uint64_t dz = 0;

		for (int x = 0; x < a; x++)
			dz |= al->ring[(ei + (size_t)x) % MAXB][y].dz;
		al->dict_words[en_n + zi + (size_t)y] = (uint16_t)al->zh[zi + (size_t)y].lex_n;
		al->dict_matched[en_n + zi + (size_t)y] = (uint16_t)__builtin_popcountll(dz);
	}
}

/* The dictionary matches of every English sentence with each Chinese
 * sentence near its bead (aq_align_evidence.near_*): a fixed number of pairs
 * per sentence, so linear in the record.  0 or AQ_ENOMEM. */
static int near_pairs(aq_aligner *al, const aq_beads *beads, size_t en_n, size_t zh_n)
{
	if (en_n + 1 > al->near_cap) {
		size_t cap = (en_n + 1) * 2;
		void *p;

		if (!(p = realloc(al->near_first, cap * sizeof(uint32_t))))
			return AQ_ENOMEM;
		al->near_first = p;
		if (!(p = realloc(al->near_n, cap)))
			return AQ_ENOMEM;
		al->near_n = p;
		if (!(p = realloc(al->near_en, cap * AQ_ALIGN_NEAR)))
			return AQ_ENOMEM;
		al->near_en = p;
		if (!(p = realloc(al->near_zh, cap * AQ_ALIGN_NEAR)))
			return AQ_ENOMEM;
		al->near_zh = p;
		al->near_cap = cap;
	}
	for (size_t k = 0; k < beads->n; k++) {
		const aq_bead *b = &beads->v[k];
		size_t lo = b->zh_idx > AQ_ALIGN_NEAR_SPAN ? b->zh_idx - AQ_ALIGN_NEAR_SPAN : 0;
		size_t hi = (size_t)b->zh_idx + b->zh_n + AQ_ALIGN_NEAR_SPAN;

		if (hi > zh_n)
			hi = zh_n;
		for (size_t x = b->en_idx; x < (size_t)b->en_idx + b->en_n; x++) {
			al->near_first[x] = (uint32_t)lo;
			al->near_n[x] = (uint8_t)(hi - lo);
			for (size_t y = lo; y < hi; y++) {
				pairm pm;

				pair_evidence(al, &pm, x, y);
				al->near_en[x * AQ_ALIGN_NEAR + (y - lo)] = (uint8_t)popcount64(pm.de);
				al->near_zh[x * AQ_ALIGN_NEAR + (y - lo)] = (uint8_t)popcount64(pm.dz);
			}
		}
	}
	return 0;
}

/*
 * Where one Chinese sentence that translates several English ones (a bead
 * a-1, a >= 2) passes from one English sentence's share to the next's.
 * Translators keep the order of sentences they merge, so the words each
 * English sentence matches lie in one stretch of the Chinese: the boundary
 * before English sentence x + 1 is the one that puts the most words only
 * the sentences up to x match before it, and the fewest of the others.  A
 * translation cut short and run into the next sentence ("...机会及较低本研究
 * 结果显示...") shows as a short share.  Unmatched Han text between two
 * stretches goes to the earlier one, so that a share is never made short
 * by the split.  Sets en_zh_end of the bead's English sentences, or leaves
 * them AQ_NO_SPAN when one side of a boundary has no word of its own.
 * Linear in the sentence's words (at most MASK_BITS) per boundary.
 */
static void bead_split(aq_aligner *al, size_t ei, int a, size_t zi, const aq_span *zh_s)
{
	const sent *z = &al->zh[zi];
	const aq_lexhit *h = al->zh_hits.v + z->lex_first;
	uint32_t ends[MAXB], gaps[MAXB];
	int from = 0;

	for (int x = 0; x + 1 < a; x++) {
		uint64_t left = 0, right = 0, only_l, only_r;
		int score = 0, best = 0, best_at = from;

		for (int k = 0; k < a; k++)
			*(k <= x ? &left : &right) |= al->ring[(ei + (size_t)k) % MAXB][0].dz;
		only_l = left & ~right;
		only_r = right & ~left;
		if (!only_l || !only_r)
			return;
		/* boundary before word s: words [0, s) are the left share */
		for (int s = 0; s < (int)z->lex_n; s++) {
			score += (int)(only_l >> s & 1) - (int)(only_r >> s & 1);
			if (s + 1 > from && score > 0 && score >= best) {
				best = score;
				best_at = s + 1;
			}
		}
		if (best_at <= 0 || best_at >= (int)z->lex_n)
			return;
		ends[x] = h[best_at].off;
		/* best > 0: a word only the left matches lies before best_at */
		gaps[x] = h[63 - __builtin_clzll(only_l & ((1ULL << best_at) - 1))].end;
		from = best_at;
	}
	for (int x = 0; x + 1 < a; x++) {
		al->en_zh_end[ei + (size_t)x] = ends[x];
		al->en_zh_gap[ei + (size_t)x] = gaps[x];
	}
	al->en_zh_end[ei + (size_t)a - 1] = zh_s[zi].end;
	al->en_zh_gap[ei + (size_t)a - 1] = zh_s[zi].end;
}

int aq_align(aq_beads *out, aq_aligner *al, const char *en, const aq_span *en_s, size_t en_n,
	const char *zh, const aq_span *zh_s, size_t zh_n)
{
	int maxb = al->opts.max_bead, rc = 0;
	size_t w, cells, n_path;
	double sum_en = 0, sum_zh = 0;
	bool touched;

	out->n = 0;
	memset(&al->ev, 0, sizeof(al->ev));
	if (en_n > MAX_SENTENCES || zh_n > MAX_SENTENCES)
		return aq_ctx_error(al->ctx, AQ_ELIMIT, "too many sentences to align (%zu, %zu; limit %d)",
			en_n, zh_n, MAX_SENTENCES);
	if (aq_array_grow((void **)&al->en, &al->sent_cap, (en_n > zh_n ? en_n : zh_n) + 1, sizeof(sent)))
		goto nomem;
	{
		void *p = realloc(al->zh, al->sent_cap * sizeof(sent));
		if (!p)
			goto nomem;
		al->zh = p;
		p = realloc(al->pre_en, (al->sent_cap + 1) * sizeof(double));
		if (!p)
			goto nomem;
		al->pre_en = p;
		p = realloc(al->pre_zh, (al->sent_cap + 1) * sizeof(double));
		if (!p)
			goto nomem;
		al->pre_zh = p;
	}
	al->pre_en[0] = al->pre_zh[0] = 0;
	for (size_t i = 0; i < en_n; i++) {
		al->en[i].len = text_units(en, en_s[i], false);
		sum_en += al->en[i].len;
		al->pre_en[i + 1] = sum_en;
	}
	for (size_t j = 0; j < zh_n; j++) {
		al->zh[j].len = text_units(zh, zh_s[j], true);
		sum_zh += al->zh[j].len;
		al->pre_zh[j + 1] = sum_zh;
	}
	if (al->opts.zh_per_en > 0) {
		al->ratio = al->opts.zh_per_en;
	} else {
		/* The record's own ratio, shrunk towards the default in proportion
		 * to how little text there is: in a short abstract one omitted
		 * sentence would otherwise pull the ratio far enough to hide it. */
		double n = (double)(en_n < zh_n ? en_n : zh_n), lambda = n / (n + 10);
		double r = sum_en > 0 && sum_zh > 0 ? sum_zh / sum_en : DEFAULT_RATIO;
		if (r < 0.3)
			r = 0.3;
		if (r > 3.0)
			r = 3.0;
		al->ratio = exp(lambda * log(r) + (1 - lambda) * log(DEFAULT_RATIO));
	}
	if ((rc = prepare_anchors(al, en, en_s, en_n, zh, zh_s, zh_n)) ||
	    (rc = prepare_anchor_bounds(al, en_n, zh_n)))
		goto fail;
	if (al->dict && (rc = prepare_dict(al, en, en_s, en_n, zh, zh_s, zh_n)))
		goto fail;
	if ((rc = prepare_pair_masks(al, en_n, zh_n)))
		goto fail;
	if (al->dict)
		prepare_dict_costs(al, en_n, zh_n);
	if ((rc = prepare_bounds(al, en_n, zh_n)))
		goto fail;

	w = (size_t)al->opts.band;
	if (en_n > zh_n ? en_n - zh_n > w / 2 : zh_n - en_n > w / 2)
		w = (en_n > zh_n ? en_n - zh_n : zh_n - en_n) + w / 2;
	{
		/* Keep the band within MAX_CELLS before anything is allocated; it
		 * must still be wide enough for consecutive rows to connect. */
		size_t rows = en_n + 1, min_w = zh_n / (en_n ? en_n : 1) + MAXB + 1;
		size_t fit_w = (MAX_CELLS / rows - 1) / 2; /* widest band that fits */
		if (rows * (2 * w + 1) > MAX_CELLS)
			w = fit_w > min_w ? fit_w : min_w;
		if (rows * (2 * w + 1) > MAX_CELLS) {
			rc = aq_ctx_error(al->ctx, AQ_ELIMIT,
				"alignment too large (%zu and %zu sentences; limit %zu cells)",
				en_n, zh_n, MAX_CELLS);
			goto fail;
		}
	}
	for (;;) {
		if ((rc = setup_band(al, en_n, zh_n, w, &cells)))
			goto fail;
		if (aq_array_grow((void **)&al->cost, &al->cells_cap, cells, sizeof(float)))
			goto nomem;
		{
			void *p = realloc(al->second, al->cells_cap * sizeof(float));
			if (!p)
				goto nomem;
			al->second = p;
			p = realloc(al->back, al->cells_cap);
			if (!p)
				goto nomem;
			al->back = p;
		}
		if ((rc = run_dp(al, en_n, zh_n, maxb)))
			goto fail;
		/* walk back; note whether the path ran along the band's edge */
		touched = false;
		n_path = 0;
		{
			size_t i = en_n, j = zh_n;
			while (i > 0 || j > 0) {
				uint8_t bp = al->back[al->row_off[i] + (j - al->lo[i])];
				int a = bp >> 4, b = bp & 15;
				if ((j == al->lo[i] && al->lo[i] > 0) || (j == al->hi[i] && al->hi[i] < zh_n))
					touched = true;
				if (a == 0 && b == 0)
					break; /* unreachable cell: cannot happen with 1-0/0-1 */
				i -= (size_t)a;
				j -= (size_t)b;
				n_path++;
			}
		}
		if (!touched || w >= (en_n > zh_n ? en_n : zh_n) || cells * 2 > MAX_CELLS)
			break;
		w *= 2;
	}

	if (al->dict && (aq_array_grow((void **)&al->dict_words, &al->dict_words_cap,
				 en_n + zh_n + 1, sizeof(uint16_t)) ||
			 aq_array_grow((void **)&al->dict_matched, &al->dict_matched_cap,
				 en_n + zh_n + 1, sizeof(uint16_t)) ||
			 aq_array_grow((void **)&al->en_zh_end, &al->en_zh_end_cap,
				 en_n + 1, sizeof(uint32_t)) ||
			 aq_array_grow((void **)&al->en_zh_gap, &al->en_zh_gap_cap,
				 en_n + 1, sizeof(uint32_t))))
		goto nomem;
	if (al->dict)
		for (size_t i = 0; i < en_n; i++)
			al->en_zh_end[i] = AQ_NO_SPAN;
	/* emit beads in order: collect backwards, then reverse */
	{
		size_t i = en_n, j = zh_n;
		while (i > 0 || j > 0) {
			size_t at = al->row_off[i] + (j - al->lo[i]);
			uint8_t bp = al->back[at];
			int a = bp >> 4, b = bp & 15;
			aq_bead bead;
			double margin, fit;

			if (a == 0 && b == 0)
				break;
			margin = (double)al->second[at] - al->cost[at];
			/* the ring holds the evidence of the last rows only: recompute
			 * the pairs of this bead before scoring its fit */
			for (int x = 0; x < a; x++) {
				size_t s = i - a + x;
				size_t r = s % MAXB;
				al->ring_lo[r] = (uint32_t)(j - b);
				al->ring_hi[r] = (uint32_t)j;
				for (int y = 0; y < b; y++)
					pair_evidence(al, &al->ring[r][y], s, j - b + y);
			}
			if (al->dict)
				bead_coverage(al, i - a, a, j - b, b, en_n);
			if (al->dict && a >= 2 && b == 1)
				bead_split(al, i - a, a, j - 1, zh_s);
			fit = bead_fit(al, i - a, a, j - b, b);
			bead.en_idx = (uint32_t)(i - a);
			bead.zh_idx = (uint32_t)(j - b);
			bead.en_n = (uint8_t)a;
			bead.zh_n = (uint8_t)b;
			bead.score = bead_score(margin, fit, a, b);
			if (beads_push(out, &bead))
				goto nomem;
			i -= (size_t)a;
			j -= (size_t)b;
		}
		for (size_t x = 0, y = out->n ? out->n - 1 : 0; x < y; x++, y--) {
			aq_bead t = out->v[x];
			out->v[x] = out->v[y];
			out->v[y] = t;
		}
	}
	(void)n_path;
	if (al->dict && (rc = near_pairs(al, out, en_n, zh_n)))
		goto fail;
	al->ev.n_sents = en_n + zh_n;
	al->ev.anchors = &al->anchors;
	al->ev.anchor_first = al->anc_sent;
	al->ev.dict_words = al->dict ? al->dict_words : NULL;
	al->ev.dict_matched = al->dict ? al->dict_matched : NULL;
	al->ev.en_zh_end = al->dict ? al->en_zh_end : NULL;
	al->ev.en_zh_gap = al->dict ? al->en_zh_gap : NULL;
	al->ev.zh_end_word = al->dict ? al->zh_end_word : NULL;
	al->ev.numbers = &al->numbers;
	al->ev.number_first = al->num_sent;
	if (al->dict) {
		al->ev.near_first = al->near_first;
		al->ev.near_n = al->near_n;
		al->ev.near_en = al->near_en;
		al->ev.near_zh = al->near_zh;
	}
	return 0;
nomem:
	rc = AQ_ENOMEM;
fail:
	out->n = 0;
	if (rc == AQ_ENOMEM)
		return aq_ctx_error(al->ctx, AQ_ENOMEM, "out of memory while aligning");
	return rc;
}
