#!/usr/bin/env python3
"""Build the shipped completion eval set (benches/eval) from the eval split.

    python3 models/train/corpus.py fetch --split eval
    python3 models/train/evalset.py [--per-framework 120] [--seed 7]

Picks source files from every eval package of each framework and, in each
file, up to four cursor positions. A case is the text before the cursor on one
line (plus the whole file around it) and the rest of that line as the expected
completion. Everything is chosen with a seeded random generator, so the same
corpus.lock, --per-framework and --seed always give the same output.

Only the Python 3.11 standard library is used.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
LOCK_PATH = HERE / "corpus.lock"
DEFAULT_CORPUS = HERE / "data"
DEFAULT_OUT = REPO / "benches" / "eval"

MAX_CASES_PER_FILE = 4
PREFERRED_LINES = (30, 400)
MIN_STRIPPED = 12
MIN_EXPECTED = 3
CUT_FRACTION = 0.6

LANGUAGE = {".py": "python", ".js": "javascript", ".jsx": "javascript",
            ".tsx": "tsx", ".ts": "typescript", ".rs": "rust"}
REGISTRY_NAME = {"pypi": "PyPI", "npm": "npm", "crates": "crates.io"}
LICENSE_NAME = re.compile(r"^(LICEN[CS]E|COPYING|NOTICE)", re.IGNORECASE)
STRING_ONLY = re.compile(r"""^[rbfuRBFU]{0,2}(["'`]).*\1[,;)]*$""")
WORD = re.compile(r"\w")


def pkg_dirname(name: str, version: str) -> str:
    return f"{name.replace('/', '+')}-{version}"


# ---------------------------------------------------------------- case lines


def candidate_lines(lines: list[str], language: str) -> list[int]:
    """Indexes of lines that may hold a case: code, not comments or strings."""
    out = []
    in_block = False  # /* ... */ (js, rust)
    in_doc: str | None = None  # open triple-quote delimiter (python)
    for i, line in enumerate(lines):
        s = line.strip()
        if language == "python":
            if in_doc:
                if in_doc in s:
                    in_doc = None
                continue
            opened = None
            for delim in ('"""', "'''"):
                if s.count(delim) % 2 == 1:
                    opened = delim
            if opened:
                in_doc = opened
                continue
            if '"""' in s or "'''" in s or s.startswith("#"):
                continue
        else:
            if in_block:
                if "*/" in s:
                    in_block = False
                continue
            if s.startswith("/*"):
                in_block = "*/" not in s
                continue
            if s.startswith("//") or s.startswith("*"):
                continue
        if len(s) < MIN_STRIPPED or STRING_ONLY.match(s):
            continue
        if not WORD.search(s):
            continue
        out.append(i)
    return out


def cut_points(s: str) -> list[int]:
    """Cursor positions in the stripped line: identifier/punctuation boundaries
    in its first 60%, never inside an identifier or right before a space, and
    leaving at least MIN_EXPECTED characters to complete."""
    limit = int(len(s) * CUT_FRACTION)
    pts = []
    for i in range(0, limit + 1):
        if i > 0 and WORD.match(s[i - 1]) and WORD.match(s[i]):
            continue  # inside an identifier or number
        if s[i].isspace():
            continue
        if len(s[i:].rstrip()) < MIN_EXPECTED:
            continue
        pts.append(i)
    return pts


def make_cases(text: str, language: str, rng: random.Random, k: int) -> list[tuple[int, int, str]]:
    lines = text.split("\n")
    cands = candidate_lines(lines, language)
    ascii_cands = [i for i in cands if lines[i].isascii()]
    if len(ascii_cands) >= k:
        cands = ascii_cands
    rng.shuffle(cands)
    cases = []
    for i in sorted(cands[:k]):
        line = lines[i].rstrip("\r")
        indent = len(line) - len(line.lstrip())
        s = line.strip()
        pts = cut_points(s)
        if not pts:
            continue
        cut = rng.choice(pts)
        prefix = line[: indent + cut]
        expected = line[indent + cut:].rstrip()
        cases.append((i, len(prefix.encode("utf-8")), expected))
    return cases


# ---------------------------------------------------------------- selection


def load_eval_packages(corpus: Path) -> dict[str, list[dict]]:
    if not LOCK_PATH.exists():
        sys.exit(f"error: {LOCK_PATH.name} not found; run corpus.py fetch --update-lock first")
    entries = json.loads(LOCK_PATH.read_text(encoding="utf-8"))["packages"]
    by_fw: dict[str, list[dict]] = {}
    train = {(e["framework"], e["registry"], e["name"]) for e in entries if e["split"] == "train"}
    for e in entries:
        if e["split"] != "eval":
            continue
        if (e["framework"], e["registry"], e["name"]) in train:
            sys.exit(f"error: {e['name']} is in both splits of {e['framework']}")
        root = corpus / "corpus" / e["framework"] / "eval" / pkg_dirname(e["name"], e["version"])
        if not root.is_dir():
            sys.exit(f"error: {root} is missing; run `corpus.py fetch --split eval` first")
        by_fw.setdefault(e["framework"], []).append({**e, "root": root})
    return by_fw


def read_text(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def choose_files(pkgs: list[dict], rng: random.Random, n_files: int) -> list[tuple[dict, str]]:
    """Round-robin over packages, taking shuffled files that have case lines,
    preferring files of 30-400 lines."""
    queues = []
    for pkg in pkgs:
        good, other = [], []
        for f in pkg["files"]:
            path = f["path"]
            lang = LANGUAGE.get(Path(path).suffix)
            if lang is None:
                continue
            text = read_text(pkg["root"] / path)
            n = text.count("\n") + 1
            if len(candidate_lines(text.split("\n"), lang)) < 2:
                continue
            (good if PREFERRED_LINES[0] <= n <= PREFERRED_LINES[1] else other).append(path)
        rng.shuffle(good)
        rng.shuffle(other)
        queues.append((pkg, good + other))
    chosen = []
    while len(chosen) < n_files and any(q for _, q in queues):
        for pkg, q in queues:
            if q and len(chosen) < n_files:
                chosen.append((pkg, q.pop(0)))
    return chosen


def build(per_framework: int, seed: int, corpus: Path, out: Path) -> None:
    by_fw = load_eval_packages(corpus)
    for sub in ("files", "LICENSES"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
    out.mkdir(parents=True, exist_ok=True)

    all_cases = []
    used: dict[tuple[str, str], dict] = {}  # (framework, name) -> package
    counts: dict[str, dict[str, list[int]]] = {}
    for fw in sorted(by_fw):
        pkgs = sorted(by_fw[fw], key=lambda e: e["name"])
        rng = random.Random(f"{seed}:{fw}")
        # about three cases per file, never more than four
        n_files = max(len(pkgs), math.ceil(per_framework / 3))
        files = choose_files(pkgs, rng, n_files)
        plans = []
        for pkg, path in files:
            lang = LANGUAGE[Path(path).suffix]
            text = read_text(pkg["root"] / path)
            plans.append([pkg, path, lang, text, make_cases(text, lang, rng, MAX_CASES_PER_FILE)])
        # deal cases out one per file per round so every file contributes
        taken: list[list] = [[] for _ in plans]
        total = 0
        for rnd in range(MAX_CASES_PER_FILE):
            for j, plan in enumerate(plans):
                if total < per_framework and rnd < len(plan[4]):
                    taken[j].append(plan[4][rnd])
                    total += 1
        for (pkg, path, lang, text, _), cases in zip(plans, taken):
            if not cases:
                continue
            rel = f"{fw}/{pkg_dirname(pkg['name'], pkg['version'])}/{path}"
            dest = out / "files" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(pkg["root"] / path, dest)
            used[(fw, pkg["name"])] = pkg
            c = counts.setdefault(fw, {}).setdefault(pkg["name"], [0, 0])
            c[0] += 1
            c[1] += len(cases)
            for line, col, expected in sorted(cases):
                all_cases.append({
                    "framework": fw, "language": lang, "package": pkg["name"],
                    "version": pkg["version"], "file": rel, "line": line, "col": col,
                    "expected": expected,
                })

    for pkg in used.values():
        lic_dir = out / "LICENSES" / pkg_dirname(pkg["name"], pkg["version"])
        lic_dir.mkdir(parents=True, exist_ok=True)
        for name in pkg["license_files"]:
            src = pkg["root"] / Path(name).name
            shutil.copyfile(src, lic_dir / Path(name).name)

    with open(out / "cases.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for c in all_cases:
            fh.write(json.dumps(c, ensure_ascii=False) + "\n")
    write_readme(out, used, counts, per_framework, seed, len(all_cases))
    for fw in sorted(counts):
        n = sum(v[1] for v in counts[fw].values())
        nf = sum(v[0] for v in counts[fw].values())
        print(f"{fw}: {n} cases from {nf} files of {len(counts[fw])} packages")
    print(f"wrote {len(all_cases)} cases to {out.relative_to(REPO) if out.is_relative_to(REPO) else out}")


def write_readme(out: Path, used: dict, counts: dict, per_framework: int, seed: int, n_cases: int) -> None:
    rows = []
    for (fw, name), pkg in sorted(used.items()):
        nf, nc = counts[fw][name]
        rows.append(f"| {fw} | {name} | {pkg['version']} | {REGISTRY_NAME[pkg['registry']]} "
                    f"| {pkg['license']} | {nf} | {nc} |")
    text = f"""# Framework completion eval set

Generated by `models/train/evalset.py --per-framework {per_framework} --seed {seed}`
from the **eval** split of `models/train/corpus.toml`; do not edit by hand.
The eval packages are never in the training split (corpus.py refuses a
package listed in both), so these files are unseen by the framework adapters.

- `files/<framework>/<package>-<version>/<path>`: source files copied unchanged
  from the published package archives (scoped npm names use `+` for `/`).
  The archives and their sha256 are recorded in `models/train/corpus.lock`.
- `LICENSES/<package>-<version>/`: the license notices shipped in each package.
- `cases.jsonl`: {n_cases} cases, one JSON object per line: `framework`, `language`,
  `package`, `version`, `file` (relative to `files/`), `line` (0-based),
  `col` (0-based byte offset in that line) and `expected`.

## How cases are made

Files come from every eval package in turn, preferring files of
{PREFERRED_LINES[0]}-{PREFERRED_LINES[1]} lines, with at most {MAX_CASES_PER_FILE} cases per file. A case line has at
least {MIN_STRIPPED} characters without its surrounding whitespace, is not a comment, docstring or string-only
line (ASCII lines are preferred). The cursor is placed after the indentation
plus a random cut at an identifier/punctuation boundary within the first 60%
of the line's content (possibly right after the indentation). `expected` is
the rest of the line from the cursor, trailing whitespace removed, at least
{MIN_EXPECTED} characters. The files themselves are unchanged: `nib eval` takes the rest of
the case's line out (from `col` to the line's end), opens the file that way, asks for
an inline completion at the cut and compares the suggestion's first line with
`expected`; the lines after the case stay, as the code after the cursor.

Regenerate with `python3 models/train/corpus.py fetch --split eval` and then
`python3 models/train/evalset.py`.

## Packages

| framework | package | version | registry | license | files | cases |
|---|---|---|---|---|---|---|
""" + "\n".join(rows) + "\n"
    (out / "README.md").write_text(text, encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-framework", type=int, default=120, help="cases per framework (default 120)")
    ap.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    ap.add_argument("--corpus", help="corpus.py --out directory (default: models/train/data)")
    ap.add_argument("--out", help="output directory (default: benches/eval)")
    args = ap.parse_args()
    corpus = Path(args.corpus) if args.corpus else DEFAULT_CORPUS
    out = Path(args.out) if args.out else DEFAULT_OUT
    build(args.per_framework, args.seed, corpus, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
