"""Why does the landmark branch stop near 0.9x the mean head? mediapipe's accuracy on our renders, measured.

The landmark branch reads mediapipe's face mesh of the image; the landmark-only baseline of the evaluation fits FLAME
to the data's 68 landmarks, which the synthetic generator makes as a detector would (the true projections plus
jitter, shrink, contour slide and outliers: `SynthConfig.lmk_noise_px` and friends). Are mediapipe's points on these
renders as good as that simulated detector? This measures, on one split:

1. the 2D error (pixels at `--size`) of mediapipe's points against the true projections of the same points
   (`lmk_dense_clean`, the K points of mediapipe's 478 that the head model's embedding places), and of the data's 68
   landmarks against theirs (`lmk68_clean`);
2. FLAME fits with one shape per video (the baseline's protocol, shape prior `--w-shape`) to (a) the data's 68
   landmarks (the evaluation's baseline), (b) mediapipe's K points, (c) the true projections of the same K points;
   scored as `sheap evaluate` scores a predictor, paired over identities against the mean head.

(b) against (c) is the cost of mediapipe's accuracy to anything that reads its points; (b) against the branch's
0.90x is the cost of reading them through a linear map instead of a fit. With `--bias-videos N`, (d) asks whether
that cost is a constant offset of each point (our head model's embedding placing it elsewhere than mediapipe does):
each point's mean 2D error over the first N training identities of the same folder (against the truth: a probe, not
a method) is subtracted from mediapipe's points before the fit.

    sheap synth --out SEL --model data/head_model/FLAME_NEUTRAL.pkl --split test --videos 64 --frames 2 --size 256 --seed 2025
    OMP_NUM_THREADS=2 python benchmarks/mediapipe_accuracy.py --data SEL --out benchmarks/results/cpu_mediapipe_accuracy.json
    sheap synth --out SEL --model data/head_model/FLAME_NEUTRAL.pkl --split train --videos 600 --frames 2 --size 256 --seed 77
    OMP_NUM_THREADS=2 python benchmarks/mediapipe_accuracy.py --data SEL --sizes 256 --bias-videos 300 --out benchmarks/results/cpu_mediapipe_bias.json
"""
from __future__ import annotations
import argparse, json, time
from pathlib import Path
import numpy as np
import torch
from sheap.encoder import face_meshes
from sheap.eval.geometry import fit_landmarks, geometry_errors, load_frames, mean_head
from sheap.flame import FLAME
from sheap.report import paired


def clean_points(root: str, split: str, size: int, fr) -> tuple[torch.Tensor, torch.Tensor]: # [N, 478, 2], [N, 68, 2] pixels of `size`
    "The true projections of mediapipe's 478 points and of the 68 landmarks, in `load_frames`' order."
    man = json.loads((Path(root) / "manifest.json").read_text())
    vids = {v["id"]: v for v in man["videos"] if v["split"] == split}
    dense, l68 = [], []
    for k, vid in enumerate(fr.ids):
        v, T = vids[vid], int((fr.video == k).sum())
        with np.load(Path(root) / v["path"] / "annotations.npz") as a:
            s = size / float(a["K"][0, 2] * 2)                                            # annotations are in the frame's pixels
            dense.append(torch.from_numpy(a["lmk_dense_clean"][:T]).float() * s); l68.append(torch.from_numpy(a["lmk68_clean"][:T]).float() * s)
    return torch.cat(dense), torch.cat(l68)


def px_stats(d: torch.Tensor) -> dict:  # [N, L] pixel distances, NaN: missing
    d = d[torch.isfinite(d)]
    return dict(median=float(d.median()), mean=float(d.mean()), p90=float(d.quantile(0.9)))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="a synthetic split written by `sheap synth` (not a reported test split)")
    ap.add_argument("--split", default="test")
    ap.add_argument("--head-model", default="data/head_model/FLAME_NEUTRAL.pkl")
    ap.add_argument("--sizes", type=int, nargs="+", default=[256, 112], help="image sizes mediapipe sees (112: the ViT input of cpu-tiny)")
    ap.add_argument("--w-shape", type=float, default=3e-5)
    ap.add_argument("--bias-videos", type=int, default=0, help="also fit with each point's mean error on this many training identities removed")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    torch.manual_seed(0)
    flame = FLAME.from_file(a.head_model)
    if not flame.has_mediapipe: raise SystemExit(f"{a.head_model}: no mediapipe_landmark_embedding.npz beside it")
    idx = flame.mp_indices                                                                   # [K] of 478
    out = dict(args=vars(a), points=int(idx.numel()), sizes={})
    for size in a.sizes:
        fr = load_frames(a.data, a.split, size)
        dense, l68 = clean_points(a.data, a.split, size, fr)
        t0 = time.time()
        mesh = face_meshes(fr.images)                                                        # [N, 478, 3], x y in [0, 1]
        det = mesh[..., :2] * size                                                           # pixels of `size`
        found = torch.isfinite(mesh).all(-1).all(-1)
        res = dict(frames=int(found.numel()), found=int(found.sum()), mediapipe_seconds=round(time.time() - t0, 1),
                   px_error=dict(mediapipe_K=px_stats((det[:, idx] - dense[:, idx]).norm(dim=-1)),
                                 data_68=px_stats((fr.lmk68 - l68).norm(dim=-1))))
        score = lambda p: dict(per_identity={m: v.tolist() for m, v in geometry_errors(flame, fr, p).items()})
        rows = {"mean head": score(mean_head(flame, fr.images.shape[0])),
                "fit to the data's 68 landmarks": score(fit_landmarks(flame, fr.lmk68, fr.video, size, w_shape=a.w_shape)),
                "fit to mediapipe's K points": score(fit_landmarks(flame, det[:, idx], fr.video, size, w_shape=a.w_shape, points="mediapipe")),
                "fit to the true K points": score(fit_landmarks(flame, dense[:, idx], fr.video, size, w_shape=a.w_shape, points="mediapipe"))}
        if a.bias_videos:
            frb = load_frames(a.data, "train", size, max_videos=a.bias_videos)
            r = face_meshes(frb.images)[:, idx, :2] * size - clean_points(a.data, "train", size, frb)[0][:, idx]   # [M, K, 2]
            r = r[torch.isfinite(r).all(-1).all(-1)]
            bias = r.mean(0)                                                                   # [K, 2] each point's mean error
            e = (det[:, idx] - dense[:, idx])[found]
            res["bias"] = dict(train_frames=int(r.shape[0]), bias_norm=px_stats(bias.norm(dim=-1)[None]),
                               train_error=px_stats(r.norm(dim=-1)), train_error_debiased=px_stats((r - bias).norm(dim=-1)),
                               test_error_debiased=px_stats((e - bias).norm(dim=-1)))
            rows["fit to mediapipe's K points, mean error removed"] = score(fit_landmarks(flame, det[:, idx] - bias, fr.video, size, w_shape=a.w_shape, points="mediapipe"))
        res["vs mean head"] = {name: {m: paired(rows, name, "mean head", m) for m in ("neutral_median", "posed_median")}
                               for name in rows if name != "mean head"}
        res["mediapipe vs true K points"] = {m: paired(rows, "fit to mediapipe's K points", "fit to the true K points", m) for m in ("neutral_median", "posed_median")}
        res["per_identity"] = {k: r["per_identity"] for k, r in rows.items()}
        out["sizes"][str(size)] = res
        print(size, json.dumps({k: v for k, v in res.items() if k != "per_identity"}, indent=1))
    Path(a.out).parent.mkdir(parents=True, exist_ok=True)
    Path(a.out).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
