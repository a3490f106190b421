#!/usr/bin/env bash
# End-to-end tests of `alignqa compare`: audit a copy of the text samples,
# keep that database as a baseline, fix one defect of a record and add
# another, audit again (incrementally: only that record is rechecked), then
# compare: exactly one new and one fixed finding in text, JSON (its shape
# pinned with python3) and Markdown, the same against the baseline database,
# --from/--to, --fail-on and exit codes, and bad options.
# Usage: tests/compare_cli.sh ALIGNQA
set -u
source "$(dirname "$0")/cli_lib.sh" "$1"
export ALIGNQA_RULES_DIR="${ALIGNQA_RULES_DIR:-$src/rules}"

# py DESC SCRIPT: runs python3 SCRIPT with the output ($T/out) on stdin
py() {
  n=$((n + 1))
  python3 -c "$2" <"$T/out" >"$T/py" 2>&1 || { fail "$1"; sed 's/^/  | /' "$T/py" | head -20; }
}

cp -r "$src/samples/text" recs
rec12=recs/12-changed-number-dropped-acronym.txt

# ---- run 1: the samples as they are ----
expect 0 "audit run 1" audit --db c.db recs
cp c.db baseline.db
[ ! -e c.db-wal ] || cp c.db-wal baseline.db-wal

# One run only: the old side is the empty state, every finding is new.
expect 1 "compare after one run" compare --db c.db
has out "Comparing the empty state (run 0) (old) with run 1 of c.db (new)." "one run: from the empty state"
hasnt out "0 new," "one run: findings are new"

# ---- run 2: 24% -> 42% fixes the changed number, 1056 -> 1065 adds one ----
n=$((n + 1))
grep -q '24%的患者' "$rec12" && grep -q '1056名' "$rec12" || fail "sample 12 changed; fix this test"
sed -i 's/24%的患者/42%的患者/; s/1056名/1065名/' "$rec12"
expect 0 "audit run 2" audit --db c.db recs
has err "skipped as unchanged: 13" "run 2 rechecks only the changed record"

expect 1 "compare: a new error fails" compare --db c.db
has out "Comparing run 1 of c.db (old) with run 2 of c.db (new)." "text: the runs compared"
has out "1 new, 1 fixed." "text: one new, one fixed"
has out "+ recs/12-changed-number-dropped-acronym.txt: 12-changed-number-dropped-acronym: error: number 1065 in the Chinese differs from 1,056 in the English [numbers.changed] (run 2;" "text: the new finding"
has out "- recs/12-changed-number-dropped-acronym.txt: 12-changed-number-dropped-acronym: error: number 24% in the Chinese differs from 42% in the English [numbers.changed] (run 1;" "text: the fixed finding"
n=$((n + 1))
[ "$(grep -c '^[+-] ' out)" = 2 ] || fail "text: two listed findings, got $(grep -c '^[+-] ' out)"

expect 1 "compare --format json" compare --db c.db --format json
py "JSON shape" '
import json, sys
d = json.load(sys.stdin)
assert list(d) == ["from", "to", "fail_on", "failing", "counts", "new", "fixed"], list(d)
assert d["from"] == {"db": "c.db", "run": 1}, d["from"]
assert d["to"] == {"db": "c.db", "run": 2}, d["to"]
assert d["fail_on"] == "error" and d["failing"] == 1, d
cats = ["omission", "addition", "untranslated", "mistranslation", "number",
        "terminology", "punctuation", "encoding", "style", "alignment", "metadata"]
for side in ("new", "fixed"):
    c = d["counts"][side]
    assert list(c) == ["total", "severity", "category"], c
    assert c["total"] == 1, c
    assert c["severity"] == {"error": 1, "warning": 0, "info": 0}, c
    assert list(c["category"]) == cats, c
    assert c["category"]["number"] == 1 and sum(c["category"].values()) == 1, c
keys = ["record", "source", "rule", "severity", "category", "message", "en", "zh",
        "fingerprint", "run", "journal", "date"]
assert len(d["new"]) == 1 and len(d["fixed"]) == 1, d
new, fixed = d["new"][0], d["fixed"][0]
for f in (new, fixed):
    assert list(f) == keys, list(f)
    assert f["record"] == "12-changed-number-dropped-acronym", f
    assert f["rule"] == "numbers.changed" and f["severity"] == "error", f
    assert f["category"] == "number" and len(f["fingerprint"]) == 16, f
    assert f["journal"] == "Diabetes Care", f
    for side in ("en", "zh"):
        assert len(f[side]) == 2 and 0 <= f[side][0] < f[side][1], f
assert "1065" in new["message"] and new["run"] == 2, new
assert "24%" in fixed["message"] and fixed["run"] == 1, fixed
assert new["fingerprint"] != fixed["fingerprint"]
'
# The byte spans point into the text of each version.
n=$((n + 1))
python3 - "$T/out" "$rec12" <<'EOF' >"$T/py" 2>&1 || { fail "JSON spans"; sed 's/^/  | /' "$T/py" | head; }
import json, sys
d = json.load(open(sys.argv[1]))
zh = open(sys.argv[2], encoding="utf-8").read().split("\n")[5].encode()
s, e = d["new"][0]["zh"]
assert zh[s:e].decode() == "1065", zh[s:e].decode()
EOF

expect 1 "compare --format markdown" compare --db c.db --format markdown
has out "## alignqa compare: 1 new, 1 fixed" "markdown: heading"
has out "| new | 1 | 0 | 0 |" "markdown: new counts"
has out "| fixed | 1 | 0 | 0 |" "markdown: fixed counts"
has out "| number | 1 | 1 |" "markdown: category counts"
has out "| error | 12-changed-number-dropped-acronym | numbers.changed | number 1065 in the Chinese differs from 1,056 in the English |" "markdown: the new finding"

# ---- the same against the baseline database (what CI does) ----
expect 1 "compare --against baseline" compare --db c.db --against baseline.db --format json
py "--against: one new, one fixed" '
import json, sys
d = json.load(sys.stdin)
assert d["from"] == {"db": "baseline.db", "run": 1}, d["from"]
assert d["to"] == {"db": "c.db", "run": 2}, d["to"]
assert len(d["new"]) == 1 and len(d["fixed"]) == 1, d
assert "1065" in d["new"][0]["message"] and "24%" in d["fixed"][0]["message"], d
'
expect 0 "the baseline against itself" compare --db baseline.db --against baseline.db
has out "0 new, 0 fixed." "a database against itself"
expect 2 "--from names a run of the baseline" compare --db c.db --against baseline.db --from 2
has err "no run 2 in baseline.db" "--from of --against"

# ---- run 3: a new warning only (a half-width comma in sample 01) ----
sed -i '6s/成年人，/成年人,/' recs/01-clean-review.txt
expect 0 "audit run 3" audit --db c.db recs
expect 0 "a new warning does not fail by default" compare --db c.db
has out "1 new, 0 fixed." "run 3: one new"
has out "warning: half-width comma in Chinese text" "run 3: the new warning"
expect 1 "--fail-on warning" compare --db c.db --fail-on warning
expect 1 "--fail-on info" compare --db c.db --fail-on info --format json
py "failing counts new findings at or above --fail-on" '
import json, sys
d = json.load(sys.stdin)
assert d["fail_on"] == "info" and d["failing"] == 1, d
'
# Any two states: run 1 to run 3, and back (new and fixed swap).
expect 1 "--from 1 --to 3" compare --db c.db --from 1 --to 3
has out "2 new, 1 fixed." "run 1 to run 3"
expect 1 "--from 3 --to 1" compare --db c.db --from 3 --to 1
has out "1 new, 2 fixed." "run 3 to run 1"
expect 0 "--to 2 --from 2" compare --db c.db --to 2 --from 2
has out "0 new, 0 fixed." "a state against itself"

# ---- errors ----
expect 0 "compare --help" compare --help
has out "--against OTHER.db" "help lists --against"
expect 2 "unknown format" compare --db c.db --format xml
expect 2 "bad --from" compare --db c.db --from one
expect 2 "negative --to" compare --db c.db --to -1
expect 2 "run that does not exist" compare --db c.db --to 9
has err "no run 9 in c.db" "the missing run is named"
expect 2 "bad --fail-on" compare --db c.db --fail-on fatal
expect 2 "stray argument" compare --db c.db extra
expect 3 "missing database" compare --db nope.db
n=$((n + 1))
[ ! -e nope.db ] || fail "compare created nope.db"
expect 3 "missing baseline" compare --db c.db --against nope.db
echo "not a database at all, just some text that is long enough to look like one" >junk.db
expect 3 "a baseline that is not a database" compare --db c.db --against junk.db
has err "junk.db:" "the bad baseline is named"

cli_done
