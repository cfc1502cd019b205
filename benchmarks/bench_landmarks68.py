"""`FLAME.landmarks68` against `FLAME.forward(...).landmarks`: the same points, and the time of each (CPU, float32).

    python benchmarks/bench_landmarks68.py [--batch 400] [--repeats 9] [--head-model data/head_model/FLAME_NEUTRAL.pkl] [--out F.json]

Forward only and forward + backward (through shape, expression and pose, as a landmark fit does), median of
`--repeats` after one warm-up; prints and optionally writes the medians and their ratio.
"""
import argparse, json, statistics, time
from pathlib import Path

import torch

from sheap.flame import FLAME, axis_angle_to_matrix

def _median_ms(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter(); fn(); times.append(1e3 * (time.perf_counter() - t0))
    return statistics.median(times)

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--batch", type=int, default=400)
    ap.add_argument("--repeats", type=int, default=9)
    ap.add_argument("--head-model", default="data/head_model/FLAME_NEUTRAL.pkl")
    ap.add_argument("--out")
    a = ap.parse_args()
    if not Path(a.head_model).is_file(): raise SystemExit(f"{a.head_model}: no head model (run `dvc repro head_model`)")
    flame = FLAME.from_file(a.head_model)
    g = torch.Generator().manual_seed(0)
    B = a.batch
    shape, expr = torch.randn(B, 100, generator=g).requires_grad_(), torch.randn(B, 50, generator=g).requires_grad_()
    pose = axis_angle_to_matrix(0.3 * torch.randn(B, 5, 3, generator=g)).requires_grad_()
    trans = 0.01 * torch.randn(B, 3, generator=g)
    full = lambda: flame(shape, expr, pose, trans=trans).landmarks
    fast = lambda: flame.landmarks68(shape, expr, pose, trans=trans)
    with torch.no_grad(): diff = float((full() - fast()).abs().max())
    def fb(f): return lambda: torch.autograd.grad(f().square().sum(), (shape, expr, pose))
    with torch.no_grad():
        fwd = {"forward": _median_ms(full, a.repeats), "landmarks68": _median_ms(fast, a.repeats)}
    bwd = {"forward": _median_ms(fb(full), a.repeats), "landmarks68": _median_ms(fb(fast), a.repeats)}
    res = dict(batch=B, repeats=a.repeats, threads=torch.get_num_threads(), max_abs_difference_m=diff,
               forward_ms=fwd, forward_backward_ms=bwd,
               ratio_forward=fwd["forward"] / fwd["landmarks68"], ratio_forward_backward=bwd["forward"] / bwd["landmarks68"])
    print(json.dumps(res, indent=1))
    if a.out: Path(a.out).write_text(json.dumps(res, indent=1))

if __name__ == "__main__": main()
