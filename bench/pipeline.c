/*
 * pipeline.c - in-process benchmark of segment + align (and check): reads a
 * JSONL file into memory first, then times only the pipeline stages over
 * every record, repeated, on one thread.  Reading and writing are left out:
 * bench/throughput.py measures whole processes.
 * Usage: bench_pipeline RULES_DIR FILE.jsonl [ROUNDS] [--check]
 * With ALIGNQA_DICTIONARY set, the aligner uses that dictionary (as the CLI's
 * --dictionary does).
 */
#include "alignqa.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	aq_ctx *ctx = NULL;
	aq_input *in = NULL;
	aq_segmenter *seg = NULL;
	aq_aligner *al = NULL;
	aq_lexicon *dict = NULL;
	aq_rules *rules = NULL;
	aq_checker *chk = NULL;
	aq_record **recs = NULL;
	size_t n = 0, cap = 0, sents = 0, nfind = 0;
	aq_spans en, zh;
	aq_beads beads;
	aq_findings f;
	char path[4096];
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	bool check = argc > 4 && !strcmp(argv[4], "--check");
	const char *paths[1];
	const char *dict_path = getenv("ALIGNQA_DICTIONARY");
	double t_seg = 0, t_al = 0, t_chk = 0, t0;
	aq_input_opts io = { AQ_INPUT_JSONL, 0, NULL };

	if (argc < 3) {
		fprintf(stderr, "usage: %s RULES_DIR FILE.jsonl [ROUNDS] [--check]\n", argv[0]);
		return 2;
	}
	paths[0] = argv[2];
	aq_spans_init(&en);
	aq_spans_init(&zh);
	aq_beads_init(&beads);
	aq_findings_init(&f);
	snprintf(path, sizeof(path), "%s/abbreviations.txt", argv[1]);
	if (aq_ctx_new(&ctx) || aq_segmenter_new(&seg, ctx, path) ||
	    (dict_path && *dict_path &&
	     aq_lexicon_load(&dict, ctx, dict_path, AQ_LEX_AUTO)) ||
	    aq_aligner_new(&al, ctx, NULL, dict, NULL) ||
	    aq_input_new(&in, ctx, paths, 1, &io)) {
		fprintf(stderr, "bench_pipeline: %s\n", aq_ctx_errmsg(ctx));
		return 3;
	}
	if (check && (aq_rules_new(&rules, ctx) || aq_rules_load_dir(rules, argv[1]) ||
		      aq_checker_new(&chk, ctx, rules))) {
		fprintf(stderr, "bench_pipeline: %s\n", aq_ctx_errmsg(ctx));
		return 3;
	}
	for (;;) {
		aq_record *r = NULL;
		int rc = aq_input_next(in, &r);
		if (rc == AQ_ITEROVER)
			break;
		if (rc)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			recs = realloc(recs, cap * sizeof(*recs));
		}
		recs[n++] = r;
	}
	for (int k = 0; k < rounds; k++) {
		for (size_t i = 0; i < n; i++) {
			aq_alignment a = { recs[i], &en, &zh, &beads, NULL };
			t0 = now();
			aq_segment_text(&en, seg, AQ_LANG_EN, recs[i]->en, recs[i]->en_len);
			aq_segment_text(&zh, seg, AQ_LANG_ZH, recs[i]->zh, recs[i]->zh_len);
			t_seg += now() - t0;
			t0 = now();
			aq_align(&beads, al, recs[i]->en, en.v, en.n, recs[i]->zh, zh.v, zh.n);
			t_al += now() - t0;
			a.evidence = aq_aligner_evidence(al);
			if (k == 0)
				sents += en.n + zh.n;
			if (chk) {
				t0 = now();
				aq_check(&f, chk, &a);
				t_chk += now() - t0;
				if (k == 0)
					nfind += f.n;
			}
		}
	}
	printf("%zu records, %.1f sentences each, %d rounds, one thread%s%s\n", n,
		n ? (double)sents / n : 0, rounds, dict ? ", dictionary " : "", dict ? dict_path : "");
	printf("segment          %8.1f us/record\n", t_seg / (n * rounds) * 1e6);
	printf("align            %8.1f us/record\n", t_al / (n * rounds) * 1e6);
	printf("segment + align  %8.1f us/record  %8.0f records/s\n",
		(t_seg + t_al) / (n * rounds) * 1e6, (n * rounds) / (t_seg + t_al));
	if (chk)
		printf("check            %8.1f us/record  (%zu findings)\n",
			t_chk / (n * rounds) * 1e6, nfind);
	for (size_t i = 0; i < n; i++)
		aq_record_free(recs[i]);
	free(recs);
	aq_findings_dispose(&f);
	aq_checker_free(chk);
	aq_rules_free(rules);
	aq_spans_dispose(&en);
	aq_spans_dispose(&zh);
	aq_beads_dispose(&beads);
	aq_aligner_free(al);
	aq_lexicon_free(dict);
	aq_segmenter_free(seg);
	aq_input_free(in);
	aq_ctx_free(ctx);
	return 0;
}
