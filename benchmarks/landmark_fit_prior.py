"""How strong is the landmark-only baseline? Its shape prior's weight, swept on a selection split.

`sheap.eval.geometry.fit_landmarks` fits FLAME to the detected 68 landmarks with L2 priors on shape and expression.
This scores the fit at several shape-prior weights `w_shape`, with one shape per video (the evaluation's baseline:
all frames of an identity share it) and with one shape per frame (what a single-image predictor could at best read
from the landmarks), paired over identities against the mean head exactly as `sheap evaluate` does. Choose the
weight on a split that is not a reported test split:

    sheap synth --out SEL --model data/head_model/FLAME_NEUTRAL.pkl --split test --videos 32 --frames 4 --size 256 --seed 2025
    OMP_NUM_THREADS=2 python benchmarks/landmark_fit_prior.py --data SEL --out benchmarks/results/cpu_landmark_fit_prior.json
"""
from __future__ import annotations
import argparse, json, time
import numpy as np
import torch
from sheap.eval.geometry import load_frames, fit_landmarks, geometry_errors, mean_head
from sheap.flame import FLAME
from sheap.report import paired


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="a synthetic split written by `sheap synth`")
    ap.add_argument("--split", default="test")
    ap.add_argument("--head-model", default="data/head_model/FLAME_NEUTRAL.pkl")
    ap.add_argument("--priors", type=float, nargs="+", default=[1e-3, 3e-4, 1e-4, 3e-5, 1e-5])
    ap.add_argument("--per-frame", type=float, nargs="*", default=[1e-3, 3e-5], help="priors also fitted with one shape per frame")
    ap.add_argument("--size", type=int, default=224)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    flame = FLAME.from_file(a.head_model)
    fr = load_frames(a.data, a.split, a.size)
    rows = {"mean head": geometry_errors(flame, fr, mean_head(flame, fr.images.shape[0]))}
    seconds = {}
    runs = [(w, "video") for w in a.priors] + [(w, "frame") for w in a.per_frame]
    for w, per in runs:
        name = f"fit w_shape={w:g}, one shape per {per}"
        video = fr.video if per == "video" else torch.arange(fr.video.shape[0])
        t0 = time.time()
        rows[name] = geometry_errors(flame, fr, fit_landmarks(flame, fr.lmk68, video, fr.size, w_shape=w))
        seconds[name] = round(time.time() - t0, 1)
        res = {k: {"per_identity": {m: v.tolist() for m, v in e.items()}} for k, e in rows.items()}
        p = {m: paired(res, name, "mean head", m) for m in ("neutral_median", "posed_median")}
        print(f"{name}: neutral {p['neutral_median']['ratio']:.3f}x ({p['neutral_median']['diff']:+.3f} ± {p['neutral_median']['diff_se']:.3f} mm), "
              f"posed {p['posed_median']['ratio']:.3f}x ({p['posed_median']['diff']:+.3f} ± {p['posed_median']['diff_se']:.3f})", flush=True)
    res = {k: {"per_identity": {m: np.round(v, 4).tolist() for m, v in e.items()}} for k, e in rows.items()}
    out = dict(data=a.data, split=a.split, identities=len(fr.ids), frames=int(fr.video.shape[0]), size=a.size, seconds=seconds,
               paired={k: {m: paired(res, k, "mean head", m) for m in ("neutral_median", "posed_median", "neutral_mean", "posed_mean")}
                       for k in res if k != "mean head"},
               per_identity={k: r["per_identity"] for k, r in res.items()})
    with open(a.out, "w") as f: json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
