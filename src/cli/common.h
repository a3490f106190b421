/*
 * common.h - what the subcommands share: exit codes, messages, locating the
 * rule data, the record loop and buffered output.  Each cmd_*.c parses its
 * own options and maps library results to exit codes.
 */
#ifndef AQ_CLI_COMMON_H
#define AQ_CLI_COMMON_H

#include "alignqa.h"

#include <stdio.h>

enum {
	EXIT_CLEAN = 0,    /* nothing at or above --fail-on */
	EXIT_FINDINGS = 1, /* findings at or above --fail-on */
	EXIT_USAGE = 2,    /* usage or configuration error */
	EXIT_INPUT = 3,    /* input or runtime error */
};

typedef int (*cmd_fn)(int argc, char **argv);

/* Prints "alignqa: <message>" to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints "alignqa <cmd>: <message>\nTry 'alignqa <cmd> --help'." and returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The directory holding the shipped rules/ data: --rules-dir if given,
 * else $ALIGNQA_RULES_DIR, else next to the executable, else the build's
 * source tree, else the install location.  Returns a static string. */
const char *cli_rules_dir(const char *override);
/* path = dir/name in buf; returns buf. */
const char *cli_path(char *buf, size_t size, const char *dir, const char *name);

bool cli_is_dir(const char *path);

/* The options of a run as it is stored: {"args":[...]}.  0 or -1. */
int cli_options_json(aq_buf *b, int argc, char **argv);

/* The rule set the check and audit commands run with. */
typedef struct cli_ruleset {
	aq_rules *rules;
	aq_lexicon **glossaries; /* loaded glossaries, attached to rules */
	size_t n_glossaries;
} cli_ruleset;

/* Loads the shipped packs of rules_dir (NULL: cli_rules_dir's default), the
 * user's packs (files or directories), the configuration file (NULL for
 * none) and the glossaries, in that order.  Returns 0, or -1 with the
 * message in ctx.  rs must be zeroed first; dispose it either way. */
int cli_ruleset_load(cli_ruleset *rs, aq_ctx *ctx, const char *rules_dir, char **packs,
	size_t n_packs, const char *config, char **glossaries, size_t n_glossaries);
void cli_ruleset_dispose(cli_ruleset *rs);

/* Parses "auto", "text", "jsonl". Returns 0 or -1. */
int cli_parse_input_format(const char *s, aq_input_format *out);

/* Output: a buffer flushed to a FILE when large and at the end. */
typedef struct cli_out {
	FILE *fp;
	aq_buf buf;
	const char *name; /* for error messages */
	bool failed;
} cli_out;

int cli_out_open(cli_out *o, const char *path); /* NULL or "-" = stdout */
/* Writes the buffer out if it is larger than the threshold (0 = always). */
int cli_out_flush(cli_out *o, size_t threshold);
int cli_out_close(cli_out *o);

/* The command entry points (cmd_*.c). */
int cmd_segment(int argc, char **argv);
int cmd_align(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_findings(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_glossary(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_report(int argc, char **argv);


/* ---- the record loop (run.c) ---- */

/* Called once a record is segmented (and aligned); writes into out->buf. */
typedef int (*cli_emit_fn)(cli_out *out, const aq_alignment *a, void *payload);
/* Called after an input error has been printed on stderr, with its message
 * (without the "alignqa: " prefix); may write into out->buf. */
typedef void (*cli_input_error_fn)(cli_out *out, const char *message, void *payload);

typedef struct cli_pipeline_opts {
	const char *rules_dir;   /* --rules-dir or NULL */
	const char *dictionary;  /* --dictionary FILE or NULL */
	const char *glossary;    /* --glossary FILE or NULL */
	const aq_lexicon *glossary_lex; /* an already loaded glossary (borrowed), used
	                          * instead of loading glossary; or NULL */
	aq_input_format format;  /* --input-format */
	const char *encoding;    /* --encoding NAME, or NULL (auto) */
	bool align;              /* also align (else segment only) */
	aq_align_opts align_opts;
	cli_input_error_fn on_input_error; /* optional: told of every input error
	                          * (gets the payload given to cli_run_records) */
} cli_pipeline_opts;

/* Reads every record of paths, segments (and aligns) it and calls emit.
 * Bad records are reported on stderr and skipped.  Returns an exit code:
 * EXIT_CLEAN, EXIT_INPUT if any input error happened, EXIT_USAGE for a
 * configuration error (unreadable rules or dictionary). */
int cli_run_records(char **paths, int n_paths, const cli_pipeline_opts *opts,
	cli_emit_fn emit, void *payload, cli_out *out);

/* Aligns two pre-segmented files (one sentence a line) as one record. */
int cli_run_presegmented(const char *en_path, const char *zh_path,
	const cli_pipeline_opts *opts, cli_emit_fn emit, void *payload, cli_out *out);

/* Loads --dictionary / --glossary files; returns 0 or an exit code. */
int cli_load_lexicons(aq_ctx *ctx, const cli_pipeline_opts *opts, aq_lexicon **dict,
	aq_lexicon **glossary);

#endif
