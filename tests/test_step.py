"End-to-end CPU checks of the training step (tiny profile, synthetic data)."
import pytest
import torch
from torch.utils.data import DataLoader
from sheap.flame import FLAME
from sheap.synthetic import generate, SynthConfig
from sheap.data import VideoPairs
from sheap.encoder import EncoderConfig, dino_features
from sheap.regressor import RegressorConfig
from sheap.densify import Densifier, DensifyConfig
from sheap.step import SHeaP, StepConfig, make_optimizer, train_step


@pytest.fixture(scope="module")
def setup(head_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("synth")
    generate(root, head_dir / "FLAME_NEUTRAL.pkl", videos=1, split="train", seed=3, cfg=SynthConfig(size=64, frames=4))
    pairs = VideoPairs(root, "train", size=64, vit_size=112, dino_size=112, pairs_per_video=2)
    torch.manual_seed(0)
    return FLAME.from_file(head_dir / "FLAME_NEUTRAL.pkl"), next(iter(DataLoader(pairs, batch_size=2)))


def _model(flame, **step):
    torch.manual_seed(0)
    reg = RegressorConfig.tiny(gaussians_per_face=1)
    return SHeaP(flame, EncoderConfig.tiny(image_size=112), reg, dino=dino_features(None, reg.d_dino), step=StepConfig(**step))


def test_fixed_pair_is_learned(setup):
    "200 steps on one fixed pair halve the photometric L1 and lower the landmark error (densification on)."
    flame, batch = setup
    model = _model(flame)
    opt = make_optimizer(model, lr=1e-3, vit_lr=1e-4)
    dens = Densifier(model.regressor, opt, DensifyConfig(t_history=32), check_inputs=False)
    hist = [train_step(model, opt, batch, dens).terms for _ in range(200)]
    l1, lmk = [float(h["l1"].detach()) for h in hist], [float(h["lmk"].detach()) for h in hist]
    assert min(l1[-10:]) < 0.5 * l1[0], (l1[0], l1[-10:])
    assert min(lmk[-10:]) < lmk[0], (lmk[0], lmk[-10:])
    assert dens.steps == 200                                       # statistics observed every step
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_switches_change_the_objective(setup):
    flame, batch = setup
    on, off = _model(flame)(batch), _model(flame, coupling=False)(batch)
    assert {"normals", "depth"} <= set(on.terms) and not {"normals", "depth"} & set(off.terms)
    mesh = _model(flame, renderer="mesh")(batch)
    assert mesh.extras["alpha"].sum() > 0 and "normals" not in mesh.terms
