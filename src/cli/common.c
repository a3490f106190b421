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

int cli_ruleset_load(cli_ruleset *rs, aq_ctx *ctx, const char *rules_dir, char **packs,
	size_t n_packs, const char *config, char **glossaries, size_t n_glossaries)
{
	if (aq_rules_new(&rs->rules, ctx) || aq_rules_load_dir(rs->rules, cli_rules_dir(rules_dir)))
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
