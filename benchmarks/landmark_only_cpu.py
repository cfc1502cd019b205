"""Spend the `cpu-tiny` budget on the estimator alone: does it then beat the mean head?

A `cpu-tiny` training step costs ~0.74 s on 2 cores, of which the tiny ViT's forward and backward at batch 2 take
~18 ms (2 %): the 600-step run shows the estimator only 1,200 images. This trains the same estimator (params.yaml's
`model`, random initialisation) with the landmark loss and the squared 3DMM prior only (no Gaussians, no renderer),
at batch `--batch` for `--seconds`, on the frames of a synthetic split (`sheap synth`; the detected, noisy
landmarks), optionally with a random similarity jitter of image and landmarks (`--aug`: the scale range and the shift
as fractions of the image), then scores it as `sheap evaluate` does, paired over identities against the mean head.

    OMP_NUM_THREADS=2 python benchmarks/landmark_only_cpu.py --seconds 200 --lr 1e-3 --out OUT/a.json
    OMP_NUM_THREADS=2 python benchmarks/landmark_only_cpu.py --seconds 200 --lr 2e-4 --aug 0.2 --out OUT/b.json
    OMP_NUM_THREADS=2 python benchmarks/landmark_only_cpu.py --time-only --out OUT/time.json   # the estimator's cost alone
"""
from __future__ import annotations
import argparse, json, statistics, time
from pathlib import Path
import numpy as np
import torch
import torch.nn.functional as F
from sheap.cameras import default_camera, project_points
from sheap.eval.geometry import load_frames, geometry_errors, mean_head, model_predictor
from sheap.losses import landmark_loss, flame_regularisers
from sheap.report import paired
from sheap.train import resolve_config, build_model


def jitter(x: torch.Tensor, lmk: torch.Tensor, amount: float, g: torch.Generator): # [B, 3, S, S], [B, 68, 2] pixels
    "Random scale (1 +- amount/2) about the centre and shift (+- amount/2 of the side), the same on image and landmarks."
    B, S = x.shape[0], x.shape[-1]
    s = 1 + amount * (torch.rand(B, generator=g) - 0.5)
    d = amount * (torch.rand(B, 2, generator=g) - 0.5) * S
    theta = torch.zeros(B, 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = 1 / s
    theta[:, :, 2] = -d / (S / 2) / s[:, None]
    x = F.grid_sample(x, F.affine_grid(theta, list(x.shape), align_corners=False), align_corners=False, padding_mode="border")
    return x, (lmk - S / 2) * s[:, None, None] + S / 2 + d[:, None]


def vs_mean_head(model: dict, base: dict) -> dict:
    "`sheap.report.paired` of per-identity errors (`geometry_errors`) against the mean head's."
    rows = {"model": dict(per_identity=model), "mean head": dict(per_identity=base)}
    return {k: paired(rows, "model", "mean head", k) for k in ("neutral_median", "posed_median")}


def time_estimator(est, batches: list[int], size: int, repeats: int = 7) -> dict[str, float]:
    "Median wall time (ms) of the estimator's forward and backward at each batch size."
    out = {}
    for b in batches:
        x, ts = torch.rand(b, 3, size, size), []
        for _ in range(repeats + 1):
            t = time.perf_counter()
            e = est(x)
            sum(v.float().pow(2).mean() for v in (e.shape, e.expr, e.pose6d, e.trans)).backward()
            ts.append(time.perf_counter() - t)
        out[f"batch_{b}"] = round(1e3 * statistics.median(ts[1:]), 1)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--params", default="params.yaml")
    ap.add_argument("--data", default="data/synthetic", help="synthetic dataset (train split: training frames)")
    ap.add_argument("--test", default="data/synthetic:test", help="FOLDER:SPLIT[,FOLDER:SPLIT] scored at the end")
    ap.add_argument("--seconds", type=float, default=200)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--w-prior", type=float, default=2e-4, help="weight of |beta|^2 + |psi|^2 relative to the landmark L1")
    ap.add_argument("--aug", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time-only", action="store_true", help="only time the estimator's forward and backward (batch 2 and --batch)")
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    cfg = resolve_config(a.params)
    model = build_model(cfg, "cpu")
    est, flame, S = model.estimator, model.flame, cfg["train"]["vit_size"]
    if a.time_only:
        t = dict(threads=torch.get_num_threads(), vit_size=S, forward_backward_ms=time_estimator(est, [2, a.batch], S))
        a.out.parent.mkdir(parents=True, exist_ok=True); a.out.write_text(json.dumps(t, indent=1)); print(t)
        return
    tr = load_frames(a.data, "train", size=S)
    opt = torch.optim.Adam(est.parameters(), lr=a.lr)
    V, K = default_camera(a.batch, S, S)
    g = torch.Generator().manual_seed(a.seed)
    curve, step, t0 = [], 0, time.perf_counter()
    while time.perf_counter() - t0 < a.seconds:
        idx = torch.randint(tr.images.shape[0], (a.batch,), generator=g)
        x, y = tr.images[idx], tr.lmk68[idx]
        if a.aug > 0: x, y = jitter(x, y, a.aug, g)
        e = est(x)
        lm, _ = project_points(flame(e.shape, e.expr, e.pose, e.eyelids, e.trans).landmarks, V, K)
        l_lmk = landmark_loss(lm, y, S, S)
        r_shape, r_expr = flame_regularisers(e.shape, e.expr, "squared")
        loss = l_lmk + a.w_prior * (r_shape + r_expr)
        opt.zero_grad(); loss.backward(); opt.step(); step += 1
        if step % 100 == 0: curve.append((step, round(l_lmk.item(), 4), round(r_shape.item(), 3)))
    est.eval()
    scores = {}
    for spec in a.test.split(","):
        root, split = spec.rsplit(":", 1)
        fr = load_frames(root, split, size=S)
        base = geometry_errors(flame, fr, mean_head(flame, fr.images.shape[0]))
        scores[spec] = vs_mean_head(geometry_errors(flame, fr, model_predictor(model)(fr.images)), base)
        print(spec, {k: round(v["ratio"], 4) for k, v in scores[spec].items()})
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(dict(args={k: str(v) for k, v in vars(a).items()}, steps=step, images=step * a.batch,
                                     train_frames=int(tr.images.shape[0]), seconds_with_scoring=round(time.perf_counter() - t0, 1),
                                     curve_step_lmk_shape2=curve, vs_mean_head=scores), indent=1))


if __name__ == "__main__":
    main()
