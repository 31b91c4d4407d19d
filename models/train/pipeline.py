#!/usr/bin/env python3
"""Make nib's LoRA adapters, end to end, in one command.

    python3 models/train/pipeline.py                       # every adapter in adapters.toml
    python3 models/train/pipeline.py --adapters fim,axum   # some of them
    python3 models/train/pipeline.py --smoke --work /tmp/x # 2 steps each, tiny corpus (CI)

Steps, each printed as it starts:
 1. a virtual environment with the pinned requirements (models/train/.venv);
 2. the corpus from the package registries (corpus.py; corpus.lock lists every file);
 3. each adapter's base model (its `base` in adapters.toml), through `nib model pull`, and
    for Gemma the trimmed code vocabulary (`nib vocab` over the train and vocab splits:
    models/vocab/, gemma-3-270m-code's manifest);
 4. FIM examples made by `nib dataset`, which lays prompts out with the server's own code:
    with the base model's own layout (its manifest's [prompt]) where the model has FIM
    tokens, else with models/train/template.toml;
 5. LoRA training on the dequantized base model (train.py; CPU, or a GPU when present);
 6. the adapter as GGUF (for a spec with `average`, the exact average of its run and those
    runs: average.py), with its manifest, in models/adapters/ (--smoke: in the work folder);
 7. a check that nib loads it and answers through it (`nib complete`);
 8. `nib eval` with and without it on the held-out set (benches/eval).
With --smoke (the adapters fim-base, fim and the three FastAPI runs of qwen-fastapi) it
also packs short examples for gpu.py, trains gpu.toml's first stage two steps on the CPU
and checks that nib answers through the adapter it made.

Needs the release binary (cargo build --release) and Python 3.11. Only the standard
library here; the training step runs in the virtual environment.
"""

from __future__ import annotations

import argparse
import datetime
import functools
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
# The base model of an adapter whose spec names none (the first adapters were Gemma's).
DEFAULT_BASE = "gemma-3-270m-code"


def step(message: str) -> None:
    print(f"\n== {message}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    print("$ " + " ".join(str(c) for c in cmd), file=sys.stderr, flush=True)
    return subprocess.run([str(c) for c in cmd], check=True, **kwargs)


# What the pinned requirements take installed, plus their wheels while pip installs them
# (measured: 4.6 GB and 2.6 GB, PyTorch's CUDA build from PyPI being most of both).
VENV_SPACE_GB = 8


def venv_python() -> Path:
    """The training environment's python, installing the pinned requirements first where
    they are missing or changed (a stamp holds the hash of the requirements it has, so an
    install cut short, say by a full disk, is done again on the next run)."""
    python = VENV / "bin" / "python"
    requirements = HERE / "requirements.txt"
    stamp = VENV / "requirements.sha256"
    wanted = sha256(requirements)
    if python.exists() and stamp.exists() and stamp.read_text().strip() == wanted:
        return python
    VENV.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(VENV.parent).free / 1e9
    if free < VENV_SPACE_GB:
        sys.exit(
            f"error: the training environment ({VENV.relative_to(ROOT)}) needs about "
            f"{VENV_SPACE_GB} GB free to install; {free:.1f} GB are free there"
        )
    step(f"installing the pinned requirements into {VENV.relative_to(ROOT)}")
    if not python.exists():
        run([sys.executable, "-m", "venv", VENV])
    # The file is a complete freeze, so `--no-deps` installs exactly it: that leaves out
    # triton (1 GB), which torch asks for but CPU training never imports. No cache: pip's
    # would keep a second copy of every wheel.
    run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-cache-dir",
         "-r", requirements])
    stamp.write_text(wanted + "\n")
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


def pull_base(nib: Path, model: str = DEFAULT_BASE) -> Path:
    """The model's GGUF file, fetched by `nib model pull` when it is not cached."""
    pulled = run([nib, "model", "pull", model], capture_output=True, text=True)
    return Path(pulled.stdout.strip().splitlines()[-1])


def base_of(spec: dict) -> str:
    """The model an adapters.toml spec is trained on and applied to."""
    return spec.get("base", DEFAULT_BASE)


def trained_model(base: str) -> str:
    """The model train.py reads for adapters applied to `base`: Gemma's are trained on the
    full gemma-3-270m (the trimmed model's transformer; its examples keep the full
    vocabulary's ids), a model whose trimmed file transformers reads (Qwen) on that file,
    in the vocabulary nib uses."""
    return "gemma-3-270m" if base == DEFAULT_BASE else base


def model_manifest(model: str) -> dict:
    return tomllib.loads((ROOT / "models" / f"{model}.toml").read_text())


def template_for(model: str) -> Path:
    """The file whose [prompt] table lays out examples for `model`: its own manifest when
    the model has FIM tokens (adapters then learn the layout the server prompts it with),
    else models/train/template.toml (three unused control tokens as sentinels)."""
    manifest = ROOT / "models" / f"{model}.toml"
    return manifest if "fim_prefix" in model_manifest(model).get("prompt", {}) else HERE / "template.toml"


def weights_of(model: str) -> dict:
    """The manifest of the model whose weights `model` has: a trimmed model's source (as
    nib's `weights_sha256` says: trimming leaves the transformer unchanged)."""
    manifest = model_manifest(model)
    source = manifest.get("source", {})
    return weights_of(source["model"]) if source.get("kind") == "trim" else manifest


def prompt_table(path: Path) -> str:
    """The [prompt] table of a TOML file, as written there (comments above the next table go)."""
    text = path.read_text()
    lines = text[text.index("[prompt]"):].splitlines()
    end = next((i for i, line in enumerate(lines[1:], 1) if line.startswith("[")), len(lines))
    kept = lines[:end]
    while kept and (not kept[-1].strip() or kept[-1].startswith("#")):
        kept.pop()
    return "\n".join(kept)


def make_examples(nib: Path, out: Path, folders: list[Path], seed, end_share, per_file=HOLES_PER_FILE,
                  context_tokens=CONTEXT_TOKENS, model: str = DEFAULT_BASE,
                  environment: Path | None = None, line_start_share: float = 0.0) -> None:
    """`nib dataset` over package folders, into the JSON lines file `out`, laid out (and
    budgeted with the tokens of) `model`; with `environment` (a site-packages folder) the
    prompts show the signatures of the frameworks installed there, as nib's `signatures`
    setting shows a user's."""
    # Explicit either way: by default nib shows signatures wherever the shipped adapter
    # for the file was trained with them.
    settings = {"context_tokens": context_tokens, "model": model, "signatures": environment is not None}
    if environment is not None:
        settings["environments"] = [str(environment)]
    run([nib, "dataset", "--template", template_for(model),
         "--per-file", per_file, "--seed", seed, "--end-share", end_share,
         "--line-start-share", line_start_share,
         "--settings", json.dumps(settings), "--out", out, *folders])


def signature_environment(corpus: Path, modules: list[str], smoke: bool) -> Path:
    """A site-packages folder holding the Python `modules` as pip installs them (the module
    and a `<name>-<version>.dist-info`), copied from the train split's package of the same
    name, so that the signatures trained on come from files corpus.lock lists."""
    site = corpus / "environments" / "site-packages"
    for module in modules:
        found = sorted(p for p in (corpus / "corpus").glob(f"*/train/{module}-*")
                       if (p / module).is_dir() and p.name[len(module) + 1:][:1].isdigit())
        if not found:
            if smoke:  # the smoke corpus keeps a package's first files only
                print(f"pipeline: no {module} package in the smoke corpus; examples without "
                      "its signatures", file=sys.stderr)
                continue
            sys.exit(f"pipeline: the train corpus has no {module} package to read its signatures from")
        package = found[-1]
        version = package.name[len(module) + 1:]
        info = site / f"{module}-{version}.dist-info"
        if info.is_dir():
            continue  # copied already (the dist-info is written after the module)
        shutil.rmtree(site / module, ignore_errors=True)
        shutil.copytree(package / module, site / module)
        for old in site.glob(f"{module}-*.dist-info"):
            shutil.rmtree(old)
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: {version}\n")
    site.mkdir(parents=True, exist_ok=True)
    return site


@functools.cache
def adapter_specs() -> dict:
    """adapters.toml: what each adapter is trained on and how."""
    return tomllib.loads((HERE / "adapters.toml").read_text())


def signature_variant(signatures: list[str]) -> str:
    """What names example files whose prompts show these modules' signatures."""
    return "-signatures-" + "-".join(signatures) if signatures else ""


def examples_for(name: str, spec: dict, nib: Path, corpus: Path, out: Path, smoke: bool = False) -> Path:
    """JSON lines of examples for one adapter: each framework's, mixed when several."""
    seed = spec.get("seed", DATASET_SEED)
    end_share = spec.get("end_share", 0.0)
    model = base_of(spec)
    line_start_share = spec.get("line_start_share", 0.0)
    variant = "" if (seed, end_share) == (DATASET_SEED, 0.0) else f"-s{seed}-e{end_share}"
    if line_start_share:
        variant += f"-l{line_start_share}"
    if model != DEFAULT_BASE:
        variant += f"-{model}"
    signatures = spec.get("signatures", [])
    variant += signature_variant(signatures)
    files = []
    for framework in spec["data"]:
        path = out / f"{framework}{variant}.jsonl"
        if not path.exists():
            environment = signature_environment(corpus, signatures, smoke) if signatures else None
            make_examples(nib, path, packages(corpus, framework, "train"), seed, end_share, model=model,
                          environment=environment, line_start_share=line_start_share)
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


def write_manifest(name: str, spec: dict, gguf: Path, dest: Path, summary: dict) -> Path:
    """Copies the adapter next to its manifest (both named after its adapters.toml key)
    and writes the manifest; the adapter's name is the spec's `name`, else the key."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / f"{name}.gguf"
    shutil.copyfile(gguf, target)
    model = base_of(spec)
    base = weights_of(model)
    prompt = prompt_table(template_for(model))

    def toml_list(items):
        return "[" + ", ".join(json.dumps(i) for i in items) + "]"

    training = "\n".join(f"{k} = {json.dumps(v)}" for k, v in summary.items())
    manifest = dest / f"{name}.toml"
    manifest.write_text(
        f"""# A LoRA adapter for {base['name']}, made by models/train/pipeline.py; do not edit by hand.
name = {json.dumps(spec.get('name', name))}
description = {json.dumps(spec['description'])}
base = {json.dumps(base['name'])}
base_sha256 = {json.dumps(base['sha256'])}
languages = {toml_list(spec['languages'])}
frameworks = {toml_list(spec['frameworks'])}
file = "{name}.gguf"
size = {target.stat().st_size}
sha256 = "{sha256(target)}"
scale = {spec.get('scale', 1.0)}
signatures = {json.dumps(bool(spec.get('show_signatures', False)))}

{prompt.rstrip()}

[training]
{training}
"""
    )
    return manifest


def verify(nib: Path, name: str, manifest: Path, model: str = DEFAULT_BASE) -> None:
    """nib loads the adapter on `model` and a completion runs through it."""
    sample = ROOT / "tests" / "fixtures" / "sample.py"
    settings = {"adapter": str(manifest), "model": model}
    result = run([nib, "complete", f"{sample}:7:32", "--settings", json.dumps(settings)],
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

    config = adapter_specs()
    if args.adapters:
        names = args.adapters.split(",")
    elif args.smoke:
        # Two Gemma stages, one shipped, and a Qwen framework adapter: every step, kept short.
        names = ["fim-base", "fim", "qwen-fastapi-plain", "qwen-fastapi-sig", "qwen-fastapi"]
    else:
        names = list(config)
    unknown = [n for n in names if n not in config]
    if unknown:
        sys.exit(f"pipeline: unknown adapters {unknown}; adapters.toml has {list(config)}")
    if not args.nib.exists():
        sys.exit(f"pipeline: {args.nib} is missing; run `cargo build --release` first")
    if os.environ.get("NIB_MODEL"):
        sys.exit("pipeline: NIB_MODEL would replace each adapter's base model: unset it "
                 "(adapters.toml names the model each adapter is trained on)")
    work = args.work.resolve()
    started = time.time()

    python = venv_python()

    step("corpus")
    corpus_args = ["--out", work]
    if args.smoke:
        corpus_args.append("--smoke")
    run([sys.executable, HERE / "corpus.py", "fetch", "--split", "train", *corpus_args])

    step("base models")
    models = sorted({base_of(config[n]) for n in names})
    base_paths = {model: pull_base(args.nib, trained_model(model)) for model in models}

    if DEFAULT_BASE in models:
        step("code vocabulary")
        vocabulary(args.nib, work, args.smoke)

    examples = work / "examples"
    examples.mkdir(parents=True, exist_ok=True)
    adapters_dir = work / "adapters" if args.smoke else ROOT / "models" / "adapters"
    for name in names:
        spec = config[name]
        step(f"adapter {name}: examples")
        data = examples_for(name, spec, args.nib, work, examples, args.smoke)
        step(f"adapter {name}: training")
        out = work / "runs" / name
        model = base_of(spec)
        train = [python, HERE / "train.py", "--examples", data, "--base", base_paths[model], "--out", out,
                 "--template", template_for(model),
                 "--steps", 2 if args.smoke else spec["steps"], "--batch", 2 if args.smoke else spec["batch"],
                 "--max-len", 128 if args.smoke else spec["max_len"], "--lr", spec["lr"]]
        if spec.get("init"):
            init = work / "runs" / spec["init"] / "adapter.pt"
            if not init.exists():
                sys.exit(f"pipeline: {name} starts from {spec['init']}, which is not trained in {work}")
            train += ["--init", init]
        if "bucket" in spec:
            train += ["--bucket", spec["bucket"]]
        if "train_seed" in spec:
            train += ["--seed", spec["train_seed"]]
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
        adapter = out / "adapter.gguf"
        if spec.get("average"):
            step(f"adapter {name}: the average of this run and {', '.join(spec['average'])}")
            others = [work / "runs" / other / "adapter.gguf" for other in spec["average"]]
            missing = [str(p) for p in others if not p.exists()]
            if missing:
                sys.exit(f"pipeline: {name} averages runs that are not trained in {work}: {missing}")
            adapter = out / "averaged.gguf"
            run([python, HERE / "average.py", "--out", adapter, out / "adapter.gguf", *others])
            summary["rank"] *= 1 + len(others)
            summary["averaged_with"] = ", ".join(
                f"{other} ({config[other]['steps']} steps, {json.loads((work / 'runs' / other / 'summary.json').read_text())['seconds']:.0f} s)"
                for other in spec["average"])
        step(f"adapter {name}: export and check")
        manifest = write_manifest(name, spec, adapter, adapters_dir, summary)
        verify(args.nib, spec.get("name", name), manifest, model)
        print(f"pipeline: {manifest}", file=sys.stderr)

    if args.smoke:
        # The GPU path (gpu.py): a pack as for a machine without network, every stage of
        # gpu.toml for two steps, here on the CPU, and nib answering through the result.
        step("gpu.py: pack, and 2 steps a stage on the CPU")
        pack = work / "pack"
        run([python, HERE / "gpu.py", "pack", "--work", work, "--out", pack, "--nib", args.nib, "--short"])
        plan = tomllib.loads((HERE / "gpu.toml").read_text())
        first = next(iter(plan["stages"]))
        run([python, HERE / "gpu.py", "train", "--pack", pack, "--out", work / "gpu",
             "--steps", 2, "--batch", 2, "--only", first, "--device", "cpu"])
        run([python, HERE / "gpu.py", "install", "--pack", pack, "--out", work / "gpu",
             "--machine", "smoke run", "--dest", work / "gpu-adapters"])
        verify(args.nib, config[first].get("name", first), work / "gpu-adapters" / f"{first}.toml", plan["base"])

    if not args.skip_eval:
        step("evaluation on the held-out set (benches/eval)")
        limit = ["--limit", "1"] if args.smoke else []
        shipped = [n for n in names if config[n].get("ship", True)]
        for model in models:
            # The model by NIB_MODEL, so that eval keeps its own default settings.
            mine = [str(adapters_dir / f"{n}.toml") for n in shipped if base_of(config[n]) == model]
            for adapter in ["none", *mine]:
                run([args.nib, "eval", "--adapter", adapter, *limit], env={**os.environ, "NIB_MODEL": model})
    print(f"\npipeline: done in {time.time() - started:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
