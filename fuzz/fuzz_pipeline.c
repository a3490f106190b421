/*
 * fuzz_pipeline.c - libFuzzer target for the whole check: the input is the
 * English abstract, a NUL byte, then the Chinese abstract.  Both are
 * segmented, aligned (with the team lexicon as the dictionary, as the CLI
 * does by default) and checked with the shipped rule packs and glossary,
 * the aligner's evidence included.
 * Readers only ever hand out NUL-free valid UTF-8, so invalid bytes are
 * replaced by '?' first: each input still reaches the later stages.
 * The segmenter, aligner, rules and checker are built once per process
 * (as one thread of the CLI would); everything per record is freed.
 */
#include "fuzz_common.h"

#include <stdio.h>

#ifndef AQ_FUZZ_RULES_DIR
#error "AQ_FUZZ_RULES_DIR (the source rules/ directory) must be defined"
#endif

static struct {
	bool ready;
	aq_ctx *ctx;
	aq_segmenter *seg;
	aq_lexicon *glossary;
	aq_lexicon *dict;
	aq_aligner *al;
	aq_rules *rules;
	aq_checker *chk;
} pipe_state;

static void pipeline_setup(void)
{
	static const char *const lexicon[] = {
		AQ_FUZZ_RULES_DIR "/lexicon/general.txt",
		AQ_FUZZ_RULES_DIR "/lexicon/biomedical.txt",
		AQ_FUZZ_RULES_DIR "/lexicon/common.txt",
	};
	aq_ctx *ctx = NULL;

	if (aq_ctx_new(&ctx))
		abort();
	pipe_state.ctx = ctx;
	if (aq_segmenter_new(&pipe_state.seg, ctx, AQ_FUZZ_RULES_DIR "/abbreviations.txt") ||
	    aq_lexicon_load(&pipe_state.glossary, ctx, AQ_FUZZ_RULES_DIR "/core-glossary.tsv",
		    AQ_LEX_GLOSSARY) ||
	    aq_lexicon_load_files(&pipe_state.dict, ctx, lexicon, 3, AQ_LEX_CEDICT) ||
	    aq_aligner_new(&pipe_state.al, ctx, NULL, pipe_state.dict, pipe_state.glossary) ||
	    aq_rules_new(&pipe_state.rules, ctx) ||
	    aq_rules_load_dir(pipe_state.rules, AQ_FUZZ_RULES_DIR) ||
	    aq_rules_add_glossary(pipe_state.rules, pipe_state.glossary) ||
	    aq_checker_new(&pipe_state.chk, ctx, pipe_state.rules)) {
		fprintf(stderr, "fuzz_pipeline: setup failed: %s\n", aq_ctx_errmsg(ctx));
		abort();
	}
	pipe_state.ready = true;
}

/* A NUL-terminated copy of s[0..len) with NUL and invalid bytes as '?'. */
static char *pipeline_clean(const uint8_t *s, size_t len)
{
	char *p = malloc(len + 1);
	size_t off = 0;

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	while (off < len) {
		size_t at = off;

		if (aq_utf8_next(p, len, &off) <= 0) {
			p[at] = '?';
			off = at + 1;
		}
	}
	return p;
}

/* Aborts unless spans are ordered, inside text[0..len) and non-overlapping. */
static void pipeline_check_spans(const aq_spans *s, size_t len)
{
	uint32_t prev = 0;

	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i].off < prev || s->v[i].end < s->v[i].off || s->v[i].end > len)
			abort();
		prev = s->v[i].end;
	}
}

/* Aborts unless the beads cover every sentence once, in order. */
static void pipeline_check_beads(const aq_beads *b, size_t en_n, size_t zh_n)
{
	size_t en = 0, zh = 0;

	for (size_t i = 0; i < b->n; i++) {
		const aq_bead *bd = &b->v[i];

		if (bd->en_idx != en || bd->zh_idx != zh || bd->en_n + bd->zh_n == 0 ||
		    bd->en_n > AQ_ALIGN_MAX_BEAD || bd->zh_n > AQ_ALIGN_MAX_BEAD ||
		    !(bd->score >= 0.0f && bd->score <= 1.0f))
			abort();
		en += bd->en_n;
		zh += bd->zh_n;
	}
	if (en != en_n || zh != zh_n)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	aq_record *rec = NULL;
	aq_spans en_s, zh_s;
	aq_beads beads;
	aq_findings findings;
	aq_alignment a;
	const uint8_t *nul;
	size_t en_len, zh_off;

	if (!pipe_state.ready)
		pipeline_setup();
	aq_spans_init(&en_s);
	aq_spans_init(&zh_s);
	aq_beads_init(&beads);
	aq_findings_init(&findings);

	nul = size ? memchr(data, '\0', size) : NULL;
	en_len = nul ? (size_t)(nul - data) : size;
	zh_off = nul ? en_len + 1 : size;
	if (aq_record_new(&rec))
		goto out;
	rec->id = strdup("fuzz");
	rec->source = strdup("fuzz.txt");
	rec->en = pipeline_clean(data, en_len);
	rec->zh = pipeline_clean(data + zh_off, size - zh_off);
	if (!rec->id || !rec->source || !rec->en || !rec->zh)
		goto out;
	rec->en_len = en_len;
	rec->zh_len = size - zh_off;
	rec->line = rec->en_line = rec->zh_line = 1;
	rec->en_col = rec->zh_col = 1;
	rec->en_verbatim = rec->zh_verbatim = true;

	if (aq_segment_text(&en_s, pipe_state.seg, AQ_LANG_EN, rec->en, rec->en_len) ||
	    aq_segment_text(&zh_s, pipe_state.seg, AQ_LANG_ZH, rec->zh, rec->zh_len))
		goto out;
	pipeline_check_spans(&en_s, rec->en_len);
	pipeline_check_spans(&zh_s, rec->zh_len);
	if (aq_align(&beads, pipe_state.al, rec->en, en_s.v, en_s.n, rec->zh, zh_s.v, zh_s.n))
		goto out;
	pipeline_check_beads(&beads, en_s.n, zh_s.n);
	a = (aq_alignment){ rec, &en_s, &zh_s, &beads, aq_aligner_evidence(pipe_state.al) };
	(void)aq_check(&findings, pipe_state.chk, &a);
out:
	aq_ctx_clear(pipe_state.ctx);
	aq_findings_dispose(&findings);
	aq_beads_dispose(&beads);
	aq_spans_dispose(&zh_s);
	aq_spans_dispose(&en_s);
	aq_record_free(rec);
	return 0;
}
