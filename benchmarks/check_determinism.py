"""Train the `cpu-tiny` configuration twice and compare the weights bit for bit (CPU).

    python benchmarks/check_determinism.py --steps 30 --out runs/determinism            # two plain runs
    python benchmarks/check_determinism.py --steps 30 --busy 2 --out runs/determinism   # the second beside 2 busy loops

Each run is `sheap train` on `params.yaml` (the data stage's `data/synthetic` must exist: `dvc repro data`) with the
given number of steps and no validation, images or intermediate checkpoints. `--size` and `--vit-size` shrink the
run. Prints, and writes to `OUT/determinism.json`, how many weight tensors differ and by how much.
"""
from __future__ import annotations
import argparse, json, os, subprocess, sys
from contextlib import contextmanager
from pathlib import Path
import torch
from safetensors.torch import load_file


@contextmanager
def busy(n: int):
    "`n` spinning processes for the duration of the block (a loaded machine)."
    hogs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(n)]
    try: yield
    finally:
        for h in hogs: h.kill()


def train(out: Path, steps: int, size: int | None, vit_size: int | None, n_busy: int) -> dict[str, torch.Tensor]:
    "One `sheap train` run into `out`, with `n_busy` spinning processes beside it; its weights."
    extra = [a for k, v in (("train.size", size), ("train.vit_size", vit_size), ("train.dino_size", vit_size)) if v for a in ("-S", f"{k}={v}")]
    with busy(n_busy):
        subprocess.run([sys.executable, "-m", "sheap.train", "-S", f"train.out={out}", "-S", f"train.steps={steps}", "-S", "train.metrics=null",
                        "-S", "train.eval_every=0", "-S", "train.image_every=0", "-S", "train.progress=false",
                        "-S", f"train.ckpt_every={steps}", *extra, "--overwrite"], check=True, env=dict(os.environ))
    return load_file(out / "model.safetensors")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, required=True); p.add_argument("--steps", type=int, default=30)
    p.add_argument("--busy", type=int, default=0, help="spinning processes beside the second run")
    p.add_argument("--size", type=int, default=None); p.add_argument("--vit-size", type=int, default=None)
    a = p.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    w1 = train(a.out / "first", a.steps, a.size, a.vit_size, 0)
    w2 = train(a.out / "second", a.steps, a.size, a.vit_size, a.busy)
    diff = {k: float((w1[k].double() - w2[k].double()).abs().max()) for k in w1 if not torch.equal(w1[k], w2[k])}
    res = dict(steps=a.steps, busy=a.busy, threads=torch.get_num_threads(), tensors=len(w1), differing=len(diff),
               largest=dict(sorted(diff.items(), key=lambda kv: -kv[1])[:5]))
    print(json.dumps(res, indent=1))
    (a.out / "determinism.json").write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
