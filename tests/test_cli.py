"The `sheap` console script as a user runs it."
import subprocess
import sys

import numpy as np
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
    assert r.returncode == 2 and "argument --seed: expected an integer" in r.stderr
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
    # photos with unnumbered names are separate items, never the frames of one video; bad inputs recorded with reasons
    assert [v["id"] for v in man["videos"]] == ["mixed_astronaut"] and man["videos"][0]["frames"] == 1
    assert "not a video frame" in man["videos"][0]["note"]
    why = {d["path"].split("/")[-1]: d["reason"] for d in man["dropped"]}
    assert why["blank.png"] == "no usable frames (no face)" and why["corrupt.jpg"].startswith("no usable frames (unreadable image")
    assert why["empty.mp4"].startswith("unreadable or empty video") and why["missing"] == "not found"
    vdir = out / "train" / "mixed_astronaut"
    assert {p.name for p in vdir.iterdir()} == {"frames", "masks", "annotations.npz", "meta.json"}
    with np.load(vdir / "annotations.npz") as z:
        assert z["lmk68"].shape == (1, 68, 2) and z["lmk_dense"].shape == (1, 478, 2)
        assert (z["lmk68"] > 0).all() and (z["lmk68"] < 256).all()
    assert Image.open(vdir / "frames" / "000000.jpg").size == (256, 256)
    assert not list(out.glob("*/*.partial"))
    r = run("prepare", str(src), "--out", str(out), "--size", "0")
    assert r.returncode == 2 and "error" in r.stderr and "Traceback" not in r.stderr


def test_numeric_flags_are_checked_before_any_work(tmp_path):
    cases = [("synth", "--size", "-5"), ("synth", "--videos", "0"), ("synth", "--frames", "nan"), ("synth", "--workers", "0"),
             ("synth", "--device", "gpu"), ("synth", "--seed", "-1"), ("prepare", "--min-face", "inf"), ("prepare", "--stride", "0"),
             ("prepare", "--smooth", "-1"), ("prepare", "--max-frames", "1.5"), ("evaluate", "--max-points", "0"),
             ("evaluate", "--size", "99999")]
    for cmd, flag, value in cases:
        more = {"synth": ["--out", str(tmp_path / "s")], "prepare": [str(tmp_path), "--out", str(tmp_path / "p")],
                "evaluate": ["--data", str(tmp_path / "d")]}[cmd]
        r = run(cmd, *more, flag, value)
        assert r.returncode == 2 and f"argument {flag}:" in r.stderr and "Traceback" not in r.stderr, (cmd, flag, r.stderr[-500:])
        assert f"usage: sheap {cmd}" in r.stderr, r.stderr[-500:]           # the sub-command's own usage
    assert not (tmp_path / "s").exists() and not (tmp_path / "p").exists()  # nothing written (no head model first)
    r = run("--version")
    assert r.returncode == 0 and r.stdout.startswith("sheap ")
    r = run("synth", "--help")
    assert r.returncode == 0 and "(default: 512)" in r.stdout


def test_synth_concurrent_and_changed_settings(tmp_path):
    import json, time
    out = tmp_path / "syn"
    base = ["synth", "--out", str(out), "--videos", "3", "--frames", "2", "--size", "64", "--workers", "1"]
    first = subprocess.Popen([sys.executable, "-m", "sheap.cli", *base], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.time()
    while not (out / ".sheap.lock").exists() and time.time() - t0 < 120: time.sleep(0.05)
    second = run(*base)                                   # the folder is busy: stop at once, with a message
    assert second.returncode == 2 and "another run is writing here" in second.stderr, second.stderr[-500:]
    assert first.wait(timeout=300) == 0, first.stderr.read()[-1000:]
    man = json.loads((out / "manifest.json").read_text())
    assert [v["id"] for v in man["videos"]] == ["train_00000", "train_00001", "train_00002"] and not man["dropped"]
    assert not (out / ".sheap.lock").exists() and not [p for p in (out / "train").iterdir() if p.name.startswith(".")]
    changed = run(*base[:-4], "--size", "96", "--workers", "1")        # other settings: refused, nothing replaced
    assert changed.returncode == 2 and "other settings" in changed.stderr, changed.stderr[-500:]
    assert json.loads((out / "manifest.json").read_text()) == man
    again = run(*base[:-4], "--size", "96", "--workers", "1", "--overwrite")
    assert again.returncode == 0, again.stderr[-1000:]
    sizes = {json.loads((out / "train" / v / "meta.json").read_text())["size"] for v in ("train_00000", "train_00001", "train_00002")}
    assert sizes == {96} and json.loads((out / "manifest.json").read_text())["kept"] == 3


def test_prepare_photos_links_and_reruns(tmp_path):
    "Numbered photos of different sizes are not a video; link loops end; a re-run with other settings is refused."
    import json, os
    import skimage.data
    from PIL import Image
    src = tmp_path / "photos"
    src.mkdir()
    a = skimage.data.astronaut()
    Image.fromarray(a).save(src / "img_1.jpg")
    Image.fromarray(a[:400, 60:460]).save(src / "img_2.jpg")            # another size: never smoothed with img_1 as a video
    os.symlink(src, src / "loop")
    os.symlink(tmp_path / "gone.mp4", src / "gone.mp4")
    out = tmp_path / "prep"
    base = ["prepare", str(src), "--out", str(out), "--size", "128"]
    r = run(*base)
    assert r.returncode == 0, r.stderr[-1000:]
    man = json.loads((out / "manifest.json").read_text())
    assert [v["id"] for v in man["videos"]] == ["photos_img_1", "photos_img_2"], man["videos"]
    why = {d["path"].split("/")[-1]: d["reason"] for d in man["dropped_inputs"]}
    assert why["loop"].startswith("link loop") and why["gone.mp4"] == "dangling symbolic link"
    for v in man["videos"]:                                             # every crop holds its face, inside the image
        with np.load(out / v["path"] / "annotations.npz") as z:
            assert ((z["lmk68"] > 0) & (z["lmk68"] < 128)).all()
    changed = run(*base[:-1], "96")
    assert changed.returncode == 2 and "other settings" in changed.stderr and "Traceback" not in changed.stderr
    assert json.loads((out / "manifest.json").read_text()) == man
    again = run(*base[:-1], "96", "--overwrite")
    assert again.returncode == 0, again.stderr[-1000:]
    assert {json.loads((out / v["path"] / "meta.json").read_text())["size"] for v in man["videos"]} == {96}


def test_synth_params_follows_the_profile(tmp_path, head_dir):
    "The data stage (`sheap synth --params`) writes what params.yaml's profile says, -S last; so `dvc exp run -S train.profile=...` switches the data too."
    import json, yaml
    from sheap.train import resolve_config
    p = yaml.safe_load(open("params.yaml"))
    p["train"]["profile"], p["train"]["head_model"] = "gpu-bench", str(head_dir / "FLAME_NEUTRAL.pkl")
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(p))
    cfg = resolve_config(tmp_path / "params.yaml")
    assert (cfg["data"]["train_videos"], cfg["data"]["test_size"], cfg["base"]["device"]) == (2000, 512, "cuda")   # the profile's sizes
    r = run("synth", "--params", str(tmp_path / "params.yaml"), "--out", str(tmp_path / "syn"), "--workers", "1", "-S", "base.device=cpu",
            "-S", "data.train_videos=2", "-S", "data.val_videos=1", "-S", "data.test_videos=1", "-S", "data.frames=2",
            "-S", "data.test_frames=3", "-S", "data.size=64", "-S", "data.test_size=96")
    assert r.returncode == 0, r.stderr[-2000:]
    vids = json.loads((tmp_path / "syn" / "manifest.json").read_text())["videos"]
    assert sorted(v["split"] for v in vids) == ["test", "train", "train", "val"]
    test = [v for v in vids if v["split"] == "test"][0]
    assert test["frames"] == 3
    from PIL import Image
    assert Image.open(tmp_path / "syn" / test["path"] / "frames" / "000000.jpg").size == (96, 96)
    r = run("synth", "--params", str(tmp_path / "missing.yaml"), "--out", str(tmp_path / "syn2"))
    assert r.returncode == 2 and "no parameter file" in r.stderr and "Traceback" not in r.stderr


def test_train_detector(tmp_path, head_dir):
    "`sheap train-detector` writes a loadable detector; a folder without a dataset is a one-line error."
    import json
    from sheap.synthetic import generate, SynthConfig
    from sheap.detector import load_detector
    generate(tmp_path / "syn", head_dir / "FLAME_NEUTRAL.pkl", videos=2, split="train", seed=4, cfg=SynthConfig(size=64, frames=2), progress=False, workers=1)
    r = run("train-detector", "--data", str(tmp_path / "syn"), "--out", str(tmp_path / "det"), "--size", "32", "--steps", "2", "--batch", "2",
            "--widths", "8,16,32")
    assert r.returncode == 0, r.stderr[-2000:]
    info = json.loads(r.stdout.splitlines()[0])
    assert info["steps"] == 2 and info["frames"] == 4 and "val_median_px" not in info      # no val split: none reported
    assert load_detector(tmp_path / "det").cfg.image_size == 32 and load_detector(tmp_path / "det").cfg.widths == (8, 16, 32)
    for bad in ("8", "8,x", "8,0,16"):                                                    # one level, not a number, zero channels
        r = run("train-detector", "--data", str(tmp_path / "syn"), "--out", str(tmp_path / "d3"), "--widths", bad)
        assert r.returncode == 2 and "widths" in r.stderr and "Traceback" not in r.stderr, (bad, r.stderr[-500:])
    assert not (tmp_path / "d3").exists()
    r = run("train-detector", "--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "d2"))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "manifest" in r.stderr
    assert not (tmp_path / "d2").exists()
