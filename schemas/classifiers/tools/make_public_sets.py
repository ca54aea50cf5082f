#!/usr/bin/env python3
"""Rebuild the public labelled datasets (by default into ../src/main/resources/io/ballast/classifiers/datasets).

  sst2/train.tsv, sst2/validation.tsv           (GLUE SST-2)
  toxicity/train.tsv, validation.tsv, test.tsv  (Davidson et al. 2017)

Inputs are git snapshots (bare git directories) of two public GitHub
repositories, read with `git show <commit>:<path>`, so nothing is downloaded:

  eyalbd2/Reproducing-AutoPrompt           @ 6288fb5bec9c572f2492875ae0111df5b6daed11
      glue_data/SST-2/train_full.tsv  (GLUE SST-2 train.tsv, 67,349 rows)
      glue_data/SST-2/dev.tsv         (GLUE SST-2 dev.tsv, 872 rows)
  t-davidson/hate-speech-and-offensive-language @ cb50f7e9eb855a99abc51423bf40df0e26d6fe30
      data/labeled_data.csv           (24,783 tweets)

Default location of the snapshots is the one the session tool `fetch` uses:
  /work/.mirror/<owner>+<name>/repo   (or .../repo/.git)
Override with --mirror-root.  Every input's SHA-256 is checked before use.

Usage:  python3 make_public_sets.py [--mirror-root DIR] [--out DIR]
                                    [--eval-share natural|0.25]

Standard library only; deterministic (random.Random(7)).
"""
import argparse
import collections
import csv
import hashlib
import io
import os
import random
import subprocess
import sys

SEED = 7

SST_REPO = "eyalbd2+Reproducing-AutoPrompt"
SST_COMMIT = "6288fb5bec9c572f2492875ae0111df5b6daed11"
SST_TRAIN = "glue_data/SST-2/train_full.tsv"
SST_DEV = "glue_data/SST-2/dev.tsv"
# sha256 of the files as stored.  The train value equals the Git-LFS oid that
# thrudgelmir/datas records for its SST-2/train.tsv, and the dev file is
# byte-identical to forest-snow/alps data/SST-2/test.tsv (independent copies).
EXPECTED_SHA256 = {
    SST_TRAIN: "48eac26399f8456935f81dd9e3a745c1430adb6c62e233ccfe22db4a0d15d1d1",
    SST_DEV: "54a9c12c77e402fc14d6a66a506f24d999f596b0176eb777c972cccc2f9cc4b0",
}

DAV_REPO = "t-davidson+hate-speech-and-offensive-language"
DAV_COMMIT = "cb50f7e9eb855a99abc51423bf40df0e26d6fe30"
DAV_FILE = "data/labeled_data.csv"
EXPECTED_SHA256[DAV_FILE] = "fcb8bc7c68120ae4af04a5b9acd58585513ede11e1548ebf36a5c2040b6f6281"

SST_TRAIN_N = 12000
TOX_TRAIN_N, TOX_VAL_N, TOX_TEST_N = 6000, 1000, 1500
TOX_TRAIN_SHARE = 0.30
MAX_CHARS = 600


def git_dir(root, repo):
    for cand in (os.path.join(root, repo, "repo", ".git"), os.path.join(root, repo, "repo")):
        if os.path.isfile(os.path.join(cand, "HEAD")):
            return cand
    sys.exit("no git snapshot of %s under %s (run fetch github:%s)" % (repo, root, repo.replace("+", "/")))


def read_blob(root, repo, commit, path):
    data = subprocess.run(["git", "--git-dir=" + git_dir(root, repo), "show", commit + ":" + path],
                          check=True, capture_output=True).stdout
    digest = hashlib.sha256(data).hexdigest()
    want = EXPECTED_SHA256[path]
    if digest != want:
        sys.exit("sha256 mismatch for %s:%s: %s != %s" % (repo, path, digest, want))
    print("read %s@%s:%s  %d bytes  sha256=%s" % (repo, commit[:12], path, len(data), digest))
    return data.decode("utf-8")


def clean(text):
    text = text.replace("\t", " ").replace("\r", " ").replace("\n", " ").strip()
    return text[:MAX_CHARS].rstrip()


def write_tsv(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(header + "\n")
        for text, label in rows:
            assert "\t" not in text and "\n" not in text and "\r" not in text and text
            f.write("%s\t%d\n" % (text, label))
    pos = sum(l for _, l in rows)
    print("wrote %-60s %6d rows  label1=%d (%.1f%%)" % (path, len(rows), pos, 100.0 * pos / len(rows)))


def dedupe(pairs):
    """Keep the first occurrence of each text; drop texts seen with both labels."""
    labels = collections.defaultdict(set)
    for t, l in pairs:
        labels[t].add(l)
    seen, out = set(), []
    for t, l in pairs:
        if len(labels[t]) == 1 and t not in seen:
            seen.add(t)
            out.append((t, l))
    return out, sum(1 for v in labels.values() if len(v) > 1)


def parse_sst(text):
    lines = text.split("\n")
    assert lines[0] == "sentence\tlabel", lines[0]
    rows = []
    for line in lines[1:]:
        if line:
            s, l = line.split("\t")
            rows.append((clean(s), int(l)))
    return rows


def make_sst(root, out):
    dev = parse_sst(read_blob(root, SST_REPO, SST_COMMIT, SST_DEV))
    train = parse_sst(read_blob(root, SST_REPO, SST_COMMIT, SST_TRAIN))
    assert len(dev) == 872 and sum(l for _, l in dev) == 444, "not GLUE SST-2 dev"
    assert len(train) == 67349 and sum(l for _, l in train) == 37569, "not GLUE SST-2 train"
    dev_texts = set(t for t, _ in dev)
    assert len(dev_texts) == len(dev)
    uniq, conflicts = dedupe(train)
    cands = [(t, l) for t, l in uniq if t not in dev_texts]
    print("sst2: %d train rows, %d unique, %d with conflicting labels dropped, %d candidates"
          % (len(train), len(uniq), conflicts, len(cands)))
    sample = random.Random(SEED).sample(cands, SST_TRAIN_N)
    write_tsv(os.path.join(out, "sst2", "train.tsv"), "sentence\tlabel", sample)
    write_tsv(os.path.join(out, "sst2", "validation.tsv"), "sentence\tlabel", dev)


def take(pool, n, share, rng):
    """Draw n rows from pool (already shuffled); share=None keeps natural order/share,
    otherwise aims at round(n*share) label-1 rows, topping up from the other class
    when one class runs short."""
    if share is None:
        return pool[:n], pool[n:]
    pos = [r for r in pool if r[1] == 1]
    neg = [r for r in pool if r[1] == 0]
    n_pos = round(n * share)
    n_neg = n - n_pos
    if len(neg) < n_neg:  # not enough label-0 rows: take all, fill with label 1
        n_neg = len(neg)
        n_pos = n - n_neg
    if len(pos) < n_pos:
        n_pos = len(pos)
        n_neg = n - n_pos
    chosen = pos[:n_pos] + neg[:n_neg]
    rest = pos[n_pos:] + neg[n_neg:]
    rng.shuffle(chosen)
    rng.shuffle(rest)
    return chosen, rest


def make_toxicity(root, out, eval_share):
    raw = read_blob(root, DAV_REPO, DAV_COMMIT, DAV_FILE)
    rows = list(csv.DictReader(io.StringIO(raw)))
    assert len(rows) == 24783, len(rows)
    # class: 0 hate speech, 1 offensive language, 2 neither  ->  toxic = class 0 or 1
    pairs = [(clean(r["tweet"]), 0 if r["class"] == "2" else 1) for r in rows]
    pairs = [p for p in pairs if p[0]]
    uniq, conflicts = dedupe(pairs)
    print("toxicity: %d rows, %d unique texts, %d with conflicting labels dropped, toxic=%d"
          % (len(pairs), len(uniq), conflicts, sum(l for _, l in uniq)))
    rng = random.Random(SEED)
    pool = list(uniq)
    rng.shuffle(pool)
    test, pool = take(pool, TOX_TEST_N, eval_share, rng)
    val, pool = take(pool, TOX_VAL_N, eval_share, rng)
    train, _ = take(pool, TOX_TRAIN_N, TOX_TRAIN_SHARE, rng)
    texts = [set(t for t, _ in s) for s in (train, val, test)]
    assert not (texts[0] & texts[1]) and not (texts[0] & texts[2]) and not (texts[1] & texts[2])
    write_tsv(os.path.join(out, "toxicity", "train.tsv"), "text\tlabel", train)
    write_tsv(os.path.join(out, "toxicity", "validation.tsv"), "text\tlabel", val)
    write_tsv(os.path.join(out, "toxicity", "test.tsv"), "text\tlabel", test)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mirror-root", default="/work/.mirror")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "main", "resources", "io", "ballast", "classifiers", "datasets"))
    ap.add_argument("--eval-share", default="0.25",
                    help="toxic share of toxicity validation/test: a fraction (0.25, the committed files) or 'natural'")
    a = ap.parse_args()
    share = None if a.eval_share == "natural" else float(a.eval_share)
    make_sst(a.mirror_root, a.out)
    make_toxicity(a.mirror_root, a.out, share)


if __name__ == "__main__":
    main()
