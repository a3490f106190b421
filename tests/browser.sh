#!/usr/bin/env bash
# The editorial HTML report as a browser shows it: audit the text samples
# and a record whose text holds a <script>, write the report, load it in
# headless chromium (file:// URL, no network) and check the DOM after the
# page's script ran: the overview counts, a record's sentence pair side by
# side with its finding marked, the record script shown as text and never
# run, the filters driven from the URL fragment, and the form writing the
# fragment back.  Skips (exit 77) without chromium.
# Usage: tests/browser.sh ALIGNQA
set -u
chromium=${CHROMIUM:-chromium}
if ! command -v "$chromium" >/dev/null 2>&1; then
  echo "SKIP: $chromium is not installed (apt-get install chromium)"
  exit 77
fi
source "$(dirname "$0")/cli_lib.sh" "$1"
export ALIGNQA_RULES_DIR="${ALIGNQA_RULES_DIR:-$src/rules}"

# render OUT URL: the DOM of URL after its scripts ran, into OUT
render() {
  local prof
  prof=$(mktemp -d)
  n=$((n + 1))
  timeout 60 "$chromium" --headless --no-sandbox --disable-gpu --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-extensions --user-data-dir="$prof" --virtual-time-budget=2000 \
    --dump-dom "$2" >"$1" 2>"$T/chromium.err" || { fail "chromium --dump-dom $2"; sed 's/^/  | /' "$T/chromium.err" | tail -5; }
  rm -rf "$prof"
}

# dom DESC FILE PYTHON: PYTHON asserts on the parsed DOM of FILE: `doc` is
# a tree of Node(tag, attrs, children, parent), with find(tag, **attrs),
# text() and classes(); `title` is the document title.
dom() {
  n=$((n + 1))
  python3 - "$2" "$3" >"$T/py" 2>&1 <<'PYEOF' || { fail "$1"; sed 's/^/  | /' "$T/py" | head -20; }
import sys
from html.parser import HTMLParser
VOID = {"meta", "br", "input", "img", "hr", "link", "wbr", "area", "base", "col", "source"}
class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.children, self.parent = tag, dict(attrs), [], parent
    def classes(self):
        return (self.attrs.get("class") or "").split()
    def text(self):
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)
    def find(self, tag=None, cls=None, **attrs):
        out = []
        for c in self.children:
            if isinstance(c, str):
                continue
            if ((tag is None or c.tag == tag) and (cls is None or cls in c.classes())
                    and all(c.attrs.get(k) == v for k, v in attrs.items())):
                out.append(c)
            out.extend(c.find(tag, cls, **attrs))
        return out
class P(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.doc = self.cur = Node("#document", {}, None)
    def handle_starttag(self, tag, attrs):
        n = Node(tag, attrs, self.cur)
        self.cur.children.append(n)
        if tag not in VOID:
            self.cur = n
    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent
    def handle_data(self, data):
        self.cur.children.append(data)
p = P()
p.feed(open(sys.argv[1], encoding="utf-8").read())
doc = p.doc
titles = doc.find("title")
title = titles[0].text() if titles else None
def section(record):
    for s in doc.find("section", cls="rec"):
        if s.find("h2") and s.find("h2")[0].text() == record:
            return s
    raise AssertionError("no section for record %r" % record)
exec(sys.argv[2])
PYEOF
}

# ---- a store: the samples and a record whose text holds scripts ----
cat >hostile.jsonl <<'EOF'
{"id": "zz-script-in-text", "journal": "J Test", "date": "2024-01-01", "en": "We enrolled 120 patients <script>document.title='pwned'</script> in the trial. The response rate was 35% at 12 months.", "zh": "我们纳入了150名患者<script>document.title='pwned'</script>参加试验。12个月时的缓解率为35%。"}
EOF
expect 0 "audit the samples" audit --db r.db "$src/samples/text" hostile.jsonl
expect 0 "findings as JSON" findings --db r.db --format json
cp "$T/out" findings.json
expect 0 "report --output" report --db r.db --output report.html

# ---- the page as shown, no fragment ----
render all.html "file://$T/report.html"
dom "the page after its script ran" all.html '
import json
fs = json.load(open("findings.json"))
assert title == "alignqa report", "title changed: %r" % title
# the overview: findings per severity as stored
bars = {}
for sec in doc.find("section"):
    h = sec.find("h2")
    if h and h[0].text() == "Findings per severity":
        for tr in sec.find("tr"):
            tds = tr.find("td")
            bars[tds[0].text()] = int(tds[-1].text())
want = {}
for f in fs:
    want[f["severity"]] = want.get(f["severity"], 0) + 1
assert bars == want, (bars, want)
n_rec = len(doc.find("section", cls="rec"))
assert n_rec == 15, n_rec
meta = doc.find("p", cls="meta")[0].text()
assert meta.startswith("15 records in the latest results"), meta
# the script showed the filters
form = doc.find("form", id="filters")
assert form and "hidden" not in form[0].attrs, form[0].attrs if form else "no form"
# nothing hidden without a fragment
assert not doc.find(cls="off") and not doc.find(cls="hide"), "filtered without a fragment"
# record 12: its changed number, English and Chinese side by side
rec = section("12-changed-number-dropped-acronym")
row = [tr for tr in rec.find("tr") if tr.find("td", lang="zh") and "24%" in tr.text()]
assert len(row) == 1, [tr.text()[:80] for tr in rec.find("tr")]
en, zh = row[0].find("td", lang="en"), row[0].find("td", lang="zh")
assert len(en) == 1 and len(zh) == 1, row[0].attrs
assert "was found in 42% of those with steatosis" in en[0].text(), en[0].text()
assert "24%的患者肝脏硬度值" in zh[0].text(), zh[0].text()
marks = [m for m in zh[0].find("mark") if "rule-numbers_changed" in m.classes()]
assert len(marks) == 1 and marks[0].text() == "24%", [m.text() for m in marks]
assert "sev-error" in marks[0].classes(), marks[0].classes()
msg = "number 24% in the Chinese differs from 42% in the English"
assert marks[0].attrs["title"] == msg + " [numbers.changed]", marks[0].attrs
items = [li for li in rec.find("li", cls="f") if msg in li.text()]
assert len(items) == 1 and "sev-error" in items[0].classes(), [li.text() for li in rec.find("li")]
# the record with scripts in its text: shown as text, never run
rec = section("zz-script-in-text")
en = rec.find("td", lang="en")[0].text()
zh = rec.find("td", lang="zh")[0].text()
assert "120 patients <script>document.title=\x27pwned\x27</script> in the trial" in en, en
assert "150名患者<script>document.title=\x27pwned\x27</script>参加试验" in zh, zh
scripts = doc.find("script")
assert len(scripts) == 1 and "pwned" not in scripts[0].text(), len(scripts)
'

# ---- filters from the URL fragment ----
render errors.html "file://$T/report.html#severity=error&only=1"
dom "#severity=error&only=1 shows errors only" errors.html '
items = doc.find("li", cls="f")
assert items, "no findings listed"
for e in items + doc.find("mark", cls="f"):
    off = "off" in e.classes()
    assert off == ("sev-error" not in e.classes()), e.attrs
import json
shown = [s.find("h2")[0].text() for s in doc.find("section", cls="rec") if "hide" not in s.classes()]
want = sorted({f["record"] for f in json.load(open("findings.json")) if f["severity"] == "error"})
assert "12-changed-number-dropped-acronym" in want and "zz-script-in-text" in want, want
assert shown == want, (shown, want)
assert title == "alignqa report", title
'
render rule.html "file://$T/report.html#rule=numbers.changed,structure.omission&category=number"
dom "#rule=...&category=... combines dimensions" rule.html '
shown = [e for e in doc.find("li", cls="f") if "off" not in e.classes()]
assert shown and all("rule-numbers_changed" in e.classes() for e in shown), [e.attrs for e in shown]
assert "cat-omission" in doc.find("li", cls="rule-structure_omission")[0].classes()
assert "off" in doc.find("li", cls="rule-structure_omission")[0].classes()
hidden = [s for s in doc.find("section", cls="rec") if "hide" in s.classes()]
assert hidden and section("12-changed-number-dropped-acronym") not in hidden
'

# The other way: changing the form rewrites the fragment, and a new fragment
# (hashchange) filters again.  A copy of the page gets a probe script that
# clicks like a user and writes what it saw into the DOM.
python3 - report.html probe.html <<'PYEOF'
import sys
page = open(sys.argv[1], encoding="utf-8").read()
probe = """<script>
document.querySelector('input[data-c="sev-info"]').click();
document.getElementById('only-findings').click();
var d = document.createElement('div'); d.id = 'probe-hash'; d.textContent = location.hash;
document.body.appendChild(d);
location.hash = '#category=number';
setTimeout(function () {
  var e = document.createElement('div'); e.id = 'probe-shown';
  e.textContent = Array.prototype.map.call(document.querySelectorAll('li.f:not(.off)'),
    function (li) { return li.className; }).join('|');
  document.body.appendChild(e);
}, 100);
</script>
"""
assert page.count("</body>") == 1
open(sys.argv[2], "w", encoding="utf-8").write(page.replace("</body>", probe + "</body>"))
PYEOF
render probed.html "file://$T/probe.html"
dom "the form writes the fragment; hashchange reads it" probed.html '
h = doc.find("div", id="probe-hash")
assert h and h[0].text() == "#severity=error,warning&only=1", h and h[0].text()
s = doc.find("div", id="probe-shown")
assert s, "the hashchange probe did not run"
shown = s[0].text().split("|")
assert shown and all("cat-number" in c.split() for c in shown), shown
'

cli_done
