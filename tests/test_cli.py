"The `sheap` console script as a user runs it."
import subprocess
import sys

import smplx
import torch


def run(*args):
    return subprocess.run([sys.executable, "-m", "sheap.cli", *args], capture_output=True, text=True, timeout=300)


def test_make_head_model_is_deterministic_and_smplx_loadable(tmp_path):
    for name in ("a", "b"):
        r = run("make-head-model", str(tmp_path / name), "--seed", "5")
        assert r.returncode == 0, r.stderr
    for f in ("FLAME_NEUTRAL.pkl", "flame_static_embedding.pkl", "flame_dynamic_embedding.npy", "sheap_extras.npz"):
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f
    model = smplx.FLAME(str(tmp_path / "a"), num_betas=300, num_expression_coeffs=100, use_face_contour=True)
    assert torch.isfinite(model().vertices).all()


def test_bad_arguments(tmp_path):
    r = run("make-head-model", str(tmp_path / "x"), "--seed", "abc")
    assert r.returncode == 2 and "invalid int value" in r.stderr
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = run("make-head-model", str(blocker / "sub"))
    assert r.returncode == 2 and "error" in r.stderr and "Traceback" not in r.stderr


def test_prepare_records_bad_inputs_and_keeps_going(tmp_path):
    import json
    import numpy as np
    import skimage.data
    from PIL import Image
    src = tmp_path / "mixed"
    src.mkdir()
    Image.fromarray(skimage.data.astronaut()).save(src / "astronaut.jpg")
    Image.fromarray(np.full((200, 300, 3), 128, np.uint8)).save(src / "blank.png")      # no face
    (src / "corrupt.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
    (src / "empty.mp4").write_bytes(b"")
    out = tmp_path / "prepared"
    r = run("prepare", str(src), str(tmp_path / "missing"), "--out", str(out), "--size", "256")
    assert r.returncode == 0, r.stderr
    man = json.loads((out / "manifest.json").read_text())
    # default: the folder's images are the frames of one video; bad frames and inputs are recorded with reasons
    assert [v["id"] for v in man["videos"]] == ["mixed"] and man["videos"][0]["frames"] == 1
    why = {d["path"].split("/")[-1]: d["reason"] for d in man["dropped"]}
    assert why["mixed:blank"] == "no face" and why["mixed:corrupt"].startswith("unreadable image")
    assert why["empty.mp4"].startswith("unreadable or empty video") and why["missing"] == "not found"
    vdir = out / "train" / "mixed"
    assert {p.name for p in vdir.iterdir()} == {"frames", "masks", "annotations.npz", "meta.json"}
    with np.load(vdir / "annotations.npz") as z:
        assert z["lmk68"].shape == (1, 68, 2) and z["lmk_dense"].shape == (1, 478, 2)
        assert (z["lmk68"] > 0).all() and (z["lmk68"] < 256).all()
    assert Image.open(vdir / "frames" / "000000.jpg").size == (256, 256)
    assert not list(out.glob("*/*.partial"))
    r = run("prepare", str(src), "--out", str(out), "--size", "0")
    assert r.returncode == 2 and "error" in r.stderr and "Traceback" not in r.stderr
