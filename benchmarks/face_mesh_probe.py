"""Does mediapipe's face mesh carry identity shape on our synthetic heads? A supervised linear probe.

The `cpu-tiny` estimator's landmark branch (`model.landmarks`, `sheap.encoder.landmark_features`) reads mediapipe's face
mesh of its input image. Before training anything through it, this asks what the mesh holds: a ridge regression from
the branch's own input (`landmark_features` of `face_meshes` at the ViT's input size) to the **true** shape codes of a
training split (`sheap synth`), scored on held-out identities exactly as `sheap evaluate` scores the neutral mesh,
paired against the mean head. It cheats (it reads the true codes), so it is a probe of the input, not a model.

    sheap synth --out PROBE --model data/head_model/FLAME_NEUTRAL.pkl --split train --videos 600 --frames 2 --size 256 --seed 77
    python benchmarks/face_mesh_probe.py --train PROBE --test holdout:test data/synthetic:test --out OUT/probe.json
"""
from __future__ import annotations
import argparse, json
from pathlib import Path
import torch
from sheap.encoder import face_meshes, landmark_features
from sheap.eval.geometry import load_frames, geometry_errors, mean_head
from sheap.flame import FLAME
from sheap.report import paired


def features(root: str, split: str, size: int) -> tuple[torch.Tensor, torch.Tensor, object]: # [N, D], found [N], frames
    fr = load_frames(root, split, size, max_points=4000)
    f, found = landmark_features(face_meshes(fr.images))
    return f.double(), found, fr


def true_shapes(root: str, split: str) -> torch.Tensor: # [videos, S] in the manifest's order (as load_frames)
    import numpy as np
    man = json.loads((Path(root) / "manifest.json").read_text())
    return torch.stack([torch.from_numpy(np.load(Path(root) / v["path"] / "annotations.npz")["shape"]).double()
                        for v in man["videos"] if v["split"] == split])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train", required=True, help="synthetic dataset whose train split fits the probe")
    ap.add_argument("--test", nargs="+", required=True, help="FOLDER:SPLIT scored")
    ap.add_argument("--head-model", default="data/head_model/FLAME_NEUTRAL.pkl")
    ap.add_argument("--size", type=int, default=112, help="image size mediapipe sees (the ViT's input in cpu-tiny)")
    ap.add_argument("--components", type=int, default=50, help="shape codes predicted (the rest stay zero)")
    ap.add_argument("--ridge", type=float, nargs="+", default=[10.0, 100.0, 1000.0])
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    flame, K = FLAME.from_file(a.head_model), a.components
    X, found, fr = features(a.train, "train", a.size)
    Y = true_shapes(a.train, "train")[fr.video][:, :K]
    X, Y = X[found], Y[found]
    mu_x, mu_y = X.mean(0), Y.mean(0)
    sd = X.std(0).clamp_min(1e-6)
    Xn = (X - mu_x) / sd
    out = dict(args={k: str(v) for k, v in vars(a).items()}, train_frames=int(found.numel()), train_found=int(found.sum()), tests={})
    for spec in a.test:
        root, split = spec.rsplit(":", 1)
        Xt, ft, frt = features(root, split, a.size)
        base = geometry_errors(flame, frt, mean_head(flame, Xt.shape[0]))
        rows = {"mean head": dict(per_identity=base)}
        res = dict(frames=int(ft.numel()), found=int(ft.sum()), ridge={})
        for lam in a.ridge:
            W = torch.linalg.solve(Xn.T @ Xn + lam * torch.eye(Xn.shape[1], dtype=Xn.dtype), Xn.T @ (Y - mu_y))
            P = mean_head(flame, Xt.shape[0])
            pred = ((Xt - mu_x) / sd) @ W + mu_y
            P.shape[:, :K] = torch.where(ft[:, None], pred, 0).float()                 # no face: the mean shape
            rows["probe"] = dict(per_identity=geometry_errors(flame, frt, P))
            res["ridge"][str(lam)] = {m: paired(rows, "probe", "mean head", m) for m in ("neutral_median", "neutral_mean")}
            print(spec, f"ridge {lam:g}", {m: round(v["ratio"], 3) for m, v in res["ridge"][str(lam)].items()}, flush=True)
        out["tests"][spec] = res
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
