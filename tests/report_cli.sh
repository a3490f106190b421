#!/usr/bin/env bash
# End-to-end tests of `alignqa report`: `check --db` over the text samples
# and a JSONL record with <script> in its text, ids and metadata, then the
# HTML report checked with grep and python3's html.parser (well-formed,
# marks at the findings, everything hostile escaped, no network), pages of
# --max-records linked to each other, the Markdown and CSV summaries, and
# bad options.  Renders the page in headless chromium when it is installed.
# Usage: tests/report_cli.sh ALIGNQA
set -u
source "$(dirname "$0")/cli_lib.sh" "$1"
samples="$src/samples/text"
export ALIGNQA_RULES_DIR="${ALIGNQA_RULES_DIR:-$src/rules}"

# html_ok DESC FILE [PYTHON]: FILE parses with balanced tags; PYTHON (may
# use `marks`, a list of (attrs dict, text), `scripts`, `text` and `page`)
# asserts more.
html_ok() {
  n=$((n + 1))
  python3 - "$2" "${3:-}" >"$T/py" 2>&1 <<'PYEOF' || { fail "$1"; sed 's/^/  | /' "$T/py" | head -20; }
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "input", "img", "hr", "link", "wbr", "area", "base", "col", "source"}
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.marks, self.scripts, self.text, self.errors = [], [], [], [], []
        self.urls = []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k in ("src", "href"):
            if k in a:
                self.urls.append(a[k])
        if tag == "script":
            self.scripts.append(a)
        if tag == "mark":
            self.marks.append([a, ""])
        if tag not in VOID:
            self.stack.append(tag)
    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes %s at %s" % (tag, self.stack[-3:], self.getpos()))
        else:
            self.stack.pop()
    def handle_data(self, data):
        self.text.append(data)
        for m in self.marks:
            if "mark" in self.stack and m is self.marks[-1]:
                m[1] += data
page = open(sys.argv[1], encoding="utf-8").read()
p = P(); p.feed(page); p.close()
assert not p.errors, p.errors[:3]
assert not p.stack, "unclosed: %s" % p.stack
for u in p.urls:
    assert "://" not in u and not u.startswith("//"), "external reference " + u
assert len(p.scripts) == 1 and not p.scripts[0].get("src"), p.scripts
marks, scripts, text = p.marks, p.scripts, "".join(p.text)
exec(sys.argv[2])
PYEOF
}

# ---- the samples and one hostile record into a store ----
cat >evil.jsonl <<'EOF'
{"id": "evil-<script>alert('id')</script>", "journal": "J & \"Q\" <b>", "date": "2023-05-01", "doi": "10.1/<x>", "en": "We enrolled 120 patients <script>alert('en')</script> in the trial. The rate was 35% at 12 months.", "zh": "我们纳入了150名患者<script>alert('zh')</script>参加试验。12个月时比例为35%。"}
EOF
expect 1 "check --db over the samples" check --no-config --db r.db "$samples"
expect 1 "check --db over a hostile record" check --no-config --db r.db evil.jsonl

expect 0 "report --output" report --db r.db --output report.html
n=$((n + 1))
[ -s report.html ] || fail "report wrote no report.html"
n=$((n + 1))
[ ! -e report-2.html ] || fail "one page expected for 15 records"
html_ok "report.html is well-formed and self-contained" report.html '
assert len(marks) > 10, len(marks)
for a, t in marks:
    c = a["class"].split()
    assert c[0] == "f" and c[1].startswith("sev-") and c[2].startswith("cat-") and c[3].startswith("rule-"), c
    assert a.get("title"), a
# the number finding of the hostile record, marked at 150 in the Chinese
assert any("rule-numbers_changed" in a["class"] and t == "150" for a, t in marks), \
    [(a["class"], t) for a, t in marks if "number" in a["class"]]
assert any(t == "120" for a, t in marks)
# the hostile text shows as text
assert "<script>alert(\x27en\x27)</script>" in text
assert "<script>alert(\x27zh\x27)</script>" in text
assert "evil-<script>alert(\x27id\x27)</script>" in text
assert "J & \"Q\" <b>" in text
assert "Findings per severity" in text and "Records per year" in text
'
has report.html "&lt;script&gt;alert(&#39;en&#39;)&lt;/script&gt;" "escaped text"
has report.html "evil-&lt;script&gt;alert(&#39;id&#39;)&lt;/script&gt;" "escaped id"
has report.html "10.1/&lt;x&gt;" "escaped DOI"
hasnt report.html "<script>alert" "no live script from the record"
hasnt report.html "<b>" "no live markup from the metadata"
has report.html "<mark class=\"f sev-error cat-number rule-numbers_changed\"" "a number mark"
has report.html "07-omitted-sentence" "a sample record"
has report.html '<form id="filters" hidden>' "filters hidden without JS"

# ---- pages ----
expect 3 "report into a missing directory" report --db r.db -o nodir/rep.html
mkdir pages
expect 0 "report --max-records 4" report --db r.db -o pages/rep.html --max-records 4
for k in 2 3 4; do
  n=$((n + 1))
  [ -s "pages/rep-$k.html" ] || fail "page $k missing"
done
n=$((n + 1))
[ ! -e pages/rep-5.html ] || fail "15 records make 4 pages of 4"
has pages/rep.html 'href="rep-2.html"' "page 1 links to page 2"
hasnt pages/rep.html 'rel="prev"' "page 1 has no previous page"
has pages/rep-2.html 'href="rep.html"' "page 2 links back to page 1"
has pages/rep-2.html 'href="rep-3.html"' "page 2 links to page 3"
has pages/rep-4.html 'href="rep-3.html"' "the last page links back"
hasnt pages/rep-4.html 'rel="next"' "the last page has no next page"
hasnt pages/rep-2.html 'id="overview"' "the overview is on page 1 only"
for f in pages/rep.html pages/rep-2.html pages/rep-3.html pages/rep-4.html; do
  html_ok "$f is well-formed" "$f"
done
n=$((n + 1))
[ "$(cat pages/rep*.html | grep -c '<section class="rec">')" = 15 ] || fail "15 records over the pages"

# ---- markdown and csv summaries ----
expect 0 "report --format markdown" report --db r.db --format markdown -o -
has "$T/out" "# alignqa report" "markdown title"
has "$T/out" "15 records" "markdown record count"
has "$T/out" "| numbers.changed |" "markdown rule row"
has "$T/out" "## records per journal" "markdown journal table"
expect 0 "report --format csv" report --db r.db --format csv
cp "$T/out" findings.csv
n=$((n + 1))
python3 - findings.csv >"$T/py" 2>&1 <<'PYEOF' || { fail "csv parses"; sed 's/^/  | /' "$T/py" | head; }
import csv, sys
rows = list(csv.reader(open(sys.argv[1], encoding="utf-8", newline="")))
assert rows[0] == "record,rule,severity,category,message,en_start,en_end,zh_start,zh_end".split(","), rows[0]
assert len(rows) > 10
assert all(len(r) == 9 for r in rows)
evil = [r for r in rows if r[0].startswith("evil-<script>") and r[1] == "numbers.changed"]
assert evil and evil[0][7] != "", evil
PYEOF
expect 0 "findings agree with the csv" findings --db r.db
n=$((n + 1))
[ "$(grep -c . "$T/out")" = "$(($(grep -c . findings.csv) - 1))" ] || fail "csv rows != findings"

# ---- errors ----
expect 3 "report on a missing database" report --db missing.db -o x.html
n=$((n + 1))
[ ! -e missing.db ] || fail "report created a database"
expect 2 "report --format pdf" report --db r.db --format pdf
expect 2 "report --max-records 0" report --db r.db --max-records 0
expect 2 "report extra argument" report --db r.db extra
expect 0 "report --help" report --help
has "$T/out" "--max-records N" "report help"

# ---- rendered by a browser, when there is one ----
if command -v chromium >/dev/null 2>&1; then
  n=$((n + 1))
  prof=$(mktemp -d)
  timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --user-data-dir="$prof" \
    --dump-dom "file://$T/report.html" >dom.html 2>/dev/null || fail "chromium --dump-dom"
  rm -rf "$prof"
  has dom.html "<mark class=\"f sev-error cat-number rule-numbers_changed\"" "rendered DOM has the marks"
  has dom.html '<form id="filters">' "the script showed the filters"
  hasnt dom.html "<script>alert" "rendered DOM has no record script"
else
  echo "SKIP: chromium is not installed; the page was not rendered"
fi

cli_done
