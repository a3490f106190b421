#!/usr/bin/env bash
# End-to-end tests of archive audits: `alignqa audit` over the samples with
# one and two threads (same stored findings), a rerun that skips every
# unchanged record and --force that redoes them, two shards merged with
# `alignqa merge` (same latest findings as one run), archives (.tar.gz, .zip
# and .gz built here from the samples, a truncated one), the rule options
# shared with check, a kill -9 in the middle of a large audit and the rerun
# that finishes it (every record stored exactly once, checked with python3's
# sqlite3), and usage errors.
# Usage: tests/audit_cli.sh ALIGNQA
set -u
source "$(dirname "$0")/cli_lib.sh" "$1"
inputs=("$src/samples/text" "$src/samples/jsonl/records.jsonl")
export ALIGNQA_RULES_DIR="${ALIGNQA_RULES_DIR:-$src/rules}"

# latest DB OUT: the latest findings of DB as sorted JSON lines without the
# run number (runs are numbered differently after a merge)
latest() {
  "$exe" findings --db "$1" --format json >"$T/latest.json" 2>"$T/latest.err" ||
    { fail "findings --db $1"; cat "$T/latest.err"; }
  python3 -c '
import json, sys
rows = json.load(open(sys.argv[1]))
out = []
for r in rows:
    r.pop("run", None)
    out.append(json.dumps(r, sort_keys=True, ensure_ascii=False))
print("\n".join(sorted(out)))' "$T/latest.json" >"$2"
}

# same A B DESC: files A and B are identical and not empty
same() {
  n=$((n + 1))
  [ -s "$1" ] || { fail "$3: $1 is empty"; return; }
  diff -u "$1" "$2" >"$T/diff" || { fail "$3"; head -20 "$T/diff"; }
}

# sql DB QUERY: prints the rows of QUERY over DB, one a line, tab-separated
sql() {
  python3 -c '
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
for row in c.execute(sys.argv[2]):
    print("\t".join(str(x) for x in row))' "$1" "$2"
}

# committed DB: records committed so far in DB (0 if none yet), read-only
committed() {
  python3 -c '
import sqlite3, sys
try:
    c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=5)
    print(c.execute("SELECT count(*) FROM records").fetchone()[0])
except sqlite3.Error:
    print(0)' "$1"
}

# ---- one thread and two threads store the same results ----
expect 0 "audit --jobs 1" audit --quiet --db j1.db --jobs 1 "${inputs[@]}"
has "$T/err" "checked:              19" "audit --jobs 1 summary"
has "$T/err" "skipped as unchanged: 0" "audit --jobs 1 summary"
has "$T/err" "findings:" "audit --jobs 1 summary"
has "$T/err" "by category:" "audit --jobs 1 summary"
expect 0 "audit --jobs 2" audit --quiet --db j2.db --jobs 2 "${inputs[@]}"
latest j1.db j1.txt
latest j2.db j2.txt
same j1.txt j2.txt "findings of --jobs 1 and --jobs 2 differ"
n=$((n + 1))
[ "$(sql j1.db 'SELECT record_id, source, line, content_hash FROM records ORDER BY id')" = \
  "$(sql j2.db 'SELECT record_id, source, line, content_hash FROM records ORDER BY id')" ] ||
  fail "records are stored in a different order with --jobs 2"
n=$((n + 1))
[ "$(sql j1.db 'SELECT count(*) FROM sentences') $(sql j1.db 'SELECT count(*) FROM beads')" = \
  "$(sql j2.db 'SELECT count(*) FROM sentences') $(sql j2.db 'SELECT count(*) FROM beads')" ] ||
  fail "sentences or beads differ between --jobs 1 and --jobs 2"

# The same as `check --db` stores.
"$exe" check --no-config --db chk.db "${inputs[@]}" >/dev/null 2>&1
latest chk.db chk.txt
same j1.txt chk.txt "audit and check --db store different findings"

# ---- a rerun skips every unchanged record; --force redoes them ----
expect 0 "audit rerun" audit --quiet --db j2.db --jobs 2 "${inputs[@]}"
has "$T/err" "checked:              0" "rerun checks nothing"
has "$T/err" "skipped as unchanged: 19" "rerun skips every record"
latest j2.db j2b.txt
same j1.txt j2b.txt "a rerun changed the latest findings"
expect 0 "audit --force" audit --quiet --force --db j2.db --jobs 2 "${inputs[@]}"
has "$T/err" "checked:              19" "--force checks every record"
has "$T/err" "skipped as unchanged: 0" "--force skips nothing"
latest j2.db j2c.txt
same j1.txt j2c.txt "--force changed the latest findings"
# Another dictionary is another setup: every record is checked again.
expect 0 "audit rerun without the dictionary" audit --quiet --no-dictionary --db j2.db "${inputs[@]}"
has "$T/err" "checked:              19" "a changed dictionary checks every record again"
expect 0 "audit rerun without the dictionary, again" audit --quiet --no-dictionary --db j2.db "${inputs[@]}"
has "$T/err" "skipped as unchanged: 19" "the same dictionary again skips every record"
expect 0 "audit --force, back to the default" audit --quiet --force --db j2.db "${inputs[@]}"
n=$((n + 1))
[ "$(sql j2.db 'SELECT count(*) FROM runs WHERE ended_at IS NOT NULL')" = 6 ] ||
  fail "six ended runs expected in j2.db"

# A changed record is checked again, the others are skipped.
mkdir changed
cp "$src"/samples/text/*.txt changed/
expect 0 "audit of a copy of the text samples" audit --quiet --db inc.db changed
sed -i 's/ the / a /' changed/02-structured-rct.txt
expect 0 "audit after one change" audit --quiet --db inc.db changed
has "$T/err" "checked:              1" "only the changed record is checked again"
has "$T/err" "skipped as unchanged: $(($(ls changed | wc -l) - 1))" "the others are skipped"

# ---- shards merged give the same latest results as one run ----
expect 0 "shard 1/2" audit --quiet --db s1.db --jobs 2 --shard 1/2 "${inputs[@]}"
has "$T/err" "left to other shards:" "shard summary"
expect 0 "shard 2/2" audit --quiet --db s2.db --jobs 1 --shard 2/2 "${inputs[@]}"
n=$((n + 1))
c1=$(sql s1.db 'SELECT count(*) FROM records')
c2=$(sql s2.db 'SELECT count(*) FROM records')
[ "$((c1 + c2))" = 19 ] && [ "$c1" -gt 0 ] && [ "$c2" -gt 0 ] ||
  fail "shards hold $c1 + $c2 records, want 19 split in two"
expect 0 "merge" merge all.db s1.db s2.db
latest all.db all.txt
same j1.txt all.txt "merged shards differ from one run"
n=$((n + 1))
[ "$(sql all.db 'SELECT count(*) FROM runs')" = 2 ] || fail "merge: two runs expected"
n=$((n + 1))
[ "$(sql all.db 'SELECT count(*) FROM sentences')" = "$(sql j1.db 'SELECT count(*) FROM sentences')" ] ||
  fail "merge: sentences were not all copied"
# A merged database can be audited incrementally like any other.
expect 0 "audit into the merged database" audit --quiet --db all.db "${inputs[@]}"
has "$T/err" "skipped as unchanged: 19" "merged database skips unchanged records"

# ---- kill -9 in the middle, then rerun: every record stored exactly once ----
python3 - "$src/samples/jsonl/records.jsonl" >big.jsonl <<'EOF'
import json, sys
base = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
for i in range(3000):
    r = dict(base[i % len(base)])
    r["id"] = "gen-%05d" % i
    print(json.dumps(r, ensure_ascii=False))
EOF
"$exe" audit --quiet --db kill.db --jobs 2 big.jsonl >/dev/null 2>&1 &
pid=$!
sleep 0.3
# A slow machine (or a sanitizer build) may not have committed a batch yet:
# wait for the first one, so that the kill falls in the middle of the run.
for _ in $(seq 50); do
  [ "$(committed kill.db)" -gt 0 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
before=$(committed kill.db)
echo "# killed after $before records were committed"
expect 0 "rerun after kill -9" audit --quiet --db kill.db --jobs 2 big.jsonl
has "$T/err" "3000 records" "rerun reads every record"
n=$((n + 1))
checked=$(sed -n 's/^  checked: *//p' "$T/err")
skipped=$(sed -n 's/^  skipped as unchanged: *//p' "$T/err")
[ "$((checked + skipped))" = 3000 ] && [ "$skipped" = "$before" ] ||
  fail "rerun: checked $checked + skipped $skipped, want 3000 with $before skipped"
n=$((n + 1))
[ "$(sql kill.db 'SELECT count(*), count(DISTINCT record_id) FROM records')" = "3000	3000" ] ||
  fail "after kill -9 and rerun: $(sql kill.db 'SELECT count(*), count(DISTINCT record_id) FROM records'), want 3000 records stored once each"
n=$((n + 1))
[ "$(sql kill.db 'PRAGMA integrity_check')" = ok ] || fail "kill.db: integrity check failed"
latest kill.db kill.txt
n=$((n + 1))
[ "$(wc -l <kill.txt)" -ge 3000 ] || fail "after the rerun: $(wc -l <kill.txt) findings, want one a record at least"

# ---- archives: the same findings as the plain files ----
# Built here from the samples: a .tar.gz and a .zip of the text records and
# the JSON Lines file, in name order, and a .gz of the JSON Lines file.
python3 - "$src/samples" <<'EOF'
import gzip, os, sys, tarfile, zipfile
s = sys.argv[1]
members = [("text/" + f, os.path.join(s, "text", f))
           for f in sorted(os.listdir(os.path.join(s, "text"))) if f.endswith(".txt")]
members.append(("jsonl/records.jsonl", os.path.join(s, "jsonl", "records.jsonl")))
with tarfile.open("arch.tar.gz", "w:gz") as t:
    for name, path in members:
        t.add(path, arcname=name)
    info = tarfile.TarInfo(".hidden/skipped.txt")
    info.size = 0
    t.addfile(info)
with zipfile.ZipFile("arch.zip", "w", zipfile.ZIP_DEFLATED) as z:
    for name, path in members:
        z.write(path, name)
    z.writestr("text/readme.md", "not a record, skipped as in a directory\n")
with open(members[-1][1], "rb") as f, gzip.open("records.jsonl.gz", "wb") as g:
    g.write(f.read())
with open("arch.tar.gz", "rb") as f:
    data = f.read()
with open("cut.tar.gz", "wb") as f:
    f.write(data[:len(data) // 2])
EOF
# by_base IN OUT: the findings of IN with each source cut to its base name
# (without a compression suffix), so that archives compare with files
by_base() {
  python3 -c '
import json, os, sys
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    base = os.path.basename(r["source"].split(":")[-1])
    r["source"] = base[:-3] if base.endswith(".gz") else base
    print(json.dumps(r, sort_keys=True, ensure_ascii=False))' "$1" | sort >"$2"
}
by_base j1.txt j1-base.txt
expect 0 "audit of a .tar.gz" audit --quiet --db tgz.db --jobs 2 arch.tar.gz
has "$T/err" "checked:              19" "audit of a .tar.gz: every record"
latest tgz.db tgz.txt
by_base tgz.txt tgz-base.txt
same j1-base.txt tgz-base.txt "a .tar.gz stores other findings than the plain files"
n=$((n + 1))
[ "$(sql tgz.db "SELECT source FROM records WHERE record_id = '01-clean-review'")" = \
  "arch.tar.gz:text/01-clean-review.txt" ] || fail "a member's source is not ARCHIVE:member"
expect 0 "audit of a .zip" audit --quiet --db zip.db --jobs 1 arch.zip
has "$T/err" "checked:              19" "audit of a .zip: every record"
latest zip.db zip.txt
by_base zip.txt zip-base.txt
same j1-base.txt zip-base.txt "a .zip stores other findings than the plain files"
expect 0 "audit of a .gz" audit --quiet --db gz.db "$src/samples/text" records.jsonl.gz
latest gz.db gz.txt
by_base gz.txt gz-base.txt
same j1-base.txt gz-base.txt "a .gz stores other findings than the plain file"
expect 0 "archive rerun" audit --quiet --db tgz.db arch.tar.gz
has "$T/err" "skipped as unchanged: 19" "an archive rerun skips every record"
n=$((n + 1))
"$exe" audit --quiet --db stdin.db - <arch.zip >/dev/null 2>"$T/err" &&
  grep -qF "checked:              19" "$T/err" &&
  [ "$(sql stdin.db "SELECT source FROM records WHERE record_id = '01-clean-review'")" = \
    "stdin:text/01-clean-review.txt" ] || fail "a .zip on standard input"
# A truncated archive is one input error naming it; the batch goes on.
expect 3 "a truncated .tar.gz is exit 3" audit --quiet --db cut.db cut.tar.gz \
  "$src/samples/jsonl/records.jsonl"
has "$T/err" "alignqa: cut.tar.gz" "the error names the archive"
has "$T/err" "input errors:         1" "one input error for the truncated archive"
has "$T/err" "checked:              5" "the records after the truncated archive are checked"
n=$((n + 1))
[ "$(sql cut.db 'SELECT count(*) FROM input_errors')" = 1 ] || fail "archive error not stored"

# ---- the rule and input options of check ----
expect 0 "audit --disable --severity" audit --quiet --db opt.db \
  --disable category:punctuation --severity numbers.changed=info "${inputs[@]}"
n=$((n + 1))
[ "$(sql opt.db "SELECT count(*) FROM findings WHERE category = 'punctuation'")" = 0 ] ||
  fail "audit --disable category:punctuation stored punctuation findings"
"$exe" check --no-config --db chk-opt.db --disable category:punctuation \
  --severity numbers.changed=info "${inputs[@]}" >/dev/null 2>&1
latest opt.db opt.txt
latest chk-opt.db chk-opt.txt
same opt.txt chk-opt.txt "audit and check store different findings with the same rule options"
printf "rules:\n  'category:punctuation': off\n" >cfg.yaml
expect 0 "audit --config" audit --quiet --db cfg.db --config cfg.yaml "${inputs[@]}"
n=$((n + 1))
[ "$(sql cfg.db "SELECT count(*) FROM findings WHERE category = 'punctuation'")" = 0 ] ||
  fail "audit --config: the configuration was not applied"
expect 0 "audit --encoding" audit --quiet --db enc.db --encoding UTF-8 "${inputs[@]}"
expect 2 "audit --encoding of an unknown name" audit --db x.db --encoding no-such-enc "${inputs[@]}"
expect 2 "audit --severity without a level" audit --db x.db --severity numbers.changed "${inputs[@]}"
expect 2 "audit --enable of an unknown rule" audit --db x.db --enable no.such-rule "${inputs[@]}"
expect 2 "audit --config and --no-config" audit --db x.db --config cfg.yaml --no-config "${inputs[@]}"

# ---- input errors, usage errors ----
printf '{"id": "bad", "en": "x"\n' >bad.jsonl
expect 3 "an input error is exit 3" audit --quiet --db err.db bad.jsonl
has "$T/err" "input errors:         1" "input error counted"
n=$((n + 1))
[ "$(sql err.db 'SELECT count(*) FROM input_errors')" = 1 ] || fail "input error not stored"
expect 3 "a missing file is exit 3" audit --quiet --db err.db no-such-file.jsonl
expect 2 "bad --shard" audit --db x.db --shard 3/2 "${inputs[@]}"
expect 2 "bad --shard" audit --db x.db --shard 0/2 "${inputs[@]}"
expect 2 "bad --jobs" audit --db x.db --jobs 0 "${inputs[@]}"
expect 2 "unknown option" audit --no-such-option
expect 2 "broken rules dir" audit --db x.db --rules-dir /nonexistent "${inputs[@]}"
expect 0 "audit --help" audit --help
has "$T/out" "--shard K/N" "audit --help"
expect 2 "merge without inputs" merge out.db
expect 2 "merge into an input" merge s1.db s1.db
expect 3 "merge of a missing database" merge out2.db missing.db
printf 'not a database at all, just text that is long enough to be a header....\n' >junk.db
expect 3 "merge of a non-database" merge out3.db junk.db

# Progress lines when stderr is not a terminal: at most one per 5 s, so
# none for a short audit; the summary is always printed.
expect 0 "audit with progress" audit --db p.db "${inputs[@]}"
has "$T/err" "alignqa audit: run 1 in p.db: 19 records" "summary line"

cli_done
