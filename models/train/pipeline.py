#!/usr/bin/env python3
"""Make nib's LoRA adapters, end to end, in one command.

    python3 models/train/pipeline.py                       # every adapter in adapters.toml
    python3 models/train/pipeline.py --adapters fim,axum   # some of them
    python3 models/train/pipeline.py --smoke --work /tmp/x # fim-base and fim, 2 steps each, tiny corpus (CI)

Steps, each printed as it starts:
 1. a virtual environment with the pinned requirements (models/train/.venv);
 2. the corpus from the package registries (corpus.py; corpus.lock lists every file);
 3. the base model, through `nib model pull gemma-3-270m`, and the trimmed code vocabulary
    (`nib vocab` over the train and vocab splits: models/vocab/, the default model's manifest);
 4. FIM examples made by `nib dataset`, which lays prompts out with the server's own code;
 5. LoRA training on the dequantized base model (train.py; CPU, or a GPU when present);
 6. the adapter as GGUF, with its manifest, in models/adapters/ (--smoke: in the work folder);
 7. a check that nib loads it and answers through it (`nib complete`);
 8. `nib eval` with and without it on the held-out set (benches/eval).
With --smoke it also packs the examples for gpu.py, trains every gpu.py stage two steps
on the CPU and checks that nib answers through the fim adapter it made.

Needs the release binary (cargo build --release) and Python 3.11. Only the standard
library here; the training step runs in the virtual environment.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import os
import platform
import random
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
VENV = HERE / ".venv"
# How examples are made: what `nib dataset` is given (an adapter may set seed and end_share).
DATASET_SEED = 11
HOLES_PER_FILE = 4
CONTEXT_TOKENS = 320
MIX_SEED = 5
# The trimmed model: its manifest and the list of tokens it keeps.
TRIMMED = ROOT / "models" / "gemma-3-270m-code.toml"
TRIMMED_LIST = ROOT / "models" / "vocab" / "gemma-3-270m-code.txt"


def step(message: str) -> None:
    print(f"\n== {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    print("$ " + " ".join(str(c) for c in cmd), file=sys.stderr, flush=True)
    return subprocess.run([str(c) for c in cmd], check=True, **kwargs)


def venv_python() -> Path:
    python = VENV / "bin" / "python"
    if not python.exists():
        step(f"creating {VENV.relative_to(ROOT)} with the pinned requirements")
        run([sys.executable, "-m", "venv", VENV])
        run([python, "-m", "pip", "install", "--quiet", "-r", HERE / "requirements.txt"])
    return python


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def packages(corpus: Path, framework: str, split: str) -> list[Path]:
    folder = corpus / "corpus" / framework / split
    if not folder.is_dir():
        sys.exit(f"pipeline: no {split} corpus for {framework} in {folder}; did the fetch fail?")
    return sorted(p for p in folder.iterdir() if p.is_dir())


def pull_base(nib: Path) -> Path:
    """The base model's GGUF file, fetched by `nib model pull` when it is not cached."""
    pulled = run([nib, "model", "pull", "gemma-3-270m"], capture_output=True, text=True)
    return Path(pulled.stdout.strip().splitlines()[-1])


def make_examples(nib: Path, out: Path, folders: list[Path], seed, end_share, per_file=HOLES_PER_FILE,
                  context_tokens=CONTEXT_TOKENS) -> None:
    """`nib dataset` over package folders, into the JSON lines file `out`."""
    run([nib, "dataset", "--template", HERE / "template.toml",
         "--per-file", per_file, "--seed", seed, "--end-share", end_share,
         "--settings", json.dumps({"context_tokens": context_tokens}),
         "--out", out, *folders])


def examples_for(name: str, spec: dict, nib: Path, corpus: Path, out: Path) -> Path:
    """JSON lines of examples for one adapter: each framework's, mixed when several."""
    seed = spec.get("seed", DATASET_SEED)
    end_share = spec.get("end_share", 0.0)
    variant = "" if (seed, end_share) == (DATASET_SEED, 0.0) else f"-s{seed}-e{end_share}"
    files = []
    for framework in spec["data"]:
        path = out / f"{framework}{variant}.jsonl"
        if not path.exists():
            make_examples(nib, path, packages(corpus, framework, "train"), seed, end_share)
        files.append(path)
    if len(files) == 1:
        return files[0]
    mixed = out / f"{name}.jsonl"
    lines = [line for f in files for line in f.open()]
    random.Random(MIX_SEED).shuffle(lines)
    mixed.write_text("".join(lines))
    return mixed


def vocabulary(nib: Path, work: Path, smoke: bool) -> None:
    """Chooses the trimmed model's tokens from the train and vocab splits (and the bench
    corpus), reports how much of the held-out code they cover, and writes the model once to
    check it. A full run updates models/vocab/ and the trimmed model's manifest."""
    folders = [p for fw in ("fastapi", "react", "axum") for p in packages(work, fw, "train")]
    if not smoke:
        run([sys.executable, HERE / "corpus.py", "fetch", "--split", "vocab", "--out", work])
        folders += [p for lang in ("python", "javascript", "rust") for p in packages(work, lang, "vocab")]
    folders.append(ROOT / "benches" / "corpus")
    keep = work / "vocab.txt" if smoke else TRIMMED_LIST
    run([nib, "vocab", "--model", "gemma-3-270m", "--out", keep, *folders])
    run([nib, "vocab", "--model", "gemma-3-270m", "--coverage", keep, ROOT / "benches" / "eval" / "files"])
    model = work / "trimmed.gguf"
    run([nib, "vocab", "--model", "gemma-3-270m", "--apply", keep, "--out", model, "--widen-to-q8-0"])
    size, digest = model.stat().st_size, sha256(model)
    model.unlink()
    if smoke:
        return
    text = TRIMMED.read_text()
    updated = re.sub(r"(?m)^size = \d+$", f"size = {size}", text)
    updated = re.sub(r'(?m)^sha256 = "[0-9a-f]+"$', f'sha256 = "{digest}"', updated)
    if updated != text:
        TRIMMED.write_text(updated)
        print(f"pipeline: {TRIMMED.relative_to(ROOT)} now expects {size} bytes, sha256 {digest}; "
              "rebuild nib (cargo build --release) before using it", file=sys.stderr)


def write_manifest(name: str, spec: dict, gguf: Path, dest: Path, base: dict, summary: dict) -> Path:
    """Copies the adapter next to its manifest and writes the manifest."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / f"{name}.gguf"
    shutil.copyfile(gguf, target)
    template = (HERE / "template.toml").read_text()
    prompt = template[template.index("[prompt]"):]

    def toml_list(items):
        return "[" + ", ".join(json.dumps(i) for i in items) + "]"

    training = "\n".join(f"{k} = {json.dumps(v)}" for k, v in summary.items())
    manifest = dest / f"{name}.toml"
    manifest.write_text(
        f"""# A LoRA adapter for {base['name']}, made by models/train/pipeline.py; do not edit by hand.
name = {json.dumps(name)}
description = {json.dumps(spec['description'])}
base = {json.dumps(base['name'])}
base_sha256 = {json.dumps(base['sha256'])}
languages = {toml_list(spec['languages'])}
frameworks = {toml_list(spec['frameworks'])}
file = "{name}.gguf"
size = {target.stat().st_size}
sha256 = "{sha256(target)}"
scale = {spec.get('scale', 1.0)}

{prompt.rstrip()}

[training]
{training}
"""
    )
    return manifest


def verify(nib: Path, name: str, manifest: Path) -> None:
    """nib loads the adapter and a completion runs through it."""
    sample = ROOT / "tests" / "fixtures" / "sample.py"
    result = run([nib, "complete", f"{sample}:7:32", "--settings", json.dumps({"adapter": str(manifest)})],
                 capture_output=True, text=True)
    print(result.stdout, file=sys.stderr)
    if f"adapter: {name}\n" not in result.stdout:
        sys.exit(f"pipeline: nib did not use the adapter {manifest}:\n{result.stdout}{result.stderr}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--adapters", help="comma-separated names from adapters.toml (default: all)")
    ap.add_argument("--smoke", action="store_true", help="tiny corpus, 2 steps, adapters written to --work")
    ap.add_argument("--work", type=Path, default=HERE / "data", help="corpus, examples, runs (default models/train/data)")
    ap.add_argument("--nib", type=Path, default=ROOT / "target" / "release" / "nib")
    ap.add_argument("--device", help="cpu or cuda (default: cuda when present)")
    ap.add_argument("--skip-eval", action="store_true")
    args = ap.parse_args()

    config = tomllib.loads((HERE / "adapters.toml").read_text())
    if args.adapters:
        names = args.adapters.split(",")
    elif args.smoke:
        names = ["fim-base", "fim"]  # two stages, one shipped: every step, kept short
    else:
        names = list(config)
    unknown = [n for n in names if n not in config]
    if unknown:
        sys.exit(f"pipeline: unknown adapters {unknown}; adapters.toml has {list(config)}")
    if not args.nib.exists():
        sys.exit(f"pipeline: {args.nib} is missing; run `cargo build --release` first")
    work = args.work.resolve()
    started = time.time()

    python = venv_python()

    step("corpus")
    corpus_args = ["--out", work]
    if args.smoke:
        corpus_args.append("--smoke")
    run([sys.executable, HERE / "corpus.py", "fetch", "--split", "train", *corpus_args])

    step("base model")
    base_path = pull_base(args.nib)
    base = tomllib.loads((ROOT / "models" / "gemma-3-270m.toml").read_text())

    step("code vocabulary")
    vocabulary(args.nib, work, args.smoke)

    examples = work / "examples"
    examples.mkdir(parents=True, exist_ok=True)
    adapters_dir = work / "adapters" if args.smoke else ROOT / "models" / "adapters"
    for name in names:
        spec = config[name]
        step(f"adapter {name}: examples")
        data = examples_for(name, spec, args.nib, work, examples)
        step(f"adapter {name}: training")
        out = work / "runs" / name
        train = [python, HERE / "train.py", "--examples", data, "--base", base_path, "--out", out,
                 "--steps", 2 if args.smoke else spec["steps"], "--batch", 2 if args.smoke else spec["batch"],
                 "--max-len", 128 if args.smoke else spec["max_len"], "--lr", spec["lr"]]
        if spec.get("init"):
            init = work / "runs" / spec["init"] / "adapter.pt"
            if not init.exists():
                sys.exit(f"pipeline: {name} starts from {spec['init']}, which is not trained in {work}")
            train += ["--init", init]
        if args.device:
            train += ["--device", args.device]
        run(train)
        if not spec.get("ship", True):
            continue  # a stage other adapters start from
        summary = json.loads((out / "summary.json").read_text())
        summary["examples_file"] = data.name
        summary["made"] = datetime.date.today().isoformat()
        summary["machine"] = f"{platform.machine()}, {os.cpu_count()} cores"
        chain = []
        stage = spec.get("init")
        while stage:
            chain.append(f"{stage} ({config[stage]['steps']} steps)")
            stage = config[stage].get("init")
        if chain:
            summary["starts_from"] = " <- ".join(chain)
        step(f"adapter {name}: export and check")
        manifest = write_manifest(name, spec, out / "adapter.gguf", adapters_dir, base, summary)
        verify(args.nib, name, manifest)
        print(f"pipeline: {manifest}", file=sys.stderr)

    if args.smoke:
        # The GPU path (gpu.py): a pack as for a machine without network, every stage of
        # gpu.toml for two steps, here on the CPU, and nib answering through the result.
        step("gpu.py: pack, and 2 steps a stage on the CPU")
        pack = work / "pack"
        run([python, HERE / "gpu.py", "pack", "--work", work, "--out", pack, "--nib", args.nib])
        run([python, HERE / "gpu.py", "train", "--pack", pack, "--out", work / "gpu",
             "--steps", 2, "--batch", 2, "--device", "cpu"])
        run([python, HERE / "gpu.py", "install", "--pack", pack, "--out", work / "gpu",
             "--machine", "smoke run", "--dest", work / "gpu-adapters"])
        verify(args.nib, "fim", work / "gpu-adapters" / "fim.toml")

    if not args.skip_eval:
        step("evaluation on the held-out set (benches/eval)")
        limit = ["--limit", "1"] if args.smoke else []
        shipped = [n for n in names if config[n].get("ship", True)]
        for adapter in ["none", *(str(adapters_dir / f"{n}.toml") for n in shipped)]:
            run([args.nib, "eval", "--adapter", adapter, *limit])
    print(f"\npipeline: done in {time.time() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
