/*
 * cmd_merge.c - `alignqa merge OUT.db IN.db...`: copies every run of the
 * input report databases (shards of an audit, say) into one.  The copying
 * is the store's (aq_store_merge); this file checks the arguments.
 */
#include "common.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char merge_help[] =
	"Usage: alignqa merge OUT.db IN.db...\n"
	"\n"
	"Copies the runs, records, sentences, beads, findings and input errors of each\n"
	"IN database into OUT (created if needed), in the order given, renumbering\n"
	"runs after those OUT already has.  Merging the databases of 'alignqa audit\n"
	"--shard K/N' gives the same latest results as one audit of everything.  Each\n"
	"IN is copied in one transaction: a failure leaves OUT as it was before that\n"
	"IN.  An IN written by an older alignqa is migrated to the current schema\n"
	"first.\n"
	"\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit codes: 0 merged, 2 usage error, 3 a database could not be read or written.\n";

/* Whether two paths name the same existing file. */
static bool same_file(const char *a, const char *b)
{
	char ra[PATH_MAX], rb[PATH_MAX];

	return realpath(a, ra) && realpath(b, rb) && !strcmp(ra, rb);
}

int cmd_merge(int argc, char **argv)
{
	aq_store *out = NULL, *in = NULL;
	aq_ctx *ctx = NULL;
	int rc = EXIT_INPUT;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(merge_help, stdout);
			return EXIT_CLEAN;
		}
		if (argv[i][0] == '-' && argv[i][1])
			return cli_usage_error("merge", "unknown option '%s'", argv[i]);
	}
	if (argc < 3)
		return cli_usage_error("merge", "want OUT.db and at least one IN.db");
	for (int i = 2; i < argc; i++) {
		if (same_file(argv[1], argv[i]))
			return cli_usage_error("merge", "%s is the output database", argv[i]);
		if (access(argv[i], R_OK) != 0) {
			cli_error("%s: cannot read it", argv[i]);
			return EXIT_INPUT;
		}
	}
	if (aq_ctx_new(&ctx)) {
		cli_error("out of memory");
		return EXIT_INPUT;
	}
	if (aq_store_open(&out, ctx, argv[1])) {
		cli_error("%s", aq_ctx_errmsg(ctx));
		goto out;
	}
	for (int i = 2; i < argc; i++) {
		/* Opening validates IN (and migrates an older schema). */
		if (aq_store_open(&in, ctx, argv[i])) {
			cli_error("%s", aq_ctx_errmsg(ctx));
			goto out;
		}
		aq_store_close(in);
		in = NULL;
		if (aq_store_merge(out, argv[i])) {
			cli_error("%s", aq_ctx_errmsg(ctx));
			goto out;
		}
	}
	rc = EXIT_CLEAN;
out:
	aq_store_close(in);
	aq_store_close(out);
	aq_ctx_free(ctx);
	return rc;
}
