# cli_lib.sh - what the end-to-end shell tests share; sourced, never run.
# Sets exe (the alignqa binary from $1), src (the source tree), T (a temp dir
# that is the working directory and is removed at exit), the counters n and
# failed, and the helpers below.  A test ends with `cli_done`.
exe=$(realpath "$1")
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 2
n=0 failed=0

fail() { echo "FAIL: $*"; failed=$((failed + 1)); }

# run ARGS...: runs alignqa, leaves stdout in $T/out, stderr in $T/err, code in $rc
run() { "$exe" "$@" >"$T/out" 2>"$T/err"; rc=$?; }

# expect CODE DESC ARGS...: runs alignqa ARGS and checks the exit code
expect() {
  local code=$1 desc=$2; shift 2
  n=$((n + 1))
  run "$@"
  if [ "$rc" != "$code" ]; then
    fail "$desc: exit $rc, want $code (alignqa $*)"
    sed 's/^/  stderr: /' "$T/err" | head -5
    return 1
  fi
  return 0
}

# has FILE TEXT DESC: FILE contains the fixed string TEXT
has() {
  n=$((n + 1))
  grep -qF -- "$2" "$1" || { fail "$3: '$2' not in $(basename "$1")"; sed 's/^/  | /' "$1" | head -20; }
}

# hasnt FILE TEXT DESC: FILE does not contain TEXT
hasnt() {
  n=$((n + 1))
  ! grep -qF -- "$2" "$1" || fail "$3: '$2' unexpectedly in $(basename "$1")"
}

# cli_done: the closing line and the exit code
cli_done() {
  echo "$((n - failed)) passed, $failed failed"
  [ "$failed" = 0 ]
}
