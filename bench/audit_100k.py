#!/usr/bin/env python3
"""Archive audit throughput: records/s into the report store, database size,
peak memory and the incremental rerun.

Generates N records (default 100,000) deterministically by varying the
team's samples (samples/text and samples/jsonl): each gets its own id, the
integers it writes alike on both sides shifted, sometimes two neighbouring sentences swapped on both sides
or one Chinese sentence dropped, so that records and their hashes differ.
Writes them as one JSON Lines file in a temporary directory, then runs

    alignqa audit --quiet --db FRESH.db --jobs 1 RECORDS.jsonl
    alignqa audit --quiet --db FRESH.db --jobs 2 RECORDS.jsonl
    alignqa audit --quiet --db (the --jobs 2 one) --jobs 2 RECORDS.jsonl  (rerun)

and prints for each: wall time, records/s, CPU time (user + system, in all
and per record: the figure to compare on a machine shared with other work),
peak RSS (wait4's ru_maxrss of that process), and the database size in
bytes and per record.  Python only,
no third-party modules.

Usage: bench/audit_100k.py [ALIGNQA] [--records N] [--keep DIR]
       (ALIGNQA defaults to build/src/cli/alignqa)
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
HAN = re.compile(r'[\u3400-\u9fff]')
EN_SPLIT = re.compile(r'(?<=[.!?])\s+(?=[A-Z0-9(])')
ZH_SPLIT = re.compile(r'(?<=[。！？])')


def han_share(s):
    letters = sum(1 for c in s if c.isalpha())
    return len(HAN.findall(s)) / letters if letters else 0.0


def text_sample(path):
    """(en, zh, meta) of a plain-text sample: the English abstract is the
    run of long Latin lines before the first Chinese line, the Chinese one
    the run of Chinese lines; None when the file has no such shape."""
    lines = [l.strip() for l in open(path, encoding='utf-8', errors='replace')]
    zh_at = next((i for i, l in enumerate(lines) if han_share(l) > 0.3), None)
    if zh_at is None:
        return None
    zh = []
    for l in lines[zh_at:]:
        if l and han_share(l) <= 0.3:
            break
        if l:
            zh.append(l)
    en = []
    for l in reversed(lines[:zh_at]):
        if not l:
            continue
        if len(l) < 40 or 'doi:' in l:
            break
        en.insert(0, l)
    if not en:
        return None
    return ' '.join(en), ''.join(zh), {}


def base_records():
    recs = []
    tdir = os.path.join(ROOT, 'samples', 'text')
    for name in sorted(os.listdir(tdir)):
        if name.endswith('.txt'):
            r = text_sample(os.path.join(tdir, name))
            if r:
                recs.append(r)
    with open(os.path.join(ROOT, 'samples', 'jsonl', 'records.jsonl'), encoding='utf-8') as f:
        for line in f:
            o = json.loads(line)
            meta = {k: o[k] for k in ('journal', 'date', 'doi', 'title') if k in o}
            recs.append((o['en'], o['zh'], meta))
    return recs


INT = re.compile(r'(?<![0-9.,:/])[0-9]+(?![0-9.,:/%])', re.A)


def vary(i, en, zh, rnd):
    """Record i: the plain integers written alike on both sides shifted by
    the same amount (so the translation stays right), sometimes two
    sentences swapped on both sides or one Chinese sentence dropped."""
    shift = rnd.randint(1, 97)
    both = set(INT.findall(en)) & set(INT.findall(zh))

    def bump(m):
        return str(int(m.group()) + shift) if m.group() in both else m.group()
    en = INT.sub(bump, en)
    zh = INT.sub(bump, zh)
    es = [s for s in EN_SPLIT.split(en) if s]
    zs = [s for s in ZH_SPLIT.split(zh) if s]
    roll = rnd.random()
    if roll < 0.3 and len(es) >= 3 and len(es) == len(zs):
        k = rnd.randrange(len(es) - 1)
        es[k], es[k + 1] = es[k + 1], es[k]
        zs[k], zs[k + 1] = zs[k + 1], zs[k]
    elif roll < 0.4 and len(zs) >= 4:
        del zs[rnd.randrange(1, len(zs))]
    return ' '.join(es), ''.join(zs)


def write_records(path, n, seed=20261124):
    rnd = random.Random(seed)
    base = base_records()
    nbytes = 0
    with open(path, 'w', encoding='utf-8') as f:
        for i in range(n):
            en, zh, meta = base[i % len(base)]
            en, zh = vary(i, en, zh, rnd)
            rec = {'id': 'bench-%07d' % i, 'en': en, 'zh': zh}
            rec.update(meta)
            line = json.dumps(rec, ensure_ascii=False)
            nbytes += len(line.encode()) + 1
            f.write(line + '\n')
    return nbytes, len(base)


def run(cmd):
    """Runs cmd; returns (seconds, its rusage, stderr)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read()
    _, status, ru = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0, 3):
        sys.exit('%s failed (exit %d): %s' % (' '.join(cmd), p.returncode, err.decode()[-500:]))
    return dt, ru, err.decode()


def db_bytes(db):
    return sum(os.path.getsize(db + s) for s in ('', '-wal') if os.path.exists(db + s))


def summary_field(err, name):
    m = re.search(r'^\s*%s:\s*(\d+)' % re.escape(name), err, re.M)
    return int(m.group(1)) if m else -1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('alignqa', nargs='?', default=os.path.join(ROOT, 'build', 'src', 'cli', 'alignqa'))
    ap.add_argument('--records', type=int, default=100000, help='records to generate (default 100000)')
    ap.add_argument('--keep', help='write the records and databases here and keep them')
    args = ap.parse_args()
    if not os.access(args.alignqa, os.X_OK):
        sys.exit('audit_100k: %s is not built (give the binary as the first argument)' % args.alignqa)
    env = dict(os.environ)
    env.setdefault('ALIGNQA_RULES_DIR', os.path.join(ROOT, 'rules'))
    os.environ.update(env)

    tmp = None
    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        work = args.keep
    else:
        tmp = tempfile.TemporaryDirectory(prefix='aq-audit-bench-')
        work = tmp.name
    try:
        recs = os.path.join(work, 'records.jsonl')
        t0 = time.perf_counter()
        nbytes, n_base = write_records(recs, args.records)
        print('generated %d records from %d samples (%.1f MB of JSON Lines) in %.1f s'
              % (args.records, n_base, nbytes / 1e6, time.perf_counter() - t0))
        print('%-16s %8s %10s %8s %8s %10s %12s %9s %8s' % (
            'run', 'seconds', 'records/s', 'CPU s', 'us/rec', 'peak RSS', 'db bytes', 'db B/rec',
            'checked'))
        for name, jobs, db, fresh in (('audit --jobs 1', 1, 'j1.db', True),
                                      ('audit --jobs 2', 2, 'j2.db', True),
                                      ('rerun --jobs 2', 2, 'j2.db', False)):
            db = os.path.join(work, db)
            if fresh:
                for s in ('', '-wal', '-shm'):
                    if os.path.exists(db + s):
                        os.remove(db + s)
            dt, ru, err = run([args.alignqa, 'audit', '--quiet', '--db', db, '--jobs', str(jobs), recs])
            size = db_bytes(db)
            cpu = ru.ru_utime + ru.ru_stime
            print('%-16s %8.2f %10.0f %8.2f %8.1f %7.1f MB %12d %9.0f %8d'
                  % (name, dt, args.records / dt, cpu, cpu / args.records * 1e6,
                     ru.ru_maxrss / 1024, size, size / args.records, summary_field(err, 'checked')))
            if summary_field(err, 'input errors') > 0:
                print('  (input errors: %d)' % summary_field(err, 'input errors'))
    finally:
        if tmp:
            tmp.cleanup()


if __name__ == '__main__':
    main()
