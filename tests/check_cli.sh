#!/usr/bin/env bash
# End-to-end tests of `alignqa check` and `alignqa glossary import`: exit
# codes 0/1/2/3, --fail-on, --disable/--enable/--severity, configuration
# files, baselines (write, then only new findings), every report format
# parsed back, and the import of each glossary format.  Rules come from a
# small pack written here, so that what fires does not depend on the
# shipped packs.
# Usage: tests/check_cli.sh ALIGNQA
set -u
source "$(dirname "$0")/cli_lib.sh" "$1"
gdata="$src/tests/data/glossary"

# ---- fixtures: a rules dir with one pack, and records ---------------------
mkdir rules
cp "$src/rules/abbreviations.txt" rules/
cat >rules/t.yaml <<'EOF'
pack: t
description: markers for check_cli.sh
rules:
  - id: marker
    kind: forbid
    severity: error
    category: style
    message: "marker {match} in the translation"
    pattern: "XYZZY"
    side: zh
  - id: warn
    kind: forbid
    severity: warning
    category: style
    message: "warning marker {match}"
    pattern: "FROBOZZ"
    side: zh
  - id: note
    kind: forbid
    severity: info
    category: style
    message: "note marker {match}"
    pattern: "PLUGH"
    side: en
EOF
R=(--rules-dir "$T/rules")

# record ZH1 ZH2 ZH3 [EN2]: a text record whose Chinese sentences are given
record() {
  cat <<EOF
Doe Jane, Roe Richard
Department of Testing, Example University, Leeds, UK.
Test J. 2024 Jan 5:1-9. doi: 10.5555/aq.2024.0105.
BACKGROUND: Readmission within 30 days is common among patients with heart failure.
METHODS: Adults were assigned 1:1 to weekly calls or usual care.${4:-}
RESULTS: Readmission occurred in 14.1% of the intervention group and 19.6% of controls.
背景：心力衰竭患者30天内再入院十分常见。$1
方法：成人患者按1:1的比例被分配至每周电话随访组或常规护理组。$2
结果：干预组和对照组的再入院率分别为14.1%和19.6%。$3
Test J. 2024-1-5
EOF
}
record "" "" "" >clean.txt
record "" "" "XYZZY" >rec.txt
record "" "FROBOZZ" "" >warn.txt
record "" "" "" " PLUGH was noted." >info.txt

# ---- exit codes -------------------------------------------------------------
expect 0 "help" check --help && has out "Exit codes" "help"
expect 0 "clean record" check "${R[@]}" clean.txt &&
  has out "0 errors, 0 warnings, 0 infos in 1 record" "clean summary"
expect 1 "finding" check "${R[@]}" rec.txt &&
  has out "rec.txt:9:31: error: marker XYZZY in the translation [t.marker]" "text header" &&
  has out "1 error, 0 warnings, 0 infos in 1 record" "summary"
expect 1 "stdin" check "${R[@]}" - <rec.txt
expect 2 "unknown option" check --no-such-option clean.txt
expect 2 "unknown format" check "${R[@]}" --format yaml clean.txt
expect 2 "bad --fail-on" check "${R[@]}" --fail-on fatal clean.txt
expect 2 "bad --severity" check "${R[@]}" --severity t.marker=fatal clean.txt
expect 2 "--severity without =" check "${R[@]}" --severity t.marker clean.txt
expect 2 "unknown rule" check "${R[@]}" --disable t.no-such-rule clean.txt &&
  has err "t.no-such-rule" "unknown rule named"
printf 'pack: broken\nrules:\n  - id: x\n    kind: forbid\n    pattern: "(unclosed"\n    side: zh\n    message: m\n    severity: error\n    category: style\n' >broken.yaml
expect 2 "broken rule pack" check "${R[@]}" --rules broken.yaml clean.txt &&
  has err "broken.yaml:" "pack error names the file"
expect 2 "missing config" check "${R[@]}" --config nope.yaml clean.txt
printf 'nonsense: 1\n' >bad-config.yaml
expect 2 "bad config" check "${R[@]}" --config bad-config.yaml clean.txt &&
  has err "bad-config.yaml:1" "config error names file:line"
expect 2 "config and no-config" check "${R[@]}" --config bad-config.yaml --no-config clean.txt
printf 'not a baseline\n' >bad-baseline.txt
expect 2 "broken baseline" check "${R[@]}" --baseline bad-baseline.txt rec.txt &&
  has err "bad-baseline.txt:1:" "baseline error names file:line"
expect 2 "missing glossary" check "${R[@]}" --glossary nope.tsv clean.txt
expect 3 "missing input" check "${R[@]}" no-such-file.txt
# an input error wins over findings, and the findings are still reported
{
  printf '{"id": "j1", "en": "The rate was 5%%.", "zh": "比例为5%%。XYZZY"}\n'
  printf '{"id": "j2", "en": "truncated\n'
  printf '{"id": "j3", "en": "Fine.", "zh": "很好。"}\n'
} >mixed.jsonl
expect 3 "input error and finding" check "${R[@]}" mixed.jsonl &&
  has out "error: marker XYZZY" "findings still reported" &&
  has out "in 2 records; 1 input error" "summary counts input errors" &&
  has err "mixed.jsonl:2" "input error on stderr"
expect 3 "unwritable output" check "${R[@]}" -o /nonexistent-dir/out.txt clean.txt

# ---- --fail-on, --disable, --enable, --severity ------------------------------
expect 0 "warning below default threshold" check "${R[@]}" warn.txt &&
  has out "warning: warning marker FROBOZZ [t.warn]" "warning shown"
expect 1 "--fail-on warning" check "${R[@]}" --fail-on warning warn.txt
expect 0 "info below warning" check "${R[@]}" --fail-on warning info.txt &&
  has out "info: note marker PLUGH [t.note]" "info shown"
expect 1 "--fail-on info" check "${R[@]}" --fail-on info info.txt
expect 0 "--disable" check "${R[@]}" --disable t.marker rec.txt && hasnt out "XYZZY" "disabled rule silent"
expect 0 "--disable pack" check "${R[@]}" --disable 't.*' rec.txt
expect 1 "--disable then --enable" check "${R[@]}" --disable 't.*' --enable t.marker rec.txt
expect 0 "--severity down" check "${R[@]}" --severity t.marker=warning rec.txt &&
  has out "warning: marker XYZZY" "severity changed"
expect 1 "--severity down, --fail-on warning" check "${R[@]}" --severity t.marker=warning \
  --fail-on warning rec.txt
expect 1 "--severity up" check "${R[@]}" --severity t.warn=error warn.txt

# ---- configuration file --------------------------------------------------------
mkdir cfg && cp rec.txt cfg/
printf 'rules:\n  t.marker: off\n' >cfg/.alignqa.yaml
(cd cfg && "$exe" check "${R[@]}" rec.txt >/dev/null 2>&1); rc=$?
n=$((n + 1)); [ "$rc" = 0 ] || fail "./.alignqa.yaml is read: exit $rc"
(cd cfg && "$exe" check "${R[@]}" --no-config rec.txt >/dev/null 2>&1); rc=$?
n=$((n + 1)); [ "$rc" = 1 ] || fail "--no-config: exit $rc"
expect 0 "--config FILE" check "${R[@]}" --config cfg/.alignqa.yaml rec.txt
expect 1 "command line beats config" check "${R[@]}" --config cfg/.alignqa.yaml \
  --enable t.marker rec.txt

# ---- baselines -------------------------------------------------------------------
record "" "FROBOZZ" "XYZZY" >base.txt
expect 1 "write baseline" check "${R[@]}" --write-baseline base.bl base.txt
n=$((n + 1)); [ "$(head -1 base.bl)" = "# alignqa baseline v1" ] || fail "baseline header"
n=$((n + 1)); [ "$(grep -c $'\tbase\t' base.bl)" = 2 ] || fail "baseline has both findings"
has base.bl $'\tt.marker\tbase\tmarker XYZZY in the translation' "baseline line"
expect 0 "baseline hides everything" check "${R[@]}" --baseline base.bl base.txt &&
  has out "0 errors, 0 warnings, 0 infos in 1 record" "nothing reported" &&
  has err "2 findings hidden by the baseline" "hidden count on stderr"
# edit the record: one more XYZZY (multiset: exactly one is new) and a new note
record "XYZZY" "FROBOZZ" "XYZZY" " PLUGH was noted." >base.txt
expect 1 "only new findings" check "${R[@]}" --baseline base.bl --fail-on info -f jsonl base.txt
n=$((n + 1))
[ "$(grep -o '"rule":"t.marker"' out | wc -l)" = 1 ] || fail "one new t.marker: $(cat out)"
has out '"rule":"t.note"' "the new note"
hasnt out '"rule":"t.warn"' "the old warning stays hidden"
expect 0 "new findings below threshold" check "${R[@]}" --baseline base.bl \
  --disable t.marker base.txt
# --write-baseline over the baseline it reads: records today's findings
expect 1 "rewrite baseline" check "${R[@]}" --baseline base.bl --write-baseline base.bl base.txt
n=$((n + 1)); [ "$(grep -vc '^#' base.bl)" = 4 ] || fail "rewritten baseline: $(cat base.bl)"
expect 0 "rewritten baseline hides all" check "${R[@]}" --baseline base.bl --fail-on info base.txt

# ---- report formats ----------------------------------------------------------------
have_py=0; command -v python3 >/dev/null && have_py=1
expect 1 "jsonl" check "${R[@]}" -f jsonl rec.txt clean.txt &&
  has out '{"id":"rec","findings":[{"rule":"t.marker","severity":"error","category":"style","message":"marker XYZZY in the translation","en":null,"zh":[' "jsonl contract" &&
  has out '{"id":"clean","findings":[]}' "jsonl clean record"
if [ $have_py = 1 ]; then
  n=$((n + 1))
  python3 -c '
import json, sys
for line in open(sys.argv[1]):
    o = json.loads(line)
    assert list(o)[:2] == ["id", "findings"], o
    for f in o["findings"]:
        assert list(f)[:7] == ["rule", "severity", "category", "message", "en", "zh", "bead"], f
' out || fail "jsonl parses"
fi
expect 1 "json" check "${R[@]}" -f json rec.txt clean.txt
if [ $have_py = 1 ]; then
  n=$((n + 1))
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["summary"] == {"records": 2, "errors": 1, "warnings": 0, "infos": 0, "input_errors": 0}, d["summary"]
assert [r["id"] for r in d["records"]] == ["rec", "clean"]
' out || fail "json document"
fi
expect 3 "sarif" check "${R[@]}" -f sarif -o out.sarif rec.txt mixed.jsonl
n=$((n + 1)); [ -s out ] && fail "-o leaves standard output empty"
if [ $have_py = 1 ]; then
  n=$((n + 1))
  python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == "2.1.0" and len(d["runs"]) == 1
run = d["runs"][0]
assert run["columnKind"] == "unicodeCodePoints"
ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
assert ids == ["t.marker", "t.warn", "t.note"], ids
res = run["results"]
assert len(res) == 2, res
for r in res:
    assert r["level"] == "error" and ids[r["ruleIndex"]] == r["ruleId"] == "t.marker"
    reg = r["locations"][0]["physicalLocation"]["region"]
    assert reg["startLine"] >= 1 and reg["startColumn"] >= 1
    assert len(r["partialFingerprints"]["alignqaFingerprint/v1"]) == 16
assert res[0]["locations"][0]["physicalLocation"]["region"] == {"startLine": 9, "startColumn": 31, "endLine": 9, "endColumn": 36}
inv = run["invocations"][0]
assert inv["executionSuccessful"] is False and len(inv["toolExecutionNotifications"]) == 1
' out.sarif || fail "sarif document"
fi
expect 1 "junit" check "${R[@]}" -f junit rec.txt clean.txt
if [ $have_py = 1 ]; then
  n=$((n + 1))
  python3 -c '
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites" and root.get("tests") == "2" and root.get("failures") == "1"
cases = root.findall("testsuite/testcase")
assert [c.get("name") for c in cases] == ["rec", "clean"]
assert cases[0].find("failure").get("type") == "t.marker"
assert cases[1].find("failure") is None
' out || fail "junit document"
fi
expect 1 "github" check "${R[@]}" -f github rec.txt &&
  has out "::error file=rec.txt,line=9,col=31,endLine=9,endColumn=35,title=t.marker::marker XYZZY in the translation" "github command"

# ---- glossary import -------------------------------------------------------------
expect 0 "glossary help" glossary --help && has out "babelon" "glossary help"
expect 2 "glossary without subcommand" glossary
expect 2 "glossary bad --from" glossary import --from csv "$gdata/babelon.tsv"
expect 2 "glossary bad --status" glossary import --status maybe "$gdata/babelon.tsv"
expect 3 "glossary missing input" glossary import no-such.tsv
expect 0 "import babelon" glossary import -o babelon.out "$gdata/babelon.tsv" &&
  has babelon.out $'Renal tubule\t肾小管\tpreferred\tTX:0000001' "babelon label" &&
  has babelon.out $'Tubular hypoxia\t肾小管缺氧\tpreferred\tTX:0000002; candidate' "babelon candidate" &&
  has babelon.out $'Kidney "graft" recipient\t肾移植受者\tpreferred\tTX:0000006' "babelon quoted synonym" &&
  hasnt babelon.out "单位时间" "babelon definition skipped" &&
  hasnt babelon.out "腎移植" "babelon zh-TW skipped" &&
  hasnt babelon.out "Kidney failure" "babelon NOT_TRANSLATED skipped" &&
  has babelon.out "# imported by \`alignqa glossary import\` from $gdata/babelon.tsv (Babelon TSV)" "header cites source"
n=$((n + 1)); [ "$(grep -c $'^Renal tubule\t' babelon.out)" = 1 ] || fail "babelon duplicate written once"
expect 0 "import sssom" glossary import --from sssom "$gdata/sssom.tsv" &&
  has out $'Atrial fibrillation\t心房颤动\tpreferred\tTX:0000010' "sssom pair" &&
  has out $'Anticoagulation\t抗凝治疗\tpreferred\tTX:0000011' "sssom swapped sides" &&
  has out $'Photoplethysmography\t光电容积描记\tpreferred\tTX:0000014' "sssom IRI predicate" &&
  hasnt out "脑血管病" "sssom broadMatch skipped" &&
  hasnt out "轻微出血" "sssom Not skipped"
expect 0 "import tbx" glossary import "$gdata/basic.tbx" &&
  has out $'chronic kidney disease\t慢性肾脏病\tpreferred\tc1' "tbx preferred" &&
  has out $'chronic kidney disease\t慢性肾功能不全\tpreferred\tc1; admitted' "tbx admitted" &&
  has out $'chronic kidney disease\t慢性肾病\tdeprecated\tc1' "tbx deprecated" &&
  has out $'sodium-glucose cotransporter 2 & inhibitor\t钠-葡萄糖协同转运蛋白2抑制剂\tpreferred\tc2' "tbx ntig, white space, entity" &&
  hasnt out "慢性腎臟病" "tbx zh-TW skipped"
n=$((n + 1))
[ "$(grep -c $'^chronic kidney disease\t' out)" = 3 ] || fail "tbx: three pairs for c1"
n=$((n + 1))
[ "$(grep $'^chronic kidney disease\t' out | cut -f3 | tr '\n' ' ')" = "preferred preferred deprecated " ] ||
  fail "tbx: preferred terms first"
expect 0 "import tbx v3" glossary import --status deprecated "$gdata/v3.tbx" &&
  has out $'glycaemic control\t血糖控制\tpreferred\tk7' "tbx v3 preferred" &&
  has out $'glycaemic control\t血糖管理\tdeprecated\tk7' "tbx v3 superseded"
expect 3 "broken tbx" glossary import "$gdata/broken.tbx" &&
  has err "broken.tbx:5:" "xml error names file:line"
expect 3 "babelon without columns" glossary import --from babelon "$gdata/no_value_column.babelon.tsv" &&
  has err "no_value_column.babelon.tsv:1: not a Babelon header" "header error names file:line"
expect 3 "babelon bad utf-8" glossary import "$gdata/bad_utf8.babelon.tsv" &&
  has err "bad_utf8.babelon.tsv:2: invalid UTF-8" "utf-8 error names file:line"
# what import writes, check reads
glossary_import_ok=1
"$exe" glossary import -o all.tsv "$gdata/basic.tbx" 2>/dev/null || glossary_import_ok=0
n=$((n + 1)); [ $glossary_import_ok = 1 ] || fail "import for check"
expect 0 "imported glossary loads" check "${R[@]}" --glossary all.tsv --glossary babelon.out clean.txt

# ---- glossary compile: a compiled dictionary or glossary gives the same check ----
ldata="$src/tests/data/lexicon"
expect 0 "compile a dictionary" glossary compile "$ldata/tiny.u8" tiny.aqlex
expect 0 "compile a glossary" glossary compile --format glossary "$ldata/glossary.tsv" gl.aqlex
for rec in "$src/samples/text/04-acronyms-genes-units.txt" "$src/samples/jsonl/records.jsonl"; do
  run check --no-config -f jsonl -d "$ldata/tiny.u8" -g "$ldata/glossary.tsv" "$rec"
  cp "$T/out" plain.out
  run check --no-config -f jsonl -d tiny.aqlex -g gl.aqlex "$rec"
  n=$((n + 1)); cmp -s plain.out "$T/out" || fail "compiled lexicons change check's output ($rec)"
done
printf 'AQLEX\0garbage' >bad.aqlex
expect 2 "a damaged compiled dictionary is a configuration error" check --no-config -d bad.aqlex clean.txt &&
  has err "bad.aqlex: not a valid compiled lexicon" "the error names the file"

# ---- the aligner's dictionary: the team lexicon by default, compiled into a cache ----
mkdir -p lexrules/lexicon cache
cp rules/*.yaml rules/abbreviations.txt lexrules/
cat >lexrules/lexicon/a.txt <<'EOF'
# a small team lexicon: two files merged
患者 患者 [huan4 zhe3] /patient/
再入院 再入院 [zai4 ru4 yuan4] /readmission/readmitted/
EOF
cat >lexrules/lexicon/b.txt <<'EOF'
心力衰竭 心力衰竭 [xin1 li4 shuai1 jie2] /heart failure/
常规护理 常规护理 [chang2 gui1 hu4 li3] /usual care/
EOF
export ALIGNQA_CACHE_DIR="$T/cache"
L=(--rules-dir "$T/lexrules" --no-config -f jsonl)
expect 1 "check with the default lexicon" check "${L[@]}" rec.txt && cp "$T/out" lex1.out
n=$((n + 1)); [ "$(ls cache | grep -c '^lexicon-.*\.aqlex$')" = 1 ] ||
  fail "the default lexicon was not compiled into the cache: $(ls cache)"
expect 1 "check with the cached lexicon" check "${L[@]}" rec.txt
n=$((n + 1)); cmp -s lex1.out "$T/out" || fail "the cached lexicon changes the output"
for f in cache/lexicon-*.aqlex; do printf 'AQLEX\0broken' >"$f"; done
expect 1 "a damaged cache file is compiled again" check "${L[@]}" rec.txt
n=$((n + 1)); [ ! -s "$T/err" ] || fail "a damaged cache file is no error: $(cat "$T/err")"
n=$((n + 1)); cmp -s lex1.out "$T/out" || fail "a damaged cache file changes the output"
n=$((n + 1)); [ "$(stat -c %s cache/lexicon-*.aqlex)" -gt 100 ] || fail "the cache file was not rewritten"
expect 0 "the merged lexicon compiles" glossary compile lexrules/lexicon/a.txt lexrules/lexicon/b.txt merged.aqlex
expect 1 "check -d the merged lexicon" check "${L[@]}" -d merged.aqlex rec.txt
n=$((n + 1)); cmp -s lex1.out "$T/out" || fail "-d of the compiled merge differs from the default lexicon"
expect 1 "--no-dictionary" check "${L[@]}" --no-dictionary rec.txt
expect 1 "-d ''" check "${L[@]}" -d '' rec.txt
ALIGNQA_CACHE_DIR=/nonexistent/cache
expect 1 "an unusable cache directory is no error" check "${L[@]}" rec.txt
n=$((n + 1)); [ ! -s "$T/err" ] && cmp -s lex1.out "$T/out" || fail "without a cache: other output"
ALIGNQA_CACHE_DIR="$T/cache"
echo 'not a lexicon line' >>lexrules/lexicon/b.txt
expect 2 "a broken team lexicon is a configuration error" check "${L[@]}" rec.txt &&
  has err "lexicon/b.txt:3:" "the error names the file and line"
expect 0 "--no-dictionary does not read the lexicon" check "${L[@]}" --no-dictionary clean.txt
expect 3 "glossary compile: a dictionary and a glossary do not merge" glossary compile \
  lexrules/lexicon/a.txt "$ldata/glossary.tsv" mixed.aqlex &&
  has err "a glossary cannot be merged with the dictionary before it" "the mix is named"
for i in 1 2 3 4 5 6 7 8 9 10; do echo old >"cache/lexicon-old$i.aqlex"; touch -d "2020-01-0$((i % 9 + 1))" "cache/lexicon-old$i.aqlex"; done
echo '# changed' >>lexrules/lexicon/a.txt
expect 1 "an edited lexicon is compiled again" check "${L[@]}" -d lexrules/lexicon/a.txt rec.txt
n=$((n + 1)); [ "$(ls cache | wc -l)" = 8 ] || fail "the cache keeps the 8 newest files: $(ls cache)"
n=$((n + 1)); [ ! -e cache/lexicon-old1.aqlex ] || fail "the oldest cache file is kept"
unset ALIGNQA_CACHE_DIR

# ---- sentences translated out of order: the shipped rules and the team lexicon -------
swap_en='Patients with knee pain were enrolled in the trial. Blood pressure and heart rate were measured every week. Swelling of the joint decreased after surgery in most children. The doctors recorded sleep quality and body weight at night.'
printf '{"id":"in-order","en":"%s","zh":"%s"}\n' "$swap_en" \
  '试验纳入了膝关节疼痛患者。每周测量血压和心率。大多数儿童手术后关节肿胀减轻。医生在夜间记录睡眠质量和体重。' >order.jsonl
printf '{"id":"swapped","en":"%s","zh":"%s"}\n' "$swap_en" \
  '试验纳入了膝关节疼痛患者。大多数儿童手术后关节肿胀减轻。每周测量血压和心率。医生在夜间记录睡眠质量和体重。' >swapped.jsonl
expect 0 "sentences in order" check --no-config --fail-on warning -f text order.jsonl
expect 1 "two neighbouring sentences swapped" check --no-config --fail-on warning -f text swapped.jsonl &&
  has out 'warning: sentence translated out of order: "每周测量血压和心率。" [structure.out-of-order]' \
    "the swapped sentence is named"
n=$((n + 1)); ! grep -q 'structure.omission\|structure.addition' "$T/out" ||
  fail "a swap is reported as an omission or addition: $(cat "$T/out")"

# ---- the shipped rules (smoke: they load and run) ------------------------------------
expect_shipped() {
  n=$((n + 1))
  run check "$@"
  case $rc in 0|1) ;; *) fail "shipped rules: exit $rc (alignqa check $*)"; sed 's/^/  stderr: /' "$T/err" | head -5;; esac
}
expect_shipped "$src/samples/text/01-clean-review.txt"
expect_shipped -f sarif "$src/samples/jsonl/records.jsonl"

cli_done
