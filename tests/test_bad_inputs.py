"Malformed or tampered assets are refused with a clear error, and nothing inside them runs."
import pickle

import numpy as np
import pytest
import torch

from sheap.flame import FLAME, FlameFileError, load_flame_model, safe_load_pickle, load_landmark_embeddings


class Payload:
    "Would create a marker file if unpickled by a plain pickle.load."
    def __init__(self, marker): self.marker = str(marker)
    def __reduce__(self): return (open, (self.marker, "w"))


def test_tampered_pickle_is_refused_and_not_executed(head_dir, tmp_path):
    data = safe_load_pickle(head_dir / "FLAME_NEUTRAL.pkl")
    marker = tmp_path / "pwned"
    data["v_template"] = Payload(marker)
    bad = tmp_path / "FLAME_NEUTRAL.pkl"
    bad.write_bytes(pickle.dumps(data, protocol=2))
    with pytest.raises(FlameFileError, match=r"refusing to load (io|builtins)\.open"):
        load_flame_model(bad)
    assert not marker.exists()


@pytest.mark.parametrize("key", ["v_template", "f", "shapedirs", "posedirs", "J_regressor", "weights", "kintree_table"])
def test_missing_key(head_dir, tmp_path, key):
    data = safe_load_pickle(head_dir / "FLAME_NEUTRAL.pkl")
    del data[key]
    (tmp_path / "m.pkl").write_bytes(pickle.dumps(data, protocol=2))
    with pytest.raises(FlameFileError, match=f"m.pkl: lacks key '{key}'"):
        load_flame_model(tmp_path / "m.pkl")


def test_wrong_shape_names_key_and_expectation(head_dir, tmp_path):
    data = safe_load_pickle(head_dir / "FLAME_NEUTRAL.pkl")
    data["posedirs"] = data["posedirs"][:, :, :30]
    (tmp_path / "m.pkl").write_bytes(pickle.dumps(data, protocol=2))
    with pytest.raises(FlameFileError, match=r"key 'posedirs' has shape .* expected \[V=\d+, 3, 36\]"):
        load_flame_model(tmp_path / "m.pkl")


def test_tampered_dynamic_embedding(head_dir, tmp_path):
    for name in ("FLAME_NEUTRAL.pkl", "flame_static_embedding.pkl"):
        (tmp_path / name).write_bytes((head_dir / name).read_bytes())
    marker = tmp_path / "pwned"
    np.save(tmp_path / "flame_dynamic_embedding.npy", np.array({"lmk_face_idx": Payload(marker)}, dtype=object), allow_pickle=True)
    with pytest.raises(FlameFileError, match="flame_dynamic_embedding.npy"):
        load_landmark_embeddings(tmp_path)
    assert not marker.exists()


@pytest.mark.parametrize("content", [b"", b"\x80\x02garbage", b"hello"])
def test_truncated_or_garbage_files(tmp_path, content):
    (tmp_path / "m.pkl").write_bytes(content)
    with pytest.raises(FlameFileError, match="m.pkl"):
        load_flame_model(tmp_path / "m.pkl")


def test_unknown_extension_and_missing_file(tmp_path):
    (tmp_path / "m.obj").write_text("v 0 0 0")
    with pytest.raises(FlameFileError, match="unknown FLAME file type"):
        load_flame_model(tmp_path / "m.obj")
    with pytest.raises(FlameFileError, match="file not found"):
        FLAME.from_file(tmp_path / "nothing.pkl")


def test_forward_rejects_bad_shapes(head_dir):
    flame = FLAME.from_file(head_dir / "FLAME_NEUTRAL.pkl")
    pose = torch.eye(3).expand(2, 5, 3, 3)
    with pytest.raises(ValueError, match=r"pose must be \[B, 5, 3, 3\]"):
        flame(torch.zeros(2, 10), torch.zeros(2, 10), torch.zeros(2, 5, 3))
    with pytest.raises(ValueError, match="expr must be"):
        flame(torch.zeros(2, 10), torch.zeros(2, 101), pose)
    with pytest.raises(ValueError, match="trans must be"):
        flame(torch.zeros(2, 10), torch.zeros(2, 10), pose, trans=torch.zeros(3))
