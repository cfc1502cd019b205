"""A ceiling for learning shape: the parameter estimator trained on the TRUE identity codes (3D supervision).

    python benchmarks/supervised_shape.py --data data/synthetic --test HOLDOUT --encoder tiny --vit-size 112 \
        --batch 2 --steps 600 --out runs/supervised/tiny.json                                 # the cpu-tiny budget
    python benchmarks/supervised_shape.py --data $W/synth --encoder small --vit-size 112 --batch 64 \
        --seconds 420 --device cuda --out $OUT/supervised_small.json                           # the gpu-bench estimator
    python benchmarks/supervised_shape.py --data $W/many0 $W/many1 --test $W/synth ...          # identities pooled

SHeaP never sees 3D truth; this script does. It is a reference, not a strict bound: does this estimator learn, from
these images and in this budget, a shape that carries over to new identities at all? The loss is the face-region vertex error of the neutral mesh, |D_face (beta_hat - beta)|^2
(D: the head model's shape basis), so components count by how far they move the face, as the benchmark does. At the
`--eval-at` steps and at the end it scores the neutral mesh (`sheap.eval.geometry`: similarity-aligned
point-to-surface, mm) on the test split against the mean head, paired over identities. Writes the curve as JSON
(rewritten after every score).
"""
from __future__ import annotations
import argparse, json, math, time
from pathlib import Path
import numpy as np
import torch
from sheap.data import _read_image, _resize
from sheap.encoder import EncoderConfig, ParameterEstimator
from sheap.flame import FLAME
from sheap.eval.geometry import load_frames, mean_head, geometry_errors, FlameParams, _face_vertices
from sheap.train import SMALL_ENCODER


class _Frames(torch.utils.data.Dataset):
    def __init__(self, items: list[tuple[Path, torch.Tensor]], size: int): self.items, self.size = items, size
    def __len__(self): return len(self.items)
    def __getitem__(self, i):
        path, beta = self.items[i]
        return (_resize(_read_image(path), self.size) * 255).round().to(torch.uint8), beta


def load_split(root: Path, split: str, size: int, max_videos: int | None, workers: int = 8) -> tuple[torch.Tensor, torch.Tensor, int]:
    "Images [N, 3, size, size] uint8, the true identity codes [N, S] of every frame of a synthetic split (decoded by `workers` processes), and the number of identities."
    vids = [v for v in json.loads((root / "manifest.json").read_text())["videos"] if v["split"] == split][:max_videos]
    if not vids: raise ValueError(f"{root}: no videos in split {split!r}")
    items = []
    for v in vids:
        d = root / v["path"]
        with np.load(d / "annotations.npz") as a: beta = torch.from_numpy(a["shape"]).float()
        items += [(d / "frames" / f"{t:06d}.jpg", beta) for t in range(v["frames"])]
    dl = torch.utils.data.DataLoader(_Frames(items, size), batch_size=256, num_workers=workers)
    imgs, codes = zip(*dl)
    return torch.cat(imgs), torch.cat(codes), len(vids)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, nargs="+", required=True, help="`sheap synth` folders with a train split (their identities are pooled)")
    p.add_argument("--test", type=Path, default=None, help="folder with the test split (default: the first --data)")
    p.add_argument("--head-model", type=Path, default=None, help="default: DATA/../head_model/FLAME_NEUTRAL.pkl of the first --data")
    p.add_argument("--encoder", choices=("tiny", "small", "paper"), default="tiny"); p.add_argument("--vit-size", type=int, default=112)
    p.add_argument("--batch", type=int, default=2); p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--steps", type=int, default=600); p.add_argument("--seconds", type=float, default=None, help="stop after this long instead")
    p.add_argument("--eval-at", type=int, nargs="*", default=[], help="steps at which to score the test split (and at the end)")
    p.add_argument("--test-frames", type=int, default=4)
    p.add_argument("--max-videos", type=int, default=None); p.add_argument("--device", default="cpu"); p.add_argument("--seed", type=int, default=0)
    p.add_argument("--workers", type=int, default=8, help="processes decoding the training frames")
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    torch.manual_seed(a.seed); dev = torch.device(a.device)
    head = a.head_model or a.data[0].parent / "head_model" / "FLAME_NEUTRAL.pkl"
    flame = FLAME.from_file(head).to(dev)
    face = _face_vertices(flame).to(dev)
    D = flame.shapedirs[face].reshape(-1, flame.n_shape) * 1e3                     # [3F, S] mm per unit code
    t0 = time.time()
    parts = [load_split(d, "train", a.vit_size, a.max_videos, a.workers) for d in a.data]   # --max-videos: per folder
    images, codes, n_ids = torch.cat([q[0] for q in parts]).to(dev), torch.cat([q[1] for q in parts]).to(dev), sum(q[2] for q in parts)
    del parts
    fr = load_frames(a.test or a.data[0], "test", a.vit_size, max_frames=a.test_frames)
    print(f"train {tuple(images.shape)} ({codes.shape[0]} frames), test {len(fr.ids)} identities, loaded in {time.time() - t0:.0f} s", flush=True)
    kw = dict(tiny=EncoderConfig.tiny, small=lambda **k: EncoderConfig(**{**SMALL_ENCODER, **k}), paper=EncoderConfig)[a.encoder]
    est = ParameterEstimator(kw(image_size=a.vit_size)).to(dev)
    opt = torch.optim.Adam(est.parameters(), lr=a.lr)
    mh = mean_head(flame, fr.images.shape[0], dev)
    base = geometry_errors(flame, fr, mh, dev)["neutral_median"]

    @torch.no_grad()
    def score(step: int) -> dict:
        est.eval()
        shape = torch.cat([est(fr.images[i:i + 64].to(dev)).shape for i in range(0, fr.images.shape[0], 64)])
        est.train()
        e = geometry_errors(flame, fr, FlameParams(shape, mh.expr, mh.pose, mh.eyelids, mh.trans), dev)["neutral_median"]
        d = e - base
        r = dict(step=step, seconds=round(time.time() - t1, 1), neutral_median=float(e.mean()), mean_head=float(base.mean()),
                 ratio=float(e.mean() / base.mean()), diff=float(d.mean()), diff_se=float(d.std(ddof=1) / math.sqrt(len(d))),
                 better=float((d < 0).mean()))
        print(json.dumps(r), flush=True)
        return r

    curve, losses, t1, step = [], [], time.time(), 0
    a.out.parent.mkdir(parents=True, exist_ok=True)
    def write():                                  # after every score: a run cut short keeps what it measured
        res = dict(encoder=a.encoder, vit_size=a.vit_size, batch=a.batch, lr=a.lr, seed=a.seed, steps=step, train_frames=int(codes.shape[0]),
                   train_identities=n_ids, test_identities=len(fr.ids), device=str(dev), final=curve[-1], curve=curve, loss=losses)
        tmp = a.out.with_name(a.out.name + ".tmp"); tmp.write_text(json.dumps(res, indent=1)); tmp.replace(a.out)
    while step < a.steps if a.seconds is None else time.time() - t1 < a.seconds:
        i = torch.randint(0, images.shape[0], (a.batch,), device=dev)
        err = (est(images[i].float() / 255).shape - codes[i]) @ D.T                     # [B, 3F] mm
        loss = err.pow(2).mean()
        opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); step += 1
        if step % 50 == 0: losses.append((step, float(loss.detach())))
        if step in a.eval_at: curve.append(score(step)); write()
    if not curve or curve[-1]["step"] != step: curve.append(score(step)); write()

if __name__ == "__main__":
    main()
