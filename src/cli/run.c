/*
 * run.c - the record loop shared by segment and align: input -> segment ->
 * align -> writer, with input errors reported and skipped.  Checking and
 * storing are added by their own commands on top of this.
 */
#include "common.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define FLUSH_AT (64 * 1024)

int cli_load_lexicons(aq_ctx *ctx, const cli_pipeline_opts *opts, aq_lexicon **dict,
	aq_lexicon **glossary)
{
	*dict = *glossary = NULL;
	if (!opts->dict_loaded &&
	    cli_dictionary_load(ctx, opts->dictionary, cli_rules_dir(opts->rules_dir), dict))
		return EXIT_USAGE;
	if (opts->glossary && !opts->glossary_lex &&
	    aq_lexicon_load(glossary, ctx, opts->glossary, AQ_LEX_GLOSSARY) != 0) {
		cli_error("%s", aq_ctx_errmsg(ctx));
		aq_lexicon_free(*dict);
		*dict = NULL;
		return EXIT_USAGE;
	}
	return 0;
}

/* Everything one thread needs to turn records into alignments. */
typedef struct pipeline {
	aq_ctx *ctx;
	aq_segmenter *seg;
	aq_aligner *al;
	aq_lexicon *dict, *glossary;
	aq_spans en_s, zh_s;
	aq_beads beads;
} pipeline;

static void pipeline_dispose(pipeline *p)
{
	aq_aligner_free(p->al);
	aq_segmenter_free(p->seg);
	aq_lexicon_free(p->dict);
	aq_lexicon_free(p->glossary);
	aq_spans_dispose(&p->en_s);
	aq_spans_dispose(&p->zh_s);
	aq_beads_dispose(&p->beads);
	aq_ctx_free(p->ctx);
}

static int pipeline_init(pipeline *p, const cli_pipeline_opts *opts, bool need_segmenter)
{
	char path[4096];
	int rc;

	memset(p, 0, sizeof(*p));
	aq_spans_init(&p->en_s);
	aq_spans_init(&p->zh_s);
	aq_beads_init(&p->beads);
	if (aq_ctx_new(&p->ctx)) {
		cli_error("out of memory");
		return EXIT_INPUT;
	}
	if (need_segmenter) {
		cli_path(path, sizeof(path), cli_rules_dir(opts->rules_dir), "abbreviations.txt");
		rc = aq_segmenter_new(&p->seg, p->ctx, path);
		if (rc) {
			cli_error("%s", aq_ctx_errmsg(p->ctx));
			return rc == AQ_EICU ? EXIT_INPUT : EXIT_USAGE;
		}
	}
	if (opts->align) {
		if ((rc = cli_load_lexicons(p->ctx, opts, &p->dict, &p->glossary)))
			return rc;
		if (aq_aligner_new(&p->al, p->ctx, &opts->align_opts,
			    opts->dict_loaded ? opts->dict_lex : p->dict,
			    opts->glossary_lex ? opts->glossary_lex : p->glossary)) {
			cli_error("%s", aq_ctx_errmsg(p->ctx));
			return EXIT_USAGE;
		}
	}
	return 0;
}

/* Prints an input error on stderr and tells the command's hook, if any. */
static void input_error(const cli_pipeline_opts *opts, cli_out *out, void *payload,
	const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void input_error(const cli_pipeline_opts *opts, cli_out *out, void *payload,
	const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_error("%s", msg);
	if (opts->on_input_error)
		opts->on_input_error(out, msg, payload);
}

/* Segments (and aligns) one record and hands it to emit.  Returns 0, or -1
 * after reporting a failure that concerns this record only. */
static int pipeline_record(pipeline *p, const aq_record *rec, const cli_pipeline_opts *opts,
	cli_emit_fn emit, void *payload, cli_out *out)
{
	aq_alignment a = { rec, &p->en_s, &p->zh_s, NULL, NULL };

	if (aq_segment_text(&p->en_s, p->seg, AQ_LANG_EN, rec->en, rec->en_len) ||
	    aq_segment_text(&p->zh_s, p->seg, AQ_LANG_ZH, rec->zh, rec->zh_len)) {
		input_error(opts, out, payload, "%s:%u: record %s: %s", rec->source, rec->line,
			rec->id, aq_ctx_errmsg(p->ctx));
		return -1;
	}
	if (opts->align) {
		if (aq_align(&p->beads, p->al, rec->en, p->en_s.v, p->en_s.n, rec->zh, p->zh_s.v,
			    p->zh_s.n)) {
			input_error(opts, out, payload, "%s:%u: record %s: %s", rec->source,
				rec->line, rec->id, aq_ctx_errmsg(p->ctx));
			return -1;
		}
		a.beads = &p->beads;
		a.evidence = aq_aligner_evidence(p->al);
	}
	if (emit(out, &a, payload))
		return -1;
	return cli_out_flush(out, FLUSH_AT) ? -2 : 0;
}

int cli_run_records(char **paths, int n_paths, const cli_pipeline_opts *opts,
	cli_emit_fn emit, void *payload, cli_out *out)
{
	static const char *const stdin_path[] = { "-" };
	pipeline p;
	aq_input *in = NULL;
	aq_input_opts iopts = { opts->format, 0, opts->encoding };
	int rc, status = EXIT_CLEAN;

	if ((rc = pipeline_init(&p, opts, true)))
		goto out_rc;
	if (aq_input_new(&in, p.ctx, n_paths ? (const char *const *)paths : stdin_path,
		    n_paths ? (size_t)n_paths : 1, &iopts) == AQ_EINVAL) {
		cli_error("%s", aq_ctx_errmsg(p.ctx)); /* --encoding names nothing ICU knows */
		rc = EXIT_USAGE;
		goto out_rc;
	} else if (!in) {
		input_error(opts, out, payload, "%s", aq_ctx_errmsg(p.ctx));
		rc = EXIT_INPUT;
		goto out_rc;
	}
	for (;;) {
		aq_record *rec = NULL;
		rc = aq_input_next(in, &rec);
		if (rc == AQ_ITEROVER)
			break;
		if (rc == AQ_EINPUT) {
			input_error(opts, out, payload, "%s", aq_ctx_errmsg(p.ctx));
			status = EXIT_INPUT;
			continue;
		}
		if (rc) {
			input_error(opts, out, payload, "%s", aq_ctx_errmsg(p.ctx));
			status = EXIT_INPUT;
			break;
		}
		rc = pipeline_record(&p, rec, opts, emit, payload, out);
		aq_record_free(rec);
		if (rc == -2) {
			status = EXIT_INPUT;
			break; /* output failed: no point going on */
		}
		if (rc)
			status = EXIT_INPUT;
	}
	rc = status;
out_rc:
	aq_input_free(in);
	pipeline_dispose(&p);
	return rc;
}

/* Checks that a pre-segmented file is UTF-8; names the first bad line. */
static int check_lines(const char *path, const char *data, size_t len)
{
	size_t bad = aq_utf8_check(data, len), line = 1, col = 1;

	if (bad == len)
		return 0;
	for (size_t i = 0; i < bad; i++) {
		if (data[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	cli_error("%s:%zu:%zu: invalid UTF-8 (byte offset %zu)", path, line, col, bad);
	return -1;
}

int cli_run_presegmented(const char *en_path, const char *zh_path,
	const cli_pipeline_opts *opts, cli_emit_fn emit, void *payload, cli_out *out)
{
	pipeline p;
	aq_record *rec = NULL;
	aq_alignment a = { NULL, NULL, NULL, NULL, NULL };
	int rc;
	const char *base;

	if ((rc = pipeline_init(&p, opts, false)))
		goto out;
	if (aq_record_new(&rec)) {
		cli_error("out of memory");
		rc = EXIT_INPUT;
		goto out;
	}
	if (cli_read_file(en_path, SIZE_MAX, &rec->en, &rec->en_len) ||
	    cli_read_file(zh_path, SIZE_MAX, &rec->zh, &rec->zh_len) ||
	    check_lines(en_path, rec->en, rec->en_len) || check_lines(zh_path, rec->zh, rec->zh_len)) {
		rc = EXIT_INPUT;
		goto out;
	}
	if (rec->en_len > UINT32_MAX || rec->zh_len > UINT32_MAX) {
		cli_error("%s: file too large (limit 4 GiB)", en_path);
		rc = EXIT_INPUT;
		goto out;
	}
	base = strrchr(en_path, '/');
	rec->id = strdup(base ? base + 1 : en_path);
	rec->source = strdup(en_path);
	if (!rec->id || !rec->source) {
		cli_error("out of memory");
		rc = EXIT_INPUT;
		goto out;
	}
	rec->line = 1;
	if (aq_segment_lines(&p.en_s, rec->en, rec->en_len) ||
	    aq_segment_lines(&p.zh_s, rec->zh, rec->zh_len) ||
	    aq_align(&p.beads, p.al, rec->en, p.en_s.v, p.en_s.n, rec->zh, p.zh_s.v, p.zh_s.n)) {
		cli_error("%s: %s", en_path, aq_ctx_errmsg(p.ctx));
		rc = EXIT_INPUT;
		goto out;
	}
	a.rec = rec;
	a.en_sents = &p.en_s;
	a.zh_sents = &p.zh_s;
	a.beads = &p.beads;
	a.evidence = aq_aligner_evidence(p.al);
	rc = emit(out, &a, payload) || cli_out_flush(out, FLUSH_AT) ? EXIT_INPUT : EXIT_CLEAN;
out:
	aq_record_free(rec);
	pipeline_dispose(&p);
	return rc;
}
