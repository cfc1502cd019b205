import pytest
from sheap.headmodel import write_head_model


@pytest.fixture(scope="session")
def head_dir(tmp_path_factory):
    "The procedural model written once per session, with a seed the notebooks do not use."
    d = tmp_path_factory.mktemp("head")
    write_head_model(d, seed=7)
    return d
