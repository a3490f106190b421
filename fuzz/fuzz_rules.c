/*
 * fuzz_rules.c - libFuzzer target: the input is written to a file that is
 * loaded both as a rule pack (aq_rules_load_file: YAML + PCRE2) and as a
 * word list (aq_lexicon_load, format guessed from the content).  The
 * loaders take paths, hence the file; it lives in a private temp dir.
 */
#include "fuzz_common.h"

#include <stdio.h>
#include <unistd.h>

static char fuzz_dir[64];   /* mkdtemp'd once per process, "" before */
static char fuzz_path[128]; /* fuzz_dir/fuzz.yaml: the pack name is "fuzz" */

static void rules_cleanup(void)
{
	unlink(fuzz_path);
	rmdir(fuzz_dir);
}

static int rules_write(const uint8_t *data, size_t size)
{
	FILE *f;
	size_t n;

	if (!fuzz_dir[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(fuzz_dir, sizeof(fuzz_dir), "%s/aqfuzz-XXXXXX",
			tmp && *tmp && strlen(tmp) < 40 ? tmp : "/tmp");
		if (!mkdtemp(fuzz_dir)) {
			perror("fuzz_rules: mkdtemp");
			abort();
		}
		snprintf(fuzz_path, sizeof(fuzz_path), "%s/fuzz.yaml", fuzz_dir);
		atexit(rules_cleanup);
	}
	f = fopen(fuzz_path, "wb");
	if (!f)
		return -1;
	n = size ? fwrite(data, 1, size, f) : 0;
	if (fclose(f) != 0 || n != size)
		return -1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	aq_ctx *ctx = NULL;
	aq_rules *rules = NULL;
	aq_lexicon *lex = NULL;

	if (rules_write(data, size) || aq_ctx_new(&ctx))
		goto out;
	if (aq_rules_new(&rules, ctx) == 0 && aq_rules_load_file(rules, fuzz_path) == 0) {
		/* What a loaded pack promises its readers (listing, SARIF). */
		for (size_t i = 0; i < aq_rules_count(rules); i++) {
			const aq_rule_info *ri = aq_rules_get(rules, i);

			if (!ri || !ri->id || !ri->message || !ri->description ||
			    aq_rules_find(rules, ri->id) == NULL)
				abort();
		}
		if (strlen(aq_rules_digest(rules)) != 16)
			abort();
	}
	if (aq_lexicon_load(&lex, ctx, fuzz_path, AQ_LEX_AUTO) == 0)
		(void)aq_lexicon_size(lex);
out:
	aq_lexicon_free(lex);
	aq_rules_free(rules);
	aq_ctx_free(ctx);
	return 0;
}
