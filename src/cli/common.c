/*
 * common.c - helpers the subcommands share: messages, the rules directory,
 * output buffering.  Nothing here knows about a particular command.
 */
#include "common.h"
#include "aq_config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("alignqa: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "alignqa %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'alignqa %s --help'.\n", cmd);
	return EXIT_USAGE;
}

bool cli_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int cli_options_json(aq_buf *b, int argc, char **argv)
{
	aq_buf_puts(b, "{\"args\":[");
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			aq_buf_putc(b, ',');
		aq_buf_json_str(b, argv[i], strlen(argv[i]));
	}
	aq_buf_puts(b, "]}");
	return b->oom ? -1 : 0;
}

bool cli_use_jit(void)
{
	const char *env = getenv("ALIGNQA_NO_JIT");

	return !env || strcmp(env, "1");
}

int cli_ruleset_load(cli_ruleset *rs, aq_ctx *ctx, const char *rules_dir, char **packs,
	size_t n_packs, const char *config, char **glossaries, size_t n_glossaries)
{
	if (aq_rules_new(&rs->rules, ctx))
		return -1;
	aq_rules_set_jit(rs->rules, cli_use_jit());
	if (aq_rules_load_dir(rs->rules, cli_rules_dir(rules_dir)))
		return -1;
	for (size_t i = 0; i < n_packs; i++) {
		if (cli_is_dir(packs[i]) ? aq_rules_load_dir(rs->rules, packs[i]) :
		    aq_rules_load_file(rs->rules, packs[i]))
			return -1;
	}
	if (config && aq_rules_load_config(rs->rules, config))
		return -1;
	if (n_glossaries && !(rs->glossaries = calloc(n_glossaries, sizeof(aq_lexicon *)))) {
		aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n_glossaries; i++) {
		if (aq_lexicon_load(&rs->glossaries[i], ctx, glossaries[i], AQ_LEX_GLOSSARY))
			return -1;
		rs->n_glossaries++;
		if (aq_rules_add_glossary(rs->rules, rs->glossaries[i]))
			return -1;
	}
	return 0;
}

void cli_ruleset_dispose(cli_ruleset *rs)
{
	aq_rules_free(rs->rules);
	for (size_t i = 0; i < rs->n_glossaries; i++)
		aq_lexicon_free(rs->glossaries[i]);
	free(rs->glossaries);
	rs->rules = NULL;
	rs->glossaries = NULL;
	rs->n_glossaries = 0;
}

const char *cli_path(char *buf, size_t size, const char *dir, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
	return buf;
}

const char *cli_rules_dir(const char *override)
{
	static char found[PATH_MAX + 64];
	char exe[PATH_MAX];
	const char *env;
	ssize_t n;

	if (override)
		return override;
	env = getenv("ALIGNQA_RULES_DIR");
	if (env && *env)
		return env;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(found, sizeof(found), "%s/../share/alignqa/rules", exe);
			if (cli_is_dir(found))
				return found;
		}
	}
	if (cli_is_dir(AQ_SOURCE_RULES_DIR))
		return AQ_SOURCE_RULES_DIR;
	return AQ_INSTALL_RULES_DIR;
}

int cli_parse_input_format(const char *s, aq_input_format *out)
{
	if (!strcmp(s, "auto"))
		*out = AQ_INPUT_AUTO;
	else if (!strcmp(s, "text"))
		*out = AQ_INPUT_TEXT;
	else if (!strcmp(s, "jsonl") || !strcmp(s, "json"))
		*out = AQ_INPUT_JSONL;
	else
		return -1;
	return 0;
}

int cli_rule_opts_init(cli_rule_opts *ro, int argc)
{
	memset(ro, 0, sizeof(*ro));
	/* Each repeatable option is used at most argc times. */
	ro->packs = calloc((size_t)argc, sizeof(*ro->packs));
	ro->glossaries = calloc((size_t)argc, sizeof(*ro->glossaries));
	ro->ov = calloc((size_t)argc, sizeof(*ro->ov));
	if (!ro->packs || !ro->glossaries || !ro->ov) {
		cli_error("out of memory");
		return -1;
	}
	return 0;
}

/* "RULE=LEVEL" -> an override; returns 0 or -1. */
static int parse_severity(cli_override *o, const char *arg)
{
	const char *eq = strrchr(arg, '=');
	aq_severity sev;

	if (!eq || eq == arg || aq_severity_parse(&sev, eq + 1))
		return -1;
	o->owned = strndup(arg, (size_t)(eq - arg));
	if (!o->owned)
		return -1;
	o->sel = o->owned;
	o->enabled = -1;
	o->sev = (int)sev;
	return 0;
}

int cli_rule_opts_parse(cli_rule_opts *ro, const char *cmd, int c, const char *arg)
{
	switch (c) {
	case CLI_OPT_RULES_DIR:
		ro->rules_dir = arg;
		break;
	case 'r':
		ro->packs[ro->n_packs++] = (char *)arg;
		break;
	case 'c':
		ro->config = arg;
		break;
	case CLI_OPT_NO_CONFIG:
		ro->no_config = true;
		break;
	case CLI_OPT_ENABLE:
	case CLI_OPT_DISABLE:
		ro->ov[ro->n_ov++] = (cli_override){ c == CLI_OPT_ENABLE, -1, arg, NULL };
		break;
	case CLI_OPT_SEVERITY:
		if (parse_severity(&ro->ov[ro->n_ov], arg))
			return cli_usage_error(cmd, "--severity wants RULE=LEVEL with LEVEL "
				"error, warning or info, not '%s'", arg);
		ro->n_ov++;
		break;
	case 'g':
		ro->glossaries[ro->n_glossaries++] = (char *)arg;
		break;
	case 'd':
		ro->dictionary = arg;
		break;
	case CLI_OPT_NO_DICTIONARY:
		ro->dictionary = "";
		break;
	case 'i':
		if (cli_parse_input_format(arg, &ro->format))
			return cli_usage_error(cmd, "unknown input format '%s'", arg);
		break;
	case CLI_OPT_ENCODING:
		ro->encoding = arg;
		break;
	default:
		return 0;
	}
	return 1;
}

int cli_rule_opts_finish(cli_rule_opts *ro, const char *cmd, bool use_default)
{
	if (ro->config && ro->no_config)
		return cli_usage_error(cmd, "--config and --no-config exclude each other");
	if (use_default && !ro->config && !ro->no_config &&
	    access(CLI_DEFAULT_CONFIG, F_OK) == 0)
		ro->config = CLI_DEFAULT_CONFIG;
	if (!ro->dictionary) {
		const char *env = getenv("ALIGNQA_DICTIONARY");

		if (env && *env)
			ro->dictionary = env;
	}
	return 0;
}

int cli_rule_opts_load(cli_ruleset *rs, aq_ctx *ctx, const cli_rule_opts *ro)
{
	int rc = EXIT_USAGE;

	if (cli_ruleset_load(rs, ctx, ro->rules_dir, ro->packs, ro->n_packs, ro->config,
		    ro->glossaries, ro->n_glossaries))
		goto out;
	for (size_t i = 0; i < ro->n_ov; i++) {
		const cli_override *o = &ro->ov[i];

		if (aq_rules_configure(rs->rules, o->sel, o->enabled, o->sev)) {
			char msg[1100];

			snprintf(msg, sizeof(msg), "%s", aq_ctx_errmsg(ctx));
			aq_ctx_error(ctx, AQ_EINVAL, "--%s %s: %s", o->sev >= 0 ? "severity" :
				o->enabled ? "enable" : "disable", o->sel, msg);
			goto out;
		}
	}
	rc = 0;
out:
	if (rc)
		cli_error("%s", *aq_ctx_errmsg(ctx) ? aq_ctx_errmsg(ctx) : "out of memory");
	return rc;
}

void cli_rule_opts_dispose(cli_rule_opts *ro)
{
	if (ro->ov)
		for (size_t i = 0; i < ro->n_ov; i++)
			free(ro->ov[i].owned);
	free(ro->ov);
	free(ro->packs);
	free(ro->glossaries);
	memset(ro, 0, sizeof(*ro));
}

int cli_out_open(cli_out *o, const char *path)
{
	aq_buf_init(&o->buf);
	o->failed = false;
	if (!path || !strcmp(path, "-")) {
		o->fp = stdout;
		o->name = "standard output";
		return 0;
	}
	o->name = path;
	o->fp = fopen(path, "w");
	if (!o->fp) {
		cli_error("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int cli_out_flush(cli_out *o, size_t threshold)
{
	if (o->buf.oom) {
		cli_error("out of memory while writing output");
		o->failed = true;
		aq_buf_dispose(&o->buf);
		return -1;
	}
	if (o->buf.len <= threshold || o->failed)
		return o->failed ? -1 : 0;
	if (fwrite(o->buf.ptr, 1, o->buf.len, o->fp) != o->buf.len) {
		cli_error("%s: %s", o->name, strerror(errno));
		o->failed = true;
	}
	aq_buf_clear(&o->buf);
	return o->failed ? -1 : 0;
}

int cli_out_close(cli_out *o)
{
	int rc = cli_out_flush(o, 0);

	if (fflush(o->fp) != 0 && !o->failed) {
		cli_error("%s: %s", o->name, strerror(errno));
		rc = -1;
	}
	if (o->fp != stdout && fclose(o->fp) != 0 && rc == 0) {
		cli_error("%s: %s", o->name, strerror(errno));
		rc = -1;
	}
	aq_buf_dispose(&o->buf);
	return rc;
}

void cli_json_str_or_null(aq_buf *b, const char *s)
{
	if (s)
		aq_buf_json_str(b, s, strlen(s));
	else
		aq_buf_puts(b, "null");
}

static void put_span(aq_buf *b, bool has, uint32_t off, uint32_t end)
{
	if (has)
		aq_buf_printf(b, "[%u,%u]", off, end);
	else
		aq_buf_puts(b, "null");
}

void cli_json_store_finding(aq_buf *b, const aq_store_finding *f)
{
	aq_buf_puts(b, "{\"record\":");
	cli_json_str_or_null(b, f->record);
	aq_buf_puts(b, ",\"source\":");
	cli_json_str_or_null(b, f->source);
	aq_buf_puts(b, ",\"rule\":");
	cli_json_str_or_null(b, f->rule);
	aq_buf_puts(b, ",\"severity\":");
	cli_json_str_or_null(b, f->severity);
	aq_buf_puts(b, ",\"category\":");
	cli_json_str_or_null(b, f->category);
	aq_buf_puts(b, ",\"message\":");
	cli_json_str_or_null(b, f->message);
	aq_buf_puts(b, ",\"en\":");
	put_span(b, f->has_en, f->en_off, f->en_end);
	aq_buf_puts(b, ",\"zh\":");
	put_span(b, f->has_zh, f->zh_off, f->zh_end);
	aq_buf_puts(b, ",\"fingerprint\":");
	cli_json_str_or_null(b, f->fingerprint);
	aq_buf_printf(b, ",\"run\":%lld", (long long)f->run);
	aq_buf_puts(b, ",\"journal\":");
	cli_json_str_or_null(b, f->journal);
	aq_buf_puts(b, ",\"date\":");
	cli_json_str_or_null(b, f->date);
	aq_buf_putc(b, '}');
}

int cli_read_file(const char *path, size_t max, char **data, size_t *len)
{
	FILE *fp = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	aq_buf b;
	char chunk[65536];
	size_t n;

	aq_buf_init(&b);
	if (!fp) {
		cli_error("%s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (b.len + n > max) {
			cli_error("%s: larger than %zu bytes", path, max);
			break;
		}
		aq_buf_put(&b, chunk, n);
	}
	if (ferror(fp) || b.oom || n > 0) {
		if (ferror(fp) || b.oom)
			cli_error("%s: %s", path, b.oom ? "out of memory" : strerror(errno));
		if (fp != stdin)
			fclose(fp);
		aq_buf_dispose(&b);
		return -1;
	}
	if (fp != stdin)
		fclose(fp);
	if (!b.ptr)
		aq_buf_put(&b, "", 0);
	*data = b.ptr;
	*len = b.len;
	return 0;
}

int cli_open_db(const char *db, aq_ctx **ctx, aq_store **st)
{
	*ctx = NULL;
	*st = NULL;
	if (strncmp(db, "file:", 5) != 0 && access(db, F_OK) != 0) {
		cli_error("%s: no such database (write one with 'alignqa audit --db %s' or "
			"'alignqa check --db %s')", db, db, db);
		return -1;
	}
	if (aq_ctx_new(ctx)) {
		cli_error("out of memory");
		return -1;
	}
	if (aq_store_open(st, *ctx, db)) {
		cli_error("%s", aq_ctx_errmsg(*ctx));
		return -1;
	}
	return 0;
}
