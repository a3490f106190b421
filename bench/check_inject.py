#!/usr/bin/env python3
"""Defect-injection benchmark for `alignqa check`, with pofilter as a baseline.

Clean records are built from the WMT18 Medline corpus (../shared/corpora/
wmt18-medline) by joining runs of --chunk consecutive line pairs (English with
spaces, Chinese with nothing between); a run also ends where the Chinese
switches between Traditional and Simplified script (an abstract boundary the
corpus does not mark otherwise; Traditional-only characters are taken from
CC-CEDICT when it is there), and after one of the 16 lines the corpus cut
short at a lost '<' ("... (p"), which would otherwise fuse with the next
line into one sentence.  Each clean record then gets one copy
per defect type, each with exactly one defect injected into one line:

  drop          the Chinese of the line is deleted
  add           a Chinese line from a distant record is inserted after it
  untranslated  the Chinese of the line is replaced by its English
  truncate      the Chinese of the line is cut after half of its characters
                (its final 。 kept, as a translator who stopped early leaves it)
  number        one number of the Chinese line is changed (a digit altered)
  acronym       an acronym of the English that the Chinese line keeps is
                deleted from it (with its brackets when it stood in "(...)");
                recall is also given for the cases where the Chinese still
                uses the acronym in another line (when it does not, the
                result is a consistently spelled-out translation, which
                alignqa deliberately accepts)
  glossary      a preferred glossary term of the Chinese line is swapped for a
                deprecated variant of the same concept (rules/core-glossary.tsv)
  bracket       a closing bracket of the Chinese line is deleted

Then the variants, which no threshold was calibrated on:

  drop-sentence   one sentence of a Chinese line of several is deleted
  cut-anywhere    the Chinese of the line is cut at a random point between
                  30% and 80% of its characters, its final 。 kept or not
  swap            the Chinese of two neighbouring lines change places
  duplicate       the Chinese of the line is written twice
  acronym-changed an acronym the Chinese line keeps gets two letters swapped
  number-dropped  a number the Chinese line shares with the English is deleted
  mojibake        two characters become 锟斤拷, or U+FFFD appears
  halfwidth       a ， between Chinese characters becomes ","
  bracket-open    an opening bracket of the Chinese line is deleted
  half-untranslated the second half of the Chinese line (from a ， near its
                  middle) is replaced by the second half of its English
  percent-dropped a percent sign after a number the English gives as a
                  percentage is deleted from the Chinese line

Records where a defect type finds no suitable line are left out of that type.
`alignqa check --format jsonl` runs on the clean records and on every defect
set; a defect counts as found when a warning or error that the clean record
does not have (compared by fingerprint: the same record id is kept) overlaps
the damaged line's byte span on either side, or has no span.  False alarms are
the warnings and errors per clean record.

pofilter (translate-toolkit) runs with its default checks on the same material
written as PO files, one unit per line pair with the *true* pairing (it gets the
alignment for free: a dropped line becomes an empty msgstr, an added one is
appended to the msgstr of its line).  Its failures per clean record and its
recall (a failure on the damaged unit that the clean unit does not have) are
printed next to alignqa's.

Usage: bench/check_inject.py [--alignqa BUILD/src/cli/alignqa] [--chunk 8]
       [--seed 1] [--corpus DIR] [--rules-dir DIR] [--dictionary FILE|none] [--show-misses]
       [--show-alarms]
Skips with a message (exit 0) when the corpus or alignqa is absent; pofilter
is skipped alone when it is missing.  Nothing from the corpus is written
outside a temporary directory.
"""
import argparse
import collections
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFECTS = ['drop', 'add', 'untranslated', 'truncate', 'number', 'acronym', 'glossary',
           'bracket']
# Variants the checks were not tuned on, printed after the main table: other
# ways a translation goes wrong, to see whether the checks generalise.
VARIANTS = ['drop-sentence', 'cut-anywhere', 'swap', 'duplicate', 'acronym-changed',
            'number-dropped', 'mojibake', 'halfwidth', 'bracket-open', 'half-untranslated',
            'percent-dropped']
# The checks src/check.c implements (the rest are the packs' pattern rules).
BUILTINS = set("""structure.omission structure.addition structure.untranslated
    structure.copied-source structure.length-ratio structure.low-confidence structure.out-of-order
    numbers.missing numbers.extra numbers.changed terms.acronym-missing terms.acronym-undefined
    terms.inconsistent-term terms.glossary-preferred terms.glossary-deprecated
    terms.glossary-forbidden punctuation.brackets-unbalanced punctuation.quotes-unbalanced
    encoding.traditional-chars metadata.date-mismatch metadata.doi-malformed""".split())


def find_corpus(arg):
    for d in [arg, os.path.join(ROOT, '..', 'shared', 'corpora', 'wmt18-medline')]:
        if d and os.path.isdir(d):
            return d
    return None


def find_alignqa(arg):
    cands = [arg, os.environ.get('ALIGNQA'), os.path.join(ROOT, 'build', 'src', 'cli', 'alignqa'),
             shutil.which('alignqa')]
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return c
    return None


def read_lines(corpus):
    out = []
    for direction in ('en-zh', 'zh-en'):
        base = os.path.join(corpus, 'wmt18.medline.%s' % direction)
        with open(base + '.en', encoding='utf-8') as f:
            en = [l.rstrip('\n').strip() for l in f]
        with open(base + '.zh', encoding='utf-8') as f:
            zh = [l.rstrip('\n').strip() for l in f]
        if len(en) != len(zh):
            sys.exit('%s: %d English lines but %d Chinese' % (base, len(en), len(zh)))
        out.append((direction, [(e, z) for e, z in zip(en, zh) if e and z]))
    return out


class Record:
    """A record as a list of line pairs; the Chinese of a pair may be empty
    (dropped) and the damaged line is remembered."""

    def __init__(self, rid, pairs):
        self.id = rid
        self.pairs = list(pairs)
        self.damaged = None  # index into pairs

    def texts(self):
        en, zh = b'', b''
        en_spans, zh_spans = [], []
        for e, z in self.pairs:
            if en:
                en += b' '
            eb, zb = e.encode(), z.encode()
            en_spans.append((len(en), len(en) + len(eb)))
            en += eb
            zh_spans.append((len(zh), len(zh) + len(zb)))
            zh += zb
        return en.decode(), zh.decode(), en_spans, zh_spans

    def damage_spans(self):
        _, _, es, zs = self.texts()
        e, z = es[self.damaged], zs[self.damaged]
        last = getattr(self, 'damaged_to', self.damaged)
        e, z = (e[0], es[last][1]), (z[0], zs[last][1])
        return e if e[1] > e[0] else None, z if z[1] > z[0] else None

    def copy(self):
        r = Record(self.id, self.pairs)
        return r


ACRONYM = re.compile(r'(?<![A-Za-z])([A-Z][A-Z0-9]*[A-Z][A-Z0-9]*)(?:s|\'s)?(?![A-Za-z])')
ROMAN = re.compile(r'^X{0,3}(IX|IV|V?I{0,3})$')


def load_glossary(path):
    """concept (English) -> (preferred terms, deprecated terms)"""
    con = collections.defaultdict(lambda: ([], []))
    with open(path, encoding='utf-8') as f:
        for line in f:
            if line.startswith('#') or not line.strip():
                continue
            cols = line.rstrip('\n').split('\t')
            if cols[0] == 'en' or len(cols) < 3:
                continue
            if cols[2] == 'preferred':
                con[cols[0].lower()][0].append(cols[1])
            elif cols[2] == 'deprecated':
                con[cols[0].lower()][1].append(cols[1])
    return {k: v for k, v in con.items() if v[0] and v[1]}


def inject(kind, rec, rng, donors, glossary):
    """Returns a damaged copy of rec, or None if no line suits the defect."""
    n = len(rec.pairs)
    order = list(range(n))
    rng.shuffle(order)
    for i in order:
        e, z = rec.pairs[i]
        out = rec.copy()
        if kind == 'drop':
            out.pairs[i] = (e, '')
        elif kind == 'add':
            foreign = rng.choice(donors)
            if i + 1 < n:
                out.pairs[i + 1] = (out.pairs[i + 1][0], foreign + out.pairs[i + 1][1])
                out.damaged = i + 1
                out.added = len(foreign.encode())
                return out
            continue
        elif kind == 'untranslated':
            out.pairs[i] = (e, e)
        elif kind == 'truncate':
            chars = list(z)
            if len(chars) < 16:
                continue
            end = '。' if chars[-1] in '。.' else ''
            out.pairs[i] = (e, ''.join(chars[:len(chars) // 2]).rstrip('，, ') + end)
        elif kind == 'number':
            m = [x for x in re.finditer(r'(?<![A-Za-z0-9.\-])\d+(?:\.\d+)?(?![A-Za-z0-9])', z)]
            m = [x for x in m if x.group() in e or x.group().replace('.', '') in e]
            if not m:
                continue
            x = rng.choice(m)
            s = x.group()
            digits = [k for k, c in enumerate(s) if c.isdigit()]
            k = rng.choice(digits)
            new = str((int(s[k]) + rng.randint(1, 8)) % 10)
            if k == 0 and new == '0' and len(digits) > 1:
                new = '9'
            s2 = s[:k] + new + s[k + 1:]
            out.pairs[i] = (e, z[:x.start()] + s2 + z[x.end():])
        elif kind == 'acronym':
            acrs = [a for a in set(m.group(1) for m in ACRONYM.finditer(e))
                    if len(a) >= 2 and not ROMAN.match(a) and a in z]
            if not acrs:
                continue
            a = rng.choice(sorted(acrs))
            z2 = re.sub(r'[（(]\s*' + re.escape(a) + r"(?:s|'s)?\s*[)）]", '', z)
            z2 = re.sub(r'(?<![A-Za-z])' + re.escape(a) + r"(?:s|'s)?(?![A-Za-z])", '', z2)
            if z2 == z:
                continue
            out.pairs[i] = (e, z2)
            out.kept_elsewhere = any(re.search(r'(?<![A-Z])' + re.escape(a) + r'(?![A-Z])', zz)
                                     for k, (_, zz) in enumerate(rec.pairs) if k != i)
        elif kind == 'glossary':
            hits = []
            for concept, (pref, dep) in glossary.items():
                if not re.search(r'\b' + re.escape(concept.split()[0][:5]), e.lower()):
                    continue
                for p in pref:
                    if p in z and not any(d in z for d in dep):
                        hits.append((p, dep[0]))
            if not hits:
                continue
            p, d = rng.choice(sorted(hits))
            out.pairs[i] = (e, z.replace(p, d, 1))
        elif kind == 'bracket':
            pos = [k for k, c in enumerate(z) if c in ')）']
            pos = [k for k in pos if '(' in z[:k] or '（' in z[:k]]
            if not pos:
                continue
            k = rng.choice(pos)
            out.pairs[i] = (e, z[:k] + z[k + 1:])
        elif kind == 'drop-sentence':
            sents = re.findall(r'[^。！？]*[。！？]', z)
            if len(sents) < 2 or ''.join(sents) != z:
                continue
            k = rng.randrange(len(sents))
            if len(sents[k]) < 8:
                continue
            out.pairs[i] = (e, ''.join(sents[:k] + sents[k + 1:]))
        elif kind == 'cut-anywhere':
            chars = list(z)
            if len(chars) < 16:
                continue
            cut = int(len(chars) * rng.uniform(0.3, 0.8))
            end = '。' if chars[-1] in '。.' and rng.random() < 0.5 else ''
            out.pairs[i] = (e, ''.join(chars[:cut]) + end)
        elif kind == 'swap':
            if i + 1 >= n or z == rec.pairs[i + 1][1]:
                continue
            out.pairs[i] = (e, rec.pairs[i + 1][1])
            out.pairs[i + 1] = (rec.pairs[i + 1][0], z)
            out.damaged_to = i + 1
        elif kind == 'duplicate':
            out.pairs[i] = (e, z + z)
        elif kind == 'acronym-changed':
            acrs = [a for a in set(m.group(1) for m in ACRONYM.finditer(e))
                    if len(a) >= 3 and a.isalpha() and not ROMAN.match(a) and a in z]
            if not acrs:
                continue
            a = rng.choice(sorted(acrs))
            k = rng.randrange(len(a) - 1)
            b = a[:k] + a[k + 1] + a[k] + a[k + 2:]
            if b == a or b in e:
                continue
            out.pairs[i] = (e, re.sub(r'(?<![A-Za-z])' + re.escape(a) + r'(?![A-Z])', b, z, count=1))
        elif kind == 'number-dropped':
            m = [x for x in re.finditer(r'(?<![A-Za-z0-9.\-])\d+(?:\.\d+)?%?(?![A-Za-z0-9])', z)]
            m = [x for x in m if x.group().rstrip('%') in e]
            if not m:
                continue
            x = rng.choice(m)
            out.pairs[i] = (e, z[:x.start()] + z[x.end():])
        elif kind == 'mojibake':
            han = [k for k, c in enumerate(z[:-1]) if '\u4e00' <= c <= '\u9fff' and
                   '\u4e00' <= z[k + 1] <= '\u9fff']
            if not han:
                continue
            k = rng.choice(han)
            bad = rng.choice(['锟斤拷', '\ufffd'])
            out.pairs[i] = (e, z[:k] + bad + z[k + 2:])
        elif kind == 'halfwidth':
            pos = [k for k in range(1, len(z) - 1) if z[k] == '，' and
                   '\u4e00' <= z[k - 1] <= '\u9fff' and '\u4e00' <= z[k + 1] <= '\u9fff']
            if not pos:
                continue
            k = rng.choice(pos)
            out.pairs[i] = (e, z[:k] + ',' + z[k + 1:])
        elif kind == 'bracket-open':
            pos = [k for k, c in enumerate(z) if c in '(（' and (')' in z[k:] or '）' in z[k:])]
            if not pos:
                continue
            k = rng.choice(pos)
            out.pairs[i] = (e, z[:k] + z[k + 1:])
        elif kind == 'half-untranslated':
            zc = [k for k, c in enumerate(z) if c == '，' and 0.3 < k / len(z) < 0.7]
            ec = [k for k, c in enumerate(e) if c == ',' and 0.3 < k / len(e) < 0.7]
            if not zc or not ec:
                continue
            out.pairs[i] = (e, z[:zc[0] + 1] + e[ec[0] + 1:].strip())
        elif kind == 'percent-dropped':
            m = [x for x in re.finditer(r'(?<![A-Za-z0-9.])(\d+(?:\.\d+)?)%', z)
                 if x.group(1) + '%' in e]
            if not m:
                continue
            x = rng.choice(m)
            out.pairs[i] = (e, z[:x.end() - 1] + z[x.end():])
        out.damaged = i
        return out
    return None


def traditional_chars(cedict):
    """Characters of CC-CEDICT's traditional headwords that no simplified
    headword uses (empty without the dictionary)."""
    if not cedict or not os.path.exists(cedict):
        return set()
    with open(cedict, 'rb') as f:
        if f.read(6) == b'AQLEX\0':  # compiled (alignqa glossary compile): no text
            return set()
    trad, simp = set(), set()
    with open(cedict, encoding='utf-8') as f:
        for line in f:
            cols = line.split('\t')
            if len(cols) >= 2 and not line.startswith('#'):
                trad.update(cols[0])
                simp.update(cols[1])
    return trad - simp


CUT_SHORT = re.compile(r'[.!?。！？)"”）]\s*$')


def chunks(pairs, size, trad):
    """Runs of up to size consecutive line pairs.  A run also ends where the
    Chinese changes script (Traditional / Simplified): the corpus does not
    mark abstract boundaries, and a script change is one.  And it ends after
    a line the corpus cut short (everything after a '<' was lost: "... (p"):
    joined to the next line with a space, such a line would fuse with it
    into one sentence, an artifact no real abstract has."""
    def script(z):
        return sum(c in trad for c in z) >= 2

    def cut_short(pair):
        return not CUT_SHORT.search(pair[0]) or not CUT_SHORT.search(pair[1])

    start = 0
    while start < len(pairs):
        end = start + 1
        while end < len(pairs) and end - start < size and not cut_short(pairs[end - 1]) and \
                script(pairs[end][1]) == script(pairs[start][1]):
            end += 1
        yield start, pairs[start:end]
        start = end


def write_jsonl(path, recs):
    with open(path, 'w', encoding='utf-8') as f:
        for r in recs:
            en, zh, _, _ = r.texts()
            f.write(json.dumps({'id': r.id, 'en': en, 'zh': zh}, ensure_ascii=False) + '\n')


def run_alignqa(exe, rules_dir, path, dictionary=None):
    cmd = [exe, 'check', '--format', 'jsonl', '--no-config', '--fail-on', 'error']
    if rules_dir:
        cmd += ['--rules-dir', rules_dir]
    if dictionary == 'none':
        cmd.append('--no-dictionary')
    elif dictionary:
        cmd += ['--dictionary', dictionary]
    cmd.append(path)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode not in (0, 1):
        sys.exit('alignqa check failed (%d): %s' % (p.returncode, p.stderr.decode()[:2000]))
    out = {}
    for line in p.stdout.decode().splitlines():
        if line.strip():
            o = json.loads(line)
            out[o['id']] = o['findings']
    return out


def loud(f):
    return f['severity'] in ('warning', 'error')


def overlaps(sp, dmg):
    return sp is not None and dmg is not None and sp[0] < dmg[1] and dmg[0] < sp[1]


def context(r, f):
    """The line pairs a finding touches, for --show-alarms and --show-misses."""
    _, _, es, zs = r.texts()
    out = []
    for k, (e, z) in enumerate(r.pairs):
        if overlaps(f['en'], es[k]) or overlaps(f['zh'], zs[k]) or \
                (f['zh'] and zs[k][0] <= f['zh'][0] < zs[k][1]):
            out.append('        [%d] en: %s\n            zh: %s' % (k, e[:200], z[:150]))
    return '\n'.join(out)


def po_escape(s):
    return s.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n').replace('\t', '\\t')


def write_po(path, recs):
    with open(path, 'w', encoding='utf-8') as f:
        f.write('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
                '"Language: zh_CN\\n"\n\n')
        for r in recs:
            for k, (e, z) in enumerate(r.pairs):
                f.write('msgctxt "%s|%d"\nmsgid "%s"\nmsgstr "%s"\n\n' % (
                    po_escape(r.id), k, po_escape(e), po_escape(z)))


def run_pofilter(path, tmp):
    out = os.path.join(tmp, os.path.basename(path) + '.out')
    p = subprocess.run(['pofilter', '--progress', 'none', path, out], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode != 0 or not os.path.exists(out):
        sys.exit('pofilter failed: %s' % p.stderr.decode()[:2000])
    fails = collections.defaultdict(set)  # (rec id, unit) -> set of checks
    checks = []
    with open(out, encoding='utf-8') as f:
        for line in f:
            m = re.match(r'# \(pofilter\) ([\w-]+):', line)
            if m:
                checks.append(m.group(1))
                continue
            m = re.match(r'msgctxt "(.*)\|(\d+)"', line)
            if m:
                fails[(m.group(1), int(m.group(2)))].update(checks)
                checks = []
            elif not line.startswith('#'):
                checks = [] if line.startswith('msgid') else checks
    return fails


def detect(kind, r, res, base_fp, rules, args):
    """Is the defect of r found: a warning or error that the clean record
    does not have, on the damaged line (or without a place)?  Sets r.hit."""
    de, dz = r.damage_spans()
    if kind == 'add':
        dz = (dz[0], dz[0] + r.added)
        de = None
    r.hit = None
    for f in res.get(r.id, []):
        if not loud(f) or f['fingerprint'] in base_fp[r.id] or \
                (f['en'] and (f['rule'], tuple(f['en'])) in base_fp[r.id]):
            continue
        if (f['en'] is None and f['zh'] is None) or overlaps(f['en'], de) or \
                overlaps(f['zh'], dz):
            r.hit = f
            break
    if r.hit:
        rules[r.hit['rule']] += 1
    elif args.show_misses:
        e, z = r.pairs[r.damaged]
        print('      MISS %s %s line %d\n        en: %s\n        zh: %s\n        got: %s' % (
            kind, r.id, r.damaged, e[:160], z[:120],
            '; '.join('%s@%s/%s' % (f['rule'], f['en'], f['zh'])
                      for f in res.get(r.id, []) if loud(f))[:400]))
    return r.hit is not None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--alignqa')
    ap.add_argument('--corpus')
    ap.add_argument('--rules-dir', default=os.path.join(ROOT, 'rules'))
    ap.add_argument('--dictionary', help='dictionary for the aligner (alignqa --dictionary FILE); '
                    'default: alignqa\'s own (the team lexicon), "none" for none')
    ap.add_argument('--chunk', type=int, default=8)
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--seeds', type=int, default=3, help='inject with seeds SEED .. SEED+N-1 '
                    'and pool the counts (each seed damages other lines; default 3)')
    ap.add_argument('--show-misses', action='store_true', help='print every missed defect')
    ap.add_argument('--show-alarms', action='store_true', help='print every clean-record alarm')
    ap.add_argument('--no-variants', action='store_true', help='inject only the main table\'s '
                    'defect types, not the variants after it')
    ap.add_argument('--keep', metavar='DIR', help='write the clean and damaged JSONL sets into DIR '
                    'and keep them (for debugging one record with alignqa check)')
    args = ap.parse_args()

    corpus = find_corpus(args.corpus)
    if not corpus:
        print('check_inject: skipped: WMT18 Medline corpus not found (--corpus DIR)')
        return 0
    exe = find_alignqa(args.alignqa)
    if not exe:
        print('check_inject: skipped: alignqa binary not found (--alignqa PATH)')
        return 0
    cedict = os.path.join(os.path.dirname(corpus), 'cedict', 'cedict.tsv')
    if not os.path.exists(cedict):
        cedict = ''
    gloss_path = os.path.join(args.rules_dir, 'core-glossary.tsv')
    glossary = load_glossary(gloss_path) if os.path.exists(gloss_path) else {}

    # the records do not depend on --dictionary (what alignqa is given)
    trad = traditional_chars(cedict or (args.dictionary if args.dictionary != 'none' else ''))
    clean = []
    for direction, pairs in read_lines(corpus):
        for start, part in chunks(pairs, args.chunk, trad):
            if len(part) >= 3:
                clean.append(Record('%s-%04d' % (direction, start), part))
    # sets[kind]: one list of damaged records a seed (ids repeat across seeds,
    # so each seed's list is checked on its own and the counts pooled)
    kinds = DEFECTS + ([] if args.no_variants else VARIANTS)
    sets = {kind: [] for kind in kinds}
    for seed in range(args.seed, args.seed + max(1, args.seeds)):
        rng = random.Random(seed)
        for kind in kinds:
            recs = []
            for idx, r in enumerate(clean):
                far = [z for j, c in enumerate(clean) if abs(j - idx) > 2 for _, z in c.pairs]
                d = inject(kind, r, rng, far, glossary)
                if d is not None:
                    recs.append(d)
            sets[kind].append(recs)

    tmp = args.keep or tempfile.mkdtemp(prefix='aq-inject-')
    os.makedirs(tmp, exist_ok=True)
    try:
        write_jsonl(os.path.join(tmp, 'clean.jsonl'), clean)
        base = run_alignqa(exe, args.rules_dir, os.path.join(tmp, 'clean.jsonl'), args.dictionary)
        n_clean = len(clean)
        alarms = [f for r in clean for f in base.get(r.id, []) if loud(f)]
        by_rule = collections.Counter(f['rule'] for f in alarms)
        print('alignqa check: %d clean records (%d line pairs), corpus %s, dictionary %s' % (
            n_clean, sum(len(r.pairs) for r in clean), corpus, args.dictionary or 'the team lexicon (alignqa\'s default)'))
        print('  false alarms: %.2f warnings+errors per clean record (%d in all)' % (
            len(alarms) / n_clean, len(alarms)))
        builtin = sum(c for rule, c in by_rule.items() if rule in BUILTINS)
        print('  of which built-in checks (check.c): %.2f per clean record (%d); pattern rules: %.2f' % (
            builtin / n_clean, builtin, (len(alarms) - builtin) / n_clean))
        for rule, c in by_rule.most_common():
            print('    %-34s %3d  (%.2f per record)' % (rule, c, c / n_clean))
        if args.show_alarms:
            for r in clean:
                for f in base.get(r.id, []):
                    if loud(f):
                        print('    ALARM %s %s: %s\n%s' % (r.id, f['rule'], f['message'][:120],
                                                          context(r, f)))
        # A finding of a damaged record is old when the clean record has it:
        # the same fingerprint, or the same rule at the same English span
        # (the English is never damaged, but a finding whose Chinese span
        # covers the damage gets a new fingerprint).
        base_fp = {r.id: {f['fingerprint'] for f in base.get(r.id, [])} |
                   {(f['rule'], tuple(f['en'])) for f in base.get(r.id, []) if f['en']}
                   for r in clean}
        recall = {}
        print('  recall per defect type (new warning/error on the damaged line):')
        for kind in kinds:
            if kind == VARIANTS[0]:
                print('  recall on variants no threshold was calibrated on:')
            total = sum(len(recs) for recs in sets[kind])
            if not total:
                print('    %-13s no suitable lines' % kind)
                continue
            found, rules, found_ids, sub = 0, collections.Counter(), set(), []
            for si, recs in enumerate(sets[kind]):
                path = os.path.join(tmp, '%s-%d.jsonl' % (kind, si))
                write_jsonl(path, recs)
                res = run_alignqa(exe, args.rules_dir, path, args.dictionary)
                n_found = found
                found += sum(1 for r in recs if detect(kind, r, res, base_fp, rules, args))
                found_ids.update((si, r.id) for r in recs if r.hit)
                sub += [(si, r.id) for r in recs if kind == 'acronym' and r.kept_elsewhere]
            recall[kind] = found / total
            print('    %-15s %.3f  (%d/%d)  by %s' % (kind, recall[kind], found, total,
                                                    ', '.join('%s %d' % kv for kv in rules.most_common(3))))
            if kind == 'acronym':
                print('    %-13s %.3f  (%d/%d)  of the acronyms the Chinese still uses elsewhere' % (
                    '', sum(1 for k in sub if k in found_ids) / max(1, len(sub)),
                    sum(1 for k in sub if k in found_ids), len(sub)))

        if not shutil.which('pofilter'):
            print('pofilter: skipped (translate-toolkit not installed)')
            return 0
        write_po(os.path.join(tmp, 'clean.po'), clean)
        pbase = run_pofilter(os.path.join(tmp, 'clean.po'), tmp)
        n_fail = sum(len(v) for v in pbase.values())
        n_units = sum(1 for v in pbase.values() if v)
        checks = collections.Counter(c for v in pbase.values() for c in v)
        print('pofilter (default checks, true line pairing): %d clean records' % n_clean)
        print('  failures: %.2f per clean record (%d failures on %d flagged units)' % (
            n_fail / n_clean, n_fail, n_units))
        print('    ' + ', '.join('%s %d' % kv for kv in checks.most_common(8)))
        print('  recall per defect type (new failure on the damaged unit):')
        for kind in kinds:
            total = sum(len(recs) for recs in sets[kind])
            if not total:
                continue
            found = 0
            for si, recs in enumerate(sets[kind]):
                path = os.path.join(tmp, '%s-%d.po' % (kind, si))
                write_po(path, recs)
                res = run_pofilter(path, tmp)
                for r in recs:
                    key = (r.id, r.damaged)
                    if res.get(key, set()) - pbase.get(key, set()):
                        found += 1
            print('    %-15s %.3f  (%d/%d)' % (kind, found / total, found, total))
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
