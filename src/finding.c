/*
 * finding.c - findings as data: the growable list, severity and category
 * names, the deterministic order and the fingerprints that baselines use.
 * Deciding what is a finding is check.c's job; writing findings out is
 * report_findings.c's.
 */
#include "alignqa.h"

#include <stdlib.h>
#include <string.h>

static const char *const severity_names[] = {
	[AQ_SEV_INFO] = "info",
	[AQ_SEV_WARNING] = "warning",
	[AQ_SEV_ERROR] = "error",
};

static const char *const category_names[AQ_CAT__COUNT] = {
	[AQ_CAT_OMISSION] = "omission",
	[AQ_CAT_ADDITION] = "addition",
	[AQ_CAT_UNTRANSLATED] = "untranslated",
	[AQ_CAT_MISTRANSLATION] = "mistranslation",
	[AQ_CAT_NUMBER] = "number",
	[AQ_CAT_TERMINOLOGY] = "terminology",
	[AQ_CAT_PUNCTUATION] = "punctuation",
	[AQ_CAT_ENCODING] = "encoding",
	[AQ_CAT_STYLE] = "style",
	[AQ_CAT_ALIGNMENT] = "alignment",
	[AQ_CAT_METADATA] = "metadata",
};

const char *aq_severity_name(aq_severity sev)
{
	if ((unsigned)sev > AQ_SEV_ERROR)
		return "unknown";
	return severity_names[sev];
}

int aq_severity_parse(aq_severity *out, const char *name)
{
	if (!name)
		return AQ_EINVAL;
	for (int i = AQ_SEV_INFO; i <= AQ_SEV_ERROR; i++) {
		if (strcmp(name, severity_names[i]) == 0) {
			*out = (aq_severity)i;
			return 0;
		}
	}
	/* Accepted spellings from other tools' configuration files. */
	if (strcmp(name, "warn") == 0) {
		*out = AQ_SEV_WARNING;
		return 0;
	}
	return AQ_EINVAL;
}

const char *aq_category_name(aq_category cat)
{
	if ((unsigned)cat >= AQ_CAT__COUNT)
		return "unknown";
	return category_names[cat];
}

int aq_category_parse(aq_category *out, const char *name)
{
	if (!name)
		return AQ_EINVAL;
	for (int i = 0; i < AQ_CAT__COUNT; i++) {
		if (strcmp(name, category_names[i]) == 0) {
			*out = (aq_category)i;
			return 0;
		}
	}
	return AQ_EINVAL;
}

void aq_findings_init(aq_findings *f)
{
	memset(f, 0, sizeof(*f));
}

void aq_findings_clear(aq_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].rule);
		free(f->v[i].message);
	}
	f->n = 0;
}

void aq_findings_dispose(aq_findings *f)
{
	aq_findings_clear(f);
	free(f->v);
	memset(f, 0, sizeof(*f));
}

int aq_findings_add(aq_findings *f, const char *rule, aq_severity sev, aq_category cat,
	const aq_span *en, const aq_span *zh, uint32_t bead, const char *message)
{
	aq_finding *x;
	char *rule_copy = NULL, *msg_copy = NULL;
	int rc = AQ_ENOMEM;

	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		aq_finding *v = realloc(f->v, cap * sizeof(*v));
		if (!v)
			goto out;
		f->v = v;
		f->cap = cap;
	}
	rule_copy = strdup(rule ? rule : "");
	msg_copy = strdup(message ? message : "");
	if (!rule_copy || !msg_copy)
		goto out;
	x = &f->v[f->n++];
	memset(x, 0, sizeof(*x));
	x->rule = rule_copy;
	x->message = msg_copy;
	x->severity = sev;
	x->category = cat;
	x->en = en ? *en : (aq_span){ AQ_NO_SPAN, AQ_NO_SPAN };
	x->zh = zh ? *zh : (aq_span){ AQ_NO_SPAN, AQ_NO_SPAN };
	x->bead = bead;
	rule_copy = msg_copy = NULL;
	rc = 0;
out:
	free(rule_copy);
	free(msg_copy);
	return rc;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

/* The total order of findings: place first (English, then Chinese; a
 * finding without a place on a side sorts after those with one), then rule
 * and message, then the remaining fields so that qsort's instability never
 * shows in the output. */
static int finding_cmp(const void *pa, const void *pb)
{
	const aq_finding *a = pa, *b = pb;
	int c;

	if ((c = cmp_u32(a->en.off, b->en.off)) || (c = cmp_u32(a->zh.off, b->zh.off)))
		return c;
	if ((c = strcmp(a->rule, b->rule)) || (c = strcmp(a->message, b->message)))
		return c;
	if ((c = cmp_u32(a->en.end, b->en.end)) || (c = cmp_u32(a->zh.end, b->zh.end)))
		return c;
	if ((c = cmp_u32((uint32_t)a->severity, (uint32_t)b->severity)) ||
	    (c = cmp_u32((uint32_t)a->category, (uint32_t)b->category)))
		return c;
	return cmp_u32(a->bead, b->bead);
}

/* Hashes a length-prefixed field so that ("ab","c") and ("a","bc") differ. */
static uint64_t hash_field(uint64_t h, const char *s, size_t len)
{
	uint64_t n = len;

	h = aq_hash64(&n, sizeof(n), h);
	return aq_hash64(s ? s : "", s ? len : 0, h);
}

static uint64_t hash_span(uint64_t h, const char *text, size_t text_len, aq_span sp)
{
	uint32_t off = sp.off, end = sp.end;

	if (off == AQ_NO_SPAN || !text)
		return hash_field(h, "\x01", 1); /* "no place" differs from "" */
	if (end > text_len)
		end = (uint32_t)text_len;
	if (off > end)
		off = end;
	return hash_field(h, text + off, end - off);
}

/*
 * Fingerprints.  A finding's fingerprint hashes its rule id, the record id
 * and the exact text under its English and Chinese spans, but not the
 * offsets, so it survives edits elsewhere in the record and moves of the
 * record within its file.  Findings equal in all of these (the same missing
 * acronym in two identical sentences) get an occurrence number in sorted
 * order, so that each one stays distinct and a baseline accepting one of
 * them does not hide the other.
 */
typedef struct fp_slot {
	uint64_t hash; /* fingerprint before the occurrence number */
	size_t idx;    /* position of the finding in sorted order */
} fp_slot;

static int fp_slot_cmp(const void *pa, const void *pb)
{
	const fp_slot *a = pa, *b = pb;

	if (a->hash != b->hash)
		return a->hash < b->hash ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

void aq_findings_finish(aq_findings *f, const aq_record *rec)
{
	fp_slot *slots = NULL;
	const char *id = rec && rec->id ? rec->id : "";

	if (f->n == 0)
		return;
	if (f->n > 1)
		qsort(f->v, f->n, sizeof(f->v[0]), finding_cmp);
	slots = malloc(f->n * sizeof(*slots));
	for (size_t i = 0; i < f->n; i++) {
		aq_finding *x = &f->v[i];
		uint64_t h = 0x616c69676e7161ULL; /* "alignqa" */

		h = hash_field(h, x->rule, strlen(x->rule));
		h = hash_field(h, id, strlen(id));
		h = hash_span(h, rec ? rec->en : NULL, rec ? rec->en_len : 0, x->en);
		h = hash_span(h, rec ? rec->zh : NULL, rec ? rec->zh_len : 0, x->zh);
		x->fingerprint = h;
		if (slots)
			slots[i] = (fp_slot){ h, i };
	}
	if (!slots) {
		/* Out of memory for the scratch array: number every finding by
		 * its index, still deterministic though less stable. */
		for (size_t i = 0; i < f->n; i++) {
			uint64_t occ = i;
			f->v[i].fingerprint = aq_hash64(&occ, sizeof(occ), f->v[i].fingerprint);
		}
		return;
	}
	/* Equal hashes become adjacent, in sorted-finding order within a run. */
	qsort(slots, f->n, sizeof(*slots), fp_slot_cmp);
	for (size_t i = 0, occ = 0; i < f->n; i++) {
		uint64_t o;

		occ = (i > 0 && slots[i].hash == slots[i - 1].hash) ? occ + 1 : 0;
		o = occ;
		f->v[slots[i].idx].fingerprint = aq_hash64(&o, sizeof(o), slots[i].hash);
	}
	free(slots);
}

size_t aq_findings_count_at_least(const aq_findings *f, aq_severity sev)
{
	size_t n = 0;

	for (size_t i = 0; i < f->n; i++)
		n += f->v[i].severity >= sev;
	return n;
}
