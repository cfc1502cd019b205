"""Profile one bf16 forward+backward of the paper-size regressor on CUDA (top kernels by CUDA time).

python benchmarks/profile_regressor.py
"""
import tempfile
from pathlib import Path
import torch
from torch.profiler import profile, ProfilerActivity
from sheap.headmodel import write_head_model
from sheap.flame import FLAME
from sheap.regressor import GaussiansRegressor, RegressorConfig, face_uvs

flame = FLAME.from_file(write_head_model(Path(tempfile.mkdtemp()), seed=0))
cfg = RegressorConfig.paper()
reg = GaussiansRegressor(cfg, flame.faces, face_uvs(flame)).cuda()
f, tok = torch.randn(8, cfg.latent_dim, device="cuda"), torch.randn(8, 1025, cfg.d_dino, device="cuda")

def step():
    reg.zero_grad(set_to_none=True)
    with torch.autocast("cuda", dtype=torch.bfloat16):
        g, M = reg(f, tok)
    (g.offsets.square().mean() + g.opacities.mean() + M.float().square().mean()).backward()

for _ in range(5): step()
torch.cuda.synchronize()
with profile(activities=[ProfilerActivity.CUDA, ProfilerActivity.CPU]) as prof:
    for _ in range(3): step()
    torch.cuda.synchronize()
print(prof.key_averages().table(sort_by="cuda_time_total", row_limit=30, max_name_column_width=60))
