"CPU integration and bad-input tests of the rig and renderers on the procedural head."
import math
import pytest
import torch
from sheap.flame import FLAME, axis_angle_to_matrix
from sheap.binding import CanonicalGaussians, bind_gaussians
from sheap.cameras import default_camera, project_points
from sheap.render import render_gaussians
from sheap.meshraster import rasterize_mesh, face_labels_from_vertices
from sheap.shading import shade, procedural_illumination_prior


@pytest.fixture(scope="module")
def posed(head_dir):
    flame = FLAME.from_file(head_dir / "FLAME_NEUTRAL.pkl")
    pose = torch.eye(3).expand(2, 5, 3, 3).clone()
    pose[:, 0] = axis_angle_to_matrix(torch.tensor([[0.0, 0.4, 0.0], [0.2, -0.3, 0.1]]))
    g = torch.Generator().manual_seed(0)
    out = flame(torch.randn(2, 300, generator=g) * 0.5, torch.randn(2, flame.n_expr, generator=g) * 0.5, pose)
    return flame, out


def test_splats_agree_with_mesh(posed):
    "One opaque splat per face covering its triangle renders the mesh's silhouette, depth and normals."
    flame, out = posed
    F = flame.faces.shape[0]
    cg = CanonicalGaussians(torch.arange(F), torch.zeros(2, F, 3), torch.full((2, F, 2), 0.6),
                            torch.tensor([1.0, 0, 0, 0]).expand(2, F, 4), torch.full((2, F, 3), 0.7), torch.ones(2, F))
    g = cg.bind(out.vertices, flame.faces)
    V, K = default_camera(2, 96, 96)
    colors = shade(g.albedo, g.normals, procedural_illumination_prior().sh(torch.zeros(2, 10)))
    r = render_gaussians(g.means, g.quats, g.scales, g.opacities, colors, V, K, 96, 96, backend="torch")
    m = rasterize_mesh(out.vertices, flame.faces, V, K, 96, 96, face_labels=face_labels_from_vertices(flame.region, flame.faces))
    inside = (m.mask[..., 0] > 0)
    iou = ((r.alpha[..., 0] > 0.5) & inside).sum() / ((r.alpha[..., 0] > 0.5) | inside).sum()
    assert iou > 0.9, iou
    core = inside & (r.alpha[..., 0] > 0.99)
    # 2DGS depth is the ray-splat intersection depth of the median splat: on the surface, not a blend of centres
    assert (r.depth[..., 0] - m.depth[..., 0])[core].abs().median() < 5e-4            # metres
    cos = torch.nn.functional.cosine_similarity(r.normals[core], m.normals[core], dim=-1)
    assert cos.median() > 0.95
    assert set(m.region[inside].unique().tolist()) <= set(range(5))


def test_landmarks_project_inside_face_mask(posed):
    "Landmarks are surface points: every one projects onto the head's silhouette, to within one pixel."
    flame, out = posed
    V, K = default_camera(2, 128, 128)
    m = rasterize_mesh(out.vertices, flame.faces, V, K, 128, 128)
    uv, z = project_points(out.landmarks, V, K)
    px = uv.long().clamp(0, 127)
    # jaw-contour landmarks sit on the silhouette of a turned head, where a pixel centre may fall just outside
    near = torch.nn.functional.max_pool2d(m.mask[..., 0][:, None], 3, 1, 1)[:, 0]     # mask dilated by 1 px
    assert near[torch.arange(2)[:, None], px[..., 1], px[..., 0]].all()
    assert (z > 0).all()


@pytest.mark.parametrize("kind", ["2dgs", "3dgs"])
def test_bad_and_degenerate_inputs(kind):
    V, K = default_camera(1, 32, 32)
    G = 5
    args = [torch.zeros(1, G, 3), torch.randn(1, G, 4), torch.full((1, G, 3), 0.01), torch.ones(1, G), torch.rand(1, G, 3)]
    with pytest.raises(ValueError, match="means contains NaN"):
        bad = args[0].clone(); bad[0, 0, 0] = math.nan
        render_gaussians(bad, *args[1:], V, K, 32, 32, kind=kind)
    with pytest.raises(ValueError, match="colors must be"):
        render_gaussians(*args[:4], torch.rand(G, 3), V, K, 32, 32, kind=kind)
    with pytest.raises(ValueError, match="needs CUDA"):
        render_gaussians(*args, V, K, 32, 32, kind=kind, backend="gsplat")
    zero = render_gaussians(args[0], args[1], torch.zeros(1, G, 3), *args[3:], V, K, 32, 32, kind=kind, backend="torch")
    assert torch.isfinite(zero.rgb).all() and torch.isfinite(zero.depth).all()     # zero-size splats: filter footprint only


def test_binding_rejects_bad_shapes(posed):
    flame, out = posed
    G = 4
    with pytest.raises(ValueError, match="scales must be"):
        bind_gaussians(out.vertices, flame.faces, torch.zeros(G, dtype=torch.long), torch.zeros(2, G, 3), torch.ones(2, G, 4), torch.ones(2, G, 4))


def test_meshraster_behind_camera_and_nan(posed):
    flame, out = posed
    V, K = default_camera(2, 32, 32)
    Vb = V.clone(); Vb[:, 2, 3] = -1.0
    assert rasterize_mesh(out.vertices, flame.faces, Vb, K, 32, 32).mask.sum() == 0
    bad = out.vertices.clone(); bad[0, 5, 1] = math.inf
    with pytest.raises(ValueError, match="NaN or Inf"):
        rasterize_mesh(bad, flame.faces, V, K, 32, 32)
