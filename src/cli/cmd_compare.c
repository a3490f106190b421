/*
 * cmd_compare.c - `alignqa compare`: which findings are new and which are
 * fixed between two states of the report store (two runs of one database,
 * or a baseline database against this one), as text, JSON or Markdown,
 * with check's exit codes.  What a state is and how findings match is the
 * library's (aq_store_compare in store.c); this file parses and prints.
 */
#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_DB "alignqa.db"

static const char compare_help[] =
	"Usage: alignqa compare [options]\n"
	"\n"
	"Compares two states of the findings stored by 'alignqa audit' or\n"
	"'alignqa check --db' and prints the new findings, the fixed findings and\n"
	"their counts per severity and category.  The state as of run N is, for each\n"
	"record, the findings of the latest run up to N that checked it (an\n"
	"incremental audit skips unchanged records; they keep their findings).\n"
	"Findings match on record id + rule + fingerprint (as in baselines).\n"
	"\n"
	"Options:\n"
	"      --db FILE           the (new) report database (default: ./" DEFAULT_DB ")\n"
	"      --to RUN            the new side: the state as of run RUN of --db\n"
	"                          (default: its latest run)\n"
	"      --from RUN          the old side: the state as of run RUN (default: the\n"
	"                          run before --to; 0 is the empty state)\n"
	"      --against OTHER.db  take the old side from OTHER.db (opened read-only),\n"
	"                          by default its latest results; --from then names a\n"
	"                          run of OTHER.db.  For CI: a baseline database\n"
	"  -f, --format FMT        text (default), json or markdown (see the README)\n"
	"      --fail-on LEVEL     error (default), warning or info: the lowest severity\n"
	"                          of a new finding that makes the exit code 1\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit codes: 0 no new finding at or above --fail-on, 1 new findings at or\n"
	"above --fail-on, 2 usage error (also a run that does not exist),\n"
	"3 a database could not be opened or read.\n";

typedef enum { FMT_TEXT, FMT_JSON, FMT_MARKDOWN } compare_fmt;

/* Counts of one side of the changes (new or fixed). */
typedef struct change_counts {
	size_t total;
	size_t severity[3];             /* by aq_severity */
	size_t category[AQ_CAT__COUNT]; /* by aq_category */
} change_counts;

typedef struct compare_run {
	compare_fmt fmt;
	aq_severity fail_on;
	aq_buf list[2];          /* the listings of new and fixed findings */
	change_counts counts[2]; /* by aq_store_change */
	size_t n_failing;        /* new findings at or above fail_on */
} compare_run;

/* Appends the listing of one side (which may be empty and unallocated). */
static void put_list(aq_buf *b, const compare_run *cr, aq_store_change ch)
{
	if (cr->list[ch].len)
		aq_buf_put(b, cr->list[ch].ptr, cr->list[ch].len);
}

/* A Markdown table cell: characters that end or format a cell escaped,
 * line breaks as spaces. */
static void md_cell(aq_buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (strchr("|\\`*_[]<>&#", *s))
			aq_buf_putc(b, '\\');
		aq_buf_putc(b, *s == '\n' || *s == '\r' ? ' ' : *s);
	}
}

static int on_change(aq_store_change change, const aq_store_finding *f, void *payload)
{
	compare_run *cr = payload;
	change_counts *c = &cr->counts[change];
	aq_buf *b = &cr->list[change];
	aq_severity sev = AQ_SEV_INFO;
	aq_category cat;

	if (aq_severity_parse(&sev, f->severity) == 0)
		c->severity[sev]++;
	if (aq_category_parse(&cat, f->category) == 0)
		c->category[cat]++;
	if (change == AQ_CHANGE_NEW && sev >= cr->fail_on)
		cr->n_failing++;
	switch (cr->fmt) {
	case FMT_JSON:
		aq_buf_puts(b, c->total ? ",\n  " : "\n  ");
		cli_json_store_finding(b, f);
		break;
	case FMT_MARKDOWN:
		aq_buf_puts(b, "| ");
		md_cell(b, f->severity);
		aq_buf_puts(b, " | ");
		md_cell(b, f->record);
		aq_buf_puts(b, " | ");
		md_cell(b, f->rule);
		aq_buf_puts(b, " | ");
		md_cell(b, f->message);
		aq_buf_puts(b, " |\n");
		break;
	default:
		aq_buf_putc(b, change == AQ_CHANGE_NEW ? '+' : '-');
		aq_buf_putc(b, ' ');
		if (f->source)
			aq_buf_printf(b, "%s: ", f->source);
		aq_buf_printf(b, "%s: %s: %s [%s] (run %lld", f->record, f->severity, f->message,
			f->rule, (long long)f->run);
		if (f->has_en)
			aq_buf_printf(b, "; en %u-%u", f->en_off, f->en_end);
		if (f->has_zh)
			aq_buf_printf(b, "; zh %u-%u", f->zh_off, f->zh_end);
		aq_buf_puts(b, ")\n");
		break;
	}
	c->total++;
	return b->oom ? AQ_ENOMEM : 0;
}

static const aq_severity sev_order[3] = { AQ_SEV_ERROR, AQ_SEV_WARNING, AQ_SEV_INFO };

static void json_counts(aq_buf *b, const change_counts *c)
{
	aq_buf_printf(b, "{\"total\":%zu,\"severity\":{", c->total);
	for (int i = 0; i < 3; i++)
		aq_buf_printf(b, "%s\"%s\":%zu", i ? "," : "", aq_severity_name(sev_order[i]),
			c->severity[sev_order[i]]);
	aq_buf_puts(b, "},\"category\":{");
	for (int i = 0; i < AQ_CAT__COUNT; i++)
		aq_buf_printf(b, "%s\"%s\":%zu", i ? "," : "", aq_category_name((aq_category)i),
			c->category[i]);
	aq_buf_puts(b, "}}");
}

/* "run N of DB" or "the empty state" of one side. */
static void side_label(aq_buf *b, int64_t run, const char *db, bool md)
{
	if (run == 0) {
		aq_buf_puts(b, "the empty state (run 0)");
		return;
	}
	aq_buf_printf(b, "run %lld of ", (long long)run);
	if (md) {
		aq_buf_putc(b, '`');
		for (const char *p = db; *p; p++)
			aq_buf_putc(b, *p == '`' || *p == '\n' ? '?' : *p);
		aq_buf_putc(b, '`');
	} else {
		aq_buf_puts(b, db);
	}
}

static void write_text(aq_buf *b, const compare_run *cr, const char *old_db, int64_t from,
	const char *new_db, int64_t to)
{
	const change_counts *nw = &cr->counts[AQ_CHANGE_NEW], *fx = &cr->counts[AQ_CHANGE_FIXED];

	aq_buf_puts(b, "Comparing ");
	side_label(b, from, old_db, false);
	aq_buf_puts(b, " (old) with ");
	side_label(b, to, new_db, false);
	aq_buf_puts(b, " (new).\n");
	aq_buf_printf(b, "%zu new, %zu fixed.\n", nw->total, fx->total);
	aq_buf_printf(b, "\nNew findings (%zu):\n", nw->total);
	put_list(b, cr, AQ_CHANGE_NEW);
	aq_buf_printf(b, "\nFixed findings (%zu):\n", fx->total);
	put_list(b, cr, AQ_CHANGE_FIXED);
	aq_buf_printf(b, "\n%-16s %6s %6s\n", "counts", "new", "fixed");
	for (int i = 0; i < 3; i++)
		aq_buf_printf(b, "%-16s %6zu %6zu\n", aq_severity_name(sev_order[i]),
			nw->severity[sev_order[i]], fx->severity[sev_order[i]]);
	for (int i = 0; i < AQ_CAT__COUNT; i++)
		if (nw->category[i] || fx->category[i])
			aq_buf_printf(b, "%-16s %6zu %6zu\n", aq_category_name((aq_category)i),
				nw->category[i], fx->category[i]);
}

static void write_json(aq_buf *b, const compare_run *cr, const char *old_db, int64_t from,
	const char *new_db, int64_t to)
{
	aq_buf_puts(b, "{\"from\":{\"db\":");
	cli_json_str_or_null(b, old_db);
	aq_buf_printf(b, ",\"run\":%lld},\"to\":{\"db\":", (long long)from);
	cli_json_str_or_null(b, new_db);
	aq_buf_printf(b, ",\"run\":%lld},\n\"fail_on\":\"%s\",\"failing\":%zu,\n\"counts\":{\"new\":",
		(long long)to, aq_severity_name(cr->fail_on), cr->n_failing);
	json_counts(b, &cr->counts[AQ_CHANGE_NEW]);
	aq_buf_puts(b, ",\"fixed\":");
	json_counts(b, &cr->counts[AQ_CHANGE_FIXED]);
	aq_buf_puts(b, "},\n\"new\":[");
	put_list(b, cr, AQ_CHANGE_NEW);
	aq_buf_puts(b, cr->counts[AQ_CHANGE_NEW].total ? "\n],\n\"fixed\":[" : "],\n\"fixed\":[");
	put_list(b, cr, AQ_CHANGE_FIXED);
	aq_buf_puts(b, cr->counts[AQ_CHANGE_FIXED].total ? "\n]}\n" : "]}\n");
}

static void md_list(aq_buf *b, const char *title, const compare_run *cr, aq_store_change ch)
{
	aq_buf_printf(b, "\n### %s (%zu)\n\n", title, cr->counts[ch].total);
	if (!cr->counts[ch].total) {
		aq_buf_puts(b, "None.\n");
		return;
	}
	aq_buf_puts(b, "| severity | record | rule | message |\n|---|---|---|---|\n");
	put_list(b, cr, ch);
}

static void write_markdown(aq_buf *b, const compare_run *cr, const char *old_db, int64_t from,
	const char *new_db, int64_t to)
{
	const change_counts *nw = &cr->counts[AQ_CHANGE_NEW], *fx = &cr->counts[AQ_CHANGE_FIXED];

	aq_buf_printf(b, "## alignqa compare: %zu new, %zu fixed\n\n", nw->total, fx->total);
	aq_buf_puts(b, "Old: ");
	side_label(b, from, old_db, true);
	aq_buf_puts(b, "; new: ");
	side_label(b, to, new_db, true);
	aq_buf_puts(b, ".\n\n| | error | warning | info |\n|---|---:|---:|---:|\n");
	aq_buf_printf(b, "| new | %zu | %zu | %zu |\n", nw->severity[AQ_SEV_ERROR],
		nw->severity[AQ_SEV_WARNING], nw->severity[AQ_SEV_INFO]);
	aq_buf_printf(b, "| fixed | %zu | %zu | %zu |\n", fx->severity[AQ_SEV_ERROR],
		fx->severity[AQ_SEV_WARNING], fx->severity[AQ_SEV_INFO]);
	if (nw->total || fx->total) {
		aq_buf_puts(b, "\n| category | new | fixed |\n|---|---:|---:|\n");
		for (int i = 0; i < AQ_CAT__COUNT; i++)
			if (nw->category[i] || fx->category[i])
				aq_buf_printf(b, "| %s | %zu | %zu |\n",
					aq_category_name((aq_category)i), nw->category[i],
					fx->category[i]);
	}
	md_list(b, "New findings", cr, AQ_CHANGE_NEW);
	md_list(b, "Fixed findings", cr, AQ_CHANGE_FIXED);
}

/* A run number of --from/--to: 0 or more.  Returns 0 or -1. */
static int parse_run(const char *s, int64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno || end == s || *end || *out < 0 ? -1 : 0;
}
int cmd_compare(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_FROM, OPT_TO, OPT_AGAINST, OPT_FAIL_ON };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "against", required_argument, NULL, OPT_AGAINST },
		{ "format", required_argument, NULL, 'f' },
		{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = DEFAULT_DB;
	aq_store_compare_opts opts = { NULL, AQ_STORE_RUN_AUTO, AQ_STORE_RUN_AUTO };
	compare_run cr;
	aq_ctx *ctx = NULL;
	aq_store *st = NULL;
	int64_t from = 0, to = 0;
	cli_out out;
	bool out_open = false;
	int c, rc = EXIT_USAGE;

	memset(&cr, 0, sizeof(cr));
	cr.fmt = FMT_TEXT;
	cr.fail_on = AQ_SEV_ERROR;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db = optarg;
			break;
		case OPT_FROM:
			if (parse_run(optarg, &opts.from_run))
				return cli_usage_error("compare", "--from wants a run number (0, 1, "
					"...), not '%s'", optarg);
			break;
		case OPT_TO:
			if (parse_run(optarg, &opts.to_run))
				return cli_usage_error("compare", "--to wants a run number (0, 1, "
					"...), not '%s'", optarg);
			break;
		case OPT_AGAINST:
			opts.against = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "text"))
				cr.fmt = FMT_TEXT;
			else if (!strcmp(optarg, "json"))
				cr.fmt = FMT_JSON;
			else if (!strcmp(optarg, "markdown"))
				cr.fmt = FMT_MARKDOWN;
			else
				return cli_usage_error("compare", "unknown format '%s' (text, json or "
					"markdown)", optarg);
			break;
		case OPT_FAIL_ON:
			if (aq_severity_parse(&cr.fail_on, optarg))
				return cli_usage_error("compare", "--fail-on wants error, warning or "
					"info, not '%s'", optarg);
			break;
		case 'h':
			fputs(compare_help, stdout);
			return EXIT_CLEAN;
		default:
			return cli_usage_error("compare", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("compare", "unexpected argument '%s'", argv[optind]);
	if (!*db)
		return cli_usage_error("compare", "--db wants a file name");
	if (opts.against && !*opts.against)
		return cli_usage_error("compare", "--against wants a file name");

	rc = EXIT_INPUT;
	aq_buf_init(&cr.list[0]);
	aq_buf_init(&cr.list[1]);
	if (opts.against && strncmp(opts.against, "file:", 5) != 0 &&
	    access(opts.against, F_OK) != 0) {
		cli_error("%s: no such database", opts.against);
		goto out;
	}
	if (cli_open_db(db, &ctx, &st))
		goto out;
	c = aq_store_compare(&from, &to, st, &opts, on_change, &cr);
	if (c) {
		/* on_change's AQ_ENOMEM leaves no message in ctx */
		cli_error("%s", c == AQ_ENOMEM ? "out of memory" : aq_ctx_errmsg(ctx));
		if (c == AQ_EINVAL)
			rc = EXIT_USAGE;
		goto out;
	}
	if (cli_out_open(&out, NULL))
		goto out;
	out_open = true;
	if (cr.fmt == FMT_JSON)
		write_json(&out.buf, &cr, opts.against ? opts.against : db, from, db, to);
	else if (cr.fmt == FMT_MARKDOWN)
		write_markdown(&out.buf, &cr, opts.against ? opts.against : db, from, db, to);
	else
		write_text(&out.buf, &cr, opts.against ? opts.against : db, from, db, to);
	out_open = false;
	if (cli_out_close(&out))
		goto out;
	rc = cr.n_failing ? EXIT_FINDINGS : EXIT_CLEAN;
out:
	if (out_open) {
		aq_buf_clear(&out.buf);
		cli_out_close(&out);
	}
	aq_buf_dispose(&cr.list[0]);
	aq_buf_dispose(&cr.list[1]);
	aq_store_close(st);
	aq_ctx_free(ctx);
	return rc;
}
