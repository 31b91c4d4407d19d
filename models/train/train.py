"""Train a LoRA adapter on FIM examples and export it as a GGUF adapter llama.cpp loads.

    python models/train/train.py --examples data/examples/fim.jsonl --out data/runs/fim \
        --steps 300 [--init data/runs/fim/adapter.pt] [--device cpu|cuda]

The base model is the GGUF nib runs, dequantized by transformers (`gguf_file=`), so the
adapter is trained on exactly the weights it will be applied to (up to quantization).
Only the attention projections get LoRA weights; embeddings and output head stay frozen.
The loss is the middle's tokens (and the end-of-text after it) plus a weighted
language-model loss on the code before the cursor; it is computed over the vocabulary the
examples use, which saves most of the output head's cost on a CPU.

The prompt layout comes from `--template` (a TOML file whose [prompt] table the examples
were laid out with: models/train/template.toml for Gemma, a model manifest such as
models/qwen2.5-coder-0.5b-code.toml for a model with its own FIM tokens); its sentinels
say where the code before the cursor is, and the manifest's first `stop` token ends the
middle (else the tokenizer's end-of-text).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import torch

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj"]
# llama.cpp's tensor names for the projections above.
GGUF_NAMES = {
    "q_proj": "attn_q",
    "k_proj": "attn_k",
    "v_proj": "attn_v",
    "o_proj": "attn_output",
    "gate_proj": "ffn_gate",
    "up_proj": "ffn_up",
    "down_proj": "ffn_down",
}
HERE = Path(__file__).resolve().parent


class Layout:
    """What training needs to know of a prompt layout (a [prompt] table): the sentinel
    that starts the code before the cursor, the one after which the cursor's line may
    follow, every sentinel (control tokens, which the engine's token healing steps over
    at the prompt's end) and the token that ends a middle (None: the tokenizer's eos)."""

    def __init__(self, prefix: str, middle: str, sentinels: list[str], end: str | None):
        self.prefix, self.middle, self.sentinels, self.end = prefix, middle, sentinels, end

    @staticmethod
    def read(path: Path) -> "Layout":
        manifest = tomllib.loads(path.read_text())
        prompt = manifest["prompt"]
        if "fim_prefix" in prompt:
            sentinels = [prompt["fim_prefix"], prompt["fim_suffix"], prompt["fim_middle"]]
            stop = manifest.get("stop") or [None]
            return Layout(prompt["fim_prefix"], prompt["fim_middle"], sentinels, stop[0])
        # models/train/template.toml: three of Gemma's unused control tokens.
        return Layout("<unused0>", "<unused62>", ["<unused0>", "<unused60>", "<unused62>"], None)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_base(gguf: Path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
    model = AutoModelForCausalLM.from_pretrained(
        gguf.parent, gguf_file=gguf.name, dtype=torch.float32
    )
    return tokenizer, model


def heal(prompt: list[int], tokenizer, controls: set[int]) -> str:
    """Token healing as the engine does it (src/engine/worker.rs, `heal`): the prompt's
    last token before any trailing control tokens is dropped and its text returned, to be
    generated again as the start of the middle; nothing when it is one of the first two
    tokens or holds a newline."""
    tail = 0
    while tail < len(prompt) and prompt[len(prompt) - 1 - tail] in controls:
        tail += 1
    at = len(prompt) - tail - 1
    if at < 2:
        return ""
    piece = tokenizer.decode(prompt[at : at + 1], skip_special_tokens=False, clean_up_tokenization_spaces=False)
    if "\n" in piece:
        return ""
    del prompt[at]
    return piece


def end_id(tokenizer, layout: Layout) -> int:
    return tokenizer.convert_tokens_to_ids(layout.end) if layout.end else tokenizer.eos_token_id


def encode(examples: list[dict], tokenizer, max_len: int, layout: Layout) -> list[dict]:
    """Token ids and per-token loss weights: 0 for snippets and suffix, `lm` for the code
    before the cursor (from the prefix sentinel to the next sentinel, and the cursor's line
    after the middle sentinel where the layout puts it there), 1 for the middle and the
    end token after it. Prompts are healed the way the engine heals them, so the middle
    starts with the cursor's token."""
    prefix_id = tokenizer.convert_tokens_to_ids(layout.prefix)
    middle_id = tokenizer.convert_tokens_to_ids(layout.middle)
    sentinels = {tokenizer.convert_tokens_to_ids(t) for t in layout.sentinels}
    controls = sentinels | set(tokenizer.all_special_ids)
    end = end_id(tokenizer, layout)
    out = []
    for ex in examples:
        prompt = tokenizer(ex["prompt"], add_special_tokens=True).input_ids
        piece = heal(prompt, tokenizer, controls)
        middle = tokenizer(piece + ex["middle"], add_special_tokens=False).input_ids
        middle = middle[: max_len // 4] + [end]
        room = max_len - len(middle)
        if room < 16:
            continue
        if len(prompt) > room:
            # Keep the prompt's end, where the cursor is; BOS stays first.
            prompt = prompt[:1] + prompt[len(prompt) - room + 1 :]
        ids = prompt + middle
        kind = np.zeros(len(ids), dtype=np.int8)  # 0 none, 1 prefix code, 2 middle
        starts = [i for i, t in enumerate(prompt) if t == prefix_id]
        if starts:
            stop = next((i for i in range(starts[-1] + 1, len(prompt)) if prompt[i] in sentinels), len(prompt))
            kind[starts[-1] + 1 : stop] = 1
        middles = [i for i, t in enumerate(prompt) if t == middle_id]
        if middles and middles[-1] + 1 < len(prompt):
            kind[middles[-1] + 1 : len(prompt)] = 1
        kind[len(prompt) :] = 2
        out.append({"ids": ids, "kind": kind})
    return out


def batches(data: list[dict], batch_size: int, rng: random.Random, bucket: int = 1):
    """Endless shuffled batches, padded on the right. With `bucket` > 1 the shuffled
    examples are taken `bucket` batches at a time and sorted by length before they are cut
    into batches, which are then shuffled: a batch holds examples of similar length, so
    little of it is padding (which costs as much to compute as tokens do)."""
    while True:
        order = list(range(len(data)))
        rng.shuffle(order)
        group = batch_size * bucket
        out = []
        for g in range(0, len(order) - batch_size + 1, group):
            chunk = order[g : g + group]
            if bucket > 1:
                chunk.sort(key=lambda j: len(data[j]["ids"]))
            out += [chunk[i : i + batch_size] for i in range(0, len(chunk) - batch_size + 1, batch_size)]
        if bucket > 1:
            rng.shuffle(out)
        for b in out:
            yield [data[j] for j in b]


def collate(batch: list[dict], pad: int):
    n = max(len(b["ids"]) for b in batch)
    ids = torch.full((len(batch), n), pad, dtype=torch.long)
    mask = torch.zeros((len(batch), n), dtype=torch.long)
    kind = torch.zeros((len(batch), n), dtype=torch.int8)
    for i, b in enumerate(batch):
        ids[i, : len(b["ids"])] = torch.tensor(b["ids"])
        mask[i, : len(b["ids"])] = 1
        kind[i, : len(b["kind"])] = torch.from_numpy(b["kind"])
    return ids, mask, kind


def loss_of(model, head: torch.Tensor, remap: torch.Tensor, ids, mask, kind, lm_weight):
    """Cross-entropy over the kept vocabulary (`head` rows), at positions whose next token
    has a weight; the middle's mean plus `lm_weight` times the prefix code's mean."""
    hidden = model.get_base_model().model(input_ids=ids, attention_mask=mask).last_hidden_state
    target_kind = kind[:, 1:]
    targets = ids[:, 1:]
    h = hidden[:, :-1]
    total = torch.zeros((), device=ids.device)
    parts = {}
    for k, weight in ((2, 1.0), (1, lm_weight)):
        where = target_kind == k
        if weight == 0 or not where.any():
            continue
        logits = h[where] @ head.T
        loss = torch.nn.functional.cross_entropy(logits, remap[targets[where]])
        total = total + weight * loss
        parts["middle" if k == 2 else "prefix"] = loss.item()
    return total, parts


def loss_head(model, data: list[dict], eos_id: int, device) -> tuple[torch.Tensor, torch.Tensor]:
    """The output head's rows for the tokens the examples use (and end-of-text), and the
    map from token ids to those rows: the loss is computed over this vocabulary only. The
    head is the model's output matrix (the embeddings, where the model ties them)."""
    used = sorted({t for d in data for t in d["ids"]} | {eos_id})
    remap = torch.zeros(model.config.vocab_size, dtype=torch.long)
    remap[torch.tensor(used)] = torch.arange(len(used))
    head = model.get_base_model().get_output_embeddings().weight[torch.tensor(used, device=device)].detach()
    return head, remap.to(device)


def lr_scale(step: int, total: int, warmup: int) -> float:
    """The learning rate's factor at `step`: a linear warm-up, then a cosine to zero at `total`."""
    return min(1.0, (step + 1) / warmup) * 0.5 * (1 + math.cos(math.pi * min(1.0, step / max(1, total))))


def lora_state(model) -> dict:
    return {k: v.detach().cpu() for k, v in model.state_dict().items() if "lora_" in k}


def architecture(gguf_path: Path) -> str:
    """The GGUF's `general.architecture` (llama.cpp loads an adapter only onto a model of
    the same architecture)."""
    import gguf

    return gguf.GGUFReader(str(gguf_path)).fields["general.architecture"].contents()


def export_gguf(state: dict, path: Path, alpha: float, arch: str) -> None:
    """Writes LoRA weights (a PEFT state dict) as a llama.cpp adapter for a model of
    architecture `arch`: lora_a [r, in], lora_b [out, r], f32."""
    import gguf

    writer = gguf.GGUFWriter(str(path), arch)
    writer.add_string("general.type", "adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", float(alpha))
    tensors = {}
    for name, value in state.items():
        if "lora_" not in name:
            continue
        # base_model.model.model.layers.3.self_attn.q_proj.lora_A.default.weight
        parts = name.split(".")
        layer = int(parts[parts.index("layers") + 1])
        proj = next(p for p in parts if p in GGUF_NAMES)
        ab = "lora_a" if "lora_A" in parts else "lora_b"
        tensors[f"blk.{layer}.{GGUF_NAMES[proj]}.weight.{ab}"] = (
            value.detach().cpu().float().numpy()
        )
    for name in sorted(tensors, key=lambda n: (int(n.split(".")[1]), n)):
        writer.add_tensor(name, np.ascontiguousarray(tensors[name]))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def import_gguf(path: Path) -> dict:
    """LoRA weights from a llama.cpp adapter (as `export_gguf` writes them), named as PEFT
    names them, to train further from a shipped adapter."""
    import gguf

    names = {v: k for k, v in GGUF_NAMES.items()}
    state = {}
    for t in gguf.GGUFReader(str(path)).tensors:
        # blk.3.attn_q.weight.lora_a
        _, layer, proj, _, ab = t.name.split(".")
        module = "self_attn" if proj.startswith("attn") else "mlp"
        key = f"base_model.model.model.layers.{layer}.{module}.{names[proj]}.lora_{ab[-1].upper()}.default.weight"
        shape = tuple(int(n) for n in reversed(t.shape))
        state[key] = torch.from_numpy(np.array(t.data, dtype=np.float32).reshape(shape))
    return state


def start_weights(path: Path, model) -> dict:
    """LoRA weights to start from: a run's adapter.pt or an adapter's .gguf. Raises
    ValueError when they hold weights `model` lacks (another rank's or model's)."""
    start = import_gguf(path) if path.suffix == ".gguf" else torch.load(path)
    missing = set(start) - set(model.state_dict())
    if missing:
        raise ValueError(f"{path} has weights this model lacks: {sorted(missing)[:3]}")
    return start


def export_checkpoint(checkpoint: Path, out: Path, alpha: float, arch: str) -> None:
    """The adapter as of a checkpoint, to try it while training goes on."""
    export_gguf(torch.load(checkpoint)["lora"], out, alpha, arch)


def main() -> int:
    if sys.argv[1:2] == ["export-checkpoint"]:
        if len(sys.argv) < 5:
            log("usage: train.py export-checkpoint CHECKPOINT OUT.gguf BASE.gguf [ALPHA]")
            return 2
        alpha = float(sys.argv[5]) if len(sys.argv) > 5 else 32.0
        export_checkpoint(Path(sys.argv[2]), Path(sys.argv[3]), alpha, architecture(Path(sys.argv[4])))
        return 0
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--examples", type=Path, required=True, help="JSON lines from `nib dataset`")
    ap.add_argument("--base", type=Path, required=True, help="the base model's GGUF file")
    ap.add_argument("--out", type=Path, required=True, help="run folder: checkpoints, adapter.gguf, log")
    ap.add_argument("--template", type=Path, default=HERE / "template.toml",
                    help="the TOML file whose [prompt] table laid the examples out (nib dataset --template)")
    ap.add_argument("--init", type=Path, help="start from these LoRA weights: a run's adapter.pt, or an adapter's .gguf")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--max-len", type=int, default=320, help="tokens per example")
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--alpha", type=float, default=32.0)
    ap.add_argument("--lr", type=float, default=4e-4)
    ap.add_argument("--lm-weight", type=float, default=0.5, help="weight of the prefix code's LM loss")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="torch threads (0 = torch's choice)")
    ap.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    ap.add_argument("--checkpoint-every", type=int, default=25)
    ap.add_argument("--bucket", type=int, default=16,
                    help="batches whose examples are sorted by length together (1: random batches)")
    args = ap.parse_args()

    from peft import LoraConfig, get_peft_model

    done = args.out / "summary.json"
    if done.exists() and (args.out / "adapter.gguf").exists() and json.loads(done.read_text()).get("steps") == args.steps:
        log(f"{args.out} is already trained ({args.steps} steps): {done.read_text().strip()}")
        return 0
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    tokenizer, base = load_base(args.base)
    log(f"base model loaded in {time.time() - started:.1f} s")
    examples = [json.loads(line) for line in args.examples.open()]
    layout = Layout.read(args.template)
    data = encode(examples, tokenizer, args.max_len, layout)
    if not data:
        log(f"no usable examples in {args.examples}")
        return 1
    tokens = sum(len(d["ids"]) for d in data)
    log(f"{len(data)} examples, {tokens} tokens, {tokens / len(data):.0f} per example")

    config = LoraConfig(r=args.rank, lora_alpha=args.alpha, target_modules=TARGETS, lora_dropout=0.0, bias="none")
    model = get_peft_model(base, config)
    resume = args.out / "checkpoint.pt"
    step = 0
    earlier = 0  # seconds spent by the runs this one resumes

    def spent() -> int:
        return earlier + round(time.time() - started)

    if args.init and not resume.exists():
        try:
            start = start_weights(args.init, model)
        except ValueError as e:
            log(str(e))
            return 1
        model.load_state_dict(start, strict=False)
        log(f"started from {args.init}")
    model.to(args.device)
    # The vocabulary the loss sees: every token the examples contain.
    head, remap = loss_head(model, data, end_id(tokenizer, layout), args.device)
    log(f"loss over {len(head)} of {base.config.vocab_size} tokens")
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.0)
    warmup = max(1, min(20, args.steps // 10))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda s: lr_scale(s, args.steps, warmup),
    )
    if resume.exists():
        state = torch.load(resume)
        model.load_state_dict(state["lora"], strict=False)
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        step = state["step"]
        earlier = state.get("seconds", 0)
        log(f"resumed at step {step}")

    rng = random.Random(args.seed)
    stream = batches(data, min(args.batch, len(data)), rng, args.bucket)
    for _ in range(step):
        next(stream)  # the same batches as an uninterrupted run
    history = args.out / "log.jsonl"
    model.train()
    while step < args.steps:
        t = time.time()
        ids, mask, kind = (x.to(args.device) for x in collate(next(stream), tokenizer.pad_token_id or 0))
        loss, parts = loss_of(model, head, remap, ids, mask, kind, args.lm_weight)
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        schedule.step()
        step += 1
        record = {"step": step, "loss": round(loss.item(), 4), **{k: round(v, 4) for k, v in parts.items()}, "s": round(time.time() - t, 2)}
        with history.open("a") as f:
            f.write(json.dumps(record) + "\n")
        log(json.dumps(record))
        if step % args.checkpoint_every == 0 or step == args.steps:
            state = {"lora": lora_state(model), "optimizer": optimizer.state_dict(), "schedule": schedule.state_dict(), "step": step,
                     "seconds": spent()}
            torch.save(state, resume.with_suffix(".tmp"))
            os.replace(resume.with_suffix(".tmp"), resume)

    torch.save(lora_state(model), args.out / "adapter.pt")
    export_gguf(lora_state(model), args.out / "adapter.gguf", args.alpha, architecture(args.base))
    summary = {
        "steps": step,
        "examples": len(data),
        "tokens": tokens,
        "rank": args.rank,
        "alpha": args.alpha,
        "lr": args.lr,
        "batch": args.batch,
        "max_len": args.max_len,
        "device": args.device if args.device == "cpu" else torch.cuda.get_device_name(),
        "seconds": spent(),
    }
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    log(f"wrote {args.out / 'adapter.gguf'}: {json.dumps(summary)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
