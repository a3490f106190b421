#!/usr/bin/env python3
"""Calibrates structure.length-ratio: the Chinese length per English length of
true translation pairs in WMT18 Medline (../shared/corpora/wmt18-medline).

Length is measured as check.c measures it: on the English side, non-space code
points; on the Chinese side, Han characters plus the other non-space code
points divided by 4.1 (Latin words, digits and punctuation weigh about a
quarter of a Han character; 4.1 is align.c's HAN_UNITS).  The ratio of every
1-1 line pair (both directions of the corpus, 456 pairs) is computed and its
percentiles printed; the thresholds in src/check.c (RATIO_LOW, RATIO_HIGH,
RATIO_MEDIAN, the wide_low / wide_high defaults) and in
rules/README-calibration.md come from this output.  With --alignqa, the same
distribution is also computed over the 1-1 sentence beads that `alignqa align`
finds in records of --chunk consecutive lines, the unit the check really sees.

Usage: bench/calibrate_ratio.py [--corpus DIR] [--min-en N] [--alignqa PATH]
Skips with a message (exit 0) when the corpus is absent.  Reads the corpus in
place and writes nothing.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OTHER_PER_HAN = 4.1
SPACES = set(' \t\n\r\f\v\u00a0\u2028\u2029\u202f\u205f\u3000\ufeff') | \
    set(chr(c) for c in range(0x2000, 0x200c))


def is_han(c):
    o = ord(c)
    return (0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0x20000 <= o <= 0x2EBEF or
            0xF900 <= o <= 0xFAFF or 0x30000 <= o <= 0x3134F or o == 0x3007)


def en_units(s):
    return sum(1 for c in s if c not in SPACES)


def zh_units(s):
    han = sum(1 for c in s if is_han(c))
    other = sum(1 for c in s if c not in SPACES and not is_han(c))
    return han + other / OTHER_PER_HAN


def pct(v, p):
    v = sorted(v)
    k = (len(v) - 1) * p / 100
    f, c = math.floor(k), math.ceil(k)
    return v[f] + (v[c] - v[f]) * (k - f)


def report(name, ratios):
    print('%s: n=%d' % (name, len(ratios)))
    for p in (0.5, 1, 2, 5, 50, 95, 99, 99.5):
        print('  p%-5s %.3f' % (p, pct(ratios, p)))
    logs = [math.log(r) for r in ratios if r > 0]
    mean = sum(logs) / len(logs)
    print('  sd(log ratio) %.3f' % math.sqrt(sum((x - mean) ** 2 for x in logs) / len(logs)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--corpus')
    ap.add_argument('--min-en', type=int, default=40, help='skip pairs with fewer English characters')
    ap.add_argument('--alignqa', help='also measure the 1-1 beads alignqa align finds')
    ap.add_argument('--chunk', type=int, default=8)
    args = ap.parse_args()
    corpus = args.corpus or os.path.join(ROOT, '..', 'shared', 'corpora', 'wmt18-medline')
    if not os.path.isdir(corpus):
        print('calibrate_ratio: skipped: corpus not found (--corpus DIR)')
        return 0
    lines = []
    for direction in ('en-zh', 'zh-en'):
        base = os.path.join(corpus, 'wmt18.medline.%s' % direction)
        with open(base + '.en', encoding='utf-8') as f:
            en = [l.rstrip('\n').strip() for l in f]
        with open(base + '.zh', encoding='utf-8') as f:
            zh = [l.rstrip('\n').strip() for l in f]
        lines += [(e, z) for e, z in zip(en, zh) if e and z]
    ratios = [zh_units(z) / en_units(e) for e, z in lines if en_units(e) >= args.min_en]
    report('line pairs (English >= %d characters)' % args.min_en, ratios)
    if args.alignqa:
        tmp = tempfile.mkdtemp(prefix='aq-calib-')
        path = os.path.join(tmp, 'records.jsonl')
        with open(path, 'w', encoding='utf-8') as f:
            for i in range(0, len(lines), args.chunk):
                part = lines[i:i + args.chunk]
                f.write(json.dumps({'id': 'r%d' % i, 'en': ' '.join(e for e, _ in part),
                                    'zh': ''.join(z for _, z in part)}, ensure_ascii=False) + '\n')
        out = subprocess.run([args.alignqa, 'align', '--format', 'jsonl', path],
                             stdout=subprocess.PIPE, check=True).stdout.decode()
        bead_ratios = []
        recs = {}
        with open(path, encoding='utf-8') as f:
            for l in f:
                o = json.loads(l)
                recs[o['id']] = (o['en'].encode(), o['zh'].encode())
        for l in out.splitlines():
            o = json.loads(l)
            en, zh = recs[o['id']]
            for b in o['beads']:
                if len(b['en']) != 1 or len(b['zh']) != 1:
                    continue
                es = o['en_sentences'][b['en'][0]]
                zs = o['zh_sentences'][b['zh'][0]]
                e = en[es[0]:es[1]].decode('utf-8', 'replace')
                z = zh[zs[0]:zs[1]].decode('utf-8', 'replace')
                if en_units(e) >= args.min_en:
                    bead_ratios.append(zh_units(z) / en_units(e))
        os.unlink(path)
        os.rmdir(tmp)
        report('1-1 sentence beads of alignqa align', bead_ratios)
    return 0


if __name__ == '__main__':
    sys.exit(main())
