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

/* Whether rule patterns get PCRE2's JIT: yes unless $ALIGNQA_NO_JIT is "1"
 * (valgrind cannot follow JIT-generated code). */
bool cli_use_jit(void);

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

/* ---- rule and input options shared by check and audit ---- */

/* The configuration file read when neither --config nor --no-config is
 * given (check only). */
#define CLI_DEFAULT_CONFIG ".alignqa.yaml"

/* A --enable, --disable or --severity, applied in command-line order. */
typedef struct cli_override {
	int enabled;     /* 1 on, 0 off, -1 keep */
	int sev;         /* aq_severity, -1 keep */
	const char *sel; /* rule id, PACK.* or category:NAME */
	char *owned;     /* copy of sel when cut out of RULE=LEVEL */
} cli_override;

/* What the rule and input options ask for.  Strings are borrowed from
 * argv. */
typedef struct cli_rule_opts {
	const char *rules_dir;   /* --rules-dir DIR, or NULL */
	char **packs;            /* --rules PATH, in order */
	size_t n_packs;
	const char *config;      /* --config FILE (or the default), or NULL */
	bool no_config;          /* --no-config */
	char **glossaries;       /* --glossary FILE, in order */
	size_t n_glossaries;
	cli_override *ov;        /* --enable, --disable, --severity, in order */
	size_t n_ov;
	const char *dictionary;  /* --dictionary FILE, or NULL */
	aq_input_format format;  /* --input-format */
	const char *encoding;    /* --encoding NAME, or NULL */
} cli_rule_opts;

/* getopt_long values of the shared long options without a short form. */
enum {
	CLI_OPT_RULES_DIR = 0x1000, CLI_OPT_NO_CONFIG, CLI_OPT_ENABLE, CLI_OPT_DISABLE,
	CLI_OPT_SEVERITY, CLI_OPT_ENCODING, CLI_OPT_NO_DICTIONARY,
};

/* The shared options, to put in a command's getopt_long tables. */
#define CLI_RULE_SHORTOPTS "r:c:g:d:i:"
#define CLI_RULE_LONGOPTS \
	{ "rules-dir", required_argument, NULL, CLI_OPT_RULES_DIR }, \
	{ "rules", required_argument, NULL, 'r' }, \
	{ "config", required_argument, NULL, 'c' }, \
	{ "no-config", no_argument, NULL, CLI_OPT_NO_CONFIG }, \
	{ "enable", required_argument, NULL, CLI_OPT_ENABLE }, \
	{ "disable", required_argument, NULL, CLI_OPT_DISABLE }, \
	{ "severity", required_argument, NULL, CLI_OPT_SEVERITY }, \
	{ "glossary", required_argument, NULL, 'g' }, \
	{ "dictionary", required_argument, NULL, 'd' }, \
	{ "no-dictionary", no_argument, NULL, CLI_OPT_NO_DICTIONARY }, \
	{ "input-format", required_argument, NULL, 'i' }, \
	{ "encoding", required_argument, NULL, CLI_OPT_ENCODING }

/* Their --help texts: the rules section, then the input options. */
#define CLI_RULE_HELP \
	"      --rules-dir DIR     the shipped rule packs (default: next to the program,\n" \
	"                          or $ALIGNQA_RULES_DIR)\n" \
	"  -r, --rules PATH        also load your rule packs: a directory of *.yaml packs\n" \
	"                          or one pack file (repeatable)\n"
#define CLI_RULE_HELP_OVERRIDES \
	"      --enable RULE       switch a rule on; RULE may be an id, PACK.* or\n" \
	"                          category:NAME (repeatable, applied in order after\n" \
	"                          the configuration file)\n" \
	"      --disable RULE      switch a rule off (repeatable)\n" \
	"      --severity RULE=LEVEL  change a rule's severity to error, warning or info\n" \
	"                          (repeatable)\n" \
	"  -g, --glossary FILE     glossary TSV (English, Chinese[, status[, note]]) for\n" \
	"                          the terminology rules; the first one also gives the\n" \
	"                          aligner its anchors (repeatable)\n" \
	"  -d, --dictionary FILE   bilingual dictionary for the aligner instead of the\n" \
	"                          team lexicon (rules/lexicon): CC-CEDICT, its TSV\n" \
	"                          form or a compiled file; default $ALIGNQA_DICTIONARY\n" \
	"      --no-dictionary     no dictionary at all (the same as -d '')\n"
#define CLI_INPUT_HELP \
	"  -i, --input-format FMT  auto (default), text or jsonl\n" \
	"      --encoding NAME     encoding of the input files: auto (default: UTF-8,\n" \
	"                          else detected: UTF-16, GB18030, Big5) or a name such\n" \
	"                          as GB18030, Big5, UTF-16LE, windows-1252\n"

/* Zeroes ro and makes room for argc repeatable options.  0 or -1 (out of
 * memory, said on stderr). */
int cli_rule_opts_init(cli_rule_opts *ro, int argc);
/* Takes option c (getopt_long's value, its argument arg) if it is one of
 * the shared options.  Returns 1 if it was, 0 if it is not one of them, or
 * EXIT_USAGE after saying what is wrong (cmd names the command). */
int cli_rule_opts_parse(cli_rule_opts *ro, const char *cmd, int c, const char *arg);
/* After the options: --config and --no-config exclude each other; with
 * use_default, ./.alignqa.yaml is read when neither is given.  Returns 0
 * or EXIT_USAGE. */
int cli_rule_opts_finish(cli_rule_opts *ro, const char *cmd, bool use_default);
/* Loads the rule set the options ask for: shipped packs, user packs,
 * configuration, glossaries, then the overrides in order.  Returns 0 or
 * EXIT_USAGE after printing what is wrong.  rs must be zeroed first;
 * dispose it either way. */
int cli_rule_opts_load(cli_ruleset *rs, aq_ctx *ctx, const cli_rule_opts *ro);
void cli_rule_opts_dispose(cli_rule_opts *ro);

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
int cmd_compare(int argc, char **argv);
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
	bool dict_loaded;        /* dict_lex is the dictionary (NULL: none); else
	                          * dictionary says which to load */
	const aq_lexicon *dict_lex; /* borrowed */
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

/* Appends one stored finding as the JSON object of `alignqa findings
 * --format json` (record, source, rule, severity, category, message, en,
 * zh, fingerprint, run, journal, date): the contract of findings and
 * compare. */
void cli_json_store_finding(aq_buf *b, const aq_store_finding *f);
/* Reads a whole file ("-": standard input) into a NUL-terminated buffer
 * of *len bytes that the caller frees; more than max bytes is an error.
 * Returns 0, or -1 after a one-line error on stderr. */
int cli_read_file(const char *path, size_t max, char **data, size_t *len);

/* Opens an existing report database for reading commands (findings,
 * report, compare): a missing file is one line naming it.  On failure
 * (-1, after that line) *ctx may be set and is the caller's to free. */
int cli_open_db(const char *db, aq_ctx **ctx, aq_store **st);

/* Appends s as a JSON string, or null. */
void cli_json_str_or_null(aq_buf *b, const char *s);

/* Loads the aligner's dictionary (dict.c): spec NULL for the default, the
 * team lexicon in data_dir/lexicon (none if that is missing), "" for none,
 * else that file.  Text dictionaries are compiled once into the user's cache
 * ($ALIGNQA_CACHE_DIR, else $XDG_CACHE_HOME/alignqa or ~/.cache/alignqa).
 * Returns 0 or EXIT_USAGE after a one-line error. */
int cli_dictionary_load(aq_ctx *ctx, const char *spec, const char *data_dir,
	aq_lexicon **out);

/* Loads --dictionary / --glossary files; returns 0 or an exit code. */
int cli_load_lexicons(aq_ctx *ctx, const cli_pipeline_opts *opts, aq_lexicon **dict,
	aq_lexicon **glossary);

#endif
