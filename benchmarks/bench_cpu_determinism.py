"""PyTorch's deterministic CPU kernels, which `sheap train` uses on the CPU: do they repeat, and what do they cost?

    python benchmarks/bench_cpu_determinism.py --steps 40 --pairs 2 --out runs/bench_det.json

1. The op that made loaded runs part: the backward of indexing (`index_put_` with `accumulate=True`), 200,000 indices
   onto 41 entries, repeated `--repeats` times with PyTorch's default kernels and with the deterministic ones; counts
   the repeats that differ from the first in any bit.
2. Speed: `--pairs` alternations of a `--steps`-step `sheap train` of `params.yaml` in fresh processes, with the
   deterministic kernels (as `sheap train` runs) and without them (`sheap.train._train` called outside
   `cpu_determinism`); steps/s of each run from its wall time, model building included.
"""
from __future__ import annotations
import argparse, json, subprocess, sys, time
from pathlib import Path
import torch


def index_backward_repeats(deterministic: bool, repeats: int) -> int:
    "How many of `repeats` index backwards differ from the first, bit for bit."
    torch.manual_seed(0)
    x, idx, w = torch.randn(41, requires_grad=True), torch.randint(0, 41, (200_000,)), torch.linspace(0, 1, 200_000)
    before = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(deterministic)
    try:
        ref = torch.autograd.grad((x[idx] * w).sum(), x)[0]
        return sum(not torch.equal(ref, torch.autograd.grad((x[idx] * w).sum(), x)[0]) for _ in range(repeats))
    finally: torch.use_deterministic_algorithms(before)


def _run(deterministic: bool, argv: list[str]):
    "One training run in this process (the `_train` subcommand)."
    from sheap import train as T
    cfg = T.resolve_config("params.yaml", None, argv)
    rank, world, device = T.setup_distributed(cfg["base"]["device"])
    if deterministic: T.train(cfg, overwrite=True)
    else: T._train(cfg, rank, world, device, resume=False, overwrite=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=40); p.add_argument("--pairs", type=int, default=2)
    p.add_argument("--repeats", type=int, default=50); p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    res = dict(threads=torch.get_num_threads(), repeats=a.repeats,
               index_backward_differing=dict(default=index_backward_repeats(False, a.repeats), deterministic=index_backward_repeats(True, a.repeats)))
    print(json.dumps(res), flush=True)
    rates = dict(deterministic=[], default=[])
    for _ in range(a.pairs):
        for mode in ("deterministic", "default"):
            over = [f"train.out={a.out.parent / ('bench_det_' + mode)}", f"train.steps={a.steps}", f"train.ckpt_every={a.steps}",
                    "train.eval_every=0", "train.image_every=0", "train.metrics=null", "train.progress=false"]
            t0 = time.perf_counter()
            subprocess.run([sys.executable, __file__, "_train", mode, *over], check=True, capture_output=True)
            rates[mode].append(round(a.steps / (time.perf_counter() - t0), 3))
            print(mode, rates[mode][-1], "steps/s", flush=True)
    res.update(steps=a.steps, steps_per_s=rates)
    a.out.parent.mkdir(parents=True, exist_ok=True); a.out.write_text(json.dumps(res, indent=1))
    print(json.dumps(res))


if __name__ == "__main__":
    if sys.argv[1:2] == ["_train"]: _run(sys.argv[2] == "deterministic", sys.argv[3:])
    else: main()
