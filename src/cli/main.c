/*
 * main.c - the alignqa command line: the command table and dispatch.  Each
 * command lives in its own cmd_<name>.c; this file only picks one.
 */
#include "common.h"

#include <stdio.h>
#include <string.h>

static const struct command {
	const char *name;
	cmd_fn fn;
	const char *summary;
} commands[] = {
	{ "segment", cmd_segment, "split both abstracts of each record into sentences" },
	{ "align", cmd_align, "align the English and Chinese sentences of each record" },
	{ "check", cmd_check, "find translation defects in each record (the CI check)" },
	{ "findings", cmd_findings, "print the findings stored by 'check --db' or 'audit'" },
	{ "compare", cmd_compare, "new and fixed findings between two runs or databases" },
	{ "audit", cmd_audit, "check a whole archive into the report store, on threads" },
	{ "report", cmd_report, "write the editorial HTML report of a report store" },
	{ "merge", cmd_merge, "merge report databases (audit shards) into one" },
	{ "rules", cmd_rules, "list the rules or run their self-tests" },
	{ "glossary", cmd_glossary, "import term lists into alignqa's glossary form; compile lexicons" },
};

static void usage(FILE *fp)
{
	fputs("Usage: alignqa <command> [options] [FILE|DIR|-]...\n\n"
	      "Checks Chinese translations of English scientific abstracts.\n\n"
	      "Commands:\n", fp);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(fp, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nRun 'alignqa <command> --help' for a command's options, 'man alignqa' for more.\n"
	      "Exit codes: 0 clean, 1 findings at or above --fail-on, 2 usage error,\n"
	      "3 input or runtime error.\n", fp);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_CLEAN;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("alignqa %s\n", AQ_VERSION);
		return EXIT_CLEAN;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "alignqa: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
