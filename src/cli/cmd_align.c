/*
 * cmd_align.c - `alignqa align`: aligns the sentences of every record (or of
 * two pre-segmented files) and prints the beads for people, as JSON Lines or
 * in Vecalign's format.
 */
#include "common.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

static const char align_help[] =
	"Usage: alignqa align [options] [FILE|DIR|-]...\n"
	"       alignqa align --presegmented [options] EN_FILE ZH_FILE\n"
	"\n"
	"Segments both abstracts of each record and aligns the sentences into beads\n"
	"(0-1, 1-0, and m-n up to 4-4) by a length model and shared anchors: numbers\n"
	"in any form, acronyms, Latin tokens, glossary and dictionary words.  Every\n"
	"bead gets a score from 0 to 1 that says how confident the pairing is.\n"
	"\n"
	"Options:\n"
	"  -f, --format FMT        text (default): beads with sentences side by side;\n"
	"                          jsonl: {\"id\":...,\"en_sentences\":[[s,e],...],\n"
	"                            \"zh_sentences\":[...],\"beads\":[{\"en\":[i,...],\n"
	"                            \"zh\":[j,...],\"score\":x},...]} (0-based indices,\n"
	"                            UTF-8 byte offsets into the record's en and zh);\n"
	"                          vecalign: one bead a line, [en ids]:[zh ids]:score\n"
	"  -p, --presegmented      the two arguments are an English and a Chinese file\n"
	"                          with one sentence a line (ids are 0-based line numbers)\n"
	"  -d, --dictionary FILE   bilingual dictionary for lexical anchors instead of\n"
	"                          the team lexicon (rules/lexicon): CC-CEDICT in its\n"
	"                          original or TSV form, or a compiled file (default:\n"
	"                          $ALIGNQA_DICTIONARY if set); scripts/fetch-cedict.sh\n"
	"                          fetches CC-CEDICT\n"
	"      --no-dictionary     no dictionary at all (the same as -d '')\n"
	"  -g, --glossary FILE     glossary TSV (English, Chinese[, status[, note]])\n"
	"  -i, --input-format FMT  auto (default), text or jsonl\n"
	"      --encoding NAME     encoding of the input files: auto (default: UTF-8,\n"
	"                          else detected: UTF-16, GB18030, Big5) or a name such\n"
	"                          as GB18030, Big5, UTF-16LE, windows-1252\n"
	"  -o, --output FILE       write to FILE instead of standard output\n"
	"      --rules-dir DIR     where abbreviations.txt is (default: shipped rules)\n"
	"      --ratio R           Chinese length units per English unit (default: each\n"
	"                          record's own ratio)\n"
	"      --max-bead N        widest side of a bead, 1-4 (default 4)\n"
	"      --band N            initial half-width of the search band (default 24;\n"
	"                          it widens by itself when the path reaches its edge)\n"
	"  -h, --help              show this help\n"
	"\n"
	"Exit codes: 0 done, 2 usage error, 3 some input could not be read (the other\n"
	"records are still aligned).\n";

static int emit_text(cli_out *o, const aq_alignment *a, void *payload)
{
	(void)payload;
	return aq_report_align_text(&o->buf, a);
}

static int emit_jsonl(cli_out *o, const aq_alignment *a, void *payload)
{
	(void)payload;
	return aq_report_align_jsonl(&o->buf, a);
}

static int emit_vecalign(cli_out *o, const aq_alignment *a, void *payload)
{
	(void)payload;
	return aq_report_align_vecalign(&o->buf, a);
}

static int parse_number(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v >= lo && v <= hi))
		return -1;
	*out = v;
	return 0;
}

int cmd_align(int argc, char **argv)
{
	enum { OPT_RULES = 256, OPT_RATIO, OPT_MAXB, OPT_BAND, OPT_ENCODING, OPT_NO_DICT };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "presegmented", no_argument, NULL, 'p' },
		{ "dictionary", required_argument, NULL, 'd' },
		{ "no-dictionary", no_argument, NULL, OPT_NO_DICT },
		{ "glossary", required_argument, NULL, 'g' },
		{ "input-format", required_argument, NULL, 'i' },
		{ "output", required_argument, NULL, 'o' },
		{ "rules-dir", required_argument, NULL, OPT_RULES },
		{ "ratio", required_argument, NULL, OPT_RATIO },
		{ "max-bead", required_argument, NULL, OPT_MAXB },
		{ "band", required_argument, NULL, OPT_BAND },
		{ "encoding", required_argument, NULL, OPT_ENCODING },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	cli_pipeline_opts opts;
	cli_emit_fn emit = emit_text;
	const char *output = NULL;
	bool preseg = false;
	cli_out out;
	double v;
	int c, rc;

	memset(&opts, 0, sizeof(opts));
	opts.align = true;
	aq_align_opts_default(&opts.align_opts);
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:pd:g:i:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!strcmp(optarg, "text"))
				emit = emit_text;
			else if (!strcmp(optarg, "jsonl"))
				emit = emit_jsonl;
			else if (!strcmp(optarg, "vecalign"))
				emit = emit_vecalign;
			else
				return cli_usage_error("align", "unknown format '%s'", optarg);
			break;
		case 'p':
			preseg = true;
			break;
		case 'd':
			opts.dictionary = optarg;
			break;
		case OPT_NO_DICT:
			opts.dictionary = "";
			break;
		case 'g':
			opts.glossary = optarg;
			break;
		case 'i':
			if (cli_parse_input_format(optarg, &opts.format))
				return cli_usage_error("align", "unknown input format '%s'", optarg);
			break;
		case OPT_ENCODING:
			opts.encoding = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_RULES:
			opts.rules_dir = optarg;
			break;
		case OPT_RATIO:
			if (parse_number(optarg, 0.05, 20, &v))
				return cli_usage_error("align", "--ratio wants a number from 0.05 to 20");
			opts.align_opts.zh_per_en = v;
			break;
		case OPT_MAXB:
			if (parse_number(optarg, 1, AQ_ALIGN_MAX_BEAD, &v) || v != (int)v)
				return cli_usage_error("align", "--max-bead wants 1 to %d", AQ_ALIGN_MAX_BEAD);
			opts.align_opts.max_bead = (int)v;
			break;
		case OPT_BAND:
			if (parse_number(optarg, 1, 100000, &v) || v != (int)v)
				return cli_usage_error("align", "--band wants a whole number from 1 to 100000");
			opts.align_opts.band = (int)v;
			break;
		case 'h':
			fputs(align_help, stdout);
			return EXIT_CLEAN;
		default:
			return cli_usage_error("align", "bad option");
		}
	}
	if (!opts.dictionary) {
		const char *env = getenv("ALIGNQA_DICTIONARY");
		if (env && *env)
			opts.dictionary = env;
	}
	if (preseg && argc - optind != 2)
		return cli_usage_error("align", "--presegmented takes exactly two files, EN and ZH");
	if (cli_out_open(&out, output))
		return EXIT_USAGE;
	if (preseg)
		rc = cli_run_presegmented(argv[optind], argv[optind + 1], &opts, emit, NULL, &out);
	else
		rc = cli_run_records(argv + optind, argc - optind, &opts, emit, NULL, &out);
	if (cli_out_close(&out) && rc == EXIT_CLEAN)
		rc = EXIT_INPUT;
	return rc;
}
