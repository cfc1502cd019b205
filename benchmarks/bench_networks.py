"""Forward+backward time of the parameter estimator (ViT) and the Gaussians regressor at the paper's size.

GPU:  python benchmarks/bench_networks.py --out $OUT --cuda      (bf16 autocast, batch 8)
CPU:  python benchmarks/bench_networks.py --out runs/bench_net --tiny --batch 2

The regressor runs on the procedural head (10,294 faces, like FLAME's 9,976) with 2 Gaussians per face; its DINOv2
input is a random [B, 1 + 32*32, 768] token tensor (the frozen DINOv2 itself is not timed). Writes `networks.json`
with medians over --repeats runs after 2 warm-up runs, in milliseconds.
"""
from __future__ import annotations
import argparse, json, sys, tempfile
from pathlib import Path
import torch
from sheap.headmodel import write_head_model
from sheap.flame import FLAME
from sheap.encoder import ParameterEstimator, EncoderConfig, n_params
from sheap.regressor import GaussiansRegressor, RegressorConfig, face_uvs
sys.path.insert(0, str(Path(__file__).parent))
from bench_render import timeit  # noqa: E402  (median over repeats after warm-up, CUDA-synchronised)


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--out", type=Path, required=True); p.add_argument("--cuda", action="store_true")
    p.add_argument("--tiny", action="store_true"); p.add_argument("--batch", type=int, default=8)
    p.add_argument("--repeats", type=int, default=20); p.add_argument("--dtype", default="bf16", choices=("bf16", "fp32"))
    p.add_argument("--compile", action="store_true", help="torch.compile the regressor's graph network blocks")
    a = p.parse_args(argv)
    dev = "cuda" if a.cuda else "cpu"
    torch.manual_seed(0)
    tmp = Path(tempfile.mkdtemp()); flame = FLAME.from_file(write_head_model(tmp, seed=0))
    ecfg = EncoderConfig.tiny() if a.tiny else EncoderConfig.paper()
    rcfg = RegressorConfig.tiny() if a.tiny else RegressorConfig.paper()
    est = ParameterEstimator(ecfg).to(dev)
    reg = GaussiansRegressor(rcfg, flame.faces, face_uvs(flame)).to(dev)
    if a.compile:
        for blk in reg.blocks: blk.compile()
    B = a.batch
    img = torch.rand(B, 3, 224, 224, device=dev)
    tokens = torch.randn(B, 1 + 32 * 32, rcfg.d_dino, device=dev)
    f_in = torch.randn(B, rcfg.latent_dim, device=dev)
    amp = torch.autocast(dev, dtype=torch.bfloat16, enabled=a.dtype == "bf16")

    def loss_of(g, M):
        return sum(getattr(g, k).float().square().mean() for k in ("offsets", "scales", "quats", "albedo", "opacities")) + M.float().square().mean()

    def vit_step():
        est.zero_grad(set_to_none=True)
        with amp: e = est(img)
        (e.shape.square().mean() + e.expr.square().mean() + e.pose6d.square().mean() + e.features.square().mean()).backward()

    def reg_step():
        reg.zero_grad(set_to_none=True)
        with amp: g, M = reg(f_in, tokens)
        loss_of(g, M).backward()

    def reg_fwd():
        with torch.no_grad(), amp: reg(f_in, tokens)

    def both_step():
        est.zero_grad(set_to_none=True); reg.zero_grad(set_to_none=True)
        with amp:
            e = est(img); g, M = reg(e.features, tokens)
        (loss_of(g, M) + e.shape.square().mean()).backward()

    res = dict(device=torch.cuda.get_device_name() if a.cuda else "cpu", torch=torch.__version__, batch=B, dtype=a.dtype,
               profile="tiny" if a.tiny else "paper", compiled=a.compile, ring_by=rcfg.ring_by, faces=int(flame.faces.shape[0]), gaussians=int(reg.parent_face.shape[0]),
               params=dict(vit=n_params(est.vit), estimator=n_params(est), uv_generator=n_params(reg.uv_generator),
                           regressor=n_params(reg)),
               ms=dict(estimator_fwd_bwd=timeit(vit_step, a.repeats, a.cuda), regressor_fwd=timeit(reg_fwd, a.repeats, a.cuda),
                       regressor_fwd_bwd=timeit(reg_step, a.repeats, a.cuda), estimator_plus_regressor_fwd_bwd=timeit(both_step, a.repeats, a.cuda)))
    if a.cuda: res["peak_gib"] = torch.cuda.max_memory_allocated() / 2 ** 30
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "networks.json").write_text(json.dumps(res, indent=1))
    print(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
