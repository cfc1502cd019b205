"""What a landmark detector's error is made of, on a synthetic split: the part along the pull towards the mean head's
landmarks (the synthetic annotations pull each video's points 0.35 x U(0.5, 1.5) of the way there, as real detectors
regress to the mean) and the rest. Per frame, the error e = points - truth is split by least squares into s * m + r,
m = (the mean-shape head's landmarks in the same pose, expression and camera) - truth: s is the frame's pull
(0: none, 1: all the way to the mean head), r what is left. Reported for the data's annotations and, with `--detector`,
for a trained detector's points; errors in pixels at the detector's input (112 px). Usage:
  python benchmarks/detector_shrink.py --data SYNTH --head-model HEAD --split test --out OUT.json [--detector DET]
"""
import argparse, json
from pathlib import Path
import numpy as np
import torch
from sheap.flame import FLAME
from sheap.cameras import project_points
from sheap.data import _manifest_videos

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True); ap.add_argument("--head-model", required=True)
    ap.add_argument("--split", default="test"); ap.add_argument("--detector", default=None); ap.add_argument("--out", required=True)
    a = ap.parse_args()
    flame, root = FLAME.from_file(a.head_model), Path(a.data)
    keys = ("shape", "expr", "pose", "eyelids", "trans", "viewmat", "K", "lmk68", "lmk68_clean")
    rows = {k: [] for k in keys}
    for v in _manifest_videos(root, a.split):
        with np.load(root / v["path"] / "annotations.npz") as f: d = {k: torch.from_numpy(f[k]).float() for k in keys}
        T = min(v["frames"], d["lmk68"].shape[0])
        for k in keys:
            x = d[k] if k not in ("shape", "viewmat", "K") else d[k].expand(T, *d[k].shape)
            rows[k].append(x[:T])
    d = {k: torch.cat(v) for k, v in rows.items()}
    side = float(d["K"][0, 0, 2] * 2)                                                   # the data's native image side
    def landmarks(shape):                                                              # [N, 68, 2] pixels at the native side
        out = flame(shape, d["expr"], d["pose"], eyelids=d["eyelids"] if flame.eyelid_dirs is not None else None, trans=d["trans"])
        return project_points(out.landmarks[:, :68], d["viewmat"], d["K"])[0]
    with torch.no_grad():
        truth, mean = landmarks(d["shape"][:, :flame.n_shape]), landmarks(torch.zeros(len(d["expr"]), flame.n_shape))
    res = dict(split=a.split, frames=len(truth), native_side=side,
               truth_check_px=round(float((truth - d["lmk68_clean"]).norm(dim=-1).max()), 4))    # the projection reproduces lmk68_clean
    px = 112 / side                                                                    # native pixels -> pixels at 112
    m = mean - truth
    def split(name, p):
        e = p - truth
        s = (e * m).sum((1, 2)) / (m * m).sum((1, 2)).clamp_min(1e-12)                  # [N] the frame's pull
        r = e - s[:, None, None] * m
        res[name] = dict(median_px=round(float(e.norm(dim=-1).median() * px), 3), pull_median=round(float(s.median()), 3),
                         pull_mean=round(float(s.mean()), 3), pull_std=round(float(s.std()), 3),
                         residual_median_px=round(float(r.norm(dim=-1).median() * px), 3),
                         pull_share_of_squared_error=round(float(1 - (r ** 2).sum() / (e ** 2).sum()), 3))
        print(name, res[name], flush=True)
    res["mean_head_vs_truth_median_px"] = round(float(m.norm(dim=-1).median() * px), 3)
    split("annotations", d["lmk68"])
    if a.detector:
        from sheap.detector import load_detector, annotated_frames
        det = load_detector(a.detector).eval()
        imgs = annotated_frames(root, a.split, det.cfg.image_size)[0]
        with torch.no_grad(): p = torch.cat([det(imgs[i:i + 64].float() / 255) for i in range(0, len(imgs), 64)])
        split("detector", p * side)
    Path(a.out).write_text(json.dumps(res, indent=1))

if __name__ == "__main__": main()
