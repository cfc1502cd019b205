"smplx and sheap agree on the procedural model (float32 and float64), for random parameters."
import pytest
import torch

smplx = pytest.importorskip("smplx")
from sheap.flame import FLAME, axis_angle_to_matrix


@pytest.mark.parametrize("dtype,tol", [(torch.float32, 1e-5), (torch.float64, 1e-6)])
def test_agrees_with_smplx(head_dir, dtype, tol):
    ours = FLAME.from_file(head_dir / "FLAME_NEUTRAL.pkl", contour_chain="global", dtype=dtype)
    peer = smplx.FLAME(str(head_dir), num_betas=300, num_expression_coeffs=100, use_face_contour=True, batch_size=6, dtype=dtype)
    g = torch.Generator().manual_seed(2024)
    betas, expr = torch.randn(6, 300, generator=g, dtype=dtype), torch.randn(6, 100, generator=g, dtype=dtype)
    aa = 0.35 * torch.randn(6, 5, 3, generator=g, dtype=dtype)
    trans = 0.1 * torch.randn(6, 3, generator=g, dtype=dtype)
    o = ours(shape=betas, expr=expr, pose=axis_angle_to_matrix(aa), trans=trans)
    p = peer(betas=betas, expression=expr, global_orient=aa[:, 0], neck_pose=aa[:, 1], jaw_pose=aa[:, 2],
             leye_pose=aa[:, 3], reye_pose=aa[:, 4], transl=trans)
    assert (o.vertices - p.vertices).abs().max() < tol
    assert (o.joints - p.joints[:, :5]).abs().max() < tol
    smplx_lmk = torch.cat([p.joints[:, 5 + 51:], p.joints[:, 5:5 + 51]], 1)  # smplx: static then contour
    assert (o.landmarks - smplx_lmk).abs().max() < tol


def test_fewer_components_and_eyelids(head_dir):
    flame = FLAME.from_file(head_dir / "FLAME_NEUTRAL.pkl")
    pose = torch.eye(3).expand(2, 5, 3, 3)
    full = flame(torch.zeros(2, 300), torch.zeros(2, 100), pose)
    short = flame(torch.zeros(2, 10), torch.zeros(2, 5), pose)
    assert torch.allclose(full.vertices, short.vertices)
    closed = flame(torch.zeros(2, 10), torch.zeros(2, 5), pose, eyelids=torch.ones(2, 2))
    assert (closed.vertices - full.vertices).norm(dim=-1).max() > 5e-3
    assert full.landmarks.shape == (2, 68, 3) and full.landmarks7.shape == (2, 7, 3)
