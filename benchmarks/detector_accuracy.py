"""How well a trained landmark detector (`sheap train-detector`) finds the 68 landmarks on held-out frames, against the
synthetic truth (`lmk68_clean`) and against the data's own detector-like annotations (`lmk68`), in pixels at the
detector's input size. Usage:
  python benchmarks/detector_accuracy.py --data SYNTH --detector DET --split test --out OUT.json [--device cuda]
      [--shifts 1]   # also the detector averaged over the 3 x 3 shifts of the image by 0, +-1 pixel (test-time averaging)
"""
import argparse, json
from pathlib import Path
import torch
import torch.nn.functional as F
from sheap.detector import annotated_frames, landmark_errors, load_detector

@torch.no_grad()
def shifted_mean(det, imgs: torch.Tensor, px: int) -> torch.Tensor: # uint8 [N, 3, S, S] -> [N, 68, 2] (0..1)
    "The detector's points averaged over the image shifted by each of (-px, 0, px) x (-px, 0, px) pixels, each shift undone."
    S, out = imgs.shape[-1], 0
    for dx in (-px, 0, px):
        for dy in (-px, 0, px):
            pts = []
            for i in range(0, len(imgs), 64):
                x = F.pad(imgs[i:i + 64].float() / 255, (px, px, px, px), mode="replicate")
                pts.append(det(x[..., px + dy:px + dy + S, px + dx:px + dx + S]))   # the content moves by (-dx, -dy)
            out = out + torch.cat(pts) + torch.tensor([dx, dy], dtype=torch.float32) / S
    return out / 9

def stats(e: torch.Tensor, size: int) -> dict:
    e = e[torch.isfinite(e)] * size
    return dict(median_px=round(float(e.median()), 3), mean_px=round(float(e.mean()), 3), p90_px=round(float(e.quantile(0.9)), 3))

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True); ap.add_argument("--detector", required=True)
    ap.add_argument("--split", default="test"); ap.add_argument("--out", required=True)
    ap.add_argument("--max-videos", type=int, default=None); ap.add_argument("--device", default="cpu")
    ap.add_argument("--shifts", type=int, default=0, help="also score the detector averaged over 3 x 3 shifts of this many pixels")
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
    if a.shifts:
        p = shifted_mean(det, imgs.to(a.device), a.shifts).cpu()
        res[f"detector_mean_of_9_shifts_{a.shifts}px_vs_truth"] = stats((p - clean).norm(dim=-1), S)
    print(json.dumps({k: v for k, v in res.items() if k != "detector"}))
    with open(a.out, "w") as f: json.dump(res, f, indent=1)

if __name__ == "__main__": main()
