/*
 * cmd_segment.c - `alignqa segment`: prints the sentences of both abstracts
 * of every record with their UTF-8 byte offsets.
 */
#include "common.h"

#include <getopt.h>
#include <string.h>

static const char segment_help[] =
	"Usage: alignqa segment [options] [FILE|DIR|-]...\n"
	"\n"
	"Splits the English and Chinese abstracts of each record into sentences and\n"
	"prints them with their [start,end) UTF-8 byte offsets into each abstract.\n"
	"Reads plain-text records, JSON Lines, directories (recursively) and standard\n"
	"input (also when no FILE is given).\n"
	"\n"
	"Options:\n"
	"  -f, --format FMT        text (default) or jsonl:\n"
	"                          {\"id\":...,\"en_sentences\":[[s,e],...],\"zh_sentences\":[...]}\n"
	"  -i, --input-format FMT  auto (default), text or jsonl\n"
	"      --encoding NAME     encoding of the input files: auto (default: UTF-8,\n"
	"                          else detected: UTF-16, GB18030, Big5) or a name such\n"
	"                          as GB18030, Big5, UTF-16LE, windows-1252\n"
	"  -o, --output FILE       write to FILE instead of standard output\n"
	"      --rules-dir DIR     where abbreviations.txt is (default: shipped rules)\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit codes: 0 done, 2 usage error, 3 some input could not be read (the other\n"
	"records are still printed).\n";

static int emit_text(cli_out *o, const aq_alignment *a, void *payload)
{
	(void)payload;
	return aq_report_segment_text(&o->buf, a);
}

static int emit_jsonl(cli_out *o, const aq_alignment *a, void *payload)
{
	(void)payload;
	return aq_report_segment_jsonl(&o->buf, a);
}

int cmd_segment(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "input-format", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "rules-dir", required_argument, NULL, 'R' },
		{ "encoding", required_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cli_pipeline_opts opts;
	cli_emit_fn emit = emit_text;
	const char *output = NULL;
	cli_out out;
	int c, rc;

	memset(&opts, 0, sizeof(opts));
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:i:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "text"))
				emit = emit_text;
			else if (!strcmp(optarg, "jsonl"))
				emit = emit_jsonl;
			else
				return cli_usage_error("segment", "unknown format '%s'", optarg);
			break;
		case 'i':
			if (cli_parse_input_format(optarg, &opts.format))
				return cli_usage_error("segment", "unknown input format '%s'", optarg);
			break;
		case 'o':
			output = optarg;
			break;
		case 'R':
			opts.rules_dir = optarg;
			break;
		case 'E':
			opts.encoding = optarg;
			break;
		case 'h':
			fputs(segment_help, stdout);
			return EXIT_CLEAN;
		default:
			return cli_usage_error("segment", "bad option");
		}
	}
	if (cli_out_open(&out, output))
		return EXIT_USAGE;
	rc = cli_run_records(argv + optind, argc - optind, &opts, emit, NULL, &out);
	if (cli_out_close(&out) && rc == EXIT_CLEAN)
		rc = EXIT_INPUT;
	return rc;
}
