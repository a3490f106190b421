/*
 * rules.c - the rules engine: reads rule packs (YAML via libyaml), compiles
 * their patterns once with PCRE2 (the library's only PCRE2 user), applies
 * preserve, pair and forbid rules to one bead, and handles configuration,
 * the digest and the examples self-test.  Built-in and glossary checks are
 * check.c's: packs only declare them.
 */
#define PCRE2_CODE_UNIT_WIDTH 8

#include "rules_int.h"
#include "util_int.h"

#include <dirent.h>
#include <errno.h>
#include <pcre2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

enum {
	RULES_MATCH_LIMIT = 1000000,     /* pcre2 backtracking steps per search */
	RULES_DEPTH_LIMIT = 10000,       /* nested backtracking frames (interpreter) */
	RULES_HEAP_LIMIT_KIB = 65536,    /* backtracking heap per search (interpreter) */
	RULES_JIT_STACK_MIN = 32 * 1024, /* bytes */
	RULES_JIT_STACK_MAX = 1024 * 1024,
	PAIR_CACHE_SLOTS = 512,          /* power of two */
	MAX_GROUPS = 9,                  /* {1}..{9} and \1..\9 */
	MAX_ID_LEN = 64,                 /* bytes of a rule's short id */
	/* Longest text (bytes) for which a missing required code unit rules a
	 * search out.  PCRE2 itself looks for that unit before it tries to
	 * match only in subjects shorter than REQ_CU_MAX (1000 or 5000,
	 * depending on the version); beyond, a search could still end with a
	 * match limit error rather than "no match", so it is run. */
	RULES_REQ_TEXT_MAX = 1000,
};

/* A text's byte summary (see aq_rules.byte_bits): bits 0..62 stand for
 * bytes some pattern needs, bit 63 for any byte >= 0x80 (without it the
 * text is ASCII, hence valid UTF-8). */
#define NEED_BITS 63
#define NONASCII_BIT ((uint64_t)1 << 63)

/* ------------------------------------------------------------------ */
/* Data                                                                 */

typedef struct kv {
	char *key;
	char *value;
} kv;

/* One example of a rule: a sentence pair treated as one bead. */
typedef struct example {
	char *en;      /* "" when absent */
	char *zh;
	double score;  /* the bead's confidence (built-in checks only) */
	kv *meta;      /* record metadata (built-in checks only) */
	size_t n_meta;
	uint32_t line; /* line of the example in the pack */
	uint32_t n;    /* 1-based position within its fire: or pass: list */
	bool fire;     /* must fire (else must not) */
} example;

/* What is known of a compiled pattern before it runs: the bytes (as bits
 * of aq_rules.byte_bits) a text must hold for it to match there, from
 * pcre2_pattern_info, and whether the JIT compiled it. */
typedef struct pat_hint {
	uint64_t start;  /* a match starts with one of these bytes (0: any byte) */
	uint64_t req;    /* every match holds one of these bytes (0: none known) */
	bool jit;        /* pcre2_jit_match can run it */
} pat_hint;

typedef struct rule {
	aq_rule_info info;    /* first member: aq_rule_info pointers are rule pointers */
	char *id;             /* "<pack>.<id>" */
	char *pack;
	char *file;
	char *message;
	char *description;
	char *en_src;         /* English pattern as written, or NULL */
	char *zh_src;         /* Chinese pattern (forbid) or template (pair), or NULL */
	char *mixed_with;     /* forbid: full severity only where the record's same
	                       * side also holds this text; else info (NULL: always) */
	pcre2_code *en_re;    /* preserve, pair, forbid on en */
	pcre2_code *zh_re;    /* forbid on zh; pair template without back-references */
	pat_hint en_hint;     /* of en_re */
	pat_hint zh_hint;     /* of zh_re */
	uint32_t en_groups;   /* capture groups of en_re */
	bool caseless;
	bool normalize;       /* preserve: compare after width and case folding */
	bool zh_has_refs;     /* pair: template uses \1..\9 */
	uint8_t status;       /* glossary: aq_term_status it reports */
	char *gloss_path;     /* glossary: resolved "file:" or NULL */
	kv *params;           /* built-in tuning parameters */
	size_t n_params;
	example *ex;
	size_t n_ex;
	aq_severity def_sev;  /* as written in the pack */
	bool def_enabled;
	uint32_t idx;         /* position in aq_rules.v (pair cache key) */
} rule;

struct aq_rules {
	aq_ctx *ctx;
	rule **v;                   /* rules in load order */
	size_t n, cap;
	const aq_lexicon **glos;    /* every glossary glossary rules use */
	size_t n_glos, cap_glos;
	aq_lexicon **own;           /* glossaries loaded by the rules (owned) */
	char **own_path;            /* their resolved paths (deduplication) */
	size_t n_own, cap_own;
	uint32_t max_groups;        /* most capture groups of any pattern */
	bool no_jit;                /* interpreter only (aq_rules_set_jit) */
	/* The bits standing for each byte in a text's summary: NONASCII_BIT
	 * for bytes >= 0x80, and a bit of its own for a byte some pattern
	 * needs.  Those are handed out as patterns are compiled; past
	 * NEED_BITS - 1 bytes, the rest share the last one. */
	uint64_t byte_bits[256];
	uint32_t n_bits;            /* bits handed out */
	char digest[17];
};

/* Rules and glossaries read but not yet committed: a load either commits
 * everything it read or nothing. */
typedef struct stage {
	rule **v;
	size_t n, cap;
	aq_lexicon **lex;
	char **lex_path;
	size_t n_lex, cap_lex;
} stage;

static const char *const kind_names[] = { "preserve", "pair", "forbid", "glossary", "builtin" };
static const char *const status_names[] = { "preferred", "deprecated", "forbidden" };

/* ------------------------------------------------------------------ */
/* Small helpers                                                        */

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

static char *dup_mem(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		if (n)
			memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}
/* dir/rel, or rel itself when absolute or dir is empty. */
static char *path_join(const char *dir, const char *rel)
{
	size_t dn = strlen(dir), rn = strlen(rel);
	char *p;

	if (rel[0] == '/' || dn == 0)
		return dup_str(rel);
	p = malloc(dn + rn + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, dn);
	p[dn] = '/';
	memcpy(p + dn + 1, rel, rn + 1);
	return p;
}

/* The directory part of path ("" for a bare file name). */
static char *path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return dup_str("");
	if (slash == path)
		return dup_str("/");
	return dup_mem(path, (size_t)(slash - path));
}

/* File name without directory and extension. */
static char *path_stem(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot;

	base = base ? base + 1 : path;
	dot = strrchr(base, '.');
	return dup_mem(base, dot && dot != base ? (size_t)(dot - base) : strlen(base));
}

static bool is_id_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		c == '-' || c == '_';
}

static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > MAX_ID_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!is_id_char(s[i]))
			return false;
	return true;
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "on", "enabled", "True", "Yes", "On", "TRUE" };
	static const char *const no[] = { "false", "no", "off", "disabled", "False", "No", "Off", "FALSE" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

static void kvs_free(kv *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].key);
		free(v[i].value);
	}
	free(v);
}

static void rule_free(rule *r)
{
	if (!r)
		return;
	free(r->id);
	free(r->pack);
	free(r->file);
	free(r->message);
	free(r->description);
	free(r->en_src);
	free(r->zh_src);
	free(r->mixed_with);
	pcre2_code_free(r->en_re);
	pcre2_code_free(r->zh_re);
	free(r->gloss_path);
	kvs_free(r->params, r->n_params);
	for (size_t i = 0; i < r->n_ex; i++) {
		free(r->ex[i].en);
		free(r->ex[i].zh);
		kvs_free(r->ex[i].meta, r->ex[i].n_meta);
	}
	free(r->ex);
	free(r);
}

static void stage_dispose(stage *st)
{
	for (size_t i = 0; i < st->n; i++)
		rule_free(st->v[i]);
	free(st->v);
	for (size_t i = 0; i < st->n_lex; i++) {
		aq_lexicon_free(st->lex[i]);
		free(st->lex_path[i]);
	}
	free(st->lex);
	free(st->lex_path);
	memset(st, 0, sizeof(*st));
}

static const rule *find_rule(const aq_rules *rules, const stage *st, const char *id)
{
	for (size_t i = 0; i < rules->n; i++)
		if (!strcmp(rules->v[i]->id, id))
			return rules->v[i];
	for (size_t i = 0; st && i < st->n; i++)
		if (!strcmp(st->v[i]->id, id))
			return st->v[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Digest                                                               */

static uint64_t hash_str(uint64_t h, const char *s)
{
	if (!s)
		return aq_hash64("\xff", 1, h);
	return aq_hash64(s, strlen(s) + 1, h);
}

static uint64_t hash_u32(uint64_t h, uint32_t x)
{
	unsigned char b[4] = { (unsigned char)x, (unsigned char)(x >> 8),
		(unsigned char)(x >> 16), (unsigned char)(x >> 24) };

	return aq_hash64(b, sizeof(b), h);
}

static void update_digest(aq_rules *rules)
{
	uint64_t h = 0x616c69676e7161ULL; /* "alignqa" */

	for (size_t i = 0; i < rules->n; i++) {
		const rule *r = rules->v[i];

		h = hash_str(h, r->id);
		h = hash_u32(h, (uint32_t)r->info.kind);
		h = hash_u32(h, (uint32_t)r->info.severity);
		h = hash_u32(h, (uint32_t)r->info.category);
		h = hash_u32(h, r->info.enabled ? 1 : 0);
		h = hash_u32(h, (r->caseless ? 1u : 0u) | (r->normalize ? 2u : 0u));
		h = hash_u32(h, r->status);
		h = hash_str(h, r->en_src);
		h = hash_str(h, r->zh_src);
		h = hash_str(h, r->mixed_with);
		h = hash_str(h, r->message);
		for (size_t j = 0; j < r->n_params; j++) {
			h = hash_str(h, r->params[j].key);
			h = hash_str(h, r->params[j].value);
		}
	}
	h = hash_u32(h, (uint32_t)rules->n_glos);
	for (size_t i = 0; i < rules->n_glos; i++)
		h = hash_u32(h, (uint32_t)aq_lexicon_size(rules->glos[i]));
	snprintf(rules->digest, sizeof(rules->digest), "%016llx", (unsigned long long)h);
}

/* ------------------------------------------------------------------ */
/* Lifetime and access                                                  */

int aq_rules_new(aq_rules **out, aq_ctx *ctx)
{
	aq_rules *rules = calloc(1, sizeof(*rules));

	*out = NULL;
	if (!rules)
		return aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
	rules->ctx = ctx;
	for (size_t b = 0x80; b < 256; b++)
		rules->byte_bits[b] = NONASCII_BIT;
	update_digest(rules);
	*out = rules;
	return 0;
}

void aq_rules_set_jit(aq_rules *rules, bool use_jit)
{
	rules->no_jit = !use_jit;
}

void aq_rules_free(aq_rules *rules)
{
	if (!rules)
		return;
	for (size_t i = 0; i < rules->n; i++)
		rule_free(rules->v[i]);
	free(rules->v);
	for (size_t i = 0; i < rules->n_own; i++) {
		aq_lexicon_free(rules->own[i]);
		free(rules->own_path[i]);
	}
	free(rules->own);
	free(rules->own_path);
	free(rules->glos);
	free(rules);
}

size_t aq_rules_count(const aq_rules *rules)
{
	return rules->n;
}

const aq_rule_info *aq_rules_get(const aq_rules *rules, size_t idx)
{
	return idx < rules->n ? &rules->v[idx]->info : NULL;
}

const aq_rule_info *aq_rules_find(const aq_rules *rules, const char *id)
{
	const rule *r = find_rule(rules, NULL, id);

	return r ? &r->info : NULL;
}

const char *aq_rules_digest(const aq_rules *rules)
{
	return rules->digest;
}

const aq_rule_info *aq_rules_builtin(const aq_rules *rules, const char *id)
{
	const rule *r = find_rule(rules, NULL, id);

	if (!r || !r->info.enabled)
		return NULL;
	if (r->info.kind != AQ_RULE_BUILTIN && r->info.kind != AQ_RULE_GLOSSARY)
		return NULL;
	return &r->info;
}

size_t aq_rules_glossaries(const aq_rules *rules, const aq_lexicon *const **out)
{
	*out = rules->glos;
	return rules->n_glos;
}

const aq_rule_info *aq_rules_glossary_rule(const aq_rules *rules, aq_term_status status)
{
	for (size_t i = 0; i < rules->n; i++) {
		const rule *r = rules->v[i];

		if (r->info.kind == AQ_RULE_GLOSSARY && r->info.enabled && r->status == status)
			return &r->info;
	}
	return NULL;
}

const char *aq_rules_param(const aq_rule_info *info, const char *key)
{
	const rule *r = (const rule *)info;

	if (!info)
		return NULL;
	for (size_t i = 0; i < r->n_params; i++)
		if (!strcmp(r->params[i].key, key))
			return r->params[i].value;
	return NULL;
}

double aq_rules_param_num(const aq_rule_info *info, const char *key, double dflt)
{
	const char *s = aq_rules_param(info, key);
	char *end = NULL;
	double d;

	if (!s || !*s)
		return dflt;
	d = strtod(s, &end);
	return *end ? dflt : d;
}

static int glossary_attach(aq_rules *rules, const aq_lexicon *lex)
{
	if (aq_array_grow((void **)&rules->glos, &rules->cap_glos, rules->n_glos + 1,
		    sizeof(*rules->glos)))
		return AQ_ENOMEM;
	rules->glos[rules->n_glos++] = lex;
	return 0;
}

int aq_rules_add_glossary(aq_rules *rules, const aq_lexicon *glossary)
{
	if (!glossary)
		return aq_ctx_error(rules->ctx, AQ_EINVAL, "aq_rules_add_glossary: no glossary");
	for (size_t i = 0; i < rules->n_glos; i++)
		if (rules->glos[i] == glossary)
			return 0;
	if (glossary_attach(rules, glossary))
		return aq_ctx_error(rules->ctx, AQ_ENOMEM, "out of memory");
	update_digest(rules);
	return 0;
}

/* Moves everything staged into rules; fails (with nothing moved) only when
 * memory runs out. */
static int stage_commit(aq_rules *rules, stage *st)
{
	size_t need;
	int rc = AQ_ENOMEM;

	need = rules->n + st->n;
	if (need > rules->cap) {
		rule **v = realloc(rules->v, need * sizeof(*v));
		if (!v)
			goto out;
		rules->v = v;
		rules->cap = need;
	}
	need = rules->n_own + st->n_lex;
	if (need > rules->cap_own) {
		aq_lexicon **o = realloc(rules->own, need * sizeof(*o));
		if (!o)
			goto out;
		rules->own = o;
		char **p = realloc(rules->own_path, need * sizeof(*p));
		if (!p)
			goto out;
		rules->own_path = p;
		rules->cap_own = need;
	}
	need = rules->n_glos + st->n_lex;
	if (need > rules->cap_glos) {
		const aq_lexicon **g = realloc(rules->glos, need * sizeof(*g));
		if (!g)
			goto out;
		rules->glos = g;
		rules->cap_glos = need;
	}
	for (size_t i = 0; i < st->n; i++) {
		rule *r = st->v[i];

		r->idx = (uint32_t)rules->n;
		if (r->en_groups > rules->max_groups)
			rules->max_groups = r->en_groups;
		rules->v[rules->n++] = r;
	}
	for (size_t i = 0; i < st->n_lex; i++) {
		rules->own[rules->n_own] = st->lex[i];
		rules->own_path[rules->n_own++] = st->lex_path[i];
		rules->glos[rules->n_glos++] = st->lex[i];
	}
	st->n = 0;
	st->n_lex = 0;
	rc = 0;
out:
	return rc ? aq_ctx_error(rules->ctx, rc, "out of memory") : 0;
}

/* ------------------------------------------------------------------ */
/* YAML reading                                                         */

/* What a pack or configuration parse works on. */
typedef struct pctx {
	aq_rules *rules;
	stage *st;
	const char *path;    /* file being read (as named to the caller) */
	char *dir;           /* its directory, for relative paths */
	yaml_document_t doc;
	bool have_doc;
} pctx;

static uint32_t node_line(const yaml_node_t *n)
{
	return n ? (uint32_t)n->start_mark.line + 1 : 1;
}

static int perr(pctx *p, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(pctx *p, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[768];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return aq_ctx_error(p->rules->ctx, AQ_ERULE, "%s:%u: %s", p->path, node_line(n), msg);
}

static yaml_node_t *node_at(pctx *p, int idx)
{
	return yaml_document_get_node(&p->doc, idx);
}

/* The string of a scalar node, or an error naming what was expected. */
static int scalar(pctx *p, const yaml_node_t *n, const char *what, const char **out)
{
	*out = "";
	if (!n || n->type != YAML_SCALAR_NODE)
		return perr(p, n, "%s must be a string", what);
	if (strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return perr(p, n, "%s contains a NUL character", what);
	*out = (const char *)n->data.scalar.value;
	return 0;
}

static int scalar_dup(pctx *p, const yaml_node_t *n, const char *what, char **out)
{
	const char *s;
	int rc;

	if ((rc = scalar(p, n, what, &s)))
		return rc;
	if (!(*out = dup_str(s)))
		return aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
	return 0;
}

static int bool_node(pctx *p, const yaml_node_t *n, const char *what, bool *out)
{
	const char *s;
	int rc;

	if ((rc = scalar(p, n, what, &s)))
		return rc;
	if (parse_bool(s, out))
		return perr(p, n, "%s must be true or false, not '%s'", what, s);
	return 0;
}

/* Reads path into p->doc.  YAML errors name the line of the problem. */
static int pctx_open(pctx *p, aq_rules *rules, stage *st, const char *path)
{
	yaml_parser_t parser;
	FILE *fp = NULL;
	int rc = 0;

	memset(p, 0, sizeof(*p));
	p->rules = rules;
	p->st = st;
	p->path = path;
	if (!(p->dir = path_dir(path)))
		return aq_ctx_error(rules->ctx, AQ_ENOMEM, "out of memory");
	fp = fopen(path, "rb");
	if (!fp)
		return aq_ctx_error(rules->ctx, AQ_EIO, "%s: cannot open: %s", path, strerror(errno));
	if (!yaml_parser_initialize(&parser)) {
		rc = aq_ctx_error(rules->ctx, AQ_ENOMEM, "out of memory");
		goto out;
	}
	yaml_parser_set_input_file(&parser, fp);
	if (!yaml_parser_load(&parser, &p->doc)) {
		if (parser.error == YAML_MEMORY_ERROR)
			rc = aq_ctx_error(rules->ctx, AQ_ENOMEM, "out of memory");
		else
			rc = aq_ctx_error(rules->ctx, AQ_ERULE, "%s:%zu: YAML syntax error: %s%s%s",
				path, parser.problem_mark.line + 1,
				parser.problem ? parser.problem : "unknown problem",
				parser.context ? " " : "", parser.context ? parser.context : "");
		yaml_parser_delete(&parser);
		goto out;
	}
	p->have_doc = true;
	yaml_parser_delete(&parser);
out:
	fclose(fp);
	return rc;
}

static void pctx_close(pctx *p)
{
	if (p->have_doc)
		yaml_document_delete(&p->doc);
	free(p->dir);
	p->have_doc = false;
	p->dir = NULL;
}

/* ------------------------------------------------------------------ */
/* Patterns                                                             */

/* Appends s[0..len) to b so that PCRE2 reads it literally: every ASCII
 * character other than a letter or digit gets a backslash (PCRE2 defines
 * a backslash before a non-alphanumeric character as that character). */
static void quote_literal(aq_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x80 && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
				(c >= '0' && c <= '9'))) {
			if (c < 0x20 || c == 0x7f) {
				aq_buf_printf(b, "\\x{%x}", c);
				continue;
			}
			aq_buf_putc(b, '\\');
		}
		aq_buf_putc(b, (char)c);
	}
}

/* Highest \N back-reference (1..9) in a pair template; 0 if none.  A
 * doubled backslash is a literal backslash and starts no reference. */
static uint32_t template_max_ref(const char *t)
{
	uint32_t max = 0;

	for (size_t i = 0; t[i]; i++) {
		if (t[i] != '\\')
			continue;
		if (t[i + 1] >= '1' && t[i + 1] <= '9') {
			uint32_t g = (uint32_t)(t[i + 1] - '0');
			if (g > max)
				max = g;
		}
		if (t[i + 1])
			i++;
	}
	return max;
}

/* Writes template t into b with each \N replaced by the quoted text of
 * group N of subj (g holds n_pairs ovector pairs; unset groups are ""). */
static int template_expand(aq_buf *b, const char *t, const char *subj, const PCRE2_SIZE *g,
	int n_pairs)
{
	aq_buf_clear(b);
	for (size_t i = 0; t[i]; i++) {
		if (t[i] == '\\' && t[i + 1] >= '1' && t[i + 1] <= '9') {
			int k = t[i + 1] - '0';

			if (k < n_pairs && g[2 * k] != PCRE2_UNSET)
				quote_literal(b, subj + g[2 * k], g[2 * k + 1] - g[2 * k]);
			i++;
			continue;
		}
		if (t[i] == '\\' && t[i + 1]) {
			aq_buf_put(b, t + i, 2);
			i++;
			continue;
		}
		aq_buf_putc(b, t[i]);
	}
	return b->oom ? AQ_ENOMEM : 0;
}

static uint32_t compile_flags(bool caseless)
{
	return PCRE2_UTF | PCRE2_UCP | (caseless ? PCRE2_CASELESS : 0);
}

/* Compiles src; on failure writes PCRE2's message and offset to msg. */
static pcre2_code *compile_src(const char *src, size_t len, bool caseless, bool jit,
	char *msg, size_t msg_size, int *errcode)
{
	PCRE2_SIZE erroff = 0;
	pcre2_code *code;
	int err = 0;

	code = pcre2_compile((PCRE2_SPTR)src, len, compile_flags(caseless), &err, &erroff, NULL);
	if (!code) {
		PCRE2_UCHAR text[256];

		if (pcre2_get_error_message(err, text, sizeof(text)) < 0)
			snprintf((char *)text, sizeof(text), "error %d", err);
		snprintf(msg, msg_size, "%s at offset %zu", (const char *)text, (size_t)erroff);
		*errcode = err;
		return NULL;
	}
	/* JIT is an optimisation: without it the interpreter runs. */
	if (jit)
		pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	return code;
}

/* Does code match the empty string?  Such a pattern would "find" something
 * at every position. */
static bool matches_empty(const pcre2_code *code)
{
	pcre2_match_data *md = pcre2_match_data_create_from_pattern(code, NULL);
	bool yes;

	if (!md)
		return false;
	yes = pcre2_match(code, (PCRE2_SPTR) "", 0, 0, 0, md, NULL) >= 0;
	pcre2_match_data_free(md);
	return yes;
}

/* The summary bit of byte b, handed out now if b has none yet. */
static uint64_t byte_bit(aq_rules *rules, uint32_t b)
{
	if (!(rules->byte_bits[b] & ~NONASCII_BIT)) {
		uint32_t bit = rules->n_bits < NEED_BITS - 1 ? rules->n_bits++ : NEED_BITS - 1;

		rules->byte_bits[b] |= (uint64_t)1 << bit;
	}
	return rules->byte_bits[b] & ~NONASCII_BIT;
}

/* The bits of code unit cu in either ASCII case: pcre2_pattern_info does
 * not say whether a first or required unit is caseless (PCRE2 only makes
 * an ASCII unit caseless; a caseless multi-byte character gets none). */
static uint64_t unit_bits(aq_rules *rules, uint32_t cu)
{
	uint32_t lower = cu | 0x20;
	uint64_t bits = byte_bit(rules, cu);

	if (lower >= 'a' && lower <= 'z')
		bits |= byte_bit(rules, cu ^ 0x20);
	return bits;
}

/* Fills h from what PCRE2 knows of code: its first code unit or its start
 * bitmap, and its required (last literal) code unit.  PCRE2 relies on both
 * itself to reject a subject without trying to match; a pattern with
 * (*NO_START_OPT) gets no condition. */
static void pattern_hint(aq_rules *rules, const pcre2_code *code, pat_hint *h)
{
	uint32_t opts = 0, type = 0, cu = 0;
	const uint8_t *map = NULL;
	size_t jit_size = 0;

	memset(h, 0, sizeof(*h));
	h->jit = !pcre2_pattern_info(code, PCRE2_INFO_JITSIZE, &jit_size) && jit_size > 0;
	if (pcre2_pattern_info(code, PCRE2_INFO_ALLOPTIONS, &opts) ||
	    (opts & PCRE2_NO_START_OPTIMIZE))
		return;
	if (!pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODETYPE, &type) && type == 1 &&
	    !pcre2_pattern_info(code, PCRE2_INFO_FIRSTCODEUNIT, &cu) && cu < 256) {
		h->start = unit_bits(rules, cu);
	} else if (!pcre2_pattern_info(code, PCRE2_INFO_FIRSTBITMAP, &map) && map) {
		for (uint32_t b = 0; b < 256; b++)
			if (map[b / 8] & (1u << (b % 8)))
				h->start |= byte_bit(rules, b);
	}
	type = 0;
	if (!pcre2_pattern_info(code, PCRE2_INFO_LASTCODETYPE, &type) && type == 1 &&
	    !pcre2_pattern_info(code, PCRE2_INFO_LASTCODEUNIT, &cu) && cu < 256)
		h->req = unit_bits(rules, cu);
}

static int compile_node(pctx *p, rule *r, const yaml_node_t *n, const char *side,
	const char *src, pcre2_code **out, pat_hint *hint)
{
	char msg[384];
	int err = 0;

	*out = compile_src(src, strlen(src), r->caseless, !p->rules->no_jit, msg, sizeof(msg),
		&err);
	if (!*out) {
		if (err == PCRE2_ERROR_NOMEMORY)
			return aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
		return perr(p, n, "rule '%s': bad %s pattern: %s", r->id, side, msg);
	}
	if (matches_empty(*out))
		return perr(p, n, "rule '%s': %s pattern matches the empty string", r->id, side);
	pattern_hint(p->rules, *out, hint);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Rule packs                                                           */

enum rule_key {
	RK_ID, RK_KIND, RK_SEVERITY, RK_CATEGORY, RK_MESSAGE, RK_DESCRIPTION, RK_EN, RK_ZH,
	RK_PATTERN, RK_SIDE, RK_CASELESS, RK_NORMALIZE, RK_ENABLED, RK_STATUS, RK_FILE,
	RK_PARAMS, RK_EXAMPLES, RK_MIXED, RK__COUNT
};

static const char *const rule_keys[RK__COUNT] = {
	"id", "kind", "severity", "category", "message", "description", "en", "zh",
	"pattern", "side", "caseless", "normalize", "enabled", "status", "file",
	"params", "examples", "mixed_with",
};

/* Reads a flat mapping of strings (params:, meta:). */
static int read_kvs(pctx *p, const yaml_node_t *n, const char *what, kv **out, size_t *n_out)
{
	size_t cap = 0;
	int rc = 0;

	if (n->type != YAML_MAPPING_NODE)
		return perr(p, n, "%s must be a mapping", what);
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		const char *k, *v;

		if ((rc = scalar(p, node_at(p, pr->key), what, &k)) ||
		    (rc = scalar(p, node_at(p, pr->value), what, &v)))
			return rc;
		if (aq_array_grow((void **)out, &cap, *n_out + 1, sizeof(**out)))
			return aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
		(*out)[*n_out].key = dup_str(k);
		(*out)[*n_out].value = dup_str(v);
		(*n_out)++;
		if (!(*out)[*n_out - 1].key || !(*out)[*n_out - 1].value)
			return aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
	}
	return 0;
}

static int read_example(pctx *p, rule *r, const yaml_node_t *n, bool fire, uint32_t num,
	size_t *cap)
{
	example *ex;
	int rc;

	if (n->type != YAML_MAPPING_NODE)
		return perr(p, n, "rule '%s': an example must be a mapping with en: and zh:", r->id);
	if (aq_array_grow((void **)&r->ex, cap, r->n_ex + 1, sizeof(*r->ex)))
		return aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
	ex = &r->ex[r->n_ex++];
	memset(ex, 0, sizeof(*ex));
	ex->fire = fire;
	ex->n = num;
	ex->line = node_line(n);
	ex->score = 1.0;
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *kn = node_at(p, pr->key), *vn = node_at(p, pr->value);
		const char *k;

		if ((rc = scalar(p, kn, "an example key", &k)))
			return rc;
		if (!strcmp(k, "en") || !strcmp(k, "zh")) {
			char **dst = k[0] == 'e' ? &ex->en : &ex->zh;

			if (*dst)
				return perr(p, kn, "rule '%s': example has '%s' twice", r->id, k);
			if ((rc = scalar_dup(p, vn, k, dst)))
				return rc;
		} else if (!strcmp(k, "score")) {
			const char *s;
			char *end = NULL;

			if ((rc = scalar(p, vn, "score", &s)))
				return rc;
			ex->score = strtod(s, &end);
			if (end == s || *end || ex->score < 0 || ex->score > 1)
				return perr(p, vn, "rule '%s': score must be a number from 0 to 1", r->id);
		} else if (!strcmp(k, "meta")) {
			if ((rc = read_kvs(p, vn, "meta", &ex->meta, &ex->n_meta)))
				return rc;
		} else {
			return perr(p, kn, "rule '%s': unknown example key '%s' (en, zh, score, meta)",
				r->id, k);
		}
	}
	if (!ex->en && !(ex->en = dup_str("")))
		return aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
	if (!ex->zh && !(ex->zh = dup_str("")))
		return aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
	if (!ex->en[0] && !ex->zh[0])
		return perr(p, n, "rule '%s': an example needs en: or zh: text", r->id);
	return 0;
}

static int read_examples(pctx *p, rule *r, const yaml_node_t *n)
{
	size_t cap = 0;
	int rc;

	if (n->type != YAML_MAPPING_NODE)
		return perr(p, n, "rule '%s': examples must be a mapping with fire: and pass: lists",
			r->id);
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *kn = node_at(p, pr->key), *vn = node_at(p, pr->value);
		const char *k;
		bool fire;
		uint32_t num = 0;

		if ((rc = scalar(p, kn, "an examples key", &k)))
			return rc;
		if (!strcmp(k, "fire"))
			fire = true;
		else if (!strcmp(k, "pass"))
			fire = false;
		else
			return perr(p, kn, "rule '%s': unknown examples key '%s' (fire, pass)", r->id, k);
		if (vn->type != YAML_SEQUENCE_NODE)
			return perr(p, vn, "rule '%s': examples %s: must be a list", r->id, k);
		for (yaml_node_item_t *it = vn->data.sequence.items.start;
		     it < vn->data.sequence.items.top; it++)
			if ((rc = read_example(p, r, node_at(p, *it), fire, ++num, &cap)))
				return rc;
	}
	return 0;
}

/* Loads the glossary at path into the stage, once: a path already loaded
 * or staged is skipped.  Errors name the line of the pack or configuration
 * that asked for it (and the rule, when rule_id is not NULL). */
static int stage_glossary(pctx *p, const yaml_node_t *n, const char *path, const char *rel,
	const char *rule_id)
{
	aq_lexicon *lex = NULL;
	char **lp = NULL, *pc = NULL;
	stage *st = p->st;
	int rc;

	for (size_t i = 0; i < p->rules->n_own; i++)
		if (!strcmp(p->rules->own_path[i], path))
			return 0;
	for (size_t i = 0; i < st->n_lex; i++)
		if (!strcmp(st->lex_path[i], path))
			return 0;
	if ((rc = aq_lexicon_load(&lex, p->rules->ctx, path, AQ_LEX_GLOSSARY))) {
		char msg[512];

		if (rc == AQ_ENOMEM)
			return rc;
		snprintf(msg, sizeof(msg), "%s", aq_ctx_errmsg(p->rules->ctx));
		if (rule_id)
			return aq_ctx_error(p->rules->ctx, AQ_ERULE, "%s:%u: rule '%s': glossary "
				"'%s': %s", p->path, node_line(n), rule_id, rel, msg);
		return aq_ctx_error(p->rules->ctx, AQ_ERULE, "%s:%u: glossary '%s': %s", p->path,
			node_line(n), rel, msg);
	}
	/* lex_path grows with lex: same capacity. */
	if (aq_array_grow((void **)&st->lex, &st->cap_lex, st->n_lex + 1, sizeof(*st->lex)) ||
	    !(lp = realloc(st->lex_path, st->cap_lex * sizeof(*lp))) || !(pc = dup_str(path))) {
		if (lp)
			st->lex_path = lp;
		aq_lexicon_free(lex);
		return aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
	}
	st->lex_path = lp;
	st->lex[st->n_lex] = lex;
	st->lex_path[st->n_lex++] = pc;
	return 0;
}

/* A glossary rule's file: (relative to the pack). */
static int rule_glossary(pctx *p, rule *r, const yaml_node_t *n, const char *file)
{
	if (!(r->gloss_path = path_join(p->dir, file)))
		return aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
	return stage_glossary(p, n, r->gloss_path, file, r->id);
}

/* Checks that only the keys a kind uses are present. */
static int check_kind_keys(pctx *p, rule *r, yaml_node_t *const *key_node, yaml_node_t *const *val)
{
	static const struct {
		enum rule_key key;
		unsigned kinds; /* bit per aq_rule_kind */
	} allowed[] = {
		{ RK_EN, 1u << AQ_RULE_PRESERVE | 1u << AQ_RULE_PAIR | 1u << AQ_RULE_FORBID },
		{ RK_ZH, 1u << AQ_RULE_PAIR | 1u << AQ_RULE_FORBID },
		{ RK_PATTERN, 1u << AQ_RULE_FORBID },
		{ RK_SIDE, 1u << AQ_RULE_FORBID },
		{ RK_CASELESS, 1u << AQ_RULE_PRESERVE | 1u << AQ_RULE_PAIR | 1u << AQ_RULE_FORBID },
		{ RK_NORMALIZE, 1u << AQ_RULE_PRESERVE },
		{ RK_STATUS, 1u << AQ_RULE_GLOSSARY },
		{ RK_FILE, 1u << AQ_RULE_GLOSSARY },
		{ RK_PARAMS, 1u << AQ_RULE_GLOSSARY | 1u << AQ_RULE_BUILTIN },
		{ RK_MIXED, 1u << AQ_RULE_FORBID },
	};

	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (val[allowed[i].key] && !(allowed[i].kinds & (1u << r->info.kind)))
			return perr(p, key_node[allowed[i].key], "rule '%s': '%s' does not apply to %s rules",
				r->id, rule_keys[allowed[i].key], kind_names[r->info.kind]);
	return 0;
}

/* Compiles the patterns of a preserve, pair or forbid rule. */
static int rule_patterns(pctx *p, rule *r, yaml_node_t *const *key_node, yaml_node_t *const *val)
{
	int rc;

	switch (r->info.kind) {
	case AQ_RULE_PRESERVE:
	case AQ_RULE_PAIR:
		if (!val[RK_EN])
			return perr(p, key_node[RK_ID], "rule '%s': a %s rule needs an en: pattern", r->id,
				kind_names[r->info.kind]);
		if ((rc = scalar_dup(p, val[RK_EN], "en", &r->en_src)) ||
		    (rc = compile_node(p, r, val[RK_EN], "en", r->en_src, &r->en_re,
			&r->en_hint)))
			return rc;
		pcre2_pattern_info(r->en_re, PCRE2_INFO_CAPTURECOUNT, &r->en_groups);
		if (r->info.kind == AQ_RULE_PRESERVE)
			return 0;
		if (!val[RK_ZH])
			return perr(p, key_node[RK_ID], "rule '%s': a pair rule needs a zh: template",
				r->id);
		if ((rc = scalar_dup(p, val[RK_ZH], "zh", &r->zh_src)))
			return rc;
		uint32_t ref = template_max_ref(r->zh_src);
		if (ref > r->en_groups)
			return perr(p, val[RK_ZH], "rule '%s': zh template uses \\%u but the en pattern "
				"has %u capture group%s", r->id, ref, r->en_groups,
				r->en_groups == 1 ? "" : "s");
		r->zh_has_refs = ref > 0;
		if (!r->zh_has_refs)
			return compile_node(p, r, val[RK_ZH], "zh", r->zh_src, &r->zh_re,
				&r->zh_hint);
		{
			/* Compile once with placeholder text so that a broken template
			 * is a load error, not a check-time one. */
			PCRE2_SIZE g[2 * (MAX_GROUPS + 1)];
			char msg[384];
			aq_buf b;
			pcre2_code *probe;
			int err = 0;

			for (int i = 0; i <= MAX_GROUPS; i++) {
				g[2 * i] = 0;
				g[2 * i + 1] = 1;
			}
			aq_buf_init(&b);
			if (template_expand(&b, r->zh_src, "0", g, MAX_GROUPS + 1)) {
				aq_buf_dispose(&b);
				return aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
			}
			/* Never matched: no JIT. */
			probe = compile_src(b.ptr, b.len, r->caseless, false, msg, sizeof(msg), &err);
			aq_buf_dispose(&b);
			if (!probe)
				return perr(p, val[RK_ZH], "rule '%s': bad zh template: %s", r->id, msg);
			pcre2_code_free(probe);
		}
		return 0;
	case AQ_RULE_FORBID: {
		const char *side = NULL;
		yaml_node_t *en = val[RK_EN], *zh = val[RK_ZH];

		if (val[RK_PATTERN]) {
			if (en || zh)
				return perr(p, val[RK_PATTERN], "rule '%s': give pattern: with side:, or "
					"en:/zh:, not both", r->id);
			if (!val[RK_SIDE])
				return perr(p, val[RK_PATTERN], "rule '%s': pattern: needs side: en, zh "
					"or both", r->id);
			if ((rc = scalar(p, val[RK_SIDE], "side", &side)))
				return rc;
			if (!strcmp(side, "en") || !strcmp(side, "both"))
				en = val[RK_PATTERN];
			if (!strcmp(side, "zh") || !strcmp(side, "both"))
				zh = val[RK_PATTERN];
			if (!en && !zh)
				return perr(p, val[RK_SIDE], "rule '%s': side must be en, zh or both, "
					"not '%s'", r->id, side);
		} else if (val[RK_SIDE]) {
			if ((rc = scalar(p, val[RK_SIDE], "side", &side)))
				return rc;
			if (strcmp(side, "en") && strcmp(side, "zh") && strcmp(side, "both"))
				return perr(p, val[RK_SIDE], "rule '%s': side must be en, zh or both, "
					"not '%s'", r->id, side);
			if ((!strcmp(side, "en") && !en) || (!strcmp(side, "zh") && !zh) ||
			    (!strcmp(side, "both") && (!en || !zh)))
				return perr(p, val[RK_SIDE], "rule '%s': side: %s but no %s pattern",
					r->id, side, side);
			if (!strcmp(side, "en"))
				zh = NULL;
			else if (!strcmp(side, "zh"))
				en = NULL;
		}
		if (!en && !zh)
			return perr(p, key_node[RK_ID], "rule '%s': a forbid rule needs an en: or zh: "
				"pattern", r->id);
		if (en && ((rc = scalar_dup(p, en, "en", &r->en_src)) ||
			   (rc = compile_node(p, r, en, "en", r->en_src, &r->en_re, &r->en_hint))))
			return rc;
		if (zh && ((rc = scalar_dup(p, zh, "zh", &r->zh_src)) ||
			   (rc = compile_node(p, r, zh, "zh", r->zh_src, &r->zh_re, &r->zh_hint))))
			return rc;
		if (r->en_re)
			pcre2_pattern_info(r->en_re, PCRE2_INFO_CAPTURECOUNT, &r->en_groups);
		if (r->zh_re) {
			uint32_t zg = 0;

			pcre2_pattern_info(r->zh_re, PCRE2_INFO_CAPTURECOUNT, &zg);
			if (zg > r->en_groups)
				r->en_groups = zg;
		}
		return 0;
	}
	default:
		return 0;
	}
}

static int read_rule(pctx *p, const char *pack, const yaml_node_t *n, rule **out)
{
	yaml_node_t *val[RK__COUNT] = { 0 }, *key_node[RK__COUNT] = { 0 };
	const char *s;
	rule *r = NULL;
	int rc = 0;

	*out = NULL;
	if (n->type != YAML_MAPPING_NODE)
		return perr(p, n, "a rule must be a mapping");
	for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top; pr++) {
		yaml_node_t *kn = node_at(p, pr->key);
		const char *k;
		int i;

		if ((rc = scalar(p, kn, "a rule key", &k)))
			return rc;
		for (i = 0; i < RK__COUNT; i++)
			if (!strcmp(k, rule_keys[i]))
				break;
		if (i == RK__COUNT)
			return perr(p, kn, "unknown rule key '%s'", k);
		if (val[i])
			return perr(p, kn, "rule key '%s' given twice", k);
		val[i] = node_at(p, pr->value);
		key_node[i] = kn;
	}
	if (!val[RK_ID])
		return perr(p, n, "rule without id:");
	if ((rc = scalar(p, val[RK_ID], "id", &s)))
		return rc;
	if (!valid_name(s))
		return perr(p, val[RK_ID], "bad rule id '%s' (letters, digits, '-' and '_', at most "
			"%d bytes)", s, MAX_ID_LEN);
	if (!(r = calloc(1, sizeof(*r))) || !(r->id = malloc(strlen(pack) + strlen(s) + 2))) {
		rc = aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
		goto out;
	}
	sprintf(r->id, "%s.%s", pack, s);
	if (!(r->pack = dup_str(pack)) || !(r->file = dup_str(p->path))) {
		rc = aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
		goto out;
	}
	r->info.line = node_line(n);
	r->def_enabled = true;

	if (!val[RK_KIND]) {
		rc = perr(p, n, "rule '%s': no kind: (preserve, pair, forbid, glossary, builtin)", r->id);
		goto out;
	}
	if ((rc = scalar(p, val[RK_KIND], "kind", &s)))
		goto out;
	{
		size_t k;

		for (k = 0; k < sizeof(kind_names) / sizeof(kind_names[0]); k++)
			if (!strcmp(s, kind_names[k]))
				break;
		if (k == sizeof(kind_names) / sizeof(kind_names[0])) {
			rc = perr(p, val[RK_KIND], "rule '%s': unknown kind '%s' (preserve, pair, "
				"forbid, glossary, builtin)", r->id, s);
			goto out;
		}
		r->info.kind = (aq_rule_kind)k;
	}
	if (!val[RK_SEVERITY]) {
		rc = perr(p, n, "rule '%s': no severity: (error, warning, info)", r->id);
		goto out;
	}
	if ((rc = scalar(p, val[RK_SEVERITY], "severity", &s)))
		goto out;
	if (aq_severity_parse(&r->def_sev, s)) {
		rc = perr(p, val[RK_SEVERITY], "rule '%s': unknown severity '%s' (error, warning, "
			"info)", r->id, s);
		goto out;
	}
	if (!val[RK_CATEGORY]) {
		rc = perr(p, n, "rule '%s': no category:", r->id);
		goto out;
	}
	if ((rc = scalar(p, val[RK_CATEGORY], "category", &s)))
		goto out;
	if (aq_category_parse(&r->info.category, s)) {
		char list[256] = "";

		for (int c = 0; c < AQ_CAT__COUNT; c++) {
			if (c)
				strcat(list, ", ");
			strncat(list, aq_category_name((aq_category)c), sizeof(list) - strlen(list) - 3);
		}
		rc = perr(p, val[RK_CATEGORY], "rule '%s': unknown category '%s' (%s)", r->id, s, list);
		goto out;
	}
	if (!val[RK_MESSAGE]) {
		rc = perr(p, n, "rule '%s': no message:", r->id);
		goto out;
	}
	if ((rc = scalar_dup(p, val[RK_MESSAGE], "message", &r->message)))
		goto out;
	if (!r->message[0]) {
		rc = perr(p, val[RK_MESSAGE], "rule '%s': empty message", r->id);
		goto out;
	}
	if (val[RK_DESCRIPTION]) {
		if ((rc = scalar_dup(p, val[RK_DESCRIPTION], "description", &r->description)))
			goto out;
	} else if (!(r->description = dup_str(""))) {
		rc = aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
		goto out;
	}
	if ((rc = check_kind_keys(p, r, key_node, val)))
		goto out;
	if (val[RK_ENABLED] && (rc = bool_node(p, val[RK_ENABLED], "enabled", &r->def_enabled)))
		goto out;
	if (val[RK_CASELESS] && (rc = bool_node(p, val[RK_CASELESS], "caseless", &r->caseless)))
		goto out;
	if (val[RK_NORMALIZE] && (rc = bool_node(p, val[RK_NORMALIZE], "normalize", &r->normalize)))
		goto out;
	if (val[RK_MIXED] && (rc = scalar_dup(p, val[RK_MIXED], "mixed_with", &r->mixed_with)))
		goto out;
	if ((rc = rule_patterns(p, r, key_node, val)))
		goto out;
	if (r->info.kind == AQ_RULE_GLOSSARY) {
		size_t k;

		if (!val[RK_STATUS]) {
			rc = perr(p, n, "rule '%s': a glossary rule needs status: (preferred, "
				"deprecated, forbidden)", r->id);
			goto out;
		}
		if ((rc = scalar(p, val[RK_STATUS], "status", &s)))
			goto out;
		for (k = 0; k < 3; k++)
			if (!strcmp(s, status_names[k]))
				break;
		if (k == 3) {
			rc = perr(p, val[RK_STATUS], "rule '%s': unknown status '%s' (preferred, "
				"deprecated, forbidden)", r->id, s);
			goto out;
		}
		r->status = (uint8_t)k;
		if (val[RK_FILE]) {
			if ((rc = scalar(p, val[RK_FILE], "file", &s)))
				goto out;
			if ((rc = rule_glossary(p, r, val[RK_FILE], s)))
				goto out;
		}
	}
	if (val[RK_PARAMS] && (rc = read_kvs(p, val[RK_PARAMS], "params", &r->params, &r->n_params)))
		goto out;
	if (val[RK_EXAMPLES] && (rc = read_examples(p, r, val[RK_EXAMPLES])))
		goto out;

	r->info.id = r->id;
	r->info.pack = r->pack;
	r->info.file = r->file;
	r->info.message = r->message;
	r->info.description = r->description;
	r->info.severity = r->def_sev;
	r->info.enabled = r->def_enabled;
	*out = r;
	r = NULL;
out:
	rule_free(r);
	return rc;
}

/* Reads one pack file into st. */
static int load_pack(aq_rules *rules, stage *st, const char *path)
{
	yaml_node_t *root, *rules_node = NULL, *pack_node = NULL;
	char *pack = NULL;
	pctx p;
	int rc;

	if ((rc = pctx_open(&p, rules, st, path)))
		goto out;
	root = yaml_document_get_root_node(&p.doc);
	if (!root) {
		rc = aq_ctx_error(rules->ctx, AQ_ERULE, "%s:1: empty rule pack", path);
		goto out;
	}
	if (root->type != YAML_MAPPING_NODE) {
		rc = perr(&p, root, "a rule pack must be a mapping with pack:, description: and rules:");
		goto out;
	}
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *kn = node_at(&p, pr->key);
		const char *k;

		if ((rc = scalar(&p, kn, "a pack key", &k)))
			goto out;
		if (!strcmp(k, "pack")) {
			pack_node = node_at(&p, pr->value);
		} else if (!strcmp(k, "rules")) {
			rules_node = node_at(&p, pr->value);
		} else if (!strcmp(k, "description")) {
			const char *d;

			if ((rc = scalar(&p, node_at(&p, pr->value), "description", &d)))
				goto out;
		} else {
			rc = perr(&p, kn, "unknown pack key '%s' (pack, description, rules)", k);
			goto out;
		}
	}
	if (pack_node) {
		const char *s;

		if ((rc = scalar(&p, pack_node, "pack", &s)))
			goto out;
		if (!valid_name(s)) {
			rc = perr(&p, pack_node, "bad pack name '%s' (letters, digits, '-' and '_')", s);
			goto out;
		}
		pack = dup_str(s);
	} else {
		pack = path_stem(path);
		if (pack && !valid_name(pack)) {
			rc = perr(&p, root, "no pack: name, and the file name '%s' is not a valid one",
				pack);
			goto out;
		}
	}
	if (!pack) {
		rc = aq_ctx_error(rules->ctx, AQ_ENOMEM, "out of memory");
		goto out;
	}
	if (!rules_node) {
		rc = perr(&p, root, "pack '%s' has no rules: list", pack);
		goto out;
	}
	if (rules_node->type != YAML_SEQUENCE_NODE) {
		rc = perr(&p, rules_node, "rules: must be a list");
		goto out;
	}
	for (yaml_node_item_t *it = rules_node->data.sequence.items.start;
	     it < rules_node->data.sequence.items.top; it++) {
		const rule *prev;
		rule *r = NULL;

		if ((rc = read_rule(&p, pack, node_at(&p, *it), &r)))
			goto out;
		if ((prev = find_rule(rules, st, r->id))) {
			rc = aq_ctx_error(rules->ctx, AQ_ERULE, "%s:%u: duplicate rule id '%s' "
				"(first defined at %s:%u)", path, r->info.line, r->id, prev->file,
				prev->info.line);
			rule_free(r);
			goto out;
		}
		if (aq_array_grow((void **)&st->v, &st->cap, st->n + 1, sizeof(*st->v))) {
			rule_free(r);
			rc = aq_ctx_error(rules->ctx, AQ_ENOMEM, "out of memory");
			goto out;
		}
		st->v[st->n++] = r;
	}
out:
	free(pack);
	pctx_close(&p);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_pack_name(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return false;
	return (n > 5 && !strcmp(name + n - 5, ".yaml")) || (n > 4 && !strcmp(name + n - 4, ".yml"));
}

/* Reads every pack of dir (sorted by file name) into st. */
static int load_dir(aq_rules *rules, stage *st, const char *dir)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int rc = 0;

	d = opendir(dir);
	if (!d)
		return aq_ctx_error(rules->ctx, AQ_EIO, "%s: cannot open directory: %s", dir,
			strerror(errno));
	while ((de = readdir(d))) {
		if (!is_pack_name(de->d_name))
			continue;
		if (aq_array_grow((void **)&names, &cap, n + 1, sizeof(*names)) ||
		    !(names[n] = dup_str(de->d_name))) {
			rc = aq_ctx_error(rules->ctx, AQ_ENOMEM, "out of memory");
			goto out;
		}
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && !rc; i++) {
		char *path = path_join(dir, names[i]);

		if (!path) {
			rc = aq_ctx_error(rules->ctx, AQ_ENOMEM, "out of memory");
			break;
		}
		rc = load_pack(rules, st, path);
		free(path);
	}
out:
	closedir(d);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int aq_rules_load_file(aq_rules *rules, const char *path)
{
	stage st = { 0 };
	int rc;

	rc = load_pack(rules, &st, path);
	if (!rc)
		rc = stage_commit(rules, &st);
	stage_dispose(&st);
	update_digest(rules);
	return rc;
}

int aq_rules_load_dir(aq_rules *rules, const char *dir)
{
	stage st = { 0 };
	int rc;

	rc = load_dir(rules, &st, dir);
	if (!rc)
		rc = stage_commit(rules, &st);
	stage_dispose(&st);
	update_digest(rules);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Configuration                                                        */

/* Does the selector (an id, "pack.*", "category:NAME" or "*") pick r? */
static bool selector_match(const char *sel, const rule *r)
{
	size_t n = strlen(sel);

	if (!strcmp(sel, "*"))
		return true;
	if (!strncmp(sel, "category:", 9))
		return !strcmp(sel + 9, aq_category_name(r->info.category));
	if (n > 2 && !strcmp(sel + n - 2, ".*"))
		return strlen(r->pack) == n - 2 && !strncmp(sel, r->pack, n - 2);
	return !strcmp(sel, r->id);
}

static size_t selector_count(const aq_rules *rules, const stage *st, const char *sel)
{
	size_t c = 0;

	for (size_t i = 0; i < rules->n; i++)
		c += selector_match(sel, rules->v[i]);
	for (size_t i = 0; st && i < st->n; i++)
		c += selector_match(sel, st->v[i]);
	return c;
}

static bool selector_category_ok(const char *sel)
{
	aq_category cat;

	return strncmp(sel, "category:", 9) || !aq_category_parse(&cat, sel + 9);
}

static void selector_apply(aq_rules *rules, const char *sel, int enabled, int sev)
{
	for (size_t i = 0; i < rules->n; i++) {
		rule *r = rules->v[i];

		if (!selector_match(sel, r))
			continue;
		if (enabled >= 0)
			r->info.enabled = enabled != 0;
		if (sev >= 0)
			r->info.severity = (aq_severity)sev;
	}
}

int aq_rules_configure(aq_rules *rules, const char *id, int enabled, int sev)
{
	if (!id || !*id)
		return aq_ctx_error(rules->ctx, AQ_EINVAL, "no rule id");
	if (sev > AQ_SEV_ERROR)
		return aq_ctx_error(rules->ctx, AQ_EINVAL, "bad severity %d", sev);
	if (!selector_category_ok(id))
		return aq_ctx_error(rules->ctx, AQ_EINVAL, "unknown category '%s'", id + 9);
	if (!selector_count(rules, NULL, id))
		return aq_ctx_error(rules->ctx, AQ_EINVAL, "unknown rule '%s'", id);
	selector_apply(rules, id, enabled, sev);
	update_digest(rules);
	return 0;
}

typedef struct override {
	const char *sel; /* points into the YAML document */
	int enabled;     /* -1 keep */
	int sev;         /* -1 keep */
} override;

/* Reads one "selector: value" of the configuration's rules: mapping. */
static int read_override(pctx *p, yaml_node_t *kn, yaml_node_t *vn, override *o)
{
	aq_severity sev;
	const char *s;
	bool on;
	int rc;

	o->enabled = -1;
	o->sev = -1;
	if ((rc = scalar(p, kn, "a rule id", &o->sel)))
		return rc;
	if (!selector_category_ok(o->sel))
		return perr(p, kn, "unknown category in '%s'", o->sel);
	if (!selector_count(p->rules, p->st, o->sel))
		return perr(p, kn, "unknown rule '%s'", o->sel);
	if (vn->type == YAML_SCALAR_NODE) {
		if ((rc = scalar(p, vn, "a rule setting", &s)))
			return rc;
		if (!parse_bool(s, &on))
			o->enabled = on;
		else if (!aq_severity_parse(&sev, s))
			o->sev = (int)sev;
		else
			return perr(p, vn, "rule '%s': expected on, off or a severity, not '%s'",
				o->sel, s);
		return 0;
	}
	if (vn->type != YAML_MAPPING_NODE)
		return perr(p, vn, "rule '%s': expected on, off, a severity or a mapping", o->sel);
	for (yaml_node_pair_t *pr = vn->data.mapping.pairs.start; pr < vn->data.mapping.pairs.top; pr++) {
		yaml_node_t *k2 = node_at(p, pr->key), *v2 = node_at(p, pr->value);
		const char *k;

		if ((rc = scalar(p, k2, "a rule setting", &k)))
			return rc;
		if (!strcmp(k, "enabled")) {
			if ((rc = bool_node(p, v2, "enabled", &on)))
				return rc;
			o->enabled = on;
		} else if (!strcmp(k, "severity")) {
			if ((rc = scalar(p, v2, "severity", &s)))
				return rc;
			if (aq_severity_parse(&sev, s))
				return perr(p, v2, "rule '%s': unknown severity '%s' (error, warning, "
					"info)", o->sel, s);
			o->sev = (int)sev;
		} else {
			return perr(p, k2, "rule '%s': unknown setting '%s' (enabled, severity)",
				o->sel, k);
		}
	}
	return 0;
}

/* Iterates the items of a list, or a single string as a one-item list. */
static int path_list(pctx *p, yaml_node_t *n, const char *what, int (*fn)(pctx *, yaml_node_t *,
	const char *))
{
	int rc;

	if (n->type == YAML_SCALAR_NODE) {
		const char *s;

		if ((rc = scalar(p, n, what, &s)))
			return rc;
		return fn(p, n, s);
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return perr(p, n, "%s: must be a list of paths", what);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = node_at(p, *it);
		const char *s;

		if ((rc = scalar(p, item, what, &s)) || (rc = fn(p, item, s)))
			return rc;
	}
	return 0;
}

static int config_pack(pctx *p, yaml_node_t *n, const char *rel)
{
	struct stat sb;
	char *path = path_join(p->dir, rel);
	int rc;

	if (!path)
		return aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
	if (stat(path, &sb)) {
		rc = perr(p, n, "pack '%s': %s", rel, strerror(errno));
		goto out;
	}
	rc = S_ISDIR(sb.st_mode) ? load_dir(p->rules, p->st, path) : load_pack(p->rules, p->st, path);
out:
	free(path);
	return rc;
}

static int config_glossary(pctx *p, yaml_node_t *n, const char *rel)
{
	char *path = path_join(p->dir, rel);
	int rc;

	if (!path)
		return aq_ctx_error(p->rules->ctx, AQ_ENOMEM, "out of memory");
	rc = stage_glossary(p, n, path, rel, NULL);
	free(path);
	return rc;
}

int aq_rules_load_config(aq_rules *rules, const char *path)
{
	yaml_node_t *root, *rules_node = NULL, *packs = NULL, *glossaries = NULL;
	override *ov = NULL;
	size_t n_ov = 0;
	stage st = { 0 };
	pctx p;
	int rc;

	if ((rc = pctx_open(&p, rules, &st, path)))
		goto out;
	root = yaml_document_get_root_node(&p.doc);
	if (!root)
		goto out; /* an empty configuration changes nothing */
	if (root->type != YAML_MAPPING_NODE) {
		rc = perr(&p, root, "a configuration must be a mapping (rules:, packs:, glossaries:)");
		goto out;
	}
	for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
	     pr < root->data.mapping.pairs.top; pr++) {
		yaml_node_t *kn = node_at(&p, pr->key);
		const char *k;

		if ((rc = scalar(&p, kn, "a configuration key", &k)))
			goto out;
		if (!strcmp(k, "rules"))
			rules_node = node_at(&p, pr->value);
		else if (!strcmp(k, "packs"))
			packs = node_at(&p, pr->value);
		else if (!strcmp(k, "glossaries"))
			glossaries = node_at(&p, pr->value);
		else {
			rc = perr(&p, kn, "unknown configuration key '%s' (rules, packs, glossaries)", k);
			goto out;
		}
	}
	/* Packs first, so that the overrides can name their rules. */
	if (packs && (rc = path_list(&p, packs, "packs", config_pack)))
		goto out;
	if (glossaries && (rc = path_list(&p, glossaries, "glossaries", config_glossary)))
		goto out;
	if (rules_node && rules_node->type != YAML_MAPPING_NODE) {
		rc = perr(&p, rules_node, "rules: must be a mapping of rule ids to settings");
		goto out;
	}
	if (rules_node) {
		size_t n = (size_t)(rules_node->data.mapping.pairs.top - rules_node->data.mapping.pairs.start);

		if (n && !(ov = calloc(n, sizeof(*ov)))) {
			rc = aq_ctx_error(rules->ctx, AQ_ENOMEM, "out of memory");
			goto out;
		}
		for (yaml_node_pair_t *pr = rules_node->data.mapping.pairs.start;
		     pr < rules_node->data.mapping.pairs.top; pr++)
			if ((rc = read_override(&p, node_at(&p, pr->key), node_at(&p, pr->value),
					&ov[n_ov++])))
				goto out;
	}
	if ((rc = stage_commit(rules, &st)))
		goto out;
	for (size_t i = 0; i < n_ov; i++)
		selector_apply(rules, ov[i].sel, ov[i].enabled, ov[i].sev);
out:
	free(ov);
	pctx_close(&p);
	stage_dispose(&st);
	update_digest(rules);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Message templates                                                    */

int aq_rules_format(aq_buf *out, const char *tmpl, const char *const *keys,
	const char *const *values, size_t n)
{
	const char *s = tmpl;

	while (*s) {
		const char *open = strchr(s, '{'), *close;
		size_t i;

		if (!open) {
			aq_buf_puts(out, s);
			break;
		}
		aq_buf_put(out, s, (size_t)(open - s));
		for (close = open + 1; is_id_char(*close); close++)
			;
		if (*close != '}' || close == open + 1) {
			aq_buf_putc(out, '{');
			s = open + 1;
			continue;
		}
		for (i = 0; i < n; i++)
			if (strlen(keys[i]) == (size_t)(close - open - 1) &&
			    !strncmp(keys[i], open + 1, (size_t)(close - open - 1)))
				break;
		if (i < n)
			aq_buf_puts(out, values[i] ? values[i] : "");
		else
			aq_buf_put(out, open, (size_t)(close - open + 1));
		s = close + 1;
	}
	return out->oom ? AQ_ENOMEM : 0;
}

/* ------------------------------------------------------------------ */
/* Scratch                                                              */

typedef struct pair_slot {
	uint64_t hash;
	uint32_t rule;    /* rule idx */
	char *pat;        /* expanded pattern (NULL: empty slot) */
	pcre2_code *code;
} pair_slot;

struct aq_rules_scratch {
	const aq_rules *rules;
	pcre2_match_data *md;
	uint32_t md_pairs;          /* ovector pairs md holds */
	pcre2_match_context *mctx;  /* limits and JIT stack */
	pcre2_jit_stack *jit;
	pair_slot *cache;           /* PAIR_CACHE_SLOTS, open addressing */
	size_t cache_n;
	aq_buf pat;                 /* an expanded pair template */
	aq_buf seen;                /* tokens handled for one rule in one bead */
	aq_buf fold_zh;             /* folded Chinese bead (preserve normalize:) */
	aq_buf fold_tok;
	bool zh_folded;
	aq_buf vals;                /* message values, NUL-separated */
	aq_buf msg;
	/* mixed_with verdicts for one record, two a rule (en, zh) by rule
	 * index: 0 not known yet, 1 mixed (the next finding has the rule's
	 * severity), 2 house style (info), 3 mixed and reported once */
	uint8_t *mix;
	size_t mix_cap;
	const char *mix_text[2];    /* the record texts the verdicts are for */
	size_t mix_len[2];
	uint8_t side_ok[2];         /* the record's en, zh: 0 not checked yet,
	                             * 1 valid UTF-8, 2 not */
	bool mix_valid;             /* false: forget them (a new record) */
};

static void cache_clear(aq_rules_scratch *s)
{
	for (size_t i = 0; i < PAIR_CACHE_SLOTS; i++) {
		free(s->cache[i].pat);
		pcre2_code_free(s->cache[i].code);
		s->cache[i].pat = NULL;
		s->cache[i].code = NULL;
	}
	s->cache_n = 0;
}

void aq_rules_scratch_reset(aq_rules_scratch *s)
{
	if (s)
		s->mix_valid = false;
}

void aq_rules_scratch_free(aq_rules_scratch *s)
{
	if (!s)
		return;
	if (s->cache)
		cache_clear(s);
	free(s->cache);
	pcre2_match_data_free(s->md);
	pcre2_match_context_free(s->mctx);
	pcre2_jit_stack_free(s->jit);
	aq_buf_dispose(&s->pat);
	aq_buf_dispose(&s->seen);
	aq_buf_dispose(&s->fold_zh);
	aq_buf_dispose(&s->fold_tok);
	aq_buf_dispose(&s->vals);
	aq_buf_dispose(&s->msg);
	free(s->mix);
	free(s);
}

static int scratch_md(aq_rules_scratch *s, uint32_t groups)
{
	uint32_t pairs = groups + 1 > MAX_GROUPS + 1 ? groups + 1 : MAX_GROUPS + 1;

	if (s->md && s->md_pairs >= pairs)
		return 0;
	pcre2_match_data_free(s->md);
	s->md = pcre2_match_data_create(pairs, NULL);
	s->md_pairs = s->md ? pairs : 0;
	return s->md ? 0 : AQ_ENOMEM;
}

int aq_rules_scratch_new(aq_rules_scratch **out, const aq_rules *rules)
{
	aq_rules_scratch *s = calloc(1, sizeof(*s));
	int rc = AQ_ENOMEM;

	*out = NULL;
	if (!s)
		return AQ_ENOMEM;
	s->rules = rules;
	if (scratch_md(s, rules->max_groups))
		goto out;
	if (!(s->mctx = pcre2_match_context_create(NULL)))
		goto out;
	pcre2_set_match_limit(s->mctx, RULES_MATCH_LIMIT);
	pcre2_set_depth_limit(s->mctx, RULES_DEPTH_LIMIT);
	pcre2_set_heap_limit(s->mctx, RULES_HEAP_LIMIT_KIB);
	/* Without JIT support this returns NULL and the interpreter runs. */
	if (!rules->no_jit)
		s->jit = pcre2_jit_stack_create(RULES_JIT_STACK_MIN, RULES_JIT_STACK_MAX, NULL);
	if (s->jit)
		pcre2_jit_stack_assign(s->mctx, NULL, s->jit);
	if (!(s->cache = calloc(PAIR_CACHE_SLOTS, sizeof(*s->cache))))
		goto out;
	aq_buf_init(&s->pat);
	aq_buf_init(&s->seen);
	aq_buf_init(&s->fold_zh);
	aq_buf_init(&s->fold_tok);
	aq_buf_init(&s->vals);
	aq_buf_init(&s->msg);
	*out = s;
	s = NULL;
	rc = 0;
out:
	aq_rules_scratch_free(s);
	return rc;
}

/* The compiled form of an expanded pair template (s->pat), from the cache
 * or compiled now.  NULL with *err set when it does not compile. */
static pcre2_code *cache_get(aq_rules_scratch *s, const rule *r, char *msg, size_t msg_size,
	int *err)
{
	uint64_t h = aq_hash64(s->pat.ptr, s->pat.len, r->idx);
	size_t i = (size_t)h & (PAIR_CACHE_SLOTS - 1);
	pcre2_code *code;

	for (;;) {
		pair_slot *slot = &s->cache[i];

		if (!slot->pat)
			break;
		if (slot->hash == h && slot->rule == r->idx && !strcmp(slot->pat, s->pat.ptr))
			return slot->code;
		i = (i + 1) & (PAIR_CACHE_SLOTS - 1);
	}
	code = compile_src(s->pat.ptr, s->pat.len, r->caseless, !s->rules->no_jit, msg,
		msg_size, err);
	if (!code)
		return NULL;
	/* Keep the table at most three quarters full: flush when it fills. */
	if (s->cache_n >= PAIR_CACHE_SLOTS / 4 * 3) {
		cache_clear(s);
		i = (size_t)h & (PAIR_CACHE_SLOTS - 1);
	}
	while (s->cache[i].pat)
		i = (i + 1) & (PAIR_CACHE_SLOTS - 1);
	s->cache[i].pat = dup_str(s->pat.ptr);
	if (!s->cache[i].pat) {
		pcre2_code_free(code);
		*err = PCRE2_ERROR_NOMEMORY;
		return NULL;
	}
	s->cache[i].hash = h;
	s->cache[i].rule = r->idx;
	s->cache[i].code = code;
	s->cache_n++;
	return code;
}

/* ------------------------------------------------------------------ */
/* Applying pattern rules                                               */

/* One side of the bead being checked. */
typedef struct side_text {
	const char *p;   /* bead text */
	size_t len;      /* bytes */
	uint32_t base;   /* offset of p in the record's text */
	uint64_t bits;   /* the aq_rules.byte_bits of the bytes p holds (all
	                  * ones: not summarised) */
	bool usable;     /* present and valid UTF-8 */
} side_text;

/* A match's ovector: groups 0..MAX_GROUPS (PCRE2_UNSET when unset). */
typedef struct match {
	PCRE2_SIZE g[2 * (MAX_GROUPS + 1)];
	int n_pairs;
} match;

/* What a rule is being applied to. */
typedef struct apply_env {
	aq_findings *out;
	aq_rules_scratch *s;
	aq_ctx *ctx;
	const aq_record *rec;
	side_text en, zh;
	aq_span en_span, zh_span;
	uint32_t bead;
} apply_env;

static int match_error(apply_env *e, const rule *r, int rc, const char *side, size_t off)
{
	PCRE2_UCHAR text[256];
	const char *why = "";

	if (pcre2_get_error_message(rc, text, sizeof(text)) < 0)
		snprintf((char *)text, sizeof(text), "error %d", rc);
	if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
	    rc == PCRE2_ERROR_HEAPLIMIT || rc == PCRE2_ERROR_JIT_STACKLIMIT)
		why = " (the pattern backtracks too much: simplify it)";
	return aq_ctx_error(e->ctx, AQ_ERULE, "%s:%u: rule '%s': %s pattern: PCRE2 %s%s, record "
		"'%s' at %s offset %zu", r->file, r->info.line, r->id, side, (const char *)text, why,
		e->rec->id ? e->rec->id : "?", side, off);
}

/* Could a pattern with hint h match in t?  False only when t lacks every
 * byte a match can start with, or (in a text short enough for PCRE2 to
 * look for it first) the unit every match holds. */
static bool may_match(const side_text *t, const pat_hint *h)
{
	if (h->start && !(t->bits & h->start))
		return false;
	return !h->req || t->len >= RULES_REQ_TEXT_MAX || (t->bits & h->req);
}

/* Finds the next non-empty match of code in t from *start.  h is code's
 * hint (NULL: nothing known).  Returns 1 and fills m, 0 when there is none,
 * or AQ_ERULE. */
static int next_match(apply_env *e, const rule *r, const pcre2_code *code, const pat_hint *h,
	const side_text *t, const char *side, size_t *start, match *m)
{
	const PCRE2_SIZE *ov;
	int rc;

	if (h && !may_match(t, h))
		return 0;
	while (*start <= t->len) {
		/* pcre2_match would hand a JIT-compiled pattern to pcre2_jit_match
		 * after checks these calls do not need (valid UTF-8, options). */
		if (h && h->jit)
			rc = pcre2_jit_match(code, (PCRE2_SPTR)t->p, t->len, *start,
				PCRE2_NO_UTF_CHECK, e->s->md, e->s->mctx);
		else
			rc = pcre2_match(code, (PCRE2_SPTR)t->p, t->len, *start,
				PCRE2_NO_UTF_CHECK, e->s->md, e->s->mctx);
		if (rc == PCRE2_ERROR_NOMATCH)
			return 0;
		if (rc < 0)
			return match_error(e, r, rc, side, t->base + *start);
		ov = pcre2_get_ovector_pointer(e->s->md);
		if (ov[1] <= ov[0] || ov[1] <= *start) {
			/* Empty (or \K-shortened) match: step one character on. */
			size_t at = ov[1] > *start ? ov[1] : *start;

			if (at >= t->len)
				return 0;
			aq_utf8_next(t->p, t->len, &at);
			*start = at;
			continue;
		}
		m->n_pairs = rc == 0 || rc > MAX_GROUPS + 1 ? MAX_GROUPS + 1 : rc;
		for (int i = 0; i < MAX_GROUPS + 1; i++) {
			bool set = i < m->n_pairs && ov[2 * i] != PCRE2_UNSET && ov[2 * i + 1] >= ov[2 * i];

			m->g[2 * i] = set ? ov[2 * i] : PCRE2_UNSET;
			m->g[2 * i + 1] = set ? ov[2 * i + 1] : PCRE2_UNSET;
		}
		*start = ov[1];
		return 1;
	}
	return 0;
}

/* Has this token been handled already for this rule and bead?  Records it
 * if not. */
static bool seen_token(aq_rules_scratch *s, const char *tok, size_t len)
{
	size_t i = 0;
	uint32_t n;

	while (i + sizeof(n) <= s->seen.len) {
		memcpy(&n, s->seen.ptr + i, sizeof(n));
		i += sizeof(n);
		if (n == len && !memcmp(s->seen.ptr + i, tok, len))
			return true;
		i += n;
	}
	n = (uint32_t)len;
	aq_buf_put(&s->seen, (const char *)&n, sizeof(n));
	aq_buf_put(&s->seen, tok, len);
	return false;
}

/* Appends the fold of s[0..len) used by preserve rules with normalize:
 * full-width ASCII to ASCII, ASCII lower case, white space dropped, and the
 * compatibility characters units are written with (µ, ℃, ℉, Ω, Å, minus
 * and dashes) mapped as NFKC would. */
static void fold_append(aq_buf *out, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t at = i;
		int32_t cp = aq_utf8_next(s, len, &i);

		if (cp < 0)
			continue;
		if (cp >= 0xFF01 && cp <= 0xFF5E)
			cp -= 0xFEE0;
		if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || aq_cp_is_space(cp))
			continue;
		if (cp >= 'A' && cp <= 'Z')
			cp += 'a' - 'A';
		switch (cp) {
		case 0x00B5: aq_buf_puts(out, "\xCE\xBC"); continue;       /* µ -> μ */
		case 0x2103: aq_buf_puts(out, "\xC2\xB0" "c"); continue;   /* ℃ */
		case 0x2109: aq_buf_puts(out, "\xC2\xB0" "f"); continue;   /* ℉ */
		case 0x2126: aq_buf_puts(out, "\xCF\x89"); continue;       /* Ω -> ω (folded) */
		case 0x03A9: aq_buf_puts(out, "\xCF\x89"); continue;       /* Ω -> ω */
		case 0x212B: aq_buf_puts(out, "\xC3\xA5"); continue;       /* Å -> å */
		case 0x00C5: aq_buf_puts(out, "\xC3\xA5"); continue;
		case '-': case '(': case ')': case 0x2212: case 0x2010: case 0x2011: case 0x2013:
		case 0xFE63:
			/* hyphens and brackets say nothing: "IL-6" is kept as
			 * "白细胞介素（IL）-6" and as "IL6" */
			continue;
		default:
			break;
		}
		if (cp < 0x80)
			aq_buf_putc(out, (char)cp);
		else
			aq_buf_put(out, s + at, i - at);
	}
}

static bool contains(const char *hay, size_t hay_len, const char *needle, size_t len)
{
	if (len == 0)
		return true;
	return hay_len >= len && memmem(hay, hay_len, needle, len) != NULL;
}

static const char *const msg_keys[] = {
	"match", "en", "zh", "expected", "1", "2", "3", "4", "5", "6", "7", "8", "9",
};

/* Fills the rule's message and appends the finding.  mt is the side the
 * match m is on; (mo, me) the matched text there. */
static int emit(apply_env *e, const rule *r, const side_text *mt, const match *m, size_t mo,
	size_t me, const char *expected, const aq_span *en_sp, const aq_span *zh_sp)
{
	enum { NKEYS = sizeof(msg_keys) / sizeof(msg_keys[0]) };
	aq_rules_scratch *s = e->s;
	size_t off[NKEYS];
	const char *vals[NKEYS];
	int rc;

	aq_buf_clear(&s->vals);
	off[0] = s->vals.len;
	aq_buf_put(&s->vals, mt->p + mo, me - mo);
	aq_buf_putc(&s->vals, '\0');
	off[1] = s->vals.len;
	if (e->en.p)
		aq_buf_put(&s->vals, e->en.p, e->en.len);
	aq_buf_putc(&s->vals, '\0');
	off[2] = s->vals.len;
	if (e->zh.p)
		aq_buf_put(&s->vals, e->zh.p, e->zh.len);
	aq_buf_putc(&s->vals, '\0');
	off[3] = s->vals.len;
	aq_buf_puts(&s->vals, expected ? expected : "");
	aq_buf_putc(&s->vals, '\0');
	for (int i = 1; i <= MAX_GROUPS; i++) {
		off[3 + i] = s->vals.len;
		if (i < m->n_pairs && m->g[2 * i] != PCRE2_UNSET)
			aq_buf_put(&s->vals, mt->p + m->g[2 * i], m->g[2 * i + 1] - m->g[2 * i]);
		aq_buf_putc(&s->vals, '\0');
	}
	if (s->vals.oom)
		return aq_ctx_error(e->ctx, AQ_ENOMEM, "out of memory");
	for (size_t i = 0; i < NKEYS; i++)
		vals[i] = s->vals.ptr + off[i];
	aq_buf_clear(&s->msg);
	if (aq_rules_format(&s->msg, r->message, msg_keys, vals, NKEYS))
		return aq_ctx_error(e->ctx, AQ_ENOMEM, "out of memory");
	rc = aq_findings_add(e->out, r->id, r->info.severity, r->info.category, en_sp, zh_sp, e->bead,
		s->msg.ptr);
	if (rc)
		return aq_ctx_error(e->ctx, rc, "out of memory");
	return 0;
}

static int apply_preserve(apply_env *e, const rule *r)
{
	aq_rules_scratch *s = e->s;
	size_t start = 0;
	match m;
	int rc;

	aq_buf_clear(&s->seen);
	while ((rc = next_match(e, r, r->en_re, &r->en_hint, &e->en, "en", &start, &m)) > 0) {
		size_t to = m.g[0], te = m.g[1];
		bool present;

		if (r->en_groups >= 1) {
			if (m.g[2] == PCRE2_UNSET)
				continue;
			to = m.g[2];
			te = m.g[3];
		}
		if (te <= to || seen_token(s, e->en.p + to, te - to))
			continue;
		if (r->normalize) {
			if (!s->zh_folded) {
				aq_buf_clear(&s->fold_zh);
				fold_append(&s->fold_zh, e->zh.p, e->zh.len);
				s->zh_folded = true;
			}
			aq_buf_clear(&s->fold_tok);
			fold_append(&s->fold_tok, e->en.p + to, te - to);
			if (s->fold_zh.oom || s->fold_tok.oom)
				return aq_ctx_error(e->ctx, AQ_ENOMEM, "out of memory");
			present = contains(s->fold_zh.ptr, s->fold_zh.len, s->fold_tok.ptr,
				s->fold_tok.len);
		} else {
			present = contains(e->zh.p, e->zh.len, e->en.p + to, te - to);
		}
		if (!present) {
			aq_span en_sp = { e->en.base + (uint32_t)to, e->en.base + (uint32_t)te };

			if ((rc = emit(e, r, &e->en, &m, to, te, NULL, &en_sp, &e->zh_span)))
				return rc;
		}
	}
	if (s->seen.oom)
		return aq_ctx_error(e->ctx, AQ_ENOMEM, "out of memory");
	return rc;
}

static int apply_pair(apply_env *e, const rule *r)
{
	aq_rules_scratch *s = e->s;
	size_t start = 0;
	match m;
	int rc;

	aq_buf_clear(&s->seen);
	while ((rc = next_match(e, r, r->en_re, &r->en_hint, &e->en, "en", &start, &m)) > 0) {
		const pcre2_code *code = r->zh_re;
		const pat_hint *hint = &r->zh_hint;
		const char *expected = r->zh_src;
		size_t zstart = 0;
		match zm;

		if (seen_token(s, e->en.p + m.g[0], m.g[1] - m.g[0]))
			continue;
		if (r->zh_has_refs) {
			char msg[384];
			int err = 0;

			if (template_expand(&s->pat, r->zh_src, e->en.p, m.g, m.n_pairs))
				return aq_ctx_error(e->ctx, AQ_ENOMEM, "out of memory");
			code = cache_get(s, r, msg, sizeof(msg), &err);
			if (!code) {
				if (err == PCRE2_ERROR_NOMEMORY)
					return aq_ctx_error(e->ctx, AQ_ENOMEM, "out of memory");
				return aq_ctx_error(e->ctx, AQ_ERULE, "%s:%u: rule '%s': zh template "
					"expands to a bad pattern '%s': %s", r->file, r->info.line, r->id,
					s->pat.ptr, msg);
			}
			expected = s->pat.ptr;
			hint = NULL;
		}
		rc = next_match(e, r, code, hint, &e->zh, "zh", &zstart, &zm);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			aq_span en_sp = { e->en.base + (uint32_t)m.g[0], e->en.base + (uint32_t)m.g[1] };

			if ((rc = emit(e, r, &e->en, &m, m.g[0], m.g[1], expected, &en_sp, &e->zh_span)))
				return rc;
		}
	}
	if (s->seen.oom)
		return aq_ctx_error(e->ctx, AQ_ENOMEM, "out of memory");
	return rc;
}

/* Is the forbidden form a slip in this record's side, or its house style?
 * With mixed_with set, the rule's matches over the whole side are counted
 * against the occurrences of that text (the accepted form): where the
 * forbidden form is the more common, or the accepted one is never used,
 * the text consistently prefers it and *style is set (findings become
 * info).  Verdicts are kept for the record, so each is one pass. */
static void side_init(side_text *t, const char *text, size_t text_len, aq_span sp);

static int house_style(apply_env *e, const rule *r, int side, bool *style)
{
	aq_rules_scratch *s = e->s;
	const char *text = side ? e->rec->zh : e->rec->en;
	size_t len = side ? e->rec->zh_len : e->rec->en_len, need = 2 * (size_t)s->rules->n;
	size_t full = 0, forbidden = 0, start = 0, wl;
	const char *at;
	side_text t;
	match m;
	int rc = 0;

	*style = false;
	if (!r->mixed_with || !text || !(wl = strlen(r->mixed_with)))
		return 0;
	if (need > s->mix_cap) {
		uint8_t *v = realloc(s->mix, need);

		if (!v)
			return aq_ctx_error(e->ctx, AQ_ENOMEM, "out of memory");
		s->mix = v;
		s->mix_cap = need;
		s->mix_valid = false;
	}
	if (!s->mix_valid || s->mix_text[0] != e->rec->en || s->mix_len[0] != e->rec->en_len ||
	    s->mix_text[1] != e->rec->zh || s->mix_len[1] != e->rec->zh_len) {
		s->mix_valid = true;
		memset(s->mix, 0, s->mix_cap);
		s->side_ok[0] = s->side_ok[1] = 0;
		s->mix_text[0] = e->rec->en;
		s->mix_len[0] = e->rec->en_len;
		s->mix_text[1] = e->rec->zh;
		s->mix_len[1] = e->rec->zh_len;
	}
	if (s->mix[2 * r->idx + side]) {
		*style = s->mix[2 * r->idx + side] == 2;
		return 0;
	}
	for (at = text; (at = memmem(at, len - (size_t)(at - text), r->mixed_with, wl)); at += wl)
		full++;
	side_init(&t, text, len, (aq_span){ 0, (uint32_t)len });
	if (full && !s->side_ok[side])
		s->side_ok[side] = aq_utf8_check(text, len) == len ? 1 : 2;
	t.usable = s->side_ok[side] == 1;
	if (full && t.usable) {
		while (forbidden <= full &&
		       (rc = next_match(e, r, side ? r->zh_re : r->en_re,
				side ? &r->zh_hint : &r->en_hint, &t, side ? "zh" : "en",
				&start, &m)) > 0)
			forbidden++;
		if (rc < 0)
			return rc;
	}
	*style = full == 0 || (t.usable && forbidden > full);
	s->mix[2 * r->idx + side] = *style ? 2 : 1;
	return 0;
}

static int apply_forbid(apply_env *e, const rule *r)
{
	int rc = 0;

	for (int side = 0; side < 2; side++) {
		const pcre2_code *code = side ? r->zh_re : r->en_re;
		const pat_hint *hint = side ? &r->zh_hint : &r->en_hint;
		const side_text *t = side ? &e->zh : &e->en;
		size_t start = 0, first = e->out->n;
		match m;

		if (!code || !t->usable)
			continue;
		while ((rc = next_match(e, r, code, hint, t, side ? "zh" : "en", &start, &m)) > 0) {
			aq_span sp = { t->base + (uint32_t)m.g[0], t->base + (uint32_t)m.g[1] };

			if ((rc = emit(e, r, t, &m, m.g[0], m.g[1], NULL, side ? NULL : &sp,
					side ? &sp : NULL)))
				return rc;
		}
		if (rc < 0)
			return rc;
		if (e->out->n > first && r->mixed_with) {
			uint8_t *seen = NULL;
			bool style;

			if ((rc = house_style(e, r, side, &style)))
				return rc;
			/* a slip is reported once a record at the rule's
			 * severity, the others (and a house style) as info */
			if (!style) {
				seen = &e->s->mix[2 * r->idx + side];
				first += *seen == 1;
				*seen = 3;
			}
			for (size_t i = first; i < e->out->n; i++)
				e->out->v[i].severity = AQ_SEV_INFO;
		}
	}
	return rc;
}

static int apply_rule(apply_env *e, const rule *r)
{
	int rc;

	switch (r->info.kind) {
	case AQ_RULE_PRESERVE:
		if (!e->en.usable || !e->zh.usable)
			return 0;
		rc = apply_preserve(e, r);
		break;
	case AQ_RULE_PAIR:
		if (!e->en.usable || !e->zh.usable)
			return 0;
		rc = apply_pair(e, r);
		break;
	case AQ_RULE_FORBID:
		rc = apply_forbid(e, r);
		break;
	default:
		return 0;
	}
	return rc < 0 ? rc : 0;
}

static void side_init(side_text *t, const char *text, size_t text_len, aq_span sp)
{
	memset(t, 0, sizeof(*t));
	if (sp.off == AQ_NO_SPAN || !text || sp.end > text_len || sp.off > sp.end)
		return;
	t->p = text + sp.off;
	t->len = sp.end - sp.off;
	t->base = sp.off;
	t->bits = UINT64_MAX;
}

/* Summarises the bytes of t in t->bits (one pass, shared by every rule)
 * and sets t->usable.  UTF-8 is checked here so that every search can skip
 * PCRE2's own check; a side with invalid UTF-8 is left to the encoding
 * checks. */
static void side_summarise(side_text *t, const uint64_t *byte_bits)
{
	const unsigned char *u = (const unsigned char *)t->p;
	uint64_t a = 0, b = 0, c = 0, d = 0;
	size_t i = 0;

	for (; i + 4 <= t->len; i += 4) {
		a |= byte_bits[u[i]];
		b |= byte_bits[u[i + 1]];
		c |= byte_bits[u[i + 2]];
		d |= byte_bits[u[i + 3]];
	}
	for (; i < t->len; i++)
		a |= byte_bits[u[i]];
	t->bits = a | b | c | d;
	t->usable = !(t->bits & NONASCII_BIT) || aq_utf8_check(t->p, t->len) == t->len;
}

static int env_init(apply_env *e, aq_findings *out, aq_rules_scratch *s, aq_ctx *ctx,
	const aq_record *rec, aq_span en, aq_span zh, uint32_t bead)
{
	memset(e, 0, sizeof(*e));
	e->out = out;
	e->s = s;
	e->ctx = ctx;
	e->rec = rec;
	e->bead = bead;
	side_init(&e->en, rec->en, rec->en_len, en);
	side_init(&e->zh, rec->zh, rec->zh_len, zh);
	if (e->en.p)
		side_summarise(&e->en, s->rules->byte_bits);
	if (e->zh.p)
		side_summarise(&e->zh, s->rules->byte_bits);
	e->en_span = en;
	e->zh_span = zh;
	s->zh_folded = false;
	if (scratch_md(s, s->rules->max_groups))
		return aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
	return 0;
}

int aq_rules_apply(aq_findings *out, const aq_rules *rules, aq_rules_scratch *s, aq_ctx *ctx,
	const aq_record *rec, aq_span en, aq_span zh, uint32_t bead)
{
	apply_env e;
	int rc;

	if ((rc = env_init(&e, out, s, ctx, rec, en, zh, bead)))
		return rc;
	if (!e.en.usable && !e.zh.usable)
		return 0;
	for (size_t i = 0; i < rules->n; i++) {
		const rule *r = rules->v[i];

		if (!r->info.enabled || r->info.kind > AQ_RULE_FORBID)
			continue;
		if ((rc = apply_rule(&e, r)))
			return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Self-test                                                            */

/* A record holding one example (owned strings, as aq_record_free wants). */
static int example_record(aq_record **out, const rule *r, const example *ex)
{
	aq_record *rec = NULL;
	int rc;

	*out = NULL;
	if ((rc = aq_record_new(&rec)))
		return rc;
	rec->id = dup_str("selftest");
	rec->en = dup_str(ex->en);
	rec->zh = dup_str(ex->zh);
	rec->source = dup_str(r->file);
	if (!rec->id || !rec->en || !rec->zh || !rec->source) {
		aq_record_free(rec);
		return AQ_ENOMEM;
	}
	rec->en_len = strlen(rec->en);
	rec->zh_len = strlen(rec->zh);
	rec->line = rec->en_line = rec->zh_line = ex->line;
	rec->en_col = rec->zh_col = 1;
	for (size_t i = 0; i < ex->n_meta; i++) {
		if ((rc = aq_record_add_meta(rec, ex->meta[i].key, ex->meta[i].value,
				strlen(ex->meta[i].value)))) {
			aq_record_free(rec);
			return rc;
		}
	}
	*out = rec;
	return 0;
}

typedef struct selftest {
	aq_rules *rules;
	aq_rules_scratch *s;
	aq_checker *chk;       /* created on first use by a built-in example */
	int chk_rc;            /* its creation's result (0 before and on success) */
	aq_findings f;
	aq_buf *report;
	size_t passed, failed;
} selftest;

/* Runs one example; *hit receives the first finding of the rule (or NULL). */
static int run_example(selftest *t, const rule *r, const example *ex, const aq_finding **hit)
{
	aq_ctx *ctx = t->rules->ctx;
	aq_record *rec = NULL;
	aq_span en_sp = { AQ_NO_SPAN, AQ_NO_SPAN }, zh_sp = { AQ_NO_SPAN, AQ_NO_SPAN };
	int rc;

	*hit = NULL;
	aq_findings_clear(&t->f);
	if ((rc = example_record(&rec, r, ex)))
		return aq_ctx_error(ctx, rc, "out of memory");
	if (rec->en_len) {
		en_sp.off = 0;
		en_sp.end = (uint32_t)rec->en_len;
	}
	if (rec->zh_len) {
		zh_sp.off = 0;
		zh_sp.end = (uint32_t)rec->zh_len;
	}
	if (r->info.kind <= AQ_RULE_FORBID) {
		apply_env e;

		aq_rules_scratch_reset(t->s);
		if (!(rc = env_init(&e, &t->f, t->s, ctx, rec, en_sp, zh_sp, 0)))
			rc = apply_rule(&e, r);
	} else {
		aq_span es[1] = { en_sp }, zs[1] = { zh_sp };
		aq_spans en_s = { es, rec->en_len ? 1 : 0, 1 }, zh_s = { zs, rec->zh_len ? 1 : 0, 1 };
		aq_bead bd = { 0, 0, rec->en_len ? 1 : 0, rec->zh_len ? 1 : 0, (float)ex->score };
		aq_beads beads = { &bd, 1, 1 };
		aq_alignment a = { rec, &en_s, &zh_s, &beads, NULL };

		if (!t->chk && !t->chk_rc)
			t->chk_rc = aq_checker_new(&t->chk, ctx, t->rules);
		if (t->chk_rc)
			rc = t->chk_rc;
		else
			rc = aq_check(&t->f, t->chk, &a);
	}
	if (!rc) {
		for (size_t i = 0; i < t->f.n; i++) {
			if (t->f.v[i].rule && !strcmp(t->f.v[i].rule, r->id)) {
				*hit = &t->f.v[i];
				break;
			}
		}
	}
	aq_record_free(rec);
	return rc;
}

int aq_rules_selftest_counts(aq_rules *rules, aq_buf *report, size_t *passed, size_t *failed)
{
	selftest t;
	bool *saved = NULL;
	int rc = 0;

	memset(&t, 0, sizeof(t));
	t.rules = rules;
	t.report = report;
	aq_findings_init(&t.f);
	/* Examples test what a rule does, whatever the configuration says: every
	 * rule is switched on while they run. */
	if (rules->n && !(saved = malloc(rules->n * sizeof(*saved)))) {
		rc = aq_ctx_error(rules->ctx, AQ_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < rules->n; i++) {
		saved[i] = rules->v[i]->info.enabled;
		rules->v[i]->info.enabled = true;
	}
	if ((rc = aq_rules_scratch_new(&t.s, rules))) {
		rc = aq_ctx_error(rules->ctx, rc, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < rules->n; i++) {
		const rule *r = rules->v[i];

		for (size_t j = 0; j < r->n_ex; j++) {
			const example *ex = &r->ex[j];
			const aq_finding *hit = NULL;
			int erc = run_example(&t, r, ex, &hit);

			if (erc == AQ_ENOMEM) {
				rc = erc;
				goto out;
			}
			if (erc) {
				aq_buf_printf(report, "%s:%u: rule %s: %s example %u: %s\n", r->file,
					ex->line, r->id, ex->fire ? "fire" : "pass", ex->n,
					aq_ctx_errmsg(rules->ctx));
				t.failed++;
			} else if (ex->fire && !hit) {
				aq_buf_printf(report, "%s:%u: rule %s: example %u should fire but did not\n",
					r->file, ex->line, r->id, ex->n);
				t.failed++;
			} else if (!ex->fire && hit) {
				aq_buf_printf(report, "%s:%u: rule %s: example %u should not fire but did: "
					"%s\n", r->file, ex->line, r->id, ex->n,
					hit->message ? hit->message : "");
				t.failed++;
			} else {
				t.passed++;
			}
		}
	}
	if (report->oom)
		rc = aq_ctx_error(rules->ctx, AQ_ENOMEM, "out of memory");
out:
	if (saved)
		for (size_t i = 0; i < rules->n; i++)
			rules->v[i]->info.enabled = saved[i];
	free(saved);
	aq_checker_free(t.chk);
	aq_rules_scratch_free(t.s);
	aq_findings_dispose(&t.f);
	if (passed)
		*passed = t.passed;
	if (failed)
		*failed = t.failed;
	return rc ? rc : (int)t.failed;
}

int aq_rules_selftest(aq_rules *rules, aq_buf *report)
{
	return aq_rules_selftest_counts(rules, report, NULL, NULL);
}
