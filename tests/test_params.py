"params.yaml sections mirror the config dataclasses one to one."
from dataclasses import fields
from pathlib import Path

import yaml

from sheap.densify import DensifyConfig
from sheap.encoder import EncoderConfig
from sheap.prepare import PrepareConfig
from sheap.regressor import RegressorConfig
from sheap.losses import LossConfig
from sheap.step import StepConfig

PARAMS = yaml.safe_load((Path(__file__).parents[1] / "params.yaml").read_text())


def test_sections_build_configs():
    m = PARAMS["model"]
    for cls, section in ((EncoderConfig, m["encoder"]), (RegressorConfig, m["regressor"]), (DensifyConfig, m["densify"]),
                         (PrepareConfig, PARAMS["prepare"]), (LossConfig, PARAMS["loss"]), (StepConfig, PARAMS["step"])):
        names = {f.name for f in fields(cls)}
        assert set(section) <= names, (cls.__name__, set(section) - names)
        cfg = cls(**section)
        for k, v in section.items():
            assert getattr(cfg, k) == v
    assert m["profile"] in ("tiny", "paper")


def test_paper_sizes_are_the_defaults():
    m = PARAMS["model"]
    assert EncoderConfig(**m["encoder"]) == EncoderConfig.paper()
    assert RegressorConfig(**m["regressor"]) == RegressorConfig.paper()
    assert DensifyConfig(**m["densify"]) == DensifyConfig()
    assert PrepareConfig(**PARAMS["prepare"]) == PrepareConfig()
    from sheap.train import resolve_config
    paper = resolve_config(Path(__file__).parents[1] / "params.yaml", "paper")
    assert LossConfig(**paper["loss"]) == LossConfig()              # the paper profile: supplementary 1.1's weights
    assert StepConfig(**paper["step"]) == StepConfig()              # ... and the paper's step (coupling losses on)
    step = {k: v for k, v in PARAMS["step"].items() if getattr(StepConfig(), k) != v}
    assert step == dict(coupling=False)                             # cpu-tiny departs on purpose (benchmarks/RESULTS.md)
    tiny = {k: v for k, v in PARAMS["loss"].items() if getattr(LossConfig(), k) != v}
    assert tiny == dict(w_lmk=5.0, w_expr=1e-3, w_shape=1e-3, prior="squared")  # cpu-tiny departs on purpose (benchmarks/RESULTS.md)


def test_loss_and_step_sections_are_one_to_one():
    "Every LossConfig/StepConfig field has a params.yaml key and every key a field."
    for cls, section in ((LossConfig, PARAMS["loss"]), (StepConfig, PARAMS["step"])):
        assert {f.name for f in fields(cls)} == set(section), cls.__name__


def test_training_profiles_name_existing_keys():
    "Every key a training profile overrides exists in params.yaml (a typo would otherwise be silently ignored)."
    from sheap.train import PROFILES, resolve_config
    for name, over in PROFILES.items():
        cfg = resolve_config(PARAMS, name)
        for k, v in over.items():
            d = cfg
            for part in k.split("."): d = d[part]
            assert d == v, (name, k)
