"Networks on CUDA agree with CPU (skipped without a GPU)."
import tempfile
from pathlib import Path

import pytest
import torch

from sheap.densify import DensifyConfig, Densifier
from sheap.encoder import EncoderConfig, ParameterEstimator
from sheap.flame import FLAME
from sheap.headmodel import write_head_model
from sheap.regressor import GaussiansRegressor, RegressorConfig, face_uvs

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")


@pytest.fixture(scope="module")
def flame():
    return FLAME.from_file(write_head_model(Path(tempfile.mkdtemp()), seed=0))


@pytest.fixture
def no_tf32():
    "Compare float32 with float32, not TF32 convolutions and matmuls; restore the flags afterwards."
    old = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    yield
    torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = old


def test_regressor_and_estimator_match_cpu(flame, no_tf32):
    torch.manual_seed(0)
    reg = GaussiansRegressor(RegressorConfig.tiny(), flame.faces, face_uvs(flame))
    est = ParameterEstimator(EncoderConfig.tiny())
    img, tok = torch.rand(2, 3, 224, 224), torch.randn(2, 50, 256)
    with torch.no_grad():
        g_cpu, M_cpu = reg(est(img).features, tok)
        e = est.cuda()(img.cuda())
        g_gpu, M_gpu = reg.cuda()(e.features, tok.cuda())
    for k in ("offsets", "scales", "quats", "albedo", "opacities"):
        torch.testing.assert_close(getattr(g_gpu, k).cpu(), getattr(g_cpu, k), atol=2e-4, rtol=1e-3)
    torch.testing.assert_close(M_gpu.cpu(), M_cpu, atol=2e-4, rtol=1e-3)


def test_densify_on_cuda_keeps_invariants(flame):
    torch.manual_seed(0)
    reg = GaussiansRegressor(RegressorConfig.tiny(), flame.faces, face_uvs(flame)).cuda()
    opt = torch.optim.Adam(reg.parameters(), lr=1e-3)
    d = Densifier(reg, opt, DensifyConfig(n_prune=8, n_densify=8))
    f, tok = torch.randn(2, 128, device="cuda"), torch.randn(2, 50, 256, device="cuda")
    for _ in range(5):
        with torch.autocast("cuda", dtype=torch.bfloat16):
            g, M = reg(f, tok)
        loss = g.offsets.square().sum() + g.opacities.sum()
        opt.zero_grad(); loss.backward(); opt.step()
        r = d.observe(g.opacities, torch.randn(2, g.offsets.shape[1], 3, device="cuda"))
        assert len(r["pruned"]) == 8
    counts = torch.bincount(reg.parent_face, minlength=reg.n_faces)
    assert counts.min() >= 1 and counts.max() <= 6 and counts.sum() == 2 * reg.n_faces


def test_densify_and_regressor_have_no_host_sync(flame):
    "The training-path densifier (check_inputs=False) and the regressor's forward never wait for the GPU."
    torch.manual_seed(0)
    reg = GaussiansRegressor(RegressorConfig.tiny(), flame.faces, face_uvs(flame)).cuda()
    opt = torch.optim.Adam(reg.parameters(), lr=1e-3)
    d = Densifier(reg, opt, DensifyConfig(n_prune=4, n_densify=4), check_inputs=False)
    f, tok = torch.randn(2, 128, device="cuda"), torch.randn(2, 50, 256, device="cuda")
    g, M = reg(f, tok)
    (g.offsets.square().sum() + g.opacities.sum()).backward(); opt.step()
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        g, M = reg(f, tok)
        r = d.observe(g.opacities.detach(), torch.randn(2, g.offsets.shape[1], 3, device="cuda"))
    finally:
        torch.cuda.set_sync_debug_mode(0)
    assert int(r.valid.sum()) == 4
