/*
 * cmd_check.c - `alignqa check`: the CI check.  Loads the rules (shipped
 * packs, user packs, configuration, glossaries, command-line overrides),
 * runs every record through the record loop and the checker, hides what a
 * baseline accepts, writes the report and maps the result to an exit code.
 */
#include "common.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_CONFIG CLI_DEFAULT_CONFIG

static const char check_help[] =
	"Usage: alignqa check [options] [FILE|DIR|-]...\n"
	"\n"
	"Finds translation defects in each record: omitted and added sentences, changed\n"
	"or dropped numbers, acronyms and terms, untranslated text, punctuation and\n"
	"script problems.  Records are read from files, directories (recursively) or\n"
	"standard input (no argument or -), segmented, aligned and checked by the rules\n"
	"of the shipped packs, your packs and your configuration.\n"
	"\n"
	"Output:\n"
	"  -f, --format FMT        text (default): file:line:col: severity: message [rule]\n"
	"                            with the sentences concerned and the place marked;\n"
	"                          json: one document {\"records\":[...],\"summary\":{...}};\n"
	"                          jsonl: one object a record, {\"id\":...,\"findings\":\n"
	"                            [{\"rule\",\"severity\",\"category\",\"message\",\n"
	"                            \"en\":[start,end]|null,\"zh\":[start,end]|null,...}]}\n"
	"                            (UTF-8 byte offsets into the record's en and zh);\n"
	"                          sarif: SARIF 2.1.0 (code scanning);\n"
	"                          junit: JUnit XML, a test case a record;\n"
	"                          github: GitHub Actions annotations (::error ...)\n"
	"  -o, --output FILE       write the report to FILE instead of standard output\n"
	"      --fail-on LEVEL     error (default), warning or info: the lowest severity\n"
	"                          that makes the check fail (exit code 1)\n"
	"\n"
	"Rules:\n"
	CLI_RULE_HELP
	"  -c, --config FILE       configuration file (default: ./" DEFAULT_CONFIG " if it\n"
	"                          exists): rules on or off, severities, packs, glossaries\n"
	"      --no-config         do not read ./" DEFAULT_CONFIG "\n"
	CLI_RULE_HELP_OVERRIDES
	"\n"
	"Baselines:\n"
	"      --baseline FILE     report only findings that FILE does not list (a\n"
	"                          fingerprint listed n times hides n findings)\n"
	"      --write-baseline FILE  write every finding of this run to FILE (written\n"
	"                          after the check; FILE may be the --baseline file;\n"
	"                          the exit code is computed as usual)\n"
	"                          A baseline is a text file meant for review in diffs:\n"
	"                          \"# alignqa baseline v1\", then one finding a line,\n"
	"                          FINGERPRINT<TAB>RULE<TAB>RECORD-ID<TAB>MESSAGE, sorted.\n"
	"                          Only the fingerprint (rule, record id and the text\n"
	"                          concerned, not its place) decides a match.\n"
	"\n"
	"Report store:\n"
	"      --db FILE           also store the run in the SQLite database FILE\n"
	"                          (created if needed): every checked record with its\n"
	"                          sentences, beads and all its findings (those a\n"
	"                          baseline hides too) and the input errors.  Read them\n"
	"                          back with 'alignqa findings --db FILE'\n"
	"\n"
	"Input:\n"
	CLI_INPUT_HELP
	"  -h, --help              show this help\n"
	"\n"
	"Exit codes:\n"
	"  0  no finding at or above --fail-on (findings hidden by --baseline do not count)\n"
	"  1  findings at or above --fail-on\n"
	"  2  usage or configuration error: a bad option, a broken rule pack, glossary,\n"
	"     dictionary, configuration or baseline file; nothing is checked\n"
	"  3  input or runtime error: a file or record could not be read or checked, or\n"
	"     the report could not be written.  The other records are still checked and\n"
	"     reported; 3 wins over 1 because part of the input went unchecked.  A\n"
	"     --db database that cannot be opened or written is also a 3 (one line on\n"
	"     standard error; what was committed before stays intact).\n";

/* What the record loop hands to emit: everything one check run needs. */
typedef struct check_run {
	aq_ctx *ctx;
	aq_checker *chk;
	aq_reporter *rep;
	const aq_baseline *baseline; /* --baseline or NULL */
	aq_baseline *hidden;         /* findings the baseline has hidden so far */
	aq_baseline *record;         /* --write-baseline or NULL */
	aq_findings findings;        /* the current record's, reused */
	aq_finding *shown;           /* shallow copies of the findings reported */
	size_t shown_cap;
	aq_severity fail_on;
	size_t n_failing;            /* reported findings at or above fail_on */
	size_t n_hidden;             /* findings hidden by the baseline */
	bool failed;                 /* the report could not be written */
	aq_store *store;             /* --db, or NULL (also after it failed) */
	int64_t run_id;              /* the stored run */
	size_t n_records;            /* records checked */
	size_t n_findings;           /* findings found (hidden ones included) */
	size_t n_input_errors;
} check_run;

/* A store failure: said once; the check goes on without the store, and
 * what was committed stays as it was. */
static void store_failed(check_run *r)
{
	cli_error("%s", aq_ctx_errmsg(r->ctx));
	aq_store_close(r->store);
	r->store = NULL;
	r->failed = true;
}

/* Stores the checked record; returns 0, or -1 when it was an input error
 * (a record id seen twice in this run). */
static int store_record(cli_out *out, check_run *r, const aq_alignment *a);

static void on_input_error(cli_out *out, const char *message, void *payload)
{
	check_run *r = payload;

	r->n_input_errors++;
	if (aq_reporter_input_error(r->rep, &out->buf, message))
		r->failed = true;
	if (r->store && aq_store_input_error(r->store, r->run_id, message))
		store_failed(r);
}

static int store_record(cli_out *out, check_run *r, const aq_alignment *a)
{
	int rc;

	if (!r->store)
		return 0;
	rc = aq_store_record(r->store, r->run_id, a, &r->findings);
	if (rc == AQ_EINPUT) {
		char msg[1100];

		snprintf(msg, sizeof(msg), "%s", aq_ctx_errmsg(r->ctx));
		cli_error("%s", msg);
		on_input_error(out, msg, r);
		return -1;
	}
	if (rc)
		store_failed(r);
	return 0;
}

static int emit_check(cli_out *out, const aq_alignment *a, void *payload)
{
	check_run *r = payload;
	aq_findings view;
	size_t n = 0;

	if (aq_check(&r->findings, r->chk, a)) {
		char msg[1200];

		snprintf(msg, sizeof(msg), "%s:%u: record %s: %s", a->rec->source, a->rec->line,
			a->rec->id, aq_ctx_errmsg(r->ctx));
		cli_error("%s", msg);
		on_input_error(out, msg, r);
		return -1;
	}
	r->n_records++;
	r->n_findings += r->findings.n;
	if (r->findings.n > r->shown_cap) {
		aq_finding *v = realloc(r->shown, r->findings.n * sizeof(*v));
		if (!v) {
			cli_error("out of memory");
			r->failed = true;
			return -1;
		}
		r->shown = v;
		r->shown_cap = r->findings.n;
	}
	for (size_t i = 0; i < r->findings.n; i++) {
		const aq_finding *f = &r->findings.v[i];

		if (r->record && aq_baseline_add(r->record, a->rec->id, f)) {
			cli_error("%s", aq_ctx_errmsg(r->ctx));
			r->failed = true;
			return -1;
		}
		if (r->baseline && aq_baseline_count(r->hidden, f->fingerprint) <
		    aq_baseline_count(r->baseline, f->fingerprint)) {
			if (aq_baseline_add(r->hidden, a->rec->id, f)) {
				cli_error("%s", aq_ctx_errmsg(r->ctx));
				r->failed = true;
				return -1;
			}
			r->n_hidden++;
			continue;
		}
		r->shown[n++] = *f; /* borrowed strings: view is never disposed */
		if (f->severity >= r->fail_on)
			r->n_failing++;
	}
	view.v = r->shown;
	view.n = n;
	view.cap = r->shown_cap;
	if (aq_reporter_record(r->rep, &out->buf, a, &view)) {
		cli_error("%s", aq_ctx_errmsg(r->ctx));
		r->failed = true;
		return -1;
	}
	return store_record(out, r, a);
}

/* Everything the options ask for, loaded before any record is read. */
typedef struct check_setup {
	cli_ruleset rs;
	aq_baseline *baseline;
	aq_lexicon *dict;
} check_setup;

static void setup_dispose(check_setup *s)
{
	cli_ruleset_dispose(&s->rs);
	aq_lexicon_free(s->dict);
	aq_baseline_free(s->baseline);
}

/* Loads the rules the options ask for, the aligner's dictionary and the
 * baseline.  Returns 0 or EXIT_USAGE after printing what is wrong. */
static int setup_load(check_setup *s, aq_ctx *ctx, const cli_rule_opts *ro,
	const char *baseline)
{
	if (cli_rule_opts_load(&s->rs, ctx, ro))
		return EXIT_USAGE;
	if (cli_dictionary_load(ctx, ro->dictionary, cli_rules_dir(ro->rules_dir), &s->dict))
		return EXIT_USAGE;
	if (baseline && aq_baseline_load(&s->baseline, ctx, baseline)) {
		cli_error("%s", *aq_ctx_errmsg(ctx) ? aq_ctx_errmsg(ctx) : "out of memory");
		return EXIT_USAGE;
	}
	return 0;
}

int cmd_check(int argc, char **argv)
{
	enum { OPT_FAIL_ON = 256, OPT_BASELINE, OPT_WRITE_BASELINE, OPT_DB };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "baseline", required_argument, NULL, OPT_BASELINE },
		{ "write-baseline", required_argument, NULL, OPT_WRITE_BASELINE },
		{ "db", required_argument, NULL, OPT_DB },
		CLI_RULE_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	aq_report_format fmt = AQ_REPORT_TEXT;
	aq_severity fail_on = AQ_SEV_ERROR;
	const char *output = NULL, *baseline = NULL;
	const char *write_baseline = NULL, *db = NULL;
	bool out_open = false;
	cli_rule_opts ro;
	cli_pipeline_opts opts;
	check_setup setup;
	check_run run;
	aq_ctx *ctx = NULL;
	cli_out out;
	int c, rc = EXIT_USAGE;

	memset(&opts, 0, sizeof(opts));
	memset(&setup, 0, sizeof(setup));
	memset(&run, 0, sizeof(run));
	aq_findings_init(&run.findings);
	opts.align = true;
	aq_align_opts_default(&opts.align_opts);
	if (cli_rule_opts_init(&ro, argc))
		goto out;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:o:" CLI_RULE_SHORTOPTS "h", longopts,
		    NULL)) != -1) {
		if ((rc = cli_rule_opts_parse(&ro, "check", c, optarg)) == 1)
			continue;
		if (rc == EXIT_USAGE)
			goto out;
		rc = EXIT_USAGE;
		switch (c) {
		case 'f':
			if (aq_report_format_parse(&fmt, optarg)) {
				rc = cli_usage_error("check", "unknown format '%s' (text, json, jsonl, "
					"sarif, junit or github)", optarg);
				goto out;
			}
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_FAIL_ON:
			if (aq_severity_parse(&fail_on, optarg)) {
				rc = cli_usage_error("check", "--fail-on wants error, warning or info, "
					"not '%s'", optarg);
				goto out;
			}
			break;
		case OPT_BASELINE:
			baseline = optarg;
			break;
		case OPT_WRITE_BASELINE:
			write_baseline = optarg;
			break;
		case OPT_DB:
			if (!*optarg) {
				rc = cli_usage_error("check", "--db wants a file name");
				goto out;
			}
			db = optarg;
			break;
		case 'h':
			fputs(check_help, stdout);
			rc = EXIT_CLEAN;
			goto out;
		default:
			rc = cli_usage_error("check", "bad option");
			goto out;
		}
	}
	if ((rc = cli_rule_opts_finish(&ro, "check", true)))
		goto out;
	opts.format = ro.format;
	opts.encoding = ro.encoding;

	if (aq_ctx_new(&ctx)) {
		cli_error("out of memory");
		rc = EXIT_INPUT;
		goto out;
	}
	if ((rc = setup_load(&setup, ctx, &ro, baseline)))
		goto out;
	rc = EXIT_INPUT; /* from here on, failures are runtime errors */
	run.ctx = ctx;
	run.fail_on = fail_on;
	run.baseline = setup.baseline;
	if (aq_checker_new(&run.chk, ctx, setup.rs.rules) ||
	    aq_reporter_new(&run.rep, ctx, fmt, setup.rs.rules) ||
	    (baseline && aq_baseline_new(&run.hidden, ctx)) ||
	    (write_baseline && aq_baseline_new(&run.record, ctx))) {
		cli_error("%s", aq_ctx_errmsg(ctx));
		goto out;
	}
	aq_reporter_set_fail_on(run.rep, fail_on);
	if (db) {
		aq_buf opt_json;
		char digest[17];
		bool stored;

		aq_buf_init(&opt_json);
		if (cli_options_json(&opt_json, argc, argv)) {
			aq_buf_dispose(&opt_json);
			cli_error("out of memory");
			goto out;
		}
		aq_run_digest(digest, setup.rs.rules, setup.dict,
			setup.rs.n_glossaries ? setup.rs.glossaries[0] : NULL);
		stored = aq_store_open(&run.store, ctx, db) == 0 &&
			aq_store_begin_run(run.store, &run.run_id, AQ_VERSION, digest,
				opt_json.ptr) == 0;
		aq_buf_dispose(&opt_json);
		if (!stored) {
			cli_error("%s", aq_ctx_errmsg(ctx));
			goto out;
		}
	}

	opts.rules_dir = ro.rules_dir;
	opts.glossary = ro.n_glossaries ? ro.glossaries[0] : NULL;
	opts.glossary_lex = setup.rs.n_glossaries ? setup.rs.glossaries[0] : NULL;
	opts.dict_loaded = true;
	opts.dict_lex = setup.dict;
	opts.on_input_error = on_input_error;
	if (cli_out_open(&out, output))
		goto out;
	out_open = true;
	if (aq_reporter_begin(run.rep, &out.buf)) {
		cli_error("%s", aq_ctx_errmsg(ctx));
		goto out;
	}
	rc = cli_run_records(argv + optind, argc - optind, &opts, emit_check, &run, &out);
	if (rc == EXIT_USAGE) {
		/* The loop could not start (abbreviations, dictionary): no report. */
		aq_buf_clear(&out.buf);
		goto out;
	}
	if (aq_reporter_end(run.rep, &out.buf)) {
		cli_error("%s", aq_ctx_errmsg(ctx));
		run.failed = true;
	}
	if (run.store && aq_store_end_run(run.store, run.run_id, run.n_records, run.n_findings,
		    run.n_input_errors))
		store_failed(&run);
	out_open = false;
	if (cli_out_close(&out))
		run.failed = true;
	if (write_baseline && aq_baseline_save(run.record, write_baseline)) {
		cli_error("%s", aq_ctx_errmsg(ctx));
		run.failed = true;
	}
	if (run.n_hidden)
		fprintf(stderr, "alignqa: %zu finding%s hidden by the baseline %s\n", run.n_hidden,
			run.n_hidden == 1 ? "" : "s", baseline);
	if (rc == EXIT_INPUT || run.failed)
		rc = EXIT_INPUT;
	else
		rc = run.n_failing ? EXIT_FINDINGS : EXIT_CLEAN;
out:
	if (out_open)
		cli_out_close(&out);
	aq_findings_dispose(&run.findings);
	free(run.shown);
	aq_baseline_free(run.hidden);
	aq_baseline_free(run.record);
	aq_store_close(run.store);
	aq_reporter_free(run.rep);
	aq_checker_free(run.chk);
	setup_dispose(&setup);
	aq_ctx_free(ctx);
	cli_rule_opts_dispose(&ro);
	return rc;
}
