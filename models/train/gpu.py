#!/usr/bin/env python3
"""Train every adapter in one process on a GPU machine that has PyTorch and peft but no
network access, from a pack made here.

    # here, in the pipeline's virtual environment, after `pipeline.py` made the corpus:
    models/train/.venv/bin/python models/train/gpu.py pack --out pack
    # there (torch, transformers, peft, numpy and the `gguf` package; it does not use
    # transformers' GGUF loading, so any transformers 5 does: checked with 5.17 and 5.24):
    python3 models/train/gpu.py train --pack pack --out out
    # here again: manifests for the adapters in out/, into models/adapters/
    models/train/.venv/bin/python models/train/gpu.py install --pack pack --out out --machine "..."

`pack` makes the examples of models/train/gpu.toml with `nib dataset` (laid out for the
plan's base model, as pipeline.py lays them out), tokenizes them as train.py does (healed,
as the engine prompts) in the trimmed code model's vocabulary and writes, beside them, that
model (for Gemma before its matrices are widened, 104 MB; for Qwen2.5-Coder 0.5B the code
model itself, 437 MB) and its config, and checks that the model `train` builds from them
gives the logits transformers gives. `train` runs the stages of gpu.toml in order, each
from scratch or from an earlier stage, and writes each adapter as soon as it is trained.
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import shutil
import sys
import time
import tomllib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PLAN = HERE / "gpu.toml"

sys.path.insert(0, str(HERE))
import pipeline  # noqa: E402  (examples, the base model and manifests as the pipeline makes them)
import train  # noqa: E402  (its encoding, loss, batching and export are shared)
from train import log  # noqa: E402


def kept_ids(path: Path) -> np.ndarray:
    """The full vocabulary's ids the trimmed model keeps, in order (its ids are the indices)."""
    ids = []
    for line in path.read_text().splitlines():
        if line.startswith("#"):
            continue
        for item in line.split():
            lo, _, hi = item.partition("-")
            ids.extend(range(int(lo), int(hi or lo) + 1))
    return np.array(ids, dtype=np.int64)


def datasets(name: str, stage: dict, plan: dict) -> list[tuple[str, str, int, tuple[str, ...]]]:
    """A stage's example sets: (name, framework, seed, the modules whose signatures its
    prompts show, from the stage's adapters.toml spec, as pipeline.py makes them)."""
    signatures = pipeline.adapter_specs().get(name, {}).get("signatures", [])
    suffix = pipeline.signature_variant(signatures)
    return [(f"{fw}-s{seed}{suffix}", fw, seed, tuple(signatures))
            for fw in stage["data"] for seed in plan["examples"]["seeds"]]


def pack(args) -> int:
    plan = tomllib.loads(PLAN.read_text())
    nib = args.nib
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    settings = plan["examples"]
    if args.short:
        # A quick check of every step (the pipeline's smoke run): short prompts.
        settings["context_tokens"], plan["train"]["max_len"] = 192, 256
    sets = sorted({d for name, stage in plan["stages"].items() for d in datasets(name, stage, plan)})
    base = plan["base"]
    layout = train.Layout.read(pipeline.template_for(base))

    # Examples are tokenized by the model train.py reads: the code model itself, or (Gemma)
    # the full model, whose ids are then mapped to the ones the trimmed model keeps.
    source = pipeline.model_manifest(base).get("source", {})
    full = pipeline.trained_model(base) != base
    base_path = pipeline.pull_base(nib, pipeline.trained_model(base))
    tokenizer, model = train.load_base(base_path)
    if full:
        keep = kept_ids(ROOT / "models" / "vocab" / source["keep"])
    else:
        keep = np.arange(model.config.vocab_size)
    to_trimmed = np.full(model.config.vocab_size, -1, dtype=np.int64)
    to_trimmed[keep] = np.arange(len(keep))

    for name, framework, seed, signatures in sets:
        # Named by what shapes them, so that another plan's examples are never taken for these.
        jsonl = args.work / "examples" / f"{name}-{base}-c{settings['context_tokens']}.jsonl"
        if not jsonl.exists():
            jsonl.parent.mkdir(parents=True, exist_ok=True)
            # `--short` is the pipeline's smoke run, whose corpus may lack the packages.
            environment = pipeline.signature_environment(args.work, signatures, args.short) if signatures else None
            pipeline.make_examples(nib, jsonl, pipeline.packages(args.work, framework, "train"), seed,
                                   settings["end_share"], settings["per_file"], settings["context_tokens"], base,
                                   environment)
        examples = [json.loads(line) for line in jsonl.open()]
        data = train.encode(examples, tokenizer, plan["train"]["max_len"], layout)
        # A middle that starts inside a word can be tokenized with a token the code
        # vocabulary does not keep (the trimmed model spells it otherwise): such examples go.
        kept = [d for d in data if (to_trimmed[np.asarray(d["ids"])] >= 0).all()]
        if len(kept) < len(data):
            log(f"{name}: {len(data) - len(kept)} examples use tokens the trimmed model lacks: left out")
        data = kept
        ids = np.concatenate([np.asarray(d["ids"]) for d in data])
        trimmed = to_trimmed[ids]
        lengths = np.array([len(d["ids"]) for d in data], dtype=np.int32)
        kinds = np.concatenate([d["kind"] for d in data]).astype(np.int8)
        np.savez_compressed(out / f"{name}.npz", ids=trimmed.astype(np.uint16), kinds=kinds, lengths=lengths)
        log(f"{name}: {len(data)} examples, {len(ids)} tokens")

    trimmed_model = out / "base.gguf"
    if not trimmed_model.exists():
        if full:
            pipeline.run([nib, "vocab", "--model", source["model"], "--apply", ROOT / "models" / "vocab" / source["keep"],
                          "--out", trimmed_model])
        else:
            shutil.copyfile(base_path, trimmed_model)
    config = model.config.to_dict()
    config["model_type"] = model.config.model_type
    for key in ("quantization_config", "_name_or_path", "_model_name_or_path", "transformers_version", "architectures", "dtype"):
        config.pop(key, None)
    config["vocab_size"] = len(keep)
    for key in ("eos_token_id", "bos_token_id", "pad_token_id"):
        value = getattr(tokenizer, key, None)
        if value is not None:
            config[key] = int(to_trimmed[value])
    # The middle's end token (a FIM model's end-of-text), which the loss always includes.
    config["end_token_id"] = int(to_trimmed[train.end_id(tokenizer, layout)])
    (out / "config.json").write_text(json.dumps(config, indent=1) + "\n")
    (out / "plan.json").write_text(json.dumps(plan, indent=1) + "\n")
    if not full:
        # (A Gemma pack's model is the trimmed one, transformers' the full one: their
        # logits are not comparable.)
        check_loader(model, out, tokenizer)
    log(f"pack written to {out}")
    return 0


def check_loader(reference, pack_dir: Path, tokenizer) -> None:
    """The model `train` builds from the pack gives the logits transformers' own GGUF
    loader gives: a wrong tensor name or layout would train adapters on another model."""
    import torch

    ids = torch.tensor([tokenizer("from fastapi import FastAPI\napp = FastAPI()\n").input_ids])
    with torch.no_grad():
        want = reference(input_ids=ids).logits
        got = load_model(pack_dir)(input_ids=ids).logits
    diff = (want - got).abs().max().item()
    if diff > 1e-3:
        sys.exit(f"gpu.py: the pack's model differs from transformers' by {diff} in a logit")
    log(f"the pack's model gives transformers' logits (largest difference {diff:.2e})")


# GGUF tensor names of a layer and their names in transformers' model, per architecture.
GEMMA3_NAMES = {
    "attn_norm": "input_layernorm",
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "attn_q_norm": "self_attn.q_norm",
    "attn_k_norm": "self_attn.k_norm",
    "post_attention_norm": "post_attention_layernorm",
    "ffn_norm": "pre_feedforward_layernorm",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
    "post_ffw_norm": "post_feedforward_layernorm",
}
QWEN2_NAMES = {
    "attn_norm": "input_layernorm",
    "attn_q": "self_attn.q_proj",
    "attn_k": "self_attn.k_proj",
    "attn_v": "self_attn.v_proj",
    "attn_output": "self_attn.o_proj",
    "ffn_norm": "post_attention_layernorm",
    "ffn_gate": "mlp.gate_proj",
    "ffn_up": "mlp.up_proj",
    "ffn_down": "mlp.down_proj",
}
# model_type: (layer names, the config and model classes, what llama.cpp adds to norm weights).
ARCHITECTURES = {
    "gemma3_text": (GEMMA3_NAMES, "Gemma3TextConfig", "Gemma3ForCausalLM", 1.0),
    "qwen2": (QWEN2_NAMES, "Qwen2Config", "Qwen2ForCausalLM", 0.0),
}


def gguf_state_dict(path: Path, names: dict, norm_offset: float) -> dict:
    """The model's weights from a GGUF file, dequantized, named as transformers names them.
    llama.cpp stores Gemma's norm weights plus one (its RMS norm scales by w, Gemma's by 1 + w)."""
    import gguf
    import torch

    state = {}
    for t in gguf.GGUFReader(str(path)).tensors:
        shape = tuple(int(n) for n in reversed(t.shape))
        value = gguf.quants.dequantize(t.data, t.tensor_type).reshape(shape).astype(np.float32)
        if t.name == "token_embd.weight":
            name = "model.embed_tokens.weight"
        elif t.name == "output.weight":
            name = "lm_head.weight"
        elif t.name == "output_norm.weight":
            name = "model.norm.weight"
        else:
            _, layer, kind, what = t.name.split(".")
            name = f"model.layers.{layer}.{names[kind]}.{what}"
        if t.name.endswith("norm.weight"):
            value = value - norm_offset
        state[name] = torch.from_numpy(value)
    return state


def load_model(pack_dir: Path):
    import transformers

    config = pack_config(pack_dir)
    config.pop("end_token_id", None)
    names, config_class, model_class, norm_offset = ARCHITECTURES[config.pop("model_type")]
    config = getattr(transformers, config_class)(**config)
    config._attn_implementation = "sdpa"
    model = getattr(transformers, model_class)(config)
    state = gguf_state_dict(pack_dir / "base.gguf", names, norm_offset)
    # The output head is the embeddings where the file has none of its own.
    state.setdefault("lm_head.weight", state["model.embed_tokens.weight"])
    model.load_state_dict(state, strict=True)
    return model.float()


def pack_config(pack_dir: Path) -> dict:
    return json.loads((pack_dir / "config.json").read_text())


def load_examples(pack_dir: Path, names: list[str]) -> list[dict]:
    out = []
    for name in names:
        with np.load(pack_dir / f"{name}.npz") as z:
            ids, kinds, lengths = z["ids"].astype(np.int64), z["kinds"], z["lengths"]
        ends = np.cumsum(lengths)
        for end, n in zip(ends, lengths):
            out.append({"ids": ids[end - n : end].tolist(), "kind": kinds[end - n : end]})
    return out


# Steps a timed stage runs before the clock starts (allocation, kernel selection).
UNTIMED_STEPS = 5


def run_stage(model, name: str, stage: dict, plan: dict, pack_dir: Path, out: Path, device: str, step_seconds: float | None,
              arch: str, save_every: int | None = None):
    """Trains one stage's LoRA weights on `model` (a peft model, weights already set to the
    stage's start); returns the summary and the measured seconds per step. With `save_every`,
    writes out/<name>-<step>.gguf every that many steps (long runs on a CPU)."""
    import torch

    settings = plan["train"]
    data = load_examples(pack_dir, [d[0] for d in datasets(name, stage, plan)])
    tokens = sum(len(d["ids"]) for d in data)
    head, remap = train.loss_head(model, data, pack_config(pack_dir).get("end_token_id", model.config.eos_token_id), device)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=stage["lr"], weight_decay=0.0)
    rng = random.Random(settings.get("seed", 1))
    stream = train.batches(data, settings["batch"], rng, settings.get("bucket", 1))
    steps = stage.get("steps")
    if steps is None and step_seconds is not None:
        steps = max(10, int(stage["seconds"] / step_seconds))
    log(f"{name}: {len(data)} examples, {tokens} tokens, loss over {len(head)} tokens, {steps or '?'} steps")
    started = time.time()
    probe_started = started  # reset once the untimed steps are done
    step = 0
    lr = stage["lr"]
    history = (out / "log.jsonl").open("a")
    model.train()
    while steps is None or step < steps:
        if steps is None and step == settings["probe_steps"]:
            # The first stage measures the step time (after warm-up) and sizes itself.
            per_step = (time.time() - probe_started) / (step - UNTIMED_STEPS)
            steps = max(step + 10, int(stage["seconds"] / per_step))
            step_seconds = per_step
            log(f"{name}: {per_step * 1000:.0f} ms a step: {steps} steps")
        if step == UNTIMED_STEPS:
            if device == "cuda":
                torch.cuda.synchronize()
            probe_started = time.time()
        total = steps or settings["probe_steps"] * 10
        warmup = max(1, min(50, total // 10))
        for group in optimizer.param_groups:
            group["lr"] = lr * train.lr_scale(step, total, warmup)
        ids, mask, kind = (x.to(device) for x in train.collate(next(stream), 0))
        # bfloat16 on a GPU only. On a CPU with AMX it made 10 steps 1.6x faster, but over
        # 200 steps the process grew from 9.5 to 15 GB and slowed to 11 s a step (each new
        # sequence length is a new oneDNN kernel, it seems).
        with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=device == "cuda"):
            loss, parts = train.loss_of(model, head, remap, ids, mask, kind, settings["lm_weight"])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        step += 1
        if step % 10 == 0 or step == steps:
            record = {"stage": name, "step": step, "loss": round(loss.item(), 4), **{k: round(v, 4) for k, v in parts.items()},
                      "s": round(time.time() - started, 1)}
            history.write(json.dumps(record) + "\n")
            history.flush()
            log(json.dumps(record))
        if save_every and step % save_every == 0 and step != steps:
            checkpoint = out / f"{name}-{step}.gguf"
            train.export_gguf(train.lora_state(model), checkpoint, settings["alpha"], arch)
            log(f"{name}: wrote {checkpoint}")
    history.close()
    seconds = time.time() - started
    summary = {
        "steps": step,
        "examples": len(data),
        "tokens": tokens,
        "rank": settings["rank"],
        "alpha": settings["alpha"],
        "lr": stage["lr"],
        "batch": settings["batch"],
        "max_len": settings["max_len"],
        "device": torch.cuda.get_device_name() if device == "cuda" else "cpu",
        "seconds": round(seconds),
    }
    return summary, step_seconds


def train_all(args) -> int:
    import torch
    from peft import LoraConfig, get_peft_model

    plan = json.loads((args.pack / "plan.json").read_text())
    settings = plan["train"]
    if settings["probe_steps"] <= UNTIMED_STEPS:
        sys.exit(f"gpu.py: probe_steps must be more than {UNTIMED_STEPS}")
    if args.batch:
        settings["batch"] = args.batch
    args.out.mkdir(parents=True, exist_ok=True)
    device = args.device or ("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(settings.get("seed", 1))
    torch.backends.cuda.matmul.allow_tf32 = True
    started = time.time()
    base = load_model(args.pack)
    arch = train.architecture(args.pack / "base.gguf")
    log(f"base model loaded in {time.time() - started:.1f} s")
    config = LoraConfig(r=settings["rank"], lora_alpha=settings["alpha"], target_modules=train.TARGETS,
                        lora_dropout=0.0, bias="none")
    model = get_peft_model(base, config).to(device)
    initial = train.lora_state(model)
    if args.start:
        try:
            initial = train.start_weights(args.start, model)
        except ValueError as e:
            sys.exit(f"gpu.py: {e}")
    trained = {}
    summaries = {}
    step_seconds = None
    stages = plan["stages"]
    if args.only:
        stages = {k: v for k, v in stages.items() if k in args.only.split(",")}
    for name, stage in stages.items():
        if args.steps:
            stage = {**stage, "steps": args.steps}
        if args.start:
            stage = {**stage, "init": None}
        if stage.get("init") and stage["init"] not in trained:
            sys.exit(f"gpu.py: stage {name} starts from {stage['init']}, which this run does not train: "
                     f"add it to --only, or give --start")
        start = trained[stage["init"]] if stage.get("init") else initial
        model.load_state_dict({k: v.to(device) for k, v in start.items()}, strict=False)
        summary, step_seconds = run_stage(model, name, stage, plan, args.pack, args.out, device, step_seconds, arch,
                                          args.save_every)
        if args.start:
            summary["starts_from"] = str(args.start)
        trained[name] = train.lora_state(model)
        if stage.get("init"):
            chain, at = [], stage.get("init")
            while at:
                chain.append(f"{at} ({summaries[at]['steps']} steps)")
                at = stages[at].get("init")
            summary["starts_from"] = " <- ".join(chain)
        summaries[name] = summary
        train.export_gguf(trained[name], args.out / f"{name}.gguf", settings["alpha"], arch)
        (args.out / "summary.json").write_text(json.dumps(summaries, indent=1) + "\n")
        log(f"{name}: wrote {args.out / (name + '.gguf')} after {time.time() - started:.0f} s")
    return 0


def install(args) -> int:
    """Manifests for the trained adapters, as pipeline.py writes them."""
    adapters = pipeline.adapter_specs()
    plan = json.loads((args.pack / "plan.json").read_text())
    summaries = json.loads((args.out / "summary.json").read_text())
    for name, summary in summaries.items():
        spec = adapters[name]
        if not spec.get("ship", True):
            continue
        summary = {**summary, "examples_file": ", ".join(
            f"{d[0]}.jsonl" for d in datasets(name, plan["stages"][name], plan))}
        summary["made"] = args.made or datetime.date.today().isoformat()
        summary["machine"] = args.machine
        manifest = pipeline.write_manifest(name, spec, args.out / f"{name}.gguf", args.dest, summary)
        log(f"wrote {manifest}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack", help="examples, tokens and the base model for a machine without network")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--work", type=Path, default=HERE / "data", help="the pipeline's work folder (corpus, examples)")
    p.add_argument("--nib", type=Path, default=ROOT / "target" / "release" / "nib")
    p.add_argument("--short", action="store_true", help="short prompts (192 tokens of context), for a quick check")
    t = sub.add_parser("train", help="train every stage of the pack's plan")
    t.add_argument("--pack", type=Path, required=True)
    t.add_argument("--out", type=Path, required=True)
    t.add_argument("--device", help="cuda or cpu (default: cuda when present)")
    t.add_argument("--steps", type=int, help="steps of every stage (a quick check); default: the plan's")
    t.add_argument("--only", help="comma-separated stages")
    t.add_argument("--batch", type=int, help="examples a step (default: the plan's)")
    t.add_argument("--start", type=Path, help="weights every stage starts from instead of its `init`: an adapter's .gguf or a train.py run's adapter.pt")
    t.add_argument("--save-every", type=int, help="also write <stage>-<step>.gguf every this many steps")
    i = sub.add_parser("install", help="write manifests for the adapters in --out (into models/adapters)")
    i.add_argument("--pack", type=Path, required=True)
    i.add_argument("--out", type=Path, required=True)
    i.add_argument("--machine", required=True, help="the machine they were trained on, for the manifests")
    i.add_argument("--made", help="the date they were trained (default: today)")
    i.add_argument("--dest", type=Path, default=ROOT / "models" / "adapters", help="where manifests and adapters go")
    args = ap.parse_args()
    return {"pack": pack, "train": train_all, "install": install}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
