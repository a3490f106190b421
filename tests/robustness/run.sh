#!/usr/bin/env bash
# Hostile input, faults and encodings, end to end (README: "Robustness").
# Every case must either work or end with a clear one-line error and the
# documented exit code: never a crash (exit >= 128), a hang (each command
# runs under `timeout 60`, 180 in sanitizer builds) or unbounded memory
# (peak RSS from /usr/bin/time).
# Inputs are generated in the temp dir; nothing big is committed.
# Usage: tests/robustness/run.sh ALIGNQA
set -u
source "$(dirname "$0")/../cli_lib.sh" "$1"
export ALIGNQA_RULES_DIR="${ALIGNQA_RULES_DIR:-$src/rules}"
t0=$SECONDS
# A hang is anything over 60 s; sanitizer builds run 3-6 times slower.
limit=60
sanitized=0
ldd "$exe" 2>/dev/null | grep -q 'libasan\|libubsan' && limit=180 sanitized=1
# Input sizes.  The normal build runs the full ones; under sanitizers (a
# debug build, 5-10 times slower) the big inputs are a tenth or less: a
# memory error shows at any size, and full sizes took 6.7 min there.
if [ "$sanitized" = 1 ]; then
  big_mb=1       # the long abstract (MB a side)
  skew_kb=128    # the abstract with a fifth more sentences in Chinese (KB)
  n_sents=20000  # pre-segmented sentences a side
  nobreak_kb=256 # the sentence without a break
  n_many=1000    # records of many.jsonl (two audits at once)
else
  big_mb=10 skew_kb=10240 n_sents=100000 nobreak_kb=1024 n_many=3000
fi

# safe DESC CODES ARGS...: runs alignqa ARGS under timeout $limit and
# /usr/bin/time; fails unless the exit code is one of CODES (e.g. "0 1").
# Leaves stdout in $T/out, stderr in $T/err, code in $rc, peak RSS (KiB) in
# $rss, wall time (s) in $secs.
safe() {
  local desc=$1 codes=$2; shift 2
  n=$((n + 1))
  timeout "$limit" /usr/bin/time -f "%M %e" -o "$T/rss" "$exe" "$@" >"$T/out" 2>"$T/err"
  rc=$?
  read -r rss secs <<<"$(tail -1 "$T/rss" 2>/dev/null)"
  case $rss in ''|*[!0-9]*) rss=0 secs=?;; esac
  if [ "$rc" = 124 ]; then fail "$desc: hang (killed after $limit s): alignqa $*"; return 1; fi
  if [ "$rc" -ge 128 ]; then fail "$desc: crash, exit $rc: alignqa $*"; sed 's/^/  stderr: /' "$T/err" | head -5; return 1; fi
  case " $codes " in *" $rc "*) ;; *)
    fail "$desc: exit $rc, want one of $codes (alignqa $*)"; sed 's/^/  stderr: /' "$T/err" | head -5; return 1;; esac
  return 0
}
# maxrss DESC KIB: the last safe command's peak RSS is below KIB
maxrss() { n=$((n + 1)); [ "$rss" -lt "$2" ] || fail "$1: peak RSS $rss KiB, limit $2 KiB"; }
# oneline DESC: stderr is non-empty and every line is short (a message, not a dump)
oneline() {
  n=$((n + 1))
  [ -s "$T/err" ] && [ "$(awk 'length > 400' "$T/err" | wc -l)" = 0 ] ||
    { fail "$1: no clear error line on stderr"; head -c 600 "$T/err" | sed 's/^/  | /'; }
}
# sql DB QUERY: one query through python3's sqlite3, read-only
sql() {
  python3 - "$1" "$2" <<'EOF'
import sqlite3, sys
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True, timeout=10)
for row in c.execute(sys.argv[2]):
    print("\t".join(str(v) for v in row))
EOF
}
lap() { echo "# $1: $((SECONDS - t0)) s so far"; }

# ---- limits: 10 MB abstract, 100k sentences, a 1 MB sentence ------------------
# (Smaller under sanitizers: see the sizes above.)
# Both sides about 10 MB with the same number of sentences (a 1-1 document),
# then the same English against a Chinese side of 30,000 more sentences.
BIG_MB=$big_mb SKEW_KB=$skew_kb python3 - <<'EOF'
import json, os
en = "In 2019 the rate of readmission was 12.5% among 340 adults (p < 0.05). "
zh = "2019年340名成人患者的三十天再入院率为12.5%（p < 0.05）。"
k = int(os.environ["BIG_MB"]) * 1024 * 1024 // len(en.encode())
with open("big.jsonl", "w") as f:
    print(json.dumps({"id": "big", "en": en * k, "zh": zh * k}, ensure_ascii=False), file=f)
k10 = 10 * 1024 * 1024 // len(en.encode())
ks = int(os.environ["SKEW_KB"]) * 1024 // len(en.encode())
with open("big-skew.jsonl", "w") as f:
    print(json.dumps({"id": "skew", "en": en * ks, "zh": zh * (ks + ks * 30000 // k10)}, ensure_ascii=False), file=f)
EOF
# One finding a sentence (147,686 at 10 MB): the text report used to scan
# every sentence for each finding (~40 s at 10 MB); now it is as fast as JSONL.
for cmd in segment align "check -f jsonl" "check -f text"; do
  safe "$big_mb MB abstract: $cmd" "0 1" $cmd big.jsonl &&
  maxrss "$big_mb MB abstract: $cmd" $((1536 * 1024))
  echo "# $big_mb MB $cmd: exit $rc, $secs s, peak RSS $((rss / 1024)) MiB"
done
# 147,686 against 177,686 sentences: the band would be 30,000 sentences wide.
# The aligner narrows it to its cell limit before allocating anything (a 32 GiB
# request used to come first: under ASan that aborted), so this now aligns
# within the memory bound (3.8 s, 0.37 GB here); a clear error would also be
# acceptable.  Under sanitizers (128 KB: 1,846 against 2,220 sentences) the
# band stays under the limit: the limit's 30 M cells take minutes there.
for cmd in align "check -f text"; do
  safe "$skew_kb KB abstract, a fifth more sentences in Chinese: $cmd" "0 1 3" $cmd big-skew.jsonl &&
  maxrss "$skew_kb KB skewed abstract: $cmd" $((1536 * 1024))
  [ "$rc" = 3 ] && oneline "$skew_kb KB skewed abstract: $cmd"
  echo "# $skew_kb KB skewed $cmd: exit $rc, $secs s, peak RSS $((rss / 1024)) MiB: $(head -c 200 "$T/err")"
done
rm -f big.jsonl big-skew.jsonl
lap "$big_mb MB abstract"

N=$n_sents python3 - <<'EOF'
import os
with open("en100k.txt", "w") as e, open("zh100k.txt", "w") as z:
    for i in range(int(os.environ["N"])):
        e.write("Sentence %d reports %d patients with HbA1c of %d.%d%%.\n" % (i, i % 997, 5 + i % 4, i % 10))
        z.write("第%d句报告了%d名患者，HbA1c为%d.%d%%。\n" % (i, i % 997, 5 + i % 4, i % 10))
EOF
safe "$n_sents sentences a side" "0" align --presegmented --format vecalign en100k.txt zh100k.txt
n=$((n + 1))
N=$n_sents python3 - "$T/out" <<'EOF' >"$T/py" 2>&1 || { fail "$n_sents sentences: beads do not cover every line once"; head "$T/py"; }
import os, sys
en, zh = [], []
for line in open(sys.argv[1]):
    a, b, _ = line.rsplit(":", 2)
    en += eval(a); zh += eval(b)
n = int(os.environ["N"])
assert en == list(range(n)) and zh == list(range(n)), (len(en), len(zh))
EOF
echo "# $n_sents a side: $secs s, peak RSS $((rss / 1024)) MiB"
lap "$n_sents sentences"

KB=$nobreak_kb python3 - >nobreak.jsonl <<'EOF'
import json, os
n = int(os.environ["KB"]) * 1024
print(json.dumps({"id": "nobreak", "en": ("word " * (n // 5)).strip(),
                  "zh": "句" * (n // 3)}, ensure_ascii=False))
EOF
for cmd in segment align check; do
  safe "$nobreak_kb KB sentence with no break: $cmd" "0 1" $cmd nobreak.jsonl
done
lap "$nobreak_kb KB sentence"

# ---- a pathological pattern in a user rule pack -------------------------------
mkdir -p evil
cat >evil/evil.yaml <<'EOF'
pack: evil
rules:
  - id: catastrophic
    kind: forbid
    severity: error
    category: style
    message: "backtracking {match}"
    pattern: "(a+)+$"
    side: zh
EOF
python3 - >aaaa.jsonl <<'EOF'
import json
print(json.dumps({"id": "aaaa", "en": "The patients were treated.",
                  "zh": "患者接受了治疗。" + "a" * 50000 + "b"}, ensure_ascii=False))
EOF
safe "catastrophic pattern: no hang" "2 3" check --no-config --rules evil aaaa.jsonl &&
  { oneline "catastrophic pattern"; has "$T/err" "catastrophic" "the rule error names the rule"; }
echo "# catastrophic pattern: exit $rc: $(head -c 300 "$T/err")"
lap "pathological pattern"

# ---- hostile records ----------------------------------------------------------
printf '{"id":"empty-en","en":"","zh":"患者接受了治疗。"}\n{"id":"empty-zh","en":"The patients were treated.","zh":""}\n' >empty.jsonl
for cmd in segment align check; do safe "an empty side: $cmd" "0 1 3" $cmd empty.jsonl; done

printf 'Doe J\nTest J. 2024 Jan 5:1-9.\nThe patients\0 were treated in 2020.\n患者于2020年\0接受了治疗。\n' >nul.txt
for cmd in segment check; do safe "NUL byte in a text record: $cmd" "0 1 3" $cmd nul.txt; done
[ "$rc" = 3 ] && oneline "NUL byte in a text record"
printf '{"id":"nul","en":"The patients\\u0000 were treated.","zh":"患者\\u0000接受了治疗。"}\n{"id":"after","en":"It worked.","zh":"有效。"}\n' >nul.jsonl
for cmd in segment check; do safe "\\u0000 in JSON: $cmd" "0 1 3" $cmd nul.jsonl; done
[ "$rc" = 3 ] && oneline "\\u0000 in JSON"
safe "\\u0000 in JSON: the next record is read" "0 1 3" segment --format jsonl nul.jsonl
has "$T/out" '"after"' "record after \\u0000"

python3 - >ctrl.jsonl <<'EOF'
import json
c = "".join(chr(i) for i in range(1, 32)) + "\x7f\u0085\u2028\u2029\ufeff\u202e"
print(json.dumps({"id": "ctrl", "en": "The " + c + " patients were treated.",
                  "zh": "患者" + c + "接受了治疗。"}, ensure_ascii=False))
EOF
for cmd in segment align check; do safe "control characters: $cmd" "0 1 3" $cmd ctrl.jsonl; done

# A JSON line of 64 MiB + 1 byte, written as a stream, then a good record.
python3 - <<'EOF'
limit = 64 * 1024 * 1024 + 1
head, tail = b'{"id":"huge","en":"', b'","zh":"x"}'
with open("longline.jsonl", "wb") as f:
    f.write(head)
    left, chunk = limit - len(head) - len(tail), b"a" * (1 << 20)
    while left > 0:
        f.write(chunk[:min(left, len(chunk))]); left -= len(chunk)
    f.write(tail + b"\n")
    f.write('{"id":"next","en":"The patients were treated.","zh":"患者接受了治疗。"}\n'.encode())
EOF
safe "JSON line over 64 MiB" "3" segment --format jsonl longline.jsonl &&
  { oneline "JSON line over 64 MiB"; has "$T/err" "longline.jsonl" "long line: error names the file"; }
has "$T/out" '"next"' "the record after the long line is read"
echo "# 64 MiB + 1 line: peak RSS $((rss / 1024)) MiB"
rm -f longline.jsonl
lap "long line"

# One bad record among good ones: reported with its line, the others read.
python3 - >good.jsonl <<'EOF'
import json
for i in range(20):
    print(json.dumps({"id": "ok%02d" % i, "en": "The patients were treated in 2020.",
                      "zh": "患者于2020年接受了治疗。"}, ensure_ascii=False))
EOF
{ head -10 good.jsonl
  printf '{"id":"bad","en":"The patients \xff\xfe were treated.","zh":"患者\xe6\x82接受了治疗。"}\n'
  tail -10 good.jsonl; } >badutf8.jsonl
safe "invalid UTF-8 in JSON" "3" segment --format jsonl badutf8.jsonl && oneline "invalid UTF-8 in JSON"
has "$T/err" "badutf8.jsonl:11" "invalid UTF-8: file and line"
has "$T/out" '"ok10"' "record after invalid UTF-8"
# Two short records, one bad: too little text for the detector, but still
# UTF-8 (src/encoding.c), so the bad record is an error naming its byte
# offset and the other is read (it used to be "could not tell the encoding").
printf '{"id":"bad","en":"The \xff\xfe patients.","zh":"患者\xe6\x82。"}\n{"id":"after","en":"It worked.","zh":"有效。"}\n' >tiny-bad.jsonl
safe "invalid UTF-8 in a tiny file" "3" segment --format jsonl tiny-bad.jsonl &&
  { oneline "invalid UTF-8 in a tiny file"; has "$T/err" "tiny-bad.jsonl:1:23: invalid UTF-8 (byte offset 22)" "tiny file: the bad byte"; }
has "$T/out" '"after"' "tiny file: the record after the bad one is read"
hasnt "$T/err" "encoding" "tiny file: not refused as an unknown encoding"
printf 'Doe J\nThe patients \xc0\xaf were treated.\n患者\xed\xa0\x80接受了治疗。\n' >badutf8.txt
safe "invalid UTF-8 in text" "0 1 3" check badutf8.txt
[ "$rc" = 3 ] && oneline "invalid UTF-8 in text"

printf '{"id":"trunc","en":"The patients were tre\n{"id":"after","en":"It worked.","zh":"有效。"}\n' >trunc.jsonl
safe "truncated JSON line" "3" segment --format jsonl trunc.jsonl && oneline "truncated JSON line"
has "$T/out" '"after"' "record after a truncated line"
printf '{"id":"trunc2","en":"The patients were tre' >trunc-eof.jsonl
safe "JSON truncated at end of file" "3" check trunc-eof.jsonl && oneline "JSON truncated at end of file"

mkdir -p locked && cp empty.jsonl locked/
chmod 000 locked
if [ "$(id -u)" = 0 ]; then
  echo "# skipped: unreadable directory (running as root, chmod does not block reads)"
else
  safe "unreadable directory" "3" check locked && oneline "unreadable directory"
fi
chmod 755 locked
safe "missing file" "3" check no-such-file.jsonl && oneline "missing file"
lap "hostile records"

# ---- faults -------------------------------------------------------------------
N=$n_many python3 - "$src/samples/jsonl/records.jsonl" <<'EOF'
import json, os, sys
base = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8") if l.strip()]
for name, n in (("small.jsonl", 600), ("many.jsonl", int(os.environ["N"]))):
    with open(name, "w") as f:
        for i in range(n):
            r = dict(base[i % len(base)]); r["id"] = "%s-%05d" % (name[:4], i)
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
EOF
safe "store a first run" "0 1" check --no-config --db ro.db small.jsonl
before=$(sql ro.db 'SELECT count(*) FROM records; SELECT count(*) FROM findings' 2>&1)
safe "read-only database" "3" check --no-config --db "file:ro.db?mode=ro" small.jsonl &&
  { oneline "read-only database"; has "$T/err" "readonly" "read-only: SQLite's message"; }
n=$((n + 1))
[ "$(sql ro.db 'PRAGMA integrity_check')" = ok ] && [ "$(sql ro.db 'SELECT count(*) FROM records')" = 600 ] ||
  fail "read-only: stored data changed"

# Full disk: a file size limit (SIGXFSZ ignored, so write() fails with EFBIG).
safe "store before the disk fills" "0 1" check --no-config --db full.db small.jsonl
size=$(( ($(stat -c %s full.db) + $(stat -c %s full.db-wal 2>/dev/null || echo 0)) / 1024 + 64 ))
( trap '' XFSZ; ulimit -f "$size"
  timeout "$limit" "$exe" check --no-config --db full.db many.jsonl >"$T/out" 2>"$T/err"; echo $? >"$T/rc" )
rc=$(cat "$T/rc")
n=$((n + 1))
if [ "$rc" -ge 124 ]; then fail "full disk: exit $rc (crash or hang)"
elif [ "$rc" != 3 ]; then fail "full disk: exit $rc, want 3"; sed 's/^/  stderr: /' "$T/err" | head -3
fi
oneline "full disk"
has "$T/err" "full.db" "full disk: the error names the database"
n=$((n + 1))
ck=$(sql full.db 'PRAGMA integrity_check')
got=$(sql full.db "SELECT count(*) FROM records r JOIN runs u ON u.id = r.run_id WHERE u.id = 1")
[ "$ck" = ok ] && [ "$got" = 600 ] || fail "full disk: integrity '$ck', first run has $got records, want ok and 600"
lap "read-only, full disk"

# kill -9 during audit, then a rerun: tests/audit_cli.sh ("kill -9 in the middle").

# Two audits of one database at once: each finishes or refuses clearly.
# concurrent DB OK_RE: runs two audits of many.jsonl into DB at once; each
# must exit 0, or 3 with a line matching OK_RE; then DB must be consistent.
concurrent() {
  local db=$1 ok=$2 p1 p2 r1 r2 r i
  timeout 120 "$exe" audit --quiet --db "$db" --jobs 1 many.jsonl >/dev/null 2>"$T/err1" & p1=$!
  timeout 120 "$exe" audit --quiet --db "$db" --jobs 1 many.jsonl >/dev/null 2>"$T/err2" & p2=$!
  wait $p1; r1=$?; wait $p2; r2=$?
  for i in 1 2; do
    n=$((n + 1)); r=$([ $i = 1 ] && echo $r1 || echo $r2)
    if [ "$r" != 0 ] && ! { [ "$r" = 3 ] && [ "$(wc -l <"$T/err$i")" = 1 ] && grep -qiE "$ok" "$T/err$i"; }; then
      fail "concurrent audit $i on $db: exit $r"; sed 's/^/  stderr: /' "$T/err$i" | head -3
    fi
  done
  echo "# concurrent audits on $db: exit $r1 and $r2"
  n=$((n + 1))
  [ "$(sql "$db" 'PRAGMA integrity_check')" = ok ] || fail "concurrent audits: $db integrity check failed"
  n=$((n + 1))
  [ "$(sql "$db" 'SELECT count(*) = count(DISTINCT run_id || char(9) || record_id) FROM records')" = 1 ] &&
    [ "$(sql "$db" 'SELECT count(DISTINCT record_id) FROM records WHERE record_id LIKE "many-%"')" = "$n_many" ] ||
    fail "concurrent audits: $db does not hold every record once per run"
}
safe "an existing database" "0" audit --quiet --db two.db small.jsonl
concurrent two.db "locked|busy"
concurrent fresh.db "locked|busy"

# Two audits creating one new database at once, 30 times: both must finish
# (the loser waits for the winner's schema) and the database must hold every
# record once per run.  The loser used to read user_version 0 and then the
# winner's tables, in two snapshots, and refuse "not an alignqa database"
# (src/store.c now reads both in one statement), or lose the lock race of
# both switching the new file to WAL, "database is locked" (now retried).
head -40 small.jsonl >race.jsonl
lost=0
for i in $(seq 30); do
  rm -f race.db race.db-wal race.db-shm
  timeout "$limit" "$exe" audit --quiet --db race.db --jobs 1 race.jsonl >/dev/null 2>"$T/err1" & p1=$!
  timeout "$limit" "$exe" audit --quiet --db race.db --jobs 1 race.jsonl >/dev/null 2>"$T/err2" & p2=$!
  wait $p1; r1=$?; wait $p2; r2=$?
  n=$((n + 1))
  if [ "$r1" != 0 ] || [ "$r2" != 0 ]; then
    lost=$((lost + 1))
    fail "new database race $i: audits exit $r1 and $r2"
    grep -h '^alignqa:' "$T/err1" "$T/err2" | head -2 | sed 's/^/  stderr: /'
    continue
  fi
  n=$((n + 1))
  got=$(sql race.db "SELECT count(*) = count(DISTINCT run_id || char(9) || record_id),
    count(DISTINCT record_id) FROM records" | tr '\t' ' ')
  [ "$got" = "1 40" ] || fail "new database race $i: records (once a run, distinct) are '$got', want '1 40'"
done
echo "# two audits creating one database: $lost of 30 races lost"

# findings reads while audit writes.
"$exe" audit --quiet --force --db live.db --jobs 1 many.jsonl >/dev/null 2>&1 & pa=$!
for _ in $(seq 100); do [ -s live.db ] && break; sleep 0.05; done
reads=0
while kill -0 "$pa" 2>/dev/null && [ "$reads" -lt 200 ]; do
  safe "findings while audit writes" "0" findings --db live.db --format json || break
  reads=$((reads + 1))
done
wait "$pa"; ra=$?
n=$((n + 1)); [ "$ra" = 0 ] || fail "audit under concurrent reads: exit $ra"
echo "# findings read $reads times during the audit"
lap "concurrency"

# ---- security -----------------------------------------------------------------
# No archive is ever extracted: audit and check write the database and the
# output they are told to, nothing else.
mkdir -p sec/in && cp small.jsonl nul.txt sec/in/
(cd sec && find . | sort >"$T/before")
safe "audit writes nothing else" "0 3" audit --quiet --db sec/sec.db sec/in
safe "check writes nothing else" "0 1 3" check --no-config -o sec/report.txt sec/in
(cd sec && find . | sort >"$T/after")
n=$((n + 1))
diff <(cat "$T/before"; printf '%s\n' ./report.txt ./sec.db ./sec.db-shm ./sec.db-wal) "$T/after" |
  grep '^>' >"$T/extra" && { fail "unexpected files written"; cat "$T/extra"; }

# A rule pack is data: YAML tags and shell-looking text are never run.
mkdir -p tagged
cat >tagged/tagged.yaml <<EOF
pack: tagged
rules:
  - id: pyobj
    kind: !!python/object/apply:os.system ["touch $T/pwned1"]
    severity: error
    category: style
    message: "\$(touch $T/pwned2) \`touch $T/pwned3\`"
    pattern: "\$(touch $T/pwned4)"
    side: zh
EOF
safe "rule pack with a !!python tag" "0 1 2" check --no-config --rules tagged good.jsonl
echo "# !!python tag: exit $rc: $(head -c 200 "$T/err")"
[ "$rc" = 2 ] && oneline "rule pack with a !!python tag"
sed -i 's/kind: !!python.*/kind: forbid/' tagged/tagged.yaml
safe "rule pack with shell text" "0 1" check --no-config --rules tagged good.jsonl
n=$((n + 1))
ls "$T"/pwned* >/dev/null 2>&1 && fail "a rule pack ran a command"
lap "security"

echo "# robustness suite: $((SECONDS - t0)) s"
cli_done
