"Public tensor APIs refuse bad arguments with a ValueError naming the argument (check_inputs=True, the default)."
import pytest
import torch

from sheap.cameras import default_camera
from sheap.meshraster import rasterize_mesh
from sheap.render import render_gaussians


def splats(B=1, G=6):
    g = torch.Generator().manual_seed(0)
    means = torch.randn(B, G, 3, generator=g) * 0.02
    quats = torch.zeros(B, G, 4); quats[..., 0] = 1
    V, K = default_camera(B, 32, 32)
    return dict(means=means, quats=quats, scales=torch.full((B, G, 2), 0.01), opacities=torch.full((B, G), 0.9),
                colors=torch.rand(B, G, 3, generator=g), viewmats=V, Ks=K, width=32, height=32, backgrounds=torch.zeros(B, 3))


def nan_at(t):
    t = t.clone(); t.view(-1)[0] = float("nan"); return t


GAUSS_CASES = {
    "colors NaN": (lambda a: a | dict(colors=nan_at(a["colors"])), "colors"),
    "backgrounds NaN": (lambda a: a | dict(backgrounds=nan_at(a["backgrounds"])), "backgrounds"),
    "viewmats NaN": (lambda a: a | dict(viewmats=nan_at(a["viewmats"])), "viewmats"),
    "Ks inf": (lambda a: a | dict(Ks=a["Ks"] * float("inf")), "Ks"),
    "means int": (lambda a: a | dict(means=a["means"].long()), "means"),
    "opacities int": (lambda a: a | dict(opacities=a["opacities"].long()), "opacities"),
    "colors bool": (lambda a: a | dict(colors=a["colors"] > 0.5), "colors"),
    "empty batch": (lambda a: {k: (v[:0] if torch.is_tensor(v) else v) for k, v in a.items()}, "empty batch"),
    "width float": (lambda a: a | dict(width=32.5), "width"),
    "height zero": (lambda a: a | dict(height=0), "height"),
    "quats shape": (lambda a: a | dict(quats=a["quats"][..., :3]), "quats"),
}


@pytest.mark.parametrize("case", sorted(GAUSS_CASES))
def test_render_gaussians_refuses(case):
    change, word = GAUSS_CASES[case]
    a = change(splats())
    with pytest.raises(ValueError, match=word):
        render_gaussians(a.pop("means"), a.pop("quats"), a.pop("scales"), a.pop("opacities"), a.pop("colors"),
                         a.pop("viewmats"), a.pop("Ks"), a.pop("width"), a.pop("height"), backgrounds=a.pop("backgrounds"), backend="torch")


def mesh(B=1):
    verts = torch.tensor([[-0.05, -0.05, 0.0], [0.05, -0.05, 0.0], [0.0, 0.05, 0.0]]).expand(B, 3, 3).clone()
    V, K = default_camera(B, 32, 32)
    return dict(verts=verts, faces=torch.tensor([[0, 1, 2]]), viewmats=V, Ks=K, width=32, height=32)


MESH_CASES = {
    "viewmats NaN": (lambda a: a | dict(viewmats=nan_at(a["viewmats"])), "viewmats"),
    "Ks NaN": (lambda a: a | dict(Ks=nan_at(a["Ks"])), "Ks"),
    "verts NaN": (lambda a: a | dict(verts=nan_at(a["verts"])), "verts"),
    "faces float": (lambda a: a | dict(faces=a["faces"].float()), "faces"),
    "verts int": (lambda a: a | dict(verts=a["verts"].long()), "verts"),
    "viewmats half-int": (lambda a: a | dict(viewmats=a["viewmats"].int()), "viewmats"),
    "empty batch": (lambda a: a | dict(verts=a["verts"][:0], viewmats=a["viewmats"][:0], Ks=a["Ks"][:0]), "empty batch"),
    "faces out of range": (lambda a: a | dict(faces=a["faces"] + 5), "faces"),
    "width negative": (lambda a: a | dict(width=-4), "width"),
}


@pytest.mark.parametrize("case", sorted(MESH_CASES))
def test_rasterize_mesh_refuses(case):
    change, word = MESH_CASES[case]
    with pytest.raises(ValueError, match=word):
        rasterize_mesh(**change(mesh()))


def test_good_inputs_pass():
    a = splats()
    out = render_gaussians(a.pop("means"), a.pop("quats"), a.pop("scales"), a.pop("opacities"), a.pop("colors"),
                           a.pop("viewmats"), a.pop("Ks"), a.pop("width"), a.pop("height"), backgrounds=a.pop("backgrounds"), backend="torch")
    assert torch.isfinite(out.rgb).all()
    r = rasterize_mesh(**mesh())
    assert r.mask.any()
