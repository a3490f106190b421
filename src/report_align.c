/*
 * report_align.c - writers for segmentation and alignment results: the
 * human text views and the machine contracts (align JSONL, Vecalign).
 * They format what they are given into a buffer; the CLI decides where the
 * bytes go.  Findings and their formats live in other report_* files.
 */
#include "alignqa.h"

#include <string.h>

static void put_spans_json(aq_buf *out, const aq_spans *s)
{
	aq_buf_putc(out, '[');
	for (size_t i = 0; i < s->n; i++)
		aq_buf_printf(out, "%s[%u,%u]", i ? "," : "", s->v[i].off, s->v[i].end);
	aq_buf_putc(out, ']');
}

/* Writes a sentence for people: control characters and line breaks inside
 * it become spaces so that one sentence stays on one line. */
static void put_sentence(aq_buf *out, const char *text, aq_span sp)
{
	size_t i = sp.off, run = sp.off;

	while (i < sp.end) {
		unsigned char c = (unsigned char)text[i];
		if (c < 0x20 || c == 0x7f) {
			aq_buf_put(out, text + run, i - run);
			aq_buf_putc(out, ' ');
			run = ++i;
			continue;
		}
		i++;
	}
	aq_buf_put(out, text + run, sp.end - run);
}

int aq_report_segment_text(aq_buf *out, const aq_alignment *a)
{
	const aq_record *r = a->rec;

	aq_buf_printf(out, "# %s (%zu en, %zu zh sentences)\n", r->id, a->en_sents->n,
		a->zh_sents->n);
	for (int side = 0; side < 2; side++) {
		const aq_spans *s = side ? a->zh_sents : a->en_sents;
		const char *text = side ? r->zh : r->en;
		for (size_t i = 0; i < s->n; i++) {
			aq_buf_printf(out, "%s %3zu [%u,%u) ", side ? "zh" : "en", i, s->v[i].off,
				s->v[i].end);
			put_sentence(out, text, s->v[i]);
			aq_buf_putc(out, '\n');
		}
	}
	aq_buf_putc(out, '\n');
	return out->oom ? AQ_ENOMEM : 0;
}

int aq_report_segment_jsonl(aq_buf *out, const aq_alignment *a)
{
	aq_buf_puts(out, "{\"id\":");
	aq_buf_json_str(out, a->rec->id, strlen(a->rec->id));
	aq_buf_puts(out, ",\"en_sentences\":");
	put_spans_json(out, a->en_sents);
	aq_buf_puts(out, ",\"zh_sentences\":");
	put_spans_json(out, a->zh_sents);
	aq_buf_puts(out, "}\n");
	return out->oom ? AQ_ENOMEM : 0;
}

static const char *bead_kind(const aq_bead *b, char *buf)
{
	buf[0] = (char)('0' + b->en_n);
	buf[1] = '-';
	buf[2] = (char)('0' + b->zh_n);
	buf[3] = '\0';
	return buf;
}

int aq_report_align_text(aq_buf *out, const aq_alignment *a)
{
	const aq_record *r = a->rec;
	const aq_beads *bs = a->beads;
	char kind[4];

	aq_buf_printf(out, "# %s: %zu en, %zu zh sentences, %zu beads\n", r->id,
		a->en_sents->n, a->zh_sents->n, bs->n);
	for (size_t k = 0; k < bs->n; k++) {
		const aq_bead *b = &bs->v[k];
		aq_buf_printf(out, "bead %zu  %s  score %.2f%s\n", k, bead_kind(b, kind),
			(double)b->score,
			b->en_n == 0 ? "  (added in Chinese)" :
			b->zh_n == 0 ? "  (not translated)" : "");
		for (unsigned x = 0; x < b->en_n; x++) {
			size_t i = b->en_idx + x;
			aq_buf_printf(out, "  en %3zu | ", i);
			put_sentence(out, r->en, a->en_sents->v[i]);
			aq_buf_putc(out, '\n');
		}
		for (unsigned y = 0; y < b->zh_n; y++) {
			size_t j = b->zh_idx + y;
			aq_buf_printf(out, "  zh %3zu | ", j);
			put_sentence(out, r->zh, a->zh_sents->v[j]);
			aq_buf_putc(out, '\n');
		}
	}
	aq_buf_putc(out, '\n');
	return out->oom ? AQ_ENOMEM : 0;
}

static void put_ids(aq_buf *out, uint32_t first, unsigned n, const char *sep)
{
	aq_buf_putc(out, '[');
	for (unsigned x = 0; x < n; x++)
		aq_buf_printf(out, "%s%u", x ? sep : "", first + x);
	aq_buf_putc(out, ']');
}

int aq_report_align_jsonl(aq_buf *out, const aq_alignment *a)
{
	const aq_beads *bs = a->beads;

	aq_buf_puts(out, "{\"id\":");
	aq_buf_json_str(out, a->rec->id, strlen(a->rec->id));
	aq_buf_puts(out, ",\"en_sentences\":");
	put_spans_json(out, a->en_sents);
	aq_buf_puts(out, ",\"zh_sentences\":");
	put_spans_json(out, a->zh_sents);
	aq_buf_puts(out, ",\"beads\":[");
	for (size_t k = 0; k < bs->n; k++) {
		const aq_bead *b = &bs->v[k];
		aq_buf_puts(out, k ? ",{\"en\":" : "{\"en\":");
		put_ids(out, b->en_idx, b->en_n, ",");
		aq_buf_puts(out, ",\"zh\":");
		put_ids(out, b->zh_idx, b->zh_n, ",");
		aq_buf_printf(out, ",\"score\":%.4f}", (double)b->score);
	}
	aq_buf_puts(out, "]}\n");
	return out->oom ? AQ_ENOMEM : 0;
}

int aq_report_align_vecalign(aq_buf *out, const aq_alignment *a)
{
	const aq_beads *bs = a->beads;

	for (size_t k = 0; k < bs->n; k++) {
		const aq_bead *b = &bs->v[k];
		/* Vecalign writes Python lists: "[0, 1]:[2]:0.5" */
		put_ids(out, b->en_idx, b->en_n, ", ");
		aq_buf_putc(out, ':');
		put_ids(out, b->zh_idx, b->zh_n, ", ");
		aq_buf_printf(out, ":%.4f\n", (double)b->score);
	}
	return out->oom ? AQ_ENOMEM : 0;
}
