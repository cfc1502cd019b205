"params.yaml sections mirror the config dataclasses one to one."
from dataclasses import fields
from pathlib import Path

import yaml

from sheap.densify import DensifyConfig
from sheap.encoder import EncoderConfig
from sheap.prepare import PrepareConfig
from sheap.regressor import RegressorConfig

PARAMS = yaml.safe_load((Path(__file__).parents[1] / "params.yaml").read_text())


def test_sections_build_configs():
    m = PARAMS["model"]
    for cls, section in ((EncoderConfig, m["encoder"]), (RegressorConfig, m["regressor"]), (DensifyConfig, m["densify"]),
                         (PrepareConfig, PARAMS["prepare"])):
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
