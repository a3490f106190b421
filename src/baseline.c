/*
 * baseline.c - baselines: the fingerprints of findings accepted earlier, so
 * that a check can report only what is new.  In memory a multiset (a hash
 * table of fingerprint -> count, plus the entries for saving); on disk a
 * sorted, diffable text file.  Computing fingerprints is finding.c's job;
 * deciding which findings a baseline hides is the caller's.
 *
 * File format, version 1 (UTF-8, LF line ends; CRLF is read too):
 *
 *   # alignqa baseline v1
 *   FINGERPRINT<TAB>RULE<TAB>RECORD-ID<TAB>MESSAGE
 *
 * FINGERPRINT is aq_finding.fingerprint as 16 hex digits; it alone decides
 * a match.  The other fields are there for people reviewing the file and may
 * be left out when writing one by hand (a line may hold the fingerprint
 * alone).  Inside them a backslash, tab, CR and LF are written \\, \t, \r and
 * \n.  Lines are sorted by record id, rule, fingerprint and message (bytes).
 * After the header, blank lines and lines starting with '#' are ignored.
 * The same fingerprint on n lines accepts n findings that share it.
 */
#include "alignqa.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BL_HEADER "# alignqa baseline v1"
#define BL_HEADER_PREFIX "# alignqa baseline v"
#define BL_MAX_FILE ((size_t)1 << 30) /* largest baseline read (bytes) */

typedef struct bl_entry {
	uint64_t fp;   /* fingerprint */
	char *rule;    /* owned, "" when not given */
	char *record;  /* owned, "" when not given */
	char *message; /* owned, "" when not given */
} bl_entry;

typedef struct bl_slot {
	uint64_t fp;  /* fingerprint */
	size_t count; /* entries carrying it; 0 marks an empty slot */
} bl_slot;

struct aq_baseline {
	aq_ctx *ctx;
	bl_entry *v; /* entries in the order added */
	size_t n, cap;
	bl_slot *tab; /* open addressing, linear probing; tab_cap is a power of two */
	size_t tab_cap;
	size_t n_keys; /* distinct fingerprints */
};

int aq_baseline_new(aq_baseline **out, aq_ctx *ctx)
{
	*out = calloc(1, sizeof(aq_baseline));
	if (!*out)
		return aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
	(*out)->ctx = ctx;
	return 0;
}

void aq_baseline_free(aq_baseline *bl)
{
	if (!bl)
		return;
	for (size_t i = 0; i < bl->n; i++) {
		free(bl->v[i].rule);
		free(bl->v[i].record);
		free(bl->v[i].message);
	}
	free(bl->v);
	free(bl->tab);
	free(bl);
}

static const bl_slot *tab_find(const aq_baseline *bl, uint64_t fp)
{
	size_t mask = bl->tab_cap - 1;

	if (!bl->tab_cap)
		return NULL;
	/* Fingerprints are hashes already: their low bits spread well. */
	for (size_t i = (size_t)fp & mask;; i = (i + 1) & mask) {
		if (bl->tab[i].count == 0)
			return NULL;
		if (bl->tab[i].fp == fp)
			return &bl->tab[i];
	}
}

static void tab_put(bl_slot *tab, size_t cap, uint64_t fp, size_t count)
{
	size_t mask = cap - 1, i = (size_t)fp & mask;

	while (tab[i].count && tab[i].fp != fp)
		i = (i + 1) & mask;
	tab[i].fp = fp;
	tab[i].count += count;
}

static int tab_add(aq_baseline *bl, uint64_t fp)
{
	if ((bl->n_keys + 1) * 2 > bl->tab_cap) {
		size_t cap = bl->tab_cap ? bl->tab_cap * 2 : 64;
		bl_slot *tab = calloc(cap, sizeof(*tab));

		if (!tab)
			return AQ_ENOMEM;
		for (size_t i = 0; i < bl->tab_cap; i++)
			if (bl->tab[i].count)
				tab_put(tab, cap, bl->tab[i].fp, bl->tab[i].count);
		free(bl->tab);
		bl->tab = tab;
		bl->tab_cap = cap;
	}
	if (!tab_find(bl, fp))
		bl->n_keys++;
	tab_put(bl->tab, bl->tab_cap, fp, 1);
	return 0;
}

/* Appends an entry; takes ownership of the three strings (freed on error). */
static int entry_add(aq_baseline *bl, uint64_t fp, char *rule, char *record, char *message)
{
	int rc = AQ_ENOMEM;

	if (!rule || !record || !message)
		goto out;
	if (bl->n == bl->cap) {
		size_t cap = bl->cap ? bl->cap * 2 : 64;
		bl_entry *v = realloc(bl->v, cap * sizeof(*v));
		if (!v)
			goto out;
		bl->v = v;
		bl->cap = cap;
	}
	if ((rc = tab_add(bl, fp)))
		goto out;
	bl->v[bl->n++] = (bl_entry){ fp, rule, record, message };
	return 0;
out:
	free(rule);
	free(record);
	free(message);
	return aq_ctx_error(bl->ctx, rc, "out of memory");
}

int aq_baseline_add(aq_baseline *bl, const char *record_id, const aq_finding *f)
{
	return entry_add(bl, f->fingerprint, strdup(f->rule ? f->rule : ""),
		strdup(record_id ? record_id : ""), strdup(f->message ? f->message : ""));
}

size_t aq_baseline_count(const aq_baseline *bl, uint64_t fingerprint)
{
	const bl_slot *s = bl ? tab_find(bl, fingerprint) : NULL;

	return s ? s->count : 0;
}

bool aq_baseline_has(const aq_baseline *bl, const aq_finding *f)
{
	return aq_baseline_count(bl, f->fingerprint) > 0;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A copy of s[0..len) with \\ \t \r \n undone; other backslashes stay. */
static char *unescape(const char *s, size_t len)
{
	char *out = malloc(len + 1), *p = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			char c = s[i + 1];
			char r = c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' :
				c == '\\' ? '\\' : 0;
			if (r) {
				*p++ = r;
				i++;
				continue;
			}
		}
		*p++ = s[i];
	}
	*p = '\0';
	return out;
}

/* Reads the whole file (at most BL_MAX_FILE bytes) into *data. */
static int read_file(aq_ctx *ctx, const char *path, char **data, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	aq_buf b;
	char chunk[16384];
	size_t n;
	int rc = 0;

	aq_buf_init(&b);
	if (!fp)
		return aq_ctx_error(ctx, AQ_EIO, "%s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		if (b.len + n > BL_MAX_FILE) {
			rc = aq_ctx_error(ctx, AQ_EINPUT, "%s: larger than %zu bytes", path,
				BL_MAX_FILE);
			goto out;
		}
		if (aq_buf_put(&b, chunk, n)) {
			rc = aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
			goto out;
		}
	}
	if (ferror(fp))
		rc = aq_ctx_error(ctx, AQ_EIO, "%s: %s", path, strerror(errno));
out:
	fclose(fp);
	if (rc) {
		aq_buf_dispose(&b);
		return rc;
	}
	if (!b.ptr && aq_buf_put(&b, "", 0)) /* an empty file: still a buffer */
		return aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
	*data = b.ptr;
	*len = b.len;
	return 0;
}

/* Parses one entry line s[0..len) (no line end). */
static int parse_line(aq_baseline *bl, const char *path, size_t lineno, const char *s,
	size_t len)
{
	const char *field[3] = { "", "", "" };
	size_t flen[3] = { 0, 0, 0 };
	uint64_t fp = 0;
	size_t i, k;

	for (i = 0; i < 16; i++) {
		int h = i < len ? hex_value(s[i]) : -1;
		if (h < 0)
			return aq_ctx_error(bl->ctx, AQ_EINPUT,
				"%s:%zu: expected a fingerprint of 16 hex digits at the start of the line",
				path, lineno);
		fp = fp << 4 | (uint64_t)h;
	}
	if (i < len && s[i] != '\t')
		return aq_ctx_error(bl->ctx, AQ_EINPUT,
			"%s:%zu: expected a tab after the 16-digit fingerprint", path, lineno);
	/* rule, record id, then the message: the rest of the line */
	for (k = 0; k < 3 && i < len; k++) {
		const char *tab;

		i++; /* the tab */
		field[k] = s + i;
		tab = k < 2 ? memchr(s + i, '\t', len - i) : NULL;
		flen[k] = tab ? (size_t)(tab - (s + i)) : len - i;
		i += flen[k];
	}
	return entry_add(bl, fp, unescape(field[0], flen[0]), unescape(field[1], flen[1]),
		unescape(field[2], flen[2]));
}

int aq_baseline_load(aq_baseline **out, aq_ctx *ctx, const char *path)
{
	aq_baseline *bl = NULL;
	char *data = NULL;
	size_t len = 0, i = 0, lineno = 0;
	int rc;

	*out = NULL;
	if ((rc = read_file(ctx, path, &data, &len)))
		goto out;
	if (memchr(data, '\0', len)) {
		rc = aq_ctx_error(ctx, AQ_EINPUT, "%s: holds a NUL byte: not a baseline file",
			path);
		goto out;
	}
	if ((rc = aq_baseline_new(&bl, ctx)))
		goto out;
	while (i < len) {
		const char *s = data + i, *nl = memchr(s, '\n', len - i);
		size_t n = nl ? (size_t)(nl - s) : len - i;

		i += n + (nl != NULL);
		lineno++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		if (lineno == 1) {
			while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
				n--;
			if (n == strlen(BL_HEADER) && !memcmp(s, BL_HEADER, n))
				continue;
			if (n > strlen(BL_HEADER_PREFIX) &&
			    !memcmp(s, BL_HEADER_PREFIX, strlen(BL_HEADER_PREFIX)))
				rc = aq_ctx_error(ctx, AQ_EINPUT,
					"%s:1: unsupported baseline version \"%.*s\" (this alignqa reads v1)",
					path, (int)(n > 60 ? 60 : n), s);
			else
				rc = aq_ctx_error(ctx, AQ_EINPUT,
					"%s:1: not an alignqa baseline (the first line must be \"%s\")",
					path, BL_HEADER);
			goto out;
		}
		if (n == 0 || s[0] == '#')
			continue;
		if ((rc = parse_line(bl, path, lineno, s, n)))
			goto out;
	}
	if (lineno == 0) {
		rc = aq_ctx_error(ctx, AQ_EINPUT,
			"%s:1: empty file: not an alignqa baseline (the first line must be \"%s\")",
			path, BL_HEADER);
		goto out;
	}
	*out = bl;
	bl = NULL;
out:
	aq_baseline_free(bl);
	free(data);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Writing                                                             */

static int entry_cmp(const void *pa, const void *pb)
{
	const bl_entry *a = *(const bl_entry *const *)pa, *b = *(const bl_entry *const *)pb;
	int c;

	if ((c = strcmp(a->record, b->record)) || (c = strcmp(a->rule, b->rule)))
		return c;
	if (a->fp != b->fp)
		return a->fp < b->fp ? -1 : 1;
	return strcmp(a->message, b->message);
}

static void put_field(aq_buf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': aq_buf_puts(out, "\\\\"); break;
		case '\t': aq_buf_puts(out, "\\t"); break;
		case '\n': aq_buf_puts(out, "\\n"); break;
		case '\r': aq_buf_puts(out, "\\r"); break;
		default: aq_buf_putc(out, *s);
		}
	}
}

/* Writes data to path through path.tmp and a rename, so that a failed
 * write never leaves a half baseline behind. */
static int write_file(aq_ctx *ctx, const char *path, const char *data, size_t len)
{
	char *tmp = NULL;
	FILE *fp = NULL;
	bool written = false;
	int rc = 0;

	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		tmp = NULL;
		rc = aq_ctx_error(ctx, AQ_ENOMEM, "out of memory");
		goto out;
	}
	fp = fopen(tmp, "wb");
	if (!fp) {
		rc = aq_ctx_error(ctx, AQ_EIO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	written = fwrite(data, 1, len, fp) == len;
	if (!written)
		rc = aq_ctx_error(ctx, AQ_EIO, "%s: %s", tmp, strerror(errno));
	if (fclose(fp) != 0 && !rc)
		rc = aq_ctx_error(ctx, AQ_EIO, "%s: %s", tmp, strerror(errno));
	if (!rc && rename(tmp, path) != 0)
		rc = aq_ctx_error(ctx, AQ_EIO, "%s: %s", path, strerror(errno));
	if (rc)
		remove(tmp);
out:
	free(tmp);
	return rc;
}

int aq_baseline_save(const aq_baseline *bl, const char *path)
{
	const bl_entry **order = NULL;
	aq_buf b;
	int rc = 0;

	aq_buf_init(&b);
	if (bl->n && !(order = malloc(bl->n * sizeof(*order)))) {
		rc = aq_ctx_error(bl->ctx, AQ_ENOMEM, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < bl->n; i++)
		order[i] = &bl->v[i];
	if (bl->n > 1)
		qsort(order, bl->n, sizeof(*order), entry_cmp);
	aq_buf_puts(&b, BL_HEADER "\n");
	for (size_t i = 0; i < bl->n; i++) {
		aq_buf_printf(&b, "%016llx\t", (unsigned long long)order[i]->fp);
		put_field(&b, order[i]->rule);
		aq_buf_putc(&b, '\t');
		put_field(&b, order[i]->record);
		aq_buf_putc(&b, '\t');
		put_field(&b, order[i]->message);
		aq_buf_putc(&b, '\n');
	}
	if (b.oom) {
		rc = aq_ctx_error(bl->ctx, AQ_ENOMEM, "out of memory");
		goto out;
	}
	rc = write_file(bl->ctx, path, b.ptr, b.len);
out:
	free(order);
	aq_buf_dispose(&b);
	return rc;
}
