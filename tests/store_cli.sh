#!/usr/bin/env bash
# End-to-end tests of the report store: `alignqa check --db` over the text
# samples, then `alignqa findings` read back as JSON (parsed with python3)
# and text, with filters, latest-results semantics after a second run,
# and the errors: a read-only or unusable database, a newer schema, a
# missing database and bad options.
# Usage: tests/store_cli.sh ALIGNQA
set -u
source "$(dirname "$0")/cli_lib.sh" "$1"
samples="$src/samples/text"
export ALIGNQA_RULES_DIR="${ALIGNQA_RULES_DIR:-$src/rules}"

# py DESC SCRIPT: runs python3 SCRIPT with the findings JSON ($T/out) on stdin
py() {
  n=$((n + 1))
  python3 -c "$2" <"$T/out" >"$T/py" 2>&1 || { fail "$1"; sed 's/^/  | /' "$T/py" | head -20; }
}

# ---- check --db stores the run; check's own exit code is unchanged ----
expect 1 "check --db over the samples" check --no-config --db store.db "$samples"
[ -s store.db ] || fail "check --db wrote no database"
"$exe" check --no-config "$samples" >"$T/plain" 2>/dev/null
cp "$T/out" "$T/with-db"
n=$((n + 1))
cmp -s "$T/plain" "$T/with-db" || fail "check's report changes with --db"

expect 0 "findings --format json" findings --db store.db --format json
py "findings JSON has the required fields" '
import json, sys
d = json.load(sys.stdin)
assert isinstance(d, list) and d, "no findings came back"
need = {"record", "rule", "severity", "category", "message", "en", "zh",
        "source", "fingerprint", "run"}
for f in d:
    missing = need - f.keys()
    assert not missing, "missing %s in %r" % (missing, f)
    assert f["severity"] in ("error", "warning", "info"), f
    assert f["run"] == 1, f
    assert len(f["fingerprint"]) == 16, f
    for side in ("en", "zh"):
        s = f[side]
        assert s is None or (len(s) == 2 and 0 <= s[0] <= s[1]), f
assert any(f["rule"] == "structure.omission" and f["record"] == "07-omitted-sentence"
           for f in d), "the omission of sample 07 is missing"
assert any(f["rule"] == "structure.addition" and f["record"] == "08-added-sentence"
           for f in d), "the addition of sample 08 is missing"
assert [f["record"] for f in d] == sorted(f["record"] for f in d), "not sorted by record"
'
cp "$T/out" "$T/all.json"

# The same findings as check's JSON report (same rules, same samples).
"$exe" check --no-config -f json "$samples" >"$T/report.json" 2>/dev/null
n=$((n + 1))
python3 - "$T/report.json" "$T/all.json" <<'EOF' >"$T/py" 2>&1 || { fail "stored findings differ from check's report"; sed 's/^/  | /' "$T/py" | head; }
import json, sys
rep = json.load(open(sys.argv[1]))
stored = json.load(open(sys.argv[2]))
a = sorted((r["id"], f["rule"], f["message"]) for r in rep["records"] for f in r["findings"])
b = sorted((f["record"], f["rule"], f["message"]) for f in stored)
assert a == b, (a, b)
EOF

# ---- filters ----
expect 0 "findings --severity error" findings --db store.db --severity error --format json
py "--severity error keeps errors only" '
import json, sys
d = json.load(sys.stdin)
assert d and all(f["severity"] == "error" for f in d), d
'
expect 0 "findings --rule" findings --db store.db --rule structure.omission --format json
py "--rule filters" '
import json, sys
d = json.load(sys.stdin)
assert len(d) >= 1 and all(f["rule"] == "structure.omission" for f in d), d
'
expect 0 "findings --category" findings --db store.db --category number --format json
py "--category filters" '
import json, sys
d = json.load(sys.stdin)
assert d and all(f["category"] == "number" for f in d), d
'
expect 0 "findings --record" findings --db store.db --record 08-added-sentence
has "$T/out" "08-added-sentence: error:" "text output names record and severity"
has "$T/out" "[structure.addition] (run 1" "text output names rule and run"
n=$((n + 1))
[ "$(grep -vc '08-added-sentence' "$T/out")" = 0 ] || fail "--record lets other records through"
expect 0 "findings --journal" findings --db store.db --journal "Diabetes Care" --format json
py "--journal filters" '
import json, sys
d = json.load(sys.stdin)
assert d and all(f["journal"] == "Diabetes Care" for f in d), d
'
expect 0 "findings --run 99 (no such run)" findings --db store.db --run 99 --format json
py "an unknown run has no findings" 'import json, sys; assert json.load(sys.stdin) == []'

# ---- a second run over one record: latest results ----
expect 1 "second check --db" check --no-config --db store.db "$samples/07-omitted-sentence.txt"
expect 0 "findings after two runs" findings --db store.db --format json
py "latest results mix runs 1 and 2" '
import json, sys
d = json.load(sys.stdin)
runs = {f["record"]: f["run"] for f in d}
assert runs["07-omitted-sentence"] == 2, runs
assert runs["08-added-sentence"] == 1, runs
'
n=$((n + 1))
[ "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/out")" = \
  "$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$T/all.json")" ] ||
  fail "latest results lost or doubled findings"
expect 0 "findings --run 1" findings --db store.db --run 1 --format json
py "--run 1 is the first run only" '
import json, sys
d = json.load(sys.stdin)
assert d and all(f["run"] == 1 for f in d), d
'

# ---- the default database is ./alignqa.db ----
expect 1 "check --db alignqa.db" check --no-config --db alignqa.db "$samples/08-added-sentence.txt"
expect 0 "findings with the default --db" findings
has "$T/out" "structure.addition" "default database read"

# ---- input errors are stored with the run ----
printf 'not a record\n' >"$T/bad.txt"
expect 3 "check --db with an input error" check --no-config --db errors.db "$T/bad.txt" \
  "$samples/01-clean-review.txt"
n=$((n + 1))
python3 - "$T/errors.db" <<'EOF' >"$T/py" 2>&1 || { fail "input error not stored"; sed 's/^/  | /' "$T/py" | head; }
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
(errors,) = db.execute("SELECT count(*) FROM input_errors").fetchone()
(ended, records) = db.execute("SELECT ended_at, records FROM runs").fetchone()
assert errors == 1 and ended and records == 1, (errors, ended, records)
EOF

# ---- errors ----
expect 3 "check --db read-only" check --no-config --db "file:store.db?mode=ro" "$samples"
has "$T/err" "file:store.db?mode=ro: attempt to write a readonly database" "read-only message"
n=$((n + 1))
[ "$(wc -l <"$T/err")" = 1 ] || fail "read-only: more than one line on stderr"
expect 0 "database intact after the read-only attempt" findings --db store.db --format json
n=$((n + 1))
cmp -s "$T/out" <("$exe" findings --db store.db --format json 2>/dev/null) || fail "unstable output"

# A full disk (a file size limit; SIGXFSZ ignored so that write() fails):
# the second run fails as a whole, the first stays as it was.
"$exe" check --no-config --db full.db "$samples" >/dev/null 2>&1
n=$((n + 1))
(trap '' XFSZ; ulimit -f 36; "$exe" check --no-config --db full.db "$samples" \
  >/dev/null 2>"$T/err"); rc=$?
[ "$rc" = 3 ] || fail "full disk: exit $rc, want 3"
has "$T/err" "full.db: " "full disk message names the database"
n=$((n + 1))
[ "$(wc -l <"$T/err")" = 1 ] || { fail "full disk: not one line on stderr"; cat "$T/err"; }
n=$((n + 1))
python3 - "$T/full.db" <<'EOF' >"$T/py" 2>&1 || { fail "full disk damaged the database"; sed 's/^/  | /' "$T/py" | head; }
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 1
assert db.execute("SELECT count(*) FROM records").fetchone()[0] == \
       db.execute("SELECT records FROM runs").fetchone()[0] > 0
EOF

mkdir adir
expect 3 "check --db on a directory" check --no-config --db adir "$samples"
has "$T/err" "adir: unable to open database file" "directory message"
printf 'hello, not SQLite at all, just a short text file padded out a bit\n' >junk.db
expect 3 "check --db on a non-database" check --no-config --db junk.db "$samples"
has "$T/err" "junk.db: file is not a database" "non-database message"

cp store.db newer.db
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA user_version = 999"); c.close()' newer.db
expect 3 "findings on a newer schema" findings --db newer.db
has "$T/err" "newer.db: database schema version 999 is newer than this alignqa" "newer message"
has "$T/err" "upgrade alignqa" "newer message advice"
expect 3 "check --db on a newer schema" check --no-config --db newer.db "$samples"

expect 3 "findings on a missing database" findings --db missing.db
has "$T/err" "missing.db: no such database" "missing database message"
n=$((n + 1))
[ ! -e missing.db ] || fail "findings created a database"

expect 2 "findings --severity bogus" findings --db store.db --severity bogus
expect 2 "findings --category bogus" findings --db store.db --category bogus
expect 2 "findings --format xml" findings --db store.db --format xml
expect 2 "findings --run x" findings --db store.db --run x
expect 2 "findings extra argument" findings --db store.db extra
expect 2 "check --db empty" check --no-config --db "" "$samples"
expect 0 "findings --help" findings --help
has "$T/out" "--db FILE" "findings help"
expect 0 "check --help mentions --db" check --help
has "$T/out" "--db FILE" "check help"

cli_done
