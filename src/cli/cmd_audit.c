/*
 * cmd_audit.c - `alignqa audit`: checks a whole archive into the report
 * store on worker threads, incrementally (unchanged records are skipped),
 * optionally one shard of it.  The library (audit.c) does the work; this
 * file parses options, loads the rules, shows progress and the summary.
 */
#include "common.h"

#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_DB "alignqa.db"
/* Seconds between two progress lines when stderr is not a terminal. */
#define PLAIN_PROGRESS_EVERY 5.0

static const char audit_help[] =
	"Usage: alignqa audit [options] [FILE|DIR|-]...\n"
	"\n"
	"Checks a whole archive of records into the report store: every record is\n"
	"segmented, aligned and checked on worker threads and stored as one new run,\n"
	"in input order whatever the number of threads.  Read the results with\n"
	"'alignqa findings --db FILE'.\n"
	"\n"
	"Incremental and resumable: a record whose id, text and rule set are the same\n"
	"as in the latest run that stored it is skipped (its stored results stay the\n"
	"latest).  Records are committed in batches, so that an audit killed midway\n"
	"keeps what it committed and rerunning it checks only the rest.\n"
	"\n"
	"Audit:\n"
	"      --db FILE           the report database (default: ./" DEFAULT_DB ";\n"
	"                          created if needed)\n"
	"  -j, --jobs N            worker threads (default: the number of online CPUs)\n"
	"  -q, --quiet             no progress line (the summary is still printed)\n"
	"      --force             check every record, also unchanged ones\n"
	"      --shard K/N         check only the records whose id hashes to shard K of\n"
	"                          N (1 <= K <= N); merge the shard databases with\n"
	"                          'alignqa merge'\n"
	"\n"
	"Rules (as for 'alignqa check'; the rule set is part of what makes a record\n"
	"unchanged, so changing these options checks every record again):\n"
	CLI_RULE_HELP
	"  -c, --config FILE       configuration file: rules on or off, severities,\n"
	"                          packs, glossaries (audit reads none unless asked)\n"
	"      --no-config         read no configuration file (the default)\n"
	CLI_RULE_HELP_OVERRIDES
	"\n"
	"Input:\n"
	CLI_INPUT_HELP
	"                          Compressed files (gzip, bzip2, xz) and tar or zip\n"
	"                          archives are read member by member, told by their\n"
	"                          content; records are named ARCHIVE:member\n"
	"  -h, --help              show this help\n"
	"\n"
	"Progress goes to standard error: one updating line on a terminal, else a line\n"
	"every " "5" " seconds; the ETA is an estimate from the bytes read (none for\n"
	"standard input).  The summary at the end counts records checked, skipped as\n"
	"unchanged, findings by severity and category, and input errors.\n"
	"\n"
	"Exit codes:\n"
	"  0  the audit ran (findings do not change the exit code)\n"
	"  2  usage or configuration error (options, rule packs, glossary, dictionary)\n"
	"  3  input errors (stored with the run; the other records were checked) or a\n"
	"     store error (what was committed stays; rerun to finish)\n";

/* What the progress callback needs. */
typedef struct audit_view {
	bool is_tty;       /* stderr is a terminal: one updating line */
	bool quiet;
	bool line_open;    /* an updating line is on the terminal */
	double last_plain; /* elapsed_s of the last plain progress line */
	uint64_t total_bytes; /* size of the input files, 0 if unknown */
} audit_view;

/* "1h02m", "3m05s", "12.3s" into buf. */
static const char *fmt_duration(char *buf, size_t size, double s)
{
	if (s >= 3600)
		snprintf(buf, size, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else if (s >= 60)
		snprintf(buf, size, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, size, "%.1fs", s);
	return buf;
}

static void on_progress(const aq_audit_stats *s, void *payload)
{
	audit_view *v = payload;
	size_t done = s->checked + s->skipped;
	double rate = s->elapsed_s > 0 ? (double)done / s->elapsed_s : 0;
	char el[32], eta[32], eta_part[48] = "";

	if (v->quiet)
		return;
	if (!v->is_tty) {
		if (s->done || s->elapsed_s - v->last_plain < PLAIN_PROGRESS_EVERY)
			return;
		v->last_plain = s->elapsed_s;
	}
	/* The text read is a little less than the file bytes (markup, JSON):
	 * the ETA errs on the long side. */
	if (v->total_bytes && s->text_bytes && !s->done && s->text_bytes < v->total_bytes) {
		double frac = (double)s->text_bytes / (double)v->total_bytes;

		snprintf(eta_part, sizeof(eta_part), ", ETA %s",
			fmt_duration(eta, sizeof(eta), s->elapsed_s * (1 - frac) / frac));
	}
	fprintf(stderr, "%s%zu records, %.0f rec/s, %s elapsed%s, %zu findings%s",
		v->is_tty ? "\r" : "alignqa audit: ", done, rate,
		fmt_duration(el, sizeof(el), s->elapsed_s), eta_part, s->findings,
		v->is_tty ? "\033[K" : "\n");
	v->line_open = v->is_tty;
}

static void on_input_error(const char *message, void *payload)
{
	audit_view *v = payload;

	if (v->line_open) {
		fputc('\n', stderr);
		v->line_open = false;
	}
	cli_error("%s", message);
}

/* Sum of the sizes of the regular files under a path (nftw). */
static uint64_t input_bytes;
static int add_file_size(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (type == FTW_F && S_ISREG(st->st_mode))
		input_bytes += (uint64_t)st->st_size;
	return 0;
}

/* The bytes of every input file, or 0 when unknown (standard input). */
static uint64_t total_input_bytes(char **paths, int n)
{
	input_bytes = 0;
	if (n == 0)
		return 0;
	for (int i = 0; i < n; i++) {
		if (!strcmp(paths[i], "-"))
			return 0;
		nftw(paths[i], add_file_size, 16, FTW_PHYS);
	}
	return input_bytes;
}

static void print_summary(const aq_audit_stats *s, const char *db, bool sharded)
{
	double rate = s->elapsed_s > 0 ? (double)(s->checked + s->skipped) / s->elapsed_s : 0;
	bool first = true;

	fprintf(stderr, "alignqa audit: run %lld in %s: %zu records in %.1f s (%.0f rec/s)\n",
		(long long)s->run_id, db, s->records, s->elapsed_s, rate);
	fprintf(stderr, "  checked:              %zu\n", s->checked);
	fprintf(stderr, "  skipped as unchanged: %zu\n", s->skipped);
	if (sharded)
		fprintf(stderr, "  left to other shards: %zu\n", s->other_shards);
	fprintf(stderr, "  input errors:         %zu\n", s->input_errors);
	fprintf(stderr, "  findings:             %zu (%zu error, %zu warning, %zu info)\n",
		s->findings, s->by_severity[AQ_SEV_ERROR], s->by_severity[AQ_SEV_WARNING],
		s->by_severity[AQ_SEV_INFO]);
	if (!s->findings)
		return;
	fputs("  by category:         ", stderr);
	for (int c = 0; c < AQ_CAT__COUNT; c++) {
		if (!s->by_category[c])
			continue;
		fprintf(stderr, "%s %s %zu", first ? "" : ",", aq_category_name((aq_category)c),
			s->by_category[c]);
		first = false;
	}
	fputc('\n', stderr);
}

/* "K/N" -> k, n; returns 0 or -1. */
static int parse_shard(const char *arg, uint32_t *k, uint32_t *n)
{
	char *end;
	unsigned long kk, nn;

	errno = 0;
	kk = strtoul(arg, &end, 10);
	if (end == arg || *end != '/' || errno)
		return -1;
	arg = end + 1;
	nn = strtoul(arg, &end, 10);
	if (end == arg || *end || errno || nn < 1 || nn > UINT32_MAX || kk < 1 || kk > nn)
		return -1;
	*k = (uint32_t)kk;
	*n = (uint32_t)nn;
	return 0;
}

/* What the options ask to load before any record is read. */
typedef struct audit_setup {
	cli_ruleset rs;
	aq_lexicon *dict;
	aq_segmenter *seg;
} audit_setup;

static void setup_dispose(audit_setup *s)
{
	aq_segmenter_free(s->seg);
	cli_ruleset_dispose(&s->rs);
	aq_lexicon_free(s->dict);
}

/* Loads the rules, the dictionary and the segmenter the options ask for.
 * Returns 0, or an exit code after printing what is wrong. */
static int setup_load(audit_setup *s, aq_ctx *ctx, const cli_rule_opts *ro)
{
	char path[4096];
	int rc = EXIT_USAGE, err;

	if (cli_rule_opts_load(&s->rs, ctx, ro))
		return EXIT_USAGE;
	if (cli_dictionary_load(ctx, ro->dictionary, cli_rules_dir(ro->rules_dir), &s->dict))
		return EXIT_USAGE;
	cli_path(path, sizeof(path), cli_rules_dir(ro->rules_dir), "abbreviations.txt");
	if ((err = aq_segmenter_new(&s->seg, ctx, path))) {
		if (err == AQ_EICU)
			rc = EXIT_INPUT;
		goto out;
	}
	rc = 0;
out:
	if (rc)
		cli_error("%s", *aq_ctx_errmsg(ctx) ? aq_ctx_errmsg(ctx) : "out of memory");
	return rc;
}

int cmd_audit(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_FORCE, OPT_SHARD };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "shard", required_argument, NULL, OPT_SHARD },
		CLI_RULE_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = DEFAULT_DB;
	cli_rule_opts ro;
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	aq_audit_opts o;
	aq_audit_stats stats;
	audit_view view;
	audit_setup setup;
	aq_store *st = NULL;
	aq_ctx *ctx = NULL;
	aq_buf opt_json;
	int c, rc = EXIT_USAGE, err;

	memset(&o, 0, sizeof(o));
	memset(&view, 0, sizeof(view));
	memset(&setup, 0, sizeof(setup));
	memset(&stats, 0, sizeof(stats));
	aq_buf_init(&opt_json);
	o.jobs = cpus > 0 ? (unsigned)cpus : 1;
	if (cli_rule_opts_init(&ro, argc)) {
		rc = EXIT_INPUT;
		goto out;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "j:q" CLI_RULE_SHORTOPTS "h", longopts,
		    NULL)) != -1) {
		if ((rc = cli_rule_opts_parse(&ro, "audit", c, optarg)) == 1)
			continue;
		if (rc == EXIT_USAGE)
			goto out;
		rc = EXIT_USAGE;
		switch (c) {
		case OPT_DB:
			if (!*optarg) {
				rc = cli_usage_error("audit", "--db wants a file name");
				goto out;
			}
			db = optarg;
			break;
		case 'j': {
			char *end;
			long n;

			errno = 0;
			n = strtol(optarg, &end, 10);
			if (end == optarg || *end || errno || n < 1 || n > 256) {
				rc = cli_usage_error("audit", "--jobs wants a number from 1 to 256, "
					"not '%s'", optarg);
				goto out;
			}
			o.jobs = (unsigned)n;
			break;
		}
		case 'q':
			view.quiet = true;
			break;
		case OPT_FORCE:
			o.force = true;
			break;
		case OPT_SHARD:
			if (parse_shard(optarg, &o.shard_k, &o.shard_n)) {
				rc = cli_usage_error("audit", "--shard wants K/N with 1 <= K <= N, "
					"not '%s'", optarg);
				goto out;
			}
			break;
		case 'h':
			fputs(audit_help, stdout);
			rc = EXIT_CLEAN;
			goto out;
		default:
			rc = cli_usage_error("audit", "bad option");
			goto out;
		}
	}
	if (o.jobs > 256)
		o.jobs = 256;
	/* Unlike check, audit reads ./.alignqa.yaml only when --config names it:
	 * what an archive audit checks does not depend on the directory it
	 * was started from. */
	if ((rc = cli_rule_opts_finish(&ro, "audit", false)))
		goto out;
	if (aq_ctx_new(&ctx)) {
		cli_error("out of memory");
		rc = EXIT_INPUT;
		goto out;
	}
	if ((rc = setup_load(&setup, ctx, &ro)))
		goto out;
	rc = EXIT_INPUT; /* from here on, failures are runtime errors */
	if (cli_options_json(&opt_json, argc, argv)) {
		cli_error("out of memory");
		goto out;
	}
	if (aq_store_open(&st, ctx, db)) {
		cli_error("%s", aq_ctx_errmsg(ctx));
		goto out;
	}
	view.is_tty = isatty(STDERR_FILENO);
	view.total_bytes = total_input_bytes(argv + optind, argc - optind);
	o.paths = (const char *const *)(argv + optind);
	o.n_paths = (size_t)(argc - optind);
	o.format = ro.format;
	o.encoding = ro.encoding;
	o.seg = setup.seg;
	o.rules = setup.rs.rules;
	o.dict = setup.dict;
	o.glossary = setup.rs.n_glossaries ? setup.rs.glossaries[0] : NULL;
	o.options_json = opt_json.ptr;
	o.progress = on_progress;
	o.on_input_error = on_input_error;
	o.payload = &view;
	err = aq_audit_run(&stats, ctx, st, &o);
	if (view.line_open)
		fputc('\n', stderr);
	if (err) {
		cli_error("%s", aq_ctx_errmsg(ctx));
		if (err == AQ_EINVAL) {
			rc = EXIT_USAGE;
			goto out;
		}
	}
	print_summary(&stats, db, o.shard_n > 0);
	rc = err || stats.input_errors ? EXIT_INPUT : EXIT_CLEAN;
out:
	aq_store_close(st);
	setup_dispose(&setup);
	aq_buf_dispose(&opt_json);
	aq_ctx_free(ctx);
	cli_rule_opts_dispose(&ro);
	return rc;
}
