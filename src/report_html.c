/*
 * report_html.c - the editorial report: one self-contained HTML page (inline
 * CSS, a few lines of inline JS for the filters) with an overview of the
 * counts and every record's aligned beads, findings marked in place.  It
 * formats what the store read; which records go on which page and where the
 * bytes go is the caller's business.
 */
#include "alignqa.h"

#include <stdlib.h>
#include <string.h>

/* Appends s[0..len) as HTML text or attribute value: & < > " ' become
 * entities, invalid UTF-8 and NUL become U+FFFD. */
static void html_esc(aq_buf *b, const char *s, size_t len)
{
	size_t i = 0, run = 0;

	while (i < len) {
		size_t at = i;
		int32_t cp;
		const char *ent = NULL;

		switch (s[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		case '\0': ent = "\xEF\xBF\xBD"; break;
		default: break;
		}
		if (ent) {
			aq_buf_put(b, s + run, at - run);
			aq_buf_puts(b, ent);
			run = ++i;
			continue;
		}
		cp = aq_utf8_next(s, len, &i);
		if (cp < 0) {
			aq_buf_put(b, s + run, at - run);
			aq_buf_puts(b, "\xEF\xBF\xBD");
			run = i;
		}
	}
	aq_buf_put(b, s + run, len - run);
}

static void html_str(aq_buf *b, const char *s)
{
	if (s)
		html_esc(b, s, strlen(s));
}

/* A CSS class: prefix then s with everything but [A-Za-z0-9_-] as '_'. */
static void html_class(aq_buf *b, const char *prefix, const char *s)
{
	aq_buf_puts(b, prefix);
	for (; s && *s; s++) {
		char c = *s;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '_' || c == '-';

		aq_buf_putc(b, ok ? c : '_');
	}
}

/* "sev-error cat-number rule-X" of a finding. */
static void finding_classes(aq_buf *b, const aq_store_finding *f)
{
	html_class(b, "sev-", f->severity);
	html_class(b, " cat-", f->category);
	html_class(b, " rule-", f->rule);
}

static const char page_css[] =
	"body{font:15px/1.5 system-ui,sans-serif;margin:0 auto;max-width:1200px;"
	"padding:0 1em;color:#222}\n"
	"h1{font-size:1.5em}h2{font-size:1.2em;margin:.2em 0}\n"
	"nav.pages{margin:1em 0}nav.pages a{margin-right:1em}\n"
	".overview{display:flex;flex-wrap:wrap;gap:1.5em}\n"
	".overview section{flex:1 1 250px;max-width:24em}\n"
	"table.bars{border-collapse:collapse;width:100%}\n"
	"table.bars td{padding:1px 4px;font-size:.9em;vertical-align:middle}\n"
	"table.bars td.k{max-width:14em;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}\n"
	"table.bars td.n{text-align:right}table.bars td:nth-child(2){width:40%}\n"
	".bar{display:block;height:.8em;background:#6a8fc7;min-width:1px}\n"
	"#filters{border:1px solid #ccc;padding:.5em;margin:1em 0}\n"
	"#filters fieldset{display:inline-block;vertical-align:top;border:0;margin:0 1em 0 0}\n"
	"section.rec{border-top:2px solid #999;margin:1.5em 0;padding-top:.5em}\n"
	".meta{color:#555;font-size:.9em}\n"
	"table.beads{border-collapse:collapse;width:100%;table-layout:fixed}\n"
	"table.beads td,table.beads th{border:1px solid #ddd;padding:4px;vertical-align:top;"
	"word-wrap:break-word}\n"
	"table.beads td.fl{background:#fafafa;font-size:.9em}\n"
	"mark{padding:0 1px;border-bottom:2px solid transparent}\n"
	"mark.sev-error{background:#ffc9c9;border-bottom-color:#c00}\n"
	"mark.sev-warning{background:#ffe8a8;border-bottom-color:#c80}\n"
	"mark.sev-info{background:#d0e4ff;border-bottom-color:#36c}\n"
	"mark mark{border-bottom-style:double}\n"
	"mark.off{background:none;border-bottom-color:transparent}\n"
	"ul.findings{margin:.2em 0;padding-left:1.2em}\n"
	"li.f.off,section.rec.hide{display:none}\n"
	".sev{font-weight:bold}.sev.sev-error{color:#c00}.sev.sev-warning{color:#a60}"
	".sev.sev-info{color:#36c}\n"
	"code{font-size:.85em;color:#555}\n";

/* The filters toggle the class "off" on marks and finding items whose
 * severity, category or rule is unchecked, and "hide" on records left
 * without a visible finding.  Without JS the form stays hidden and every
 * finding shows.  The URL fragment holds the filters, so that a filtered
 * view can be linked and bookmarked: "#severity=error,warning&category=
 * number&rule=numbers.changed&only=1" keeps only the values listed for
 * each dimension named (all values of the others) and only=1 hides records
 * without findings; changing the form rewrites the fragment. */
static const char page_js[] =
	"(function(){var f=document.getElementById('filters');if(!f)return;f.hidden=false;\n"
	"var only=document.getElementById('only-findings'),\n"
	"dims={severity:'sev-',category:'cat-',rule:'rule-'};\n"
	"function boxes(){return f.querySelectorAll('input[data-c]');}\n"
	"function upd(){var off={};boxes().forEach(function(c){\n"
	"if(!c.checked)off[c.getAttribute('data-c')]=1;});\n"
	"document.querySelectorAll('.f').forEach(function(e){var h=false;\n"
	"e.classList.forEach(function(c){if(off[c])h=true;});e.classList.toggle('off',h);});\n"
	"document.querySelectorAll('section.rec').forEach(function(s){\n"
	"var all=s.querySelectorAll('li.f').length,vis=s.querySelectorAll('li.f:not(.off)').length;\n"
	"s.classList.toggle('hide',(all>0&&vis==0)||(only.checked&&vis==0));});}\n"
	"function fromHash(){var want={};only.checked=false;\n"
	"location.hash.replace(/^#/,'').split('&').forEach(function(p){\n"
	"var i=p.indexOf('='),k,v;if(i<0)return;\n"
	"try{k=decodeURIComponent(p.slice(0,i));v=decodeURIComponent(p.slice(i+1));}catch(e){return;}\n"
	"if(k=='only'){only.checked=v!=''&&v!='0';return;}\n"
	"if(!dims.hasOwnProperty(k))return;var w=want[dims[k]]={};\n"
	"v.split(',').forEach(function(x){w[dims[k]+x.replace(/[^A-Za-z0-9_-]/g,'_')]=1;});});\n"
	"boxes().forEach(function(c){var d=c.getAttribute('data-c');c.checked=true;\n"
	"for(var p in want)if(d.indexOf(p)==0)c.checked=want[p].hasOwnProperty(d);});upd();}\n"
	"function toHash(){var parts=[];Object.keys(dims).forEach(function(k){\n"
	"var on=[],n=0;boxes().forEach(function(c){var d=c.getAttribute('data-c');\n"
	"if(d.indexOf(dims[k])!=0)return;n++;if(c.checked)on.push(d.slice(dims[k].length));});\n"
	"if(on.length<n)parts.push(k+'='+on.join(','));});\n"
	"if(only.checked)parts.push('only=1');\n"
	"try{history.replaceState(null,'',parts.length?'#'+parts.join('&'):\n"
	"location.pathname+location.search);}catch(e){}}\n"
	"f.addEventListener('change',function(){upd();toHash();});\n"
	"window.addEventListener('hashchange',fromHash);fromHash();})();\n";

static const char *const count_dims[] = { "severity", "category", "rule", "journal", "year" };

static void write_nav(aq_buf *b, const aq_html_page *pg)
{
	if (pg->n_pages <= 1)
		return;
	aq_buf_puts(b, "<nav class=\"pages\">");
	if (pg->prev_href) {
		aq_buf_puts(b, "<a rel=\"prev\" href=\"");
		html_str(b, pg->prev_href);
		aq_buf_puts(b, "\">&larr; previous page</a>");
	}
	aq_buf_printf(b, "page %zu of %zu", pg->page, pg->n_pages);
	if (pg->next_href) {
		aq_buf_puts(b, " <a rel=\"next\" href=\"");
		html_str(b, pg->next_href);
		aq_buf_puts(b, "\">next page &rarr;</a>");
	}
	aq_buf_puts(b, "</nav>\n");
}

static int severity_rank(const char *s)
{
	return !strcmp(s, "error") ? 0 : !strcmp(s, "warning") ? 1 : 2;
}

/* The order of bars and checkboxes: severities from error down, years in
 * order, everything else as given (largest count first). */
static int cmp_count(const void *pa, const void *pb)
{
	const aq_html_count *a = *(const aq_html_count *const *)pa;
	const aq_html_count *b = *(const aq_html_count *const *)pb;

	if (!strcmp(a->dim, "severity"))
		return severity_rank(a->key) - severity_rank(b->key);
	if (!strcmp(a->dim, "year"))
		return strcmp(a->key, b->key);
	return a < b ? -1 : a > b;
}

/* The counts of dim in display order, or NULL (none, or out of memory). */
static const aq_html_count **counts_of(const char *dim, const aq_html_count *c, size_t n,
	size_t *n_out)
{
	const aq_html_count **v = malloc((n ? n : 1) * sizeof(*v));

	*n_out = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(c[i].dim, dim))
			v[(*n_out)++] = &c[i];
	qsort(v, *n_out, sizeof(*v), cmp_count);
	return v;
}

/* One bar chart of the counts of dim. */
static int write_chart(aq_buf *b, const char *dim, const aq_html_count *counts, size_t n)
{
	size_t m = 0;
	const aq_html_count **c = counts_of(dim, counts, n, &m);
	int64_t max = 0;

	if (!c)
		return AQ_ENOMEM;
	for (size_t i = 0; i < m; i++)
		if (c[i]->n > max)
			max = c[i]->n;
	aq_buf_printf(b, "<section><h2>%s %s</h2>\n<table class=\"bars\">\n",
		!strcmp(dim, "journal") || !strcmp(dim, "year") ? "Records per" : "Findings per",
		dim);
	for (size_t i = 0; i < m; i++) {
		aq_buf_puts(b, "<tr><td class=\"k\">");
		if (*c[i]->key)
			html_str(b, c[i]->key);
		else
			aq_buf_puts(b, "<i>(none)</i>");
		aq_buf_printf(b, "</td><td><span class=\"bar\" style=\"width:%.1f%%\"></span></td>"
			"<td class=\"n\">%lld</td></tr>\n",
			max > 0 ? 100.0 * (double)c[i]->n / (double)max : 0.0, (long long)c[i]->n);
	}
	if (!m)
		aq_buf_puts(b, "<tr><td><i>none</i></td></tr>\n");
	aq_buf_puts(b, "</table></section>\n");
	free(c);
	return 0;
}

/* Checkboxes of one dimension (severity, category, rule). */
static int write_filter(aq_buf *b, const char *dim, const char *prefix,
	const aq_html_count *counts, size_t n)
{
	size_t m = 0;
	const aq_html_count **c = counts_of(dim, counts, n, &m);

	if (!c)
		return AQ_ENOMEM;
	aq_buf_puts(b, "<fieldset><legend>");
	html_str(b, dim);
	aq_buf_puts(b, "</legend>\n");
	for (size_t i = 0; i < m; i++) {
		aq_buf_puts(b, "<label><input type=\"checkbox\" checked data-c=\"");
		html_class(b, prefix, c[i]->key);
		aq_buf_puts(b, "\"> ");
		html_str(b, c[i]->key);
		aq_buf_printf(b, " (%lld)</label><br>\n", (long long)c[i]->n);
	}
	aq_buf_puts(b, "</fieldset>\n");
	free(c);
	return 0;
}

int aq_report_html_begin(aq_buf *out, const aq_html_page *pg, const aq_html_count *counts,
	size_t n_counts)
{
	aq_buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
	html_str(out, pg->title ? pg->title : "alignqa report");
	if (pg->n_pages > 1)
		aq_buf_printf(out, " (page %zu of %zu)", pg->page, pg->n_pages);
	aq_buf_puts(out, "</title>\n<style>\n");
	aq_buf_puts(out, page_css);
	aq_buf_puts(out, "</style>\n</head>\n<body>\n<h1>");
	html_str(out, pg->title ? pg->title : "alignqa report");
	aq_buf_puts(out, "</h1>\n");
	aq_buf_printf(out, "<p class=\"meta\">%lld records in the latest results",
		(long long)pg->total_records);
	if (pg->n_pages > 1)
		aq_buf_printf(out, "; this page shows records %lld to %lld",
			(long long)pg->first_record + 1,
			(long long)(pg->first_record + pg->page_records));
	aq_buf_puts(out, ".</p>\n");
	write_nav(out, pg);
	if (pg->page <= 1) {
		aq_buf_puts(out, "<div class=\"overview\" id=\"overview\">\n");
		for (size_t i = 0; i < sizeof(count_dims) / sizeof(count_dims[0]); i++)
			if (write_chart(out, count_dims[i], counts, n_counts))
				return AQ_ENOMEM;
		aq_buf_puts(out, "</div>\n");
	}
	aq_buf_puts(out, "<form id=\"filters\" hidden>\n");
	if (write_filter(out, "severity", "sev-", counts, n_counts) ||
	    write_filter(out, "category", "cat-", counts, n_counts) ||
	    write_filter(out, "rule", "rule-", counts, n_counts))
		return AQ_ENOMEM;
	aq_buf_puts(out, "<fieldset><legend>records</legend><label><input type=\"checkbox\" "
		"id=\"only-findings\"> only records with findings</label></fieldset>\n</form>\n");
	return out->oom ? AQ_ENOMEM : 0;
}

/* The [lo, hi) part of side's findings span, clipped; false if empty. */
static bool clip_span(const aq_store_finding *f, bool zh, size_t lo, size_t hi, size_t *s,
	size_t *e)
{
	size_t a, z;

	if (zh ? !f->has_zh : !f->has_en)
		return false;
	a = zh ? f->zh_off : f->en_off;
	z = zh ? f->zh_end : f->en_end;
	if (a < lo)
		a = lo;
	if (z > hi)
		z = hi;
	if (a >= z)
		return false;
	*s = a;
	*e = z;
	return true;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

/* Writes text[lo, hi) escaped, each finding of that side wrapped in a
 * mark.  Where findings overlap, the text is cut at every span boundary
 * and each piece wrapped in the marks of all findings covering it, so
 * that marks always nest. */
static int write_marked(aq_buf *b, const char *text, size_t lo, size_t hi, bool zh,
	const aq_store_full_record *r)
{
	size_t *cut = NULL, n_cut = 0, s, e;

	cut = malloc((2 * r->n_findings + 2) * sizeof(*cut));
	if (!cut)
		return AQ_ENOMEM;
	cut[n_cut++] = lo;
	cut[n_cut++] = hi;
	for (size_t i = 0; i < r->n_findings; i++) {
		if (clip_span(&r->findings[i], zh, lo, hi, &s, &e)) {
			cut[n_cut++] = s;
			cut[n_cut++] = e;
		}
	}
	qsort(cut, n_cut, sizeof(*cut), cmp_size);
	for (size_t k = 0; k + 1 < n_cut; k++) {
		size_t a = cut[k], z = cut[k + 1], opened = 0;

		if (a == z)
			continue;
		for (size_t i = 0; i < r->n_findings; i++) {
			const aq_store_finding *f = &r->findings[i];

			if (!clip_span(f, zh, lo, hi, &s, &e) || s > a || e < z)
				continue;
			aq_buf_puts(b, "<mark class=\"f ");
			finding_classes(b, f);
			aq_buf_puts(b, "\" title=\"");
			html_str(b, f->message);
			aq_buf_puts(b, " [");
			html_str(b, f->rule);
			aq_buf_puts(b, "]\">");
			opened++;
		}
		html_esc(b, text + a, z - a);
		while (opened--)
			aq_buf_puts(b, "</mark>");
	}
	free(cut);
	return 0;
}

static void write_finding_item(aq_buf *b, const aq_store_finding *f)
{
	aq_buf_puts(b, "<li class=\"f ");
	finding_classes(b, f);
	aq_buf_puts(b, "\"><span class=\"sev ");
	html_class(b, "sev-", f->severity);
	aq_buf_puts(b, "\">");
	html_str(b, f->severity);
	aq_buf_puts(b, "</span> ");
	html_str(b, f->message);
	aq_buf_puts(b, " <code>[");
	html_str(b, f->rule);
	aq_buf_puts(b, "; ");
	html_str(b, f->category);
	if (f->has_en)
		aq_buf_printf(b, "; en %u-%u", f->en_off, f->en_end);
	if (f->has_zh)
		aq_buf_printf(b, "; zh %u-%u", f->zh_off, f->zh_end);
	aq_buf_puts(b, "]</code></li>\n");
}

/* The byte range of sentences [first, first + n) of spans, clamped to the
 * text; false when empty or out of range. */
static bool bead_range(const aq_span *sp, size_t n_sp, uint32_t first, unsigned n,
	size_t text_len, size_t *lo, size_t *hi)
{
	if (n == 0 || (size_t)first + n > n_sp)
		return false;
	*lo = sp[first].off;
	*hi = sp[first + n - 1].end;
	if (*hi > text_len)
		*hi = text_len;
	return *lo < *hi;
}

static bool overlaps(bool has, uint32_t off, uint32_t end, bool ok, size_t lo, size_t hi)
{
	return has && ok && off < hi && (end > lo || (off == end && off >= lo));
}

int aq_report_html_record(aq_buf *out, const aq_store_full_record *r)
{
	bool *listed = NULL, has_text = r->en && r->zh;
	size_t n_listed = 0;
	int rc = 0;

	if (r->n_findings && !(listed = calloc(r->n_findings, sizeof(*listed))))
		return AQ_ENOMEM;
	aq_buf_puts(out, "<section class=\"rec\">\n<h2>");
	html_str(out, r->record);
	aq_buf_puts(out, "</h2>\n<p class=\"meta\">");
	if (r->source) {
		html_str(out, r->source);
		aq_buf_puts(out, " &middot; ");
	}
	aq_buf_puts(out, "journal: ");
	html_str(out, r->journal ? r->journal : "-");
	aq_buf_puts(out, " &middot; date: ");
	html_str(out, r->date ? r->date : "-");
	aq_buf_puts(out, " &middot; DOI: ");
	html_str(out, r->doi ? r->doi : "-");
	aq_buf_printf(out, " &middot; run %lld &middot; %zu finding%s</p>\n", (long long)r->run,
		r->n_findings, r->n_findings == 1 ? "" : "s");
	if (has_text) {
		aq_buf_puts(out, "<table class=\"beads\">\n<tr><th>English</th><th>Chinese</th></tr>\n");
		for (size_t i = 0; i < r->n_beads && !rc; i++) {
			const aq_bead *bd = &r->beads[i];
			size_t elo = 0, ehi = 0, zlo = 0, zhi = 0, mine = 0;
			bool has_e = bead_range(r->en_sents, r->n_en_sents, bd->en_idx, bd->en_n,
				r->en_len, &elo, &ehi);
			bool has_z = bead_range(r->zh_sents, r->n_zh_sents, bd->zh_idx, bd->zh_n,
				r->zh_len, &zlo, &zhi);

			aq_buf_puts(out, "<tr><td lang=\"en\">");
			if (has_e)
				rc = write_marked(out, r->en, elo, ehi, false, r);
			aq_buf_puts(out, "</td><td lang=\"zh\">");
			if (has_z && !rc)
				rc = write_marked(out, r->zh, zlo, zhi, true, r);
			aq_buf_puts(out, "</td></tr>\n");
			for (size_t k = 0; k < r->n_findings; k++) {
				const aq_store_finding *f = &r->findings[k];

				if (listed[k] || !(overlaps(f->has_en, f->en_off, f->en_end, has_e, elo,
					    ehi) || overlaps(f->has_zh, f->zh_off, f->zh_end, has_z,
					    zlo, zhi)))
					continue;
				if (!mine++)
					aq_buf_puts(out, "<tr><td colspan=\"2\" class=\"fl\">"
						"<ul class=\"findings\">\n");
				write_finding_item(out, f);
				listed[k] = true;
				n_listed++;
			}
			if (mine)
				aq_buf_puts(out, "</ul></td></tr>\n");
		}
		if (r->n_beads == 0 && !rc) {
			/* No alignment stored: the two texts side by side, whole. */
			aq_buf_puts(out, "<tr><td lang=\"en\">");
			rc = write_marked(out, r->en, 0, r->en_len, false, r);
			aq_buf_puts(out, "</td><td lang=\"zh\">");
			if (!rc)
				rc = write_marked(out, r->zh, 0, r->zh_len, true, r);
			aq_buf_puts(out, "</td></tr>\n");
		}
		aq_buf_puts(out, "</table>\n");
	} else {
		aq_buf_puts(out, "<p class=\"meta\"><i>The text of this record was not stored "
			"(checked before the store kept texts); run the check again to see "
			"it.</i></p>\n");
	}
	if (n_listed < r->n_findings) {
		aq_buf_puts(out, "<ul class=\"findings\">\n");
		for (size_t k = 0; k < r->n_findings; k++)
			if (!listed[k])
				write_finding_item(out, &r->findings[k]);
		aq_buf_puts(out, "</ul>\n");
	}
	aq_buf_puts(out, "</section>\n");
	free(listed);
	if (rc)
		return rc;
	return out->oom ? AQ_ENOMEM : 0;
}

int aq_report_html_end(aq_buf *out, const aq_html_page *pg)
{
	write_nav(out, pg);
	aq_buf_puts(out, "<script>\n");
	aq_buf_puts(out, page_js);
	aq_buf_puts(out, "</script>\n</body>\n</html>\n");
	return out->oom ? AQ_ENOMEM : 0;
}
