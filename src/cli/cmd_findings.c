/*
 * cmd_findings.c - `alignqa findings`: reads findings back from the report
 * store that `alignqa check --db` fills, filtered by rule, severity,
 * category, record, journal or run, as text or one JSON array.  The query
 * itself is the library's (store.c); this file parses options and prints.
 */
#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_DB "alignqa.db"
#define FLUSH_AT (64 * 1024)

static const char findings_help[] =
	"Usage: alignqa findings [options]\n"
	"\n"
	"Prints the findings stored by 'alignqa check --db FILE'.  By default these are\n"
	"the latest results: for each record, the findings of the latest run that\n"
	"checked it.  Findings come ordered by record id.\n"
	"\n"
	"Options:\n"
	"      --db FILE           the report database (default: ./" DEFAULT_DB ")\n"
	"  -f, --format FMT        text (default): one finding a line,\n"
	"                            SOURCE: RECORD: severity: message [rule] (run N; ...)\n"
	"                          json: one array of objects {\"record\",\"source\",\n"
	"                            \"rule\",\"severity\",\"category\",\"message\",\n"
	"                            \"en\":[start,end]|null,\"zh\":[start,end]|null,\n"
	"                            \"fingerprint\",\"run\",\"journal\",\"date\"}\n"
	"                            (UTF-8 byte offsets into the record's en and zh)\n"
	"      --rule ID           only this rule\n"
	"      --severity LEVEL    only findings at or above error, warning or info\n"
	"      --category NAME     only this category (omission, number, ...)\n"
	"      --record ID         only this record\n"
	"      --journal NAME      only records whose journal metadata is NAME\n"
	"      --run N             the findings of run N instead of the latest results\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit codes: 0 done (with or without findings), 2 usage error,\n"
	"3 the database could not be opened or read.\n";

typedef struct findings_out {
	cli_out *out;
	aq_report_format fmt; /* AQ_REPORT_TEXT or AQ_REPORT_JSON */
	size_t n;             /* findings printed */
} findings_out;

static int print_finding(const aq_store_finding *f, void *payload)
{
	findings_out *fo = payload;
	aq_buf *b = &fo->out->buf;

	if (fo->fmt == AQ_REPORT_JSON) {
		aq_buf_puts(b, fo->n ? ",\n  " : "\n  ");
		cli_json_store_finding(b, f);
	} else {
		if (f->source)
			aq_buf_printf(b, "%s: ", f->source);
		aq_buf_printf(b, "%s: %s: %s [%s] (run %lld", f->record, f->severity, f->message,
			f->rule, (long long)f->run);
		if (f->has_en)
			aq_buf_printf(b, "; en %u-%u", f->en_off, f->en_end);
		if (f->has_zh)
			aq_buf_printf(b, "; zh %u-%u", f->zh_off, f->zh_end);
		aq_buf_puts(b, ")\n");
	}
	fo->n++;
	return cli_out_flush(fo->out, FLUSH_AT) ? 1 : 0; /* 1: the output failed */
}
int cmd_findings(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_RULE, OPT_SEVERITY, OPT_CATEGORY, OPT_RECORD, OPT_JOURNAL,
	       OPT_RUN };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "format", required_argument, NULL, 'f' },
		{ "rule", required_argument, NULL, OPT_RULE },
		{ "severity", required_argument, NULL, OPT_SEVERITY },
		{ "category", required_argument, NULL, OPT_CATEGORY },
		{ "record", required_argument, NULL, OPT_RECORD },
		{ "journal", required_argument, NULL, OPT_JOURNAL },
		{ "run", required_argument, NULL, OPT_RUN },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = DEFAULT_DB;
	aq_store_query q;
	aq_category cat;
	aq_ctx *ctx = NULL;
	aq_store *st = NULL;
	findings_out fo;
	cli_out out;
	bool out_open = false;
	char *end;
	int c, rc = EXIT_USAGE;

	memset(&q, 0, sizeof(q));
	memset(&fo, 0, sizeof(fo));
	fo.fmt = AQ_REPORT_TEXT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "text")) {
				fo.fmt = AQ_REPORT_TEXT;
			} else if (!strcmp(optarg, "json")) {
				fo.fmt = AQ_REPORT_JSON;
			} else {
				return cli_usage_error("findings", "unknown format '%s' (text or json)",
					optarg);
			}
			break;
		case OPT_RULE:
			q.rule = optarg;
			break;
		case OPT_SEVERITY:
			if (aq_severity_parse(&q.min_severity, optarg))
				return cli_usage_error("findings", "--severity wants error, warning or "
					"info, not '%s'", optarg);
			break;
		case OPT_CATEGORY:
			if (aq_category_parse(&cat, optarg))
				return cli_usage_error("findings", "unknown category '%s'", optarg);
			q.category = aq_category_name(cat);
			break;
		case OPT_RECORD:
			q.record = optarg;
			break;
		case OPT_JOURNAL:
			q.journal = optarg;
			break;
		case OPT_RUN:
			errno = 0;
			q.run = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end || q.run <= 0)
				return cli_usage_error("findings", "--run wants a run number (1, 2, "
					"...), not '%s'", optarg);
			break;
		case 'h':
			fputs(findings_help, stdout);
			return EXIT_CLEAN;
		default:
			return cli_usage_error("findings", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("findings", "unexpected argument '%s'", argv[optind]);
	if (!*db)
		return cli_usage_error("findings", "--db wants a file name");

	rc = EXIT_INPUT;
	if (cli_open_db(db, &ctx, &st))
		goto out;
	if (cli_out_open(&out, NULL))
		goto out;
	out_open = true;
	fo.out = &out;
	if (fo.fmt == AQ_REPORT_JSON)
		aq_buf_putc(&out.buf, '[');
	c = aq_store_query_findings(st, &q, print_finding, &fo);
	if (c) {
		if (c != 1) /* 1: print_finding's output failed and said so */
			cli_error("%s", aq_ctx_errmsg(ctx));
		goto out;
	}
	if (fo.fmt == AQ_REPORT_JSON)
		aq_buf_puts(&out.buf, fo.n ? "\n]\n" : "]\n");
	out_open = false;
	if (cli_out_close(&out))
		goto out;
	rc = EXIT_CLEAN;
out:
	if (out_open) {
		aq_buf_clear(&out.buf); /* no half a JSON document */
		cli_out_close(&out);
	}
	aq_store_close(st);
	aq_ctx_free(ctx);
	return rc;
}
