"Torch vs gsplat parity on the GPU (skipped without CUDA and gsplat). Run on the GPU machine, see README."
import sys
from pathlib import Path
import pytest
import torch
from sheap.render import gsplat_available, render_gaussians

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
pytestmark = pytest.mark.skipif(not gsplat_available(), reason="needs CUDA and gsplat")


@pytest.fixture(scope="module")
def scenes():
    from bench_render import head_scene, random_scene
    return {"head": (head_scene(2, 20_000, 512, "cuda")[0], 512), "random": (random_scene(2, 5000, 256, "cuda", seed=7), 256)}


@pytest.mark.parametrize("name", ["head", "random"])
def test_parity_2dgs(scenes, name):
    from bench_render import parity
    scene, size = scenes[name]
    r, _, _ = parity(scene, size, "2dgs")
    assert r["rgb_psnr_db"] > 40, r
    assert r["alpha_mean_abs"] < 1e-3 and r["depth_covered_mean_abs_m"] < 1e-3 and r["normals_covered_mean_abs"] < 1e-2, r
    for k in ("means", "colors", "opacities"): assert r[f"grad_{k}_cosine"] > 0.99, r


@pytest.mark.parametrize("name", ["head", "random"])
def test_parity_3dgs(scenes, name):
    from bench_render import parity
    scene, size = scenes[name]
    r, _, _ = parity(scene, size, "3dgs")
    assert r["rgb_psnr_db"] > 40, r
    for k in ("colors", "opacities"): assert r[f"grad_{k}_cosine"] > 0.99, r


def test_empty_and_behind_gsplat(scenes):
    scene, size = scenes["random"]
    bg = torch.rand(2, 3, device="cuda")
    e = render_gaussians(**{k: (v[:, :0] if k not in ("viewmats", "Ks") else v) for k, v in scene.items()}, width=64, height=64, backgrounds=bg, backend="gsplat")
    assert torch.allclose(e.rgb, bg[:, None, None].expand(2, 64, 64, 3))
    V = scene["viewmats"].clone(); V[:, 2, 3] = -1.0
    e = render_gaussians(**{**scene, "viewmats": V}, width=64, height=64, backgrounds=bg, backend="gsplat")
    assert e.alpha.abs().max() == 0 and torch.allclose(e.rgb, bg[:, None, None].expand(2, 64, 64, 3))
