/*
 * test_rules.c - the rules engine: the shipped packs load, every rule kind
 * on small cases (back-references, placeholders, offsets), broken pack and
 * configuration files name file:line, overrides, the digest, the
 * self-test, a pathological pattern that must fail fast, not hang, and the
 * byte summary that lets a search be skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "alignqa.h"
#include "rules_int.h"
#include "test_jit.h"

/* ------------------------------------------------------------------ */
/* Fixtures: a scratch directory of pack files                          */

static char tmpdir[64];
static char *created[64];
static size_t n_created;

/* Writes text to tmpdir/name and returns the path (valid until teardown). */
static const char *write_file(const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	fp = fopen(path, "wb");
	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
	for (size_t i = 0; i < n_created; i++)
		if (!strcmp(created[i], path))
			return created[i];
	assert_true(n_created < sizeof(created) / sizeof(created[0]));
	created[n_created] = strdup(path);
	assert_non_null(created[n_created]);
	return created[n_created++];
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/aq_test_rules_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	/* Subdirectories first: they were created after their files' parents. */
	for (size_t i = n_created; i-- > 0;) {
		if (unlink(created[i]))
			rmdir(created[i]);
		free(created[i]);
	}
	n_created = 0;
	return rmdir(tmpdir);
}

static const char *make_dir(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	assert_int_equal(mkdir(path, 0700), 0);
	created[n_created] = strdup(path);
	assert_non_null(created[n_created]);
	return created[n_created++];
}

typedef struct fx {
	aq_ctx *ctx;
	aq_rules *rules;
} fx;

static void fx_open(fx *f)
{
	assert_int_equal(aq_ctx_new(&f->ctx), 0);
	assert_int_equal(aq_rules_new(&f->rules, f->ctx), 0);
	test_rules_jit(f->rules);
}

static void fx_close(fx *f)
{
	aq_rules_free(f->rules);
	aq_ctx_free(f->ctx);
}

/* Loads pack text as tmpdir/name; returns the load result. */
static int load_text(fx *f, const char *name, const char *text)
{
	return aq_rules_load_file(f->rules, write_file(name, text));
}

/* A record whose en and zh are the given strings (borrowed). */
static aq_record make_record(const char *en, const char *zh)
{
	aq_record rec;

	memset(&rec, 0, sizeof(rec));
	rec.id = (char *)"t1";
	rec.en = (char *)en;
	rec.en_len = strlen(en);
	rec.zh = (char *)zh;
	rec.zh_len = strlen(zh);
	return rec;
}

static aq_span whole(const char *s)
{
	aq_span sp = { 0, (uint32_t)strlen(s) };

	if (!*s)
		sp.off = sp.end = AQ_NO_SPAN;
	return sp;
}

/* Applies the enabled pattern rules to one bead covering both texts. */
static int apply(fx *f, aq_findings *out, const char *en, const char *zh)
{
	aq_rules_scratch *s = NULL;
	aq_record rec = make_record(en, zh);
	int rc;

	assert_int_equal(aq_rules_scratch_new(&s, f->rules), 0);
	aq_findings_clear(out);
	rc = aq_rules_apply(out, f->rules, s, f->ctx, &rec, whole(en), whole(zh), 7);
	aq_rules_scratch_free(s);
	return rc;
}

/* ------------------------------------------------------------------ */
/* The shipped packs                                                    */

static void test_shipped_packs(void **state)
{
	static const struct {
		const char *id;
		aq_rule_kind kind;
		aq_severity sev;
	} expect[] = {
		{ "structure.omission", AQ_RULE_BUILTIN, AQ_SEV_ERROR },
		{ "structure.addition", AQ_RULE_BUILTIN, AQ_SEV_ERROR },
		{ "structure.untranslated", AQ_RULE_BUILTIN, AQ_SEV_ERROR },
		{ "structure.copied-source", AQ_RULE_BUILTIN, AQ_SEV_ERROR },
		{ "structure.length-ratio", AQ_RULE_BUILTIN, AQ_SEV_WARNING },
		{ "structure.low-confidence", AQ_RULE_BUILTIN, AQ_SEV_INFO },
		{ "structure.out-of-order", AQ_RULE_BUILTIN, AQ_SEV_WARNING },
		{ "numbers.missing", AQ_RULE_BUILTIN, AQ_SEV_ERROR },
		{ "numbers.extra", AQ_RULE_BUILTIN, AQ_SEV_INFO },
		{ "numbers.changed", AQ_RULE_BUILTIN, AQ_SEV_ERROR },
		{ "terms.acronym-missing", AQ_RULE_BUILTIN, AQ_SEV_WARNING },
		{ "terms.acronym-undefined", AQ_RULE_BUILTIN, AQ_SEV_INFO },
		{ "terms.inconsistent-term", AQ_RULE_BUILTIN, AQ_SEV_WARNING },
		{ "terms.glossary-preferred", AQ_RULE_GLOSSARY, AQ_SEV_INFO },
		{ "terms.glossary-deprecated", AQ_RULE_GLOSSARY, AQ_SEV_WARNING },
		{ "terms.glossary-forbidden", AQ_RULE_GLOSSARY, AQ_SEV_ERROR },
		{ "punctuation.brackets-unbalanced", AQ_RULE_BUILTIN, AQ_SEV_WARNING },
		{ "punctuation.quotes-unbalanced", AQ_RULE_BUILTIN, AQ_SEV_WARNING },
		{ "punctuation.halfwidth-comma", AQ_RULE_FORBID, AQ_SEV_WARNING },
		{ "punctuation.doubled-punctuation", AQ_RULE_FORBID, AQ_SEV_WARNING },
		{ "encoding.replacement-char", AQ_RULE_FORBID, AQ_SEV_ERROR },
		{ "encoding.traditional-chars", AQ_RULE_BUILTIN, AQ_SEV_WARNING },
		{ "encoding.traditional-script", AQ_RULE_BUILTIN, AQ_SEV_INFO },
		{ "metadata.date-mismatch", AQ_RULE_BUILTIN, AQ_SEV_WARNING },
		{ "metadata.doi-malformed", AQ_RULE_BUILTIN, AQ_SEV_WARNING },
		{ "style.temperature", AQ_RULE_PAIR, AQ_SEV_WARNING },
		{ "style.unit-symbol", AQ_RULE_PRESERVE, AQ_SEV_INFO },
	};
	const char *dir = getenv("AQ_TEST_RULES_DIR");
	const aq_lexicon *const *glos;
	fx f;
	(void)state;

	if (!dir)
		skip();
	fx_open(&f);
	assert_int_equal(aq_rules_load_dir(f.rules, dir), 0);
	assert_true(aq_rules_count(f.rules) >= sizeof(expect) / sizeof(expect[0]));
	for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		const aq_rule_info *r = aq_rules_find(f.rules, expect[i].id);

		assert_non_null(r);
		assert_int_equal(r->kind, expect[i].kind);
		assert_int_equal(r->severity, expect[i].sev);
		assert_true(r->enabled);
		assert_true(r->line > 0);
		assert_non_null(strstr(r->file, ".yaml"));
		assert_true(r->message[0] != '\0');
	}
	/* The three glossary rules share one glossary file. */
	assert_int_equal(aq_rules_glossaries(f.rules, &glos), 1);
	assert_non_null(aq_rules_glossary_rule(f.rules, AQ_TERM_FORBIDDEN));
	assert_string_equal(aq_rules_builtin(f.rules, "structure.omission")->id,
		"structure.omission");
	assert_null(aq_rules_builtin(f.rules, "punctuation.halfwidth-comma"));
	assert_int_equal(strlen(aq_rules_digest(f.rules)), 16);
	fx_close(&f);
}

/* ------------------------------------------------------------------ */
/* Every kind on small cases                                            */

static const char kinds_pack[] =
	"pack: k\n"
	"rules:\n"
	"  - id: comma\n"
	"    kind: forbid\n"
	"    severity: warning\n"
	"    category: punctuation\n"
	"    message: 'doubled {match}'\n"
	"    zh: '，，+'\n"
	"  - id: etal\n"
	"    kind: forbid\n"
	"    severity: info\n"
	"    category: style\n"
	"    message: 'et al: {match}'\n"
	"    pattern: '\\bet al\\b(?!\\.)'\n"
	"    side: en\n"
	"    caseless: true\n"
	"  - id: fffd\n"
	"    kind: forbid\n"
	"    severity: error\n"
	"    category: encoding\n"
	"    message: 'U+FFFD'\n"
	"    pattern: '\\x{FFFD}'\n"
	"    side: both\n"
	"  - id: unit\n"
	"    kind: preserve\n"
	"    severity: warning\n"
	"    category: style\n"
	"    message: 'unit {match} lost'\n"
	"    en: '\\d+\\s*(mg/kg|mmol/L)'\n"
	"    normalize: true\n"
	"  - id: sym\n"
	"    kind: preserve\n"
	"    severity: warning\n"
	"    category: terminology\n"
	"    message: 'symbol {match} lost'\n"
	"    en: 'IL-\\d+'\n"
	"  - id: dose\n"
	"    kind: pair\n"
	"    severity: error\n"
	"    category: number\n"
	"    message: 'dose {1} {2}: want {expected}'\n"
	"    en: '(\\d+(?:\\.\\d+)?) (mg|g)\\b'\n"
	"    zh: '(?<![0-9.])\\1\\s*(?:\\2|毫克|克)'\n"
	"  - id: brackets\n"
	"    kind: pair\n"
	"    severity: warning\n"
	"    category: mistranslation\n"
	"    message: 'code {1} missing'\n"
	"    en: '\\[([^\\]]+)\\]'\n"
	"    zh: '\\1'\n"
	"  - id: fixed\n"
	"    kind: pair\n"
	"    severity: info\n"
	"    category: style\n"
	"    message: 'p-value without P'\n"
	"    en: '\\bp\\s*<'\n"
	"    zh: '[Pp]\\s*[<＜]'\n"
	"    caseless: true\n"
	"  - id: ctx\n"
	"    kind: forbid\n"
	"    severity: info\n"
	"    category: style\n"
	"    message: '{zh}|{en}|{1}|{9}|{nope}'\n"
	"    zh: '(※)'\n"
	"  - id: omission\n"
	"    kind: builtin\n"
	"    severity: error\n"
	"    category: omission\n"
	"    message: 'omitted'\n"
	"    params: {min: '0.25', name: x}\n";

/* In the table below: the finding's zh span is the whole Chinese text. */
#define ZH_ALL 0xFFFFFFF0u

static void test_kinds(void **state)
{
	static const struct {
		const char *en, *zh;
		const char *rule;     /* the one finding expected, NULL for none */
		const char *message;
		uint32_t en_off, en_end, zh_off, zh_end; /* AQ_NO_SPAN: no place */
	} cases[] = {
		/* forbid on zh: offsets of the match, no English place */
		{ "Good.", "好，，的", "k.comma", "doubled ，，", AQ_NO_SPAN, AQ_NO_SPAN, 3, 9 },
		{ "Good.", "好，的", NULL, NULL, 0, 0, 0, 0 },
		/* forbid on en, caseless */
		{ "As Smith Et Al showed.", "如史密斯所示。", "k.etal", "et al: Et Al", 9, 14,
		  AQ_NO_SPAN, AQ_NO_SPAN },
		{ "As Smith et al. showed.", "如史密斯所示。", NULL, NULL, 0, 0, 0, 0 },
		/* forbid on both sides */
		{ "Bad \xEF\xBF\xBD.", "好。", "k.fffd", "U+FFFD", 4, 7, AQ_NO_SPAN, AQ_NO_SPAN },
		{ "Good.", "坏\xEF\xBF\xBD", "k.fffd", "U+FFFD", AQ_NO_SPAN, AQ_NO_SPAN, 3, 6 },
		/* preserve: group 1 is the token; normalisation folds widths */
		{ "Rats got 5mg/kg.", "大鼠接受5毫克每千克。", "k.unit", "unit mg/kg lost", 10, 15,
		  0, ZH_ALL },
		{ "Rats got 5mg/kg.", "大鼠接受5 mg/kg。", NULL, NULL, 0, 0, 0, 0 },
		{ "Rats got 5mg/kg.", "大鼠接受５ｍｇ／ｋｇ。", NULL, NULL, 0, 0, 0, 0 },
		{ "Rats got 5mg/kg.", "大鼠接受5 MG / KG。", NULL, NULL, 0, 0, 0, 0 },
		/* preserve without normalize is literal */
		{ "IL-6 rose.", "白细胞介素6升高。", "k.sym", "symbol IL-6 lost", 0, 4, 0, ZH_ALL },
		{ "IL-6 rose.", "IL-6升高。", NULL, NULL, 0, 0, 0, 0 },
		/* the same token twice is reported once */
		{ "IL-6 and IL-6.", "升高。", "k.sym", "symbol IL-6 lost", 0, 4, 0, ZH_ALL },
		/* pair with back-references */
		{ "We gave 25 mg.", "我们给予25毫克。", NULL, NULL, 0, 0, 0, 0 },
		{ "We gave 25 mg.", "我们给予25 mg。", NULL, NULL, 0, 0, 0, 0 },
		{ "We gave 25 mg.", "我们给予125毫克。", "k.dose",
		  "dose 25 mg: want (?<![0-9.])25\\s*(?:mg|毫克|克)", 8, 13, 0, ZH_ALL },
		{ "We gave 2.5 g.", "我们给予2x5克。", "k.dose",
		  "dose 2.5 g: want (?<![0-9.])2\\.5\\s*(?:g|毫克|克)", 8, 13, 0, ZH_ALL },
		/* group text is quoted: its metacharacters match literally */
		{ "Code [a.b+] given.", "代码axbb。", "k.brackets", "code a.b+ missing", 5, 11, 0, ZH_ALL },
		{ "Code [a.b+] given.", "代码a.b+。", NULL, NULL, 0, 0, 0, 0 },
		{ "Code [(x] given.", "代码(x。", NULL, NULL, 0, 0, 0, 0 },
		/* pair without back-references, caseless */
		{ "Significant (P < 0.05).", "差异显著（p＜0.05）。", NULL, NULL, 0, 0, 0, 0 },
		{ "Significant (p < 0.05).", "差异显著（0.05）。", "k.fixed", "p-value without P",
		  13, 16, 0, ZH_ALL },
		/* {en} and {zh} are the sentence texts; unset groups are empty */
		{ "Note.", "注※", "k.ctx", "注※|Note.|※||{nope}", AQ_NO_SPAN, AQ_NO_SPAN, 3, 6 },
		/* preserve and pair do nothing when the Chinese side is empty */
		{ "We gave 25 mg of IL-6.", "", NULL, NULL, 0, 0, 0, 0 },
	};
	aq_findings out;
	fx f;
	(void)state;

	fx_open(&f);
	aq_findings_init(&out);
	assert_int_equal(load_text(&f, "kinds.yaml", kinds_pack), 0);
	assert_int_equal(aq_rules_count(f.rules), 10);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = apply(&f, &out, cases[i].en, cases[i].zh);

		assert_int_equal(rc, 0);
		if (!cases[i].rule) {
			if (out.n)
				fail_msg("case %zu: unexpected finding %s: %s", i, out.v[0].rule,
					out.v[0].message);
			continue;
		}
		if (out.n != 1)
			fail_msg("case %zu: %zu findings, expected 1", i, out.n);
		assert_string_equal(out.v[0].rule, cases[i].rule);
		assert_string_equal(out.v[0].message, cases[i].message);
		assert_int_equal(out.v[0].bead, 7);
		assert_int_equal(out.v[0].en.off, cases[i].en_off);
		if (cases[i].en_off != AQ_NO_SPAN)
			assert_int_equal(out.v[0].en.end, cases[i].en_end);
		assert_int_equal(out.v[0].zh.off, cases[i].zh_off);
		if (cases[i].zh_off != AQ_NO_SPAN)
			assert_int_equal(out.v[0].zh.end, cases[i].zh_end == ZH_ALL ?
				strlen(cases[i].zh) : cases[i].zh_end);
	}
	/* Builtins are only declared: their metadata and parameters. */
	{
		const aq_rule_info *r = aq_rules_builtin(f.rules, "k.omission");

		assert_non_null(r);
		assert_string_equal(aq_rules_param(r, "name"), "x");
		assert_null(aq_rules_param(r, "nothing"));
		assert_true(aq_rules_param_num(r, "min", 1.0) == 0.25);
		assert_true(aq_rules_param_num(r, "name", 3.0) == 3.0);
		assert_null(aq_rules_builtin(f.rules, "k.comma"));
		assert_null(aq_rules_builtin(f.rules, "k.nothing"));
	}
	aq_findings_dispose(&out);
	fx_close(&f);
}

/* Findings carry offsets into the whole record text, not into the bead. */
static void test_absolute_offsets(void **state)
{
	const char *en = "First sentence. We gave 25 mg.";
	const char *zh = "第一句。我们给予52毫克，，";
	aq_record rec = make_record(en, zh);
	aq_span en_sp = { 16, (uint32_t)strlen(en) }, zh_sp = { 12, (uint32_t)strlen(zh) };
	aq_rules_scratch *s = NULL;
	aq_findings out;
	fx f;
	(void)state;

	fx_open(&f);
	aq_findings_init(&out);
	assert_int_equal(load_text(&f, "kinds.yaml", kinds_pack), 0);
	assert_int_equal(aq_rules_scratch_new(&s, f.rules), 0);
	assert_int_equal(aq_rules_apply(&out, f.rules, s, f.ctx, &rec, en_sp, zh_sp, 1), 0);
	assert_int_equal(out.n, 2);
	/* load order: the forbid rule comes first */
	assert_string_equal(out.v[0].rule, "k.comma");
	assert_int_equal(out.v[0].zh.off, strlen(zh) - 6);
	assert_int_equal(out.v[0].zh.end, strlen(zh));
	assert_string_equal(out.v[1].rule, "k.dose");
	assert_int_equal(out.v[1].en.off, 24);
	assert_int_equal(out.v[1].en.end, 29);
	assert_memory_equal(en + out.v[1].en.off, "25 mg", 5);
	assert_int_equal(out.v[1].zh.off, 12);
	assert_int_equal(out.v[1].zh.end, strlen(zh));
	/* the scratch's pattern cache gives the same answer the second time */
	aq_findings_clear(&out);
	assert_int_equal(aq_rules_apply(&out, f.rules, s, f.ctx, &rec, en_sp, zh_sp, 1), 0);
	assert_int_equal(out.n, 2);
	aq_rules_scratch_free(s);
	aq_findings_dispose(&out);
	fx_close(&f);
}

/* Many distinct pair patterns: the per-thread cache fills, is flushed and
 * keeps giving the right answers. */
static void test_pair_cache(void **state)
{
	aq_buf en, zh;
	aq_findings out;
	fx f;
	(void)state;

	fx_open(&f);
	aq_findings_init(&out);
	aq_buf_init(&en);
	aq_buf_init(&zh);
	assert_int_equal(load_text(&f, "cache.yaml",
		"pack: c\n"
		"rules:\n"
		"  - {id: n, kind: pair, severity: error, category: number, message: '{1}',\n"
		"     en: '(?<!\\d)(\\d+)(?!\\d)', zh: '(?<!\\d)\\1(?!\\d)'}\n"), 0);
	for (int i = 1; i <= 1000; i++) {
		aq_buf_printf(&en, "%d ", i);
		if (i != 777)
			aq_buf_printf(&zh, "%d，", i);
	}
	assert_int_equal(apply(&f, &out, en.ptr, zh.ptr), 0);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].message, "777");
	aq_buf_dispose(&en);
	aq_buf_dispose(&zh);
	aq_findings_dispose(&out);
	fx_close(&f);
}

/* ------------------------------------------------------------------ */
/* Message templates                                                    */

static void test_format(void **state)
{
	static const char *const keys[] = { "match", "1", "term", "empty" };
	static const char *const vals[] = { "25 mg", "25", "骨关节炎", NULL };
	static const struct {
		const char *tmpl, *out;
	} cases[] = {
		{ "plain", "plain" },
		{ "{match}", "25 mg" },
		{ "dose {1} ({match})", "dose 25 (25 mg)" },
		{ "use \"{term}\"", "use \"骨关节炎\"" },
		{ "[{empty}]", "[]" },
		{ "{unknown} stays", "{unknown} stays" },
		{ "{ not a key } {}", "{ not a key } {}" },
		{ "open { and {1", "open { and {1" },
		{ "}{{match}}", "}{25 mg}" },
		{ "", "" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		aq_buf b;

		aq_buf_init(&b);
		assert_int_equal(aq_rules_format(&b, cases[i].tmpl, keys, vals, 4), 0);
		assert_string_equal(b.ptr ? b.ptr : "", cases[i].out);
		aq_buf_dispose(&b);
	}
}

/* ------------------------------------------------------------------ */
/* Broken files                                                         */

#define RULE_HEAD "pack: b\nrules:\n  - id: r1\n    kind: forbid\n    severity: error\n" \
	"    category: style\n    message: m\n"

static void test_broken(void **state)
{
	static const struct {
		const char *text;
		const char *want[3]; /* substrings of the message after "<path>:" */
	} cases[] = {
		{ "pack: b\nrules:\n  - id: r1\n    kind: [forbid\n",
		  { "YAML syntax error", NULL } },
		{ "pack: b\nrules:\n  - id: r1\n    kind: ban\n    severity: error\n",
		  { ":4: rule 'b.r1': unknown kind 'ban'", NULL } },
		{ "pack: b\nrules:\n  - id: r1\n    kind: forbid\n    severity: error\n"
		  "    category: grammar\n    message: m\n    zh: x\n",
		  { ":6: rule 'b.r1': unknown category 'grammar'", "omission, addition", NULL } },
		{ "pack: b\nrules:\n  - id: r1\n    kind: forbid\n    severity: fatal\n",
		  { ":5: rule 'b.r1': unknown severity 'fatal'", NULL } },
		{ RULE_HEAD "    zh: 'ab(c'\n",
		  { ":8: rule 'b.r1': bad zh pattern: ", "missing closing parenthesis", "at offset 4" } },
		{ RULE_HEAD "    en: 'a{2,1}'\n",
		  { ":8: rule 'b.r1': bad en pattern: ", "at offset", NULL } },
		{ RULE_HEAD "    zh: 'x'\n  - id: r1\n    kind: forbid\n    severity: error\n"
		  "    category: style\n    message: m\n    zh: 'y'\n",
		  { ":9: duplicate rule id 'b.r1' (first defined at ", ":3)", NULL } },
		{ RULE_HEAD "    zh: 'x'\n    colour: red\n",
		  { ":9: unknown rule key 'colour'", NULL } },
		{ RULE_HEAD "    zh: 'x*'\n",
		  { ":8: rule 'b.r1': zh pattern matches the empty string", NULL } },
		{ RULE_HEAD "    zh: 'x'\n    normalize: true\n",
		  { ":9: rule 'b.r1': 'normalize' does not apply to forbid rules", NULL } },
		{ RULE_HEAD, { ":3: rule 'b.r1': a forbid rule needs an en: or zh: pattern", NULL } },
		{ "pack: b\nrules:\n  - id: r1\n    kind: pair\n    severity: error\n"
		  "    category: number\n    message: m\n    en: '(\\d+)'\n    zh: '\\2'\n",
		  { ":9: rule 'b.r1': zh template uses \\2 but the en pattern has 1 capture group", NULL } },
		{ "pack: b\nrules:\n  - id: r1\n    kind: pair\n    severity: error\n"
		  "    category: number\n    message: m\n    en: '(\\d+)'\n    zh: '\\1('\n",
		  { ":9: rule 'b.r1': bad zh template: ", "missing closing parenthesis", NULL } },
		{ "pack: b\nrules:\n  - id: r1\n    kind: glossary\n    severity: error\n"
		  "    category: terminology\n    message: m\n",
		  { ":3: rule 'b.r1': a glossary rule needs status:", NULL } },
		{ "pack: b\nrules:\n  - id: r1\n    kind: glossary\n    severity: error\n"
		  "    category: terminology\n    message: m\n    status: preferred\n"
		  "    file: no-such.tsv\n",
		  { ":9: rule 'b.r1': glossary 'no-such.tsv': ", NULL } },
		{ "pack: b\nrules:\n  - id: 'has space'\n", { ":3: bad rule id 'has space'", NULL } },
		{ "pack: b\nrules:\n  - kind: forbid\n", { ":3: rule without id:", NULL } },
		{ "pack: b\nrules:\n  - id: r1\n    kind: builtin\n    severity: error\n"
		  "    category: style\n",
		  { ":3: rule 'b.r1': no message:", NULL } },
		{ RULE_HEAD "    zh: x\n    examples:\n      fire:\n        - {en: '', zh: ''}\n",
		  { ":11: rule 'b.r1': an example needs en: or zh: text", NULL } },
		{ RULE_HEAD "    zh: x\n    examples:\n      maybe: []\n",
		  { ":10: rule 'b.r1': unknown examples key 'maybe'", NULL } },
		{ "pack: b\nrulez: []\n", { ":2: unknown pack key 'rulez'", NULL } },
		{ "pack: b\n", { ":1: pack 'b' has no rules: list", NULL } },
		{ "", { ":1: empty rule pack", NULL } },
		{ "- a\n- b\n", { ":1: a rule pack must be a mapping", NULL } },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *path = write_file("broken.yaml", cases[i].text);
		const char *msg;
		fx f;

		fx_open(&f);
		assert_int_equal(aq_rules_load_file(f.rules, path), AQ_ERULE);
		msg = aq_ctx_errmsg(f.ctx);
		if (strncmp(msg, path, strlen(path)) || msg[strlen(path)] != ':')
			fail_msg("case %zu: message does not start with the file: %s", i, msg);
		for (size_t j = 0; j < 3 && cases[i].want[j]; j++)
			if (!strstr(msg + strlen(path), cases[i].want[j]))
				fail_msg("case %zu: '%s' not in: %s", i, cases[i].want[j], msg);
		/* nothing is half-loaded */
		assert_int_equal(aq_rules_count(f.rules), 0);
		fx_close(&f);
	}
}

/* A directory whose second pack is broken loads nothing; a missing file or
 * directory is an I/O error. */
static void test_dir_atomic(void **state)
{
	char path[256];
	fx f;
	(void)state;

	make_dir("packs");
	write_file("packs/a.yaml", RULE_HEAD "    zh: x\n");
	write_file("packs/b.yaml", RULE_HEAD "    zh: '('\n");
	write_file("packs/notes.txt", "not a pack");
	fx_open(&f);
	snprintf(path, sizeof(path), "%s/packs", tmpdir);
	/* a.yaml has pack b too, so b.yaml is a duplicate before it is a bad
	 * pattern: either way it is a rule error naming b.yaml. */
	assert_int_equal(aq_rules_load_dir(f.rules, path), AQ_ERULE);
	assert_non_null(strstr(aq_ctx_errmsg(f.ctx), "b.yaml:"));
	assert_int_equal(aq_rules_count(f.rules), 0);
	write_file("packs/b.yaml", "pack: c\n" "rules:\n  - id: r1\n    kind: forbid\n"
		"    severity: error\n    category: style\n    message: m\n    zh: y\n");
	assert_int_equal(aq_rules_load_dir(f.rules, path), 0);
	assert_int_equal(aq_rules_count(f.rules), 2);
	assert_string_equal(aq_rules_get(f.rules, 0)->id, "b.r1");
	assert_string_equal(aq_rules_get(f.rules, 1)->id, "c.r1");
	/* loading the same directory again: duplicates, and nothing changes */
	assert_int_equal(aq_rules_load_dir(f.rules, path), AQ_ERULE);
	assert_non_null(strstr(aq_ctx_errmsg(f.ctx), "duplicate rule id 'b.r1'"));
	assert_int_equal(aq_rules_count(f.rules), 2);
	snprintf(path, sizeof(path), "%s/none", tmpdir);
	assert_int_equal(aq_rules_load_dir(f.rules, path), AQ_EIO);
	assert_int_equal(aq_rules_load_file(f.rules, path), AQ_EIO);
	fx_close(&f);
}

/* ------------------------------------------------------------------ */
/* Configuration                                                        */

static const char cfg_pack_a[] =
	"pack: a\n"
	"rules:\n"
	"  - {id: one, kind: forbid, severity: error, category: style, message: m, zh: x}\n"
	"  - {id: two, kind: forbid, severity: warning, category: punctuation, message: m, zh: y}\n"
	"  - {id: three, kind: builtin, severity: info, category: omission, message: m}\n";
static const char cfg_pack_b[] =
	"pack: b\n"
	"rules:\n"
	"  - {id: one, kind: forbid, severity: warning, category: style, message: m, zh: z}\n";

static void test_configure(void **state)
{
	static const struct {
		const char *sel;
		int enabled, sev;
		int rc;
		const char *after; /* a.one a.two a.three b.one: on/off and e/w/i */
	} cases[] = {
		{ "a.one", 0, -1, 0, "-e +w +i +w" },
		{ "a.one", 1, AQ_SEV_INFO, 0, "+i +w +i +w" },
		{ "a.*", -1, AQ_SEV_ERROR, 0, "+e +e +e +w" },
		{ "category:style", 0, -1, 0, "-e +e +e -w" },
		{ "*", 1, AQ_SEV_WARNING, 0, "+w +w +w +w" },
		{ "a.four", 0, -1, AQ_EINVAL, "+w +w +w +w" },
		{ "c.*", 0, -1, AQ_EINVAL, "+w +w +w +w" },
		{ "category:grammar", 0, -1, AQ_EINVAL, "+w +w +w +w" },
		{ "a.two", -1, 7, AQ_EINVAL, "+w +w +w +w" },
	};
	fx f;
	(void)state;

	fx_open(&f);
	assert_int_equal(load_text(&f, "a.yaml", cfg_pack_a), 0);
	assert_int_equal(load_text(&f, "b.yaml", cfg_pack_b), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char got[32] = "";

		assert_int_equal(aq_rules_configure(f.rules, cases[i].sel, cases[i].enabled,
			cases[i].sev), cases[i].rc);
		for (size_t j = 0; j < aq_rules_count(f.rules); j++) {
			const aq_rule_info *r = aq_rules_get(f.rules, j);
			char one[4] = { r->enabled ? '+' : '-', "iwe"[r->severity], ' ', 0 };

			strcat(got, one);
		}
		got[strlen(got) - 1] = '\0';
		if (strcmp(got, cases[i].after))
			fail_msg("case %zu (%s): got '%s', want '%s'", i, cases[i].sel, got,
				cases[i].after);
	}
	assert_non_null(strstr(aq_ctx_errmsg(f.ctx), "bad severity"));
	fx_close(&f);
}

static void test_config_file(void **state)
{
	const char *cfg;
	const aq_rule_info *r;
	const aq_lexicon *const *glos;
	fx f;
	(void)state;

	make_dir("extra");
	write_file("extra/b.yaml", cfg_pack_b);
	write_file("terms.tsv", "osteoarthritis\t骨关节炎\n");
	cfg = write_file("cfg.yaml",
		"# project settings\n"
		"rules:\n"
		"  a.one: off\n"
		"  a.two: {severity: error}\n"
		"  'category:omission': {enabled: false, severity: warning}\n"
		"  b.*: info\n"
		"packs: [ ./extra ]\n"
		"glossaries: [ terms.tsv ]\n");
	fx_open(&f);
	assert_int_equal(load_text(&f, "a.yaml", cfg_pack_a), 0);
	assert_int_equal(aq_rules_load_config(f.rules, cfg), 0);
	assert_int_equal(aq_rules_count(f.rules), 4);
	r = aq_rules_find(f.rules, "a.one");
	assert_false(r->enabled);
	assert_int_equal(r->severity, AQ_SEV_ERROR);
	r = aq_rules_find(f.rules, "a.two");
	assert_true(r->enabled);
	assert_int_equal(r->severity, AQ_SEV_ERROR);
	r = aq_rules_find(f.rules, "a.three");
	assert_false(r->enabled);
	assert_int_equal(r->severity, AQ_SEV_WARNING);
	assert_null(aq_rules_builtin(f.rules, "a.three"));
	r = aq_rules_find(f.rules, "b.one");
	assert_non_null(r);
	assert_int_equal(r->severity, AQ_SEV_INFO);
	assert_int_equal(aq_rules_glossaries(f.rules, &glos), 1);
	assert_int_equal(aq_lexicon_size(glos[0]), 1);
	fx_close(&f);

	/* errors name the configuration file and line; nothing is applied */
	{
		static const struct {
			const char *text, *want;
		} bad[] = {
			{ "rules:\n  a.one: off\n  a.nine: off\n", ":3: unknown rule 'a.nine'" },
			{ "rules:\n  a.one: loud\n", ":2: rule 'a.one': expected on, off or a severity" },
			{ "rules:\n  a.one: {colour: red}\n", ":2: rule 'a.one': unknown setting 'colour'" },
			{ "rules:\n  'category:grammar': off\n", ":2: unknown category in" },
			{ "rulez: {}\n", ":1: unknown configuration key 'rulez'" },
			{ "packs: [ ./nowhere ]\n", ":1: pack './nowhere': " },
			{ "glossaries: [ nowhere.tsv ]\n", ":1: glossary 'nowhere.tsv': " },
			{ "rules: [a, b]\n", ":1: rules: must be a mapping" },
			{ "rules:\n  a.one: off\n    bad indent: x\n", "YAML syntax error" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			const char *path = write_file("bad.yaml", bad[i].text);
			const char *msg;
			int rc;

			fx_open(&f);
			assert_int_equal(load_text(&f, "a.yaml", cfg_pack_a), 0);
			rc = aq_rules_load_config(f.rules, path);
			assert_int_equal(rc, AQ_ERULE);
			msg = aq_ctx_errmsg(f.ctx);
			if (strncmp(msg, path, strlen(path)) || !strstr(msg, bad[i].want))
				fail_msg("case %zu: '%s' not in: %s", i, bad[i].want, msg);
			assert_true(aq_rules_find(f.rules, "a.one")->enabled);
			assert_int_equal(aq_rules_count(f.rules), 3);
			fx_close(&f);
		}
	}
}

/* ------------------------------------------------------------------ */
/* Digest                                                               */

static void test_digest(void **state)
{
	char d0[17], d1[17];
	fx f, g;
	(void)state;

	fx_open(&f);
	fx_open(&g);
	snprintf(d0, sizeof(d0), "%s", aq_rules_digest(f.rules));
	assert_int_equal(strlen(d0), 16);
	assert_int_equal(load_text(&f, "a.yaml", cfg_pack_a), 0);
	assert_string_not_equal(aq_rules_digest(f.rules), d0);
	assert_int_equal(aq_rules_load_file(g.rules, write_file("a.yaml", cfg_pack_a)), 0);
	assert_string_equal(aq_rules_digest(f.rules), aq_rules_digest(g.rules));
	snprintf(d1, sizeof(d1), "%s", aq_rules_digest(f.rules));

	/* a severity change shows, and undoing it restores the digest */
	assert_int_equal(aq_rules_configure(f.rules, "a.two", -1, AQ_SEV_ERROR), 0);
	assert_string_not_equal(aq_rules_digest(f.rules), d1);
	assert_int_equal(aq_rules_configure(f.rules, "a.two", -1, AQ_SEV_WARNING), 0);
	assert_string_equal(aq_rules_digest(f.rules), d1);
	/* so does switching a rule off */
	assert_int_equal(aq_rules_configure(f.rules, "a.two", 0, -1), 0);
	assert_string_not_equal(aq_rules_digest(f.rules), d1);
	/* a changed pattern with the same ids */
	{
		char text[sizeof(cfg_pack_a)];
		fx h;

		snprintf(text, sizeof(text), "%s", cfg_pack_a);
		*strstr(text, "zh: x") = '\0';
		strcat(text, "zh: w}\n"
			"  - {id: two, kind: forbid, severity: warning, category: punctuation, message: m, zh: y}\n"
			"  - {id: three, kind: builtin, severity: info, category: omission, message: m}\n");
		fx_open(&h);
		assert_int_equal(aq_rules_load_file(h.rules, write_file("a2.yaml", text)), 0);
		assert_int_equal(aq_rules_count(h.rules), 3);
		assert_string_not_equal(aq_rules_digest(h.rules), d1);
		fx_close(&h);
	}
	fx_close(&f);
	fx_close(&g);
}

/* ------------------------------------------------------------------ */
/* Pathological patterns                                                */

static void test_backtracking_limit(void **state)
{
	char en[4096];
	aq_findings out;
	clock_t t0;
	double secs;
	fx f;
	(void)state;

	fx_open(&f);
	aq_findings_init(&out);
	assert_int_equal(load_text(&f, "slow.yaml",
		"pack: slow\n"
		"rules:\n"
		"  - id: nested\n"
		"    kind: forbid\n"
		"    severity: info\n"
		"    category: style\n"
		"    message: m\n"
		"    en: '(a+)+$'\n"), 0);
	memset(en, 'a', sizeof(en) - 2);
	en[sizeof(en) - 2] = 'b';
	en[sizeof(en) - 1] = '\0';
	t0 = clock();
	assert_int_equal(apply(&f, &out, en, "中文。"), AQ_ERULE);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	assert_true(secs < 10.0);
	assert_non_null(strstr(aq_ctx_errmsg(f.ctx), "slow.yaml:3: rule 'slow.nested'"));
	assert_non_null(strstr(aq_ctx_errmsg(f.ctx), "record 't1'"));
	/* a short subject is fine */
	assert_int_equal(apply(&f, &out, "aaab", "中文。"), 0);
	assert_int_equal(out.n, 0);
	aq_findings_dispose(&out);
	fx_close(&f);
}

/* ------------------------------------------------------------------ */
/* Skipped searches                                                     */

/* A search is skipped when the bead lacks every byte a match could start
 * with, or the unit every match holds (from pcre2_pattern_info): each rule
 * below must still fire wherever its bytes are present.  The 70-byte class
 * of "wide" uses up the summary's bits, so "late" shares one. */
static const char hint_pack[] =
	"pack: h\n"
	"rules:\n"
	"  - {id: first, kind: forbid, severity: info, category: style, message: m,\n"
	"     en: 'xyz'}\n"
	"  - {id: caseless, kind: forbid, severity: info, category: style, message: m,\n"
	"     en: 'qu+x', caseless: true}\n"
	"  - {id: kelvin, kind: forbid, severity: info, category: style, message: m,\n"
	"     en: 'kelvin', caseless: true}\n"
	"  - {id: han, kind: forbid, severity: info, category: style, message: m,\n"
	"     zh: '锟斤拷'}\n"
	"  - {id: han-caseless, kind: forbid, severity: info, category: style, message: m,\n"
	"     zh: 'Ω欧', caseless: true}\n"
	"  - {id: zwsp, kind: forbid, severity: info, category: style, message: m,\n"
	"     zh: '[\\x{200B}\\x{FEFF}]'}\n"
	"  - {id: req, kind: forbid, severity: info, category: style, message: m,\n"
	"     en: '\\d+\\s*°C'}\n"
	"  - {id: wide, kind: forbid, severity: info, category: style, message: m,\n"
	"     en: '[!-f]w'}\n"
	"  - {id: late, kind: forbid, severity: info, category: style, message: m,\n"
	"     en: 'zq'}\n"
	"  - {id: unit, kind: preserve, severity: info, category: style, message: m,\n"
	"     en: 'mmHg'}\n";

static void test_pattern_hints(void **state)
{
	static const struct {
		const char *en, *zh;
		const char *rule; /* the one finding expected, NULL for none */
	} cases[] = {
		{ "has xyz here", "中文。", "h.first" },
		{ "has xy here", "中文。", NULL },
		{ "QUUUX", "中文。", "h.caseless" },
		{ "Quux", "中文。", "h.caseless" },
		{ "KELVIN", "中文。", "h.kelvin" },
		{ "\xE2\x84\xAA" "ELVIN", "中文。", "h.kelvin" }, /* U+212A KELVIN SIGN */
		{ "Good.", "检查锟斤拷。", "h.han" },
		{ "Good.", "检查锟斤。", NULL },
		{ "Good.", "检查ω欧。", "h.han-caseless" },
		{ "Good.", "检查Ω欧。", "h.han-caseless" },
		{ "Good.", "检查\xE2\x84\xA6欧。", "h.han-caseless" }, /* U+2126 OHM SIGN */
		{ "Good.", "检查欧。", NULL },
		{ "Good.", "检查\xEF\xBB\xBF。", "h.zwsp" },
		{ "Good.", "检查\xE2\x80\x8B。", "h.zwsp" },
		{ "Good.", "检查。", NULL },
		{ "At 37 °C.", "中文。", "h.req" },
		{ "At 37 °F.", "中文。", NULL },
		{ "fw", "中文。", "h.wide" },
		{ "!w", "中文。", "h.wide" },
		{ "zq", "中文。", "h.late" },
		{ "ZQ", "中文。", NULL },
		{ "BP in mmHg.", "血压单位。", "h.unit" },
		{ "BP in mmHg.", "血压 mmHg。", NULL },
		{ "No unit.", "", NULL },
	};
	aq_findings out;
	aq_buf en;
	fx f;
	(void)state;

	fx_open(&f);
	aq_findings_init(&out);
	assert_int_equal(load_text(&f, "hints.yaml", hint_pack), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(apply(&f, &out, cases[i].en, cases[i].zh), 0);
		if (!cases[i].rule) {
			if (out.n)
				fail_msg("case %zu: unexpected finding %s", i, out.v[0].rule);
			continue;
		}
		if (out.n != 1)
			fail_msg("case %zu: %zu findings, expected 1", i, out.n);
		assert_string_equal(out.v[0].rule, cases[i].rule);
	}
	/* Long texts: without its required unit PCRE2 still runs the search. */
	aq_buf_init(&en);
	for (int i = 0; i < 300; i++)
		aq_buf_puts(&en, "abc ");
	aq_buf_puts(&en, "5 °F");
	assert_int_equal(apply(&f, &out, en.ptr, "中文。"), 0);
	assert_int_equal(out.n, 0);
	en.ptr[en.len - 1] = 'C';
	assert_int_equal(apply(&f, &out, en.ptr, "中文。"), 0);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].rule, "h.req");
	aq_buf_dispose(&en);
	/* The summary is of the bead, not of the record. */
	{
		const char *ren = "Has xyz. Has none.", *rzh = "好。";
		aq_record rec = make_record(ren, rzh);
		aq_rules_scratch *s = NULL;

		assert_int_equal(aq_rules_scratch_new(&s, f.rules), 0);
		aq_findings_clear(&out);
		assert_int_equal(aq_rules_apply(&out, f.rules, s, f.ctx, &rec,
			(aq_span){ 9, 18 }, whole(rzh), 0), 0);
		assert_int_equal(out.n, 0);
		assert_int_equal(aq_rules_apply(&out, f.rules, s, f.ctx, &rec,
			(aq_span){ 0, 8 }, whole(rzh), 1), 0);
		assert_int_equal(out.n, 1);
		assert_string_equal(out.v[0].rule, "h.first");
		assert_int_equal(out.v[0].en.off, 4);
		aq_rules_scratch_free(s);
	}
	aq_findings_dispose(&out);
	fx_close(&f);
}

/* Invalid UTF-8 on one side skips that side instead of failing. */
static void test_invalid_utf8(void **state)
{
	aq_findings out;
	fx f;
	(void)state;

	fx_open(&f);
	aq_findings_init(&out);
	assert_int_equal(load_text(&f, "kinds.yaml", kinds_pack), 0);
	assert_int_equal(apply(&f, &out, "bad \xff et al here", "好，，的"), 0);
	assert_int_equal(out.n, 1);
	assert_string_equal(out.v[0].rule, "k.comma");
	aq_findings_dispose(&out);
	fx_close(&f);
}

/* ------------------------------------------------------------------ */
/* Self-test                                                            */

static void test_selftest(void **state)
{
	const char *path;
	size_t passed = 0, failed = 0;
	char want[512];
	aq_buf report;
	fx f;
	(void)state;

	path = write_file("ex.yaml",
		"pack: ex\n"
		"rules:\n"
		"  - id: comma\n"
		"    kind: forbid\n"
		"    severity: warning\n"
		"    category: punctuation\n"
		"    message: 'half-width {match}'\n"
		"    zh: '(?<=\\p{Han}),'\n"
		"    enabled: false\n"
		"    examples:\n"
		"      fire:\n"
		"        - {en: 'a, b', zh: '甲,乙'}\n"
		"        - {en: 'a, b', zh: '甲，乙'}\n"
		"      pass:\n"
		"        - {en: 'a, b', zh: '甲，乙'}\n"
		"        - en: 'a, b'\n"
		"          zh: '甲,乙'\n"
		"  - id: temp\n"
		"    kind: pair\n"
		"    severity: warning\n"
		"    category: number\n"
		"    message: '{1} °C'\n"
		"    en: '(\\d+)\\s*°C'\n"
		"    zh: '\\1\\s*(?:°C|℃)'\n"
		"    examples:\n"
		"      fire: [{en: '37 °C', zh: '4℃'}]\n"
		"      pass: [{en: '37 °C', zh: '37℃'}, {en: 'warm', zh: '温暖'}]\n");
	fx_open(&f);
	aq_buf_init(&report);
	assert_int_equal(aq_rules_load_file(f.rules, path), 0);
	assert_int_equal(aq_rules_selftest_counts(f.rules, &report, &passed, &failed), 2);
	assert_int_equal(passed, 5);
	assert_int_equal(failed, 2);
	snprintf(want, sizeof(want), "%s:13: rule ex.comma: example 2 should fire but did not\n"
		"%s:16: rule ex.comma: example 2 should not fire but did: half-width ,\n", path, path);
	assert_string_equal(report.ptr, want);
	/* the configuration is restored after the run */
	assert_false(aq_rules_find(f.rules, "ex.comma")->enabled);
	aq_buf_clear(&report);
	assert_int_equal(aq_rules_selftest(f.rules, &report), 2);
	aq_buf_dispose(&report);
	fx_close(&f);
}

/* Glossary rules: files relative to the pack, loaded once, owned. */
static void test_glossary_rules(void **state)
{
	const aq_lexicon *const *glos;
	const char *path;
	fx f;
	(void)state;

	make_dir("g");
	write_file("g/core.tsv", "osteoarthritis\t骨关节炎\tpreferred\n"
		"osteoarthritis\t骨性关节炎\tdeprecated\n");
	path = write_file("g/terms.yaml",
		"pack: t\n"
		"rules:\n"
		"  - {id: pref, kind: glossary, status: preferred, file: core.tsv, severity: warning,\n"
		"     category: terminology, message: '\"{term}\" should be \"{expected}\"'}\n"
		"  - {id: dep, kind: glossary, status: deprecated, file: core.tsv, severity: warning,\n"
		"     category: terminology, message: m}\n"
		"  - {id: forb, kind: glossary, status: forbidden, severity: error,\n"
		"     category: terminology, message: m, enabled: off}\n");
	fx_open(&f);
	assert_int_equal(aq_rules_load_file(f.rules, path), 0);
	assert_int_equal(aq_rules_glossaries(f.rules, &glos), 1);
	assert_int_equal(aq_lexicon_size(glos[0]), 2);
	assert_string_equal(aq_rules_glossary_rule(f.rules, AQ_TERM_PREFERRED)->id, "t.pref");
	assert_string_equal(aq_rules_glossary_rule(f.rules, AQ_TERM_DEPRECATED)->id, "t.dep");
	assert_null(aq_rules_glossary_rule(f.rules, AQ_TERM_FORBIDDEN));
	assert_int_equal(aq_rules_configure(f.rules, "t.forb", 1, -1), 0);
	assert_string_equal(aq_rules_glossary_rule(f.rules, AQ_TERM_FORBIDDEN)->id, "t.forb");
	/* a borrowed glossary comes after, and only once */
	{
		aq_lexicon *lex = NULL;
		char d[17];

		snprintf(d, sizeof(d), "%s", aq_rules_digest(f.rules));
		assert_int_equal(aq_lexicon_load(&lex, f.ctx, write_file("more.tsv",
			"knee\t膝\n"), AQ_LEX_GLOSSARY), 0);
		assert_int_equal(aq_rules_add_glossary(f.rules, lex), 0);
		assert_int_equal(aq_rules_add_glossary(f.rules, lex), 0);
		assert_int_equal(aq_rules_glossaries(f.rules, &glos), 2);
		assert_ptr_equal(glos[1], lex);
		assert_string_not_equal(aq_rules_digest(f.rules), d);
		fx_close(&f);
		aq_lexicon_free(lex);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_packs),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_absolute_offsets),
		cmocka_unit_test(test_pair_cache),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_dir_atomic),
		cmocka_unit_test(test_configure),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_backtracking_limit),
		cmocka_unit_test(test_pattern_hints),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_selftest),
		cmocka_unit_test(test_glossary_rules),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
