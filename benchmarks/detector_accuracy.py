"""How well a trained landmark detector (`sheap train-detector`) finds the 68 landmarks on held-out frames, against the
synthetic truth (`lmk68_clean`) and against the data's own detector-like annotations (`lmk68`), in pixels at the
detector's input size. Usage:
  python benchmarks/detector_accuracy.py --data SYNTH --detector DET --split test --out OUT.json [--device cuda]
"""
import argparse, json
from pathlib import Path
import torch
from sheap.detector import annotated_frames, landmark_errors, load_detector

def stats(e: torch.Tensor, size: int) -> dict:
    e = e[torch.isfinite(e)] * size
    return dict(median_px=round(float(e.median()), 3), mean_px=round(float(e.mean()), 3), p90_px=round(float(e.quantile(0.9)), 3))

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True); ap.add_argument("--detector", required=True)
    ap.add_argument("--split", default="test"); ap.add_argument("--out", required=True)
    ap.add_argument("--max-videos", type=int, default=None); ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    det = load_detector(a.detector, a.device).eval()
    S = det.cfg.image_size
    imgs, noisy, vid = annotated_frames(a.data, a.split, S, a.max_videos)
    _, clean, _ = annotated_frames(a.data, a.split, S, a.max_videos, key="lmk68_clean")
    e = landmark_errors(det, imgs, clean)
    res = dict(split=a.split, frames=len(imgs), identities=int(vid.max()) + 1, size=S,
               detector_vs_truth=stats(e, S), annotations_vs_truth=stats((noisy - clean).norm(dim=-1), S),
               detector_vs_annotations=stats(landmark_errors(det, imgs, noisy), S),
               detector=json.loads((Path(a.detector) / "detector.json").read_text()).get("train"))
    print(json.dumps({k: v for k, v in res.items() if k != "detector"}))
    with open(a.out, "w") as f: json.dump(res, f, indent=1)

if __name__ == "__main__": main()
