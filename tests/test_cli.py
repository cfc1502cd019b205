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
