#!/usr/bin/env python3
"""Throughput of segment + align on one core: records per second.

Builds N records (default 5000) by varying the team's samples (and, when
present, records joined from ../shared/corpora/wmt18-medline), writes them as
JSON Lines, and times `alignqa segment` and `alignqa align` over them as whole
processes (best of --repeat runs).  Startup is measured on an empty input and
reported separately.  Prints records/s and microseconds per record.

Usage: bench/throughput.py [--alignqa BUILD/src/cli/alignqa] [-n 5000] [--repeat 3]
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def base_records():
    recs = []
    with open(os.path.join(ROOT, 'samples', 'jsonl', 'records.jsonl'), encoding='utf-8') as f:
        for line in f:
            o = json.loads(line)
            recs.append((o['en'], o['zh']))
    corpus = os.path.join(ROOT, '..', 'shared', 'corpora', 'wmt18-medline')
    if os.path.isdir(corpus):
        for d in ('en-zh', 'zh-en'):
            en = open(os.path.join(corpus, 'wmt18.medline.%s.en' % d), encoding='utf-8').read().split('\n')
            zh = open(os.path.join(corpus, 'wmt18.medline.%s.zh' % d), encoding='utf-8').read().split('\n')
            for k in range(0, len(en) - 8, 8):
                recs.append((' '.join(x.strip() for x in en[k:k + 8]), ''.join(x.strip() for x in zh[k:k + 8])))
    return recs


def vary(text, rnd):
    # change the numbers so that no two records are byte-identical
    return re.sub(r'\d+', lambda m: str(int(m.group()) + rnd.randint(0, 9)), text)


def timed(cmd, repeat):
    best = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        dt = time.perf_counter() - t0
        if r.returncode != 0:
            sys.exit('%s failed: %s' % (' '.join(cmd), r.stderr.decode()[:500]))
        best = dt if best is None else min(best, dt)
    return best


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--alignqa', default=os.path.join(ROOT, 'build', 'src', 'cli', 'alignqa'))
    ap.add_argument('-n', type=int, default=5000)
    ap.add_argument('--repeat', type=int, default=3)
    args = ap.parse_args()
    if not os.access(args.alignqa, os.X_OK):
        sys.exit('throughput: %s is not built' % args.alignqa)
    rnd = random.Random(7)
    base = base_records()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'records.jsonl')
        empty = os.path.join(tmp, 'empty.jsonl')
        open(empty, 'w').close()
        nbytes = 0
        with open(path, 'w', encoding='utf-8') as f:
            for i in range(args.n):
                en, zh = base[i % len(base)]
                line = json.dumps({'id': 'r%06d' % i, 'en': vary(en, rnd), 'zh': vary(zh, rnd)},
                                  ensure_ascii=False)
                nbytes += len(line.encode()) + 1
                f.write(line + '\n')
        env_cmd = ['taskset', '-c', '0'] if os.path.exists('/usr/bin/taskset') else []
        start = timed(env_cmd + [args.alignqa, 'align', '--format', 'jsonl', empty], args.repeat)
        print('%d records (%.1f KiB each on average) from %d distinct bases, one core'
              % (args.n, nbytes / args.n / 1024, len(base)))
        print('%-26s %10s %12s %14s' % ('command', 'seconds', 'records/s', 'us/record'))
        print('%-26s %10.4f %12s %14s' % ('startup (empty input)', start, '-', '-'))
        for name, cmd in (('segment --format jsonl', ['segment', '--format', 'jsonl']),
                          ('align --format jsonl', ['align', '--format', 'jsonl'])):
            dt = timed(env_cmd + [args.alignqa] + cmd + [path], args.repeat)
            work = max(dt - start, 1e-9)
            print('%-26s %10.3f %12.0f %14.1f' % (name, dt, args.n / work, work / args.n * 1e6))
    return 0


if __name__ == '__main__':
    sys.exit(main())
