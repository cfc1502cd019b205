import pytest
from sheap.headmodel import write_head_model


@pytest.fixture(scope="session")
def head_dir(tmp_path_factory):
    "The procedural model written once per session, with a seed the notebooks do not use."
    d = tmp_path_factory.mktemp("head")
    write_head_model(d, seed=7)
    return d


@pytest.fixture(autouse=True)
def _seeded():
    "Every test starts from the same global random state, so that a threshold never fails by chance."
    import random, numpy as np, torch
    random.seed(0); np.random.seed(0); torch.manual_seed(0)
