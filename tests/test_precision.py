"Geometry computes in float32 whatever the caller's autocast state (training runs the networks under bf16 autocast)."
import pytest
import torch
from sheap.flame import FLAME, axis_angle_to_matrix
from sheap.binding import bind_gaussians
from sheap.cameras import default_camera, project_points
from sheap.render import render_gaussians
from sheap.meshraster import rasterize_mesh
from sheap.shading import shade, procedural_illumination_prior


def _geometry(flame, shape, expr, pose, trans):
    "Every geometric entry point of a training step, in one go."
    out = flame(shape, expr, pose, trans=trans)
    F = flame.faces.shape[0]
    g = torch.Generator().manual_seed(1)
    pf = torch.arange(F)
    off = 0.3 * torch.randn(2, F, 3, generator=g)
    q = torch.nn.functional.normalize(torch.randn(2, F, 4, generator=g), dim=-1)
    means, quats, scales = bind_gaussians(out.vertices, flame.faces, pf, off, torch.full((2, F, 2), 0.5), q)
    V, K = default_camera(2, 64, 64)
    uv, _ = project_points(out.landmarks, V, K)
    ras = rasterize_mesh(out.vertices, flame.faces, V, K, 64, 64)
    sh = procedural_illumination_prior().sh(torch.randn(2, 10, generator=g))
    col = shade(torch.rand(2, F, 3, generator=g), torch.nn.functional.normalize(means, dim=-1), sh)
    r = render_gaussians(means, quats, scales, torch.full((2, F), 0.9), col, V, K, 64, 64, backend="torch")
    return dict(verts=out.vertices, lmk=uv, means=means, quats=quats, mesh_depth=ras.depth, mesh_normals=ras.normals,
                colors=col, rgb=r.rgb, depth=r.depth)


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_geometry_identical_under_autocast(head_dir, dtype):
    flame = FLAME.from_file(head_dir / "FLAME_NEUTRAL.pkl")
    g = torch.Generator().manual_seed(0)
    shape, expr = 1.5 * torch.randn(2, 300, generator=g), torch.randn(2, flame.n_expr, generator=g)
    pose = torch.eye(3).expand(2, 5, 3, 3).clone()
    pose[:, 0] = axis_angle_to_matrix(torch.tensor([[0.1, 0.5, 0.0], [-0.2, -0.3, 0.1]]))
    trans = torch.tensor([[0.01, 0.04, -0.3], [-0.01, 0.05, -0.28]])
    ref = _geometry(flame, shape, expr, pose, trans)
    with torch.autocast("cpu", dtype=dtype):
        got = _geometry(flame, shape, expr, pose, trans)
        # half-precision inputs (what a network's head returns under autocast) are computed in float32 too
        half = flame(shape.to(dtype), expr.to(dtype), pose.to(dtype), trans=trans.to(dtype)).vertices
    for k in ref:
        assert got[k].dtype == torch.float32, k
        assert torch.equal(got[k], ref[k]), (k, (got[k] - ref[k]).abs().max())
    exact = flame(shape.to(dtype).float(), expr.to(dtype).float(), pose.to(dtype).float(), trans=trans.to(dtype).float()).vertices
    assert half.dtype == torch.float32 and torch.equal(half, exact)
