/*
 * cmd_rules.c - `alignqa rules list|test`: lists the loaded rules with
 * their settings, or runs every rule's examples (the rule packs' own test
 * suite).  Loading, configuring and testing are the library's (rules.c).
 */
#include "common.h"
#include "rules_int.h"

#include <getopt.h>
#include <string.h>
#include <sys/stat.h>

static const char rules_help[] =
	"Usage: alignqa rules list [options]\n"
	"       alignqa rules test [options]\n"
	"\n"
	"list  prints every rule: id, kind, severity, category, on/off, where it is\n"
	"      defined and its message (after --config overrides).\n"
	"test  runs the examples of every rule (fire: must fire, pass: must not),\n"
	"      prints each failure as file:line and ends with \"N passed, M failed\".\n"
	"\n"
	"Options:\n"
	"      --rules-dir DIR   the shipped rule packs (default: $ALIGNQA_RULES_DIR,\n"
	"                        next to the program, or the install location)\n"
	"  -r, --rules PATH      also load the pack file PATH or the packs (*.yaml) of\n"
	"                        the directory PATH; may be repeated\n"
	"  -g, --glossary FILE   a glossary (en<TAB>zh[<TAB>status]) for glossary rules;\n"
	"                        may be repeated\n"
	"  -c, --config FILE     a configuration file (.alignqa.yaml): rules on/off,\n"
	"                        severities, extra packs and glossaries\n"
	"  -f, --format FMT      list output: text (default) or json\n"
	"  -h, --help            show this help\n"
	"\n"
	"Exit codes: 0 done (test: every example passed), 1 test: some example\n"
	"failed, 2 usage error or a broken rule, glossary or configuration file\n"
	"(reported as file:line: what is wrong), 3 runtime error.\n";

#define MAX_PATHS 64

typedef struct rules_opts {
	const char *rules_dir;
	const char *packs[MAX_PATHS];
	size_t n_packs;
	const char *glossaries[MAX_PATHS];
	size_t n_glossaries;
	const char *config;
	bool json;
} rules_opts;

static const char *kind_name(aq_rule_kind kind)
{
	switch (kind) {
	case AQ_RULE_PRESERVE: return "preserve";
	case AQ_RULE_PAIR: return "pair";
	case AQ_RULE_FORBID: return "forbid";
	case AQ_RULE_GLOSSARY: return "glossary";
	case AQ_RULE_BUILTIN: return "builtin";
	}
	return "?";
}

/* Maps a load failure to an exit code after printing its message. */
static int load_failed(aq_ctx *ctx, int rc)
{
	fflush(stdout);
	fprintf(stderr, "%s\n", aq_ctx_errmsg(ctx));
	return rc == AQ_ENOMEM ? EXIT_INPUT : EXIT_USAGE;
}

/* Loads the shipped packs, extra packs, glossaries and the configuration.
 * Glossaries are appended to lex (the caller frees them after the rules). */
static int load_all(aq_rules *rules, aq_ctx *ctx, const rules_opts *o, aq_lexicon **lex)
{
	struct stat st;
	int rc;

	if ((rc = aq_rules_load_dir(rules, cli_rules_dir(o->rules_dir))))
		return load_failed(ctx, rc);
	for (size_t i = 0; i < o->n_packs; i++) {
		if (stat(o->packs[i], &st)) {
			cli_error("%s: no such file or directory", o->packs[i]);
			return EXIT_USAGE;
		}
		rc = S_ISDIR(st.st_mode) ? aq_rules_load_dir(rules, o->packs[i]) :
			aq_rules_load_file(rules, o->packs[i]);
		if (rc)
			return load_failed(ctx, rc);
	}
	for (size_t i = 0; i < o->n_glossaries; i++) {
		if ((rc = aq_lexicon_load(&lex[i], ctx, o->glossaries[i], AQ_LEX_GLOSSARY)))
			return load_failed(ctx, rc);
		if ((rc = aq_rules_add_glossary(rules, lex[i])))
			return load_failed(ctx, rc);
	}
	if (o->config && (rc = aq_rules_load_config(rules, o->config)))
		return load_failed(ctx, rc);
	return EXIT_CLEAN;
}

static void list_text(aq_buf *b, const aq_rules *rules)
{
	size_t n = aq_rules_count(rules), on = 0;

	/* One rule a line (grep-friendly); the message last as it varies most. */
	aq_buf_printf(b, "%-34s %-8s %-8s %-14s %-3s %-30s %s\n", "RULE", "KIND", "SEVERITY",
		"CATEGORY", "ON", "DEFINED AT", "MESSAGE");
	for (size_t i = 0; i < n; i++) {
		const aq_rule_info *r = aq_rules_get(rules, i);
		char at[512];

		on += r->enabled;
		snprintf(at, sizeof(at), "%s:%u", r->file, r->line);
		aq_buf_printf(b, "%-34s %-8s %-8s %-14s %-3s %-30s %s\n", r->id, kind_name(r->kind),
			aq_severity_name(r->severity), aq_category_name(r->category),
			r->enabled ? "on" : "off", at, r->message);
	}
	aq_buf_printf(b, "%zu rules, %zu enabled, digest %s\n", n, on, aq_rules_digest(rules));
}

static void list_json(aq_buf *b, const aq_rules *rules)
{
	size_t n = aq_rules_count(rules);

	aq_buf_puts(b, "{\"digest\":");
	aq_buf_json_str(b, aq_rules_digest(rules), strlen(aq_rules_digest(rules)));
	aq_buf_puts(b, ",\"rules\":[");
	for (size_t i = 0; i < n; i++) {
		const aq_rule_info *r = aq_rules_get(rules, i);

		aq_buf_puts(b, i ? ",\n{\"id\":" : "\n{\"id\":");
		aq_buf_json_str(b, r->id, strlen(r->id));
		aq_buf_puts(b, ",\"pack\":");
		aq_buf_json_str(b, r->pack, strlen(r->pack));
		aq_buf_printf(b, ",\"kind\":\"%s\",\"severity\":\"%s\",\"category\":\"%s\","
			"\"enabled\":%s,\"file\":", kind_name(r->kind), aq_severity_name(r->severity),
			aq_category_name(r->category), r->enabled ? "true" : "false");
		aq_buf_json_str(b, r->file, strlen(r->file));
		aq_buf_printf(b, ",\"line\":%u,\"message\":", r->line);
		aq_buf_json_str(b, r->message, strlen(r->message));
		aq_buf_puts(b, ",\"description\":");
		aq_buf_json_str(b, r->description, strlen(r->description));
		aq_buf_putc(b, '}');
	}
	aq_buf_puts(b, "\n]}\n");
}

static int write_out(const aq_buf *b)
{
	if (b->oom) {
		cli_error("out of memory");
		return EXIT_INPUT;
	}
	if (b->len && fwrite(b->ptr, 1, b->len, stdout) != b->len) {
		cli_error("cannot write the output");
		return EXIT_INPUT;
	}
	if (fflush(stdout)) {
		cli_error("cannot write the output");
		return EXIT_INPUT;
	}
	return EXIT_CLEAN;
}

int cmd_rules(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rules-dir", required_argument, NULL, 'R' },
		{ "rules", required_argument, NULL, 'r' },
		{ "glossary", required_argument, NULL, 'g' },
		{ "config", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	aq_lexicon *lex[MAX_PATHS] = { 0 };
	aq_rules *rules = NULL;
	aq_ctx *ctx = NULL;
	const char *action;
	rules_opts o;
	aq_buf b;
	int c, rc;

	memset(&o, 0, sizeof(o));
	aq_buf_init(&b);
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:g:c:f:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'R':
			o.rules_dir = optarg;
			break;
		case 'r':
			if (o.n_packs == MAX_PATHS)
				return cli_usage_error("rules", "too many --rules (at most %d)", MAX_PATHS);
			o.packs[o.n_packs++] = optarg;
			break;
		case 'g':
			if (o.n_glossaries == MAX_PATHS)
				return cli_usage_error("rules", "too many --glossary (at most %d)",
					MAX_PATHS);
			o.glossaries[o.n_glossaries++] = optarg;
			break;
		case 'c':
			o.config = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "json"))
				o.json = true;
			else if (!strcmp(optarg, "text"))
				o.json = false;
			else
				return cli_usage_error("rules", "unknown format '%s' (text, json)", optarg);
			break;
		case 'h':
			fputs(rules_help, stdout);
			return EXIT_CLEAN;
		default:
			return cli_usage_error("rules", "bad option");
		}
	}
	if (optind >= argc)
		return cli_usage_error("rules", "missing action: list or test");
	action = argv[optind];
	if (strcmp(action, "list") && strcmp(action, "test"))
		return cli_usage_error("rules", "unknown action '%s' (list, test)", action);
	if (optind + 1 < argc)
		return cli_usage_error("rules", "unexpected argument '%s'", argv[optind + 1]);

	if (aq_ctx_new(&ctx) || aq_rules_new(&rules, ctx)) {
		cli_error("out of memory");
		rc = EXIT_INPUT;
		goto out;
	}
	aq_rules_set_jit(rules, cli_use_jit());
	if ((rc = load_all(rules, ctx, &o, lex)))
		goto out;
	if (!strcmp(action, "list")) {
		if (o.json)
			list_json(&b, rules);
		else
			list_text(&b, rules);
		rc = write_out(&b);
	} else {
		size_t passed = 0, failed = 0;
		int st = aq_rules_selftest_counts(rules, &b, &passed, &failed);

		if (st < 0) {
			write_out(&b);
			cli_error("rules test: %s", aq_ctx_errmsg(ctx));
			rc = EXIT_INPUT;
			goto out;
		}
		aq_buf_printf(&b, "%zu passed, %zu failed\n", passed, failed);
		rc = write_out(&b);
		if (rc == EXIT_CLEAN && failed)
			rc = EXIT_FINDINGS;
	}
out:
	aq_rules_free(rules);
	for (size_t i = 0; i < MAX_PATHS; i++)
		aq_lexicon_free(lex[i]);
	aq_ctx_free(ctx);
	aq_buf_dispose(&b);
	return rc;
}
