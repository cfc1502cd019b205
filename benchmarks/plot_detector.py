"""A trained landmark detector's points on held-out frames, beside the annotations it learnt from and the truth.

    python benchmarks/plot_detector.py --data SYNTH --detector DET --out figures/detector_points.png [--split test] [--frames 4]

Each panel is one test frame (the first frame of the first `--frames` videos) at the detector's input size, enlarged:
green dots, the true projections (`lmk68_clean`); red crosses, the detector-like annotations (`lmk68`, what the
detector and the landmark loss are trained on); blue pluses, the detector. The titles give each frame's median error
against the truth in pixels at the detector's input size.
"""
from __future__ import annotations
import argparse
from pathlib import Path
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import torch
from sheap.detector import annotated_frames, load_detector


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, required=True); p.add_argument("--detector", type=Path, required=True)
    p.add_argument("--split", default="test"); p.add_argument("--frames", type=int, default=4)
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    det = load_detector(a.detector).eval()
    S = det.cfg.image_size
    imgs, noisy, vid = annotated_frames(a.data, a.split, S, a.frames)
    clean = annotated_frames(a.data, a.split, S, a.frames, key="lmk68_clean")[1]
    first = torch.cat([torch.ones(1, dtype=torch.bool), vid[1:] != vid[:-1]])          # the first frame of each video
    imgs, noisy, clean = imgs[first], noisy[first], clean[first]
    with torch.no_grad(): pred = det(imgs.float() / 255)                                 # [n, 68, 2], over the image side
    fig, axs = plt.subplots(1, len(imgs), figsize=(3.2 * len(imgs), 3.5), squeeze=False)
    for ax, im, c, n, d in zip(axs[0], imgs, clean * S, noisy * S, pred * S):
        ax.imshow(im.permute(1, 2, 0).numpy(), extent=(0, S, S, 0))
        ax.scatter(*c.T, s=9, c="lime", label="truth")
        ax.scatter(*n.T, s=14, c="red", marker="x", linewidths=0.8, label="annotation")
        ax.scatter(*d.T, s=16, c="deepskyblue", marker="+", linewidths=0.9, label="detector")
        e = lambda x: float((x - c).norm(dim=-1).median())
        ax.set_title(f"detector {e(d):.2f} px, annotation {e(n):.2f} px", fontsize=8); ax.axis("off")
    axs[0, 0].legend(loc="lower left", fontsize=7, framealpha=0.7)
    fig.suptitle(f"68 landmarks at {S} px: median error against the truth", fontsize=9)
    fig.tight_layout()
    a.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(a.out, dpi=90)
    print(f"wrote {a.out}")


if __name__ == "__main__": main()
