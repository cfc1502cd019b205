"""What a trained model gets of the head pose, and what the posed error owes to each part of the truth.

For each synthetic folder (its `test` split): the model's neutral and posed median errors paired against the mean
head (as `sheap evaluate`), the angle between its predicted head rotation (torso joint x neck joint) and the true one,
next to the true rotation's size (an error as large as the rotation itself: no head pose learnt), the mean angles of
its torso and neck joints, and oracle rows: the mean head given one part of the true parameters (expression, jaw,
neck, everything but the shape), scored on the posed metric.

    OMP_NUM_THREADS=2 python benchmarks/cpu_pose_diagnosis.py --model models/sheap-tiny --data data/synthetic holdout --out OUT.json
"""
from __future__ import annotations
import argparse, json
from pathlib import Path
import numpy as np
import torch
from sheap.eval.geometry import FlameParams, load_frames, geometry_errors, mean_head, model_predictor
from sheap.report import paired
from sheap.train import load_trained


def angle_deg(R: torch.Tensor) -> torch.Tensor: # [..., 3, 3] -> [...]
    return torch.rad2deg(torch.arccos(((R.diagonal(dim1=-2, dim2=-1).sum(-1) - 1) / 2).clamp(-1, 1)))


def truth(root: Path, split: str = "test") -> dict[str, torch.Tensor]:
    "The true parameters of every frame of a split, in the order of `load_frames`."
    vids = [v for v in json.loads((root / "manifest.json").read_text())["videos"] if v["split"] == split]
    t = {k: [] for k in ("shape", "expr", "pose", "eyelids")}
    for v in vids:
        with np.load(root / v["path"] / "annotations.npz") as a:
            n = a["pose"].shape[0]
            t["shape"].append(np.repeat(a["shape"][None], n, 0))
            for k in ("expr", "pose", "eyelids"): t[k].append(a[k])
    return {k: torch.from_numpy(np.concatenate(v)).float() for k, v in t.items()}


@torch.no_grad()
def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True)
    ap.add_argument("--data", type=Path, nargs="+", required=True)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args()
    model = load_trained(a.model)
    flame, vit = model.flame, model.estimator.cfg.image_size
    res = {}
    for root in a.data:
        fr = load_frames(root, "test", size=vit)
        t, N = truth(root), fr.images.shape[0]
        p = model_predictor(model)(fr.images)
        m = mean_head(flame, N)
        pad = lambda x, n: torch.cat([x, x.new_zeros(x.shape[0], n - x.shape[1])], 1)[:, :n]
        expr = pad(t["expr"], flame.n_expr)
        def posed_with(joints): # the mean head's pose with the true rotations of some joints
            P = m.pose.clone(); P[:, joints] = t["pose"][:, joints]; return P
        base = geometry_errors(flame, fr, m)
        def vs_mean(q): # sheap.report.paired against the mean head
            rows = {"q": dict(per_identity=geometry_errors(flame, fr, q)), "mean head": dict(per_identity=base)}
            return {k: paired(rows, "q", "mean head", k) for k in ("neutral_median", "posed_median")}
        head_p, head_t = p.pose[:, 0] @ p.pose[:, 1], t["pose"][:, 0] @ t["pose"][:, 1]
        oracles = {"true expression": FlameParams(m.shape, expr, m.pose, m.eyelids, m.trans),
                   "true expression and jaw": FlameParams(m.shape, expr, posed_with([2]), m.eyelids, m.trans),
                   "true neck rotation": FlameParams(m.shape, m.expr, posed_with([1]), m.eyelids, m.trans),
                   "true torso rotation": FlameParams(m.shape, m.expr, posed_with([0]), m.eyelids, m.trans),
                   "all true but the shape": FlameParams(m.shape, expr, t["pose"], t["eyelids"], m.trans)}
        res[root.name] = dict(
            identities=len(fr.ids), frames=N, model=vs_mean(p),
            head_rotation_error_deg=float(angle_deg(head_p.transpose(1, 2) @ head_t).mean()), true_head_rotation_deg=float(angle_deg(head_t).mean()),
            predicted_torso_neck_deg=[float(angle_deg(p.pose[:, j]).mean()) for j in (0, 1)],
            true_torso_neck_deg=[float(angle_deg(t["pose"][:, j]).mean()) for j in (0, 1)],
            predicted_expr_norm=float(p.expr.norm(dim=-1).mean()), true_expr_norm=float(t["expr"].norm(dim=-1).mean()),
            oracles_posed={k: vs_mean(q)["posed_median"]["ratio"] for k, q in oracles.items()})
        r = res[root.name]
        print(root.name, {k: round(v["ratio"], 4) for k, v in r["model"].items()}, f"head rotation error {r['head_rotation_error_deg']:.1f} "
              f"of {r['true_head_rotation_deg']:.1f} deg", {k: round(v, 3) for k, v in r["oracles_posed"].items()})
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(dict(model=str(a.model), data=[str(d) for d in a.data], results=res), indent=1))


if __name__ == "__main__":
    main()
