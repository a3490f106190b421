#!/usr/bin/env bash
# Runs every libFuzzer target for SECONDS (default 20) each, in a clang
# build dir (build-fuzz: ASan + UBSan + libFuzzer), over a temporary copy of
# the seed corpus so that fuzz/corpus/ is never written to.  Exits non-zero
# on the first crash and says where the crashing input was saved.
# Skips (exit 0) when clang or its libFuzzer runtime is missing.
#   scripts/fuzz.sh [SECONDS]     FUZZ_JOBS=N  FUZZ_BUILD_DIR=dir  FUZZ_ARGS='...'
set -euo pipefail
cd "$(dirname "$0")/.."

secs=${1:-20}
build=${FUZZ_BUILD_DIR:-build-fuzz}
targets=(record_text record_json rules pipeline)

if ! command -v clang >/dev/null 2>&1; then
  echo "fuzz: clang not found, skipping the fuzz targets" >&2
  exit 0
fi
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
     clang -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1; then
  echo "fuzz: clang cannot link -fsanitize=fuzzer (libclang-rt-dev missing?), skipping" >&2
  exit 0
fi

if [ ! -d "$build" ]; then
  CC=clang meson setup "$build" -Dfuzz=true -Dtests=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
fi
ninja -C "$build" -j "${FUZZ_JOBS:-1}" "${targets[@]/#/fuzz/fuzz_}"

work=$(mktemp -d "${TMPDIR:-/tmp}/alignqa-fuzz.XXXXXX")
status=0
for t in "${targets[@]}"; do
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp fuzz/corpus/"$t"/* "$work/$t/corpus/"
  echo "== fuzz_$t for ${secs}s"
  # -timeout: one input taking longer is reported as a hang (a crash).
  if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
       UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
       "$build/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=25 \
         -artifact_prefix="$work/$t/artifacts/" -print_final_stats=1 \
         ${FUZZ_ARGS:-} "$work/$t/corpus" >"$work/$t/log" 2>&1; then
    status=1
    tail -n 60 "$work/$t/log" >&2
    echo "fuzz: fuzz_$t FAILED; crashing input(s):" >&2
    ls -1 "$work/$t/artifacts/"* >&2 || true
    echo "fuzz: replay with $build/fuzz/fuzz_$t FILE; keep it in fuzz/regressions/$t/" >&2
    break
  fi
  grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$work/$t/log" | tail -n 2 || true
done
if [ "$status" -eq 0 ]; then
  rm -rf "$work"
  echo "== fuzz: no crash"
else
  echo "fuzz: logs and inputs kept in $work" >&2
fi
exit "$status"
