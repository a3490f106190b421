#!/usr/bin/env python3
"""Alignment accuracy on WMT18 Medline abstracts: alignqa against NLTK's Gale-Church.

The corpus (../shared/corpora/wmt18-medline) pairs one English line with one
Chinese line; a line may hold several sentences.  Consecutive lines are joined
into records (English with spaces, Chinese with nothing between), both sides
are segmented by alignqa, and the gold beads are the line units: the sentences
that start in line k of each side form gold bead k.  Both aligners then align
the same sentences, and we score strict and lax precision, recall and F1 as
Vecalign defines them (strict: the bead is exactly a gold bead; lax: it shares
at least one sentence on each side with a gold bead; precision over every
proposed bead, recall over gold beads with both sides non-empty).

Usage: bench/align_wmt18.py [--alignqa BUILD/src/cli/alignqa] [--chunk N]
       [--dictionary FILE] [--corpus DIR]
Skips with a message (exit 0) when the corpus or NLTK is absent.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

# Debian's python3-nltk lives in the system interpreter; prefer it when the
# interpreter on PATH (a pyenv one, say) has no NLTK.
try:
    import nltk  # noqa: F401
except ImportError:
    if os.path.exists('/usr/bin/python3') and os.path.realpath(sys.executable) != os.path.realpath('/usr/bin/python3') \
            and not os.environ.get('AQ_BENCH_REEXEC'):
        os.environ['AQ_BENCH_REEXEC'] = '1'
        os.execv('/usr/bin/python3', ['/usr/bin/python3'] + sys.argv)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def find_corpus(arg):
    for d in [arg, os.path.join(ROOT, '..', 'shared', 'corpora', 'wmt18-medline')]:
        if d and os.path.isdir(d):
            return d
    return None


def read_pairs(corpus):
    pairs = []
    for direction in ('en-zh', 'zh-en'):
        base = os.path.join(corpus, 'wmt18.medline.%s' % direction)
        with open(base + '.en', encoding='utf-8') as f:
            en = [l.rstrip('\n') for l in f]
        with open(base + '.zh', encoding='utf-8') as f:
            zh = [l.rstrip('\n') for l in f]
        if len(en) != len(zh):
            sys.exit('%s: %d English lines but %d Chinese' % (base, len(en), len(zh)))
        pairs.append((direction, list(zip(en, zh))))
    return pairs


def make_records(direction, lines, chunk):
    """Groups consecutive lines into records; remembers each line's byte span."""
    recs = []
    for start in range(0, len(lines), chunk):
        part = [(e.strip(), z.strip()) for e, z in lines[start:start + chunk]]
        part = [(e, z) for e, z in part if e and z]
        if not part:
            continue
        en = zh = b''
        en_lines, zh_lines = [], []
        for e, z in part:
            if en:
                en += b' '
            eb, zb = e.encode(), z.encode()
            en_lines.append((len(en), len(en) + len(eb)))
            en += eb
            zh_lines.append((len(zh), len(zh) + len(zb)))
            zh += zb
        recs.append({'id': '%s-%04d' % (direction, start), 'en': en.decode(), 'zh': zh.decode(),
                     '_en_lines': en_lines, '_zh_lines': zh_lines})
    return recs


def line_of(spans, off):
    for k, (s, e) in enumerate(spans):
        if s <= off < e:
            return k
    return len(spans) - 1


def gold_beads(rec, en_sents, zh_sents):
    """Gold beads from the line units; lines joined by a sentence that crosses
    a line boundary are merged into one bead."""
    n = len(rec['_en_lines'])
    groups = list(range(n))  # union-find over lines

    def find(x):
        while groups[x] != x:
            groups[x] = groups[groups[x]]
            x = groups[x]
        return x

    for sents, lines in ((en_sents, rec['_en_lines']), (zh_sents, rec['_zh_lines'])):
        for s, e in sents:
            a, b = line_of(lines, s), line_of(lines, max(s, e - 1))
            for k in range(a + 1, b + 1):
                groups[find(k)] = find(a)
    beads = {}
    order = []
    for side, sents, lines in ((0, en_sents, rec['_en_lines']), (1, zh_sents, rec['_zh_lines'])):
        for i, (s, e) in enumerate(sents):
            g = find(line_of(lines, s))
            if g not in beads:
                beads[g] = ([], [])
                order.append(g)
            beads[g][side].append(i)
    return [(tuple(beads[g][0]), tuple(beads[g][1])) for g in sorted(order)]


def score(pairs):
    """pairs: list of (gold beads, test beads).  Returns strict and lax P/R/F1."""
    tp_s = fp_s = tp_l = fp_l = 0  # precision counts
    rtp_s = rfn_s = rtp_l = rfn_l = 0  # recall counts

    def count(gold, test):
        gold_set = set(b for b in gold if b[0] or b[1])
        src_to_tgt = {}
        for gs, gt in gold_set:
            for x in gs:
                src_to_tgt.setdefault(x, set()).update(gt)
        ts = fs = tl = fl = 0
        for b in set(b for b in test if b[0] or b[1]):
            if b in gold_set:
                ts += 1
                tl += 1
                continue
            fs += 1
            tgt = set()
            for x in b[0]:
                tgt |= src_to_tgt.get(x, set())
            if tgt & set(b[1]):
                tl += 1
            else:
                fl += 1
        return ts, fs, tl, fl

    for gold, test in pairs:
        a = count(gold, test)
        tp_s += a[0]; fp_s += a[1]; tp_l += a[2]; fp_l += a[3]
        nodel_g = [b for b in gold if b[0] and b[1]]
        nodel_t = [b for b in test if b[0] and b[1]]
        a = count(nodel_t, nodel_g)
        rtp_s += a[0]; rfn_s += a[1]; rtp_l += a[2]; rfn_l += a[3]

    def f(tp, fp, rtp, rfn):
        p = tp / (tp + fp) if tp + fp else 0.0
        r = rtp / (rtp + rfn) if rtp + rfn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    return f(tp_s, fp_s, rtp_s, rfn_s), f(tp_l, fp_l, rtp_l, rfn_l)


def run_alignqa(exe, recs, extra):
    with tempfile.NamedTemporaryFile('w', suffix='.jsonl', delete=False, encoding='utf-8') as f:
        for r in recs:
            f.write(json.dumps({'id': r['id'], 'en': r['en'], 'zh': r['zh']}, ensure_ascii=False) + '\n')
        path = f.name
    t0 = time.time()
    out = subprocess.run([exe, 'align', '--format', 'jsonl'] + extra + [path],
                         capture_output=True, text=True)
    dt = time.time() - t0
    os.unlink(path)
    if out.returncode != 0:
        sys.exit('alignqa align failed (%d): %s' % (out.returncode, out.stderr[:2000]))
    res = {}
    for line in out.stdout.splitlines():
        o = json.loads(line)
        res[o['id']] = o
    return res, dt


def gale_church_beads(en_lens, zh_lens):
    from nltk.translate import gale_church
    try:
        links = gale_church.align_blocks(en_lens, zh_lens)
    except Exception:
        return None
    # links are (i, j) pairs along the path: beads are their connected groups
    beads = []
    for i, j in links:
        if beads and (i in beads[-1][0] or j in beads[-1][1]):
            if i not in beads[-1][0]:
                beads[-1][0].append(i)
            if j not in beads[-1][1]:
                beads[-1][1].append(j)
        else:
            beads.append(([i], [j]))
    seen_e = {i for b in beads for i in b[0]}
    seen_z = {j for b in beads for j in b[1]}
    out = [(tuple(e), tuple(z)) for e, z in beads]
    out += [((i,), ()) for i in range(len(en_lens)) if i not in seen_e]
    out += [((), (j,)) for j in range(len(zh_lens)) if j not in seen_z]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--alignqa', default=os.path.join(ROOT, 'build', 'src', 'cli', 'alignqa'))
    ap.add_argument('--corpus')
    ap.add_argument('--chunk', type=int, default=10, help='lines per record (default 10)')
    ap.add_argument('--dictionary', help='pass --dictionary FILE to alignqa ("none": '
                    '--no-dictionary; default: alignqa\'s own, the team lexicon)')
    ap.add_argument('--no-baseline', action='store_true', help='skip NLTK Gale-Church')
    ap.add_argument('--errors', action='store_true', help='print the records alignqa gets wrong')
    args = ap.parse_args()

    corpus = find_corpus(args.corpus)
    if not corpus:
        print('align_wmt18: SKIP: corpus not found (expected ../shared/corpora/wmt18-medline)')
        return 0
    if not os.access(args.alignqa, os.X_OK):
        sys.exit('align_wmt18: %s is not built (meson setup build && ninja -C build)' % args.alignqa)
    have_nltk = not args.no_baseline
    if have_nltk:
        try:
            import nltk.translate.gale_church  # noqa: F401
        except ImportError:
            print('align_wmt18: NLTK not installed (apt-get install python3-nltk): baseline skipped')
            have_nltk = False

    extra = (['--no-dictionary'] if args.dictionary == 'none' else
             ['--dictionary', args.dictionary] if args.dictionary else [])
    recs = []
    for direction, lines in read_pairs(corpus):
        recs += make_records(direction, lines, args.chunk)
    res, dt = run_alignqa(args.alignqa, recs, extra)

    ours, gc, wrong = [], [], []
    ratio_num = ratio_den = 0
    for r in recs:
        o = res[r['id']]
        en_s = [tuple(x) for x in o['en_sentences']]
        zh_s = [tuple(x) for x in o['zh_sentences']]
        gold = gold_beads(r, en_s, zh_s)
        test = [(tuple(b['en']), tuple(b['zh'])) for b in o['beads']]
        ours.append((gold, test))
        if set(test) != set(gold):
            wrong.append((r, o, gold, test))
        ratio_num += len(r['en'])
        ratio_den += len(r['zh'])
    n_sent = sum(len(res[r['id']]['en_sentences']) + len(res[r['id']]['zh_sentences']) for r in recs)
    n_gold = sum(len(g) for g, _ in ours)
    multi = sum(1 for g, _ in ours for b in g if len(b[0]) != 1 or len(b[1]) != 1)
    print('WMT18 Medline en-zh + zh-en: %d records of up to %d lines, %d sentences, '
          '%d gold beads (%d not 1-1)' % (len(recs), args.chunk, n_sent, n_gold, multi))
    print('%-28s %8s %8s %8s   %8s %8s %8s' % ('aligner', 'P', 'R', 'F1', 'laxP', 'laxR', 'laxF1'))
    (sp, sr, sf), (lp, lr, lf) = score(ours)
    name = 'alignqa' + (' no dictionary' if args.dictionary == 'none' else
                        ' +dictionary' if args.dictionary else '')
    print('%-28s %8.3f %8.3f %8.3f   %8.3f %8.3f %8.3f' % (name, sp, sr, sf, lp, lr, lf))

    if have_nltk:
        # Gale-Church on the same sentences; Chinese lengths are scaled by the
        # corpus character ratio so that its c=1 model fits.
        scale = ratio_num / ratio_den
        for r in recs:
            o = res[r['id']]
            enb, zhb = r['en'].encode(), r['zh'].encode()
            el = [max(1, len(enb[s:e].decode())) for s, e in o['en_sentences']]
            zl = [max(1, round(len(zhb[s:e].decode()) * scale)) for s, e in o['zh_sentences']]
            gc_beads = gale_church_beads(el, zl) if el and zl else None
            if gc_beads is None:
                gc_beads = [((i,), ()) for i in range(len(el))] + [((), (j,)) for j in range(len(zl))]
            gc.append((ours[len(gc)][0], gc_beads))
        (sp, sr, sf), (lp, lr, lf) = score(gc)
        print('%-28s %8.3f %8.3f %8.3f   %8.3f %8.3f %8.3f' % ('nltk gale-church', sp, sr, sf, lp, lr, lf))
    print('alignqa align: %.2f s for %d records (whole process)' % (dt, len(recs)))
    if args.errors:
        for r, o, gold, test in wrong:
            print('\n== %s' % r['id'])
            print('gold:', sorted(set(gold) - set(test)))
            print('test:', sorted(set(test) - set(gold)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
