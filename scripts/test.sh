#!/usr/bin/env bash
# The whole test suite: unit tests, golden end-to-end tests and rule self-tests
# in a normal build, the unit, golden and rule self-tests again under
# valgrind's memcheck, then all of it under AddressSanitizer and
# UndefinedBehaviorSanitizer.  .ci/run calls this.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)

echo "== build (debugoptimized)"
[ -d build ] || meson setup build
ninja -C build
meson test -C build --print-errorlogs --num-processes "$jobs"

echo "== valgrind memcheck: unit tests, golden tests, rule self-tests (~75 s)"
# Any memory error or definite/indirect leak fails the stage.  Rule patterns
# run without PCRE2's JIT (ALIGNQA_NO_JIT=1): valgrind cannot follow JIT code.
vg=(valgrind --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect
    --quiet)
meson test -C build --setup valgrind --suite unit --print-errorlogs --num-processes "$jobs"
vgdir=$(mktemp -d)
trap 'rm -rf "$vgdir"' EXIT
# golden.sh compares stderr and exit codes, so a valgrind report fails it.
printf '#!/bin/sh\nexec %s %q "$@"\n' "${vg[*]}" "$PWD/build/src/cli/alignqa" >"$vgdir/alignqa"
chmod +x "$vgdir/alignqa"
ALIGNQA_NO_JIT=1 bash tests/golden.sh "$vgdir/alignqa"
ALIGNQA_NO_JIT=1 "$vgdir/alignqa" rules test --rules-dir rules >/dev/null

echo "== build with ASan + UBSan"
[ -d build-asan ] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false \
  -Dbuildtype=debug
ninja -C build-asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-asan --print-errorlogs --num-processes "$jobs"

echo "== fuzz targets, 15 s each (skipped without clang)"
bash scripts/fuzz.sh 15
# One plain closing line for whoever reads the log: the two meson runs' counts.
count() { sed -n "s/^$1: *\([0-9]*\).*/\1/p" "$2" | tail -1; }
ok=$(( $(count Ok build/meson-logs/testlog.txt) + $(count Ok build-asan/meson-logs/testlog.txt) ))
bad=$(( $(count Fail build/meson-logs/testlog.txt) + $(count Fail build-asan/meson-logs/testlog.txt) ))
echo "== all tests passed"
echo "$ok passed, $bad failed"
