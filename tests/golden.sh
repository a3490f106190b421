#!/usr/bin/env bash
# Golden end-to-end tests over samples/: runs alignqa on every sample and
# compares stdout, stderr and the exit code with samples/expected/.
# Usage: tests/golden.sh ALIGNQA [--update]
# --update (or AQ_UPDATE_GOLDEN=1) rewrites the expected files instead.
set -u
exe=$(realpath "$1")
update=${AQ_UPDATE_GOLDEN:-0}
[ "${2:-}" = "--update" ] && update=1
cd "$(dirname "$0")/.."
export ALIGNQA_RULES_DIR="$PWD/rules"
unset ALIGNQA_DICTIONARY
exp=samples/expected
mkdir -p "$exp"
fail=0 n=0 passed=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# case NAME ARGS...: runs alignqa ARGS, compares with $exp/NAME.{out,err,exit}
case_() {
  local name=$1; shift
  n=$((n + 1))
  "$exe" "$@" >"$tmp/out" 2>"$tmp/err"
  echo $? >"$tmp/exit"
  if [ "$update" = 1 ]; then
    cp "$tmp/out" "$exp/$name.out"; cp "$tmp/exit" "$exp/$name.exit"
    if [ -s "$tmp/err" ]; then cp "$tmp/err" "$exp/$name.err"; else rm -f "$exp/$name.err"; fi
    passed=$((passed + 1))
    return
  fi
  local ok=1
  diff -u "$exp/$name.out" "$tmp/out" || ok=0
  diff -u "$exp/$name.exit" "$tmp/exit" || ok=0
  if [ -f "$exp/$name.err" ]; then diff -u "$exp/$name.err" "$tmp/err" || ok=0
  elif [ -s "$tmp/err" ]; then echo "unexpected stderr:"; cat "$tmp/err"; ok=0; fi
  if [ $ok = 1 ]; then passed=$((passed + 1)); else echo "FAIL: $name ($*)"; fail=1; fi
}

for f in samples/text/*.txt; do
  b=$(basename "$f" .txt)
  case_ "$b.segment" segment "$f"
  case_ "$b.align" align "$f"
  case_ "$b.align-jsonl" align --format jsonl "$f"
done
case_ records.segment segment --format jsonl samples/jsonl/records.jsonl
case_ records.align align samples/jsonl/records.jsonl
case_ records.align-jsonl align --format jsonl samples/jsonl/records.jsonl
case_ directory.align-jsonl align --format jsonl samples/text
case_ directory.check check --no-config --fail-on info samples/text
case_ directory.check-jsonl check --no-config --format jsonl samples/text
case_ records.check-jsonl check --no-config --format jsonl samples/jsonl/records.jsonl
case_ records.check-sarif check --no-config --format sarif samples/jsonl/records.jsonl
case_ broken-jsonl.check check --no-config --format jsonl samples/jsonl/broken.jsonl
case_ broken-jsonl.align align --format jsonl samples/jsonl/broken.jsonl
case_ broken-text.align align samples/broken
case_ missing-file.align align samples/does-not-exist.txt
case_ gb18030.align align samples/encodings/gb18030-record.txt
case_ utf16.align align samples/encodings/utf16-record.txt
case_ unknown-encoding.align align --encoding klingon-8 samples/encodings/utf16-record.txt
echo "$passed passed, $((n - passed)) failed"
exit $fail
