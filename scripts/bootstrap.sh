#!/usr/bin/env bash
# Quick start: install what is missing, build, and run the main job on samples/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build
echo "== alignqa align samples/" >&2
build/src/cli/alignqa align samples/text samples/jsonl/records.jsonl
echo "== alignqa check samples/ (the samples hold defects on purpose: exit 1 is expected)" >&2
rc=0
build/src/cli/alignqa check --no-config samples/text samples/jsonl/records.jsonl || rc=$?
[ "$rc" -le 1 ]
