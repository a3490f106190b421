/*
 * cmd_report.c - `alignqa report`: the editorial report of the latest
 * results in a report store, as self-contained HTML pages (report.html,
 * report-2.html, ...), or as a Markdown or CSV summary.  The store reads
 * and report_html.c formats; this file names the pages and writes them.
 */
#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_DB "alignqa.db"
#define DEFAULT_HTML "report.html"
#define DEFAULT_MAX_RECORDS 1000
#define FLUSH_AT (256 * 1024)

static const char report_help[] =
	"Usage: alignqa report [options]\n"
	"\n"
	"Writes the editorial report of the latest results stored by 'alignqa check --db'\n"
	"or 'alignqa audit': for each record id, its latest stored version.\n"
	"\n"
	"Options:\n"
	"      --db FILE           the report database (default: ./" DEFAULT_DB ")\n"
	"  -o, --output FILE       where to write (html default: ./" DEFAULT_HTML ";\n"
	"                          markdown and csv default: standard output; '-' is\n"
	"                          standard output)\n"
	"      --format FMT        html (default): one self-contained page (no network)\n"
	"                            with an overview, filters and every record's aligned\n"
	"                            sentences, findings marked in place;\n"
	"                          markdown: counts per severity, category, rule, journal\n"
	"                            and year;\n"
	"                          csv: one row per finding: record,rule,severity,\n"
	"                            category,message,en_start,en_end,zh_start,zh_end\n"
	"                            (UTF-8 byte offsets; empty when without a place)\n"
	"      --max-records N     html: records per page (default %d); further pages\n"
	"                          go next to FILE as NAME-2.html, NAME-3.html, ...,\n"
	"                          linked to each other (standard output: one page)\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit codes: 0 written, 2 usage error, 3 the database could not be read or\n"
	"the output not written.\n";

typedef enum { FMT_HTML, FMT_MARKDOWN, FMT_CSV } report_fmt;

/* The overview counts, copied out of the store. */
typedef struct count_list {
	aq_html_count *v;
	size_t n, cap;
} count_list;

static int collect_count(const char *dim, const char *key, int64_t n, void *payload)
{
	count_list *l = payload;
	aq_html_count *c;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		aq_html_count *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	c = &l->v[l->n];
	c->dim = strdup(dim);
	c->key = strdup(key);
	c->n = n;
	if (!c->dim || !c->key) {
		free((char *)c->dim);
		free((char *)c->key);
		return -1;
	}
	l->n++;
	return 0;
}

static void count_list_dispose(count_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->v[i].dim);
		free((char *)l->v[i].key);
	}
	free(l->v);
}

/* The pages of an HTML report being written. */
typedef struct html_pages {
	const char *output;     /* --output: page 1 */
	bool to_stdout;
	size_t max_records;     /* per page */
	const count_list *counts;
	aq_html_page pg;
	cli_out out;
	bool open;              /* out holds a page being written */
	size_t on_page;         /* records written on the open page */
	bool failed;            /* the output failed (already said) */
	char path[4096];        /* the current page's file */
	char prev[4096], next[4096]; /* links of the current page */
} html_pages;

/* The file name (dir and all: with_dir) or the link (base name) of page k:
 * page 1 is output itself, page k "NAME-k.EXT" next to it. */
static int page_name(char *buf, size_t size, const char *output, size_t k, bool with_dir)
{
	const char *base = strrchr(output, '/'), *dot;
	size_t dir_len, stem_len;
	int n;

	base = base ? base + 1 : output;
	dir_len = with_dir ? (size_t)(base - output) : 0;
	if (k <= 1) {
		n = snprintf(buf, size, "%.*s%s", (int)dir_len, output, base);
	} else {
		dot = strrchr(base, '.');
		stem_len = dot && dot != base ? (size_t)(dot - base) : strlen(base);
		n = snprintf(buf, size, "%.*s%.*s-%zu%s", (int)dir_len, output, (int)stem_len,
			base, k, base + stem_len);
	}
	return n < 0 || (size_t)n >= size ? -1 : 0;
}

static int page_open(html_pages *hp, size_t k, int64_t first)
{
	hp->pg.page = k;
	hp->pg.first_record = first;
	hp->pg.page_records = hp->pg.total_records - first;
	if ((uint64_t)hp->pg.page_records > (uint64_t)hp->max_records)
		hp->pg.page_records = (int64_t)hp->max_records;
	hp->pg.prev_href = NULL;
	hp->pg.next_href = NULL;
	if (page_name(hp->path, sizeof(hp->path), hp->output, k, true) ||
	    (k > 1 && page_name(hp->prev, sizeof(hp->prev), hp->output, k - 1, false)) ||
	    (k < hp->pg.n_pages && page_name(hp->next, sizeof(hp->next), hp->output, k + 1,
		    false))) {
		cli_error("%s: file name too long", hp->output);
		return -1;
	}
	if (k > 1)
		hp->pg.prev_href = hp->prev;
	if (k < hp->pg.n_pages)
		hp->pg.next_href = hp->next;
	if (cli_out_open(&hp->out, hp->to_stdout ? NULL : hp->path))
		return -1;
	hp->open = true;
	hp->on_page = 0;
	if (aq_report_html_begin(&hp->out.buf, &hp->pg, hp->counts->v, hp->counts->n))
		hp->out.buf.oom = true; /* cli_out_flush says so */
	return cli_out_flush(&hp->out, FLUSH_AT);
}

static int page_close(html_pages *hp)
{
	hp->open = false;
	aq_report_html_end(&hp->out.buf, &hp->pg);
	return cli_out_close(&hp->out);
}

static int html_record(const aq_store_full_record *r, void *payload)
{
	html_pages *hp = payload;

	if (hp->on_page == hp->max_records && hp->pg.page < hp->pg.n_pages) {
		if (page_close(hp) ||
		    page_open(hp, hp->pg.page + 1, hp->pg.first_record + (int64_t)hp->max_records))
			goto fail;
	}
	if (aq_report_html_record(&hp->out.buf, r))
		hp->out.buf.oom = true;
	hp->on_page++;
	if (cli_out_flush(&hp->out, FLUSH_AT))
		goto fail;
	return 0;
fail:
	hp->failed = true;
	return 1;
}

/* One Markdown table of the counts of dim. */
static void md_table(aq_buf *b, const count_list *l, const char *dim, const char *what)
{
	aq_buf_printf(b, "\n## %s per %s\n\n| %s | %s |\n|---|---:|\n", what, dim, dim, what);
	for (size_t i = 0; i < l->n; i++) {
		const char *k = l->v[i].key;

		if (strcmp(l->v[i].dim, dim))
			continue;
		aq_buf_puts(b, "| ");
		if (!*k)
			aq_buf_puts(b, "(none)");
		/* Markdown table cells: escape the characters that end or format a cell. */
		for (; *k; k++) {
			if (strchr("|\\`*_[]<>&", *k))
				aq_buf_putc(b, '\\');
			aq_buf_putc(b, *k == '\n' || *k == '\r' ? ' ' : *k);
		}
		aq_buf_printf(b, " | %lld |\n", (long long)l->v[i].n);
	}
}

static void write_markdown(aq_buf *b, const count_list *l, int64_t n_records)
{
	int64_t n_findings = 0;

	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].dim, "severity"))
			n_findings += l->v[i].n;
	aq_buf_printf(b, "# alignqa report\n\n%lld records, %lld findings in the latest "
		"results.\n", (long long)n_records, (long long)n_findings);
	md_table(b, l, "severity", "findings");
	md_table(b, l, "category", "findings");
	md_table(b, l, "rule", "findings");
	md_table(b, l, "journal", "records");
	md_table(b, l, "year", "records");
}

/* A CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
static void csv_field(aq_buf *b, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		aq_buf_puts(b, s);
		return;
	}
	aq_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			aq_buf_putc(b, '"');
		aq_buf_putc(b, *s);
	}
	aq_buf_putc(b, '"');
}

static void csv_span(aq_buf *b, bool has, uint32_t off, uint32_t end)
{
	if (has)
		aq_buf_printf(b, ",%u,%u", off, end);
	else
		aq_buf_puts(b, ",,");
}

static int csv_finding(const aq_store_finding *f, void *payload)
{
	cli_out *out = payload;
	aq_buf *b = &out->buf;

	csv_field(b, f->record);
	aq_buf_putc(b, ',');
	csv_field(b, f->rule);
	aq_buf_putc(b, ',');
	csv_field(b, f->severity);
	aq_buf_putc(b, ',');
	csv_field(b, f->category);
	aq_buf_putc(b, ',');
	csv_field(b, f->message);
	csv_span(b, f->has_en, f->en_off, f->en_end);
	csv_span(b, f->has_zh, f->zh_off, f->zh_end);
	aq_buf_puts(b, "\r\n");
	return cli_out_flush(out, FLUSH_AT) ? 1 : 0; /* 1: the output failed */
}
int cmd_report(int argc, char **argv)
{
	enum { OPT_DB = 256, OPT_MAX_RECORDS, OPT_FORMAT };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "max-records", required_argument, NULL, OPT_MAX_RECORDS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *db = DEFAULT_DB, *output = NULL;
	report_fmt fmt = FMT_HTML;
	long long max_records = DEFAULT_MAX_RECORDS;
	count_list counts;
	html_pages hp;
	aq_ctx *ctx = NULL;
	aq_store *st = NULL;
	cli_out out;
	bool out_open = false;
	int64_t n_records = 0;
	char *end;
	int c, rc = EXIT_USAGE;

	memset(&counts, 0, sizeof(counts));
	memset(&hp, 0, sizeof(hp));
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			db = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "html"))
				fmt = FMT_HTML;
			else if (!strcmp(optarg, "markdown"))
				fmt = FMT_MARKDOWN;
			else if (!strcmp(optarg, "csv"))
				fmt = FMT_CSV;
			else
				return cli_usage_error("report", "unknown format '%s' (html, markdown "
					"or csv)", optarg);
			break;
		case OPT_MAX_RECORDS:
			errno = 0;
			max_records = strtoll(optarg, &end, 10);
			if (errno || end == optarg || *end || max_records <= 0)
				return cli_usage_error("report", "--max-records wants a positive "
					"number, not '%s'", optarg);
			break;
		case 'h':
			printf(report_help, DEFAULT_MAX_RECORDS);
			return EXIT_CLEAN;
		default:
			return cli_usage_error("report", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("report", "unexpected argument '%s'", argv[optind]);
	if (!*db)
		return cli_usage_error("report", "--db wants a file name");
	if (output && !*output)
		return cli_usage_error("report", "--output wants a file name");
	if (!output)
		output = fmt == FMT_HTML ? DEFAULT_HTML : "-";

	rc = EXIT_INPUT;
	if (cli_open_db(db, &ctx, &st))
		goto out;
	if (aq_store_count_records(st, &n_records)) {
		cli_error("%s", aq_ctx_errmsg(ctx));
		goto out;
	}
	if (fmt != FMT_CSV) {
		c = aq_store_query_counts(st, collect_count, &counts);
		if (c) {
			cli_error("%s", c == -1 ? "out of memory" : aq_ctx_errmsg(ctx));
			goto out;
		}
	}
	if (fmt == FMT_HTML) {
		hp.output = output;
		hp.to_stdout = !strcmp(output, "-");
		hp.max_records = hp.to_stdout ? SIZE_MAX : (size_t)max_records;
		hp.counts = &counts;
		hp.pg.total_records = n_records;
		hp.pg.n_pages = hp.to_stdout || n_records == 0 ? 1 :
			(size_t)((n_records + max_records - 1) / max_records);
		if (page_open(&hp, 1, 0))
			goto out;
		c = aq_store_query_records(st, html_record, &hp);
		if (c) {
			if (!hp.failed)
				cli_error("%s", aq_ctx_errmsg(ctx));
			goto out;
		}
		if (page_close(&hp))
			goto out;
		rc = EXIT_CLEAN;
		goto out;
	}
	if (cli_out_open(&out, output))
		goto out;
	out_open = true;
	if (fmt == FMT_MARKDOWN) {
		write_markdown(&out.buf, &counts, n_records);
	} else {
		aq_buf_puts(&out.buf, "record,rule,severity,category,message,en_start,en_end,"
			"zh_start,zh_end\r\n");
		c = aq_store_query_findings(st, NULL, csv_finding, &out);
		if (c) {
			if (c != 1)
				cli_error("%s", aq_ctx_errmsg(ctx));
			goto out;
		}
	}
	out_open = false;
	if (cli_out_close(&out))
		goto out;
	rc = EXIT_CLEAN;
out:
	if (out_open)
		cli_out_close(&out);
	if (hp.open) {
		hp.open = false;
		cli_out_close(&hp.out);
	}
	aq_store_close(st);
	aq_ctx_free(ctx);
	count_list_dispose(&counts);
	return rc;
}
