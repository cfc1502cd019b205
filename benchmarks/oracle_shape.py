"""Does the self-supervised objective prefer the true shape? A trained model's loss terms on training pairs with its
predicted source shape replaced by zero, the true shape, half of it and its negative, and the cosine between each
term's descent direction on `beta` and the direction to the truth; plus the landmark noise floor of the data.

    python benchmarks/oracle_shape.py --model models/sheap-tiny --data data/synthetic [--size 128] [--pairs 16]
"""
import argparse, json
from pathlib import Path
import numpy as np
import torch
from torch.utils.data import default_collate
from sheap.train import load_trained
from sheap.data import VideoPairs

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, required=True); ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--size", type=int, default=128); ap.add_argument("--pairs", type=int, default=16)
    a = ap.parse_args()
    torch.manual_seed(0)
    model = load_trained(a.model)
    model.step_cfg.random_background = False
    vit = model.estimator.cfg.image_size
    ds = VideoPairs(a.data, "train", size=a.size, vit_size=vit, dino_size=vit)
    batch = default_collate([ds[i] for i in range(0, len(ds), max(1, len(ds) // a.pairs))][:a.pairs])
    anns = [dict(np.load(a.data / ds.videos[int(k)]["path"] / "annotations.npz")) for k in batch["video"]]
    true = torch.stack([torch.from_numpy(n["shape"]).float() for n in anns])                   # [B, 300]
    floor = np.mean([np.abs(n["lmk68"] - n["lmk68_clean"]).mean() / n["K"][0, 2] for n in anns])   # K[0, 2] = W / 2: normalised units
    estimate = model.estimator
    class Replace(torch.nn.Module):                      # the estimator with the source rows' shape replaced
        def __init__(self): super().__init__(); self.shape = None
        def forward(self, x):
            e = estimate(x)
            if self.shape is not None:
                s = e.shape.clone(); s[:self.shape.shape[0]] = self.shape; e.shape = s
            return e
    model.estimator = rep = Replace()
    with torch.no_grad(): pred = estimate(batch["source_image_vit"]).shape                    # [B, S]
    true = true[:, :pred.shape[1]]
    rows = {}
    for name, beta in (("predicted", pred), ("zero", torch.zeros_like(pred)), ("true", true), ("half true", 0.5 * true), ("minus true", -true)):
        rep.shape = beta.clone().requires_grad_(True)
        out = model(batch)
        r = {k: float(v.detach()) for k, v in out.terms.items() if k in ("lmk", "l1", "normals", "depth")}
        for k in list(r):
            g, = torch.autograd.grad(out.terms[k], rep.shape, retain_graph=True)
            d = (true - beta).flatten()
            if d.abs().sum() > 0: r[f"cos_{k}"] = float(torch.nn.functional.cosine_similarity(-g.flatten(), d, dim=0))
        rows[name] = r
    res = dict(model=str(a.model), pairs=a.pairs, size=a.size, beta_norm_predicted=float(pred.norm(dim=-1).mean()),
               beta_norm_true=float(true.norm(dim=-1).mean()), landmark_noise_floor=float(floor), terms=rows)
    print(json.dumps(res, indent=1))

if __name__ == "__main__": main()
