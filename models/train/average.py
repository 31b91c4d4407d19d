#!/usr/bin/env python3
"""The exact average of LoRA adapters of one base model, as one GGUF adapter.

    python3 models/train/average.py --out averaged.gguf a.gguf b.gguf ...

Each adapter's update is B·A·(alpha/r). Stacking the A matrices and putting the B matrices
side by side gives one adapter of rank n·r whose update is the sum of theirs at alpha/(n·r),
that is their average when they share alpha and rank: no approximation, and nib applies it
like any adapter. Averaging the weights of runs that differ (here, in their examples' layout
and batching) is the cheapest ensemble there is: it costs the runs, not a second model.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import gguf
import numpy as np


def field(reader: gguf.GGUFReader, key: str):
    part = reader.fields[key]
    value = part.parts[part.data[0]]
    return bytes(value).decode() if part.types[0] == gguf.GGUFValueType.STRING else value[0]


def average(paths: list[Path], out: Path) -> int:
    readers = [gguf.GGUFReader(p) for p in paths]
    first = readers[0]
    arch, alpha = field(first, "general.architecture"), float(field(first, "adapter.lora.alpha"))
    names = [t.name for t in first.tensors]
    ranks = set()
    for path, reader in zip(paths, readers):
        if field(reader, "adapter.type") != "lora":
            sys.exit(f"average.py: {path} is not a LoRA adapter")
        if (field(reader, "general.architecture"), float(field(reader, "adapter.lora.alpha"))) != (arch, alpha):
            sys.exit(f"average.py: {path} differs from {paths[0]} in architecture or alpha")
        if sorted(t.name for t in reader.tensors) != sorted(names):
            sys.exit(f"average.py: {path} adapts other tensors than {paths[0]}")
        ranks |= {t.data.shape[0] for t in reader.tensors if t.name.endswith(".lora_a")}
    if len(ranks) != 1:
        sys.exit(f"average.py: the adapters' ranks differ ({sorted(ranks)}): their average needs one alpha/rank")
    writer = gguf.GGUFWriter(str(out), arch)
    writer.add_type("adapter")
    writer.add_string("adapter.type", "lora")
    writer.add_float32("adapter.lora.alpha", alpha)
    tensors = [{t.name: t for t in reader.tensors} for reader in readers]
    for name in names:
        # lora_a is (rank, in) in numpy's order, lora_b (out, rank).
        axis = 0 if name.endswith(".lora_a") else 1
        parts = [np.asarray(t[name].data, dtype=np.float32) for t in tensors]
        writer.add_tensor(name, np.ascontiguousarray(np.concatenate(parts, axis=axis)))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return len(paths) * ranks.pop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("adapters", type=Path, nargs="+")
    args = ap.parse_args()
    if len(args.adapters) < 2:
        sys.exit("average.py: give two adapters or more")
    rank = average(args.adapters, args.out)
    print(f"average.py: {args.out}, rank {rank}, the average of {len(args.adapters)} adapters", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
